//! Answers computed from storage alone: `@v/list` and `@latest` in offline mode (and
//! for `Disable-Module-Fetch: true`), which Athens cannot do.
//!
//! A version is present when its `.info` file is stored. The list holds the tagged
//! versions (pseudo-versions are left out, as the go command drops them from lists),
//! in semver order. `@latest` follows the go command's preference (`modload/query.go`,
//! `proxy.go` `latest`): the highest release, else the highest pre-release, else the
//! most recent pseudo-version (by its timestamp). Compatible versions are preferred over
//! `+incompatible` ones of the same class.

use modgate_core::{module, semver};
use modgate_storage::Key;

use crate::keys;
use crate::request::is_canonical;

/// The canonical versions whose `.info` is among `keys` (keys under `<esc>/@v`).
pub fn versions(escaped_path: &str, found: &[Key]) -> Vec<String> {
    let Ok(dir) = keys::version_dir(escaped_path) else {
        return Vec::new();
    };
    let mut out: Vec<String> = found
        .iter()
        .filter_map(|k| keys::info_version(dir.as_str(), k))
        .filter_map(|v| module::unescape_version(v).ok())
        .filter(|v| is_canonical(v))
        .collect();
    semver::sort(&mut out);
    out.dedup();
    out
}

/// The `@v/list` body: tagged versions, one per line.
pub fn list_body(versions: &[String]) -> String {
    versions
        .iter()
        .filter(|v| !module::is_pseudo_version(v))
        .map(|v| format!("{v}\n"))
        .collect()
}

/// The version `@latest` resolves to.
pub fn latest(versions: &[String]) -> Option<String> {
    let pick = |incompatible: bool, release: bool| {
        versions
            .iter()
            .filter(|v| !module::is_pseudo_version(v))
            .filter(|v| v.ends_with("+incompatible") == incompatible)
            .filter(|v| semver::prerelease(v).is_empty() == release)
            .max_by(|a, b| semver::compare(a, b))
            .cloned()
    };
    pick(false, true)
        .or_else(|| pick(true, true))
        .or_else(|| pick(false, false))
        .or_else(|| pick(true, false))
        .or_else(|| {
            versions
                .iter()
                .filter(|v| module::is_pseudo_version(v))
                .max_by_key(|v| {
                    let t = module::pseudo_version_time(v)
                        .map(|t| t.to_string())
                        .unwrap_or_default();
                    (t, (*v).clone())
                })
                .cloned()
        })
}

#[cfg(test)]
mod tests;
