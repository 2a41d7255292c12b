//! Direct source tests: protocol paths answered from a test repository
//! (found by the static `.git` pattern, fetched through insteadOf), the
//! sums of what it serves, and discovery answers the egress guard refuses.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use super::*;
use crate::testgit::Lab;

struct Pages(HashMap<String, String>);

impl Fetch for Pages {
    fn get(&self, url: &str) -> impl Future<Output = Result<Vec<u8>, String>> + Send {
        let r = self
            .0
            .get(url)
            .map(|s| s.clone().into_bytes())
            .ok_or_else(|| "connection refused".to_string());
        async move { r }
    }
}

fn memory(b: DirectBody) -> String {
    match b {
        DirectBody::Memory(m) => String::from_utf8(m).unwrap(),
        DirectBody::File { .. } => panic!("file body"),
    }
}

#[tokio::test]
async fn serves_protocol_paths() {
    let lab = Lab::new();
    let mut r = lab.repo("Upper");
    r.write("go.mod", "module example.test/Upper.git\n")
        .write("a.go", "package upper\n");
    r.commit("one");
    r.tag("v1.0.0");
    r.write("b.go", "package upper\n");
    r.commit("two");
    r.tag("v1.1.0-rc.1");

    let pages = Pages(
        [(
            "https://corp.example/loop?go-get=1".to_string(),
            "<meta name=\"go-import\" content=\"corp.example/loop git https://127.0.0.1:9/loop\">"
                .to_string(),
        )]
        .into_iter()
        .collect(),
    );
    let repos = Repos::new(lab.runner(), lab.cache_dir(), Duration::from_secs(60));
    let direct = Direct::new(repos, pages, Egress::default(), "");
    let staging = tempfile::tempdir().unwrap();
    let s = staging.path();

    // Case-encoded path: !upper is Upper.
    let base = "example.test/!upper.git";
    assert_eq!(
        memory(direct.get(&format!("{base}/@v/list"), s).await.unwrap()),
        "v1.0.0\nv1.1.0-rc.1\n"
    );
    assert_eq!(
        memory(
            direct
                .get(&format!("{base}/@v/v1.0.0.info"), s)
                .await
                .unwrap()
        ),
        "{\"Version\":\"v1.0.0\",\"Time\":\"2020-09-13T13:26:40Z\"}"
    );
    assert_eq!(
        memory(
            direct
                .get(&format!("{base}/@v/v1.1.0-rc.1.mod"), s)
                .await
                .unwrap()
        ),
        "module example.test/Upper.git\n"
    );
    let latest = memory(direct.get(&format!("{base}/@latest"), s).await.unwrap());
    assert_eq!(
        latest,
        "{\"Version\":\"v1.1.0-rc.1\",\"Time\":\"2020-09-13T14:26:40Z\"}"
    );
    let DirectBody::File { path, size } = direct
        .get(&format!("{base}/@v/v1.0.0.zip"), s)
        .await
        .unwrap()
    else {
        panic!("zip in memory")
    };
    assert_eq!(std::fs::metadata(&path).unwrap().len(), size);
    assert!(path.starts_with(s));
    let sum = modgate_core::dirhash::hash_zip_file(&path).unwrap();
    assert!(sum.starts_with("h1:"), "{sum}");

    let e = direct
        .get(&format!("{base}/@v/v9.0.0.info"), s)
        .await
        .unwrap_err();
    assert!(e.not_found, "{e}");
    let e = direct
        .get(&format!("{base}/@v/v1.0.0.txt"), s)
        .await
        .unwrap_err();
    assert!(e.not_found, "{e}");
    let e = direct
        .get("example.test/nothing-here.git/@v/list", s)
        .await
        .unwrap_err();
    assert!(!e.not_found, "a git failure is not 'not found': {e}");

    // Discovery points at loopback: refused before git runs.
    let e = direct
        .get("corp.example/loop/@v/list", s)
        .await
        .unwrap_err();
    assert_eq!(
        e.message,
        "module corp.example/loop: egress refused: 127.0.0.1:9 resolves to 127.0.0.1 (loopback address)"
    );
    // And the discovery request itself is guarded.
    let e = direct.get("127.0.0.1/x/@v/list", s).await.unwrap_err();
    assert!(e.message.contains("egress refused"), "{e}");
}
