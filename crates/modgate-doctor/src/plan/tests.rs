use crate::probe::Role;
use crate::settings::tests::load;

fn plan(pairs: &[(&str, &str)], module: Option<std::path::PathBuf>) -> super::Plan {
    let mut all = vec![("GOENV", "off")];
    all.extend_from_slice(pairs);
    super::plan(&load(&all, module))
}

#[test]
fn default_plan_probes_proxy_and_sumdb() {
    let p = plan(&[], None);
    let hosts: Vec<&str> = p.endpoints.iter().map(|e| e.host.as_str()).collect();
    assert_eq!(hosts, vec!["proxy.golang.org", "sum.golang.org"]);
    assert!(
        matches!(&p.endpoints[0].role, Role::Proxy { module, fallback_any: false, .. } if module == "golang.org/x/text")
    );
    assert_eq!(p.hosts, vec!["proxy.golang.org", "sum.golang.org"]);
}

#[test]
fn proxies_after_direct_are_ignored_and_http_proxy_is_used() {
    let p = plan(
        &[
            (
                "GOPROXY",
                "https://a.example/base/|direct,https://never.example",
            ),
            ("HTTPS_PROXY", "corp:3128"),
            ("NO_PROXY", "sum.golang.org"),
        ],
        None,
    );
    assert_eq!(p.endpoints.len(), 2);
    assert_eq!(p.endpoints[0].base_path, "/base");
    assert_eq!(
        p.endpoints[0].via.as_ref().map(|v| v.host.as_str()),
        Some("corp")
    );
    assert!(p.endpoints[1].via.is_none(), "NO_PROXY covers the sumdb");
    assert_eq!(p.hosts, vec!["corp", "sum.golang.org"]);
}

#[test]
fn private_hosts_from_module_and_gonoproxy() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("go.mod"), "module a.example/m\nrequire (\n\tgit.corp.example/team/lib v1.0.0\n\tgithub.com/acme/private v1.0.0\n\tgolang.org/x/text v0.14.0\n)\n").expect("go.mod");
    let p = plan(
        &[
            ("GOPRIVATE", "git.corp.example,github.com/acme"),
            ("GOINSECURE", "git.corp.example"),
        ],
        Some(d.path().to_path_buf()),
    );
    let vcs: Vec<_> = p
        .endpoints
        .iter()
        .filter(|e| matches!(e.role, Role::Vcs { .. }))
        .collect();
    assert_eq!(vcs.len(), 1);
    assert_eq!(vcs[0].host, "git.corp.example");
    assert!(vcs[0].insecure);
    let git: Vec<(&str, Option<&str>)> = p
        .git
        .iter()
        .map(|g| (g.module.as_str(), g.url.as_deref()))
        .collect();
    assert_eq!(
        git,
        vec![
            (
                "github.com/acme/private",
                Some("https://github.com/acme/private")
            ),
            ("git.corp.example/team/lib", None)
        ]
    );
    // Without a module, literal GONOPROXY hosts are probed.
    let p = plan(
        &[("GOPRIVATE", "git.corp.example/team,*.other.example")],
        None,
    );
    assert!(
        p.endpoints
            .iter()
            .any(|e| e.host == "git.corp.example" && matches!(e.role, Role::Vcs { .. }))
    );
    assert!(!p.endpoints.iter().any(|e| e.host.contains("other")));
}
