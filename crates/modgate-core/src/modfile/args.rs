//! Arguments of go.mod / go.work directives: strings, versions, intervals,
//! `replace` forms, `go`/`toolchain`/`godebug` values.
//!
//! Follows `x/mod/modfile/rule.go` (`parseString`, `parseVersion`,
//! `parseVersionInterval`, `parseReplace`, `modulePathMajor`, `IsDirectoryPath`,
//! `isIndirect`, `GoVersionRE`, `laxGoVersionRE`, `ToolchainRE`). The regular
//! expressions are matched by hand; each function documents the one it follows.
//!
//! Like Go, the parsers rewrite the tokens they read: a quoted string becomes
//! its [`auto_quote`]d form and a version its canonical (or fixed) form, which
//! is what formatting then prints.

use super::ast::{Comment, FileSyntax, LineId};
use super::errors::{Error, invalid_version};
use super::rule::{FixError, VersionFixer, VersionInterval};
use super::text::{auto_quote, contains_any, go_lossy, unquote};
use crate::module::{Version, canonical_version, check_path_major, split_path_version};

/// An error from a helper, before the line position is known.
#[derive(Debug)]
pub(crate) struct DirError {
    pub(crate) verb: String,
    pub(crate) mod_path: String,
    pub(crate) message: String,
}

impl DirError {
    pub(crate) fn plain(message: impl Into<String>) -> DirError {
        DirError {
            verb: String::new(),
            mod_path: String::new(),
            message: message.into(),
        }
    }

    pub(crate) fn at(self, fs: &FileSyntax, line: LineId) -> Error {
        Error {
            filename: fs.name.clone(),
            pos: fs.line(line).start,
            verb: self.verb,
            mod_path: self.mod_path,
            message: self.message,
        }
    }
}

/// `go` line arguments: one version matching [`is_go_version`]; in lax mode a
/// version like `1.21.x` or `v1.21` is truncated to `1.21` (the token too).
pub(crate) fn check_go_line(args: &mut [Vec<u8>], strict: bool) -> Result<String, String> {
    let [arg] = args else {
        return Err("go directive expects exactly one argument".into());
    };
    if !is_go_version(arg) {
        let fixed = if strict { None } else { lax_go_version(arg) };
        match fixed {
            Some(v) => *arg = v.to_vec(),
            None => {
                return Err(format!(
                    "invalid go version '{}': must match format 1.23.0",
                    go_lossy(arg)
                ));
            }
        }
    }
    Ok(go_lossy(arg))
}

/// `toolchain` line arguments: one name matching [`is_toolchain_name`].
pub(crate) fn check_toolchain_line(args: &[Vec<u8>]) -> Result<String, String> {
    let [arg] = args else {
        return Err("toolchain directive expects exactly one argument".into());
    };
    if !is_toolchain_name(arg) {
        return Err(format!(
            "invalid toolchain version '{}': must match format go1.23.0 or default",
            go_lossy(arg)
        ));
    }
    Ok(go_lossy(arg))
}

/// `godebug` line arguments: one unquoted `key=value`.
pub(crate) fn parse_godebug(args: &[Vec<u8>]) -> Result<(String, String), String> {
    const USAGE: &str = "usage: godebug key=value";
    let [arg] = args else {
        return Err(USAGE.into());
    };
    if contains_any(arg, b"\"`',") {
        return Err(USAGE.into());
    }
    let eq = arg.iter().position(|&b| b == b'=').ok_or(USAGE)?;
    Ok((go_lossy(&arg[..eq]), go_lossy(&arg[eq + 1..])))
}

pub(crate) fn mod_path_error(verb: &str, path: &str, message: String) -> DirError {
    DirError {
        verb: verb.to_string(),
        mod_path: path.to_string(),
        message,
    }
}

/// Go's `modulePathMajor`: the major-version suffix of a module path.
pub(crate) fn module_path_major(path: &str) -> Result<&str, DirError> {
    split_path_version(path)
        .map(|(_, major)| major)
        .ok_or_else(|| DirError::plain("invalid module path"))
}

/// Parses the arguments of a `replace` line (in go.mod or go.work).
pub(crate) fn parse_replace(
    verb: &str,
    args: &mut [Vec<u8>],
    fix: Option<VersionFixer<'_>>,
) -> Result<(Version, Version), DirError> {
    let arrow = if args.len() >= 2 && args[1] == b"=>" {
        1
    } else {
        2
    };
    if args.len() < arrow + 2 || args.len() > arrow + 3 || args[arrow] != b"=>" {
        return Err(DirError::plain(format!(
            "usage: {verb} module/path [v1.2.3] => other/module v1.4\n\t or {verb} module/path [v1.2.3] => ../local/directory"
        )));
    }
    let s = parse_string(&mut args[0])
        .map_err(|e| DirError::plain(format!("invalid quoted string: {e}")))?;
    let path = go_lossy(&s);
    let path_major = match split_path_version(&path) {
        Some((_, m)) => m.to_string(),
        None => return Err(mod_path_error(verb, &path, "invalid module path".into())),
    };
    let mut v = String::new();
    if arrow == 2 {
        v = parse_version(verb, &path, &mut args[1], fix)?;
        if let Err(e) = check_path_major(&v, &path_major) {
            return Err(mod_path_error(verb, &path, e.to_string()));
        }
    }
    let ns = parse_string(&mut args[arrow + 1])
        .map_err(|e| DirError::plain(format!("invalid quoted string: {e}")))?;
    let new_path = go_lossy(&ns);
    let mut nv = String::new();
    if args.len() == arrow + 2 {
        if !is_directory_path(&ns) {
            if ns.contains(&b'@') {
                return Err(DirError::plain(
                    "replacement module must match format 'path version', not 'path@version'",
                ));
            }
            return Err(DirError::plain(
                "replacement module without version must be directory path (rooted or starting with . or ..)",
            ));
        }
        // Like the go command on Unix, where the file separator is '/'.
        if ns.contains(&b'\\') {
            return Err(DirError::plain(
                "replacement directory appears to be Windows path (on a non-windows system)",
            ));
        }
    }
    if args.len() == arrow + 3 {
        nv = parse_version(verb, &new_path, &mut args[arrow + 2], fix)?;
        if is_directory_path(&ns) {
            return Err(DirError::plain(format!(
                "replacement module directory path {} cannot have version",
                crate::quote::quote_bytes(&ns)
            )));
        }
    }
    Ok((
        Version { path, version: v },
        Version {
            path: new_path,
            version: nv,
        },
    ))
}

/// Parses `v` or `[ lo , hi ]` at the start of `args`; returns the interval and
/// how many tokens it used.
pub(crate) fn parse_version_interval(
    verb: &str,
    path: &str,
    args: &mut [Vec<u8>],
    fix: Option<VersionFixer<'_>>,
) -> Result<(VersionInterval, usize), DirError> {
    match args.first().map(Vec::as_slice) {
        None | Some(b"(") => return Err(DirError::plain("expected '[' or version")),
        Some(b"[") => {}
        Some(_) => {
            let v = parse_version(verb, path, &mut args[0], fix)?;
            return Ok((
                VersionInterval {
                    low: v.clone(),
                    high: v,
                },
                1,
            ));
        }
    }
    let low = match args.get_mut(1) {
        None => return Err(DirError::plain("expected version after '['")),
        Some(tok) => parse_version(verb, path, tok, fix)?,
    };
    if args.get(2).map(Vec::as_slice) != Some(b",".as_slice()) {
        return Err(DirError::plain("expected ',' after version"));
    }
    let high = match args.get_mut(3) {
        None => return Err(DirError::plain("expected version after ','")),
        Some(tok) => parse_version(verb, path, tok, fix)?,
    };
    if args.get(4).map(Vec::as_slice) != Some(b"]".as_slice()) {
        return Err(DirError::plain("expected ']' after version"));
    }
    Ok((VersionInterval { low, high }, 5))
}

/// Go's `parseString`: unquotes a `"..."` token (rewriting the token to its
/// [`auto_quote`]d form) and rejects quote characters in an unquoted one.
pub(crate) fn parse_string(s: &mut Vec<u8>) -> Result<Vec<u8>, &'static str> {
    let t = if s.first() == Some(&b'"') {
        unquote(s).ok_or("invalid syntax")?
    } else if contains_any(s, b"\"'`") {
        // Other quotes are reserved, and `'x'` should not mean a literal x in quotes.
        return Err("unquoted string cannot contain quote");
    } else {
        s.clone()
    };
    *s = auto_quote(&t);
    Ok(t)
}

/// Go's `parseVersion`: unquotes, then canonicalizes (or fixes) a version and
/// rewrites the token to it.
pub(crate) fn parse_version(
    verb: &str,
    path: &str,
    s: &mut Vec<u8>,
    fix: Option<VersionFixer<'_>>,
) -> Result<String, DirError> {
    let verb_err = |message: String| DirError {
        verb: verb.to_string(),
        mod_path: path.to_string(),
        message,
    };
    let t = match parse_string(s) {
        Ok(t) => t,
        Err(e) => return Err(verb_err(invalid_version(s, e))),
    };
    let fixed = match fix {
        Some(fix) => match fix(path, &go_lossy(&t)) {
            Ok(v) => v,
            Err(FixError::Module(m)) => return Err(verb_err(m)),
            Err(FixError::Other(m)) => return Err(DirError::plain(m)),
        },
        None => {
            let cv = std::str::from_utf8(&t)
                .map(canonical_version)
                .unwrap_or_default();
            if cv.is_empty() {
                return Err(verb_err(invalid_version(&t, "must be of the form v1.2.3")));
            }
            cv
        }
    };
    *s = fixed.clone().into_bytes();
    Ok(fixed)
}

/// Go's `GoVersionRE`:
/// `^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$`.
pub fn is_go_version(s: &[u8]) -> bool {
    let Some(rest) = number(s, false).and_then(|r| r.strip_prefix(b".")) else {
        return false;
    };
    let Some(mut rest) = number(rest, true) else {
        return false;
    };
    if let Some(r) = rest.strip_prefix(b".") {
        match number(r, true) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    if rest.is_empty() {
        return true;
    }
    let letters = rest.iter().take_while(|b| b.is_ascii_lowercase()).count();
    let digits = rest[letters..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    letters > 0 && digits > 0 && letters + digits == rest.len()
}

/// Matches `0|[1-9][0-9]*` (when `zero_ok`) or `[1-9][0-9]*` at the start of
/// `s`, greedily, and returns the rest. A `0` followed by a digit fails, as the
/// regular expression cannot match it either.
fn number(s: &[u8], zero_ok: bool) -> Option<&[u8]> {
    match s.first()? {
        b'0' if zero_ok => Some(&s[1..]),
        b'1'..=b'9' => {
            let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
            Some(&s[n..])
        }
        _ => None,
    }
}

/// Go's `laxGoVersionRE` `^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$`:
/// returns the `N.M` prefix.
fn lax_go_version(s: &[u8]) -> Option<&[u8]> {
    let body = s.strip_prefix(b"v").unwrap_or(s);
    let rest = number(body, false)?.strip_prefix(b".")?;
    let rest = number(rest, true)?;
    // At least one more character, and not a digit (`0` followed by a digit
    // cannot match at all).
    match rest.first() {
        Some(b) if !b.is_ascii_digit() => Some(&body[..body.len() - rest.len()]),
        _ => None,
    }
}

/// Go's `ToolchainRE` `^default$|^go1($|\.)`.
pub fn is_toolchain_name(s: &[u8]) -> bool {
    s == b"default" || s == b"go1" || s.starts_with(b"go1.")
}

/// Go's `IsDirectoryPath`: whether a replacement (or `use`) path is a directory:
/// `.`, `..`, starting with `./`, `../`, `.\`, `..\`, `/`, `\`, or a drive letter.
pub fn is_directory_path(ns: &[u8]) -> bool {
    ns == b"."
        || ns.starts_with(b"./")
        || ns.starts_with(b".\\")
        || ns == b".."
        || ns.starts_with(b"../")
        || ns.starts_with(b"..\\")
        || ns.starts_with(b"/")
        || ns.starts_with(b"\\")
        || (ns.len() >= 2 && ns[0].is_ascii_alphabetic() && ns[1] == b':')
}

/// Whether the first suffix comment of a line marks it `// indirect`: its
/// words are exactly `indirect`, or the first word is `indirect;`.
pub(crate) fn is_indirect(suffix: &[Comment]) -> bool {
    let Some(first) = suffix.first() else {
        return false;
    };
    let text = first.token.strip_prefix(b"//").unwrap_or(&first.token);
    let f = super::text::fields(text);
    (f.len() == 1 && f[0] == b"indirect") || (f.len() > 1 && f[0] == b"indirect;")
}
