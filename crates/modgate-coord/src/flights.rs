//! Single flight across replicas: fenced leases in Redis.
//!
//! Per key: the lease `modgate:lease:<key>` holds the fencing number of its holder
//! (taken from the one counter `modgate:fence` by `INCR`, so numbers only grow,
//! across keys and restarts of the holders), with a TTL the holder renews every
//! third of it while its fetch runs. The holder stores only if the lease still
//! holds its number right before (a Lua check), and publishes its outcome only
//! under the same check, atomically with deleting the lease: as `modgate:outcome:<key>`
//! (for followers that poll) and on the channel `modgate:done` (for those that
//! listen). A holder that paused past its lease finds another number there and
//! stops: its fill joins again.
//!
//! A follower waits for an outcome whose number is at least the lease's it saw;
//! if the lease vanishes without one (its holder died and the TTL ran out), the
//! wait ends empty and the fill joins again, where one follower takes the lease.
//!
//! Within a process, callers share one local flight first; only its leader talks
//! to Redis. Redis unreachable: the local flight alone (the in-process default).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use modgate_cache::flight::{Flights, Follow, Join, Lead, Leader, LocalFollow, Outcome, Turn};
use modgate_cache::{CacheError, FailureKind};
use modgate_storage::Key;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::link::{CALL_TIMEOUT, Link, RETRY_EVERY};
use futures_util::StreamExt;

/// The counter every fencing number comes from.
const FENCE: &str = "modgate:fence";
/// The channel outcomes are published on.
const DONE: &str = "modgate:done";
/// How long a published outcome stays readable for followers that poll.
const OUTCOME_TTL: Duration = Duration::from_secs(60);

/// Takes the lease if it is free: `{1, fence}`; else `{0, holder's fence}`.
const ACQUIRE: &str = r"
local cur = redis.call('GET', KEYS[1])
if cur then return {0, cur} end
local f = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], f, 'PX', ARGV[1])
return {1, f}
";

/// Extends the lease if it still holds this fence.
const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

/// Publishes the outcome and frees the lease, if the lease still holds this fence.
const FINISH: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[2])
return 1
";

/// Frees the lease if it still holds this fence (a lead dropped unfinished).
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// An outcome as replicas publish it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Notice {
    key: String,
    fence: u64,
    result: Published,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Published {
    Ok,
    NotFound(String),
    Failed { kind: FailureKind, message: String },
}

impl Published {
    fn of(outcome: &Outcome) -> Published {
        match outcome {
            Ok(()) => Published::Ok,
            Err(CacheError::NotFound { message, .. }) => Published::NotFound(message.clone()),
            Err(e) => Published::Failed {
                kind: e.failure_kind(),
                message: e.to_string(),
            },
        }
    }

    fn outcome(&self) -> Outcome {
        match self {
            Published::Ok => Ok(()),
            Published::NotFound(m) => Err(CacheError::not_found(m.clone())),
            Published::Failed { kind, message } => Err(CacheError::Replica {
                kind: *kind,
                message: message.clone(),
            }),
        }
    }
}

/// Single flight across the replicas that share one Redis.
pub struct SharedFlights {
    link: Arc<Link>,
    ttl: Duration,
    local: Arc<Flights<Key, Outcome>>,
    notices: Arc<broadcast::Sender<Arc<Notice>>>,
    listening: AtomicBool,
}

impl SharedFlights {
    pub(crate) fn new(link: Arc<Link>, ttl: Duration) -> SharedFlights {
        SharedFlights {
            link,
            ttl,
            local: Arc::new(Flights::default()),
            notices: Arc::new(broadcast::channel(1024).0),
            listening: AtomicBool::new(false),
        }
    }

    /// Starts the subscriber that turns `modgate:done` messages into local notices
    /// (once; it reconnects by itself, and ends after this group is dropped).
    fn listen(&self) {
        if self.listening.swap(true, Ordering::Relaxed) {
            return;
        }
        let (client, tx) = (self.link.client.clone(), Arc::downgrade(&self.notices));
        tokio::spawn(async move {
            while tx.strong_count() > 0 {
                match tokio::time::timeout(CALL_TIMEOUT * 2, client.get_async_pubsub()).await {
                    Ok(Ok(mut pubsub)) => {
                        if pubsub.subscribe(DONE).await.is_ok() {
                            let mut messages = pubsub.on_message();
                            while let Some(msg) = messages.next().await {
                                let Some(tx) = tx.upgrade() else { return };
                                if let Ok(n) =
                                    msg.get_payload::<String>().map_err(|_| ()).and_then(|p| {
                                        serde_json::from_str::<Notice>(&p).map_err(|_| ())
                                    })
                                {
                                    let _ = tx.send(Arc::new(n));
                                }
                            }
                        }
                    }
                    Ok(Err(e)) => tracing::debug!(error = %e, "coordination: subscribing"),
                    Err(_) => tracing::debug!("coordination: subscribing timed out"),
                }
                tokio::time::sleep(RETRY_EVERY).await;
            }
        });
    }

    fn poll_every(&self) -> Duration {
        (self.ttl / 4).min(Duration::from_millis(250))
    }
}

#[async_trait]
impl modgate_cache::flight::FlightGroup for SharedFlights {
    async fn join(&self, key: &Key) -> Turn {
        let leader = match self.local.join(key) {
            Join::Waiter(rx) => return Turn::Follow(Box::new(LocalFollow(rx))),
            Join::Leader(l) => l,
        };
        self.listen();
        let lease = Link::key("lease", key.as_str());
        let ttl_ms = self.ttl.as_millis() as u64;
        let acquired = self
            .link
            .call("flight", |mut c| {
                let lease = lease.clone();
                async move {
                    redis::Script::new(ACQUIRE)
                        .key(&lease)
                        .key(FENCE)
                        .arg(ttl_ms)
                        .invoke_async::<(u8, u64)>(&mut c)
                        .await
                }
            })
            .await;
        let fence = match acquired {
            Some((0, fence)) => {
                return Turn::Follow(Box::new(SharedFollow {
                    link: self.link.clone(),
                    flights: self.local.clone(),
                    leader: Some(leader),
                    key: key.clone(),
                    fence,
                    notices: self.notices.subscribe(),
                    poll: self.poll_every(),
                }));
            }
            Some((_, fence)) => Some(fence),
            None => None,
        };
        Turn::Lead(Box::new(SharedLead {
            flights: self.local.clone(),
            leader: Some(leader),
            lease: fence.map(|f: u64| Lease::start(self.link.clone(), key, f, self.ttl)),
        }))
    }
}

/// A lease held in Redis, renewed by a task until it is finished or dropped.
struct Lease {
    link: Arc<Link>,
    lease: String,
    outcome: String,
    key: Key,
    fence: u64,
    ttl: Duration,
    lost: Arc<AtomicBool>,
    renew: tokio::task::JoinHandle<()>,
    done: bool,
}

impl Lease {
    fn start(link: Arc<Link>, key: &Key, fence: u64, ttl: Duration) -> Lease {
        let lease = Link::key("lease", key.as_str());
        let lost = Arc::new(AtomicBool::new(false));
        let renew = tokio::spawn({
            let (link, lease, lost) = (link.clone(), lease.clone(), lost.clone());
            let ttl_ms = ttl.as_millis() as u64;
            async move {
                loop {
                    tokio::time::sleep(ttl / 3).await;
                    let lease = lease.clone();
                    let kept = link
                        .call("flight", |mut c| async move {
                            redis::Script::new(RENEW)
                                .key(&lease)
                                .arg(fence)
                                .arg(ttl_ms)
                                .invoke_async::<u8>(&mut c)
                                .await
                        })
                        .await;
                    // Unreachable: keep trying; the commit check decides.
                    if kept == Some(0) {
                        lost.store(true, Ordering::Relaxed);
                        return;
                    }
                }
            }
        });
        Lease {
            lease,
            outcome: Link::key("outcome", key.as_str()),
            key: key.clone(),
            link,
            fence,
            ttl,
            lost,
            renew,
            done: false,
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.renew.abort();
        if self.done {
            return;
        }
        // Dropped unfinished (a panicked fill, a lost lead): free the lease now
        // rather than at its TTL, if it is still ours.
        let (link, lease, fence) = (self.link.clone(), self.lease.clone(), self.fence);
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                link.call("flight", |mut c| async move {
                    redis::Script::new(RELEASE)
                        .key(&lease)
                        .arg(fence)
                        .invoke_async::<u8>(&mut c)
                        .await
                })
                .await;
            });
        }
    }
}

struct SharedLead {
    flights: Arc<Flights<Key, Outcome>>,
    leader: Option<Leader<Key, Outcome>>,
    /// `None`: Redis was unreachable; this process's flight alone.
    lease: Option<Lease>,
}

#[async_trait]
impl Lead for SharedLead {
    /// Always: another replica may have stored the key since the caller's miss,
    /// and with Redis down (no lease) one may still be finishing.
    fn recheck(&self) -> bool {
        true
    }

    async fn still_leading(&self) -> bool {
        let Some(l) = &self.lease else { return true };
        if l.lost.load(Ordering::Relaxed) {
            return false;
        }
        let (lease, fence, ttl_ms) = (l.lease.clone(), l.fence, l.ttl.as_millis() as u64);
        let held = l
            .link
            .call("flight", |mut c| async move {
                redis::Script::new(RENEW)
                    .key(&lease)
                    .arg(fence)
                    .arg(ttl_ms)
                    .invoke_async::<u8>(&mut c)
                    .await
            })
            .await;
        match held {
            Some(0) => {
                tracing::warn!(key = %l.key, fence, "coordination: lease lost before storing (held too long or paused): not storing");
                false
            }
            // Held; or Redis unreachable, where this process's flight rules.
            _ => true,
        }
    }

    async fn finish(mut self: Box<Self>, outcome: &Outcome) {
        if let Some(l) = self.lease.as_mut() {
            l.renew.abort();
            l.done = true;
            let notice = Notice {
                key: l.key.as_str().to_owned(),
                fence: l.fence,
                result: Published::of(outcome),
            };
            let payload = serde_json::to_string(&notice).unwrap_or_default();
            let (lease, out, fence) = (l.lease.clone(), l.outcome.clone(), l.fence);
            let ttl_ms = OUTCOME_TTL.as_millis() as u64;
            let published = l
                .link
                .call("flight", |mut c| async move {
                    redis::Script::new(FINISH)
                        .key(&lease)
                        .key(&out)
                        .arg(fence)
                        .arg(&payload)
                        .arg(ttl_ms)
                        .arg(DONE)
                        .invoke_async::<u8>(&mut c)
                        .await
                })
                .await;
            if published == Some(0) {
                tracing::warn!(key = %l.key, fence, "coordination: lease lost before publishing: outcome not published");
            }
        }
        if let Some(leader) = self.leader.take() {
            self.flights.finish(leader, outcome.clone());
        }
    }
}

/// Waiting for another replica's fill, on behalf of this process's flight.
struct SharedFollow {
    link: Arc<Link>,
    flights: Arc<Flights<Key, Outcome>>,
    /// This process's flight, finished with what the wait ends with (dropped if
    /// it ends empty, so the local followers join again too).
    leader: Option<Leader<Key, Outcome>>,
    key: Key,
    /// The fence of the lease seen: outcomes of older fills are not this one's.
    fence: u64,
    notices: broadcast::Receiver<Arc<Notice>>,
    poll: Duration,
}

impl SharedFollow {
    fn done(&mut self, outcome: Outcome) -> Option<Outcome> {
        if let Some(leader) = self.leader.take() {
            self.flights.finish(leader, outcome.clone());
        }
        Some(outcome)
    }

    /// The lease's fence and the outcome stored, read together.
    async fn poll_once(&self) -> Option<(Option<u64>, Option<Notice>)> {
        let (lease, out) = (
            Link::key("lease", self.key.as_str()),
            Link::key("outcome", self.key.as_str()),
        );
        let (fence, outcome) = self
            .link
            .call("flight", |mut c| async move {
                redis::cmd("MGET")
                    .arg(&lease)
                    .arg(&out)
                    .query_async::<(Option<u64>, Option<String>)>(&mut c)
                    .await
            })
            .await?;
        let notice = outcome.and_then(|o| serde_json::from_str::<Notice>(&o).ok());
        Some((fence, notice))
    }
}

#[async_trait]
impl Follow for SharedFollow {
    async fn wait(mut self: Box<Self>) -> Option<Outcome> {
        loop {
            // Redis unreachable: end empty; the fill joins again and falls back.
            let (holder, stored) = self.poll_once().await?;
            if let Some(n) = stored.filter(|n| n.fence >= self.fence) {
                return self.done(n.result.outcome());
            }
            match holder {
                None => return None, // the lease vanished without an outcome
                Some(f) => self.fence = self.fence.max(f),
            }
            let pause = tokio::time::sleep(self.poll);
            tokio::pin!(pause);
            loop {
                tokio::select! {
                    () = &mut pause => break,
                    msg = self.notices.recv() => match msg {
                        Ok(n) if n.key == self.key.as_str() && n.fence >= self.fence => {
                            return self.done(n.result.outcome());
                        }
                        Ok(_) => {}
                        Err(broadcast::error::RecvError::Lagged(_)) => break,
                        Err(broadcast::error::RecvError::Closed) => {
                            (&mut pause).await;
                            break;
                        }
                    },
                }
            }
        }
    }
}
