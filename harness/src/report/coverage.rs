//! The rule coverage page: every rule with the cases that check it and the
//! broken runtimes that should fail it, and the rules nothing checks shown as
//! such, at the top, not hidden.
//!
//! It reads the report's catalog (`rules`), so `msiconf rules --report html=PATH`
//! can write it without running anything. When the report also holds runs of
//! broken runtimes, each declared breakage says whether that run actually
//! caught it: a broken runtime that passes the rule it breaks means the rule's
//! check cannot fail, which is a bug in the suite. As in `msiconf rules`, only
//! a case citing the rule can catch it, and failures the reference run of the
//! same profile shows too (same case, same rule) do not count.
//!
//! Stable hooks for tests: `article.rule[data-rule][data-coverage]`
//! (`checked`, `unobservable` or `unchecked`), `#unchecked li[data-rule]`, and
//! `li.breakage[data-runtime][data-caught]`.

use super::escape::{html, id_token};
use super::matrix::{self, CellState};
use super::model::{Report, RuleInfo, Run, Status};
use super::style::{page_end, page_start, source_item};
use std::fmt::{self, Write as _};

/// How well a rule is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coverage {
    /// At least one case cites it.
    Checked,
    /// No case cites it, and the catalog says nothing the API returns can show it.
    Unobservable,
    /// No case cites it and no reason is given: a gap.
    Unchecked,
}

impl Coverage {
    /// The name used in attributes and badges.
    pub fn name(self) -> &'static str {
        match self {
            Coverage::Checked => "checked",
            Coverage::Unobservable => "unobservable",
            Coverage::Unchecked => "unchecked",
        }
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The cases that cite `rule`: the catalog's list, then any case of a run that
/// cites it and the catalog missed, without repeats.
pub fn cases_of<'a>(report: &'a Report, rule: &'a RuleInfo) -> Vec<&'a str> {
    let mut out: Vec<&str> = rule.cases.iter().map(String::as_str).collect();
    for case in report.runs.iter().flat_map(|r| &r.cases) {
        if case.rules.contains(&rule.id) && !out.contains(&case.name.as_str()) {
            out.push(&case.name);
        }
    }
    out
}

/// How well `rule` is checked in `report`.
pub fn coverage(report: &Report, rule: &RuleInfo) -> Coverage {
    if !cases_of(report, rule).is_empty() {
        Coverage::Checked
    } else if rule.unobservable.is_some() {
        Coverage::Unobservable
    } else {
        Coverage::Unchecked
    }
}

/// Renders the coverage page.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(32 * 1024);
    page_start(
        &mut out,
        &format!("{} {} rule coverage", report.tool.name, report.tool.version),
    );
    let states: Vec<(&RuleInfo, Coverage)> = report
        .rules
        .iter()
        .map(|r| (r, coverage(report, r)))
        .collect();
    let count = |c: Coverage| states.iter().filter(|(_, s)| *s == c).count();
    let _ = writeln!(
        out,
        "<header>\n<h1>{} {} rule coverage</h1>\n<p id=\"summary\" data-rules=\"{}\" data-checked=\"{}\" data-unobservable=\"{}\" data-unchecked=\"{}\">{} rules: {} checked by cases, {} unobservable, {} checked by nothing</p>",
        html(&report.tool.name),
        html(&report.tool.version),
        states.len(),
        count(Coverage::Checked),
        count(Coverage::Unobservable),
        count(Coverage::Unchecked),
        states.len(),
        count(Coverage::Checked),
        count(Coverage::Unobservable),
        count(Coverage::Unchecked),
    );
    out.push_str("<div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"Filter by rule ID or family\" aria-label=\"Filter rules by ID or family\" autocomplete=\"off\"></div>\n");
    let not_checked: Vec<&(&RuleInfo, Coverage)> = states
        .iter()
        .filter(|(_, s)| *s != Coverage::Checked)
        .collect();
    if !not_checked.is_empty() {
        let _ = write!(
            out,
            "<div class=\"problems\" id=\"unchecked\">Rules no case checks ({}):<ul>",
            not_checked.len()
        );
        for (rule, state) in not_checked {
            let why = match (&rule.unobservable, state) {
                (Some(reason), _) => format!("unobservable: {reason}"),
                _ => "no case cites it".to_owned(),
            };
            let _ = write!(
                out,
                "<li data-rule=\"{}\" data-coverage=\"{state}\"><a href=\"#rule-{}\"><code>{}</code></a> {}: {}</li>",
                html(&rule.id),
                id_token(&rule.id),
                html(&rule.id),
                html(&rule.title),
                html(&why)
            );
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("</header>\n<main class=\"coverage-list\">\n");
    let mut families: Vec<&str> = Vec::new();
    for r in &report.rules {
        if !families.contains(&r.family.as_str()) {
            families.push(&r.family);
        }
    }
    for family in families {
        let _ = writeln!(
            out,
            "<section class=\"family\" data-family=\"{}\">\n<h2>{}</h2>",
            html(family),
            html(family)
        );
        for (rule, state) in states.iter().filter(|(r, _)| r.family == family) {
            rule_article(&mut out, report, rule, *state);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n");
    page_end(&mut out, Some(SCRIPT));
    out
}

fn rule_article(out: &mut String, report: &Report, rule: &RuleInfo, state: Coverage) {
    let badge_state = match state {
        Coverage::Checked => CellState::Pass,
        Coverage::Unobservable => CellState::Skipped,
        // A gap should stand out as much as a failure does.
        Coverage::Unchecked => CellState::Fail,
    };
    let _ = write!(
        out,
        "<article class=\"rule\" id=\"rule-{}\" data-rule=\"{}\" data-coverage=\"{state}\" data-search=\"{}\">\n<h3><code>{}</code> {} <span class=\"badge state-{badge_state}\">{state}</span></h3>\n<p class=\"statement\">{}</p>\n<p class=\"meta\">{} · contexts {} · {}</p>\n",
        id_token(&rule.id),
        html(&rule.id),
        html(&format!("{} {}", rule.id, rule.family).to_lowercase()),
        html(&rule.id),
        html(&rule.title),
        html(&rule.statement),
        html(&rule.level),
        html(&rule.contexts.join(", ")),
        if rule.has_predicate {
            "checked by a predicate"
        } else {
            "no predicate: checked only by case expectations"
        },
    );
    if state == Coverage::Unchecked {
        out.push_str(
            "<p class=\"unchecked-flag\">Nothing checks this rule: no case cites it.</p>\n",
        );
    }
    if let Some(reason) = &rule.unobservable {
        let _ = writeln!(out, "<p class=\"meta\">Unobservable: {}</p>", html(reason));
    }
    if let Some(d) = &rule.disagreement {
        let _ = writeln!(
            out,
            "<p class=\"meta\">Documentation and Windows disagree: {}</p>",
            html(d)
        );
    }
    let cases = cases_of(report, rule);
    if !cases.is_empty() {
        let _ = write!(
            out,
            "<p class=\"label\">Cases ({}):</p><ul class=\"cases-of-rule\">",
            cases.len()
        );
        for c in cases {
            let _ = write!(out, "<li><code>{}</code></li>", html(c));
        }
        out.push_str("</ul>\n");
    }
    breakages(out, report, rule);
    out.push_str("<p class=\"meta\">Sources:</p><ul class=\"sources\">");
    for s in &rule.sources {
        source_item(out, s);
    }
    out.push_str("</ul>\n</article>\n");
}

/// The broken runtimes declared to break the rule, each with what its runs in
/// this report showed.
fn breakages(out: &mut String, report: &Report, rule: &RuleInfo) {
    if rule.broken_runtimes.is_empty() {
        out.push_str("<p class=\"meta\">No broken runtime breaks this rule.</p>\n");
        return;
    }
    out.push_str("<p class=\"label\">Broken runtimes that break it:</p><ul class=\"breakages\">");
    for name in &rule.broken_runtimes {
        let runs: Vec<_> = report
            .runs
            .iter()
            .filter(|r| r.runtime.name == *name || r.runtime.name == format!("broken:{name}"))
            .collect();
        if runs.is_empty() {
            let _ = write!(
                out,
                "<li class=\"breakage\" data-runtime=\"{}\" data-caught=\"not-run\"><code>{}</code> (not run in this report)</li>",
                html(name),
                html(name)
            );
            continue;
        }
        for run in runs {
            let state = matrix::cell(run, &rule.id).state;
            let reference = report
                .runs
                .iter()
                .find(|r| r.runtime.name == REFERENCE && r.profile == run.profile);
            let (caught, text) = match state {
                CellState::Fail if own_failures(run, reference, &rule.id) => {
                    ("yes", "caught: the rule fails".to_owned())
                }
                CellState::Fail => (
                    "no",
                    "NOT caught: it fails only where the reference fails too".to_owned(),
                ),
                CellState::Pass => ("no", "NOT caught: the rule passes".to_owned()),
                other => ("unknown", format!("not settled: {other}")),
            };
            let _ = write!(
                out,
                "<li class=\"breakage\" data-runtime=\"{}\" data-profile=\"{}\" data-caught=\"{caught}\"><code>{}</code> <span class=\"badge state-{state}\">{}</span></li>",
                html(&run.runtime.name),
                run.profile,
                html(&matrix::run_label(run)),
                html(&text)
            );
        }
    }
    out.push_str("</ul>\n");
}

/// The name of the reference runtime, whose own failures do not count for a broken one.
const REFERENCE: &str = "reference";

/// Whether a case of `run` that cites `rule` has a finding for it that the
/// reference run of the same profile does not have for the same case. Without
/// a reference run in the report, any such finding counts. This is how
/// `msiconf rules` measures: what the reference itself reports is not the
/// broken runtime's doing, and a finding in a case that does not cite the
/// rule is a side effect, not the case catching the breakage.
fn own_failures(run: &Run, reference: Option<&Run>, rule: &str) -> bool {
    let reference_has = |case: &str| {
        reference.is_some_and(|r| {
            r.cases
                .iter()
                .any(|c| c.name == case && c.findings.iter().any(|f| f.rule == rule))
        })
    };
    run.cases.iter().any(|c| {
        let cites = c.rules.iter().any(|r| r == rule);
        let fails = c.findings.iter().any(|f| f.rule == rule)
            || (c.status == Status::Fail && c.findings.is_empty());
        cites && fails && !reference_has(&c.name)
    })
}

/// The filter box of the coverage page.
const SCRIPT: &str = r##"
(function () {
  "use strict";
  var input = document.getElementById("filter");
  var rules = Array.prototype.slice.call(document.querySelectorAll("article.rule"));
  var families = Array.prototype.slice.call(document.querySelectorAll("section.family"));
  function apply() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    rules.forEach(function (r) {
      var hay = r.getAttribute("data-search") || "";
      r.hidden = !terms.every(function (t) { return hay.indexOf(t) !== -1; });
    });
    families.forEach(function (f) { f.hidden = !f.querySelector("article.rule:not([hidden])"); });
  }
  input.addEventListener("input", apply);
  document.documentElement.setAttribute("data-ready", "1");
})();
"##;
