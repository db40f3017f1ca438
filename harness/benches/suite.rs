//! Figures for the closing note: `cargo bench -p msiconf --bench suite`.
//!
//! 1. The wall time of `msiconf run` over the whole suite against `reference`,
//!    as a user sees it: the release binary, start-up and report writing included.
//! 2. The harness's overhead per case over bare `model::run`: the guard
//!    thread, checking the expectations and every rule predicate, the result.
//!
//! Each figure is the median of several repetitions. Targets: under 0.5 s for
//! the suite, under 100 µs of overhead per case.

use msiconf::case::{load_dir, KnownRules};
use msiconf::runner::{run_case, RunOptions};
use msiconf::runtime::Runtime;
use msiconf::runtimes::ModelRuntime;
use msiconf_spec::model;
use msiconf_spec::Profile;
use std::hint::black_box;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const REPETITIONS: usize = 7;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; nothing here takes options.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cases_dir = root.join("cases");
    let out_dir = tempfile::tempdir().expect("a temporary folder");
    let report = out_dir.path().join("report.json");
    let report_arg = format!("json={}", report.display());

    let mut walls = Vec::new();
    let mut status = None;
    for _ in 0..REPETITIONS {
        let started = Instant::now();
        let s = Command::new(env!("CARGO_BIN_EXE_msiconf"))
            .args(["run", "--cases"])
            .arg(&cases_dir)
            .args(["--report", &report_arg])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("msiconf runs");
        walls.push(started.elapsed());
        status = s.code();
    }
    let suite = load_dir(&cases_dir, &KnownRules::catalog()).expect("the cases folder is readable");
    let rules = msiconf_spec::rules::catalog();
    println!(
        "suite: {} cases ({} unreadable), {} rules ({} with a predicate)",
        suite.cases.len(),
        suite.errors.len(),
        rules.len(),
        rules.iter().filter(|r| r.has_predicate()).count()
    );
    println!(
        "msiconf run (release, whole suite, reference, windows): median {:.1} ms over {REPETITIONS} runs (exit code {})",
        median(walls).as_secs_f64() * 1000.0,
        status.map_or("none".to_owned(), |c| c.to_string())
    );

    let profile = Profile::Windows;
    let cases: Vec<_> = suite
        .cases
        .iter()
        .filter(|c| c.applies_in(profile))
        .cloned()
        .collect();
    if cases.is_empty() {
        println!("overhead per case: no case applies in profile windows, nothing to measure");
        return;
    }
    let config = model::Config {
        profile,
        deviations: Vec::new(),
    };
    let runtime: Arc<dyn Runtime> = Arc::new(ModelRuntime::reference(profile));
    let info = runtime.info();
    let options = RunOptions::default();
    // The same loop without the catalog's predicates separates the runner's
    // own cost (guard thread, expectations, result) from the rules' cost.
    let no_rules = RunOptions {
        rules: &[],
        ..options
    };
    let mut bare = Vec::new();
    let mut harnessed = Vec::new();
    let mut mechanics = Vec::new();
    for _ in 0..REPETITIONS {
        let started = Instant::now();
        for case in &cases {
            black_box(model::run(black_box(&case.plan), &config));
        }
        bare.push(started.elapsed());
        let started = Instant::now();
        for case in &cases {
            black_box(run_case(case, &runtime, &info, profile, &options));
        }
        harnessed.push(started.elapsed());
        let started = Instant::now();
        for case in &cases {
            black_box(run_case(case, &runtime, &info, profile, &no_rules));
        }
        mechanics.push(started.elapsed());
    }
    let n = cases.len() as f64;
    let per_case = |samples: Vec<Duration>| median(samples).as_secs_f64() / n * 1e6;
    let (bare, harnessed, mechanics) = (per_case(bare), per_case(harnessed), per_case(mechanics));
    println!(
        "per case over {} cases: bare model::run {bare:.1} µs, through the harness {harnessed:.1} µs: overhead {:.1} µs \
         ({:.1} µs runner and expectations, {:.1} µs the catalog's {} predicates)",
        cases.len(),
        harnessed - bare,
        mechanics - bare,
        harnessed - mechanics,
        msiconf_spec::rules::catalog().iter().filter(|r| r.has_predicate()).count()
    );
}
