use super::*;
use std::collections::HashMap;

/// go.mod files by `path@version`.
struct Mods(HashMap<String, String>);

impl QuerySource for Mods {
    fn go_mod(&mut self, m: &Version) -> Result<Vec<u8>, String> {
        self.0
            .get(&m.to_string())
            .map(|s| s.as_bytes().to_vec())
            .ok_or_else(|| format!("no go.mod for {m}"))
    }
}

fn mods(entries: &[(&str, &str)]) -> Mods {
    Mods(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

#[test]
fn list_parsing_drops_invalid_and_pseudo_versions_and_sorts() {
    let l = VersionList::parse(
        "v1.10.0\nv1.2.0 2024-01-01T00:00:00Z\nbranch\nv1.2.1-0.20240101000000-abcdefabcdef\nv1.3.0-rc.1\n\n",
    );
    assert_eq!(l.tagged, ["v1.2.0", "v1.3.0-rc.1", "v1.10.0"]);
    assert_eq!(
        l.latest_pseudo.as_deref(),
        Some("v1.2.1-0.20240101000000-abcdefabcdef")
    );
}

#[test]
fn queries_on_a_plain_list() {
    let l = VersionList::parse("v1.0.0\nv1.1.0\nv1.1.1\nv1.2.0\nv1.3.0-pre\n");
    let a = Allowed::default();
    let mut src = mods(&[]);
    let q = |q: &str, cur: &str, src: &mut Mods| query("m.example/x", q, cur, &l, &a, src);
    assert_eq!(q("latest", "", &mut src).unwrap(), "v1.2.0");
    assert_eq!(q("upgrade", "v1.3.0-pre", &mut src).unwrap(), "v1.3.0-pre");
    assert_eq!(q("patch", "v1.1.0", &mut src).unwrap(), "v1.1.1");
    assert_eq!(q(">=v1.1.0", "", &mut src).unwrap(), "v1.1.0");
    assert_eq!(q("<v1.2.0", "", &mut src).unwrap(), "v1.1.1");
    assert_eq!(q("v1.1", "", &mut src).unwrap(), "v1.1.1");
    assert_eq!(q("v1.1.0", "", &mut src).unwrap(), "v1.1.0");
    assert_eq!(
        q("patch", "", &mut src).unwrap_err().to_string(),
        "can't query version \"patch\" of module m.example/x: no existing version is required"
    );
    assert_eq!(
        q(">v1.5.0", "", &mut src).unwrap_err().to_string(),
        "no matching versions for query \">v1.5.0\""
    );
    assert_eq!(
        q("<=v1.2", "", &mut src).unwrap_err().to_string(),
        "ambiguous semantic version \"v1.2\" in range \"<=v1.2\""
    );
}

#[test]
fn retractions_come_from_the_latest_go_mod() {
    let l = VersionList::parse("v1.0.0\nv1.1.0\nv1.2.0\n");
    let mut src = mods(&[(
        "m.example/x@v1.2.0",
        "module m.example/x\nretract (\n\t// broken\n\tv1.2.0\n\t[v1.0.0, v1.0.5]\n)\n",
    )]);
    let a = Allowed::for_module("m.example/x", &l, [], &mut src).unwrap();
    assert_eq!(list_versions(&l, &a, false), ["v1.1.0"]);
    assert_eq!(list_versions(&l, &a, true), ["v1.0.0", "v1.1.0", "v1.2.0"]);
    assert_eq!(a.retractions_of("v1.2.0")[0].rationale, "broken");
    assert_eq!(
        query("m.example/x", "latest", "", &l, &a, &mut src).unwrap(),
        "v1.1.0"
    );
}
