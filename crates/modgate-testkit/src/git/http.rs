//! A tiny HTTP/1.1 server on loopback that answers `?go-get=1` with a
//! go-import page and serves git repositories through `git http-backend`
//! (CGI), one request per connection, optionally behind HTTP Basic
//! authentication; and [`backend`], the CGI call itself, for test servers of
//! their own (the doctor's fault lab).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

/// A running server; it stops with the test process.
pub struct GitHttp {
    pub port: u16,
}

impl GitHttp {
    /// Serves `<root>/<name>.git` at `/git/<name>.git`, and for any other path
    /// `p?go-get=1` a page whose go-import tag comes from `meta(p)`.
    pub fn start(root: &Path, meta: fn(&str, u16) -> Option<String>) -> GitHttp {
        GitHttp::start_with_auth(root, meta, None)
    }

    /// Like [`GitHttp::start`], but the repositories answer 401 (HTTP Basic)
    /// unless the request carries `Authorization: <auth>`.
    pub fn start_with_auth(
        root: &Path,
        meta: fn(&str, u16) -> Option<String>,
        auth: Option<String>,
    ) -> GitHttp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let root = root.to_path_buf();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                let auth = auth.clone();
                std::thread::spawn(move || {
                    let _ = handle(stream, &root, port, meta, auth.as_deref());
                });
            }
        });
        GitHttp { port }
    }
}

/// A request for `git http-backend`: the CGI variables it reads.
#[derive(Debug, Default)]
pub struct CgiRequest<'a> {
    pub method: &'a str,
    /// The path below the project root, such as `/repo.git/info/refs`.
    pub path_info: &'a str,
    pub query: &'a str,
    pub content_type: &'a str,
    pub content_encoding: &'a str,
    /// The `Git-Protocol` header (protocol v2).
    pub git_protocol: &'a str,
    pub body: &'a [u8],
}

/// What `git http-backend` answered.
#[derive(Debug)]
pub struct CgiResponse {
    /// From its `Status:` header, else 200.
    pub status: u16,
    /// The status line's text after the code.
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Runs `git http-backend` for one request on the repositories under `root`
/// (all exported, no user or system git configuration). An error when git
/// cannot run or its output is not CGI.
pub fn backend(root: &Path, req: &CgiRequest<'_>) -> std::io::Result<CgiResponse> {
    let mut child = Command::new("git")
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("REQUEST_METHOD", req.method)
        .env("PATH_INFO", req.path_info)
        .env("QUERY_STRING", req.query)
        .env("CONTENT_TYPE", req.content_type)
        .env("CONTENT_LENGTH", req.body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", req.content_encoding)
        .env("GIT_PROTOCOL", req.git_protocol)
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(req.body)?;
    let out = child.wait_with_output()?;
    // CGI output: headers, a blank line, the body.
    let raw = out.stdout;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let Some((i, n)) = split else {
        return Err(std::io::Error::other("git http-backend: output is not CGI"));
    };
    let mut resp = CgiResponse {
        status: 200,
        reason: "OK".to_string(),
        headers: Vec::new(),
        body: raw[i + n..].to_vec(),
    };
    for line in String::from_utf8_lossy(&raw[..i]).lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        if k.eq_ignore_ascii_case("status") {
            let (code, reason) = v.split_once(' ').unwrap_or((v, ""));
            resp.status = code.parse().unwrap_or(500);
            resp.reason = reason.to_string();
        } else {
            resp.headers.push((k.to_string(), v.to_string()));
        }
    }
    Ok(resp)
}

fn handle(
    mut stream: std::net::TcpStream,
    root: &Path,
    port: u16,
    meta: fn(&str, u16) -> Option<String>,
    auth: Option<&str>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end().to_string();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |k: &str| {
        headers
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let len: usize = header("content-length").parse().unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));

    if query.contains("go-get=1") {
        let page = match meta(path.trim_start_matches('/'), port) {
            Some(content) => format!(
                "<!DOCTYPE html><html><head><meta name=\"go-import\" content=\"{content}\"></head><body>go get</body></html>"
            ),
            None => "<html><body>not found</body></html>".to_string(),
        };
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
            page.len()
        )?;
        return Ok(());
    }
    let Some(info) = path.strip_prefix("/git") else {
        stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        return Ok(());
    };
    if let Some(want) = auth
        && header("authorization") != want
    {
        stream.write_all(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        return Ok(());
    }
    let (content_type, content_encoding, git_protocol) = (
        header("content-type"),
        header("content-encoding"),
        header("git-protocol"),
    );
    let cgi = backend(
        root,
        &CgiRequest {
            method: &method,
            path_info: info,
            query,
            content_type: &content_type,
            content_encoding: &content_encoding,
            git_protocol: &git_protocol,
            body: &body,
        },
    );
    let resp = match cgi {
        Ok(r) => r,
        Err(_) => {
            stream.write_all(
                b"HTTP/1.1 500 Bad CGI\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )?;
            return Ok(());
        }
    };
    write!(stream, "HTTP/1.1 {} {}\r\n", resp.status, resp.reason)?;
    for (k, v) in &resp.headers {
        write!(stream, "{k}: {v}\r\n")?;
    }
    write!(
        stream,
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        resp.body.len()
    )?;
    stream.write_all(&resp.body)?;
    Ok(())
}
