//! `msiconf render REPORT.json --report FORMAT=PATH`: writes a stored JSON
//! report in other formats, with no runtime and no re-judging. A page such as
//! `docs/conformance/wine-8.0.md` is made again this way when only its
//! renderer changed.

use msiconf::exit;
use msiconf::report::{self, ReportSpec};
use std::path::PathBuf;

/// Arguments of `msiconf render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// A JSON report written by `msiconf run` (or `recheck`).
    #[arg(value_name = "REPORT.json")]
    report: PathBuf,
    /// A format to write, such as `markdown=summary.md` or `html=-`. Repeat for several.
    #[arg(long = "report", value_name = "FORMAT=PATH", required = true)]
    reports: Vec<ReportSpec>,
}

/// Writes every asked-for format of the stored report.
pub fn run(args: RenderArgs) -> anyhow::Result<u8> {
    let stored = report::compare::load(&args.report)?;
    for spec in &args.reports {
        report::write(spec, &stored)?;
    }
    Ok(exit::CONFORMANT)
}
