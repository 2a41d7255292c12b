use std::time::Duration;

use modgate_core::sumdb::memdb::{MemDb, Outcome};
use modgate_core::sumdb::note::generate_key;

use super::*;

fn resp(status: u16, ct: &str, body: &[u8]) -> Response {
    Response {
        status,
        reason: "OK".into(),
        content_type: ct.into(),
        location: None,
        body: body.to_vec(),
        elapsed: Duration::ZERO,
    }
}

/// A real database signed by `name`'s key from `seed`, with two records:
/// its verifier key and its `/latest` answer.
fn database(name: &str, seed: u8) -> (String, Response) {
    let (skey, vkey) = generate_key(name, &[seed; 32]);
    let mut db = MemDb::from_signer_key(&skey).expect("signer key");
    for (path, version) in [("example.com/a", "v1.0.0"), ("example.com/b", "v0.1.0")] {
        // The core's h1: hashes (dirhash), so the records are real go.sum lines.
        let go_mod = modgate_core::dirhash::hash_gomod(format!("module {path}\n").as_bytes());
        let zip = modgate_core::dirhash::hash1(&[format!("{path}@{version}/go.mod")], |_| {
            Ok(std::io::Cursor::new(
                format!("module {path}\n").into_bytes(),
            ))
        })
        .expect("hash");
        db.add_module(path, version, &zip, &go_mod).expect("record");
    }
    match db.serve("/latest") {
        Outcome::Ok { content_type, body } => (vkey, resp(200, content_type, &body)),
        other => panic!("latest: {other:?}"),
    }
}

#[test]
fn a_healthy_database_verifies_with_its_key() {
    let (vkey, r) = database("sum.lab.test", 7);
    match judge(&r, "sum.lab.test", Some(&vkey)) {
        Verdict::Protocol(d) => {
            assert!(d.contains("2 records"), "{d}");
            assert!(d.contains("verified"), "{d}");
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn the_built_in_key_of_sum_golang_org_comes_from_gosumdb() {
    let key = expected_key("", "sum.golang.org").expect("default GOSUMDB");
    assert!(key.starts_with("sum.golang.org+033de0ae+"), "{key}");
    // The alias keeps sum.golang.org's name and key.
    assert_eq!(
        expected_key("sum.golang.google.cn", "sum.golang.org").as_deref(),
        Some(key.as_str())
    );
    let (vkey, _) = database("sum.lab.test", 7);
    assert_eq!(
        expected_key(&format!("{vkey} https://sum.lab.test"), "sum.lab.test"),
        Some(vkey.clone())
    );
    assert_eq!(expected_key(&vkey, "sum.golang.org"), None);
    assert_eq!(expected_key("off", "sum.golang.org"), None);
}

#[test]
fn a_note_signed_by_another_key_is_a_key_mismatch() {
    // Same name, another key (an intercepting proxy re-signing, or a stale
    // GOSUMDB key).
    let (vkey, _) = database("sum.lab.test", 7);
    let (_, other) = database("sum.lab.test", 8);
    match judge(&other, "sum.lab.test", Some(&vkey)) {
        Verdict::KeyMismatch { seen, expected } => {
            assert_eq!(expected, vkey.rsplit_once('+').expect("key").0);
            assert_eq!(seen.len(), 1);
            assert!(seen[0].starts_with("sum.lab.test+"), "{seen:?}");
            assert_ne!(seen[0], expected);
        }
        v => panic!("{v:?}"),
    }
    // Another database's note altogether.
    let (_, foreign) = database("sum.other.test", 7);
    match judge(&foreign, "sum.lab.test", Some(&vkey)) {
        Verdict::KeyMismatch { seen, .. } => {
            assert!(seen[0].starts_with("sum.other.test+"), "{seen:?}")
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn a_signature_by_the_right_key_that_does_not_verify_is_a_key_mismatch() {
    let (vkey, mut r) = database("sum.lab.test", 7);
    // Change the tree size in the signed text: the signature no longer covers it.
    let text = String::from_utf8(r.body.clone()).expect("utf-8");
    let tampered = text.replacen("\n2\n", "\n3\n", 1);
    assert_ne!(text, tampered);
    r.body = tampered.into_bytes();
    match judge(&r, "sum.lab.test", Some(&vkey)) {
        Verdict::KeyMismatch { seen, .. } => {
            assert!(seen[0].contains("does not verify"), "{seen:?}")
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn without_a_key_the_shape_is_judged() {
    let (_, r) = database("sum.lab.test", 7);
    match judge(&r, "sum.lab.test", None) {
        Verdict::Protocol(d) => assert!(d.contains("not verified"), "{d}"),
        v => panic!("{v:?}"),
    }
}

#[test]
fn html_and_other_bodies_are_not_a_checksum_database() {
    let (vkey, _) = database("sum.lab.test", 7);
    let portal = resp(
        200,
        "text/html; charset=utf-8",
        b"<html><body>Please sign in to continue</body></html>",
    );
    match judge(&portal, "sum.lab.test", Some(&vkey)) {
        Verdict::NotProtocol(d) => assert!(d.contains("HTML") && d.contains("sign in"), "{d}"),
        v => panic!("{v:?}"),
    }
    let plain = resp(200, "text/plain", b"hello\n");
    assert!(matches!(
        judge(&plain, "sum.lab.test", Some(&vkey)),
        Verdict::NotProtocol(d) if d.contains("not a signed tree head")
    ));
    assert_eq!(
        judge(&resp(404, "text/plain", b""), "sum.lab.test", Some(&vkey)),
        Verdict::NotFound
    );
    assert_eq!(
        judge(&resp(503, "text/plain", b""), "sum.lab.test", Some(&vkey)),
        Verdict::Status
    );
}
