//! Case-encoding ("bang" escaping) of module paths and versions, the form
//! used in proxy URLs and the module cache: every upper-case ASCII letter
//! becomes `!` plus its lower-case form (`github.com/Azure` →
//! `github.com/!azure`), so case-insensitive file systems never need two
//! casings of one name. Follows `EscapePath`, `EscapeVersion`, `UnescapePath`
//! and `UnescapeVersion` in `golang.org/x/mod/module` (module.go).

use super::error::{Error, InvalidVersionError, PathKind};
use super::path::{check_elem, check_path};
use crate::quote::quote;

/// Go's `module.EscapePath`: the case-encoded form of a module path, which
/// must first pass [`check_path`].
pub fn escape_path(path: &str) -> Result<String, Error> {
    check_path(path)?;
    escape_string(path)
}

/// Go's `module.EscapeVersion`: the case-encoded form of a version. Versions
/// need not be semver (branch names are allowed) but must be valid file-path
/// elements and contain no `!`.
pub fn escape_version(v: &str) -> Result<String, Error> {
    if check_elem(v, PathKind::File).is_err() || v.contains('!') {
        return Err(Error::InvalidVersion(InvalidVersionError {
            version: v.to_owned(),
            pseudo: false,
            reason: "disallowed version string".into(),
        }));
    }
    escape_string(v)
}

fn escape_string(s: &str) -> Result<String, Error> {
    // The callers' checks exclude these, and the encoding is only reversible
    // without them; a file-path element may still hold a non-ASCII letter.
    if s.chars().any(|c| c == '!' || !c.is_ascii()) {
        return Err(Error::Message(
            "internal error: inconsistency in EscapePath".into(),
        ));
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// Go's `module.UnescapePath`: the module path a case-encoded path stands
/// for. Fails if the encoding is malformed or the result fails [`check_path`].
pub fn unescape_path(escaped: &str) -> Result<String, Error> {
    let Some(path) = unescape_string(escaped) else {
        return Err(Error::Message(format!(
            "invalid escaped module path {}",
            quote(escaped)
        )));
    };
    if let Err(e) = check_path(&path) {
        return Err(Error::Message(format!(
            "invalid escaped module path {}: {e}",
            quote(escaped)
        )));
    }
    Ok(path)
}

/// Go's `module.UnescapeVersion`: the version a case-encoded version stands
/// for. Fails if the encoding is malformed or the result is not a valid
/// file-path element (the message then quotes the decoded version, as Go does).
pub fn unescape_version(escaped: &str) -> Result<String, Error> {
    let Some(v) = unescape_string(escaped) else {
        return Err(Error::Message(format!(
            "invalid escaped version {}",
            quote(escaped)
        )));
    };
    if let Err(reason) = check_elem(&v, PathKind::File) {
        return Err(Error::Message(format!(
            "invalid escaped version {}: {reason}",
            quote(&v)
        )));
    }
    Ok(v)
}

/// Decodes `!x` to `X`; rejects non-ASCII, bare upper case, and a `!` not
/// followed by a lower-case letter.
fn unescape_string(escaped: &str) -> Option<String> {
    let mut out = String::with_capacity(escaped.len());
    let mut bang = false;
    for c in escaped.chars() {
        if !c.is_ascii() {
            return None;
        }
        if bang {
            bang = false;
            if !c.is_ascii_lowercase() {
                return None;
            }
            out.push(c.to_ascii_uppercase());
        } else if c == '!' {
            bang = true;
        } else if c.is_ascii_uppercase() {
            return None;
        } else {
            out.push(c);
        }
    }
    (!bang).then_some(out)
}
