//! The real go command as the oracle for module zips and `h1:` hashes.
//!
//! Builds a dozen varied module trees, zips each with
//! [`create_from_dir`] into a `file://` GOPROXY, and has
//! `go mod download -json` fetch it. Go verifies the zip while extracting
//! it, and reports `Sum` (its hash of our zip) and `GoModSum`; both must
//! equal ours ([`hash_zip_file`], the hash [`create_from_dir`] computed
//! while writing, [`hash_gomod`]), and [`hash_dir`] of the
//! tree Go extracted, and of the tree our [`unzip`] extracts, must equal
//! `Sum` too. `Sum` must also equal the hash of the zip x/mod's
//! `CreateFromDir` makes of the same tree (recorded per tree), so the choice
//! of files is checked, not only the hashing.
//!
//! Runs `go` offline with a private GOPATH, GOMODCACHE and GOCACHE. Without
//! `go` on PATH the test prints "skipping: go not found", unless
//! `MODGATE_REQUIRE_GO=1`, when it fails.

use std::fs;
use std::path::{Path, PathBuf};

use modgate_core::dirhash::{hash_dir, hash_gomod, hash_zip_file};
use modgate_core::module::{Version, escape_path, escape_version};
use modgate_core::zip::{create_from_dir, unzip};

/// A module tree to publish: its path, version, and files (`None` content
/// makes an empty directory; `Some` with a `->` prefix makes a symlink).
struct Tree {
    path: &'static str,
    version: &'static str,
    /// The hash of the zip x/mod's `CreateFromDir` makes of this tree
    /// (computed once with x/mod): checks which files we include.
    xmod_sum: &'static str,
    files: Vec<(String, Option<String>)>,
}

fn file(name: &str, content: &str) -> (String, Option<String>) {
    (name.to_string(), Some(content.to_string()))
}

fn empty_dir(name: &str) -> (String, Option<String>) {
    (name.to_string(), None)
}

fn trees() -> Vec<Tree> {
    let gomod = |path: &str, go: &str| format!("module {path}\n\ngo {go}\n");
    vec![
        Tree {
            path: "example.com/simple",
            xmod_sum: "h1:aBBMTah3NZg/yCwuy949FhF1EYatcwvpnmYYM0aGPwY=",
            version: "v1.0.0",
            files: vec![
                file("go.mod", &gomod("example.com/simple", "1.13")),
                file("simple.go", "package simple\n"),
                file("cmd/hello/hello.go", "package main\n\nfunc main() {}\n"),
            ],
        },
        Tree {
            path: "example.com/nested",
            xmod_sum: "h1:aC0+bpUFGWKWfyBmssVVmqa9BaK7aOgfSlJ+5vKO/4Q=",
            version: "v1.1.0",
            files: vec![
                file("go.mod", &gomod("example.com/nested", "1.21")),
                file("nested.go", "package nested\n"),
                file("inner/go.mod", &gomod("example.com/nested/inner", "1.21")),
                file("inner/inner.go", "package inner\n"),
                file("caps/GO.MOD", "module example.com/nested/caps\n"),
                file("caps/caps.go", "package caps\n"),
                file("y/go.mod/dir.go", "package dir\n"),
            ],
        },
        Tree {
            path: "example.com/vendor113",
            xmod_sum: "h1:c+M6JTzFmkoPgplHg4uvwbEoHQn2pks12NUaKZO9AJ4=",
            version: "v1.0.0",
            files: vec![
                file("go.mod", &gomod("example.com/vendor113", "1.13")),
                file("v.go", "package vendor113\n"),
                file("vendor/modules.txt", "# example.com/x v1.0.0\n"),
                file("vendor/example.com/x/x.go", "package x\n"),
                file("pkg/vendor/vendor.go", "package vendor\n"),
                file("pkg/vendor/sub/s.go", "package sub\n"),
            ],
        },
        Tree {
            path: "example.com/vendor124",
            xmod_sum: "h1:5Vsk/1sqOywtIrD20p7D1q01I4uglk3FER+Qqd2pmIg=",
            version: "v1.0.0",
            files: vec![
                file("go.mod", &gomod("example.com/vendor124", "1.24")),
                file("v.go", "package vendor124\n"),
                file("vendor/modules.txt", "# example.com/x v1.0.0\n"),
                file("vendor/example.com/x/x.go", "package x\n"),
                file("pkg/vendor/vendor.go", "package vendor\n"),
                file("pkg/vendor/sub/s.go", "package sub\n"),
            ],
        },
        Tree {
            path: "example.com/licensed",
            xmod_sum: "h1:Jq8QGR2GajXRuPlydp90B4t/PZwNTnXEHsJ8y5gHbx0=",
            version: "v0.3.1",
            files: vec![
                file("go.mod", &gomod("example.com/licensed", "1.22")),
                file(
                    "LICENSE",
                    "Copyright (c) The Authors.\n\nPermission is granted.\n",
                ),
                file("README.md", "# licensed\n"),
                file("doc/guide.txt", "guide\n"),
                file("l.go", "package licensed\n"),
            ],
        },
        Tree {
            path: "example.com/unicode",
            xmod_sum: "h1:hAxGccs1lwS9mbbH3botoI4IRZJU0oZ1BvLXwqFZuc8=",
            version: "v1.0.0",
            files: vec![
                file("go.mod", &gomod("example.com/unicode", "1.20")),
                file("ünïcode.go", "package unicode\n"),
                file("日本/語.go", "package 日本\n"),
                file("with space.txt", "spaces\n"),
                file("Ωmega/ø.txt", "greek\n"),
                file("-dash.txt", "leading dash\n"),
            ],
        },
        Tree {
            path: "example.com/vcs",
            xmod_sum: "h1:1c3Vh7U8dV/fkeZ40O5FAnhJaCNYz8OSjAhkKQS6tBQ=",
            version: "v1.0.0",
            files: vec![
                file("go.mod", &gomod("example.com/vcs", "1.19")),
                file("vcs.go", "package vcs\n"),
                file(".git/config", "[core]\n"),
                file(".git/objects/ab/cdef", "blob\n"),
                file("sub/.hg/store", "x\n"),
                file("sub/.svn/entries", "x\n"),
                file(".bzr/branch", "x\n"),
                file(".hg_archival.txt", "repo: x\n"),
                file("sub/sub.go", "package sub\n"),
                file(".gitignore", "*.o\n"),
            ],
        },
        Tree {
            path: "example.com/deep",
            xmod_sum: "h1:kz0LArE7UKFqLnDAg2yP3szIIx09sth4CUFk+QunOys=",
            version: "v1.0.0-rc.1",
            files: vec![
                file("go.mod", &gomod("example.com/deep", "1.18")),
                file("a/b/c/d/e/f/g.go", "package f\n"),
                file("a/b/x.go", "package b\n"),
                empty_dir("empty"),
                empty_dir("a/b/c/also-empty"),
                file("link-target.txt", "target\n"),
                ("a.link".to_string(), Some("->link-target.txt".to_string())),
            ],
        },
        Tree {
            path: "example.com/major/v2",
            xmod_sum: "h1:YauxQ1Om7TRAe3yJRn1zFezs9IX8/djymCNTxwCGS0Q=",
            version: "v2.1.0",
            files: vec![
                file("go.mod", &gomod("example.com/major/v2", "1.17")),
                file("major.go", "package major\n"),
            ],
        },
        Tree {
            path: "example.com/CapsMod",
            xmod_sum: "h1:enz3860tHikRHL6AEmmQ9l4U82a0rhkROlW6ysCTdOo=",
            version: "v1.0.0",
            files: vec![
                file("go.mod", &gomod("example.com/CapsMod", "1.16")),
                file("Caps.go", "package capsmod\n"),
            ],
        },
        Tree {
            path: "example.com/nomod",
            xmod_sum: "h1:txhe83CFBrwVBabnOzFPmb0N5is8vsgj9V+RqssoDgk=",
            version: "v1.0.0",
            files: vec![file("legacy.go", "package nomod\n")],
        },
        Tree {
            path: "example.com/big",
            xmod_sum: "h1:4I7CTZdTcTXRlLrU/jTy9y415BTh8MWH+S5Ktr0StX8=",
            version: "v1.0.0",
            files: vec![
                file("go.mod", &gomod("example.com/big", "1.23")),
                file("data.txt", &"0123456789abcdef\n".repeat(200_000)),
                file(
                    "random.bin",
                    &modgate_testkit::noise_text(300_000, 0x9E37_79B9_7F4A_7C15),
                ),
            ],
        },
    ]
}

fn materialize(tree: &Tree, dir: &Path) {
    for (name, content) in &tree.files {
        let p = dir.join(name);
        match content {
            None => fs::create_dir_all(&p).unwrap(),
            Some(c) => {
                fs::create_dir_all(p.parent().unwrap()).unwrap();
                match c.strip_prefix("->") {
                    Some(target) => std::os::unix::fs::symlink(target, &p).unwrap(),
                    None => fs::write(&p, c).unwrap(),
                }
            }
        }
    }
}

/// Publishes the tree in the `file://` proxy at `proxy`; returns our zip
/// path, the hash computed while writing it, and the `.mod` bytes.
fn publish(tree: &Tree, src: &Path, proxy: &Path) -> (PathBuf, String, Vec<u8>) {
    let m = Version::new(tree.path, tree.version);
    let at_v = proxy.join(escape_path(tree.path).unwrap()).join("@v");
    fs::create_dir_all(&at_v).unwrap();
    let ver = escape_version(tree.version).unwrap();
    let zip_path = at_v.join(format!("{ver}.zip"));
    let zip_file = fs::File::create(&zip_path).unwrap();
    let report =
        create_from_dir(&zip_file, &m, src).unwrap_or_else(|e| panic!("{}: {e}", tree.path));
    let gomod = fs::read(src.join("go.mod"))
        .unwrap_or_else(|_| format!("module {}\n", tree.path).into_bytes());
    fs::write(at_v.join(format!("{ver}.mod")), &gomod).unwrap();
    fs::write(
        at_v.join(format!("{ver}.info")),
        format!(
            "{{\"Version\":\"{}\",\"Time\":\"2024-01-02T03:04:05Z\"}}\n",
            tree.version
        ),
    )
    .unwrap();
    fs::write(at_v.join("list"), format!("{}\n", tree.version)).unwrap();
    (zip_path, report.sum, gomod)
}

/// A string field of the flat JSON object `go mod download -json` prints.
fn json_field(json: &str, key: &str) -> Option<String> {
    let start = json.find(&format!("\"{key}\": \""))? + key.len() + 5;
    let mut out = String::new();
    let mut chars = json[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

#[test]
fn go_accepts_our_zips_and_agrees_on_hashes() {
    let Some(go) = modgate_testkit::go::binary() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let proxy = work.path().join("proxy");
    let cwd = work.path().join("cwd");
    fs::create_dir_all(&cwd).unwrap();

    let trees = trees();
    let mut compared = 0;
    for (i, tree) in trees.iter().enumerate() {
        let src = work.path().join(format!("src{i}"));
        materialize(tree, &src);
        let (zip_path, written_sum, gomod) = publish(tree, &src, &proxy);
        let our_sum = hash_zip_file(&zip_path).unwrap();

        let target = format!("{}@{}", tree.path, tree.version);
        let out = modgate_testkit::go::sealed(&go, work.path())
            .args(["mod", "download", "-json", &target])
            .current_dir(&cwd)
            .env("GOPROXY", format!("file://{}", proxy.display()))
            .env("GOFLAGS", "-mod=mod -modcacherw")
            .output()
            .expect("running go");
        let json = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && json_field(&json, "Error").is_none(),
            "{target}: go mod download failed\nstdout: {json}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sum = json_field(&json, "Sum").expect("Sum");
        let gomod_sum = json_field(&json, "GoModSum").expect("GoModSum");
        let dir = PathBuf::from(json_field(&json, "Dir").expect("Dir"));
        let prefix = format!("{target}/");

        assert_eq!(our_sum, sum, "{target}: zip hash");
        assert_eq!(written_sum, sum, "{target}: hash computed while writing");
        assert_eq!(sum, tree.xmod_sum, "{target}: x/mod's zip of the same tree");
        assert_eq!(hash_gomod(&gomod), gomod_sum, "{target}: go.mod hash");
        assert_eq!(
            hash_dir(&dir, &prefix).unwrap(),
            sum,
            "{target}: Go's extracted tree"
        );

        let ours = work.path().join(format!("unzipped{i}"));
        let m = Version::new(tree.path, tree.version);
        unzip(&ours, &m, &zip_path).unwrap();
        assert_eq!(
            hash_dir(&ours, &prefix).unwrap(),
            sum,
            "{target}: our extracted tree"
        );
        compared += 1;
    }
    assert_eq!(compared, trees.len());
    println!(
        "zip_go_oracle: {compared} modules compared with go mod download (Sum, GoModSum, Dir hash)"
    );
}
