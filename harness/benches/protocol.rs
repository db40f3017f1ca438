//! Throughput of the process protocol: plans of about 20 steps sent through
//! `cmd:` to `msiconf serve`, one pipelined stream per core, reported as the
//! median steps per second of several rounds.
//!
//! Run with `cargo bench -p msiconf --bench protocol`. The figure counts the
//! steps the plans ask for; the events the runtime recorded are printed beside
//! it, so a runtime that skips work cannot look fast.

#[path = "../tests/common/mod.rs"]
mod common;

use msiconf::runtime::Runtime;
use msiconf::runtimes::process::{ProcessOptions, ProcessRuntime};
use msiconf_spec::Plan;
use std::time::{Duration, Instant};

const STEPS_PER_PLAN: usize = 20;
const PLANS_PER_ROUND: usize = 4000;
const ROUNDS: usize = 7;
const TARGET: f64 = 50_000.0;

struct Round {
    steps: usize,
    events: usize,
    seconds: f64,
}

/// Runs every plan once, split over `threads` pipelined streams (or one
/// request at a time per thread when `pipelined` is false).
fn round(rt: &ProcessRuntime, plans: &[Plan], threads: usize, pipelined: bool) -> Round {
    let timeout = Duration::from_secs(60);
    let chunk = plans.len().div_ceil(threads);
    let started = Instant::now();
    let events: usize = std::thread::scope(|s| {
        let handles: Vec<_> = plans
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let results = if pipelined {
                        rt.execute_many(part, timeout)
                    } else {
                        part.iter().map(|p| rt.execute(p, timeout)).collect()
                    };
                    results
                        .into_iter()
                        .map(|r| r.expect("serve answers every plan").events.len())
                        .sum::<usize>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("bench thread"))
            .sum()
    });
    Round {
        steps: plans.iter().map(Plan::step_count).sum(),
        events,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let exe = env!("CARGO_BIN_EXE_msiconf");
    let rt = ProcessRuntime::from_spec(&format!("cmd:'{exe}' serve"), ProcessOptions::default())
        .expect("msiconf serve starts");
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let plans: Vec<Plan> = (0..PLANS_PER_ROUND)
        .map(|seed| common::mixed_plan(STEPS_PER_PLAN, seed))
        .collect();
    let json_bytes: usize = plans
        .iter()
        .map(|p| serde_json::to_vec(p).expect("plans serialise").len())
        .sum();

    println!(
        "protocol benchmark: {PLANS_PER_ROUND} plans of {STEPS_PER_PLAN} steps per round \
         ({:.0} bytes of plan JSON each), {threads} streams, {ROUNDS} rounds",
        json_bytes as f64 / plans.len() as f64
    );
    for (label, pipelined) in [("pipelined", true), ("one at a time", false)] {
        round(&rt, &plans[..200], threads, pipelined); // warm up every process
        let rounds: Vec<Round> = (0..ROUNDS)
            .map(|_| round(&rt, &plans, threads, pipelined))
            .collect();
        let rates: Vec<f64> = rounds.iter().map(|r| r.steps as f64 / r.seconds).collect();
        let plan_rates: Vec<f64> = rounds
            .iter()
            .map(|r| PLANS_PER_ROUND as f64 / r.seconds)
            .collect();
        let events = rounds[0].events;
        let steps_median = median(rates.clone());
        println!(
            "  {label:>13}: median {:>9.0} steps/s ({:.0} plans/s; min {:.0}, max {:.0} steps/s); \
             {events} events recorded per round",
            steps_median,
            median(plan_rates),
            rates.iter().copied().fold(f64::INFINITY, f64::min),
            rates.iter().copied().fold(0.0, f64::max),
        );
        if pipelined {
            println!(
                "  target ≥ {TARGET:.0} steps/s: {}",
                if steps_median >= TARGET {
                    "met"
                } else {
                    "NOT met"
                }
            );
        }
    }
    println!("  processes started: {}", rt.processes_started());
}
