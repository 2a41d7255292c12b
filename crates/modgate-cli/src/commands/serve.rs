//! `modgate serve`: gathers the configuration (flags over `MODGATE_*` over the
//! config file) and runs `modgate_server` until SIGINT/SIGTERM, or prints it
//! (`--print-config`).

use std::process::ExitCode;

use anyhow::Context as _;
use modgate_server::config::{Loaded, print_config};

use crate::cli::ServeArgs;

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let file = args
        .config
        .clone()
        .or_else(|| std::env::var_os("MODGATE_CONFIG").map(Into::into));
    let loaded = Loaded::load(file.as_deref(), environment(), &args.settings.0)
        .context("serve: configuration")?;
    if args.print_config {
        out!("{}", print_config(&loaded));
        return Ok(ExitCode::SUCCESS);
    }
    // Here rather than in the server, so that a bad path names its setting.
    loaded.create_data_dir().context("serve")?;
    let cfg = loaded.config;
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

/// The process environment (`std::env::vars` would panic on a variable that is not
/// UTF-8; such a value cannot be a valid setting, and is shown lossily in errors).
pub(crate) fn environment() -> Vec<(String, String)> {
    std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory as _, Parser as _};
    use modgate_server::config::{KEYS, Loaded, Source};

    fn serve_args(argv: &[&str]) -> crate::cli::ServeArgs {
        let argv = ["modgate", "serve"].iter().chain(argv);
        let parsed = crate::cli::Cli::try_parse_from(argv).expect("parses");
        let crate::cli::Command::Serve(args) = parsed.command else {
            panic!("not serve");
        };
        *args
    }

    #[test]
    fn the_command_line_grammar_is_consistent() {
        crate::cli::Cli::command().debug_assert();
    }

    /// Every declared key, by its sample value, through the TOML file, its
    /// `MODGATE_*` variable, and its flag parsed by clap, reaches the same
    /// configuration, attributed to that source.
    #[test]
    fn every_key_reaches_the_config_from_file_env_and_flag() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.toml");
        for key in KEYS {
            let mut want = modgate_server::config::Config::default();
            key.set(&mut want, key.example).unwrap();
            std::fs::write(
                &file,
                format!("{} = {}\n", key.name, key.toml(&want).unwrap()),
            )
            .unwrap();
            let flag = format!("--{}", key.flag());
            let args = serve_args(&[&flag, key.example]);
            let env = vec![(key.env_var(), key.example.to_owned())];
            for (how, loaded, source) in [
                (
                    "file",
                    Loaded::load(Some(&file), vec![], &[]),
                    Source::File(file.clone()),
                ),
                (
                    "env",
                    Loaded::load(None, env, &[]),
                    Source::Env(key.env_var()),
                ),
                (
                    "flag",
                    Loaded::load(None, vec![], &args.settings.0),
                    Source::Flag(flag.clone()),
                ),
            ] {
                let loaded = loaded.unwrap_or_else(|e| panic!("{} by {how}: {e}", key.name));
                assert_eq!(loaded.config, want, "{} by {how}", key.name);
                assert_eq!(loaded.source(key.name), &source, "{} by {how}", key.name);
            }
        }
    }

    /// A switch may be given bare (`--offline`) or with a value.
    #[test]
    fn switches_take_an_optional_value() {
        let on = serve_args(&["--offline", "--listen", "127.0.0.1:1"]);
        assert_eq!(
            on.settings.0,
            [
                ("listen", "127.0.0.1:1".to_owned()),
                ("offline", "true".to_owned())
            ]
        );
        let off = serve_args(&["--offline=false"]);
        let cfg = Loaded::load(None, vec![], &off.settings.0).unwrap().config;
        assert!(!cfg.offline);
        assert!(serve_args(&[]).settings.0.is_empty());
    }

    /// Precedence through the real command line: flag > env > file > default.
    #[test]
    fn flags_beat_the_environment_which_beats_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.toml");
        std::fs::write(
            &file,
            "retries = 3\ntimeout = \"1m\"\nzip_timeout = \"1h\"\n",
        )
        .unwrap();
        let args = serve_args(&["--retries", "9"]);
        let env = vec![
            ("MODGATE_RETRIES".to_owned(), "5".to_owned()),
            ("MODGATE_TIMEOUT".to_owned(), "2m".to_owned()),
        ];
        let loaded = Loaded::load(Some(&file), env, &args.settings.0).unwrap();
        let cfg = &loaded.config;
        assert_eq!(cfg.retries, 9);
        assert_eq!(cfg.timeout.as_secs(), 120);
        assert_eq!(cfg.zip_timeout.as_secs(), 3600);
        assert_eq!(cfg.breaker_threshold, 5);
        assert_eq!(loaded.source("breaker_threshold"), &Source::Default);
    }
}
