//! Token parsing and resolution, credential extraction, and the access rules.

use super::*;
use axum::http::HeaderValue;

const CI: &str = "ci-token-0123456789abcdef";
const DEV: &str = "dev-token-fedcba9876543210";

fn hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn tok(name: &str, modules: &str) -> TokenConfig {
    TokenConfig {
        name: name.into(),
        sha256: None,
        env: None,
        file: None,
        modules: modules.into(),
    }
}

fn access(public: PublicAccess) -> Access {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dev.token");
    std::fs::write(&file, format!("{DEV}\n")).unwrap();
    let tokens = [
        TokenConfig {
            sha256: Some(hex(CI).to_ascii_uppercase()),
            ..tok("ci", "git.corp.example/*,corp.example/tools")
        },
        TokenConfig {
            file: Some(file),
            ..tok("dev", "corp.example/tools")
        },
        TokenConfig {
            env: Some("PUBLIC_ONLY".into()),
            ..tok("public-only", "")
        },
    ];
    Access::new(&tokens, "git.corp.example,corp.example", public, |v| {
        (v == "PUBLIC_ONLY").then(|| "public-only-token-xyz".to_owned())
    })
    .unwrap()
}

fn headers(auth: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::AUTHORIZATION, HeaderValue::from_str(auth).unwrap());
    h
}

fn basic(user: &str, pass: &str) -> HeaderMap {
    let b = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    headers(&format!("Basic {b}"))
}

#[test]
fn credentials_from_basic_and_bearer() {
    let a = access(PublicAccess::Open);
    assert_eq!(a.caller(&HeaderMap::new()), Caller::Anonymous);
    // What go sends from `.netrc`: any login, the token as password.
    assert_eq!(a.caller(&basic("x", CI)), Caller::Token(0));
    assert_eq!(a.caller(&basic("someone", DEV)), Caller::Token(1));
    // The token as the user name with an empty password (GitHub style).
    assert_eq!(a.caller(&basic(CI, "")), Caller::Token(0));
    assert_eq!(
        a.caller(&headers(&format!("Bearer {CI}"))),
        Caller::Token(0)
    );
    assert_eq!(
        a.caller(&headers(&format!("bearer  {DEV} "))),
        Caller::Token(1)
    );
    assert_eq!(
        a.caller(&headers("Bearer public-only-token-xyz")),
        Caller::Token(2)
    );
    // Wrong secrets, and shapes that carry none.
    assert_eq!(
        a.caller(&basic("x", "nope-nope-nope-nope")),
        Caller::Invalid
    );
    assert_eq!(a.caller(&basic(CI, "wrong")), Caller::Invalid);
    assert_eq!(a.caller(&headers("Bearer x")), Caller::Invalid);
    assert_eq!(a.caller(&headers("Basic !!!notbase64")), Caller::Anonymous);
    assert_eq!(a.caller(&headers("Digest abc")), Caller::Anonymous);
    assert_eq!(a.caller(&headers("Bearer")), Caller::Anonymous);
    assert_eq!(a.caller(&basic("", "")), Caller::Anonymous);
    // Logs see names only.
    assert_eq!(a.label(Caller::Token(0)), "ci");
    assert_eq!(a.label(Caller::Anonymous), "-");
    assert_eq!(a.label(Caller::Invalid), "(invalid)");
}

#[test]
fn private_paths_need_a_token_that_covers_them() {
    let a = access(PublicAccess::Open);
    let (ci, dev, public_only) = (Caller::Token(0), Caller::Token(1), Caller::Token(2));
    for c in [Caller::Anonymous, Caller::Invalid, ci, dev, public_only] {
        assert_eq!(a.module(c, "golang.org/x/text"), Decision::Allow, "{c:?}");
        assert_eq!(a.other(c), Decision::Allow, "{c:?}");
    }
    for c in [Caller::Anonymous, Caller::Invalid, public_only] {
        assert_eq!(a.module(c, "git.corp.example/team/lib"), Decision::Hidden);
        assert_eq!(a.module(c, "corp.example/tools/v2"), Decision::Hidden);
    }
    assert_eq!(a.module(ci, "git.corp.example/team/lib"), Decision::Allow);
    assert_eq!(a.module(ci, "corp.example/tools/v2"), Decision::Allow);
    assert_eq!(a.module(dev, "corp.example/tools/v2"), Decision::Allow);
    // dev's patterns do not reach this one.
    assert_eq!(a.module(dev, "git.corp.example/team/lib"), Decision::Hidden);
    assert_eq!(a.module(ci, "corp.example/other"), Decision::Hidden);
    assert!(a.personal("corp.example/x"));
    assert!(!a.personal("golang.org/x/text"));
}

#[test]
fn token_mode_asks_everyone_without_a_valid_token_for_one() {
    let a = access(PublicAccess::Token);
    for c in [Caller::Anonymous, Caller::Invalid] {
        // The same 401 for public and private paths: the patterns cannot be probed.
        assert_eq!(a.module(c, "golang.org/x/text"), Decision::Unauthorized);
        assert_eq!(a.module(c, "git.corp.example/a"), Decision::Unauthorized);
        assert_eq!(a.other(c), Decision::Unauthorized);
    }
    let public_only = Caller::Token(2);
    assert_eq!(a.module(public_only, "golang.org/x/text"), Decision::Allow);
    assert_eq!(a.other(public_only), Decision::Allow);
    assert_eq!(
        a.module(public_only, "git.corp.example/a"),
        Decision::Hidden
    );
    assert_eq!(
        a.module(Caller::Token(0), "git.corp.example/a"),
        Decision::Allow
    );
    assert!(a.personal("golang.org/x/text"));
}

#[test]
fn token_entries_are_checked_and_errors_never_show_secrets() {
    let none = |_: &str| None;
    let err = |tokens: &[TokenConfig]| {
        Access::new(tokens, "", PublicAccess::Open, |v| {
            (v == "SHORT").then(|| "short".to_owned())
        })
        .err()
        .unwrap()
    };
    assert!(err(&[tok("ci", "x")]).contains("exactly one way"));
    let both = TokenConfig {
        sha256: Some(hex(CI)),
        env: Some("X".into()),
        ..tok("ci", "")
    };
    assert!(err(&[both]).contains("exactly one way"));
    let bad_hex = TokenConfig {
        sha256: Some("+f".repeat(32)),
        ..tok("ci", "")
    };
    assert!(err(&[bad_hex]).contains("64 hex digits"));
    let unset = TokenConfig {
        env: Some("MISSING".into()),
        ..tok("ci", "")
    };
    assert!(err(&[unset]).contains("MISSING is not set"));
    let short = TokenConfig {
        env: Some("SHORT".into()),
        ..tok("ci", "")
    };
    let e = err(&[short]);
    assert!(e.contains("shorter than 16"), "{e}");
    assert!(!e.contains("short\""), "{e}");
    let missing_file = TokenConfig {
        file: Some("/nonexistent/modgate.token".into()),
        ..tok("ci", "")
    };
    assert!(err(&[missing_file]).contains("/nonexistent/modgate.token"));
    let with_hex = |name: &str, secret: &str| TokenConfig {
        sha256: Some(hex(secret)),
        ..tok(name, "")
    };
    assert!(err(&[with_hex("bad name", CI)]).contains("name"));
    assert!(err(&[with_hex("a", CI), with_hex("a", DEV)]).contains("used twice"));
    let e = err(&[with_hex("a", CI), with_hex("b", CI)]);
    assert!(e.contains("same secret") && !e.contains(CI), "{e}");
    assert!(Access::new(&[with_hex("a", CI)], "", PublicAccess::Open, none).is_ok());
}

#[test]
fn public_access_values() {
    assert_eq!(PublicAccess::parse("open"), Some(PublicAccess::Open));
    assert_eq!(PublicAccess::parse(" token "), Some(PublicAccess::Token));
    assert_eq!(PublicAccess::parse("closed"), None);
    assert_eq!(PublicAccess::default(), PublicAccess::Open);
}
