//! Runs `explain` over the corpus of real go error texts in
//! `tests/testdata/explain/`.
//!
//! Each file is a header of `# key: value` lines, a `-- output --` line, and
//! then the exact text go printed. Header keys:
//!
//! * `source:` where the text comes from (a lab run of go 1.27.3, or a
//!   public report); free text, required.
//! * `expect: <code> <target>`: one per finding, in order; the findings must
//!   be exactly these (`-` for an empty target). `expect: none` means no
//!   finding (verdict `unknown`).
//! * `fix: <substring>` and `summary: <substring>`: must occur in a fix line
//!   (resp. the summary) of the finding named by the preceding `expect:`.
//! * `platform: linux|darwin|windows|none`: the detected platform.
//!
//! Set `EXPLAIN_CORPUS_PRINT=1` to print what explain says for every file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use modgate_doctor::explain::{self, Verdict};

#[derive(Debug, Default)]
struct Expect {
    code: String,
    target: String,
    fixes: Vec<String>,
    summaries: Vec<String>,
}

#[derive(Debug, Default)]
struct Case {
    source: String,
    expects: Vec<Expect>,
    none: bool,
    platform: Option<String>,
    output: String,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/explain")
}

fn parse(name: &str, text: &str) -> Result<Case, String> {
    let (header, output) = text
        .split_once("\n-- output --\n")
        .ok_or_else(|| format!("{name}: no `-- output --` line"))?;
    let mut case = Case {
        output: output.to_string(),
        ..Case::default()
    };
    for line in header.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let body = line
            .strip_prefix("# ")
            .ok_or_else(|| format!("{name}: header line without `# `: {line}"))?;
        let (key, value) = body
            .split_once(": ")
            .map(|(k, v)| (k, v.trim()))
            .or_else(|| body.strip_suffix(':').map(|k| (k, "")))
            .ok_or_else(|| format!("{name}: header line without `key: value`: {line}"))?;
        match key {
            "source" => case.source = value.to_string(),
            "expect" if value == "none" => case.none = true,
            "expect" => {
                let (code, target) = value.split_once(' ').unwrap_or((value, "-"));
                let target = if target.trim() == "-" {
                    ""
                } else {
                    target.trim()
                };
                case.expects.push(Expect {
                    code: code.to_string(),
                    target: target.to_string(),
                    ..Expect::default()
                });
            }
            "fix" | "summary" => {
                let e = case
                    .expects
                    .last_mut()
                    .ok_or_else(|| format!("{name}: `{key}:` before any `expect:`"))?;
                if key == "fix" {
                    e.fixes.push(value.to_string());
                } else {
                    e.summaries.push(value.to_string());
                }
            }
            "platform" => case.platform = Some(value.to_string()),
            other => return Err(format!("{name}: unknown header key `{other}`")),
        }
    }
    if case.source.is_empty() {
        return Err(format!("{name}: no `source:`"));
    }
    if case.none != case.expects.is_empty() {
        return Err(format!(
            "{name}: needs either `expect: none` or at least one `expect: <code> <target>`"
        ));
    }
    Ok(case)
}

fn check(name: &str, case: &Case) -> Vec<String> {
    let mut errs = Vec::new();
    let e = explain::explain(&case.output);
    let got: Vec<(String, String)> = e
        .findings
        .iter()
        .map(|f| (f.code.as_str().to_string(), f.target.clone()))
        .collect();
    let want: Vec<(String, String)> = case
        .expects
        .iter()
        .map(|x| (x.code.clone(), x.target.clone()))
        .collect();
    if got != want {
        errs.push(format!("{name}: findings {got:?}, want {want:?}"));
    }
    if case.none && e.verdict() != Verdict::Unknown {
        errs.push(format!("{name}: verdict {:?}, want unknown", e.verdict()));
    }
    for (x, f) in case.expects.iter().zip(&e.findings) {
        for want_fix in &x.fixes {
            if !f.fix.iter().any(|l| l.contains(want_fix.as_str())) {
                errs.push(format!(
                    "{name}: {} fix has no `{want_fix}`: {:?}",
                    x.code, f.fix
                ));
            }
        }
        for want_sum in &x.summaries {
            if !f.summary.contains(want_sum.as_str()) {
                errs.push(format!(
                    "{name}: {} summary has no `{want_sum}`: {}",
                    x.code, f.summary
                ));
            }
        }
        if f.evidence.is_empty() || f.summary.is_empty() || f.fix.is_empty() {
            errs.push(format!("{name}: {} lacks evidence, summary or fix", x.code));
        }
    }
    if let Some(p) = &case.platform {
        let got = e.platform.as_ref().map_or("none", |p| p.os.as_str());
        if got != p {
            errs.push(format!("{name}: platform {got}, want {p}"));
        }
    }
    errs
}

fn describe(e: &explain::Explanation) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "  platform: {:?}",
        e.platform.as_ref().map(|p| (p.os, &p.evidence))
    );
    for f in &e.findings {
        let _ = writeln!(s, "  # expect: {} {}", f.code, f.target);
        let _ = writeln!(s, "      {}", f.summary);
        for l in &f.fix {
            let _ = writeln!(s, "      fix: {l}");
        }
        for l in &f.evidence {
            let _ = writeln!(s, "      ev: {l}");
        }
    }
    for u in &e.unexplained {
        let _ = writeln!(s, "  unexplained: {u}");
    }
    s
}

#[test]
fn corpus() {
    let dir = corpus_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("reading {}: {err}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let print = std::env::var_os("EXPLAIN_CORPUS_PRINT").is_some();
    let mut failures = Vec::new();
    let mut passed = 0;
    let mut platforms = [0usize; 3];
    for path in &files {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{name}: {err}"));
        let case = match parse(&name, &text) {
            Ok(c) => c,
            Err(err) => {
                failures.push(err);
                continue;
            }
        };
        if print {
            println!("{name}\n{}", describe(&explain::explain(&case.output)));
        }
        let errs = check(&name, &case);
        if errs.is_empty() {
            passed += 1;
        }
        failures.extend(errs);
        match case.platform.as_deref() {
            Some("linux") => platforms[0] += 1,
            Some("darwin") => platforms[1] += 1,
            Some("windows") => platforms[2] += 1,
            _ => {}
        }
    }
    println!(
        "explain corpus: {} files, {passed} passed ({} linux, {} darwin, {} windows texts)",
        files.len(),
        platforms[0],
        platforms[1],
        platforms[2]
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(files.len() >= 60, "corpus has only {} files", files.len());
}

/// Every prefix and suffix of every corpus text (at a stride) is explained
/// without panicking: pastes are often cut off at either end.
#[test]
fn truncated_texts_never_panic() {
    let dir = corpus_dir();
    let mut runs = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let output = text
            .split_once("\n-- output --\n")
            .map_or(text.as_str(), |(_, o)| o);
        let cuts: Vec<usize> = output.char_indices().map(|(i, _)| i).step_by(5).collect();
        for &i in &cuts {
            let e = explain::explain(&output[..i]);
            let _ = explain::render::to_text(&e, true);
            let _ = explain::json::to_string_pretty(&explain::explain(&output[i..]));
            runs += 2;
        }
    }
    println!("explain: {runs} truncated texts explained without panicking");
}
