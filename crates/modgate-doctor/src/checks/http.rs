//! One HTTP/1.1 GET over an established stream (hyper's client connection),
//! and the judgement of the answer: does it look like a Go module proxy, a
//! checksum database or a `go-get=1` page, or like a captive portal or login
//! page that something in the path put there instead?

use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::time::Instant;

use crate::net::within;
use crate::stream::BoxIo;

pub const RESPONSE_TIMEOUT: Duration = Duration::from_millis(2500);
/// Bodies are read up to this size; enough to judge them.
pub const BODY_LIMIT: usize = 64 * 1024;
/// The go command's User-Agent (web/http.go), so filters treat us like it.
pub const USER_AGENT: &str = "GoCommand/1 (+https://go.dev/cmd/go)";

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub content_type: String,
    pub location: Option<String>,
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

impl Response {
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// `200 OK`, as Go prints statuses.
    pub fn status_line(&self) -> String {
        format!("{} {}", self.status, self.reason)
    }
}

/// Sends `GET target` (a path, or an absolute URL when talking to an HTTP
/// proxy) with `Host: host` and reads the answer.
pub async fn get(
    io: BoxIo,
    host: &str,
    target: &str,
    extra_headers: &[(&str, String)],
    timeout: Duration,
) -> Result<Response, String> {
    let start = Instant::now();
    let fut = async {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(|e| e.to_string())?;
        let driver = tokio::spawn(async move {
            let _ = conn.await;
        });
        let mut req = hyper::Request::get(target)
            .header(hyper::header::HOST, host)
            .header(hyper::header::USER_AGENT, USER_AGENT)
            .header(hyper::header::ACCEPT_ENCODING, "identity");
        for (k, v) in extra_headers {
            req = req.header(*k, v.as_str());
        }
        let req = req.body(Empty::<Bytes>::new()).map_err(|e| e.to_string())?;
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        let header = |h: hyper::header::HeaderName| {
            resp.headers()
                .get(h)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        let content_type = header(hyper::header::CONTENT_TYPE).unwrap_or_default();
        let location = header(hyper::header::LOCATION);
        let body = match Limited::new(resp.into_body(), BODY_LIMIT).collect().await {
            Ok(b) => b.to_bytes().to_vec(),
            Err(_) => Vec::new(), // too large or cut: judge by the status alone
        };
        driver.abort();
        Ok::<_, String>(Response {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
            content_type,
            location,
            body,
            elapsed: start.elapsed(),
        })
    };
    match within(timeout, fut).await {
        Ok(r) => r,
        Err(()) => Err(format!(
            "no response within {} ms (Client.Timeout exceeded while awaiting headers)",
            timeout.as_millis()
        )),
    }
}

/// Does a body look like an HTML page (portal, login, error page)?
pub fn looks_like_html(r: &Response) -> bool {
    let ct = r.content_type.to_ascii_lowercase();
    if ct.contains("html") {
        return true;
    }
    let head: String = String::from_utf8_lossy(&r.body[..r.body.len().min(512)])
        .trim_start()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<head")
}

/// Words that give a captive or login page away.
pub fn login_words(r: &Response) -> Option<&'static str> {
    let text = r.body_text().to_ascii_lowercase();
    [
        "captive",
        "log in",
        "login",
        "sign in",
        "signin",
        "password",
        "accept the terms",
        "terms of use",
        "access denied",
        "blocked",
    ]
    .into_iter()
    .find(|w| text.contains(w))
}

/// What a proxy's `@v/list` answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A real protocol answer (list of versions, not-found, sumdb note...).
    Protocol(String),
    /// 404/410: not found here (the client falls back to the next entry).
    NotFound,
    /// Something that is not the protocol (HTML, login page, redirect to http).
    NotProtocol(String),
    /// Another status: terminal for a `,` entry.
    Status,
    /// A checksum database's signed tree head that the key Go verifies it
    /// with did not sign: the `name+hash` of each signature seen (or why it
    /// failed), and the key expected.
    KeyMismatch { seen: Vec<String>, expected: String },
}

/// Judges a proxy's answer to `GET <base>/<module>/@v/list`.
pub fn judge_list(r: &Response) -> Verdict {
    match r.status {
        200 => {
            if looks_like_html(r) {
                return Verdict::NotProtocol(format!(
                    "200 OK with an HTML page{} instead of a version list",
                    login_words(r).map_or(String::new(), |w| format!(" (mentions \"{w}\")"))
                ));
            }
            let text = r.body_text();
            let bad = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .find(|l| !l.starts_with('v'));
            match bad {
                Some(line) => Verdict::NotProtocol(format!(
                    "200 OK but the body is not a version list (first line {:?})",
                    line.chars().take(60).collect::<String>()
                )),
                None => Verdict::Protocol(format!(
                    "{} versions",
                    text.lines().filter(|l| !l.trim().is_empty()).count()
                )),
            }
        }
        404 | 410 => Verdict::NotFound,
        300..=399 => judge_redirect(r),
        _ => Verdict::Status,
    }
}

pub(crate) fn judge_redirect(r: &Response) -> Verdict {
    match &r.location {
        Some(l) if l.starts_with("http://") => Verdict::NotProtocol(format!(
            "{} redirect to {l}: go refuses (\"redirected from secure URL ... to insecure URL\")",
            r.status
        )),
        Some(l) => Verdict::NotProtocol(format!(
            "{} redirect to {l} (a portal or login redirect?)",
            r.status
        )),
        None => Verdict::Status,
    }
}

/// The `go-import` meta tag for `path` in a `?go-get=1` page: (prefix, vcs, repo).
pub fn go_import(body: &str, path: &str) -> Option<(String, String, String)> {
    let lower = body.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<meta") {
        let start = from + i;
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        let tag = &body[start..end];
        from = end;
        let tag_l = tag.to_ascii_lowercase();
        if !tag_l.contains("go-import") {
            continue;
        }
        let content = attr(tag, "content")?;
        let f: Vec<&str> = content.split_whitespace().collect();
        if let [prefix, vcs, repo] = f.as_slice()
            && (path == *prefix || path.starts_with(&format!("{prefix}/")))
        {
            return Some((prefix.to_string(), vcs.to_string(), repo.to_string()));
        }
    }
    None
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let i = lower.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[i..];
    let quote = rest.chars().next()?;
    if quote == '"' || quote == '\'' {
        let r = &rest[1..];
        Some(r[..r.find(quote)?].to_string())
    } else {
        Some(rest.split_whitespace().next()?.to_string())
    }
}

#[cfg(test)]
mod tests;
