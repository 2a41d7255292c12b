//! Go's `unicode/utf8.DecodeRune`.
//!
//! Go strings are byte strings; Go code that ranges over one decodes each
//! character with `DecodeRune`, which yields U+FFFD with width 1 for every
//! byte that does not start a valid, shortest-form UTF-8 sequence. Ports of
//! such code (for example `path.Match`, `strconv.Quote` of raw bytes) use this
//! to step through `&[u8]` exactly as Go does.

/// U+FFFD, what Go decodes an invalid byte to (`utf8.RuneError`).
pub const RUNE_ERROR: char = '\u{FFFD}';

/// Go's `utf8.DecodeRune`: the first character of `b` and its width in bytes.
///
/// Returns `(RUNE_ERROR, 0)` for empty input and `(RUNE_ERROR, 1)` when `b`
/// does not start with a valid UTF-8 sequence (bad lead byte, truncated or
/// overlong sequence, surrogate, or a value above U+10FFFF).
pub fn decode_rune(b: &[u8]) -> (char, usize) {
    let Some(&b0) = b.first() else {
        return (RUNE_ERROR, 0);
    };
    if b0 < 0x80 {
        return (char::from(b0), 1);
    }
    // Width from the lead byte, plus the allowed range of the second byte,
    // which is what excludes overlong forms, surrogates and values > U+10FFFF.
    let (width, lo, hi) = match b0 {
        0xC2..=0xDF => (2, 0x80, 0xBF),
        0xE0 => (3, 0xA0, 0xBF),
        0xE1..=0xEC | 0xEE..=0xEF => (3, 0x80, 0xBF),
        0xED => (3, 0x80, 0x9F),
        0xF0 => (4, 0x90, 0xBF),
        0xF1..=0xF3 => (4, 0x80, 0xBF),
        0xF4 => (4, 0x80, 0x8F),
        _ => return (RUNE_ERROR, 1),
    };
    let Some(seq) = b.get(..width) else {
        return (RUNE_ERROR, 1);
    };
    if !(lo..=hi).contains(&seq[1]) || seq[2..].iter().any(|&c| !(0x80..=0xBF).contains(&c)) {
        return (RUNE_ERROR, 1);
    }
    match std::str::from_utf8(seq).ok().and_then(|s| s.chars().next()) {
        Some(c) => (c, width),
        None => (RUNE_ERROR, 1),
    }
}
