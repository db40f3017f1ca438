//! The example runtime in Python (examples/python/msiconf_runtime.py), driven
//! through `cmd:`. Its answers are checked against the rule catalog directly,
//! call by call, so the test shows both that the protocol works from another
//! language and that the example really implements what it declares.

use msiconf::runtime::{Runtime, RuntimeError};
use msiconf::runtimes::process::{ProcessOptions, ProcessRuntime};
use msiconf_spec::codes::rc;
use msiconf_spec::fixture::{CustomActionRow, PropertyRow, SequenceRow};
use msiconf_spec::{
    Buffer, Context, Fixture, HandleArg, InstallOptions, OpKind, Operation, Outcome, Plan,
    PlanBuilder, Transcript,
};
use std::sync::OnceLock;
use std::time::Duration;

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/python/msiconf_runtime.py"
);

fn runtime() -> &'static ProcessRuntime {
    static RT: OnceLock<ProcessRuntime> = OnceLock::new();
    RT.get_or_init(|| {
        ProcessRuntime::from_spec(
            &format!("cmd:python3 {EXAMPLE}"),
            ProcessOptions {
                handshake_timeout: Duration::from_secs(30),
                ..ProcessOptions::default()
            },
        )
        .expect("the Python example starts")
    })
}

fn run(plan: &Plan) -> Transcript {
    let rt = runtime();
    assert_eq!(rt.info().unsupported_reason(plan), None);
    rt.execute(plan, Duration::from_secs(30))
        .expect("the plan runs")
}

/// The outcomes of one probe's steps, in order.
fn outcomes(t: &Transcript, probe: &str) -> Vec<Outcome> {
    t.events
        .iter()
        .filter(|e| e.probe == probe)
        .map(|e| e.outcome.clone())
        .collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn get(name: &str, buffer: Buffer, ansi: bool) -> Operation {
    Operation::GetProperty {
        name: s(name),
        buffer,
        ansi,
        handle: HandleArg::Session,
    }
}

fn set(name: Option<&str>, value: Option<&str>, handle: HandleArg) -> Operation {
    Operation::SetProperty {
        ansi: false,
        name: name.map(str::to_owned),
        value: value.map(str::to_owned),
        handle,
    }
}

fn full(rc: u32, value: Option<&str>, size: Option<u32>) -> Outcome {
    Outcome {
        rc: Some(rc),
        value: value.map(str::to_owned),
        size,
        ..Outcome::default()
    }
}

fn do_action(action: Option<&str>, handle: HandleArg) -> Operation {
    Operation::DoAction {
        action: action.map(str::to_owned),
        handle,
    }
}

#[test]
fn the_handshake_declares_the_subset_and_other_plans_are_skipped() {
    let info = runtime().info();
    assert_eq!(info.name, format!("cmd:python3 {EXAMPLE}"));
    assert_eq!(info.version, "msiconf-python-example 0.1.0");
    assert_eq!(
        info.contexts,
        vec![
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit
        ]
    );
    assert!(info.operations.contains(&OpKind::GetProperty));
    assert!(!info.operations.contains(&OpKind::FormatRecord));

    let mut b = PlanBuilder::new(Fixture::standard());
    b.step(Context::Deferred, None, Operation::GetLanguage);
    let reason = info.unsupported_reason(&b.build()).unwrap();
    assert!(
        reason.contains("does not support context `deferred`"),
        "{reason}"
    );
}

#[test]
fn get_property_buffer_rules_on_the_package_handle() {
    // PROP-GET-BUFFER and PROP-GET-UNDEFINED-EMPTY.
    let mut b = PlanBuilder::new(Fixture::standard());
    let p = Context::Package;
    b.step(p, None, set(Some("prop"), Some("xyz"), HandleArg::Session));
    for n in [0, 1, 3, 4] {
        b.step(p, None, get("prop", Buffer::Sized(n), true));
    }
    b.step(p, None, get("prop", Buffer::Sized(3), false));
    b.step(p, None, get("boo", Buffer::Ample, true));
    b.step(p, None, get("boo", Buffer::Sized(0), true));
    let t = run(&b.build());
    assert_eq!(
        outcomes(&t, "@package"),
        vec![
            Outcome::rc(0),
            full(rc::MORE_DATA, None, Some(3)),
            full(rc::MORE_DATA, Some(""), Some(3)),
            full(rc::MORE_DATA, Some("xy"), Some(3)),
            full(0, Some("xyz"), Some(3)),
            full(rc::MORE_DATA, Some("xy"), Some(3)),
            full(0, Some(""), Some(0)),
            full(rc::MORE_DATA, None, Some(0)),
        ]
    );
}

#[test]
fn ansi_sizes_are_bytes_inside_a_custom_action() {
    // PROP-GET-REMOTE-BYTES.
    let mut b = PlanBuilder::new(Fixture::standard());
    let c = Context::ImmediateBeforeInit;
    b.step(c, None, set(Some("prop"), Some("xyz"), HandleArg::Session));
    b.step(c, None, get("prop", Buffer::NullBuffer(0), true));
    b.step(c, None, get("prop", Buffer::Sized(3), true));
    b.step(c, None, get("prop", Buffer::Sized(4), true));
    b.step(c, None, get("prop", Buffer::Sized(3), false));
    let t = run(&b.build());
    assert_eq!(
        outcomes(&t, "ProbeImmediate"),
        vec![
            Outcome::rc(0),
            full(0, None, Some(6)),
            full(rc::MORE_DATA, Some("xy"), Some(6)),
            full(0, Some("xyz"), Some(3)),
            full(rc::MORE_DATA, Some("xy"), Some(3)),
        ]
    );
}

#[test]
fn property_argument_rules() {
    // PROP-GET-ARGS, PROP-SET-ARGS, PROP-SET-EMPTY-DELETES, PROP-CASE-SENSITIVE.
    let mut b = PlanBuilder::new(Fixture::standard());
    let p = Context::Package;
    let steps = [
        Operation::GetProperty {
            name: None,
            buffer: Buffer::NullBoth,
            ansi: true,
            handle: HandleArg::Zero,
        },
        get("boo", Buffer::NullBoth, true),
        get("boo", Buffer::NullSize, true),
        set(Some("Prop"), Some("Val"), HandleArg::Zero),
        set(Some("Prop"), Some("Val"), HandleArg::Bogus),
        set(None, Some("Val"), HandleArg::Session),
        set(Some(""), Some("Val"), HandleArg::Session),
        set(Some(""), None, HandleArg::Session),
        set(Some("boo"), Some("xyz"), HandleArg::Session),
        get("BOO", Buffer::Ample, false),
        set(Some("boo"), Some(""), HandleArg::Session),
        get("boo", Buffer::Ample, false),
    ];
    for op in steps {
        b.step(p, None, op);
    }
    let t = run(&b.build());
    assert_eq!(
        outcomes(&t, "@package"),
        vec![
            Outcome::rc(rc::INVALID_PARAMETER),
            Outcome::rc(0),
            Outcome::rc(rc::INVALID_PARAMETER),
            Outcome::rc(rc::INVALID_HANDLE),
            Outcome::rc(rc::INVALID_HANDLE),
            Outcome::rc(rc::INVALID_PARAMETER),
            Outcome::rc(rc::FUNCTION_FAILED),
            Outcome::rc(0),
            Outcome::rc(0),
            full(0, Some(""), Some(0)),
            Outcome::rc(0),
            full(0, Some(""), Some(0)),
        ]
    );
}

#[test]
fn do_action_is_case_sensitive_and_checks_its_arguments() {
    // DOACTION-CASE, DOACTION-UNKNOWN, DOACTION-NULL-ACTION (Windows), DOACTION-NESTED.
    let mut fixture = Fixture::standard();
    fixture.custom_actions.push(CustomActionRow {
        action: "SetNested".into(),
        kind: 51,
        source: s("nested"),
        target: s("[ProductLanguage]-1"),
    });
    let mut b = PlanBuilder::new(fixture);
    let c = Context::ImmediateAfterInit;
    for op in [
        do_action(Some("CostInitialize"), HandleArg::Session),
        do_action(Some("costinitialize"), HandleArg::Session),
        do_action(Some("boo"), HandleArg::Session),
        do_action(None, HandleArg::Bogus),
        do_action(Some("boo"), HandleArg::Zero),
        do_action(Some("setnested"), HandleArg::Session),
        get("nested", Buffer::Ample, false),
        do_action(Some("SetNested"), HandleArg::Session),
        get("nested", Buffer::Ample, false),
    ] {
        b.step(c, None, op);
    }
    let t = run(&b.build());
    assert_eq!(
        outcomes(&t, "ProbeWindow"),
        vec![
            Outcome::rc(0),
            Outcome::rc(rc::FUNCTION_NOT_CALLED),
            Outcome::rc(rc::FUNCTION_NOT_CALLED),
            Outcome::rc(rc::INVALID_PARAMETER),
            Outcome::rc(rc::INVALID_HANDLE),
            Outcome::rc(rc::FUNCTION_NOT_CALLED),
            full(0, Some(""), Some(0)),
            Outcome::rc(0),
            full(0, Some("1033-1"), Some(6)),
        ]
    );
    assert_eq!(t.run_count("ProbeWindow"), 1);
    assert_eq!(t.install_result, Some(0));
}

#[test]
fn run_modes_and_language() {
    // RUNMODE-IMM-VS-DEF, RUNMODE-VALUES-IMM, SESSION-MODE-SETTABLE (C form), CA-MISC-STATE-APIS.
    let mut b = PlanBuilder::new(Fixture::standard());
    let c = Context::ImmediateBeforeInit;
    let mode = |m| Operation::GetMode {
        mode: m,
        handle: HandleArg::Session,
    };
    for op in [
        mode(16),
        mode(17),
        mode(18),
        mode(2),
        Operation::SetMode {
            mode: 6,
            state: true,
        },
        mode(6),
        Operation::SetMode {
            mode: 2,
            state: true,
        },
        Operation::GetMode {
            mode: 2,
            handle: HandleArg::Zero,
        },
        Operation::GetLanguage,
        Operation::SetInstallLevel { level: 123 },
        get("INSTALLLEVEL", Buffer::Ample, false),
    ] {
        b.step(c, None, op);
    }
    let t = run(&b.build());
    assert_eq!(
        outcomes(&t, "ProbeImmediate"),
        vec![
            Outcome::number(0),
            Outcome::number(0),
            Outcome::number(0),
            Outcome::number(0),
            Outcome::rc(0),
            Outcome::number(1),
            Outcome::rc(rc::ACCESS_DENIED),
            Outcome::number(0),
            Outcome::number(1033),
            Outcome::rc(0),
            full(0, Some("123"), Some(3)),
        ]
    );
}

#[test]
fn the_top_level_action_is_upper_cased_and_unknown_ones_fail() {
    // ACTION-PROP-UPPERCASE.
    let mut b = PlanBuilder::new(Fixture::standard());
    b.probe("ProbeImmediate", Context::ImmediateBeforeInit);
    let mut options = InstallOptions::default();
    options.properties.insert("ACTION".into(), "custom".into());
    b.install(options);
    let t = run(&b.build());
    assert_eq!(t.install_result, Some(rc::INSTALL_FAILURE));
    assert_eq!(t.actions.len(), 1);
    assert_eq!(t.actions[0].name, "CUSTOM");
    assert_eq!(t.actions[0].result, Some(0));
    assert_eq!(t.run_count("ProbeImmediate"), 0);
}

#[test]
fn custom_action_return_codes_decide_the_install_result() {
    // CA-RET-SUCCESS, CA-RET-USEREXIT, CA-RET-NO-MORE-ITEMS, CA-RET-OTHER, CA-RET-SUSPEND.
    for (returns, result, later_runs) in [
        (0, 0, 1),
        (1626, 0, 1),
        (1602, 1602, 0),
        (259, 0, 0),
        (1, 1603, 0),
        (1604, 1604, 0),
    ] {
        let mut b = PlanBuilder::new(Fixture::standard());
        b.probe("ProbeImmediate", Context::ImmediateBeforeInit);
        b.probe("ProbeWindow", Context::ImmediateAfterInit);
        b.returns("ProbeImmediate", returns);
        let t = run(&b.build());
        assert_eq!(
            t.install_result,
            Some(result),
            "a probe returning {returns}"
        );
        assert_eq!(t.run_count("ProbeImmediate"), 1);
        assert_eq!(
            t.run_count("ProbeWindow"),
            later_runs,
            "a probe returning {returns}"
        );
    }
}

#[test]
fn only_public_properties_come_from_the_command_line() {
    // PROP-PUBLIC-PRIVATE.
    let mut b = PlanBuilder::new(Fixture::standard());
    b.step(
        Context::ImmediateBeforeInit,
        None,
        get("MYPROP", Buffer::Ample, false),
    );
    b.step(
        Context::ImmediateBeforeInit,
        None,
        get("myProp", Buffer::Ample, false),
    );
    let mut options = InstallOptions::default();
    options.properties.insert("MYPROP".into(), "1".into());
    options.properties.insert("myProp".into(), "1".into());
    b.install(options);
    let t = run(&b.build());
    assert_eq!(
        outcomes(&t, "ProbeImmediate"),
        vec![full(0, Some("1"), Some(1)), full(0, Some(""), Some(0))]
    );
}

#[test]
fn the_ui_sequence_runs_at_full_ui_and_hands_over_to_the_execute_sequence() {
    let mut b = PlanBuilder::new(Fixture::standard());
    b.step(
        Context::ImmediateUi,
        None,
        set(s("FROMUI").as_deref(), Some("1"), HandleArg::Session),
    );
    b.step(
        Context::ImmediateBeforeInit,
        None,
        get("FROMUI", Buffer::Ample, false),
    );
    let plan = b.build();
    assert!(plan.install.as_ref().unwrap().ui.runs_ui_sequence());
    let t = run(&plan);
    let order: Vec<&str> = t.runs.iter().map(|r| r.probe.as_str()).collect();
    assert_eq!(order, vec!["ProbeUi", "ProbeImmediate"]);
    assert_eq!(
        outcomes(&t, "ProbeImmediate"),
        vec![full(0, Some("1"), Some(1))]
    );
    assert_eq!(t.install_result, Some(0));
}

#[test]
fn what_the_example_cannot_model_is_answered_as_unsupported() {
    let mut fixture = Fixture::standard();
    fixture.execute_sequence.push(SequenceRow {
        action: "CostFinalize".into(),
        condition: s("NOT Installed"),
        sequence: 1001,
    });
    fixture.properties.push(PropertyRow {
        name: "X".into(),
        value: "1".into(),
    });
    let mut b = PlanBuilder::new(fixture);
    b.probe("ProbeImmediate", Context::ImmediateBeforeInit);
    match runtime().execute(&b.build(), Duration::from_secs(30)) {
        Err(RuntimeError::Unsupported { reason }) => {
            assert!(
                reason.contains("sequence conditions are not modelled"),
                "{reason}"
            )
        }
        other => panic!("expected unsupported, got {other:?}"),
    }
}

#[test]
fn the_example_passes_every_case_of_the_suite_it_can_run() {
    // The whole suite through the real command line: every case the example
    // declares support for must pass, and the rest must be skips, not errors.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let report = tempfile::tempdir().unwrap();
    let report_path = report.path().join("report.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_msiconf"))
        .current_dir(root)
        .args([
            "run",
            "--runtime",
            &format!("cmd:python3 {EXAMPLE}"),
            "--report",
        ])
        .arg(format!("json={}", report_path.display()))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    let totals = &report["runs"][0]["totals"];
    assert_eq!(totals["failed"], 0, "{totals}\n{log}");
    assert_eq!(totals["errors"], 0, "{totals}\n{log}");
    assert!(totals["passed"].as_u64().unwrap() >= 100, "{totals}");
    assert!(
        output.status.success(),
        "msiconf run exited with {}\n{log}",
        output.status
    );
}
