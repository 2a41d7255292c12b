//! Tables ported from golang.org/x/mod's semver/semver_test.go (the same
//! derived expectations for Major, MajorMinor, Prerelease, Build, Compare and
//! Max), plus huge-number and malformed-version cases checked against x/mod.

use super::*;
use std::cmp::Ordering::{Equal, Greater, Less};

/// semver_test.go's `tests`: (input, canonical form or "" if invalid), in
/// increasing precedence order (entries with equal canonical forms are equal).
const TESTS: &[(&str, &str)] = &[
    ("bad", ""),
    ("v1-alpha.beta.gamma", ""),
    ("v1-pre", ""),
    ("v1+meta", ""),
    ("v1-pre+meta", ""),
    ("v1.2-pre", ""),
    ("v1.2+meta", ""),
    ("v1.2-pre+meta", ""),
    ("v1.0.0-alpha", "v1.0.0-alpha"),
    ("v1.0.0-alpha.1", "v1.0.0-alpha.1"),
    ("v1.0.0-alpha.beta", "v1.0.0-alpha.beta"),
    ("v1.0.0-beta", "v1.0.0-beta"),
    ("v1.0.0-beta.2", "v1.0.0-beta.2"),
    ("v1.0.0-beta.11", "v1.0.0-beta.11"),
    ("v1.0.0-rc.1", "v1.0.0-rc.1"),
    ("v1", "v1.0.0"),
    ("v1.0", "v1.0.0"),
    ("v1.0.0", "v1.0.0"),
    ("v1.2", "v1.2.0"),
    ("v1.2.0", "v1.2.0"),
    ("v1.2.3-456", "v1.2.3-456"),
    ("v1.2.3-456.789", "v1.2.3-456.789"),
    ("v1.2.3-456-789", "v1.2.3-456-789"),
    ("v1.2.3-456a", "v1.2.3-456a"),
    ("v1.2.3-pre", "v1.2.3-pre"),
    ("v1.2.3-pre+meta", "v1.2.3-pre"),
    ("v1.2.3-pre.1", "v1.2.3-pre.1"),
    ("v1.2.3-zzz", "v1.2.3-zzz"),
    ("v1.2.3", "v1.2.3"),
    ("v1.2.3+meta", "v1.2.3"),
    ("v1.2.3+meta-pre", "v1.2.3"),
    ("v1.2.3+meta-pre.sha.256a", "v1.2.3"),
];

#[test]
fn is_valid_and_canonical() {
    for &(input, want) in TESTS {
        assert_eq!(is_valid(input), !want.is_empty(), "is_valid({input:?})");
        assert_eq!(canonical(input), want, "canonical({input:?})");
    }
}

#[test]
fn major_table() {
    // As in semver_test.go: the canonical form up to its first dot.
    for &(input, out) in TESTS {
        let want = out.split_once('.').map_or("", |(m, _)| m);
        assert_eq!(major(input), want, "major({input:?})");
    }
}

#[test]
fn major_minor_table() {
    // As in semver_test.go: the input without suffixes, cut or padded to two parts.
    for &(input, out) in TESTS {
        let want = if out.is_empty() {
            String::new()
        } else {
            let mut w = input.split('+').next().unwrap_or("");
            w = w.split('-').next().unwrap_or("");
            match w.matches('.').count() {
                0 => format!("{w}.0"),
                1 => w.to_owned(),
                _ => w[..w.rfind('.').unwrap_or(w.len())].to_owned(),
            }
        };
        assert_eq!(major_minor(input), want, "major_minor({input:?})");
    }
}

#[test]
fn prerelease_and_build_table() {
    for &(input, out) in TESTS {
        let want_pre = if out.is_empty() {
            ""
        } else {
            out.find('-').map_or("", |i| &out[i..])
        };
        assert_eq!(prerelease(input), want_pre, "prerelease({input:?})");
        let want_build = if out.is_empty() {
            ""
        } else {
            input.find('+').map_or("", |i| &input[i..])
        };
        assert_eq!(build(input), want_build, "build({input:?})");
    }
}

#[test]
fn compare_all_pairs() {
    for (i, &(vi, ci)) in TESTS.iter().enumerate() {
        for (j, &(vj, cj)) in TESTS.iter().enumerate() {
            let want = if ci == cj { Equal } else { i.cmp(&j) };
            assert_eq!(compare(vi, vj), want, "compare({vi:?}, {vj:?})");
        }
    }
}

#[test]
fn compare_extra() {
    let cases: &[(&str, &str, std::cmp::Ordering)] = &[
        // semver_test.go's explicit cases.
        ("v1", "v1", Equal),
        ("v2", "v1", Greater),
        ("v1", "v2", Less),
        ("v1.19", "v1.2", Greater),
        // Numbers far past u64 compare by length, then digits.
        (
            "v99999999999999999999999.0.0",
            "v99999999999999999999998.0.0",
            Greater,
        ),
        (
            "v1.0.100000000000000000000",
            "v1.0.99999999999999999999",
            Greater,
        ),
        (
            "v1.0.0-99999999999999999999999",
            "v1.0.0-100000000000000000000000",
            Less,
        ),
        ("v1.0.0-99999999999999999999999", "v1.0.0-a", Less),
        // Build metadata is ignored; +incompatible too.
        ("v2.0.0+incompatible", "v2.0.0", Equal),
        ("v1.0.0+a", "v1.0.0+b", Equal),
        // Invalid versions are below valid ones and equal to each other.
        ("", "v0.0.0", Less),
        ("1.0.0", "bad", Equal),
        ("v01.0.0", "v0.0.0-0", Less),
        // Prerelease identifier rules.
        ("v1.0.0-alpha", "v1.0.0-alpha.0", Less),
        ("v1.0.0-a-b", "v1.0.0-a", Greater),
        ("v1.0.0-A", "v1.0.0-a", Less),
        ("v1.0.0-0", "v1.0.0--", Less),
    ];
    for &(v, w, want) in cases {
        assert_eq!(compare(v, w), want, "compare({v:?}, {w:?})");
        assert_eq!(compare(w, v), want.reverse(), "compare({w:?}, {v:?})");
    }
}

#[test]
fn max_all_pairs() {
    for (i, &(vi, _)) in TESTS.iter().enumerate() {
        for (j, &(vj, _)) in TESTS.iter().enumerate() {
            let want = if i < j { canonical(vj) } else { canonical(vi) };
            assert_eq!(max(vi, vj), want, "max({vi:?}, {vj:?})");
        }
    }
}

#[test]
fn sort_orders_by_precedence_then_string() {
    let mut list: Vec<String> = TESTS.iter().rev().map(|&(v, _)| v.to_owned()).collect();
    list.push("v1.0.0-alpha".to_owned());
    sort(&mut list);
    for w in list.windows(2) {
        assert_ne!(compare_version(&w[0], &w[1]), Greater, "not sorted: {w:?}");
    }
    let head: Vec<&str> = list.iter().take(9).map(String::as_str).collect();
    assert_eq!(
        head,
        [
            "bad",
            "v1+meta",
            "v1-alpha.beta.gamma",
            "v1-pre",
            "v1-pre+meta",
            "v1.2+meta",
            "v1.2-pre",
            "v1.2-pre+meta",
            "v1.0.0-alpha",
        ]
    );
    let tail: Vec<&str> = list.iter().rev().take(4).map(String::as_str).collect();
    assert_eq!(
        tail,
        [
            "v1.2.3+meta-pre.sha.256a",
            "v1.2.3+meta-pre",
            "v1.2.3+meta",
            "v1.2.3"
        ]
    );
}

#[test]
fn validity_edge_cases() {
    let cases: &[(&str, &str)] = &[
        ("", ""),
        ("v", ""),
        ("V1.0.0", ""),
        ("v1.", ""),
        ("v1.0.", ""),
        ("v1.0.0.0", ""),
        ("v01", ""),
        ("v1.00", ""),
        ("v1.0.00", ""),
        ("v0", "v0.0.0"),
        ("v1.0.0-", ""),
        ("v1.0.0+", ""),
        ("v1.0.0-a..b", ""),
        ("v1.0.0-a.", ""),
        ("v1.0.0-01", ""),
        ("v1.0.0-0a", "v1.0.0-0a"),
        ("v1.0.0-00a", "v1.0.0-00a"),
        ("v1.0.0+01", "v1.0.0"),
        ("v1.0.0+a..b", ""),
        ("v1.0.0+a+b", ""),
        ("v1.0.0-a+b-c.d", "v1.0.0-a"),
        ("v1.0.0-é", ""),
        ("v1.0.0 ", ""),
        ("v1.0.0-!", ""),
        (
            "v123456789012345678901234567890.0.0",
            "v123456789012345678901234567890.0.0",
        ),
        ("v2.0.0+incompatible", "v2.0.0"),
    ];
    for &(input, want) in cases {
        assert_eq!(canonical(input), want, "canonical({input:?})");
        assert_eq!(is_valid(input), !want.is_empty(), "is_valid({input:?})");
    }
    assert_eq!(
        major("v123456789012345678901234567890.1.2"),
        "v123456789012345678901234567890"
    );
    assert_eq!(major_minor("v1.0.0-é"), "");
    assert_eq!(major_minor("v3"), "v3.0");
    assert_eq!(major_minor("v3.10.2-pre+b"), "v3.10");
}
