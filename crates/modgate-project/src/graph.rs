//! A project (a main module, or a workspace) and its module graph.
//!
//! The core's MVS ([`modgate_core::mvs`]) asks for one go.mod at a time through a
//! synchronous callback. [`load_graph`] runs it in waves: each pass answers the
//! go.mod files fetched so far and, for each one it lacks, records the miss and
//! answers a stand-in with no requirements (`module <path>`), so one pass finds
//! every miss reachable from what is known; the misses are then fetched
//! concurrently and the selection runs again. A stand-in only ever hides
//! requirements, so the pass with no miss is the real selection, computed from real
//! go.mod files alone. A go.mod that failed to fetch is answered with its error,
//! which MVS reports with the chain of requirements leading to it; one that only a
//! stand-in's pass asked for and the final pass does not need is ignored.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::StreamExt;
use modgate_core::modfile::{self, WorkFile};
use modgate_core::module::Version;
use modgate_core::mvs::{self, BuildList, GoModRef, MainModule};

use crate::fetch::{FetchError, Fetcher};
use crate::settings::GoSettings;

/// A Go project: one main module, or a go.work workspace.
#[derive(Debug, Clone)]
pub enum Project {
    Module {
        /// The module's directory.
        dir: PathBuf,
        file: modfile::File,
    },
    Workspace {
        /// The go.work directory (`use` paths are relative to it).
        dir: PathBuf,
        /// The go.work file's path.
        path: PathBuf,
        work: WorkFile,
        /// Each `use`d module, its `dir` as written in go.work.
        mains: Vec<MainModule>,
    },
}

/// A project could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ProjectError(pub String);

impl Project {
    /// The project at `dir` as the go command finds it there: with GOWORK unset, the
    /// nearest go.work in `dir` or a parent (`GOWORK=off`: none; a path: that file);
    /// else `dir/go.mod`.
    pub fn find(dir: &Path, settings: &GoSettings) -> Result<Project, ProjectError> {
        let work = match settings.gowork() {
            "off" => None,
            "" => dir
                .ancestors()
                .map(|d| d.join("go.work"))
                .find(|p| p.is_file()),
            p => Some(PathBuf::from(p)),
        };
        match work {
            Some(w) => Project::workspace(&w),
            None => Project::module(&dir.join("go.mod")),
        }
    }

    /// The single main module of the go.mod at `gomod`.
    pub fn module(gomod: &Path) -> Result<Project, ProjectError> {
        let file = read_gomod(gomod)?;
        let dir = parent(gomod);
        Ok(Project::Module { dir, file })
    }

    /// The workspace of the go.work at `path` and the go.mod of each `use`.
    pub fn workspace(path: &Path) -> Result<Project, ProjectError> {
        let data = std::fs::read(path)
            .map_err(|e| ProjectError(format!("reading {}: {e}", path.display())))?;
        let work = modfile::parse_work(&path.to_string_lossy(), &data, None)
            .map_err(|e| ProjectError(e.to_string()))?;
        let dir = parent(path);
        let mut mains = Vec::new();
        for u in &work.use_ {
            let file = read_gomod(&dir.join(&u.path).join("go.mod"))?;
            mains.push(MainModule {
                dir: u.path.clone(),
                file,
            });
        }
        Ok(Project::Workspace {
            dir,
            path: path.to_owned(),
            work,
            mains,
        })
    }

    /// The directory local-path replacements are relative to.
    pub fn dir(&self) -> &Path {
        match self {
            Project::Module { dir, .. } | Project::Workspace { dir, .. } => dir,
        }
    }

    /// Each main module: its directory and go.mod.
    pub fn main_modules(&self) -> Vec<(PathBuf, &modfile::File)> {
        match self {
            Project::Module { dir, file } => vec![(dir.clone(), file)],
            Project::Workspace { dir, mains, .. } => {
                mains.iter().map(|m| (dir.join(&m.dir), &m.file)).collect()
            }
        }
    }

    /// The checksum files of the project that exist: each main module's go.sum,
    /// and go.work.sum.
    pub fn sum_files(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self
            .main_modules()
            .into_iter()
            .map(|(d, _)| d.join("go.sum"))
            .collect();
        if let Project::Workspace { dir, .. } = self {
            out.push(dir.join("go.work.sum"));
        }
        out.retain(|p| p.is_file());
        out
    }
}

fn parent(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn read_gomod(path: &Path) -> Result<modfile::File, ProjectError> {
    let data = std::fs::read(path)
        .map_err(|e| ProjectError(format!("reading {}: {e}", path.display())))?;
    modfile::parse(&path.to_string_lossy(), &data, None).map_err(|e| ProjectError(e.to_string()))
}

/// The module graph of a project.
#[derive(Debug, Clone)]
pub struct Graph {
    /// The build list (`go list -m all`).
    pub build_list: BuildList,
    /// Every module version whose go.mod the selection read (the replacement's,
    /// for a replaced module), with its bytes, in `module::Sort` order: what an
    /// offline build needs of the graph.
    pub go_mods: Vec<(Version, Bytes)>,
    /// How many passes the selection took.
    pub passes: usize,
}

impl Graph {
    /// The module versions whose content the build list selects: each non-main
    /// module (its replacement when replaced by a module version; none when
    /// replaced by a directory).
    pub fn content_versions(&self) -> Vec<Version> {
        self.build_list
            .modules
            .iter()
            .filter_map(content_version)
            .collect()
    }

    /// The paths of the build list's non-main modules, in its order.
    pub fn dependency_paths(&self) -> Vec<String> {
        self.build_list
            .modules
            .iter()
            .filter(|m| !m.is_main())
            .map(|m| m.path.clone())
            .collect()
    }
}

/// The module version whose content stands for `m`: its replacement when replaced
/// by a module version, none for a main module or a directory replacement.
pub fn content_version(m: &mvs::Selected) -> Option<Version> {
    match &m.replace {
        _ if m.is_main() => None,
        Some(r) if r.version.is_empty() => None,
        Some(r) => Some(r.clone()),
        None => Some(Version::new(m.path.clone(), m.version.clone())),
    }
}

/// Why no graph could be computed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GraphError {
    /// The selection failed (a go.mod missing, unreadable, or wrong), with the
    /// requirement chain.
    #[error(transparent)]
    Mvs(#[from] mvs::MvsError),
}

/// Computes `project`'s build list, fetching the go.mod files it needs through
/// `fetcher`, at most `jobs` at a time; `on_fetch` is told of each go.mod fetch
/// (including ones a final pass turns out not to need).
pub async fn load_graph(
    project: &Project,
    fetcher: &Fetcher,
    jobs: usize,
    on_fetch: &(dyn Fn(&Version, &Result<Bytes, FetchError>) + Send + Sync),
) -> Result<Graph, GraphError> {
    let mut known: HashMap<Version, Result<Bytes, String>> = HashMap::new();
    let mut passes = 0;
    loop {
        passes += 1;
        let mut missing = HashSet::new();
        let mut used = HashSet::new();
        let result = {
            let mut src = |at: &GoModRef| -> Result<Vec<u8>, String> {
                match at {
                    GoModRef::Module(m) => {
                        used.insert(m.clone());
                        match known.get(m) {
                            Some(Ok(b)) => Ok(b.to_vec()),
                            Some(Err(e)) => Err(e.clone()),
                            None => {
                                missing.insert(m.clone());
                                let mut stand_in = b"module ".to_vec();
                                stand_in.extend(modfile::auto_quote(m.path.as_bytes()));
                                stand_in.push(b'\n');
                                Ok(stand_in)
                            }
                        }
                    }
                    GoModRef::Dir(d) => {
                        let file = project.dir().join(d).join("go.mod");
                        std::fs::read(&file).map_err(|e| format!("reading {}: {e}", file.display()))
                    }
                }
            };
            match project {
                Project::Module { file, .. } => mvs::build_list(file, &mut src),
                Project::Workspace { work, mains, .. } => {
                    mvs::build_list_workspace(work, mains, &mut src)
                }
            }
        };
        if missing.is_empty() {
            let build_list = result?;
            let mut go_mods: Vec<(Version, Bytes)> = used
                .into_iter()
                .filter_map(|m| match known.get(&m) {
                    Some(Ok(b)) => Some((m, b.clone())),
                    _ => None,
                })
                .collect();
            go_mods.sort_by(|a, b| modgate_core::module::compare(&a.0, &b.0));
            return Ok(Graph {
                build_list,
                go_mods,
                passes,
            });
        }
        let fetched: Vec<(Version, Result<Bytes, FetchError>)> =
            futures_util::stream::iter(missing)
                .map(|m| async move {
                    let r = fetcher.go_mod(&m).await;
                    (m, r)
                })
                .buffer_unordered(jobs.max(1))
                .collect()
                .await;
        for (m, r) in fetched {
            on_fetch(&m, &r);
            known.insert(m, r.map_err(|e| e.error.to_string()));
        }
    }
}
