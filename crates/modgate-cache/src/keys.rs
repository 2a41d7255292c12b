//! The storage key layout, in one place. It is the go command's download cache
//! (`$GOMODCACHE/cache/download`, `cmd/go/internal/modfetch/cache.go`), which is also
//! the GOPROXY URL space, so a disk store is itself a valid `file://` GOPROXY and a
//! module cache can be copied in to seed it:
//!
//! ```text
//! <escaped module path>/@v/list
//! <escaped module path>/@v/<escaped version>.info | .mod | .zip
//! <escaped module path>/@v/<escaped version>.ziphash | .modhash
//! <escaped module path>/@latest
//! sumdb/<database name>/latest | lookup/<path>@<version> | tile/<H>/<L>/<NNN>[.p/<W>]
//! sumdb/<database name>/modgate-trusted-tree
//! vuln/index/<db|modules|vulns>.json[.gz] | vuln/ID/<id>.json[.gz]
//! ```
//!
//! `sumdb/` and `vuln/` cannot collide with a module: a module path's first element
//! must contain a dot.

use modgate_core::module;
use modgate_storage::{InvalidKey, Key};

use crate::request::{ModuleFile, ModuleRequest};

/// The key of a module file.
pub fn module_file(req: &ModuleRequest) -> Result<Key, InvalidKey> {
    let p = &req.escaped_path;
    Key::new(match &req.file {
        ModuleFile::List => format!("{p}/@v/list"),
        ModuleFile::Latest => format!("{p}/@latest"),
        ModuleFile::Info { escaped, .. } => format!("{p}/@v/{escaped}.info"),
        ModuleFile::Mod { escaped, .. } => format!("{p}/@v/{escaped}.mod"),
        ModuleFile::Zip { escaped, .. } => format!("{p}/@v/{escaped}.zip"),
    })
}

/// Where the `h1:` hash of a verified `.zip` or `.mod` is recorded, beside it:
/// `.ziphash` as in the go command's module cache, `.modhash` likewise for `.mod`.
/// `None` for any other key.
pub fn recorded_hash(key: &Key) -> Option<Key> {
    let s = key.as_str();
    let stem = s
        .strip_suffix(".zip")
        .map(|b| (b, "ziphash"))
        .or_else(|| s.strip_suffix(".mod").map(|b| (b, "modhash")))?;
    if !stem.0.contains("/@v/") {
        return None;
    }
    Key::new(format!("{}.{}", stem.0, stem.1)).ok()
}

/// Whether `key` names content that never changes once stored: a canonical
/// version's `.info`, `.mod`, `.zip` and their recorded hashes, checksum-database
/// lookups and tiles. Only such a key may be copied from one store to another as it
/// is (a copied list or `@latest` would look freshly confirmed).
pub fn is_immutable(key: &Key) -> bool {
    let s = key.as_str();
    if let Some(rest) = s.strip_prefix("sumdb/") {
        return rest.contains("/lookup/") || rest.contains("/tile/");
    }
    let Some((_, file)) = s.rsplit_once("/@v/") else {
        return false;
    };
    let Some((escaped, ext)) = file.rsplit_once('.') else {
        return false;
    };
    matches!(ext, "info" | "mod" | "zip" | "ziphash" | "modhash")
        && module::unescape_version(escaped).is_ok_and(|v| crate::request::is_canonical(&v))
}

/// The directory of a module's version files (`<escaped path>/@v`).
pub fn version_dir(escaped_path: &str) -> Result<Key, InvalidKey> {
    Key::new(format!("{escaped_path}/@v"))
}

/// The `.info` of `version` (a decoded version) of the module at `escaped_path`.
pub fn info(escaped_path: &str, version: &str) -> Option<Key> {
    let ev = module::escape_version(version).ok()?;
    Key::new(format!("{escaped_path}/@v/{ev}.info")).ok()
}

/// The version whose `.info` `key` is, if `key` is one in `dir` (see [`version_dir`]).
pub fn info_version<'k>(dir: &str, key: &'k Key) -> Option<&'k str> {
    let file = key.as_str().strip_prefix(dir)?.strip_prefix('/')?;
    if file.contains('/') {
        return None;
    }
    file.strip_suffix(".info")
}

/// A checksum-database file: `rest` is `latest`, `lookup/…` or `tile/…`.
pub fn sumdb_file(db: &str, rest: &str) -> Result<Key, InvalidKey> {
    Key::new(format!("sumdb/{db}/{rest}"))
}

/// Where the newest verified tree note of database `db` is kept, so consistency is
/// checked across restarts as the go command does with `$GOPATH/pkg/sumdb`.
pub fn trusted_tree(db: &str) -> Result<Key, InvalidKey> {
    Key::new(format!("sumdb/{db}/modgate-trusted-tree"))
}

/// A vulnerability-database file: `rest` is its path in the database
/// (`index/modules.json.gz`, `ID/GO-2023-0001.json`).
pub fn vuln_file(rest: &str) -> Result<Key, InvalidKey> {
    Key::new(format!("vuln/{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_keys_are_case_encoded_protocol_paths() {
        let req = crate::request::parse_module("github.com/!azure/a/@v/v1.0.0-!r!c1.zip").unwrap();
        assert_eq!(
            module_file(&req).unwrap().as_str(),
            "github.com/!azure/a/@v/v1.0.0-!r!c1.zip"
        );
        let dir = version_dir(&req.escaped_path).unwrap();
        let k = info(&req.escaped_path, "v1.0.0-RC1").unwrap();
        assert_eq!(k.as_str(), "github.com/!azure/a/@v/v1.0.0-!r!c1.info");
        assert_eq!(info_version(dir.as_str(), &k), Some("v1.0.0-!r!c1"));
        assert_eq!(
            info_version(dir.as_str(), &module_file(&req).unwrap()),
            None
        );
        assert_eq!(
            trusted_tree("sum.golang.org").unwrap().as_str(),
            "sumdb/sum.golang.org/modgate-trusted-tree"
        );
        assert_eq!(
            sumdb_file("sum.golang.org", "tile/8/0/001")
                .unwrap()
                .as_str(),
            "sumdb/sum.golang.org/tile/8/0/001"
        );
        assert_eq!(
            vuln_file("ID/GO-2023-0001.json.gz").unwrap().as_str(),
            "vuln/ID/GO-2023-0001.json.gz"
        );
    }

    #[test]
    fn immutable_keys_and_recorded_hashes() {
        let k = |s: &str| Key::new(s).unwrap();
        for s in [
            "ex.com/m/@v/v1.0.0.zip",
            "ex.com/m/@v/v1.0.0.mod",
            "ex.com/m/@v/v1.0.0-!r!c1.info",
            "ex.com/m/@v/v1.0.0.ziphash",
            "sumdb/sum.golang.org/tile/8/0/001",
            "sumdb/sum.golang.org/lookup/ex.com/m@v1.0.0",
        ] {
            assert!(is_immutable(&k(s)), "{s}");
        }
        for s in [
            "ex.com/m/@v/list",
            "ex.com/m/@latest",
            "ex.com/m/@v/master.info",
            "sumdb/sum.golang.org/latest",
            "sumdb/sum.golang.org/modgate-trusted-tree",
            "vuln/index/db.json",
        ] {
            assert!(!is_immutable(&k(s)), "{s}");
        }
        assert_eq!(
            recorded_hash(&k("ex.com/m/@v/v1.0.0.zip"))
                .unwrap()
                .as_str(),
            "ex.com/m/@v/v1.0.0.ziphash"
        );
        assert_eq!(
            recorded_hash(&k("ex.com/m/@v/v1.0.0.mod"))
                .unwrap()
                .as_str(),
            "ex.com/m/@v/v1.0.0.modhash"
        );
        assert!(recorded_hash(&k("ex.com/m/@v/v1.0.0.info")).is_none());
    }

    /// `sumdb/…` and `vuln/…` are outside the module paths' namespace.
    #[test]
    fn fixed_prefixes_are_not_module_paths() {
        for p in ["vuln", "vuln/index/modules.json", "sumdb/sum.golang.org"] {
            let err = modgate_core::module::check_path(p).unwrap_err();
            assert!(
                err.to_string()
                    .contains("missing dot in first path element"),
                "{p}: {err}"
            );
        }
    }
}
