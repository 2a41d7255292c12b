//! `Fetcher::zip_file` through a `file://` GOPROXY: just fetched, a zip is read
//! from the stored file; found in the store, a small one comes back as the bytes
//! the store read, a large one (over the store's 64 KiB in-memory limit) as the
//! stored file itself; all read back byte for byte as published.

use std::io::Read;
use std::path::Path;

use modgate_core::module::Version;
use modgate_project::fetch::ZipReader;
use modgate_project::{Fetcher, GoSettings, Store};

/// Publishes `path@version` with one Go file and `extra` bytes of noise (stored
/// uncompressible, so the zip is at least that large); returns the zip's bytes.
fn publish(root: &Path, path: &str, version: &str, extra: usize) -> Vec<u8> {
    let src = tempfile::tempdir().unwrap();
    let gomod = format!("module {path}\n\ngo 1.21\n");
    std::fs::write(src.path().join("go.mod"), &gomod).unwrap();
    std::fs::write(src.path().join("p.go"), "package p\n").unwrap();
    // A linear congruential generator: deterministic noise.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise: Vec<u8> = (0..extra)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 56) as u8
        })
        .collect();
    std::fs::write(src.path().join("noise.bin"), noise).unwrap();
    let dir = root.join(path).join("@v");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{version}.mod")), &gomod).unwrap();
    std::fs::write(
        dir.join(format!("{version}.info")),
        format!("{{\"Version\":\"{version}\",\"Time\":\"2026-01-02T03:04:05Z\"}}"),
    )
    .unwrap();
    let zip = dir.join(format!("{version}.zip"));
    modgate_core::zip::create_from_dir(
        std::fs::File::create(&zip).unwrap(),
        &Version::new(path, version),
        src.path(),
    )
    .unwrap();
    std::fs::write(dir.join("list"), format!("{version}\n")).unwrap();
    std::fs::read(zip).unwrap()
}

fn settings(proxy: &str) -> GoSettings {
    let vars = [
        ("GOENV", "off".to_owned()),
        ("GOPROXY", proxy.to_owned()),
        ("GOSUMDB", "off".to_owned()),
    ];
    GoSettings::from_env(&move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_zips_from_memory_large_ones_from_the_stored_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("proxy");
    let small = publish(&root, "example.com/small", "v1.0.0", 1000);
    let large = publish(&root, "example.com/large", "v1.0.0", 200 * 1024);
    assert!(small.len() < 64 * 1024 && large.len() > 64 * 1024);
    let s = settings(&format!("file://{}", root.display()));
    let store = tmp.path().join("store");
    for round in ["fetched", "stored"] {
        let fetcher = Fetcher::new(&s, Store::Dir(store.clone())).unwrap();
        for (path, want, in_memory) in [
            ("example.com/small", &small, true),
            ("example.com/large", &large, false),
        ] {
            let mut z = fetcher
                .zip_file(&Version::new(path, "v1.0.0"))
                .await
                .unwrap();
            let memory = round == "stored" && in_memory;
            assert_eq!(
                matches!(z, ZipReader::Memory(_)),
                memory,
                "{path} ({round})"
            );
            let mut got = Vec::new();
            z.read_to_end(&mut got).unwrap();
            assert!(got == *want, "{path} ({round}): other bytes");
            std::io::Seek::rewind(&mut z).unwrap();
            assert_eq!(
                modgate_core::dirhash::hash_zip(&mut z).unwrap(),
                modgate_core::dirhash::hash_zip(std::io::Cursor::new(want)).unwrap()
            );
        }
    }
}
