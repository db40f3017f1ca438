//! The `msiconf` command line.
//!
//! Only the `serve` subcommand lives here on the protocol branch; the full
//! command line (run, list, reports) is the harness's, and the two meet at merge.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "msiconf", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the reference model (or a broken one) over the process protocol on stdin/stdout.
    Serve(msiconf::serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: anyhow::Result<()> = match &cli.command {
        Command::Serve(args) => msiconf::serve::run(args).map_err(anyhow::Error::from),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("msiconf: {e:#}");
            ExitCode::from(2)
        }
    }
}
