//! Offline answers: versions from stored .info files, lists without
//! pseudo-versions, and go's @latest preference (release > pre-release > pseudo).

use super::*;

fn keys(names: &[&str]) -> Vec<Key> {
    names
        .iter()
        .map(|n| Key::new(format!("example.com/m/@v/{n}")).unwrap())
        .collect()
}

fn vs(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn versions_come_from_info_files() {
    let k = keys(&[
        "list",
        "v1.10.0.info",
        "v1.2.0.info",
        "v1.2.0.mod",
        "v1.2.0.zip",
        "v1.3.0.mod", // no .info: not served offline
        "v1.0.0-!r!c1.info",
        "master.info", // a cached query, not a version
        "v1.0.info",   // not canonical
        "v0.0.0-20200101000000-abcdefabcdef.info",
    ]);
    assert_eq!(
        versions("example.com/m", &k),
        [
            "v0.0.0-20200101000000-abcdefabcdef",
            "v1.0.0-RC1",
            "v1.2.0",
            "v1.10.0"
        ]
    );
    // Keys of a nested module are not this module's versions.
    let nested = vec![Key::new("example.com/m/sub/@v/v9.0.0.info").unwrap()];
    assert!(versions("example.com/m", &nested).is_empty());
}

#[test]
fn list_drops_pseudo_versions() {
    let v = vs(&["v0.0.0-20200101000000-abcdefabcdef", "v1.0.0-RC1", "v1.2.0"]);
    assert_eq!(list_body(&v), "v1.0.0-RC1\nv1.2.0\n");
    assert_eq!(list_body(&[]), "");
}

#[test]
fn latest_prefers_release_then_prerelease_then_pseudo() {
    let cases: &[(&[&str], Option<&str>)] = &[
        (
            &["v1.0.0", "v1.10.0", "v1.2.0", "v2.0.0-beta.1"],
            Some("v1.10.0"),
        ),
        (&["v1.0.0-alpha", "v1.0.0-beta"], Some("v1.0.0-beta")),
        (&["v2.0.0+incompatible", "v1.5.0"], Some("v1.5.0")),
        (
            &["v2.0.0+incompatible", "v1.5.0-pre"],
            Some("v2.0.0+incompatible"),
        ),
        (
            &[
                "v0.0.0-20200101000000-abcdefabcdef",
                "v0.0.0-20210101000000-123456123456",
                "v0.0.0-20190101000000-fedcbafedcba",
            ],
            Some("v0.0.0-20210101000000-123456123456"),
        ),
        (
            &["v1.0.0", "v1.0.1-0.20220101000000-abcdefabcdef"],
            Some("v1.0.0"),
        ),
        (&[], None),
    ];
    for (list, want) in cases {
        let mut v = vs(list);
        semver::sort(&mut v);
        assert_eq!(latest(&v).as_deref(), *want, "{list:?}");
    }
}
