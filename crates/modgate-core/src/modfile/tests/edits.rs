//! Edit-operation tables ported from `rule_test.go` and `work_test.go`
//! (`testEdit`: apply an edit to the parsed `in`, format, and compare with the
//! formatted `out`).

use super::super::*;
use crate::module::Version;

fn test_edit(
    desc: &str,
    input: &str,
    want: &str,
    strict: bool,
    edit: impl FnOnce(&mut File),
) -> File {
    let p = |name: &str, data: &str| {
        if strict {
            parse(name, data.as_bytes(), None)
        } else {
            parse_lax(name, data.as_bytes(), None)
        }
        .unwrap_or_else(|e| panic!("{desc}: {e}"))
    };
    let mut f = p("in", input);
    let golden = p("out", want).format();
    edit(&mut f);
    assert_eq!(
        String::from_utf8_lossy(&f.format()),
        String::from_utf8_lossy(&golden),
        "{desc}"
    );
    f
}

fn test_work_edit(desc: &str, input: &str, want: &str, edit: impl FnOnce(&mut WorkFile)) {
    let mut f = parse_work("in", input.as_bytes(), None).unwrap_or_else(|e| panic!("{desc}: {e}"));
    let golden = parse_work("out", want.as_bytes(), None)
        .unwrap_or_else(|e| panic!("{desc}: {e}"))
        .format();
    edit(&mut f);
    assert_eq!(
        String::from_utf8_lossy(&f.format()),
        String::from_utf8_lossy(&golden),
        "{desc}"
    );
}

#[test]
fn add_require() {
    let cases = [
        (
            "existing",
            "\n\t\tmodule m\n\t\trequire x.y/z v1.2.3\n\t\t",
            "x.y/z",
            "v1.5.6",
            "\n\t\tmodule m\n\t\trequire x.y/z v1.5.6\n\t\t",
        ),
        (
            "existing2",
            "\n\t\tmodule m\n\t\trequire (\n\t\t\tx.y/z v1.2.3 // first\n\t\t\tx.z/a v0.1.0 // first-a\n\t\t)\n\t\trequire x.y/z v1.4.5 // second\n\t\trequire (\n\t\t\tx.y/z v1.6.7 // third\n\t\t\tx.z/a v0.2.0 // third-a\n\t\t)\n\t\t",
            "x.y/z",
            "v1.8.9",
            "\n\t\tmodule m\n\n\t\trequire (\n\t\t\tx.y/z v1.8.9 // first\n\t\t\tx.z/a v0.1.0 // first-a\n\t\t)\n\n\t\trequire x.z/a v0.2.0 // third-a\n\t\t",
        ),
        (
            "new",
            "\n\t\tmodule m\n\t\trequire x.y/z v1.2.3\n\t\t",
            "x.y/w",
            "v1.5.6",
            "\n\t\tmodule m\n\t\trequire (\n\t\t\tx.y/z v1.2.3\n\t\t\tx.y/w v1.5.6\n\t\t)\n\t\t",
        ),
        (
            "new2",
            "\n\t\tmodule m\n\t\trequire x.y/z v1.2.3\n\t\trequire x.y/q/v2 v2.3.4\n\t\t",
            "x.y/w",
            "v1.5.6",
            "\n\t\tmodule m\n\t\trequire x.y/z v1.2.3\n\t\trequire (\n\t\t\tx.y/q/v2 v2.3.4\n\t\t\tx.y/w v1.5.6\n\t\t)\n\t\t",
        ),
    ];
    for (desc, input, path, vers, want) in cases {
        test_edit(desc, input, want, true, |f| {
            f.add_require(path, vers);
            f.cleanup();
        });
    }
}

/// Requirements as (path, version, indirect).
type Reqs<'a> = &'a [(&'a str, &'a str, bool)];

fn req(list: Reqs<'_>) -> Vec<(Version, bool)> {
    list.iter()
        .map(|&(p, v, i)| (Version::new(p, v), i))
        .collect()
}

#[test]
fn set_require() {
    let cases: &[(&str, &str, Reqs, &str)] = &[
        (
            "https://golang.org/issue/45932",
            "module m\n\t\trequire (\n\t\t\tx.y/a v1.2.3 //indirect\n\t\t\tx.y/b v1.2.3\n\t\t\tx.y/c v1.2.3\n\t\t)\n\t\t",
            &[
                ("x.y/a", "v1.2.3", false),
                ("x.y/b", "v1.2.3", false),
                ("x.y/c", "v1.2.3", false),
            ],
            "module m\n\t\trequire (\n\t\t\tx.y/a v1.2.3\n\t\t\tx.y/b v1.2.3\n\t\t\tx.y/c v1.2.3\n\t\t)\n\t\t",
        ),
        (
            "existing",
            "module m\n\t\trequire (\n\t\t\tx.y/b v1.2.3\n\n\t\t\tx.y/a v1.2.3\n\t\t\tx.y/d v1.2.3\n\t\t)\n\t\t",
            &[
                ("x.y/a", "v1.2.3", false),
                ("x.y/b", "v1.2.3", false),
                ("x.y/c", "v1.2.3", false),
            ],
            "module m\n\t\trequire (\n\t\t\tx.y/a v1.2.3\n\t\t\tx.y/b v1.2.3\n\t\t\tx.y/c v1.2.3\n\t\t)\n\t\t",
        ),
        (
            "existing_indirect",
            "module m\n\t\trequire (\n\t\t\tx.y/a v1.2.3\n\t\t\tx.y/b v1.2.3 //\n\t\t\tx.y/c v1.2.3 //c\n\t\t\tx.y/d v1.2.3 //   c\n\t\t\tx.y/e v1.2.3 // indirect\n\t\t\tx.y/f v1.2.3 //indirect\n\t\t\tx.y/g v1.2.3 //\tindirect\n\t\t)\n\t\t",
            &[
                ("x.y/a", "v1.2.3", true),
                ("x.y/b", "v1.2.3", true),
                ("x.y/c", "v1.2.3", true),
                ("x.y/d", "v1.2.3", true),
                ("x.y/e", "v1.2.3", true),
                ("x.y/f", "v1.2.3", true),
                ("x.y/g", "v1.2.3", true),
            ],
            "module m\n\t\trequire (\n\t\t\tx.y/a v1.2.3 // indirect\n\t\t\tx.y/b v1.2.3 // indirect\n\t\t\tx.y/c v1.2.3 // indirect; c\n\t\t\tx.y/d v1.2.3 // indirect; c\n\t\t\tx.y/e v1.2.3 // indirect\n\t\t\tx.y/f v1.2.3 //indirect\n\t\t\tx.y/g v1.2.3 //\tindirect\n\t\t)\n\t\t",
        ),
        (
            "existing_multi",
            "module m\n\t\trequire x.y/a v1.2.3\n\t\trequire x.y/b v1.2.3\n\t\trequire x.y/c v1.0.0 // not v1.2.3!\n\t\trequire x.y/d v1.2.3 // comment kept\n\t\trequire x.y/e v1.2.3 // comment kept\n\t\trequire x.y/f v1.2.3 // indirect\n\t\trequire x.y/g v1.2.3 // indirect\n\t\t",
            &[
                ("x.y/h", "v1.2.3", false),
                ("x.y/a", "v1.2.3", false),
                ("x.y/b", "v1.2.3", false),
                ("x.y/c", "v1.2.3", false),
                ("x.y/d", "v1.2.3", false),
                ("x.y/e", "v1.2.3", true),
                ("x.y/f", "v1.2.3", false),
                ("x.y/g", "v1.2.3", false),
            ],
            "module m\n\t\trequire x.y/a v1.2.3\n\n\t\trequire x.y/b v1.2.3\n\n\t\trequire x.y/c v1.2.3 // not v1.2.3!\n\n\t\trequire x.y/d v1.2.3 // comment kept\n\n\t\trequire x.y/e v1.2.3 // indirect; comment kept\n\n\t\trequire x.y/f v1.2.3\n\n\t\trequire (\n\t\t\tx.y/g v1.2.3\n\t\t\tx.y/h v1.2.3\n\t\t)\n\t\t",
        ),
        (
            "existing_duplicate",
            "module m\n\t\trequire (\n\t\t\tx.y/a v1.0.0 // zero\n\t\t\tx.y/a v1.1.0 // one\n\t\t\tx.y/a v1.2.3 // two\n\t\t)\n\t\t",
            &[("x.y/a", "v1.2.3", true)],
            "module m\n\t\trequire x.y/a v1.2.3 // indirect; zero\n\t\t",
        ),
        (
            "existing_duplicate_multi",
            "module m\n\t\trequire x.y/a v1.0.0 // zero\n\t\trequire x.y/a v1.1.0 // one\n\t\trequire x.y/a v1.2.3 // two\n\t\t",
            &[("x.y/a", "v1.2.3", true)],
            "module m\n\t\trequire x.y/a v1.2.3 // indirect; zero\n\t\t",
        ),
    ];
    for &(desc, input, mods, want) in cases {
        let f = test_edit(desc, input, want, true, |f| {
            f.set_require(&req(mods));
            f.cleanup();
        });
        assert_eq!(f.require.len(), mods.len(), "{desc}");
    }
}

#[test]
fn set_indirect_rewrites_comments() {
    // Clearing the marker, the other half of setIndirect.
    let input = "module m\nrequire (\n\tx.y/a v1.0.0 // indirect\n\tx.y/b v1.0.0 // indirect; keep\n\tx.y/c v1.0.0 //indirect;tight\n\tx.y/d v1.0.0 // plain\n)\n";
    let want = "module m\nrequire (\n\tx.y/a v1.0.0\n\tx.y/b v1.0.0 // keep\n\tx.y/c v1.0.0 //indirect;tight\n\tx.y/d v1.0.0 // plain\n)\n";
    let f = test_edit("clear", input, want, true, |f| {
        for i in 0..f.require.len() {
            f.set_indirect(i, false);
        }
    });
    assert!(f.require.iter().all(|r| !r.indirect));
    // Out-of-range indexes are ignored.
    let mut f = parse("in", input.as_bytes(), None).unwrap();
    f.set_indirect(99, true);
}

#[test]
fn add_go() {
    let cases = [
        (
            "module_only",
            "module m\n\t\t",
            "1.14",
            "module m\n\t\tgo 1.14\n\t\t",
        ),
        (
            "module_before_require",
            "module m\n\t\trequire x.y/a v1.2.3\n\t\t",
            "1.14",
            "module m\n\t\tgo 1.14\n\t\trequire x.y/a v1.2.3\n\t\t",
        ),
        (
            "require_before_module",
            "require x.y/a v1.2.3\n\t\tmodule example.com/inverted\n\t\t",
            "1.14",
            "require x.y/a v1.2.3\n\t\tmodule example.com/inverted\n\t\tgo 1.14\n\t\t",
        ),
        (
            "require_only",
            "require x.y/a v1.2.3\n\t\t",
            "1.14",
            "require x.y/a v1.2.3\n\t\tgo 1.14\n\t\t",
        ),
    ];
    for (desc, input, version, want) in cases {
        test_edit(desc, input, want, true, |f| f.add_go_stmt(version).unwrap());
    }
    let mut f = parse("in", b"module m\n", None).unwrap();
    assert_eq!(
        f.add_go_stmt("1.2.x").unwrap_err(),
        "invalid language version \"1.2.x\""
    );
}

#[test]
fn drop_go() {
    let cases = [
        (
            "module_only",
            "module m\n\t\tgo 1.14\n\t\t",
            "module m\n\t\t",
        ),
        (
            "module_before_require",
            "module m\n\t\tgo 1.14\n\t\trequire x.y/a v1.2.3\n\t\t",
            "module m\n\t\trequire x.y/a v1.2.3\n\t\t",
        ),
        (
            "require_before_module",
            "require x.y/a v1.2.3\n\t\tmodule example.com/inverted\n\t\tgo 1.14\n\t\t",
            "require x.y/a v1.2.3\n\t\tmodule example.com/inverted\n\t\t",
        ),
        (
            "require_only",
            "require x.y/a v1.2.3\n\t\tgo 1.14\n\t\t",
            "require x.y/a v1.2.3\n\t\t",
        ),
    ];
    for (desc, input, want) in cases {
        test_edit(desc, input, want, true, |f| {
            f.drop_go_stmt();
            f.cleanup();
        });
    }
}

#[test]
fn add_toolchain() {
    let cases = [
        ("empty", "", "go1.17", "toolchain go1.17\n\t\t"),
        (
            "aftergo",
            "// this is a comment\n\t\trequire x v1.0.0\n\n\t\tgo 1.17\n\n\t\trequire y v1.0.0\n\t\t",
            "go1.17",
            "// this is a comment\n\t\trequire x v1.0.0\n\n\t\tgo 1.17\n\n\t\ttoolchain go1.17\n\n\t\trequire y v1.0.0\n\t\t",
        ),
        (
            "already_have_toolchain",
            "go 1.17\n\n\t\ttoolchain go1.18\n\t\t",
            "go1.19",
            "go 1.17\n\n\t\ttoolchain go1.19\n\t\t",
        ),
    ];
    for (desc, input, version, want) in cases {
        test_edit(desc, input, want, true, |f| {
            f.add_toolchain_stmt(version).unwrap()
        });
    }
    let mut f = parse("in", b"module m\n", None).unwrap();
    assert_eq!(
        f.add_toolchain_stmt("local").unwrap_err(),
        "invalid toolchain name \"local\""
    );
}

#[test]
fn drop_toolchain() {
    let cases = [
        ("empty", "toolchain go1.17\n\t\t", ""),
        (
            "aftergo",
            "// this is a comment\n\t\trequire x v1.0.0\n\n\t\tgo 1.17\n\n\t\ttoolchain go1.17\n\n\t\trequire y v1.0.0\n\t\t",
            "// this is a comment\n\t\trequire x v1.0.0\n\n\t\tgo 1.17\n\n\t\trequire y v1.0.0\n\t\t",
        ),
        (
            "already_have_toolchain",
            "go 1.17\n\n\t\ttoolchain go1.18\n\t\t",
            "go 1.17\n\t\t",
        ),
    ];
    for (desc, input, want) in cases {
        test_edit(desc, input, want, true, |f| {
            f.drop_toolchain_stmt();
            f.cleanup();
        });
    }
}

#[test]
fn add_exclude() {
    let cases = [
        (
            "compatible",
            "module m\n\t\t",
            "example.com",
            "v1.2.3",
            "module m\n\t\texclude example.com v1.2.3\n\t\t",
        ),
        (
            "gopkg.in v0",
            "module m\n\t\t",
            "gopkg.in/foo.v0",
            "v0.2.3",
            "module m\n\t\texclude gopkg.in/foo.v0 v0.2.3\n\t\t",
        ),
        (
            "gopkg.in v1",
            "module m\n\t\t",
            "gopkg.in/foo.v1",
            "v1.2.3",
            "module m\n\t\texclude gopkg.in/foo.v1 v1.2.3\n\t\t",
        ),
        // Not in Go's table: an existing exclusion is a no-op; same path joins it.
        (
            "existing",
            "module m\nexclude example.com v1.2.3\n",
            "example.com",
            "v1.2.3",
            "module m\nexclude example.com v1.2.3\n",
        ),
        (
            "same_path",
            "module m\nexclude example.com v1.2.3\nrequire a.b v1.0.0\n",
            "example.com",
            "v1.2.4",
            "module m\nexclude (\n\texample.com v1.2.3\n\texample.com v1.2.4\n)\nrequire a.b v1.0.0\n",
        ),
    ];
    for (desc, input, path, version, want) in cases {
        test_edit(desc, input, want, true, |f| {
            f.add_exclude(path, version).unwrap()
        });
    }
}

#[test]
fn add_retract() {
    let cases = [
        (
            "new_singleton",
            "module m\n\t\t",
            "v1.2.3",
            "v1.2.3",
            "",
            "module m\n\t\tretract v1.2.3\n\t\t",
        ),
        (
            "new_interval",
            "module m\n\t\t",
            "v1.0.0",
            "v1.1.0",
            "",
            "module m\n\t\tretract [v1.0.0, v1.1.0]",
        ),
        (
            "duplicate_with_rationale",
            "module m\n\t\tretract v1.2.3\n\t\t",
            "v1.2.3",
            "v1.2.3",
            "bad",
            "module m\n\t\tretract (\n\t\t\tv1.2.3\n\t\t\t// bad\n\t\t\tv1.2.3\n\t\t)\n\t\t",
        ),
        (
            "duplicate_multiline_rationale",
            "module m\n\t\tretract [v1.2.3, v1.2.3]\n\t\t",
            "v1.2.3",
            "v1.2.3",
            "multi\nline",
            "module m\n\t\tretract\t(\n\t\t\t[v1.2.3, v1.2.3]\n\t\t\t// multi\n\t\t\t// line\n\t\t\tv1.2.3\n\t\t)\n\t\t",
        ),
        (
            "duplicate_interval",
            "module m\n\t\tretract [v1.0.0, v1.1.0]\n\t\t",
            "v1.0.0",
            "v1.1.0",
            "",
            "module m\n\t\tretract (\n\t\t\t[v1.0.0, v1.1.0]\n\t\t\t[v1.0.0, v1.1.0]\n\t\t)\n\t\t",
        ),
        (
            "duplicate_singleton",
            "module m\n\t\tretract v1.2.3\n\t\t",
            "v1.2.3",
            "v1.2.3",
            "",
            "module m\n\t\tretract\t(\n\t\t\tv1.2.3\n\t\t\tv1.2.3\n\t\t)\n\t\t",
        ),
    ];
    for (desc, input, low, high, rationale, want) in cases {
        test_edit(desc, input, want, true, |f| {
            let vi = VersionInterval {
                low: low.into(),
                high: high.into(),
            };
            f.add_retract(&vi, rationale).unwrap();
        });
    }
}

#[test]
fn drop_retract() {
    let cases = [
        (
            "singleton_no_match",
            "module m\n\t\tretract v1.2.3\n\t\t",
            "v1.0.0",
            "v1.0.0",
            "module m\n\t\tretract v1.2.3\n\t\t",
        ),
        (
            "singleton_match_one",
            "module m\n\t\tretract v1.2.2\n\t\tretract v1.2.3\n\t\tretract v1.2.4\n\t\t",
            "v1.2.3",
            "v1.2.3",
            "module m\n\t\tretract v1.2.2\n\t\tretract v1.2.4\n\t\t",
        ),
        (
            "singleton_match_all",
            "module m\n\t\tretract v1.2.3 // first\n\t\tretract v1.2.3 // second\n\t\t",
            "v1.2.3",
            "v1.2.3",
            "module m\n\t\t",
        ),
        (
            "interval_match",
            "module m\n\t\tretract [v1.2.3, v1.2.3]\n\t\t",
            "v1.2.3",
            "v1.2.3",
            "module m\n\t\t",
        ),
        (
            "interval_superset_no_match",
            "module m\n\t\tretract [v1.0.0, v1.1.0]\n\t\t",
            "v1.0.0",
            "v1.2.0",
            "module m\n\t\tretract [v1.0.0, v1.1.0]\n\t\t",
        ),
        (
            "singleton_match_middle",
            "module m\n\t\tretract v1.2.3\n\t\t",
            "v1.2.3",
            "v1.2.3",
            "module m\n\t\t",
        ),
        (
            "interval_match_middle_block",
            "module m\n\t\tretract (\n\t\t\tv1.0.0\n\t\t\t[v1.1.0, v1.2.0]\n\t\t\tv1.3.0\n\t\t)\n\t\t",
            "v1.1.0",
            "v1.2.0",
            "module m\n\t\tretract (\n\t\t\tv1.0.0\n\t\t\tv1.3.0\n\t\t)\n\t\t",
        ),
        (
            "interval_match_all",
            "module m\n\t\tretract [v1.0.0, v1.1.0]\n\t\tretract [v1.0.0, v1.1.0]\n\t\t",
            "v1.0.0",
            "v1.1.0",
            "module m\n\t\t",
        ),
    ];
    for (desc, input, low, high, want) in cases {
        test_edit(desc, input, want, true, |f| {
            f.drop_retract(&VersionInterval {
                low: low.into(),
                high: high.into(),
            });
            f.cleanup();
        });
    }
}

#[test]
fn sort_blocks() {
    let cases = [
        (
            "exclude_duplicates_removed",
            "module m\n\t\texclude x.y/z v1.0.0 // a\n\t\texclude x.y/z v1.0.0 // b\n\t\texclude (\n\t\t\tx.y/w v1.1.0\n\t\t\tx.y/z v1.0.0 // c\n\t\t)\n\t\t",
            "module m\n\t\texclude x.y/z v1.0.0 // a\n\t\texclude (\n\t\t\tx.y/w v1.1.0\n\t\t)",
            true,
        ),
        (
            "replace_duplicates_removed",
            "module m\n\t\treplace x.y/z v1.0.0 => ./a\n\t\treplace x.y/z v1.1.0 => ./b\n\t\treplace (\n\t\t\tx.y/z v1.0.0 => ./c\n\t\t)\n\t\t",
            "module m\n\t\treplace x.y/z v1.1.0 => ./b\n\t\treplace (\n\t\t\tx.y/z v1.0.0 => ./c\n\t\t)\n\t\t",
            true,
        ),
        (
            "retract_duplicates_not_removed",
            "module m\n\t\t// block\n\t\tretract (\n\t\t\tv1.0.0 // one\n\t\t\tv1.0.0 // two\n\t\t)",
            "module m\n\t\t// block\n\t\tretract (\n\t\t\tv1.0.0 // one\n\t\t\tv1.0.0 // two\n\t\t)",
            true,
        ),
        (
            "sort_lexicographically",
            "module m\n\t\tsort (\n\t\t\taa\n\t\t\tcc\n\t\t\tbb\n\t\t\tzz\n\t\t\tv1.2.0\n\t\t\tv1.11.0\n\t\t)",
            "module m\n\t\tsort (\n\t\t\taa\n\t\t\tbb\n\t\t\tcc\n\t\t\tv1.11.0\n\t\t\tv1.2.0\n\t\t\tzz\n\t\t)\n\t\t",
            false,
        ),
        (
            "sort_retract",
            "module m\n\t\tretract (\n\t\t\t[v1.2.0, v1.3.0]\n\t\t\t[v1.1.0, v1.3.0]\n\t\t\t[v1.1.0, v1.2.0]\n\t\t\tv1.0.0\n\t\t\tv1.1.0\n\t\t\tv1.2.0\n\t\t\tv1.3.0\n\t\t\tv1.4.0\n\t\t)\n\t\t",
            "module m\n\t\tretract (\n\t\t\tv1.4.0\n\t\t\tv1.3.0\n\t\t\t[v1.2.0, v1.3.0]\n\t\t\tv1.2.0\n\t\t\t[v1.1.0, v1.3.0]\n\t\t\t[v1.1.0, v1.2.0]\n\t\t\tv1.1.0\n\t\t\tv1.0.0\n\t\t)\n\t\t",
            false,
        ),
        (
            "sort_exclude_go121_semver",
            "module m\n\t\tgo 1.21\n\t\texclude (\n\t\t\tb.example/m v0.9.0\n\t\t\ta.example/m v1.0.0\n\t\t\tb.example/m v0.10.0\n\t\t\tc.example/m v1.1.0\n\t\t\tb.example/m v0.11.0\n\t\t)",
            "module m\n\t\tgo 1.21\n\t\texclude (\n\t\t\ta.example/m v1.0.0\n\t\t\tb.example/m v0.9.0\n\t\t\tb.example/m v0.10.0\n\t\t\tb.example/m v0.11.0\n\t\t\tc.example/m v1.1.0\n\t\t)\n\t\t",
            true,
        ),
        (
            "sort_exclude_!go121_lexicographically",
            "module m\n\t\texclude (\n\t\t\tb.example/m v0.9.0\n\t\t\ta.example/m v1.0.0\n\t\t\tb.example/m v0.10.0\n\t\t\tc.example/m v1.1.0\n\t\t\tb.example/m v0.11.0\n\t\t)",
            "module m\n\t\texclude (\n\t\t\ta.example/m v1.0.0\n\t\t\tb.example/m v0.10.0\n\t\t\tb.example/m v0.11.0\n\t\t\tb.example/m v0.9.0\n\t\t\tc.example/m v1.1.0\n\t\t)\n\t\t",
            true,
        ),
    ];
    for (desc, input, want, strict) in cases {
        test_edit(desc, input, want, strict, File::sort_blocks);
    }
}

#[test]
fn add_retract_validates_versions() {
    let cases = [
        (
            "blank_version",
            "example.com/m",
            "",
            "",
            "version \"\" invalid: must be of the form v1.2.3",
        ),
        (
            "missing prefix",
            "example.com/m",
            "1.0.0",
            "1.0.0",
            "version \"1.0.0\" invalid: must be of the form v1.2.3",
        ),
        (
            "non-canonical",
            "example.com/m",
            "v1.2",
            "v1.2",
            "version \"v1.2\" invalid: must be of the form v1.2.3",
        ),
        (
            "invalid range",
            "example.com/m",
            "v1.2.3",
            "v1.3",
            "version \"v1.3\" invalid: must be of the form v1.2.3",
        ),
        (
            "mismatched major",
            "example.com/m/v2",
            "v1.0.0",
            "v1.0.0",
            "version \"v1.0.0\" invalid: should be v2, not v1",
        ),
        (
            "missing +incompatible",
            "example.com/m",
            "v2.0.0",
            "v2.0.0",
            "version \"v2.0.0\" invalid: should be v2.0.0+incompatible (or module example.com/m/v2)",
        ),
        // Not in Go's table: the suggested form follows the path's major version.
        (
            "v2 non-canonical",
            "example.com/m/v2",
            "v2.0",
            "v2.0",
            "version \"v2.0\" invalid: must be of the form v2.2.3",
        ),
    ];
    for (desc, path, low, high, want) in cases {
        let mut f = File::default();
        f.add_module_stmt(path);
        let vi = VersionInterval {
            low: low.into(),
            high: high.into(),
        };
        assert_eq!(f.add_retract(&vi, "").unwrap_err(), want, "{desc}");
    }
}

#[test]
fn add_exclude_validates_versions() {
    let cases = [
        (
            "blank version",
            "example.com/m",
            "",
            "version \"\" invalid: must be of the form v1.2.3",
        ),
        (
            "missing prefix",
            "example.com/m",
            "1.0.0",
            "version \"1.0.0\" invalid: must be of the form v1.2.3",
        ),
        (
            "non-canonical",
            "example.com/m",
            "v1.2",
            "version \"v1.2\" invalid: must be of the form v1.2.3",
        ),
        (
            "mismatched major",
            "example.com/m/v2",
            "v1.2.3",
            "version \"v1.2.3\" invalid: should be v2, not v1",
        ),
        (
            "missing +incompatible",
            "example.com/m",
            "v2.3.4",
            "version \"v2.3.4\" invalid: should be v2.3.4+incompatible (or module example.com/m/v2)",
        ),
    ];
    for (desc, path, version, want) in cases {
        let mut f = parse("in", b"module m", None).unwrap();
        assert_eq!(f.add_exclude(path, version).unwrap_err(), want, "{desc}");
    }
}

#[test]
fn module_godebug_replace_tool_ignore_edits() {
    // Expected outputs checked with the x/mod edit functions.
    test_edit("module", "module a\n", "module \"b c\"\n", true, |f| {
        f.add_module_stmt("b c")
    });
    test_edit(
        "godebug",
        "module m\ngodebug a=1\ngodebug (\n\tb=2\n\ta=3\n)\n",
        "module m\ngodebug a=9\ngodebug (\n\tb=2\n\tc=4\n)\n",
        true,
        |f| {
            f.add_godebug("a", "9");
            f.add_godebug("c", "4");
            f.cleanup();
        },
    );
    test_edit(
        "dropgodebug",
        "module m\ngodebug a=1\ngodebug b=2\n",
        "module m\ngodebug b=2\n",
        true,
        |f| {
            f.drop_godebug("a");
            f.cleanup();
        },
    );
    test_edit(
        "replace",
        "module m\nreplace x.y/z v1.0.0 => ./a\nreplace x.y/z v1.1.0 => ./b\n",
        "module m\nreplace x.y/z => ./c\n",
        true,
        |f| {
            f.add_replace("x.y/z", "", "./c", "");
            f.cleanup();
        },
    );
    test_edit(
        "replace_new_next_to_same_path",
        "module m\nreplace x.y/z v1.0.0 => ./a\nrequire a.b v1.0.0\n",
        "module m\nreplace (\n\tx.y/z v1.0.0 => ./a\n\tx.y/z v1.1.0 => q.r/s v1.2.0\n)\nrequire a.b v1.0.0\n",
        true,
        |f| f.add_replace("x.y/z", "v1.1.0", "q.r/s", "v1.2.0"),
    );
    test_edit(
        "dropreplace",
        "module m\nreplace (\n\tx.y/z v1.0.0 => ./a\n\tx.y/z => ./b\n)\n",
        "module m\nreplace x.y/z => ./b\n",
        true,
        |f| {
            f.drop_replace("x.y/z", "v1.0.0");
            f.cleanup();
        },
    );
    test_edit(
        "tool",
        "module m\ntool (\n\tz.com/t\n\ta.com/t\n)\n",
        "module m\ntool (\n\ta.com/t\n\tm.com/t\n\tz.com/t\n)\n",
        true,
        |f| {
            f.add_tool("m.com/t");
            f.add_tool("a.com/t");
        },
    );
    test_edit(
        "droptool_ignore",
        "module m\ntool a.com/t\nignore ./x\nignore ./y\n",
        "module m\nignore ./y\n",
        true,
        |f| {
            f.drop_tool("a.com/t");
            f.drop_ignore("./x");
            f.cleanup();
        },
    );
    test_edit(
        "ignore",
        "module m\nignore ./b\n",
        "module m\nignore (\n\t./a\n\t./b\n)\n",
        true,
        |f| {
            f.add_ignore("./a");
            f.add_ignore("./b");
        },
    );
    test_edit(
        "droprequire_exclude",
        "module m\nrequire (\n\ta.com/a v1.0.0\n\tb.com/b v1.0.0\n)\nexclude c.com/c v1.0.0\n",
        "module m\nrequire b.com/b v1.0.0\n",
        true,
        |f| {
            f.drop_require("a.com/a");
            f.drop_exclude("c.com/c", "v1.0.0");
            f.cleanup();
        },
    );
    let f = test_edit(
        "add_new_require_indirect",
        "module m\n",
        "module m\nrequire a.com/a v1.0.0 // indirect\n",
        true,
        |f| f.add_new_require("a.com/a", "v1.0.0", true),
    );
    assert!(f.require[0].indirect);
}

#[test]
fn work_add_use() {
    let cases = [
        ("empty", "", "foo", "bar", "use foo"),
        (
            "go_stmt_only",
            "go 1.17\n\t\t",
            "foo",
            "bar",
            "go 1.17\n\t\tuse foo\n\t\t",
        ),
        (
            "use_line_present",
            "go 1.17\n\t\tuse baz",
            "foo",
            "bar",
            "go 1.17\n\t\tuse (\n\t\t\tbaz\n\t\t  foo\n\t\t)\n\t\t",
        ),
        (
            "use_block_present",
            "go 1.17\n\t\tuse (\n\t\t\tbaz\n\t\t\tquux\n\t\t)\n\t\t",
            "foo",
            "bar",
            "go 1.17\n\t\tuse (\n\t\t\tbaz\n\t\t  quux\n\t\t\tfoo\n\t\t)\n\t\t",
        ),
        (
            "use_and_replace_present",
            "go 1.17\n\t\tuse baz\n\t\treplace a => ./b\n\t\t",
            "foo",
            "bar",
            "go 1.17\n\t\tuse (\n\t\t\tbaz\n\t\t\tfoo\n\t\t)\n\t\treplace a => ./b\n\t\t",
        ),
    ];
    for (desc, input, path, module_path, want) in cases {
        test_work_edit(desc, input, want, |f| f.add_use(path, module_path));
    }
}

#[test]
fn work_drop_use() {
    let cases = [
        ("empty", "", "foo", ""),
        ("go_stmt_only", "go 1.17\n\t\t", "foo", "go 1.17\n\t\t"),
        ("single_use", "go 1.17\n\t\tuse foo", "foo", "go 1.17\n\t\t"),
        (
            "use_block",
            "go 1.17\n\t\tuse (\n\t\t\tfoo\n\t\t\tbar\n\t\t\tbaz\n\t\t)",
            "bar",
            "go 1.17\n\t\tuse (\n\t\t\tfoo\n\t\t\tbaz\n\t\t)",
        ),
        (
            "use_multi",
            "go 1.17\n\t\tuse (\n\t\t\tfoo\n\t\t\tbar\n\t\t\tbaz\n\t\t)\n\t\tuse foo\n\t\tuse quux\n\t\tuse foo",
            "foo",
            "go 1.17\n\t\tuse (\n\t\t\tbar\n\t\t\tbaz\n\t\t)\n\t\tuse quux",
        ),
    ];
    for (desc, input, path, want) in cases {
        test_work_edit(desc, input, want, |f| {
            f.drop_use(path);
            f.cleanup();
        });
    }
}

#[test]
fn work_add_go() {
    let cases = [
        ("empty", "", "1.17", "go 1.17\n\t\t"),
        (
            "comment",
            "// this is a comment",
            "1.17",
            "// this is a comment\n\n\t\tgo 1.17",
        ),
        (
            "use_after_replace",
            "\n\t\treplace example.com/foo => ../bar\n\t\tuse foo\n\t\t",
            "1.17",
            "\n\t\tgo 1.17\n\t\treplace example.com/foo => ../bar\n\t\tuse foo\n\t\t",
        ),
        (
            "use_before_replace",
            "use foo\n\t\treplace example.com/foo => ../bar\n\t\t",
            "1.17",
            "\n\t\tgo 1.17\n\t\tuse foo\n\t\treplace example.com/foo => ../bar\n\t\t",
        ),
        (
            "use_only",
            "use foo\n\t\t",
            "1.17",
            "\n\t\tgo 1.17\n\t\tuse foo\n\t\t",
        ),
        (
            "already_have_go",
            "go 1.17\n\t\t",
            "1.18",
            "\n\t\tgo 1.18\n\t\t",
        ),
    ];
    for (desc, input, version, want) in cases {
        test_work_edit(desc, input, want, |f| f.add_go_stmt(version).unwrap());
    }
}

#[test]
fn work_toolchain_edits() {
    test_work_edit(
        "after_go",
        "// c\n\ngo 1.21\nuse ./a\n",
        "// c\n\ngo 1.21\n\ntoolchain go1.22.0\nuse ./a\n",
        |f| f.add_toolchain_stmt("go1.22.0").unwrap(),
    );
    test_work_edit(
        "no_go",
        "// c\n\nuse ./a\n",
        "// c\n\ntoolchain go1.22.0\nuse ./a\n",
        |f| f.add_toolchain_stmt("go1.22.0").unwrap(),
    );
    test_work_edit("drop", "go 1.21\ntoolchain go1.22.0\n", "", |f| {
        f.drop_toolchain_stmt();
        f.drop_go_stmt();
        f.cleanup();
    });
}

#[test]
fn work_sort_blocks() {
    let cases = [
        (
            "use_duplicates_not_removed",
            "go 1.17\n\t\tuse foo\n\t\tuse bar\n\t\tuse (\n\t\t\tfoo\n\t\t)",
            "go 1.17\n\t\tuse foo\n\t\tuse bar\n\t\tuse (\n\t\t\tfoo\n\t\t)",
        ),
        (
            "replace_duplicates_removed",
            "go 1.17\n\t\tuse foo\n\t\treplace x.y/z v1.0.0 => ./a\n\t\treplace x.y/z v1.1.0 => ./b\n\t\treplace (\n\t\t\tx.y/z v1.0.0 => ./c\n\t\t)\n\t\t",
            "go 1.17\n\t\tuse foo\n\t\treplace x.y/z v1.1.0 => ./b\n\t\treplace (\n\t\t\tx.y/z v1.0.0 => ./c\n\t\t)\n\t\t",
        ),
    ];
    for (desc, input, want) in cases {
        test_work_edit(desc, input, want, WorkFile::sort_blocks);
    }
}

#[test]
fn stable_sort_matches_go_on_inconsistent_orders() {
    // A stable sort that must keep equal elements in order, over more than one
    // insertion-sort run of 20, and an order that is not transitive must not panic.
    let mut v: Vec<(u32, usize)> = (0..97).map(|i| ((i * 37 % 11) as u32, i)).collect();
    super::super::sort::stable_sort(&mut v, |a, b| a.0.cmp(&b.0));
    assert!(
        v.windows(2)
            .all(|w| w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1))
    );
    let mut w: Vec<u32> = (0..64).map(|i| (i * 7919) % 13).collect();
    super::super::sort::stable_sort(&mut w, |a, b| {
        if (a + b) % 3 == 0 {
            std::cmp::Ordering::Less
        } else {
            a.cmp(b)
        }
    });
    assert_eq!(w.len(), 64);
}
