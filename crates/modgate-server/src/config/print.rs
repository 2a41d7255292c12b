//! `modgate serve --print-config`: the effective configuration as a TOML file that
//! loads back to the same configuration, each key followed by where its value came
//! from. URL credentials are masked; tokens are printed as configured (a name, the
//! modules, and where the secret is: an environment variable, a file, or its
//! SHA-256, which the docs call safe to commit), never a secret.

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

    // Tables after the scalar keys, as TOML requires: `[storage_options]` and
    // `[backup_options]`, then `[[routes]]` and `[[tokens]]`.
    for (name, options) in [
        ("storage_options", &cfg.storage_options),
        ("backup_options", &cfg.backup_options),
    ] {
        let _ = writeln!(out, "\n# {name}: {}", loaded.source(name));
        if options.is_empty() {
            let _ = writeln!(out, "# (none)");
            continue;
        }
        let _ = writeln!(out, "[{name}]");
        for (k, v) in options {
            let shown = if super::PUBLIC_STORAGE_OPTIONS.contains(&k.as_str()) {
                redact_userinfo(v)
            } else {
                "(masked)".to_owned()
            };
            let _ = writeln!(
                out,
                "{} = {}",
                toml::Value::String(k.clone()),
                toml::Value::String(shown)
            );
        }
    }

    for (name, empty) in [
        ("routes", cfg.routes.is_empty()),
        ("tokens", cfg.tokens.is_empty()),
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
    let tables = Tables {
        routes: &routes,
        tokens: &cfg.tokens,
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
}
