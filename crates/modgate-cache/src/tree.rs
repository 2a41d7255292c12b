//! Where the newest verified checksum-database tree is kept: the point where replicas
//! will share it (Redis compare-and-swap, or a store's conditional put).
//!
//! The tree must never move backwards, whoever writes it: a replica that verified a
//! larger tree replaces the stored note only if it is still the note that replica
//! read ([`TreeStore::swap`]); otherwise it reads again and compares sizes. Which
//! note is larger is decided by the caller, who can verify notes.

use async_trait::async_trait;
use bytes::Bytes;
use modgate_storage::{Conditional, Key, Storage, StorageError};
use std::sync::Arc;

/// Storage of one database's trusted tree note.
#[async_trait]
pub trait TreeStore: Send + Sync {
    /// The stored note, if any (unverified: the caller verifies it).
    async fn load(&self) -> Result<Option<Bytes>, StorageError>;

    /// Replaces the stored note with `note` if the stored one is still `expected`
    /// (`None`: none stored). Returns whether it did.
    async fn swap(&self, expected: Option<&Bytes>, note: Bytes) -> Result<bool, StorageError>;

    /// Whether other processes move this tree too: then it is read again before each
    /// verification, so a fork one replica saw is refused by all.
    fn shared(&self) -> bool {
        false
    }
}

/// The default: the note is an object in the store. The swap is a compare-and-swap
/// in the store where it can do one, else compare-then-write under a lock that covers
/// this process (one process per store without coordination).
pub struct StoredTree {
    storage: Arc<dyn Storage>,
    key: Key,
    lock: tokio::sync::Mutex<()>,
}

impl StoredTree {
    pub fn new(storage: Arc<dyn Storage>, key: Key) -> StoredTree {
        StoredTree {
            storage,
            key,
            lock: tokio::sync::Mutex::new(()),
        }
    }

    async fn read(&self) -> Result<Option<(Bytes, String)>, StorageError> {
        match self.storage.get(&self.key).await? {
            Some(obj) => {
                let etag = obj.meta.etag.clone();
                Ok(Some((obj.into_bytes(&self.key).await?, etag)))
            }
            None => Ok(None),
        }
    }
}

#[async_trait]
impl TreeStore for StoredTree {
    async fn load(&self) -> Result<Option<Bytes>, StorageError> {
        Ok(self.read().await?.map(|(b, _)| b))
    }

    async fn swap(&self, expected: Option<&Bytes>, note: Bytes) -> Result<bool, StorageError> {
        let _held = self.lock.lock().await;
        let current = self.read().await?;
        if current.as_ref().map(|(b, _)| b) != expected {
            return Ok(false);
        }
        let etag = current.as_ref().map(|(_, e)| e.as_str());
        match self
            .storage
            .compare_and_swap(&self.key, etag, note.clone())
            .await?
        {
            Conditional::Written(_) => Ok(true),
            Conditional::Conflict => Ok(false),
            Conditional::Unsupported => {
                self.storage.put_bytes(&self.key, note).await?;
                Ok(true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn swaps_only_from_the_note_read() {
        let dir = tempfile::tempdir().unwrap();
        let storage: Arc<dyn Storage> =
            Arc::new(modgate_storage::FsStorage::open(dir.path()).unwrap());
        let store = StoredTree::new(storage, Key::new("sumdb/db/modgate-trusted-tree").unwrap());
        assert_eq!(store.load().await.unwrap(), None);
        let (a, b) = (Bytes::from_static(b"a"), Bytes::from_static(b"b"));
        assert!(
            !store.swap(Some(&a), b.clone()).await.unwrap(),
            "nothing stored yet"
        );
        assert!(store.swap(None, a.clone()).await.unwrap());
        assert!(
            !store.swap(None, b.clone()).await.unwrap(),
            "a is stored now"
        );
        assert!(store.swap(Some(&a), b.clone()).await.unwrap());
        assert_eq!(store.load().await.unwrap(), Some(b));
    }
}
