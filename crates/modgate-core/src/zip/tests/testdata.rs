//! Go's own module-zip conformance cases, run in place from
//! `../shared/testdata/golang-mod/zip/testdata` (or `$MODGATE_SHARED/...`),
//! with the harness of x/mod's `zip_test.go`: `readTest` for the txtar
//! header keys, `formatCheckedFiles` for `want`, and per directory:
//!
//! - `check_files`: [`check_files`] on the archive's files (in memory);
//! - `check_dir`: [`check_dir`] on the files extracted to a temporary
//!   directory, which `want` calls `$work`;
//! - `check_zip`: [`check_zip_file`] on a zip holding the files verbatim;
//! - `create`: [`create`] from in-memory files, then the zip's `h1:` hash;
//! - `create_from_dir`: [`create_from_dir`] on the extracted files, then the
//!   zip's hash;
//! - `unzip`: [`unzip`] of a zip holding the files verbatim, then
//!   [`hash_dir`](crate::dirhash::hash_dir) of the result.
//!
//! Every case runs; each test prints how many passed.

use std::fs;
use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};

use super::rawzip::{RawEntry, build};
use crate::dirhash::{hash_dir, hash_zip_file};
use crate::module::Version;
use crate::txtar;
use crate::zip::{
    CheckedFiles, FileErrorList, FileInfo, FileKind, ModuleFile, check_dir, check_files,
    check_zip_file, create, create_from_dir, unzip,
};

/// The directory holding Go's zip test data.
fn testdata_dir() -> PathBuf {
    let dir = modgate_testkit::shared_dir().join("testdata/golang-mod/zip/testdata");
    assert!(
        dir.is_dir(),
        "Go's zip test data is missing: {} does not exist (set MODGATE_SHARED to the shared directory)",
        dir.display()
    );
    dir
}

/// One test file (x/mod's `testParams`). Values are bytes: `path` may hold
/// a byte that is not UTF-8.
struct Case {
    name: String,
    path: Vec<u8>,
    version: String,
    want_err: String,
    hash: String,
    archive: txtar::Archive,
}

impl Case {
    /// The module, when its path is UTF-8 (see [`Case::run_or_bad_path`]).
    fn module(&self) -> Option<Version> {
        let path = String::from_utf8(self.path.clone()).ok()?;
        Some(Version::new(path, self.version.clone()))
    }

    /// The archive without its `want` file, and the `want` text.
    fn split_want(&self) -> (Vec<txtar::File>, String) {
        let mut want = String::new();
        let mut files = Vec::new();
        for f in &self.archive.files {
            if f.name == "want" && want.is_empty() {
                want = String::from_utf8(f.data.clone()).unwrap();
            } else {
                files.push(f.clone());
            }
        }
        (files, want)
    }

    /// Checks an operation's outcome against `wantErr` (a substring).
    /// Returns the result on success, so the caller then checks `hash`.
    fn expect<T>(&self, result: Result<T, crate::zip::Error>) -> Option<T> {
        match result {
            Ok(value) => {
                assert!(
                    self.want_err.is_empty(),
                    "{}: unexpected success; want error containing {:?}",
                    self.name,
                    self.want_err
                );
                Some(value)
            }
            Err(e) => {
                let text = e.to_string();
                assert!(
                    !self.want_err.is_empty(),
                    "{}: unexpected error: {text}",
                    self.name
                );
                assert!(
                    text.contains(&self.want_err),
                    "{}: got error {text:?}; want error containing {:?}",
                    self.name,
                    self.want_err
                );
                None
            }
        }
    }

    /// Runs `op` on the case's module. A module path that is not UTF-8
    /// cannot be put in a [`Version`]; Go rejects such a case in
    /// `module.Check`, so the same check is made on the bytes and its error
    /// must match `wantErr`.
    fn run_or_bad_path<T>(&self, op: impl FnOnce(&Version) -> Option<T>) -> Option<T> {
        match self.module() {
            Some(m) => op(&m),
            None => {
                let err = crate::module::check_path_bytes(&self.path)
                    .expect_err("a path that is not UTF-8 is invalid")
                    .to_string();
                assert!(
                    !self.want_err.is_empty() && err.contains(&self.want_err),
                    "{}: got error {err:?}; want error containing {:?}",
                    self.name,
                    self.want_err
                );
                None
            }
        }
    }
}

/// x/mod's `readTest`.
fn read_test(file: &Path) -> Case {
    let data = fs::read(file).unwrap();
    let archive = txtar::parse(&data);
    let name = file.file_stem().unwrap().to_string_lossy().into_owned();
    let mut case = Case {
        name: name.clone(),
        path: Vec::new(),
        version: String::new(),
        want_err: String::new(),
        hash: String::new(),
        archive: archive.clone(),
    };
    for (n, line) in archive.comment.split(|&b| b == b'\n').enumerate() {
        let line = match line.iter().position(|&b| b == b'#') {
            Some(i) => &line[..i],
            None => line,
        };
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let eq = line
            .iter()
            .position(|&b| b == b'=')
            .unwrap_or_else(|| panic!("{}:{}: missing = separator", file.display(), n + 1));
        let (key, value) = (line[..eq].trim_ascii(), line[eq + 1..].trim_ascii());
        let text = || String::from_utf8(value.to_vec()).unwrap();
        match key {
            b"path" => case.path = value.to_vec(),
            b"version" => case.version = text(),
            b"wantErr" => case.want_err = text(),
            b"hash" => case.hash = text(),
            other => panic!(
                "{}:{}: unknown key {:?}",
                file.display(),
                n + 1,
                String::from_utf8_lossy(other)
            ),
        }
    }
    case
}

/// The `*.txt` cases of one directory, sorted by name.
fn cases(dir: &str) -> Vec<Case> {
    let dir = testdata_dir().join(dir);
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no cases in {}", dir.display());
    paths.iter().map(|p| read_test(p)).collect()
}

/// An in-memory file (x/mod's `fakeFile`): `data` if given, else `size`
/// zero bytes.
pub(crate) struct FakeFile {
    pub(crate) name: Vec<u8>,
    pub(crate) size: u64,
    pub(crate) data: Option<Vec<u8>>,
}

impl FakeFile {
    pub(crate) fn with_data(name: &str, data: &[u8]) -> Self {
        FakeFile {
            name: name.as_bytes().to_vec(),
            size: data.len() as u64,
            data: Some(data.to_vec()),
        }
    }
}

impl ModuleFile for FakeFile {
    fn path(&self) -> &[u8] {
        &self.name
    }

    fn lstat(&self) -> io::Result<FileInfo> {
        Ok(FileInfo {
            kind: FileKind::Regular,
            size: self.size,
        })
    }

    fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        Ok(match &self.data {
            Some(d) => Box::new(Cursor::new(d.as_slice())),
            None => Box::new(io::repeat(0).take(self.size)),
        })
    }
}

fn fake_files(files: &[txtar::File]) -> Vec<FakeFile> {
    files
        .iter()
        .map(|f| FakeFile::with_data(&f.name, &f.data))
        .collect()
}

/// x/mod's `extractTxtarToTempDir`.
fn extract_to_dir(files: &[txtar::File]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        let p = dir.path().join(&f.name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, &f.data).unwrap();
    }
    dir
}

/// x/mod's `extractTxtarToTempZip`: every file as a Deflate entry, names
/// verbatim (duplicates included).
fn extract_to_zip(files: &[txtar::File]) -> tempfile::NamedTempFile {
    let entries: Vec<RawEntry> = files
        .iter()
        .map(|f| RawEntry::new(f.name.as_bytes(), &f.data))
        .collect();
    let zip = tempfile::NamedTempFile::new().unwrap();
    fs::write(zip.path(), build(&entries)).unwrap();
    zip
}

/// The error check shared by the `check_*` tests: the verdict is the list
/// of invalid files, or nothing.
fn assert_err_is_invalid_list(name: &str, cf: &CheckedFiles) {
    let want = if cf.invalid.is_empty() {
        String::new()
    } else {
        FileErrorList(cf.invalid.clone()).to_string()
    };
    let got = cf.err().err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(got, want, "{name}: error");
}

#[test]
fn check_files_cases() {
    let cases = cases("check_files");
    for case in &cases {
        let (files, want) = case.split_want();
        let cf = check_files(&fake_files(&files));
        assert_eq!(cf.to_string(), want, "{}", case.name);
        assert_err_is_invalid_list(&case.name, &cf);
    }
    println!(
        "check_files: {} of {} Go cases passed",
        cases.len(),
        cases.len()
    );
}

#[test]
fn check_dir_cases() {
    let cases = cases("check_dir");
    for case in &cases {
        let (files, want) = case.split_want();
        let dir = extract_to_dir(&files);
        let cf = check_dir(dir.path()).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let got = cf
            .to_string()
            .replace(&dir.path().display().to_string(), "$work");
        assert_eq!(got, want, "{}", case.name);
        assert_err_is_invalid_list(&case.name, &cf);
    }
    println!(
        "check_dir: {} of {} Go cases passed",
        cases.len(),
        cases.len()
    );
}

#[test]
fn check_zip_cases() {
    let cases = cases("check_zip");
    for case in &cases {
        let (files, want) = case.split_want();
        let zip = extract_to_zip(&files);
        let m = case.module().unwrap();
        let (cf, verdict) = check_zip_file(zip.path(), &m);
        if let Err(e) = &verdict {
            // Anything but the invalid-file list would be an I/O failure.
            let listed = cf.err().err().map(|e| e.to_string());
            assert_eq!(Some(e.to_string()), listed, "{}: I/O error", case.name);
        }
        assert_eq!(cf.to_string(), want, "{}", case.name);
        assert_err_is_invalid_list(&case.name, &cf);
    }
    println!(
        "check_zip: {} of {} Go cases passed",
        cases.len(),
        cases.len()
    );
}

#[test]
fn create_cases() {
    let cases = cases("create");
    for case in &cases {
        let out = tempfile::NamedTempFile::new().unwrap();
        let files = fake_files(&case.archive.files);
        let report = case.run_or_bad_path(|m| case.expect(create(out.as_file(), m, &files)));
        if let Some(report) = report {
            assert_eq!(
                hash_zip_file(out.path()).unwrap(),
                case.hash,
                "{}",
                case.name
            );
            assert_eq!(report.sum, case.hash, "{}: sum while writing", case.name);
        }
    }
    println!("create: {} of {} Go cases passed", cases.len(), cases.len());
}

#[test]
fn create_from_dir_cases() {
    let cases = cases("create_from_dir");
    for case in &cases {
        let dir = extract_to_dir(&case.archive.files);
        let out = tempfile::NamedTempFile::new().unwrap();
        let report =
            case.run_or_bad_path(|m| case.expect(create_from_dir(out.as_file(), m, dir.path())));
        if let Some(report) = report {
            assert_eq!(
                hash_zip_file(out.path()).unwrap(),
                case.hash,
                "{}",
                case.name
            );
            assert_eq!(report.sum, case.hash, "{}: sum while writing", case.name);
        }
    }
    println!(
        "create_from_dir: {} of {} Go cases passed",
        cases.len(),
        cases.len()
    );
}

#[test]
fn unzip_cases() {
    let cases = cases("unzip");
    for case in &cases {
        let zip = extract_to_zip(&case.archive.files);
        let dir = tempfile::tempdir().unwrap();
        let done = case.run_or_bad_path(|m| case.expect(unzip(dir.path(), m, zip.path())));
        if done.is_some() {
            let prefix = format!("{}@{}/", String::from_utf8_lossy(&case.path), case.version);
            assert_eq!(
                hash_dir(dir.path(), &prefix).unwrap(),
                case.hash,
                "{}",
                case.name
            );
        }
    }
    println!("unzip: {} of {} Go cases passed", cases.len(), cases.len());
}
