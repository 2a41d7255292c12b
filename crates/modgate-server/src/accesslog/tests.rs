//! The hand-written request line against what `tracing` prints for the same event:
//! field for field, in both formats, so log parsers see no change.

use std::sync::{Arc, Mutex};

use super::*;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn traced(format: LogFormat, line: &Line<'_>) -> String {
    let cap = Capture::default();
    let w = cap.clone();
    let builder = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || w.clone());
    let dispatch = match format {
        LogFormat::Text => tracing::Dispatch::new(builder.finish()),
        LogFormat::Json => tracing::Dispatch::new(builder.json().flatten_event(true).finish()),
    };
    tracing::dispatcher::with_default(&dispatch, || super::via_tracing(line));
    String::from_utf8(cap.0.lock().unwrap().clone()).unwrap()
}

fn ours(format: LogFormat, line: &Line<'_>) -> String {
    let mut buf = Vec::new();
    format_into(
        &mut buf,
        &mut Clock::default(),
        format,
        SystemTime::now(),
        line,
    );
    String::from_utf8(buf).unwrap()
}

fn lines() -> Vec<Line<'static>> {
    let l = |path, micros, cache| Line {
        method: "GET",
        path,
        status: 200,
        endpoint: "info",
        cache,
        token: "-",
        bytes: 51,
        micros,
    };
    vec![
        l("/example.com/m/@v/v1.0.0.info", 455, "hit"),
        l("/example.com/m/@v/list", 1_000, "miss"),
        l("/example.com/m/@v/list", 12_340, "stale"),
        l("/golang.org/x/text/@v/v0.3.0.zip", 1_234_567, "hit"),
        l("/weird\"path\\x", 7, "-"),
        l("/", 0, "-"),
    ]
}

/// Drops the timestamp (the two formatters run at different instants).
fn text_rest(s: &str) -> &str {
    s.split_once("Z ").map(|(_, rest)| rest).unwrap_or(s)
}

#[test]
fn text_lines_match_tracing() {
    for line in lines() {
        let (a, b) = (ours(LogFormat::Text, &line), traced(LogFormat::Text, &line));
        assert_eq!(text_rest(&a), text_rest(&b));
        // The timestamp has tracing's shape: RFC 3339, microseconds, Z.
        let ts = a.split_once(' ').unwrap().0;
        assert_eq!(ts.len(), "2026-12-07T04:05:50.123456Z".len(), "{a}");
        assert_eq!(&ts[10..11], "T");
    }
}

#[test]
fn json_lines_match_tracing() {
    for line in lines() {
        let parse = |s: &str| -> serde_json::Map<String, serde_json::Value> {
            let mut v: serde_json::Map<_, _> = serde_json::from_str(s.trim_end()).unwrap();
            assert!(v.remove("timestamp").is_some());
            v
        };
        let (a, b) = (ours(LogFormat::Json, &line), traced(LogFormat::Json, &line));
        assert_eq!(parse(&a), parse(&b), "{a}\n{b}");
    }
}

#[test]
fn dates_are_utc_calendar_days() {
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(19_723), (2024, 1, 1));
    assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    assert_eq!(civil_from_days(20_794), (2026, 12, 7));
    let mut c = Clock::default();
    assert_eq!(c.date(1_796_615_150), b"2026-12-07T03:45:50");
}
