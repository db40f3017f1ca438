//! `msiconf runtimes`: the built-in runtimes.

use msiconf::exit;
use msiconf::runtimes::builtin_runtimes;

/// Prints each built-in runtime, what it is, and the rules it is built to break.
pub fn run() -> anyhow::Result<u8> {
    let all = builtin_runtimes();
    let width = all.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for rt in all {
        if rt.breaks.is_empty() {
            println!("{:<width$}  {}", rt.name, rt.description);
        } else {
            println!(
                "{:<width$}  {} (breaks {})",
                rt.name,
                rt.description,
                rt.breaks.join(", ")
            );
        }
    }
    Ok(exit::CONFORMANT)
}
