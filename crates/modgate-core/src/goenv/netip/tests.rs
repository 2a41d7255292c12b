//! netip.ParseAddr results and error texts, from a table produced by Go 1.27.3.

use super::*;

/// (input, Go's netip.ParseAddr result), produced by Go 1.27.3.
const ADDR_TESTS: &[(&str, Result<AddrKind, &str>)] = &[
    ("1.2.3.4", Ok(AddrKind::V4)),
    ("0.0.0.0", Ok(AddrKind::V4)),
    ("255.255.255.255", Ok(AddrKind::V4)),
    (
        "256.1.1.1",
        Err("ParseAddr(\"256.1.1.1\"): IPv4 field has value >255"),
    ),
    (
        "01.2.3.4",
        Err("ParseAddr(\"01.2.3.4\"): IPv4 field has octet with leading zero"),
    ),
    ("1.2.3", Err("ParseAddr(\"1.2.3\"): IPv4 address too short")),
    (
        "1.2.3.4.5",
        Err("ParseAddr(\"1.2.3.4.5\"): IPv4 address too long"),
    ),
    (
        ".1.2.3",
        Err("ParseAddr(\".1.2.3\"): IPv4 field must have at least one digit (at \".1.2.3\")"),
    ),
    (
        "1.2.3.",
        Err("ParseAddr(\"1.2.3.\"): IPv4 field must have at least one digit (at \".\")"),
    ),
    (
        "1..2.3",
        Err("ParseAddr(\"1..2.3\"): IPv4 field must have at least one digit (at \".2.3\")"),
    ),
    (
        "1.2.3.x",
        Err("ParseAddr(\"1.2.3.x\"): unexpected character (at \"x\")"),
    ),
    (
        "1.2.3.4%eth0",
        Err("ParseAddr(\"1.2.3.4%eth0\"): unexpected character (at \"%eth0\")"),
    ),
    ("::", Ok(AddrKind::V6)),
    ("::1", Ok(AddrKind::V6)),
    ("1::", Ok(AddrKind::V6)),
    ("1:2:3:4:5:6:7:8", Ok(AddrKind::V6)),
    (
        "1:2:3:4:5:6:7:8:9",
        Err("ParseAddr(\"1:2:3:4:5:6:7:8:9\"): trailing garbage after address (at \"9\")"),
    ),
    (
        "1:2:3:4:5:6:7",
        Err("ParseAddr(\"1:2:3:4:5:6:7\"): address string too short"),
    ),
    (
        "1::2::3",
        Err("ParseAddr(\"1::2::3\"): multiple :: in address (at \":3\")"),
    ),
    (
        "12345::",
        Err("ParseAddr(\"12345::\"): each group must have 4 or less digits (at \"12345::\")"),
    ),
    ("::ffff:1.2.3.4", Ok(AddrKind::V6)),
    ("1:2:3:4:5:6:1.2.3.4", Ok(AddrKind::V6)),
    (
        "1:2:3:4:5:6:7:1.2.3.4",
        Err(
            "ParseAddr(\"1:2:3:4:5:6:7:1.2.3.4\"): embedded IPv4 address must replace the final 2 fields of the address (at \"1.2.3.4\")",
        ),
    ),
    (
        "1:2:3:4:5:1.2.3.4",
        Err(
            "ParseAddr(\"1:2:3:4:5:1.2.3.4\"): embedded IPv4 address must replace the final 2 fields of the address (at \"1.2.3.4\")",
        ),
    ),
    ("::1.2.3.4", Ok(AddrKind::V6)),
    (
        "::1.2.3",
        Err("ParseAddr(\"::1.2.3\"): IPv4 address too short"),
    ),
    ("fe80::1%en0", Ok(AddrKind::V6)),
    (
        "fe80::1%",
        Err("ParseAddr(\"fe80::1%\"): zone must be a non-empty string"),
    ),
    ("%en0", Err("ParseAddr(\"%en0\"): missing IPv6 address")),
    ("", Err("ParseAddr(\"\"): unable to parse IP")),
    ("x", Err("ParseAddr(\"x\"): unable to parse IP")),
    (
        "1:2:3:4:5:6:7:8::",
        Err("ParseAddr(\"1:2:3:4:5:6:7:8::\"): the :: must expand to at least one field of zeros"),
    ),
    (
        "::1:2:3:4:5:6:7:8",
        Err("ParseAddr(\"::1:2:3:4:5:6:7:8\"): the :: must expand to at least one field of zeros"),
    ),
    (
        ":1",
        Err(
            "ParseAddr(\":1\"): each colon-separated field must have at least one digit (at \":1\")",
        ),
    ),
    (
        "1:",
        Err("ParseAddr(\"1:\"): colon must be followed by more characters (at \":\")"),
    ),
    (
        "1:2:",
        Err("ParseAddr(\"1:2:\"): colon must be followed by more characters (at \":\")"),
    ),
    (
        "1::2:",
        Err("ParseAddr(\"1::2:\"): colon must be followed by more characters (at \":\")"),
    ),
    (
        "g::",
        Err(
            "ParseAddr(\"g::\"): each colon-separated field must have at least one digit (at \"g::\")",
        ),
    ),
    (
        "::1x",
        Err("ParseAddr(\"::1x\"): unexpected character, want colon (at \"x\")"),
    ),
    ("1:2:3:4:5:6:7:8%z", Ok(AddrKind::V6)),
    ("1:2:3:4:5:6:7::", Ok(AddrKind::V6)),
    (
        "fffff::",
        Err("ParseAddr(\"fffff::\"): each group must have 4 or less digits (at \"fffff::\")"),
    ),
    (
        "10000::",
        Err("ParseAddr(\"10000::\"): each group must have 4 or less digits (at \"10000::\")"),
    ),
];

#[test]
fn parse_addr_table() {
    for &(input, want) in ADDR_TESTS {
        assert_eq!(
            parse_addr(input.as_bytes()),
            want.map_err(str::to_owned),
            "parse_addr({input:?})"
        );
    }
}

#[test]
fn parse_addr_quotes_bytes() {
    assert_eq!(
        parse_addr(b"1.2.3.\xff"),
        Err(r#"ParseAddr("1.2.3.\xff"): unexpected character (at "\xff")"#.to_owned())
    );
}
