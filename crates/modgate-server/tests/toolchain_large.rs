//! A toolchain-sized zip through modgate (Athens answers 504 on these, athens#2152):
//! 150 MiB of incompressible content from an HTTP upstream, verified against the
//! checksum database, stored and served to the real go command, which switches to it;
//! then served again from storage to a fresh module cache. The zip streams at every
//! step, so the whole process (modgate, the upstream and the database) peaks far below
//! the zip's size. Alone in its test binary so that the peak is this test's.

mod common;

use std::time::Instant;

use common::toolchain::{self, MODULE};
use common::*;

const DB: &str = "sum.test.example";
const SIZE: usize = 150 << 20;
/// What the process may peak at (its resident set, /proc/self/status VmHWM).
const MAX_PEAK: u64 = 100 << 20;

#[test]
fn a_150_mib_toolchain_streams_through_modgate() {
    let Some(platform) = toolchain::platform() else {
        return;
    };
    let name = "go1.99.1";
    let version = toolchain::version(name, &platform);
    let src = tempfile::tempdir().unwrap();
    toolchain::tree(src.path());
    // Where a real distribution keeps its large binaries.
    modgate_testkit::write_noise(
        &src.path().join("pkg/tool/any/compile"),
        SIZE,
        0x9e37_79b9_7f4a_7c15,
    );
    let t = Instant::now();
    let mut fx = Fixture::new();
    fx.add_tree(MODULE, &version, src.path());
    drop(src);
    let zip = fx.root().join(format!("{MODULE}/@v/{version}.zip"));
    let zip_size = std::fs::metadata(&zip).unwrap().len();
    assert!(zip_size > SIZE as u64, "incompressible: {zip_size}");
    eprintln!("fixture zip of {zip_size} bytes built in {:?}", t.elapsed());

    let db = TestSumdb::start(DB, &fx);
    let (upstream, _thread) = serve_tree(fx.root());
    let mut spec = ServerSpec::new(&format!("http://{upstream}"));
    spec.config.sumdb = db.gosumdb();
    let server = start(spec);

    // Cold: modgate downloads, verifies and stores the zip, then serves it.
    let home = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let mut cmd = toolchain::switch(home.path(), &server.url(), &db.vkey, name).unwrap();
    toolchain::assert_ran(&run(&mut cmd), home.path(), name, &version);
    let cold = t.elapsed();
    let stored = server.data.join(format!("{MODULE}/@v/{version}.zip"));
    assert_eq!(std::fs::metadata(&stored).unwrap().len(), zip_size);
    drop(home);

    // Warm: from storage, to a fresh module cache.
    let home = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let mut cmd = toolchain::switch(home.path(), &server.url(), &db.vkey, name).unwrap();
    toolchain::assert_ran(&run(&mut cmd), home.path(), name, &version);
    let warm = t.elapsed();

    let peak = modgate_testkit::peak_rss(None);
    eprintln!(
        "go switch to a {zip_size}-byte toolchain: cold {cold:?}, from modgate's storage {warm:?}; test process peak RSS {} MiB",
        peak >> 20
    );
    assert!(
        peak < MAX_PEAK,
        "peak RSS {} MiB: the zip was buffered",
        peak >> 20
    );
}
