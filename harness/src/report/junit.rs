//! JUnit XML, for CI systems.
//!
//! The output follows the Jenkins flavour of the format, which `quick-junit`
//! writes: one `<testsuite>` per runtime, profile and area (named
//! `runtime/profile/area`), one `<testcase>` per case.
//!
//! - A failed case has one `<failure>`: `quick-junit` gives a test case one
//!   status, and Jenkins keeps only the first failure of a test case anyway. Its
//!   `type` is the rule ID of the first finding and its message says expected
//!   versus observed; the body lists every finding with its rule, step and call.
//! - A case that errored has an `<error>` whose body is what the runtime printed.
//! - A skipped case has `<skipped>` with the reason.
//! - An expected failure (listed in the expectation file) is written as
//!   `<skipped>` whose message starts with `expected failure`, as pytest does
//!   for xfail: it does not turn CI red, and its findings stay in the body.
//! - A flaky case (it passed on a retry, or the expectation file lists it as
//!   flaky and it passed) passes, with one `<flakyFailure>` whose message
//!   starts with `flaky` and says what happened, as cargo-nextest and Maven
//!   Surefire write it.
//! - Problems with the expectation file (an expected failure that passed, an
//!   entry matching no case) fail the run, so each becomes a failing test case
//!   in a suite `runtime/profile/expectations`.
//!
//! - A case whose transcript was reused from the run under another profile
//!   (msiexec runs each plan once) says so in `<system-out>` (the Jenkins
//!   schema gives test cases no properties): its time is the check alone.
//!
//! Runtime name and version, profile and tool name and version are properties
//! of every suite. Since JUnit has one `<skipped>` for both, each suite also
//! counts them apart: `cases.expected-failures` (expected failures written as
//! `<skipped>`) and `cases.skipped` (cases that could not run), which add up to
//! the suite's `skipped` attribute. Nothing depends on the clock, so the same report always
//! renders the same XML.

use super::escape::{self, visible};
use super::findings::departures;
use super::model::{CaseError, CaseResult, Finding, Report, Run, Status};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestRerun, TestSuite};
use std::fmt::Write as _;
use std::time::Duration;

/// Why the JUnit XML could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum JunitError {
    /// The XML writer failed.
    #[error("failed to write the junit xml")]
    Serialize(#[from] quick_junit::SerializeError),
}

/// The suite name used for problems with the expectation file.
pub const EXPECTATIONS_SUITE: &str = "expectations";

/// The `type` of a test case standing for a problem with the expectation file.
pub const EXPECTATION_PROBLEM_TYPE: &str = "expectation-problem";

/// The `type` of an `<error>` for a case the runtime could not finish.
pub const RUNTIME_ERROR_TYPE: &str = "runtime-error";

/// How the message of a flaky pass's `<flakyFailure>` starts.
pub const FLAKY_PREFIX: &str = "flaky";

/// How the skip message of an expected failure starts.
pub const EXPECTED_FAILURE_PREFIX: &str = "expected failure";

/// The suite property counting expected failures (written as `<skipped>`).
pub const EXPECTED_FAILURES_PROPERTY: &str = "cases.expected-failures";

/// The suite property counting cases that could not run (real skips).
pub const SKIPPED_PROPERTY: &str = "cases.skipped";

/// How `<system-out>` of a case with a reused transcript starts.
pub const REUSED_PREFIX: &str = "transcript reused from profile";

fn reused_note(profile: msiconf_spec::Profile) -> String {
    format!(
        "{REUSED_PREFIX} {profile}: not executed again for this run; its time is the check alone"
    )
}

/// Renders `report` as JUnit XML.
pub fn render(report: &Report) -> Result<String, JunitError> {
    let mut out = quick_junit::Report::new(report.tool.name.as_str());
    let mut total_ms: u64 = 0;
    for run in &report.runs {
        total_ms = total_ms.saturating_add(run.duration_ms);
        for (area, cases) in areas(run) {
            let mut suite = new_suite(report, run, &area);
            let expected = cases
                .iter()
                .filter(|c| c.status == Status::Fail && c.expected_failure.is_some())
                .count();
            let skipped = cases.iter().filter(|c| c.status == Status::Skip).count();
            suite.add_properties([
                Property::new(EXPECTED_FAILURES_PROPERTY, expected.to_string()),
                Property::new(SKIPPED_PROPERTY, skipped.to_string()),
            ]);
            let mut time = Duration::ZERO;
            for case in cases {
                let duration = Duration::from_micros(case.duration_us);
                time += duration;
                let mut tc = TestCase::new(case.name.as_str(), case_status(case));
                tc.set_classname(suite.name.as_str());
                tc.set_time(duration);
                if let Some(profile) = case.transcript_reused_from {
                    // The time is real but covers only the check: say where
                    // the execution was, rather than let it pass for a fast one.
                    tc.set_system_out(reused_note(profile));
                }
                suite.add_test_case(tc);
            }
            suite.set_time(time);
            out.add_test_suite(suite);
        }
        if !run.expectation_problems.is_empty() {
            let mut suite = new_suite(report, run, EXPECTATIONS_SUITE);
            for (i, problem) in run.expectation_problems.iter().enumerate() {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(visible(problem));
                status.set_type(EXPECTATION_PROBLEM_TYPE);
                let mut tc = TestCase::new(format!("{EXPECTATIONS_SUITE}#{}", i + 1), status);
                tc.set_classname(suite.name.as_str());
                suite.add_test_case(tc);
            }
            suite.set_time(Duration::ZERO);
            out.add_test_suite(suite);
        }
    }
    out.set_time(Duration::from_millis(total_ms));
    Ok(out.to_string()?)
}

/// The suite name of `area` on `run`: `runtime/profile/area`.
pub fn suite_name(run: &Run, area: &str) -> String {
    format!("{}/{}/{}", run.runtime.name, run.profile, area)
}

fn new_suite(report: &Report, run: &Run, area: &str) -> TestSuite {
    let mut suite = TestSuite::new(suite_name(run, area));
    suite.add_properties([
        Property::new("runtime.name", run.runtime.name.as_str()),
        Property::new("runtime.version", run.runtime.version.as_str()),
        Property::new("profile", run.profile.name()),
        Property::new("tool.name", report.tool.name.as_str()),
        Property::new("tool.version", report.tool.version.as_str()),
    ]);
    let (reused, from) = run.reused_transcripts();
    if reused > 0 {
        let from: Vec<&str> = from.iter().map(|p| p.name()).collect();
        suite.add_properties([
            Property::new("transcripts.reused", reused.to_string()),
            Property::new("transcripts.reused-from", from.join(",")),
        ]);
    }
    suite
}

/// The run's cases grouped by area, areas in order of first appearance.
fn areas(run: &Run) -> Vec<(String, Vec<&CaseResult>)> {
    let mut out: Vec<(String, Vec<&CaseResult>)> = Vec::new();
    for case in &run.cases {
        match out.iter_mut().find(|(a, _)| *a == case.area) {
            Some((_, cases)) => cases.push(case),
            None => out.push((case.area.clone(), vec![case])),
        }
    }
    out
}

fn case_status(case: &CaseResult) -> TestCaseStatus {
    match case.status {
        Status::Pass => {
            let mut status = TestCaseStatus::success();
            if let Some(why) = &case.flaky {
                let mut rerun = TestRerun::new(NonSuccessKind::Failure);
                rerun.set_message(format!("{FLAKY_PREFIX}: {}", visible(why)));
                status.add_rerun(rerun);
            }
            status
        }
        Status::Fail => match &case.expected_failure {
            Some(note) => {
                let mut status = TestCaseStatus::skipped();
                let message = if note.is_empty() {
                    EXPECTED_FAILURE_PREFIX.to_owned()
                } else {
                    format!("{EXPECTED_FAILURE_PREFIX}: {}", visible(note))
                };
                status.set_message(message);
                status.set_description(findings_text(&case.findings));
                status
            }
            None => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let shown = departures(&case.findings);
                match shown.first().map(|d| d.finding) {
                    Some(first) => {
                        let mut message = expected_observed(first);
                        if shown.len() > 1 {
                            let more = shown.len() - 1;
                            let _ = write!(
                                message,
                                " (and {more} more finding{})",
                                if more == 1 { "" } else { "s" }
                            );
                        }
                        status.set_message(message);
                        status.set_type(first.rule.as_str());
                        status.set_description(findings_text(&case.findings));
                    }
                    None => {
                        // The runner should never fail a case without a finding;
                        // say so rather than print an empty failure.
                        status.set_message("failed without a finding");
                        status.set_type(case.rules.join(" "));
                    }
                }
                status
            }
        },
        Status::Error => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_type(RUNTIME_ERROR_TYPE);
            match &case.error {
                Some(CaseError { message, output }) => {
                    status.set_message(visible(message));
                    if !output.is_empty() {
                        status.set_description(escape::output(output));
                    }
                }
                None => {
                    status.set_message("the runtime failed without a message");
                }
            }
            status
        }
        Status::Skip => {
            let mut status = TestCaseStatus::skipped();
            if let Some(reason) = &case.skip_reason {
                status.set_message(visible(reason));
            }
            status
        }
    }
}

/// `expected X, observed Y`.
fn expected_observed(f: &Finding) -> String {
    format!(
        "expected {}, observed {}",
        visible(&f.expected),
        visible(&f.observed)
    )
}

/// Every departure, one per line: `RULE at step (call): expected X, observed Y [sources]`;
/// one seen by both the case expectation and the rule predicate is one line naming both.
fn findings_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for d in departures(findings) {
        let f = d.finding;
        out.push_str(&f.rule);
        if let Some(step) = &f.step {
            let _ = write!(out, " at {}", visible(step));
        }
        if let Some(call) = &f.call {
            let _ = write!(out, " ({})", visible(call));
        }
        let _ = writeln!(out, ": {} [{}]", expected_observed(f), d.sources());
    }
    out
}
