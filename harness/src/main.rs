//! The `msiconf` command line. (Only `fuzz` is mounted on this branch; the
//! harness's own subcommands join it at merge.)

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
    /// Generate session scripts against a runtime and shrink what departs into case files.
    Fuzz(msiconf::fuzz::FuzzArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Fuzz(args) => msiconf::fuzz::fuzz_main(args),
    }
}
