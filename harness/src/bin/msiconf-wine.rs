//! `msiconf-wine`: set-up check, single-plan runs and the benchmark of the
//! msiexec runtime. (The main `msiconf` CLI reaches the same runtime through
//! `--runtime msiexec`.)
//!
//! Exit codes: 0 success, 1 the benchmark missed a target, 2 set-up or infrastructure error.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use msiconf::case::{load_dir, KnownRules};
use msiconf::runtime::Runtime;
use msiconf::runtimes::msiexec::{Mode, MsiexecOptions, MsiexecRuntime};
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
    /// Prints, for the agent and the per-session mode one after the other, the
    /// bare cost of an empty session, the sessions the suite needs and its wall time.
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
        /// Only this mode (`agent` or `per-session`); both by default.
        #[arg(long)]
        mode: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut options = MsiexecOptions::default();
    if let Some(w) = cli.workers {
        options.workers = w;
    }
    if let Cmd::Bench {
        cases,
        filter,
        bare_runs,
        mode,
    } = &cli.command
    {
        let modes = match mode.as_deref() {
            None => vec![Mode::Agent, Mode::PerSession],
            Some("agent") => vec![Mode::Agent],
            Some("per-session") => vec![Mode::PerSession],
            Some(other) => {
                eprintln!("msiconf-wine: unknown mode `{other}` (agent or per-session)");
                return ExitCode::from(2);
            }
        };
        return match bench(&options, cases, filter.as_deref(), *bare_runs, &modes) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("msiconf-wine: {e:#}");
                ExitCode::from(2)
            }
        };
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
        Cmd::Bench { .. } => unreachable!("the bench builds its own runtimes"),
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

/// What one mode measured.
struct Measured {
    bare: f64,
    bare_runs: usize,
    sessions: usize,
    workers: usize,
    wall: f64,
    errors: usize,
    in_wine: f64,
}

fn measure(
    runtime: &MsiexecRuntime,
    plans: &[Plan],
    names: &[&str],
    bare_runs: usize,
) -> anyhow::Result<Measured> {
    runtime.warm_up().map_err(|e| anyhow::anyhow!(e.chain()))?;
    // Warm up: the first session of a prefix pays for starting wineserver (and the agent).
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
    let sessions: usize = plans.iter().map(MsiexecRuntime::sessions_needed).sum();
    let workers = runtime.workers().min(plans.len().max(1));
    let wine_before = runtime.wine_time();
    let next = AtomicUsize::new(0);
    let errors = AtomicUsize::new(0);
    let start = Instant::now();
    // In the order `msiconf run` starts them: the costliest first.
    let order = msiconf::runner::costliest_first(plans.iter().map(MsiexecRuntime::cost));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                let Some(&i) = order.get(n) else { break };
                let plan = &plans[i];
                if let Err(e) = runtime.execute(plan, Duration::from_secs(60)) {
                    errors.fetch_add(1, Ordering::SeqCst);
                    eprintln!("{}: {e}", names[i]);
                }
            });
        }
    });
    Ok(Measured {
        bare: bare[bare.len() / 2],
        bare_runs: bare.len(),
        sessions,
        workers,
        wall: start.elapsed().as_secs_f64(),
        errors: errors.load(Ordering::SeqCst),
        in_wine: (runtime.wine_time() - wine_before).as_secs_f64(),
    })
}

fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn bench(
    options: &MsiexecOptions,
    cases: &Path,
    filter: Option<&str>,
    bare_runs: usize,
    modes: &[Mode],
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
    let names: Vec<&str> = selected.iter().map(|c| c.name.as_str()).collect();
    println!("load average at the start: {}", load_average());
    let mut results = Vec::new();
    for mode in modes {
        // One runtime at a time: the second reuses the first one's prefixes.
        let runtime = MsiexecRuntime::new(MsiexecOptions {
            mode: *mode,
            ..options.clone()
        })
        .map_err(|e| anyhow::anyhow!(e.chain()))?;
        let m = measure(&runtime, &plans, &names, bare_runs)?;
        runtime.shut_down();
        let label = match mode {
            Mode::Agent => "agent",
            Mode::PerSession => "per-session",
        };
        let bare_what = match mode {
            Mode::Agent => "bare job through the agent",
            Mode::PerSession => "bare `wine cmd /c` + `msiexec` session",
        };
        println!(
            "[{label}] {bare_what} (median of {}): {:.3} s",
            m.bare_runs, m.bare
        );
        println!(
            "[{label}] plans: {}  sessions needed: {}  workers: {}",
            plans.len(),
            m.sessions,
            m.workers
        );
        println!("[{label}] suite wall time: {:.2} s", m.wall);
        println!("[{label}] plans that ended in an error: {}", m.errors);
        println!(
            "[{label}] time inside sessions: {:.2} s over {} workers; harness time outside them: {:.1}% of the wall time",
            m.in_wine,
            m.workers,
            (1.0 - m.in_wine / m.workers as f64 / m.wall).max(0.0) * 100.0
        );
        println!("[{label}] load average at the end: {}", load_average());
        results.push((*mode, m));
    }
    let of = |mode| results.iter().find(|(m, _)| *m == mode).map(|(_, r)| r);
    let mut ok = results.iter().all(|(_, m)| m.errors == 0);
    if let Some(agent) = of(Mode::Agent) {
        ok &= agent.wall < 25.0;
        if let Some(per) = of(Mode::PerSession) {
            let ratio = agent.wall / per.wall;
            ok &= ratio <= 0.30;
            println!(
                "agent vs per-session: suite {:.2} s vs {:.2} s = {:.1}% (target at most 30%, and under 25 s); bare {:.3} s vs {:.3} s",
                agent.wall,
                per.wall,
                ratio * 100.0,
                agent.bare,
                per.bare
            );
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
