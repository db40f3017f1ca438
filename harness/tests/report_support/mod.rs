//! Shared by the report tests: a fixed, realistic report, the JSON Schema
//! check every written report goes through, and the artifacts folder.
//!
//! The fixture is two runtimes (`reference` and Wine's `msiexec`) under both
//! profiles, over 11 rules in 8 families and 9 cases in 5 areas. It holds
//! passes, failures with one and several findings, an expected failure, errors
//! with and without output, skips, an expectation problem, two rules no case
//! cites (one unobservable), and values with markup, pipes, backticks and a NUL.
//! [`EXPECTED_STATES`] is the matrix it must give, worked out by hand.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use msiconf::report::model::{
    CaseError, CaseResult, Finding, FindingSource, Report, RuleInfo, Run, Status, Tool, Totals,
    SCHEMA_VERSION,
};
use msiconf::runtime::RuntimeInfo;
use msiconf_spec::{Context, OpKind, Profile};
use std::path::{Path, PathBuf};

/// Rule rows in the order the matrix must show them, with their families.
pub const RULE_ROWS: [(&str, &str); 11] = [
    ("DOACTION-CASE", "action-names"),
    ("DOACTION-NULL-ACTION", "null-action"),
    ("SEQ-TERMINATION-ACTIONS", "sequencing"),
    ("CA-RET-USEREXIT", "return-codes"),
    ("PROP-GET-UNDEFINED-EMPTY", "properties"),
    ("PROP-GET-BUFFER", "properties"),
    ("PROP-EMBEDDED-NUL", "properties"),
    ("DEFERRED-PROPS", "deferred"),
    ("EXE-NO-SESSION", "session"),
    ("CA-COM-APARTMENT", "session"),
    ("SCRIPT-DEFERRED-SESSION", "automation"),
];

/// The families in order of first appearance.
pub const FAMILIES: [&str; 8] = [
    "action-names",
    "null-action",
    "sequencing",
    "return-codes",
    "properties",
    "deferred",
    "session",
    "automation",
];

/// The runs (columns) in order: runtime and profile.
pub const RUNS: [(&str, &str); 4] = [
    ("reference", "documented"),
    ("reference", "windows"),
    ("msiexec", "documented"),
    ("msiexec", "windows"),
];

/// The state each rule must have on each run, worked out by hand from the
/// cases below (not computed by the code under test).
pub const EXPECTED_STATES: [(&str, [&str; 4]); 11] = [
    ("DOACTION-CASE", ["pass", "pass", "pass", "fail"]),
    ("DOACTION-NULL-ACTION", ["pass", "pass", "pass", "fail"]),
    ("SEQ-TERMINATION-ACTIONS", ["not-covered"; 4]),
    ("CA-RET-USEREXIT", ["pass", "pass", "error", "error"]),
    // properties/buffer-sizes cites this rule too and fails, but only on PROP-GET-BUFFER.
    ("PROP-GET-UNDEFINED-EMPTY", ["pass", "pass", "pass", "pass"]),
    ("PROP-GET-BUFFER", ["pass", "pass", "fail", "fail"]),
    ("PROP-EMBEDDED-NUL", ["pass", "pass", "fail", "pass"]),
    // deferred/script-session is skipped on msiexec; deferred/props-only-three decides.
    ("DEFERRED-PROPS", ["pass", "pass", "pass", "fail"]),
    ("EXE-NO-SESSION", ["pass", "pass", "error", "pass"]),
    ("CA-COM-APARTMENT", ["not-covered"; 4]),
    (
        "SCRIPT-DEFERRED-SESSION",
        ["pass", "pass", "skipped", "skipped"],
    ),
];

/// A rule of the fixture catalog.
fn rule(
    id: &str,
    family: &str,
    title: &str,
    statement: &str,
    sources: &[&str],
    cases: &[&str],
    broken: &[&str],
) -> RuleInfo {
    RuleInfo {
        id: id.to_owned(),
        title: title.to_owned(),
        statement: statement.to_owned(),
        family: family.to_owned(),
        level: "MUST".to_owned(),
        sources: sources.iter().map(|s| s.to_string()).collect(),
        contexts: vec!["package".to_owned(), "immediate-before-init".to_owned()],
        has_predicate: true,
        unobservable: None,
        disagreement: None,
        cases: cases.iter().map(|s| s.to_string()).collect(),
        broken_runtimes: broken.iter().map(|s| s.to_string()).collect(),
    }
}

/// The fixture's catalog, in catalog order.
pub fn rules() -> Vec<RuleInfo> {
    let mut null_action = rule(
        "DOACTION-NULL-ACTION",
        "null-action",
        "A Null action name",
        "The pages say a Null name runs the upper-cased ACTION property (INSTALL when unset); Windows rejects it with 87.",
        &["S0", "API:msidoactiona", "MS:action"],
        &["doaction/null-action"],
        &["broken:null-action-accepted", "broken:null-action-rejected"],
    );
    null_action.disagreement =
        Some("documented: the ACTION fallback runs; windows: MsiDoAction returns 87".to_owned());
    let mut termination = rule(
        "SEQ-TERMINATION-ACTIONS",
        "sequencing",
        "Termination actions run",
        "Actions at sequence -1 to -4 run when the install ends that way.",
        &["MS:installexecutesequence-table"],
        &[],
        &["broken:termination-actions-ignored"],
    );
    termination.level = "MUST".to_owned();
    let mut apartment = rule(
        "CA-COM-APARTMENT",
        "session",
        "Custom actions run in a single-threaded apartment",
        "A DLL custom action's thread is initialised for COM as a single-threaded apartment.",
        &["MS:dynamic-link-libraries", "WT:custom.c test_com"],
        &[],
        &[],
    );
    apartment.has_predicate = false;
    apartment.unobservable =
        Some("the session API returns nothing about the calling thread's apartment".to_owned());
    let mut script = rule(
        "SCRIPT-DEFERRED-SESSION",
        "automation",
        "Deferred scripts see a limited Session",
        "A deferred script's Session object offers only Property for the three allowed names, Mode and Language.",
        &["MS:obtaining-context-information-for-deferred-execution-custom-actions"],
        &["deferred/script-session"],
        &["broken:deferred-sees-all-properties"],
    );
    script.contexts = vec!["script-deferred".to_owned()];
    let mut exe = rule(
        "EXE-NO-SESSION",
        "session",
        "EXE custom actions have no session",
        "An executable custom action gets no session handle and cannot call the session API.",
        &["MS:executable-files"],
        &["session/exe-no-session"],
        &[],
    );
    exe.level = "OBSERVED".to_owned();
    exe.contexts = vec!["exe".to_owned()];
    vec![
        rule(
            "DOACTION-CASE",
            "action-names",
            "Action names are case-sensitive",
            "MsiDoAction matches action names exactly, case included; `costinitialize` is not CostInitialize.",
            &["S0", "SDK98-DoAction", "DTF"],
            &["doaction/case-sensitive"],
            &["broken:action-lookup-ignores-case"],
        ),
        null_action,
        termination,
        rule(
            "CA-RET-USEREXIT",
            "return-codes",
            "A custom action's 1602 ends the install as a user exit",
            "When a custom action returns ERROR_INSTALL_USEREXIT the install stops and reports 1602.",
            &["MS:custom-action-return-values"],
            &["return-codes/user-exit"],
            &["broken:userexit-as-failure"],
        ),
        rule(
            "PROP-GET-UNDEFINED-EMPTY",
            "properties",
            "An undefined property reads as empty",
            "MsiGetProperty of a property never set succeeds with an empty string.",
            &["API:msigetpropertya", "MS:session-property"],
            &["properties/undefined-empty", "properties/buffer-sizes"],
            &["broken:undefined-property-fails"],
        ),
        rule(
            "PROP-GET-BUFFER",
            "properties",
            "Buffer sizes in characters",
            "A buffer too small gives ERROR_MORE_DATA and the size needed, in characters, without the terminator.",
            &["API:msigetpropertya", "MSDN-GetProperty"],
            &["properties/buffer-sizes"],
            &["broken:more-data-size-off-by-one"],
        ),
        rule(
            "PROP-EMBEDDED-NUL",
            "properties",
            "Values keep embedded NULs",
            "A property value set with an embedded NUL reads back whole, NUL included.",
            &["WT:package.c test_embedded_nulls"],
            &["properties/embedded-nul"],
            &["broken:embedded-nul-truncates"],
        ),
        rule(
            "DEFERRED-PROPS",
            "deferred",
            "Deferred actions see three properties",
            "A deferred custom action can read only CustomActionData, ProductCode and UserSID; every other property reads as empty.",
            &[
                "MS:obtaining-context-information-for-deferred-execution-custom-actions",
                "S1",
            ],
            &["deferred/props-only-three", "deferred/script-session"],
            &["broken:deferred-sees-all-properties"],
        ),
        exe,
        apartment,
        script,
    ]
}

/// A case result; status and details are filled in by the callers.
pub fn case(name: &str, description: &str, rules: &[&str], duration_us: u64) -> CaseResult {
    CaseResult {
        name: name.to_owned(),
        area: name.split('/').next().unwrap_or(name).to_owned(),
        description: description.to_owned(),
        rules: rules.iter().map(|s| s.to_string()).collect(),
        status: Status::Pass,
        findings: Vec::new(),
        error: None,
        skip_reason: None,
        expected_failure: None,
        flaky: None,
        plan: None,
        transcript: None,
        transcript_reused_from: None,
        duration_us,
    }
}

/// A finding.
pub fn finding(
    rule: &str,
    source: FindingSource,
    step: Option<&str>,
    call: Option<&str>,
    expected: &str,
    observed: &str,
) -> Finding {
    Finding {
        rule: rule.to_owned(),
        source,
        step: step.map(str::to_owned),
        call: call.map(str::to_owned),
        expected: expected.to_owned(),
        observed: observed.to_owned(),
    }
}

/// Every case, all passing, in the runner's order.
pub fn passing_cases() -> Vec<CaseResult> {
    vec![
        case(
            "doaction/case-sensitive",
            "MsiDoAction finds CostInitialize but not costinitialize",
            &["DOACTION-CASE"],
            1_250,
        ),
        case(
            "doaction/null-action",
            "MsiDoAction with a Null name",
            &["DOACTION-NULL-ACTION"],
            980,
        ),
        case(
            "properties/buffer-sizes",
            "MsiGetProperty with buffers of 0, 1 and exactly the length",
            &["PROP-GET-BUFFER", "PROP-GET-UNDEFINED-EMPTY"],
            2_100,
        ),
        case(
            "properties/embedded-nul",
            "A value with an embedded NUL reads back whole",
            &["PROP-EMBEDDED-NUL"],
            1_010,
        ),
        case(
            "properties/undefined-empty",
            "A property never set reads as empty",
            &["PROP-GET-UNDEFINED-EMPTY"],
            640,
        ),
        case(
            "deferred/props-only-three",
            "A deferred action reads only CustomActionData, ProductCode and UserSID",
            &["DEFERRED-PROPS"],
            410_000,
        ),
        case(
            "deferred/script-session",
            "A deferred JScript action's Session object",
            &["SCRIPT-DEFERRED-SESSION", "DEFERRED-PROPS"],
            395_500,
        ),
        case(
            "return-codes/user-exit",
            "A custom action returning 1602 ends the install with 1602",
            &["CA-RET-USEREXIT"],
            388_000,
        ),
        case(
            "session/exe-no-session",
            "An EXE custom action has no session",
            &["EXE-NO-SESSION"],
            402_250,
        ),
    ]
}

fn runtime(name: &str, version: &str) -> RuntimeInfo {
    RuntimeInfo {
        name: name.to_owned(),
        version: version.to_owned(),
        contexts: Context::ALL
            .into_iter()
            .filter(|c| name != "msiexec" || *c != Context::ScriptDeferred)
            .collect(),
        operations: OpKind::ALL.to_vec(),
    }
}

/// Counts the cases' outcomes.
pub fn totals(cases: &[CaseResult]) -> Totals {
    let mut t = Totals::default();
    for c in cases {
        match c.status {
            Status::Pass => t.passed += 1,
            Status::Fail => {
                t.failed += 1;
                if c.expected_failure.is_some() {
                    t.expected_failures += 1;
                }
            }
            Status::Error => t.errors += 1,
            Status::Skip => t.skipped += 1,
        }
    }
    t
}

/// A run with its totals computed from its cases.
pub fn run(
    runtime_name: &str,
    version: &str,
    profile: Profile,
    cases: Vec<CaseResult>,
    problems: Vec<String>,
) -> Run {
    Run {
        runtime: runtime(runtime_name, version),
        profile,
        totals: totals(&cases),
        duration_ms: cases.iter().map(|c| c.duration_us).sum::<u64>() / 1000,
        cases,
        expectation_problems: problems,
    }
}

fn set<'a>(cases: &'a mut [CaseResult], name: &str) -> &'a mut CaseResult {
    cases
        .iter_mut()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("fixture has no case `{name}`"))
}

/// What Wine printed when it crashed on the user-exit case: long enough to be folded.
pub fn crash_output() -> String {
    let mut out = String::from(
        "wine: Unhandled page fault on read access to 0000000000000010 at address 00006FFFFF3A21C4 (thread 0124)\n\
         0124:err:seh:NtRaiseException Unhandled exception code c0000005 flags 0 addr 0x6ffff3a21c4\n\
         Backtrace:\n",
    );
    for i in 0..24 {
        out.push_str(&format!(
            "=>{i} 0x006ffff3a2{:04x} in msi (+0x{:05x}) (0x00000000{:08x})\n",
            i * 16 + 0x1c4,
            0x21c4 + i * 16,
            0x0021_fa00 + i * 8
        ));
    }
    out.push_str("0124:fixme:msi:MsiCloseAllHandles 3 handles left open\n");
    out
}

/// The cases of `msiexec` under `profile`.
pub fn msiexec_cases(profile: Profile) -> Vec<CaseResult> {
    let mut cases = passing_cases();
    let c = set(&mut cases, "return-codes/user-exit");
    c.status = Status::Error;
    c.error = Some(CaseError {
        message: "runtime crashed: wine exited with signal 11 during InstallFinalize".to_owned(),
        output: crash_output(),
    });
    let c = set(&mut cases, "deferred/script-session");
    c.status = Status::Skip;
    c.skip_reason = Some("runtime `msiexec` does not support context `script-deferred`".to_owned());
    let c = set(&mut cases, "properties/buffer-sizes");
    c.status = Status::Fail;
    c.findings = vec![
        finding(
            "PROP-GET-BUFFER",
            FindingSource::Predicate,
            Some("ProbeImmediate#2"),
            Some(r#"get-property { name = "TESTPATH", size = 1 }"#),
            "rc 234, size 5",
            "rc 234, size 10",
        ),
        finding(
            "PROP-GET-BUFFER",
            FindingSource::Expectation,
            Some("ProbeImmediate#3"),
            Some(r#"get-property { name = "TESTPATH", size = 5 }"#),
            r#"rc 234, value "c:\x", size 5"#,
            r#"rc 0, value "c:\x\this\path\is\much\longer\than\the\buffer\and\was\written\past\its\end\anyway", size 84"#,
        ),
    ];
    match profile {
        Profile::Documented => {
            let c = set(&mut cases, "properties/embedded-nul");
            c.status = Status::Fail;
            c.findings = vec![finding(
                "PROP-EMBEDDED-NUL",
                FindingSource::Expectation,
                Some("ProbeImmediate#2"),
                Some(r#"get-property { name = "NUL" }"#),
                "value \"a\0b\"",
                "value \"a\"",
            )];
            let c = set(&mut cases, "session/exe-no-session");
            c.status = Status::Error;
            c.error = Some(CaseError {
                message: "runtime timed out after 30.0 s".to_owned(),
                output: String::new(),
            });
        }
        Profile::Windows => {
            let c = set(&mut cases, "doaction/case-sensitive");
            c.status = Status::Fail;
            c.findings = vec![finding(
                "DOACTION-CASE",
                FindingSource::Predicate,
                Some("ProbeImmediate#1"),
                Some(r#"do-action { action = "costinitialize" }"#),
                "rc 1626",
                "rc 0",
            )];
            let c = set(&mut cases, "doaction/null-action");
            c.status = Status::Fail;
            c.expected_failure =
                Some("Wine 9.0 runs the ACTION fallback for a Null name (bug 12345)".to_owned());
            c.findings = vec![finding(
                "DOACTION-NULL-ACTION",
                FindingSource::Predicate,
                Some("package#1"),
                Some("do-action { }"),
                "rc 87",
                "rc 0",
            )];
            let c = set(&mut cases, "deferred/props-only-three");
            c.status = Status::Fail;
            c.findings = vec![finding(
                "DEFERRED-PROPS",
                FindingSource::Expectation,
                Some("ProbeDeferred#2"),
                Some(r#"get-property { name = "TESTPATH" }"#),
                r#"value """#,
                r#"value "C:\Program Files\<Test> & `x` | y""#,
            )];
        }
    }
    cases
}

/// The fixed report every renderer test uses.
pub fn fixture() -> Report {
    let problems = vec![
        "expected failure `deferred/props-only-three` passed: remove it from the expectation file"
            .to_owned(),
    ];
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "msiconf".to_owned(),
            version: "0.1.0".to_owned(),
        },
        runs: vec![
            run(
                "reference",
                "0.1.0",
                Profile::Documented,
                passing_cases(),
                vec![],
            ),
            run(
                "reference",
                "0.1.0",
                Profile::Windows,
                passing_cases(),
                vec![],
            ),
            run(
                "msiexec",
                "wine-9.0",
                Profile::Documented,
                msiexec_cases(Profile::Documented),
                problems,
            ),
            run(
                "msiexec",
                "wine-9.0",
                Profile::Windows,
                msiexec_cases(Profile::Windows),
                vec![],
            ),
        ],
        rules: rules(),
        provenance: None,
        incomplete: None,
    }
}

/// The fixture plus two runs of `broken:deferred-sees-all-properties`: it is
/// caught on DEFERRED-PROPS under both profiles, and on SCRIPT-DEFERRED-SESSION
/// only under `windows` (under `documented` that case passes: the canary misses).
pub fn fixture_with_broken() -> Report {
    let mut report = fixture();
    for profile in Profile::ALL {
        let mut cases = passing_cases();
        let c = set(&mut cases, "deferred/props-only-three");
        c.status = Status::Fail;
        c.findings = vec![finding(
            "DEFERRED-PROPS",
            FindingSource::Predicate,
            Some("ProbeDeferred#1"),
            Some(r#"get-property { name = "ProductName" }"#),
            r#"value """#,
            r#"value "msiconf test""#,
        )];
        if profile == Profile::Windows {
            let c = set(&mut cases, "deferred/script-session");
            c.status = Status::Fail;
            c.findings = vec![finding(
                "SCRIPT-DEFERRED-SESSION",
                FindingSource::Predicate,
                Some("ProbeScriptDeferred#1"),
                Some(r#"session-property-get { name = "ProductName" }"#),
                r#"value """#,
                r#"value "msiconf test""#,
            )];
        }
        report.runs.push(run(
            "broken:deferred-sees-all-properties",
            "0.1.0",
            profile,
            cases,
            vec![],
        ));
    }
    report
}

/// `target/test-artifacts/`, created on first use.
pub fn artifacts_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp
        .parent()
        .expect("the target tmp dir has a parent")
        .join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/test-artifacts");
    dir
}

/// The published schema, parsed.
pub fn schema() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/report.schema.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// The schema's errors for `instance`, as text (empty when valid).
pub fn schema_errors(instance: &serde_json::Value) -> Vec<String> {
    let schema = schema();
    let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Serialises `report` as the JSON report would be, checks it against the
/// published schema, and writes it among the artifacts as `name`.
pub fn write_json_report(report: &Report, name: &str) -> PathBuf {
    let value = serde_json::to_value(report).expect("a report serialises");
    let errors = schema_errors(&value);
    assert!(
        errors.is_empty(),
        "report `{name}` breaks docs/report.schema.json:\n{}",
        errors.join("\n")
    );
    let path = artifacts_dir().join(name);
    let text = serde_json::to_string_pretty(report).expect("a report serialises");
    msiconf::report::atomic::write_atomic(&path, text).expect("write the json report");
    path
}

pub mod dom;
pub mod junit_schema;
pub mod markdown_tables;

/// Checks the matrix in `html` (the rendered page or the DOM a browser
/// dumped) against the hand-worked [`EXPECTED_STATES`]: its columns, its rows
/// grouped by family, and every cell's state.
pub fn assert_matrix(html: &str) {
    let tags = dom::tags(html);
    let tables: Vec<_> = tags
        .iter()
        .filter(|t| t.name == "table" && t.attr("id") == Some("matrix"))
        .collect();
    assert_eq!(tables.len(), 1, "one table#matrix");

    let columns = dom::select(&tags, "th", "run-col");
    let got: Vec<(&str, &str)> = columns
        .iter()
        .map(|t| {
            (
                t.attr("data-runtime").unwrap(),
                t.attr("data-profile").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        RUNS.to_vec(),
        "columns: one per runtime and profile, in order"
    );

    let families: Vec<&str> = dom::select(&tags, "tbody", "family")
        .iter()
        .map(|t| t.attr("data-family").unwrap())
        .collect();
    assert_eq!(families, FAMILIES.to_vec(), "families in catalog order");
    assert_eq!(
        dom::select(&tags, "tr", "family-row").len(),
        FAMILIES.len(),
        "one heading row per family"
    );

    let rows: Vec<(&str, &str)> = dom::select(&tags, "tr", "rule-row")
        .iter()
        .map(|t| (t.attr("data-rule").unwrap(), t.attr("data-family").unwrap()))
        .collect();
    assert_eq!(rows, RULE_ROWS.to_vec(), "rule rows grouped by family");

    let cells = dom::select(&tags, "td", "cell");
    assert_eq!(
        cells.len(),
        RULE_ROWS.len() * RUNS.len(),
        "a cell per rule and run"
    );
    for (i, (rule, states)) in EXPECTED_STATES.iter().enumerate() {
        for (run, state) in states.iter().enumerate() {
            let cell = cells[i * RUNS.len() + run];
            assert_eq!(cell.attr("data-rule"), Some(*rule));
            assert_eq!(cell.attr("data-run"), Some(run.to_string().as_str()));
            assert_eq!(
                cell.attr("data-state"),
                Some(*state),
                "state of {rule} on {}/{}",
                RUNS[run].0,
                RUNS[run].1
            );
            assert!(
                cell.has_class(&format!("state-{state}")),
                "class of {rule} on run {run}: {:?}",
                cell.attr("class")
            );
        }
    }
    // The expected failure's cell is marked as such, and only it.
    let xfail: Vec<(&str, &str)> = cells
        .iter()
        .filter(|c| c.has_class("xfail"))
        .map(|c| (c.attr("data-rule").unwrap(), c.attr("data-run").unwrap()))
        .collect();
    assert_eq!(xfail, vec![("DOACTION-NULL-ACTION", "3")]);
    // Rows no case cites say so.
    let uncovered: Vec<&str> = dom::select(&tags, "tr", "rule-row")
        .iter()
        .filter(|t| t.attr("data-covered") == Some("false"))
        .map(|t| t.attr("data-rule").unwrap())
        .collect();
    assert_eq!(
        uncovered,
        vec!["SEQ-TERMINATION-ACTIONS", "CA-COM-APARTMENT"]
    );
}

/// The broken runtime the real report runs beside the reference.
pub const REAL_BROKEN: &str = "deferred-sees-all-properties";

/// A report of the real suite (`cases/`): the reference and one broken
/// runtime under both profiles, as `msiconf run --runtime reference --runtime
/// broken:deferred-sees-all-properties --profile documented --profile windows`
/// builds it. The model runs a case in well under a millisecond, so this is cheap.
pub fn real_report() -> Report {
    use msiconf::case::{load_dir, KnownRules};
    use msiconf::runner::{run_one, RunOptions, RunSpec, Silent};
    use msiconf::runtimes::ModelRuntime;
    use msiconf_spec::model::Deviation;
    use std::sync::Arc;

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let suite = load_dir(&root, &KnownRules::catalog()).expect("the cases folder is readable");
    let mut runs = Vec::new();
    for make in [
        ModelRuntime::reference as fn(Profile) -> ModelRuntime,
        |p| {
            ModelRuntime::broken(
                Deviation::from_name(REAL_BROKEN).expect("the deviation exists"),
                p,
            )
        },
    ] {
        for profile in Profile::ALL {
            let spec = RunSpec {
                runtime: Arc::new(make(profile)),
                profile,
            };
            runs.push(run_one(
                &suite.cases,
                &spec,
                &RunOptions::default(),
                &Silent,
            ));
        }
    }
    let mut report = msiconf::report::build(runs, &suite);
    report.provenance = Some(msiconf::report::model::Provenance {
        started: "2026-01-02T03:04:05Z".to_owned(),
        command_line: vec!["msiconf".to_owned(), "run".to_owned()],
        cases: root.display().to_string(),
        suite_revision: msiconf::case::dir_revision(&root).expect("the cases folder is readable"),
        host: msiconf::report::model::Host::this(),
    });
    report
}
