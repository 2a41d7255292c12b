//! A tiny HTTP/1.1 server on loopback that answers `?go-get=1`
//! with a go-import page and serves git repositories through
//! `git http-backend` (CGI), one request per connection, optionally behind
//! HTTP Basic authentication.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
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
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
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

fn handle(
    mut stream: std::net::TcpStream,
    root: &PathBuf,
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
    let mut child = Command::new("git")
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", info)
        .env("QUERY_STRING", query)
        .env("CONTENT_TYPE", header("content-type"))
        .env("CONTENT_LENGTH", len.to_string())
        .env("HTTP_CONTENT_ENCODING", header("content-encoding"))
        .env("GIT_PROTOCOL", header("git-protocol"))
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    child.stdin.take().unwrap().write_all(&body)?;
    let out = child.wait_with_output()?;
    let split = out
        .stdout
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| {
            out.stdout
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| (i, 2))
        });
    let Some((i, n)) = split else {
        stream
            .write_all(b"HTTP/1.1 500 Bad CGI\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")?;
        return Ok(());
    };
    let head = String::from_utf8_lossy(&out.stdout[..i]).into_owned();
    let payload = &out.stdout[i + n..];
    let mut status = "200 OK".to_string();
    let mut response = Vec::new();
    for h in head.lines() {
        if let Some(s) = h.strip_prefix("Status:") {
            status = s.trim().to_string();
        } else {
            response.extend_from_slice(h.as_bytes());
            response.extend_from_slice(b"\r\n");
        }
    }
    write!(stream, "HTTP/1.1 {status}\r\n")?;
    stream.write_all(&response)?;
    write!(
        stream,
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    )?;
    stream.write_all(payload)?;
    Ok(())
}
