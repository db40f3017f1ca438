//! `compare` on crafted pairs of reports: every kind of change, the exit code,
//! and snapshots of both renderings.

mod report_support;

use msiconf::report::compare::{
    compare, render, render_markdown, render_text, Change, Comparison, Format, RunKey,
    EXIT_NO_REGRESSION, EXIT_REGRESSION,
};
use msiconf::report::model::{FindingSource, Report, Status};
use msiconf_spec::Profile;
use report_support::{case, finding, fixture, totals, write_json_report};

/// Both reports go through the schema as they would be written, then compared.
fn cmp(name: &str, old: &Report, new: &Report) -> Comparison {
    write_json_report(old, &format!("compare-{name}-old.json"));
    write_json_report(new, &format!("compare-{name}-new.json"));
    compare(old, new)
}

fn case_mut<'a>(
    report: &'a mut Report,
    runtime: &str,
    profile: Profile,
    name: &str,
) -> &'a mut msiconf::report::model::CaseResult {
    let run = report
        .runs
        .iter_mut()
        .find(|r| r.runtime.name == runtime && r.profile == profile)
        .unwrap_or_else(|| panic!("no run {runtime}/{profile}"));
    run.cases
        .iter_mut()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

/// Recomputes every run's totals after edits.
fn retotal(report: &mut Report) {
    for run in &mut report.runs {
        run.totals = totals(&run.cases);
    }
}

fn fail(c: &mut msiconf::report::model::CaseResult, rule: &str) {
    c.status = Status::Fail;
    c.findings.push(finding(
        rule,
        FindingSource::Predicate,
        Some("ProbeImmediate#1"),
        None,
        "rc 0",
        "rc 1603",
    ));
}

fn key(runtime: &str, profile: Profile) -> RunKey {
    RunKey {
        runtime: runtime.to_owned(),
        profile,
    }
}

fn names(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| format!("{}:{}", c.run, c.case))
        .collect()
}

#[test]
fn identical_reports_have_no_changes() {
    let c = cmp("same", &fixture(), &fixture());
    assert!(c.is_empty(), "{c:?}");
    assert_eq!(c.unchanged, 36);
    assert_eq!(c.exit_code(), EXIT_NO_REGRESSION);
    assert!(render_text(&c).starts_with("OK: no changes"));
}

#[test]
fn a_pass_that_fails_is_a_regression() {
    let old = fixture();
    let mut new = fixture();
    fail(
        case_mut(
            &mut new,
            "reference",
            Profile::Windows,
            "doaction/case-sensitive",
        ),
        "DOACTION-CASE",
    );
    retotal(&mut new);
    let c = cmp("regression", &old, &new);
    assert_eq!(
        names(&c.newly_failing),
        ["reference/windows:doaction/case-sensitive"]
    );
    let change = &c.newly_failing[0];
    assert_eq!(change.old, Some(Status::Pass));
    assert_eq!(change.new, Some(Status::Fail));
    assert_eq!(change.rules, ["DOACTION-CASE"]);
    assert_eq!(
        change.detail.as_deref(),
        Some("DOACTION-CASE: expected rc 0, observed rc 1603")
    );
    assert!(c.has_regressions());
    assert_eq!(c.exit_code(), EXIT_REGRESSION);
    assert_eq!(c.unchanged, 35);
}

#[test]
fn a_failure_that_passes_is_newly_passing_and_not_a_regression() {
    let old = fixture();
    let mut new = fixture();
    let c = case_mut(
        &mut new,
        "msiexec",
        Profile::Windows,
        "doaction/case-sensitive",
    );
    c.status = Status::Pass;
    c.findings.clear();
    retotal(&mut new);
    let c = cmp("fixed", &old, &new);
    assert_eq!(
        names(&c.newly_passing),
        ["msiexec/windows:doaction/case-sensitive"]
    );
    assert_eq!(c.newly_passing[0].rules, ["DOACTION-CASE"]);
    assert!(c.newly_failing.is_empty());
    assert_eq!(c.exit_code(), EXIT_NO_REGRESSION);
}

#[test]
fn errors_and_skips_that_pass_are_newly_passing() {
    let old = fixture();
    let mut new = fixture();
    for (name, profile) in [
        ("return-codes/user-exit", Profile::Documented),
        ("deferred/script-session", Profile::Windows),
    ] {
        let c = case_mut(&mut new, "msiexec", profile, name);
        c.status = Status::Pass;
        c.error = None;
        c.skip_reason = None;
    }
    retotal(&mut new);
    let c = cmp("recovered", &old, &new);
    assert_eq!(
        names(&c.newly_passing),
        [
            "msiexec/documented:return-codes/user-exit",
            "msiexec/windows:deferred/script-session"
        ]
    );
    assert_eq!(c.newly_passing[0].old, Some(Status::Error));
    assert_eq!(c.newly_passing[1].old, Some(Status::Skip));
}

#[test]
fn a_new_error_is_reported_but_does_not_fail_the_comparison() {
    let old = fixture();
    let mut new = fixture();
    let c = case_mut(
        &mut new,
        "reference",
        Profile::Documented,
        "session/exe-no-session",
    );
    c.status = Status::Error;
    c.error = Some(msiconf::report::model::CaseError {
        message: "protocol error: unexpected message".to_owned(),
        output: "garbage on stdout".to_owned(),
    });
    retotal(&mut new);
    let c = cmp("error", &old, &new);
    assert_eq!(
        names(&c.newly_erroring),
        ["reference/documented:session/exe-no-session"]
    );
    assert_eq!(
        c.newly_erroring[0].detail.as_deref(),
        Some("protocol error: unexpected message")
    );
    assert_eq!(c.newly_erroring[0].rules, ["EXE-NO-SESSION"]);
    assert_eq!(c.exit_code(), EXIT_NO_REGRESSION);
    // An error that stays an error is no change.
    let again = cmp("error-again", &new, &new);
    assert!(again.newly_erroring.is_empty());
}

#[test]
fn a_failure_that_breaks_one_more_rule_names_only_the_new_rule() {
    let old = fixture();
    let mut new = fixture();
    let c = case_mut(
        &mut new,
        "msiexec",
        Profile::Windows,
        "properties/buffer-sizes",
    );
    c.findings.push(finding(
        "PROP-GET-UNDEFINED-EMPTY",
        FindingSource::Predicate,
        Some("ProbeImmediate#4"),
        None,
        r#"value """#,
        "rc 1627",
    ));
    let c = cmp("more-rules", &old, &new);
    assert_eq!(
        names(&c.newly_failing),
        ["msiexec/windows:properties/buffer-sizes"]
    );
    assert_eq!(c.newly_failing[0].rules, ["PROP-GET-UNDEFINED-EMPTY"]);
    assert_eq!(c.newly_failing[0].old, Some(Status::Fail));
    assert_eq!(c.exit_code(), EXIT_REGRESSION);

    // The same failure with a different observed value is no change.
    let mut same_rules = fixture();
    case_mut(
        &mut same_rules,
        "msiexec",
        Profile::Windows,
        "properties/buffer-sizes",
    )
    .findings[0]
        .observed = "rc 234, size 11".to_owned();
    let c = cmp("same-rules", &old, &same_rules);
    assert!(c.is_empty(), "{c:?}");
}

#[test]
fn a_new_expected_failure_is_shown_but_is_not_a_regression() {
    let old = fixture();
    let mut new = fixture();
    let c = case_mut(
        &mut new,
        "reference",
        Profile::Windows,
        "doaction/null-action",
    );
    fail(c, "DOACTION-NULL-ACTION");
    c.expected_failure = Some("accepted while the model is rewritten".to_owned());
    retotal(&mut new);
    let c = cmp("xfail", &old, &new);
    assert_eq!(c.newly_failing.len(), 1);
    assert_eq!(
        c.newly_failing[0].expected_failure.as_deref(),
        Some("accepted while the model is rewritten")
    );
    assert!(!c.has_regressions());
    assert_eq!(c.exit_code(), EXIT_NO_REGRESSION);
    assert!(render_text(&c).contains("(expected failure: accepted while the model is rewritten)"));
}

#[test]
fn added_and_removed_cases_and_runs() {
    let old = fixture();
    let mut new = fixture();
    // Drop msiexec/windows entirely and one case of reference/documented.
    new.runs
        .retain(|r| !(r.runtime.name == "msiexec" && r.profile == Profile::Windows));
    new.runs[0]
        .cases
        .retain(|c| c.name != "properties/embedded-nul");
    // Add a passing case and a failing case to reference/windows.
    let mut added_pass = case("properties/new-pass", "new", &["PROP-CASE-SENSITIVE"], 5);
    added_pass.status = Status::Pass;
    let mut added_fail = case("properties/new-fail", "new", &["PROP-SET-ARGS"], 5);
    fail(&mut added_fail, "PROP-SET-ARGS");
    new.runs[1].cases.push(added_pass);
    new.runs[1].cases.push(added_fail);
    retotal(&mut new);

    let c = cmp("added-removed", &old, &new);
    assert_eq!(c.removed_runs, [key("msiexec", Profile::Windows)]);
    assert!(c.added_runs.is_empty());
    assert_eq!(c.removed.len(), 9 + 1, "the run's nine cases and one more");
    assert!(names(&c.removed).contains(&"reference/documented:properties/embedded-nul".to_owned()));
    assert!(c
        .removed
        .iter()
        .all(|ch| ch.new.is_none() && ch.old.is_some()));
    assert_eq!(names(&c.added), ["reference/windows:properties/new-pass"]);
    assert_eq!(
        names(&c.newly_failing),
        ["reference/windows:properties/new-fail"]
    );
    assert_eq!(c.newly_failing[0].old, None);
    assert_eq!(
        c.exit_code(),
        EXIT_REGRESSION,
        "a new failing case is a new failure"
    );

    // The other way round: the run comes back.
    let back = cmp("added-run", &new, &old);
    assert_eq!(back.added_runs, [key("msiexec", Profile::Windows)]);
    assert_eq!(
        names(&back.removed),
        [
            "reference/windows:properties/new-fail",
            "reference/windows:properties/new-pass"
        ]
    );
    // msiexec/windows is new again: its failures count as newly failing.
    assert!(back
        .newly_failing
        .iter()
        .any(|ch| ch.case == "doaction/case-sensitive"));
}

/// One pair with a change of every kind, for the snapshots.
fn mixed_pair() -> (Report, Report) {
    let old = fixture();
    let mut new = fixture();
    fail(
        case_mut(
            &mut new,
            "reference",
            Profile::Windows,
            "doaction/case-sensitive",
        ),
        "DOACTION-CASE",
    );
    let c = case_mut(
        &mut new,
        "msiexec",
        Profile::Windows,
        "deferred/props-only-three",
    );
    c.status = Status::Pass;
    c.findings.clear();
    let c = case_mut(
        &mut new,
        "reference",
        Profile::Documented,
        "session/exe-no-session",
    );
    c.status = Status::Error;
    c.error = Some(msiconf::report::model::CaseError {
        message: "runtime crashed: exit code 3 | core dumped".to_owned(),
        output: String::new(),
    });
    new.runs[0]
        .cases
        .retain(|c| c.name != "properties/embedded-nul");
    let mut added = case("properties/new-pass", "new", &["PROP-CASE-SENSITIVE"], 5);
    added.status = Status::Pass;
    new.runs[1].cases.push(added);
    retotal(&mut new);
    (old, new)
}

#[test]
fn compare_text_snapshot() {
    let (old, new) = mixed_pair();
    let c = cmp("mixed", &old, &new);
    assert_eq!(c.exit_code(), EXIT_REGRESSION);
    let text = render(&c, Format::Text);
    assert_eq!(text, render_text(&c));
    assert!(text.starts_with("FAIL: 1 case newly failing"));
    insta::assert_snapshot!("compare_text", text);
}

#[test]
fn compare_markdown_snapshot() {
    let (old, new) = mixed_pair();
    let c = cmp("mixed-md", &old, &new);
    let md = render(&c, Format::Markdown);
    assert_eq!(md, render_markdown(&c));
    assert!(md.starts_with("**❌ Regressions:** 1 case newly failing"));
    // The pipe in the error message must not split the table cell.
    let row = md
        .lines()
        .find(|l| l.contains("session/exe-no-session"))
        .expect("the newly erroring row");
    assert_eq!(row.matches(" | ").count(), 5, "{row}");
    insta::assert_snapshot!("compare_markdown", md);
}

#[test]
fn formats_have_names() {
    assert_eq!(Format::from_name("markdown"), Some(Format::Markdown));
    assert_eq!(Format::from_name("text"), Some(Format::Text));
    assert_eq!(Format::from_name("html"), None);
    for f in Format::ALL {
        assert_eq!(Format::from_name(f.name()), Some(f));
    }
}

#[test]
fn compare_files_loads_both_reports_and_gives_the_exit_code() {
    use msiconf::report::compare::{compare_files, CompareError, LoadError};
    let (old, new) = mixed_pair();
    let old_path = write_json_report(&old, "compare-files-old.json");
    let new_path = write_json_report(&new, "compare-files-new.json");
    let out = compare_files(&old_path, &new_path, Format::Markdown).unwrap();
    assert_eq!(out.exit_code, EXIT_REGRESSION);
    assert_eq!(out.text, render_markdown(&compare(&old, &new)));
    let out = compare_files(&new_path, &new_path, Format::Text).unwrap();
    assert_eq!(out.exit_code, EXIT_NO_REGRESSION);

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let err = compare_files(&missing, &new_path, Format::Text).unwrap_err();
    assert!(matches!(err, CompareError::Load(LoadError::Read { .. })));
    assert!(err.to_string().contains("missing.json"), "{err}");

    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{ not json").unwrap();
    let err = compare_files(&old_path, &garbage, Format::Text).unwrap_err();
    assert!(
        matches!(err, CompareError::Load(LoadError::Parse { .. })),
        "{err}"
    );

    let future = dir.path().join("future.json");
    let mut v = serde_json::to_value(&old).unwrap();
    v["schema-version"] = serde_json::json!(2);
    v["something-new"] = serde_json::json!(true);
    std::fs::write(&future, v.to_string()).unwrap();
    let err = compare_files(&future, &new_path, Format::Text).unwrap_err();
    assert!(
        matches!(err, CompareError::Load(LoadError::Version { found: 2, .. })),
        "{err}"
    );
    assert!(err.to_string().contains("schema version 2"), "{err}");
}

#[test]
fn reports_with_no_run_in_common_are_an_error_not_a_comparison() {
    use msiconf::report::compare::{compare_files, CompareError};
    let (old, mut new) = mixed_pair();
    // The same runtime under another name, as when a `cmd:` path changes.
    for run in &mut new.runs {
        run.runtime.name = format!("cmd:/elsewhere/{}", run.runtime.name);
    }
    let old_path = write_json_report(&old, "compare-disjoint-old.json");
    let new_path = write_json_report(&new, "compare-disjoint-new.json");
    let err = compare_files(&old_path, &new_path, Format::Text).unwrap_err();
    assert!(matches!(err, CompareError::NothingInCommon { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("no run in common"), "{message}");
    assert!(message.contains("cmd:/elsewhere/"), "{message}");
    assert!(message.contains("--runtime NAME=SPEC"), "{message}");
}
