//! `modgate explain --check`: runs the doctor checks that would confirm what
//! explain found, on this machine, for the targets explain took from the text
//! (the proxy or checksum database URL, the host, the `host:port` endpoint,
//! the module path), under the doctor's time budget.
//!
//! Each target becomes an endpoint the way the doctor plans one (see
//! [`crate::plan`]): when the settings in force already lead to that host and
//! port, the planned endpoint is used as is (its role, its HTTP proxy, its
//! GOINSECURE status); otherwise one is built from the URL in the text (a
//! proxy base gets the proxy's `@v/list` request, a checksum database its
//! `/latest`, a go-get host its `?go-get=1` page), routed through the HTTP
//! proxy Go would use for it. Names are resolved through the system's
//! configuration as the doctor does; configuration and proxy-variable
//! findings come from the doctor's own configuration checks. The result is a
//! doctor [`Report`]: the check lines and the findings they lead to.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::time::Instant;

use crate::checks::{self, Check, Status, dns, git, tls};
use crate::explain::{Explanation, SuggestedCheck, scan};
use crate::finding::Finding;
use crate::net::Deadline;
use crate::plan::{self, DEFAULT_PROBE_MODULE};
use crate::probe::{self, Ctx, Endpoint, Role};
use crate::report::Report;
use crate::run::Options;
use crate::settings::{LoadOptions, Settings};

/// Runs [`confirm`] on a runtime of its own.
pub fn confirm_blocking(e: &Explanation, opts: &Options) -> Report {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(confirm(e, opts)),
        Err(err) => Report::internal_error(format!("cannot start the async runtime: {err}")),
    }
}

/// Runs the doctor checks explain suggests for `e` (see
/// [`Explanation::suggested_checks`]) and reports what they saw.
pub async fn confirm(e: &Explanation, opts: &Options) -> Report {
    let start = Instant::now();
    let deadline = Deadline::after(opts.budget);
    let settings = Arc::new(
        Settings::load(&LoadOptions {
            env: opts.env.clone(),
            use_go_env: opts.use_go_env,
            module_dir: opts.module_dir.clone(),
            go_env_timeout: deadline.cap(std::time::Duration::from_secs(2)),
        })
        .await,
    );
    let suggested = e.suggested_checks();
    let plan = plan::plan(&settings);
    let mut checks: Vec<Check> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();

    let wants = |kind: &str| suggested.iter().any(|c| c.check == kind);
    if wants("config") || wants("proxyenv") {
        let (cs, fs) = checks::config::check(&settings, &plan);
        let all = wants("config");
        checks.extend(cs.into_iter().filter(|c| all || c.target.contains("PROXY")));
        findings.extend(
            fs.into_iter()
                .filter(|f| all || f.code.as_str().starts_with("proxyenv.")),
        );
    }
    if wants("proxyenv") && !settings.proxy.any() {
        checks.push(Check {
            kind: "proxy",
            target: "HTTPS_PROXY".into(),
            status: Status::Skip,
            elapsed: None,
            detail: "no HTTP proxy is set in this environment (HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy)".into(),
        });
    }

    let (endpoints, dns_only) = targets(e, &suggested, &settings, &plan);
    let mut hosts: Vec<String> = dns_only;
    for ep in &endpoints {
        let h = ep.via.as_ref().map_or(&ep.host, |p| &p.host);
        if !hosts.contains(h) {
            hosts.push(h.clone());
        }
    }
    let git_targets: Vec<plan::GitTarget> = plan
        .git
        .iter()
        .filter(|g| {
            g.url.is_some()
                && suggested
                    .iter()
                    .any(|c| c.check == "git" && c.target == g.host)
        })
        .cloned()
        .collect();

    let resolv = dns::ResolvConf::load(settings.resolv_conf());
    let roots = tls::roots::load(
        settings.ssl_cert_file.as_deref(),
        settings.ssl_cert_dir.as_deref(),
    );
    let tls_ctx = tls::TlsContext::new(roots);
    let mut set = tokio::task::JoinSet::new();
    for h in &hosts {
        let (h, resolv, hosts_file) = (h.clone(), resolv.clone(), settings.hosts_file.clone());
        set.spawn(async move { dns::resolve(&h, &resolv, &hosts_file, deadline).await });
    }
    let mut resolutions = HashMap::new();
    while let Some(Ok(r)) = set.join_next().await {
        resolutions.insert(r.host.clone(), r);
    }
    // DNS lines and findings in the order the hosts were named.
    for h in &hosts {
        if let Some(r) = resolutions.get(h) {
            checks.extend(r.checks.iter().cloned());
            add_all(&mut findings, r.findings.iter().cloned());
        }
    }
    let ctx = Arc::new(Ctx {
        settings: settings.clone(),
        tls: tls_ctx,
        resolutions,
        deadline,
        sumdb_name: plan.sumdb_name().map(String::from),
    });
    let mut set = tokio::task::JoinSet::new();
    for (i, ep) in endpoints.iter().enumerate() {
        let (ep, ctx) = (ep.clone(), ctx.clone());
        set.spawn(async move { (i, probe::probe(&ep, &ctx).await) });
    }
    let env = settings.env.clone();
    let git_fut = async {
        let (mut out, mut no_git) = (Vec::new(), Vec::new());
        for t in git_targets.iter().take(4) {
            let url = t.url.clone().unwrap_or_default();
            match git::ls_remote(&env, &url, deadline.cap(git::GIT_TIMEOUT)).await {
                Some(ls) => out.push(git::judge(&ls, &t.module, settings.netrc.has(&t.host))),
                None => no_git.push(format!(
                    "git access to {url} for {}: git is not on PATH",
                    t.module
                )),
            }
        }
        (out, no_git)
    };
    let probes_fut = async {
        let mut outcomes = Vec::new();
        while let Some(Ok(o)) = set.join_next().await {
            outcomes.push(o);
        }
        outcomes.sort_by_key(|(i, _)| *i);
        outcomes
    };
    let (outcomes, (git_results, no_git)) = tokio::join!(probes_fut, git_fut);
    let mut unverified = no_git;
    for (_, o) in outcomes {
        checks.extend(o.checks);
        add_all(&mut findings, o.findings);
        unverified.extend(o.unverified);
    }
    for (c, f) in git_results {
        checks.push(c);
        add_all(&mut findings, f);
    }
    Report::new(Vec::new(), checks, findings, start.elapsed()).with_unverified(unverified)
}

fn add_all(findings: &mut Vec<Finding>, new: impl IntoIterator<Item = Finding>) {
    for f in new {
        if !findings
            .iter()
            .any(|g| g.code == f.code && g.target == f.target)
        {
            findings.push(f);
        }
    }
}

/// The endpoints to probe and the hosts to resolve only, from the suggested
/// checks.
fn targets(
    e: &Explanation,
    suggested: &[SuggestedCheck],
    s: &Settings,
    plan: &plan::Plan,
) -> (Vec<Endpoint>, Vec<String>) {
    // Every URL the findings name, to learn scheme, role and module.
    let urls: Vec<scan::Url> = e
        .findings
        .iter()
        .flat_map(|f| {
            let mut v = scan::all_urls(&f.target);
            v.extend(f.evidence.iter().flat_map(|l| scan::all_urls(l)));
            v
        })
        .filter(|u| u.scheme == "http" || u.scheme == "https")
        .collect();
    let mut endpoints: Vec<Endpoint> = Vec::new();
    let mut dns_only: Vec<String> = Vec::new();
    let mut add = |ep: Endpoint| {
        if !endpoints
            .iter()
            .any(|x| x.host == ep.host && x.port == ep.port)
        {
            endpoints.push(ep);
        }
    };
    for c in suggested {
        match c.check {
            "tcp" | "tls" | "http" => {
                let (host, port, scheme_hint) = match scan::Url::parse(&c.target) {
                    Some(u) => (u.host.clone(), u.port, Some(u.scheme.clone())),
                    None => {
                        let (h, p) = scan::split_host_port(&c.target);
                        (h.to_string(), p, None)
                    }
                };
                let port = port.unwrap_or(443);
                if host.is_empty() {
                    continue;
                }
                add(endpoint_for(
                    s,
                    plan,
                    &urls,
                    &host,
                    port,
                    scheme_hint,
                    c.check,
                ));
            }
            "git" => {
                // The go-get page of the module, over https as go asks it.
                add(endpoint_for(s, plan, &urls, &c.target, 443, None, "git"));
            }
            "proxyenv" => {
                // The planned endpoints Go reaches through the HTTP proxy.
                for ep in plan.endpoints.iter().filter(|ep| ep.via.is_some()).take(2) {
                    add(ep.clone());
                }
            }
            "dns" if !dns_only.contains(&c.target) => dns_only.push(c.target.clone()),
            _ => {}
        }
    }
    (endpoints, dns_only)
}

/// The endpoint for `host:port`: the planned one when the settings lead
/// there, else one built from the URL the text names.
fn endpoint_for(
    s: &Settings,
    plan: &plan::Plan,
    urls: &[scan::Url],
    host: &str,
    port: u16,
    scheme_hint: Option<String>,
    check: &str,
) -> Endpoint {
    if let Some(ep) = plan
        .endpoints
        .iter()
        .find(|ep| ep.host == host && ep.port == port)
    {
        return ep.clone();
    }
    let url = urls
        .iter()
        .find(|u| u.host == host && u.port.unwrap_or(443) == port);
    let scheme = scheme_hint
        .or_else(|| url.map(|u| u.scheme.clone()))
        .unwrap_or_else(|| {
            if port == 80 && check != "tls" {
                "http".into()
            } else {
                "https".into()
            }
        });
    let (role, base_path) = match url {
        Some(u) => role_of(u),
        None => (
            Role::Vcs {
                modules: Vec::new(),
            },
            String::new(),
        ),
    };
    Endpoint {
        via: s.proxy.proxy_for(&scheme, host, port).cloned(),
        scheme,
        host: host.to_string(),
        port,
        base_path,
        role,
        insecure: false,
    }
}

/// What Go was doing with this URL: a proxy request, a checksum database
/// request or a go-get page (anything else: connect and handshake only).
fn role_of(u: &scan::Url) -> (Role, String) {
    if let Some(base) = scan::proxy_base(u) {
        let base_path = scan::Url::parse(&base).map_or(String::new(), |b| b.path().to_string());
        let module = scan::module_from_url(u)
            .map(|m| m.path)
            .unwrap_or_else(|| DEFAULT_PROBE_MODULE.to_string());
        return (
            Role::Proxy {
                index: 0,
                url: base,
                module,
                fallback_any: true,
            },
            base_path.trim_end_matches('/').to_string(),
        );
    }
    let path = u.path();
    if ["/lookup/", "/tile/", "/latest"]
        .iter()
        .any(|p| path.contains(p))
    {
        let cut = ["/lookup/", "/tile/", "/latest"]
            .iter()
            .filter_map(|p| path.find(p))
            .min()
            .unwrap_or(0);
        return (
            Role::SumDb {
                name: u.host.clone(),
            },
            path[..cut].trim_end_matches('/').to_string(),
        );
    }
    if u.rest.contains("go-get=1") {
        let module = format!("{}{}", u.host, path.trim_end_matches('/'));
        return (
            Role::Vcs {
                modules: vec![module],
            },
            String::new(),
        );
    }
    (
        Role::Vcs {
            modules: Vec::new(),
        },
        String::new(),
    )
}

#[cfg(test)]
mod tests;
