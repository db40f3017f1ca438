//! Markdown, for CI step summaries and pull-request comments.
//!
//! A one-line verdict, one table of results per area and run, then every
//! unexpected failure as case, rule, expected and observed, and every
//! expected failure grouped by API function and rule. Each departure is listed
//! once, however many sources saw it (`report::findings`), and nothing is left
//! out: a page made from a report is complete. Long values and runtime output
//! are folded into `<details>`; only a page that would pass the size CI step
//! summaries accept (GitHub's limit is 1 MiB) is cut, saying so, and the JSON
//! and HTML reports always hold everything.

use super::escape::{self, visible};
use super::findings::departures;
use super::model::{CaseResult, Finding, Report, Run, Status, Totals};
use super::summary::{Summary, Verdict};
use msiconf_spec::OpKind;
use std::fmt::Write as _;

/// A page longer than this is cut at a line, saying so: GitHub refuses step
/// summaries over 1 MiB.
pub const MAX_PAGE_BYTES: usize = 900 * 1024;
/// How the note on a page cut to [`MAX_PAGE_BYTES`] starts.
pub const CUT_NOTE: &str = "**This page was cut here**";
/// A value longer than this (or spanning lines) is folded into `<details>`.
pub const MAX_CELL_CHARS: usize = 80;
/// A folded value longer than this is cut, saying how much was left out.
pub const MAX_FOLDED_CHARS: usize = 2000;
/// Only the last this many bytes of a runtime's output are shown.
pub const MAX_OUTPUT_BYTES: usize = 4096;

/// Renders `report` as Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    verdict_line(&mut out, report);
    area_table(&mut out, report);
    reused(&mut out, report);
    failures(&mut out, report);
    expected_failures(&mut out, report);
    flaky(&mut out, report);
    errors(&mut out, report);
    expectation_problems(&mut out, report);
    skips(&mut out, report);
    cut_to_size(out, MAX_PAGE_BYTES)
}

/// `page`, or its first lines up to `max` bytes with every open `<details>`
/// closed and a note saying where the rest is.
fn cut_to_size(page: String, max: usize) -> String {
    if page.len() <= max {
        return page;
    }
    let note = format!(
        "\n{CUT_NOTE}: the whole page would pass the 1 MiB that CI step summaries accept; the JSON and HTML reports hold everything.\n"
    );
    // Room for the note and the closing tags.
    let budget = max.saturating_sub(note.len() + 4096);
    let mut end = budget.min(page.len());
    while !page.is_char_boundary(end) {
        end -= 1;
    }
    let end = page[..end].rfind('\n').map_or(0, |i| i + 1);
    let mut out = page[..end].to_owned();
    let open = out.matches("<details>").count() + out.matches("<details ").count();
    let closed = out.matches("</details>").count();
    for _ in closed..open {
        out.push_str("\n</details>\n");
    }
    out.push_str(&note);
    out
}

/// Says which runs reused another run's transcripts, so that nobody reads
/// their cases as executed twice.
fn reused(out: &mut String, report: &Report) {
    for run in &report.runs {
        let (n, from) = run.reused_transcripts();
        if n == 0 {
            continue;
        }
        let from: Vec<String> = from.iter().map(|p| code(p.name())).collect();
        let _ = writeln!(
            out,
            "{} reused the transcripts of the run under profile {} for {n} case{}: they were checked again, not executed again.\n",
            code(&run_label(run)),
            from.join(", "),
            plural(n),
        );
    }
}

fn verdict_line(out: &mut String, report: &Report) {
    let s = Summary::of(report);
    let t = &s.totals;
    let word = match s.verdict() {
        Verdict::Pass => "✅ PASS",
        Verdict::Fail => "❌ FAIL",
        Verdict::Incomplete => "⚠️ INCOMPLETE",
        Verdict::NothingRan => "⚠️ NOTHING RAN",
    };
    let _ = write!(
        out,
        "**{word}** · {} {} · {} run{} · {} cases: {} passed{}, {} failed",
        text(&report.tool.name),
        text(&report.tool.version),
        report.runs.len(),
        plural(report.runs.len()),
        s.cases(),
        t.passed,
        if t.flaky > 0 {
            format!(" ({} flaky)", t.flaky)
        } else {
            String::new()
        },
        t.failed,
    );
    if t.expected_failures > 0 {
        let _ = write!(out, " ({} expected)", t.expected_failures);
    }
    let _ = write!(out, ", {} errors, {} skipped", t.errors, t.skipped);
    if s.expectation_problems > 0 {
        let _ = write!(
            out,
            ", {} expectation problem{}",
            s.expectation_problems,
            plural(s.expectation_problems)
        );
    }
    out.push_str("\n\n");
}

fn area_table(out: &mut String, report: &Report) {
    if report.runs.is_empty() {
        out.push_str("No runs.\n\n");
        return;
    }
    out.push_str("| Area | Run | Passed | Failed | Errors | Skipped |\n");
    out.push_str("|---|---|--:|--:|--:|--:|\n");
    for area in all_areas(report) {
        for run in &report.runs {
            let mut t = Totals::default();
            for case in run.cases.iter().filter(|c| c.area == area) {
                match case.status {
                    Status::Pass => t.passed += 1,
                    Status::Fail => {
                        t.failed += 1;
                        if case.expected_failure.is_some() {
                            t.expected_failures += 1;
                        }
                    }
                    Status::Error => t.errors += 1,
                    Status::Skip => t.skipped += 1,
                }
            }
            if t == Totals::default() {
                continue;
            }
            let failed = if t.expected_failures > 0 {
                format!("{} ({} expected)", t.failed, t.expected_failures)
            } else {
                t.failed.to_string()
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                code(&area),
                code(&run_label(run)),
                t.passed,
                failed,
                t.errors,
                t.skipped
            );
        }
    }
    out.push('\n');
}

/// Every area of every run, in order of first appearance.
fn all_areas(report: &Report) -> Vec<String> {
    let mut areas: Vec<String> = Vec::new();
    for case in report.runs.iter().flat_map(|r| &r.cases) {
        if !areas.contains(&case.area) {
            areas.push(case.area.clone());
        }
    }
    areas
}

fn failures(out: &mut String, report: &Report) {
    let rows: Vec<(&Run, &CaseResult, Option<&Finding>)> = report
        .runs
        .iter()
        .flat_map(|run| {
            run.cases
                .iter()
                .filter(|c| c.status == Status::Fail && c.expected_failure.is_none())
                .flat_map(move |c| {
                    // A departure both sources saw is one row.
                    let findings: Vec<Option<&Finding>> = if c.findings.is_empty() {
                        vec![None]
                    } else {
                        departures(&c.findings)
                            .into_iter()
                            .map(|d| Some(d.finding))
                            .collect()
                    };
                    findings.into_iter().map(move |f| (run, c, f))
                })
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("### Failures\n\n");
    out.push_str("| Run | Case | Rule | Step | Expected | Observed |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    let mut folded = String::new();
    for (n, (run, case, finding)) in rows.iter().enumerate() {
        let (rule, step, expected, observed) = match finding {
            Some(f) => {
                let mut step = f.step.as_deref().map(code).unwrap_or_default();
                if let Some(call) = &f.call {
                    if !step.is_empty() {
                        step.push(' ');
                    }
                    step.push_str(&code(call));
                }
                (
                    code(&f.rule),
                    step,
                    f.expected.as_str(),
                    f.observed.as_str(),
                )
            }
            None => (
                case.rules
                    .iter()
                    .map(|r| code(r))
                    .collect::<Vec<_>>()
                    .join(" "),
                String::new(),
                "",
                "failed without a finding",
            ),
        };
        let mut cells = [value_cell(expected), value_cell(observed)];
        if cells.iter().any(Option::is_none) {
            let note = format!("see [{}] below", n + 1);
            for c in &mut cells {
                if c.is_none() {
                    *c = Some(note.clone());
                }
            }
            let _ = write!(
                folded,
                "<details><summary>[{}] {} · {}</summary>\n\nExpected:\n\n{}\nObserved:\n\n{}\n</details>\n\n",
                n + 1,
                html_text(&case.name),
                html_text(finding.map_or("", |f| f.rule.as_str())),
                fenced(&capped(expected)),
                fenced(&capped(observed)),
            );
        }
        let [expected, observed] = cells.map(Option::unwrap_or_default);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            code(&run_label(run)),
            code(&case.name),
            rule,
            step,
            expected,
            observed
        );
    }
    out.push('\n');
    out.push_str(&folded);
}

/// Every expected failure, grouped by the API function a departure is about
/// and then by rule; a departure seen the same way in several runs is one
/// line naming them all. The expectation file's notes follow, each once, when
/// they say more than the departures already do.
fn expected_failures(out: &mut String, report: &Report) {
    let cases: Vec<(&Run, &CaseResult)> = report
        .runs
        .iter()
        .flat_map(|run| run.cases.iter().map(move |c| (run, c)))
        .filter(|(_, c)| c.status == Status::Fail && c.expected_failure.is_some())
        .collect();
    if cases.is_empty() {
        return;
    }
    // (function, rule) -> departures, each with the runs it was seen in.
    type Line<'a> = (&'a str, &'a Finding, Vec<String>);
    type Rules<'a> = Vec<(String, Vec<Line<'a>>)>;
    let mut groups: Vec<((usize, String), Rules<'_>)> = Vec::new();
    let mut count = 0;
    let mut no_finding: Vec<(&str, String)> = Vec::new();
    for (run, case) in &cases {
        let found = departures(&case.findings);
        for d in &found {
            let f = d.finding;
            let function = api_function(f.call.as_deref());
            let group = match groups.iter_mut().position(|(k, _)| *k == function) {
                Some(i) => &mut groups[i].1,
                None => {
                    groups.push((function, Vec::new()));
                    &mut groups.last_mut().expect("just pushed").1
                }
            };
            let rule = match group.iter_mut().position(|(r, _)| *r == f.rule) {
                Some(i) => &mut group[i].1,
                None => {
                    group.push((f.rule.clone(), Vec::new()));
                    &mut group.last_mut().expect("just pushed").1
                }
            };
            let same = |(name, g, _): &&mut Line<'_>| {
                *name == case.name
                    && g.step == f.step
                    && g.call == f.call
                    && g.expected == f.expected
                    && g.observed == f.observed
            };
            match rule.iter_mut().find(same) {
                Some(line) => line.2.push(run_label(run)),
                None => {
                    count += 1;
                    rule.push((case.name.as_str(), f, vec![run_label(run)]));
                }
            }
        }
        if found.is_empty() {
            // The runner never fails a case without a finding; say so if it did.
            no_finding.push((case.name.as_str(), run_label(run)));
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    let _ = writeln!(
        out,
        "### Expected failures\n\n{} case run{} fail{} as the expectation file says, with {count} departure{}, by API function and rule:\n",
        cases.len(),
        plural(cases.len()),
        if cases.len() == 1 { "s" } else { "" },
        plural(count),
    );
    for ((_, function), mut rules) in groups {
        let _ = writeln!(out, "#### {function}\n");
        rules.sort_by(|a, b| a.0.cmp(&b.0));
        for (rule, lines) in rules {
            let title = report
                .rules
                .iter()
                .find(|r| r.id == rule)
                .map(|r| format!(": {}", r.title.trim_end_matches('.')))
                .unwrap_or_default();
            let _ = writeln!(out, "- {}{}", list_code(&rule), title.replace('\n', " "));
            for (name, f, runs) in lines {
                let _ = write!(out, "  - {}", list_code(name));
                if let Some(step) = &f.step {
                    let _ = write!(out, " at {}", list_code(step));
                }
                if let Some(call) = &f.call {
                    let _ = write!(out, " {}", list_code(call));
                }
                let _ = writeln!(
                    out,
                    ": expected {}, observed {} ({})",
                    list_code(&capped(&f.expected)),
                    list_code(&capped(&f.observed)),
                    runs.iter()
                        .map(|r| list_code(r))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        out.push('\n');
    }
    if !no_finding.is_empty() {
        out.push_str("#### Failed without a finding\n\n");
        for (name, run) in &no_finding {
            let _ = writeln!(out, "- {} ({})", list_code(name), list_code(run));
        }
        out.push('\n');
    }
    // Notes that say something the departures do not, each once per case.
    let mut notes: Vec<(&str, Vec<&str>)> = Vec::new();
    for (_, case) in &cases {
        let note = case.expected_failure.as_deref().unwrap_or_default();
        for part in note.split("; ").map(str::trim).filter(|p| !p.is_empty()) {
            let restated = case
                .findings
                .iter()
                .any(|f| part.contains(f.expected.as_str()) && part.contains(f.observed.as_str()));
            if restated {
                continue;
            }
            match notes.iter_mut().find(|(n, _)| *n == case.name) {
                Some((_, parts)) if parts.contains(&part) => {}
                Some((_, parts)) => parts.push(part),
                None => notes.push((case.name.as_str(), vec![part])),
            }
        }
    }
    if !notes.is_empty() {
        out.push_str("Notes from the expectation file:\n\n");
        for (name, parts) in notes {
            let _ = writeln!(out, "- {}: {}", list_code(name), prose(&parts.join("; ")));
        }
        out.push('\n');
    }
}

/// The API function (or automation member) a finding's call is about, with
/// the position of its operation in the vocabulary so groups keep one order:
/// findings about the install as a whole come last.
fn api_function(call: Option<&str>) -> (usize, String) {
    let Some(call) = call else {
        return (usize::MAX - 1, "The install as a whole".to_owned());
    };
    // `{ get-mode = { mode = 3 } }`, `get-mode { mode = 3 }` or `"command-line"`.
    let name: String = call
        .trim_start_matches(|c: char| c == '{' || c == '"' || c.is_whitespace())
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    match OpKind::from_name(&name) {
        Some(kind) => (
            OpKind::ALL
                .iter()
                .position(|k| *k == kind)
                .unwrap_or(usize::MAX - 2),
            function_heading(kind),
        ),
        None => (usize::MAX - 2, list_code(&name)),
    }
}

/// The heading of an operation's group: the Windows Installer function or
/// automation member it calls.
fn function_heading(kind: OpKind) -> String {
    let name = match kind {
        OpKind::Sql => return "`MsiDatabaseOpenView` (SQL: open, execute, fetch)".to_owned(),
        OpKind::CommandLine => return "An EXE action's command line".to_owned(),
        OpKind::HasSession => return "An EXE action's session".to_owned(),
        other => function_name(other),
    };
    list_code(name)
}

/// The Windows Installer function or automation member an operation calls.
fn function_name(kind: OpKind) -> &'static str {
    match kind {
        OpKind::DoAction => "MsiDoAction",
        OpKind::Sequence => "MsiSequence",
        OpKind::GetProperty => "MsiGetProperty",
        OpKind::SetProperty => "MsiSetProperty",
        OpKind::GetMode => "MsiGetMode",
        OpKind::SetMode => "MsiSetMode",
        OpKind::GetLanguage => "MsiGetLanguage",
        OpKind::ProcessMessage => "MsiProcessMessage",
        OpKind::FormatRecord => "MsiFormatRecord",
        OpKind::EvaluateCondition => "MsiEvaluateCondition",
        OpKind::SetInstallLevel => "MsiSetInstallLevel",
        OpKind::GetTargetPath => "MsiGetTargetPath",
        OpKind::SetTargetPath => "MsiSetTargetPath",
        OpKind::GetSourcePath => "MsiGetSourcePath",
        OpKind::GetFeatureState => "MsiGetFeatureState",
        OpKind::GetFeatureValidStates => "MsiGetFeatureValidStates",
        OpKind::GetFeatureCost => "MsiGetFeatureCost",
        OpKind::EnumComponentCosts => "MsiEnumComponentCosts",
        OpKind::VerifyDiskSpace => "MsiVerifyDiskSpace",
        OpKind::GetLastErrorRecord => "MsiGetLastErrorRecord",
        OpKind::SetFeatureState => "MsiSetFeatureState",
        OpKind::SetFeatureAttributes => "MsiSetFeatureAttributes",
        OpKind::GetComponentState => "MsiGetComponentState",
        OpKind::SetComponentState => "MsiSetComponentState",
        OpKind::GetActiveDatabase => "MsiGetActiveDatabase",
        OpKind::OpenView => "MsiDatabaseOpenView",
        OpKind::Execute => "MsiViewExecute",
        OpKind::Fetch => "MsiViewFetch",
        OpKind::SetField => "MsiRecordSetString",
        OpKind::Modify => "MsiViewModify",
        OpKind::Sql => "MsiDatabaseOpenView",
        OpKind::Commit => "MsiDatabaseCommit",
        OpKind::IsTablePersistent => "MsiDatabaseIsTablePersistent",
        OpKind::SetSummaryInfo => "MsiSummaryInfoSetProperty",
        OpKind::SummaryInfo => "MsiGetSummaryInformation",
        OpKind::SummaryPropertyCount => "MsiSummaryInfoGetPropertyCount",
        OpKind::SummaryGetProperty => "MsiSummaryInfoGetProperty",
        OpKind::GetDatabaseState => "MsiGetDatabaseState",
        OpKind::OpenPackage => "MsiOpenPackage",
        OpKind::InstallProduct => "MsiInstallProduct",
        OpKind::CloseHandle => "MsiCloseHandle",
        OpKind::OpenDatabase => "MsiOpenDatabase",
        OpKind::CreateRecord => "MsiCreateRecord",
        OpKind::RecordFieldCount => "MsiRecordGetFieldCount",
        OpKind::RecordSetString => "MsiRecordSetString",
        OpKind::RecordSetInteger => "MsiRecordSetInteger",
        OpKind::RecordGetString => "MsiRecordGetString",
        OpKind::RecordGetInteger => "MsiRecordGetInteger",
        OpKind::RecordIsNull => "MsiRecordIsNull",
        OpKind::RecordDataSize => "MsiRecordDataSize",
        OpKind::RecordClearData => "MsiRecordClearData",
        OpKind::RecordSetStream => "MsiRecordSetStream",
        OpKind::RecordReadStream => "MsiRecordReadStream",
        OpKind::ViewColumnInfo => "MsiViewGetColumnInfo",
        OpKind::PrimaryKeys => "MsiDatabaseGetPrimaryKeys",
        OpKind::ViewGetError => "MsiViewGetError",
        OpKind::SessionPropertyGet | OpKind::SessionPropertySet => "Session.Property",
        OpKind::SessionDoAction => "Session.DoAction",
        OpKind::SessionMode | OpKind::SessionSetMode => "Session.Mode",
        OpKind::SessionLanguage => "Session.Language",
        OpKind::SessionMessage => "Session.Message",
        OpKind::SessionEvaluateCondition => "Session.EvaluateCondition",
        OpKind::SessionTargetPath | OpKind::SessionSetTargetPath => "Session.TargetPath",
        OpKind::SessionSourcePath => "Session.SourcePath",
        OpKind::SessionFeatureCurrentState => "Session.FeatureCurrentState",
        OpKind::SessionFeatureValidStates => "Session.FeatureValidStates",
        OpKind::SessionFeatureCost => "Session.FeatureCost",
        OpKind::SessionFeatureRequestState | OpKind::SessionSetFeatureRequestState => {
            "Session.FeatureRequestState"
        }
        OpKind::SessionComponentCurrentState => "Session.ComponentCurrentState",
        OpKind::SessionComponentRequestState | OpKind::SessionSetComponentRequestState => {
            "Session.ComponentRequestState"
        }
        OpKind::SessionDatabase => "Session.Database",
        OpKind::InstallerOpenPackage => "Installer.OpenPackage",
        OpKind::CommandLine => "GetCommandLineW",
        OpKind::HasSession => "the hInstall argument",
        OpKind::SetEnvironment => "SetEnvironmentVariableW",
        OpKind::GetEnvironment => "GetEnvironmentVariableW",
        OpKind::DllCounter => "a global of the custom action's DLL",
        OpKind::ComInitSta => "CoInitializeEx",
        OpKind::ComCreate => "CoCreateInstance",
    }
}

/// Cases that passed only on a retry, or that the expectation file calls flaky.
fn flaky(out: &mut String, report: &Report) {
    let cases: Vec<(&Run, &CaseResult)> = report
        .runs
        .iter()
        .flat_map(|run| run.cases.iter().map(move |c| (run, c)))
        .filter(|(_, c)| c.status == Status::Pass && c.flaky.is_some())
        .collect();
    if cases.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "### Flaky ({})
",
        cases.len()
    );
    for (run, case) in &cases {
        let why = case.flaky.as_deref().unwrap_or_default();
        let _ = writeln!(
            out,
            "- {} {}: {}",
            code(&run_label(run)),
            code(&case.name),
            text(why)
        );
    }
    out.push('\n');
}

fn errors(out: &mut String, report: &Report) {
    let cases: Vec<(&Run, &CaseResult)> = report
        .runs
        .iter()
        .flat_map(|run| run.cases.iter().map(move |c| (run, c)))
        .filter(|(_, c)| c.status == Status::Error)
        .collect();
    if cases.is_empty() {
        return;
    }
    out.push_str("### Errors\n\n");
    for (run, case) in &cases {
        let message = case
            .error
            .as_ref()
            .map_or("the runtime failed without a message", |e| {
                e.message.as_str()
            });
        let _ = writeln!(
            out,
            "- {} {}: {}",
            code(&run_label(run)),
            code(&case.name),
            text(message)
        );
        let output = escape::output(case.error.as_ref().map_or("", |e| e.output.as_str()));
        if !output.is_empty() {
            let (shown, cut) = tail(&output, MAX_OUTPUT_BYTES);
            let summary = if cut > 0 {
                format!("output (last {} bytes of {})", shown.len(), output.len())
            } else {
                "output".to_owned()
            };
            let _ = write!(
                out,
                "  <details><summary>{summary}</summary>\n\n{}\n  </details>\n",
                indent(&fenced(shown), "  ")
            );
        }
    }
    out.push('\n');
}

fn expectation_problems(out: &mut String, report: &Report) {
    let problems: Vec<(&Run, &String)> = report
        .runs
        .iter()
        .flat_map(|run| run.expectation_problems.iter().map(move |p| (run, p)))
        .collect();
    if problems.is_empty() {
        return;
    }
    out.push_str("### Expectation problems\n\n");
    for (run, p) in problems {
        let _ = writeln!(out, "- {}: {}", code(&run_label(run)), text(p));
    }
    out.push('\n');
}

fn skips(out: &mut String, report: &Report) {
    // Grouped by reason: a runtime that lacks a context skips many cases for one reason.
    let mut reasons: Vec<(String, String, usize)> = Vec::new();
    for run in &report.runs {
        let label = run_label(run);
        for case in run.cases.iter().filter(|c| c.status == Status::Skip) {
            let reason = case.skip_reason.clone().unwrap_or_default();
            match reasons
                .iter_mut()
                .find(|(l, r, _)| *l == label && *r == reason)
            {
                Some(entry) => entry.2 += 1,
                None => reasons.push((label.clone(), reason, 1)),
            }
        }
    }
    if reasons.is_empty() {
        return;
    }
    let total: usize = reasons.iter().map(|r| r.2).sum();
    let _ = write!(
        out,
        "<details><summary>{total} skipped case{}</summary>\n\n",
        plural(total)
    );
    for (label, reason, n) in &reasons {
        let reason = if reason.is_empty() {
            "no reason given".to_owned()
        } else {
            text(reason)
        };
        let _ = writeln!(out, "- {} × {}: {reason}", n, code(label));
    }
    out.push_str("\n</details>\n");
}

fn run_label(run: &Run) -> String {
    super::matrix::run_label(run)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A value for a table cell as inline code, or `None` when it is too long or
/// spans lines and belongs in `<details>`.
fn value_cell(value: &str) -> Option<String> {
    if value.chars().count() > MAX_CELL_CHARS || value.contains(['\n', '\r']) {
        None
    } else if value.is_empty() {
        Some(String::new())
    } else {
        Some(code(value))
    }
}

/// Inline code that survives any content: the fence is longer than the longest
/// run of backticks inside, and `|` is escaped because GitHub splits table
/// cells on it even inside code spans.
fn code(value: &str) -> String {
    let value = visible(value).replace(['\n', '\r'], " ");
    let fence = "`".repeat(longest_run(&value, '`') + 1);
    let pad = if value.starts_with('`') || value.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", value.replace('|', "\\|"))
}

/// Inline code in a list item, outside any table: like [`code`] but `|`
/// stays as it is.
fn list_code(value: &str) -> String {
    let value = visible(value).replace(['\n', '\r'], " ");
    let fence = "`".repeat(longest_run(&value, '`') + 1);
    let pad = if value.starts_with('`') || value.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{value}{pad}{fence}")
}

/// Plain text with Markdown and HTML punctuation escaped, on one line.
fn text(value: &str) -> String {
    let value = visible(value);
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Prose on one line: only the characters that would start Markdown or HTML
/// markup in running text are escaped, so a note reads as it was written.
fn prose(value: &str) -> String {
    let value = visible(value);
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text inside an HTML element such as `<summary>`, where Markdown is not parsed.
fn html_text(value: &str) -> String {
    super::escape::html(&value.replace(['\n', '\r'], " ")).into_owned()
}

/// A fenced code block holding `value` exactly, whatever it contains.
fn fenced(value: &str) -> String {
    let value = visible(value);
    let fence = "`".repeat(longest_run(&value, '`').max(2) + 1);
    let mut body = value.into_owned();
    if !body.ends_with('\n') {
        body.push('\n');
    }
    format!("{fence}text\n{body}{fence}\n")
}

/// `value`, cut after [`MAX_FOLDED_CHARS`] characters with a note of how many were left out.
fn capped(value: &str) -> String {
    let total = value.chars().count();
    if total <= MAX_FOLDED_CHARS {
        return value.to_owned();
    }
    let mut out: String = value.chars().take(MAX_FOLDED_CHARS).collect();
    let _ = write!(out, "… ({} more characters)", total - MAX_FOLDED_CHARS);
    out
}

fn longest_run(value: &str, ch: char) -> usize {
    let mut best = 0;
    let mut current = 0;
    for c in value.chars() {
        if c == ch {
            current += 1;
            best = best.max(current);
        } else {
            current = 0;
        }
    }
    best
}

/// The last `max` bytes of `output`, cut at a line start when one is near,
/// and how many bytes were cut.
fn tail(output: &str, max: usize) -> (&str, usize) {
    if output.len() <= max {
        return (output, 0);
    }
    let mut start = output.len() - max;
    while !output.is_char_boundary(start) {
        start += 1;
    }
    if let Some(nl) = output[start..].find('\n') {
        if nl + 1 < output.len() - start {
            start += nl + 1;
        }
    }
    (&output[start..], start)
}

fn indent(block: &str, prefix: &str) -> String {
    block
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x `y` z"), "``x `y` z``");
        assert_eq!(code("`edge`"), "`` `edge` ``");
    }

    #[test]
    fn fences_outgrow_the_content() {
        let f = fenced("has ``` inside");
        assert!(f.starts_with("````text\n"), "{f}");
        assert!(f.ends_with("\n````\n"), "{f}");
    }

    #[test]
    fn text_escapes_markup() {
        assert_eq!(text("a <b> *c* | d\ne"), "a \\<b\\> \\*c\\* \\| d e");
    }

    #[test]
    fn tail_keeps_the_end_at_a_line_start() {
        let out = "line one\nline two\nline three\n";
        let (shown, cut) = tail(out, 15);
        assert_eq!(shown, "line three\n");
        assert_eq!(cut, out.len() - shown.len());
        assert_eq!(tail("short", 15), ("short", 0));
    }
}
