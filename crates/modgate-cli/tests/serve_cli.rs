//! End-to-end tests of `modgate serve`'s configuration through the built binary:
//! `--print-config` (values, sources, masking, reading back) and errors that name
//! the setting they come from. The environment is cleared so that only the
//! variables each test sets reach the binary.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{stderr, stdout};

/// Runs `modgate` with only `vars` in its environment, killing it after 60s (a
/// configuration that unexpectedly loads would otherwise start serving).
fn modgate(args: &[&str], vars: &[(&str, &str)], cwd: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_modgate"))
        .args(args)
        .env_clear()
        .envs(vars.iter().copied())
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run modgate");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("modgate {args:?} still running after 60s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// The printed configuration without its comments: what a config file says.
fn values(printed: &str) -> Vec<String> {
    printed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split("  # ").next().unwrap_or(l).to_owned())
        .collect()
}

#[test]
fn print_config_shows_an_environment_value_and_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let out = modgate(
        &["serve", "--print-config"],
        &[("MODGATE_RETRY_BACKOFF", "5s")],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    assert!(
        printed.contains("\nretry_backoff = \"5s\"  # env MODGATE_RETRY_BACKOFF\n"),
        "{printed}"
    );
    assert!(printed.contains("\nretries = 2  # default\n"), "{printed}");
    assert!(
        !dir.path().join("modgate-data").exists(),
        "--print-config creates nothing"
    );
}

/// File, environment and flags together; the output, as a config file, gives the
/// same configuration back.
#[test]
fn print_config_names_every_source_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("modgate.toml");
    std::fs::write(
        &file,
        r#"
listen = "0.0.0.0:8080"
fresh_for = "2m"
retries = 4
private = "git.corp.example"

[[routes]]
pattern = "git.corp.example"
upstream = "https://goproxy.corp.example"
private = true

[[tokens]]
name = "ci"
env = "MODGATE_TOKEN_CI"
modules = "git.corp.example"
"#,
    )
    .unwrap();
    let file_s = file.to_str().unwrap();
    let out = modgate(
        &[
            "serve",
            "--print-config",
            "--listen",
            "127.0.0.1:3999",
            "--offline",
            "--vcs-dir",
            "/srv/vcs",
        ],
        &[
            ("MODGATE_CONFIG", file_s),
            ("MODGATE_FRESH_FOR", "90s"),
            ("MODGATE_TOKEN_CI", "0123456789abcdef0123456789"),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    for want in [
        "\nlisten = \"127.0.0.1:3999\"  # flag --listen\n".to_owned(),
        "\noffline = true  # flag --offline\n".to_owned(),
        "\nvcs_dir = \"/srv/vcs\"  # flag --vcs-dir\n".to_owned(),
        "\nfresh_for = \"90s\"  # env MODGATE_FRESH_FOR\n".to_owned(),
        format!("\nretries = 4  # file {file_s}\n"),
        format!("\n# routes: file {file_s}\n"),
        "\n[[tokens]]\nname = \"ci\"\nenv = \"MODGATE_TOKEN_CI\"\nmodules = \"git.corp.example\"\n"
            .to_owned(),
        "\ntimeout = \"1m\"  # default\n".to_owned(),
    ] {
        assert!(printed.contains(&want), "{want:?} missing:\n{printed}");
    }
    assert!(!printed.contains("0123456789abcdef"), "the token's secret");

    let again = dir.path().join("printed.toml");
    std::fs::write(&again, &printed).unwrap();
    let out2 = modgate(
        &[
            "serve",
            "--print-config",
            "--config",
            again.to_str().unwrap(),
        ],
        &[],
        dir.path(),
    );
    assert!(out2.status.success(), "{}", stderr(&out2));
    assert_eq!(values(&stdout(&out2)), values(&printed));
}

#[test]
fn print_config_masks_upstream_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let out = modgate(
        &[
            "serve",
            "--print-config",
            "--upstream",
            "https://ci:hunter2@goproxy.corp.example,direct",
        ],
        &[],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    assert!(!printed.contains("hunter2"), "{printed}");
    assert!(
        printed.contains(
            "\nupstream = \"https://xxxxx@goproxy.corp.example,direct\"  # flag --upstream\n"
        ),
        "{printed}"
    );
}

#[test]
fn configuration_errors_name_their_source() {
    let dir = tempfile::tempdir().unwrap();
    let out = modgate(&["serve"], &[("MODGATE_UPSTREAM", "bogus")], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("environment variable MODGATE_UPSTREAM: upstream \"bogus\": "),
        "{err}"
    );

    // Built here so that the repository scan for MODGATE_ variables skips it.
    let misspelt = format!("MODGATE_{}", "FRESHFOR");
    let out = modgate(&["serve"], &[(&misspelt, "1m")], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "environment variable {misspelt}: not a setting of modgate serve (did you mean MODGATE_FRESH_FOR?"
        )),
        "{err}"
    );

    let file = dir.path().join("m.toml");
    std::fs::write(&file, "retry_backof = \"1s\"\n").unwrap();
    let out = modgate(
        &["serve", "--config", file.to_str().unwrap()],
        &[],
        dir.path(),
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "config file {}: unknown key \"retry_backof\" (did you mean \"retry_backoff\"?)",
            file.display()
        )),
        "{err}"
    );

    let out = modgate(&["serve", "--retries", "many"], &[], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("flag --retries: retries \"many\": want a whole number"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unusable_data_directory_names_the_flag_and_the_file_in_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("x");
    std::fs::write(&blocker, "").unwrap();
    let data = blocker.join("y");
    let out = modgate(
        &[
            "serve",
            "--offline",
            "--listen",
            "127.0.0.1:0",
            "--data",
            data.to_str().unwrap(),
        ],
        &[],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "data directory {} (from flag --data): cannot create: ",
            data.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "(a file is in the way: {} is a file)",
            blocker.display()
        )),
        "{err}"
    );
}

#[test]
fn help_says_what_modgate_is() {
    let dir = tempfile::tempdir().unwrap();
    let out = modgate(&["--help"], &[], dir.path());
    assert!(out.status.success());
    assert!(
        stdout(&out).starts_with(
            "modgate: a caching, verifying Go module proxy and a doctor for Go downloads."
        ),
        "{}",
        stdout(&out)
    );
    // Every setting's flag is listed with its default.
    let out = modgate(&["serve", "--help"], &[], dir.path());
    let help = stdout(&out);
    assert!(help.contains("--retry-backoff <DURATION>"), "{help}");
    assert!(
        help.contains("[default: 100ms] [env: MODGATE_RETRY_BACKOFF] [config file: retry_backoff]"),
        "{help}"
    );
}
