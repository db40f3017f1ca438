//! `msiconf_spec::check` judges some rule families in one shared walk of the
//! transcript. What it returns must be exactly what the rules' own predicates
//! return one by one, in catalog order, on transcripts that break those rules.

use msiconf::fuzz::generate::{Capabilities, PlanGenerator};
use msiconf_spec::model::{self, Config, Deviation};
use msiconf_spec::{rules, Profile, Violation};

fn rule_by_rule(
    plan: &msiconf_spec::Plan,
    t: &msiconf_spec::Transcript,
    p: Profile,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for rule in rules::catalog() {
        rule.check(plan, t, p, &mut out);
    }
    out
}

#[test]
fn the_shared_walk_finds_what_each_predicate_finds() {
    let generator = PlanGenerator::new(&Capabilities::everything());
    let mut compared_with_findings = 0;
    for &d in Deviation::ALL {
        // The temporary-table family, plus a few others as controls.
        let breaks = d.breaks();
        if !breaks.iter().any(|r| r.starts_with("SQL-")) {
            continue;
        }
        let config = Config {
            profile: Profile::Windows,
            deviations: vec![d],
        };
        for seed in 0..400 {
            let plan = generator.plan(seed);
            let t = model::run(&plan, &config);
            let expected = rule_by_rule(&plan, &t, Profile::Windows);
            assert_eq!(
                msiconf_spec::check(&plan, &t, Profile::Windows),
                expected,
                "deviation {}, seed {seed}",
                d.name()
            );
            compared_with_findings += usize::from(!expected.is_empty());
        }
    }
    // The comparison is only worth something on transcripts that break rules.
    assert!(
        compared_with_findings > 50,
        "only {compared_with_findings} plans had findings"
    );
}
