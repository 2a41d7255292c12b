//! Splits pasted output into error records: one failure each.
//!
//! Go prints one error per line and indents what belongs to it (the
//! `\tserver response:` detail of web.HTTPError, the `\t<git stderr>` of
//! codehost.RunError, `\tdownloaded:`/`\tgo.sum:` of a checksum mismatch,
//! `\tgo mod tidy` hints). Some continuations are not indented: the
//! `SECURITY ERROR` block after a blank line (modfetch/fetch.go constants
//! goSumMismatch, sumdbMismatch, sumdbAbsent) and the two-line hint
//! codehost/git.go appends after `could not read Username`. Those are joined
//! to the record they follow. Progress lines (`go: downloading ...`) are noise.

/// One failure as printed, continuation lines included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    /// The lines, as printed (indentation kept).
    pub lines: Vec<String>,
}

impl Record {
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn first_line(&self) -> &str {
        self.lines.first().map_or("", |l| l.trim())
    }
}

/// Lines that continue the previous record although they are not indented.
const CONTINUATIONS: &[&str] = &[
    "SECURITY ERROR",
    "SECURITY WARNING",
    "This download ",
    "The bits may have been replaced",
    "have intercepted the download attempt",
    "The checksum server ",
    "not contain an entry for the download",
    "intercepted the checksum request",
    "The download cannot be verified",
    "For more information, see 'go help module-auth'",
    "Confirm the import path was entered correctly",
    "If this is a private repository, see",
];

/// Progress and success lines go prints on the way; never an error.
const NOISE: &[&str] = &[
    "go: downloading ",
    "go: finding ",
    "go: found ",
    "go: added ",
    "go: upgraded ",
    "go: downgraded ",
    "go: removed ",
    "go: extracting ",
    "go: switching to ",
    "go: warning: ignoring symlink",
    "all modules verified",
];

fn is_noise(line: &str) -> bool {
    let t = line.trim();
    t.is_empty()
        || NOISE.iter().any(|n| t.starts_with(n))
        // `go: example.com/m requires go >= 1.23; switching to go1.23.4`.
        || (t.starts_with("go: ") && t.contains("; switching to go"))
        // `go ... -x` traces: `# get <url>` and `# get <url>: 200 OK (0.1s)`;
        // a traced failure is printed again as the real error.
        || t.starts_with("# get ")
        // A shell prompt echoing the command (`$ go mod tidy`, `PS C:\x> go build`).
        || t.starts_with("$ ")
        || (t.starts_with("PS ") && t.contains("> "))
}

fn continues(line: &str) -> bool {
    line.starts_with([' ', '\t'])
        || CONTINUATIONS
            .iter()
            .any(|c| line.trim_start().starts_with(c))
}

/// Splits `text` into records; noise lines are dropped.
pub(crate) fn split(text: &str) -> Vec<Record> {
    let mut records: Vec<Record> = Vec::new();
    let mut open = false;
    for raw in text.lines() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            // A blank line keeps the record open: the SECURITY ERROR block
            // and git's stderr contain blank lines.
            continue;
        }
        if open && continues(line) {
            if let Some(r) = records.last_mut() {
                r.lines.push(line.to_string());
            }
            continue;
        }
        if is_noise(line) {
            open = false;
            continue;
        }
        records.push(Record {
            lines: vec![line.to_string()],
        });
        open = true;
    }
    records
}
