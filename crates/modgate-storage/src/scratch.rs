//! A throwaway store for one command's run (`modgate audit`, `update`, `warm`).
//!
//! Nothing in it outlives the process, so nothing needs to reach a disk in the
//! store's layout: small objects (`.info`, `.mod`, lists) stay in memory, up to a
//! budget, and the rest are files in the spool directory, removed when their object
//! is replaced or deleted (and the directory with the store's owner). A spooled file
//! handed to [`Upload::write_file`] (the upstream client spools every zip) is taken
//! over where it lies. Files are opened per read, so a store of thousands of zips
//! holds no descriptors.
//!
//! Why not the directory tree with its fsyncs skipped: an audit of a 300-module graph
//! writes about 1,500 files, and on a busy disk their creation and renames alone cost
//! more than fetching them from a warm proxy.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};

use crate::{Body, Conditional, FileRange, Key, Meta, Object, Storage, StorageError, Upload};

/// The default limits: objects up to 1 MiB in memory, 64 MiB in all.
pub const DEFAULT_OBJECT_LIMIT: u64 = 1 << 20;
pub const DEFAULT_MEMORY_BUDGET: u64 = 64 << 20;

/// See the module documentation.
#[derive(Clone)]
pub struct ScratchStorage {
    inner: Arc<Inner>,
}

struct Inner {
    objects: Mutex<BTreeMap<Key, Stored>>,
    /// Where large objects are kept and callers spool.
    spool: PathBuf,
    /// Larger objects go to a file.
    object_limit: u64,
    memory_budget: u64,
    /// Bytes held in memory by stored objects.
    in_memory: AtomicU64,
    /// The entity tag counter: every write gets a new tag.
    writes: AtomicU64,
}

#[derive(Clone)]
struct Stored {
    meta: Meta,
    data: Data,
}

#[derive(Clone)]
enum Data {
    /// Bytes counted in `Inner::in_memory` (released when the last copy of the
    /// object is replaced or deleted, by [`ScratchStorage::release`]).
    Memory(Bytes),
    File(Arc<SpoolFile>),
}

/// A file in the spool directory that is removed when dropped.
struct SpoolFile(PathBuf);

impl Drop for SpoolFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl SpoolFile {
    /// A new empty file in `dir`.
    fn create(dir: &Path) -> io::Result<(SpoolFile, std::fs::File)> {
        let (file, path) = tempfile::Builder::new()
            .prefix(crate::TEMP_PREFIX)
            .tempfile_in(dir)?
            .keep()
            .map_err(|e| e.error)?;
        Ok((SpoolFile(path), file))
    }
}

impl ScratchStorage {
    /// A store spooling under `spool` (which must exist and be writable) with the
    /// default limits.
    pub fn new(spool: &Path) -> ScratchStorage {
        ScratchStorage::with_limits(spool, DEFAULT_OBJECT_LIMIT, DEFAULT_MEMORY_BUDGET)
    }

    /// Objects up to `object_limit` bytes kept in memory while the memory held stays
    /// within `memory_budget`; the rest in files under `spool`.
    pub fn with_limits(spool: &Path, object_limit: u64, memory_budget: u64) -> ScratchStorage {
        ScratchStorage {
            inner: Arc::new(Inner {
                objects: Mutex::new(BTreeMap::new()),
                spool: spool.to_owned(),
                object_limit,
                memory_budget,
                in_memory: AtomicU64::new(0),
                writes: AtomicU64::new(0),
            }),
        }
    }

    /// Bytes of objects held in memory.
    pub fn memory_held(&self) -> u64 {
        self.inner.in_memory.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Key, Stored>> {
        // Every change under the lock is one insert or remove: a panic elsewhere
        // cannot leave the map half changed.
        self.inner
            .objects
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn meta(&self, size: u64) -> Meta {
        let n = self.inner.writes.fetch_add(1, Ordering::Relaxed);
        Meta {
            size,
            modified: SystemTime::now(),
            etag: format!("\"scratch-{n}\""),
        }
    }

    /// Reserves memory for `len` bytes, if within the limits.
    fn reserve(&self, len: u64) -> bool {
        len <= self.inner.object_limit
            && self
                .inner
                .in_memory
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |held| {
                    held.checked_add(len)
                        .filter(|total| *total <= self.inner.memory_budget)
                })
                .is_ok()
    }

    /// Gives back the memory of content no longer stored.
    fn release(&self, data: &Data) {
        if let Data::Memory(b) = data {
            self.inner
                .in_memory
                .fetch_sub(b.len() as u64, Ordering::Relaxed);
        }
    }

    /// `data` as content to store: in memory when it fits (reserved), else a file.
    async fn hold(&self, key: &Key, data: Bytes) -> Result<Data, StorageError> {
        if self.reserve(data.len() as u64) {
            return Ok(Data::Memory(data));
        }
        let spool = self.inner.spool.clone();
        let file = blocking(key, "write", move || {
            let (spooled, mut f) = SpoolFile::create(&spool)?;
            f.write_all(&data)?;
            Ok(spooled)
        })
        .await?;
        Ok(Data::File(Arc::new(file)))
    }

    /// Makes `data` the object `key`, releasing what it replaces.
    fn insert(&self, key: &Key, meta: Meta, data: Data) {
        let old = self.lock().insert(key.clone(), Stored { meta, data });
        if let Some(old) = old {
            self.release(&old.data);
        }
    }

    fn lookup(&self, key: &Key) -> Option<Stored> {
        self.lock().get(key).cloned()
    }

    /// The body `offset..offset + len` of `s` (within its size).
    async fn body(
        &self,
        key: &Key,
        s: &Stored,
        offset: u64,
        len: u64,
    ) -> Result<Body, StorageError> {
        match &s.data {
            // Checked against the size, which is the bytes' length.
            Data::Memory(b) => Ok(Body::Bytes(
                b.slice(offset as usize..(offset + len) as usize),
            )),
            Data::File(f) => {
                // Opened while the object holds the file, so it cannot vanish first.
                let spooled = f.clone();
                let file = blocking(key, "open", move || std::fs::File::open(&spooled.0)).await?;
                Ok(Body::File(FileRange::new(Arc::new(file), offset, len)))
            }
        }
    }
}

async fn blocking<T: Send + 'static>(
    key: &Key,
    op: &'static str,
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)))
        .map_err(|e| StorageError::io(op, key.as_str(), e))
}

#[async_trait]
impl Storage for ScratchStorage {
    async fn stat(&self, key: &Key) -> Result<Option<Meta>, StorageError> {
        Ok(self.lookup(key).map(|s| s.meta))
    }

    async fn get(&self, key: &Key) -> Result<Option<Object>, StorageError> {
        let Some(s) = self.lookup(key) else {
            return Ok(None);
        };
        let body = self.body(key, &s, 0, s.meta.size).await?;
        Ok(Some(Object { meta: s.meta, body }))
    }

    async fn get_range(
        &self,
        key: &Key,
        offset: u64,
        len: u64,
    ) -> Result<Option<Object>, StorageError> {
        let Some(s) = self.lookup(key) else {
            return Ok(None);
        };
        if offset.checked_add(len).is_none_or(|end| end > s.meta.size) {
            return Err(StorageError::io(
                "read",
                key.as_str(),
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("range {offset}+{len} past the end ({} bytes)", s.meta.size),
                ),
            ));
        }
        let body = self.body(key, &s, offset, len).await?;
        Ok(Some(Object { meta: s.meta, body }))
    }

    async fn put_bytes(&self, key: &Key, data: Bytes) -> Result<Meta, StorageError> {
        let meta = self.meta(data.len() as u64);
        let data = self.hold(key, data).await?;
        self.insert(key, meta.clone(), data);
        Ok(meta)
    }

    async fn upload(&self, key: &Key) -> Result<Box<dyn Upload>, StorageError> {
        Ok(Box::new(ScratchUpload {
            store: self.clone(),
            key: key.clone(),
            content: Content::Empty,
        }))
    }

    async fn put_if_absent(&self, key: &Key, data: Bytes) -> Result<Conditional, StorageError> {
        self.compare_and_swap(key, None, data).await
    }

    async fn compare_and_swap(
        &self,
        key: &Key,
        expected: Option<&str>,
        data: Bytes,
    ) -> Result<Conditional, StorageError> {
        let meta = self.meta(data.len() as u64);
        let data = self.hold(key, data).await?;
        let mut objects = self.lock();
        if objects.get(key).map(|s| s.meta.etag.as_str()) != expected {
            drop(objects);
            self.release(&data);
            return Ok(Conditional::Conflict);
        }
        let stored = Stored {
            meta: meta.clone(),
            data,
        };
        let old = objects.insert(key.clone(), stored);
        drop(objects);
        if let Some(old) = old {
            self.release(&old.data);
        }
        Ok(Conditional::Written(meta))
    }

    async fn list(&self, prefix: &Key) -> Result<Vec<Key>, StorageError> {
        let dir = format!("{}/", prefix.as_str());
        Ok(self
            .lock()
            .range(prefix.clone()..)
            .map(|(k, _)| k)
            .skip_while(|k| *k == prefix)
            .take_while(|k| k.as_str().starts_with(&dir))
            .cloned()
            .collect())
    }

    async fn list_all(&self) -> Result<Vec<Key>, StorageError> {
        Ok(self.lock().keys().cloned().collect())
    }

    async fn delete(&self, key: &Key) -> Result<bool, StorageError> {
        let old = self.lock().remove(key);
        if let Some(old) = &old {
            self.release(&old.data);
        }
        Ok(old.is_some())
    }

    async fn sweep(&self, _older_than: Duration) -> Result<usize, StorageError> {
        // An upload that never commits removes its file when dropped, and the spool
        // directory goes with the store's owner.
        Ok(0)
    }

    async fn check_writable(&self) -> Result<(), StorageError> {
        Ok(())
    }

    fn describe(&self) -> String {
        format!(
            "scratch store (memory, spool {})",
            self.inner.spool.display()
        )
    }

    fn local_spool(&self) -> Option<PathBuf> {
        Some(self.inner.spool.clone())
    }
}

/// What an upload has written so far.
enum Content {
    Empty,
    /// Chunks, while they fit in an object's memory limit.
    Memory(BytesMut),
    /// A file in the spool (written to, or a spooled file taken over).
    File(SpoolFile),
}

struct ScratchUpload {
    store: ScratchStorage,
    key: Key,
    content: Content,
}

impl ScratchUpload {
    /// Appends `more` to the upload's file, moving what was in memory there first.
    async fn append_to_file(&mut self, more: More) -> Result<(), StorageError> {
        let spool = self.store.inner.spool.clone();
        let content = std::mem::replace(&mut self.content, Content::Empty);
        let file = blocking(&self.key, "write", move || {
            let (spooled, mut f) = match content {
                Content::File(spooled) => {
                    let f = std::fs::OpenOptions::new().append(true).open(&spooled.0)?;
                    (spooled, f)
                }
                Content::Memory(before) => {
                    let (spooled, mut f) = SpoolFile::create(&spool)?;
                    f.write_all(&before)?;
                    (spooled, f)
                }
                Content::Empty => SpoolFile::create(&spool)?,
            };
            match more {
                More::Bytes(chunk) => f.write_all(&chunk)?,
                // Streamed: a large file is never read into memory.
                More::File(path) => {
                    std::io::copy(&mut std::fs::File::open(path)?, &mut f)?;
                }
            }
            Ok(spooled)
        })
        .await?;
        self.content = Content::File(file);
        Ok(())
    }
}

/// What [`ScratchUpload::append_to_file`] appends.
enum More {
    Bytes(Bytes),
    File(PathBuf),
}

#[async_trait]
impl Upload for ScratchUpload {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        let limit = self.store.inner.object_limit;
        match &mut self.content {
            Content::Memory(b) if (b.len() + chunk.len()) as u64 <= limit => {
                b.extend_from_slice(&chunk);
                Ok(())
            }
            Content::Empty if chunk.len() as u64 <= limit => {
                self.content = Content::Memory(BytesMut::from(&chunk[..]));
                Ok(())
            }
            _ => self.append_to_file(More::Bytes(chunk)).await,
        }
    }

    async fn write_file(&mut self, path: PathBuf) -> Result<(), StorageError> {
        if matches!(self.content, Content::Empty) && path.parent() == Some(&self.store.inner.spool)
        {
            // The whole upload, spooled here: taken over where it lies, under a name
            // of its own (callers may remove the name they handed over, as after a
            // rename into a directory store).
            let kept = blocking(&self.key, "rename", move || {
                let mut kept = path.clone().into_os_string();
                kept.push(".kept");
                let kept = PathBuf::from(kept);
                std::fs::rename(&path, &kept)?;
                Ok(kept)
            })
            .await?;
            self.content = Content::File(SpoolFile(kept));
            return Ok(());
        }
        // Small enough to join the upload in memory: read; else streamed to its file.
        let held = match &self.content {
            Content::Empty => Some(0),
            Content::Memory(b) => Some(b.len() as u64),
            Content::File(_) => None,
        };
        let limit = self.store.inner.object_limit;
        let p = path.clone();
        let data = blocking(&self.key, "read", move || {
            let mut file = std::fs::File::open(&p)?;
            let size = file.metadata()?.len();
            if held.is_none_or(|h| h.saturating_add(size) > limit) {
                return Ok(None);
            }
            let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            file.read_to_end(&mut data)?;
            Ok(Some(data))
        })
        .await?;
        match data {
            Some(data) => self.write(Bytes::from(data)).await,
            None => self.append_to_file(More::File(path)).await,
        }
    }

    async fn commit(self: Box<Self>) -> Result<Meta, StorageError> {
        let ScratchUpload {
            store,
            key,
            content,
        } = *self;
        let (size, data) = match content {
            Content::Empty => (0, store.hold(&key, Bytes::new()).await?),
            Content::Memory(b) => (b.len() as u64, store.hold(&key, b.freeze()).await?),
            Content::File(spooled) => {
                let spooled = Arc::new(spooled);
                let s = spooled.clone();
                let size =
                    blocking(&key, "stat", move || Ok(std::fs::metadata(&s.0)?.len())).await?;
                (size, Data::File(spooled))
            }
        };
        let meta = store.meta(size);
        store.insert(&key, meta.clone(), data);
        Ok(meta)
    }

    async fn abort(self: Box<Self>) -> Result<(), StorageError> {
        // Memory is freed, and a file removed, with the upload.
        Ok(())
    }
}

#[cfg(test)]
mod tests;
