//! `modgate update`: plan newer versions for a project's requirements and rewrite
//! go.mod and go.sum as `go get` + `go mod tidy` would (docs/update.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use modgate_project::update::{self, Mode, Options, Outcome};
use modgate_project::{GoSettings, Project, Store};

use crate::cli::UpdateArgs;

pub fn run(args: UpdateArgs) -> anyhow::Result<ExitCode> {
    match run_inner(&args) {
        Ok(code) => Ok(code),
        Err(e) => {
            crate::output::report_error(&e);
            Ok(ExitCode::from(2))
        }
    }
}

fn run_inner(args: &UpdateArgs) -> anyhow::Result<ExitCode> {
    let mut settings = GoSettings::from_process();
    if let Some(p) = &args.proxy {
        settings = settings.with_proxy(p);
    }
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let project = Project::find(&dir, &settings)?;
    let store = match &args.cache {
        Some(d) => Store::Dir(d.clone()),
        None => Store::Temp,
    };
    let fetcher = modgate_project::Fetcher::new(&settings, store)?;
    let mode = if args.patch {
        Mode::Patch
    } else if args.minor {
        Mode::Minor
    } else {
        Mode::Latest
    };
    let opts = Options {
        mode,
        only: args.only.clone(),
        exclude: args.exclude.clone(),
        jobs: usize::from(args.jobs),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let outcome = rt.block_on(update::update(&project, &fetcher, &opts))?;
    if !args.dry_run {
        for e in &outcome.edits {
            write_atomic(&e.path, &e.after)?;
        }
    }
    let text = if args.json {
        to_json(&outcome, args.dry_run)
    } else {
        to_text(&outcome, args.dry_run)
    };
    crate::output::write_stdout_bytes(text.as_bytes())?;
    Ok(if outcome.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Writes through a temporary file in the same directory and renames it over.
fn write_atomic(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(data)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

fn to_text(o: &Outcome, dry_run: bool) -> String {
    let mut s = String::new();
    if o.changes.is_empty() {
        s.push_str("nothing to update\n");
    } else {
        let w = o
            .changes
            .iter()
            .map(|c| c.module.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let wf = o
            .changes
            .iter()
            .map(|c| c.from.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let wt = o
            .changes
            .iter()
            .map(|c| c.to.len())
            .max()
            .unwrap_or(2)
            .max(2);
        s.push_str(&format!(
            "{:w$}  {:wf$}  {:wt$}  KIND\n",
            "MODULE", "FROM", "TO"
        ));
        for c in &o.changes {
            s.push_str(&format!(
                "{:w$}  {:wf$}  {:wt$}  {}\n",
                c.module, c.from, c.to, c.kind
            ));
        }
    }
    for f in &o.failures {
        s.push_str(&format!("could not update {}: {}\n", f.module, f.error));
    }
    for n in &o.notes {
        s.push_str(&format!("note: {n}\n"));
    }
    if dry_run {
        for e in &o.edits {
            s.push_str(&unified_diff(&e.path, &e.before, &e.after));
        }
    } else {
        for e in &o.edits {
            s.push_str(&format!("wrote {}\n", e.path.display()));
        }
    }
    s
}

fn to_json(o: &Outcome, dry_run: bool) -> String {
    let v = serde_json::json!({
        "dry_run": dry_run,
        "changes": o.changes,
        "failures": o.failures,
        "notes": o.notes,
        "files": o.edits.iter().map(|e| serde_json::json!({
            "path": e.path,
            "diff": unified_diff(&e.path, &e.before, &e.after),
        })).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// A unified diff (3 lines of context) of two small text files.
fn unified_diff(path: &Path, before: &[u8], after: &[u8]) -> String {
    let a: Vec<&str> = std::str::from_utf8(before)
        .unwrap_or("")
        .split_inclusive('\n')
        .collect();
    let b: Vec<&str> = std::str::from_utf8(after)
        .unwrap_or("")
        .split_inclusive('\n')
        .collect();
    // Longest common subsequence table, from the ends.
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // The edit script: (' ' | '-' | '+', line, old index, new index).
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let name = path.display();
    let mut out = format!("--- {name}\n+++ {name}\n");
    const CTX: usize = 3;
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CTX);
        let mut end = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= end + 2 * CTX + 1 {
            k += 1;
            end = changed[k];
        }
        let end = (end + CTX + 1).min(ops.len());
        let (mut old_start, mut new_start) = (1, 1);
        for op in &ops[..start] {
            if op.0 != '+' {
                old_start += 1;
            }
            if op.0 != '-' {
                new_start += 1;
            }
        }
        let old_len = ops[start..end].iter().filter(|o| o.0 != '+').count();
        let new_len = ops[start..end].iter().filter(|o| o.0 != '-').count();
        // An empty range is named by the line before it (`-0,0` for an empty file).
        if old_len == 0 {
            old_start -= 1;
        }
        if new_len == 0 {
            new_start -= 1;
        }
        out.push_str(&format!(
            "@@ -{old_start},{old_len} +{new_start},{new_len} @@\n"
        ));
        for (c, line) in &ops[start..end] {
            out.push(*c);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        k += 1;
    }
    out
}
