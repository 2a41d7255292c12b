//! Where each go setting comes from: the rules are the core's
//! ([`modgate_core::goenv::vars`]); this module reads the file and asks `go env`.
//!
//! When `go` is installed, `go env -json` gives the first three sources exactly
//! (including a distribution's own `go.env`); without it we read the user file
//! ourselves and fall back to the defaults Go ships.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::env::Env;

pub use modgate_core::goenv::vars::{Setting, Source, VARS, builtin_default, parse_env_file};

/// The user's go env file, per `cfg.EnvFile`.
pub fn env_file_path(env: &Env) -> Option<PathBuf> {
    modgate_core::goenv::vars::env_file_path(env.get("GOENV"), env.user_config_dir().as_deref())
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

/// Resolves every variable in [`VARS`] (reading the env file).
pub fn resolve(
    env: &Env,
    go_env: Option<&BTreeMap<String, String>>,
) -> BTreeMap<&'static str, Setting> {
    let file = env_file_path(env);
    let data = file.as_ref().and_then(|p| std::fs::read_to_string(p).ok());
    let file = file.as_deref().zip(data.as_deref());
    modgate_core::goenv::vars::resolve(&|k| env.get(k).map(str::to_owned), file, go_env)
}
