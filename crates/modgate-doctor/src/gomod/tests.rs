use super::*;

#[test]
fn requires_and_replacements() {
    let m = parse(
        r#"module example.com/app // the app

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
    );
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
    let s = parse_sum(
        "a.example/m v1.0.0 h1:abc=\na.example/m v1.0.0/go.mod h1:def=\nb.example/m v2.0.0/go.mod h1:x=\n",
    );
    assert!(s.contains(&("a.example/m".to_string(), "v1.0.0".to_string())));
    assert!(!s.iter().any(|(p, _)| p == "b.example/m"));
}
