//! From a storage URL to a store, and what the store can do.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::AsyncReadExt;

use crate::{Conditional, FsStorage, Key, ObjectStorage, OpenError, Storage, StorageError};

/// Opens the store at `url`:
///
/// * `file:///var/lib/modgate` (or a plain directory path): [`FsStorage`];
/// * `s3://bucket/prefix`, `gs://bucket/prefix`, `az://container/prefix`:
///   [`ObjectStorage`], configured from the standard environment variables overridden
///   by `options` (see [`ObjectStorage::connect`]); uploads spool in the system's
///   temporary directory.
///
/// Object stores are contacted (to find out whether conditional writes work), so an
/// unreachable store or wrong credentials fail here.
pub async fn open(
    url: &str,
    options: &BTreeMap<String, String>,
) -> Result<Arc<dyn Storage>, OpenError> {
    open_with_spool(url, options, None).await
}

/// [`open`], with object-store uploads spooled in `spool` (ignored for `file://`,
/// which spools beside its files).
pub async fn open_with_spool(
    url: &str,
    options: &BTreeMap<String, String>,
    spool: Option<&Path>,
) -> Result<Arc<dyn Storage>, OpenError> {
    let dir = if let Some(rest) = url.strip_prefix("file://") {
        if !rest.starts_with('/') {
            return Err(OpenError::Url {
                url: url.to_owned(),
                reason: "a file:// URL needs an absolute path (file:///var/lib/modgate)".into(),
            });
        }
        Some(PathBuf::from(rest))
    } else if !url.contains("://") {
        Some(PathBuf::from(url))
    } else {
        None
    };
    if let Some(dir) = dir {
        if let Some(key) = options.keys().next() {
            return Err(OpenError::Option {
                url: url.to_owned(),
                key: key.clone(),
                reason: "storage options apply to object stores, not to a directory".into(),
            });
        }
        let fs = FsStorage::open(&dir).map_err(|source| OpenError::Dir {
            url: format!("file://{}", dir.display()),
            source,
        })?;
        return Ok(Arc::new(fs));
    }
    let spool = spool.map_or_else(
        || std::env::temp_dir().join("modgate-spool"),
        Path::to_owned,
    );
    Ok(Arc::new(
        ObjectStorage::connect(url, options, &spool).await?,
    ))
}

/// What a store was found able to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// [`Storage::describe`].
    pub store: String,
    /// A ranged read returned exactly the bytes asked for.
    pub ranged_read: bool,
    /// Create-if-absent wrote once and refused the second time.
    pub conditional_create: bool,
    /// How long the whole probe took (about six round trips).
    pub elapsed: Duration,
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let yes = |b| if b { "yes" } else { "no" };
        write!(
            f,
            "storage {}: write/read/delete ok, ranged read {}, conditional create {} ({} ms)",
            self.store,
            yes(self.ranged_read),
            yes(self.conditional_create),
            self.elapsed.as_millis()
        )
    }
}

/// Writes, reads (whole and a range), conditionally creates and deletes scratch
/// objects under `modgate-probe/`. Fails when writing, reading back or deleting
/// fails; ranged reads and conditional creates are reported.
pub async fn probe(storage: &dyn Storage) -> Result<Probe, StorageError> {
    let start = Instant::now();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let id = format!("{}-{nanos:x}", std::process::id());
    let key = Key::new(format!("modgate-probe/{id}"))?;
    let cond_key = Key::new(format!("modgate-probe/{id}-create"))?;
    let data: Bytes = (0..=255u8).cycle().take(4096).collect::<Vec<u8>>().into();
    let mismatch = |what: &str| StorageError::backend("probe", key.as_str(), what.to_owned());

    let result = async {
        storage.put_bytes(&key, data.clone()).await?;
        let back = storage
            .get(&key)
            .await?
            .ok_or_else(|| mismatch("a written object was not found"))?
            .into_bytes(&key)
            .await?;
        if back != data {
            return Err(mismatch("read back different bytes than written"));
        }
        let ranged_read = match storage.get_range(&key, 1000, 100).await {
            Ok(Some(obj)) => {
                let mut buf = Vec::new();
                let read = obj.body.into_reader().read_to_end(&mut buf).await;
                read.is_ok() && buf == data.slice(1000..1100)
            }
            _ => false,
        };
        let conditional_create = matches!(
            storage
                .put_if_absent(&cond_key, Bytes::from_static(b"1"))
                .await?,
            Conditional::Written(_)
        ) && matches!(
            storage
                .put_if_absent(&cond_key, Bytes::from_static(b"2"))
                .await?,
            Conditional::Conflict
        );
        Ok((ranged_read, conditional_create))
    }
    .await;
    let deleted = storage.delete(&key).await;
    let _ = storage.delete(&cond_key).await;
    let (ranged_read, conditional_create) = result?;
    if !deleted? || storage.stat(&key).await?.is_some() {
        return Err(mismatch("a deleted object is still there"));
    }
    Ok(Probe {
        store: storage.describe(),
        ranged_read,
        conditional_create,
        elapsed: start.elapsed(),
    })
}
