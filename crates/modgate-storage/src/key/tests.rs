//! Key validation: the names the proxy stores are accepted; traversal, hidden
//! names, reserved characters and oversized keys are not.

use super::*;

#[test]
fn valid_keys() {
    for k in [
        "golang.org/x/text/@v/list",
        "github.com/!azure/azure-sdk-for-go/@v/v1.0.0-!r!c1.info",
        "example.com/m/@v/v2.0.0+incompatible.zip",
        "example.com/m/@latest",
        "sumdb/sum.golang.org/lookup/golang.org/x/text@v0.3.0",
        "sumdb/sum.golang.org/tile/8/0/x001/234.p/17",
        "gopkg.in/yaml.v3/@v/v3.0.1.mod",
        "a~b/c_d/@v/master.info",
    ] {
        assert_eq!(Key::new(k).map(|k| k.as_str().to_owned()), Ok(k.to_owned()));
    }
}

#[test]
fn invalid_keys() {
    let long_elem = "a".repeat(256);
    let long_key = ["abc"; 600].join("/");
    let cases: &[(&str, &str)] = &[
        ("", "empty"),
        ("/etc/passwd", "empty path element"),
        ("a//b", "empty path element"),
        ("a/", "empty path element"),
        ("../secret", "path element starts with a dot"),
        ("a/../../b", "path element starts with a dot"),
        ("a/./b", "path element starts with a dot"),
        ("m/@v/.tmp-1-2-3", "path element starts with a dot"),
        (".tmp/x", "path element starts with a dot"),
        ("a\\..\\b", "reserved character"),
        ("c:/x", "reserved character"),
        ("a b", "character outside printable ASCII"),
        ("a\0b", "character outside printable ASCII"),
        ("a\nb", "character outside printable ASCII"),
        ("caf\u{e9}", "character outside printable ASCII"),
        ("a/b?c", "reserved character"),
        ("a|b", "reserved character"),
        (&long_elem, "path element too long"),
        (&long_key, "too long"),
    ];
    for &(k, reason) in cases {
        let err = Key::new(k).expect_err(k);
        assert_eq!(err.reason, reason, "key {k:?}");
    }
}

#[test]
fn join_and_file_name() {
    let k = Key::new("example.com/m/@v").unwrap();
    let j = k.join("v1.0.0.zip").unwrap();
    assert_eq!(j.as_str(), "example.com/m/@v/v1.0.0.zip");
    assert_eq!(j.file_name(), "v1.0.0.zip");
    assert!(k.join("../x").is_err());
    assert_eq!(
        Key::new("x").unwrap().join("").unwrap_err().reason,
        "empty path element"
    );
}
