//! The go command's module-download settings, parsed exactly as
//! `cmd/go/internal/modfetch` parses them: the [`goproxy`] list and the
//! [`gosumdb`] checksum-database setting, and the [`govcs`] policy; [`vars`]
//! resolves the variables from the environment, the go env file and `go env`.
//!
//! The go command validates these with Go's `net/url`, so the acceptance
//! rules and error messages depend on URL-parsing details; a private port of
//! that parser (`url`, with `netip` for bracketed IPv6 hosts) keeps them
//! identical. Pattern lists such as `GOPRIVATE` and `GONOPROXY` are matched
//! with [`crate::pattern::match_prefix_patterns`]. [`vars`] lists the
//! variables themselves, with their defaults.

pub mod goproxy;
pub mod gosumdb;
pub mod govcs;
pub mod httpproxy;
mod netip;
mod url;
pub mod vars;

pub use url::UrlError;
