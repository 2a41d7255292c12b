//! # modgate-project: a Go project's module graph, fetched and verified through a GOPROXY
//!
//! What `modgate warm`, `audit` and `update` share:
//!
//! * [`settings::GoSettings`]: GOPROXY, GOSUMDB, GOPRIVATE, GONOPROXY, GONOSUMDB,
//!   GOFLAGS, GOINSECURE, GOTOOLCHAIN, GOWORK, ... as the go command reads them
//!   (environment, then the `go env -w` file, then Go's defaults; the precedence rules
//!   are the core's `goenv::vars`), with `--proxy` overriding GOPROXY.
//! * [`fetch::Fetcher`]: module files (`@v/list`, `.info`, `.mod`, `.zip`, `@latest`)
//!   through the GOPROXY list with Go's fallback rules, each `.mod` and `.zip` verified
//!   against the checksum database reached through the proxy's `/sumdb/` first, as go
//!   does. It is a `modgate_cache::Cache` assembled exactly as `modgate serve`'s
//!   ([`modgate_cache::assemble`]) over a local store ([`fetch::Store`]).
//! * [`graph`]: a project ([`graph::Project`]: a go.mod, or a go.work and its modules)
//!   and its MVS build list ([`graph::load_graph`]), the go.mod files of the graph
//!   fetched concurrently in waves around the core's sequential `mvs` loader.
//! * [`packages`]: the packages of `all` as `go mod tidy` loads them (update and
//!   audit); `tidy`: what go mod tidy writes for them (update).
//! * [`audit`]: the checks of `modgate audit` over a project's graph.

pub mod audit;
pub mod fetch;
pub mod graph;
pub mod packages;
pub mod query;
pub mod settings;
mod tidy;
pub mod update;

pub use bytes::Bytes;
pub use fetch::{FetchError, Fetched, Fetcher, FileKind, Store};
pub use graph::{Graph, GraphError, Project, ProjectError, load_graph};
pub use settings::GoSettings;
