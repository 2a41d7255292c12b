//! A module inside a git repository: versions from tags, queries resolved to
//! canonical versions or pseudo-versions, `.mod` files and zips.
//!
//! Follows `cmd/go/internal/modfetch/coderepo.go` (Go 1.27.3): the module
//! path is the repository root, an optional subdirectory (`code_dir`) and an
//! optional major suffix; tags are `code_dir/vX.Y.Z`; `+incompatible`
//! versions exist only at the repository root without a major suffix for
//! trees without a go.mod; a `/vN` module may live in `code_dir` or in
//! `code_dir/vN`. Error texts are Go's.

use std::collections::HashMap;
use std::io::{Seek, Write};
use std::path::Path;
use std::sync::Arc;

use modgate_core::module::{
    self, Error as ModError, InvalidVersionError, ModuleError, UtcTime, check_path_major,
    match_path_major, path_major_prefix, split_path_version,
};
use modgate_core::{modfile, semver};

use crate::archive;
use crate::repo::{GitError, GitRepo, RevInfo};

/// A version of a module as the go command reports it (`.info`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    /// The canonical version or pseudo-version.
    pub version: String,
    /// The commit time, seconds since the Unix epoch.
    pub time: i64,
    /// The full commit hash.
    pub name: String,
    /// The 12-digit short hash.
    pub short: String,
}

impl Info {
    /// The commit time in UTC.
    pub fn utc_time(&self) -> UtcTime {
        UtcTime::from_unix(self.time).unwrap_or(UtcTime::GO_ZERO)
    }

    /// The `.info` JSON body: `{"Version":"...","Time":"..."}`.
    pub fn to_json(&self) -> String {
        format!(
            "{{\"Version\":{},\"Time\":\"{}\"}}",
            modgate_core::quote::quote(&self.version),
            self.utc_time().format_rfc3339()
        )
    }
}

/// Why a module question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    /// The version or module does not exist or is invalid (Go's module
    /// errors); a proxy answers 404.
    #[error(transparent)]
    Module(#[from] ModError),
    /// git failed in a way that says nothing about the module (network,
    /// timeout); a proxy answers 5xx.
    #[error(transparent)]
    Git(GitError),
    /// The zip could not be built.
    #[error(transparent)]
    Zip(#[from] modgate_core::zip::Error),
    /// Any other message, with Go's text.
    #[error("{0}")]
    Other(String),
    /// A local file operation failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl CodeError {
    /// Whether the answer is "no such module or version" rather than a
    /// failure to find out.
    pub fn is_not_found(&self) -> bool {
        match self {
            CodeError::Module(_) | CodeError::Other(_) => true,
            CodeError::Git(g) => !matches!(g, GitError::Run(_) | GitError::Io(_)),
            _ => false,
        }
    }
}

impl From<GitError> for CodeError {
    fn from(e: GitError) -> Self {
        CodeError::Git(e)
    }
}

/// `path@version: invalid version: reason`.
fn invalid(path: &str, version: &str, pseudo: bool, reason: impl Into<String>) -> CodeError {
    CodeError::Module(ModError::Module(ModuleError {
        path: path.to_string(),
        version: String::new(),
        err: Box::new(ModError::InvalidVersion(InvalidVersionError {
            version: version.to_string(),
            pseudo,
            reason: reason.into(),
        })),
    }))
}

/// `module path: err` (or `path@version: err`).
fn module_err(path: &str, version: &str, msg: impl Into<String>) -> CodeError {
    CodeError::Module(ModError::Module(ModuleError {
        path: path.to_string(),
        version: version.to_string(),
        err: Box::new(ModError::Message(msg.into())),
    }))
}

/// A module in a repository (Go's `codeRepo`).
#[derive(Debug, Clone)]
pub struct CodeRepo {
    mod_path: String,
    code: Arc<GitRepo>,
    code_root: String,
    code_dir: String,
    path_prefix: String,
    path_major: String,
    pseudo_major: String,
}

impl CodeRepo {
    /// The module `path` in the repository `code` whose root is the import
    /// path `code_root`, with the go-import `subdir` (usually empty).
    pub fn new(
        code: Arc<GitRepo>,
        code_root: &str,
        subdir: &str,
        path: &str,
    ) -> Result<CodeRepo, CodeError> {
        let (path_prefix, major, code_dir) = Self::layout(code_root, subdir, path)?;
        Ok(CodeRepo {
            mod_path: path.to_string(),
            code,
            code_root: code_root.to_string(),
            code_dir,
            path_prefix: path_prefix.to_string(),
            path_major: major.to_string(),
            pseudo_major: path_major_prefix(major).unwrap_or_default().to_string(),
        })
    }

    /// The tag a request for `version` of the module `path` (in the
    /// repository rooted at `code_root`, go-import `subdir`) looks up first:
    /// `<code_dir>/<version>` for a canonical release or pre-release,
    /// `None` for a pseudo-version or anything else.
    pub fn tag_for(code_root: &str, subdir: &str, path: &str, version: &str) -> Option<String> {
        if version != module::canonical_version(version)
            || version.ends_with("+incompatible")
            || module::is_pseudo_version(version)
        {
            return None;
        }
        let (_, _, code_dir) = Self::layout(code_root, subdir, path).ok()?;
        Some(join(&code_dir, version))
    }

    /// The module path's prefix without the major suffix, the suffix, and
    /// the module's directory in the repository (Go's `newCodeRepo`).
    fn layout<'a>(
        code_root: &str,
        subdir: &str,
        path: &'a str,
    ) -> Result<(&'a str, &'a str, String), CodeError> {
        if !has_path_prefix(path, code_root) {
            return Err(CodeError::Other(format!(
                "mismatched repo: found {code_root} for {path}"
            )));
        }
        let Some((prefix, major)) = split_path_version(path) else {
            return Err(CodeError::Other(format!(
                "invalid module path {}",
                modgate_core::quote::quote(path)
            )));
        };
        let path_prefix = if code_root == path { path } else { prefix };
        let mut code_dir = String::new();
        if code_root != path {
            if !has_path_prefix(path_prefix, code_root) {
                return Err(CodeError::Other(format!(
                    "repository rooted at {code_root} cannot contain module {path}"
                )));
            }
            code_dir = path_prefix[code_root.len()..].trim_matches('/').to_string();
        }
        if !subdir.is_empty() {
            code_dir = join(&code_dir, subdir);
        }
        Ok((path_prefix, major, code_dir))
    }

    /// The module path.
    pub fn module_path(&self) -> &str {
        &self.mod_path
    }

    fn tag_prefix(&self) -> String {
        if self.code_dir.is_empty() {
            String::new()
        } else {
            format!("{}/", self.code_dir)
        }
    }

    /// The `@v/list` versions (Go's `Versions` with an empty prefix):
    /// canonical release and pre-release tags, sorted, then the permitted
    /// `+incompatible` ones.
    pub async fn versions(&self) -> Result<Vec<String>, CodeError> {
        if self.mod_path.starts_with("gopkg.in/") && self.mod_path.ends_with("-unstable") {
            return Ok(Vec::new());
        }
        let p = self.tag_prefix();
        let tags = self.code.tags(&p).await.map_err(|e| match e {
            e @ (GitError::Run(_) | GitError::Io(_)) => CodeError::Git(e),
            e => module_err(&self.mod_path, "", e.to_string()),
        })?;
        let mut list = Vec::new();
        let mut incompatible = Vec::new();
        for (tag, _) in tags {
            let v = &tag[p.len()..];
            if v.is_empty() || v != semver::canonical(v) || module::is_pseudo_version(v) {
                continue;
            }
            if check_path_major(v, &self.path_major).is_err() {
                if self.code_dir.is_empty()
                    && self.path_major.is_empty()
                    && semver::major(v).as_str() > "v1"
                {
                    incompatible.push(v.to_string());
                }
                continue;
            }
            list.push(v.to_string());
        }
        semver::sort(&mut list);
        semver::sort(&mut incompatible);
        self.append_incompatible(list, incompatible).await
    }

    async fn append_incompatible(
        &self,
        mut list: Vec<String>,
        incompatible: Vec<String>,
    ) -> Result<Vec<String>, CodeError> {
        if incompatible.is_empty() || !self.path_major.is_empty() {
            return Ok(list);
        }
        let has_go_mod = |v: String| async move {
            self.code
                .read_file(&v, "go.mod")
                .await
                .map(|f| f.is_some())
                .map_err(|e| module_err(&self.mod_path, "", e.to_string()))
        };
        if let Some(last) = list.last()
            && has_go_mod(last.clone()).await?
        {
            return Ok(list);
        }
        let mut i = 0;
        while i < incompatible.len() {
            let major = semver::major(&incompatible[i]);
            let end = incompatible[i..]
                .iter()
                .position(|v| semver::major(v) != major)
                .map_or(incompatible.len(), |n| i + n);
            let latest_at_major = incompatible[end - 1].clone();
            if !has_go_mod(latest_at_major).await? {
                list.extend(
                    incompatible[i..end]
                        .iter()
                        .map(|v| format!("{v}+incompatible")),
                );
            }
            i = end;
        }
        Ok(list)
    }

    fn rev_to_rev(&self, rev: &str) -> String {
        if !semver::is_valid(rev) {
            return rev.to_string();
        }
        if module::is_pseudo_version(rev) {
            return module::pseudo_version_rev(rev).unwrap_or_default();
        }
        let rev = rev.strip_suffix("+incompatible").unwrap_or(rev);
        if self.code_dir.is_empty() {
            rev.to_string()
        } else {
            format!("{}/{}", self.code_dir, rev)
        }
    }

    /// Resolves a version or query (tag, branch, commit hash prefix,
    /// `latest`) to the version the go command would report.
    pub async fn stat(&self, rev: &str) -> Result<Info, CodeError> {
        if rev == "latest" {
            return self.latest().await;
        }
        let code_rev = self.rev_to_rev(rev);
        let info = match self.code.stat(&code_rev).await {
            Ok(i) => i,
            Err(e @ (GitError::Run(_) | GitError::Io(_))) => return Err(e.into()),
            Err(e) => return Err(invalid(&self.mod_path, rev, false, e.to_string())),
        };
        self.convert(&info, rev).await
    }

    /// The version for the remote's default branch (`@latest` in direct
    /// mode when there are no release tags is resolved by the client; the
    /// go command's `Latest` is the `HEAD` commit converted).
    pub async fn latest(&self) -> Result<Info, CodeError> {
        let info = self.code.latest().await?;
        self.convert(&info, "").await
    }

    async fn convert(&self, info: &RevInfo, stat_vers: &str) -> Result<Info, CodeError> {
        let mut incompatible_ok: HashMap<String, bool> = HashMap::new();
        let tag_prefix = self.tag_prefix();

        if module::is_pseudo_version(stat_vers) {
            let rev = self
                .check_canonical(info, stat_vers, stat_vers, &mut incompatible_ok)
                .await?;
            self.validate_pseudo_version(info, stat_vers).await?;
            return Ok(rev);
        }

        let retracted = self.retracted_versions().await.unwrap_or_default();
        let is_retracted = |v: &str| {
            retracted
                .iter()
                .any(|(lo, hi)| semver::compare(lo, v).is_le() && semver::compare(v, hi).is_le())
        };
        let tag_to_version = |tag: &str| -> (String, bool) {
            let Some(trimmed) = tag.strip_prefix(tag_prefix.as_str()) else {
                return (String::new(), false);
            };
            if module::is_pseudo_version(tag) {
                return (String::new(), false);
            }
            let v = semver::canonical(trimmed);
            if v.is_empty() || !trimmed.starts_with(&v) {
                return (String::new(), false);
            }
            let canonical = v == trimmed;
            (v, canonical)
        };

        let (v, canonical) = tag_to_version(&info.version);
        if canonical
            && let Ok(i) = self
                .check_canonical(info, &v, stat_vers, &mut incompatible_ok)
                .await
        {
            return Ok(i);
        }

        let mut highest = String::new();
        let mut pseudo_base = String::new();
        for tag in &info.tags {
            let (v, canonical) = tag_to_version(tag);
            if !stat_vers.is_empty() && semver::compare(&v, stat_vers).is_eq() {
                if canonical {
                    return self
                        .check_canonical(info, &v, stat_vers, &mut incompatible_ok)
                        .await;
                }
                pseudo_base = v.clone();
            }
            if canonical
                && semver::compare(&highest, &v).is_lt()
                && !is_retracted(&v)
                && (match_path_major(&v, &self.path_major)
                    || self
                        .can_use_incompatible(info, &v, stat_vers, &mut incompatible_ok)
                        .await)
            {
                highest = v;
            }
        }
        if !highest.is_empty() {
            return self
                .check_canonical(info, &highest, stat_vers, &mut incompatible_ok)
                .await;
        }

        if pseudo_base.is_empty() {
            // Which tags may serve as a base depends on go.mod lookups, so
            // decide for every candidate tag up front.
            let mut allowed = HashMap::new();
            for (tag, _) in self.code.tags(&tag_prefix).await? {
                let (v, _) = tag_to_version(&tag);
                let ok = !v.is_empty()
                    && (match_path_major(&v, &self.path_major)
                        || self
                            .can_use_incompatible(info, &v, stat_vers, &mut incompatible_ok)
                            .await)
                    && !is_retracted(&v);
                allowed.insert(tag, ok);
            }
            // Tags only in the local cache (fetched earlier, since deleted
            // upstream) are judged the same way on demand; they cannot need
            // a go.mod lookup that was not already made above unless they
            // are +incompatible candidates, which then count as not allowed.
            let allowed_fn = |tag: &str| -> bool {
                match allowed.get(tag) {
                    Some(ok) => *ok,
                    None => {
                        let (v, _) = tag_to_version(tag);
                        !v.is_empty() && match_path_major(&v, &self.path_major) && !is_retracted(&v)
                    }
                }
            };
            if let Some(tag) = self
                .code
                .recent_tag(&info.name, &tag_prefix, &allowed_fn)
                .await?
            {
                pseudo_base = tag_to_version(&tag).0;
            }
        }
        let pv = module::pseudo_version(
            &self.pseudo_major,
            &pseudo_base,
            UtcTime::from_unix(info.time).unwrap_or(UtcTime::GO_ZERO),
            &info.short,
        );
        self.check_canonical(info, &pv, stat_vers, &mut incompatible_ok)
            .await
    }

    async fn can_use_incompatible(
        &self,
        info: &RevInfo,
        v: &str,
        stat_vers: &str,
        cache: &mut HashMap<String, bool>,
    ) -> bool {
        if !self.code_dir.is_empty() || !self.path_major.is_empty() {
            return false;
        }
        let ok = match cache.get("") {
            Some(ok) => *ok,
            None => {
                let ok = !matches!(self.code.read_file(&info.name, "go.mod").await, Ok(Some(_)));
                cache.insert(String::new(), ok);
                ok
            }
        };
        if !ok {
            return false;
        }
        if !v.is_empty() && !stat_vers.ends_with("+incompatible") {
            let major = semver::major(v);
            let ok = match cache.get(&major) {
                Some(ok) => *ok,
                None => {
                    let file = format!("{major}/go.mod");
                    let ok = !matches!(self.code.read_file(&info.name, &file).await, Ok(Some(_)));
                    cache.insert(major, ok);
                    ok
                }
            };
            if !ok {
                return false;
            }
        }
        true
    }

    async fn check_canonical(
        &self,
        info: &RevInfo,
        v: &str,
        stat_vers: &str,
        cache: &mut HashMap<String, bool>,
    ) -> Result<Info, CodeError> {
        if let Err(e) = self.find_dir(v).await {
            return Err(match e {
                CodeError::Git(g @ (GitError::Run(_) | GitError::Io(_))) => CodeError::Git(g),
                e => invalid(&self.mod_path, v, false, e.to_string()),
            });
        }
        let mut v = v.to_string();
        if v == stat_vers.strip_suffix("+incompatible").unwrap_or(stat_vers) {
            v = stat_vers.to_string();
        }
        let base = v.strip_suffix("+incompatible").unwrap_or(&v).to_string();
        let mut err_incompatible = None;
        if !match_path_major(&base, &self.path_major) {
            if self
                .can_use_incompatible(info, &base, stat_vers, cache)
                .await
            {
                v = format!("{base}+incompatible");
            } else if !self.path_major.is_empty() {
                err_incompatible = Some(invalid(
                    &self.mod_path,
                    &v,
                    false,
                    "module path includes a major version suffix, so major version must match",
                ));
            } else {
                let want = format!("{}/{}", self.path_prefix, semver::major(&v));
                err_incompatible = Some(invalid(
                    &self.mod_path,
                    &v,
                    false,
                    format!(
                        "module contains a go.mod file, so module path must match major version ({})",
                        modgate_core::quote::quote(&want)
                    ),
                ));
            }
        } else if v.ends_with("+incompatible") {
            err_incompatible = Some(invalid(
                &self.mod_path,
                &v,
                false,
                format!(
                    "+incompatible suffix not allowed: major version {} is compatible",
                    semver::major(&v)
                ),
            ));
        }
        if !stat_vers.is_empty() && stat_vers == module::canonical_version(stat_vers) {
            let stat_base = stat_vers.strip_suffix("+incompatible").unwrap_or(stat_vers);
            if stat_base != base {
                return Err(invalid(
                    &self.mod_path,
                    stat_vers,
                    false,
                    format!("resolves to version {v} ({stat_base} is not a tag)"),
                ));
            }
        }
        if let Some(e) = err_incompatible {
            return Err(e);
        }
        Ok(Info {
            version: v,
            time: info.time,
            name: info.name.clone(),
            short: info.short.clone(),
        })
    }

    async fn validate_pseudo_version(
        &self,
        info: &RevInfo,
        version: &str,
    ) -> Result<(), CodeError> {
        let fail = |msg: String| invalid(&self.mod_path, version, true, msg);
        let rev = module::pseudo_version_rev(version).map_err(|e| fail(e.to_string()))?;
        if rev != info.short {
            return Err(fail(if rev.starts_with(&info.short) {
                format!(
                    "revision is longer than canonical (expected {})",
                    info.short
                )
            } else if info.short.starts_with(&rev) {
                format!(
                    "revision is shorter than canonical (expected {})",
                    info.short
                )
            } else {
                format!(
                    "does not match short name of revision (expected {})",
                    info.short
                )
            }));
        }
        let t = module::pseudo_version_time(version).map_err(|e| fail(e.to_string()))?;
        let commit = UtcTime::from_unix(info.time).unwrap_or(UtcTime::GO_ZERO);
        if t != commit {
            return Err(fail(format!(
                "does not match version-control timestamp (expected {})",
                commit.format_compact()
            )));
        }
        let tag_prefix = self.tag_prefix();
        let base =
            module::pseudo_version_base(version.strip_suffix("+incompatible").unwrap_or(version))
                .map_err(|e| fail(e.to_string()))?;
        if base.is_empty() {
            if self.pseudo_major.is_empty() && semver::major(version) == "v1" {
                return Err(fail(
                    "major version without preceding tag must be v0, not v1".into(),
                ));
            }
            return Ok(());
        }
        for tag in &info.tags {
            if tag.strip_prefix(tag_prefix.as_str()).unwrap_or(tag) == base {
                return Err(fail(format!(
                    "tag ({tag}) found on revision {rev} is already canonical, so should not be replaced with a pseudo-version derived from that tag"
                )));
            }
        }
        let tags = self
            .code
            .tags(&format!("{tag_prefix}{base}"))
            .await
            .map_err(|e| fail(e.to_string()))?;
        let mut last_tag = String::new();
        let mut found = false;
        let mut last_err = None;
        for (tag, _) in tags {
            let only = tag.strip_prefix(tag_prefix.as_str()).unwrap_or(&tag);
            if semver::compare(only, &base).is_eq() {
                last_tag = tag.clone();
                match self.code.descends_from(&info.name, &tag).await {
                    Ok(true) => {
                        found = true;
                        break;
                    }
                    Ok(false) => last_err = None,
                    Err(e) => last_err = Some(e),
                }
            }
        }
        if last_tag.is_empty() {
            return Err(fail(format!("preceding tag ({base}) not found")));
        }
        if !found {
            if let Some(e) = last_err {
                return Err(fail(e.to_string()));
            }
            return Err(fail(format!(
                "revision {rev} is not a descendent of preceding tag ({last_tag})"
            )));
        }
        Ok(())
    }

    /// Where the module's go.mod is at `version` (Go's `findDir`): the
    /// revision, the module directory in the repository, and the go.mod
    /// content when one was found.
    async fn find_dir(
        &self,
        version: &str,
    ) -> Result<(String, String, Option<Vec<u8>>), CodeError> {
        if !semver::is_valid(version) {
            return Err(invalid(&self.mod_path, version, false, "syntax error"));
        }
        let rev = self.rev_to_rev(version);
        let file1 = join(&self.code_dir, "go.mod");
        let gomod1 = self.code.read_file(&rev, &file1).await?;
        let mpath1 = gomod1
            .as_deref()
            .map(modfile::module_path)
            .unwrap_or_default();
        let found1 = gomod1.is_some()
            && (is_major(&mpath1, &self.path_major)
                || (self.path_major.is_empty() && mpath1.starts_with("gopkg.in/")));

        let mut file2 = String::new();
        if !self.path_major.is_empty()
            && self.code_root != self.mod_path
            && !self.path_major.starts_with('.')
        {
            let dir2 = join(&self.code_dir, &self.path_major[1..]);
            file2 = join(&dir2, "go.mod");
            let gomod2 = self.code.read_file(&rev, &file2).await?;
            let mpath2 = gomod2
                .as_deref()
                .map(modfile::module_path)
                .unwrap_or_default();
            let found2 = gomod2.is_some() && is_major(&mpath2, &self.path_major);
            if found1 && found2 {
                return Err(CodeError::Other(format!(
                    "{}/{} and ...{}/go.mod both have ...{} module paths at revision {}",
                    self.path_prefix, file1, self.path_major, self.path_major, rev
                )));
            }
            if found2 {
                return Ok((rev, dir2, gomod2));
            }
            if gomod2.is_some() {
                if mpath2.is_empty() {
                    return Err(CodeError::Other(format!(
                        "{}/{} is missing module path at revision {}",
                        self.code_root, file2, rev
                    )));
                }
                return Err(CodeError::Other(format!(
                    "{}/{} has non-...{} module path {} at revision {}",
                    self.code_root,
                    file2,
                    self.path_major,
                    modgate_core::quote::quote(&mpath2),
                    rev
                )));
            }
        }
        if found1 {
            return Ok((rev, self.code_dir.clone(), gomod1));
        }
        if gomod1.is_some() {
            let suffix = if file2.is_empty() {
                String::new()
            } else {
                format!(" (and ...{}/go.mod does not exist)", self.path_major)
            };
            let q = modgate_core::quote::quote(&mpath1);
            return Err(CodeError::Other(if mpath1.is_empty() {
                format!("{file1} is missing module path{suffix} at revision {rev}")
            } else if !self.path_major.is_empty() {
                format!(
                    "{file1} has non-...{} module path {q}{suffix} at revision {rev}",
                    self.path_major
                )
            } else if split_path_version(&mpath1).is_none() {
                format!("{file1} has malformed module path {q}{suffix} at revision {rev}")
            } else {
                format!(
                    "{file1} has post-{} module path {q}{suffix} at revision {rev}",
                    semver::major(version)
                )
            }));
        }
        if self.code_dir.is_empty()
            && (self.path_major.is_empty() || self.path_major.starts_with('.'))
        {
            return Ok((rev, String::new(), None));
        }
        if !file2.is_empty() {
            return Err(CodeError::Other(format!(
                "missing {}/go.mod and ...{}/go.mod at revision {}",
                self.path_prefix, self.path_major, rev
            )));
        }
        Err(CodeError::Other(format!(
            "missing {}/go.mod at revision {}",
            self.path_prefix, rev
        )))
    }

    /// The retracted intervals declared by the go.mod of the highest
    /// release (or pre-release) version.
    async fn retracted_versions(&self) -> Result<Vec<(String, String)>, CodeError> {
        let versions = self.versions().await?;
        let compatible: Vec<&String> = versions
            .iter()
            .take_while(|v| !v.ends_with("+incompatible"))
            .collect();
        let Some(last) = compatible.last() else {
            return Ok(Vec::new());
        };
        let highest = compatible
            .iter()
            .rev()
            .find(|v| semver::prerelease(v).is_empty())
            .unwrap_or(last);
        let data = self.go_mod(highest).await?;
        let f = modfile::parse_lax("go.mod", &data, None)
            .map_err(|e| CodeError::Other(e.to_string()))?;
        Ok(f.retract
            .into_iter()
            .map(|r| (r.interval.low, r.interval.high))
            .collect())
    }

    /// The `.mod` file for a canonical `version`: the go.mod from the tree,
    /// or `module <path>` when there is none.
    pub async fn go_mod(&self, version: &str) -> Result<Vec<u8>, CodeError> {
        if version != module::canonical_version(version) {
            return Err(CodeError::Other(format!(
                "version {version} is not canonical"
            )));
        }
        if module::is_pseudo_version(version) {
            Box::pin(self.stat(version)).await?;
        }
        let (rev, dir, gomod) = self.find_dir(version).await?;
        if let Some(g) = gomod {
            return Ok(g);
        }
        match self.code.read_file(&rev, &join(&dir, "go.mod")).await? {
            Some(g) => Ok(g),
            None => Ok(legacy_go_mod(&self.mod_path)),
        }
    }

    /// Writes the module zip for a canonical `version` to `dst`; temporary
    /// files go to `tmp_dir`. Returns the zip's `h1:` hash.
    pub async fn zip<W: Write + Seek + Send + 'static>(
        &self,
        dst: W,
        version: &str,
        tmp_dir: &Path,
    ) -> Result<String, CodeError> {
        if version != module::canonical_version(version) {
            return Err(CodeError::Other(format!(
                "version {version} is not canonical"
            )));
        }
        if module::is_pseudo_version(version) {
            self.stat(version).await?;
        }
        let (rev, subdir, _) = self.find_dir(version).await?;
        let Some(archive) = self.code.archive(&rev, &subdir, tmp_dir).await? else {
            return Err(CodeError::Other(format!(
                "{}@{}: file does not exist",
                self.mod_path, version
            )));
        };
        let license = if subdir.is_empty() {
            None
        } else {
            self.code.read_file(&rev, "LICENSE").await?
        };
        let m = module::Version::new(self.mod_path.clone(), version.to_string());
        let sub = subdir.trim_matches('/').to_string();
        tokio::task::spawn_blocking(move || archive::repack(archive, &sub, license, dst, &m))
            .await
            .map_err(|e| CodeError::Other(e.to_string()))?
    }
}

/// The `.mod` served for a version without a go.mod (Go's `LegacyGoMod`).
pub fn legacy_go_mod(mod_path: &str) -> Vec<u8> {
    let mut out = b"module ".to_vec();
    out.extend(modfile::auto_quote(mod_path.as_bytes()));
    out.push(b'\n');
    out
}

fn is_major(mpath: &str, path_major: &str) -> bool {
    if mpath.is_empty() {
        return false;
    }
    let Some((_, mpath_major)) = split_path_version(mpath) else {
        return false;
    };
    if path_major.is_empty() {
        return matches!(
            path_major_prefix(mpath_major),
            Some("" | "v0" | "v1") | None
        );
    }
    if mpath_major.is_empty() {
        return false;
    }
    path_major.get(1..) == mpath_major.get(1..)
}

/// `path.Join` for the relative, clean paths used here.
fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    }
}

/// Whether `prefix` is `s` or a leading run of its slash-separated
/// elements.
pub fn has_path_prefix(s: &str, prefix: &str) -> bool {
    if s.len() == prefix.len() {
        return s == prefix;
    }
    if s.len() < prefix.len() {
        return false;
    }
    if prefix.ends_with('/') {
        return s.starts_with(prefix);
    }
    s.as_bytes().get(prefix.len()) == Some(&b'/') && s.starts_with(prefix)
}

#[cfg(test)]
mod tests;
