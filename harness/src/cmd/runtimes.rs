//! `msiconf runtimes`: the built-in runtimes.

use super::out;
use msiconf::exit;
use msiconf::runtimes::builtin_runtimes;
use std::fmt::Write as _;

/// Prints each built-in runtime, what it is, and the rules it is built to break.
pub fn run() -> anyhow::Result<u8> {
    let all = builtin_runtimes();
    let width = all.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for rt in all {
        if rt.breaks.is_empty() {
            let _ = writeln!(text, "{:<width$}  {}", rt.name, rt.description);
        } else {
            let _ = writeln!(
                text,
                "{:<width$}  {} (breaks {})",
                rt.name,
                rt.description,
                rt.breaks.join(", ")
            );
        }
    }
    let _ = writeln!(
        text,
        "{:<width$}  a program speaking the process protocol of docs/protocol.md on stdin/stdout",
        "cmd:<command line>"
    );
    let _ = writeln!(
        text,
        "{:<width$}  Wine's installer engine through the probe custom actions (docs/msiexec.md)",
        "msiexec"
    );
    let _ = writeln!(
        text,
        "\nAny of them as NAME=SPEC runs SPEC under the name NAME in reports and comparisons."
    );
    out::print(&text)?;
    Ok(exit::CONFORMANT)
}
