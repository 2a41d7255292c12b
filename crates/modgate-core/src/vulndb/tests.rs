use super::version::{
    affects, canonical_prefix, fix_for, go_tag_to_semver, latest_fixed, less, semver_to_go_tag,
};
use super::*;

fn semver(events: &[Event]) -> Range {
    Range {
        kind: RANGE_TYPE_SEMVER.into(),
        events: events.to_vec(),
    }
}

fn other(events: &[Event]) -> Range {
    Range {
        kind: "unspecified".into(),
        events: events.to_vec(),
    }
}

fn i(v: &str) -> Event {
    Event::introduced(v)
}

fn f(v: &str) -> Event {
    Event::fixed(v)
}

/// `x/vuln/internal/semver/affects_test.go`, every case.
#[test]
fn affects_as_govulncheck() {
    let cases: Vec<(Vec<Range>, &str, bool)> = vec![
        (vec![], "v0.0.0", true),
        (vec![semver(&[])], "v0.0.0", true),
        (vec![semver(&[i("0")])], "v0.0.0", true),
        (vec![semver(&[i("0"), f("2.0.0")])], "v1.0.0", true),
        (vec![semver(&[i("0.0.1")])], "v1.0.0", true),
        (vec![semver(&[i("1.0.0")])], "v1.0.0", true),
        (vec![semver(&[i("1.0.0"), f("2.0.0")])], "v1.0.0", true),
        (vec![semver(&[i("0.0.1"), f("2.0.0")])], "v1.0.0", true),
        (vec![semver(&[i("1.0.0"), f("2.0.0")])], "v3.0.0", false),
        (
            vec![semver(&[i("1.0.0"), f("2.0.0"), i("3.0.0")])],
            "v3.0.0",
            true,
        ),
        (
            vec![semver(&[i("0"), f("1.18.6"), i("1.19.0"), f("1.19.1")])],
            "v1.18.6",
            false,
        ),
        (
            vec![semver(&[i("0"), i("1.19.0"), f("1.19.1")])],
            "v1.18.6",
            true,
        ),
        (
            vec![semver(&[i("1.19.0"), f("1.19.1"), i("0"), f("1.18.6")])],
            "v1.18.1",
            true,
        ),
        (vec![other(&[i("3.0.0")])], "v3.0.0", true),
        (
            vec![other(&[i("3.0.0")]), semver(&[i("4.0.0")])],
            "v3.0.0",
            false,
        ),
        (
            vec![other(&[i("3.0.0")]), semver(&[i("3.0.0")])],
            "v3.0.0",
            true,
        ),
        (vec![semver(&[i("3.0.0")])], "go3.0.1", true),
    ];
    for (ranges, v, want) in cases {
        assert_eq!(affects(&ranges, v), want, "{ranges:?} {v}");
    }
}

/// Pseudo-versions sort as the pre-releases they are, `+incompatible` is ignored
/// build metadata, pre-releases precede their release.
#[test]
fn affects_pseudo_versions_and_incompatible() {
    let r = [semver(&[i("0"), f("1.2.4")])];
    // v1.2.4-0.… is a pre-release of v1.2.4: still affected.
    assert!(affects(&r, "v1.2.4-0.20230101000000-abcdefabcdef"));
    assert!(!affects(&r, "v1.2.5-0.20230101000000-abcdefabcdef"));
    assert!(affects(&r, "v1.2.4-rc.1"));
    assert!(!affects(&r, "v1.2.4"));
    let r = [semver(&[
        i("0.0.0-20220101000000-000000000000"),
        f("0.0.0-20230101000000-000000000000"),
    ])];
    assert!(affects(&r, "v0.0.0-20220601000000-abcdefabcdef"));
    assert!(!affects(&r, "v0.0.0-20230601000000-abcdefabcdef"));
    assert!(!affects(&r, "v0.0.0-20210601000000-abcdefabcdef"));
    let r = [semver(&[i("2.0.0+incompatible"), f("2.3.0+incompatible")])];
    assert!(affects(&r, "v2.1.0+incompatible"));
    assert!(!affects(&r, "v2.3.0+incompatible"));
}

/// `x/vuln/internal/semver/fixed_test.go`, every case.
#[test]
fn latest_fixed_as_govulncheck() {
    let cases: Vec<(&str, Vec<Range>, &str)> = vec![
        ("empty", vec![], ""),
        ("no fix", vec![semver(&[i("0")])], ""),
        (
            "no latest fix",
            vec![semver(&[i("0"), f("1.0.4"), i("1.1.2")])],
            "",
        ),
        (
            "unsorted no latest fix",
            vec![semver(&[
                f("1.0.4"),
                i("0"),
                i("1.1.2"),
                i("1.5.0"),
                f("1.1.4"),
            ])],
            "",
        ),
        (
            "unsorted with fix",
            vec![semver(&[f("1.0.0"), i("0"), f("0.1.0"), i("0.5.0")])],
            "1.0.0",
        ),
        (
            "multiple ranges",
            vec![semver(&[i("0"), f("0.1.0")]), semver(&[i("0"), f("0.2.0")])],
            "0.2.0",
        ),
        (
            "pseudoversion",
            vec![semver(&[
                i("0"),
                f("0.0.0-20220824120805-abc"),
                i("0.0.0-20230824120805-efg"),
                f("0.0.0-20240824120805-hij"),
            ])],
            "0.0.0-20240824120805-hij",
        ),
    ];
    for (name, ranges, want) in cases {
        assert_eq!(latest_fixed(&ranges), want, "{name}");
    }
}

/// `x/vuln/internal/semver/semver_test.go`: canonical prefixes, Go tags, `Less`.
#[test]
fn prefixes_tags_and_order_as_govulncheck() {
    for (v, want) in [
        ("v1.2.3", "v1.2.3"),
        ("1.2.3", "v1.2.3"),
        ("go1.2.3", "v1.2.3"),
    ] {
        assert_eq!(canonical_prefix(v), want);
    }
    for (v1, v2, want) in [
        ("go1.19", "go1.19", false),
        ("go1.19.1", "go1.19", false),
        ("v0.2.1", "v0.3.0", true),
        ("go1.12.2", "go1.18", true),
        ("v1.20.0-pre4", "v1.20.0-pre.4", false),
        ("v1.20.0-pre4", "v1.20.0-pre4.4", true),
    ] {
        assert_eq!(less(v1, v2), want, "Less({v1}, {v2})");
    }
}

#[test]
fn go_versions_to_semver() {
    for (tag, want) in [
        ("go1.19", Some("v1.19.0")),
        ("go1.20-pre4", Some("v1.20.0-pre.4")),
        ("go1.21.3", Some("v1.21.3")),
        ("go1.21rc2", Some("v1.21.0-rc.2")),
        ("go1.21beta1", Some("v1.21.0-beta.1")),
        ("go1.21.0", Some("v1.21.0")),
        ("go1", Some("v1.0.0")),
        ("go1.0", None),
        ("go1.22.0 X:nocoverageredesign", Some("v1.22.0")),
        ("devel go1.23-abcdef Tue", None),
        ("go1.21.x", None),
        ("go1.21rc", None),
        ("1.21.3", None),
        ("", None),
    ] {
        assert_eq!(go_tag_to_semver(tag).as_deref(), want, "{tag:?}");
    }
    for (v, want) in [
        ("v1.21.3", "go1.21.3"),
        ("1.21.0", "go1.21.0"),
        ("v1.20.0", "go1.20"),
        ("v1.19.13", "go1.19.13"),
        ("v1.21.0-rc.2", "go1.21rc2"),
        ("v1.20.0-beta.1", "go1.20beta1"),
        ("v1.0.0", "go1"),
    ] {
        assert_eq!(semver_to_go_tag(v), want, "{v}");
        // And back, for the tags Go has.
        if v != "v1.0.0" {
            assert_eq!(
                go_tag_to_semver(want).as_deref(),
                Some(canonical_prefix(v).as_str())
            );
        }
    }
}

#[test]
fn fix_is_the_lowest_fixed_version_out_of_every_range() {
    let r = vec![semver(&[i("0"), f("1.18.6"), i("1.19.0"), f("1.19.1")])];
    let blocks = [r.as_slice()];
    assert_eq!(fix_for(&blocks, "v1.18.3"), Some("1.18.6"));
    assert_eq!(fix_for(&blocks, "v1.19.0"), Some("1.19.1"));
    // Re-introduced and never fixed again: the fix of the earlier range still works.
    let r = vec![semver(&[i("0"), f("1.0.4"), i("1.1.2")])];
    assert_eq!(fix_for(&[r.as_slice()], "v1.0.0"), Some("1.0.4"));
    assert_eq!(fix_for(&[r.as_slice()], "v1.2.0"), None);
    // A fixed version inside another block's range is not a fix.
    let a = vec![semver(&[i("0"), f("1.1.0")])];
    let b = vec![semver(&[i("1.1.0"), f("1.3.0")])];
    assert_eq!(
        fix_for(&[a.as_slice(), b.as_slice()], "v1.0.0"),
        Some("1.3.0")
    );
}

fn entry(id: &str, modified: &str, module: &str, ranges: Vec<Range>) -> Entry {
    Entry {
        schema_version: "1.3.1".into(),
        id: id.into(),
        modified: modified.into(),
        published: Some("2023-01-01T00:00:00Z".into()),
        summary: format!("{id} in {module}"),
        details: "details".into(),
        affected: vec![Affected {
            package: Package {
                name: module.into(),
                ecosystem: GO_ECOSYSTEM.into(),
            },
            ranges,
            ecosystem_specific: EcosystemSpecific {
                imports: vec![Import {
                    path: format!("{module}/pkg"),
                    symbols: vec!["Parse".into()],
                    ..Import::default()
                }],
            },
        }],
        database_specific: Some(osv::DatabaseSpecific {
            url: format!("https://pkg.go.dev/vuln/{id}"),
            review_status: "REVIEWED".into(),
        }),
        ..Entry::default()
    }
}

use super::osv::EcosystemSpecific;

/// A database written in the vuln.go.dev layout by [`layout`], read back by
/// [`Database::from_files`] from its `.json.gz` files alone (as govulncheck reads
/// over HTTP).
fn fixture() -> (Vec<Entry>, Vec<(String, Vec<u8>)>) {
    let mut withdrawn = entry(
        "GO-2023-0004",
        "2023-04-01T00:00:00Z",
        "example.com/a",
        vec![semver(&[i("0")])],
    );
    withdrawn.withdrawn = Some("2023-05-01T00:00:00Z".into());
    let mut ghsa = entry(
        "GHSA-aaaa-bbbb-cccc",
        "2023-02-01T00:00:00Z",
        "example.com/a",
        vec![semver(&[i("0"), f("1.2.0")])],
    );
    ghsa.aliases = vec!["CVE-2023-1111".into()];
    let mut go = entry(
        "GO-2023-0001",
        "2023-03-01T12:00:00Z",
        "example.com/a",
        vec![semver(&[i("0"), f("1.1.0"), i("1.5.0"), f("1.5.2")])],
    );
    go.aliases = vec![
        "CVE-2023-1111".into(),
        "GHSA-zzzz-yyyy-xxxx".into(),
        "CVE-2023-1111".into(),
    ];
    let std = entry(
        "GO-2023-0002",
        "2023-06-01T00:00:00Z",
        STDLIB,
        vec![semver(&[i("0"), f("1.20.8"), i("1.21.0-0"), f("1.21.1")])],
    );
    let pseudo = entry(
        "GO-2023-0003",
        "2023-01-15T00:00:00Z",
        "example.com/b",
        vec![semver(&[i("0"), f("0.0.0-20230301000000-abcdefabcdef")])],
    );
    let entries = vec![withdrawn, ghsa, go, std, pseudo];
    let files = layout(&entries).expect("layout");
    (entries, files)
}

#[test]
fn layout_writes_the_vuln_go_dev_files() {
    let (entries, files) = fixture();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "index/db.json",
        "index/db.json.gz",
        "index/modules.json",
        "index/modules.json.gz",
        "index/vulns.json",
        "index/vulns.json.gz",
        "ID/GO-2023-0001.json",
        "ID/GO-2023-0001.json.gz",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let get = |n: &str| &files.iter().find(|(p, _)| p == n).unwrap().1;
    // The .json.gz holds exactly the .json.
    for (name, data) in &files {
        if let Some(stem) = name.strip_suffix(".gz") {
            assert_eq!(
                &gunzip(name, data, MAX_DECODED).unwrap(),
                get(stem),
                "{name}"
            );
        }
    }
    // db.json: the newest modification of any entry.
    let db = parse_db("index/db.json", get("index/db.json")).unwrap();
    assert_eq!(db.modified, "2023-06-01T00:00:00Z");
    let modules = parse_modules("index/modules.json", get("index/modules.json")).unwrap();
    let paths: Vec<&str> = modules.iter().map(|m| m.path.as_str()).collect();
    assert_eq!(paths, ["example.com/a", "example.com/b", "stdlib"]);
    let a: Vec<(&str, &str)> = modules[0]
        .vulns
        .iter()
        .map(|v| (v.id.as_str(), v.fixed.as_str()))
        .collect();
    assert_eq!(
        a,
        [
            ("GHSA-aaaa-bbbb-cccc", "1.2.0"),
            ("GO-2023-0001", "1.5.2"),
            ("GO-2023-0004", "")
        ]
    );
    let vulns = parse_vulns("index/vulns.json", get("index/vulns.json")).unwrap();
    assert_eq!(vulns.len(), entries.len());
    assert!(vulns.windows(2).all(|w| w[0].id < w[1].id));
    // Entries read back equal what was written.
    let e = parse_entry(
        "ID/GO-2023-0001.json",
        Some("GO-2023-0001"),
        get("ID/GO-2023-0001.json"),
    )
    .unwrap();
    assert_eq!(&e, entries.iter().find(|e| e.id == "GO-2023-0001").unwrap());
}

fn from_gz(files: &[(String, Vec<u8>)]) -> Database {
    Database::from_files(files.iter().filter(|(n, _)| n.ends_with(".gz")).cloned()).unwrap()
}

#[test]
fn vulnerabilities_of_a_module_version() {
    let (_, files) = fixture();
    let db = from_gz(&files);
    assert_eq!(db.modified(), "2023-06-01T00:00:00Z");

    // v1.0.0: in GO-2023-0001 and GHSA-… (the same CVE: one finding, the GO id);
    // the withdrawn entry is skipped.
    let found = db.vulnerabilities("example.com/a", "v1.0.0").unwrap();
    assert_eq!(found.len(), 1, "{found:#?}");
    let v = &found[0];
    assert_eq!(v.id, "GO-2023-0001");
    assert_eq!(
        v.aliases,
        [
            "CVE-2023-1111",
            "GHSA-aaaa-bbbb-cccc",
            "GHSA-zzzz-yyyy-xxxx"
        ]
    );
    // GO-2023-0001 is fixed in 1.1.0, the GHSA entry in 1.2.0: both must be escaped.
    assert_eq!(v.fixed.as_deref(), Some("v1.2.0"));
    assert_eq!(v.summary, "GO-2023-0001 in example.com/a");
    assert_eq!(v.entries.len(), 2);
    assert_eq!(v.imports.len(), 1, "one package, listed once");
    assert_eq!(v.imports[0].path, "example.com/a/pkg");

    // v1.5.1: only GO-2023-0001's second range; fixed in its closing version.
    let found = db.vulnerabilities("example.com/a", "v1.5.1").unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].fixed.as_deref(), Some("v1.5.2"));
    assert_eq!(found[0].aliases, ["CVE-2023-1111", "GHSA-zzzz-yyyy-xxxx"]);
    // Between the ranges, above them, and a version not given: nothing.
    for v in ["v1.3.0", "v1.5.2", "v2.0.0+incompatible", ""] {
        assert!(
            db.vulnerabilities("example.com/a", v).unwrap().is_empty(),
            "{v}"
        );
    }
    // Modules the database does not know: nothing.
    assert!(
        db.vulnerabilities("example.com/c", "v1.0.0")
            .unwrap()
            .is_empty()
    );

    // Pseudo-versions against a pseudo-version fix.
    let found = db
        .vulnerabilities("example.com/b", "v0.0.0-20230101000000-123456789abc")
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].fixed.as_deref(),
        Some("v0.0.0-20230301000000-abcdefabcdef")
    );
    assert!(
        db.vulnerabilities("example.com/b", "v0.0.0-20230401000000-123456789abc")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn standard_library_by_go_version() {
    let (_, files) = fixture();
    let db = from_gz(&files);
    let found = db.vulnerabilities(STDLIB, "go1.20.3").unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "GO-2023-0002");
    assert_eq!(found[0].fixed.as_deref(), Some("go1.20.8"));
    // A release candidate of 1.21 is inside [1.21.0-0, 1.21.1).
    let found = db.vulnerabilities(STDLIB, "go1.21rc2").unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].fixed.as_deref(), Some("go1.21.1"));
    assert_eq!(db.vulnerabilities(STDLIB, "v1.21.0").unwrap().len(), 1);
    assert!(db.vulnerabilities(STDLIB, "go1.21.1").unwrap().is_empty());
    assert!(db.vulnerabilities(STDLIB, "go1.20.8").unwrap().is_empty());
    let err = db.vulnerabilities(STDLIB, "devel go1.23-abc").unwrap_err();
    assert!(
        matches!(err, VulnDbError::Version { what: "Go", .. }),
        "{err}"
    );
    let err = db.vulnerabilities("example.com/a", "latest").unwrap_err();
    assert_eq!(
        err.to_string(),
        "vulnerability database: example.com/a: \"latest\" is not a module version"
    );
}

#[test]
fn entries_are_fetched_per_module_and_must_be_loaded() {
    let (entries, files) = fixture();
    let get = |n: &str| files.iter().find(|(p, _)| p == n).unwrap().1.clone();
    let meta = parse_db("index/db.json", &get("index/db.json")).unwrap();
    let modules = parse_modules("index/modules.json", &get("index/modules.json")).unwrap();
    let mut db = Database::from_index(meta, modules);
    assert_eq!(
        db.missing(["example.com/a", "example.com/c"]),
        ["GHSA-aaaa-bbbb-cccc", "GO-2023-0001", "GO-2023-0004"]
    );
    let err = db.vulnerabilities("example.com/a", "v1.0.0").unwrap_err();
    assert!(matches!(err, VulnDbError::Missing { .. }), "{err}");
    for id in db.missing(["example.com/a"]) {
        let name = format!("ID/{id}.json.gz");
        let plain = gunzip(&name, &get(&name), MAX_DECODED).unwrap();
        db.insert(parse_entry(&name, Some(&id), &plain).unwrap());
    }
    assert!(db.missing(["example.com/a"]).is_empty());
    assert_eq!(
        db.vulnerabilities("example.com/a", "v1.0.0").unwrap().len(),
        1
    );
    // The same answers as a database built straight from the entries.
    let direct = Database::from_entries(entries);
    assert_eq!(
        direct.vulnerabilities("example.com/a", "v1.0.0").unwrap(),
        db.vulnerabilities("example.com/a", "v1.0.0").unwrap()
    );
}

#[test]
fn bad_files_are_named() {
    let (_, files) = fixture();
    let get = |n: &str| files.iter().find(|(p, _)| p == n).unwrap().1.clone();
    let err = parse_entry(
        "ID/GO-2023-9999.json",
        Some("GO-2023-9999"),
        &get("ID/GO-2023-0001.json"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "vulnerability database: ID/GO-2023-9999.json: holds entry \"GO-2023-0001\"; entries must be named <ID>.json"
    );
    let err = parse_db("index/db.json", br#"{"modified":"yesterday"}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "vulnerability database: index/db.json: modified \"yesterday\" is not an RFC 3339 time"
    );
    let err = parse_modules("index/modules.json", b"{").unwrap_err();
    assert_eq!(
        err.to_string(),
        "vulnerability database: index/modules.json: invalid type: map, expected a sequence at line 1 column 0"
    );
    let err = gunzip("index/db.json.gz", b"not gzip", MAX_DECODED).unwrap_err();
    assert!(err.to_string().contains("index/db.json.gz: gzip"), "{err}");
    let big = gzip(&vec![b' '; 1000]);
    let err = gunzip("x.json.gz", &big, 999).unwrap_err();
    assert!(err.to_string().contains("more than 999 bytes"), "{err}");
    assert_eq!(gunzip("x.json.gz", &big, 1000).unwrap().len(), 1000);
    // A tree of entries without index files is indexed on reading.
    let only_entries = files
        .iter()
        .filter(|(n, _)| n.starts_with("ID/") && n.ends_with(".json"))
        .cloned();
    let db = Database::from_files(only_entries).unwrap();
    assert_eq!(db.modified(), "2023-06-01T00:00:00Z");
    assert_eq!(
        db.vulnerabilities("example.com/a", "v1.0.0").unwrap().len(),
        1
    );
}
