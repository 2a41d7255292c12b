//! Storage keys: relative slash-separated names that cannot leave the store.
//!
//! The names the proxy stores are case-encoded module paths and versions
//! (`module.EscapePath`/`EscapeVersion` in golang.org/x/mod), sumdb lookup and tile
//! paths, and the fixed names `list`, `@latest`. All of those are printable ASCII, so a
//! key is restricted to printable ASCII minus the characters that are special to some
//! filesystem (`\ : * ? " < > |`). Every element must be non-empty, must not start with
//! `.` (this rules out `.`, `..` and the backend's hidden temporary files), and must
//! fit in a file name.

use std::fmt;

/// Longest accepted key, in bytes.
pub const MAX_KEY_LEN: usize = 2048;
/// Longest accepted key element (a file or directory name), in bytes.
pub const MAX_ELEM_LEN: usize = 255;

/// A validated storage key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(String);

/// Why a string is not a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid storage key {key:?}: {reason}")]
pub struct InvalidKey {
    pub key: String,
    pub reason: &'static str,
}

impl Key {
    /// Validates `key`.
    pub fn new(key: impl Into<String>) -> Result<Key, InvalidKey> {
        let key = key.into();
        match check(&key) {
            Ok(()) => Ok(Key(key)),
            Err(reason) => Err(InvalidKey { key, reason }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `self/rest`, validated.
    pub fn join(&self, rest: &str) -> Result<Key, InvalidKey> {
        Key::new(format!("{}/{}", self.0, rest))
    }

    /// The last element (the file name).
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn check(key: &str) -> Result<(), &'static str> {
    if key.is_empty() {
        return Err("empty");
    }
    if key.len() > MAX_KEY_LEN {
        return Err("too long");
    }
    for elem in key.split('/') {
        if elem.is_empty() {
            return Err("empty path element");
        }
        if elem.starts_with('.') {
            return Err("path element starts with a dot");
        }
        if elem.len() > MAX_ELEM_LEN {
            return Err("path element too long");
        }
        for b in elem.bytes() {
            if !b.is_ascii_graphic() {
                return Err("character outside printable ASCII");
            }
            if matches!(b, b'\\' | b':' | b'*' | b'?' | b'"' | b'<' | b'>' | b'|') {
                return Err("reserved character");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
