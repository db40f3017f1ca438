//! Proof that the fuzzer finds things: against every broken runtime, with a
//! fixed seed and a bounded number of plans, it must report a departure that
//! names the rule the runtime breaks, and the shrunk case must have at most 6
//! steps.

use msiconf::case::{parse_case, KnownRules};
use msiconf::fuzz::{Budget, FuzzOptions, Fuzzer};
use msiconf::runtime::Runtime;
use msiconf::runtimes::ModelRuntime;
use msiconf_spec::model::Deviation;
use msiconf_spec::Profile;
use std::path::Path;
use std::time::Duration;

/// Plans per broken runtime before giving up. Most are found within a few
/// hundred; the bound keeps a miss from turning into a long run.
const PLANS: u64 = 20_000;
const SEED: u64 = 20_261_121;

fn profile_for(d: Deviation) -> Profile {
    // The two NULL-action deviations break opposite sides of one disagreement:
    // each shows only in the profile whose expectation it contradicts.
    match d {
        Deviation::NullActionRejected => Profile::Documented,
        _ => Profile::Windows,
    }
}

#[test]
fn every_broken_runtime_is_found_and_shrunk_to_at_most_six_steps() {
    let mut missed = Vec::new();
    let mut too_big = Vec::new();
    let mut sizes = Vec::new();
    let mut passes = Vec::new();
    let mut miscited = Vec::new();
    let mut uncovered = Vec::new();
    for &d in Deviation::ALL {
        let profile = profile_for(d);
        let runtime = ModelRuntime::broken(d, profile);
        let options = FuzzOptions {
            profile,
            seed: SEED,
            budget: Budget::Plans(PLANS),
            // Stop at the first finding that names a rule the deviation breaks;
            // other rules a predicate rightly flags on the way may come first.
            max_findings: 4,
            until: d.breaks().iter().map(|r| (*r).to_owned()).collect(),
            ..FuzzOptions::default()
        };
        let started = std::time::Instant::now();
        let summary = Fuzzer::new(&runtime, options).run(&mut |_| {}, &mut |_| {});
        println!(
            "{}: {} plans, {:.2} s",
            d.name(),
            summary.plans,
            started.elapsed().as_secs_f64()
        );
        let Some(finding) = summary
            .findings
            .iter()
            .find(|f| f.named_rules().iter().any(|r| d.breaks().contains(r)))
            .or(summary.findings.first())
        else {
            missed.push(d.name());
            continue;
        };
        let cited = finding.named_rules();
        if !cited.iter().any(|r| d.breaks().contains(r)) {
            miscited.push(format!(
                "{} cites {cited:?}, breaks {:?}",
                d.name(),
                d.breaks()
            ));
        }
        if finding.plan.step_count() > 6 {
            too_big.push(format!(
                "{} ({} steps)",
                d.name(),
                finding.plan.step_count()
            ));
        }
        // The written case is an ordinary case: the harness reads it back to
        // the shrunk plan, and it passes on the reference and fails here.
        let mut text = finding.case.to_toml();
        if finding.case.rules.is_empty() {
            // No catalog rule covers the difference, and the file says so; it
            // loads once someone cites a rule, which is what is done here.
            assert!(text.contains("No rule in the catalog covers"), "{text}");
            uncovered.push(d.name());
            let any = msiconf_spec::rules::catalog()[0].id;
            text = text.replace("rules = []", &format!("rules = [\"{any}\"]"));
        }
        let path = Path::new("cases/regressions/x.toml");
        let case = parse_case("regressions/x", path, &text, &KnownRules::catalog())
            .unwrap_or_else(|e| panic!("{}: {e}\n{text}", d.name()));
        assert_eq!(*case.plan, finding.plan, "{}", d.name());
        let timeout = Duration::from_secs(10);
        let reference = ModelRuntime::reference(profile).execute(&case.plan, timeout);
        let on_reference = case.check(profile, &reference.unwrap());
        assert!(
            on_reference.is_empty(),
            "{}: {on_reference:?}\n{text}",
            d.name()
        );
        let on_broken = case.check(profile, &runtime.execute(&case.plan, timeout).unwrap());
        if on_broken.is_empty() {
            passes.push(format!("{}: the case passes\n{text}", d.name()));
        }
        sizes.push(format!("{} {}", d.name(), finding.plan.step_count()));
    }
    println!("shrunk sizes: {}", sizes.join(", "));
    println!("findings no catalog rule covers: {uncovered:?}");
    assert!(
        missed.is_empty(),
        "not found within {PLANS} plans: {missed:?}"
    );
    assert!(too_big.is_empty(), "shrunk cases too large: {too_big:?}");
    assert!(passes.is_empty(), "{}", passes.join("\n"));
    // The finding names the rule the runtime breaks, by a predicate's
    // violation or, for a bare difference, by the rule the difference is about.
    assert!(
        miscited.is_empty(),
        "findings citing another rule:\n{}",
        miscited.join("\n")
    );
}

#[test]
fn the_reference_model_gives_no_finding() {
    for profile in Profile::ALL {
        let runtime = ModelRuntime::reference(profile);
        let options = FuzzOptions {
            profile,
            seed: SEED,
            budget: Budget::Plans(3_000),
            ..FuzzOptions::default()
        };
        let summary = Fuzzer::new(&runtime, options).run(&mut |_| {}, &mut |_| {});
        let first = summary.findings.first().map(|f| {
            format!(
                "seed {}: {:?}\n{}",
                f.plan_seed,
                f.violations,
                f.case.to_toml()
            )
        });
        assert!(first.is_none(), "{profile}: {}", first.unwrap_or_default());
    }
}

/// One bug is one finding however many plans show it: the run keeps going past
/// the repeats and the summary counts them per signature instead.
#[test]
fn repeats_of_one_departure_are_counted_not_reported_again() {
    let d = Deviation::ALL[0];
    let profile = profile_for(d);
    let runtime = ModelRuntime::broken(d, profile);
    let options = FuzzOptions {
        profile,
        seed: SEED,
        budget: Budget::Plans(2_000),
        max_findings: 10,
        ..FuzzOptions::default()
    };
    let summary = Fuzzer::new(&runtime, options).run(&mut |_| {}, &mut |_| {});
    assert!(!summary.findings.is_empty(), "{} not found", d.name());
    let mut reported: Vec<String> = summary.findings.iter().map(|f| f.signature()).collect();
    let all = reported.len();
    reported.sort();
    reported.dedup();
    assert_eq!(reported.len(), all, "a signature was reported twice");
    for s in &reported {
        assert!(summary.signatures.get(s).copied().unwrap_or(0) >= 1, "{s}");
    }
    assert!(
        summary.signatures.values().any(|&n| n > 1),
        "no departure was seen in more than one plan: {:?}",
        summary.signatures
    );
}

/// Plans judged on several threads are looked at in plan order: the run
/// finds the same departures in the same plans, shrunk to the same cases.
#[test]
fn more_workers_find_the_same_things_in_the_same_order() {
    for d in [
        msiconf_spec::model::Deviation::DeferredSeesAllProperties,
        Deviation::ALL[0],
    ] {
        let profile = profile_for(d);
        let runtime = ModelRuntime::broken(d, profile);
        let run = |workers| {
            let options = FuzzOptions {
                profile,
                seed: SEED,
                budget: Budget::Plans(1_500),
                max_findings: 5,
                workers,
                ..FuzzOptions::default()
            };
            Fuzzer::new(&runtime, options).run(&mut |_| {}, &mut |_| {})
        };
        let one = run(1);
        let three = run(3);
        assert!(!one.findings.is_empty(), "{}: nothing found", d.name());
        assert_eq!(one.plans, three.plans, "{}", d.name());
        assert_eq!(one.signatures, three.signatures, "{}", d.name());
        let key = |s: &msiconf::fuzz::Summary| -> Vec<(String, u64, msiconf_spec::Plan)> {
            s.findings
                .iter()
                .map(|f| (f.signature(), f.plan_seed, f.plan.clone()))
                .collect()
        };
        assert_eq!(key(&one), key(&three), "{}", d.name());
        for f in &one.findings {
            assert!(f.shrink_calls <= f.shrink_tries, "{}", d.name());
        }
    }
}
