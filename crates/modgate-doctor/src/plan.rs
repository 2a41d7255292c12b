//! Which endpoints Go would contact, from the settings: each GOPROXY entry up
//! to `direct`/`off`, the checksum database (unless a proxy serves it — that
//! is only known after probing, see [`crate::run`]), and for modules Go
//! fetches directly (GONOPROXY paths, `GOPROXY=direct`, or private-looking
//! paths that reach a `direct` entry after a proxy's not-found) their hosts and
//! git repositories. Each endpoint also records whether Go would reach it
//! through an HTTP proxy and whether GOINSECURE applies.

use modgate_core::pattern::match_prefix_patterns;

use crate::checks::git::static_repo_url;
use crate::probe::{Endpoint, Role};
use crate::settings::Settings;

/// A GOPROXY entry after Go's parsing (`modfetch/proxy.go` `proxyList`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    Url(String),
    Direct,
    Off,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEntry {
    pub kind: EntryKind,
    /// `|` after it: any error moves on to the next entry.
    pub fallback_any: bool,
}

/// GOSUMDB after Go's parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SumDb {
    Off,
    On { name: String, url: Option<String> },
}

/// The module path probed on proxies when no module is given.
pub const DEFAULT_PROBE_MODULE: &str = "golang.org/x/text";

/// The public proxies (private paths sent there leak).
pub const PUBLIC_PROXIES: &[&str] = &[
    "proxy.golang.org",
    "goproxy.io",
    "goproxy.cn",
    "proxy.golang.com.cn",
    "mirrors.aliyun.com",
    "goproxy.baidu.com",
    "mirrors.tencent.com",
    "gocenter.io",
];

/// A git repository to check with `ls-remote`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitTarget {
    pub module: String,
    pub host: String,
    /// Known without asking the host (`None`: taken from its go-import tag).
    pub url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub chain: Result<Vec<ChainEntry>, String>,
    pub sumdb: Result<SumDb, String>,
    pub endpoints: Vec<Endpoint>,
    pub git: Vec<GitTarget>,
    /// Host names to resolve (endpoint hosts and HTTP proxy hosts).
    pub hosts: Vec<String>,
}

impl Plan {
    pub fn sumdb_name(&self) -> Option<&str> {
        match &self.sumdb {
            Ok(SumDb::On { name, .. }) => Some(name),
            _ => None,
        }
    }
}

/// Whether Go fetches `path` directly rather than through a proxy.
pub fn fetched_directly(s: &Settings, chain: &[ChainEntry], path: &str) -> bool {
    if match_prefix_patterns(s.gonoproxy(), path) {
        return true;
    }
    matches!(chain.first().map(|e| &e.kind), Some(EntryKind::Direct))
}

/// Whether the chain reaches `direct` after its proxies (for not-found answers).
pub fn reaches_direct(chain: &[ChainEntry]) -> bool {
    chain.iter().any(|e| e.kind == EntryKind::Direct)
}

/// The host of a URL, its port and path.
fn split_url(u: &str) -> Option<(String, String, u16, String)> {
    let parsed = url::Url::parse(u).ok()?;
    let scheme = parsed.scheme().to_string();
    let host = parsed
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed.port_or_known_default()?;
    Some((
        scheme,
        host,
        port,
        parsed.path().trim_end_matches('/').to_string(),
    ))
}

pub fn plan(s: &Settings) -> Plan {
    let chain = crate::goconf::goproxy_chain(s.goproxy());
    let sumdb = crate::goconf::gosumdb(s.gosumdb());
    let mut endpoints = Vec::new();
    let entries = chain.as_deref().unwrap_or_default();

    let requires: Vec<String> = s
        .module
        .as_ref()
        .map(|m| m.requires.iter().map(|r| r.path.clone()).collect())
        .unwrap_or_default();
    let probe_module = requires
        .iter()
        .find(|p| {
            !fetched_directly(s, entries, p)
                && !crate::private::looks_private_host(crate::private::module_host(p))
        })
        .cloned()
        .unwrap_or_else(|| DEFAULT_PROBE_MODULE.to_string());

    for (index, e) in entries.iter().enumerate() {
        let EntryKind::Url(u) = &e.kind else { continue };
        let Some((scheme, host, port, base_path)) = split_url(u) else {
            continue; // file:// entries: nothing to probe on the network
        };
        if scheme != "http" && scheme != "https" {
            continue;
        }
        let via = s.proxy.proxy_for(&scheme, &host, port).cloned();
        endpoints.push(Endpoint {
            scheme,
            host,
            port,
            base_path,
            role: Role::Proxy {
                index,
                url: u.clone(),
                module: probe_module.clone(),
                fallback_any: e.fallback_any,
            },
            insecure: false,
            via,
        });
    }

    if let Ok(SumDb::On { name, url }) = &sumdb {
        let base = url.clone().unwrap_or_else(|| format!("https://{name}"));
        if let Some((scheme, host, port, base_path)) = split_url(&base)
            && (scheme == "https" || scheme == "http")
        {
            let via = s.proxy.proxy_for(&scheme, &host, port).cloned();
            endpoints.push(Endpoint {
                scheme,
                host,
                port,
                base_path,
                role: Role::SumDb { name: name.clone() },
                insecure: false,
                via,
            });
        }
    }

    // Modules Go fetches from their own hosts.
    let mut git = Vec::new();
    let mut vcs_hosts: Vec<(String, Vec<String>)> = Vec::new();
    for p in &requires {
        let host = crate::private::module_host(p).to_string();
        let direct = fetched_directly(s, entries, p)
            || (reaches_direct(entries) && crate::private::looks_private_host(&host));
        if !direct {
            continue;
        }
        match static_repo_url(p) {
            Some(url) => {
                if !git
                    .iter()
                    .any(|g: &GitTarget| g.url.as_deref() == Some(url.as_str()))
                {
                    git.push(GitTarget {
                        module: p.clone(),
                        host,
                        url: Some(url),
                    });
                }
            }
            None => match vcs_hosts.iter_mut().find(|(h, _)| *h == host) {
                Some((_, mods)) => mods.push(p.clone()),
                None => vcs_hosts.push((host, vec![p.clone()])),
            },
        }
    }
    // Without a module, the literal hosts in GONOPROXY are the private hosts.
    if s.module.is_none() {
        for g in s.gonoproxy().split(',') {
            let host = g.split('/').next().unwrap_or("").trim();
            if host.contains('.')
                && !host.contains(['*', '?', '[', '\\'])
                && !vcs_hosts.iter().any(|(h, _)| h == host)
            {
                vcs_hosts.push((host.to_string(), Vec::new()));
            }
        }
    }
    for (host, modules) in vcs_hosts {
        let (h, port) = match host.rsplit_once(':') {
            Some((h, p)) if p.parse::<u16>().is_ok() => (h.to_string(), p.parse().unwrap_or(443)),
            _ => (host.clone(), 443),
        };
        let insecure = modules
            .iter()
            .any(|m| match_prefix_patterns(s.get("GOINSECURE"), m));
        if let Some(m) = modules.first() {
            git.push(GitTarget {
                module: m.clone(),
                host: h.clone(),
                url: None,
            });
        }
        let via = s.proxy.proxy_for("https", &h, port).cloned();
        endpoints.push(Endpoint {
            scheme: "https".into(),
            host: h,
            port,
            base_path: String::new(),
            role: Role::Vcs { modules },
            insecure,
            via,
        });
    }

    let mut hosts: Vec<String> = Vec::new();
    for e in &endpoints {
        let h = match &e.via {
            Some(p) => p.host.clone(),
            None => e.host.clone(),
        };
        if !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    Plan {
        chain,
        sumdb,
        endpoints,
        git,
        hosts,
    }
}

#[cfg(test)]
mod tests;
