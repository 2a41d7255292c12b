//! Fixtures shared by the crate's unit tests.

use bytes::Bytes;

/// The zip of `ex.com/m@v1.0.0`, made by the core's writer, holding its go.mod and
/// `len` bytes of incompressible text (xorshift from `seed`), with its h1 sum.
pub(crate) fn noisy_module_zip(len: usize, seed: u64) -> (Bytes, String) {
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("go.mod"), "module ex.com/m\n").unwrap();
    let mut x = seed;
    let text: String = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'!' + (x % 90) as u8)
        })
        .collect();
    std::fs::write(src.path().join("data.txt"), text).unwrap();
    let m = modgate_core::module::Version {
        path: "ex.com/m".into(),
        version: "v1.0.0".into(),
    };
    let mut out = std::io::Cursor::new(Vec::new());
    let sum = modgate_core::zip::create_from_dir(&mut out, &m, src.path())
        .unwrap()
        .sum;
    (Bytes::from(out.into_inner()), sum)
}
