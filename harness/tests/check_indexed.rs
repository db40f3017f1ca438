//! `msiconf_spec::check` (on long transcripts) and the runner answer the
//! predicates' questions about a transcript (what a property holds at a step,
//! which database a handle is, what came before in the run) from an index
//! built once per transcript (`facts::indexed`). Each rule's `Rule::check` on
//! its own still scans back from every event, as before the index. The two
//! must agree exactly, rule by rule and question by question, on the
//! transcripts of every case plan (from the reference and from the broken
//! runtimes that break the case's rules) and on generated plans run by every
//! broken runtime.

use msiconf::case::{load_dir, KnownRules};
use msiconf::fuzz::generate::{Capabilities, PlanGenerator};
use msiconf_spec::model::{self, Config, Deviation};
use msiconf_spec::rules::{self, facts};
use msiconf_spec::{Operation, Plan, Profile, Transcript, Violation};
use std::collections::BTreeSet;
use std::path::Path;

fn rule_by_rule(plan: &Plan, t: &Transcript, p: Profile) -> Vec<Violation> {
    let mut out = Vec::new();
    for rule in rules::catalog() {
        rule.check(plan, t, p, &mut out);
    }
    out
}

/// The answers of the scan helpers for every event of `t`, as a printable list:
/// every property name the transcript mentions, every handle slot and view.
fn answers(plan: &Plan, t: &Transcript) -> Vec<String> {
    let mut names = BTreeSet::new();
    let mut slots = BTreeSet::from(["db".to_owned()]);
    let mut views = BTreeSet::new();
    for e in &t.events {
        match &e.call {
            Operation::GetProperty { name: Some(n), .. }
            | Operation::SetProperty { name: Some(n), .. }
            | Operation::SessionPropertyGet { name: Some(n) }
            | Operation::SessionPropertySet { name: Some(n), .. } => {
                names.insert(n.clone());
            }
            Operation::GetActiveDatabase { into }
            | Operation::SessionDatabase { into }
            | Operation::OpenDatabase { into }
            | Operation::OpenPackage { into, .. } => {
                slots.insert(into.clone());
            }
            Operation::OpenView { into, .. } => {
                views.insert(into.clone());
            }
            _ => {}
        }
    }
    names.insert("INSTALLLEVEL".to_owned());
    let mut out = Vec::new();
    for i in 0..t.events.len() {
        let run: Vec<usize> = facts::run_before_indexed(&t.events, i)
            .map(|(j, _)| j)
            .collect();
        out.push(format!("{i} run {run:?}"));
        for n in &names {
            let k = facts::property_at(plan, &t.events, i, n);
            out.push(format!("{i} property {n:?} {k:?}"));
        }
        for s in &slots {
            let d = facts::slot_database(&t.events, i, s);
            out.push(format!("{i} slot {s:?} {d:?}"));
        }
        for v in &views {
            let q = facts::view_sql(&t.events, i, v);
            out.push(format!("{i} view {v:?} {q:?}"));
        }
    }
    out
}

/// Compares the indexed and the scanning answers on one transcript; returns
/// whether the check found anything.
fn compare(plan: &Plan, t: &Transcript, p: Profile, what: &str) -> bool {
    let scanned = rule_by_rule(plan, t, p);
    let with_index = facts::indexed(plan, t, || rule_by_rule(plan, t, p));
    assert_eq!(with_index, scanned, "{what}");
    let by_scan = answers(plan, t);
    let by_index = facts::indexed(plan, t, || answers(plan, t));
    for (s, x) in by_scan.iter().zip(&by_index) {
        assert_eq!(x, s, "{what}");
    }
    assert_eq!(by_index.len(), by_scan.len(), "{what}");
    !scanned.is_empty()
}

#[test]
fn the_index_answers_as_the_scans_do_on_every_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let suite = load_dir(&root, &KnownRules::catalog()).expect("the cases load");
    assert!(suite.cases.len() > 100, "only {} cases", suite.cases.len());
    let mut with_findings = 0;
    for case in &suite.cases {
        for &profile in &case.profiles {
            // The reference, and every broken runtime that breaks a rule the case cites.
            let mut configs = vec![Config {
                profile,
                deviations: Vec::new(),
            }];
            for &d in Deviation::ALL {
                if d.breaks().iter().any(|r| case.cites(r)) {
                    configs.push(Config {
                        profile,
                        deviations: vec![d],
                    });
                }
            }
            for config in configs {
                let t = model::run(&case.plan, &config);
                let what = format!("case {}, {config:?}", case.name);
                with_findings += usize::from(compare(&case.plan, &t, profile, &what));
            }
        }
    }
    // Agreeing on silence proves little: many transcripts must break rules.
    assert!(with_findings > 100, "only {with_findings} had findings");
}

#[test]
fn the_index_answers_as_the_scans_do_on_generated_plans() {
    let generator = PlanGenerator::new(&Capabilities::everything());
    let mut with_findings = 0;
    for seed in 0..40 {
        let plan = generator.plan(seed);
        for profile in [Profile::Windows, Profile::Documented] {
            let reference = Config {
                profile,
                deviations: Vec::new(),
            };
            let broken = Deviation::ALL.iter().map(|&d| Config {
                profile,
                deviations: vec![d],
            });
            for config in std::iter::once(reference).chain(broken) {
                let t = model::run(&plan, &config);
                let what = format!("seed {seed}, {config:?}");
                with_findings += usize::from(compare(&plan, &t, profile, &what));
            }
        }
    }
    assert!(with_findings > 100, "only {with_findings} had findings");
}

#[test]
fn check_finds_on_long_transcripts_what_each_rule_finds() {
    // Generated plans with every script repeated, so that `check` builds its index.
    let generator = PlanGenerator::new(&Capabilities::everything());
    let (mut long, mut with_findings) = (0, 0);
    for seed in 0..30 {
        let mut plan = generator.plan(seed);
        for script in plan.package.iter_mut().chain(plan.probes.values_mut()) {
            let once = std::mem::take(&mut script.steps);
            script.steps = (0..12).flat_map(|_| once.iter().cloned()).collect();
        }
        let reference = Config::default();
        let broken = Deviation::ALL.iter().map(|&d| Config {
            profile: Profile::Windows,
            deviations: vec![d],
        });
        for config in std::iter::once(reference).chain(broken) {
            let t = model::run(&plan, &config);
            let scanned = rule_by_rule(&plan, &t, config.profile);
            let mut expected = scanned.clone();
            // `check` gives the findings in catalog order (see check_shared_pass).
            let position = |id: &str| rules::catalog().iter().position(|r| r.id == id);
            expected.sort_by_cached_key(|v| position(&v.rule));
            let checked = msiconf_spec::check(&plan, &t, config.profile);
            assert_eq!(checked, expected, "seed {seed}, {config:?}");
            long += usize::from(t.events.len() >= 128);
            with_findings += usize::from(!scanned.is_empty());
        }
    }
    assert!(long > 1000, "only {long} long transcripts");
    assert!(with_findings > 60, "only {with_findings} had findings");
}
