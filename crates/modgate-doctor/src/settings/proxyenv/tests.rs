//! Tables from golang.org/x/net/http/httpproxy/proxy_test.go
//! (`proxyForURLTests`, `UseProxyTests`), less the IDNA cases.

use super::*;

fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

/// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY, CGI, request URL, want).
const PROXY_FOR_URL: &[(&str, &str, &str, bool, &str, &str)] = &[
    (
        "127.0.0.1:8080",
        "",
        "",
        false,
        "http://example.com",
        "http://127.0.0.1:8080",
    ),
    (
        "cache.corp.example.com:1234",
        "",
        "",
        false,
        "http://example.com",
        "http://cache.corp.example.com:1234",
    ),
    (
        "cache.corp.example.com",
        "",
        "",
        false,
        "http://example.com",
        "http://cache.corp.example.com:80",
    ),
    (
        "localhost",
        "",
        "",
        false,
        "http://example.com",
        "http://localhost:80",
    ),
    (
        "https://cache.corp.example.com",
        "",
        "",
        false,
        "http://example.com",
        "https://cache.corp.example.com:443",
    ),
    (
        "http://127.0.0.1:8080",
        "",
        "",
        false,
        "http://example.com",
        "http://127.0.0.1:8080",
    ),
    (
        "https://127.0.0.1:8080",
        "",
        "",
        false,
        "http://example.com",
        "https://127.0.0.1:8080",
    ),
    (
        "socks5://127.0.0.1",
        "",
        "",
        false,
        "http://example.com",
        "socks5://127.0.0.1:1080",
    ),
    (
        "foo://host",
        "",
        "",
        false,
        "http://example.com",
        "foo://host:80",
    ),
    (
        "http.proxy.tld",
        "secure.proxy.tld",
        "",
        false,
        "http://insecure.tld/",
        "http://http.proxy.tld:80",
    ),
    (
        "http.proxy.tld",
        "secure.proxy.tld",
        "",
        false,
        "https://secure.tld/",
        "http://secure.proxy.tld:80",
    ),
    (
        "http.proxy.tld",
        "https://secure.proxy.tld",
        "",
        false,
        "https://secure.tld/",
        "https://secure.proxy.tld:443",
    ),
    (
        "http.proxy.tld",
        "",
        "",
        false,
        "https://secure.tld/",
        "<nil>",
    ),
    (
        "http.proxy.tld",
        "",
        "",
        false,
        "ftp://insecure.tld/",
        "<nil>",
    ),
    (
        "http://10.1.2.3:8080",
        "",
        "",
        true,
        "http://example.com",
        "<nil>",
    ),
    (
        "",
        "https://secure.proxy.tld",
        "",
        true,
        "https://secure.tld/",
        "https://secure.proxy.tld:443",
    ),
    ("", "", "", false, "http://example.com", "<nil>"),
    (
        "proxy",
        "",
        "example.com",
        false,
        "http://example.com/",
        "<nil>",
    ),
    (
        "proxy",
        "",
        ".example.com",
        false,
        "http://example.com/",
        "http://proxy:80",
    ),
    (
        "proxy",
        "",
        "ample.com",
        false,
        "http://example.com/",
        "http://proxy:80",
    ),
    (
        "proxy",
        "",
        "example.com",
        false,
        "http://foo.example.com/",
        "<nil>",
    ),
    (
        "proxy",
        "",
        ".foo.com",
        false,
        "http://example.com/",
        "http://proxy:80",
    ),
];

#[test]
fn proxy_for_url_table() {
    for &(http, https, no, cgi, req, want) in PROXY_FOR_URL {
        let mut pairs = vec![
            ("HTTP_PROXY", http),
            ("HTTPS_PROXY", https),
            ("NO_PROXY", no),
        ];
        if cgi {
            pairs.push(("REQUEST_METHOD", "GET"));
        }
        let pe = ProxyEnv::from_env(&env(&pairs));
        let u = url::Url::parse(req).expect("req");
        let got = pe
            .proxy_for(
                u.scheme(),
                u.host_str().unwrap_or(""),
                u.port_or_known_default().unwrap_or(0),
            )
            .map_or("<nil>".to_string(), |p| {
                format!(
                    "{}://{}",
                    p.scheme,
                    crate::net::join_host_port(&p.host, p.port)
                )
            });
        assert_eq!(
            got, want,
            "HTTP_PROXY={http:?} HTTPS_PROXY={https:?} NO_PROXY={no:?} req={req}"
        );
    }
}

const NO_PROXY: &str = "foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64";

const USE_PROXY: &[(&str, bool)] = &[
    ("localhost", false),
    ("127.0.0.1", false),
    ("127.0.0.2", false),
    ("::1", false),
    ("::2", true),
    ("192.168.1.1", false),
    ("192.168.1.2", true),
    ("192.168.1.3", false),
    ("192.168.1.4", true),
    ("10.0.0.2", false),
    ("2001:db8::52:0:1", false),
    ("2001:db8::52:0:2", true),
    ("2001:db8::52:0:3", false),
    ("2002:db8:a::123", false),
    ("fe80::424b:c8be:1643:a1b6", true),
    ("barbaz.net", true),
    ("www.barbaz.net", false),
    ("foobar.com", false),
    ("www.foobar.com", false),
    ("foofoobar.com", true),
    ("baz.com", true),
    ("localhost.net", true),
    ("local.localhost", true),
    ("barbarbaz.net", true),
    ("wildcard.io", true),
    ("nested.wildcard.io", false),
    ("awildcard.io", true),
];

#[test]
fn use_proxy_table() {
    let pe = ProxyEnv::from_env(&env(&[("NO_PROXY", NO_PROXY)]));
    for &(host, want) in USE_PROXY {
        assert_eq!(pe.use_proxy(host, 80), want, "{host}");
    }
    let all = ProxyEnv::from_env(&env(&[("NO_PROXY", "*")]));
    for &(host, _) in USE_PROXY {
        assert!(!all.use_proxy(host, 80), "{host} with NO_PROXY=*");
    }
    let bad = ProxyEnv::from_env(&env(&[("NO_PROXY", ":1")]));
    assert!(bad.use_proxy("example.com", 80));
}

#[test]
fn uppercase_first_and_all_proxy_ignored() {
    let pe = ProxyEnv::from_env(&env(&[
        ("HTTPS_PROXY", "http://upper:1"),
        ("https_proxy", "http://lower:2"),
        ("ALL_PROXY", "socks5://all:3"),
    ]));
    let v = pe.https.as_ref().expect("https");
    assert_eq!(v.name, "HTTPS_PROXY");
    assert_eq!(v.parsed.as_ref().map(|p| p.host.as_str()), Ok("upper"));
    assert_eq!(
        pe.shadowed,
        vec![("https_proxy", "http://lower:2".to_string())]
    );
    assert_eq!(
        pe.all_proxy,
        Some(("ALL_PROXY", "socks5://all:3".to_string()))
    );
    assert!(pe.http.is_none(), "ALL_PROXY is never used as HTTP_PROXY");
    let lower = ProxyEnv::from_env(&env(&[("https_proxy", "lower:2"), ("all_proxy", "x")]));
    assert_eq!(lower.https.as_ref().map(|v| v.name), Some("https_proxy"));
    assert_eq!(lower.all_proxy.as_ref().map(|v| v.0), Some("all_proxy"));
}

#[test]
fn credentials_are_decoded_and_never_displayed() {
    let p = parse_proxy("http://us%40er:p%3Ass@proxy.corp:3128").expect("parse");
    assert_eq!(p.user, Some(("us@er".to_string(), "p:ss".to_string())));
    assert_eq!(p.display(), "http://us@er:***@proxy.corp:3128");
    // Bad escapes and control characters fail both of Go's parses.
    assert!(parse_proxy("http://proxy%zz:3128").is_err());
    assert!(parse_proxy("proxy\u{7f}:1").is_err());
}
