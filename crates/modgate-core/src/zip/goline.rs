//! The language version of a module's root go.mod, which decides the vendor
//! rules of Go 1.24 (see `files.rs`).
//!
//! Follows x/mod's `parseGoVers`: the file is read with `modfile.ParseLax`
//! ([`crate::modfile::parse_lax`]) and `"go" + version` goes through
//! `go/version.Lang`; a parse error or a missing `go` line means "no version"
//! (the empty string, older than every release). `go/version`'s `Lang` and
//! `Compare` (on `internal/gover`) are ported here.

/// `version.Lang("go" + <go line>)` for a go.mod's content: e.g. `go1.24`,
/// or `""` when the file does not parse or has no `go` line.
pub(crate) fn gomod_lang(data: &[u8]) -> String {
    match crate::modfile::parse_lax("go.mod", data, None) {
        Ok(f) => {
            f.go.map_or_else(String::new, |go| lang(&format!("go{}", go.version)))
        }
        Err(_) => String::new(),
    }
}

/// `version.Compare(lang, "go1.24") >= 0`.
pub(crate) fn at_least_go124(lang: &str) -> bool {
    compare(lang, "go1.24").is_ge()
}

/// A parsed Go toolchain version (`internal/gover.Version`).
#[derive(Default, PartialEq, Eq)]
struct GoVersion<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    kind: &'a str,
    pre: &'a str,
}

/// `gover.Parse`: `1`, `1.21`, `1.21.3`, `1.21rc2`; anything else is the
/// zero value.
fn parse(x: &str) -> GoVersion<'_> {
    let mut v = GoVersion::default();
    let Some((major, rest)) = cut_int(x) else {
        return GoVersion::default();
    };
    v.major = major;
    if rest.is_empty() {
        v.minor = "0";
        v.patch = "0";
        return v;
    }
    let Some(rest) = rest.strip_prefix('.') else {
        return GoVersion::default();
    };
    let Some((minor, rest)) = cut_int(rest) else {
        return GoVersion::default();
    };
    v.minor = minor;
    if rest.is_empty() {
        // Before Go 1.21, "1.N" meant the release "1.N.0".
        if cmp_int(minor, "21").is_lt() {
            v.patch = "0";
        }
        return v;
    }
    if let Some(patch) = rest.strip_prefix('.') {
        return match cut_int(patch) {
            Some((p, "")) => {
                v.patch = p;
                v
            }
            _ => GoVersion::default(),
        };
    }
    let kind_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
    if kind_len == 0
        || rest[kind_len..]
            .bytes()
            .next()
            .is_some_and(|b| !b.is_ascii_digit())
    {
        return GoVersion::default();
    }
    v.kind = &rest[..kind_len];
    let rest = &rest[kind_len..];
    if rest.is_empty() {
        return v;
    }
    match cut_int(rest) {
        Some((pre, "")) => {
            v.pre = pre;
            v
        }
        _ => GoVersion::default(),
    }
}

/// `gover.cutInt`: a decimal number without a leading zero, and the rest.
fn cut_int(x: &str) -> Option<(&str, &str)> {
    let n = x.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (x.starts_with('0') && n != 1) {
        return None;
    }
    Some(x.split_at(n))
}

/// `gover.CmpInt`: compares decimal strings without leading zeros.
fn cmp_int(x: &str, y: &str) -> std::cmp::Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

/// `version.stripGo`: the version after `go`, without a `-custom` suffix.
fn strip_go(v: &str) -> &str {
    let v = v.split('-').next().unwrap_or(v);
    v.strip_prefix("go").unwrap_or("")
}

/// `go/version.Lang`: `go1.21.3` → `go1.21`; `""` if invalid.
fn lang(x: &str) -> String {
    let v = parse(strip_go(x));
    let l = if v.minor.is_empty() || (v.major == "1" && v.minor == "0") {
        v.major.to_string()
    } else {
        format!("{}.{}", v.major, v.minor)
    };
    if l.is_empty() {
        String::new()
    } else {
        format!("go{l}")
    }
}

/// `go/version.Compare`; invalid versions are older than all valid ones.
pub(crate) fn compare(x: &str, y: &str) -> std::cmp::Ordering {
    let (a, b) = (parse(strip_go(x)), parse(strip_go(y)));
    cmp_int(a.major, b.major)
        .then_with(|| cmp_int(a.minor, b.minor))
        .then_with(|| cmp_int(a.patch, b.patch))
        // "" < "alpha" < "beta" < "rc"
        .then_with(|| a.kind.cmp(b.kind))
        .then_with(|| cmp_int(a.pre, b.pre))
}

#[cfg(test)]
mod tests;
