//! Repository tests: ls-remote parsing, shallow fetches of single refs and
//! the full fetch only when ancestry is needed, and one fetch shared by
//! concurrent requests.

use std::time::Duration;

use super::*;
use crate::run::tests::lab_runner;
use modgate_testkit::git::Lab;

#[test]
fn ls_remote_keeps_heads_tags_and_peels() {
    let out = "aaaa\tHEAD\nbbbb\trefs/heads/main\ncccc\trefs/tags/v1.0.0\ndddd\trefs/tags/v1.0.0^{}\neeee\trefs/pull/1/head\nffff\trefs/notes/x\n";
    let refs = parse_ls_remote(out);
    let want: Refs = [
        ("HEAD", "aaaa"),
        ("refs/heads/main", "bbbb"),
        ("refs/tags/v1.0.0", "dddd"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(refs, want);
}

#[test]
fn hex() {
    assert!(all_hex("0123456789abcdef"));
    assert!(!all_hex("0123456789ABCDEF"));
    assert!(!all_hex("v1"));
}

#[tokio::test]
async fn stat_fetches_shallow_then_full_for_ancestry() {
    let lab = Lab::new();
    let mut r = lab.repo("shallow");
    r.write("a", "1\n");
    let c1 = r.commit("one");
    r.tag("v1.0.0");
    r.write("a", "2\n");
    let c2 = r.commit("two");
    r.annotated_tag("v1.1.0");
    r.write("a", "3\n");
    let c3 = r.commit("three");
    let unreachable = {
        r.checkout("side", true).write("a", "side\n");
        let h = r.commit("side");
        r.checkout("main", false);
        r.git(&["branch", "-D", "side"]);
        h
    };

    let repos = Repos::new(lab_runner(&lab), lab.cache_dir(), Duration::from_secs(60));
    let git = repos.get("https://example.test/shallow").await.unwrap();
    // Same object for the same remote.
    assert!(Arc::ptr_eq(
        &git,
        &repos.get("https://example.test/shallow").await.unwrap()
    ));

    let info = git.stat("v1.1.0").await.unwrap();
    assert_eq!(info.name, c2);
    assert_eq!(info.short, &c2[..12]);
    assert_eq!(info.version, "v1.1.0");
    assert_eq!(info.tags, ["v1.1.0"]);
    assert_eq!(info.time, modgate_testkit::git::EPOCH + 2 * 3600);
    assert!(
        git.dir().join("shallow").exists(),
        "a single ref is fetched shallow"
    );

    let head = git.stat("main").await.unwrap();
    assert_eq!(head.name, c3);
    assert_eq!(head.version, c3);
    assert_eq!(git.latest().await.unwrap().name, c3);
    assert_eq!(git.stat(&c1[..7]).await.unwrap().name, c1);
    assert!(matches!(
        git.stat(&unreachable[..12]).await,
        Err(GitError::UnknownRevision(_))
    ));
    assert!(matches!(
        git.stat("nosuch").await,
        Err(GitError::UnknownRevision(_))
    ));

    assert_eq!(
        git.read_file("v1.0.0", "a").await.unwrap().as_deref(),
        Some(&b"1\n"[..])
    );
    assert_eq!(git.read_file("v1.0.0", "missing").await.unwrap(), None);

    // Ancestry needs the full history: fetched and unshallowed.
    assert!(git.descends_from(&c3, "v1.0.0").await.unwrap());
    assert!(!git.dir().join("shallow").exists());
    assert!(!git.descends_from(&c1, "v1.1.0").await.unwrap());
    let tag = git.recent_tag(&c3, "", &|_| true).await.unwrap();
    assert_eq!(tag.as_deref(), Some("v1.1.0"));
    let tag = git.recent_tag(&c3, "", &|t| t != "v1.1.0").await.unwrap();
    assert_eq!(tag.as_deref(), Some("v1.0.0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_one_fetch() {
    let lab = Lab::new();
    let mut r = lab.repo("shared");
    r.write("a", "1\n");
    r.commit("one");
    r.tag("v1.0.0");
    // Count fetches through a wrapper around git.
    let log = lab.root.path().join("fetches");
    let wrapper = lab.root.path().join("git-wrapper");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do if [ \"$a\" = fetch ]; then echo x >> {}; sleep 0.3; fi; done\nexec git \"$@\"\n",
            log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let repos = Arc::new(Repos::new(
        lab_runner(&lab).with_git(&wrapper),
        lab.cache_dir(),
        Duration::from_secs(60),
    ));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let repos = repos.clone();
        tasks.push(tokio::spawn(async move {
            let git = repos.get("https://example.test/shared").await.unwrap();
            git.stat("v1.0.0").await.unwrap().name
        }));
    }
    let mut names = Vec::new();
    for t in tasks {
        names.push(t.await.unwrap());
    }
    names.dedup();
    assert_eq!(names.len(), 1);
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 1);
}

/// A runner whose git writes each command's first non-option word (after
/// any `-c key=value`) to `<lab>/commands`, and the log's path.
fn logging_runner(lab: &Lab) -> (Runner, std::path::PathBuf) {
    let log = lab.root.path().join("commands");
    let wrapper = lab.root.path().join("git-logger");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in -c|*=*) ;; *) echo \"$a\" >> {}; break;; esac; done\nexec git \"$@\"\n",
            log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    (lab_runner(lab).with_git(&wrapper), log)
}

fn take_log(log: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let _ = std::fs::remove_file(log);
    text.lines().map(str::to_string).collect()
}

#[tokio::test]
async fn cold_path_runs_each_git_command_once() {
    let lab = Lab::new();
    let mut r = lab.repo("cold");
    r.write("go.mod", "module example.test/cold\n");
    let c1 = r.commit("one");
    r.tag("v1.0.0");
    let (runner, log) = logging_runner(&lab);
    let repos = Repos::new(runner, lab.cache_dir(), Duration::from_secs(60));

    let git = repos.get("https://example.test/cold").await.unwrap();
    assert_eq!(git.stat("v1.0.0").await.unwrap().name, c1);
    // A new repository: no `config --get`, no `tag -l`, no `git log` before
    // the fetch; one ls-remote and one shallow fetch.
    // (remote add and ls-remote run at the same time.)
    let mut first = take_log(&log);
    first[1..3].sort();
    assert_eq!(first, ["init", "ls-remote", "remote", "fetch", "log"]);

    // The .info, .mod and .zip requests of one version ask the same
    // questions again: answered from the memo, no git process.
    assert_eq!(git.stat("v1.0.0").await.unwrap().name, c1);
    let gomod = git.read_file("v1.0.0", "go.mod").await.unwrap();
    assert_eq!(gomod.as_deref(), Some(&b"module example.test/cold\n"[..]));
    assert_eq!(take_log(&log), ["cat-file"]);
    assert_eq!(git.read_file("v1.0.0", "go.mod").await.unwrap(), gomod);
    assert_eq!(git.read_file("v1.0.0", "missing").await.unwrap(), None);
    assert_eq!(take_log(&log), ["cat-file"]);
    assert_eq!(git.read_file("v1.0.0", "missing").await.unwrap(), None);
    assert_eq!(git.stat("v1.0.0").await.unwrap().tags, ["v1.0.0"]);
    assert!(take_log(&log).is_empty());

    // An existing repository opened again (a restarted server) reads its
    // object format and local tags as before.
    let (runner, log) = logging_runner(&lab);
    let again = Repos::new(runner, lab.cache_dir(), Duration::from_secs(60));
    let git2 = again.get("https://example.test/cold").await.unwrap();
    assert_eq!(git2.stat("v1.0.0").await.unwrap().name, c1);
    assert_eq!(take_log(&log), ["config", "tag", "log", "ls-remote"]);
}

#[tokio::test]
async fn memoized_stat_lasts_as_long_as_the_refs() {
    let lab = Lab::new();
    let mut r = lab.repo("moving");
    r.write("a", "1\n");
    let c1 = r.commit("one");
    r.tag("v1.0.0");
    let age = Duration::from_millis(300);
    let repos = Repos::new(lab_runner(&lab), lab.cache_dir(), age);
    let git = repos.get("https://example.test/moving").await.unwrap();
    assert_eq!(git.stat("main").await.unwrap().name, c1);
    r.write("a", "2\n");
    let c2 = r.commit("two");
    // Within the refs' lifetime the answer is the cached one, as the refs
    // themselves are.
    assert_eq!(git.stat("main").await.unwrap().name, c1);
    tokio::time::sleep(age).await;
    // Then the refs are asked for again and the branch has moved.
    assert_eq!(git.stat("main").await.unwrap().name, c2);
    assert_eq!(
        git.read_file("main", "a").await.unwrap().as_deref(),
        Some(&b"2\n"[..])
    );
    r.tag("v1.1.0");
    tokio::time::sleep(age).await;
    let info = git.stat("main").await.unwrap();
    assert_eq!((info.name, info.tags), (c2, vec!["v1.1.0".to_string()]));
}

#[tokio::test]
async fn hinted_tag_is_fetched_while_listing_refs() {
    let lab = Lab::new();
    let mut r = lab.repo("hinted");
    r.write("sub/go.mod", "module example.test/hinted/sub\n");
    r.commit("one");
    r.annotated_tag("sub/v0.1.0");
    r.write("a", "2\n");
    let c2 = r.commit("two");
    r.tag("v1.0.0");
    let (runner, log) = logging_runner(&lab);
    let repos = Repos::new(runner, lab.cache_dir(), Duration::from_secs(60));

    let git = repos
        .get_for("https://example.test/hinted", Some("v1.0.0"))
        .await
        .unwrap();
    let mut opened = take_log(&log);
    opened[1..].sort();
    assert_eq!(
        opened,
        ["init", "fetch", "ls-remote", "remote", "rev-parse"]
    );
    // The tag is there: stat needs only git log, and nothing else was
    // fetched.
    let info = git.stat("v1.0.0").await.unwrap();
    assert_eq!(
        (info.name.as_str(), info.tags.clone()),
        (c2.as_str(), vec!["v1.0.0".to_string()])
    );
    assert_eq!(take_log(&log), ["log"]);
    // Another tag (annotated) is fetched the usual way.
    let sub = git.read_file("sub/v0.1.0", "sub/go.mod").await.unwrap();
    assert_eq!(
        sub.as_deref(),
        Some(&b"module example.test/hinted/sub\n"[..])
    );

    // A hint that names no tag costs one failed fetch; the repository is
    // then used as if there had been no hint.
    let other = Repos::new(
        lab_runner(&lab),
        lab.root.path().join("other"),
        Duration::from_secs(60),
    );
    let git = other
        .get_for("https://example.test/hinted", Some("v9.9.9"))
        .await
        .unwrap();
    assert!(matches!(
        git.stat("v9.9.9").await,
        Err(GitError::UnknownRevision(_))
    ));
    assert_eq!(git.stat("v1.0.0").await.unwrap().name, c2);
    assert!(git.dir().join("shallow").exists());
}
