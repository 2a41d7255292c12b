//! "No public DNS": a module host whose name does not look private (a
//! company domain on a public TLD, `mods.acme.com`) is still private when
//! public DNS does not know it, and sending its paths to proxy.golang.org or
//! sum.golang.org then fails (`unrecognized import path ... no such host`) and
//! leaks them. The doctor asks public resolvers (8.8.8.8 and 1.1.1.1, or
//! `MODGATE_PUBLIC_DNS=<ip:port>,...`; `off` disables it) for the name's A
//! record. Only an NXDOMAIN from a resolver, with no resolver knowing the
//! name, counts: when none answers (no route to them, a firewall) nothing can
//! be concluded and nothing is reported, so a closed network gives no false
//! alarm.

use std::net::SocketAddr;
use std::time::Duration;

use super::dns::{self, Answer, Family};
use super::{Check, Status};
use crate::env::Env;

/// The public resolvers asked by default.
pub const DEFAULT_SERVERS: &[&str] = &["8.8.8.8:53", "1.1.1.1:53"];

/// How long each query may take (capped by the run's budget).
pub const QUERY_TIMEOUT: Duration = Duration::from_millis(1500);

/// The resolvers to ask: `MODGATE_PUBLIC_DNS` (comma-separated `ip:port`,
/// `off` for none), else [`DEFAULT_SERVERS`].
pub fn servers(env: &Env) -> Vec<SocketAddr> {
    match env.get("MODGATE_PUBLIC_DNS") {
        Some("off") => Vec::new(),
        Some(list) => list
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
        None => DEFAULT_SERVERS
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect(),
    }
}

/// What public DNS says about `host`: a check line, and `Some(reason)` when
/// the name is unknown there (NXDOMAIN, and no resolver knows it).
pub async fn ask(host: &str, servers: &[SocketAddr], timeout: Duration) -> (Check, Option<String>) {
    let start = tokio::time::Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for &srv in servers {
        let name = format!("{}.", host.trim_end_matches('.'));
        set.spawn(async move { dns::query(srv, &name, Family::A, timeout).await });
    }
    let mut results = Vec::new();
    while let Some(Ok(r)) = set.join_next().await {
        results.push(r);
    }
    results.sort_by_key(|r| r.server);
    let known = results
        .iter()
        .any(|r| matches!(r.answer, Answer::Addrs(_) | Answer::NoData));
    let nx: Vec<String> = results
        .iter()
        .filter(|r| r.answer == Answer::NxDomain)
        .map(|r| r.server.to_string())
        .collect();
    let detail = results
        .iter()
        .map(|r| format!("{}: {}", r.server, r.answer.describe()))
        .collect::<Vec<_>>()
        .join("; ");
    let unknown = !known && !nx.is_empty();
    let check = Check {
        kind: "dns",
        target: format!("{host} (public DNS)"),
        status: if unknown {
            Status::Warn
        } else if known {
            Status::Ok
        } else {
            Status::Skip
        },
        elapsed: Some(start.elapsed()),
        detail: if results.is_empty() {
            "no public resolver to ask".into()
        } else {
            detail
        },
    };
    let reason = unknown.then(|| {
        format!(
            "a name public DNS does not know (NXDOMAIN from {})",
            nx.join(", ")
        )
    });
    (check, reason)
}

#[cfg(test)]
mod tests;
