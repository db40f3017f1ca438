//! `msiconf compare OLD.json NEW.json`: what changed between two runs, for a
//! pull-request comment. Exits 1 when anything newly fails.

use super::out;
use msiconf::exit;
use msiconf::report::compare::{compare_files, Format};
use std::path::PathBuf;

/// Output formats of `msiconf compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FormatArg {
    Text,
    Markdown,
}

/// Arguments of `msiconf compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The JSON report of the earlier run.
    #[arg(value_name = "OLD.json")]
    old: PathBuf,
    /// The JSON report of the later run.
    #[arg(value_name = "NEW.json")]
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: FormatArg,
}

/// Prints the comparison; 1 when anything newly fails, else 0.
pub fn run(args: CompareArgs) -> anyhow::Result<u8> {
    let format = match args.format {
        FormatArg::Text => Format::Text,
        FormatArg::Markdown => Format::Markdown,
    };
    let compared = compare_files(&args.old, &args.new, format)?;
    out::print(&compared.text)?;
    Ok(u8::try_from(compared.exit_code).unwrap_or(exit::ERROR))
}
