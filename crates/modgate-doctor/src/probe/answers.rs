//! Findings from the HTTP answers of a probe: whether a proxy, a checksum
//! database or a `?go-get=1` page answered the protocol, an error status, or
//! something else (a portal or login page).

use super::*;

pub(super) fn absorb_http(out: &mut Outcome, ep: &Endpoint, ctx: &Ctx, answers: Answers) {
    let target = ep.target();
    for (purpose, url, resp) in answers {
        let check = |status, elapsed, detail| Check {
            kind: "http",
            target: format!("GET {url}"),
            status,
            elapsed,
            detail,
        };
        let r = match resp {
            Ok(r) => r,
            Err(e) => {
                out.checks.push(check(Status::Fail, None, e.clone()));
                if purpose == Purpose::SumdbSupported {
                    continue;
                }
                set_network_error(out, e.clone());
                push(
                    out,
                    Finding {
                        code: if e.contains("Client.Timeout") {
                            Code::HttpTimeout
                        } else {
                            Code::HttpStatus
                        },
                        severity: Severity::Broken,
                        target: target.clone(),
                        summary: format!(
                            "{target} accepts the connection but gives no HTTP answer to GET {url}: {e}."
                        ),
                        evidence: vec![e],
                        fix: reach_fixes(ep, ctx.settings.proxy.any()),
                    },
                );
                continue;
            }
        };
        let elapsed = Some(r.elapsed);
        let fallback_any = matches!(
            ep.role,
            Role::Proxy {
                fallback_any: true,
                ..
            }
        );
        let verdict = match &purpose {
            Purpose::List => http::judge_list(&r),
            Purpose::Latest(name) => crate::checks::latest::judge(
                &r,
                name,
                crate::checks::latest::expected_key(ctx.settings.gosumdb(), name).as_deref(),
            ),
            Purpose::SumdbSupported => {
                out.checks.push(check(Status::Ok, elapsed, r.status_line()));
                out.responses.push((purpose, r));
                continue;
            }
            Purpose::GoGet(module) => match http::go_import(&r.body_text(), module) {
                Some((prefix, vcs, repo)) => {
                    Verdict::Protocol(format!("go-import {prefix} {vcs} {repo}"))
                }
                None if r.status == 200 => Verdict::NotProtocol(format!(
                    "200 OK without a go-import meta tag for {module}{}",
                    http::login_words(&r)
                        .map_or(String::new(), |w| format!(" (page mentions \"{w}\")"))
                )),
                None => Verdict::Status,
            },
        };
        let (status, detail) = match &verdict {
            Verdict::Protocol(d) => (Status::Ok, format!("{}: {d}", r.status_line())),
            Verdict::NotFound => (
                Status::Ok,
                format!(
                    "{} (not found: the client moves on to the next GOPROXY entry)",
                    r.status_line()
                ),
            ),
            Verdict::NotProtocol(d) => (Status::Fail, d.clone()),
            Verdict::KeyMismatch { seen, expected } => (
                Status::Fail,
                format!(
                    "signed tree head not signed by {expected} (signed by {})",
                    seen.join(", ")
                ),
            ),
            Verdict::Status => (
                Status::Fail,
                format!("{}{}", r.status_line(), body_detail(&r)),
            ),
        };
        out.checks.push(check(status, elapsed, detail.clone()));
        match verdict {
            Verdict::Protocol(_) | Verdict::NotFound => out.works = true,
            Verdict::NotProtocol(d) => push(
                out,
                Finding {
                    // A go-get page without the tag is Go's "unrecognized
                    // import path"; anything else is not the protocol.
                    code: if matches!(ep.role, Role::Vcs { .. }) {
                        Code::VcsUnrecognizedImport
                    } else {
                        Code::HttpNotAProxy
                    },
                    severity: if fallback_any {
                        Severity::Degraded
                    } else {
                        Severity::Broken
                    },
                    target: target.clone(),
                    summary: match &ep.role {
                        Role::Proxy { .. } => format!(
                            "{target} does not answer like a Go module proxy: {d}. A captive portal, login page or filter is answering instead."
                        ),
                        Role::SumDb { name } => format!(
                            "{target} does not answer like the checksum database {name}: {d}."
                        ),
                        Role::Vcs { .. } => format!(
                            "{target} does not answer go-get=1 with a go-import tag: {d}; go fails with \"unrecognized import path\"."
                        ),
                    },
                    evidence: vec![
                        format!("GET {url} → {}", r.status_line()),
                        format!("Content-Type: {}", r.content_type),
                        format!(
                            "body starts: {:?}",
                            r.body_text().chars().take(120).collect::<String>()
                        ),
                    ],
                    fix: {
                        let mut v = vec!["# open any http:// page in a browser: if a portal or login page appears, sign in, then rerun".to_string()];
                        v.extend(reach_fixes(ep, ctx.settings.proxy.any()));
                        v
                    },
                },
            ),
            Verdict::KeyMismatch { seen, expected } => {
                push(out, key_mismatch(ep, &target, &url, &seen, &expected, ctx))
            }
            Verdict::Status => {
                let auth = matches!(r.status, 401 | 403);
                let mut fix = Vec::new();
                if auth {
                    fix.push(format!("printf 'machine {} login <user> password <token>\\n' >> ~/.netrc   # GOAUTH=netrc sends it on a 4xx retry", ep.host));
                }
                fix.extend(reach_fixes(ep, ctx.settings.proxy.any()));
                push(
                    out,
                    Finding {
                        code: Code::HttpStatus,
                        severity: if fallback_any {
                            Severity::Degraded
                        } else {
                            Severity::Broken
                        },
                        target: target.clone(),
                        summary: format!(
                            "GET {url} answers {}: go fails with \"reading {url}: {}\"{}.",
                            r.status_line(),
                            r.status_line(),
                            if fallback_any {
                                " (the | after this GOPROXY entry lets go try the next one)"
                            } else {
                                ""
                            }
                        ),
                        evidence: vec![format!(
                            "GET {url} → {}{}",
                            r.status_line(),
                            body_detail(&r)
                        )],
                        fix,
                    },
                );
            }
        }
        out.responses.push((purpose, r));
    }
}

/// A signed tree head that the key Go verifies with did not sign: go
/// refuses every answer of this database ("reading tree note: note has no
/// verifiable signatures"). Either GOSUMDB names the wrong key, or something
/// between here and the database (an intercepting proxy, a mirror) answers
/// with another database's notes.
fn key_mismatch(
    ep: &Endpoint,
    target: &str,
    url: &str,
    seen: &[String],
    expected: &str,
    ctx: &Ctx,
) -> Finding {
    let name = match &ep.role {
        Role::SumDb { name } => name.clone(),
        _ => ep.host.clone(),
    };
    let mut evidence = vec![
        format!("GET {url} → a signed tree head"),
        format!("signed by: {}", seen.join(", ")),
        format!("expected: {expected} (the key in GOSUMDB)"),
        ctx.settings.describe("GOSUMDB"),
    ];
    if let Some(p) = &ep.via {
        evidence.push(format!("reached through the proxy {}", p.display()));
    }
    Finding {
        code: Code::SumdbKeyMismatch,
        severity: Severity::Broken,
        target: target.to_string(),
        summary: format!(
            "{target} answers with a checksum-database tree head that {expected} did not sign: go rejects it (\"reading tree note: note has no verifiable signatures\" or \"invalid signature\") and every download that needs {name} fails."
        ),
        evidence,
        fix: vec![
            "go env GOSUMDB   # check the key: sum.golang.org's is built into go (go env -u GOSUMDB restores it)".into(),
            format!("# if GOSUMDB is right, find what answers for {} instead of {name}: an intercepting proxy, a mirror with its own key, a hosts-file entry", ep.host),
        ],
    }
}

pub(super) fn body_detail(r: &Response) -> String {
    let t = r.body_text();
    let first = t.lines().next().unwrap_or("").trim();
    if first.is_empty() || http::looks_like_html(r) {
        String::new()
    } else {
        format!(
            " (server response: {})",
            first.chars().take(100).collect::<String>()
        )
    }
}
