//! Markdown, for CI step summaries and pull-request comments.
//!
//! A one-line verdict, one table of results per area and run, then every
//! unexpected failure as case, rule, expected and observed. Long values and
//! runtime output are folded into `<details>`, and the lists are capped so the
//! page stays well under the size CI step summaries accept (GitHub's limit is
//! 1 MiB); the JSON and HTML reports always hold everything.

use super::escape::{self, visible};
use super::model::{CaseResult, Finding, Report, Run, Status, Totals};
use super::summary::{Summary, Verdict};
use std::fmt::Write as _;

/// At most this many failure rows; the rest are counted.
pub const MAX_FAILURE_ROWS: usize = 100;
/// At most this many error entries; the rest are counted.
pub const MAX_ERROR_ENTRIES: usize = 30;
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
    failures(&mut out, report);
    expected_failures(&mut out, report);
    flaky(&mut out, report);
    errors(&mut out, report);
    expectation_problems(&mut out, report);
    skips(&mut out, report);
    out
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
                    let findings: Vec<Option<&Finding>> = if c.findings.is_empty() {
                        vec![None]
                    } else {
                        c.findings.iter().map(Some).collect()
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
    for (n, (run, case, finding)) in rows.iter().take(MAX_FAILURE_ROWS).enumerate() {
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
    if rows.len() > MAX_FAILURE_ROWS {
        let _ = writeln!(
            out,
            "…and {} more findings: see the JSON or HTML report.\n",
            rows.len() - MAX_FAILURE_ROWS
        );
    }
    out.push_str(&folded);
}

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
    let _ = write!(
        out,
        "<details><summary>{} expected failure{}</summary>\n\n",
        cases.len(),
        plural(cases.len())
    );
    for (run, case) in cases.iter().take(MAX_FAILURE_ROWS) {
        let rules: Vec<String> = case.findings.iter().map(|f| code(&f.rule)).collect();
        let _ = write!(out, "- {} {}", code(&run_label(run)), code(&case.name));
        if !rules.is_empty() {
            let _ = write!(out, " ({})", rules.join(", "));
        }
        match case.expected_failure.as_deref() {
            Some(note) if !note.is_empty() => {
                let _ = writeln!(out, ": {}", text(note));
            }
            _ => out.push('\n'),
        }
    }
    if cases.len() > MAX_FAILURE_ROWS {
        let _ = writeln!(out, "- …and {} more", cases.len() - MAX_FAILURE_ROWS);
    }
    out.push_str("\n</details>\n\n");
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
    for (run, case) in cases.iter().take(MAX_FAILURE_ROWS) {
        let why = case.flaky.as_deref().unwrap_or_default();
        let _ = writeln!(
            out,
            "- {} {}: {}",
            code(&run_label(run)),
            code(&case.name),
            text(why)
        );
    }
    if cases.len() > MAX_FAILURE_ROWS {
        let _ = writeln!(out, "- …and {} more", cases.len() - MAX_FAILURE_ROWS);
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
    for (run, case) in cases.iter().take(MAX_ERROR_ENTRIES) {
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
    if cases.len() > MAX_ERROR_ENTRIES {
        let _ = writeln!(out, "- …and {} more", cases.len() - MAX_ERROR_ENTRIES);
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
