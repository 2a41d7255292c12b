//! Bodies over bad links: a zip cut mid-transfer is resumed with Range + If-Range, a
//! trickling body is not cut off by the header timeout, a stalled one is.

use super::*;

/// What one request to [`blob_server`] carried and was sent.
#[derive(Debug, Clone, Default)]
struct Seen {
    range: Option<String>,
    if_range: Option<String>,
    status: u16,
}

#[derive(Default)]
struct Log {
    requests: Mutex<Vec<Seen>>,
    /// Body bytes handed to the connection, over all requests.
    sent: std::sync::atomic::AtomicU64,
}

const CUT: usize = 300_000;

/// A deterministic 1 MiB "zip" that is not all one byte.
fn blob() -> bytes::Bytes {
    let mut state = 0x9e37_79b9_u32;
    (0..1 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect::<Vec<u8>>()
        .into()
}

/// Serves [`blob`] with an ETag under `/<mode>/...`. The first request's body goes
/// wrong after [`CUT`] bytes: `cut` and `changed` break the connection, `stall`
/// stops sending; later requests honour `Range` when `If-Range` matches the current
/// ETag (`changed` has a new one by then, so it answers 200 in full).
/// `trickle` sends ten 10-byte pieces 300 ms apart; `stallsmall` sends two and stops.
async fn blob_server() -> (SocketAddr, Arc<Log>) {
    let log = Arc::new(Log::default());
    let l = log.clone();
    let app = axum::Router::new().fallback(move |req: Request<AxBody>| {
        let log = l.clone();
        async move {
            let mode = req
                .uri()
                .path()
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("")
                .to_owned();
            let h = |name| {
                req.headers()
                    .get(name)
                    .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
            };
            let (range, if_range) = (h(header::RANGE), h(header::IF_RANGE));
            let first = log.requests.lock().unwrap().is_empty();
            let record = |status: u16| {
                log.requests.lock().unwrap().push(Seen {
                    range: range.clone(),
                    if_range: if_range.clone(),
                    status,
                });
            };
            if mode == "trickle" || mode == "stallsmall" {
                record(200);
                let pieces = if mode == "trickle" { 10 } else { 2 };
                let stall = mode == "stallsmall";
                let stream = futures_util::stream::unfold(0, move |i| async move {
                    if i == pieces {
                        if stall {
                            std::future::pending::<()>().await;
                        }
                        return None;
                    }
                    if i > 0 {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                    }
                    Some((
                        Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b'a' + i; 10])),
                        i + 1,
                    ))
                });
                return Response::new(AxBody::from_stream(stream));
            }
            let body = blob();
            let total = body.len();
            let etag = if mode == "changed" && !first {
                "\"v2\""
            } else {
                "\"v1\""
            };
            let start = match (&range, &if_range) {
                (Some(r), Some(v)) if v == etag => r
                    .strip_prefix("bytes=")
                    .and_then(|r| r.strip_suffix('-'))
                    .and_then(|n| n.parse::<usize>().ok()),
                _ => None,
            };
            if let Some(start) = start {
                record(206);
                let rest = body.slice(start..);
                log.sent
                    .fetch_add(rest.len() as u64, std::sync::atomic::Ordering::Relaxed);
                return Response::builder()
                    .status(StatusCode::PARTIAL_CONTENT)
                    .header(header::ETAG, etag)
                    .header(
                        header::CONTENT_RANGE,
                        format!("bytes {start}-{}/{total}", total - 1),
                    )
                    .header(header::CONTENT_LENGTH, rest.len())
                    .body(AxBody::from(rest))
                    .unwrap();
            }
            record(200);
            if !first {
                log.sent
                    .fetch_add(total as u64, std::sync::atomic::Ordering::Relaxed);
                return Response::builder()
                    .header(header::ETAG, etag)
                    .header(header::CONTENT_LENGTH, total)
                    .body(AxBody::from(body))
                    .unwrap();
            }
            log.sent
                .fetch_add(CUT as u64, std::sync::atomic::Ordering::Relaxed);
            let head = body.slice(..CUT);
            let stall = mode == "stall";
            let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(head)]).chain(
                futures_util::stream::once(async move {
                    if stall {
                        std::future::pending::<()>().await;
                    }
                    // Let the head reach the client before the connection breaks.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "cut",
                    ))
                }),
            );
            Response::builder()
                .header(header::ETAG, etag)
                .header(header::CONTENT_LENGTH, total)
                .body(AxBody::from_stream(stream))
                .unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, log)
}

async fn fetch_zip(c: &Client, base: String) -> Result<Fetched, FetchError> {
    c.fetch(&list(c, &[base]), "m/@v/v1.0.0.zip", FileKind::Zip)
        .await
}

fn file_bytes(f: &Fetched) -> Vec<u8> {
    match &f.body {
        Body::File { path, size } => {
            let b = std::fs::read(path).unwrap();
            assert_eq!(b.len() as u64, *size);
            b
        }
        Body::Memory(_) => panic!("zip in memory"),
    }
}

#[tokio::test]
async fn a_cut_zip_is_resumed_with_range_and_if_range() {
    let (addr, log) = blob_server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| cfg.retries = 1);
    let f = fetch_zip(&c, format!("http://{addr}/cut")).await.unwrap();
    assert!(file_bytes(&f) == blob(), "resumed file differs");
    let reqs = log.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!((reqs[0].range.as_deref(), reqs[0].status), (None, 200));
    assert_eq!(
        reqs[1].range.as_deref(),
        Some(format!("bytes={CUT}-").as_str())
    );
    assert_eq!(reqs[1].if_range.as_deref(), Some("\"v1\""));
    assert_eq!(reqs[1].status, 206);
    let sent = log.sent.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(sent, 1 << 20, "not started over");
    assert!(sent < 2 * (1 << 20));
    // Only the finished file is left in staging.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn a_changed_zip_starts_over_from_zero() {
    let (addr, log) = blob_server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| cfg.retries = 1);
    let f = fetch_zip(&c, format!("http://{addr}/changed"))
        .await
        .unwrap();
    assert!(file_bytes(&f) == blob(), "restarted file differs");
    let reqs = log.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(reqs[1].if_range.as_deref(), Some("\"v1\""));
    assert_eq!(
        reqs[1].status, 200,
        "If-Range did not match: the whole file"
    );
    assert_eq!(
        log.sent.load(std::sync::atomic::Ordering::Relaxed),
        (CUT + (1 << 20)) as u64
    );
}

#[tokio::test]
async fn the_retry_budget_bounds_resumes() {
    let (addr, log) = blob_server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| cfg.retries = 0);
    let e = fetch_zip(&c, format!("http://{addr}/cut"))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network, "{e}");
    assert_eq!(log.requests.lock().unwrap().len(), 1);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "the cut piece is not left behind"
    );
}

#[tokio::test]
async fn a_stalled_zip_is_resumed_after_the_idle_timeout() {
    let (addr, log) = blob_server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| {
        cfg.retries = 1;
        cfg.idle_timeout = Duration::from_millis(300);
    });
    let f = fetch_zip(&c, format!("http://{addr}/stall")).await.unwrap();
    assert!(file_bytes(&f) == blob());
    let reqs = log.requests.lock().unwrap().clone();
    assert_eq!(
        reqs[1].range.as_deref(),
        Some(format!("bytes={CUT}-").as_str())
    );
    assert_eq!(reqs[1].status, 206);
}

/// The header timeout no longer bounds the body: a `.mod` that keeps arriving,
/// slower than `timeout` in all, is fetched.
#[tokio::test]
async fn a_trickling_body_longer_than_the_timeout_succeeds() {
    let (addr, _) = blob_server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| {
        cfg.timeout = Duration::from_secs(1);
        cfg.idle_timeout = Duration::from_secs(1);
        cfg.retries = 0;
    });
    let start = Instant::now();
    let f = c
        .fetch(
            &list(&c, &[format!("http://{addr}/trickle")]),
            "m/@v/v1.0.0.mod",
            FileKind::Mod,
        )
        .await
        .unwrap();
    assert!(
        start.elapsed() > Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    let want: String = (0..10u8)
        .map(|i| String::from_utf8(vec![b'a' + i; 10]).unwrap())
        .collect();
    assert_eq!(text(&f), want);
}

#[tokio::test]
async fn a_stalled_body_fails_after_the_idle_timeout() {
    let (addr, log) = blob_server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| {
        cfg.timeout = Duration::from_secs(5);
        cfg.idle_timeout = Duration::from_millis(800);
        cfg.retries = 0;
    });
    let start = Instant::now();
    let e = c
        .fetch(
            &list(&c, &[format!("http://{addr}/stallsmall")]),
            "m/@v/v1.0.0.mod",
            FileKind::Mod,
        )
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(
        e.to_string().contains("no data for 800ms (after 20 bytes"),
        "{e}"
    );
    // Two pieces 300 ms apart, then 800 ms of silence.
    assert!(took >= Duration::from_millis(1100), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert_eq!(log.requests.lock().unwrap().len(), 1);
}

/// `zip_timeout` is still the absolute cap: a body that keeps trickling past it
/// fails, and is not retried.
#[tokio::test]
async fn the_absolute_cap_still_ends_an_attempt() {
    let (addr, log) = blob_server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), |cfg| {
        cfg.zip_timeout = Duration::from_millis(1000);
        cfg.idle_timeout = Duration::from_secs(1);
    });
    let e = c
        .fetch(
            &list(&c, &[format!("http://{addr}/trickle")]),
            "m/@v/v1.0.0.mod",
            FileKind::Mod,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(e.to_string().contains("the cap on one attempt"), "{e}");
    assert_eq!(log.requests.lock().unwrap().len(), 1);
}
