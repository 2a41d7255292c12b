//! `modgate mod fmt|json|hash`: go.mod and go.work files.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use modgate_core::{dirhash, modfile};

use crate::cli::ModCommand;

pub fn run(cmd: ModCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ModCommand::Fmt { file } => {
            let (name, data) = read(&file)?;
            let out = if is_work_file(&file) {
                modfile::format_gowork(&name, &data)
            } else {
                modfile::format_gomod(&name, &data)
            }
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("cannot format {}", file.display()))?;
            crate::output::write_stdout_bytes(&out)?;
        }
        ModCommand::Json { file } => {
            let (name, data) = read(&file)?;
            let out = if is_work_file(&file) {
                modfile::json_gowork(&name, &data)
            } else {
                modfile::json_gomod(&name, &data)
            }
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("cannot convert {} to JSON", file.display()))?;
            crate::output::write_stdout_bytes(out.as_bytes())?;
        }
        ModCommand::Hash { file } => {
            let (_, data) = read(&file)?;
            outln!("{}", dirhash::hash_gomod(&data));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a file for the parser, returning the name Go would use in messages
/// (the path as given) and its bytes.
fn read(file: &Path) -> anyhow::Result<(String, Vec<u8>)> {
    let data = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok((file.display().to_string(), data))
}

/// go.work files have their own grammar; `go work edit` is used for names ending in `.work`.
fn is_work_file(file: &Path) -> bool {
    file.extension().is_some_and(|ext| ext == "work")
}
