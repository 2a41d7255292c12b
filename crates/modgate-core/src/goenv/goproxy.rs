//! `GOPROXY` lists, parsed as `proxyList` in
//! `$GOROOT/src/cmd/go/internal/modfetch/proxy.go` does.
//!
//! The value is split at `,` and `|`; the separator after an entry decides
//! its fallback (`|`: fall through to the next entry on any error; `,` or the
//! end: only on "not found"). Entries are trimmed and empty ones skipped;
//! `off` and `direct` end the list. A bare host-like entry gets `https://`,
//! and every URL must parse with Go's `net/url` rules and use `https`,
//! `http` or a path-only `file` URL. When `GONOPROXY` is set (and `GOPROXY`
//! is not exactly `direct`) the go command puts an implicit `noproxy` entry
//! first.

use std::fmt;

use super::url::{Url, UrlError};

#[cfg(test)]
mod tests;

/// The go command's default `GOPROXY` (from `$GOROOT/go.env`).
pub const DEFAULT: &str = "https://proxy.golang.org,direct";

/// A parsed `GOPROXY` list, in the order the go command tries the entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyList {
    /// The entries; never empty.
    pub entries: Vec<ProxyEntry>,
}

/// One entry of a [`ProxyList`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyEntry {
    /// What the entry is.
    pub kind: ProxyKind,
    /// Whether a failure of any kind falls through to the next entry (the
    /// entry was followed by `|`). Otherwise only "not found" (404/410) does.
    /// Always false for `direct`, `off` and `noproxy`.
    pub fallback_on_any_error: bool,
}

/// The kinds of [`ProxyEntry`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyKind {
    /// A proxy base URL, with `https://` already prepended where the go
    /// command adds it.
    Url(String),
    /// `direct`: fetch from version control.
    Direct,
    /// `off`: fail every download.
    Off,
    /// The implicit first entry added when `GONOPROXY` is set: paths matching
    /// `GONOPROXY` are fetched directly, all others are "not found" here.
    Noproxy,
}

/// Why a `GOPROXY` value was rejected; `Display` gives the go command's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoproxyError {
    /// The URL does not parse (`parse "…": …`).
    Url(UrlError),
    /// A URL without a scheme, e.g. `localhost` (redacted URL inside).
    MissingScheme(String),
    /// A scheme other than https, http or file (redacted URL inside).
    BadScheme(String),
    /// A `file:` URL with more than a path (redacted URL inside).
    FileNotPathOnly(String),
    /// The value is not empty but holds no entries (e.g. `,` or spaces).
    NoEntries,
}

impl fmt::Display for GoproxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoproxyError::Url(e) => e.fmt(f),
            GoproxyError::MissingScheme(u) => write!(f, "invalid proxy URL missing scheme: {u}"),
            GoproxyError::BadScheme(u) => {
                write!(
                    f,
                    "invalid proxy URL scheme (must be https, http, file): {u}"
                )
            }
            GoproxyError::FileNotPathOnly(u) => {
                write!(f, "invalid file:// proxy URL with non-path elements: {u}")
            }
            GoproxyError::NoEntries => {
                f.write_str("GOPROXY list is not the empty string, but contains no entries")
            }
        }
    }
}

impl std::error::Error for GoproxyError {}

/// Parses a `GOPROXY` value; `""` means the default, [`DEFAULT`].
pub fn parse(value: &str) -> Result<ProxyList, GoproxyError> {
    parse_with_gonoproxy(value, "")
}

/// Parses `GOPROXY` as the go command does when `GONOPROXY` (which defaults
/// to `GOPRIVATE`) is `gonoproxy`: a non-empty `gonoproxy` adds the implicit
/// [`ProxyKind::Noproxy`] entry first, unless `GOPROXY` is exactly `direct`.
pub fn parse_with_gonoproxy(goproxy: &str, gonoproxy: &str) -> Result<ProxyList, GoproxyError> {
    let goproxy = if goproxy.is_empty() { DEFAULT } else { goproxy };
    let mut entries = Vec::new();
    if !gonoproxy.is_empty() && goproxy != "direct" {
        entries.push(ProxyEntry {
            kind: ProxyKind::Noproxy,
            fallback_on_any_error: false,
        });
    }
    let mut rest = goproxy;
    while !rest.is_empty() {
        let (entry, fallback_on_any_error) = match rest.find([',', '|']) {
            Some(i) => {
                let entry = &rest[..i];
                let sep = rest.as_bytes()[i];
                rest = &rest[i + 1..];
                (entry, sep == b'|')
            }
            None => (std::mem::take(&mut rest), false),
        };
        let entry = trim_space(entry);
        match entry {
            "" => continue,
            "off" | "direct" => {
                let kind = if entry == "off" {
                    ProxyKind::Off
                } else {
                    ProxyKind::Direct
                };
                entries.push(ProxyEntry {
                    kind,
                    fallback_on_any_error: false,
                });
                // Later entries are ignored, for forward compatibility.
                break;
            }
            _ => {
                let url = with_default_scheme(entry);
                check_proxy_url(&url)?;
                entries.push(ProxyEntry {
                    kind: ProxyKind::Url(url),
                    fallback_on_any_error,
                });
            }
        }
    }
    let only_noproxy = entries.len() == 1 && entries[0].kind == ProxyKind::Noproxy;
    if entries.is_empty() || only_noproxy {
        return Err(GoproxyError::NoEntries);
    }
    Ok(ProxyList { entries })
}

/// Go's `strings.TrimSpace`: trims Unicode white space.
fn trim_space(s: &str) -> &str {
    s.trim_matches(crate::unicode::is_space)
}

/// Prepends `https://` to entries that look like a host or host/path:
/// containing `.`, `:` or `/`, but not `:/`, and not an absolute path.
/// (The go command also treats Windows absolute paths as complete; this
/// follows the Unix rule.)
fn with_default_scheme(entry: &str) -> String {
    let host_like =
        entry.contains(['.', ':', '/']) && !entry.contains(":/") && !entry.starts_with('/');
    if host_like {
        format!("https://{entry}")
    } else {
        entry.to_owned()
    }
}

/// The checks `newProxyRepo` makes on a proxy base URL.
fn check_proxy_url(raw: &str) -> Result<(), GoproxyError> {
    let url = Url::parse(raw).map_err(GoproxyError::Url)?;
    match url.scheme.as_str() {
        "http" | "https" => Ok(()),
        "file" if url.is_path_only() => Ok(()),
        "file" => Err(GoproxyError::FileNotPathOnly(url.redacted())),
        "" => Err(GoproxyError::MissingScheme(url.redacted())),
        _ => Err(GoproxyError::BadScheme(url.redacted())),
    }
}
