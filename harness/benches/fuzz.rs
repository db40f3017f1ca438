//! Figures for `msiconf fuzz`: `cargo bench -p msiconf --bench fuzz [-- --throughput | --findings] [FILTER]`.
//!
//! 1. In-process throughput against the reference with predicate checks and
//!    the differential comparison (the target is 20,000 plans/s of about 20
//!    steps on one core), with where the time goes.
//! 2. Per broken runtime: the median time to the first finding over 5 seeds
//!    (the target is under 10 s each, most under 1 s) and the shrunk case size.

use msiconf::fuzz::compare::compare;
use msiconf::fuzz::generate::{Capabilities, PlanGenerator};
use msiconf::fuzz::{Budget, FuzzOptions, Fuzzer};
use msiconf::runtime::{Runtime, RuntimeError, RuntimeInfo};
use msiconf::runtimes::ModelRuntime;
use msiconf_spec::model::{self, Config, Deviation};
use msiconf_spec::{Plan, Profile, Transcript};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The reference under another name, so the fuzzer runs the full differential path on it.
struct ReferenceCopy(ModelRuntime);

impl Runtime for ReferenceCopy {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            name: "reference-copy".to_owned(),
            ..self.0.info()
        }
    }
    fn execute(&self, plan: &Plan, timeout: Duration) -> Result<Transcript, RuntimeError> {
        self.0.execute(plan, timeout)
    }
}

fn throughput() {
    let profile = Profile::Windows;
    let n = 20_000u64;
    let generator = PlanGenerator::new(&Capabilities::everything());
    let config = Config {
        profile,
        deviations: Vec::new(),
    };
    let plans: Vec<Plan> = (0..n).map(|s| generator.plan(s)).collect();
    let steps: usize = plans.iter().map(Plan::step_count).sum();

    let t = Instant::now();
    for s in 0..n {
        black_box(generator.plan(s));
    }
    let generate = t.elapsed();
    let t = Instant::now();
    let transcripts: Vec<Transcript> = plans.iter().map(|p| model::run(p, &config)).collect();
    let run = t.elapsed();
    let t = Instant::now();
    for (p, tr) in plans.iter().zip(&transcripts) {
        black_box(msiconf_spec::check(p, tr, profile));
    }
    let check = t.elapsed();
    let t = Instant::now();
    for tr in &transcripts {
        black_box(compare(tr, &tr.clone()));
    }
    let diff = t.elapsed();

    let runtime = ReferenceCopy(ModelRuntime::reference(profile));
    let options = FuzzOptions {
        profile,
        seed: 0,
        budget: Budget::Plans(n),
        max_findings: usize::MAX,
        ..FuzzOptions::default()
    };
    let fuzzer = Fuzzer::new(&runtime, options);
    let t = Instant::now();
    let summary = fuzzer.run(&mut |_| {}, &mut |_| {});
    let total = t.elapsed();
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    println!("== in-process throughput against the reference (profile {profile}, one core)");
    println!(
        "plans: {n}, mean {:.1} steps; findings: {} (reference-copy must have none)",
        steps as f64 / n as f64,
        summary.findings.len()
    );
    println!(
        "per plan: generate {:.1} us, model run {:.1} us (x2 in the loop), predicates {:.1} us (x2), compare {:.1} us",
        per(generate),
        per(run),
        per(check),
        per(diff)
    );
    println!(
        "full loop (generate, runtime, reference, differential; predicates on both whenever the transcripts differ): {:.0} plans/s ({:.1} us/plan)",
        n as f64 / total.as_secs_f64(),
        per(total)
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn findings(filter: Option<&str>) {
    println!("== time to first finding per broken runtime (5 seeds, 10 s limit each)");
    println!(
        "{:<44} {:>10} {:>8} {:>6}",
        "runtime", "median s", "found", "steps"
    );
    let mut medians = Vec::new();
    for &d in Deviation::ALL {
        if filter.is_some_and(|f| !d.name().contains(f)) {
            continue;
        }
        let profile = if d == Deviation::NullActionRejected {
            Profile::Documented
        } else {
            Profile::Windows
        };
        let runtime = ModelRuntime::broken(d, profile);
        let mut times = Vec::new();
        let mut found = 0;
        let mut size = None;
        for seed in 0..5u64 {
            let options = FuzzOptions {
                profile,
                seed: seed * 1_000_003,
                budget: Budget::Time(Duration::from_secs(10)),
                max_findings: 1,
                ..FuzzOptions::default()
            };
            let summary = Fuzzer::new(&runtime, options).run(&mut |_| {}, &mut |_| {});
            match summary.findings.first() {
                Some(f) => {
                    found += 1;
                    times.push(f.found_after.as_secs_f64());
                    size.get_or_insert(f.plan.step_count());
                }
                None => times.push(f64::INFINITY),
            }
        }
        let m = median(times);
        medians.push(m);
        println!(
            "{:<44} {:>10} {:>6}/5 {:>6}",
            format!("broken:{}", d.name()),
            if m.is_finite() {
                format!("{m:.4}")
            } else {
                "-".to_owned()
            },
            found,
            size.map_or("-".to_owned(), |s| s.to_string())
        );
    }
    let under_1 = medians.iter().filter(|m| **m < 1.0).count();
    let under_10 = medians.iter().filter(|m| **m < 10.0).count();
    println!(
        "{} runtimes: {under_10} with a median under 10 s, {under_1} under 1 s",
        medians.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let only_throughput = args.iter().any(|a| a == "--throughput");
    let only_findings = args.iter().any(|a| a == "--findings");
    let filter = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(String::as_str);
    if !only_findings {
        throughput();
    }
    if !only_throughput {
        findings(filter);
    }
}
