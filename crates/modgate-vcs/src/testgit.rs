//! Test support: git repositories built by the tests, with fixed authors and
//! commit times so that hashes and pseudo-versions are reproducible, and a
//! git configuration that maps `https://example.test/` (and the other
//! schemes the go command probes) onto them, so no test looks the name up.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::egress::{Resolve, ResolveFuture, Table};
use crate::run::Runner;

/// A table resolver that records the names it was asked for.
#[derive(Debug)]
pub struct Counting {
    table: Table,
    asked: std::sync::Mutex<Vec<String>>,
}

impl Counting {
    pub fn new(table: Table) -> Counting {
        Counting {
            table,
            asked: Default::default(),
        }
    }

    /// The names asked so far, in order.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Resolve for Counting {
    fn resolve<'a>(&'a self, name: &'a str, port: u16) -> ResolveFuture<'a> {
        self.asked.lock().unwrap().push(name.to_string());
        self.table.resolve(name, port)
    }
}

/// The host used in module paths; `insteadOf` maps it to local files.
pub const HOST: &str = "example.test";

/// A directory of test repositories plus the git configuration that points
/// `https://example.test/<name>` at `<root>/repos/<name>.git`.
pub struct Lab {
    pub root: tempfile::TempDir,
}

impl Lab {
    pub fn new() -> Lab {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("repos")).unwrap();
        let cfg = format!(
            // Every scheme the go command may probe (with GOINSECURE it
            // tries git:// and http:// too), so that no test looks the name up.
            "[url \"file://{}/repos/\"]\n\tinsteadOf = https://{HOST}/\n\tinsteadOf = http://{HOST}/\n\tinsteadOf = git://{HOST}/\n\tinsteadOf = ssh://{HOST}/\n\tinsteadOf = git+ssh://{HOST}/\n[protocol \"file\"]\n\tallow = always\n",
            root.path().display()
        );
        std::fs::write(root.path().join("gitconfig"), cfg).unwrap();
        Lab { root }
    }

    pub fn gitconfig(&self) -> PathBuf {
        self.root.path().join("gitconfig")
    }

    /// A runner whose git sees the lab's configuration.
    pub fn runner(&self) -> Runner {
        Runner::new(Duration::from_secs(30), 4)
            .with_env("GIT_CONFIG_GLOBAL", self.gitconfig())
            .with_env("GIT_CONFIG_NOSYSTEM", "1")
    }

    /// A new repository reachable as `https://example.test/<name>`.
    pub fn repo(&self, name: &str) -> TestRepo {
        let dir = self.root.path().join("repos").join(format!("{name}.git"));
        std::fs::create_dir_all(&dir).unwrap();
        let r = TestRepo {
            dir,
            gitconfig: self.gitconfig(),
            tick: 0,
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    pub fn cache_dir(&self) -> PathBuf {
        let d = self.root.path().join("cache");
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}

/// A working repository the test writes files and commits into.
pub struct TestRepo {
    pub dir: PathBuf,
    gitconfig: PathBuf,
    tick: i64,
}

impl TestRepo {
    pub fn git(&self, args: &[&str]) -> String {
        let date = format!("@{} +0000", 1_600_000_000 + self.tick * 3600);
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
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    pub fn write(&self, path: &str, content: &str) -> &Self {
        let p = self.dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
        self
    }

    pub fn symlink(&self, target: &str, path: &str) -> &Self {
        std::os::unix::fs::symlink(target, self.dir.join(path)).unwrap();
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

    pub fn checkout(&self, branch: &str, new: bool) -> &Self {
        if new {
            self.git(&["checkout", "-q", "-b", branch]);
        } else {
            self.git(&["checkout", "-q", branch]);
        }
        self
    }
}
