//! The caching policy: what is served from storage, what is fetched, and when.
//!
//! * Canonical `.info`/`.mod`/`.zip` are immutable: a stored copy is served forever;
//!   a miss is fetched from the routed upstreams, verified, stored, then served.
//! * `@v/list`, `@latest` and `.info` queries (branch names, ...) are fresh for
//!   `fresh_for` (60 s); a stale copy younger than `fresh_for + stale_while_revalidate`
//!   is served at once while a background refresh runs; an older copy is refreshed
//!   first, and served anyway if every upstream fails (stale-if-error).
//! * "Not found" answers are remembered for `negative_ttl`, so the prefix storms of
//!   package-to-module resolution do not reach the upstreams again and again.
//! * Offline mode and `Disable-Module-Fetch: true` never call an upstream: lists and
//!   `@latest` are computed from storage ([`crate::offline`]).
//! * Concurrent misses of one file share one fetch ([`crate::flight`]); the fetch runs
//!   in its own task, so it completes (and is stored) even if its client hangs up.
//! * Only the file asked for is fetched: an `.info` miss does not download the zip.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use modgate_core::{module, semver};
use modgate_storage::{Key, Storage, StorageError};
use modgate_upstream::{Body, Client, ErrorKind, FetchError, FileKind, Routes};

use crate::flight::{self, Flights, Join};
use crate::hot::{self, Hot, HotEntry};
use crate::metrics::{CacheLabels, Metrics};
use crate::offline;
use crate::request::{ModuleFile, ModuleRequest, Rejection, SumdbFile, SumdbRequest};
use crate::respond;
use crate::sumdb::SumdbFiles;
use crate::verify::{Verifier, VerifyError};

/// Reads a small immutable object whole and keeps it in memory.
async fn remember(
    hot: &Hot,
    key: Key,
    mut obj: modgate_storage::Object,
) -> Result<Arc<HotEntry>, StorageError> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::with_capacity(usize::try_from(obj.meta.size).unwrap_or(0));
    let n = (&mut obj.body)
        .take(obj.meta.size)
        .read_to_end(&mut buf)
        .await
        .map_err(|e| StorageError::io("read", key.as_str(), e))?;
    if n as u64 != obj.meta.size {
        return Err(StorageError::io(
            "read",
            key.as_str(),
            std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "shorter than its size"),
        ));
    }
    Ok(hot.insert(key, obj.meta, Bytes::from(buf)))
}

/// Cache-Control of immutable files.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Policy settings.
#[derive(Debug, Clone)]
pub struct Options {
    pub offline: bool,
    pub fresh_for: Duration,
    pub stale_while_revalidate: Duration,
    pub negative_ttl: Duration,
    /// Freshness of the checksum database's `latest` note.
    pub sumdb_latest_fresh_for: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            offline: false,
            fresh_for: Duration::from_secs(60),
            stale_while_revalidate: Duration::from_secs(300),
            negative_ttl: Duration::from_secs(30),
            sumdb_latest_fresh_for: Duration::from_secs(30),
        }
    }
}

/// A failed fill, shared by every request waiting on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillError {
    pub status: StatusCode,
    pub message: String,
}

impl FillError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        FillError {
            status,
            message: message.into(),
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
    }
}

impl From<FetchError> for FillError {
    fn from(e: FetchError) -> Self {
        let status = match e.kind {
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
            _ => StatusCode::BAD_GATEWAY,
        };
        FillError::new(status, e.to_string())
    }
}

impl From<StorageError> for FillError {
    fn from(e: StorageError) -> Self {
        FillError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

impl From<VerifyError> for FillError {
    fn from(e: VerifyError) -> Self {
        FillError::new(StatusCode::BAD_GATEWAY, e.to_string())
    }
}

/// What a request got, for logs and metrics.
pub struct Served {
    pub response: Response,
    pub endpoint: &'static str,
    /// `hit`, `miss`, `stale`, `offline`, `negative`, `error` or `-`.
    pub cache: &'static str,
}

/// The proxy.
pub struct Proxy {
    pub(crate) storage: Arc<dyn Storage>,
    client: Client,
    routes: Routes,
    opts: Options,
    flights: Flights<Key, Result<(), FillError>>,
    negative: Mutex<HashMap<Key, (Instant, String)>>,
    verifier: Verifier,
    pub(crate) metrics: Arc<Metrics>,
    sumdb: Option<Arc<SumdbFiles>>,
    hot: Hot,
    /// Who may read what; checked in `crate::route` before anything here runs.
    pub(crate) access: crate::access::Access,
}

impl Proxy {
    pub fn new(
        storage: Arc<dyn Storage>,
        client: Client,
        routes: Routes,
        opts: Options,
        verifier: Verifier,
        metrics: Arc<Metrics>,
        sumdb: Option<Arc<SumdbFiles>>,
    ) -> Proxy {
        Proxy {
            storage,
            client,
            routes,
            opts,
            flights: Flights::default(),
            negative: Mutex::new(HashMap::new()),
            verifier,
            metrics,
            sumdb,
            hot: Hot::default(),
            access: crate::access::Access::default(),
        }
    }

    /// Replaces the access rules (default: no tokens, everything open).
    pub fn with_access(mut self, access: crate::access::Access) -> Proxy {
        self.access = access;
        self
    }

    fn cache(&self, endpoint: &'static str, result: &'static str) {
        self.metrics
            .cache
            .get_or_create(&CacheLabels { endpoint, result })
            .inc();
    }

    fn short_cc(&self) -> String {
        format!("public, max-age={}", self.opts.fresh_for.as_secs())
    }

    fn error(&self, e: &FillError) -> Response {
        let cc = if e.is_not_found() {
            format!("public, max-age={}", self.opts.negative_ttl.as_secs())
        } else {
            "no-store".to_owned()
        };
        respond::text(e.status, &e.message, &cc)
    }

    /// Serves a module request.
    pub async fn module(
        self: &Arc<Self>,
        method: &Method,
        headers: &HeaderMap,
        req: ModuleRequest,
    ) -> Served {
        let endpoint = req.endpoint();
        let served = |response, cache| Served {
            response,
            endpoint,
            cache,
        };
        let key = match req.key() {
            Ok(k) => k,
            Err(r) => return served(rejection(&r), "-"),
        };
        let no_fetch = self.opts.offline
            || headers
                .get("disable-module-fetch")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"));
        let content_type = content_type(&req.file);

        if no_fetch && matches!(req.file, ModuleFile::List | ModuleFile::Latest) {
            self.cache(endpoint, "offline");
            return served(self.computed(method, headers, &req).await, "offline");
        }

        let immutable = req.immutable();
        if immutable && let Some(e) = self.hot.get(&key) {
            self.cache(endpoint, "hit");
            let r = respond::memory(method, headers, &e.meta, &e.data, content_type, IMMUTABLE);
            return served(r, "hit");
        }
        let cached = match self.storage.get(&key).await {
            Ok(c) => c,
            Err(e) => return served(self.error(&e.into()), "error"),
        };
        let cc = if immutable {
            IMMUTABLE.to_owned()
        } else {
            self.short_cc()
        };
        let cached = match cached {
            Some(obj) if immutable && obj.meta.size <= hot::MAX_ENTRY => {
                self.cache(endpoint, "hit");
                let r = match remember(&self.hot, key, obj).await {
                    Ok(e) => respond::memory(method, headers, &e.meta, &e.data, content_type, &cc),
                    Err(e) => self.error(&e.into()),
                };
                return served(r, "hit");
            }
            other => other,
        };
        if let Some(obj) = cached {
            let age = SystemTime::now()
                .duration_since(obj.meta.modified)
                .unwrap_or_default();
            if immutable || no_fetch || age <= self.opts.fresh_for {
                self.cache(endpoint, "hit");
                return served(
                    respond::object(method, headers, obj, content_type, &cc).await,
                    "hit",
                );
            }
            if age <= self.opts.fresh_for + self.opts.stale_while_revalidate {
                let this = self.clone();
                let (req2, key2) = (req.clone(), key.clone());
                tokio::spawn(async move {
                    if let Err(e) = this.fill(&req2, &key2).await {
                        tracing::debug!(key = %key2, error = %e.message, "background refresh failed");
                    }
                });
                self.cache(endpoint, "stale");
                return served(
                    respond::object(method, headers, obj, content_type, &cc).await,
                    "stale",
                );
            }
            drop(obj);
            return match self.fill(&req, &key).await {
                Ok(()) => served(
                    self.stored(method, headers, &key, content_type, &cc).await,
                    "miss",
                ),
                Err(e) if e.is_not_found() => served(self.error(&e), "miss"),
                Err(e) => {
                    // stale-if-error: any stored copy beats an upstream failure.
                    tracing::warn!(key = %key, error = %e.message, "serving stale copy after upstream failure");
                    self.cache(endpoint, "stale");
                    served(
                        self.stored(method, headers, &key, content_type, &cc).await,
                        "stale",
                    )
                }
            };
        }

        if no_fetch {
            self.cache(endpoint, "offline");
            let what = match req.version() {
                Some(v) => format!("{}@{v}", req.path),
                None => req.path.clone(),
            };
            let e = FillError::new(
                StatusCode::NOT_FOUND,
                format!("not found: {what}: not in the cache and fetching is disabled"),
            );
            return served(self.error(&e), "offline");
        }
        self.cache(endpoint, "miss");
        match self.fill(&req, &key).await {
            Ok(()) => served(
                self.stored(method, headers, &key, content_type, &cc).await,
                "miss",
            ),
            Err(e) => served(self.error(&e), "miss"),
        }
    }

    async fn stored(
        &self,
        method: &Method,
        headers: &HeaderMap,
        key: &Key,
        content_type: &'static str,
        cc: &str,
    ) -> Response {
        match self.storage.get(key).await {
            Ok(Some(obj)) => respond::object(method, headers, obj, content_type, cc).await,
            Ok(None) => self.error(&FillError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("storage: {key} vanished after it was stored"),
            )),
            Err(e) => self.error(&e.into()),
        }
    }

    /// `@v/list` and `@latest` from storage alone.
    async fn computed(
        &self,
        method: &Method,
        headers: &HeaderMap,
        req: &ModuleRequest,
    ) -> Response {
        let dir = match Key::new(format!("{}/@v", req.escaped_path)) {
            Ok(k) => k,
            Err(e) => {
                return rejection(&Rejection {
                    status: 400,
                    reason: e.reason.into(),
                });
            }
        };
        let keys = match self.storage.list(&dir).await {
            Ok(k) => k,
            Err(e) => return self.error(&e.into()),
        };
        let versions = offline::versions(&req.escaped_path, &keys);
        let cc = self.short_cc();
        match req.file {
            ModuleFile::List => respond::bytes(
                method,
                headers,
                Bytes::from(offline::list_body(&versions)),
                "text/plain; charset=utf-8",
                &cc,
            ),
            _ => {
                let Some(v) = offline::latest(&versions) else {
                    return self.error(&FillError::new(
                        StatusCode::NOT_FOUND,
                        format!("not found: {}@latest: no versions in the cache", req.path),
                    ));
                };
                let key = module::escape_version(&v)
                    .ok()
                    .and_then(|ev| Key::new(format!("{}/@v/{ev}.info", req.escaped_path)).ok());
                match key {
                    Some(key) => {
                        self.stored(method, headers, &key, "application/json", &cc)
                            .await
                    }
                    None => self.error(&FillError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "bad cached version",
                    )),
                }
            }
        }
    }

    fn negative_hit(&self, key: &Key) -> Option<String> {
        let mut neg = self.negative.lock().unwrap_or_else(|p| p.into_inner());
        match neg.get(key) {
            Some((until, msg)) if Instant::now() < *until => Some(msg.clone()),
            Some(_) => {
                neg.remove(key);
                None
            }
            None => None,
        }
    }

    fn remember_not_found(&self, key: &Key, msg: &str) {
        let mut neg = self.negative.lock().unwrap_or_else(|p| p.into_inner());
        if neg.len() > 100_000 {
            let now = Instant::now();
            neg.retain(|_, (until, _)| *until > now);
        }
        neg.insert(
            key.clone(),
            (Instant::now() + self.opts.negative_ttl, msg.to_owned()),
        );
    }

    /// Fetches, verifies and stores `req` once, however many callers ask at once.
    async fn fill(self: &Arc<Self>, req: &ModuleRequest, key: &Key) -> Result<(), FillError> {
        if let Some(msg) = self.negative_hit(key) {
            self.cache(req.endpoint(), "negative");
            return Err(FillError::new(StatusCode::NOT_FOUND, msg));
        }
        let leader = match self.flights.join(key) {
            Join::Waiter(rx) => {
                self.metrics.singleflight_waits.inc();
                return flight::wait(rx).await.unwrap_or_else(|| {
                    Err(FillError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "fetch abandoned",
                    ))
                });
            }
            Join::Leader(l) => l,
        };
        let this = self.clone();
        let (req, key) = (req.clone(), key.clone());
        let work = tokio::spawn(async move {
            // A flight that just ended may have stored the file already.
            if req.immutable() && matches!(this.storage.exists(&key).await, Ok(true)) {
                return Ok(());
            }
            let r = this.fetch_and_store(&req, &key).await;
            if let Err(e) = &r
                && e.is_not_found()
            {
                this.remember_not_found(&key, &e.message);
            }
            r
        });
        let this = self.clone();
        let finisher = tokio::spawn(async move {
            let r = work.await.unwrap_or_else(|e| {
                Err(FillError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("fetch failed: {e}"),
                ))
            });
            this.flights.finish(leader, r.clone());
            r
        });
        finisher.await.unwrap_or_else(|e| {
            Err(FillError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("fetch failed: {e}"),
            ))
        })
    }

    async fn fetch_and_store(&self, req: &ModuleRequest, key: &Key) -> Result<(), FillError> {
        let list = self.routes.select(&req.path)?;
        let kind = match req.file {
            ModuleFile::List => FileKind::List,
            ModuleFile::Latest => FileKind::Latest,
            ModuleFile::Info { .. } => FileKind::Info,
            ModuleFile::Mod { .. } => FileKind::Mod,
            ModuleFile::Zip { .. } => FileKind::Zip,
        };
        let fetched = self.client.fetch(&list, key.as_str(), kind).await?;
        let refuse = |reason: &'static str, e: FillError| {
            self.metrics.verification_failure(reason);
            tracing::warn!(key = %key, upstream = %fetched.upstream, error = %e.message, "refused upstream file");
            e
        };
        match (&req.file, fetched.body) {
            (ModuleFile::Zip { version, .. }, Body::File { path, .. }) => {
                if let Err(e) = self.verifier.check_zip(&req.path, version, &path).await {
                    return Err(refuse(e.reason(), e.into()));
                }
                // Hand the verified file over to storage (a rename in the same filesystem).
                let staged = path.keep().map_err(|e| {
                    FillError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("staging: {e}"))
                })?;
                let stored = self.storage.put_file(key, &staged).await;
                if stored.is_err() {
                    let _ = std::fs::remove_file(&staged);
                }
                stored?;
            }
            (ModuleFile::Zip { .. }, Body::Memory(_)) => {
                return Err(FillError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "zip was not staged",
                ));
            }
            (file, Body::File { .. }) => {
                return Err(FillError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("unexpected staged body for {file:?}"),
                ));
            }
            (ModuleFile::Mod { version, .. }, Body::Memory(data)) => {
                if let Err(e) = self.verifier.check_mod(&req.path, version, &data).await {
                    return Err(refuse(e.reason(), e.into()));
                }
                self.storage.put_bytes(key, data).await?;
            }
            (ModuleFile::List, Body::Memory(data)) => {
                self.storage.put_bytes(key, data).await?;
            }
            (ModuleFile::Latest, Body::Memory(data)) => {
                let info = parse_info(&data).map_err(|m| {
                    refuse(
                        "invalid_info",
                        FillError::new(
                            StatusCode::BAD_GATEWAY,
                            format!("upstream {}: {m}", fetched.upstream),
                        ),
                    )
                })?;
                if !semver::is_valid(&info) {
                    return Err(refuse(
                        "invalid_info",
                        FillError::new(
                            StatusCode::BAD_GATEWAY,
                            format!(
                                "upstream {}: @latest returned invalid version {info:?}",
                                fetched.upstream
                            ),
                        ),
                    ));
                }
                self.storage.put_bytes(key, data).await?;
            }
            (
                ModuleFile::Info {
                    version, canonical, ..
                },
                Body::Memory(data),
            ) => {
                let got = parse_info(&data).map_err(|m| {
                    refuse(
                        "invalid_info",
                        FillError::new(
                            StatusCode::BAD_GATEWAY,
                            format!("upstream {}: {m}", fetched.upstream),
                        ),
                    )
                })?;
                if *canonical {
                    // Go's proxyRepo.Stat rule: the answer must be the version asked for.
                    if got != *version {
                        return Err(refuse(
                            "info_mismatch",
                            FillError::new(
                                StatusCode::BAD_GATEWAY,
                                format!(
                                    "upstream {}: proxy returned info for version {got} instead of requested version {version}",
                                    fetched.upstream
                                ),
                            ),
                        ));
                    }
                } else {
                    // A query must resolve to a canonical version of this module.
                    if !crate::request::is_canonical(&got)
                        || module::check(&req.path, &got).is_err()
                    {
                        return Err(refuse(
                            "info_mismatch",
                            FillError::new(
                                StatusCode::BAD_GATEWAY,
                                format!(
                                    "upstream {}: query {version:?} resolved to invalid version {got:?}",
                                    fetched.upstream
                                ),
                            ),
                        ));
                    }
                    // Keep the resolved version's .info too (it is immutable).
                    let resolved = module::escape_version(&got)
                        .ok()
                        .and_then(|ev| Key::new(format!("{}/@v/{ev}.info", req.escaped_path)).ok());
                    if let Some(k) = resolved
                        && !self.storage.exists(&k).await?
                    {
                        self.storage.put_bytes(&k, data.clone()).await?;
                    }
                }
                self.storage.put_bytes(key, data).await?;
            }
        }
        Ok(())
    }

    /// Serves a checksum-database request.
    pub async fn sumdb(
        self: &Arc<Self>,
        method: &Method,
        headers: &HeaderMap,
        req: SumdbRequest,
    ) -> Served {
        let endpoint = "sumdb";
        let served = |response, cache| Served {
            response,
            endpoint,
            cache,
        };
        let Some(db) = self.sumdb.as_ref().filter(|db| db.name == req.name) else {
            return served(
                respond::text(
                    StatusCode::NOT_FOUND,
                    &format!(
                        "not found: checksum database {} is not proxied here",
                        req.name
                    ),
                    "no-store",
                ),
                "-",
            );
        };
        let (rest, immutable, content_type) = match &req.file {
            SumdbFile::Supported => {
                return served(
                    respond::text(StatusCode::OK, "", "public, max-age=3600"),
                    "-",
                );
            }
            SumdbFile::Latest => ("latest".to_owned(), false, "text/plain; charset=utf-8"),
            SumdbFile::Lookup { path, rest } => {
                if self.routes.is_private(path) || !self.verifier.uses_sumdb(path) {
                    return served(
                        respond::text(
                            StatusCode::FORBIDDEN,
                            &format!(
                                "forbidden: {path} is private (or excluded from the checksum database); its name is not sent to {}",
                                db.name
                            ),
                            "no-store",
                        ),
                        "-",
                    );
                }
                (format!("lookup/{rest}"), true, "text/plain; charset=utf-8")
            }
            SumdbFile::Tile { rest } => {
                let ct = if rest.split('/').nth(1) == Some("data") {
                    "text/plain; charset=utf-8"
                } else {
                    "application/octet-stream"
                };
                (format!("tile/{rest}"), true, ct)
            }
        };
        let cc = if immutable {
            IMMUTABLE.to_owned()
        } else {
            format!(
                "public, max-age={}",
                self.opts.sumdb_latest_fresh_for.as_secs()
            )
        };
        match db.get(&rest, immutable).await {
            Ok((obj, cache)) => served(
                respond::object(method, headers, obj, content_type, &cc).await,
                cache,
            ),
            Err(e) => served(self.error(&e), "miss"),
        }
    }
}

fn content_type(file: &ModuleFile) -> &'static str {
    match file {
        ModuleFile::List | ModuleFile::Mod { .. } => "text/plain; charset=utf-8",
        ModuleFile::Latest | ModuleFile::Info { .. } => "application/json",
        ModuleFile::Zip { .. } => "application/zip",
    }
}

/// A short plain-text refusal of a bad request path.
pub fn rejection(r: &Rejection) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST);
    respond::text(status, &r.reason, "no-store")
}

/// The `Version` field of an `.info`/`@latest` answer.
fn parse_info(data: &[u8]) -> Result<String, String> {
    #[derive(serde::Deserialize)]
    struct Info {
        #[serde(rename = "Version")]
        version: String,
    }
    serde_json::from_slice::<Info>(data)
        .map(|i| i.version)
        .map_err(|e| format!("invalid .info JSON: {e}"))
}
