//! Parsing tables: ported from `read_test.go` (`TestParsePunctuation`,
//! `TestParseLax`, `modulePathTests`, `TestParseVersions`, `TestComments`) and
//! `rule_test.go` (`retractRationaleTests`, `moduleDeprecatedTests`,
//! `fixVersionTests`), plus `MustQuote`/`AutoQuote` and error texts checked with
//! x/mod and the go command.

use super::super::*;

fn tokens_of(src: &str) -> String {
    let f = parse_syntax("go.mod", src.as_bytes()).unwrap();
    let mut tokens: Vec<String> = Vec::new();
    let s = |t: &Vec<u8>| String::from_utf8_lossy(t).into_owned();
    for stmt in &f.stmt {
        match stmt {
            Stmt::Line(id) => tokens.extend(f.line(*id).token.iter().map(s)),
            Stmt::Block(b) => {
                tokens.extend(b.token.iter().map(s));
                tokens.push("(".into());
                for &id in &b.line {
                    tokens.extend(f.line(id).token.iter().map(s));
                }
                tokens.push(")".into());
            }
            Stmt::Comments(_) => panic!("unexpected comment block in {src:?}"),
        }
    }
    tokens.join(" ")
}

#[test]
fn parse_punctuation() {
    let cases = [
        ("require ()", "require ( )"),
        ("require []{},", "require [ ] { } ,"),
        ("require a[b]c{d}e,", "require a [ b ] c { d } e ,"),
        ("require (\n\ta[b]\n)", "require ( a [ b ] )"),
        ("require [v1.0.0, v1.1.0)", "require [ v1.0.0 , v1.1.0 )"),
    ];
    for (src, want) in cases {
        assert_eq!(tokens_of(src), want, "{src:?}");
    }
}

#[test]
fn parse_lax_ignores_irrelevant_errors() {
    let bad = "module m
		surprise attack
		x y (
			z
		)
		exclude v1.2.3
		replace <-!!!
		retract v1.2.3 v1.2.4
		retract (v1.2.3, v1.2.4]
		retract v1.2.3 (
			key1 value1
			key2 value2
		)
		require good v1.0.0
	";
    let f =
        parse_lax("file", bad.as_bytes(), None).expect("ParseLax did not ignore irrelevant errors");
    assert_eq!(f.module.as_ref().map(|m| m.path.as_str()), Some("m"));
    assert_eq!(f.require.len(), 1);
    assert_eq!(f.require[0].module.path, "good");
    // The same file is full of errors for the strict parser.
    let errs = parse("file", bad.as_bytes(), None).unwrap_err();
    assert!(errs.errors().len() >= 5, "{errs}");
}

#[test]
fn module_path_table() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"module \"github.com/rsc/vgotest\"",
            "github.com/rsc/vgotest",
        ),
        (b"module github.com/rsc/vgotest", "github.com/rsc/vgotest"),
        (
            b"module  \"github.com/rsc/vgotest\"",
            "github.com/rsc/vgotest",
        ),
        (b"module  github.com/rsc/vgotest", "github.com/rsc/vgotest"),
        (b"module `github.com/rsc/vgotest`", "github.com/rsc/vgotest"),
        (
            b"module \"github.com/rsc/vgotest/v2\"",
            "github.com/rsc/vgotest/v2",
        ),
        (
            b"module github.com/rsc/vgotest/v2",
            "github.com/rsc/vgotest/v2",
        ),
        (b"module \"gopkg.in/yaml.v2\"", "gopkg.in/yaml.v2"),
        (b"module gopkg.in/yaml.v2", "gopkg.in/yaml.v2"),
        (b"module \"gopkg.in/check.v1\"\n", "gopkg.in/check.v1"),
        (b"module \"gopkg.in/check.v1\n\"", ""),
        (b"module gopkg.in/check.v1\n", "gopkg.in/check.v1"),
        (b"module \"gopkg.in/check.v1\"\r\n", "gopkg.in/check.v1"),
        (b"module gopkg.in/check.v1\r\n", "gopkg.in/check.v1"),
        (b"module \"gopkg.in/check.v1\"\n\n", "gopkg.in/check.v1"),
        (b"module gopkg.in/check.v1\n\n", "gopkg.in/check.v1"),
        (b"module \n\"gopkg.in/check.v1\"\n\n", ""),
        (b"module \ngopkg.in/check.v1\n\n", ""),
        (b"module \"gopkg.in/check.v1\"asd", ""),
        (b"module  \nmodule a/b/c ", "a/b/c"),
        (b"module \"   \"", "   "),
        (b"module   ", ""),
        (b"module \"  a/b/c  \"", "  a/b/c  "),
        (
            b"module \"github.com/rsc/vgotest1\" // with a comment",
            "github.com/rsc/vgotest1",
        ),
        // Not in Go's table: raw strings keep invalid UTF-8 bytes (shown as U+FFFD).
        (b"module `a\xffb`", "a\u{fffd}b"),
        (b"modulex y\nmodule z", "z"),
    ];
    for (input, want) in cases {
        assert_eq!(
            module_path(input),
            *want,
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn parse_go_and_toolchain_versions() {
    // (input, strict ok, lax ok, lax go version). Go's table predates the
    // current ToolchainRE and laxGoVersionRE; the results below are those of the
    // x/mod vendored in Go 1.27.3.
    let cases: &[(&str, bool, bool, Option<&str>)] = &[
        ("module m\ngo \n", false, false, None),
        ("module m\ngo 1\n", false, false, None),
        ("module m\ngo 1.22\n", true, true, Some("1.22")),
        ("module m\ngo 1.22.333", true, true, Some("1.22.333")),
        ("module m\ngo v1.2\n", false, false, None),
        ("module m\ngo 1.2rc1\n", true, true, Some("1.2rc1")),
        ("module m\ngo 1.2 3.4\n", false, false, None),
        ("module m\ngo 1.2.3\n", true, true, Some("1.2.3")),
        ("module m\ngo 1.2beta1\n", true, true, Some("1.2beta1")),
        ("module m\ngo 1.2.beta1\n", false, true, Some("1.2")),
        ("module m\ngo v1.2.3\n", false, true, Some("1.2")),
        ("module m\ngo v1.2rc1\n", false, true, Some("1.2")),
        ("module m\ngo v1.2beta1\n", false, true, Some("1.2")),
        ("module m\ngo v1.2.beta1\n", false, true, Some("1.2")),
        ("module m\ngo 1.21x\n", false, true, Some("1.21")),
        ("module m\ngo 1.05x\n", false, false, None),
        ("module m\ngo 1.0\n", true, true, Some("1.0")),
        ("module m\ngo 1.21-\n", false, true, Some("1.21")),
        ("module m\ntoolchain go1.2\n", true, true, None),
        ("module m\ntoolchain go1.2.3\n", true, true, None),
        ("module m\ntoolchain go1.2rc1\n", true, true, None),
        ("module m\ntoolchain gccgo-go1.2rc1\n", false, true, None),
        ("module m\ntoolchain local\n", false, true, None),
        ("module m\ntoolchain inconceivable!\n", false, true, None),
    ];
    for &(input, strict_ok, lax_ok, lax_go) in cases {
        assert_eq!(
            parse("go.mod", input.as_bytes(), None).is_ok(),
            strict_ok,
            "strict {input:?}"
        );
        let lax = parse_lax("go.mod", input.as_bytes(), None);
        assert_eq!(lax.is_ok(), lax_ok, "lax {input:?}");
        if let Ok(f) = lax {
            assert_eq!(
                f.go.as_ref().map(|g| g.version.as_str()),
                lax_go,
                "lax {input:?}"
            );
            // The lax fix-up also rewrites the token.
            if let Some(v) = lax_go {
                assert_eq!(
                    f.format(),
                    format!("module m\n\ngo {v}\n").into_bytes(),
                    "{input:?}"
                );
            }
        }
    }
}

fn comment_report(input: &str) -> String {
    let f = parse_lax("go.mod", input.as_bytes(), None).unwrap();
    let mut out = String::new();
    let mut print = |prefix: &str, cs: &Comments| {
        for (kind, list) in [
            ("before", &cs.before),
            ("suffix", &cs.suffix),
            ("after", &cs.after),
        ] {
            for c in list {
                out.push_str(&format!(
                    "{prefix} {kind} {}\n",
                    crate::quote::quote_bytes(&c.token)
                ));
            }
        }
    };
    print("file", &f.syntax.comments);
    for stmt in &f.syntax.stmt {
        match stmt {
            Stmt::Comments(cb) => print("comments", &cb.comments),
            Stmt::Line(id) => print("line", &f.syntax.line(*id).comments),
            Stmt::Block(b) => {
                print("block", &b.comments);
                print("lparen", &b.lparen.comments);
                for &id in &b.line {
                    print("blockline", &f.syntax.line(id).comments);
                }
                print("rparen", &b.rparen.comments);
            }
        }
    }
    out.trim().to_string()
}

#[test]
fn comments_attach_like_go() {
    let cases = [
        (
            "\n// a\n// b\n",
            "comments before \"// a\"\ncomments before \"// b\"",
        ),
        (
            "\n// a\n\n// b\nmodule m // c\n// d\n\n// e\n",
            "comments before \"// a\"\nline before \"// b\"\nline suffix \"// c\"\ncomments before \"// d\"\ncomments before \"// e\"",
        ),
        (
            "\n// a\n\n// b\nblock ( // c\n\t// d\n\n\t// e\n\tx // f\n\t// g\n\n\t// h\n) // i\n// j\n\n// k\n",
            "comments before \"// a\"\nblock before \"// b\"\nlparen suffix \"// c\"\nblockline before \"// d\"\nblockline before \"\"\nblockline before \"// e\"\nblockline suffix \"// f\"\nrparen before \"// g\"\nrparen before \"\"\nrparen before \"// h\"\nrparen suffix \"// i\"\ncomments before \"// j\"\ncomments before \"// k\"",
        ),
        ("// a\r\r\n", "comments before \"// a\\r\""),
        // Not in Go's table: a one-line empty block takes the suffix comment.
        ("require ( ) // c\n", "block suffix \"// c\""),
    ];
    for (input, want) in cases {
        assert_eq!(comment_report(input), want, "{input:?}");
    }
}

#[test]
fn must_quote_and_auto_quote() {
    // Checked with x/mod's MustQuote / AutoQuote.
    let cases: &[(&[u8], bool, &[u8])] = &[
        (b"", true, b"\"\""),
        (b"a", false, b"a"),
        (b"abc", false, b"abc"),
        (b"a b", true, b"\"a b\""),
        (b"a\"b", true, b"\"a\\\"b\""),
        (b"a'b", true, b"\"a'b\""),
        (b"a`b", true, b"\"a`b\""),
        (b"(", false, b"("),
        (b")", false, b")"),
        (b"[", false, b"["),
        (b",", false, b","),
        (b"a(b", true, b"\"a(b\""),
        (b"()", true, b"\"()\""),
        (b"a,b", true, b"\"a,b\""),
        (b"a//b", true, b"\"a//b\""),
        (b"a/*b", true, b"\"a/*b\""),
        (b"/", false, b"/"),
        (b"a/b", false, b"a/b"),
        (b"\x00", true, b"\"\\x00\""),
        (b"\x7f", true, b"\"\\x7f\""),
        ("é".as_bytes(), false, "é".as_bytes()),
        ("\u{a0}".as_bytes(), true, b"\"\\u00a0\""),
        ("\u{2028}".as_bytes(), true, b"\"\\u2028\""),
        ("\u{feff}".as_bytes(), true, b"\"\\ufeff\""),
        (b"a\xffb", false, b"a\xffb"),
        (b"\t", true, b"\"\\t\""),
        ("\u{200b}".as_bytes(), true, b"\"\\u200b\""),
        (b"v1.2.3", false, b"v1.2.3"),
        (b"{x}", true, b"\"{x}\""),
        (b"=>", false, b"=>"),
        (b"a\\b", false, b"a\\b"),
        ("😀".as_bytes(), false, "😀".as_bytes()),
    ];
    for &(s, must, auto) in cases {
        assert_eq!(must_quote(s), must, "{:?}", String::from_utf8_lossy(s));
        assert_eq!(auto_quote(s), auto, "{:?}", String::from_utf8_lossy(s));
    }
}

fn retract_rationale(input: &str) -> String {
    let f = parse("in", input.as_bytes(), None).unwrap();
    assert_eq!(f.retract.len(), 1, "{input:?}");
    f.retract[0].rationale.clone()
}

#[test]
fn retract_rationale_table() {
    let cases = [
        ("module m\n\t\tretract v1.0.0", ""),
        ("module m\n\t\t//   prefix\n\t\tretract v1.0.0\n", "prefix"),
        (
            "module m\n\t\t//  one\n\t\t//\n\t\t//     two\n\t\t//\n\t\t// three\n\t\tretract v1.0.0",
            "one\n\ntwo\n\nthree",
        ),
        ("module m\n\t\tretract v1.0.0 // suffix\n", "suffix"),
        (
            "module m\n\t\t// prefix\n\t\tretract v1.0.0 // suffix\n",
            "prefix\nsuffix",
        ),
        ("// block\n\t\tretract (\n\t\t\tv1.0.0\n\t\t)\n", "block"),
        (
            "// block\n\t\tretract (\n\t\t\t// line\n\t\t\tv1.0.0\n\t\t)\n",
            "line",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(retract_rationale(input), want, "{input:?}");
    }
}

#[test]
fn module_deprecated_table() {
    let cases = [
        ("module m", ""),
        ("// yo\n\t\tmodule m", ""),
        ("//Deprecated\n\t\tmodule m", ""),
        ("//Deprecated:blah\n\t\tmodule m", "blah"),
        ("// Deprecated: blah\n\t\tmodule m", "blah"),
        ("// deprecated: blah\n\t\tmodule m", ""),
        ("// Deprecated: one\n\t\t// two\n\t\tmodule m", "one\ntwo"),
        (
            "// some other comment\n\t\t// Deprecated: blah\n\t\tmodule m",
            "",
        ),
        ("// module m is Deprecated: blah\n\t\tmodule m", ""),
        (
            "// Deprecated: a\n\t\t// Deprecated: b\n\t\tmodule m",
            "a\nDeprecated: b",
        ),
        (
            "// Deprecated: a\n\t\t// b\n\t\t//\n\t\t// c\n\t\tmodule m",
            "a\nb",
        ),
        (
            "// Deprecated: the next line has a space\n\t\t// \n\t\t// c\n\t\tmodule m",
            "the next line has a space",
        ),
        ("module m // Deprecated: blah", "blah"),
        (
            "// some other comment\n\t\tmodule m // Deprecated: blah",
            "",
        ),
        (
            "// some other comment\n\t\t//\n\t\tmodule m // Deprecated: blah",
            "blah",
        ),
        ("// Deprecated: blah\n\t\tmodule (\n\t\t\tm\n\t\t)", "blah"),
        // Not in Go's table.
        ("// Deprecated:    \n\t\tmodule m", ""),
        ("//\n// Deprecated: x\nmodule m", ""),
        ("//\n//\n// Deprecated: x\nmodule m", "x"),
    ];
    for (input, want) in cases {
        let f = parse("in", input.as_bytes(), None).unwrap();
        assert_eq!(f.module.as_ref().unwrap().deprecated, want, "{input:?}");
    }
}

fn fix_v(path: &str, version: &str) -> Result<String, FixError> {
    if path != "example.com/m" {
        return Err(FixError::Other("module path must be example.com/m".into()));
    }
    Ok(format!("v{version}"))
}

#[test]
fn fix_version_table() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "require example.com/m 1.0.0",
            "require example.com/m v1.0.0",
            "",
        ),
        (
            "replace example.com/m 1.0.0 => example.com/m 1.1.0",
            "replace example.com/m v1.0.0 => example.com/m v1.1.0",
            "",
        ),
        (
            "replace example.com/m@v1.0.0 => example.com/m@v1.1.0",
            "",
            "replacement module must match format 'path version', not 'path@version'",
        ),
        (
            "replace example.com/m => example.com/m@v1.1.0",
            "",
            "replacement module must match format 'path version', not 'path@version'",
        ),
        (
            "exclude example.com/m 1.0.0",
            "exclude example.com/m v1.0.0",
            "",
        ),
        (
            "module example.com/m\n\t\tretract 1.0.0",
            "module example.com/m\n\t\tretract v1.0.0",
            "",
        ),
        (
            "module example.com/m\n\t\tretract [1.0.0, 1.1.0]",
            "module example.com/m\n\t\tretract [v1.0.0, v1.1.0]",
            "",
        ),
        (
            "retract 1.0.0",
            "",
            "in:1: no module directive found, so retract cannot be used",
        ),
        // Not in Go's table: fixer errors.
        (
            "require example.com/x 1.0.0",
            "",
            "in:1: module path must be example.com/m",
        ),
    ];
    for &(input, want, want_err) in cases {
        match parse("in", input.as_bytes(), Some(&fix_v)) {
            Err(e) => {
                assert!(!want_err.is_empty(), "{input:?}: unexpected error {e}");
                assert!(
                    e.to_string().contains(want_err),
                    "{input:?}: got {e}, want {want_err}"
                );
            }
            Ok(f) => {
                assert!(want_err.is_empty(), "{input:?}: expected error {want_err}");
                let want = parse("out", want.as_bytes(), None).unwrap().format();
                assert_eq!(
                    String::from_utf8_lossy(&f.format()),
                    String::from_utf8_lossy(&want)
                );
            }
        }
    }
}

#[test]
fn fixer_module_errors_are_reported_after_the_directive() {
    let fix = |_: &str, v: &str| -> Result<String, FixError> {
        Err(FixError::Module(format!("unknown revision {v}")))
    };
    let e = parse(
        "go.mod",
        b"module m\nrequire (\n\texample.com/a master\n)\n",
        Some(&fix),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "go.mod:3:2: require example.com/a: unknown revision master"
    );
}

#[test]
fn error_texts() {
    // Expected texts are what `go mod edit -fmt` prints after its header.
    let cases: &[(&[u8], &str)] = &[
        (b"module m\nfoo bar\n", "go.mod:2: unknown directive: foo"),
        (
            b"module m\nrequire (\n\ta.com/a v1.0.0\n\ta.com/b\n\t\ta.com/c vbad\n  a.com/d v2.0.0\n)\n",
            "go.mod:4:2: usage: require module/path v1.2.3\n\
             go.mod:5:3: require a.com/c: version \"vbad\" invalid: must be of the form v1.2.3\n\
             go.mod:6:3: require a.com/d: version \"v2.0.0\" invalid: should be v0 or v1, not v2",
        ),
        (b"module m\nrequire \"a.com/a v1.0.0\n", "go.mod:2:24: unexpected newline in string"),
        (b"module m\nrequire \"a.com/a", "go.mod:2:9: unexpected EOF in string"),
        (b"module m\x00\n", "go.mod:1:9: unexpected input character '\\x00'"),
        ("\u{feff}module m\n".as_bytes(), "go.mod:1: unexpected input character '\\ufeff'"),
        (b"module m\n/* x */\n", "go.mod:2: mod files must use // comments (not /* */ comments)"),
        (
            b"module m\nrequire (\n\ta.com/a v1.0.0\n",
            "go.mod:4: syntax error (unterminated block started at go.mod:2:1)",
        ),
        (
            b"module m\nrequire (\n\ta.com/a v1.0.0\n) x\n",
            "go.mod:4:4: syntax error (expected newline after closing paren)",
        ),
        (b"module m\nrequire foo (\n\ta v1.0.0\n)\n", "go.mod:2: unknown block type: require foo"),
        (
            b"module m\nreplace a ./a\n",
            "go.mod:2: usage: replace module/path [v1.2.3] => other/module v1.4\n\t or replace module/path [v1.2.3] => ../local/directory",
        ),
        (b"module m\nreplace a/v1 => ./b\n", "go.mod:2: replace a/v1: invalid module path"),
        (b"module m\nrequire a/v1 v1.0.0\n", "go.mod:2: invalid module path"),
        (
            b"module m\nrequire example.com/a \"v1\\q\"\n",
            "go.mod:2: require example.com/a: version \"\\\"v1\\\\q\\\"\" invalid: invalid syntax",
        ),
        (
            b"module m\nretract \"v1\\z\"\n",
            "go.mod:2: retract: version \"\\\"v1\\\\z\\\"\" invalid: invalid syntax",
        ),
        (b"module m\nretract v1.0.0 v1.1.0\n", "go.mod:2: unexpected token after version: \"v1.1.0\""),
        (b"module m\ngo 1.21.x\n", "go.mod:2: invalid go version '1.21.x': must match format 1.23.0"),
        (
            b"module m\ntoolchain local\n",
            "go.mod:2: invalid toolchain version 'local': must match format go1.23.0 or default",
        ),
        (
            b"module m\nreplace example.com/a => ./a v1.0.0\n",
            "go.mod:2: replacement module directory path \"./a\" cannot have version",
        ),
    ];
    for &(input, want) in cases {
        let e = parse("go.mod", input, None).unwrap_err();
        assert_eq!(e.to_string(), want, "{:?}", String::from_utf8_lossy(input));
    }
}

#[test]
fn error_positions_and_fields() {
    let e = parse(
        "go.mod",
        b"module m\nrequire (\n\texample.com/a v2.0.0\n)\n",
        None,
    )
    .unwrap_err();
    let [err] = e.errors() else {
        panic!("want one error: {e}");
    };
    assert_eq!((err.pos.line, err.pos.line_rune, err.pos.byte), (3, 2, 20));
    assert_eq!(err.verb, "require");
    assert_eq!(err.mod_path, "example.com/a");
    assert_eq!(
        err.message,
        "version \"v2.0.0\" invalid: should be v0 or v1, not v2"
    );
    assert_eq!(
        err.directive_message(),
        "require example.com/a: version \"v2.0.0\" invalid: should be v0 or v1, not v2"
    );
}

#[test]
fn tokens_are_rewritten_when_interpreted() {
    let f = parse(
        "go.mod",
        b"module \"example.com/m\"\nrequire \"example.com/a\" v1.2\nretract \"v1.0.0 x\"\n",
        None,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&f.format()),
        // Retract tokens are left unquoted, exactly as Go does.
        "module example.com/m\n\nrequire example.com/a v1.2.0\n\nretract v1.0.0 x\n"
    );
    assert_eq!(f.require[0].module.version, "v1.2.0");
    assert_eq!(f.retract[0].interval.low, "v1.0.0 x");
}

#[test]
fn invalid_utf8_is_kept_in_the_tree() {
    let data = b"module \"example.com/a\\xffb\"\nrequire example.com/\xfe v1.0.0\n";
    let f = parse("go.mod", data, None).unwrap();
    assert_eq!(f.module.as_ref().unwrap().path, "example.com/a\u{fffd}b");
    assert_eq!(f.require[0].module.path, "example.com/\u{fffd}");
    assert_eq!(
        f.format(),
        b"module example.com/a\xffb\n\nrequire example.com/\xfe v1.0.0\n".to_vec()
    );
}

#[test]
fn is_directory_path_table() {
    let yes: &[&[u8]] = &[
        b".", b"./x", b".\\x", b"..", b"../x", b"..\\x", b"/x", b"\\x", b"C:", b"c:\\x", b"z:/",
    ];
    let no: &[&[u8]] = &[
        b"",
        b"x",
        b".x",
        b"..x",
        b"example.com/m",
        b"1:",
        b":",
        b"~/x",
    ];
    for p in yes {
        assert!(is_directory_path(p), "{:?}", String::from_utf8_lossy(p));
    }
    for p in no {
        assert!(!is_directory_path(p), "{:?}", String::from_utf8_lossy(p));
    }
}

#[test]
fn go_version_syntax() {
    for v in [
        "1.21",
        "1.21.0",
        "1.21rc1",
        "1.0",
        "10.99.100",
        "1.2.3beta4",
        "1.2.0a1",
    ] {
        assert!(is_go_version(v.as_bytes()), "{v}");
    }
    for v in [
        "", "1", "v1.21", "1.21.", "1.021", "01.2", "1.21.00", "1.21rc", "1.21RC1", "1.21-rc1",
        "1.2.3.4", "1.21 ",
    ] {
        assert!(!is_go_version(v.as_bytes()), "{v}");
    }
    for t in ["default", "go1", "go1.", "go1.21", "go1.21.0-custom"] {
        assert!(is_toolchain_name(t.as_bytes()), "{t}");
    }
    for t in [
        "",
        "go",
        "go12",
        "go1x",
        "local",
        "Default",
        "go2.0",
        "gccgo-go1.2",
    ] {
        assert!(!is_toolchain_name(t.as_bytes()), "{t}");
    }
}

#[test]
fn work_file_parsing() {
    let f = parse_work(
        "go.work",
        b"go 1.21\ntoolchain go1.21.1\ngodebug a=b\nuse (\n\t./a\n\t\"./b c\"\n)\nreplace x.com/a v1.2 => ./x\n",
        None,
    )
    .unwrap();
    assert_eq!(f.go.as_ref().unwrap().version, "1.21");
    assert_eq!(f.toolchain.as_ref().unwrap().name, "go1.21.1");
    assert_eq!(
        (f.godebug[0].key.as_str(), f.godebug[0].value.as_str()),
        ("a", "b")
    );
    let uses: Vec<&str> = f.use_.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(uses, ["./a", "./b c"]);
    assert_eq!(f.replace[0].old.version, "v1.2.0");
    let e = parse_work(
        "go.work",
        b"go 1.21\nrequire a v1.0.0\nuse (\n\ta b\n)\n",
        None,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "go.work:2: unknown directive: require\ngo.work:4:2: usage: use local/dir"
    );
}
