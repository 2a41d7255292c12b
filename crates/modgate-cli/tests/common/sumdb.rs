//! A signed checksum database for tests (the core's `MemDb`), served on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

/// A checksum database (the core's signed `MemDb`) served over HTTP on
/// 127.0.0.1 by a small thread; stopped on drop.
pub struct Sumdb {
    /// The GOSUMDB value naming it (`key URL`).
    pub gosumdb: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sumdb {
    /// Logs the hashes of every version in the `file://` tree at `root`, except
    /// that `wrong`'s go.mod is logged with the hash of other bytes.
    pub fn start(root: &Path, wrong: (&str, &str)) -> Sumdb {
        use modgate_core::sumdb::memdb::{MemDb, Outcome};
        use std::io::{BufRead, Write};
        let (skey, vkey) = modgate_core::sumdb::note::generate_key("sum.test", &[7u8; 32]);
        let mut db = MemDb::from_signer_key(&skey).unwrap();
        let mut mods = Vec::new();
        fn walk(d: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "mod") {
                    out.push(p);
                }
            }
        }
        walk(root, &mut mods);
        mods.sort();
        for m in mods {
            let at = m.parent().unwrap();
            let path = at
                .parent()
                .unwrap()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let version = m.file_stem().unwrap().to_string_lossy().into_owned();
            let zip =
                modgate_core::dirhash::hash_zip_file(&at.join(format!("{version}.zip"))).unwrap();
            let gomod = if (path.as_str(), version.as_str()) == wrong {
                modgate_core::dirhash::hash_gomod(b"module other.example/rewritten\n")
            } else {
                modgate_core::dirhash::hash_gomod(&std::fs::read(&m).unwrap())
            };
            db.add_module(&path, &version, &zip, &gomod).unwrap();
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                let Ok((conn, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    continue;
                };
                conn.set_nonblocking(false).unwrap();
                let mut reader = std::io::BufReader::new(conn.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let path = line.split(' ').nth(1).unwrap_or("/").to_owned();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let outcome = db.serve(&path);
                let status = outcome.status();
                let (ctype, body) = match outcome {
                    Outcome::Ok { content_type, body } => (content_type.to_owned(), body),
                    Outcome::NotFound(m) | Outcome::BadRequest(m) | Outcome::ServerError(m) => {
                        ("text/plain; charset=utf-8".to_owned(), m.into_bytes())
                    }
                };
                let mut conn = conn;
                let _ = write!(
                    conn,
                    "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(&body);
            }
        });
        Sumdb {
            gosumdb: format!("{vkey} http://{addr}"),
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Sumdb {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
