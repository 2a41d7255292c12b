//! Go toolchain modules for the switch tests: `golang.org/toolchain` at
//! `v0.0.1-go<V>.<GOOS>-<GOARCH>`, whose `bin/go` is a shell script printing a marker
//! (the go command execs it, with `GOROOT` set to the unpacked module), and a go
//! command set to switch to it.

use std::path::Path;
use std::process::Command;

pub const MODULE: &str = "golang.org/toolchain";

/// A toolchain newer than any real one, so go must download it.
pub const NEWER: &str = "go1.99.0";

/// What the fake toolchain's `bin/go` prints first.
pub const MARKER: &str = "modgate-test-toolchain";

/// The `go env GOOS GOARCH` of the go command (the platform of the toolchain it
/// downloads), or None when go is missing.
pub fn platform() -> Option<String> {
    let go = modgate_testkit::go::binary()?;
    let home = tempfile::tempdir().unwrap();
    let out = super::run_ok(
        modgate_testkit::go::sealed(&go, home.path()).args(["env", "GOOS", "GOARCH"]),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let (os, arch) = (lines.next().unwrap(), lines.next().unwrap());
    Some(format!("{os}-{arch}"))
}

/// The module version of toolchain `name` (e.g. `go1.99.0`) for `platform`.
pub fn version(name: &str, platform: &str) -> String {
    format!("v0.0.1-{name}.{platform}")
}

/// The `bin/go` of a fake toolchain: prints the marker, the toolchain go says it
/// invoked it to provide, its arguments and its GOROOT.
pub fn script() -> String {
    format!(
        "#!/bin/sh\necho \"{MARKER} $GOTOOLCHAIN_INTERNAL_SWITCH_VERSION $*\"\necho \"GOROOT=$GOROOT\"\n"
    )
}

/// Writes a fake toolchain tree into `dir`: `bin/go` and what go expects beside it
/// when it unpacks a toolchain (`bin/gofmt`, `pkg/tool/` and `lib/`, whose files it
/// makes executable; it fails if one is missing).
pub fn tree(dir: &Path) {
    for (name, content) in [
        ("bin/go", script()),
        ("bin/gofmt", "#!/bin/sh\nexit 1\n".to_owned()),
        ("pkg/tool/any/vet", "not a real tool\n".to_owned()),
        ("lib/time/README", "not a real zoneinfo\n".to_owned()),
    ] {
        let f = dir.join(name);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, content).unwrap();
    }
}

/// `go version` under `GOTOOLCHAIN=<toolchain>` through `goproxy`, verifying with
/// `gosumdb`, with a fresh module cache under `home`.
pub fn switch(home: &Path, goproxy: &str, gosumdb: &str, toolchain: &str) -> Option<Command> {
    let mut cmd = super::go(home, goproxy)?;
    cmd.env("GOTOOLCHAIN", toolchain)
        .env("GOSUMDB", gosumdb)
        .current_dir(home)
        .arg("version");
    Some(cmd)
}

/// Asserts `out` is the fake toolchain's, run for `toolchain` from the module cache
/// of the go command of [`switch`] under `home`, where go unpacked `version`.
pub fn assert_ran(out: &std::process::Output, home: &Path, toolchain: &str, version: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "switch failed:\n{}\n{stdout}",
        super::stderr(out)
    );
    let goroot = home.join("gomodcache").join(format!("{MODULE}@{version}"));
    assert_eq!(
        stdout,
        format!(
            "{MARKER} {toolchain} version\nGOROOT={}\n",
            goroot.display()
        )
    );
    // go made the zip's files executable itself (zips carry no modes).
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(goroot.join("bin/go"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o111, 0o111, "{mode:o}");
}
