//! The `msiconf fuzz` command.

use super::engine::{first_step, Budget, Finding, FindingKind, FuzzOptions, Fuzzer, Progress};
use super::known::KnownDepartures;
use crate::exit;
use crate::expectations::ExpectationFile;
use crate::runtimes::build_runtime;
use msiconf_spec::Profile;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::from_name(s).ok_or_else(|| format!("unknown profile `{s}` (documented or windows)"))
}

/// Arguments of `msiconf fuzz`.
#[derive(Debug, Clone, clap::Args)]
pub struct FuzzArgs {
    /// The runtime to fuzz: `reference`, `broken:<name>` (see `msiconf runtimes`),
    /// `cmd:<command line>` (a program speaking docs/protocol.md) or `msiexec`
    /// (Wine's engine: one install session per plan, so slow).
    #[arg(long, default_value = "reference")]
    pub runtime: String,
    /// Stop after this many seconds (default: 10 unless --plans is given).
    #[arg(long, conflicts_with = "plans")]
    pub seconds: Option<f64>,
    /// Stop after this many plans.
    #[arg(long)]
    pub plans: Option<u64>,
    /// The run's seed (default: from the clock; always printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The profile whose rule predicates judge transcripts.
    #[arg(long, default_value = "windows", value_parser = parse_profile)]
    pub profile: Profile,
    /// Where to write a case file for each finding.
    #[arg(long, default_value = "cases/regressions")]
    pub out: PathBuf,
    /// Print findings without writing case files.
    #[arg(long)]
    pub no_write: bool,
    /// Stop after this many distinct findings.
    #[arg(long, default_value_t = 10)]
    pub max_findings: usize,
    /// Stop as soon as a finding names this rule (repeatable): fuzz a runtime
    /// until it breaks the rule you are working on.
    #[arg(long, value_name = "RULE")]
    pub until: Vec<String>,
    /// An expectation file (as for `msiconf run`): a departure it already
    /// lists (the same rule, broken at the same kind of call in the same
    /// context) is counted as known, and neither shrunk nor reported.
    #[arg(long = "expect", value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// The cases the expectation file's entries name (default: `./cases`
    /// when there is one, else the suite built in).
    #[arg(long, value_name = "DIR")]
    pub cases: Option<PathBuf>,
    /// Plans run at once (default: the number of cores, as for `msiconf run
    /// --jobs`). Worth it against a slow runtime (`msiexec`, `cmd:`); the
    /// findings do not depend on it.
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// Print what share of generated plans exercises each input bucket
    /// (value lengths, name characters, return codes, ...) over --plans plans
    /// (default 100,000), without running anything.
    #[arg(long)]
    pub stats: bool,
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').chars().take(60).collect()
}

/// The file a finding's case is written to under `out`.
pub fn case_path(out: &Path, runtime: &str, finding: &Finding) -> PathBuf {
    out.join(format!(
        "{}-{}-{:x}.toml",
        slug(runtime),
        slug(&finding.signature()),
        finding.plan_seed
    ))
}

/// The command that runs the finding's plan again, shell-quoted so that it
/// pastes as is (a `cmd:` runtime has spaces and quotes of its own).
pub fn reproduce(args: &FuzzArgs, seed: u64) -> String {
    let seed = seed.to_string();
    let profile = args.profile.to_string();
    let words = [
        "msiconf",
        "fuzz",
        "--runtime",
        args.runtime.as_str(),
        "--profile",
        profile.as_str(),
        "--seed",
        seed.as_str(),
        "--plans",
        "1",
    ];
    crate::report::shell_words(&words)
}

fn report_finding(args: &FuzzArgs, n: usize, finding: &Finding) -> Result<(), String> {
    let what = match &finding.kind {
        FindingKind::Violation { rule, site } => format!("breaks {rule} ({site})"),
        FindingKind::Difference(s) => format!("differs from the reference ({s})"),
        FindingKind::Error(e) => format!("runtime error ({e})"),
    };
    let mut lines = vec![format!(
        "finding {n}: {} {what} (plan {}, after {:.3} s; shrunk {} -> {} steps, {} runtime calls for {} tries)",
        args.runtime,
        finding.plan_index + 1,
        finding.found_after.as_secs_f64(),
        finding.original_steps,
        finding.plan.step_count(),
        finding.shrink_calls,
        finding.shrink_tries
    )];
    for v in finding.violations.iter().take(3) {
        lines.push(format!("  {v}"));
    }
    for d in finding.differences.iter().take(3) {
        lines.push(format!("  {d}"));
    }
    if let Some(e) = &finding.error {
        lines.push(format!("  {e}"));
    }
    if let Some(step) = first_step(finding) {
        lines.push(format!("  shows at {step}"));
    }
    if !args.no_write {
        let path = case_path(&args.out, &args.runtime, finding);
        std::fs::create_dir_all(&args.out)
            .and_then(|()| std::fs::write(&path, finding.case.to_toml()))
            .map_err(|e| format!("failed to write case `{}`: {e}", path.display()))?;
        lines.push(format!("  wrote {}", path.display()));
    }
    lines.push(format!(
        "  reproduce: {}",
        reproduce(args, finding.plan_seed)
    ));
    let mut err = std::io::stderr().lock();
    if err.is_terminal() {
        let _ = write!(err, "\r\x1b[2K");
    }
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

/// Reads `--expect FILE`, checked against the suite and the catalog like
/// `msiconf run --expect`, into the departures it lists under `profile`.
fn load_known(
    path: &Path,
    cases: Option<&Path>,
    runtime: &str,
    profile: Profile,
) -> Result<KnownDepartures, String> {
    use crate::case::{load_dir, load_embedded, KnownRules};
    let suite = match cases {
        Some(dir) => load_dir(dir, &KnownRules::catalog()).map_err(|e| e.to_string())?,
        None if Path::new("cases").is_dir() => {
            load_dir(Path::new("cases"), &KnownRules::catalog()).map_err(|e| e.to_string())?
        }
        None => load_embedded(&KnownRules::catalog()),
    };
    let names: std::collections::BTreeSet<&str> =
        suite.cases.iter().map(|c| c.name.as_str()).collect();
    let rules = msiconf_spec::rules::catalog().iter().map(|r| r.id);
    let file = ExpectationFile::load_checked(path, &names, rules).map_err(|e| {
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            msg.push_str(&format!(": {s}"));
            src = s.source();
        }
        msg
    })?;
    if let Some(named) = file.runtime.as_deref() {
        if named != runtime {
            return Err(format!(
                "expectation file `{}` is for runtime `{named}`, not `{runtime}`",
                path.display()
            ));
        }
    }
    Ok(KnownDepartures::from_file(&file, &suite, profile))
}

/// Runs `msiconf fuzz`. Exit codes as for `msiconf run`: 0 nothing found,
/// 1 at least one finding, 2 usage or infrastructure error.
pub fn fuzz_main(args: FuzzArgs) -> ExitCode {
    if args.stats {
        let generator = crate::fuzz::generate::PlanGenerator::new(
            &crate::fuzz::generate::Capabilities::everything(),
        );
        let seed = args.seed.unwrap_or(0);
        let mut reach = crate::fuzz::reach::Reach::default();
        for i in 0..args.plans.unwrap_or(100_000) {
            reach.add(&generator.plan(seed.wrapping_add(i)));
        }
        print!("{}", reach.table());
        let low = reach.below(0.01);
        if !low.is_empty() {
            println!("below 1%: {}", low.join(", "));
        }
        return ExitCode::SUCCESS;
    }
    let runtime = match build_runtime(&args.runtime, args.profile) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::ERROR);
        }
    };
    let seed = args.seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let budget = match (args.plans, args.seconds) {
        (Some(n), _) => Budget::Plans(n),
        (None, Some(s)) if s.is_finite() && s >= 0.0 => Budget::Time(Duration::from_secs_f64(s)),
        (None, Some(s)) => {
            eprintln!("error: --seconds must be a non-negative number, not {s}");
            return ExitCode::from(exit::ERROR);
        }
        (None, None) => Budget::Time(Duration::from_secs(10)),
    };
    println!(
        "fuzzing {} (profile {}, seed {seed}, {})",
        args.runtime,
        args.profile,
        match budget {
            Budget::Plans(n) => format!("{n} plans"),
            Budget::Time(d) => format!("{} s", d.as_secs_f64()),
        }
    );
    let known = match &args.expect {
        Some(path) => match load_known(
            path,
            args.cases.as_deref(),
            &runtime.info().name,
            args.profile,
        ) {
            Ok(k) => k,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(exit::ERROR);
            }
        },
        None => KnownDepartures::none(),
    };
    let options = FuzzOptions {
        profile: args.profile,
        seed,
        budget,
        max_findings: args.max_findings,
        until: args.until.clone(),
        workers: args
            .workers
            .unwrap_or_else(crate::runner::default_jobs)
            .max(1),
        ..FuzzOptions::default()
    };
    let fuzzer = Fuzzer::new(runtime.as_ref(), options).with_known(known);
    let terminal = std::io::stderr().is_terminal();
    let mut on_progress = |p: &Progress| {
        if terminal {
            let rate = p.plans as f64 / p.elapsed.as_secs_f64().max(1e-9);
            eprint!(
                "\r\x1b[2K{} plans, {:.1} plans/s, {} findings, {} plans with known departures only",
                p.plans, rate, p.findings, p.known
            );
        }
    };
    let mut write_error = None;
    let mut count = 0;
    let mut on_finding = |f: &Finding| {
        count += 1;
        if let Err(e) = report_finding(&args, count, f) {
            write_error.get_or_insert(e);
        }
    };
    let summary = fuzzer.run(&mut on_progress, &mut on_finding);
    if terminal {
        eprint!("\r\x1b[2K");
    }
    let rate = summary.plans as f64 / summary.elapsed.as_secs_f64().max(1e-9);
    let rate = if rate < 100.0 {
        format!("{rate:.2}")
    } else {
        format!("{rate:.0}")
    };
    println!(
        "{} plans in {:.2} s ({rate} plans/s), {} findings, {} skipped; seed {seed}",
        summary.plans,
        summary.elapsed.as_secs_f64(),
        summary.findings.len(),
        summary.skipped
    );
    println!(
        "departures: {} new, {} known (listed by the expectation file); {} plans showed known departures only; {} runtime calls shrinking",
        summary.new_signatures().count(),
        summary.known_signatures().count(),
        summary.known_plans,
        summary.shrink_calls
    );
    let judging = summary
        .elapsed
        .saturating_sub(summary.shrink_time)
        .as_secs_f64();
    println!(
        "time: {:.2} s shrinking, {judging:.2} s running plans ({:.2} plans/s outside shrinking)",
        summary.shrink_time.as_secs_f64(),
        summary.plans as f64 / judging.max(1e-9)
    );
    for (signature, &plans) in &summary.signatures {
        let tag = match summary.known_in(signature) {
            0 => "new".to_owned(),
            k if k == plans => "known".to_owned(),
            k => format!("new; known in {k} of them"),
        };
        println!("  {signature}: seen in {plans} plans ({tag})");
    }
    if summary.reference_violations > 0 {
        let (s, v) = summary
            .first_reference_violation
            .as_ref()
            .map_or((0, String::new()), |(s, v)| (*s, v.to_string()));
        println!(
            "warning: the reference model broke a predicate on {} plans (first: seed {s}: {v}); run `msiconf fuzz --runtime reference --seed {s} --plans 1`",
            summary.reference_violations
        );
    }
    if let Some(e) = write_error {
        eprintln!("error: {e}");
        return ExitCode::from(exit::ERROR);
    }
    ExitCode::from(if summary.findings.is_empty() {
        exit::CONFORMANT
    } else {
        exit::FAILURES
    })
}
