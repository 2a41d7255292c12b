//! In-memory copies of small files, so the files `go` asks for most are answered
//! without opening anything: immutable ones (`.info`, `.mod`, small zips of canonical
//! versions), which can never be stale, and fresh mutable ones (`@v/list`, `@latest`,
//! queries), each with the time it was confirmed by an upstream, served from memory
//! only while that is within the freshness time. The budget is counted in
//! bytes ([`CAPACITY`]); eviction is quick_cache's CLOCK-Pro, which keeps the
//! files asked for repeatedly over one-off scans (a CI cache warm-up).

use std::sync::Arc;

use bytes::Bytes;
use modgate_storage::{Key, Meta};

/// Bytes of file content (plus per-entry overhead) kept in memory.
pub const CAPACITY: u64 = 32 << 20;

/// Bytes of fresh mutable answers kept in memory.
pub const FRESH_CAPACITY: u64 = 8 << 20;

/// Larger files are always read from storage.
pub const MAX_ENTRY: u64 = 64 << 10;

/// Bookkeeping per entry counted against the budget besides its content.
const OVERHEAD: u64 = 256;

/// The item estimate quick_cache sizes its tables from, for a budget of
/// `capacity` bytes: about 1 KiB an item.
pub fn estimated_items(capacity: u64) -> usize {
    usize::try_from(capacity / 1024)
        .unwrap_or(usize::MAX)
        .max(16)
}

/// One remembered file.
#[derive(Debug)]
pub struct HotEntry {
    pub meta: Meta,
    pub data: Bytes,
    /// When an upstream last confirmed the content (mutable entries).
    pub confirmed: std::time::SystemTime,
}

#[derive(Clone)]
struct Weigh;

impl quick_cache::Weighter<Key, Arc<HotEntry>> for Weigh {
    fn weight(&self, key: &Key, v: &Arc<HotEntry>) -> u64 {
        v.data.len() as u64 + key.as_str().len() as u64 + OVERHEAD
    }
}

/// The cache.
pub struct Hot {
    cache: quick_cache::sync::Cache<Key, Arc<HotEntry>, Weigh>,
}

impl Default for Hot {
    fn default() -> Self {
        Hot::new(CAPACITY)
    }
}

impl Hot {
    /// A cache holding at most `capacity` bytes.
    pub fn new(capacity: u64) -> Hot {
        Hot {
            cache: quick_cache::sync::Cache::with_weighter(
                estimated_items(capacity),
                capacity,
                Weigh,
            ),
        }
    }

    pub fn get(&self, key: &Key) -> Option<Arc<HotEntry>> {
        self.cache.get(key)
    }

    /// Remembers `data` (the whole content of the object `meta` describes) if
    /// it is small enough.
    pub fn insert(&self, key: Key, meta: Meta, data: Bytes) -> Arc<HotEntry> {
        let confirmed = meta.modified;
        self.insert_confirmed(key, meta, data, confirmed)
    }

    /// [`Hot::insert`] for a mutable entry confirmed at `confirmed`.
    pub fn insert_confirmed(
        &self,
        key: Key,
        meta: Meta,
        data: Bytes,
        confirmed: std::time::SystemTime,
    ) -> Arc<HotEntry> {
        let entry = Arc::new(HotEntry {
            meta,
            data,
            confirmed,
        });
        if entry.data.len() as u64 <= MAX_ENTRY {
            self.cache.insert(key, entry.clone());
        }
        entry
    }

    /// Forgets `key`.
    pub fn remove(&self, key: &Key) {
        self.cache.remove(key);
    }

    /// Bytes currently counted against the budget.
    pub fn weight(&self) -> u64 {
        self.cache.weight()
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;

    fn meta(n: usize) -> Meta {
        Meta {
            size: n as u64,
            modified: SystemTime::UNIX_EPOCH,
            etag: "\"e\"".into(),
        }
    }

    #[test]
    fn keeps_small_files_within_the_budget_and_skips_large_ones() {
        let hot = Hot::new(64 * 1024);
        let k = |i: usize| Key::new(format!("example.com/m/@v/v1.0.{i}.mod")).unwrap();
        hot.insert(k(0), meta(10), Bytes::from_static(b"module m\n\n"));
        assert_eq!(&hot.get(&k(0)).unwrap().data[..], b"module m\n\n");

        let big = Bytes::from(vec![0u8; (MAX_ENTRY + 1) as usize]);
        let e = hot.insert(k(1), meta(big.len()), big.clone());
        assert_eq!(e.data.len(), big.len(), "the entry is still returned");
        assert!(hot.get(&k(1)).is_none(), "too large to keep");

        for i in 2..200 {
            hot.insert(k(i), meta(1000), Bytes::from(vec![1u8; 1000]));
        }
        assert!(hot.weight() <= 64 * 1024, "weight {}", hot.weight());
    }
}
