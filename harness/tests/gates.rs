//! Gates on the suite as a whole: the catalog, the cases and the runtimes must
//! fit together. Each test lists everything that is missing, not just the first.

use msiconf::case::{load_dir, CaseFileErrorKind, KnownRules, Suite};
use msiconf::report::model::Status;
use msiconf::report::terminal::case_details;
use msiconf::runner::{run_one, RunOptions, RunSpec, Silent};
use msiconf::runtimes::ModelRuntime;
use msiconf_spec::model::Deviation;
use msiconf_spec::Profile;
use std::path::Path;
use std::sync::Arc;

fn suite() -> Suite {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let root = root.canonicalize().unwrap_or(root);
    load_dir(&root, &KnownRules::catalog()).expect("the cases folder is readable")
}

fn options() -> RunOptions {
    RunOptions::default()
}

#[test]
fn every_case_file_loads() {
    let errors: Vec<String> = suite().errors.iter().map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{} case file(s) cannot be read:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn every_case_cites_only_existing_rules() {
    let unknown: Vec<String> = suite()
        .errors
        .iter()
        .filter(|e| e.kind == CaseFileErrorKind::UnknownRule)
        .map(|e| e.to_string())
        .collect();
    assert!(
        unknown.is_empty(),
        "cases cite rules the catalog lacks:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn every_rule_with_a_predicate_has_a_case() {
    let suite = suite();
    let uncovered: Vec<&str> = msiconf_spec::rules::catalog()
        .iter()
        .filter(|r| r.has_predicate())
        .filter(|r| !suite.cases.iter().any(|c| c.cites(r.id)))
        .map(|r| r.id)
        .collect();
    assert!(
        uncovered.is_empty(),
        "rules with a predicate and no case: {}",
        uncovered.join(", ")
    );
}

#[test]
fn every_case_passes_on_reference_in_its_profiles() {
    let suite = suite();
    assert!(!suite.cases.is_empty(), "no case could be loaded");
    let mut problems = String::new();
    for profile in Profile::ALL {
        let cases: Vec<_> = suite
            .cases
            .iter()
            .filter(|c| c.applies_in(profile))
            .cloned()
            .collect();
        let spec = RunSpec {
            runtime: Arc::new(ModelRuntime::reference(profile)),
            profile,
        };
        let run = run_one(&cases, &spec, &options(), &Silent);
        for result in run.cases.iter().filter(|c| c.status != Status::Pass) {
            problems.push_str(&format!(
                "reference ({profile}): {:?} {}\n",
                result.status, result.name
            ));
            problems.push_str(&case_details(result));
            if let Some(reason) = &result.skip_reason {
                problems.push_str(&format!("        skipped: {reason}\n"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems}");
}

#[test]
fn every_broken_runtime_fails_a_case_citing_a_rule_it_breaks() {
    let suite = suite();
    let mut uncaught = Vec::new();
    for d in Deviation::ALL {
        let cases: Vec<_> = suite
            .cases
            .iter()
            .filter(|c| d.breaks().iter().any(|r| c.cites(r)))
            .cloned()
            .collect();
        // Caught: a case citing a rule the runtime breaks reports that rule
        // broken, where the reference does not.
        let caught = Profile::ALL.into_iter().any(|profile| {
            let applicable: Vec<_> = cases
                .iter()
                .filter(|c| c.applies_in(profile))
                .cloned()
                .collect();
            let run = |runtime: ModelRuntime| {
                let spec = RunSpec {
                    runtime: Arc::new(runtime),
                    profile,
                };
                run_one(&applicable, &spec, &options(), &Silent)
            };
            let reference = run(ModelRuntime::reference(profile));
            let broken = run(ModelRuntime::broken(*d, profile));
            broken.cases.iter().zip(&reference.cases).any(|(b, r)| {
                b.findings.iter().any(|f| {
                    d.breaks().contains(&f.rule.as_str())
                        && !r.findings.iter().any(|g| g.rule == f.rule)
                })
            })
        });
        if !caught {
            uncaught.push(format!(
                "broken:{} (breaks {}; {} case(s) cite those rules)",
                d.name(),
                d.breaks().join(", "),
                cases.len()
            ));
        }
    }
    assert!(
        uncaught.is_empty(),
        "{} broken runtime(s) fail no case citing a rule they break:\n{}",
        uncaught.len(),
        uncaught.join("\n")
    );
}
