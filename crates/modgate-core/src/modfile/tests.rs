//! Tests for the modfile package.
//!
//! * `golden_*`: Go's own test data (`golang/mod/modfile/testdata`), read in
//!   place, with the rules of `read_test.go` (`TestPrintGolden`,
//!   `TestPrintParse`) and `work_test.go` (`TestWorkPrintParse`).
//! * The other submodules port the tables of `read_test.go`, `rule_test.go` and
//!   `work_test.go`; where those tables are older than Go 1.27.3 the expected
//!   values were re-checked with `golang.org/x/mod` at the version vendored in
//!   Go 1.27.3.

use std::path::{Path, PathBuf};

use super::*;

mod edits;
mod parsing;
mod robustness;

fn testdata_dir(sub: &str) -> PathBuf {
    let dir = modgate_testkit::shared_dir()
        .join("testdata/golang-mod/modfile/testdata")
        .join(sub);
    assert!(
        dir.is_dir(),
        "Go's modfile test data not found at {} (set MODGATE_SHARED to the shared directory)",
        dir.display()
    );
    dir
}

/// The `.in` and `.golden` files of a test data directory, sorted.
fn testdata_files(sub: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(testdata_dir(sub))
        .expect("read test data dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "in" || e == "golden"))
        .collect();
    files.sort();
    files
}

/// The structure of a syntax tree, ignoring positions and comments (what Go's
/// `eqchecker` compares).
pub(super) fn syntax_shape(fs: &FileSyntax) -> Vec<String> {
    let line = |id: LineId| {
        let l = fs.line(id);
        format!(
            "{:?} in_block={}",
            l.token
                .iter()
                .map(|t| String::from_utf8_lossy(t).into_owned())
                .collect::<Vec<_>>(),
            l.in_block
        )
    };
    fs.stmt
        .iter()
        .map(|s| match s {
            Stmt::Comments(_) => "comments".to_string(),
            Stmt::Line(id) => format!("line {}", line(*id)),
            Stmt::Block(b) => format!(
                "block {:?} [{}]",
                b.token
                    .iter()
                    .map(|t| String::from_utf8_lossy(t).into_owned())
                    .collect::<Vec<_>>(),
                b.line
                    .iter()
                    .map(|&id| line(id))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        })
        .collect()
}

/// The typed content of a File plus its syntax shape.
fn file_shape(f: &File) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        f.module.as_ref().map(|m| (&m.path, &m.deprecated)),
        f.go.as_ref().map(|g| &g.version),
        f.toolchain.as_ref().map(|t| &t.name),
        f.godebug
            .iter()
            .map(|g| (&g.key, &g.value))
            .collect::<Vec<_>>(),
        f.require
            .iter()
            .map(|r| (&r.module, r.indirect))
            .collect::<Vec<_>>(),
        f.exclude.iter().map(|x| &x.module).collect::<Vec<_>>(),
        f.replace
            .iter()
            .map(|r| (&r.old, &r.new))
            .collect::<Vec<_>>(),
        f.retract
            .iter()
            .map(|r| (&r.interval, &r.rationale))
            .collect::<Vec<_>>(),
        f.tool.iter().map(|t| &t.path).collect::<Vec<_>>(),
        f.ignore.iter().map(|t| &t.path).collect::<Vec<_>>(),
        syntax_shape(&f.syntax),
    )
}

fn work_shape(f: &WorkFile) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        f.go.as_ref().map(|g| &g.version),
        f.toolchain.as_ref().map(|t| &t.name),
        f.godebug
            .iter()
            .map(|g| (&g.key, &g.value))
            .collect::<Vec<_>>(),
        f.use_.iter().map(|u| &u.path).collect::<Vec<_>>(),
        f.replace
            .iter()
            .map(|r| (&r.old, &r.new))
            .collect::<Vec<_>>(),
        syntax_shape(&f.syntax),
    )
}

fn golden_for(path: &Path) -> Option<Vec<u8>> {
    if path.extension().is_some_and(|e| e == "in") {
        Some(std::fs::read(path.with_extension("golden")).expect("matching .golden file"))
    } else {
        None
    }
}

/// `TestPrintGolden`: every `.golden` file is unchanged by parse + Format.
#[test]
fn golden_files_are_stable() {
    let mut n = 0;
    for sub in ["", "work"] {
        for p in testdata_files(sub) {
            if p.extension().is_some_and(|e| e == "golden") {
                let data = std::fs::read(&p).unwrap();
                let fs = parse_syntax("golden", &data).unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&format(&fs)),
                    String::from_utf8_lossy(&data),
                    "{}",
                    p.display()
                );
                n += 1;
            }
        }
    }
    assert!(n >= 15, "only {n} golden files found");
}

/// `TestPrintParse`: parse/Format/parse gives the same tree, strict Parse
/// agrees with itself across formatting, and `.in` files format to `.golden`.
#[test]
fn golden_print_parse() {
    // Files that are allowed to fail the strict parse.
    const MAY_FAIL: &[&str] = &[
        "block.golden",
        "block.in",
        "comment.golden",
        "comment.in",
        "rule1.golden",
    ];
    let mut checked = 0;
    for p in testdata_files("") {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let base = format!("testdata/{name}");
        let data = std::fs::read(&p).unwrap();
        let f = parse_syntax(&base, &data).unwrap();
        let mut ndata = format(&f);
        let f2 = parse_syntax(&base, &ndata).unwrap();
        assert_eq!(
            syntax_shape(&f),
            syntax_shape(&f2),
            "{base}: parse/Format/parse"
        );

        match parse(&base, &data, None) {
            Err(e) => assert!(
                MAY_FAIL.contains(&name.as_str()),
                "should parse {base}: {e}"
            ),
            Ok(pf1) => {
                let pf2 = parse(&base, &ndata, None).expect("parse reformatted");
                assert_eq!(
                    file_shape(&pf1),
                    file_shape(&pf2),
                    "{base}: parse/Format/Parse"
                );
                let ndata2 = pf1.format();
                let pf3 = parse(&base, &ndata2, None).expect("parse reformatted2");
                assert_eq!(
                    file_shape(&pf1),
                    file_shape(&pf3),
                    "{base}: Parse/Format/Parse"
                );
                ndata = ndata2;
            }
        }
        if let Some(golden) = golden_for(&p) {
            assert_eq!(
                String::from_utf8_lossy(&ndata),
                String::from_utf8_lossy(&golden),
                "formatted {base} incorrectly"
            );
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} files checked");
}

/// `TestWorkPrintParse`, for `testdata/work`.
#[test]
fn golden_work_print_parse() {
    let mut checked = 0;
    for p in testdata_files("work") {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let base = format!("testdata/work/{name}");
        let data = std::fs::read(&p).unwrap();
        let f = parse_syntax(&base, &data).unwrap();
        let mut ndata = format(&f);
        let f2 = parse_syntax(&base, &ndata).unwrap();
        assert_eq!(
            syntax_shape(&f),
            syntax_shape(&f2),
            "{base}: parse/Format/parse"
        );

        let pf1 =
            parse_work(&base, &data, None).unwrap_or_else(|e| panic!("should parse {base}: {e}"));
        let pf2 = parse_work(&base, &ndata, None).expect("parse reformatted");
        assert_eq!(
            work_shape(&pf1),
            work_shape(&pf2),
            "{base}: parse/Format/Parse"
        );
        let ndata2 = pf1.format();
        let pf3 = parse_work(&base, &ndata2, None).expect("parse reformatted2");
        assert_eq!(
            work_shape(&pf1),
            work_shape(&pf3),
            "{base}: Parse/Format/Parse"
        );
        ndata = ndata2;

        if let Some(golden) = golden_for(&p) {
            assert_eq!(
                String::from_utf8_lossy(&ndata),
                String::from_utf8_lossy(&golden),
                "formatted {base} incorrectly"
            );
        }
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} files checked");
}
