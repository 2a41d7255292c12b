//! What `go mod tidy` writes for the packages `crate::packages` loaded: the
//! requirements (`modload` `tidyRoots`: every providing module with graph
//! pruning, the minimal set implying them without) and go.sum (`keepSums`).
//! `modgate update` uses it after selecting the `go get` build list.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use modgate_core::module::Version;
use modgate_core::mvs::{self, BuildList};
use modgate_core::{dirhash, gosum, gover, modfile, semver};

use crate::fetch::Fetcher;
use crate::graph::{Graph, Project, load_graph};
use crate::packages::{self, Packages};
use crate::update::UpdateError;

fn err(e: impl std::fmt::Display) -> UpdateError {
    UpdateError(e.to_string())
}

/// Sets `new_file`'s requirements to what tidy writes for `main` (its go.mod
/// before the update) in `dir` at go version `go`: `got_graph` is the build list
/// the packages in `tidy` were loaded from. Call [`modfile::File::cleanup`]
/// afterwards.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn set_requirements(
    dir: &Path,
    main: &modfile::File,
    new_file: &mut modfile::File,
    got_graph: &Graph,
    tidy: &Packages,
    go: &str,
    fetcher: &Fetcher,
    jobs: usize,
) -> Result<(), UpdateError> {
    // Below go 1.17 the module graph is not pruned: tidy keeps a minimal
    // requirement set (mvs.Req).
    let unpruned = gover::compare(go, "1.17").is_lt();
    if unpruned {
        let roots = unpruned_roots(main, &got_graph.build_list, tidy)?;
        let list: Vec<(Version, bool)> = roots
            .into_iter()
            .map(|m| {
                let indirect = !tidy.direct.contains(&m.path);
                (m, indirect)
            })
            .collect();
        new_file.set_require(&list);
    } else {
        let roots = pruned_roots(dir, main, new_file, got_graph, tidy, fetcher, jobs).await?;
        // From go 1.27 go writes at most one direct and one indirect block.
        if gover::compare(go, "1.27").is_ge() {
            new_file.set_require_at_most_two(&roots);
        } else {
            new_file.set_require_separate_indirect(&roots);
        }
    }
    Ok(())
}

/// The requirements tidy writes with graph pruning (`tidyPrunedRoots`): every
/// module providing a package of all at its selected version, `// indirect`
/// unless the main module imports it, and the test-only ones that need it.
async fn pruned_roots(
    dir: &Path,
    main: &modfile::File,
    new_file: &modfile::File,
    got_graph: &Graph,
    tidy: &Packages,
    fetcher: &Fetcher,
    jobs: usize,
) -> Result<Vec<(Version, bool)>, UpdateError> {
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
    let main_path = main.module.as_ref().map_or("", |m| m.path.as_str());
    let mut queued: HashSet<String> = HashSet::new();
    // (package path, its test rather than itself)
    let mut queue: Vec<(String, bool)> = Vec::new();
    for (path, pkg) in &tidy.packages {
        if pkg.in_all {
            queued.insert(path.clone());
            queue.push((path.clone(), false));
        }
    }
    let mut graph: Option<Graph> = None;
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
                load_graph(&p, fetcher, jobs, &|_, _| {})
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
            if !is_test && !pkg.test_imports.is_empty() && queued.insert(format!("{path} [test]")) {
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
    Ok(roots)
}

/// What `go mod tidy` writes to go.sum, or why it fails.
pub(crate) enum TidySum {
    Sum(gosum::GoSum),
    /// At go 1.17.x the `-compat` graph (go 1.16's, unpruned) selects another
    /// version of a module providing a loaded package: tidy fails, with these
    /// errors (module path, go's text), and writes nothing.
    Incompatible(Vec<(String, String)>),
}

/// The go.sum tidy keeps for `new_file` (its new requirements) at go version
/// `go`: the `/go.mod` hash of every module version the graph loads (and of the
/// `-compat` graph at go 1.17.x), and what [`kept_sums`] adds for the packages.
pub(crate) async fn go_sum(
    dir: &Path,
    new_file: &modfile::File,
    got_graph: &Graph,
    tidy: &Packages,
    go: &str,
    fetcher: &Fetcher,
    jobs: usize,
) -> Result<TidySum, UpdateError> {
    let unpruned = gover::compare(go, "1.17").is_lt();
    // The tidy graph (its roots are the new requirements) decides the go.sum.
    let tidy_project = Project::Module {
        dir: dir.to_owned(),
        file: new_file.clone(),
    };
    let tidy_graph = load_graph(&tidy_project, fetcher, jobs, &|_, _| {})
        .await
        .map_err(err)?;
    // At go 1.17.x tidy's default -compat is 1.16, whose unpruned graph (the same
    // requirements read without pruning) needs go.mod sums too.
    let compat_graph = if !unpruned && gover::compare(go, "1.18").is_lt() {
        let mut compat = new_file.clone();
        compat.add_go_stmt("1.16").map_err(err)?;
        let p = Project::Module {
            dir: dir.to_owned(),
            file: compat,
        };
        Some(
            load_graph(&p, fetcher, jobs, &|_, _| {})
                .await
                .map_err(err)?,
        )
    } else {
        None
    };
    if let Some(compat) = &compat_graph {
        let errors = incompatible(
            tidy,
            new_file,
            &tidy_graph.build_list,
            &compat.build_list,
            go,
        );
        if !errors.is_empty() {
            return Ok(TidySum::Incompatible(errors));
        }
    }
    let mut sum = gosum::GoSum::new();
    // The go.mod of every module version whose requirements the graph loaded
    // (the replacement's, when replaced by a module version).
    let graphs: Vec<&Graph> = std::iter::once(&tidy_graph)
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
        let r = crate::packages::replacement_of(new_file, m);
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
        new_file,
        &got_graph.build_list,
        &tidy_graph.build_list,
        compat_graph.as_ref().map(|g| &g.build_list),
        unpruned,
        // Before go 1.21 tidy left out the go.mod sums of the loaded packages'
        // modules (it did not need their go versions).
        gover::compare(go, "1.21").is_ge(),
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
            // A zip the loader did not read (a module that could have provided
            // a package, lowered by the new requirements): hashed off the async
            // workers, as the loader hashes.
            _ => {
                let bad = |e: &dyn std::fmt::Display| err(format!("{m}.zip: {e}"));
                let mut file =
                    (fetcher.zip_file(&m).await.map_err(err)?.into_file()).map_err(|e| bad(&e))?;
                tokio::task::spawn_blocking(move || dirhash::hash_zip(&mut file))
                    .await
                    .map_err(|e| bad(&e))?
                    .map_err(|e| bad(&e))?
            }
        };
        sum.add(m, &hash);
    }
    Ok(TidySum::Sum(sum))
}

/// Go's `checkTidyCompatibility` at go 1.17.x (tidy's default `-compat` is 1.16):
/// each loaded package whose module go 1.16's unpruned graph selects at another
/// version is an error, in go's words. Go re-resolves every import in that graph;
/// here the providing module's version is compared, which also catches a package
/// that go 1.16 would find elsewhere or not at all (go words those two apart).
fn incompatible(
    tidy: &Packages,
    main: &modfile::File,
    pruned: &BuildList,
    compat: &BuildList,
    go: &str,
) -> Vec<(String, String)> {
    let main_path = main.module.as_ref().map_or("", |m| m.path.as_str());
    let mut errors = Vec::new();
    for (path, pkg) in &tidy.packages {
        if pkg.module == main_path {
            continue;
        }
        let (Some(v), Some(cv)) = (pruned.selected(&pkg.module), compat.selected(&pkg.module))
        else {
            continue;
        };
        if v == cv {
            continue;
        }
        let stack = tidy
            .chain(path)
            .map_or_else(|| path.clone(), |c| c.join(" imports\n\t"));
        errors.push((
            pkg.module.clone(),
            format!(
                "{stack} loaded from {}@{v},\n\tbut go 1.16 would select {cv}",
                pkg.module
            ),
        ));
    }
    // Go's two ways out, once, after the errors.
    if let Some((_, last)) = errors.last_mut() {
        last.push_str(&format!(
            "\nTo upgrade to the versions selected by go 1.16:\n\t\
             go mod tidy -go=1.16 && go mod tidy -go={go}\n\
             If reproducibility with go 1.16 is not needed:\n\t\
             go mod tidy -compat={go}"
        ));
    }
    errors
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
        let r = crate::packages::replacement_of(main, &Version::new(path, v));
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
