//! Size limits, ported from x/mod's `TestCreateSizeLimits`,
//! `TestUnzipSizeLimits` and `TestUnzipSizeLimitsSpecial`.
//!
//! Nothing large is written: in-memory files report large sizes but deliver
//! no data (Create accepts a file shorter than its reported size, as Go
//! does), zip entries declare large sizes over tiny data, and the oversized
//! zip files are sparse (`File::set_len`).

use std::fs;
use std::io::Cursor;

use super::rawzip::{RawEntry, build};
use super::testdata::FakeFile;
use crate::module::Version;
use crate::zip::{MAX_GO_MOD, MAX_LICENSE, MAX_ZIP_FILE, check_files, check_zip, create, unzip};

struct SizeCase {
    desc: &'static str,
    files: &'static [(&'static str, u64)],
    want_check_files: &'static str,
    want_create: &'static str,
    want_check_zip: &'static str,
    want_unzip: &'static str,
}

const TREE: &str = "module source tree too large";
const CONTENTS: &str = "total uncompressed size of module contents too large";
const GO_MOD: &str = "go.mod file too large";
const LICENSE: &str = "LICENSE file too large";

/// x/mod's `sizeLimitTests`, with its `wantErr` spelled out per operation.
const SIZE_CASES: &[SizeCase] = &[
    SizeCase {
        desc: "one_large",
        files: &[("large.go", MAX_ZIP_FILE)],
        want_check_files: "",
        want_create: "",
        want_check_zip: "",
        want_unzip: "",
    },
    SizeCase {
        desc: "one_too_large",
        files: &[("large.go", MAX_ZIP_FILE + 1)],
        want_check_files: TREE,
        want_create: TREE,
        want_check_zip: CONTENTS,
        want_unzip: CONTENTS,
    },
    SizeCase {
        desc: "total_large",
        files: &[("small.go", 10), ("large.go", MAX_ZIP_FILE - 10)],
        want_check_files: "",
        want_create: "",
        want_check_zip: "",
        want_unzip: "",
    },
    SizeCase {
        desc: "total_too_large",
        files: &[("small.go", 10), ("large.go", MAX_ZIP_FILE - 9)],
        want_check_files: TREE,
        want_create: TREE,
        want_check_zip: CONTENTS,
        want_unzip: CONTENTS,
    },
    SizeCase {
        desc: "large_gomod",
        files: &[("go.mod", MAX_GO_MOD)],
        want_check_files: "",
        want_create: "",
        want_check_zip: "",
        want_unzip: "",
    },
    SizeCase {
        desc: "too_large_gomod",
        files: &[("go.mod", MAX_GO_MOD + 1)],
        want_check_files: GO_MOD,
        want_create: GO_MOD,
        want_check_zip: GO_MOD,
        want_unzip: GO_MOD,
    },
    SizeCase {
        desc: "large_license",
        files: &[("LICENSE", MAX_LICENSE)],
        want_check_files: "",
        want_create: "",
        want_check_zip: "",
        want_unzip: "",
    },
    SizeCase {
        desc: "too_large_license",
        files: &[("LICENSE", MAX_LICENSE + 1)],
        want_check_files: LICENSE,
        want_create: LICENSE,
        want_check_zip: LICENSE,
        want_unzip: LICENSE,
    },
];

fn large() -> Version {
    Version::new("example.com/large", "v1.0.0")
}

fn assert_outcome(what: &str, desc: &str, got: Result<(), String>, want: &str) {
    match got {
        Ok(()) => assert!(
            want.is_empty(),
            "{what} {desc}: unexpected success; want {want:?}"
        ),
        Err(e) => {
            assert!(
                !want.is_empty(),
                "{what} {desc}: got error {e:?}; want success"
            );
            assert!(
                e.contains(want),
                "{what} {desc}: got error {e:?}; want {want:?}"
            );
        }
    }
}

/// Files that report the case's sizes but deliver no bytes.
fn lying_files(case: &SizeCase) -> Vec<FakeFile> {
    case.files
        .iter()
        .map(|&(name, size)| FakeFile {
            name: name.as_bytes().to_vec(),
            size,
            data: Some(Vec::new()),
        })
        .collect()
}

#[test]
fn create_size_limits() {
    for case in SIZE_CASES {
        let files = lying_files(case);
        let checked = check_files(&files).err().map_err(|e| e.to_string());
        assert_outcome("CheckFiles", case.desc, checked, case.want_check_files);
        let created = create(Cursor::new(Vec::new()), &large(), &files)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_outcome("Create", case.desc, created, case.want_create);
    }

    // A size of 2^63 is negative as Go's int64.
    let negative = [FakeFile {
        name: b"neg.go".to_vec(),
        size: 0x8000_0000_0000_0000,
        data: Some(Vec::new()),
    }];
    let err = create(Cursor::new(Vec::new()), &large(), &negative).unwrap_err();
    assert!(err.to_string().contains(TREE), "{err}");
    assert!(check_files(&negative).err().is_err());

    // More data than the reported size: found while writing.
    let lie = [FakeFile {
        name: b"lie.go".to_vec(),
        size: 1,
        data: Some(b"package large".to_vec()),
    }];
    assert!(check_files(&lie).err().is_ok());
    let err = create(Cursor::new(Vec::new()), &large(), &lie).unwrap_err();
    assert_eq!(
        err.to_string(),
        "create zip: file \"lie.go\" is larger than declared size"
    );
}

#[test]
fn unzip_size_limits() {
    let prefix = "example.com/large@v1.0.0/";
    for case in SIZE_CASES {
        // Entries declare the sizes over no data.
        let entries: Vec<RawEntry> = case
            .files
            .iter()
            .map(|&(name, size)| RawEntry::new(format!("{prefix}{name}"), "").declared(size))
            .collect();
        let zip = build(&entries);
        let (cf, verdict) = check_zip(Cursor::new(&zip), &large());
        assert_eq!(verdict.is_err(), cf.err().is_err(), "{}", case.desc);
        assert_outcome(
            "CheckZip",
            case.desc,
            verdict.map_err(|e| e.to_string()),
            case.want_check_zip,
        );

        let tmp = tempfile::tempdir().unwrap();
        let zip_path = tmp.path().join("m.zip");
        fs::write(&zip_path, &zip).unwrap();
        let target = tmp.path().join("out");
        let got = unzip(&target, &large(), &zip_path).map_err(|e| e.to_string());
        if case.want_unzip.is_empty() {
            // The archive passes every check; extraction then finds that the
            // entry holds less than it declares, which is an error too.
            let err = got.unwrap_err();
            assert!(err.ends_with(": unexpected EOF"), "{}: {err}", case.desc);
        } else {
            assert_outcome("Unzip", case.desc, got, case.want_unzip);
            // Rejected before anything was created.
            assert!(!target.exists(), "{}", case.desc);
        }
    }
}

#[test]
fn unzip_size_limits_special() {
    let m = Version::new("example.com/m", "v1.0.0");
    let tmp = tempfile::tempdir().unwrap();

    // A zip file of exactly the limit is read (and is not a zip); one byte
    // more is refused before reading. Both are sparse files.
    for (size, want) in [
        (MAX_ZIP_FILE, "zip: not a valid zip file"),
        (
            MAX_ZIP_FILE + 1,
            "module zip file is too large (524288001 bytes; limit is 524288000 bytes)",
        ),
    ] {
        let zip_path = tmp.path().join(format!("{size}.zip"));
        fs::File::create(&zip_path).unwrap().set_len(size).unwrap();
        let err = unzip(&tmp.path().join(format!("out{size}")), &m, &zip_path).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("unzip {}: {want}", zip_path.display())
        );
    }

    // "size_is_a_lie": 0xBAD bytes declared as 0xAC, sizes in a data
    // descriptor as Go's writer puts them.
    let zip = build(&[
        RawEntry::new("example.com/m@v1.0.0/go.mod", vec![0u8; 0x0BAD])
            .declared(0xAC)
            .with_descriptor(),
    ]);
    let zip_path = tmp.path().join("lie.zip");
    fs::write(&zip_path, zip).unwrap();
    let out = tmp.path().join("lie");
    let err = unzip(&out, &m, &zip_path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "unzip {}: uncompressed size of file example.com/m@v1.0.0/go.mod is larger than declared size (172 bytes)",
            zip_path.display()
        )
    );
    // Nothing past the declared size reached the disk.
    assert!(fs::metadata(out.join("go.mod")).unwrap().len() <= 0xAC);
}
