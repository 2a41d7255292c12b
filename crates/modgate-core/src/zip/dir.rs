//! Module files from a directory tree, and `CheckDir`.
//!
//! Follows `golang.org/x/mod/zip` `listFilesInDir` (a `filepath.Walk`:
//! lexical, depth first, not following symbolic links) and `CheckDir`. The
//! walk itself omits version-control directories, nested modules (a
//! directory holding a `go.mod` that is not a directory), vendored paths and
//! irregular files (symbolic links included); the remaining files then go
//! through [`check_files`](super::check_files)'s rules.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::error::{Error, FileError, FileErrorKind, PathError};
use super::files::{CheckedFiles, FileInfo, FileKind, ModuleFile, classify};
use super::goline::{at_least_go124, gomod_lang};
use super::path::{bytes_os, clean, os_bytes};
use super::{MAX_GO_MOD, files::is_vendored_package};

/// A file found on disk: its slash path and what `lstat` said during the walk.
pub(crate) struct DirFile {
    disk: PathBuf,
    slash: Vec<u8>,
    info: FileInfo,
}

impl ModuleFile for DirFile {
    fn path(&self) -> &[u8] {
        &self.slash
    }

    fn lstat(&self) -> io::Result<FileInfo> {
        Ok(self.info)
    }

    fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        match fs::File::open(&self.disk) {
            Ok(f) => Ok(Box::new(f)),
            // Keep Go's `open <path>: <reason>` text through io::Error.
            Err(source) => Err(io::Error::new(
                source.kind(),
                PathError {
                    op: "open",
                    path: self.disk.clone(),
                    source,
                },
            )),
        }
    }
}

/// What the walk found: candidate files, and what it left out on the way.
pub(crate) struct Listing {
    pub(crate) files: Vec<DirFile>,
    pub(crate) omitted: Vec<FileError>,
}

/// `listFilesInDir`.
pub(crate) fn list_files_in_dir(dir: &Path) -> Result<Listing, Error> {
    // The root go.mod's go line decides the vendor rules (read through a
    // symbolic link, as os.ReadFile does).
    let mut lang = String::new();
    if let Ok(f) = fs::File::open(dir.join("go.mod")) {
        let mut data = Vec::new();
        if f.take(MAX_GO_MOD + 1).read_to_end(&mut data).is_ok() {
            lang = gomod_lang(&data);
        }
    }
    let mut walk = Walk {
        go124: at_least_go124(&lang),
        listing: Listing {
            files: Vec::new(),
            omitted: Vec::new(),
        },
    };
    let info = fs::symlink_metadata(dir).map_err(|source| PathError {
        op: "lstat",
        path: dir.to_path_buf(),
        source,
    })?;
    if info.is_dir() {
        walk.children(dir, &[])?;
    } else {
        // A root that is not a directory is visited as the file ".".
        walk.visit(dir.to_path_buf(), b".".to_vec(), &info)?;
    }
    Ok(walk.listing)
}

struct Walk {
    go124: bool,
    listing: Listing,
}

impl Walk {
    /// Visits the entries of directory `path` (slash path `rel`) in order.
    fn children(&mut self, path: &Path, rel: &[u8]) -> Result<(), Error> {
        for (name, entry) in read_dir_sorted(path)? {
            let child = entry.path();
            let info = fs::symlink_metadata(&child).map_err(|source| PathError {
                op: "lstat",
                path: child.clone(),
                source,
            })?;
            let mut slash = rel.to_vec();
            if !slash.is_empty() {
                slash.push(b'/');
            }
            slash.extend_from_slice(&name);
            self.visit(child, slash, &info)?;
        }
        Ok(())
    }

    fn visit(&mut self, path: PathBuf, slash: Vec<u8>, info: &fs::Metadata) -> Result<(), Error> {
        let omit = |listing: &mut Listing, slash: &[u8], kind| {
            listing.omitted.push(FileError {
                path: String::from_utf8_lossy(slash).into_owned(),
                kind,
            });
        };
        // Checked before anything else, for directories too; Go then still
        // walks into a vendored directory, whose files are all vendored.
        let vendored = is_vendored_package(&slash, self.go124);
        if vendored {
            omit(&mut self.listing, &slash, FileErrorKind::Vendored);
        }
        if info.is_dir() {
            if !vendored {
                let base = path.file_name().map(os_bytes).unwrap_or_default();
                if matches!(&*base, b".bzr" | b".git" | b".hg" | b".svn") {
                    omit(&mut self.listing, &slash, FileErrorKind::Vcs);
                    return Ok(());
                }
                if fs::symlink_metadata(path.join("go.mod")).is_ok_and(|m| !m.is_dir()) {
                    omit(&mut self.listing, &slash, FileErrorKind::SubmoduleDir);
                    return Ok(());
                }
            }
            return self.children(&path, &slash);
        }
        if vendored {
            return Ok(());
        }
        let file_type = info.file_type();
        if !file_type.is_file() {
            omit(&mut self.listing, &slash, FileErrorKind::NotRegular);
            return Ok(());
        }
        self.listing.files.push(DirFile {
            disk: path,
            slash,
            info: FileInfo {
                kind: FileKind::Regular,
                size: info.len(),
            },
        });
        Ok(())
    }
}

/// The entries of directory `path` with their names as bytes, in byte
/// order (the order `filepath.Walk` visits them in).
pub(crate) fn read_dir_sorted(path: &Path) -> Result<Vec<(Vec<u8>, fs::DirEntry)>, PathError> {
    let open_err = |source| PathError {
        op: "open",
        path: path.to_path_buf(),
        source,
    };
    let mut entries = Vec::new();
    for entry in fs::read_dir(path).map_err(open_err)? {
        let entry = entry.map_err(open_err)?;
        entries.push((os_bytes(&entry.file_name()).into_owned(), entry));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

/// `CheckDir`: which files under `dir` a module zip would hold, omit or
/// reject, with every path reported as `dir` joined with it.
///
/// Returns `Err` only when the directory cannot be walked; whether the files
/// make a valid zip is [`CheckedFiles::err`]. Directories left out whole
/// (version-control directories, nested modules) appear in `omitted`
/// without their files. Files are not opened, except the root `go.mod`.
pub fn check_dir(dir: &Path) -> Result<CheckedFiles, Error> {
    let listing = list_files_in_dir(dir)?;
    let mut cf = classify(&listing.files).checked;
    cf.omitted.extend(listing.omitted);
    let root = os_bytes(dir.as_os_str()).into_owned();
    let join = |p: &str| -> String {
        let joined = clean(&[root.as_slice(), b"/", p.as_bytes()].concat());
        PathBuf::from(bytes_os(&joined))
            .to_string_lossy()
            .into_owned()
    };
    for p in &mut cf.valid {
        *p = join(p);
    }
    for e in cf.omitted.iter_mut().chain(cf.invalid.iter_mut()) {
        e.path = join(&e.path);
    }
    Ok(cf)
}
