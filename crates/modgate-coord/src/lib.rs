//! # modgate-coord: replicas that share one cache, coordinated through Redis
//!
//! `modgate serve --coordination redis://host:6379/0` runs any number of replicas
//! over one store. This crate implements modgate-cache's seams on Redis (or Valkey):
//!
//! * [`flights::SharedFlights`] ([`FlightGroup`]): one lease per key across
//!   replicas, taken with a fencing number from one `INCR` counter, renewed while
//!   the fetch runs; before storing, the leader checks in a Lua script that the
//!   lease still holds its number, and it publishes the outcome only under the same
//!   check, so a holder that paused past its lease neither stores nor publishes.
//!   Followers wait for the outcome (pub/sub, with polling of the lease and the
//!   outcome as fallback); a lease that expires without an outcome (its replica
//!   died) is taken over by one of them. Within a process requests share one local
//!   flight first, so one request per replica talks to Redis.
//! * [`shared::SharedNegative`] and [`shared::SharedFreshness`]: not-found answers
//!   and the confirmation times of lists and `@latest`, so replicas agree within
//!   one TTL.
//! * [`tree::SharedTree`]: the trusted checksum-database tree moves only forward,
//!   by compare-and-swap in Lua; each replica reads it before each verification,
//!   so a fork one replica saw is refused by all.
//!
//! Correctness never rests on Redis: objects are verified content and become
//! visible whole, so a duplicate fetch only costs time. When Redis cannot be
//! reached every operation falls back to the in-process default at once (a short
//! timeout, then a circuit that tries Redis again every few seconds), counted by
//! the [`CoordObserver`]; leases expire by TTL whatever happens to their holder.

pub mod flights;
mod link;
pub mod shared;
pub mod tree;

use std::sync::Arc;
use std::time::Duration;

use modgate_cache::flight::FlightGroup;
use modgate_cache::freshness::Freshness;
use modgate_cache::negative::NegativeCache;
use modgate_cache::tree::{StoredTree, TreeStore};

pub use link::{CoordObserver, Quiet};

use crate::link::Link;

/// A coordination URL that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error("coordination {url:?}: {reason}")]
pub struct CoordError {
    /// The URL, credentials masked.
    pub url: String,
    pub reason: String,
}

/// The connection to Redis and the shared state built on it.
#[derive(Clone)]
pub struct Coordination {
    link: Arc<Link>,
    lease_ttl: Duration,
}

impl Coordination {
    /// Prepares coordination through `url` (`redis://[user:password@]host:port/db`,
    /// `rediss://` for TLS). Nothing is sent yet: an unreachable Redis is not an
    /// error, only a fallback. Tasks (renewals, the notification subscriber) start
    /// on the current tokio runtime when first needed.
    pub fn open(
        url: &str,
        lease_ttl: Duration,
        observer: Arc<dyn CoordObserver>,
    ) -> Result<Coordination, CoordError> {
        let err = |reason: String| CoordError {
            url: redact(url),
            reason,
        };
        let parsed = url::Url::parse(url).map_err(|e| err(e.to_string()))?;
        match parsed.scheme() {
            "redis" => {}
            "rediss" => {
                // The one TLS provider of the binary (see the workspace Cargo.toml);
                // an error only means one is installed already.
                let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
            }
            other => {
                return Err(err(format!(
                    "unsupported scheme {other:?}: want redis:// or rediss://"
                )));
            }
        }
        if lease_ttl < Duration::from_millis(300) {
            return Err(err(format!(
                "lease_ttl {lease_ttl:?} is too short: at least 300ms"
            )));
        }
        let client = redis::Client::open(url).map_err(|e| err(e.to_string()))?;
        Ok(Coordination {
            link: Arc::new(Link::new(client, observer)),
            lease_ttl,
        })
    }

    /// Single flight across replicas.
    pub fn flights(&self) -> Arc<dyn FlightGroup> {
        Arc::new(flights::SharedFlights::new(
            self.link.clone(),
            self.lease_ttl,
        ))
    }

    /// The shared negative cache.
    pub fn negative(&self) -> Arc<dyn NegativeCache> {
        Arc::new(shared::SharedNegative::new(self.link.clone()))
    }

    /// The shared confirmation times of mutable answers.
    pub fn freshness(&self) -> Arc<dyn Freshness> {
        Arc::new(shared::SharedFreshness::new(self.link.clone()))
    }

    /// The trusted tree of checksum database `name`, with `stored` as its durable
    /// copy and fallback.
    pub fn tree(&self, name: &str, stored: Arc<StoredTree>) -> Arc<dyn TreeStore> {
        Arc::new(tree::SharedTree::new(self.link.clone(), name, stored))
    }

    /// Whether the last call to Redis succeeded.
    pub fn is_up(&self) -> bool {
        self.link.is_up()
    }

    /// Starts a task that pings Redis every few seconds, so [`CoordObserver::up`]
    /// follows Redis even without traffic. Needs a tokio runtime.
    pub fn watch(&self) {
        self.link.clone().watch();
    }
}

/// `url` with any password masked.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("xxxxx"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}
