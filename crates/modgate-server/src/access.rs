//! Inbound access control: who may read which modules.
//!
//! Clients present a token either as HTTP Basic credentials with the token as the
//! password (what the go command sends from `.netrc` or a GOAUTH provider; the user
//! name is ignored, and a token given as the user name with an empty password is
//! accepted too) or as `Authorization: Bearer <token>`. Go's side of this is
//! `cmd/go/internal/auth` (`AddCredentials`, `readNetrc`): credentials are only ever
//! sent over HTTPS, so modgate is reached through TLS when tokens are in use.
//!
//! Tokens come from the config file (`[[tokens]]`); each has a `name` (the only
//! thing logs show), a secret given as its SHA-256 (`sha256 = "<hex>"`), an
//! environment variable (`env`) or a file (`file`) — never inline in plain text, as
//! config files end up in repositories — and the GOPRIVATE-syntax `modules` it may
//! read among the private paths. Only digests are kept in memory: a presented token
//! is hashed and compared with every configured digest in constant time
//! (`subtle`), without stopping at the first match.
//!
//! The rules, decided from the request path and the credentials alone, before any
//! storage or upstream access (so neither timing nor caches tell whether a module
//! exists):
//!
//! * a private path (`--private`) is served only to a valid token whose `modules`
//!   match it; anyone else gets [`Decision::Hidden`]: the same 404 for a module that
//!   exists and for one that does not (the failure of Athens #1189 was a different
//!   answer for the two);
//! * a public path is served to anyone when `public_access = "open"`; with
//!   `"token"` it needs any valid token ([`Decision::Unauthorized`], 401, otherwise);
//! * with `public_access = "token"`, a request with no valid token gets 401 on every
//!   path but `/healthz` and `/readyz`, private or not, so not even the private
//!   patterns can be probed.

use std::path::PathBuf;

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use modgate_core::pattern::match_prefix_patterns;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// Whether public (non-private) modules need a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PublicAccess {
    #[default]
    Open,
    Token,
}

impl PublicAccess {
    pub fn parse(s: &str) -> Option<PublicAccess> {
        match s.trim() {
            "open" => Some(PublicAccess::Open),
            "token" => Some(PublicAccess::Token),
            _ => None,
        }
    }
}

/// One `[[tokens]]` entry of the config file, as written (no secret in it: the
/// secret is a digest, or named by `env` or `file`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// Shown in logs instead of the secret.
    pub name: String,
    /// Lower- or upper-case hex of the SHA-256 of the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Environment variable holding the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// File holding the token (surrounding whitespace ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// GOPRIVATE-syntax patterns of the private modules this token may read.
    #[serde(default)]
    pub modules: String,
}

/// Shortest token accepted from `env` or `file` (`openssl rand -hex 32` gives 64).
pub const MIN_TOKEN_LEN: usize = 16;

struct Token {
    name: String,
    digest: [u8; 32],
    modules: String,
}

/// The configured tokens and rules.
pub struct Access {
    tokens: Vec<Token>,
    private: String,
    public: PublicAccess,
}

/// Who sent a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// No `Authorization` header (or one of another scheme).
    Anonymous,
    /// Credentials that match no token.
    Invalid,
    /// The token at this index.
    Token(usize),
}

/// What to do with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// 401: a valid token is needed (public_access = "token").
    Unauthorized,
    /// 404, exactly as for a module that does not exist.
    Hidden,
}

impl Default for Access {
    /// No tokens, nothing private, everything open.
    fn default() -> Self {
        Access {
            tokens: Vec::new(),
            private: String::new(),
            public: PublicAccess::Open,
        }
    }
}

impl Access {
    /// Resolves every token's secret (`env` is looked up with `getenv`) and checks
    /// the entries; errors name the token, never its secret.
    pub fn new(
        tokens: &[TokenConfig],
        private: &str,
        public: PublicAccess,
        getenv: impl Fn(&str) -> Option<String>,
    ) -> Result<Access, String> {
        let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
        for t in tokens {
            let name = t.name.trim();
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-@".contains(&b))
            {
                return Err(format!(
                    "tokens: name {:?} must be non-empty letters, digits, '.', '_', '-' or '@'",
                    t.name
                ));
            }
            let what = |m: &str| format!("token {name:?}: {m}");
            let digest = match (&t.sha256, &t.env, &t.file) {
                (Some(hex), None, None) => {
                    parse_hex32(hex.trim()).ok_or_else(|| what("sha256 must be 64 hex digits"))?
                }
                (None, Some(var), None) => {
                    let v = getenv(var)
                        .ok_or_else(|| what(&format!("environment variable {var} is not set")))?;
                    digest_of_secret(&v)
                        .map_err(|m| what(&format!("environment variable {var}: {m}")))?
                }
                (None, None, Some(path)) => {
                    let v = std::fs::read_to_string(path)
                        .map_err(|e| what(&format!("file {}: {e}", path.display())))?;
                    digest_of_secret(&v)
                        .map_err(|m| what(&format!("file {}: {m}", path.display())))?
                }
                _ => {
                    return Err(what(
                        "give the secret exactly one way: sha256 = \"<hex>\", env = \"VAR\" or file = \"/path\"",
                    ));
                }
            };
            if let Some(other) = out.iter().find(|o| o.name == name) {
                return Err(format!("tokens: name {:?} is used twice", other.name));
            }
            if let Some(other) = out.iter().find(|o| o.digest == digest) {
                return Err(format!(
                    "tokens {:?} and {name:?} have the same secret",
                    other.name
                ));
            }
            out.push(Token {
                name: name.to_owned(),
                digest,
                modules: t.modules.clone(),
            });
        }
        Ok(Access {
            tokens: out,
            private: private.to_owned(),
            public,
        })
    }

    /// Whether `path` matches the private patterns.
    pub fn is_private(&self, path: &str) -> bool {
        match_prefix_patterns(&self.private, path)
    }

    pub fn public_access(&self) -> PublicAccess {
        self.public
    }

    /// Whether any token may read some private module.
    pub fn has_private_readers(&self) -> bool {
        self.tokens.iter().any(|t| !t.modules.trim().is_empty())
    }

    /// Identifies the caller from its `Authorization` header.
    pub fn caller(&self, headers: &HeaderMap) -> Caller {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Caller::Anonymous;
        };
        let Some(secret) = presented_secret(value.as_bytes()) else {
            return Caller::Anonymous;
        };
        let digest: [u8; 32] = Sha256::digest(&secret).into();
        // Every digest is compared, whatever matched: the time taken does not say
        // which token (or whether one) matched.
        let mut found = None;
        for (i, t) in self.tokens.iter().enumerate() {
            if bool::from(t.digest.ct_eq(&digest)) {
                found = Some(i);
            }
        }
        match found {
            Some(i) => Caller::Token(i),
            None => Caller::Invalid,
        }
    }

    /// What logs show for `caller`: the token's name, `-` without credentials,
    /// `(invalid)` for credentials that match no token. Never the secret.
    pub fn label(&self, caller: Caller) -> &str {
        match caller {
            Caller::Anonymous => "-",
            Caller::Invalid => "(invalid)",
            Caller::Token(i) => self.tokens.get(i).map_or("-", |t| t.name.as_str()),
        }
    }

    /// The rule for a module path.
    pub fn module(&self, caller: Caller, path: &str) -> Decision {
        let token = match caller {
            Caller::Token(i) => self.tokens.get(i),
            _ => None,
        };
        if token.is_none() && self.public == PublicAccess::Token {
            return Decision::Unauthorized;
        }
        if !self.is_private(path) {
            return Decision::Allow;
        }
        match token {
            Some(t) if match_prefix_patterns(&t.modules, path) => Decision::Allow,
            _ => Decision::Hidden,
        }
    }

    /// The rule for everything that is not a module path but still needs a token
    /// when public access does: the checksum-database proxy, `/metrics`, and paths
    /// that are not protocol paths at all.
    pub fn other(&self, caller: Caller) -> Decision {
        match (self.public, caller) {
            (PublicAccess::Open, _) | (PublicAccess::Token, Caller::Token(_)) => Decision::Allow,
            (PublicAccess::Token, _) => Decision::Unauthorized,
        }
    }

    /// Whether answers for `path` depend on who asks, so shared caches must not
    /// keep them (`Cache-Control: private`).
    pub fn personal(&self, path: &str) -> bool {
        self.public == PublicAccess::Token || self.is_private(path)
    }
}

/// The secret in an `Authorization` value: Basic's password (or its user name when
/// the password is empty), or Bearer's token. Scheme names are case-insensitive
/// (RFC 9110 §11.1).
fn presented_secret(value: &[u8]) -> Option<Vec<u8>> {
    let value = std::str::from_utf8(value).ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return (!rest.is_empty()).then(|| rest.as_bytes().to_vec());
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest)
        .ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    let (user, pass) = (&decoded[..colon], &decoded[colon + 1..]);
    let secret = if pass.is_empty() { user } else { pass };
    (!secret.is_empty()).then(|| secret.to_vec())
}

/// The digest of a token read from the environment or a file.
fn digest_of_secret(raw: &str) -> Result<[u8; 32], String> {
    let s = raw.trim();
    if s.len() < MIN_TOKEN_LEN {
        return Err(format!(
            "the token is shorter than {MIN_TOKEN_LEN} characters"
        ));
    }
    if !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the token must be printable ASCII without spaces".into());
    }
    Ok(Sha256::digest(s.as_bytes()).into())
}

fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in s.as_bytes().chunks(2).enumerate() {
        let pair = std::str::from_utf8(pair).ok()?;
        *out.get_mut(i)? = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests;
