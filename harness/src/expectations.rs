//! Expectation files: the failures a runtime is known to have, strict both ways.
//!
//! ```toml
//! runtime = "msiexec"          # optional when the run has one runtime
//!
//! [[expected-failure]]
//! case = "deferred/props-only-three"
//! rule = "DEFERRED-PROPS"
//! note = "Wine lets deferred actions read every property"
//! bug = "https://bugs.winehq.org/show_bug.cgi?id=1"   # optional: where it is tracked
//! profile = "windows"          # optional: only under this profile
//! status = "flaky"             # optional: passing is accepted too
//!
//! [[expected-failure]]
//! case = "automation/*"        # a glob: any case of the folder may break the rule
//! rule = "SESSION-EVALUATECONDITION"
//! ```
//!
//! A failure is expected when every rule it breaks is listed for that case.
//! Anything else is a problem that fails the run: a failure not listed, a
//! listed failure that did not happen (a passing case is fine for a flaky
//! entry; a glob entry needs one of its cases to break the rule), an entry
//! that names no case. A rule or case name that does not exist, or the same
//! entry twice, is an error in the file itself ([`ExpectationFile::check`]).

use crate::report::model::{CaseResult, Run, Status};
use crate::suggest::did_you_mean;
use msiconf_spec::Profile;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One expectation file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExpectationFile {
    /// The runtime the file is for; needed when a run has several runtimes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    /// The failures the runtime is expected to have.
    #[serde(
        default,
        rename = "expected-failure",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub expected_failures: Vec<ExpectedFailure>,
}

/// A case expected to fail by breaking one rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExpectedFailure {
    /// The case name.
    pub case: String,
    /// The rule the case is expected to break.
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Why, for the people reading the file.
    pub note: Option<String>,
    /// Where the failure is tracked: a bug report's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bug: Option<String>,
    /// Only under this profile; both when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// `fail` (the default) or `flaky`: the case may pass as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<EntryStatus>,
}

/// How sure an entry is that its case fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryStatus {
    /// The case fails by breaking the rule, every time.
    Fail,
    /// The case sometimes breaks the rule and sometimes passes: both are
    /// accepted, and a pass is reported as FLAKY.
    Flaky,
}

impl ExpectedFailure {
    /// Whether `case` names a folder or a pattern of cases rather than one case.
    pub fn is_glob(&self) -> bool {
        self.case.contains(['*', '?', '['])
    }

    /// Whether the entry covers the case called `name`.
    pub fn covers(&self, name: &str) -> bool {
        if self.is_glob() {
            glob::Pattern::new(&self.case).is_ok_and(|p| p.matches(name))
        } else {
            self.case == name
        }
    }

    fn is_flaky(&self) -> bool {
        self.status == Some(EntryStatus::Flaky)
    }

    /// The note with the bug link, as a report shows it.
    fn described(&self) -> Option<String> {
        match (&self.note, &self.bug) {
            (Some(n), Some(b)) => Some(format!("{n} (bug: {b})")),
            (Some(n), None) => Some(n.clone()),
            (None, Some(b)) => Some(format!("bug: {b}")),
            (None, None) => None,
        }
    }
}

/// An expectation file that could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ExpectationError {
    /// Reading failed.
    #[error("failed to read expectation file `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid expectation file.
    #[error("invalid expectation file `{}`{}: {message}", path.display(), line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// An entry names a rule or case that does not exist, or repeats another.
    #[error("invalid expectation file `{}`, line {line}: {message}", path.display())]
    Entry {
        path: PathBuf,
        /// The line of the entry's `[[expected-failure]]` header.
        line: usize,
        message: String,
    },
    /// Writing failed.
    #[error("failed to write expectation file `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ExpectationFile {
    /// Reads an expectation file.
    pub fn load(path: &Path) -> Result<ExpectationFile, ExpectationError> {
        let text = std::fs::read_to_string(path).map_err(|source| ExpectationError::Read {
            path: path.to_owned(),
            source,
        })?;
        ExpectationFile::parse(path, &text)
    }

    /// Reads an expectation file from its text; `path` is named in errors.
    pub fn parse(path: &Path, text: &str) -> Result<ExpectationFile, ExpectationError> {
        toml::from_str(text).map_err(|e| ExpectationError::Parse {
            path: path.to_owned(),
            line: e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
            message: e.message().to_owned(),
        })
    }

    /// Reads an expectation file and [`check`](Self::check)s it against the
    /// suite's case names and the catalog's rule IDs.
    pub fn load_checked<'a>(
        path: &Path,
        cases: &BTreeSet<&str>,
        rules: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Result<ExpectationFile, ExpectationError> {
        let text = std::fs::read_to_string(path).map_err(|source| ExpectationError::Read {
            path: path.to_owned(),
            source,
        })?;
        let file = ExpectationFile::parse(path, &text)?;
        file.check(path, &text, cases, rules)?;
        Ok(file)
    }

    /// Checks every entry: its rule exists, its case exists (a glob matches
    /// one), and no other entry says the same. `text` is the file's text, to
    /// name the line of a bad entry.
    pub fn check<'a>(
        &self,
        path: &Path,
        text: &str,
        cases: &BTreeSet<&str>,
        rules: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Result<(), ExpectationError> {
        let headers: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with("[[expected-failure]]"))
            .map(|(i, _)| i + 1)
            .collect();
        let bad = |index: usize, message: String| ExpectationError::Entry {
            path: path.to_owned(),
            line: headers.get(index).copied().unwrap_or(0),
            message,
        };
        for (i, e) in self.expected_failures.iter().enumerate() {
            if !rules.clone().into_iter().any(|r| r == e.rule) {
                return Err(bad(
                    i,
                    format!(
                        "unknown rule `{}`{}",
                        e.rule,
                        did_you_mean(&e.rule, rules.clone())
                    ),
                ));
            }
            if e.is_glob() {
                if glob::Pattern::new(&e.case).is_err() {
                    return Err(bad(i, format!("invalid case pattern `{}`", e.case)));
                }
                if !cases.iter().any(|c| e.covers(c)) {
                    return Err(bad(i, format!("case pattern `{}` matches no case", e.case)));
                }
            } else if !cases.contains(e.case.as_str()) {
                return Err(bad(
                    i,
                    format!(
                        "no case `{}` in the suite{}",
                        e.case,
                        did_you_mean(&e.case, cases.iter().copied())
                    ),
                ));
            }
            let same = |o: &ExpectedFailure| {
                o.case == e.case
                    && o.rule == e.rule
                    && (o.profile.is_none() || e.profile.is_none() || o.profile == e.profile)
            };
            if let Some(first) = self.expected_failures[..i].iter().position(same) {
                return Err(bad(
                    i,
                    format!(
                        "the entry for `{}` ({}) repeats the one at line {}",
                        e.case,
                        e.rule,
                        headers.get(first).copied().unwrap_or(0)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The file as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Writes the file whole or not at all.
    pub fn save(&self, path: &Path) -> Result<(), ExpectationError> {
        crate::report::write_atomically(path, self.to_toml().as_bytes()).map_err(|source| {
            ExpectationError::Write {
                path: path.to_owned(),
                source,
            }
        })
    }

    /// Whether `case`, run under `profile`, is a failure this file lists:
    /// it failed, and every rule it broke is listed for it.
    pub fn expects(&self, profile: Profile, case: &CaseResult) -> bool {
        if case.status != Status::Fail {
            return false;
        }
        let listed: BTreeSet<&str> = self
            .expected_failures
            .iter()
            .filter(|e| e.profile.is_none_or(|p| p == profile) && e.covers(&case.name))
            .map(|e| e.rule.as_str())
            .collect();
        case.findings
            .iter()
            .all(|f| listed.contains(f.rule.as_str()))
    }

    /// Marks `run`'s expected failures and records every mismatch between the
    /// file and the run in `run.expectation_problems`. `case_exists` tells
    /// whether a name is a case of the suite at all: entries for cases that
    /// exist but were not selected (a filter, a partition) are left alone.
    pub fn apply(&self, run: &mut Run, case_exists: &dyn Fn(&str) -> bool) {
        let profile = run.profile;
        let applies = |e: &&ExpectedFailure| e.profile.is_none_or(|p| p == profile);
        let mut problems = Vec::new();
        for e in self.expected_failures.iter().filter(applies) {
            if !e.is_glob() && !case_exists(&e.case) {
                problems.push(format!(
                    "expected failure of `{}` ({}) matches no case",
                    e.case, e.rule
                ));
            }
        }
        // Glob entries are held to account as a whole: one of the cases they
        // cover that ran must break the rule.
        let mut glob_used: BTreeMap<usize, bool> = BTreeMap::new();
        for case in &mut run.cases {
            let entries: Vec<(usize, &ExpectedFailure)> = self
                .expected_failures
                .iter()
                .enumerate()
                .filter(|(_, e)| applies(e))
                .filter(|(_, e)| e.covers(&case.name))
                .collect();
            if entries.is_empty() {
                continue;
            }
            let broken: BTreeSet<&str> = case.findings.iter().map(|f| f.rule.as_str()).collect();
            for (i, e) in &entries {
                if e.is_glob() && matches!(case.status, Status::Pass | Status::Fail) {
                    let used = case.status == Status::Fail && broken.contains(e.rule.as_str());
                    *glob_used.entry(*i).or_default() |= used;
                }
            }
            let exact: Vec<&ExpectedFailure> = entries
                .iter()
                .map(|(_, e)| *e)
                .filter(|e| !e.is_glob())
                .collect();
            match case.status {
                Status::Pass => {
                    for e in exact.iter().filter(|e| !e.is_flaky()) {
                        problems.push(format!(
                            "`{}` was expected to fail by breaking {} but passed",
                            case.name, e.rule
                        ));
                    }
                    if case.flaky.is_none() && entries.iter().any(|(_, e)| e.is_flaky()) {
                        case.flaky = Some("passed; the expectation file lists it as flaky".into());
                    }
                }
                Status::Fail => {
                    let listed: BTreeSet<&str> =
                        entries.iter().map(|(_, e)| e.rule.as_str()).collect();
                    for e in exact.iter().filter(|e| !e.is_flaky()) {
                        if !broken.contains(e.rule.as_str()) {
                            let list: Vec<&str> = broken.iter().copied().collect();
                            problems.push(format!(
                                "`{}` was expected to break {} but broke only {}",
                                case.name,
                                e.rule,
                                list.join(", ")
                            ));
                        }
                    }
                    if broken.is_subset(&listed) {
                        let notes: Vec<String> = entries
                            .iter()
                            .filter(|(_, e)| broken.contains(e.rule.as_str()))
                            .filter_map(|(_, e)| e.described())
                            .collect();
                        case.expected_failure = Some(notes.join("; "));
                    }
                }
                // An error or a skip says nothing either way about the listed failure.
                Status::Error | Status::Skip => {}
            }
        }
        for (i, used) in glob_used {
            let e = &self.expected_failures[i];
            if !used && !e.is_flaky() {
                problems.push(format!(
                    "no case matching `{}` broke {}, as the expectation file says",
                    e.case, e.rule
                ));
            }
        }
        run.totals = crate::runner::totals(&run.cases);
        run.expectation_problems.extend(problems);
    }

    /// The file that makes `runs` (one runtime, any profiles) pass: one entry
    /// per (case, rule broken), without a profile when it broke in every
    /// profile that ran the case. Notes of `previous` entries are kept.
    pub fn from_runs(
        runtime: &str,
        runs: &[&Run],
        previous: Option<&ExpectationFile>,
    ) -> ExpectationFile {
        // (case, rule) -> profiles where it broke; case -> profiles where it ran.
        let mut broke: BTreeMap<(String, String), (BTreeSet<Profile>, String)> = BTreeMap::new();
        let mut ran: BTreeMap<String, BTreeSet<Profile>> = BTreeMap::new();
        for run in runs {
            for case in &run.cases {
                if matches!(case.status, Status::Pass | Status::Fail) {
                    ran.entry(case.name.clone())
                        .or_default()
                        .insert(run.profile);
                }
                if case.status != Status::Fail {
                    continue;
                }
                for f in &case.findings {
                    let note = match &f.step {
                        Some(step) => {
                            format!("{step}: expected {}, observed {}", f.expected, f.observed)
                        }
                        None => format!("expected {}, observed {}", f.expected, f.observed),
                    };
                    broke
                        .entry((case.name.clone(), f.rule.clone()))
                        .or_insert_with(|| (BTreeSet::new(), note))
                        .0
                        .insert(run.profile);
                }
            }
        }
        // What people wrote by hand (the note, the bug, a flaky status) is kept.
        let old_entry = |case: &str, rule: &str| {
            previous.and_then(|p| {
                p.expected_failures
                    .iter()
                    .find(|e| e.case == case && e.rule == rule)
            })
        };
        let mut out = Vec::new();
        for ((case, rule), (profiles, note)) in broke {
            let old = old_entry(&case, &rule);
            let entry = |profile| ExpectedFailure {
                case: case.clone(),
                rule: rule.clone(),
                note: Some(
                    old.and_then(|e| e.note.clone())
                        .unwrap_or_else(|| shorten(&note)),
                ),
                bug: old.and_then(|e| e.bug.clone()),
                profile,
                status: old.and_then(|e| e.status),
            };
            if ran.get(&case) == Some(&profiles) {
                out.push(entry(None));
            } else {
                out.extend(profiles.iter().map(|p| entry(Some(*p))));
            }
        }
        ExpectationFile {
            runtime: Some(runtime.to_owned()),
            expected_failures: out,
        }
    }
}

fn shorten(s: &str) -> String {
    const MAX: usize = 160;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(MAX - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Finding, FindingSource, Totals};
    use crate::runtime::RuntimeInfo;

    fn result(name: &str, status: Status, rules: &[&str]) -> CaseResult {
        CaseResult {
            name: name.into(),
            area: "a".into(),
            description: String::new(),
            rules: vec![],
            status,
            findings: rules
                .iter()
                .map(|r| Finding {
                    rule: (*r).into(),
                    source: FindingSource::Predicate,
                    step: None,
                    call: None,
                    expected: "x".into(),
                    observed: "y".into(),
                })
                .collect(),
            error: None,
            skip_reason: None,
            expected_failure: None,
            flaky: None,
            plan: None,
            transcript: None,
            transcript_reused_from: None,
            duration_us: 0,
        }
    }

    fn run(profile: Profile, cases: Vec<CaseResult>) -> Run {
        Run {
            runtime: RuntimeInfo {
                name: "rt".into(),
                version: "0".into(),
                contexts: vec![],
                operations: vec![],
            },
            profile,
            totals: crate::runner::totals(&cases),
            cases,
            duration_ms: 0,
            expectation_problems: vec![],
        }
    }

    fn file(text: &str) -> ExpectationFile {
        ExpectationFile::parse(Path::new("e.toml"), text).unwrap()
    }

    fn suite_has(name: &str) -> bool {
        name.starts_with("a/")
    }

    #[test]
    fn a_listed_failure_is_expected() {
        let mut r = run(Profile::Windows, vec![result("a/x", Status::Fail, &["R1"])]);
        file("[[expected-failure]]\ncase = \"a/x\"\nrule = \"R1\"\nnote = \"known\"\n")
            .apply(&mut r, &suite_has);
        assert_eq!(r.cases[0].expected_failure.as_deref(), Some("known"));
        assert!(r.expectation_problems.is_empty());
        assert_eq!(
            r.totals,
            Totals {
                failed: 1,
                expected_failures: 1,
                ..Totals::default()
            }
        );
    }

    #[test]
    fn a_failure_breaking_an_unlisted_rule_stays_unexpected() {
        let mut r = run(
            Profile::Windows,
            vec![result("a/x", Status::Fail, &["R1", "R2"])],
        );
        file("[[expected-failure]]\ncase = \"a/x\"\nrule = \"R1\"\n").apply(&mut r, &suite_has);
        assert_eq!(r.cases[0].expected_failure, None);
        assert!(r.expectation_problems.is_empty());
    }

    #[test]
    fn strict_the_other_way() {
        let mut r = run(
            Profile::Windows,
            vec![
                result("a/passes", Status::Pass, &[]),
                result("a/other", Status::Fail, &["R2"]),
            ],
        );
        let f = file(
            "[[expected-failure]]\ncase = \"a/passes\"\nrule = \"R1\"\n\
             [[expected-failure]]\ncase = \"a/other\"\nrule = \"R1\"\n\
             [[expected-failure]]\ncase = \"a/other\"\nrule = \"R2\"\n\
             [[expected-failure]]\ncase = \"gone/x\"\nrule = \"R1\"\n\
             [[expected-failure]]\ncase = \"a/unselected\"\nrule = \"R1\"\n\
             [[expected-failure]]\ncase = \"a/passes\"\nrule = \"R9\"\nprofile = \"documented\"\n",
        );
        f.apply(&mut r, &suite_has);
        assert_eq!(
            r.expectation_problems,
            [
                "expected failure of `gone/x` (R1) matches no case",
                "`a/passes` was expected to fail by breaking R1 but passed",
                "`a/other` was expected to break R1 but broke only R2",
            ]
        );
        // Its broken rule is listed, so the failure itself is expected.
        assert!(r.cases[1].expected_failure.is_some());
    }

    #[test]
    fn unknown_fields_are_refused_with_the_line() {
        let err = ExpectationFile::parse(
            Path::new("e.toml"),
            "[[expected-failure]]\ncase = \"a\"\nrule = \"R\"\nwhy = 1\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid expectation file `e.toml`, line 4: unknown field `why`, expected one of `case`, `rule`, `note`, `bug`, `profile`, `status`"
        );
    }

    #[test]
    fn update_writes_what_makes_the_run_pass() {
        let win = run(
            Profile::Windows,
            vec![
                result("a/both", Status::Fail, &["R1"]),
                result("a/win", Status::Fail, &["R2"]),
            ],
        );
        let doc = run(
            Profile::Documented,
            vec![
                result("a/both", Status::Fail, &["R1"]),
                result("a/win", Status::Pass, &[]),
            ],
        );
        let previous =
            file("[[expected-failure]]\ncase = \"a/both\"\nrule = \"R1\"\nnote = \"kept\"\n");
        let made = ExpectationFile::from_runs("rt", &[&win, &doc], Some(&previous));
        let summary: Vec<_> = made
            .expected_failures
            .iter()
            .map(|e| {
                (
                    e.case.as_str(),
                    e.rule.as_str(),
                    e.profile,
                    e.note.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("a/both", "R1", None, Some("kept")),
                (
                    "a/win",
                    "R2",
                    Some(Profile::Windows),
                    Some("expected x, observed y")
                ),
            ]
        );
        // Round trip, and the written file makes both runs pass.
        let back = file(&made.to_toml());
        assert_eq!(back, made);
        for mut r in [win, doc] {
            back.apply(&mut r, &suite_has);
            assert!(
                r.expectation_problems.is_empty(),
                "{:?}",
                r.expectation_problems
            );
            assert!(r
                .cases
                .iter()
                .all(|c| c.status != Status::Fail || c.expected_failure.is_some()));
        }
    }

    #[test]
    fn a_glob_entry_needs_one_of_its_cases_to_break_the_rule() {
        let entry = "[[expected-failure]]\ncase = \"a/*\"\nrule = \"R1\"\n";
        let mut r = run(
            Profile::Windows,
            vec![
                result("a/x", Status::Fail, &["R1"]),
                result("a/y", Status::Pass, &[]),
            ],
        );
        file(entry).apply(&mut r, &suite_has);
        assert!(
            r.expectation_problems.is_empty(),
            "{:?}",
            r.expectation_problems
        );
        assert!(r.cases[0].expected_failure.is_some());
        let mut r = run(Profile::Windows, vec![result("a/y", Status::Pass, &[])]);
        file(entry).apply(&mut r, &suite_has);
        assert_eq!(
            r.expectation_problems,
            ["no case matching `a/*` broke R1, as the expectation file says"]
        );
        // A flaky entry accepts the pass, and marks it.
        let mut r = run(Profile::Windows, vec![result("a/y", Status::Pass, &[])]);
        file(&format!("{entry}status = \"flaky\"\n")).apply(&mut r, &suite_has);
        assert!(r.expectation_problems.is_empty());
        assert!(r.cases[0].flaky.is_some());
        assert_eq!(r.totals.flaky, 1);
    }
}
