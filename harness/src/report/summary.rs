//! Totals over every run of a report and the verdict they give, shared by
//! the Markdown and HTML renderers.

use super::model::{Report, Run, Status, Totals};

/// The overall verdict of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No unexpected failure, no error, no expectation problem, and every
    /// run executed at least one case.
    Pass,
    /// Something failed, errored, or the expectation file is out of date.
    Fail,
    /// Nothing failed, but the run was interrupted before it finished.
    Incomplete,
    /// Nothing failed, but a run skipped every one of its cases: it proves nothing.
    NothingRan,
}

impl Verdict {
    /// The word shown for the verdict.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Incomplete => "INCOMPLETE",
            Verdict::NothingRan => "NOTHING RAN",
        }
    }
}

/// Whether `run` had cases and executed none of them (all were skipped).
pub fn executed_nothing(run: &Run) -> bool {
    !run.cases.is_empty() && run.cases.iter().all(|c| c.status == Status::Skip)
}

/// Totals over every run, and the verdict they give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Summed totals.
    pub totals: Totals,
    /// Problems with the expectation files.
    pub expectation_problems: usize,
    /// Runs that had cases and skipped them all.
    pub runs_executing_nothing: usize,
    /// Whether the run was interrupted (the report is partial).
    pub incomplete: bool,
}

impl Summary {
    /// Sums the totals of every run.
    pub fn of(report: &Report) -> Summary {
        let mut s = Summary::default();
        for run in &report.runs {
            let t = &run.totals;
            s.totals.passed += t.passed;
            s.totals.failed += t.failed;
            s.totals.errors += t.errors;
            s.totals.skipped += t.skipped;
            s.totals.expected_failures += t.expected_failures;
            s.totals.flaky += t.flaky;
            s.expectation_problems += run.expectation_problems.len();
            s.runs_executing_nothing += usize::from(executed_nothing(run));
        }
        s.incomplete = report.incomplete.is_some();
        s
    }

    /// Pass when every failure is expected, nothing errored, the expectation
    /// files hold, the run finished and every run executed something. A
    /// failure outranks an interruption, which outranks a run of skips.
    pub fn verdict(&self) -> Verdict {
        let unexpected = self
            .totals
            .failed
            .saturating_sub(self.totals.expected_failures);
        if unexpected > 0 || self.totals.errors > 0 || self.expectation_problems > 0 {
            Verdict::Fail
        } else if self.incomplete {
            Verdict::Incomplete
        } else if self.runs_executing_nothing > 0 {
            Verdict::NothingRan
        } else {
            Verdict::Pass
        }
    }

    /// The number of cases over all runs.
    pub fn cases(&self) -> usize {
        let t = &self.totals;
        t.passed + t.failed + t.errors + t.skipped
    }
}
