//! Tables from golang.org/x/net/http/httpproxy/proxy_test.go
//! (`proxyForURLTests`, `UseProxyTests`, `TestInvalidNoProxy`,
//! `TestAllNoProxy`, `TestFromEnvironment*`), less the IDNA cases, merged
//! with the cases modgate's doctor and upstream client had of their own.

use super::*;

struct Vars(Vec<(&'static str, &'static str)>);

impl EnvVars for Vars {
    fn var(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

fn env(pairs: &[(&'static str, &'static str)]) -> ProxyEnv {
    ProxyEnv::from_env(&Vars(pairs.to_vec()))
}

/// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY, CGI, request scheme, host, port, want);
/// `want` is `scheme://host:port` with Go's default port filled in.
type ForUrl = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    &'static str,
    u16,
    &'static str,
);

const PROXY_FOR_URL: &[ForUrl] = &[
    // x/net proxyForURLTests.
    (
        "127.0.0.1:8080",
        "",
        "",
        false,
        "http",
        "example.com",
        80,
        "http://127.0.0.1:8080",
    ),
    (
        "cache.corp.example.com:1234",
        "",
        "",
        false,
        "http",
        "example.com",
        80,
        "http://cache.corp.example.com:1234",
    ),
    (
        "cache.corp.example.com",
        "",
        "",
        false,
        "http",
        "example.com",
        80,
        "http://cache.corp.example.com:80",
    ),
    (
        "localhost",
        "",
        "",
        false,
        "http",
        "example.com",
        80,
        "http://localhost:80",
    ),
    (
        "https://cache.corp.example.com",
        "",
        "",
        false,
        "http",
        "example.com",
        80,
        "https://cache.corp.example.com:443",
    ),
    (
        "http://127.0.0.1:8080",
        "",
        "",
        false,
        "http",
        "example.com",
        80,
        "http://127.0.0.1:8080",
    ),
    (
        "https://127.0.0.1:8080",
        "",
        "",
        false,
        "http",
        "example.com",
        80,
        "https://127.0.0.1:8080",
    ),
    (
        "socks5://127.0.0.1",
        "",
        "",
        false,
        "http",
        "example.com",
        80,
        "socks5://127.0.0.1:1080",
    ),
    (
        "foo://host",
        "",
        "",
        false,
        "http",
        "example.com",
        80,
        "foo://host:80",
    ),
    (
        "http.proxy.tld",
        "secure.proxy.tld",
        "",
        false,
        "http",
        "insecure.tld",
        80,
        "http://http.proxy.tld:80",
    ),
    (
        "http.proxy.tld",
        "secure.proxy.tld",
        "",
        false,
        "https",
        "secure.tld",
        443,
        "http://secure.proxy.tld:80",
    ),
    (
        "http.proxy.tld",
        "https://secure.proxy.tld",
        "",
        false,
        "https",
        "secure.tld",
        443,
        "https://secure.proxy.tld:443",
    ),
    (
        "http.proxy.tld",
        "",
        "",
        false,
        "https",
        "secure.tld",
        443,
        "<nil>",
    ),
    (
        "http.proxy.tld",
        "",
        "",
        false,
        "ftp",
        "insecure.tld",
        21,
        "<nil>",
    ),
    (
        "http://10.1.2.3:8080",
        "",
        "",
        true,
        "http",
        "example.com",
        80,
        "<nil>",
    ),
    (
        "",
        "https://secure.proxy.tld",
        "",
        true,
        "https",
        "secure.tld",
        443,
        "https://secure.proxy.tld:443",
    ),
    ("", "", "", false, "http", "example.com", 80, "<nil>"),
    (
        "proxy",
        "",
        "example.com",
        false,
        "http",
        "example.com",
        80,
        "<nil>",
    ),
    (
        "proxy",
        "",
        ".example.com",
        false,
        "http",
        "example.com",
        80,
        "http://proxy:80",
    ),
    (
        "proxy",
        "",
        "ample.com",
        false,
        "http",
        "example.com",
        80,
        "http://proxy:80",
    ),
    (
        "proxy",
        "",
        "example.com",
        false,
        "http",
        "foo.example.com",
        80,
        "<nil>",
    ),
    (
        "proxy",
        "",
        ".foo.com",
        false,
        "http",
        "example.com",
        80,
        "http://proxy:80",
    ),
    // `http://[1000::%25.example.com]:123`: an IP with a zone is not a domain.
    (
        "proxy",
        "",
        "example.com",
        false,
        "http",
        "1000::%.example.com",
        123,
        "http://proxy:80",
    ),
    // The upstream client's cases.
    (
        "cache.corp:3128",
        "https://secure.corp:8443",
        "internal.corp",
        false,
        "http",
        "proxy.golang.org",
        80,
        "http://cache.corp:3128",
    ),
    (
        "cache.corp:3128",
        "https://secure.corp:8443",
        "internal.corp",
        false,
        "https",
        "proxy.golang.org",
        443,
        "https://secure.corp:8443",
    ),
    (
        "cache.corp:3128",
        "https://secure.corp:8443",
        "internal.corp",
        false,
        "https",
        "mirror.internal.corp",
        443,
        "<nil>",
    ),
    (
        "cache.corp:3128",
        "https://secure.corp:8443",
        "internal.corp",
        false,
        "https",
        "127.0.0.1",
        3000,
        "<nil>",
    ),
    (
        "cache.corp:3128",
        "https://secure.corp:8443",
        "internal.corp",
        false,
        "http",
        "localhost",
        3000,
        "<nil>",
    ),
    (
        "cache.corp:3128",
        "",
        "",
        false,
        "https",
        "proxy.golang.org",
        443,
        "<nil>",
    ),
    (
        "evil:1",
        "good:2",
        "",
        true,
        "http",
        "example.com",
        80,
        "<nil>",
    ),
    (
        "evil:1",
        "good:2",
        "",
        true,
        "https",
        "example.com",
        443,
        "http://good:2",
    ),
    // A value that fails both parses means a direct connection.
    (
        "http://proxy%zz:3128",
        "",
        "",
        false,
        "http",
        "example.com",
        80,
        "<nil>",
    ),
];

#[test]
fn proxy_for_url_table() {
    for &(http, https, no, cgi, scheme, host, port, want) in PROXY_FOR_URL {
        let mut pairs = vec![
            ("HTTP_PROXY", http),
            ("HTTPS_PROXY", https),
            ("NO_PROXY", no),
        ];
        if cgi {
            pairs.push(("REQUEST_METHOD", "GET"));
        }
        let got = env(&pairs)
            .proxy_for(scheme, host, port)
            .map_or("<nil>".to_string(), |p| {
                format!("{}://{}", p.scheme, join_host_port(&p.host, p.port))
            });
        assert_eq!(
            got, want,
            "HTTP_PROXY={http:?} HTTPS_PROXY={https:?} NO_PROXY={no:?} req={scheme}://{host}:{port}"
        );
    }
}

// x/net's noProxy; the upstream client's copy lacked `[2001:db8::52:0:2]:443`,
// which no host on port 80 can match, so one table covers both.
const NO_PROXY: &str = "foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64";

/// x/net's UseProxyTests (hosts without brackets), each tried on port 80.
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
    let pe = env(&[("NO_PROXY", NO_PROXY)]);
    for &(host, want) in USE_PROXY {
        assert_eq!(pe.use_proxy(host, 80), want, "{host}");
    }
    // The port-qualified entries match only their port.
    assert!(!pe.use_proxy("2001:db8::52:0:2", 443));
    assert!(!pe.use_proxy("192.168.1.2", 81));
    assert!(pe.use_proxy("192.168.1.3", 443));
}

#[test]
fn star_disables_everything() {
    let all = env(&[("NO_PROXY", "*")]);
    for &(host, _) in USE_PROXY {
        assert!(!all.use_proxy(host, 80), "{host} with NO_PROXY=*");
    }
    assert!(!all.use_proxy("example.com", 443));
}

#[test]
fn domain_ports_must_match() {
    let pe = env(&[("NO_PROXY", "example.com:8080")]);
    assert!(pe.use_proxy("example.com", 443));
    assert!(!pe.use_proxy("example.com", 8080));
    assert!(!pe.use_proxy("www.example.com", 8080));
}

#[test]
fn malformed_entries_are_ignored() {
    for no in [
        ":1",
        ":80, ,",
        "example.com:notaport",
        "[]:80",
        "10.0.0.0/99x",
    ] {
        assert!(
            env(&[("NO_PROXY", no)]).use_proxy("example.com", 80),
            "{no:?}"
        );
    }
}

#[test]
fn hosts_are_trimmed_and_lowercased() {
    let pe = env(&[("NO_PROXY", " Example.COM ")]);
    assert!(!pe.use_proxy("WWW.example.com", 80));
    assert!(!pe.use_proxy("LOCALHOST", 80));
}

#[test]
fn from_environment() {
    // TestFromEnvironment, TestFromEnvironmentWithRequestMethod,
    // TestFromEnvironmentLowerCase.
    for (pairs, names, cgi) in [
        (
            vec![
                ("HTTP_PROXY", "httpproxy"),
                ("HTTPS_PROXY", "httpsproxy"),
                ("NO_PROXY", "noproxy"),
                ("REQUEST_METHOD", ""),
            ],
            ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"],
            false,
        ),
        (
            vec![
                ("HTTP_PROXY", "httpproxy"),
                ("HTTPS_PROXY", "httpsproxy"),
                ("NO_PROXY", "noproxy"),
                ("REQUEST_METHOD", "PUT"),
            ],
            ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"],
            true,
        ),
        (
            vec![
                ("HTTP_PROXY", ""),
                ("http_proxy", "httpproxy"),
                ("https_proxy", "httpsproxy"),
                ("no_proxy", "noproxy"),
            ],
            ["http_proxy", "https_proxy", "no_proxy"],
            false,
        ),
    ] {
        let pe = env(&pairs);
        let http = pe.http.as_ref().expect("http");
        let https = pe.https.as_ref().expect("https");
        assert_eq!((http.name, http.raw.as_str()), (names[0], "httpproxy"));
        assert_eq!((https.name, https.raw.as_str()), (names[1], "httpsproxy"));
        assert_eq!(pe.no_proxy, Some((names[2], "noproxy".to_string())));
        assert_eq!(pe.cgi, cgi, "{pairs:?}");
        assert!(pe.shadowed.is_empty());
        assert!(pe.any());
    }
    assert!(!env(&[("ALL_PROXY", "socks5://x:1")]).any());
}

#[test]
fn uppercase_first_and_all_proxy_ignored() {
    let pe = env(&[
        ("HTTPS_PROXY", "http://upper:1"),
        ("https_proxy", "http://lower:2"),
        ("ALL_PROXY", "socks5://all:3"),
    ]);
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
    let lower = env(&[("https_proxy", "lower:2"), ("all_proxy", "x")]);
    assert_eq!(lower.https.as_ref().map(|v| v.name), Some("https_proxy"));
    assert_eq!(lower.all_proxy.as_ref().map(|v| v.0), Some("all_proxy"));
}

/// (value, Ok(display) or Err(Go's error text)).
const PARSE: &[(&str, Result<&str, &str>)] = &[
    ("proxy.corp:3128", Ok("http://proxy.corp:3128")),
    ("localhost", Ok("http://localhost:80")),
    ("https://p", Ok("https://p:443")),
    ("socks5h://p", Ok("socks5h://p:1080")),
    ("socks4://proxy.corp:1080", Ok("socks4://proxy.corp:1080")),
    ("http://[::1]:3128", Ok("http://[::1]:3128")),
    ("[::1]:3128", Ok("http://[::1]:3128")),
    (
        "http://u:p@proxy.corp:3128",
        Ok("http://u:***@proxy.corp:3128"),
    ),
    (
        "http://proxy%zz:3128",
        Err(
            r#"invalid proxy address "http://proxy%zz:3128": parse "http://proxy%zz:3128": invalid URL escape "%zz""#,
        ),
    ),
    (
        "proxy\u{7f}:1",
        Err(
            r#"invalid proxy address "proxy\x7f:1": parse "proxy\x7f:1": net/url: invalid control character in URL"#,
        ),
    ),
    (
        "/just/a/path",
        Err(r#"invalid proxy address "/just/a/path": missing host"#),
    ),
    (
        "http://p:99999",
        Err(r#"invalid proxy address "http://p:99999": invalid port "99999""#),
    ),
];

#[test]
fn parse_proxy_table() {
    for &(raw, want) in PARSE {
        let got = parse_proxy(raw);
        assert_eq!(
            got.as_ref().map(ProxyUrl::display).map_err(String::as_str),
            want.map(str::to_string),
            "{raw:?}"
        );
    }
}

#[test]
fn credentials_are_decoded_and_never_displayed() {
    let p = parse_proxy("http://us%40er:p%3Ass@proxy.corp:3128").expect("parse");
    assert_eq!(p.user, Some(("us@er".to_string(), "p:ss".to_string())));
    assert_eq!(p.display(), "http://us@er:***@proxy.corp:3128");
    assert!(p.scheme_supported());
    assert!(!parse_proxy("foo://h").expect("foo").scheme_supported());
}
