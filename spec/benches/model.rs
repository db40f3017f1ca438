//! `cargo bench -p msiconf-spec --bench model`: throughput figures for the spec crate.
//!
//! Plain `std::time`, no framework: each benchmark runs several rounds and the
//! median rate is printed. To add a figure, add an entry to `BENCHES`.

use msiconf_spec::model::{self, Config, Session};
use msiconf_spec::{Buffer, Context, Fixture, HandleArg, Operation, Plan, PlanBuilder};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Rounds per benchmark; the median is reported.
const ROUNDS: usize = 7;

/// A benchmark: its name, the unit it counts, and one round that returns how
/// many units it did and how long they took.
struct Bench {
    name: &'static str,
    unit: &'static str,
    round: fn() -> (u64, Duration),
}

const BENCHES: &[Bench] = &[
    Bench {
        name: "model get-property",
        unit: "ops",
        round: get_property,
    },
    Bench {
        name: "model set-property",
        unit: "ops",
        round: set_property,
    },
    Bench {
        name: "model get/set-property in a custom action",
        unit: "ops",
        round: get_set_in_custom_action,
    },
    Bench {
        name: "model run of a plan (7 contexts, install)",
        unit: "plans",
        round: run_plan,
    },
];

const OPS: u64 = 200_000;

fn get(name: &str) -> Operation {
    Operation::GetProperty {
        name: Some(name.to_owned()),
        buffer: Buffer::Ample,
        ansi: false,
        handle: HandleArg::Session,
    }
}

fn set(name: &str, value: &str) -> Operation {
    Operation::SetProperty {
        ansi: false,
        name: Some(name.to_owned()),
        value: Some(value.to_owned()),
        handle: HandleArg::Session,
    }
}

fn session() -> Session<'static> {
    Session::new(&Fixture::standard(), &Config::default())
}

fn get_property() -> (u64, Duration) {
    let mut s = session();
    let op = get("ProductName");
    let start = Instant::now();
    for _ in 0..OPS {
        black_box(s.call(Context::Package, black_box(&op)));
    }
    (OPS, start.elapsed())
}

fn set_property() -> (u64, Duration) {
    let mut s = session();
    let ops = [set("PROP", "value one"), set("PROP", "value two")];
    let start = Instant::now();
    for i in 0..OPS {
        black_box(s.call(Context::Package, black_box(&ops[(i & 1) as usize])));
    }
    (OPS, start.elapsed())
}

fn get_set_in_custom_action() -> (u64, Duration) {
    let mut s = session();
    let ops = [set("PROP", "value"), get("PROP")];
    let start = Instant::now();
    for i in 0..OPS {
        black_box(s.call(
            Context::ImmediateBeforeInit,
            black_box(&ops[(i & 1) as usize]),
        ));
    }
    (OPS, start.elapsed())
}

/// A plan with a probe in each custom-action context and a forced rollback:
/// about what a conformance case asks of the model.
fn sample_plan() -> Plan {
    let mut b = PlanBuilder::new(Fixture::standard());
    for ctx in [
        Context::ImmediateUi,
        Context::ImmediateBeforeInit,
        Context::ImmediateAfterInit,
        Context::Deferred,
        Context::Rollback,
        Context::Commit,
    ] {
        b.step(ctx, None, get("ProductCode"));
        b.step(ctx, None, set("PROP", "x"));
    }
    b.step(Context::ScriptImmediate, None, Operation::SessionLanguage);
    b.build()
}

fn run_plan() -> (u64, Duration) {
    const PLANS: u64 = 2_000;
    let plan = sample_plan();
    let config = Config::default();
    let start = Instant::now();
    for _ in 0..PLANS {
        black_box(model::run(black_box(&plan), &config));
    }
    (PLANS, start.elapsed())
}

fn main() {
    // `cargo bench` passes `--bench`; a name given on the command line filters.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    for bench in BENCHES {
        if filter.as_deref().is_some_and(|f| !bench.name.contains(f)) {
            continue;
        }
        let mut rates: Vec<f64> = (0..ROUNDS)
            .map(|_| {
                let (n, t) = (bench.round)();
                n as f64 / t.as_secs_f64().max(1e-9)
            })
            .collect();
        rates.sort_by(f64::total_cmp);
        let median = rates[ROUNDS / 2];
        println!(
            "{:<48} {:>14.0} {}/s (median of {ROUNDS} rounds)",
            bench.name, median, bench.unit
        );
    }
}
