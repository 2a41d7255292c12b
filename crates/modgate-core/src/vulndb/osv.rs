//! The Go subset of the OSV format (`x/vuln/internal/osv`, schema 1.3.1), field for
//! field with Go's JSON names and `omitempty` choices, so that an entry read and
//! written again has the same fields. Timestamps stay text (RFC 3339, as the
//! database writes them); [`Entry::check`] validates them.

use serde::{Deserialize, Serialize};

use crate::module::UtcTime;

/// The only range type the Go database uses: SemVer 2.0.0 versions without the `v`.
pub const RANGE_TYPE_SEMVER: &str = "SEMVER";
/// The ecosystem of every Go entry.
pub const GO_ECOSYSTEM: &str = "Go";
/// The pseudo-module of the standard library (packages like `net/http`).
pub const STDLIB: &str = "stdlib";
/// The pseudo-module of the go command (package `cmd/go`).
pub const TOOLCHAIN: &str = "toolchain";

/// One vulnerability (`ID/<id>.json`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Entry {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub schema_version: String,
    /// `GO-YYYY-NNNN` in the Go database.
    pub id: String,
    /// RFC 3339.
    pub modified: String,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// RFC 3339; present when the entry was withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// The same vulnerability's ids elsewhere (`CVE-…`, `GHSA-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    #[serde(default)]
    pub details: String,
    #[serde(default)]
    pub affected: Vec<Affected>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credits: Vec<Credit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<DatabaseSpecific>,
}

/// A module the entry affects.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Affected {
    /// Called `package` in OSV; for Go it is the module.
    pub package: Package,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    #[serde(default)]
    pub ecosystem_specific: EcosystemSpecific,
}

/// The affected module: its path (or [`STDLIB`], [`TOOLCHAIN`]) and `Go`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    pub ecosystem: String,
}

/// Affected versions: events that introduce or fix the vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub events: Vec<Event>,
}

/// Exactly one of `introduced` (`"0"`: the beginning of time) or `fixed` is set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Event {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub introduced: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fixed: String,
}

impl Event {
    pub fn introduced(v: &str) -> Event {
        Event {
            introduced: v.to_owned(),
            fixed: String::new(),
        }
    }

    pub fn fixed(v: &str) -> Event {
        Event {
            introduced: String::new(),
            fixed: v.to_owned(),
        }
    }
}

/// The affected packages of a module.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EcosystemSpecific {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<Import>,
}

/// An affected package: its import path, and where known the platforms and the
/// functions (`Func`, `Type.Method`) that are vulnerable; empty lists mean all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Import {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goos: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goarch: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symbols: Vec<String>,
}

/// A link (`ADVISORY`, `ARTICLE`, `REPORT`, `FIX`, `PACKAGE`, `EVIDENCE`, `WEB`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Credit {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DatabaseSpecific {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// `REVIEWED` or `UNREVIEWED`; missing means reviewed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub review_status: String,
}

impl Entry {
    /// What Go's decoder would refuse: a missing id, or a timestamp that is not RFC 3339.
    pub fn check(&self) -> Result<(), String> {
        if self.id.is_empty() {
            return Err("entry has no id".into());
        }
        check_time("modified", &self.modified)?;
        for (field, t) in [
            ("published", &self.published),
            ("withdrawn", &self.withdrawn),
        ] {
            if let Some(t) = t {
                check_time(field, t)?;
            }
        }
        Ok(())
    }

    /// Whether the entry was withdrawn (the database sets `withdrawn` when it is).
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn.is_some()
    }
}

pub(super) fn check_time(field: &str, t: &str) -> Result<(), String> {
    match UtcTime::parse_rfc3339(t) {
        Some(_) => Ok(()),
        None => Err(format!("{field} {t:?} is not an RFC 3339 time")),
    }
}
