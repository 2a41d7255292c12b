//! The double-written backup: a [`Storage`] that writes every object to a primary
//! and a backup store, reads from the backup when the primary misses or fails, and
//! keeps a durable queue of the copies still owed to either side.
//!
//! * **Writes.** `put_bytes` writes both stores at once. An upload goes to the
//!   primary (to the backup when the primary cannot start one, or cannot commit a
//!   file handed over whole: a hard link to it is kept until the commit); once committed, a
//!   queue entry owing the other store a copy is written *before* the commit returns,
//!   and the retry task streams the copy (never a whole zip in memory). A write fails
//!   only when neither store took it, or when the copy owed cannot be queued: a
//!   write that one store holds and the queue remembers survives a crash of this
//!   process and an outage of the other store. With the primary down, writes land on
//!   the backup and drain to the primary when it is back.
//! * **Conditional writes** (`put_if_absent`, `compare_and_swap`: the trusted
//!   checksum-database tree) are decided by the primary alone; the backup gets a copy.
//! * **Reads.** A miss or an error on the primary is answered from the backup (a
//!   list is the union of both). When the primary answered "absent", a key that
//!   [`Mirrored::with_repairable`] says is immutable (verified module files,
//!   checksum-database tiles) is copied back to it in the background; a mutable one
//!   (a list, `@latest`) is not, since a copy would look freshly written.
//! * **A slow or failing backup** never holds a request for long: a request waits at
//!   most the backup timeout (10 s) for it, and for 5 s after a failure requests skip
//!   it (writes are queued at once, a primary miss is a miss). The retry task keeps
//!   trying meanwhile.
//! * **The queue** is a directory of small files, one per key and direction, each
//!   written atomically (temporary file, fsync, rename). It is loaded when the
//!   [`Mirrored`] is built, so entries survive a restart; [`Mirrored::spawn_retry`]
//!   drains it with exponential backoff. An entry whose source copy is gone is
//!   dropped with a warning.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::{Body, Conditional, Key, Meta, Object, Storage, StorageError, TEMP_PREFIX, Upload};

/// Which store a queued copy is owed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Primary,
    Backup,
}

impl Side {
    fn word(self) -> &'static str {
        match self {
            Side::Primary => "to-primary",
            Side::Backup => "to-backup",
        }
    }

    fn parse(s: &str) -> Option<Side> {
        match s {
            "to-primary" => Some(Side::Primary),
            "to-backup" => Some(Side::Backup),
            _ => None,
        }
    }
}

/// Counters of what the mirror did, for metrics.
#[derive(Debug, Default)]
pub struct MirrorStats {
    /// Writes to the backup that failed (and were queued).
    pub backup_write_failures: AtomicU64,
    /// Writes to the primary that failed while the backup took them (queued).
    pub primary_write_failures: AtomicU64,
    /// Queued copies attempted again by the retry task.
    pub retries: AtomicU64,
    /// Reads answered from the backup.
    pub backup_reads: AtomicU64,
    /// Objects copied back to the primary from the backup after a read missed.
    pub repairs: AtomicU64,
}

/// Whether a key may be copied back to the primary blindly (it is immutable).
pub type Repairable = Arc<dyn Fn(&Key) -> bool + Send + Sync>;

/// Delays of the retry task.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(1),
            max: Duration::from_secs(300),
        }
    }
}

/// A primary store, a backup store, and the copies owed between them.
pub struct Mirrored {
    primary: Arc<dyn Storage>,
    backup: Arc<dyn Storage>,
    queue: Arc<Queue>,
    repairable: Repairable,
    repairing: Arc<Mutex<HashSet<Key>>>,
    stats: Arc<MirrorStats>,
    backoff: Backoff,
    /// How long a request waits for the backup.
    backup_timeout: Duration,
    /// When the backup last failed a request's read or write.
    backup_failed: Mutex<Option<Instant>>,
}

/// The longest one queued copy may take (a large zip over a slow link).
const COPY_TIMEOUT: Duration = Duration::from_secs(900);

/// How long requests skip a backup that just failed (the retry task keeps trying).
const BACKUP_REST: Duration = Duration::from_secs(5);

impl Mirrored {
    /// Mirrors `primary` to `backup`, keeping owed copies in the directory
    /// `queue_dir` (created if needed; entries already there are loaded). No key is
    /// repaired until [`Mirrored::with_repairable`] says which may be.
    pub fn open(
        primary: Arc<dyn Storage>,
        backup: Arc<dyn Storage>,
        queue_dir: impl AsRef<Path>,
    ) -> io::Result<Mirrored> {
        Ok(Mirrored {
            primary,
            backup,
            queue: Arc::new(Queue::open(queue_dir.as_ref())?),
            repairable: Arc::new(|_| false),
            repairing: Arc::default(),
            stats: Arc::default(),
            backoff: Backoff::default(),
            backup_timeout: Duration::from_secs(10),
            backup_failed: Mutex::new(None),
        })
    }

    /// Which keys are immutable, so a copy found only on the backup may be written
    /// back to the primary as it is.
    pub fn with_repairable(mut self, f: impl Fn(&Key) -> bool + Send + Sync + 'static) -> Self {
        self.repairable = Arc::new(f);
        self
    }

    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// How long a request waits for the backup before going on without it (default
    /// 10 s; a write it gave up on is queued).
    pub fn with_backup_timeout(mut self, timeout: Duration) -> Self {
        self.backup_timeout = timeout;
        self
    }

    pub fn primary(&self) -> &Arc<dyn Storage> {
        &self.primary
    }

    pub fn backup(&self) -> &Arc<dyn Storage> {
        &self.backup
    }

    pub fn stats(&self) -> &Arc<MirrorStats> {
        &self.stats
    }

    /// How many copies are owed.
    pub fn queue_depth(&self) -> usize {
        self.queue.entries.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// How long the oldest owed copy has waited (zero when none is).
    pub fn queue_oldest_age(&self) -> Duration {
        let oldest = self
            .queue
            .entries
            .lock()
            .ok()
            .and_then(|m| m.values().map(|e| e.created).min());
        oldest
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .unwrap_or_default()
    }

    /// The owed copies: (store owed, key).
    pub fn queued(&self) -> Vec<(Side, Key)> {
        let mut v: Vec<_> = self
            .queue
            .entries
            .lock()
            .map(|m| m.values().map(|e| (e.side, e.key.clone())).collect())
            .unwrap_or_default();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    }

    /// Starts the task that drains the queue (stop it by aborting the handle).
    pub fn spawn_retry(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let wait = this.drain_due().await;
                let _ = tokio::time::timeout(wait, this.queue.notify.notified()).await;
            }
        })
    }

    /// Attempts every owed copy once, whatever its backoff; returns how many remain.
    pub async fn drain_once(&self) -> usize {
        for (name, _) in self.queue.snapshot(None) {
            self.attempt(&name).await;
        }
        self.queue_depth()
    }

    /// Attempts the copies that are due, oldest first; returns how long until the next
    /// one is. A failure ends the pass and waits out its backoff: it almost always
    /// means a store is down, and trying every other entry against it would only wait
    /// for as many timeouts.
    async fn drain_due(&self) -> Duration {
        for (name, _) in self.queue.snapshot(Some(Instant::now())) {
            if let Some(delay) = self.attempt(&name).await {
                return delay;
            }
        }
        self.queue.next_due().map_or(self.backoff.max, |t| {
            t.saturating_duration_since(Instant::now())
        })
    }

    /// Attempts one owed copy; on failure, the backoff it was given.
    async fn attempt(&self, name: &str) -> Option<Duration> {
        let (side, key, seq, attempts) = self.queue.get(name)?;
        if attempts > 0 {
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
        }
        let (from, to) = match side {
            Side::Backup => (&self.primary, &self.backup),
            Side::Primary => (&self.backup, &self.primary),
        };
        let copied = tokio::time::timeout(COPY_TIMEOUT, copy(from.as_ref(), to.as_ref(), &key))
            .await
            .unwrap_or_else(|_| {
                Err(StorageError::io(
                    "copy",
                    key.as_str(),
                    io::Error::new(io::ErrorKind::TimedOut, "the copy took too long"),
                ))
            });
        match copied {
            Ok(true) => {
                self.queue.done(name, seq).await;
                None
            }
            Ok(false) => {
                tracing::warn!(key = %key, owed = side.word(), "queued copy dropped: the source no longer has it");
                self.queue.done(name, seq).await;
                None
            }
            Err(e) => {
                let delay = self
                    .backoff
                    .first
                    .saturating_mul(1 << attempts.min(20))
                    .min(self.backoff.max);
                tracing::warn!(key = %key, owed = side.word(), error = %e, retry_in = ?delay, "queued copy failed");
                self.queue.failed(name, seq, Instant::now() + delay);
                Some(delay)
            }
        }
    }

    /// Owes `side` a copy of `key` (durably), and wakes the retry task.
    async fn owe(&self, side: Side, key: &Key) -> Result<(), StorageError> {
        self.queue
            .push(side, key)
            .await
            .map_err(|e| StorageError::io("queue", key.as_str(), e))?;
        self.queue.notify.notify_one();
        Ok(())
    }

    /// The outcome of a write to both stores: fine when the primary took it (a failed
    /// backup is owed a copy), or when the backup did and the primary is owed one.
    async fn settle(
        &self,
        key: &Key,
        primary: Result<Meta, StorageError>,
        backup: Result<Meta, StorageError>,
    ) -> Result<Meta, StorageError> {
        match (primary, backup) {
            (Ok(m), Ok(_)) => Ok(m),
            (Ok(m), Err(e)) => {
                self.stats
                    .backup_write_failures
                    .fetch_add(1, Ordering::Relaxed);
                tracing::warn!(key = %key, error = %e, "backup write failed: queued");
                self.owe(Side::Backup, key).await?;
                Ok(m)
            }
            (Err(e), Ok(m)) => {
                self.stats
                    .primary_write_failures
                    .fetch_add(1, Ordering::Relaxed);
                tracing::warn!(key = %key, error = %e, "primary write failed, backup took it: queued");
                self.owe(Side::Primary, key).await.map_err(|_| e)?;
                Ok(m)
            }
            (Err(e), Err(_)) => Err(e),
        }
    }

    /// Whether the backup failed within [`BACKUP_REST`]: requests then skip it.
    fn backup_down(&self) -> bool {
        self.backup_failed
            .lock()
            .ok()
            .and_then(|t| *t)
            .is_some_and(|t| t.elapsed() < BACKUP_REST)
    }

    fn mark_backup_down(&self) {
        if let Ok(mut t) = self.backup_failed.lock() {
            *t = Some(Instant::now());
        }
    }

    /// Answers a read the primary missed (`Ok(None)`) or failed from the backup,
    /// repairing the primary when the key may be repaired blindly.
    async fn fallback<T>(
        &self,
        key: &Key,
        primary: Result<Option<T>, StorageError>,
        backup: impl Future<Output = Result<Option<T>, StorageError>>,
    ) -> Result<Option<T>, StorageError> {
        let primary_err = match primary {
            Ok(Some(v)) => return Ok(Some(v)),
            Ok(None) => None,
            Err(e) => Some(e),
        };
        // A miss is the usual start of a fill: a backup known to be down, or slow,
        // must not delay it. A primary that failed is worth the wait.
        if primary_err.is_none() && self.backup_down() {
            return Ok(None);
        }
        let backup = match tokio::time::timeout(self.backup_timeout, backup).await {
            Ok(r) => r,
            Err(_) => Err(StorageError::io(
                "read",
                key.as_str(),
                io::Error::new(io::ErrorKind::TimedOut, "the backup did not answer in time"),
            )),
        };
        if backup.is_err() {
            self.mark_backup_down();
        }
        match (backup, primary_err) {
            (Ok(Some(v)), e) => {
                self.stats.backup_reads.fetch_add(1, Ordering::Relaxed);
                match &e {
                    Some(e) => {
                        // A failing primary is not repaired read by read (writes owed
                        // to it are queued); a later read that finds it absent is.
                        tracing::warn!(key = %key, error = %e, "primary read failed: served from the backup");
                    }
                    None => self.repair(key),
                }
                Ok(Some(v))
            }
            (Ok(None), None) => Ok(None),
            (Ok(None), Some(e)) => {
                // Neither has it as far as can be known: a miss, so the file is
                // fetched (and verified) again rather than the request failing.
                tracing::warn!(key = %key, error = %e, "primary read failed, the backup has no copy: a miss");
                Ok(None)
            }
            (Err(_), Some(e)) => Err(e),
            (Err(e), None) => {
                // The primary answered "absent"; a broken backup does not change that.
                tracing::warn!(key = %key, error = %e, "backup read failed");
                Ok(None)
            }
        }
    }

    /// Copies `key` from the backup to the primary in the background, once at a time.
    fn repair(&self, key: &Key) {
        if !(self.repairable)(key) {
            return;
        }
        if !self
            .repairing
            .lock()
            .map(|mut s| s.insert(key.clone()))
            .unwrap_or(false)
        {
            return;
        }
        let (primary, backup) = (self.primary.clone(), self.backup.clone());
        let (repairing, stats, key) = (self.repairing.clone(), self.stats.clone(), key.clone());
        tokio::spawn(async move {
            // The primary may have failed rather than missed: leave it if it has it.
            let result = match primary.stat(&key).await {
                Ok(Some(_)) => Ok(false),
                _ => copy(backup.as_ref(), primary.as_ref(), &key).await,
            };
            match result {
                Ok(true) => {
                    stats.repairs.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(key = %key, "primary repaired from the backup");
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(key = %key, error = %e, "repairing the primary failed"),
            }
            if let Ok(mut s) = repairing.lock() {
                s.remove(&key);
            }
        });
    }
}

/// Copies `key` from `from` to `to`, streaming; `false` if `from` does not have it.
pub async fn copy(from: &dyn Storage, to: &dyn Storage, key: &Key) -> Result<bool, StorageError> {
    let Some(obj) = from.get(key).await? else {
        return Ok(false);
    };
    let size = obj.meta.size;
    match obj.body {
        Body::Bytes(b) => {
            to.put_bytes(key, b).await?;
        }
        body => {
            let mut r = body.into_reader().take(size);
            let mut up = to.upload(key).await?;
            let mut copied = 0u64;
            loop {
                let mut buf = vec![0u8; 256 * 1024];
                let n = r
                    .read(&mut buf)
                    .await
                    .map_err(|e| StorageError::io("read", key.as_str(), e))?;
                if n == 0 {
                    break;
                }
                buf.truncate(n);
                copied += n as u64;
                up.write(Bytes::from(buf)).await?;
            }
            if copied != size {
                let _ = up.abort().await;
                return Err(StorageError::io(
                    "read",
                    key.as_str(),
                    io::Error::new(io::ErrorKind::UnexpectedEof, "shorter than its size"),
                ));
            }
            up.commit().await?;
        }
    }
    Ok(true)
}

#[async_trait]
impl Storage for Mirrored {
    async fn stat(&self, key: &Key) -> Result<Option<Meta>, StorageError> {
        let p = self.primary.stat(key).await;
        self.fallback(key, p, self.backup.stat(key)).await
    }

    async fn get(&self, key: &Key) -> Result<Option<Object>, StorageError> {
        let p = self.primary.get(key).await;
        self.fallback(key, p, self.backup.get(key)).await
    }

    async fn get_range(
        &self,
        key: &Key,
        offset: u64,
        len: u64,
    ) -> Result<Option<Object>, StorageError> {
        let p = self.primary.get_range(key, offset, len).await;
        self.fallback(key, p, self.backup.get_range(key, offset, len))
            .await
    }

    async fn put_bytes(&self, key: &Key, data: Bytes) -> Result<Meta, StorageError> {
        let down = || {
            StorageError::io(
                "write",
                key.as_str(),
                io::Error::other("the backup failed moments ago: queued without trying"),
            )
        };
        let backup = async {
            if self.backup_down() {
                return Err(down());
            }
            match tokio::time::timeout(
                self.backup_timeout,
                self.backup.put_bytes(key, data.clone()),
            )
            .await
            {
                Ok(Ok(m)) => Ok(m),
                Ok(Err(e)) => {
                    self.mark_backup_down();
                    Err(e)
                }
                Err(_) => {
                    self.mark_backup_down();
                    Err(StorageError::io(
                        "write",
                        key.as_str(),
                        io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the backup did not answer in time",
                        ),
                    ))
                }
            }
        };
        let (p, b) = tokio::join!(self.primary.put_bytes(key, data.clone()), backup);
        self.settle(key, p, b).await
    }

    async fn upload(&self, key: &Key) -> Result<Box<dyn Upload>, StorageError> {
        let (inner, owed) = match self.primary.upload(key).await {
            Ok(u) => (u, Side::Backup),
            Err(e) => {
                tracing::warn!(key = %key, error = %e, "primary upload failed: writing to the backup");
                self.stats
                    .primary_write_failures
                    .fetch_add(1, Ordering::Relaxed);
                (self.backup.upload(key).await.map_err(|_| e)?, Side::Primary)
            }
        };
        Ok(Box::new(MirroredUpload {
            inner,
            key: key.clone(),
            owed,
            queue: self.queue.clone(),
            backup: self.backup.clone(),
            stats: self.stats.clone(),
            kept: None,
            chunks: false,
        }))
    }

    async fn put_if_absent(&self, key: &Key, data: Bytes) -> Result<Conditional, StorageError> {
        let c = self.primary.put_if_absent(key, data.clone()).await?;
        if matches!(c, Conditional::Written(_)) {
            let b = self.backup.put_bytes(key, data).await;
            if let Err(e) = b {
                self.settle(key, Ok(placeholder()), Err(e)).await?;
            }
        }
        Ok(c)
    }

    async fn compare_and_swap(
        &self,
        key: &Key,
        expected: Option<&str>,
        data: Bytes,
    ) -> Result<Conditional, StorageError> {
        let c = self
            .primary
            .compare_and_swap(key, expected, data.clone())
            .await?;
        if matches!(c, Conditional::Written(_)) {
            let b = self.backup.put_bytes(key, data).await;
            if let Err(e) = b {
                self.settle(key, Ok(placeholder()), Err(e)).await?;
            }
        }
        Ok(c)
    }

    /// The union of both stores' keys: an object on either one can be read.
    async fn list(&self, prefix: &Key) -> Result<Vec<Key>, StorageError> {
        let (p, b) = tokio::join!(self.primary.list(prefix), self.backup.list(prefix));
        match (p, b) {
            (Ok(mut p), Ok(b)) => {
                p.extend(b);
                p.sort();
                p.dedup();
                Ok(p)
            }
            (Ok(p), Err(e)) => {
                tracing::warn!(prefix = %prefix, error = %e, "backup list failed");
                Ok(p)
            }
            (Err(e), Ok(b)) => {
                tracing::warn!(prefix = %prefix, error = %e, "primary list failed: listing the backup");
                self.stats.backup_reads.fetch_add(1, Ordering::Relaxed);
                Ok(b)
            }
            (Err(e), Err(_)) => Err(e),
        }
    }

    async fn list_all(&self) -> Result<Vec<Key>, StorageError> {
        let (mut p, b) = tokio::join!(self.primary.list_all(), self.backup.list_all());
        if let (Ok(p), Ok(b)) = (&mut p, b) {
            p.extend(b);
            p.sort();
            p.dedup();
        }
        p
    }

    async fn delete(&self, key: &Key) -> Result<bool, StorageError> {
        let (p, b) = tokio::join!(self.primary.delete(key), self.backup.delete(key));
        match (p, b) {
            (Ok(p), Ok(b)) => Ok(p || b),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    }

    async fn sweep(&self, older_than: Duration) -> Result<usize, StorageError> {
        let p = self.primary.sweep(older_than).await?;
        let b = self.backup.sweep(older_than).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "sweeping the backup");
            0
        });
        Ok(p + b)
    }

    /// Writable when either store is: writes then land there and are owed to the other.
    async fn check_writable(&self) -> Result<(), StorageError> {
        match self.primary.check_writable().await {
            Ok(()) => Ok(()),
            Err(e) => self.backup.check_writable().await.map_err(|_| e),
        }
    }

    fn local_spool(&self) -> Option<PathBuf> {
        self.primary.local_spool()
    }

    fn describe(&self) -> String {
        format!(
            "{} (backup {})",
            self.primary.describe(),
            self.backup.describe()
        )
    }
}

/// Meta for a write whose result is not used.
fn placeholder() -> Meta {
    Meta {
        size: 0,
        modified: SystemTime::UNIX_EPOCH,
        etag: String::new(),
    }
}

/// An upload to one store; on commit, a copy is owed to the other.
struct MirroredUpload {
    inner: Box<dyn Upload>,
    key: Key,
    owed: Side,
    queue: Arc<Queue>,
    backup: Arc<dyn Storage>,
    stats: Arc<MirrorStats>,
    /// A hard link to the file handed to the primary's upload, so that a commit the
    /// primary fails can still go to the backup (an object store's upload fails only
    /// when it is committed).
    kept: Option<PathBuf>,
    /// Whether content came as chunks (then nothing is kept).
    chunks: bool,
}

/// Names the hard links [`MirroredUpload`] keeps (hidden temporary files, swept
/// with the others if a process dies holding one).
static KEPT: AtomicU64 = AtomicU64::new(0);

impl MirroredUpload {
    fn forget_kept(&mut self) {
        if let Some(p) = self.kept.take() {
            let _ = std::fs::remove_file(p);
        }
    }

    /// Commits the kept file to the backup instead, owing the primary a copy.
    async fn commit_to_backup(&mut self, kept: PathBuf) -> Result<Meta, StorageError> {
        let mut up = self.backup.upload(&self.key).await?;
        up.write_file(kept).await?;
        let meta = up.commit().await?;
        self.queue
            .push(Side::Primary, &self.key)
            .await
            .map_err(|e| StorageError::io("queue", self.key.as_str(), e))?;
        self.queue.notify.notify_one();
        Ok(meta)
    }
}

impl Drop for MirroredUpload {
    fn drop(&mut self) {
        self.forget_kept();
    }
}

#[async_trait]
impl Upload for MirroredUpload {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        self.chunks = true;
        self.forget_kept();
        self.inner.write(chunk).await
    }

    async fn write_file(&mut self, path: PathBuf) -> Result<(), StorageError> {
        if self.owed == Side::Backup && !self.chunks && self.kept.is_none() {
            let name = format!(
                "{}mirror-{}-{}",
                TEMP_PREFIX,
                std::process::id(),
                KEPT.fetch_add(1, Ordering::Relaxed)
            );
            let link = path.with_file_name(name);
            if std::fs::hard_link(&path, &link).is_ok() {
                self.kept = Some(link);
            }
        } else {
            self.forget_kept();
        }
        self.inner.write_file(path).await
    }

    async fn commit(mut self: Box<Self>) -> Result<Meta, StorageError> {
        let inner = std::mem::replace(&mut self.inner, Box::new(Ended));
        let meta = match inner.commit().await {
            Ok(meta) => meta,
            Err(e) => {
                let Some(kept) = self.kept.clone() else {
                    return Err(e);
                };
                tracing::warn!(key = %self.key, error = %e, "primary commit failed: writing to the backup");
                self.stats
                    .primary_write_failures
                    .fetch_add(1, Ordering::Relaxed);
                let meta = self.commit_to_backup(kept).await.map_err(|_| e)?;
                self.forget_kept();
                return Ok(meta);
            }
        };
        self.forget_kept();
        // Queued before the commit is reported: a crash now still owes the copy.
        self.queue
            .push(self.owed, &self.key)
            .await
            .map_err(|e| StorageError::io("queue", self.key.as_str(), e))?;
        self.queue.notify.notify_one();
        Ok(meta)
    }

    async fn abort(mut self: Box<Self>) -> Result<(), StorageError> {
        self.forget_kept();
        let inner = std::mem::replace(&mut self.inner, Box::new(Ended));
        inner.abort().await
    }
}

/// The place of an upload already committed or aborted.
struct Ended;

#[async_trait]
impl Upload for Ended {
    async fn write(&mut self, _: Bytes) -> Result<(), StorageError> {
        Err(ended())
    }

    async fn commit(self: Box<Self>) -> Result<Meta, StorageError> {
        Err(ended())
    }

    async fn abort(self: Box<Self>) -> Result<(), StorageError> {
        Ok(())
    }
}

fn ended() -> StorageError {
    StorageError::io("upload", "", io::Error::other("upload already ended"))
}

/// One owed copy.
struct Entry {
    side: Side,
    key: Key,
    /// When it was first queued (the file's modification time after a restart).
    created: SystemTime,
    /// Bumped when the same copy is owed again, so a copy that started before the
    /// newer write does not clear it.
    seq: u64,
    attempts: u32,
    due: Instant,
}

/// The durable queue: `<dir>/<sha256 of side and key>` holding `<side>\n<key>\n`.
struct Queue {
    dir: PathBuf,
    entries: Mutex<HashMap<String, Entry>>,
    seq: AtomicU64,
    notify: tokio::sync::Notify,
}

impl Queue {
    fn open(dir: &Path) -> io::Result<Queue> {
        std::fs::create_dir_all(dir)?;
        let mut entries = HashMap::new();
        let now = Instant::now();
        for de in std::fs::read_dir(dir)? {
            let de = de?;
            let name = de.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                // A temporary file of a write that did not finish.
                let _ = std::fs::remove_file(de.path());
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(de.path())?).into_owned();
            let mut lines = text.lines();
            let parsed = lines
                .next()
                .and_then(Side::parse)
                .zip(lines.next().and_then(|k| Key::new(k).ok()));
            let Some((side, key)) = parsed.filter(|(s, k)| entry_name(*s, k) == name) else {
                tracing::warn!(file = %de.path().display(), "ignoring a file that is not a backup queue entry");
                continue;
            };
            let created = de
                .metadata()?
                .modified()
                .unwrap_or_else(|_| SystemTime::now());
            entries.insert(
                name,
                Entry {
                    side,
                    key,
                    created,
                    seq: 0,
                    attempts: 0,
                    due: now,
                },
            );
        }
        Ok(Queue {
            dir: dir.to_owned(),
            entries: Mutex::new(entries),
            seq: AtomicU64::new(1),
            notify: tokio::sync::Notify::new(),
        })
    }

    async fn push(self: &Arc<Self>, side: Side, key: &Key) -> io::Result<()> {
        let this = self.clone();
        let key = key.clone();
        tokio::task::spawn_blocking(move || {
            let name = entry_name(side, &key);
            let seq = this.seq.fetch_add(1, Ordering::Relaxed);
            let mut entries = this
                .entries
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?;
            if let Some(e) = entries.get_mut(&name) {
                e.seq = seq;
                e.attempts = 0;
                e.due = Instant::now();
                return Ok(());
            }
            let mut tmp = tempfile::Builder::new()
                .prefix(TEMP_PREFIX)
                .tempfile_in(&this.dir)?;
            write!(tmp, "{}\n{}\n", side.word(), key)?;
            tmp.as_file().sync_all()?;
            tmp.persist(this.dir.join(&name)).map_err(|e| e.error)?;
            std::fs::File::open(&this.dir)?.sync_all()?;
            entries.insert(
                name,
                Entry {
                    side,
                    key,
                    created: SystemTime::now(),
                    seq,
                    attempts: 0,
                    due: Instant::now(),
                },
            );
            Ok(())
        })
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)))
    }

    /// Entry names due by `now` (all with `None`), oldest first.
    fn snapshot(&self, now: Option<Instant>) -> Vec<(String, SystemTime)> {
        let mut v: Vec<_> = self
            .entries
            .lock()
            .map(|m| {
                m.iter()
                    .filter(|(_, e)| now.is_none_or(|n| e.due <= n))
                    .map(|(n, e)| (n.clone(), e.created))
                    .collect()
            })
            .unwrap_or_default();
        v.sort_by_key(|(_, t)| *t);
        v
    }

    fn next_due(&self) -> Option<Instant> {
        self.entries
            .lock()
            .ok()
            .and_then(|m| m.values().map(|e| e.due).min())
    }

    fn get(&self, name: &str) -> Option<(Side, Key, u64, u32)> {
        let m = self.entries.lock().ok()?;
        m.get(name)
            .map(|e| (e.side, e.key.clone(), e.seq, e.attempts))
    }

    fn failed(&self, name: &str, seq: u64, due: Instant) {
        if let Ok(mut m) = self.entries.lock()
            && let Some(e) = m.get_mut(name)
            && e.seq == seq
        {
            e.attempts += 1;
            e.due = due;
        }
    }

    /// Removes a copied entry, unless it was owed again since `seq`.
    async fn done(self: &Arc<Self>, name: &str, seq: u64) {
        let (this, name) = (self.clone(), name.to_owned());
        let r = tokio::task::spawn_blocking(move || {
            let mut m = this
                .entries
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?;
            if m.get(&name).is_some_and(|e| e.seq == seq) {
                m.remove(&name);
                match std::fs::remove_file(this.dir.join(&name)) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
            Ok(())
        })
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)));
        if let Err(e) = r {
            tracing::warn!(error = %e, "removing a backup queue entry");
        }
    }
}

fn entry_name(side: Side, key: &Key) -> String {
    let mut h = Sha256::new();
    h.update(side.word().as_bytes());
    h.update(b"\n");
    h.update(key.as_str().as_bytes());
    crate::fs::hex(&h.finalize())
}

#[cfg(test)]
mod tests;
