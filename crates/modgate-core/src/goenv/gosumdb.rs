//! `GOSUMDB` values, parsed as `dbDial` in
//! `$GOROOT/src/cmd/go/internal/modfetch/sumdb.go` does, with the verifier
//! key checked as `golang.org/x/mod/sumdb/note.NewVerifier` checks it.
//!
//! Forms: `off`; a database name (known names are replaced by their built-in
//! key); a verifier key `name+hash+keydata`; either followed by white space
//! and a URL to reach the database at. `sum.golang.google.cn` is an alias for
//! `sum.golang.org` served from that host. The database name must look like
//! `host[/path]` when read as `https://<name>`.

use std::fmt;

use super::url::{Url, UrlError};
use crate::unicode::is_space;

#[cfg(test)]
mod tests;

/// The go command's default `GOSUMDB` (from `$GOROOT/go.env`).
pub const DEFAULT: &str = "sum.golang.org";

/// The verifier key of `sum.golang.org`, built into the go command (`key.go`).
pub const SUM_GOLANG_ORG_KEY: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

/// The databases whose keys the go command knows by name.
const KNOWN_GOSUMDB: &[(&str, &str)] = &[("sum.golang.org", SUM_GOLANG_ORG_KEY)];

/// A parsed `GOSUMDB` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SumdbConfig {
    /// `GOSUMDB=off`: no checksum database.
    Off,
    /// A checksum database.
    On {
        /// The database name, e.g. `sum.golang.org`.
        name: String,
        /// The full verifier key, `name+hash+keydata`.
        key: String,
        /// The URL given after the key, if any; it replaces both the direct
        /// URL `https://<name>` and any proxying through GOPROXY.
        url: Option<String>,
    },
}

impl SumdbConfig {
    /// Where the go command reaches the database when it does not go through
    /// a proxy: the explicit URL, or `https://<name>`. `None` when off.
    pub fn direct_url(&self) -> Option<String> {
        match self {
            SumdbConfig::Off => None,
            SumdbConfig::On { url: Some(u), .. } => Some(u.clone()),
            SumdbConfig::On { name, .. } => Some(format!("https://{name}")),
        }
    }
}

pub use crate::sumdb::note::VerifierKey;

/// Why a verifier key was rejected; `Display` gives `note`'s message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifierKeyError {
    /// Bad syntax: not `name+8hex+base64`, a bad name, or a key of the wrong size.
    Malformed,
    /// The hash does not match the name and key.
    BadHash,
    /// The key's algorithm byte is not 1 (Ed25519).
    UnknownAlgorithm,
}

impl fmt::Display for VerifierKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VerifierKeyError::Malformed => "malformed verifier id",
            VerifierKeyError::BadHash => "invalid verifier hash",
            VerifierKeyError::UnknownAlgorithm => "unknown verifier algorithm",
        })
    }
}

impl std::error::Error for VerifierKeyError {}

/// Why a `GOSUMDB` value was rejected; `Display` gives the go command's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GosumdbError {
    /// Only white space.
    Missing,
    /// More than two fields.
    TooManyFields,
    /// The key (or name) is not a valid verifier key.
    Key(VerifierKeyError),
    /// The database name is not `host[/path]`. `detail` is Go's `%+v` of the
    /// parsed `https://<name>` URL (see [`GosumdbError::InvalidName`]'s
    /// Display), or, where that URL does not even parse — a case in which
    /// Go 1.27.3 crashes — the parse error.
    InvalidName {
        /// The database name.
        name: String,
        /// What follows the name in the message.
        detail: String,
    },
    /// The URL after the key does not parse.
    Url(UrlError),
}

impl fmt::Display for GosumdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GosumdbError::Missing => f.write_str("missing GOSUMDB"),
            GosumdbError::TooManyFields => f.write_str("invalid GOSUMDB: too many fields"),
            GosumdbError::Key(e) => write!(f, "invalid GOSUMDB: {e}"),
            GosumdbError::InvalidName { name, detail } => {
                write!(
                    f,
                    "invalid sumdb name (must be host[/path]): {name} {detail}"
                )
            }
            GosumdbError::Url(e) => write!(f, "invalid GOSUMDB URL: {e}"),
        }
    }
}

impl std::error::Error for GosumdbError {}

/// Parses a `GOSUMDB` value; `""` means the default, [`DEFAULT`].
pub fn parse(value: &str) -> Result<SumdbConfig, GosumdbError> {
    let value = match value {
        "" => DEFAULT,
        // The alias reachable from mainland China.
        "sum.golang.google.cn" => "sum.golang.org https://sum.golang.google.cn",
        v => v,
    };
    if value == "off" {
        return Ok(SumdbConfig::Off);
    }
    let mut fields: Vec<&str> = value.split(is_space).filter(|f| !f.is_empty()).collect();
    if let Some(first) = fields.first_mut()
        && let Some(&(_, key)) = KNOWN_GOSUMDB.iter().find(|(name, _)| name == first)
    {
        *first = key;
    }
    let (key, url) = match fields[..] {
        [] => return Err(GosumdbError::Missing),
        [key] => (key, None),
        [key, url] => (key, Some(url)),
        _ => return Err(GosumdbError::TooManyFields),
    };
    let name = parse_verifier_key(key).map_err(GosumdbError::Key)?.name;
    check_name(&name)?;
    if let Some(url) = url {
        Url::parse(url).map_err(GosumdbError::Url)?;
    }
    Ok(SumdbConfig::On {
        name,
        key: key.to_owned(),
        url: url.map(str::to_owned),
    })
}

/// The name must read as `https://<name>` with a host, an optional path and
/// nothing else: no user info, query or fragment, no path that needs
/// escaping, and no trailing slash.
fn check_name(name: &str) -> Result<(), GosumdbError> {
    let invalid = |detail: String| GosumdbError::InvalidName {
        name: name.to_owned(),
        detail,
    };
    let direct = Url::parse(&format!("https://{name}")).map_err(|e| invalid(format!("({e})")))?;
    let ok = !name.ends_with('/')
        && direct.scheme == "https"
        && direct.is_host_and_path_only()
        && direct.raw_path.is_empty()
        && !direct.host.is_empty();
    if ok {
        Ok(())
    } else {
        Err(invalid(direct.go_struct_string()))
    }
}

/// Checks a verifier key as `note.NewVerifier` does (the note module holds
/// the rules); the error is the GOSUMDB-facing kind with the same text.
pub fn parse_verifier_key(vkey: &str) -> Result<VerifierKey, VerifierKeyError> {
    use crate::sumdb::note::NoteError;
    crate::sumdb::note::parse_verifier_key(vkey).map_err(|e| match e {
        NoteError::InvalidKeyHash => VerifierKeyError::BadHash,
        NoteError::UnknownAlgorithm => VerifierKeyError::UnknownAlgorithm,
        _ => VerifierKeyError::Malformed,
    })
}
