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
