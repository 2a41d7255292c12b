//! Direct mode as a GOPROXY-protocol source: answers `@v/list`, `.info`,
//! `.mod`, `.zip` and `@latest` requests for any module path by finding its
//! repository and asking git.
//!
//! Follows `cmd/go/internal/modfetch/repo.go` `lookupDirect`: the module
//! path is resolved to a repository (static patterns, then `?go-get=1`,
//! [`crate::discovery`]), and the module is the code repository rooted
//! there ([`CodeRepo`]). Every discovery address passes the egress guard
//! first, and so does every repository URL as git will contact it: after
//! git's `insteadOf` rewriting (asked once per remote with
//! `git ls-remote --get-url`), so a URL rewritten to `file://` is not looked
//! up at all. A `mod` go-import (the module is served by another proxy) is
//! answered [`DirectBody::Proxy`]: the caller fetches the same path from
//! that proxy (this crate has no HTTP client of its own). Discovery answers are
//! cached for a minute; repositories live as long as the process.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use modgate_core::module::{unescape_path, unescape_version};
use modgate_core::pattern::match_prefix_patterns;

use crate::coderepo::{CodeError, CodeRepo};
use crate::discovery::{Fetch, Found, VcsPolicy, discover};
use crate::egress::Guard;
use crate::repo::Repos;

/// How long a discovery answer is reused.
const DISCOVERY_TTL: Duration = Duration::from_secs(60);

/// One answered protocol file.
#[derive(Debug)]
pub enum DirectBody {
    /// A small file (`list`, `.info`, `.mod`, `@latest`).
    Memory(Vec<u8>),
    /// A zip in a temporary file in the caller's staging directory.
    File {
        /// The file, deleted when dropped.
        path: tempfile::TempPath,
        /// Its size.
        size: u64,
    },
    /// A `mod` go-import: the module is served by the GOPROXY-protocol
    /// server at `base` (already checked by the egress guard); the caller
    /// fetches the same path from it, as Go's `lookupDirect` does.
    Proxy {
        /// The proxy's base URL.
        base: String,
    },
}

/// Why a file could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DirectError {
    /// Whether the module or version does not exist (a proxy's 404), as
    /// opposed to a failure to find out.
    pub not_found: bool,
    /// Go's wording where it has one.
    pub message: String,
}

fn not_found(message: impl Into<String>) -> DirectError {
    DirectError {
        not_found: true,
        message: message.into(),
    }
}

impl From<CodeError> for DirectError {
    fn from(e: CodeError) -> Self {
        DirectError {
            not_found: e.is_not_found(),
            message: e.to_string(),
        }
    }
}

/// An error on the way, with the module path for git failures.
enum Failure {
    Code(String, CodeError),
    Direct(DirectError),
}

impl From<DirectError> for Failure {
    fn from(e: DirectError) -> Self {
        Failure::Direct(e)
    }
}

/// The direct-mode source.
pub struct Direct<F> {
    repos: Repos,
    fetch: F,
    guard: Guard,
    insecure: String,
    policy: VcsPolicy,
    found: Mutex<HashMap<String, (Instant, Found)>>,
    /// Remote URL -> the URL git contacts (after `insteadOf`).
    rewritten: Mutex<HashMap<String, String>>,
}

impl<F> std::fmt::Debug for Direct<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Direct")
            .field("repos", &self.repos)
            .field("guard", &self.guard)
            .field("insecure", &self.insecure)
            .finish_non_exhaustive()
    }
}

impl<F: Fetch + Sync> Direct<F> {
    /// A source using `repos` for git, `fetch` for `?go-get=1` pages,
    /// `guard` for which addresses may be reached, and `insecure` (GOINSECURE
    /// patterns) for which paths may use plain HTTP.
    pub fn new(repos: Repos, fetch: F, guard: Guard, insecure: impl Into<String>) -> Direct<F> {
        Direct {
            repos,
            fetch,
            guard,
            insecure: insecure.into(),
            policy: VcsPolicy::default(),
            found: Mutex::new(HashMap::new()),
            rewritten: Mutex::new(HashMap::new()),
        }
    }

    /// Applies `policy` (GOVCS and the private patterns) before any VCS
    /// command; the default is Go's default with no private paths.
    pub fn with_vcs_policy(mut self, policy: VcsPolicy) -> Direct<F> {
        self.policy = policy;
        self
    }

    /// The URL git will contact for `url`: git's own `insteadOf` rewriting
    /// (`git ls-remote --get-url`, with the runner's configuration), cached
    /// per remote for the life of the process.
    async fn git_url(&self, url: &str) -> Result<String, DirectError> {
        if let Some(u) = self
            .rewritten
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(url)
        {
            return Ok(u.clone());
        }
        let failed = |e: String| DirectError {
            not_found: false,
            message: format!("rewriting {url} with the git configuration: {e}"),
        };
        // Outside any repository, so only the user's and system configuration
        // apply, as for the repositories kept under the base directory.
        std::fs::create_dir_all(self.repos.base()).map_err(|e| failed(e.to_string()))?;
        let out = self
            .repos
            .runner()
            .output(
                self.repos.base(),
                &["ls-remote", "--get-url", "--end-of-options", url],
            )
            .await
            .map_err(|e| failed(e.to_string()))?;
        let target = String::from_utf8_lossy(&out).trim().to_string();
        if target.is_empty() {
            return Err(failed("git printed no URL".into()));
        }
        self.rewritten
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(url.to_string(), target.clone());
        Ok(target)
    }

    /// Answers a protocol path relative to a proxy base, e.g.
    /// `golang.org/x/text/@v/v0.3.0.zip` (case-encoded); zips are written
    /// into `staging`.
    pub async fn get(&self, escaped: &str, staging: &Path) -> Result<DirectBody, DirectError> {
        let mut e = self.answer(escaped, staging).await.map_err(|e| match e {
            Failure::Code(path, e @ (CodeError::Git(_) | CodeError::Io(_))) => {
                let text = e.to_string();
                let message = if is_auth_failure(&text) {
                    format!("module {path}: authentication failed: {text}")
                } else {
                    format!("module {path}: {text}")
                };
                DirectError {
                    not_found: false,
                    message,
                }
            }
            Failure::Code(_, e) => e.into(),
            Failure::Direct(e) => e,
        });
        // URLs with credentials (from insteadOf or a go-import tag) never
        // reach an error text.
        if let Err(e) = &mut e {
            e.message = redact_userinfo(&e.message);
        }
        e
    }

    async fn answer(&self, escaped: &str, staging: &Path) -> Result<DirectBody, Failure> {
        let (epath, what) = if let Some(p) = escaped.strip_suffix("/@latest") {
            (p, None)
        } else if let Some((p, file)) = escaped.split_once("/@v/") {
            (p, Some(file))
        } else {
            return Err(not_found(format!("not a module proxy path: {escaped}")).into());
        };
        let path = unescape_path(epath).map_err(|e| not_found(e.to_string()))?;
        // The version of a .info/.mod/.zip request, so that a repository
        // created for it fetches its tag while listing the refs.
        let version_hint = what
            .and_then(|f| f.rsplit_once('.'))
            .and_then(|(v, _)| unescape_version(v).ok());
        let repo = match self.code_repo(&path, version_hint.as_deref()).await? {
            Source::Git(repo) => repo,
            Source::Proxy(base) => return Ok(DirectBody::Proxy { base }),
        };
        let code = |e: CodeError| Failure::Code(path.clone(), e);
        let Some(file) = what else {
            let info = repo.latest().await.map_err(code)?;
            return Ok(DirectBody::Memory(info.to_json().into_bytes()));
        };
        if file == "list" {
            let mut out = String::new();
            for v in repo.versions().await.map_err(code)? {
                out.push_str(&v);
                out.push('\n');
            }
            return Ok(DirectBody::Memory(out.into_bytes()));
        }
        let (ever, ext) = file
            .rsplit_once('.')
            .ok_or_else(|| not_found(format!("not a module proxy path: {escaped}")))?;
        let version = unescape_version(ever).map_err(|e| not_found(e.to_string()))?;
        match ext {
            "info" => {
                let info = repo.stat(&version).await.map_err(code)?;
                Ok(DirectBody::Memory(info.to_json().into_bytes()))
            }
            "mod" => Ok(DirectBody::Memory(
                repo.go_mod(&version).await.map_err(code)?,
            )),
            "zip" => {
                let tmp = tempfile::NamedTempFile::new_in(staging).map_err(|e| DirectError {
                    not_found: false,
                    message: e.to_string(),
                })?;
                let (file, path) = tmp.into_parts();
                repo.zip(file, &version, staging).await.map_err(code)?;
                let size = std::fs::metadata(&path)
                    .map_err(|e| DirectError {
                        not_found: false,
                        message: e.to_string(),
                    })?
                    .len();
                Ok(DirectBody::File { path, size })
            }
            _ => Err(not_found(format!("not a module proxy path: {escaped}")).into()),
        }
    }

    /// The code repository for a module path, or the proxy serving it;
    /// `version` is the version the request asks for, if any.
    async fn code_repo(&self, path: &str, version: Option<&str>) -> Result<Source, DirectError> {
        let found = self.find(path).await?;
        let (root, url, subdir) = match found {
            Found::Git { root, url, subdir } => (root, url, subdir),
            Found::Other { vcs, .. } => {
                return Err(not_found(format!(
                    "direct mode supports only git: {path} uses {vcs}"
                )));
            }
            Found::Proxy { url, .. } => {
                self.guard.check_url(&url).await.map_err(|e| DirectError {
                    not_found: false,
                    message: format!("module {path}: module proxy {url}: {e}"),
                })?;
                return Ok(Source::Proxy(url));
            }
        };
        let target = self.git_url(&url).await?;
        self.guard
            .check_url(&target)
            .await
            .map_err(|e| DirectError {
                not_found: false,
                message: format!("module {path}: {e}"),
            })?;
        let tag = version.and_then(|v| CodeRepo::tag_for(&root, &subdir, path, v));
        let git = self
            .repos
            .get_for(&url, tag.as_deref())
            .await
            .map_err(|e| DirectError {
                not_found: false,
                message: format!("module {path}: {e}"),
            })?;
        CodeRepo::new(git, &root, &subdir, path)
            .map(Source::Git)
            .map_err(DirectError::from)
    }

    async fn find(&self, path: &str) -> Result<Found, DirectError> {
        {
            let cache = self.found.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((at, f)) = cache.get(path)
                && at.elapsed() < DISCOVERY_TTL
            {
                return Ok(f.clone());
            }
        }
        let insecure = match_prefix_patterns(&self.insecure, path);
        let guarded = Guarded {
            inner: &self.fetch,
            guard: &self.guard,
        };
        let found = discover(&guarded, path, insecure, &self.policy)
            .await
            .map_err(|e| not_found(e.0))?;
        self.found
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.to_string(), (Instant::now(), found.clone()));
        Ok(found)
    }
}

/// Whether git's error text says the server wanted credentials it did not
/// get (prompts are disabled, so a missing username shows up this way).
fn is_auth_failure(text: &str) -> bool {
    [
        "terminal prompts disabled",
        "could not read Username",
        "could not read Password",
        "Authentication failed",
        "Permission denied (publickey",
    ]
    .iter()
    .any(|m| text.contains(m))
}

/// `scheme://user:password@host/...` -> `scheme://host/...` everywhere in
/// `text`.
pub fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        out.push_str(&rest[..i + 3]);
        rest = &rest[i + 3..];
        let end = rest
            .find(|c: char| c == '/' || c.is_whitespace() || c == '\'' || c == '"')
            .unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// Where a module's files come from.
enum Source {
    Git(CodeRepo),
    /// A GOPROXY-protocol base URL (`mod` go-import).
    Proxy(String),
}

/// A fetcher that asks the egress guard before every request.
struct Guarded<'a, F> {
    inner: &'a F,
    guard: &'a Guard,
}

impl<F: Fetch + Sync> Fetch for Guarded<'_, F> {
    async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        self.guard.check_url(url).await.map_err(|e| e.to_string())?;
        self.inner.get(url).await
    }
}

#[cfg(test)]
mod tests;
