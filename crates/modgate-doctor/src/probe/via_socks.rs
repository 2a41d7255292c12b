//! The SOCKS5 step of a probe through `socks5://`/`socks5h://` proxies:
//! the greeting, username/password authentication when the URL carries
//! credentials, and the CONNECT for the endpoint's name — each failure with
//! its own finding and Go's text (`socks connect tcp <proxy>-><target>: ...`).

use super::via_proxy::proxy_var_name;
use super::*;
use crate::checks::socks::SocksError;

/// Opens the SOCKS5 tunnel to the endpoint over `io` (TCP to the proxy);
/// `None` after pushing the finding when it fails.
pub(super) async fn tunnel(
    out: &mut Outcome,
    ep: &Endpoint,
    p: &ProxyUrl,
    ctx: &Ctx,
    io: BoxIo,
    ptarget: &str,
) -> Option<BoxIo> {
    let (res, took) = socks::connect(
        io,
        &ep.host,
        ep.port,
        p,
        ctx.deadline.cap(socks::CONNECT_TIMEOUT),
    )
    .await;
    out.checks.push(Check {
        kind: "proxy",
        target: format!("SOCKS5 CONNECT {} via {ptarget}", ep.target()),
        status: if res.is_ok() {
            Status::Ok
        } else {
            Status::Fail
        },
        elapsed: Some(took),
        detail: match &res {
            Ok(_) => format!(
                "tunnel established{}",
                if p.user.is_some() {
                    " (username/password accepted)"
                } else {
                    ""
                }
            ),
            Err(e) => e.describe(),
        },
    });
    let e = match res {
        Ok(io) => return Some(io),
        Err(e) => e,
    };
    let go_text = format!(
        "socks connect tcp {ptarget}->{}: {}",
        ep.target(),
        e.go_text()
    );
    set_network_error(out, go_text.clone());
    let var = proxy_var_name(ctx, ep);
    let finding = |code, target: String, summary: String, fix: Vec<String>| Finding {
        code,
        severity: Severity::Broken,
        target,
        summary,
        evidence: vec![go_text.clone(), format!("{var}={}", p.display())],
        fix,
    };
    let f = match &e {
        SocksError::NotSocks5(v) => finding(
            Code::ProxyEnvInvalid,
            ptarget.to_string(),
            format!(
                "{var}={} says SOCKS5, but {ptarget} does not answer the SOCKS5 greeting (its first byte is {v}{}): go fails with \"{go_text}\".",
                p.display(),
                if v.is_ascii_graphic() {
                    format!(", {:?}: it speaks another protocol, HTTP perhaps", char::from(*v))
                } else {
                    String::new()
                }
            ),
            vec![
                format!("export {var}=http://{ptarget}   # if it is an HTTP proxy"),
                "env | grep -i _proxy   # check which proxy this network really has".into(),
            ],
        ),
        SocksError::NoAcceptableMethods
        | SocksError::AuthFailed
        | SocksError::InvalidCredentials
        | SocksError::BadAuthVersion
        | SocksError::UnsupportedMethod(_) => finding(
            Code::ProxyEnvAuthRequired,
            ptarget.to_string(),
            match (&e, &p.user) {
                (SocksError::NoAcceptableMethods, None) => format!(
                    "The SOCKS5 proxy {} accepts none of the methods go offers without credentials (it wants a username and password, which {var} does not carry): go fails with \"{go_text}\".",
                    p.display()
                ),
                (SocksError::AuthFailed, _) => format!(
                    "The SOCKS5 proxy {} rejects the username and password in {var}: go fails with \"{go_text}\".",
                    p.display()
                ),
                _ => format!(
                    "Authentication with the SOCKS5 proxy {} fails: go fails with \"{go_text}\" (go speaks only no-authentication and username/password).",
                    p.display()
                ),
            },
            vec![
                format!("export {var}=socks5://<user>:<password>@{ptarget}   # percent-encode special characters in the password"),
                "# go supports only username/password (RFC 1929) with SOCKS5 proxies; for GSSAPI run a local forwarder".into(),
            ],
        ),
        SocksError::Refused(code) => refused(ep, p, ctx, *code, &go_text, var),
        SocksError::Timeout | SocksError::Net(..) | SocksError::Reserved | SocksError::NameTooLong => finding(
            Code::ProxyEnvUnreachable,
            ptarget.to_string(),
            format!(
                "The SOCKS5 proxy {} accepts connections but the SOCKS5 exchange for {} fails ({}): go fails with \"{go_text}\".",
                p.display(),
                ep.target(),
                e.describe()
            ),
            vec![
                format!("env | grep -i _proxy   # check the proxy address: {} (from {var})", p.display()),
                "unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy   # if this network needs no proxy".into(),
            ],
        ),
    };
    push(out, f);
    None
}

/// The proxy answered the CONNECT with a failure reply.
fn refused(ep: &Endpoint, p: &ProxyUrl, ctx: &Ctx, code: u8, go_text: &str, var: &str) -> Finding {
    let meaning = socks::reply_text(code);
    let why = match code {
        1 => {
            "the proxy failed to serve the request; many proxies answer this when they cannot resolve the name"
        }
        2 => "the proxy's rules do not allow this destination",
        3 | 4 => "the proxy's network has no route to the endpoint",
        5 => "the endpoint refused the proxy's connection",
        6 => "the proxy's connection to the endpoint timed out",
        7 | 8 => "the proxy does not support CONNECT to a name (go always sends names)",
        _ => "the proxy gave an unknown reply code",
    };
    let mut fix = Vec::new();
    if code == 2 {
        let cur = ctx
            .settings
            .proxy
            .no_proxy
            .as_ref()
            .map(|(_, v)| format!("{v},"))
            .unwrap_or_default();
        fix.push(format!(
            "export NO_PROXY={cur}{}   # if {} is reachable without the proxy",
            ep.host, ep.host
        ));
        fix.push(format!(
            "# ask the proxy's administrator to allow {}",
            ep.target()
        ));
    } else {
        fix.push(format!(
            "# check that the proxy's network can reach {} (its DNS and routes)",
            ep.target()
        ));
        fix.extend(reach_fixes(ep, true));
    }
    Finding {
        code: Code::ProxyEnvSocksRefused,
        severity: Severity::Broken,
        target: ep.target(),
        summary: format!(
            "The SOCKS5 proxy {} refuses to connect to {}: reply {code}, \"{meaning}\" ({why}); go fails with \"{go_text}\".",
            p.display(),
            ep.target()
        ),
        evidence: vec![
            go_text.to_string(),
            format!("SOCKS5 CONNECT {} → reply {code} ({meaning})", ep.target()),
            format!("{var}={}", p.display()),
        ],
        fix,
    }
}
