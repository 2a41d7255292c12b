//! Fault-lab tests: each builds one failure for real (network namespaces,
//! nftables, real DNS/TLS/HTTP/proxy/git/ssh servers) and asserts that the
//! doctor reports the right finding code, for the right target, with a fix —
//! and, for healthy set-ups, that it reports nothing (false alarms are
//! defects). See tests/lab/mod.rs for the layout. Run as root; elsewhere each
//! test prints why it skips (MODGATE_REQUIRE_LAB=1 makes that a failure).

mod lab;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lab::servers::{self, ProxyMode, Resp, Rule, a, sa, zone};
use lab::{Lab, Side, expect, expect_clean, s4, s6};
use modgate_doctor::finding::Severity;

/// The lab's checksum database `sum.lab.test` (the core's in-memory database,
/// signing real tree notes) and its verifier key, the GOSUMDB value.
fn lab_sumdb() -> (Arc<modgate_core::sumdb::memdb::MemDb>, String) {
    servers::signed_sumdb("sum.lab.test", 7)
}

/// The verifier key of [`lab_sumdb`].
fn lab_sumdb_key() -> String {
    lab_sumdb().1
}

struct Setup {
    lab: Lab,
    ca: lab::certs::Ca,
}

/// A lab with the DNS server at 10.77.0.2 answering `zone`, a trusted CA in
/// SSL_CERT_FILE, and the client's resolv.conf pointing at the DNS server.
fn setup(test: &str, z: servers::Zone) -> Option<Setup> {
    let mut lab = Lab::new(test)?;
    lab.serve(move || servers::dns(sa(s4(2), 53), z));
    lab.resolv_conf(&[s4(2)]);
    let ca = lab::certs::Ca::new("Lab Root CA", "modgate lab");
    ca.write(&lab.path("ca.pem"));
    Some(Setup { lab, ca })
}

impl Setup {
    fn env(&self) -> modgate_doctor::Env {
        self.lab
            .env()
            .with("SSL_CERT_FILE", &self.lab.path("ca.pem").to_string_lossy())
            .with("GOSUMDB", "off")
    }

    /// An HTTPS server for `names` on `ip:port`.
    fn https(
        &mut self,
        ip: IpAddr,
        port: u16,
        names: &[&str],
        expired: bool,
        handler: servers::Handler,
    ) {
        let cfg = self.ca.leaf(names, expired).server_config();
        self.lab
            .serve(move || servers::https(sa(ip, port), cfg, handler));
    }

    fn doctor(&self, env: modgate_doctor::Env) -> modgate_doctor::Report {
        self.lab.doctor(env, None)
    }
}

// ---------------------------------------------------------------- healthy

#[test]
fn healthy_setup_has_no_findings() {
    let Some(mut t) = setup(
        "healthy",
        zone(&[
            (
                "proxy.lab.test",
                Rule::Addrs(vec![s4(3)]),
                Rule::Addrs(vec![s6(3)]),
            ),
            ("sum.lab.test", Rule::Addrs(vec![s4(4)]), Rule::NoData),
        ]),
    ) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    t.https(
        s6(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    let (db, key) = lab_sumdb();
    t.https(s4(4), 443, &["sum.lab.test"], false, servers::sumdb(db));
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test,direct")
            .with("GOSUMDB", &key),
    );
    expect_clean(&r);
    assert_eq!(r.exit_code(), 0);
    assert!(
        r.checks.iter().any(|c| c.kind == "http"
            && c.target.contains("@v/list")
            && c.detail.contains("2 versions")),
        "{}",
        r.to_text()
    );
    assert!(
        r.checks.iter().any(|c| c.kind == "tls"
            && c.target.contains("post-quantum")
            && c.status == modgate_doctor::checks::Status::Ok),
        "{}",
        r.to_text()
    );
    assert!(
        r.checks.iter().any(|c| c.kind == "http"
            && c.target.ends_with("/latest")
            && c.status == modgate_doctor::checks::Status::Ok
            && c.detail.contains("verified")),
        "{}",
        r.to_text()
    );
}

/// GOPROXY=direct: go asks the checksum database itself, and the answer at
/// sum.lab.test comes from `handler`.
fn direct_sumdb(test: &str, handler: servers::Handler) -> Option<modgate_doctor::Report> {
    let mut t = setup(
        test,
        zone(&[("sum.lab.test", Rule::Addrs(vec![s4(4)]), Rule::NoData)]),
    )?;
    t.https(s4(4), 443, &["sum.lab.test"], false, handler);
    Some(
        t.doctor(
            t.env()
                .with("GOPROXY", "direct")
                .with("GOSUMDB", &lab_sumdb_key()),
        ),
    )
}

#[test]
fn a_healthy_checksum_database_reached_directly_is_no_finding() {
    let Some(r) = direct_sumdb("sumdb-direct-healthy", servers::sumdb(lab_sumdb().0)) else {
        return;
    };
    expect_clean(&r);
    assert_eq!(r.verdict(), modgate_doctor::Verdict::Ok, "{}", r.to_text());
}

#[test]
fn a_checksum_database_signed_by_another_key_is_a_key_mismatch() {
    // Another key under the same name: what an intercepting proxy re-signing
    // the database's answers, or a GOSUMDB key for another server, looks like.
    let (impostor, _) = servers::signed_sumdb("sum.lab.test", 8);
    let Some(r) = direct_sumdb("sumdb-key-mismatch", servers::sumdb(impostor)) else {
        return;
    };
    let f = expect(&r, "sumdb.key-mismatch", "sum.lab.test:443");
    assert_eq!(f.severity, Severity::Broken);
    let expected = lab_sumdb_key();
    let expected_id = expected.rsplit_once('+').expect("key").0;
    assert!(
        f.evidence.iter().any(|e| e.contains(expected_id)),
        "{:?}",
        f.evidence
    );
    assert!(
        f.evidence
            .iter()
            .any(|e| e.starts_with("signed by: sum.lab.test+") && !e.contains(expected_id)),
        "{:?}",
        f.evidence
    );
    assert!(
        r.with_code(modgate_doctor::finding::Code::HttpNotAProxy)
            .is_empty()
    );
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn a_portal_answering_for_the_checksum_database_is_not_a_sumdb() {
    let Some(r) = direct_sumdb(
        "sumdb-portal",
        Arc::new(|_r: &servers::Req| {
            Resp::new(
                200,
                "OK",
                "text/html; charset=utf-8",
                "<html><body>Please log in to use this network</body></html>",
            )
        }),
    ) else {
        return;
    };
    let f = expect(&r, "http.not-a-proxy", "sum.lab.test:443");
    assert!(f.summary.contains("checksum database"), "{}", f.summary);
    assert!(
        r.with_code(modgate_doctor::finding::Code::SumdbKeyMismatch)
            .is_empty()
    );
}

#[test]
fn sumdb_served_by_proxy_is_not_probed_for_failures() {
    // The proxy serves /sumdb/<name>/supported: Go never contacts the database
    // directly, so its black-holed address must not be reported as broken.
    let Some(mut t) = setup(
        "sumdb-proxied",
        zone(&[
            ("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData),
            ("sum.lab.test", a(&[s4(9)]).0, Rule::NoData),
        ]),
    ) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy_with_sumdb(),
    );
    t.lab.nft_input(Side::Server, &["ip daddr 10.77.0.9 drop"]);
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("GOSUMDB", &lab_sumdb_key()),
    );
    expect_clean(&r);
}

// ---------------------------------------------------------------- DNS

#[test]
fn dns_nxdomain() {
    let Some(t) = setup("dns-nx", zone(&[])) else {
        return;
    };
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "dns.nxdomain", "proxy.lab.test");
    assert_eq!(f.severity, Severity::Broken);
    assert!(f.summary.contains("no such host"), "{}", f.summary);
    assert_eq!(r.exit_code(), 1);
    assert_eq!(r.verdict().as_str(), "broken");
}

#[test]
fn dns_servfail() {
    let Some(t) = setup(
        "dns-servfail",
        zone(&[("proxy.lab.test", Rule::ServFail, Rule::ServFail)]),
    ) else {
        return;
    };
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "dns.servfail", "proxy.lab.test");
    assert!(f.summary.contains("server misbehaving"), "{}", f.summary);
}

#[test]
fn dns_timeout_every_server_silent() {
    let Some(mut lab) = Lab::new("dns-timeout") else {
        return;
    };
    lab.serve(|| servers::silent_udp(sa(s4(3), 53)));
    lab.resolv_conf(&[s4(3)]);
    let r = lab.doctor(
        lab.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("GOSUMDB", "off"),
        None,
    );
    let f = expect(&r, "dns.timeout", "proxy.lab.test");
    assert_eq!(f.severity, Severity::Broken);
    assert!(f.summary.contains("i/o timeout"), "{}", f.summary);
}

#[test]
fn dns_timeout_first_server_dead_is_degraded() {
    // A dead first server costs Go its 5 s timeout on every lookup, but the
    // second server answers: degraded, not broken.
    let Some(mut t) = setup(
        "dns-slow",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    t.lab.serve(|| servers::silent_udp(sa(s4(4), 53)));
    t.lab.resolv_conf(&[s4(4), s4(2)]);
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "dns.timeout", "proxy.lab.test");
    assert_eq!(f.severity, Severity::Degraded);
    assert!(f.fix.iter().any(|x| x.contains("10.77.0.4")), "{:?}", f.fix);
    assert_eq!(r.exit_code(), 0);
}

#[test]
fn dns_no_resolver() {
    let Some(lab) = Lab::new("dns-none") else {
        return;
    };
    lab.resolv_conf(&[]);
    let r = lab.doctor(
        lab.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("GOSUMDB", "off"),
        None,
    );
    expect(&r, "dns.no-resolver", "proxy.lab.test");
}

// ---------------------------------------------------------------- TCP

#[test]
fn tcp_refused() {
    let Some(t) = setup(
        "tcp-refused",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "tcp.refused", "proxy.lab.test:443");
    assert!(f.summary.contains("connection refused"), "{}", f.summary);
}

#[test]
fn tcp_timeout_black_holed() {
    let Some(t) = setup(
        "tcp-timeout",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    t.lab
        .nft_input(Side::Server, &["ip daddr 10.77.0.3 tcp dport 443 drop"]);
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    expect(&r, "tcp.timeout", "proxy.lab.test:443");
}

#[test]
fn tcp_reset_after_client_hello() {
    let Some(mut t) = setup(
        "tcp-reset",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    t.lab.serve(|| servers::reset_after_hello(sa(s4(3), 443)));
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "tcp.reset", "proxy.lab.test:443");
    assert!(f.summary.contains("ClientHello"), "{}", f.summary);
}

#[test]
fn tcp_unreachable() {
    let Some(t) = setup("tcp-unreach", zone(&[])) else {
        return;
    };
    // No route to 10.99.0.0/16 from the client namespace.
    let r = t.doctor(t.env().with("GOPROXY", "https://10.99.0.1"));
    expect(&r, "tcp.unreachable", "10.99.0.1:443");
}

#[test]
fn ipv6_connects_but_carries_no_data() {
    let Some(mut t) = setup(
        "ipv6-broken",
        zone(&[(
            "proxy.lab.test",
            Rule::Addrs(vec![s4(3)]),
            Rule::Addrs(vec![s6(3)]),
        )]),
    ) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    t.https(
        s6(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    // The handshake goes through, every IPv6 segment carrying data is dropped.
    t.lab.nft_input(
        Side::Server,
        &["ip6 daddr fd00:77::3 tcp dport 443 meta length > 100 drop"],
    );
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "ipv6.broken", "proxy.lab.test:443");
    assert!(f.fix.iter().any(|x| x.contains("gai.conf")), "{:?}", f.fix);
    assert!(
        f.evidence.iter().any(|e| e.contains("fd00:77::3")),
        "{:?}",
        f.evidence
    );
}

// ---------------------------------------------------------------- TLS

#[test]
fn tls_untrusted_names_interception_product() {
    let Some(mut t) = setup(
        "tls-untrusted",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    let evil = lab::certs::Ca::new("Zscaler Root CA", "Zscaler Inc.");
    let cfg = evil.leaf(&["proxy.lab.test"], false).server_config();
    t.lab
        .serve(move || servers::https(sa(s4(3), 443), cfg, servers::module_proxy()));
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "tls.untrusted", "proxy.lab.test:443");
    assert!(f.summary.contains("Zscaler"), "{}", f.summary);
    assert!(
        f.fix.iter().any(|x| x.contains("SSL_CERT_FILE")),
        "{:?}",
        f.fix
    );
}

#[test]
fn tls_expired() {
    let Some(mut t) = setup(
        "tls-expired",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        true,
        servers::module_proxy(),
    );
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "tls.expired", "proxy.lab.test:443");
    assert!(f.summary.contains("2021"), "{}", f.summary);
}

#[test]
fn tls_wrong_hostname() {
    let Some(mut t) = setup(
        "tls-hostname",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["portal.lab.test"],
        false,
        servers::module_proxy(),
    );
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "tls.hostname", "proxy.lab.test:443");
    assert!(f.summary.contains("portal.lab.test"), "{}", f.summary);
}

#[test]
fn tls_handshake_timeout() {
    let Some(mut t) = setup(
        "tls-timeout",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    t.lab.serve(|| servers::hang(sa(s4(3), 443)));
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    expect(&r, "tls.timeout", "proxy.lab.test:443");
}

#[test]
fn tls_large_client_hello_dropped() {
    let Some(mut t) = setup(
        "tls-large-hello",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    // A middlebox that drops any segment over 700 bytes towards the server:
    // the classic hello fits, the post-quantum one does not.
    t.lab.nft_input(
        Side::Server,
        &["ip daddr 10.77.0.3 tcp dport 443 meta length > 700 drop"],
    );
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "tls.large-hello-dropped", "proxy.lab.test:443");
    assert!(
        f.fix.iter().any(|x| x.contains("tlsmlkem=0")),
        "{:?}",
        f.fix
    );
}

#[test]
fn tls_plain_http_on_https_port() {
    let Some(mut t) = setup(
        "tls-not-tls",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    t.lab
        .serve(|| servers::http(sa(s4(3), 443), servers::module_proxy()));
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    expect(&r, "tls.handshake", "proxy.lab.test:443");
}

// ---------------------------------------------------------------- HTTP

#[test]
fn http_status_from_proxy() {
    let Some(mut t) = setup(
        "http-status",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        Arc::new(|_r: &servers::Req| {
            Resp::new(
                503,
                "Service Unavailable",
                "text/plain; charset=utf-8",
                "upstream down\n",
            )
        }),
    );
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "http.status", "proxy.lab.test:443");
    assert!(f.summary.contains("503"), "{}", f.summary);
}

#[test]
fn http_captive_portal_is_not_a_proxy() {
    let Some(mut t) = setup(
        "http-portal",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    t.https(s4(3), 443, &["proxy.lab.test"], false, Arc::new(|_r: &servers::Req| {
        Resp::new(200, "OK", "text/html; charset=utf-8", "<!DOCTYPE html><html><head><title>Guest Wi-Fi</title></head><body>Please log in to continue</body></html>")
    }));
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "http.not-a-proxy", "proxy.lab.test:443");
    assert!(f.summary.contains("log in"), "{}", f.summary);
}

// ---------------------------------------------------------------- HTTP proxy

fn proxied_setup(test: &str, mode: ProxyMode) -> Option<Setup> {
    let mut t = setup(
        test,
        zone(&[
            ("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData),
            ("corpproxy.lab.test", a(&[s4(5)]).0, Rule::NoData),
        ]),
    )?;
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    let names = [("proxy.lab.test".to_string(), s4(3))]
        .into_iter()
        .collect();
    t.lab
        .serve(move || servers::proxy(sa(s4(5), 3128), mode, names));
    Some(t)
}

#[test]
fn proxy_tunnel_works_without_findings() {
    let Some(t) = proxied_setup("proxy-ok", ProxyMode::Open) else {
        return;
    };
    // The client can reach the target only through the proxy.
    t.lab.nft_input(
        Side::Server,
        &["ip saddr 10.77.0.1 ip daddr 10.77.0.3 drop"],
    );
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("HTTPS_PROXY", "corpproxy.lab.test:3128"),
    );
    expect_clean(&r);
    assert!(
        r.checks
            .iter()
            .any(|c| c.target.starts_with("CONNECT proxy.lab.test:443")),
        "{}",
        r.to_text()
    );
}

#[test]
fn proxy_auth_required() {
    let Some(t) = proxied_setup("proxy-407", ProxyMode::Auth("Basic dTpw".into())) else {
        return;
    };
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("HTTPS_PROXY", "http://corpproxy.lab.test:3128"),
    );
    let f = expect(&r, "proxyenv.auth-required", "corpproxy.lab.test:3128");
    assert!(
        f.fix[0].contains("HTTPS_PROXY=http://<user>:<password>@corpproxy.lab.test:3128"),
        "{:?}",
        f.fix
    );
    // With the right credentials in the URL, the same proxy works.
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("HTTPS_PROXY", "http://u:p@corpproxy.lab.test:3128"),
    );
    expect_clean(&r);
}

#[test]
fn proxy_unreachable() {
    let Some(t) = proxied_setup("proxy-down", ProxyMode::Open) else {
        return;
    };
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("https_proxy", "http://corpproxy.lab.test:3129"),
    );
    let f = expect(&r, "proxyenv.unreachable", "corpproxy.lab.test:3129");
    assert!(f.summary.contains("proxyconnect tcp"), "{}", f.summary);
}

#[test]
fn proxy_refuses_tunnel_to_internal_host() {
    let Some(t) = proxied_setup("proxy-403", ProxyMode::Refuse(403, "Forbidden")) else {
        return;
    };
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("HTTPS_PROXY", "http://corpproxy.lab.test:3128"),
    );
    let f = expect(&r, "http.status", "proxy.lab.test:443");
    assert!(
        f.summary.contains("refuses to open a tunnel"),
        "{}",
        f.summary
    );
    assert!(
        f.fix
            .iter()
            .any(|x| x.starts_with("export NO_PROXY=proxy.lab.test")),
        "{:?}",
        f.fix
    );
}

#[test]
fn proxy_https_scheme_on_plain_proxy() {
    let Some(t) = proxied_setup("proxy-https", ProxyMode::Open) else {
        return;
    };
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("HTTPS_PROXY", "https://corpproxy.lab.test:3128"),
    );
    let f = expect(&r, "proxyenv.invalid", "corpproxy.lab.test:3128");
    assert!(
        f.fix
            .iter()
            .any(|x| x == "export HTTPS_PROXY=http://corpproxy.lab.test:3128"),
        "{:?}",
        f.fix
    );
}

// ---------------------------------------------------------------- SOCKS5 proxy

/// A real SOCKS5 server (microsocks) at 10.77.0.5:1080 (`-u/-P` with `auth`),
/// the module proxy `proxy.lab.test` at 10.77.0.3 (its certificate expired
/// when `expired`), and the checksum database at 10.77.0.4. The client's DNS
/// knows only `socks.lab.test`: Go lets the SOCKS5 proxy resolve the names
/// (`socks5` like `socks5h`), and the proxy's hosts file has them.
fn socks_setup(test: &str, auth: Option<(&str, &str)>, expired: bool) -> Option<Setup> {
    let mut t = setup(
        test,
        zone(&[("socks.lab.test", a(&[s4(5)]).0, Rule::NoData)]),
    )?;
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        expired,
        servers::module_proxy(),
    );
    t.https(
        s4(4),
        443,
        &["sum.lab.test"],
        false,
        servers::sumdb(lab_sumdb().0),
    );
    t.lab.server_hosts(&[
        ("proxy.lab.test", s4(3)),
        ("sum.lab.test", s4(4)),
        ("closed.lab.test", s4(6)),
    ]);
    let mut args = vec!["microsocks", "-i", "10.77.0.5", "-p", "1080"];
    if let Some((u, p)) = auth {
        args.extend(["-u", u, "-P", p]);
    }
    t.lab.spawn(Side::Server, &args);
    t.lab.wait_listening(Side::Server, sa(s4(5), 1080));
    // The client can reach the servers only through the SOCKS5 proxy.
    t.lab.nft_input(
        Side::Server,
        &["ip saddr 10.77.0.1 ip daddr { 10.77.0.3, 10.77.0.4 } drop"],
    );
    Some(t)
}

fn socks_env(t: &Setup, proxy: &str) -> modgate_doctor::Env {
    t.env()
        .with("GOPROXY", "https://proxy.lab.test")
        .with("GOSUMDB", &lab_sumdb_key())
        .with("HTTPS_PROXY", proxy)
}

#[test]
fn socks5_proxy_tunnel_works_without_findings() {
    let Some(t) = socks_setup("socks-ok", None, false) else {
        return;
    };
    for proxy in ["socks5://socks.lab.test:1080", "socks5h://socks.lab.test"] {
        let r = t.doctor(socks_env(&t, proxy));
        expect_clean(&r);
        assert_eq!(r.verdict(), modgate_doctor::Verdict::Ok, "{}", r.to_text());
        for target in ["proxy.lab.test:443", "sum.lab.test:443"] {
            assert!(
                r.checks.iter().any(|c| c.target
                    == format!("SOCKS5 CONNECT {target} via socks.lab.test:1080")
                    && c.status == modgate_doctor::checks::Status::Ok),
                "{proxy}: {}",
                r.to_text()
            );
        }
        assert!(
            r.checks
                .iter()
                .any(|c| c.target.ends_with("/latest")
                    && c.status == modgate_doctor::checks::Status::Ok),
            "{}",
            r.to_text()
        );
    }
}

#[test]
fn socks5_proxy_with_nothing_listening_is_not_ok() {
    // The case: HTTPS_PROXY=socks5://<host>:1080 and nothing there.
    let Some(t) = setup("socks-down", zone(&[])) else {
        return;
    };
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("HTTPS_PROXY", "socks5://10.77.0.5:1080"),
    );
    let f = expect(&r, "proxyenv.unreachable", "10.77.0.5:1080");
    assert!(
        f.summary
            .contains("proxyconnect tcp: dial tcp 10.77.0.5:1080: connect: connection refused"),
        "{}",
        f.summary
    );
    assert!(f.summary.contains("SOCKS5 proxy"), "{}", f.summary);
    assert_eq!(
        r.verdict(),
        modgate_doctor::Verdict::Broken,
        "{}",
        r.to_text()
    );
    assert_ne!(r.exit_code(), 0);
    assert!(!r.to_text().contains("go should be able to download"));
}

#[test]
fn socks5_proxy_credentials() {
    let Some(t) = socks_setup("socks-auth", Some(("gopher", "s3cret")), false) else {
        return;
    };
    // No credentials in the URL: the proxy accepts no method go offers.
    let r = t.doctor(socks_env(&t, "socks5://socks.lab.test:1080"));
    let f = expect(&r, "proxyenv.auth-required", "socks.lab.test:1080");
    assert!(
        f.summary.contains("no acceptable authentication methods"),
        "{}",
        f.summary
    );
    assert!(
        f.fix[0].contains("HTTPS_PROXY=socks5://<user>:<password>@socks.lab.test:1080"),
        "{:?}",
        f.fix
    );
    // Wrong password.
    let r = t.doctor(socks_env(&t, "socks5://gopher:nope@socks.lab.test:1080"));
    let f = expect(&r, "proxyenv.auth-required", "socks.lab.test:1080");
    assert!(
        f.summary
            .contains("username/password authentication failed"),
        "{}",
        f.summary
    );
    // The right ones: clean.
    let r = t.doctor(socks_env(&t, "socks5://gopher:s3cret@socks.lab.test:1080"));
    expect_clean(&r);
    assert_eq!(r.verdict(), modgate_doctor::Verdict::Ok, "{}", r.to_text());
}

#[test]
fn socks5_proxy_refuses_the_connect() {
    // closed.lab.test resolves at the proxy, but nothing listens there: the
    // proxy answers the CONNECT with reply 5, connection refused.
    let Some(t) = socks_setup("socks-refused", None, false) else {
        return;
    };
    let r = t.doctor(
        socks_env(&t, "socks5://socks.lab.test:1080").with("GOPROXY", "https://closed.lab.test"),
    );
    let f = expect(&r, "proxyenv.socks-refused", "closed.lab.test:443");
    assert!(
        f.summary.contains("socks connect tcp socks.lab.test:1080->closed.lab.test:443: unknown error connection refused"),
        "{}",
        f.summary
    );
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn socks5_url_pointing_at_an_http_proxy() {
    let Some(t) = proxied_setup("socks-not-socks", ProxyMode::Open) else {
        return;
    };
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("HTTPS_PROXY", "socks5://corpproxy.lab.test:3128"),
    );
    let f = expect(&r, "proxyenv.invalid", "corpproxy.lab.test:3128");
    assert!(
        f.summary.contains("unexpected protocol version 72"),
        "{}",
        f.summary
    );
    assert!(
        f.fix
            .iter()
            .any(|x| x.starts_with("export HTTPS_PROXY=http://corpproxy.lab.test:3128")),
        "{:?}",
        f.fix
    );
}

#[test]
fn socks5_tunnel_to_an_expired_certificate() {
    let Some(t) = socks_setup("socks-expired", None, true) else {
        return;
    };
    let r = t.doctor(socks_env(&t, "socks5://socks.lab.test:1080"));
    expect(&r, "tls.expired", "proxy.lab.test:443");
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn no_proxy_host_is_reached_directly() {
    // NO_PROXY covers the target: Go connects directly and the (dead) proxy
    // does not matter.
    let Some(mut t) = setup(
        "no-proxy",
        zone(&[("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData)]),
    ) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("HTTPS_PROXY", "http://10.77.0.8:1")
            .with("NO_PROXY", ".lab.test"),
    );
    expect_clean(&r);
}

// ---------------------------------------------------------------- GOPROXY chain

#[test]
fn comma_chain_cannot_fall_back_from_a_dead_proxy() {
    let Some(mut t) = setup(
        "no-fallback",
        zone(&[
            ("dead.lab.test", a(&[s4(3)]).0, Rule::NoData),
            ("good.lab.test", a(&[s4(4)]).0, Rule::NoData),
        ]),
    ) else {
        return;
    };
    t.https(
        s4(4),
        443,
        &["good.lab.test"],
        false,
        servers::module_proxy(),
    );
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://dead.lab.test,https://good.lab.test"),
    );
    let f = expect(&r, "config.no-fallback", "GOPROXY");
    assert_eq!(
        f.fix,
        vec!["go env -w 'GOPROXY=https://dead.lab.test|https://good.lab.test'".to_string()]
    );
    // With '|' the same network is fine for go: no no-fallback finding.
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://dead.lab.test|https://good.lab.test"),
    );
    assert!(
        r.with_code(modgate_doctor::finding::Code::NoFallback)
            .is_empty(),
        "{}",
        r.to_text()
    );
}

// ---------------------------------------------------------------- wall time

#[test]
fn everything_black_holed_finishes_within_ten_seconds() {
    let Some(mut lab) = Lab::new("black-hole") else {
        return;
    };
    // DNS servers silent; every packet from the client to any server address
    // dropped: the proxies, the checksum database, the private git host (git
    // itself is told its address, so it hangs in connect too).
    lab.serve(|| servers::silent_udp(sa(s4(2), 53)));
    lab.resolv_conf(&[s4(2), s4(3)]);
    lab.nft_input(
        Side::Server,
        &["ip saddr 10.77.0.1 drop", "ip6 saddr fd00:77::1 drop"],
    );
    std::fs::write(
        lab.path("hosts"),
        "10.77.0.4 proxy.lab.test\nfd00:77::4 proxy.lab.test\n10.77.0.5 sum.lab.test\n",
    )
    .expect("hosts");
    std::fs::write(
        lab.path("gitconfig"),
        "[http]\n\tcurloptResolve = git.lab.test:443:10.77.0.6\n",
    )
    .expect("gitconfig");
    let module = lab.path("mod");
    std::fs::create_dir_all(&module).expect("mkdir");
    std::fs::write(
        module.join("go.mod"),
        "module example.com/app\n\nrequire (\n\tgit.lab.test/team/repo.git v1.0.0\n\tcorp.lab.test/x v1.0.0\n)\n",
    )
    .expect("go.mod");
    let env = lab
        .env()
        .with(
            "GOPROXY",
            "https://proxy.lab.test,https://10.77.0.6:8443,direct",
        )
        .with("GOSUMDB", &lab_sumdb_key())
        .with("GOPRIVATE", "git.lab.test,corp.lab.test");
    for (label, env) in [
        ("direct", env.clone()),
        (
            "through a black-holed HTTPS_PROXY",
            env.with("HTTPS_PROXY", "http://10.77.0.7:3128"),
        ),
    ] {
        let start = Instant::now();
        let r = lab.doctor(env, Some(&module));
        let took = start.elapsed();
        eprintln!("black-holed doctor run ({label}): {took:?}");
        assert!(
            took < Duration::from_secs(10),
            "{label}: took {took:?}:\n{}",
            r.to_text()
        );
        assert_eq!(r.exit_code(), 1, "{}", r.to_text());
        if label == "direct" {
            expect(&r, "tcp.timeout", "proxy.lab.test:443");
            expect(&r, "dns.timeout", "corp.lab.test");
            assert!(
                r.checks
                    .iter()
                    .any(|c| c.kind == "git" && c.detail.contains("did not finish")),
                "{}",
                r.to_text()
            );
        } else {
            expect(&r, "proxyenv.unreachable", "10.77.0.7:3128");
        }
    }
}

// ---------------------------------------------------------------- git

const GIT_MODULE: &str = "git.lab.test/team/repo";

/// A private git host at 10.77.0.6 (go-get pages + smart HTTP needing
/// credentials u:p), a module requiring it, GOPRIVATE covering it, and git
/// told (like a user would) to trust the lab CA and how to reach the host.
fn git_setup(test: &str) -> Option<(Setup, std::path::PathBuf)> {
    let mut t = setup(test, zone(&[("git.lab.test", a(&[s4(6)]).0, Rule::NoData)]))?;
    let root = t.lab.path("repos");
    let repo = root.join("team/repo.git");
    std::fs::create_dir_all(&repo).expect("mkdir");
    let ok = std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&repo)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "git init --bare");
    t.https(
        s4(6),
        443,
        &["git.lab.test"],
        false,
        servers::git_host("git.lab.test", root, "Basic dTpw"),
    );
    let module = t.lab.path("mod");
    std::fs::create_dir_all(&module).expect("mkdir");
    std::fs::write(
        module.join("go.mod"),
        format!("module example.com/app\n\ngo 1.22\n\nrequire {GIT_MODULE} v1.0.0\n"),
    )
    .expect("go.mod");
    std::fs::write(
        t.lab.path("gitconfig"),
        "[http]\n\tcurloptResolve = git.lab.test:443:10.77.0.6\n",
    )
    .expect("gitconfig");
    Some((t, module))
}

impl Setup {
    fn git_env(&self) -> modgate_doctor::Env {
        self.env()
            .with("GOPROXY", "direct")
            .with("GOPRIVATE", "git.lab.test")
            .with("GIT_SSL_CAINFO", &self.lab.path("ca.pem").to_string_lossy())
    }
}

#[test]
fn git_https_without_credentials() {
    let Some((t, module)) = git_setup("git-https-auth") else {
        return;
    };
    let r = t.lab.doctor(t.git_env(), Some(&module));
    let f = expect(&r, "git.https-auth", "git.lab.test");
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("terminal prompts disabled")),
        "{:?}",
        f.evidence
    );
    assert!(
        f.fix.iter().any(|x| x.contains("machine git.lab.test")),
        "{:?}",
        f.fix
    );
    // The go-get page itself was fine: no HTTP finding.
    assert!(
        r.with_code(modgate_doctor::finding::Code::HttpStatus)
            .is_empty(),
        "{}",
        r.to_text()
    );
}

#[test]
fn git_https_with_netrc_credentials_is_clean() {
    let Some((t, module)) = git_setup("git-https-ok") else {
        return;
    };
    let home = t.lab.path("home");
    std::fs::create_dir_all(&home).expect("home");
    std::fs::write(
        home.join(".netrc"),
        "machine git.lab.test login u password p\n",
    )
    .expect("netrc");
    let r = t.lab.doctor(t.git_env(), Some(&module));
    expect_clean(&r);
    assert!(
        r.checks
            .iter()
            .any(|c| c.kind == "git" && c.status == modgate_doctor::checks::Status::Ok),
        "{}",
        r.to_text()
    );
}

/// Adds an sshd at 10.77.0.7:22 (no authorized keys) and an insteadOf rule
/// sending the module's https URL to it; `known` decides whether the
/// client's known_hosts holds its host key.
fn ssh_setup(test: &str, known: bool) -> Option<(Setup, std::path::PathBuf, modgate_doctor::Env)> {
    let (mut t, module) = git_setup(test)?;
    if !std::path::Path::new("/usr/sbin/sshd").exists() {
        if std::env::var("MODGATE_REQUIRE_LAB").as_deref() == Ok("1") {
            panic!("sshd missing (scripts/lib/ensure-lab.sh installs openssh-server)");
        }
        eprintln!("skipping {test}: /usr/sbin/sshd not installed");
        return None;
    }
    let key = t.lab.path("ssh_host_ed25519_key");
    let ok = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", ""])
        .arg("-f")
        .arg(&key)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "ssh-keygen");
    let _ = std::fs::create_dir_all("/run/sshd");
    let cfg = t.lab.path("sshd_config");
    std::fs::write(
        &cfg,
        format!(
            "ListenAddress 10.77.0.7\nPort 22\nHostKey {}\nPidFile none\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nAuthorizedKeysFile none\nStrictModes no\n",
            key.display()
        ),
    )
    .expect("sshd_config");
    t.lab.spawn(
        Side::Server,
        &["/usr/sbin/sshd", "-D", "-e", "-f", &cfg.to_string_lossy()],
    );
    t.lab.wait_listening(Side::Server, sa(s4(7), 22));
    let kh = t.lab.path("known_hosts");
    let pubkey = std::fs::read_to_string(t.lab.path("ssh_host_ed25519_key.pub")).expect("pub");
    std::fs::write(
        &kh,
        if known {
            format!("10.77.0.7 {pubkey}")
        } else {
            String::new()
        },
    )
    .expect("known_hosts");
    std::fs::write(
        t.lab.path("gitconfig"),
        "[http]\n\tcurloptResolve = git.lab.test:443:10.77.0.6\n[url \"ssh://git@10.77.0.7/\"]\n\tinsteadOf = https://git.lab.test/\n",
    )
    .expect("gitconfig");
    let ssh = format!(
        "ssh -F /dev/null -o UserKnownHostsFile={} -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o IdentityFile={}",
        kh.display(),
        t.lab.path("no_such_key").display()
    );
    let env = t.git_env().with("GIT_SSH_COMMAND", &ssh);
    Some((t, module, env))
}

#[test]
fn git_ssh_unknown_host_key() {
    let Some((t, module, env)) = ssh_setup("git-host-key", false) else {
        return;
    };
    let r = t.lab.doctor(env, Some(&module));
    let f = expect(&r, "git.host-key", "10.77.0.7");
    assert!(
        f.fix.iter().any(|x| x.starts_with("ssh-keyscan 10.77.0.7")),
        "{:?}",
        f.fix
    );
    assert!(
        r.checks
            .iter()
            .any(|c| c.kind == "git" && c.target.contains("insteadOf")),
        "{}",
        r.to_text()
    );
}

#[test]
fn git_ssh_publickey_refused() {
    let Some((t, module, env)) = ssh_setup("git-ssh-auth", true) else {
        return;
    };
    let r = t.lab.doctor(env, Some(&module));
    let f = expect(&r, "git.ssh-auth", "10.77.0.7");
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("Permission denied (publickey)")),
        "{:?}",
        f.evidence
    );
}

// ---------------------------------------------------------------- more IPv6 and DNS

#[test]
fn ipv6_connect_black_holed_is_degraded() {
    let Some(mut t) = setup(
        "ipv6-syn-dropped",
        zone(&[(
            "proxy.lab.test",
            Rule::Addrs(vec![s4(3)]),
            Rule::Addrs(vec![s6(3)]),
        )]),
    ) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    t.lab
        .nft_input(Side::Server, &["ip6 daddr fd00:77::3 tcp dport 443 drop"]);
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "ipv6.broken", "proxy.lab.test:443");
    assert_eq!(f.severity, Severity::Degraded);
    assert!(
        r.with_code(modgate_doctor::finding::Code::TcpTimeout)
            .is_empty(),
        "IPv4 works: no tcp.timeout\n{}",
        r.to_text()
    );
    assert_eq!(r.exit_code(), 0);
}

#[test]
fn ipv6_without_route_costs_nothing() {
    // AAAA points somewhere this machine has no IPv6 route to: connect fails
    // at once and Go moves on, so at most an info note.
    let Some(mut t) = setup(
        "ipv6-no-route",
        zone(&[(
            "proxy.lab.test",
            Rule::Addrs(vec![s4(3)]),
            Rule::Addrs(vec!["fd00:99::1".parse().expect("ip")]),
        )]),
    ) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    expect_clean(&r);
}

#[test]
fn aaaa_queries_silent_is_degraded() {
    let Some(mut t) = setup(
        "dns-aaaa-silent",
        zone(&[("proxy.lab.test", Rule::Addrs(vec![s4(3)]), Rule::Silent)]),
    ) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    let f = expect(&r, "dns.timeout", "proxy.lab.test");
    assert_eq!(f.severity, Severity::Degraded);
    assert!(f.summary.contains("AAAA"), "{}", f.summary);
}

#[test]
fn hosts_file_wins_over_dns() {
    // DNS says NXDOMAIN, /etc/hosts pins the name: Go uses the hosts file.
    let Some(mut t) = setup("hosts-file", zone(&[])) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    std::fs::write(
        t.lab.path("hosts"),
        "127.0.0.1 localhost\n10.77.0.3 proxy.lab.test\n",
    )
    .expect("hosts");
    let r = t.doctor(t.env().with("GOPROXY", "https://proxy.lab.test"));
    expect_clean(&r);
}

#[test]
fn sumdb_status_and_not_a_database() {
    let Some(mut t) = setup(
        "sumdb-status",
        zone(&[
            ("proxy.lab.test", a(&[s4(3)]).0, Rule::NoData),
            ("sum.lab.test", a(&[s4(4)]).0, Rule::NoData),
        ]),
    ) else {
        return;
    };
    t.https(
        s4(3),
        443,
        &["proxy.lab.test"],
        false,
        servers::module_proxy(),
    );
    t.https(
        s4(4),
        443,
        &["sum.lab.test"],
        false,
        Arc::new(|_r: &servers::Req| {
            Resp::new(
                403,
                "Forbidden",
                "text/plain; charset=utf-8",
                "blocked by policy\n",
            )
        }),
    );
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("GOSUMDB", &lab_sumdb_key()),
    );
    let f = expect(&r, "http.status", "sum.lab.test:443");
    assert!(f.summary.contains("403"), "{}", f.summary);
    assert!(f.fix.iter().any(|x| x.contains("GOSUMDB")), "{:?}", f.fix);
}

#[test]
fn goinsecure_private_host_with_untrusted_certificate_is_not_a_tls_failure() {
    // GOINSECURE makes go skip certificate checks for these paths: an
    // untrusted certificate there is no failure (the insecure setting itself
    // is reported as config.insecure).
    let Some((mut t, module)) = git_setup("goinsecure") else {
        return;
    };
    let other = lab::certs::Ca::new("Self Signed", "corp");
    let cfg = other.leaf(&["git.lab.test"], false).server_config();
    t.lab
        .serve(move || servers::https(sa(s4(6), 8443), cfg, servers::module_proxy()));
    std::fs::write(
        module.join("go.mod"),
        "module example.com/app\n\nrequire git.lab.test:8443/team/repo v1.0.0\n",
    )
    .expect("go.mod");
    let r = t.lab.doctor(
        t.git_env().with("GOINSECURE", "git.lab.test:8443"),
        Some(&module),
    );
    let tls: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code.as_str().starts_with("tls."))
        .collect();
    assert!(tls.is_empty(), "{}", r.to_text());
    expect(&r, "config.insecure", "GOINSECURE");
}

#[test]
fn all_proxy_ignored_matters_when_direct_fails() {
    // curl would use ALL_PROXY; Go connects directly, and direct is blocked.
    let Some(t) = proxied_setup("all-proxy", ProxyMode::Open) else {
        return;
    };
    t.lab.nft_input(
        Side::Server,
        &["ip saddr 10.77.0.1 ip daddr 10.77.0.3 drop"],
    );
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("ALL_PROXY", "http://corpproxy.lab.test:3128"),
    );
    let f = expect(&r, "proxyenv.all-proxy-ignored", "ALL_PROXY");
    assert_eq!(f.severity, Severity::Broken);
    expect(&r, "tcp.timeout", "proxy.lab.test:443");
    // Setting HTTPS_PROXY to the same value, as the fix says, makes it work.
    let r = t.doctor(
        t.env()
            .with("GOPROXY", "https://proxy.lab.test")
            .with("ALL_PROXY", "http://corpproxy.lab.test:3128")
            .with("HTTPS_PROXY", "http://corpproxy.lab.test:3128"),
    );
    expect_clean(&r);
}
