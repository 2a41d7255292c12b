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
            let omitted = create_atomically(&out, &mv, &dir)?;
            if verbose {
                for (path, reason) in &omitted {
                    eprintln!("omitted {path}: {reason}");
                }
            }
            let hash = dirhash::hash_zip_file(&out)
                .with_context(|| format!("cannot hash {}", out.display()))?;
            println!("{hash}");
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
            let checked = modzip::check_zip_file(&zip, &mv)
                .with_context(|| format!("cannot check {}", zip.display()))?;
            print!("{checked}");
            if checked.is_ok() {
                Ok(ExitCode::SUCCESS)
            } else {
                Ok(ExitCode::FAILURE)
            }
        }
        ZipCommand::Extract { zip, module, dir } => {
            let mv = module_version(&module)?;
            modzip::unzip(&dir, &mv, &zip).with_context(|| {
                format!("cannot extract {} into {}", zip.display(), dir.display())
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes the zip to a temporary file beside `out` and renames it into place
/// only when it is complete and flushed, so a failed or interrupted run never
/// leaves a partial zip behind. Returns the omitted files with their reasons.
fn create_atomically(
    out: &Path,
    mv: &module::Version,
    dir: &Path,
) -> anyhow::Result<Vec<(String, String)>> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".modgate-zip-")
        .tempfile_in(parent)
        .with_context(|| format!("cannot create a temporary file in {}", parent.display()))?;
    let mut writer = BufWriter::new(tmp.as_file());
    let report = modzip::create_from_dir(&mut writer, mv, dir)
        .with_context(|| format!("cannot create the module zip of {}", dir.display()))?;
    drop(writer);
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", out.display()))?;
    tmp.persist(out)
        .with_context(|| format!("cannot write {}", out.display()))?;
    let _ = File::open(parent).and_then(|d| d.sync_all());
    Ok(report.omitted)
}
