//! One doctor run: read the settings, plan the endpoints, run the
//! configuration checks, then DNS for every host, every endpoint's pipeline
//! and the git checks, all concurrently under one deadline, and finally
//! reconcile what was seen with the go command's semantics (a checksum
//! database that a proxy serves is never contacted directly; a `,` after a
//! proxy that failed at the network level means no fallback; a later GOPROXY
//! entry only matters when the earlier ones answer not-found).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::checks::{self, Check, Status, dns, git, tls};
use crate::env::Env;
use crate::finding::{Code, Finding, Severity};
use crate::net::Deadline;
use crate::plan::{self, EntryKind, GitTarget};
use crate::probe::{self, Ctx, Outcome, Purpose, Role};
use crate::report::Report;
use crate::settings::{LoadOptions, Settings};

/// What to diagnose and how.
#[derive(Debug, Clone)]
pub struct Options {
    pub env: Env,
    /// Ask `go env -json` when go is installed.
    pub use_go_env: bool,
    /// `--module DIR`.
    pub module_dir: Option<PathBuf>,
    /// The whole run's time budget (it ends within about this).
    pub budget: Duration,
}

impl Options {
    pub fn new(env: Env) -> Options {
        Options {
            env,
            use_go_env: true,
            module_dir: None,
            budget: Duration::from_secs(8),
        }
    }
}

/// Runs the doctor on a runtime of its own.
pub fn diagnose_blocking(opts: &Options) -> Report {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(diagnose(opts)),
        Err(e) => Report::internal_error(format!("cannot start the async runtime: {e}")),
    }
}

/// Runs the doctor.
pub async fn diagnose(opts: &Options) -> Report {
    let start = Instant::now();
    // One budget for the whole run, `go env` included.
    let deadline = Deadline::after(opts.budget);
    let settings = Arc::new(
        Settings::load(&LoadOptions {
            env: opts.env.clone(),
            use_go_env: opts.use_go_env,
            module_dir: opts.module_dir.clone(),
            go_env_timeout: deadline.cap(Duration::from_secs(2)),
        })
        .await,
    );
    let plan = plan::plan(&settings);
    let (mut checks, mut findings) = checks::config::check(&settings, &plan);
    if let Some(e) = &settings.module_error {
        checks.push(Check {
            kind: "config",
            target: "--module".into(),
            status: Status::Fail,
            elapsed: None,
            detail: e.clone(),
        });
    }
    let resolv = dns::ResolvConf::load(settings.resolv_conf());
    let roots = tls::roots::load(
        settings.ssl_cert_file.as_deref(),
        settings.ssl_cert_dir.as_deref(),
    );
    checks.push(Check {
        kind: "config",
        target: "trust roots".into(),
        status: if roots.count() == 0 || !roots.problems.is_empty() {
            Status::Warn
        } else {
            Status::Ok
        },
        elapsed: None,
        detail: std::iter::once(roots.describe())
            .chain(roots.problems.iter().cloned())
            .collect::<Vec<_>>()
            .join("; "),
    });
    checks.push(Check {
        kind: "config",
        target: "resolver".into(),
        status: if resolv.defaulted {
            Status::Warn
        } else {
            Status::Ok
        },
        elapsed: None,
        detail: format!(
            "{}: {}",
            resolv.path,
            if resolv.defaulted {
                "no nameserver (Go uses 127.0.0.1:53 and [::1]:53)".to_string()
            } else {
                resolv
                    .servers
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
    });
    let tls_ctx = tls::TlsContext::new(roots);

    let (static_git, dynamic_git): (Vec<GitTarget>, Vec<GitTarget>) =
        plan.git.iter().cloned().partition(|g| g.url.is_some());
    let env = settings.env.clone();
    let git_fut = run_git(env.clone(), static_git, deadline);
    // Module hosts that do not look private by name but go to a public
    // proxy or checksum database: does public DNS know them?
    let candidates = checks::config::leak_candidates(&settings, &plan);
    let public_servers = checks::public_dns::servers(&settings.env);
    let public_dns_fut = async {
        let mut out = Vec::new();
        if public_servers.is_empty() {
            return out;
        }
        let mut set = tokio::task::JoinSet::new();
        for (i, (module, host)) in candidates.iter().take(8).cloned().enumerate() {
            let servers = public_servers.clone();
            let timeout = deadline.cap(checks::public_dns::QUERY_TIMEOUT);
            set.spawn(async move {
                let (c, reason) = checks::public_dns::ask(&host, &servers, timeout).await;
                (i, module, c, reason)
            });
        }
        while let Some(Ok(r)) = set.join_next().await {
            out.push(r);
        }
        out.sort_by_key(|(i, ..)| *i);
        out
    };
    let net_fut = async {
        let mut set = tokio::task::JoinSet::new();
        for h in &plan.hosts {
            let (h, resolv, hosts_file) = (h.clone(), resolv.clone(), settings.hosts_file.clone());
            set.spawn(async move { dns::resolve(&h, &resolv, &hosts_file, deadline).await });
        }
        let mut resolutions = HashMap::new();
        while let Some(Ok(r)) = set.join_next().await {
            resolutions.insert(r.host.clone(), r);
        }
        let ctx = Arc::new(Ctx {
            settings: settings.clone(),
            tls: tls_ctx.clone(),
            resolutions,
            deadline,
            sumdb_name: plan.sumdb_name().map(String::from),
        });
        let mut set = tokio::task::JoinSet::new();
        for (i, ep) in plan.endpoints.iter().enumerate() {
            let (ep, ctx) = (ep.clone(), ctx.clone());
            set.spawn(async move { (i, probe::probe(&ep, &ctx).await) });
        }
        let mut outcomes = Vec::new();
        while let Some(Ok(o)) = set.join_next().await {
            outcomes.push(o);
        }
        outcomes.sort_by_key(|(i, _)| *i);
        let outcomes: Vec<Outcome> = outcomes.into_iter().map(|(_, o)| o).collect();
        // git for hosts whose repository URL comes from their go-import tag.
        let mut dyn_targets = Vec::new();
        for g in dynamic_git {
            let repo = outcomes.iter().find_map(|o| {
                match (
                    &o.endpoint.role,
                    o.response(&Purpose::GoGet(g.module.clone())),
                ) {
                    (Role::Vcs { .. }, Some(r)) => {
                        crate::checks::http::go_import(&r.body_text(), &g.module)
                    }
                    _ => None,
                }
            });
            match repo {
                Some((_, vcs, url)) if vcs == "git" => dyn_targets.push(GitTarget {
                    url: Some(url),
                    ..g
                }),
                _ => {}
            }
        }
        let dyn_git = run_git(env.clone(), dyn_targets, deadline).await;
        (
            Arc::try_unwrap(ctx)
                .ok()
                .map(|c| c.resolutions)
                .unwrap_or_default(),
            outcomes,
            dyn_git,
        )
    };
    let (git_static_results, (resolutions, outcomes, git_dyn_results), public_dns) =
        tokio::join!(git_fut, net_fut, public_dns_fut);
    for (_, module, c, reason) in public_dns {
        checks.push(c);
        if let Some(reason) = reason
            && let Some(f) = checks::config::leak_for(&settings, &plan, &module, &reason)
        {
            findings.push(f);
        }
    }

    let mut unverified = Vec::new();
    reconcile(
        &settings,
        &plan,
        &resolutions,
        &outcomes,
        &mut checks,
        &mut findings,
        &mut unverified,
    );
    absorb_git(
        git_static_results
            .into_iter()
            .chain(git_dyn_results)
            .collect(),
        &mut checks,
        &mut findings,
        &mut unverified,
    );
    Report::new(settings_lines(&settings), checks, findings, start.elapsed())
        .with_unverified(unverified)
}

async fn run_git(env: Env, targets: Vec<GitTarget>, deadline: Deadline) -> Vec<GitResult> {
    let netrc = crate::settings::Netrc::load(&env);
    let mut set = tokio::task::JoinSet::new();
    for (i, t) in targets.into_iter().take(4).enumerate() {
        let env = env.clone();
        let has = netrc.has(&t.host);
        set.spawn(async move {
            let url = t.url.clone().unwrap_or_default();
            let ls = git::ls_remote(&env, &url, deadline.cap(git::GIT_TIMEOUT)).await;
            let r = match ls {
                Some(ls) => {
                    let (c, f) = git::judge(&ls, &t.module, has);
                    GitResult::Checked(c, f)
                }
                None => GitResult::NoGit {
                    module: t.module.clone(),
                    url,
                },
            };
            (i, r)
        });
    }
    let mut out = Vec::new();
    while let Some(Ok((i, r))) = set.join_next().await {
        out.push((i, r));
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// The git results as check lines and findings; a repository that could not
/// be checked (no git on PATH) is recorded as unverified.
fn absorb_git(
    results: Vec<GitResult>,
    checks: &mut Vec<Check>,
    findings: &mut Vec<Finding>,
    unverified: &mut Vec<String>,
) {
    for r in results {
        match r {
            GitResult::Checked(c, f) => {
                checks.push(c);
                findings.extend(f);
            }
            GitResult::NoGit { module, url } => {
                checks.push(Check {
                    kind: "git",
                    target: url.clone(),
                    status: Status::Skip,
                    elapsed: None,
                    detail: "git is not on PATH: git ls-remote not run".into(),
                });
                unverified.push(format!(
                    "git access to {url} for {module}: git is not on PATH, and go needs it to fetch {module} directly"
                ));
            }
        }
    }
}

/// One git check: its line and finding, or why it could not run.
enum GitResult {
    Checked(Check, Option<Finding>),
    NoGit { module: String, url: String },
}

fn downgrade(fs: &mut [Finding], to: Severity, why: &str) {
    for f in fs {
        if f.severity > to {
            f.severity = to;
            f.evidence.push(why.to_string());
        }
    }
}

fn reconcile(
    s: &Settings,
    plan: &plan::Plan,
    resolutions: &HashMap<String, dns::Resolution>,
    outcomes: &[Outcome],
    checks: &mut Vec<Check>,
    findings: &mut Vec<Finding>,
    unverified: &mut Vec<String>,
) {
    let chain = plan.chain.as_deref().unwrap_or_default();
    // Does a proxy serve the checksum database? (sumdb.go initBase: only
    // when GOSUMDB names no URL; the first proxy answering 200 wins, a
    // not-found moves on, any other error ends the search.)
    let sumdb_explicit_url = matches!(&plan.sumdb, Ok(plan::SumDb::On { url: Some(_), .. }));
    let mut sumdb_proxied: Option<String> = None;
    if !sumdb_explicit_url {
        for o in outcomes {
            let Role::Proxy { url, .. } = &o.endpoint.role else {
                continue;
            };
            match o.response(&Purpose::SumdbSupported).map(|r| r.status) {
                Some(200) => {
                    sumdb_proxied = Some(url.clone());
                    break;
                }
                Some(404 | 410) => continue,
                _ => break,
            }
        }
    }
    // Which proxy entries Go reaches in practice: one after a working entry
    // is only used for what that one does not have.
    let mut earlier_works = false;
    let mut host_findings_done: Vec<String> = Vec::new();
    for o in outcomes {
        let mut fs = o.findings.clone();
        let mut dns_fs: Vec<Finding> = Vec::new();
        let dns_host = o
            .endpoint
            .via
            .as_ref()
            .map_or(o.endpoint.host.clone(), |p| p.host.clone());
        if !host_findings_done.contains(&dns_host)
            && let Some(r) = resolutions.get(&dns_host)
        {
            host_findings_done.push(dns_host.clone());
            checks.extend(r.checks.iter().cloned());
            dns_fs = r.findings.clone();
        }
        match &o.endpoint.role {
            Role::SumDb { name } => {
                if sumdb_proxied.is_none() {
                    unverified.extend(o.unverified.iter().cloned());
                }
                if let Some(p) = &sumdb_proxied {
                    let why = format!(
                        "not used: the proxy {p} serves /sumdb/{name}/, so go never contacts {name} directly"
                    );
                    downgrade(&mut fs, Severity::Info, &why);
                    downgrade(&mut dns_fs, Severity::Info, &why);
                }
            }
            Role::Proxy {
                index,
                fallback_any,
                url,
                ..
            } => {
                if earlier_works {
                    let why = "an earlier GOPROXY entry works; this one is only asked for modules the earlier ones do not have";
                    downgrade(&mut fs, Severity::Degraded, why);
                    downgrade(&mut dns_fs, Severity::Degraded, why);
                }
                if let Some(err) = &o.network_error
                    && !fallback_any
                    && chain.get(index + 1).is_some()
                    && !earlier_works
                {
                    let next = match &chain[index + 1].kind {
                        EntryKind::Url(u) => u.clone(),
                        EntryKind::Direct => "direct".into(),
                        EntryKind::Off => "off".into(),
                    };
                    let fixed = s
                        .goproxy()
                        .replacen(&format!("{url},"), &format!("{url}|"), 1);
                    let fixed = if fixed == s.goproxy() {
                        format!("{url}|{next}")
                    } else {
                        fixed
                    };
                    findings.push(Finding {
                        code: Code::NoFallback,
                        severity: Severity::Broken,
                        target: "GOPROXY".into(),
                        summary: format!("{url} fails at the network level and is followed by ',' in GOPROXY: go falls back to {next} only on 404/410, so every download fails instead of using {next}."),
                        evidence: vec![s.describe("GOPROXY"), format!("{url}: {err}")],
                        fix: vec![format!("go env -w 'GOPROXY={fixed}'")],
                    });
                }
                if !earlier_works {
                    unverified.extend(o.unverified.iter().cloned());
                }
                if o.works {
                    earlier_works = true;
                }
            }
            Role::Vcs { .. } => unverified.extend(o.unverified.iter().cloned()),
        }
        checks.extend(o.checks.iter().cloned());
        for f in dns_fs.into_iter().chain(fs) {
            if !findings
                .iter()
                .any(|g| g.code == f.code && g.target == f.target)
            {
                findings.push(f);
            }
        }
    }
    if let Some(p) = &sumdb_proxied {
        checks.push(Check {
            kind: "http",
            target: "checksum database".into(),
            status: Status::Ok,
            elapsed: None,
            detail: format!("served through the proxy {p}"),
        });
    }
    let any_net_error = outcomes.iter().any(|o| o.network_error.is_some());
    for f in findings.iter_mut() {
        if f.code == Code::ProxyEnvAllProxyIgnored && any_net_error {
            f.severity = Severity::Broken;
            f.evidence.push(
                "direct connections fail (see the network findings), so the ignored proxy matters"
                    .into(),
            );
        }
    }
}

fn settings_lines(s: &Settings) -> Vec<String> {
    let mut v: Vec<String> = modgate_core::goenv::vars::download()
        .map(|k| s.describe(k))
        .collect();
    for p in [&s.proxy.https, &s.proxy.http].into_iter().flatten() {
        v.push(format!(
            "{}={}",
            p.name,
            p.parsed
                .as_ref()
                .map_or_else(|e| e.clone(), |u| u.display())
        ));
    }
    if let Some((n, val)) = &s.proxy.no_proxy {
        v.push(format!("{n}={val}"));
    }
    if let Some(f) = &s.ssl_cert_file {
        v.push(format!("SSL_CERT_FILE={f}"));
    }
    if let Some(d) = &s.ssl_cert_dir {
        v.push(format!("SSL_CERT_DIR={d}"));
    }
    v.push(if s.go_found {
        "go: found (go env -json)".into()
    } else {
        "go: not found (environment, go env file and Go's defaults)".into()
    });
    v
}
