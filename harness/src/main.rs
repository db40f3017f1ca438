//! The `msiconf` command line. Each subcommand lives in `src/cmd/<name>.rs`:
//! add a variant to [`Command`] and one arm to `main`.

mod cmd;

use clap::{Parser, Subcommand};
use msiconf::exit;
use std::process::ExitCode;

// Plans, transcripts and reports are many small strings: mimalloc runs the
// fuzzer's loop about twice as fast as the system allocator (benches/fuzz.rs).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Conformance harness for the Windows Installer custom-action session API.
#[derive(Debug, Parser)]
#[command(
    name = "msiconf",
    version,
    after_help = "Exit codes: 0 conformant; 1 conformance failures (or an expectation file that does not match the run); 2 usage, case-file or infrastructure error (a runtime that crashed, hung or could not start)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the conformance cases against one or more runtimes.
    Run(cmd::run::RunArgs),
    /// List the cases (or the operations, or the contexts).
    List(cmd::list::ListArgs),
    /// List the built-in runtimes and what each broken one breaks.
    Runtimes,
    /// List the rules with their cases and the broken runtimes that fail them.
    Rules(cmd::rules::RulesArgs),
    /// Compare two JSON reports: newly failing, passing and erroring cases (exit 1 when anything newly fails).
    Compare(cmd::compare::CompareArgs),
    /// Serve the reference model (or a broken one) over the process protocol on stdin/stdout.
    Serve(msiconf::serve::ServeArgs),
    /// Generate session scripts against a runtime and shrink what departs into case files.
    Fuzz(msiconf::fuzz::FuzzArgs),
    /// Remove the msiexec runtime's Wine prefixes, built probes and kept logs.
    Clean,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Fuzz(args) => return msiconf::fuzz::fuzz_main(args),
        Command::Run(args) => cmd::run::run(args),
        Command::List(args) => cmd::list::run(args),
        Command::Runtimes => cmd::runtimes::run(),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Compare(args) => cmd::compare::run(args),
        Command::Clean => cmd::clean::run(),
        Command::Serve(args) => msiconf::serve::run(&args)
            .map(|()| exit::CONFORMANT)
            .map_err(anyhow::Error::from),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}
