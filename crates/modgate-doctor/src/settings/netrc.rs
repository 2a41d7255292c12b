//! `.netrc` as the go command reads it for `GOAUTH=netrc`
//! (`cmd/go/internal/auth/netrc.go`): `$NETRC`, else `~/.netrc`; an entry counts
//! only once it has a machine, a login and a password; `macdef` bodies are
//! skipped; parsing stops at `default`. Only machine names and logins are
//! kept: the doctor never prints or stores passwords.

use std::path::PathBuf;

use crate::env::Env;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Netrc {
    pub path: Option<PathBuf>,
    /// `(machine, login)` of each complete entry.
    pub machines: Vec<(String, String)>,
}

impl Netrc {
    pub fn load(env: &Env) -> Netrc {
        let path = match env.get("NETRC") {
            Some(p) => Some(PathBuf::from(p)),
            None => env.home().map(|h| h.join(".netrc")),
        };
        let machines = path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map(|data| parse(&data))
            .unwrap_or_default();
        Netrc { path, machines }
    }

    pub fn has(&self, host: &str) -> bool {
        self.machines
            .iter()
            .any(|(m, _)| m.eq_ignore_ascii_case(host))
    }
}

/// Go's `parseNetrc`, keeping machine and login.
pub fn parse(data: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut machine, mut login, mut password) = (String::new(), String::new(), false);
    let mut in_macro = false;
    for line in data.split('\n') {
        if in_macro {
            if line.is_empty() {
                in_macro = false;
            }
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let mut i = 0;
        while i + 1 < f.len() {
            match f[i] {
                "machine" => {
                    machine = f[i + 1].to_string();
                    login.clear();
                    password = false;
                }
                "login" => login = f[i + 1].to_string(),
                "password" => password = true,
                "macdef" => in_macro = true,
                _ => {}
            }
            if !machine.is_empty() && !login.is_empty() && password {
                out.push((std::mem::take(&mut machine), std::mem::take(&mut login)));
                password = false;
            }
            i += 2;
        }
        if f.get(i) == Some(&"default") {
            break;
        }
    }
    out
}
