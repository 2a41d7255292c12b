//! The root go.mod's language version, checked against x/mod: each row is a
//! go.mod and `version.Lang("go" + f.Go.Version)` after `modfile.ParseLax`
//! (or `""` on a parse error), as x/mod's `parseGoVers` computes it.

use super::*;

#[test]
fn gomod_lang_matches_x_mod() {
    let table: &[(&[u8], &str)] = &[
        (b"", ""),
        (b"module m\n", ""),
        (b"module m\n\ngo 1.13\n", "go1.13"),
        (b"go 1.24", "go1.24"),
        (b"go 1.24.0\n", "go1.24"),
        (b"go 1.24rc1\n", "go1.24"),
        (b"go 1.21\n", "go1.21"),
        (b"go 1.21.3\n", "go1.21"),
        (b"go 1\n", ""),
        (b"go 1.0\n", "go1"),
        (b"go 2.0\n", "go2.0"),
        (b"go 1.24beta\n", "go1.24"),
        (b"go v1.24\n", ""),
        (b"go 1.24-custom\n", "go1.24"),
        (b"go 1.024\n", ""),
        (b"go 01.24\n", ""),
        (b"go 1.24 // comment\n", "go1.24"),
        (b"// comment\ngo 1.24\n", "go1.24"),
        (b"go 1.13\ngo 1.24\n", ""),
        (b"go\n", ""),
        (b"go 1.24 1.25\n", ""),
        (b"go \"1.24\"\n", ""),
        (b"go (\n\t1.24\n)\n", ""),
        (b"go ( )\n", ""),
        (b"require (\n\tx v1.0.0\n)\ngo 1.24\n", "go1.24"),
        (b"require (\n\tx v1.0.0\n\ngo 1.24\n", ""),
        (b"require (\n\tx v1.0.0\n) x\ngo 1.24\n", ""),
        (b"go 1.24\n/* c */\n", ""),
        (b"go 1.24\nfoo \"unterminated\n", ""),
        (b"go 1.24\nfoo `raw\nstring`\n", ""),
        (b"go 1.24\nfoo \x01\n", ""),
        (b"go 1.24\nfoo \xff\n", "go1.24"),
        (b"go 1.24\r\n", "go1.24"),
        (b"go 1.24\nunknown directive here\n", "go1.24"),
        (b"go 1.24\nreplace x => y v1.0.0\n", "go1.24"),
        (b"go 1.24.x\n", "go1.24"),
        (b"go 1.24.\n", "go1.24"),
        (b"go 1.2a\n", "go1.2"),
        (b"go 1.25rc\n", "go1.25"),
        (b"go 1.23.4\n", "go1.23"),
        (b"go 1.100\n", "go1.100"),
        (b"go 1.24\nfoo ( bar )\n", "go1.24"),
        (b"go 1.24\nfoo (\n", ""),
        (b"go 1.24\nfoo ( ) bar\n", "go1.24"),
        (b"go 1.24\nfoo ( // c\n x\n)\n", "go1.24"),
        (b"go 1.24\nfoo (\n x\n  ) \n", "go1.24"),
        (b"go 1.24\n\xef\xbb\xbf\n", ""),
        (b"\xef\xbb\xbfgo 1.24\n", ""),
        (b"go 1.24 //c\nx//y\n", "go1.24"),
        (b"go\t1.24\n", "go1.24"),
        (b"go 1.24\xc2\xa0\n", ""),
        (b"go 1.24\nfoo\xc2\xa0bar\n", ""),
        (b"go 1.24\n[x]\n", "go1.24"),
        (b"go 1.24\n\"a\\\"b\"\n", "go1.24"),
        (b"go 1.24\n\"a\\\n", ""),
        // Semantic errors in lax-parsed directives also void the go line.
        (b"go 1.24\nrequire x\n", ""),
        (b"go 1.24\nmodule a b\n", ""),
        (b"go 1.24\nrequire x v1\n", "go1.24"),
        (b"go 1.24\nrequire x v1.0\n", "go1.24"),
        (b"go 1.24\nretract v1.0.0 v2\n", "go1.24"),
        (b"go 1.24\nretract [v1.0.0, v1.1.0]\n", "go1.24"),
        (b"go 1.24\nreplace x => y\n", "go1.24"),
        (b"go 1.24\nmodule m\nmodule n\n", ""),
        (b"go 1.24\nignore ./x\n", "go1.24"),
        (b"go 1.24\ntoolchain go1.99 extra\n", "go1.24"),
        (
            b"go 1.24\nrequire (\n\tx v1.0.0 // indirect\n\ty bad\n)\n",
            "",
        ),
    ];
    for (input, want) in table {
        assert_eq!(
            gomod_lang(input),
            *want,
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn go124_threshold() {
    for (lang, want) in [
        ("", false),
        ("go1", false),
        ("go1.23", false),
        ("go1.24", true),
        ("go1.25", true),
        ("go2.0", true),
        ("go1.100", true),
    ] {
        assert_eq!(at_least_go124(lang), want, "{lang}");
    }
}

#[test]
fn go_version_lang_and_compare() {
    // go/version's documented examples.
    for (v, want) in [
        ("go1.21rc2", "go1.21"),
        ("go1.21.2", "go1.21"),
        ("go1.21", "go1.21"),
        ("go1", "go1"),
        ("go1.0", "go1"),
        ("go1.0.0", "go1"),
        ("bad", ""),
        ("go1.21-bigcorp", "go1.21"),
    ] {
        assert_eq!(lang(v), want, "{v}");
    }
    use std::cmp::Ordering::*;
    for (x, y, want) in [
        // Values from go/version: the language version 1.21 precedes 1.21rc1.
        ("go1.21rc1", "go1.21", Greater),
        ("go1.21", "go1.21.0", Less),
        ("go1.21.0", "go1.21rc1", Greater),
        ("go1.20", "go1.20.0", Equal),
        ("go1.19", "go1.19.0", Equal),
        ("go1.21beta1", "go1.21rc1", Less),
        ("go1.9", "go1.10", Less),
        ("", "go1", Less),
        ("go1.24", "go1.24", Equal),
    ] {
        assert_eq!(compare(x, y), want, "{x} vs {y}");
    }
}
