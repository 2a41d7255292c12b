//! Helpers shared by the CLI's end-to-end tests: run the built `modgate`
//! binary, and run the real `go` command in a sealed environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `modgate` binary built for this test run.
pub fn modgate(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_modgate"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run modgate")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A `go` command with a private GOPATH, module cache and build cache under
/// `home`, no network (GOPROXY=off unless the caller overrides it) and no
/// toolchain switching. Returns None (after saying so) when `go` is missing,
/// unless MODGATE_REQUIRE_GO=1, in which case a missing `go` is a failure.
pub fn go(home: &Path) -> Option<Command> {
    let found = Command::new("go")
        .arg("version")
        .output()
        .map(|o| o.status.success());
    if !matches!(found, Ok(true)) {
        if std::env::var("MODGATE_REQUIRE_GO").as_deref() == Ok("1") {
            panic!("go not found on PATH, and MODGATE_REQUIRE_GO=1 requires it");
        }
        eprintln!("skipping: go not found");
        return None;
    }
    let mut cmd = Command::new("go");
    cmd.env("GOPATH", home.join("gopath"))
        .env("GOMODCACHE", home.join("gomodcache"))
        .env("GOCACHE", home.join("gocache"))
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GONOSUMDB", "")
        .env("GOPRIVATE", "")
        .env("GONOPROXY", "")
        .env("GOWORK", "off")
        .env("GOENV", "off");
    Some(cmd)
}

/// Runs a prepared command and returns its output, failing the test with
/// the command's stderr when it exits non-zero.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        stderr(&out),
        stdout(&out)
    );
    out
}

/// Copies a directory tree (regular files only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Extracts one string field from `go mod download -json` output without a
/// JSON dependency (the fields we read are plain h1:/path strings).
pub fn json_field(json: &str, field: &str) -> Option<String> {
    let key = format!("\"{field}\": \"");
    let start = json.find(&key)? + key.len();
    let end = json[start..].find('"')? + start;
    Some(json[start..end].to_string())
}
