//! The project graph, fetched in waves through a real fetcher (a `file://` GOPROXY
//! the test writes with the core's zip writer), against `go list -m all` on the same
//! proxy: unpruned (go 1.16) modules whose whole graph must be read, a pruned main
//! module, a replacement by another module version, a local-path replacement, and a
//! workspace.

use std::path::Path;

use modgate_project::{Fetcher, GoSettings, Project, Store, load_graph};

fn publish(root: &Path, path: &str, version: &str, go: &str, reqs: &[(&str, &str)]) {
    let src = tempfile::tempdir().unwrap();
    let mut gomod = format!("module {path}\n\ngo {go}\n");
    for (p, v) in reqs {
        gomod.push_str(&format!("\nrequire {p} {v}\n"));
    }
    std::fs::write(src.path().join("go.mod"), &gomod).unwrap();
    let dir = root
        .join(modgate_core::module::escape_path(path).unwrap())
        .join("@v");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{version}.mod")), &gomod).unwrap();
    std::fs::write(
        dir.join(format!("{version}.info")),
        format!("{{\"Version\":\"{version}\",\"Time\":\"2026-01-02T03:04:05Z\"}}"),
    )
    .unwrap();
    let zip = std::fs::File::create(dir.join(format!("{version}.zip"))).unwrap();
    let m = modgate_core::module::Version::new(path, version);
    modgate_core::zip::create_from_dir(zip, &m, src.path()).unwrap();
    let list = dir.join("list");
    let mut text = std::fs::read_to_string(&list).unwrap_or_default();
    text.push_str(&format!("{version}\n"));
    std::fs::write(list, text).unwrap();
}

fn settings(proxy: &str) -> GoSettings {
    let vars = [
        ("GOENV", "off".to_owned()),
        ("GOPROXY", proxy.to_owned()),
        ("GOSUMDB", "off".to_owned()),
        ("GOWORK", "off".to_owned()),
    ];
    GoSettings::from_env(&move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
}

/// `go list -m all` in `dir` (with `GOWORK=off`, `-mod=mod`: go writes the go.sum
/// lines it needs; in workspace mode, go's default `-mod=readonly`).
fn go_list(dir: &Path, home: &Path, proxy: &str, gowork: &str) -> Option<Vec<String>> {
    let go = modgate_testkit::go::binary()?;
    let out = modgate_testkit::go::sealed(&go, home)
        .args(["list", "-m", "all"])
        .env("GOPROXY", proxy)
        .env("GOWORK", gowork)
        .env("GOFLAGS", if gowork == "off" { "-mod=mod" } else { "" })
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "go list -m all: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_list_equals_go_list_m_all() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("proxy");
    let proxy = format!("file://{}", root.display());
    // old → (unpruned) deep chain: every go.mod below `old` is read.
    publish(
        &root,
        "x.example/old",
        "v1.0.0",
        "1.16",
        &[("x.example/mid", "v1.0.0")],
    );
    publish(
        &root,
        "x.example/mid",
        "v1.0.0",
        "1.16",
        &[("x.example/leaf", "v1.2.0")],
    );
    publish(&root, "x.example/leaf", "v1.0.0", "1.21", &[]);
    publish(
        &root,
        "x.example/leaf",
        "v1.2.0",
        "1.21",
        &[("x.example/tail", "v1.0.0")],
    );
    publish(&root, "x.example/tail", "v1.0.0", "1.21", &[]);
    // new (pruned), required at v1.0.0, replaced by fork v1.5.0.
    publish(&root, "x.example/new", "v1.0.0", "1.21", &[]);
    publish(
        &root,
        "x.example/fork",
        "v1.5.0",
        "1.21",
        &[("x.example/leaf", "v1.0.0")],
    );

    let app = tmp.path().join("app");
    std::fs::create_dir_all(app.join("local")).unwrap();
    std::fs::write(
        app.join("local/go.mod"),
        "module x.example/local\n\ngo 1.21\n\nrequire x.example/tail v1.0.0\n",
    )
    .unwrap();
    std::fs::write(
        app.join("go.mod"),
        "module x.example/app\n\ngo 1.16\n\nrequire (\n\tx.example/old v1.0.0\n\tx.example/new v1.0.0\n\tx.example/local v0.0.0\n)\n\nreplace x.example/new => x.example/fork v1.5.0\n\nreplace x.example/local => ./local\n",
    )
    .unwrap();

    let s = settings(&proxy);
    let fetcher = Fetcher::new(&s, Store::Temp).unwrap();
    let project = Project::find(&app, &s).unwrap();
    let fetches = std::sync::atomic::AtomicUsize::new(0);
    let graph = load_graph(&project, &fetcher, 4, &|_, r| {
        assert!(r.is_ok(), "{r:?}");
        fetches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })
    .await
    .unwrap();
    // The chain old → mid → leaf → tail is four levels: more than one pass, each
    // go.mod fetched once.
    assert!(graph.passes > 2, "{}", graph.passes);
    assert_eq!(
        fetches.load(std::sync::atomic::Ordering::Relaxed),
        graph.go_mods.len()
    );
    let fork = graph
        .content_versions()
        .into_iter()
        .find(|m| m.path == "x.example/fork");
    assert_eq!(fork.map(|m| m.version).as_deref(), Some("v1.5.0"));
    assert!(
        !graph
            .content_versions()
            .iter()
            .any(|m| m.path == "x.example/local")
    );

    let Some(want) = go_list(&app, &tmp.path().join("home"), &proxy, "off") else {
        return;
    };
    assert_eq!(graph.build_list.lines(), want);

    // A workspace: go.work's `use` of local and of w (which requires old and new).
    let w = tmp.path().join("w");
    std::fs::create_dir_all(&w).unwrap();
    std::fs::write(
        w.join("go.mod"),
        "module x.example/w\n\ngo 1.21\n\nrequire (\n\tx.example/old v1.0.0\n\tx.example/new v1.0.0\n)\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("go.work"),
        "go 1.21\n\nuse (\n\t./app/local\n\t./w\n)\n",
    )
    .unwrap();
    let project = Project::workspace(&tmp.path().join("go.work")).unwrap();
    let graph = load_graph(&project, &fetcher, 4, &|_, _| {}).await.unwrap();
    // go.sum lines first (each module alone), as go wants them in workspace mode.
    go_list(&w, &tmp.path().join("home"), &proxy, "off").unwrap();
    go_list(&app.join("local"), &tmp.path().join("home"), &proxy, "off").unwrap();
    let want = go_list(&w, &tmp.path().join("home"), &proxy, "").unwrap();
    assert_eq!(graph.build_list.lines(), want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_go_mod_is_reported_with_its_requirement_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("proxy");
    let proxy = format!("file://{}", root.display());
    publish(
        &root,
        "x.example/a",
        "v1.0.0",
        "1.16",
        &[("x.example/gone", "v1.0.0")],
    );
    let app = tmp.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("go.mod"),
        "module x.example/app\n\ngo 1.21\n\nrequire x.example/a v1.0.0\n",
    )
    .unwrap();
    let s = settings(&proxy);
    let fetcher = Fetcher::new(&s, Store::Temp).unwrap();
    let project = Project::find(&app, &s).unwrap();
    let err = load_graph(&project, &fetcher, 4, &|_, _| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("x.example/a@v1.0.0 requires\n\tx.example/gone@v1.0.0: "),
        "{err}"
    );
}
