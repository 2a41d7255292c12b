//! Checking and hashing arbitrary bytes as a module zip never panics, and no
//! entry is reported both valid and invalid. (A zip that passes the check may
//! still fail to hash: CheckZip reads only the central directory, as Go's does,
//! while hashing reads every entry's data.)
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use modgate_core::{dirhash, module, zip};

fuzz_target!(|data: &[u8]| {
    let m = module::Version {
        path: "example.com/m".to_string(),
        version: "v1.0.0".to_string(),
    };
    let (checked, _verdict) = zip::check_zip(Cursor::new(data), &m);
    for v in &checked.valid {
        assert!(
            !checked.invalid.iter().any(|e| &e.path == v),
            "{v} is both valid and invalid"
        );
    }
    let _ = dirhash::hash_zip(Cursor::new(data));
});
