//! Configuration: documented defaults, precedence (file < env < flags), error
//! provenance, durations, and docs/configuration.md covering every key.

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect()
}

#[test]
fn defaults_match_the_documented_table() {
    let d = Config::default();
    let mut from_docs = Config::default();
    for k in KEYS {
        if k.default.starts_with('(') {
            continue; // derived defaults
        }
        from_docs.set(k.name, k.default).unwrap();
    }
    assert_eq!(d, from_docs);
    assert_eq!(d.nosumdb_patterns(), "");
}

#[test]
fn precedence_file_then_env_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("modgate.toml");
    std::fs::write(
        &file,
        r#"
listen = "0.0.0.0:8080"
upstream = "https://goproxy.corp.example|https://proxy.golang.org"
private = "git.corp.example"
fresh_for = "2m"
retries = 4
offline = false

[[routes]]
pattern = "git.corp.example/*"
upstream = "https://internal.corp.example"
private = true
"#,
    )
    .unwrap();
    let cfg = Config::load(
        Some(&file),
        env(&[
            ("MODGATE_LISTEN", "127.0.0.1:9000"),
            ("MODGATE_FRESH_FOR", "30s"),
            ("MODGATE_OFFLINE", "true"),
            ("UNRELATED", "x"),
        ]),
        &[
            ("listen", "127.0.0.1:9999".into()),
            ("log_format", "json".into()),
        ],
    )
    .unwrap();
    assert_eq!(cfg.listen, "127.0.0.1:9999", "flags win");
    assert_eq!(cfg.fresh_for, Duration::from_secs(30), "env beats file");
    assert!(cfg.offline);
    assert_eq!(cfg.retries, 4, "file beats defaults");
    assert_eq!(
        cfg.upstream,
        "https://goproxy.corp.example|https://proxy.golang.org"
    );
    assert_eq!(cfg.log_format, LogFormat::Json);
    assert_eq!(
        cfg.nosumdb_patterns(),
        "git.corp.example",
        "nosumdb defaults to private"
    );
    assert_eq!(
        cfg.routes,
        [RouteConfig {
            pattern: "git.corp.example/*".into(),
            upstream: "https://internal.corp.example".into(),
            private: true
        }]
    );
}

#[test]
fn errors_say_where_the_bad_value_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "listn = \"x\"\n").unwrap();
    let e = Config::load(Some(&file), vec![], &[]).unwrap_err();
    assert!(e.0.contains("bad.toml: unknown key \"listn\""), "{e}");
    std::fs::write(&file, "[[routes]]\npattern = \"x\"\n").unwrap();
    let e = Config::load(Some(&file), vec![], &[]).unwrap_err();
    assert!(e.0.contains("routes: missing field `upstream`"), "{e}");
    let e = Config::load(None, env(&[("MODGATE_TIMEOUT", "soon")]), &[]).unwrap_err();
    assert_eq!(
        e.0,
        "environment variable MODGATE_TIMEOUT: timeout: invalid duration \"soon\""
    );
    let e = Config::load(None, vec![], &[("zip_timeout", "10x".into())]).unwrap_err();
    assert_eq!(
        e.0,
        "flag --zip-timeout: zip_timeout: invalid duration \"10x\""
    );
    let e = Config::load(Some(Path::new("/nonexistent/m.toml")), vec![], &[]).unwrap_err();
    assert!(e.0.starts_with("config file /nonexistent/m.toml: "), "{e}");
}

#[test]
fn durations() {
    for (s, want) in [
        ("500ms", Some(Duration::from_millis(500))),
        ("60s", Some(Duration::from_secs(60))),
        ("60", Some(Duration::from_secs(60))),
        ("5m", Some(Duration::from_secs(300))),
        ("1h", Some(Duration::from_secs(3600))),
        ("", None),
        ("s", None),
        ("1d", None),
        ("-1s", None),
        ("99999999999999999999h", None),
    ] {
        assert_eq!(parse_duration(s), want, "{s:?}");
    }
}

#[test]
fn configuration_doc_lists_every_key_with_its_default() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/configuration.md"),
    )
    .expect("docs/configuration.md");
    for k in KEYS {
        let env = format!("MODGATE_{}", k.name.to_ascii_uppercase());
        let flag = format!("--{}", k.name.replace('_', "-"));
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` ", k.name)))
            .unwrap_or_else(|| panic!("docs/configuration.md has no row for {}", k.name));
        // A `|` in a table cell is written `\|` (govcs's default has one).
        let row = row.replace("\\|", "|");
        for want in [env.as_str(), flag.as_str(), k.default] {
            assert!(
                row.contains(want),
                "row for {} lacks {want:?}: {row}",
                k.name
            );
        }
    }
}

#[test]
fn tokens_and_public_access_from_the_file() {
    let mut cfg = Config::default();
    cfg.apply_toml(
        r#"
public_access = "token"

[[tokens]]
name = "ci"
env = "MODGATE_TOKEN_CI"
modules = "git.corp.example"

[[tokens]]
name = "alice"
sha256 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
"#,
    )
    .unwrap();
    assert_eq!(cfg.public_access, crate::access::PublicAccess::Token);
    assert_eq!(cfg.tokens.len(), 2);
    assert_eq!(cfg.tokens[0].env.as_deref(), Some("MODGATE_TOKEN_CI"));
    assert_eq!(cfg.tokens[0].modules, "git.corp.example");
    assert_eq!(cfg.tokens[1].modules, "");
    // No inline secrets, no misspelt fields.
    let e = Config::default()
        .apply_toml("[[tokens]]\nname = \"x\"\nsecret = \"hunter2hunter2hunter2\"\n")
        .unwrap_err();
    assert!(e.0.contains("tokens") && e.0.contains("secret"), "{e}");
    let e = Config::default()
        .apply_toml("public_access = \"closed\"")
        .unwrap_err();
    assert!(e.0.contains("want open or token"), "{e}");
}

/// Every TOML example in the docs is a valid configuration: the keys they mention
/// exist and their values parse.
#[test]
fn toml_examples_in_the_docs_parse() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let mut checked = 0;
    for name in ["configuration.md", "private-modules.md"] {
        let text = std::fs::read_to_string(docs.join(name)).expect(name);
        let mut rest = text.as_str();
        while let Some(start) = rest.find("```toml\n") {
            let body = &rest[start + 8..];
            let end = body.find("```").expect("closed code block");
            let mut cfg = Config::default();
            cfg.apply_toml(&body[..end])
                .unwrap_or_else(|e| panic!("{name}: {e}:\n{}", &body[..end]));
            checked += 1;
            rest = &body[end..];
        }
    }
    assert!(checked >= 5, "only {checked} examples found");
}

#[test]
fn govcs_is_checked_when_set() {
    let mut c = Config::default();
    c.set("govcs", "corp.example:git,public:off").unwrap();
    assert_eq!(c.govcs, "corp.example:git,public:off");
    assert_eq!(
        c.set("govcs", "x:y,x:z").unwrap_err().0,
        r#"govcs: unreachable pattern in GOVCS: "x:z" after "x:y""#
    );
    assert_eq!(
        c.set("govcs", "git").unwrap_err().0,
        r#"govcs: malformed entry in GOVCS (missing colon): "git""#
    );
    // A bad value leaves the last good one.
    assert_eq!(c.govcs, "corp.example:git,public:off");
}
