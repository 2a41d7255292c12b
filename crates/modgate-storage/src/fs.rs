//! The embedded backend: a plain directory tree laid out like
//! `$GOMODCACHE/cache/download`.
//!
//! Writes follow the classic durable-rename recipe: the bytes go to a hidden temporary
//! file (`.tmp-…`) *in the destination directory*, the file is fsynced, renamed over the
//! final name, and the directory is fsynced so the rename itself survives a power cut.
//! A process killed at any point leaves at worst a hidden temporary file, which no key
//! can name (keys reject elements starting with `.`) and which [`FsStorage::sweep`]
//! removes later. Directories created on the way are fsynced into their parents too.
//!
//! Blocking filesystem work runs on tokio's blocking pool. Reads hand out a
//! streaming, seekable body, except that objects of at most 64 KiB are read whole when
//! they are opened. On Linux, opening and reading are first tried without blocking
//! (path and bytes in the kernel's caches, see `cached`), and go to the blocking pool
//! only when they would wait for the disk: a cached `.info` is served without any
//! thread hand-off.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;

use crate::{Body, Conditional, Key, Meta, Object, Storage, StorageError, Upload};

/// Name of the staging directory under the root (hidden, so never a key).
const STAGING: &str = ".tmp";
/// Prefix of every temporary file the backend creates. Callers that spool files in
/// [`FsStorage::spool_dir`] use it too, so [`Storage::sweep`] finds their leftovers.
pub const TEMP_PREFIX: &str = ".tmp-";

/// A directory-tree store.
#[derive(Debug, Clone)]
pub struct FsStorage {
    root: PathBuf,
    staging: PathBuf,
}

impl FsStorage {
    /// Opens (creating if needed) the store rooted at `root`, and removes temporary
    /// files left in its staging directory by processes that died more than an hour ago.
    pub fn open(root: impl AsRef<Path>) -> io::Result<FsStorage> {
        let root = root.as_ref();
        std::fs::create_dir_all(root)?;
        let root = root.canonicalize()?;
        let staging = root.join(STAGING);
        std::fs::create_dir_all(&staging)?;
        let store = FsStorage { root, staging };
        sweep_dir(&store.staging, Duration::from_secs(3600), false)?;
        Ok(store)
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file that holds `key`.
    pub fn path_of(&self, key: &Key) -> PathBuf {
        // Keys are validated relative paths of plain elements: joining cannot escape.
        self.root.join(key.as_str())
    }

    /// A directory on the store's filesystem for local scratch files (downloads being
    /// verified): an [`Upload`] takes a file from here over by renaming it.
    pub fn spool_dir(&self) -> &Path {
        &self.staging
    }
}

#[async_trait]
impl Storage for FsStorage {
    async fn stat(&self, key: &Key) -> Result<Option<Meta>, StorageError> {
        match tokio::fs::metadata(self.path_of(key)).await {
            Ok(md) if md.is_file() => Ok(Some(meta_of(&md))),
            Ok(_) => Ok(None),
            Err(e) if is_absent(&e) => Ok(None),
            Err(e) => Err(StorageError::io("stat", key.as_str(), e)),
        }
    }

    async fn get(&self, key: &Key) -> Result<Option<Object>, StorageError> {
        let path = self.path_of(key);
        #[cfg(target_os = "linux")]
        if let Some(obj) = open_cached_object(&path) {
            return Ok(obj);
        }
        match tokio::task::spawn_blocking(move || open_object(&path)).await {
            Ok(Ok(obj)) => Ok(obj),
            Ok(Err((op, e))) => Err(StorageError::io(op, key.as_str(), e)),
            Err(e) => Err(StorageError::io("open", key.as_str(), io::Error::other(e))),
        }
    }

    async fn get_range(
        &self,
        key: &Key,
        offset: u64,
        len: u64,
    ) -> Result<Option<Object>, StorageError> {
        let Some(obj) = self.get(key).await? else {
            return Ok(None);
        };
        let bad_range = || {
            StorageError::io(
                "read",
                key.as_str(),
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("range {offset}+{len} outside the object"),
                ),
            )
        };
        if offset
            .checked_add(len)
            .is_none_or(|end| end > obj.meta.size)
        {
            return Err(bad_range());
        }
        let body = match obj.body {
            Body::Bytes(b) => {
                let (a, z) = (offset as usize, (offset + len) as usize);
                Body::Bytes(b.get(a..z).map(|_| b.slice(a..z)).ok_or_else(bad_range)?)
            }
            // The open file itself: no second open, no seek.
            Body::File(f) => Body::File(f.slice(offset, len).ok_or_else(bad_range)?),
            Body::Reader(_) => {
                use tokio::io::{AsyncReadExt, AsyncSeekExt};
                let path = self.path_of(key);
                let file = blocking(move || std::fs::File::open(path))
                    .await
                    .map_err(|e| StorageError::io("open", key.as_str(), e))?;
                let mut f = tokio::fs::File::from_std(file);
                f.seek(io::SeekFrom::Start(offset))
                    .await
                    .map_err(|e| StorageError::io("seek", key.as_str(), e))?;
                Body::Reader(Box::new(f.take(len)))
            }
        };
        Ok(Some(Object {
            meta: obj.meta,
            body,
        }))
    }

    async fn put_bytes(&self, key: &Key, data: Bytes) -> Result<Meta, StorageError> {
        let (root, path) = (self.root.clone(), self.path_of(key));
        blocking(move || write_atomic(&root, &path, Source::Bytes(&data), Mode::Replace))
            .await
            .and_then(|m| m.ok_or_else(|| io::Error::other("replacing write did not write")))
            .map_err(|e| StorageError::io("write", key.as_str(), e))
    }

    async fn upload(&self, key: &Key) -> Result<Box<dyn Upload>, StorageError> {
        let (root, path) = (self.root.clone(), self.path_of(key));
        let k = key.to_string();
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let tmp = blocking(move || {
            ensure_dir(&root, &dir)?;
            let tmp = temp_name(&dir);
            std::fs::File::create_new(&tmp)?;
            Ok(tmp)
        })
        .await
        .map_err(|e| StorageError::io("upload", &k, e))?;
        Ok(Box::new(FsUpload {
            key: k,
            path,
            tmp: Some(tmp),
            written: false,
        }))
    }

    async fn put_if_absent(&self, key: &Key, data: Bytes) -> Result<Conditional, StorageError> {
        let (root, path) = (self.root.clone(), self.path_of(key));
        let written =
            blocking(move || write_atomic(&root, &path, Source::Bytes(&data), Mode::CreateNew))
                .await
                .map_err(|e| StorageError::io("create", key.as_str(), e))?;
        Ok(written.map_or(Conditional::Conflict, Conditional::Written))
    }

    async fn compare_and_swap(
        &self,
        key: &Key,
        expected: Option<&str>,
        data: Bytes,
    ) -> Result<Conditional, StorageError> {
        let (root, path) = (self.root.clone(), self.path_of(key));
        let expected = expected.map(str::to_owned);
        blocking(move || {
            let dir = path
                .parent()
                .ok_or_else(|| io::Error::other("key has no parent directory"))?;
            ensure_dir(&root, dir)?;
            // Writers of one key serialise on a hidden lock file beside it (no key can
            // name it); the lock dies with its process, so a killed writer frees it.
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let lock = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(dir.join(format!(".lock-{name}")))?;
            lock_exclusive(&lock)?;
            let current = match std::fs::metadata(&path) {
                Ok(md) if md.is_file() => Some(meta_of(&md).etag),
                Ok(_) => None,
                Err(e) if is_absent(&e) => None,
                Err(e) => return Err(e),
            };
            if current != expected {
                return Ok(Conditional::Conflict);
            }
            let meta = write_atomic(&root, &path, Source::Bytes(&data), Mode::Replace)?;
            Ok(meta.map_or(Conditional::Conflict, Conditional::Written))
        })
        .await
        .map_err(|e| StorageError::io("swap", key.as_str(), e))
    }

    async fn list(&self, prefix: &Key) -> Result<Vec<Key>, StorageError> {
        let dir = self.path_of(prefix);
        let prefix_str = prefix.as_str().to_owned();
        blocking(move || {
            let mut out = Vec::new();
            walk(&dir, &prefix_str, &mut out)?;
            out.sort();
            Ok(out)
        })
        .await
        .map_err(|e| StorageError::io("list", prefix.as_str(), e))
    }

    async fn list_all(&self) -> Result<Vec<Key>, StorageError> {
        let root = self.root.clone();
        blocking(move || {
            let mut out = Vec::new();
            for entry in std::fs::read_dir(&root)? {
                let entry = entry?;
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                let Ok(key) = Key::new(name) else {
                    continue; // staging and other hidden names
                };
                let ft = entry.file_type()?;
                if ft.is_dir() {
                    walk(&entry.path(), key.as_str(), &mut out)?;
                } else if ft.is_file() {
                    out.push(key);
                }
            }
            out.sort();
            Ok(out)
        })
        .await
        .map_err(|e| StorageError::io("list", "", e))
    }

    async fn delete(&self, key: &Key) -> Result<bool, StorageError> {
        let path = self.path_of(key);
        blocking(move || match std::fs::remove_file(&path) {
            Ok(()) => {
                if let Some(dir) = path.parent() {
                    sync_dir(dir)?;
                }
                Ok(true)
            }
            Err(e) if is_absent(&e) => Ok(false),
            Err(e) => Err(e),
        })
        .await
        .map_err(|e| StorageError::io("delete", key.as_str(), e))
    }

    async fn sweep(&self, older_than: Duration) -> Result<usize, StorageError> {
        let root = self.root.clone();
        blocking(move || sweep_dir(&root, older_than, true))
            .await
            .map_err(|e| StorageError::io("sweep", "", e))
    }

    async fn check_writable(&self) -> Result<(), StorageError> {
        let staging = self.staging.clone();
        blocking(move || {
            let mut f = tempfile::Builder::new()
                .prefix(TEMP_PREFIX)
                .tempfile_in(&staging)?;
            f.write_all(b"ok")?;
            f.as_file().sync_all()?;
            f.close()
        })
        .await
        .map_err(|e| StorageError::io("probe", STAGING, e))
    }

    fn describe(&self) -> String {
        format!("file://{}", self.root.display())
    }

    fn local_spool(&self) -> Option<PathBuf> {
        Some(self.staging.clone())
    }
}

/// An upload to a hidden temporary file in the destination directory, renamed over
/// the key's file on commit.
struct FsUpload {
    key: String,
    path: PathBuf,
    /// The temporary file; `None` once committed or aborted.
    tmp: Option<PathBuf>,
    /// Whether anything was written to it yet.
    written: bool,
}

impl FsUpload {
    fn tmp(&self) -> Result<PathBuf, StorageError> {
        self.tmp.clone().ok_or_else(|| {
            StorageError::io(
                "upload",
                &self.key,
                io::Error::other("upload already ended"),
            )
        })
    }
}

impl Drop for FsUpload {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

#[async_trait]
impl Upload for FsUpload {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        let tmp = self.tmp()?;
        self.written = true;
        append_chunk(tmp, chunk)
            .await
            .map_err(|e| StorageError::io("upload", &self.key, e))
    }

    async fn write_file(&mut self, src: PathBuf) -> Result<(), StorageError> {
        let tmp = self.tmp()?;
        let first = !self.written;
        self.written = true;
        append_file(tmp, src, first)
            .await
            .map_err(|e| StorageError::io("upload", &self.key, e))
    }

    async fn commit(mut self: Box<Self>) -> Result<Meta, StorageError> {
        let tmp = self.tmp()?;
        let path = self.path.clone();
        let result = blocking(move || {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&tmp)?
                .sync_all()?;
            std::fs::rename(&tmp, &path)?;
            if let Some(dir) = path.parent() {
                sync_dir(dir)?;
            }
            std::fs::metadata(&path).map(|md| meta_of(&md))
        })
        .await
        .map_err(|e| StorageError::io("commit", &self.key, e));
        if result.is_ok() {
            self.tmp = None; // renamed: nothing left to remove
        }
        result
    }

    async fn abort(mut self: Box<Self>) -> Result<(), StorageError> {
        match self.tmp.take() {
            Some(tmp) => blocking(move || match std::fs::remove_file(tmp) {
                Err(e) if !is_absent(&e) => Err(e),
                _ => Ok(()),
            })
            .await
            .map_err(|e| StorageError::io("abort", &self.key, e)),
            None => Ok(()),
        }
    }
}

#[cfg(unix)]
fn lock_exclusive(f: &std::fs::File) -> io::Result<()> {
    rustix::fs::flock(f, rustix::fs::FlockOperation::LockExclusive).map_err(io::Error::from)
}

#[cfg(not(unix))]
fn lock_exclusive(_f: &std::fs::File) -> io::Result<()> {
    Err(io::Error::other(
        "file locks are not supported on this platform",
    ))
}

/// Opens a large object as a seekable stream.
/// Runs file work on the blocking pool; a task that panicked reads as an I/O error.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)))
}

/// Appends `chunk` to the spool file at `spool`.
pub(crate) async fn append_chunk(spool: PathBuf, chunk: Bytes) -> io::Result<()> {
    blocking(move || {
        std::fs::OpenOptions::new()
            .append(true)
            .open(&spool)?
            .write_all(&chunk)
    })
    .await
}

/// Appends the file `src` to the spool file at `spool`. When nothing was written
/// yet (`first`) and both are on one filesystem, `src` is taken over by renaming.
pub(crate) async fn append_file(spool: PathBuf, src: PathBuf, first: bool) -> io::Result<()> {
    blocking(move || {
        if first && std::fs::rename(&src, &spool).is_ok() {
            return Ok(());
        }
        let mut out = std::fs::OpenOptions::new().append(true).open(&spool)?;
        io::copy(&mut std::fs::File::open(&src)?, &mut out)?;
        Ok(())
    })
    .await
}

/// Lower-case hex, as digests are written in keys and entity tags.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Objects up to this size are read whole when they are opened.
const SMALL: u64 = 64 * 1024;

/// Opens, stats and (for small objects: every `.info`, `.mod` and list) reads an
/// object in one blocking call: each trip to the blocking pool costs more than
/// reading a small cached file, and a proxy mostly serves small files.
fn open_object(path: &Path) -> Result<Option<Object>, (&'static str, io::Error)> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if is_absent(&e) => return Ok(None),
        Err(e) => return Err(("open", e)),
    };
    let md = file.metadata().map_err(|e| ("stat", e))?;
    if !md.is_file() {
        return Ok(None);
    }
    let meta = meta_of(&md);
    let body = if md.len() <= SMALL {
        let mut buf = Vec::with_capacity(usize::try_from(md.len()).unwrap_or(0));
        io::Read::read_to_end(&mut io::Read::take(file, md.len()), &mut buf)
            .map_err(|e| ("read", e))?;
        Body::Bytes(Bytes::from(buf))
    } else {
        large_body(file, md.len())
    };
    Ok(Some(Object { meta, body }))
}

/// [`open_object`] without blocking: `None` if some part of it would wait for the
/// disk (or failed: the blocking path then reports the error).
#[cfg(target_os = "linux")]
fn open_cached_object(path: &Path) -> Option<Option<Object>> {
    let Ok(file) = cached::open_cached(path)? else {
        return Some(None);
    };
    let md = file.metadata().ok()?;
    if !md.is_file() {
        return Some(None);
    }
    let meta = meta_of(&md);
    let body = if md.len() <= SMALL {
        let mut buf = vec![0; usize::try_from(md.len()).ok()?];
        cached::read_cached(&file, &mut buf, 0)?;
        Body::Bytes(Bytes::from(buf))
    } else {
        large_body(file, md.len())
    };
    Some(Some(Object { meta, body }))
}

fn large_body(file: std::fs::File, size: u64) -> Body {
    Body::File(crate::FileRange::new(std::sync::Arc::new(file), 0, size))
}

/// A file range as a stream (reads from the page cache on the async thread where
/// the kernel can say without waiting that the bytes are there).
pub(crate) fn range_reader(
    r: crate::FileRange,
) -> Box<dyn tokio::io::AsyncRead + Send + Sync + Unpin> {
    Box::new(cached::CachedFile::new(
        r.file().clone(),
        r.offset(),
        r.offset() + r.len(),
    ))
}

fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

fn meta_of(md: &std::fs::Metadata) -> Meta {
    let modified = md.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let nanos = modified
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    // Every write is a new file renamed into place, so (inode, mtime, size) changes
    // whenever the content can have changed: a strong validator without hashing.
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(md);
    #[cfg(not(unix))]
    let ino = 0u64;
    Meta {
        size: md.len(),
        modified,
        etag: format!("\"{ino:x}-{nanos:x}-{:x}\"", md.len()),
    }
}

enum Source<'a> {
    Bytes(&'a [u8]),
}

/// Whether a write replaces an existing object or only creates an absent one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Replace,
    CreateNew,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_name(dir: &Path) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    dir.join(format!("{TEMP_PREFIX}{}-{n}-{nanos}", std::process::id()))
}

/// The durable write: temp file in the destination directory, fsync, rename (or, to
/// create only, hard-link: it fails if the name exists), fsync dir. `None`: the
/// object existed and `mode` was [`Mode::CreateNew`].
fn write_atomic(
    root: &Path,
    path: &Path,
    source: Source<'_>,
    mode: Mode,
) -> io::Result<Option<Meta>> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("key has no parent directory"))?;
    ensure_dir(root, dir)?;
    let tmp = temp_name(dir);
    let result = (|| {
        match source {
            Source::Bytes(data) => {
                let mut f = std::fs::File::create_new(&tmp)?;
                f.write_all(data)?;
                f.sync_all()?;
            }
        }
        match mode {
            Mode::Replace => std::fs::rename(&tmp, path)?,
            Mode::CreateNew => {
                let linked = std::fs::hard_link(&tmp, path);
                std::fs::remove_file(&tmp)?;
                match linked {
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(None),
                    other => other?,
                }
            }
        }
        sync_dir(dir)?;
        std::fs::metadata(path).map(Some)
    })();
    match result {
        Ok(md) => Ok(md.map(|md| meta_of(&md))),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Creates `dir` (under `root`) and every missing parent, fsyncing each new entry into
/// its parent directory.
fn ensure_dir(root: &Path, dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let rel = dir
        .strip_prefix(root)
        .map_err(|_| io::Error::other("directory outside the store"))?;
    let mut cur = root.to_path_buf();
    for comp in rel.components() {
        let parent = cur.clone();
        cur.push(comp);
        match std::fs::create_dir(&cur) {
            Ok(()) => sync_dir(&parent)?,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Collects the keys of the regular files under `dir`, skipping hidden names.
fn walk(dir: &Path, prefix: &str, out: &mut Vec<Key>) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if is_absent(&e) => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let Ok(key) = Key::new(format!("{prefix}/{name}")) else {
            continue; // hidden or foreign names are not part of the store
        };
        let ft = entry.file_type()?;
        if ft.is_dir() {
            walk(&entry.path(), key.as_str(), out)?;
        } else if ft.is_file() {
            out.push(key);
        }
    }
    Ok(())
}

fn sweep_dir(dir: &Path, older_than: Duration, recurse: bool) -> io::Result<usize> {
    let now = SystemTime::now();
    let mut removed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if is_absent(&e) => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ft = entry.file_type()?;
        if ft.is_dir() {
            if recurse {
                removed += sweep_dir(&entry.path(), older_than, true)?;
            }
        } else if name.starts_with(TEMP_PREFIX) {
            let age = entry
                .metadata()?
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .unwrap_or_default();
            if age >= older_than && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

mod cached;

#[cfg(test)]
mod tests;
