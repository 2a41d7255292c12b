//! The egress guard: direct fetches and discovery may only reach public
//! addresses unless the operator allows more, so that a module path cannot
//! make the proxy connect to its own network (SSRF).
//!
//! A host is refused when any address it resolves to is loopback,
//! link-local, private (RFC 1918, unique-local IPv6, carrier-grade NAT),
//! unspecified, multicast or broadcast; IPv4-mapped IPv6 addresses are
//! judged by their IPv4 address. Loopback and private ranges can each be
//! allowed. A name that does not resolve is let through (it reaches
//! nothing); a lookup that times out is refused.
//!
//! [`Guard`] pairs the policy with an injectable [`Resolve`]r (the system
//! resolver by default, a fixed table in tests), so no check ever has to ask
//! the machine's DNS when the caller says otherwise. Repository URLs are
//! judged as git will contact them, i.e. after `insteadOf` rewriting (the
//! caller rewrites, see [`crate::direct`]): `file://` URLs and local paths are
//! not network egress; scheme URLs and scp-like `host:path` are judged by
//! host. HTTP clients can connect to the addresses
//! [`Guard::resolve_allowed`] returned, so the address judged is the one
//! used; git resolves names again itself, so a name that changes its answer
//! between the two lookups is not covered for git.

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Which address ranges outgoing connections may reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Egress {
    /// Allow 127.0.0.0/8 and ::1.
    pub allow_loopback: bool,
    /// Allow private, link-local and carrier-grade NAT ranges.
    pub allow_private: bool,
}

/// A refused destination.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("egress refused: {host} {}", self.detail())]
pub struct EgressError {
    /// The host as given.
    pub host: String,
    /// The offending address (or the lookup failure).
    pub addr: String,
    /// Which rule refused it (`lookup failed` when the name could not be
    /// judged).
    pub why: &'static str,
}

impl EgressError {
    fn detail(&self) -> String {
        if self.why == LOOKUP_FAILED {
            format!("could not be checked: {}", self.addr)
        } else {
            format!("resolves to {} ({})", self.addr, self.why)
        }
    }
}

const LOOKUP_FAILED: &str = "lookup failed";

impl Egress {
    /// Why `ip` is refused, if it is.
    pub fn refusal(&self, ip: IpAddr) -> Option<&'static str> {
        let ip = match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(v6),
            },
            v4 => v4,
        };
        if ip.is_unspecified() {
            return Some("unspecified address");
        }
        if ip.is_multicast() {
            return Some("multicast address");
        }
        if ip.is_loopback() {
            return (!self.allow_loopback).then_some("loopback address");
        }
        let private = match ip {
            IpAddr::V4(v4) => v4_private(v4),
            IpAddr::V6(v6) => v6_private(v6),
        };
        if let Some(why) = private {
            return (!self.allow_private).then_some(why);
        }
        if ip == IpAddr::V4(Ipv4Addr::BROADCAST) {
            return Some("broadcast address");
        }
        None
    }
}

/// A future resolving a name.
pub type ResolveFuture<'a> =
    Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send + 'a>>;

/// Name resolution for the guard (and for HTTP clients that connect where the
/// guard looked), injectable so that tests answer from a fixed table and never
/// ask the system resolver.
pub trait Resolve: Send + Sync + fmt::Debug {
    /// The addresses of `name` for connecting to `port` (the URL's port or
    /// its scheme's default). A resolver may answer another port, which HTTP
    /// clients use when the URL names none (test tables do this).
    fn resolve<'a>(&'a self, name: &'a str, port: u16) -> ResolveFuture<'a>;
}

/// The system resolver (`getaddrinfo` on tokio's blocking pool), bounded in
/// time.
#[derive(Debug, Clone, Copy)]
pub struct SystemResolver {
    /// How long one lookup may take.
    pub timeout: Duration,
}

impl Default for SystemResolver {
    fn default() -> Self {
        SystemResolver {
            timeout: Duration::from_secs(10),
        }
    }
}

impl Resolve for SystemResolver {
    fn resolve<'a>(&'a self, name: &'a str, port: u16) -> ResolveFuture<'a> {
        Box::pin(async move {
            match tokio::time::timeout(self.timeout, tokio::net::lookup_host((name, port))).await {
                Ok(r) => r.map(Iterator::collect),
                Err(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("lookup of {name} timed out after {:?}", self.timeout),
                )),
            }
        })
    }
}

/// A fixed table of names, for tests and pinned deployments: a name in the
/// table resolves to its addresses (a port of 0 means the asked-for port),
/// any other name does not resolve. It never asks the system.
#[derive(Debug, Clone, Default)]
pub struct Table(pub std::collections::HashMap<String, Vec<SocketAddr>>);

impl Table {
    /// A table from `(name, address)` pairs.
    pub fn new<'a>(entries: impl IntoIterator<Item = (&'a str, SocketAddr)>) -> Table {
        let mut t = Table::default();
        for (name, addr) in entries {
            t.0.entry(name.to_ascii_lowercase()).or_default().push(addr);
        }
        t
    }
}

impl Resolve for Table {
    fn resolve<'a>(&'a self, name: &'a str, port: u16) -> ResolveFuture<'a> {
        let r = match self.0.get(&name.to_ascii_lowercase()) {
            Some(addrs) => Ok(addrs
                .iter()
                .map(|a| match a.port() {
                    0 => SocketAddr::new(a.ip(), port),
                    _ => *a,
                })
                .collect()),
            None => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{name}: no such host in the resolver table"),
            )),
        };
        Box::pin(async move { r })
    }
}

/// The egress guard: a policy and the resolver it judges names with.
#[derive(Debug, Clone)]
pub struct Guard {
    policy: Egress,
    resolver: Arc<dyn Resolve>,
}

impl Guard {
    /// A guard applying `policy` to the answers of `resolver`.
    pub fn new(policy: Egress, resolver: Arc<dyn Resolve>) -> Guard {
        Guard { policy, resolver }
    }

    /// A guard using the system resolver.
    pub fn system(policy: Egress) -> Guard {
        Guard::new(policy, Arc::new(SystemResolver::default()))
    }

    /// The policy.
    pub fn policy(&self) -> Egress {
        self.policy
    }

    /// The resolver.
    pub fn resolver(&self) -> &Arc<dyn Resolve> {
        &self.resolver
    }

    /// Resolves `name` and returns its addresses when none is refused: what an
    /// HTTP client should connect to, so that the address judged is the one
    /// used. Literal addresses are judged without a lookup.
    pub async fn resolve_allowed(
        &self,
        name: &str,
        port: u16,
    ) -> Result<Vec<SocketAddr>, EgressError> {
        let refuse = |addr: String, why| EgressError {
            host: name.to_string(),
            addr,
            why,
        };
        let addrs: Vec<SocketAddr> = match name.trim_matches(['[', ']']).parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => match self.resolver.resolve(name, port).await {
                Ok(a) => a,
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    return Err(refuse(e.to_string(), LOOKUP_FAILED));
                }
                // A name that does not resolve reaches nothing.
                Err(_) => Vec::new(),
            },
        };
        for a in &addrs {
            if let Some(why) = self.policy.refusal(a.ip()) {
                return Err(refuse(a.ip().to_string(), why));
            }
        }
        Ok(addrs)
    }

    /// Resolves `host` (a name or an address literal, optionally with a
    /// port, else `default_port`) and refuses it when any of its addresses is
    /// refused. A name that does not resolve is let through; a lookup that
    /// times out is refused.
    async fn check_host_port(&self, host: &str, default_port: u16) -> Result<(), EgressError> {
        let (name, port) = split_host_port(host);
        let port = port.and_then(|p| p.parse().ok()).unwrap_or(default_port);
        self.resolve_allowed(name, port)
            .await
            .map(drop)
            .map_err(|mut e| {
                e.host = host.to_string();
                e
            })
    }

    /// Checks the destination of a repository or HTTP URL as git would
    /// contact it (give it the URL after `insteadOf` rewriting): the host of
    /// `scheme://[user@]host[:port]/...` and of scp-style
    /// `[user@]host:path`; `<transport>::<address>` is judged by its address.
    /// `file://` URLs and local paths are not network egress and pass
    /// without a lookup.
    pub async fn check_url(&self, url: &str) -> Result<(), EgressError> {
        match classify(url) {
            Target::Local => Ok(()),
            Target::Helper(address) => Box::pin(self.check_url(address)).await,
            Target::Host { host, port } => self.check_host_port(host, port).await,
        }
    }
}

/// What a git remote URL points at.
enum Target<'a> {
    /// A file on this machine.
    Local,
    /// `<transport>::<address>`.
    Helper(&'a str),
    /// A host (with the scheme's default port).
    Host { host: &'a str, port: u16 },
}

/// Classifies a URL the way git's `transport.c`/`connect.c` do: a scheme
/// URL, a transport-helper address, scp-like syntax (a colon before the
/// first slash), or else a local path.
fn classify(url: &str) -> Target<'_> {
    if let Some((scheme, _)) = url.split_once("://")
        && !scheme.is_empty()
        && scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"+.-".contains(&c))
    {
        let port = match scheme.to_ascii_lowercase().as_str() {
            "file" => return Target::Local,
            "http" => 80,
            "git" => 9418,
            "ssh" | "git+ssh" | "ssh+git" => 22,
            _ => 443,
        };
        return Target::Host {
            host: url_host(url),
            port,
        };
    }
    if let Some((transport, address)) = url.split_once("::")
        && !transport.is_empty()
        && transport.bytes().all(|c| c.is_ascii_alphanumeric())
    {
        return Target::Helper(address);
    }
    let colon = url.find(':');
    let slash = url.find('/');
    match colon {
        Some(c) if slash.is_none_or(|s| c < s) || url.starts_with('[') => Target::Host {
            host: url_host(url),
            port: 22,
        },
        _ => Target::Local,
    }
}

/// Splits `host[:port]` or `[v6]:port`.
fn split_host_port(host: &str) -> (&str, Option<&str>) {
    if let Some(rest) = host.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((n, p)) => (n, p.strip_prefix(':')),
            None => (rest, None),
        };
    }
    match host.rsplit_once(':') {
        Some((n, p)) if !n.contains(':') => (n, Some(p)),
        _ => (host, None),
    }
}

/// The `host[:port]` part of a URL or scp-style address.
pub fn url_host(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => {
            let auth = rest.split(['/', '?', '#']).next().unwrap_or("");
            auth.rsplit_once('@').map_or(auth, |(_, h)| h)
        }
        None => {
            let before = url.split_once(':').map_or(url, |(h, _)| h);
            before.rsplit_once('@').map_or(before, |(_, h)| h)
        }
    }
}

fn v4_private(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_private() {
        Some("private address")
    } else if ip.is_link_local() {
        Some("link-local address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared address space")
    } else if a == 0 {
        Some("this-network address")
    } else {
        None
    }
}

fn v6_private(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if first & 0xfe00 == 0xfc00 {
        Some("unique-local address")
    } else if first & 0xffc0 == 0xfe80 {
        Some("link-local address")
    } else {
        None
    }
}

#[cfg(test)]
pub(crate) mod tests;
