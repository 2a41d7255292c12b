//! git for modules fetched directly (`GOPROXY=direct`, GONOPROXY/GOPRIVATE
//! paths, or the `direct` fallback): `git ls-remote` run the way the go command
//! runs git (`GIT_TERMINAL_PROMPT=0`, `GCM_INTERACTIVE=never`,
//! `modload/init.go`), against the URL git would really use after its
//! `url.<base>.insteadOf` rewrites, with ssh forced into batch mode so that a
//! missing key or an unknown host key fails at once instead of prompting.
//! The texts we match are git's and ssh's (peers.md B.1a).

use std::time::Duration;

use tokio::time::Instant;

use crate::env::Env;
use crate::finding::Code;
use crate::net::within;

pub const GIT_TIMEOUT: Duration = Duration::from_secs(6);

/// Hosts whose repository URL Go knows without a `?go-get=1` request
/// (`cmd/go/internal/vcs/vcs.go` `vcsPaths`, git ones): the first two path
/// elements after the host name the repository.
const KNOWN_HOSTS: &[&str] = &[
    "github.com",
    "bitbucket.org",
    "git.apache.org",
    "git.openstack.org",
];

/// The repository URL Go would use for a module path without asking the
/// server: known hosting sites, or a path with a `.git` element.
pub fn static_repo_url(module_path: &str) -> Option<String> {
    let elems: Vec<&str> = module_path.split('/').collect();
    let host = *elems.first()?;
    if KNOWN_HOSTS.contains(&host) && elems.len() >= 3 {
        return Some(format!("https://{}/{}/{}", host, elems[1], elems[2]));
    }
    let i = elems
        .iter()
        .position(|e| e.ends_with(".git") && e.len() > 4)?;
    if i == 0 {
        return None;
    }
    Some(format!("https://{}", elems[..=i].join("/")))
}

/// `url.<base>.insteadOf <prefix>` rules from git's config, applied like git
/// does (the longest matching prefix wins).
pub fn apply_instead_of(url: &str, rules: &[(String, String)]) -> Option<(String, String)> {
    rules
        .iter()
        .filter(|(_, prefix)| url.starts_with(prefix.as_str()))
        .max_by_key(|(_, prefix)| prefix.len())
        .map(|(base, prefix)| (format!("{base}{}", &url[prefix.len()..]), prefix.clone()))
}

/// Parses `git config --get-regexp '^url\..*\.insteadof$'` output.
pub fn parse_instead_of(out: &str) -> Vec<(String, String)> {
    out.lines()
        .filter_map(|l| {
            let (key, prefix) = l.split_once(' ')?;
            let base = key.strip_prefix("url.")?;
            let base = base
                .strip_suffix(".insteadof")
                .or_else(|| base.strip_suffix(".insteadOf"))?;
            Some((base.to_string(), prefix.to_string()))
        })
        .collect()
}

/// What `git ls-remote` said.
#[derive(Debug, Clone)]
pub struct LsRemote {
    pub url: String,
    /// The URL after insteadOf rewrites, and the rule that applied.
    pub rewritten: Option<(String, String)>,
    pub ok: bool,
    pub stderr: String,
    pub elapsed: Duration,
    /// The failure family, when it is one git/ssh names.
    pub code: Option<Code>,
    pub timed_out: bool,
}

impl LsRemote {
    pub fn effective_url(&self) -> &str {
        self.rewritten.as_ref().map_or(&self.url, |(u, _)| u)
    }
}

/// Classifies git's stderr.
pub fn classify(stderr: &str) -> Option<Code> {
    let s = stderr.to_ascii_lowercase();
    if s.contains("host key verification failed")
        || s.contains("remote host identification has changed")
        || s.contains("host key is known")
    {
        Some(Code::GitHostKey)
    } else if s.contains("permission denied (publickey")
        || s.contains("permission denied, please try again")
    {
        Some(Code::GitSshAuth)
    } else if s.contains("terminal prompts disabled")
        || s.contains("could not read username")
        || s.contains("could not read password")
        || s.contains("authentication failed")
        || s.contains("returned error: 401")
        || s.contains("returned error: 403")
    {
        Some(Code::GitHttpsAuth)
    } else {
        None
    }
}

async fn git_output(env: &Env, args: &[&str], timeout: Duration) -> Option<std::process::Output> {
    let git = env.which("git")?;
    let mut cmd = tokio::process::Command::new(git);
    cmd.args(args)
        .env_clear()
        .envs(env.iter())
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GCM_INTERACTIVE", "never")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    within(timeout, cmd.output()).await.ok()?.ok()
}

/// The ssh command git would use, forced into batch mode.
async fn batch_ssh(env: &Env) -> String {
    let base = match env.get("GIT_SSH_COMMAND") {
        Some(c) => c.to_string(),
        None => match git_output(
            env,
            &["config", "--get", "core.sshCommand"],
            Duration::from_secs(2),
        )
        .await
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        {
            Some(c) => c,
            None => env.get("GIT_SSH").unwrap_or("ssh").to_string(),
        },
    };
    format!("{base} -o BatchMode=yes -o ConnectTimeout=5")
}

/// The insteadOf rules in the user's git configuration.
pub async fn instead_of_rules(env: &Env) -> Vec<(String, String)> {
    git_output(
        env,
        &["config", "--get-regexp", r"^url\..*\.insteadof$"],
        Duration::from_secs(2),
    )
    .await
    .map(|o| parse_instead_of(&String::from_utf8_lossy(&o.stdout)))
    .unwrap_or_default()
}

/// Runs `git ls-remote` on `url`; `None` when git is not installed.
pub async fn ls_remote(env: &Env, url: &str, timeout: Duration) -> Option<LsRemote> {
    env.which("git")?;
    let rules = instead_of_rules(env).await;
    let rewritten = apply_instead_of(url, &rules);
    let mut env = env.clone();
    env.set("GIT_SSH_COMMAND", &batch_ssh(&env).await);
    let start = Instant::now();
    let out = git_output(&env, &["ls-remote", "-q", url], timeout).await;
    let elapsed = start.elapsed();
    Some(match out {
        Some(o) => {
            let stderr = String::from_utf8_lossy(&o.stderr).trim().to_string();
            LsRemote {
                url: url.to_string(),
                rewritten,
                ok: o.status.success(),
                code: if o.status.success() {
                    None
                } else {
                    classify(&stderr)
                },
                stderr,
                elapsed,
                timed_out: false,
            }
        }
        None => LsRemote {
            url: url.to_string(),
            rewritten,
            ok: false,
            code: None,
            stderr: format!(
                "git ls-remote did not finish within {} s",
                timeout.as_secs()
            ),
            elapsed,
            timed_out: true,
        },
    })
}

/// `(host, port)` of an ssh URL (`ssh://[user@]host[:port]/path` or the
/// scp form `user@host:path`).
pub fn ssh_host(url: &str) -> Option<(String, Option<u16>)> {
    if let Some(rest) = url
        .strip_prefix("ssh://")
        .or_else(|| url.strip_prefix("git+ssh://"))
    {
        let authority = rest.split('/').next()?;
        let hostport = authority.rsplit('@').next()?;
        if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6.split_once(']')?;
            return Some((
                h.to_string(),
                after.strip_prefix(':').and_then(|p| p.parse().ok()),
            ));
        }
        return Some(match hostport.split_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()),
            None => (hostport.to_string(), None),
        });
    }
    if url.contains("://") {
        return None;
    }
    let (before, _) = url.split_once(':')?;
    Some((before.rsplit('@').next()?.to_string(), None))
}

/// The host of an http(s) URL.
pub fn https_host(url: &str) -> Option<String> {
    url::Url::parse(url).ok()?.host_str().map(String::from)
}

/// The most telling line of git's stderr for a one-line summary.
pub fn key_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .iter()
        .find(|l| classify(l).is_some())
        .or_else(|| lines.iter().find(|l| l.starts_with("fatal:")))
        .or(lines.last())
        .map_or_else(|| "failed".to_string(), |l| l.to_string())
}

/// The report line and finding for one `git ls-remote`.
pub fn judge(
    ls: &LsRemote,
    module: &str,
    netrc_has_host: bool,
) -> (super::Check, Option<crate::finding::Finding>) {
    use crate::finding::{Finding, Severity};
    let eff = ls.effective_url().to_string();
    let via = match &ls.rewritten {
        Some((u, prefix)) => format!(" (insteadOf {prefix} → {u})"),
        None => String::new(),
    };
    let check = super::Check {
        kind: "git",
        target: format!("git ls-remote {}{via}", ls.url),
        status: if ls.ok {
            super::Status::Ok
        } else {
            super::Status::Fail
        },
        elapsed: Some(ls.elapsed),
        detail: if ls.ok {
            "ok".into()
        } else {
            key_line(&ls.stderr)
        },
    };
    let Some(code) = ls.code else {
        return (check, None);
    };
    let mut evidence = vec![format!("git ls-remote -q {}{via}", ls.url)];
    evidence.extend(ls.stderr.lines().map(|l| format!("\t{l}")));
    let finding = match code {
        Code::GitHttpsAuth => {
            let host = https_host(&eff).unwrap_or_default();
            Finding {
                code,
                severity: Severity::Broken,
                target: host.clone(),
                summary: format!(
                    "git cannot read {eff} without credentials, and go runs git with prompts disabled: go fails with \"fatal: could not read Username for 'https://{host}': terminal prompts disabled\" while fetching {module}.{}",
                    if netrc_has_host {
                        " (~/.netrc has an entry for this host, but it is refused)"
                    } else {
                        ""
                    }
                ),
                evidence,
                fix: vec![
                    format!(
                        "printf 'machine {host} login <user> password <token>\\n' >> ~/.netrc && chmod 600 ~/.netrc"
                    ),
                    format!(
                        "git config --global url.\"git@{host}:\".insteadOf https://{host}/   # or use ssh"
                    ),
                ],
            }
        }
        Code::GitSshAuth => {
            let (host, port) = ssh_host(&eff).unwrap_or_default();
            let p = port.map_or(String::new(), |p| format!(" -p {p}"));
            Finding {
                code,
                severity: Severity::Broken,
                target: host.clone(),
                summary: format!(
                    "The ssh server {host} refuses this machine's keys (\"Permission denied (publickey)\") for {eff}, which git uses for {module}{}.",
                    if ls.rewritten.is_some() {
                        " because of a url.insteadOf rewrite"
                    } else {
                        ""
                    }
                ),
                evidence,
                fix: vec![
                    "ssh-add -l   # is a key loaded? if not: ssh-add ~/.ssh/id_ed25519".into(),
                    format!(
                        "ssh -T{p} git@{host}   # then add ~/.ssh/id_ed25519.pub to your account on {host}"
                    ),
                    match &ls.rewritten {
                        Some((_, prefix)) => format!(
                            "git config --global --unset-all url.\"{}\".insteadOf   # or go back to https",
                            eff.strip_suffix(&ls.url[prefix.len()..]).unwrap_or(&eff)
                        ),
                        None => "# or fetch over https with a token in ~/.netrc".into(),
                    },
                ],
            }
        }
        _ => {
            let (host, port) = ssh_host(&eff).unwrap_or_default();
            let p = port.map_or(String::new(), |p| format!("-p {p} "));
            Finding {
                code,
                severity: Severity::Broken,
                target: host.clone(),
                summary: format!(
                    "ssh does not know (or does not accept) the host key of {host}, and go's git runs cannot ask: \"Host key verification failed\" while fetching {module}."
                ),
                evidence,
                fix: vec![
                    format!(
                        "ssh-keyscan {p}{host} >> ~/.ssh/known_hosts   # compare the fingerprint with the one {host} publishes first"
                    ),
                    format!(
                        "ssh {}git@{host}   # or connect once interactively and check the fingerprint",
                        port.map_or(String::new(), |p| format!("-p {p} "))
                    ),
                ],
            }
        }
    };
    (check, Some(finding))
}

#[cfg(test)]
mod tests;
