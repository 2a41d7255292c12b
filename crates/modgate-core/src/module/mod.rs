//! Go's module paths and versions, as `golang.org/x/mod/module` defines them.
//!
//! - [`check_path`], [`check_import_path`], [`check_file_path`]: the naming
//!   rules for module paths, package import paths and file paths in modules.
//! - [`check`]: a path and version that belong together.
//! - [`escape_path`] and friends: the case-encoding used in proxy URLs and
//!   the module cache.
//! - [`split_path_version`], [`check_path_major`]: major-version suffixes.
//! - [`pseudo_version`] and friends: versions of untagged commits, with
//!   [`UtcTime`] for their timestamps.
//! - [`Version`] and [`sort`]: module/version pairs and go.sum's order.
//!
//! Errors are [`Error`] values whose `Display` is Go's exact message.
//! Sources: `$GOROOT/src/cmd/vendor/golang.org/x/mod/module/{module,pseudo}.go`.

mod error;
mod escape;
mod gosort;
mod major;
mod path;
mod pseudo;
mod time;
mod version;

#[cfg(test)]
mod tests;

pub use error::{
    Error, InvalidPathError, InvalidVersionError, ModuleError, PathKind, version_error,
};
pub use escape::{escape_path, escape_version, unescape_path, unescape_version};
pub use major::{
    canonical_version, check_path_major, match_path_major, path_major_prefix, split_path_version,
};
pub use path::{
    check_file_path, check_file_path_bytes, check_import_path, check_import_path_bytes, check_path,
    check_path_bytes,
};
pub use pseudo::{
    is_pseudo_version, is_zero_pseudo_version, pseudo_version, pseudo_version_base,
    pseudo_version_rev, pseudo_version_time, zero_pseudo_version,
};
pub use time::UtcTime;
pub use version::{Version, check, compare, sort};
