//! The exact commands explain proposes, built from what the text names.
//!
//! Go settings are changed with `go env -w`, which works the same on every
//! platform. Values containing `|` are quoted so a shell does not read a
//! pipe. Process environment variables (SSL_CERT_FILE, HTTPS_PROXY, GODEBUG)
//! are written for the platform detected: `export` for Unix shells,
//! PowerShell's `$env:` for Windows.

use super::platform::Os;

/// `go env -w NAME=value`, quoted when the value has shell metacharacters.
pub(crate) fn go_env_w(name: &str, value: &str) -> String {
    if value.contains(['|', ' ', '*', ';', '&', '$']) {
        format!("go env -w '{name}={value}'")
    } else {
        format!("go env -w {name}={value}")
    }
}

/// Sets a process environment variable for the detected platform.
pub(crate) fn set_env(os: Option<Os>, name: &str, value: &str) -> String {
    match os {
        Some(Os::Windows) => format!("$env:{name} = \"{value}\""),
        _ => format!("export {name}={value}"),
    }
}

/// Hosting services whose first path element is an account: a GOPRIVATE
/// pattern should stop at the account, not cover the whole service.
const SHARED_HOSTS: &[&str] = &[
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "gitee.com",
    "codeberg.org",
    "dev.azure.com",
    "ssh.dev.azure.com",
    "git.sr.ht",
    "golang.org",
    "go.googlesource.com",
];

/// The GOPRIVATE pattern for a module: the account on a shared host
/// (`github.com/acme`), otherwise the whole host (`git.corp.example`).
pub(crate) fn private_prefix(module: &str) -> String {
    let mut parts = module.split('/');
    let host = parts.next().unwrap_or(module);
    if SHARED_HOSTS.contains(&host)
        && let Some(owner) = parts.next()
    {
        return format!("{host}/{owner}");
    }
    host.to_string()
}

/// Top-level domains that never resolve on the public Internet: reserved
/// (RFC 2606, RFC 6761, RFC 6762) or conventionally internal.
const PRIVATE_TLDS: &[&str] = &[
    "internal",
    "local",
    "localdomain",
    "lan",
    "corp",
    "home",
    "intranet",
    "private",
    "example",
    "test",
    "invalid",
    "localhost",
    "intra",
    "priv",
];

/// Whether a module's host is evidently private (not resolvable publicly):
/// an IP literal, a single label, or a reserved or internal top-level domain.
/// Company domains on public TLDs cannot be told apart from text alone.
pub(crate) fn host_looks_private(host: &str) -> bool {
    let host = host.split(':').next().unwrap_or(host).trim_end_matches('.');
    if super::scan::is_ip_literal(host) || !host.contains('.') {
        return true;
    }
    let tld = host.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    PRIVATE_TLDS.contains(&tld.as_str())
}

/// Interception (TLS inspection) products by the names their root
/// certificates carry.
const INTERCEPTORS: &[(&str, &str)] = &[
    ("zscaler", "Zscaler"),
    ("netskope", "Netskope"),
    ("forti", "Fortinet FortiGate"),
    ("palo alto", "Palo Alto Networks"),
    ("paloalto", "Palo Alto Networks"),
    ("blue coat", "Symantec/Broadcom Blue Coat"),
    ("bluecoat", "Symantec/Broadcom Blue Coat"),
    ("cisco umbrella", "Cisco Umbrella"),
    ("opendns", "Cisco Umbrella"),
    ("sophos", "Sophos"),
    ("kaspersky", "Kaspersky"),
    ("avast", "Avast"),
    ("avg ", "AVG"),
    ("eset", "ESET"),
    ("bitdefender", "Bitdefender"),
    ("mcafee", "McAfee/Trellix Web Gateway"),
    ("checkpoint", "Check Point"),
    ("check point", "Check Point"),
    ("watchguard", "WatchGuard"),
    ("sonicwall", "SonicWall"),
    ("barracuda", "Barracuda"),
    ("cloudflare for teams", "Cloudflare Zero Trust"),
    ("gateway ca - cloudflare", "Cloudflare Zero Trust"),
    ("menlo", "Menlo Security"),
    ("squid", "Squid (ssl_bump)"),
    ("mitmproxy", "mitmproxy"),
    ("charles proxy", "Charles Proxy"),
    ("fiddler", "Fiddler"),
    ("do_not_trust", "Fiddler"),
];

/// The interception product a certificate authority name belongs to.
pub(crate) fn interceptor(authority: &str) -> Option<&'static str> {
    let lower = authority.to_ascii_lowercase();
    INTERCEPTORS
        .iter()
        .find(|(needle, _)| lower.contains(needle))
        .map(|&(_, name)| name)
}

/// The lines that trust a corporate or interception root CA for Go, for
/// the platform detected.
pub(crate) fn trust_ca(os: Option<Os>) -> Vec<String> {
    match os {
        Some(Os::Darwin) => vec![
            // Go 1.27: SSL_CERT_FILE replaces the macOS verifier, so add the
            // root to the keychain instead (the verifier Go uses by default).
            "sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain company-root-ca.pem".into(),
        ],
        Some(Os::Windows) => vec![
            "Import-Certificate -FilePath company-root-ca.cer -CertStoreLocation Cert:\\LocalMachine\\Root".into(),
        ],
        _ => vec![
            "sudo cp company-root-ca.pem /usr/local/share/ca-certificates/company-root-ca.crt && sudo update-ca-certificates".into(),
            format!(
                "cat /etc/ssl/certs/ca-certificates.crt company-root-ca.pem > \"$HOME/ca-bundle.pem\" && {}  # without root",
                set_env(None, "SSL_CERT_FILE", "\"$HOME/ca-bundle.pem\"")
            ),
        ],
    }
}
