//! The egress guard: direct fetches and discovery may only reach public
//! addresses unless the operator allows more, so that a module path cannot
//! make the proxy connect to its own network (SSRF).
//!
//! A host is refused when any address it resolves to is loopback,
//! link-local, private (RFC 1918, unique-local IPv6, carrier-grade NAT),
//! unspecified, multicast or broadcast; IPv4-mapped IPv6 addresses are
//! judged by their IPv4 address. Loopback and private ranges can each be
//! allowed. A name that does not resolve is let through (it reaches
//! nothing; `insteadOf` rewriting is the operator's own configuration).
//! The check resolves names itself; git resolves them again, so a
//! name that changes its answer between the two lookups is not covered.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
#[error("egress refused: {host} resolves to {addr} ({why})")]
pub struct EgressError {
    /// The host as given.
    pub host: String,
    /// The offending address (or the lookup failure).
    pub addr: String,
    /// Which rule refused it.
    pub why: &'static str,
}

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

    /// Resolves `host` (a name or an address literal, optionally with a
    /// port) and refuses it when any of its addresses is refused.
    pub async fn check_host(&self, host: &str) -> Result<(), EgressError> {
        let bare = host.trim_start_matches('[');
        let (name, port) = match bare.rsplit_once(']') {
            Some((n, rest)) => (n, rest.trim_start_matches(':')),
            None => match host.rsplit_once(':') {
                Some((n, p)) if !n.contains(':') => (n, p),
                _ => (host, ""),
            },
        };
        let port: u16 = port.parse().unwrap_or(443);
        let refuse = |addr: String, why| EgressError {
            host: host.to_string(),
            addr,
            why,
        };
        let addrs: Vec<IpAddr> = match name.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            // A name that does not resolve reaches nothing; git may still
            // reach something else through the user's insteadOf rewriting,
            // which the operator configured.
            Err(_) => match tokio::net::lookup_host((name, port)).await {
                Ok(addrs) => addrs.map(|a| a.ip()).collect(),
                Err(_) => Vec::new(),
            },
        };
        for ip in addrs {
            if let Some(why) = self.refusal(ip) {
                return Err(refuse(ip.to_string(), why));
            }
        }
        Ok(())
    }

    /// Checks the host of a URL (`scheme://[user@]host[:port]/...`) or of
    /// scp-style `user@host:path`.
    pub async fn check_url(&self, url: &str) -> Result<(), EgressError> {
        self.check_host(url_host(url)).await
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
mod tests;
