//! Departures an expectation file already lists, so that `msiconf fuzz
//! --expect FILE` counts them as known instead of shrinking them again.
//!
//! An expectation entry says "case C breaks rule R". The fuzzer's plans are
//! not the suite's cases, so what carries over is *where* C breaks R: the
//! context and the kind of call. That comes from what the entry and its case
//! record, as precisely as they allow:
//!
//! - the step its note starts with (`ProbeCommit#3: expected ...`, which is
//!   how `--update-expectations` writes notes), looked up in the case;
//! - the case's steps whose broken expectation is reported under R;
//! - the install as a whole (no call) when the note says `install`, or talks
//!   about the install result or a probe's run count, or the case reports its
//!   install or probe-run expectations under R.
//!
//! An entry none of that pins down (a note written by hand, a case whose
//! steps report other rules) covers R wherever it shows.

use crate::case::{Case, Suite};
use crate::expectations::ExpectationFile;
use msiconf_spec::plan::StepRef;
use msiconf_spec::{Context, OpKind, Plan, Profile};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Where a departure shows: at a call (its context and kind), or in the
/// install as a whole (the install result, the actions run, a probe's runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    Call(Context, OpKind),
    Install,
}

impl Site {
    /// The site of `step` in `plan`; `None` (the install) when there is no
    /// step or the plan has no such step.
    pub fn of_step(plan: &Plan, step: Option<&StepRef>) -> Site {
        step.and_then(|s| {
            let script = plan.script(&s.probe)?;
            let op = script.steps.get(s.index)?;
            Some(Site::Call(script.context, op.kind()))
        })
        .unwrap_or(Site::Install)
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Site::Call(context, kind) => write!(f, "{context}:{kind}"),
            Site::Install => f.write_str("install"),
        }
    }
}

/// Where an entry says its rule is broken.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Covers {
    /// Only at these sites.
    Sites(BTreeSet<Site>),
    /// Anywhere: nothing in the entry or its case says where.
    Anywhere,
}

/// The departures an expectation file lists, for one profile.
#[derive(Debug, Clone, Default)]
pub struct KnownDepartures {
    /// Rule ID -> where it is known to be broken.
    by_rule: BTreeMap<String, Covers>,
}

impl KnownDepartures {
    /// Nothing is known.
    pub fn none() -> KnownDepartures {
        KnownDepartures::default()
    }

    /// The entries of `file` that apply under `profile`, resolved against
    /// the cases of `suite` (an entry whose case is not in the suite
    /// covers its rule anywhere: it still says the rule is broken).
    pub fn from_file(file: &ExpectationFile, suite: &Suite, profile: Profile) -> KnownDepartures {
        let mut by_rule: BTreeMap<String, Covers> = BTreeMap::new();
        for e in &file.expected_failures {
            if e.profile.is_some_and(|p| p != profile) {
                continue;
            }
            let cases: Vec<&Case> = suite
                .cases
                .iter()
                .filter(|c| e.covers(&c.name))
                .map(AsRef::as_ref)
                .collect();
            let mut sites = BTreeSet::new();
            for case in &cases {
                sites.extend(sites_in_case(case, &e.rule, e.note.as_deref()));
            }
            let covers = if sites.is_empty() {
                Covers::Anywhere
            } else {
                Covers::Sites(sites)
            };
            let slot = by_rule
                .entry(e.rule.clone())
                .or_insert(Covers::Sites(BTreeSet::new()));
            match (slot, covers) {
                (slot @ Covers::Sites(_), Covers::Anywhere) => *slot = Covers::Anywhere,
                (Covers::Sites(have), Covers::Sites(more)) => have.extend(more),
                (Covers::Anywhere, _) => {}
            }
        }
        KnownDepartures { by_rule }
    }

    /// Whether the file lists `rule` broken at `site`.
    pub fn lists(&self, rule: &str, site: Site) -> bool {
        match self.by_rule.get(rule) {
            Some(Covers::Anywhere) => true,
            Some(Covers::Sites(s)) => s.contains(&site),
            None => false,
        }
    }

    /// Whether nothing is known (no file, or an empty one).
    pub fn is_empty(&self) -> bool {
        self.by_rule.is_empty()
    }

    /// Every (rule, site) known, `*` for anywhere, for messages and tests.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (rule, covers) in &self.by_rule {
            match covers {
                Covers::Anywhere => out.push(format!("{rule}@*")),
                Covers::Sites(s) => out.extend(s.iter().map(|site| format!("{rule}@{site}"))),
            }
        }
        out
    }
}

/// Where `case` breaks `rule`, from the entry's note and from the rules the
/// case reports its expectations under.
fn sites_in_case(case: &Case, rule: &str, note: Option<&str>) -> BTreeSet<Site> {
    let mut out = BTreeSet::new();
    if let Some(note) = note {
        let head = note.split(':').next().unwrap_or("").trim();
        if head == "install"
            || note.starts_with("expected install result")
            || note.starts_with("expected probe `")
        {
            out.insert(Site::Install);
        } else if let Some(step) = case.steps.iter().find(|s| s.step.to_string() == head) {
            out.insert(Site::Call(step.context, step.call.kind()));
        }
    }
    for step in case.steps.iter().filter(|s| s.rule == rule) {
        out.insert(Site::Call(step.context, step.call.kind()));
    }
    if case.probes.iter().any(|p| p.rule == rule)
        || case.install.as_ref().is_some_and(|i| i.rule == rule)
    {
        out.insert(Site::Install);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{parse_case, KnownRules};
    use std::path::Path;
    use std::sync::Arc;

    const CASE: &str = r#"
description = "d"
rules = ["DEFERRED-PROPS", "COMMIT-LIMITS"]

[[steps]]
context = "commit"
call = { get-property = { name = "TESTPATH" } }
expect = { rc = 0, value = "" }

[[steps]]
context = "commit"
call = "get-language"
expect = { rc = 0 }
rule = "COMMIT-LIMITS"
"#;

    fn suite() -> Suite {
        let case = parse_case("a/x", Path::new("a/x.toml"), CASE, &KnownRules::catalog()).unwrap();
        Suite {
            cases: vec![Arc::new(case)],
            errors: Vec::new(),
        }
    }

    fn file(text: &str) -> ExpectationFile {
        ExpectationFile::parse(Path::new("e.toml"), text).unwrap()
    }

    #[test]
    fn an_entry_covers_where_its_case_reports_the_rule() {
        let known = KnownDepartures::from_file(
            &file("[[expected-failure]]\ncase = \"a/x\"\nrule = \"DEFERRED-PROPS\"\n"),
            &suite(),
            Profile::Windows,
        );
        assert!(known.lists(
            "DEFERRED-PROPS",
            Site::Call(Context::Commit, OpKind::GetProperty)
        ));
        // Same rule, another context or call: not listed.
        assert!(!known.lists(
            "DEFERRED-PROPS",
            Site::Call(Context::Deferred, OpKind::GetProperty)
        ));
        assert!(!known.lists(
            "DEFERRED-PROPS",
            Site::Call(Context::Commit, OpKind::GetLanguage)
        ));
        assert!(!known.lists("DEFERRED-PROPS", Site::Install));
        assert!(!known.lists(
            "COMMIT-LIMITS",
            Site::Call(Context::Commit, OpKind::GetProperty)
        ));
    }

    #[test]
    fn the_note_names_the_step_and_the_install() {
        let known = KnownDepartures::from_file(
            &file(
                "[[expected-failure]]\ncase = \"a/x\"\nrule = \"ONE-SESSION\"\nnote = \"ProbeCommit#2: expected rc=0, observed rc=1\"\n\
                 [[expected-failure]]\ncase = \"a/x\"\nrule = \"CA-RET-SUCCESS\"\nnote = \"expected install result 0, observed install result 3010\"\n",
            ),
            &suite(),
            Profile::Windows,
        );
        assert_eq!(
            known.describe(),
            ["CA-RET-SUCCESS@install", "ONE-SESSION@commit:get-language"]
        );
    }

    #[test]
    fn an_entry_nothing_pins_down_covers_its_rule_anywhere_and_profiles_apply() {
        let text = "[[expected-failure]]\ncase = \"a/x\"\nrule = \"ONE-SESSION\"\nnote = \"seen by hand\"\n\
                    [[expected-failure]]\ncase = \"a/x\"\nrule = \"DEFERRED-PROPS\"\nprofile = \"documented\"\n";
        let known = KnownDepartures::from_file(&file(text), &suite(), Profile::Windows);
        assert_eq!(known.describe(), ["ONE-SESSION@*"]);
        assert!(known.lists("ONE-SESSION", Site::Install));
        assert!(!known.lists(
            "DEFERRED-PROPS",
            Site::Call(Context::Commit, OpKind::GetProperty)
        ));
    }
}
