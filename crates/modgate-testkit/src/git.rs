//! Git repositories built by tests, with fixed authors and commit times so
//! that commit hashes and pseudo-versions are the same on every run, and a
//! git configuration that maps `example.test` onto them for every scheme the
//! go command may probe, so neither go nor modgate ever looks the name up.
//! [`http`] serves them over git's smart HTTP protocol on loopback.

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod http;

/// The host used in module paths; `insteadOf` maps it to local files.
pub const HOST: &str = "example.test";

/// The first commit's time (Unix seconds); each commit is one hour later.
pub const EPOCH: i64 = 1_600_000_000;

/// A temporary directory of test repositories (`repos/<name>.git`) plus the
/// git configuration (`gitconfig`) that points `https://example.test/<name>`
/// (and `http`, `git`, `ssh`, `git+ssh`) at them. Callers hand that file to
/// git, go and modgate with `GIT_CONFIG_GLOBAL` and `GIT_CONFIG_NOSYSTEM=1`.
pub struct Lab {
    pub root: tempfile::TempDir,
}

impl Default for Lab {
    fn default() -> Lab {
        Lab::new()
    }
}

impl Lab {
    pub fn new() -> Lab {
        let root = tempfile::tempdir().expect("create lab directory");
        std::fs::create_dir_all(root.path().join("repos")).expect("create repos directory");
        let mut cfg = format!("[url \"file://{}/repos/\"]\n", root.path().display());
        // With GOINSECURE the go command tries git:// and http:// too.
        for scheme in ["https", "http", "git", "ssh", "git+ssh"] {
            cfg.push_str(&format!("\tinsteadOf = {scheme}://{HOST}/\n"));
        }
        cfg.push_str("[protocol \"file\"]\n\tallow = always\n");
        std::fs::write(root.path().join("gitconfig"), cfg).expect("write gitconfig");
        Lab { root }
    }

    /// The lab's directory, for a test's other files.
    pub fn path(&self) -> &Path {
        self.root.path()
    }

    /// The git configuration file with the `insteadOf` rules.
    pub fn gitconfig(&self) -> PathBuf {
        self.root.path().join("gitconfig")
    }

    /// The directory holding `<name>.git` for each repository.
    pub fn repos(&self) -> PathBuf {
        self.root.path().join("repos")
    }

    /// A directory for a cache of the code under test.
    pub fn cache_dir(&self) -> PathBuf {
        let d = self.root.path().join("cache");
        std::fs::create_dir_all(&d).expect("create cache directory");
        d
    }

    /// A new repository (branch `main`) reachable as `https://example.test/<name>`.
    pub fn repo(&self, name: &str) -> Repo {
        let dir = self.repos().join(format!("{name}.git"));
        std::fs::create_dir_all(&dir).expect("create repository directory");
        let r = Repo {
            dir,
            gitconfig: self.gitconfig(),
            tick: 0,
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }
}

/// A working repository the test writes files and commits into.
pub struct Repo {
    pub dir: PathBuf,
    gitconfig: PathBuf,
    tick: i64,
}

impl Repo {
    /// Runs git in the repository (commits dated by the commit count); panics
    /// with git's message on failure; returns the trimmed standard output.
    pub fn git(&self, args: &[&str]) -> String {
        let date = format!("@{} +0000", EPOCH + self.tick * 3600);
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.dir)
            .env("GIT_CONFIG_GLOBAL", &self.gitconfig)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.test")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.test")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Writes a file (creating its directories).
    pub fn write(&self, path: &str, content: &str) -> &Self {
        let p = self.dir.join(path);
        std::fs::create_dir_all(p.parent().expect("a file path")).expect("create directory");
        std::fs::write(p, content).expect("write file");
        self
    }

    pub fn symlink(&self, target: &str, path: &str) -> &Self {
        std::os::unix::fs::symlink(target, self.dir.join(path)).expect("create symlink");
        self
    }

    /// Commits everything, one hour after the previous commit; returns the
    /// hash.
    pub fn commit(&mut self, msg: &str) -> String {
        self.tick += 1;
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", msg]);
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn tag(&self, name: &str) -> &Self {
        self.git(&["tag", name]);
        self
    }

    pub fn annotated_tag(&self, name: &str) -> &Self {
        self.git(&["tag", "-a", "-m", name, name]);
        self
    }

    /// Switches to `branch`, creating it when `new`.
    pub fn checkout(&self, branch: &str, new: bool) -> &Self {
        if new {
            self.git(&["checkout", "-q", "-b", branch]);
        } else {
            self.git(&["checkout", "-q", branch]);
        }
        self
    }
}
