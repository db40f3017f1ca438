//! The exit codes of `msiconf`, documented in `--help` and tested.

use crate::report::model::{Report, Status};

/// Every case passed (or failed exactly as the expectation files say).
pub const CONFORMANT: u8 = 0;
/// A case failed unexpectedly, or an expectation file does not match the run.
pub const FAILURES: u8 = 1;
/// Bad usage, an unreadable case file, or a runtime that could not run
/// (crashed, hung, broke the protocol, failed to set up). It wins over 1:
/// a run that could not look everywhere proves nothing.
pub const ERROR: u8 = 2;

/// The exit code for a finished run that also met `case_file_errors` unreadable case files.
pub fn for_report(report: &Report, case_file_errors: usize) -> u8 {
    let cases = || report.runs.iter().flat_map(|r| r.cases.iter());
    if case_file_errors > 0 || cases().any(|c| c.status == Status::Error) {
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
        }
    }

    #[test]
    fn passes_and_skips_are_conformant() {
        let r = report(&[(Status::Pass, false), (Status::Skip, false)], &[]);
        assert_eq!(for_report(&r, 0), CONFORMANT);
    }

    #[test]
    fn expected_failures_are_conformant_unexpected_ones_are_not() {
        assert_eq!(
            for_report(&report(&[(Status::Fail, true)], &[]), 0),
            CONFORMANT
        );
        assert_eq!(
            for_report(&report(&[(Status::Fail, false)], &[]), 0),
            FAILURES
        );
        assert_eq!(
            for_report(&report(&[(Status::Pass, false)], &["stale entry"]), 0),
            FAILURES
        );
    }

    #[test]
    fn errors_and_bad_case_files_win() {
        assert_eq!(
            for_report(
                &report(&[(Status::Fail, false), (Status::Error, false)], &[]),
                0
            ),
            ERROR
        );
        assert_eq!(for_report(&report(&[(Status::Pass, false)], &[]), 1), ERROR);
    }
}
