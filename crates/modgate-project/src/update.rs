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
//! 3. `go mod tidy`: the packages of `all` and what their tests import
//!    ([`crate::packages`]), then what tidy writes for them (`crate::tidy`): with
//!    graph pruning (go ≥ 1.17) every module providing a package of `all` (and a
//!    test-only one the graph would select lower), below it the minimal set
//!    implying them all (`mvs::req`); go.sum as `keepSums` keeps it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use modgate_core::module::Version;
use modgate_core::mvs::BuildList;
use modgate_core::pattern::match_prefix_patterns;
use modgate_core::query::{self, Allowed, VersionList};
use modgate_core::{gover, modfile, semver};

use crate::fetch::Fetcher;
use crate::graph::{Project, load_graph};
use crate::packages;
use crate::tidy;

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

    // Without a go line, go get and go mod tidy write the go command's own version
    // (and pick pruning by it): not something to guess.
    if file.go.is_none() {
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

    // 2. go get: the targets as requirements, MVS over the rest. Without graph
    // pruning go get keeps every version the old build list selected (its
    // editRequirements roots them all), so a module only the old version of an
    // upgraded one required stays selected; with pruning, each requirement at
    // the version the graph selects (loading go.mod makes the roots consistent
    // first).
    let mut got = file.clone();
    let go_line = file.go.as_ref().map_or("", |g| g.version.as_str());
    if gover::compare(go_line, "1.17").is_lt() {
        for m in graph.build_list.modules.iter().filter(|m| !m.is_main()) {
            got.add_require(&m.path, &m.version);
        }
    } else {
        for r in &file.require {
            if let Some(v) = graph.build_list.selected(&r.module.path) {
                got.add_require(&r.module.path, v);
            }
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
    // go get fails when a version asked for is not the one selected (something
    // it brings in requires a higher one, a pre-release say): so does the update
    // of this go.mod, and nothing of it is written.
    let mut conflicts = Vec::new();
    for t in &targets {
        let Some(sel) = got_graph.build_list.selected(&t.path) else {
            continue;
        };
        if sel == t.version {
            continue;
        }
        let wanted = Version::new(t.path.clone(), sel);
        // As go says it: the first target from which a chain of requirements
        // reaches the higher version.
        let chain = targets
            .iter()
            .find_map(|root| chain_length(&got_graph.build_list, root, &wanted).map(|n| (root, n)));
        let error = match chain {
            Some((root, n)) => {
                let adverb = if n > 2 { "indirectly " } else { "" };
                format!("{root} {adverb}requires {wanted}, not {t}")
            }
            None => format!("{t} is not selected: the module graph selects {wanted}"),
        };
        conflicts.push(Failure {
            gomod: gomod.clone(),
            module: t.path.clone(),
            error,
        });
    }
    if !conflicts.is_empty() {
        out.failures.extend(conflicts);
        out.changes.retain(|c| c.gomod != gomod);
        return Ok(());
    }
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

    // 3. go mod tidy (the packages were loaded above).
    tidy::set_requirements(
        dir,
        file,
        &mut new_file,
        got_graph,
        tidy,
        &max_go,
        fetcher,
        opts.jobs,
    )
    .await?;
    new_file.cleanup();
    let after = new_file.format();
    let before = std::fs::read(&gomod).unwrap_or_default();

    let sum =
        match tidy::go_sum(dir, &new_file, got_graph, tidy, &max_go, fetcher, opts.jobs).await? {
            tidy::TidySum::Sum(sum) => sum,
            // go mod tidy fails (after go get wrote): nothing of this go.mod is written.
            tidy::TidySum::Incompatible(errors) => {
                out.failures
                    .extend(errors.into_iter().map(|(module, error)| Failure {
                        gomod: gomod.clone(),
                        module,
                        error,
                    }));
                out.changes.retain(|c| c.gomod != gomod);
                return Ok(());
            }
        };
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

/// The number of module versions on the shortest chain of requirements from
/// `root` to `target` in `bl` (both counted), if there is one.
fn chain_length(bl: &BuildList, root: &Version, target: &Version) -> Option<usize> {
    let mut depth: HashMap<&Version, usize> = HashMap::from([(root, 1)]);
    let mut queue = std::collections::VecDeque::from([root]);
    while let Some(m) = queue.pop_front() {
        let d = depth[m];
        if m == target {
            return Some(d);
        }
        for r in bl.required_by(m).into_iter().flatten() {
            if !depth.contains_key(r) {
                depth.insert(r, d + 1);
                queue.push_back(r);
            }
        }
    }
    None
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
    crate::query::run(fetcher, |src| {
        let allowed = Allowed::for_module(path, &list, [main], src)?;
        match mode {
            Mode::Patch => query::query(path, "patch", current, &list, &allowed, src),
            Mode::Latest => query::query(path, "upgrade", current, &list, &allowed, src),
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
                // Never across majors, even through the proxy's `@latest`
                // (asked when no release of the major is listed).
                query::query(path, "upgrade", current, &within, &allowed, src).map(|v| {
                    if semver::major(&v) == major {
                        v
                    } else {
                        current.to_owned()
                    }
                })
            }
        }
    })
    .await
    .map_err(|e| format!("{path}: {e}"))
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
