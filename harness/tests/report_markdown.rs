//! Markdown: the snapshot, the verdict, well-formed tables, folding and the size cap.

mod report_support;

use msiconf::report::markdown::{render, MAX_ERROR_ENTRIES, MAX_FAILURE_ROWS, MAX_FOLDED_CHARS};
use msiconf::report::model::{FindingSource, Status};
use msiconf_spec::Profile;
use report_support::markdown_tables::tables;
use report_support::{artifacts_dir, case, finding, fixture, passing_cases, run};

fn rendered() -> String {
    let md = render(&fixture());
    std::fs::write(artifacts_dir().join("fixture.md"), &md).expect("write artifact");
    md
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("markdown", rendered());
}

#[test]
fn the_first_line_is_the_verdict() {
    let md = rendered();
    let first = md.lines().next().unwrap();
    assert_eq!(
        first,
        "**❌ FAIL** · msiconf 0.1.0 · 4 runs · 36 cases: 25 passed, 6 failed (1 expected), 3 errors, 2 skipped, 1 expectation problem"
    );

    let mut passing = fixture();
    passing.runs.truncate(2);
    let first = render(&passing).lines().next().unwrap().to_owned();
    assert!(first.starts_with("**✅ PASS**"), "{first}");

    // Expected failures alone do not fail the verdict; an expectation problem does.
    let mut xfail = passing.clone();
    let c = &mut xfail.runs[0].cases[0];
    c.status = Status::Fail;
    c.expected_failure = Some("known".to_owned());
    c.findings = vec![finding(
        "DOACTION-CASE",
        FindingSource::Predicate,
        None,
        None,
        "a",
        "b",
    )];
    xfail.runs[0].totals = report_support::totals(&xfail.runs[0].cases);
    assert!(render(&xfail).starts_with("**✅ PASS**"));
    xfail.runs[0].expectation_problems = vec!["stale entry".to_owned()];
    assert!(render(&xfail).starts_with("**❌ FAIL**"));
}

#[test]
fn tables_are_well_formed() {
    let md = rendered();
    let tables = tables(&md);
    assert_eq!(tables.len(), 2, "the area table and the failures table");
    for (header, rows) in &tables {
        for row in rows {
            assert_eq!(row.len(), header.len(), "row {row:?} under {header:?}");
        }
    }
}

#[test]
fn the_area_table_counts_each_area_and_run() {
    let md = rendered();
    let (header, rows) = &tables(&md)[0];
    assert_eq!(
        header,
        &["Area", "Run", "Passed", "Failed", "Errors", "Skipped"]
    );
    // 5 areas × 4 runs.
    assert_eq!(rows.len(), 20);
    let row = |area: &str, run: &str| {
        rows.iter()
            .find(|r| r[0] == format!("`{area}`") && r[1] == format!("`{run}`"))
            .unwrap_or_else(|| panic!("no row for {area} on {run}"))
            .clone()
    };
    assert_eq!(
        row("doaction", "msiexec/windows")[2..],
        ["0", "2 (1 expected)", "0", "0"].map(String::from)
    );
    assert_eq!(
        row("properties", "msiexec/documented")[2..],
        ["1", "2", "0", "0"].map(String::from)
    );
    assert_eq!(
        row("deferred", "msiexec/windows")[2..],
        ["0", "1", "0", "1"].map(String::from)
    );
    assert_eq!(
        row("session", "msiexec/documented")[2..],
        ["0", "0", "1", "0"].map(String::from)
    );
    assert_eq!(
        row("session", "reference/windows")[2..],
        ["1", "0", "0", "0"].map(String::from)
    );
}

#[test]
fn every_unexpected_finding_is_a_failure_row() {
    let md = rendered();
    let (header, rows) = &tables(&md)[1];
    assert_eq!(
        header,
        &["Run", "Case", "Rule", "Step", "Expected", "Observed"]
    );
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    let want = [
        (
            "msiexec/documented",
            "properties/buffer-sizes",
            "PROP-GET-BUFFER",
        ),
        (
            "msiexec/documented",
            "properties/buffer-sizes",
            "PROP-GET-BUFFER",
        ),
        (
            "msiexec/documented",
            "properties/embedded-nul",
            "PROP-EMBEDDED-NUL",
        ),
        (
            "msiexec/windows",
            "doaction/case-sensitive",
            "DOACTION-CASE",
        ),
        (
            "msiexec/windows",
            "properties/buffer-sizes",
            "PROP-GET-BUFFER",
        ),
        (
            "msiexec/windows",
            "properties/buffer-sizes",
            "PROP-GET-BUFFER",
        ),
        (
            "msiexec/windows",
            "deferred/props-only-three",
            "DEFERRED-PROPS",
        ),
    ]
    .map(|(a, b, c)| (format!("`{a}`"), format!("`{b}`"), format!("`{c}`")));
    assert_eq!(got, want);
    // The expected failure is not a row, but is listed.
    assert!(!rows.iter().any(|r| r[1] == "`doaction/null-action`"));
    assert!(md.contains("<details><summary>1 expected failure</summary>"));
    // A pipe inside a value does not split the cell.
    let deferred = rows
        .iter()
        .find(|r| r[1] == "`deferred/props-only-three`")
        .unwrap();
    assert_eq!(
        deferred[5],
        r#"`value "C:\Program Files\<Test> & `x` | y"`"#
            .replace("`value", "``value")
            .replace("y\"`", "y\"``")
    );
}

#[test]
fn long_values_and_output_are_folded() {
    let md = rendered();
    // The 84-character observed value is folded; its cell points at the note.
    assert_eq!(md.matches("see [2] below").count(), 1, "{md}");
    assert_eq!(md.matches("see [6] below").count(), 1, "{md}");
    assert!(
        md.contains("<details><summary>[2] properties/buffer-sizes · PROP-GET-BUFFER</summary>")
    );
    assert!(md.contains(r#"rc 0, value "c:\x\this\path\is\much\longer"#));
    // The crash output is folded, once per erroring run.
    assert_eq!(md.matches("<summary>output</summary>").count(), 2);
    assert!(md.contains("Backtrace:"));
    // Every <details> is closed.
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
    // Skips are grouped by reason.
    assert!(md.contains("<details><summary>2 skipped cases</summary>"));
}

#[test]
fn a_huge_report_stays_short() {
    let mut report = fixture();
    let mut cases = Vec::new();
    for i in 0..2000 {
        let mut c = case(
            &format!("bulk/case-{i:04}"),
            "bulk",
            &["PROP-GET-BUFFER"],
            10,
        );
        c.status = Status::Fail;
        c.findings = vec![finding(
            "PROP-GET-BUFFER",
            FindingSource::Predicate,
            Some("ProbeImmediate#1"),
            None,
            "rc 0",
            &"x".repeat(50_000),
        )];
        cases.push(c);
    }
    for i in 0..40 {
        let mut c = case(
            &format!("crash/case-{i:03}"),
            "crash",
            &["CA-RET-USEREXIT"],
            10,
        );
        c.status = Status::Error;
        c.error = Some(msiconf::report::model::CaseError {
            message: "runtime crashed".to_owned(),
            output: "stack frame\n".repeat(2_000),
        });
        cases.push(c);
    }
    cases.extend(passing_cases());
    report
        .runs
        .push(run("cmd:./huge", "1", Profile::Windows, cases, vec![]));
    let md = render(&report);
    assert!(md.len() < 512 * 1024, "markdown is {} bytes", md.len());
    assert!(md.contains(&format!(
        "…and {} more findings",
        2000 + 7 - MAX_FAILURE_ROWS
    )));
    assert!(md.contains("output (last "));
    assert!(md.contains(&format!(
        "… ({} more characters)",
        50_000 - MAX_FOLDED_CHARS
    )));
    assert!(md.contains(&format!("- …and {} more", 40 + 3 - MAX_ERROR_ENTRIES)));
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
}
