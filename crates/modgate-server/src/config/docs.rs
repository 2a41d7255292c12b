//! The keys table of `docs/configuration.md`, generated from [`KEYS`]; a test
//! checks the file holds exactly this table.

use super::KEYS;

/// The lines around the generated table in `docs/configuration.md`.
pub const TABLE_BEGIN: &str = "<!-- keys table: generated from crates/modgate-server/src/config.rs; \
    MODGATE_BLESS=1 cargo test -p modgate-server config:: rewrites it -->";
pub const TABLE_END: &str = "<!-- end of keys table -->";

/// The markdown table of every key: name, environment variable, flag, default,
/// meaning.
pub fn docs_table() -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out =
        String::from("| Key | Environment | Flag | Default | Meaning |\n|---|---|---|---|---|\n");
    for k in KEYS {
        out.push_str(&format!(
            "| `{}` | `{}` | `--{}` | {} | {} |\n",
            k.name,
            k.env_var(),
            k.flag(),
            cell(&k.default_text()),
            cell(&k.help()),
        ));
    }
    out
}
