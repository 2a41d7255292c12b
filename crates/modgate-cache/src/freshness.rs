//! When a mutable answer (`@v/list`, `@latest`, a version query) was last confirmed
//! by an upstream. [`Freshness`] is where a clock shared by replicas plugs in, so they
//! agree within one TTL; [`StoredFreshness`], the default, reads it from the stored
//! object's write time (every refresh rewrites the object).

use std::time::SystemTime;

use async_trait::async_trait;
use modgate_storage::{Key, Meta};

#[async_trait]
pub trait Freshness: Send + Sync {
    /// When `key`, stored as `meta`, was last confirmed.
    async fn confirmed_at(&self, key: &Key, meta: &Meta) -> SystemTime;
    /// Records that `key` was just confirmed (its new copy is stored).
    async fn confirmed(&self, key: &Key);
}

#[derive(Default)]
pub struct StoredFreshness;

#[async_trait]
impl Freshness for StoredFreshness {
    async fn confirmed_at(&self, _key: &Key, meta: &Meta) -> SystemTime {
        meta.modified
    }

    async fn confirmed(&self, _key: &Key) {}
}
