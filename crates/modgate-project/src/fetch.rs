//! Module files through the GOPROXY list, verified, kept in a local store.
//!
//! A [`Fetcher`] is a `modgate_cache::Cache` assembled as `modgate serve` assembles
//! its own ([`modgate_cache::assemble`]) from the user's go settings: Go's fallback
//! rules between GOPROXY entries, GONOPROXY paths fetched `direct`, every `.mod` and
//! `.zip` checked against the checksum database (through each proxy's `/sumdb/` first,
//! then the database itself) unless GONOSUMDB/GOSUMDB=off says otherwise. Timeouts,
//! retries and size limits are the upstream client's defaults.
//!
//! Where fetched files are kept ([`Store`]):
//! * [`Store::Dir`]: a directory in the download-cache layout (the layout of
//!   `$GOMODCACHE/cache/download`), reused across runs: immutable files found there
//!   are not asked for again (answered with [`Origin::Hit`]), lists are refreshed
//!   after a minute. The go command's own module cache is not used: go keeps it
//!   read-only and owns its locking.
//! * [`Store::Temp`]: a fresh scratch store (small files in memory, large ones in a
//!   temporary directory: [`ScratchStorage`]), gone with the fetcher, so every file
//!   is asked of the upstreams (what `modgate warm` wants by default: the point is
//!   that the proxy gets the requests).

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
pub use modgate_cache::Origin;
use modgate_cache::{Answer, Cache, CacheError, Fetching, ModuleFile, ModuleRequest, Options};
use modgate_core::module::Version;
use modgate_storage::{Body, FsStorage, ScratchStorage, Storage};
use modgate_upstream::{Client, ClientConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::settings::GoSettings;

/// Where a [`Fetcher`] keeps what it fetched.
#[derive(Debug, Clone)]
pub enum Store {
    /// A directory in the download-cache layout, kept across runs.
    Dir(PathBuf),
    /// A temporary directory removed when the fetcher is dropped.
    Temp,
}

impl Store {
    /// The default persistent store: `$XDG_CACHE_HOME/modgate/download`, else
    /// `~/.cache/modgate/download` (Go's `os.UserCacheDir` on Unix).
    pub fn user_default() -> Option<Store> {
        let xdg = std::env::var("XDG_CACHE_HOME")
            .ok()
            .filter(|d| std::path::Path::new(d).is_absolute());
        let base = match xdg {
            Some(d) => PathBuf::from(d),
            None => {
                PathBuf::from(std::env::var("HOME").ok().filter(|h| !h.is_empty())?).join(".cache")
            }
        };
        Some(Store::Dir(base.join("modgate").join("download")))
    }
}

/// A module file kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Info,
    Mod,
    Zip,
}

impl FileKind {
    /// The extension, as in `v1.2.3.mod`.
    pub fn ext(self) -> &'static str {
        match self {
            FileKind::Info => "info",
            FileKind::Mod => "mod",
            FileKind::Zip => "zip",
        }
    }
}

/// A fetch that failed: what was asked, and the cache's reason.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{what}: {error}")]
pub struct FetchError {
    /// `path@version.ext`, `path/@v/list` or `path@latest`.
    pub what: String,
    pub error: CacheError,
}

impl FetchError {
    /// Whether the upstreams said the file does not exist (rather than failing).
    pub fn is_not_found(&self) -> bool {
        self.error.is_not_found()
    }
}

/// The fetcher could not be set up (a setting, or the store).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(pub String);

/// A file fetched (or found in the store).
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Its size in bytes.
    pub size: u64,
    /// Where it came from: [`Origin::Miss`] fetched now, [`Origin::Hit`] already in
    /// the store (or memory), others as the cache defines them.
    pub origin: Origin,
}

/// A version's `.info`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Info {
    #[serde(rename = "Version")]
    pub version: String,
    /// RFC 3339, as the proxy wrote it (may be empty).
    #[serde(rename = "Time", default)]
    pub time: String,
}

/// A zip to read: a file, or (a small one) bytes in memory.
pub enum ZipReader {
    File(std::fs::File),
    Memory(std::io::Cursor<Bytes>),
}

impl ZipReader {
    /// As a file: a small zip in memory is written to an anonymous temporary file.
    pub fn into_file(self) -> std::io::Result<std::fs::File> {
        match self {
            ZipReader::File(f) => Ok(f),
            ZipReader::Memory(c) => {
                let mut f = tempfile::tempfile()?;
                std::io::Write::write_all(&mut f, c.get_ref())?;
                std::io::Seek::rewind(&mut f)?;
                Ok(f)
            }
        }
    }
}

impl std::io::Read for ZipReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            ZipReader::File(f) => std::io::Read::read(f, buf),
            ZipReader::Memory(c) => std::io::Read::read(c, buf),
        }
    }
}

impl std::io::Seek for ZipReader {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        match self {
            ZipReader::File(f) => std::io::Seek::seek(f, pos),
            ZipReader::Memory(c) => std::io::Seek::seek(c, pos),
        }
    }
}

/// Fetches module files: see the module documentation.
pub struct Fetcher {
    cache: Arc<Cache>,
    /// The directory store underneath the cache, if it is one: where a stored zip
    /// can be opened.
    files: Option<FsStorage>,
    _temp: Option<tempfile::TempDir>,
}

impl Fetcher {
    /// A fetcher for `settings` (GOPROXY, GOSUMDB, GONOPROXY, GONOSUMDB, GOINSECURE)
    /// keeping files in `store`.
    pub fn new(settings: &GoSettings, store: Store) -> Result<Fetcher, SetupError> {
        Fetcher::with_client_config(settings, store, ClientConfig::default())
    }

    /// [`Fetcher::new`] with the upstream client's timeouts and limits given.
    pub fn with_client_config(
        settings: &GoSettings,
        store: Store,
        mut client_cfg: ClientConfig,
    ) -> Result<Fetcher, SetupError> {
        // A temporary store dies with the fetcher: it keeps small files in memory and
        // the rest in its temporary directory (see `ScratchStorage`), rather than in
        // the directory layout, whose file creations cost more than the fetching.
        let (dir, temp) = match store {
            Store::Dir(d) => (d, None),
            Store::Temp => {
                let t = tempfile::Builder::new()
                    .prefix("modgate-fetch-")
                    .tempdir()
                    .map_err(|e| SetupError(format!("creating a temporary directory: {e}")))?;
                (t.path().to_owned(), Some(t))
            }
        };
        let (storage, files, spool): (Arc<dyn Storage>, _, _) = if temp.is_some() {
            let s = ScratchStorage::new(&dir);
            (Arc::new(s), None, dir.clone())
        } else {
            let fs = FsStorage::open(&dir)
                .map_err(|e| SetupError(format!("cache directory {}: {e}", dir.display())))?;
            let spool = fs.spool_dir().to_owned();
            (Arc::new(fs.clone()), Some(fs), spool)
        };
        if client_cfg.goinsecure.is_none() {
            client_cfg.goinsecure = Some(settings.goinsecure().to_owned());
        }
        if client_cfg.vcs_dir.is_none() {
            client_cfg.vcs_dir = Some(dir.join(".vcs"));
        }
        let client = Client::new(client_cfg, spool).map_err(|e| SetupError(e.0))?;
        let upstreams = settings.upstreams();
        let options = Options {
            record_hashes: temp.is_none(),
            ..Options::default()
        };
        let parts =
            modgate_cache::assemble::parts(storage, client, &upstreams, options).map_err(|e| {
                SetupError(format!(
                    "{e} (from {} and {})",
                    settings.describe("GOPROXY"),
                    settings.describe("GOSUMDB")
                ))
            })?;
        Ok(Fetcher {
            cache: Arc::new(Cache::new(parts)),
            files,
            _temp: temp,
        })
    }

    /// The cache underneath (for callers needing more than files, such as
    /// checksum-database lookups).
    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    /// Fetches `kind` of `m` into the store and reports its size; the bytes are not
    /// read (a zip may be large).
    pub async fn fetch(&self, m: &Version, kind: FileKind) -> Result<Fetched, FetchError> {
        let what = || format!("{m}.{}", kind.ext());
        let req = ModuleFile::for_version(&m.path, &m.version, kind.ext())
            .and_then(|f| ModuleRequest::new(&m.path, f))
            .map_err(|e| FetchError {
                what: what(),
                error: e.into(),
            })?;
        let answer = self.answer(&req, what).await?;
        Ok(Fetched {
            size: answer_size(&answer),
            origin: answer.origin(),
        })
    }

    /// The bytes of `m`'s go.mod (the proxy's `.mod`), verified.
    pub async fn go_mod(&self, m: &Version) -> Result<Bytes, FetchError> {
        self.read(m, FileKind::Mod).await
    }

    /// `m`'s `.info`.
    pub async fn info(&self, m: &Version) -> Result<Info, FetchError> {
        let data = self.read(m, FileKind::Info).await?;
        serde_json::from_slice(&data).map_err(|e| FetchError {
            what: format!("{m}.info"),
            error: CacheError::Refused {
                upstream: "proxy".into(),
                reason: format!("invalid .info: {e}"),
            },
        })
    }

    /// The body of `path/@v/list` (parse it with `modgate_core::query::VersionList`).
    pub async fn list(&self, path: &str) -> Result<String, FetchError> {
        let what = || format!("{path}/@v/list");
        let req = ModuleRequest::new(path, ModuleFile::List).map_err(|e| FetchError {
            what: what(),
            error: e.into(),
        })?;
        let answer = self.answer(&req, what).await?;
        let data = answer_bytes(answer).await.map_err(|error| FetchError {
            what: what(),
            error,
        })?;
        Ok(String::from_utf8_lossy(&data).into_owned())
    }

    /// `path@latest`, `None` when the proxy has none.
    pub async fn latest(&self, path: &str) -> Result<Option<Info>, FetchError> {
        let what = || format!("{path}@latest");
        let req = ModuleRequest::new(path, ModuleFile::Latest).map_err(|e| FetchError {
            what: what(),
            error: e.into(),
        })?;
        let answer = match self.answer(&req, what).await {
            Ok(a) => a,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let data = answer_bytes(answer).await.map_err(|error| FetchError {
            what: what(),
            error,
        })?;
        serde_json::from_slice(&data)
            .map(Some)
            .map_err(|e| FetchError {
                what: what(),
                error: CacheError::Refused {
                    upstream: "proxy".into(),
                    reason: format!("invalid @latest answer: {e}"),
                },
            })
    }

    /// The bytes of `kind` of `m`, verified (a whole zip in memory: for hashing).
    pub async fn bytes(&self, m: &Version, kind: FileKind) -> Result<Bytes, FetchError> {
        self.read(m, kind).await
    }

    /// `m`'s zip, verified, to read without holding a large one in memory: the
    /// bytes the store already read (a file up to 64 KiB), else the stored file
    /// itself, else (not stored) streamed into an anonymous temporary file (removed
    /// when closed).
    pub async fn zip_file(&self, m: &Version) -> Result<ZipReader, FetchError> {
        let what = || format!("{m}.zip");
        let req = ModuleFile::for_version(&m.path, &m.version, "zip")
            .and_then(|f| ModuleRequest::new(&m.path, f))
            .map_err(|e| FetchError {
                what: what(),
                error: e.into(),
            })?;
        let answer = self.answer(&req, what).await?;
        // Stored files are written once (a rename into place) and never changed:
        // the zip is read where it lies rather than copied, when it is all there
        // (its own descriptor, so no one else's reads move its offset).
        let stored = |file: std::io::Result<std::fs::File>, size: u64| {
            let mut file = file.ok()?;
            let whole = file.metadata().is_ok_and(|md| md.len() == size);
            (whole && std::io::Seek::rewind(&mut file).is_ok()).then_some(ZipReader::File(file))
        };
        match &answer {
            // A small file the store read whole anyway.
            Answer::Stored {
                body: Body::Bytes(b),
                ..
            } => return Ok(ZipReader::Memory(std::io::Cursor::new(b.clone()))),
            Answer::Stored {
                body: Body::File(range),
                ..
            } if range.offset() == 0 => {
                if let Some(z) = stored(range.file().try_clone(), range.len()) {
                    return Ok(z);
                }
            }
            // Just fetched: a stream of the file now in the store.
            Answer::Stored { key, meta, .. } => {
                if let Some(files) = &self.files
                    && let Some(z) = stored(std::fs::File::open(files.path_of(key)), meta.size)
                {
                    return Ok(z);
                }
            }
            Answer::Computed { .. } => {}
        }
        let io = |e: std::io::Error| FetchError {
            what: what(),
            error: CacheError::from(modgate_storage::StorageError::io("spool", what(), e)),
        };
        let file = tempfile::tempfile().map_err(io)?;
        let mut out = tokio::fs::File::from_std(file);
        match answer {
            Answer::Computed { data, .. } => out.write_all(&data).await.map_err(io)?,
            Answer::Stored { body, .. } => match body {
                Body::Bytes(b) => out.write_all(&b).await.map_err(io)?,
                body => {
                    tokio::io::copy(&mut body.into_reader(), &mut out)
                        .await
                        .map_err(io)?;
                }
            },
        }
        out.flush().await.map_err(io)?;
        let mut file = out.into_std().await;
        std::io::Seek::rewind(&mut file).map_err(io)?;
        Ok(ZipReader::File(file))
    }

    async fn read(&self, m: &Version, kind: FileKind) -> Result<Bytes, FetchError> {
        let what = || format!("{m}.{}", kind.ext());
        let req = ModuleFile::for_version(&m.path, &m.version, kind.ext())
            .and_then(|f| ModuleRequest::new(&m.path, f))
            .map_err(|e| FetchError {
                what: what(),
                error: e.into(),
            })?;
        let answer = self.answer(&req, what).await?;
        answer_bytes(answer).await.map_err(|error| FetchError {
            what: what(),
            error,
        })
    }

    async fn answer(
        &self,
        req: &ModuleRequest,
        what: impl Fn() -> String,
    ) -> Result<Answer, FetchError> {
        self.cache
            .module(req, Fetching::Allowed)
            .await
            .map_err(|error| FetchError {
                what: what(),
                error,
            })
    }
}

fn answer_size(a: &Answer) -> u64 {
    match a {
        Answer::Stored { meta, .. } => meta.size,
        Answer::Computed { data, .. } => data.len() as u64,
    }
}

async fn answer_bytes(a: Answer) -> Result<Bytes, CacheError> {
    match a {
        Answer::Computed { data, .. } => Ok(data),
        Answer::Stored {
            key, meta, body, ..
        } => match body {
            Body::Bytes(b) => Ok(b),
            body => {
                let mut buf = Vec::with_capacity(usize::try_from(meta.size).unwrap_or(0));
                body.into_reader()
                    .read_to_end(&mut buf)
                    .await
                    .map_err(|e| {
                        CacheError::from(modgate_storage::StorageError::io("read", key.as_str(), e))
                    })?;
                Ok(Bytes::from(buf))
            }
        },
    }
}
