//! A real three-node Garage cluster (S3-compatible object store) on loopback,
//! replication factor 3, with one bucket and one access key, whose nodes a test
//! can kill and start again.
//!
//! [`Garage::start`] returns `None` (after saying so) when `garage` is not on PATH,
//! unless `MODGATE_REQUIRE_GARAGE=1`, where it panics: `scripts/test` builds it
//! (`scripts/lib/ensure-ha.sh`).
//!
//! Each node is its own `garage server` process with its own config, metadata and
//! data directories; the cluster is wired the way an operator does it (`node
//! connect`, `layout assign`, `layout apply`, `key import`, `bucket create`,
//! `bucket allow`), through the CLI of node 0. Garage's default consistency
//! (quorum 2 of 3 for reads and writes) is what lets one node die unnoticed.

use std::net::{SocketAddr, TcpStream};

use crate::{free_port, wait_port};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The cluster's bucket.
pub const BUCKET: &str = "modgate";
/// The S3 region Garage answers for (clients must sign for it).
pub const REGION: &str = "garage";
/// The access key (Garage key ids are `GK` + 24 hex digits).
pub const ACCESS_KEY_ID: &str = "GK6d6f6467617465746573746b";
/// Its secret (64 hex digits).
pub const SECRET_ACCESS_KEY: &str =
    "6d6f64676174652074657374206b65792c206e6f742061207365637265742e2e";

/// One node: its ports and process.
struct Node {
    dir: PathBuf,
    rpc: u16,
    s3: u16,
    admin: u16,
    child: Option<Child>,
}

/// A running cluster; every node is killed when dropped.
pub struct Garage {
    binary: PathBuf,
    _dir: tempfile::TempDir,
    nodes: Vec<Node>,
    /// `<node id>@127.0.0.1:<rpc port>` of each node, once known.
    ids: Vec<String>,
}

/// `garage` on PATH, or `None` (with the skip rule above).
pub fn binary() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("garage"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var("MODGATE_REQUIRE_GARAGE").as_deref() == Ok("1") {
            panic!("garage not found on PATH, and MODGATE_REQUIRE_GARAGE=1 requires it");
        }
        eprintln!("skipping: garage not found (cargo install garage --locked)");
    }
    found
}

impl Garage {
    /// Starts three nodes, joins them into one layout (zone `dc1`, 1 GB each,
    /// replication factor 3), imports [`ACCESS_KEY_ID`] and creates [`BUCKET`]
    /// with read/write/owner rights for it; returns when the cluster is healthy.
    pub fn start() -> Option<Garage> {
        let binary = binary()?;
        let dir = tempfile::tempdir().expect("temporary directory");
        // A fresh secret per cluster: two clusters of parallel tests can never join.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let secret = format!("{:032x}{:032x}", nanos, std::process::id() as u128);
        let nodes = (0..3)
            .map(|i| {
                let node = Node {
                    dir: dir.path().join(format!("node{i}")),
                    rpc: free_port(),
                    s3: free_port(),
                    admin: free_port(),
                    child: None,
                };
                std::fs::create_dir_all(&node.dir).expect("create node directory");
                let d = node.dir.display();
                let config = format!(
                    "metadata_dir = \"{d}/meta\"\n\
                     data_dir = \"{d}/data\"\n\
                     db_engine = \"sqlite\"\n\
                     replication_factor = 3\n\
                     rpc_bind_addr = \"127.0.0.1:{rpc}\"\n\
                     rpc_public_addr = \"127.0.0.1:{rpc}\"\n\
                     rpc_secret = \"{secret}\"\n\
                     [s3_api]\n\
                     s3_region = \"{REGION}\"\n\
                     api_bind_addr = \"127.0.0.1:{s3}\"\n\
                     [admin]\n\
                     api_bind_addr = \"127.0.0.1:{admin}\"\n",
                    rpc = node.rpc,
                    s3 = node.s3,
                    admin = node.admin,
                );
                std::fs::write(node.dir.join("garage.toml"), config).expect("write garage.toml");
                node
            })
            .collect();
        let mut g = Garage {
            binary,
            _dir: dir,
            nodes,
            ids: Vec::new(),
        };
        for i in 0..3 {
            g.restart(i);
        }
        let ids: Vec<String> = (0..3)
            .map(|i| g.cli(i, &["node", "id", "-q"]).trim().to_owned())
            .collect();
        for id in &ids[1..] {
            g.cli(0, &["node", "connect", id]);
        }
        g.ids = ids.clone();
        let mut assign = vec!["layout", "assign", "-z", "dc1", "-c", "1G"];
        // `layout assign` takes node id prefixes; the id is what precedes `@`.
        assign.extend(ids.iter().map(|id| id.split('@').next().unwrap_or(id)));
        g.cli(0, &assign);
        g.cli(0, &["layout", "apply", "--version", "1"]);
        g.cli(
            0,
            &[
                "key",
                "import",
                "--yes",
                "-n",
                "modgate",
                ACCESS_KEY_ID,
                SECRET_ACCESS_KEY,
            ],
        );
        g.cli(0, &["bucket", "create", BUCKET]);
        g.cli(
            0,
            &[
                "bucket", "allow", "--read", "--write", "--owner", BUCKET, "--key", "modgate",
            ],
        );
        g.wait_healthy();
        Some(g)
    }

    /// Runs the garage CLI against node `i`; panics with its output when it fails.
    pub fn cli(&self, i: usize, args: &[&str]) -> String {
        let out = Command::new(&self.binary)
            .arg("-c")
            .arg(self.config(i))
            .args(args)
            .output()
            .expect("run garage");
        assert!(
            out.status.success(),
            "garage {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn config(&self, i: usize) -> PathBuf {
        self.nodes[i].dir.join("garage.toml")
    }

    /// The directory of node `i` (its `garage.toml`, `meta/`, `data/`, `garage.log`).
    pub fn node_dir(&self, i: usize) -> &Path {
        &self.nodes[i].dir
    }

    /// `http://127.0.0.1:PORT`, the S3 API of node `i`; every node serves every object.
    pub fn endpoint(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.nodes[i].s3)
    }

    /// `127.0.0.1:PORT` of the S3 API of every node (for a load balancer in front).
    pub fn s3_addrs(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.s3))
            .collect()
    }

    /// `s3://modgate/<prefix>`.
    pub fn url(&self, prefix: &str) -> String {
        format!("s3://{BUCKET}/{prefix}")
    }

    /// The standard AWS variables that point an S3 client at node `i`.
    pub fn env(&self, i: usize) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY.to_owned()),
            ("AWS_ENDPOINT_URL", self.endpoint(i)),
            ("AWS_REGION", REGION.to_owned()),
            ("AWS_ALLOW_HTTP", "true".to_owned()),
        ]
    }

    /// Whether node `i` runs.
    pub fn is_up(&self, i: usize) -> bool {
        self.nodes[i].child.is_some()
    }

    /// Kills node `i` (SIGKILL) and waits for it to be gone.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts node `i` (again) with its data, and waits until its S3 API accepts
    /// connections. It finds its peers again from its stored peer list.
    pub fn restart(&mut self, i: usize) {
        self.kill(i);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.nodes[i].dir.join("garage.log"))
            .expect("open garage.log");
        let child = Command::new(&self.binary)
            .arg("-c")
            .arg(self.config(i))
            .arg("server")
            .env("RUST_LOG", "garage=warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start garage server");
        self.nodes[i].child = Some(child);
        wait_port(self.nodes[i].rpc, "garage rpc", Duration::from_secs(20));
        wait_port(self.nodes[i].s3, "garage s3 api", Duration::from_secs(20));
        // The others retry a lost peer with a growing backoff: connect to them now,
        // as an operator would, rather than wait for it.
        if !self.ids.is_empty() {
            for j in (0..self.nodes.len()).filter(|&j| j != i && self.is_up(j)) {
                let id = self.ids[j].clone();
                self.cli(i, &["node", "connect", &id]);
            }
        }
    }

    /// Waits until every running node has quorum for every partition (`GET /health`
    /// of its admin API is 200: reads and writes through it work). Peers learn of
    /// each other by gossip, so node 0 alone being healthy is not enough. (Garage
    /// may go on calling a restarted node "unavailable" for up to ~30 s after that,
    /// until its status exchange catches up; that costs no request.)
    pub fn wait_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ok = self
                .nodes
                .iter()
                .filter(|n| n.child.is_some())
                .all(|n| matches!(admin_health(n.admin), Some((200, _))));
            if ok {
                return;
            }
            if Instant::now() > deadline {
                let each: Vec<_> = self
                    .nodes
                    .iter()
                    .filter(|n| n.child.is_some())
                    .map(|n| admin_health(n.admin))
                    .collect();
                panic!(
                    "garage did not become healthy within 30 s: {each:?}\n{}",
                    self.cli(0, &["status"])
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// `GET /health` on the admin API at `port`: (status, body).
fn admin_health(port: u16) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let status = raw.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, raw))
}

impl Drop for Garage {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill(i);
        }
    }
}
