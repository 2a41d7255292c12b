//! Stored bytes against the hash recorded when they were verified.
//!
//! When a `.zip` or `.mod` passes verification its `h1:` hash is stored beside it
//! ([`keys::recorded_hash`]: `.ziphash` as in the go command's module cache, and
//! `.modhash`). Reading one back from storage, the cache re-hashes it once per
//! process and stored version (key and entity tag) before serving it, and refuses
//! bytes that differ ([`CacheError::Corrupt`]); the scrub ([`crate::scrub`]) does the
//! same for every stored copy. A file stored before hashes were recorded has none and
//! is served as it is.
//!
//! A zip that is not read whole is spooled to an anonymous temporary file, hashed
//! there, and served from that file: the bytes served are the bytes checked.

use std::io::{Seek, SeekFrom};
use std::path::Path;

use bytes::Bytes;
use modgate_core::dirhash;
use modgate_storage::{Body, Key, Object, Storage, StorageError};
use tokio::io::AsyncReadExt;

use crate::error::CacheError;
use crate::{Cache, hot, keys};

/// An object's body, held whole in memory or in an anonymous temporary file.
pub enum Held {
    Bytes(Bytes),
    File(std::fs::File),
}

impl Held {
    pub fn into_body(self) -> Body {
        match self {
            Held::Bytes(b) => Body::Bytes(b),
            Held::File(f) => Body::Reader(Box::new(tokio::fs::File::from_std(f))),
        }
    }
}

/// What a `.zip` or `.mod` is: a module zip is hashed over its files, a `.mod` as
/// a `go.mod`.
fn is_zip(key: &Key) -> bool {
    key.as_str().ends_with(".zip")
}

/// Reads `obj` into memory (up to [`hot::MAX_ENTRY`], and every `.mod`) or into an
/// anonymous temporary file in `spool` (a local disk directory; the system's
/// temporary directory, which may be memory, without one).
pub async fn hold(key: &Key, obj: Object, spool: Option<&Path>) -> Result<Held, StorageError> {
    if obj.meta.size <= hot::MAX_ENTRY || !is_zip(key) {
        return obj.into_bytes(key).await.map(Held::Bytes);
    }
    let io = |e| StorageError::io("spool", key.as_str(), e);
    let size = obj.meta.size;
    let spool = spool.map(Path::to_path_buf);
    let file = tokio::task::spawn_blocking(move || match spool {
        Some(dir) => tempfile::tempfile_in(dir),
        None => tempfile::tempfile(),
    })
    .await
    .map_err(|e| io(std::io::Error::other(e)))?
    .map_err(io)?;
    let mut out = tokio::fs::File::from_std(file);
    let mut body = obj.body.into_reader().take(size);
    let copied = tokio::io::copy(&mut body, &mut out).await.map_err(io)?;
    if copied != size {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "shorter than its size",
        )));
    }
    let mut file = out.into_std().await;
    tokio::task::spawn_blocking(move || {
        file.sync_data()?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    })
    .await
    .map_err(|e| io(std::io::Error::other(e)))?
    .map(Held::File)
    .map_err(io)
}

/// The `h1:` hash of a held `.zip` or `.mod` named `key` (a file is left at its
/// start); an error says why a zip could not be read as one.
pub async fn h1_of(key: &Key, held: &Held) -> Result<String, String> {
    if !is_zip(key) {
        return match held {
            Held::Bytes(b) => Ok(dirhash::hash_gomod(b)),
            Held::File(_) => Err("a .mod file held on disk".into()),
        };
    }
    let src = match held {
        Held::Bytes(b) => Err(b.clone()),
        Held::File(f) => Ok(f.try_clone().map_err(|e| e.to_string())?),
    };
    tokio::task::spawn_blocking(move || match src {
        Err(bytes) => dirhash::hash_zip(std::io::Cursor::new(bytes)).map_err(|e| e.to_string()),
        Ok(mut f) => {
            let h = dirhash::hash_zip(&mut f).map_err(|e| e.to_string());
            f.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
            h
        }
    })
    .await
    .map_err(|e| e.to_string())?
}

/// The hash recorded for `key` in `store`, if one is.
pub async fn recorded(store: &dyn Storage, key: &Key) -> Result<Option<String>, StorageError> {
    let Some(hk) = keys::recorded_hash(key) else {
        return Ok(None);
    };
    let Some(obj) = store.get(&hk).await? else {
        return Ok(None);
    };
    let data = obj.into_bytes(&hk).await?;
    let text = String::from_utf8_lossy(&data).trim().to_owned();
    Ok(text.starts_with("h1:").then_some(text))
}

impl Cache {
    /// `obj`, read from storage under `key`, if it matches its recorded hash (checked
    /// once per stored version); its bytes are then held, so what is served is what
    /// was checked. Files other than `.zip`/`.mod` pass as they are.
    pub(crate) async fn checked(&self, key: &Key, obj: Object) -> Result<Object, CacheError> {
        if keys::recorded_hash(key).is_none() {
            return Ok(obj);
        }
        let memo = (key.clone(), obj.meta.etag.clone());
        if self.verified.get(&memo).is_some() {
            return Ok(obj);
        }
        let Some(want) = recorded(self.storage.as_ref(), key).await? else {
            return Ok(obj);
        };
        let meta = obj.meta.clone();
        let held = hold(key, obj, Some(self.client.staging())).await?;
        let got = h1_of(key, &held)
            .await
            .map_err(|why| format!("unreadable ({why})"));
        if got.as_deref() != Ok(want.as_str()) {
            let got = got.unwrap_or_else(|e| e);
            self.observer.refused("stored_corrupt");
            if let Some(obj) = self.second_copy(key, &want).await {
                tracing::warn!(key = %key, recorded = %want, got = %got, "stored copy fails its recorded hash: served the backup's good copy and rewrote it");
                return Ok(obj);
            }
            tracing::error!(key = %key, recorded = %want, got = %got, "stored copy fails its recorded hash: refused (run modgate scrub --repair)");
            return Err(CacheError::Corrupt {
                key: key.to_string(),
                recorded: want,
                got,
            });
        }
        self.verified.insert(memo, ());
        Ok(Object {
            meta,
            body: held.into_body(),
        })
    }

    /// The second store's copy of `key` if it matches `want`, after rewriting the
    /// storage's copy with it (through the mirror: both stores get the good bytes).
    async fn second_copy(&self, key: &Key, want: &str) -> Option<Object> {
        let second = self.second.as_ref()?;
        let obj = match second.get(key).await {
            Ok(Some(obj)) => obj,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(key = %key, error = %e, "reading the backup's copy");
                return None;
            }
        };
        let meta = obj.meta.clone();
        let held = hold(key, obj, Some(self.client.staging())).await.ok()?;
        if h1_of(key, &held).await.ok()?.as_str() != want {
            return None;
        }
        if let Err(e) = crate::scrub::rewrite(
            self.storage.as_ref(),
            key,
            &held,
            want,
            Some(self.client.staging()),
        )
        .await
        {
            tracing::warn!(key = %key, error = %e, "rewriting a corrupt copy from the backup");
        }
        Some(Object {
            meta,
            body: held.into_body(),
        })
    }

    /// Checks `key`'s stored copy unless already checked (for ranged reads).
    pub(crate) async fn ensure_checked(&self, key: &Key) -> Result<(), CacheError> {
        if keys::recorded_hash(key).is_none() {
            return Ok(());
        }
        let Some(obj) = self.storage.get(key).await? else {
            return Ok(());
        };
        if self
            .verified
            .get(&(key.clone(), obj.meta.etag.clone()))
            .is_some()
        {
            return Ok(());
        }
        self.checked(key, obj).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_zips_in_memory_and_spooled_alike() {
        let src = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("go.mod"), "module ex.com/m\n").unwrap();
        // Incompressible, so the zip is larger than what is read into memory.
        let mut x = 1u64;
        let big: String = (0..2 * hot::MAX_ENTRY as usize)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'!' + (x % 90) as u8)
            })
            .collect();
        std::fs::write(src.path().join("big.txt"), &big).unwrap();
        let m = modgate_core::module::Version {
            path: "ex.com/m".into(),
            version: "v1.0.0".into(),
        };
        let mut zip = std::io::Cursor::new(Vec::new());
        let sum = modgate_core::zip::create_from_dir(&mut zip, &m, src.path())
            .unwrap()
            .sum;
        let zip = Bytes::from(zip.into_inner());
        assert!(zip.len() as u64 > hot::MAX_ENTRY);
        let key = Key::new("ex.com/m/@v/v1.0.0.zip").unwrap();
        let obj = |body| Object {
            meta: modgate_storage::Meta {
                size: zip.len() as u64,
                modified: std::time::SystemTime::now(),
                etag: "\"e\"".into(),
            },
            body,
        };
        let spool = tempfile::tempdir().unwrap();
        let body = Body::Reader(Box::new(std::io::Cursor::new(zip.clone())));
        let held = hold(&key, obj(body), Some(spool.path())).await.unwrap();
        assert!(matches!(held, Held::File(_)));
        assert_eq!(h1_of(&key, &held).await.unwrap(), sum);
        // The file is left at its start: serving it gives the whole zip.
        let mut served = Vec::new();
        held.into_body()
            .into_reader()
            .read_to_end(&mut served)
            .await
            .unwrap();
        assert_eq!(served, zip);
        let held = Held::Bytes(zip.clone());
        assert_eq!(h1_of(&key, &held).await.unwrap(), sum);
        let modkey = Key::new("ex.com/m/@v/v1.0.0.mod").unwrap();
        assert_eq!(
            h1_of(
                &modkey,
                &Held::Bytes(Bytes::from_static(b"module ex.com/m\n"))
            )
            .await
            .unwrap(),
            dirhash::hash_gomod(b"module ex.com/m\n")
        );
        // Not a zip at all: an error, not a panic.
        assert!(
            h1_of(&key, &Held::Bytes(Bytes::from_static(b"not a zip")))
                .await
                .is_err()
        );
    }
}
