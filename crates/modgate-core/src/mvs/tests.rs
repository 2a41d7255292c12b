use super::*;

/// A go.mod source over an in-memory table (`path@version` or a directory).
fn table(entries: &[(&str, &str)]) -> impl FnMut(&GoModRef) -> Result<Vec<u8>, String> {
    let map: HashMap<String, String> = entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |at: &GoModRef| {
        map.get(&at.to_string())
            .map(|s| s.as_bytes().to_vec())
            .ok_or_else(|| format!("no go.mod for {at}"))
    }
}

fn main_mod(text: &str) -> modfile::File {
    modfile::parse("go.mod", text.as_bytes(), None).unwrap()
}

#[test]
fn diamond_selects_the_highest() {
    let main = main_mod("module m\ngo 1.21\nrequire (\n a.com/a v1.0.0\n b.com/b v1.0.0\n)\n");
    let mut src = table(&[
        (
            "a.com/a@v1.0.0",
            "module a.com/a\ngo 1.21\nrequire c.com/c v1.1.0\n",
        ),
        (
            "b.com/b@v1.0.0",
            "module b.com/b\ngo 1.21\nrequire c.com/c v1.2.0\n",
        ),
    ]);
    let bl = build_list(&main, &mut src).unwrap();
    assert_eq!(
        bl.lines(),
        ["m", "a.com/a v1.0.0", "b.com/b v1.0.0", "c.com/c v1.2.0"]
    );
    assert_eq!(
        bl.required_by(&Version::new("a.com/a", "v1.0.0")).unwrap(),
        [Version::new("c.com/c", "v1.1.0")]
    );
    // Pruned: c's go.mod was never needed (the table has none).
    assert_eq!(bl.required_by(&Version::new("c.com/c", "v1.2.0")), None);
}

#[test]
fn missing_go_mod_reports_the_chain() {
    let main = main_mod("module m\ngo 1.16\nrequire a.com/a v1.0.0\n");
    let mut src = table(&[("a.com/a@v1.0.0", "module a.com/a\nrequire c.com/c v1.1.0\n")]);
    let err = build_list(&main, &mut src).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.com/a@v1.0.0 requires\n\tc.com/c@v1.1.0: no go.mod for c.com/c@v1.1.0"
    );
}

#[test]
fn wrong_module_line_is_an_error() {
    let main = main_mod("module m\ngo 1.21\nrequire a.com/a v1.0.0\n");
    let mut src = table(&[("a.com/a@v1.0.0", "module a.com/other\n")]);
    let err = build_list(&main, &mut src).unwrap_err();
    assert!(
        err.to_string()
            .contains("module declares its path as: a.com/other"),
        "{err}"
    );
}

#[test]
fn clean_path_is_go_path_clean() {
    assert_eq!(clean_path("./a/../b"), "b");
    assert_eq!(clean_path("a/../../x"), "../x");
    assert_eq!(clean_path("./."), ".");
    assert_eq!(clean_path("/x/../../y"), "/y");
}
