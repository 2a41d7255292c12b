//! Configuration: every declared key through file, environment and flag, precedence
//! (flags > env > file > defaults), error provenance, durations, `--print-config`,
//! and the generated keys table of docs/configuration.md.

use super::*;
use std::collections::BTreeMap;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect()
}

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// The documented default of every key parses back to `Config::default()`'s value.
#[test]
fn defaults_match_the_documented_table() {
    let d = Config::default();
    let mut from_docs = Config::default();
    for k in KEYS {
        let text = k.default_text();
        if let Some(value) = text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
            from_docs.set(k.name, value).unwrap();
        } else if text == "(empty)" {
            from_docs.set(k.name, "").unwrap();
        } else {
            assert!(
                k.text(&d).is_none(),
                "{}: a derived default is unset",
                k.name
            );
        }
    }
    assert_eq!(d, from_docs);
    assert_eq!(d.nosumdb_patterns(), "");
    assert_eq!(d.vcs_dir(), Path::new("./modgate-data/.vcs"));
}

/// Each key's example value, set in the TOML file, in `MODGATE_<KEY>` or with the
/// key's flag, reaches the configuration and is attributed to that source.
#[test]
fn every_key_walks_from_file_env_and_flag_into_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("modgate.toml");
    for key in KEYS {
        let mut want = Config::default();
        key.set(&mut want, key.example).unwrap();
        let want_text = key.text(&want);
        assert_ne!(
            want_text,
            key.text(&Config::default()),
            "{}: the example must differ from the default",
            key.name
        );
        let toml_value = key.toml(&want).expect("example sets a value");
        std::fs::write(&file, format!("{} = {toml_value}\n", key.name)).unwrap();

        let by_file = Loaded::load(Some(&file), vec![], &[]).unwrap();
        let by_env = Loaded::load(None, env(&[(&key.env_var(), key.example)]), &[]).unwrap();
        let by_flag = Loaded::load(None, vec![], &[(key.name, key.example.into())]).unwrap();
        for (how, loaded, source) in [
            ("file", &by_file, Source::File(file.clone())),
            ("env", &by_env, Source::Env(key.env_var())),
            ("flag", &by_flag, Source::Flag(format!("--{}", key.flag()))),
        ] {
            assert_eq!(key.text(&loaded.config), want_text, "{} by {how}", key.name);
            assert_eq!(loaded.config, want, "{} by {how}: nothing else", key.name);
            assert_eq!(loaded.source(key.name), &source, "{} by {how}", key.name);
        }
    }
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
retry_backoff = "1s"

[[routes]]
pattern = "git.corp.example/*"
upstream = "https://internal.corp.example"
private = true
"#,
    )
    .unwrap();
    let loaded = Loaded::load(
        Some(&file),
        env(&[
            ("MODGATE_LISTEN", "127.0.0.1:9000"),
            ("MODGATE_FRESH_FOR", "30s"),
            ("MODGATE_OFFLINE", "true"),
            ("MODGATE_RETRY_BACKOFF", "5s"),
            ("UNRELATED", "x"),
        ]),
        &[
            ("listen", "127.0.0.1:9999".into()),
            ("log_format", "json".into()),
        ],
    )
    .unwrap();
    let cfg = &loaded.config;
    assert_eq!(cfg.listen, "127.0.0.1:9999", "flags win");
    assert_eq!(loaded.source("listen"), &Source::Flag("--listen".into()));
    assert_eq!(cfg.fresh_for, Duration::from_secs(30), "env beats file");
    assert_eq!(
        loaded.source("fresh_for"),
        &Source::Env("MODGATE_FRESH_FOR".into())
    );
    assert_eq!(cfg.retry_backoff, Duration::from_secs(5), "env beats file");
    assert!(cfg.offline);
    assert_eq!(cfg.retries, 4, "file beats defaults");
    assert_eq!(loaded.source("retries"), &Source::File(file.clone()));
    assert_eq!(cfg.timeout, Duration::from_secs(60), "default");
    assert_eq!(loaded.source("timeout"), &Source::Default);
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
    assert_eq!(loaded.source("routes"), &Source::File(file.clone()));
    assert_eq!(loaded.source("tokens"), &Source::Default);
    assert_eq!(Config::load(Some(&file), vec![], &[]).unwrap().retries, 4);
}

#[test]
fn errors_say_where_the_bad_value_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "listn = \"x\"\n").unwrap();
    let e = Config::load(Some(&file), vec![], &[]).unwrap_err();
    assert_eq!(
        e.0,
        format!(
            "config file {}: unknown key \"listn\" (did you mean \"listen\"?)",
            file.display()
        )
    );
    std::fs::write(&file, "[[routes]]\npattern = \"x\"\n").unwrap();
    let e = Config::load(Some(&file), vec![], &[]).unwrap_err();
    assert!(e.0.contains("routes: missing field `upstream`"), "{e}");
    std::fs::write(&file, "timeout = [1]\n").unwrap();
    let e = Config::load(Some(&file), vec![], &[]).unwrap_err();
    assert!(
        e.0.ends_with("bad.toml: timeout: want a string, number or boolean, not array"),
        "{e}"
    );
    let e = Config::load(None, env(&[("MODGATE_TIMEOUT", "soon")]), &[]).unwrap_err();
    assert_eq!(
        e.0,
        "environment variable MODGATE_TIMEOUT: timeout \"soon\": invalid duration (write 500ms, 60s, 5m or 1h)"
    );
    let e = Config::load(None, vec![], &[("zip_timeout", "10x".into())]).unwrap_err();
    assert_eq!(
        e.0,
        "flag --zip-timeout: zip_timeout \"10x\": invalid duration (write 500ms, 60s, 5m or 1h)"
    );
    let e = Config::load(None, vec![], &[("retries", "-1".into())]).unwrap_err();
    assert_eq!(
        e.0,
        "flag --retries: retries \"-1\": want a whole number from 0 to 4294967295"
    );
    let e = Config::load(Some(Path::new("/nonexistent/m.toml")), vec![], &[]).unwrap_err();
    assert!(e.0.starts_with("config file /nonexistent/m.toml: "), "{e}");
}

/// Upstream lists and the checksum database are checked when loaded, not first
/// when the server starts, so the error can say where the value came from.
#[test]
fn upstream_and_sumdb_are_checked_at_load() {
    let e = Config::load(None, env(&[("MODGATE_UPSTREAM", "bogus")]), &[]).unwrap_err();
    assert!(
        e.0.starts_with("environment variable MODGATE_UPSTREAM: upstream \"bogus\": "),
        "{e}"
    );
    // A password in a bad list is masked in the error too.
    let e = Config::load(
        None,
        vec![],
        &[("upstream", "https://ci:s3cret@proxy.example,ftp://x".into())],
    )
    .unwrap_err();
    assert!(e.0.starts_with("flag --upstream: upstream "), "{e}");
    assert!(!e.0.contains("s3cret"), "{e}");
    // Offline, the upstreams are never called: any list is accepted, as before.
    let cfg = Config::load(
        None,
        env(&[("MODGATE_UPSTREAM", "bogus"), ("MODGATE_OFFLINE", "1")]),
        &[],
    )
    .unwrap();
    assert_eq!(cfg.upstream, "bogus");
    // A route's list names the route and the file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.toml");
    std::fs::write(
        &file,
        "[[routes]]\npattern = \"corp.example\"\nupstream = \"gopher://x.example\"\n",
    )
    .unwrap();
    let e = Config::load(Some(&file), vec![], &[]).unwrap_err();
    assert!(
        e.0.starts_with(&format!(
            "config file {}: route \"corp.example\": upstream \"gopher://x.example\": ",
            file.display()
        )),
        "{e}"
    );
    let e = Config::load(None, vec![], &[("sumdb", "sum.golang.org ::bad".into())]).unwrap_err();
    assert!(
        e.0.starts_with("flag --sumdb: sumdb \"sum.golang.org ::bad\": invalid GOSUMDB URL"),
        "{e}"
    );
    let e = Config::load(None, env(&[("MODGATE_SUMDB", "a b c")]), &[]).unwrap_err();
    assert_eq!(
        e.0,
        "environment variable MODGATE_SUMDB: sumdb \"a b c\": invalid GOSUMDB: too many fields"
    );
}

/// `MODGATE_` variables that are not settings are errors, except modgate's
/// other variables and the token secrets.
#[test]
fn unknown_modgate_variables_are_errors() {
    let e = Config::load(None, env(&[("MODGATE_LISTN", "x")]), &[]).unwrap_err();
    assert!(
        e.0.starts_with(
            "environment variable MODGATE_LISTN: not a setting of modgate serve (did you mean MODGATE_LISTEN? "
        ),
        "{e}"
    );
    let e = Config::load(None, env(&[("MODGATE_FOO", "x")]), &[]).unwrap_err();
    assert!(
        e.0.starts_with(
            "environment variable MODGATE_FOO: not a setting of modgate serve (the settings"
        ),
        "{e}"
    );
    // Not settings, and allowed.
    let fine = env(&[
        ("MODGATE_CONFIG", "/nonexistent"),
        ("MODGATE_REQUIRE_GO", "1"),
        ("MODGATE_SHARED", "/x"),
        ("MODGATE_HOSTS", "/x"),
        ("MODGATE_TOKEN_CI", "0123456789abcdef0123"),
        ("MODGATE_TEST_CHILD_ADDR", "x"),
        ("GOPROXY", "x"),
    ]);
    assert_eq!(Config::load(None, fine, &[]).unwrap(), Config::default());
    // A variable a token names is the token's secret, whatever it is called.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.toml");
    std::fs::write(
        &file,
        "[[tokens]]\nname = \"ci\"\nenv = \"MODGATE_CI_SECRET\"\n",
    )
    .unwrap();
    Config::load(
        Some(&file),
        env(&[("MODGATE_CI_SECRET", "0123456789abcdef0123")]),
        &[],
    )
    .unwrap();
    assert!(Config::load(None, env(&[("MODGATE_CI_SECRET", "x")]), &[]).is_err());
}

/// Every `MODGATE_` variable the repository's code, scripts and docs use is a
/// setting or one of the allowed others: a new test or tool variable must be added
/// to `NOT_SETTINGS` (and so to the docs), or `modgate serve` would refuse to run
/// under it.
#[test]
fn every_modgate_variable_in_the_repository_is_a_setting_or_allowed() {
    fn scan(dir: &Path, found: &mut BTreeMap<String, PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name();
            if name == "target" || name.to_string_lossy().starts_with('.') && name != ".ci" {
                continue;
            }
            if path.is_dir() {
                scan(&path, found);
            } else if path.ends_with("modgate-server/src/config/tests.rs") {
                // This file's made-up variables for the error tests.
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let mut rest = text.as_str();
                while let Some(i) = rest.find("MODGATE_") {
                    let tail = &rest[i..];
                    let end = tail
                        .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
                        .unwrap_or(tail.len());
                    let var = &tail[..end];
                    // `MODGATE_` alone or a prefix (`MODGATE_TEST_CHILD_`) written in prose,
                    // or preceded by a letter (`BENCH_MODGATE_PORT`).
                    let glued =
                        rest[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
                    if !var.ends_with('_') && !glued {
                        found.entry(var.to_owned()).or_insert(path.clone());
                    }
                    rest = &tail[end.max(1)..];
                }
            }
        }
    }
    let mut found = BTreeMap::new();
    for dir in [
        "crates", "scripts", "bench", ".ci", "docs", "examples", "tools",
    ] {
        scan(&repo_file(dir), &mut found);
    }
    assert!(found.contains_key("MODGATE_REQUIRE_GO"), "the scan works");
    // Words that look like variables but are not.
    found.remove("MODGATE_BIN"); // bench/gen_serve_data.py's usage: an argument
    let keys: Vec<String> = KEYS.iter().map(|k| k.env_var()).collect();
    let stray: Vec<_> = found
        .iter()
        .filter(|(v, _)| !keys.contains(v) && !is_other_variable(v))
        .collect();
    assert!(
        stray.is_empty(),
        "MODGATE_ variables that are neither settings nor in NOT_SETTINGS (config/source.rs): {stray:?}"
    );
}

#[test]
fn data_dir_errors_name_the_setting_and_what_is_in_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x");
    std::fs::write(&file, "").unwrap();
    for (data, blocker) in [(file.clone(), &file), (file.join("y"), &file)] {
        let loaded = Loaded::load(None, vec![], &[("data", data.display().to_string())]).unwrap();
        let e = loaded.create_data_dir().unwrap_err();
        let want = format!(
            "data directory {} (from flag --data): cannot create: ",
            data.display()
        );
        assert!(e.0.starts_with(&want), "{e}");
        assert!(
            e.0.ends_with(&format!(
                "(a file is in the way: {} is a file)",
                blocker.display()
            )),
            "{e}"
        );
    }
    let ok = dir.path().join("a/b");
    let loaded = Loaded::load(None, env(&[("MODGATE_DATA", ok.to_str().unwrap())]), &[]).unwrap();
    loaded.create_data_dir().unwrap();
    assert!(ok.is_dir());
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
    for (d, want) in [
        (Duration::ZERO, "0s"),
        (Duration::from_millis(100), "100ms"),
        (Duration::from_millis(1500), "1500ms"),
        (Duration::from_secs(59), "59s"),
        (Duration::from_secs(600), "10m"),
        (Duration::from_secs(7200), "2h"),
        (Duration::from_secs(3660), "61m"),
    ] {
        assert_eq!(format_duration(d), want);
        assert_eq!(parse_duration(want), Some(d), "{want} reads back");
    }
}

/// docs/configuration.md's keys table is exactly the one generated from the
/// declaration. `MODGATE_BLESS=1` rewrites it.
#[test]
fn configuration_doc_table_is_generated_from_the_declaration() {
    let path = repo_file("docs/configuration.md");
    let doc = std::fs::read_to_string(&path).expect("docs/configuration.md");
    let (Some(begin), Some(end)) = (doc.find(docs::TABLE_BEGIN), doc.find(docs::TABLE_END)) else {
        panic!(
            "docs/configuration.md lacks the table markers:\n{}\n...\n{}",
            docs::TABLE_BEGIN,
            docs::TABLE_END
        );
    };
    let start = begin + docs::TABLE_BEGIN.len() + 1;
    let want = docs_table();
    if doc[start..end] == want {
        return;
    }
    if std::env::var("MODGATE_BLESS").as_deref() == Ok("1") {
        let new = format!("{}{want}{}", &doc[..start], &doc[end..]);
        std::fs::write(&path, new).expect("rewrite docs/configuration.md");
        return;
    }
    panic!(
        "docs/configuration.md's keys table differs from the declaration in \
         crates/modgate-server/src/config.rs. Run `MODGATE_BLESS=1 cargo test -p \
         modgate-server config::` or paste:\n\n{want}"
    );
}

#[test]
fn help_texts_for_terminals() {
    let access = Key::find("public_access").unwrap();
    assert!(
        access
            .help()
            .contains("(see [Tokens](#tokens-config-file-only))")
    );
    let text = access.help_plain();
    assert!(text.contains("(see Tokens)"), "{text}");
    assert!(!text.contains('`'), "{text}");
    assert!(
        text.starts_with("open: public (non-private) modules"),
        "{text}"
    );
    assert_eq!(plain("a [b] c [d](e) `f`"), "a [b] c d f");
}

/// `--print-config` output is a config file that loads back to the same
/// configuration, with the source of every key.
#[test]
fn print_config_reads_back_and_names_sources() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.toml");
    std::fs::write(
        &file,
        r#"
fresh_for = "2m"
[[routes]]
pattern = "git.corp.example"
upstream = "https://internal.corp.example"
private = true

[[tokens]]
name = "ci"
env = "MODGATE_TOKEN_CI"
modules = "git.corp.example"

[[tokens]]
name = "alice"
sha256 = "612b871950ecf4da9370bbbe4c47bcdf65a7afac1d0e4598deb7b298f8c92403"
"#,
    )
    .unwrap();
    // Every key away from its default, from a mix of sources.
    let flags: Vec<(&str, String)> = KEYS
        .iter()
        .filter(|k| k.name != "fresh_for" && k.name != "timeout")
        .map(|k| (k.name, k.example.to_owned()))
        .collect();
    let loaded = Loaded::load(Some(&file), env(&[("MODGATE_TIMEOUT", "90s")]), &flags).unwrap();
    let printed = print_config(&loaded);
    assert!(
        printed.contains("\nfresh_for = \"2m\"  # file "),
        "{printed}"
    );
    assert!(
        printed.contains("\ntimeout = \"90s\"  # env MODGATE_TIMEOUT\n"),
        "{printed}"
    );
    assert!(
        printed.contains("\nretries = 7  # flag --retries\n"),
        "{printed}"
    );
    assert!(
        printed.contains("\noffline = true  # flag --offline\n"),
        "{printed}"
    );
    for key in KEYS {
        assert!(
            printed.contains(&format!("\n{} = ", key.name)),
            "{} missing:\n{printed}",
            key.name
        );
    }
    let out = dir.path().join("out.toml");
    std::fs::write(&out, &printed).unwrap();
    let back = Loaded::load(Some(&out), vec![], &[]).unwrap();
    assert_eq!(back.config, loaded.config, "{printed}");

    // The defaults print too, unset optional keys as comments.
    let defaults = print_config(&Loaded::load(None, vec![], &[]).unwrap());
    assert!(
        defaults.contains("\n# nosumdb is unset: (the private patterns)  # default\n"),
        "{defaults}"
    );
    assert!(defaults.contains("\nretry_backoff = \"100ms\"  # default\n"));
    std::fs::write(&out, &defaults).unwrap();
    assert_eq!(
        Config::load(Some(&out), vec![], &[]).unwrap(),
        Config::default()
    );
}

#[test]
fn print_config_masks_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.toml");
    std::fs::write(
        &file,
        r#"
upstream = "https://ci:s3cret@goproxy.corp.example|https://t0ken@m.example,direct"
sumdb = "sum.golang.org https://u:pw@sum.corp.example"
[[routes]]
pattern = "corp.example"
upstream = "https://r:routesecret@internal.corp.example"
"#,
    )
    .unwrap();
    let printed = print_config(&Loaded::load(Some(&file), vec![], &[]).unwrap());
    for secret in ["s3cret", "t0ken", "pw@", "routesecret"] {
        assert!(!printed.contains(secret), "{secret} shown:\n{printed}");
    }
    assert!(
        printed.contains(
            "upstream = \"https://xxxxx@goproxy.corp.example|https://xxxxx@m.example,direct\""
        ),
        "{printed}"
    );
    assert!(printed.contains("sumdb = \"sum.golang.org https://xxxxx@sum.corp.example\""));
    assert!(printed.contains("upstream = \"https://xxxxx@internal.corp.example\""));
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
    let docs = repo_file("docs");
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
        r#"govcs "x:y,x:z": unreachable pattern in GOVCS: "x:z" after "x:y""#
    );
    assert_eq!(
        c.set("govcs", "git").unwrap_err().0,
        r#"govcs "git": malformed entry in GOVCS (missing colon): "git""#
    );
    // A bad value leaves the last good one.
    assert_eq!(c.govcs, "corp.example:git,public:off");
}

#[test]
fn vcs_dir_defaults_under_the_data_directory() {
    let mut c = Config {
        data: PathBuf::from("/srv/modgate"),
        ..Default::default()
    };
    assert_eq!(c.vcs_dir(), Path::new("/srv/modgate/.vcs"));
    c.set("vcs_dir", "/fast/vcs").unwrap();
    assert_eq!(c.vcs_dir(), Path::new("/fast/vcs"));
    c.set("vcs_dir", "").unwrap();
    assert_eq!(c.vcs_dir, None, "empty means the default");
}

#[test]
fn coordination_takes_a_redis_url_or_nothing() {
    let load = |v: &str| Config::load(None, env(&[("MODGATE_COORDINATION", v)]), &[]);
    assert_eq!(load("").unwrap().coordination, "");
    assert_eq!(
        load("redis://:pw@127.0.0.1:6379/2").unwrap().coordination,
        "redis://:pw@127.0.0.1:6379/2"
    );
    assert!(load("rediss://redis.example:6380/0").is_ok());
    let e = load("http://:pw@redis.example:6379").unwrap_err().0;
    assert!(
        e.contains("coordination") && e.contains("unsupported scheme"),
        "{e}"
    );
    assert!(!e.contains("pw"), "the password is masked: {e}");
    let e = load("127.0.0.1:6379").unwrap_err().0;
    assert!(e.contains("coordination"), "{e}");
}

#[test]
fn storage_url_options_and_their_masking() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.toml");
    std::fs::write(
        &file,
        r#"
storage = "s3://modules/cache"
local_cache = "/var/cache/modgate"
local_cache_size = "512MiB"
[storage_options]
endpoint = "http://127.0.0.1:3900"
region = "garage"
access_key_id = "GK0123"
secret_access_key = "sup3rs3cret"
allow_http = true
max_retries = 5
"#,
    )
    .unwrap();
    let loaded = Loaded::load(Some(&file), vec![], &[]).unwrap();
    let cfg = &loaded.config;
    assert_eq!(cfg.storage, "s3://modules/cache");
    assert_eq!(cfg.local_cache_size, 512 << 20);
    assert_eq!(cfg.storage_options["allow_http"], "true");
    assert_eq!(cfg.storage_options["max_retries"], "5");
    assert_eq!(cfg.storage_options["secret_access_key"], "sup3rs3cret");
    let printed = print_config(&loaded);
    assert!(!printed.contains("sup3rs3cret"), "{printed}");
    assert!(
        printed.contains("\"secret_access_key\" = \"(masked)\""),
        "{printed}"
    );
    assert!(
        printed.contains("\"endpoint\" = \"http://127.0.0.1:3900\""),
        "{printed}"
    );
    assert!(
        printed.contains("local_cache_size = \"512MiB\""),
        "{printed}"
    );
    // What it printed loads again (the masked secret aside).
    let again = dir.path().join("again.toml");
    std::fs::write(&again, &printed).unwrap();
    let back = Loaded::load(Some(&again), vec![], &[]).unwrap().config;
    assert_eq!(back.storage, cfg.storage);
    assert_eq!(back.storage_options["region"], "garage");

    // Bad values name the key.
    for (toml, want) in [
        ("storage = \"ftp://x/y\"", "storage"),
        ("storage = \"s3:///nobucket\"", "no bucket"),
        ("local_cache_size = \"10 parsecs\"", "local_cache_size"),
        ("storage_options = 3", "storage_options: want a table"),
        (
            "[storage_options]\nendpoint = [1]",
            "storage_options.endpoint",
        ),
    ] {
        std::fs::write(&file, toml).unwrap();
        let err = Loaded::load(Some(&file), vec![], &[]).unwrap_err();
        assert!(err.0.contains(want), "{toml}: {err}");
    }
    // Sizes print back in the largest whole binary unit.
    for (text, bytes, shown) in [
        ("10GiB", 10u64 << 30, "10GiB"),
        ("500MB", 500_000_000, "500000000"),
        ("1048576", 1 << 20, "1MiB"),
    ] {
        let mut cfg = Config::default();
        cfg.set("local_cache_size", text).unwrap();
        assert_eq!(cfg.local_cache_size, bytes);
        assert_eq!(
            Key::find("local_cache_size").unwrap().text(&cfg).unwrap(),
            shown
        );
    }
}

#[test]
fn backup_settings_and_masked_options() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.toml");
    std::fs::write(
        &file,
        r#"
data = "/srv/modgate"
backup = "s3://backup-bucket/cache"
scrub_rate = 20
[backup_options]
endpoint = "http://127.0.0.1:3900"
secret_access_key = "backupsecret"
"#,
    )
    .unwrap();
    let loaded = Loaded::load(Some(&file), vec![], &[]).unwrap();
    let c = &loaded.config;
    assert_eq!(c.backup, "s3://backup-bucket/cache");
    assert_eq!(c.scrub_rate, 20);
    assert_eq!(c.backup_options["endpoint"], "http://127.0.0.1:3900");
    assert_eq!(
        c.backup_queue_dir(),
        Path::new("/srv/modgate/.backup-queue")
    );
    let printed = print_config(&loaded);
    assert!(!printed.contains("backupsecret"), "{printed}");
    assert!(printed.contains("[backup_options]"), "{printed}");
    assert!(
        printed.contains("\"endpoint\" = \"http://127.0.0.1:3900\""),
        "{printed}"
    );
    let again = dir.path().join("again.toml");
    std::fs::write(&again, &printed).unwrap();
    let back = Loaded::load(Some(&again), vec![], &[]).unwrap().config;
    assert_eq!(back.backup, c.backup);
    assert_eq!(back.backup_options["endpoint"], "http://127.0.0.1:3900");
    let bad = |v: &str| Config::load(None, env(&[("MODGATE_BACKUP", v)]), &[]);
    assert!(bad("file:///srv/backup").is_ok());
    let e = bad("ftp://u:pw@host/x").unwrap_err().0;
    assert!(
        e.contains("backup") && e.contains("unsupported scheme"),
        "{e}"
    );
    assert!(!e.contains("pw"), "{e}");
    assert!(bad("s3:///x").is_err());
}
