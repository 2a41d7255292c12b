//! Glob matching as the go command does it for `GOPRIVATE`, `GONOPROXY`,
//! `GONOSUMDB`, `GOINSECURE` and `GOVCS`: [`match_prefix_patterns`] (x/mod's
//! `module.MatchPrefixPatterns`) on top of [`path_match`] (Go's `path.Match`).
//!
//! `path.Match` works on bytes: literals compare byte by byte, while `?` and
//! character classes consume one UTF-8 character (or one invalid byte), and
//! neither `*` nor `?` ever matches `/`. A malformed pattern is reported as
//! [`BadPattern`] — but, as in Go, only if the matcher gets far enough to see
//! the malformed part, or fails to match and then checks the rest of the
//! pattern. Follows `$GOROOT/src/path/match.go` and x/mod's module.go.

use std::fmt;

use crate::unicode::{RUNE_ERROR, decode_rune};

#[cfg(test)]
mod tests;

/// Go's `path.ErrBadPattern`: the pattern is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

impl fmt::Display for BadPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("syntax error in pattern")
    }
}

impl std::error::Error for BadPattern {}

/// Go's `module.MatchPrefixPatterns`: whether some leading path elements of
/// `target` match one of the comma-separated glob patterns in `globs`.
///
/// Patterns are not trimmed; empty ones are skipped and one trailing `/` is
/// ignored. A pattern with N slashes is matched (with [`path_match`]) against
/// the first N+1 elements of `target`, so `rsc.io` matches `rsc.io/quote/v3`.
/// Malformed patterns never match.
pub fn match_prefix_patterns(globs: &str, target: &str) -> bool {
    globs.split(',').any(|glob| {
        let glob = glob.strip_suffix('/').unwrap_or(glob);
        if glob.is_empty() {
            return false;
        }
        let slashes = glob.matches('/').count();
        // Cut the target just before its (slashes+1)-th '/', if it has one.
        let prefix = match target.match_indices('/').nth(slashes) {
            Some((i, _)) => &target[..i],
            None if target.matches('/').count() < slashes => return false,
            None => target,
        };
        path_match(glob, prefix) == Ok(true)
    })
}

/// Go's `path.Match`: whether `name` matches the shell pattern `pattern`.
///
/// `*` matches any run of non-`/` bytes, `?` one non-`/` character, `[...]`
/// a character class (`[^...]` negated, `a-z` ranges, `\` escapes), and `\c`
/// the character `c` literally.
pub fn path_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let mut pattern = pattern.as_bytes();
    let mut name = name.as_bytes();
    'chunks: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing star matches the rest of the name unless it has a '/'.
            return Ok(!name.contains(&b'/'));
        }
        // Try the chunk at the current position; the last chunk must also
        // consume the whole name.
        if let Some(t) = match_chunk(chunk, name)?
            && (t.is_empty() || !pattern.is_empty())
        {
            name = t;
            continue;
        }
        if star {
            // Let the star swallow 1, 2, ... bytes, never a '/'.
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                if let Some(t) = match_chunk(chunk, &name[i + 1..])? {
                    // As before, the last chunk must consume the whole name.
                    if t.is_empty() || !pattern.is_empty() {
                        name = t;
                        continue 'chunks;
                    }
                }
                i += 1;
            }
        }
        // No match: still report a malformed remainder of the pattern.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, b"")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off the leading stars and the following chunk (up to the next star
/// outside a character class): `(star, chunk, rest)`.
fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while let [b'*', rest @ ..] = pattern {
        pattern = rest;
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            // A trailing lone backslash is left for match_chunk to reject.
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => return (star, &pattern[..i], &pattern[i..]),
            _ => {}
        }
        i += 1;
    }
    (star, pattern, &[])
}

/// Matches `chunk` (no unescaped stars) against the start of `s`, returning
/// the unmatched rest of `s`. After a mismatch the rest of the chunk is still
/// parsed, so that a malformed chunk is always reported.
fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> Result<Option<&'a [u8]>, BadPattern> {
    let mut failed = false;
    while let Some(&c) = chunk.first() {
        failed = failed || s.is_empty();
        match c {
            b'[' => {
                // The character to classify; 0 once the match has failed.
                let mut r = 0u32;
                if !failed {
                    let (ch, n) = decode_rune(s);
                    r = u32::from(ch);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&b']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = class_char(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if let [b'-', rest @ ..] = chunk {
                        (hi, chunk) = class_char(rest)?;
                    }
                    matched = matched || (lo <= r && r <= hi);
                    ranges += 1;
                }
                failed = failed || matched == negated;
            }
            b'?' => {
                if !failed {
                    failed = s[0] == b'/';
                    let (_, n) = decode_rune(s);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                if c == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return Err(BadPattern);
                    }
                }
                if !failed {
                    failed = chunk[0] != s[0];
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    Ok((!failed).then_some(s))
}

/// Reads one possibly escaped character of a character class (Go's
/// `getEsc`). The class must continue after it, so running out of pattern is
/// an error, as are an unescaped `-` or `]` here and invalid UTF-8.
fn class_char(chunk: &[u8]) -> Result<(u32, &[u8]), BadPattern> {
    let chunk = match chunk {
        [] | [b'-' | b']', ..] => return Err(BadPattern),
        [b'\\'] => return Err(BadPattern),
        [b'\\', rest @ ..] => rest,
        _ => chunk,
    };
    let (r, n) = decode_rune(chunk);
    let rest = &chunk[n..];
    if (r == RUNE_ERROR && n == 1) || rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((u32::from(r), rest))
}
