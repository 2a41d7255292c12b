//! Parsing arbitrary bytes as go.mod / go.work never panics, and printing is
//! a fixed point: printed text that parses again prints to the same bytes.
//!
//! Printed text need not parse again: Go's own printer turns `retract ""` into
//! a bare `retract` that its parser rejects (`go mod edit -fmt` does exactly
//! that, and modgate matches it byte for byte), so only idempotence is asserted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use modgate_core::modfile;

fuzz_target!(|data: &[u8]| {
    let _ = modfile::parse_lax("go.mod", data, None);
    if let Ok(file) = modfile::parse("go.mod", data, None) {
        let once = file.format();
        if let Ok(again) = modfile::parse("go.mod", &once, None) {
            assert_eq!(again.format(), once, "format is not idempotent");
        }
    }
    if let Ok(formatted) = modfile::format_gomod("go.mod", data) {
        if let Ok(twice) = modfile::format_gomod("go.mod", &formatted) {
            assert_eq!(twice, formatted, "go mod edit -fmt is not idempotent");
        }
        modfile::json_gomod("go.mod", data).expect("json must succeed where fmt does");
    }
    if let Ok(work) = modfile::parse_work("go.work", data, None) {
        let once = work.format();
        if let Ok(again) = modfile::parse_work("go.work", &once, None) {
            assert_eq!(again.format(), once, "go.work format is not idempotent");
        }
    }
});
