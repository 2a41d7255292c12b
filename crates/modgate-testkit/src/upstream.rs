//! A GOPROXY fixture server that counts requests: it serves the files of a
//! directory tree over HTTP/1.1 on loopback (one thread per connection), counts
//! each path asked for, and can hold answers back for a while (a stalled fetch).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The server; it stops with the test process.
pub struct Counting {
    addr: SocketAddr,
    state: Arc<State>,
}

struct State {
    root: PathBuf,
    hits: Mutex<BTreeMap<String, usize>>,
    /// Paths ending in this suffix wait this long before their answer.
    delay: Mutex<Option<(String, Duration)>>,
}

impl Counting {
    /// Serves `root` on 127.0.0.1 at a free port.
    pub fn start(root: &Path) -> Counting {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State {
            root: root.to_path_buf(),
            hits: Mutex::new(BTreeMap::new()),
            delay: Mutex::new(None),
        });
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let st = st.clone();
                std::thread::spawn(move || serve(conn, &st));
            }
        });
        Counting { addr, state }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers to paths ending in `suffix` wait `delay` first (`None`: no delay).
    pub fn delay(&self, rule: Option<(&str, Duration)>) {
        *self.state.delay.lock().unwrap() = rule.map(|(s, d)| (s.to_owned(), d));
    }

    /// How many requests asked for `path` (`/example.com/m/@v/v1.0.0.zip`).
    pub fn hits(&self, path: &str) -> usize {
        self.state
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// Requests per path.
    pub fn all_hits(&self) -> BTreeMap<String, usize> {
        self.state.hits.lock().unwrap().clone()
    }
}

fn serve(conn: TcpStream, st: &State) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(60)));
    let mut w = match conn.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut r = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" || h == "\n" {
                break;
            }
        }
        *st.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
        let delay = st.delay.lock().unwrap().clone();
        if let Some((suffix, d)) = delay
            && path.ends_with(&suffix)
        {
            std::thread::sleep(d);
        }
        let (status, body) = match std::fs::read(st.root.join(path.trim_start_matches('/'))) {
            Ok(data) => ("200 OK", data),
            Err(_) => ("404 Not Found", b"not found".to_vec()),
        };
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        if w.write_all(head.as_bytes()).is_err() || w.write_all(&body).is_err() {
            return;
        }
    }
}
