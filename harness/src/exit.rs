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
