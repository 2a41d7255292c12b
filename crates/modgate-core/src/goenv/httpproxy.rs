//! HTTP proxy settings exactly as Go's `net/http.ProxyFromEnvironment` reads
//! and applies them (`golang.org/x/net/http/httpproxy`, vendored in GOROOT as
//! `src/vendor/golang.org/x/net/http/httpproxy/proxy.go`). One implementation
//! serves both the upstream client (which proxy for a request URL) and the
//! doctor (which variable a setting came from, and why Go ignores a value).
//!
//! * `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, each read uppercase first, then
//!   lowercase; an empty value counts as unset.
//! * `ALL_PROXY` is never read by Go (curl reads it, which is why curl can work
//!   where Go fails); it is only recorded so callers can say so.
//! * A value that does not parse as a URL with a scheme and a host gets
//!   `http://` prepended ([`parse_proxy`]); a value that still does not parse
//!   is an error with Go's text (Go's transport then goes direct).
//! * `localhost` and loopback addresses are never proxied; `NO_PROXY` entries
//!   are IPs, CIDRs, `host[:port]`, `.suffix` or `*.suffix`, or `*`
//!   (see `noproxy`).
//! * When `REQUEST_METHOD` is set (a CGI process) `HTTP_PROXY` is refused.
//!
//! The environment is read through [`EnvVars`] so this module stays pure.

mod noproxy;

use super::url::Url;
use crate::quote::quote;
use noproxy::NoProxy;

#[cfg(test)]
mod tests;

/// Where the proxy variables are read from (the process environment, or a
/// snapshot a caller holds).
pub trait EnvVars {
    /// The value of `name`, if set.
    fn var(&self, name: &str) -> Option<String>;
}

/// A proxy URL after Go's parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    pub scheme: String,
    /// The host name or IP, without brackets or port.
    pub host: String,
    /// The explicit port, else the scheme's default (443, 1080 for SOCKS, 80).
    pub port: u16,
    /// Basic credentials from the URL's userinfo, percent-decoded.
    pub user: Option<(String, String)>,
}

impl ProxyUrl {
    /// `scheme://[user:***@]host:port`, never showing a password.
    pub fn display(&self) -> String {
        let user = match &self.user {
            Some((u, _)) => format!("{u}:***@"),
            None => String::new(),
        };
        format!(
            "{}://{}{}",
            self.scheme,
            user,
            join_host_port(&self.host, self.port)
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

/// `host:port`, with brackets around an IPv6 host (Go's `net.JoinHostPort`).
pub fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// One proxy variable as found in the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyVar {
    /// The variable Go took the value from (`HTTPS_PROXY` or `https_proxy`).
    pub name: &'static str,
    pub raw: String,
    /// The parsed URL, or Go's reason for rejecting the value.
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
    matchers: NoProxy,
}

/// Go's `getEnvAny`: the first of the names with a non-empty value.
fn get_any(
    env: &(impl EnvVars + ?Sized),
    upper: &'static str,
    lower: &'static str,
) -> Option<(&'static str, String)> {
    [upper, lower]
        .into_iter()
        .find_map(|name| non_empty(env, name).map(|v| (name, v)))
}

fn non_empty(env: &(impl EnvVars + ?Sized), name: &str) -> Option<String> {
    env.var(name).filter(|v| !v.is_empty())
}

impl ProxyEnv {
    /// Reads the variables Go reads (plus `ALL_PROXY`, to report it).
    pub fn from_env(env: &(impl EnvVars + ?Sized)) -> ProxyEnv {
        let mut shadowed = Vec::new();
        for (upper, lower) in [
            ("HTTP_PROXY", "http_proxy"),
            ("HTTPS_PROXY", "https_proxy"),
            ("NO_PROXY", "no_proxy"),
        ] {
            if let (Some(u), Some(l)) = (non_empty(env, upper), non_empty(env, lower))
                && u != l
            {
                shadowed.push((lower, l));
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
            .map(|(_, v)| NoProxy::parse(v))
            .unwrap_or_default();
        ProxyEnv {
            http: var("HTTP_PROXY", "http_proxy"),
            https: var("HTTPS_PROXY", "https_proxy"),
            all_proxy: get_any(env, "ALL_PROXY", "all_proxy"),
            no_proxy,
            shadowed,
            cgi: non_empty(env, "REQUEST_METHOD").is_some(),
            matchers,
        }
    }

    /// The proxy Go uses for a request to `scheme://host:port`, if any: an
    /// https request never falls back to `HTTP_PROXY`, other schemes never
    /// use a proxy, and an unparsable value means a direct connection.
    pub fn proxy_for(&self, scheme: &str, host: &str, port: u16) -> Option<&ProxyUrl> {
        let var = match scheme {
            "https" => self.https.as_ref()?,
            "http" if !self.cgi => self.http.as_ref()?,
            _ => return None,
        };
        let proxy = var.parsed.as_ref().ok()?;
        self.use_proxy(host, port).then_some(proxy)
    }

    /// Whether NO_PROXY (and the localhost/loopback rule) let a request to
    /// `host:port` go through a proxy. `host` has no brackets.
    pub fn use_proxy(&self, host: &str, port: u16) -> bool {
        self.matchers.use_proxy(host, port)
    }

    /// Whether an HTTP(S) proxy is configured at all (even an unusable one).
    pub fn any(&self) -> bool {
        self.http.is_some() || self.https.is_some()
    }
}

/// Go's `parseProxy`: a full URL, or `host[:port]` with `http://` assumed.
/// The error is Go's `invalid proxy address "<raw>": <url.Parse error>`.
pub fn parse_proxy(raw: &str) -> Result<ProxyUrl, String> {
    let invalid =
        |why: &dyn std::fmt::Display| format!("invalid proxy address {}: {why}", quote(raw));
    let first = Url::parse(raw);
    let url = match first {
        Ok(u) if !u.scheme.is_empty() && !u.host.is_empty() => u,
        first => match (Url::parse(&format!("http://{raw}")), first) {
            (Ok(u), _) => u,
            (Err(_), Ok(u)) => u,
            (Err(_), Err(e)) => return Err(invalid(&e)),
        },
    };
    // Go would accept a host-less URL here and fail at dial time; saying so
    // now is clearer.
    if url.host.is_empty() {
        return Err(invalid(&"missing host"));
    }
    let url_host = String::from_utf8_lossy(&url.host).into_owned();
    let (host, port) = split_url_host(&url_host);
    let port = match port {
        "" => match url.scheme.as_str() {
            "https" => 443,
            "socks5" | "socks5h" => 1080,
            _ => 80,
        },
        p => p
            .parse()
            .map_err(|_| invalid(&format_args!("invalid port {}", quote(p))))?,
    };
    let user = url.user.filter(|u| !u.username.is_empty()).map(|u| {
        (
            String::from_utf8_lossy(&u.username).into_owned(),
            String::from_utf8_lossy(&u.password.unwrap_or_default()).into_owned(),
        )
    });
    Ok(ProxyUrl {
        scheme: url.scheme,
        host: host.to_owned(),
        port,
        user,
    })
}

/// Go's `URL.Hostname` and `URL.Port` for a parsed (already validated) host.
fn split_url_host(host: &str) -> (&str, &str) {
    let (name, port) = match host.rfind(':') {
        Some(i) if !host[i..].contains(']') => (&host[..i], &host[i + 1..]),
        _ => (host, ""),
    };
    // A bare IPv6 literal cannot occur (url.Parse requires brackets).
    let name = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    (name, port)
}
