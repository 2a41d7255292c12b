//! `modgate warm`: fetch everything a project needs for an offline build through a
//! GOPROXY (a modgate), so that a `--offline` modgate can serve the build later.
//!
//! What is fetched, per target (docs/warm.md):
//! * a project (a directory, go.mod or go.work): the `.mod` of every module version
//!   in its graph (as MVS reads them, `modgate_project::load_graph`) and their
//!   `.info`; the `.info`, `.mod` and `.zip` of every module in the build list;
//!   plus what its go.sum files list;
//! * a go.sum: for each `/go.mod` line the `.mod`, for each other line the `.info`,
//!   `.mod` and `.zip`.
//!
//! Each file is fetched once, at most `--jobs` at a time, verified by the fetcher
//! against the checksum database. Outcomes: fetched (asked of the proxy now),
//! cached (found in the `--cache` directory, so not asked again), failed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use futures_util::StreamExt;
use modgate_core::gosum;
use modgate_core::module::Version;
use modgate_project::fetch::Origin;
use modgate_project::{FileKind, GoSettings, Project, Store};

use crate::cli::WarmArgs;

/// One file to fetch: module path, version, kind (ordered for the report).
type Item = (String, String, FileKind);

fn item(m: &Version, kind: FileKind) -> Item {
    (m.path.clone(), m.version.clone(), kind)
}

/// What happened to one file.
#[derive(Debug, Clone)]
enum Outcome {
    Fetched(u64),
    Cached(u64),
    Failed(String),
}

/// Progress: a bar on a terminal, a line per file otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new() -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{bar:30}] {pos}/{len} {wide_msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        });
        Progress { bar }
    }

    fn add(&self, n: usize) {
        if let Some(b) = &self.bar {
            b.inc_length(n as u64);
        }
    }

    fn message(&self, msg: &str) {
        match &self.bar {
            Some(b) => b.set_message(msg.to_owned()),
            None => eprintln!("{msg}"),
        }
    }

    fn done(&self, (path, version, kind): &Item, outcome: &Outcome) {
        let name = format!("{path}@{version}.{}", kind.ext());
        match &self.bar {
            Some(b) => {
                b.inc(1);
                match outcome {
                    Outcome::Failed(e) => b.println(format!("failed: {name}: {e}")),
                    _ => b.set_message(name),
                }
            }
            None => match outcome {
                Outcome::Fetched(n) => eprintln!("fetched {name} ({n} bytes)"),
                Outcome::Cached(_) => eprintln!("cached  {name}"),
                Outcome::Failed(e) => eprintln!("failed  {name}: {e}"),
            },
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

pub fn run(args: WarmArgs) -> anyhow::Result<ExitCode> {
    let mut settings = GoSettings::from_process();
    if let Some(p) = &args.proxy {
        settings = settings.with_proxy(p);
    }
    let store = match &args.cache {
        Some(d) => Store::Dir(d.clone()),
        None => Store::Temp,
    };
    let targets = if args.targets.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.targets.clone()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let report = rt.block_on(warm(&settings, store, &targets, usize::from(args.jobs)))?;
    let failed = report.count(|o| matches!(o, Outcome::Failed(_))) + report.errors.len();
    if args.json {
        crate::output::write_stdout_bytes(report.to_json().as_bytes())?;
    } else {
        crate::output::write_stdout_bytes(report.to_text().as_bytes())?;
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The outcome of a run.
struct Report {
    proxy: String,
    files: BTreeMap<Item, Outcome>,
    /// Targets that could not be read or resolved.
    errors: Vec<String>,
}

impl Report {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.files.values().filter(|o| f(o)).count()
    }

    fn bytes(&self) -> u64 {
        self.files
            .values()
            .map(|o| match o {
                Outcome::Fetched(n) => *n,
                _ => 0,
            })
            .sum()
    }

    fn to_text(&self) -> String {
        let fetched = self.count(|o| matches!(o, Outcome::Fetched(_)));
        let cached = self.count(|o| matches!(o, Outcome::Cached(_)));
        let failed = self.count(|o| matches!(o, Outcome::Failed(_)));
        let mut out = format!(
            "warm: {fetched} fetched ({}), {cached} already cached, {failed} failed, through {}\n",
            human_bytes(self.bytes()),
            self.proxy
        );
        for e in &self.errors {
            out.push_str(&format!("error: {e}\n"));
        }
        for ((path, version, kind), o) in &self.files {
            if let Outcome::Failed(e) = o {
                out.push_str(&format!("failed: {path}@{version}.{}: {e}\n", kind.ext()));
            }
        }
        out
    }

    fn to_json(&self) -> String {
        let files: Vec<serde_json::Value> = self
            .files
            .iter()
            .map(|((path, version, kind), o)| {
                let (status, bytes, error) = match o {
                    Outcome::Fetched(n) => ("fetched", Some(*n), None),
                    Outcome::Cached(n) => ("cached", Some(*n), None),
                    Outcome::Failed(e) => ("failed", None, Some(e.as_str())),
                };
                serde_json::json!({
                    "path": path, "version": version, "file": kind.ext(),
                    "status": status, "bytes": bytes, "error": error,
                })
            })
            .collect();
        let failed = self.count(|o| matches!(o, Outcome::Failed(_)));
        let v = serde_json::json!({
            "verdict": if failed + self.errors.len() == 0 { "ok" } else { "failed" },
            "proxy": self.proxy,
            "fetched": self.count(|o| matches!(o, Outcome::Fetched(_))),
            "cached": self.count(|o| matches!(o, Outcome::Cached(_))),
            "failed": failed,
            "bytes": self.bytes(),
            "errors": self.errors,
            "files": files,
        });
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        s
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64;
    let mut unit = "B";
    for u in UNITS {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

fn outcome(r: &Result<modgate_project::Fetched, modgate_project::FetchError>) -> Outcome {
    match r {
        Ok(f) if f.origin == Origin::Hit => Outcome::Cached(f.size),
        Ok(f) => Outcome::Fetched(f.size),
        Err(e) => Outcome::Failed(e.error.to_string()),
    }
}

async fn warm(
    settings: &GoSettings,
    store: Store,
    targets: &[PathBuf],
    jobs: usize,
) -> anyhow::Result<Report> {
    let fetcher = modgate_project::Fetcher::new(settings, store)
        .map_err(|e| anyhow::anyhow!("cannot fetch: {e}"))?;
    let progress = Progress::new();
    let files: Arc<Mutex<BTreeMap<Item, Outcome>>> = Arc::default();
    let mut errors = Vec::new();
    let mut plan: BTreeSet<Item> = BTreeSet::new();
    for target in targets {
        let is_sum = target.is_file()
            && target
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".sum"));
        if is_sum {
            match sum_items(target) {
                Ok(items) => plan.extend(items),
                Err(e) => errors.push(e),
            }
            continue;
        }
        let project = match open_project(target, settings) {
            Ok(p) => p,
            Err(e) => {
                errors.push(format!("{}: {e}", target.display()));
                continue;
            }
        };
        progress.message(&format!(
            "resolving the module graph of {}",
            target.display()
        ));
        // The go.mod fetches of the graph, kept whatever the outcome: reported
        // only for what the final selection read (or all, when it failed).
        let graph_fetches: Mutex<BTreeMap<Item, Outcome>> = Mutex::default();
        let on_fetch =
            |m: &Version, r: &Result<modgate_project::Bytes, modgate_project::FetchError>| {
                let o = match r {
                    Ok(b) => Outcome::Fetched(b.len() as u64),
                    Err(e) => Outcome::Failed(e.error.to_string()),
                };
                progress.add(1);
                progress.done(&item(m, FileKind::Mod), &o);
                if let Ok(mut g) = graph_fetches.lock() {
                    g.insert(item(m, FileKind::Mod), o);
                }
            };
        let graph = modgate_project::load_graph(&project, &fetcher, jobs, &on_fetch).await;
        let fetched_mods = graph_fetches.into_inner().unwrap_or_default();
        let mut done = files.lock().unwrap_or_else(|e| e.into_inner());
        match graph {
            Ok(g) => {
                for (m, _) in &g.go_mods {
                    let key = item(m, FileKind::Mod);
                    if let Some(o) = fetched_mods.get(&key) {
                        done.insert(key, o.clone());
                    }
                    plan.insert(item(m, FileKind::Info));
                }
                for m in g.content_versions() {
                    for kind in [FileKind::Info, FileKind::Mod, FileKind::Zip] {
                        plan.insert(item(&m, kind));
                    }
                }
            }
            Err(e) => {
                errors.push(format!(
                    "{}: cannot compute the build list: {e}",
                    target.display()
                ));
                done.extend(fetched_mods);
            }
        }
        drop(done);
        for sum in project.sum_files() {
            match sum_items(&sum) {
                Ok(items) => plan.extend(items),
                Err(e) => errors.push(e),
            }
        }
    }
    let todo: Vec<Item> = {
        let done = files.lock().unwrap_or_else(|e| e.into_inner());
        plan.into_iter().filter(|i| !done.contains_key(i)).collect()
    };
    progress.add(todo.len());
    progress.message("fetching");
    futures_util::stream::iter(todo)
        .map(|item| {
            let fetcher = &fetcher;
            async move {
                let m = Version::new(item.0.clone(), item.1.clone());
                let r = fetcher.fetch(&m, item.2).await;
                (item, outcome(&r))
            }
        })
        .buffer_unordered(jobs.max(1))
        .for_each(|(item, o)| {
            progress.done(&item, &o);
            files
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(item, o);
            async {}
        })
        .await;
    progress.finish();
    let files = std::mem::take(&mut *files.lock().unwrap_or_else(|e| e.into_inner()));
    Ok(Report {
        proxy: settings.goproxy().to_owned(),
        files,
        errors,
    })
}

/// The project a target names: a directory (go.work found as go does), a go.mod or
/// a go.work file.
fn open_project(target: &Path, settings: &GoSettings) -> Result<Project, String> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let r = if target.is_dir() {
        Project::find(target, settings)
    } else if name.ends_with(".work") {
        Project::workspace(target)
    } else if target.is_file() {
        Project::module(target)
    } else {
        return Err("no such file or directory".into());
    };
    r.map_err(|e| e.to_string())
}

/// What a go.sum file lists: `.mod` for `/go.mod` lines, `.info`, `.mod` and
/// `.zip` for the others.
fn sum_items(path: &Path) -> Result<Vec<Item>, String> {
    let data = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let sums = gosum::parse(&path.to_string_lossy(), &data, gosum::ParseMode::Strict)
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for (m, _) in sums.sorted() {
        match m.version.strip_suffix(gosum::GO_MOD_SUFFIX) {
            Some(v) => out.push((m.path.clone(), v.to_owned(), FileKind::Mod)),
            None => {
                for kind in [FileKind::Info, FileKind::Mod, FileKind::Zip] {
                    out.push(item(m, kind));
                }
            }
        }
    }
    Ok(out)
}
