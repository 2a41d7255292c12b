//! Object stores (S3 and S3-compatible stores, Google Cloud Storage, Azure Blob
//! Storage) through the `object_store` crate.
//!
//! * **Layout.** A key is stored verbatim under the URL's prefix: key
//!   `golang.org/x/mod/@v/v0.1.0.zip` of `s3://bucket/cache` is the object
//!   `cache/golang.org/x/mod/@v/v0.1.0.zip`, the same tree as [`crate::FsStorage`]. Keys
//!   never start an element with `.`, so the store's own objects live under
//!   `<prefix>/.modgate/` where no key can reach them.
//! * **Entity tags come from the content.** Every write records the SHA-256 of the
//!   content as user metadata (`x-amz-meta-sha256` on S3) and the entity tag is
//!   `"sha256-<hex>"`: every replica, and a backup holding the same bytes, gives the same
//!   validator. Objects written by something else fall back to the store's own ETag.
//! * **Uploads spool.** An [`Upload`] writes to a local temporary file (the hash must be
//!   known before the object is created, to be recorded with it); committing sends it in
//!   one PUT up to [`MULTIPART_THRESHOLD`], and as a multipart upload of
//!   [`PART_SIZE`] parts, at most [`PARTS_IN_FLIGHT`] at once, above it; all uploads of a
//!   store together hold at most [`UPLOAD_MEMORY`] (the rest wait). An upload dropped
//!   before commit leaves only its local file, which it removes; a multipart upload
//!   interrupted mid-commit is aborted in the background.
//! * **Reads stream.** Objects up to 64 KiB are read whole; larger ones (and ranges) come
//!   as a stream of the HTTP body, so a 500 MB zip never sits in memory.
//! * **Conditional writes only where they work.** [`ObjectStorage::connect`] tries
//!   `PutMode::Create` and `PutMode::Update` on a scratch object; only when both behave
//!   (Garage, for one, ignores them) do [`Storage::put_if_absent`] and
//!   [`Storage::compare_and_swap`] use them; otherwise they answer
//!   [`Conditional::Unsupported`].
//! * **Every request has a deadline.** Connect 5 s, a stalled read 30 s, and at most 3
//!   retries within 60 s (object_store's backoff); no total per-request timeout, which
//!   would kill a large zip on a slow link (Athens' fixed timeout, athens#1690). All of
//!   them can be changed in the options table.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::{Path as FsPath, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, ClientOptions, GetOptions, GetRange, GetResult, MultipartUpload,
    ObjectMeta, ObjectStore, ObjectStoreExt, PutMode, PutMultipartOptions, PutOptions, PutPayload,
    PutPayloadMut, RetryConfig, UpdateVersion,
};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

use crate::fs::{append_chunk, append_file, blocking, hex};
use crate::{Body, Conditional, Key, Meta, Object, Storage, StorageError, TEMP_PREFIX, Upload};

/// Uploads larger than this go up in parts.
pub const MULTIPART_THRESHOLD: u64 = 16 * 1024 * 1024;
/// Size of one part (S3 wants at least 5 MiB, all but the last).
pub const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts uploaded at once: bounds an upload's memory to about this many parts.
pub const PARTS_IN_FLIGHT: usize = 2;
/// Memory all uploads of one store may hold at once (parts being sent, small
/// objects read whole); an upload over budget waits, its content safe in its spool
/// file. Bounds a burst of cold fills, not just one.
pub const UPLOAD_MEMORY: usize = 32 * 1024 * 1024;
/// How long a successful writability check stands (readiness probes).
const WRITABLE_FOR: Duration = Duration::from_secs(10);
/// What a multipart upload reads from its spool file at a time.
const READ_CHUNK: usize = 1024 * 1024;
/// Objects up to this size are read whole when opened.
const SMALL: u64 = 64 * 1024;
/// The user metadata that records the content's SHA-256 (hex).
const SHA_ATTR: &str = "sha256";
/// Where the store's own scratch objects go (no key can name it).
const PRIVATE: &str = ".modgate";

/// Option keys modgate reads itself (the rest go to object_store's builders).
const OWN_OPTIONS: &[&str] = &["max_retries", "retry_timeout"];

/// An object-store backend.
#[derive(Debug, Clone)]
pub struct ObjectStorage {
    store: Arc<dyn ObjectStore>,
    /// The key prefix inside the bucket, without slashes around it ("" for none).
    prefix: String,
    /// The URL it was opened with (without credentials), for logs.
    url: String,
    spool: PathBuf,
    conditional: bool,
    /// [`UPLOAD_MEMORY`] in KiB permits.
    upload_memory: Arc<tokio::sync::Semaphore>,
    /// When [`Storage::check_writable`] last succeeded.
    writable_at: Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

/// Why a store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("storage URL {url:?}: {reason}")]
    Url { url: String, reason: String },
    #[error("storage option {key:?} for {url}: {reason}")]
    Option {
        url: String,
        key: String,
        reason: String,
    },
    #[error("storage {url}: {source}")]
    Build {
        url: String,
        #[source]
        source: object_store::Error,
    },
    #[error("storage {url}: spool directory {dir}: {source}")]
    Spool {
        url: String,
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "storage {url}: cannot write a probe object (unreachable, wrong credentials or no permission?): {source}"
    )]
    Unreachable {
        url: String,
        #[source]
        source: object_store::Error,
    },
    #[error("storage {url}: {source}")]
    Dir {
        url: String,
        #[source]
        source: io::Error,
    },
}

impl ObjectStorage {
    /// Builds the client for `url` (`s3://bucket/prefix`, `gs://…`, `az://container/…`)
    /// from the standard environment variables (`AWS_*`, `GOOGLE_*`, `AZURE_*`)
    /// overridden by `options` (object_store's key names, e.g. `endpoint`, `region`,
    /// `access_key_id`, `secret_access_key`, `allow_http`; and modgate's `max_retries`,
    /// `retry_timeout`), then finds out whether the store's conditional writes work.
    /// Uploads spool in `spool` (created if missing).
    pub async fn connect(
        url: &str,
        options: &BTreeMap<String, String>,
        spool: &FsPath,
    ) -> Result<ObjectStorage, OpenError> {
        let mut storage = ObjectStorage::build(url, options, spool)?;
        storage.conditional = storage.detect_conditional().await?;
        Ok(storage)
    }

    /// [`ObjectStorage::connect`] without contacting the store: conditional writes off.
    pub fn build(
        url: &str,
        options: &BTreeMap<String, String>,
        spool: &FsPath,
    ) -> Result<ObjectStorage, OpenError> {
        let bad_url = |reason: &str| OpenError::Url {
            url: redact(url),
            reason: reason.to_owned(),
        };
        let parsed = url::Url::parse(url).map_err(|e| bad_url(&e.to_string()))?;
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(bad_url("no bucket or container name"));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(bad_url(
                "credentials do not belong in the URL: use the environment or the options table",
            ));
        }
        let prefix = parsed.path().trim_matches('/').to_owned();
        if !prefix.is_empty() {
            Key::new(prefix.clone()).map_err(|e| bad_url(&format!("prefix: {}", e.reason)))?;
        }
        let clean = format!(
            "{}://{}/{}",
            parsed.scheme(),
            parsed.host_str().unwrap_or_default(),
            prefix
        );
        let clean = clean.trim_end_matches('/').to_owned();

        let mut retry = RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(60),
            ..RetryConfig::default()
        };
        let opt_err = |key: &str, reason: String| OpenError::Option {
            url: clean.clone(),
            key: key.to_owned(),
            reason,
        };
        if let Some(v) = options.get("max_retries") {
            retry.max_retries = v
                .parse()
                .map_err(|e| opt_err("max_retries", format!("{v:?}: {e}")))?;
        }
        if let Some(v) = options.get("retry_timeout") {
            retry.retry_timeout =
                parse_duration(v).map_err(|e| opt_err("retry_timeout", format!("{v:?}: {e}")))?;
        }
        let client = ClientOptions::new()
            .with_timeout_disabled()
            .with_connect_timeout(Duration::from_secs(5))
            .with_read_timeout(Duration::from_secs(30));
        let passed = options
            .iter()
            .filter(|(k, _)| !OWN_OPTIONS.contains(&k.as_str()));

        macro_rules! configure {
            ($builder:ty, $key:ty, $env_prefix:literal) => {{
                let mut b = <$builder>::default()
                    .with_client_options(client)
                    .with_retry(retry);
                // What `from_env` does, after our defaults rather than before them.
                for (k, v) in std::env::vars() {
                    if k.starts_with($env_prefix) {
                        if let Ok(key) = k.to_ascii_lowercase().parse::<$key>() {
                            b = b.with_config(key, v);
                        }
                    }
                }
                for (k, v) in passed {
                    let key = k
                        .parse::<$key>()
                        .map_err(|_| opt_err(k, "not an option of this kind of store".into()))?;
                    b = b.with_config(key, v.clone());
                }
                b
            }};
        }
        let build_err = |source| OpenError::Build {
            url: clean.clone(),
            source,
        };
        let store: Arc<dyn ObjectStore> = match parsed.scheme() {
            "s3" | "s3a" => {
                let b = configure!(
                    object_store::aws::AmazonS3Builder,
                    object_store::aws::AmazonS3ConfigKey,
                    "AWS_"
                );
                Arc::new(b.with_url(url).build().map_err(build_err)?)
            }
            "gs" => {
                let mut b = configure!(
                    object_store::gcp::GoogleCloudStorageBuilder,
                    object_store::gcp::GoogleConfigKey,
                    "GOOGLE_"
                );
                if let Ok(path) = std::env::var("SERVICE_ACCOUNT") {
                    b = b.with_service_account_path(path);
                }
                Arc::new(b.with_url(url).build().map_err(build_err)?)
            }
            "az" | "azure" | "abfs" | "abfss" => {
                let mut b = configure!(
                    object_store::azure::MicrosoftAzureBuilder,
                    object_store::azure::AzureConfigKey,
                    "AZURE_"
                );
                if let Ok(endpoint) = std::env::var("IDENTITY_ENDPOINT") {
                    b = b.with_msi_endpoint(endpoint);
                }
                Arc::new(b.with_url(url).build().map_err(build_err)?)
            }
            other => {
                return Err(bad_url(&format!(
                    "unknown scheme {other:?} (file://, s3://, gs://, az://)"
                )));
            }
        };
        std::fs::create_dir_all(spool).map_err(|source| OpenError::Spool {
            url: clean.clone(),
            dir: spool.to_owned(),
            source,
        })?;
        Ok(ObjectStorage {
            store,
            prefix,
            url: clean,
            spool: spool.to_owned(),
            conditional: false,
            upload_memory: upload_budget(),
            writable_at: Arc::default(),
        })
    }

    /// Wraps an already built store (for tests and embedders); conditional writes off.
    pub fn from_store(
        store: Arc<dyn ObjectStore>,
        prefix: &str,
        describe: &str,
        spool: &FsPath,
    ) -> io::Result<ObjectStorage> {
        std::fs::create_dir_all(spool)?;
        Ok(ObjectStorage {
            store,
            prefix: prefix.trim_matches('/').to_owned(),
            url: describe.to_owned(),
            spool: spool.to_owned(),
            conditional: false,
            upload_memory: upload_budget(),
            writable_at: Arc::default(),
        })
    }

    /// Whether conditional writes are used (the store passed the check at connect).
    pub fn conditional_writes(&self) -> bool {
        self.conditional
    }

    /// The directory uploads spool in.
    pub fn spool_dir(&self) -> &FsPath {
        &self.spool
    }

    fn raw(&self, name: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from_iter(name.split('/'))
        } else {
            Path::from_iter(self.prefix.split('/').chain(name.split('/')))
        }
    }

    fn path(&self, key: &Key) -> Path {
        // Keys are printable ASCII without empty or dot elements: object_store's
        // encoding leaves them as they are except for a few characters (`~`, `{`, …)
        // that S3 advises against, which it percent-encodes reversibly.
        self.raw(key.as_str())
    }

    /// The key of a listed object, if it is one (not under `.modgate/`, not foreign).
    fn key_of(&self, location: &Path) -> Option<Key> {
        let mut parts = location.parts();
        if !self.prefix.is_empty() {
            for want in self.prefix.split('/') {
                if parts.next()?.as_ref() != object_store::path::PathPart::from(want).as_ref() {
                    return None;
                }
            }
        }
        let mut out = String::new();
        for part in parts {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(&decode(part.as_ref())?);
        }
        Key::new(out).ok()
    }

    async fn head(&self, key: &Key) -> Result<Option<(ObjectMeta, Meta)>, StorageError> {
        let opts = GetOptions {
            head: true,
            ..GetOptions::default()
        };
        match self.store.get_opts(&self.path(key), opts).await {
            Ok(r) => {
                let meta = meta_of(&r.meta, &r.attributes);
                Ok(Some((r.meta, meta)))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(StorageError::backend("stat", key.as_str(), e)),
        }
    }

    /// Tries create-if-absent and update-if-match on a scratch object: both must
    /// succeed when they should and refuse when they should.
    async fn detect_conditional(&self) -> Result<bool, OpenError> {
        let path = self.raw(&format!("{PRIVATE}/probe-{}", unique()));
        let unreachable = |source| OpenError::Unreachable {
            url: self.url.clone(),
            source,
        };
        let put = |mode: PutMode, data: &'static [u8]| {
            let path = path.clone();
            async move {
                self.store
                    .put_opts(&path, PutPayload::from_static(data), mode.into())
                    .await
            }
        };
        let works = async {
            let first = match put(PutMode::Create, b"1").await {
                Ok(r) => r,
                Err(object_store::Error::NotImplemented { .. })
                | Err(object_store::Error::NotSupported { .. }) => return Ok(false),
                Err(e) => return Err(e),
            };
            match put(PutMode::Create, b"2").await {
                Err(object_store::Error::AlreadyExists { .. })
                | Err(object_store::Error::Precondition { .. }) => {}
                _ => return Ok(false),
            }
            let stale = UpdateVersion {
                e_tag: Some("\"modgate-no-such-etag\"".into()),
                version: None,
            };
            match put(PutMode::Update(stale), b"3").await {
                Err(object_store::Error::Precondition { .. }) => {}
                _ => return Ok(false),
            }
            Ok(put(PutMode::Update(first.into()), b"4").await.is_ok())
        }
        .await;
        let _ = self.store.delete(&path).await;
        works.map_err(unreachable)
    }

    fn sha_attributes(hex: &str) -> Attributes {
        let mut attrs = Attributes::new();
        attrs.insert(Attribute::Metadata(SHA_ATTR.into()), hex.to_owned().into());
        attrs
    }

    async fn put_conditional(
        &self,
        key: &Key,
        data: Bytes,
        mode: PutMode,
    ) -> Result<Conditional, StorageError> {
        let hex = sha256_hex(&data);
        let size = data.len() as u64;
        let opts = PutOptions {
            mode,
            attributes: Self::sha_attributes(&hex),
            ..PutOptions::default()
        };
        match self
            .store
            .put_opts(&self.path(key), PutPayload::from_bytes(data), opts)
            .await
        {
            Ok(_) => Ok(Conditional::Written(
                stored_meta(self.store.as_ref(), &self.path(key), size, &hex).await,
            )),
            Err(object_store::Error::AlreadyExists { .. })
            | Err(object_store::Error::Precondition { .. }) => Ok(Conditional::Conflict),
            Err(e) => Err(StorageError::backend("write", key.as_str(), e)),
        }
    }
}

#[async_trait]
impl Storage for ObjectStorage {
    async fn stat(&self, key: &Key) -> Result<Option<Meta>, StorageError> {
        Ok(self.head(key).await?.map(|(_, m)| m))
    }

    async fn get(&self, key: &Key) -> Result<Option<Object>, StorageError> {
        let r = match self
            .store
            .get_opts(&self.path(key), GetOptions::default())
            .await
        {
            Ok(r) => r,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(StorageError::backend("read", key.as_str(), e)),
        };
        let meta = meta_of(&r.meta, &r.attributes);
        let body = body_of(r, meta.size, key).await?;
        Ok(Some(Object { meta, body }))
    }

    async fn get_range(
        &self,
        key: &Key,
        offset: u64,
        len: u64,
    ) -> Result<Option<Object>, StorageError> {
        let bad_range = |size: u64| {
            StorageError::io(
                "read",
                key.as_str(),
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("range {offset}+{len} outside the object of {size} bytes"),
                ),
            )
        };
        if len == 0 {
            let Some(meta) = self.stat(key).await? else {
                return Ok(None);
            };
            if offset > meta.size {
                return Err(bad_range(meta.size));
            }
            return Ok(Some(Object {
                meta,
                body: Body::Bytes(Bytes::new()),
            }));
        }
        let Some(end) = offset.checked_add(len) else {
            return Err(bad_range(0));
        };
        let opts = GetOptions {
            range: Some(GetRange::Bounded(offset..end)),
            ..GetOptions::default()
        };
        let r = match self.store.get_opts(&self.path(key), opts).await {
            Ok(r) => r,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => {
                // A range past the end is the caller's mistake: say so plainly.
                if let Some((_, meta)) = self.head(key).await?
                    && end > meta.size
                {
                    return Err(bad_range(meta.size));
                }
                return Err(StorageError::backend("read", key.as_str(), e));
            }
        };
        let meta = meta_of(&r.meta, &r.attributes);
        if r.range != (offset..end) {
            return Err(bad_range(meta.size));
        }
        let body = body_of(r, len, key).await?;
        Ok(Some(Object { meta, body }))
    }

    async fn put_bytes(&self, key: &Key, data: Bytes) -> Result<Meta, StorageError> {
        match self.put_conditional(key, data, PutMode::Overwrite).await? {
            Conditional::Written(meta) => Ok(meta),
            _ => Err(StorageError::backend(
                "write",
                key.as_str(),
                "unconditional write reported a conflict",
            )),
        }
    }

    async fn upload(&self, key: &Key) -> Result<Box<dyn Upload>, StorageError> {
        let spool = self.spool.clone();
        let file = tokio::task::spawn_blocking(move || {
            tempfile::Builder::new()
                .prefix(TEMP_PREFIX)
                .tempfile_in(spool)
        })
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)))
        .map_err(|e| StorageError::io("upload", key.as_str(), e))?;
        Ok(Box::new(ObjectUpload {
            store: self.store.clone(),
            memory: self.upload_memory.clone(),
            key: key.to_string(),
            path: self.path(key),
            file: Some(file),
            written: false,
        }))
    }

    async fn put_if_absent(&self, key: &Key, data: Bytes) -> Result<Conditional, StorageError> {
        if !self.conditional {
            return Ok(Conditional::Unsupported);
        }
        self.put_conditional(key, data, PutMode::Create).await
    }

    async fn compare_and_swap(
        &self,
        key: &Key,
        expected: Option<&str>,
        data: Bytes,
    ) -> Result<Conditional, StorageError> {
        if !self.conditional {
            return Ok(Conditional::Unsupported);
        }
        let Some(expected) = expected else {
            return self.put_conditional(key, data, PutMode::Create).await;
        };
        // Our entity tag is the content's; the store's own ETag is what it can
        // compare atomically: check ours, then make the write conditional on its.
        let Some((raw, meta)) = self.head(key).await? else {
            return Ok(Conditional::Conflict);
        };
        if meta.etag != expected {
            return Ok(Conditional::Conflict);
        }
        let version = UpdateVersion {
            e_tag: raw.e_tag,
            version: raw.version,
        };
        self.put_conditional(key, data, PutMode::Update(version))
            .await
    }

    async fn list(&self, prefix: &Key) -> Result<Vec<Key>, StorageError> {
        let metas: Vec<ObjectMeta> = self
            .store
            .list(Some(&self.path(prefix)))
            .try_collect()
            .await
            .map_err(|e| StorageError::backend("list", prefix.as_str(), e))?;
        let mut keys: Vec<Key> = metas
            .iter()
            .filter_map(|m| self.key_of(&m.location))
            .collect();
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    async fn list_all(&self) -> Result<Vec<Key>, StorageError> {
        let root = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()));
        let metas: Vec<ObjectMeta> = self
            .store
            .list(root.as_ref())
            .try_collect()
            .await
            .map_err(|e| StorageError::backend("list", "", e))?;
        let mut keys: Vec<Key> = metas
            .iter()
            .filter_map(|m| self.key_of(&m.location))
            .collect();
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    async fn delete(&self, key: &Key) -> Result<bool, StorageError> {
        // Object stores delete absent objects without complaint: ask first.
        if self.head(key).await?.is_none() {
            return Ok(false);
        }
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(true),
            Err(e) => Err(StorageError::backend("delete", key.as_str(), e)),
        }
    }

    /// Removes stale spool files. Abandoned multipart uploads cannot be listed through
    /// object_store: an interrupted commit aborts its own upload, and for uploads of a
    /// killed process the bucket needs a lifecycle rule
    /// (`AbortIncompleteMultipartUpload`), see docs/deployment.md.
    async fn sweep(&self, older_than: Duration) -> Result<usize, StorageError> {
        let spool = self.spool.clone();
        tokio::task::spawn_blocking(move || sweep_spool(&spool, older_than))
            .await
            .unwrap_or_else(|e| Err(io::Error::other(e)))
            .map_err(|e| StorageError::io("sweep", self.spool.display().to_string(), e))
    }

    /// Writes and deletes a scratch object, at most once per 10 s: a
    /// success is remembered that long, so readiness probes of many replicas do not
    /// turn into a steady stream of billed writes (failures are never remembered).
    async fn check_writable(&self) -> Result<(), StorageError> {
        let last = *self.writable_at.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|t| t.elapsed() < WRITABLE_FOR) {
            return Ok(());
        }
        let name = format!("{PRIVATE}/writable-{}", unique());
        let path = self.raw(&name);
        self.store
            .put_opts(&path, PutPayload::from_static(b"ok"), PutOptions::default())
            .await
            .map_err(|e| StorageError::backend("probe", &name, e))?;
        self.store
            .delete(&path)
            .await
            .map_err(|e| StorageError::backend("probe", &name, e))?;
        *self.writable_at.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(std::time::Instant::now());
        Ok(())
    }

    fn describe(&self) -> String {
        self.url.clone()
    }

    fn local_spool(&self) -> Option<PathBuf> {
        Some(self.spool.clone())
    }
}

/// An upload spooled to a local file, sent to the store on commit.
struct ObjectUpload {
    memory: Arc<tokio::sync::Semaphore>,
    store: Arc<dyn ObjectStore>,
    key: String,
    path: Path,
    /// The spool file (removed when dropped); `None` once committed or aborted.
    file: Option<tempfile::NamedTempFile>,
    written: bool,
}

impl ObjectUpload {
    fn spool_path(&self) -> Result<PathBuf, StorageError> {
        self.file
            .as_ref()
            .map(|f| f.path().to_owned())
            .ok_or_else(|| {
                StorageError::io(
                    "upload",
                    &self.key,
                    io::Error::other("upload already ended"),
                )
            })
    }
}

#[async_trait]
impl Upload for ObjectUpload {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        let path = self.spool_path()?;
        self.written = true;
        append_chunk(path, chunk)
            .await
            .map_err(|e| StorageError::io("upload", &self.key, e))
    }

    async fn write_file(&mut self, src: PathBuf) -> Result<(), StorageError> {
        let path = self.spool_path()?;
        let first = !self.written;
        self.written = true;
        append_file(path, src, first)
            .await
            .map_err(|e| StorageError::io("upload", &self.key, e))
    }

    async fn commit(mut self: Box<Self>) -> Result<Meta, StorageError> {
        let path = self.spool_path()?;
        let key = self.key.clone();
        let io_err = |e| StorageError::io("commit", &key, e);
        let (hex, size) = blocking({
            let path = path.clone();
            move || hash_file(&path)
        })
        .await
        .map_err(io_err)?;
        let attributes = ObjectStorage::sha_attributes(&hex);
        let backend = |e| StorageError::backend("commit", &key, e);
        // What this commit holds in memory at most: the object, or the parts in flight.
        let need = size
            .min((PARTS_IN_FLIGHT * PART_SIZE) as u64)
            .div_ceil(1024);
        let permits = u32::try_from(need)
            .unwrap_or(u32::MAX)
            .min(budget_permits());
        let _memory = self
            .memory
            .acquire_many(permits)
            .await
            .map_err(|e| StorageError::io("commit", &key, io::Error::other(e)))?;
        if size <= MULTIPART_THRESHOLD {
            let data = tokio::fs::read(&path).await.map_err(io_err)?;
            let opts = PutOptions {
                attributes,
                ..PutOptions::default()
            };
            self.store
                .put_opts(&self.path, PutPayload::from(data), opts)
                .await
                .map_err(backend)?;
        } else {
            let opts = PutMultipartOptions {
                attributes,
                ..PutMultipartOptions::default()
            };
            let upload = self
                .store
                .put_multipart_opts(&self.path, opts)
                .await
                .map_err(backend)?;
            // Until completed, the upload is aborted if this ends early: an error, or
            // the commit's future dropped (a client gone, a shutdown).
            let mut parts = Parts {
                upload: Some(upload),
                sending: tokio::task::JoinSet::new(),
            };
            let mut file = tokio::fs::File::open(&path).await.map_err(io_err)?;
            let mut part = PutPayloadMut::new();
            let mut sent = 0u64;
            loop {
                // At most PARTS_IN_FLIGHT parts in memory: sent ones and this one.
                while parts.sending.len() >= PARTS_IN_FLIGHT {
                    parts.next_sent().await.map_err(backend)?;
                }
                // Parts are assembled from 1 MiB reads (a part is a list of chunks, not
                // one copy): small buffers are reused by the allocator across uploads,
                // where 8 MiB ones pile up in its per-thread arenas.
                let mut buf = vec![0u8; READ_CHUNK];
                let n = read_full(&mut file, &mut buf).await.map_err(io_err)?;
                buf.truncate(n);
                sent += n as u64;
                if n > 0 {
                    part.push(Bytes::from(buf));
                }
                if part.content_length() >= PART_SIZE || (n == 0 && part.content_length() > 0) {
                    parts.send(std::mem::take(&mut part).into());
                }
                if n == 0 {
                    break;
                }
            }
            if sent != size {
                return Err(io_err(io::Error::other(format!(
                    "spool file changed while uploading ({sent} of {size} bytes)"
                ))));
            }
            while !parts.sending.is_empty() {
                parts.next_sent().await.map_err(backend)?;
            }
            parts.complete().await.map_err(backend)?;
        }
        self.file = None; // sent: the spool file is removed here
        Ok(stored_meta(self.store.as_ref(), &self.path, size, &hex).await)
    }

    async fn abort(mut self: Box<Self>) -> Result<(), StorageError> {
        match self.file.take() {
            Some(f) => blocking(move || f.close())
                .await
                .map_err(|e| StorageError::io("abort", &self.key, e)),
            None => Ok(()),
        }
    }
}

/// The metadata of an object just written with content `hex`, as a later `stat`
/// will give it: the store's modification time is the `Last-Modified` every replica
/// serves, so it is asked for (one HEAD); if that fails, the local clock stands in.
async fn stored_meta(store: &dyn ObjectStore, path: &Path, size: u64, hex: &str) -> Meta {
    let head = GetOptions {
        head: true,
        ..GetOptions::default()
    };
    let modified = match store.get_opts(path, head).await {
        Ok(r) if r.meta.size == size => SystemTime::from(r.meta.last_modified),
        _ => SystemTime::now(),
    };
    Meta {
        size,
        modified,
        etag: etag_of_sha(hex),
    }
}

/// A multipart upload in progress and its parts being sent. Dropped before
/// [`Parts::complete`] (an error, or the commit's future dropped), it stops the parts
/// and aborts the upload in the background: parts left behind cost money.
struct Parts {
    upload: Option<Box<dyn MultipartUpload>>,
    sending: tokio::task::JoinSet<object_store::Result<()>>,
}

impl Parts {
    fn send(&mut self, part: PutPayload) {
        if let Some(u) = self.upload.as_mut() {
            self.sending.spawn(u.put_part(part));
        }
    }

    /// Waits for one part to be sent.
    async fn next_sent(&mut self) -> object_store::Result<()> {
        match self.sending.join_next().await {
            Some(Ok(r)) => r,
            Some(Err(e)) => Err(object_store::Error::Generic {
                store: "upload",
                source: Box::new(e),
            }),
            None => Ok(()),
        }
    }

    async fn complete(&mut self) -> object_store::Result<()> {
        let Some(u) = self.upload.as_mut() else {
            return Ok(());
        };
        u.complete().await?;
        self.upload = None;
        Ok(())
    }
}

impl Drop for Parts {
    fn drop(&mut self) {
        let Some(mut upload) = self.upload.take() else {
            return;
        };
        let mut sending = std::mem::take(&mut self.sending);
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                sending.shutdown().await;
                if let Err(e) = upload.abort().await {
                    tracing::warn!(error = %e, "aborting an interrupted multipart upload failed");
                }
            });
        }
    }
}

fn budget_permits() -> u32 {
    (UPLOAD_MEMORY / 1024) as u32
}

fn upload_budget() -> Arc<tokio::sync::Semaphore> {
    Arc::new(tokio::sync::Semaphore::new(budget_permits() as usize))
}

/// Reads until `buf` is full or the file ends.
async fn read_full(file: &mut tokio::fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let m = file.read(&mut buf[n..]).await?;
        if m == 0 {
            break;
        }
        n += m;
    }
    Ok(n)
}

fn hash_file(path: &FsPath) -> io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    Ok((hex(&h.finalize()), size))
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// The entity tag of content whose SHA-256 is `hex`.
pub fn etag_of_sha(hex: &str) -> String {
    format!("\"sha256-{hex}\"")
}

fn meta_of(m: &ObjectMeta, attrs: &Attributes) -> Meta {
    let sha = attrs
        .get(&Attribute::Metadata(SHA_ATTR.into()))
        .map(|v| v.as_ref().to_ascii_lowercase())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()));
    let etag = match (sha, &m.e_tag) {
        (Some(hex), _) => etag_of_sha(&hex),
        (None, Some(e)) if e.starts_with('"') || e.starts_with("W/") => e.clone(),
        (None, Some(e)) => format!("\"{e}\""),
        (None, None) => format!(
            "\"{:x}-{:x}\"",
            m.last_modified.timestamp_nanos_opt().unwrap_or(0),
            m.size
        ),
    };
    Meta {
        size: m.size,
        modified: SystemTime::from(m.last_modified),
        etag,
    }
}

async fn body_of(r: GetResult, len: u64, key: &Key) -> Result<Body, StorageError> {
    if len <= SMALL {
        let data = r
            .bytes()
            .await
            .map_err(|e| StorageError::backend("read", key.as_str(), e))?;
        return Ok(Body::Bytes(data));
    }
    let stream = r.into_stream().map_err(io::Error::other).boxed();
    Ok(Body::Reader(Box::new(StreamBody(std::sync::Mutex::new(
        tokio_util::io::StreamReader::new(stream),
    )))))
}

type ByteStream = futures_util::stream::BoxStream<'static, io::Result<Bytes>>;

/// An HTTP body as a reader. The mutex is never locked (reading has `&mut`): it
/// only makes the stream, which is `Send` but not `Sync`, shareable as `Body` wants.
struct StreamBody(std::sync::Mutex<tokio_util::io::StreamReader<ByteStream, Bytes>>);

impl AsyncRead for StreamBody {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let inner = self
            .get_mut()
            .0
            .get_mut()
            .unwrap_or_else(|p| p.into_inner());
        Pin::new(inner).poll_read(cx, buf)
    }
}

fn decode(part: &str) -> Option<String> {
    if !part.contains('%') {
        return Some(part.to_owned());
    }
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let h = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `url` without what could be a secret (user information before `@`).
pub(crate) fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            match authority.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://***@{host}{path}"),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

fn unique() -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}-{nanos:x}", std::process::id())
}

/// `30s`, `5m`, `1h`, `250ms`, or plain seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| "not a duration (e.g. 30s)".to_owned())?;
    Ok(match unit.trim() {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        _ => return Err("unknown unit (ms, s, m, h)".to_owned()),
    })
}

fn sweep_spool(dir: &FsPath, older_than: Duration) -> io::Result<usize> {
    let now = SystemTime::now();
    let mut removed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let md = entry.metadata()?;
        let age = md
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        if md.is_file() && age >= older_than && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert!(parse_duration("x").is_err());
        assert!(parse_duration("3d").is_err());
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(decode("a%7Eb").as_deref(), Some("a~b"));
        assert_eq!(decode("plain!x").as_deref(), Some("plain!x"));
        assert_eq!(decode("bad%7"), None);
    }

    #[test]
    fn bad_urls_and_options_are_named() {
        let spool = tempfile::tempdir().unwrap();
        let none = BTreeMap::new();
        let err = ObjectStorage::build("ftp://x/y", &none, spool.path()).unwrap_err();
        assert!(err.to_string().contains("unknown scheme \"ftp\""), "{err}");
        let err = ObjectStorage::build("s3:///nobucket", &none, spool.path()).unwrap_err();
        assert!(err.to_string().contains("no bucket"), "{err}");
        let err =
            ObjectStorage::build("s3://key:secret@bucket/p", &none, spool.path()).unwrap_err();
        assert!(err.to_string().contains("credentials"), "{err}");
        assert!(!err.to_string().contains("secret@"), "{err}");
        let opts = BTreeMap::from([("endpiont".to_owned(), "http://x".to_owned())]);
        let err = ObjectStorage::build("s3://b/p", &opts, spool.path()).unwrap_err();
        assert!(
            err.to_string().contains("\"endpiont\"") && err.to_string().contains("s3://b/p"),
            "{err}"
        );
        let opts = BTreeMap::from([("retry_timeout".to_owned(), "soon".to_owned())]);
        let err = ObjectStorage::build("s3://b/p", &opts, spool.path()).unwrap_err();
        assert!(err.to_string().contains("retry_timeout"), "{err}");
    }

    /// GCS and Azure build from their own option names (no network: not contacted).
    #[test]
    fn gcs_and_azure_build_from_their_options() {
        let spool = tempfile::tempdir().unwrap();
        let opts = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let az = ObjectStorage::build(
            "az://modules/cache",
            &opts(&[
                ("account_name", "devstoreaccount1"),
                ("use_emulator", "true"),
            ]),
            spool.path(),
        )
        .unwrap();
        assert_eq!(az.describe(), "az://modules/cache");
        let gs = ObjectStorage::build(
            "gs://modules/cache",
            &opts(&[("service_account_key", "{}"), ("skip_signature", "true")]),
            spool.path(),
        );
        // An invalid key is the builder's complaint, named with the URL, not a panic.
        if let Err(e) = &gs {
            assert!(e.to_string().contains("gs://modules/cache"), "{e}");
        }
        let err = ObjectStorage::build(
            "gs://modules/cache",
            &opts(&[("access_key_id", "x")]),
            spool.path(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("\"access_key_id\""), "{err}");
    }

    #[test]
    fn keys_map_to_paths_and_back() {
        let spool = tempfile::tempdir().unwrap();
        let s = ObjectStorage::build("s3://b/some/prefix", &BTreeMap::new(), spool.path()).unwrap();
        for k in [
            "golang.org/x/mod/@v/v0.1.0.zip",
            "example.com/!upper/@v/list",
            "odd~name/{x}/a%b",
        ] {
            let key = Key::new(k).unwrap();
            let p = s.path(&key);
            assert!(p.as_ref().starts_with("some/prefix/"), "{p}");
            assert_eq!(s.key_of(&p), Some(key));
        }
        assert_eq!(
            s.path(&Key::new("golang.org/x/mod/@v/v0.1.0.zip").unwrap())
                .as_ref(),
            "some/prefix/golang.org/x/mod/@v/v0.1.0.zip"
        );
        assert_eq!(s.key_of(&Path::from("other/x")), None);
        assert_eq!(s.key_of(&s.raw(".modgate/probe-1")), None);
    }
}
