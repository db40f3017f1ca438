//! The report commands end to end through the binary: `msiconf compare` and
//! its exit codes, `msiconf run --report` in every format, and `msiconf rules
//! --report html=PATH`.

mod report_support;

use msiconf::report::model::{FindingSource, Status};
use msiconf_spec::Profile;
use report_support::{finding, fixture, totals, write_json_report};
use std::process::{Command, Output};

fn msiconf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_msiconf"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("run msiconf")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("msiconf exited by itself")
}

#[test]
fn compare_exits_1_on_a_new_failure_and_0_otherwise() {
    let old = fixture();
    let mut new = fixture();
    let run = new
        .runs
        .iter_mut()
        .find(|r| r.runtime.name == "reference" && r.profile == Profile::Windows)
        .unwrap();
    let case = run
        .cases
        .iter_mut()
        .find(|c| c.name == "doaction/case-sensitive")
        .unwrap();
    case.status = Status::Fail;
    case.findings = vec![finding(
        "DOACTION-CASE",
        FindingSource::Predicate,
        None,
        None,
        "rc 1626",
        "rc 0",
    )];
    run.totals = totals(&run.cases);
    let old_path = write_json_report(&old, "cli-old.json");
    let new_path = write_json_report(&new, "cli-new.json");
    let (o, n) = (old_path.to_str().unwrap(), new_path.to_str().unwrap());

    let out = msiconf(&["compare", o, n]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("FAIL: 1 case newly failing"), "{text}");

    let out = msiconf(&["compare", o, n, "--format", "markdown"]);
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("**❌ Regressions:**"));

    // The other way round it is a fix, not a failure.
    let out = msiconf(&["compare", n, o]);
    assert_eq!(code(&out), 0);
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("Newly passing (1):"));

    // A missing report is an infrastructure error, named.
    let out = msiconf(&["compare", o, "/nonexistent/report.json"]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/report.json"));

    let out = msiconf(&["compare", o, n, "--format", "html"]);
    assert_eq!(code(&out), 2, "an unknown format is a usage error");
}

#[test]
fn run_writes_every_report_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let out = msiconf(&[
        "run",
        "--runtime",
        "reference",
        "--runtime",
        "broken:deferred-sees-all-properties",
        "--profile",
        "documented",
        "--profile",
        "windows",
        "deferred/",
        "--report",
        &format!("json={}", path("r.json")),
        "--report",
        &format!("junit={}", path("r.xml")),
        "--report",
        &format!("markdown={}", path("r.md")),
        "--report",
        &format!("html={}", path("r.html")),
    ]);
    // The exit code says how the suite fared (2 while a case file is broken);
    // the reports are written either way, and they are what is tested here.
    assert!(code(&out) <= 2, "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path("r.json")).unwrap()).unwrap();
    let errors = report_support::schema_errors(&json);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let xml = std::fs::read_to_string(path("r.xml")).unwrap();
    let errors = report_support::junit_schema::schema_errors(&xml);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let md = std::fs::read_to_string(path("r.md")).unwrap();
    assert!(md.starts_with("**"));
    let html = std::fs::read_to_string(path("r.html")).unwrap();
    let tags = report_support::dom::tags(&html);
    // Four columns: two runtimes by two profiles.
    assert_eq!(report_support::dom::select(&tags, "th", "run-col").len(), 4);
}

#[test]
fn rules_writes_the_coverage_page() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("coverage.html");
    let out = msiconf(&["rules", "--report", &format!("html={}", page.display())]);
    assert!(code(&out) <= 2, "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).expect("the coverage page was written");
    let tags = report_support::dom::tags(&html);
    let articles = report_support::dom::select(&tags, "article", "rule");
    assert_eq!(articles.len(), msiconf_spec::rules::catalog().len());
    // Every broken runtime was run, so no declared breakage is "not run".
    assert!(!html.contains("data-caught=\"not-run\""));
    assert!(html.contains("data-caught=\"yes\""));

    let out = msiconf(&["rules", "--report", "json=x.json"]);
    assert_eq!(code(&out), 2, "only html is accepted");
}

#[test]
fn render_writes_a_stored_report_as_run_wrote_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let out = msiconf(&[
        "run",
        "--runtime",
        "broken:deferred-sees-all-properties",
        "deferred/",
        "--report",
        &format!("json={}", path("r.json")),
        "--report",
        &format!("markdown={}", path("direct.md")),
    ]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let out = msiconf(&[
        "render",
        &path("r.json"),
        "--report",
        &format!("markdown={}", path("rendered.md")),
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let direct = std::fs::read_to_string(path("direct.md")).unwrap();
    let rendered = std::fs::read_to_string(path("rendered.md")).unwrap();
    assert!(direct.contains("DEFERRED-PROPS"), "{direct}");
    assert_eq!(rendered, direct);
    // A file that is no report is a usage error naming it.
    std::fs::write(path("bad.json"), "{").unwrap();
    let out = msiconf(&[
        "render",
        &path("bad.json"),
        "--report",
        &format!("markdown={}", path("x.md")),
    ]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json"));
}
