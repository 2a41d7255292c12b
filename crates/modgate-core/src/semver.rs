//! Go's semantic versions, as `golang.org/x/mod/semver` defines them.
//!
//! A version is `vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]`: the `v` is
//! required, and the shorthands `vMAJOR` and `vMAJOR.MINOR` (meaning `.0.0`
//! and `.0`) are valid only without prerelease or build suffixes. Every
//! function accepts any string; invalid input yields `""` (or sorts lowest)
//! instead of an error, as in Go.
//!
//! Numbers are kept as the digit strings of the input and compared by length,
//! then lexically, so arbitrarily large numbers work without overflow.
//! Follows `$GOROOT/src/cmd/vendor/golang.org/x/mod/semver/semver.go`.

use std::cmp::Ordering;

#[cfg(test)]
mod tests;

/// A version split into its parts; every field borrows from the input except
/// `short`, the suffix that canonicalization appends to a shorthand.
#[derive(Debug, Default)]
struct Parsed<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    short: &'static str,
    prerelease: &'a str,
    build: &'a str,
}

/// Reports whether `v` is a valid semantic version string.
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

/// The canonical form of `v`: missing `.MINOR`/`.PATCH` filled in, build
/// metadata dropped (`v1.2` → `v1.2.0`, `v1.2.3+meta` → `v1.2.3`); `""` if invalid.
pub fn canonical(v: &str) -> String {
    let Some(p) = parse(v) else {
        return String::new();
    };
    if !p.build.is_empty() {
        return v[..v.len() - p.build.len()].to_owned();
    }
    format!("{v}{}", p.short)
}

/// The major-version prefix of `v` (`v2.1.0` → `v2`); `""` if invalid.
pub fn major(v: &str) -> String {
    match parse(v) {
        Some(p) => v[..1 + p.major.len()].to_owned(),
        None => String::new(),
    }
}

/// The `major.minor` prefix of `v` (`v2.1.0` → `v2.1`, `v2` → `v2.0`); `""` if invalid.
pub fn major_minor(v: &str) -> String {
    let Some(p) = parse(v) else {
        return String::new();
    };
    let i = 1 + p.major.len();
    let j = i + 1 + p.minor.len();
    if v.as_bytes().get(i) == Some(&b'.') && v.get(i + 1..j) == Some(p.minor) {
        return v[..j].to_owned();
    }
    format!("{}.{}", &v[..i], p.minor)
}

/// The prerelease suffix of `v`, including its leading `-`
/// (`v2.1.0-pre+meta` → `-pre`); `""` if none or invalid.
pub fn prerelease(v: &str) -> String {
    parse(v)
        .map(|p| p.prerelease.to_owned())
        .unwrap_or_default()
}

/// The build suffix of `v`, including its leading `+`
/// (`v2.1.0+meta` → `+meta`); `""` if none or invalid.
pub fn build(v: &str) -> String {
    parse(v).map(|p| p.build.to_owned()).unwrap_or_default()
}

/// Semantic-version precedence of `v` and `w`. Build metadata is ignored; an
/// invalid version is less than every valid one and equal to every invalid one.
pub fn compare(v: &str, w: &str) -> Ordering {
    match (parse(v), parse(w)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(pv), Some(pw)) => compare_int(pv.major, pw.major)
            .then_with(|| compare_int(pv.minor, pw.minor))
            .then_with(|| compare_int(pv.patch, pw.patch))
            .then_with(|| compare_prerelease(pv.prerelease, pw.prerelease)),
    }
}

/// Go's deprecated `semver.Max`: canonicalizes both arguments and returns the
/// greater (the second on a tie, so two invalid inputs give `""`).
pub fn max(v: &str, w: &str) -> String {
    let (v, w) = (canonical(v), canonical(w));
    if compare(&v, &w) == Ordering::Greater {
        v
    } else {
        w
    }
}

/// Sorts versions by [`compare`], breaking ties by plain string comparison
/// (Go's `semver.Sort`).
pub fn sort(list: &mut [String]) {
    list.sort_by(|a, b| compare_version(a, b));
}

/// The total order `sort` uses: precedence, then bytes.
pub fn compare_version(a: &str, b: &str) -> Ordering {
    compare(a, b).then_with(|| a.cmp(b))
}

fn parse(v: &str) -> Option<Parsed<'_>> {
    let rest = v.strip_prefix('v')?;
    let mut p = Parsed::default();
    let rest = parse_int(rest, &mut p.major)?;
    if rest.is_empty() {
        p.minor = "0";
        p.patch = "0";
        p.short = ".0.0";
        return Some(p);
    }
    let rest = parse_int(rest.strip_prefix('.')?, &mut p.minor)?;
    if rest.is_empty() {
        p.patch = "0";
        p.short = ".0";
        return Some(p);
    }
    let mut rest = parse_int(rest.strip_prefix('.')?, &mut p.patch)?;
    if rest.starts_with('-') {
        let (pre, tail) = split_prerelease(rest)?;
        p.prerelease = pre;
        rest = tail;
    }
    if rest.starts_with('+') {
        p.build = valid_build(rest)?;
        rest = "";
    }
    rest.is_empty().then_some(p)
}

/// Parses a decimal number without leading zeros into `out`; returns the rest.
fn parse_int<'a>(v: &'a str, out: &mut &'a str) -> Option<&'a str> {
    let n = v.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (n > 1 && v.starts_with('0')) {
        return None;
    }
    *out = &v[..n];
    Some(&v[n..])
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// A purely numeric identifier with a leading zero, which prereleases forbid.
fn is_bad_num(ident: &str) -> bool {
    ident.len() > 1 && ident.starts_with('0') && is_num(ident)
}

fn is_num(ident: &str) -> bool {
    ident.bytes().all(|c| c.is_ascii_digit())
}

/// Splits `-PRERELEASE` (up to a `+` or the end) off `v`.
fn split_prerelease(v: &str) -> Option<(&str, &str)> {
    let end = v.find('+').unwrap_or(v.len());
    let (pre, rest) = v.split_at(end);
    let body = &pre[1..];
    let ok = body
        .split('.')
        .all(|id| !id.is_empty() && id.bytes().all(is_ident_char) && !is_bad_num(id));
    ok.then_some((pre, rest))
}

/// Validates `+BUILD` (the whole rest of the version); identifiers may have
/// leading zeros.
fn valid_build(v: &str) -> Option<&str> {
    let ok = v[1..]
        .split('.')
        .all(|id| !id.is_empty() && id.bytes().all(is_ident_char));
    ok.then_some(v)
}

/// Compares decimal strings without leading zeros: longer is larger.
fn compare_int(x: &str, y: &str) -> Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

/// Compares prerelease suffixes (with their leading `-`) by SemVer §11:
/// no prerelease beats any prerelease; numeric identifiers are below
/// alphanumeric ones; a shorter list that is a prefix of a longer one is lower.
fn compare_prerelease(x: &str, y: &str) -> Ordering {
    if x == y {
        return Ordering::Equal;
    }
    if x.is_empty() {
        return Ordering::Greater;
    }
    if y.is_empty() {
        return Ordering::Less;
    }
    let mut xs = x[1..].split('.');
    let mut ys = y[1..].split('.');
    loop {
        match (xs.next(), ys.next()) {
            (Some(dx), Some(dy)) => {
                if dx == dy {
                    continue;
                }
                return match (is_num(dx), is_num(dy)) {
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (true, true) => compare_int(dx, dy),
                    (false, false) => dx.cmp(dy),
                };
            }
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (None, None) => return Ordering::Equal,
        }
    }
}
