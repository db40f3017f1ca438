//! `msiconf oracle`'s output: plain text, Markdown, or JSON.

use super::bare::BareScore;
use super::score::{FamilyTally, ProfileScore, Survivor};
use super::{OracleReport, FAMILY_TARGET, NAMED_FAMILIES, OVERALL_TARGET};
use msiconf_spec::Family;
use std::fmt::Write as _;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

/// Renders the report in `format`.
pub fn render(report: &OracleReport, format: Format) -> String {
    match format {
        Format::Text => text(report),
        Format::Markdown => markdown(report),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report).expect("the report serialises");
            s.push('\n');
            s
        }
    }
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

fn families(f: &[Family]) -> String {
    if f.is_empty() {
        "-".to_owned()
    } else {
        f.iter().map(|f| f.name()).collect::<Vec<_>>().join(",")
    }
}

/// The target a family's score is held to, if any.
fn family_target(f: Family) -> Option<f64> {
    NAMED_FAMILIES.contains(&f).then_some(FAMILY_TARGET)
}

fn verdict(share: f64, target: Option<f64>) -> &'static str {
    match target {
        Some(t) if share >= t => "met",
        Some(_) => "MISSED",
        None => "",
    }
}

fn find(tallies: &[FamilyTally], f: Family) -> Option<&FamilyTally> {
    tallies.iter().find(|t| t.family == f)
}

/// Every family with a tally in either view, in family order.
fn all_families(s: &ProfileScore) -> Vec<Family> {
    let mut out: Vec<Family> = s
        .by_cited_family
        .iter()
        .chain(&s.by_owner_family)
        .chain(&s.by_cited_family_calls)
        .map(|t| t.family)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn tally_cell(t: Option<&FamilyTally>) -> String {
    t.map_or("-".to_owned(), |t| {
        format!("{} ({}/{})", percent(t.share), t.flagged, t.mutations)
    })
}

fn sites(s: &ProfileScore) -> String {
    s.by_site
        .iter()
        .map(|x| {
            format!(
                "{} {} ({}/{})",
                x.site,
                percent(x.tally.share()),
                x.tally.flagged,
                x.tally.mutations
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn text(report: &OracleReport) -> String {
    let mut out = String::new();
    if !report.without.is_empty() {
        let _ = writeln!(out, "predicates left out: {}\n", report.without.join(", "));
    }
    for s in &report.scores {
        text_score(&mut out, s);
    }
    for b in &report.bare {
        text_bare(&mut out, b);
    }
    out
}

fn text_score(out: &mut String, s: &ProfileScore) {
    let _ = writeln!(
        out,
        "mutation score, profile {}: {} cases, {} mutations counted ({} left the transcript unchanged, not counted)",
        s.profile, s.cases, s.overall.mutations, s.unchanged
    );
    let _ = writeln!(
        out,
        "  {:<18} {:<26} {:<26} {:<26} target (cited)",
        "family", "by cited rules", "cited, calls only", "by mutated call"
    );
    for f in all_families(s) {
        let cited = find(&s.by_cited_family, f);
        let target = family_target(f);
        let goal = match (target, cited) {
            (Some(t), Some(c)) => format!("{} {}", percent(t), verdict(c.share, target)),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  {:<18} {:<26} {:<26} {:<26} {}",
            f.name(),
            tally_cell(cited),
            tally_cell(find(&s.by_cited_family_calls, f)),
            tally_cell(find(&s.by_owner_family, f)),
            goal
        );
    }
    let _ = writeln!(
        out,
        "  {:<18} {:<26} {:<26} {:<26} {} {}",
        "overall",
        format!(
            "{} ({}/{})",
            percent(s.overall.share()),
            s.overall.flagged,
            s.overall.mutations
        ),
        "",
        "",
        percent(OVERALL_TARGET),
        verdict(s.overall.share(), Some(OVERALL_TARGET))
    );
    let _ = writeln!(out, "  by what was mutated: {}", sites(s));
    if s.baseline.is_empty() {
        let _ = writeln!(
            out,
            "  baseline: the reference transcripts break no predicate"
        );
    } else {
        let _ = writeln!(
            out,
            "  baseline: {} case(s) whose reference transcript breaks a predicate (subtracted):",
            s.baseline.len()
        );
        for b in &s.baseline {
            let _ = writeln!(out, "    {}: {}", b.case, b.violations.join("; "));
        }
    }
    for p in &s.panics {
        let _ = writeln!(out, "  a predicate panicked: {p}");
    }
    let survived: u64 = s.survivors.iter().map(|x| x.count).sum();
    let _ = writeln!(
        out,
        "  survivors: {} kinds, {} mutations (operation x mutation x context: count [cited families])",
        s.survivors.len(),
        survived
    );
    for x in &s.survivors {
        text_survivor(out, x);
    }
    out.push('\n');
}

fn text_survivor(out: &mut String, x: &Survivor) {
    let _ = writeln!(
        out,
        "    {} x {} x {}: {} [{}]",
        x.operation,
        x.mutation,
        x.context,
        x.count,
        families(&x.families)
    );
    let _ = writeln!(out, "      e.g. {}", x.example);
    if let Some(why) = x.reason {
        let _ = writeln!(out, "      why: {why}");
    }
}

fn text_bare(out: &mut String, b: &BareScore) {
    let _ = writeln!(
        out,
        "bare differences, profile {}: {} generated plans from seed {} ({} plan(s) where the reference itself breaks a predicate)",
        b.profile, b.plans, b.seed, b.reference_violation_plans
    );
    let width = b
        .runtimes
        .iter()
        .map(|r| r.runtime.len())
        .max()
        .unwrap_or(8);
    let _ = writeln!(
        out,
        "  {:<width$}  {:>9}  {:>6}  {:>6}  families (first bare seed)",
        "runtime", "differing", "bare", "share"
    );
    for r in &b.runtimes {
        let seed = r
            .first_bare_seed
            .map_or(String::new(), |s| format!(" (seed {s})"));
        let _ = writeln!(
            out,
            "  {:<width$}  {:>9}  {:>6}  {:>6}  {}{}",
            r.runtime,
            r.differing,
            r.bare,
            percent(r.share()),
            families(&r.families),
            seed
        );
    }
    let _ = writeln!(
        out,
        "  {:<18} {:>8}  {:>9}  {:>6}  {:>6}  target",
        "family", "runtimes", "differing", "bare", "share"
    );
    for f in &b.families {
        let goal = if NAMED_FAMILIES.contains(&f.family) {
            if f.bare == 0 {
                "0 met"
            } else {
                "0 MISSED"
            }
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<18} {:>8}  {:>9}  {:>6}  {:>6}  {}",
            f.family.name(),
            f.runtimes,
            f.differing,
            f.bare,
            percent(f.share),
            goal
        );
    }
    out.push('\n');
}

/// Escapes a table cell: pipes and line breaks would end it.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(report: &OracleReport) -> String {
    let mut out = String::new();
    out.push_str("# Oracle: mutation score and bare differences\n\n");
    if !report.without.is_empty() {
        let _ = writeln!(out, "Predicates left out: {}.\n", report.without.join(", "));
    }
    for s in &report.scores {
        let _ = writeln!(
            out,
            "## Mutation score, profile `{}`\n\n{} cases, {} mutations counted ({} left the transcript unchanged and are not counted).\n",
            s.profile, s.cases, s.overall.mutations, s.unchanged
        );
        out.push_str("| family | by cited rules | cited, calls only | by mutated call | target |\n|---|---|---|---|---|\n");
        for f in all_families(s) {
            let cited = find(&s.by_cited_family, f);
            let target = family_target(f);
            let goal = match (target, cited) {
                (Some(t), Some(c)) => format!("{} {}", percent(t), verdict(c.share, target)),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                f.name(),
                tally_cell(cited),
                tally_cell(find(&s.by_cited_family_calls, f)),
                tally_cell(find(&s.by_owner_family, f)),
                goal
            );
        }
        let _ = writeln!(
            out,
            "| **overall** | {} ({}/{}) | | | {} {} |\n",
            percent(s.overall.share()),
            s.overall.flagged,
            s.overall.mutations,
            percent(OVERALL_TARGET),
            verdict(s.overall.share(), Some(OVERALL_TARGET))
        );
        let _ = writeln!(out, "By what was mutated: {}.\n", sites(s));
        if !s.baseline.is_empty() {
            let _ = writeln!(
                out,
                "Cases whose reference transcript breaks a predicate (subtracted):\n"
            );
            for b in &s.baseline {
                let _ = writeln!(out, "- `{}`: {}", b.case, cell(&b.violations.join("; ")));
            }
            out.push('\n');
        }
        for p in &s.panics {
            let _ = writeln!(out, "- a predicate panicked: {}", cell(p));
        }
        let _ = writeln!(
            out,
            "### Survivors, profile `{}`\n\n| operation | mutation | context | count | cited families | example | why |\n|---|---|---|---|---|---|---|",
            s.profile
        );
        for x in &s.survivors {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                x.operation,
                x.mutation,
                x.context,
                x.count,
                families(&x.families),
                cell(&x.example),
                cell(x.reason.unwrap_or(""))
            );
        }
        out.push('\n');
    }
    for b in &report.bare {
        let _ = writeln!(
            out,
            "## Bare differences, profile `{}`\n\n{} generated plans from seed {}; {} plan(s) where the reference itself breaks a predicate.\n",
            b.profile, b.plans, b.seed, b.reference_violation_plans
        );
        out.push_str(
            "| runtime | families | differing | bare | share | first bare seed |\n|---|---|---|---|---|---|\n",
        );
        for r in &b.runtimes {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} |",
                r.runtime,
                families(&r.families),
                r.differing,
                r.bare,
                percent(r.share()),
                r.first_bare_seed.map_or(String::new(), |s| s.to_string())
            );
        }
        out.push_str(
            "\n| family | runtimes | differing | bare | share | target |\n|---|---|---|---|---|---|\n",
        );
        for f in &b.families {
            let goal = match (NAMED_FAMILIES.contains(&f.family), f.bare) {
                (true, 0) => "0 met",
                (true, _) => "0 MISSED",
                _ => "",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                f.family.name(),
                f.runtimes,
                f.differing,
                f.bare,
                percent(f.share),
                goal
            );
        }
        out.push('\n');
    }
    out
}
