use super::*;

/// (input, scheme, host, port, endpoint, origin)
type UrlCase<'a> = (&'a str, &'a str, &'a str, Option<u16>, &'a str, &'a str);
/// (text, expected (name-or-path, optional second part))
type PairCase<'a> = (&'a str, Option<(&'a str, Option<&'a str>)>);

#[test]
fn urls_parse_with_default_ports_and_origins() {
    let cases: &[UrlCase] = &[
        (
            "https://proxy.golang.org/github.com/pkg/errors/@v/v0.9.1.info",
            "https",
            "proxy.golang.org",
            Some(443),
            "proxy.golang.org:443",
            "https://proxy.golang.org",
        ),
        (
            "http://127.0.0.1:1/example.com/foo/@v/v1.0.0.info",
            "http",
            "127.0.0.1",
            Some(1),
            "127.0.0.1:1",
            "http://127.0.0.1:1",
        ),
        (
            "https://[2001:db8::7]/x/@v/list",
            "https",
            "2001:db8::7",
            Some(443),
            "[2001:db8::7]:443",
            "https://[2001:db8::7]",
        ),
        (
            "https://user:secret@goproxy.corp.example:8443/api",
            "https",
            "goproxy.corp.example",
            Some(8443),
            "goproxy.corp.example:8443",
            "https://goproxy.corp.example:8443",
        ),
        (
            "https://git.corp.example/team/lib?go-get=1",
            "https",
            "git.corp.example",
            Some(443),
            "git.corp.example:443",
            "https://git.corp.example",
        ),
    ];
    for &(input, scheme, host, port, endpoint, origin) in cases {
        let u = Url::parse(input).unwrap_or_else(|| panic!("{input} did not parse"));
        assert_eq!(u.scheme, scheme, "{input}");
        assert_eq!(u.host, host, "{input}");
        assert_eq!(u.port, port, "{input}");
        assert_eq!(u.endpoint(), endpoint, "{input}");
        assert_eq!(u.origin(), origin, "{input}");
        assert!(!u.full.contains("secret") || input.contains("secret"));
    }
    for bad in [
        "",
        "no-scheme",
        "://x",
        "ht tp://x",
        "https://",
        "https:///path",
    ] {
        assert_eq!(Url::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn first_url_trims_go_punctuation() {
    let cases: &[(&str, &str)] = &[
        (
            r#"Get "https://proxy.golang.org/x/@v/list": dial tcp"#,
            "https://proxy.golang.org/x/@v/list",
        ),
        (
            "reading https://sum.golang.org/lookup/a.b/c@v1.0.0: 410 Gone",
            "https://sum.golang.org/lookup/a.b/c@v1.0.0",
        ),
        (
            "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
            "https://github.com",
        ),
        (
            "Get https://golang.org/x/net/proxy?go-get=1: dial tcp",
            "https://golang.org/x/net/proxy?go-get=1",
        ),
        (
            "parse https://h/p?go-get=1: no go-import meta tags ()",
            "https://h/p?go-get=1",
        ),
    ];
    for &(text, want) in cases {
        assert_eq!(
            first_url(text).map(|u| u.full),
            Some(want.to_string()),
            "{text}"
        );
    }
    assert_eq!(first_url("no url here: dial tcp 1.2.3.4:443"), None);
}

#[test]
fn host_port_splitting() {
    let cases: &[(&str, &str, Option<u16>)] = &[
        ("1.2.3.4:443", "1.2.3.4", Some(443)),
        ("[2001:db8::1]:443", "2001:db8::1", Some(443)),
        ("[fe80::1%utun4]:56330", "fe80::1%utun4", Some(56330)),
        ("2001:db8::1", "2001:db8::1", None),
        ("host", "host", None),
        ("host:notaport", "host:notaport", None),
        ("[unterminated", "[unterminated", None),
        ("host:99999", "host:99999", None),
    ];
    for &(input, host, port) in cases {
        assert_eq!(split_host_port(input), (host, port), "{input}");
    }
    assert!(is_ipv6_addr("[2a00:1450::1]:443"));
    assert!(!is_ipv6_addr("142.250.1.1:443"));
    assert!(is_ip_literal("10.0.0.1"));
    assert!(is_ip_literal("fe80::1%utun4"));
    assert!(!is_ip_literal("proxy.golang.org"));
}

#[test]
fn module_paths_and_versions() {
    let cases: &[PairCase] = &[
        (
            "go: github.com/pkg/errors@v0.9.1: Get",
            Some(("github.com/pkg/errors", Some("v0.9.1"))),
        ),
        (
            "verifying example.com/hello@v1.0.0/go.mod: checksum mismatch",
            Some(("example.com/hello", Some("v1.0.0"))),
        ),
        (
            "go: github.com/gofrs/uuid@v4.2.0+incompatible: Get",
            Some(("github.com/gofrs/uuid", Some("v4.2.0+incompatible"))),
        ),
        // An ssh user@host is not a module.
        ("git@github.com: Permission denied (publickey).", None),
        // A URL with @ in its path is not a module token either.
        ("reading https://sum.golang.org/lookup/a.b/c@v1: 410", None),
        ("no module here", None),
    ];
    for &(text, want) in cases {
        let got = first_mod_version(text);
        let got = got
            .as_ref()
            .map(|m| (m.path.as_str(), m.version.as_deref()));
        assert_eq!(got, want, "{text}");
    }
    assert_eq!(
        module_word("go: module github.com/pkg/errs: reading").map(|m| m.path),
        Some("github.com/pkg/errs".to_string())
    );
    assert_eq!(module_word("module lookup disabled by GOPROXY=off"), None);
}

#[test]
fn module_from_proxy_and_sumdb_urls() {
    let cases: &[(&str, &str, Option<&str>, Option<&str>)] = &[
        // (url, module, version, proxy base)
        (
            "https://proxy.golang.org/github.com/%21eyevinn/mp4ff/@v/v0.49.0.zip",
            "github.com/Eyevinn/mp4ff",
            Some("v0.49.0"),
            Some("https://proxy.golang.org"),
        ),
        (
            "http://127.0.0.1:18080/s/404/private/github.com/acme/private/@v/v1.0.0.info",
            "github.com/acme/private",
            Some("v1.0.0"),
            Some("http://127.0.0.1:18080/s/404/private"),
        ),
        (
            "https://goproxy.corp.example/artifactory/api/go/go-remote/github.com/!burnt!sushi/toml/@latest",
            "github.com/BurntSushi/toml",
            None,
            Some("https://goproxy.corp.example/artifactory/api/go/go-remote"),
        ),
        (
            "https://sum.golang.org/lookup/dev.azure.com/myorg/!myproject/x.git@v0.0.0-20201211023249-f2b661c7768f",
            "dev.azure.com/myorg/Myproject/x.git",
            Some("v0.0.0-20201211023249-f2b661c7768f"),
            None,
        ),
        (
            "https://proxy.golang.org/golang.org/x/text/language/@v/list",
            "golang.org/x/text/language",
            None,
            Some("https://proxy.golang.org"),
        ),
    ];
    for &(u, module, version, base) in cases {
        let url = Url::parse(u).unwrap_or_else(|| panic!("{u}"));
        let m = module_from_url(&url).unwrap_or_else(|| panic!("no module in {u}"));
        assert_eq!(m.path, module, "{u}");
        assert_eq!(m.version.as_deref(), version, "{u}");
        assert_eq!(proxy_base(&url).as_deref(), base, "{u}");
    }
    let plain = Url::parse("https://example.com/index.html").unwrap_or_else(|| panic!("parse"));
    assert_eq!(module_from_url(&plain), None);
}

#[test]
fn socket_addresses_and_dns_lookups() {
    assert_eq!(
        dial_addr("dial tcp 142.250.1.1:443: connect: connection refused"),
        Some("142.250.1.1:443".to_string())
    );
    assert_eq!(
        dial_addr("dial tcp [2001:db8::7]:443: connect: network is unreachable"),
        Some("[2001:db8::7]:443".to_string())
    );
    assert_eq!(dial_addr("dial tcp: lookup x on y: no such host"), None);
    assert_eq!(
        socket_pair(
            "write tcp [fe80::1%utun4]:56330->[2a00:1450::2011]:443: write: socket is not connected"
        ),
        Some((
            "[fe80::1%utun4]:56330".to_string(),
            "[2a00:1450::2011]:443".to_string()
        ))
    );
    let cases: &[PairCase] = &[
        (
            "dial tcp: lookup proxy.golang.org on 10.0.0.2:53: no such host",
            Some(("proxy.golang.org", Some("10.0.0.2:53"))),
        ),
        (
            "lookup proxy.golang.org on [::1]:53: read udp [::1]:39295->[::1]:53: read: connection refused",
            Some(("proxy.golang.org", Some("[::1]:53"))),
        ),
        (
            "dial tcp: lookup proxy.golang.org: no such host",
            Some(("proxy.golang.org", None)),
        ),
        ("module lookup disabled by GOPROXY=off", None),
        ("https://sum.golang.org/lookup/x@v1", None),
    ];
    for &(text, want) in cases {
        let got = dns_lookup(text);
        let got = got.as_ref().map(|(n, s)| (n.as_str(), s.as_deref()));
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn extractors_never_panic_on_odd_input() {
    let odd = [
        "",
        "@",
        "@@@",
        "://",
        "lookup ",
        "dial tcp ",
        "read tcp ->",
        "reading : 404",
        "\u{201c}x509",
        "é@v1: é",
        "[",
        "]:",
        "Get \"",
        "lookup on : ",
        "https://[::1",
        "file://",
    ];
    for s in odd {
        let _ = first_url(s);
        let _ = all_urls(s);
        let _ = first_mod_version(s);
        let _ = module_word(s);
        let _ = dial_addr(s);
        let _ = socket_pair(s);
        let _ = dns_lookup(s);
        let _ = word_after(s, "x");
        let _ = unescape_module_path(s);
    }
}
