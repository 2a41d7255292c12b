//! Tests for the shared helpers, against Go's `base64.StdEncoding` behaviour
//! (checked with Go 1.27).

use super::*;

#[test]
fn go_base64_matches_go() {
    let cases: &[(&str, Option<&[u8]>)] = &[
        ("QQ==", Some(b"A")),
        // Go's decoder is not strict: non-zero trailing bits are accepted.
        ("QR==", Some(b"A")),
        // ... and it skips \r and \n anywhere.
        ("Q\nQ==", Some(b"A")),
        ("QQ=\r=", Some(b"A")),
        ("QQ==\n", Some(b"A")),
        ("QUJD", Some(b"ABC")),
        ("QUJ=", Some(b"AB")),
        ("QUI=", Some(b"AB")),
        ("", Some(b"")),
        // Padding is required; spaces and other bytes are not skipped.
        ("QQ", None),
        (" QQ==", None),
        ("QQ==QQ==", None),
        ("QQ-_", None),
    ];
    for (input, want) in cases {
        assert_eq!(go_base64_decode(input).as_deref(), *want, "{input:?}");
    }
    assert_eq!(go_base64_encode(b"AB"), "QUI=");
}

#[test]
fn clean_text() {
    assert!(is_clean_text(b"hello\nworld\n"));
    assert!(is_clean_text("\u{2014} é\n".as_bytes()));
    assert!(!is_clean_text(b"a\tb"));
    assert!(!is_clean_text(b"a\rb"));
    assert!(!is_clean_text(b"\xff"));
    assert!(!is_clean_text(b"\xed\xa0\x80")); // a UTF-16 surrogate
    assert!(is_clean_text(b"\x7f")); // DEL is not below U+0020
}

/// Deterministic input mutation for the no-panic tests below.
pub(crate) struct Mutator(u64);

impl Mutator {
    pub(crate) fn new(seed: u64) -> Mutator {
        Mutator(seed | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// `input` with one to four random edits: flip, insert, delete, truncate,
    /// or splice in an interesting byte sequence.
    pub(crate) fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        const SPICE: &[&[u8]] = &[
            b"\n",
            b"\n\n",
            b"/",
            b".p/",
            b"x",
            b"+",
            b"-",
            b"@",
            b"!",
            b"=",
            b" ",
            b"\xff",
            "\u{2014} ".as_bytes(),
            b"99999999999999999999",
            b"0",
            b"data",
            b"\r",
        ];
        let mut v = input.to_vec();
        for _ in 0..1 + self.below(4) {
            let at = self.below(v.len() + 1);
            match self.below(5) {
                0 if !v.is_empty() => {
                    let i = self.below(v.len());
                    v[i] ^= 1 << self.below(8);
                }
                1 => v.insert(at, self.next() as u8),
                2 if at < v.len() => {
                    v.remove(at);
                }
                3 => v.truncate(at),
                _ => {
                    let s = SPICE[self.below(SPICE.len())];
                    v.splice(at..at, s.iter().copied());
                }
            }
        }
        v
    }
}

#[test]
fn parsers_never_panic_on_mutated_input() {
    use super::note::{Ed25519Signer, Ed25519Verifier, VerifierList, open};
    use super::record::{parse_record, parse_tree};
    use super::tile::{Tile, hash_from_tile};

    let peter = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    let v = Ed25519Verifier::new(peter).unwrap();
    let list = VerifierList::new(&[&v]);
    let seeds: &[&[u8]] = &[
        b"tile/8/0/x001/x234/567.p/5",
        b"tile/2/data/000",
        b"go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
        b"123456789012\nhello, world\n\ngo.sum database tree\n5\n",
        "If you think cryptography is the answer to your problem,\n\
         then you don't know what your problem is.\n\n\
         \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
            .as_bytes(),
        peter.as_bytes(),
        b"PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
    ];
    let mut m = Mutator::new(0x5eed);
    let data = [0u8; 8 * 32];
    for _ in 0..1000 {
        for seed in seeds {
            let input = m.mutate(seed);
            let s = String::from_utf8_lossy(&input);
            let _ = Tile::parse(&s);
            let _ = parse_tree(&input);
            let _ = parse_record(&input);
            let _ = open(&input, &list);
            let _ = Ed25519Verifier::new(&s);
            let _ = Ed25519Signer::new(&s);
            let _ = go_base64_decode(&s);
        }
        let t = Tile {
            h: m.next() as u32 % 34,
            l: (m.next() % 70) as i64 - 2,
            n: m.next() >> (m.next() % 64),
            w: (m.next() % 300) as u32,
        };
        let _ = hash_from_tile(
            &t,
            &data[..m.below(data.len() + 1)],
            m.next() >> (m.next() % 64),
        );
        let _ = t.path();
    }
}
