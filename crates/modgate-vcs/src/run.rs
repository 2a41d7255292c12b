//! Running the system `git`: non-interactive, bounded in time and number.
//!
//! Follows how the go command runs VCS tools (`cmd/go/internal/modfetch/codehost`
//! `Run`, and the environment set in `cmd/go/internal/modload/init.go`):
//! `GIT_TERMINAL_PROMPT=0` and `GCM_INTERACTIVE=never` unless the user set
//! them, and ssh in batch mode unless the user chose an ssh command. The
//! user's git configuration (insteadOf, credential helpers, `.netrc`) is left
//! alone: git reads it as usual.
//!
//! Each process runs in its own process group, so that helpers git starts
//! (`git-remote-https`, `ssh`, credential helpers) can be killed with it.
//! A guard kills the whole group when the run ends early — on timeout, or
//! because the caller dropped the future — and tokio reaps the direct child
//! (`kill_on_drop`), so a hung git never leaves a zombie. A semaphore bounds
//! the number of git processes running at once.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::process::Command;
use tokio::sync::Semaphore;

/// The ssh command the go command sets when the user set neither
/// `GIT_SSH` nor `GIT_SSH_COMMAND`.
const BATCH_SSH: &str = "ssh -o ControlMaster=no -o BatchMode=yes";

/// How a git command failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// git could not be started.
    #[error("{cmd}: {source}")]
    Spawn {
        /// The command line.
        cmd: String,
        /// Why it could not start.
        source: std::io::Error,
    },
    /// git ran longer than the timeout and was killed.
    #[error("{cmd}: killed after timeout of {timeout:?}")]
    Timeout {
        /// The command line.
        cmd: String,
        /// The timeout that passed.
        timeout: Duration,
    },
    /// git exited unsuccessfully.
    #[error("{cmd}: {status}{}", stderr_suffix(.stderr))]
    Exit {
        /// The command line.
        cmd: String,
        /// How it exited.
        status: ExitStatus,
        /// What it wrote on standard error.
        stderr: String,
    },
}

impl RunError {
    /// The exit code, when git exited by itself.
    pub fn exit_code(&self) -> Option<i32> {
        match self {
            RunError::Exit { status, .. } => status.code(),
            _ => None,
        }
    }

    /// What git wrote on standard error, when it exited by itself.
    pub fn stderr(&self) -> &str {
        match self {
            RunError::Exit { stderr, .. } => stderr,
            _ => "",
        }
    }
}

/// Go's `RunError` appends standard error indented by a tab.
fn stderr_suffix(stderr: &str) -> String {
    let trimmed = stderr.trim_end();
    if trimmed.is_empty() {
        return String::new();
    }
    format!(":\n\t{}", trimmed.replace('\n', "\n\t"))
}

/// Runs git processes with a shared concurrency limit and a per-process
/// timeout.
#[derive(Debug, Clone)]
pub struct Runner {
    git: PathBuf,
    timeout: Duration,
    limit: Arc<Semaphore>,
    env: Vec<(OsString, OsString)>,
}

impl Runner {
    /// A runner for `git` from `PATH`, allowing `max_processes` at once
    /// (at least one), each for at most `timeout`.
    pub fn new(timeout: Duration, max_processes: usize) -> Runner {
        let mut env = Vec::new();
        let unset = |k: &str| std::env::var_os(k).is_none();
        if unset("GIT_TERMINAL_PROMPT") {
            env.push(("GIT_TERMINAL_PROMPT".into(), "0".into()));
        }
        if unset("GCM_INTERACTIVE") {
            env.push(("GCM_INTERACTIVE".into(), "never".into()));
        }
        if unset("GIT_SSH") && unset("GIT_SSH_COMMAND") {
            env.push(("GIT_SSH_COMMAND".into(), BATCH_SSH.into()));
        }
        Runner {
            git: PathBuf::from("git"),
            timeout,
            limit: Arc::new(Semaphore::new(max_processes.max(1))),
            env,
        }
    }

    /// Uses `git` at this path instead of the one on `PATH`.
    pub fn with_git(mut self, git: impl Into<PathBuf>) -> Runner {
        self.git = git.into();
        self
    }

    /// Sets one more environment variable for every git process (tests use
    /// it for `GIT_CONFIG_GLOBAL`).
    pub fn with_env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Runner {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The timeout for each process.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Runs `git args...` in `dir` and returns its standard output.
    pub async fn output(&self, dir: &Path, args: &[&str]) -> Result<Vec<u8>, RunError> {
        self.run(dir, args, None).await
    }

    /// Runs `git args...` in `dir` with standard output going to `out`.
    pub async fn output_to_file(
        &self,
        dir: &Path,
        args: &[&str],
        out: std::fs::File,
    ) -> Result<(), RunError> {
        self.run(dir, args, Some(out)).await.map(|_| ())
    }

    async fn run(
        &self,
        dir: &Path,
        args: &[&str],
        out: Option<std::fs::File>,
    ) -> Result<Vec<u8>, RunError> {
        let cmd_line = format!("git {}", args.join(" "));
        // The semaphore is never closed, so acquiring cannot fail.
        let _permit = self.limit.acquire().await.ok();
        let mut cmd = Command::new(&self.git);
        cmd.args(args)
            .current_dir(dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        match out {
            Some(f) => cmd.stdout(Stdio::from(f)),
            None => cmd.stdout(Stdio::piped()),
        };
        let child = spawn(&mut cmd).await.map_err(|source| RunError::Spawn {
            cmd: cmd_line.clone(),
            source,
        })?;
        let mut guard = GroupGuard(child.id().and_then(|id| i32::try_from(id).ok()));
        let result = tokio::time::timeout(self.timeout, child.wait_with_output()).await;
        match result {
            Err(_) => Err(RunError::Timeout {
                cmd: cmd_line,
                timeout: self.timeout,
            }),
            Ok(Err(source)) => Err(RunError::Spawn {
                cmd: cmd_line,
                source,
            }),
            Ok(Ok(output)) => {
                // git has exited; its group may still hold helpers it left
                // behind, which the guard kills.
                if output.status.success() {
                    guard.0.take();
                    Ok(output.stdout)
                } else {
                    Err(RunError::Exit {
                        cmd: cmd_line,
                        status: output.status,
                        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
                    })
                }
            }
        }
    }
}

/// Kills a process group when dropped, unless disarmed.
struct GroupGuard(Option<i32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pgid) = self.0 {
            // ESRCH (the group is already gone) is the normal case.
            let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        }
    }
}

/// Starts `cmd`, retrying briefly while the executable is busy (ETXTBSY): a
/// program that was just written is briefly held open for writing by any child
/// forked at that moment, until that child's exec closes it. That happens to
/// scripts written by tests (and to a git being upgraded in place), never for
/// long.
async fn spawn(cmd: &mut tokio::process::Command) -> std::io::Result<tokio::process::Child> {
    let mut delay = std::time::Duration::from_millis(5);
    for _ in 0..8 {
        match cmd.spawn() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            other => return other,
        }
    }
    cmd.spawn()
}

#[cfg(test)]
pub(crate) mod tests;
