//! Module zip files, byte for byte with `golang.org/x/mod/zip`: which files
//! belong in one, creating, checking and safely extracting them.
//!
//! | file | Go | what |
//! |---|---|---|
//! | `files.rs` | `checkFiles`, `isVendoredPackage`, `collisionChecker` | valid / omitted / invalid classification |
//! | `dir.rs` | `listFilesInDir`, `CheckDir` | the directory walk |
//! | `create.rs` | `Create`, `CreateFromDir` | writing zips (via the `zip` crate, Deflate) |
//! | `check.rs` | `CheckZip` | checking an existing zip |
//! | `unzip.rs` | `Unzip` | safe extraction |
//! | `reader.rs` | `archive/zip` reader | every central-directory record, streaming with size and CRC checks |
//! | `goline.rs` | `parseGoVers`, `go/version` | the root go.mod's go line (Go 1.24 vendor rules) |
//! | `path.rs` | `path.Clean` etc. | slash paths as byte strings |
//! | `error.rs` | `FileError`, `zipError`, ... | errors with Go's texts |
//!
//! Nothing here holds a whole file or archive in memory: files are streamed
//! through 64 KiB buffers and archives are read through their central
//! directory.

mod check;
mod create;
pub(crate) mod dir;
pub mod error;
mod files;
pub(crate) mod goline;
pub(crate) mod path;
pub(crate) mod reader;
mod unzip;

pub(crate) use check::open_zip_file;
pub use check::{check_zip, check_zip_file};
pub use create::{CreateReport, create, create_from_dir};
pub use dir::check_dir;
pub use error::{
    Error, FileError, FileErrorKind, FileErrorList, FormatError, PathError, SizeError,
};
pub use files::{CheckedFiles, FileInfo, FileKind, ModuleFile, check_files};
pub use unzip::unzip;

/// The largest module zip file, and the largest total uncompressed size of
/// its files (`MaxZipFile`, 500 MiB).
pub const MAX_ZIP_FILE: u64 = 500 << 20;
/// The largest root `go.mod` in a module zip (`MaxGoMod`, 16 MiB).
pub const MAX_GO_MOD: u64 = 16 << 20;
/// The largest root `LICENSE` in a module zip (`MaxLICENSE`, 16 MiB).
pub const MAX_LICENSE: u64 = 16 << 20;

#[cfg(test)]
pub(crate) mod tests;
