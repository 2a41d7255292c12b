//! Fetch errors: what failed, where, and whether the next upstream may be tried.
//!
//! The go command (`modfetch.TryProxies`) treats 404/410 and missing files as "not
//! found" (`fs.ErrNotExist`): the next entry is tried after `,` and after `|`. Any
//! other failure ends the walk after `,` and falls through after `|`. [`FetchError`]
//! carries that distinction in [`ErrorKind`], and its text always names the upstream.

use std::fmt;

/// The class of a fetch failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 404/410, a missing file, or `off`: the module or file does not exist there.
    NotFound,
    /// The upstream answered with another error status.
    Status,
    /// Connecting, TLS or reading the body failed.
    Network,
    /// The upstream did not answer within the timeout.
    Timeout,
    /// The response exceeded Go's size limit for the file.
    TooLarge,
    /// The circuit breaker refused the call after repeated failures.
    CircuitOpen,
    /// Staging the body locally failed.
    Local,
}

/// A failed fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub kind: ErrorKind,
    /// The upstream as configured (credentials redacted); empty for `off`.
    pub upstream: String,
    /// What happened, in the go command's wording where it has one.
    pub message: String,
    /// Whether another attempt at the same upstream may succeed (connection failures,
    /// 429, 500, 502, 503, 504, truncated bodies).
    pub retryable: bool,
}

impl FetchError {
    pub fn new(kind: ErrorKind, upstream: impl Into<String>, message: impl Into<String>) -> Self {
        FetchError {
            kind,
            upstream: upstream.into(),
            message: message.into(),
            retryable: false,
        }
    }

    pub(crate) fn retryable(mut self, yes: bool) -> Self {
        self.retryable = yes;
        self
    }

    /// Whether this is Go's "not found" (falls back under `,`).
    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.upstream.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "upstream {}: {}", self.upstream, self.message)
        }
    }
}

impl std::error::Error for FetchError {}

/// A bad upstream configuration, reported at start-up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);
