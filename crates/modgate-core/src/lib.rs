//! # modgate-core: Go's module formats, byte for byte
//!
//! This crate is the pure core of modgate. It knows the formats and rules that the
//! go command and `golang.org/x/mod` define, and reproduces them exactly; it does no
//! network I/O and touches the disk only through paths or readers a caller hands it.
//!
//! The layout mirrors `golang.org/x/mod`, so the reference for any behaviour is easy
//! to find:
//!
//! | module | Go reference | what it does |
//! |---|---|---|
//! | [`semver`] | `x/mod/semver` | Go's semantic versions: validity, canonical form, ordering |
//! | [`module`] | `x/mod/module` | module/import/file path rules, case-encoding, pseudo-versions, major suffixes |
//! | [`pattern`] | `module.MatchPrefixPatterns` | GOPRIVATE / GONOPROXY / GONOSUMDB / GOINSECURE glob lists |
//! | [`goenv`] | `cmd/go/internal/modfetch` | GOPROXY list and GOSUMDB parsing |
//! | [`modfile`] | `x/mod/modfile`, `go mod edit` | go.mod / go.work parser, printer and `-json` output |
//! | [`mvs`] | `cmd/go/internal/{mvs,modload}` | minimal version selection: the build list of `go list -m all` |
//! | [`query`] | `cmd/go/internal/modload/query.go` | version queries: `latest`, `upgrade`, `patch`, ranges, prefixes; exclusions and retractions |
//! | [`gosum`] | `cmd/go/internal/modfetch` | go.sum parsing, validation and writing |
//! | [`dirhash`] | `x/mod/sumdb/dirhash` | `h1:` hashes of zips, directory trees and go.mod files |
//! | [`zip`] | `x/mod/zip` | module zip creation, checking and safe extraction |
//! | [`sumdb`] | `x/mod/sumdb/{note,tlog}` | signed notes, transparency-log hashes, tiles and proofs |
//! | [`unicode`], [`quote`] | `unicode`, `strconv` | Go's character classes and `%q` quoting, for exact error texts |
//! | [`txtar`] | `x/tools/txtar` | the txtar archive format used by Go's test data |
//! | [`vulndb`] | `x/vuln/internal/{osv,client,semver}` | the Go vulnerability database: OSV entries, indexes, matching a module version |

pub mod dirhash;
pub mod goenv;
pub mod gojson;
pub mod gosum;

/// Go version order (`go/version.Compare`) for `go` lines and toolchain names.
pub mod gover {
    /// Compares two Go versions as written in a `go` line (`1.21`, `1.21.3`,
    /// `1.22rc1`); invalid versions sort before all valid ones.
    pub fn compare(x: &str, y: &str) -> std::cmp::Ordering {
        crate::zip::goline::compare(&format!("go{x}"), &format!("go{y}"))
    }
}

pub mod modfile;
pub mod module;
pub mod mvs;
pub mod pattern;
pub mod query;
pub mod quote;
pub mod semver;
pub mod sumdb;
pub mod txtar;
pub mod unicode;
pub mod vulndb;
pub mod zip;
