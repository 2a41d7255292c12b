//! Page-cache-first file access (Linux): a proxy's working set lives in the page
//! cache, and a trip to tokio's blocking pool (two thread wake-ups) costs far more than
//! copying a cached 64 KiB. So an object is opened with `openat2(RESOLVE_CACHED)` and
//! read with `preadv2(RWF_NOWAIT)` right on the async thread; only when the kernel says
//! the call would wait for the disk (`EAGAIN`), or does not support the flag, does the
//! work go to the blocking pool. Elsewhere every read goes to the blocking pool.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

#[cfg(target_os = "linux")]
use rustix::fs::{Mode, OFlags, ResolveFlags};
#[cfg(target_os = "linux")]
use rustix::io::{Errno, ReadWriteFlags};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::task::JoinHandle;

/// Largest read handed to the blocking pool when a read would wait.
const BLOCKING_READ: usize = 64 * 1024;

#[cfg(target_os = "linux")]
/// Opens `path` if every path component is in the kernel's lookup cache. `None`
/// means "cannot tell without blocking" (or an error the blocking path should report);
/// `Some(Err(_))` is an absent file.
pub(super) fn open_cached(path: &Path) -> Option<io::Result<File>> {
    match rustix::fs::openat2(
        rustix::fs::CWD,
        path,
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
        ResolveFlags::CACHED,
    ) {
        Ok(fd) => Some(Ok(File::from(fd))),
        Err(e) if e == Errno::NOENT || e == Errno::NOTDIR => Some(Err(e.into())),
        Err(_) => None,
    }
}

/// Reads `buf.len()` bytes at `offset` if they are all in the page cache.
#[cfg(target_os = "linux")]
pub(super) fn read_cached(file: &File, buf: &mut [u8], offset: u64) -> Option<()> {
    let mut done = 0;
    while done < buf.len() {
        let n = nowait_read(file, &mut buf[done..], offset + done as u64).ok()??;
        if n == 0 {
            return None;
        }
        done += n;
    }
    Some(())
}

/// One `preadv2(RWF_NOWAIT)`: `Ok(None)` when it would block (or is unsupported).
#[cfg(target_os = "linux")]
fn nowait_read(file: &File, buf: &mut [u8], offset: u64) -> io::Result<Option<usize>> {
    match rustix::io::preadv2(
        file,
        &mut [io::IoSliceMut::new(buf)],
        offset,
        ReadWriteFlags::NOWAIT,
    ) {
        Ok(n) => Ok(Some(n)),
        Err(e) if e == Errno::AGAIN || e == Errno::NOSYS || e == Errno::OPNOTSUPP => Ok(None),
        Err(e) if e == Errno::INTR => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn nowait_read(_: &File, _: &mut [u8], _: u64) -> io::Result<Option<usize>> {
    Ok(None)
}

/// A file body (a range of the file): cached bytes are read inline, the rest on the blocking pool.
pub(super) struct CachedFile {
    file: Arc<File>,
    /// Where the body ends in the file (a body can be a range of it).
    end: u64,
    pos: u64,
    /// A read running on the blocking pool, for the bytes at `pos`.
    pending: Option<JoinHandle<io::Result<Vec<u8>>>>,
    /// Bytes at `pos` that a blocking read returned beyond what the caller took.
    ahead: Vec<u8>,
    /// Whether to try non-blocking reads (tests turn it off to exercise the pool).
    nowait: bool,
}

impl CachedFile {
    /// The bytes `start..end` of `file`.
    pub(super) fn new(file: Arc<File>, start: u64, end: u64) -> CachedFile {
        CachedFile {
            file,
            end,
            pos: start,
            pending: None,
            ahead: Vec::new(),
            nowait: true,
        }
    }

    /// A body that always reads on the blocking pool, as on a cold cache.
    #[cfg(test)]
    pub(super) fn blocking_only(file: File, start: u64, end: u64) -> CachedFile {
        CachedFile {
            nowait: false,
            ..CachedFile::new(Arc::new(file), start, end)
        }
    }

    fn take_ahead(&mut self, dst: &mut ReadBuf<'_>) {
        let n = self.ahead.len().min(dst.remaining());
        dst.put_slice(&self.ahead[..n]);
        self.ahead.drain(..n);
        self.pos += n as u64;
    }
}

impl AsyncRead for CachedFile {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if dst.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        if !this.ahead.is_empty() {
            this.take_ahead(dst);
            return Poll::Ready(Ok(()));
        }
        if let Some(task) = this.pending.as_mut() {
            let result = ready!(Pin::new(task).poll(cx));
            this.pending = None;
            this.ahead = result.unwrap_or_else(|e| Err(io::Error::other(e)))?;
            this.take_ahead(dst);
            return Poll::Ready(Ok(()));
        }
        if this.pos >= this.end {
            return Poll::Ready(Ok(()));
        }
        let left = usize::try_from(this.end - this.pos).unwrap_or(usize::MAX);
        let want = dst.remaining().min(left);
        if this.nowait
            && let Some(n) = nowait_read(
                &this.file,
                &mut dst.initialize_unfilled_to(want)[..],
                this.pos,
            )?
        {
            dst.advance(n);
            this.pos += n as u64;
            return Poll::Ready(Ok(()));
        }
        let (file, pos) = (this.file.clone(), this.pos);
        let len = want.min(BLOCKING_READ);
        this.pending = Some(tokio::task::spawn_blocking(move || {
            let mut buf = vec![0; len];
            let n = file.read_at(&mut buf, pos)?;
            buf.truncate(n);
            Ok(buf)
        }));
        Pin::new(this).poll_read(cx, dst)
    }
}
