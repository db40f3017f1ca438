//! Markdown: the snapshot, the verdict, well-formed tables, folding and the size cap.

mod report_support;

use msiconf::report::markdown::{render, CUT_NOTE, MAX_FOLDED_CHARS, MAX_PAGE_BYTES};
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
    assert!(md.contains("### Expected failures"));
    assert!(md.contains("  - `doaction/null-action` at `package#1`"));
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
    assert!(md.len() <= MAX_PAGE_BYTES, "markdown is {} bytes", md.len());
    // Every failure row is there; only the folded values past the limit are cut, saying so.
    for i in 0..2000 {
        assert!(
            md.contains(&format!("`bulk/case-{i:04}`")),
            "row {i} is missing"
        );
    }
    assert!(md.contains(CUT_NOTE));
    assert!(!md.contains("more findings"));
    assert!(md.contains(&format!(
        "… ({} more characters)",
        50_000 - MAX_FOLDED_CHARS
    )));
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
}

#[test]
fn every_expected_failure_is_listed_once_by_function_and_rule() {
    let mut report = fixture();
    report.runs.truncate(2);
    for profile in [Profile::Documented, Profile::Windows] {
        let mut cases = Vec::new();
        for i in 0..150 {
            let mut c = case(
                &format!("many/case-{i:03}"),
                "many",
                &["PROP-GET-BUFFER"],
                10,
            );
            c.status = Status::Fail;
            let call = Some(r#"{ get-property = { name = "A#B" } }"#);
            // The same departure from the case and from the predicate, as the runner reports it.
            c.findings = vec![
                finding(
                    "PROP-GET-BUFFER",
                    FindingSource::Expectation,
                    Some("P#1"),
                    call,
                    "rc=0",
                    "rc=234",
                ),
                finding(
                    "PROP-GET-BUFFER",
                    FindingSource::Predicate,
                    Some("P#1"),
                    call,
                    "rc=0",
                    "rc=234",
                ),
                finding(
                    "DEFERRED-PROPS",
                    FindingSource::Predicate,
                    Some("P#2"),
                    None,
                    "value=\"\"",
                    "value=\"x\"",
                ),
            ];
            // Two expectation entries with the same note, as the file has them.
            c.expected_failure = Some(
                "P#1: expected rc=0, observed rc=234; P#1: expected rc=0, observed rc=234; Wine bug #123 (see *this*)"
                    .to_owned(),
            );
            cases.push(c);
        }
        report
            .runs
            .push(run("msiexec", "8.0", profile, cases, vec![]));
    }
    let md = render(&report);
    let section = &md[md.find("### Expected failures").expect("a section")..];
    assert!(!md.contains("more"), "nothing is left out:\n{md}");
    assert!(
        section.contains("300 case runs fail as the expectation file says, with 300 departures"),
        "{section}"
    );
    assert!(section.contains("#### `MsiGetProperty`"));
    assert!(section.contains("#### The install as a whole"));
    for i in 0..150 {
        let name = format!("`many/case-{i:03}` at `P#1`");
        // Once per departure: both sources and both runs fold into one line.
        assert_eq!(section.matches(&name).count(), 1, "{name}");
    }
    assert!(section.contains(
        "`many/case-000` at `P#1` `{ get-property = { name = \"A#B\" } }`: expected `rc=0`, observed `rc=234` (`msiexec/documented`, `msiexec/windows`)"
    ));
    // A note that restates a departure is left out; the rest is shown once, with no escapes but for markup.
    assert!(!section.contains("P#1: expected"));
    assert_eq!(
        section.matches("Wine bug #123 (see \\*this\\*)").count(),
        150
    );
    assert!(!section.contains("\\#"));
}

#[test]
fn reused_transcripts_are_said_so() {
    let mut report = fixture();
    for c in &mut report.runs[1].cases {
        c.transcript_reused_from = Some(Profile::Documented);
    }
    let n = report.runs[1].cases.len();
    let md = render(&report);
    assert!(
        md.contains(&format!(
            "`reference/windows` reused the transcripts of the run under profile `documented` for {n} cases: they were checked again, not executed again."
        )),
        "{md}"
    );
}
