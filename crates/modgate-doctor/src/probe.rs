//! The network pipeline for one endpoint: addresses (already resolved by
//! [`crate::checks::dns`]) → TCP connect to every address of both families →
//! a TLS ClientHello and its answer on each (the write-then-read that exposes
//! paths which connect but cannot carry data) → an HTTP protocol request →
//! a second handshake with a large post-quantum ClientHello. When Go would go
//! through a proxy for this endpoint, the same steps run through its tunnel
//! instead — an HTTP proxy's CONNECT, or a SOCKS5 proxy's CONNECT — and the
//! target's own DNS is not consulted (Go does not resolve it either).
//! Findings are derived here from what was observed; a step that could not
//! run is recorded in [`Outcome::unverified`], so that the report never
//! concludes "ok" from checks that did not happen.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::checks::http::{self, Response, Verdict};
use crate::checks::tls::{self, CertProblem, Handshake, Hello, TlsContext, TlsFailure};
use crate::checks::{Check, Status, dns, proxy, socks, tcp};
use crate::finding::{Code, Finding, Severity};
use crate::net::{Deadline, NetFailure, join_host_port};
use crate::settings::{ProxyUrl, Settings};
use crate::stream::BoxIo;

mod answers;
mod transport;
mod via_proxy;
mod via_socks;

use answers::absorb_http;
use transport::{
    cert_finding, judge_large_hello, judge_transport, push, reach_fixes, set_network_error,
};
use via_proxy::probe_via_proxy;

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
                let mut v = vec![(
                    format!(
                        "/{}/@v/list",
                        modgate_core::module::escape_path(module)
                            .unwrap_or_else(|_| module.clone())
                    ),
                    Purpose::List,
                )];
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
    /// Checks Go's download depends on that could not run, each as "what
    /// was not checked: why" (the report's verdict is then `unverified`
    /// unless something is broken).
    pub unverified: Vec<String>,
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
            unverified: Vec::new(),
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

/// Whether a proxy URL is a SOCKS5 proxy (Go treats `socks5` as `socks5h`).
pub fn is_socks(p: &ProxyUrl) -> bool {
    matches!(p.scheme.as_str(), "socks5" | "socks5h")
}

/// Probes one endpoint.
pub async fn probe(ep: &Endpoint, ctx: &Ctx) -> Outcome {
    match &ep.via {
        Some(p) if !p.scheme_supported() => {
            // The configuration checks report the scheme (proxyenv.invalid);
            // there is no way to probe through it.
            let mut out = Outcome::new(ep);
            let what = format!("{} through the proxy {}", ep.target(), p.display());
            out.checks.push(Check {
                kind: "proxy",
                target: ep.target(),
                status: Status::Skip,
                elapsed: None,
                detail: format!("{what}: scheme {:?} not supported", p.scheme),
            });
            out.unverified.push(format!(
                "{what}: Go's client does not support the scheme {:?}",
                p.scheme
            ));
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
        out.unverified
            .push(format!("{}: its name was not looked up", ep.target()));
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
            if is_socks(proxy) {
                let (res, _) = socks::connect(
                    io,
                    &ep.host,
                    ep.port,
                    proxy,
                    ctx.deadline.cap(socks::CONNECT_TIMEOUT),
                )
                .await;
                return res.map_err(|e| e.describe());
            }
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
    // Plain HTTP through an HTTP proxy is sent to the proxy as an absolute
    // URL; through a SOCKS5 tunnel it is sent as to the server itself.
    let via_http_proxy =
        matches!(route, Route::Proxy { proxy, .. } if !is_socks(proxy)) && ep.scheme == "http";
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
