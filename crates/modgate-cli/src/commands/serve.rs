//! `modgate serve`: gathers the configuration (flags over `MODGATE_*` over the
//! config file) and runs `modgate_server` until SIGINT/SIGTERM.

use std::process::ExitCode;

use anyhow::Context as _;
use modgate_server::config::Config;

use crate::cli::ServeArgs;

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let file = args
        .config
        .clone()
        .or_else(|| std::env::var_os("MODGATE_CONFIG").map(Into::into));
    let cfg = Config::load(file.as_deref(), std::env::vars(), &flags(&args))
        .context("serve: configuration")?;
    // Held to the end: dropping it flushes the log lines still queued.
    let _log_guard = modgate_server::init_logging(cfg.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("serve: starting the runtime")?;
    // The bound address is logged ("modgate serve listening").
    let serve = modgate_server::run(cfg, modgate_server::shutdown_signal(), |_| {});
    runtime.block_on(serve).context("serve")?;
    Ok(ExitCode::SUCCESS)
}

/// The flags that were given, as (config key, value).
fn flags(a: &ServeArgs) -> Vec<(&'static str, String)> {
    let given = [
        ("listen", &a.listen),
        ("data", &a.data),
        ("upstream", &a.upstream),
        ("private", &a.private),
        ("sumdb", &a.sumdb),
        ("nosumdb", &a.nosumdb),
        ("log_format", &a.log_format),
        ("fresh_for", &a.fresh_for),
        ("stale_while_revalidate", &a.stale_while_revalidate),
        ("negative_ttl", &a.negative_ttl),
        ("sumdb_latest_ttl", &a.sumdb_latest_ttl),
        ("connect_timeout", &a.connect_timeout),
        ("timeout", &a.timeout),
        ("zip_timeout", &a.zip_timeout),
        ("retries", &a.retries),
        ("retry_backoff", &a.retry_backoff),
        ("breaker_threshold", &a.breaker_threshold),
        ("breaker_cooldown", &a.breaker_cooldown),
        ("shutdown_timeout", &a.shutdown_timeout),
        ("git_config", &a.git_config),
        ("direct_allow", &a.direct_allow),
        ("public_access", &a.public_access),
        ("govcs", &a.govcs),
    ];
    let mut out: Vec<(&'static str, String)> = given
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect();
    if a.offline {
        out.push(("offline", "true".into()));
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory as _, Parser as _};

    /// Every configuration key has its flag, and `flags` passes it on: a key
    /// documented in `docs/configuration.md` cannot lack a `--flag`.
    #[test]
    fn every_key_has_a_flag_that_reaches_the_config() {
        let cli = crate::cli::Cli::command();
        let serve = cli.find_subcommand("serve").expect("serve subcommand");
        let longs: Vec<String> = serve
            .get_arguments()
            .filter_map(|a| a.get_long().map(str::to_owned))
            .collect();
        for key in modgate_server::config::KEYS {
            let flag = key.name.replace('_', "-");
            assert!(
                longs.contains(&flag),
                "--{flag} missing for key {}",
                key.name
            );
            let mut argv = vec![
                "modgate".to_owned(),
                "serve".to_owned(),
                format!("--{flag}"),
            ];
            if key.name != "offline" {
                argv.push("v".into());
            }
            let parsed = crate::cli::Cli::try_parse_from(&argv).expect("parses");
            let crate::cli::Command::Serve(args) = parsed.command else {
                panic!("not serve");
            };
            assert!(
                super::flags(&args).iter().any(|(k, _)| *k == key.name),
                "--{flag} is parsed but not passed on as {}",
                key.name
            );
        }
    }
}
