//! A git repository for direct-mode tests: fixed author, committer and dates (one
//! hour per commit), so commit hashes and pseudo-versions are the same on every run.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::stderr;

/// Under `lab`: the directory the test's repositories live in, and a git
/// configuration file that rewrites `example.test` to it for every scheme go
/// may try (with GOINSECURE it probes `git://` first), so neither go nor
/// modgate ever looks `example.test` up.
pub fn lab(lab: &Path) -> (PathBuf, PathBuf) {
    let repos = lab.join("repos");
    let gitconfig = lab.join("gitconfig");
    let mut config = format!("[url \"file://{}/\"]\n", repos.display());
    for scheme in ["https", "http", "git", "ssh", "git+ssh"] {
        config.push_str(&format!("\tinsteadOf = {scheme}://example.test/\n"));
    }
    std::fs::write(&gitconfig, config).unwrap();
    (repos, gitconfig)
}

/// A git working repository with fixed authors and commit times.
pub struct Repo {
    pub dir: PathBuf,
    gitconfig: PathBuf,
    tick: u32,
}

impl Repo {
    pub fn new(root: &Path, name: &str, gitconfig: &Path) -> Repo {
        let dir = root.join(format!("{name}.git"));
        std::fs::create_dir_all(&dir).unwrap();
        let r = Repo {
            dir,
            gitconfig: gitconfig.to_path_buf(),
            tick: 0,
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    pub fn git(&self, args: &[&str]) -> String {
        let date = format!("@{} +0000", 1_700_000_000 + self.tick * 3600);
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
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    pub fn write(&self, files: &[(&str, &str)]) -> &Self {
        for (p, c) in files {
            let p = self.dir.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, c).unwrap();
        }
        self
    }

    pub fn commit(&mut self, tags: &[&str]) {
        self.tick += 1;
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", "c"]);
        for t in tags {
            self.git(&["tag", t]);
        }
    }
}
