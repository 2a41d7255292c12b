//! The subset of Go's `net/url` that GOPROXY and GOSUMDB validation depends
//! on: `url.Parse` (with its exact error messages), the parsed fields, and
//! `URL.String`/`Redacted` for the URLs quoted in the go command's errors.
//!
//! The go command decides whether a GOPROXY entry or a GOSUMDB name is
//! acceptable by parsing it with `net/url` and inspecting the result, so a
//! faithful port is the only way to accept and reject exactly the same
//! strings. Decoded components are bytes, since percent-decoding can yield
//! any byte. Follows `$GOROOT/src/net/url/url.go` (Go 1.27, with the default
//! `GODEBUG=urlstrictcolons=1`: an http(s) host may hold only one colon).

use std::fmt;

use super::netip::{AddrKind, parse_addr};
use crate::quote::{quote, quote_bytes};

#[cfg(test)]
mod tests;

/// Go's `url.Error` for `Parse`: `parse "<url>": <reason>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlError {
    /// The URL text that failed (without its fragment, if the failure was
    /// before the fragment was examined).
    pub url: String,
    /// Go's reason, e.g. `invalid character " " in host name`.
    pub reason: String,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "parse {}: {}", quote(&self.url), self.reason)
    }
}

impl std::error::Error for UrlError {}

/// Go's `url.Userinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Userinfo {
    pub username: Vec<u8>,
    pub password: Option<Vec<u8>>,
}

/// Go's `url.URL`; field meanings as in Go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Url {
    pub scheme: String,
    pub opaque: String,
    pub user: Option<Userinfo>,
    pub host: Vec<u8>,
    pub path: Vec<u8>,
    pub raw_path: String,
    pub force_query: bool,
    pub raw_query: String,
    pub fragment: Vec<u8>,
    pub raw_fragment: String,
    pub omit_host: bool,
}

/// Go's `encoding` modes: which part of a URL a string is escaped for (the
/// query and path-segment modes are never needed here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

/// Go's `shouldEscape`: whether byte `c` must be percent-encoded in `mode`.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Mode::Host | Mode::Zone)
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => return c == b'?',
            Mode::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => return false,
            Mode::Host | Mode::Zone => {}
        },
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn unhex(c: u8) -> u8 {
    // Only called on ASCII hex digits.
    char::from(c).to_digit(16).map_or(0, |d| d as u8)
}

/// Go's `unescape`: decodes `%XX`, rejecting malformed escapes (and, in
/// hosts, escaped ASCII and unescaped characters a host cannot hold).
fn unescape(s: &[u8], mode: Mode) -> Result<Vec<u8>, String> {
    let escape_error = |bad: &[u8]| format!("invalid URL escape {}", quote_bytes(bad));
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                if i + 2 >= s.len()
                    || !s[i + 1].is_ascii_hexdigit()
                    || !s[i + 2].is_ascii_hexdigit()
                {
                    let end = (i + 3).min(s.len());
                    return Err(escape_error(&s[i..end]));
                }
                let esc = &s[i..i + 3];
                // RFC 3986 lets a host escape only non-ASCII bytes; RFC 6874
                // adds %25 for an IPv6 zone.
                if mode == Mode::Host && unhex(s[i + 1]) < 8 && esc != b"%25" {
                    return Err(escape_error(esc));
                }
                if mode == Mode::Zone {
                    let v = (unhex(s[i + 1]) << 4) | unhex(s[i + 2]);
                    if esc != b"%25" && v != b' ' && should_escape(v, Mode::Host) {
                        return Err(escape_error(esc));
                    }
                }
                i += 3;
            }
            c => {
                if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && should_escape(c, mode) {
                    return Err(format!(
                        "invalid character {} in host name",
                        quote_bytes(&s[i..i + 1])
                    ));
                }
                i += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                out.push((unhex(s[i + 1]) << 4) | unhex(s[i + 2]));
                i += 3;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Go's `escape`: percent-encodes the bytes that `mode` does not allow.
fn escape(s: &[u8], mode: Mode) -> String {
    const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &c in s {
        if should_escape(c, mode) {
            out.push('%');
            out.push(char::from(UPPER_HEX[usize::from(c >> 4)]));
            out.push(char::from(UPPER_HEX[usize::from(c & 15)]));
        } else {
            out.push(char::from(c));
        }
    }
    out
}

/// Go's `validEncoded`: `s` needs no further escaping in `mode`.
fn valid_encoded(s: &str, mode: Mode) -> bool {
    s.bytes().all(|c| {
        matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'['
                | b']'
                | b'%'
        ) || !should_escape(c, mode)
    })
}

/// Go's `validOptionalPort`: empty, or `:` followed by digits.
fn valid_optional_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
        None => port.is_empty(),
    }
}

/// Go's `validUserinfo`: the RFC 3986 userinfo characters, plus `@`.
fn valid_userinfo(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                '-' | '.'
                    | '_'
                    | ':'
                    | '~'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
                    | '%'
                    | '@'
            )
    })
}

impl Url {
    /// Go's `url.Parse`.
    pub(crate) fn parse(raw: &str) -> Result<Url, UrlError> {
        let (u, frag) = raw.split_once('#').unwrap_or((raw, ""));
        let mut url = parse_reference(u).map_err(|reason| UrlError {
            url: u.to_owned(),
            reason,
        })?;
        if frag.is_empty() {
            return Ok(url);
        }
        url.set_fragment(frag).map_err(|reason| UrlError {
            url: raw.to_owned(),
            reason,
        })?;
        Ok(url)
    }

    fn set_path(&mut self, p: &str) -> Result<(), String> {
        self.path = unescape(p.as_bytes(), Mode::Path)?;
        self.raw_path = if escape(&self.path, Mode::Path) == p {
            String::new()
        } else {
            p.to_owned()
        };
        Ok(())
    }

    fn set_fragment(&mut self, f: &str) -> Result<(), String> {
        self.fragment = unescape(f.as_bytes(), Mode::Fragment)?;
        self.raw_fragment = if escape(&self.fragment, Mode::Fragment) == f {
            String::new()
        } else {
            f.to_owned()
        };
        Ok(())
    }

    /// Go's `URL.EscapedPath`.
    fn escaped_path(&self) -> String {
        if !self.raw_path.is_empty()
            && valid_encoded(&self.raw_path, Mode::Path)
            && unescape(self.raw_path.as_bytes(), Mode::Path).as_deref() == Ok(&self.path[..])
        {
            return self.raw_path.clone();
        }
        if self.path == b"*" {
            return "*".to_owned();
        }
        escape(&self.path, Mode::Path)
    }

    /// Go's `URL.EscapedFragment`.
    fn escaped_fragment(&self) -> String {
        if !self.raw_fragment.is_empty()
            && valid_encoded(&self.raw_fragment, Mode::Fragment)
            && unescape(self.raw_fragment.as_bytes(), Mode::Fragment).as_deref()
                == Ok(&self.fragment[..])
        {
            return self.raw_fragment.clone();
        }
        escape(&self.fragment, Mode::Fragment)
    }

    /// Go's `URL.Redacted`: `String` with any password replaced by `xxxxx`.
    pub(crate) fn redacted(&self) -> String {
        let mut u = self.clone();
        if let Some(user) = &mut u.user
            && user.password.is_some()
        {
            user.password = Some(b"xxxxx".to_vec());
        }
        u.to_string()
    }

    /// Whether nothing but the scheme, host, path and raw path is set (Go
    /// compares the struct with `url.URL{Scheme: .., Host: .., Path: .., RawPath: ..}`).
    pub(crate) fn is_host_and_path_only(&self) -> bool {
        self.opaque.is_empty()
            && self.user.is_none()
            && !self.force_query
            && self.raw_query.is_empty()
            && self.fragment.is_empty()
            && self.raw_fragment.is_empty()
            && !self.omit_host
    }

    /// Whether nothing but the scheme, path and raw path is set.
    pub(crate) fn is_path_only(&self) -> bool {
        self.host.is_empty() && self.is_host_and_path_only()
    }

    /// Go's `%+v` rendering of a `url.URL` value, as the go command prints it
    /// in "invalid sumdb name" errors. `User` prints through `Userinfo.String`,
    /// which is empty for no user info; decoded fields print as raw bytes.
    pub(crate) fn go_struct_string(&self) -> String {
        let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        format!(
            "{{Scheme:{} Opaque:{} User:{} Host:{} Path:{} Fragment:{} RawQuery:{} RawPath:{} RawFragment:{} ForceQuery:{} OmitHost:{}}}",
            self.scheme,
            self.opaque,
            self.user
                .as_ref()
                .map(Userinfo::to_go_string)
                .unwrap_or_default(),
            lossy(&self.host),
            lossy(&self.path),
            lossy(&self.fragment),
            self.raw_query,
            self.raw_path,
            self.raw_fragment,
            self.force_query,
            self.omit_host,
        )
    }
}

impl Userinfo {
    /// Go's `Userinfo.String`: `username[:password]`, escaped.
    fn to_go_string(&self) -> String {
        let mut s = escape(&self.username, Mode::UserPassword);
        if let Some(password) = &self.password {
            s.push(':');
            s.push_str(&escape(password, Mode::UserPassword));
        }
        s
    }
}

impl fmt::Display for Url {
    /// Go's `URL.String`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            let no_authority = self.host.is_empty() && self.user.is_none();
            // An authority is written unless there is none to write, or the
            // URL explicitly had an empty one (`OmitHost`).
            let write_authority = !no_authority || (!self.scheme.is_empty() && !self.omit_host);
            if write_authority {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if let Some(user) = &self.user {
                    buf.push_str(&user.to_go_string());
                    buf.push('@');
                }
                buf.push_str(&escape(&self.host, Mode::Host));
            }
            let mut path = self.escaped_path();
            if self.omit_host && no_authority && path.starts_with("//") {
                // Keep a re-parse from reading the path as an authority.
                buf.push_str("%2F");
                path.remove(0);
            }
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() && path.split('/').next().is_some_and(|seg| seg.contains(':')) {
                // "./" keeps a first segment with a colon from looking like a scheme.
                buf.push_str("./");
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&self.escaped_fragment());
        }
        f.write_str(&buf)
    }
}

/// Go's `getScheme`: splits `scheme:` off `raw` if it starts with one.
fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

/// Go's `parse(rawURL, false)`: a URL reference without its fragment.
fn parse_reference(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = b"*".to_vec();
        return Ok(url);
    }
    let (scheme, mut rest) = get_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((before, query)) = rest.split_once('?') {
        url.raw_query = query.to_owned();
        rest = before;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            // A rootless path after a scheme is opaque (RFC 3986).
            url.opaque = rest.to_owned();
            return Ok(url);
        }
        if rest.split('/').next().is_some_and(|seg| seg.contains(':')) {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority_and_path = &rest[2..];
        let (authority, path) = match authority_and_path.find('/') {
            Some(i) => authority_and_path.split_at(i),
            None => (authority_and_path, ""),
        };
        parse_authority(&mut url, authority)?;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    url.set_path(rest)?;
    Ok(url)
}

/// Go's `parseAuthority`: `[userinfo@]host`.
fn parse_authority(url: &mut Url, authority: &str) -> Result<(), String> {
    let (userinfo, host) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    url.host = parse_host(&url.scheme, host)?;
    let Some(userinfo) = userinfo else {
        return Ok(());
    };
    if !valid_userinfo(userinfo) {
        return Err("net/url: invalid userinfo".into());
    }
    url.user = Some(match userinfo.split_once(':') {
        None => Userinfo {
            username: unescape(userinfo.as_bytes(), Mode::UserPassword)?,
            password: None,
        },
        Some((name, password)) => Userinfo {
            username: unescape(name.as_bytes(), Mode::UserPassword)?,
            password: Some(unescape(password.as_bytes(), Mode::UserPassword)?),
        },
    });
    Ok(())
}

/// Go's `parseHost`: `host[:port]`, or a bracketed IPv6 literal with an
/// optional `%25zone` and port.
fn parse_host(scheme: &str, host: &str) -> Result<Vec<u8>, String> {
    let invalid_port = |p: &str| format!("invalid port {} after host", quote(p));
    match host.rfind('[') {
        Some(i) if i > 0 => return Err("invalid IP-literal".into()),
        Some(_) => {
            let close = host.rfind(']').ok_or("missing ']' in host")?;
            let colon_port = &host[close + 1..];
            if !valid_optional_port(colon_port) {
                return Err(invalid_port(colon_port));
            }
            let unescaped_port = unescape(colon_port.as_bytes(), Mode::Host)?;
            let hostname = &host[1..close];
            let mut unescaped = match hostname.find("%25") {
                Some(z) => {
                    let (host_part, zone_part) = hostname.as_bytes().split_at(z);
                    let mut h = unescape(host_part, Mode::Host)?;
                    h.extend(unescape(zone_part, Mode::Zone)?);
                    h
                }
                None => unescape(hostname.as_bytes(), Mode::Host)?,
            };
            // Only an IPv6 address may be bracketed.
            match parse_addr(&unescaped) {
                Err(e) => return Err(format!("invalid host: {e}")),
                Ok(AddrKind::V4) => return Err("invalid IP-literal".into()),
                Ok(AddrKind::V6) => {}
            }
            let mut out = b"[".to_vec();
            out.append(&mut unescaped);
            out.push(b']');
            out.extend(unescaped_port);
            return Ok(out);
        }
        None => {}
    }
    if let Some(first) = host.find(':') {
        // Only http and https insist on a single colon; other schemes allow
        // host lists such as "h1:1,h2:2" and take the port after the last one.
        let i = if scheme == "http" || scheme == "https" {
            first
        } else {
            host.rfind(':').unwrap_or(first)
        };
        let colon_port = &host[i..];
        if !valid_optional_port(colon_port) {
            return Err(invalid_port(colon_port));
        }
    }
    unescape(host.as_bytes(), Mode::Host)
}
