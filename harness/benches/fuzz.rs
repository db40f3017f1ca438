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

// The allocator of the `msiconf` binary, so the figures are the command's.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// One pass over `n` plans, each generated, run on the model, judged by the
/// predicates, run again and compared, as the loop would; the time of each part.
fn parts(generator: &PlanGenerator, config: &Config, n: u64) -> [Duration; 4] {
    let mut t = [Duration::ZERO; 4];
    for s in 0..n {
        let a = Instant::now();
        let plan = generator.plan(s);
        let b = Instant::now();
        let tr = model::run(&plan, config);
        let c = Instant::now();
        black_box(msiconf_spec::check(&plan, &tr, config.profile));
        let d = Instant::now();
        let again = model::run(&plan, config);
        black_box(compare(&tr, &again));
        let e = Instant::now();
        // The second run is timed with the comparison; the model's share is known from the first.
        t[0] += b - a;
        t[1] += c - b;
        t[2] += d - c;
        t[3] += (e - d).saturating_sub(c - b);
    }
    t
}

/// A whole `Fuzzer::run` of `n` plans against `runtime`; plans per second.
fn whole_loop(runtime: &dyn Runtime, profile: Profile, n: u64) -> (f64, usize) {
    let options = FuzzOptions {
        profile,
        seed: 0,
        budget: Budget::Plans(n),
        max_findings: usize::MAX,
        ..FuzzOptions::default()
    };
    let fuzzer = Fuzzer::new(runtime, options);
    let t = Instant::now();
    let summary = fuzzer.run(&mut |_| {}, &mut |_| {});
    (n as f64 / t.elapsed().as_secs_f64(), summary.findings.len())
}

fn throughput() {
    const ROUNDS: usize = 5;
    let profile = Profile::Windows;
    let n = 20_000u64;
    let generator = PlanGenerator::new(&Capabilities::everything());
    let config = Config {
        profile,
        deviations: Vec::new(),
    };
    let steps: usize = (0..n).map(|s| generator.plan(s).step_count()).sum();
    println!("== in-process throughput (profile {profile}, one thread, {ROUNDS} rounds of {n} plans, medians)");
    println!("plans: mean {:.1} steps", steps as f64 / n as f64);

    let mut per_part: [Vec<f64>; 4] = Default::default();
    for _ in 0..ROUNDS {
        for (all, d) in per_part.iter_mut().zip(parts(&generator, &config, n)) {
            all.push(d.as_secs_f64() * 1e6 / n as f64);
        }
    }
    let [g, m, p, c] = per_part.map(median);
    println!(
        "per plan: generate {g:.1} us, model run {m:.1} us, predicates {p:.1} us, transcript comparison {c:.1} us"
    );
    println!(
        "everything on every plan (generate, model twice, predicates, compare): {:.0} plans/s",
        1e6 / (g + 2.0 * m + p + c)
    );

    let reference = ModelRuntime::reference(profile);
    let copy = ReferenceCopy(ModelRuntime::reference(profile));
    let mut own = Vec::new();
    let mut differential = Vec::new();
    for _ in 0..ROUNDS {
        let (rate, found) = whole_loop(&reference, profile, n);
        assert_eq!(found, 0, "the reference broke a rule on its own plans");
        own.push(rate);
        let (rate, found) = whole_loop(&copy, profile, n);
        assert_eq!(found, 0, "the reference departed from itself");
        differential.push(rate);
    }
    println!(
        "msiconf fuzz --runtime reference (generate, model, every predicate): {:.0} plans/s",
        median(own)
    );
    println!(
        "differential loop against a copy of the reference (generate, runtime, reference, compare; predicates on both whenever the transcripts differ): {:.0} plans/s",
        median(differential)
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn findings(filter: Option<&str>) {
    println!("== time to first finding per broken runtime (5 seeds, 10 s limit each)");
    println!(
        "{:<44} {:>10} {:>8} {:>6}  cites",
        "runtime", "median s", "found", "steps"
    );
    let mut medians = Vec::new();
    let mut miscited = 0;
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
        // Whether every finding names a rule the runtime breaks (a violated
        // rule, or the rule its case file cites).
        let mut cites_right = true;
        let mut wrong = String::new();
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
                    let cited = f.named_rules();
                    if !cited.iter().any(|r| d.breaks().contains(r)) {
                        cites_right = false;
                        if wrong.is_empty() {
                            let shown = f
                                .differences
                                .first()
                                .map_or(String::new(), |x| x.to_string());
                            wrong = format!("seed {}: {cited:?} ({shown})", seed * 1_000_003);
                        }
                    }
                    times.push(f.found_after.as_secs_f64());
                    size.get_or_insert(f.plan.step_count());
                }
                None => times.push(f64::INFINITY),
            }
        }
        let m = median(times);
        medians.push(m);
        if !cites_right {
            miscited += 1;
        }
        println!(
            "{:<44} {:>10} {:>6}/5 {:>6}  {}",
            format!("broken:{}", d.name()),
            if m.is_finite() {
                format!("{m:.4}")
            } else {
                "-".to_owned()
            },
            found,
            size.map_or("-".to_owned(), |s| s.to_string()),
            if cites_right {
                "its rule".to_owned()
            } else {
                format!("ANOTHER RULE: {wrong}")
            }
        );
    }
    let under_1 = medians.iter().filter(|m| **m < 1.0).count();
    let under_10 = medians.iter().filter(|m| **m < 10.0).count();
    println!(
        "{} runtimes: {under_10} with a median under 10 s, {under_1} under 1 s; {miscited} with a finding that cites another rule",
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
