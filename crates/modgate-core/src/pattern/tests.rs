//! Tables ported from Go's src/path/match_test.go and x/mod's
//! TestMatchPrefixPatterns (with go-modules.md §2.8's vectors); the extra rows
//! were checked against Go's path.Match and module.MatchPrefixPatterns.

use super::*;

/// Go's src/path/match_test.go matchTests: (pattern, name, Ok(matched) or Err).
const MATCH_TESTS: &[(&str, &str, Result<bool, BadPattern>)] = &[
    ("abc", "abc", Ok(true)),
    ("*", "abc", Ok(true)),
    ("*c", "abc", Ok(true)),
    ("a*", "a", Ok(true)),
    ("a*", "abc", Ok(true)),
    ("a*", "ab/c", Ok(false)),
    ("a*/b", "abc/b", Ok(true)),
    ("a*/b", "a/c/b", Ok(false)),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", Ok(true)),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Ok(true)),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Ok(false)),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Ok(false)),
    ("a*b?c*x", "abxbbxdbxebxczzx", Ok(true)),
    ("a*b?c*x", "abxbbxdbxebxczzy", Ok(false)),
    ("ab[c]", "abc", Ok(true)),
    ("ab[b-d]", "abc", Ok(true)),
    ("ab[e-g]", "abc", Ok(false)),
    ("ab[^c]", "abc", Ok(false)),
    ("ab[^b-d]", "abc", Ok(false)),
    ("ab[^e-g]", "abc", Ok(true)),
    ("a\\*b", "a*b", Ok(true)),
    ("a\\*b", "ab", Ok(false)),
    ("a?b", "a☺b", Ok(true)),
    ("a[^a]b", "a☺b", Ok(true)),
    ("a???b", "a☺b", Ok(false)),
    ("a[^a][^a][^a]b", "a☺b", Ok(false)),
    ("[a-ζ]*", "α", Ok(true)),
    ("*[a-ζ]", "A", Ok(false)),
    ("a?b", "a/b", Ok(false)),
    ("a*b", "a/b", Ok(false)),
    ("[\\]a]", "]", Ok(true)),
    ("[\\-]", "-", Ok(true)),
    ("[x\\-]", "x", Ok(true)),
    ("[x\\-]", "-", Ok(true)),
    ("[x\\-]", "z", Ok(false)),
    ("[\\-x]", "x", Ok(true)),
    ("[\\-x]", "-", Ok(true)),
    ("[\\-x]", "a", Ok(false)),
    ("[]a]", "]", Err(BadPattern)),
    ("[-]", "-", Err(BadPattern)),
    ("[x-]", "x", Err(BadPattern)),
    ("[x-]", "-", Err(BadPattern)),
    ("[x-]", "z", Err(BadPattern)),
    ("[-x]", "x", Err(BadPattern)),
    ("[-x]", "-", Err(BadPattern)),
    ("[-x]", "a", Err(BadPattern)),
    ("\\", "a", Err(BadPattern)),
    ("[a-b-c]", "a", Err(BadPattern)),
    ("[", "a", Err(BadPattern)),
    ("[^", "a", Err(BadPattern)),
    ("[^bc", "a", Err(BadPattern)),
    ("a[", "a", Err(BadPattern)),
    ("a[", "ab", Err(BadPattern)),
    ("a[", "x", Err(BadPattern)),
    ("a/b[", "x", Err(BadPattern)),
    ("*x", "xxx", Ok(true)),
    // Beyond Go's table (expected values from Go's path.Match).
    ("", "", Ok(true)),
    ("", "a", Ok(false)),
    ("*", "", Ok(true)),
    ("**", "a/b", Ok(false)),
    ("*/*", "a/b", Ok(true)),
    ("?", "", Ok(false)),
    ("?", "é", Ok(true)),
    ("??", "é", Ok(false)),
    ("é", "é", Ok(true)),
    ("[é]", "é", Ok(true)),
    ("[^é]", "e", Ok(true)),
    ("a*", "b[", Ok(false)),
    ("x*[", "xa", Err(BadPattern)),
    ("x\\", "x", Err(BadPattern)),
    ("[*]", "*", Ok(true)),
    ("[*]x*", "*xyz", Ok(true)),
    ("a\\", "b", Err(BadPattern)), // a trailing lone backslash is always reported
    ("a*\\", "ab", Err(BadPattern)),
    ("\\\\", "\\", Ok(true)),
    ("[\\\\]", "\\", Ok(true)),
    ("[a-]", "a", Err(BadPattern)),
    ("[a\\", "a", Err(BadPattern)),
    ("[", "", Err(BadPattern)),
    ("a[b", "", Err(BadPattern)),
    ("*.go", "main.go", Ok(true)),
    ("*.go", "cmd/main.go", Ok(false)),
    ("rsc.io/*", "rsc.io/quote", Ok(true)),
];

#[test]
fn path_match_table() {
    for &(pattern, name, want) in MATCH_TESTS {
        assert_eq!(
            path_match(pattern, name),
            want,
            "path_match({pattern:?}, {name:?})"
        );
    }
    assert_eq!(BadPattern.to_string(), "syntax error in pattern");
}

/// x/mod module_test.go's TestMatchPrefixPatterns and the go-modules.md §2.8
/// vectors: (globs, target, matched).
const PREFIX_TESTS: &[(&str, &str, bool)] = &[
    ("*/quote", "rsc.io/quote", true),
    ("*/quo", "rsc.io/quote", false),
    ("*/quo??", "rsc.io/quote", true),
    ("*/quo*", "rsc.io/quote", true),
    ("*quo*", "rsc.io/quote", false),
    ("rsc.io", "rsc.io/quote", true),
    ("*.io", "rsc.io/quote", true),
    // One trailing slash is ignored (older x/mod said false here).
    ("rsc.io/", "rsc.io/quote", true),
    ("rsc", "rsc.io/quote", false),
    ("rsc*", "rsc.io/quote", true),
    ("rsc.io", "rsc.io/quote/v3", true),
    ("*/quote", "rsc.io/quote/v3", true),
    ("*/quote/*", "rsc.io/quote/v3", true),
    ("*/v3", "rsc.io/quote/v3", false),
    ("*/*/v3", "rsc.io/quote/v3", true),
    ("*/*/*", "rsc.io/quote/v3", true),
    ("*/*/*", "rsc.io/quote", false),
    ("*/*/*,,", "rsc.io/quote", false),
    ("*/*/*,,*/quote", "rsc.io/quote", true),
    (",,*/quote", "rsc.io/quote", true),
    ("/", "rsc.io/quote", false),
    ("", "rsc.io/quote", false),
    // Beyond those tables.
    ("rsc.io//", "rsc.io/quote", false),
    (" rsc.io", "rsc.io/quote", false),
    ("rsc.io ,x", "rsc.io/quote", false),
    ("[,rsc.io", "rsc.io/quote", true),
    ("[", "rsc.io/quote", false),
    ("rsc.io/quote/v3/extra", "rsc.io/quote/v3", false),
    ("rsc.io/quote/v3", "rsc.io/quote/v3", true),
    ("*", "rsc.io/quote", true),
    ("*", "", true),
    ("x", "", false),
    ("github.com/Org", "github.com/Org/repo", true),
    ("github.com/org", "github.com/Org/repo", false),
    (
        "*.corp.example.com,rsc.io/private",
        "git.corp.example.com/x",
        true,
    ),
    (
        "*.corp.example.com,rsc.io/private",
        "rsc.io/private/sub",
        true,
    ),
    ("*.corp.example.com,rsc.io/private", "rsc.io/public", false),
];

#[test]
fn match_prefix_patterns_table() {
    for &(globs, target, want) in PREFIX_TESTS {
        assert_eq!(
            match_prefix_patterns(globs, target),
            want,
            "match_prefix_patterns({globs:?}, {target:?})"
        );
    }
}
