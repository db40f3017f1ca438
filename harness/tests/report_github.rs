//! GitHub Actions annotations: the snapshot, and what each line must be.

mod report_support;

use report_support::{fixture, fixture_with_broken};

fn rendered() -> String {
    msiconf::report::github::render(&fixture())
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!("github", rendered());
}

#[test]
fn every_line_is_a_workflow_command_and_failures_point_at_their_case_file() {
    let text = rendered();
    assert!(!text.is_empty());
    for line in text.lines() {
        assert!(
            line.starts_with("::error ") || line.starts_with("::warning "),
            "{line}"
        );
        let (props, message) = line.split_once(' ').unwrap().1.split_once("::").unwrap();
        assert!(!message.contains('\n') && !message.is_empty(), "{line}");
        for prop in props.split(',') {
            let (key, value) = prop.split_once('=').expect("key=value");
            assert!(matches!(key, "file" | "title"), "{line}");
            assert!(!value.contains(':'), "unescaped `:` in {line}");
        }
    }
    // Every unexpected failure and error is annotated on its file; expected
    // failures, passes and skips are not.
    let report = fixture_with_broken();
    let text = msiconf::report::github::render(&report);
    for run in &report.runs {
        for case in &run.cases {
            use msiconf::report::model::Status;
            let annotated = text.contains(&format!("file=cases/{}.toml,", case.name));
            let should = match case.status {
                Status::Fail => case.expected_failure.is_none(),
                Status::Error => true,
                Status::Pass => case.flaky.is_some(),
                Status::Skip => false,
            };
            if should {
                assert!(annotated, "{} not annotated", case.name);
            }
        }
    }
}

#[test]
fn a_departure_seen_by_the_case_and_a_predicate_is_counted_once() {
    use msiconf::report::model::{FindingSource, Status};
    let mut report = fixture();
    let case = report.runs[3]
        .cases
        .iter_mut()
        .find(|c| c.status == Status::Fail && c.expected_failure.is_none())
        .expect("an unexpected failure");
    let mut first = case.findings[0].clone();
    case.findings.truncate(1);
    first.source = match first.source {
        FindingSource::Expectation => FindingSource::Predicate,
        FindingSource::Predicate => FindingSource::Expectation,
    };
    case.findings.push(first);
    let name = case.name.clone();
    let text = msiconf::report::github::render(&report);
    let line = text
        .lines()
        .find(|l| l.contains(&format!("file=cases/{name}.toml")) && l.contains("windows"))
        .expect("the case is annotated");
    assert!(!line.contains("more finding"), "{line}");
}
