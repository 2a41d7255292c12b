//! A 200 MiB object through a real S3 server (s3s-fs; skipped without it unless
//! `MODGATE_REQUIRE_S3=1`): up in a multipart upload from a spooled file, down as a
//! stream and as a ranged stream, while this process's peak resident memory
//! (`VmHWM`) stays far below the object's size. Alone in its test binary, so the
//! peak is this test's.

use std::io::Write;
use std::time::Instant;

use modgate_storage::{Key, LocalTier, Storage, open_with_spool};
use modgate_testkit::s3::S3;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

const SIZE: u64 = 200 << 20;

/// Peak resident set size of this process, in bytes (Linux).
fn vm_hwm() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Deterministic incompressible-looking bytes, written in 1 MiB blocks.
fn block(i: u64) -> Vec<u8> {
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..(1 << 20) / 8)
        .flat_map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()
        })
        .collect()
}

/// Reads a body to its end, hashing it; returns (bytes, sha256).
async fn drain(mut r: impl tokio::io::AsyncRead + Unpin) -> (u64, [u8; 32]) {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        let m = r.read(&mut buf).await.unwrap();
        if m == 0 {
            break;
        }
        n += m as u64;
        h.update(&buf[..m]);
    }
    (n, h.finalize().into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_mib_up_and_down_in_bounded_memory() {
    let Some(server) = S3::start() else { return };
    server.create_bucket("large");
    let work = tempfile::tempdir().unwrap();
    let spool = work.path().join("spool");
    let store = open_with_spool("s3://large/p", &server.options(), Some(&spool))
        .await
        .unwrap();

    // The source file, written block by block, and its hash and middle range's hash.
    let src = spool.join(".tmp-source");
    let mut whole = Sha256::new();
    let mut middle = Sha256::new();
    let (r_off, r_len) = (50u64 << 20, 64u64 << 20);
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&src).unwrap());
        for i in 0..(SIZE >> 20) {
            let b = block(i);
            let start = i << 20;
            let (lo, hi) = (r_off.max(start), (r_off + r_len).min(start + (1 << 20)));
            if lo < hi {
                middle.update(&b[(lo - start) as usize..(hi - start) as usize]);
            }
            whole.update(&b);
            f.write_all(&b).unwrap();
        }
        f.flush().unwrap();
    }
    let (whole, middle): ([u8; 32], [u8; 32]) = (whole.finalize().into(), middle.finalize().into());
    let before = vm_hwm().unwrap_or(0);

    let key = Key::new("example.com/huge/@v/v1.0.0.zip").unwrap();
    let t = Instant::now();
    let mut up = store.upload(&key).await.unwrap();
    up.write_file(src.clone()).await.unwrap();
    let meta = up.commit().await.unwrap();
    let up_time = t.elapsed();
    assert_eq!(meta.size, SIZE);
    let hex: String = whole.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(meta.etag, format!("\"sha256-{hex}\""));
    assert!(!src.exists(), "the spooled file was taken over and removed");

    let t = Instant::now();
    let obj = store.get(&key).await.unwrap().unwrap();
    assert_eq!(obj.meta.etag, meta.etag);
    assert_eq!(drain(obj.body.into_reader()).await, (SIZE, whole));
    let down_time = t.elapsed();

    let obj = store.get_range(&key, r_off, r_len).await.unwrap().unwrap();
    assert_eq!(obj.meta.size, SIZE);
    assert_eq!(drain(obj.body.into_reader()).await, (r_len, middle));

    // Through a local tier: filled by streaming to disk, then served from there.
    let tier = LocalTier::open(store.clone(), work.path().join("tier"), 1 << 30).unwrap();
    let obj = tier.get(&key).await.unwrap().unwrap();
    assert_eq!(obj.meta.etag, meta.etag);
    assert_eq!(drain(obj.body.into_reader()).await, (SIZE, whole));
    assert_eq!(tier.stats().bytes, SIZE);

    let peak_single = vm_hwm().unwrap_or(0);

    // A burst: 8 uploads of 20 MiB at once (each a multipart upload holding up to two
    // 8 MiB parts) stay within the store's upload memory budget.
    let t = Instant::now();
    let uploads: Vec<_> = (0..8u64)
        .map(|u| {
            let store = store.clone();
            let spool = spool.clone();
            tokio::spawn(async move {
                let src = spool.join(format!(".tmp-burst-{u}"));
                let mut h = Sha256::new();
                {
                    let mut f = std::io::BufWriter::new(std::fs::File::create(&src).unwrap());
                    for i in 0..20 {
                        let b = block(1000 + u * 100 + i);
                        h.update(&b);
                        f.write_all(&b).unwrap();
                    }
                    f.flush().unwrap();
                }
                let key = Key::new(format!("example.com/burst/@v/v1.0.{u}.zip")).unwrap();
                let mut up = store.upload(&key).await.unwrap();
                up.write_file(src).await.unwrap();
                let meta = up.commit().await.unwrap();
                let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
                assert_eq!(meta.etag, format!("\"sha256-{hex}\""));
                assert_eq!(meta.size, 20 << 20);
                key
            })
        })
        .collect();
    for u in uploads {
        let key = u.await.unwrap();
        assert!(store.delete(&key).await.unwrap());
    }
    let burst_time = t.elapsed();

    let peak = vm_hwm().unwrap_or(0);
    eprintln!(
        "200 MiB: up {:.1} s, down {:.1} s; 8 x 20 MiB at once: {:.1} s; peak RSS {} MiB before, {} MiB after one, {} MiB after the burst",
        up_time.as_secs_f64(),
        down_time.as_secs_f64(),
        burst_time.as_secs_f64(),
        before >> 20,
        peak_single >> 20,
        peak >> 20
    );
    if peak > 0 {
        assert!(
            peak < 100 << 20,
            "peak RSS {} MiB for a {} MiB object",
            peak >> 20,
            SIZE >> 20
        );
    }
    assert!(store.delete(&key).await.unwrap());
}
