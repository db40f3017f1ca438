//! The `msiconf` command line. Each subcommand lives in `src/cmd/<name>.rs`:
//! add a variant to [`Command`] and one arm to `main`.

mod cmd;

use clap::{CommandFactory as _, Parser, Subcommand};
use msiconf::exit;
use std::process::ExitCode;

// Plans, transcripts and reports are many small strings: mimalloc runs the
// fuzzer's loop about twice as fast as the system allocator (benches/fuzz.rs).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `msiconf --version`: the program's version and the revision of the suite built in.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (suite ",
    env!("MSICONF_SUITE_REVISION"),
    ", ",
    env!("MSICONF_SUITE_CASES"),
    " cases built in)"
);

/// Conformance harness for the Windows Installer custom-action session API.
#[derive(Debug, Parser)]
#[command(
    name = "msiconf",
    version = VERSION,
    after_help = "Exit codes: 0 conformant; 1 conformance failures (or an expectation file that does not match the run); 2 usage, case-file or infrastructure error (a runtime that crashed, hung or could not start; a run in which every case was skipped); 130 interrupted (Ctrl-C or SIGTERM: the reports hold the cases that finished, marked incomplete)."
)]
struct Cli {
    /// When to colour the output: `auto` colours a terminal unless NO_COLOR is set.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    color: ColorArg,
    #[command(subcommand)]
    command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
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
    /// Judge the transcripts a report stored (`run --transcripts`) again, with no runtime.
    Recheck(cmd::recheck::RecheckArgs),
    /// Write a stored JSON report in other formats (`--report markdown=PATH`), judging nothing again.
    Render(cmd::render::RenderArgs),
    /// Compare two JSON reports: newly failing, passing and erroring cases (exit 1 when anything newly fails).
    Compare(cmd::compare::CompareArgs),
    /// Serve the reference model (or a broken one) over the process protocol on stdin/stdout.
    Serve(msiconf::serve::ServeArgs),
    /// Generate session scripts against a runtime and shrink what departs into case files.
    Fuzz(msiconf::fuzz::FuzzArgs),
    /// Measure the rule predicates: mutation score per family, and bare differences of the broken runtimes.
    Oracle(cmd::oracle::OracleArgs),
    /// Print a shell completion script (`msiconf completions bash > /etc/bash_completion.d/msiconf`).
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `msiconf man > msiconf.1; man ./msiconf.1`.
    Man,
    /// Remove the msiexec runtime's Wine prefixes, built probes and kept logs.
    Clean,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    anstream::ColorChoice::write_global(match cli.color {
        ColorArg::Auto => anstream::ColorChoice::Auto,
        ColorArg::Always => anstream::ColorChoice::Always,
        ColorArg::Never => anstream::ColorChoice::Never,
    });
    let result = match cli.command {
        Command::Fuzz(args) => return msiconf::fuzz::fuzz_main(args),
        Command::Run(args) => cmd::run::run(args),
        Command::List(args) => cmd::list::run(args),
        Command::Runtimes => cmd::runtimes::run(),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Compare(args) => cmd::compare::run(args),
        Command::Oracle(args) => cmd::oracle::run(args),
        Command::Recheck(args) => cmd::recheck::run(args),
        Command::Render(args) => cmd::render::run(args),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "msiconf", &mut script);
            cmd::out::print(&String::from_utf8_lossy(&script))
                .map(|()| exit::CONFORMANT)
                .map_err(anyhow::Error::from)
        }
        Command::Man => man_page(),
        Command::Clean => cmd::clean::run(),
        Command::Serve(args) => msiconf::serve::run(&args)
            .map(|()| exit::CONFORMANT)
            .map_err(anyhow::Error::from),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // The reader of our output went away (`| head`): it has what it wanted.
        Err(e) if cmd::out::is_broken_pipe(&e) => ExitCode::from(exit::CONFORMANT),
        Err(e) => {
            cmd::out::note(&format!("error: {e:#}"));
            ExitCode::from(exit::ERROR)
        }
    }
}

/// The manual page of `msiconf` (options, subcommands, exit codes), in roff.
fn man_page() -> anyhow::Result<u8> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    cmd::out::print(&String::from_utf8_lossy(&page))?;
    Ok(exit::CONFORMANT)
}
