//! The fuzzer against a toy runtime and a mutant of it: it must find the
//! mutation through the differential comparison alone (no predicate names it),
//! shrink it to the one step that shows it, and write a case that replays it.

use msiconf::case::{parse_case, KnownRules};
use msiconf::fuzz::{Budget, FindingKind, FuzzOptions, Fuzzer};
use msiconf::runtime::{Runtime, RuntimeError, RuntimeInfo};
use msiconf_spec::plan::PACKAGE_PROBE;
use msiconf_spec::{
    Context, Event, OpKind, Operation, Outcome, Plan, ProbeRun, Profile, Transcript,
};
use std::time::Duration;

/// Answers every call with a code derived from the call, runs every probe once.
#[derive(Debug)]
struct Toy {
    /// The mutation: deferred MsiGetMode answers differently.
    mutant: bool,
}

impl Runtime for Toy {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            name: if self.mutant { "toy-mutant" } else { "toy" }.to_owned(),
            version: "0".to_owned(),
            contexts: Context::ALL.to_vec(),
            operations: OpKind::ALL.to_vec(),
        }
    }

    fn execute(&self, plan: &Plan, _: Duration) -> Result<Transcript, RuntimeError> {
        let mut t = Transcript::default();
        let scripts = plan
            .package
            .iter()
            .map(|s| (PACKAGE_PROBE.to_owned(), s))
            .chain(plan.probes.iter().map(|(n, s)| (n.clone(), s)));
        for (probe, script) in scripts {
            t.runs.push(ProbeRun {
                probe: probe.clone(),
                context: script.context,
                first_event: t.events.len(),
            });
            for (index, call) in script.steps.iter().enumerate() {
                let mut rc = call.kind().name().len() as u32;
                if self.mutant
                    && script.context == Context::Deferred
                    && matches!(call, Operation::GetMode { mode: 17, .. })
                {
                    rc += 1;
                }
                t.events.push(Event {
                    probe: probe.clone(),
                    context: script.context,
                    index,
                    call: call.clone(),
                    outcome: Outcome::rc(rc),
                });
            }
        }
        t.install_result = plan.install.as_ref().map(|_| 0);
        Ok(t)
    }
}

#[test]
fn a_mutation_no_predicate_names_is_found_shrunk_and_written_as_a_case() {
    let (toy, mutant) = (Toy { mutant: false }, Toy { mutant: true });
    let options = FuzzOptions {
        seed: 7,
        budget: Budget::Plans(20_000),
        max_findings: 1,
        // The toy answers nonsense as far as the rules go: compare only.
        predicates: false,
        ..FuzzOptions::default()
    };
    let fuzzer = Fuzzer::against(&mutant, &toy, options);
    let summary = fuzzer.run(&mut |_| {}, &mut |_| {});
    assert_eq!(summary.findings.len(), 1, "the mutation was not found");
    let finding = &summary.findings[0];
    assert!(matches!(finding.kind, FindingKind::Difference(_)));
    assert_eq!(
        finding.plan.step_count(),
        1,
        "not shrunk: {:#?}",
        finding.plan
    );
    // The one step left, in whichever deferred probe the generator put it.
    let script = finding
        .plan
        .probes
        .values()
        .find(|s| !s.steps.is_empty())
        .expect("the shrunk plan keeps one step");
    assert!(matches!(
        script.steps[0],
        Operation::GetMode { mode: 17, .. }
    ));

    // The case file reads back to the same plan, passes on the toy and fails on the mutant.
    // (A bare difference cites the catalog rule closest to it; the toy's
    // mutation is about run modes, so cite that one whatever the catalog holds.)
    let mut case = finding.case.clone();
    case.rules = vec!["RUNMODE-IMM-VS-DEF".to_owned()];
    let text = case.to_toml();
    println!("{text}");
    let path = std::path::Path::new("cases/regressions/toy.toml");
    let loaded = parse_case("regressions/toy", path, &text, &KnownRules::catalog())
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(*loaded.plan, finding.plan);
    assert!(case.fixture.standard, "{text}");
    assert_eq!(case.to_plan(), finding.plan);
    let doc = case;
    let timeout = Duration::from_secs(1);
    let on_toy = toy.execute(&finding.plan, timeout).unwrap();
    let on_mutant = mutant.execute(&finding.plan, timeout).unwrap();
    assert_eq!(
        doc.failures(&on_toy, Profile::Windows),
        Vec::<String>::new()
    );
    assert!(!doc.failures(&on_mutant, Profile::Windows).is_empty());

    // The seed printed with the finding replays the plan it came from.
    let replay = Fuzzer::against(&mutant, &toy, FuzzOptions::default()).plan(finding.plan_seed);
    assert_eq!(replay.step_count(), finding.original_steps);
}

#[test]
fn the_same_runtime_on_both_sides_gives_no_finding() {
    let (a, b) = (Toy { mutant: false }, Toy { mutant: false });
    let options = FuzzOptions {
        seed: 1,
        budget: Budget::Plans(2_000),
        predicates: false,
        ..FuzzOptions::default()
    };
    let summary = Fuzzer::against(&a, &b, options).run(&mut |_| {}, &mut |_| {});
    assert_eq!(summary.plans, 2_000);
    assert!(summary.findings.is_empty());
}
