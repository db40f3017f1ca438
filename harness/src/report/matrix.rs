//! The rule-by-run matrix the HTML and coverage pages draw: which state each
//! rule is in on each run, and which cases put it there.

use super::model::{CaseResult, Report, RuleInfo, Run, Status};
use std::fmt;

/// The state of one rule on one run (one cell of the matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CellState {
    /// A case found the rule broken.
    Fail,
    /// No case found it broken, but a case citing it errored.
    Error,
    /// A case citing it passed, and none failed on it or errored.
    Pass,
    /// Every case citing it was skipped.
    Skipped,
    /// No case cites the rule.
    NotCovered,
}

impl CellState {
    /// Every state, worst first.
    pub const ALL: [CellState; 5] = [
        CellState::Fail,
        CellState::Error,
        CellState::Pass,
        CellState::Skipped,
        CellState::NotCovered,
    ];

    /// The name used in class names, data attributes and legends.
    pub fn name(self) -> &'static str {
        match self {
            CellState::Fail => "fail",
            CellState::Error => "error",
            CellState::Pass => "pass",
            CellState::Skipped => "skipped",
            CellState::NotCovered => "not-covered",
        }
    }

    /// The state of a case as a whole.
    pub fn of_status(status: Status) -> CellState {
        match status {
            Status::Pass => CellState::Pass,
            Status::Fail => CellState::Fail,
            Status::Error => CellState::Error,
            Status::Skip => CellState::Skipped,
        }
    }
}

impl fmt::Display for CellState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How one case bears on one rule, or `None` when it does not: the case
/// neither cites the rule nor has a finding for it.
///
/// A failed case fails a rule only when one of its findings names that rule:
/// a case citing two rules that breaks one of them says the other held (every
/// predicate runs on every transcript). A case that failed without findings,
/// which the runner should never produce, fails every rule it cites rather than
/// hide. A finding for a rule the case does not cite still counts: the rule was
/// seen broken.
pub fn case_state(case: &CaseResult, rule: &str) -> Option<CellState> {
    let has_finding = case.findings.iter().any(|f| f.rule == rule);
    let cites = case.rules.iter().any(|r| r == rule);
    if has_finding {
        return Some(CellState::Fail);
    }
    if !cites {
        return None;
    }
    Some(match case.status {
        Status::Fail if case.findings.is_empty() => CellState::Fail,
        Status::Fail => CellState::Pass,
        other => CellState::of_status(other),
    })
}

/// One cell: a rule on a run, with the cases behind it.
#[derive(Debug, Clone)]
pub struct Cell<'a> {
    /// The aggregate state: fail if any case fails the rule, else error if
    /// any errors, else pass if any passes, else skipped; not covered when no case bears on it.
    pub state: CellState,
    /// The cases that bear on the rule, each with its state for the rule, worst first.
    pub cases: Vec<(&'a CaseResult, CellState)>,
}

impl Cell<'_> {
    /// How many of the cases are in `state`.
    pub fn count(&self, state: CellState) -> usize {
        self.cases.iter().filter(|(_, s)| *s == state).count()
    }

    /// Whether every failing case is listed in the expectation file.
    pub fn all_failures_expected(&self) -> bool {
        let mut failing = self
            .cases
            .iter()
            .filter(|(_, s)| *s == CellState::Fail)
            .peekable();
        failing.peek().is_some() && failing.all(|(c, _)| c.expected_failure.is_some())
    }
}

/// The cell for `rule` on `run`.
pub fn cell<'a>(run: &'a Run, rule: &str) -> Cell<'a> {
    let mut cases: Vec<(&CaseResult, CellState)> = run
        .cases
        .iter()
        .filter_map(|c| case_state(c, rule).map(|s| (c, s)))
        .collect();
    // Stable sort: worst first, and in run order within a state.
    cases.sort_by_key(|(_, s)| *s);
    let state = cases.first().map_or(CellState::NotCovered, |(_, s)| *s);
    Cell { state, cases }
}

/// A family of rules, in the order the report lists them.
#[derive(Debug, Clone)]
pub struct FamilyRows<'a> {
    /// The family's name, such as `properties`.
    pub family: String,
    /// Its rules. Rules cited by cases but missing from the report's catalog
    /// are listed under [`UNKNOWN_FAMILY`] with only their ID.
    pub rules: Vec<RowRule<'a>>,
}

/// A matrix row.
#[derive(Debug, Clone)]
pub enum RowRule<'a> {
    /// A rule of the catalog.
    Known(&'a RuleInfo),
    /// A rule ID a case cites or a finding names that the catalog lacks.
    Unknown(String),
}

impl RowRule<'_> {
    /// The rule ID.
    pub fn id(&self) -> &str {
        match self {
            RowRule::Known(r) => &r.id,
            RowRule::Unknown(id) => id,
        }
    }
}

/// The family shown for rule IDs that the report's catalog does not list.
pub const UNKNOWN_FAMILY: &str = "not-in-catalog";

/// The matrix rows: the report's rules grouped by family (families in order of
/// first appearance, rules in catalog order), then any unknown rule IDs, sorted.
pub fn rows(report: &Report) -> Vec<FamilyRows<'_>> {
    let mut families: Vec<FamilyRows<'_>> = Vec::new();
    for rule in &report.rules {
        match families.iter_mut().find(|f| f.family == rule.family) {
            Some(f) => f.rules.push(RowRule::Known(rule)),
            None => families.push(FamilyRows {
                family: rule.family.clone(),
                rules: vec![RowRule::Known(rule)],
            }),
        }
    }
    let mut unknown: Vec<String> = report
        .runs
        .iter()
        .flat_map(|run| &run.cases)
        .flat_map(|c| c.rules.iter().chain(c.findings.iter().map(|f| &f.rule)))
        .filter(|id| !report.rules.iter().any(|r| &r.id == *id))
        .cloned()
        .collect();
    unknown.sort();
    unknown.dedup();
    if !unknown.is_empty() {
        families.push(FamilyRows {
            family: UNKNOWN_FAMILY.to_owned(),
            rules: unknown.into_iter().map(RowRule::Unknown).collect(),
        });
    }
    families
}

/// The column heading of a run: `runtime/profile`.
pub fn run_label(run: &Run) -> String {
    format!("{}/{}", run.runtime.name, run.profile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Finding, FindingSource};

    fn case(rules: &[&str], status: Status, findings: &[&str]) -> CaseResult {
        CaseResult {
            name: "area/case".to_owned(),
            area: "area".to_owned(),
            description: String::new(),
            rules: rules.iter().map(|r| r.to_string()).collect(),
            status,
            findings: findings
                .iter()
                .map(|r| Finding {
                    rule: r.to_string(),
                    source: FindingSource::Predicate,
                    step: None,
                    call: None,
                    expected: "a".to_owned(),
                    observed: "b".to_owned(),
                })
                .collect(),
            error: None,
            skip_reason: None,
            expected_failure: None,
            flaky: None,
            plan: None,
            transcript: None,
            transcript_reused_from: None,
            duration_us: 0,
        }
    }

    #[test]
    fn a_case_fails_only_the_rules_its_findings_name() {
        let c = case(&["A", "B"], Status::Fail, &["A"]);
        assert_eq!(case_state(&c, "A"), Some(CellState::Fail));
        assert_eq!(case_state(&c, "B"), Some(CellState::Pass));
        assert_eq!(case_state(&c, "C"), None);
    }

    #[test]
    fn a_finding_for_an_uncited_rule_still_fails_it() {
        let c = case(&["A"], Status::Fail, &["Z"]);
        assert_eq!(case_state(&c, "Z"), Some(CellState::Fail));
        assert_eq!(case_state(&c, "A"), Some(CellState::Pass));
    }

    #[test]
    fn a_failure_without_findings_fails_every_cited_rule() {
        let c = case(&["A", "B"], Status::Fail, &[]);
        assert_eq!(case_state(&c, "A"), Some(CellState::Fail));
        assert_eq!(case_state(&c, "B"), Some(CellState::Fail));
    }

    #[test]
    fn errors_and_skips_apply_to_every_cited_rule() {
        assert_eq!(
            case_state(&case(&["A"], Status::Error, &[]), "A"),
            Some(CellState::Error)
        );
        assert_eq!(
            case_state(&case(&["A"], Status::Skip, &[]), "A"),
            Some(CellState::Skipped)
        );
        assert_eq!(
            case_state(&case(&["A"], Status::Pass, &[]), "A"),
            Some(CellState::Pass)
        );
    }
}
