//! One test per configuration finding, and the cases where the go command
//! would *not* fail (false alarms are defects).

use std::path::PathBuf;

use crate::finding::{Code, Finding, Severity};
use crate::settings::tests::load;

fn findings(pairs: &[(&str, &str)], module: Option<PathBuf>) -> Vec<Finding> {
    let mut all = vec![("GOENV", "off")];
    all.extend_from_slice(pairs);
    let s = load(&all, module);
    let p = crate::plan::plan(&s);
    super::check(&s, &p).1
}

fn one<'a>(fs: &'a [Finding], code: Code, target: &str) -> &'a Finding {
    fs.iter()
        .find(|f| f.code == code && f.target == target)
        .unwrap_or_else(|| panic!("no {code} for {target} in {fs:#?}"))
}

fn none(fs: &[Finding], code: Code) {
    assert!(
        !fs.iter().any(|f| f.code == code),
        "unexpected {code}: {fs:#?}"
    );
}

fn module(gomod: &str, gosum: &str) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("go.mod"), gomod).expect("go.mod");
    std::fs::write(d.path().join("go.sum"), gosum).expect("go.sum");
    let p = d.path().to_path_buf();
    (d, p)
}

#[test]
fn default_settings_have_no_config_findings() {
    let fs = findings(&[], None);
    assert!(fs.is_empty(), "{fs:#?}");
}

#[test]
fn goproxy_off() {
    let fs = findings(&[("GOPROXY", "off")], None);
    let f = one(&fs, Code::GoproxyOff, "GOPROXY");
    assert_eq!(f.severity, Severity::Degraded);
    assert!(f.summary.contains("module lookup disabled by GOPROXY=off"));
    assert!(f.fix[0].starts_with("go env -w GOPROXY="));

    let (_d, m) = module(
        "module a.example/m\nrequire golang.org/x/text v0.14.0\n",
        "",
    );
    let cache = tempfile::tempdir().expect("cache");
    let c = cache.path().to_string_lossy().into_owned();
    let fs = findings(&[("GOPROXY", "off"), ("GOMODCACHE", &c)], Some(m.clone()));
    assert_eq!(
        one(&fs, Code::GoproxyOff, "GOPROXY").severity,
        Severity::Broken
    );
    // Once the version is in the module cache, GOPROXY=off is fine for it.
    let dir = cache.path().join("cache/download/golang.org/x/text/@v");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("v0.14.0.zip"), b"zip").expect("zip");
    let fs = findings(&[("GOPROXY", "off"), ("GOMODCACHE", &c)], Some(m));
    assert_eq!(
        one(&fs, Code::GoproxyOff, "GOPROXY").severity,
        Severity::Info
    );
}

#[test]
fn goproxy_off_with_vendoring_is_info() {
    let fs = findings(&[("GOPROXY", "off"), ("GOFLAGS", "-mod=vendor")], None);
    assert_eq!(
        one(&fs, Code::GoproxyOff, "GOPROXY").severity,
        Severity::Info
    );
}

#[test]
fn goproxy_off_with_only_gonoproxy_requirements_is_not_broken() {
    // GONOPROXY paths are fetched directly even with GOPROXY=off.
    let (_d, m) = module(
        "module a.example/m\nrequire git.corp.example/x v1.0.0\n",
        "",
    );
    let fs = findings(
        &[("GOPROXY", "off"), ("GOPRIVATE", "git.corp.example")],
        Some(m),
    );
    assert_eq!(
        one(&fs, Code::GoproxyOff, "GOPROXY").severity,
        Severity::Info
    );
}

#[test]
fn goproxy_invalid_with_go_texts() {
    for (value, text) in [
        (
            "ftp://x.example",
            "invalid proxy URL scheme (must be https, http, file): ftp://x.example",
        ),
        (
            ",",
            "GOPROXY list is not the empty string, but contains no entries",
        ),
        (
            " | ",
            "GOPROXY list is not the empty string, but contains no entries",
        ),
        ("proxy", "invalid proxy URL missing scheme: proxy"),
        (
            "file://host/path",
            "invalid file:// proxy URL with non-path elements: file://host/path",
        ),
    ] {
        let fs = findings(&[("GOPROXY", value)], None);
        let f = one(&fs, Code::GoproxyInvalid, "GOPROXY");
        assert!(f.summary.contains(text), "{value}: {}", f.summary);
        assert_eq!(f.severity, Severity::Broken);
    }
    for ok in [
        "direct",
        "https://a.example|direct",
        "a.example,b.example",
        "file:///srv/goproxy",
        "off",
    ] {
        none(&findings(&[("GOPROXY", ok)], None), Code::GoproxyInvalid);
    }
}

#[test]
fn sumdb_off_and_gonosumdb_covering_public_modules() {
    let fs = findings(&[("GOSUMDB", "off")], None);
    assert_eq!(
        one(&fs, Code::SumdbOff, "GOSUMDB").severity,
        Severity::Degraded
    );
    // GONOSUMDB/GOPRIVATE over public paths is config.insecure (docs/doctor.md).
    let fs = findings(&[("GOPRIVATE", "*")], None);
    one(&fs, Code::Insecure, "GOPRIVATE");
    let fs = findings(&[("GONOSUMDB", "github.com")], None);
    one(&fs, Code::Insecure, "GONOSUMDB");
    none(
        &findings(&[("GOPRIVATE", "github.com/my-org,git.corp.example")], None),
        Code::Insecure,
    );
}

#[test]
fn gosumdb_invalid() {
    for (value, text) in [
        ("a b c", "invalid GOSUMDB: too many fields"),
        ("sum.corp.example", "invalid GOSUMDB: malformed verifier id"),
    ] {
        let fs = findings(&[("GOSUMDB", value)], None);
        assert!(
            one(&fs, Code::GosumdbInvalid, "GOSUMDB")
                .summary
                .contains(text),
            "{value}"
        );
    }
    for ok in [
        "sum.golang.google.cn",
        "sum.golang.org https://sum.golang.google.cn",
        "sum.golang.org",
    ] {
        none(&findings(&[("GOSUMDB", ok)], None), Code::GosumdbInvalid);
    }
}

#[test]
fn private_module_leaks_to_public_proxy_and_sumdb() {
    let (_d, m) = module(
        "module a.example/m\nrequire git.corp.internal/team/lib v1.2.3\n",
        "",
    );
    let fs = findings(&[], Some(m.clone()));
    let f = one(&fs, Code::PrivateLeak, "git.corp.internal/team/lib");
    assert_eq!(f.severity, Severity::Broken);
    assert_eq!(f.fix[0], "go env -w GOPRIVATE=git.corp.internal");
    // Keeps what GOPRIVATE already holds.
    let fs = findings(&[("GOPRIVATE", "other.example")], Some(m.clone()));
    assert_eq!(
        one(&fs, Code::PrivateLeak, "git.corp.internal/team/lib").fix[0],
        "go env -w GOPRIVATE=other.example,git.corp.internal"
    );
    // Covered by GOPRIVATE: nothing to say.
    none(
        &findings(&[("GOPRIVATE", "git.corp.internal")], Some(m.clone())),
        Code::PrivateLeak,
    );
    none(
        &findings(&[("GOPRIVATE", "*.internal")], Some(m.clone())),
        Code::PrivateLeak,
    );
    // GONOPROXY but not GONOSUMDB: fetched directly, still looked up in sum.golang.org.
    let fs = findings(&[("GONOPROXY", "git.corp.internal")], Some(m.clone()));
    let f = one(&fs, Code::PrivateLeak, "git.corp.internal/team/lib");
    assert!(f.summary.contains("GONOPROXY matches it"), "{}", f.summary);
    assert!(f.summary.contains("GONOSUMDB"), "{}", f.summary);
    // ... unless the checksum database is off or not the public one.
    none(
        &findings(
            &[("GONOPROXY", "git.corp.internal"), ("GOSUMDB", "off")],
            Some(m.clone()),
        ),
        Code::PrivateLeak,
    );
    // A company proxy (not a public one) may serve private modules.
    none(
        &findings(
            &[
                ("GOPROXY", "https://athens.corp.internal"),
                ("GONOSUMDB", "git.corp.internal"),
            ],
            Some(m),
        ),
        Code::PrivateLeak,
    );
}

#[test]
fn private_leak_severity_follows_go_sum() {
    let (_d, m) = module(
        "module a.example/m\nrequire git.corp.internal/team/lib v1.2.3\n",
        "git.corp.internal/team/lib v1.2.3 h1:abc=\ngit.corp.internal/team/lib v1.2.3/go.mod h1:def=\n",
    );
    let fs = findings(&[("GONOPROXY", "git.corp.internal")], Some(m));
    assert_eq!(
        one(&fs, Code::PrivateLeak, "git.corp.internal/team/lib").severity,
        Severity::Degraded
    );
}

#[test]
fn public_hosting_paths_are_not_called_private() {
    let (_d, m) = module(
        "module a.example/m\nrequire (\n\tgithub.com/acme/secret v1.0.0\n\tgolang.org/x/text v0.14.0\n)\n",
        "",
    );
    none(&findings(&[], Some(m)), Code::PrivateLeak);
}

#[test]
fn gonoproxy_without_gonosumdb_without_module() {
    let fs = findings(
        &[
            ("GONOPROXY", "git.corp.example"),
            ("GONOSUMDB", "other.example"),
        ],
        None,
    );
    let f = one(&fs, Code::PrivateLeak, "git.corp.example");
    assert_eq!(
        f.fix,
        vec!["go env -w GONOSUMDB=other.example,git.corp.example".to_string()]
    );
    none(
        &findings(&[("GOPRIVATE", "git.corp.example")], None),
        Code::PrivateLeak,
    );
}

#[test]
fn insecure_settings() {
    let fs = findings(&[("GOINSECURE", "git.corp.example")], None);
    assert_eq!(
        one(&fs, Code::Insecure, "GOINSECURE").severity,
        Severity::Degraded
    );
    let fs = findings(&[("GOFLAGS", "-mod=mod -insecure")], None);
    let f = one(&fs, Code::Insecure, "GOFLAGS");
    assert_eq!(f.severity, Severity::Broken);
    assert!(
        f.summary
            .contains("-insecure flag is no longer supported; use GOINSECURE instead")
    );
    let fs = findings(&[("GOPROXY", "http://proxy.corp.example,direct")], None);
    assert_eq!(
        one(&fs, Code::Insecure, "GOPROXY").fix,
        vec!["go env -w GOPROXY=https://proxy.corp.example,direct".to_string()]
    );
    none(
        &findings(&[("GOPROXY", "http://localhost:3000,direct")], None),
        Code::Insecure,
    );
    none(&findings(&[("GOFLAGS", "-mod=mod")], None), Code::Insecure);
}

#[test]
fn proxy_env_invalid() {
    let fs = findings(&[("HTTPS_PROXY", "http://proxy%zz:3128")], None);
    let f = one(&fs, Code::ProxyEnvInvalid, "HTTPS_PROXY");
    assert_eq!(f.severity, Severity::Degraded);
    assert!(f.summary.contains("silently ignores"));
    let fs = findings(&[("https_proxy", "socks4://proxy.corp:1080")], None);
    let f = one(&fs, Code::ProxyEnvInvalid, "https_proxy");
    assert_eq!(f.severity, Severity::Broken);
    assert_eq!(
        f.fix,
        vec!["export https_proxy=http://proxy.corp:1080".to_string()]
    );
    for ok in [
        "proxy.corp:3128",
        "http://u:p@proxy.corp:3128",
        "socks5://127.0.0.1:1080",
    ] {
        none(
            &findings(&[("HTTPS_PROXY", ok)], None),
            Code::ProxyEnvInvalid,
        );
    }
}

#[test]
fn all_proxy_ignored() {
    let fs = findings(&[("ALL_PROXY", "socks5://proxy.corp:1080")], None);
    let f = one(&fs, Code::ProxyEnvAllProxyIgnored, "ALL_PROXY");
    assert!(
        f.fix[0].contains("HTTPS_PROXY=\"socks5://proxy.corp:1080\""),
        "{:?}",
        f.fix
    );
    none(
        &findings(
            &[
                ("ALL_PROXY", "socks5://proxy.corp:1080"),
                ("HTTPS_PROXY", "http://proxy.corp:3128"),
            ],
            None,
        ),
        Code::ProxyEnvAllProxyIgnored,
    );
}
