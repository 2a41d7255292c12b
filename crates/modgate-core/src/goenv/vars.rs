//! The go environment variables that decide how modules are downloaded, with
//! the go command's defaults (`$GOROOT/go.env` and `cmd/go/internal/cfg`).
//! The one list of their names in modgate: the doctor resolves and reports
//! them from here.

/// What a variable is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Where modules are fetched from and how they are verified and
    /// authenticated: the settings a broken download is usually fixed with.
    Download,
    /// Which version control systems direct mode may run.
    Vcs,
    /// Which go toolchain runs (and may be downloaded).
    Toolchain,
    /// Where downloaded modules are kept.
    Cache,
}

/// One go environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Var {
    /// Its name, such as `GOPROXY`.
    pub name: &'static str,
    /// The go command's value when it is unset or empty ("" for none).
    pub default: &'static str,
    pub role: Role,
    /// What it means, in a line.
    pub about: &'static str,
}

const fn var(name: &'static str, default: &'static str, role: Role, about: &'static str) -> Var {
    Var {
        name,
        default,
        role,
        about,
    }
}

/// The variables, download settings first, in the order `go env` users know them.
pub const VARS: &[Var] = &[
    var(
        "GOPROXY",
        super::goproxy::DEFAULT,
        Role::Download,
        "module proxies to try, then direct (version control) or off",
    ),
    var(
        "GOSUMDB",
        super::gosumdb::DEFAULT,
        Role::Download,
        "the checksum database that vouches for module hashes, or off",
    ),
    var(
        "GOPRIVATE",
        "",
        Role::Download,
        "module path patterns that are private: the default of GONOPROXY and GONOSUMDB",
    ),
    var(
        "GONOPROXY",
        "",
        Role::Download,
        "module path patterns fetched directly, never through GOPROXY",
    ),
    var(
        "GONOSUMDB",
        "",
        Role::Download,
        "module path patterns not checked against GOSUMDB",
    ),
    var(
        "GOINSECURE",
        "",
        Role::Download,
        "module path patterns that may be fetched over plain HTTP or unverified HTTPS",
    ),
    var(
        "GOFLAGS",
        "",
        Role::Download,
        "flags for every go command (such as -mod or -insecure)",
    ),
    var(
        "GOAUTH",
        "netrc",
        Role::Download,
        "how HTTPS requests get credentials (netrc, git, a command, off)",
    ),
    var(
        "GOVCS",
        "",
        Role::Vcs,
        "which version control systems direct mode may use, per module path pattern",
    ),
    var(
        "GOTOOLCHAIN",
        "auto",
        Role::Toolchain,
        "which go toolchain runs: local, a version, or auto (download a newer one when go.mod asks)",
    ),
    var(
        "GOVERSION",
        "",
        Role::Toolchain,
        "the running toolchain's version (read-only)",
    ),
    var(
        "GOROOT",
        "",
        Role::Toolchain,
        "where the running toolchain is installed",
    ),
    var(
        "GOMODCACHE",
        "",
        Role::Cache,
        "the module cache (default GOPATH's first entry/pkg/mod)",
    ),
];

/// The variable named `name`, if it is one of [`VARS`].
pub fn get(name: &str) -> Option<&'static Var> {
    VARS.iter().find(|v| v.name == name)
}

/// The go command's default for `name` ("" for none or an unknown name).
pub fn default(name: &str) -> &'static str {
    get(name).map_or("", |v| v.default)
}

/// The names of the [`Role::Download`] variables, in [`VARS`] order.
pub fn download() -> impl Iterator<Item = &'static str> {
    VARS.iter()
        .filter(|v| v.role == Role::Download)
        .map(|v| v.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_defaults_match_the_parsers() {
        let mut names: Vec<&str> = VARS.iter().map(|v| v.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), VARS.len());
        // Each default is a value the core's own parsers accept.
        assert!(super::super::goproxy::parse(default("GOPROXY")).is_ok());
        assert!(super::super::gosumdb::parse(default("GOSUMDB")).is_ok());
        assert_eq!(default("GOAUTH"), "netrc");
        assert_eq!(default("NOT_A_GO_VAR"), "");
        let download: Vec<&str> = download().collect();
        assert_eq!(download.first(), Some(&"GOPROXY"));
        assert!(!download.contains(&"GOVCS") && download.contains(&"GOAUTH"));
    }
}
