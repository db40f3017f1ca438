//! GitHub Actions workflow commands: one annotation per problem, so a failing
//! case shows on the pull request next to its case file.
//!
//! - an unexpected failure is an `::error` on `cases/<name>.toml`, titled
//!   with the rule, its message the first finding (and how many more);
//! - a case in error is an `::error` titled `runtime error`;
//! - a problem with the expectation file is an `::error` without a file;
//! - a flaky pass is a `::warning`, an interrupted or empty run a `::warning`.
//!
//! Expected failures, passes and skips are not annotated: the job summary
//! (the Markdown report, written to `$GITHUB_STEP_SUMMARY`) lists them. Values
//! are escaped as the runner requires: `%`, CR and LF everywhere, and `:` and
//! `,` in properties too.

use super::model::{CaseResult, Report, Run, Status};
use super::summary::executed_nothing;
use std::fmt::Write as _;

/// Renders the annotations for `report`, one workflow command per line.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for run in &report.runs {
        for case in &run.cases {
            annotate_case(&mut out, run, case);
        }
        for problem in &run.expectation_problems {
            command(
                &mut out,
                "error",
                None,
                &format!("expectation file ({})", run_label(run)),
                problem,
            );
        }
        if executed_nothing(run) {
            command(
                &mut out,
                "warning",
                None,
                &format!("nothing executed ({})", run_label(run)),
                &format!(
                    "every one of the {} cases was skipped on this runtime",
                    run.cases.len()
                ),
            );
        }
    }
    if let Some(why) = &report.incomplete {
        command(&mut out, "warning", None, "incomplete run", why);
    }
    out
}

fn run_label(run: &Run) -> String {
    format!("{} {}", run.runtime.name, run.profile)
}

fn annotate_case(out: &mut String, run: &Run, case: &CaseResult) {
    let file = format!("cases/{}.toml", case.name);
    match case.status {
        Status::Fail if case.expected_failure.is_none() => {
            // A departure both the case and a predicate saw counts once.
            let shown = super::findings::departures(&case.findings);
            let Some(first) = shown.first().map(|d| d.finding) else {
                let title = format!("{} ({})", case.name, run_label(run));
                command(out, "error", Some(&file), &title, "failed");
                return;
            };
            let at = first
                .step
                .as_ref()
                .map(|s| format!(" at {s}"))
                .unwrap_or_default();
            let mut message = format!(
                "{}{at}: expected {}, observed {}",
                case.name, first.expected, first.observed
            );
            if shown.len() > 1 {
                let more = shown.len() - 1;
                let _ = write!(
                    message,
                    " (and {more} more finding{}: see the job summary)",
                    if more == 1 { "" } else { "s" }
                );
            }
            let title = format!("{} ({})", first.rule, run_label(run));
            command(out, "error", Some(&file), &title, &message);
        }
        Status::Error => {
            let message = case.error.as_ref().map_or("", |e| e.message.as_str());
            let title = format!("runtime error ({})", run_label(run));
            command(
                out,
                "error",
                Some(&file),
                &title,
                &format!("{}: {message}", case.name),
            );
        }
        Status::Pass => {
            if let Some(why) = &case.flaky {
                let title = format!("flaky ({})", run_label(run));
                command(
                    out,
                    "warning",
                    Some(&file),
                    &title,
                    &format!("{}: {why}", case.name),
                );
            }
        }
        Status::Fail | Status::Skip => {}
    }
}

fn command(out: &mut String, level: &str, file: Option<&str>, title: &str, message: &str) {
    let mut props = Vec::new();
    if let Some(file) = file {
        props.push(format!("file={}", property(file)));
    }
    props.push(format!("title={}", property(title)));
    let _ = writeln!(out, "::{level} {}::{}", props.join(","), data(message));
}

/// A message: `%`, CR and LF escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as [`data`], and `:` and `,` too.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_as_the_runner_reads_them() {
        assert_eq!(data("50% of a\nb"), "50%25 of a%0Ab");
        assert_eq!(property("broken:x, y"), "broken%3Ax%2C y");
    }
}
