//! How each kind of setting is read from text (a TOML string, an environment
//! variable, a flag) and written back (the docs' defaults, `--print-config`).
//!
//! A key's declaration names its codec; the codec's `Value` must be the field's
//! type, so a key cannot be parsed into the wrong kind of value.

use std::path::PathBuf;
use std::time::Duration;

use super::LogFormat;
use crate::access::PublicAccess;

/// One kind of setting value.
pub trait Codec {
    type Value;
    /// A flag that may be given without a value (`--offline` means `--offline=true`).
    const SWITCH: bool = false;
    /// Whether the text may hold credentials (URL user information).
    const SECRET_URLS: bool = false;
    /// A valid value unlike any default of this kind (the tests set every key to it).
    const EXAMPLE: &'static str;
    /// Parses the text form; the error says what is wrong (the caller names the key,
    /// the value and where it came from).
    fn parse(text: &str) -> Result<Self::Value, String>;
    /// The text form, which `parse` reads back; None for an unset optional value.
    fn text(value: &Self::Value) -> Option<String>;
    /// The TOML form (a string unless the kind is a TOML boolean or integer).
    fn toml(value: &Self::Value) -> Option<toml::Value> {
        Self::text(value).map(toml::Value::String)
    }
}

/// Any text.
pub struct Text;

impl Codec for Text {
    type Value = String;
    const EXAMPLE: &'static str = "example.test";
    fn parse(text: &str) -> Result<String, String> {
        Ok(text.to_owned())
    }
    fn text(value: &String) -> Option<String> {
        Some(value.clone())
    }
}

/// Text that, when given, replaces a derived default (even when empty).
pub struct OptText;

impl Codec for OptText {
    type Value = Option<String>;
    const EXAMPLE: &'static str = "corp.example";
    fn parse(text: &str) -> Result<Option<String>, String> {
        Ok(Some(text.to_owned()))
    }
    fn text(value: &Option<String>) -> Option<String> {
        value.clone()
    }
}

/// An upstream list in GOPROXY syntax. Checked once every source is applied (an
/// offline server never uses it; see `Config::load_traced`); may hold credentials.
pub struct UpstreamList;

impl Codec for UpstreamList {
    type Value = String;
    const EXAMPLE: &'static str = "https://mirror.example|file:///srv/mods,direct";
    const SECRET_URLS: bool = true;
    fn parse(text: &str) -> Result<String, String> {
        Ok(text.to_owned())
    }
    fn text(value: &String) -> Option<String> {
        Some(value.clone())
    }
}

/// A checksum database in GOSUMDB syntax; its URL may hold credentials.
pub struct Sumdb;

impl Codec for Sumdb {
    type Value = String;
    const EXAMPLE: &'static str = "sum.golang.org https://sum.mirror.example";
    const SECRET_URLS: bool = true;
    fn parse(text: &str) -> Result<String, String> {
        modgate_core::goenv::gosumdb::parse(text)
            .map(|_| text.to_owned())
            .map_err(|e| e.to_string())
    }
    fn text(value: &String) -> Option<String> {
        Some(value.clone())
    }
}

/// Replica coordination: empty (off) or a `redis://` / `rediss://` URL; it may hold
/// a password.
pub struct Coordination;

impl Codec for Coordination {
    type Value = String;
    const EXAMPLE: &'static str = "redis://redis.example:6379/0";
    const SECRET_URLS: bool = true;
    fn parse(text: &str) -> Result<String, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(String::new());
        }
        match url::Url::parse(text) {
            Ok(u) if matches!(u.scheme(), "redis" | "rediss") && u.host().is_some() => {
                Ok(text.to_owned())
            }
            Ok(u) if matches!(u.scheme(), "redis" | "rediss") => Err("the URL has no host".into()),
            Ok(u) => Err(format!(
                "unsupported scheme {:?}: want redis://host:port/db or rediss://, or empty for off",
                u.scheme()
            )),
            Err(e) => Err(format!("not a URL ({e}): want redis://host:port/db")),
        }
    }
    fn text(value: &String) -> Option<String> {
        Some(value.clone())
    }
}

/// The vulnerability database: `off` or one URL (`http`, `https`, `file`); it may
/// hold credentials.
pub struct Vulndb;

impl Codec for Vulndb {
    type Value = String;
    const EXAMPLE: &'static str = "https://vuln.mirror.example";
    const SECRET_URLS: bool = true;
    fn parse(text: &str) -> Result<String, String> {
        let text = text.trim();
        if text == "off" {
            return Ok(text.to_owned());
        }
        let rest = ["https://", "http://", "file://"]
            .iter()
            .find_map(|scheme| text.strip_prefix(scheme));
        match rest {
            Some(rest) if !rest.is_empty() && !text.contains([',', '|', ' ']) => {
                Ok(text.to_owned())
            }
            _ => Err("want one https://, http:// or file:// URL, or off".into()),
        }
    }
    fn text(value: &String) -> Option<String> {
        Some(value.clone())
    }
}

/// GOVCS rules.
pub struct Govcs;

impl Codec for Govcs {
    type Value = String;
    const EXAMPLE: &'static str = "corp.example:git,public:off";
    fn parse(text: &str) -> Result<String, String> {
        modgate_core::goenv::govcs::Govcs::setting(text)
            .map(|_| text.to_owned())
            .map_err(|e| e.to_string())
    }
    fn text(value: &String) -> Option<String> {
        Some(value.clone())
    }
}

/// A path.
pub struct Path;

impl Codec for Path {
    type Value = PathBuf;
    const EXAMPLE: &'static str = "/srv/modgate";
    fn parse(text: &str) -> Result<PathBuf, String> {
        if text.trim().is_empty() {
            return Err("empty path".into());
        }
        Ok(PathBuf::from(text))
    }
    fn text(value: &PathBuf) -> Option<String> {
        Some(value.display().to_string())
    }
}

/// A path replacing a derived default; empty means the default.
pub struct OptPath;

impl Codec for OptPath {
    type Value = Option<PathBuf>;
    const EXAMPLE: &'static str = "/srv/vcs";
    fn parse(text: &str) -> Result<Option<PathBuf>, String> {
        Ok((!text.trim().is_empty()).then(|| PathBuf::from(text)))
    }
    fn text(value: &Option<PathBuf>) -> Option<String> {
        value.as_ref().map(|p| p.display().to_string())
    }
}

/// true or false.
pub struct Switch;

impl Codec for Switch {
    type Value = bool;
    const EXAMPLE: &'static str = "true";
    const SWITCH: bool = true;
    fn parse(text: &str) -> Result<bool, String> {
        match text.trim() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" | "" => Ok(false),
            _ => Err("want true or false".into()),
        }
    }
    fn text(value: &bool) -> Option<String> {
        Some(value.to_string())
    }
    fn toml(value: &bool) -> Option<toml::Value> {
        Some(toml::Value::Boolean(*value))
    }
}

/// A count.
pub struct Count;

impl Codec for Count {
    type Value = u32;
    const EXAMPLE: &'static str = "7";
    fn parse(text: &str) -> Result<u32, String> {
        text.trim()
            .parse()
            .map_err(|_| "want a whole number from 0 to 4294967295".into())
    }
    fn text(value: &u32) -> Option<String> {
        Some(value.to_string())
    }
    fn toml(value: &u32) -> Option<toml::Value> {
        Some(toml::Value::Integer((*value).into()))
    }
}

/// A duration: `500ms`, `60s`, `5m`, `1h`.
pub struct Dur;

impl Codec for Dur {
    type Value = Duration;
    const EXAMPLE: &'static str = "1500ms";
    fn parse(text: &str) -> Result<Duration, String> {
        parse_duration(text).ok_or_else(|| "invalid duration (write 500ms, 60s, 5m or 1h)".into())
    }
    fn text(value: &Duration) -> Option<String> {
        Some(format_duration(*value))
    }
}

/// A duration that, when unset, is chosen at run time (`auto`).
pub struct OptDur;

impl Codec for OptDur {
    type Value = Option<Duration>;
    const EXAMPLE: &'static str = "250ms";
    fn parse(text: &str) -> Result<Option<Duration>, String> {
        if text.trim() == "auto" {
            return Ok(None);
        }
        Dur::parse(text)
            .map(Some)
            .map_err(|e| format!("{e}, or auto"))
    }
    fn text(value: &Option<Duration>) -> Option<String> {
        value.map(format_duration)
    }
}

/// `text` or `json`.
pub struct LogFmt;

impl Codec for LogFmt {
    type Value = LogFormat;
    const EXAMPLE: &'static str = "json";
    fn parse(text: &str) -> Result<LogFormat, String> {
        match text.trim() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err("want text or json".into()),
        }
    }
    fn text(value: &LogFormat) -> Option<String> {
        Some(
            match value {
                LogFormat::Text => "text",
                LogFormat::Json => "json",
            }
            .into(),
        )
    }
}

/// Address ranges: `none`, `loopback`, `private`, or `loopback,private`.
pub struct Egress;

impl Codec for Egress {
    type Value = modgate_upstream::Egress;
    const EXAMPLE: &'static str = "loopback,private";
    fn parse(text: &str) -> Result<modgate_upstream::Egress, String> {
        let mut allow = modgate_upstream::Egress::default();
        for part in text.split(',').map(str::trim) {
            match part {
                "loopback" => allow.allow_loopback = true,
                "private" => allow.allow_private = true,
                "none" | "" => {}
                _ => return Err(format!("want none, loopback or private, not {part:?}")),
            }
        }
        Ok(allow)
    }
    fn text(value: &modgate_upstream::Egress) -> Option<String> {
        Some(
            match (value.allow_loopback, value.allow_private) {
                (false, false) => "none",
                (true, false) => "loopback",
                (false, true) => "private",
                (true, true) => "loopback,private",
            }
            .into(),
        )
    }
}

/// `open` or `token`.
pub struct Access;

impl Codec for Access {
    type Value = PublicAccess;
    const EXAMPLE: &'static str = "token";
    fn parse(text: &str) -> Result<PublicAccess, String> {
        PublicAccess::parse(text).ok_or_else(|| "want open or token".into())
    }
    fn text(value: &PublicAccess) -> Option<String> {
        Some(
            match value {
                PublicAccess::Open => "open",
                PublicAccess::Token => "token",
            }
            .into(),
        )
    }
}

/// `500ms`, `60s`, `5m`, `1h` (a bare number is seconds).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    match unit {
        "" | "s" => Some(Duration::from_secs(n)),
        "ms" => Some(Duration::from_millis(n)),
        "m" => n.checked_mul(60).map(Duration::from_secs),
        "h" => n.checked_mul(3600).map(Duration::from_secs),
        _ => None,
    }
}

/// The shortest form [`parse_duration`] reads back (whole milliseconds: the
/// finest unit a setting can be written in).
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if !ms.is_multiple_of(1000) {
        return format!("{ms}ms");
    }
    let s = ms / 1000;
    match s {
        0 => "0s".into(),
        s if s.is_multiple_of(3600) => format!("{}h", s / 3600),
        s if s.is_multiple_of(60) => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `list` (GOPROXY or GOSUMDB syntax) with the user information of every URL
/// (`user:password@`, often a token) replaced by `xxxxx`, for logs and
/// `--print-config`.
pub fn redact_userinfo(list: &str) -> String {
    list.split_inclusive([',', '|', ' '])
        .map(|piece| {
            let (entry, sep) = match piece.strip_suffix([',', '|', ' ']) {
                Some(e) => (e, &piece[e.len()..]),
                None => (piece, ""),
            };
            let redacted = match entry.split_once("://") {
                Some((scheme, rest)) => {
                    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
                    match rest[..authority_end].rfind('@') {
                        Some(at) => format!("{scheme}://xxxxx{}", &rest[at..]),
                        None => entry.to_owned(),
                    }
                }
                None => entry.to_owned(),
            };
            redacted + sep
        })
        .collect()
}

/// Where modules are stored: empty (the data directory), `file:///path`, or an
/// object store URL (`s3://bucket/prefix`, `gs://…`, `az://…`). Credentials belong
/// in the environment or `[storage_options]`, never in the URL (they would be masked
/// here, and refused when opening).
pub struct StorageUrl;

impl Codec for StorageUrl {
    type Value = String;
    const EXAMPLE: &'static str = "s3://modules/cache";
    const SECRET_URLS: bool = true;
    fn parse(text: &str) -> Result<String, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(String::new());
        }
        let u = url::Url::parse(text)
            .map_err(|e| format!("not a URL ({e}): want file:///path, s3://bucket/prefix, gs://bucket/prefix or az://container/prefix"))?;
        match u.scheme() {
            "file" if u.path().len() > 1 => Ok(text.to_owned()),
            "file" => Err("a file:// URL needs a directory (file:///var/lib/modgate)".into()),
            "s3" | "s3a" | "gs" | "az" | "azure" | "abfs" | "abfss" => {
                if u.host_str().is_none_or(str::is_empty) {
                    Err("the URL has no bucket (or container) name".into())
                } else {
                    Ok(text.to_owned())
                }
            }
            other => Err(format!(
                "unsupported scheme {other:?}: want file://, s3://, gs:// or az://"
            )),
        }
    }
    fn text(value: &String) -> Option<String> {
        Some(value.clone())
    }
}

/// A size in bytes: `10GiB`, `512MiB`, `500MB`, `1048576`.
pub struct Size;

const SIZE_UNITS: &[(&str, u64)] = &[
    ("TiB", 1 << 40),
    ("GiB", 1 << 30),
    ("MiB", 1 << 20),
    ("KiB", 1 << 10),
    ("TB", 1_000_000_000_000),
    ("GB", 1_000_000_000),
    ("MB", 1_000_000),
    ("KB", 1_000),
    ("kB", 1_000),
    ("B", 1),
];

impl Codec for Size {
    type Value = u64;
    const EXAMPLE: &'static str = "512MiB";
    fn parse(text: &str) -> Result<u64, String> {
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (n, unit) = t.split_at(split);
        let bad = || {
            "want a size: a number of bytes, or with KiB, MiB, GiB, TiB (or KB, MB, GB, TB)"
                .to_owned()
        };
        let n: u64 = n.parse().map_err(|_| bad())?;
        let unit = unit.trim();
        let mult = if unit.is_empty() {
            1
        } else {
            SIZE_UNITS
                .iter()
                .find(|(u, _)| *u == unit)
                .map(|(_, m)| *m)
                .ok_or_else(bad)?
        };
        n.checked_mul(mult)
            .ok_or_else(|| "size too large".to_owned())
    }
    fn text(value: &u64) -> Option<String> {
        for (unit, mult) in SIZE_UNITS.iter().filter(|(u, _)| u.ends_with("iB")) {
            if *value != 0 && value.is_multiple_of(*mult) {
                return Some(format!("{}{unit}", value / mult));
            }
        }
        Some(value.to_string())
    }
}
