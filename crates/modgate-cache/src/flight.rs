//! Single flight: concurrent misses of one key share one upstream fetch.
//!
//! [`FlightGroup`] is the point where a distributed lease plugs in (one leader per key
//! across replicas, followers waiting for the object to appear); [`LocalFlights`] is
//! the in-process default.
//!
//! In the table underneath ([`Flights`]) the first caller for a key becomes the leader
//! and receives a [`Leader`] handle; later callers get a receiver and wait for the
//! leader's result. The leader's work runs in its own task (see `fill.rs`), so a
//! client hanging up never cancels a fetch that others wait on, and the entry is
//! removed before the result is published.
//!
//! A lead can be lost (a shared lease that expired while its holder was paused):
//! the fill asks [`Lead::still_leading`] right before it stores, and a caller whose
//! wait ends without an outcome joins again, so a leader that vanished is replaced
//! rather than reported (see `fill.rs`).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use modgate_storage::Key;
use tokio::sync::watch;

use crate::error::CacheError;

/// How a fill ended, as its followers learn it. Followers read the stored object
/// afterwards, so a leader in another process can publish the same outcome.
pub type Outcome = Result<(), CacheError>;

/// Leading or following the fill of one key.
pub enum Turn {
    /// Fill it, then [`Lead::finish`].
    Lead(Box<dyn Lead>),
    /// Another caller fills it: wait.
    Follow(Box<dyn Follow>),
}

/// The leader's duty: publish the outcome. Dropping it unfinished releases the
/// followers with no outcome (they join again: one of them leads the next try).
#[async_trait]
pub trait Lead: Send + Sync {
    /// Whether another process may have filled the key between the caller's miss and
    /// this lead (a shared group): then the fill looks in storage again first.
    fn recheck(&self) -> bool {
        false
    }
    /// Whether this caller still leads the fill, asked right before its result is
    /// stored: a holder whose shared lease was taken over must not store or publish.
    async fn still_leading(&self) -> bool {
        true
    }
    async fn finish(self: Box<Self>, outcome: &Outcome);
}

/// A follower's wait.
#[async_trait]
pub trait Follow: Send {
    /// The leader's outcome, or `None` if it vanished without one.
    async fn wait(self: Box<Self>) -> Option<Outcome>;
}

/// Who fills which key.
#[async_trait]
pub trait FlightGroup: Send + Sync {
    async fn join(&self, key: &Key) -> Turn;
}

/// Single flight within this process.
#[derive(Default)]
pub struct LocalFlights {
    flights: Arc<Flights<Key, Outcome>>,
}

struct LocalLead {
    flights: Arc<Flights<Key, Outcome>>,
    leader: Leader<Key, Outcome>,
}

#[async_trait]
impl Lead for LocalLead {
    async fn finish(self: Box<Self>, outcome: &Outcome) {
        self.flights.finish(self.leader, outcome.clone());
    }
}

/// Waiting on a flight of this process.
pub struct LocalFollow(pub watch::Receiver<Option<Outcome>>);

#[async_trait]
impl Follow for LocalFollow {
    async fn wait(self: Box<Self>) -> Option<Outcome> {
        wait(self.0).await
    }
}

#[async_trait]
impl FlightGroup for LocalFlights {
    async fn join(&self, key: &Key) -> Turn {
        match self.flights.join(key) {
            Join::Leader(leader) => Turn::Lead(Box::new(LocalLead {
                flights: self.flights.clone(),
                leader,
            })),
            Join::Waiter(rx) => Turn::Follow(Box::new(LocalFollow(rx))),
        }
    }
}

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
        // A flight whose leader was dropped unfinished is over: lead a new one.
        if let Some(rx) = map.get(key).filter(|rx| rx.has_changed().is_ok()) {
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
        assert!(
            matches!(flights.join(&1), Join::Leader(_)),
            "the next caller leads a new flight"
        );
    }
}
