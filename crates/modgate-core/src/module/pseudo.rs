//! Pseudo-versions: the versions the go command invents for untagged commits,
//! `vX.0.0-yyyymmddhhmmss-abcdefabcdef`, `vX.Y.(Z+1)-0.yyyymmddhhmmss-rev` and
//! `vX.Y.Z-pre.0.yyyymmddhhmmss-rev` (the last two optionally `+incompatible`
//! or with other build metadata). Follows `golang.org/x/mod/module/pseudo.go`.
//!
//! Go recognises them with a regular expression; here the same language is
//! matched by hand, splitting at the last `-` (the revision cannot contain
//! one) and the first `+` (nothing before the build suffix can contain one).
//! Patch numbers are incremented and decremented as decimal strings, so
//! arbitrarily large versions work.

use super::error::{Error, InvalidVersionError};
use super::time::UtcTime;
use crate::quote::quote;
use crate::semver;

/// Go's `module.PseudoVersion`: the pseudo-version for a commit at time `t`
/// with revision identifier `rev` (usually a 12-character hash prefix), given
/// the module's `major` version (`""` means `v0`) and the most recent tag
/// `older` before the commit (`""` if none).
pub fn pseudo_version(major: &str, older: &str, t: UtcTime, rev: &str) -> String {
    let major = if major.is_empty() { "v0" } else { major };
    let segment = format!("{}-{rev}", t.format_compact());
    let build = semver::build(older);
    let older = semver::canonical(older);
    if older.is_empty() {
        return format!("{major}.0.0-{segment}");
    }
    if !semver::prerelease(&older).is_empty() {
        return format!("{older}.0.{segment}{build}");
    }
    // A canonical release is vX.Y.Z: bump the patch.
    let (head, patch) = older.rsplit_once('.').unwrap_or(("", &older));
    format!("{head}.{}-0.{segment}{build}", inc_decimal(patch))
}

/// Go's `module.ZeroPseudoVersion`: a placeholder pseudo-version with a zero
/// time and revision, `<major>.0.0-00010101000000-000000000000`.
pub fn zero_pseudo_version(major: &str) -> String {
    pseudo_version(major, "", UtcTime::GO_ZERO, "000000000000")
}

/// Go's `module.IsPseudoVersion`.
pub fn is_pseudo_version(v: &str) -> bool {
    v.matches('-').count() >= 2 && semver::is_valid(v) && matches_pseudo_syntax(v)
}

/// Go's `module.IsZeroPseudoVersion`: whether `v` is exactly what
/// [`zero_pseudo_version`] returns for its major version.
pub fn is_zero_pseudo_version(v: &str) -> bool {
    v == zero_pseudo_version(&semver::major(v))
}

/// Go's `module.PseudoVersionTime`: the timestamp of pseudo-version `v`.
pub fn pseudo_version_time(v: &str) -> Result<UtcTime, Error> {
    let parts = parse_pseudo_version(v)?;
    UtcTime::parse_compact(parts.timestamp)
        .ok_or_else(|| pseudo_error(v, format!("malformed time {}", quote(parts.timestamp))))
}

/// Go's `module.PseudoVersionRev`: the revision identifier of pseudo-version `v`.
pub fn pseudo_version_rev(v: &str) -> Result<String, Error> {
    Ok(parse_pseudo_version(v)?.rev.to_owned())
}

/// Go's `module.PseudoVersionBase`: the tagged version pseudo-version `v` was
/// derived from (`""` for the `vX.0.0-` form), with `v`'s build suffix.
pub fn pseudo_version_base(v: &str) -> Result<String, Error> {
    let parts = parse_pseudo_version(v)?;
    let (base, build) = (parts.base, parts.build);
    let pre = semver::prerelease(base);
    match pre.as_str() {
        "" => {
            // The vX.0.0- form says there is no parent tag, so build
            // metadata such as +incompatible (which describes the parent) is
            // nonsensical.
            if build.is_empty() {
                Ok(String::new())
            } else {
                Err(pseudo_error(
                    v,
                    format!(
                        "lacks base version, but has build metadata {}",
                        quote(build)
                    ),
                ))
            }
        }
        "-0" => {
            let release = &base[..base.len() - pre.len()];
            let (head, patch) = release.rsplit_once('.').unwrap_or(("", release));
            match dec_decimal(patch) {
                Some(patch) => Ok(format!("{head}.{patch}{build}")),
                None => Err(pseudo_error(
                    v,
                    format!("version before {release} would have negative patch number"),
                )),
            }
        }
        _ => Ok(format!(
            "{}{build}",
            base.strip_suffix(".0").unwrap_or(base)
        )),
    }
}

/// The pieces of a pseudo-version.
struct PseudoParts<'a> {
    /// `vX.0.0`, `vX.Y.(Z+1)-0` or `vX.Y.Z-pre.0`.
    base: &'a str,
    timestamp: &'a str,
    rev: &'a str,
    build: &'a str,
}

fn parse_pseudo_version(v: &str) -> Result<PseudoParts<'_>, Error> {
    if !is_pseudo_version(v) {
        return Err(pseudo_error(v, "syntax error".into()));
    }
    let build = v.find('+').map_or("", |i| &v[i..]);
    let body = &v[..v.len() - build.len()];
    let syntax = || pseudo_error(v, "syntax error".into());
    let (rest, rev) = body.rsplit_once('-').ok_or_else(syntax)?;
    let dash = rest.rfind('-').ok_or_else(syntax)?;
    let (base, timestamp) = match rest.rfind('.') {
        Some(dot) if dot > dash => (&rest[..dot], &rest[dot + 1..]),
        _ => (&rest[..dash], &rest[dash + 1..]),
    };
    Ok(PseudoParts {
        base,
        timestamp,
        rev,
        build,
    })
}

fn pseudo_error(v: &str, reason: String) -> Error {
    Error::InvalidVersion(InvalidVersionError {
        version: v.to_owned(),
        pseudo: true,
        reason,
    })
}

/// Matches Go's pseudo-version regular expression
/// `^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`.
fn matches_pseudo_syntax(v: &str) -> bool {
    // Only the build suffix can contain '+', so the first '+' starts it.
    let (body, build) = match v.find('+') {
        Some(i) => v.split_at(i),
        None => (v, ""),
    };
    if !build.is_empty()
        && !build[1..]
            .split('.')
            .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return false;
    }
    // The revision cannot contain '-', so it follows the last one.
    let Some((rest, rev)) = body.rsplit_once('-') else {
        return false;
    };
    if rev.is_empty() || !rev.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let Some(prefix) = rest.len().checked_sub(14).and_then(|n| rest.get(..n)) else {
        return false;
    };
    if !rest[prefix.len()..].bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // `prefix` must be `v\d+\.0\.0-` or `v\d+\.\d+\.\d+-([^+]*\.)?0\.`.
    let Some(after_major) = prefix
        .strip_prefix('v')
        .and_then(skip_digits)
        .and_then(|s| s.strip_prefix('.'))
    else {
        return false;
    };
    if after_major == "0.0-" {
        return true;
    }
    let Some(after_patch) = skip_digits(after_major)
        .and_then(|s| s.strip_prefix('.'))
        .and_then(skip_digits)
        .and_then(|s| s.strip_prefix('-'))
    else {
        return false;
    };
    match after_patch.strip_suffix("0.") {
        Some(pre) => pre.is_empty() || pre.ends_with('.'),
        None => false,
    }
}

/// Strips one or more leading ASCII digits, or returns `None` if there are none.
fn skip_digits(s: &str) -> Option<&str> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    (n > 0).then(|| &s[n..])
}

/// A decimal string plus one (`"99"` → `"100"`).
pub(super) fn inc_decimal(decimal: &str) -> String {
    let mut digits = decimal.as_bytes().to_vec();
    let mut i = digits.len();
    while i > 0 && digits[i - 1] == b'9' {
        digits[i - 1] = b'0';
        i -= 1;
    }
    if i > 0 {
        digits[i - 1] += 1;
    } else {
        // All nines (or empty): a new leading 1.
        digits.insert(0, b'1');
    }
    String::from_utf8(digits).unwrap_or_default()
}

/// A decimal string minus one (`"100"` → `"99"`), or `None` if it is all
/// zeros (or empty).
pub(super) fn dec_decimal(decimal: &str) -> Option<String> {
    let mut digits = decimal.as_bytes().to_vec();
    let mut i = digits.len();
    while i > 0 && digits[i - 1] == b'0' {
        digits[i - 1] = b'9';
        i -= 1;
    }
    if i == 0 {
        return None;
    }
    if i == 1 && digits[0] == b'1' && digits.len() > 1 {
        digits.remove(0);
    } else {
        digits[i - 1] -= 1;
    }
    String::from_utf8(digits).ok()
}
