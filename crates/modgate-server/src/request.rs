//! Turning a request path into a protocol request, before anything touches storage.
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
//! here with a short reason.

use modgate_core::{module, semver};
use modgate_storage::Key;

/// Longest request path accepted (Go's module paths are far shorter).
pub const MAX_PATH_LEN: usize = 1024;

/// What a protocol request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Module(ModuleRequest),
    Sumdb(SumdbRequest),
}

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

/// Why a request path was refused: an HTTP status and a short reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub reason: String,
}

fn bad(reason: impl Into<String>) -> Rejection {
    Rejection {
        status: 400,
        reason: reason.into(),
    }
}

fn not_found(reason: impl Into<String>) -> Rejection {
    Rejection {
        status: 404,
        reason: reason.into(),
    }
}

impl ModuleRequest {
    /// The storage key of the requested file.
    pub fn key(&self) -> Result<Key, Rejection> {
        let p = &self.escaped_path;
        let k = match &self.file {
            ModuleFile::List => format!("{p}/@v/list"),
            ModuleFile::Latest => format!("{p}/@latest"),
            ModuleFile::Info { escaped, .. } => format!("{p}/@v/{escaped}.info"),
            ModuleFile::Mod { escaped, .. } => format!("{p}/@v/{escaped}.mod"),
            ModuleFile::Zip { escaped, .. } => format!("{p}/@v/{escaped}.zip"),
        };
        Key::new(k).map_err(|e| bad(format!("unsupported name: {}", e.reason)))
    }

    /// The upstream path (same as the key: the proxy URL space is the cache layout).
    pub fn upstream_path(&self) -> Result<String, Rejection> {
        self.key().map(|k| k.as_str().to_owned())
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

    /// A short label for logs and metrics.
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

/// Parses a request path (the raw URI path, still percent-encoded).
pub fn parse(raw_path: &str) -> Result<Request, Rejection> {
    if raw_path.len() > MAX_PATH_LEN {
        return Err(bad("path too long"));
    }
    let decoded = percent_encoding::percent_decode_str(raw_path)
        .decode_utf8()
        .map_err(|_| bad("path is not valid UTF-8"))?;
    let path = decoded
        .strip_prefix('/')
        .ok_or_else(|| bad("path must start with /"))?;
    if let Some(rest) = path.strip_prefix("sumdb/") {
        return parse_sumdb(rest).map(Request::Sumdb);
    }
    parse_module(path).map(Request::Module)
}

fn parse_module(path: &str) -> Result<ModuleRequest, Rejection> {
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
            let escaped = module::escape_version(&version).map_err(|e| bad(e.to_string()))?;
            let canonical = is_canonical(&version);
            if canonical {
                // Go's module.Check: e.g. v2.0.0 is not a version of a path without /v2.
                module::check(&mod_path, &version).map_err(|e| not_found(e.to_string()))?;
            }
            match ext {
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
                _ => ModuleFile::Zip { version, escaped },
            }
        }
    };
    Ok(ModuleRequest {
        path: mod_path,
        escaped_path,
        file,
    })
}

/// Go's `module.CanonicalVersion(v) == v` for a semver version.
pub fn is_canonical(v: &str) -> bool {
    semver::is_valid(v) && module::canonical_version(v) == v
}

fn parse_sumdb(rest: &str) -> Result<SumdbRequest, Rejection> {
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

#[cfg(test)]
mod tests;
