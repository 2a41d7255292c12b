//! Directory trees beyond Go's test data: x/mod's `TestCreateFromDirSpecial`
//! (an empty directory, a symbolic link, a directory that is itself named
//! `vendor`), and two trees whose `CheckDir` report and zip hash (or error)
//! were produced by x/mod for the same trees: symbolic links to files and
//! directories, a socket, nested and case-variant modules, version-control
//! directories at the root and below, Go 1.24 vendor rules, Unicode names,
//! collisions and a bad character.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use crate::dirhash::hash_zip_file;
use crate::module::Version;
use crate::zip::{check_dir, create_from_dir};

const EMPTY: &str = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

fn write(root: &Path, name: &str, data: &str) {
    let p = root.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, data).unwrap();
}

/// Creates the zip of `dir` for `m`; returns its hash, or the error text
/// with `dir` shown as `$work`.
fn zip_hash(dir: &Path, m: &Version, work: &Path) -> Result<String, String> {
    let out = tempfile::NamedTempFile::new().unwrap();
    create_from_dir(out.as_file(), m, dir)
        .map_err(|e| e.to_string().replace(&work.display().to_string(), "$work"))?;
    Ok(hash_zip_file(out.path()).unwrap())
}

#[test]
fn create_from_dir_special() {
    let m = Version::new("example.com/m", "v1.0.0");

    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("empty")).unwrap();
    assert_eq!(
        zip_hash(tmp.path(), &m, tmp.path()).unwrap(),
        EMPTY,
        "ignore_empty_dir"
    );

    let tmp = tempfile::tempdir().unwrap();
    symlink(tmp.path(), tmp.path().join("link")).unwrap();
    assert_eq!(
        zip_hash(tmp.path(), &m, tmp.path()).unwrap(),
        EMPTY,
        "ignore_symlink"
    );

    let tmp = tempfile::tempdir().unwrap();
    let vendor = tmp.path().join("vendor");
    write(&vendor, "go.mod", "module example.com/m\n\ngo 1.13\n");
    assert_eq!(
        zip_hash(&vendor, &m, tmp.path()).unwrap(),
        "h1:XduFAgX/GaspZa8Jv4pfzoGEzNaU/r88PiCunijw5ok=",
        "dir_is_vendor"
    );
}

#[test]
fn mixed_tree_matches_x_mod() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "go.mod", "module example.com/mixed\n\ngo 1.24\n");
    write(root, "a.go", "package mixed\n");
    write(root, "LICENSE", "license text\n");
    symlink("a.go", root.join("link.go")).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(root.join("sock")).unwrap();
    write(root, "sub/.git/config", "x");
    write(root, "sub/x.go", "package sub\n");
    write(root, "nested/go.mod", "module example.com/mixed/nested\n");
    write(root, "nested/n.go", "package nested\n");
    write(root, "caps/GO.MOD", "module example.com/mixed/caps\n");
    write(root, "caps/c.go", "package caps\n");
    write(root, "vendor/modules.txt", "# x\n");
    write(root, "vendor/example.com/v/v.go", "package v\n");
    write(root, "pkg/vendor/vendor.go", "package vendor\n");
    write(root, "pkg/vendor/x/y.go", "package x\n");
    write(root, ".hg_archival.txt", "x\n");
    write(root, ".svn/entries", "x\n");
    write(root, "with space.go", "package mixed\n");
    write(root, "ünïcode.go", "package mixed\n");
    write(root, "日本/語.go", "package 日本\n");
    fs::create_dir(root.join("emptydir")).unwrap();
    symlink("sub", root.join("dirlink")).unwrap();

    let want = "valid:
$work/LICENSE
$work/a.go
$work/go.mod
$work/pkg/vendor/vendor.go
$work/sub/x.go
$work/with space.go
$work/ünïcode.go
$work/日本/語.go

omitted:
$work/.hg_archival.txt: file is inserted by 'hg archive' and is always omitted
$work/caps/GO.MOD: file is in another module
$work/caps/c.go: file is in another module
$work/.svn: directory is a version control repository
$work/dirlink: not a regular file
$work/link.go: not a regular file
$work/nested: directory is in another module
$work/pkg/vendor/x/y.go: file is in vendor directory
$work/sock: not a regular file
$work/sub/.git: directory is a version control repository
$work/vendor/example.com/v: file is in vendor directory
$work/vendor/example.com/v/v.go: file is in vendor directory
$work/vendor/modules.txt: file is in vendor directory

invalid:
";
    let cf = check_dir(root).unwrap();
    assert_eq!(
        cf.to_string().replace(&root.display().to_string(), "$work"),
        want
    );
    assert!(cf.err().is_ok());

    let m = Version::new("example.com/mixed", "v1.2.3");
    let out = tempfile::NamedTempFile::new().unwrap();
    let report = create_from_dir(out.as_file(), &m, root).unwrap();
    assert_eq!(
        hash_zip_file(out.path()).unwrap(),
        "h1:GZcIGmYZFiLOcoRvZCB5/Jr7v8xKrC5thLVdztb6sfE="
    );
    // The report lists what check_dir omits, relative to the root.
    let omitted: Vec<String> = report.omitted.iter().map(ToString::to_string).collect();
    let want_omitted: Vec<String> = cf
        .omitted
        .iter()
        .map(|e| e.to_string().replace(&format!("{}/", root.display()), ""))
        .collect();
    assert_eq!(omitted, want_omitted);
}

#[test]
fn invalid_tree_matches_x_mod() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "go.mod", "module example.com/bad\n");
    write(root, "ok.go", "package bad\n");
    write(root, "bad'name.go", "package bad\n");
    write(root, "Dup.go", "package bad\n");
    write(root, "dup.go", "package bad\n");
    write(root, "x/GO.MOD", "");
    write(root, "y/Go.mod/z.go", "package z\n");
    write(root, "sub/vendor/vendor.go", "package vendor\n");

    let invalid = "$work/bad'name.go: malformed file path \"bad'name.go\": invalid char '\\''
$work/dup.go: case-insensitive file name collision: \"Dup.go\" and \"dup.go\"";
    let want = format!(
        "valid:
$work/Dup.go
$work/go.mod
$work/ok.go
$work/y/Go.mod/z.go

omitted:
$work/x/GO.MOD: file is in another module
$work/sub/vendor/vendor.go: file is in vendor directory

invalid:
{invalid}
"
    );
    let work = |s: String| s.replace(&root.display().to_string(), "$work");
    let cf = check_dir(root).unwrap();
    assert_eq!(work(cf.to_string()), want);
    assert_eq!(work(cf.err().unwrap_err().to_string()), invalid);

    let m = Version::new("example.com/bad", "v0.1.0");
    let out = tempfile::NamedTempFile::new().unwrap();
    let err = create_from_dir(out.as_file(), &m, root).unwrap_err();
    assert_eq!(
        work(err.to_string()),
        "create zip $work: bad'name.go: malformed file path \"bad'name.go\": invalid char '\\''
dup.go: case-insensitive file name collision: \"Dup.go\" and \"dup.go\""
    );
    // Nothing was written.
    assert_eq!(fs::metadata(out.path()).unwrap().len(), 0);
}

#[test]
fn walk_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing");
    let m = Version::new("example.com/m", "v1.0.0");
    let err = create_from_dir(std::io::Cursor::new(Vec::new()), &m, &missing).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "create zip from directory {0}: lstat {0}: no such file or directory",
            missing.display()
        )
    );
    assert_eq!(
        check_dir(&missing).unwrap_err().to_string(),
        format!("lstat {}: no such file or directory", missing.display())
    );
    // A bad version is reported before the tree is read.
    write(tmp.path(), "m/go.mod", "module example.com/m\n");
    let err = create_from_dir(
        std::io::Cursor::new(Vec::new()),
        &Version::new("example.com/m", "v1.0"),
        &tmp.path().join("m"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "create zip {}: version \"v1.0\" is not canonical (should be \"v1.0.0\")",
            tmp.path().join("m").display()
        )
    );
}
