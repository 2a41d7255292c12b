//! The negative cache: "not found" answers remembered for a while, so the prefix
//! storms of package-to-module resolution (`go get example.com/a/b/c` asks for
//! `example.com/a/b/c`, `example.com/a/b`, ...) do not reach the upstreams again and
//! again. [`NegativeCache`] is where a store shared by replicas plugs in;
//! [`LocalNegative`] is the in-process default.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use modgate_storage::Key;

#[async_trait]
pub trait NegativeCache: Send + Sync {
    /// The remembered not-found message of `key`, if it has not expired.
    async fn get(&self, key: &Key) -> Option<String>;
    /// Remembers that `key` was not found, with the message to repeat, for `ttl`.
    async fn put(&self, key: &Key, message: &str, ttl: Duration);
}

/// Entries beyond which expired ones are dropped on insert.
const PRUNE_AT: usize = 100_000;

#[derive(Default)]
pub struct LocalNegative {
    map: Mutex<HashMap<Key, (Instant, String)>>,
}

#[async_trait]
impl NegativeCache for LocalNegative {
    async fn get(&self, key: &Key) -> Option<String> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(key) {
            Some((until, msg)) if Instant::now() < *until => Some(msg.clone()),
            Some(_) => {
                map.remove(key);
                None
            }
            None => None,
        }
    }

    async fn put(&self, key: &Key, message: &str, ttl: Duration) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > PRUNE_AT {
            let now = Instant::now();
            map.retain(|_, (until, _)| *until > now);
        }
        map.insert(key.clone(), (Instant::now() + ttl, message.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_expire() {
        let neg = LocalNegative::default();
        let k = Key::new("example.com/m/@v/list").unwrap();
        assert_eq!(neg.get(&k).await, None);
        neg.put(&k, "not found: example.com/m", Duration::from_secs(60))
            .await;
        assert_eq!(
            neg.get(&k).await.as_deref(),
            Some("not found: example.com/m")
        );
        neg.put(&k, "gone", Duration::ZERO).await;
        assert_eq!(neg.get(&k).await, None);
    }
}
