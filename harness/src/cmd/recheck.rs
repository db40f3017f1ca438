//! `msiconf recheck REPORT.json`: judges the transcripts a report stored
//! (`msiconf run --transcripts`) again, with this msiconf's cases and rule
//! predicates. No runtime is needed, so a run made on one machine (or one
//! engine build) can be re-judged anywhere, after a predicate is fixed say.

use super::out;
use super::run::{load_expectations, summarise_and_write};
use anyhow::bail;
use msiconf::check::check_case_with;
use msiconf::exit;
use msiconf::report::model::{CaseError, Report, Run, Status};
use msiconf::report::{self, ReportSpec};
use msiconf::runner::totals;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Arguments of `msiconf recheck`.
#[derive(Debug, clap::Args)]
pub struct RecheckArgs {
    /// A JSON report written by `msiconf run --transcripts`.
    #[arg(value_name = "REPORT.json")]
    report: PathBuf,
    /// The folder of case files [default: `cases` when the current folder
    /// has one, else the suite built into msiconf].
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,
    /// An expectation file, as for `msiconf run`.
    #[arg(long = "expect", value_name = "FILE")]
    expect: Vec<PathBuf>,
    /// Write the re-judged report, such as `json=rechecked.json` (`-` for
    /// standard output). By default only the summary is printed.
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    reports: Vec<ReportSpec>,
    /// Print only the summary.
    #[arg(long, short)]
    quiet: bool,
}

/// Re-judges every stored transcript; exits as `msiconf run` would have.
pub fn run(args: RecheckArgs) -> anyhow::Result<u8> {
    let old = report::compare::load(&args.report)?;
    let suite = super::load_suite(args.cases.as_deref())?;
    let rules = msiconf_spec::rules::catalog();
    let mut runs = Vec::new();
    let mut missing = 0;
    for run in &old.runs {
        let mut cases = Vec::new();
        for stored in &run.cases {
            let mut case = stored.clone();
            case.expected_failure = None;
            case.flaky = None;
            // Errors and skips produced no transcript: they stay as they were.
            if !matches!(stored.status, Status::Pass | Status::Fail) {
                cases.push(case);
                continue;
            }
            let (Some(plan), Some(transcript)) = (&stored.plan, &stored.transcript) else {
                missing += 1;
                continue;
            };
            let changed = |message: &str| CaseError {
                message: message.to_owned(),
                output: String::new(),
            };
            match suite.case(&stored.name) {
                Some(current) if *current.plan == *plan => {
                    case.findings = check_case_with(current, run.profile, transcript, rules);
                    case.status = if case.findings.is_empty() {
                        Status::Pass
                    } else {
                        Status::Fail
                    };
                }
                Some(_) => {
                    case.findings.clear();
                    case.status = Status::Error;
                    case.error = Some(changed(
                        "the case asks for another plan than the stored one: run it again",
                    ));
                }
                None => {
                    case.findings.clear();
                    case.status = Status::Error;
                    case.error = Some(changed("the case is no longer in the suite"));
                }
            }
            cases.push(case);
        }
        runs.push(Run {
            totals: totals(&cases),
            cases,
            expectation_problems: Vec::new(),
            ..run.clone()
        });
    }
    if missing > 0 {
        bail!(
            "report `{}` holds no transcript for {missing} case(s): write it with `msiconf run --transcripts`",
            args.report.display()
        );
    }
    let mut names: Vec<String> = old.runs.iter().map(|r| r.runtime.name.clone()).collect();
    names.dedup();
    let all_names: BTreeSet<&str> = suite.cases.iter().map(|c| c.name.as_str()).collect();
    let expectations = load_expectations(&args.expect, &names, &all_names)?;
    let exists = |name: &str| all_names.contains(name);
    for run in &mut runs {
        if let Some((_, file)) = expectations.iter().find(|(n, _)| *n == run.runtime.name) {
            file.apply(run, &exists);
        }
    }
    let mut report: Report = report::build(runs, &suite);
    report.provenance = old.provenance.clone();
    report.incomplete = old.incomplete.clone();
    if let Some(path) = summarise_and_write(&report, &args.reports, args.quiet) {
        bail!("failed to write report `{}` (see above)", path.display());
    }
    if !args.quiet {
        out::note(&format!(
            "re-judged the transcripts of `{}` with this msiconf's cases and predicates",
            args.report.display()
        ));
    }
    Ok(exit::for_report(
        &report,
        suite.errors.len(),
        exit::Leniency::default(),
    ))
}
