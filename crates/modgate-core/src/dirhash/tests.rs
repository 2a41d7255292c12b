//! Vectors from the reference and from golang.org/x/mod's dirhash (computed
//! with x/mod for the trees and archives built here), plus the parallel path
//! against the sequential one.

use std::fs;
use std::io::Cursor;
use std::path::Path;

use super::*;
use crate::zip::tests::rawzip::{RawEntry, build};

const EMPTY: &str = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

fn write(root: &Path, name: &str, data: &[u8]) {
    let p = root.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, data).unwrap();
}

fn no_files(_: &[u8]) -> Result<Cursor<Vec<u8>>, Error> {
    panic!("nothing to open")
}

#[test]
fn vectors() {
    assert_eq!(hash1::<&str, _, _>(&[], no_files).unwrap(), EMPTY);
    assert_eq!(
        hash_gomod(b"module example.com/m\n\ngo 1.13\n"),
        "h1:UWkIka9t4wTRf5TZ+sRdwnADRAp+U7R9A2lAeNEx1cA="
    );
    assert_eq!(hash_zip(Cursor::new(build(&[]))).unwrap(), EMPTY);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        hash_dir(dir.path(), "example.com/m@v1.0.0/").unwrap(),
        EMPTY
    );
}

#[test]
fn hash1_sorts_and_keeps_duplicates() {
    let open = |name: &[u8]| Ok(Cursor::new([b"content of ", name].concat()));
    // Value from x/mod's Hash1 with the same names and opener.
    assert_eq!(
        hash1(&["b", "a", "a"], open).unwrap(),
        "h1:XZXHBQWx4XRE8lpPDfblsBNlshTkjgPLB/SepzTXSgE="
    );
    assert_eq!(
        hash1(&["b\nx", "a"], open).unwrap_err().to_string(),
        "dirhash: filenames with newlines are not supported"
    );
    // The opener's error is returned as is.
    let failing =
        |_: &[u8]| -> Result<Cursor<Vec<u8>>, Error> { Err(Error::NotADirectory("x".into())) };
    assert_eq!(
        hash1(&["a"], failing).unwrap_err().to_string(),
        "x is not a directory"
    );
}

/// The tree x/mod hashed: files, a subdirectory chain, a symbolic link to a
/// file (hashed as the file it points to) and an empty directory (ignored).
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "a.txt", b"hello\n");
    write(root, "sub/b.txt", b"world\n");
    write(root, "sub/deeper/c", b"");
    write(root, "Z", b"upper");
    std::os::unix::fs::symlink("a.txt", root.join("link")).unwrap();
    fs::create_dir(root.join("emptydir")).unwrap();
    dir
}

#[test]
fn hash_dir_matches_x_mod() {
    let dir = tree();
    let root = dir.path();
    assert_eq!(
        hash_dir(root, "example.com/m@v1.0.0/").unwrap(),
        "h1:3uX6h2EtMgZOtGyXYPon6XISzDrbfrCV2S5ONODMV7M="
    );
    assert_eq!(
        hash_dir(root, "").unwrap(),
        "h1:xAtSkQhd6NjtmmvF9gMbl+FgqvLwaV7hoDUic3DSQxs="
    );
    // A trailing slash on the directory changes nothing.
    let slash = format!("{}/", root.display());
    assert_eq!(
        hash_dir(Path::new(&slash), "").unwrap(),
        "h1:xAtSkQhd6NjtmmvF9gMbl+FgqvLwaV7hoDUic3DSQxs="
    );
    let names: Vec<String> = dir_files(root, "p@v1.0.0/")
        .unwrap()
        .into_iter()
        .map(|(n, _)| String::from_utf8(n).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "p@v1.0.0/Z",
            "p@v1.0.0/a.txt",
            "p@v1.0.0/link",
            "p@v1.0.0/sub/b.txt",
            "p@v1.0.0/sub/deeper/c"
        ]
    );
}

#[test]
fn hash_dir_errors_match_x_mod() {
    let dir = tree();
    let root = dir.path();
    let show = |e: Error| e.to_string().replace(&root.display().to_string(), "$DIR");
    // x/mod: an unclean prefix is cleaned in the names but not when opening.
    assert_eq!(
        show(hash_dir(root, "x/../y").unwrap_err()),
        "open $DIR/y/Z: no such file or directory"
    );
    assert_eq!(
        show(hash_dir(&root.join("a.txt"), "").unwrap_err()),
        "$DIR/a.txt is not a directory"
    );
    // The root is not followed when it is a symbolic link.
    assert_eq!(
        show(hash_dir(&root.join("link"), "").unwrap_err()),
        "$DIR/link is not a directory"
    );
    assert_eq!(
        show(hash_dir(&root.join("missing"), "").unwrap_err()),
        "lstat $DIR/missing: no such file or directory"
    );
}

#[test]
fn first_failure_in_name_order_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for i in 0..200 {
        write(root, &format!("f{i:03}"), format!("file {i}").as_bytes());
    }
    // Failures at f050x (a link to a directory: reading fails) and f150x
    // (a dangling link: opening fails). Go stops at the first in order.
    std::os::unix::fs::symlink(".", root.join("f050x")).unwrap();
    std::os::unix::fs::symlink("nowhere", root.join("f150x")).unwrap();
    for _ in 0..20 {
        let err = hash_dir(root, "").unwrap_err().to_string();
        assert_eq!(
            err,
            format!("read {}/f050x: is a directory", root.display())
        );
    }
    fs::remove_file(root.join("f050x")).unwrap();
    let err = hash_dir(root, "").unwrap_err().to_string();
    assert_eq!(
        err,
        format!("open {}/f150x: no such file or directory", root.display())
    );
}

#[test]
fn hash_zip_matches_x_mod() {
    // Duplicate names both hash the last entry's content; a directory entry
    // hashes as empty; names are raw bytes.
    let zip = build(&[
        RawEntry::new("x/a", "1"),
        RawEntry::new("x/dir/", ""),
        RawEntry::new("x/a", "2"),
        RawEntry::new(b"\xff", "bin"),
        RawEntry::new("x/b", "abc".repeat(100_000)),
    ]);
    let want = "h1:hH02OwPdbUkFMXo+NqnLgjbdGU+Yxqm065EqH3iKHX0=";
    assert_eq!(hash_zip(Cursor::new(&zip)).unwrap(), want);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("z.zip");
    fs::write(&path, &zip).unwrap();
    assert_eq!(hash_zip_file(&path).unwrap(), want);

    let newline = build(&[RawEntry::new("a\nb", "")]);
    assert!(matches!(
        hash_zip(Cursor::new(newline)),
        Err(Error::NewlineInName)
    ));
    let bad = build(&[RawEntry::new("a", "data").crc(7)]);
    assert_eq!(
        hash_zip(Cursor::new(bad)).unwrap_err().to_string(),
        "zip: checksum error"
    );
    assert_eq!(
        hash_zip(Cursor::new(b"not a zip".to_vec()))
            .unwrap_err()
            .to_string(),
        "zip: not a valid zip file"
    );
    assert_eq!(
        hash_zip_file(&dir.path().join("missing.zip"))
            .unwrap_err()
            .to_string(),
        format!(
            "open {}/missing.zip: no such file or directory",
            dir.path().display()
        )
    );
}

#[test]
fn parallel_equals_sequential() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut entries = Vec::new();
    for i in 0..300 {
        let name = format!("d{}/f{i}.go", i % 7);
        let data = format!("package p{i}\n").repeat(i * 13);
        write(root, &name, data.as_bytes());
        entries.push(RawEntry::new(format!("m@v1.0.0/{name}"), data));
    }
    let files = dir_files(root, "m@v1.0.0/").unwrap();
    let names: Vec<&[u8]> = files.iter().map(|(n, _)| n.as_slice()).collect();
    let sequential = hash1(&names, |name| {
        let (_, path) = files.iter().find(|(n, _)| n == name).unwrap();
        Ok(fs::File::open(path).unwrap())
    })
    .unwrap();
    assert_eq!(hash_dir(root, "m@v1.0.0/").unwrap(), sequential);

    let zip = build(&entries);
    let zip_path = root.join("all.zip");
    fs::write(&zip_path, &zip).unwrap();
    assert_eq!(hash_zip(Cursor::new(&zip)).unwrap(), sequential);
    assert_eq!(hash_zip_file(&zip_path).unwrap(), sequential);
}
