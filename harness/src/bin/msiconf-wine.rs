//! `msiconf-wine`: set-up check, single-plan runs and the benchmark of the
//! msiexec runtime. (The main `msiconf` CLI reaches the same runtime through
//! `--runtime msiexec`.)
//!
//! Exit codes: 0 success, 1 the benchmark missed a target, 2 set-up or infrastructure error.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use msiconf::case::{load_dir, KnownRules};
use msiconf::runtime::Runtime;
use msiconf::runtimes::msiexec::{MsiexecOptions, MsiexecRuntime};
use msiconf_spec::Plan;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Parser)]
#[command(
    name = "msiconf-wine",
    about = "The msiexec runtime on its own: check, run, bench"
)]
struct Cli {
    /// The most Wine prefixes (parallel sessions) to use.
    #[arg(long, global = true)]
    workers: Option<usize>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Checks that Wine and the cross compiler are installed, builds the probes, and creates a prefix.
    Check,
    /// Runs plans (JSON files of `msiconf_spec::Plan`) and prints each transcript as JSON.
    Run {
        plans: Vec<PathBuf>,
        /// Seconds each plan may take.
        #[arg(long, default_value_t = 60.0)]
        timeout: f64,
    },
    /// Prints the bare cost of an empty session, the sessions the suite needs, and its wall time.
    Bench {
        /// The folder of case files whose plans make the suite.
        #[arg(long, default_value = "cases")]
        cases: PathBuf,
        /// Only cases whose name contains this.
        #[arg(long)]
        filter: Option<String>,
        /// Empty sessions to time for the bare cost.
        #[arg(long, default_value_t = 5)]
        bare_runs: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut options = MsiexecOptions::default();
    if let Some(w) = cli.workers {
        options.workers = w;
    }
    let runtime = match MsiexecRuntime::new(options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("msiconf-wine: {}", e.chain());
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Cmd::Check => check(&runtime),
        Cmd::Run { plans, timeout } => run(&runtime, &plans, Duration::from_secs_f64(timeout)),
        Cmd::Bench {
            cases,
            filter,
            bare_runs,
        } => bench(&runtime, &cases, filter.as_deref(), bare_runs),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("msiconf-wine: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn check(runtime: &MsiexecRuntime) -> anyhow::Result<ExitCode> {
    let info = runtime.info();
    let t = runtime
        .bare_session(Duration::from_secs(300))
        .map_err(|e| anyhow::anyhow!(e.chain()))?;
    println!(
        "{} {}: an empty install session works ({:.2} s)",
        info.name,
        info.version,
        t.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn load(path: &PathBuf) -> anyhow::Result<Plan> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read plan `{}`", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("failed to parse plan `{}`", path.display()))
}

fn run(runtime: &MsiexecRuntime, plans: &[PathBuf], timeout: Duration) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for path in plans {
        let plan = load(path)?;
        match runtime.execute(&plan, timeout) {
            Ok(t) => println!("{}", serde_json::to_string_pretty(&t)?),
            Err(e) => {
                failed = true;
                eprintln!("{}: {e}\n{}", path.display(), e.stderr());
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn bench(
    runtime: &MsiexecRuntime,
    cases: &Path,
    filter: Option<&str>,
    bare_runs: usize,
) -> anyhow::Result<ExitCode> {
    let suite = load_dir(cases, &KnownRules::catalog())
        .with_context(|| format!("failed to load the cases in `{}`", cases.display()))?;
    // Each case's plan runs once: a run in both profiles reads the same transcript twice.
    let selected: Vec<_> = suite
        .cases
        .iter()
        .filter(|c| filter.is_none_or(|f| c.name.contains(f)))
        .collect();
    let plans: Vec<Plan> = selected.iter().map(|c| (*c.plan).clone()).collect();
    runtime.warm_up().map_err(|e| anyhow::anyhow!(e.chain()))?;
    // Warm up: the first session of a prefix pays for starting wineserver.
    runtime
        .bare_session(Duration::from_secs(300))
        .map_err(|e| anyhow::anyhow!(e.chain()))?;
    let mut bare = Vec::new();
    for _ in 0..bare_runs.max(1) {
        bare.push(
            runtime
                .bare_session(Duration::from_secs(120))
                .map_err(|e| anyhow::anyhow!(e.chain()))?
                .as_secs_f64(),
        );
    }
    bare.sort_by(f64::total_cmp);
    let bare_cost = bare[bare.len() / 2];
    let sessions: usize = plans.iter().map(MsiexecRuntime::sessions_needed).sum();
    let workers = runtime.workers().min(plans.len().max(1));
    let wine_before = runtime.wine_time();
    let next = AtomicUsize::new(0);
    let errors = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(plan) = plans.get(i) else { break };
                if let Err(e) = runtime.execute(plan, Duration::from_secs(60)) {
                    errors.fetch_add(1, Ordering::SeqCst);
                    eprintln!("{}: {e}", selected[i].name);
                }
            });
        }
    });
    let wall = start.elapsed().as_secs_f64();
    let in_wine = (runtime.wine_time() - wine_before).as_secs_f64();
    let floor = sessions as f64 * bare_cost / workers as f64;
    let overhead = if floor > 0.0 {
        (wall - floor) / floor
    } else {
        0.0
    };
    println!(
        "bare session (median of {}): {:.3} s",
        bare.len(),
        bare_cost
    );
    println!(
        "plans: {}  sessions needed: {}  workers: {}",
        plans.len(),
        sessions,
        workers
    );
    println!("suite wall time: {wall:.2} s (target < 120 s)");
    println!(
        "harness overhead: {:.1}% over sessions x bare cost / workers = {floor:.2} s (target < 25%)",
        overhead * 100.0
    );
    println!(
        "plans that ended in an error: {}",
        errors.load(Ordering::SeqCst)
    );
    println!(
        "time inside Wine sessions: {in_wine:.2} s over {workers} workers = {:.2} s of wall time; harness time outside Wine: {:.1}% of the wall time",
        in_wine / workers as f64,
        (1.0 - in_wine / workers as f64 / wall).max(0.0) * 100.0
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "load average at the end: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    Ok(if wall < 120.0 && overhead < 0.25 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
