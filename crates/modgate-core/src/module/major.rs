//! Major-version suffixes of module paths (`/v2`, gopkg.in's `.v1`) and their
//! agreement with versions: `SplitPathVersion`, `CheckPathMajor`,
//! `MatchPathMajor`, `PathMajorPrefix` and `CanonicalVersion` of
//! `golang.org/x/mod/module` (module.go).

use super::error::{Error, InvalidVersionError};
use crate::semver;

/// Go's `module.SplitPathVersion`: splits `path` into `(prefix, path_major)`
/// with `prefix + path_major == path`, where `path_major` is `""`, `/vN` for
/// N ≥ 2, or for `gopkg.in/` paths `.vN` (any N, including `.v0`, optionally
/// followed by `-unstable`).
///
/// Returns `None` (Go's `ok == false`) when the last element looks like a
/// major suffix but is not a valid one (`/v1`, `/v0`, `/v2.0`, `/v02`), and for
/// gopkg.in paths without a `.vN` suffix.
pub fn split_path_version(path: &str) -> Option<(&str, &str)> {
    if path.starts_with("gopkg.in/") {
        return split_gopkg_in(path);
    }
    let b = path.as_bytes();
    // Walk back over the trailing run of digits and dots.
    let mut i = b.len();
    let mut dot = false;
    while i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.') {
        dot |= b[i - 1] == b'.';
        i -= 1;
    }
    if i <= 1 || i == b.len() || b[i - 1] != b'v' || b[i - 2] != b'/' {
        return Some((path, ""));
    }
    let (prefix, major) = path.split_at(i - 2);
    if dot || major.len() <= 2 || major.as_bytes()[2] == b'0' || major == "/v1" {
        return None;
    }
    Some((prefix, major))
}

/// `split_path_version` for `gopkg.in/` paths, which must end in `.vN[-unstable]`.
fn split_gopkg_in(path: &str) -> Option<(&str, &str)> {
    let b = path.as_bytes();
    let mut i = b.len();
    if path.ends_with("-unstable") {
        i -= "-unstable".len();
    }
    while i > 0 && b[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i <= 1 || b[i - 1] != b'v' || b[i - 2] != b'.' {
        return None;
    }
    let (prefix, major) = path.split_at(i - 2);
    if major.len() <= 2 || (major.as_bytes()[2] == b'0' && major != ".v0") {
        return None;
    }
    Some((prefix, major))
}

/// Go's `module.CheckPathMajor`: whether version `v` fits the path suffix
/// `path_major` (as returned by [`split_path_version`]).
///
/// With no suffix, `v0`, `v1` and `+incompatible` versions fit; `/vN` and
/// `.vN` need major version `vN` (`-unstable` is ignored). `.v1` also accepts
/// `v0.0.0-` pseudo-versions, which old go commands generated for gopkg.in.
pub fn check_path_major(v: &str, path_major: &str) -> Result<(), Error> {
    let mut path_major = path_major;
    if path_major.starts_with(".v") {
        path_major = path_major.strip_suffix("-unstable").unwrap_or(path_major);
    }
    if v.starts_with("v0.0.0-") && path_major == ".v1" {
        return Ok(());
    }
    let m = semver::major(v);
    let want = if path_major.is_empty() {
        if m == "v0" || m == "v1" || semver::build(v) == "+incompatible" {
            return Ok(());
        }
        "v0 or v1"
    } else if let Some(suffix) = path_major.strip_prefix(['/', '.']) {
        if m == suffix {
            return Ok(());
        }
        suffix
    } else {
        path_major
    };
    Err(Error::InvalidVersion(InvalidVersionError {
        version: v.to_owned(),
        pseudo: false,
        reason: format!("should be {want}, not {m}"),
    }))
}

/// Go's `module.MatchPathMajor`: `check_path_major(v, path_major).is_ok()`.
pub fn match_path_major(v: &str, path_major: &str) -> bool {
    check_path_major(v, path_major).is_ok()
}

/// Go's `module.PathMajorPrefix`: the major-version tag prefix a path suffix
/// implies (`/v2` → `v2`, `.v1-unstable` → `v1`, `""` → `""`, meaning v0 or v1).
///
/// Returns `None` where Go panics: a suffix without its `/` or `.` separator,
/// or one that is not a valid major version.
pub fn path_major_prefix(path_major: &str) -> Option<&str> {
    if path_major.is_empty() {
        return Some("");
    }
    let mut pm = path_major;
    if pm.starts_with(".v") {
        pm = pm.strip_suffix("-unstable").unwrap_or(pm);
    }
    let m = pm.strip_prefix(['/', '.'])?;
    (semver::major(m) == m).then_some(m)
}

/// Go's `module.CanonicalVersion`: [`semver::canonical`], except that a
/// `+incompatible` build suffix is kept.
pub fn canonical_version(v: &str) -> String {
    let mut cv = semver::canonical(v);
    if semver::build(v) == "+incompatible" {
        cv.push_str("+incompatible");
    }
    cv
}
