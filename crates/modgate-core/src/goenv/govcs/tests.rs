//! GOVCS tests: the rule table and parse errors of Go's
//! `cmd/go/internal/vcs/vcs_test.go` (`govcsTests`, `govcsErrors`), plus the
//! defaults and the refusal text of `checkGOVCS`.

use super::*;

/// (GOVCS, path, vcs, allowed); paths starting `is-private` are private.
const ALLOW: &[(&str, &str, &str, bool)] = &[
    ("private:all", "is-public.com/foo", "zzz", false),
    ("private:all", "is-private.com/foo", "zzz", true),
    ("public:all", "is-public.com/foo", "zzz", true),
    ("public:all", "is-private.com/foo", "zzz", false),
    ("public:all,private:none", "is-public.com/foo", "zzz", true),
    (
        "public:all,private:none",
        "is-private.com/foo",
        "zzz",
        false,
    ),
    ("*:all", "is-public.com/foo", "zzz", true),
    ("golang.org:git", "golang.org/x/text", "zzz", false),
    ("golang.org:git", "golang.org/x/text", "git", true),
    ("golang.org:zzz", "golang.org/x/text", "zzz", true),
    ("golang.org:zzz", "golang.org/x/text", "git", false),
    ("golang.org:zzz", "golang.org/x/text", "zzz", true),
    ("golang.org:zzz", "golang.org/x/text", "git", false),
    ("golang.org:git|hg", "golang.org/x/text", "hg", true),
    ("golang.org:git|hg", "golang.org/x/text", "git", true),
    ("golang.org:git|hg", "golang.org/x/text", "zzz", false),
    ("golang.org:all", "golang.org/x/text", "hg", true),
    ("golang.org:all", "golang.org/x/text", "git", true),
    ("golang.org:all", "golang.org/x/text", "zzz", true),
    (
        "other.xyz/p:none,golang.org/x:git",
        "other.xyz/p/x",
        "git",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:git",
        "unexpected.com",
        "git",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:git",
        "golang.org/x/text",
        "zzz",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:git",
        "golang.org/x/text",
        "git",
        true,
    ),
    (
        "other.xyz/p:none,golang.org/x:zzz",
        "golang.org/x/text",
        "zzz",
        true,
    ),
    (
        "other.xyz/p:none,golang.org/x:zzz",
        "golang.org/x/text",
        "git",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:git|hg",
        "golang.org/x/text",
        "hg",
        true,
    ),
    (
        "other.xyz/p:none,golang.org/x:git|hg",
        "golang.org/x/text",
        "git",
        true,
    ),
    (
        "other.xyz/p:none,golang.org/x:git|hg",
        "golang.org/x/text",
        "zzz",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:all",
        "golang.org/x/text",
        "hg",
        true,
    ),
    (
        "other.xyz/p:none,golang.org/x:all",
        "golang.org/x/text",
        "git",
        true,
    ),
    (
        "other.xyz/p:none,golang.org/x:all",
        "golang.org/x/text",
        "zzz",
        true,
    ),
    (
        "other.xyz/p:none,golang.org/x:git",
        "golang.org/y/text",
        "zzz",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:git",
        "golang.org/y/text",
        "git",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:zzz",
        "golang.org/y/text",
        "zzz",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:zzz",
        "golang.org/y/text",
        "git",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:git|hg",
        "golang.org/y/text",
        "hg",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:git|hg",
        "golang.org/y/text",
        "git",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:git|hg",
        "golang.org/y/text",
        "zzz",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:all",
        "golang.org/y/text",
        "hg",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:all",
        "golang.org/y/text",
        "git",
        false,
    ),
    (
        "other.xyz/p:none,golang.org/x:all",
        "golang.org/y/text",
        "zzz",
        false,
    ),
];

/// (GOVCS, error text it must contain).
const ERRORS: &[(&str, &str)] = &[
    (r#","#, r#"empty entry in GOVCS"#),
    (r#",x"#, r#"empty entry in GOVCS"#),
    (r#"x,"#, r#"malformed entry in GOVCS (missing colon): "x""#),
    (r#"x:y,"#, r#"empty entry in GOVCS"#),
    (r#"x"#, r#"malformed entry in GOVCS (missing colon): "x""#),
    (r#"x:"#, r#"empty VCS list in GOVCS: "x:""#),
    (r#"x:|"#, r#"empty VCS name in GOVCS: "x:|""#),
    (r#"x:y|"#, r#"empty VCS name in GOVCS: "x:y|""#),
    (r#"x:|y"#, r#"empty VCS name in GOVCS: "x:|y""#),
    (r#"x:y,z:"#, r#"empty VCS list in GOVCS: "z:""#),
    (r#"x:y,z:|"#, r#"empty VCS name in GOVCS: "z:|""#),
    (r#"x:y,z:|w"#, r#"empty VCS name in GOVCS: "z:|w""#),
    (r#"x:y,z:w|"#, r#"empty VCS name in GOVCS: "z:w|""#),
    (r#"x:y,z:w||v"#, r#"empty VCS name in GOVCS: "z:w||v""#),
    (
        r#"x:y,x:z"#,
        r#"unreachable pattern in GOVCS: "x:z" after "x:y""#,
    ),
];

#[test]
fn go_allow_table() {
    for &(govcs, path, vcs, ok) in ALLOW {
        let cfg = Govcs::parse(govcs).unwrap_or_else(|e| panic!("parse {govcs:?}: {e}"));
        let private = path.starts_with("is-private");
        assert_eq!(
            cfg.allow(path, private, vcs),
            ok,
            "GOVCS={govcs} allow({path}, {private}, {vcs})"
        );
    }
}

#[test]
fn go_parse_errors() {
    for &(s, want) in ERRORS {
        let e = Govcs::parse(s).unwrap_err();
        assert!(e.to_string().contains(want), "{s:?}: {e}, want {want}");
    }
    assert_eq!(
        Govcs::parse(":git").unwrap_err().to_string(),
        r#"empty pattern in GOVCS: ":git""#
    );
    assert_eq!(
        Govcs::parse("./x:git").unwrap_err().to_string(),
        r#"relative pattern not allowed in GOVCS: "./x""#
    );
    // Spaces around entries, patterns and names are trimmed.
    assert!(Govcs::parse(" a.com : git | hg , b.com:all ").is_ok());
}

#[test]
fn defaults_and_check() {
    let d = Govcs::default();
    assert_eq!(Govcs::setting("").unwrap(), d);
    assert_eq!(Govcs::setting("  ").unwrap(), d);
    // Go's parseGOVCS alone has no rules for "", so it allows nothing.
    assert!(
        !Govcs::parse("")
            .unwrap()
            .allow("example.org/x", false, "git")
    );
    let priv_pat = "corp.example,*.internal";
    assert!(d.check("git", "github.com/a/b", priv_pat).is_ok());
    assert!(d.check("hg", "example.org/x", priv_pat).is_ok());
    assert!(d.check("svn", "corp.example/x", priv_pat).is_ok());
    assert!(d.check("fossil", "h.internal/x", priv_pat).is_ok());
    assert!(d.check("mod", "anything.example/x", priv_pat).is_ok());
    let e = d.check("svn", "example.org/x", priv_pat).unwrap_err();
    assert_eq!(
        e.to_string(),
        "GOVCS disallows using svn for public example.org/x; see 'go help vcs'"
    );
    // User rules come before the defaults; `off` allows nothing.
    let g = Govcs::setting("corp.example:off,public:git").unwrap();
    assert_eq!(
        g.check("git", "corp.example/x", priv_pat)
            .unwrap_err()
            .to_string(),
        "GOVCS disallows using git for private corp.example/x; see 'go help vcs'"
    );
    assert!(g.check("hg", "example.org/x", priv_pat).is_err());
    assert!(g.check("svn", "h.internal/x", priv_pat).is_ok());
    // `mod` needs no VCS and is never refused.
    assert!(g.check("mod", "corp.example/x", priv_pat).is_ok());
}
