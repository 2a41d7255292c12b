//! Upstream lists in the go command's GOPROXY syntax.
//!
//! The string is parsed by `modgate_core::goenv::goproxy` (Go's `proxyList`); this
//! module turns its entries into fetchable upstreams: `https://`/`http://` proxies,
//! `file://` trees, `direct` (the module's own repository, through `modgate-vcs`)
//! and `off`.
//!
//! Scheme defaulting follows Go: an entry with `.`, `:` or `/` but no `:/`, that is not
//! an absolute path, gets `https://`; only `https`, `http` and `file` are allowed, and a
//! `file` URL may hold only a path.

use std::path::PathBuf;
use std::sync::Arc;

use url::Url;

use crate::breaker::Breaker;
use crate::client::hedge::Latency;
use crate::error::ConfigError;

/// One parsed GOPROXY entry, before it is bound to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamSpec {
    Url(String),
    Direct,
    Off,
}

/// Where one entry fetches from.
#[derive(Debug)]
pub enum Upstream {
    Http {
        base: Url,
        /// The base with any password removed, for messages and metrics.
        display: String,
        breaker: Breaker,
        /// Recent times to response headers: the adaptive hedge delay.
        latency: Latency,
    },
    File {
        root: PathBuf,
        display: String,
    },
    /// The module's own version-control repository (the client's direct source).
    Direct,
    Off,
}

impl Upstream {
    /// The upstream as shown in logs and errors.
    pub fn display(&self) -> &str {
        match self {
            Upstream::Http { display, .. } | Upstream::File { display, .. } => display,
            Upstream::Direct => "direct",
            Upstream::Off => "off",
        }
    }

    /// Whether requests go to a third-party proxy (used to keep private paths away
    /// from public upstreams). `direct` is not one: it asks only the module's own
    /// host, which is where a private module lives (Go's GOPRIVATE means direct).
    pub fn is_remote(&self) -> bool {
        matches!(self, Upstream::Http { .. })
    }
}

/// One entry with the separator that followed it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub upstream: Arc<Upstream>,
    /// `|`: fall back to the next entry on any error (not only "not found").
    pub fallback_on_any_error: bool,
}

/// An ordered upstream list.
#[derive(Debug, Clone)]
pub struct UpstreamList {
    pub entries: Vec<Entry>,
}

/// Settings every HTTP upstream's circuit breaker gets.
#[derive(Debug, Clone, Copy)]
pub struct BreakerSettings {
    pub threshold: u32,
    pub cooldown: std::time::Duration,
}

impl UpstreamList {
    /// Parses a list in Go's GOPROXY syntax (the core's `goenv::goproxy::parse`, Go's
    /// `proxyList`): `,`/`|` separators, scheme defaulting, `off`, and `direct`.
    pub fn parse(spec: &str, breaker: BreakerSettings) -> Result<UpstreamList, ConfigError> {
        use modgate_core::goenv::goproxy::{self, ProxyKind};
        if spec.trim().is_empty() {
            return Err(ConfigError("upstream list is empty".into()));
        }
        let parsed = goproxy::parse(spec)
            .map_err(|e| ConfigError(redact_passwords(&format!("upstream {spec:?}: {e}"))))?;
        let specs = parsed
            .entries
            .into_iter()
            .map(|e| {
                let kind = match e.kind {
                    ProxyKind::Url(u) => UpstreamSpec::Url(u),
                    // noproxy only appears with GONOPROXY, which modgate does not pass.
                    ProxyKind::Direct | ProxyKind::Noproxy => UpstreamSpec::Direct,
                    ProxyKind::Off => UpstreamSpec::Off,
                };
                (kind, e.fallback_on_any_error)
            })
            .collect();
        UpstreamList::from_specs(specs, breaker)
    }

    /// Binds parsed entries (spec, fall back on any error) to upstreams.
    pub fn from_specs(
        specs: Vec<(UpstreamSpec, bool)>,
        breaker: BreakerSettings,
    ) -> Result<UpstreamList, ConfigError> {
        let mut entries = Vec::new();
        for (spec, fallback_on_any_error) in specs {
            let upstream = match spec {
                UpstreamSpec::Off => Upstream::Off,
                UpstreamSpec::Direct => Upstream::Direct,
                UpstreamSpec::Url(u) => bind_url(&u, breaker)?,
            };
            entries.push(Entry {
                upstream: Arc::new(upstream),
                fallback_on_any_error,
            });
        }
        if entries.is_empty() {
            return Err(ConfigError("upstream list is empty".into()));
        }
        Ok(UpstreamList { entries })
    }

    /// Whether any entry sends requests off this machine.
    pub fn has_remote(&self) -> bool {
        self.entries.iter().any(|e| e.upstream.is_remote())
    }
}

/// Applies Go's scheme defaulting and checks, and makes the upstream.
fn bind_url(raw: &str, breaker: BreakerSettings) -> Result<Upstream, ConfigError> {
    let raw = raw.trim();
    let with_scheme = if !raw.contains(":/")
        && !std::path::Path::new(raw).is_absolute()
        && raw.contains(['.', ':', '/'])
    {
        format!("https://{raw}")
    } else {
        raw.to_owned()
    };
    // Error messages show the entry with any password masked (they reach logs).
    let raw = &redact_passwords(raw);
    let url = Url::parse(&with_scheme).map_err(|e| {
        ConfigError(redact_passwords(&format!(
            "upstream {raw:?}: invalid URL: {e}"
        )))
    })?;
    match url.scheme() {
        "https" | "http" => {
            let mut shown = url.clone();
            if shown.password().is_some() {
                let _ = shown.set_password(Some("xxxxx"));
            }
            let display = shown.as_str().trim_end_matches('/').to_owned();
            Ok(Upstream::Http {
                base: url,
                display,
                breaker: Breaker::new(breaker.threshold, breaker.cooldown),
                latency: Latency::default(),
            })
        }
        "file" => {
            if url.host_str().is_some_and(|h| !h.is_empty())
                || url.query().is_some()
                || url.fragment().is_some()
                || !url.username().is_empty()
            {
                return Err(ConfigError(format!(
                    "upstream {raw:?}: file URL must have only a path"
                )));
            }
            let root = url
                .to_file_path()
                .map_err(|()| ConfigError(format!("upstream {raw:?}: not a local path")))?;
            Ok(Upstream::File {
                display: url.as_str().to_owned(),
                root,
            })
        }
        other => Err(ConfigError(format!(
            "upstream {raw:?}: unsupported scheme {other:?} (use https, http or file)"
        ))),
    }
}

/// `s` with the password of every `scheme://user:password@host` in it replaced by
/// `xxxxx` (as Go's `url.URL.Redacted`), also where the URL does not parse.
pub fn redact_passwords(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        // The authority ends at the first '/', or at a list separator.
        let end = tail.find(['/', ',', '|']).unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => {
                        out.push_str(user);
                        out.push_str(":xxxxx");
                        out.push_str(&authority[at..]);
                    }
                    None => out.push_str(authority),
                }
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
