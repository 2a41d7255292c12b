//! Finding the repository for a module path: Go's static host patterns,
//! then `?go-get=1` discovery through `<meta name="go-import">` tags.
//!
//! Follows `cmd/go/internal/vcs/vcs.go` (`vcsPaths`,
//! `repoRootFromVCSPaths`, `repoRootForImportDynamic`, `matchGoImport`) and
//! `discovery.go` (`parseMetaGoImports`) of Go 1.27.3. The HTML is read
//! as leniently as Go's non-strict XML decoder reads it: names are
//! case-insensitive, attribute values may be quoted either way or not at
//! all, reading stops at `<body>` or `</head>`, and only the `utf-8` and
//! `ascii` charsets are accepted in an XML declaration.
//!
//! HTTP is behind the [`Fetch`] trait so the caller decides the client,
//! proxies and the egress policy ([`crate::egress`]). Once the VCS and root
//! are known, the GOVCS policy ([`VcsPolicy`], Go's `checkGOVCS`) is applied
//! as Go applies it; a VCS it allows that is not git is reported as
//! [`Found::Other`] for the caller to refuse clearly.

use std::future::Future;

use modgate_core::goenv::govcs::Govcs;
use modgate_core::quote::quote;

/// Which version control systems may be run for which paths: the GOVCS
/// rules and the private (GOPRIVATE) patterns they call `private`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VcsPolicy {
    /// The rules (Go's defaults included).
    pub govcs: Govcs,
    /// GOPRIVATE-syntax patterns.
    pub private: String,
}

impl VcsPolicy {
    /// Go's `checkGOVCS` for a repository root.
    pub fn check(&self, vcs: &str, root: &str) -> Result<(), DiscoveryError> {
        self.govcs
            .check(vcs, root, &self.private)
            .map_err(|e| err(e.to_string()))
    }
}

/// Where a module path's code lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A git repository: the import path of its root, its URL, and the
    /// subdirectory holding the code (usually empty).
    Git {
        /// Import path of the repository root.
        root: String,
        /// The URL to give git.
        url: String,
        /// Subdirectory of the repository (go-import's fourth field).
        subdir: String,
    },
    /// A repository of another version control system (`hg`, `svn`, `bzr`,
    /// `fossil`), which GOVCS allowed but direct mode cannot use.
    Other {
        /// Import path of the repository root.
        root: String,
        /// The VCS command.
        vcs: String,
        /// The repository URL.
        url: String,
    },
    /// A `mod` go-import: the module is served by the GOPROXY-protocol
    /// server at `url`.
    Proxy {
        /// Import path prefix the proxy serves.
        root: String,
        /// Base URL of the proxy.
        url: String,
    },
}

/// Why no repository was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DiscoveryError(pub String);

fn err(msg: impl Into<String>) -> DiscoveryError {
    DiscoveryError(msg.into())
}

/// An HTTP GET for discovery: the body whatever the status (Go accepts any
/// status, 404 pages may carry the tags), or an error when nothing came
/// back.
pub trait Fetch {
    /// Fetches `url`.
    fn get(&self, url: &str) -> impl Future<Output = Result<Vec<u8>, String>> + Send;
}

/// One `go-import` meta tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaImport {
    /// The import path prefix.
    pub prefix: String,
    /// `git`, `hg`, `svn`, `fossil` or `mod`.
    pub vcs: String,
    /// The repository (or proxy) URL.
    pub repo_root: String,
    /// The optional subdirectory.
    pub subdir: String,
}

/// A path element of Go's `[\w.\-]+`.
fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-')
}

const VCS_NAMES: [&str; 4] = ["fossil", "git", "hg", "svn"];

/// The static patterns (Go's `vcsPaths`) with the GOVCS check Go makes once
/// the root is known: `None` when no pattern applies and dynamic discovery
/// should be tried.
pub fn static_root(path: &str, policy: &VcsPolicy) -> Option<Result<Found, DiscoveryError>> {
    let found = static_pattern(path)?;
    Some(found.and_then(|f| {
        let (vcs, root) = match &f {
            Found::Git { root, .. } => ("git", root),
            Found::Other { vcs, root, .. } => (vcs.as_str(), root),
            Found::Proxy { root, .. } => ("mod", root),
        };
        policy.check(vcs, root)?;
        Ok(f)
    }))
}

/// The static patterns alone.
fn static_pattern(path: &str) -> Option<Result<Found, DiscoveryError>> {
    let elems: Vec<&str> = path.split('/').collect();
    let git = |n: usize, check_suffix: bool| -> Result<Found, DiscoveryError> {
        let root = elems[..n].join("/");
        if check_suffix && VCS_NAMES.iter().any(|v| root.ends_with(&format!(".{v}"))) {
            return Err(err(format!(
                "invalid version control suffix in {}/ path",
                elems[0]
            )));
        }
        Ok(Found::Git {
            url: format!("https://{root}"),
            root,
            subdir: String::new(),
        })
    };
    let invalid = |prefix: &str| err(format!("invalid {prefix} import path {}", quote(path)));
    let all_words = |from: usize| {
        elems
            .get(from..)
            .is_some_and(|r| r.iter().all(|e| is_word(e)))
    };
    match elems[0] {
        "github.com" | "bitbucket.org" => Some(if elems.len() >= 3 && all_words(1) {
            git(3, true)
        } else {
            Err(invalid(elems[0]))
        }),
        "hub.jazz.net" if elems.get(1) == Some(&"git") => Some(
            if elems.len() >= 4
                && elems[2]
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && !elems[2].is_empty()
                && all_words(3)
            {
                git(4, true)
            } else {
                Err(invalid("hub.jazz.net/git"))
            },
        ),
        "git.apache.org" => Some(
            if elems.len() >= 2
                && elems[1].ends_with(".git")
                && elems[1].len() > 4
                && elems[1]
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"_.-".contains(&c))
                && all_words(2)
            {
                git(2, false)
            } else {
                Err(invalid("git.apache.org"))
            },
        ),
        "git.openstack.org" => Some(if elems.len() >= 3 && all_words(1) {
            let mut found = git(3, false);
            // An optional .git after the root is not part of it.
            if let Ok(Found::Git { root, url, .. }) = &mut found
                && let Some(r) = root.strip_suffix(".git").map(str::to_string)
            {
                *url = format!("https://{r}");
                *root = r;
            }
            found
        } else {
            Err(invalid("git.openstack.org"))
        }),
        "chiselapp.com" => Some(
            if elems.len() == 5
                && elems[1] == "user"
                && !elems[2].is_empty()
                && elems[2].bytes().all(|c| c.is_ascii_alphanumeric())
                && elems[3] == "repository"
                && is_word(elems[4])
            {
                Ok(Found::Other {
                    root: path.to_string(),
                    vcs: "fossil".into(),
                    url: format!("https://{path}"),
                })
            } else {
                Err(invalid("chiselapp.com"))
            },
        ),
        _ => vcs_suffix_root(&elems),
    }
}

/// The generic `host/path.vcs[/sub]` pattern. The root keeps the `.vcs`
/// suffix; the repository URL, as in Go, does not (`example.com/x.git` is
/// cloned from `https://example.com/x`). The scheme is `https`: go pings
/// `https`, then `git+ssh` and `ssh` (and `git://`, `http` under GOINSECURE);
/// modgate does not probe (users rewrite URLs with insteadOf).
fn vcs_suffix_root(elems: &[&str]) -> Option<Result<Found, DiscoveryError>> {
    let host = elems[0];
    let host_ok = {
        let (name, port) = host.split_once(':').unwrap_or((host, ""));
        name.contains('.')
            && name
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
            && port.bytes().all(|c| c.is_ascii_digit())
    };
    if !host_ok {
        return None;
    }
    // The shortest root ending in .vcs wins (Go's lazy `+?`).
    for i in 1..elems.len() {
        let e = elems[i].strip_prefix('~').unwrap_or(elems[i]);
        if !is_word(e) {
            return None;
        }
        for vcs in VCS_NAMES {
            if e.len() > vcs.len() + 1 && e.ends_with(&format!(".{vcs}")) {
                if !elems[i + 1..]
                    .iter()
                    .all(|s| is_word(s.strip_prefix('~').unwrap_or(s)))
                {
                    return None;
                }
                let root = elems[..=i].join("/");
                let repo = &root[..root.len() - vcs.len() - 1];
                let url = format!("https://{repo}");
                if vcs != "git" {
                    return Some(Ok(Found::Other {
                        url,
                        root,
                        vcs: vcs.to_string(),
                    }));
                }
                return Some(Ok(Found::Git {
                    url,
                    root,
                    subdir: String::new(),
                }));
            }
        }
    }
    None
}

/// Reads the `go-import` meta tags from an HTML page (Go's
/// `parseMetaGoImports` in module mode: `mod` entries first, replacing
/// other entries with the same prefix).
pub fn parse_meta_go_imports(html: &[u8]) -> Result<Vec<MetaImport>, DiscoveryError> {
    let text = String::from_utf8_lossy(html);
    let mut imports = Vec::new();
    let mut rest: &str = &text;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        if let Some(after) = rest.strip_prefix('?') {
            let end = after.find("?>").unwrap_or(after.len());
            let decl = &after[..end];
            if decl.len() >= 3 && decl[..3].eq_ignore_ascii_case("xml") {
                let attrs = parse_attrs(&decl[3..]);
                if let Some(enc) = attr(&attrs, "encoding") {
                    let e = enc.to_ascii_lowercase();
                    if e != "utf-8" && e != "ascii" {
                        return Err(err(format!(
                            "can't decode XML document using charset {}",
                            quote(enc)
                        )));
                    }
                }
            }
            rest = after.get(end + 2..).unwrap_or("");
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or("");
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, tag),
        };
        let name_len = tag
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(tag.len());
        let name = &tag[..name_len];
        let local = name.rsplit(':').next().unwrap_or(name);
        if closing {
            if local.eq_ignore_ascii_case("head") {
                break;
            }
            continue;
        }
        if local.eq_ignore_ascii_case("body") {
            break;
        }
        if !local.eq_ignore_ascii_case("meta") {
            continue;
        }
        let attrs = parse_attrs(&tag[name_len..]);
        if attr(&attrs, "name") != Some("go-import") {
            continue;
        }
        let content = attr(&attrs, "content").unwrap_or("");
        let f: Vec<&str> = content.split_whitespace().collect();
        if f.len() == 3 || f.len() == 4 {
            imports.push(MetaImport {
                prefix: f[0].to_string(),
                vcs: f[1].to_string(),
                repo_root: f[2].to_string(),
                subdir: f.get(3).map(|s| s.to_string()).unwrap_or_default(),
            });
        }
    }
    let mod_prefixes: Vec<String> = imports
        .iter()
        .filter(|m| m.vcs == "mod")
        .map(|m| m.prefix.clone())
        .collect();
    let mut list: Vec<MetaImport> = imports.iter().filter(|m| m.vcs == "mod").cloned().collect();
    list.extend(
        imports
            .into_iter()
            .filter(|m| m.vcs != "mod" && !mod_prefixes.contains(&m.prefix)),
    );
    Ok(list)
}

/// Where a tag ends: the first `>` outside quotes.
fn tag_end(s: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '>' => return i,
            None => {}
        }
    }
    s.len()
}

/// Attributes as (lower-cased local name, decoded value).
fn parse_attrs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        rest = rest[name_end..].trim_start();
        if name.is_empty() {
            rest = rest.get(1..).unwrap_or("").trim_start();
            continue;
        }
        let local = name.rsplit(':').next().unwrap_or(name).to_ascii_lowercase();
        let value;
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            if let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let body = &after[1..];
                let end = body.find(q).unwrap_or(body.len());
                value = &body[..end];
                rest = body.get(end + 1..).unwrap_or("");
            } else {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                value = &after[..end];
                rest = &after[end..];
            }
        } else {
            // A bare attribute's value is its name in non-strict mode.
            value = name;
        }
        out.push((local, decode_entities(value)));
        rest = rest.trim_start();
    }
    out
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Decodes the XML entities and character references; unknown entities
/// stay as written (non-strict mode).
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';') else { break };
        let ent = &rest[1..semi];
        let decoded = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The one tag whose prefix contains `path` (Go's `matchGoImport`).
pub fn match_go_import(imports: &[MetaImport], path: &str) -> Result<MetaImport, DiscoveryError> {
    let mut found: Option<&MetaImport> = None;
    let mut mismatches = Vec::new();
    for im in imports {
        if !crate::coderepo::has_path_prefix(path, &im.prefix) {
            mismatches.push(im.prefix.as_str());
            continue;
        }
        if let Some(m) = found {
            if m.vcs == "mod" && im.vcs != "mod" {
                break;
            }
            return Err(err(format!(
                "multiple meta tags match import path {}",
                quote(path)
            )));
        }
        found = Some(im);
    }
    found.cloned().ok_or_else(|| {
        if mismatches.is_empty() {
            err(format!("no go-import meta tags ({path})"))
        } else {
            err(format!(
                "import {}: meta tags do not match import path ({})",
                quote(path),
                mismatches.join(", ")
            ))
        }
    })
}

/// The VCS commands Go knows (`vcsList`).
const KNOWN_VCS: [&str; 5] = ["git", "hg", "svn", "bzr", "fossil"];

/// Schemes git may use without GOINSECURE.
const SECURE_SCHEMES: [&str; 4] = ["https", "git+ssh", "ssh", "svn+ssh"];

/// Finds the repository for `path`: static patterns first, then
/// `https://<path>?go-get=1` (or `http://` when `insecure`, the GOINSECURE
/// match for this path).
pub async fn discover<F: Fetch>(
    fetch: &F,
    path: &str,
    insecure: bool,
    policy: &VcsPolicy,
) -> Result<Found, DiscoveryError> {
    if let Some(found) = static_root(path, policy) {
        return found;
    }
    let imports = fetch_imports(fetch, path, insecure).await?;
    let mut mi = match_go_import(&imports, path)?;
    if mi.prefix != path {
        // The root must say the same about itself.
        let again = fetch_imports(fetch, &mi.prefix, insecure).await?;
        let mi2 = match_go_import(&again, &mi.prefix)?;
        if mi2 != mi {
            return Err(err(format!(
                "{} and {} disagree about go-import for {}",
                path, mi.prefix, mi.prefix
            )));
        }
    }
    let Some((scheme, _)) = mi.repo_root.split_once("://") else {
        return Err(err(format!(
            "{}: invalid repo root {}; no scheme",
            path,
            quote(&mi.repo_root)
        )));
    };
    if scheme == "file" {
        return Err(err(format!(
            "{}: invalid repo root {}; file scheme disallowed",
            path,
            quote(&mi.repo_root)
        )));
    }
    if mi.subdir.starts_with('/') || mi.subdir.starts_with('-') {
        return Err(err(format!(
            "{}: invalid subdirectory {}",
            path,
            quote(&mi.subdir)
        )));
    }
    if mi.vcs != "mod" && !KNOWN_VCS.contains(&mi.vcs.as_str()) {
        return Err(err(format!("{}: unknown vcs {}", path, quote(&mi.vcs))));
    }
    policy.check(&mi.vcs, &mi.prefix)?;
    if mi.vcs == "mod" {
        // A proxy is fetched over https, or http when GOINSECURE allows it.
        if !insecure && scheme != "https" {
            return Err(err(format!(
                "{}: insecure module proxy URL {} (set GOINSECURE to allow)",
                path,
                quote(&mi.repo_root)
            )));
        }
        return Ok(Found::Proxy {
            root: mi.prefix,
            url: mi.repo_root,
        });
    }
    if mi.vcs != "git" {
        return Ok(Found::Other {
            root: mi.prefix,
            vcs: mi.vcs,
            url: mi.repo_root,
        });
    }
    if !insecure && !SECURE_SCHEMES.contains(&scheme) {
        return Err(err(format!(
            "{}: insecure repository URL {} (set GOINSECURE to allow)",
            path,
            quote(&mi.repo_root)
        )));
    }
    mi.subdir = mi.subdir.trim_matches('/').to_string();
    Ok(Found::Git {
        root: mi.prefix,
        url: mi.repo_root,
        subdir: mi.subdir,
    })
}

async fn fetch_imports<F: Fetch>(
    fetch: &F,
    path: &str,
    insecure: bool,
) -> Result<Vec<MetaImport>, DiscoveryError> {
    let https = format!("https://{path}?go-get=1");
    let body = match fetch.get(&https).await {
        Ok(b) => b,
        Err(e) if insecure => fetch
            .get(&format!("http://{path}?go-get=1"))
            .await
            .map_err(|e2| err(format!("{https}: {e}; http: {e2}")))?,
        Err(e) => {
            return Err(err(format!(
                "unrecognized import path {}: {e}",
                quote(path)
            )));
        }
    };
    parse_meta_go_imports(&body).map_err(|e| err(format!("parsing {path}: {e}")))
}

#[cfg(test)]
mod tests;
