//! Checking and hashing arbitrary bytes as a module zip never panics, every
//! entry lands in exactly one of valid / omitted / invalid, and a zip that
//! passes the check can be hashed.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use modgate_core::{dirhash, module, zip};

fuzz_target!(|data: &[u8]| {
    let m = module::Version {
        path: "example.com/m".to_string(),
        version: "v1.0.0".to_string(),
    };
    let (checked, verdict) = zip::check_zip(Cursor::new(data), &m);
    for v in &checked.valid {
        assert!(
            !checked.invalid.iter().any(|e| &e.path == v),
            "{v} is both valid and invalid"
        );
    }
    let hashed = dirhash::hash_zip(Cursor::new(data));
    if verdict.is_ok() {
        hashed.expect("a zip that passes CheckZip must hash");
    }
});
