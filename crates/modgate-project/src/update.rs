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
//! 3. `go mod tidy`: the packages of `all` ([`crate::packages`]). At go ≥ 1.17
//!    every module providing such a package is required at its selected
//!    version, `// indirect` unless the main module imports it; go.sum keeps the
//!    `/go.mod` hash of every module whose requirements the pruned graph loaded and
//!    the zip hash of each package-providing module. Below go 1.17 (no pruning)
//!    the tests of `all`'s packages are loaded too, the requirements are the
//!    minimal set implying every providing module (`mvs::req`, as
//!    `tidyUnprunedRoots`), and go.sum keeps every `/go.mod` hash of the graph
//!    and the zip of every module whose path prefixes a loaded package's.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use modgate_core::module::{UtcTime, Version};
use modgate_core::mvs::{self, BuildList};
use modgate_core::pattern::match_prefix_patterns;
use modgate_core::query::{self, Allowed, QueryError, QuerySource, VersionList};
use modgate_core::{dirhash, gosum, gover, modfile, semver};

use crate::fetch::Fetcher;
use crate::graph::{Project, load_graph};
use crate::packages;

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

/// Plans and computes the update of `project`: every module of a workspace, each
/// as its own main module, as `go get` in its directory and `go mod tidy` there
/// would (`-e` for the packages of the other workspace modules it imports
/// through go.work alone: tidy cannot find them and leaves them unloaded).
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
    let paths: Vec<String> = mods
        .iter()
        .filter_map(|(_, f)| f.module.as_ref().map(|m| m.path.clone()))
        .collect();
    for (dir, file) in &mods {
        let own = file.module.as_ref().map(|m| m.path.as_str());
        let workspace: Vec<String> = match project {
            Project::Workspace { .. } => paths
                .iter()
                .filter(|p| Some(p.as_str()) != own)
                .cloned()
                .collect(),
            Project::Module { .. } => Vec::new(),
        };
        update_module(dir, file, &workspace, fetcher, opts, &mut out).await?;
    }
    Ok(out)
}

async fn update_module(
    dir: &Path,
    file: &modfile::File,
    workspace: &[String],
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

    // 2. go get: the targets as requirements, MVS over the rest. Without graph
    // pruning go get keeps every version the old build list selected (its
    // editRequirements roots them all), so a module only the old version of an
    // upgraded one required stays selected.
    let mut got = file.clone();
    let go_line = file.go.as_ref().map_or("", |g| g.version.as_str());
    if gover::compare(go_line, "1.17").is_lt() {
        for m in graph.build_list.modules.iter().filter(|m| !m.is_main()) {
            got.add_require(&m.path, &m.version);
        }
    }
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
    // go mod tidy's packages of `all`; modules found for missing imports are
    // added to the graph. Which tests tidy loads depends on the go line (raised
    // by what is selected, and so by a module added): loaded again if a module
    // added moves it across go 1.16 or 1.17.
    let our_go = file.go.as_ref().map(|g| g.version.clone());
    let load_opts = |go: &str| packages::Options {
        jobs: opts.jobs,
        resolve_missing: true,
        promote: gover::compare(go, "1.17").is_ge(),
        dep_tests: true,
        all_closes_over_tests: gover::compare(go, "1.16").is_lt(),
        workspace: workspace.to_vec(),
    };
    let mut load_go = max_go_line(our_go.as_deref(), &got_graph.go_mods);
    let loaded = loop {
        let l = packages::load(
            &got_project,
            got_graph.clone(),
            fetcher,
            load_opts(&load_go),
        )
        .await
        .map_err(err)?;
        let go = max_go_line(our_go.as_deref(), &l.seen_go_mods);
        let same = |v: &str| gover::compare(&go, v).is_lt() == gover::compare(&load_go, v).is_lt();
        if same("1.16") && same("1.17") {
            break l;
        }
        load_go = go;
    };
    let (got_graph, tidy) = (&loaded.graph, &loaded.packages);
    for (m, imp) in &loaded.added {
        out.notes.push(format!(
            "{}: added {m}: it provides {imp}, which no requirement did",
            gomod.display()
        ));
    }

    // A dependency needing a newer go raises the go line, as go get does.
    let mut new_file = file.clone();
    let max_go = max_go_line(our_go.as_deref(), &loaded.seen_go_mods);
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

    // Without a go line, go get and go mod tidy write the go command's own version
    // (and pick pruning by it): not something to guess.
    if our_go.is_none() {
        out.failures.push(Failure {
            gomod: gomod.clone(),
            module: file
                .module
                .as_ref()
                .map(|m| m.path.clone())
                .unwrap_or_default(),
            error: "no go line: go get and go mod tidy would add one naming the go command's own version; add a go line first".into(),
        });
        out.changes.retain(|c| c.gomod != gomod);
        return Ok(());
    }
    // Below go 1.17 the module graph is not pruned: tidy keeps a minimal
    // requirement set (mvs.Req) and the sums of the whole graph.
    let unpruned = gover::compare(&max_go, "1.17").is_lt();

    // 3. go mod tidy (the packages were loaded above: tidy loads the tests of
    // every package in all too, and below go 1.16 their imports are in all).
    if unpruned {
        let roots = unpruned_roots(file, &got_graph.build_list, tidy)?;
        let list: Vec<(Version, bool)> = roots
            .into_iter()
            .map(|m| {
                let indirect = !tidy.direct.contains(&m.path);
                (m, indirect)
            })
            .collect();
        new_file.set_require(&list);
    } else {
        let mut roots: Vec<(Version, bool)> = tidy
            .providers
            .iter()
            .filter_map(|p| {
                let v = got_graph.build_list.selected(p)?;
                Some((Version::new(p, v), !tidy.direct.contains(p)))
            })
            .collect();
        // tidyPrunedRoots: a package outside all (what a dependency's test
        // imports) stays at the version it was loaded at. One import depth at a
        // time from all's packages (a test one deeper than its package): when the
        // graph of the roots so far selects its module lower (or not at all), that
        // module becomes a root too, and the graph is selected again.
        let main_path = file.module.as_ref().map_or("", |m| m.path.as_str());
        let mut queued: HashSet<String> = HashSet::new();
        // (package path, its test rather than itself)
        let mut queue: Vec<(String, bool)> = Vec::new();
        for (path, pkg) in &tidy.packages {
            if pkg.in_all {
                queued.insert(path.clone());
                queue.push((path.clone(), false));
            }
        }
        let mut graph: Option<crate::graph::Graph> = None;
        while !queue.is_empty() {
            let g = match graph.take() {
                Some(g) => g,
                None => {
                    let mut f = new_file.clone();
                    f.set_require_separate_indirect(&roots);
                    f.cleanup();
                    let p = Project::Module {
                        dir: dir.to_owned(),
                        file: f,
                    };
                    load_graph(&p, fetcher, opts.jobs, &|_, _| {})
                        .await
                        .map_err(err)?
                }
            };
            let mut added = false;
            for (path, is_test) in std::mem::take(&mut queue) {
                let Some(pkg) = tidy.packages.get(&path) else {
                    continue;
                };
                let imports = if is_test {
                    &pkg.test_imports
                } else {
                    &pkg.imports
                };
                for dep in imports {
                    if tidy.packages.contains_key(dep) && queued.insert(dep.clone()) {
                        queue.push((dep.clone(), false));
                    }
                }
                if !is_test
                    && !pkg.test_imports.is_empty()
                    && queued.insert(format!("{path} [test]"))
                {
                    queue.push((path.clone(), true));
                }
                if pkg.module == main_path || roots.iter().any(|(r, _)| r.path == pkg.module) {
                    continue;
                }
                let Some(v) = got_graph.build_list.selected(&pkg.module) else {
                    continue;
                };
                let now = g.build_list.selected(&pkg.module).unwrap_or("none");
                if semver::compare(now, v).is_lt() {
                    let indirect = !tidy.direct.contains(&pkg.module);
                    roots.push((Version::new(&pkg.module, v), indirect));
                    added = true;
                }
            }
            if !added {
                graph = Some(g);
            }
        }
        // From go 1.27 go writes at most one direct and one indirect block.
        if gover::compare(&max_go, "1.27").is_ge() {
            new_file.set_require_at_most_two(&roots);
        } else {
            new_file.set_require_separate_indirect(&roots);
        }
    }
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
    let compat_graph = if !unpruned && gover::compare(&max_go, "1.18").is_lt() {
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
    let kept = kept_sums(
        tidy,
        &new_file,
        &got_graph.build_list,
        &tidy_graph.build_list,
        compat_graph.as_ref().map(|g| &g.build_list),
        unpruned,
        // Before go 1.21 tidy left out the go.mod sums of the loaded packages'
        // modules (it did not need their go versions).
        gover::compare(&max_go, "1.21").is_ge(),
    );
    for m in kept.go_mods {
        if !sum
            .hashes(&m.path, &format!("{}/go.mod", m.version))
            .is_empty()
        {
            continue;
        }
        let data = match go_mods.get(&m) {
            Some(d) => (*d).clone(),
            None => fetcher.go_mod(&m).await.map_err(err)?,
        };
        sum.add(
            Version::new(m.path.clone(), format!("{}/go.mod", m.version)),
            &dirhash::hash_gomod(&data),
        );
    }
    for m in kept.zips {
        let hash = match tidy.zips.get(&m.path) {
            Some(z) if z.version == m => z.hash.clone(),
            _ => {
                let mut f = fetcher.zip_file(&m).await.map_err(err)?;
                dirhash::hash_zip(&mut f).map_err(|e| err(format!("{m}.zip: {e}")))?
            }
        };
        sum.add(m, &hash);
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

/// The requirements `go mod tidy` writes for a main module below go 1.17
/// (`tidyUnprunedRoots`): of the modules providing loaded packages (at their
/// selected versions), the minimal set implying them all (`mvs::req`), with the
/// directly imported ones always listed. A module that could have provided an
/// imported package (its path a prefix of the package's) and that the minimal
/// set would lower is kept at its version (go#47738), then the set is minimized
/// again.
fn unpruned_roots(
    main: &modfile::File,
    build_list: &BuildList,
    tidy: &packages::Packages,
) -> Result<Vec<Version>, UpdateError> {
    let main_path = main
        .module
        .as_ref()
        .map(|m| m.path.clone())
        .unwrap_or_default();
    let mut keep: Vec<Version> = tidy
        .loaded_providers
        .iter()
        .filter_map(|p| Some(Version::new(p, build_list.selected(p)?)))
        .collect();
    let base: Vec<String> = tidy.direct.iter().cloned().collect();
    let mut alt: HashMap<String, String> = HashMap::new();
    for (path, pkg) in &tidy.packages {
        if pkg.module == main_path {
            continue;
        }
        for m in &build_list.modules {
            if !m.is_main() && m.path != pkg.module && packages::provides_prefix(&m.path, path) {
                alt.insert(m.path.clone(), m.version.clone());
            }
        }
    }
    let main_v = Version::new(main_path, "");
    let mut reqs = GraphReqs {
        main: main_v.clone(),
        roots: keep.clone(),
        graph: build_list,
    };
    let min = mvs::req(&main_v, &base, &mut reqs).map_err(err)?;
    let mut kept_alt = false;
    for m in mvs::build_list_of(&main_v, &mut reqs).map_err(err)? {
        if let Some(v) = alt.get(&m.path)
            && semver::compare(&m.version, v).is_lt()
        {
            keep.push(Version::new(m.path.clone(), v.clone()));
            kept_alt = true;
        }
    }
    if !kept_alt {
        return Ok(min);
    }
    reqs.roots = keep;
    mvs::req(&main_v, &base, &mut reqs).map_err(err)
}

/// The main module's requirements replaced by `roots`, over the requirements an
/// unpruned build list loaded (all it reaches).
struct GraphReqs<'a> {
    main: Version,
    roots: Vec<Version>,
    graph: &'a BuildList,
}

impl mvs::Reqs for GraphReqs<'_> {
    fn required(&mut self, m: &Version) -> Result<Vec<Version>, String> {
        if *m == self.main {
            return Ok(self.roots.clone());
        }
        self.graph
            .required_by(m)
            .map(<[Version]>::to_vec)
            .ok_or_else(|| format!("{m}: go.mod not in the module graph"))
    }
}

/// What go.sum keeps for the loaded packages (`keepSums` with a loader):
/// module versions, replacements applied.
#[derive(Default)]
struct KeptSums {
    /// Their `/go.mod` hash.
    go_mods: HashSet<Version>,
    /// Their zip hash.
    zips: HashSet<Version>,
}

/// For each loaded package (the main module's included): the zip of every
/// module whose path is a prefix of the package's (the provider and any module
/// that could have provided it: go reads those to rule out an ambiguous import)
/// — among the roots when the graph is pruned and the package comes from a root
/// at its version, else among the tidy graph's selected modules, and also among
/// the `-compat` graph's; with `pkg_go_mods`, the go.mod of its module too.
fn kept_sums(
    tidy: &packages::Packages,
    main: &modfile::File,
    loaded: &BuildList,
    graph: &BuildList,
    compat: Option<&BuildList>,
    unpruned: bool,
    pkg_go_mods: bool,
) -> KeptSums {
    let main_path = main.module.as_ref().map_or("", |m| m.path.as_str());
    let root = |p: &str| {
        main.require
            .iter()
            .find(|r| r.module.path == p)
            .map(|r| r.module.version.as_str())
    };
    let mut out = KeptSums::default();
    let keep = |set: &mut HashSet<Version>, path: &str, v: &str| {
        let r = replacement(main, &Version::new(path, v));
        if !r.version.is_empty() {
            set.insert(r);
        }
    };
    // A package tidy -e could not find keeps the zips of the graph's modules
    // that could have provided it.
    for path in &tidy.unresolved {
        for prefix in path_prefixes(path) {
            if let Some(v) = graph.selected(prefix) {
                keep(&mut out.zips, prefix, v);
            }
        }
    }
    for (path, pkg) in &tidy.packages {
        let is_main = pkg.module == main_path;
        let version = if is_main {
            Some("")
        } else {
            loaded.selected(&pkg.module)
        };
        if pkg_go_mods
            && !is_main
            && let Some(v) = version
        {
            keep(&mut out.go_mods, &pkg.module, v);
        }
        let from_root =
            !unpruned && (is_main || (version.is_some() && root(&pkg.module) == version));
        for prefix in path_prefixes(path) {
            let v = if from_root {
                root(prefix)
            } else {
                graph.selected(prefix)
            };
            if let Some(v) = v {
                keep(&mut out.zips, prefix, v);
            }
            if let Some(v) = compat.and_then(|c| c.selected(prefix)) {
                keep(&mut out.zips, prefix, v);
            }
        }
    }
    out
}

/// `path` and each of its parent paths (`a/b/c`, `a/b`, `a`).
fn path_prefixes(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(path), |p| p.rsplit_once('/').map(|(d, _)| d))
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

/// The go line `go get` writes: the main module's (`our`), raised to the highest
/// `go` line of the go.mod files `go_mods` (those a graph loaded, selected
/// versions or not) that say go 1.21 or later (from 1.21 a go line is a
/// requirement on the `go` module, which MVS selects like any other; an older one
/// requires nothing).
fn max_go_line<'a>(
    our: Option<&str>,
    go_mods: impl IntoIterator<Item = &'a (Version, bytes::Bytes)>,
) -> String {
    let mut max_go = our.unwrap_or_default().to_owned();
    for (_, data) in go_mods {
        if let Ok(f) = modfile::parse_lax("go.mod", data, None)
            && let Some(g) = &f.go
            && gover::compare(&g.version, "1.21").is_ge()
            && gover::compare(&g.version, &max_go).is_gt()
        {
            max_go = g.version.clone();
        }
    }
    max_go
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

#[cfg(test)]
mod tests {
    use super::*;

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
