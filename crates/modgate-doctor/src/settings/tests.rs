use super::*;

pub(crate) fn load(pairs: &[(&str, &str)], module: Option<PathBuf>) -> Settings {
    let env = Env::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(Settings::load(&LoadOptions {
        env,
        use_go_env: false,
        module_dir: module,
        go_env_timeout: Duration::from_secs(5),
    }))
}

#[test]
fn defaults_without_go() {
    let s = load(&[("GOENV", "off")], None);
    assert_eq!(s.goproxy(), "https://proxy.golang.org,direct");
    assert_eq!(s.gosumdb(), "sum.golang.org");
    assert_eq!(s.get("GOAUTH"), "netrc");
    assert_eq!(s.go["GOPROXY"].source, Source::Default);
    assert_eq!(s.resolv_conf(), Path::new("/etc/resolv.conf"));
}

#[test]
fn gonoproxy_and_gonosumdb_default_to_goprivate() {
    let s = load(&[("GOENV", "off"), ("GOPRIVATE", "corp.example")], None);
    assert_eq!(s.gonoproxy(), "corp.example");
    assert_eq!(s.gonosumdb(), "corp.example");
    let s = load(
        &[
            ("GOENV", "off"),
            ("GOPRIVATE", "corp.example"),
            ("GONOSUMDB", "x.example"),
        ],
        None,
    );
    assert_eq!(s.gonoproxy(), "corp.example");
    assert_eq!(s.gonosumdb(), "x.example");
}

#[test]
fn env_file_is_read_and_environment_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("env");
    std::fs::write(&file, "GOPROXY=https://corp.proxy\nGOPRIVATE=corp.example\n# comment\nlower=x\nGOPROXY=https://second\n").expect("write");
    let f = file.to_string_lossy().into_owned();
    let s = load(&[("GOENV", &f), ("GOPRIVATE", "env.example")], None);
    assert_eq!(s.goproxy(), "https://corp.proxy");
    assert_eq!(s.go["GOPROXY"].source, Source::EnvFile(file.clone()));
    assert_eq!(s.get("GOPRIVATE"), "env.example");
    assert_eq!(s.go["GOPRIVATE"].source, Source::Env);
    // XDG_CONFIG_HOME/go/env when GOENV is unset.
    std::fs::create_dir_all(dir.path().join("go")).expect("mkdir");
    std::fs::write(dir.path().join("go/env"), "GOSUMDB=off\n").expect("write");
    let s = load(&[("XDG_CONFIG_HOME", &dir.path().to_string_lossy())], None);
    assert_eq!(s.gosumdb(), "off");
}

#[test]
fn go_env_json_values_are_used_when_go_answers() {
    let json: std::collections::BTreeMap<String, String> = [
        ("GOPROXY".to_string(), "direct".to_string()),
        ("GOSUMDB".to_string(), "off".to_string()),
    ]
    .into();
    let env = Env::from_pairs([("GOENV", "off"), ("GOSUMDB", "sum.golang.org")]);
    let r = goenv::resolve(&env, Some(&json));
    assert_eq!(r["GOPROXY"].value, "direct");
    assert_eq!(r["GOPROXY"].source, Source::GoEnv);
    assert_eq!(r["GOSUMDB"].value, "sum.golang.org");
    assert_eq!(r["GOSUMDB"].source, Source::Env);
}

#[test]
fn go_env_defaults_of_gonoproxy_and_gonosumdb_are_not_user_settings() {
    // What `go env -json` prints with only GOPRIVATE=github.com set.
    let json: std::collections::BTreeMap<String, String> = [
        ("GOPRIVATE".to_string(), "github.com".to_string()),
        ("GONOPROXY".to_string(), "github.com".to_string()),
        ("GONOSUMDB".to_string(), "github.com".to_string()),
    ]
    .into();
    let env = Env::from_pairs([("GOENV", "off"), ("GOPRIVATE", "github.com")]);
    let r = goenv::resolve(&env, Some(&json));
    assert_eq!(r["GONOPROXY"].value, "");
    assert_eq!(r["GONOSUMDB"].value, "");
    assert_eq!(r["GONOSUMDB"].source, Source::Default);
    // One the user set differently is kept.
    let env = Env::from_pairs([
        ("GOENV", "off"),
        ("GOPRIVATE", "github.com"),
        ("GONOSUMDB", "git.corp.example"),
    ]);
    let mut json = json;
    json.insert("GONOSUMDB".into(), "git.corp.example".into());
    let r = goenv::resolve(&env, Some(&json));
    assert_eq!(r["GONOSUMDB"].value, "git.corp.example");
    assert_eq!(r["GONOSUMDB"].source, Source::Env);
}

#[test]
fn modgate_resolver_overrides() {
    let s = load(
        &[
            ("MODGATE_RESOLV_CONF", "/tmp/r.conf"),
            ("MODGATE_HOSTS", "/tmp/h"),
        ],
        None,
    );
    assert_eq!(s.resolv_conf, PathBuf::from("/tmp/r.conf"));
    assert_eq!(s.hosts_file, PathBuf::from("/tmp/h"));
}

#[test]
fn netrc_parsing_keeps_complete_entries_only() {
    let data = "machine a.example login u1 password p1\nmachine b.example login u2\nmachine c.example\n login u3\n password p3\nmacdef init\nmachine hidden login x password y\n\nmachine d.example login u4 password p4\ndefault login anon password x\nmachine after login z password z\ndefault\nmachine never login n password n\n";
    let got = netrc::parse(data);
    assert_eq!(
        got,
        vec![
            ("a.example".to_string(), "u1".to_string()),
            ("c.example".to_string(), "u3".to_string()),
            ("d.example".to_string(), "u4".to_string()),
            // Go stops at `default` only when it ends the field scan of its
            // line (as a lone `default` does), not after `default login ...`.
            ("after".to_string(), "z".to_string()),
        ]
    );
}

#[test]
fn reads_go_env_json_from_the_real_go() {
    let Some(path) = std::env::var_os("PATH") else {
        return;
    };
    if modgate_testkit::go::binary().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("goenv");
    std::fs::write(&file, "GOPRIVATE=corp.example\n").expect("write");
    let d = dir.path().to_string_lossy().into_owned();
    let pairs = [
        ("PATH", path.to_string_lossy().into_owned()),
        ("HOME", d.clone()),
        ("GOPATH", format!("{d}/gopath")),
        ("GOCACHE", format!("{d}/cache")),
        ("GOTOOLCHAIN", "local".to_string()),
        ("GOENV", file.to_string_lossy().into_owned()),
        ("GOFLAGS", "-mod=mod".to_string()),
    ];
    let env = Env::from_pairs(pairs.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let s = rt.block_on(Settings::load(&LoadOptions {
        env,
        use_go_env: true,
        module_dir: None,
        go_env_timeout: Duration::from_secs(10),
    }));
    assert!(s.go_found, "go env -json did not answer");
    assert_eq!(s.get("GOPRIVATE"), "corp.example");
    assert_eq!(s.go["GOPRIVATE"].source, Source::EnvFile(file));
    assert_eq!(s.gonoproxy(), "corp.example");
    assert_eq!(s.get("GOFLAGS"), "-mod=mod");
    assert_eq!(s.go["GOFLAGS"].source, Source::Env);
    // GOROOT/go.env supplies GOPROXY and GOSUMDB.
    assert!(!s.get("GOPROXY").is_empty());
    assert!(matches!(s.go["GOPROXY"].source, Source::GoEnv));
    assert_eq!(
        s.gomodcache(),
        Some(PathBuf::from(format!("{d}/gopath/pkg/mod")))
    );
}
