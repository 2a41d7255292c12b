//! `modgate audit`: the health of a project's dependencies, as findings with a
//! stable code (docs/audit.md).
//!
//! [`audit`] loads the project's graph through a [`Fetcher`] and the packages of
//! `all` ([`crate::packages`]), then runs the checks: [`integrity`] (go.sum against
//! the verified files the graph needs), [`vuln`] (matches in a Go vulnerability
//! database, at package level through the package graph), [`health`] (outdated,
//! retracted, deprecated) and local-path replaces.

pub mod health;
pub mod ignore;
pub mod imports;
pub mod integrity;
pub mod sarif;
pub mod toolchain;
pub mod tools;
pub mod vuln;

use serde::Serialize;

use crate::fetch::Fetcher;
use crate::graph::{Project, load_graph};
use crate::packages;

/// How bad a finding is; `--fail-on` compares against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing (a newer version).
    Info,
    /// Should be looked at (retracted, deprecated, local replace, extra go.sum line).
    Warning,
    /// Must be fixed (a vulnerability, a go.sum that does not match).
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding. `id`, `aliases` and `fixed` are set for vulnerabilities,
/// `latest` for outdated modules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub module: String,
    pub version: String,
    pub summary: String,
    pub evidence: String,
    pub fix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<String>,
    /// For outdated findings: when `latest` was published (its `.info` `Time`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub released: Option<String>,
    /// The file that declares the module (a main module's go.mod, relative to the
    /// project directory) and the line of its `require` (or `replace`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The ignore-file entry that matched: in `ignored` while it holds, kept in
    /// `findings` (with `expired`) once its date has passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore: Option<ignore::Matched>,
}

impl Finding {
    fn new(code: &'static str, severity: Severity, module: &str, version: &str) -> Finding {
        Finding {
            code,
            severity,
            module: module.to_owned(),
            version: version.to_owned(),
            summary: String::new(),
            evidence: String::new(),
            fix: String::new(),
            id: None,
            aliases: None,
            fixed: None,
            latest: None,
            released: None,
            file: None,
            line: None,
            ignore: None,
        }
    }
}

/// A selected module, as in the report's `build_list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listed {
    pub path: String,
    pub version: String,
}

/// What an audit found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub build_list: Vec<Listed>,
    pub findings: Vec<Finding>,
    /// Checks that could not run fully (a list or go.mod the proxy did not give):
    /// the report is incomplete, so the audit fails with "could not audit".
    pub errors: Vec<String>,
    /// Findings an ignore file dismisses: listed, not counted for the exit code.
    pub ignored: Vec<Finding>,
    /// What the reader should know that is no finding (an expired ignore entry,
    /// where the toolchain version came from).
    pub notices: Vec<String>,
    /// The toolchain `vuln.stdlib` checked, and where its version came from.
    pub toolchain: Option<toolchain::Toolchain>,
    /// The modules only `tool` directives need (their findings' codes are `tool.*`).
    pub tools: Vec<String>,
    /// The project directory, absolute: what finding `file`s are relative to.
    #[serde(skip)]
    pub root: std::path::PathBuf,
}

/// What to check and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the vulnerability database is (none: no vulnerability check).
    pub db: Option<vuln::Source>,
    /// Requests at once.
    pub jobs: usize,
    /// `unmaintained` after this many months without a release (0: never).
    pub unmaintained_months: u32,
    /// GOTOOLCHAIN and the local go's `go env GOVERSION` (none: no go command),
    /// for the toolchain version `vuln.stdlib` checks.
    pub gotoolchain: String,
    pub local_go: Option<String>,
    /// The module cache whose extracted modules to re-hash (`--modcache`).
    pub modcache: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            db: None,
            jobs: 8,
            unmaintained_months: 24,
            gotoolchain: String::new(),
            local_go: None,
            modcache: None,
        }
    }
}

/// Runs every check on `project`, fetching through `fetcher` (which verifies
/// against the checksum database). When the graph cannot be loaded because a
/// go.mod is not what the checksum database vouches for, it is loaded again
/// through `unverified` (the same settings, GOSUMDB=off) so the rest of the
/// audit runs, and each such go.mod is an `integrity.sumdb-mismatch` finding. An
/// `Err` is "could not audit" (no build list, no database, an ignore file that
/// makes no sense).
pub async fn audit(
    project: &Project,
    fetcher: &Fetcher,
    unverified: Option<&Fetcher>,
    opts: &Options,
) -> Result<Report, String> {
    let jobs = opts.jobs;
    let db = opts.db.as_ref();
    let ignores = ignore::load(project.dir())?;
    let mismatches = std::sync::Mutex::new(Vec::new());
    let record = |m: &modgate_core::module::Version,
                  r: &Result<bytes::Bytes, crate::FetchError>| {
        if let Err(e) = r
            && let Some(f) = integrity::sumdb_mismatch(m, "go.mod", &e.error)
            && let Ok(mut found) = mismatches.lock()
            && !found.contains(&f)
        {
            found.push(f);
        }
    };
    let verified = load_graph(project, fetcher, jobs, &record).await;
    let mismatched: Vec<Finding> = mismatches.into_inner().unwrap_or_default();
    let (graph, checks) = match (verified, unverified) {
        (Ok(g), _) => (g, fetcher),
        (Err(_), Some(u)) if !mismatched.is_empty() => (
            load_graph(project, u, jobs, &|_, _| {})
                .await
                .map_err(|e| format!("cannot compute the build list: {e}"))?,
            u,
        ),
        (Err(e), _) => return Err(format!("cannot compute the build list: {e}")),
    };
    let mut report = Report {
        build_list: graph
            .build_list
            .modules
            .iter()
            .map(|m| Listed {
                path: m.path.clone(),
                version: m.version.clone(),
            })
            .collect(),
        root: std::path::absolute(project.dir()).unwrap_or_else(|_| project.dir().to_owned()),
        ..Report::default()
    };
    report.findings.extend(mismatched);
    // The main modules' own imports (read once: tools, and what stands for the
    // package graph when it cannot be loaded).
    let source_imports: std::collections::BTreeSet<String> = project
        .main_modules()
        .into_iter()
        .flat_map(|(dir, _)| imports::scan_module(&dir))
        .collect();
    // The packages of `all`, as tidy loads them (vuln.package and go.sum zip
    // lines), while the health checks ask the proxy about versions: one reads
    // zips, the other lists and go.mod files, so they overlap well.
    let load_packages = packages::load(
        project,
        graph.clone(),
        checks,
        packages::Options {
            jobs,
            resolve_missing: false,
            ..Default::default()
        },
    );
    let health_checks = async {
        let mut r = Report::default();
        health::check(
            project,
            &graph,
            checks,
            jobs,
            opts.unmaintained_months,
            &mut r,
        )
        .await;
        health::check_major(&graph, checks, jobs, &mut r).await;
        health::release_times(checks, jobs, &mut r).await;
        r
    };
    let (loaded, health_report) = futures_util::future::join(load_packages, health_checks).await;
    let all = match loaded {
        Ok(l) => Some(l.packages),
        Err(e) => {
            report.notices.push(format!(
                "the package graph could not be loaded, so vuln.package and the go.sum zip lines follow only the main modules' own imports: {e}"
            ));
            None
        }
    };
    let providers = zip_providers(all.as_ref(), &source_imports, &graph);
    // The zips the loader hashed count for go.sum when read through the verifying
    // fetcher.
    let zip_hashes: std::collections::HashMap<_, _> = match &all {
        Some(p) if std::ptr::eq(checks, fetcher) => p
            .zips
            .values()
            .map(|z| (z.version.clone(), z.hash.clone()))
            .collect(),
        _ => Default::default(),
    };
    // go.sum against verified files; the rest through `checks` (past a mismatch,
    // the unverifying fetcher: the mismatch is reported, the audit goes on).
    integrity::check(
        project,
        &graph,
        &providers,
        &zip_hashes,
        fetcher,
        jobs,
        &mut report,
    )
    .await;
    if let Some(dir) = &opts.modcache {
        integrity::check_modcache(project, &graph, dir, &mut report);
    }
    if let Some(source) = db {
        let matched = vuln::matched_modules(&graph);
        let mut paths: Vec<&str> = matched.iter().map(|(p, _)| p.as_str()).collect();
        paths.extend([
            modgate_core::vulndb::STDLIB,
            modgate_core::vulndb::TOOLCHAIN,
        ]);
        let db = source.load(&paths).await?;
        let reach = match &all {
            Some(p) => vuln::Reach::Graph(p),
            None => vuln::Reach::Imports(&source_imports),
        };
        vuln::check(&matched, &reach, &db, &mut report);
        match toolchain::detect(project, &opts.gotoolchain, opts.local_go.as_deref()) {
            Ok(t) => {
                report.notices.push(format!(
                    "standard library and toolchain checked as {} (from {})",
                    t.version, t.source
                ));
                vuln::check_toolchain(&t.version, &t.source, &db, &mut report);
                report.toolchain = Some(t);
            }
            Err(e) => report.errors.push(format!("vuln.stdlib: {e}")),
        }
    }
    report.findings.extend(health_report.findings);
    report.errors.extend(health_report.errors);
    replace_local(&graph, &mut report);
    replace_fork(&graph, &mut report);
    pseudo_versions(&graph, &mut report);
    let tool_only = tools::tool_only(project, &graph, &source_imports);
    for f in &mut report.findings {
        if tool_only.contains(&f.module) {
            f.code = tools::tool_code(f.code);
        }
    }
    report.tools = tool_only.into_iter().collect();
    report.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| (a.code, &a.module, &a.version).cmp(&(b.code, &b.module, &b.version)))
    });
    locate(project, &mut report);
    ignore::apply(&ignores, ignore::now(), &mut report);
    Ok(report)
}

/// The modules whose zip line go.sum needs, each with the evidence: those
/// providing packages of `all` (the import chain to the first of them), else,
/// without a package graph, those providing the main modules' own imports.
fn zip_providers(
    all: Option<&packages::Packages>,
    source_imports: &std::collections::BTreeSet<String>,
    graph: &crate::Graph,
) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    match all {
        Some(p) => {
            for (path, pkg) in &p.packages {
                if p.main.contains(path) || out.contains_key(&pkg.module) {
                    continue;
                }
                let chain = p.chain(path).unwrap_or_else(|| vec![path.clone()]);
                out.insert(
                    pkg.module.clone(),
                    format!("the build imports {path}: {}", chain.join(" imports ")),
                );
            }
        }
        None => {
            let paths = graph.dependency_paths();
            for m in source_imports
                .iter()
                .filter_map(|i| imports::module_of(i, &paths))
            {
                out.entry(m.to_owned())
                    .or_insert_with(|| format!("the main modules import packages of {m}"));
            }
        }
    }
    out
}

/// Points each finding at the main-module go.mod line that brings its module in:
/// the `replace` for replace findings, else the `require`.
fn locate(project: &Project, report: &mut Report) {
    let root = project.dir();
    let mut requires: std::collections::HashMap<&str, (String, usize)> = Default::default();
    let mut replaces: std::collections::HashMap<&str, (String, usize)> = Default::default();
    for (dir, file) in project.main_modules() {
        let gomod = dir.join("go.mod");
        let name = gomod
            .strip_prefix(root)
            .unwrap_or(&gomod)
            .to_string_lossy()
            .into_owned();
        let line = |id| file.syntax.line(id).start.line;
        for r in &file.require {
            requires
                .entry(r.module.path.as_str())
                .or_insert_with(|| (name.clone(), line(r.syntax)));
        }
        for r in &file.replace {
            replaces
                .entry(r.old.path.as_str())
                .or_insert_with(|| (name.clone(), line(r.syntax)));
        }
    }
    for f in &mut report.findings {
        let code = f.code.strip_prefix("tool.").unwrap_or(f.code);
        let table = if code.starts_with("replace.") {
            &replaces
        } else {
            &requires
        };
        if let Some((file, line)) = table.get(f.module.as_str()).filter(|(_, l)| *l > 0) {
            f.file = Some(file.clone());
            f.line = Some(*line);
        }
    }
}

/// `pseudo-version`: modules of the build list (or their replacements) at a
/// pseudo-version: an untagged commit, with no release notes or compatibility
/// promise, that `go get -u` moves only when a tag appears.
fn pseudo_versions(graph: &crate::Graph, report: &mut Report) {
    for m in &graph.build_list.modules {
        let content = match &m.replace {
            Some(r) if r.version.is_empty() => continue,
            Some(r) => r.clone(),
            None => modgate_core::module::Version::new(m.path.clone(), m.version.clone()),
        };
        if m.is_main() || !modgate_core::module::is_pseudo_version(&content.version) {
            continue;
        }
        let mut f = Finding::new("pseudo-version", Severity::Info, &m.path, &m.version);
        f.summary = format!("{content} is a pseudo-version: an untagged commit");
        f.evidence = format!("go list -m all: {m}");
        f.fix = format!(
            "go get {}@latest once the module tags a release, or ask its authors for one",
            m.path
        );
        report.findings.push(f);
    }
}

/// `replace.fork`: modules of the build list replaced by another module path (a
/// fork): the build uses code its go.mod does not name, which upstream's fixes
/// and vulnerability reports do not reach.
fn replace_fork(graph: &crate::Graph, report: &mut Report) {
    for m in &graph.build_list.modules {
        let Some(r) = &m.replace else { continue };
        if r.version.is_empty() || r.path == m.path || m.is_main() {
            continue;
        }
        let mut f = Finding::new("replace.fork", Severity::Warning, &m.path, &m.version);
        f.summary = format!(
            "{} is replaced by another module, {} {}",
            m.path, r.path, r.version
        );
        f.evidence = format!("go list -m all: {m}");
        f.fix = format!(
            "go mod edit -dropreplace={} once upstream has what the fork adds (or require {} directly)",
            m.path, r.path
        );
        report.findings.push(f);
    }
}

/// `replace.local`: modules of the build list whose content is a directory; the
/// build depends on a path on this machine and no go.sum line covers it.
fn replace_local(graph: &crate::Graph, report: &mut Report) {
    for m in &graph.build_list.modules {
        let Some(r) = &m.replace else { continue };
        if !r.version.is_empty() || m.is_main() {
            continue;
        }
        let mut f = Finding::new("replace.local", Severity::Warning, &m.path, &m.version);
        f.summary = format!("{} is replaced by the local directory {}", m.path, r.path);
        f.evidence = format!("go list -m all: {m}");
        f.fix = format!(
            "go mod edit -dropreplace={} (once the change is published), then go get {}@<version>",
            m.path, m.path
        );
        report.findings.push(f);
    }
}
