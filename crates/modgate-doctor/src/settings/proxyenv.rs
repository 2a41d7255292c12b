//! HTTP proxy settings exactly as Go's `net/http.ProxyFromEnvironment` reads
//! them (`vendor/golang.org/x/net/http/httpproxy/proxy.go`):
//!
//! * `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, each read uppercase first, then
//!   lowercase; an empty value counts as unset.
//! * `ALL_PROXY` is never read (curl reads it, which is why curl can work where
//!   Go fails); we only note that it is set.
//! * A value that does not parse as a URL with a scheme and a host gets
//!   `http://` prepended; a value that still does not parse is silently
//!   ignored by Go (requests then go direct).
//! * `localhost` and loopback addresses are never proxied; `NO_PROXY` entries
//!   are IPs, CIDRs, `host[:port]`, `.suffix` or `*.suffix`, or `*`.
//! * When `REQUEST_METHOD` is set (a CGI process) `HTTP_PROXY` is refused.

use std::net::IpAddr;

use crate::env::Env;

/// A proxy URL after Go's parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    pub scheme: String,
    pub host: String,
    pub port: u16,
    /// Basic credentials from the URL's userinfo (sent as `Proxy-Authorization`).
    pub user: Option<(String, String)>,
}

impl ProxyUrl {
    /// `scheme://host:port`, never showing a password.
    pub fn display(&self) -> String {
        let user = match &self.user {
            Some((u, _)) => format!("{u}:***@"),
            None => String::new(),
        };
        format!(
            "{}://{}{}",
            self.scheme,
            user,
            crate::net::join_host_port(&self.host, self.port)
        )
    }

    /// Whether Go's transport can use this scheme.
    pub fn scheme_supported(&self) -> bool {
        matches!(
            self.scheme.as_str(),
            "http" | "https" | "socks5" | "socks5h"
        )
    }
}

/// One proxy variable as found in the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyVar {
    /// The variable Go took the value from (`HTTPS_PROXY` or `https_proxy`).
    pub name: &'static str,
    pub raw: String,
    /// The parsed URL, or why Go ignores the value.
    pub parsed: Result<ProxyUrl, String>,
}

/// The proxy-related environment, as Go sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    pub http: Option<ProxyVar>,
    pub https: Option<ProxyVar>,
    /// `(variable, value)` of the NO_PROXY setting in force.
    pub no_proxy: Option<(&'static str, String)>,
    /// `ALL_PROXY`/`all_proxy` when set: Go ignores it.
    pub all_proxy: Option<(&'static str, String)>,
    /// Lowercase variables that differ from the uppercase one Go uses.
    pub shadowed: Vec<(&'static str, String)>,
    /// `REQUEST_METHOD` is set: Go refuses `HTTP_PROXY`.
    pub cgi: bool,
    matchers: Vec<Matcher>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Matcher {
    All,
    Cidr(IpAddr, u8),
    Ip(IpAddr, Option<u16>),
    Domain {
        suffix: String,
        port: Option<u16>,
        match_host: bool,
    },
}

fn get_any(env: &Env, upper: &'static str, lower: &'static str) -> Option<(&'static str, String)> {
    if let Some(v) = env.get(upper) {
        return Some((upper, v.to_string()));
    }
    env.get(lower).map(|v| (lower, v.to_string()))
}

impl ProxyEnv {
    pub fn from_env(env: &Env) -> ProxyEnv {
        let mut shadowed = Vec::new();
        for (upper, lower) in [
            ("HTTP_PROXY", "http_proxy"),
            ("HTTPS_PROXY", "https_proxy"),
            ("NO_PROXY", "no_proxy"),
        ] {
            if let (Some(u), Some(l)) = (env.get(upper), env.get(lower))
                && u != l
            {
                shadowed.push((lower, l.to_string()));
            }
        }
        let var = |upper, lower| {
            get_any(env, upper, lower).map(|(name, raw)| ProxyVar {
                name,
                parsed: parse_proxy(&raw),
                raw,
            })
        };
        let no_proxy = get_any(env, "NO_PROXY", "no_proxy");
        let matchers = no_proxy
            .as_ref()
            .map(|(_, v)| parse_no_proxy(v))
            .unwrap_or_default();
        ProxyEnv {
            http: var("HTTP_PROXY", "http_proxy"),
            https: var("HTTPS_PROXY", "https_proxy"),
            all_proxy: get_any(env, "ALL_PROXY", "all_proxy"),
            no_proxy,
            shadowed,
            cgi: env.get("REQUEST_METHOD").is_some(),
            matchers,
        }
    }

    /// The proxy Go uses for a request to `scheme://host:port`, if any.
    pub fn proxy_for(&self, scheme: &str, host: &str, port: u16) -> Option<&ProxyUrl> {
        let var = match scheme {
            "https" => self.https.as_ref()?,
            "http" if !self.cgi => self.http.as_ref()?,
            _ => return None,
        };
        let proxy = var.parsed.as_ref().ok()?;
        self.use_proxy(host, port).then_some(proxy)
    }

    /// Whether NO_PROXY (and the loopback rule) let a request to host:port
    /// go through a proxy.
    pub fn use_proxy(&self, host: &str, port: u16) -> bool {
        let host = host.trim().to_ascii_lowercase();
        if host == "localhost" {
            return false;
        }
        let ip = crate::net::parse_ip(&host);
        if ip.is_some_and(|ip| ip.is_loopback()) {
            return false;
        }
        !self.matchers.iter().any(|m| m.matches(&host, port, ip))
    }

    /// Whether an HTTP(S) proxy is configured at all (even an unusable one).
    pub fn any(&self) -> bool {
        self.http.is_some() || self.https.is_some()
    }
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

/// Go's `parseProxy`: a full URL, or `host[:port]` with `http://` assumed.
pub fn parse_proxy(raw: &str) -> Result<ProxyUrl, String> {
    // Go's url.Parse rejects these in every component, so neither of its two
    // attempts can succeed (the url crate would accept some in paths).
    if raw.chars().any(|c| c.is_control()) {
        return Err(format!(
            "invalid proxy address {raw:?}: invalid control character in URL"
        ));
    }
    if let Some(bad) = bad_escape(raw) {
        return Err(format!(
            "invalid proxy address {raw:?}: invalid URL escape {bad:?}"
        ));
    }
    let first = url::Url::parse(raw);
    let usable = |u: &url::Url| u.host_str().is_some_and(|h| !h.is_empty());
    let parsed = match first {
        Ok(u) if usable(&u) => u,
        _ => match url::Url::parse(&format!("http://{raw}")) {
            Ok(u) if usable(&u) => u,
            Ok(_) => return Err(format!("invalid proxy address {raw:?}: missing host")),
            Err(e) => return Err(format!("invalid proxy address {raw:?}: {e}")),
        },
    };
    let scheme = parsed.scheme().to_string();
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed.port().unwrap_or(match scheme.as_str() {
        "https" => 443,
        "socks5" | "socks5h" => 1080,
        _ => 80,
    });
    let user = (!parsed.username().is_empty()).then(|| {
        (
            percent_decode(parsed.username()),
            percent_decode(parsed.password().unwrap_or("")),
        )
    });
    Ok(ProxyUrl {
        scheme,
        host,
        port,
        user,
    })
}

/// The first `%` not followed by two hex digits, as Go reports it.
fn bad_escape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    (0..b.len()).find_map(|i| {
        let ok = b[i] != b'%'
            || b.get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        (!ok).then(|| s[i..].chars().take(3).collect())
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_no_proxy(value: &str) -> Vec<Matcher> {
    let mut out = Vec::new();
    for p in value.split(',') {
        let p = p.trim().to_ascii_lowercase();
        if p.is_empty() {
            continue;
        }
        if p == "*" {
            return vec![Matcher::All];
        }
        if let Some((net, bits)) = p.split_once('/')
            && let (Some(ip), Ok(bits)) = (crate::net::parse_ip(net), bits.parse::<u8>())
            && bits <= if ip.is_ipv4() { 32 } else { 128 }
        {
            out.push(Matcher::Cidr(ip, bits));
            continue;
        }
        let (mut host, port) = match split_host_port(&p) {
            Some((h, port)) => (h.to_string(), Some(port)),
            None => (p.clone(), None),
        };
        if host.starts_with('[') && host.ends_with(']') && host.len() >= 2 {
            host = host[1..host.len() - 1].to_string();
        }
        if host.is_empty() {
            continue;
        }
        let port_num = match port {
            Some(s) => match s.parse::<u16>() {
                Ok(n) => Some(n),
                Err(_) => continue,
            },
            None => None,
        };
        if let Some(ip) = crate::net::parse_ip(&host) {
            out.push(Matcher::Ip(ip, port_num));
            continue;
        }
        if let Some(rest) = host.strip_prefix("*.") {
            host = format!(".{rest}");
        }
        let match_host = !host.starts_with('.');
        if match_host {
            host = format!(".{host}");
        }
        out.push(Matcher::Domain {
            suffix: host,
            port: port_num,
            match_host,
        });
    }
    out
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

#[cfg(test)]
mod tests;
