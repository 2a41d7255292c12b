//! Parsing arbitrary bytes as go.mod / go.work never panics, and whatever
//! parses prints to text that parses again and prints to the same bytes
//! (the printer is a fixed point, as `go mod edit -fmt` is).
#![no_main]

use libfuzzer_sys::fuzz_target;
use modgate_core::modfile;

fuzz_target!(|data: &[u8]| {
    let _ = modfile::parse_lax("go.mod", data, None);
    if let Ok(file) = modfile::parse("go.mod", data, None) {
        let once = file.format();
        let again = modfile::parse("go.mod", &once, None).expect("formatted go.mod must parse");
        assert_eq!(again.format(), once, "format is not idempotent");
    }
    if let Ok(formatted) = modfile::format_gomod("go.mod", data) {
        let twice = modfile::format_gomod("go.mod", &formatted).expect("fmt output must parse");
        assert_eq!(twice, formatted, "go mod edit -fmt is not idempotent");
        let _ = modfile::json_gomod("go.mod", data).expect("json after successful fmt");
    }
    if let Ok(work) = modfile::parse_work("go.work", data, None) {
        let once = work.format();
        let again = modfile::parse_work("go.work", &once, None).expect("formatted go.work must parse");
        assert_eq!(again.format(), once, "go.work format is not idempotent");
    }
});
