//! The plan generator: deterministic, valid, covering, and every plan writes
//! to a case file that reads back to the same plan.

use msiconf::case::{parse_case, KnownRules};
use msiconf::fuzz::case_doc::{case_from_plan, CaseMeta};
use msiconf::fuzz::generate::{Capabilities, PlanGenerator};
use msiconf::fuzz::shrink::structurally_valid;
use msiconf_spec::{Context, OpKind, Profile, Transcript};
use std::collections::{BTreeMap, BTreeSet};

fn meta() -> CaseMeta {
    CaseMeta {
        description: "generated".to_owned(),
        rules: vec!["DOACTION-CASE".to_owned()],
        tags: vec![],
        profile: Profile::Windows,
        step_rules: BTreeMap::new(),
    }
}

#[test]
fn the_same_seed_gives_the_same_plan() {
    let g = PlanGenerator::new(&Capabilities::everything());
    for seed in [0, 1, 42, u64::MAX] {
        assert_eq!(g.plan(seed), g.plan(seed));
    }
    assert_ne!(g.plan(1), g.plan(2));
}

#[test]
fn plans_are_valid_and_cover_every_context_and_operation() {
    let g = PlanGenerator::new(&Capabilities::everything());
    let mut contexts = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    let mut steps = 0;
    let n = 3_000;
    for seed in 0..n {
        let plan = g.plan(seed);
        assert!(structurally_valid(&plan), "seed {seed}: {plan:#?}");
        steps += plan.step_count();
        for script in plan.package.iter().chain(plan.probes.values()) {
            contexts.insert(script.context);
            for op in &script.steps {
                assert!(
                    op.kind().available_in(script.context),
                    "seed {seed}: {op:?}"
                );
                kinds.insert(op.kind());
            }
        }
    }
    let all_contexts: BTreeSet<Context> = Context::ALL.into_iter().collect();
    assert_eq!(contexts, all_contexts);
    let all_kinds: BTreeSet<OpKind> = OpKind::ALL.iter().copied().collect();
    let missing: Vec<_> = all_kinds.difference(&kinds).collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
    let mean = steps as f64 / n as f64;
    println!("mean plan size: {mean:.1} steps");
    assert!((12.0..=30.0).contains(&mean), "mean plan size {mean}");
}

#[test]
fn generation_respects_what_the_runtime_supports() {
    let caps = Capabilities {
        contexts: vec![Context::Package, Context::Deferred],
        operations: vec![OpKind::GetProperty, OpKind::GetMode],
    };
    let g = PlanGenerator::new(&caps);
    let mut seen = 0;
    for seed in 0..300 {
        let plan = g.plan(seed);
        for script in plan.package.iter().chain(plan.probes.values()) {
            assert!(caps.contexts.contains(&script.context));
            for op in &script.steps {
                assert!(caps.operations.contains(&op.kind()), "{op:?}");
                seen += 1;
            }
        }
    }
    assert!(seen > 0);
}

#[test]
fn every_plan_round_trips_through_a_case_file() {
    let g = PlanGenerator::new(&Capabilities::everything());
    for seed in 0..400 {
        let plan = g.plan(seed);
        let doc = case_from_plan(&plan, &Transcript::default(), &meta());
        assert_eq!(doc.to_plan(), plan, "seed {seed}");
        let text = doc.to_toml();
        let path = std::path::Path::new("cases/regressions/generated.toml");
        let case = parse_case("regressions/generated", path, &text, &KnownRules::catalog())
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
        assert_eq!(*case.plan, plan, "seed {seed}\n{text}");
    }
}

#[test]
fn a_package_script_that_names_another_context_is_not_a_valid_plan() {
    // Found by decoding whole plans with `arbitrary`: the model runs the package
    // script on the package handle, while predicates read the context it names.
    let mut plan = PlanGenerator::new(&Capabilities::everything()).plan(3);
    plan.package = Some(msiconf_spec::ProbeScript {
        context: Context::Package,
        steps: vec![msiconf_spec::Operation::HasSession],
        returns: 0,
    });
    assert!(structurally_valid(&plan));
    plan.package.as_mut().unwrap().context = Context::Exe;
    assert!(!structurally_valid(&plan));
}

#[test]
fn empty_or_repeated_action_keys_are_not_a_valid_plan() {
    // Found by decoding whole plans with `arbitrary`: a type-19 row keyed ""
    // sequenced under "" (NULL keys no package can hold).
    let good = PlanGenerator::new(&Capabilities::everything()).plan(5);
    assert!(structurally_valid(&good));
    let mut plan = good.clone();
    plan.fixture
        .execute_sequence
        .push(msiconf_spec::fixture::SequenceRow {
            action: String::new(),
            condition: None,
            sequence: 10,
        });
    assert!(!structurally_valid(&plan));
    let mut plan = good.clone();
    let first = plan.fixture.ui_sequence[0].clone();
    plan.fixture.ui_sequence.push(first);
    assert!(!structurally_valid(&plan));
    let mut plan = good.clone();
    let first = plan.fixture.properties[0].clone();
    plan.fixture.properties.push(first);
    assert!(!structurally_valid(&plan));
    let mut plan = good;
    plan.fixture
        .custom_actions
        .push(msiconf_spec::fixture::CustomActionRow {
            action: String::new(),
            kind: 19,
            source: None,
            target: None,
        });
    assert!(!structurally_valid(&plan));
}

#[test]
fn a_probe_whose_context_its_custom_action_cannot_have_is_not_a_valid_plan() {
    // Found by decoding whole plans with `arbitrary`: probes marked `exe` on a
    // DLL-type row, and marked `package`, which no custom action runs in.
    let g = PlanGenerator::new(&Capabilities::everything());
    let (plan, name) = (0..200)
        .map(|seed| g.plan(seed))
        .find_map(|p| {
            let name = p
                .probes
                .iter()
                .find(|(n, s)| {
                    s.context == Context::ImmediateBeforeInit
                        && p.fixture
                            .custom_action(n)
                            .is_some_and(|r| r.basic_type() == 1)
                })?
                .0
                .clone();
            Some((p, name))
        })
        .expect("a generated plan with an immediate DLL probe");
    // A step every context allows, so only the context itself can be wrong.
    let mut plan = plan;
    plan.probes.get_mut(&name).unwrap().steps = vec![msiconf_spec::Operation::HasSession];
    assert!(structurally_valid(&plan));
    for context in [Context::Exe, Context::Package, Context::ScriptImmediate] {
        let mut p = plan.clone();
        p.probes.get_mut(&name).unwrap().context = context;
        assert!(!structurally_valid(&p), "{context:?}");
    }
}

#[test]
fn an_action_named_like_the_package_script_is_not_a_valid_plan() {
    // Found by decoding whole plans with `arbitrary`: a rollback action keyed
    // `@package` took the package script's runs for its own.
    let mut plan = PlanGenerator::new(&Capabilities::everything()).plan(7);
    assert!(structurally_valid(&plan));
    plan.fixture
        .custom_actions
        .push(msiconf_spec::fixture::CustomActionRow {
            action: msiconf_spec::plan::PACKAGE_PROBE.to_owned(),
            kind: 51,
            source: Some("X".to_owned()),
            target: Some("1".to_owned()),
        });
    assert!(!structurally_valid(&plan));
}
