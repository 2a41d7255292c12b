//! A bounded on-disk read-through tier in front of a primary store (an object
//! store, usually): each replica keeps the files it serves on local disk, least
//! recently used out, and the primary stays the durable, shared copy.
//!
//! Only immutable files are kept (see [`is_immutable`]): a version's `.info`, `.mod`,
//! `.zip` never change once stored, so a local copy can be served for ever. Lists,
//! `@latest`, version queries, the checksum database's `latest` and partial tiles, and
//! the vulnerability database follow the shared freshness, so they always go to the
//! primary.
//!
//! * **Reads**: a local hit is served from disk; a miss reads the primary, and a whole
//!   read (`get`) of an object no larger than the tier is copied to a local temporary
//!   file, renamed into place and served from there (a ranged read of a miss goes to
//!   the primary only). Concurrent readers of one missing file share one copy: the
//!   others wait for it, so a burst downloads a zip once. A copy from an object store
//!   is hashed on the way and must match the SHA-256 recorded with the object (its
//!   entity tag): a corrupt object is refused, neither kept nor served.
//! * **Immutable also means**: a copy is never compared with the primary again; a
//!   file deleted from the primary (by hand, or a scrub's repair of a corrupt copy
//!   rewriting it) stays served from tiers that hold it until it is evicted or the
//!   tier's directory is cleared.
//! * **Writes** go to the primary first, then to the tier: what the tier holds the
//!   primary has.
//! * **Validators**: a local copy answers with the primary's size, entity tag and
//!   modification time, kept in a hidden sidecar (`.meta/<key>`), so a replica serving
//!   from its tier gives the same `ETag` as one serving from the primary.
//! * **Bounded**: the tier's files never sum to more than its limit; the least recently
//!   used are removed first. An index of the files (size, last use) is kept in memory
//!   and rebuilt from the directory at start (file modification times order it).
//!   Removing a file another request is reading is safe: the reader keeps its open file.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::fs::{append_chunk, blocking, hex};
use crate::{
    Body, Conditional, FsStorage, Key, Meta, Object, Storage, StorageError, TEMP_PREFIX, Upload,
};

/// Hidden directory (no key can name it) of the sidecars holding each copy's metadata.
const META_DIR: &str = ".meta";

/// Whether the file under `key` never changes once stored, so a copy may be kept
/// for ever:
///
/// * `<module>/@v/<version>.mod`, `.zip`, `.ziphash`;
/// * `<module>/@v/<version>.info` when `<version>` is a canonical semantic version
///   (`v1.2.3`, `v1.2.3-pre`, `v0.0.0-2024…-abcdef`, `v2.0.0+incompatible`): other
///   names (`master.info`, `v1.info`) are version queries, whose answer moves;
/// * `sumdb/<db>/lookup/…` and full tiles `sumdb/<db>/tile/<H>/<L>/<N…>`.
///
/// Not: `@v/list`, `@latest`, `sumdb/<db>/latest`, partial tiles (`…/<N>.p/<W>`,
/// superseded when the tile fills), the trusted tree, `vuln/…`, anything else.
pub fn is_immutable(key: &Key) -> bool {
    let k = key.as_str();
    if let Some(rest) = k.strip_prefix("sumdb/") {
        let mut parts = rest.splitn(3, '/');
        let (_db, kind, tail) = (parts.next(), parts.next(), parts.next());
        return match (kind, tail) {
            (Some("lookup"), Some(_)) => true,
            (Some("tile"), Some(t)) => !t.contains(".p/") && !t.ends_with(".p"),
            _ => false,
        };
    }
    if k.starts_with("vuln/") {
        return false;
    }
    let Some((_, file)) = k.rsplit_once("/@v/") else {
        return false;
    };
    if file.contains('/') {
        return false;
    }
    if let Some(version) = file.strip_suffix(".info") {
        return is_canonical_escaped(version);
    }
    [".mod", ".zip", ".ziphash"]
        .iter()
        .any(|ext| file.strip_suffix(ext).is_some_and(|v| v.starts_with('v')))
}

/// `vMAJOR.MINOR.PATCH[-pre][+incompatible]` in case-escaped form (upper-case
/// letters appear as `!x`).
fn is_canonical_escaped(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let (rest, build) = match rest.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (rest, None),
    };
    if build.is_some_and(|b| b != "incompatible") {
        return false;
    }
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let nums: Vec<&str> = core.split('.').collect();
    let num_ok = |n: &&str| {
        !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
            && (n.len() == 1 || !n.starts_with('0'))
    };
    nums.len() == 3
        && nums.iter().all(num_ok)
        && pre.is_none_or(|p| {
            !p.is_empty()
                && p.split('.').all(|id| {
                    !id.is_empty()
                        && id
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'!')
                })
        })
}

/// The read-through tier; see the module documentation.
pub struct LocalTier(Arc<Inner>);

struct Inner {
    primary: Arc<dyn Storage>,
    local: FsStorage,
    limit: u64,
    index: std::sync::Mutex<Index>,
    hits: AtomicU64,
    misses: AtomicU64,
    observer: std::sync::OnceLock<Arc<dyn TierObserver>>,
    /// One fill per key at a time: readers of a file being copied in wait for the
    /// copy instead of each downloading it (and each holding a temporary copy).
    fills: std::sync::Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

/// The tier's files by last use.
#[derive(Default)]
struct Index {
    entries: HashMap<Key, Entry>,
    by_use: BTreeMap<u64, Key>,
    used: u64,
    clock: u64,
}

struct Entry {
    size: u64,
    tick: u64,
    /// The primary's metadata, once read from the sidecar (or known when admitted).
    meta: Option<Meta>,
}

impl Index {
    /// Marks `key` used; `None` if absent, else its metadata if known.
    fn touch(&mut self, key: &Key) -> Option<Option<Meta>> {
        self.clock += 1;
        let clock = self.clock;
        let e = self.entries.get_mut(key)?;
        self.by_use.remove(&e.tick);
        e.tick = clock;
        self.by_use.insert(clock, key.clone());
        Some(e.meta.clone())
    }

    fn insert(&mut self, key: Key, size: u64, meta: Option<Meta>) {
        self.remove(&key);
        self.clock += 1;
        self.used += size;
        self.by_use.insert(self.clock, key.clone());
        self.entries.insert(
            key,
            Entry {
                size,
                tick: self.clock,
                meta,
            },
        );
    }

    fn remove(&mut self, key: &Key) -> bool {
        match self.entries.remove(key) {
            Some(e) => {
                self.by_use.remove(&e.tick);
                self.used -= e.size;
                true
            }
            None => false,
        }
    }

    /// Takes least recently used entries out until `used <= limit`; returns their keys.
    fn evict(&mut self, limit: u64) -> Vec<Key> {
        let mut out = Vec::new();
        while self.used > limit {
            let Some((_, key)) = self.by_use.pop_first() else {
                break;
            };
            if let Some(e) = self.entries.remove(&key) {
                self.used -= e.size;
            }
            out.push(key);
        }
        out
    }
}

/// Told what the tier does (metrics).
pub trait TierObserver: Send + Sync {
    /// A read of an immutable file: served from the tier (`hit`) or not.
    fn read(&self, hit: bool);
    /// `files` files were evicted to stay within the limit.
    fn evicted(&self, files: usize);
    /// The tier now holds `files` files of `bytes` bytes.
    fn size(&self, files: usize, bytes: u64);
}

/// What [`LocalTier::stats`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierStats {
    pub files: usize,
    pub bytes: u64,
    pub limit: u64,
    pub hits: u64,
    pub misses: u64,
}

impl LocalTier {
    /// Puts a tier of at most `limit` bytes in directory `dir` (created if missing)
    /// in front of `primary`, indexing what an earlier run left there (and trimming
    /// it to `limit`).
    pub fn open(
        primary: Arc<dyn Storage>,
        dir: impl AsRef<Path>,
        limit: u64,
    ) -> io::Result<LocalTier> {
        let local = FsStorage::open(dir)?;
        let mut found = Vec::new();
        walk(local.root(), local.root(), &mut found)?;
        // Oldest first, so the clock orders them by last write.
        found.sort_by_key(|(_, _, mtime)| *mtime);
        let mut index = Index::default();
        for (key, size, _) in found {
            index.insert(key, size, None);
        }
        let tier = Inner {
            primary,
            local,
            limit,
            index: std::sync::Mutex::new(index),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            observer: std::sync::OnceLock::new(),
            fills: std::sync::Mutex::new(HashMap::new()),
        };
        let evicted = tier.lock().evict(limit);
        for key in evicted {
            tier.remove_files(&key);
        }
        Ok(LocalTier(Arc::new(tier)))
    }

    /// Reports reads, evictions and the tier's size to `observer` from now on (the
    /// first observer set stays).
    pub fn set_observer(&self, observer: Arc<dyn TierObserver>) {
        let ix = self.0.lock();
        observer.size(ix.entries.len(), ix.used);
        drop(ix);
        let _ = self.0.observer.set(observer);
    }

    /// The directory of the tier.
    pub fn dir(&self) -> &Path {
        self.0.local.root()
    }

    /// Files and bytes held, the limit, and hits and misses of immutable reads so far.
    pub fn stats(&self) -> TierStats {
        let ix = self.0.lock();
        TierStats {
            files: ix.entries.len(),
            bytes: ix.used,
            limit: self.0.limit,
            hits: self.0.hits.load(Ordering::Relaxed),
            misses: self.0.misses.load(Ordering::Relaxed),
        }
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Index> {
        self.index.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn meta_path(&self, key: &Key) -> PathBuf {
        self.local.root().join(META_DIR).join(key.as_str())
    }

    fn remove_files(&self, key: &Key) {
        let _ = std::fs::remove_file(self.local.path_of(key));
        let _ = std::fs::remove_file(self.meta_path(key));
    }

    /// The primary's metadata of the local copy of `key`, if the tier has one.
    async fn local_meta(&self, key: &Key) -> Option<Meta> {
        if let Some(meta) = self.lock().touch(key)? {
            return Some(meta);
        }
        // Indexed at start: the sidecar is read on first use, then remembered.
        let path = self.meta_path(key);
        let text = tokio::fs::read_to_string(&path).await.ok()?;
        let meta = parse_meta(&text)?;
        if let Some(e) = self.lock().entries.get_mut(key) {
            e.meta = Some(meta.clone());
        }
        Some(meta)
    }

    /// Opens the local copy with the primary's metadata.
    async fn local_get(&self, key: &Key) -> Option<Object> {
        let meta = self.local_meta(key).await?;
        match self.local.get(key).await {
            Ok(Some(obj)) if obj.meta.size == meta.size => Some(Object {
                meta,
                body: obj.body,
            }),
            _ => {
                self.forget(key);
                None
            }
        }
    }

    fn forget(&self, key: &Key) {
        let removed = {
            let mut ix = self.lock();
            let removed = ix.remove(key);
            self.report_size(&ix);
            removed
        };
        if removed {
            self.remove_files(key);
        }
    }

    fn report_size(&self, ix: &Index) {
        if let Some(o) = self.observer.get() {
            o.size(ix.entries.len(), ix.used);
        }
    }

    fn report_read(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        if let Some(o) = self.observer.get() {
            o.read(hit);
        }
    }

    /// Takes the file `tmp` (holding `key`'s content, described by the primary's
    /// `meta`) into the tier, then trims the tier to its limit.
    async fn admit(&self, key: &Key, tmp: PathBuf, meta: &Meta) -> Result<(), StorageError> {
        if meta.size > self.limit {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Ok(());
        }
        // Sidecar first: a copy without one is never served.
        let sidecar = self.meta_path(key);
        let text = format_meta(meta);
        let staging = self.local.spool_dir().to_owned();
        blocking(move || {
            if let Some(dir) = sidecar.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = tempfile::Builder::new()
                .prefix(TEMP_PREFIX)
                .tempfile_in(&staging)?;
            f.write_all(text.as_bytes())?;
            f.persist(&sidecar).map_err(|e| e.error)?;
            Ok(())
        })
        .await
        .map_err(|e| StorageError::io("cache", key.as_str(), e))?;
        let mut up = self.local.upload(key).await?;
        up.write_file(tmp).await?;
        up.commit().await?;
        let evicted = {
            let mut ix = self.lock();
            ix.insert(key.clone(), meta.size, Some(meta.clone()));
            let evicted = ix.evict(self.limit);
            self.report_size(&ix);
            evicted
        };
        if let Some(o) = self.observer.get().filter(|_| !evicted.is_empty()) {
            o.evicted(evicted.len());
        }
        for k in evicted {
            self.remove_files(&k);
        }
        Ok(())
    }

    /// [`Inner::admit`], where failing only costs a later read from the primary.
    async fn keep(&self, key: &Key, tmp: PathBuf, meta: &Meta) {
        if let Err(e) = self.admit(key, tmp.clone(), meta).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            self.forget(key);
            tracing::warn!(%key, error = %e, "local tier: keeping a copy failed");
        }
    }

    /// Copies an object read from the primary into the tier and serves it from there.
    async fn fill(&self, key: &Key, obj: Object) -> Result<Object, StorageError> {
        let meta = obj.meta.clone();
        let tmp = self.spool_file().await?;
        let mut out = tokio::fs::File::create(&tmp)
            .await
            .map_err(|e| StorageError::io("cache", key.as_str(), e))?;
        let mut hash = Sha256::new();
        let copied = match obj.body {
            Body::Bytes(b) => {
                hash.update(&b);
                out.write_all(&b).await.map(|()| b.len() as u64)
            }
            body => copy_hashing(body.into_reader().take(meta.size), &mut out, &mut hash).await,
        };
        let flushed = out.flush().await;
        drop(out);
        let failed = match (copied, flushed) {
            (Ok(n), Ok(())) if n == meta.size => {
                // An object store records the content's SHA-256 in its entity tag: a
                // copy that does not match is corrupt, and is neither kept nor served.
                let got = crate::object::etag_of_sha(&hex(&hash.finalize()));
                (meta.etag.starts_with("\"sha256-") && got != meta.etag).then(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("content hashes to {got}, the store recorded {}", meta.etag),
                    )
                })
            }
            (Err(e), _) | (_, Err(e)) => Some(e),
            (Ok(n), _) => Some(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{n} of {} bytes", meta.size),
            )),
        };
        if let Some(e) = failed {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(StorageError::io("read", key.as_str(), e));
        }
        self.keep(key, tmp, &meta).await;
        if let Some(obj) = self.local_get(key).await {
            return Ok(obj);
        }
        // Not kept, or already evicted by a concurrent reader: read the primary again.
        self.primary.get(key).await?.ok_or_else(|| {
            StorageError::io(
                "read",
                key.as_str(),
                io::Error::new(io::ErrorKind::NotFound, "deleted while being read"),
            )
        })
    }

    async fn spool_file(&self) -> Result<PathBuf, StorageError> {
        let staging = self.local.spool_dir().to_owned();
        blocking(move || {
            let f = tempfile::Builder::new()
                .prefix(TEMP_PREFIX)
                .tempfile_in(&staging)?;
            f.into_temp_path().keep().map_err(|e| e.error)
        })
        .await
        .map_err(|e| StorageError::io("cache", "", e))
    }
}

#[async_trait]
impl Storage for LocalTier {
    async fn stat(&self, key: &Key) -> Result<Option<Meta>, StorageError> {
        if is_immutable(key)
            && let Some(meta) = self.0.local_meta(key).await
        {
            return Ok(Some(meta));
        }
        self.0.primary.stat(key).await
    }

    async fn get(&self, key: &Key) -> Result<Option<Object>, StorageError> {
        if !is_immutable(key) {
            return self.0.primary.get(key).await;
        }
        if let Some(obj) = self.0.local_get(key).await {
            self.0.report_read(true);
            return Ok(Some(obj));
        }
        let gate = {
            let mut fills = self.0.fills.lock().unwrap_or_else(|p| p.into_inner());
            fills.entry(key.clone()).or_default().clone()
        };
        let result = async {
            let _filling = gate.lock().await;
            // Another reader may have copied it in while this one waited.
            if let Some(obj) = self.0.local_get(key).await {
                self.0.report_read(true);
                return Ok(Some(obj));
            }
            self.0.report_read(false);
            match self.0.primary.get(key).await? {
                Some(obj) if obj.meta.size <= self.0.limit => self.0.fill(key, obj).await.map(Some),
                other => Ok(other),
            }
        }
        .await;
        let mut fills = self.0.fills.lock().unwrap_or_else(|p| p.into_inner());
        // The map and this reader hold the last references: nobody else waits.
        if Arc::strong_count(&gate) == 2 {
            fills.remove(key);
        }
        result
    }

    async fn get_range(
        &self,
        key: &Key,
        offset: u64,
        len: u64,
    ) -> Result<Option<Object>, StorageError> {
        if is_immutable(key)
            && let Some(meta) = self.0.local_meta(key).await
            && let Ok(Some(obj)) = self.0.local.get_range(key, offset, len).await
            && obj.meta.size == meta.size
        {
            self.0.report_read(true);
            return Ok(Some(Object {
                meta,
                body: obj.body,
            }));
        }
        self.0.primary.get_range(key, offset, len).await
    }

    async fn put_bytes(&self, key: &Key, data: Bytes) -> Result<Meta, StorageError> {
        let meta = self.0.primary.put_bytes(key, data.clone()).await?;
        if is_immutable(key) {
            let tmp = self.0.spool_file().await?;
            tokio::fs::write(&tmp, &data)
                .await
                .map_err(|e| StorageError::io("cache", key.as_str(), e))?;
            self.0.keep(key, tmp, &meta).await;
        } else {
            self.0.forget(key);
        }
        Ok(meta)
    }

    async fn upload(&self, key: &Key) -> Result<Box<dyn Upload>, StorageError> {
        let primary = self.0.primary.upload(key).await?;
        let copy = if is_immutable(key) {
            Some(self.0.spool_file().await?)
        } else {
            None
        };
        Ok(Box::new(TierUpload {
            tier: self.0.clone(),
            key: key.clone(),
            primary: Some(primary),
            copy,
        }))
    }

    async fn put_if_absent(&self, key: &Key, data: Bytes) -> Result<Conditional, StorageError> {
        self.0.forget(key);
        self.0.primary.put_if_absent(key, data).await
    }

    async fn compare_and_swap(
        &self,
        key: &Key,
        expected: Option<&str>,
        data: Bytes,
    ) -> Result<Conditional, StorageError> {
        self.0.forget(key);
        self.0.primary.compare_and_swap(key, expected, data).await
    }

    async fn list(&self, prefix: &Key) -> Result<Vec<Key>, StorageError> {
        self.0.primary.list(prefix).await
    }

    async fn list_all(&self) -> Result<Vec<Key>, StorageError> {
        self.0.primary.list_all().await
    }

    async fn delete(&self, key: &Key) -> Result<bool, StorageError> {
        let present = self.0.primary.delete(key).await?;
        self.0.forget(key);
        Ok(present)
    }

    async fn sweep(&self, older_than: Duration) -> Result<usize, StorageError> {
        Ok(self.0.primary.sweep(older_than).await? + self.0.local.sweep(older_than).await?)
    }

    async fn check_writable(&self) -> Result<(), StorageError> {
        self.0.primary.check_writable().await?;
        self.0.local.check_writable().await
    }

    fn describe(&self) -> String {
        format!(
            "{} (local tier {})",
            self.0.primary.describe(),
            self.0.local.root().display()
        )
    }

    fn local_spool(&self) -> Option<PathBuf> {
        self.0
            .primary
            .local_spool()
            .or_else(|| Some(self.0.local.spool_dir().to_owned()))
    }
}

/// An upload to the primary that also keeps a local copy of an immutable file,
/// taken into the tier once the primary has committed.
struct TierUpload {
    tier: Arc<Inner>,
    key: Key,
    primary: Option<Box<dyn Upload>>,
    /// The local copy being written (immutable keys only).
    copy: Option<PathBuf>,
}

impl Drop for TierUpload {
    fn drop(&mut self) {
        if let Some(copy) = self.copy.take() {
            let _ = std::fs::remove_file(copy);
        }
    }
}

impl TierUpload {
    fn primary(&mut self) -> Result<&mut Box<dyn Upload>, StorageError> {
        self.primary.as_mut().ok_or_else(|| {
            StorageError::io(
                "upload",
                self.key.as_str(),
                io::Error::other("upload ended"),
            )
        })
    }
}

#[async_trait]
impl Upload for TierUpload {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        if let Some(copy) = self.copy.clone() {
            append_chunk(copy, chunk.clone())
                .await
                .map_err(|e| StorageError::io("cache", self.key.as_str(), e))?;
        }
        self.primary()?.write(chunk).await
    }

    async fn write_file(&mut self, path: PathBuf) -> Result<(), StorageError> {
        if let Some(copy) = self.copy.clone() {
            // The primary may take `path` over: keep the local copy first (a hard
            // link on the same filesystem, else a copy).
            let src = path.clone();
            blocking(move || {
                let empty = std::fs::metadata(&copy)?.len() == 0;
                if empty {
                    std::fs::remove_file(&copy)?;
                    if std::fs::hard_link(&src, &copy).is_ok() {
                        return Ok(());
                    }
                }
                let mut out = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&copy)?;
                io::copy(&mut std::fs::File::open(&src)?, &mut out)?;
                Ok(())
            })
            .await
            .map_err(|e| StorageError::io("cache", self.key.as_str(), e))?;
        }
        self.primary()?.write_file(path).await
    }

    async fn commit(mut self: Box<Self>) -> Result<Meta, StorageError> {
        let primary = self.primary.take().ok_or_else(|| {
            StorageError::io(
                "commit",
                self.key.as_str(),
                io::Error::other("upload ended"),
            )
        })?;
        let meta = primary.commit().await?;
        match self.copy.take() {
            Some(copy) => {
                self.tier.keep(&self.key, copy, &meta).await;
            }
            None => self.tier.forget(&self.key),
        }
        Ok(meta)
    }

    async fn abort(mut self: Box<Self>) -> Result<(), StorageError> {
        if let Some(copy) = self.copy.take() {
            let _ = tokio::fs::remove_file(copy).await;
        }
        match self.primary.take() {
            Some(p) => p.abort().await,
            None => Ok(()),
        }
    }
}

fn format_meta(meta: &Meta) -> String {
    let nanos = meta
        .modified
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}\n{}\n{nanos}\n", meta.size, meta.etag)
}

fn parse_meta(text: &str) -> Option<Meta> {
    let mut lines = text.lines();
    let size = lines.next()?.parse().ok()?;
    let etag = lines.next()?.to_owned();
    let nanos: u128 = lines.next()?.parse().ok()?;
    let modified = SystemTime::UNIX_EPOCH
        + Duration::new(
            u64::try_from(nanos / 1_000_000_000).ok()?,
            (nanos % 1_000_000_000) as u32,
        );
    Some(Meta {
        size,
        modified,
        etag,
    })
}

/// Collects (key, size, modified) of the tier's files (hidden names skipped).
fn walk(root: &Path, dir: &Path, out: &mut Vec<(Key, u64, SystemTime)>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let ft = entry.file_type()?;
        if ft.is_dir() {
            walk(root, &entry.path(), out)?;
        } else if ft.is_file() {
            let path = entry.path();
            let Some(rel) = path.strip_prefix(root).ok().and_then(|p| p.to_str()) else {
                continue;
            };
            let Ok(key) = Key::new(rel) else { continue };
            let md = entry.metadata()?;
            out.push((
                key,
                md.len(),
                md.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            ));
        }
    }
    Ok(())
}

/// Copies `r` to `out`, hashing what passes; returns the bytes copied.
async fn copy_hashing(
    mut r: impl tokio::io::AsyncRead + Unpin,
    out: &mut tokio::fs::File,
    hash: &mut Sha256,
) -> io::Result<u64> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        let m = r.read(&mut buf).await?;
        if m == 0 {
            return Ok(n);
        }
        hash.update(&buf[..m]);
        out.write_all(&buf[..m]).await?;
        n += m as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immutable_keys() {
        let yes = [
            "golang.org/x/mod/@v/v0.1.0.zip",
            "golang.org/x/mod/@v/v0.1.0.mod",
            "golang.org/x/mod/@v/v0.1.0.ziphash",
            "golang.org/x/mod/@v/v0.1.0.info",
            "github.com/!azure/a/@v/v1.0.0-!r!c1.info",
            "example.com/m/@v/v0.0.0-20240101000000-abcdefabcdef.info",
            "example.com/m/@v/v2.0.0+incompatible.info",
            "sumdb/sum.golang.org/lookup/golang.org/x/mod@v0.1.0",
            "sumdb/sum.golang.org/tile/8/0/001",
            "sumdb/sum.golang.org/tile/8/1/x001/234",
        ];
        let no = [
            "golang.org/x/mod/@v/list",
            "golang.org/x/mod/@latest",
            "golang.org/x/mod/@v/master.info",
            "golang.org/x/mod/@v/v1.info",
            "golang.org/x/mod/@v/v1.2.info",
            "golang.org/x/mod/@v/v01.2.3.info",
            "golang.org/x/mod/@v/v1.2.3+meta.info",
            "sumdb/sum.golang.org/latest",
            "sumdb/sum.golang.org/modgate-trusted-tree",
            "sumdb/sum.golang.org/tile/8/0/001.p/17",
            "vuln/index/modules.json.gz",
            "vuln/ID/GO-2023-0001.json",
            "modgate-probe/1-2",
        ];
        for k in yes {
            assert!(is_immutable(&Key::new(k).unwrap()), "{k}");
        }
        for k in no {
            assert!(!is_immutable(&Key::new(k).unwrap()), "{k}");
        }
    }

    #[test]
    fn meta_round_trips() {
        let m = Meta {
            size: 12,
            modified: SystemTime::UNIX_EPOCH + Duration::new(1_700_000_000, 123),
            etag: "\"sha256-ab\"".into(),
        };
        assert_eq!(parse_meta(&format_meta(&m)), Some(m));
        assert_eq!(parse_meta("x"), None);
    }

    #[test]
    fn index_evicts_least_recently_used() {
        let k = |s: &str| Key::new(s).unwrap();
        let mut ix = Index::default();
        ix.insert(k("a"), 10, None);
        ix.insert(k("b"), 10, None);
        ix.insert(k("c"), 10, None);
        assert_eq!(ix.touch(&k("a")), Some(None));
        assert_eq!(ix.touch(&k("zz")), None);
        assert_eq!(ix.evict(20), vec![k("b")]);
        assert_eq!(ix.used, 20);
        ix.insert(k("c"), 5, None); // replaced: counted once
        assert_eq!(ix.used, 15);
        assert_eq!(ix.evict(0), vec![k("a"), k("c")]);
        assert!(ix.entries.is_empty() && ix.by_use.is_empty());
    }
}
