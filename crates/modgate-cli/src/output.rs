//! How the CLI reports failures: one specific line first, details after.

/// Prints `modgate: <context>: <cause>` as one line, then any detail lines a
/// multi-problem error carries (each problem on its own line, indented).
pub fn report_error(err: &anyhow::Error) {
    let mut text = format!("{err:#}");
    if let Some((first, rest)) = text.split_once('\n') {
        let details: Vec<String> = rest.lines().map(|l| format!("\t{l}")).collect();
        text = format!("{first}\n{}", details.join("\n"));
    }
    eprintln!("modgate: {text}");
}
