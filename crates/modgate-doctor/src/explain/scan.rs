//! Small, panic-free extractors for the pieces of a go error text that
//! explain needs: URLs, hosts, socket addresses, module paths and versions.
//!
//! The shapes follow what Go prints: `Get "<url>": <err>` and
//! `reading <url>: <status>` (cmd/go/internal/web), `dial tcp <addr>: <op>:
//! <errno text>` and `lookup <name> on <server>: <err>` (net.OpError and
//! net.DNSError), and `<path>@<version>: <err>` (module.VersionError).
//! Older Go versions printed `Get <url>: ...` without quotes; both are read.

/// A URL as it appears in the text, split just enough for diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    pub full: String,
    pub scheme: String,
    /// Host without port; IPv6 literals keep no brackets.
    pub host: String,
    /// Explicit port, or the scheme's default (443 for https, 80 for http).
    pub port: Option<u16>,
    /// Path and query, starting with `/` (empty when absent).
    pub rest: String,
}

impl Url {
    pub fn parse(s: &str) -> Option<Url> {
        let (scheme, after) = s.split_once("://")?;
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+')
        {
            return None;
        }
        let end = after.find(['/', '?']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(end);
        // Credentials never belong in a report.
        let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port) = split_host_port(hostport);
        if host.is_empty() && scheme != "file" {
            return None;
        }
        let port = port.or(match scheme {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        });
        Some(Url {
            full: s.to_string(),
            scheme: scheme.to_string(),
            host: host.to_string(),
            port,
            rest: rest.to_string(),
        })
    }

    /// `host:port` (IPv6 in brackets), the form a connection is made to.
    pub fn endpoint(&self) -> String {
        match self.port {
            Some(p) => join_host_port(&self.host, p),
            None => self.host.clone(),
        }
    }

    /// Everything before the path: `https://proxy.golang.org`.
    pub fn origin(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default = matches!(
            (self.scheme.as_str(), self.port),
            ("https", Some(443)) | ("http", Some(80)) | (_, None)
        );
        if default {
            format!("{}://{}", self.scheme, host)
        } else {
            format!(
                "{}://{}:{}",
                self.scheme,
                host,
                self.port.unwrap_or_default()
            )
        }
    }

    pub fn path(&self) -> &str {
        self.rest.split('?').next().unwrap_or("")
    }
}

/// Splits `host:port`, `[v6]:port`, `host` or a bare IPv6 literal.
pub(crate) fn split_host_port(s: &str) -> (&str, Option<u16>) {
    if let Some(inner) = s.strip_prefix('[') {
        if let Some((h, rest)) = inner.split_once(']') {
            let port = rest.strip_prefix(':').and_then(|p| p.parse().ok());
            return (h, port);
        }
        return (s, None);
    }
    match s.rsplit_once(':') {
        // More than one colon without brackets: a bare IPv6 literal.
        Some((h, _)) if h.contains(':') => (s, None),
        Some((h, p)) => match p.parse() {
            Ok(port) => (h, Some(port)),
            Err(_) => (s, None),
        },
        None => (s, None),
    }
}

pub(crate) fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The host part of a socket address, zone included (`fe80::1%utun4`).
pub(crate) fn addr_host(addr: &str) -> &str {
    split_host_port(addr).0
}

pub(crate) fn is_ipv6_addr(addr: &str) -> bool {
    addr_host(addr).contains(':')
}

/// Whether a host is an IP literal rather than a name.
pub(crate) fn is_ip_literal(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok()
        || host
            .split('%')
            .next()
            .is_some_and(|h| h.parse::<std::net::Ipv6Addr>().is_ok())
}

/// Finds the first URL in `text`: after `Get "`, `Get `, `reading `, `parse `,
/// or anywhere a `scheme://` starts. Trailing punctuation Go adds is removed.
pub(crate) fn first_url(text: &str) -> Option<Url> {
    all_urls(text).into_iter().next()
}

pub(crate) fn all_urls(text: &str) -> Vec<Url> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let at = from + i;
        // Walk back over the scheme.
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_ascii_alphanumeric() || c == '+')
            .last()
            .map_or(at, |(j, _)| j);
        let end = text[at..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ')' | '>'))
            .map_or(text.len(), |j| at + j);
        let mut candidate = &text[start..end];
        // `reading <url>: 404`: the colon belongs to the message, not the URL.
        candidate = candidate.trim_end_matches([':', ',', '.', ';']);
        if let Some(u) = Url::parse(candidate) {
            out.push(u);
        }
        from = end.max(at + 3);
    }
    out
}

/// Undoes Go's module path escaping (`!x` means `X`) and the `%21` URL
/// escaping of `!` that appears in proxy URLs.
pub(crate) fn unescape_module_path(s: &str) -> String {
    let s = s.replace("%21", "!");
    let mut out = String::with_capacity(s.len());
    let mut bang = false;
    for c in s.chars() {
        if bang {
            out.push(c.to_ascii_uppercase());
            bang = false;
        } else if c == '!' {
            bang = true;
        } else {
            out.push(c);
        }
    }
    out
}

/// A character that may appear in a module path or version as go prints it.
fn path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '~' | '/' | '+' | '!')
}

/// Whether `p` looks like a module or package path: a first element with a
/// dot (a domain) and only path characters.
pub(crate) fn looks_like_module_path(p: &str) -> bool {
    let first = p.split('/').next().unwrap_or("");
    first.contains('.')
        && !first.starts_with('.')
        && !first.ends_with('.')
        && p.chars().all(path_char)
        && !p.contains("//")
}

/// A module path with the version go was after, when the text names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModVer {
    pub path: String,
    pub version: Option<String>,
}

impl ModVer {
    pub fn display(&self) -> String {
        match &self.version {
            Some(v) => format!("{}@{}", self.path, v),
            None => self.path.clone(),
        }
    }
}

/// The first `<path>@<version>` token in `text` (as module.VersionError
/// prints it), with a `/go.mod` suffix on the version dropped.
pub(crate) fn first_mod_version(text: &str) -> Option<ModVer> {
    for raw in text.split(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
        let tok = raw.trim_end_matches([':', ',', ';']);
        let Some((path, version)) = tok.rsplit_once('@') else {
            continue;
        };
        let path = path.trim_start_matches(['(', '[']);
        if path.contains("://") || !looks_like_module_path(path) {
            continue;
        }
        let version = version.strip_suffix("/go.mod").unwrap_or(version);
        if version.is_empty() || !version.chars().all(path_char) {
            continue;
        }
        return Some(ModVer {
            path: path.to_string(),
            version: Some(version.to_string()),
        });
    }
    None
}

/// A module path named after `module ` (`go: module github.com/x/y: ...`).
pub(crate) fn module_word(text: &str) -> Option<ModVer> {
    let mut from = 0;
    while let Some(i) = text[from..].find("module ") {
        let at = from + i + "module ".len();
        let word: String = text[at..].chars().take_while(|&c| path_char(c)).collect();
        if looks_like_module_path(&word) {
            return Some(ModVer {
                path: word,
                version: None,
            });
        }
        from = at;
    }
    None
}

/// The module path inside a proxy URL (`<base>/<escaped path>/@v/...` or
/// `/@latest`) or a checksum database lookup (`/lookup/<path>@<version>`).
pub(crate) fn module_from_url(url: &Url) -> Option<ModVer> {
    let path = url.path();
    if let Some(i) = path.find("/lookup/") {
        let rest = &path[i + "/lookup/".len()..];
        let (p, v) = rest.rsplit_once('@')?;
        return Some(ModVer {
            path: unescape_module_path(p),
            version: Some(unescape_module_path(v)),
        });
    }
    let (before, after) = if let Some(i) = path.find("/@v/") {
        (&path[..i], Some(&path[i + 4..]))
    } else if let Some(b) = path.strip_suffix("/@latest") {
        (b, None)
    } else {
        return None;
    };
    // The module path starts at the first element that looks like a domain.
    let segments: Vec<&str> = before.split('/').collect();
    let start = segments.iter().position(|s| s.contains('.'))?;
    let module = unescape_module_path(&segments[start..].join("/"));
    let version = after.and_then(|a| {
        [".info", ".mod", ".zip"]
            .iter()
            .find_map(|ext| a.strip_suffix(ext))
            .map(unescape_module_path)
    });
    Some(ModVer {
        path: module,
        version,
    })
}

/// The proxy base URL of a proxy request: the URL up to the module path.
pub(crate) fn proxy_base(url: &Url) -> Option<String> {
    let path = url.path();
    let cut = path.find("/@v/").or_else(|| path.find("/@latest"))?;
    let segments: Vec<&str> = path[..cut].split('/').collect();
    let start = segments.iter().position(|s| s.contains('.'))?;
    let base_path = segments[..start].join("/");
    Some(format!(
        "{}{}",
        url.origin(),
        base_path.trim_end_matches('/')
    ))
}

/// The text after `marker` up to the next `: ` or end of line, trimmed.
pub(crate) fn word_after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    let i = text.find(marker)?;
    let rest = &text[i + marker.len()..];
    let end = rest
        .find([' ', '\n', '\t', '"', '\''])
        .unwrap_or(rest.len());
    let w = rest[..end].trim_end_matches([':', ',', ';', '.', ')']);
    (!w.is_empty()).then_some(w)
}

/// The line of `text` that contains `needle`, trimmed.
pub(crate) fn line_with<'a>(text: &'a str, needle: &str) -> Option<&'a str> {
    text.lines().find(|l| l.contains(needle)).map(str::trim)
}

/// `dial tcp <addr>: ...` → `<addr>` (absent for `dial tcp: lookup ...`).
pub(crate) fn dial_addr(text: &str) -> Option<String> {
    for marker in ["dial tcp ", "dial tcp4 ", "dial tcp6 ", "dial udp "] {
        if let Some(a) = word_after(text, marker) {
            return Some(a.to_string());
        }
    }
    None
}

/// `read tcp <local>-><remote>: ...` (or write) → (local, remote).
pub(crate) fn socket_pair(text: &str) -> Option<(String, String)> {
    for marker in [
        "read tcp ",
        "write tcp ",
        "read tcp4 ",
        "write tcp4 ",
        "read tcp6 ",
        "write tcp6 ",
    ] {
        if let Some(w) = word_after(text, marker)
            && let Some((l, r)) = w.split_once("->")
        {
            return Some((l.to_string(), r.to_string()));
        }
    }
    None
}

/// `lookup <name>[ on <server>]: <err>` → (name, server).
/// (`module lookup disabled by ...` is not a DNS lookup and is skipped.)
pub(crate) fn dns_lookup(text: &str) -> Option<(String, Option<String>)> {
    let mut from = 0;
    while let Some(i) = text[from..].find("lookup ") {
        let rest = &text[from + i + "lookup ".len()..];
        from += i + "lookup ".len();
        let name_end = rest.find([' ', ':', '\n']).unwrap_or(rest.len());
        let name = &rest[..name_end];
        let after = &rest[name_end..];
        if name.is_empty()
            || name == "disabled"
            || !(after.starts_with(" on ") || after.starts_with(": "))
        {
            continue;
        }
        let server = after
            .strip_prefix(" on ")
            .and_then(|s| s.split(": ").next())
            .map(|s| s.trim_end_matches(':').to_string());
        return Some((name.to_string(), server));
    }
    None
}

#[cfg(test)]
mod tests;
