//! [`Version`] (a module path and version pair), [`check`] of a pair, and
//! [`sort`], Go's `module.Sort` order (module.go).

use std::cmp::Ordering;
use std::fmt;

use super::error::{Error, InvalidVersionError, ModuleError};
use super::gosort::sort_func;
use super::major::{check_path_major, split_path_version};
use super::path::check_path;
use crate::semver;

/// Go's `module.Version`: a module path and version, in plain (unescaped) form.
///
/// The version is usually canonical semver, but may be empty (the main
/// module, or a file-system replacement) or `none` (MVS's "not required").
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Version {
    /// The module path, e.g. `golang.org/x/text` or `rsc.io/quote/v2`.
    pub path: String,
    /// The version, e.g. `v1.2.3`.
    pub version: String,
}

impl Version {
    /// A pair from its parts.
    pub fn new(path: impl Into<String>, version: impl Into<String>) -> Self {
        Version {
            path: path.into(),
            version: version.into(),
        }
    }
}

impl fmt::Display for Version {
    /// `path@version`, or just `path` when the version is empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.version.is_empty() {
            f.write_str(&self.path)
        } else {
            write!(f, "{}@{}", self.path, self.version)
        }
    }
}

/// Go's `module.Check`: the path is a valid module path, the version is valid
/// semver, and the version's major number matches the path's major suffix
/// (`yaml/v2` needs `v2.x.y`; a path without one needs v0, v1 or `+incompatible`).
///
/// A bad path yields the [`Error::InvalidPath`] of [`check_path`]; a bad
/// version yields an [`Error::Module`] wrapping an [`InvalidVersionError`].
pub fn check(path: &str, version: &str) -> Result<(), Error> {
    check_path(path)?;
    if !semver::is_valid(version) {
        return Err(module_error(
            path,
            Error::InvalidVersion(InvalidVersionError {
                version: version.to_owned(),
                pseudo: false,
                reason: "not a semantic version".into(),
            }),
        ));
    }
    let path_major = split_path_version(path).map_or("", |(_, m)| m);
    check_path_major(version, path_major).map_err(|e| module_error(path, e))
}

fn module_error(path: &str, err: Error) -> Error {
    Error::Module(ModuleError {
        path: path.to_owned(),
        version: String::new(),
        err: Box::new(err),
    })
}

/// Go's `module.Sort`: by path, then by version in semver order. A version
/// may carry a suffix after a `/` (as go.sum's `v1.2.3/go.mod`); suffixes
/// compare as strings after the semver part, so `v1.2.3` precedes `v1.2.3/go.mod`.
///
/// Versions that are semver-equal but spelled differently (`v1.0.0` and
/// `v1.0.0+meta`, or two invalid versions) tie; like Go's, this sort is not
/// stable, and it uses Go's algorithm so that ties end up exactly where Go
/// puts them.
pub fn sort(list: &mut [Version]) {
    sort_func(list, compare);
}

/// The comparison [`sort`] uses (Go's `module.Sort` comparator).
///
/// It is not a total order, exactly as in Go: `v1.0.0+meta` ties with both
/// `v1.0.0` and `v1.0.0/go.mod`, which are ordered. Rust's `sort_by` may
/// panic on such a comparator, so do not pass it alone; use [`sort`] (Go's
/// order), or break its ties by comparing the version strings, which makes
/// it a total order (semver class first, then bytes).
pub fn compare(a: &Version, b: &Version) -> Ordering {
    a.path.cmp(&b.path).then_with(|| {
        let (va, fa) = split_file_suffix(&a.version);
        let (vb, fb) = split_file_suffix(&b.version);
        if va != vb {
            semver::compare(va, vb)
        } else {
            fa.cmp(fb)
        }
    })
}

/// Splits `v1.2.3/go.mod` into `("v1.2.3", "/go.mod")`.
fn split_file_suffix(v: &str) -> (&str, &str) {
    v.find('/').map_or((v, ""), |i| v.split_at(i))
}
