//! Comparing two runs: what a pull request changed.
//!
//! Cases are matched by runtime name, profile and case name. Each case of
//! either report lands in at most one list:
//!
//! - newly failing: it fails now (not as an expected failure) and did not
//!   before, or did not exist before; or it failed before and now also breaks a
//!   rule it did not break then (the list names only the new rules);
//! - newly passing: it passes now and failed, errored or was skipped before;
//! - newly erroring: it errors now and did not before;
//! - added: it is new and neither fails nor errors;
//! - removed: it was in the old report and is not in the new one.
//!
//! Newly failing expected failures (the expectation file lists them) are shown
//! but do not count as regressions: someone decided to accept them.

use super::escape::visible;
use super::model::{CaseResult, Report, Status, SCHEMA_VERSION};
use msiconf_spec::Profile;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

/// Why a JSON report could not be read for comparison.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("failed to read report `{}`", path.display())]
    Read {
        /// The report file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a report of this format.
    #[error("failed to parse report `{}`", path.display())]
    Parse {
        /// The report file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// The report was written in another version of the format.
    #[error("report `{}` has schema version {found}; this msiconf reads version {SCHEMA_VERSION}", path.display())]
    Version {
        /// The report file.
        path: PathBuf,
        /// The version the file declares (0 when it declares none).
        found: u64,
    },
}

/// Reads a JSON report, checking its schema version first so that a report
/// from another version says so instead of failing on some field.
pub fn load(path: &Path) -> Result<Report, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    let parse = |source| LoadError::Parse {
        path: path.to_owned(),
        source,
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(parse)?;
    let found = value
        .get("schema-version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if found != u64::from(SCHEMA_VERSION) {
        return Err(LoadError::Version {
            path: path.to_owned(),
            found,
        });
    }
    serde_json::from_value(value).map_err(parse)
}

/// Why two reports could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// One of the reports could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The reports share no run (runtime name and profile), so every case
    /// would count as removed and added and nothing would be compared.
    #[error(
        "reports `{}` and `{}` have no run in common (old: {}; new: {}); give both runs the same runtime name with `--runtime NAME=SPEC`",
        old.display(),
        new.display(),
        list(old_runs),
        list(new_runs)
    )]
    NothingInCommon {
        /// The earlier report.
        old: PathBuf,
        /// The later report.
        new: PathBuf,
        /// The runs of the earlier report.
        old_runs: Vec<RunKey>,
        /// The runs of the later report.
        new_runs: Vec<RunKey>,
    },
}

fn list(runs: &[RunKey]) -> String {
    if runs.is_empty() {
        return "no runs".to_owned();
    }
    runs.iter()
        .map(RunKey::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `msiconf compare OLD NEW --format F` prints and exits with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareOutput {
    /// The rendered comparison.
    pub text: String,
    /// [`EXIT_REGRESSION`] when anything newly fails, else [`EXIT_NO_REGRESSION`].
    pub exit_code: i32,
}

/// The whole `msiconf compare` command short of printing: loads both
/// reports, compares them and renders the result in `format`. Two reports
/// with runs but none in common (a runtime renamed, a profile changed) are
/// an error, not a comparison in which everything was removed and added.
pub fn compare_files(
    old: &Path,
    new: &Path,
    format: Format,
) -> Result<CompareOutput, CompareError> {
    let (old_report, new_report) = (load(old)?, load(new)?);
    let (old_runs, new_runs) = (run_keys(&old_report), run_keys(&new_report));
    if !old_runs.is_empty() && !new_runs.is_empty() && old_runs.is_disjoint(&new_runs) {
        return Err(CompareError::NothingInCommon {
            old: old.to_owned(),
            new: new.to_owned(),
            old_runs: old_runs.into_iter().collect(),
            new_runs: new_runs.into_iter().collect(),
        });
    }
    let cmp = compare(&old_report, &new_report);
    Ok(CompareOutput {
        text: render(&cmp, format),
        exit_code: cmp.exit_code(),
    })
}

/// Where a case ran: runtime name and profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunKey {
    /// The runtime's name, such as `reference`.
    pub runtime: String,
    /// The profile.
    pub profile: Profile,
}

impl fmt::Display for RunKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.runtime, self.profile)
    }
}

/// One case whose outcome changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The run it belongs to.
    pub run: RunKey,
    /// The case name.
    pub case: String,
    /// Its status in the old report, if it was there.
    pub old: Option<Status>,
    /// Its status in the new report, if it is there.
    pub new: Option<Status>,
    /// The rules involved: for a failure the rules it newly breaks, otherwise the rules the case cites.
    pub rules: Vec<String>,
    /// The expectation-file note when the new failure is an expected one.
    pub expected_failure: Option<String>,
    /// A one-line reason: the first new finding, the error message or the skip reason.
    pub detail: Option<String>,
}

/// What changed between two reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Cases failing now that did not fail before, or that break new rules.
    pub newly_failing: Vec<Change>,
    /// Cases passing now that did not pass before.
    pub newly_passing: Vec<Change>,
    /// Cases erroring now that did not error before.
    pub newly_erroring: Vec<Change>,
    /// New cases that neither fail nor error.
    pub added: Vec<Change>,
    /// Cases only in the old report.
    pub removed: Vec<Change>,
    /// Runs (runtime and profile) only in the old report.
    pub removed_runs: Vec<RunKey>,
    /// Runs only in the new report.
    pub added_runs: Vec<RunKey>,
    /// Cases present in both with the same outcome.
    pub unchanged: usize,
}

/// The exit code of `msiconf compare` when nothing newly fails.
pub const EXIT_NO_REGRESSION: i32 = 0;
/// The exit code of `msiconf compare` when something newly fails.
pub const EXIT_REGRESSION: i32 = 1;

impl Comparison {
    /// The newly failing cases that are not expected failures: the regressions.
    pub fn regressions(&self) -> impl Iterator<Item = &Change> {
        self.newly_failing
            .iter()
            .filter(|c| c.expected_failure.is_none())
    }

    /// Whether anything newly fails (expected failures aside).
    pub fn has_regressions(&self) -> bool {
        self.regressions().next().is_some()
    }

    /// 1 when anything newly fails, else 0: what `msiconf compare` exits with.
    pub fn exit_code(&self) -> i32 {
        if self.has_regressions() {
            EXIT_REGRESSION
        } else {
            EXIT_NO_REGRESSION
        }
    }

    /// Whether nothing changed at all.
    pub fn is_empty(&self) -> bool {
        self.newly_failing.is_empty()
            && self.newly_passing.is_empty()
            && self.newly_erroring.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.removed_runs.is_empty()
            && self.added_runs.is_empty()
    }
}

/// Compares `old` with `new`.
pub fn compare(old: &Report, new: &Report) -> Comparison {
    let old_cases = index(old);
    let new_cases = index(new);
    let mut out = Comparison {
        removed_runs: run_keys(old).difference(&run_keys(new)).cloned().collect(),
        added_runs: run_keys(new).difference(&run_keys(old)).cloned().collect(),
        ..Comparison::default()
    };
    for ((run, name), new_case) in &new_cases {
        let old_case = old_cases.get(&(run.clone(), name.clone())).copied();
        let change = |rules: Vec<String>, detail: Option<String>| Change {
            run: run.clone(),
            case: name.clone(),
            old: old_case.map(|c| c.status),
            new: Some(new_case.status),
            rules,
            expected_failure: if new_case.status == Status::Fail {
                new_case.expected_failure.clone()
            } else {
                None
            },
            detail,
        };
        match new_case.status {
            Status::Fail => {
                let new_rules = failing_rules(new_case);
                let newly: Vec<String> = match old_case {
                    Some(o) if o.status == Status::Fail => {
                        let old_rules = failing_rules(o);
                        new_rules.difference(&old_rules).cloned().collect()
                    }
                    _ => new_rules.iter().cloned().collect(),
                };
                let was_failing = old_case.is_some_and(|o| o.status == Status::Fail);
                if !was_failing || !newly.is_empty() {
                    let detail = new_case
                        .findings
                        .iter()
                        .find(|f| newly.contains(&f.rule))
                        .map(|f| {
                            format!(
                                "{}: expected {}, observed {}",
                                f.rule, f.expected, f.observed
                            )
                        });
                    out.newly_failing.push(change(newly, detail));
                } else {
                    out.unchanged += 1;
                }
            }
            Status::Error if old_case.is_none_or(|o| o.status != Status::Error) => {
                let detail = new_case.error.as_ref().map(|e| e.message.clone());
                out.newly_erroring
                    .push(change(new_case.rules.clone(), detail));
            }
            Status::Pass if old_case.is_some_and(|o| o.status != Status::Pass) => {
                out.newly_passing.push(change(new_case.rules.clone(), None));
            }
            _ if old_case.is_none() => {
                let detail = new_case.skip_reason.clone();
                out.added.push(change(new_case.rules.clone(), detail));
            }
            _ => out.unchanged += 1,
        }
    }
    for ((run, name), old_case) in &old_cases {
        if !new_cases.contains_key(&(run.clone(), name.clone())) {
            out.removed.push(Change {
                run: run.clone(),
                case: name.clone(),
                old: Some(old_case.status),
                new: None,
                rules: old_case.rules.clone(),
                expected_failure: None,
                detail: None,
            });
        }
    }
    out
}

type CaseIndex<'a> = BTreeMap<(RunKey, String), &'a CaseResult>;

fn index(report: &Report) -> CaseIndex<'_> {
    let mut out = BTreeMap::new();
    for run in &report.runs {
        let key = RunKey {
            runtime: run.runtime.name.clone(),
            profile: run.profile,
        };
        for case in &run.cases {
            // A report never holds a case twice in one run; if one did, the first wins.
            out.entry((key.clone(), case.name.clone())).or_insert(case);
        }
    }
    out
}

fn run_keys(report: &Report) -> BTreeSet<RunKey> {
    report
        .runs
        .iter()
        .map(|r| RunKey {
            runtime: r.runtime.name.clone(),
            profile: r.profile,
        })
        .collect()
}

/// The rules a failed case breaks: its findings' rules, or the rules it cites
/// when it has no findings.
fn failing_rules(case: &CaseResult) -> BTreeSet<String> {
    if case.findings.is_empty() {
        case.rules.iter().cloned().collect()
    } else {
        case.findings.iter().map(|f| f.rule.clone()).collect()
    }
}

/// How to print a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Plain text for a terminal.
    #[default]
    Text,
    /// Markdown for a pull-request comment.
    Markdown,
}

impl Format {
    /// Every format, by name.
    pub const ALL: [Format; 2] = [Format::Text, Format::Markdown];

    /// The name used with `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
        }
    }

    /// The format with this name.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Renders `cmp` in `format`.
pub fn render(cmp: &Comparison, format: Format) -> String {
    match format {
        Format::Text => render_text(cmp),
        Format::Markdown => render_markdown(cmp),
    }
}

/// The one-line verdict both renderers start with.
fn headline(cmp: &Comparison) -> String {
    let regressions = cmp.regressions().count();
    let verdict = if regressions > 0 {
        format!(
            "{regressions} case{} newly failing",
            if regressions == 1 { "" } else { "s" }
        )
    } else if cmp.is_empty() {
        "no changes".to_owned()
    } else {
        "no new failures".to_owned()
    };
    format!(
        "{verdict} ({} newly failing, {} newly passing, {} newly erroring, {} added, {} removed, {} unchanged)",
        cmp.newly_failing.len(),
        cmp.newly_passing.len(),
        cmp.newly_erroring.len(),
        cmp.added.len(),
        cmp.removed.len(),
        cmp.unchanged
    )
}

fn sections(cmp: &Comparison) -> [(&'static str, &[Change]); 5] {
    [
        ("Newly failing", &cmp.newly_failing),
        ("Newly erroring", &cmp.newly_erroring),
        ("Newly passing", &cmp.newly_passing),
        ("Removed", &cmp.removed),
        ("Added", &cmp.added),
    ]
}

fn status_name(s: Option<Status>) -> &'static str {
    match s {
        None => "absent",
        Some(Status::Pass) => "pass",
        Some(Status::Fail) => "fail",
        Some(Status::Error) => "error",
        Some(Status::Skip) => "skip",
    }
}

/// Plain text.
pub fn render_text(cmp: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {}",
        if cmp.has_regressions() { "FAIL" } else { "OK" },
        headline(cmp)
    );
    for key in &cmp.removed_runs {
        let _ = writeln!(out, "run removed: {key}");
    }
    for key in &cmp.added_runs {
        let _ = writeln!(out, "run added: {key}");
    }
    for (title, changes) in sections(cmp) {
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", changes.len());
        for c in changes {
            let _ = write!(
                out,
                "  {} {}: {} -> {}",
                c.run,
                c.case,
                status_name(c.old),
                status_name(c.new)
            );
            if !c.rules.is_empty() {
                let _ = write!(out, " [{}]", c.rules.join(", "));
            }
            if let Some(note) = &c.expected_failure {
                let _ = write!(out, " (expected failure: {note})");
            }
            out.push('\n');
            if let Some(d) = &c.detail {
                let _ = writeln!(out, "      {}", visible(&d.replace('\n', " ")));
            }
        }
    }
    out
}

/// Markdown, for a pull-request comment.
pub fn render_markdown(cmp: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "**{}** {}\n",
        if cmp.has_regressions() {
            "❌ Regressions:"
        } else {
            "✅"
        },
        headline(cmp)
    );
    for key in &cmp.removed_runs {
        let _ = writeln!(out, "- Run removed: `{}`", md_code_body(&key.to_string()));
    }
    for key in &cmp.added_runs {
        let _ = writeln!(out, "- Run added: `{}`", md_code_body(&key.to_string()));
    }
    if !cmp.removed_runs.is_empty() || !cmp.added_runs.is_empty() {
        out.push('\n');
    }
    for (title, changes) in sections(cmp) {
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {title} ({})\n", changes.len());
        out.push_str("| Run | Case | Was | Now | Rules | Detail |\n|---|---|---|---|---|---|\n");
        for c in changes {
            let rules: Vec<String> = c
                .rules
                .iter()
                .map(|r| format!("`{}`", md_code_body(r)))
                .collect();
            let mut detail = c.detail.as_deref().map(md_text).unwrap_or_default();
            if let Some(note) = &c.expected_failure {
                if !detail.is_empty() {
                    detail.push_str("; ");
                }
                let _ = write!(detail, "expected failure: {}", md_text(note));
            }
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} | {} | {} |",
                md_code_body(&c.run.to_string()),
                md_code_body(&c.case),
                status_name(c.old),
                status_name(c.new),
                rules.join(" "),
                detail
            );
        }
        out.push('\n');
    }
    out
}

/// The inside of a one-backtick code span in a table cell: names and rule IDs
/// hold no backticks, but a pipe would split the cell.
fn md_code_body(s: &str) -> String {
    visible(s)
        .replace('`', "'")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// Plain text for a table cell.
fn md_text(s: &str) -> String {
    let s = visible(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
