//! # mvs: the build list, as `go list -m all` computes it
//!
//! Minimal version selection over go.mod files, following the go command
//! (`cmd/go/internal/mvs` `Graph`, `modload/buildlist.go` `readModGraph` and
//! `updatePrunedRoots`, `modload/modfile.go` `goModSummary`, `replacementFrom`,
//! `modload/init.go` `rootsFromModFile`), checked against Go 1.27.3 by
//! `tests/mvs_go_oracle.rs`.
//!
//! It does no I/O: every go.mod it needs is asked of a [`GoModSource`] the
//! caller supplies, by module version (the proxy's `.mod`) or, for a
//! local-path replacement, by directory.
//!
//! What Go does, and so what this does:
//! * The main module's requirements are the roots; `exclude`d versions are
//!   dropped from every requirement list (the main module's and its
//!   dependencies'), not bumped to a later version.
//! * `replace` (go.work's first, then the main modules') changes where a
//!   module version's go.mod is read from, not which version is selected.
//! * Graph pruning: in a main module at go ≥ 1.17, a dependency's own
//!   requirements are loaded only for the roots, and below a module whose
//!   go.mod says go < 1.17 (or has no go line), whose graph is loaded whole.
//!   After loading, a root selected above its required version becomes a root
//!   at that version and the graph is read again, until nothing changes (what
//!   `-mod=mod` writes back to go.mod).
//! * In a workspace every `use`d module is a main module; the requirements of
//!   each dependency of a main module are loaded at its selected version too.
//! * The `go` and `toolchain` pseudo-modules are left out: they select no
//!   module version and `go list -m all` does not show them.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;

use crate::modfile::{self, WorkFile, is_directory_path};
use crate::module::Version;
use crate::semver;

#[cfg(test)]
mod tests;

/// Where a go.mod is to be read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GoModRef {
    /// A module version's go.mod (the proxy's `path/@v/version.mod`).
    Module(Version),
    /// The go.mod in a directory named by a local-path replacement: as
    /// written in a single main module's go.mod (relative to its directory),
    /// or, in a workspace, made relative to the go.work directory (`./b`).
    Dir(String),
}

impl fmt::Display for GoModRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoModRef::Module(m) => m.fmt(f),
            GoModRef::Dir(d) => f.write_str(d),
        }
    }
}

/// Supplies go.mod contents to the selection; an error is any message (it is
/// reported after the chain of requirements that led to the module).
pub trait GoModSource {
    /// The bytes of the go.mod at `at`.
    fn go_mod(&mut self, at: &GoModRef) -> Result<Vec<u8>, String>;
}

impl<F: FnMut(&GoModRef) -> Result<Vec<u8>, String>> GoModSource for F {
    fn go_mod(&mut self, at: &GoModRef) -> Result<Vec<u8>, String> {
        self(at)
    }
}

/// A main module of a workspace: the `use` directory as written in go.work
/// and its parsed go.mod.
#[derive(Clone, Debug)]
pub struct MainModule {
    /// The `use` path (`./a`), relative to the go.work directory.
    pub dir: String,
    /// Its go.mod, parsed strictly ([`modfile::parse`]).
    pub file: modfile::File,
}

/// One line of `go list -m all`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selected {
    /// The module path.
    pub path: String,
    /// The selected version; empty for a main module.
    pub version: String,
    /// Where its content comes from, when replaced (an empty version means a directory).
    pub replace: Option<Version>,
}

impl Selected {
    /// Whether this is a main module.
    pub fn is_main(&self) -> bool {
        self.version.is_empty()
    }
}

impl fmt::Display for Selected {
    /// `path version`, `path version => new version` or `path version => dir`,
    /// as `go list -m all` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if !self.version.is_empty() {
            write!(f, " {}", self.version)?;
        }
        if let Some(r) = &self.replace {
            write!(f, " => {}", r.path)?;
            if !r.version.is_empty() {
                write!(f, " {}", r.version)?;
            }
        }
        Ok(())
    }
}

/// The selected module graph.
#[derive(Clone, Debug)]
pub struct BuildList {
    /// Main modules first (sorted by path), then every other selected module
    /// sorted by path: the order of `go list -m all`.
    pub modules: Vec<Selected>,
    required: HashMap<Version, Vec<Version>>,
}

impl BuildList {
    /// The selected version of `path` (`""` for a main module), if any.
    pub fn selected(&self, path: &str) -> Option<&str> {
        self.modules
            .iter()
            .find(|m| m.path == path)
            .map(|m| m.version.as_str())
    }

    /// What module version `m` requires, after exclusions, when its go.mod was
    /// loaded (pruning leaves some unloaded: `None`). Main modules have version `""`.
    pub fn required_by(&self, m: &Version) -> Option<&[Version]> {
        self.required.get(m).map(Vec::as_slice)
    }

    /// Every module version whose requirements the selection loaded (the
    /// original versions, before replacement), main modules included.
    pub fn loaded(&self) -> impl Iterator<Item = &Version> {
        self.required.keys()
    }

    /// The lines of `go list -m all`.
    pub fn lines(&self) -> Vec<String> {
        self.modules.iter().map(ToString::to_string).collect()
    }
}

/// Why no build list could be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MvsError {
    /// A go.mod in the graph could not be read or is wrong. `stack` is the
    /// chain of requirements from a main module's first requirement to the
    /// module (Go's `BuildListError`).
    #[error("{}", format_load_error(.stack, .replaced_by.as_ref(), .message))]
    Load {
        /// The requirement chain, ending at the failing module version.
        stack: Vec<Version>,
        /// The replacement the go.mod was read from, if the module is replaced.
        replaced_by: Option<GoModRef>,
        /// What went wrong.
        message: String,
    },
    /// Two main modules of a workspace replace the same module differently.
    #[error(
        "conflicting replacements found for {module} in workspace modules defined by {first}/go.mod and {second}/go.mod"
    )]
    ConflictingReplacements {
        /// The replaced module version.
        module: Version,
        /// The first module directory.
        first: String,
        /// The second module directory.
        second: String,
    },
    /// A go.work `use` directory has no main module supplied for it.
    #[error("go.work uses {0}, but no go.mod was supplied for it")]
    MissingUse(String),
    /// A main module's go.mod has no `module` line.
    #[error("{0}: no module declaration in go.mod")]
    NoModuleLine(String),
}

fn format_load_error(stack: &[Version], replaced_by: Option<&GoModRef>, message: &str) -> String {
    let mut out = String::new();
    let Some((last, chain)) = stack.split_last() else {
        return message.to_owned();
    };
    for m in chain {
        out.push_str(&format!("{m} requires\n\t"));
    }
    match replaced_by {
        Some(r) => out.push_str(&format!("{last} (replaced by {r}): {message}")),
        None => out.push_str(&format!("{last}: {message}")),
    }
    out
}

/// The build list of a single main module (`GOWORK=off`).
pub fn build_list(main: &modfile::File, src: &mut dyn GoModSource) -> Result<BuildList, MvsError> {
    let path = main_path(main, ".")?;
    let mains = vec![MainInfo {
        path: path.clone(),
        dir: String::new(),
        file: main.clone(),
    }];
    let mut ld = Loader::new(mains, HashMap::new(), false, src);
    let pruning = pruning_for(main.go.as_ref().map_or(DEFAULT_GO, |g| g.version.as_str()));
    let mut roots = ld.roots_from(main);
    loop {
        let g = ld.read_graph(pruning, &roots)?;
        if pruning == Pruning::Unpruned {
            return Ok(ld.finish(g));
        }
        // updatePrunedRoots: each root path at its selected version.
        let mut seen = HashSet::new();
        let mut next = Vec::new();
        let mut upgraded = false;
        for r in &roots {
            if seen.insert(r.path.clone()) {
                let v = g.selected(&r.path).to_owned();
                upgraded |= v != r.version;
                next.push(Version::new(r.path.clone(), v));
            }
        }
        if !upgraded {
            return Ok(ld.finish(g));
        }
        roots = next;
    }
}

/// The build list of a workspace: `work` and, for each of its `use`
/// directives, the main module there (matched by [`MainModule::dir`]).
pub fn build_list_workspace(
    work: &WorkFile,
    mains: &[MainModule],
    src: &mut dyn GoModSource,
) -> Result<BuildList, MvsError> {
    let mut infos = Vec::new();
    for u in &work.use_ {
        let m = mains
            .iter()
            .find(|m| m.dir == u.path)
            .ok_or_else(|| MvsError::MissingUse(u.path.clone()))?;
        infos.push(MainInfo {
            path: main_path(&m.file, &m.dir)?,
            dir: m.dir.clone(),
            file: m.file.clone(),
        });
    }
    let work_replace = replace_map(&work.replace);
    let mut ld = Loader::new(infos, work_replace, true, src);
    let mut roots: Vec<Version> = ld
        .mains
        .iter()
        .map(|m| Version::new(m.path.clone(), ""))
        .collect();
    roots.sort_by(|a, b| a.path.cmp(&b.path));
    let g = ld.read_graph(Pruning::Workspace, &roots)?;
    Ok(ld.finish(g))
}

/// A module requirement graph for [`req`] (Go's `mvs.Reqs`).
pub trait Reqs {
    /// What module version `m` requires (for the main module: its roots).
    fn required(&mut self, m: &Version) -> Result<Vec<Version>, String>;

    /// The order of two versions of `path`: by default semver, with the main
    /// module's `""` above every version and `none` below.
    fn compare(&self, path: &str, v1: &str, v2: &str) -> std::cmp::Ordering {
        let _ = path;
        cmp_version(v1, v2)
    }
}

/// The minimal requirement list of `main` (Go's `mvs.Req`, "Algorithm R"):
/// every module of its build list that is not implied by another one kept,
/// sorted by path, always listing the selected version of each path in `base`.
///
/// A module is implied when the requirements of the kept modules (followed
/// transitively) already reach its selected version. The modules are tried in
/// the reverse postorder of the requirement graph, so one that requires
/// another comes first and the other is then implied. This is what `go mod
/// tidy` writes for a module below go 1.17 (no graph pruning): the direct
/// dependencies as `base`, the providers of packages as `main`'s roots.
pub fn req(main: &Version, base: &[String], reqs: &mut dyn Reqs) -> Result<Vec<Version>, MvsError> {
    let list = build_list_of(main, reqs)?;
    let selected: HashMap<&str, &str> = list
        .iter()
        .map(|m| (m.path.as_str(), m.version.as_str()))
        .collect();

    // The postorder of the requirement graph from the build list, caching each
    // module's requirements (the main module's own are not followed: every
    // root is in the list anyway).
    let mut required: HashMap<Version, Vec<Version>> = HashMap::new();
    required.insert(main.clone(), Vec::new());
    let mut postorder: Vec<Version> = Vec::new();
    for m in &list {
        // Iterative depth-first walk: (module, index of the next requirement).
        let mut stack: Vec<(Version, usize)> = Vec::new();
        if !required.contains_key(m) {
            required.insert(m.clone(), requirements_of(m, reqs)?);
            stack.push((m.clone(), 0));
        }
        while let Some((cur, i)) = stack.last_mut() {
            let next = required[&*cur].get(*i).cloned();
            *i += 1;
            match next {
                Some(r) => {
                    if !required.contains_key(&r) {
                        required.insert(r.clone(), requirements_of(&r, reqs)?);
                        stack.push((r, 0));
                    }
                }
                None => {
                    let (done, _) = stack.pop().expect("the loop saw an element");
                    postorder.push(done);
                }
            }
        }
    }

    // Keep the base modules, then each selected module no kept one implies.
    let mut implied: HashSet<Version> = HashSet::new();
    let imply = |m: &Version, implied: &mut HashSet<Version>| {
        let mut todo = vec![m.clone()];
        while let Some(m) = todo.pop() {
            if implied.insert(m.clone()) {
                todo.extend(required.get(&m).into_iter().flatten().cloned());
            }
        }
    };
    let mut min: Vec<Version> = Vec::new();
    let mut have_base: HashSet<&str> = HashSet::new();
    for path in base {
        if !have_base.insert(path) {
            continue;
        }
        let m = Version::new(
            path.clone(),
            selected.get(path.as_str()).copied().unwrap_or(""),
        );
        imply(&m, &mut implied);
        min.push(m);
    }
    for m in postorder.iter().rev() {
        if selected.get(m.path.as_str()) != Some(&m.version.as_str()) || implied.contains(m) {
            continue;
        }
        imply(m, &mut implied);
        min.push(m.clone());
    }
    min.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(min)
}

fn requirements_of(m: &Version, reqs: &mut dyn Reqs) -> Result<Vec<Version>, MvsError> {
    if m.version == "none" {
        return Ok(Vec::new());
    }
    reqs.required(m).map_err(|message| MvsError::Load {
        stack: vec![m.clone()],
        replaced_by: None,
        message,
    })
}

/// Go's `mvs.BuildList` for one target over a [`Reqs`]: the highest version
/// of each path reachable from `main` (no pruning), `main` first, the rest
/// sorted by path. An error names the chain of requirements from `main` to the
/// failing module.
pub fn build_list_of(main: &Version, reqs: &mut dyn Reqs) -> Result<Vec<Version>, MvsError> {
    let mut selected: HashMap<String, String> = HashMap::new();
    let mut parent: HashMap<Version, Version> = HashMap::new();
    let mut seen: HashSet<Version> = HashSet::from([main.clone()]);
    let mut queue: VecDeque<Version> = VecDeque::from([main.clone()]);
    while let Some(m) = queue.pop_front() {
        if m.version == "none" {
            continue;
        }
        match selected.get(&m.path) {
            Some(v) if reqs.compare(&m.path, v, &m.version).is_ge() => {}
            _ => {
                selected.insert(m.path.clone(), m.version.clone());
            }
        }
        let required = reqs.required(&m).map_err(|message| {
            let mut stack = vec![m.clone()];
            let mut cur = &m;
            while let Some(up) = parent.get(cur) {
                stack.push(up.clone());
                cur = up;
            }
            stack.retain(|v| v != main);
            stack.reverse();
            MvsError::Load {
                stack,
                replaced_by: None,
                message,
            }
        })?;
        for r in required {
            if seen.insert(r.clone()) {
                parent.insert(r.clone(), m.clone());
                queue.push_back(r);
            }
        }
    }
    let mut rest: Vec<Version> = selected
        .into_iter()
        .filter(|(p, _)| *p != main.path)
        .map(|(p, v)| Version::new(p, v))
        .collect();
    rest.sort_by(|a, b| a.path.cmp(&b.path));
    let mut list = vec![main.clone()];
    list.extend(rest);
    Ok(list)
}

/// The go version of a go.mod without a `go` line (`gover.DefaultGoModVersion`).
const DEFAULT_GO: &str = "1.16";

/// Go's `modPruning`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Pruning {
    Pruned,
    Unpruned,
    Workspace,
}

/// `pruningForGoVersion`: go ≥ 1.17 lists what its packages need, so its
/// dependencies' requirements can be pruned.
fn pruning_for(go: &str) -> Pruning {
    if crate::zip::goline::compare(&format!("go{go}"), "go1.17").is_lt() {
        Pruning::Unpruned
    } else {
        Pruning::Pruned
    }
}

fn main_path(f: &modfile::File, dir: &str) -> Result<String, MvsError> {
    f.module
        .as_ref()
        .map(|m| m.path.clone())
        .ok_or_else(|| MvsError::NoModuleLine(dir.to_owned()))
}

/// Replacements keyed by the old module version (version `""`: every version).
fn replace_map(reps: &[modfile::Replace]) -> HashMap<Version, Version> {
    // The last of duplicate replacements wins, as in `toReplaceMap`.
    reps.iter()
        .map(|r| (r.old.clone(), r.new.clone()))
        .collect()
}

/// Go's `replacement`: an exact match first, then a whole-path one.
fn lookup<'a>(map: &'a HashMap<Version, Version>, m: &Version) -> Option<&'a Version> {
    map.get(m)
        .or_else(|| map.get(&Version::new(m.path.clone(), "")))
}

/// `cmpVersion`: semver order, with the main module's `""` above all.
fn cmp_version(v1: &str, v2: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (v1.is_empty(), v2.is_empty()) {
        (true, true) => Equal,
        (true, false) => Greater,
        (false, true) => Less,
        (false, false) => semver::compare(v1, v2),
    }
}

struct MainInfo {
    path: String,
    /// The directory, relative to the workspace root (empty for a single module).
    dir: String,
    file: modfile::File,
}

/// A go.mod reduced to what selection needs (`modFileSummary`).
#[derive(Clone)]
struct Summary {
    pruning: Pruning,
    require: Vec<Version>,
}

/// `mvs.Graph`: requirement edges and the highest version seen per path.
struct Graph {
    roots: Vec<Version>,
    required: HashMap<Version, Vec<Version>>,
    selected: HashMap<String, String>,
}

impl Graph {
    fn new(roots: &[Version]) -> Self {
        let mut g = Graph {
            roots: roots.to_vec(),
            required: HashMap::new(),
            selected: HashMap::new(),
        };
        for r in roots {
            g.see(r);
        }
        g
    }

    fn see(&mut self, m: &Version) {
        let cur = self.selected.get(&m.path);
        if cur.is_none_or(|cur| cmp_version(cur, &m.version).is_lt()) {
            self.selected.insert(m.path.clone(), m.version.clone());
        }
    }

    fn require(&mut self, m: &Version, reqs: Vec<Version>) {
        for r in &reqs {
            self.see(r);
        }
        self.required.insert(m.clone(), reqs);
    }

    /// The selected version, or `none`.
    fn selected(&self, path: &str) -> &str {
        self.selected.get(path).map_or("none", String::as_str)
    }
}

struct Loader<'s> {
    mains: Vec<MainInfo>,
    work_replace: HashMap<Version, Version>,
    workspace: bool,
    exclude: HashSet<Version>,
    src: &'s mut dyn GoModSource,
    cache: HashMap<Version, Summary>,
}

impl<'s> Loader<'s> {
    fn new(
        mains: Vec<MainInfo>,
        work_replace: HashMap<Version, Version>,
        workspace: bool,
        src: &'s mut dyn GoModSource,
    ) -> Self {
        let exclude = mains
            .iter()
            .flat_map(|m| m.file.exclude.iter().map(|x| x.module.clone()))
            .collect();
        Loader {
            mains,
            work_replace,
            workspace,
            exclude,
            src,
            cache: HashMap::new(),
        }
    }

    fn is_main(&self, m: &Version) -> bool {
        m.version.is_empty() && self.mains.iter().any(|mm| mm.path == m.path)
    }

    /// `rootsFromModFile`: the requirements that are not excluded, sorted.
    fn roots_from(&self, f: &modfile::File) -> Vec<Version> {
        let mut roots: Vec<Version> = f
            .require
            .iter()
            .map(|r| r.module.clone())
            .filter(|m| !self.exclude.contains(m))
            .collect();
        roots.sort_by(|a, b| {
            a.path
                .cmp(&b.path)
                .then_with(|| semver::compare_version(&a.version, &b.version))
        });
        roots
    }

    /// `Replacement`: go.work's replacements win; then the main modules'
    /// (which must agree). Directory targets are made relative to the
    /// workspace root (`canonicalizeReplacePath`).
    fn replacement(&self, m: &Version) -> Result<Option<Version>, MvsError> {
        if self.is_main(m) {
            return Ok(None);
        }
        if let Some(r) = lookup(&self.work_replace, m) {
            return Ok(Some(r.clone()));
        }
        let mut found: Option<(Version, &MainInfo)> = None;
        for mm in &self.mains {
            let map = replace_map(&mm.file.replace);
            if let Some(r) = lookup(&map, m) {
                let r = self.canonical_dir(r, &mm.dir);
                if let Some((prev, prev_mm)) = &found {
                    if *prev != r {
                        return Err(MvsError::ConflictingReplacements {
                            module: m.clone(),
                            first: prev_mm.dir.clone(),
                            second: mm.dir.clone(),
                        });
                    }
                } else {
                    found = Some((r, mm));
                }
            }
        }
        Ok(found.map(|(r, _)| r))
    }

    fn canonical_dir(&self, r: &Version, mod_dir: &str) -> Version {
        if !self.workspace || !r.version.is_empty() || r.path.starts_with('/') {
            return r.clone();
        }
        let joined = clean_path(&format!("{mod_dir}/{}", r.path));
        let dir = if is_directory_path(joined.as_bytes()) {
            joined
        } else {
            format!("./{joined}")
        };
        Version::new(dir, "")
    }

    /// `goModSummary`: the requirements of `m`, read from its replacement if
    /// any, with excluded versions dropped.
    fn summary(&mut self, m: &Version) -> Result<Summary, (Option<GoModRef>, String)> {
        if let Some(s) = self.cache.get(m) {
            return Ok(s.clone());
        }
        let s = self.load_summary(m)?;
        self.cache.insert(m.clone(), s.clone());
        Ok(s)
    }

    fn load_summary(&mut self, m: &Version) -> Result<Summary, (Option<GoModRef>, String)> {
        let file = if let Some(mm) = self.mains.iter().find(|mm| mm.path == m.path)
            && m.version.is_empty()
        {
            mm.file.clone()
        } else {
            let repl = self.replacement(m).map_err(|e| (None, e.to_string()))?;
            let at = match &repl {
                Some(r) if r.version.is_empty() => GoModRef::Dir(r.path.clone()),
                Some(r) => GoModRef::Module(r.clone()),
                None => GoModRef::Module(m.clone()),
            };
            let shown = repl.as_ref().map(|_| at.clone());
            let data = self.src.go_mod(&at).map_err(|e| (shown.clone(), e))?;
            let f = modfile::parse_lax("go.mod", &data, None)
                .map_err(|e| (shown.clone(), format!("parsing go.mod: {e}")))?;
            if let GoModRef::Module(actual) = &at {
                match &f.module {
                    None => {
                        return Err((shown, "parsing go.mod: missing module line".into()));
                    }
                    Some(decl) if decl.path != m.path && decl.path != actual.path => {
                        return Err((
                            shown,
                            format!(
                                "parsing go.mod:\n\tmodule declares its path as: {}\n\t        but was required as: {}",
                                decl.path, m.path
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
            f
        };
        let go = file.go.as_ref().map(|g| g.version.clone());
        Ok(Summary {
            pruning: go.as_deref().map_or(Pruning::Unpruned, pruning_for),
            require: file
                .require
                .iter()
                .map(|r| r.module.clone())
                .filter(|r| !self.exclude.contains(r))
                .collect(),
        })
    }

    /// `readModGraph`.
    fn read_graph(&mut self, pruning: Pruning, roots: &[Version]) -> Result<Graph, MvsError> {
        let main = Version::new(self.mains[0].path.clone(), "");
        let mut g = if pruning == Pruning::Workspace {
            Graph::new(roots)
        } else {
            let mut g = Graph::new(std::slice::from_ref(&main));
            g.require(&main, roots.to_vec());
            g
        };
        // Who first required each module version: for error chains.
        let mut parent: HashMap<Version, Version> = HashMap::new();
        let mut enqueued: HashSet<(Version, Pruning)> = HashSet::new();
        let mut queue: VecDeque<(Version, Pruning)> = VecDeque::new();
        let enqueue = |m: &Version,
                       p: Pruning,
                       from: Option<&Version>,
                       queue: &mut VecDeque<(Version, Pruning)>,
                       enqueued: &mut HashSet<(Version, Pruning)>,
                       parent: &mut HashMap<Version, Version>| {
            if m.version == "none" || !enqueued.insert((m.clone(), p)) {
                return;
            }
            if let Some(from) = from {
                parent.entry(m.clone()).or_insert_with(|| from.clone());
            }
            queue.push_back((m.clone(), p));
        };
        for r in roots {
            enqueue(r, pruning, None, &mut queue, &mut enqueued, &mut parent);
        }
        let mut seen: HashSet<Version> = HashSet::new();
        let mut deps_in_all: Vec<String> = roots.iter().map(|r| r.path.clone()).collect();
        loop {
            while let Some((m, p)) = queue.pop_front() {
                let s = match self.summary(&m) {
                    Ok(s) => s,
                    Err((shown, message)) => {
                        let mut stack = vec![m.clone()];
                        let mut cur = &m;
                        while let Some(up) = parent.get(cur) {
                            stack.push(up.clone());
                            cur = up;
                        }
                        stack.retain(|v| !v.version.is_empty());
                        stack.reverse();
                        return Err(MvsError::Load {
                            stack,
                            replaced_by: shown,
                            message,
                        });
                    }
                };
                if !g.required.contains_key(&m) {
                    g.require(&m, s.require.clone());
                }
                let next = if p == Pruning::Unpruned {
                    Pruning::Unpruned
                } else {
                    s.pruning
                };
                if p != Pruning::Pruned || s.pruning == Pruning::Unpruned {
                    for r in &s.require {
                        enqueue(r, next, Some(&m), &mut queue, &mut enqueued, &mut parent);
                    }
                }
            }
            if pruning != Pruning::Workspace {
                return Ok(g);
            }
            // Workspace: load each dependency of a main module (and, in turn,
            // of those) at its selected version, until nothing new.
            let mut needs: Vec<Version> = Vec::new();
            for p in &deps_in_all {
                let m = Version::new(p.clone(), g.selected(p));
                if !seen.contains(&m) {
                    needs.push(m);
                    continue;
                }
                for r in g.required.get(&m).into_iter().flatten() {
                    let s = Version::new(r.path.clone(), g.selected(&r.path));
                    if semver::compare(&s.version, &r.version).is_gt() && !seen.contains(&s) {
                        needs.push(s);
                    }
                }
            }
            needs.sort_by(|a, b| a.path.cmp(&b.path).then(a.version.cmp(&b.version)));
            needs.dedup();
            if needs.is_empty() {
                return Ok(g);
            }
            for m in needs {
                enqueue(
                    &m,
                    Pruning::Workspace,
                    None,
                    &mut queue,
                    &mut enqueued,
                    &mut parent,
                );
                seen.insert(m.clone());
                if !deps_in_all.contains(&m.path) {
                    deps_in_all.push(m.path);
                }
            }
        }
    }

    /// `Graph.BuildList`, with each module's replacement.
    fn finish(&self, g: Graph) -> BuildList {
        let mut modules = Vec::new();
        let mut root_paths = HashSet::new();
        for r in &g.roots {
            if root_paths.insert(r.path.clone()) {
                modules.push(Version::new(r.path.clone(), g.selected(&r.path)));
            }
        }
        let mut rest: Vec<Version> = g
            .selected
            .iter()
            .filter(|(p, _)| !root_paths.contains(*p))
            .map(|(p, v)| Version::new(p.clone(), v.clone()))
            .collect();
        rest.sort_by(|a, b| a.path.cmp(&b.path));
        modules.extend(rest);
        let modules = modules
            .into_iter()
            .map(|m| Selected {
                replace: self.replacement(&m).ok().flatten(),
                path: m.path,
                version: m.version,
            })
            .collect();
        BuildList {
            modules,
            required: g.required,
        }
    }
}

/// Go's `path.Clean` on a slash-separated path.
fn clean_path(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            _ => out.push(part),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}
