//! Tests of the Go character classes: spot checks of every category the
//! classes distinguish, table invariants, `strToFold` orbits, `DecodeRune` edge
//! cases, and a check (when `go` is available) that the committed tables are
//! exactly what tools/gen-unicode prints for the installed Go toolchain.

use super::*;
use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn classes_table() {
    // (char, letter, print, graphic, space), values as Go reports them.
    let cases: &[(char, bool, bool, bool, bool)] = &[
        ('a', true, true, true, false),
        ('Z', true, true, true, false),
        ('0', false, true, true, false),
        (' ', false, true, true, true),
        ('~', false, true, true, false),
        ('\t', false, false, false, true),
        ('\n', false, false, false, true),
        ('\u{0B}', false, false, false, true),
        ('\u{0C}', false, false, false, true),
        ('\r', false, false, false, true),
        ('\0', false, false, false, false),
        ('\u{7F}', false, false, false, false),
        ('\u{85}', false, false, false, true),
        ('\u{A0}', false, false, true, true),
        ('\u{A1}', false, true, true, false),
        ('\u{AD}', false, false, false, false), // soft hyphen is Cf
        ('é', true, true, true, false),
        ('ǅ', true, true, true, false),           // Lt
        ('ʰ', true, true, true, false),           // Lm
        ('א', true, true, true, false),           // Lo
        ('\u{0301}', false, true, true, false),   // combining acute, Mn
        ('١', false, true, true, false),          // Arabic-Indic digit one, Nd
        ('Ⅻ', false, true, true, false),          // Nl
        ('☺', false, true, true, false),          // So
        ('€', false, true, true, false),          // Sc
        ('\u{2028}', false, false, false, true),  // line separator, Zl
        ('\u{2029}', false, false, false, true),  // Zp
        ('\u{3000}', false, false, true, true),   // ideographic space, Zs
        ('\u{200B}', false, false, false, false), // zero width space, Cf
        ('\u{FEFF}', false, false, false, false),
        ('\u{FFFD}', false, true, true, false),
        ('\u{E000}', false, false, false, false), // private use
        ('\u{10FFFF}', false, false, false, false),
        ('𝔸', true, true, true, false),
        ('😀', false, true, true, false),
        ('\u{E0001}', false, false, false, false), // language tag, Cf
        ('\u{1680}', false, false, true, true),    // ogham space mark, Zs
    ];
    for &(c, letter, print, graphic, space) in cases {
        assert_eq!(is_letter(c), letter, "is_letter({c:?})");
        assert_eq!(is_print(c), print, "is_print({c:?})");
        assert_eq!(is_graphic(c), graphic, "is_graphic({c:?})");
        assert_eq!(is_space(c), space, "is_space({c:?})");
    }
}

#[test]
fn tables_are_sorted_and_disjoint() {
    for (name, t) in [
        ("LETTER", tables::LETTER),
        ("PRINT", tables::PRINT),
        ("GRAPHIC", tables::GRAPHIC),
        ("SPACE", tables::SPACE),
    ] {
        assert!(!t.is_empty(), "{name} is empty");
        for w in t.windows(2) {
            assert!(w[0].0 <= w[0].1 && w[0].1 + 1 < w[1].0, "{name}: {w:?}");
        }
    }
    for w in tables::FOLD.windows(2) {
        assert!(w[0].0 < w[1].0, "FOLD not sorted at {w:?}");
    }
}

#[test]
fn to_fold_table() {
    let cases: &[(&str, &str)] = &[
        ("", ""),
        ("abc/def.go", "abc/def.go"),
        ("M.GO", "m.go"),
        ("go.MOD", "go.mod"),
        ("\u{212A}", "k"), // Kelvin sign folds with K and k
        ("K", "k"),
        ("\u{17F}", "s"), // long s folds with S and s
        ("σ", "Σ"),       // orbit Σ σ ς: smallest is U+03A3, left as is
        ("ς", "Σ"),
        ("Σ", "Σ"),
        ("É", "É"),
        ("é", "É"),
        ("ǅ", "Ǆ"), // orbit Ǆ ǅ ǆ
        ("ß", "ß"),
        ("ẞ", "ß"), // U+1E9E and U+00DF are one orbit; U+00DF is smaller
        ("日本", "日本"),
        ("ǈ", "Ǉ"),
        ("ΐ", "ΐ"), // U+0390 orbit {U+0390, U+1FD3}
        ("\u{1FD3}", "ΐ"),
    ];
    for &(input, want) in cases {
        assert_eq!(to_fold(input), want, "to_fold({input:?})");
    }
}

#[test]
fn decode_rune_table() {
    let cases: &[(&[u8], char, usize)] = &[
        (b"", RUNE_ERROR, 0),
        (b"a", 'a', 1),
        (b"\x00", '\0', 1),
        (b"\x7f", '\u{7f}', 1),
        (b"\x80", RUNE_ERROR, 1),
        (b"\xc0\x80", RUNE_ERROR, 1), // overlong NUL
        (b"\xc1\xbf", RUNE_ERROR, 1),
        (b"\xc2\x80", '\u{80}', 2),
        (b"\xc2", RUNE_ERROR, 1),
        (b"\xc2\x7f", RUNE_ERROR, 1),
        (b"\xdf\xbf", '\u{7ff}', 2),
        (b"\xe0\x9f\xbf", RUNE_ERROR, 1), // overlong
        (b"\xe0\xa0\x80", '\u{800}', 3),
        (b"\xed\x9f\xbf", '\u{d7ff}', 3),
        (b"\xed\xa0\x80", RUNE_ERROR, 1), // surrogate
        (b"\xef\xbf\xbd", RUNE_ERROR, 3), // a real U+FFFD is 3 bytes wide
        (b"\xef\xbf", RUNE_ERROR, 1),
        (b"\xf0\x8f\xbf\xbf", RUNE_ERROR, 1),
        (b"\xf0\x90\x80\x80", '\u{10000}', 4),
        (b"\xf4\x8f\xbf\xbf", '\u{10ffff}', 4),
        (b"\xf4\x90\x80\x80", RUNE_ERROR, 1),
        (b"\xf5\x80\x80\x80", RUNE_ERROR, 1),
        (b"\xff", RUNE_ERROR, 1),
        (b"\xe2\x98\xbaxyz", '☺', 3),
    ];
    for &(input, c, w) in cases {
        assert_eq!(decode_rune(input), (c, w), "decode_rune({input:?})");
    }
}

#[test]
fn decode_rune_agrees_with_std_on_valid_text() {
    for c in [
        '\0',
        'a',
        'é',
        '☺',
        '\u{FFFD}',
        '\u{10000}',
        '\u{10FFFF}',
        '\u{D7FF}',
        '\u{E000}',
    ] {
        let mut buf = [0u8; 4];
        let s = c.encode_utf8(&mut buf);
        assert_eq!(decode_rune(s.as_bytes()), (c, s.len()));
    }
}

/// The directory holding the unicode table generator.
fn generator_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/gen-unicode")
}

#[test]
fn committed_tables_match_generator() {
    let Some(go) = modgate_testkit::go::binary() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let output = Command::new(go)
        .args(["run", "."])
        .current_dir(generator_dir())
        .env("GOPATH", tmp.path().join("gopath"))
        .env("GOMODCACHE", tmp.path().join("modcache"))
        .env("GOCACHE", tmp.path().join("cache"))
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .output()
        .expect("running go run in tools/gen-unicode");
    assert!(
        output.status.success(),
        "gen-unicode failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let committed = include_str!("tables.rs");
    let generated = String::from_utf8(output.stdout).expect("generator output is UTF-8");
    assert!(
        generated == committed,
        "src/unicode/tables.rs is stale for this Go toolchain; regenerate it with \
         `go run . > ../../crates/modgate-core/src/unicode/tables.rs` in tools/gen-unicode"
    );
}
