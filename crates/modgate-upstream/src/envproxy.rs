//! Outbound HTTP proxy selection exactly as Go's `http.ProxyFromEnvironment` does it
//! (`golang.org/x/net/http/httpproxy`): the go command and modgate then agree on
//! which requests use the corporate proxy.
//!
//! * `HTTPS_PROXY`/`https_proxy` for https URLs, `HTTP_PROXY`/`http_proxy` for http URLs
//!   (the uppercase name wins; `HTTP_PROXY` is ignored when `REQUEST_METHOD` is set,
//!   the CGI rule). An https request never falls back to `HTTP_PROXY`.
//! * A proxy value without a scheme gets `http://`.
//! * Requests to `localhost` and loopback IPs are never proxied.
//! * `NO_PROXY`/`no_proxy`: comma-separated, trimmed, lowercased entries: `*` (no proxy
//!   at all), an IP or CIDR, `[v6]:port`/`ip:port`, or a domain with optional port where
//!   `foo.com` matches `foo.com` and its subdomains and `.foo.com`/`*.foo.com` match only
//!   subdomains.

use std::net::IpAddr;

use url::Url;

/// The proxy settings taken from the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    pub http_proxy: String,
    pub https_proxy: String,
    pub no_proxy: String,
    pub cgi: bool,
}

impl ProxyEnv {
    /// Reads the variables Go reads.
    pub fn from_env() -> ProxyEnv {
        let get = |upper: &str, lower: &str| {
            std::env::var(upper)
                .ok()
                .filter(|v| !v.is_empty())
                .or_else(|| std::env::var(lower).ok())
                .unwrap_or_default()
        };
        ProxyEnv {
            http_proxy: get("HTTP_PROXY", "http_proxy"),
            https_proxy: get("HTTPS_PROXY", "https_proxy"),
            no_proxy: get("NO_PROXY", "no_proxy"),
            cgi: std::env::var_os("REQUEST_METHOD").is_some(),
        }
    }

    /// Compiles the settings; an unparsable proxy URL is an error.
    pub fn compile(&self) -> Result<ProxySelector, String> {
        let parse = |s: &str| -> Result<Option<Url>, String> {
            if s.is_empty() {
                return Ok(None);
            }
            let parsed = match Url::parse(s) {
                Ok(u) if matches!(u.scheme(), "http" | "https" | "socks5" | "socks5h") => u,
                _ => Url::parse(&format!("http://{s}"))
                    .map_err(|e| format!("invalid proxy address {s:?}: {e}"))?,
            };
            if parsed.scheme().starts_with("socks") {
                return Err(format!("proxy {s:?}: SOCKS proxies are not supported"));
            }
            Ok(Some(parsed))
        };
        let http = if self.cgi {
            None
        } else {
            parse(&self.http_proxy)?
        };
        Ok(ProxySelector {
            http,
            https: parse(&self.https_proxy)?,
            no_proxy: NoProxy::parse(&self.no_proxy),
        })
    }
}

/// Chooses the proxy (if any) for a request URL.
#[derive(Debug, Clone)]
pub struct ProxySelector {
    http: Option<Url>,
    https: Option<Url>,
    no_proxy: NoProxy,
}

impl ProxySelector {
    /// The proxy to use for `url`, or `None` to connect directly.
    pub fn proxy_for(&self, url: &Url) -> Option<Url> {
        let proxy = match url.scheme() {
            "https" => self.https.as_ref()?,
            "http" => self.http.as_ref()?,
            _ => return None,
        };
        let host = match url.host()? {
            url::Host::Domain(d) => d.to_ascii_lowercase(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        };
        let port = url.port_or_known_default()?.to_string();
        if self.no_proxy.use_proxy(&host, &port) {
            Some(proxy.clone())
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Default)]
struct NoProxy {
    all: bool,
    ips: Vec<(IpAddr, String)>,
    cidrs: Vec<(IpAddr, u8)>,
    domains: Vec<DomainMatch>,
}

#[derive(Debug, Clone)]
struct DomainMatch {
    /// Always starts with '.'.
    suffix: String,
    port: String,
    match_host: bool,
}

impl NoProxy {
    fn parse(value: &str) -> NoProxy {
        let mut np = NoProxy::default();
        for p in value.split(',') {
            let p = p.trim().to_ascii_lowercase();
            if p.is_empty() {
                continue;
            }
            if p == "*" {
                np.all = true;
                return np;
            }
            if let Some(cidr) = parse_cidr(&p) {
                np.cidrs.push(cidr);
                continue;
            }
            let (mut host, port) = match split_host_port(&p) {
                Some((h, port)) => {
                    if h.is_empty() {
                        continue;
                    }
                    (h.to_owned(), port.to_owned())
                }
                None => (p.clone(), String::new()),
            };
            if host.starts_with('[') && host.ends_with(']') && host.len() >= 2 {
                host = host[1..host.len() - 1].to_owned();
            }
            if let Ok(ip) = host.parse::<IpAddr>() {
                np.ips.push((ip, port));
                continue;
            }
            if host.is_empty() {
                continue;
            }
            if let Some(rest) = host.strip_prefix("*.") {
                host = format!(".{rest}");
            }
            let match_host = !host.starts_with('.');
            if match_host {
                host = format!(".{host}");
            }
            np.domains.push(DomainMatch {
                suffix: host,
                port,
                match_host,
            });
        }
        np
    }

    fn use_proxy(&self, host: &str, port: &str) -> bool {
        if host == "localhost" {
            return false;
        }
        let ip = host.parse::<IpAddr>().ok();
        if ip.is_some_and(|ip| ip.is_loopback()) {
            return false;
        }
        if self.all {
            return false;
        }
        if let Some(ip) = ip {
            if self
                .ips
                .iter()
                .any(|(m, p)| *m == ip && (p.is_empty() || p == port))
            {
                return false;
            }
            if self.cidrs.iter().any(|&(net, bits)| in_cidr(ip, net, bits)) {
                return false;
            }
        }
        for d in &self.domains {
            let hit = host.ends_with(&d.suffix) || (d.match_host && host == &d.suffix[1..]);
            if hit && (d.port.is_empty() || d.port == port) {
                return false;
            }
        }
        true
    }
}

/// `net.SplitHostPort` for the shapes NO_PROXY uses (`host:port`, `[v6]:port`).
fn split_host_port(s: &str) -> Option<(&str, &str)> {
    if let Some(rest) = s.strip_prefix('[') {
        let end = rest.find(']')?;
        let port = rest[end + 1..].strip_prefix(':')?;
        return Some((&s[..end + 2], port));
    }
    let (h, p) = s.rsplit_once(':')?;
    if h.contains(':') {
        return None; // a bare IPv6 address, not host:port
    }
    Some((h, p))
}

fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (ip, bits) = s.split_once('/')?;
    let ip: IpAddr = ip.parse().ok()?;
    let bits: u8 = bits.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
