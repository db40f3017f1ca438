//! Every renderer on a report of the real suite: the reference runtime and a
//! broken one over every case of `cases/`, under both profiles. The fixture
//! tests pin exact output; these check that real data keeps every format
//! valid and consistent with the JSON it renders from.

mod report_support;

use msiconf::report::model::{Report, Status};
use msiconf::report::{coverage, html, junit, markdown, matrix};
use report_support::dom;
use report_support::markdown_tables::tables;
use report_support::{artifacts_dir, real_report, write_json_report};
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(real_report)
}

#[test]
fn the_real_report_validates_against_the_schema() {
    let r = report();
    assert_eq!(r.runs.len(), 4);
    assert!(
        r.runs.iter().all(|run| !run.cases.is_empty()),
        "the suite has cases"
    );
    write_json_report(r, "real.json");
}

#[test]
fn the_real_junit_follows_the_jenkins_schema() {
    let xml = junit::render(report()).expect("render junit");
    std::fs::write(artifacts_dir().join("real-junit.xml"), &xml).unwrap();
    let errors = report_support::junit_schema::schema_errors(&xml);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let cases: usize = report().runs.iter().map(|r| r.cases.len()).sum();
    let problems: usize = report()
        .runs
        .iter()
        .map(|r| r.expectation_problems.len())
        .sum();
    let back = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!(back.tests, cases + problems);
}

#[test]
fn the_real_markdown_is_well_formed_and_short() {
    let md = markdown::render(report());
    std::fs::write(artifacts_dir().join("real.md"), &md).unwrap();
    assert!(md.starts_with("**"), "the verdict comes first");
    for (header, rows) in tables(&md) {
        for row in rows {
            assert_eq!(row.len(), header.len(), "{row:?}");
        }
    }
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
    assert!(md.len() < 1024 * 1024, "within a CI step summary's limit");
}

#[test]
fn the_real_matrix_agrees_with_the_json() {
    let r = report();
    let page = html::render(r);
    std::fs::write(artifacts_dir().join("real-matrix.html"), &page).unwrap();
    let tags = dom::tags(&page);
    assert_eq!(dom::select(&tags, "th", "run-col").len(), r.runs.len());
    let rows = dom::select(&tags, "tr", "rule-row");
    let row_ids: Vec<&str> = rows.iter().map(|t| t.attr("data-rule").unwrap()).collect();
    let catalog: Vec<&str> = r.rules.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(
        &row_ids[..catalog.len()],
        &catalog[..],
        "every catalog rule, in order"
    );
    let cells = dom::select(&tags, "td", "cell");
    assert_eq!(cells.len(), rows.len() * r.runs.len());
    for cell in cells {
        let rule = cell.attr("data-rule").unwrap();
        let run = &r.runs[cell.attr("data-run").unwrap().parse::<usize>().unwrap()];
        let state = cell.attr("data-state").unwrap();
        // Stated without report::matrix: a cell fails exactly when some case
        // of the run has a finding for the rule (or failed citing it without
        // any finding), and is not covered exactly when no case cites the rule
        // and no finding names it.
        let fails = run.cases.iter().any(|c| {
            c.findings.iter().any(|f| f.rule == rule)
                || (c.status == Status::Fail
                    && c.findings.is_empty()
                    && c.rules.iter().any(|x| x == rule))
        });
        let touched = run.cases.iter().any(|c| {
            c.rules.iter().any(|x| x == rule) || c.findings.iter().any(|f| f.rule == rule)
        });
        assert_eq!(
            state == "fail",
            fails,
            "{rule} on {}",
            matrix::run_label(run)
        );
        assert_eq!(
            state == "not-covered",
            !touched,
            "{rule} on {}",
            matrix::run_label(run)
        );
    }
}

#[test]
fn the_broken_runtime_is_caught_on_the_rules_it_breaks() {
    let r = report();
    let broken_name = format!("broken:{}", report_support::REAL_BROKEN);
    let deviation = msiconf_spec::model::Deviation::from_name(report_support::REAL_BROKEN).unwrap();
    let page = coverage::render(r);
    std::fs::write(artifacts_dir().join("real-coverage.html"), &page).unwrap();
    for rule in deviation.breaks() {
        let info = r
            .rules
            .iter()
            .find(|x| x.id == *rule)
            .expect("the rule is in the catalog");
        assert!(
            info.broken_runtimes.contains(&broken_name),
            "{rule} lists {broken_name}"
        );
        // At least one profile's run fails the rule; the coverage page says so.
        let caught = r
            .runs
            .iter()
            .filter(|run| run.runtime.name == broken_name)
            .any(|run| matrix::cell(run, rule).state == matrix::CellState::Fail);
        assert!(caught, "{broken_name} is not caught on {rule}");
        let article = &page[page
            .find(&format!("data-rule=\"{rule}\" data-coverage"))
            .unwrap()..];
        let article = &article[..article.find("</article>").unwrap()];
        assert!(article.contains("data-caught=\"yes\""), "{rule}");
    }
    // Rules no case cites are in the gap list, and only those.
    let listed: BTreeSet<&str> = {
        let start = page.find("id=\"unchecked\"").map_or(page.len(), |i| i);
        let end = page.find("<main").unwrap();
        dom::tags(&page[start.min(end)..end])
            .into_iter()
            .filter(|t| t.name == "li")
            .map(|t| {
                r.rules
                    .iter()
                    .find(|x| Some(x.id.as_str()) == t.attr("data-rule"))
                    .unwrap()
                    .id
                    .as_str()
            })
            .collect()
    };
    let uncited: BTreeSet<&str> = r
        .rules
        .iter()
        .filter(|x| coverage::cases_of(r, x).is_empty())
        .map(|x| x.id.as_str())
        .collect();
    assert_eq!(listed, uncited);
}
