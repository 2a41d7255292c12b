//! docs/doctor.md documents every finding code (issue #5: "every finding has
//! a stable code, documented in docs/doctor.md"), each under its own
//! `#### <code>` heading with its meaning and fix.

use modgate_doctor::finding::Code;

#[test]
fn every_code_is_documented() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/doctor.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let sections: Vec<&str> = doc.split("\n#### ").skip(1).collect();
    let mut missing = Vec::new();
    for code in Code::ALL {
        let Some(section) = sections
            .iter()
            .find(|s| s.split_whitespace().next() == Some(code.as_str()))
        else {
            missing.push(code.as_str());
            continue;
        };
        for part in ["**Meaning**", "**Fix**"] {
            assert!(section.contains(part), "{code}: section has no {part}");
        }
    }
    assert!(
        missing.is_empty(),
        "docs/doctor.md lacks sections for {missing:?}"
    );
    // No section for a code that does not exist.
    for s in &sections {
        let name = s.split_whitespace().next().unwrap_or("");
        assert!(
            Code::parse(name).is_some(),
            "docs/doctor.md documents unknown code {name}"
        );
    }
}
