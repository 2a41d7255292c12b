//! The packages of `all` as `go mod tidy` loads them: the packages of the main
//! module (tests included) and, transitively, the non-test packages they import
//! (with [`Options`], also what the tests of those packages import), read from
//! the module zips fetched through the proxy (verified against the checksum
//! database) or from the directories modules are
//! replaced by. Per package: its providing module and its imports; the set of
//! providing modules, those the main module imports directly, and the zips read
//! with their `h1:` hashes (what go.sum keeps).
//!
//! Build constraints are evaluated as tidy does (every tag holds but `ignore`).
//! A package must be found in the build list.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use futures_util::StreamExt;
use modgate_core::dirhash;
use modgate_core::modfile;
use modgate_core::module::Version;
use modgate_core::mvs::BuildList;

use crate::audit::imports;
use crate::fetch::Fetcher;

/// A fetched module zip: its hash and its packages.
#[derive(Debug, Clone)]
pub struct ZipInfo {
    /// The content's version (the replacement's when replaced).
    pub version: Version,
    /// The `h1:` hash.
    pub hash: String,
    /// Package directory (relative, `""` for the root) → imports of its
    /// non-test `.go` files.
    pub packages: BTreeMap<String, BTreeSet<String>>,
    /// Package directory → imports of its `_test.go` files (internal and
    /// external tests).
    pub tests: BTreeMap<String, BTreeSet<String>>,
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
    /// test of a dependency's package imports it (see [`Options::dep_tests`]).
    pub in_all: bool,
}

/// How far loading goes beyond the packages of `all`.
#[derive(Debug, Clone, Default)]
pub struct Options {
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
    /// Those providing a package the main module imports.
    pub direct: BTreeSet<String>,
    /// Packages of other workspace modules left unloaded ([`Options::workspace`]).
    pub unresolved: BTreeSet<String>,
    /// The zips read, by module path (streamed to temporary files, never held whole
    /// in memory).
    pub zips: HashMap<String, ZipInfo>,
}

/// Why the packages could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LoadError(pub String);

fn err(e: impl std::fmt::Display) -> LoadError {
    LoadError(e.to_string())
}

/// Loads the packages of `all` for the main module `main` in `dir`, walking the
/// imports from its packages through the modules of `build_list`.
pub async fn load(
    dir: &Path,
    main: &modfile::File,
    build_list: &BuildList,
    fetcher: &Fetcher,
    jobs: usize,
) -> Result<Packages, LoadError> {
    load_with(dir, main, build_list, fetcher, jobs, Options::default()).await
}

/// [`load`], loading the dependencies' tests as `opts` says.
pub async fn load_with(
    dir: &Path,
    main: &modfile::File,
    build_list: &BuildList,
    fetcher: &Fetcher,
    jobs: usize,
    opts: Options,
) -> Result<Packages, LoadError> {
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
    let mut t = Packages::default();
    let mut dirs: HashMap<String, DirPackages> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let ignore: Vec<String> = main.ignore.iter().map(|i| i.path.clone()).collect();
    let own = dir_packages(dir, true, &ignore);
    for (rel, imports) in &own {
        let path = join_path(&main_path, rel);
        t.main.insert(path.clone());
        t.packages.insert(
            path,
            Package {
                module: main_path.clone(),
                imports: imports.clone(),
                in_all: true,
            },
        );
    }
    // (import path, imported by the main module, in `all`)
    let mut queue: Vec<(String, bool, bool)> = own
        .into_values()
        .flatten()
        .collect::<BTreeSet<String>>()
        .into_iter()
        .map(|i| (i, true, true))
        .collect();
    // `tool` packages are in "all" too; their modules stay `// indirect`, as go
    // writes them, unless the code imports them.
    queue.extend(main.tool.iter().map(|t| (t.path.clone(), false, true)));
    while !queue.is_empty() {
        // Fetch the zips of every module that may provide a queued import.
        let mut need: BTreeSet<String> = BTreeSet::new();
        for (imp, _, _) in &queue {
            for m in &mods {
                if provides_prefix(m, imp) && !t.zips.contains_key(m) && !dirs.contains_key(m) {
                    need.insert(m.clone());
                }
            }
        }
        let fetched: Vec<(String, Result<Loaded, LoadError>)> = futures_util::stream::iter(need)
            .map(|path| {
                let sel = build_list.modules.iter().find(|m| m.path == path).cloned();
                async move {
                    let r = match sel {
                        Some(s) => load_module(dir, &s, fetcher).await,
                        None => Err(LoadError(format!("{path}: not in the build list"))),
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
                Loaded::Dir(packages, tests) => {
                    dirs.insert(path, DirPackages { packages, tests });
                }
            }
        }
        let mut next = Vec::new();
        for (imp, from_main, in_all) in std::mem::take(&mut queue) {
            if is_std(&imp) || provides_prefix(&main_path, &imp) {
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
                let (pkgs, tests) = t
                    .zips
                    .get(m.as_str())
                    .map(|z| (&z.packages, &z.tests))
                    .or_else(|| dirs.get(m.as_str()).map(|d| (&d.packages, &d.tests)))?;
                let test_deps = tests.get(rel).cloned().unwrap_or_default();
                pkgs.get(rel).map(|i| (m.clone(), i.clone(), test_deps))
            });
            let Some((m, deps, test_deps)) = found else {
                if opts.workspace.iter().any(|w| provides_prefix(w, &imp)) {
                    t.unresolved.insert(imp);
                    continue;
                }
                let via = if in_all {
                    ""
                } else {
                    ", imported for a dependency's test"
                };
                return Err(LoadError(format!(
                    "no module in the build list provides package {imp}{via} (go mod tidy would look for one; run it first)"
                )));
            };
            if from_main {
                t.direct.insert(m.clone());
            }
            if in_all {
                t.providers.insert(m.clone());
                if opts.dep_tests {
                    let tests_in_all = opts.all_closes_over_tests;
                    next.extend(test_deps.iter().map(|i| (i.clone(), false, tests_in_all)));
                }
            }
            t.loaded_providers.insert(m.clone());
            next.extend(deps.iter().map(|i| (i.clone(), false, in_all)));
            let p = t.packages.entry(imp).or_insert(Package {
                module: m,
                imports: deps,
                in_all,
            });
            p.in_all |= in_all;
        }
        queue = next;
    }
    Ok(t)
}

/// The import path of the package in directory `rel` of module `module`.
fn join_path(module: &str, rel: &str) -> String {
    if rel.is_empty() {
        module.to_owned()
    } else {
        format!("{module}/{rel}")
    }
}

/// Whether `imp` is a standard library import (no dot in its first element).
pub(crate) fn is_std(imp: &str) -> bool {
    !imp.split('/').next().unwrap_or("").contains('.')
}

/// Whether module path `module` is `imp` or a path prefix of it.
pub(crate) fn provides_prefix(module: &str, imp: &str) -> bool {
    !module.is_empty()
        && (imp == module
            || (imp.starts_with(module) && imp.as_bytes().get(module.len()) == Some(&b'/')))
}

enum Loaded {
    Zip(ZipInfo),
    /// A directory's packages and their tests' imports.
    Dir(ImportMap, ImportMap),
}

/// Package directory (relative, `""` for the root) → imports.
type ImportMap = BTreeMap<String, BTreeSet<String>>;

/// The packages of a directory a module is replaced by.
struct DirPackages {
    packages: ImportMap,
    tests: ImportMap,
}

/// A build-list module's packages: from its zip (fetched, verified), or from the
/// directory it is replaced by.
async fn load_module(
    dir: &Path,
    s: &modgate_core::mvs::Selected,
    fetcher: &Fetcher,
) -> Result<Loaded, LoadError> {
    let content = match &s.replace {
        Some(r) if r.version.is_empty() => {
            let d = dir.join(&r.path);
            let (packages, tests) = dir_packages_split(&d);
            return Ok(Loaded::Dir(packages, tests));
        }
        Some(r) => r.clone(),
        None => Version::new(s.path.clone(), s.version.clone()),
    };
    // Streamed to a temporary file: hashing and reading need random access.
    let mut file = fetcher.zip_file(&content).await.map_err(err)?;
    let hash =
        dirhash::hash_zip(&mut file).map_err(|e| LoadError(format!("{content}.zip: {e}")))?;
    std::io::Seek::rewind(&mut file).map_err(|e| LoadError(format!("{content}.zip: {e}")))?;
    let (packages, tests) = zip_packages(&content, file)?;
    Ok(Loaded::Zip(ZipInfo {
        version: content,
        hash,
        packages,
        tests,
    }))
}

/// Package directory → imports of its non-test files, and → imports of its test
/// files, for the files of a module zip (`path@version/` prefixed).
fn zip_packages(m: &Version, file: std::fs::File) -> Result<(ImportMap, ImportMap), LoadError> {
    let bad = |e: zip::result::ZipError| LoadError(format!("{m}.zip: {e}"));
    let mut z = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(bad)?;
    let prefix = format!("{}@{}/", m.path, m.version);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut tests: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
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

/// The packages of a directory a module is replaced by, and the imports of each
/// one's tests (with the package's own: a superset loads nothing more).
fn dir_packages_split(root: &Path) -> (ImportMap, ImportMap) {
    (
        dir_packages(root, false, &[]),
        dir_packages(root, true, &[]),
    )
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
}
