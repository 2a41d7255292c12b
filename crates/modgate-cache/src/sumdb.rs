//! The checksum database: its files through the cache, and the client that verifies
//! lookups with the core's `sumdb::verify`.
//!
//! [`SumdbFiles`] fetches `latest`, `lookup/…` and `tile/…` from the database URL and
//! keeps them under `sumdb/<name>/` ([`crate::keys`]). Lookups and tiles are
//! immutable; `latest` is cached for `latest_ttl` and served stale if the database is
//! unreachable. The `/sumdb/<name>/` endpoints and the verifier share it.
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
//! [`SumdbClient`] is the verifier's [`ChecksumDb`]: it fetches the lookup record,
//! and runs the core's verification (signed tree note, consistency with the newest
//! tree seen so far, record inclusion via tiles). The newest trusted tree is kept in
//! memory and in a [`TreeStore`], so consistency is checked across restarts (and,
//! with a shared store, across replicas). A lookup that fails verification is removed
//! from the cache.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use modgate_core::sumdb::note::Ed25519Verifier;
use modgate_core::sumdb::verify::{self, LookupError, SignedTree, TileSource};
use modgate_storage::{Object, Storage, StorageError};
use modgate_upstream::{Body, Client, FetchError, FileKind, UpstreamList};

use crate::keys;
use crate::observe::Origin;
use crate::tree::TreeStore;
use crate::verify::ChecksumDb;

/// How long the chosen way to the database is kept before it is asked again.
pub const ROUTE_TTL: Duration = Duration::from_secs(600);

/// Why a checksum-database file or lookup could not be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SumdbError {
    /// Fetching from the database (or the proxy serving it) failed; a 404/410 here
    /// is the database not knowing the file.
    #[error(transparent)]
    Fetch(Arc<FetchError>),
    /// Offline, and the file is not stored.
    #[error("not found: {0}: not in the cache (offline)")]
    NotCached(String),
    /// The name does not make a storage key.
    #[error("invalid checksum database path: {0}")]
    InvalidPath(String),
    #[error(transparent)]
    Storage(Arc<StorageError>),
    /// The database's answer did not verify (a forged record, a forked tree: the
    /// go command's texts, "SECURITY ERROR" included).
    #[error(transparent)]
    Verify(Arc<LookupError>),
    /// The verification task ended without an answer.
    #[error("verification task failed: {0}")]
    Task(String),
}

impl SumdbError {
    /// Whether the database could not be reached (rather than answering).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, SumdbError::Fetch(e) if !e.is_not_found())
    }
}

impl From<StorageError> for SumdbError {
    fn from(e: StorageError) -> Self {
        SumdbError::Storage(Arc::new(e))
    }
}

impl From<FetchError> for SumdbError {
    fn from(e: FetchError) -> Self {
        SumdbError::Fetch(Arc::new(e))
    }
}

/// One way to a checksum database's files: an upstream and the path prefix of the
/// files there (`sumdb/<name>/` on a proxy, empty at the database itself).
#[derive(Debug, Clone)]
pub struct SumdbWay {
    pub list: UpstreamList,
    pub prefix: String,
}

/// The ways to a checksum database, in the order the go command tries them.
#[derive(Debug, Clone)]
pub struct SumdbRoute {
    /// Each proxy (as a one-entry list, prefix `sumdb/<name>/`), and whether any
    /// error (`|`) rather than only "not found" (`,`) moves on to the next.
    pub proxies: Vec<(SumdbWay, bool)>,
    /// The database's own URL.
    pub direct: SumdbWay,
}

/// Cached access to one checksum database's files.
pub struct SumdbFiles {
    pub name: String,
    storage: Arc<dyn Storage>,
    client: Client,
    route: SumdbRoute,
    /// The chosen way and when it was chosen.
    base: tokio::sync::Mutex<Option<(SumdbWay, std::time::Instant)>>,
    offline: bool,
    latest_ttl: Duration,
}

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
    async fn base(&self) -> Result<SumdbWay, SumdbError> {
        let mut base = self.base.lock().await;
        if let Some((list, at)) = base.as_ref()
            && at.elapsed() < ROUTE_TTL
        {
            return Ok(list.clone());
        }
        let mut chosen = None;
        for (proxy, any_error) in &self.route.proxies {
            let supported = format!("{}supported", proxy.prefix);
            match self
                .client
                .fetch(&proxy.list, &supported, FileKind::Sumdb)
                .await
            {
                Ok(_) => {
                    chosen = Some(proxy.clone());
                    break;
                }
                Err(e) if *any_error || e.is_not_found() => {
                    tracing::debug!(db = %self.name, error = %e, "proxy does not serve the checksum database");
                }
                Err(e) => return Err(e.into()),
            }
        }
        let list = chosen.unwrap_or_else(|| self.route.direct.clone());
        *base = Some((list.clone(), std::time::Instant::now()));
        Ok(list)
    }

    fn key(&self, rest: &str) -> Result<modgate_storage::Key, SumdbError> {
        keys::sumdb_file(&self.name, rest).map_err(|e| SumdbError::InvalidPath(e.to_string()))
    }

    /// `rest` (`latest`, `lookup/…`, `tile/…`) through the cache: `immutable` files
    /// are fetched once; others are refreshed after the `latest` TTL (and served stale
    /// if the database fails).
    pub async fn get(&self, rest: &str, immutable: bool) -> Result<(Object, Origin), SumdbError> {
        let key = self.key(rest)?;
        let stored = self.storage.get(&key).await?;
        if let Some(obj) = stored {
            let age = SystemTime::now()
                .duration_since(obj.meta.modified)
                .unwrap_or_default();
            if immutable || self.offline || age <= self.latest_ttl {
                return Ok((obj, Origin::Hit));
            }
            return match self.fetch(rest).await {
                Ok(data) => {
                    let meta = self.storage.put_bytes(&key, data.clone()).await?;
                    Ok((memory(meta, data), Origin::Miss))
                }
                // stale-if-error: the copy we hold beats no answer.
                Err(e) => {
                    tracing::debug!(key = %key, error = %e, "serving the stored copy");
                    Ok((obj, Origin::Unavailable))
                }
            };
        }
        if self.offline {
            return Err(SumdbError::NotCached(key.to_string()));
        }
        let data = self.fetch(rest).await?;
        let meta = self.storage.put_bytes(&key, data.clone()).await?;
        Ok((memory(meta, data), Origin::Miss))
    }

    /// `rest`'s bytes through the cache.
    pub async fn get_bytes(&self, rest: &str, immutable: bool) -> Result<Bytes, SumdbError> {
        let key = self.key(rest)?;
        let (obj, _) = self.get(rest, immutable).await?;
        Ok(obj.into_bytes(&key).await?)
    }

    /// Drops a cached file (a lookup that failed verification).
    pub async fn forget(&self, rest: &str) {
        if let Ok(key) = self.key(rest) {
            let _ = self.storage.delete(&key).await;
        }
    }

    async fn fetch(&self, rest: &str) -> Result<Bytes, SumdbError> {
        let way = self.base().await?;
        let path = format!("{}{rest}", way.prefix);
        let fetched = self.client.fetch(&way.list, &path, FileKind::Sumdb).await?;
        match fetched.body {
            Body::Memory(b) => Ok(b),
            // Checksum-database files are small and always fetched into memory.
            Body::File { path, .. } => {
                Ok(Bytes::from(tokio::fs::read(&path).await.map_err(|e| {
                    StorageError::io("read", path.display().to_string(), e)
                })?))
            }
        }
    }
}

fn memory(meta: modgate_storage::Meta, data: Bytes) -> Object {
    Object {
        meta,
        body: modgate_storage::Body::Bytes(data),
    }
}

/// The verifier's view of the database.
pub struct SumdbClient {
    files: Arc<SumdbFiles>,
    verifier: Arc<Ed25519Verifier>,
    /// The newest tree verified in this process.
    trusted: Mutex<SignedTree>,
    store: Arc<dyn TreeStore>,
    /// Set once the stored tree has been read.
    loaded: tokio::sync::OnceCell<()>,
}

impl SumdbClient {
    /// `vkey` is the database's verifier key (`name+hash+keydata`).
    pub fn new(
        files: Arc<SumdbFiles>,
        vkey: &str,
        store: Arc<dyn TreeStore>,
    ) -> Result<SumdbClient, modgate_core::sumdb::note::NoteError> {
        Ok(SumdbClient {
            files,
            verifier: Arc::new(Ed25519Verifier::new(vkey)?),
            trusted: Mutex::new(SignedTree::empty()),
            store,
            loaded: tokio::sync::OnceCell::new(),
        })
    }

    fn trusted(&self) -> SignedTree {
        self.trusted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Adopts `tree` in memory if it is newer than what this process trusts.
    fn adopt(&self, tree: SignedTree) {
        let mut cur = self.trusted.lock().unwrap_or_else(|p| p.into_inner());
        if tree.tree.n > cur.tree.n {
            *cur = tree;
        }
    }

    /// The stored note, verified (a corrupt or forged one is ignored: it must verify
    /// under the key like any note).
    async fn stored(&self) -> (Option<Bytes>, Option<SignedTree>) {
        match self.store.load().await {
            Ok(Some(note)) => {
                let tree = SignedTree::open(self.verifier.as_ref(), &note).ok();
                (Some(note), tree)
            }
            Ok(None) => (None, None),
            Err(e) => {
                tracing::warn!(db = %self.files.name, error = %e, "reading the trusted tree");
                (None, None)
            }
        }
    }

    async fn load(&self) {
        if self.store.shared() {
            if let (_, Some(t)) = self.stored().await {
                self.adopt(t);
            }
            return;
        }
        self.loaded
            .get_or_init(|| async {
                if let (_, Some(t)) = self.stored().await {
                    self.adopt(t);
                }
            })
            .await;
    }

    async fn lookup_lines(&self, path: &str, version: &str) -> Result<Vec<String>, SumdbError> {
        self.load().await;
        let rest = verify::lookup_path(path, version)
            .map_err(|e| SumdbError::InvalidPath(e.to_string()))?;
        let response = self.files.get_bytes(&rest, true).await?;
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
        .map_err(|e| SumdbError::Task(e.to_string()))?;
        let verified = match verified {
            (Ok(v), _) => v,
            (Err(e), suspect) => {
                // Nothing that failed to verify stays cached.
                self.files.forget(&rest).await;
                for tile in suspect {
                    self.files.forget(&tile).await;
                }
                return Err(SumdbError::Verify(Arc::new(e)));
            }
        };
        self.remember(verified.latest).await;
        let text = String::from_utf8_lossy(&verified.text).into_owned();
        Ok(text.lines().map(str::to_owned).collect())
    }

    /// Moves the stored tree forward to `latest`, never backwards: the stored note is
    /// replaced only if it is still the one read and `latest` is larger.
    async fn remember(&self, latest: SignedTree) {
        let n = latest.tree.n;
        self.adopt(latest.clone());
        if latest.note.is_empty() {
            return;
        }
        let note = Bytes::from(latest.note);
        for _ in 0..8 {
            let (raw, stored) = self.stored().await;
            if let Some(t) = stored
                && t.tree.n >= n
            {
                self.adopt(t);
                return;
            }
            match self.store.swap(raw.as_ref(), note.clone()).await {
                Ok(true) => return,
                Ok(false) => continue, // another writer moved it: compare again
                Err(e) => {
                    tracing::warn!(error = %e, "could not persist the checksum database's tree");
                    return;
                }
            }
        }
        tracing::warn!(db = %self.files.name, "trusted tree kept changing; not persisted this time");
    }
}

impl ChecksumDb for SumdbClient {
    fn name(&self) -> &str {
        &self.files.name
    }

    fn lookup<'a>(
        &'a self,
        path: &'a str,
        version: &'a str,
    ) -> BoxFuture<'a, Result<Vec<String>, SumdbError>> {
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
            .map(|b| b.to_vec())
            .map_err(|e| e.to_string().into())
    }

    fn authenticated(&mut self, path: &str, _data: &[u8]) {
        self.authenticated.push(path.to_owned());
    }
}
