//! End-to-end tests of `modgate zip …`, `modgate dir hash` and `modgate mod hash`,
//! with the real go command as the oracle: the zip modgate writes is served to
//! `go mod download -json` through a `file://` GOPROXY, and the `Sum`/`GoModSum`
//! go computes must equal what modgate printed.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;

/// Lays out `<proxy>/<path>/@v/{list,V.info,V.mod,V.zip}` for an all-lowercase path.
fn publish(proxy: &Path, path: &str, version: &str, gomod: &Path, zip: &Path) {
    let dir = proxy.join(path).join("@v");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("list"), format!("{version}\n")).unwrap();
    fs::write(
        dir.join(format!("{version}.info")),
        format!("{{\"Version\":\"{version}\",\"Time\":\"2026-01-02T03:04:05Z\"}}"),
    )
    .unwrap();
    fs::copy(gomod, dir.join(format!("{version}.mod"))).unwrap();
    fs::copy(zip, dir.join(format!("{version}.zip"))).unwrap();
}

#[test]
fn zip_create_matches_go_mod_download() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    copy_tree(&workspace_root().join("examples/hello"), &src);
    // Things the zip rules leave out, which must not change the hash go computes.
    fs::create_dir_all(src.join(".git")).unwrap();
    fs::write(src.join(".git/config"), "[core]\n").unwrap();
    fs::create_dir_all(src.join("nested")).unwrap();
    fs::write(
        src.join("nested/go.mod"),
        "module example.com/hello/nested\n",
    )
    .unwrap();
    fs::write(src.join("nested/n.go"), "package nested\n").unwrap();
    fs::write(src.join("LICENSE"), "MIT\n").unwrap();

    let zip = tmp.path().join("hello.zip");
    let out = modgate(
        &[
            "zip",
            "create",
            src.to_str().unwrap(),
            "--module",
            "example.com/hello",
            "--version",
            "v1.2.3",
            "-o",
            zip.to_str().unwrap(),
            "--verbose",
        ],
        tmp.path(),
    );
    assert!(out.status.success(), "zip create failed: {}", stderr(&out));
    let sum = stdout(&out).trim().to_string();
    assert!(sum.starts_with("h1:"), "unexpected output {sum:?}");
    let verbose = stderr(&out);
    assert!(
        verbose.contains(".git"),
        "--verbose should list the .git directory: {verbose}"
    );
    assert!(
        verbose.contains("nested"),
        "--verbose should list the nested module: {verbose}"
    );

    // zip hash of the written file agrees with what create printed.
    let out = modgate(&["zip", "hash", zip.to_str().unwrap()], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), sum);

    // zip check finds no problems.
    let out = modgate(
        &[
            "zip",
            "check",
            zip.to_str().unwrap(),
            "--module",
            "example.com/hello",
            "--version",
            "v1.2.3",
        ],
        tmp.path(),
    );
    assert!(
        out.status.success(),
        "zip check: {}{}",
        stdout(&out),
        stderr(&out)
    );

    let gomod = src.join("go.mod");
    let out = modgate(&["mod", "hash", gomod.to_str().unwrap()], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let gomod_sum = stdout(&out).trim().to_string();

    // Extract, and hash the extracted tree.
    let extracted = tmp.path().join("extracted");
    let out = modgate(
        &[
            "zip",
            "extract",
            zip.to_str().unwrap(),
            "--module",
            "example.com/hello",
            "--version",
            "v1.2.3",
            extracted.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(out.status.success(), "extract: {}", stderr(&out));
    let mode = fs::metadata(extracted.join("hello.go"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o222,
        0,
        "extracted files must be read-only, mode {mode:o}"
    );
    assert!(!extracted.join(".git").exists());
    assert!(!extracted.join("nested").exists());
    let out = modgate(
        &[
            "dir",
            "hash",
            extracted.to_str().unwrap(),
            "--module",
            "example.com/hello",
            "--version",
            "v1.2.3",
        ],
        tmp.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        sum,
        "dir hash of the extracted tree must equal the zip hash"
    );

    // The oracle.
    let proxy = tmp.path().join("proxy");
    publish(&proxy, "example.com/hello", "v1.2.3", &gomod, &zip);
    let Some(mut go) = go(tmp.path()) else { return };
    let out = run_ok(
        go.args(["mod", "download", "-json", "example.com/hello@v1.2.3"])
            .current_dir(tmp.path())
            .env("GOPROXY", format!("file://{}", proxy.display())),
    );
    let json = stdout(&out);
    assert_eq!(
        json_field(&json, "Sum").as_deref(),
        Some(sum.as_str()),
        "{json}"
    );
    assert_eq!(
        json_field(&json, "GoModSum").as_deref(),
        Some(gomod_sum.as_str()),
        "{json}"
    );
    // And go's own extraction hashes to the same value under modgate.
    let dir = json_field(&json, "Dir").expect("Dir in go mod download -json");
    let out = modgate(
        &[
            "dir",
            "hash",
            &dir,
            "--module",
            "example.com/hello",
            "--version",
            "v1.2.3",
        ],
        tmp.path(),
    );
    assert_eq!(stdout(&out).trim(), sum);
}

#[test]
fn zip_create_default_name_is_case_encoded() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    copy_tree(&workspace_root().join("examples/hello"), &src);
    let out = modgate(
        &[
            "zip",
            "create",
            src.to_str().unwrap(),
            "--module",
            "example.com/hello",
            "--version",
            "v1.0.0-RC1",
        ],
        tmp.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(tmp.path().join("v1.0.0-!r!c1.zip").is_file());
}

#[test]
fn zip_create_refuses_invalid_files_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    copy_tree(&workspace_root().join("examples/hello"), &src);
    fs::write(src.join("bad'name.go"), "package main\n").unwrap();
    fs::write(src.join("GO.MOD"), "module x\n").unwrap_or(());
    let zip = tmp.path().join("out.zip");
    let out = modgate(
        &[
            "zip",
            "create",
            src.to_str().unwrap(),
            "--module",
            "example.com/hello",
            "--version",
            "v1.0.0",
            "-o",
            zip.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("modgate: "), "{err}");
    assert!(
        err.contains("bad'name.go"),
        "error must name the file: {err}"
    );
    assert!(
        err.contains("invalid char"),
        "error must give the reason: {err}"
    );
    assert!(!zip.exists(), "nothing may be written on failure");
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".modgate"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files left behind: {leftovers:?}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_module_arguments_give_go_error_texts() {
    let tmp = tempfile::tempdir().unwrap();
    let src = workspace_root().join("examples/hello");
    let cases = [
        (
            "example.com/hello",
            "v2.0.0",
            "invalid version: should be v0 or v1, not v2",
        ),
        ("example.com/hello", "v1.0.0+bad", "not canonical"),
        (
            "Example.com/hello",
            "v1.0.0",
            "invalid char 'E' in first path element",
        ),
        ("cache", "v1.0.0", "missing dot in first path element"),
    ];
    for (path, version, want) in cases {
        let out = modgate(
            &[
                "zip",
                "create",
                src.to_str().unwrap(),
                "--module",
                path,
                "--version",
                version,
                "-o",
                "x.zip",
            ],
            tmp.path(),
        );
        assert_eq!(out.status.code(), Some(1), "{path}@{version}");
        let err = stderr(&out);
        assert!(
            err.contains(want),
            "{path}@{version}: want {want:?} in {err:?}"
        );
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "one-line error expected: {err:?}"
        );
    }
}

#[test]
fn zip_check_reports_problems_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("bad.zip");
    {
        let file = fs::File::create(&zip_path).unwrap();
        let mut w = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default();
        for name in [
            "example.com/m@v1.0.0/go.mod",
            "example.com/m@v1.0.0/ok.go",
            "example.com/m@v1.0.0/sub/go.mod",
            "example.com/m@v1.0.0/bad'.go",
            "noprefix/x.go",
        ] {
            use std::io::Write;
            w.start_file(name, opts).unwrap();
            w.write_all(b"package m\n").unwrap();
        }
        w.finish().unwrap();
    }
    let out = modgate(
        &[
            "zip",
            "check",
            zip_path.to_str().unwrap(),
            "--module",
            "example.com/m",
            "--version",
            "v1.0.0",
        ],
        tmp.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let report = stdout(&out);
    assert!(report.contains("ok.go"), "{report}");
    assert!(
        report.contains("go.mod file not in module root directory"),
        "{report}"
    );
    assert!(report.contains("invalid char"), "{report}");
    assert!(report.contains("noprefix/x.go"), "{report}");
}

#[test]
fn unreadable_inputs_fail_with_one_line_and_no_panic() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("garbage.zip"), b"this is not a zip").unwrap();
    for args in [
        vec!["zip", "hash", "missing.zip"],
        vec!["zip", "hash", "garbage.zip"],
        vec![
            "zip",
            "check",
            "garbage.zip",
            "--module",
            "example.com/m",
            "--version",
            "v1.0.0",
        ],
        vec![
            "zip",
            "extract",
            "garbage.zip",
            "--module",
            "example.com/m",
            "--version",
            "v1.0.0",
            "out",
        ],
        vec!["mod", "hash", "missing.mod"],
        vec![
            "dir",
            "hash",
            "missing-dir",
            "--module",
            "example.com/m",
            "--version",
            "v1.0.0",
        ],
    ] {
        let out = modgate(&args, tmp.path());
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(err.starts_with("modgate: "), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        if args[2] == "." {
            // A directory is named as one, not measured as a huge zip.
            assert!(err.contains("is a directory"), "{args:?}: {err}");
        }
    }
}

#[test]
fn usage_errors_exit_2_and_version_and_help_work() {
    let tmp = tempfile::tempdir().unwrap();
    let out = modgate(&["zip", "create"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let out = modgate(&["no-such-command"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let out = modgate(&["--version"], tmp.path());
    assert!(out.status.success());
    assert_eq!(
        stdout(&out).trim(),
        format!("modgate {}", env!("CARGO_PKG_VERSION"))
    );
    let out = modgate(&["help"], tmp.path());
    assert!(out.status.success());
    for cmd in ["mod", "zip", "dir"] {
        assert!(stdout(&out).contains(cmd), "help lists {cmd}");
    }
}

#[test]
fn zip_create_refuses_an_output_inside_the_module_and_follows_a_symlinked_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    copy_tree(&workspace_root().join("examples/hello"), &src);
    // Default output (VERSION.zip in the current directory) inside the module.
    let out = modgate(
        &[
            "zip",
            "create",
            ".",
            "--module",
            "example.com/hello",
            "--version",
            "v1.0.0",
        ],
        &src,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("inside the module directory"),
        "{}",
        stderr(&out)
    );
    let names: Vec<_> = fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        !names.iter().any(|n| n.to_string_lossy().contains("zip")),
        "nothing may be written into the module: {names:?}"
    );

    // A symbolic link to the module is followed, not zipped as an empty module.
    std::os::unix::fs::symlink(&src, tmp.path().join("link")).unwrap();
    let out = modgate(
        &[
            "zip",
            "create",
            "link",
            "--module",
            "example.com/hello",
            "--version",
            "v1.0.0",
            "-o",
            "via-link.zip",
        ],
        tmp.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let direct = modgate(
        &[
            "zip",
            "create",
            "src",
            "--module",
            "example.com/hello",
            "--version",
            "v1.0.0",
            "-o",
            "direct.zip",
        ],
        tmp.path(),
    );
    assert_eq!(stdout(&out), stdout(&direct));
    assert_ne!(
        stdout(&out).trim(),
        "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "empty zip"
    );

    // The zip gets the same mode as any new file here (umask applied), not 0600.
    fs::write(tmp.path().join("plain"), b"x").unwrap();
    let plain = fs::metadata(tmp.path().join("plain"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    let zip = fs::metadata(tmp.path().join("direct.zip"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(zip, plain, "zip mode {zip:o}, new-file mode {plain:o}");
}

/// Builds a zip whose last entry is stored uncompressed with a corrupted byte,
/// so extraction fails on its checksum after earlier files were written.
fn zip_with_bad_last_entry(path: &Path) {
    let file = fs::File::create(path).unwrap();
    let mut w = zip::ZipWriter::new(file);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in [
        (
            "example.com/m@v1.0.0/go.mod",
            &b"module example.com/m\n"[..],
        ),
        ("example.com/m@v1.0.0/a.go", b"package m\n"),
        (
            "example.com/m@v1.0.0/z.go",
            b"package m // MARKER-TO-CORRUPT\n",
        ),
    ] {
        use std::io::Write;
        w.start_file(name, stored).unwrap();
        w.write_all(body).unwrap();
    }
    w.finish().unwrap();
    let mut bytes = fs::read(path).unwrap();
    let at = bytes
        .windows(6)
        .position(|w| w == b"MARKER")
        .expect("stored entry data");
    bytes[at] = b'X';
    fs::write(path, bytes).unwrap();
}

#[test]
fn zip_extract_failure_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("bad.zip");
    zip_with_bad_last_entry(&zip);
    let out = modgate(
        &[
            "zip",
            "extract",
            "bad.zip",
            "--module",
            "example.com/m",
            "--version",
            "v1.0.0",
            "out",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("checksum"), "{}", stderr(&out));
    let left: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        vec!["bad.zip".to_string()],
        "partial extraction left behind"
    );
}

#[test]
fn closed_stdout_ends_quietly_without_a_panic() {
    use std::process::{Command, Stdio};
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("many.zip");
    {
        let file = fs::File::create(&zip_path).unwrap();
        let mut w = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default();
        // Enough entries that the report overflows a pipe buffer.
        for i in 0..4000 {
            w.start_file(format!("example.com/m@v1.0.0/pkg/file{i:05}.go"), opts)
                .unwrap();
        }
        w.finish().unwrap();
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_modgate"))
        .args([
            "zip",
            "check",
            "many.zip",
            "--module",
            "example.com/m",
            "--version",
            "v1.0.0",
        ])
        .current_dir(tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away, as with `| head -0`
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.is_empty(),
        "a closed pipe is not an error worth reporting: {err}"
    );
    // The exit status is still the check's verdict: every entry is valid.
    assert_eq!(out.status.code(), Some(0));
}
