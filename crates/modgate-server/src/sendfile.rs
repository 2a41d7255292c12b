//! Zero-copy file bodies on HTTP/1 connections.
//!
//! nginx sends a stored file with `sendfile(2)`: the kernel hands page-cache pages
//! to the socket, and the file's bytes never pass through user memory. hyper writes
//! a body from buffers, so a file read into them costs two more passes over the data
//! (read into a buffer, copy into the socket); for zips under many connections
//! that is most of the CPU.
//!
//! So on plain HTTP/1 connections a response that offers a stored file range (a
//! [`Candidate`]) gets a body of *placeholder* frames instead: slices of one static
//! buffer, as many bytes as the range. hyper queues a body's buffers as they are and
//! hands them to the connection's writer ([`Io`]) without copying them (vectored
//! writes, which the server's HTTP/1 builder forces on). The writer recognises the
//! slices by address and sends the file bytes they stand for with `sendfile`.
//!
//! The writer checks that the placeholders arrive in order, at the position of the
//! range it is sending: anything else fails the connection, so a placeholder byte
//! never reaches a socket. HTTP/2 (and anything else without a [`Handle`]) keeps the
//! ordinary streamed body.

use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::task::{Context, Poll, ready};

use axum::http::{Method, Response, StatusCode, Version};
use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
use hyper_util::rt::TokioIo;
use modgate_storage::FileRange;
use tokio::io::Interest;
use tokio::net::TcpStream;

/// Bytes one placeholder frame stands for, and the most one `sendfile` call sends
/// (nginx's `sendfile_max_chunk`): each call ends in a short segment.
const FRAME: usize = 2 << 20;

/// The placeholder bytes. Never sent: a slice of this buffer reaching the writer is
/// replaced by the file bytes it stands for. Allocated (and never touched, so it
/// takes no memory) rather than a static array, which would be in the binary.
static PLACEHOLDER: LazyLock<&'static [u8]> =
    LazyLock::new(|| Box::leak(vec![0u8; FRAME].into_boxed_slice()));

/// A response extension: the body is this range of a stored file, which a
/// connection that can send files may send in place of the streamed body.
#[derive(Debug, Clone)]
pub struct Candidate(pub FileRange);

/// A request extension: the request came on a connection whose writer sends files.
#[derive(Clone, Default)]
pub struct Handle(Arc<Ranges>);

/// The file ranges a connection's placeholders stand for, in the order hyper writes
/// them (a pipelined response's body can be queued before the last one is sent).
#[derive(Default)]
struct Ranges(Mutex<VecDeque<Sending>>);

struct Sending {
    range: FileRange,
    sent: u64,
}

impl Ranges {
    fn lock(&self) -> MutexGuard<'_, VecDeque<Sending>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Replaces the body of `response` by placeholders for its [`Candidate`], when the
/// request came over HTTP/1 on a connection with a [`Handle`] and the answer is a
/// body of the file range (200 or 206 to a GET). Returns whether it did.
pub fn attach(
    response: &mut Response<axum::body::Body>,
    handle: Option<&Handle>,
    version: Version,
    method: &Method,
) -> bool {
    let Some(handle) = handle else { return false };
    if !matches!(version, Version::HTTP_11 | Version::HTTP_10)
        || method != Method::GET
        || !matches!(
            response.status(),
            StatusCode::OK | StatusCode::PARTIAL_CONTENT
        )
    {
        return false;
    }
    let Some(Candidate(range)) = response.extensions_mut().remove::<Candidate>() else {
        return false;
    };
    let left = range.len();
    *response.body_mut() = axum::body::Body::new(Placeholders {
        ranges: handle.0.clone(),
        range: Some(range),
        left,
    });
    true
}

/// A body of placeholder frames for one file range. Its range is queued for the
/// writer when hyper first asks for a frame, that is when hyper starts writing it.
struct Placeholders {
    ranges: Arc<Ranges>,
    range: Option<FileRange>,
    left: u64,
}

impl hyper::body::Body for Placeholders {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if let Some(range) = this.range.take() {
            this.ranges.lock().push_back(Sending { range, sent: 0 });
        }
        if this.left == 0 {
            return Poll::Ready(None);
        }
        let n = usize::try_from(this.left).map_or(FRAME, |l| l.min(FRAME));
        this.left -= n as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&PLACEHOLDER[..n])))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0 && self.range.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left)
    }
}

/// Where `buf` lies in [`PLACEHOLDER`], if it is a slice of it.
fn placeholder_offset(buf: &[u8]) -> Option<usize> {
    let base = PLACEHOLDER.as_ptr() as usize;
    let at = buf.as_ptr() as usize;
    (!buf.is_empty() && at >= base && at + buf.len() <= base + FRAME).then(|| at - base)
}

/// A TCP connection's reader and writer for hyper, sending placeholder slices as
/// the file bytes they stand for.
pub struct Io {
    tcp: TokioIo<TcpStream>,
    ranges: Arc<Ranges>,
}

impl Io {
    /// The connection's transport and the handle its requests carry.
    pub fn new(tcp: TcpStream) -> (Io, Handle) {
        let handle = Handle::default();
        let io = Io {
            tcp: TokioIo::new(tcp),
            ranges: handle.0.clone(),
        };
        (io, handle)
    }

    /// Sends (part of) the file bytes that `buf`, a placeholder slice, stands for.
    fn poll_send_file(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let at = placeholder_offset(buf).unwrap_or(usize::MAX);
        let mut ranges = self.ranges.lock();
        let Some(front) = ranges.front_mut() else {
            return Poll::Ready(Err(out_of_step("no file range is being sent")));
        };
        // Every frame but the last is FRAME bytes: the next byte of the range is at
        // this offset in a frame, and no frame runs past the range.
        if at as u64 != front.sent % FRAME as u64
            || front.sent + buf.len() as u64 > front.range.len()
        {
            return Poll::Ready(Err(out_of_step("placeholder bytes out of step")));
        }
        let tcp = self.tcp.inner();
        loop {
            ready!(tcp.poll_write_ready(cx))?;
            let mut offset = front.range.offset() + front.sent;
            let file = front.range.file();
            match tcp.try_io(Interest::WRITABLE, || {
                rustix::fs::sendfile(tcp, &**file, Some(&mut offset), buf.len())
                    .map_err(io::Error::from)
            }) {
                Ok(0) => {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "stored file ended before its size",
                    )));
                }
                Ok(n) => {
                    front.sent += n as u64;
                    if front.sent == front.range.len() {
                        ranges.pop_front();
                    }
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

fn out_of_step(what: &str) -> io::Error {
    io::Error::other(format!("sendfile: {what}; closing the connection"))
}

impl hyper::rt::Read for Io {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Io {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if placeholder_offset(buf).is_some() {
            return self.poll_send_file(cx, buf);
        }
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // Ordinary bytes up to the first placeholder go out as one writev; a
        // placeholder at the front goes out as the file.
        let Some(first) = bufs.iter().position(|b| !b.is_empty()) else {
            return Poll::Ready(Ok(0));
        };
        if placeholder_offset(&bufs[first]).is_some() {
            return self.poll_send_file(cx, &bufs[first]);
        }
        let end = bufs[first..]
            .iter()
            .position(|b| placeholder_offset(b).is_some())
            .map_or(bufs.len(), |i| first + i);
        if end == bufs.len() {
            return Pin::new(&mut self.tcp).poll_write_vectored(cx, &bufs[first..end]);
        }
        // Headers with file bytes to follow: MSG_MORE lets the kernel send them in
        // one segment with the file's first bytes (what nginx's TCP_CORK does). A
        // separate short segment per response costs the receiver a whole pass
        // through its network stack: 1 MB zips at 256 connections went from 0.75
        // to 1.1 of nginx's rate with it.
        let tcp = self.tcp.inner();
        loop {
            ready!(tcp.poll_write_ready(cx))?;
            match tcp.try_io(Interest::WRITABLE, || {
                rustix::net::sendmsg(
                    tcp,
                    &bufs[first..end],
                    &mut rustix::net::SendAncillaryBuffer::default(),
                    rustix::net::SendFlags::MORE | rustix::net::SendFlags::NOSIGNAL,
                )
                .map_err(io::Error::from)
            }) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                r => return Poll::Ready(r),
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use modgate_storage::{Body as StoredBody, FsStorage, Key, Storage};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn only_slices_of_the_placeholder_are_placeholders() {
        assert_eq!(placeholder_offset(&PLACEHOLDER[..]), Some(0));
        assert_eq!(placeholder_offset(&PLACEHOLDER[10..20]), Some(10));
        assert_eq!(placeholder_offset(&PLACEHOLDER[5..5]), None);
        let zeros = vec![0u8; FRAME];
        assert_eq!(placeholder_offset(&zeros), None);
    }

    /// A stored object of `len` bytes, opened: its path and its file range.
    async fn stored(dir: &std::path::Path, len: usize) -> (Vec<u8>, std::path::PathBuf, FileRange) {
        let storage = FsStorage::open(dir).unwrap();
        let data: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
        let key = Key::new("example.com/m/@v/v1.0.0.zip").unwrap();
        storage
            .put_bytes(&key, Bytes::from(data.clone()))
            .await
            .unwrap();
        let obj = storage.get(&key).await.unwrap().unwrap();
        let StoredBody::File(range) = obj.body else {
            panic!("a large object opens as a file range");
        };
        (data, dir.join("example.com/m/@v/v1.0.0.zip"), range)
    }

    /// A connected pair: the server side wrapped in [`Io`] (as tokio I/O), the client.
    async fn pair() -> (TokioIo<Io>, Handle, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap());
        let (client, accepted) = tokio::join!(client, listener.accept());
        let (io, handle) = Io::new(accepted.unwrap().0);
        (TokioIo::new(io), handle, client.unwrap())
    }

    /// Writes the body `attach` gives `range` through `io` as hyper would: every
    /// frame, then the end. Returns what the write gave and what the client read.
    async fn send(range: FileRange, head: &[u8]) -> (io::Result<()>, Vec<u8>) {
        let (mut io, handle, mut client) = pair().await;
        let mut response = Response::new(axum::body::Body::from("streamed"));
        response.extensions_mut().insert(Candidate(range));
        assert!(attach(
            &mut response,
            Some(&handle),
            Version::HTTP_11,
            &Method::GET
        ));
        let mut frames = response.into_body().into_data_stream();
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            let _ = client.read_to_end(&mut got).await;
            got
        });
        let written = async {
            io.write_all(head).await?;
            while let Some(frame) = futures_util::StreamExt::next(&mut frames).await {
                io.write_all(&frame.map_err(io::Error::other)?).await?;
            }
            io.shutdown().await
        }
        .await;
        drop(io);
        (written, reader.await.unwrap())
    }

    #[tokio::test]
    async fn placeholders_go_out_as_the_file_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let (data, _, range) = stored(dir.path(), 3 * FRAME + 12_345).await;
        let (written, got) = send(range.clone(), b"HEAD\r\n").await;
        written.unwrap();
        assert_eq!(&got[..6], b"HEAD\r\n");
        assert!(got[6..] == data[..], "the file's bytes, not placeholders");

        // A range of it, starting mid-frame.
        let part = range.slice(1000, 2 * FRAME as u64).unwrap();
        let (written, got) = send(part, b"").await;
        written.unwrap();
        assert!(got[..] == data[1000..1000 + 2 * FRAME]);
    }

    #[tokio::test]
    async fn a_file_shorter_than_its_size_fails_the_connection() {
        let dir = tempfile::tempdir().unwrap();
        let (data, path, range) = stored(dir.path(), 2 * FRAME).await;
        // Cut in place (stored files never are: this is a damaged disk).
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(5000)
            .unwrap();
        let (written, got) = send(range, b"").await;
        let e = written.unwrap_err();
        assert!(e.to_string().contains("ended before its size"), "{e}");
        assert!(
            got[..] == data[..5000],
            "only real file bytes, then the end"
        );
    }

    #[tokio::test]
    async fn placeholders_without_a_range_are_never_sent() {
        let (mut io, _handle, mut client) = pair().await;
        let e = io.write_all(&PLACEHOLDER[..100]).await.unwrap_err();
        assert!(e.to_string().contains("no file range"), "{e}");
        drop(io);
        let mut got = Vec::new();
        let _ = client.read_to_end(&mut got).await;
        assert!(got.is_empty());
    }

    #[tokio::test]
    async fn only_http1_gets_and_file_answers_are_attached() {
        let dir = tempfile::tempdir().unwrap();
        let (_, _, range) = stored(dir.path(), FRAME).await;
        let handle = Handle::default();
        let with = |status| {
            let mut r = Response::new(axum::body::Body::empty());
            *r.status_mut() = status;
            r.extensions_mut().insert(Candidate(range.clone()));
            r
        };
        let cases = [
            (Version::HTTP_11, Method::GET, StatusCode::OK, true),
            (
                Version::HTTP_10,
                Method::GET,
                StatusCode::PARTIAL_CONTENT,
                true,
            ),
            (Version::HTTP_2, Method::GET, StatusCode::OK, false),
            (Version::HTTP_11, Method::HEAD, StatusCode::OK, false),
            (
                Version::HTTP_11,
                Method::GET,
                StatusCode::NOT_MODIFIED,
                false,
            ),
        ];
        for (version, method, status, expected) in cases {
            let mut r = with(status);
            assert_eq!(
                attach(&mut r, Some(&handle), version, &method),
                expected,
                "{version:?} {method} {status}"
            );
        }
        assert!(!attach(
            &mut with(StatusCode::OK),
            None,
            Version::HTTP_11,
            &Method::GET
        ));
        let mut plain = Response::new(axum::body::Body::empty());
        assert!(!attach(
            &mut plain,
            Some(&handle),
            Version::HTTP_11,
            &Method::GET
        ));
    }
}
