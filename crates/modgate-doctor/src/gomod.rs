//! The parts of a module's go.mod and go.sum that decide what `go` will
//! download: the `require` lines, `replace` lines (a replacement by a local
//! directory downloads nothing; one by another module downloads that module
//! instead) and which `path version` pairs go.sum already holds (those are
//! not looked up in the checksum database again). Both files are read with the
//! core's parsers ([`modgate_core::modfile`], [`modgate_core::gosum`]).

use std::path::{Path, PathBuf};

use modgate_core::gosum::{self, GoSum};
use modgate_core::modfile::{self, FixError};
use modgate_core::module::canonical_version;

/// A required module after replacements: what `go` will actually fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub path: String,
    pub version: String,
    /// The `require` path when a replace directive substituted another module.
    pub replaces: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoMod {
    pub dir: PathBuf,
    pub module: String,
    /// Modules `go` downloads (local-directory replacements removed).
    pub requires: Vec<Requirement>,
    /// go.sum's hashes.
    pub sums: GoSum,
    /// vendor/modules.txt exists (builds with -mod=vendor download nothing).
    pub vendored: bool,
}

impl GoMod {
    pub fn read(dir: &Path) -> Result<GoMod, String> {
        let gomod = dir.join("go.mod");
        let data =
            std::fs::read(&gomod).map_err(|e| format!("reading {}: {e}", gomod.display()))?;
        let mut m = parse(&gomod.display().to_string(), &data)?;
        m.dir = dir.to_path_buf();
        if let Ok(sum) = std::fs::read(dir.join("go.sum")) {
            m.sums = parse_sum(&sum);
        }
        m.vendored = dir.join("vendor").join("modules.txt").is_file();
        Ok(m)
    }

    /// Whether go.sum already has the module's zip hash.
    pub fn has_sum(&self, path: &str, version: &str) -> bool {
        self.sums
            .hashes(path, version)
            .iter()
            .any(|h| h.starts_with("h1:"))
    }
}

/// Parses go.mod as the go command parses the main module's (strictly). Go
/// resolves a version that is not canonical (a branch name, say) over the
/// network while parsing; the doctor names it instead.
pub fn parse(file: &str, data: &[u8]) -> Result<GoMod, String> {
    let canonical = |_: &str, v: &str| -> Result<String, FixError> {
        match canonical_version(v) {
            cv if cv.is_empty() => Err(FixError::Module(format!(
                "version {v:?} is a query that go resolves through GOPROXY; pin it with `go get path@{v}`"
            ))),
            cv => Ok(cv),
        }
    };
    let f = modfile::parse(file, data, Some(&canonical))
        .map_err(|e| e.to_string().replace('\n', "; "))?;
    let mut m = GoMod {
        module: f.module.map(|m| m.path).unwrap_or_default(),
        ..GoMod::default()
    };
    for r in f.require {
        let (path, version) = (r.module.path, r.module.version);
        // A versioned replace wins over an unversioned one (modload).
        let rep = f
            .replace
            .iter()
            .find(|r| r.old.path == path && r.old.version == version)
            .or_else(|| {
                f.replace
                    .iter()
                    .find(|r| r.old.path == path && r.old.version.is_empty())
            });
        match rep {
            None => m.requires.push(Requirement {
                path,
                version,
                replaces: None,
            }),
            // A directory replacement: nothing is downloaded.
            Some(r) if r.new.version.is_empty() => {}
            Some(r) => m.requires.push(Requirement {
                path: r.new.path.clone(),
                version: r.new.version.clone(),
                replaces: Some(path),
            }),
        }
    }
    Ok(m)
}

/// Reads go.sum laxly (as `go mod tidy` does, dropping malformed lines): the
/// doctor only asks which hashes it holds; a malformed file is go's to report.
pub fn parse_sum(data: &[u8]) -> GoSum {
    gosum::parse("go.sum", data, gosum::ParseMode::Tidy).unwrap_or_default()
}

#[cfg(test)]
mod tests;
