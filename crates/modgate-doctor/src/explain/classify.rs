//! From one error record to its causes.
//!
//! The rules follow where each text is produced (see docs/doctor.md and the
//! peers reference, part B 1a/1b): cmd/go's own errors (modfetch, modload,
//! vcs, toolchain), then git and ssh stderr that cmd/go passes through, then
//! the standard library's net, net/http and crypto/x509 errors. The most
//! specific rule wins; a record yields more than one cause only when two
//! independent things are wrong (a toolchain download that failed *because*
//! of a network error; a private module path sent to a public server).
//!
//! A `server response:` detail was written by the remote proxy or checksum
//! database about *its own* attempt (often its own git failure): it is used
//! as a hint about the module, never as a diagnosis of this machine.

use super::scan::{self, ModVer, Url};

/// Which kind of server a URL in the text belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Role {
    /// A GOPROXY entry; `base` is the entry's URL.
    Proxy {
        base: String,
    },
    /// A checksum database (direct or proxied through GOPROXY).
    Sumdb {
        base: String,
    },
    /// `?go-get=1` discovery of a vanity or private import path.
    GoGet,
    /// A git remote.
    Git,
    /// A file:// proxy.
    File,
    Other,
}

/// What a record is about, independent of what went wrong.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ctx {
    pub module: Option<ModVer>,
    pub url: Option<Url>,
    pub role: Option<Role>,
    /// `go1.X` when the failure happened while switching toolchains.
    pub toolchain: Option<String>,
    /// The record's text before any `server response:` detail.
    pub local: String,
    /// The `server response:` detail, when present.
    pub response: Option<String>,
}

impl Ctx {
    pub fn of(text: &str) -> Ctx {
        let (local, response) = match text.find("server response:") {
            Some(i) => (
                text[..i].to_string(),
                Some(text[i + "server response:".len()..].trim().to_string()),
            ),
            None => (text.to_string(), None),
        };
        let url = scan::first_url(&local);
        let role = url.as_ref().map(|u| role_of(u, &local));
        let module = scan::first_mod_version(&local)
            .or_else(|| quoted_import_path(&local))
            .or_else(|| url.as_ref().and_then(scan::module_from_url))
            .or_else(|| scan::module_word(&local))
            .or_else(|| go_get_arg(&local))
            .filter(|m| m.path != "golang.org/toolchain");
        let toolchain = toolchain_version(&local);
        Ctx {
            module,
            url,
            role,
            toolchain,
            local,
            response,
        }
    }

    pub fn proxy_base(&self) -> Option<&str> {
        match &self.role {
            Some(Role::Proxy { base }) => Some(base),
            _ => None,
        }
    }

    pub fn is_sumdb(&self) -> bool {
        matches!(self.role, Some(Role::Sumdb { .. }))
            || self.local.contains("verifying module:")
            || self.local.contains("verifying go.mod:")
    }
}

fn role_of(url: &Url, text: &str) -> Role {
    let path = url.path();
    if url.scheme == "file" {
        return Role::File;
    }
    if url.rest.contains("go-get=1") {
        return Role::GoGet;
    }
    if let Some(i) = path.find("/sumdb/") {
        return Role::Sumdb {
            base: format!("{}{}", url.origin(), &path[..i]),
        };
    }
    if path.contains("/lookup/") || path.contains("/tile/") || url.host.starts_with("sum.") {
        let cut = ["/lookup/", "/tile/", "/latest"]
            .iter()
            .filter_map(|m| path.find(m))
            .min()
            .unwrap_or(path.len());
        return Role::Sumdb {
            base: format!("{}{}", url.origin(), &path[..cut]),
        };
    }
    if let Some(base) = scan::proxy_base(url) {
        return Role::Proxy { base };
    }
    if text.contains("git ls-remote")
        || text.contains("git fetch")
        || text.contains("unable to access '")
    {
        return Role::Git;
    }
    Role::Other
}

/// `go get <path>: ...`, as older Go versions prefixed their errors.
fn go_get_arg(text: &str) -> Option<ModVer> {
    let first = text.lines().next()?.trim_start();
    let rest = first.strip_prefix("go get ")?;
    let w = rest.split(' ').next()?.strip_suffix(':')?;
    let path = w.split('@').next().unwrap_or(w);
    scan::looks_like_module_path(path).then(|| ModVer {
        path: path.to_string(),
        version: None,
    })
}

fn quoted_import_path(text: &str) -> Option<ModVer> {
    let i = text.find("unrecognized import path \"")?;
    let rest = &text[i + "unrecognized import path \"".len()..];
    let p = rest.split('"').next()?;
    scan::looks_like_module_path(p).then(|| ModVer {
        path: p.to_string(),
        version: None,
    })
}

/// `go: download go1.22.0 ...` / `go: downloading go1.22.0 (linux/amd64)`.
fn toolchain_version(text: &str) -> Option<String> {
    for marker in ["go: download go", "download go", "downloading go"] {
        if let Some(i) = text.find(marker) {
            let rest = &text[i + marker.len() - 2..];
            let v: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                .collect();
            if v.len() > 2 && v[2..].starts_with(|c: char| c.is_ascii_digit()) {
                return Some(v);
            }
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DnsKind {
    NxDomain,
    ServFail,
    Timeout,
    NoResolver,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TcpKind {
    Refused,
    Timeout,
    Unreachable,
    Reset,
    /// Closed without an answer (`EOF`).
    Closed,
}

/// Whether a socket failure happened while connecting or after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Connect,
    Data,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cause {
    // Checksums and go.sum.
    GoSumMismatch {
        file: String,
    },
    SumdbMismatch {
        db: String,
    },
    SumdbMissing,
    GoSumMissing {
        hint: Option<String>,
    },
    GoSumUnknownHash,
    CacheModified {
        what: &'static str,
    },
    // go.mod and module resolution.
    PathMismatch {
        declared: String,
        required: String,
    },
    BadGoMod {
        line: String,
    },
    GoModUpdates {
        fix: String,
    },
    UnknownRevision {
        rev: String,
    },
    NoMatchingVersions,
    NotInFileProxy,
    // Configuration.
    InsecureFlag,
    GoproxyOff,
    NoproxyNoDirect,
    GoproxyInvalid {
        detail: String,
    },
    SumdbOff,
    GosumdbInvalid {
        detail: String,
    },
    Govcs {
        line: String,
    },
    ToolchainTooOld {
        line: String,
    },
    ToolchainUnavailable,
    // Direct (VCS) fetches.
    NoSecureProtocol,
    NoGoImport,
    GitAuth {
        host: String,
        kind: GitAuthKind,
    },
    SshPublickey {
        host: String,
    },
    HostKey {
        host: String,
    },
    /// A git or ssh failure to reach a host, with the curl/ssh words.
    GitConnect {
        host: String,
        port: Option<u16>,
        kind: TcpKind,
    },
    GitDns {
        host: String,
    },
    GitTls {
        host: String,
        kind: TlsKind,
    },
    GitProxyAuth,
    // HTTP.
    HttpStatus {
        url: Url,
        code: u16,
        reason: String,
    },
    /// The HTTPS_PROXY answered CONNECT with this status text.
    ConnectRefused {
        reason: String,
    },
    NotAProxy {
        detail: String,
    },
    NotTls,
    HttpTimeout,
    // The network, as the Go standard library reports it.
    Dns {
        name: String,
        server: Option<String>,
        kind: DnsKind,
    },
    Tcp {
        addr: Option<String>,
        local: Option<String>,
        kind: TcpKind,
        phase: Phase,
    },
    /// ENOTCONN (at connect, or on the first read or write after it): the
    /// path "connected" but cannot carry data.
    NotConnected {
        /// The local address (`read|write tcp <local>-><remote>`), absent
        /// after `dial tcp <remote>: connect:`.
        local: Option<String>,
        /// Absent when the text names no address.
        remote: Option<String>,
        /// The failed operation: `connect`, `read` or `write`.
        op: &'static str,
    },
    Tls {
        kind: TlsKind,
    },
    /// A failure to reach the HTTP proxy itself (`proxyconnect tcp: ...`).
    ProxyUnreachable {
        addr: Option<String>,
        inner: Box<Cause>,
    },
    /// `HTTPS_PROXY=https://...` pointing at a plain HTTP proxy.
    ProxyScheme,
    /// A module path that looks private was sent to a public server.
    PrivateLeak {
        module: String,
        public: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TlsKind {
    Untrusted {
        authority: Option<String>,
    },
    Expired {
        detail: Option<String>,
    },
    Hostname {
        detail: String,
    },
    Timeout,
    /// The handshake itself failed: a TLS alert from the server or a
    /// middlebox, no common protocol version, or no TLS at all.
    Handshake {
        detail: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GitAuthKind {
    /// git wanted to prompt for a user name (`terminal prompts disabled`).
    Prompt,
    /// The server said the repository does not exist (GitHub's answer to
    /// a private repository without credentials).
    NotFound,
    /// Credentials were sent and refused.
    Failed,
}

/// Texts of the standard library's errno messages, Unix and Windows.
const REFUSED: &[&str] = &["connection refused", "actively refused it"];
const TIMED_OUT: &[&str] = &[
    "connection timed out",
    "operation timed out",
    "did not properly respond after a period of time",
];
const UNREACHABLE: &[&str] = &[
    "network is unreachable",
    "no route to host",
    "host is down",
    "to an unreachable network",
    "to an unreachable host",
];
const RESET: &[&str] = &[
    "connection reset by peer",
    "forcibly closed by the remote host",
    "broken pipe",
    "software caused connection abort",
    "established connection was aborted",
];
const NOT_CONNECTED: &[&str] = &[
    "socket is not connected",
    "transport endpoint is not connected",
];

fn has_any(text: &str, needles: &[&str]) -> bool {
    let lower = text.to_ascii_lowercase();
    needles
        .iter()
        .any(|n| lower.contains(&n.to_ascii_lowercase()))
}

/// The causes of one record, most important first; empty when unknown.
pub(crate) fn causes(text: &str, ctx: &Ctx) -> Vec<Cause> {
    let mut out = Vec::new();
    if let Some(c) = primary(text, ctx) {
        out.push(c);
    }
    // A toolchain switch that failed for a network reason: say both.
    if ctx.toolchain.is_some()
        && !out.is_empty()
        && !matches!(
            out[0],
            Cause::ToolchainUnavailable | Cause::ToolchainTooOld { .. }
        )
        && ctx.local.contains("download go")
    {
        out.push(Cause::ToolchainUnavailable);
    }
    if let Some(leak) = private_leak(ctx, out.first()) {
        out.push(leak);
    }
    out
}

/// A private-looking module path sent to the public proxy or checksum
/// database, when the primary cause does not already say so.
fn private_leak(ctx: &Ctx, primary: Option<&Cause>) -> Option<Cause> {
    if matches!(primary, Some(Cause::PrivateLeak { .. })) {
        return None;
    }
    let module = ctx.module.as_ref()?;
    let url = ctx.url.as_ref()?;
    let public_server = matches!(
        url.host.as_str(),
        "proxy.golang.org"
            | "sum.golang.org"
            | "sum.golang.google.cn"
            | "goproxy.io"
            | "goproxy.cn"
    );
    (public_server && super::fix::host_looks_private(module_host(&module.path))).then(|| {
        Cause::PrivateLeak {
            module: module.path.clone(),
            public: true,
        }
    })
}

pub(crate) fn module_host(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

fn primary(text: &str, ctx: &Ctx) -> Option<Cause> {
    let local = ctx.local.as_str();
    module_state(local)
        .or_else(|| configuration(local))
        .or_else(|| toolchain(local))
        .or_else(|| http_status(ctx))
        .or_else(|| vcs(local))
        .or_else(|| git_stderr(local))
        .or_else(|| network(local))
        .or_else(|| {
            // Nothing matched in our own text: a bare detail line may still
            // be a known go message (pastes often lose the first line).
            (text != local).then(|| module_state(text)).flatten()
        })
}

/// Checksums, go.sum, go.mod and the module cache.
fn module_state(t: &str) -> Option<Cause> {
    if t.contains("checksum mismatch") {
        let file = ["go.work.sum:", "go.sum:"]
            .iter()
            .find_map(|m| scan::line_with(t, m).and_then(|l| l.split_whitespace().next()))
            .map(|s| s.trim_end_matches(':').to_string());
        if let Some(file) = file {
            return Some(Cause::GoSumMismatch { file });
        }
        // `\t<db name>: h1:...` after `downloaded:`.
        let db = t
            .lines()
            .map(str::trim)
            .skip_while(|l| !l.starts_with("downloaded:"))
            .nth(1)
            .and_then(|l| l.split(": ").next())
            .unwrap_or("the checksum database")
            .to_string();
        return Some(Cause::SumdbMismatch { db });
    }
    if t.contains("checksum missing from sumdb response") {
        return Some(Cause::SumdbMissing);
    }
    if t.contains("unknown hashes in go.sum") {
        return Some(Cause::GoSumUnknownHash);
    }
    if t.contains("missing go.sum entry") {
        let hint = t
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("go get ") || l.starts_with("go mod download"))
            .map(str::to_string);
        return Some(Cause::GoSumMissing { hint });
    }
    for (needle, what) in [
        ("dir has been modified", "an extracted module directory"),
        ("zip has been modified", "a module zip"),
        ("missing ziphash", "a module zip's recorded hash"),
    ] {
        if t.contains(needle) {
            return Some(Cause::CacheModified { what });
        }
    }
    if let Some(i) = t.find("module declares its path as:") {
        let rest = &t[i + "module declares its path as:".len()..];
        let declared = rest.split_whitespace().next().unwrap_or("").to_string();
        let required = scan::word_after(rest, "but was required as: ")
            .unwrap_or("")
            .to_string();
        return Some(Cause::PathMismatch { declared, required });
    }
    // The module's own go.mod at that version is unusable
    // (modfetch/coderepo.go, modload/modfile.go).
    for needle in [
        "has malformed module path",
        "is missing module path",
        "module path \"",
        "module paths at revision",
        "/go.mod at revision",
    ] {
        if let Some(l) = scan::line_with(t, needle).filter(|l| l.contains(" at revision ")) {
            return Some(Cause::BadGoMod {
                line: l.to_string(),
            });
        }
    }
    // A dependency's go.mod (`<m>@<v> requires <m>@<v>: parsing go.mod: ...`),
    // not the main module's (`errors parsing go.mod:`), which is no download failure.
    if let Some(l) =
        scan::line_with(t, "parsing go.mod:").filter(|l| !l.contains("errors parsing go.mod"))
    {
        return Some(Cause::BadGoMod {
            line: l.to_string(),
        });
    }
    for needle in [
        "updates to go.mod needed",
        "updates to go.sum needed",
        "inconsistent vendoring",
        "module lookup disabled by -mod=",
        "import lookup disabled by -mod=",
    ] {
        if t.contains(needle) {
            let fix = if needle == "inconsistent vendoring" || t.contains("-mod=vendor") {
                "go mod vendor"
            } else {
                "go mod tidy"
            };
            return Some(Cause::GoModUpdates {
                fix: fix.to_string(),
            });
        }
    }
    None
}

fn configuration(t: &str) -> Option<Cause> {
    if t.contains("-insecure flag is no longer supported") {
        return Some(Cause::InsecureFlag);
    }
    if t.contains("module lookup disabled by GOPROXY=off") {
        return Some(Cause::GoproxyOff);
    }
    if t.contains("disabled by GOPRIVATE/GONOPROXY") {
        return Some(Cause::NoproxyNoDirect);
    }
    for needle in [
        "GOPROXY list is not the empty string, but contains no entries",
        "invalid proxy URL missing scheme",
        "invalid proxy URL scheme",
    ] {
        if let Some(l) = scan::line_with(t, needle) {
            return Some(Cause::GoproxyInvalid {
                detail: l.to_string(),
            });
        }
    }
    if t.contains("checksum database disabled by GOSUMDB=off") {
        return Some(Cause::SumdbOff);
    }
    for needle in ["missing GOSUMDB", "invalid GOSUMDB", "invalid sumdb name"] {
        if let Some(l) = scan::line_with(t, needle) {
            return Some(Cause::GosumdbInvalid {
                detail: l.to_string(),
            });
        }
    }
    if let Some(l) = scan::line_with(t, "GOVCS disallows using") {
        return Some(Cause::Govcs {
            line: l.to_string(),
        });
    }
    None
}

fn toolchain(t: &str) -> Option<Cause> {
    if t.contains("toolchain not available") {
        return Some(Cause::ToolchainUnavailable);
    }
    if t.contains("requires go >=") && t.contains("GOTOOLCHAIN=local") {
        let line = scan::line_with(t, "requires go >=")
            .unwrap_or("")
            .to_string();
        return Some(Cause::ToolchainTooOld { line });
    }
    None
}

/// `reading <url>: <code> <reason>` from web.HTTPError.
fn http_status(ctx: &Ctx) -> Option<Cause> {
    let t = ctx.local.as_str();
    let i = t.find("reading ")?;
    let rest = &t[i + "reading ".len()..];
    let (u, after) = rest.split_once(": ")?;
    let url = Url::parse(u)?;
    let status = after.lines().next().unwrap_or("").trim();
    let (code, reason) = status.split_once(' ').unwrap_or((status, ""));
    let Some(code) = code.parse::<u16>().ok().filter(|c| (100..600).contains(c)) else {
        // A file:// proxy: `reading file:///...: no such file or directory`.
        let missing = [
            "no such file or directory",
            "cannot find the path",
            "cannot find the file",
        ];
        return (url.scheme == "file" && has_any(status, &missing))
            .then_some(Cause::NotInFileProxy);
    };
    let reason = reason.to_string();
    let response = ctx.response.as_deref().unwrap_or("");
    let notfound = code == 404 || code == 410;
    if code == 407 {
        return Some(Cause::ConnectRefused {
            reason: "Proxy Authentication Required".into(),
        });
    }
    if notfound && let Some(m) = &ctx.module {
        let private_hint = has_any(
            response,
            &[
                "terminal prompts disabled",
                "could not read Username",
                "Repository not found",
                "repository not found",
                "Authentication failed",
                "Permission denied",
                "unrecognized import path",
                "no secure protocol found",
                "no such host",
                "server misbehaving",
                "could not read from remote repository",
                "unable to connect to",
            ],
        );
        let private_host = super::fix::host_looks_private(module_host(&m.path));
        if ctx.is_sumdb() || private_hint || private_host {
            return Some(Cause::PrivateLeak {
                module: m.path.clone(),
                public: is_public_server(&url),
            });
        }
        if let Some(rev) = unknown_revision(response) {
            return Some(Cause::UnknownRevision { rev });
        }
        if response.contains("no matching versions") {
            return Some(Cause::NoMatchingVersions);
        }
    }
    Some(Cause::HttpStatus { url, code, reason })
}

fn is_public_server(url: &Url) -> bool {
    matches!(
        url.host.as_str(),
        "proxy.golang.org"
            | "sum.golang.org"
            | "sum.golang.google.cn"
            | "goproxy.io"
            | "goproxy.cn"
    )
}

fn unknown_revision(t: &str) -> Option<String> {
    scan::word_after(t, "unknown revision ").map(str::to_string)
}

/// cmd/go/internal/vcs and codehost texts, before git's own stderr.
fn vcs(t: &str) -> Option<Cause> {
    if t.contains("no secure protocol found for repository") {
        return Some(Cause::NoSecureProtocol);
    }
    if t.contains("no go-import meta tags") || t.contains("no go-import meta tag found") {
        return Some(Cause::NoGoImport);
    }
    if t.contains("no matching versions for query") {
        return Some(Cause::NoMatchingVersions);
    }
    None
}

/// git and ssh stderr, passed through by codehost.RunError.
fn git_stderr(t: &str) -> Option<Cause> {
    // The host a git URL in quotes names: 'https://github.com/x/' or 'https://github.com'.
    let quoted_host = |marker: &str| -> Option<String> {
        let i = t.find(marker)?;
        let rest = &t[i + marker.len()..];
        let u = rest.split('\'').next()?;
        Url::parse(u).map(|u| u.host)
    };
    if t.contains("terminal prompts disabled")
        || t.contains("could not read Username")
        || t.contains("could not read Password")
    {
        let host = quoted_host("could not read Username for '")
            .or_else(|| quoted_host("could not read Password for '"))
            .unwrap_or_default();
        return Some(Cause::GitAuth {
            host,
            kind: GitAuthKind::Prompt,
        });
    }
    if t.contains("Authentication failed for '") || t.contains("HTTP Basic: Access denied") {
        let host = quoted_host("Authentication failed for '").unwrap_or_default();
        return Some(Cause::GitAuth {
            host,
            kind: GitAuthKind::Failed,
        });
    }
    if t.contains("Repository not found")
        || (t.contains("fatal: repository '") && t.contains("' not found"))
    {
        let host = quoted_host("fatal: repository '").unwrap_or_default();
        return Some(Cause::GitAuth {
            host,
            kind: GitAuthKind::NotFound,
        });
    }
    if t.contains("Permission denied (publickey") {
        // `git@github.com: Permission denied (publickey).`
        let host = scan::line_with(t, "Permission denied (publickey")
            .and_then(|l| l.split(": Permission denied").next())
            .map(|u| u.rsplit('@').next().unwrap_or(u).to_string())
            .unwrap_or_default();
        return Some(Cause::SshPublickey { host });
    }
    if t.contains("Host key verification failed") {
        let host = ssh_host(t).unwrap_or_default();
        return Some(Cause::HostKey { host });
    }
    if let Some(rev) = unknown_revision(t) {
        return Some(Cause::UnknownRevision { rev });
    }
    // curl, through git: `fatal: unable to access 'https://h/x/': <curl error>`.
    if let Some(host) = quoted_host("unable to access '") {
        let l = scan::line_with(t, "unable to access '").unwrap_or("");
        if l.contains("Could not resolve host") {
            return Some(Cause::GitDns { host });
        }
        if l.contains("Could not resolve proxy") {
            return Some(Cause::GitDns {
                host: scan::word_after(l, "Could not resolve proxy: ")
                    .unwrap_or("")
                    .to_string(),
            });
        }
        if l.contains("407") || l.contains("Proxy CONNECT aborted") {
            return Some(Cause::GitProxyAuth);
        }
        if l.contains("certificate has expired") {
            return Some(Cause::GitTls {
                host,
                kind: TlsKind::Expired { detail: None },
            });
        }
        if l.contains("no alternative certificate subject name matches")
            || l.contains("does not match target host name")
        {
            return Some(Cause::GitTls {
                host,
                kind: TlsKind::Hostname {
                    detail: l.to_string(),
                },
            });
        }
        if l.contains("certificate verification failed")
            || l.contains("SSL certificate problem")
            || l.contains("self signed certificate")
            || l.contains("self-signed certificate")
        {
            return Some(Cause::GitTls {
                host,
                kind: TlsKind::Untrusted { authority: None },
            });
        }
        if let Some(w) = scan::word_after(l, "Failed to connect to ") {
            let port = scan::word_after(l, " port ").and_then(|p| p.parse().ok());
            let kind = tcp_kind_words(l).unwrap_or(TcpKind::Unreachable);
            return Some(Cause::GitConnect {
                host: w.to_string(),
                port,
                kind,
            });
        }
        if let Some(kind) = tcp_kind_words(l) {
            return Some(Cause::GitConnect {
                host,
                port: None,
                kind,
            });
        }
    }
    // ssh: `ssh: Could not resolve hostname h: ...`, `ssh: connect to host h port 22: ...`.
    if let Some(h) = scan::word_after(t, "Could not resolve hostname ") {
        return Some(Cause::GitDns {
            host: h.to_string(),
        });
    }
    if let Some(l) = scan::line_with(t, "ssh: connect to host ") {
        let host = scan::word_after(l, "connect to host ")
            .unwrap_or("")
            .to_string();
        let port = scan::word_after(l, " port ").and_then(|p| p.parse().ok());
        if let Some(kind) = tcp_kind_words(l) {
            return Some(Cause::GitConnect { host, port, kind });
        }
    }
    // git:// and older git: `fatal: unable to connect to h:` + `errno=Connection refused`.
    if let Some(h) = scan::word_after(t, "fatal: unable to connect to ")
        && let Some(kind) = tcp_kind_words(t)
    {
        return Some(Cause::GitConnect {
            host: h.to_string(),
            port: None,
            kind,
        });
    }
    None
}

fn ssh_host(t: &str) -> Option<String> {
    // ssh prints the host in the lines before: `Host key for h has changed`,
    // `No ED25519 host key is known for h and you have requested strict
    // checking.`, or `The authenticity of host 'h (1.2.3.4)' can't be established.`
    if let Some(h) = scan::word_after(t, "host key is known for ") {
        return Some(h.to_string());
    }
    if let Some(i) = t.find("authenticity of host '") {
        let rest = &t[i + "authenticity of host '".len()..];
        return rest.split([' ', '\'']).next().map(str::to_string);
    }
    if let Some(h) = scan::word_after(t, "Host key for ") {
        return Some(h.to_string());
    }
    // The URL git was asked to fetch.
    scan::all_urls(t)
        .into_iter()
        .find(|u| u.scheme == "ssh")
        .map(|u| u.host)
}

fn tcp_kind_words(t: &str) -> Option<TcpKind> {
    if has_any(t, REFUSED) {
        Some(TcpKind::Refused)
    } else if has_any(t, TIMED_OUT) {
        Some(TcpKind::Timeout)
    } else if has_any(t, UNREACHABLE) {
        Some(TcpKind::Unreachable)
    } else if has_any(t, RESET) {
        Some(TcpKind::Reset)
    } else {
        None
    }
}

/// The standard library's network, TLS and HTTP client errors.
fn network(t: &str) -> Option<Cause> {
    if let Some(i) = t.find("proxyconnect tcp: ") {
        let inner_text = &t[i + "proxyconnect tcp: ".len()..];
        if inner_text.contains("first record does not look like a TLS handshake") {
            return Some(Cause::ProxyScheme);
        }
        let addr = scan::dial_addr(inner_text)
            .or_else(|| scan::dns_lookup(inner_text).map(|(name, _)| name));
        let inner = network(inner_text)?;
        return Some(Cause::ProxyUnreachable {
            addr,
            inner: Box::new(inner),
        });
    }
    if let Some(c) = dns(t) {
        return Some(c);
    }
    if let Some(c) = x509(t) {
        return Some(c);
    }
    if t.contains("net/http: TLS handshake timeout") {
        return Some(Cause::Tls {
            kind: TlsKind::Timeout,
        });
    }
    if t.contains("Client.Timeout exceeded") || t.contains("timeout awaiting response headers") {
        return Some(Cause::HttpTimeout);
    }
    if t.contains("first record does not look like a TLS handshake")
        || t.contains("server gave HTTP response to HTTPS client")
    {
        return Some(Cause::NotTls);
    }
    // crypto/tls: an alert from the peer (`remote error: tls: <alert>`) or
    // a local refusal (no common version, no common cipher).
    for needle in [
        "remote error: tls: ",
        "tls: server selected unsupported protocol version",
        "tls: no supported versions",
        "tls: no cipher suite supported",
        "tls: handshake failure",
    ] {
        if let Some(i) = t.find(needle) {
            let detail = t[i..].lines().next().unwrap_or(needle).to_string();
            return Some(Cause::Tls {
                kind: TlsKind::Handshake { detail },
            });
        }
    }
    for needle in [
        "invalid response from proxy",
        "proxy returned info for version",
        "downloaded zip file too large",
        "redirected from secure URL",
        "stopped after 10 redirects",
        "refusing to pass credentials to insecure URL",
    ] {
        if let Some(l) = scan::line_with(t, needle) {
            return Some(Cause::NotAProxy {
                detail: l.to_string(),
            });
        }
    }
    if has_any(t, NOT_CONNECTED) {
        let (local, remote) = match (scan::socket_pair(t), scan::dial_addr(t)) {
            (Some((l, r)), _) => (Some(l), Some(r)),
            (None, a) => (None, a),
        };
        return Some(Cause::NotConnected {
            local,
            remote,
            op: enotconn_op(t),
        });
    }
    if let Some(kind) = tcp_kind_words(t) {
        let pair = scan::socket_pair(t);
        let (addr, local, phase) = match (scan::dial_addr(t), pair) {
            (Some(a), _) => (Some(a), None, Phase::Connect),
            (None, Some((l, r))) => (Some(r), Some(l), Phase::Data),
            (None, None) => (None, None, Phase::Connect),
        };
        return Some(Cause::Tcp {
            addr,
            local,
            kind,
            phase,
        });
    }
    if t.contains("i/o timeout") {
        if let Some(a) = scan::dial_addr(t) {
            return Some(Cause::Tcp {
                addr: Some(a),
                local: None,
                kind: TcpKind::Timeout,
                phase: Phase::Connect,
            });
        }
        if let Some((l, r)) = scan::socket_pair(t) {
            return Some(Cause::Tcp {
                addr: Some(r),
                local: Some(l),
                kind: TcpKind::Timeout,
                phase: Phase::Data,
            });
        }
    }
    if let Some(reason) = connect_status(t) {
        return Some(Cause::ConnectRefused { reason });
    }
    let first = t.lines().next().unwrap_or("").trim_end();
    if (first.ends_with("\": EOF") || first.ends_with(": unexpected EOF")) && t.contains("Get ") {
        return Some(Cause::Tcp {
            addr: None,
            local: None,
            kind: TcpKind::Closed,
            phase: Phase::Data,
        });
    }
    None
}

/// The socket operation that failed with ENOTCONN, from the word before the
/// errno text (`connect: `, `read: `, `write: `; Windows `wsasend`/`wsarecv`).
fn enotconn_op(t: &str) -> &'static str {
    let lower = t.to_ascii_lowercase();
    let at = NOT_CONNECTED
        .iter()
        .filter_map(|n| lower.find(n))
        .min()
        .unwrap_or(lower.len());
    let before = &lower[..at];
    // The marker nearest to the errno text names the operation.
    [
        ("connect: ", "connect"),
        ("connectex: ", "connect"),
        ("read: ", "read"),
        ("wsarecv: ", "read"),
        ("write: ", "write"),
        ("wsasend: ", "write"),
    ]
    .iter()
    .filter_map(|(m, op)| before.rfind(m).map(|i| (i, *op)))
    .max_by_key(|(i, _)| *i)
    .map_or("write", |(_, op)| op)
}

/// `Get "<url>": <Reason>`: an HTTPS_PROXY refusing CONNECT. net/http
/// returns the status text alone as the error.
fn connect_status(t: &str) -> Option<String> {
    const REASONS: &[&str] = &[
        "Proxy Authentication Required",
        "Forbidden",
        "Bad Gateway",
        "Service Unavailable",
        "Gateway Timeout",
        "Bad Request",
        "Method Not Allowed",
        "Unauthorized",
        "Not Found",
        "Internal Server Error",
    ];
    let first = t.lines().next()?.trim_end();
    let i = first.rfind("\": ")?;
    let tail = &first[i + 3..];
    REASONS.iter().find(|r| **r == tail).map(|r| r.to_string())
}

fn dns(t: &str) -> Option<Cause> {
    let (name, server) = scan::dns_lookup(t)?;
    let after = &t[t.find(&format!("lookup {name}")).unwrap_or(0)..];
    let kind = if after.contains("no such host") || after.contains("No such host is known") {
        DnsKind::NxDomain
    } else if after.contains("server misbehaving") {
        DnsKind::ServFail
    } else if has_any(after, REFUSED) && (after.contains("udp") || after.contains(":53")) {
        DnsKind::NoResolver
    } else if after.contains("i/o timeout")
        || after.contains("Temporary failure in name resolution")
        || after.contains("temporary error during hostname resolution")
    {
        DnsKind::Timeout
    } else if after.contains("no suitable address found")
        || after.contains("no such network interface")
    {
        DnsKind::NoResolver
    } else {
        return None;
    };
    Some(Cause::Dns { name, server, kind })
}

fn x509(t: &str) -> Option<Cause> {
    if t.contains("certificate signed by unknown authority")
        || t.contains("certificate is not trusted")
        || t.contains("certificate is not standards compliant")
    {
        // `(possibly because of "..." while trying to verify candidate authority certificate "Name")`
        // or, from the macOS verifier, `x509: “Name” certificate is not trusted`.
        let authority = scan::word_after(t, "candidate authority certificate \"")
            .map(|_| {
                let i = t.find("candidate authority certificate \"").unwrap_or(0);
                let rest = &t[i + "candidate authority certificate \"".len()..];
                rest.split('"').next().unwrap_or("").to_string()
            })
            .or_else(|| {
                let i = t.find("x509: \u{201c}")?;
                let rest = &t[i + "x509: \u{201c}".len()..];
                rest.split('\u{201d}').next().map(str::to_string)
            });
        return Some(Cause::Tls {
            kind: TlsKind::Untrusted { authority },
        });
    }
    if let Some(i) = t.find("certificate has expired or is not yet valid") {
        let detail = t[i..]
            .split_once(": ")
            .map(|(_, d)| d.lines().next().unwrap_or("").to_string());
        return Some(Cause::Tls {
            kind: TlsKind::Expired { detail },
        });
    }
    for needle in [
        "x509: certificate is valid for ",
        "x509: certificate is not valid for any names",
        "x509: certificate relies on legacy Common Name field",
        "x509: cannot validate certificate for ",
    ] {
        if let Some(i) = t.find(needle) {
            let detail = t[i..].lines().next().unwrap_or("").to_string();
            return Some(Cause::Tls {
                kind: TlsKind::Hostname { detail },
            });
        }
    }
    None
}
