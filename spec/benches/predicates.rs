//! Checking cost, in two figures.
//!
//! - Predicate throughput: how many transcript steps per second the whole
//!   catalog checks, over a deterministic mix of transcripts shaped like the
//!   fuzzers' (about 20 steps each, spread over every context). Target: at
//!   least 600,000 steps/s.
//! - Long plans: how long `check` takes on one plan of 1,000 to 100,000 steps
//!   in an immediate custom action under an install, half of them reads of
//!   names nothing sets, as the reference model runs it. Checking must grow
//!   linearly with the transcript; target: 100,000 steps in under 1 s.
//!
//! Run with `cargo bench -p msiconf-spec --bench predicates`. Prints the
//! median of several rounds of the first, and one timed check of each long
//! plan. `-- --max-steps N` leaves out the long plans above N steps;
//! `-- --per-rule` also shows where the throughput time goes.

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use msiconf_spec::codes::catype::*;
use msiconf_spec::model::{self, Config};
use msiconf_spec::{
    Buffer, Context, HandleArg, Operation, Outcome, Plan, PlanBuilder, Profile, Transcript,
};
use std::hint::black_box;
use std::time::Instant;

/// A small deterministic generator, so every run measures the same mix.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next() % xs.len() as u64) as usize]
    }
}

const CONTEXTS: &[Context] = &[
    Context::Package,
    Context::ImmediateUi,
    Context::ImmediateBeforeInit,
    Context::ImmediateAfterInit,
    Context::Deferred,
    Context::Rollback,
    Context::Commit,
    Context::ScriptImmediate,
    Context::ScriptDeferred,
];

const ACTIONS: &[&str] = &["CostInitialize", "costinitialize", "boo", "nested51"];

const NAMES: &[&str] = &[
    "boo",
    "BOO",
    "Prop",
    "ProductCode",
    "TESTPATH",
    "CustomActionData",
    "X",
    "nested",
];

fn step(rng: &mut Rng, ctx: Context) -> (Operation, Outcome) {
    let name = *rng.pick(NAMES);
    if ctx.is_script() {
        return match rng.next() % 5 {
            0 => (
                Operation::SessionPropertyGet {
                    name: Some(name.into()),
                },
                text(""),
            ),
            1 => (
                Operation::SessionPropertySet {
                    name: Some(name.into()),
                    value: Some("v".into()),
                },
                Outcome::default(),
            ),
            2 => (
                Operation::SessionDoAction {
                    action: Some("CostInitialize".into()),
                },
                num(1),
            ),
            3 => (
                Operation::SessionMode { mode: 16 },
                num(i64::from(ctx == Context::ScriptDeferred)),
            ),
            _ => (
                Operation::SessionEvaluateCondition {
                    condition: Some("X".into()),
                },
                num(0),
            ),
        };
    }
    match rng.next() % 12 {
        0 | 1 => (gp(name), got(0, "", 0)),
        2 => (sp(name, Some("xyz")), rc(0)),
        3 => (gp_with(name, Buffer::Sized(2), true), got(234, "x", 6)),
        4 => {
            let action: &&str = rng.pick(ACTIONS);
            (da(action), rc(0))
        }
        5 => (Operation::GetMode { mode: 16, handle: HandleArg::Session }, num(0)),
        6 => (fmt("[ProductCode]|[boo]"), formatted("|")),
        7 => (gad("db"), handle(1)),
        8 => (sql("SELECT * FROM `_Property`"), rows(0, &[&["boo", "xyz"]])),
        9 => (sql("CREATE TABLE `T` (`B` SHORT NOT NULL TEMPORARY, `C` CHAR(255) TEMPORARY PRIMARY KEY `C`) HOLD"), rc(0)),
        10 => (Operation::EvaluateCondition { condition: Some("boo = 1".into()) }, num(0)),
        _ => (Operation::IsTablePersistent { db: "db".into(), table: Some("T".into()) }, num(0)),
    }
}

fn transcript(rng: &mut Rng) -> (Plan, Transcript) {
    let mut c = Case::new(|f| {
        ca(f, "nested51", SET_PROPERTY, "nested", "1");
        ca(
            f,
            "SetDeferred",
            SET_PROPERTY,
            "ProbeDeferred",
            "[TESTPATH]",
        );
        exec(f, "SetDeferred", 1590);
        test_table(f);
    })
    .install(&[("TESTPATH", "c:\\x")]);
    // Three or four probes of about five steps each: about 20 steps.
    let probes = 3 + rng.next() % 2;
    for _ in 0..probes {
        let ctx = *rng.pick(CONTEXTS);
        for _ in 0..5 {
            let (op, outcome) = step(rng, ctx);
            c = c.call(ctx, op, outcome);
        }
    }
    c.result(0).build()
}

fn main() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mix: Vec<(Plan, Transcript)> = (0..500).map(|_| transcript(&mut rng)).collect();
    let steps: usize = mix.iter().map(|(_, t)| t.events.len()).sum();
    let rules = msiconf_spec::rules::catalog()
        .iter()
        .filter(|r| r.has_predicate())
        .count();
    let mut rates = Vec::new();
    for _ in 0..7 {
        let start = Instant::now();
        let mut found = 0usize;
        for (plan, t) in &mix {
            found += msiconf_spec::check(black_box(plan), black_box(t), Profile::Windows).len();
        }
        let secs = start.elapsed().as_secs_f64();
        black_box(found);
        rates.push(steps as f64 / secs);
    }
    rates.sort_by(f64::total_cmp);
    // With `-- --per-rule`, also show where the time goes, slowest rules first.
    if std::env::args().any(|a| a == "--per-rule") {
        let mut per: Vec<(f64, &str)> = msiconf_spec::rules::catalog()
            .iter()
            .filter(|r| r.has_predicate())
            .map(|r| {
                let start = Instant::now();
                let mut out = Vec::new();
                for (plan, t) in &mix {
                    r.check(black_box(plan), black_box(t), Profile::Windows, &mut out);
                }
                black_box(out);
                (start.elapsed().as_secs_f64(), r.id)
            })
            .collect();
        per.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (secs, id) in per.iter().take(15) {
            println!("  {id:32} {:8.2} ms", secs * 1e3);
        }
    }
    let median = rates[rates.len() / 2];
    println!(
        "predicates: {rules} rules over {} transcripts ({steps} steps): median {:.0} steps/s ({:.0} transcripts/s) over {} rounds",
        mix.len(),
        median,
        median * mix.len() as f64 / steps as f64,
        rates.len()
    );
    long_plans();
}

/// The sizes of the long plans.
const LONG_PLANS: &[usize] = &[1_000, 10_000, 32_000, 100_000];

/// Step `k` of a long plan: every other step reads a property nothing sets
/// (each a different name, so no answer can be reused); the rest set and read
/// back a few names and make other session calls.
fn long_step(k: usize) -> Operation {
    if k % 2 == 0 {
        return gp(&format!("NEVERSET{k}"));
    }
    let name = format!("SETPROP{}", k % 16);
    match (k / 2) % 6 {
        0 => sp(&name, Some("value")),
        1 => gp(&name),
        2 => Operation::GetMode {
            mode: 16,
            handle: HandleArg::Session,
        },
        3 => fmt("[ProductCode]|[SETPROP1]"),
        4 => Operation::EvaluateCondition {
            condition: Some("SETPROP2 = \"value\"".into()),
        },
        _ => gad("db"),
    }
}

fn long_plan(steps: usize) -> Plan {
    let mut b = PlanBuilder::new(msiconf_spec::Fixture::standard());
    b.steps(
        Context::ImmediateAfterInit,
        None,
        (0..steps).map(long_step).collect(),
    );
    b.build()
}

fn long_plans() {
    let max = std::env::args()
        .skip_while(|a| a != "--max-steps")
        .nth(1)
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    for &steps in LONG_PLANS.iter().filter(|&&n| n <= max) {
        let plan = long_plan(steps);
        let t = model::run(&plan, &Config::default());
        let start = Instant::now();
        let found = msiconf_spec::check(black_box(&plan), black_box(&t), Profile::Windows);
        let secs = start.elapsed().as_secs_f64();
        println!(
            "check of a {steps}-step plan ({} events, {} violations): {:.3} s",
            t.events.len(),
            found.len(),
            secs
        );
    }
}
