//! HTTP semantics in isolation: Range parsing (RFC 9110 forms), ETag matching,
//! If-None-Match / If-Modified-Since / If-Range decisions.

use super::*;

#[test]
fn range_parsing() {
    use RangeReq::*;
    let cases: &[(&str, u64, RangeReq)] = &[
        ("bytes=0-9", 100, Part { start: 0, end: 9 }),
        ("bytes=90-", 100, Part { start: 90, end: 99 }),
        ("bytes=-10", 100, Part { start: 90, end: 99 }),
        ("bytes=-1000", 100, Part { start: 0, end: 99 }),
        ("bytes=50-1000", 100, Part { start: 50, end: 99 }),
        ("bytes=99-99", 100, Part { start: 99, end: 99 }),
        ("bytes=100-", 100, Unsatisfiable),
        ("bytes=100-200", 100, Unsatisfiable),
        ("bytes=-0", 100, Unsatisfiable),
        ("bytes=0-", 0, Unsatisfiable),
        ("bytes=-5", 0, Unsatisfiable),
        ("bytes=5-1", 100, Full),
        ("bytes=0-1,5-6", 100, Full),
        ("bytes=a-b", 100, Full),
        ("bytes=+1-2", 100, Full),
        ("items=0-1", 100, Full),
        ("bytes=18446744073709551616-", 100, Full),
    ];
    for (h, size, want) in cases {
        assert_eq!(&parse_range(h, *size), want, "{h} of {size}");
    }
}

#[test]
fn etag_matching() {
    assert!(etag_list_matches("\"a\"", "\"a\""));
    assert!(etag_list_matches("W/\"a\"", "\"a\""));
    assert!(etag_list_matches("\"x\", \"a\"", "\"a\""));
    assert!(etag_list_matches("*", "\"a\""));
    assert!(!etag_list_matches("\"b\"", "\"a\""));
}

fn meta() -> Meta {
    Meta {
        size: 10,
        modified: SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_700_000_000_500),
        etag: "\"e1\"".into(),
    }
}

fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
    }
    h
}

#[test]
fn conditional_requests() {
    let m = meta();
    let lm = httpdate::fmt_http_date(m.modified);
    assert!(not_modified(
        &headers(&[(header::IF_NONE_MATCH, "\"e1\"")]),
        &m
    ));
    assert!(!not_modified(
        &headers(&[(header::IF_NONE_MATCH, "\"e2\"")]),
        &m
    ));
    // The sub-second part of the mtime does not defeat If-Modified-Since.
    assert!(not_modified(
        &headers(&[(header::IF_MODIFIED_SINCE, &lm)]),
        &m
    ));
    assert!(!not_modified(
        &headers(&[(header::IF_MODIFIED_SINCE, "Thu, 01 Jan 1970 00:00:00 GMT")]),
        &m
    ));
    // If-None-Match wins over If-Modified-Since.
    assert!(!not_modified(
        &headers(&[
            (header::IF_NONE_MATCH, "\"e2\""),
            (header::IF_MODIFIED_SINCE, &lm)
        ]),
        &m
    ));

    assert!(if_range_matches(&HeaderMap::new(), &m));
    assert!(if_range_matches(
        &headers(&[(header::IF_RANGE, "\"e1\"")]),
        &m
    ));
    assert!(!if_range_matches(
        &headers(&[(header::IF_RANGE, "\"e0\"")]),
        &m
    ));
    assert!(!if_range_matches(
        &headers(&[(header::IF_RANGE, "W/\"e1\"")]),
        &m
    ));
    assert!(if_range_matches(&headers(&[(header::IF_RANGE, &lm)]), &m));
    assert!(!if_range_matches(
        &headers(&[(header::IF_RANGE, "Thu, 01 Jan 1970 00:00:00 GMT")]),
        &m
    ));
}
