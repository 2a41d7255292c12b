//! Bad input never panics: every corpus file of the oracle test, mutated many
//! times with a fixed-seed generator, goes through every entry point.

use super::super::*;

/// xorshift64*: a small deterministic generator (no dependency needed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const PIECES: &[&[u8]] = &[
    b"(",
    b")",
    b"( )",
    b"[",
    b"]",
    b",",
    b"{",
    b"}",
    b"\"",
    b"`",
    b"'",
    b"\\",
    b"//",
    b"/*",
    b"\n",
    b"\r\n",
    b"\r",
    b"\t",
    b" ",
    b"=>",
    b"\xff",
    b"\xe2\x82",
    b"\x00",
    b"\x0b",
    "\u{a0}".as_bytes(),
    b"module",
    b"go",
    b"toolchain",
    b"godebug",
    b"require",
    b"exclude",
    b"replace",
    b"retract",
    b"tool",
    b"ignore",
    b"use",
    b"v1.2.3",
    b"v2.0.0+incompatible",
    b"1.21",
    b"go1.21.0",
    b"// indirect",
    b"// Deprecated: x",
    b"./dir",
    b"x.com/m/v2",
    b"gopkg.in/y.v3",
    b"a=b",
];

fn mutate(rng: &mut Rng, data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(5) {
            0 => {
                let piece = PIECES[rng.below(PIECES.len())];
                out.splice(at..at, piece.iter().copied());
            }
            1 if at < out.len() => {
                let end = (at + 1 + rng.below(12)).min(out.len());
                out.drain(at..end);
            }
            2 if at < out.len() => out[at] = (rng.next() & 0xff) as u8,
            3 => {
                let start = rng.below(out.len() + 1);
                let end = (start + rng.below(40)).min(out.len());
                let copy = out[start..end].to_vec();
                out.splice(at..at, copy);
            }
            _ => out.truncate(at),
        }
    }
    out
}

fn exercise(data: &[u8]) {
    let _ = parse_syntax("go.mod", data).map(|fs| format(&fs));
    let _ = format_gomod("go.mod", data);
    let _ = json_gomod("go.mod", data);
    let _ = format_gowork("go.work", data);
    let _ = json_gowork("go.work", data);
    let _ = module_path(data);
    if let Ok(mut f) = parse_lax("go.mod", data, None) {
        f.sort_blocks();
        f.cleanup();
        let _ = f.format();
        let _ = gomod_json_value(&f);
    }
    let fix = |_: &str, v: &str| -> Result<String, FixError> {
        if v.len().is_multiple_of(2) {
            Ok(format!("v{v}"))
        } else {
            Err(FixError::Module(v.to_string()))
        }
    };
    if let Ok(mut f) = parse("go.mod", data, Some(&fix)) {
        f.add_require("x.com/new", "v1.0.0");
        f.drop_require("x.com/new");
        f.set_require(&[(crate::module::Version::new("a.com/a", "v1.0.0"), true)]);
        f.cleanup();
        let _ = f.format();
    }
}

#[test]
fn mutated_corpus_never_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/modfile");
    let mut inputs = Vec::new();
    for sub in ["gomod", "gowork"] {
        for e in std::fs::read_dir(dir.join(sub)).expect("corpus directory") {
            inputs.push(std::fs::read(e.expect("dir entry").path()).expect("corpus file"));
        }
    }
    assert!(inputs.len() >= 95, "corpus not found");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut n = 0;
    for data in &inputs {
        exercise(data);
        for _ in 0..25 {
            exercise(&mutate(&mut rng, data));
            n += 1;
        }
    }
    // Pure noise too.
    for len in 0..300 {
        let noise: Vec<u8> = (0..len)
            .map(|_| PIECES[rng.below(PIECES.len())][0])
            .collect();
        exercise(&noise);
        n += 1;
    }
    assert!(n > 5000);
}
