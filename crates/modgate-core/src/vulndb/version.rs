//! Versions as the vulnerability database writes them, compared as govulncheck
//! compares them (`x/vuln/internal/semver`): events carry SemVer without the `v`
//! (`1.2.3`, and `0` for the beginning of time); the version looked up may have a
//! `v` (`v1.2.3`, a pseudo-version, `+incompatible`) or a `go` prefix (`go1.21.3`).
//! Both are brought to `v` form and ordered by Go's semver rules ([`crate::semver`]):
//! a pseudo-version sorts as the pre-release it is, `+incompatible` is build
//! metadata and ignored.

use std::cmp::Ordering;

use super::osv::{RANGE_TYPE_SEMVER, Range};
use crate::semver;

/// `v1.2.3` for `1.2.3`, `v1.2.3` or `go1.2.3` (`canonicalizeSemverPrefix`).
pub fn canonical_prefix(v: &str) -> String {
    let bare = v.strip_prefix('v').unwrap_or(v);
    let bare = bare.strip_prefix("go").unwrap_or(bare);
    if bare.starts_with('v') || bare.starts_with("go") {
        bare.to_owned()
    } else {
        format!("v{bare}")
    }
}

/// Go's semver order of two versions in any of the prefixed forms.
pub fn compare(a: &str, b: &str) -> Ordering {
    semver::compare(&canonical_prefix(a), &canonical_prefix(b))
}

/// `a < b` (`semver.Less`).
pub fn less(a: &str, b: &str) -> bool {
    compare(a, b) == Ordering::Less
}

/// Whether version `v` is in any SEMVER range of `ranges` (`semver.Affects`). No
/// ranges at all, or none of type SEMVER, means every version is affected.
pub fn affects(ranges: &[Range], v: &str) -> bool {
    let mut semver_present = false;
    for r in ranges.iter().filter(|r| r.kind == RANGE_TYPE_SEMVER) {
        semver_present = true;
        if contains(r, v) {
            return true;
        }
    }
    !semver_present
}

/// Whether `v` is in the half-open intervals `[introduced, fixed)` of one range:
/// the events are sorted (`introduced: "0"` first) and walked, toggling.
fn contains(r: &Range, v: &str) -> bool {
    if r.events.is_empty() {
        return true;
    }
    let mut events: Vec<_> = r.events.iter().collect();
    // Go sorts with a comparator putting "0" first and the rest by version; a total
    // order with the same result (stable, as Go's SliceStable).
    events.sort_by(|a, b| {
        let zero = |e: &super::osv::Event| e.introduced == "0";
        let version = |e: &super::osv::Event| {
            if e.fixed.is_empty() {
                e.introduced.clone()
            } else {
                e.fixed.clone()
            }
        };
        zero(b)
            .cmp(&zero(a))
            .then_with(|| compare(&version(a), &version(b)))
    });
    let mut affected = false;
    for e in events {
        if !affected && !e.introduced.is_empty() {
            affected = e.introduced == "0" || !less(v, &e.introduced);
        } else if affected && !e.fixed.is_empty() {
            affected = less(v, &e.fixed);
        }
    }
    affected
}

/// The latest fix of `ranges`, unless the vulnerability was introduced again after
/// it (`semver.LatestFixedVersion`): what `index/modules.json` calls `fixed`.
/// Empty when there is none.
pub fn latest_fixed(ranges: &[Range]) -> String {
    let mut latest = String::new();
    for r in ranges.iter().filter(|r| r.kind == RANGE_TYPE_SEMVER) {
        for e in &r.events {
            if !e.fixed.is_empty() && less(&latest, &e.fixed) {
                latest = e.fixed.clone();
            }
        }
        if r.events.iter().any(|e| {
            !e.introduced.is_empty() && e.introduced != "0" && less(&latest, &e.introduced)
        }) {
            latest.clear();
        }
    }
    latest
}

/// The version to move to from `v`: the lowest `fixed` above `v` that none of
/// `blocks` (the ranges of each affected block of one module) affects. `None` when
/// no fixed version is out of every range.
pub fn fix_for<'a>(blocks: &[&'a [Range]], v: &str) -> Option<&'a str> {
    let mut candidates: Vec<&str> = blocks
        .iter()
        .flat_map(|ranges| ranges.iter())
        .filter(|r| r.kind == RANGE_TYPE_SEMVER)
        .flat_map(|r| r.events.iter())
        .map(|e| e.fixed.as_str())
        .filter(|f| !f.is_empty() && less(v, f))
        .collect();
    candidates.sort_by(|a, b| compare(a, b));
    candidates
        .into_iter()
        .find(|f| !blocks.iter().any(|ranges| affects(ranges, f)))
}

/// The SemVer of a Go release tag (`GoTagToSemver`): `go1.21.3` → `v1.21.3`,
/// `go1.21` → `v1.21.0`, `go1.21rc2` → `v1.21.0-rc.2`, `go1.20-pre4` →
/// `v1.20.0-pre.4`, `go1` → `v1.0.0`. Only the first word counts (`go env
/// GOVERSION` may add `X:…` experiments). `None` for anything else (`devel …`).
pub fn go_tag_to_semver(tag: &str) -> Option<String> {
    let tag = tag.split_whitespace().next()?;
    if tag == "go1" {
        return Some("v1.0.0".into());
    }
    if tag == "go1.0" {
        return None;
    }
    let rest = tag.strip_prefix("go")?;
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    // major.minor
    let n = digits(rest);
    if n == 0 || rest.as_bytes().get(n) != Some(&b'.') {
        return None;
    }
    let m = digits(&rest[n + 1..]);
    if m == 0 {
        return None;
    }
    let major_minor = &rest[..n + 1 + m];
    let mut rest = &rest[n + 1 + m..];
    let mut version = format!("v{major_minor}");
    // .patch
    if let Some(p) = rest.strip_prefix('.') {
        let k = digits(p);
        if k == 0 {
            return None;
        }
        version.push_str(&rest[..1 + k]);
        rest = &p[k..];
    } else {
        version.push_str(".0");
    }
    if rest.is_empty() {
        return Some(version);
    }
    // beta|rc|-pre, then a number: the whole rest.
    let (kind, num) = ["beta", "rc", "-pre"]
        .iter()
        .find_map(|k| rest.strip_prefix(k).map(|num| (*k, num)))?;
    if num.is_empty() || digits(num) != num.len() {
        return None;
    }
    if !kind.starts_with('-') {
        version.push('-');
    }
    version.push_str(&format!("{kind}.{num}"));
    Some(version)
}

/// The Go release tag of a SemVer version (pkgsite's `TagForVersion`, as govulncheck
/// prints stdlib and toolchain versions): `v1.21.3` → `go1.21.3`, `v1.21.0` →
/// `go1.21.0` but `v1.20.0` → `go1.20` (the `.0` is in tags from Go 1.21 on),
/// `v1.21.0-rc.2` → `go1.21rc2`, `v1.0.0` → `go1`. Accepts the forms of
/// [`canonical_prefix`]. (golang/vuln's copy keeps the pre-release's `-`, giving
/// `go1.21-rc2`, which is no Go tag; this writes the real tag.)
pub fn semver_to_go_tag(v: &str) -> String {
    let v = canonical_prefix(v);
    if v == "v1.0.0" {
        return "go1".into();
    }
    let canon = semver::canonical(&v);
    let pre = semver::prerelease(&canon);
    let mut without = canon[..canon.len() - pre.len()].to_owned();
    let patch = without
        .strip_prefix(&format!("{}.", semver::major_minor(&canon)))
        .unwrap_or("");
    if patch == "0" && (semver::compare(&v, "v1.21.0") == Ordering::Less || !pre.is_empty()) {
        without.truncate(without.len() - 2);
    }
    let mut tag = format!("go{}", without.strip_prefix('v').unwrap_or(&without));
    if !pre.is_empty() {
        let pre = pre.strip_prefix('-').unwrap_or(&pre);
        let b = pre.as_bytes();
        let mut i = b.len();
        while i > 0 && b[i - 1].is_ascii_digit() {
            i -= 1;
        }
        if i >= 1 && i < b.len() && b[i - 1] == b'.' {
            tag.push_str(&pre[..i - 1]);
            tag.push_str(&pre[i..]);
        } else {
            tag.push_str(pre);
        }
    }
    tag
}
