//! Checking and hashing arbitrary bytes as a module zip never panics and never
//! reports more files than the archive has entries. (A name can rightly be
//! both valid and invalid: with a duplicated entry, Go lists the first copy
//! as valid and the second as "multiple entries". And a zip that passes the
//! check may still fail to hash: CheckZip reads only the central directory,
//! as Go's does, while hashing reads every entry's data.)
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
    // Every reported file is an entry of the central directory, and each
    // entry is reported at most once; an entry has at least 46 bytes there.
    let reported = checked.valid.len() + checked.omitted.len() + checked.invalid.len();
    assert!(reported <= data.len() / 46, "{reported} files reported from {} bytes", data.len());
    let _ = dirhash::hash_zip(Cursor::new(data));
});
