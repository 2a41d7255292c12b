//! Creating module zips: `Create` from any list of files, `CreateFromDir`
//! from a directory tree.
//!
//! Follows `golang.org/x/mod/zip` `Create` and `CreateFromDir`. Everything is
//! validated before the first byte is written: the version must be
//! canonical and match the path (`module.Check`), and no file may be invalid
//! and the total size must be within [`MAX_ZIP_FILE`](super::MAX_ZIP_FILE);
//! otherwise nothing is written and the error lists each offending file.
//! Then each valid file is streamed from its source into a Deflate entry
//! named `path@version/file`, through one 64 KiB buffer; a file that
//! delivers more bytes than its size said is an error, and no byte past the
//! declared size reaches the archive. The zip's `h1:` hash is computed from
//! the same bytes on the way through.

use std::io::{self, Read, Seek, Write};
use std::path::Path;

use ::zip::ZipWriter;
use ::zip::write::SimpleFileOptions;
use sha2::{Digest, Sha256};

use super::dir::list_files_in_dir;
use super::error::{Error, FileError};
use super::files::{ModuleFile, classify};
use super::reader::BUF_SIZE;
use crate::module::Version;

/// What [`create`] and [`create_from_dir`] wrote and left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateReport {
    /// Each omitted file or directory (slash path relative to the module
    /// root) and why: nested modules, vendored packages, version-control
    /// directories, symbolic links and other irregular files.
    pub omitted: Vec<FileError>,
    /// The zip's `h1:` hash (what `dirhash::hash_zip` of it gives),
    /// computed from the bytes as they were written.
    pub sum: String,
}

/// `Create`: writes the module zip for `m` holding `files` to `w`.
///
/// Errors read `create zip: ...` as in Go.
pub fn create<W, F>(w: W, m: &Version, files: &[F]) -> Result<CreateReport, Error>
where
    W: Write + Seek,
    F: ModuleFile,
{
    create_unwrapped(w, m, files).map_err(|e| e.op("create zip", None))
}

/// `CreateFromDir`: writes the module zip for `m` from the tree at `dir`.
///
/// Besides what [`create`] omits, the walk leaves out `.bzr`, `.git`, `.hg`
/// and `.svn` directories and directories holding their own `go.mod`.
/// Errors read `create zip <dir>: ...`, or `create zip from directory <dir>:
/// ...` when the directory cannot be walked, as in Go.
pub fn create_from_dir<W: Write + Seek>(
    w: W,
    m: &Version,
    dir: &Path,
) -> Result<CreateReport, Error> {
    let listing = list_files_in_dir(dir)
        .map_err(|e| e.op("create zip from directory", Some(dir.to_path_buf())))?;
    let mut report = create_unwrapped(w, m, &listing.files)
        .map_err(|e| e.op("create zip", Some(dir.to_path_buf())))?;
    report.omitted.extend(listing.omitted);
    Ok(report)
}

/// Checks the module path and version as `Create`, `CheckZip` and `Unzip` do.
pub(crate) fn check_version(m: &Version) -> Result<(), Error> {
    let canonical = crate::module::canonical_version(&m.version);
    if canonical != m.version {
        return Err(Error::NotCanonical {
            version: m.version.clone(),
            canonical,
        });
    }
    Ok(crate::module::check(&m.path, &m.version)?)
}

fn create_unwrapped<W, F>(w: W, m: &Version, files: &[F]) -> Result<CreateReport, Error>
where
    W: Write + Seek,
    F: ModuleFile,
{
    check_version(m)?;
    let classified = classify(files);
    classified.checked.err()?;

    let prefix = format!("{}@{}/", m.path, m.version);
    let options = SimpleFileOptions::default()
        .compression_method(::zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let mut zw = ZipWriter::new(w);
    let mut buf = vec![0u8; BUF_SIZE];
    let mut digests = Vec::with_capacity(classified.valid.len());
    for &(index, size) in &classified.valid {
        let f = &files[index];
        // Valid paths are UTF-8 (module.CheckFilePath passed).
        let path = String::from_utf8_lossy(f.path());
        let mut source = f.open()?;
        let name = format!("{prefix}{path}");
        zw.start_file(name.as_str(), options).map_err(zip_error)?;
        let mut sha = Sha256::new();
        let mut written = 0u64;
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Io(e)),
            };
            if n as u64 > size - written {
                return Err(Error::LargerThanDeclared(path.into_owned()));
            }
            zw.write_all(&buf[..n])?;
            sha.update(&buf[..n]);
            written += n as u64;
        }
        digests.push((name.into_bytes(), sha.finalize().into()));
    }
    zw.finish().map_err(zip_error)?;
    // Valid names hold no newline (module.CheckFilePath), so this succeeds.
    let sum = crate::dirhash::hash1_of_digests(digests)
        .map_err(|e| Error::Io(io::Error::other(e.to_string())))?;
    Ok(CreateReport {
        omitted: classified.checked.omitted,
        sum,
    })
}

fn zip_error(e: ::zip::result::ZipError) -> Error {
    match e {
        ::zip::result::ZipError::Io(e) => Error::Io(e),
        other => Error::Io(io::Error::other(other.to_string())),
    }
}
