//! Which files belong in a module zip: the classification into valid,
//! omitted and invalid files.
//!
//! Follows `golang.org/x/mod/zip` `checkFiles`, `isVendoredPackage`, the
//! `collisionChecker` and `CheckedFiles`. Files come through the
//! [`ModuleFile`] trait (Go's `zip.File`), so the same rules apply to a
//! directory walk, to in-memory files and to anything else. Paths are byte
//! strings, as in Go: a name that is not UTF-8 is still sorted into the right
//! list (it is invalid unless it was omitted first, e.g. in a vendor tree).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{self, Read};

use super::error::{Error, FileError, FileErrorKind, FileErrorList, SizeError};
use super::goline::{at_least_go124, gomod_lang};
use super::path::{self as gopath, clean, eq_fold_go_mod};
use super::{MAX_GO_MOD, MAX_LICENSE, MAX_ZIP_FILE};

/// What a file is, as `Lstat` sees it (symbolic links are not followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink,
    /// Anything else (device, socket, pipe, ...).
    Other,
}

/// What [`ModuleFile::lstat`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileInfo {
    /// The kind of file.
    pub kind: FileKind,
    /// Its size in bytes. Sizes of 2^63 and more count as negative, as they
    /// do for Go's `int64` sizes.
    pub size: u64,
}

/// A file that may go into a module zip (Go's `zip.File`).
pub trait ModuleFile {
    /// The slash-separated path from the module root, e.g. `cmd/x/main.go`.
    /// Bytes, because Go paths are byte strings; it should be clean and
    /// relative, and is reported invalid otherwise.
    fn path(&self) -> &[u8];
    /// Information about the file itself (not what a link points to).
    fn lstat(&self) -> io::Result<FileInfo>;
    /// Opens the content of a regular file for reading.
    fn open(&self) -> io::Result<Box<dyn Read + '_>>;
}

/// The outcome of checking a set of files (Go's `zip.CheckedFiles`).
///
/// `Display` is the report format of Go's test data:
/// `valid:` with one path per line, then `omitted:` and `invalid:` with one
/// `path: reason` per line, the sections separated by a blank line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckedFiles {
    /// Files that belong in the zip, in input order.
    pub valid: Vec<String>,
    /// Files (or directories) left out, and why.
    pub omitted: Vec<FileError>,
    /// Files that make a zip invalid, and why.
    pub invalid: Vec<FileError>,
    /// Set when the total size is over the limit.
    pub size_error: Option<SizeError>,
}

impl CheckedFiles {
    /// `CheckedFiles.Err`: the size error if any, else the list of invalid
    /// files if any.
    pub fn err(&self) -> Result<(), Error> {
        if let Some(e) = &self.size_error {
            return Err(Error::Size(e.clone()));
        }
        if !self.invalid.is_empty() {
            return Err(Error::Files(FileErrorList(self.invalid.clone())));
        }
        Ok(())
    }
}

impl fmt::Display for CheckedFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "valid:")?;
        for p in &self.valid {
            writeln!(f, "{p}")?;
        }
        writeln!(f, "\nomitted:")?;
        for e in &self.omitted {
            writeln!(f, "{e}")?;
        }
        writeln!(f, "\ninvalid:")?;
        for e in &self.invalid {
            writeln!(f, "{e}")?;
        }
        Ok(())
    }
}

/// `CheckFiles`: sorts `files` into valid, omitted and invalid files; every
/// file lands in exactly one list. Files are not opened, except a root
/// `go.mod`, whose `go` line decides the vendor rules. Call
/// [`CheckedFiles::err`] for the verdict.
pub fn check_files<F: ModuleFile>(files: &[F]) -> CheckedFiles {
    classify(files).checked
}

/// [`check_files`] plus what `Create` needs: the valid files' indices and
/// the sizes `lstat` reported for them.
pub(crate) struct Classified {
    pub(crate) checked: CheckedFiles,
    pub(crate) valid: Vec<(usize, u64)>,
}

pub(crate) fn classify<F: ModuleFile>(files: &[F]) -> Classified {
    let mut cf = CheckedFiles::default();
    // The first verdict on a path wins; later ones for the same path are
    // dropped (so a file listed three times is reported once).
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut add = |cf: &mut CheckedFiles, path: &[u8], omitted: bool, kind: FileErrorKind| {
        if !seen.insert(path.to_vec()) {
            return;
        }
        let e = FileError {
            path: String::from_utf8_lossy(path).into_owned(),
            kind,
        };
        if omitted {
            cf.omitted.push(e);
        } else {
            cf.invalid.push(e);
        }
    };

    // Directories holding a go.mod (any case) are other modules; the root
    // go.mod's go line decides the vendor rules.
    let mut have_go_mod: HashSet<Vec<u8>> = HashSet::new();
    let mut lang = String::new();
    for f in files {
        let p = f.path();
        let (dir, base) = gopath::split(p);
        if !eq_fold_go_mod(base) {
            continue;
        }
        let info = match f.lstat() {
            Ok(info) => info,
            Err(e) => {
                add(&mut cf, p, false, FileErrorKind::Io(e.to_string()));
                continue;
            }
        };
        if info.kind != FileKind::Regular {
            continue;
        }
        have_go_mod.insert(dir.to_vec());
        if base == b"go.mod"
            && dir.is_empty()
            && let Some(data) = read_go_mod(f)
        {
            lang = gomod_lang(&data);
        }
    }
    let go124 = at_least_go124(&lang);
    let in_submodule = |p: &[u8]| {
        let mut p = p;
        loop {
            let (dir, _) = gopath::split(p);
            if dir.is_empty() {
                return false;
            }
            if have_go_mod.contains(dir) {
                return true;
            }
            p = &dir[..dir.len() - 1];
        }
    };

    let mut collisions = Collisions::default();
    let mut valid = Vec::new();
    let mut remaining = MAX_ZIP_FILE as i64;
    for (index, f) in files.iter().enumerate() {
        let p = f.path();
        if clean(p) != p {
            add(&mut cf, p, false, FileErrorKind::PathNotClean);
            continue;
        }
        if p.starts_with(b"/") {
            add(&mut cf, p, false, FileErrorKind::PathNotRelative);
            continue;
        }
        if is_vendored_package(p, go124) {
            add(&mut cf, p, true, FileErrorKind::Vendored);
            continue;
        }
        if in_submodule(p) {
            add(&mut cf, p, true, FileErrorKind::SubmoduleFile);
            continue;
        }
        if p == b".hg_archival.txt" {
            add(&mut cf, p, true, FileErrorKind::HgArchivalTxt);
            continue;
        }
        let p_str = match check_file_path(p) {
            Ok(s) => s,
            Err(kind) => {
                add(&mut cf, p, false, kind);
                continue;
            }
        };
        if p_str.eq_ignore_ascii_case("go.mod") && p_str != "go.mod" {
            add(&mut cf, p, false, FileErrorKind::GoModCase);
            continue;
        }
        let info = match f.lstat() {
            Ok(info) => info,
            Err(e) => {
                add(&mut cf, p, false, FileErrorKind::Io(e.to_string()));
                continue;
            }
        };
        if let Err(kind) = collisions.check(p_str, info.kind == FileKind::Directory) {
            add(&mut cf, p, false, kind);
            continue;
        }
        match info.kind {
            FileKind::Regular => {}
            FileKind::Symlink => {
                add(&mut cf, p, true, FileErrorKind::Symlink);
                continue;
            }
            FileKind::Directory | FileKind::Other => {
                add(&mut cf, p, true, FileErrorKind::NotRegular);
                continue;
            }
        }
        // Go's sizes are int64: a size of 2^63 or more is negative there.
        let size = info.size as i64;
        if size >= 0 && size <= remaining {
            remaining -= size;
        } else if cf.size_error.is_none() {
            cf.size_error = Some(SizeError::SourceTree);
        }
        if p_str == "go.mod" && size > MAX_GO_MOD as i64 {
            add(&mut cf, p, false, FileErrorKind::GoModSize);
            continue;
        }
        if p_str == "LICENSE" && size > MAX_LICENSE as i64 {
            add(&mut cf, p, false, FileErrorKind::LicenseSize);
            continue;
        }
        cf.valid.push(p_str.to_string());
        valid.push((index, info.size));
    }
    Classified { checked: cf, valid }
}

/// The start of a root go.mod, enough to find its `go` line. A go.mod over
/// [`MAX_GO_MOD`] is invalid anyway; reading stops there so a huge file
/// cannot exhaust memory (Go reads it whole).
fn read_go_mod<F: ModuleFile>(f: &F) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    f.open()
        .ok()?
        .take(MAX_GO_MOD + 1)
        .read_to_end(&mut data)
        .ok()?;
    Some(data)
}

/// `module.CheckFilePath` on a byte path: the path as text if it is valid.
pub(crate) fn check_file_path(p: &[u8]) -> Result<&str, FileErrorKind> {
    use crate::module::{InvalidPathError, PathKind};
    let Ok(s) = std::str::from_utf8(p) else {
        return Err(FileErrorKind::MalformedPath(
            InvalidPathError {
                kind: PathKind::File,
                path: p.to_vec(),
                reason: "invalid UTF-8".into(),
            }
            .into(),
        ));
    };
    crate::module::check_file_path(s).map_err(FileErrorKind::MalformedPath)?;
    Ok(s)
}

/// `isVendoredPackage`: whether `name` is in a package whose import path
/// contains (but does not end with) a `vendor` element.
///
/// Files directly in `vendor/` are kept, except `vendor/modules.txt` from Go
/// 1.24 on. Before 1.24 the check after a nested `/vendor/` looked at the
/// wrong offset (golang.org/issue/37397), so e.g. `pkg/vendor/vendor.go` was
/// omitted; that is kept for older go lines so old zips hash the same.
pub(crate) fn is_vendored_package(name: &[u8], go124: bool) -> bool {
    if go124 && name == b"vendor/modules.txt" {
        return true;
    }
    let start = if name.starts_with(b"vendor/") {
        b"vendor/".len()
    } else if let Some(j) = find(name, b"/vendor/") {
        if go124 {
            j + b"/vendor/".len()
        } else {
            b"/vendor/".len()
        }
    } else {
        return false;
    };
    name.get(start..).is_some_and(|rest| rest.contains(&b'/'))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Finds names equal under Unicode case folding, and paths used both as a
/// file and as a directory (`collisionChecker`).
#[derive(Default)]
pub(crate) struct Collisions {
    /// Folded path → (original path, is a directory).
    seen: HashMap<String, (String, bool)>,
}

impl Collisions {
    /// Records `p` and its parent directories; errors on a collision.
    pub(crate) fn check(&mut self, p: &str, is_dir: bool) -> Result<(), FileErrorKind> {
        let mut p = p.to_string();
        let mut is_dir = is_dir;
        loop {
            let fold = crate::unicode::to_fold(&p);
            match self.seen.get(&fold) {
                Some((other, other_dir)) => {
                    if *other != p {
                        return Err(FileErrorKind::CaseCollision(other.clone(), p));
                    }
                    if is_dir != *other_dir {
                        return Err(FileErrorKind::FileAndDirectory(p));
                    }
                    if !is_dir {
                        return Err(FileErrorKind::MultipleEntries(p));
                    }
                    // The same directory again (a parent of several files).
                }
                None => {
                    self.seen.insert(fold, (p.clone(), is_dir));
                }
            }
            let parent = gopath::dir(p.as_bytes());
            if parent == b"." {
                return Ok(());
            }
            // The parent of a valid UTF-8 path is valid UTF-8.
            p = String::from_utf8_lossy(&parent).into_owned();
            is_dir = true;
        }
    }
}
