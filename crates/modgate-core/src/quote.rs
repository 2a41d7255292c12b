//! Go's `strconv.Quote` family (what `fmt`'s `%q` prints) and `strconv.Unquote`.
//!
//! Go error messages embed user input with `%q`, so reproducing them byte for
//! byte needs Go's exact escaping: `\a \b \f \n \r \t \v`, `\\` and the quote
//! character backslashed, `\xNN` for ASCII control bytes and for bytes that
//! are not valid UTF-8, `\uNNNN`/`\UNNNNNNNN` for other non-printable
//! characters, and every character that Go's `IsPrint` accepts written as is.
//! Printability comes from [`crate::unicode::is_print`], whose tables are
//! generated from Go, so Rust's own `escape_debug` (which differs) is never used.
//!
//! Go strings are byte strings, so [`quote_bytes`] and [`unquote_bytes`] are
//! the exact ports; [`quote`] and [`unquote`] are the `&str` conveniences.
//! Follows `$GOROOT/src/strconv/quote.go`.

use crate::unicode::{RUNE_ERROR, decode_rune, is_print};

#[cfg(test)]
mod tests;

const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";

/// Go's `strconv.Quote` (and `%q` of a string): a double-quoted Go string literal.
pub fn quote(s: &str) -> String {
    quote_bytes(s.as_bytes())
}

/// Go's `strconv.Quote` of a Go string holding arbitrary bytes: each byte that
/// does not start a valid UTF-8 sequence is written as `\xNN`.
pub fn quote_bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    let mut rest = b;
    while !rest.is_empty() {
        let (c, width) = decode_rune(rest);
        if width == 1 && c == RUNE_ERROR {
            push_hex_byte(&mut out, rest[0]);
        } else {
            push_escaped(&mut out, c, '"');
        }
        rest = &rest[width..];
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune` (and `%q` of a rune): a single-quoted Go character literal.
pub fn quote_rune(c: char) -> String {
    let mut out = String::with_capacity(4);
    out.push('\'');
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Appends `\xNN` for one byte.
fn push_hex_byte(out: &mut String, b: u8) {
    out.push_str("\\x");
    out.push(char::from(LOWER_HEX[usize::from(b >> 4)]));
    out.push(char::from(LOWER_HEX[usize::from(b & 0xF)]));
}

/// Appends `c` as it appears inside a literal delimited by `quote`.
fn push_escaped(out: &mut String, c: char, quote: char) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{07}' => out.push_str("\\a"),
        '\u{08}' => out.push_str("\\b"),
        '\u{0C}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{0B}' => out.push_str("\\v"),
        // ASCII controls and DEL; the cast cannot truncate in this arm.
        c if c < ' ' || c == '\u{7F}' => push_hex_byte(out, c as u8),
        c => {
            let v = u32::from(c);
            let (prefix, digits) = if v < 0x10000 { ("\\u", 4) } else { ("\\U", 8) };
            out.push_str(prefix);
            for shift in (0..digits).rev() {
                out.push(char::from(LOWER_HEX[((v >> (4 * shift)) & 0xF) as usize]));
            }
        }
    }
}

/// Go's `strconv.Unquote` for `"..."`, `` `...` `` and `'...'` literals, as a
/// Rust string. Returns `None` on a syntax error, and also when the literal is
/// valid Go but denotes bytes that are not UTF-8 (for example `"\xff"`); use
/// [`unquote_bytes`] to get those bytes.
pub fn unquote(s: &str) -> Option<String> {
    String::from_utf8(unquote_bytes(s)?).ok()
}

/// Go's `strconv.Unquote`: the bytes a Go string literal denotes, or `None`
/// (Go's `ErrSyntax`) if `s` is not exactly one valid literal.
pub fn unquote_bytes(s: &str) -> Option<Vec<u8>> {
    let (value, rest) = scan_quoted(s.as_bytes(), true)?;
    rest.is_empty().then_some(value)
}

/// Go's `strconv.QuotedPrefix`: the quoted literal (quotes included, verbatim)
/// at the start of `s`, or `None` if `s` does not start with a valid one.
pub fn quoted_prefix(s: &str) -> Option<&str> {
    let (_, rest) = scan_quoted(s.as_bytes(), false)?;
    // A literal ends with an ASCII quote byte, so this is a char boundary.
    s.get(..s.len() - rest.len())
}

/// Parses the quoted literal at the start of `input`; returns its value (only
/// when `unescape` is set) and the remaining input.
fn scan_quoted(input: &[u8], unescape: bool) -> Option<(Vec<u8>, &[u8])> {
    if input.len() < 2 {
        return None;
    }
    let quote = input[0];
    // Position just after the first closing-quote candidate; escapes may move it.
    let end = input[1..].iter().position(|&b| b == quote)? + 2;
    match quote {
        b'`' => {
            // Raw strings take everything verbatim except that carriage
            // returns are discarded. Go does not check raw strings for UTF-8.
            let value = if unescape {
                input[1..end - 1]
                    .iter()
                    .copied()
                    .filter(|&b| b != b'\r')
                    .collect()
            } else {
                Vec::new()
            };
            Some((value, &input[end..]))
        }
        b'"' | b'\'' => {
            let body = &input[1..end - 1];
            if !body.contains(&b'\\') && !body.contains(&b'\n') {
                let valid = if quote == b'"' {
                    std::str::from_utf8(body).is_ok()
                } else {
                    let (c, n) = decode_rune(body);
                    n == body.len() && (c != RUNE_ERROR || n != 1)
                };
                if valid {
                    let value = if unescape { body.to_vec() } else { Vec::new() };
                    return Some((value, &input[end..]));
                }
            }
            let mut value = Vec::new();
            let mut rest = &input[1..];
            while let Some(&first) = rest.first() {
                if first == quote {
                    break;
                }
                if first == b'\n' {
                    return None;
                }
                let (ch, tail) = unquote_char(rest, quote)?;
                if unescape {
                    match ch {
                        Decoded::Byte(b) => value.push(b),
                        Decoded::Char(c) => {
                            let mut buf = [0u8; 4];
                            value.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                    }
                }
                rest = tail;
                if quote == b'\'' {
                    break;
                }
            }
            match rest.first() {
                Some(&b) if b == quote => Some((value, &rest[1..])),
                _ => None,
            }
        }
        _ => None,
    }
}

/// One decoded element of a quoted literal: a raw byte (plain ASCII, `\x`
/// and octal escapes) or a character (UTF-8 input, `\u`, `\U`).
enum Decoded {
    Byte(u8),
    Char(char),
}

/// Go's `strconv.UnquoteChar`: decodes the first character or escape of `s`
/// inside a literal delimited by `quote`.
fn unquote_char(s: &[u8], quote: u8) -> Option<(Decoded, &[u8])> {
    let &c = s.first()?;
    if c == quote && (quote == b'\'' || quote == b'"') {
        return None;
    }
    if c >= 0x80 {
        // Invalid UTF-8 decodes to U+FFFD, exactly as in Go.
        let (r, n) = decode_rune(s);
        return Some((Decoded::Char(r), &s[n..]));
    }
    if c != b'\\' {
        return Some((Decoded::Byte(c), &s[1..]));
    }
    let &esc = s.get(1)?;
    let s = &s[2..];
    let simple = |b: u8| Some((Decoded::Byte(b), s));
    match esc {
        b'a' => simple(0x07),
        b'b' => simple(0x08),
        b'f' => simple(0x0C),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'v' => simple(0x0B),
        b'\\' => simple(b'\\'),
        b'\'' | b'"' if esc == quote => simple(esc),
        b'x' | b'u' | b'U' => {
            let n = match esc {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let digits = s.get(..n)?;
            let mut v: u32 = 0;
            for &d in digits {
                v = (v << 4) | char::from(d).to_digit(16)?;
            }
            let rest = &s[n..];
            if esc == b'x' {
                // Two hex digits always fit a byte.
                return Some((Decoded::Byte(v as u8), rest));
            }
            Some((Decoded::Char(char::from_u32(v)?), rest))
        }
        b'0'..=b'7' => {
            let digits = s.get(..2)?;
            let mut v = u32::from(esc - b'0');
            for &d in digits {
                if !(b'0'..=b'7').contains(&d) {
                    return None;
                }
                v = (v << 3) | u32::from(d - b'0');
            }
            let b = u8::try_from(v).ok()?;
            Some((Decoded::Byte(b), &s[2..]))
        }
        _ => None,
    }
}
