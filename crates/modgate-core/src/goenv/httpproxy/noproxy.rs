//! `NO_PROXY` matching as x/net/http/httpproxy's `config.init` parses the list
//! and `config.useProxy` applies it: comma-separated entries, trimmed and
//! lowercased; `*` disables proxying; an IP or CIDR matches IP hosts only; an
//! IP or domain may carry a port that must then match too; `foo.com` matches
//! the host and its subdomains while `.foo.com` and `*.foo.com` match only
//! subdomains. Malformed entries are skipped, never fatal.

use std::net::IpAddr;

/// The compiled list; empty (proxy everything but loopback) by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct NoProxy {
    matchers: Vec<Matcher>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Matcher {
    All,
    Cidr(IpAddr, u8),
    Ip(IpAddr, Option<u16>),
    Domain {
        /// Always starts with `.`.
        suffix: String,
        port: Option<u16>,
        /// The entry had no leading dot: the bare domain matches too.
        match_host: bool,
    },
}

/// An IP literal, ignoring an IPv6 zone (`fe80::1%eth0`) as Go's netip does
/// for the loopback test.
fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.split('%').next().unwrap_or(s);
    s.parse().ok()
}

impl NoProxy {
    pub(super) fn parse(value: &str) -> NoProxy {
        let mut matchers = Vec::new();
        for p in value.split(',') {
            let p = p.trim().to_ascii_lowercase();
            if p.is_empty() {
                continue;
            }
            if p == "*" {
                return NoProxy {
                    matchers: vec![Matcher::All],
                };
            }
            if let Some(m) = parse_entry(&p) {
                matchers.push(m);
            }
        }
        NoProxy { matchers }
    }

    /// Go's `useProxy` for a host (no brackets) and port.
    pub(super) fn use_proxy(&self, host: &str, port: u16) -> bool {
        let host = host.trim().to_ascii_lowercase();
        if host == "localhost" {
            return false;
        }
        let ip = parse_ip(&host);
        if ip.is_some_and(|ip| ip.is_loopback()) {
            return false;
        }
        !self.matchers.iter().any(|m| m.matches(&host, port, ip))
    }
}

fn parse_entry(p: &str) -> Option<Matcher> {
    if let Some((net, bits)) = p.split_once('/')
        && let (Some(ip), Ok(bits)) = (parse_ip(net), bits.parse::<u8>())
        && bits <= if ip.is_ipv4() { 32 } else { 128 }
    {
        return Some(Matcher::Cidr(ip, bits));
    }
    let (host, port) = match split_host_port(p) {
        Some((h, port)) => (h, Some(port)),
        None => (p, None),
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(s) => Some(s.parse::<u16>().ok()?),
        None => None,
    };
    if let Some(ip) = parse_ip(host) {
        return Some(Matcher::Ip(ip, port));
    }
    // `*.foo.com` is spelled `.foo.com`.
    let host = match host.strip_prefix('*') {
        Some(rest) if rest.starts_with('.') => rest,
        _ => host,
    };
    let match_host = !host.starts_with('.');
    let suffix = if match_host {
        format!(".{host}")
    } else {
        host.to_owned()
    };
    Some(Matcher::Domain {
        suffix,
        port,
        match_host,
    })
}

impl Matcher {
    fn matches(&self, host: &str, port: u16, ip: Option<IpAddr>) -> bool {
        match self {
            Matcher::All => true,
            Matcher::Cidr(net, bits) => ip.is_some_and(|ip| cidr_contains(*net, *bits, ip)),
            Matcher::Ip(want, want_port) => {
                ip == Some(*want) && want_port.is_none_or(|p| p == port)
            }
            Matcher::Domain {
                suffix,
                port: want_port,
                match_host,
            } => {
                if ip.is_some() {
                    return false;
                }
                let hit = host.ends_with(suffix.as_str())
                    || (*match_host && suffix.get(1..) == Some(host));
                hit && want_port.is_none_or(|p| p == port)
            }
        }
    }
}

fn cidr_contains(net: IpAddr, bits: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), bits),
        (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), bits),
        (IpAddr::V6(n), IpAddr::V4(a)) => n
            .to_ipv4_mapped()
            .is_some_and(|n| prefix_eq(&n.octets(), &a.octets(), bits.saturating_sub(96))),
        (IpAddr::V4(_), IpAddr::V6(_)) => false,
    }
}

/// Whether the first `bits` bits of `a` and `b` agree.
fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = usize::from(bits).min(a.len() * 8);
    let (whole, rest) = (bits / 8, bits % 8);
    if a.get(..whole) != b.get(..whole) {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    match (a.get(whole), b.get(whole)) {
        (Some(x), Some(y)) => x & mask == y & mask,
        _ => false,
    }
}

/// Go's `net.SplitHostPort` for the NO_PROXY forms (`h:p`, `[v6]:p`).
fn split_host_port(s: &str) -> Option<(&str, &str)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        let port = after.strip_prefix(':')?;
        return Some((h, port));
    }
    let (h, p) = s.rsplit_once(':')?;
    if h.contains(':') {
        return None; // a bare IPv6 address, not host:port
    }
    Some((h, p))
}
