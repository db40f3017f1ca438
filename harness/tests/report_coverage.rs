//! The rule coverage page: every rule with its cases, the broken runtimes that
//! should fail it and whether they did, and the rules nothing checks up top.

mod report_support;

use msiconf::report::coverage::{cases_of, coverage, render, Coverage};
use report_support::dom;
use report_support::{artifacts_dir, fixture, fixture_with_broken, RULE_ROWS};

fn rendered() -> String {
    let html = render(&fixture_with_broken());
    std::fs::write(artifacts_dir().join("coverage.html"), &html).expect("write artifact");
    html
}

#[test]
fn coverage_snapshot() {
    insta::assert_snapshot!("coverage", rendered());
}

#[test]
fn every_rule_is_listed_with_its_coverage() {
    let html = rendered();
    let tags = dom::tags(&html);
    let rules: Vec<(&str, &str)> = dom::select(&tags, "article", "rule")
        .iter()
        .map(|t| {
            (
                t.attr("data-rule").unwrap(),
                t.attr("data-coverage").unwrap(),
            )
        })
        .collect();
    let want: Vec<(&str, &str)> = RULE_ROWS
        .iter()
        .map(|(id, _)| {
            let state = match *id {
                "SEQ-TERMINATION-ACTIONS" => "unchecked",
                "CA-COM-APARTMENT" => "unobservable",
                _ => "checked",
            };
            (*id, state)
        })
        .collect();
    assert_eq!(rules, want);
    let summary = tags
        .iter()
        .find(|t| t.attr("id") == Some("summary"))
        .unwrap();
    assert_eq!(summary.attr("data-rules"), Some("11"));
    assert_eq!(summary.attr("data-checked"), Some("9"));
    assert_eq!(summary.attr("data-unobservable"), Some("1"));
    assert_eq!(summary.attr("data-unchecked"), Some("1"));
    assert!(html.contains("11 rules: 9 checked by cases, 1 unobservable, 1 checked by nothing"));
}

#[test]
fn the_rules_nothing_checks_are_listed_first() {
    let html = rendered();
    let unchecked_at = html.find("id=\"unchecked\"").expect("the unchecked list");
    let first_rule_at = html.find("<article class=\"rule\"").unwrap();
    assert!(
        unchecked_at < first_rule_at,
        "the gap list comes before the rules"
    );
    let tags = dom::tags(&html[unchecked_at..first_rule_at]);
    let listed: Vec<(&str, &str)> = tags
        .iter()
        .filter(|t| t.name == "li")
        .map(|t| {
            (
                t.attr("data-rule").unwrap(),
                t.attr("data-coverage").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("SEQ-TERMINATION-ACTIONS", "unchecked"),
            ("CA-COM-APARTMENT", "unobservable")
        ]
    );
    assert!(html.contains("Nothing checks this rule: no case cites it."));
    assert!(html.contains("unobservable: the session API returns nothing about the calling thread"));
}

fn breakages(html: &str, rule: &str) -> Vec<(String, String)> {
    // The breakage items between this rule's article and the next.
    let start = html
        .find(&format!("data-rule=\"{rule}\" data-coverage"))
        .unwrap_or_else(|| panic!("no article for {rule}"));
    let end = html[start..].find("</article>").unwrap() + start;
    dom::tags(&html[start..end])
        .iter()
        .filter(|t| t.has_class("breakage"))
        .map(|t| {
            (
                format!(
                    "{}{}",
                    t.attr("data-runtime").unwrap(),
                    t.attr("data-profile")
                        .map(|p| format!("/{p}"))
                        .unwrap_or_default()
                ),
                t.attr("data-caught").unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn broken_runtimes_show_whether_they_were_caught() {
    let html = rendered();
    let b = "broken:deferred-sees-all-properties";
    assert_eq!(
        breakages(&html, "DEFERRED-PROPS"),
        [
            (format!("{b}/documented"), "yes".to_owned()),
            (format!("{b}/windows"), "yes".to_owned())
        ]
    );
    // Under `documented` the broken runtime passes SCRIPT-DEFERRED-SESSION: the canary missed.
    assert_eq!(
        breakages(&html, "SCRIPT-DEFERRED-SESSION"),
        [
            (format!("{b}/documented"), "no".to_owned()),
            (format!("{b}/windows"), "yes".to_owned())
        ]
    );
    assert!(html.contains("NOT caught: the rule passes"));
    // Broken runtimes the report did not run are said to be not run.
    assert_eq!(
        breakages(&html, "DOACTION-CASE"),
        [(
            "broken:action-lookup-ignores-case".to_owned(),
            "not-run".to_owned()
        )]
    );
}

#[test]
fn the_catalog_alone_is_enough() {
    // `msiconf rules --report html=PATH` has no runs: cases come from the catalog.
    let mut report = fixture();
    report.runs.clear();
    let html = render(&report);
    let tags = dom::tags(&html);
    assert_eq!(dom::select(&tags, "article", "rule").len(), 11);
    let rule = report
        .rules
        .iter()
        .find(|r| r.id == "DEFERRED-PROPS")
        .unwrap();
    assert_eq!(
        cases_of(&report, rule),
        ["deferred/props-only-three", "deferred/script-session"]
    );
    assert_eq!(coverage(&report, rule), Coverage::Checked);
    assert!(html.contains("(not run in this report)"));

    // A case of a run that cites a rule the catalog lists no case for still counts.
    let mut report = fixture();
    let rule = report
        .rules
        .iter_mut()
        .find(|r| r.id == "PROP-EMBEDDED-NUL")
        .unwrap();
    rule.cases.clear();
    let rule = report
        .rules
        .iter()
        .find(|r| r.id == "PROP-EMBEDDED-NUL")
        .unwrap();
    assert_eq!(cases_of(&report, rule), ["properties/embedded-nul"]);
}

#[test]
fn the_coverage_page_is_self_contained() {
    let html = rendered();
    for t in dom::tags(&html) {
        assert!(t.attr("src").is_none());
        assert_ne!(t.name, "link");
        if let Some(href) = t.attr("href") {
            assert!(
                href.starts_with('#')
                    || href.starts_with("https://learn.microsoft.com/")
                    || href.starts_with("https://gitlab.winehq.org/wine/wine/"),
                "{href}"
            );
        }
    }
    assert!(!html.contains("url(") && !html.contains("@import"));
}

#[test]
fn failures_the_reference_shares_do_not_count_as_caught() {
    use msiconf::report::model::{FindingSource, Status};
    use msiconf_spec::Profile;
    let mut report = fixture_with_broken();
    // The reference fails deferred/props-only-three on DEFERRED-PROPS under
    // `windows` too: the broken runtime's failure there proves nothing.
    let run = report
        .runs
        .iter_mut()
        .find(|r| r.runtime.name == "reference" && r.profile == Profile::Windows)
        .unwrap();
    let case = run
        .cases
        .iter_mut()
        .find(|c| c.name == "deferred/props-only-three")
        .unwrap();
    case.status = Status::Fail;
    case.findings = vec![report_support::finding(
        "DEFERRED-PROPS",
        FindingSource::Expectation,
        Some("ProbeDeferred#1"),
        None,
        "value \"\"",
        "value \"x\"",
    )];
    let html = render(&report);
    let b = "broken:deferred-sees-all-properties";
    assert_eq!(
        breakages(&html, "DEFERRED-PROPS"),
        [
            (format!("{b}/documented"), "yes".to_owned()),
            (format!("{b}/windows"), "no".to_owned())
        ]
    );
    assert!(html.contains("NOT caught: it fails only where the reference fails too"));
}
