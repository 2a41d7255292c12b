//! From a cause to a finding: the code, what it is about, a sentence naming
//! the cause, and the commands that fix it.
//!
//! Fixes follow the go command's real semantics (modfetch/proxy.go,
//! repo.go): after a `,` in GOPROXY the next entry is tried only on 404/410,
//! after `|` on any error; modules matching GONOPROXY/GOPRIVATE are always
//! fetched directly; `go env -w` does not override a variable set in the
//! environment. Nothing proposed weakens verification (no GOINSECURE or
//! GOSUMDB=off for public modules).

use super::classify::{
    Cause, Ctx, DnsKind, GitAuthKind, Phase, Role, TcpKind, TlsKind, module_host,
};
use super::fix::{self, go_env_w, set_env};
use super::platform::{Os, Platform};
use super::scan;
use crate::finding::{Code, Severity};

/// A finding before evidence is attached.
pub(crate) struct Advice {
    pub code: Code,
    pub severity: Severity,
    pub target: String,
    pub summary: String,
    pub fix: Vec<String>,
    /// A text whose line is the best evidence, besides the record's first line.
    pub key: Option<String>,
}

fn advice(
    code: Code,
    target: impl Into<String>,
    summary: impl Into<String>,
    fix: Vec<String>,
) -> Advice {
    Advice {
        code,
        severity: Severity::Broken,
        target: target.into(),
        summary: summary.into(),
        fix,
        key: None,
    }
}

impl Advice {
    fn key(mut self, k: impl Into<String>) -> Advice {
        self.key = Some(k.into());
        self
    }
    fn severity(mut self, s: Severity) -> Advice {
        self.severity = s;
        self
    }
}

fn module_display(ctx: &Ctx) -> String {
    ctx.module
        .as_ref()
        .map_or_else(|| "the module".to_string(), |m| m.display())
}

fn module_target(ctx: &Ctx) -> String {
    ctx.module
        .as_ref()
        .map_or_else(String::new, |m| m.display())
}

/// Where the failing request went, as `host:port`.
fn endpoint(ctx: &Ctx, addr: Option<&str>) -> String {
    match (&ctx.url, addr) {
        (Some(u), _) if ctx.local.contains("Get ") || ctx.local.contains("reading ") => {
            u.endpoint()
        }
        (_, Some(a)) => a.to_string(),
        (Some(u), None) => u.endpoint(),
        (None, None) => String::new(),
    }
}

/// A phrase naming the server a URL belongs to.
fn server_phrase(ctx: &Ctx) -> String {
    let host = ctx.url.as_ref().map_or("the server", |u| u.host.as_str());
    match &ctx.role {
        Some(Role::Proxy { base }) => format!("the module proxy {base}"),
        Some(Role::Sumdb { base }) => format!("the checksum database {base}"),
        Some(Role::GoGet) => {
            format!("{host} (asked for its go-import tag because GOPROXY sent this path direct)")
        }
        Some(Role::Git) => format!("the git server {host}"),
        Some(Role::File) => "the file:// proxy".to_string(),
        _ => host.to_string(),
    }
}

/// Settings that route around an unreachable proxy or checksum database.
fn reroute(ctx: &Ctx) -> Vec<String> {
    let mut out = Vec::new();
    match &ctx.role {
        Some(Role::Proxy { base }) => {
            out.push(format!(
                "{}  # fall back to direct on any error, not only 404/410",
                go_env_w("GOPROXY", &format!("{base}|direct"))
            ));
            if ctx.toolchain.is_none()
                && ctx
                    .url
                    .as_ref()
                    .is_some_and(|u| u.host == "proxy.golang.org")
            {
                out.push(format!(
                    "{}  # a public mirror, where proxy.golang.org is blocked",
                    go_env_w("GOPROXY", "https://goproxy.cn,direct"),
                ));
            }
        }
        Some(Role::Sumdb { .. }) => {
            if let Some(m) = &ctx.module
                && fix::host_looks_private(module_host(&m.path))
            {
                out.push(go_env_w("GONOSUMDB", &fix::private_prefix(&m.path)));
            }
            if ctx.url.as_ref().is_some_and(|u| u.host == "sum.golang.org") {
                out.push(format!(
                    "{}  # Google's mirror of sum.golang.org, reachable from mainland China",
                    go_env_w("GOSUMDB", "sum.golang.google.cn")
                ));
            }
        }
        _ => {}
    }
    out
}

fn private_fix(module: &str) -> Vec<String> {
    vec![go_env_w("GOPRIVATE", &fix::private_prefix(module))]
}

fn netrc_line(os: Option<Os>, host: &str) -> String {
    match os {
        Some(Os::Windows) => format!(
            "Add-Content $env:USERPROFILE\\_netrc 'machine {host} login USERNAME password TOKEN'"
        ),
        _ => format!(
            "echo 'machine {host} login USERNAME password TOKEN' >> ~/.netrc && chmod 600 ~/.netrc"
        ),
    }
}

fn git_ssh_rewrite(host: &str) -> String {
    format!("git config --global url.\"git@{host}:\".insteadOf https://{host}/")
}

/// Starts the summary with a capital letter when it begins with an
/// ordinary word (never a module path, host or command name).
fn capitalise(mut a: Advice) -> Advice {
    for word in ["the ", "no "] {
        if a.summary.starts_with(word) {
            a.summary
                .replace_range(..1, &word[..1].to_ascii_uppercase());
        }
    }
    a
}

pub(crate) fn advise(cause: &Cause, ctx: &Ctx, platform: Option<&Platform>) -> Advice {
    capitalise(advise_inner(cause, ctx, platform))
}

fn advise_inner(cause: &Cause, ctx: &Ctx, platform: Option<&Platform>) -> Advice {
    let os = platform.map(|p| p.os);
    let module = module_display(ctx);
    match cause {
        Cause::GoSumMismatch { file } => {
            let mut fixes = Vec::new();
            if let Some(m) = &ctx.module
                && let Some(v) = &m.version
            {
                fixes.push(format!(
                    "grep -vF -e '{p} {v} ' -e '{p} {v}/go.mod ' {file} > {file}.new && mv {file}.new {file}  # only after deciding the new bits are right",
                    p = m.path
                ));
            }
            fixes.push("go mod tidy  # re-records the hash, checked against the checksum database".into());
            advice(
                Code::GoSumMismatch,
                module_target(ctx),
                format!(
                    "What was just downloaded for {module} does not match the hash recorded in {file}: the version was re-tagged or replaced at its origin, a proxy served different bits, or {file} was edited (a bad merge). Go refuses to use it (SECURITY ERROR)."
                ),
                fixes,
            )
            .key("checksum mismatch")
        }
        Cause::SumdbMismatch { db } => {
            let mut fixes = vec![];
            if let Some(m) = &ctx.module {
                fixes.push(format!("go list -m -versions {}  # pick another version: a re-tagged version stays broken", m.path));
            }
            fixes.push("go clean -modcache  # if your GOPROXY may have served altered bits, then retry".into());
            advice(
                Code::SumdbMismatch,
                module_target(ctx),
                format!(
                    "The download of {module} does not match the hash {db} recorded when the version was first published: the tag was moved or force-pushed upstream, or the proxy or network altered the download (SECURITY ERROR). Cleaning the cache does not help when the origin changed; use another version."
                ),
                fixes,
            )
            .key("checksum mismatch")
        }
        Cause::SumdbMissing => advice(
            Code::SumdbMissing,
            module_target(ctx),
            format!("The checksum database answered without a line for {module}: it is malfunctioning, or something between you and it (a proxy answering /sumdb/ requests) altered the answer (SECURITY ERROR)."),
            vec![
                "go env GOSUMDB GOPROXY  # a proxy that serves /sumdb/ answers for the database".into(),
                "go env -u GOSUMDB".into(),
            ],
        )
        .key("checksum missing"),
        Cause::GoSumMissing { hint } => {
            let mut fixes = Vec::new();
            if let Some(h) = hint {
                fixes.push(h.clone());
            }
            fixes.push("go mod tidy".into());
            let what = ctx
                .module
                .as_ref()
                .map_or_else(
                    || {
                        scan::word_after(&ctx.local, "providing package ")
                            .or_else(|| scan::word_after(&ctx.local, "verify package "))
                            .unwrap_or("a module")
                            .to_string()
                    },
                    |m| m.display(),
                );
            advice(
                Code::GoSumMissing,
                if ctx.module.is_some() { module_target(ctx) } else { what.clone() },
                format!("go.sum has no hash for {what}, and the build runs with -mod=readonly (the default), so go will not add it: go.sum is out of date with go.mod (often after a merge or a hand edit)."),
                fixes,
            )
            .key("missing go.sum entry")
        }
        Cause::GoSumUnknownHash => advice(
            Code::GoSumUnknownHash,
            module_target(ctx),
            format!("go.sum lists {module} only with a hash algorithm this Go version does not know, so the download cannot be verified; Go adds an h1: line and continues."),
            vec!["go mod tidy".into()],
        )
        .severity(Severity::Degraded)
        .key("unknown hashes"),
        Cause::CacheModified { what } => {
            let first = ctx.local.lines().next().unwrap_or("");
            let target = first.split(':').next().unwrap_or("").trim().replace(' ', "@");
            advice(
                Code::CacheModified,
                target,
                format!("`go mod verify` found {what} in the module cache that no longer matches its recorded hash: something edited or corrupted the cache (editors, `chmod -R`, an interrupted download)."),
                vec!["go clean -modcache".into(), "go mod download".into()],
            )
        }
        Cause::PathMismatch { declared, required } => {
            let version = ctx.module.as_ref().and_then(|m| m.version.clone()).unwrap_or_else(|| "latest".into());
            advice(
                Code::ModulePathMismatch,
                required.clone(),
                format!("The module required as {required} declares itself as {declared} in its go.mod: it was renamed or is a fork. Import it by its declared path, or replace it."),
                vec![
                    format!("go get {declared}@latest  # then change imports of {required} to {declared}"),
                    format!("go mod edit -replace={required}={declared}@{version}"),
                ],
            )
            .key("module declares its path")
        }
        Cause::BadGoMod { line } => {
            let mut fixes = Vec::new();
            if let Some(m) = &ctx.module {
                fixes.push(format!("go list -m -versions {}  # require a version whose go.mod is valid", m.path));
            }
            fixes.push("# or report it upstream: the go.mod at that version cannot be used".into());
            advice(
                Code::ModuleBadGoMod,
                module_target(ctx),
                format!(
                    "The go.mod of {module} is unusable ({}): it cannot be parsed or its module line is missing or malformed, so no go command can use that version.",
                    from_needle(line, &["parsing go.mod:", "go.mod"]).trim_end_matches(':')
                ),
                fixes,
            )
            .key("go.mod")
        }
        Cause::GoModUpdates { fix: f } => advice(
            Code::GoModUpdatesNeeded,
            "go.mod",
            "go.mod (or vendor/modules.txt, or go.sum) does not match what the build needs, and the go command runs with -mod=readonly or -mod=vendor, so it will not change it.",
            vec![f.clone()],
        ),
        Cause::UnknownRevision { rev } => {
            let mut fixes = Vec::new();
            if let Some(m) = &ctx.module {
                fixes.push(format!("go list -m -versions {}", m.path));
                if fix::host_looks_private(module_host(&m.path)) {
                    fixes.extend(private_fix(&m.path));
                }
            }
            advice(
                Code::ModuleUnknownRevision,
                module_target(ctx),
                format!("The repository of {} has no tag, branch or commit named {rev}: the version does not exist (a typo, or a tag not pushed), or the fetcher cannot see it (a private repository reached without credentials).", ctx.module.as_ref().map_or("the module", |m| m.path.as_str())),
                fixes,
            )
            .key("unknown revision")
        }
        Cause::NoMatchingVersions => advice(
            Code::ModuleNotFound,
            module_target(ctx),
            format!("No version of {module} matches the query: the module has no tagged versions there, or the path is wrong."),
            ctx.module.as_ref().map(|m| vec![format!("go list -m -versions {}", m.path)]).unwrap_or_default(),
        )
        .key("no matching versions"),
        Cause::NotInFileProxy => advice(
            Code::ModuleNotFound,
            module_target(ctx),
            format!("The file:// proxy in GOPROXY has no files for {module}, and file:// proxies are never fetched into: copy the module there or put another proxy after it."),
            vec![go_env_w("GOPROXY", &format!("{},https://proxy.golang.org,direct", file_proxy_base(ctx)))],
        )
        .key("reading file:"),
        Cause::InsecureFlag => advice(
            Code::InsecureFlag,
            "go get -insecure",
            "`go get -insecure` was removed (Go 1.17); GOINSECURE names the hosts that may be fetched without TLS.",
            vec![go_env_w("GOINSECURE", ctx.module.as_ref().map_or("git.corp.example", |m| module_host(&m.path)))],
        ),
        Cause::GoproxyOff => {
            let mut fixes = Vec::new();
            if let Some(m) = &ctx.module
                && fix::host_looks_private(module_host(&m.path))
            {
                fixes.push(format!("{}  # private modules are fetched directly even with GOPROXY=off", go_env_w("GOPRIVATE", &fix::private_prefix(&m.path))));
            }
            fixes.push(go_env_w("GOPROXY", "https://proxy.golang.org,direct"));
            fixes.push(match os {
                Some(Os::Windows) => "Remove-Item Env:GOPROXY  # if set in the environment: go env -w does not override it".into(),
                _ => "unset GOPROXY  # if set in the environment: go env -w does not override it".into(),
            });
            advice(
                Code::GoproxyOff,
                "GOPROXY",
                format!("GOPROXY=off forbids every module download, and {module} is not in the module cache."),
                fixes,
            )
            .key("GOPROXY=off")
        }
        Cause::NoproxyNoDirect => advice(
            Code::NoproxyNoDirect,
            "GONOPROXY",
            format!("{module} matches GOPRIVATE/GONOPROXY, so it may not go through a proxy, and the direct fetch did not happen (older Go: GOPROXY without `direct`)."),
            vec![go_env_w("GOPROXY", &format!("{},direct", ctx.proxy_base().unwrap_or("https://proxy.golang.org")))],
        )
        .key("GOPRIVATE/GONOPROXY"),
        Cause::GoproxyInvalid { detail } => advice(
            Code::GoproxyInvalid,
            "GOPROXY",
            format!(
                "GOPROXY cannot be used: {}.",
                from_needle(detail, &["GOPROXY list", "invalid proxy URL"])
            ),
            vec![go_env_w("GOPROXY", "https://proxy.golang.org,direct")],
        ),
        Cause::SumdbOff => advice(
            Code::SumdbOff,
            "GOSUMDB",
            "GOSUMDB=off, yet this operation needs the checksum database.",
            vec![go_env_w("GOSUMDB", "sum.golang.org")],
        ),
        Cause::GosumdbInvalid { detail } => advice(
            Code::GosumdbInvalid,
            "GOSUMDB",
            format!("GOSUMDB is malformed ({}); it must be `name`, `name+key` or `name+key URL`.", detail.rsplit("verifying module: ").next().unwrap_or(detail)),
            vec!["go env -u GOSUMDB  # back to sum.golang.org".into()],
        ),
        Cause::Govcs { line } => advice(
            Code::GovcsDisallowed,
            "GOVCS",
            format!("The GOVCS policy forbids the version control tool this module needs ({}).", line.trim_start_matches("go: ")),
            vec!["go env -u GOVCS  # default: git and hg for public modules, any tool for private ones".into()],
        ),
        Cause::ToolchainTooOld { line } => advice(
            Code::ToolchainTooOld,
            scan::word_after(line, "requires go >= ").map_or_else(String::new, |v| format!("go{v}")),
            "The module needs a newer Go than the one installed, and GOTOOLCHAIN=local forbids downloading it.",
            vec![
                go_env_w("GOTOOLCHAIN", "auto"),
                "# or install the required version from https://go.dev/dl/".into(),
            ],
        )
        .key("requires go >="),
        Cause::ToolchainUnavailable => {
            let v = ctx.toolchain.clone().unwrap_or_default();
            let not_available = ctx.local.contains("toolchain not available");
            advice(
                Code::ToolchainDownload,
                v.clone(),
                if not_available {
                    format!("go.mod or GOTOOLCHAIN asks for {v}, which this Go tried to download as the module golang.org/toolchain through GOPROXY; GOPROXY had no such version (it does not exist for this platform, GOPROXY is off, or the proxy does not serve toolchains).")
                } else {
                    format!("go.mod or GOTOOLCHAIN asks for {v}; Go downloads toolchains as the module golang.org/toolchain through GOPROXY, so the download failed for the network reason reported alongside.")
                },
                vec![
                    "# install it from https://go.dev/dl/, then:".into(),
                    go_env_w("GOTOOLCHAIN", "local"),
                ],
            )
            .key("download go")
        }
        Cause::NoSecureProtocol => {
            let host = ctx.module.as_ref().map_or("", |m| module_host(&m.path)).to_string();
            let mut fixes = vec![format!("git ls-remote https://{}  # shows why https failed", ctx.module.as_ref().map_or(host.as_str(), |m| m.path.trim_end_matches(".git")))];
            if let Some(m) = &ctx.module {
                fixes.extend(private_fix(&m.path));
            }
            advice(
                Code::VcsNoSecureProtocol,
                host,
                format!("Go tried to fetch {module} directly and found no working https or ssh access to its repository (every probe failed: DNS, network or credentials)."),
                fixes,
            )
        }
        Cause::NoGoImport => {
            let host = ctx.url.as_ref().map_or_else(String::new, |u| u.host.clone());
            let mut fixes = vec![netrc_line(os, &host)];
            if let Some(m) = &ctx.module {
                fixes.extend(private_fix(&m.path));
            }
            advice(
                Code::VcsUnrecognizedImport,
                ctx.module.as_ref().map_or(host.clone(), |m| m.path.clone()),
                format!("{host} answered the ?go-get=1 request with a page that has no go-import tag, typically a login page: it needs credentials, which Go reads from ~/.netrc (GOAUTH=netrc)."),
                fixes,
            )
            .key("go-import")
        }
        Cause::GitAuth { host, kind } => {
            let host = if host.is_empty() { ctx.module.as_ref().map_or("", |m| module_host(&m.path)).to_string() } else { host.clone() };
            let summary = match kind {
                GitAuthKind::Prompt => format!("git needs a user name and password for https://{host} but may not ask (go runs git with GIT_TERMINAL_PROMPT=0): the repository is private and no credentials are configured for it."),
                GitAuthKind::NotFound => format!("{host} says the repository does not exist; for a private repository this is what it answers without valid credentials."),
                GitAuthKind::Failed => format!("{host} refused the credentials git sent (a wrong or expired token)."),
            };
            let mut fixes = vec![git_ssh_rewrite(&host), netrc_line(os, &host)];
            if let Some(m) = &ctx.module {
                fixes.extend(private_fix(&m.path));
            }
            advice(Code::GitHttpsAuth, host, summary, fixes).key(match kind {
                GitAuthKind::Prompt => "could not read",
                GitAuthKind::NotFound => "not found",
                GitAuthKind::Failed => "Authentication failed",
            })
        }
        Cause::SshPublickey { host } => advice(
            Code::GitSshAuth,
            host.clone(),
            format!("ssh to {host} was refused: no key that {host} accepts is loaded (often after a url.\"git@{host}:\".insteadOf rewrite on a machine whose key is not in the agent or not registered)."),
            vec![
                "ssh-add ~/.ssh/id_ed25519".into(),
                format!("ssh -T git@{host}  # must greet you by name"),
                format!("git config --global --unset-all url.\"git@{host}:\".insteadOf  # or go back to https"),
            ],
        )
        .key("Permission denied"),
        Cause::HostKey { host } if host.is_empty() && ctx.module.is_some() => {
            let host = ctx.module.as_ref().map_or("", |m| module_host(&m.path)).to_string();
            advise_inner(&Cause::HostKey { host }, ctx, platform)
        }
        Cause::HostKey { host } => advice(
            Code::GitHostKey,
            host.clone(),
            format!("ssh does not know {host}'s host key and cannot ask (no terminal), so it stops."),
            vec![format!("ssh-keyscan -t ed25519 {h} >> ~/.ssh/known_hosts  # compare with the fingerprint {h} publishes", h = if host.is_empty() { "HOST" } else { host })],
        )
        .key("Host key verification failed"),
        Cause::GitDns { host } => advice(
            Code::DnsNxdomain,
            host.clone(),
            format!("git could not resolve {host}: the name does not exist for this machine's resolver (a private host off the VPN, or a typo in a url.insteadOf rewrite)."),
            vec![format!("git config --global --get-regexp '^url\\.'  # check rewrites that lead to {host}")],
        )
        .key("resolve"),
        Cause::GitConnect { host, port, kind } => {
            let ep = port.map_or_else(|| host.clone(), |p| scan::join_host_port(host, p));
            let (code, what) = tcp_words(*kind);
            let note = if ctx.local.contains("ssh: connect to host") {
                " go asks git for https URLs, so this ssh URL comes from a url.<base>.insteadOf rewrite in git's configuration."
            } else if ctx.local.contains("Couldn't connect to server") {
                " (curl does not say whether the connection was refused or had no route.)"
            } else {
                ""
            };
            advice(
                code,
                ep.clone(),
                format!("git could not connect to {ep}: {what}.{note}"),
                vec![format!("git config --global --get-regexp '^(url|http)\\.'  # rewrites and proxies git uses for {host}")],
            )
        }
        Cause::GitTls { host, kind } => {
            let code = match kind {
                TlsKind::Expired { .. } => Code::TlsExpired,
                TlsKind::Hostname { .. } => Code::TlsHostname,
                _ => Code::TlsUntrusted,
            };
            advice(
                code,
                scan::join_host_port(host, 443),
                match kind {
                    TlsKind::Expired { .. } => format!("git (curl) rejected the certificate of {host}: it has expired, or this machine's clock is wrong (git checks certificates itself, with its own CA settings)."),
                    TlsKind::Hostname { .. } => format!("git (curl) rejected the certificate of {host}: it is for another name, so something on the path answered instead of {host} (interception or a captive portal)."),
                    _ => format!("git (curl) rejected the certificate of {host}: it is not signed by an authority git trusts, usually TLS interception by a corporate proxy, or a private CA (git uses its own CA settings, not Go's)."),
                },
                match kind {
                    TlsKind::Expired { .. } => vec![clock_fix(os)],
                    TlsKind::Hostname { .. } => vec![format!("getent hosts {host}  # which address the name leads to")],
                    _ => vec!["git config --global http.sslCAInfo /path/to/company-root-ca.pem".into()],
                },
            )
            .key("certificate")
        }
        Cause::GitProxyAuth => advice(
            Code::ProxyEnvAuthRequired,
            "HTTPS_PROXY",
            "The HTTP proxy git uses wants authentication (407).",
            vec![set_env(os, "HTTPS_PROXY", "http://USER:PASSWORD@proxy-host:port")],
        ),
        Cause::HttpStatus { url, code, reason } => http_status(ctx, url, *code, reason, os),
        Cause::ConnectRefused { reason } => {
            let host = ctx.url.as_ref().map_or_else(String::new, |u| u.endpoint());
            if reason == "Proxy Authentication Required" {
                // Plain-http requests go through HTTP_PROXY, https ones through HTTPS_PROXY.
                let var = if ctx.url.as_ref().is_some_and(|u| u.scheme == "http") { "HTTP_PROXY" } else { "HTTPS_PROXY" };
                let via = format!("The HTTP proxy in {var}");
                return advice(
                    Code::ProxyEnvAuthRequired,
                    var,
                    format!("{via} wants a user name and password (407 Proxy Authentication Required) before it connects to {host}."),
                    vec![match os {
                        Some(Os::Windows) => format!("$env:{var} = \"http://USER:PASSWORD@proxy-host:port\""),
                        _ => format!("export {var}=\"http://USER:PASSWORD@${{{var}#*://}}\""),
                    }],
                );
            }
            let hostname = ctx.url.as_ref().map_or("", |u| u.host.as_str());
            advice(
                Code::HttpStatus,
                "HTTPS_PROXY",
                format!("The HTTP proxy in HTTPS_PROXY refused to open a tunnel to {host} ({reason}): its policy blocks that host."),
                vec![
                    "# ask the proxy's administrators to allow it, or, if the host is reachable without the proxy:".into(),
                    set_env(os, "NO_PROXY", hostname),
                ],
            )
        }
        Cause::NotAProxy { detail } => {
            let target = not_a_proxy_target(ctx, detail);
            advice(
                Code::HttpNotAProxy,
                target.clone(),
                format!(
                    "{} did not answer like a module proxy: {}. Typical of a captive portal or login page, or of a GOPROXY URL that points at the wrong service.",
                    if target == "GOPROXY" { "The proxy named in GOPROXY" } else { target.as_str() },
                    not_a_proxy_words(detail)
                ),
                vec![
                    "go env GOPROXY  # check the URL; log in to the network's portal if there is one".into(),
                    go_env_w("GOPROXY", "https://proxy.golang.org,direct"),
                ],
            )
        }
        Cause::NotTls => {
            let url = ctx.url.clone();
            match (&ctx.role, url) {
                (Some(Role::Proxy { base }), Some(_)) => advice(
                    Code::GoproxyInvalid,
                    base.clone(),
                    format!("{base} speaks plain HTTP, but GOPROXY names it with https://."),
                    vec![go_env_w("GOPROXY", &format!("{},direct", base.replacen("https://", "http://", 1)))],
                ),
                (_, u) => advice(
                    Code::TlsHandshake,
                    u.as_ref().map_or_else(String::new, |u| u.endpoint()),
                    format!("{} answered the TLS handshake with plain HTTP: the server speaks HTTP on that port, or something on the path (a captive portal or a transparent proxy) intercepts it.", u.as_ref().map_or("The server", |u| u.host.as_str())),
                    vec![
                        "# log in to the network's portal, or set HTTPS_PROXY to the network's proxy".into(),
                        doctor_line(ctx, u.as_ref().map_or("", |u| u.host.as_str())),
                    ],
                ),
            }
        }
        Cause::HttpTimeout => {
            let target = endpoint(ctx, None);
            let mut fixes = vpn_hint(ctx, &target);
            fixes.extend(reroute(ctx));
            fixes.push(doctor_line(ctx, &target));
            advice(
                Code::HttpTimeout,
                target,
                format!("{} did not send response headers in time (Go's client timeout expired while connecting or waiting).", server_phrase(ctx)),
                fixes,
            )
        }
        Cause::Dns { name, server, kind } => dns(ctx, name, server.as_deref(), *kind, os),
        Cause::Tcp { addr, local, kind, phase } => tcp(ctx, addr.as_deref(), local.as_deref(), *kind, *phase, platform),
        Cause::NotConnected { local, remote, op } => {
            not_connected(ctx, local.as_deref(), remote.as_deref(), op, platform)
        }
        Cause::Tls { kind } => tls(ctx, kind, os),
        Cause::ProxyUnreachable { addr, inner } => {
            let addr = addr.clone().unwrap_or_else(|| "the HTTP proxy".into());
            let why = match inner.as_ref() {
                Cause::Dns { .. } => "its name does not resolve".to_string(),
                Cause::Tcp { kind, .. } => tcp_words(*kind).1.to_string(),
                Cause::Tls { .. } => "its TLS certificate is not trusted".to_string(),
                _ => "the connection failed".to_string(),
            };
            advice(
                Code::ProxyEnvUnreachable,
                addr.clone(),
                format!("Go sends this request through the HTTP proxy {addr} (HTTPS_PROXY/HTTP_PROXY), and the proxy cannot be reached: {why}."),
                vec![
                    match os {
                        Some(Os::Windows) => "Get-ChildItem Env: | Where-Object Name -match 'PROXY'".into(),
                        _ => "env | grep -i _proxy  # Go reads the uppercase name first; ALL_PROXY is ignored".into(),
                    },
                    match os {
                        Some(Os::Windows) => "Remove-Item Env:HTTPS_PROXY, Env:HTTP_PROXY  # if this network needs no proxy".into(),
                        _ => "unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy  # if this network needs no proxy".into(),
                    },
                ],
            )
            .key("proxyconnect")
        }
        Cause::ProxyScheme => advice(
            Code::ProxyEnvInvalid,
            "HTTPS_PROXY",
            "HTTPS_PROXY names the proxy with https://, so Go speaks TLS to it, but the proxy speaks plain HTTP (most do: the tunnel is encrypted end to end anyway).",
            vec![match os {
                Some(Os::Windows) => "$env:HTTPS_PROXY = $env:HTTPS_PROXY -replace '^https://', 'http://'".into(),
                _ => "export HTTPS_PROXY=\"http://${HTTPS_PROXY#https://}\"".into(),
            }],
        )
        .key("proxyconnect"),
        Cause::PrivateLeak { module: m, public } => {
            let prefix = fix::private_prefix(m);
            let server = if *public { server_phrase(ctx) } else { format!("{} (a proxy or checksum database that cannot see it)", server_phrase(ctx)) };
            let host = module_host(m);
            let mut fixes = vec![go_env_w("GOPRIVATE", &prefix)];
            if !ctx.is_sumdb() && !*public {
                fixes.push(format!("{}  # if your company proxy does serve it, skip only the public checksum database", go_env_w("GONOSUMDB", &prefix)));
            }
            fixes.push(format!("{}  # direct fetches of a private repository need credentials", git_ssh_rewrite(host)));
            advice(
                Code::PrivateLeak,
                m.clone(),
                format!("{m} looks private, but it was requested from {server}, which cannot fetch it and answers not found; GOPRIVATE={prefix} makes go fetch it directly and skip the public checksum database (and stops leaking the path)."),
                fixes,
            )
        }
    }
}

fn host_of_target<'a>(ctx: &'a Ctx, target: &'a str) -> &'a str {
    ctx.url
        .as_ref()
        .map_or_else(|| scan::split_host_port(target).0, |u| u.host.as_str())
}

/// For a host with a private name: the network that reaches it is missing.
fn vpn_hint(ctx: &Ctx, target: &str) -> Vec<String> {
    let host = host_of_target(ctx, target);
    if !scan::is_ip_literal(host) && fix::host_looks_private(host) {
        vec![format!(
            "# {host} is a private name: connect to the company network or VPN that reaches it"
        )]
    } else {
        Vec::new()
    }
}

/// The doctor's per-address checks: the last resort for a network failure
/// no setting can fix.
fn doctor_line(ctx: &Ctx, target: &str) -> String {
    format!(
        "modgate doctor  # per-address DNS, route and connect checks for {}",
        host_of_target(ctx, target)
    )
}

/// The GOPROXY entry that misbehaved: named in `invalid response from
/// proxy "X"`, the secure URL of an insecure redirect, or the request's base.
fn not_a_proxy_target(ctx: &Ctx, detail: &str) -> String {
    if let Some(i) = detail.find("from proxy \"") {
        let rest = &detail[i + "from proxy \"".len()..];
        if let Some(base) = rest.split('"').next() {
            return base.to_string();
        }
    }
    if let Some(u) =
        scan::word_after(detail, "redirected from secure URL ").and_then(scan::Url::parse)
    {
        return scan::proxy_base(&u).unwrap_or_else(|| u.origin());
    }
    ctx.proxy_base()
        .map(str::to_string)
        .or_else(|| ctx.url.as_ref().map(|u| u.origin()))
        .unwrap_or_else(|| "GOPROXY".to_string())
}

fn file_proxy_base(ctx: &Ctx) -> String {
    let Some(u) = &ctx.url else {
        return "file:///path/to/proxy".into();
    };
    match &ctx.module {
        Some(m) => match u.full.find(&format!("/{}/@v/", m.path)) {
            Some(i) => u.full[..i].to_string(),
            None => u.origin(),
        },
        None => u.origin(),
    }
}

/// Sets the system clock from the network, for the platform.
fn clock_fix(os: Option<Os>) -> String {
    match os {
        Some(Os::Darwin) => "sudo sntp -sS time.apple.com  # if the clock is wrong".into(),
        Some(Os::Windows) => "w32tm /resync  # if the clock is wrong".into(),
        _ => "sudo timedatectl set-ntp true  # if the clock is wrong".into(),
    }
}

/// What the proxy did instead of answering like one.
fn not_a_proxy_words(detail: &str) -> String {
    if detail.contains("redirected from secure URL") {
        "it redirected an https request to plain http".into()
    } else if detail.contains("stopped after 10 redirects") {
        "it redirected more than 10 times".into()
    } else if detail.contains("refusing to pass credentials") {
        "it redirected to plain http, where Go will not send credentials".into()
    } else if detail.contains("proxy returned info for version") {
        "it answered with another version than the one asked for".into()
    } else if detail.contains("zip file too large") {
        "it sent a zip larger than any module may be".into()
    } else {
        // `invalid response from proxy "X": <json error>`
        let why = detail.rsplit("\": ").next().unwrap_or(detail);
        format!("it sent something that is not the JSON a proxy sends ({why})")
    }
}

/// The message itself, without the `go: <module>@<version>:` prefixes.
fn from_needle<'a>(detail: &'a str, needles: &[&str]) -> &'a str {
    needles
        .iter()
        .find_map(|n| detail.find(n).map(|i| &detail[i..]))
        .unwrap_or(detail)
}

fn tcp_words(kind: TcpKind) -> (Code, &'static str) {
    match kind {
        TcpKind::Refused => (
            Code::TcpRefused,
            "the connection was refused (nothing listens on that port, or a firewall rejects it)",
        ),
        TcpKind::Timeout => (
            Code::TcpTimeout,
            "the connection timed out (packets are dropped: a firewall, a filtered network or a dead route)",
        ),
        TcpKind::Unreachable => (
            Code::TcpUnreachable,
            "there is no route to it (offline, a VPN route missing, or an address family this machine cannot use)",
        ),
        TcpKind::Reset => (Code::TcpReset, "the connection was reset"),
        TcpKind::Closed => (
            Code::TcpReset,
            "the connection was closed without an answer",
        ),
    }
}

fn http_status(ctx: &Ctx, url: &scan::Url, code: u16, reason: &str, os: Option<Os>) -> Advice {
    let target = match &ctx.role {
        Some(Role::Proxy { base }) | Some(Role::Sumdb { base }) => base.clone(),
        _ => url.full.split('?').next().unwrap_or(&url.full).to_string(),
    };
    let who = server_phrase(ctx);
    let status = format!("{code} {reason}").trim().to_string();
    let module = module_display(ctx);
    let (summary, fixes) = match code {
        401 | 403 => (
            format!(
                "{who} answered {status} for {module}: it wants credentials, or its policy forbids this module. Go sends credentials from ~/.netrc (GOAUTH=netrc) on 4xx answers over https."
            ),
            vec![netrc_line(os, &url.host)],
        ),
        404 | 410 => (
            format!(
                "{who} answered {status}: it does not have {module}. With a `,` after this GOPROXY entry go tries the next one; otherwise this is final."
            ),
            {
                let mut f = vec![];
                if let Some(m) = &ctx.module {
                    f.push(format!(
                        "go list -m -versions {}  # check the path and version",
                        m.path
                    ));
                }
                if let Some(Role::Proxy { base }) = &ctx.role {
                    f.push(go_env_w("GOPROXY", &format!("{base},direct")));
                }
                f
            },
        ),
        429 => (
            format!("{who} is rate-limiting this machine ({status})."),
            reroute(ctx),
        ),
        500..=599 => (
            format!(
                "{who} failed ({status}); after a `,` separator go does not fall back on this."
            ),
            reroute(ctx),
        ),
        _ => (
            format!("{who} answered {status} for {module}."),
            reroute(ctx),
        ),
    };
    advice(Code::HttpStatus, target, summary, fixes).key(status)
}

fn dns(ctx: &Ctx, name: &str, server: Option<&str>, kind: DnsKind, os: Option<Os>) -> Advice {
    let via = server.map_or_else(
        || "the system resolver".to_string(),
        |s| format!("the DNS server {s}"),
    );
    let for_what = server_phrase(ctx);
    let private = fix::host_looks_private(name);
    let (code, what) = match kind {
        DnsKind::NxDomain => (
            Code::DnsNxdomain,
            if private {
                format!(
                    "{via} says {name} does not exist: it is a private name only your company's DNS (VPN) knows"
                )
            } else {
                format!(
                    "{via} says {name} does not exist: that resolver filters it, the machine is offline behind a resolver that answers everything with NXDOMAIN, or the name is mistyped"
                )
            },
        ),
        DnsKind::ServFail => (
            Code::DnsServfail,
            format!(
                "{via} failed to resolve {name} (SERVFAIL, \"server misbehaving\"): its upstream is unreachable or broken"
            ),
        ),
        DnsKind::Timeout => (
            Code::DnsTimeout,
            format!("{via} did not answer the query for {name} in time"),
        ),
        DnsKind::NoResolver => (
            Code::DnsNoResolver,
            format!(
                "no DNS server answers at {}: nothing listens there (an empty or stale /etc/resolv.conf falls back to localhost)",
                server.unwrap_or("the configured address")
            ),
        ),
    };
    let mut fixes = Vec::new();
    if private {
        fixes.push(
            "# connect to the company VPN, or use the DNS server that knows this name".into(),
        );
    } else if kind != DnsKind::NxDomain || server.is_some() {
        match os {
            Some(Os::Darwin) => fixes.push("sudo networksetup -setdnsservers Wi-Fi 1.1.1.1 8.8.8.8  # if your network allows a public resolver".into()),
            Some(Os::Windows) => fixes.push("Set-DnsClientServerAddress -InterfaceAlias Wi-Fi -ServerAddresses 1.1.1.1,8.8.8.8  # if your network allows a public resolver".into()),
            _ => {
                fixes.push("printf 'nameserver 1.1.1.1\\nnameserver 8.8.8.8\\n' | sudo tee /etc/resolv.conf  # in a container: docker run --dns 1.1.1.1".into());
                if server.is_some() {
                    fixes.push(format!("{}  # use the system (libc) resolver, as on macOS and Windows, where VPN split DNS is configured", set_env(os, "GODEBUG", "netdns=cgo")));
                }
            }
        }
    }
    fixes.extend(reroute(ctx));
    let target = name.to_string();
    let summary = if matches!(ctx.role, Some(Role::Other) | None) {
        format!("{what}.")
    } else {
        format!("{what}; Go needed it to reach {for_what}.")
    };
    advice(code, target, summary, fixes).key(format!("lookup {name}"))
}

fn tcp(
    ctx: &Ctx,
    addr: Option<&str>,
    local: Option<&str>,
    kind: TcpKind,
    phase: Phase,
    platform: Option<&Platform>,
) -> Advice {
    let os = platform.map(|p| p.os);
    let target = endpoint(ctx, addr);
    let (code, what) = tcp_words(kind);
    let at = match addr {
        Some(a) if ctx.url.as_ref().is_some_and(|u| u.endpoint() != a) => format!(" (address {a})"),
        _ => String::new(),
    };
    let who = server_phrase(ctx);
    let mut summary = match (phase, kind) {
        (Phase::Data, TcpKind::Timeout) => format!(
            "The connection to {who} at {target}{at} opened, but no data came back in time: a filter that drops traffic after the TCP handshake, or an MTU black hole."
        ),
        (Phase::Data, TcpKind::Reset | TcpKind::Closed) => format!(
            "The connection to {who} at {target}{at} opened, then was {} during the TLS handshake or the request: typical of a firewall or TLS inspection that rejects the destination, or of a middlebox that drops a large ClientHello.",
            if kind == TcpKind::Reset {
                "reset"
            } else {
                "closed without an answer"
            }
        ),
        _ => format!("Connecting to {who} at {target}{at} failed: {what}."),
    };
    if let (Some(p), TcpKind::Reset) = (platform, kind)
        && p.os == Os::Windows
    {
        summary.push_str(" On Windows this is also what endpoint security and TLS inspection agents (Zscaler, Netskope) do when they block a connection.");
    }
    let https = ctx.url.as_ref().is_none_or(|u| u.scheme == "https");
    let mut fixes = vpn_hint(ctx, &target);
    fixes.extend(reroute(ctx));
    if https
        && matches!(
            (phase, kind),
            (Phase::Data, TcpKind::Reset | TcpKind::Closed)
        )
    {
        fixes.push(format!(
            "{}  # test: a classic-size TLS ClientHello without the post-quantum key share",
            set_env(os, "GODEBUG", "tlsmlkem=0")
        ));
    }
    if matches!(kind, TcpKind::Timeout | TcpKind::Reset | TcpKind::Closed)
        && !matches!(ctx.role, Some(Role::Git))
    {
        let var = if https { "HTTPS_PROXY" } else { "HTTP_PROXY" };
        fixes.push(format!(
            "{}  # if this network only allows the web through its proxy",
            set_env(os, var, "http://proxy-host:port")
        ));
    }
    if let Some(l) = local {
        summary.push_str(&format!(" Local address: {l}."));
    }
    if fixes.is_empty() || matches!(kind, TcpKind::Refused | TcpKind::Unreachable) {
        fixes.push(doctor_line(ctx, &target));
    }
    let key = match kind {
        TcpKind::Closed => "EOF".to_string(),
        _ => addr.unwrap_or("tcp").to_string(),
    };
    advice(code, target, summary, fixes).key(key)
}

/// ENOTCONN: the socket "connected" (or the stack accepted the connect) but
/// the path cannot carry data. Over IPv6, or when the text names no address,
/// this is the broken-IPv6 path a VPN leaves behind (golang/go#68237); over
/// IPv4 it is a dropped connection, still most often a VPN's tunnel.
fn not_connected(
    ctx: &Ctx,
    local: Option<&str>,
    remote: Option<&str>,
    op: &str,
    platform: Option<&Platform>,
) -> Advice {
    let os = platform.map(|p| p.os);
    let target = endpoint(ctx, remote);
    let target = if target.is_empty() {
        "the server".to_string()
    } else {
        target
    };
    let local_host = local.map(scan::addr_host).unwrap_or("");
    let tunnel = local_host
        .split_once('%')
        .map(|(_, iface)| iface.to_string())
        .filter(|i| {
            ["utun", "ipsec", "ppp", "tun", "wg"]
                .iter()
                .any(|p| i.starts_with(p))
        });
    let link_local = local_host.to_ascii_lowercase().starts_with("fe80:");
    let errno = match os {
        Some(Os::Darwin) => "ENOTCONN (\"socket is not connected\", the macOS/BSD text)",
        Some(Os::Linux) => "ENOTCONN (\"transport endpoint is not connected\", the Linux text)",
        Some(Os::Windows) => "ENOTCONN (WSAENOTCONN, the Windows text)",
        None => "ENOTCONN",
    };
    let failed = match op {
        "connect" => format!("the connect itself failed with {errno}"),
        "read" => format!("the first read failed with {errno}"),
        _ => format!("the first write failed with {errno}"),
    };
    let ipv4 = remote.is_some_and(|r| !scan::is_ipv6_addr(r));
    if !ipv4 {
        let via = match (&tunnel, link_local) {
            (Some(i), true) => format!(
                " The local address {local_host} is link-local on the tunnel interface {i}: a VPN holds the IPv6 default route but has no routable IPv6 address."
            ),
            (Some(i), false) => {
                format!(" The connection left through the tunnel interface {i} (a VPN).")
            }
            (None, true) => format!(
                " The local address {local_host} is link-local: there is no routable IPv6 address."
            ),
            _ => " Typically a VPN (utun, ipsec, ppp, tun interfaces) holds the IPv6 default route without a routable IPv6 address.".to_string(),
        };
        let family = if remote.is_some() {
            "The IPv6 path"
        } else {
            "The path (ENOTCONN is the signature of a broken IPv6 or VPN route)"
        };
        let fixes = match os {
            Some(Os::Darwin) => vec![
                "# disconnect the VPN, or turn off IPv6 in the VPN client; then retry".into(),
                "networksetup -listallnetworkservices  # find the VPN's service name, then:".into(),
                "sudo networksetup -setv6off \"VPN SERVICE NAME\"".into(),
            ],
            Some(Os::Windows) => vec![
                "Disable-NetAdapterBinding -Name \"VPN ADAPTER NAME\" -ComponentID ms_tcpip6".into(),
            ],
            _ => vec![
                "echo 'precedence ::ffff:0:0/96  100' | sudo tee -a /etc/gai.conf  # prefer IPv4 addresses".into(),
                format!("{}  # Go's own resolver ignores gai.conf; the libc one honours it", set_env(os, "GODEBUG", "netdns=cgo")),
                "sudo sysctl -w net.ipv6.conf.all.disable_ipv6=1  # or turn IPv6 off entirely".into(),
            ],
        };
        return advice(
            Code::Ipv6Broken,
            target.clone(),
            format!("{family} to {target} was accepted by the local stack but cannot carry data: {failed}. {}{via}", if op == "connect" {
                "Go dials the IPv6 address first and reports its failure; IPv4 may well work."
            } else {
                "Go's Happy Eyeballs fallback to IPv4 never starts because the connect itself \"succeeded\"."
            }),
            fixes,
        )
        .key("not connected");
    }
    let mut fixes = vec![
        "# disconnect or reconnect the VPN, then retry: a tunnel that dropped its route gives ENOTCONN".to_string(),
    ];
    fixes.extend(reroute(ctx));
    advice(
        Code::TcpReset,
        target.clone(),
        format!("The connection to {target} was dropped right after it opened: {failed} (over IPv4: usually a VPN tunnel or firewall that tore the route down)."),
        fixes,
    )
    .key("not connected")
}

fn tls(ctx: &Ctx, kind: &TlsKind, os: Option<Os>) -> Advice {
    let target = endpoint(ctx, None);
    let host = ctx
        .url
        .as_ref()
        .map_or("the server", |u| u.host.as_str())
        .to_string();
    match kind {
        TlsKind::Untrusted { authority } => {
            let product = authority.as_deref().and_then(fix::interceptor);
            let why = match (authority, product) {
                (Some(a), Some(p)) => format!("The chain leads to \"{a}\", the root of {p}'s TLS inspection: the network decrypts HTTPS and re-signs it with a root this machine does not trust for Go."),
                (Some(a), None) => format!("The chain leads to \"{a}\", which is not among the roots Go uses: TLS interception by a corporate proxy, or a private CA."),
                _ => "Usually TLS interception by a corporate proxy or security agent (Zscaler, Netskope, ...), or a system without a CA bundle (slim container images).".to_string(),
            };
            let mut fixes = fix::trust_ca(os);
            if (os.is_none() || os == Some(Os::Linux)) && authority.is_none() {
                fixes.insert(0, "sudo apt-get install -y ca-certificates  # slim images: no CA bundle at all".into());
            }
            advice(
                Code::TlsUntrusted,
                target,
                format!("The certificate {host} presented is not signed by an authority Go trusts. {why}"),
                fixes,
            )
            .key("x509")
        }
        TlsKind::Expired { detail } => {
            let mut fixes = vec![clock_fix(os)];
            fixes.push("# if the clock is right: the certificate comes from an interception proxy or a server with an expired certificate".into());
            advice(
                Code::TlsExpired,
                target,
                format!(
                    "The certificate {host} presented is outside its validity period{}: this machine's clock is wrong, or something on the path (an interception proxy, a stale mirror) serves an expired certificate.",
                    detail.as_ref().map_or_else(String::new, |d| format!(" ({d})"))
                ),
                fixes,
            )
            .key("expired")
        }
        TlsKind::Hostname { detail } => advice(
            Code::TlsHostname,
            target,
            format!("The server that answered for {host} presented a certificate for another name ({}): DNS or a transparent proxy sent the connection to a different server (captive portal, interception proxy), or the URL names the server by an alias its certificate does not cover.", detail.trim_start_matches("x509: ")),
            vec![
                format!("getent hosts {host}  # which address the name leads to"),
                "# log in to the network's portal if there is one, or use the host name the certificate covers".into(),
            ],
        )
        .key("x509"),
        TlsKind::Handshake { detail } => {
            let why = if detail.contains("certificate required") || detail.contains("bad certificate") {
                "the server wants a client certificate (mutual TLS), which the go command never sends: this endpoint is not usable as a module proxy or checksum database; ask for token access (~/.netrc) or another URL"
            } else if detail.contains("protocol version") || detail.contains("no supported versions") {
                "there is no TLS version both sides accept: Go requires TLS 1.2 or newer, and the server (or a middlebox in front of it) offers only older ones"
            } else {
                "the server or a middlebox aborted the handshake: no cipher or key exchange in common, often an old appliance that rejects Go's post-quantum key share"
            };
            let mut fixes = Vec::new();
            // Only a rejected key exchange can be worked around from this side.
            if !["certificate required", "bad certificate", "protocol version", "no supported versions"]
                .iter()
                .any(|n| detail.contains(n))
            {
                fixes.push(format!(
                    "{}  # test: the classic key exchange only",
                    set_env(os, "GODEBUG", "tlsmlkem=0")
                ));
            }
            fixes.extend(reroute(ctx));
            fixes.push(doctor_line(ctx, &target));
            advice(
                Code::TlsHandshake,
                target.clone(),
                format!("The TLS handshake with {target} failed ({}): {why}.", detail.trim_end_matches('.')),
                fixes,
            )
            .key("tls:")
        }
        TlsKind::Timeout => {
            let mut fixes = vec![format!(
                "{}  # middleboxes that drop Go's large post-quantum ClientHello",
                set_env(os, "GODEBUG", "tlsmlkem=0")
            )];
            fixes.extend(reroute(ctx));
            advice(
                Code::TlsTimeout,
                target.clone(),
                format!("The TCP connection to {target} opened, but the TLS handshake did not finish within 10 seconds: a filter that stalls TLS to this host (national or corporate), or a middlebox that drops the large post-quantum ClientHello Go sends since 1.24."),
                fixes,
            )
            .key("TLS handshake timeout")
        }
    }
}
