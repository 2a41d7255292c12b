//! # modgate-upstream: the GOPROXY-protocol client of `modgate serve`
//!
//! * [`list`]: upstream lists in Go's GOPROXY syntax (`,` and `|`, `off`, `file://`,
//!   `direct`).
//! * [`client`]: fetching a protocol file through a list with Go's fallback rules,
//!   pooled HTTP, hedged requests across `|`, header/idle/overall deadlines, retries
//!   (a cut zip resumes with `Range`), circuit breakers and Go's size limits.
//! * [`envproxy`]: HTTPS_PROXY / NO_PROXY exactly as Go applies them.
//! * [`routes`]: which list serves which module paths; `--private` paths never go to
//!   a public upstream.
//! * [`breaker`]: the per-upstream circuit breaker.
//!
//! Everything here is transport: verifying what was fetched is `modgate-cache`'s job.

pub mod breaker;
pub mod client;
pub mod envproxy;
pub mod error;
pub mod list;
pub mod routes;

pub use client::{
    AttemptEvent, Body, Client, ClientConfig, Event, Fetched, FileKind, HedgeEvent, HedgeOutcome,
    Outcome,
};
pub use error::{ConfigError, ErrorKind, FetchError};
pub use list::{BreakerSettings, Entry, Upstream, UpstreamList, UpstreamSpec};
pub use modgate_vcs::{Egress, VcsPolicy};
pub use routes::{Route, Routes};
