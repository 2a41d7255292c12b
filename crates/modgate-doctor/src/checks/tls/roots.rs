//! The trust roots Go would use (`crypto/x509/root.go` `loadOnDiskRoots`,
//! `root_linux.go`): `SSL_CERT_FILE` replaces the list of bundle files (the
//! first readable one is used), `SSL_CERT_DIR` (colon-separated) replaces the
//! list of directories (all files in each are read; symlinks pointing inside
//! the same directory are skipped, as Go does).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// Go's Linux bundle files, in order.
pub const CERT_FILES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// Go's Linux certificate directories.
pub const CERT_DIRS: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs"];

#[derive(Debug, Clone)]
pub struct Roots {
    pub store: RootCertStore,
    /// The files and directories the certificates came from.
    pub sources: Vec<PathBuf>,
    /// Set when `SSL_CERT_FILE`/`SSL_CERT_DIR` chose them.
    pub from_env: bool,
    /// Problems reading them (a missing `SSL_CERT_FILE`, say).
    pub problems: Vec<String>,
}

impl Roots {
    pub fn count(&self) -> usize {
        self.store.len()
    }

    /// One line for the report.
    pub fn describe(&self) -> String {
        let srcs = self
            .sources
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "{} trusted roots from {}{}",
            self.count(),
            if srcs.is_empty() { "nowhere" } else { &srcs },
            if self.from_env {
                " (SSL_CERT_FILE/SSL_CERT_DIR)"
            } else {
                ""
            }
        )
    }
}

/// Loads the roots for the given `SSL_CERT_FILE` and `SSL_CERT_DIR` values.
pub fn load(cert_file: Option<&str>, cert_dir: Option<&str>) -> Roots {
    let mut ders: Vec<CertificateDer<'static>> = Vec::new();
    let mut seen = HashSet::new();
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    let mut add = |data: &[u8], ders: &mut Vec<CertificateDer<'static>>| {
        let mut n = 0;
        for c in CertificateDer::pem_slice_iter(data).flatten() {
            if seen.insert(c.as_ref().to_vec()) {
                ders.push(c);
            }
            n += 1;
        }
        n
    };

    let files: Vec<PathBuf> = match cert_file {
        Some(f) => vec![PathBuf::from(f)],
        None => CERT_FILES.iter().map(PathBuf::from).collect(),
    };
    for f in &files {
        match std::fs::read(f) {
            Ok(data) => {
                if add(&data, &mut ders) == 0 && cert_file.is_some() {
                    problems.push(format!(
                        "SSL_CERT_FILE={} holds no PEM certificate",
                        f.display()
                    ));
                }
                sources.push(f.clone());
                break;
            }
            Err(e) if cert_file.is_some() => {
                problems.push(format!("SSL_CERT_FILE={}: {e}", f.display()));
            }
            Err(_) => {}
        }
    }

    let dirs: Vec<PathBuf> = match cert_dir {
        Some(d) => std::env::split_paths(d).collect(),
        None => CERT_DIRS.iter().map(PathBuf::from).collect(),
    };
    for d in &dirs {
        let entries = match std::fs::read_dir(d) {
            Ok(e) => e,
            Err(e) => {
                if cert_dir.is_some() {
                    problems.push(format!("SSL_CERT_DIR entry {}: {e}", d.display()));
                }
                continue;
            }
        };
        let mut any = false;
        let mut names: Vec<_> = entries.flatten().collect();
        names.sort_by_key(|e| e.file_name());
        for e in names {
            if same_dir_symlink(&e.path()) {
                continue;
            }
            if let Ok(data) = std::fs::read(e.path()) {
                any |= add(&data, &mut ders) > 0;
            }
        }
        if any {
            sources.push(d.clone());
        }
    }

    let mut store = RootCertStore::empty();
    let (_added, ignored) = store.add_parsable_certificates(ders);
    if ignored > 0 {
        problems.push(format!("{ignored} certificates could not be parsed"));
    }
    Roots {
        store,
        sources,
        from_env: cert_file.is_some() || cert_dir.is_some(),
        problems,
    }
}

/// Go's `isSameDirSymlink`: a symlink whose target has no slash.
fn same_dir_symlink(p: &Path) -> bool {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.file_type().is_symlink() => std::fs::read_link(p)
            .map(|t| !t.to_string_lossy().contains('/'))
            .unwrap_or(false),
        _ => false,
    }
}
