//! The connection to Redis, behind a circuit: every call has a short timeout, and
//! after a failure calls fall back at once for [`RETRY_EVERY`] before one tries
//! Redis again. A fallback is reported, never an error: Redis is an optimisation.

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// Where coordination reports what happens (the server's metrics).
pub trait CoordObserver: Send + Sync {
    /// An `operation` (`flight`, `negative`, `freshness`, `tree`) used the
    /// in-process default because Redis could not be reached.
    fn fallback(&self, operation: &'static str);
    /// Redis answered (`true`) or could not be reached (`false`).
    fn up(&self, up: bool);
}

/// Reports nothing.
pub struct Quiet;

impl CoordObserver for Quiet {
    fn fallback(&self, _operation: &'static str) {}
    fn up(&self, _up: bool) {}
}

/// The longest wait for one Redis call (or connection) before falling back.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_millis(500);

/// How long calls fall back at once after a failure before Redis is tried again.
pub(crate) const RETRY_EVERY: Duration = Duration::from_secs(2);

/// Every Redis key and channel of modgate starts with this.
const PREFIX: &str = "modgate:";

pub(crate) struct Link {
    pub(crate) client: redis::Client,
    conn: tokio::sync::Mutex<Option<ConnectionManager>>,
    /// Calls fall back until then.
    down_until: Mutex<Option<Instant>>,
    up: AtomicBool,
    /// Whether Redis has been tried yet (the first failure is logged too).
    tried: AtomicBool,
    watching: AtomicBool,
    observer: std::sync::Arc<dyn CoordObserver>,
}

impl Link {
    pub(crate) fn new(client: redis::Client, observer: std::sync::Arc<dyn CoordObserver>) -> Link {
        observer.up(false);
        Link {
            client,
            conn: tokio::sync::Mutex::new(None),
            down_until: Mutex::new(None),
            up: AtomicBool::new(false),
            tried: AtomicBool::new(false),
            watching: AtomicBool::new(false),
            observer,
        }
    }

    /// `modgate:<kind>:<name>`.
    pub(crate) fn key(kind: &str, name: &str) -> String {
        format!("{PREFIX}{kind}:{name}")
    }

    pub(crate) fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    fn open_circuit(&self) -> bool {
        let down = self.down_until.lock().unwrap_or_else(|p| p.into_inner());
        down.is_some_and(|t| Instant::now() < t)
    }

    fn trip(&self, why: &dyn std::fmt::Display) {
        *self.down_until.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Instant::now() + RETRY_EVERY);
        let first = !self.tried.swap(true, Ordering::Relaxed);
        if self.up.swap(false, Ordering::Relaxed) || first {
            tracing::warn!(error = %why, "coordination: Redis unreachable, falling back to in-process coordination");
        }
        self.observer.up(false);
    }

    fn mark_up(&self) {
        self.tried.store(true, Ordering::Relaxed);
        *self.down_until.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if !self.up.swap(true, Ordering::Relaxed) {
            tracing::info!("coordination: Redis reachable");
            self.observer.up(true);
        }
    }

    /// A connection, unless the circuit is open. Callers that arrive while one
    /// connects wait for it (within the connection timeout).
    async fn connection(&self) -> Option<ConnectionManager> {
        if self.open_circuit() {
            return None;
        }
        let mut slot = tokio::time::timeout(CALL_TIMEOUT * 2, self.conn.lock())
            .await
            .ok()?;
        if let Some(c) = slot.as_ref() {
            return Some(c.clone());
        }
        if self.open_circuit() {
            return None; // the caller before failed to connect
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CALL_TIMEOUT))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(1);
        let made = tokio::time::timeout(
            CALL_TIMEOUT * 2,
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await;
        match made {
            Ok(Ok(c)) => {
                *slot = Some(c.clone());
                Some(c)
            }
            Ok(Err(e)) => {
                self.trip(&e);
                None
            }
            Err(_) => {
                self.trip(&"connection timed out");
                None
            }
        }
    }

    /// Runs `f` on a connection, with the call timeout; `None` (counted as a
    /// fallback of `operation`) when Redis cannot be reached or fails.
    pub(crate) async fn call<T, F, Fut>(&self, operation: &'static str, f: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let r = self.try_call(f).await;
        if r.is_none() {
            self.observer.fallback(operation);
        }
        r
    }

    async fn try_call<T, F, Fut>(&self, f: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let conn = self.connection().await?;
        match tokio::time::timeout(CALL_TIMEOUT, f(conn)).await {
            Ok(Ok(v)) => {
                self.mark_up();
                Some(v)
            }
            Ok(Err(e)) => {
                self.trip(&e);
                None
            }
            Err(_) => {
                self.trip(&"call timed out");
                None
            }
        }
    }

    /// Pings Redis every [`RETRY_EVERY`] on the current runtime (once per link).
    pub(crate) fn watch(self: std::sync::Arc<Self>) {
        if self.watching.swap(true, Ordering::Relaxed) {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            self.watching.store(false, Ordering::Relaxed);
            return;
        };
        let link = std::sync::Arc::downgrade(&self);
        rt.spawn(async move {
            loop {
                let Some(l) = link.upgrade() else { return };
                l.try_call(
                    |mut c| async move { redis::cmd("PING").query_async::<()>(&mut c).await },
                )
                .await;
                drop(l);
                tokio::time::sleep(RETRY_EVERY).await;
            }
        });
    }
}
