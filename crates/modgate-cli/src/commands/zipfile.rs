//! `modgate zip create|hash|check|extract`: module zips.

use std::fs::File;
use std::io::BufWriter;
use std::os::unix::fs::PermissionsExt;
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
            outln!("{}", report.sum);
            Ok(ExitCode::SUCCESS)
        }
        ZipCommand::Hash { zip } => {
            let hash = dirhash::hash_zip_file(&zip)
                .with_context(|| format!("cannot hash {}", zip.display()))?;
            outln!("{hash}");
            Ok(ExitCode::SUCCESS)
        }
        ZipCommand::Check { zip, module } => {
            let mv = module_version(&module)?;
            let (checked, verdict) = modzip::check_zip_file(&zip, &mv);
            let Err(err) = verdict else {
                out!("{checked}");
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
            out!("{checked}");
            if let Some(size) = &checked.size_error {
                outln!("\n{size}");
            }
            Ok(ExitCode::FAILURE)
        }
        ZipCommand::Extract { zip, module, dir } => {
            let mv = module_version(&module)?;
            extract_atomically(&zip, &mv, &dir)?;
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
    // Resolve DIR first: a symbolic link to the module would otherwise be
    // walked as a single non-regular file and give an empty zip.
    let module_dir = std::fs::canonicalize(dir)
        .with_context(|| format!("cannot read module directory {}", dir.display()))?;
    if !module_dir.is_dir() {
        anyhow::bail!("{} is not a directory", dir.display());
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let out_dir = std::fs::canonicalize(parent).with_context(|| {
        format!(
            "cannot write {}: no directory {}",
            out.display(),
            parent.display()
        )
    })?;
    if out_dir.starts_with(&module_dir) {
        // The zip (and its temporary file) would be part of the tree being
        // zipped, and every run would change the module's content.
        anyhow::bail!(
            "output {} is inside the module directory {}: write it elsewhere (for example -o ../{})",
            out.display(),
            dir.display(),
            out.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
    }
    let tmp = tempfile::Builder::new()
        .prefix(".modgate-zip-")
        // Like any new file: 0666 less the umask (tempfile's default is 0600).
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(parent)
        .with_context(|| format!("cannot create a temporary file in {}", parent.display()))?;
    let mut writer = BufWriter::new(tmp.as_file());
    // The core's error already names the operation ("create zip DIR: ...").
    let report = modzip::create_from_dir(&mut writer, mv, &module_dir)?;
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

/// Extracts into a fresh temporary directory beside `dir` and renames it
/// into place only when every file was written and checked, so a zip that
/// turns out to be bad halfway leaves nothing behind (the go command does the
/// same around x/mod's Unzip). `dir` must be missing or empty, as for Unzip.
fn extract_atomically(zip: &Path, mv: &module::Version, dir: &Path) -> anyhow::Result<()> {
    let target_exists = match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                anyhow::bail!("target directory {} exists and is not empty", dir.display());
            }
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(e).with_context(|| format!("cannot use {}", dir.display())),
    };
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".modgate-extract-")
        .tempdir_in(parent)
        .with_context(|| {
            format!(
                "cannot create a temporary directory in {}",
                parent.display()
            )
        })?;
    let tree = staging.path().join("tree");
    // The core's error already names the operation ("unzip ZIP: ...").
    modzip::unzip(&tree, mv, zip)?;
    if target_exists {
        std::fs::remove_dir(dir).with_context(|| format!("cannot replace {}", dir.display()))?;
    }
    std::fs::rename(&tree, dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(())
}
