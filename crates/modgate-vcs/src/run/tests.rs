//! Runner tests: output, exit errors, the environment and timeouts that
//! kill the whole process group.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use super::*;

/// A runner whose git sees the lab's configuration (its `insteadOf` rules).
pub(crate) fn lab_runner(lab: &modgate_testkit::git::Lab) -> Runner {
    Runner::new(Duration::from_secs(30), 4)
        .with_env("GIT_CONFIG_GLOBAL", lab.gitconfig())
        .with_env("GIT_CONFIG_NOSYSTEM", "1")
}

fn fake_git(dir: &Path, body: &str) -> PathBuf {
    let p = dir.join("fake-git");
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// A process is gone once /proc no longer lists it, or lists it as a zombie
/// waiting for init (which is not ours to reap).
fn gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(s) => s
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[tokio::test]
async fn output_and_exit_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let git = fake_git(
        tmp.path(),
        "if [ \"$1\" = ok ]; then echo \"out $GIT_TERMINAL_PROMPT $GCM_INTERACTIVE\"; exit 0; fi\necho 'fatal: bad' >&2; exit 3",
    );
    let r = Runner::new(Duration::from_secs(10), 2).with_git(&git);
    let out = r.output(tmp.path(), &["ok"]).await.unwrap();
    let want = format!(
        "out {} {}\n",
        std::env::var("GIT_TERMINAL_PROMPT").unwrap_or_else(|_| "0".into()),
        std::env::var("GCM_INTERACTIVE").unwrap_or_else(|_| "never".into())
    );
    assert_eq!(String::from_utf8(out).unwrap(), want);
    let err = r.output(tmp.path(), &["bad", "x"]).await.unwrap_err();
    assert_eq!(err.exit_code(), Some(3));
    assert_eq!(err.stderr(), "fatal: bad\n");
    assert_eq!(err.to_string(), "git bad x: exit status: 3:\n\tfatal: bad");
}

#[tokio::test]
async fn timeout_kills_the_process_group() {
    let tmp = tempfile::tempdir().unwrap();
    let pids = tmp.path().join("pids");
    let git = fake_git(
        tmp.path(),
        &format!("sleep 300 &\necho $$ $! > {}\nwait", pids.display()),
    );
    let r = Runner::new(Duration::from_millis(500), 1).with_git(&git);
    let start = Instant::now();
    let err = r.output(tmp.path(), &["fetch"]).await.unwrap_err();
    assert!(matches!(err, RunError::Timeout { .. }), "{err}");
    assert!(start.elapsed() < Duration::from_secs(5));
    let text = std::fs::read_to_string(&pids).unwrap();
    let ids: Vec<i32> = text
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !ids.iter().all(|&p| gone(p)) {
        assert!(Instant::now() < deadline, "processes {ids:?} still running");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The permit came back: another run can start.
    let err = r.output(tmp.path(), &["again"]).await.unwrap_err();
    assert!(matches!(err, RunError::Timeout { .. }));
}

#[tokio::test]
async fn dropping_the_future_kills_the_group() {
    let tmp = tempfile::tempdir().unwrap();
    let pids = tmp.path().join("pids");
    let git = fake_git(
        tmp.path(),
        &format!("sleep 300 &\necho $$ $! > {}\nwait", pids.display()),
    );
    let r = Runner::new(Duration::from_secs(60), 1).with_git(&git);
    let run = r.output(tmp.path(), &["fetch"]);
    let _ = tokio::time::timeout(Duration::from_millis(500), run).await;
    let text = std::fs::read_to_string(&pids).unwrap();
    let ids: Vec<i32> = text
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !ids.iter().all(|&p| gone(p)) {
        assert!(Instant::now() < deadline, "processes {ids:?} still running");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn concurrency_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let git = fake_git(tmp.path(), "sleep 0.3");
    let r = Runner::new(Duration::from_secs(10), 1).with_git(&git);
    let start = Instant::now();
    let (a, b) = tokio::join!(r.output(tmp.path(), &["a"]), r.output(tmp.path(), &["b"]));
    a.unwrap();
    b.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(600));
}

/// Whether any live process mentions `needle` on its command line.
fn live_with_arg(needle: &str) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if String::from_utf8_lossy(&cmdline).contains(needle) && !gone(pid) {
            found.push(pid);
        }
    }
    found
}

#[tokio::test]
async fn real_git_against_a_silent_server_is_killed_with_its_helpers() {
    // A server that accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{port}/silent/repo");
    let r = Runner::new(Duration::from_secs(2), 1)
        .with_env("GIT_CONFIG_GLOBAL", "/dev/null")
        .with_env("GIT_CONFIG_NOSYSTEM", "1");
    let start = Instant::now();
    let err = r
        .output(tmp.path(), &["ls-remote", "-q", "--end-of-options", &url])
        .await
        .unwrap_err();
    assert!(matches!(err, RunError::Timeout { .. }), "{err}");
    assert!(start.elapsed() < Duration::from_secs(10));
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let live = live_with_arg(&url);
        if live.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "still running: {live:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
