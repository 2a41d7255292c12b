//! Upstream lists: Go's GOPROXY syntax through the core's parser, scheme
//! defaulting, redaction, and the configuration errors (bad schemes); `direct` accepted.

use std::time::Duration;

use super::*;

const B: BreakerSettings = BreakerSettings {
    threshold: 5,
    cooldown: Duration::from_secs(30),
};

fn url(s: &str) -> (UpstreamSpec, bool) {
    (UpstreamSpec::Url(s.into()), false)
}

#[test]
fn binds_urls_with_go_scheme_defaulting() {
    let list = UpstreamList::from_specs(
        vec![
            url("proxy.golang.org"),
            (
                UpstreamSpec::Url("http://127.0.0.1:3000/base/".into()),
                true,
            ),
            url("file:///srv/goproxy"),
            (UpstreamSpec::Off, false),
        ],
        B,
    )
    .unwrap();
    let shown: Vec<&str> = list.entries.iter().map(|e| e.upstream.display()).collect();
    assert_eq!(
        shown,
        [
            "https://proxy.golang.org",
            "http://127.0.0.1:3000/base",
            "file:///srv/goproxy",
            "off"
        ]
    );
    assert!(list.entries[1].fallback_on_any_error);
    assert!(!list.entries[0].fallback_on_any_error);
    assert!(list.has_remote());
    match &*list.entries[2].upstream {
        Upstream::File { root, .. } => assert_eq!(root, std::path::Path::new("/srv/goproxy")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn passwords_are_redacted() {
    let list =
        UpstreamList::from_specs(vec![url("https://user:secret@corp.example/proxy")], B).unwrap();
    let shown = list.entries[0].upstream.display();
    assert_eq!(shown, "https://user:xxxxx@corp.example/proxy");
}

#[test]
fn configuration_errors() {
    let cases: &[(Vec<(UpstreamSpec, bool)>, &str)] = &[
        (
            vec![url("ftp://example.com/")],
            "unsupported scheme \"ftp\"",
        ),
        (
            vec![url("file://host/path")],
            "file URL must have only a path",
        ),
        (vec![url("file:///p?q=1")], "file URL must have only a path"),
        (vec![url("https://[::1")], "invalid URL"),
        (vec![], "upstream list is empty"),
    ];
    for (specs, want) in cases {
        let err = UpstreamList::from_specs(specs.clone(), B).unwrap_err();
        assert!(err.0.contains(want), "{specs:?}: got {err}");
    }
}

#[test]
fn parses_go_syntax() {
    let l = UpstreamList::parse(
        "proxy.golang.org|http://127.0.0.1:1/x , file:///srv/m,off,https://never.example",
        B,
    )
    .unwrap();
    let shown: Vec<(&str, bool)> = l
        .entries
        .iter()
        .map(|e| (e.upstream.display(), e.fallback_on_any_error))
        .collect();
    // `off` stops parsing, as in Go.
    assert_eq!(
        shown,
        [
            ("https://proxy.golang.org", true),
            ("http://127.0.0.1:1/x", false),
            ("file:///srv/m", false),
            ("off", false)
        ]
    );
    let l = UpstreamList::parse("https://proxy.golang.org,direct", B).unwrap();
    let shown: Vec<&str> = l.entries.iter().map(|e| e.upstream.display()).collect();
    assert_eq!(shown, ["https://proxy.golang.org", "direct"]);
    assert!(!l.entries[1].upstream.is_remote());
    assert!(UpstreamList::parse("", B).is_err());
    assert!(UpstreamList::parse(" , ", B).is_err());
    let e = UpstreamList::parse("https://exa mple.com", B).unwrap_err();
    assert!(
        e.0.starts_with("upstream \"https://exa mple.com\": "),
        "{e}"
    );
}

#[test]
fn configuration_errors_never_show_a_password() {
    assert_eq!(
        redact_passwords("https://u:s3cret@proxy.corp/x,https://other|file:///a"),
        "https://u:xxxxx@proxy.corp/x,https://other|file:///a"
    );
    assert_eq!(redact_passwords("https://tok@h"), "https://tok@h");
    assert_eq!(redact_passwords("https://a:b@c@h/p"), "https://a:xxxxx@h/p");
    let b = BreakerSettings {
        threshold: 5,
        cooldown: std::time::Duration::from_secs(1),
    };
    for bad in [
        "https://u:s3cret@[bad/x",
        "ftp://u:s3cret@h/",
        "https://u:s3cret@h:99999/",
    ] {
        let e = UpstreamList::parse(bad, b).unwrap_err();
        assert!(!e.0.contains("s3cret"), "{bad}: {}", e.0);
    }
}
