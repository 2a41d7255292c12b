//! Checks the go.sum reader and writer against the real go command.
//!
//! The test fabricates a `file://` GOPROXY (hand-written `.info`, `.mod` and
//! `.zip` files) holding a small module graph chosen to exercise go.sum order:
//! byte order of paths (`Upper` < `a` < `a-b` < `a/v2`), semver order of
//! versions (`rc.9` < `rc.10`, `v1.9.0` < `v1.10.0`), a pseudo-version,
//! `+incompatible`, and old versions present only as `/go.mod` entries. Then:
//!
//! 1. `go mod tidy` writes go.sum; parsing and re-writing it must give the
//!    same bytes.
//! 2. For several shuffles of those lines, with duplicates, blank lines, odd
//!    spacing, an unknown-algorithm hash, the dropped empty-go.mod hash, a
//!    malformed line and an unneeded module mixed in, `go mod tidy` rewrites
//!    go.sum; parsing the same input in tidy mode, dropping the unneeded
//!    module and writing must give go's bytes.
//! 3. A go.sum line with the wrong number of fields makes `go list -m all`
//!    fail with exactly our error text.
//!
//! `go` runs with a private GOPATH, GOMODCACHE and GOCACHE, `GOSUMDB=off`,
//! `GOTOOLCHAIN=local` and no network. If `go` is not on PATH the test is
//! skipped, unless `MODGATE_REQUIRE_GO=1`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use modgate_core::gosum::{self, ParseMode};
use modgate_core::module::{self, Version};

struct Sandbox {
    go: PathBuf,
    root: tempfile::TempDir,
}

impl Sandbox {
    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// Runs `go args...` in the main module with a hermetic environment.
    fn go(&self, args: &[&str]) -> std::process::Output {
        let proxy = format!("file://{}", self.path("proxy").display());
        Command::new(&self.go)
            .args(args)
            .current_dir(self.path("main"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path("home"))
            .env("GOPATH", self.path("gopath"))
            .env("GOMODCACHE", self.path("modcache"))
            .env("GOCACHE", self.path("gocache"))
            .env("GOENV", "off")
            .env("GOFLAGS", "-mod=mod -modcacherw")
            .env("GOPROXY", proxy)
            .env("GONOSUMDB", "")
            .env("GOSUMDB", "off")
            .env("GOTOOLCHAIN", "local")
            .env("GOWORK", "off")
            .output()
            .expect("running go")
    }

    fn tidy(&self) -> Vec<u8> {
        let out = self.go(&["mod", "tidy"]);
        assert!(
            out.status.success(),
            "go mod tidy failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        fs::read(self.path("main/go.sum")).unwrap()
    }
}

/// Adds `path@version` to the proxy: list, .info, .mod and a .zip holding the
/// go.mod (unless `zip_go_mod` is false) and one Go file.
fn add_module(proxy: &Path, path: &str, version: &str, go_mod: &str, zip_go_mod: bool) {
    let dir = proxy.join(module::escape_path(path).unwrap()).join("@v");
    fs::create_dir_all(&dir).unwrap();
    let ev = module::escape_version(version).unwrap();
    let mut list = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("list"))
        .unwrap();
    writeln!(list, "{version}").unwrap();
    fs::write(
        dir.join(format!("{ev}.info")),
        format!(r#"{{"Version":"{version}","Time":"2020-01-01T00:00:00Z"}}"#),
    )
    .unwrap();
    fs::write(dir.join(format!("{ev}.mod")), go_mod).unwrap();

    let file = fs::File::create(dir.join(format!("{ev}.zip"))).unwrap();
    let mut z = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default();
    if zip_go_mod {
        z.start_file(format!("{path}@{version}/go.mod"), opts)
            .unwrap();
        z.write_all(go_mod.as_bytes()).unwrap();
    }
    let pkg = path.rsplit('/').next().unwrap().replace(['-', '.'], "");
    z.start_file(format!("{path}@{version}/p.go"), opts)
        .unwrap();
    writeln!(z, "package {}", pkg.to_lowercase()).unwrap();
    z.finish().unwrap();
}

fn sandbox() -> Option<Sandbox> {
    let go = modgate_testkit::go::binary()?;
    let sb = Sandbox {
        go,
        root: tempfile::tempdir().unwrap(),
    };
    let proxy = sb.path("proxy");
    let gomod = |path: &str, extra: &str| format!("module {path}\n\ngo 1.16\n{extra}");
    for v in ["v1.2.0", "v1.9.0", "v1.10.0"] {
        add_module(
            &proxy,
            "example.com/a",
            v,
            &gomod("example.com/a", ""),
            true,
        );
    }
    add_module(
        &proxy,
        "example.com/a/v2",
        "v2.0.0",
        &gomod("example.com/a/v2", ""),
        true,
    );
    add_module(
        &proxy,
        "example.com/a-b",
        "v0.0.0-20200101000000-abcdefabcdef",
        &gomod("example.com/a-b", ""),
        true,
    );
    for v in ["v1.0.0-rc.9", "v1.0.0-rc.10"] {
        add_module(
            &proxy,
            "example.com/Upper",
            v,
            &gomod("example.com/Upper", ""),
            true,
        );
    }
    add_module(
        &proxy,
        "example.com/inc",
        "v2.0.0+incompatible",
        "module example.com/inc\n",
        false,
    );
    add_module(
        &proxy,
        "example.com/d",
        "v1.0.0",
        &gomod(
            "example.com/d",
            "\nrequire (\n\texample.com/a v1.9.0\n\texample.com/e v1.0.0\n\texample.com/Upper v1.0.0-rc.9\n)\n",
        ),
        true,
    );
    add_module(
        &proxy,
        "example.com/e",
        "v1.0.0",
        &gomod("example.com/e", "\nrequire example.com/a v1.2.0\n"),
        true,
    );

    let main = sb.path("main");
    fs::create_dir_all(&main).unwrap();
    fs::create_dir_all(sb.path("home")).unwrap();
    fs::write(
        main.join("go.mod"),
        "module example.com/main\n\ngo 1.21\n\nrequire (\n\
         \texample.com/Upper v1.0.0-rc.10\n\
         \texample.com/a v1.10.0\n\
         \texample.com/a-b v0.0.0-20200101000000-abcdefabcdef\n\
         \texample.com/a/v2 v2.0.0\n\
         \texample.com/d v1.0.0\n\
         \texample.com/inc v2.0.0+incompatible\n)\n",
    )
    .unwrap();
    fs::write(
        main.join("main.go"),
        "package main\n\nimport (\n\
         \t_ \"example.com/Upper\"\n\
         \t_ \"example.com/a\"\n\
         \t_ \"example.com/a-b\"\n\
         \t_ \"example.com/a/v2\"\n\
         \t_ \"example.com/d\"\n\
         \t_ \"example.com/inc\"\n)\n\nfunc main() {}\n",
    )
    .unwrap();
    Some(sb)
}

/// A deterministic shuffle (xorshift).
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

#[test]
fn go_sum_matches_go_command() {
    let Some(sb) = sandbox() else { return };

    // 1. go's own output round-trips.
    let golden = sb.tidy();
    let golden_text = String::from_utf8(golden.clone()).unwrap();
    assert_eq!(
        golden_text.lines().count(),
        16,
        "unexpected go.sum:\n{golden_text}"
    );
    let sum = gosum::parse("go.sum", &golden, ParseMode::Strict).unwrap();
    assert_eq!(String::from_utf8(sum.to_bytes()).unwrap(), golden_text);
    assert!(
        gosum::validate("go.sum", &golden).is_empty(),
        "{:?}",
        gosum::validate("go.sum", &golden)
    );

    // 2. Shuffled, messy input: go mod tidy and our writer agree.
    let first = golden_text.lines().next().unwrap().to_string();
    let d_line = golden_text
        .lines()
        .find(|l| l.starts_with("example.com/d v1.0.0 "))
        .unwrap()
        .replacen(' ', "\u{a0}", 1);
    for seed in [3, 17, 2024] {
        let mut lines: Vec<String> = golden_text.lines().map(str::to_string).collect();
        lines.extend([
            first.clone(),
            "example.com/a v1.10.0 h2:xyzzy".to_string(),
            format!("example.com/e v1.0.0/go.mod {}", gosum::EMPTY_GO_MOD_HASH),
            String::new(),
            "this line is malformed".to_string(),
            format!("  {d_line}\r"),
            // Not needed by the build: tidy drops it, which forces a rewrite.
            "example.com/zzz v1.0.0 h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".to_string(),
        ]);
        shuffle(&mut lines, seed);
        let input = lines.join("\n");
        fs::write(sb.path("main/go.sum"), &input).unwrap();
        let from_go = String::from_utf8(sb.tidy()).unwrap();

        let mut ours = gosum::parse("go.sum", input.as_bytes(), ParseMode::Tidy).unwrap();
        assert!(
            ours.remove(&Version::new("example.com/zzz", "v1.0.0"))
                .is_some()
        );
        assert_eq!(
            String::from_utf8(ours.to_bytes()).unwrap(),
            from_go,
            "seed {seed}"
        );
        assert!(from_go.contains("example.com/a v1.10.0 h2:xyzzy\n"));
    }

    // 3. The strict parse error is the go command's message (which it prints
    //    as is, without its usual "go: " prefix).
    let bad = format!("{golden_text}\n  \nx y z w\n");
    fs::write(sb.path("main/go.sum"), &bad).unwrap();
    let out = sb.go(&["list", "-m", "all"]);
    assert!(!out.status.success());
    let file = sb.path("main/go.sum").display().to_string();
    let err = gosum::parse(&file, bad.as_bytes(), ParseMode::Strict).unwrap_err();
    assert_eq!(String::from_utf8_lossy(&out.stderr), format!("{err}\n"));
}
