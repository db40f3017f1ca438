//! The HTML matrix as text: snapshot, structure, self-containment, escaping and
//! the details behind cells. `report_chromium.rs` checks it in a real browser.

mod report_support;

use msiconf::report::html::{detail_id, render};
use report_support::dom::{self, Tag};
use report_support::{artifacts_dir, assert_matrix, fixture, EXPECTED_STATES, RUNS};
use std::collections::HashSet;

fn rendered() -> String {
    let html = render(&fixture());
    std::fs::write(artifacts_dir().join("fixture-matrix.html"), &html).expect("write artifact");
    html
}

#[test]
fn html_snapshot() {
    insta::assert_snapshot!("html", rendered());
}

#[test]
fn the_matrix_has_its_rows_columns_and_states() {
    assert_matrix(&rendered());
}

#[test]
fn the_summary_line_comes_first_and_counts() {
    let html = rendered();
    let tags = dom::tags(&html);
    let summary = tags
        .iter()
        .find(|t| t.attr("id") == Some("summary"))
        .expect("#summary");
    assert_eq!(summary.attr("data-verdict"), Some("fail"));
    assert!(html.contains(
        "FAIL</span> 4 runs · 36 cases: 25 passed, 6 failed (1 expected), 3 errors, 2 skipped · 11 rules, 2 covered by no case</p>"
    ));
    // The legend counts cells per state: worked out from EXPECTED_STATES.
    for state in ["pass", "fail", "error", "skipped", "not-covered"] {
        let want = EXPECTED_STATES
            .iter()
            .flat_map(|(_, s)| s.iter())
            .filter(|s| **s == state)
            .count();
        let li = tags
            .iter()
            .find(|t| t.name == "li" && t.attr("data-state") == Some(state))
            .unwrap_or_else(|| panic!("legend entry {state}"));
        assert_eq!(
            li.attr("data-count"),
            Some(want.to_string().as_str()),
            "{state}"
        );
    }
    assert!(tags
        .iter()
        .any(|t| t.name == "input" && t.attr("id") == Some("filter")));
    assert!(html.contains("expected failure `deferred/props-only-three` passed"));
}

#[test]
fn the_page_is_self_contained() {
    let html = rendered();
    let tags = dom::tags(&html);
    for t in &tags {
        assert!(
            t.attr("src").is_none(),
            "<{}> loads {:?}",
            t.name,
            t.attr("src")
        );
        assert_ne!(t.name, "link", "no linked resources");
        assert_ne!(t.name, "iframe");
        if let Some(href) = t.attr("href") {
            assert!(
                href.starts_with('#')
                    || href.starts_with("https://learn.microsoft.com/")
                    || href.starts_with("https://gitlab.winehq.org/wine/wine/"),
                "unexpected link {href}"
            );
        }
    }
    assert!(
        !html.contains("@import") && !html.contains("url("),
        "no CSS fetches"
    );
    assert!(!html.contains("fetch(") && !html.contains("XMLHttpRequest"));
    assert_eq!(html.matches("<script>").count(), 1, "one inline script");
    assert_eq!(html.matches("<style>").count(), 1, "one inline style sheet");
}

#[test]
fn ids_are_unique_and_every_cell_links_to_its_details() {
    let html = rendered();
    let tags = dom::tags(&html);
    let mut ids = HashSet::new();
    for t in &tags {
        if let Some(id) = t.attr("id") {
            assert!(ids.insert(id.to_owned()), "duplicate id {id}");
        }
    }
    let sections: Vec<&Tag> = dom::select(&tags, "section", "detail");
    assert_eq!(sections.len(), EXPECTED_STATES.len() * RUNS.len());
    for cell in dom::select(&tags, "td", "cell") {
        let detail = cell.attr("data-detail").unwrap();
        assert!(ids.contains(detail), "no section {detail}");
        let section = sections
            .iter()
            .find(|s| s.attr("id") == Some(detail))
            .unwrap();
        assert_eq!(section.attr("data-state"), cell.attr("data-state"));
        assert_eq!(section.attr("data-rule"), cell.attr("data-rule"));
    }
    assert!(html.contains(&format!("href=\"#{}\"", detail_id("DEFERRED-PROPS", 3))));
}

/// The text of the section with `id`, up to its end.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section class=\"detail\" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

#[test]
fn details_show_cases_steps_values_and_the_rule() {
    let html = rendered();
    let s = section(&html, &detail_id("DEFERRED-PROPS", 3));
    // Both cases citing the rule, worst first, each with its state for the rule.
    let cases: Vec<(String, String)> = dom::tags(s)
        .iter()
        .filter(|t| t.name == "li" && t.has_class("case"))
        .map(|t| {
            (
                t.attr("data-case").unwrap().to_owned(),
                t.attr("data-state").unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        cases,
        [
            ("deferred/props-only-three", "fail"),
            ("deferred/script-session", "skipped")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    // The failing step, the call, expected and observed, escaped.
    assert!(s.contains("<code>ProbeDeferred#2</code>"));
    assert!(s.contains("get-property { name = &quot;TESTPATH&quot; }"));
    assert!(
        s.contains(r#"<code>value &quot;C:\Program Files\&lt;Test&gt; &amp; `x` | y&quot;</code>"#)
    );
    assert!(!html.contains("<Test>"), "markup in values is escaped");
    // The rule's statement and its sources, linked where they are pages.
    assert!(s.contains("A deferred custom action can read only CustomActionData"));
    assert!(s.contains("<a href=\"https://learn.microsoft.com/windows/win32/msi/obtaining-context-information-for-deferred-execution-custom-actions\""));
    assert!(s.contains("<a href=\"https://learn.microsoft.com/windows/win32/msi/accessing-the-current-installer-session-from-inside-a-custom-action\""));
    assert!(s.contains("Skipped: runtime `msiexec` does not support context `script-deferred`"));

    // A case that failed on another rule is shown as holding this one.
    let s = section(&html, &detail_id("PROP-GET-UNDEFINED-EMPTY", 2));
    assert!(s.contains(
        "data-case=\"properties/buffer-sizes\" data-state=\"pass\" data-status=\"fail\""
    ));
    assert!(s.contains("The case failed on other rules; this one held."));

    // Errors keep the runtime's output, folded.
    let s = section(&html, &detail_id("CA-RET-USEREXIT", 2));
    assert!(s.contains("runtime crashed: wine exited with signal 11"));
    assert!(s.contains("<summary>Runtime output (28 lines)</summary>"));

    // The embedded NUL is visible.
    let s = section(&html, &detail_id("PROP-EMBEDDED-NUL", 2));
    assert!(s.contains(r#"value &quot;a\0b&quot;"#));

    // An expected failure carries its note; a disagreement is explained.
    let s = section(&html, &detail_id("DOACTION-NULL-ACTION", 3));
    assert!(s.contains("Expected failure: Wine 9.0 runs the ACTION fallback"));
    assert!(s.contains("Documentation and Windows disagree:"));

    // A rule no case cites: its statement, the reason, and no cases.
    let s = section(&html, &detail_id("CA-COM-APARTMENT", 0));
    assert!(s.contains("No case on this run cites this rule."));
    assert!(s.contains("Unobservable: the session API returns nothing"));
}

#[test]
fn an_unknown_rule_id_gets_its_own_row() {
    let mut report = fixture();
    report.runs[0].cases[0].rules.push("NOT-A-RULE".to_owned());
    let html = render(&report);
    let tags = dom::tags(&html);
    let row = dom::select(&tags, "tr", "rule-row")
        .into_iter()
        .find(|t| t.attr("data-rule") == Some("NOT-A-RULE"))
        .expect("a row for the unknown rule");
    assert_eq!(row.attr("data-family"), Some("not-in-catalog"));
}

#[test]
fn the_legend_explains_hatched_cells_and_counts_them() {
    let html = rendered();
    let tags = dom::tags(&html);
    let hatched = tags
        .iter()
        .filter(|t| t.name == "td" && t.attr("class").is_some_and(|c| c.contains("xfail")))
        .count();
    assert!(hatched > 0, "the fixture has an expected failure");
    let li = tags
        .iter()
        .find(|t| t.name == "li" && t.attr("data-state") == Some("xfail"))
        .expect("a legend entry for hatched cells");
    assert_eq!(li.attr("data-count"), Some(hatched.to_string().as_str()));
    assert!(html.contains("hatched: failing as the expectation file says (XFAIL)"));
    assert!(html.contains("Cells (rule × run):"));
}

#[test]
fn failing_cases_show_the_command_that_runs_them_again() {
    let mut report = fixture();
    // As recorded by `msiconf run`: the runtime under an alias, a `cmd:` line with spaces.
    report.provenance = Some(msiconf::report::model::Provenance {
        started: "2026-01-02T03:04:05Z".to_owned(),
        command_line: [
            "/usr/local/bin/msiconf",
            "run",
            "--runtime",
            "reference",
            "--runtime=msiexec=cmd:python3 'my adapter.py'",
            "--timeout",
            "30",
        ]
        .map(str::to_owned)
        .to_vec(),
        cases: "/src/my cases".to_owned(),
        suite_revision: "x".to_owned(),
        host: msiconf::report::model::Host::this(),
    });
    let run = &report.runs[3];
    let case = run
        .cases
        .iter()
        .find(|c| c.status == msiconf::report::model::Status::Fail)
        .expect("a failing case");
    let command = msiconf::report::reproduce::case_command(&report, run, case);
    let expected = format!(
        r#"msiconf run --runtime "msiexec=cmd:python3 'my adapter.py'" --profile windows --cases '/src/my cases' --timeout 30 {}"#,
        case.name
    );
    assert_eq!(command, expected);
    // It pastes as is: the shell splits it back into the words msiconf was given.
    let words = shlex::split(&command).unwrap();
    assert_eq!(words[3], "msiexec=cmd:python3 'my adapter.py'");
    assert_eq!(words[7], "/src/my cases");

    let html = render(&report);
    assert!(
        html.contains(&format!(
            "<p class=\"reproduce\">Reproduce: <code>{}</code></p>",
            expected
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
        )),
        "no reproduce line for {}",
        case.name
    );
    // Passing cases have none: one line per failing or erroring case shown.
    let shown = html.matches("class=\"reproduce\"").count();
    let failing_items = html.matches("data-status=\"fail\"").count()
        + html.matches("data-status=\"error\"").count();
    assert_eq!(shown, failing_items);
}

#[test]
fn details_say_when_a_transcript_was_reused() {
    let note = "Transcript reused from the run under profile documented";
    assert!(!rendered().contains(note));
    let mut report = fixture();
    for run in &mut report.runs {
        for c in &mut run.cases {
            c.transcript_reused_from = Some(msiconf_spec::Profile::Documented);
        }
    }
    let html = render(&report);
    assert!(html.contains(note), "{html}");
    // Said inside a case's details, once per case that has details.
    let tags = dom::tags(&html);
    assert!(!dom::select(&tags, "p", "reused").is_empty());
}
