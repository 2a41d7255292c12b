//! # modgate-storage: where `modgate serve` keeps modules
//!
//! The proxy stores every file it serves under a [`Key`]: a relative, slash-separated
//! name laid out exactly like the go command's download cache
//! (`$GOMODCACHE/cache/download`, see `cmd/go/internal/modfetch/cache.go`):
//!
//! ```text
//! <escaped module path>/@v/list
//! <escaped module path>/@v/<escaped version>.info | .mod | .zip
//! <escaped module path>/@latest
//! sumdb/<database name>/lookup/<escaped path>@<escaped version>
//! sumdb/<database name>/tile/<H>/<L>/<NNN>[.p/<W>]
//! ```
//!
//! Because the layout is the proxy URL space, the embedded [`FsStorage`] directory is
//! itself a valid `file://` GOPROXY, and a developer's module cache can be copied in to
//! seed it.
//!
//! The [`Storage`] trait is what the server codes against; object storage backends come
//! later behind the same trait. Its contract:
//!
//! * **Writes are atomic.** A reader sees either no object or a complete one, whatever
//!   happens to the writing process. Concurrent writers of one key are allowed; the
//!   last complete write wins.
//! * **Keys never escape the root.** [`Key::new`] rejects anything that is not a plain
//!   relative path of safe ASCII elements, so a key cannot name a temporary file or a
//!   file outside the store.
//! * **Bodies stream.** [`Storage::get`] returns a seekable reader, never a buffer, so
//!   ranges of a 500 MiB zip cost nothing extra.

mod fs;
mod key;

use std::io;
use std::path::Path;
use std::time::SystemTime;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncSeek};

pub use fs::{FsStorage, TEMP_PREFIX};
pub use key::{InvalidKey, Key};

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

/// A readable, seekable object body.
pub trait ObjectBody: AsyncRead + AsyncSeek + Send + Sync + Unpin {}
impl<T: AsyncRead + AsyncSeek + Send + Sync + Unpin> ObjectBody for T {}

/// An object opened for reading: its metadata (taken from the opened object itself,
/// so the two always agree) and its body positioned at offset 0.
pub struct Object {
    pub meta: Meta,
    pub body: Box<dyn ObjectBody>,
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object")
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

/// A storage failure. Missing objects are not errors (`Ok(None)` / `Ok(false)`).
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(transparent)]
    InvalidKey(#[from] InvalidKey),
    #[error("storage: {op} {key}: {source}")]
    Io {
        op: &'static str,
        key: String,
        #[source]
        source: io::Error,
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
}

/// The store the proxy serves from.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Metadata of `key`, or `None` if it is absent.
    async fn stat(&self, key: &Key) -> Result<Option<Meta>, StorageError>;

    /// Opens `key` for reading, or `None` if it is absent.
    async fn get(&self, key: &Key) -> Result<Option<Object>, StorageError>;

    /// Whether `key` is present.
    async fn exists(&self, key: &Key) -> Result<bool, StorageError> {
        Ok(self.stat(key).await?.is_some())
    }

    /// Stores `data` under `key`, atomically.
    async fn put_bytes(&self, key: &Key, data: Bytes) -> Result<Meta, StorageError>;

    /// Moves the complete file at `src` into the store under `key`, atomically. The
    /// file should live under [`Storage::staging_dir`] so the move is a rename; `src`
    /// no longer exists afterwards (on success).
    async fn put_file(&self, key: &Key, src: &Path) -> Result<Meta, StorageError>;

    /// Every key under `prefix` (recursively), sorted. A missing prefix lists nothing.
    async fn list(&self, prefix: &Key) -> Result<Vec<Key>, StorageError>;

    /// Removes `key`; returns whether it was present.
    async fn delete(&self, key: &Key) -> Result<bool, StorageError>;

    /// A directory on the same filesystem as the store where callers create the
    /// temporary files they later hand to [`Storage::put_file`].
    fn staging_dir(&self) -> &Path;

    /// Whether the store accepts writes now (for readiness probes).
    async fn check_writable(&self) -> Result<(), StorageError>;
}
