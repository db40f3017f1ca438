//! `msiconf rules`: each rule, its cases, and the broken runtimes that fail it.

use super::out;
use anyhow::Context as _;
use msiconf::exit;
use msiconf::report;
use msiconf::runner::{self, RunOptions, RunSpec, Silent};
use msiconf::runtimes::ModelRuntime;
use msiconf_spec::model::Deviation;
use msiconf_spec::Profile;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

/// Output formats of `msiconf rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    /// The catalog as a Markdown page (what `docs/rules.md` holds).
    Markdown,
}

/// Arguments of `msiconf rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// The folder of case files [default: `cases` when the current folder
    /// has one, else the suite built into msiconf].
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also write the rule coverage page: `html=PATH`.
    #[arg(long = "report", value_name = "html=PATH", value_parser = parse_coverage_report)]
    report: Option<PathBuf>,
}

/// The path of `--report html=PATH`; the coverage page is HTML only.
fn parse_coverage_report(spec: &str) -> Result<PathBuf, String> {
    match spec.split_once('=') {
        Some(("html", path)) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => Err(format!(
            "invalid report `{spec}`: the rules command writes only html=PATH"
        )),
    }
}

/// One rule as `msiconf rules` shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct RuleRow {
    id: &'static str,
    title: &'static str,
    statement: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    disagreement: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unobservable: Option<&'static str>,
    level: &'static str,
    family: &'static str,
    sources: Vec<&'static str>,
    contexts: Vec<&'static str>,
    /// The calls the rule judges (its subject), by their case-file names.
    calls: Vec<&'static str>,
    /// Whether the rule judges the install as a whole (actions run, order, result).
    judges_install: bool,
    has_predicate: bool,
    /// How many cases cite the rule.
    cases: usize,
    /// Broken runtimes that fail a case citing the rule by breaking it (measured).
    failed_by: Vec<String>,
    /// Broken runtimes built to break the rule.
    declared_broken_by: Vec<String>,
}

/// Prints every rule of the catalog. Which broken runtimes fail a rule is
/// measured: every broken runtime runs every case in each profile the case
/// declares, and a runtime fails a rule when a case citing the rule reports
/// it broken and the reference does not.
pub fn run(args: RulesArgs) -> anyhow::Result<u8> {
    let suite = super::load_suite(args.cases.as_deref())?;
    let options = RunOptions::default();
    // What the reference itself reports is not the broken runtime's doing:
    // only findings the reference does not have count.
    let mut baseline: BTreeSet<(Profile, String, String)> = BTreeSet::new();
    // Every run, kept for the coverage page when one is asked for.
    let mut runs = Vec::new();
    for profile in Profile::ALL {
        let spec = RunSpec {
            runtime: Arc::new(ModelRuntime::reference(profile)),
            profile,
        };
        let run = runner::run_one(&suite.cases, &spec, &options, &Silent);
        for result in &run.cases {
            for f in &result.findings {
                baseline.insert((profile, result.name.clone(), f.rule.clone()));
            }
        }
        if args.report.is_some() {
            runs.push(run);
        }
    }
    let mut failed_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in Deviation::ALL {
        for profile in Profile::ALL {
            let spec = RunSpec {
                runtime: Arc::new(ModelRuntime::broken(*d, profile)),
                profile,
            };
            let run = runner::run_one(&suite.cases, &spec, &options, &Silent);
            for (case, result) in suite.cases.iter().zip(&run.cases) {
                for f in &result.findings {
                    let known = baseline.contains(&(profile, case.name.clone(), f.rule.clone()));
                    if case.cites(&f.rule) && !known {
                        failed_by
                            .entry(f.rule.clone())
                            .or_default()
                            .insert(run.runtime.name.clone());
                    }
                }
            }
            if args.report.is_some() {
                runs.push(run);
            }
        }
    }
    let rows: Vec<RuleRow> = msiconf_spec::rules::catalog()
        .iter()
        .map(|r| RuleRow {
            id: r.id,
            title: r.title,
            statement: r.statement,
            disagreement: r.disagreement,
            unobservable: match r.check {
                msiconf_spec::Check::Unobservable(why) => Some(why),
                msiconf_spec::Check::Predicate(_) => None,
            },
            level: r.level.name(),
            family: r.family.name(),
            sources: r.sources.to_vec(),
            contexts: r.contexts.iter().map(|c| c.name()).collect(),
            calls: r.subject.calls.iter().map(|k| k.name()).collect(),
            judges_install: r.subject.install,
            has_predicate: r.has_predicate(),
            cases: suite.cases.iter().filter(|c| c.cites(r.id)).count(),
            failed_by: failed_by
                .get(r.id)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
            declared_broken_by: Deviation::ALL
                .iter()
                .filter(|d| d.breaks().contains(&r.id))
                .map(|d| format!("broken:{}", d.name()))
                .collect(),
        })
        .collect();
    match args.format {
        Format::Json => out::print(&format!("{}\n", serde_json::to_string_pretty(&rows)?))?,
        Format::Text => out::print(&text(&rows, suite.cases.len()))?,
        Format::Markdown => out::print(&markdown(&rows, suite.cases.len()))?,
    }
    if let Some(path) = &args.report {
        let page = report::coverage::render(&report::build(runs, &suite));
        report::write_atomically(path, page.as_bytes()).with_context(|| {
            format!(
                "failed to write the rule coverage page `{}`",
                path.display()
            )
        })?;
        out::note(&format!("wrote the rule coverage page {}", path.display()));
    }
    Ok(if suite.errors.is_empty() {
        exit::CONFORMANT
    } else {
        exit::ERROR
    })
}

/// The catalog as `docs/rules.md` holds it: generated, never edited by hand.
fn markdown(rows: &[RuleRow], cases: usize) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let with_predicate = rows.iter().filter(|r| r.has_predicate).count();
    let _ = writeln!(
        out,
        "# The rule catalog\n\n\
         Generated by `msiconf rules --format markdown` from the rules in `spec/`; \
         do not edit by hand. {} rules ({with_predicate} with a predicate), {cases} cases.\n\n\
         Each rule has an ID, a level (MUST: stated by the documentation; OBSERVED: what \
         Windows does, from Wine's conformance tests that also run on Windows), the contexts \
         it applies in, its sources, the cases that cite it and the broken runtimes that \
         fail it. Where the documentation and Windows disagree, the rule says how, and the \
         `documented` and `windows` profiles each expect their side.",
        rows.len()
    );
    let mut family = "";
    for r in rows {
        if r.family != family {
            family = r.family;
            let _ = writeln!(out, "\n## {family}");
        }
        let _ = writeln!(out, "\n### {}: {}\n", r.id, r.title);
        let _ = writeln!(out, "{}\n", r.statement);
        if let Some(d) = r.disagreement {
            let _ = writeln!(out, "- Documentation and Windows: {d}");
        }
        let _ = writeln!(
            out,
            "- Level: {}; contexts: {}",
            r.level,
            r.contexts.join(", ")
        );
        let mut about: Vec<String> = r.calls.iter().map(|c| format!("`{c}`")).collect();
        if r.judges_install {
            about.push("the install (actions run, their order and results)".to_owned());
        }
        if !about.is_empty() {
            let _ = writeln!(out, "- Judges: {}", about.join(", "));
        }
        let sources: Vec<String> = r
            .sources
            .iter()
            .map(|s| match report::source_url(s) {
                Some(url) => format!("[{s}]({url})"),
                None => s.to_string(),
            })
            .collect();
        let _ = writeln!(out, "- Sources: {}", sources.join(", "));
        match r.unobservable {
            Some(why) => {
                let _ = writeln!(out, "- Not checked: {why}");
            }
            None => {
                let _ = writeln!(out, "- Cases: {}", r.cases);
            }
        }
        if !r.failed_by.is_empty() {
            let _ = writeln!(out, "- Failed by: {}", r.failed_by.join(", "));
        }
    }
    out.push_str(SOURCE_KEYS);
    out
}

/// What the source keys of the rules stand for.
const SOURCE_KEYS: &str = "
## Source keys

| key | what it is |
|---|---|
| `MS:slug` | a Windows Installer page, `https://learn.microsoft.com/windows/win32/msi/slug` |
| `API:Function` | an API reference page of msiquery.h, `https://learn.microsoft.com/windows/win32/api/msiquery/nf-msiquery-function` |
| `WT:file.c function` | a test function of Wine's `dlls/msi/tests/file.c`; Wine's tests also run on Windows, so a plain `ok()` there records what Windows does |
| `S0` | the \"Session.DoAction method\" page (`MS:session-doaction`) |
| `S1` | \"Accessing the Current Installer Session from Inside a Custom Action\" |
| `S2` | \"Information for Custom Actions\", a page of the 1998 preliminary Windows Installer SDK, which calls the Session object the MsiEngine object |
| `MSDN-DoAction`, `MSDN-GetProperty` | the older MSDN pages of MsiDoAction and MsiGetProperty, which list their return codes in full |
| `SDK98-DoAction` | the 1998 SDK's \"DoAction Method\" of the MsiEngine object, with its return enumeration |
| `DTF` | the Deployment Tools Foundation (WiX) reference of `Session.DoAction` |
| `Revenera KB ...` | a Revenera (InstallShield) knowledge-base article on deferred custom actions and properties |
";

/// The text listing: three or four lines per rule, then the totals.
fn text(rows: &[RuleRow], cases: usize) -> String {
    let mut out = String::new();
    let width = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in rows {
        let predicate = if r.has_predicate {
            "predicate"
        } else {
            "unobservable"
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:<8} {:<12} {:>3} case(s)  {}",
            r.id, r.level, predicate, r.cases, r.title
        );
        let _ = writeln!(
            out,
            "{:<width$}  sources: {}; contexts: {}",
            "",
            r.sources.join(", "),
            r.contexts.join(", ")
        );
        if !r.failed_by.is_empty() {
            let _ = writeln!(out, "{:<width$}  failed by: {}", "", r.failed_by.join(", "));
        }
        let missed: Vec<&str> = r
            .declared_broken_by
            .iter()
            .filter(|d| !r.failed_by.contains(d))
            .map(String::as_str)
            .collect();
        if !missed.is_empty() {
            let _ = writeln!(
                out,
                "{:<width$}  built to break it but no case catches: {}",
                "",
                missed.join(", ")
            );
        }
    }
    let with_predicate = rows.iter().filter(|r| r.has_predicate).count();
    let uncovered = rows
        .iter()
        .filter(|r| r.has_predicate && r.cases == 0)
        .count();
    let _ = writeln!(
            out,
        "{} rules ({with_predicate} with a predicate, {uncovered} of those without a case); {cases} cases",
        rows.len()
    );
    out
}
