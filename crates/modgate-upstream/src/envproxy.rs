//! Outbound HTTP proxy selection exactly as Go's `http.ProxyFromEnvironment` does it,
//! so the go command and modgate agree on which requests use the corporate proxy.
//!
//! The rules (uppercase variables first, `http://` assumed, https never falling back
//! to `HTTP_PROXY`, the CGI rule, localhost/loopback never proxied, NO_PROXY entries)
//! live in [`modgate_core::goenv::httpproxy`], the one port of
//! `golang.org/x/net/http/httpproxy`. This module holds the client's configuration
//! type and turns the chosen proxy into the `url::Url` reqwest wants; it refuses at
//! start-up what Go would only fail on per request (an unparsable value, SOCKS,
//! an unknown scheme), since a proxy the operator set but we cannot use is a
//! configuration error for a server.

use modgate_core::goenv::httpproxy::{self, EnvVars, ProxyUrl};
use url::Url;

/// The proxy settings taken from the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    pub http_proxy: String,
    pub https_proxy: String,
    pub no_proxy: String,
    pub cgi: bool,
}

/// The process environment.
struct ProcessEnv;

impl EnvVars for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// These settings as the environment the core reads them from.
impl EnvVars for ProxyEnv {
    fn var(&self, name: &str) -> Option<String> {
        let v = match name {
            "HTTP_PROXY" => &self.http_proxy,
            "HTTPS_PROXY" => &self.https_proxy,
            "NO_PROXY" => &self.no_proxy,
            "REQUEST_METHOD" if self.cgi => "GET",
            _ => return None,
        };
        Some(v.to_owned())
    }
}

impl ProxyEnv {
    /// Reads the variables Go reads.
    pub fn from_env() -> ProxyEnv {
        let pe = httpproxy::ProxyEnv::from_env(&ProcessEnv);
        let raw = |v: Option<httpproxy::ProxyVar>| v.map(|v| v.raw).unwrap_or_default();
        ProxyEnv {
            no_proxy: pe.no_proxy.map(|(_, v)| v).unwrap_or_default(),
            cgi: pe.cgi,
            http_proxy: raw(pe.http),
            https_proxy: raw(pe.https),
        }
    }

    /// Compiles the settings; an unusable proxy value is an error.
    pub fn compile(&self) -> Result<ProxySelector, String> {
        let env = httpproxy::ProxyEnv::from_env(self);
        let http = if env.cgi {
            None
        } else {
            usable(env.http.as_ref())?
        };
        let https = usable(env.https.as_ref())?;
        Ok(ProxySelector { env, http, https })
    }
}

/// The reqwest proxy URL for a variable's value, or why it cannot be used.
fn usable(var: Option<&httpproxy::ProxyVar>) -> Result<Option<Url>, String> {
    let Some(var) = var else { return Ok(None) };
    let p = var.parsed.as_ref().map_err(String::clone)?;
    let s = &var.raw;
    match p.scheme.as_str() {
        "http" | "https" => to_url(p)
            .map(Some)
            .map_err(|e| format!("invalid proxy address {s:?}: {e}")),
        "socks5" | "socks5h" => Err(format!("proxy {s:?}: SOCKS proxies are not supported")),
        other => Err(format!("proxy {s:?}: unsupported proxy scheme {other:?}")),
    }
}

fn to_url(p: &ProxyUrl) -> Result<Url, String> {
    let mut u = Url::parse(&format!(
        "{}://{}/",
        p.scheme,
        httpproxy::join_host_port(&p.host, p.port)
    ))
    .map_err(|e| e.to_string())?;
    if let Some((user, pass)) = &p.user {
        u.set_username(user)
            .and_then(|()| u.set_password(Some(pass)))
            .map_err(|()| "cannot carry credentials".to_string())?;
    }
    Ok(u)
}

/// Chooses the proxy (if any) for a request URL.
#[derive(Debug, Clone)]
pub struct ProxySelector {
    env: httpproxy::ProxyEnv,
    http: Option<Url>,
    https: Option<Url>,
}

impl ProxySelector {
    /// The host names of the configured proxies (the operator's own, so direct
    /// mode's egress guard does not judge them).
    pub fn proxy_hosts(&self) -> Vec<String> {
        [&self.http, &self.https]
            .into_iter()
            .flatten()
            .filter_map(|u| match u.host()? {
                url::Host::Domain(d) => Some(d.to_ascii_lowercase()),
                _ => None,
            })
            .collect()
    }

    /// The proxy to use for `url`, or `None` to connect directly.
    pub fn proxy_for(&self, url: &Url) -> Option<Url> {
        let host = match url.host()? {
            url::Host::Domain(d) => d.to_owned(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        };
        let port = url.port_or_known_default()?;
        self.env.proxy_for(url.scheme(), &host, port)?;
        match url.scheme() {
            "https" => self.https.clone(),
            "http" => self.http.clone(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
