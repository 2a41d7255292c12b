//! The storage key layout, in one place. It is the go command's download cache
//! (`$GOMODCACHE/cache/download`, `cmd/go/internal/modfetch/cache.go`), which is also
//! the GOPROXY URL space, so a disk store is itself a valid `file://` GOPROXY and a
//! module cache can be copied in to seed it:
//!
//! ```text
//! <escaped module path>/@v/list
//! <escaped module path>/@v/<escaped version>.info | .mod | .zip
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
