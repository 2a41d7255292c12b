//! Tests ported from x/mod `sumdb/tlog/note_test.go`.

use super::*;
use crate::sumdb::tlog::record_hash;

const GOLDEN_TREE: &str =
    "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";

#[test]
fn format_tree_golden() {
    let tree = Tree {
        n: 123456789012,
        hash: record_hash(b"hello world"),
    };
    assert_eq!(format_tree(&tree), GOLDEN_TREE.as_bytes());
}

#[test]
fn parse_tree_golden_and_bad() {
    let want = Tree {
        n: 123456789012,
        hash: record_hash(b"hello world"),
    };
    assert_eq!(parse_tree(GOLDEN_TREE.as_bytes()), Ok(want));

    let bad = [
        format!("not-{GOLDEN_TREE}"),
        "go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n".into(),
        "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n"
            .into(),
        // Beyond Go's test: leading zero, sign, too few lines, int64 overflow,
        // short hash, oversized text.
        "go.sum database tree\n0123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n".into(),
        "go.sum database tree\n+123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n".into(),
        "go.sum database tree\n-1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n".into(),
        "go.sum database tree\n123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=".into(),
        "go.sum database tree\n9223372036854775808\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"
            .into(),
        "go.sum database tree\n5\nAAAA\n".into(),
        format!("{GOLDEN_TREE}{}", "x".repeat(1_000_000)),
    ];
    for text in &bad {
        assert_eq!(
            parse_tree(text.as_bytes()),
            Err(RecordError::MalformedTree),
            "{:?}",
            &text[..text.len().min(80)]
        );
    }
    assert_eq!(
        RecordError::MalformedTree.to_string(),
        "malformed tree note"
    );

    // Junk after the three lines is ignored.
    for junk in ["JOE".to_string(), "JOE\n".into(), "JOE\n".repeat(1000)] {
        assert_eq!(
            parse_tree(format!("{GOLDEN_TREE}{junk}").as_bytes()),
            Ok(want)
        );
    }
    assert_eq!(
        parse_tree(
            b"go.sum database tree\n9223372036854775807\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"
        )
        .map(|t| t.n),
        Ok(i64::MAX as u64)
    );
}

#[test]
fn format_record_golden_and_bad() {
    let msg = format_record(123456789012, b"hello, world\n").unwrap();
    assert_eq!(msg, b"123456789012\nhello, world\n\n");
    for bad in [
        &b""[..],
        b"hello\nworld",
        b"hello\n\nworld\n",
        b"hello\x01world\n",
        b"hello\xffworld\n",
    ] {
        assert_eq!(
            format_record(1, bad),
            Err(RecordError::MalformedRecord),
            "{bad:?}"
        );
    }
    assert_eq!(
        RecordError::MalformedRecord.to_string(),
        "malformed record data"
    );
    // A lone newline is a valid (if odd) record text in Go too.
    assert_eq!(format_record(7, b"\n").unwrap(), b"7\n\n\n");
}

#[test]
fn parse_record_golden_and_bad() {
    let r = parse_record(b"123456789012\nhello, world\n\njunk on end\x01\xff").unwrap();
    assert_eq!(r.id, 123456789012);
    assert_eq!(r.text, b"hello, world\n");
    assert_eq!(r.rest, b"junk on end\x01\xff");

    let r = parse_record(b"123456789012\nhello, world\n\n").unwrap();
    assert_eq!(
        (r.id, r.text, r.rest),
        (123456789012, &b"hello, world\n"[..], &b""[..])
    );

    // Go's ParseInt accepts a sign; the verifier rejects negative ids later.
    assert_eq!(parse_record(b"-5\nx\n\n").unwrap().id, -5);
    assert_eq!(parse_record(b"+5\nx\n\n").unwrap().id, 5);

    for bad in [
        &b"not-123456789012\nhello, world\n\n"[..],
        b"123\nhello\x01world\n\n",
        b"123\nhello\xffworld\n\n",
        b"123\nhello world\n",
        b"0x123\nhello world\n\n",
        b"123",
        b"\nhello\n\n",
        b"9223372036854775808\nhello\n\n",
        b"123\n\n",
    ] {
        assert_eq!(
            parse_record(bad).unwrap_err(),
            RecordError::MalformedRecord,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}
