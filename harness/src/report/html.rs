//! One self-contained HTML page: the matrix of rules by runtime and profile.
//!
//! Rows are rules grouped by family, columns are runs (runtime and profile),
//! and each cell takes the state computed in [`super::matrix`]. Clicking a cell
//! shows the cases behind it, the failing step, expected versus observed, and
//! the rule's statement and sources. Everything (style, script, data) is
//! inline: the page loads nothing and works from a file.
//!
//! The page is built for tests as much as for people. Stable hooks:
//! `table#matrix`, `th.run-col[data-run][data-runtime][data-profile]`,
//! `tbody.family[data-family]`, `tr.rule-row[data-rule][data-covered]`,
//! `td.cell[data-state][data-run][data-rule][data-detail]`, `section.detail`
//! with the ID in `data-detail`, and `#summary[data-verdict]`. The script marks
//! `<html>` with `data-ready` once it has wired everything. A fragment
//! `#open=d-...` (or plain `#d-...`, which also works without script through
//! `:target`) opens a cell's details and `#filter=TEXT` applies a filter on
//! load, so a link can point at either.

use super::escape::{self, html, id_token};
use super::matrix::{self, Cell, CellState, RowRule};
use super::model::{CaseResult, Report, Run, Status};
use super::style::{page_end, page_start, source_item};
use super::summary::{Summary, Verdict};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Renders `report` as a self-contained HTML page.
pub fn render(report: &Report) -> String {
    let families = matrix::rows(report);
    let mut out = String::with_capacity(64 * 1024);
    page_start(
        &mut out,
        &format!(
            "{} {} conformance matrix",
            report.tool.name, report.tool.version
        ),
    );
    header(&mut out, report, &families);
    out.push_str("<div class=\"layout\">\n<div class=\"matrix-wrap\">\n");
    let _ = writeln!(
        out,
        "<table id=\"matrix\" class=\"matrix\" data-runs=\"{}\" data-rules=\"{}\">",
        report.runs.len(),
        families.iter().map(|f| f.rules.len()).sum::<usize>()
    );
    out.push_str("<thead><tr><th class=\"rule-head\" scope=\"col\">Rule</th>");
    for (i, run) in report.runs.iter().enumerate() {
        let _ = write!(
            out,
            "<th class=\"run-col\" scope=\"col\" data-run=\"{i}\" data-runtime=\"{}\" data-profile=\"{}\">{}<span class=\"profile\">{}</span><span class=\"version\">{}</span></th>",
            html(&run.runtime.name),
            run.profile,
            breakable(&run.runtime.name),
            run.profile,
            html(&run.runtime.version),
        );
    }
    out.push_str("</tr></thead>\n");
    let mut details = String::new();
    for family in &families {
        let _ = writeln!(
            out,
            "<tbody class=\"family\" data-family=\"{}\">\n<tr class=\"family-row\"><th colspan=\"{}\" scope=\"rowgroup\">{}</th></tr>",
            html(&family.family),
            report.runs.len() + 1,
            html(&family.family)
        );
        for rule in &family.rules {
            rule_row(&mut out, &mut details, report, &family.family, rule);
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n</div>\n<aside id=\"details\" aria-live=\"polite\">\n");
    out.push_str("<p id=\"placeholder\">Click a cell to see the cases behind it.</p>\n");
    out.push_str(&details);
    out.push_str("</aside>\n</div>\n");
    page_end(&mut out, Some(SCRIPT));
    out
}

/// The ID of the details section of `rule` on run `run`.
pub fn detail_id(rule: &str, run: usize) -> String {
    format!("d-{}--{run}", id_token(rule))
}

fn header(out: &mut String, report: &Report, families: &[matrix::FamilyRows<'_>]) {
    let s = Summary::of(report);
    let t = &s.totals;
    let verdict = s.verdict().word();
    let class = match s.verdict() {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Incomplete => "incomplete",
        Verdict::NothingRan => "nothing-ran",
    };
    let rules: Vec<&RowRule<'_>> = families.iter().flat_map(|f| &f.rules).collect();
    let uncovered = rules
        .iter()
        .filter(|r| {
            report
                .runs
                .iter()
                .all(|run| matrix::cell(run, r.id()).state == CellState::NotCovered)
        })
        .count();
    let _ = write!(
        out,
        "<header>\n<h1>{} {} conformance matrix</h1>\n<p id=\"summary\" data-verdict=\"{class}\"><span class=\"verdict verdict-{class}\">{verdict}</span> {} run{} · {} cases: {} passed{}, {} failed",
        html(&report.tool.name),
        html(&report.tool.version),
        report.runs.len(),
        if report.runs.len() == 1 { "" } else { "s" },
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
    let _ = writeln!(
        out,
        ", {} errors, {} skipped · {} rules, {} covered by no case</p>",
        t.errors,
        t.skipped,
        rules.len(),
        uncovered
    );
    out.push_str("<div class=\"controls\">\n<input id=\"filter\" type=\"search\" placeholder=\"Filter by rule ID, family or area\" aria-label=\"Filter rules by ID, family or area\" autocomplete=\"off\">\n<span id=\"filter-count\"></span>\n<ul class=\"legend\" title=\"Cells are rules on runs: a rule's state on a run comes from every case citing it, so these count cells, not cases\"><li class=\"legend-title\">Cells (rule × run):</li>");
    for state in CellState::ALL {
        let n: usize = rules
            .iter()
            .map(|r| {
                report
                    .runs
                    .iter()
                    .filter(|run| matrix::cell(run, r.id()).state == state)
                    .count()
            })
            .sum();
        let _ = write!(
            out,
            "<li data-state=\"{state}\" data-count=\"{n}\"><span class=\"swatch state-{state}\"></span>{} {} ({n})</li>",
            symbol(state),
            label(state)
        );
    }
    // A failing cell whose every failure the expectation file lists is hatched.
    let hatched: usize = rules
        .iter()
        .map(|r| {
            report
                .runs
                .iter()
                .filter(|run| {
                    let cell = matrix::cell(run, r.id());
                    cell.state == CellState::Fail && cell.all_failures_expected()
                })
                .count()
        })
        .sum();
    if hatched > 0 {
        let _ = write!(
            out,
            "<li data-state=\"xfail\" data-count=\"{hatched}\"><span class=\"swatch state-fail xfail\"></span>hatched: failing as the expectation file says (XFAIL), counted in failing ({hatched})</li>"
        );
    }
    out.push_str("</ul>\n</div>\n");
    let problems: Vec<(&Run, &String)> = report
        .runs
        .iter()
        .flat_map(|r| r.expectation_problems.iter().map(move |p| (r, p)))
        .collect();
    if !problems.is_empty() {
        out.push_str(
            "<div class=\"problems\" id=\"expectation-problems\">Expectation problems:<ul>",
        );
        for (run, p) in problems {
            let _ = write!(
                out,
                "<li><code>{}</code>: {}</li>",
                html(&matrix::run_label(run)),
                html(p)
            );
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("</header>\n");
}

fn rule_row(
    out: &mut String,
    details: &mut String,
    report: &Report,
    family: &str,
    rule: &RowRule<'_>,
) {
    let id = rule.id();
    let cells: Vec<Cell<'_>> = report
        .runs
        .iter()
        .map(|run| matrix::cell(run, id))
        .collect();
    let areas: BTreeSet<&str> = cells
        .iter()
        .flat_map(|c| c.cases.iter().map(|(case, _)| case.area.as_str()))
        .collect();
    let covered = cells.iter().any(|c| c.state != CellState::NotCovered);
    let title = match rule {
        RowRule::Known(r) => r.title.as_str(),
        RowRule::Unknown(_) => "not in the report's catalog",
    };
    let search = format!(
        "{} {} {}",
        id,
        family,
        areas.iter().copied().collect::<Vec<_>>().join(" ")
    )
    .to_lowercase();
    let _ = write!(
        out,
        "<tr class=\"rule-row\" id=\"rule-{}\" data-rule=\"{}\" data-family=\"{}\" data-areas=\"{}\" data-covered=\"{covered}\" data-search=\"{}\"><th class=\"rule-id\" scope=\"row\"><code>{}</code><span class=\"title\">{}</span></th>",
        id_token(id),
        html(id),
        html(family),
        html(&areas.iter().copied().collect::<Vec<_>>().join(" ")),
        html(&search),
        html(id),
        html(title),
    );
    for (i, (run, cell)) in report.runs.iter().zip(&cells).enumerate() {
        let detail = detail_id(id, i);
        let xfail = if cell.state == CellState::Fail && cell.all_failures_expected() {
            " xfail"
        } else {
            ""
        };
        let count = match cell.state {
            CellState::NotCovered => String::new(),
            s => format!(" {}", cell.count(s)),
        };
        let _ = write!(
            out,
            "<td class=\"cell state-{s}{xfail}\" data-state=\"{s}\" data-run=\"{i}\" data-rule=\"{}\" data-detail=\"{detail}\"><a href=\"#{detail}\" title=\"{} on {}: {}\">{}{count}</a></td>",
            html(id),
            html(id),
            html(&matrix::run_label(run)),
            label(cell.state),
            symbol(cell.state),
            s = cell.state,
        );
        detail_section(details, report, run, i, rule, cell);
    }
    out.push_str("</tr>\n");
}

fn detail_section(
    out: &mut String,
    report: &Report,
    run: &Run,
    index: usize,
    rule: &RowRule<'_>,
    cell: &Cell<'_>,
) {
    let id = rule.id();
    let _ = write!(
        out,
        "<section class=\"detail\" id=\"{}\" data-rule=\"{}\" data-run=\"{index}\" data-state=\"{}\">\n<h2><code>{}</code> on <code>{}</code>: <span class=\"badge state-{}\">{}</span></h2>\n",
        detail_id(id, index),
        html(id),
        cell.state,
        html(id),
        html(&matrix::run_label(run)),
        cell.state,
        label(cell.state),
    );
    rule_info(out, rule);
    if cell.cases.is_empty() {
        out.push_str("<p class=\"no-cases\">No case on this run cites this rule.</p>\n");
    } else {
        let _ = writeln!(
            out,
            "<h3>{} case{}</h3>\n<ul class=\"cases\">",
            cell.cases.len(),
            if cell.cases.len() == 1 { "" } else { "s" }
        );
        for (case, state) in &cell.cases {
            // A case that failed or errored says how to run it again.
            let command = matches!(case.status, Status::Fail | Status::Error)
                .then(|| super::reproduce::case_command(report, run, case));
            case_item(out, case, *state, id, command.as_deref());
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn rule_info(out: &mut String, rule: &RowRule<'_>) {
    out.push_str("<div class=\"rule-info\">");
    match rule {
        RowRule::Known(r) => {
            let _ = write!(
                out,
                "<p><strong>{}</strong></p><p class=\"statement\">{}</p><p class=\"meta\">{} · family {} · contexts {} · {}</p>",
                html(&r.title),
                html(&r.statement),
                html(&r.level),
                html(&r.family),
                html(&r.contexts.join(", ")),
                if r.has_predicate {
                    "checked by a predicate"
                } else {
                    "no predicate: checked only by case expectations"
                },
            );
            if let Some(why) = &r.unobservable {
                let _ = write!(out, "<p class=\"meta\">Unobservable: {}</p>", html(why));
            }
            if let Some(d) = &r.disagreement {
                let _ = write!(
                    out,
                    "<p class=\"meta\">Documentation and Windows disagree: {}</p>",
                    html(d)
                );
            }
            if !r.broken_runtimes.is_empty() {
                let _ = write!(
                    out,
                    "<p class=\"meta\">Broken runtimes that break it: {}</p>",
                    html(&r.broken_runtimes.join(", "))
                );
            }
            out.push_str("<p class=\"meta\">Sources:</p><ul class=\"sources\">");
            for s in &r.sources {
                source_item(out, s);
            }
            out.push_str("</ul>");
        }
        RowRule::Unknown(_) => {
            out.push_str("<p class=\"meta\">This rule ID is cited by a case or named by a finding but is not in the report's catalog.</p>");
        }
    }
    out.push_str("</div>\n");
}

fn case_item(
    out: &mut String,
    case: &CaseResult,
    state: CellState,
    rule: &str,
    reproduce: Option<&str>,
) {
    let _ = write!(
        out,
        "<li class=\"case\" data-case=\"{}\" data-state=\"{state}\" data-status=\"{}\"><span class=\"badge state-{state}\">{}</span><code>{}</code>",
        html(&case.name),
        status_name(case.status),
        label(state),
        html(&case.name),
    );
    if !case.description.is_empty() {
        let _ = write!(
            out,
            "<span class=\"desc\">{}</span>",
            html(&case.description)
        );
    }
    if case.status == Status::Fail && state == CellState::Pass {
        out.push_str("<span class=\"desc\">The case failed on other rules; this one held.</span>");
    }
    if let Some(why) = &case.flaky {
        let _ = write!(out, "<span class=\"note\">FLAKY: {}</span>", html(why));
    }
    if let Some(note) = &case.expected_failure {
        let _ = write!(
            out,
            "<span class=\"note\">Expected failure{}{}</span>",
            if note.is_empty() { "" } else { ": " },
            html(note)
        );
    }
    if !case.findings.is_empty() {
        out.push_str("<div class=\"findings\">");
        // This rule's findings first: they are why the cell has its colour.
        // A departure both the case expectation and a predicate saw is shown once.
        let all = super::findings::departures(&case.findings);
        let ordered = all
            .iter()
            .filter(|d| d.finding.rule == rule)
            .chain(all.iter().filter(|d| d.finding.rule != rule));
        for d in ordered {
            let f = d.finding;
            let class = if f.rule == rule {
                "this-rule"
            } else {
                "other-rule"
            };
            let _ = write!(
                out,
                "<div class=\"finding {class}\" data-rule=\"{}\"><div class=\"where\"><code>{}</code>",
                html(&f.rule),
                html(&f.rule)
            );
            if let Some(step) = &f.step {
                let _ = write!(out, " at <code>{}</code>", html(step));
            }
            let _ = write!(
                out,
                " <span class=\"source\">({})</span></div>",
                d.sources()
            );
            if let Some(call) = &f.call {
                let _ = write!(
                    out,
                    "<div class=\"call\">call <code>{}</code></div>",
                    html(call)
                );
            }
            let _ = write!(
                out,
                "<div class=\"expected\">expected <code>{}</code></div><div class=\"observed\">observed <code>{}</code></div></div>",
                html(&f.expected),
                html(&f.observed)
            );
        }
        out.push_str("</div>");
    }
    if let Some(err) = &case.error {
        let _ = write!(out, "<p class=\"error-message\">{}</p>", html(&err.message));
        if !err.output.is_empty() {
            let lines = err.output.lines().count();
            let _ = write!(
                out,
                "<details class=\"output\"><summary>Runtime output ({lines} line{})</summary><pre>{}</pre></details>",
                if lines == 1 { "" } else { "s" },
                html(&escape::output(&err.output))
            );
        }
    }
    if let Some(reason) = &case.skip_reason {
        let _ = write!(
            out,
            "<p class=\"skip-reason\">Skipped: {}</p>",
            html(reason)
        );
    }
    if let Some(profile) = case.transcript_reused_from {
        let _ = write!(
            out,
            "<p class=\"reused\">Transcript reused from the run under profile {profile}: not executed again, so its time is the check alone.</p>"
        );
    }
    if let Some(command) = reproduce {
        let _ = write!(
            out,
            "<p class=\"reproduce\">Reproduce: <code>{}</code></p>",
            html(command)
        );
    }
    out.push_str("</li>\n");
}

/// Escaped text with line-break opportunities after `:` and `-`, so long
/// runtime names such as `broken:deferred-sees-all-properties` wrap in a column head.
fn breakable(text: &str) -> String {
    html(text).replace(':', ":<wbr>").replace('-', "-<wbr>")
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Error => "error",
        Status::Skip => "skip",
    }
}

/// The symbol in a cell: each state has one, so colour is never the only cue.
fn symbol(state: CellState) -> &'static str {
    match state {
        CellState::Pass => "✓",
        CellState::Fail => "✗",
        CellState::Error => "!",
        CellState::Skipped => "–",
        CellState::NotCovered => "·",
    }
}

fn label(state: CellState) -> &'static str {
    match state {
        CellState::Pass => "pass",
        CellState::Fail => "fail",
        CellState::Error => "error",
        CellState::Skipped => "skipped",
        CellState::NotCovered => "not covered",
    }
}

/// The page's only script: the filter box and the details panel. Written for
/// any browser of the last decade, without modules or frameworks.
const SCRIPT: &str = r##"
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.rule-row"));
  var families = Array.prototype.slice.call(document.querySelectorAll("tbody.family"));
  var input = document.getElementById("filter");
  var count = document.getElementById("filter-count");
  var placeholder = document.getElementById("placeholder");

  function applyFilter() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var hay = row.getAttribute("data-search") || "";
      var match = terms.every(function (t) { return hay.indexOf(t) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    families.forEach(function (f) {
      f.hidden = !f.querySelector("tr.rule-row:not([hidden])");
    });
    count.textContent = shown + " of " + rows.length + " rules";
    root.setAttribute("data-shown-rules", String(shown));
  }

  function openDetail(id) {
    var section = document.getElementById(id);
    if (!section || !section.classList.contains("detail")) { return false; }
    Array.prototype.forEach.call(document.querySelectorAll(".detail.open"), function (e) { e.classList.remove("open"); });
    Array.prototype.forEach.call(document.querySelectorAll("td.cell.selected"), function (e) { e.classList.remove("selected"); });
    section.classList.add("open");
    var cell = document.querySelector('td.cell[data-detail="' + id + '"]');
    if (cell) { cell.classList.add("selected"); }
    placeholder.hidden = true;
    root.setAttribute("data-open-detail", id);
    return true;
  }

  document.getElementById("matrix").addEventListener("click", function (ev) {
    var link = ev.target.closest ? ev.target.closest("td.cell a") : null;
    if (!link) { return; }
    ev.preventDefault();
    var id = link.getAttribute("href").slice(1);
    // `#open=` rather than `#id`: a reload reopens the panel without jumping to it.
    if (openDetail(id) && history.replaceState) { history.replaceState(null, "", "#open=" + id); }
  });
  input.addEventListener("input", applyFilter);

  var hash = location.hash.slice(1);
  try { hash = decodeURIComponent(hash); } catch (e) { /* keep it raw */ }
  if (hash.indexOf("filter=") === 0) {
    input.value = hash.slice(7);
  } else if (hash.indexOf("open=") === 0) {
    openDetail(hash.slice(5));
  } else if (hash && openDetail(hash)) {
    // A plain #id also made the browser scroll to the section; the panel is
    // sticky, so bring the top of the page back into view.
    window.addEventListener("load", function () { window.scrollTo(0, 0); });
  }
  applyFilter();
  root.setAttribute("data-ready", "1");
})();
"##;
