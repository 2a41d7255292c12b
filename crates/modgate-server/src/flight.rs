//! Single flight: concurrent misses of one key share one upstream fetch.
//!
//! The first caller for a key becomes the leader and receives a [`Leader`] handle;
//! later callers get a receiver and wait for the leader's result. The leader's work
//! runs in its own task (see `proxy.rs`), so a client hanging up never cancels a fetch
//! that others wait on, and the entry is removed before the result is published.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use tokio::sync::watch;

/// Joined flight: either lead it or wait for it.
pub enum Join<K: Eq + Hash + Clone, V: Clone> {
    Leader(Leader<K, V>),
    Waiter(watch::Receiver<Option<V>>),
}

/// The table of flights in progress.
pub struct Flights<K, V> {
    inflight: Mutex<HashMap<K, watch::Receiver<Option<V>>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Default for Flights<K, V> {
    fn default() -> Self {
        Flights {
            inflight: Mutex::new(HashMap::new()),
        }
    }
}

/// The leader's duty: publish the result with [`Flights::finish`]. A leader dropped
/// without finishing closes the channel, releasing the waiters with `None`.
pub struct Leader<K, V> {
    key: K,
    tx: watch::Sender<Option<V>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Flights<K, V> {
    pub fn join(&self, key: &K) -> Join<K, V> {
        let mut map = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(rx) = map.get(key) {
            return Join::Waiter(rx.clone());
        }
        let (tx, rx) = watch::channel(None);
        map.insert(key.clone(), rx);
        Join::Leader(Leader {
            key: key.clone(),
            tx,
        })
    }

    /// Ends the flight with `value`.
    pub fn finish(&self, leader: Leader<K, V>, value: V) {
        self.inflight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&leader.key);
        let _ = leader.tx.send(Some(value));
    }

    /// Number of flights in progress.
    pub fn len(&self) -> usize {
        self.inflight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Waits for a flight's result; `None` if the leader vanished without one.
pub async fn wait<V: Clone>(mut rx: watch::Receiver<Option<V>>) -> Option<V> {
    match rx.wait_for(Option::is_some).await {
        Ok(v) => v.clone(),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_joiners_share_one_execution() {
        let flights: Arc<Flights<String, u32>> = Arc::new(Flights::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (flights, runs) = (flights.clone(), runs.clone());
            tasks.push(tokio::spawn(async move {
                match flights.join(&"k".to_owned()) {
                    Join::Leader(l) => {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        flights.finish(l, 7);
                        7
                    }
                    Join::Waiter(rx) => wait(rx).await.unwrap(),
                }
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 7);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(flights.is_empty());
    }

    #[tokio::test]
    async fn a_vanished_leader_releases_waiters() {
        let flights: Flights<u8, u8> = Flights::default();
        let Join::Leader(l) = flights.join(&1) else {
            panic!()
        };
        let Join::Waiter(rx) = flights.join(&1) else {
            panic!()
        };
        drop(l);
        assert_eq!(wait(rx).await, None);
    }
}
