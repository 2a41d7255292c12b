//! `modgate update`: move a module's requirements to newer versions and rewrite
//! go.mod and go.sum as `go get <module@version list>` followed by `go mod tidy`
//! would, without a go toolchain (docs/update.md).
//!
//! 1. Plan: each requirement of the go.mod (filtered by `--only`/`--exclude`,
//!    GOPRIVATE-style patterns; a module replaced by a directory is left alone)
//!    is queried as go does (`modgate_core::query`): `patch`, `upgrade` within
//!    the current major version (`--minor`), or `upgrade` (`--latest`), so
//!    retracted and excluded versions are skipped and pre-releases are picked only
//!    when the current version is one.
//! 2. `go get`: the planned versions replace the requirements and MVS selects the
//!    new build list (upgrades raise what the targets require).
//! 3. `go mod tidy` (go ≥ 1.17 rules): the packages of the main module (tests
//!    included) and, transitively, the non-test packages they import, read from the
//!    module zips fetched through the proxy (verified against the checksum
//!    database). Every module providing such a package is required at its selected
//!    version, `// indirect` unless the main module imports it; go.sum keeps the
//!    `/go.mod` hash of every module whose requirements the pruned graph loaded and
//!    the zip hash of each package-providing module.
//!
//! Build constraints are evaluated as tidy does (every tag holds but `ignore`),
//! and a package must be found in the build list (tidy would add a missing
//! module; here it is an error).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use modgate_core::module::{UtcTime, Version};
use modgate_core::mvs::BuildList;
use modgate_core::pattern::match_prefix_patterns;
use modgate_core::query::{self, Allowed, QueryError, QuerySource, VersionList};
use modgate_core::{dirhash, gosum, gover, modfile, semver};

use crate::audit::imports;
use crate::fetch::Fetcher;
use crate::graph::{Project, load_graph};

/// Which versions an update may move to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The latest patch of the current minor version (`go get m@patch`).
    Patch,
    /// The latest version of the current major version.
    Minor,
    /// The latest version (`go get m@upgrade`: never a downgrade).
    Latest,
}

/// What to update.
#[derive(Debug, Clone)]
pub struct Options {
    pub mode: Mode,
    /// Comma-separated module path patterns (GOPRIVATE syntax): only these.
    pub only: Option<String>,
    /// Comma-separated module path patterns: not these.
    pub exclude: Option<String>,
    /// Concurrent fetches.
    pub jobs: usize,
}

/// One planned version change.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// The go.mod it applies to.
    pub gomod: PathBuf,
    pub module: String,
    pub from: String,
    pub to: String,
    /// `patch`, `minor` or `major`.
    pub kind: &'static str,
}

/// A module the plan could not query.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Failure {
    pub gomod: PathBuf,
    pub module: String,
    pub error: String,
}

/// A file the update rewrites.
#[derive(Debug, Clone)]
pub struct FileEdit {
    pub path: PathBuf,
    /// The current content (empty: the file does not exist).
    pub before: Vec<u8>,
    pub after: Vec<u8>,
}

/// The outcome of [`update`]: nothing is written by it.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub changes: Vec<Change>,
    pub failures: Vec<Failure>,
    /// Edits of files whose content changes.
    pub edits: Vec<FileEdit>,
    /// Things to tell the user (a raised go line).
    pub notes: Vec<String>,
}

/// Why no update could be computed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UpdateError(pub String);

fn err(e: impl std::fmt::Display) -> UpdateError {
    UpdateError(e.to_string())
}

/// Plans and computes the update of `project` (every module of a workspace, each
/// as its own main module, as `GOWORK=off go get` in its directory would).
pub async fn update(
    project: &Project,
    fetcher: &Fetcher,
    opts: &Options,
) -> Result<Outcome, UpdateError> {
    let mut out = Outcome::default();
    let mods: Vec<(PathBuf, modfile::File)> = project
        .main_modules()
        .into_iter()
        .map(|(d, f)| (d, f.clone()))
        .collect();
    for (dir, file) in mods {
        update_module(&dir, &file, fetcher, opts, &mut out).await?;
    }
    Ok(out)
}

async fn update_module(
    dir: &Path,
    file: &modfile::File,
    fetcher: &Fetcher,
    opts: &Options,
    out: &mut Outcome,
) -> Result<(), UpdateError> {
    let gomod = dir.join("go.mod");
    let project = Project::Module {
        dir: dir.to_owned(),
        file: file.clone(),
    };
    let graph = load_graph(&project, fetcher, opts.jobs, &|_, _| {})
        .await
        .map_err(err)?;

    // 1. Plan.
    let replaced_by_dir: HashSet<&str> = file
        .replace
        .iter()
        .filter(|r| r.new.version.is_empty())
        .map(|r| r.old.path.as_str())
        .collect();
    let mut candidates: Vec<(String, String)> = Vec::new();
    // Direct requirements first (the plan's order), each in go.mod order.
    let mut requires: Vec<&modfile::Require> = file.require.iter().collect();
    requires.sort_by_key(|r| r.indirect);
    for r in requires {
        let path = &r.module.path;
        if replaced_by_dir.contains(path.as_str())
            || candidates.iter().any(|(p, _)| p == path)
            || opts
                .only
                .as_deref()
                .is_some_and(|p| !match_prefix_patterns(p, path))
            || opts
                .exclude
                .as_deref()
                .is_some_and(|p| match_prefix_patterns(p, path))
        {
            continue;
        }
        let current = graph
            .build_list
            .selected(path)
            .unwrap_or(&r.module.version)
            .to_owned();
        candidates.push((path.clone(), current));
    }
    let planned: Vec<(String, String, Result<String, String>)> =
        futures_util::stream::iter(candidates)
            .map(|(path, current)| async move {
                let target = target_version(fetcher, file, &path, &current, opts.mode).await;
                (path, current, target)
            })
            .buffered(opts.jobs.max(1))
            .collect()
            .await;
    let mut targets: Vec<Version> = Vec::new();
    for (module, from, target) in planned {
        match target {
            Ok(to) if to != from && semver::compare(&to, &from).is_gt() => {
                out.changes.push(Change {
                    gomod: gomod.clone(),
                    kind: kind_of(&from, &to),
                    module: module.clone(),
                    from,
                    to: to.clone(),
                });
                targets.push(Version::new(module, to));
            }
            Ok(_) => {}
            Err(error) => out.failures.push(Failure {
                gomod: gomod.clone(),
                module,
                error,
            }),
        }
    }
    if targets.is_empty() {
        return Ok(());
    }

    // 2. go get: the targets as requirements, MVS over the rest.
    let mut got = file.clone();
    for t in &targets {
        got.add_require(&t.path, &t.version);
    }
    got.cleanup();
    let got_project = Project::Module {
        dir: dir.to_owned(),
        file: got.clone(),
    };
    let got_graph = load_graph(&got_project, fetcher, opts.jobs, &|_, _| {})
        .await
        .map_err(err)?;

    // A dependency needing a newer go raises the go line, as go get does.
    let mut new_file = file.clone();
    let our_go = file.go.as_ref().map(|g| g.version.clone());
    let mut max_go = our_go.clone().unwrap_or_default();
    for (m, data) in &got_graph.go_mods {
        if got_graph.build_list.selected(&m.path) != Some(m.version.as_str()) {
            continue;
        }
        if let Ok(f) = modfile::parse_lax("go.mod", data, None)
            && let Some(g) = &f.go
            && gover::compare(&g.version, &max_go).is_gt()
        {
            max_go = g.version.clone();
        }
    }
    if our_go.as_deref() != Some(max_go.as_str()) && !max_go.is_empty() {
        new_file.add_go_stmt(&max_go).map_err(err)?;
        // A toolchain line no newer than the new go line says nothing: go drops it.
        if let Some(t) = &new_file.toolchain {
            let v = t.name.split(['-', '+']).next().unwrap_or("");
            let v = v.strip_prefix("go").unwrap_or("");
            if gover::compare(&max_go, v).is_ge() {
                new_file.drop_toolchain_stmt();
            }
        }
        out.notes.push(format!(
            "{}: go line raised from {} to {max_go}: a selected dependency requires it",
            gomod.display(),
            our_go.as_deref().unwrap_or("(none)")
        ));
    }

    // Before graph pruning (go < 1.17) tidy keeps a minimal requirement set and the
    // whole graph's sums: not reproduced here, so such a module is not touched.
    if gover::compare(&max_go, "1.17").is_lt() {
        out.failures.push(Failure {
            gomod: gomod.clone(),
            module: file
                .module
                .as_ref()
                .map(|m| m.path.clone())
                .unwrap_or_default(),
            error: format!(
                "go {max_go}: modgate update handles modules at go 1.17 or later (graph pruning); raise the go line or use go get"
            ),
        });
        out.changes.retain(|c| c.gomod != gomod);
        return Ok(());
    }

    // 3. go mod tidy.
    let tidy = tidy(dir, file, &got_graph.build_list, fetcher, opts.jobs).await?;
    let roots: Vec<(Version, bool)> = tidy
        .providers
        .iter()
        .filter_map(|p| {
            let v = got_graph.build_list.selected(p)?;
            Some((Version::new(p, v), !tidy.direct.contains(p)))
        })
        .collect();
    new_file.set_require_separate_indirect(&roots);
    new_file.cleanup();
    let after = new_file.format();
    let before = std::fs::read(&gomod).unwrap_or_default();

    // The tidy graph (its roots are the new requirements) decides the go.sum.
    let tidy_project = Project::Module {
        dir: dir.to_owned(),
        file: new_file.clone(),
    };
    let tidy_graph = load_graph(&tidy_project, fetcher, opts.jobs, &|_, _| {})
        .await
        .map_err(err)?;
    // At go 1.17.x tidy's default -compat is 1.16, whose unpruned graph (the same
    // requirements read without pruning) needs go.mod sums too.
    let compat_graph = if gover::compare(&max_go, "1.18").is_lt() {
        let mut compat = new_file.clone();
        compat.add_go_stmt("1.16").map_err(err)?;
        let p = Project::Module {
            dir: dir.to_owned(),
            file: compat,
        };
        Some(
            load_graph(&p, fetcher, opts.jobs, &|_, _| {})
                .await
                .map_err(err)?,
        )
    } else {
        None
    };
    let mut sum = gosum::GoSum::new();
    // The go.mod of every module version whose requirements the graph loaded
    // (the replacement's, when replaced by a module version).
    let graphs: Vec<&crate::graph::Graph> = std::iter::once(&tidy_graph)
        .chain(compat_graph.as_ref())
        .collect();
    let go_mods: HashMap<&Version, &bytes::Bytes> = graphs
        .iter()
        .flat_map(|g| g.go_mods.iter().map(|(m, b)| (m, b)))
        .collect();
    for m in graphs.iter().flat_map(|g| g.build_list.loaded()) {
        if m.version.is_empty() {
            continue;
        }
        let r = replacement(&new_file, m);
        if r.version.is_empty() {
            continue;
        }
        if let Some(data) = go_mods.get(&r) {
            sum.add(
                Version::new(r.path.clone(), format!("{}/go.mod", r.version)),
                &dirhash::hash_gomod(data),
            );
        }
    }
    for p in &tidy.providers {
        if let Some(m) = tidy.zips.get(p) {
            sum.add(m.version.clone(), &m.hash);
        }
    }
    let sum_path = dir.join("go.sum");
    let sum_before = std::fs::read(&sum_path).unwrap_or_default();
    let sum_after = sum.to_bytes();
    if after != before {
        out.edits.push(FileEdit {
            path: gomod,
            before,
            after,
        });
    }
    if sum_after != sum_before {
        out.edits.push(FileEdit {
            path: sum_path,
            before: sum_before,
            after: sum_after,
        });
    }
    Ok(())
}

/// Where `m`'s content comes from: the main module's `replace` for that version,
/// else for every version, else `m` itself.
fn replacement(main: &modfile::File, m: &Version) -> Version {
    let exact = main
        .replace
        .iter()
        .rev()
        .find(|r| r.old.path == m.path && r.old.version == m.version);
    let any = || {
        main.replace
            .iter()
            .rev()
            .find(|r| r.old.path == m.path && r.old.version.is_empty())
    };
    match exact.or_else(any) {
        Some(r) => r.new.clone(),
        None => m.clone(),
    }
}

/// `patch`, `minor` or `major` for a move from `from` to `to`.
fn kind_of(from: &str, to: &str) -> &'static str {
    if semver::major(from) != semver::major(to) {
        "major"
    } else if semver::major_minor(from) != semver::major_minor(to) {
        "minor"
    } else {
        "patch"
    }
}

/// go.mod files fetched so far; a query missing one is run again once it is.
#[derive(Default)]
struct Prefetched {
    go_mods: HashMap<Version, Result<Vec<u8>, String>>,
    misses: Vec<Version>,
    /// `.info` times (`None`: no time given).
    times: HashMap<Version, Result<Option<UtcTime>, String>>,
    time_misses: Vec<Version>,
}

impl QuerySource for Prefetched {
    fn go_mod(&mut self, m: &Version) -> Result<Vec<u8>, String> {
        match self.go_mods.get(m) {
            Some(r) => r.clone(),
            None => {
                self.misses.push(m.clone());
                Err(format!("{m}: not fetched yet"))
            }
        }
    }

    /// The commit time from the version's `.info`, as go reads it.
    fn time(&mut self, m: &Version) -> Result<Option<UtcTime>, String> {
        match self.times.get(m) {
            Some(r) => r.clone(),
            None => {
                self.time_misses.push(m.clone());
                Err(format!("{m}.info: not fetched yet"))
            }
        }
    }
}

/// The version `mode` moves `path` to from `current`.
async fn target_version(
    fetcher: &Fetcher,
    main: &modfile::File,
    path: &str,
    current: &str,
    mode: Mode,
) -> Result<String, String> {
    let body = fetcher.list(path).await.map_err(|e| e.to_string())?;
    let list = VersionList::parse(&body);
    let mut src = Prefetched::default();
    loop {
        src.misses.clear();
        src.time_misses.clear();
        let r = (|| -> Result<String, QueryError> {
            let allowed = Allowed::for_module(path, &list, [main], &mut src)?;
            match mode {
                Mode::Patch => query::query(path, "patch", current, &list, &allowed, &mut src),
                Mode::Latest => query::query(path, "upgrade", current, &list, &allowed, &mut src),
                Mode::Minor => {
                    let major = semver::major(current);
                    let within = VersionList {
                        tagged: list
                            .tagged
                            .iter()
                            .filter(|v| semver::major(v) == major)
                            .cloned()
                            .collect(),
                        latest_pseudo: None,
                    };
                    query::query(path, "upgrade", current, &within, &allowed, &mut src)
                }
            }
        })();
        if src.misses.is_empty() && src.time_misses.is_empty() {
            return r.map_err(|e| format!("{path}: {e}"));
        }
        for m in std::mem::take(&mut src.time_misses) {
            let got = fetcher
                .info(&m)
                .await
                .map(|i| UtcTime::parse_rfc3339(&i.time))
                .map_err(|e| e.to_string());
            src.times.insert(m, got);
        }
        for m in std::mem::take(&mut src.misses) {
            let got = fetcher
                .go_mod(&m)
                .await
                .map(|b| b.to_vec())
                .map_err(|e| e.to_string());
            src.go_mods.insert(m, got);
        }
    }
}

/// A fetched module zip: its hash and its packages.
struct ZipInfo {
    /// The content's version (the replacement's when replaced).
    version: Version,
    /// The `h1:` hash.
    hash: String,
    /// Package directory (relative, `""` for the root) → imports of its
    /// non-test `.go` files.
    packages: BTreeMap<String, BTreeSet<String>>,
}

/// What tidy found at package level.
struct Tidy {
    /// Module paths providing a package in `all`.
    providers: BTreeSet<String>,
    /// Those providing a package the main module imports.
    direct: BTreeSet<String>,
    /// The zips read, by module path (streamed to temporary files, never held whole
    /// in memory).
    zips: HashMap<String, ZipInfo>,
}

/// Walks the imports from the main module's packages through the build list's
/// module zips.
async fn tidy(
    dir: &Path,
    main: &modfile::File,
    build_list: &BuildList,
    fetcher: &Fetcher,
    jobs: usize,
) -> Result<Tidy, UpdateError> {
    let main_path = main
        .module
        .as_ref()
        .map(|m| m.path.clone())
        .unwrap_or_default();
    let mods: Vec<String> = build_list
        .modules
        .iter()
        .filter(|m| !m.is_main())
        .map(|m| m.path.clone())
        .collect();
    let mut t = Tidy {
        providers: BTreeSet::new(),
        direct: BTreeSet::new(),
        zips: HashMap::new(),
    };
    let mut dirs: HashMap<String, BTreeMap<String, BTreeSet<String>>> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let ignore: Vec<String> = main.ignore.iter().map(|i| i.path.clone()).collect();
    let mut queue: Vec<(String, bool)> = dir_packages(dir, true, &ignore)
        .into_values()
        .flatten()
        .collect::<BTreeSet<String>>()
        .into_iter()
        .map(|i| (i, true))
        .collect();
    // `tool` packages are in "all" too; their modules stay `// indirect`, as go
    // writes them, unless the code imports them.
    queue.extend(main.tool.iter().map(|t| (t.path.clone(), false)));
    while !queue.is_empty() {
        // Fetch the zips of every module that may provide a queued import.
        let mut need: BTreeSet<String> = BTreeSet::new();
        for (imp, _) in &queue {
            for m in &mods {
                if provides_prefix(m, imp) && !t.zips.contains_key(m) && !dirs.contains_key(m) {
                    need.insert(m.clone());
                }
            }
        }
        let fetched: Vec<(String, Result<Loaded, UpdateError>)> = futures_util::stream::iter(need)
            .map(|path| {
                let sel = build_list.modules.iter().find(|m| m.path == path).cloned();
                async move {
                    let r = match sel {
                        Some(s) => load_module(dir, &s, fetcher).await,
                        None => Err(UpdateError(format!("{path}: not in the build list"))),
                    };
                    (path, r)
                }
            })
            .buffer_unordered(jobs.max(1))
            .collect()
            .await;
        for (path, r) in fetched {
            match r? {
                Loaded::Zip(z) => {
                    t.zips.insert(path, z);
                }
                Loaded::Dir(p) => {
                    dirs.insert(path, p);
                }
            }
        }
        let mut next = Vec::new();
        for (imp, from_main) in std::mem::take(&mut queue) {
            if is_std(&imp) || provides_prefix(&main_path, &imp) {
                continue;
            }
            let key = format!("{imp}\0{from_main}");
            if !seen.insert(key) {
                continue;
            }
            // The longest module path that has the package's directory.
            let mut cands: Vec<&String> =
                mods.iter().filter(|m| provides_prefix(m, &imp)).collect();
            cands.sort_by_key(|m| std::cmp::Reverse(m.len()));
            let found = cands.into_iter().find_map(|m| {
                let rel = imp[m.len()..].trim_start_matches('/');
                let pkgs = t
                    .zips
                    .get(m.as_str())
                    .map(|z| &z.packages)
                    .or_else(|| dirs.get(m.as_str()))?;
                pkgs.get(rel).map(|i| (m.clone(), i.clone()))
            });
            let Some((m, deps)) = found else {
                return Err(UpdateError(format!(
                    "no module in the build list provides package {imp} (go mod tidy would look for one; run it first)"
                )));
            };
            if from_main {
                t.direct.insert(m.clone());
            }
            t.providers.insert(m);
            next.extend(deps.into_iter().map(|i| (i, false)));
        }
        queue = next;
    }
    Ok(t)
}

fn is_std(imp: &str) -> bool {
    !imp.split('/').next().unwrap_or("").contains('.')
}

fn provides_prefix(module: &str, imp: &str) -> bool {
    !module.is_empty()
        && (imp == module
            || (imp.starts_with(module) && imp.as_bytes().get(module.len()) == Some(&b'/')))
}

enum Loaded {
    Zip(ZipInfo),
    Dir(BTreeMap<String, BTreeSet<String>>),
}

/// A build-list module's packages: from its zip (fetched, verified), or from the
/// directory it is replaced by.
async fn load_module(
    dir: &Path,
    s: &modgate_core::mvs::Selected,
    fetcher: &Fetcher,
) -> Result<Loaded, UpdateError> {
    let content = match &s.replace {
        Some(r) if r.version.is_empty() => {
            let d = dir.join(&r.path);
            return Ok(Loaded::Dir(dir_packages(&d, false, &[])));
        }
        Some(r) => r.clone(),
        None => Version::new(s.path.clone(), s.version.clone()),
    };
    // Streamed to a temporary file: hashing and reading need random access.
    let mut file = fetcher.zip_file(&content).await.map_err(err)?;
    let hash =
        dirhash::hash_zip(&mut file).map_err(|e| UpdateError(format!("{content}.zip: {e}")))?;
    std::io::Seek::rewind(&mut file).map_err(|e| UpdateError(format!("{content}.zip: {e}")))?;
    let packages = zip_packages(&content, file)?;
    Ok(Loaded::Zip(ZipInfo {
        version: content,
        hash,
        packages,
    }))
}

/// Package directory → imports of its non-test files, for the files of a module
/// zip (`path@version/` prefixed).
fn zip_packages(
    m: &Version,
    file: std::fs::File,
) -> Result<BTreeMap<String, BTreeSet<String>>, UpdateError> {
    let bad = |e: zip::result::ZipError| UpdateError(format!("{m}.zip: {e}"));
    let mut z = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(bad)?;
    let prefix = format!("{}@{}/", m.path, m.version);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).map_err(bad)?;
        let name = f.name().map_err(bad)?.into_owned();
        let Some(rel) = name.strip_prefix(&prefix) else {
            continue;
        };
        let (pkg, base) = match rel.rsplit_once('/') {
            Some((d, b)) => (d, b),
            None => ("", rel),
        };
        if !go_file(base) || base.ends_with("_test.go") || skipped_dir(pkg) {
            continue;
        }
        let mut src = Vec::new();
        f.read_to_end(&mut src)
            .map_err(|e| UpdateError(format!("{m}.zip: {name}: {e}")))?;
        if !tidy_builds(&src) {
            continue;
        }
        out.entry(pkg.to_owned())
            .or_default()
            .extend(imports::imports(&src));
    }
    Ok(out)
}

fn go_file(base: &str) -> bool {
    base.ends_with(".go") && !base.starts_with('.') && !base.starts_with('_')
}

/// Directories the go command does not look for packages in.
fn skipped_dir(pkg: &str) -> bool {
    pkg.split('/').any(|e| {
        !e.is_empty()
            && (e.starts_with('.') || e.starts_with('_') || e == "testdata" || e == "vendor")
    })
}

/// The packages of a module in a directory (the main module, with its tests, or
/// a local-path replacement).
fn dir_packages(root: &Path, tests: bool, ignore: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    struct Walk<'a> {
        root: &'a Path,
        tests: bool,
        ignore: &'a [String],
    }
    impl Walk<'_> {
        /// An `ignore` directive's directory: `./p` from the root, `p` at any depth.
        fn ignored(&self, rel: &str) -> bool {
            self.ignore.iter().any(|p| {
                let p = p.trim_end_matches('/');
                match p.strip_prefix("./") {
                    Some(p) => rel == p,
                    None => rel == p || rel.ends_with(&format!("/{p}")),
                }
            })
        }

        fn walk(&self, d: &Path, out: &mut BTreeMap<String, BTreeSet<String>>) {
            if d != self.root && d.join("go.mod").is_file() {
                return;
            }
            let Ok(entries) = std::fs::read_dir(d) else {
                return;
            };
            let rel = d
                .strip_prefix(self.root)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let Ok(kind) = e.file_type() else { continue };
                if kind.is_dir() {
                    let child = if rel.is_empty() {
                        name.clone()
                    } else {
                        format!("{rel}/{name}")
                    };
                    if !skipped_dir(&name) && !self.ignored(&child) {
                        self.walk(&e.path(), out);
                    }
                } else if kind.is_file()
                    && go_file(&name)
                    && (self.tests || !name.ends_with("_test.go"))
                    && let Ok(src) = std::fs::read(e.path())
                    && tidy_builds(&src)
                {
                    out.entry(rel.clone())
                        .or_default()
                        .extend(imports::imports(&src));
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    Walk {
        root,
        tests,
        ignore,
    }
    .walk(root, &mut out);
    out
}

/// Whether `go mod tidy` reads the imports of a file with this source: every
/// build constraint holds except the `ignore` tag (Go's `imports.ShouldBuild`
/// with `AnyTags`: each tag but `ignore` counts as both set and unset, whichever
/// makes the file build). A malformed constraint excludes the file, as in Go.
fn tidy_builds(src: &[u8]) -> bool {
    // The leading run of `//` comments and blank lines, up to the last blank
    // line before the first other line (block comments end it, as in Go).
    let text = String::from_utf8_lossy(src);
    let mut header: Vec<&str> = Vec::new();
    let mut kept = 0;
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            kept = header.len();
        } else if t.starts_with("//") {
            header.push(t);
            continue;
        } else {
            break;
        }
        header.push(t);
    }
    header.truncate(kept);
    if let Some(expr) = header
        .iter()
        .find_map(|l| l.strip_prefix("//go:build"))
        .filter(|e| e.is_empty() || e.starts_with([' ', '\t']))
    {
        let mut p = ConstraintParser {
            toks: constraint_tokens(expr),
            at: 0,
        };
        return match p.or(true) {
            Some(v) if p.at == p.toks.len() => v,
            _ => false,
        };
    }
    // `// +build` lines: each must hold; a line holds if one of its
    // space-separated options does, an option if all its comma-separated terms do.
    header
        .iter()
        .filter_map(|l| l.strip_prefix("//").map(str::trim_start))
        .filter_map(|l| l.strip_prefix("+build"))
        .filter(|l| l.is_empty() || l.starts_with([' ', '\t']))
        .all(|line| {
            line.split_whitespace().any(|opt| {
                opt.split(',').all(|term| match term.strip_prefix('!') {
                    Some(t) => !tag_holds(t, false),
                    None => tag_holds(term, true),
                })
            })
        })
}

/// A tag under `AnyTags`: `prefer` (the value that makes the file build), but
/// never `ignore`, nor a malformed name.
fn tag_holds(tag: &str, prefer: bool) -> bool {
    !tag.is_empty()
        && tag
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        && tag != "ignore"
        && prefer
}

fn constraint_tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' => i += 1,
            b'(' | b')' | b'!' => {
                out.push((b[i] as char).to_string());
                i += 1;
            }
            b'&' | b'|' if b.get(i + 1) == Some(&b[i]) => {
                out.push(s[i..i + 2].to_owned());
                i += 2;
            }
            _ => {
                let start = i;
                while i < b.len() && !b" \t()!&|".contains(&b[i]) {
                    i += 1;
                }
                if i == start {
                    // A lone `&` or `|`: malformed.
                    out.push(s[i..i + 1].to_owned());
                    i += 1;
                } else {
                    out.push(s[start..i].to_owned());
                }
            }
        }
    }
    out
}

/// `//go:build` expressions: `||` over `&&` over `!`, parentheses, tags;
/// evaluated as parsed with Go's `prefer` (flipped under `!`).
struct ConstraintParser {
    toks: Vec<String>,
    at: usize,
}

impl ConstraintParser {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.at).map(String::as_str)
    }

    fn or(&mut self, prefer: bool) -> Option<bool> {
        let mut v = self.and(prefer)?;
        while self.peek() == Some("||") {
            self.at += 1;
            v |= self.and(prefer)?;
        }
        Some(v)
    }

    fn and(&mut self, prefer: bool) -> Option<bool> {
        let mut v = self.not(prefer)?;
        while self.peek() == Some("&&") {
            self.at += 1;
            v &= self.not(prefer)?;
        }
        Some(v)
    }

    fn not(&mut self, prefer: bool) -> Option<bool> {
        match self.peek()? {
            "!" => {
                self.at += 1;
                Some(!self.not(!prefer)?)
            }
            "(" => {
                self.at += 1;
                let v = self.or(prefer)?;
                (self.peek() == Some(")")).then_some(())?;
                self.at += 1;
                Some(v)
            }
            ")" | "&&" | "||" => None,
            tag => {
                let tag = tag.to_owned();
                self.at += 1;
                (!tag.contains(['&', '|'])).then_some(())?;
                Some(tag_holds(&tag, prefer))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_reads_every_file_but_ignored_ones() {
        let cases: &[(&str, bool)] = &[
            ("package p\n", true),
            ("//go:build ignore\n\npackage p\n", false),
            ("//go:build !ignore\n\npackage p\n", true),
            ("//go:build linux && !linux\n\npackage p\n", true),
            (
                "//go:build windows && (ignore || tools)\n\npackage p\n",
                true,
            ),
            ("//go:build ignore && linux\n\npackage p\n", false),
            ("// Copyright\n\n//go:build ignore\n\npackage p\n", false),
            // Not followed by a blank line: not a constraint.
            ("//go:build ignore\npackage p\n", true),
            ("//go:build (linux\n\npackage p\n", false),
            ("// +build ignore\n\npackage p\n", false),
            ("// +build linux,!ignore darwin\n\npackage p\n", true),
            ("/* c */\n//go:build ignore\n\npackage p\n", true),
        ];
        for (src, want) in cases {
            assert_eq!(tidy_builds(src.as_bytes()), *want, "{src:?}");
        }
    }

    #[test]
    fn kinds_of_moves() {
        assert_eq!(kind_of("v1.2.3", "v1.2.4"), "patch");
        assert_eq!(kind_of("v1.2.3", "v1.3.0"), "minor");
        assert_eq!(kind_of("v0.2.3", "v1.0.0"), "major");
        assert_eq!(kind_of("v1.0.0-rc.1", "v1.0.0-rc.2"), "patch");
    }

    #[test]
    fn go_lines_in_go_order() {
        use std::cmp::Ordering::*;
        assert_eq!(gover::compare("1.9", "1.17"), Less);
        assert_eq!(gover::compare("1.21", "1.21.0"), Less);
        assert_eq!(gover::compare("1.22rc1", "1.22.0"), Less);
        assert_eq!(gover::compare("1.23", "1.21.5"), Greater);
        assert_eq!(gover::compare("", "1.17"), Less);
    }
}
