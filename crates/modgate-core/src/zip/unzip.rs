//! `Unzip`: safe extraction of a module zip.
//!
//! Follows `golang.org/x/mod/zip` `Unzip`. The target directory must be
//! empty or missing. The whole archive is checked first (as
//! [`check_zip`](super::check_zip)): every name is clean, relative, valid
//! for `module.CheckFilePath` and under the `path@version/` prefix, so no
//! entry can name a path outside the target; names are also split into
//! plain components here before anything is created. Each file is created
//! new (never overwriting), read-only (0444), and filled by streaming the
//! entry through a 64 KiB buffer; an entry that inflates to more than its
//! declared size fails before any byte beyond that size is written, and one
//! that ends short fails too (`unexpected EOF`).

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use super::check::check_zip_directory;
use super::error::{Error, FormatError, PathError};
use super::reader::{BUF_SIZE, ReadError, open_entry};
use crate::module::Version;

/// Extracts the module zip `zip` for `m` into `dir`, creating `dir` if
/// needed. Errors read `unzip <zip>: ...` as in Go. Files may have been
/// written before an error found while extracting (e.g. a size lie).
pub fn unzip(dir: &Path, m: &Version, zip: &Path) -> Result<(), Error> {
    unzip_unwrapped(dir, m, zip).map_err(|e| e.op("unzip", Some(zip.to_path_buf())))
}

fn unzip_unwrapped(dir: &Path, m: &Version, zip: &Path) -> Result<(), Error> {
    // Checked before the zip is even opened; a directory that cannot be
    // listed counts as empty (creating files in it will then fail).
    if fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(Error::TargetNotEmpty(dir.to_path_buf()));
    }
    let path_error = |op, path: &Path| {
        let path = path.to_path_buf();
        move |source| PathError { op, path, source }
    };
    let mut file = super::check::open_zip_file(zip)?;
    let (directory, cf) = check_zip_directory(&mut file, m)?;
    cf.err()?;

    let prefix_len = m.path.len() + 1 + m.version.len() + 1;
    mkdir_all(dir).map_err(path_error("mkdir", dir))?;
    let mut buf = vec![0u8; BUF_SIZE];
    for entry in &directory.entries {
        // Every name has the prefix: the check above made sure.
        let name = entry.name.get(prefix_len..).unwrap_or_default();
        if name.is_empty() || name.ends_with(b"/") {
            continue;
        }
        let dst = target_path(dir, name)?;
        if let Some(parent) = dst.parent() {
            mkdir_all(parent).map_err(path_error("mkdir", parent))?;
        }
        let mut out = create_read_only(&dst).map_err(path_error("open", &dst))?;
        let mut reader = open_entry(&mut file, entry)?;
        let copied = reader.copy_to(&mut buf, |chunk| out.write_all(chunk));
        match copied {
            Ok(_) => {}
            Err(ReadError::Format(FormatError::TooLong)) => {
                return Err(Error::UncompressedTooLarge {
                    name: String::from_utf8_lossy(&entry.name).into_owned(),
                    declared: entry.uncompressed_size,
                });
            }
            Err(ReadError::Io(source)) => {
                return Err(Error::Path(PathError {
                    op: "write",
                    path: dst,
                    source,
                }));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// `os.MkdirAll`: an existing non-directory is "not a directory" (Rust's
/// `create_dir_all` reports "file exists").
fn mkdir_all(path: &Path) -> std::io::Result<()> {
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(std::io::ErrorKind::NotADirectory.into()),
        Err(_) => fs::create_dir_all(path),
    }
}

/// `dir` joined with a checked entry name, refusing anything but plain
/// components (defence in depth: the check already rules these out).
fn target_path(dir: &Path, name: &[u8]) -> Result<PathBuf, Error> {
    let name = std::str::from_utf8(name).map_err(|_| FormatError::NotValid)?;
    let mut dst = dir.to_path_buf();
    for component in Path::new(name).components() {
        match component {
            Component::Normal(part) => dst.push(part),
            _ => return Err(FormatError::NotValid.into()),
        }
    }
    Ok(dst)
}

#[cfg(unix)]
fn create_read_only(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o444)
        .open(path)
}

#[cfg(not(unix))]
fn create_read_only(path: &Path) -> std::io::Result<fs::File> {
    let f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    let mut perms = f.metadata()?.permissions();
    perms.set_readonly(true);
    f.set_permissions(perms)?;
    Ok(f)
}
