//! Resuming a zip body cut mid-transfer (RFC 9110 §13.1.5, §14).
//!
//! The retry after a cut asks for `Range: bytes=N-` with `If-Range` set to the first
//! response's validator: its ETag when strong, else its Last-Modified when that date
//! is strong (at least a second before the response's Date). A 206 whose
//! Content-Range continues exactly at N of the same total appends; a 200 (the file
//! changed, or ranges are not supported) starts over. A response without a usable
//! validator is not resumed: there is nothing to prove the pieces belong together.

use reqwest::header::{self, HeaderMap};

/// The If-Range value for a response, if it has a strong validator.
pub fn validator(headers: &HeaderMap) -> Option<String> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(etag) = text(header::ETAG)
        && etag.starts_with('"')
        && etag.len() >= 2
        && etag.ends_with('"')
    {
        return Some(etag.to_owned());
    }
    if text(header::ETAG).is_some() {
        // A weak tag: If-Range must not carry it, and a date would not be stronger.
        return None;
    }
    let modified = text(header::LAST_MODIFIED)?;
    let m = httpdate::parse_http_date(modified).ok()?;
    let date = httpdate::parse_http_date(text(header::DATE)?).ok()?;
    let strong = date
        .duration_since(m)
        .is_ok_and(|d| d >= std::time::Duration::from_secs(1));
    strong.then(|| modified.to_owned())
}

/// Whether a 206's Content-Range is exactly `bytes start-(total-1)/total`.
pub fn continues(headers: &HeaderMap, start: u64, total: u64) -> bool {
    let Some(v) = headers
        .get(header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(rest) = v.trim().strip_prefix("bytes ") else {
        return false;
    };
    let Some((range, len)) = rest.split_once('/') else {
        return false;
    };
    let Some((first, last)) = range.split_once('-') else {
        return false;
    };
    let num = |s: &str| s.trim().parse::<u64>().ok();
    num(first) == Some(start) && num(last) == total.checked_sub(1) && num(len) == Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn strong_etag_else_strong_last_modified() {
        let h = headers(&[(header::ETAG, "\"abc\"")]);
        assert_eq!(validator(&h).as_deref(), Some("\"abc\""));
        let weak = headers(&[
            (header::ETAG, "W/\"abc\""),
            (header::LAST_MODIFIED, "Tue, 01 Jul 2025 10:00:00 GMT"),
            (header::DATE, "Tue, 01 Jul 2025 11:00:00 GMT"),
        ]);
        assert_eq!(validator(&weak), None);
        let dated = headers(&[
            (header::LAST_MODIFIED, "Tue, 01 Jul 2025 10:00:00 GMT"),
            (header::DATE, "Tue, 01 Jul 2025 11:00:00 GMT"),
        ]);
        assert_eq!(
            validator(&dated).as_deref(),
            Some("Tue, 01 Jul 2025 10:00:00 GMT")
        );
        // Modified in the second the response was made: not strong.
        let same = headers(&[
            (header::LAST_MODIFIED, "Tue, 01 Jul 2025 10:00:00 GMT"),
            (header::DATE, "Tue, 01 Jul 2025 10:00:00 GMT"),
        ]);
        assert_eq!(validator(&same), None);
        assert_eq!(validator(&HeaderMap::new()), None);
    }

    #[test]
    fn content_range_must_continue_exactly() {
        let h = |v: &str| headers(&[(header::CONTENT_RANGE, v)]);
        assert!(continues(&h("bytes 100-999/1000"), 100, 1000));
        assert!(!continues(&h("bytes 0-999/1000"), 100, 1000));
        assert!(!continues(&h("bytes 100-998/1000"), 100, 1000));
        assert!(!continues(&h("bytes 100-999/*"), 100, 1000));
        assert!(!continues(&h("bytes 100-1999/2000"), 100, 1000));
        assert!(!continues(&HeaderMap::new(), 100, 1000));
    }
}
