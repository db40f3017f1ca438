//! Findings as reports print them: one entry per departure, naming every
//! source that saw it.
//!
//! A case's own expectation and a rule's predicate often see the same
//! departure at the same step. The JSON report keeps both findings (each is
//! data a tool may want), but every report meant for people prints such a
//! pair once, saying that both sources saw it; the renderers all read this
//! module so they cannot disagree about what a pair is.

use super::model::{Finding, FindingSource};

/// One departure: a finding and the sources that reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Departure<'a> {
    /// The finding shown: the case expectation's when both saw it, since it
    /// also names the call.
    pub finding: &'a Finding,
    /// Whether a case expectation reported it.
    pub by_expectation: bool,
    /// Whether a rule predicate reported it.
    pub by_predicate: bool,
}

impl Departure<'_> {
    /// Who reported it: `case expectation`, `rule predicate`, or both.
    pub fn sources(&self) -> &'static str {
        match (self.by_expectation, self.by_predicate) {
            (true, true) => "case expectation and rule predicate",
            (true, false) => "case expectation",
            _ => "rule predicate",
        }
    }

    /// Whether both a case expectation and a rule predicate reported it.
    pub fn seen_by_both(&self) -> bool {
        self.by_expectation && self.by_predicate
    }
}

/// The departures of `findings`, in their order: a predicate finding with an
/// expectation twin (same rule, same step) is folded into the twin.
pub fn departures(findings: &[Finding]) -> Vec<Departure<'_>> {
    let twin =
        |a: &Finding, b: &Finding| a.rule == b.rule && a.step == b.step && a.source != b.source;
    let mut out = Vec::new();
    for f in findings {
        let has_twin = findings.iter().any(|o| twin(f, o));
        match f.source {
            FindingSource::Predicate if has_twin => continue,
            FindingSource::Predicate => out.push(Departure {
                finding: f,
                by_expectation: false,
                by_predicate: true,
            }),
            FindingSource::Expectation => out.push(Departure {
                finding: f,
                by_expectation: true,
                by_predicate: has_twin,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, source: FindingSource, step: Option<&str>) -> Finding {
        Finding {
            rule: rule.to_owned(),
            source,
            step: step.map(str::to_owned),
            call: None,
            expected: "a".to_owned(),
            observed: "b".to_owned(),
        }
    }

    #[test]
    fn a_pair_from_both_sources_is_one_departure_naming_both() {
        let findings = [
            finding("R1", FindingSource::Expectation, Some("P#1")),
            finding("R1", FindingSource::Predicate, Some("P#1")),
            finding("R1", FindingSource::Predicate, Some("P#2")),
            finding("R2", FindingSource::Expectation, Some("P#1")),
        ];
        let d = departures(&findings);
        let got: Vec<(&str, Option<&str>, &str)> = d
            .iter()
            .map(|d| {
                (
                    d.finding.rule.as_str(),
                    d.finding.step.as_deref(),
                    d.sources(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("R1", Some("P#1"), "case expectation and rule predicate"),
                ("R1", Some("P#2"), "rule predicate"),
                ("R2", Some("P#1"), "case expectation"),
            ]
        );
        assert_eq!(d[0].finding.source, FindingSource::Expectation);
    }
}
