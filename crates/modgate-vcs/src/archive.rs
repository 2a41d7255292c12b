//! Re-packing a `git archive --format=zip` into a module zip.
//!
//! Follows the second half of `codeRepo.Zip` in
//! `cmd/go/internal/modfetch/coderepo.go`: every entry must sit under one
//! top-level prefix; entries outside the module directory and directory
//! entries are dropped; names become relative to the module directory; for a
//! module in a subdirectory without its own `LICENSE`, the repository root
//! `LICENSE` is added. The file rules (nested modules, vendor directories,
//! symbolic links, size limits, collisions) are the core's
//! [`modgate_core::zip::create`], not repeated here.
//!
//! Nothing is held whole in memory: the archive stays in a temporary file,
//! each entry is read in place through positional reads and a Deflate
//! decoder, and the output goes to the caller's writer.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use modgate_core::module::Version;
use modgate_core::zip::{FileInfo, FileKind, ModuleFile, create};
use zip::CompressionMethod;

use crate::coderepo::CodeError;

/// One file of the module: an entry of the git archive, or the root
/// `LICENSE` copied in.
enum Entry {
    Archived {
        name: Vec<u8>,
        kind: FileKind,
        size: u64,
        start: u64,
        compressed: u64,
        deflated: bool,
        file: Arc<File>,
    },
    Data {
        name: Vec<u8>,
        data: Vec<u8>,
    },
}

impl ModuleFile for Entry {
    fn path(&self) -> &[u8] {
        match self {
            Entry::Archived { name, .. } | Entry::Data { name, .. } => name,
        }
    }

    fn lstat(&self) -> io::Result<FileInfo> {
        Ok(match self {
            Entry::Archived { kind, size, .. } => FileInfo {
                kind: *kind,
                size: *size,
            },
            Entry::Data { data, .. } => FileInfo {
                kind: FileKind::Regular,
                size: data.len() as u64,
            },
        })
    }

    fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        match self {
            Entry::Archived {
                start,
                compressed,
                deflated,
                file,
                ..
            } => {
                let raw = At {
                    file: file.clone(),
                    pos: *start,
                    end: start.saturating_add(*compressed),
                };
                if *deflated {
                    Ok(Box::new(flate2::read::DeflateDecoder::new(raw)))
                } else {
                    Ok(Box::new(raw))
                }
            }
            Entry::Data { data, .. } => Ok(Box::new(&data[..])),
        }
    }
}

/// Reads a byte range of a file by position, so entries need no shared
/// cursor.
struct At {
    file: Arc<File>,
    pos: u64,
    end: u64,
}

impl Read for At {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        if n == 0 {
            return Ok(0);
        }
        let got = self.file.read_at(&mut buf[..n], self.pos)?;
        self.pos += got as u64;
        Ok(got)
    }
}

/// Builds the module zip for `m` from the git archive in `archive`, keeping
/// the files under `subdir` (empty for the repository root) and adding
/// `license` as `LICENSE` when the module directory has none. Returns the
/// `h1:` hash of what was written.
pub fn repack<W: Write + Seek>(
    archive: File,
    subdir: &str,
    license: Option<Vec<u8>>,
    dst: W,
    m: &Version,
) -> Result<String, CodeError> {
    let file = Arc::new(archive);
    let mut zr = zip::ZipArchive::new(&*file).map_err(|e| CodeError::Other(e.to_string()))?;
    let subdir = if subdir.is_empty() {
        String::new()
    } else {
        format!("{subdir}/")
    };
    let mut entries = Vec::new();
    let mut top: Option<Vec<u8>> = None;
    let mut have_license = false;
    for i in 0..zr.len() {
        let zf = zr
            .by_index_raw(i)
            .map_err(|e| CodeError::Other(e.to_string()))?;
        let full = zf.name_raw().to_vec();
        let top = match &top {
            Some(t) => t.clone(),
            None => {
                let Some(slash) = full.iter().position(|&c| c == b'/') else {
                    return Err(CodeError::Other(
                        "missing top-level directory prefix".into(),
                    ));
                };
                let t = full[..=slash].to_vec();
                top = Some(t.clone());
                t
            }
        };
        let Some(name) = full.strip_prefix(&top[..]) else {
            return Err(CodeError::Other(
                "zip file contains more than one top-level directory".into(),
            ));
        };
        let Some(name) = name.strip_prefix(subdir.as_bytes()) else {
            continue;
        };
        if name.is_empty() || name.ends_with(b"/") {
            continue;
        }
        let kind = if zf.is_symlink() {
            FileKind::Symlink
        } else if zf.is_dir() {
            FileKind::Directory
        } else {
            FileKind::Regular
        };
        let deflated = match zf.compression() {
            CompressionMethod::Stored => false,
            CompressionMethod::Deflated => true,
            other => {
                return Err(CodeError::Other(format!(
                    "unsupported compression method {other:?} in git archive"
                )));
            }
        };
        let Some(start) = zf.data_start() else {
            return Err(CodeError::Other("zip entry without data offset".into()));
        };
        if name == b"LICENSE" {
            have_license = true;
        }
        entries.push(Entry::Archived {
            name: name.to_vec(),
            kind,
            size: zf.size(),
            start,
            compressed: zf.compressed_size(),
            deflated,
            file: file.clone(),
        });
    }
    if !have_license
        && !subdir.is_empty()
        && let Some(data) = license
    {
        entries.push(Entry::Data {
            name: b"LICENSE".to_vec(),
            data,
        });
    }
    let report = create(dst, m, &entries)?;
    Ok(report.sum)
}
