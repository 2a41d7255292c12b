//! `modgate dir hash`: the h1 hash of an extracted module tree.

use std::process::ExitCode;

use anyhow::Context;
use modgate_core::dirhash;

use super::module_version;
use crate::cli::DirCommand;

pub fn run(cmd: DirCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DirCommand::Hash { dir, module } => {
            let mv = module_version(&module)?;
            let prefix = format!("{}@{}/", mv.path, mv.version);
            let hash = dirhash::hash_dir(&dir, &prefix)
                .with_context(|| format!("cannot hash {}", dir.display()))?;
            outln!("{hash}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
