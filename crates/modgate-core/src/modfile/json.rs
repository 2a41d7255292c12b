//! The `-json` output of `go mod edit` and `go work edit`.
//!
//! Follows `cmd/go/internal/modcmd/edit.go` (`fileJSON`, `editPrintJSON`) and
//! `workcmd/edit.go` (`workfileJSON`): `json.MarshalIndent(v, "", "\t")` plus a
//! newline, with these shapes (`?` = `omitempty`):
//!
//! ```text
//! go.mod:  { Module {Path, Deprecated?}, Go?, Toolchain?, GoDebug? [{Key, Value}],
//!            Require? [{Path, Version?, Indirect?}], Exclude? [{Path, Version?}],
//!            Replace? [{Old {Path, Version?}, New {Path, Version?}}],
//!            Retract? [{Low?, High?, Rationale?}], Tool? [{Path}], Ignore? [{Path}] }
//! go.work: { Go?, Toolchain?, Godebug? [{Key, Value}], Use? [{DiskPath, ModPath?}],
//!            Replace? [...] }
//! ```
//!
//! `Module` is always present (with an empty path if there is no module line).
//! Note the spellings `GoDebug` (go.mod) and `Godebug` (go.work).

use super::rule::File;
use super::work::WorkFile;
use crate::gojson::{Object, Value};
use crate::module::Version;

fn module_version(v: &Version) -> Value {
    Object::new()
        .field("Path", v.path.as_str())
        .field_omitempty("Version", v.version.as_str())
        .into()
}

fn replace_json(old: &Version, new: &Version) -> Value {
    Object::new()
        .field("Old", module_version(old))
        .field("New", module_version(new))
        .into()
}

fn godebug_json(key: &str, value: &str) -> Value {
    Object::new().field("Key", key).field("Value", value).into()
}

/// The value `go mod edit -json` prints for `f` (after sorting and cleanup).
pub fn gomod_json_value(f: &File) -> Value {
    let (path, deprecated) = f
        .module
        .as_ref()
        .map_or(("", ""), |m| (m.path.as_str(), m.deprecated.as_str()));
    Object::new()
        .field(
            "Module",
            Object::new()
                .field("Path", path)
                .field_omitempty("Deprecated", deprecated),
        )
        .field_omitempty("Go", f.go.as_ref().map_or("", |g| g.version.as_str()))
        .field_omitempty(
            "Toolchain",
            f.toolchain.as_ref().map_or("", |t| t.name.as_str()),
        )
        .field_omitempty(
            "GoDebug",
            Value::slice(f.godebug.iter().map(|g| godebug_json(&g.key, &g.value))),
        )
        .field_omitempty(
            "Require",
            Value::slice(f.require.iter().map(|r| {
                Object::new()
                    .field("Path", r.module.path.as_str())
                    .field_omitempty("Version", r.module.version.as_str())
                    .field_omitempty("Indirect", r.indirect)
            })),
        )
        .field_omitempty(
            "Exclude",
            Value::slice(f.exclude.iter().map(|x| module_version(&x.module))),
        )
        .field_omitempty(
            "Replace",
            Value::slice(f.replace.iter().map(|r| replace_json(&r.old, &r.new))),
        )
        .field_omitempty(
            "Retract",
            Value::slice(f.retract.iter().map(|r| {
                Object::new()
                    .field_omitempty("Low", r.interval.low.as_str())
                    .field_omitempty("High", r.interval.high.as_str())
                    .field_omitempty("Rationale", r.rationale.as_str())
            })),
        )
        .field_omitempty(
            "Tool",
            Value::slice(
                f.tool
                    .iter()
                    .map(|t| Object::new().field("Path", t.path.as_str())),
            ),
        )
        .field_omitempty(
            "Ignore",
            Value::slice(
                f.ignore
                    .iter()
                    .map(|t| Object::new().field("Path", t.path.as_str())),
            ),
        )
        .into()
}

/// The value `go work edit -json` prints for `f` (after sorting and cleanup).
pub fn gowork_json_value(f: &WorkFile) -> Value {
    Object::new()
        .field_omitempty("Go", f.go.as_ref().map_or("", |g| g.version.as_str()))
        .field_omitempty(
            "Toolchain",
            f.toolchain.as_ref().map_or("", |t| t.name.as_str()),
        )
        .field_omitempty(
            "Godebug",
            Value::slice(f.godebug.iter().map(|g| godebug_json(&g.key, &g.value))),
        )
        .field_omitempty(
            "Use",
            Value::slice(f.use_.iter().map(|u| {
                Object::new()
                    .field("DiskPath", u.path.as_str())
                    .field_omitempty("ModPath", u.module_path.as_str())
            })),
        )
        .field_omitempty(
            "Replace",
            Value::slice(f.replace.iter().map(|r| replace_json(&r.old, &r.new))),
        )
        .into()
}
