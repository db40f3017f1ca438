//! The exit codes of `msiconf`, documented in `--help` and tested.

use crate::report::model::{Report, Status};
use crate::report::summary::executed_nothing;

/// Every case passed (or failed exactly as the expectation files say).
pub const CONFORMANT: u8 = 0;
/// A case failed unexpectedly, or an expectation file does not match the run.
pub const FAILURES: u8 = 1;
/// Bad usage, an unreadable case file, or a runtime that could not run
/// (crashed, hung, broke the protocol, failed to set up). It wins over 1:
/// a run that could not look everywhere proves nothing. A run in which
/// every case was skipped is one too, unless `--allow-nothing-executed`.
pub const ERROR: u8 = 2;
/// The run was interrupted (Ctrl-C or SIGTERM) and the reports hold only the
/// cases that finished. 128 + SIGINT, as shells report a process Ctrl-C ended.
pub const INTERRUPTED: u8 = 130;

/// What may pass for a finished run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Leniency {
    /// A run that executed no case (every one skipped) is not an error.
    pub allow_nothing_executed: bool,
}

/// The exit code for a report whose run also met `case_file_errors`
/// unreadable case files: [`INTERRUPTED`] for a partial report, whatever
/// it holds, since the cases left out could have changed any verdict.
pub fn for_report(report: &Report, case_file_errors: usize, leniency: Leniency) -> u8 {
    if report.incomplete.is_some() {
        return INTERRUPTED;
    }
    let cases = || report.runs.iter().flat_map(|r| r.cases.iter());
    if case_file_errors > 0 || cases().any(|c| c.status == Status::Error) {
        return ERROR;
    }
    if !leniency.allow_nothing_executed && report.runs.iter().any(executed_nothing) {
        return ERROR;
    }
    let unexpected = cases().any(|c| c.status == Status::Fail && c.expected_failure.is_none());
    let problems = report
        .runs
        .iter()
        .any(|r| !r.expectation_problems.is_empty());
    if unexpected || problems {
        FAILURES
    } else {
        CONFORMANT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{CaseResult, Run, Tool};
    use crate::runtime::RuntimeInfo;
    use msiconf_spec::Profile;

    fn report(statuses: &[(Status, bool)], problems: &[&str]) -> Report {
        let cases = statuses
            .iter()
            .map(|(status, expected)| CaseResult {
                name: "a/b".into(),
                area: "a".into(),
                description: String::new(),
                rules: vec![],
                status: *status,
                findings: vec![],
                error: None,
                skip_reason: None,
                expected_failure: expected.then(String::new),
                flaky: None,
                plan: None,
                transcript: None,
                transcript_reused_from: None,
                duration_us: 0,
            })
            .collect::<Vec<_>>();
        Report {
            schema_version: 1,
            tool: Tool {
                name: "msiconf".into(),
                version: "0".into(),
            },
            runs: vec![Run {
                runtime: RuntimeInfo {
                    name: "rt".into(),
                    version: "0".into(),
                    contexts: vec![],
                    operations: vec![],
                },
                profile: Profile::Windows,
                totals: crate::runner::totals(&cases),
                cases,
                duration_ms: 0,
                expectation_problems: problems.iter().map(|p| (*p).to_owned()).collect(),
            }],
            rules: vec![],
            provenance: None,
            incomplete: None,
        }
    }

    #[test]
    fn passes_and_skips_are_conformant() {
        let r = report(&[(Status::Pass, false), (Status::Skip, false)], &[]);
        assert_eq!(for_report(&r, 0, Leniency::default()), CONFORMANT);
    }

    #[test]
    fn expected_failures_are_conformant_unexpected_ones_are_not() {
        assert_eq!(
            for_report(
                &report(&[(Status::Fail, true)], &[]),
                0,
                Leniency::default()
            ),
            CONFORMANT
        );
        assert_eq!(
            for_report(
                &report(&[(Status::Fail, false)], &[]),
                0,
                Leniency::default()
            ),
            FAILURES
        );
        assert_eq!(
            for_report(
                &report(&[(Status::Pass, false)], &["stale entry"]),
                0,
                Leniency::default()
            ),
            FAILURES
        );
    }

    #[test]
    fn errors_and_bad_case_files_win() {
        assert_eq!(
            for_report(
                &report(&[(Status::Fail, false), (Status::Error, false)], &[]),
                0,
                Leniency::default()
            ),
            ERROR
        );
        assert_eq!(
            for_report(
                &report(&[(Status::Pass, false)], &[]),
                1,
                Leniency::default()
            ),
            ERROR
        );
    }

    #[test]
    fn a_run_of_nothing_but_skips_is_an_error_unless_allowed() {
        let r = report(&[(Status::Skip, false), (Status::Skip, false)], &[]);
        assert_eq!(for_report(&r, 0, Leniency::default()), ERROR);
        let allow = Leniency {
            allow_nothing_executed: true,
        };
        assert_eq!(for_report(&r, 0, allow), CONFORMANT);
        // A run with no case at all (an empty partition slice) executed nothing it had.
        assert_eq!(
            for_report(&report(&[], &[]), 0, Leniency::default()),
            CONFORMANT
        );
    }

    #[test]
    fn an_interrupted_run_has_its_own_code() {
        let mut r = report(&[(Status::Pass, false), (Status::Fail, false)], &[]);
        r.incomplete = Some("interrupted".into());
        assert_eq!(for_report(&r, 0, Leniency::default()), INTERRUPTED);
    }
}
