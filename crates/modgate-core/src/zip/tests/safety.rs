//! Extraction safety: names that would escape the target, size lies in both
//! directions, a zip bomb, a non-empty target, read-only output. Expected
//! texts are x/mod's `Unzip` errors for the same archives (one difference:
//! a name that is not UTF-8 is shown lossily here, raw bytes in Go).

use std::fs;
use std::path::Path;

use super::rawzip::{RawEntry, build};
use crate::module::Version;
use crate::zip::unzip;

fn m() -> Version {
    Version::new("example.com/m", "v1.0.0")
}

/// Unzips one archive into `<tmp>/a/out`; returns the error text with the
/// zip path as `$ZIP`.
fn unzip_entries(tmp: &Path, entries: &[RawEntry]) -> Result<(), String> {
    let zip = tmp.join("t.zip");
    fs::write(&zip, build(entries)).unwrap();
    unzip(&tmp.join("a/out"), &m(), &zip)
        .map_err(|e| e.to_string().replace(&zip.display().to_string(), "$ZIP"))
}

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

#[test]
fn names_cannot_escape() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"example.com/m@v1.0.0/../evil",
            "example.com/m@v1.0.0/../evil: malformed file path \"../evil\": invalid path element \"..\"",
        ),
        (
            b"example.com/m@v1.0.0/a/../../evil",
            "example.com/m@v1.0.0/a/../../evil: file path is not clean",
        ),
        (
            b"../evil",
            "../evil: path does not have prefix \"example.com/m@v1.0.0/\"",
        ),
        (
            b"/abs/evil",
            "/abs/evil: path does not have prefix \"example.com/m@v1.0.0/\"",
        ),
        (
            b"example.com/m@v1.0.0//abs",
            "example.com/m@v1.0.0//abs: malformed file path \"/abs\": empty path element",
        ),
        (
            b"example.com/m@v1.0.0/a\\..\\..\\evil",
            "example.com/m@v1.0.0/a\\..\\..\\evil: malformed file path \"a\\\\..\\\\..\\\\evil\": invalid char '\\\\'",
        ),
        (
            b"example.com/m@v1.0.0/./x",
            "example.com/m@v1.0.0/./x: file path is not clean",
        ),
        (
            b"example.com/m@v1.0.0/..",
            "example.com/m@v1.0.0/..: malformed file path \"..\": invalid path element \"..\"",
        ),
        (
            b"example.com/m@v1.0.0/C:/x",
            "example.com/m@v1.0.0/C:/x: malformed file path \"C:/x\": invalid char ':'",
        ),
        (
            b"example.com/m@v1.0.0/\xff",
            "example.com/m@v1.0.0/\u{fffd}: malformed file path \"\\xff\": invalid UTF-8",
        ),
        (
            b"example.com/m@v1.0.0",
            "example.com/m@v1.0.0: path does not have prefix \"example.com/m@v1.0.0/\"",
        ),
    ];
    for (name, want) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let err = unzip_entries(tmp.path(), &[RawEntry::new(name, "x")]).unwrap_err();
        assert_eq!(err, format!("unzip $ZIP: {want}"));
        // Nothing was written anywhere: the check comes first.
        assert_eq!(
            files_under(tmp.path()),
            [tmp.path().join("t.zip").display().to_string()]
        );
    }
    // A directory entry is fine, and creates nothing.
    let tmp = tempfile::tempdir().unwrap();
    unzip_entries(tmp.path(), &[RawEntry::new("example.com/m@v1.0.0/x/", "")]).unwrap();
    assert!(files_under(&tmp.path().join("a/out")).is_empty());
}

#[test]
fn declared_sizes_are_enforced() {
    let data = b"package m\n".repeat(100);
    let n = data.len() as u64;
    for (entry, want) in [
        (
            RawEntry::new("example.com/m@v1.0.0/m.go", &data).declared(n - 1),
            format!("uncompressed size of file example.com/m@v1.0.0/m.go is larger than declared size ({} bytes)", n - 1),
        ),
        (
            RawEntry::new("example.com/m@v1.0.0/m.go", &data).stored().declared(10),
            "uncompressed size of file example.com/m@v1.0.0/m.go is larger than declared size (10 bytes)".to_string(),
        ),
        (RawEntry::new("example.com/m@v1.0.0/m.go", &data).declared(n + 1), "unexpected EOF".to_string()),
        (RawEntry::new("example.com/m@v1.0.0/m.go", &data).crc(5), "zip: checksum error".to_string()),
    ] {
        let declared = entry.declared_size.unwrap_or(n);
        let tmp = tempfile::tempdir().unwrap();
        let err = unzip_entries(tmp.path(), &[entry]).unwrap_err();
        assert_eq!(err, format!("unzip $ZIP: {want}"));
        let written = fs::metadata(tmp.path().join("a/out/m.go")).unwrap().len();
        assert!(written <= declared, "wrote {written} bytes of {declared}");
    }
}

#[test]
fn zip_bomb_is_cut_at_declared_size() {
    let tmp = tempfile::tempdir().unwrap();
    let bomb = RawEntry::new("example.com/m@v1.0.0/bomb.txt", vec![0u8; 20 << 20]).declared(1000);
    let err = unzip_entries(tmp.path(), &[bomb]).unwrap_err();
    assert_eq!(
        err,
        "unzip $ZIP: uncompressed size of file example.com/m@v1.0.0/bomb.txt is larger than declared size (1000 bytes)"
    );
    assert!(fs::metadata(tmp.path().join("t.zip")).unwrap().len() < 64 << 10);
    assert!(
        fs::metadata(tmp.path().join("a/out/bomb.txt"))
            .unwrap()
            .len()
            <= 1000
    );
}

#[test]
fn target_must_be_empty_or_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a/out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("keep"), "mine").unwrap();
    let err = unzip_entries(
        tmp.path(),
        &[RawEntry::new("example.com/m@v1.0.0/keep", "theirs")],
    )
    .unwrap_err();
    assert_eq!(
        err,
        format!(
            "unzip $ZIP: target directory {} exists and is not empty",
            out.display()
        )
    );
    assert_eq!(fs::read_to_string(out.join("keep")).unwrap(), "mine");

    // A target that is a file is not listed as non-empty; creating it fails.
    let file_target = tmp.path().join("file");
    fs::write(&file_target, "x").unwrap();
    let zip = tmp.path().join("t.zip");
    let err = unzip(&file_target, &m(), &zip).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "unzip {}: mkdir {}: not a directory",
            zip.display(),
            file_target.display()
        )
    );

    // An existing empty directory is fine.
    fs::remove_file(out.join("keep")).unwrap();
    unzip_entries(
        tmp.path(),
        &[RawEntry::new("example.com/m@v1.0.0/keep", "theirs")],
    )
    .unwrap();
    assert_eq!(fs::read_to_string(out.join("keep")).unwrap(), "theirs");
}

#[test]
fn files_are_read_only_and_complete() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let big = "x".repeat(200_000);
    unzip_entries(
        tmp.path(),
        &[
            RawEntry::new("example.com/m@v1.0.0/go.mod", "module example.com/m\n"),
            RawEntry::new("example.com/m@v1.0.0/a/b/c.go", &big).with_descriptor(),
            RawEntry::new("example.com/m@v1.0.0/", ""),
        ],
    )
    .unwrap();
    let out = tmp.path().join("a/out");
    for (name, content) in [
        ("go.mod", "module example.com/m\n"),
        ("a/b/c.go", big.as_str()),
    ] {
        let p = out.join(name);
        assert_eq!(fs::read_to_string(&p).unwrap(), content);
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o444,
            "{name}"
        );
    }
}
