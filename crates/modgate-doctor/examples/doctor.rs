//! Runs the doctor on this machine's settings: `cargo run -p modgate-doctor
//! --example doctor [-- --json] [--module DIR]`. (The real command is
//! `modgate doctor`; this is for working on the crate without the CLI.)

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts = modgate_doctor::Options::new(modgate_doctor::Env::from_process());
    if let Some(i) = args.iter().position(|a| a == "--module") {
        opts.module_dir = args.get(i + 1).map(std::path::PathBuf::from);
    }
    let report = modgate_doctor::diagnose_blocking(&opts);
    if args.iter().any(|a| a == "--json") {
        println!("{}", report.to_json_string());
    } else {
        print!("{}", report.to_text());
    }
    std::process::exit(report.exit_code());
}
