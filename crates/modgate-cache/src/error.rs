//! What can go wrong when a file is asked of the cache, as data: the HTTP server
//! maps each kind to a status in one place, `warm` and `audit` to their own words.
//!
//! Errors are cheap to clone (sources behind `Arc`), because one fill's outcome is
//! handed to every request that waited for it.

use std::sync::Arc;

use modgate_storage::StorageError;
use modgate_upstream::FetchError;

use crate::request::RequestError;
use crate::verify::VerifyError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum CacheError {
    /// The file does not exist: an authoritative 404/410 from the upstreams (or `off`),
    /// or, without fetching, absent from storage. `message` is what the go command shows.
    #[error("{message}")]
    NotFound {
        message: String,
        /// Whether this answer came from the negative cache rather than an upstream.
        remembered: bool,
    },

    /// The upstreams could not be asked (refused, reset, TLS, 5xx, circuit open) or
    /// did not answer in time: says nothing about whether the file exists.
    #[error(transparent)]
    Unavailable(Arc<FetchError>),

    /// An upstream answered with something that is not the file asked for (invalid
    /// JSON, another version, an invalid version).
    #[error("upstream {upstream}: {reason}")]
    Refused { upstream: String, reason: String },

    /// What was fetched failed verification: a checksum mismatch (both hashes in the
    /// text), a zip that breaks Go's rules, or a checksum database that could not vouch.
    #[error(transparent)]
    Verify(#[from] VerifyError),

    /// The checksum database could not answer or its answer did not verify.
    #[error(transparent)]
    Sumdb(#[from] crate::sumdb::SumdbError),

    /// The request is malformed.
    #[error(transparent)]
    InvalidRequest(#[from] RequestError),

    /// The request is not allowed here (a private path named to a checksum database).
    #[error("{0}")]
    Forbidden(String),

    /// Storage failed.
    #[error(transparent)]
    Storage(Arc<StorageError>),

    /// A stored `.zip` or `.mod` no longer matches the hash recorded when it was
    /// verified: it is not served.
    #[error(
        "stored copy of {key} fails its recorded hash (recorded {recorded}, now {got}): not served; run modgate scrub --repair"
    )]
    Corrupt {
        key: String,
        recorded: String,
        got: String,
    },

    /// A fill task ended without an answer (it panicked or was cancelled).
    #[error("fetch failed: {0}")]
    Abandoned(String),

    /// A fill that failed in another replica, as its leader published it: `kind`
    /// keeps what the error was (and so its status), `message` the leader's words.
    #[error("{message}")]
    Replica { kind: FailureKind, message: String },
}

/// What kind of failure a fill ended with, as replicas tell each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The upstreams could not be asked.
    Unavailable,
    /// The upstreams did not answer in time.
    Timeout,
    /// What an upstream sent was refused (not the file asked for, failed verification).
    Refused,
    /// Anything else (storage, a bad request, an abandoned fetch).
    Internal,
}

impl CacheError {
    pub fn not_found(message: impl Into<String>) -> CacheError {
        CacheError::NotFound {
            message: message.into(),
            remembered: false,
        }
    }

    /// Whether the file is known not to exist (and may be remembered as such).
    pub fn is_not_found(&self) -> bool {
        matches!(self, CacheError::NotFound { .. })
    }

    /// Whether this is an upstream that could not be reached or did not answer in time,
    /// as opposed to an answer: stored copies may stand in for it.
    pub fn is_unavailable(&self) -> bool {
        match self {
            CacheError::Unavailable(_) => true,
            CacheError::Replica { kind, .. } => {
                matches!(kind, FailureKind::Unavailable | FailureKind::Timeout)
            }
            CacheError::Sumdb(e) => e.is_unavailable(),
            _ => false,
        }
    }

    /// Whether the upstream timed out.
    pub fn is_timeout(&self) -> bool {
        match self {
            CacheError::Unavailable(e) => e.kind == modgate_upstream::ErrorKind::Timeout,
            CacheError::Sumdb(crate::sumdb::SumdbError::Fetch(e)) => {
                e.kind == modgate_upstream::ErrorKind::Timeout
            }
            CacheError::Replica { kind, .. } => *kind == FailureKind::Timeout,
            _ => false,
        }
    }

    /// The kind of a failure other than not-found, for replicas that wait on it.
    pub fn failure_kind(&self) -> FailureKind {
        match self {
            _ if self.is_timeout() => FailureKind::Timeout,
            CacheError::Replica { kind, .. } => *kind,
            _ if self.is_unavailable() => FailureKind::Unavailable,
            CacheError::Refused { .. } | CacheError::Verify(_) | CacheError::Sumdb(_) => {
                FailureKind::Refused
            }
            _ => FailureKind::Internal,
        }
    }
}

impl From<FetchError> for CacheError {
    fn from(e: FetchError) -> Self {
        if e.is_not_found() {
            CacheError::not_found(e.to_string())
        } else {
            CacheError::Unavailable(Arc::new(e))
        }
    }
}

impl From<StorageError> for CacheError {
    fn from(e: StorageError) -> Self {
        CacheError::Storage(Arc::new(e))
    }
}
