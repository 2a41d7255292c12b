//! DNS the way Go's pure resolver does it on Unix (`net/dnsconfig_unix.go`,
//! `net/dnsclient_unix.go`, `net/hosts.go`), but measured: `/etc/hosts` first,
//! then an A and an AAAA query to **every** server in `resolv.conf`, each sent
//! by us (hickory-proto builds and parses the messages) and timed separately.
//!
//! From the per-server answers we then replay Go's decision: servers are tried
//! in order; a timeout or SERVFAIL moves on to the next server (after Go's
//! 5 s timeout, which is what makes a dead first server slow), NXDOMAIN stops
//! the search ("no such host"), and one family answering is enough.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::Instant;

use super::{Check, Status};
use crate::finding::{Code, Finding, Severity};
use crate::net::{Deadline, within};

/// Per-query timeout: well below Go's 5 s so the doctor stays fast; a server
/// slower than this is reported as timing out (Go would wait for it).
pub const QUERY_TIMEOUT: Duration = Duration::from_millis(1500);

/// The parts of resolv.conf that Go's resolver uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvConf {
    pub path: String,
    /// Up to three servers, port 53.
    pub servers: Vec<SocketAddr>,
    /// No usable `nameserver` line (or no file): Go falls back to localhost.
    pub defaulted: bool,
    /// Why the file could not be read, if it could not.
    pub read_error: Option<String>,
    pub search: Vec<String>,
    pub ndots: usize,
    pub timeout: Duration,
    pub attempts: u32,
}

impl ResolvConf {
    pub fn load(path: &Path) -> ResolvConf {
        match std::fs::read_to_string(path) {
            Ok(text) => parse_resolv_conf(&path.display().to_string(), &text),
            Err(e) => {
                let mut c = parse_resolv_conf(&path.display().to_string(), "");
                c.read_error = Some(e.to_string());
                c
            }
        }
    }

    /// Go's `nameList`: the fully qualified names tried, in order.
    pub fn name_list(&self, name: &str) -> Vec<String> {
        if name.ends_with('.') {
            return vec![name.to_string()];
        }
        let has_ndots = name.matches('.').count() >= self.ndots;
        let fq = format!("{name}.");
        let mut out = Vec::new();
        if has_ndots {
            out.push(fq.clone());
        }
        for s in &self.search {
            out.push(format!("{fq}{s}"));
        }
        if !has_ndots {
            out.push(fq);
        }
        out
    }
}

/// Go's `dnsReadConfig`.
pub fn parse_resolv_conf(path: &str, text: &str) -> ResolvConf {
    let mut c = ResolvConf {
        path: path.to_string(),
        servers: Vec::new(),
        defaulted: false,
        read_error: None,
        search: Vec::new(),
        ndots: 1,
        timeout: Duration::from_secs(5),
        attempts: 2,
    };
    for line in text.lines() {
        if line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            ["nameserver", ip, ..] if c.servers.len() < 3 => {
                if let Ok(ip) = ip.parse::<IpAddr>() {
                    c.servers.push(SocketAddr::new(ip, 53));
                }
            }
            ["domain", d, ..] => c.search = vec![rooted(d)],
            ["search", rest @ ..] => {
                c.search = rest
                    .iter()
                    .map(|d| rooted(d))
                    .filter(|d| d != ".")
                    .collect()
            }
            ["options", opts @ ..] => {
                for o in opts {
                    if let Some(n) = o
                        .strip_prefix("ndots:")
                        .and_then(|n| n.parse::<usize>().ok())
                    {
                        c.ndots = n.min(15);
                    } else if let Some(n) = o
                        .strip_prefix("timeout:")
                        .and_then(|n| n.parse::<u64>().ok())
                    {
                        c.timeout = Duration::from_secs(n.max(1));
                    } else if let Some(n) = o
                        .strip_prefix("attempts:")
                        .and_then(|n| n.parse::<u32>().ok())
                    {
                        c.attempts = n.max(1);
                    }
                }
            }
            _ => {}
        }
    }
    if c.servers.is_empty() {
        c.defaulted = true;
        c.servers = vec![
            SocketAddr::from(([127, 0, 0, 1], 53)),
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, 53)),
        ];
    }
    c
}

fn rooted(d: &str) -> String {
    if d.ends_with('.') {
        d.to_string()
    } else {
        format!("{d}.")
    }
}

/// Addresses for `host` in a hosts file (Go's `lookupStaticHost`).
pub fn hosts_lookup(path: &Path, host: &str) -> Vec<IpAddr> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let want = host.trim_end_matches('.').to_ascii_lowercase();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut f = line.split_whitespace();
        let Some(ip) = f.next().and_then(crate::net::parse_ip) else {
            continue;
        };
        if f.any(|n| n.trim_end_matches('.').eq_ignore_ascii_case(&want)) && !out.contains(&ip) {
            out.push(ip);
        }
    }
    out
}

/// The record family of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    A,
    Aaaa,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::A => "A",
            Family::Aaaa => "AAAA",
        }
    }
    fn rtype(self) -> RecordType {
        match self {
            Family::A => RecordType::A,
            Family::Aaaa => RecordType::AAAA,
        }
    }
}

/// What one server said to one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Addrs(Vec<IpAddr>),
    /// The name exists but has no record of this type.
    NoData,
    NxDomain,
    /// SERVFAIL, REFUSED or another error code (Go: "server misbehaving").
    Misbehaving(String),
    Timeout,
    /// The query could not be sent or the reply was unusable.
    Error(String),
}

impl Answer {
    fn ok(&self) -> bool {
        matches!(self, Answer::Addrs(_) | Answer::NoData)
    }
    pub fn describe(&self) -> String {
        match self {
            Answer::Addrs(a) => a
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            Answer::NoData => "no records".into(),
            Answer::NxDomain => "NXDOMAIN (no such host)".into(),
            Answer::Misbehaving(rc) => format!("{rc} (server misbehaving)"),
            Answer::Timeout => "timeout".into(),
            Answer::Error(e) => e.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct QueryResult {
    pub server: SocketAddr,
    pub name: String,
    pub family: Family,
    pub answer: Answer,
    pub elapsed: Duration,
}

/// Sends one query and waits for its answer (UDP, then TCP if truncated).
pub async fn query(
    server: SocketAddr,
    name: &str,
    family: Family,
    timeout: Duration,
) -> QueryResult {
    let start = Instant::now();
    let answer = match within(timeout, query_inner(server, name, family)).await {
        Ok(a) => a,
        Err(()) => Answer::Timeout,
    };
    QueryResult {
        server,
        name: name.to_string(),
        family,
        answer,
        elapsed: start.elapsed(),
    }
}

fn build_query(name: &str, family: Family) -> Result<(u16, Vec<u8>), String> {
    let qname = Name::from_ascii(name).map_err(|e| format!("bad name: {e}"))?;
    let mut msg = Message::query();
    msg.metadata.recursion_desired = true;
    msg.add_query(Query::query(qname, family.rtype()));
    let id = msg.metadata.id;
    let bytes = msg.to_vec().map_err(|e| e.to_string())?;
    Ok((id, bytes))
}

async fn query_inner(server: SocketAddr, name: &str, family: Family) -> Answer {
    let (id, bytes) = match build_query(name, family) {
        Ok(q) => q,
        Err(e) => return Answer::Error(e),
    };
    let bind: SocketAddr = if server.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let sock = match UdpSocket::bind(bind).await {
        Ok(s) => s,
        Err(e) => return Answer::Error(format!("socket: {e}")),
    };
    if let Err(e) = sock.connect(server).await {
        return Answer::Error(format!("connect: {e}"));
    }
    if let Err(e) = sock.send(&bytes).await {
        return Answer::Error(format!("write udp: {e}"));
    }
    let mut buf = vec![0u8; 4096];
    loop {
        let n = match sock.recv(&mut buf).await {
            Ok(n) => n,
            Err(e) => return Answer::Error(format!("read udp: {e}")),
        };
        let Ok(msg) = Message::from_vec(&buf[..n]) else {
            continue; // garbage: keep waiting, as Go does
        };
        if msg.metadata.id != id || msg.metadata.message_type != MessageType::Response {
            continue;
        }
        if msg.metadata.truncation {
            return query_tcp(server, &bytes, id, family).await;
        }
        return interpret(&msg, family);
    }
}

async fn query_tcp(server: SocketAddr, bytes: &[u8], id: u16, family: Family) -> Answer {
    let res: std::io::Result<Vec<u8>> = async {
        let mut s = TcpStream::connect(server).await?;
        let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
        s.write_all(&len.to_be_bytes()).await?;
        s.write_all(bytes).await?;
        let mut lb = [0u8; 2];
        s.read_exact(&mut lb).await?;
        let mut buf = vec![0u8; usize::from(u16::from_be_bytes(lb))];
        s.read_exact(&mut buf).await?;
        Ok(buf)
    }
    .await;
    match res {
        Ok(buf) => match Message::from_vec(&buf) {
            Ok(m) if m.metadata.id == id => interpret(&m, family),
            _ => Answer::Error("cannot unmarshal DNS message".into()),
        },
        Err(e) => Answer::Error(format!("tcp: {e}")),
    }
}

fn interpret(msg: &Message, family: Family) -> Answer {
    match msg.metadata.response_code {
        ResponseCode::NoError => {}
        ResponseCode::NXDomain => return Answer::NxDomain,
        rc => return Answer::Misbehaving(rc.to_str().to_string()),
    }
    let mut addrs = Vec::new();
    for r in &msg.answers {
        match (&r.data, family) {
            (RData::A(a), Family::A) => addrs.push(IpAddr::V4(a.0)),
            (RData::AAAA(a), Family::Aaaa) => addrs.push(IpAddr::V6(a.0)),
            _ => {}
        }
    }
    if addrs.is_empty() {
        // Go's checkHeader: an empty, non-authoritative answer from a server
        // that does not recurse is a "lame referral".
        if !msg.metadata.authoritative
            && !msg.metadata.recursion_available
            && msg.metadata.op_code == OpCode::Query
            && msg.answers.is_empty()
            && !msg
                .authorities
                .iter()
                .any(|r| r.record_type() == RecordType::SOA)
        {
            return Answer::Misbehaving("lame referral".into());
        }
        Answer::NoData
    } else {
        Answer::Addrs(addrs)
    }
}

/// Everything learned about one host name.
#[derive(Debug, Clone)]
pub struct Resolution {
    pub host: String,
    pub from_hosts_file: bool,
    pub v4: Vec<IpAddr>,
    pub v6: Vec<IpAddr>,
    pub queries: Vec<QueryResult>,
    pub checks: Vec<Check>,
    pub findings: Vec<Finding>,
}

impl Resolution {
    pub fn addrs(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.v6.iter().chain(self.v4.iter()).copied()
    }
    pub fn failed(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }
}

/// Go's outcome for one family, replaying its server order over our results.
#[derive(Debug)]
struct GoView<'a> {
    /// The answer Go settles on (None: every server failed).
    answer: Option<&'a QueryResult>,
    /// Servers Go would wait on before getting `answer`.
    waited_on: Vec<&'a QueryResult>,
    last_err: Option<&'a QueryResult>,
}

fn go_view<'a>(results: &'a [QueryResult], conf: &ResolvConf, family: Family) -> GoView<'a> {
    let mut view = GoView {
        answer: None,
        waited_on: Vec::new(),
        last_err: None,
    };
    for server in &conf.servers {
        let Some(r) = results
            .iter()
            .find(|r| r.server == *server && r.family == family)
        else {
            continue;
        };
        if r.answer.ok() || r.answer == Answer::NxDomain {
            view.answer = Some(r);
            return view;
        }
        if r.answer == Answer::Timeout {
            view.waited_on.push(r);
        }
        view.last_err = Some(r);
    }
    view
}

/// Resolves `host` and judges the result.
pub async fn resolve(
    host: &str,
    conf: &ResolvConf,
    hosts_file: &Path,
    deadline: Deadline,
) -> Resolution {
    let mut res = Resolution {
        host: host.to_string(),
        from_hosts_file: false,
        v4: Vec::new(),
        v6: Vec::new(),
        queries: Vec::new(),
        checks: Vec::new(),
        findings: Vec::new(),
    };
    if let Some(ip) = crate::net::parse_ip(host) {
        match ip {
            IpAddr::V4(_) => res.v4.push(ip),
            IpAddr::V6(_) => res.v6.push(ip),
        }
        return res;
    }
    if host.eq_ignore_ascii_case("localhost") {
        res.v4.push(IpAddr::from([127, 0, 0, 1]));
        res.v6.push(IpAddr::from(std::net::Ipv6Addr::LOCALHOST));
        return res;
    }
    let static_addrs = hosts_lookup(hosts_file, host);
    if !static_addrs.is_empty() {
        res.from_hosts_file = true;
        for ip in static_addrs {
            if ip.is_ipv4() {
                res.v4.push(ip);
            } else {
                res.v6.push(ip);
            }
        }
        res.checks.push(Check {
            kind: "dns",
            target: format!("{host} in {}", hosts_file.display()),
            status: Status::Ok,
            elapsed: None,
            detail: res
                .addrs()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        });
        return res;
    }

    let names = conf.name_list(host);
    for name in &names {
        let timeout = deadline.cap(QUERY_TIMEOUT);
        let mut tasks = tokio::task::JoinSet::new();
        for &server in &conf.servers {
            for family in [Family::A, Family::Aaaa] {
                let name = name.clone();
                tasks.spawn(async move { query(server, &name, family, timeout).await });
            }
        }
        let mut results = Vec::new();
        while let Some(r) = tasks.join_next().await {
            if let Ok(r) = r {
                results.push(r);
            }
        }
        results.sort_by_key(|r| {
            (
                conf.servers.iter().position(|s| *s == r.server),
                r.family == Family::Aaaa,
            )
        });
        for r in &results {
            res.checks.push(Check {
                kind: "dns",
                target: format!(
                    "{} {} @{}",
                    name.trim_end_matches('.'),
                    r.family.as_str(),
                    r.server
                ),
                status: match r.answer {
                    Answer::Addrs(_) | Answer::NoData => Status::Ok,
                    _ => Status::Fail,
                },
                elapsed: Some(r.elapsed),
                detail: r.answer.describe(),
            });
        }
        let v4 = go_view(&results, conf, Family::A);
        let v6 = go_view(&results, conf, Family::Aaaa);
        let both_nx = [&v4, &v6]
            .iter()
            .all(|v| v.answer.is_some_and(|a| a.answer == Answer::NxDomain));
        if let Some(Answer::Addrs(a)) = v4.answer.map(|a| &a.answer) {
            res.v4 = a.clone();
        }
        if let Some(Answer::Addrs(a)) = v6.answer.map(|a| &a.answer) {
            res.v6 = a.clone();
        }
        judge(&mut res, conf, name, &v4, &v6);
        res.queries.extend(results);
        if !both_nx || !res.failed() {
            break;
        }
        // NXDOMAIN for this candidate: Go moves on to the next search name.
        if name != names.last().unwrap_or(name) {
            res.findings.clear();
        }
    }
    // No configured server and nothing answering on localhost: say that,
    // rather than "timeout" or "refused" from a server nobody chose.
    if conf.defaulted && res.failed() {
        let detail = match &conf.read_error {
            Some(e) => format!("cannot read {}: {e}", conf.path),
            None => format!("{} lists no nameserver", conf.path),
        };
        res.findings
            .retain(|f| !matches!(f.code, Code::DnsTimeout | Code::DnsServfail));
        res.findings.push(Finding {
            code: Code::DnsNoResolver,
            severity: Severity::Broken,
            target: host.to_string(),
            summary: format!(
                "No DNS server is configured ({detail}); Go falls back to 127.0.0.1:53 and [::1]:53, and nothing answers there."
            ),
            evidence: vec![detail.clone()],
            fix: vec![
                format!("echo 'nameserver <your DNS server IP>' | sudo tee -a {}", conf.path),
                format!("echo '<ip> {host}' | sudo tee -a /etc/hosts   # or pin the host"),
            ],
        });
    }
    res
}

fn fmt_results(rs: &[&QueryResult]) -> Vec<String> {
    rs.iter()
        .map(|r| {
            format!(
                "{} {} @{}: {} ({} ms)",
                r.name.trim_end_matches('.'),
                r.family.as_str(),
                r.server,
                r.answer.describe(),
                crate::net::ms(r.elapsed)
            )
        })
        .collect()
}

fn judge(res: &mut Resolution, conf: &ResolvConf, name: &str, v4: &GoView, v6: &GoView) {
    let host = res.host.clone();
    let failed = res.v4.is_empty() && res.v6.is_empty();
    let fq = name.trim_end_matches('.');
    if failed {
        // Which error Go would print: NXDOMAIN if a server said so, else the
        // last server's error (lastErr).
        let nx = [v4, v6]
            .into_iter()
            .find_map(|v| v.answer.filter(|a| a.answer == Answer::NxDomain));
        let last = v4.last_err.or(v6.last_err);
        let evidence: Vec<&QueryResult> = [v4.answer, v4.last_err, v6.answer, v6.last_err]
            .into_iter()
            .flatten()
            .collect();
        let mut evidence = fmt_results(&evidence);
        evidence.dedup();
        if let Some(nx) = nx {
            res.findings.push(Finding {
                code: Code::DnsNxdomain,
                severity: Severity::Broken,
                target: host.clone(),
                summary: format!(
                    "DNS server {} says {fq} does not exist; go fails with \"lookup {host} on {}: no such host\".",
                    nx.server, nx.server
                ),
                evidence,
                fix: vec![
                    format!("getent hosts {host}   # check what the system resolver says"),
                    format!("# if {host} is internal: connect the VPN, or point {} at the internal DNS server", conf.path),
                    format!("echo '<ip> {host}' | sudo tee -a /etc/hosts   # or pin it"),
                ],
            });
            return;
        }
        let Some(last) = last else { return };
        let (code, what) = match &last.answer {
            Answer::Timeout => (Code::DnsTimeout, "i/o timeout".to_string()),
            Answer::Misbehaving(_) => (Code::DnsServfail, "server misbehaving".to_string()),
            Answer::Error(e) => (Code::DnsTimeout, e.clone()),
            _ => return,
        };
        let servers = conf
            .servers
            .iter()
            .map(|s| s.ip().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        res.findings.push(Finding {
            code,
            severity: Severity::Broken,
            target: host.clone(),
            summary: match code {
                Code::DnsServfail => format!(
                    "Every DNS server ({servers}) fails to resolve {host} (SERVFAIL); go prints \"lookup {host} on {}: server misbehaving\".",
                    last.server
                ),
                _ => format!(
                    "No DNS server ({servers}) answers for {host}; go prints \"lookup {host} on {}: {what}\".",
                    last.server
                ),
            },
            evidence,
            fix: vec![
                format!("dig +time=2 {host} @<server>   # find a server that answers"),
                format!(
                    "# put a resolver that answers first in {}: nameserver <ip>",
                    conf.path
                ),
                format!("echo '<ip> {host}' | sudo tee -a /etc/hosts   # or pin it"),
            ],
        });
        return;
    }
    // It resolves. Is it slow? A dead server before the one that answers costs
    // Go its full timeout on every lookup; a family that never answers makes
    // every lookup wait for it.
    let timeout_s = conf.timeout.as_secs();
    for (view, fam) in [(v4, Family::A), (v6, Family::Aaaa)] {
        if view.answer.is_some() && !view.waited_on.is_empty() {
            let dead = view
                .waited_on
                .iter()
                .map(|r| r.server.ip().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            res.findings.push(Finding {
                code: Code::DnsTimeout,
                severity: Severity::Degraded,
                target: host.clone(),
                summary: format!(
                    "DNS server {dead} does not answer {} queries; Go waits {timeout_s} s for it before asking the next server, on every lookup.",
                    fam.as_str()
                ),
                evidence: fmt_results(&view.waited_on),
                fix: vec![format!(
                    "sudo sed -i '/^nameserver {dead}$/d' {}   # drop the dead server (or move it down)",
                    conf.path
                )],
            });
            return;
        }
    }
    for (view, fam) in [(v4, Family::A), (v6, Family::Aaaa)] {
        if view.answer.is_none() && view.last_err.is_some_and(|r| r.answer == Answer::Timeout) {
            res.findings.push(Finding {
                code: Code::DnsTimeout,
                severity: Severity::Degraded,
                target: host.clone(),
                summary: format!(
                    "{} queries for {host} time out on every server while the other family answers; each lookup waits {} s before Go gives up on them.",
                    fam.as_str(),
                    timeout_s * u64::from(conf.attempts)
                ),
                evidence: fmt_results(&view.waited_on),
                fix: vec![format!(
                    "# fix the DNS server's {} handling, or use a resolver that answers both A and AAAA (nameserver <ip> in {})",
                    fam.as_str(),
                    conf.path
                )],
            });
        }
    }
}

#[cfg(test)]
mod tests;
