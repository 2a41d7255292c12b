//! Module, import and file path validity: `CheckPath`, `CheckImportPath`,
//! `CheckFilePath` of `golang.org/x/mod/module` (module.go).
//!
//! All three share one element-by-element checker parameterised by
//! [`PathKind`]; the kinds differ in the characters they allow, whether an
//! element may start with a dot, and whether Windows short names (`~1`) are
//! rejected. Module paths add rules for the first element (a lower-case
//! domain name) and for the major-version suffix. Go reports only the first
//! problem found, so the checks run in Go's order.
//!
//! Go strings may hold invalid UTF-8, which Go rejects with "invalid UTF-8";
//! the `*_bytes` variants accept raw bytes to reproduce that (zip entry
//! names, for instance, are bytes).

use super::error::{Error, InvalidPathError, PathKind};
use super::major::split_path_version;
use crate::quote::{quote, quote_rune};
use crate::unicode::is_letter;

/// The Windows reserved device names; an element whose part before the first
/// dot equals one of these (ignoring case) is rejected for every kind.
const BAD_WINDOWS_NAMES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Go's `module.CheckPath`: whether `path` is a valid module path.
///
/// On top of the import-path rules, the first element must be a lower-case
/// domain-like name containing a dot, no element may start with a dot, and a
/// final `/vN` (or gopkg.in `.vN`) must be a valid major-version suffix.
pub fn check_path(path: &str) -> Result<(), Error> {
    check_module_path(path).map_err(|reason| invalid(PathKind::Module, path.as_bytes(), reason))
}

/// [`check_path`] for a path given as bytes, which may not be UTF-8.
pub fn check_path_bytes(path: &[u8]) -> Result<(), Error> {
    match std::str::from_utf8(path) {
        Ok(p) => check_path(p),
        Err(_) => Err(invalid(PathKind::Module, path, "invalid UTF-8".into())),
    }
}

/// Go's `module.CheckImportPath`: slash-separated elements of ASCII letters,
/// digits and `- . _ ~ +`, with no empty, all-dot or dot-terminated element,
/// no Windows reserved names, no `~digits` short-name suffixes and no leading dash.
pub fn check_import_path(path: &str) -> Result<(), Error> {
    check_general(path, PathKind::Import)
        .map_err(|reason| invalid(PathKind::Import, path.as_bytes(), reason))
}

/// [`check_import_path`] for a path given as bytes, which may not be UTF-8.
pub fn check_import_path_bytes(path: &[u8]) -> Result<(), Error> {
    match std::str::from_utf8(path) {
        Ok(p) => check_import_path(p),
        Err(_) => Err(invalid(PathKind::Import, path, "invalid UTF-8".into())),
    }
}

/// Go's `module.CheckFilePath`: like an import path, but elements may also
/// hold Unicode letters, spaces and ``!#$%&()+,-.=@[]^_{}~``, may start with a
/// dot or a dash, and may end in `~digits`.
pub fn check_file_path(path: &str) -> Result<(), Error> {
    check_general(path, PathKind::File)
        .map_err(|reason| invalid(PathKind::File, path.as_bytes(), reason))
}

/// [`check_file_path`] for a path given as bytes, which may not be UTF-8.
pub fn check_file_path_bytes(path: &[u8]) -> Result<(), Error> {
    match std::str::from_utf8(path) {
        Ok(p) => check_file_path(p),
        Err(_) => Err(invalid(PathKind::File, path, "invalid UTF-8".into())),
    }
}

fn invalid(kind: PathKind, path: &[u8], reason: String) -> Error {
    Error::InvalidPath(InvalidPathError {
        kind,
        path: path.to_vec(),
        reason,
    })
}

/// The module-path rules; returns Go's reason text on failure.
fn check_module_path(path: &str) -> Result<(), String> {
    check_general(path, PathKind::Module)?;
    let first = path.split('/').next().unwrap_or("");
    if first.is_empty() {
        return Err("leading slash".into());
    }
    if !first.contains('.') {
        return Err("missing dot in first path element".into());
    }
    if path.starts_with('-') {
        return Err("leading dash in first path element".into());
    }
    if let Some(c) = first
        .chars()
        .find(|&c| !(c == '-' || c == '.' || c.is_ascii_digit() || c.is_ascii_lowercase()))
    {
        return Err(format!(
            "invalid char {} in first path element",
            quote_rune(c)
        ));
    }
    if split_path_version(path).is_none() {
        return Err("invalid version".into());
    }
    Ok(())
}

/// The rules shared by all path kinds (Go's `checkPath`).
fn check_general(path: &str, kind: PathKind) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty string".into());
    }
    if path.starts_with('-') && kind != PathKind::File {
        return Err("leading dash".into());
    }
    if path.contains("//") {
        return Err("double slash".into());
    }
    if path.ends_with('/') {
        return Err("trailing slash".into());
    }
    path.split('/').try_for_each(|elem| check_elem(elem, kind))
}

/// Go's `checkElem`: the rules for one path element. Also used for versions
/// in escaped form, which must be valid file-path elements.
pub(super) fn check_elem(elem: &str, kind: PathKind) -> Result<(), String> {
    if elem.is_empty() {
        return Err("empty path element".into());
    }
    if elem.bytes().all(|b| b == b'.') {
        return Err(format!("invalid path element {}", quote(elem)));
    }
    if elem.starts_with('.') && kind == PathKind::Module {
        return Err("leading dot in path element".into());
    }
    if elem.ends_with('.') {
        return Err("trailing dot in path element".into());
    }
    if let Some(c) = elem.chars().find(|&c| !char_ok(c, kind)) {
        return Err(format!("invalid char {}", quote_rune(c)));
    }
    // Windows reserves device names even with an extension ("aux.go").
    let short = elem.split('.').next().unwrap_or(elem);
    if BAD_WINDOWS_NAMES
        .iter()
        .any(|bad| bad.eq_ignore_ascii_case(short))
    {
        return Err(format!(
            "{} disallowed as path element component on Windows",
            quote(short)
        ));
    }
    if kind == PathKind::File {
        // Short names only matter for import paths, which become directories.
        return Ok(());
    }
    // Reject what looks like a Windows 8.3 short name: "~" then digits.
    if let Some(tilde) = short.rfind('~') {
        let suffix = &short[tilde + 1..];
        if !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()) {
            return Err("trailing tilde and digits in path element".into());
        }
    }
    Ok(())
}

/// Whether `c` may appear in a path element of the given kind.
fn char_ok(c: char, kind: PathKind) -> bool {
    let module_ok = c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
    match kind {
        PathKind::Module => module_ok,
        PathKind::Import => module_ok || c == '+',
        PathKind::File => {
            if c.is_ascii() {
                // All ASCII punctuation except the shell-special " ' * < > ? ` |
                // and the separators / : \ (the ASCII space is allowed).
                c.is_ascii_alphanumeric() || "!#$%&()+,-.=@[]^_{}~ ".contains(c)
            } else {
                is_letter(c)
            }
        }
    }
}
