//! # modgate-doctor: why Go cannot download modules here, and how to fix it
//!
//! Two entry points share one vocabulary of findings ([`finding`]):
//!
//! * **doctor** reads the settings the go command would use (environment, `go env
//!   -json`, Go's defaults), then probes every endpoint those settings lead to —
//!   DNS per resolver and family, TCP per address, a data round trip after
//!   connect, TLS, HTTP, the HTTP proxy, git for private hosts — in parallel with
//!   tight timeouts, and turns what it saw into findings with exact fixes.
//! * **explain** reads the text a failed `go` command printed and maps it to the
//!   same findings, without touching the network.
//!
//! Every finding has a stable code (documented in `docs/doctor.md`); reports
//! print as text or as JSON with the same content.

pub mod explain;
pub mod finding;
