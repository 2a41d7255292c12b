//! Findings from the transport steps of a probe: addresses that fail to
//! connect, connections that break or hang during the TLS handshake,
//! certificates Go would reject, IPv6 paths that fail while IPv4 works, and
//! the large post-quantum ClientHello that a middlebox drops.

use super::*;

pub(super) fn set_network_error(out: &mut Outcome, msg: String) {
    if out.network_error.is_none() {
        out.network_error = Some(msg);
    }
}

pub(super) fn push(out: &mut Outcome, f: Finding) {
    if !out
        .findings
        .iter()
        .any(|g| g.code == f.code && g.target == f.target)
    {
        out.findings.push(f);
    }
}

/// What to do about an endpoint Go cannot reach, by its role.
pub(super) fn reach_fixes(ep: &Endpoint, proxy_set: bool) -> Vec<String> {
    match &ep.role {
        Role::Proxy { url, .. } => {
            let mut v = vec![format!(
                "go env -w GOPROXY=https://<a proxy this network can reach>,direct   # instead of {url}"
            )];
            if !proxy_set {
                v.push("export HTTPS_PROXY=http://<proxy host>:<port>   # if this network requires an HTTP proxy".into());
            }
            v
        }
        Role::SumDb { .. } => vec![
            "go env -w GOSUMDB=sum.golang.google.cn   # the same database through a mirror reachable in more networks".into(),
            "# or use a GOPROXY that serves /sumdb/ (most module proxies do): go then never contacts the database directly".into(),
        ],
        Role::Vcs { .. } => vec![
            format!("# connect the VPN or network {} is on, then rerun modgate doctor", ep.host),
            format!("# check that a firewall allows {}", ep.target()),
        ],
    }
}

pub(super) fn chain_evidence(h: &Handshake) -> Vec<String> {
    h.chain
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let names = c
                .dns_names
                .iter()
                .chain(c.ip_names.iter())
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "certificate {i}: subject {:?}, issuer {:?}, valid {} to {}{}",
                c.subject,
                c.issuer,
                c.not_before,
                c.not_after,
                if names.is_empty() {
                    String::new()
                } else {
                    format!(", names [{names}]")
                }
            )
        })
        .collect()
}

/// Findings for a certificate that does not verify.
pub(super) fn cert_finding(
    ep: &Endpoint,
    target: &str,
    problem: CertProblem,
    text: &str,
    h: &Handshake,
    ctx: &Ctx,
    severity: Severity,
) -> Finding {
    let mut evidence = vec![format!("tls: failed to verify certificate: {text}")];
    evidence.extend(chain_evidence(h));
    evidence.push(ctx.tls.roots.describe());
    evidence.extend(ctx.tls.roots.problems.iter().cloned());
    let host = &ep.host;
    match problem {
        CertProblem::Untrusted => {
            let product = tls::chain::interceptor(&h.chain);
            let issuer = h.chain.last().map(|c| c.issuer.clone()).unwrap_or_default();
            let mut fix = Vec::new();
            if ctx.tls.roots.count() == 0 {
                fix.push(
                    "sudo apt-get install ca-certificates   # no trusted roots were found at all"
                        .into(),
                );
            }
            fix.push(format!(
                "cat /etc/ssl/certs/ca-certificates.crt <{}-root-ca>.pem > ~/go-roots.pem && export SSL_CERT_FILE=~/go-roots.pem",
                product.map_or("issuer", |p| p).to_ascii_lowercase().replace(' ', "-")
            ));
            fix.push("sudo cp <root-ca>.crt /usr/local/share/ca-certificates/ && sudo update-ca-certificates   # or install the CA system-wide".into());
            Finding {
                code: Code::TlsUntrusted,
                severity,
                target: target.to_string(),
                summary: match product {
                    Some(p) => format!(
                        "{host} presents a certificate issued by {p} ({issuer}), a TLS-interception product whose root CA Go does not trust: go fails with \"x509: certificate signed by unknown authority\"."
                    ),
                    None => format!(
                        "{host} presents a certificate chain ending at {issuer:?}, which is not in the roots Go uses: go fails with \"x509: certificate signed by unknown authority\"."
                    ),
                },
                evidence,
                fix,
            }
        }
        CertProblem::Expired => {
            let leaf = h.chain.first();
            Finding {
                code: Code::TlsExpired,
                severity,
                target: target.to_string(),
                summary: format!(
                    "{host}'s certificate is outside its validity period (valid {} to {}): go fails with \"x509: certificate has expired or is not yet valid\".",
                    leaf.map_or("?", |c| c.not_before.as_str()),
                    leaf.map_or("?", |c| c.not_after.as_str())
                ),
                evidence,
                fix: vec![
                    "date -u   # if this machine's clock is wrong, fix it: sudo timedatectl set-ntp true".into(),
                    format!("# if the clock is right, {host} must renew its certificate (tell its operator)"),
                ],
            }
        }
        CertProblem::Hostname => {
            let names = h
                .chain
                .first()
                .map(|c| {
                    c.dns_names
                        .iter()
                        .chain(c.ip_names.iter())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            Finding {
                code: Code::TlsHostname,
                severity,
                target: target.to_string(),
                summary: format!(
                    "The certificate answering for {host} is valid for [{names}], not {host}: go fails with \"x509: certificate is valid for {names}, not {host}\" (something else is answering: a portal, a filter, or the wrong address)."
                ),
                evidence,
                fix: vec![
                    format!("getent hosts {host}   # check the address is the real {host}"),
                    match &ep.role {
                        Role::Proxy { .. } => format!(
                            "go env -w GOPROXY=https://<correct proxy host>,direct   # if {host} is a typo"
                        ),
                        _ => format!("# check that {host} is the right name for this service"),
                    },
                ],
            }
        }
    }
}

pub(super) fn judge_transport(out: &mut Outcome, ep: &Endpoint, attempts: &[Attempt], ctx: &Ctx) {
    if attempts.is_empty() {
        return;
    }
    let target = ep.target();
    let any_ok = attempts.iter().any(Attempt::works);
    let is_v6 = |a: &&Attempt| a.addr.is_ipv6();
    let v4_ok = attempts
        .iter()
        .filter(|a| a.addr.is_ipv4())
        .any(Attempt::works);
    let failed: Vec<&Attempt> = attempts.iter().filter(|a| !a.works()).collect();
    if failed.is_empty() {
        return;
    }
    let evidence: Vec<String> = failed
        .iter()
        .map(|a| match (&a.connect, &a.tls) {
            (Err(e), _) => format!(
                "dial tcp {}: {} ({} ms)",
                a.addr,
                e.failure.go_text(),
                crate::net::ms(e.elapsed)
            ),
            (Ok((local, _)), Some(h)) => format!(
                "{} → {}: connected, then {} ({} ms){}",
                local.map_or("?".into(), |l| l.to_string()),
                a.addr,
                h.result
                    .as_ref()
                    .err()
                    .map_or(String::new(), |e| e.describe()),
                crate::net::ms(h.elapsed),
                if h.chain.is_empty() {
                    String::new()
                } else {
                    format!("; leaf issuer {:?}", h.chain[0].issuer)
                }
            ),
            _ => format!("{}: failed", a.addr),
        })
        .collect();

    // IPv6 broken while IPv4 works.
    let v6: Vec<&Attempt> = attempts.iter().filter(is_v6).collect();
    if v4_ok
        && !v6.is_empty()
        && v6.iter().all(|a| !a.works())
        && v6.iter().all(|a| {
            !matches!(
                a.tls.as_ref().map(|h| &h.result),
                Some(Err(TlsFailure::Cert(..)))
            )
        })
    {
        let data_fails = v6.iter().any(|a| a.connect.is_ok());
        let preferred = v6.iter().any(|a| match a.addr.ip() {
            IpAddr::V6(x) => !v6_low_precedence(&x),
            IpAddr::V4(_) => false,
        });
        let local_ll = v6.iter().find_map(|a| match &a.connect {
            Ok((Some(SocketAddr::V6(l)), _)) if (l.ip().segments()[0] & 0xffc0) == 0xfe80 => {
                Some(l.to_string())
            }
            _ => None,
        });
        // Connect failures that come back at once (no route, refused) cost Go
        // nothing: it moves straight to the next address. A hanging connect
        // costs its 300 ms Happy Eyeballs delay; a connection that cannot carry
        // data is not retried at all.
        let slow = v6
            .iter()
            .any(|a| matches!(&a.connect, Err(e) if e.failure == NetFailure::Timeout));
        let severity = if data_fails && preferred {
            Severity::Broken
        } else if data_fails || slow {
            Severity::Degraded
        } else {
            Severity::Info
        };
        let mut ev = evidence.clone();
        if !preferred {
            ev.push("Go tries IPv4 before these IPv6 addresses (RFC 6724 precedence), so the damage is limited to delays".into());
        }
        if let Some(l) = local_ll {
            ev.push(format!("local address {l} is link-local: a VPN or tunnel holds the IPv6 route without a routable address"));
        }
        push(out, Finding {
            code: Code::Ipv6Broken,
            severity,
            target: target.clone(),
            summary: if data_fails {
                format!("{} has IPv6 addresses that accept a connection but cannot carry data, while IPv4 works: go's connection \"succeeds\" and then fails (\"write: socket is not connected\" on macOS, \"connection reset\" or a TLS timeout elsewhere), without falling back to IPv4.", ep.host)
            } else {
                if slow {
                    format!("{} has IPv6 addresses whose connections hang while IPv4 works; Go falls back to IPv4 after its 300 ms Happy Eyeballs delay, on every connection.", ep.host)
                } else {
                    format!("{} has IPv6 addresses this machine has no route to while IPv4 works; Go moves on to IPv4 at once, so this costs nothing.", ep.host)
                }
            },
            evidence: ev,
            fix: vec![
                "sudo sysctl -w net.ipv6.conf.<interface>.disable_ipv6=1   # on the VPN/tunnel interface that holds the IPv6 route (or fix or turn off that VPN)".into(),
                "networksetup -setv6off Wi-Fi   # macOS: the network service with the broken IPv6".into(),
                "echo 'precedence ::ffff:0:0/96  100' | sudo tee -a /etc/gai.conf   # makes getaddrinfo users (the cgo resolver) prefer IPv4".into(),
            ],
        });
        return;
    }

    let severity = if any_ok {
        Severity::Degraded
    } else {
        Severity::Broken
    };
    if !any_ok {
        set_network_error(out, evidence.first().cloned().unwrap_or_default());
    }
    // Certificate problems first: they are what go reports.
    for a in &failed {
        if let Some(h) = &a.tls
            && let Err(TlsFailure::Cert(problem, text)) = &h.result
        {
            let f = cert_finding(ep, &target, *problem, text, h, ctx, severity);
            push(out, f);
            return;
        }
    }
    let first = failed[0];
    let (code, summary) = match (&first.connect, first.tls.as_ref().map(|h| &h.result)) {
        (Err(e), _) => (
            e.failure.code(),
            format!(
                "go cannot connect to {target}: \"dial tcp {}: {}\"{}",
                first.addr,
                e.failure.go_text(),
                match e.failure {
                    NetFailure::Timeout => " (packets are dropped: a firewall, or no route out)",
                    NetFailure::Refused => " (nothing listens there, or a firewall rejects it)",
                    NetFailure::Unreachable => " (no route to it from this machine)",
                    _ => "",
                }
            ),
        ),
        (Ok(_), Some(Err(TlsFailure::Timeout))) => (
            Code::TlsTimeout,
            format!(
                "{target} accepts the TCP connection but never answers the TLS ClientHello: go fails with \"net/http: TLS handshake timeout\"."
            ),
        ),
        (Ok(_), Some(Err(TlsFailure::Net(f, _)))) => (
            Code::TcpReset,
            format!(
                "{target} accepts the TCP connection and then {} when the TLS ClientHello is sent: the classic sign of a filter that inspects and kills connections (go prints \"{}\").",
                if *f == NetFailure::Eof {
                    "closes it"
                } else {
                    "resets it"
                },
                f.go_text()
            ),
        ),
        (Ok(_), Some(Err(TlsFailure::NotTls(m)))) => (
            Code::TlsHandshake,
            format!(
                "{target} does not speak TLS on this port: {m} (a plain-HTTP server or proxy answers there)."
            ),
        ),
        (Ok(_), Some(Err(e))) => (
            Code::TlsHandshake,
            format!("The TLS handshake with {target} fails: {}.", e.describe()),
        ),
        _ => return,
    };
    let mut fix = reach_fixes(ep, ctx.settings.proxy.any());
    if code == Code::TlsHandshake && ep.scheme == "https" {
        fix.insert(
            0,
            format!("# if {} serves plain HTTP, use http:// in its URL", ep.host),
        );
    }
    push(
        out,
        Finding {
            code,
            severity,
            target,
            summary: if any_ok {
                format!("Some addresses fail: {summary}")
            } else {
                summary
            },
            evidence,
            fix,
        },
    );
}

pub(super) fn judge_large_hello(out: &mut Outcome, ep: &Endpoint, pq: Result<Handshake, String>) {
    let target = ep.target();
    match pq {
        Err(e) => {
            out.unverified.push(format!(
                "the post-quantum ClientHello Go sends to {target}: could not reconnect ({e})"
            ));
            out.checks.push(Check {
                kind: "tls",
                target: format!("{target} (post-quantum hello)"),
                status: Status::Skip,
                elapsed: None,
                detail: format!("could not reconnect: {e}"),
            })
        }
        Ok(h) => {
            push_tls_check(out, &target, &h);
            if let Err(e) = &h.result
                && matches!(e, TlsFailure::Timeout | TlsFailure::Net(..))
            {
                push(out, Finding {
                    code: Code::TlsLargeHelloDropped,
                    severity: Severity::Broken,
                    target,
                    summary: format!("A classic TLS ClientHello to {} works but the large post-quantum one Go 1.24+ sends (X25519MLKEM768, over 1,200 bytes, two TCP segments) gets {}: a middlebox drops large ClientHellos, and go fails with \"net/http: TLS handshake timeout\" or EOF.", ep.host, e.describe()),
                    evidence: vec![format!("post-quantum hello: {} after {} ms", e.describe(), crate::net::ms(h.elapsed))],
                    fix: vec![
                        "export GODEBUG=tlsmlkem=0   # Go 1.24+: no ML-KEM key share (Go 1.23: GODEBUG=tlskyber=0)".into(),
                        "# ask the network admin to fix the firewall or proxy that drops ClientHellos larger than one packet".into(),
                    ],
                });
            }
        }
    }
}
