//! Go's `net/netip.ParseAddr`, only as far as URL host validation needs it:
//! whether a bracketed host is a valid IP address, whether it is IPv4, and
//! Go's exact error message when it is not.
//!
//! Follows `$GOROOT/src/net/netip/netip.go` (`ParseAddr`, `parseIPv4Fields`,
//! `parseIPv6`). Inputs are bytes because a URL host is percent-decoded
//! before it is parsed and may hold arbitrary bytes.

use crate::quote::quote_bytes;

#[cfg(test)]
mod tests;

/// The kind of address `parse_addr` recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddrKind {
    V4,
    V6,
}

/// Go's `netip.ParseAddr`: the address kind, or Go's error message
/// (`ParseAddr("…"): <reason>[ (at "…")]`).
pub(crate) fn parse_addr(s: &[u8]) -> Result<AddrKind, String> {
    for &c in s {
        match c {
            b'.' => return parse_ipv4(s).map(|()| AddrKind::V4),
            b':' => return parse_ipv6(s).map(|()| AddrKind::V6),
            b'%' => return Err(addr_error(s, "missing IPv6 address", None)),
            _ => {}
        }
    }
    Err(addr_error(s, "unable to parse IP", None))
}

fn addr_error(input: &[u8], msg: &str, at: Option<&[u8]>) -> String {
    match at {
        Some(at) if !at.is_empty() => format!(
            "ParseAddr({}): {msg} (at {})",
            quote_bytes(input),
            quote_bytes(at)
        ),
        _ => format!("ParseAddr({}): {msg}", quote_bytes(input)),
    }
}

fn parse_ipv4(s: &[u8]) -> Result<(), String> {
    parse_ipv4_fields(s, 0, s.len())
}

/// Validates the dotted quad `input[off..end]`; errors name the whole input.
fn parse_ipv4_fields(input: &[u8], off: usize, end: usize) -> Result<(), String> {
    let s = &input[off..end];
    let mut val: u32 = 0;
    let mut pos = 0;
    let mut dig_len = 0;
    for (i, &c) in s.iter().enumerate() {
        if c.is_ascii_digit() {
            if dig_len == 1 && val == 0 {
                return Err(addr_error(
                    input,
                    "IPv4 field has octet with leading zero",
                    None,
                ));
            }
            val = val * 10 + u32::from(c - b'0');
            dig_len += 1;
            if val > 255 {
                return Err(addr_error(input, "IPv4 field has value >255", None));
            }
        } else if c == b'.' {
            if i == 0 || i == s.len() - 1 || s[i - 1] == b'.' {
                return Err(addr_error(
                    input,
                    "IPv4 field must have at least one digit",
                    Some(&s[i..]),
                ));
            }
            if pos == 3 {
                return Err(addr_error(input, "IPv4 address too long", None));
            }
            pos += 1;
            val = 0;
            dig_len = 0;
        } else {
            return Err(addr_error(input, "unexpected character", Some(&s[i..])));
        }
    }
    if pos < 3 {
        return Err(addr_error(input, "IPv4 address too short", None));
    }
    Ok(())
}

fn parse_ipv6(input: &[u8]) -> Result<(), String> {
    let mut s = input;
    let mut zone_len = 0;
    if let Some(i) = s.iter().position(|&c| c == b'%') {
        let zone = &s[i + 1..];
        if zone.is_empty() {
            return Err(addr_error(input, "zone must be a non-empty string", None));
        }
        zone_len = zone.len();
        s = &s[..i];
    }
    // Bytes of the 16-byte address filled so far, and where "::" was seen.
    let mut ellipsis: Option<usize> = None;
    if s.starts_with(b"::") {
        ellipsis = Some(0);
        s = &s[2..];
        if s.is_empty() {
            return Ok(());
        }
    }
    let mut i = 0;
    while i < 16 {
        let mut off = 0;
        let mut acc: u32 = 0;
        while off < s.len() {
            let Some(d) = char::from(s[off]).to_digit(16) else {
                break;
            };
            acc = (acc << 4) + d;
            if off > 3 {
                return Err(addr_error(
                    input,
                    "each group must have 4 or less digits",
                    Some(s),
                ));
            }
            if acc > 0xFFFF {
                return Err(addr_error(input, "IPv6 field has value >=2^16", Some(s)));
            }
            off += 1;
        }
        if off == 0 {
            return Err(addr_error(
                input,
                "each colon-separated field must have at least one digit",
                Some(s),
            ));
        }
        // A dot means the rest is an embedded IPv4 address.
        if s.get(off) == Some(&b'.') {
            if ellipsis.is_none() && i != 12 {
                return Err(addr_error(
                    input,
                    "embedded IPv4 address must replace the final 2 fields of the address",
                    Some(s),
                ));
            }
            if i + 4 > 16 {
                return Err(addr_error(
                    input,
                    "too many hex fields to fit an embedded IPv4 at the end of the address",
                    Some(s),
                ));
            }
            let end = if zone_len > 0 {
                input.len() - zone_len - 1
            } else {
                input.len()
            };
            parse_ipv4_fields(input, end - s.len(), end)?;
            s = &[];
            i += 4;
            break;
        }
        i += 2;
        s = &s[off..];
        if s.is_empty() {
            break;
        }
        if s[0] != b':' {
            return Err(addr_error(
                input,
                "unexpected character, want colon",
                Some(s),
            ));
        } else if s.len() == 1 {
            return Err(addr_error(
                input,
                "colon must be followed by more characters",
                Some(s),
            ));
        }
        s = &s[1..];
        if s[0] == b':' {
            if ellipsis.is_some() {
                return Err(addr_error(input, "multiple :: in address", Some(s)));
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return Err(addr_error(input, "trailing garbage after address", Some(s)));
    }
    if i < 16 {
        if ellipsis.is_none() {
            return Err(addr_error(input, "address string too short", None));
        }
    } else if ellipsis.is_some() {
        return Err(addr_error(
            input,
            "the :: must expand to at least one field of zeros",
            None,
        ));
    }
    Ok(())
}
