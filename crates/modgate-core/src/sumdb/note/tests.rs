//! Tests ported from x/mod `sumdb/note/note_test.go`, plus deterministic key
//! generation vectors produced by x/mod (`GenerateKey` fed a fixed seed).

use super::*;

const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
/// Enoch's key is the all-zero seed (checked with x/mod).
const ENOCH_SKEY: &str =
    "PRIVATE+KEY+EnochRoot+af0cfe78+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n";
const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

fn peter() -> Signature {
    Signature {
        name: "PeterNeumann".into(),
        hash: 0xc74f20a3,
        base64: "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=".into(),
    }
}

fn enoch() -> Signature {
    Signature {
        name: "EnochRoot".into(),
        hash: 0xaf0cfe78,
        base64: "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=".into(),
    }
}

#[test]
fn new_verifier_and_manglings() {
    // TestNewVerifier: the key parses; every proper substring and every
    // single-byte increment is rejected.
    Ed25519Verifier::new(PETER_VKEY).unwrap();
    let b = PETER_VKEY.as_bytes();
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i != 0 || j != b.len() {
                let s = std::str::from_utf8(&b[i..j]).unwrap();
                assert!(
                    Ed25519Verifier::new(s).is_err(),
                    "NewVerifier({s:?}) succeeded"
                );
            }
        }
    }
    for i in 0..b.len() {
        let mut m = b.to_vec();
        m[i] += 1;
        let s = String::from_utf8(m).unwrap();
        assert!(
            Ed25519Verifier::new(&s).is_err(),
            "NewVerifier({s:?}) succeeded"
        );
    }
    // Wrong-length key and unknown algorithm, each with an adjusted key hash.
    let err = Ed25519Verifier::new(
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "malformed verifier id");
    let err =
        Ed25519Verifier::new("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            .unwrap_err();
    assert_eq!(err.to_string(), "unknown verifier algorithm");
}

#[test]
fn new_verifier_vectors() {
    // Checked with x/mod: (key, Ok((name, hash)) or Err(text)).
    type Want = Result<(&'static str, u32), &'static str>;
    let cases: &[(&str, Want)] = &[
        (
            "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
            Ok(("sum.golang.org", 0x033de0ae)),
        ),
        ("a+00000000+AQ==", Err("invalid verifier hash")),
        (
            "a+12345678+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            Err("invalid verifier hash"),
        ),
        ("a b+00000000+AQ==", Err("malformed verifier id")),
        (
            "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            Ok(("PeterNeumann", 0xc74f20a3)),
        ),
        // Go's base64 decoder skips newlines.
        (
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4\nizWy10TW",
            Ok(("PeterNeumann", 0xc74f20a3)),
        ),
        ("", Err("malformed verifier id")),
        ("+c74f20a3+ARpc", Err("malformed verifier id")),
    ];
    for (key, want) in cases {
        let got = Ed25519Verifier::new(key);
        match want {
            Ok((name, hash)) => {
                let v = got.unwrap();
                assert_eq!((v.name(), v.key_hash()), (*name, *hash), "{key:?}");
            }
            Err(text) => assert_eq!(got.unwrap_err().to_string(), *text, "{key:?}"),
        }
    }
    // Reference §2.4: the sum.golang.org key hash is SHA-256(name‖"\n"‖key)[:4].
    let key =
        crate::sumdb::go_base64_decode("Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8").unwrap();
    assert_eq!(key_hash("sum.golang.org", &key), 0x033de0ae);
}

#[test]
fn new_signer_and_manglings() {
    // TestNewSigner.
    Ed25519Signer::new(PETER_SKEY).unwrap();
    let b = PETER_SKEY.as_bytes();
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i == 0 && j == b.len() {
                continue;
            }
            let s = std::str::from_utf8(&b[i..j]).unwrap();
            assert!(Ed25519Signer::new(s).is_err(), "NewSigner({s:?}) succeeded");
        }
    }
    for i in 0..b.len() {
        let mut m = b.to_vec();
        m[i] += 1;
        let s = String::from_utf8(m).unwrap();
        assert!(
            Ed25519Signer::new(&s).is_err(),
            "NewSigner({s:?}) succeeded"
        );
    }
}

fn check_signer_and_verifier(name: &str, signer: &dyn Signer, verifier: &dyn Verifier) {
    assert_eq!(signer.name(), name);
    assert_eq!(verifier.name(), name);
    assert_eq!(signer.key_hash(), verifier.key_hash());
    let mut msg = b"hi".to_vec();
    let mut sig = signer.sign(&msg).unwrap();
    assert!(
        verifier.verify(&msg, &sig),
        "verify failed on signer's signature"
    );
    sig[0] = sig[0].wrapping_add(1);
    assert!(
        !verifier.verify(&msg, &sig),
        "verify succeeded on corrupt signature"
    );
    sig[0] = sig[0].wrapping_sub(1);
    msg[0] += 1;
    assert!(
        !verifier.verify(&msg, &sig),
        "verify succeeded on corrupt message"
    );
    assert!(
        !verifier.verify(b"hi", &sig[..63]),
        "verify accepted a short signature"
    );
}

#[test]
fn generate_key_from_seed() {
    // TestGenerateKey, made deterministic: x/mod's GenerateKey fed bytes 0..31.
    let seed: [u8; 32] = std::array::from_fn(|i| i as u8);
    let (skey, vkey) = generate_key("EnochRoot", &seed);
    assert_eq!(
        skey,
        "PRIVATE+KEY+EnochRoot+814f6570+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
    );
    assert_eq!(
        vkey,
        "EnochRoot+814f6570+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
    );
    let signer = Ed25519Signer::new(&skey).unwrap();
    let verifier = Ed25519Verifier::new(&vkey).unwrap();
    check_signer_and_verifier("EnochRoot", &signer, &verifier);
    assert_eq!(signer.verifier_key(), vkey);
    let msg = sign(
        &Note {
            text: "hello\n".into(),
            ..Note::default()
        },
        &[&signer],
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(msg).unwrap(),
        "hello\n\n— EnochRoot gU9lcLCB8qZ4IxEGL9BaMuh6upuVa6ngpVI4rJA32UgutelhwQq7kVTch1z0fFcvy569zJn9RWfo5C2apY591ftvWQY=\n"
    );

    // The zero seed is the key behind Go's EnochRoot test key.
    let (skey, vkey) = generate_key("EnochRoot", &[0; 32]);
    assert_eq!((skey.as_str(), vkey.as_str()), (ENOCH_SKEY, ENOCH_VKEY));
}

#[test]
fn from_ed25519() {
    // TestFromEd25519.
    let seed = [7u8; 32];
    let signer = Ed25519Signer::from_seed("EnochRoot", &seed);
    let pubkey = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
    let vkey = new_ed25519_verifier_key("EnochRoot", pubkey.as_bytes()).unwrap();
    let verifier = Ed25519Verifier::new(&vkey).unwrap();
    check_signer_and_verifier("EnochRoot", &signer, &verifier);
    check_signer_and_verifier("EnochRoot", &signer, &signer.verifier());
    let err = new_ed25519_verifier_key("EnochRoot", &pubkey.as_bytes()[..31]).unwrap_err();
    assert_eq!(err.to_string(), "invalid public key size 31, expected 32");

    // x/mod: NewEd25519VerifierKey("a/b", public key of seed 0..31).
    let seed: [u8; 32] = std::array::from_fn(|i| i as u8);
    let pubkey = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
    assert_eq!(
        new_ed25519_verifier_key("a/b", pubkey.as_bytes()).unwrap(),
        "a/b+61bdefcb+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
    );
}

struct BadNameSigner<'a>(&'a Ed25519Signer);

impl Signer for BadNameSigner<'_> {
    fn name(&self) -> &str {
        "bad name"
    }
    fn key_hash(&self) -> u32 {
        self.0.key_hash()
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, NoteError> {
        self.0.sign(msg)
    }
}

struct FailingSigner<'a>(&'a Ed25519Signer);

impl Signer for FailingSigner<'_> {
    fn name(&self) -> &str {
        self.0.name()
    }
    fn key_hash(&self) -> u32 {
        self.0.key_hash()
    }
    fn sign(&self, _msg: &[u8]) -> Result<Vec<u8>, NoteError> {
        Err(NoteError::Signer("surprise!".into()))
    }
}

fn text_note(sigs: Vec<Signature>) -> Note {
    Note {
        text: TEXT.into(),
        sigs,
        unverified_sigs: vec![],
    }
}

#[test]
fn sign_vectors() {
    // TestSign.
    let signer = Ed25519Signer::new(PETER_SKEY).unwrap();
    let want = format!("{TEXT}\n{PETER_SIG}");
    let msg = sign(&text_note(vec![]), &[&signer]).unwrap();
    assert_eq!(String::from_utf8(msg).unwrap(), want);

    // An existing signature by the same key is replaced.
    let stale = Signature {
        base64: "BADSIGN=".into(),
        ..peter()
    };
    let msg = sign(&text_note(vec![stale]), &[&signer]).unwrap();
    assert_eq!(String::from_utf8(msg).unwrap(), want);

    // Existing signatures are kept before new ones (the doc's re-signing example).
    let enoch_signer = Ed25519Signer::new(ENOCH_SKEY).unwrap();
    let msg = sign(&text_note(vec![peter()]), &[&enoch_signer]).unwrap();
    assert_eq!(
        String::from_utf8(msg).unwrap(),
        format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}")
    );

    let short = Note {
        text: "abc".into(),
        ..Note::default()
    };
    assert_eq!(
        sign(&short, &[&signer]).unwrap_err().to_string(),
        "malformed note"
    );
    let bad_name = Signature {
        name: "a+b".into(),
        hash: 0,
        base64: "ABCD".into(),
    };
    assert_eq!(
        sign(&text_note(vec![bad_name]), &[])
            .unwrap_err()
            .to_string(),
        "malformed note"
    );
    let bad_hash = Signature {
        base64: "BADHASH=".into(),
        ..peter()
    };
    assert_eq!(
        sign(&text_note(vec![bad_hash]), &[])
            .unwrap_err()
            .to_string(),
        "malformed note"
    );
    assert_eq!(
        sign(&text_note(vec![]), &[&BadNameSigner(&signer)])
            .unwrap_err()
            .to_string(),
        "invalid signer"
    );
    assert_eq!(
        sign(&text_note(vec![]), &[&FailingSigner(&signer)])
            .unwrap_err()
            .to_string(),
        "surprise!"
    );
}

#[test]
fn verifier_list() {
    // TestVerifierList.
    let peter_v = Ed25519Verifier::new(PETER_VKEY).unwrap();
    let enoch_v = Ed25519Verifier::new(ENOCH_VKEY).unwrap();
    let list = VerifierList::new(&[&peter_v, &enoch_v, &enoch_v]);
    let v = list.verifier("PeterNeumann", 0xc74f20a3).unwrap();
    assert_eq!((v.name(), v.key_hash()), ("PeterNeumann", 0xc74f20a3));
    let err = list.verifier("PeterNeumann", 0xc74f20a4).err().unwrap();
    assert_eq!(err.to_string(), "unknown key PeterNeumann+c74f20a4");
    let err = list.verifier("PeterNeuman", 0xc74f20a3).err().unwrap();
    assert_eq!(err.to_string(), "unknown key PeterNeuman+c74f20a3");
    let err = list.verifier("EnochRoot", 0xaf0cfe78).err().unwrap();
    assert_eq!(err.to_string(), "ambiguous key EnochRoot+af0cfe78");
}

/// Returns the same verifier for any name and hash (the Go test's fixedVerifier).
struct FixedVerifier<'a>(&'a dyn Verifier);

impl Verifiers for FixedVerifier<'_> {
    fn verifier(&self, _name: &str, _hash: u32) -> Result<&dyn Verifier, NoteError> {
        Ok(self.0)
    }
}

fn msg(parts: &[&str]) -> Vec<u8> {
    parts.concat().into_bytes()
}

#[test]
fn open_vectors() {
    // TestOpen.
    let peter_v = Ed25519Verifier::new(PETER_VKEY).unwrap();
    let enoch_v = Ed25519Verifier::new(ENOCH_VKEY).unwrap();
    let both = msg(&[TEXT, "\n", PETER_SIG, ENOCH_SIG]);

    // One verified, one not.
    let n = open(&both, &VerifierList::new(&[&peter_v])).unwrap();
    assert_eq!(n.text, TEXT);
    assert_eq!(n.sigs, vec![peter()]);
    assert_eq!(n.unverified_sigs, vec![enoch()]);

    // Both verified.
    let n = open(&both, &VerifierList::new(&[&peter_v, &enoch_v])).unwrap();
    assert_eq!(n.sigs, vec![peter(), enoch()]);
    assert!(n.unverified_sigs.is_empty());

    // Neither verified: the error carries the note.
    match open(&both, &VerifierList::new(&[])) {
        Err(NoteError::Unverified(n)) => {
            assert!(n.sigs.is_empty());
            assert_eq!(n.unverified_sigs, vec![peter(), enoch()]);
            assert_eq!(n.text, TEXT);
        }
        other => panic!("want Unverified, got {other:?}"),
    }
    assert_eq!(
        open(&both, &VerifierList::new(&[]))
            .unwrap_err()
            .to_string(),
        "note has no verifiable signatures"
    );

    // Duplicated verifier, used and unused.
    let dup = VerifierList::new(&[&enoch_v, &peter_v, &enoch_v]);
    assert_eq!(
        open(&msg(&[TEXT, "\n", ENOCH_SIG]), &dup)
            .unwrap_err()
            .to_string(),
        "ambiguous key EnochRoot+af0cfe78"
    );
    open(&msg(&[TEXT, "\n", PETER_SIG]), &dup).unwrap();

    // Too many signatures, verified or not.
    let many = format!("{TEXT}\n{}", PETER_SIG.repeat(101));
    for list in [VerifierList::new(&[&peter_v]), VerifierList::new(&[])] {
        assert_eq!(
            open(many.as_bytes(), &list).unwrap_err().to_string(),
            "malformed note"
        );
    }
    // Exactly 100 is fine (duplicates are dropped).
    let hundred = format!("{TEXT}\n{}", PETER_SIG.repeat(100));
    assert_eq!(
        open(hundred.as_bytes(), &VerifierList::new(&[&peter_v]))
            .unwrap()
            .sigs,
        vec![peter()]
    );

    // Invalid signature by a known key.
    let corrupt = format!("{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
    assert_eq!(
        open(
            &msg(&[TEXT, "\n", &corrupt]),
            &VerifierList::new(&[&peter_v])
        )
        .unwrap_err()
        .to_string(),
        "invalid signature for key PeterNeumann+c74f20a3"
    );

    // Duplicated verified and unverified signatures.
    let enoch_corrupt = format!("{}ABCD{}", &ENOCH_SIG[..60], &ENOCH_SIG[60..]);
    let n = open(
        &msg(&[
            TEXT,
            "\n",
            PETER_SIG,
            PETER_SIG,
            ENOCH_SIG,
            ENOCH_SIG,
            &enoch_corrupt,
        ]),
        &VerifierList::new(&[&peter_v]),
    )
    .unwrap();
    assert_eq!(n.sigs, vec![peter()]);
    let enoch_abcd = Signature {
        base64: "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5nABCD2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=".into(),
        ..enoch()
    };
    assert_eq!(n.unverified_sigs, vec![enoch(), enoch_abcd]);

    // Invalid encodings.
    let bad_msgs: Vec<Vec<u8>> = vec![
        msg(&[TEXT]),
        msg(&[TEXT, "\n"]),
        msg(&[TEXT, "\n", &PETER_SIG[..PETER_SIG.len() - 1]]),
        msg(&["\x01", TEXT, "\n", PETER_SIG]),
        [&b"\xff"[..], msg(&[TEXT, "\n", PETER_SIG]).as_slice()].concat(),
        msg(&[
            TEXT,
            "\n",
            "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        ]),
        msg(&[TEXT, "\n", PETER_SIG, "Unexpected line.\n"]),
        // Beyond Go's table: ASCII dash, missing signature, too-short signature, CR.
        msg(&[
            TEXT,
            "\n",
            "- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
        ]),
        msg(&[TEXT, "\n", "— PeterNeumann\n"]),
        msg(&[TEXT, "\n", "— PeterNeumann AAAA\n"]),
        msg(&[TEXT, "\r\n", PETER_SIG]),
    ];
    for m in &bad_msgs {
        assert_eq!(
            open(m, &VerifierList::new(&[&peter_v]))
                .unwrap_err()
                .to_string(),
            "malformed note",
            "{:?}",
            String::from_utf8_lossy(m)
        );
    }

    // A Verifiers that answers with the wrong key.
    let misnamed = PETER_SIG.replace("PeterNeumann", "CarmenSandiego");
    let err = open(&msg(&[TEXT, "\n", &misnamed]), &FixedVerifier(&peter_v)).unwrap_err();
    assert!(matches!(err, NoteError::MismatchedVerifier), "{err}");
    let wrong_hash = PETER_SIG.replace("x08g", "xxxx");
    let err = open(&msg(&[TEXT, "\n", &wrong_hash]), &FixedVerifier(&peter_v)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "verifier name or hash doesn't match signature"
    );
}

#[test]
fn invalid_public_key_never_verifies() {
    // A 32-byte key that is not a curve point parses (as in Go) but verifies nothing.
    let mut raw = vec![ALG_ED25519];
    raw.extend_from_slice(&[0xff; 32]);
    let mut not_point = None;
    for last in 0..=255u8 {
        raw[32] = last;
        if VerifyingKey::from_bytes(raw[1..].try_into().unwrap()).is_err() {
            not_point = Some(raw.clone());
            break;
        }
    }
    let raw = not_point.expect("some encoding is not a point");
    let vkey = format!("x+{:08x}+{}", key_hash("x", &raw), go_base64_encode(&raw));
    let v = Ed25519Verifier::new(&vkey).unwrap();
    assert!(!v.verify(b"hi", &[0; 64]));
}
