//! The client's use of Go's proxy-from-environment rules (the rules and their
//! x/net tables are tested in modgate-core's goenv::httpproxy).

use super::*;

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
