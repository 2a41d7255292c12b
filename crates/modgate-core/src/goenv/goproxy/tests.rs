//! GOPROXY parsing tables (expectations from the go command's proxyList logic
//! run under Go 1.27.3) and, when `go` is available, a comparison of error
//! messages with what `go mod download` prints.

use super::*;

/// Renders a parse result as the oracle tables do: one `kind|fallback` line
/// per entry, or `err:<message>`.
fn render(r: Result<ProxyList, GoproxyError>) -> String {
    match r {
        Ok(list) => list
            .entries
            .iter()
            .map(|e| {
                let kind = match &e.kind {
                    ProxyKind::Url(u) => format!("url:{u}"),
                    ProxyKind::Direct => "direct".to_owned(),
                    ProxyKind::Off => "off".to_owned(),
                    ProxyKind::Noproxy => "noproxy".to_owned(),
                };
                format!("{kind}|{}", e.fallback_on_any_error)
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => format!("err:{e}"),
    }
}

/// (GOPROXY, GONOPROXY, expected): expectations from a copy of the go
/// command's proxyList run with Go 1.27.3's net/url; every error row was also
/// checked against `go mod download` itself.
const GOPROXY_TESTS: &[(&str, &str, &str)] = &[
    ("", "", "url:https://proxy.golang.org|false\ndirect|false"),
    (
        "",
        "example.com",
        "noproxy|false\nurl:https://proxy.golang.org|false\ndirect|false",
    ),
    (
        "https://proxy.golang.org,direct",
        "",
        "url:https://proxy.golang.org|false\ndirect|false",
    ),
    (
        "https://proxy.golang.org|direct",
        "",
        "url:https://proxy.golang.org|true\ndirect|false",
    ),
    ("direct", "", "direct|false"),
    ("direct", "*", "direct|false"),
    (" direct", "*", "noproxy|false\ndirect|false"),
    ("off", "", "off|false"),
    ("off", "corp.example.com", "noproxy|false\noff|false"),
    ("off,https://x.com", "", "off|false"),
    ("direct,https://x.com", "", "direct|false"),
    (
        "https://a.com|https://b.com,https://c.com|direct",
        "",
        "url:https://a.com|true\nurl:https://b.com|false\nurl:https://c.com|true\ndirect|false",
    ),
    (
        "a.com, b.com/x |c.com:8080",
        "",
        "url:https://a.com|false\nurl:https://b.com/x|true\nurl:https://c.com:8080|false",
    ),
    (
        " , ,",
        "",
        "err:GOPROXY list is not the empty string, but contains no entries",
    ),
    (
        ",",
        "x",
        "err:GOPROXY list is not the empty string, but contains no entries",
    ),
    (
        "|",
        "",
        "err:GOPROXY list is not the empty string, but contains no entries",
    ),
    (
        " ",
        "",
        "err:GOPROXY list is not the empty string, but contains no entries",
    ),
    (
        "\t",
        "",
        "err:GOPROXY list is not the empty string, but contains no entries",
    ),
    (
        "\u{00a0}https://x.com\u{3000}",
        "",
        "url:https://x.com|false",
    ),
    (
        "localhost",
        "",
        "err:invalid proxy URL missing scheme: localhost",
    ),
    ("localhost:8080", "", "url:https://localhost:8080|false"),
    (
        "http://localhost:8080",
        "",
        "url:http://localhost:8080|false",
    ),
    ("file:///tmp/proxy", "", "url:file:///tmp/proxy|false"),
    (
        "file:/tmp/proxy",
        "",
        "err:invalid file:// proxy URL with non-path elements: file:/tmp/proxy",
    ),
    (
        "file://host/tmp",
        "",
        "err:invalid file:// proxy URL with non-path elements: file://host/tmp",
    ),
    (
        "file:///tmp/x?q",
        "",
        "err:invalid file:// proxy URL with non-path elements: file:///tmp/x?q",
    ),
    (
        "/abs/path",
        "",
        "err:invalid proxy URL missing scheme: /abs/path",
    ),
    (
        "ftp://x",
        "",
        "err:invalid proxy URL scheme (must be https, http, file): ftp://x",
    ),
    (
        "https://user:secret@x.com",
        "",
        "url:https://user:secret@x.com|false",
    ),
    (
        "ftp://u:pw@x",
        "",
        "err:invalid proxy URL scheme (must be https, http, file): ftp://u:xxxxx@x",
    ),
    (
        "https://x y",
        "",
        "err:parse \"https://x y\": invalid character \" \" in host name",
    ),
    (
        "https://a:b:c",
        "",
        "err:parse \"https://a:b:c\": invalid port \":b:c\" after host",
    ),
    ("http://[::1]:3000", "", "url:http://[::1]:3000|false"),
    (
        "https://[::1%25]",
        "",
        "err:parse \"https://[::1%25]\": invalid host: ParseAddr(\"::1%\"): zone must be a non-empty string",
    ),
    (
        "https://%zz",
        "",
        "err:parse \"https://%zz\": invalid URL escape \"%zz\"",
    ),
    ("mailto:x@y", "", "url:https://mailto:x@y|false"),
    (
        "x:y",
        "",
        "err:parse \"https://x:y\": invalid port \":y\" after host",
    ),
    (
        ":x",
        "",
        "err:parse \"https://:x\": invalid port \":x\" after host",
    ),
    ("HTTPS://X.COM", "", "url:HTTPS://X.COM|false"),
    (
        "https://x.com,off",
        "",
        "url:https://x.com|false\noff|false",
    ),
    ("https://x.com|off", "", "url:https://x.com|true\noff|false"),
    ("https://x.com|", "", "url:https://x.com|true"),
    ("https://x.com,", "", "url:https://x.com|false"),
    ("a/b", "", "url:https://a/b|false"),
    (
        "C:\\proxy",
        "",
        "err:parse \"https://C:\\\\proxy\": invalid port \":\\\\proxy\" after host",
    ),
    (
        "git+ssh://x",
        "",
        "err:invalid proxy URL scheme (must be https, http, file): git+ssh://x",
    ),
    ("https://x.com#frag", "", "url:https://x.com#frag|false"),
    ("DIRECT", "", "err:invalid proxy URL missing scheme: DIRECT"),
    ("Off", "", "err:invalid proxy URL missing scheme: Off"),
];

#[test]
fn parse_table() {
    for &(goproxy, gonoproxy, want) in GOPROXY_TESTS {
        assert_eq!(
            render(parse_with_gonoproxy(goproxy, gonoproxy)),
            want,
            "GOPROXY={goproxy:?} GONOPROXY={gonoproxy:?}"
        );
        if gonoproxy.is_empty() {
            assert_eq!(render(parse(goproxy)), want, "parse({goproxy:?})");
        }
    }
}

#[test]
fn default_list() {
    let list = parse("").expect("default parses");
    assert_eq!(
        list.entries,
        [
            ProxyEntry {
                kind: ProxyKind::Url("https://proxy.golang.org".into()),
                fallback_on_any_error: false
            },
            ProxyEntry {
                kind: ProxyKind::Direct,
                fallback_on_any_error: false
            },
        ]
    );
    assert_eq!(parse(DEFAULT), Ok(list));
}

#[test]
fn errors_match_go_command() {
    let Some(go) = modgate_testkit::go::binary() else {
        return;
    };
    for goproxy in [
        "https://a:b:c",
        "file:/tmp/x",
        "localhost",
        "ftp://u:pw@x",
        ",",
        "https://x y",
        "https://[::1%25]",
        "x:y",
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let got = modgate_testkit::go_mod_download_error(
            &go,
            tmp.path(),
            "rsc.io/quote@v1.5.2",
            &[("GOPROXY", goproxy), ("GOSUMDB", "off")],
        );
        // The go command names the module it was fetching.
        let want = format!(
            "go: rsc.io/quote@v1.5.2: {}",
            parse(goproxy).expect_err("invalid GOPROXY")
        );
        assert_eq!(got, want, "GOPROXY={goproxy:?}");
    }
}
