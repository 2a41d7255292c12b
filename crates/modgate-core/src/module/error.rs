//! The errors of `golang.org/x/mod/module`, with Go's exact texts.
//!
//! Go returns three concrete error types (`*InvalidPathError`,
//! `*InvalidVersionError`, `*ModuleError`) plus plain `fmt.Errorf` messages;
//! [`Error`] is the sum of those, so a caller can both print Go's message and
//! match on the kind. Follows `module.go`'s `ModuleError`, `InvalidVersionError`
//! and `InvalidPathError`.

use std::fmt;

use crate::quote::{quote, quote_bytes};

/// Any error returned by the functions of [`crate::module`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A module, import or file path breaks the naming rules.
    InvalidPath(InvalidPathError),
    /// A version is malformed or does not fit its context.
    InvalidVersion(InvalidVersionError),
    /// An error about a specific module (and maybe version).
    Module(ModuleError),
    /// Any other failure, carrying Go's message verbatim.
    Message(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidPath(e) => e.fmt(f),
            Error::InvalidVersion(e) => e.fmt(f),
            Error::Module(e) => e.fmt(f),
            Error::Message(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Module(e) => Some(e.err.as_ref()),
            _ => None,
        }
    }
}

impl From<InvalidPathError> for Error {
    fn from(e: InvalidPathError) -> Self {
        Error::InvalidPath(e)
    }
}

impl From<InvalidVersionError> for Error {
    fn from(e: InvalidVersionError) -> Self {
        Error::InvalidVersion(e)
    }
}

impl From<ModuleError> for Error {
    fn from(e: ModuleError) -> Self {
        Error::Module(e)
    }
}

/// Which naming rules a path was checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathKind {
    /// A module path ([`super::check_path`]).
    Module,
    /// A package import path ([`super::check_import_path`]).
    Import,
    /// A file path inside a module ([`super::check_file_path`]).
    File,
}

impl PathKind {
    /// The word Go uses in messages: `module`, `import` or `file`.
    pub fn as_str(self) -> &'static str {
        match self {
            PathKind::Module => "module",
            PathKind::Import => "import",
            PathKind::File => "file",
        }
    }
}

/// Go's `module.InvalidPathError`: `malformed <kind> path "<path>": <reason>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPathError {
    /// The rules that were applied.
    pub kind: PathKind,
    /// The offending path as bytes, since Go reports paths that are not
    /// UTF-8 (quoted with `\x` escapes).
    pub path: Vec<u8>,
    /// Why the path is invalid, e.g. `invalid char 'E' in first path element`.
    pub reason: String,
}

impl fmt::Display for InvalidPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed {} path {}: {}",
            self.kind.as_str(),
            quote_bytes(&self.path),
            self.reason
        )
    }
}

impl std::error::Error for InvalidPathError {}

/// Go's `module.InvalidVersionError`: `version "<v>" invalid: <reason>`, or
/// `pseudo-version ...` when `pseudo` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidVersionError {
    /// The offending version.
    pub version: String,
    /// Whether the version is (or claims to be) a pseudo-version.
    pub pseudo: bool,
    /// Why it is invalid, e.g. `should be v0 or v1, not v2`.
    pub reason: String,
}

impl InvalidVersionError {
    /// `pseudo-version` or `version`, as Go's `noun` method.
    pub fn noun(&self) -> &'static str {
        if self.pseudo {
            "pseudo-version"
        } else {
            "version"
        }
    }
}

impl fmt::Display for InvalidVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} invalid: {}",
            self.noun(),
            quote(&self.version),
            self.reason
        )
    }
}

impl std::error::Error for InvalidVersionError {}

/// Go's `module.ModuleError`: an error about module `path` (at `version` when
/// non-empty).
///
/// Display follows Go: `path@v: invalid version: reason` when `err` is an
/// [`InvalidVersionError`] (whose own version is shown), otherwise
/// `path@version: err`, or `module path: err` when `version` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleError {
    /// The module path.
    pub path: String,
    /// The version, or empty when the error concerns the module as a whole.
    pub version: String,
    /// The underlying error.
    pub err: Box<Error>,
}

impl fmt::Display for ModuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.err.as_ref() {
            Error::InvalidVersion(v) => {
                write!(
                    f,
                    "{}@{}: invalid {}: {}",
                    self.path,
                    v.version,
                    v.noun(),
                    v.reason
                )
            }
            err if !self.version.is_empty() => write!(f, "{}@{}: {}", self.path, self.version, err),
            err => write!(f, "module {}: {}", self.path, err),
        }
    }
}

impl std::error::Error for ModuleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.err.as_ref())
    }
}

/// Go's `module.VersionError`: wraps `err` as a [`ModuleError`] for `m`,
/// unless it already is one for exactly that path and version.
pub fn version_error(m: &super::Version, err: Error) -> Error {
    if let Error::Module(me) = &err
        && me.path == m.path
        && me.version == m.version
    {
        return err;
    }
    Error::Module(ModuleError {
        path: m.path.clone(),
        version: m.version.clone(),
        err: Box::new(err),
    })
}
