//! What the cache reports as it works, for metrics and logs: the server turns these
//! calls into Prometheus counters; a command-line caller can ignore them.

/// How a request was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// From memory or storage, fresh.
    Hit,
    /// Fetched from an upstream for this request (or a flight it joined).
    Miss,
    /// A stored copy past its freshness, served while it is refreshed.
    Stale,
    /// From storage because the upstreams failed: a stale copy (stale-if-error), or a
    /// list or `@latest` computed from the stored versions during an outage.
    Unavailable,
    /// Computed from storage because fetching is disabled (offline mode or the
    /// client's `Disable-Module-Fetch`).
    Offline,
    /// A remembered not-found.
    Negative,
}

impl Origin {
    /// The metrics and log label.
    pub fn label(self) -> &'static str {
        match self {
            Origin::Hit => "hit",
            Origin::Miss => "miss",
            Origin::Stale => "stale",
            Origin::Unavailable => "unavailable",
            Origin::Offline => "offline",
            Origin::Negative => "negative",
        }
    }
}

/// Receives the cache's events. Every method defaults to doing nothing.
pub trait Observer: Send + Sync {
    /// A request for `endpoint` (see `ModuleRequest::endpoint`) was answered from `origin`.
    fn answered(&self, endpoint: &'static str, origin: Origin) {
        let _ = (endpoint, origin);
    }
    /// An upstream file was refused by verification (`reason` is a metrics label).
    fn refused(&self, reason: &'static str) {
        let _ = reason;
    }
    /// A request waited for a fill another request leads.
    fn followed(&self) {}
}

/// Ignores everything.
pub struct Quiet;
impl Observer for Quiet {}
