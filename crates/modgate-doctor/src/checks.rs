//! The checks: configuration ([`config`], no network), and per endpoint DNS
//! ([`dns`]), TCP ([`tcp`]), TLS ([`tls`]), HTTP ([`http`]) with the checksum
//! database's signed tree head ([`latest`]), the HTTP proxy ([`proxy`]), the
//! SOCKS5 proxy ([`socks`]) and git ([`git`]). Each network step records a [`Check`] line
//! (what was tried, how long it took, what happened); findings are derived
//! from those results by [`crate::probe`].

pub mod config;
pub mod dns;
pub mod git;
pub mod http;
pub mod latest;
pub mod proxy;
pub mod public_dns;
pub mod socks;
pub mod tcp;
pub mod tls;

use std::time::Duration;

/// The outcome of one check line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Worked, but something is off (slow, unusual answer).
    Warn,
    Fail,
    /// Not run (not applicable, or the step before it failed).
    Skip,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

/// One line of the report: a single probe and its timing.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// `dns`, `tcp`, `tls`, `http`, `proxy`, `git` or `config`.
    pub kind: &'static str,
    pub target: String,
    pub status: Status,
    pub elapsed: Option<Duration>,
    pub detail: String,
}
