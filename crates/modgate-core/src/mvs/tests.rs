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

/// The requirement graphs of Go's `cmd/go/internal/mvs/mvs_test.go` with their
/// `build` and `req` expectations (the upgrade and downgrade ones test
/// algorithms modgate does not port). A module is one letter, its version the
/// rest (`B1`); the target's version is `""`, `none` is below every version,
/// and versions compare as strings, as in Go's test `reqsMap`.
const GO_MVS_TABLES: &str = "
name: blog
A: B1 C2
B1: D3
C1: D2
C2: D4
C3: D5
C4: G1
D2: E1
D3: E2
D4: E2 F1
D5: E2
G1: C4
A2: B1 C4 D4
build A:       A B1 C2 D4 E2 F1
build A2:     A2 B1 C4 D4 E2 F1 G1

name: trim
A: B1 C2
B1: D3
C2: B2
B2:
build A: A B2 C2 D3

name: cross1
A: B C
B: D1
C: D2
D1: E2
D2: E1
build A: A B C D2 E2

name: cross1V
A: B2 C D2 E1
B1:
B2: D1
C: D2
D1: E2
D2: E1
build A: A B2 C D2 E2

name: cross1U
A: B1 C
B1:
B2: D1
C: D2
D1: E2
D2: E1
build A:      A B1 C D2 E1

name: cross1R
A: B C
B: D2
C: D1
D1: E2
D2: E1
build A: A B C D2 E2

name: cross1X
A: B C
B: D1 E2
C: D2
D1: E2
D2: E1
build A: A B C D2 E2

name: cross2
A: B D2
B: D1
D1: E2
D2: E1
build A: A B D2 E2

name: cross2X
A: B D2
B: D1 E2
C: D2
D1: E2
D2: E1
build A: A B D2 E2

name: cross3
A: B D2 E1
B: D1
D1: E2
D2: E1
build A: A B D2 E2

name: cross3X
A: B D2 E1
B: D1 E2
D1: E2
D2: E1
build A: A B D2 E2

name: cross4
A1: B1 D2
A2: B2 D2
B1: D1
B2: D2
D1: E2
D2: E1
build A1: A1 B1 D2 E2
build A2: A2 B2 D2 E1

name: cross5
A: D1
D1: E2
D2: E1
build A:       A D1 E2

name: cross6
A: D2
D1: E2
D2: E1
build A:      A D2 E1

name: cross7
A: B C
B: D1
C: E1
D1: E2
E1: D2
build A: A B C D2 E2

name: cross8
M: A1 B1
A1: X1
B1: X2
X1: I1
X2:
build M: M A1 B1 I1 X2

name: drop
A: B1 C1
B1: D1
B2:
C2:
D2:
build A:    A B1 C1 D1

name: simplify
A: B1 C1
B1: C2
C1: D1
C2:
build A: A B1 C2 D1

name: cycle1
A: B1
B1: A1
B2: A2
B3: A3
build A:      A B1

name: cycle2
A: B1
A1: C1
A2: D1
B1: A1
B2: A2
C1: A2
C2:
D2:
build A:    A B1 C1 D1

name: cycle3
M: A1 C2
A1: B1
B1: C1
B2: C2
C1:
C2: B2
build M: M A1 B2 C2
req M:     A1 B2
req M A:   A1 B2
req M C:   A1 C2

name: req1
A: B1 C1 D1 E1 F1
B1: C1 E1 F1
req A:   B1    D1
req A C: B1 C1 D1

name: req2
A: G1 H1
G1: H1
H1: G1
req A:   G1
req A G: G1
req A H: H1

name: req3
M: A1 B1
A1: X1
B1: X2
X1: I1
X2:
req M: A1 B1

name: reqnone
M: Anone B1 D1 E1
B1: Cnone D1
E1: Fnone
build M: M B1 D1 E1
req M:     B1    E1

name: reqdup
M: A1 B1
A1: B1
B1:
req M A A: A1

name: reqcross
M: A1 B1 C1
A1: B1 C1
B1: C1
C1:
req M A B: A1 B1
";

/// Go's test `reqsMap`: a table of requirements, versions compared as strings.
struct ReqsMap(HashMap<Version, Vec<Version>>);

impl Reqs for ReqsMap {
    fn required(&mut self, m: &Version) -> Result<Vec<Version>, String> {
        self.0
            .get(m)
            .cloned()
            .ok_or_else(|| format!("missing module: {m}"))
    }

    fn compare(&self, _path: &str, v1: &str, v2: &str) -> std::cmp::Ordering {
        let rank = |v: &str| match v {
            "none" => 0,
            "" => 2,
            _ => 1,
        };
        rank(v1).cmp(&rank(v2)).then_with(|| v1.cmp(v2))
    }
}

fn table_module(s: &str) -> Version {
    Version::new(&s[..1], &s[1..])
}

#[test]
fn go_mvs_tables_build_and_req() {
    let mut checked = 0;
    for block in GO_MVS_TABLES.split("\n\n") {
        let mut name = "";
        let mut graph: HashMap<Version, Vec<Version>> = HashMap::new();
        let mut checks: Vec<(Vec<&str>, Vec<Version>)> = Vec::new();
        for line in block.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (key, val) = line.split_once(':').unwrap();
            let key: Vec<&str> = key.split_whitespace().collect();
            let val: Vec<Version> = val.split_whitespace().map(table_module).collect();
            match key[0] {
                "name" => name = line["name:".len()..].trim(),
                "build" | "req" => checks.push((key, val)),
                m => {
                    for r in &val {
                        graph.entry(r.clone()).or_default();
                    }
                    graph.insert(table_module(m), val);
                }
            }
        }
        for (key, want) in checks {
            let mut reqs = ReqsMap(graph.clone());
            let target = table_module(key[1]);
            let got = if key[0] == "build" {
                build_list_of(&target, &mut reqs)
            } else {
                let base: Vec<String> = key[2..].iter().map(|s| s.to_string()).collect();
                req(&target, &base, &mut reqs)
            };
            assert_eq!(got.unwrap(), want, "{name}: {}", key.join(" "));
            checked += 1;
        }
    }
    assert_eq!(checked, 36);
}

#[test]
fn req_reports_a_missing_go_mod() {
    let mut reqs = ReqsMap(HashMap::from([
        (table_module("M"), vec![table_module("A1")]),
        (table_module("A1"), vec![table_module("B1")]),
    ]));
    let err = req(&table_module("M"), &[], &mut reqs).unwrap_err();
    assert_eq!(err.to_string(), "A@1 requires\n\tB@1: missing module: B@1");
}
