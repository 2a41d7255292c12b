//! A bare git repository per remote, fetched incrementally, answering the
//! questions the module code needs: refs, commit info, files, tags reachable
//! from a commit, ancestry, and archives.
//!
//! Follows `cmd/go/internal/modfetch/codehost/git.go` (Go 1.27.3): the same
//! git commands with the same arguments, the same order of attempts (local
//! object first, then a shallow fetch of the one ref that names the
//! revision, then a full fetch plus `--unshallow` only as a last resort or
//! when ancestry is needed), and a hash that no branch or tag points at is
//! never fetched by itself.
//!
//! One [`GitRepo`] exists per remote (see [`Repos`]); its fetch lock is held
//! across every fetch, so concurrent requests for the same repository wait
//! for one fetch and then find the objects locally. The refs from
//! `ls-remote` are cached for a configurable time; the go command keeps them
//! for one invocation, a server must look again now and then.
//!
//! The go command answers `.info`, `.mod` and `.zip` of a version in one
//! process and caches `Stat` and `ReadFile` answers there (`cachingRepo`);
//! a server gets them as separate requests. So the repository memoizes
//! them too ([`Memo`]): `stat` answers until the refs or the local
//! repository change, file contents by full commit hash (they cannot
//! change); both only as long as the cached refs, the time in which one
//! client's requests for a version arrive.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, OnceCell};

use crate::run::{RunError, Runner};

/// A hash prefix must have at least this many hex digits to be looked up.
pub const MIN_HASH_DIGITS: usize = 7;

/// Largest go.mod the go command reads from a repository.
pub const MAX_GO_MOD: usize = 16 << 20;

/// What went wrong talking to git.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// A git command failed.
    #[error(transparent)]
    Run(#[from] RunError),
    /// No branch, tag or commit has this name.
    #[error("unknown revision {0}")]
    UnknownRevision(String),
    /// A hash prefix matches refs pointing at different commits.
    #[error("ambiguous revision {0}")]
    Ambiguous(String),
    /// The repository has no HEAD.
    #[error("no commits")]
    NoCommits,
    /// git answered something that cannot be parsed.
    #[error("{0}")]
    Unexpected(String),
    /// A local file operation failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// A commit as `git log` describes it (Go's `codehost.RevInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevInfo {
    /// The full commit hash.
    pub name: String,
    /// The 12-digit short hash used in pseudo-versions.
    pub short: String,
    /// The committer time, in seconds since the Unix epoch.
    pub time: i64,
    /// The revision asked for when it names a tag on this commit, else the
    /// full hash.
    pub version: String,
    /// The tags on this commit, sorted.
    pub tags: Vec<String>,
}

type Refs = BTreeMap<String, String>;

/// How much of the remote has been fetched (Go's `fetchLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FetchLevel {
    None,
    Some,
    All,
}

/// A bare repository caching one remote.
#[derive(Debug)]
pub struct GitRepo {
    runner: Runner,
    dir: PathBuf,
    remote_url: String,
    sha256: bool,
    refs_max_age: Duration,
    refs: Mutex<Option<(Instant, Arc<Refs>)>>,
    fetch: Mutex<FetchLevel>,
    local_tags: OnceCell<std::collections::HashSet<String>>,
    memo: std::sync::Mutex<Memo>,
    /// Created by this process: until the first fetch it holds no objects,
    /// so looking for one locally is skipped.
    fresh: bool,
}

/// Largest total size of file contents one repository memoizes; beyond it
/// files are read with `git cat-file` every time.
const MEMO_FILE_BYTES: usize = 1 << 20;

/// Answers reused across requests (see the module documentation).
#[derive(Debug, Default)]
struct Memo {
    /// Moves on whenever the refs or the local repository change; a `stat`
    /// answer is only stored when it was computed within one generation.
    generation: u64,
    /// `stat` answers of this generation, by the revision asked for.
    stats: HashMap<String, RevInfo>,
    /// When the cached refs are due to be asked for again: `stat` answers
    /// depend on them, so they are not reused after it.
    stats_until: Option<Instant>,
    /// `read_file` answers by (full commit hash, path): `None` is a file
    /// that does not exist there. Kept across generations (a commit's files
    /// never change), dropped with the stats when the refs expire.
    files: HashMap<(String, String), Option<Vec<u8>>>,
    file_bytes: usize,
}

impl GitRepo {
    /// Opens (creating when needed) the bare repository for `remote_url`
    /// under `base`: `git init --bare`, then `git remote add origin`. When
    /// it is created and `tag_hint` names the tag the caller will ask for
    /// first, that tag is fetched while `ls-remote` runs (see [`Self::init`]).
    pub async fn open(
        runner: Runner,
        base: &Path,
        remote_url: &str,
        refs_max_age: Duration,
        tag_hint: Option<&str>,
    ) -> Result<GitRepo, GitError> {
        if !remote_url.contains("://") {
            let what = if remote_url.contains(':') {
                " (use URL syntax not host:path syntax)"
            } else {
                ""
            };
            return Err(GitError::Unexpected(format!(
                "git remote ({remote_url}) must not be local directory{what}"
            )));
        }
        let dir = base.join(work_dir_name(remote_url));
        let mut repo = GitRepo {
            runner,
            dir,
            remote_url: remote_url.to_string(),
            sha256: false,
            refs_max_age,
            refs: Mutex::new(None),
            fetch: Mutex::new(FetchLevel::None),
            local_tags: OnceCell::new(),
            memo: Default::default(),
            fresh: false,
        };
        if repo.dir.join("objects").exists() {
            let format = repo
                .git(&["config", "--get", "extensions.objectformat"])
                .await
                .unwrap_or_default();
            repo.sha256 = String::from_utf8_lossy(&format).trim() == "sha256";
        } else {
            match repo.init(tag_hint).await {
                Ok((sha256, fetched)) => {
                    repo.sha256 = sha256;
                    repo.fresh = true;
                    // A new repository has no tags but the one fetched: no
                    // `git tag -l`.
                    let tags = fetched.iter().map(|t| t.to_string()).collect();
                    let _ = repo.local_tags.set(tags);
                    if fetched.is_some() {
                        repo.fetch = Mutex::new(FetchLevel::Some);
                    }
                }
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&repo.dir);
                    return Err(e);
                }
            }
        }
        Ok(repo)
    }

    /// Creates the bare repository; returns whether it uses sha256, and
    /// `tag_hint` when that tag was fetched.
    ///
    /// The repository is made as sha1 and the remote asked at the same time
    /// as the remote is added (git replaces its config file by a rename, so
    /// ls-remote reads either version of it): the network answer is the slow
    /// part. A sha256 remote (rare) gets the repository made again in its
    /// format. The answer also fills the refs cache.
    ///
    /// With a `tag_hint` (the tag of the version asked for, e.g. `v1.2.0`
    /// or `sub/v0.1.0`), the shallow fetch `stat` would make after
    /// ls-remote runs alongside it instead: the same command as Go's, only
    /// started before the refs confirm the tag. It is kept only when
    /// ls-remote lists the tag at the commit fetched; otherwise (no such
    /// tag, a tag that moved in between) the repository is made again and
    /// `stat` goes the usual way.
    async fn init(&self, tag_hint: Option<&str>) -> Result<(bool, Option<String>), GitError> {
        std::fs::create_dir_all(&self.dir)?;
        self.git(&["init", "--bare", "--object-format=sha1"])
            .await?;
        let add = ["remote", "add", "origin", "--", &self.remote_url];
        let add_and_fetch = async {
            self.git(&add).await?;
            let Some(tag) = tag_hint else {
                return Ok::<_, RunError>(None);
            };
            let refspec = format!("refs/tags/{tag}:refs/tags/{tag}");
            let fetched = self.git(&shallow_fetch(&refspec, true)).await;
            if fetched.is_err() {
                return Ok(None);
            }
            let at = self
                .git(&[
                    "rev-parse",
                    "--verify",
                    "--end-of-options",
                    &format!("refs/tags/{tag}^{{commit}}"),
                ])
                .await?;
            Ok(Some((
                tag.to_string(),
                String::from_utf8_lossy(&at).trim().to_string(),
            )))
        };
        let (refs, added) = tokio::join!(self.ls_remote(&self.remote_url), add_and_fetch);
        let mut fetched = added?;
        let sha256 = matches!(&refs, Ok(r) if r.values().next().is_some_and(|h| h.len() == 64));
        let confirmed = matches!((&refs, &fetched), (Ok(r), Some((tag, at)))
            if r.get(&format!("refs/tags/{tag}")) == Some(at));
        if fetched.is_some() && !confirmed && !sha256 {
            // Start again empty, as if nothing had been fetched.
            fetched = None;
            std::fs::remove_dir_all(&self.dir)?;
            std::fs::create_dir_all(&self.dir)?;
            self.git(&["init", "--bare", "--object-format=sha1"])
                .await?;
            self.git(&add).await?;
        }
        if sha256 {
            fetched = None;
            std::fs::remove_dir_all(&self.dir)?;
            std::fs::create_dir_all(&self.dir)?;
            self.git(&["init", "--bare", "--object-format=sha256"])
                .await?;
            self.git(&add).await?;
        }
        if let Ok(refs) = refs {
            *self.refs.lock().await = Some((Instant::now(), Arc::new(refs)));
            self.memo().stats_until = Instant::now().checked_add(self.refs_max_age);
        }
        Ok((sha256, fetched.map(|(tag, _)| tag)))
    }

    fn memo(&self) -> std::sync::MutexGuard<'_, Memo> {
        self.memo.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets the `stat` answers: the refs or the local repository
    /// changed. Called after the change, so that an answer computed during
    /// it is either cleared here or refused by the generation check.
    /// Returns the new generation.
    fn invalidate(&self) -> u64 {
        let mut memo = self.memo();
        memo.generation += 1;
        memo.stats.clear();
        memo.generation
    }

    /// The directory of the bare repository.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The remote URL, as given (git applies insteadOf rewriting itself).
    pub fn remote_url(&self) -> &str {
        &self.remote_url
    }

    async fn git(&self, args: &[&str]) -> Result<Vec<u8>, RunError> {
        self.runner.output(&self.dir, args).await
    }

    fn hex_hash_len(&self) -> usize {
        if self.sha256 { 64 } else { 40 }
    }

    fn is_hash_prefix(&self, rev: &str) -> bool {
        rev.len() >= MIN_HASH_DIGITS && rev.len() <= self.hex_hash_len() && all_hex(rev)
    }

    async fn ls_remote(&self, remote: &str) -> Result<Refs, GitError> {
        let out = self
            .git(&["ls-remote", "-q", "--end-of-options", remote])
            .await?;
        Ok(parse_ls_remote(&String::from_utf8_lossy(&out)))
    }

    /// The remote's `HEAD`, branches and tags (annotated tags peeled), from
    /// `git ls-remote`, cached for the configured time.
    pub async fn refs(&self) -> Result<Arc<Refs>, GitError> {
        let mut cached = self.refs.lock().await;
        if let Some((at, refs)) = cached.as_ref()
            && at.elapsed() < self.refs_max_age
        {
            return Ok(refs.clone());
        }
        let refs = Arc::new(self.ls_remote("origin").await?);
        if cached.as_ref().is_none_or(|(_, old)| old != &refs) {
            self.invalidate();
        }
        *cached = Some((Instant::now(), refs.clone()));
        self.memo().stats_until = Instant::now().checked_add(self.refs_max_age);
        Ok(refs)
    }

    /// The tags starting with `prefix`, sorted by name, with their commits.
    pub async fn tags(&self, prefix: &str) -> Result<Vec<(String, String)>, GitError> {
        let refs = self.refs().await?;
        Ok(refs
            .range("refs/tags/".to_string()..)
            .take_while(|(r, _)| r.starts_with("refs/tags/"))
            .filter_map(|(r, h)| {
                let tag = &r["refs/tags/".len()..];
                tag.starts_with(prefix)
                    .then(|| (tag.to_string(), h.clone()))
            })
            .collect())
    }

    /// The commit the remote's `HEAD` points at.
    pub async fn latest(&self) -> Result<RevInfo, GitError> {
        let refs = self.refs().await?;
        let head = refs.get("HEAD").ok_or(GitError::NoCommits)?.clone();
        self.stat(&head).await
    }

    /// Resolves a tag, branch, `HEAD` or hash (prefix) to a commit, fetching
    /// what is needed.
    pub async fn stat(&self, rev: &str) -> Result<RevInfo, GitError> {
        let generation = {
            let mut memo = self.memo();
            if memo.stats_until.is_some_and(|t| Instant::now() < t) {
                if let Some(info) = memo.stats.get(rev) {
                    return Ok(info.clone());
                }
            } else {
                // Idle for the refs' lifetime: let the file contents go too,
                // so memory follows recent use, not every version ever asked.
                memo.stats.clear();
                memo.files.clear();
                memo.file_bytes = 0;
            }
            memo.generation
        };
        let mut generation = generation;
        let info = self.stat_uncached(rev, &mut generation).await?;
        let mut memo = self.memo();
        // A fetch or a refs refresh during the computation (other than the
        // fetch the computation made itself, before its answer) may have
        // changed the answer's inputs; then it is only returned, not kept.
        if memo.generation == generation {
            memo.stats.insert(rev.to_string(), info.clone());
        }
        Ok(info)
    }

    /// `stat` without the memo; `generation` is moved on past the changes
    /// this call makes itself before computing its answer.
    async fn stat_uncached(&self, rev: &str, generation: &mut u64) -> Result<RevInfo, GitError> {
        let mut rev = rev.to_string();
        let mut did_stat_local = false;
        if self.is_hash_prefix(&rev) {
            if let Ok(info) = self.stat_local(&rev, &rev).await {
                return Ok(info);
            }
            did_stat_local = true;
        }
        let local_tags = self
            .local_tags
            .get_or_init(|| async {
                match self.git(&["tag", "-l"]).await {
                    Ok(out) => String::from_utf8_lossy(&out)
                        .lines()
                        .filter(|l| !l.is_empty())
                        .map(str::to_string)
                        .collect(),
                    Err(_) => Default::default(),
                }
            })
            .await;
        if local_tags.contains(&rev) {
            return self.stat_local(&rev, &format!("refs/tags/{rev}")).await;
        }

        let refs = self.refs().await?;
        let (mut ref_name, hash);
        if let Some(h) = refs.get(&format!("refs/tags/{rev}")) {
            ref_name = format!("refs/tags/{rev}");
            hash = h.clone();
        } else if let Some(h) = refs.get(&format!("refs/heads/{rev}")) {
            ref_name = format!("refs/heads/{rev}");
            hash = h.clone();
            rev = hash.clone();
        } else if rev == "HEAD" && refs.contains_key("HEAD") {
            ref_name = "HEAD".to_string();
            hash = refs["HEAD"].clone();
            rev = hash.clone();
        } else if self.is_hash_prefix(&rev) {
            let mut found: Option<(String, String)> = None;
            // BTreeMap iteration is sorted, so the first ref wins ties as
            // Go's smallest-name rule does.
            for (k, h) in refs.iter() {
                if h.starts_with(&rev) {
                    match &found {
                        Some((_, fh)) if fh != h => return Err(GitError::Ambiguous(rev)),
                        Some(_) => {}
                        None => found = Some((k.clone(), h.clone())),
                    }
                }
            }
            match found {
                Some((k, h)) => {
                    ref_name = k;
                    rev = h.clone();
                    hash = h;
                }
                None => {
                    ref_name = String::new();
                    hash = if rev.len() == self.hex_hash_len() {
                        rev.clone()
                    } else {
                        String::new()
                    };
                }
            }
        } else {
            return Err(GitError::UnknownRevision(rev));
        }

        let mut level = self.fetch.lock().await;
        let empty = self.fresh && *level == FetchLevel::None;
        if !did_stat_local
            && !empty
            && let Ok(info) = self.stat_local(&rev, &hash).await
        {
            if let Some(tag) = ref_name.strip_prefix("refs/tags/")
                && !info.tags.iter().any(|t| t == tag)
            {
                self.git(&["tag", "--end-of-options", tag, &hash]).await?;
                *generation = self.invalidate();
                return self.stat_local(&rev, &ref_name).await;
            }
            return Ok(info);
        }
        if *level <= FetchLevel::Some && !ref_name.is_empty() && !hash.is_empty() {
            *level = FetchLevel::Some;
            let refspec = if ref_name == "HEAD" {
                ref_name = hash.clone();
                format!("{hash}:refs/dummy")
            } else {
                format!("{ref_name}:{ref_name}")
            };
            let fetched = self.git(&shallow_fetch(&refspec, empty)).await;
            *generation = self.invalidate();
            if fetched.is_ok() {
                return self.stat_local(&rev, &ref_name).await;
            }
        }
        self.fetch_all(&mut level).await?;
        *generation = self.memo().generation;
        self.stat_local(&rev, &rev).await
    }

    /// Fetches every branch and tag and unshallows the repository.
    async fn fetch_all(&self, level: &mut FetchLevel) -> Result<(), GitError> {
        if *level < FetchLevel::All {
            let fetched = self
                .git(&[
                    "fetch",
                    "-f",
                    "--end-of-options",
                    "origin",
                    "refs/heads/*:refs/heads/*",
                    "refs/tags/*:refs/tags/*",
                ])
                .await;
            // Even a failed fetch may have changed the repository.
            let _ = self.invalidate();
            fetched?;
            if self.dir.join("shallow").exists() {
                let unshallowed = self
                    .git(&["fetch", "--unshallow", "-f", "--end-of-options", "origin"])
                    .await;
                let _ = self.invalidate();
                unshallowed?;
            }
            *level = FetchLevel::All;
        }
        Ok(())
    }

    /// `git log -n1` on a revision already in the cache.
    async fn stat_local(&self, version: &str, rev: &str) -> Result<RevInfo, GitError> {
        let out = self
            .git(&[
                "-c",
                "log.showsignature=false",
                "log",
                "--no-decorate",
                "-n1",
                "--format=format:%H %ct %D",
                "--end-of-options",
                rev,
                "--",
            ])
            .await
            .map_err(|_| GitError::UnknownRevision(rev.to_string()))?;
        let text = String::from_utf8_lossy(&out);
        let f: Vec<&str> = text.split_whitespace().collect();
        let (Some(hash), Some(time)) = (f.first(), f.get(1)) else {
            return Err(GitError::Unexpected(format!(
                "unexpected response from git log: {}",
                modgate_core::quote::quote(&text)
            )));
        };
        let time: i64 = time.parse().map_err(|_| {
            GitError::Unexpected(format!(
                "invalid time from git log: {}",
                modgate_core::quote::quote(&text)
            ))
        })?;
        let mut version = version.to_string();
        if hash.starts_with(&version) {
            version = hash.to_string();
        }
        let mut tags = Vec::new();
        let mut i = 2;
        while i < f.len() {
            if f[i] == "tag:" {
                i += 1;
                if let Some(t) = f.get(i) {
                    tags.push(t.trim_end_matches(',').to_string());
                }
            }
            i += 1;
        }
        if let Ok(refs) = self.refs().await {
            for (r, h) in refs.iter() {
                if h == hash
                    && let Some(tag) = r.strip_prefix("refs/tags/")
                {
                    tags.push(tag.to_string());
                }
            }
        }
        tags.sort();
        tags.dedup();
        let version = if tags.contains(&version) {
            version
        } else {
            hash.to_string()
        };
        Ok(RevInfo {
            name: hash.to_string(),
            short: hash.chars().take(12).collect(),
            time,
            version,
            tags,
        })
    }

    /// The content of `file` at `rev`, or `None` when it does not exist.
    pub async fn read_file(&self, rev: &str, file: &str) -> Result<Option<Vec<u8>>, GitError> {
        let info = self.stat(rev).await?;
        let key = (info.name, file.to_string());
        if let Some(content) = self.memo().files.get(&key) {
            return Ok(content.clone());
        }
        let spec = format!("{}:{}", key.0, key.1);
        let content = match self
            .git(&["cat-file", "--end-of-options", "blob", &spec])
            .await
        {
            Ok(out) => Some(out),
            // Go maps every failure here to "does not exist"; only git's own
            // answer is kept, not a timeout or a failure to start it.
            Err(e) => {
                if e.exit_code().is_none() {
                    return Ok(None);
                }
                None
            }
        };
        let mut memo = self.memo();
        let size = content.as_ref().map_or(0, Vec::len) + key.1.len();
        if memo.file_bytes + size <= MEMO_FILE_BYTES {
            memo.file_bytes += size;
            memo.files.insert(key, content.clone());
        }
        Ok(content)
    }

    /// The highest tag `prefix + vX.Y.Z` reachable from `rev` that
    /// `allowed` accepts (Go's `RecentTag`).
    pub async fn recent_tag(
        &self,
        rev: &str,
        prefix: &str,
        allowed: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<Option<String>, GitError> {
        let info = self.stat(rev).await?;
        let merged = format!("--merged={}", info.name);
        let describe = || async {
            let out = self
                .git(&["for-each-ref", "--format=%(refname)", &merged])
                .await?;
            let mut highest = String::new();
            for line in String::from_utf8_lossy(&out).lines() {
                let Some(tag) = line.trim().strip_prefix("refs/tags/") else {
                    continue;
                };
                let Some(semtag) = tag.strip_prefix(prefix) else {
                    continue;
                };
                if !allowed(tag) {
                    continue;
                }
                if modgate_core::semver::compare(semtag, &highest).is_gt() {
                    highest = semtag.to_string();
                }
            }
            Ok::<_, GitError>((!highest.is_empty()).then(|| format!("{prefix}{highest}")))
        };
        let tag = describe().await?;
        if tag.as_deref().is_some_and(|t| !all_hex(t)) {
            return Ok(tag);
        }
        if self.tags(&format!("{prefix}v")).await?.is_empty() {
            return Ok(None);
        }
        {
            let mut level = self.fetch.lock().await;
            self.fetch_all(&mut level).await?;
        }
        describe().await
    }

    /// Whether the commit `rev` descends from `tag` (Go's `DescendsFrom`),
    /// fetching full history only when the cached history cannot tell.
    pub async fn descends_from(&self, rev: &str, tag: &str) -> Result<bool, GitError> {
        let is_ancestor = ["merge-base", "--is-ancestor", "--", tag, rev];
        if self.git(&is_ancestor).await.is_ok() {
            return Ok(true);
        }
        if self.tags(tag).await?.is_empty() {
            return Ok(false);
        }
        self.stat(rev).await?;
        let mut level = self.fetch.lock().await;
        self.fetch_all(&mut level).await?;
        match self.git(&is_ancestor).await {
            Ok(_) => Ok(true),
            Err(e) if e.exit_code() == Some(1) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Writes `git archive --format=zip` of `rev` (limited to `subdir` when
    /// not empty) to a temporary file in `tmp_dir`. `None` when `subdir`
    /// matches no file.
    pub async fn archive(
        &self,
        rev: &str,
        subdir: &str,
        tmp_dir: &Path,
    ) -> Result<Option<std::fs::File>, GitError> {
        let info = self.stat(rev).await?;
        let _level = self.fetch.lock().await;
        ensure_git_attributes(&self.dir)?;
        let file = tempfile::tempfile_in(tmp_dir)?;
        let mut args = vec![
            "-c",
            "core.autocrlf=input",
            "-c",
            "core.eol=lf",
            "archive",
            "--format=zip",
            "--prefix=prefix/",
            "--end-of-options",
            &info.name,
        ];
        if !subdir.is_empty() {
            args.push(subdir);
        }
        match self
            .runner
            .output_to_file(&self.dir, &args, file.try_clone()?)
            .await
        {
            Ok(()) => Ok(Some(file)),
            Err(e) if e.stderr().contains("did not match any files") => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// Parses `git ls-remote` output, keeping `HEAD`, branches and tags, with
/// annotated tags replaced by the commit they point at.
pub fn parse_ls_remote(out: &str) -> Refs {
    let mut refs = Refs::new();
    let mut peeled = Vec::new();
    for line in out.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [hash, name] = f[..] else { continue };
        if name == "HEAD" || name.starts_with("refs/heads/") || name.starts_with("refs/tags/") {
            match name.strip_suffix("^{}") {
                Some(tag) => peeled.push((tag.to_string(), hash.to_string())),
                None => {
                    refs.insert(name.to_string(), hash.to_string());
                }
            }
        }
    }
    refs.extend(peeled);
    refs
}

/// Appends the attributes that make `git archive` ignore the repository's
/// own `export-ignore` and `export-subst` settings, once.
fn ensure_git_attributes(repo_dir: &Path) -> io::Result<()> {
    const ATTR: &str = "\n* -export-subst -export-ignore\n";
    let dir = repo_dir.join("info");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("attributes");
    let current = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    if !current.ends_with(ATTR.as_bytes()) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        f.write_all(ATTR.as_bytes())?;
    }
    Ok(())
}

/// Whether `s` is made only of lower-case hex digits (Go's `AllHex`).
pub fn all_hex(s: &str) -> bool {
    s.bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// The cache directory name for a remote.
fn work_dir_name(remote: &str) -> String {
    let sum = Sha256::digest(format!("git:{remote}").as_bytes());
    sum.iter().map(|b| format!("{b:02x}")).collect()
}

/// One [`GitRepo`] per remote, shared by every request.
#[derive(Debug)]
pub struct Repos {
    runner: Runner,
    base: PathBuf,
    refs_max_age: Duration,
    repos: std::sync::Mutex<HashMap<String, Arc<OnceCell<Arc<GitRepo>>>>>,
}

impl Repos {
    /// Repositories kept under `base`, run with `runner`; refs from the
    /// remote are reused for `refs_max_age`.
    pub fn new(runner: Runner, base: impl Into<PathBuf>, refs_max_age: Duration) -> Repos {
        Repos {
            runner,
            base: base.into(),
            refs_max_age,
            repos: Default::default(),
        }
    }

    /// The runner git is started with.
    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// The directory the repositories are kept in.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// The repository for `remote_url`, opened on first use.
    pub async fn get(&self, remote_url: &str) -> Result<Arc<GitRepo>, GitError> {
        self.get_for(remote_url, None).await
    }

    /// [`Self::get`] for a caller that will first ask for the tag
    /// `tag_hint`: a repository created now fetches it while it lists the
    /// remote's refs ([`GitRepo::open`]).
    pub async fn get_for(
        &self,
        remote_url: &str,
        tag_hint: Option<&str>,
    ) -> Result<Arc<GitRepo>, GitError> {
        let cell = {
            let mut map = self.repos.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(remote_url.to_string()).or_default().clone()
        };
        cell.get_or_try_init(|| async {
            GitRepo::open(
                self.runner.clone(),
                &self.base,
                remote_url,
                self.refs_max_age,
                tag_hint,
            )
            .await
            .map(Arc::new)
        })
        .await
        .cloned()
    }
}

/// Go's single-ref fetch (`codehost/git.go` `stat`): `refspec` at
/// depth 1 over protocol v2. The first fetch into a new repository leaves
/// nothing for `git maintenance run --auto` to do, so `first` skips starting it.
fn shallow_fetch(refspec: &str, first: bool) -> Vec<&str> {
    let mut args = Vec::with_capacity(10);
    if first {
        args.extend(["-c", "maintenance.auto=false"]);
    }
    args.extend([
        "-c",
        "protocol.version=2",
        "fetch",
        "-f",
        "--depth=1",
        "--end-of-options",
        "origin",
        refspec,
    ]);
    args
}

#[cfg(test)]
mod tests;
