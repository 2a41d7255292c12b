//! go.sum tests. The golden order below was produced by `go mod tidy` (Go
//! 1.27.3) against a fabricated proxy; `tests/gosum_go_oracle.rs` re-checks it
//! with the real go command.

use super::*;

/// go.sum written by `go mod tidy` for a module graph chosen to exercise the
/// order: byte order of paths (`Upper` < `a` < `a-b` < `a/v2`), semver order
/// of versions (rc.9 < rc.10, v1.9.0 < v1.10.0), pseudo-versions,
/// `+incompatible`, and plain entries before `/go.mod` ones.
const GO_TIDY_GOLDEN: &str = "\
example.com/Upper v1.0.0-rc.9/go.mod h1:uQ6Qx9j7dm81XjRP7UyccZtGIONAciH5sRuo5WEINt4=
example.com/Upper v1.0.0-rc.10 h1:oQf977pUFxglxzmqxfHrFJghtFLAXcDADxpefVJSmOY=
example.com/Upper v1.0.0-rc.10/go.mod h1:uQ6Qx9j7dm81XjRP7UyccZtGIONAciH5sRuo5WEINt4=
example.com/a v1.2.0/go.mod h1:zmAAEKYOJls/YuOGNOp6WockgZUEzT6OLskIog130As=
example.com/a v1.9.0/go.mod h1:zmAAEKYOJls/YuOGNOp6WockgZUEzT6OLskIog130As=
example.com/a v1.10.0 h1:JcuLnOmVyHrUxn1kwZKV0NhTMQiAQ5WJjVwJeNgoE50=
example.com/a v1.10.0 h2:xyzzy
example.com/a v1.10.0/go.mod h1:zmAAEKYOJls/YuOGNOp6WockgZUEzT6OLskIog130As=
example.com/a-b v0.0.0-20200101000000-abcdefabcdef h1:PBdTjR4zTln+hDnM05gdaM9jwEdUv1kPbrrKgz4HFYU=
example.com/a-b v0.0.0-20200101000000-abcdefabcdef/go.mod h1:bJedOwsTSmS/Whjzpu2DK7Yr7nyHiPFqxgdBlJbSWEk=
example.com/a/v2 v2.0.0 h1:1JtBe3fz6cipH24LCLzKZ7Wc5c6wXHLjx4DUdNrxau4=
example.com/a/v2 v2.0.0/go.mod h1:nqt8OTzEyQfXqiK0Sn0OX8aRF3o2nlYB4RItXYbFAew=
example.com/d v1.0.0 h1:XfrhzwRYjMwAnNFv8PgttGaG6Cu0vPsvAbJyoBgW5QA=
example.com/d v1.0.0/go.mod h1:2QHCRN51LXTgPzbaG5uLTJMFCotWOTwFqZ6XRgph3z0=
example.com/e v1.0.0/go.mod h1:eq6xU+rscjmzbwr4PP7WSr5wsMwAk8AdCFYJzb26qAA=
example.com/inc v2.0.0+incompatible h1:QWU3aZv2x5CRyN9VrongA4+R3Bs83xcKCEsMHZPskTo=
example.com/inc v2.0.0+incompatible/go.mod h1:0A1XFMqM4o/CrHmoC36mXPRgaIHxh1jmF4SUfago9Cw=
";

/// A deterministic shuffle (xorshift), so the test needs no dependency.
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

#[test]
fn write_matches_go_order_on_shuffled_input() {
    let golden: Vec<&str> = GO_TIDY_GOLDEN.lines().collect();
    for seed in 1..50 {
        let mut lines = golden.clone();
        // Duplicates, blank lines, odd spacing and the dropped empty-go.mod
        // hash must not change the result.
        lines.push("example.com/a v1.10.0 h2:xyzzy");
        lines.push("");
        lines.push(" example.com/d\u{a0}v1.0.0\th1:XfrhzwRYjMwAnNFv8PgttGaG6Cu0vPsvAbJyoBgW5QA=\r");
        lines.push("example.com/e v1.0.0 h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=");
        shuffle(&mut lines, seed);
        let input = lines.join("\n");
        let sum = parse("go.sum", input.as_bytes(), ParseMode::Strict).unwrap();
        assert_eq!(
            String::from_utf8(sum.to_bytes()).unwrap(),
            GO_TIDY_GOLDEN,
            "seed {seed}"
        );
    }
}

#[test]
fn sort_order_table() {
    // module.Sort cases: path bytes first, then semver, then the file suffix.
    let want = [
        ("a.com/m", "v0.0.0-20190101000000-aaaaaaaaaaaa"),
        ("a.com/m", "v0.0.0-20190101000000-aaaaaaaaaaaa/go.mod"),
        ("a.com/m", "v1.0.0-alpha"),
        ("a.com/m", "v1.0.0-alpha.2"),
        ("a.com/m", "v1.0.0-alpha.10"),
        ("a.com/m", "v1.0.0-beta"),
        ("a.com/m", "v1.0.0"),
        ("a.com/m", "v1.0.0/go.mod"),
        ("a.com/m", "v1.2.0/go.mod"),
        ("a.com/m", "v1.10.0"),
        ("a.com/m", "v2.0.0+incompatible"),
        ("a.com/m", "v2.0.0+incompatible/go.mod"),
        ("a.com/m-x", "v1.0.0"),
        ("a.com/m/v2", "v2.0.0"),
        ("a.com/m/v2", "v2.0.0/go.mod"),
    ];
    for seed in 1..20 {
        let mut input: Vec<(Version, String)> = want
            .iter()
            .map(|(p, v)| (Version::new(*p, *v), "h1:x".to_string()))
            .collect();
        shuffle(&mut input, seed);
        let sum: GoSum = input.into_iter().collect();
        let got: Vec<(&str, &str)> = sum
            .sorted()
            .into_iter()
            .map(|(m, _)| (m.path.as_str(), m.version.as_str()))
            .collect();
        assert_eq!(got, want, "seed {seed}");
    }
}

#[test]
fn hashes_sorted_and_deduplicated() {
    let mut sum = GoSum::new();
    let m = Version::new("x.com/m", "v1.0.0");
    for h in ["h1:b", "h2:a", "h1:a", "h1:b"] {
        sum.add(m.clone(), h);
    }
    assert_eq!(
        sum.hashes("x.com/m", "v1.0.0"),
        ["h1:b", "h2:a", "h1:a", "h1:b"]
    );
    assert_eq!(
        String::from_utf8(sum.to_bytes()).unwrap(),
        "x.com/m v1.0.0 h1:a\nx.com/m v1.0.0 h1:b\nx.com/m v1.0.0 h2:a\n"
    );
    assert_eq!(sum.len(), 1);
    assert_eq!(sum.remove(&m).map(|h| h.len()), Some(4));
    assert!(sum.is_empty());
    assert_eq!(sum.to_bytes(), b"");
}

#[test]
fn parse_rules() {
    // Blank lines (any Unicode space), no final newline, CRLF line ends.
    let data = "\n  \t\u{3000}\nx.com/m v1.0.0 h1:a\r\nx.com/m v1.0.0/go.mod h1:b";
    let sum = parse("go.sum", data.as_bytes(), ParseMode::Strict).unwrap();
    assert_eq!(sum.hashes("x.com/m", "v1.0.0"), ["h1:a"]);
    assert_eq!(sum.hashes("x.com/m", "v1.0.0/go.mod"), ["h1:b"]);
    assert_eq!(sum.hashes("x.com/m", "v2.0.0"), [] as [String; 0]);

    // The empty-go.mod hash is dropped silently.
    let data = format!("x.com/m v1.0.0/go.mod {EMPTY_GO_MOD_HASH}\n");
    assert!(
        parse("go.sum", data.as_bytes(), ParseMode::Strict)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn parse_errors() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"x.com/m v1.0.0 h1:a\n\n  \nx y z w\n",
            "malformed go.sum:\n/tmp/m/go.sum:4: wrong number of fields 4",
        ),
        (
            b"x.com/m v1.0.0\n",
            "malformed go.sum:\n/tmp/m/go.sum:1: wrong number of fields 2",
        ),
        (
            b"a\nb c d\n",
            "malformed go.sum:\n/tmp/m/go.sum:1: wrong number of fields 1",
        ),
        // Invalid bytes are field text, as in Go's strings.Fields.
        (
            b"\xff\n",
            "malformed go.sum:\n/tmp/m/go.sum:1: wrong number of fields 1",
        ),
        (
            b"a\xff b\n",
            "malformed go.sum:\n/tmp/m/go.sum:1: wrong number of fields 2",
        ),
        (
            b"x.com/m v1.0.0 h1:\xff\n",
            "malformed go.sum:\n/tmp/m/go.sum:1: invalid UTF-8",
        ),
    ];
    for (data, want) in cases {
        let err = parse("/tmp/m/go.sum", data, ParseMode::Strict).unwrap_err();
        assert_eq!(
            err.to_string(),
            *want,
            "{:?}",
            String::from_utf8_lossy(data)
        );
        // go mod tidy drops such lines instead.
        assert!(parse("/tmp/m/go.sum", data, ParseMode::Tidy).is_ok());
    }
    let sum = parse(
        "go.sum",
        b"junk\nx.com/m v1.0.0 h1:a\nx y z w\nx.com/m v1.0.0 h1:\xff\n",
        ParseMode::Tidy,
    )
    .unwrap();
    assert_eq!(sum.to_bytes(), b"x.com/m v1.0.0 h1:a\n");
}

#[test]
fn fields_match_strings_fields() {
    let cases: &[(&[u8], &[&[u8]])] = &[
        (b"", &[]),
        (b"   ", &[]),
        (b"a", &[b"a"]),
        (b" a  b\tc\x0b\x0cd\re ", &[b"a", b"b", b"c", b"d", b"e"]),
        (
            "a\u{85}b\u{a0}c\u{2000}d\u{3000}e".as_bytes(),
            &[b"a", b"b", b"c", b"d", b"e"],
        ),
        // U+200B is not a space in Go.
        ("a\u{200b}b".as_bytes(), &["a\u{200b}b".as_bytes()]),
        (b"a\xffb \xfe", &[b"a\xffb", b"\xfe"]),
        (b"\xe2\x80 x", &[b"\xe2\x80", b"x"]),
    ];
    for (line, want) in cases {
        assert_eq!(fields(line), *want, "{line:?}");
    }
}

#[test]
fn check_against_go_sum() {
    let data = "x.com/m v1.0.0 h2:future\nx.com/m v1.0.0 h1:good\nx.com/m v1.0.0/go.mod h1:old\n";
    let sum = parse("go.sum", data.as_bytes(), ParseMode::Strict).unwrap();
    let m = Version::new("x.com/m", "v1.0.0");
    assert_eq!(sum.check(&m, "h1:good", "go.sum"), Ok(true));
    assert_eq!(
        sum.check(&Version::new("x.com/m", "v2.0.0"), "h1:new", "go.sum"),
        Ok(false)
    );
    let gomod = Version::new("x.com/m", "v1.0.0/go.mod");
    let err = sum.check(&gomod, "h1:new", "go.sum").unwrap_err();
    assert_eq!(
        err.to_string(),
        "verifying x.com/m@v1.0.0/go.mod: checksum mismatch\n\
         \tdownloaded: h1:new\n\
         \tgo.sum:     h1:old\n\
         \n\
         SECURITY ERROR\n\
         This download does NOT match an earlier download recorded in go.sum.\n\
         The bits may have been replaced on the origin server, or an attacker may\n\
         have intercepted the download attempt.\n\
         \n\
         For more information, see 'go help module-auth'.\n"
    );
    // Only h1 hashes can conflict; an exact match listed first wins.
    let sum = parse(
        "go.sum",
        b"x.com/m v1.0.0 h1:a\nx.com/m v1.0.0 h1:b\n",
        ParseMode::Strict,
    )
    .unwrap();
    assert_eq!(sum.check(&m, "h1:a", "go.work.sum"), Ok(true));
    assert!(sum.check(&m, "h1:b", "go.work.sum").is_err());
}

#[test]
fn h1_syntax() {
    assert!(is_valid_h1(
        "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    ));
    for bad in [
        "h1:",
        "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
        "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=", // non-zero trailing bits
        "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=AAAA",
        "h1:AAAA",
        "h2:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
    ] {
        assert!(!is_valid_h1(bad), "{bad}");
    }
}

#[test]
fn validate_reports_every_problem() {
    let h = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let h_other = "h1:JcuLnOmVyHrUxn1kwZKV0NhTMQiAQ5WJjVwJeNgoE50=";
    let data = [
        format!("golang.org/x/text v0.3.0 {h}"),        // 1 ok
        format!("golang.org/x/text v0.3.0/go.mod {h}"), // 2 ok
        String::new(),                                  // 3 blank
        "only two".to_string(),                         // 4
        format!("Example.com/x v1.0.0 {h}"),            // 5 bad path
        format!("example.com/x v1.0 {h}"),              // 6 not canonical
        format!("example.com/x v1.0.0/go.sum {h}"),     // 7 bad suffix
        format!("example.com/x/v2 v1.0.0 {h}"),         // 8 major mismatch
        format!("example.com/x latest {h}"),            // 9 not semver
        "example.com/x v1.0.0 h1:short".to_string(),    // 10 bad hash
        "example.com/x v1.0.0 h2:xyzzy".to_string(),    // 11 unknown alg
        format!("example.com/x v1.0.0/go.mod {EMPTY_GO_MOD_HASH}"), // 12
        format!("golang.org/x/text v0.3.0 {h}"),        // 13 duplicate of 1
        format!("golang.org/x/text v0.3.0 {h_other}"),  // 14 conflicts with 1
        format!("example.com/y v2.0.0+incompatible {h}"), // 15 ok
        "example.com/x v1.0.0 nocolon".to_string(),     // 16 bad hash
        format!("example.com/x v1.0.0+build {h}"),      // 17 not canonical
    ]
    .join("\n");
    let issues = validate("go.sum", data.as_bytes());
    let got: Vec<String> = issues.iter().map(ToString::to_string).collect();
    let want = [
        "go.sum:4: wrong number of fields 2",
        "go.sum:5: malformed module path \"Example.com/x\": invalid char 'E' in first path element",
        "go.sum:6: version \"v1.0\" is not canonical (want \"v1.0.0\")",
        "go.sum:7: version \"v1.0.0/go.sum\": unexpected suffix \"/go.sum\" (only \"/go.mod\" is allowed)",
        "go.sum:8: example.com/x/v2@v1.0.0: invalid version: should be v2, not v1",
        "go.sum:9: example.com/x@latest: invalid version: not a semantic version",
        "go.sum:10: malformed hash \"h1:short\": want \"h1:\" and the base64 of 32 bytes",
        "go.sum:11: unknown hash algorithm \"h2\" (the go command ignores it)",
        "go.sum:12: hash of an empty go.mod (an old go command bug); the go command drops this line",
        "go.sum:13: duplicate of line 1",
        "go.sum:14: golang.org/x/text v0.3.0: conflicting hash (line 1 has another)",
        "go.sum:16: malformed hash \"nocolon\": want \"h1:\" and the base64 of 32 bytes",
        "go.sum:17: version \"v1.0.0+build\" is not canonical (want \"v1.0.0\")",
    ];
    assert_eq!(got, want);
    assert_eq!(issues[0].kind, IssueKind::WrongFieldCount(2));
    assert_eq!(issues[9].kind, IssueKind::Duplicate(1));
    assert_eq!(issues[10].kind, IssueKind::ConflictingHash(1));

    assert_eq!(
        validate("go.sum", GO_TIDY_GOLDEN.as_bytes()).len(),
        1,
        "only h2:xyzzy"
    );
    assert!(validate("go.sum", b"").is_empty());
    let bad_utf8 = validate("go.sum", b"x.com/m v1.0.0 h1:\xff\n");
    assert_eq!(bad_utf8[0].kind, IssueKind::InvalidUtf8);
}

#[test]
fn never_panics_on_mutated_input() {
    let mut m = crate::sumdb::tests::Mutator::new(99);
    for _ in 0..2000 {
        let input = m.mutate(GO_TIDY_GOLDEN.as_bytes());
        for mode in [ParseMode::Strict, ParseMode::Tidy] {
            if let Ok(sum) = parse("go.sum", &input, mode) {
                // Whatever parses writes back and re-parses to the same entries.
                let again = parse("go.sum", &sum.to_bytes(), ParseMode::Strict).unwrap();
                assert_eq!(again.to_bytes(), sum.to_bytes());
            }
        }
        let _ = validate("go.sum", &input);
    }
}
