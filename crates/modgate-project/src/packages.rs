//! The packages of `all` as `go mod tidy` loads them: the packages of the main
//! modules (tests included; every module of a workspace) and, transitively, the
//! non-test packages they import (with [`Options::dep_tests`], also what the
//! tests of those packages import), read from the module
//! zips fetched through the proxy (verified against the checksum database) or
//! from the directories modules are replaced by. Per package: its providing
//! module and its imports; the set of providing modules, those the main modules
//! import directly, and the zips read with their `h1:` hashes (what go.sum
//! keeps). `modgate update` (tidy) and `modgate audit` (`vuln.package`, go.sum
//! zip lines) share it.
//!
//! Build constraints are evaluated as tidy does (every tag holds but `ignore`).
//! An import no module of the build list provides is looked up as tidy does
//! (Go's `queryImport`) and its module added, or is an error.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use modgate_core::module::{Version, check_path, split_path_version, zero_pseudo_version};
use modgate_core::mvs::BuildList;
use modgate_core::query::{self, Allowed, QueryError, VersionList};
use modgate_core::{dirhash, modfile, semver};

use crate::audit::imports;
use crate::fetch::Fetcher;
use crate::graph::{Graph, Project, load_graph};

/// Package directory (relative to the module root, `""` for the root) → the
/// imports of its files.
pub type PackageMap = BTreeMap<String, BTreeSet<String>>;

/// A fetched module zip: its hash and its packages.
#[derive(Debug, Clone)]
pub struct ZipInfo {
    /// The content's version (the replacement's when replaced).
    pub version: Version,
    /// The `h1:` hash.
    pub hash: String,
    /// Its packages: the imports of their non-test `.go` files.
    pub packages: PackageMap,
    /// The imports of each package's `_test.go` files (internal and external
    /// tests).
    pub tests: PackageMap,
}

/// One package of `all`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The path of the module providing it (the main module's for its own).
    pub module: String,
    /// Its imports (the main module's packages: tests included), standard
    /// library ones too.
    pub imports: BTreeSet<String>,
    /// Whether it is in `all`; `false` for a package loaded only because the
    /// test of a dependency's package imports it ([`Options::dep_tests`]).
    pub in_all: bool,
    /// The imports of its tests, when they were loaded (a dependency's package
    /// in `all`, with [`Options::dep_tests`]).
    pub test_imports: BTreeSet<String>,
}

/// The packages of `all` and what go.mod and go.sum keep of them.
#[derive(Debug, Clone, Default)]
pub struct Packages {
    /// Import path → package: the main module's packages and every package
    /// they reach (the standard library's left out).
    pub packages: BTreeMap<String, Package>,
    /// Import paths of the main module's own packages.
    pub main: BTreeSet<String>,
    /// Module paths providing a package in `all` (the main module's not included).
    pub providers: BTreeSet<String>,
    /// Module paths providing a loaded package, in `all` or not.
    pub loaded_providers: BTreeSet<String>,
    /// Packages of other workspace modules left unloaded ([`Options::workspace`]).
    pub unresolved: BTreeSet<String>,
    /// Those providing a package the main module imports.
    pub direct: BTreeSet<String>,
    /// The zips read, by module path (streamed to temporary files, never held whole
    /// in memory).
    pub zips: HashMap<String, Arc<ZipInfo>>,
}

impl Packages {
    /// A shortest import chain from a main module package to `target`
    /// (both included), or `None` when `target` is not in `all`.
    pub fn chain(&self, target: &str) -> Option<Vec<String>> {
        let mut parent: HashMap<&str, &str> = HashMap::new();
        let mut queue: VecDeque<&str> = self.main.iter().map(String::as_str).collect();
        let mut seen: HashSet<&str> = queue.iter().copied().collect();
        while let Some(p) = queue.pop_front() {
            if p == target {
                let mut out = vec![p.to_owned()];
                let mut at = p;
                while let Some(&up) = parent.get(at) {
                    out.push(up.to_owned());
                    at = up;
                }
                out.reverse();
                return Some(out);
            }
            let Some(pkg) = self.packages.get(p) else {
                continue;
            };
            for i in &pkg.imports {
                if self.packages.contains_key(i) && seen.insert(i) {
                    parent.insert(i, p);
                    queue.push_back(i);
                }
            }
        }
        None
    }
}

/// How to load.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Concurrent fetches.
    pub jobs: usize,
    /// Look up a module for an import no build-list module provides and add it,
    /// as tidy does (else such an import is an error).
    pub resolve_missing: bool,
    /// Tidy with graph pruning (a single module): after each pass, make every
    /// module providing a package of `all` a requirement at its selected
    /// version, as tidy's `updateRequirements` does, which loads its own
    /// requirements; when that changes the selection the packages are loaded
    /// again, before any missing import is looked up.
    pub promote: bool,
    /// Load the tests of the dependencies' packages in `all` too, as `go mod
    /// tidy` does (it loads the tests of every package in `all`): the packages
    /// they import (and what those import) are loaded, not in `all`.
    pub dep_tests: bool,
    /// Those tests' imports are in `all` (and so are their tests): the `all` of
    /// a main module below go 1.16 (`allClosesOverTests`).
    pub all_closes_over_tests: bool,
    /// The module paths of the other modules of the main module's workspace: a
    /// package of theirs that no module of the build list provides (imported
    /// through go.work alone) is left unloaded, as `go mod tidy -e` leaves a
    /// package it cannot find, and listed in [`Packages::unresolved`].
    pub workspace: Vec<String>,
}

/// The outcome of [`load`].
#[derive(Debug, Clone)]
pub struct Loaded {
    pub packages: Packages,
    /// The modules required for missing imports (the main module's go.mod, as
    /// `graph` selects it, requires them), at the versions found, in the order added, each with the
    /// first import it was found for.
    pub added: Vec<(Version, String)>,
    /// The module graph of `file`.
    pub graph: Graph,
    /// Every go.mod the graphs selected along the way read (the last one's and
    /// those before a module was promoted or added): a go line they require
    /// stays required (tidy keeps the `go` version it reached).
    pub seen_go_mods: Vec<(Version, bytes::Bytes)>,
}

/// Why the packages could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LoadError(pub String);

fn err(e: impl std::fmt::Display) -> LoadError {
    LoadError(e.to_string())
}

/// Loads the packages of `all` for `project`'s main modules, walking the imports
/// from their packages through the modules of `graph`'s build list (the graph of
/// `project`). With `resolve_missing` (a single module only: tidy's work),
/// imports no module provides are looked up as tidy does (Go's `queryImport`),
/// the modules found required, the graph selected again and the packages loaded
/// again, until every import is provided.
pub async fn load(
    project: &Project,
    graph: Graph,
    fetcher: &Fetcher,
    opts: Options,
) -> Result<Loaded, LoadError> {
    let loader = Loader {
        dir: project.dir(),
        fetcher,
        cache: Mutex::new(HashMap::new()),
    };
    let mut project = project.clone();
    let mut graph = graph;
    let mut added = Vec::new();
    let mut seen_go_mods: HashMap<Version, bytes::Bytes> = HashMap::new();
    loop {
        for (m, b) in &graph.go_mods {
            seen_go_mods.entry(m.clone()).or_insert_with(|| b.clone());
        }
        let mains: Vec<(PathBuf, &modfile::File)> = project.main_modules();
        let (packages, missing) = loader.pass(&mains, &graph.build_list, &opts).await?;
        if opts.promote
            && let Project::Module { file, dir } = &project
        {
            let mut promoted = file.clone();
            for p in &packages.providers {
                if let Some(v) = graph.build_list.selected(p) {
                    promoted.add_require(p, v);
                }
            }
            promoted.cleanup();
            let next = Project::Module {
                dir: dir.clone(),
                file: promoted,
            };
            let g = load_graph(&next, fetcher, opts.jobs, &|_, _| {})
                .await
                .map_err(err)?;
            let changed = g.build_list.modules != graph.build_list.modules;
            project = next;
            graph = g;
            for (m, b) in &graph.go_mods {
                seen_go_mods.entry(m.clone()).or_insert_with(|| b.clone());
            }
            if changed {
                continue;
            }
        }
        if missing.is_empty() {
            return Ok(Loaded {
                packages,
                added,
                graph,
                seen_go_mods: seen_go_mods.into_iter().collect(),
            });
        }
        let stack = |m: &Missing| {
            let mut chain = packages
                .chain(&m.importer)
                .unwrap_or_else(|| vec![m.importer.clone()]);
            chain.push(m.path.clone());
            // One package a line, as go prints an import stack (the CLI
            // indents the lines after the first).
            chain.join(" imports\n")
        };
        // Tidy works on one module: a workspace's missing imports are errors.
        let mut file = match &project {
            Project::Module { file, .. } if opts.resolve_missing => file.clone(),
            _ => {
                let m = &missing[0];
                return Err(LoadError(format!(
                    "{}: no required module provides package {}",
                    stack(m),
                    m.path
                )));
            }
        };
        let (loader, file_ref, build_list) = (&loader, &file, &graph.build_list);
        let jobs = opts.jobs.max(1);
        let found: Vec<(&Missing, Result<Version, String>)> = futures_util::stream::iter(&missing)
            .map(|m| async move {
                let r = loader
                    .query_import(file_ref, build_list, &m.path, jobs)
                    .await;
                (m, r)
            })
            .buffered(opts.jobs.max(1))
            .collect()
            .await;
        let mut errors = Vec::new();
        let mut new: Vec<(Version, String)> = Vec::new();
        for (m, r) in found {
            match r {
                Ok(v) if !new.iter().any(|(n, _)| *n == v) => new.push((v, m.path.clone())),
                Ok(_) => {}
                Err(e) => errors.push(format!("{}: {e}", stack(m))),
            }
        }
        if !errors.is_empty() {
            return Err(LoadError(errors.join("\n")));
        }
        for (v, imp) in new {
            file.add_require(&v.path, &v.version);
            added.push((v, imp));
        }
        file.cleanup();
        project = Project::Module {
            dir: project.dir().to_owned(),
            file,
        };
        graph = load_graph(&project, fetcher, opts.jobs, &|_, _| {})
            .await
            .map_err(err)?;
    }
}

/// An import no module of the build list provides.
#[derive(Debug, Clone)]
struct Missing {
    path: String,
    /// The first package found importing it.
    importer: String,
}

/// A module's packages: from its zip, or from a directory (its packages, and
/// the imports of their tests).
#[derive(Clone)]
enum Content {
    Zip(Arc<ZipInfo>),
    Dir(Arc<(PackageMap, PackageMap)>),
}

impl Content {
    fn packages(&self) -> &PackageMap {
        match self {
            Content::Zip(z) => &z.packages,
            Content::Dir(d) => &d.0,
        }
    }

    fn tests(&self) -> &PackageMap {
        match self {
            Content::Zip(z) => &z.tests,
            Content::Dir(d) => &d.1,
        }
    }
}

/// Reads module contents, each once per [`load`].
struct Loader<'a> {
    /// The project's directory (directory replacements are relative to it).
    dir: &'a Path,
    fetcher: &'a Fetcher,
    /// By content version (a directory as its path with no version).
    cache: Mutex<HashMap<Version, Content>>,
}

impl Loader<'_> {
    /// The packages of `content`: a module version's zip, or (no version) a
    /// directory relative to the main module's.
    async fn content(&self, content: &Version) -> Result<Content, LoadError> {
        if let Some(c) = self.cache.lock().expect("cache lock").get(content) {
            return Ok(c.clone());
        }
        let c = if content.version.is_empty() {
            let d = self.dir.join(&content.path);
            // The tests' imports with the package's own: a superset loads
            // nothing more.
            Content::Dir(Arc::new((
                dir_packages(&d, false, &[]),
                dir_packages(&d, true, &[]),
            )))
        } else {
            Content::Zip(Arc::new(load_zip(content, self.fetcher).await?))
        };
        self.cache
            .lock()
            .expect("cache lock")
            .insert(content.clone(), c.clone());
        Ok(c)
    }

    /// One loading pass over `build_list`: the packages found, and the imports
    /// no module provides.
    async fn pass(
        &self,
        mains: &[(PathBuf, &modfile::File)],
        build_list: &BuildList,
        opts: &Options,
    ) -> Result<(Packages, Vec<Missing>), LoadError> {
        let jobs = opts.jobs.max(1);
        let mods: Vec<String> = build_list
            .modules
            .iter()
            .filter(|m| !m.is_main())
            .map(|m| m.path.clone())
            .collect();
        let mut t = Packages::default();
        let mut contents: HashMap<String, Content> = HashMap::new();
        let mut missing: Vec<Missing> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        // (import, imported by a main module, importer, in `all`)
        let mut queue: Vec<(String, bool, String, bool)> = Vec::new();
        for (dir, main) in mains {
            let main_path = main
                .module
                .as_ref()
                .map(|m| m.path.clone())
                .unwrap_or_default();
            let ignore: Vec<String> = main.ignore.iter().map(|i| i.path.clone()).collect();
            for (rel, imports) in dir_packages(dir, true, &ignore) {
                let path = join_path(&main_path, &rel);
                t.main.insert(path.clone());
                queue.extend(
                    imports
                        .iter()
                        .map(|i| (i.clone(), true, path.clone(), true)),
                );
                t.packages.insert(
                    path,
                    Package {
                        module: main_path.clone(),
                        imports,
                        in_all: true,
                        test_imports: BTreeSet::new(),
                    },
                );
            }
            // `tool` packages are in "all" too; their modules stay `// indirect`, as
            // go writes them, unless the code imports them.
            queue.extend(
                main.tool
                    .iter()
                    .map(|t| (t.path.clone(), false, main_path.clone(), true)),
            );
        }
        while !queue.is_empty() {
            // Fetch the zips of every module that may provide a queued import.
            let mut need: BTreeSet<String> = BTreeSet::new();
            for (imp, _, _, _) in &queue {
                for m in &mods {
                    if provides_prefix(m, imp) && !contents.contains_key(m) {
                        need.insert(m.clone());
                    }
                }
            }
            let fetched: Vec<(String, Result<Content, LoadError>)> =
                futures_util::stream::iter(need)
                    .map(|path| {
                        let sel = build_list.modules.iter().find(|m| m.path == path);
                        async move {
                            let r = match sel {
                                Some(s) => self.content(&content_of(s)).await,
                                None => Err(LoadError(format!("{path}: not in the build list"))),
                            };
                            (path, r)
                        }
                    })
                    .buffer_unordered(jobs)
                    .collect()
                    .await;
            for (path, r) in fetched {
                let c = r?;
                if let Content::Zip(z) = &c {
                    t.zips.insert(path.clone(), z.clone());
                }
                contents.insert(path, c);
            }
            let mut next = Vec::new();
            for (imp, from_main, importer, in_all) in std::mem::take(&mut queue) {
                if is_std(&imp) || t.main.contains(&imp) {
                    continue;
                }
                let key = format!("{imp}\0{from_main}\0{in_all}");
                if !seen.insert(key) {
                    continue;
                }
                // The longest module path that has the package's directory.
                let mut cands: Vec<&String> =
                    mods.iter().filter(|m| provides_prefix(m, &imp)).collect();
                cands.sort_by_key(|m| std::cmp::Reverse(m.len()));
                let found = cands.into_iter().find_map(|m| {
                    let rel = imp[m.len()..].trim_start_matches('/');
                    let c = contents.get(m.as_str())?;
                    let test_deps = c.tests().get(rel).cloned().unwrap_or_default();
                    c.packages()
                        .get(rel)
                        .map(|i| (m.clone(), i.clone(), test_deps))
                });
                let Some((m, deps, test_deps)) = found else {
                    if opts.workspace.iter().any(|w| provides_prefix(w, &imp)) {
                        t.unresolved.insert(imp);
                        continue;
                    }
                    if !missing.iter().any(|x| x.path == imp) {
                        missing.push(Missing {
                            path: imp,
                            importer,
                        });
                    }
                    continue;
                };
                if from_main {
                    t.direct.insert(m.clone());
                }
                let tests_loaded = in_all && opts.dep_tests;
                if in_all {
                    t.providers.insert(m.clone());
                    if opts.dep_tests {
                        let tests_in_all = opts.all_closes_over_tests;
                        next.extend(
                            test_deps
                                .iter()
                                .map(|i| (i.clone(), false, imp.clone(), tests_in_all)),
                        );
                    }
                }
                t.loaded_providers.insert(m.clone());
                next.extend(deps.iter().map(|i| (i.clone(), false, imp.clone(), in_all)));
                let p = t.packages.entry(imp).or_insert(Package {
                    module: m,
                    imports: deps,
                    in_all,
                    test_imports: BTreeSet::new(),
                });
                p.in_all |= in_all;
                if tests_loaded {
                    p.test_imports = test_deps;
                }
            }
            queue = next;
        }
        Ok((t, missing))
    }

    /// The module to add for `imp`, which no module of `build_list` provides, as
    /// tidy finds it (Go's `queryImport`): first the highest replaced version of
    /// each module path that may hold it, when not selected already; else every
    /// path prefix of `imp` that may be a module path, at `latest` (retractions
    /// and the main module's excludes honoured): the longest whose content has the
    /// package's directory wins.
    async fn query_import(
        &self,
        main: &modfile::File,
        build_list: &BuildList,
        imp: &str,
        jobs: usize,
    ) -> Result<Version, String> {
        let main_path = main.module.as_ref().map(|m| m.path.as_str()).unwrap_or("");
        let selected = |p: &str| build_list.selected(p).unwrap_or("none").to_owned();

        // Replaced modules, before any proxy lookup (golang.org/issue/26241).
        let mut highest: BTreeMap<&str, &str> = BTreeMap::new();
        for r in &main.replace {
            if provides_prefix(&r.old.path, imp) {
                let v = highest.entry(&r.old.path).or_insert("");
                if semver::compare(&r.old.version, v).is_gt() {
                    *v = &r.old.version;
                }
            }
        }
        let mut replaced: Vec<Version> = Vec::new();
        for (mp, mv) in highest {
            let mv = if mv.is_empty() {
                let major = match split_path_version(mp) {
                    Some((_, m)) if !m.is_empty() => m[1..].to_owned(),
                    _ => "v0".to_owned(),
                };
                zero_pseudo_version(&major)
            } else {
                mv.to_owned()
            };
            if semver::compare(&selected(mp), &mv).is_ge() {
                continue;
            }
            replaced.push(Version::new(mp, mv));
        }
        replaced.sort_by_key(|m| std::cmp::Reverse(m.path.len()));
        for m in replaced {
            let c = self
                .content(&replacement_of(main, &m))
                .await
                .map_err(|e| e.to_string())?;
            if has_package(&c, &m.path, imp) {
                return Ok(m);
            }
        }

        // Every prefix that may be a module path, longest first.
        let mut prefixes: Vec<&str> = Vec::new();
        let mut p = imp;
        loop {
            if p != main_path && p != "go" && p != "toolchain" && split_path_version(p).is_some() {
                prefixes.push(p);
            }
            match p.rfind('/') {
                Some(j) => p = &p[..j],
                None => break,
            }
        }
        let results: Vec<Prefix> = futures_util::stream::iter(prefixes)
            .map(|p| self.query_prefix(main, p, imp, selected(p)))
            .buffered(jobs)
            .collect()
            .await;
        // Go's queryPrefixModules: the most useful error at the longest path.
        let mut found: Vec<Version> = Vec::new();
        let mut module_only: Option<Version> = None;
        let (mut no_package, mut no_version, mut invalid, mut not_exist, mut other) =
            (None, None, None, None, None);
        for r in results {
            match r {
                Prefix::Found(v) => found.push(v),
                Prefix::ModuleOnly(v) => module_only = Some(v),
                Prefix::NoPackage(e) => {
                    no_package.get_or_insert(e);
                }
                Prefix::NoVersion(e) => {
                    no_version.get_or_insert(e);
                }
                Prefix::Invalid(e) => {
                    invalid.get_or_insert(e);
                }
                Prefix::NotExist(e) => {
                    not_exist.get_or_insert(e);
                }
                Prefix::Other(e) => {
                    if other.is_none()
                        && found.is_empty()
                        && module_only.is_none()
                        && no_package.is_none()
                    {
                        other = Some(e);
                    }
                }
            }
        }
        if let Some(e) = other {
            return Err(e);
        }
        if found.is_empty() {
            if let Some(m) = module_only {
                return Err(format!(
                    "module {}@latest found ({}), but does not contain package {imp}",
                    m.path, m.version
                ));
            }
            if let Some(e) = no_package.or(no_version).or(invalid) {
                return Err(e);
            }
            let e = not_exist.unwrap_or_else(|| "no module path to query".to_owned());
            return Err(format!("cannot find module providing package {imp}: {e}"));
        }
        // A newer version already selected (and without the package) rules a
        // candidate out.
        match found
            .iter()
            .find(|c| semver::compare(&selected(&c.path), &c.version).is_le())
        {
            Some(c) => Ok(c.clone()),
            None => Err(format!(
                "package {imp} provided by {} at latest version {} but not at required version {}",
                found[0].path,
                found[0].version,
                selected(&found[0].path)
            )),
        }
    }

    /// `prefix@latest` and whether it has package `imp`.
    async fn query_prefix(
        &self,
        main: &modfile::File,
        prefix: &str,
        imp: &str,
        current: String,
    ) -> Prefix {
        if let Err(e) = check_path(prefix) {
            return Prefix::Invalid(format!("malformed module path {prefix:?}: {e}"));
        }
        let list = match self.fetcher.list(prefix).await {
            Ok(body) => VersionList::parse(&body),
            Err(e) if e.is_not_found() => return Prefix::NotExist(format!("module {prefix}: {e}")),
            Err(e) => return Prefix::Other(format!("module {prefix}: {e}")),
        };
        let version = crate::query::run(self.fetcher, |src| {
            let allowed = Allowed::for_module(prefix, &list, [main], src)?;
            query::query(prefix, "latest", &current, &list, &allowed, src)
        })
        .await;
        let version = match version {
            Ok(v) => v,
            Err(e @ QueryError::NoMatchingVersion { .. }) => {
                return Prefix::NoVersion(format!("module {prefix}: {e}"));
            }
            Err(e) => return Prefix::Other(format!("module {prefix}: {e}")),
        };
        let m = Version::new(prefix, version);
        let c = match self.content(&replacement_of(main, &m)).await {
            Ok(c) => c,
            Err(e) => return Prefix::Other(e.to_string()),
        };
        if has_package(&c, prefix, imp) {
            Prefix::Found(m)
        } else if prefix == imp {
            Prefix::ModuleOnly(m)
        } else {
            Prefix::NoPackage(format!(
                "module {prefix}@latest found ({}), but does not contain package {imp}",
                m.version
            ))
        }
    }
}

/// What one prefix of a missing import turned out to be.
enum Prefix {
    /// A module at `latest` with the package.
    Found(Version),
    /// The module whose path is the import path, without a package at its root.
    ModuleOnly(Version),
    NoPackage(String),
    NoVersion(String),
    Invalid(String),
    NotExist(String),
    Other(String),
}

/// Whether module `module`'s content `c` has package `imp`.
fn has_package(c: &Content, module: &str, imp: &str) -> bool {
    provides_prefix(module, imp)
        && c.packages()
            .contains_key(imp[module.len()..].trim_start_matches('/'))
}

/// Where a selected module's content comes from: its replacement (a directory
/// when it has no version), else itself.
fn content_of(s: &modgate_core::mvs::Selected) -> Version {
    match &s.replace {
        Some(r) => r.clone(),
        None => Version::new(s.path.clone(), s.version.clone()),
    }
}

/// Where `m`'s content comes from: the main module's `replace` for that version,
/// else for every version, else `m` itself.
pub(crate) fn replacement_of(main: &modfile::File, m: &Version) -> Version {
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

/// The import path of the package in directory `rel` of module `module`.
fn join_path(module: &str, rel: &str) -> String {
    if rel.is_empty() {
        module.to_owned()
    } else {
        format!("{module}/{rel}")
    }
}

pub(crate) fn is_std(imp: &str) -> bool {
    !imp.split('/').next().unwrap_or("").contains('.')
}

pub(crate) fn provides_prefix(module: &str, imp: &str) -> bool {
    !module.is_empty()
        && (imp == module
            || (imp.starts_with(module) && imp.as_bytes().get(module.len()) == Some(&b'/')))
}

/// A module version's zip (fetched, verified) and its packages.
async fn load_zip(content: &Version, fetcher: &Fetcher) -> Result<ZipInfo, LoadError> {
    // A file (the stored one where it can be): hashing and reading need random
    // access.
    let mut file = (fetcher.zip_file(content).await.map_err(err)?.into_file())
        .map_err(|e| LoadError(format!("{content}.zip: {e}")))?;
    let content = content.clone();
    // Hashing and reading are blocking file work: off the async workers, so the
    // other fetches go on meanwhile.
    let what = format!("{content}.zip");
    tokio::task::spawn_blocking(move || {
        let bad = |e: &dyn std::fmt::Display| LoadError(format!("{content}.zip: {e}"));
        let hash = dirhash::hash_zip(&mut file).map_err(|e| bad(&e))?;
        std::io::Seek::rewind(&mut file).map_err(|e| bad(&e))?;
        let (packages, tests) = zip_packages(&content, file)?;
        Ok(ZipInfo {
            version: content,
            hash,
            packages,
            tests,
        })
    })
    .await
    .map_err(|e| LoadError(format!("{what}: {e}")))?
}

/// Package directory → imports of its non-test files, and → imports of its test
/// files, for the files of a module zip (`path@version/` prefixed).
fn zip_packages(m: &Version, file: std::fs::File) -> Result<(PackageMap, PackageMap), LoadError> {
    let bad = |e: zip::result::ZipError| LoadError(format!("{m}.zip: {e}"));
    let mut z = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(bad)?;
    let prefix = format!("{}@{}/", m.path, m.version);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut tests: PackageMap = BTreeMap::new();
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
        if !go_file(base) || skipped_dir(pkg) {
            continue;
        }
        let mut src = Vec::new();
        f.read_to_end(&mut src)
            .map_err(|e| LoadError(format!("{m}.zip: {name}: {e}")))?;
        if !tidy_builds(&src) {
            continue;
        }
        let into = if base.ends_with("_test.go") {
            &mut tests
        } else {
            &mut out
        };
        into.entry(pkg.to_owned())
            .or_default()
            .extend(imports::imports(&src));
    }
    Ok((out, tests))
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
    fn shortest_import_chain_from_the_main_module() {
        let pkg = |module: &str, imports: &[&str]| Package {
            module: module.to_owned(),
            imports: imports.iter().map(|s| s.to_string()).collect(),
            in_all: true,
            test_imports: BTreeSet::new(),
        };
        let mut p = Packages::default();
        p.main.insert("m".into());
        p.main.insert("m/cmd".into());
        p.packages.insert("m".into(), pkg("m", &["fmt", "a.com/x"]));
        p.packages
            .insert("m/cmd".into(), pkg("m", &["m", "b.com/y", "a.com/x/deep"]));
        p.packages
            .insert("a.com/x".into(), pkg("a.com/x", &["a.com/x/deep"]));
        p.packages
            .insert("a.com/x/deep".into(), pkg("a.com/x", &["c.com/v"]));
        p.packages.insert("b.com/y".into(), pkg("b.com/y", &[]));
        p.packages.insert("c.com/v".into(), pkg("c.com/v", &[]));
        assert_eq!(
            p.chain("c.com/v").unwrap(),
            ["m/cmd", "a.com/x/deep", "c.com/v"]
        );
        assert_eq!(p.chain("m").unwrap(), ["m"]);
        assert_eq!(p.chain("fmt"), None);
        assert_eq!(p.chain("d.com/none"), None);
    }

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
}
