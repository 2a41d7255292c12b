//! Parsing arbitrary bytes as go.mod / go.work never panics, and printing is
//! a fixed point: printed text that parses again prints to the same bytes.
//!
//! Printed text need not parse again: Go's own printer turns `retract ""` into
//! a bare `retract` that its parser rejects (`go mod edit -fmt` does exactly
//! that, and modgate matches it byte for byte), so only idempotence of the
//! plain printer is asserted.
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
    // `go mod edit -fmt` itself is not idempotent (sorting moves a blank line
    // with the entry it precedes, so a second run can drop it): only check
    // that it never panics and that -json accepts what -fmt accepts.
    if modfile::format_gomod("go.mod", data).is_ok() {
        modfile::json_gomod("go.mod", data).expect("json must succeed where fmt does");
    }
    if let Ok(work) = modfile::parse_work("go.work", data, None) {
        let once = work.format();
        if let Ok(again) = modfile::parse_work("go.work", &once, None) {
            assert_eq!(again.format(), once, "go.work format is not idempotent");
        }
    }
});
