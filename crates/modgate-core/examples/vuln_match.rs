//! The vulnerability-matching benchmark behind `bench/vuln` (issue 11's target:
//! a 300-module graph against a 5,000-entry database in under 100 ms).
//!
//! A database of `ENTRIES` entries is written in the vuln.go.dev layout by the
//! core's own writer, read back from its `.json.gz` files as a reader of the
//! mirror would, and a build list of `MODULES` modules is matched against it. Prints a markdown table: best of 5 runs.
//!
//! `cargo run --release -p modgate-core --example vuln_match [ENTRIES MODULES]`

use std::time::{Duration, Instant};

use modgate_core::vulndb::{
    self, Affected, Database, Entry, Event, GO_ECOSYSTEM, Import, Package, RANGE_TYPE_SEMVER, Range,
};

/// A small deterministic generator (the same database every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn version(r: &mut Lcg) -> String {
    format!("{}.{}.{}", r.next(3), r.next(20), r.next(10))
}

fn database(entries: usize, modules: usize, r: &mut Lcg) -> Vec<Entry> {
    (0..entries)
        .map(|n| {
            let module = format!("example.com/m{:04}", r.next(modules as u64));
            let (a, b) = (version(r), version(r));
            let (lo, hi) = if vulndb::version::less(&a, &b) {
                (a, b)
            } else {
                (b, a)
            };
            let mut events = vec![Event::introduced("0"), Event::fixed(&lo)];
            if lo != hi {
                events.push(Event::introduced(&hi));
                events.push(Event::fixed(&format!("{hi}-0.20240101000000-abcdefabcdef")));
            }
            Entry {
                schema_version: "1.3.1".into(),
                id: format!("GO-2024-{n:04}"),
                modified: format!("2024-{:02}-{:02}T00:00:00Z", 1 + r.next(12), 1 + r.next(28)),
                published: Some("2024-01-01T00:00:00Z".into()),
                aliases: vec![format!("CVE-2024-{n:05}"), format!("GHSA-{n:04}-xxxx-yyyy")],
                summary: format!("vulnerability {n} in {module}"),
                details: "A vulnerability, described at some length. ".repeat(8),
                affected: vec![Affected {
                    package: Package {
                        name: module.clone(),
                        ecosystem: GO_ECOSYSTEM.into(),
                    },
                    ranges: vec![Range {
                        kind: RANGE_TYPE_SEMVER.into(),
                        events,
                    }],
                    ecosystem_specific: vulndb::osv::EcosystemSpecific {
                        imports: vec![Import {
                            path: format!("{module}/pkg"),
                            symbols: vec!["Parse".into(), "T.Method".into()],
                            ..Import::default()
                        }],
                    },
                }],
                ..Entry::default()
            }
        })
        .collect()
}

fn best(mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut out = 0;
    for _ in 0..5 {
        let start = Instant::now();
        out = f();
        times.push(start.elapsed());
    }
    (times.into_iter().min().unwrap_or_default(), out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let entries = args.first().copied().unwrap_or(5000);
    let graph = args.get(1).copied().unwrap_or(300);
    let mut r = Lcg(42);
    // Entries spread over 3x the graph's size of modules: nearly every module of the
    // graph has entries (about 4 each), a heavier load than real graphs give.
    let db_entries = database(entries, graph * 3, &mut r);
    let files = vulndb::layout(&db_entries)?;
    let gz: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter(|(n, _)| n.ends_with(".json.gz"))
        .collect();
    let gz_bytes: usize = gz.iter().map(|(_, d)| d.len()).sum();
    let build_list: Vec<(String, String)> = (0..graph)
        .map(|i| {
            (
                format!("example.com/m{i:04}"),
                format!("v{}", version(&mut r)),
            )
        })
        .collect();

    let (load, _) = best(|| Database::from_files(gz.clone()).map_or(0, |_| 1));
    let db = Database::from_files(gz.clone())?;
    let (matching, found) = best(|| {
        build_list
            .iter()
            .map(|(p, v)| db.vulnerabilities(p, v).map_or(0, |f| f.len()))
            .sum()
    });
    let in_db = build_list
        .iter()
        .filter(|(p, _)| !db.indexed(p).is_empty())
        .count();
    println!("| step | entries | modules | time (best of 5) |");
    println!("|---|---:|---:|---:|");
    println!(
        "| read the database ({:.1} MB of .json.gz: gunzip, parse, index) | {entries} | - | {:.1} ms |",
        gz_bytes as f64 / 1e6,
        load.as_secs_f64() * 1e3
    );
    println!(
        "| match the build list ({in_db} modules in the database, {found} findings) | {entries} | {graph} | {:.2} ms |",
        matching.as_secs_f64() * 1e3
    );
    println!(
        "| total (goal: matching < 100 ms) | | | {:.1} ms |",
        (load + matching).as_secs_f64() * 1e3
    );
    Ok(())
}
