//! Where each go setting comes from, in the go command's order
//! (`cmd/go/internal/cfg/cfg.go`, `Getenv` and `initEnvCache`):
//!
//! 1. the process environment (a non-empty value wins);
//! 2. the user's go env file (`$GOENV`, else `os.UserConfigDir()/go/env`,
//!    written by `go env -w`; `GOENV=off` disables it);
//! 3. `$GOROOT/go.env` (the toolchain's defaults);
//! 4. the built-in default.
//!
//! When `go` is installed, `go env -json` gives 1-3 exactly (including a
//! distribution's own `go.env`); without it we read the user file ourselves and
//! fall back to the defaults Go ships.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use modgate_core::goenv::vars::{self, VARS};

use crate::env::Env;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The process environment.
    Env,
    /// The user's go env file (`go env -w`).
    EnvFile(PathBuf),
    /// Reported by `go env -json` (the toolchain's `go.env` or its built-in default).
    GoEnv,
    /// Go's documented default (no `go` found to ask).
    Default,
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Env => "environment".into(),
            Source::EnvFile(p) => format!("go env -w ({})", p.display()),
            Source::GoEnv => "go env".into(),
            Source::Default => "default".into(),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub source: Source,
}

/// The user's go env file, per `cfg.EnvFile`.
pub fn env_file_path(env: &Env) -> Option<PathBuf> {
    match env.get("GOENV") {
        Some("off") => None,
        Some(f) => Some(PathBuf::from(f)),
        None => env.user_config_dir().map(|d| d.join("go").join("env")),
    }
}

/// Parses a go env file the way `readEnvFile` does: `KEY=value` lines whose
/// key starts with an uppercase letter; later lines do not override earlier.
pub fn parse_env_file(data: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in data.split('\n') {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if !k.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        out.entry(k.to_string()).or_insert_with(|| v.to_string());
    }
    out
}

/// Runs `go env -json` with the given environment; `None` when go is missing,
/// fails or takes longer than `timeout`.
pub async fn go_env_json(env: &Env, timeout: Duration) -> Option<BTreeMap<String, String>> {
    let go = env.which("go")?;
    let mut cmd = tokio::process::Command::new(go);
    // GOTOOLCHAIN=local: never let `go env` try to download a toolchain (on a
    // broken network that would hang); run outside any module for the same
    // reason. GOTOOLCHAIN itself is read from the environment and env file.
    cmd.arg("env")
        .arg("-json")
        .env_clear()
        .envs(env.iter())
        .env("GOTOOLCHAIN", "local")
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    let out = crate::net::within(timeout, cmd.output()).await.ok()?.ok()?;
    if !out.status.success() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some(
        v.as_object()?
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect(),
    )
}

/// Resolves every variable in the core's [`VARS`].
pub fn resolve(
    env: &Env,
    go_env: Option<&BTreeMap<String, String>>,
) -> BTreeMap<&'static str, Setting> {
    let file = env_file_path(env);
    let file_vars = file
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|d| parse_env_file(&d))
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    for var in VARS.iter().map(|v| v.name) {
        let setting = if let Some(v) = env.get(var) {
            Setting {
                value: v.to_string(),
                source: Source::Env,
            }
        } else if let (Some(v), Some(p)) = (file_vars.get(var).filter(|v| !v.is_empty()), &file) {
            Setting {
                value: v.clone(),
                source: Source::EnvFile(p.clone()),
            }
        } else if let Some(v) = go_env.and_then(|g| g.get(var)) {
            Setting {
                value: v.clone(),
                source: Source::GoEnv,
            }
        } else {
            Setting {
                value: vars::default(var).to_string(),
                source: Source::Default,
            }
        };
        out.insert(var, setting);
    }
    // `go env` reports GONOPROXY and GONOSUMDB defaulted to GOPRIVATE
    // (cfg.go); such a value was not set by the user, so it must not be
    // named as the variable to change (the defaulting is Settings's job).
    let private = out.get("GOPRIVATE").map(|s| s.value.clone());
    for var in ["GONOPROXY", "GONOSUMDB"] {
        if let Some(s) = out.get_mut(var)
            && s.source == Source::GoEnv
            && Some(&s.value) == private.as_ref()
        {
            *s = Setting {
                value: String::new(),
                source: Source::Default,
            };
        }
    }
    out
}
