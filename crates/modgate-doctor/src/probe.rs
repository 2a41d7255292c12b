//! The network pipeline for one endpoint: addresses (already resolved by
//! [`crate::checks::dns`]) → TCP connect to every address of both families →
//! a TLS ClientHello and its answer on each (the write-then-read that exposes
//! paths which connect but cannot carry data) → an HTTP protocol request →
//! a second handshake with a large post-quantum ClientHello. When Go would go
//! through an HTTP proxy for this endpoint, the same steps run through a
//! CONNECT tunnel instead, and the target's own DNS is not consulted (Go does
//! not resolve it either). Findings are derived here from what was observed.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::checks::http::{self, Response, Verdict};
use crate::checks::tls::{self, CertProblem, Handshake, Hello, TlsContext, TlsFailure};
use crate::checks::{Check, Status, dns, proxy, tcp};
use crate::finding::{Code, Finding, Severity};
use crate::net::{Deadline, NetFailure, join_host_port};
use crate::settings::{ProxyUrl, Settings};
use crate::stream::BoxIo;

/// Why Go talks to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A GOPROXY entry; `module` is the path probed with `@v/list`.
    Proxy {
        index: usize,
        url: String,
        module: String,
        /// Followed by `|`: any error falls back to the next entry.
        fallback_any: bool,
    },
    /// The checksum database (GOSUMDB), reached directly.
    SumDb { name: String },
    /// A host Go fetches modules from directly (`?go-get=1`, then git).
    Vcs { modules: Vec<String> },
}

/// One place Go connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: String,
    pub host: String,
    pub port: u16,
    /// URL path prefix (`/goproxy` for `https://host/goproxy`), no trailing slash.
    pub base_path: String,
    pub role: Role,
    /// GOINSECURE applies: Go skips certificate verification.
    pub insecure: bool,
    /// The HTTP proxy Go would use for it.
    pub via: Option<ProxyUrl>,
}

impl Endpoint {
    /// `host:port`, the target of findings about this endpoint.
    pub fn target(&self) -> String {
        join_host_port(&self.host, self.port)
    }

    pub fn url(&self, path: &str) -> String {
        let default = match self.scheme.as_str() {
            "https" => 443,
            _ => 80,
        };
        let hp = if self.port == default {
            if self.host.contains(':') {
                format!("[{}]", self.host)
            } else {
                self.host.clone()
            }
        } else {
            self.target()
        };
        format!("{}://{}{}{}", self.scheme, hp, self.base_path, path)
    }

    fn host_header(&self) -> String {
        let default = if self.scheme == "https" { 443 } else { 80 };
        if self.port == default {
            self.host.clone()
        } else {
            self.target()
        }
    }

    /// The HTTP requests the probe makes: (path under base, what it is for).
    pub fn requests(&self, sumdb_name: Option<&str>) -> Vec<(String, Purpose)> {
        match &self.role {
            Role::Proxy { module, .. } => {
                let mut v = vec![(format!("/{}/@v/list", escape_path(module)), Purpose::List)];
                if let Some(n) = sumdb_name {
                    v.push((format!("/sumdb/{n}/supported"), Purpose::SumdbSupported));
                }
                v
            }
            Role::SumDb { name } => vec![("/latest".to_string(), Purpose::Latest(name.clone()))],
            Role::Vcs { modules } => modules
                .first()
                .map(|m| {
                    let rest = m.split_once('/').map_or("", |(_, r)| r);
                    vec![(format!("/{rest}?go-get=1"), Purpose::GoGet(m.clone()))]
                })
                .unwrap_or_default(),
        }
    }
}

/// Go's module path case-escaping for proxy URLs (`!` before upper case).
pub fn escape_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    List,
    SumdbSupported,
    Latest(String),
    GoGet(String),
}

/// What the run shares with every probe.
pub struct Ctx {
    pub settings: Arc<Settings>,
    pub tls: TlsContext,
    pub resolutions: std::collections::HashMap<String, dns::Resolution>,
    pub deadline: Deadline,
    pub sumdb_name: Option<String>,
}

/// Everything a probe learned.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub endpoint: Endpoint,
    pub checks: Vec<Check>,
    pub findings: Vec<Finding>,
    /// A protocol-level answer came back (the endpoint works for Go).
    pub works: bool,
    /// It failed before any HTTP answer (network-level error), as Go's
    /// `,`-separated GOPROXY entries cannot fall back from.
    pub network_error: Option<String>,
    /// `(purpose, response)` of each HTTP request that got an answer.
    pub responses: Vec<(Purpose, Response)>,
}

impl Outcome {
    fn new(ep: &Endpoint) -> Outcome {
        Outcome {
            endpoint: ep.clone(),
            checks: Vec::new(),
            findings: Vec::new(),
            works: false,
            network_error: None,
            responses: Vec::new(),
        }
    }

    pub fn response(&self, p: &Purpose) -> Option<&Response> {
        self.responses.iter().find(|(q, _)| q == p).map(|(_, r)| r)
    }
}

/// Go's destination preference, simplified from RFC 6724 as `net/addrselect.go`
/// applies it: global IPv6 first, then IPv4, then low-precedence IPv6 (ULA,
/// 6to4, Teredo, site-local), which Go sorts after IPv4.
pub fn go_order(addrs: &[IpAddr]) -> Vec<IpAddr> {
    let mut v = addrs.to_vec();
    v.sort_by_key(|a| match a {
        IpAddr::V6(x) if !v6_low_precedence(x) => 0,
        IpAddr::V4(_) => 1,
        IpAddr::V6(_) => 2,
    });
    v
}

/// RFC 6724 policy-table entries with precedence below IPv4's 35.
pub fn v6_low_precedence(a: &std::net::Ipv6Addr) -> bool {
    let s = a.segments();
    (s[0] & 0xfe00) == 0xfc00 // fc00::/7 ULA: 3
        || s[0] == 0x2002 // 6to4: 30
        || (s[0] == 0x2001 && s[1] == 0) // Teredo: 5
        || (s[0] & 0xffc0) == 0xfec0 // site-local: 1
}

fn push_tls_check(out: &mut Outcome, target: &str, h: &Handshake) {
    let hello = match h.hello {
        Hello::Classic => "classic hello",
        Hello::PostQuantum => "post-quantum hello",
    };
    out.checks.push(Check {
        kind: "tls",
        target: format!("{target} ({hello})"),
        status: if h.result.is_ok() {
            Status::Ok
        } else {
            Status::Fail
        },
        elapsed: Some(h.elapsed),
        detail: match &h.result {
            Ok(_) => format!(
                "{}{}",
                h.negotiated.clone().unwrap_or_default(),
                h.chain
                    .first()
                    .map_or(String::new(), |c| format!("; issuer {}", c.issuer))
            ),
            Err(e) => e.describe(),
        },
    });
}

/// Probes one endpoint.
pub async fn probe(ep: &Endpoint, ctx: &Ctx) -> Outcome {
    match &ep.via {
        Some(p) if p.scheme.starts_with("socks") => {
            let mut out = Outcome::new(ep);
            out.checks.push(Check {
                kind: "proxy",
                target: ep.target(),
                status: Status::Skip,
                elapsed: None,
                detail: format!("through SOCKS proxy {} (not probed)", p.display()),
            });
            out
        }
        Some(p) => probe_via_proxy(ep, p, ctx).await,
        None => probe_direct(ep, ctx).await,
    }
}

/// How to reach the endpoint for one more connection.
#[derive(Clone, Copy)]
enum Route<'a> {
    Direct(SocketAddr),
    Proxy {
        proxy_addr: SocketAddr,
        proxy: &'a ProxyUrl,
    },
}

struct Attempt {
    addr: SocketAddr,
    connect: Result<(Option<SocketAddr>, Duration), tcp::ConnectError>,
    tls: Option<Handshake>,
    plain: Option<tokio::net::TcpStream>,
}

impl Attempt {
    fn works(&self) -> bool {
        self.connect.is_ok() && self.tls.as_ref().is_none_or(|h| h.result.is_ok())
    }
}

fn tcp_check(target: &str, a: &Attempt) -> Check {
    tcp::check(target, a.connect.as_ref().map(|x| *x))
}

/// Connects to `addr` and, for https, runs a classic handshake.
async fn attempt(
    addr: SocketAddr,
    host: String,
    tls_on: bool,
    insecure: bool,
    tls_ctx: TlsContext,
    deadline: Deadline,
) -> Attempt {
    match tcp::connect(addr, deadline.cap(tcp::CONNECT_TIMEOUT)).await {
        Err(e) => Attempt {
            addr,
            connect: Err(e),
            tls: None,
            plain: None,
        },
        Ok(c) => {
            let info = (c.local, c.elapsed);
            if !tls_on {
                return Attempt {
                    addr,
                    connect: Ok(info),
                    tls: None,
                    plain: Some(c.stream),
                };
            }
            let h = tls::handshake(
                &tls_ctx,
                Box::new(c.stream),
                &host,
                Hello::Classic,
                insecure,
                deadline.cap(tls::HANDSHAKE_TIMEOUT),
            )
            .await;
            Attempt {
                addr,
                connect: Ok(info),
                tls: Some(h),
                plain: None,
            }
        }
    }
}

async fn probe_direct(ep: &Endpoint, ctx: &Ctx) -> Outcome {
    let mut out = Outcome::new(ep);
    let Some(res) = ctx.resolutions.get(&ep.host) else {
        out.network_error = Some("not resolved".into());
        return out;
    };
    if res.failed() {
        out.network_error = Some(format!("lookup {}: failed", ep.host));
        out.checks.push(Check {
            kind: "tcp",
            target: ep.target(),
            status: Status::Skip,
            elapsed: None,
            detail: "no address (DNS failed)".into(),
        });
        return out;
    }
    let addrs = go_order(&res.addrs().collect::<Vec<_>>());
    let tls_on = ep.scheme == "https";
    let mut set = tokio::task::JoinSet::new();
    for (i, ip) in addrs.iter().enumerate() {
        let fut = attempt(
            SocketAddr::new(*ip, ep.port),
            ep.host.clone(),
            tls_on,
            ep.insecure,
            ctx.tls.clone(),
            ctx.deadline,
        );
        set.spawn(async move { (i, fut.await) });
    }
    let mut indexed: Vec<(usize, Attempt)> = Vec::new();
    while let Some(Ok(a)) = set.join_next().await {
        indexed.push(a);
    }
    indexed.sort_by_key(|(i, _)| *i);
    let mut attempts: Vec<Attempt> = indexed.into_iter().map(|(_, a)| a).collect();
    for a in &attempts {
        let target = a.addr.to_string();
        out.checks.push(tcp_check(&target, a));
        if let Some(h) = &a.tls {
            push_tls_check(&mut out, &target, h);
        }
    }
    judge_transport(&mut out, ep, &attempts, ctx);
    let Some(pos) = attempts.iter().position(Attempt::works) else {
        return out;
    };
    let chosen = attempts.swap_remove(pos);
    let addr = chosen.addr;
    let first_io: BoxIo = match (chosen.tls, chosen.plain) {
        (Some(h), _) => match h.result {
            Ok(s) => Box::new(s),
            Err(_) => return out,
        },
        (None, Some(s)) => Box::new(s),
        (None, None) => return out,
    };
    finish(&mut out, ep, ctx, first_io, Route::Direct(addr)).await;
    out
}

/// HTTP requests and the large-hello comparison, once a working route exists.
async fn finish(out: &mut Outcome, ep: &Endpoint, ctx: &Ctx, first_io: BoxIo, route: Route<'_>) {
    let tls_on = ep.scheme == "https";
    let (answers, pq) = tokio::join!(run_requests(ep, ctx, first_io, route), async {
        if tls_on {
            Some(open_tls(ep, ctx, route, Hello::PostQuantum).await)
        } else {
            None
        }
    });
    absorb_http(out, ep, ctx, answers);
    if let Some(pq) = pq {
        judge_large_hello(out, ep, pq);
    }
}

/// Opens a new raw stream to the endpoint along `route` (through the proxy's
/// tunnel when there is one).
async fn open_raw(ep: &Endpoint, ctx: &Ctx, route: Route<'_>) -> Result<BoxIo, String> {
    match route {
        Route::Direct(addr) => tcp::connect(addr, ctx.deadline.cap(tcp::CONNECT_TIMEOUT))
            .await
            .map(|c| Box::new(c.stream) as BoxIo)
            .map_err(|e| e.message),
        Route::Proxy { proxy_addr, proxy } => {
            let io = open_proxy(proxy_addr, proxy, ctx)
                .await
                .map_err(|(_, m)| m)?;
            if ep.scheme != "https" {
                return Ok(io);
            }
            let (res, _) = proxy::connect(
                io,
                &ep.target(),
                proxy,
                ctx.deadline.cap(proxy::CONNECT_TIMEOUT),
            )
            .await;
            res.map_err(|e| e.describe())
        }
    }
}

/// TCP to the proxy, and TLS to it for an `https://` proxy URL.
async fn open_proxy(
    addr: SocketAddr,
    proxy: &ProxyUrl,
    ctx: &Ctx,
) -> Result<BoxIo, (Option<TlsFailure>, String)> {
    let c = tcp::connect(addr, ctx.deadline.cap(tcp::CONNECT_TIMEOUT))
        .await
        .map_err(|e| (None, format!("{} ({})", e.failure.go_text(), e.message)))?;
    if proxy.scheme != "https" {
        return Ok(Box::new(c.stream));
    }
    let h = tls::handshake(
        &ctx.tls,
        Box::new(c.stream),
        &proxy.host,
        Hello::Classic,
        false,
        ctx.deadline.cap(tls::HANDSHAKE_TIMEOUT),
    )
    .await;
    match h.result {
        Ok(s) => Ok(Box::new(s)),
        Err(e) => {
            let m = e.describe();
            Err((Some(e), m))
        }
    }
}

async fn open_tls(
    ep: &Endpoint,
    ctx: &Ctx,
    route: Route<'_>,
    hello: Hello,
) -> Result<Handshake, String> {
    let io = open_raw(ep, ctx, route).await?;
    Ok(tls::handshake(
        &ctx.tls,
        io,
        &ep.host,
        hello,
        ep.insecure,
        ctx.deadline.cap(tls::HANDSHAKE_TIMEOUT),
    )
    .await)
}

type Answers = Vec<(Purpose, String, Result<Response, String>)>;

async fn run_requests(ep: &Endpoint, ctx: &Ctx, first_io: BoxIo, route: Route<'_>) -> Answers {
    let mut out = Vec::new();
    let mut first = Some(first_io);
    let via_http_proxy = matches!(route, Route::Proxy { .. }) && ep.scheme == "http";
    let mut headers: Vec<(&str, String)> = Vec::new();
    if let (Route::Proxy { proxy, .. }, true) = (route, via_http_proxy)
        && let Some(a) = proxy::proxy_auth(proxy)
    {
        headers.push(("proxy-authorization", a));
    }
    for (path, purpose) in ep.requests(ctx.sumdb_name.as_deref()) {
        let url = ep.url(&path);
        let io = match first.take() {
            Some(io) => Ok(io),
            None => match route {
                _ if ep.scheme == "https" => open_tls(ep, ctx, route, Hello::Classic)
                    .await
                    .and_then(|h| {
                        h.result
                            .map(|s| Box::new(s) as BoxIo)
                            .map_err(|e| e.describe())
                    }),
                _ => open_raw(ep, ctx, route).await,
            },
        };
        let target = if via_http_proxy {
            url.clone()
        } else {
            format!("{}{}", ep.base_path, path)
        };
        let resp = match io {
            Ok(io) => {
                http::get(
                    io,
                    &ep.host_header(),
                    &target,
                    &headers,
                    ctx.deadline.cap(http::RESPONSE_TIMEOUT),
                )
                .await
            }
            Err(e) => Err(e),
        };
        out.push((purpose, url, resp));
    }
    out
}

fn set_network_error(out: &mut Outcome, msg: String) {
    if out.network_error.is_none() {
        out.network_error = Some(msg);
    }
}

fn push(out: &mut Outcome, f: Finding) {
    if !out
        .findings
        .iter()
        .any(|g| g.code == f.code && g.target == f.target)
    {
        out.findings.push(f);
    }
}

/// What to do about an endpoint Go cannot reach, by its role.
fn reach_fixes(ep: &Endpoint, proxy_set: bool) -> Vec<String> {
    match &ep.role {
        Role::Proxy { url, .. } => {
            let mut v = vec![format!(
                "go env -w GOPROXY=https://<a proxy this network can reach>,direct   # instead of {url}"
            )];
            if !proxy_set {
                v.push("if this network requires an HTTP proxy: export HTTPS_PROXY=http://<proxy host>:<port>".into());
            }
            v
        }
        Role::SumDb { .. } => vec![
            "go env -w GOSUMDB=sum.golang.google.cn   # the same database through a mirror reachable in more networks".into(),
            "or use a GOPROXY that serves /sumdb/ (most module proxies do), so Go never contacts the database directly".into(),
        ],
        Role::Vcs { .. } => vec![
            format!("connect the VPN or network {} is on, then rerun modgate doctor", ep.host),
            format!("check that a firewall allows {}", ep.target()),
        ],
    }
}

fn chain_evidence(h: &Handshake) -> Vec<String> {
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
fn cert_finding(
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
            fix.push("or install the CA system-wide: sudo cp <root-ca>.crt /usr/local/share/ca-certificates/ && sudo update-ca-certificates".into());
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
                    format!("if the clock is right, {host} must renew its certificate (tell its operator)"),
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
                        _ => format!("check that {host} is the right name for this service"),
                    },
                ],
            }
        }
    }
}

fn judge_transport(out: &mut Outcome, ep: &Endpoint, attempts: &[Attempt], ctx: &Ctx) {
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
                "fix or turn off the VPN/tunnel that holds the IPv6 route, or turn IPv6 off on it: sudo sysctl -w net.ipv6.conf.<interface>.disable_ipv6=1".into(),
                "macOS: networksetup -setv6off <service>   # e.g. Wi-Fi".into(),
                "programs using getaddrinfo (cgo resolver, macOS) prefer IPv4 with this /etc/gai.conf line: precedence ::ffff:0:0/96  100".into(),
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
            format!("if {} serves plain HTTP, use http:// in its URL", ep.host),
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

fn absorb_http(out: &mut Outcome, ep: &Endpoint, ctx: &Ctx, answers: Answers) {
    let target = ep.target();
    for (purpose, url, resp) in answers {
        let check = |status, elapsed, detail| Check {
            kind: "http",
            target: format!("GET {url}"),
            status,
            elapsed,
            detail,
        };
        let r = match resp {
            Ok(r) => r,
            Err(e) => {
                out.checks.push(check(Status::Fail, None, e.clone()));
                if purpose == Purpose::SumdbSupported {
                    continue;
                }
                set_network_error(out, e.clone());
                push(
                    out,
                    Finding {
                        code: Code::HttpStatus,
                        severity: Severity::Broken,
                        target: target.clone(),
                        summary: format!(
                            "{target} accepts TLS but gives no HTTP answer to GET {url}: {e}."
                        ),
                        evidence: vec![e],
                        fix: reach_fixes(ep, ctx.settings.proxy.any()),
                    },
                );
                continue;
            }
        };
        let elapsed = Some(r.elapsed);
        let fallback_any = matches!(
            ep.role,
            Role::Proxy {
                fallback_any: true,
                ..
            }
        );
        let verdict = match &purpose {
            Purpose::List => http::judge_list(&r),
            Purpose::Latest(name) => http::judge_latest(&r, name),
            Purpose::SumdbSupported => {
                out.checks.push(check(Status::Ok, elapsed, r.status_line()));
                out.responses.push((purpose, r));
                continue;
            }
            Purpose::GoGet(module) => match http::go_import(&r.body_text(), module) {
                Some((prefix, vcs, repo)) => {
                    Verdict::Protocol(format!("go-import {prefix} {vcs} {repo}"))
                }
                None if r.status == 200 => Verdict::NotProtocol(format!(
                    "200 OK without a go-import meta tag for {module}{}",
                    http::login_words(&r)
                        .map_or(String::new(), |w| format!(" (page mentions \"{w}\")"))
                )),
                None => Verdict::Status,
            },
        };
        let (status, detail) = match &verdict {
            Verdict::Protocol(d) => (Status::Ok, format!("{}: {d}", r.status_line())),
            Verdict::NotFound => (
                Status::Ok,
                format!(
                    "{} (not found: the client moves on to the next GOPROXY entry)",
                    r.status_line()
                ),
            ),
            Verdict::NotProtocol(d) => (Status::Fail, d.clone()),
            Verdict::Status => (
                Status::Fail,
                format!("{}{}", r.status_line(), body_detail(&r)),
            ),
        };
        out.checks.push(check(status, elapsed, detail.clone()));
        match verdict {
            Verdict::Protocol(_) | Verdict::NotFound => out.works = true,
            Verdict::NotProtocol(d) => push(
                out,
                Finding {
                    code: Code::HttpNotAProxy,
                    severity: if fallback_any {
                        Severity::Degraded
                    } else {
                        Severity::Broken
                    },
                    target: target.clone(),
                    summary: match &ep.role {
                        Role::Proxy { .. } => format!(
                            "{target} does not answer like a Go module proxy: {d}. A captive portal, login page or filter is answering instead."
                        ),
                        Role::SumDb { name } => format!(
                            "{target} does not answer like the checksum database {name}: {d}."
                        ),
                        Role::Vcs { .. } => format!(
                            "{target} does not answer go-get=1 with a go-import tag: {d}; go fails with \"unrecognized import path\"."
                        ),
                    },
                    evidence: vec![
                        format!("GET {url} → {}", r.status_line()),
                        format!("Content-Type: {}", r.content_type),
                        format!(
                            "body starts: {:?}",
                            r.body_text().chars().take(120).collect::<String>()
                        ),
                    ],
                    fix: {
                        let mut v = vec!["open any http:// page in a browser: if a portal or login page appears, sign in, then rerun".to_string()];
                        v.extend(reach_fixes(ep, ctx.settings.proxy.any()));
                        v
                    },
                },
            ),
            Verdict::Status => {
                let auth = matches!(r.status, 401 | 403);
                let mut fix = Vec::new();
                if auth {
                    fix.push(format!("printf 'machine {} login <user> password <token>\\n' >> ~/.netrc   # GOAUTH=netrc sends it on a 4xx retry", ep.host));
                }
                fix.extend(reach_fixes(ep, ctx.settings.proxy.any()));
                push(
                    out,
                    Finding {
                        code: Code::HttpStatus,
                        severity: if fallback_any {
                            Severity::Degraded
                        } else {
                            Severity::Broken
                        },
                        target: target.clone(),
                        summary: format!(
                            "GET {url} answers {}: go fails with \"reading {url}: {}\"{}.",
                            r.status_line(),
                            r.status_line(),
                            if fallback_any {
                                " (the | after this GOPROXY entry lets go try the next one)"
                            } else {
                                ""
                            }
                        ),
                        evidence: vec![format!(
                            "GET {url} → {}{}",
                            r.status_line(),
                            body_detail(&r)
                        )],
                        fix,
                    },
                );
            }
        }
        out.responses.push((purpose, r));
    }
}

fn body_detail(r: &Response) -> String {
    let t = r.body_text();
    let first = t.lines().next().unwrap_or("").trim();
    if first.is_empty() || http::looks_like_html(r) {
        String::new()
    } else {
        format!(
            " (server response: {})",
            first.chars().take(100).collect::<String>()
        )
    }
}

fn judge_large_hello(out: &mut Outcome, ep: &Endpoint, pq: Result<Handshake, String>) {
    let target = ep.target();
    match pq {
        Err(e) => out.checks.push(Check {
            kind: "tls",
            target: format!("{target} (post-quantum hello)"),
            status: Status::Skip,
            elapsed: None,
            detail: format!("could not reconnect: {e}"),
        }),
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
                        "ask the network admin to fix the firewall/proxy that drops ClientHellos larger than one packet".into(),
                    ],
                });
            }
        }
    }
}

async fn probe_via_proxy(ep: &Endpoint, p: &ProxyUrl, ctx: &Ctx) -> Outcome {
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
                "check the proxy address: {} (from {})",
                p.display(),
                proxy_var_name(ctx, ep)
            ),
            "if this network needs no proxy: unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy"
                .into(),
        ],
    };
    let Some(res) = ctx.resolutions.get(&p.host) else {
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
                    "The HTTP proxy {} does not accept connections: go fails with \"proxyconnect tcp: {}\".",
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
                        "ask the proxy's administrator to allow CONNECT to {}",
                        ep.target()
                    ));
                    Finding {
                        code: Code::ProxyEnvTunnelRefused,
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
    let h = tls::handshake(
        &ctx.tls,
        io,
        &ep.host,
        Hello::Classic,
        ep.insecure,
        ctx.deadline.cap(tls::HANDSHAKE_TIMEOUT),
    )
    .await;
    push_tls_check(&mut out, &format!("{} via proxy", ep.target()), &h);
    let stream = match h.result {
        Ok(s) => s,
        Err(ref e) => {
            set_network_error(&mut out, e.describe());
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
            push(&mut out, f);
            return out;
        }
    };
    finish(&mut out, ep, ctx, Box::new(stream), route).await;
    out
}

fn proxy_var_name(ctx: &Ctx, ep: &Endpoint) -> &'static str {
    let v = if ep.scheme == "https" {
        &ctx.settings.proxy.https
    } else {
        &ctx.settings.proxy.http
    };
    v.as_ref().map_or("HTTPS_PROXY", |v| v.name)
}

fn auth_required(ep: &Endpoint, p: &ProxyUrl, ctx: &Ctx, ptarget: &str) -> Finding {
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
            "Go sends only Basic credentials from the URL; for NTLM/Kerberos proxies run a local helper (cntlm, px) and point the variable at it".into(),
        ],
    }
}
