//! `modgate zip create|hash|check|extract`: module zips.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use modgate_core::{dirhash, module, zip as modzip};

use super::module_version;
use crate::cli::ZipCommand;

pub fn run(cmd: ZipCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ZipCommand::Create {
            dir,
            module,
            output,
            verbose,
        } => {
            let mv = module_version(&module)?;
            let out = match output {
                Some(out) => out,
                None => PathBuf::from(format!("{}.zip", module::escape_version(&mv.version)?)),
            };
            let report = create_atomically(&out, &mv, &dir)?;
            if verbose {
                for omitted in &report.omitted {
                    eprintln!("omitted {omitted}");
                }
            }
            println!("{}", report.sum);
            Ok(ExitCode::SUCCESS)
        }
        ZipCommand::Hash { zip } => {
            let hash = dirhash::hash_zip_file(&zip)
                .with_context(|| format!("cannot hash {}", zip.display()))?;
            println!("{hash}");
            Ok(ExitCode::SUCCESS)
        }
        ZipCommand::Check { zip, module } => {
            let mv = module_version(&module)?;
            let (checked, verdict) = modzip::check_zip_file(&zip, &mv);
            let Err(err) = verdict else {
                print!("{checked}");
                return Ok(ExitCode::SUCCESS);
            };
            let reported = !(checked.valid.is_empty()
                && checked.omitted.is_empty()
                && checked.invalid.is_empty()
                && checked.size_error.is_none());
            if !reported {
                // Nothing could be classified: the archive itself is unreadable.
                return Err(
                    anyhow::Error::new(err).context(format!("cannot check {}", zip.display()))
                );
            }
            print!("{checked}");
            if let Some(size) = &checked.size_error {
                println!("\n{size}");
            }
            Ok(ExitCode::FAILURE)
        }
        ZipCommand::Extract { zip, module, dir } => {
            let mv = module_version(&module)?;
            // The core's error already names the operation ("unzip ZIP: ...").
            modzip::unzip(&dir, &mv, &zip)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes the zip to a temporary file beside `out` and renames it into place
/// only when it is complete and flushed, so a failed or interrupted run never
/// leaves a partial zip behind. Returns the omitted files and the zip's h1.
fn create_atomically(
    out: &Path,
    mv: &module::Version,
    dir: &Path,
) -> anyhow::Result<modzip::CreateReport> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".modgate-zip-")
        .tempfile_in(parent)
        .with_context(|| format!("cannot create a temporary file in {}", parent.display()))?;
    let mut writer = BufWriter::new(tmp.as_file());
    // The core's error already names the operation ("create zip DIR: ...").
    let report = modzip::create_from_dir(&mut writer, mv, dir)?;
    writer
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", out.display()))?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", out.display()))?;
    tmp.persist(out)
        .with_context(|| format!("cannot write {}", out.display()))?;
    let _ = File::open(parent).and_then(|d| d.sync_all());
    Ok(report)
}
