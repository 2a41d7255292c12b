//! Unescaping a case-encoded module path or version never panics, and
//! whatever unescapes escapes back to exactly the input (the encoding is a
//! bijection on valid paths, which the proxy relies on to map URLs to storage).
#![no_main]

use libfuzzer_sys::fuzz_target;
use modgate_core::module;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(path) = module::unescape_path(text) {
        module::check_path(&path).expect("unescape_path returned an invalid path");
        assert_eq!(module::escape_path(&path).expect("escape_path"), text);
    }
    if let Ok(version) = module::unescape_version(text) {
        assert_eq!(module::escape_version(&version).expect("escape_version"), text);
    }
});
