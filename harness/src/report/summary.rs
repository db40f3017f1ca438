//! Totals over every run of a report and the verdict they give, shared by
//! the Markdown and HTML renderers.

use super::model::{Report, Totals};

/// The overall verdict of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No unexpected failure, no error, no expectation problem.
    Pass,
    /// Something failed, errored, or the expectation file is out of date.
    Fail,
}

/// Totals over every run, and the verdict they give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Summed totals.
    pub totals: Totals,
    /// Problems with the expectation files.
    pub expectation_problems: usize,
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
            s.expectation_problems += run.expectation_problems.len();
        }
        s
    }

    /// Pass when every failure is expected, nothing errored and the expectation files hold.
    pub fn verdict(&self) -> Verdict {
        let unexpected = self
            .totals
            .failed
            .saturating_sub(self.totals.expected_failures);
        if unexpected == 0 && self.totals.errors == 0 && self.expectation_problems == 0 {
            Verdict::Pass
        } else {
            Verdict::Fail
        }
    }

    /// The number of cases over all runs.
    pub fn cases(&self) -> usize {
        let t = &self.totals;
        t.passed + t.failed + t.errors + t.skipped
    }
}
