//! Go string operations on byte strings, as the modfile package uses them.
//!
//! Go strings are arbitrary bytes and go.mod tokens keep them that way: a file
//! may contain invalid UTF-8, and a quoted token such as `"a\xffb"` unquotes to
//! bytes that are not UTF-8. `go mod edit -fmt` writes such bytes back verbatim,
//! so the syntax tree stores tokens as `Vec<u8>` and the helpers here walk them
//! rune by rune with Go's `utf8.DecodeRune` (an invalid byte is one U+FFFD).
//!
//! Follows `strings.TrimSpace`, `strings.Fields`, `strconv.Unquote` and
//! `modfile.MustQuote` / `AutoQuote` (`x/mod/modfile/rule.go`).

use crate::quote::{quote_bytes, unquote_bytes};
use crate::unicode::{RUNE_ERROR, decode_rune, is_print, is_space};

/// Splits `s` into `(start, end, rune)` triples the way a Go `for range` loop
/// does; an invalid byte is `None` (Go's `RuneError` of width 1).
fn runes(s: &[u8]) -> impl Iterator<Item = (usize, usize, Option<char>)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        if i >= s.len() {
            return None;
        }
        let (c, w) = decode_rune(&s[i..]);
        let start = i;
        i += w.max(1);
        let c = if c == RUNE_ERROR && w == 1 {
            None
        } else {
            Some(c)
        };
        Some((start, i, c))
    })
}

/// Number of runes in `s`, counting each invalid byte as one (`utf8.RuneCount`).
pub(crate) fn rune_count(s: &[u8]) -> usize {
    runes(s).count()
}

fn is_space_rune(c: Option<char>) -> bool {
    c.is_some_and(is_space)
}

/// `strings.TrimSpace` / `bytes.TrimSpace`: trims Unicode white space at both ends.
pub(crate) fn trim_space(s: &[u8]) -> &[u8] {
    let mut start = s.len();
    let mut end = 0;
    for (a, b, c) in runes(s) {
        if !is_space_rune(c) {
            if start == s.len() {
                start = a;
            }
            end = b;
        }
    }
    if start >= end { &[] } else { &s[start..end] }
}

/// `strings.Fields`: the runs of non-space runes.
pub(crate) fn fields(s: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut field_start = None;
    for (a, _, c) in runes(s) {
        match (is_space_rune(c), field_start) {
            (true, Some(st)) => {
                out.push(&s[st..a]);
                field_start = None;
            }
            (false, None) => field_start = Some(a),
            _ => {}
        }
    }
    if let Some(st) = field_start {
        out.push(&s[st..]);
    }
    out
}

/// Converts Go string bytes to a Rust `String`, replacing each invalid byte with
/// U+FFFD exactly where Go's `for range` would see `RuneError`. For valid UTF-8
/// this is the identity. (Rust's `from_utf8_lossy` may merge several bad bytes
/// into one U+FFFD, which would not match Go's JSON output.)
pub(crate) fn go_lossy(s: &[u8]) -> String {
    match std::str::from_utf8(s) {
        Ok(v) => v.to_string(),
        Err(_) => runes(s).map(|(_, _, c)| c.unwrap_or(RUNE_ERROR)).collect(),
    }
}

/// `modfile.MustQuote`: whether `s` must be quoted to be a single go.mod token.
pub fn must_quote(s: &[u8]) -> bool {
    for (_, _, c) in runes(s) {
        match c {
            Some(' ' | '"' | '\'' | '`') => return true,
            Some('(' | ')' | '[' | ']' | '{' | '}' | ',') if s.len() > 1 => return true,
            // An invalid byte is RuneError, which Go considers printable.
            Some(c) if !is_print(c) => return true,
            _ => {}
        }
    }
    s.is_empty() || contains(s, b"//") || contains(s, b"/*")
}

/// `modfile.AutoQuote`: `s`, or its Go quotation if [`must_quote`] says so.
pub fn auto_quote(s: &[u8]) -> Vec<u8> {
    if must_quote(s) {
        quote_bytes(s).into_bytes()
    } else {
        s.to_vec()
    }
}

/// `strconv.Unquote` on a Go byte string. `None` is Go's `ErrSyntax`.
///
/// A raw (backquoted) literal keeps its bytes as they are, minus carriage
/// returns. In an interpreted literal Go turns each invalid UTF-8 byte into
/// U+FFFD (and an invalid byte can never be part of an escape sequence), so
/// replacing those bytes first and then unquoting the resulting `&str` gives
/// exactly Go's result.
pub(crate) fn unquote(s: &[u8]) -> Option<Vec<u8>> {
    if let Ok(v) = std::str::from_utf8(s) {
        return unquote_bytes(v);
    }
    if let [b'`', body @ .., b'`'] = s {
        if body.contains(&b'`') {
            return None;
        }
        return Some(body.iter().copied().filter(|&b| b != b'\r').collect());
    }
    unquote_bytes(&go_lossy(s))
}

/// Whether `needle` occurs in `haystack`.
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

/// Byte index of the first occurrence of `needle` in `haystack`.
pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether `s` contains any of the bytes in `set` (all ASCII).
pub(crate) fn contains_any(s: &[u8], set: &[u8]) -> bool {
    s.iter().any(|b| set.contains(b))
}
