//! Direct VCS mode for modgate: module versions, `.mod` files and zips
//! straight from git repositories, computed exactly as the go command does
//! in `GOPROXY=direct` mode.
//!
//! * [`run`] starts git processes (timeouts, process groups, a limit).
//! * [`repo`] is a bare repository per remote, driven like
//!   `cmd/go/internal/modfetch/codehost/git.go`.
//! * [`coderepo`] maps tags and commits to module versions like
//!   `cmd/go/internal/modfetch/coderepo.go`.
//! * [`discovery`] finds the repository for a module path (static
//!   patterns, `?go-get=1`), and [`egress`] keeps connections off internal
//!   addresses.
//! * [`direct`] answers GOPROXY-protocol paths from all of the above.
//! * [`archive`] re-packs `git archive` output into a module zip with the
//!   core's zip rules.

pub mod archive;
pub mod coderepo;
pub mod direct;
pub mod discovery;
pub mod egress;
pub mod repo;
pub mod run;

pub use coderepo::{CodeError, CodeRepo, Info};
pub use direct::{Direct, DirectBody, DirectError};
pub use discovery::{Fetch, VcsPolicy};
pub use egress::{Egress, Guard, Resolve, ResolveFuture, SystemResolver, Table};
pub use repo::{GitError, GitRepo, Repos, RevInfo};
pub use run::{RunError, Runner};
