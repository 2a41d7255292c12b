//! Configuration findings, with no network: what the go command will do with
//! these settings (`modfetch/proxy.go`, `modfetch/repo.go`, `modfetch/sumdb.go`,
//! `cfg/cfg.go`, `httpproxy`). Only what `go` would really fail on, leak or
//! weaken is reported: for example a GONOPROXY path is always fetched
//! directly whatever GOPROXY says, and a private path whose hash is already in
//! go.sum is not looked up in the checksum database again.

use std::path::Path;

use modgate_core::pattern::match_prefix_patterns;

use super::{Check, Status};
use crate::finding::{Code, Finding, Severity};
use crate::plan::{self, ChainEntry, EntryKind, Plan, SumDb};
use crate::private::{module_host, private_reason};
use crate::settings::Settings;

/// `go env -w VAR=<old>,<add>` keeping what was there.
fn extend_cmd(var: &str, old: &str, add: &str) -> String {
    if old.is_empty() {
        format!("go env -w {var}={add}")
    } else {
        format!("go env -w {var}={old},{add}")
    }
}

/// Whether a module version is in the module cache (so GOPROXY=off is fine for it).
fn cached(cache: Option<&Path>, path: &str, version: &str) -> bool {
    let Some(cache) = cache else { return false };
    let (Ok(esc), Ok(ver)) = (
        modgate_core::module::escape_path(path),
        modgate_core::module::escape_version(version),
    ) else {
        return false;
    };
    cache
        .join("cache/download")
        .join(esc)
        .join("@v")
        .join(format!("{ver}.zip"))
        .is_file()
}

/// All configuration findings, plus one check line per variable read.
pub fn check(s: &Settings, p: &Plan) -> (Vec<Check>, Vec<Finding>) {
    let mut checks = Vec::new();
    let mut out = Vec::new();
    for var in modgate_core::goenv::vars::download() {
        if let Some(set) = s.go.get(var) {
            checks.push(Check {
                kind: "config",
                target: var.to_string(),
                status: Status::Ok,
                elapsed: None,
                detail: format!("{:?} ({})", set.value, set.source.describe()),
            });
        }
    }
    goproxy(s, p, &mut out);
    gosumdb(s, p, &mut out);
    private_leaks(s, p, &mut out);
    insecure(s, p, &mut out);
    proxy_env(s, &mut out);
    for c in &mut checks {
        if out
            .iter()
            .any(|f| f.target == c.target && f.severity >= Severity::Degraded)
        {
            c.status = Status::Warn;
        }
    }
    (checks, out)
}

fn goproxy(s: &Settings, p: &Plan, out: &mut Vec<Finding>) {
    let chain = match &p.chain {
        Ok(c) => c,
        Err(e) => {
            out.push(Finding {
                code: Code::GoproxyInvalid,
                severity: Severity::Broken,
                target: "GOPROXY".into(),
                summary: format!("GOPROXY is invalid; every download fails with \"{e}\"."),
                evidence: vec![s.describe("GOPROXY")],
                fix: vec!["go env -w GOPROXY=https://proxy.golang.org,direct".into()],
            });
            return;
        }
    };
    if chain.first().map(|e| &e.kind) != Some(&EntryKind::Off) {
        return;
    }
    // GONOPROXY paths are still fetched directly; cached versions need nothing;
    // with -mod=vendor nothing is looked up at all (modload reports
    // "module lookup disabled by -mod=vendor" before GOPROXY matters).
    let vendor_flag = s
        .get("GOFLAGS")
        .split_whitespace()
        .any(|f| f == "-mod=vendor");
    let (severity, detail) = match &s.module {
        _ if vendor_flag => (
            Severity::Info,
            "GOFLAGS has -mod=vendor, so builds use the vendor directory and download nothing"
                .to_string(),
        ),
        None => (
            Severity::Degraded,
            "every module that is not already in the module cache fails to download".to_string(),
        ),
        Some(m) => {
            let cache = s.gomodcache();
            let needed: Vec<String> = m
                .requires
                .iter()
                .filter(|r| !match_prefix_patterns(s.gonoproxy(), &r.path))
                .filter(|r| !cached(cache.as_deref(), &r.path, &r.version))
                .map(|r| format!("{}@{}", r.path, r.version))
                .collect();
            if m.vendored || needed.is_empty() {
                (
                    Severity::Info,
                    "this module's requirements are vendored or already in the module cache"
                        .to_string(),
                )
            } else {
                (
                    Severity::Broken,
                    format!(
                        "{} requirement(s) of {} are not in the module cache, e.g. {}",
                        needed.len(),
                        m.module,
                        needed[0]
                    ),
                )
            }
        }
    };
    out.push(Finding {
        code: Code::GoproxyOff,
        severity,
        target: "GOPROXY".into(),
        summary: format!(
            "GOPROXY=off: go fails with \"module lookup disabled by GOPROXY=off\"; {detail}."
        ),
        evidence: vec![s.describe("GOPROXY")],
        fix: vec![
            "go env -w GOPROXY=https://proxy.golang.org,direct".into(),
            "unset GOPROXY   # if GOPROXY is set in the environment (go env -w does not override it)".into(),
        ],
    });
}

fn gosumdb(s: &Settings, p: &Plan, out: &mut Vec<Finding>) {
    match &p.sumdb {
        Err(e) => out.push(Finding {
            code: Code::GosumdbInvalid,
            severity: Severity::Broken,
            target: "GOSUMDB".into(),
            summary: format!("GOSUMDB is invalid; adding any new module to go.sum fails with \"verifying module: {e}\"."),
            evidence: vec![s.describe("GOSUMDB")],
            fix: vec!["go env -u GOSUMDB   # back to sum.golang.org".into()],
        }),
        Ok(SumDb::Off) => out.push(Finding {
            code: Code::SumdbOff,
            severity: Severity::Degraded,
            target: "GOSUMDB".into(),
            summary: "GOSUMDB=off: downloaded modules are not checked against the checksum database, so a tampered or retagged module is accepted the first time it is seen.".into(),
            evidence: vec![s.describe("GOSUMDB")],
            fix: vec![
                "go env -w GOSUMDB=sum.golang.org".into(),
                "go env -w GOPRIVATE=<your private module prefixes>   # instead of turning the database off for them".into(),
            ],
        }),
        Ok(SumDb::On { .. }) => {
            // GONOSUMDB (or GOPRIVATE) that covers public modules turns
            // verification off for them.
            let nosum = s.gonosumdb();
            let probes = ["github.com/x/y", "golang.org/x/text", "gopkg.in/yaml.v3", "google.golang.org/grpc"];
            let hit: Vec<&str> = probes.iter().copied().filter(|m| match_prefix_patterns(nosum, m)).collect();
            if !hit.is_empty() {
                let var = if s.get("GONOSUMDB").is_empty() { "GOPRIVATE" } else { "GONOSUMDB" };
                out.push(Finding {
                    code: Code::Insecure,
                    severity: Severity::Degraded,
                    target: var.into(),
                    summary: format!("{var}={nosum:?} also matches public modules (such as {}), so they are not verified against the checksum database.", hit.join(", ")),
                    evidence: vec![s.describe(var)],
                    fix: vec![format!("go env -w {var}=<only your private prefixes, e.g. git.example.com,github.com/your-org>")],
                });
            }
        }
    }
}

fn first_proxy_host(chain: &[ChainEntry]) -> Option<String> {
    match chain.first().map(|e| &e.kind) {
        Some(EntryKind::Url(u)) => url::Url::parse(u).ok()?.host_str().map(String::from),
        _ => None,
    }
}

fn private_leaks(s: &Settings, p: &Plan, out: &mut Vec<Finding>) {
    let Some(m) = &s.module else {
        gonoproxy_without_gonosumdb(s, p, out);
        return;
    };
    let mut hosts_done: Vec<String> = Vec::new();
    for r in &m.requires {
        let host = module_host(&r.path).to_string();
        let Some(reason) = private_reason(&host) else {
            continue;
        };
        if hosts_done.contains(&host) {
            continue;
        }
        if let Some(f) = leak(s, p, m, r, &reason) {
            hosts_done.push(host);
            out.push(f);
        }
    }
}

/// The required modules whose hosts do not look private by name but whose
/// paths go to the public proxy or checksum database: `(module, host)`, one
/// per host. Their names are asked of public DNS ([`super::public_dns`]).
pub fn leak_candidates(s: &Settings, p: &Plan) -> Vec<(String, String)> {
    let Some(m) = &s.module else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for r in &m.requires {
        let host = module_host(&r.path).to_string();
        if private_reason(&host).is_some()
            || crate::private::is_public_hosting(&host)
            || out.iter().any(|(_, h)| *h == host)
        {
            continue;
        }
        let (to_proxy, to_sumdb) = leak_routes(s, p, &r.path);
        if to_proxy || to_sumdb {
            out.push((r.path.clone(), host));
        }
    }
    out
}

/// The private-leak finding for `module`, whose host is private for
/// `reason` (a host public DNS does not know, found by the run).
pub fn leak_for(s: &Settings, p: &Plan, module: &str, reason: &str) -> Option<Finding> {
    let m = s.module.as_ref()?;
    let r = m.requires.iter().find(|r| r.path == module)?;
    leak(s, p, m, r, reason)
}

/// Whether go sends `path` to a public proxy, and to the public checksum
/// database (GONOPROXY paths are fetched directly, GONOSUMDB paths are not
/// looked up).
fn leak_routes(s: &Settings, p: &Plan, path: &str) -> (bool, bool) {
    let chain = p.chain.as_deref().unwrap_or_default();
    let public_proxy =
        first_proxy_host(chain).is_some_and(|h| plan::PUBLIC_PROXIES.contains(&h.as_str()));
    let public_sumdb = matches!(&p.sumdb, Ok(SumDb::On { name, .. }) if name == "sum.golang.org");
    (
        public_proxy && !match_prefix_patterns(s.gonoproxy(), path),
        public_sumdb && !match_prefix_patterns(s.gonosumdb(), path),
    )
}

fn leak(
    s: &Settings,
    p: &Plan,
    m: &crate::gomod::GoMod,
    r: &crate::gomod::Requirement,
    reason: &str,
) -> Option<Finding> {
    let chain = p.chain.as_deref().unwrap_or_default();
    let public_proxy =
        first_proxy_host(chain).filter(|h| plan::PUBLIC_PROXIES.contains(&h.as_str()));
    let host = module_host(&r.path).to_string();
    let (to_proxy, to_sumdb) = leak_routes(s, p, &r.path);
    if !to_proxy && !to_sumdb {
        return None;
    }
    {
        let mut fix = vec![extend_cmd("GOPRIVATE", s.get("GOPRIVATE"), &host)];
        if !s.get("GONOPROXY").is_empty() && to_proxy {
            fix.push(extend_cmd("GONOPROXY", s.get("GONOPROXY"), &host));
        }
        if !s.get("GONOSUMDB").is_empty() && to_sumdb {
            fix.push(extend_cmd("GONOSUMDB", s.get("GONOSUMDB"), &host));
        }
        let in_sum = m.has_sum(&r.path, &r.version);
        let mut evidence = vec![
            format!(
                "{} is required by {} ({host} is {reason})",
                r.path, m.module
            ),
            s.describe("GOPRIVATE"),
            format!(
                "GONOPROXY={:?}, GONOSUMDB={:?} (effective)",
                s.gonoproxy(),
                s.gonosumdb()
            ),
        ];
        let (severity, summary) = if to_proxy {
            let pp = public_proxy.clone().unwrap_or_default();
            let falls = plan::reaches_direct(chain);
            evidence.push(s.describe("GOPROXY"));
            (
                if falls && !to_sumdb {
                    Severity::Degraded
                } else {
                    Severity::Broken
                },
                format!(
                    "{} looks private but is requested from the public proxy {pp}{}{}",
                    r.path,
                    if falls {
                        ", which leaks its path and falls back to direct only after a 404/410"
                    } else {
                        ", which cannot serve it, and GOPROXY has no direct entry: the download fails"
                    },
                    if to_sumdb {
                        "; it is also looked up in sum.golang.org, which cannot know it (\"verifying module: ... 404 Not Found\" / \"410 Gone\")"
                    } else {
                        ""
                    }
                ),
            )
        } else {
            evidence.push(s.describe("GOSUMDB"));
            (
                if in_sum {
                    Severity::Degraded
                } else {
                    Severity::Broken
                },
                format!(
                    "{} looks private and is fetched directly{}, but it is not covered by GONOSUMDB, so go looks it up in the public checksum database sum.golang.org, which leaks the path and fails (\"verifying module: ... 404 Not Found\"){}.",
                    r.path,
                    if match_prefix_patterns(s.gonoproxy(), &r.path) {
                        " (GONOPROXY matches it)"
                    } else {
                        ""
                    },
                    if in_sum {
                        "; go.sum already holds this version, so only new versions are affected"
                    } else {
                        ""
                    }
                ),
            )
        };
        Some(Finding {
            code: Code::PrivateLeak,
            severity,
            target: r.path.clone(),
            summary,
            evidence,
            fix,
        })
    }
}

/// Without a module: literal GONOPROXY prefixes that GONOSUMDB does not cover
/// are fetched privately but still looked up in the public checksum database.
fn gonoproxy_without_gonosumdb(s: &Settings, p: &Plan, out: &mut Vec<Finding>) {
    if !matches!(&p.sumdb, Ok(SumDb::On { name, .. }) if name == "sum.golang.org") {
        return;
    }
    for g in s.gonoproxy().split(',') {
        let g = g.trim_end_matches('/');
        if g.is_empty() || g.contains(['*', '?', '[', '\\']) {
            continue;
        }
        if !match_prefix_patterns(s.gonosumdb(), g) {
            out.push(Finding {
                code: Code::PrivateLeak,
                severity: Severity::Broken,
                target: g.to_string(),
                summary: format!("Modules under {g} are fetched directly (GONOPROXY) but are not covered by GONOSUMDB, so go looks them up in the public checksum database sum.golang.org, which leaks their paths and fails for private modules."),
                evidence: vec![s.describe("GONOPROXY"), s.describe("GONOSUMDB")],
                fix: vec![extend_cmd("GONOSUMDB", s.get("GONOSUMDB"), g)],
            });
        }
    }
}

fn insecure(s: &Settings, p: &Plan, out: &mut Vec<Finding>) {
    let gi = s.get("GOINSECURE");
    if !gi.is_empty() {
        out.push(Finding {
            code: Code::Insecure,
            severity: Severity::Degraded,
            target: "GOINSECURE".into(),
            summary: format!("GOINSECURE={gi:?}: for these paths go accepts plain HTTP and skips certificate verification, so anyone on the path can serve other code (the checksum database still checks public modules)."),
            evidence: vec![s.describe("GOINSECURE")],
            fix: vec![
                "go env -u GOINSECURE   # and trust the server's CA instead: export SSL_CERT_FILE=<bundle with that CA>".into(),
            ],
        });
    }
    let flags = s.get("GOFLAGS");
    if flags
        .split_whitespace()
        .any(|f| f == "-insecure" || f.starts_with("-insecure="))
    {
        out.push(Finding {
            code: Code::Insecure,
            severity: Severity::Broken,
            target: "GOFLAGS".into(),
            summary: "GOFLAGS contains -insecure, which Go 1.17 removed: go get fails with \"-insecure flag is no longer supported; use GOINSECURE instead\".".into(),
            evidence: vec![s.describe("GOFLAGS")],
            fix: vec!["go env -w GOFLAGS=<the same flags without -insecure>".into()],
        });
    }
    for e in p.chain.as_deref().unwrap_or_default() {
        if let EntryKind::Url(u) = &e.kind
            && u.starts_with("http://")
        {
            let host = url::Url::parse(u)
                .ok()
                .and_then(|x| x.host_str().map(String::from))
                .unwrap_or_default();
            let local = host == "localhost"
                || crate::net::parse_ip(host.trim_matches(['[', ']']))
                    .is_some_and(|ip| ip.is_loopback());
            if !local {
                out.push(Finding {
                    code: Code::Insecure,
                    severity: Severity::Degraded,
                    target: "GOPROXY".into(),
                    summary: format!("GOPROXY entry {u} uses plain HTTP: module contents and paths cross the network unencrypted (the checksum database still verifies public modules)."),
                    evidence: vec![s.describe("GOPROXY")],
                    fix: vec![format!("go env -w GOPROXY={}", s.goproxy().replace("http://", "https://"))],
                });
            }
        }
    }
}

fn proxy_env(s: &Settings, out: &mut Vec<Finding>) {
    for var in [&s.proxy.https, &s.proxy.http].into_iter().flatten() {
        match &var.parsed {
            Err(e) => out.push(Finding {
                code: Code::ProxyEnvInvalid,
                severity: Severity::Degraded,
                target: var.name.into(),
                summary: format!("{}={:?} is not a valid proxy URL; Go silently ignores it and connects directly ({e}).", var.name, var.raw),
                evidence: vec![e.clone()],
                fix: vec![format!("export {}=http://<proxy host>:<port>", var.name)],
            }),
            Ok(p) if !p.scheme_supported() => out.push(Finding {
                code: Code::ProxyEnvInvalid,
                severity: Severity::Broken,
                target: var.name.into(),
                summary: format!("{}={:?} uses the scheme {:?}, which Go's HTTP client does not support (http, https, socks5, socks5h).", var.name, var.raw, p.scheme),
                evidence: vec![format!("{}={}", var.name, p.display())],
                fix: vec![format!("export {}=http://{}", var.name, crate::net::join_host_port(&p.host, p.port))],
            }),
            Ok(_) => {}
        }
    }
    if s.proxy.cgi && s.proxy.http.is_some() {
        out.push(Finding {
            code: Code::ProxyEnvInvalid,
            severity: Severity::Info,
            target: "HTTP_PROXY".into(),
            summary: "REQUEST_METHOD is set, so Go treats this as a CGI process and refuses HTTP_PROXY for http:// URLs.".into(),
            evidence: vec!["REQUEST_METHOD is set".into()],
            fix: vec!["unset REQUEST_METHOD".into()],
        });
    }
    if let Some((name, value)) = &s.proxy.all_proxy
        && s.proxy.https.is_none()
    {
        out.push(Finding {
            code: Code::ProxyEnvAllProxyIgnored,
            severity: Severity::Degraded,
            target: name.to_string(),
            summary: format!("{name}={value:?} is set but Go never reads ALL_PROXY (curl does): go connects directly, so curl may work where go fails."),
            evidence: vec![format!("{name}={value}"), "HTTPS_PROXY and https_proxy are unset".into()],
            fix: vec![format!("export HTTPS_PROXY={value:?} HTTP_PROXY={value:?}")],
        });
    }
    for (name, value) in &s.proxy.shadowed {
        out.push(Finding {
            code: Code::ProxyEnvInvalid,
            severity: Severity::Info,
            target: name.to_string(),
            summary: format!("{name}={value:?} differs from its uppercase twin, which Go uses instead (uppercase first)."),
            evidence: vec![format!("{name}={value}")],
            fix: vec![format!("unset {name}   # or make both the same")],
        });
    }
}

#[cfg(test)]
mod tests;
