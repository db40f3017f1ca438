//! JUnit XML: the snapshot, the Jenkins schema that quick-junit follows (see
//! `report_support/junit_schema.rs`), and what each case of the fixture must become.

mod report_support;

use report_support::junit_schema::{parse, schema_errors, Element};
use report_support::{artifacts_dir, fixture, RUNS};

fn rendered() -> String {
    let xml = msiconf::report::junit::render(&fixture()).expect("render junit");
    std::fs::write(artifacts_dir().join("fixture-junit.xml"), &xml).expect("write artifact");
    xml
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit", rendered());
}

#[test]
fn junit_follows_the_jenkins_schema() {
    let errors = schema_errors(&rendered());
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
}

#[test]
fn the_schema_check_catches_broken_documents() {
    let broken = [
        ("<testsuites><testcase name=\"x\"/></testsuites>", "not allowed here"),
        ("<testsuites><testsuite tests=\"0\"/></testsuites>", "`name` missing"),
        ("<testsuites><testsuite name=\"s\" tests=\"x\"/></testsuites>", "not a count"),
        (
            "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase name=\"c\"><failure/><skipped/></testcase></testsuite></testsuites>",
            "<skipped> not allowed here",
        ),
        (
            "<testsuites><testsuite name=\"s\" tests=\"2\"><testcase name=\"c\"/></testsuite></testsuites>",
            "tests=2 but 1 found",
        ),
        (
            "<testsuites><testsuite name=\"s\" tests=\"0\"><properties/></testsuite></testsuites>",
            "needs at least 1 <property>",
        ),
        ("<testsuites><testsuite name=\"s\" tests=\"0\" time=\"1,5\"/></testsuites>", "not a time"),
        ("<testsuites><testsuite name=\"s\" tests=\"0\"></testsuites>", "malformed"),
        ("<testsuites><bogus/></testsuites>", "not in the schema"),
    ];
    for (xml, expect) in broken {
        let errors = schema_errors(xml);
        assert!(
            errors.iter().any(|e| e.contains(expect)),
            "expected an error containing `{expect}` for {xml}, got {errors:?}"
        );
    }
}

#[test]
fn junit_reads_back_with_quick_junit() {
    let xml = rendered();
    let back =
        quick_junit::Report::deserialize_from_str(&xml).expect("quick-junit reads its own output");
    // 4 runs × 5 areas, plus the expectation problems of msiexec/documented.
    assert_eq!(back.test_suites.len(), 21);
    assert_eq!(back.tests, 4 * 9 + 1);
}

fn suite<'a>(root: &'a Element, name: &str) -> &'a Element {
    root.children_named("testsuite")
        .find(|s| s.attr("name") == Some(name))
        .unwrap_or_else(|| panic!("no suite `{name}`"))
}

fn testcase<'a>(suite: &'a Element, name: &str) -> &'a Element {
    suite
        .children_named("testcase")
        .find(|c| c.attr("name") == Some(name))
        .unwrap_or_else(|| panic!("no test case `{name}` in `{}`", suite.attr("name").unwrap()))
}

fn only_child(case: &Element) -> &Element {
    assert_eq!(case.children.len(), 1, "{case:?}");
    &case.children[0]
}

#[test]
fn suites_are_per_runtime_profile_and_area_with_properties() {
    let root = parse(&rendered()).unwrap();
    let names: Vec<&str> = root
        .children_named("testsuite")
        .map(|s| s.attr("name").unwrap())
        .collect();
    let mut expected = Vec::new();
    for (runtime, profile) in RUNS {
        for area in [
            "doaction",
            "properties",
            "deferred",
            "return-codes",
            "session",
        ] {
            expected.push(format!("{runtime}/{profile}/{area}"));
        }
        if (runtime, profile) == ("msiexec", "documented") {
            expected.push("msiexec/documented/expectations".to_owned());
        }
    }
    assert_eq!(names, expected);
    for s in root.children_named("testsuite") {
        let props = s.children_named("properties").next().expect("properties");
        let get = |k: &str| {
            props
                .children_named("property")
                .find(|p| p.attr("name") == Some(k))
                .and_then(|p| p.attr("value"))
                .unwrap_or_else(|| panic!("property {k} missing"))
                .to_owned()
        };
        let name = s.attr("name").unwrap();
        let mut parts = name.split('/');
        assert_eq!(get("runtime.name"), parts.next().unwrap());
        assert_eq!(get("profile"), parts.next().unwrap());
        let version = if name.starts_with("msiexec") {
            "wine-9.0"
        } else {
            "0.1.0"
        };
        assert_eq!(get("runtime.version"), version);
        assert_eq!(get("tool.name"), "msiconf");
        assert_eq!(get("tool.version"), "0.1.0");
        for c in s.children_named("testcase") {
            assert_eq!(c.attr("classname"), Some(name), "classname is the suite");
        }
    }
}

#[test]
fn each_outcome_becomes_the_right_element() {
    let root = parse(&rendered()).unwrap();

    // A pass has no child.
    let c = testcase(
        suite(&root, "reference/windows/doaction"),
        "doaction/case-sensitive",
    );
    assert!(c.children.is_empty());
    assert_eq!(c.attr("time"), Some("0.001"));

    // A rule violation: type is the rule ID, message is expected versus observed.
    let c = testcase(
        suite(&root, "msiexec/windows/doaction"),
        "doaction/case-sensitive",
    );
    let f = only_child(c);
    assert_eq!(f.name, "failure");
    assert_eq!(f.attr("type"), Some("DOACTION-CASE"));
    assert_eq!(f.attr("message"), Some("expected rc 1626, observed rc 0"));
    assert!(
        f.text.contains(
            r#"DOACTION-CASE at ProbeImmediate#1 (do-action { action = "costinitialize" })"#
        ),
        "{}",
        f.text
    );

    // Several findings: the first in the message, all in the body.
    let c = testcase(
        suite(&root, "msiexec/documented/properties"),
        "properties/buffer-sizes",
    );
    let f = only_child(c);
    assert_eq!(f.attr("type"), Some("PROP-GET-BUFFER"));
    assert_eq!(
        f.attr("message"),
        Some("expected rc 234, size 5, observed rc 234, size 10 (and 1 more finding)")
    );
    assert_eq!(
        f.text
            .lines()
            .filter(|l| l.starts_with("PROP-GET-BUFFER at "))
            .count(),
        2
    );
    assert!(f.text.contains("[case expectation]") && f.text.contains("[rule predicate]"));

    // An embedded NUL stays visible instead of vanishing.
    let c = testcase(
        suite(&root, "msiexec/documented/properties"),
        "properties/embedded-nul",
    );
    assert_eq!(
        only_child(c).attr("message"),
        Some(r#"expected value "a\0b", observed value "a""#)
    );

    // Markup in values is escaped and reads back intact.
    let c = testcase(
        suite(&root, "msiexec/windows/deferred"),
        "deferred/props-only-three",
    );
    assert_eq!(
        only_child(c).attr("message"),
        Some(r#"expected value "", observed value "C:\Program Files\<Test> & `x` | y""#)
    );

    // An error carries the runtime's output.
    let c = testcase(
        suite(&root, "msiexec/windows/return-codes"),
        "return-codes/user-exit",
    );
    let e = only_child(c);
    assert_eq!(e.name, "error");
    assert_eq!(e.attr("type"), Some("runtime-error"));
    assert_eq!(
        e.attr("message"),
        Some("runtime crashed: wine exited with signal 11 during InstallFinalize")
    );
    assert!(
        e.text.contains("Backtrace:") && e.text.contains("MsiCloseAllHandles"),
        "{}",
        e.text
    );

    // An error without output.
    let c = testcase(
        suite(&root, "msiexec/documented/session"),
        "session/exe-no-session",
    );
    let e = only_child(c);
    assert_eq!(e.name, "error");
    assert_eq!(e.attr("message"), Some("runtime timed out after 30.0 s"));
    assert!(e.text.is_empty());

    // A skip carries its reason.
    let c = testcase(
        suite(&root, "msiexec/windows/deferred"),
        "deferred/script-session",
    );
    let s = only_child(c);
    assert_eq!(s.name, "skipped");
    assert_eq!(
        s.attr("message"),
        Some("runtime `msiexec` does not support context `script-deferred`")
    );

    // An expected failure is a skip that says so, findings in the body.
    let c = testcase(
        suite(&root, "msiexec/windows/doaction"),
        "doaction/null-action",
    );
    let s = only_child(c);
    assert_eq!(s.name, "skipped");
    assert_eq!(
        s.attr("message"),
        Some("expected failure: Wine 9.0 runs the ACTION fallback for a Null name (bug 12345)")
    );
    assert!(
        s.text.contains("DOACTION-NULL-ACTION at package#1"),
        "{}",
        s.text
    );

    // An expectation problem fails its own test case.
    let c = testcase(
        suite(&root, "msiexec/documented/expectations"),
        "expectations#1",
    );
    let f = only_child(c);
    assert_eq!(f.name, "failure");
    assert_eq!(f.attr("type"), Some("expectation-problem"));
    assert!(f
        .attr("message")
        .unwrap()
        .starts_with("expected failure `deferred/props-only-three` passed"));

    // Totals on the root.
    assert_eq!(root.attr("tests"), Some("37"));
    assert_eq!(root.attr("failures"), Some("6"));
    assert_eq!(root.attr("errors"), Some("3"));
    assert_eq!(root.attr("skipped"), Some("3"));
}

#[test]
fn a_reused_transcript_is_said_so_in_system_out_and_suite_properties() {
    let mut report = fixture();
    let run = &mut report.runs[0];
    run.cases[0].transcript_reused_from = Some(msiconf_spec::Profile::Documented);
    let suite_name = msiconf::report::junit::suite_name(run, &run.cases[0].area);
    let case_name = run.cases[0].name.clone();
    let xml = msiconf::report::junit::render(&report).unwrap();
    assert!(schema_errors(&xml).is_empty(), "{:?}", schema_errors(&xml));
    let root = parse(&xml).unwrap();
    let s = suite(&root, &suite_name);
    let c = testcase(s, &case_name);
    let out = c
        .children_named("system-out")
        .next()
        .expect("a system-out note");
    assert!(
        out.text
            .starts_with("transcript reused from profile documented: not executed again"),
        "{}",
        out.text
    );
    let props: Vec<(&str, &str)> = s
        .children_named("properties")
        .flat_map(|p| p.children_named("property"))
        .map(|p| (p.attr("name").unwrap(), p.attr("value").unwrap()))
        .collect();
    assert!(props.contains(&("transcripts.reused", "1")), "{props:?}");
    assert!(
        props.contains(&("transcripts.reused-from", "documented")),
        "{props:?}"
    );
    // Without reuse, no note.
    let plain = parse(&rendered()).unwrap();
    let c = testcase(suite(&plain, &suite_name), &case_name);
    assert!(c.children_named("system-out").next().is_none());
}

#[test]
fn expected_failures_and_real_skips_are_counted_apart() {
    let root = parse(&rendered()).unwrap();
    let mut seen_both = false;
    for s in root.children_named("testsuite") {
        let props: Vec<(&str, &str)> = s
            .children_named("properties")
            .flat_map(|p| p.children_named("property"))
            .map(|p| (p.attr("name").unwrap(), p.attr("value").unwrap()))
            .collect();
        let count = |k: &str| -> usize {
            props
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.parse().unwrap())
                .unwrap_or_else(|| panic!("{k} missing in {:?}", s.attr("name")))
        };
        if s.attr("name").unwrap().ends_with("/expectations") {
            continue;
        }
        let xfail = count(msiconf::report::junit::EXPECTED_FAILURES_PROPERTY);
        let skipped = count(msiconf::report::junit::SKIPPED_PROPERTY);
        // The two add up to JUnit's one `skipped` count, and each matches its messages.
        assert_eq!(
            xfail + skipped,
            s.attr("skipped").unwrap().parse::<usize>().unwrap(),
            "{:?}",
            s.attr("name")
        );
        let xfail_messages = s
            .children_named("testcase")
            .flat_map(|c| c.children_named("skipped"))
            .filter(|k| {
                k.attr("message")
                    .is_some_and(|m| m.starts_with(msiconf::report::junit::EXPECTED_FAILURE_PREFIX))
            })
            .count();
        assert_eq!(xfail, xfail_messages);
        seen_both |= s.attr("name") == Some("msiexec/windows/doaction") && xfail == 1;
    }
    assert!(
        seen_both,
        "the fixture has an expected failure in msiexec/windows/doaction"
    );
}
