//! The fault lab: two network namespaces joined by a veth pair, built fresh
//! for each test. The doctor runs in the client namespace (a thread that
//! `setns`es into it, so it inherits nothing but that namespace); the servers
//! the test needs (DNS, TLS/HTTP, proxy, git, sshd) run in the server
//! namespace; nftables rules inside the namespaces drop or reject traffic.
//! Addresses are private to the namespaces: client 10.77.0.1 / fd00:77::1,
//! server 10.77.0.2-9 / fd00:77::2-9. Nothing ever leaves this machine: the
//! namespaces have no route anywhere else.
//!
//! Without root or `ip`, [`Lab::new`] prints why and returns `None` (the test
//! returns), unless `MODGATE_REQUIRE_LAB=1`, which turns that into a failure.

#![allow(dead_code)]

pub mod certs;
pub mod servers;

use std::future::Future;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use modgate_doctor::{Env, Options, Report};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub const CLIENT4: &str = "10.77.0.1";
pub const CLIENT6: &str = "fd00:77::1";

/// Server-side address number `n` (2..=9), IPv4.
pub fn s4(n: u8) -> IpAddr {
    IpAddr::from([10, 77, 0, n])
}

/// Server-side address number `n` (2..=9), IPv6.
pub fn s6(n: u8) -> IpAddr {
    format!("fd00:77::{n}").parse().expect("literal")
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

pub struct Lab {
    pub client: String,
    pub server: String,
    pub dir: tempfile::TempDir,
    children: Vec<Child>,
    threads: Vec<(
        std::thread::JoinHandle<()>,
        tokio::sync::oneshot::Sender<()>,
    )>,
}

fn can_run() -> Result<(), String> {
    if !nix_is_root() {
        return Err("not running as root".into());
    }
    for tool in ["ip", "nft"] {
        let ok = Command::new(tool)
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        if !ok {
            return Err(format!(
                "`{tool}` not found (scripts/lib/ensure-lab.sh installs it)"
            ));
        }
    }
    Ok(())
}

fn nix_is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

fn run(args: &[&str]) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Lab {
    /// Builds the two namespaces, or explains why it cannot.
    pub fn new(test: &str) -> Option<Lab> {
        if let Err(why) = can_run() {
            if std::env::var("MODGATE_REQUIRE_LAB").as_deref() == Ok("1") {
                panic!("fault lab required (MODGATE_REQUIRE_LAB=1) but unavailable: {why}");
            }
            eprintln!("skipping lab test {test}: {why}");
            return None;
        }
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let id = format!("{}x{n}", std::process::id());
        let (client, server) = (format!("mgdc{id}"), format!("mgds{id}"));
        run(&["ip", "netns", "add", &client]);
        run(&["ip", "netns", "add", &server]);
        let lab = Lab {
            client,
            server,
            dir: tempfile::tempdir().expect("tempdir"),
            children: Vec::new(),
            threads: Vec::new(),
        };
        let (c, s) = (lab.client.as_str(), lab.server.as_str());
        run(&[
            "ip", "-n", c, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
            "netns", s,
        ]);
        for (ns, dev) in [(c, "veth0"), (s, "veth1")] {
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
            run(&["ip", "-n", ns, "link", "set", dev, "up"]);
        }
        run(&[
            "ip",
            "-n",
            c,
            "addr",
            "add",
            &format!("{CLIENT4}/24"),
            "dev",
            "veth0",
        ]);
        run(&[
            "ip",
            "-n",
            c,
            "addr",
            "add",
            &format!("{CLIENT6}/64"),
            "dev",
            "veth0",
            "nodad",
        ]);
        for i in 2..=9u8 {
            run(&[
                "ip",
                "-n",
                s,
                "addr",
                "add",
                &format!("{}/24", s4(i)),
                "dev",
                "veth1",
            ]);
            run(&[
                "ip",
                "-n",
                s,
                "addr",
                "add",
                &format!("{}/64", s6(i)),
                "dev",
                "veth1",
                "nodad",
            ]);
        }
        std::fs::write(lab.path("hosts"), "127.0.0.1 localhost\n").expect("hosts");
        std::fs::write(lab.path("gitconfig"), "").expect("gitconfig");
        Some(lab)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn ns(&self, side: Side) -> &str {
        match side {
            Side::Client => &self.client,
            Side::Server => &self.server,
        }
    }

    /// Loads an nftables ruleset into a namespace.
    pub fn nft(&self, side: Side, ruleset: &str) {
        let f = self.path(&format!(
            "nft-{}.conf",
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::write(&f, ruleset).expect("write ruleset");
        run(&[
            "ip",
            "netns",
            "exec",
            self.ns(side),
            "nft",
            "-f",
            &f.to_string_lossy(),
        ]);
    }

    /// Adds rules to an input-hook filter chain in a namespace.
    pub fn nft_input(&self, side: Side, rules: &[&str]) {
        let body: String = rules.iter().map(|r| format!("    {r}\n")).collect();
        self.nft(
            side,
            &format!("table inet lab {{\n  chain input {{\n    type filter hook input priority 0;\n{body}  }}\n}}\n"),
        );
    }

    /// Runs `make()`'s future on a thread inside the server namespace until
    /// the lab is dropped. Sockets it binds live in that namespace.
    pub fn serve<F, Fut>(&mut self, make: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
        let ns = self.server.clone();
        let h = std::thread::spawn(move || {
            enter(&ns);
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let local = tokio::task::LocalSet::new();
            local.block_on(&rt, async move {
                let mut fut = std::pin::pin!(make());
                // Poll the server once first, so that its sockets are bound
                // before the test goes on.
                tokio::select! {
                    biased;
                    _ = &mut fut => {}
                    _ = tokio::task::yield_now() => {}
                }
                let _ = ready_tx.send(());
                tokio::select! {
                    _ = fut => {}
                    _ = rx => {}
                }
            });
        });
        let _ = ready_rx.recv_timeout(Duration::from_secs(5));
        self.threads.push((h, tx));
    }

    /// Starts a process inside a namespace; it is killed when the lab drops.
    pub fn spawn(&mut self, side: Side, args: &[&str]) {
        let child = Command::new("ip")
            .args(["netns", "exec", self.ns(side)])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        self.children.push(child);
    }

    /// Writes the hosts file that processes started with [`Lab::spawn`] in
    /// the server namespace see (`ip netns exec` mounts
    /// `/etc/netns/<ns>/hosts` over `/etc/hosts`): how a SOCKS5 server there
    /// resolves the lab's names, which no system resolver knows.
    pub fn server_hosts(&self, entries: &[(&str, IpAddr)]) {
        let dir = PathBuf::from(format!("/etc/netns/{}", self.server));
        std::fs::create_dir_all(&dir).expect("mkdir /etc/netns/<ns>");
        let text: String = std::iter::once("127.0.0.1 localhost\n".to_string())
            .chain(entries.iter().map(|(n, ip)| format!("{ip} {n}\n")))
            .collect();
        std::fs::write(dir.join("hosts"), text).expect("write netns hosts");
    }

    /// Waits (up to 5 s) until something accepts TCP connections at `addr`
    /// inside the namespace.
    pub fn wait_listening(&self, side: Side, addr: std::net::SocketAddr) {
        let ns = self.ns(side).to_string();
        let ok = std::thread::spawn(move || {
            enter(&ns);
            for _ in 0..100 {
                if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            false
        })
        .join()
        .unwrap_or(false);
        assert!(ok, "nothing listens at {addr}");
    }

    /// Writes the client's resolv.conf (one `nameserver` per address).
    pub fn resolv_conf(&self, servers: &[IpAddr]) -> PathBuf {
        let p = self.path("resolv.conf");
        let text: String = servers
            .iter()
            .map(|s| format!("nameserver {s}\n"))
            .collect();
        std::fs::write(&p, text).expect("resolv.conf");
        p
    }

    /// An environment like a user's, pointing at the lab: no `go` lookups,
    /// a private HOME, the lab's resolv.conf and hosts file.
    pub fn env(&self) -> Env {
        let home = self.path("home");
        let _ = std::fs::create_dir_all(&home);
        Env::from_pairs([
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("HOME", home.to_string_lossy().into_owned()),
            ("GOENV", "off".to_string()),
            (
                "MODGATE_RESOLV_CONF",
                self.path("resolv.conf").to_string_lossy().into_owned(),
            ),
            (
                "MODGATE_HOSTS",
                self.path("hosts").to_string_lossy().into_owned(),
            ),
            ("GIT_CONFIG_NOSYSTEM", "1".to_string()),
            (
                "GIT_CONFIG_GLOBAL",
                self.path("gitconfig").to_string_lossy().into_owned(),
            ),
        ])
    }

    /// Runs the doctor inside the client namespace.
    pub fn doctor(&self, env: Env, module: Option<&Path>) -> Report {
        let ns = self.client.clone();
        let mut opts = Options::new(env);
        opts.use_go_env = false;
        opts.module_dir = module.map(Path::to_path_buf);
        std::thread::spawn(move || {
            enter(&ns);
            modgate_doctor::diagnose_blocking(&opts)
        })
        .join()
        .expect("doctor thread")
    }
}

/// Moves the calling thread into a network namespace.
pub fn enter(ns: &str) {
    let f = std::fs::File::open(format!("/run/netns/{ns}")).expect("open netns");
    nix::sched::setns(&f, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
}

impl Drop for Lab {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for (h, tx) in self.threads.drain(..) {
            let _ = tx.send(());
            let _ = h.join();
        }
        for ns in [&self.client, &self.server] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
            let _ = std::fs::remove_dir_all(format!("/etc/netns/{ns}"));
        }
        // Only removed when empty: another lab may be using it.
        let _ = std::fs::remove_dir("/etc/netns");
    }
}

/// Asserts a finding with `code` about `target` exists and has a fix;
/// returns it. On failure, prints the whole report.
pub fn expect<'a>(r: &'a Report, code: &str, target: &str) -> &'a modgate_doctor::finding::Finding {
    let found = r
        .findings
        .iter()
        .find(|f| f.code.as_str() == code && f.target == target);
    match found {
        Some(f) => {
            assert!(
                !f.fix.is_empty(),
                "{code} for {target} has no fix:\n{}",
                r.to_text()
            );
            assert!(!f.summary.is_empty());
            f
        }
        None => panic!("expected {code} for {target}; report:\n{}", r.to_text()),
    }
}

/// docs/doctor.md: fix lines are commands to paste (a trailing `# ...` says
/// when one applies); an instruction no command can carry out is a line that
/// is only a comment.
pub fn fix_lines_are_commands(r: &Report) {
    const COMMANDS: &[&str] = &[
        "go",
        "export",
        "unset",
        "sudo",
        "cat",
        "printf",
        "ssh",
        "ssh-add",
        "ssh-keyscan",
        "git",
        "date",
        "dig",
        "getent",
        "echo",
        "env",
        "networksetup",
    ];
    for f in &r.findings {
        for line in &f.fix {
            let first = line.split_whitespace().next().unwrap_or("");
            assert!(
                line.starts_with("# ") || COMMANDS.contains(&first),
                "{}: fix line is neither a command nor a comment: {line:?}",
                f.code
            );
        }
    }
}

/// Asserts no finding of at least `Degraded` severity exists.
/// (`config.sumdb-off` is ignored: most lab tests turn the checksum database
/// off on purpose, to isolate the endpoint under test.)
pub fn expect_clean(r: &Report) {
    let bad: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.severity >= modgate_doctor::finding::Severity::Degraded)
        .filter(|f| f.code != modgate_doctor::finding::Code::SumdbOff)
        .collect();
    assert!(bad.is_empty(), "false alarm(s):\n{}", r.to_text());
}
