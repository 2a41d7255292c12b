//! The request log: one line per request, cheap enough to keep on at full speed.
//!
//! `tracing`'s formatter costs about a quarter of the throughput of a small-file
//! request (span machinery, a timestamp formatted from scratch, field visitors).
//! Here a line is written by hand into a per-thread buffer (no allocation once it has
//! grown; the date part of the timestamp is formatted once per second) and appended
//! to the batching writer ([`crate::logwriter`]) with one `memcpy` under its lock.
//! Nothing is lost: the writer applies back-pressure instead of dropping.
//!
//! The lines are the ones `tracing` printed before, field for field, so log parsers do
//! not change: text
//! `2026-12-07T04:05:50.123456Z  INFO modgate_server: request method=GET path=/m/@v/list status=200 endpoint="list" cache="hit" token="-" bytes=7 ms=0.042`,
//! or JSON `{"timestamp":…,"level":"INFO","message":"request","method":"GET",…,"target":"modgate_server"}`.
//!
//! Until [`install`] is called (tests, embedders), lines go through `tracing` as before.

use std::cell::RefCell;
use std::io::Write as _;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::LogFormat;
use crate::logwriter::BatchWriter;

/// One request, as logged.
pub struct Line<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub endpoint: &'a str,
    pub cache: &'a str,
    pub token: &'a str,
    pub bytes: u64,
    pub micros: u128,
}

struct Sink {
    writer: BatchWriter,
    format: LogFormat,
}

static SINK: OnceLock<Option<Sink>> = OnceLock::new();

/// Sends request lines straight to `writer` in `format`; `enabled` is whether the log
/// filter lets `info` lines of this crate through (decided once, at start).
pub fn install(writer: BatchWriter, format: LogFormat, enabled: bool) {
    let _ = SINK.set(enabled.then_some(Sink { writer, format }));
}

/// Logs one request.
pub fn log(line: &Line<'_>) {
    match SINK.get() {
        Some(Some(sink)) => {
            BUF.with(|b| {
                let b = &mut *b.borrow_mut();
                b.line.clear();
                format_into(
                    &mut b.line,
                    &mut b.clock,
                    sink.format,
                    SystemTime::now(),
                    line,
                );
                sink.writer.append(&b.line);
            });
        }
        Some(None) => {}
        None => via_tracing(line),
    }
}

/// The line as a `tracing` event: the fallback, and the reference the hand-written
/// formats are tested against.
fn via_tracing(line: &Line<'_>) {
    tracing::info!(
        target: "modgate_server",
        method = %line.method,
        path = %line.path,
        status = line.status,
        endpoint = line.endpoint,
        cache = line.cache,
        token = line.token,
        bytes = line.bytes,
        ms = line.micros as f64 / 1000.0,
        "request"
    )
}

struct ThreadBuf {
    line: Vec<u8>,
    clock: Clock,
}

thread_local! {
    static BUF: RefCell<ThreadBuf> = RefCell::new(ThreadBuf {
        line: Vec::with_capacity(512),
        clock: Clock::default(),
    });
}

/// The formatted `YYYY-MM-DDTHH:MM:SS` of the last second seen.
#[derive(Default)]
struct Clock {
    second: u64,
    text: [u8; 19],
}

impl Clock {
    fn date(&mut self, secs: u64) -> &[u8] {
        if secs != self.second || self.text[0] == 0 {
            self.second = secs;
            let (y, mo, d) = civil_from_days((secs / 86_400) as i64);
            let s = secs % 86_400;
            let mut w = &mut self.text[..];
            let _ = write!(
                w,
                "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}",
                s / 3600,
                s / 60 % 60,
                s % 60
            );
        }
        &self.text
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn format_into(
    buf: &mut Vec<u8>,
    clock: &mut Clock,
    format: LogFormat,
    now: SystemTime,
    l: &Line<'_>,
) {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let ms_whole = l.micros / 1000;
    let ms_frac = l.micros % 1000;
    match format {
        LogFormat::Text => {
            buf.extend_from_slice(clock.date(since.as_secs()));
            let _ = write!(
                buf,
                ".{:06}Z  INFO modgate_server: request method=",
                since.subsec_micros()
            );
            buf.extend_from_slice(l.method.as_bytes());
            buf.extend_from_slice(b" path=");
            buf.extend_from_slice(l.path.as_bytes());
            // tracing prints string fields with Debug (quoted), Display ones bare.
            let _ = write!(
                buf,
                " status={} endpoint={:?} cache={:?} token={:?} bytes={} ms={}",
                l.status, l.endpoint, l.cache, l.token, l.bytes, ms_whole
            );
            write_frac(buf, ms_frac);
            buf.push(b'\n');
        }
        LogFormat::Json => {
            buf.extend_from_slice(b"{\"timestamp\":\"");
            buf.extend_from_slice(clock.date(since.as_secs()));
            let _ = write!(
                buf,
                ".{:06}Z\",\"level\":\"INFO\",\"message\":\"request\",\"method\":",
                since.subsec_micros()
            );
            json_str(buf, l.method);
            buf.extend_from_slice(b",\"path\":");
            json_str(buf, l.path);
            let _ = write!(buf, ",\"status\":{},\"endpoint\":", l.status);
            json_str(buf, l.endpoint);
            buf.extend_from_slice(b",\"cache\":");
            json_str(buf, l.cache);
            buf.extend_from_slice(b",\"token\":");
            json_str(buf, l.token);
            let _ = write!(buf, ",\"bytes\":{},\"ms\":{}", l.bytes, ms_whole);
            write_frac(buf, ms_frac);
            buf.extend_from_slice(b",\"target\":\"modgate_server\"}\n");
        }
    }
}

/// The milliseconds' fraction as `f64`'s shortest form prints it: `.455`, `.45`, or
/// nothing for a whole number (then `.0`, as `f64` prints `1.0`).
fn write_frac(buf: &mut Vec<u8>, frac: u128) {
    if frac == 0 {
        buf.extend_from_slice(b".0");
        return;
    }
    let digits = [
        b'0' + (frac / 100) as u8,
        b'0' + (frac / 10 % 10) as u8,
        b'0' + (frac % 10) as u8,
    ];
    let mut n = 3;
    while n > 1 && digits[n - 1] == b'0' {
        n -= 1;
    }
    buf.push(b'.');
    buf.extend_from_slice(&digits[..n]);
}

fn json_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    for c in s.chars() {
        match c {
            '"' => buf.extend_from_slice(b"\\\""),
            '\\' => buf.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(buf, "\\u{:04x}", c as u32);
            }
            c => {
                let mut tmp = [0u8; 4];
                buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
        }
    }
    buf.push(b'"');
}

#[cfg(test)]
mod tests;
