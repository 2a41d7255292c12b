//! How the CLI writes: results to stdout through [`outln!`]/[`out!`], failures
//! to stderr as one specific line first, details after.

use std::io::Write;

/// Prints to stdout like `print!`, without `print!`'s panic when stdout is
/// closed (`modgate zip check x.zip | head -1`): a reader that went away is
/// not an error, the rest of the output is simply not wanted, and the command
/// still exits with the status its result calls for.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!($($arg)*))?
    };
}

/// [`out!`] with a trailing newline, like `println!`.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))?
    };
}

/// Writes formatted text to stdout and flushes it (see [`out!`]).
pub fn write_stdout(args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    ignore_closed_reader(stdout.write_fmt(args).and_then(|()| stdout.flush()))
}

/// Writes raw bytes to stdout and flushes them (see [`out!`]).
pub fn write_stdout_bytes(bytes: &[u8]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    ignore_closed_reader(stdout.write_all(bytes).and_then(|()| stdout.flush()))
}

fn ignore_closed_reader(result: std::io::Result<()>) -> std::io::Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Prints `modgate: <context>: <cause>` on stderr: the first line names what
/// failed and why; when the cause lists several problems (for example each
/// invalid file of a module zip), each follows on its own indented line.
pub fn report_error(err: &anyhow::Error) {
    let text = error_text(err);
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    let mut out = format!("modgate: {first}");
    for line in lines {
        out.push_str("\n\t");
        out.push_str(line);
    }
    eprintln!("{out}");
}

/// Joins the error chain with `": "`, leaving out a cause whose text the
/// error above it already contains. The core's errors print Go's full text
/// (`open x: no such file or directory`) and still expose their cause as
/// `source()` for programs; printed naively, the reason would appear twice.
pub fn error_text(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        let said = parts
            .last()
            .is_some_and(|prev| normalized(prev).contains(&normalized(&text)));
        if !said {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// Lower-cases and drops Rust's ` (os error N)` suffix, so an io::Error and
/// Go's text for the same errno compare equal.
fn normalized(text: &str) -> String {
    let text = match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => &text[..i],
        _ => text,
    };
    text.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_already_in_the_text_are_not_repeated() {
        let io = std::io::Error::from_raw_os_error(2);
        let err = anyhow::Error::new(io)
            .context("open x.zip: no such file or directory")
            .context("cannot hash x.zip");
        assert_eq!(
            error_text(&err),
            "cannot hash x.zip: open x.zip: no such file or directory"
        );
    }

    #[test]
    fn distinct_causes_are_kept() {
        let err = anyhow::anyhow!("disk full").context("cannot write out.zip");
        assert_eq!(error_text(&err), "cannot write out.zip: disk full");
    }
}
