//! Go's proxy-from-environment rules, with x/net/http/httpproxy's TestUseProxy
//! NO_PROXY table.

use super::*;

// The NO_PROXY list and host table of x/net/http/httpproxy's TestUseProxy, every host
// tried on port 80.
const NO_PROXY: &str = "foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, \
     192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:3]:80, 2002:db8:a::45/64";

#[test]
fn use_proxy_table() {
    let np = NoProxy::parse(NO_PROXY);
    let cases: &[(&str, bool)] = &[
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
    for &(host, want) in cases {
        assert_eq!(np.use_proxy(host, "80"), want, "host {host}");
    }
}

#[test]
fn star_disables_everything_and_ports_must_match() {
    assert!(!NoProxy::parse("*").use_proxy("example.com", "443"));
    let np = NoProxy::parse("example.com:8080");
    assert!(np.use_proxy("example.com", "443"));
    assert!(!np.use_proxy("example.com", "8080"));
    // Malformed entries are ignored, not fatal.
    assert!(NoProxy::parse(":80, ,").use_proxy("example.com", "80"));
}

fn env(http: &str, https: &str, no: &str) -> ProxySelector {
    ProxyEnv {
        http_proxy: http.into(),
        https_proxy: https.into(),
        no_proxy: no.into(),
        cgi: false,
    }
    .compile()
    .unwrap()
}

fn pick(sel: &ProxySelector, url: &str) -> Option<String> {
    sel.proxy_for(&Url::parse(url).unwrap())
        .map(|u| u.to_string())
}

#[test]
fn scheme_selects_variable() {
    let sel = env(
        "cache.corp:3128",
        "https://secure.corp:8443",
        "internal.corp",
    );
    assert_eq!(
        pick(&sel, "http://proxy.golang.org/x"),
        Some("http://cache.corp:3128/".into())
    );
    assert_eq!(
        pick(&sel, "https://proxy.golang.org/x"),
        Some("https://secure.corp:8443/".into())
    );
    assert_eq!(pick(&sel, "https://mirror.internal.corp/x"), None);
    assert_eq!(pick(&sel, "https://127.0.0.1:3000/x"), None);
    assert_eq!(pick(&sel, "http://localhost:3000/x"), None);
    // https never falls back to HTTP_PROXY.
    let only_http = env("cache.corp:3128", "", "");
    assert_eq!(pick(&only_http, "https://proxy.golang.org/"), None);
}

#[test]
fn cgi_ignores_http_proxy() {
    let sel = ProxyEnv {
        http_proxy: "evil:1".into(),
        https_proxy: "good:2".into(),
        no_proxy: String::new(),
        cgi: true,
    }
    .compile()
    .unwrap();
    assert_eq!(pick(&sel, "http://example.com/"), None);
    assert_eq!(
        pick(&sel, "https://example.com/"),
        Some("http://good:2/".into())
    );
}

#[test]
fn socks_is_refused_clearly() {
    let err = ProxyEnv {
        https_proxy: "socks5://127.0.0.1:1080".into(),
        ..Default::default()
    }
    .compile()
    .unwrap_err();
    assert!(err.contains("SOCKS proxies are not supported"), "{err}");
}
