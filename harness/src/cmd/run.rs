//! `msiconf run`: run the suite and write the reports.

use super::out;
use anyhow::bail;
use msiconf::case::{dir_revision, embedded, Case};
use msiconf::expectations::ExpectationFile;
use msiconf::partition::Partition;
use msiconf::report::model::{CaseResult, Host, Provenance, Report, Run, Status};
use msiconf::report::summary::executed_nothing;
use msiconf::report::terminal::{LineReporter, ProgressReporter};
use msiconf::report::{self, ReportSpec};
use msiconf::runner::{self, Reporter, RunOptions, RunSpec};
use msiconf::runtime::RuntimeInfo;
use msiconf::runtimes::process::ProcessOptions;
use msiconf::runtimes::{build_runtime_with, runtime_name};
use msiconf::{exit, runtime::Runtime};
use msiconf_spec::Profile;
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A profile on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ProfileArg {
    Documented,
    Windows,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Profile {
        match p {
            ProfileArg::Documented => Profile::Documented,
            ProfileArg::Windows => Profile::Windows,
        }
    }
}

/// Arguments of `msiconf run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// A runtime to test: `reference`, `broken:<name>` (see `msiconf runtimes`),
    /// `cmd:<command line>` (a program speaking docs/protocol.md) or `msiexec`.
    /// `NAME=SPEC` runs SPEC under the name NAME in reports, expectation files
    /// and `compare` (`wine=msiexec`). Repeat for several.
    #[arg(
        long = "runtime",
        value_name = "[NAME=]SPEC",
        default_value = "reference"
    )]
    runtimes: Vec<String>,
    /// The profile to check against. Repeat for both.
    #[arg(long = "profile", value_enum, default_value = "windows")]
    profiles: Vec<ProfileArg>,
    /// The folder of case files [default: `cases` when the current folder
    /// has one, else the suite built into msiconf].
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,
    #[command(flatten)]
    select: super::SelectArgs,
    /// An expectation file (TOML) listing the failures a runtime is known to have.
    /// With several runtimes, each file names its runtime (`runtime = "..."`).
    #[arg(long = "expect", value_name = "FILE")]
    expect: Vec<PathBuf>,
    /// Write an expectation file that makes this run pass (one runtime only).
    #[arg(long, value_name = "FILE", conflicts_with = "expect")]
    update_expectations: Option<PathBuf>,
    /// Write a report, such as `json=report.json`, or `json=-` for standard
    /// output (the summary then goes to standard error). Repeat for several.
    /// Default: every format under target/msiconf/ (json=target/msiconf/report.json).
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    reports: Vec<ReportSpec>,
    /// Cases to run at once (default: the number of cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Run only slice K of N (1-based), a stable split for CI.
    #[arg(long, value_name = "K/N")]
    partition: Option<Partition>,
    /// Seconds one case may take before it counts as an error.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,
    /// Exit 0 even when a runtime skipped every case (by default a run that
    /// executed nothing is an error: it proves nothing).
    #[arg(long)]
    allow_nothing_executed: bool,
    /// Run a case that fails unexpectedly (or errors) up to N more times; one
    /// that then passes is reported FLAKY, not PASS.
    #[arg(long, value_name = "N", default_value_t = 0)]
    retries: u32,
    /// Seconds a `cmd:` runtime's process may take to answer the handshake
    /// (a JVM, .NET or Wine-hosted adapter may need more than the default).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    handshake_timeout: f64,
    /// Write each plan a `cmd:` runtime is sent, and the line it answered, to a
    /// file of its own in DIR (`runtime-N-plan-ID.jsonl`; `runtime-N.name` names the runtime).
    #[arg(long, value_name = "DIR")]
    trace: Option<std::path::PathBuf>,
    /// Keep every case's plan and transcript in the JSON report, so that
    /// `msiconf recheck` can judge the run again without the runtime.
    #[arg(long)]
    transcripts: bool,
    /// Print only the summary: no progress, no notes about the reports written.
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Outside a terminal, print a line for every case as it finishes (by
    /// default only a line per run; the summary lists every failure).
    #[arg(long, short)]
    verbose: bool,
}

/// `--report` values, or every format under `target/msiconf/`.
pub(super) fn reports_or_default(given: &[ReportSpec]) -> Vec<ReportSpec> {
    if given.is_empty() {
        report::DEFAULT_REPORTS
            .iter()
            .map(|(format, path)| ReportSpec {
                format: (*format).to_owned(),
                path: PathBuf::from(path),
            })
            .collect()
    } else {
        given.to_vec()
    }
}

/// Runs the suite, prints the summary, writes the reports, and gives the exit code.
pub fn run(args: RunArgs) -> anyhow::Result<u8> {
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        bail!(
            "invalid --timeout {}: give a positive number of seconds",
            args.timeout
        );
    }
    // Repeats are dropped, the order of first mention kept.
    let mut profiles: Vec<Profile> = Vec::new();
    for p in &args.profiles {
        let p = Profile::from(*p);
        if !profiles.contains(&p) {
            profiles.push(p);
        }
    }
    // Each runtime once, by the name it gets in reports (its alias, if any).
    let mut runtimes: Vec<&str> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for given in &args.runtimes {
        let name = runtime_name(given);
        match runtimes.iter().find(|r| runtime_name(r) == name) {
            Some(other) if *other != given.as_str() => bail!(
                "two runtimes are named `{name}` (`{other}` and `{given}`): give one another name with --runtime NAME=SPEC"
            ),
            Some(_) => {}
            None => {
                runtimes.push(given);
                names.push(name.to_owned());
            }
        }
    }
    let to_stdout: Vec<&ReportSpec> = args.reports.iter().filter(|r| r.is_stdout()).collect();
    if to_stdout.len() > 1 {
        bail!("only one report can go to standard output (`FORMAT=-`)");
    }
    if !(args.handshake_timeout.is_finite() && args.handshake_timeout > 0.0) {
        bail!(
            "invalid --handshake-timeout {}: give a positive number of seconds",
            args.handshake_timeout
        );
    }
    let process = ProcessOptions {
        handshake_timeout: Duration::from_secs_f64(args.handshake_timeout),
        trace: args.trace.clone(),
        ..ProcessOptions::default()
    };
    let mut specs = Vec::new();
    for given in &runtimes {
        for profile in &profiles {
            let runtime: Arc<dyn Runtime> =
                Arc::from(build_runtime_with(given, *profile, &process)?);
            specs.push(RunSpec {
                runtime,
                profile: *profile,
            });
        }
    }
    let suite = super::load_suite(args.cases.as_deref())?;
    let matching = args.select.selection(&suite)?.apply(&suite.cases);
    if matching.is_empty() && suite.errors.is_empty() {
        let how = args.select.describe();
        bail!(
            "no cases selected in `{}`{}{how}",
            super::suite_origin(args.cases.as_deref()).display(),
            if how.is_empty() { "" } else { " " }
        );
    }
    // An empty slice is fine: a small suite spread over many CI machines has some.
    let selected: Vec<_> = matching
        .into_iter()
        .filter(|c| args.partition.is_none_or(|p| p.contains(&c.name)))
        .collect();
    let all_names: BTreeSet<&str> = suite.cases.iter().map(|c| c.name.as_str()).collect();
    let expectations = load_expectations(&args.expect, &names, &all_names)?;
    if args.update_expectations.is_some() && names.len() != 1 {
        bail!("--update-expectations writes the file of one runtime; give exactly one --runtime");
    }

    let options = RunOptions {
        jobs: args.jobs.unwrap_or_else(runner::default_jobs).max(1),
        timeout: Duration::from_secs_f64(args.timeout),
        keep_transcripts: args.transcripts,
        ..RunOptions::default()
    };
    let expected = |info: &RuntimeInfo, profile: Profile, case: &CaseResult| {
        expectations
            .iter()
            .any(|(name, file)| *name == info.name && file.expects(profile, case))
    };
    let progress = ProgressReporter::new(Some(&expected));
    let lines = LineReporter {
        every_case: args.verbose,
        expected: Some(&expected),
    };
    let reporter: &dyn Reporter = if args.quiet {
        &runner::Silent
    } else if std::io::stderr().is_terminal() {
        &progress
    } else {
        &lines
    };
    catch_interruptions();
    let started = std::time::SystemTime::now();
    let mut runs = runner::run_all(&selected, &specs, &options, reporter);
    let exists = |name: &str| all_names.contains(name);
    if args.retries > 0 {
        for (run, spec) in runs.iter_mut().zip(&specs) {
            let file = expectations
                .iter()
                .find(|(n, _)| *n == run.runtime.name)
                .map(|(_, f)| f);
            retry_failures(run, spec, file, &exists, &selected, args.retries, &options);
        }
    }
    let interrupted = runner::stop_requested();

    if let Some(path) = &args.update_expectations {
        let previous = if path.exists() {
            Some(ExpectationFile::load(path)?)
        } else {
            None
        };
        let refs: Vec<_> = runs.iter().collect();
        let file = ExpectationFile::from_runs(&names[0], &refs, previous.as_ref());
        file.save(path)?;
        out::note(&format!("wrote expectations {}", path.display()));
        for run in &mut runs {
            file.apply(run, &exists);
        }
    } else {
        for run in &mut runs {
            if let Some(file) = expectations.iter().find(|(n, _)| *n == run.runtime.name) {
                file.1.apply(run, &exists);
            }
        }
    }

    let mut report = report::build(runs, &suite);
    report.provenance = Some(provenance(args.cases.as_deref(), started));
    if interrupted {
        report.incomplete = Some(
            "interrupted (Ctrl-C or SIGTERM): only the cases that finished are reported".to_owned(),
        );
    }
    let failed = summarise_and_write(&report, &reports_or_default(&args.reports), args.quiet);
    if !suite.errors.is_empty() {
        out::note(&format!(
            "{} case file(s) could not be read (see above)",
            suite.errors.len()
        ));
    }
    if let Some(path) = failed {
        bail!("failed to write report `{}` (see above)", path.display());
    }
    let leniency = exit::Leniency {
        allow_nothing_executed: args.allow_nothing_executed,
    };
    let code = exit::for_report(&report, suite.errors.len(), leniency);
    if interrupted {
        out::note(
            "interrupted: the reports hold the cases that finished and are marked incomplete",
        );
    } else if code == exit::ERROR && !leniency.allow_nothing_executed {
        for run in report.runs.iter().filter(|r| executed_nothing(r)) {
            out::note(&format!(
                "error: runtime `{}` ({}) executed none of its {} case(s): every one was skipped (see the reasons above); pass --allow-nothing-executed if that is intended",
                run.runtime.name,
                run.profile,
                run.cases.len()
            ));
        }
    }
    Ok(code)
}

/// Prints the summary and writes every report; gives the path of a report
/// that could not be written. Every report is attempted even if one fails, so
/// a bad path loses no other result.
pub(super) fn summarise_and_write(
    report: &Report,
    reports: &[ReportSpec],
    quiet: bool,
) -> Option<PathBuf> {
    let summary = report::terminal::summary_in_colour(report);
    // The summary gives way to a report on standard output; a reader that
    // went away (`| head`) does not stop the reports from being written.
    if reports.iter().any(ReportSpec::is_stdout) {
        out::note(summary.trim_end());
    } else {
        let _ = out::print(&summary);
    }
    let mut failed = None;
    for spec in reports {
        match report::write(spec, report) {
            Ok(()) if spec.is_stdout() || quiet => {}
            Ok(()) => out::note(&format!(
                "wrote {} report {}",
                spec.format,
                spec.path.display()
            )),
            Err(e) => {
                out::note(&format!("error: {:#}", anyhow::Error::from(e)));
                failed = Some(spec.path.clone());
            }
        }
    }
    failed
}

/// What the JSON report records about the run: when, the command line, the
/// suite and its revision, and the machine.
fn provenance(cases: Option<&std::path::Path>, started: std::time::SystemTime) -> Provenance {
    let origin = super::suite_origin(cases);
    let suite_revision = if origin == std::path::Path::new(embedded::ORIGIN) {
        embedded::REVISION.to_owned()
    } else {
        dir_revision(&origin).unwrap_or_else(|_| "unknown".to_owned())
    };
    Provenance {
        started: chrono::DateTime::<chrono::Utc>::from(started)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        command_line: std::env::args().collect(),
        cases: origin.display().to_string(),
        suite_revision,
        host: Host::this(),
    }
}

/// Turns the first Ctrl-C (or SIGTERM) into a stop request, so the run ends
/// with a partial report; a second one ends the process at once.
fn catch_interruptions() {
    #[cfg(unix)]
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let flag = runner::stop_flag();
        let registered = signal_hook::flag::register_conditional_shutdown(
            signal,
            i32::from(exit::INTERRUPTED),
            std::sync::Arc::clone(flag),
        )
        .and_then(|_| signal_hook::flag::register(signal, std::sync::Arc::clone(flag)));
        if let Err(e) = registered {
            out::note(&format!(
                "warning: cannot catch signal {signal}: {e}; an interrupted run will write no report"
            ));
        }
    }
}

/// Runs again, up to `retries` times each, the cases of `run` that failed
/// unexpectedly (as `file` judges them) or errored. A case that passes on a
/// retry is kept as a pass marked flaky, with the first failure named.
fn retry_failures(
    run: &mut Run,
    spec: &RunSpec,
    file: Option<&ExpectationFile>,
    exists: &dyn Fn(&str) -> bool,
    selected: &[Arc<Case>],
    retries: u32,
    options: &RunOptions,
) {
    let mut judged = run.clone();
    if let Some(file) = file {
        file.apply(&mut judged, exists);
    }
    let info = spec.runtime.info();
    for (slot, first) in run.cases.iter_mut().zip(&judged.cases) {
        let unexpected = match first.status {
            Status::Fail => first.expected_failure.is_none(),
            Status::Error => true,
            Status::Pass | Status::Skip => false,
        };
        let Some(case) = selected.iter().find(|c| c.name == first.name) else {
            continue;
        };
        if !unexpected {
            continue;
        }
        let what = match (first.status, first.findings.first(), &first.error) {
            (Status::Fail, Some(f), _) => format!(
                "failed ({}: expected {}, observed {})",
                f.rule, f.expected, f.observed
            ),
            (_, _, Some(e)) => format!("errored ({})", e.message),
            _ => "failed".to_owned(),
        };
        for attempt in 2..=retries.saturating_add(1) {
            if runner::stop_requested() {
                return;
            }
            let mut again = runner::run_case(case, &spec.runtime, &info, spec.profile, options);
            if again.status == Status::Pass {
                again.flaky = Some(format!("{what} on attempt 1; passed on attempt {attempt}"));
                *slot = again;
                break;
            }
        }
    }
    run.totals = runner::totals(&run.cases);
}

/// Reads the expectation files, checks them against the suite and the rule
/// catalog, and pairs each with its runtime.
pub(super) fn load_expectations(
    paths: &[PathBuf],
    runtimes: &[String],
    cases: &BTreeSet<&str>,
) -> anyhow::Result<Vec<(String, ExpectationFile)>> {
    let rules = msiconf_spec::rules::catalog().iter().map(|r| r.id);
    let mut out: Vec<(String, ExpectationFile)> = Vec::new();
    for path in paths {
        let file = ExpectationFile::load_checked(path, cases, rules.clone())?;
        let runtime = match (&file.runtime, runtimes) {
            (Some(name), _) => name.clone(),
            (None, [only]) if paths.len() == 1 => only.clone(),
            (None, _) => bail!(
                "expectation file `{}` names no runtime; with several runtimes or files, add `runtime = \"NAME\"`",
                path.display()
            ),
        };
        if !runtimes.contains(&runtime) {
            bail!(
                "expectation file `{}` is for runtime `{runtime}`, which this run does not test",
                path.display()
            );
        }
        if out.iter().any(|(n, _)| *n == runtime) {
            bail!("two expectation files for runtime `{runtime}`");
        }
        out.push((runtime, file));
    }
    Ok(out)
}
