//! `CheckZip`: whether an existing zip file is a valid module zip.
//!
//! Follows `golang.org/x/mod/zip` `CheckZip`/`checkZip`. Only the central
//! directory is read (through [`reader`](super::reader), which lists every
//! record, so duplicates are seen); no entry is decompressed, so
//! [`unzip`](super::unzip) may still fail on the data.

use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::create::check_version;
use super::error::{Error, FileError, FileErrorKind, PathError, SizeError};
use super::files::{CheckedFiles, Collisions, check_file_path};
use super::path::{self as gopath, clean, eq_fold_go_mod};
use super::reader::{Directory, read_directory};
use super::{MAX_GO_MOD, MAX_LICENSE, MAX_ZIP_FILE};
use crate::module::Version;

/// `CheckZip` on an open archive: the classification of its entries, and
/// the verdict. The verdict is also `Err` when the path or version is
/// invalid, the file is larger than [`MAX_ZIP_FILE`], or it is not a
/// readable zip; the [`CheckedFiles`] is then empty (or holds only the size
/// error).
pub fn check_zip<R: Read + Seek>(zip: R, m: &Version) -> (CheckedFiles, Result<(), Error>) {
    match check_zip_directory(zip, m) {
        Ok((_, cf)) => {
            let verdict = cf.err();
            (cf, verdict)
        }
        // Go returns the report with just the size error set in this case.
        Err(Error::Size(e)) => (
            CheckedFiles {
                size_error: Some(e.clone()),
                ..CheckedFiles::default()
            },
            Err(Error::Size(e)),
        ),
        Err(e) => (CheckedFiles::default(), Err(e)),
    }
}

/// [`check_zip`] on a zip file.
pub fn check_zip_file(zip: &Path, m: &Version) -> (CheckedFiles, Result<(), Error>) {
    match open_zip_file(zip) {
        Ok(f) => check_zip(f, m),
        Err(e) => (CheckedFiles::default(), Err(e)),
    }
}

/// Opens a zip archive on disk, refusing anything but a regular file: a
/// directory would otherwise "seek" to an absurd size and be reported as a
/// too-large module instead of as what it is.
pub(crate) fn open_zip_file(zip: &Path) -> Result<fs::File, Error> {
    let error = |op, source| {
        Error::Path(PathError {
            op,
            path: zip.to_path_buf(),
            source,
        })
    };
    let file = fs::File::open(zip).map_err(|e| error("open", e))?;
    let meta = file.metadata().map_err(|e| error("stat", e))?;
    if meta.is_dir() {
        return Err(error("read", std::io::Error::from_raw_os_error(21))); // EISDIR
    }
    if !meta.is_file() {
        return Err(error("read", std::io::Error::other("not a regular file")));
    }
    Ok(file)
}

/// The shared part of `CheckZip` and `Unzip`: the archive's directory and
/// its classification, or the error that stopped the check early (an
/// invalid module, an oversized file, an unreadable archive).
pub(crate) fn check_zip_directory<R: Read + Seek>(
    mut zip: R,
    m: &Version,
) -> Result<(Directory, CheckedFiles), Error> {
    check_version(m)?;
    let size = zip.seek(SeekFrom::End(0))?;
    if size > MAX_ZIP_FILE {
        return Err(Error::Size(SizeError::ZipFile(size)));
    }
    let directory = read_directory(&mut zip)?;

    let mut cf = CheckedFiles::default();
    let prefix = format!("{}@{}/", m.path, m.version);
    let mut collisions = Collisions::default();
    let mut total: i64 = 0;
    for entry in &directory.entries {
        let mut invalid = |kind| {
            cf.invalid.push(FileError {
                path: String::from_utf8_lossy(&entry.name).into_owned(),
                kind,
            });
        };
        let Some(name) = entry.name.strip_prefix(prefix.as_bytes()) else {
            invalid(FileErrorKind::NoPrefix(prefix.clone()));
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let (name, is_dir) = match name.strip_suffix(b"/") {
            Some(dir) => (dir, true),
            None => (name, false),
        };
        if clean(name) != name {
            invalid(FileErrorKind::PathNotClean);
            continue;
        }
        let name = match check_file_path(name) {
            Ok(name) => name,
            Err(kind) => {
                invalid(kind);
                continue;
            }
        };
        if let Err(kind) = collisions.check(name, is_dir) {
            invalid(kind);
            continue;
        }
        if is_dir {
            continue;
        }
        let base = gopath::base(name.as_bytes());
        if eq_fold_go_mod(base) {
            if base != name.as_bytes() {
                invalid(FileErrorKind::GoModNotInRoot);
                continue;
            }
            if name != "go.mod" {
                invalid(FileErrorKind::GoModCase);
                continue;
            }
        }
        // Go's sizes are int64: a declared size of 2^63 or more is negative.
        let size = entry.uncompressed_size as i64;
        if size >= 0 && MAX_ZIP_FILE as i64 - total >= size {
            total += size;
        } else if cf.size_error.is_none() {
            cf.size_error = Some(SizeError::Contents);
        }
        if name == "go.mod" && size > MAX_GO_MOD as i64 {
            invalid(FileErrorKind::GoModSize);
            continue;
        }
        if name == "LICENSE" && size > MAX_LICENSE as i64 {
            invalid(FileErrorKind::LicenseSize);
            continue;
        }
        cf.valid
            .push(String::from_utf8_lossy(&entry.name).into_owned());
    }
    Ok((directory, cf))
}
