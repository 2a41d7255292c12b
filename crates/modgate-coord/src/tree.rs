//! The trusted checksum-database tree, shared: `modgate:tree:<name>` in Redis is
//! the one every replica reads and swaps, by compare-and-swap in Lua, so it only
//! moves forward (the caller swaps only to a larger verified tree, from the note
//! it read). The store's copy ([`StoredTree`]) follows each swap and seeds Redis
//! when it has none (after a restart without persistence); it is also the
//! fallback when Redis cannot be reached.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use modgate_cache::tree::{StoredTree, TreeStore};
use modgate_storage::StorageError;

use crate::link::Link;

/// Replaces the note if it is still the one read (`ARGV[1]` = `1` and the note
/// read in `ARGV[2]`, or `0` for none); `ARGV[3]` is the new note.
const SWAP: &str = r"
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if cur then return 0 end
elseif cur ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1
";

pub struct SharedTree {
    link: Arc<Link>,
    key: String,
    stored: Arc<StoredTree>,
}

impl SharedTree {
    pub(crate) fn new(link: Arc<Link>, name: &str, stored: Arc<StoredTree>) -> SharedTree {
        SharedTree {
            link,
            key: Link::key("tree", name),
            stored,
        }
    }
}

#[async_trait]
impl TreeStore for SharedTree {
    async fn load(&self) -> Result<Option<Bytes>, StorageError> {
        let k = self.key.clone();
        let shared = self
            .link
            .call("tree", |mut c| async move {
                redis::cmd("GET")
                    .arg(&k)
                    .query_async::<Option<Vec<u8>>>(&mut c)
                    .await
            })
            .await;
        match shared {
            Some(Some(note)) => Ok(Some(Bytes::from(note))),
            Some(None) => {
                // Seed Redis from the store, unless another replica just did.
                let Some(note) = self.stored.load().await? else {
                    return Ok(None);
                };
                let k = self.key.clone();
                let seed = note.to_vec();
                let now = self
                    .link
                    .call("tree", |mut c| async move {
                        redis::cmd("SET")
                            .arg(&k)
                            .arg(&seed)
                            .arg("NX")
                            .arg("GET")
                            .query_async::<Option<Vec<u8>>>(&mut c)
                            .await
                    })
                    .await;
                Ok(Some(match now {
                    Some(Some(theirs)) => Bytes::from(theirs),
                    _ => note,
                }))
            }
            None => self.stored.load().await,
        }
    }

    async fn swap(&self, expected: Option<&Bytes>, note: Bytes) -> Result<bool, StorageError> {
        let k = self.key.clone();
        let (has, old) = match expected {
            Some(b) => ("1", b.to_vec()),
            None => ("0", Vec::new()),
        };
        let new = note.to_vec();
        let swapped = self
            .link
            .call("tree", |mut c| async move {
                redis::Script::new(SWAP)
                    .key(&k)
                    .arg(has)
                    .arg(&old)
                    .arg(&new)
                    .invoke_async::<u8>(&mut c)
                    .await
            })
            .await;
        match swapped {
            Some(1) => {
                // The store's copy follows Redis (the newest at the swap).
                let current = self.stored.load().await?;
                if !self.stored.swap(current.as_ref(), note).await? {
                    tracing::debug!(
                        "trusted tree: the store's copy moved meanwhile; Redis keeps the newest"
                    );
                }
                Ok(true)
            }
            Some(_) => Ok(false),
            None => self.stored.swap(expected, note).await,
        }
    }

    fn shared(&self) -> bool {
        true
    }
}
