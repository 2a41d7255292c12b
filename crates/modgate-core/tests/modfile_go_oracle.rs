//! Oracle test: our go.mod / go.work formatting, JSON and errors against the
//! real go command.
//!
//! For every file in `tests/testdata/modfile/gomod/*.mod` the file is copied
//! into a fresh temporary directory as `go.mod` and the test runs
//! `go mod edit -json go.mod` and `go mod edit -fmt go.mod` there (with the
//! directory as working directory, so Go names the file `go.mod` in its
//! errors), then compares:
//!
//! * the rewritten file with [`format_gomod`], byte for byte;
//! * stdout of `-json` with [`json_gomod`], byte for byte;
//! * when go rejects the file: that we reject it too, and that our error text
//!   equals what go prints after its `go: errors parsing go.mod:` header.
//!
//! `tests/testdata/modfile/gowork/*.work` are checked the same way with
//! `go work edit -json/-fmt go.work` (whose header is two lines). Setting
//! `MODGATE_MODFILE_CORPUS` runs the same comparison on another directory with
//! `gomod/` and `gowork/` subdirectories.
//!
//! go runs offline and isolated: private GOPATH/GOMODCACHE/GOCACHE,
//! `GOTOOLCHAIN=local`, `GOFLAGS=-mod=mod`, `GOPROXY=off`, `GOSUMDB=off`,
//! `GOWORK=off` for go.mod files. If `go` is not on PATH the test is skipped,
//! unless `MODGATE_REQUIRE_GO=1`, in which case it fails.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use modgate_core::modfile::{format_gomod, format_gowork, json_gomod, json_gowork};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Mod,
    Work,
}

impl Kind {
    fn file_name(self) -> &'static str {
        match self {
            Kind::Mod => "go.mod",
            Kind::Work => "go.work",
        }
    }

    /// The lines go prints before the parse errors.
    fn error_header(self) -> &'static str {
        match self {
            Kind::Mod => "go: errors parsing go.mod:\n",
            Kind::Work => "go: errors parsing go.work:\nerrors parsing go.work:\n",
        }
    }

    fn ours_fmt(self, data: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            Kind::Mod => format_gomod("go.mod", data),
            Kind::Work => format_gowork("go.work", data),
        }
        .map_err(|e| e.to_string())
    }

    fn ours_json(self, data: &[u8]) -> Result<String, String> {
        match self {
            Kind::Mod => json_gomod("go.mod", data),
            Kind::Work => json_gowork("go.work", data),
        }
        .map_err(|e| e.to_string())
    }
}

struct GoEnv {
    go: PathBuf,
    home: tempfile::TempDir,
}

/// Bytes to text the way our error messages render invalid UTF-8: each byte
/// that does not start a valid sequence becomes one U+FFFD (Go's view of such
/// a byte), unlike `from_utf8_lossy`, which may merge several bytes into one.
fn per_byte_lossy(mut b: &[u8]) -> String {
    let mut out = String::new();
    loop {
        match std::str::from_utf8(b) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (valid, rest) = b.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{fffd}');
                b = &rest[1..];
            }
        }
    }
}

struct GoOutput {
    ok: bool,
    stdout: Vec<u8>,
    stderr: String,
}

impl GoEnv {
    fn run(&self, dir: &Path, kind: Kind, flag: &str) -> GoOutput {
        let sub = match kind {
            Kind::Mod => "mod",
            Kind::Work => "work",
        };
        let home = self.home.path();
        let mut cmd = Command::new(&self.go);
        cmd.args([sub, "edit", flag, kind.file_name()])
            .current_dir(dir)
            .env("GOPATH", home.join("gopath"))
            .env("GOMODCACHE", home.join("gopath/pkg/mod"))
            .env("GOCACHE", home.join("cache"))
            .env("GOENV", "off")
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off")
            .env("GOSUMDB", "off")
            .env("GONOSUMDB", "")
            .env("GOPRIVATE", "")
            .env("HOME", home);
        if kind == Kind::Mod {
            cmd.env("GOWORK", "off");
        } else {
            cmd.env_remove("GOWORK");
        }
        let out = cmd.output().expect("running go");
        GoOutput {
            ok: out.status.success(),
            stdout: out.stdout,
            stderr: per_byte_lossy(&out.stderr),
        }
    }
}

fn corpus(kind: Kind) -> Vec<PathBuf> {
    let (sub, ext) = match kind {
        Kind::Mod => ("gomod", "mod"),
        Kind::Work => ("gowork", "work"),
    };
    // MODGATE_MODFILE_CORPUS points at another corpus with the same layout
    // (for example a large generated one); by default, the committed corpus.
    let root = std::env::var_os("MODGATE_MODFILE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/modfile"));
    let dir = root.join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// Compares one corpus file; returns a description of every mismatch and
/// whether go accepted the file.
fn check_file(env: &GoEnv, kind: Kind, path: &Path) -> (Vec<String>, bool) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let data = std::fs::read(path).expect("read corpus file");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(kind.file_name());
    std::fs::write(&file, &data).expect("write temp file");
    let tmp = dir.path().to_string_lossy().into_owned();
    let normalize = |s: &str| s.replace(&tmp, "$WORK");

    let mut problems = Vec::new();
    let go_json = env.run(dir.path(), kind, "-json");
    // -fmt parses exactly like -json; when -json fails, -fmt fails with the same
    // errors, so only run it (it rewrites the file) for accepted files.
    let go_fmt = if go_json.ok {
        env.run(dir.path(), kind, "-fmt")
    } else {
        GoOutput {
            ok: false,
            stdout: Vec::new(),
            stderr: go_json.stderr.clone(),
        }
    };
    let go_fmt_bytes = std::fs::read(&file).expect("read formatted file");
    let ours_fmt = kind.ours_fmt(&data);
    let ours_json = kind.ours_json(&data);

    if go_json.ok != go_fmt.ok {
        problems.push(format!("{name}: go -json and -fmt disagree on success"));
    }
    if go_fmt.ok {
        match &ours_fmt {
            Ok(b) if *b == go_fmt_bytes => {}
            Ok(b) => problems.push(format!(
                "{name}: -fmt differs\n--- go\n{}\n--- ours\n{}",
                String::from_utf8_lossy(&go_fmt_bytes),
                String::from_utf8_lossy(b)
            )),
            Err(e) => problems.push(format!("{name}: go accepts, we reject: {e}")),
        }
    } else if let Ok(b) = &ours_fmt {
        problems.push(format!(
            "{name}: go rejects ({}), we accept:\n{}",
            go_fmt.stderr.trim_end(),
            String::from_utf8_lossy(b)
        ));
    }
    if go_json.ok {
        let go_stdout = String::from_utf8_lossy(&go_json.stdout);
        match &ours_json {
            Ok(j) if *j == go_stdout => {}
            Ok(j) => problems.push(format!(
                "{name}: -json differs\n--- go\n{go_stdout}--- ours\n{j}"
            )),
            Err(e) => problems.push(format!("{name}: go accepts, we reject (json): {e}")),
        }
    } else {
        let stderr = normalize(&go_json.stderr);
        match stderr.strip_prefix(kind.error_header()) {
            None => problems.push(format!("{name}: unexpected go failure:\n{stderr}")),
            Some(go_errs) => match &ours_json {
                Ok(_) => problems.push(format!("{name}: go rejects, we accept (json)")),
                Err(e) => {
                    let ours = format!("{}\n", normalize(e));
                    if ours != go_errs {
                        problems.push(format!(
                            "{name}: error text differs\n--- go\n{go_errs}--- ours\n{ours}"
                        ));
                    }
                    if ours_fmt.as_ref().err() != Some(e) {
                        problems.push(format!("{name}: -fmt and -json errors differ"));
                    }
                }
            },
        }
    }
    (problems, go_json.ok)
}

#[test]
fn modfile_matches_go() {
    let Some(go) = modgate_testkit::go::binary() else {
        return;
    };
    println!("using {}", go.display());
    let env = GoEnv {
        go,
        home: tempfile::tempdir().expect("temp dir"),
    };

    let mut jobs: Vec<(Kind, PathBuf)> = Vec::new();
    for kind in [Kind::Mod, Kind::Work] {
        jobs.extend(corpus(kind).into_iter().map(|p| (kind, p)));
    }
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((kind, path)) = jobs.get(i) else {
                        break;
                    };
                    let r = check_file(&env, *kind, path);
                    results.lock().unwrap().push((*kind, r));
                }
            });
        }
    });
    let results = results.into_inner().unwrap();

    let count = |k: Kind| results.iter().filter(|(kind, _)| *kind == k).count();
    let rejected = |k: Kind| {
        results
            .iter()
            .filter(|(kind, (_, ok))| *kind == k && !ok)
            .count()
    };
    let problems: Vec<&String> = results.iter().flat_map(|(_, (p, _))| p).collect();
    println!(
        "compared with go: {} go.mod files ({} rejected by go), {} go.work files ({} rejected by go); {} mismatches",
        count(Kind::Mod),
        rejected(Kind::Mod),
        count(Kind::Work),
        rejected(Kind::Work),
        problems.len()
    );
    assert!(
        count(Kind::Mod) >= 80,
        "corpus too small: {} go.mod files",
        count(Kind::Mod)
    );
    assert!(
        count(Kind::Work) >= 15,
        "corpus too small: {} go.work files",
        count(Kind::Work)
    );
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{p}\n");
        }
        panic!("{} mismatches with go", problems.len());
    }
}
