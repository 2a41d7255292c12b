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
