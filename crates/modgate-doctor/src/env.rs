//! The environment the doctor reads and hands to the commands it runs (`go`,
//! `git`, `ssh`).
//!
//! The CLI takes it from the process; tests build one from pairs, so that many
//! diagnoses with different settings can run side by side in one process
//! without touching the process environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A snapshot of environment variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// The current process environment (variables that are not valid UTF-8
    /// are skipped: none of the ones the go command reads can be).
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars().collect(),
        }
    }

    /// An environment holding exactly these pairs.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// Sets a variable (builder style).
    pub fn with(mut self, key: &str, value: &str) -> Env {
        self.vars.insert(key.to_string(), value.to_string());
        self
    }

    /// Sets a variable.
    pub fn set(&mut self, key: &str, value: &str) {
        self.vars.insert(key.to_string(), value.to_string());
    }

    /// The value, treating an empty value as unset, as `os.Getenv(k) != ""`
    /// does throughout the go command.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Every variable, for handing to a child process.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `$HOME` (Go's `os.UserHomeDir` on Unix).
    pub fn home(&self) -> Option<PathBuf> {
        self.get("HOME").map(PathBuf::from)
    }

    /// Go's `os.UserConfigDir` on Unix: `$XDG_CONFIG_HOME` if absolute, else
    /// `$HOME/.config`.
    pub fn user_config_dir(&self) -> Option<PathBuf> {
        modgate_core::goenv::vars::user_config_dir(self.get("XDG_CONFIG_HOME"), self.get("HOME"))
    }

    /// Finds an executable on this environment's `PATH`.
    pub fn which(&self, name: &str) -> Option<PathBuf> {
        let path = self.get("PATH")?;
        std::env::split_paths(path)
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    }
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}
