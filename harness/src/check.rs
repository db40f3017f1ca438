//! Turns a transcript into findings: the case's own expectations, then every
//! rule predicate of the profile. Runtimes never check themselves.

use crate::case::{render_call, Case, Expect};
use crate::report::model::{Finding, FindingSource};
use msiconf_spec::plan::PACKAGE_PROBE;
use msiconf_spec::{Profile, Rule, Transcript};

/// Every finding for `transcript`, a run of `case.plan` under `profile`:
/// broken step, probe and install expectations (named by the step's rule,
/// else the case's first), then violations of the catalog's rules (named by
/// the rule broken). A step whose probe never ran, or whose call the runtime
/// could not make, breaks its expectation.
pub fn check_case(case: &Case, profile: Profile, transcript: &Transcript) -> Vec<Finding> {
    check_case_with(case, profile, transcript, msiconf_spec::rules::catalog())
}

/// [`check_case`] with the predicates of `rules` instead of the whole catalog.
pub fn check_case_with(
    case: &Case,
    profile: Profile,
    transcript: &Transcript,
    rules: &[Rule],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for step in &case.steps {
        let Some(expect) = step.expect.get(profile) else {
            continue;
        };
        check_step(step, expect, transcript, &mut out);
    }
    for probe in &case.probes {
        let runs = transcript.run_count(&probe.probe);
        if runs != probe.runs {
            out.push(Finding {
                rule: probe.rule.clone(),
                source: FindingSource::Expectation,
                step: None,
                call: None,
                expected: format!("probe `{}` to start {} time(s)", probe.probe, probe.runs),
                observed: format!("it started {runs} time(s)"),
            });
        }
    }
    if let Some(install) = &case.install {
        if let Some(expect) = install.expect.get(profile) {
            for m in expect.mismatches(transcript.install_result, &transcript.actions) {
                out.push(Finding {
                    rule: install.rule.clone(),
                    source: FindingSource::Expectation,
                    step: Some("install".to_owned()),
                    call: None,
                    expected: format!("{}={}", m.field, m.expected),
                    observed: m.observed,
                });
            }
        }
    }
    // The spec's one entry point judges the transcript (linearly in its length).
    let violations = msiconf_spec::check_rules(&case.plan, transcript, profile, rules);
    for v in violations {
        let mut f = Finding::from_violation(&v);
        f.call = v
            .step
            .as_ref()
            .and_then(|s| case.plan.operation(s))
            .map(render_call);
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

fn check_step(
    step: &crate::case::StepCheck,
    expect: &Expect,
    transcript: &Transcript,
    out: &mut Vec<Finding>,
) {
    let finding = |observed: String, expected: String| Finding {
        rule: step.rule.clone(),
        source: FindingSource::Expectation,
        step: Some(step.step.to_string()),
        call: Some(render_call(&step.call)),
        expected,
        observed,
    };
    let events: Vec<_> = transcript.events_for(&step.step).collect();
    if events.is_empty() {
        let observed =
            if step.step.probe != PACKAGE_PROBE && transcript.run_count(&step.step.probe) == 0 {
                format!("probe `{}` never ran", step.step.probe)
            } else {
                "the call was not made".to_owned()
            };
        out.push(finding(observed, expect.describe()));
        return;
    }
    let several = events.len() > 1;
    for (n, event) in events.iter().enumerate() {
        let prefix = if several {
            format!("run {}: ", n + 1)
        } else {
            String::new()
        };
        if let Some(reason) = &event.outcome.unsupported {
            out.push(finding(
                format!("{prefix}the runtime could not make the call ({reason})"),
                expect.describe(),
            ));
            continue;
        }
        let mismatches = expect.mismatches(&event.outcome);
        if !mismatches.is_empty() {
            let expected: Vec<String> = mismatches
                .iter()
                .map(|m| format!("{}={}", m.field, m.expected))
                .collect();
            out.push(finding(
                format!("{prefix}{}", event.outcome.describe()),
                expected.join(" "),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{parse_case, KnownRules};
    use msiconf_spec::{ActionRecord, Event, Outcome, ProbeRun};
    use std::path::Path;

    fn case(text: &str) -> Case {
        parse_case(
            "t/x",
            Path::new("t/x.toml"),
            text,
            &KnownRules::from_ids(["R-ONE", "R-TWO"]),
        )
        .unwrap()
    }

    const CASE: &str = r#"
description = "d"
rules = ["R-ONE", "R-TWO"]
[install]
expect = { result = 0, actions = [{ name = "ProbeDeferred", result = 1 }] }
[[probes]]
name = "ProbeDeferred"
context = "deferred"
expect-runs = 1
[[steps]]
context = "deferred"
call = { get-property = { name = "CustomActionData" } }
expect = { rc = 0, value = "x" }
[[steps]]
context = "deferred"
call = { get-property = { name = "Other" } }
expect-windows = { rc = 0, value = "" }
rule = "R-TWO"
"#;

    fn event(index: usize, outcome: Outcome) -> Event {
        Event {
            probe: "ProbeDeferred".into(),
            context: msiconf_spec::Context::Deferred,
            index,
            call: msiconf_spec::Operation::GetLanguage,
            outcome,
        }
    }

    fn good() -> Transcript {
        Transcript {
            events: vec![
                event(
                    0,
                    Outcome {
                        rc: Some(0),
                        value: Some("x".into()),
                        ..Outcome::default()
                    },
                ),
                event(
                    1,
                    Outcome {
                        rc: Some(0),
                        value: Some(String::new()),
                        ..Outcome::default()
                    },
                ),
            ],
            runs: vec![ProbeRun {
                probe: "ProbeDeferred".into(),
                context: msiconf_spec::Context::Deferred,
                first_event: 0,
            }],
            actions: vec![ActionRecord {
                name: "ProbeDeferred".into(),
                result: Some(1),
            }],
            install_result: Some(0),
        }
    }

    #[test]
    fn a_good_transcript_has_no_findings() {
        let c = case(CASE);
        assert_eq!(check_case_with(&c, Profile::Windows, &good(), &[]), vec![]);
        assert_eq!(
            check_case_with(&c, Profile::Documented, &good(), &[]),
            vec![]
        );
    }

    #[test]
    fn findings_name_the_step_rule_or_the_first_rule() {
        let c = case(CASE);
        let mut t = good();
        t.events[0].outcome.value = Some("y".into());
        t.events[1].outcome.value = Some("leak".into());
        let f = check_case_with(&c, Profile::Windows, &t, &[]);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].rule, "R-ONE");
        assert_eq!(f[0].step.as_deref(), Some("ProbeDeferred#1"));
        assert_eq!(f[0].expected, "value=\"x\"");
        assert_eq!(f[1].rule, "R-TWO");
        // The second step has no expectation in the documented profile.
        assert_eq!(check_case_with(&c, Profile::Documented, &t, &[]).len(), 1);
    }

    #[test]
    fn a_probe_that_never_ran_fails_every_expectation() {
        let c = case(CASE);
        let t = Transcript {
            install_result: Some(0),
            actions: good().actions,
            ..Transcript::default()
        };
        let f = check_case_with(&c, Profile::Windows, &t, &[]);
        let observed: Vec<_> = f.iter().map(|f| f.observed.as_str()).collect();
        assert_eq!(
            observed,
            [
                "probe `ProbeDeferred` never ran",
                "probe `ProbeDeferred` never ran",
                "it started 0 time(s)"
            ]
        );
    }

    #[test]
    fn an_unsupported_outcome_never_passes() {
        let c = case(CASE);
        let mut t = good();
        t.events[0].outcome = Outcome::unsupported("no such thing");
        let f = check_case_with(&c, Profile::Windows, &t, &[]);
        assert_eq!(f.len(), 1);
        assert!(f[0].observed.contains("could not make the call"), "{f:?}");
    }

    #[test]
    fn every_run_of_a_probe_is_checked() {
        let c = case(CASE);
        let mut t = good();
        t.events.push(event(
            0,
            Outcome {
                rc: Some(5),
                ..Outcome::default()
            },
        ));
        t.runs.push(t.runs[0].clone());
        let f = check_case_with(&c, Profile::Windows, &t, &[]);
        assert!(
            f.iter().any(|f| f.observed.starts_with("run 2: rc=5")),
            "{f:?}"
        );
        assert!(f.iter().any(|f| f.expected.contains("1 time(s)")), "{f:?}");
    }

    #[test]
    fn install_expectations_are_checked() {
        let c = case(CASE);
        let mut t = good();
        t.install_result = Some(1603);
        let f = check_case_with(&c, Profile::Windows, &t, &[]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].step.as_deref(), Some("install"));
        assert_eq!(f[0].expected, "result=0");
        assert_eq!(f[0].observed, "1603");
    }

    fn language_is_1033(
        plan: &msiconf_spec::Plan,
        t: &Transcript,
        _: Profile,
        out: &mut Vec<msiconf_spec::Violation>,
    ) {
        for e in &t.events {
            if plan.operation(&e.step()).is_some() && e.outcome.value.as_deref() == Some("y") {
                out.push(msiconf_spec::Violation::at(
                    "R-PRED",
                    Some(e.step()),
                    "not y",
                    "y",
                ));
            }
        }
    }

    #[test]
    fn predicate_violations_name_their_rule_and_call() {
        let rule = Rule {
            id: "R-PRED",
            title: "t",
            statement: "s",
            sources: &[],
            contexts: &[],
            family: msiconf_spec::Family::Properties,
            subject: msiconf_spec::Subject::calls(&[msiconf_spec::OpKind::GetLanguage]),
            level: msiconf_spec::Level::Must,
            disagreement: None,
            check: msiconf_spec::Check::Predicate(language_is_1033),
        };
        let c = case(CASE);
        assert_eq!(
            check_case_with(&c, Profile::Windows, &good(), &[rule]),
            vec![]
        );
        let mut t = good();
        t.events[0].outcome.value = Some("y".into());
        let f = check_case_with(&c, Profile::Windows, &t, &[rule]);
        // The step's own expectation, then the predicate's violation.
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[1].rule, "R-PRED");
        assert_eq!(f[1].source, FindingSource::Predicate);
        assert_eq!(f[1].step.as_deref(), Some("ProbeDeferred#1"));
        assert_eq!(
            f[1].call.as_deref(),
            Some("{ get-property = { name = \"CustomActionData\" } }")
        );
    }
}
