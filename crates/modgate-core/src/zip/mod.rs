//! Module zip files: which files belong in one, creating, checking and
//! extracting them, byte for byte with `golang.org/x/mod/zip`.

pub mod error;
pub(crate) mod path;
pub(crate) mod reader;

pub use error::{
    Error, FileError, FileErrorKind, FileErrorList, FormatError, PathError, SizeError,
};

/// The largest module zip file, and the largest total uncompressed size of
/// its files (`MaxZipFile`, 500 MiB).
pub const MAX_ZIP_FILE: u64 = 500 << 20;
/// The largest root `go.mod` in a module zip (`MaxGoMod`, 16 MiB).
pub const MAX_GO_MOD: u64 = 16 << 20;
/// The largest root `LICENSE` in a module zip (`MaxLICENSE`, 16 MiB).
pub const MAX_LICENSE: u64 = 16 << 20;

#[cfg(test)]
pub(crate) mod tests;
