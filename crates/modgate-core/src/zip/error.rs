//! Errors of the module zip functions, with Go's texts.
//!
//! Follows `golang.org/x/mod/zip` (`FileError`, `FileErrorList`, `zipError`,
//! the predefined `err*` values and the size messages) and the errors of
//! `archive/zip` and `io/fs` that surface through it.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::quote::quote;

use super::{MAX_GO_MOD, MAX_LICENSE, MAX_ZIP_FILE};

/// A malformed zip archive (`archive/zip` and `io` error values).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// `zip.ErrFormat`.
    #[error("zip: not a valid zip file")]
    NotValid,
    /// An entry inflates to more bytes than it declares. Go's `archive/zip`
    /// reports this as `zip.ErrFormat`; the module functions report it with
    /// their own text (see [`Error::UncompressedTooLarge`]).
    #[error("zip: not a valid zip file")]
    TooLong,
    /// `zip.ErrAlgorithm`: a compression method other than Store or Deflate.
    #[error("zip: unsupported compression algorithm")]
    Algorithm,
    /// `zip.ErrChecksum`.
    #[error("zip: checksum error")]
    Checksum,
    /// The end-of-directory record's comment runs past the end of the file.
    #[error("zip: invalid comment length")]
    InvalidCommentLength,
    /// `io.ErrUnexpectedEOF`: data ends early (a truncated archive, or an
    /// entry shorter than its declared size).
    #[error("unexpected EOF")]
    UnexpectedEof,
    /// `io.EOF`.
    #[error("EOF")]
    Eof,
    /// Corrupt Deflate data (the decoder's description).
    #[error("flate: {0}")]
    Flate(String),
}

/// Go's `*fs.PathError`: `op path: reason`, e.g. `open /x: no such file or directory`.
#[derive(Debug, thiserror::Error)]
#[error("{op} {}: {}", path.display(), go_io_text(source))]
pub struct PathError {
    /// The operation (`open`, `read`, `lstat`, `mkdir`, ...).
    pub op: &'static str,
    /// The path it was applied to.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub source: io::Error,
}

/// The text Go prints for an I/O error: an OS error's description without
/// Rust's ` (os error N)` suffix and with a lower-case first letter
/// (`no such file or directory`), which is how Go's `syscall.Errno` reads.
pub(crate) fn go_io_text(e: &io::Error) -> String {
    let text = e.to_string();
    let Some(code) = e.raw_os_error() else {
        return text;
    };
    let base = text
        .strip_suffix(&format!(" (os error {code})"))
        .unwrap_or(&text);
    let mut chars = base.chars();
    match (chars.next(), chars.next()) {
        // Keep acronyms ("I/O error") as they are.
        (Some(first), Some(second)) if !second.is_uppercase() && second != '/' => first
            .to_lowercase()
            .chain(base[first.len_utf8()..].chars())
            .collect(),
        _ => base.to_string(),
    }
}

/// Why a file is omitted from a module zip, or is invalid in one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileErrorKind {
    // Invalid files.
    /// `path.Clean` changes the path.
    #[error("file path is not clean")]
    PathNotClean,
    /// The path is absolute.
    #[error("file path is not relative")]
    PathNotRelative,
    /// `module.CheckFilePath` failed (`malformed file path "x": reason`).
    #[error(transparent)]
    MalformedPath(crate::module::Error),
    /// A root `go.mod` whose name is not lower case (`GO.MOD`).
    #[error("go.mod files must have lowercase names")]
    GoModCase,
    /// A `go.mod` below the root of a zip.
    #[error("go.mod file not in module root directory")]
    GoModNotInRoot,
    /// The root `go.mod` is larger than [`MAX_GO_MOD`].
    #[error("go.mod file too large (max size is {MAX_GO_MOD} bytes)")]
    GoModSize,
    /// The root `LICENSE` is larger than [`MAX_LICENSE`].
    #[error("LICENSE file too large (max size is {MAX_LICENSE} bytes)")]
    LicenseSize,
    /// Two paths equal under Unicode case folding.
    #[error("case-insensitive file name collision: {} and {}", quote(.0), quote(.1))]
    CaseCollision(String, String),
    /// A path used both as a file and as a directory.
    #[error("entry {} is both a file and a directory", quote(.0))]
    FileAndDirectory(String),
    /// A file listed twice.
    #[error("multiple entries for file {}", quote(.0))]
    MultipleEntries(String),
    /// A zip entry outside the `path@version/` prefix (holds the prefix).
    #[error("path does not have prefix {}", quote(.0))]
    NoPrefix(String),
    /// Looking at the file failed (the error's text).
    #[error("{0}")]
    Io(String),

    // Omitted files.
    /// A `.bzr`, `.git`, `.hg` or `.svn` directory.
    #[error("directory is a version control repository")]
    Vcs,
    /// A file in a vendored package.
    #[error("file is in vendor directory")]
    Vendored,
    /// A file below a directory holding a `go.mod`.
    #[error("file is in another module")]
    SubmoduleFile,
    /// A directory holding a `go.mod`.
    #[error("directory is in another module")]
    SubmoduleDir,
    /// The root `.hg_archival.txt`.
    #[error("file is inserted by 'hg archive' and is always omitted")]
    HgArchivalTxt,
    /// A symbolic link.
    #[error("file is a symbolic link")]
    Symlink,
    /// Anything else that is not a regular file.
    #[error("not a regular file")]
    NotRegular,
}

/// A file and why it is omitted or invalid (`zip.FileError`): `path: reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {kind}")]
pub struct FileError {
    /// The file's path as reported (slash path, zip entry name, or OS path
    /// for [`check_dir`](super::check_dir)); lossy if it is not UTF-8.
    pub path: String,
    /// The reason.
    pub kind: FileErrorKind,
}

/// Several invalid files (`zip.FileErrorList`): one `path: reason` per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileErrorList(pub Vec<FileError>);

impl fmt::Display for FileErrorList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FileErrorList {}

/// The module is too large.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    /// The files to put in a zip add up to more than [`MAX_ZIP_FILE`].
    #[error("module source tree too large (max size is {MAX_ZIP_FILE} bytes)")]
    SourceTree,
    /// The zip file itself is larger than [`MAX_ZIP_FILE`].
    #[error("module zip file is too large ({0} bytes; limit is {MAX_ZIP_FILE} bytes)")]
    ZipFile(u64),
    /// A zip's declared uncompressed sizes add up to more than [`MAX_ZIP_FILE`].
    #[error(
        "total uncompressed size of module contents too large (max size is {MAX_ZIP_FILE} bytes)"
    )]
    Contents,
}

/// An error of a module zip operation. `Display` is Go's text.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Go's `zipError`: an operation and its subject, e.g.
    /// `create zip from directory /src: ...` or `unzip /x.zip: ...`.
    #[error("{verb}{}: {source}", subject.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    Op {
        /// `create zip`, `create zip from directory` or `unzip`.
        verb: &'static str,
        /// The directory or zip file, when there is one.
        subject: Option<PathBuf>,
        /// What went wrong.
        source: Box<Error>,
    },
    /// The version is not in canonical form.
    #[error(
        "version {} is not canonical (should be {})",
        quote(version),
        quote(canonical)
    )]
    NotCanonical {
        /// The version given.
        version: String,
        /// Its canonical form.
        canonical: String,
    },
    /// The module path and version are not valid together (`module.Check`).
    #[error(transparent)]
    Module(#[from] crate::module::Error),
    /// The module is too large.
    #[error(transparent)]
    Size(#[from] SizeError),
    /// Some files are invalid.
    #[error(transparent)]
    Files(#[from] FileErrorList),
    /// A file delivered more bytes than its size said (`Create`).
    #[error("file {} is larger than declared size", quote(.0))]
    LargerThanDeclared(String),
    /// `Unzip` was given a directory that already has entries.
    #[error("target directory {} exists and is not empty", .0.display())]
    TargetNotEmpty(PathBuf),
    /// An entry inflates to more than its declared size (`Unzip`).
    #[error("uncompressed size of file {name} is larger than declared size ({declared} bytes)")]
    UncompressedTooLarge {
        /// The entry name (lossy if not UTF-8).
        name: String,
        /// Its declared uncompressed size.
        declared: u64,
    },
    /// The zip archive is malformed.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// A file-system operation failed.
    #[error(transparent)]
    Path(#[from] PathError),
    /// Reading or writing a caller-supplied stream failed.
    #[error("{}", go_io_text(.0))]
    Io(#[from] io::Error),
}

impl Error {
    /// Wraps `self` as Go's `zipError{verb, path}`.
    pub(crate) fn op(self, verb: &'static str, subject: Option<PathBuf>) -> Error {
        Error::Op {
            verb,
            subject,
            source: Box::new(self),
        }
    }
}

impl From<super::reader::ReadError> for Error {
    fn from(e: super::reader::ReadError) -> Self {
        match e {
            super::reader::ReadError::Io(e) => Error::Io(e),
            super::reader::ReadError::Format(e) => Error::Format(e),
        }
    }
}
