//! Tables ported from Go's src/strconv/quote_test.go (quotetests,
//! quoterunetests, unquotetests, misquoted), extended with invalid UTF-8 and
//! non-printable characters; extra expectations come from Go's strconv.

use super::*;

/// strconv's quotetests (input, Quote output), plus cases for odd input.
const QUOTE_TESTS: &[(&[u8], &str)] = &[
    (b"\x07\x08\x0c\r\n\t\x0b", r#""\a\b\f\r\n\t\v""#),
    (b"\\", r#""\\""#),
    (b"abc\xffdef", r#""abc\xffdef""#),
    ("\u{263a}".as_bytes(), r#""☺""#),
    ("\u{10ffff}".as_bytes(), r#""\U0010ffff""#),
    (b"\x04", r#""\x04""#),
    (
        "!\u{a0}!\u{2000}!\u{3000}!".as_bytes(),
        r#""!\u00a0!\u2000!\u3000!""#,
    ),
    (b"\x7f", r#""\x7f""#),
    // Beyond strconv's table.
    (b"", r#""""#),
    (b"\"", r#""\"""#),
    (b"'", r#""'""#),
    (b"\x00", r#""\x00""#),
    (b"\x1b[0m", r#""\x1b[0m""#),
    (b"\xc0\x80", r#""\xc0\x80""#),
    (b"\xed\xa0\x80", r#""\xed\xa0\x80""#),
    (b"\xe2\x98", r#""\xe2\x98""#),
    ("\u{fffd}".as_bytes(), "\"\u{fffd}\""),
    ("\u{ad}".as_bytes(), r#""\u00ad""#),
    ("\u{85}".as_bytes(), r#""\u0085""#),
    ("\u{200b}\u{feff}".as_bytes(), r#""\u200b\ufeff""#),
    ("\u{e000}".as_bytes(), r#""\ue000""#),
    ("\u{e0001}".as_bytes(), r#""\U000e0001""#),
    ("é☺𝔸😀".as_bytes(), "\"é☺𝔸😀\""),
    ("x.y/испытание".as_bytes(), "\"x.y/испытание\""),
    (b"Example.com/x", r#""Example.com/x""#),
];

#[test]
fn quote_table() {
    for &(input, want) in QUOTE_TESTS {
        assert_eq!(quote_bytes(input), want, "quote_bytes({input:?})");
        if let Ok(s) = std::str::from_utf8(input) {
            assert_eq!(quote(s), want, "quote({s:?})");
        }
    }
}

#[test]
fn quote_rune_table() {
    // strconv's quoterunetests, minus the invalid code points a char cannot hold.
    let cases: &[(char, &str)] = &[
        ('a', "'a'"),
        ('\u{07}', r"'\a'"),
        ('\\', r"'\\'"),
        ('\u{ff}', "'ÿ'"),
        ('\u{263a}', "'☺'"),
        ('\u{fffd}', "'\u{fffd}'"),
        ('\u{10ffff}', r"'\U0010ffff'"),
        ('\u{04}', r"'\x04'"),
        ('\u{a0}', r"'\u00a0'"),
        ('\u{2000}', r"'\u2000'"),
        ('\u{3000}', r"'\u3000'"),
        // Beyond strconv's table.
        ('\'', r"'\''"),
        ('"', "'\"'"),
        ('E', "'E'"),
        ('\n', r"'\n'"),
        ('\u{7f}', r"'\x7f'"),
        ('\u{0}', r"'\x00'"),
        ('\u{80}', r"'\u0080'"),
        ('\u{e0001}', r"'\U000e0001'"),
    ];
    for &(c, want) in cases {
        assert_eq!(quote_rune(c), want, "quote_rune({c:?})");
    }
}

/// strconv's unquotetests: (literal, value).
const UNQUOTE_TESTS: &[(&str, &[u8])] = &[
    (r#""""#, b""),
    (r#""a""#, b"a"),
    (r#""abc""#, b"abc"),
    (r#""☺""#, "☺".as_bytes()),
    (r#""hello world""#, b"hello world"),
    (r#""\xFF""#, b"\xFF"),
    (r#""\377""#, b"\xFF"),
    (r#""\u1234""#, "\u{1234}".as_bytes()),
    (r#""\U00010111""#, "\u{10111}".as_bytes()),
    (r#""\U0001011111""#, "\u{10111}11".as_bytes()),
    (r#""\a\b\f\n\r\t\v\\\"""#, b"\x07\x08\x0c\n\r\t\x0b\\\""),
    (r#""'""#, b"'"),
    ("'a'", b"a"),
    ("'☹'", "☹".as_bytes()),
    (r"'\a'", b"\x07"),
    (r"'\x10'", b"\x10"),
    (r"'\377'", b"\xFF"),
    (r"'\u1234'", "\u{1234}".as_bytes()),
    (r"'\U00010111'", "\u{10111}".as_bytes()),
    (r"'\t'", b"\t"),
    ("' '", b" "),
    (r"'\''", b"'"),
    ("'\"'", b"\""),
    ("``", b""),
    ("`a`", b"a"),
    ("`abc`", b"abc"),
    ("`☺`", "☺".as_bytes()),
    ("`hello world`", b"hello world"),
    ("`\\xFF`", b"\\xFF"),
    ("`\\377`", b"\\377"),
    ("`\\`", b"\\"),
    ("`\n`", b"\n"),
    ("`\t`", b"\t"),
    ("` `", b" "),
    ("`a\rb`", b"ab"),
    // TestUnquoteInvalidUTF8 (the invalid byte needs a &str-free spelling, so
    // only the escaped forms are here; see unquote_invalid_utf8_input).
    (r#""foo""#, b"foo"),
    // Empty character literal: Go returns the empty string.
    ("''", b""),
];

/// strconv's misquoted table: each is a syntax error.
const MISQUOTED: &[&str] = &[
    "",
    "\"",
    "\"a",
    "\"'",
    "b\"",
    r#""\""#,
    r#""\9""#,
    r#""\19""#,
    r#""\129""#,
    r"'\'",
    r"'\9'",
    r"'\19'",
    r"'\129'",
    "'ab'",
    r#""\x1!""#,
    r#""\U12345678""#,
    r#""\z""#,
    "`",
    "`xxx",
    "``x\r",
    "`\"",
    r#""\'""#,
    r#"'\"'"#,
    "\"\n\"",
    "\"\\n\n\"",
    "'\n'",
    r#""\udead""#,
    r#""\ud83d\ude4f""#,
    r#""foo"#,
];

#[test]
fn unquote_table() {
    for &(input, want) in UNQUOTE_TESTS {
        assert_eq!(
            unquote_bytes(input).as_deref(),
            Some(want),
            "unquote_bytes({input:?})"
        );
        assert_eq!(
            unquote(input).map(String::into_bytes),
            std::str::from_utf8(want)
                .ok()
                .map(|s| s.as_bytes().to_vec()),
            "unquote({input:?})"
        );
    }
    for &input in MISQUOTED {
        assert_eq!(unquote_bytes(input), None, "unquote_bytes({input:?})");
        assert_eq!(unquote(input), None, "unquote({input:?})");
    }
}

#[test]
fn unquote_inverts_quote() {
    // strconv runs every quotetests entry backwards through Unquote.
    for &(value, literal) in QUOTE_TESTS {
        assert_eq!(
            unquote_bytes(literal).as_deref(),
            Some(value),
            "unquote_bytes({literal:?})"
        );
    }
}

#[test]
fn unquote_invalid_utf8_input() {
    // A string cannot hold the raw byte 0xC0, but a literal containing U+FFFD
    // takes the same path: multibyte input is decoded and re-encoded.
    assert_eq!(unquote("\"a\u{fffd}\"").as_deref(), Some("a\u{fffd}"));
    assert_eq!(unquote("\"\\t\u{fffd}\"").as_deref(), Some("\t\u{fffd}"));
    // Valid syntax whose value is not UTF-8.
    assert_eq!(unquote(r#""\xff""#), None);
    assert_eq!(unquote_bytes(r#""\xff""#), Some(vec![0xff]));
}

#[test]
fn quoted_prefix_table() {
    let cases: &[(&str, Option<&str>)] = &[
        (r#""abc" rest"#, Some(r#""abc""#)),
        (r#""a\"b"c"#, Some(r#""a\"b""#)),
        ("`raw`\n", Some("`raw`")),
        ("'x'y", Some("'x'")),
        ("\"open", None),
        ("plain", None),
        ("", None),
    ];
    for &(input, want) in cases {
        assert_eq!(quoted_prefix(input), want, "quoted_prefix({input:?})");
    }
}
