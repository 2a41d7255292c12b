//! What can be asked of the cache: module files and checksum-database files, parsed
//! from their protocol paths before anything touches storage.
//!
//! The GOPROXY URL space (`cmd/go/internal/modfetch/proxy.go`, the Go Modules
//! Reference "GOPROXY protocol"):
//!
//! ```text
//! /<escaped path>/@v/list
//! /<escaped path>/@v/<escaped version>.info | .mod | .zip
//! /<escaped path>/@latest
//! /sumdb/<name>/supported | latest | lookup/<path>@<version> | tile/<H>/<L>/<N>[.p/<W>]
//! ```
//!
//! Paths and versions are case-encoded; they are decoded with the core's
//! `unescape_path`/`unescape_version` (Go's `UnescapePath`/`UnescapeVersion`) and
//! re-encoded, so one module file has exactly one storage key. `.mod` and `.zip` are
//! only served for canonical versions (the go command never asks for others), and a
//! canonical version must pass `module.Check` for the path. Anything else is rejected
//! here with a short reason ([`RequestError`]). Percent-decoding a URL is the HTTP
//! server's business; these parsers take decoded text.

use modgate_core::{module, semver};
use modgate_storage::Key;

use crate::keys;

/// A module file request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRequest {
    /// Decoded module path.
    pub path: String,
    /// Case-encoded module path (the canonical encoding).
    pub escaped_path: String,
    pub file: ModuleFile,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleFile {
    List,
    Latest,
    /// `.info` for a canonical version (immutable) or for a query such as a branch
    /// name (`canonical == false`, resolved by the upstream).
    Info {
        version: String,
        escaped: String,
        canonical: bool,
    },
    Mod {
        version: String,
        escaped: String,
    },
    Zip {
        version: String,
        escaped: String,
    },
}

/// A checksum-database request for database `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumdbRequest {
    pub name: String,
    pub file: SumdbFile,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SumdbFile {
    Supported,
    Latest,
    /// `lookup/<escaped path>@<escaped version>`; `path` is decoded.
    Lookup {
        path: String,
        rest: String,
    },
    /// `tile/...`; `rest` is the validated path after `tile/`.
    Tile {
        rest: String,
    },
}

/// Why a protocol path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Malformed: not a valid path, version or name.
    #[error("{0}")]
    Invalid(String),
    /// Well-formed but names nothing the protocol serves (an unknown file, a version
    /// that cannot belong to the path).
    #[error("{0}")]
    NotFound(String),
}

fn bad(reason: impl Into<String>) -> RequestError {
    RequestError::Invalid(reason.into())
}

fn not_found(reason: impl Into<String>) -> RequestError {
    RequestError::NotFound(reason.into())
}

impl ModuleRequest {
    /// A request for `file` of module `path` (a decoded module path).
    pub fn new(path: &str, file: ModuleFile) -> Result<ModuleRequest, RequestError> {
        let escaped_path = module::escape_path(path).map_err(|e| bad(e.to_string()))?;
        Ok(ModuleRequest {
            path: path.to_owned(),
            escaped_path,
            file,
        })
    }

    /// The storage key of the requested file (which is also its path on every
    /// upstream: the proxy URL space is the cache layout).
    pub fn key(&self) -> Result<Key, RequestError> {
        keys::module_file(self).map_err(|e| bad(format!("unsupported name: {}", e.reason)))
    }

    /// Whether the file never changes once it exists (canonical `.info`/`.mod`/`.zip`).
    pub fn immutable(&self) -> bool {
        match &self.file {
            ModuleFile::List | ModuleFile::Latest => false,
            ModuleFile::Info { canonical, .. } => *canonical,
            ModuleFile::Mod { .. } | ModuleFile::Zip { .. } => true,
        }
    }

    /// The version asked for, if any.
    pub fn version(&self) -> Option<&str> {
        match &self.file {
            ModuleFile::List | ModuleFile::Latest => None,
            ModuleFile::Info { version, .. }
            | ModuleFile::Mod { version, .. }
            | ModuleFile::Zip { version, .. } => Some(version),
        }
    }

    /// A short label for logs and metrics: `list`, `latest`, `info`, `query`, `mod`, `zip`.
    pub fn endpoint(&self) -> &'static str {
        match &self.file {
            ModuleFile::List => "list",
            ModuleFile::Latest => "latest",
            ModuleFile::Info {
                canonical: true, ..
            } => "info",
            ModuleFile::Info { .. } => "query",
            ModuleFile::Mod { .. } => "mod",
            ModuleFile::Zip { .. } => "zip",
        }
    }
}

impl ModuleFile {
    /// `.info`, `.mod` or `.zip` (`ext`) of `version`, checked as a request path would
    /// be (`list`/`@latest` have their own variants).
    pub fn for_version(path: &str, version: &str, ext: &str) -> Result<ModuleFile, RequestError> {
        version_file(path, version, ext)
    }
}

/// Parses a decoded module protocol path (`<escaped module>/@v/<file>` or
/// `<escaped module>/@latest`, without the leading `/`).
pub fn parse_module(path: &str) -> Result<ModuleRequest, RequestError> {
    let (escaped_mod, file) = if let Some(m) = path.strip_suffix("/@latest") {
        (m, None)
    } else if let Some((m, f)) = path.split_once("/@v/") {
        (m, Some(f))
    } else {
        return Err(not_found(
            "not a module proxy path (want <module>/@v/... or <module>/@latest)",
        ));
    };
    let mod_path = module::unescape_path(escaped_mod).map_err(|e| bad(e.to_string()))?;
    let escaped_path = module::escape_path(&mod_path).map_err(|e| bad(e.to_string()))?;
    let file = match file {
        None => ModuleFile::Latest,
        Some("list") => ModuleFile::List,
        Some(f) => {
            let (ver_esc, ext) = f
                .rsplit_once('.')
                .ok_or_else(|| not_found(format!("unknown file {f:?}")))?;
            if !matches!(ext, "info" | "mod" | "zip") {
                return Err(not_found(format!("unknown file {f:?}")));
            }
            let version = module::unescape_version(ver_esc).map_err(|e| bad(e.to_string()))?;
            version_file(&mod_path, &version, ext)?
        }
    };
    Ok(ModuleRequest {
        path: mod_path,
        escaped_path,
        file,
    })
}

fn version_file(path: &str, version: &str, ext: &str) -> Result<ModuleFile, RequestError> {
    let escaped = module::escape_version(version).map_err(|e| bad(e.to_string()))?;
    let version = version.to_owned();
    let canonical = is_canonical(&version);
    if canonical {
        // Go's module.Check: e.g. v2.0.0 is not a version of a path without /v2.
        module::check(path, &version).map_err(|e| not_found(e.to_string()))?;
    }
    Ok(match ext {
        "info" => ModuleFile::Info {
            version,
            escaped,
            canonical,
        },
        _ if !canonical => {
            return Err(bad(format!(
                "version {version:?} is not canonical: .{ext} is served only for canonical versions"
            )));
        }
        "mod" => ModuleFile::Mod { version, escaped },
        "zip" => ModuleFile::Zip { version, escaped },
        _ => return Err(not_found(format!("unknown file extension {ext:?}"))),
    })
}

/// Go's `module.CanonicalVersion(v) == v` for a semver version.
pub fn is_canonical(v: &str) -> bool {
    semver::is_valid(v) && module::canonical_version(v) == v
}

/// Parses a decoded checksum-database path after `sumdb/` (`<name>/latest`, ...).
pub fn parse_sumdb(rest: &str) -> Result<SumdbRequest, RequestError> {
    // The database name is host[/path]; the endpoint is found after it.
    let split = ["/supported", "/latest", "/lookup/", "/tile/"]
        .iter()
        .filter_map(|m| rest.find(m).map(|i| (i, *m)))
        .min_by_key(|&(i, _)| i);
    let Some((i, marker)) = split else {
        return Err(not_found("unknown checksum database endpoint"));
    };
    let name = &rest[..i];
    let tail = &rest[i + marker.len()..];
    if name.is_empty() || name.split('/').any(|e| e.is_empty() || e.starts_with('.')) {
        return Err(bad("invalid checksum database name"));
    }
    let file = match marker {
        "/supported" if tail.is_empty() => SumdbFile::Supported,
        "/latest" if tail.is_empty() => SumdbFile::Latest,
        "/lookup/" => {
            let (p, v) = tail
                .split_once('@')
                .ok_or_else(|| bad("lookup wants <module>@<version>"))?;
            let path = module::unescape_path(p).map_err(|e| bad(e.to_string()))?;
            let version = module::unescape_version(v).map_err(|e| bad(e.to_string()))?;
            if !semver::is_valid(&version) || version.contains('@') {
                return Err(bad(format!("invalid version {version:?}")));
            }
            SumdbFile::Lookup {
                path,
                rest: tail.to_owned(),
            }
        }
        "/tile/" if valid_tile(tail) => SumdbFile::Tile {
            rest: tail.to_owned(),
        },
        "/tile/" => return Err(bad("malformed tile path")),
        _ => return Err(not_found("unknown checksum database endpoint")),
    };
    Ok(SumdbRequest {
        name: name.to_owned(),
        file,
    })
}

/// `<H>/<L|data>/(x<NNN>/)*<NNN>[.p/<W>]` (`tlog.ParseTilePath`'s shape): H in 1..=30,
/// L a small number, W in 1..2^H.
fn valid_tile(s: &str) -> bool {
    let mut parts: Vec<&str> = s.split('/').collect();
    if parts.len() < 3 {
        return false;
    }
    let small = |x: &str| !x.is_empty() && x.len() <= 2 && x.bytes().all(|b| b.is_ascii_digit());
    let Some(h) = parts
        .first()
        .filter(|h| small(h))
        .and_then(|h| h.parse::<u32>().ok())
    else {
        return false;
    };
    if !(1..=30).contains(&h) || !(parts[1] == "data" || small(parts[1])) {
        return false;
    }
    // Optional ".p/<W>" suffix.
    let last = parts.len() - 1;
    if parts[last - 1].ends_with(".p") {
        let Ok(w) = parts[last].parse::<u64>() else {
            return false;
        };
        if w == 0 || w >= (1u64 << h) || parts[last].starts_with('0') {
            return false;
        }
        parts.pop();
        let n = parts.len() - 1;
        parts[n] = parts[n].trim_end_matches(".p");
    }
    let groups = &parts[2..];
    let three = |g: &str| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit());
    let Some((last, init)) = groups.split_last() else {
        return false;
    };
    three(last) && init.iter().all(|g| g.strip_prefix('x').is_some_and(three))
}
