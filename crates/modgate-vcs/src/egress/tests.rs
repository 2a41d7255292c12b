//! Egress guard tests: address classes, host parsing and resolution.

use super::*;

/// A table resolver that records the names it was asked for (other modules'
/// tests use it to prove that no name was looked up).
#[derive(Debug)]
pub(crate) struct Counting {
    table: Table,
    asked: std::sync::Mutex<Vec<String>>,
}

impl Counting {
    pub(crate) fn new(table: Table) -> Counting {
        Counting {
            table,
            asked: Default::default(),
        }
    }

    /// The names asked so far, in order.
    pub(crate) fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Resolve for Counting {
    fn resolve<'a>(&'a self, name: &'a str, port: u16) -> ResolveFuture<'a> {
        self.asked.lock().unwrap().push(name.to_string());
        self.table.resolve(name, port)
    }
}

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

fn counting() -> Arc<Counting> {
    let a = |s: &str| s.parse::<SocketAddr>().unwrap();
    Arc::new(Counting::new(Table::new([
        ("localhost", a("127.0.0.1:0")),
        ("localhost", a("[::1]:0")),
        ("public.example", a("93.184.215.14:0")),
        ("internal.example", a("10.0.0.5:0")),
        // One public and one private address: refused.
        ("mixed.example", a("93.184.215.14:0")),
        ("mixed.example", a("[fd00::5]:0")),
        ("git.example", a("93.184.215.15:0")),
    ])))
}

#[tokio::test]
async fn check_resolves_and_refuses() {
    let r = counting();
    let deny = Guard::new(Egress::default(), r.clone());
    let e = deny.check_url("https://127.0.0.1:9/x").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "egress refused: 127.0.0.1:9 resolves to 127.0.0.1 (loopback address)"
    );
    assert!(deny.check_url("https://[::1]:9/x").await.is_err());
    assert!(deny.check_url("https://93.184.215.14/x").await.is_ok());
    // Literals are judged without asking the resolver.
    assert!(r.asked().is_empty());

    assert_eq!(
        deny.check_url("https://localhost/x")
            .await
            .unwrap_err()
            .to_string(),
        "egress refused: localhost resolves to 127.0.0.1 (loopback address)"
    );
    assert_eq!(
        deny.check_url("https://user:pw@internal.example:8443/x")
            .await
            .unwrap_err()
            .to_string(),
        "egress refused: internal.example:8443 resolves to 10.0.0.5 (private address)"
    );
    assert_eq!(
        deny.check_url("http://mixed.example/x")
            .await
            .unwrap_err()
            .why,
        "unique-local address"
    );
    assert!(deny.check_url("https://public.example/x").await.is_ok());
    // A name that does not resolve reaches nothing.
    assert!(
        deny.check_url("https://no-such-host.invalid/x")
            .await
            .is_ok()
    );
    // scp-like and ssh:// are judged by host.
    assert!(
        deny.check_url("git@internal.example:org/r.git")
            .await
            .is_err()
    );
    assert!(deny.check_url("ssh://git@localhost/r.git").await.is_err());
    assert!(deny.check_url("git@git.example:org/r.git").await.is_ok());
    // A transport helper is judged by its address.
    assert!(deny.check_url("ext::https://localhost/x").await.is_err());

    let lo = Guard::new(
        Egress {
            allow_loopback: true,
            allow_private: false,
        },
        r.clone(),
    );
    assert!(lo.check_url("https://localhost:8080/x").await.is_ok());
    assert!(lo.check_url("https://internal.example/x").await.is_err());
    let addrs = lo.resolve_allowed("localhost", 8080).await.unwrap();
    assert_eq!(
        addrs,
        [
            "127.0.0.1:8080".parse::<SocketAddr>().unwrap(),
            "[::1]:8080".parse().unwrap()
        ]
    );
    assert_eq!(
        *r.asked(),
        [
            "localhost",
            "internal.example",
            "mixed.example",
            "public.example",
            "no-such-host.invalid",
            "internal.example",
            "localhost",
            "git.example",
            "localhost",
            "localhost",
            "internal.example",
            "localhost"
        ]
    );
}

#[tokio::test]
async fn local_remotes_are_not_looked_up() {
    let r = counting();
    let deny = Guard::new(Egress::default(), r.clone());
    for url in [
        "file:///srv/git/r.git",
        "FILE:///srv/git/r.git",
        "/srv/git/r.git",
        "./r.git",
        "../x/y:z",
        "r.git",
    ] {
        assert!(deny.check_url(url).await.is_ok(), "{url}");
    }
    assert!(r.asked().is_empty());
}

/// A resolver that never answers: the lookup must not hang the check
/// forever when bounded, and a timeout is a refusal.
#[derive(Debug)]
struct Hung;

impl Resolve for Hung {
    fn resolve<'a>(&'a self, name: &'a str, _port: u16) -> ResolveFuture<'a> {
        Box::pin(async move {
            match tokio::time::timeout(Duration::from_millis(50), std::future::pending::<()>())
                .await
            {
                Ok(()) => Ok(Vec::new()),
                Err(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("lookup of {name} timed out"),
                )),
            }
        })
    }
}

#[tokio::test]
async fn lookup_timeout_refuses() {
    let g = Guard::new(Egress::default(), Arc::new(Hung));
    let e = g.check_url("https://slow.example/x").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "egress refused: slow.example could not be checked: lookup of slow.example timed out"
    );
}
