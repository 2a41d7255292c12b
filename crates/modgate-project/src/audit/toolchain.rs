//! The Go toolchain that will build the project, for `vuln.stdlib`: chosen as the
//! go command chooses it (GOTOOLCHAIN, then the `toolchain` line, or the `go`
//! line when there is none, against the local go's version), never silently the
//! `go` line: the answer says where it came from.

use modgate_core::modfile;
use modgate_core::semver;
use modgate_core::vulndb::version::go_tag_to_semver;

use crate::graph::Project;

/// The toolchain version (`go1.22.1`) and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Toolchain {
    pub version: String,
    pub source: String,
}

fn newer(a: &str, b: &str) -> bool {
    match (go_tag_to_semver(a), go_tag_to_semver(b)) {
        (Some(a), Some(b)) => semver::compare(&a, &b).is_gt(),
        _ => false,
    }
}

/// The toolchain for `project`: `gotoolchain` is GOTOOLCHAIN (`""` as `auto`),
/// `local` the local go's `go env GOVERSION` (none: no go command).
pub fn detect(
    project: &Project,
    gotoolchain: &str,
    local: Option<&str>,
) -> Result<Toolchain, String> {
    let found = |version: &str, source: String| Toolchain {
        version: version
            .split_whitespace()
            .next()
            .unwrap_or(version)
            .to_owned(),
        source,
    };
    // The version the project asks for: its toolchain line, else its go line.
    let (name, toolchain, go): (String, Option<&modfile::Toolchain>, Option<&modfile::Go>) =
        match project {
            Project::Module { file, .. } => {
                ("go.mod".into(), file.toolchain.as_ref(), file.go.as_ref())
            }
            Project::Workspace { work, .. } => {
                ("go.work".into(), work.toolchain.as_ref(), work.go.as_ref())
            }
        };
    let needed = toolchain
        .map(|t| (t.name.clone(), format!("the toolchain line of {name}")))
        .or_else(|| {
            go.map(|g| {
                (
                    format!("go{}", g.version),
                    format!("the go line of {name} (it has no toolchain line)"),
                )
            })
        });
    let gotoolchain = gotoolchain.trim();
    if gotoolchain == "local" {
        return match local {
            Some(l) => Ok(found(l, "go env GOVERSION (GOTOOLCHAIN=local)".into())),
            None => Err("GOTOOLCHAIN=local, and no go command to ask its version".into()),
        };
    }
    if gotoolchain.starts_with("go") && !gotoolchain.contains('+') {
        if go_tag_to_semver(gotoolchain).is_none() {
            return Err(format!("GOTOOLCHAIN={gotoolchain} names no Go release"));
        }
        return Ok(found(gotoolchain, format!("GOTOOLCHAIN={gotoolchain}")));
    }
    // auto, path, goX+auto, goX+path: the minimum, raised to what the project asks.
    let minimum = match gotoolchain.split_once('+') {
        Some((min, _)) if min.starts_with("go") => {
            Some((min.to_owned(), format!("GOTOOLCHAIN={gotoolchain}")))
        }
        _ => local
            .filter(|l| go_tag_to_semver(l).is_some())
            .map(|l| (l.to_owned(), "go env GOVERSION".to_owned())),
    };
    match (minimum, needed) {
        (Some((min, min_src)), Some((need, need_src))) if newer(&need, &min) => Ok(found(
            &need,
            format!("{need_src}, newer than {min} ({min_src}), so go switches to it"),
        )),
        (Some((min, min_src)), _) => Ok(found(&min, min_src)),
        (None, Some((need, need_src))) => Ok(found(
            &need,
            format!("{need_src}; no go command found to run"),
        )),
        (None, None) => {
            Err("no toolchain version: no go command, and no toolchain or go line".into())
        }
    }
}

/// `go env GOVERSION` of the go on PATH (GOTOOLCHAIN=local so that it reports
/// itself and downloads nothing); none without a go command. Bounded in time.
pub fn local_go_version() -> Option<String> {
    let mut child = std::process::Command::new("go")
        .args(["env", "GOVERSION"])
        .env("GOTOOLCHAIN", "local")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if std::time::Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take()?, &mut out).ok()?;
    let v = out.trim().to_owned();
    (!v.is_empty()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(gomod: &str) -> Project {
        let file = modfile::parse("go.mod", gomod.as_bytes(), None).unwrap();
        Project::Module {
            dir: ".".into(),
            file,
        }
    }

    #[test]
    fn chosen_as_go_chooses() {
        let plain = module("module m\n\ngo 1.21\n");
        let tc = module("module m\n\ngo 1.21\n\ntoolchain go1.30.1\n");
        let d = |p, g, l| detect(p, g, l).map(|t| t.version);
        assert_eq!(d(&plain, "go1.22.1", Some("go1.27.3")).unwrap(), "go1.22.1");
        assert_eq!(d(&tc, "local", Some("go1.27.3")).unwrap(), "go1.27.3");
        assert_eq!(d(&plain, "", Some("go1.27.3")).unwrap(), "go1.27.3");
        assert_eq!(d(&tc, "auto", Some("go1.27.3")).unwrap(), "go1.30.1");
        assert_eq!(
            d(&tc, "go1.31.0+auto", Some("go1.27.3")).unwrap(),
            "go1.31.0"
        );
        assert_eq!(d(&tc, "", None).unwrap(), "go1.30.1");
        let t = detect(&plain, "", None).unwrap();
        assert_eq!(t.version, "go1.21");
        assert!(t.source.contains("the go line"), "{t:?}");
        assert!(detect(&plain, "local", None).is_err());
        assert!(detect(&plain, "gox", None).is_err());
        assert_eq!(
            d(&plain, "", Some("go1.27.3 X:nocoverageredesign")).unwrap(),
            "go1.27.3"
        );
    }
}
