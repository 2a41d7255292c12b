//! `modgate serve --print-config`: the effective configuration as a TOML file that
//! loads back to the same configuration, each key followed by where its value came
//! from. URL credentials are masked; tokens are printed as configured (a name, the
//! modules, and where the secret is: an environment variable, a file, or its
//! SHA-256, which the docs call safe to commit), never a secret.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{KEYS, Loaded, redact_userinfo};

/// The effective configuration as TOML, with a `# <source>` comment per key.
pub fn print_config(loaded: &Loaded) -> String {
    let cfg = &loaded.config;
    let mut out = String::from(
        "# modgate serve: the effective configuration (a valid config file).\n\
         # After each key: where its value came from.\n\n",
    );
    for key in KEYS {
        let source = loaded.source(key.name);
        match key.toml(cfg) {
            Some(value) => {
                let value = match value {
                    toml::Value::String(s) => toml::Value::String(key.shown_text(&s)),
                    v => v,
                };
                let _ = writeln!(out, "{} = {value}  # {source}", key.name);
            }
            // TOML has no null: an unset optional key is a comment.
            None => {
                let _ = writeln!(
                    out,
                    "# {} is unset: {}  # {source}",
                    key.name,
                    key.default_text().replace('`', "")
                );
            }
        }
    }

    // Tables: `[[routes]]` and `[[tokens]]` after the scalar keys, as TOML requires.
    for (name, empty) in [
        ("routes", cfg.routes.is_empty()),
        ("tokens", cfg.tokens.is_empty()),
        ("backup_options", cfg.backup_options.is_empty()),
    ] {
        let _ = writeln!(out, "\n# {name}: {}", loaded.source(name));
        if empty {
            let _ = writeln!(out, "# (none)");
        }
    }
    let routes: Vec<_> = cfg
        .routes
        .iter()
        .map(|r| super::RouteConfig {
            upstream: redact_userinfo(&r.upstream),
            ..r.clone()
        })
        .collect();
    let backup_options = masked_options(&cfg.backup_options);
    let tables = Tables {
        routes: &routes,
        tokens: &cfg.tokens,
        backup_options: &backup_options,
    };
    // Plain strings, booleans and optional fields: serializing cannot fail, but
    // say so rather than panic if it ever did.
    match toml::to_string(&tables) {
        Ok(text) if !text.is_empty() => {
            out.push('\n');
            out.push_str(&text);
        }
        Ok(_) => {}
        Err(e) => {
            let _ = writeln!(out, "# (routes and tokens could not be printed: {e})");
        }
    }
    out
}

#[derive(serde::Serialize)]
struct Tables<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    routes: &'a [super::RouteConfig],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tokens: &'a [crate::access::TokenConfig],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    backup_options: &'a BTreeMap<String, String>,
}

/// Object-store options with the values of secret-looking names masked.
pub fn masked_options(options: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    options
        .iter()
        .map(|(k, v)| {
            let name = k.to_ascii_lowercase();
            let secret = ["secret", "key", "token", "password", "sas", "credential"]
                .iter()
                .any(|s| name.contains(s));
            (k.clone(), if secret { "****".into() } else { v.clone() })
        })
        .collect()
}
