//! Findings: the stable codes doctor and explain report, with severity, the
//! evidence that led to them and the exact commands that fix them.
//!
//! Codes are part of modgate's interface (scripts match on them and
//! `docs/doctor.md` documents each): never rename one, only add.

use std::fmt;

/// How bad a finding is. `Broken` means downloads will fail as configured;
/// `Degraded` means they work but slowly, insecurely or only sometimes;
/// `Info` is context the user should know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Degraded,
    Broken,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Degraded => "degraded",
            Severity::Broken => "broken",
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $text:literal,)*) => {
        /// A finding's stable identifier, printed as e.g. `dns.nxdomain`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable text form, e.g. `"tls.untrusted"`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// Parses the text form.
            pub fn parse(s: &str) -> Option<Code> {
                match s { $($text => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    GoproxyOff => "config.goproxy-off",
    GoproxyInvalid => "config.goproxy-invalid",
    NoFallback => "config.no-fallback",
    PrivateLeak => "config.private-leak",
    SumdbOff => "config.sumdb-off",
    GosumdbInvalid => "config.gosumdb-invalid",
    Insecure => "config.insecure",
    ProxyEnvInvalid => "proxyenv.invalid",
    ProxyEnvUnreachable => "proxyenv.unreachable",
    ProxyEnvAuthRequired => "proxyenv.auth-required",
    ProxyEnvAllProxyIgnored => "proxyenv.all-proxy-ignored",
    DnsNxdomain => "dns.nxdomain",
    DnsTimeout => "dns.timeout",
    DnsServfail => "dns.servfail",
    DnsNoResolver => "dns.no-resolver",
    TcpRefused => "tcp.refused",
    TcpTimeout => "tcp.timeout",
    TcpReset => "tcp.reset",
    TcpUnreachable => "tcp.unreachable",
    Ipv6Broken => "ipv6.broken",
    TlsUntrusted => "tls.untrusted",
    TlsExpired => "tls.expired",
    TlsHostname => "tls.hostname",
    TlsTimeout => "tls.timeout",
    TlsLargeHelloDropped => "tls.large-hello-dropped",
    TlsHandshake => "tls.handshake",
    HttpStatus => "http.status",
    HttpNotAProxy => "http.not-a-proxy",
    GitHttpsAuth => "git.https-auth",
    GitSshAuth => "git.ssh-auth",
    GitHostKey => "git.host-key",
    // Codes `explain` reports from the text of a failed go command.
    GoSumMismatch => "sum.gosum-mismatch",
    SumdbMismatch => "sum.sumdb-mismatch",
    SumdbMissing => "sum.sumdb-missing",
    GoSumMissing => "sum.gosum-missing",
    GoSumUnknownHash => "sum.unknown-hash",
    NoproxyNoDirect => "config.noproxy-no-direct",
    GovcsDisallowed => "config.govcs-disallowed",
    InsecureFlag => "config.insecure-flag",
    ModuleUnknownRevision => "module.unknown-revision",
    ModuleNotFound => "module.not-found",
    ModulePathMismatch => "module.path-mismatch",
    GoModUpdatesNeeded => "gomod.updates-needed",
    VcsUnrecognizedImport => "vcs.unrecognized-import",
    VcsNoSecureProtocol => "vcs.no-secure-protocol",
    ToolchainDownload => "toolchain.download",
    ToolchainTooOld => "toolchain.too-old",
    HttpTimeout => "http.timeout",
    CacheModified => "cache.modified",
    ModuleBadGoMod => "module.bad-gomod",
    SumdbKeyMismatch => "sumdb.key-mismatch",
    ProxyEnvSocksRefused => "proxyenv.socks-refused",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One diagnosis: what is wrong, where, why we think so, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// What the finding is about: an endpoint (`proxy.golang.org:443`), a
    /// variable (`GOPROXY`), a module path or a host.
    pub target: String,
    /// One sentence a developer understands without context.
    pub summary: String,
    /// What was observed (timings, error texts, addresses), one item per line.
    pub evidence: Vec<String>,
    /// Exact commands or lines that fix it, in the order to try them.
    pub fix: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
            assert_eq!(Code::parse(code.as_str()), Some(code));
            let (family, name) = code.as_str().split_once('.').expect("family.name");
            assert!(!family.is_empty() && !name.is_empty());
        }
        assert_eq!(Code::parse("no.such-code"), None);
    }
}
