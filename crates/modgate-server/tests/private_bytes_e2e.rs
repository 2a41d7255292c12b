//! A private module's `.mod` and `.zip` are stored on first fetch and byte-identical
//! on every later fetch, whatever happens to the repository: modgate in direct mode
//! serves a private module from a local git repository (reached as
//! `https://example.test/secret.git` through an `insteadOf` rule) to the real `go`
//! command, which reads it with a `.netrc` token through a TLS front.
//!
//! * Deleting modgate's stored copy and fetching again from the unchanged
//!   repository gives the same bytes: the zips direct mode builds are deterministic.
//! * The upstream list is the default's shape, `<proxy>,direct`: the private path
//!   is never sent to the proxy.
//! * Force-moving the tag to another commit changes nothing for clients: the
//!   stored `.info`, `.mod` and `.zip` are immutable, and go's `h1:` sums stay put.

mod common;

use std::path::Path;

use common::tls::tls_front;
use common::*;

const TOKEN: &str = "bytes-test-token-5d1c9e3a7b";
const MODULE: &str = "example.test/secret.git";

#[test]
fn private_module_bytes_never_change() {
    let lab = modgate_testkit::git::Lab::new();
    let gitconfig = lab.gitconfig();
    let mut repo = lab.repo("secret");
    repo.write("go.mod", &format!("module {MODULE}\n\ngo 1.21\n"))
        .write("LICENSE", "license\n")
        .write("secret.go", "package secret\n\nconst V = 1\n")
        .write("internal/x/x.go", "package x\n");
    repo.commit("c");
    repo.tag("v1.0.0");

    // The default upstream's shape (a proxy, then direct), with a local stand-in for
    // the public proxy: a private path must skip it and go direct.
    let empty = tempfile::tempdir().unwrap();
    let public_proxy = FakeUpstream::start(empty.path());
    let spec = || {
        let mut spec = ServerSpec::new(&format!("{},direct", public_proxy.url()));
        spec.config.git_config = Some(gitconfig.clone());
        spec.config.private = "example.test".into();
        spec.config.tokens = vec![token("ci", TOKEN, "example.test")];
        spec
    };
    let server = start(spec());
    let ca = lab.path().join("ca.pem");
    let front = tls_front(server.addr, &ca);
    let netrc = lab.path().join("netrc");
    std::fs::write(
        &netrc,
        format!("machine {front} login x password {TOKEN}\n"),
    )
    .unwrap();
    let work = lab.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("go.mod"), "module work\n\ngo 1.21\n").unwrap();

    // go mod download in a fresh module cache: (Sum, GoModSum).
    let download = |name: &str| -> Option<(String, String)> {
        let mut cmd = go(&lab.path().join(name), &format!("https://{front}"))?;
        cmd.current_dir(&work)
            .env("SSL_CERT_FILE", &ca)
            .env("GOAUTH", "netrc")
            .env("NETRC", &netrc)
            .env("GONOSUMDB", "example.test")
            .args(["mod", "download", "-json", &format!("{MODULE}@v1.0.0")]);
        let out = run_ok(&mut cmd);
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(j["Error"].is_null(), "{j}");
        Some((
            j["Sum"].as_str().unwrap().to_owned(),
            j["GoModSum"].as_str().unwrap().to_owned(),
        ))
    };
    let c = http();
    let files_from = |base: &str, what: &str| -> Vec<Vec<u8>> {
        ["info", "mod", "zip"]
            .iter()
            .map(|ext| {
                let r = c
                    .get(format!("{base}/{MODULE}/@v/v1.0.0.{ext}"))
                    .bearer_auth(TOKEN)
                    .send()
                    .unwrap();
                assert_eq!(r.status(), 200, "{what}: .{ext}");
                r.bytes().unwrap().to_vec()
            })
            .collect()
    };
    let files = |what: &str| files_from(&server.url(), what);
    let stored = |data: &Path| -> Vec<String> {
        stored_files(data)
            .into_iter()
            .filter(|f| f.starts_with("example.test/secret.git/@v/v1.0.0."))
            // The module files, not the hashes recorded beside them.
            .filter(|f| !f.ends_with("hash"))
            .collect()
    };

    let Some(first_sums) = download("first") else {
        return;
    };
    let first = files("first fetch");
    assert_eq!(stored(&server.data).len(), 3, "{:?}", stored(&server.data));

    // 1. Modgate loses its copy; the repository is unchanged: the same bytes again.
    for f in stored(&server.data) {
        std::fs::remove_file(server.data.join(f)).unwrap();
    }
    assert!(stored(&server.data).is_empty());
    assert_eq!(download("after-delete"), Some(first_sums.clone()));
    assert_eq!(files("refetch after delete"), first, "rebuilt files differ");
    // And another modgate process with its own storage builds the same bytes.
    let other = start(spec());
    assert_eq!(files_from(&other.url(), "other server"), first);
    drop(other);

    // 2. The tag is force-moved to a commit with other content and another go.mod.
    let old = repo.git(&["rev-parse", "v1.0.0"]);
    repo.write("go.mod", &format!("module {MODULE}\n\ngo 1.22\n"))
        .write("secret.go", "package secret\n\nconst V = 2\n");
    repo.commit("c");
    repo.git(&["tag", "-f", "v1.0.0"]);
    assert_ne!(repo.git(&["rev-parse", "v1.0.0"]), old);
    // A modgate that never saw the old tag serves the new content: the move is real.
    let fresh = start(spec());
    let moved = files_from(&fresh.url(), "fresh server after the move");
    assert_ne!(moved[1], first[1], ".mod of the moved tag");
    assert_ne!(moved[2], first[2], ".zip of the moved tag");
    drop(fresh);
    assert_eq!(download("after-move"), Some(first_sums));
    assert_eq!(files("after the tag moved"), first, "stored files changed");
    assert_eq!(
        public_proxy.total_hits(),
        0,
        "a private path reached the proxy"
    );
}
