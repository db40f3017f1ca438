//! `msiconf oracle`: the mutation score of the rule predicates and the bare
//! differences of the broken runtimes (`docs/oracle.md`).

use anyhow::bail;
use msiconf::exit;
use msiconf::oracle::render::{render, Format};
use msiconf::oracle::{bare, score, OracleReport, FORMAT_VERSION};
use msiconf::runner;
use msiconf_spec::Profile;
use std::path::PathBuf;
use std::time::Instant;

/// A profile on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ProfileArg {
    Documented,
    Windows,
}

/// Output formats of `msiconf oracle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FormatArg {
    Text,
    Markdown,
    Json,
}

/// Arguments of `msiconf oracle`.
#[derive(Debug, clap::Args)]
pub struct OracleArgs {
    /// A profile to measure. Repeat for both (the default).
    #[arg(long = "profile", value_enum)]
    profiles: Vec<ProfileArg>,
    /// The folder of case files (default: `cases` when the current folder has
    /// one, else the suite built into msiconf).
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,
    /// Only mutate cases whose name contains this.
    filter: Option<String>,
    /// Generated plans for the bare-difference count (0 skips it).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    bare_plans: u64,
    /// The seed of the generated plans.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Leave this rule's predicate out (to see what it contributes). Repeat for several.
    #[arg(long = "without-rule", value_name = "ID")]
    without: Vec<String>,
    /// Threads to use (default: the number of cores). The figures do not depend on it.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: FormatArg,
}

/// Measures and prints; 0 when it ran (the targets are reported, not enforced).
pub fn run(args: OracleArgs) -> anyhow::Result<u8> {
    let start = Instant::now();
    for id in &args.without {
        if msiconf_spec::rules::find(id).is_none() {
            bail!("unknown rule `{id}` given to --without-rule (see `msiconf rules`)");
        }
    }
    let mut profiles: Vec<Profile> = Vec::new();
    for p in &args.profiles {
        let p = match p {
            ProfileArg::Documented => Profile::Documented,
            ProfileArg::Windows => Profile::Windows,
        };
        if !profiles.contains(&p) {
            profiles.push(p);
        }
    }
    if profiles.is_empty() {
        profiles = Profile::ALL.to_vec();
    }
    let suite = super::load_suite(args.cases.as_deref())?;
    let filter = args.filter.clone().unwrap_or_default();
    let cases: Vec<_> = suite
        .cases
        .iter()
        .filter(|c| c.name.contains(&filter))
        .cloned()
        .collect();
    if cases.is_empty() {
        bail!(
            "no cases selected in `{}`{}",
            args.cases
                .as_deref()
                .map_or("the built-in suite".into(), |p| p.display().to_string()),
            args.filter
                .as_ref()
                .map(|f| format!(" matching `{f}`"))
                .unwrap_or_default()
        );
    }
    let jobs = args.jobs.unwrap_or_else(runner::default_jobs).max(1);
    let scores = profiles
        .iter()
        .map(|profile| {
            score::score(
                &cases,
                &score::ScoreOptions {
                    profile: *profile,
                    without: args.without.clone(),
                    jobs,
                },
            )
        })
        .collect();
    let bare = if args.bare_plans == 0 {
        Vec::new()
    } else {
        profiles
            .iter()
            .map(|p| bare::bare_differences(*p, args.bare_plans, args.seed, jobs))
            .collect()
    };
    let report = OracleReport {
        version: FORMAT_VERSION,
        without: args.without.clone(),
        scores,
        bare,
    };
    let format = match args.format {
        FormatArg::Text => Format::Text,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Json => Format::Json,
    };
    print!("{}", render(&report, format));
    eprintln!(
        "oracle: {} case(s), {} profile(s), {} bare plan(s) per profile, in {:.1} s",
        cases.len(),
        profiles.len(),
        args.bare_plans,
        start.elapsed().as_secs_f64()
    );
    if !suite.errors.is_empty() {
        eprintln!(
            "{} case file(s) could not be read (see above); the figures leave them out",
            suite.errors.len()
        );
        return Ok(exit::ERROR);
    }
    Ok(exit::CONFORMANT)
}
