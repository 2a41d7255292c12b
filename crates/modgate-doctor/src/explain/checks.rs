//! Which `modgate doctor` checks would confirm a finding on this machine.
//!
//! explain works from text alone; the doctor probes the network. Each
//! network finding maps to the doctor checks (issue #5: configuration, DNS,
//! TCP, TLS, HTTP, proxy environment, git) that look at the same target;
//! [`crate::confirm`] runs exactly those (`modgate explain --check`).
//! Findings about local state (go.sum, the module cache, go.mod) have no
//! network check.

use serde::Serialize;

use crate::finding::{Code, Finding};

/// A doctor check and what it would look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestedCheck {
    /// The check family: `config`, `proxyenv`, `dns`, `tcp`, `tls`, `http`, `git`.
    pub check: &'static str,
    /// What it probes: a host, an endpoint, a URL or a setting.
    pub target: String,
    /// What the check does, in one line.
    pub what: &'static str,
}

fn host_of(target: &str) -> String {
    let t = target.split("://").nth(1).unwrap_or(target);
    let t = t.split('/').next().unwrap_or(t);
    super::scan::split_host_port(t).0.to_string()
}

fn endpoint_of(target: &str) -> String {
    let t = target.split("://").nth(1).unwrap_or(target);
    let t = t.split('/').next().unwrap_or(t);
    match super::scan::split_host_port(t) {
        (h, Some(p)) => super::scan::join_host_port(h, p),
        (h, None) => super::scan::join_host_port(h, 443),
    }
}

/// The checks for each finding, without duplicates, in finding order.
pub fn suggest(findings: &[Finding]) -> Vec<SuggestedCheck> {
    const DNS: &str = "resolve A and AAAA through each resolver the system uses, timed";
    const TCP: &str =
        "connect to every address of both families, then write and read a TLS ClientHello";
    const TLS: &str = "validate the chain against Go's roots, expiry and name; name the issuer; large and classic ClientHello";
    const HTTP: &str = "a real protocol request: status, timing, proxy or captive page";
    const CONFIG: &str =
        "GOPROXY, GOSUMDB, GOPRIVATE/GONOPROXY/GONOSUMDB, GOINSECURE as the go command reads them";
    const PROXYENV: &str =
        "HTTPS_PROXY/HTTP_PROXY/NO_PROXY with Go's rules: reachable, CONNECT, 407";
    const GIT: &str = "git ls-remote non-interactively, insteadOf rewrites, ssh in batch mode";
    let mut out: Vec<SuggestedCheck> = Vec::new();
    let mut add = |check: &'static str, target: String, what: &'static str| {
        // An address needs no name resolution.
        let pointless = check == "dns" && super::scan::is_ip_literal(&target);
        if !target.is_empty()
            && !pointless
            && !out.iter().any(|c| c.check == check && c.target == target)
        {
            out.push(SuggestedCheck {
                check,
                target,
                what,
            });
        }
    };
    for f in findings {
        let t = f.target.as_str();
        match f.code {
            Code::DnsNxdomain | Code::DnsTimeout | Code::DnsServfail | Code::DnsNoResolver => {
                add("dns", host_of(t), DNS);
            }
            Code::TcpRefused
            | Code::TcpTimeout
            | Code::TcpReset
            | Code::TcpUnreachable
            | Code::Ipv6Broken => {
                add("dns", host_of(t), DNS);
                add("tcp", endpoint_of(t), TCP);
            }
            Code::TlsUntrusted
            | Code::TlsExpired
            | Code::TlsHostname
            | Code::TlsTimeout
            | Code::TlsLargeHelloDropped
            | Code::TlsHandshake => {
                add("tcp", endpoint_of(t), TCP);
                add("tls", endpoint_of(t), TLS);
            }
            Code::HttpStatus | Code::HttpNotAProxy | Code::HttpTimeout => {
                if t.contains("://") {
                    add("http", t.to_string(), HTTP);
                } else {
                    add("proxyenv", "HTTPS_PROXY".into(), PROXYENV);
                }
            }
            Code::ProxyEnvInvalid
            | Code::ProxyEnvUnreachable
            | Code::ProxyEnvAuthRequired
            | Code::ProxyEnvAllProxyIgnored => {
                add("proxyenv", "HTTPS_PROXY".into(), PROXYENV);
            }
            Code::GitHttpsAuth
            | Code::GitSshAuth
            | Code::GitHostKey
            | Code::VcsNoSecureProtocol
            | Code::VcsUnrecognizedImport => {
                add("git", host_of(t), GIT);
            }
            Code::GoproxyOff
            | Code::GoproxyInvalid
            | Code::NoFallback
            | Code::PrivateLeak
            | Code::SumdbOff
            | Code::GosumdbInvalid
            | Code::Insecure
            | Code::NoproxyNoDirect
            | Code::GovcsDisallowed
            | Code::InsecureFlag => {
                add("config", "go env".into(), CONFIG);
            }
            Code::ToolchainDownload => add("config", "go env".into(), CONFIG),
            // Local state (go.sum, go.mod, the module cache, the module
            // itself) has no network check; so has any code added later
            // until it is mapped here (a wildcard keeps merges compiling).
            _ => {}
        }
    }
    out
}
