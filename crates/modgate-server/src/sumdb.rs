//! The checksum database: its files through the cache, and the HTTP client that
//! verifies lookups with the core's `sumdb::verify`.
//!
//! [`SumdbFiles`] fetches `latest`, `lookup/…` and `tile/…` from the database URL and
//! keeps them under `sumdb/<name>/` (the module cache's layout). Lookups and tiles are
//! immutable; `latest` is cached for `sumdb_latest_ttl` and served stale if the
//! database is unreachable. The `/sumdb/<name>/` endpoints and the verifier share it.
//!
//! Which URL serves the database is decided as the go command decides it
//! (`modfetch/sumdb.go` `initBase`, the sumdb design's proxying rule): each proxy
//! upstream, in order, is asked for `<proxy>/sumdb/<name>/supported`; the first to
//! answer 200 serves every file. A 404 or 410, or any error after a `|`, moves on
//! to the next proxy; any other error is the database being unavailable. A
//! `direct` or `off` entry, or the end of the list, means the database's own URL
//! (GOSUMDB's URL, else `https://<name>`). The choice is kept for
//! [`ROUTE_TTL`], then asked again, so a long-running server follows changes.
//!
//! [`HttpChecksumDb`] is the verifier's [`ChecksumDb`]: it fetches the lookup record,
//! and runs the core's verification (signed tree note, consistency with the newest
//! tree seen so far, record inclusion via tiles). The newest trusted tree is kept in
//! memory and in storage (`sumdb/<name>/modgate-trusted-tree`), so consistency is
//! checked across restarts as the go command does with `$GOPATH/pkg/sumdb`. A lookup
//! that fails verification is removed from the cache.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use bytes::Bytes;
use futures_util::future::BoxFuture;
use modgate_core::sumdb::note::Ed25519Verifier;
use modgate_core::sumdb::verify::{self, SignedTree, TileSource};
use modgate_storage::{Key, Object, Storage};
use modgate_upstream::{Body, Client, FileKind, UpstreamList};
use tokio::io::AsyncReadExt;

use crate::proxy::FillError;
use crate::verify::ChecksumDb;

/// How long the chosen way to the database is kept before it is asked again.
pub const ROUTE_TTL: Duration = Duration::from_secs(600);

/// The ways to a checksum database, in the order the go command tries them.
#[derive(Debug, Clone)]
pub struct SumdbRoute {
    /// Each proxy's `<base>/sumdb/<name>` as a one-entry list, and whether any
    /// error (`|`) rather than only "not found" (`,`) moves on to the next.
    pub proxies: Vec<(UpstreamList, bool)>,
    /// The database's own URL.
    pub direct: UpstreamList,
}

/// Cached access to one checksum database's files.
pub struct SumdbFiles {
    pub name: String,
    storage: Arc<dyn Storage>,
    client: Client,
    route: SumdbRoute,
    /// The chosen base and when it was chosen.
    base: tokio::sync::Mutex<Option<(UpstreamList, std::time::Instant)>>,
    offline: bool,
    latest_ttl: Duration,
}

/// Where a served file came from.
pub type CacheResult = &'static str;

impl SumdbFiles {
    pub fn new(
        name: impl Into<String>,
        storage: Arc<dyn Storage>,
        client: Client,
        route: SumdbRoute,
        offline: bool,
        latest_ttl: Duration,
    ) -> SumdbFiles {
        SumdbFiles {
            name: name.into(),
            storage,
            client,
            route,
            base: tokio::sync::Mutex::new(None),
            offline,
            latest_ttl,
        }
    }

    /// Where the database's files are fetched from (see the module comment).
    /// Concurrent callers wait for one probe; a failed probe is not remembered.
    async fn base(&self) -> Result<UpstreamList, FillError> {
        let mut base = self.base.lock().await;
        if let Some((list, at)) = base.as_ref()
            && at.elapsed() < ROUTE_TTL
        {
            return Ok(list.clone());
        }
        let mut chosen = None;
        for (proxy, any_error) in &self.route.proxies {
            match self.client.fetch(proxy, "supported", FileKind::Sumdb).await {
                Ok(_) => {
                    chosen = Some(proxy.clone());
                    break;
                }
                Err(e) if *any_error || e.kind == modgate_upstream::ErrorKind::NotFound => {
                    tracing::debug!(db = %self.name, error = %e, "proxy does not serve the checksum database");
                }
                Err(e) => {
                    return Err(FillError::from(e));
                }
            }
        }
        let list = chosen.unwrap_or_else(|| self.route.direct.clone());
        *base = Some((list.clone(), std::time::Instant::now()));
        Ok(list)
    }

    /// The storage key of `rest` (`latest`, `lookup/…`, `tile/…`).
    pub fn key(&self, rest: &str) -> Result<Key, FillError> {
        Key::new(format!("sumdb/{}/{rest}", self.name))
            .map_err(|e| FillError::new(StatusCode::BAD_REQUEST, e.to_string()))
    }

    /// `rest` through the cache: `immutable` files are fetched once; others are
    /// refreshed after the `latest` TTL (and served stale if the database fails).
    pub async fn get(
        &self,
        rest: &str,
        immutable: bool,
    ) -> Result<(Object, CacheResult), FillError> {
        let key = self.key(rest)?;
        if let Some(obj) = self.storage.get(&key).await? {
            let age = SystemTime::now()
                .duration_since(obj.meta.modified)
                .unwrap_or_default();
            if immutable || self.offline || age <= self.latest_ttl {
                return Ok((obj, "hit"));
            }
        }
        if self.offline {
            return Err(FillError::new(
                StatusCode::NOT_FOUND,
                format!("not found: {key}: not in the cache (offline)"),
            ));
        }
        match self.fetch(rest).await {
            Ok(data) => {
                self.storage.put_bytes(&key, data).await?;
            }
            Err(e) => {
                if let Some(obj) = self.storage.get(&key).await? {
                    return Ok((obj, "stale"));
                }
                return Err(e);
            }
        }
        match self.storage.get(&key).await? {
            Some(obj) => Ok((obj, "miss")),
            None => Err(FillError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("storage: {key} vanished after it was stored"),
            )),
        }
    }

    /// `rest`'s bytes through the cache.
    pub async fn get_bytes(&self, rest: &str, immutable: bool) -> Result<Vec<u8>, FillError> {
        let (mut obj, _) = self.get(rest, immutable).await?;
        let mut buf = Vec::with_capacity(usize::try_from(obj.meta.size).unwrap_or(0));
        obj.body.read_to_end(&mut buf).await.map_err(|e| {
            FillError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("storage: reading {rest}: {e}"),
            )
        })?;
        Ok(buf)
    }

    /// Drops a cached file (a lookup that failed verification).
    pub async fn forget(&self, rest: &str) {
        if let Ok(key) = self.key(rest) {
            let _ = self.storage.delete(&key).await;
        }
    }

    async fn fetch(&self, rest: &str) -> Result<Bytes, FillError> {
        let base = self.base().await?;
        let fetched = self.client.fetch(&base, rest, FileKind::Sumdb).await?;
        match fetched.body {
            Body::Memory(b) => Ok(b),
            Body::File { .. } => Err(FillError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "unexpected staged body",
            )),
        }
    }
}

/// The verifier's view of the database over HTTP.
pub struct HttpChecksumDb {
    files: Arc<SumdbFiles>,
    verifier: Arc<Ed25519Verifier>,
    trusted: Mutex<SignedTree>,
    trusted_key: Key,
    storage: Arc<dyn Storage>,
    /// Set once the persisted tree has been read.
    loaded: tokio::sync::OnceCell<()>,
}

impl HttpChecksumDb {
    /// `vkey` is the database's verifier key (`name+hash+keydata`).
    pub fn new(
        files: Arc<SumdbFiles>,
        vkey: &str,
        storage: Arc<dyn Storage>,
    ) -> Result<HttpChecksumDb, String> {
        let verifier = Ed25519Verifier::new(vkey)
            .map_err(|e| format!("checksum database key {vkey:?}: {e}"))?;
        let trusted_key = files.key("modgate-trusted-tree").map_err(|e| e.message)?;
        Ok(HttpChecksumDb {
            files,
            verifier: Arc::new(verifier),
            trusted: Mutex::new(SignedTree::empty()),
            trusted_key,
            storage,
            loaded: tokio::sync::OnceCell::new(),
        })
    }

    fn trusted(&self) -> SignedTree {
        self.trusted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Reads the persisted trusted tree once (a corrupt or forged one is ignored:
    /// it must verify under the key like any note).
    async fn load(&self) {
        self.loaded
            .get_or_init(|| async {
                let Ok(Some(mut obj)) = self.storage.get(&self.trusted_key).await else {
                    return;
                };
                let mut note = Vec::new();
                if obj.body.read_to_end(&mut note).await.is_err() {
                    return;
                }
                if let Ok(t) = SignedTree::open(self.verifier.as_ref(), &note) {
                    let mut cur = self.trusted.lock().unwrap_or_else(|p| p.into_inner());
                    if t.tree.n > cur.tree.n {
                        *cur = t;
                    }
                }
            })
            .await;
    }

    async fn lookup_lines(&self, path: &str, version: &str) -> Result<Vec<String>, String> {
        self.load().await;
        let rest = verify::lookup_path(path, version).map_err(|e| e.to_string())?;
        let response = self
            .files
            .get_bytes(&rest, true)
            .await
            .map_err(|e| e.message)?;
        let trusted = self.trusted();
        let verifier = self.verifier.clone();
        let files = self.files.clone();
        let handle = tokio::runtime::Handle::current();
        let (p, v) = (path.to_owned(), version.to_owned());
        // The core's verifier is synchronous; tiles are fetched from inside it.
        let verified = tokio::task::spawn_blocking(move || {
            let mut source = BlockingTiles {
                files,
                handle,
                read: Vec::new(),
                authenticated: Vec::new(),
            };
            let r = verify::Client::new(verifier.as_ref()).verify_lookup(
                &trusted,
                &p,
                &v,
                &response,
                &mut source,
            );
            let suspect: Vec<String> = source
                .read
                .into_iter()
                .filter(|t| !source.authenticated.contains(t))
                .collect();
            (r, suspect)
        })
        .await
        .map_err(|e| format!("verification task failed: {e}"))?;
        let verified = match verified {
            (Ok(v), _) => v,
            (Err(e), suspect) => {
                // Nothing that failed to verify stays cached.
                self.files.forget(&rest).await;
                for tile in suspect {
                    self.files.forget(&tile).await;
                }
                return Err(e.to_string());
            }
        };
        self.remember(verified.latest).await;
        let text = String::from_utf8_lossy(&verified.text).into_owned();
        Ok(text.lines().map(str::to_owned).collect())
    }

    async fn remember(&self, latest: SignedTree) {
        let newer = {
            let mut cur = self.trusted.lock().unwrap_or_else(|p| p.into_inner());
            if latest.tree.n > cur.tree.n {
                *cur = latest.clone();
                true
            } else {
                false
            }
        };
        if newer
            && !latest.note.is_empty()
            && let Err(e) = self
                .storage
                .put_bytes(&self.trusted_key, Bytes::from(latest.note))
                .await
        {
            tracing::warn!(error = %e, "could not persist the checksum database's tree");
        }
    }
}

impl ChecksumDb for HttpChecksumDb {
    fn name(&self) -> &str {
        &self.files.name
    }

    fn lookup<'a>(
        &'a self,
        path: &'a str,
        version: &'a str,
    ) -> BoxFuture<'a, Result<Vec<String>, String>> {
        Box::pin(self.lookup_lines(path, version))
    }
}

/// Tiles for the synchronous verifier, fetched through the async cache.
struct BlockingTiles {
    files: Arc<SumdbFiles>,
    handle: tokio::runtime::Handle,
    read: Vec<String>,
    authenticated: Vec<String>,
}

impl TileSource for BlockingTiles {
    fn read_tile(&mut self, path: &str) -> Result<Vec<u8>, verify::FetchError> {
        self.read.push(path.to_owned());
        self.handle
            .block_on(self.files.get_bytes(path, true))
            .map_err(|e| e.message.into())
    }

    fn authenticated(&mut self, path: &str, _data: &[u8]) {
        self.authenticated.push(path.to_owned());
    }
}
