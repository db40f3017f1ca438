//! What a person sees: progress while cases run, and a summary at the end.

use super::model::{CaseResult, Report, Run, Status};
use crate::runner::Reporter;
use crate::runtime::RuntimeInfo;
use indicatif::{ProgressBar, ProgressStyle};
use msiconf_spec::Profile;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Mutex;

/// The summary of a report: per run, the counts, then every failure with its
/// findings, every error with what the runtime printed, the skip reasons and
/// the expectation problems.
pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    for run in &report.runs {
        summarise_run(run, &mut out);
    }
    if let Some(why) = &report.incomplete {
        let _ = writeln!(out, "INCOMPLETE: {why}");
    }
    out
}

fn summarise_run(run: &Run, out: &mut String) {
    let t = &run.totals;
    let expected = if t.expected_failures > 0 {
        format!(" ({} expected)", t.expected_failures)
    } else {
        String::new()
    };
    let flaky = if t.flaky > 0 {
        format!(" ({} flaky)", t.flaky)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{} ({}): {} cases: {} passed{flaky}, {} failed{expected}, {} errors, {} skipped in {:.2} s",
        run.runtime.name,
        run.profile,
        run.cases.len(),
        t.passed,
        t.failed,
        t.errors,
        t.skipped,
        run.duration_ms as f64 / 1000.0
    );
    let (reused, from) = run.reused_transcripts();
    if reused > 0 {
        let from: Vec<&str> = from.iter().map(|p| p.name()).collect();
        let _ = writeln!(
            out,
            "  REUSED {reused} transcript(s) from the run under profile {}: those cases were checked again, not executed again, so this time is mostly checking",
            from.join(", ")
        );
    }
    for case in &run.cases {
        out.push_str(&case_details(case));
    }
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for case in run.cases.iter().filter(|c| c.status == Status::Skip) {
        *reasons
            .entry(case.skip_reason.as_deref().unwrap_or("no reason given"))
            .or_default() += 1;
    }
    for (reason, n) in reasons {
        let _ = writeln!(out, "  SKIP  {n} case(s): {reason}");
    }
    for p in &run.expectation_problems {
        let _ = writeln!(out, "  EXPECTATION {p}");
    }
}

/// The lines a failed or errored case gets in the summary (none for a pass or a skip):
/// each finding with its rule, step and call, or the error with what the runtime printed.
pub fn case_details(case: &CaseResult) -> String {
    let mut out = String::new();
    match case.status {
        // An expected failure gets one line: its findings are known, and the
        // JSON report keeps them.
        Status::Fail if case.expected_failure.is_some() => {
            let _ = writeln!(out, "  XFAIL {}", case.name);
        }
        Status::Fail => {
            let _ = writeln!(out, "  FAIL  {}", case.name);
            // A departure seen by both the case's expectation and the rule's
            // predicate is printed once, naming both.
            for d in super::findings::departures(&case.findings) {
                let f = d.finding;
                let at = f
                    .step
                    .as_ref()
                    .map(|s| format!(" at {s}"))
                    .unwrap_or_default();
                let call = f.call.as_ref().map(|c| format!(" {c}")).unwrap_or_default();
                let both = if d.seen_by_both() {
                    format!(" [{}]", d.sources())
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "        {}{at}{call}: expected {}, observed {}{both}",
                    f.rule, f.expected, f.observed
                );
            }
        }
        Status::Error => {
            let message = case.error.as_ref().map_or("", |e| e.message.as_str());
            let _ = writeln!(out, "  ERROR {}: {message}", case.name);
            if let Some(e) = &case.error {
                for line in e.output.lines().take(20) {
                    let _ = writeln!(out, "        | {line}");
                }
            }
        }
        // A flaky pass is never silently green.
        Status::Pass => {
            if let Some(why) = &case.flaky {
                let _ = writeln!(out, "  FLAKY {}: {why}", case.name);
            }
        }
        Status::Skip => {}
    }
    out
}

/// The summary with its status words in colour: failures and errors red,
/// expected failures, flaky passes and skips yellow, and each run's counts
/// green when nothing in them failed. Where colour goes is decided when the
/// text is printed (see `anstream`): `NO_COLOR`, `--color` and whether the
/// output is a terminal.
pub fn summary_in_colour(report: &Report) -> String {
    let red = anstyle::AnsiColor::Red.on_default().bold();
    let yellow = anstyle::AnsiColor::Yellow.on_default();
    let green = anstyle::AnsiColor::Green.on_default();
    let mut out = String::new();
    for line in summary(report).lines() {
        let style = [
            ("  FAIL ", red),
            ("  ERROR ", red),
            ("  EXPECTATION ", red),
            ("INCOMPLETE", red),
            ("  XFAIL ", yellow),
            ("  FLAKY ", yellow),
            ("  SKIP ", yellow),
        ]
        .into_iter()
        .find(|(prefix, _)| line.starts_with(prefix))
        .map(|(_, style)| style);
        let style = style.or_else(|| {
            let quiet = line.contains(" 0 failed") && line.contains(" 0 errors");
            (!line.starts_with(' ') && quiet).then_some(green)
        });
        match style {
            Some(s) => {
                let _ = writeln!(out, "{s}{line}{s:#}");
            }
            None => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::Skip => "SKIP",
    }
}

/// Whether a failed case is one the expectation files list: they are applied
/// after the run, but progress lines should already say XFAIL, not FAIL.
pub type ExpectedFailure<'a> = &'a (dyn Fn(&RuntimeInfo, Profile, &CaseResult) -> bool + Sync);

/// The word a finished case is announced with: XFAIL for a listed failure.
fn announced(
    expected: Option<ExpectedFailure<'_>>,
    runtime: &RuntimeInfo,
    profile: Profile,
    result: &CaseResult,
) -> &'static str {
    let listed = || expected.is_some_and(|f| f(runtime, profile, result));
    if result.status == Status::Fail && listed() {
        "XFAIL"
    } else {
        status_word(result.status)
    }
}

/// A progress bar on standard error, for terminals.
#[derive(Default)]
pub struct ProgressReporter<'a> {
    bar: Mutex<Option<ProgressBar>>,
    /// Tells expected failures apart from unexpected ones.
    pub expected: Option<ExpectedFailure<'a>>,
}

impl<'a> ProgressReporter<'a> {
    /// A progress bar that says XFAIL for the failures `expected` accepts.
    pub fn new(expected: Option<ExpectedFailure<'a>>) -> Self {
        ProgressReporter {
            bar: Mutex::default(),
            expected,
        }
    }
}

impl std::fmt::Debug for ProgressReporter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressReporter").finish_non_exhaustive()
    }
}

impl Reporter for ProgressReporter<'_> {
    fn run_started(&self, runtime: &RuntimeInfo, profile: Profile, total: usize) {
        let bar = ProgressBar::new(total as u64);
        let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(format!("{} ({profile})", runtime.name));
        *self.bar.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar);
    }

    fn case_finished(&self, runtime: &RuntimeInfo, profile: Profile, result: &CaseResult) {
        if let Some(bar) = &*self.bar.lock().unwrap_or_else(|e| e.into_inner()) {
            if matches!(result.status, Status::Fail | Status::Error) {
                let word = announced(self.expected, runtime, profile, result);
                bar.println(format!("{word} {}", result.name));
            }
            bar.set_message(result.name.clone());
            bar.inc(1);
        }
    }

    fn run_finished(&self, _: &Run) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish_and_clear();
        }
    }
}

/// Plain lines on standard error, for logs and pipes: by default one line
/// as each run starts (the summary names every failure at the end), with
/// `every_case` one line per case as it finishes.
#[derive(Default)]
pub struct LineReporter<'a> {
    /// One line per case, not only per run.
    pub every_case: bool,
    /// Tells expected failures apart from unexpected ones.
    pub expected: Option<ExpectedFailure<'a>>,
}

impl std::fmt::Debug for LineReporter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineReporter")
            .field("every_case", &self.every_case)
            .finish_non_exhaustive()
    }
}

impl Reporter for LineReporter<'_> {
    fn run_started(&self, runtime: &RuntimeInfo, profile: Profile, total: usize) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "running {total} cases on {} ({profile})", runtime.name);
    }

    fn case_finished(&self, runtime: &RuntimeInfo, profile: Profile, result: &CaseResult) {
        if !self.every_case {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "{:<5} {} ({profile}) {} [{} µs{}]",
            announced(self.expected, runtime, profile, result),
            runtime.name,
            result.name,
            result.duration_us,
            result
                .transcript_reused_from
                .map(|p| format!(", transcript reused from {p}"))
                .unwrap_or_default()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{CaseError, Finding, FindingSource, Totals};

    #[test]
    fn summary_names_rules_steps_and_output() {
        let case = |name: &str, status| CaseResult {
            name: name.into(),
            area: "a".into(),
            description: String::new(),
            rules: vec!["R1".into()],
            status,
            findings: vec![],
            error: None,
            skip_reason: None,
            expected_failure: None,
            flaky: None,
            plan: None,
            transcript: None,
            transcript_reused_from: None,
            duration_us: 1,
        };
        let mut fail = case("a/fail", Status::Fail);
        fail.findings.push(Finding {
            rule: "R1".into(),
            source: FindingSource::Expectation,
            step: Some("ProbeDeferred#2".into()),
            call: Some("{ get-language = {} }".into()),
            expected: "number=1033".into(),
            observed: "number=0".into(),
        });
        let mut error = case("a/err", Status::Error);
        error.error = Some(CaseError {
            message: "runtime crashed: boom".into(),
            output: "line one\nline two".into(),
        });
        let mut xfail = fail.clone();
        xfail.name = "a/xfail".into();
        xfail.expected_failure = Some("known".into());
        let mut skip = case("a/skip", Status::Skip);
        skip.skip_reason = Some("no commit".into());
        let run = Run {
            runtime: RuntimeInfo {
                name: "rt".into(),
                version: "0".into(),
                contexts: vec![],
                operations: vec![],
            },
            profile: Profile::Windows,
            cases: vec![case("a/pass", Status::Pass), fail, xfail, error, skip],
            totals: Totals {
                passed: 1,
                failed: 2,
                errors: 1,
                skipped: 1,
                expected_failures: 1,
                flaky: 0,
            },
            duration_ms: 1500,
            expectation_problems: vec![
                "`a/x` was expected to fail by breaking R1 but passed".into()
            ],
        };
        let report = Report {
            schema_version: 1,
            tool: crate::report::model::Tool {
                name: "msiconf".into(),
                version: "0".into(),
            },
            runs: vec![run],
            rules: vec![],
            provenance: None,
            incomplete: None,
        };
        assert_eq!(
            summary(&report),
            "rt (windows): 5 cases: 1 passed, 2 failed (1 expected), 1 errors, 1 skipped in 1.50 s\n\
             \x20 FAIL  a/fail\n\
             \x20       R1 at ProbeDeferred#2 { get-language = {} }: expected number=1033, observed number=0\n\
             \x20 XFAIL a/xfail\n\
             \x20 ERROR a/err: runtime crashed: boom\n\
             \x20       | line one\n\
             \x20       | line two\n\
             \x20 SKIP  1 case(s): no commit\n\
             \x20 EXPECTATION `a/x` was expected to fail by breaking R1 but passed\n"
        );
    }
}
