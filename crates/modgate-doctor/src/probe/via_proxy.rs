//! The probe when Go would reach the endpoint through a proxy
//! (HTTPS_PROXY/HTTP_PROXY, not covered by NO_PROXY): the proxy's name and
//! addresses, TLS to an `https://` proxy, the tunnel — an HTTP CONNECT (407,
//! refusals) or a SOCKS5 CONNECT ([`super::via_socks`]) — then TLS and HTTP
//! to the target through the tunnel.

use super::*;

pub(super) async fn probe_via_proxy(ep: &Endpoint, p: &ProxyUrl, ctx: &Ctx) -> Outcome {
    let mut out = Outcome::new(ep);
    let ptarget = join_host_port(&p.host, p.port);
    let unreachable = |summary: String, evidence: Vec<String>| Finding {
        code: Code::ProxyEnvUnreachable,
        severity: Severity::Broken,
        target: ptarget.clone(),
        summary,
        evidence,
        fix: vec![
            format!(
                "env | grep -i _proxy   # check the proxy address: {} (from {})",
                p.display(),
                proxy_var_name(ctx, ep)
            ),
            "unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy   # if this network needs no proxy"
                .into(),
        ],
    };
    let Some(res) = ctx.resolutions.get(&p.host) else {
        out.unverified.push(format!(
            "{} through the proxy {}: the proxy's name was not looked up",
            ep.target(),
            p.display()
        ));
        return out;
    };
    if res.failed() {
        set_network_error(
            &mut out,
            format!("proxyconnect tcp: lookup {} failed", p.host),
        );
        let ev = res.findings.iter().map(|f| f.summary.clone()).collect();
        push(
            &mut out,
            unreachable(
                format!(
                    "Go sends requests for {} through the proxy {}, whose name does not resolve: go fails with \"proxyconnect tcp: dial tcp: lookup {}\".",
                    ep.host,
                    p.display(),
                    p.host
                ),
                ev,
            ),
        );
        return out;
    }
    let addrs = go_order(&res.addrs().collect::<Vec<_>>());
    let mut set = tokio::task::JoinSet::new();
    for (i, ip) in addrs.iter().enumerate() {
        let addr = SocketAddr::new(*ip, p.port);
        let d = ctx.deadline;
        set.spawn(async move {
            (
                i,
                addr,
                tcp::connect(addr, d.cap(tcp::CONNECT_TIMEOUT)).await,
            )
        });
    }
    let mut results = Vec::new();
    while let Some(Ok(r)) = set.join_next().await {
        results.push(r);
    }
    results.sort_by_key(|(i, _, _)| *i);
    for (_, addr, r) in &results {
        let mut c = tcp::check(
            &format!("proxy {addr}"),
            r.as_ref().map(|c| (c.local, c.elapsed)),
        );
        c.kind = "proxy";
        out.checks.push(c);
    }
    let Some(proxy_addr) = results
        .iter()
        .find(|(_, _, r)| r.is_ok())
        .map(|(_, a, _)| *a)
    else {
        let ev: Vec<String> = results
            .iter()
            .filter_map(|(_, a, r)| {
                r.as_ref()
                    .err()
                    .map(|e| format!("dial tcp {a}: {}", e.failure.go_text()))
            })
            .collect();
        set_network_error(
            &mut out,
            format!(
                "proxyconnect tcp: {}",
                ev.first().cloned().unwrap_or_default()
            ),
        );
        push(
            &mut out,
            unreachable(
                format!(
                    "The {} {} does not accept connections: go fails with \"proxyconnect tcp: {}\".",
                    proxy_kind(p),
                    p.display(),
                    ev.first().cloned().unwrap_or_default()
                ),
                ev,
            ),
        );
        return out;
    };
    drop(results);
    let route = Route::Proxy {
        proxy_addr,
        proxy: p,
    };
    // TLS to an https:// proxy, then the tunnel.
    let io = match open_proxy(proxy_addr, p, ctx).await {
        Ok(io) => io,
        Err((tls_err, m)) => {
            set_network_error(&mut out, format!("proxyconnect tcp: {m}"));
            out.checks.push(Check {
                kind: "proxy",
                target: format!("TLS to proxy {ptarget}"),
                status: Status::Fail,
                elapsed: None,
                detail: m.clone(),
            });
            let f = match tls_err {
                Some(TlsFailure::NotTls(_)) => Finding {
                    code: Code::ProxyEnvInvalid,
                    severity: Severity::Broken,
                    target: ptarget.clone(),
                    summary: format!(
                        "{}={} uses https://, but the proxy speaks plain HTTP: go fails with \"proxyconnect tcp: tls: first record does not look like a TLS handshake\".",
                        proxy_var_name(ctx, ep),
                        p.display()
                    ),
                    evidence: vec![m],
                    fix: vec![format!(
                        "export {}=http://{}",
                        proxy_var_name(ctx, ep),
                        ptarget
                    )],
                },
                _ => unreachable(
                    format!(
                        "The TLS connection to the proxy {} fails: {m}.",
                        p.display()
                    ),
                    vec![m.clone()],
                ),
            };
            push(&mut out, f);
            return out;
        }
    };
    if is_socks(p) {
        let Some(io) = super::via_socks::tunnel(&mut out, ep, p, ctx, io, &ptarget).await else {
            return out;
        };
        let io = if ep.scheme == "https" {
            match tls_through_tunnel(&mut out, ep, p, ctx, io).await {
                Some(s) => s,
                None => return out,
            }
        } else {
            io
        };
        finish(&mut out, ep, ctx, io, route).await;
        return out;
    }
    if ep.scheme != "https" {
        out.checks.push(Check {
            kind: "proxy",
            target: ptarget.clone(),
            status: Status::Ok,
            elapsed: None,
            detail: "connected (plain HTTP requests go through it)".into(),
        });
        let answers = run_requests(ep, ctx, io, route).await;
        if let Some((_, _, Ok(r))) = answers.first()
            && r.status == 407
        {
            push(&mut out, auth_required(ep, p, ctx, &ptarget));
            return out;
        }
        absorb_http(&mut out, ep, ctx, answers);
        return out;
    }
    let (tunnel, took) = proxy::connect(
        io,
        &ep.target(),
        p,
        ctx.deadline.cap(proxy::CONNECT_TIMEOUT),
    )
    .await;
    out.checks.push(Check {
        kind: "proxy",
        target: format!("CONNECT {} via {ptarget}", ep.target()),
        status: if tunnel.is_ok() {
            Status::Ok
        } else {
            Status::Fail
        },
        elapsed: Some(took),
        detail: match &tunnel {
            Ok(_) => "200 tunnel established".into(),
            Err(e) => e.describe(),
        },
    });
    let io = match tunnel {
        Ok(io) => io,
        Err(e) => {
            set_network_error(&mut out, format!("proxyconnect: {}", e.describe()));
            let f = match &e {
                proxy::TunnelError::AuthRequired(_) => auth_required(ep, p, ctx, &ptarget),
                proxy::TunnelError::Refused(code, reason) => {
                    let private = crate::private::looks_private_host(&ep.host);
                    let mut fix = Vec::new();
                    if private {
                        let cur = ctx
                            .settings
                            .proxy
                            .no_proxy
                            .as_ref()
                            .map(|(_, v)| format!("{v},"))
                            .unwrap_or_default();
                        fix.push(format!(
                            "export NO_PROXY={cur}{}   # Go then connects to it directly",
                            ep.host
                        ));
                    }
                    fix.push(format!(
                        "# ask the proxy's administrator to allow CONNECT to {}",
                        ep.target()
                    ));
                    Finding {
                        code: Code::HttpStatus,
                        severity: Severity::Broken,
                        target: ep.target(),
                        summary: format!(
                            "The HTTP proxy {} refuses to open a tunnel to {} ({code} {reason}){}.",
                            p.display(),
                            ep.target(),
                            if private {
                                "; this host looks internal and is not covered by NO_PROXY"
                            } else {
                                ""
                            }
                        ),
                        evidence: vec![format!("CONNECT {} → {code} {reason}", ep.target())],
                        fix,
                    }
                }
                _ => unreachable(
                    format!(
                        "The HTTP proxy {} accepts connections but the CONNECT to {} fails: {}.",
                        p.display(),
                        ep.target(),
                        e.describe()
                    ),
                    vec![e.describe()],
                ),
            };
            push(&mut out, f);
            return out;
        }
    };
    let Some(stream) = tls_through_tunnel(&mut out, ep, p, ctx, io).await else {
        return out;
    };
    finish(&mut out, ep, ctx, stream, route).await;
    out
}

/// "SOCKS5 proxy" or "HTTP proxy", for summaries.
pub(super) fn proxy_kind(p: &ProxyUrl) -> &'static str {
    if is_socks(p) {
        "SOCKS5 proxy"
    } else {
        "HTTP proxy"
    }
}

/// The TLS handshake with the endpoint through a proxy's tunnel, and the
/// finding when it fails.
pub(super) async fn tls_through_tunnel(
    out: &mut Outcome,
    ep: &Endpoint,
    p: &ProxyUrl,
    ctx: &Ctx,
    io: BoxIo,
) -> Option<BoxIo> {
    let h = tls::handshake(
        &ctx.tls,
        io,
        &ep.host,
        Hello::Classic,
        ep.insecure,
        ctx.deadline.cap(tls::HANDSHAKE_TIMEOUT),
    )
    .await;
    push_tls_check(out, &format!("{} via proxy", ep.target()), &h);
    match h.result {
        Ok(s) => Some(Box::new(s)),
        Err(ref e) => {
            set_network_error(out, e.describe());
            let f = match e {
                TlsFailure::Cert(problem, text) => {
                    cert_finding(ep, &ep.target(), *problem, text, &h, ctx, Severity::Broken)
                }
                TlsFailure::Timeout => Finding {
                    code: Code::TlsTimeout,
                    severity: Severity::Broken,
                    target: ep.target(),
                    summary: format!(
                        "The TLS handshake with {} through the proxy {} gets no answer: go fails with \"net/http: TLS handshake timeout\".",
                        ep.target(),
                        p.display()
                    ),
                    evidence: vec![e.describe()],
                    fix: reach_fixes(ep, ctx.settings.proxy.any()),
                },
                TlsFailure::Net(..) => Finding {
                    code: Code::TcpReset,
                    severity: Severity::Broken,
                    target: ep.target(),
                    summary: format!(
                        "The tunnel to {} through {} breaks during the TLS handshake ({}).",
                        ep.target(),
                        p.display(),
                        e.describe()
                    ),
                    evidence: vec![e.describe()],
                    fix: reach_fixes(ep, ctx.settings.proxy.any()),
                },
                _ => Finding {
                    code: Code::TlsHandshake,
                    severity: Severity::Broken,
                    target: ep.target(),
                    summary: format!(
                        "The TLS handshake with {} through the proxy fails: {}.",
                        ep.target(),
                        e.describe()
                    ),
                    evidence: vec![e.describe()],
                    fix: reach_fixes(ep, ctx.settings.proxy.any()),
                },
            };
            push(out, f);
            None
        }
    }
}

pub(super) fn proxy_var_name(ctx: &Ctx, ep: &Endpoint) -> &'static str {
    let v = if ep.scheme == "https" {
        &ctx.settings.proxy.https
    } else {
        &ctx.settings.proxy.http
    };
    v.as_ref().map_or("HTTPS_PROXY", |v| v.name)
}

pub(super) fn auth_required(ep: &Endpoint, p: &ProxyUrl, ctx: &Ctx, ptarget: &str) -> Finding {
    let var = proxy_var_name(ctx, ep);
    Finding {
        code: Code::ProxyEnvAuthRequired,
        severity: Severity::Broken,
        target: ptarget.to_string(),
        summary: if p.user.is_some() {
            format!("The HTTP proxy {} rejects the credentials in {var} (407 Proxy Authentication Required).", p.display())
        } else {
            format!("The HTTP proxy {} requires authentication (407 Proxy Authentication Required) and {var} carries no credentials: go fails with \"Proxy Authentication Required\".", p.display())
        },
        evidence: vec![format!("CONNECT {} → 407", ep.target())],
        fix: vec![
            format!("export {var}=http://<user>:<password>@{ptarget}   # percent-encode special characters in the password"),
            "# Go sends only Basic credentials from the URL; for NTLM/Kerberos proxies run a local helper (cntlm, px) and point the variable at it".into(),
        ],
    }
}
