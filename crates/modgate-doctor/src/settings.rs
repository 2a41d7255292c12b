//! The settings the go command would use on this machine, read without
//! needing `go` (see [`goenv`] for the precedence rules), plus the network
//! settings Go's HTTP client and resolver read: the proxy variables
//! ([`proxyenv`]), `SSL_CERT_FILE`/`SSL_CERT_DIR`, `.netrc` ([`netrc`]),
//! `/etc/resolv.conf` and `/etc/hosts`.
//!
//! `MODGATE_RESOLV_CONF` and `MODGATE_HOSTS` (undocumented in `--help`, listed
//! in `docs/doctor.md`) point the doctor at another resolv.conf or hosts file;
//! the fault-lab tests use them, and so can a user diagnosing a container's
//! configuration from outside.

pub mod goenv;
pub mod netrc;
pub mod proxyenv;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::env::Env;
use crate::gomod::GoMod;
pub use goenv::{Setting, Source};
pub use netrc::Netrc;
pub use proxyenv::{ProxyEnv, ProxyUrl, ProxyVar};

/// How to find the settings.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub env: Env,
    /// Ask `go env -json` when `go` is on PATH (the CLI does; most tests don't).
    pub use_go_env: bool,
    /// `--module DIR`: also read that module's go.mod and go.sum.
    pub module_dir: Option<PathBuf>,
    /// How long `go env -json` may take.
    pub go_env_timeout: Duration,
}

/// Everything the checks need to know about the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub env: Env,
    /// GOPROXY, GOSUMDB, GOPRIVATE, ... as the go command resolves them.
    pub go: BTreeMap<&'static str, Setting>,
    /// Whether `go` was found and answered `go env -json`.
    pub go_found: bool,
    pub proxy: ProxyEnv,
    pub netrc: Netrc,
    pub ssl_cert_file: Option<String>,
    pub ssl_cert_dir: Option<String>,
    pub resolv_conf: PathBuf,
    pub hosts_file: PathBuf,
    pub module: Option<GoMod>,
    /// `--module DIR` was given but could not be read.
    pub module_error: Option<String>,
}

impl Settings {
    pub async fn load(opts: &LoadOptions) -> Settings {
        let env = &opts.env;
        let go_env = if opts.use_go_env {
            goenv::go_env_json(env, opts.go_env_timeout).await
        } else {
            None
        };
        let go = goenv::resolve(env, go_env.as_ref());
        let (module, module_error) = match &opts.module_dir {
            Some(dir) => match GoMod::read(dir) {
                Ok(m) => (Some(m), None),
                Err(e) => (None, Some(e)),
            },
            None => (None, None),
        };
        Settings {
            go,
            go_found: go_env.is_some(),
            proxy: ProxyEnv::from_env(env),
            netrc: Netrc::load(env),
            ssl_cert_file: env.get("SSL_CERT_FILE").map(String::from),
            ssl_cert_dir: env.get("SSL_CERT_DIR").map(String::from),
            resolv_conf: env
                .get("MODGATE_RESOLV_CONF")
                .map_or_else(|| PathBuf::from("/etc/resolv.conf"), PathBuf::from),
            hosts_file: env
                .get("MODGATE_HOSTS")
                .map_or_else(|| PathBuf::from("/etc/hosts"), PathBuf::from),
            module,
            module_error,
            env: env.clone(),
        }
    }

    /// A go variable's resolved value ("" when unset).
    pub fn get(&self, var: &str) -> &str {
        self.go.get(var).map_or("", |s| s.value.as_str())
    }

    /// GONOPROXY, defaulting to GOPRIVATE (`cfg.go`).
    pub fn gonoproxy(&self) -> &str {
        modgate_core::goenv::vars::effective(&self.go, "GONOPROXY")
    }

    /// GONOSUMDB, defaulting to GOPRIVATE.
    pub fn gonosumdb(&self) -> &str {
        modgate_core::goenv::vars::effective(&self.go, "GONOSUMDB")
    }

    /// GOPROXY, with Go's default when empty (`modfetch/proxy.go`).
    pub fn goproxy(&self) -> &str {
        modgate_core::goenv::vars::effective(&self.go, "GOPROXY")
    }

    /// GOSUMDB, with Go's default when empty (`modfetch/sumdb.go`).
    pub fn gosumdb(&self) -> &str {
        modgate_core::goenv::vars::effective(&self.go, "GOSUMDB")
    }

    /// The module cache: GOMODCACHE, else the first GOPATH entry's pkg/mod,
    /// else `$HOME/go/pkg/mod`.
    pub fn gomodcache(&self) -> Option<PathBuf> {
        if !self.get("GOMODCACHE").is_empty() {
            return Some(PathBuf::from(self.get("GOMODCACHE")));
        }
        if let Some(gopath) = self.env.get("GOPATH") {
            return std::env::split_paths(gopath)
                .next()
                .map(|p| p.join("pkg").join("mod"));
        }
        self.env
            .home()
            .map(|h| h.join("go").join("pkg").join("mod"))
    }

    /// How a variable is set, for evidence lines: `GOPROXY="..." (environment)`.
    pub fn describe(&self, var: &str) -> String {
        match self.go.get(var) {
            Some(s) => format!("{var}={:?} ({})", s.value, s.source.describe()),
            None => format!("{var} unset"),
        }
    }

    /// The path of the resolv.conf in use.
    pub fn resolv_conf(&self) -> &Path {
        &self.resolv_conf
    }
}

#[cfg(test)]
pub(crate) mod tests;
