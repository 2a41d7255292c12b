//! Does a module host look private? Used to warn about private module paths
//! sent to a public proxy or checksum database, and to suggest NO_PROXY.
//! A host counts as private when it is an IP literal, has a single label or an
//! internal top-level domain (RFC 6762/6761/8375 and common corporate ones),
//! or is named like a self-hosted code forge (`git.`, `gitlab.`, `gitea.`,
//! `bitbucket.` on a company domain, GitHub Enterprise `github.<company>`).
//! Public hosting sites are never private by name: `github.com/org/x` may be a
//! private repository, but nothing in its path says so.

/// Top-level domains that are never in public DNS, or used only internally.
const INTERNAL_TLDS: &[&str] = &[
    "local",
    "localdomain",
    "internal",
    "intranet",
    "corp",
    "lan",
    "home",
    "private",
    "test",
    "example",
    "invalid",
    "localhost",
    "arpa",
];

/// Public hosting sites (their paths may be private, their names are not).
const PUBLIC_HOSTS: &[&str] = &[
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "gitea.com",
    "sr.ht",
    "git.sr.ht",
    "golang.org",
    "google.golang.org",
    "go.googlesource.com",
    "gopkg.in",
    "go.uber.org",
    "k8s.io",
    "sigs.k8s.io",
    "cloud.google.com",
    "go.opentelemetry.io",
    "honnef.co",
    "git.apache.org",
    "git.openstack.org",
];

/// Label prefixes of self-hosted forges.
const FORGE_LABELS: &[&str] = &[
    "git",
    "gitlab",
    "gitea",
    "forgejo",
    "gogs",
    "bitbucket",
    "stash",
    "gerrit",
    "ghe",
    "scm",
    "code",
    "source",
    "repo",
    "repos",
    "vcs",
    "devops",
    "tfs",
];

/// Why `host` looks private, or `None`.
pub fn private_reason(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let bare = host.split(':').next().unwrap_or(&host).to_string();
    if crate::net::parse_ip(host.trim_start_matches('[').trim_end_matches(']')).is_some()
        || crate::net::parse_ip(&bare).is_some()
    {
        return Some("an IP address".into());
    }
    if PUBLIC_HOSTS.contains(&bare.as_str()) {
        return None;
    }
    let labels: Vec<&str> = bare.split('.').collect();
    if labels.len() == 1 {
        return Some("a single-label host name".into());
    }
    let tld = labels.last().copied().unwrap_or("");
    if INTERNAL_TLDS.contains(&tld) || bare.ends_with(".home.arpa") {
        return Some(format!("the internal top-level domain .{tld}"));
    }
    let first = labels[0];
    if labels.len() >= 3 && FORGE_LABELS.contains(&first) {
        return Some(format!("a self-hosted code host name ({first}.)"));
    }
    if labels.len() >= 3 && first == "github" && labels[1] != "com" {
        return Some("a GitHub Enterprise host name".into());
    }
    if bare == "dev.azure.com" || bare.ends_with(".visualstudio.com") {
        return Some("Azure DevOps (always private repositories)".into());
    }
    None
}

/// A public hosting site (its name is public whatever its repositories are).
pub fn is_public_hosting(host: &str) -> bool {
    PUBLIC_HOSTS.contains(&host.trim_end_matches('.').to_ascii_lowercase().as_str())
}

pub fn looks_private_host(host: &str) -> bool {
    private_reason(host).is_some()
}

/// The host element of a module path.
pub fn module_host(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests;
