//! # modgate-cache: a module file, verified, from storage or the upstreams
//!
//! Everything that asks for a Go module file goes through [`Cache`]: `modgate serve`
//! for each request, and the commands that fill or read the cache without HTTP. It
//! knows nothing of HTTP; its answers are data ([`Answer`]) and its errors are kinds
//! ([`CacheError`]) that each caller maps to its own words (the server to status
//! codes, in one place).
//!
//! Where a `.zip` request goes, by name:
//!
//! 1. [`request`] parses the protocol path into a [`ModuleRequest`]; [`keys`] gives
//!    its storage key (the download-cache layout).
//! 2. [`Cache::module`] answers from the [`hot`] in-memory copies, else from storage
//!    (`modgate-storage`), else it fills the key ([`fill`]): [`negative`] remembers
//!    what does not exist, [`flight`] makes concurrent misses share one fetch, the
//!    upstream client (`modgate-upstream`) fetches through the routed list, [`verify`]
//!    checks the bytes against the checksum database ([`sumdb`], whose trusted tree
//!    lives in a [`tree`] store), and only then is the file stored (an upload that
//!    becomes visible whole) and answered.
//! 3. Mutable answers (`@v/list`, `@latest`, version queries) follow [`freshness`]:
//!    fresh, stale-while-revalidate, stale-if-error; with fetching disabled, or with
//!    every upstream unavailable, lists and `@latest` are computed from what is
//!    stored ([`offline`]).
//!
//! 4. The Go vulnerability database is mirrored by [`vuln`] (`/vuln/…`), with the
//!    lists' freshness rules.
//!
//! The points where replicas will share state are traits with an in-process default:
//! [`flight::FlightGroup`], [`negative::NegativeCache`], [`freshness::Freshness`],
//! [`tree::TreeStore`]. What happens is reported to an [`observe::Observer`].

pub mod assemble;
pub mod error;
pub mod fill;
pub mod flight;
pub mod freshness;
pub mod hot;
pub mod integrity;
pub mod keys;
pub mod negative;
pub mod observe;
pub mod offline;
pub mod request;
pub mod reuse;
pub mod scrub;
pub mod sumdb;
#[cfg(test)]
mod testutil;
pub mod tree;
pub mod verify;
pub mod vuln;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use modgate_storage::{Body, Key, Meta, Storage};
use modgate_upstream::{Client, Routes};

pub use error::{CacheError, FailureKind};
pub use observe::{Observer, Origin};
pub use request::{ModuleFile, ModuleRequest, RequestError, SumdbFile, SumdbRequest};
pub use vuln::{VulnFiles, VulnRequest};

use crate::flight::{FlightGroup, LocalFlights};
use crate::freshness::{Freshness, StoredFreshness};
use crate::hot::Hot;
use crate::negative::{LocalNegative, NegativeCache};
use crate::sumdb::SumdbFiles;
use crate::verify::Verifier;

/// Policy settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// Never call an upstream.
    pub offline: bool,
    /// How long mutable answers are served without asking the upstreams.
    pub fresh_for: Duration,
    /// After `fresh_for`, how long a stale answer is served while it is refreshed.
    pub stale_while_revalidate: Duration,
    /// How long a not-found is remembered.
    pub negative_ttl: Duration,
    /// Freshness of the checksum database's `latest` note.
    pub sumdb_latest_fresh_for: Duration,
    /// Record each verified `.zip`/`.mod`'s `h1:` beside it, for the scrub and for
    /// reads to check stored copies against. A throwaway store (an audit's) skips
    /// it: nothing reads it back later, and it is a file write per module.
    pub record_hashes: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            offline: false,
            fresh_for: Duration::from_secs(60),
            stale_while_revalidate: Duration::from_secs(300),
            negative_ttl: Duration::from_secs(30),
            sumdb_latest_fresh_for: Duration::from_secs(30),
            record_hashes: true,
        }
    }
}

/// Whether an answer may be fetched from the upstreams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetching {
    Allowed,
    /// Offline mode, or a client's `Disable-Module-Fetch: true`: storage only.
    Disabled,
}

/// A file the cache answered with.
pub enum Answer {
    /// A stored object (or its in-memory copy).
    Stored {
        key: Key,
        meta: Meta,
        body: Body,
        origin: Origin,
    },
    /// Bytes computed from storage (a list of the stored versions); not an object,
    /// so it has no stored metadata.
    Computed { data: Bytes, origin: Origin },
}

impl Answer {
    pub fn origin(&self) -> Origin {
        match self {
            Answer::Stored { origin, .. } | Answer::Computed { origin, .. } => *origin,
        }
    }
}

/// What a [`Cache`] is made of.
pub struct Parts {
    pub storage: Arc<dyn Storage>,
    pub client: Client,
    pub routes: Routes,
    pub options: Options,
    pub verifier: Verifier,
    /// The checksum database whose files are proxied (`None`: off).
    pub sumdb: Option<Arc<SumdbFiles>>,
}

/// The cache: see the crate documentation.
pub struct Cache {
    storage: Arc<dyn Storage>,
    client: Client,
    routes: Routes,
    opts: Options,
    verifier: Verifier,
    sumdb: Option<Arc<SumdbFiles>>,
    /// The vulnerability database mirrored at `/vuln/` (`None`: off).
    vuln: Option<Arc<VulnFiles>>,
    hot: Hot,
    /// Fresh mutable answers (lists, `@latest`, queries), while fresh.
    fresh: Hot,
    /// Each module's stored versions as last listed, and when (offline answers).
    listed: quick_cache::sync::Cache<String, (std::time::Instant, Arc<Vec<String>>)>,
    /// Stored versions (key, entity tag) of `.zip`/`.mod` files found to match their
    /// recorded hash ([`integrity`]).
    verified: quick_cache::sync::Cache<(Key, String), ()>,
    /// Another store holding the same files (the backup), read when a stored copy
    /// fails its recorded hash.
    second: Option<Arc<dyn Storage>>,
    flights: Arc<dyn FlightGroup>,
    negative: Arc<dyn NegativeCache>,
    freshness: Arc<dyn Freshness>,
    observer: Arc<dyn Observer>,
}

impl Cache {
    /// A cache with the in-process single flight, negative cache and freshness.
    pub fn new(parts: Parts) -> Cache {
        Cache {
            storage: parts.storage,
            client: parts.client,
            routes: parts.routes,
            opts: parts.options,
            verifier: parts.verifier,
            sumdb: parts.sumdb,
            vuln: None,
            hot: Hot::default(),
            fresh: Hot::new(hot::FRESH_CAPACITY),
            listed: quick_cache::sync::Cache::new(10_000),
            verified: quick_cache::sync::Cache::new(100_000),
            second: None,
            flights: Arc::new(LocalFlights::default()),
            negative: Arc::new(LocalNegative::default()),
            freshness: Arc::new(StoredFreshness),
            observer: Arc::new(observe::Quiet),
        }
    }

    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Cache {
        self.observer = observer;
        self
    }

    pub fn with_flights(mut self, flights: Arc<dyn FlightGroup>) -> Cache {
        self.flights = flights;
        self
    }

    pub fn with_negative_cache(mut self, negative: Arc<dyn NegativeCache>) -> Cache {
        self.negative = negative;
        self
    }

    pub fn with_freshness(mut self, freshness: Arc<dyn Freshness>) -> Cache {
        self.freshness = freshness;
        self
    }

    /// A second store with the same files (the backup): a stored `.zip`/`.mod`
    /// that fails its recorded hash is served from there when that copy matches
    /// (see [`integrity`]).
    pub fn with_second_copy(mut self, second: Arc<dyn Storage>) -> Cache {
        self.second = Some(second);
        self
    }

    /// Mirrors a vulnerability database at `/vuln/` (see [`vuln`]).
    pub fn with_vulndb(mut self, vuln: Arc<VulnFiles>) -> Cache {
        self.vuln = Some(vuln);
        self
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    /// The name of the checksum database whose files are proxied, if any.
    pub fn sumdb_name(&self) -> Option<&str> {
        self.sumdb.as_ref().map(|db| db.name.as_str())
    }

    /// `len` bytes of a stored answer's object from `offset` (a `Range` request).
    pub async fn read_range(&self, key: &Key, offset: u64, len: u64) -> Result<Body, CacheError> {
        self.ensure_checked(key).await?;
        match self.storage.get_range(key, offset, len).await? {
            Some(obj) => Ok(obj.body),
            None => Err(vanished(key)),
        }
    }

    /// Answers a module file request.
    pub async fn module(
        self: &Arc<Self>,
        req: &ModuleRequest,
        fetching: Fetching,
    ) -> Result<Answer, CacheError> {
        let endpoint = req.endpoint();
        let key = req.key()?;
        let fetching = if self.opts.offline {
            Fetching::Disabled
        } else {
            fetching
        };
        if fetching == Fetching::Disabled
            && matches!(req.file, ModuleFile::List | ModuleFile::Latest)
        {
            return self.answered(endpoint, self.computed(req, Origin::Offline, None).await);
        }
        let immutable = req.immutable();
        if immutable && let Some(e) = self.hot.get(&key) {
            return self.answered(
                endpoint,
                Ok(Answer::Stored {
                    key,
                    meta: e.meta.clone(),
                    body: Body::Bytes(e.data.clone()),
                    origin: Origin::Hit,
                }),
            );
        }
        if !immutable
            && fetching == Fetching::Allowed
            && let Some(e) = self.fresh.get(&key)
            && age_of(e.confirmed) <= self.opts.fresh_for
        {
            return self.answered(
                endpoint,
                Ok(Answer::Stored {
                    key,
                    meta: e.meta.clone(),
                    body: Body::Bytes(e.data.clone()),
                    origin: Origin::Hit,
                }),
            );
        }
        match self.storage.get(&key).await? {
            Some(obj) if immutable => {
                let obj = match self.checked(&key, obj).await {
                    Ok(obj) => obj,
                    Err(e) => return self.answered(endpoint, Err(e)),
                };
                let (meta, body) = if obj.meta.size <= hot::MAX_ENTRY {
                    let meta = obj.meta.clone();
                    let data = obj.into_bytes(&key).await?;
                    self.hot.insert(key.clone(), meta.clone(), data.clone());
                    (meta, Body::Bytes(data))
                } else {
                    (obj.meta, obj.body)
                };
                self.answered(
                    endpoint,
                    Ok(Answer::Stored {
                        key,
                        meta,
                        body,
                        origin: Origin::Hit,
                    }),
                )
            }
            Some(obj) => {
                let confirmed = self.freshness.confirmed_at(&key, &obj.meta).await;
                let age = age_of(confirmed);
                let stored = |obj: modgate_storage::Object, origin| Answer::Stored {
                    key: key.clone(),
                    meta: obj.meta,
                    body: obj.body,
                    origin,
                };
                if fetching == Fetching::Disabled {
                    return self.answered(endpoint, Ok(stored(obj, Origin::Hit)));
                }
                if age <= self.opts.fresh_for {
                    let answer = self.remember_fresh(&key, obj, confirmed).await?;
                    return self.answered(endpoint, Ok(answer));
                }
                if age <= self.opts.fresh_for + self.opts.stale_while_revalidate {
                    let (this, req2) = (self.clone(), req.clone());
                    tokio::spawn(async move {
                        if let Err(e) = this.fill(&req2).await {
                            tracing::debug!(path = %req2.path, error = %e, "background refresh failed");
                        }
                    });
                    return self.answered(endpoint, Ok(stored(obj, Origin::Stale)));
                }
                // Too old to serve first: refresh, and keep the copy for stale-if-error.
                match self.fill(req).await {
                    Ok(answer) => self.answered(endpoint, Ok(answer)),
                    Err(e) if e.is_not_found() => self.answered(endpoint, Err(e)),
                    Err(e) => {
                        tracing::warn!(key = %key, error = %e, "serving stale copy after upstream failure");
                        let answer = match req.file {
                            ModuleFile::List => {
                                self.computed(req, Origin::Unavailable, Some(obj)).await
                            }
                            _ => Ok(stored(obj, Origin::Unavailable)),
                        };
                        self.answered(endpoint, answer)
                    }
                }
            }
            None if fetching == Fetching::Disabled => {
                let what = match req.version() {
                    Some(v) => format!("{}@{v}", req.path),
                    None => req.path.clone(),
                };
                self.observer.answered(endpoint, Origin::Offline);
                Err(CacheError::not_found(format!(
                    "not found: {what}: not in the cache and fetching is disabled"
                )))
            }
            None => match self.fill(req).await {
                // Every upstream unavailable: a list or @latest computed from the stored
                // versions beats failing `go get` for the whole outage.
                // Only for a module something is stored of: for any other, the
                // upstream's error says more than an empty list would.
                Err(e)
                    if e.is_unavailable()
                        && matches!(req.file, ModuleFile::List | ModuleFile::Latest) =>
                {
                    let versions = match self.stored_versions(req, None).await {
                        Ok(v) if !v.is_empty() => v,
                        _ => return self.answered(endpoint, Err(e)),
                    };
                    tracing::warn!(path = %req.path, error = %e, "upstreams unavailable: answering from storage");
                    match self
                        .computed_from(req, Origin::Unavailable, &versions)
                        .await
                    {
                        Ok(answer) => self.answered(endpoint, Ok(answer)),
                        Err(_) => self.answered(endpoint, Err(e)),
                    }
                }
                other => self.answered(endpoint, other),
            },
        }
    }

    /// Keeps a fresh mutable answer in memory (if small) and answers with it.
    async fn remember_fresh(
        &self,
        key: &Key,
        obj: modgate_storage::Object,
        confirmed: SystemTime,
    ) -> Result<Answer, CacheError> {
        if obj.meta.size > hot::MAX_ENTRY {
            return Ok(Answer::Stored {
                key: key.clone(),
                meta: obj.meta,
                body: obj.body,
                origin: Origin::Hit,
            });
        }
        let meta = obj.meta.clone();
        let data = obj.into_bytes(key).await?;
        self.fresh
            .insert_confirmed(key.clone(), meta.clone(), data.clone(), confirmed);
        Ok(Answer::Stored {
            key: key.clone(),
            meta,
            body: Body::Bytes(data),
            origin: Origin::Hit,
        })
    }

    /// Reports how a request was answered: a failed one counts as a miss (it went
    /// to the upstreams), or as offline or negative when it never left.
    fn answered(
        &self,
        endpoint: &'static str,
        answer: Result<Answer, CacheError>,
    ) -> Result<Answer, CacheError> {
        let origin = match &answer {
            Ok(a) => a.origin(),
            Err(CacheError::NotFound {
                remembered: true, ..
            }) => Origin::Negative,
            Err(_) if self.opts.offline => Origin::Offline,
            Err(_) => Origin::Miss,
        };
        self.observer.answered(endpoint, origin);
        answer
    }

    /// `@v/list` and `@latest` from storage alone: the stored versions, merged with
    /// the lines of a `stale` stored list if one is given.
    async fn computed(
        &self,
        req: &ModuleRequest,
        origin: Origin,
        stale: Option<modgate_storage::Object>,
    ) -> Result<Answer, CacheError> {
        let versions = match stale {
            Some(obj) => Arc::new(self.stored_versions(req, Some(obj)).await?),
            None => self.stored_versions_memo(req).await?,
        };
        self.computed_from(req, origin, &versions).await
    }

    /// [`Cache::stored_versions`] without a stale list, remembered for `fresh_for`:
    /// listing a module's directory is the cost of an offline list or `@latest`.
    async fn stored_versions_memo(
        &self,
        req: &ModuleRequest,
    ) -> Result<Arc<Vec<String>>, CacheError> {
        if let Some((at, v)) = self.listed.get(&req.escaped_path)
            && at.elapsed() <= self.opts.fresh_for
        {
            return Ok(v);
        }
        let versions = Arc::new(self.stored_versions(req, None).await?);
        if !self.opts.fresh_for.is_zero() {
            self.listed.insert(
                req.escaped_path.clone(),
                (std::time::Instant::now(), versions.clone()),
            );
        }
        Ok(versions)
    }

    /// The canonical versions of `req`'s module stored here (an `.info` each), merged
    /// with the lines of a `stale` stored list if one is given.
    async fn stored_versions(
        &self,
        req: &ModuleRequest,
        stale: Option<modgate_storage::Object>,
    ) -> Result<Vec<String>, CacheError> {
        let dir = keys::version_dir(&req.escaped_path)
            .map_err(|e| RequestError::Invalid(e.to_string()))?;
        let found = self.storage.list(&dir).await?;
        let mut versions = offline::versions(&req.escaped_path, &found);
        if let Some(obj) = stale {
            let key = req.key()?;
            let old = obj.into_bytes(&key).await?;
            versions.extend(
                String::from_utf8_lossy(&old)
                    .lines()
                    .map(str::trim)
                    .filter(|v| request::is_canonical(v))
                    .map(str::to_owned),
            );
            modgate_core::semver::sort(&mut versions);
            versions.dedup();
        }
        Ok(versions)
    }

    async fn computed_from(
        &self,
        req: &ModuleRequest,
        origin: Origin,
        versions: &[String],
    ) -> Result<Answer, CacheError> {
        match req.file {
            ModuleFile::List => Ok(Answer::Computed {
                data: Bytes::from(offline::list_body(versions)),
                origin,
            }),
            _ => {
                let Some(v) = offline::latest(versions) else {
                    return Err(CacheError::not_found(format!(
                        "not found: {}@latest: no versions in the cache",
                        req.path
                    )));
                };
                let key = keys::info(&req.escaped_path, &v)
                    .ok_or_else(|| RequestError::Invalid(format!("bad cached version {v:?}")))?;
                if let Some(e) = self.hot.get(&key) {
                    return Ok(Answer::Stored {
                        key,
                        meta: e.meta.clone(),
                        body: Body::Bytes(e.data.clone()),
                        origin,
                    });
                }
                match self.storage.get(&key).await? {
                    Some(obj) => Ok(Answer::Stored {
                        key,
                        meta: obj.meta,
                        body: obj.body,
                        origin,
                    }),
                    None => Err(vanished(&key)),
                }
            }
        }
    }

    /// Answers a checksum-database file request (`supported` is the caller's: it only
    /// needs [`Cache::sumdb_name`]).
    pub async fn sumdb(&self, req: &SumdbRequest) -> Result<Answer, CacheError> {
        let Some(db) = self.sumdb.as_ref().filter(|db| db.name == req.name) else {
            return Err(CacheError::not_found(format!(
                "not found: checksum database {} is not proxied here",
                req.name
            )));
        };
        let (rest, immutable) = match &req.file {
            SumdbFile::Supported => {
                return Ok(Answer::Computed {
                    data: Bytes::new(),
                    origin: Origin::Hit,
                });
            }
            SumdbFile::Latest => ("latest".to_owned(), false),
            SumdbFile::Lookup { path, rest } => {
                // Toolchains are looked up whatever the patterns say, as go does
                // (`verify::TOOLCHAIN_MODULE`): the name is public and go needs it.
                let toolchain = path == verify::TOOLCHAIN_MODULE;
                if !toolchain && (self.routes.is_private(path) || !self.verifier.uses_sumdb(path)) {
                    return Err(CacheError::Forbidden(format!(
                        "forbidden: {path} is private (or excluded from the checksum database); its name is not sent to {}",
                        db.name
                    )));
                }
                (format!("lookup/{rest}"), true)
            }
            SumdbFile::Tile { rest } => (format!("tile/{rest}"), true),
        };
        let key =
            keys::sumdb_file(&db.name, &rest).map_err(|e| RequestError::Invalid(e.to_string()))?;
        let (obj, origin) = db.get(&rest, immutable).await.map_err(sumdb_file_error)?;
        Ok(Answer::Stored {
            key,
            meta: obj.meta,
            body: obj.body,
            origin,
        })
    }
}

impl Cache {
    /// Answers a vulnerability-database file request (see [`vuln`]).
    pub async fn vuln(&self, req: &VulnRequest) -> Result<Answer, CacheError> {
        let Some(db) = self.vuln.as_ref() else {
            return Err(CacheError::not_found(
                "not found: no vulnerability database is mirrored here (vulndb = off)",
            ));
        };
        let answer = db.get(req).await.map(|(key, obj, origin)| Answer::Stored {
            key,
            meta: obj.meta,
            body: obj.body,
            origin,
        });
        self.answered("vuln", answer)
    }
}

/// A checksum-database *file* error as the cache reports it: the database not having
/// the file is not-found, an unreachable one is unavailable.
fn sumdb_file_error(e: sumdb::SumdbError) -> CacheError {
    use sumdb::SumdbError;
    match e {
        SumdbError::Fetch(f) if f.is_not_found() => CacheError::not_found(f.to_string()),
        SumdbError::Fetch(f) => CacheError::Unavailable(f),
        SumdbError::NotCached(what) => {
            CacheError::not_found(format!("not found: {what}: not in the cache (offline)"))
        }
        SumdbError::Storage(s) => CacheError::Storage(s),
        SumdbError::InvalidPath(p) => CacheError::InvalidRequest(RequestError::Invalid(p)),
        other => CacheError::Sumdb(other),
    }
}

fn age_of(t: SystemTime) -> Duration {
    SystemTime::now().duration_since(t).unwrap_or_default()
}

fn vanished(key: &Key) -> CacheError {
    CacheError::from(modgate_storage::StorageError::io(
        "read",
        key.as_str(),
        std::io::Error::new(std::io::ErrorKind::NotFound, "vanished after it was stored"),
    ))
}
