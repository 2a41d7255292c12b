//! The negative cache and the freshness of mutable answers, shared through Redis
//! so replicas agree within one TTL; each falls back to its in-process default.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use modgate_cache::freshness::{Freshness, StoredFreshness};
use modgate_cache::negative::{LocalNegative, NegativeCache};
use modgate_storage::{Key, Meta};
use redis::AsyncCommands;

use crate::link::Link;

/// Not-found answers, `SET modgate:neg:<key> <message> PX <ttl>`. Each is also
/// remembered here, for when Redis cannot be reached.
pub struct SharedNegative {
    link: Arc<Link>,
    local: LocalNegative,
}

impl SharedNegative {
    pub(crate) fn new(link: Arc<Link>) -> SharedNegative {
        SharedNegative {
            link,
            local: LocalNegative::default(),
        }
    }
}

#[async_trait]
impl NegativeCache for SharedNegative {
    async fn get(&self, key: &Key) -> Option<String> {
        let k = Link::key("neg", key.as_str());
        match self
            .link
            .call("negative", |mut c| async move {
                c.get::<_, Option<String>>(&k).await
            })
            .await
        {
            Some(found) => found,
            None => self.local.get(key).await,
        }
    }

    async fn put(&self, key: &Key, message: &str, ttl: Duration) {
        self.local.put(key, message, ttl).await;
        if ttl.is_zero() {
            return;
        }
        let (k, ms) = (Link::key("neg", key.as_str()), ttl.as_millis() as u64);
        let message = message.to_owned();
        self.link
            .call("negative", |mut c| async move {
                redis::cmd("SET")
                    .arg(&k)
                    .arg(&message)
                    .arg("PX")
                    .arg(ms)
                    .query_async::<()>(&mut c)
                    .await
            })
            .await;
    }
}

/// How long a confirmation time is kept in Redis (far longer than any freshness
/// setting; the stored object's time stands in after it).
const CONFIRMED_KEEP: Duration = Duration::from_secs(24 * 3600);

/// When each mutable answer was last confirmed, `modgate:fresh:<key>` in Unix
/// milliseconds; without Redis, the stored object's write time ([`StoredFreshness`]).
pub struct SharedFreshness {
    link: Arc<Link>,
}

impl SharedFreshness {
    pub(crate) fn new(link: Arc<Link>) -> SharedFreshness {
        SharedFreshness { link }
    }
}

#[async_trait]
impl Freshness for SharedFreshness {
    async fn confirmed_at(&self, key: &Key, meta: &Meta) -> SystemTime {
        let stored = StoredFreshness.confirmed_at(key, meta).await;
        let k = Link::key("fresh", key.as_str());
        let shared = self
            .link
            .call("freshness", |mut c| async move {
                c.get::<_, Option<u64>>(&k).await
            })
            .await
            .flatten()
            .map(|ms| UNIX_EPOCH + Duration::from_millis(ms));
        // Both are confirmations; the later one counts.
        shared.map_or(stored, |s| s.max(stored))
    }

    async fn confirmed(&self, key: &Key) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64;
        let k = Link::key("fresh", key.as_str());
        let keep = CONFIRMED_KEEP.as_millis() as u64;
        self.link
            .call("freshness", |mut c| async move {
                redis::cmd("SET")
                    .arg(&k)
                    .arg(now)
                    .arg("PX")
                    .arg(keep)
                    .query_async::<()>(&mut c)
                    .await
            })
            .await;
    }
}
