//! Egress guard tests: address classes, host parsing and resolution.

use super::*;

#[test]
fn address_classes() {
    let deny = Egress::default();
    let cases: &[(&str, Option<&str>)] = &[
        ("8.8.8.8", None),
        ("2001:4860::8888", None),
        ("127.0.0.1", Some("loopback address")),
        ("127.9.9.9", Some("loopback address")),
        ("::1", Some("loopback address")),
        ("::ffff:127.0.0.1", Some("loopback address")),
        ("10.1.2.3", Some("private address")),
        ("172.16.0.1", Some("private address")),
        ("172.32.0.1", None),
        ("192.168.1.1", Some("private address")),
        ("169.254.169.254", Some("link-local address")),
        ("fe80::1", Some("link-local address")),
        ("fd00::1", Some("unique-local address")),
        ("100.64.0.1", Some("shared address space")),
        ("0.0.0.0", Some("unspecified address")),
        ("::", Some("unspecified address")),
        ("224.0.0.1", Some("multicast address")),
        ("255.255.255.255", Some("broadcast address")),
    ];
    for (ip, want) in cases {
        assert_eq!(deny.refusal(ip.parse().unwrap()), *want, "{ip}");
    }
    let lo = Egress {
        allow_loopback: true,
        allow_private: false,
    };
    assert_eq!(lo.refusal("127.0.0.1".parse().unwrap()), None);
    assert!(lo.refusal("10.0.0.1".parse().unwrap()).is_some());
    let private = Egress {
        allow_loopback: false,
        allow_private: true,
    };
    assert_eq!(private.refusal("10.0.0.1".parse().unwrap()), None);
    assert_eq!(private.refusal("169.254.1.1".parse().unwrap()), None);
    assert!(private.refusal("127.0.0.1".parse().unwrap()).is_some());
}

#[test]
fn hosts_of_urls() {
    for (url, host) in [
        ("https://example.com/a/b", "example.com"),
        ("https://user:pw@example.com:8443/a", "example.com:8443"),
        ("ssh://git@example.com/a.git", "example.com"),
        ("git@example.com:org/repo.git", "example.com"),
        ("https://[::1]:8080/x", "[::1]:8080"),
        ("http://127.0.0.1?go-get=1", "127.0.0.1"),
    ] {
        assert_eq!(url_host(url), host, "{url}");
    }
}

#[tokio::test]
async fn check_resolves_and_refuses() {
    let deny = Egress::default();
    let e = deny.check_url("https://127.0.0.1:9/x").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "egress refused: 127.0.0.1:9 resolves to 127.0.0.1 (loopback address)"
    );
    assert!(deny.check_url("https://[::1]:9/x").await.is_err());
    assert!(deny.check_url("https://localhost/x").await.is_err());
    assert!(deny.check_url("https://93.184.215.14/x").await.is_ok());
    assert!(
        deny.check_url("https://no-such-host.invalid/x")
            .await
            .is_ok()
    );
    let lo = Egress {
        allow_loopback: true,
        allow_private: false,
    };
    assert!(lo.check_url("https://localhost:8080/x").await.is_ok());
}
