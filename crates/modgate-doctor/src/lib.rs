//! # modgate-doctor: why Go cannot download modules here, and how to fix it
//!
//! Two entry points share one vocabulary of findings ([`finding`]):
//!
//! * **doctor** ([`run::diagnose`]) reads the settings the go command would use
//!   ([`settings`]: environment, `go env -json`, Go's defaults), plans the
//!   endpoints they lead to ([`plan`]), then probes them — DNS per resolver and
//!   family, TCP per address, a data round trip after connect, TLS, HTTP, the
//!   HTTP proxy, git for private hosts ([`checks`], [`probe`]) — in parallel
//!   with tight timeouts, and turns what it saw into findings with exact fixes
//!   ([`report`]).
//! * **explain** reads the text a failed `go` command printed and maps it to the
//!   same findings, without touching the network; with `--check`,
//!   [`confirm`] runs the doctor checks for the targets the text names and
//!   reports what they see on this machine.
//!
//! Every finding has a stable code (documented in `docs/doctor.md`); reports
//! print as text or as JSON with the same content.

pub mod checks;
pub mod confirm;
pub mod env;
pub mod explain;
pub mod finding;
pub mod goconf;
pub mod gomod;
pub mod net;
pub mod plan;
pub mod private;
pub mod probe;
pub mod report;
pub mod run;
pub mod settings;
pub mod stream;

pub use env::Env;
pub use report::{Report, Verdict};
pub use run::{Options, diagnose, diagnose_blocking};
