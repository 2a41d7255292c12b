//! HTTP semantics of a served file: validators, conditional requests, ranges.
//!
//! * Every 200 carries `Content-Length`, a strong `ETag`, `Last-Modified`,
//!   `Accept-Ranges: bytes` and the caller's `Cache-Control`; nothing is ever
//!   content-encoded, so Go 1.27's resumable downloads (`Range` + `If-Range`) work.
//! * `If-None-Match` (weak comparison, `*` allowed) and, without it,
//!   `If-Modified-Since` answer 304.
//! * One `bytes=` range (`a-b`, `a-`, `-n`) answers 206 with `Content-Range`; a range
//!   that starts past the end answers 416 with `Content-Range: bytes */size`. Several
//!   ranges, or an `If-Range` that does not match (strong ETag or exact date), get the
//!   whole file (RFC 9110 allows both).
//! * HEAD gets the same headers and no body.
//!
//! Error bodies are short `text/plain; charset=utf-8`, since the go command shows
//! them (at most 8 lines of 81 bytes, stopping at a blank line).

use std::time::SystemTime;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use modgate_cache::Cache;
use modgate_storage::{Body as StoredBody, Key, Meta};
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;

/// Bodies up to this size go out as one buffer.
const CHUNK: usize = 64 * 1024;

/// Read buffer for streamed bodies: each read of a file is a hop to tokio's
/// blocking pool, so larger reads mean fewer hops per zip (a 1 MB zip in 4 reads
/// rather than 16), at 256 KiB of memory per body in flight.
const STREAM_CHUNK: usize = 256 * 1024;

/// The headers and extent of an answer, or the whole answer when it has no body.
enum Plan {
    Done(Response),
    Body {
        base: axum::http::response::Builder,
        start: u64,
        len: u64,
    },
}

/// Decides status and headers from the object's validators and the request's
/// conditional and range headers.
fn plan(
    method: &Method,
    req: &HeaderMap,
    meta: &Meta,
    content_type: &'static str,
    cache_control: &str,
) -> Plan {
    let mut base = Response::builder()
        .header(header::ETAG, &meta.etag)
        .header(
            header::LAST_MODIFIED,
            httpdate::fmt_http_date(meta.modified),
        )
        .header(header::CACHE_CONTROL, cache_control)
        .header(header::ACCEPT_RANGES, "bytes");

    if not_modified(req, meta) {
        return Plan::Done(
            base.status(StatusCode::NOT_MODIFIED)
                .body(Body::empty())
                .unwrap_or_default(),
        );
    }
    base = base.header(header::CONTENT_TYPE, content_type);

    let size = meta.size;
    let range = match req.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        Some(r) if if_range_matches(req, meta) => parse_range(r, size),
        _ => RangeReq::Full,
    };
    let (status, start, len) = match range {
        RangeReq::Full => (StatusCode::OK, 0, size),
        RangeReq::Unsatisfiable => {
            return Plan::Done(
                base.status(StatusCode::RANGE_NOT_SATISFIABLE)
                    .header(header::CONTENT_RANGE, format!("bytes */{size}"))
                    .header(header::CONTENT_LENGTH, 0)
                    .body(Body::empty())
                    .unwrap_or_default(),
            );
        }
        RangeReq::Part { start, end } => {
            base = base.header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}"));
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
    };
    let base = base.status(status).header(header::CONTENT_LENGTH, len);
    if method == Method::HEAD {
        return Plan::Done(base.body(Body::empty()).unwrap_or_default());
    }
    Plan::Body { base, start, len }
}

/// Serves a stored answer (`body` is the whole object `meta` describes), honouring
/// conditional and range headers. A range of a streamed body is read afresh from
/// `cache` (a ranged read in the store), so it never reads what it skips.
#[allow(clippy::too_many_arguments)]
pub async fn stored(
    method: &Method,
    req: &HeaderMap,
    cache: &Cache,
    key: &Key,
    meta: &Meta,
    body: StoredBody,
    content_type: &'static str,
    cache_control: &str,
) -> Response {
    let (base, start, len) = match plan(method, req, meta, content_type, cache_control) {
        Plan::Done(r) => return r,
        Plan::Body { base, start, len } => (base, start, len),
    };
    let reader = match body {
        StoredBody::Bytes(data) => {
            let part = usize::try_from(start)
                .ok()
                .zip(usize::try_from(start + len).ok())
                .and_then(|(a, b)| data.get(a..b).map(|_| data.slice(a..b)));
            return match part {
                // The whole object in memory: `crate::ready` may keep the answer.
                Some(p) if p.len() == data.len() => base
                    .extension(crate::ready::WholeBody(p.clone()))
                    .body(Body::from(p))
                    .unwrap_or_default(),
                Some(p) => base.body(Body::from(p)).unwrap_or_default(),
                None => text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "storage: object shorter than its size",
                    "no-store",
                ),
            };
        }
        StoredBody::File(f) => {
            let Some(range) = f.slice(start, len) else {
                return text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "storage: object shorter than its size",
                    "no-store",
                );
            };
            if len <= CHUNK as u64 {
                range.into_reader()
            } else {
                // Streamed as any body; the connection may instead send the file
                // itself (see `sendfile`), which the candidate offers it.
                let stream = ReaderStream::with_capacity(range.clone().into_reader(), STREAM_CHUNK);
                let mut response = base.body(Body::from_stream(stream)).unwrap_or_default();
                response
                    .extensions_mut()
                    .insert(crate::sendfile::Candidate(range));
                return response;
            }
        }
        StoredBody::Reader(r) if start == 0 => r,
        StoredBody::Reader(r) => {
            drop(r);
            match cache.read_range(key, start, len).await {
                Ok(b) => b.into_reader(),
                Err(e) => {
                    return text(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &e.to_string(),
                        "no-store",
                    );
                }
            }
        }
    };
    let mut reader = reader.take(len);
    if len <= CHUNK as u64 {
        // Small files go out as one buffer: one read, and the headers and body
        // leave in a single write.
        let mut buf = vec![0; usize::try_from(len).unwrap_or(CHUNK)];
        if reader.read_exact(&mut buf).await.is_err() {
            return text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "storage: read failed",
                "no-store",
            );
        }
        return base.body(Body::from(buf)).unwrap_or_default();
    }
    let stream = ReaderStream::with_capacity(reader, STREAM_CHUNK);
    base.body(Body::from_stream(stream)).unwrap_or_default()
}

/// Serves bytes that are not stored (computed answers such as an offline list).
pub fn bytes(
    method: &Method,
    req: &HeaderMap,
    data: bytes::Bytes,
    content_type: &'static str,
    cache_control: &str,
) -> Response {
    // A content-derived strong validator.
    let etag = format!("\"c-{:016x}-{:x}\"", fnv1a(&data), data.len());
    let inm = req.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    let base = Response::builder()
        .header(header::ETAG, &etag)
        .header(header::CACHE_CONTROL, cache_control);
    if inm.is_some_and(|v| etag_list_matches(v, &etag)) {
        return base
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_default();
    }
    let base = base
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, data.len());
    if method == Method::HEAD {
        base.body(Body::empty()).unwrap_or_default()
    } else {
        base.extension(crate::ready::WholeBody(data.clone()))
            .body(Body::from(data))
            .unwrap_or_default()
    }
}

/// A short plain-text answer (errors, `supported`, probes).
pub fn text(status: StatusCode, msg: &str, cache_control: &str) -> Response {
    let mut body = msg.trim_end().to_owned();
    body.push('\n');
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, cache_control)
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .unwrap_or_default()
}

/// 405 with the methods that are allowed.
pub fn method_not_allowed() -> Response {
    let mut r = text(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed: the module proxy answers GET and HEAD",
        "no-store",
    );
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    r
}

fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn not_modified(req: &HeaderMap, meta: &Meta) -> bool {
    if let Some(inm) = req.get(header::IF_NONE_MATCH) {
        return inm.to_str().is_ok_and(|v| etag_list_matches(v, &meta.etag));
    }
    let Some(ims) = req
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
    else {
        return false;
    };
    truncate_secs(meta.modified) <= ims
}

fn truncate_secs(t: SystemTime) -> SystemTime {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs)
}

/// Weak comparison against a comma-separated `If-None-Match` list.
fn etag_list_matches(list: &str, etag: &str) -> bool {
    let ours = etag.trim_start_matches("W/");
    list.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == ours)
}

/// `If-Range`: the range applies only if the validator still matches (a strong ETag
/// compared strongly, or exactly the Last-Modified date).
fn if_range_matches(req: &HeaderMap, meta: &Meta) -> bool {
    let Some(v) = req.get(header::IF_RANGE).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let v = v.trim();
    if v.starts_with('"') {
        return v == meta.etag;
    }
    if v.starts_with("W/") {
        return false;
    }
    httpdate::parse_http_date(v).is_ok_and(|d| d == truncate_secs(meta.modified))
}

#[derive(Debug, PartialEq, Eq)]
enum RangeReq {
    Full,
    Part { start: u64, end: u64 },
    Unsatisfiable,
}

fn parse_range(h: &str, size: u64) -> RangeReq {
    let Some(spec) = h.trim().strip_prefix("bytes=") else {
        return RangeReq::Full;
    };
    if spec.contains(',') {
        return RangeReq::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeReq::Full;
    };
    let num = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            None
        } else {
            s.parse().ok()
        }
    };
    match (a.trim(), b.trim()) {
        ("", n) => match num(n) {
            Some(0) => RangeReq::Unsatisfiable,
            Some(_) if size == 0 => RangeReq::Unsatisfiable,
            Some(n) => RangeReq::Part {
                start: size.saturating_sub(n),
                end: size - 1,
            },
            None => RangeReq::Full,
        },
        (a, "") => match num(a) {
            Some(s) if s >= size => RangeReq::Unsatisfiable,
            Some(s) => RangeReq::Part {
                start: s,
                end: size - 1,
            },
            None => RangeReq::Full,
        },
        (a, b) => match (num(a), num(b)) {
            (Some(s), Some(e)) if s > e => RangeReq::Full,
            (Some(s), Some(_)) if s >= size => RangeReq::Unsatisfiable,
            (Some(s), Some(e)) => RangeReq::Part {
                start: s,
                end: e.min(size - 1),
            },
            _ => RangeReq::Full,
        },
    }
}

#[cfg(test)]
mod tests;
