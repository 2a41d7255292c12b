//! # modgate-storage: where modgate keeps module files
//!
//! Every file is stored under a [`Key`]: a relative, slash-separated name. Which key a
//! module file gets is decided in one place, `modgate-cache`'s `keys` module (the
//! layout of the go command's download cache, `$GOMODCACHE/cache/download`); this
//! crate only promises that a key cannot escape the store.
//!
//! The [`Storage`] trait is shaped for object stores as much as for a disk:
//!
//! * **Objects appear whole.** [`Storage::put_bytes`] and a committed [`Upload`] make
//!   an object visible only complete; a reader sees the old object, the new one or
//!   none, whatever happens to the writer. An upload that is dropped without
//!   [`Upload::commit`] is aborted and leaves nothing visible. Concurrent writers of
//!   one key are allowed; the last complete write wins (callers only ever write
//!   verified content, so a second writer is harmless).
//! * **Bodies stream.** [`Storage::get`] hands out a reader (small objects may come
//!   as bytes already read), and [`Storage::get_range`] reads part of an object, so a
//!   range of a 500 MiB zip costs one ranged read.
//! * **Conditional writes are capabilities.** [`Storage::put_if_absent`] and
//!   [`Storage::compare_and_swap`] may answer [`Conditional::Unsupported`] (Garage has
//!   no conditional PutObject, and multipart uploads cannot be conditional): callers
//!   decide what to do without them.
//! * **Housekeeping stays inside.** [`Storage::sweep`] removes what killed writers left
//!   behind (temporary files, abandoned uploads).
//!
//! The embedded backend is [`FsStorage`] (a directory tree, itself a valid `file://`
//! GOPROXY); [`ObjectStorage`] keeps the same tree in S3, GCS or Azure through
//! `object_store`, and [`LocalTier`] puts a bounded disk cache of the immutable files
//! in front of either. [`open`] turns a storage URL into one of them and [`probe`]
//! finds out what it can do. [`Mirrored`] double-writes any two stores (a primary
//! and a backup). [`ScratchStorage`] is the throwaway store of one command's run
//! (memory, and spool files for large objects).

mod fs;
mod key;
pub mod local;
pub mod mirror;
pub mod object;
mod open;
pub mod scratch;

use std::io;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt};

pub use fs::{FsStorage, TEMP_PREFIX};
pub use key::{InvalidKey, Key};
pub use local::{LocalTier, TierObserver, TierStats, is_immutable};
pub use mirror::Mirrored;
pub use object::{ObjectStorage, OpenError};
pub use open::{Probe, open, open_with_spool, probe};
pub use scratch::ScratchStorage;

/// What is known about a stored object without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// Length in bytes.
    pub size: u64,
    /// When the object was last written; the freshness clock of mutable entries.
    pub modified: SystemTime,
    /// A strong entity tag, quoted as HTTP wants it (`"..."`); it changes whenever
    /// the object is rewritten.
    pub etag: String,
}

/// A readable object body: bytes already in memory (small objects), a stream, or
/// a range of an open local file.
pub enum Body {
    Bytes(Bytes),
    Reader(Box<dyn AsyncRead + Send + Sync + Unpin>),
    /// Kept as a file rather than a stream so that a server can send it straight
    /// from the page cache (`sendfile`), without copying it through memory.
    File(FileRange),
}

impl Body {
    /// The body as a stream, whatever its form.
    pub fn into_reader(self) -> Box<dyn AsyncRead + Send + Sync + Unpin> {
        match self {
            Body::Bytes(b) => Box::new(io::Cursor::new(b)),
            Body::Reader(r) => r,
            Body::File(f) => f.into_reader(),
        }
    }
}

/// `len` bytes at `offset` of an open, immutable local file (stored files are
/// never written in place: a new version is a new file renamed over the old).
#[derive(Debug, Clone)]
pub struct FileRange {
    file: std::sync::Arc<std::fs::File>,
    offset: u64,
    len: u64,
}

impl FileRange {
    pub(crate) fn new(file: std::sync::Arc<std::fs::File>, offset: u64, len: u64) -> FileRange {
        FileRange { file, offset, len }
    }

    pub fn file(&self) -> &std::sync::Arc<std::fs::File> {
        &self.file
    }

    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The part `offset..offset + len` of this range, if it lies within it.
    pub fn slice(&self, offset: u64, len: u64) -> Option<FileRange> {
        let end = offset.checked_add(len)?;
        (end <= self.len).then(|| FileRange::new(self.file.clone(), self.offset + offset, len))
    }

    /// The range as a stream.
    pub fn into_reader(self) -> Box<dyn AsyncRead + Send + Sync + Unpin> {
        fs::range_reader(self)
    }
}

/// An object opened for reading: its metadata (taken from the opened object itself,
/// so the two always agree) and its body (the whole object, or the range asked for).
pub struct Object {
    pub meta: Meta,
    pub body: Body,
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object")
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

impl Object {
    /// Reads the whole body (which must be `meta.size` bytes long) into memory.
    pub async fn into_bytes(self, key: &Key) -> Result<Bytes, StorageError> {
        let size = self.meta.size;
        let data = match self.body {
            Body::Bytes(b) => b,
            body => {
                let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                body.into_reader()
                    .take(size)
                    .read_to_end(&mut buf)
                    .await
                    .map_err(|e| StorageError::io("read", key.as_str(), e))?;
                Bytes::from(buf)
            }
        };
        if data.len() as u64 != size {
            return Err(StorageError::io(
                "read",
                key.as_str(),
                io::Error::new(io::ErrorKind::UnexpectedEof, "shorter than its size"),
            ));
        }
        Ok(data)
    }
}

/// The answer of a conditional write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conditional {
    /// The condition held and the object was written.
    Written(Meta),
    /// The condition did not hold (the object exists, or changed); nothing was written.
    Conflict,
    /// This backend cannot write conditionally.
    Unsupported,
}

/// A storage failure. Missing objects are not errors (`Ok(None)` / `Ok(false)`).
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(transparent)]
    InvalidKey(#[from] InvalidKey),
    /// The local filesystem failed.
    #[error("storage: {op} {key}: {source}")]
    Io {
        op: &'static str,
        key: String,
        #[source]
        source: io::Error,
    },
    /// A remote backend (an object store) failed or refused.
    #[error("storage: {op} {key}: {source}")]
    Backend {
        op: &'static str,
        key: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StorageError {
    pub fn io(op: &'static str, key: impl Into<String>, source: io::Error) -> Self {
        StorageError::Io {
            op,
            key: key.into(),
            source,
        }
    }

    pub fn backend(
        op: &'static str,
        key: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        StorageError::Backend {
            op,
            key: key.into(),
            source: source.into(),
        }
    }
}

/// An upload in progress: content is written, then [`Upload::commit`] makes it the
/// object under its key at once. Dropping it without committing aborts it.
#[async_trait]
pub trait Upload: Send {
    /// Appends `chunk`.
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError>;

    /// Appends the content of the local file `path`. The upload may take the file over
    /// (a backend on the same filesystem renames it instead of copying, when nothing
    /// was written before): afterwards `path` may be gone.
    async fn write_file(&mut self, path: PathBuf) -> Result<(), StorageError> {
        let mut file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| StorageError::io("read", path.display().to_string(), e))?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file
                .read(&mut buf)
                .await
                .map_err(|e| StorageError::io("read", path.display().to_string(), e))?;
            if n == 0 {
                return Ok(());
            }
            self.write(Bytes::copy_from_slice(&buf[..n])).await?;
        }
    }

    /// Makes the written content the object, atomically and durably.
    async fn commit(self: Box<Self>) -> Result<Meta, StorageError>;

    /// Discards the upload (what dropping it does, but reporting errors).
    async fn abort(self: Box<Self>) -> Result<(), StorageError>;
}

/// The store modgate serves from.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Metadata of `key`, or `None` if it is absent.
    async fn stat(&self, key: &Key) -> Result<Option<Meta>, StorageError>;

    /// Opens `key` for reading, or `None` if it is absent.
    async fn get(&self, key: &Key) -> Result<Option<Object>, StorageError>;

    /// Opens `len` bytes of `key` from `offset` (the range must lie within the object:
    /// callers take it from a [`Meta`]); `meta` is the whole object's. `None` if absent.
    async fn get_range(
        &self,
        key: &Key,
        offset: u64,
        len: u64,
    ) -> Result<Option<Object>, StorageError>;

    /// Stores `data` under `key`, atomically.
    async fn put_bytes(&self, key: &Key, data: Bytes) -> Result<Meta, StorageError>;

    /// Starts an upload that becomes `key` when committed.
    async fn upload(&self, key: &Key) -> Result<Box<dyn Upload>, StorageError>;

    /// Stores `data` under `key` only if `key` is absent.
    async fn put_if_absent(&self, key: &Key, data: Bytes) -> Result<Conditional, StorageError> {
        let _ = (key, data);
        Ok(Conditional::Unsupported)
    }

    /// Replaces `key` with `data` only if its current entity tag is `expected`
    /// (`None`: only if it is absent).
    async fn compare_and_swap(
        &self,
        key: &Key,
        expected: Option<&str>,
        data: Bytes,
    ) -> Result<Conditional, StorageError> {
        let _ = (key, expected, data);
        Ok(Conditional::Unsupported)
    }

    /// Every key under `prefix` (recursively), sorted. A missing prefix lists nothing.
    async fn list(&self, prefix: &Key) -> Result<Vec<Key>, StorageError>;

    /// Every key in the store, sorted (the scrub walks them). Backends that cannot
    /// enumerate themselves say so.
    async fn list_all(&self) -> Result<Vec<Key>, StorageError> {
        Err(StorageError::backend(
            "list",
            "",
            format!("{} cannot list all its keys", self.describe()),
        ))
    }

    /// Removes `key`; returns whether it was present.
    async fn delete(&self, key: &Key) -> Result<bool, StorageError>;

    /// Removes what writers killed more than `older_than` ago left behind (temporary
    /// files, abandoned uploads); returns how many were removed.
    async fn sweep(&self, older_than: Duration) -> Result<usize, StorageError>;

    /// Whether the store accepts writes now (for readiness probes).
    async fn check_writable(&self) -> Result<(), StorageError>;

    /// Where the store is, for logs (`file:///var/lib/modgate`).
    fn describe(&self) -> String;

    /// A local directory where callers may spool files they will upload here:
    /// [`Upload::write_file`] then takes them over by renaming. `None`: no preference.
    fn local_spool(&self) -> Option<PathBuf> {
        None
    }
}
