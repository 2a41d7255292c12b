//! `h1:` hashes of file trees, module zips and go.mod files.
//!
//! Follows `golang.org/x/mod/sumdb/dirhash` (`Hash1`, `HashDir`, `DirFiles`,
//! `HashZip`) and the go command's `goModSum`. `Hash1` sorts the file names
//! by bytes, hashes each file with SHA-256 and hashes the summary of lines
//! `hex(sha256(content)) + "  " + name + "\n"`; the result is `"h1:"` plus the
//! standard base64 of that summary's SHA-256. A name holding a newline is an
//! error (it would forge summary lines).
//!
//! Names are byte strings, as in Go: zip entry names are used exactly as
//! stored, and on-disk names need not be UTF-8.
//!
//! Files are never read whole: each is streamed through a 64 KiB buffer per
//! worker. SHA-256 is the limit, so [`hash_dir`] and [`hash_zip_file`] hash
//! files on up to [`MAX_WORKERS`] threads (files are handed out in sorted order
//! and digests placed by index, so the summary does not depend on timing; the
//! error reported is the one for the first failing file in sorted order, as
//! in Go's sequential loop).

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::zip::FormatError;
use crate::zip::PathError;
use crate::zip::dir::read_dir_sorted;
use crate::zip::path::{bytes_os, clean, join, os_bytes};
use crate::zip::reader::{self, BUF_SIZE, Directory, ReadError, open_entry};

/// The most threads [`hash_dir`] and [`hash_zip_file`] use.
pub const MAX_WORKERS: usize = 4;

/// Zips with less content than this are hashed on the calling thread: starting
/// threads costs more than hashing a typical small module (a proxy and an audit
/// hash hundreds of them).
const PARALLEL_MIN: u64 = 1 << 20;

/// Why a hash could not be computed. Texts are Go's.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file name contains `\n`.
    #[error("dirhash: filenames with newlines are not supported")]
    NewlineInName,
    /// [`hash_dir`] was given something that is not a directory.
    #[error("{} is not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// Opening, listing or reading a file failed (`op path: reason`).
    #[error(transparent)]
    Path(#[from] PathError),
    /// The zip archive is malformed.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// Reading a caller-supplied stream failed.
    #[error("{}", crate::zip::error::go_io_text(.0))]
    Io(#[from] io::Error),
}

impl From<ReadError> for Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(e) => Error::Io(e),
            ReadError::Format(e) => Error::Format(e),
        }
    }
}

/// `Hash1`: hashes the named files, opening each with `open`.
///
/// Names may be given in any order and may repeat (each occurrence is a line
/// of the summary).
pub fn hash1<N, R, F>(names: &[N], mut open: F) -> Result<String, Error>
where
    N: AsRef<[u8]>,
    R: Read,
    F: FnMut(&[u8]) -> Result<R, Error>,
{
    let mut sorted: Vec<&[u8]> = names.iter().map(AsRef::as_ref).collect();
    sorted.sort_unstable();
    let mut summary = Summary::new();
    let mut buf = vec![0u8; BUF_SIZE];
    for name in sorted {
        if name.contains(&b'\n') {
            return Err(Error::NewlineInName);
        }
        let digest = digest_reader(&mut open(name)?, &mut buf)?;
        summary.add(name, &digest);
    }
    Ok(summary.finish())
}

/// The `h1:` hash of a go.mod file, as recorded in go.sum lines
/// `<path> <version>/go.mod h1:...`: `Hash1` over one file named `go.mod`.
pub fn hash_gomod(content: &[u8]) -> String {
    let mut summary = Summary::new();
    summary.add(b"go.mod", &Sha256::digest(content).into());
    summary.finish()
}

/// `HashZip`: hashes every entry of a zip archive under its name exactly as
/// stored (for a module zip, including the `path@version/` prefix).
///
/// A directory entry hashes as empty content. When a name occurs more than
/// once, each occurrence is a summary line and all hash the last entry of
/// that name (Go looks entries up through a map).
pub fn hash_zip<R: Read + Seek>(mut zip: R) -> Result<String, Error> {
    let directory = reader::read_directory(&mut zip)?;
    let mut buf = vec![0u8; BUF_SIZE];
    let mut summary = Summary::new();
    for (name, index) in zip_jobs(&directory) {
        if name.contains(&b'\n') {
            return Err(Error::NewlineInName);
        }
        summary.add(&name, &hash_entry(&mut zip, &directory, index, &mut buf)?);
    }
    Ok(summary.finish())
}

/// [`hash_zip`] of a file on disk, hashing entries on several threads.
///
/// The file is opened once and every worker reads it by offset through that
/// one handle: reopening it by path per worker could mix two versions of the
/// file if it is atomically replaced while being hashed.
pub fn hash_zip_file(path: &Path) -> Result<String, Error> {
    let file = match crate::zip::open_zip_file(path) {
        Ok(file) => file,
        Err(crate::zip::Error::Path(e)) => return Err(Error::Path(e)),
        Err(other) => return Err(Error::Io(io::Error::other(other.to_string()))),
    };
    let directory = reader::read_directory(&mut PositionedFile::new(&file))?;
    let jobs = zip_jobs(&directory);
    let content: u64 = directory
        .entries
        .iter()
        .map(|e| e.uncompressed_size)
        .fold(0, u64::saturating_add);
    let workers = if content < PARALLEL_MIN { 1 } else { workers() };
    let digests = hash_in_order(
        &jobs,
        workers,
        |_| Ok((PositionedFile::new(&file), vec![0u8; BUF_SIZE])),
        |(reader, buf), job| hash_entry(reader, &directory, job.1, buf),
    )?;
    Ok(summarize(&jobs, &digests))
}

/// A cursor of its own over a shared file handle: reads use `pread`, so
/// several of these can read one `File` from different threads at once.
struct PositionedFile<'a> {
    file: &'a fs::File,
    pos: u64,
}

impl<'a> PositionedFile<'a> {
    fn new(file: &'a fs::File) -> Self {
        PositionedFile { file, pos: 0 }
    }
}

impl Read for PositionedFile<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for PositionedFile<'_> {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        let target = match to {
            io::SeekFrom::Start(n) => Some(n),
            io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            io::SeekFrom::End(d) => self.file.metadata()?.len().checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek to a negative or overflowing position",
            )
        })?;
        Ok(self.pos)
    }
}

/// `HashDir`: hashes the regular files (and anything else that is not a
/// directory) under `dir`, naming each `prefix` joined with its slash path
/// relative to `dir` (then cleaned, as `filepath.Join` does).
pub fn hash_dir(dir: &Path, prefix: &str) -> Result<String, Error> {
    let files = dir_files(dir, prefix)?;
    let digests = hash_in_order(
        &files,
        workers(),
        |_| Ok(vec![0u8; BUF_SIZE]),
        |buf, (_, path)| hash_file(path, buf),
    )?;
    Ok(summarize(&files, &digests))
}

/// `DirFiles`: the files under `dir` (everything that is not a directory,
/// found without following symbolic links), as `(name, path on disk)` pairs
/// sorted by name, where name is `prefix` joined with the relative slash path.
pub fn dir_files(dir: &Path, prefix: &str) -> Result<Vec<(Vec<u8>, PathBuf)>, Error> {
    let root = clean_os_path(dir);
    let info = fs::symlink_metadata(&root).map_err(|source| PathError {
        op: "lstat",
        path: root.clone(),
        source,
    })?;
    // Go's walk does not follow a symbolic link even at the root.
    if !info.is_dir() {
        return Err(Error::NotADirectory(root));
    }
    let dir_bytes = os_bytes(root.as_os_str()).into_owned();
    let mut files = Vec::new();
    // Depth first in lexical order, like `filepath.Walk`, so that the first
    // unreadable directory reported is the one Go would report.
    let mut pending = vec![(root, Vec::new())];
    while let Some((path, rel)) = pending.pop() {
        let mut children = Vec::new();
        for (name, entry) in read_dir_sorted(&path)? {
            let file_type = entry.file_type().map_err(|source| PathError {
                op: "lstat",
                path: entry.path(),
                source,
            })?;
            children.push((name, file_type.is_dir()));
        }
        for (name, is_dir) in children.into_iter().rev() {
            let mut child_rel = rel.clone();
            if !child_rel.is_empty() {
                child_rel.push(b'/');
            }
            child_rel.extend_from_slice(&name);
            if is_dir {
                let child_path = path.join(bytes_os(&name));
                pending.push((child_path, child_rel));
            } else {
                let name = join(prefix.as_bytes(), &child_rel);
                // Go opens `dir` joined with the name minus the prefix. That
                // is the file found, unless cleaning the name changed how
                // the prefix is spelled: then Go opens another path, and so
                // do we.
                let rest = name.strip_prefix(prefix.as_bytes()).unwrap_or(&name);
                let disk = clean(&[dir_bytes.as_slice(), b"/", rest].concat());
                files.push((name, PathBuf::from(bytes_os(&disk))));
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// The summary that `Hash1` hashes.
struct Summary(Sha256);

impl Summary {
    fn new() -> Self {
        Summary(Sha256::new())
    }

    fn add(&mut self, name: &[u8], digest: &[u8; 32]) {
        let mut line = [0u8; 66];
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for (i, b) in digest.iter().enumerate() {
            line[2 * i] = HEX[usize::from(b >> 4)];
            line[2 * i + 1] = HEX[usize::from(b & 15)];
        }
        line[64] = b' ';
        line[65] = b' ';
        self.0.update(line);
        self.0.update(name);
        self.0.update(b"\n");
    }

    fn finish(self) -> String {
        let sum = self.0.finalize();
        format!(
            "h1:{}",
            base64::engine::general_purpose::STANDARD.encode(sum.as_slice())
        )
    }
}

fn summarize<T>(items: &[(Vec<u8>, T)], digests: &[[u8; 32]]) -> String {
    let mut summary = Summary::new();
    for ((name, _), digest) in items.iter().zip(digests) {
        summary.add(name, digest);
    }
    summary.finish()
}

/// `Hash1` from digests already computed (e.g. while writing a zip), given
/// as `(name, SHA-256 of content)` in any order. Names must not hold `\n`.
pub(crate) fn hash1_of_digests(mut files: Vec<(Vec<u8>, [u8; 32])>) -> Result<String, Error> {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    if files.iter().any(|(name, _)| name.contains(&b'\n')) {
        return Err(Error::NewlineInName);
    }
    let mut summary = Summary::new();
    for (name, digest) in &files {
        summary.add(name, digest);
    }
    Ok(summary.finish())
}

fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_WORKERS)
}

/// Hashes `items` (already sorted by name) and returns their digests by
/// index. Names with a newline stop the run at that index, like Go's loop.
///
/// `start` makes each worker's state (a buffer, a file handle); `hash_one`
/// hashes one item with it. With more than one worker and item, workers take
/// the next index from a shared counter; after a failure no index beyond it
/// is started, and the failure with the lowest index is returned.
fn hash_in_order<T, W, S, H>(
    items: &[(Vec<u8>, T)],
    workers: usize,
    start: S,
    hash_one: H,
) -> Result<Vec<[u8; 32]>, Error>
where
    T: Sync,
    S: Fn(usize) -> Result<W, Error> + Sync,
    H: Fn(&mut W, &(Vec<u8>, T)) -> Result<[u8; 32], Error> + Sync,
{
    let limit = items
        .iter()
        .position(|(name, _)| name.contains(&b'\n'))
        .unwrap_or(items.len());
    let todo = &items[..limit];
    let mut digests = vec![[0u8; 32]; todo.len()];

    if workers <= 1 || todo.len() <= 1 {
        let mut state = start(0)?;
        for (slot, item) in digests.iter_mut().zip(todo) {
            *slot = hash_one(&mut state, item)?;
        }
    } else {
        let next = AtomicUsize::new(0);
        let first_failure = AtomicUsize::new(usize::MAX);
        let results: Vec<WorkerResult> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers.min(todo.len()))
                .map(|w| {
                    let (next, first_failure) = (&next, &first_failure);
                    let (start, hash_one) = (&start, &hash_one);
                    scope.spawn(move || {
                        let mut done = Vec::new();
                        let mut state = match start(w) {
                            Ok(s) => s,
                            Err(e) => {
                                // Nothing started yet: report it at index 0.
                                first_failure.fetch_min(0, Ordering::SeqCst);
                                return (done, Some((0, e)));
                            }
                        };
                        loop {
                            let i = next.fetch_add(1, Ordering::SeqCst);
                            if i >= todo.len() || i > first_failure.load(Ordering::SeqCst) {
                                return (done, None);
                            }
                            match hash_one(&mut state, &todo[i]) {
                                Ok(d) => done.push((i, d)),
                                Err(e) => {
                                    first_failure.fetch_min(i, Ordering::SeqCst);
                                    return (done, Some((i, e)));
                                }
                            }
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        let mut failure: Option<(usize, Error)> = None;
        for (done, failed) in results {
            for (i, d) in done {
                digests[i] = d;
            }
            if let Some((i, e)) = failed
                && failure.as_ref().is_none_or(|(j, _)| i < *j)
            {
                failure = Some((i, e));
            }
        }
        if let Some((_, e)) = failure {
            return Err(e);
        }
    }
    if limit < items.len() {
        return Err(Error::NewlineInName);
    }
    Ok(digests)
}

/// What one worker hashed, by index, and the failure that stopped it.
type WorkerResult = (Vec<(usize, [u8; 32])>, Option<(usize, Error)>);

/// Sorted `(name, entry index)` pairs for `HashZip`: every record's name,
/// each paired with the last record of that name.
fn zip_jobs(directory: &Directory) -> Vec<(Vec<u8>, usize)> {
    let mut last: HashMap<&[u8], usize> = HashMap::with_capacity(directory.entries.len());
    for (i, e) in directory.entries.iter().enumerate() {
        last.insert(&e.name, i);
    }
    let mut jobs: Vec<(Vec<u8>, usize)> = directory
        .entries
        .iter()
        .map(|e| (e.name.clone(), last[e.name.as_slice()]))
        .collect();
    jobs.sort_by(|a, b| a.0.cmp(&b.0));
    jobs
}

fn hash_entry<R: Read + Seek>(
    zip: &mut R,
    directory: &Directory,
    index: usize,
    buf: &mut [u8],
) -> Result<[u8; 32], Error> {
    let mut h = Sha256::new();
    let mut entry = open_entry(zip, &directory.entries[index])?;
    entry.copy_to(buf, |chunk| {
        h.update(chunk);
        Ok(())
    })?;
    Ok(h.finalize().into())
}

fn hash_file(path: &Path, buf: &mut [u8]) -> Result<[u8; 32], Error> {
    let err = |op, source| PathError {
        op,
        path: path.to_path_buf(),
        source,
    };
    let mut f = fs::File::open(path).map_err(|e| err("open", e))?;
    Ok(digest_reader(&mut f, buf).map_err(|e| err("read", e))?)
}

/// SHA-256 of everything `r` delivers, read through `buf`.
fn digest_reader<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<[u8; 32]> {
    let mut h = Sha256::new();
    loop {
        match r.read(buf) {
            Ok(0) => return Ok(h.finalize().into()),
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// `filepath.Clean` of a directory path (paths are slash-separated on the
/// platforms the go command's module cache uses).
fn clean_os_path(dir: &Path) -> PathBuf {
    PathBuf::from(bytes_os(&clean(&os_bytes(dir.as_os_str()))))
}
