use super::*;

#[test]
fn requires_and_replacements() {
    let m = parse(
        "go.mod",
        br#"module example.com/app // the app

go 1.22

require git.corp.example/team/lib v1.2.3
require (
	golang.org/x/text v0.14.0 // indirect
	"github.com/quoted/mod" v1.0.0
	example.com/replaced v1.0.0
	example.com/local v0.1.0
	example.com/versioned v1.0.0
)

replace example.com/replaced => example.com/fork v1.0.1
replace example.com/local => ../local
replace (
	example.com/versioned v1.0.0 => example.com/other v2.0.0
	example.com/versioned => ./nope
)
"#,
    )
    .unwrap();
    assert_eq!(m.module, "example.com/app");
    let got: Vec<(String, String, Option<String>)> = m
        .requires
        .iter()
        .map(|r| (r.path.clone(), r.version.clone(), r.replaces.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("git.corp.example/team/lib".into(), "v1.2.3".into(), None),
            ("golang.org/x/text".into(), "v0.14.0".into(), None),
            ("github.com/quoted/mod".into(), "v1.0.0".into(), None),
            (
                "example.com/fork".into(),
                "v1.0.1".into(),
                Some("example.com/replaced".into())
            ),
            (
                "example.com/other".into(),
                "v2.0.0".into(),
                Some("example.com/versioned".into())
            ),
        ]
    );
}

#[test]
fn go_sum_zip_hashes() {
    let m = GoMod {
        sums: parse_sum(
            b"a.example/m v1.0.0 h1:abc=\na.example/m v1.0.0/go.mod h1:def=\nb.example/m v2.0.0/go.mod h1:x=\n",
        ),
        ..GoMod::default()
    };
    assert!(m.has_sum("a.example/m", "v1.0.0"));
    assert!(!m.has_sum("b.example/m", "v2.0.0"));
    assert!(!m.has_sum("c.example/m", "v1.0.0"));
}

#[test]
fn go_sum_malformed_lines_are_skipped() {
    let m = GoMod {
        sums: parse_sum(b"a.example/m v1.0.0\nb.example/m v1.0.0 h1:abc=\n"),
        ..GoMod::default()
    };
    assert!(m.has_sum("b.example/m", "v1.0.0"));
}

#[test]
fn versions_canonicalised_and_parse_errors() {
    let m = parse(
        "go.mod",
        b"module example.com/app\nrequire golang.org/x/text v0.14\n",
    )
    .unwrap();
    assert_eq!(m.requires[0].version, "v0.14.0");
    let err = parse(
        "/m/go.mod",
        b"module example.com/app\nrequire example.com/branch master\n",
    )
    .unwrap_err();
    assert!(
        err.starts_with("/m/go.mod:2: require example.com/branch: version \"master\" is a query"),
        "{err}"
    );
    let err = parse("/m/go.mod", b"module example.com/app\nfrobnicate x\n").unwrap_err();
    assert!(
        err.starts_with("/m/go.mod:2: unknown directive: frobnicate"),
        "{err}"
    );
}
