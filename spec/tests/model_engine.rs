//! The model's install engine, through whole plans: sequences, custom-action
//! dispatch and return codes, the deferred script, rollback and commit.

mod model_support;

use model_support::*;
use msiconf_spec::codes::catype::*;
use msiconf_spec::model::run;
use msiconf_spec::{Context, Fixture, InstallOptions, Operation, Profile, Transcript, UiLevel};
use rstest::rstest;
use std::collections::BTreeMap;

fn install(props: &[(&str, &str)]) -> InstallOptions {
    InstallOptions {
        properties: props
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        ui: UiLevel::None,
    }
}

/// One probe custom action of `kind` at `position`, returning `returns`.
fn one_probe(kind: u32, returns: u32, steps: Vec<Operation>) -> Transcript {
    let f = fixture_with(vec![(ca("P", kind, Some("probe"), Some("Probe")), 1450)]);
    run(
        &plan(
            f,
            &[("P", Context::ImmediateBeforeInit, steps, returns)],
            install(&[]),
        ),
        &config(Profile::Windows),
    )
}

#[rstest]
#[case::success(DLL_BINARY, 0, 0)]
#[case::not_called(DLL_BINARY, 1626, 0)]
#[case::user_exit(DLL_BINARY, 1602, 1602)]
#[case::suspend(DLL_BINARY, 1604, 1604)]
#[case::skip_remaining(DLL_BINARY, 259, 0)]
#[case::other(DLL_BINARY, 1, 1603)]
#[case::continue_bit(DLL_BINARY | CONTINUE, 1, 0)]
#[case::exe_zero(EXE_BINARY, 0, 0)]
#[case::exe_nonzero(EXE_BINARY, 3, 1603)]
#[case::exe_continue(EXE_BINARY | CONTINUE, 3, 0)]
#[case::script_success(JSCRIPT_BINARY, 1, 0)]
#[case::script_failure(JSCRIPT_BINARY, 3, 1603)]
#[case::script_user_exit(JSCRIPT_BINARY, 2, 1602)]
fn custom_action_return_mapping(#[case] kind: u32, #[case] returns: u32, #[case] result: u32) {
    let t = one_probe(kind, returns, vec![]);
    assert_eq!(t.install_result, Some(result));
    assert_eq!(t.run_count("P"), 1);
}

#[test]
fn skip_remaining_stops_the_sequence() {
    let t = one_probe(DLL_BINARY, 259, vec![]);
    let names: Vec<&str> = t.actions.iter().map(|a| a.name.as_str()).collect();
    assert!(!names.contains(&"InstallInitialize"), "{names:?}");
    let p = t.actions.iter().find(|a| a.name == "P").unwrap();
    assert_eq!(p.result, Some(5));
}

#[test]
fn type19_and_type51() {
    let f = fixture_with(vec![
        (
            ca("Good", SET_PROPERTY, Some("MYPROP"), Some("4[TWO]")),
            100,
        ),
        (ca("Bad", SET_PROPERTY, Some(""), Some("MYPROP")), 101),
        (
            ca(
                "Esc",
                SET_PROPERTY,
                Some("ESC"),
                Some(r"[\[]Bracket Text[\]]"),
            ),
            102,
        ),
        (ca("P", DLL_BINARY, Some("probe"), Some("Probe")), 1450),
    ]);
    let p = plan(
        f,
        &[(
            "P",
            Context::ImmediateBeforeInit,
            vec![get("MYPROP"), get("ESC")],
            0,
        )],
        install(&[("TWO", "2")]),
    );
    let t = run(&p, &config(Profile::Windows));
    assert_eq!(t.install_result, Some(0));
    let o = probe_outcomes(&t, "P");
    assert_eq!(value(&o[0]), "42");
    assert_eq!(value(&o[1]), "[Bracket Text]");
    let f = fixture_with(vec![(ca("Err", ERROR, None, Some("no")), 100)]);
    let t = run(&plan(f, &[], install(&[])), &config(Profile::Windows));
    assert_eq!(t.install_result, Some(1603));
}

#[test]
fn custom_action_data_is_captured_at_scheduling() {
    // setprop (51) writes the property named like the deferred action; a later one changes it.
    let f = fixture_with(vec![
        (
            ca("SetDef", SET_PROPERTY, Some("Def"), Some("[TESTPATH]")),
            1510,
        ),
        (
            ca("Def", DLL_BINARY | IN_SCRIPT, Some("probe"), Some("Probe")),
            1520,
        ),
        (ca("SetLater", SET_PROPERTY, Some("Def"), Some("B")), 1530),
        (
            ca("def", DLL_BINARY | IN_SCRIPT, Some("probe"), Some("Probe")),
            1540,
        ),
    ]);
    let p = plan(
        f,
        &[
            (
                "Def",
                Context::Deferred,
                vec![get("CustomActionData"), get("TESTPATH")],
                0,
            ),
            ("def", Context::Deferred, vec![get("CustomActionData")], 0),
        ],
        install(&[("TESTPATH", r"c:\x")]),
    );
    let t = run(&p, &config(Profile::Windows));
    assert_eq!(t.install_result, Some(0));
    let o = probe_outcomes(&t, "Def");
    assert_eq!(value(&o[0]), r"c:\x");
    assert_eq!(value(&o[1]), "");
    // The match is case-sensitive: `def` has no property of its own name.
    assert_eq!(value(&probe_outcomes(&t, "def")[0]), "");
}

#[test]
fn deferred_actions_run_from_the_script_after_immediate_ones() {
    let f = fixture_with(vec![
        (
            ca("Def", DLL_BINARY | IN_SCRIPT, Some("probe"), Some("Probe")),
            1520,
        ),
        (ca("Imm", DLL_BINARY, Some("probe"), Some("Probe")), 1530),
    ]);
    let p = plan(
        f,
        &[
            ("Def", Context::Deferred, vec![mode(16)], 0),
            ("Imm", Context::ImmediateAfterInit, vec![mode(16)], 0),
        ],
        install(&[]),
    );
    let t = run(&p, &config(Profile::Windows));
    let order: Vec<&str> = t.runs.iter().map(|r| r.probe.as_str()).collect();
    assert_eq!(order, vec!["Imm", "Def"]);
}

#[test]
fn deferred_set_property_has_no_effect_later() {
    let f = fixture_with(vec![
        (
            ca("Def", DLL_BINARY | IN_SCRIPT, Some("probe"), Some("Probe")),
            1520,
        ),
        (ca("After", DLL_BINARY, Some("probe"), Some("Probe")), 6700),
    ]);
    let p = plan(
        f,
        &[
            ("Def", Context::Deferred, vec![set(Some("X"), Some("1"))], 0),
            ("After", Context::ImmediateBeforeInit, vec![get("X")], 0),
        ],
        install(&[]),
    );
    let t = run(&p, &config(Profile::Windows));
    assert_ne!(probe_outcomes(&t, "Def")[0].rc, Some(0));
    assert_eq!(value(&probe_outcomes(&t, "After")[0]), "");
}

#[test]
fn rollback_runs_in_reverse_on_failure_and_commit_does_not() {
    let f = fixture_with(vec![
        (
            ca(
                "Rb1",
                DLL_BINARY | IN_SCRIPT | ROLLBACK,
                Some("probe"),
                Some("Probe"),
            ),
            1510,
        ),
        (
            ca(
                "Rb2",
                DLL_BINARY | IN_SCRIPT | ROLLBACK,
                Some("probe"),
                Some("Probe"),
            ),
            1520,
        ),
        (
            ca(
                "Cm",
                DLL_BINARY | IN_SCRIPT | COMMIT,
                Some("probe"),
                Some("Probe"),
            ),
            1530,
        ),
        (
            ca("Fail", DLL_BINARY | IN_SCRIPT, Some("probe"), Some("Probe")),
            1540,
        ),
        (
            ca(
                "Rb3",
                DLL_BINARY | IN_SCRIPT | ROLLBACK,
                Some("probe"),
                Some("Probe"),
            ),
            1550,
        ),
    ]);
    let probes = [
        ("Rb1", Context::Rollback, vec![mode(17)], 0),
        ("Rb2", Context::Rollback, vec![mode(17)], 0),
        ("Cm", Context::Commit, vec![], 0),
        ("Fail", Context::Deferred, vec![], 1603),
        ("Rb3", Context::Rollback, vec![], 0),
    ];
    let t = run(
        &plan(f.clone(), &probes, install(&[])),
        &config(Profile::Windows),
    );
    assert_eq!(t.install_result, Some(1603));
    let order: Vec<&str> = t.runs.iter().map(|r| r.probe.as_str()).collect();
    // Rb3 comes after the failing action in the script, so it was never armed.
    assert_eq!(order, vec!["Fail", "Rb2", "Rb1"]);
    assert_eq!(probe_outcomes(&t, "Rb1")[0].number, Some(1));
    // With rollback disabled, neither rollback nor commit actions run.
    let t = run(
        &plan(f, &probes, install(&[("DISABLEROLLBACK", "1")])),
        &config(Profile::Windows),
    );
    let order: Vec<&str> = t.runs.iter().map(|r| r.probe.as_str()).collect();
    assert_eq!(order, vec!["Fail"]);
}

#[test]
fn commit_runs_after_a_successful_finalize_unless_rollback_is_disabled() {
    let f = fixture_with(vec![
        (
            ca(
                "Cm",
                DLL_BINARY | IN_SCRIPT | COMMIT,
                Some("probe"),
                Some("Probe"),
            ),
            1530,
        ),
        (
            ca("Def", DLL_BINARY | IN_SCRIPT, Some("probe"), Some("Probe")),
            1540,
        ),
        (
            ca(
                "Rb",
                DLL_BINARY | IN_SCRIPT | ROLLBACK,
                Some("probe"),
                Some("Probe"),
            ),
            1520,
        ),
    ]);
    let probes = [
        ("Cm", Context::Commit, vec![mode(18), mode(16)], 0),
        ("Def", Context::Deferred, vec![], 0),
        ("Rb", Context::Rollback, vec![], 0),
    ];
    let t = run(
        &plan(f.clone(), &probes, install(&[])),
        &config(Profile::Windows),
    );
    let order: Vec<&str> = t.runs.iter().map(|r| r.probe.as_str()).collect();
    assert_eq!(order, vec!["Def", "Cm"]);
    let o = probe_outcomes(&t, "Cm");
    assert_eq!((o[0].number, o[1].number), (Some(1), Some(0)));
    let t = run(
        &plan(f, &probes, install(&[("DISABLEROLLBACK", "1")])),
        &config(Profile::Windows),
    );
    assert_eq!(t.run_count("Cm"), 0);
}

#[test]
fn termination_actions_follow_the_ending() {
    let mut f = fixture_with(vec![(
        ca("P", DLL_BINARY, Some("probe"), Some("Probe")),
        1450,
    )]);
    for (name, position) in [("Exit", -1), ("UserExit", -2), ("Fatal", -3), ("Never", 0)] {
        f.custom_actions
            .push(ca(name, DLL_BINARY, Some("probe"), Some("Probe")));
        f.execute_sequence.push(seq(name, position));
    }
    let probes = |returns| {
        vec![
            ("P", Context::ImmediateBeforeInit, vec![], returns),
            ("Exit", Context::ImmediateBeforeInit, vec![], 0),
            ("UserExit", Context::ImmediateBeforeInit, vec![], 0),
            ("Fatal", Context::ImmediateBeforeInit, vec![], 0),
            ("Never", Context::ImmediateBeforeInit, vec![], 0),
        ]
    };
    for (returns, ran) in [(0, "Exit"), (1, "Fatal"), (1602, "UserExit")] {
        let t = run(
            &plan(f.clone(), &probes(returns), install(&[])),
            &config(Profile::Windows),
        );
        let runs: Vec<&str> = t
            .runs
            .iter()
            .map(|r| r.probe.as_str())
            .filter(|p| *p != "P")
            .collect();
        assert_eq!(runs, vec![ran], "returns {returns}");
    }
}

#[test]
fn bad_condition_fails_the_install() {
    let mut f = fixture_with(vec![(
        ca("P", DLL_BINARY, Some("probe"), Some("Probe")),
        1450,
    )]);
    f.execute_sequence.last_mut().unwrap().condition = Some("=".into());
    let t = run(
        &plan(
            f,
            &[("P", Context::ImmediateBeforeInit, vec![], 0)],
            install(&[]),
        ),
        &config(Profile::Windows),
    );
    assert_eq!(t.install_result, Some(1603));
    assert_eq!(t.run_count("P"), 0);
}

#[rstest]
#[case::custom("custom", "CUSTOM", 0, 1603)]
#[case::install("", "INSTALL", 1, 0)]
#[case::lower_install("install", "INSTALL", 1, 0)]
fn top_level_action_is_upper_cased(
    #[case] action: &str,
    #[case] name: &str,
    #[case] logged: i64,
    #[case] result: u32,
) {
    let props: Vec<(&str, &str)> = if action.is_empty() {
        vec![]
    } else {
        vec![("ACTION", action)]
    };
    let t = run(
        &plan(Fixture::standard(), &[], install(&props)),
        &config(Profile::Windows),
    );
    assert_eq!(t.actions[0].name, name);
    assert_eq!(t.actions[0].result, Some(logged));
    assert_eq!(t.install_result, Some(result));
}

#[test]
fn null_action_profiles() {
    let step = [(Context::ImmediateBeforeInit, do_action(None))];
    let w = run_steps(&step, &config(Profile::Windows));
    assert_eq!(w.events[0].outcome.rc, Some(87));
    let d = run_steps(&step, &config(Profile::Documented));
    // The fallback is INSTALL, which cannot start again inside the running install.
    assert_ne!(d.events[0].outcome.rc, Some(87));
}

#[test]
fn private_properties_stay_in_the_ui_sequence() {
    let mut f = Fixture::standard();
    f.custom_actions
        .push(ca("SetPriv", SET_PROPERTY, Some("privProp"), Some("1")));
    f.custom_actions
        .push(ca("SetPub", SET_PROPERTY, Some("PUBPROP"), Some("1")));
    f.ui_sequence.push(seq("SetPriv", 1001));
    f.ui_sequence.push(seq("SetPub", 1002));
    f.custom_actions
        .push(ca("P", DLL_BINARY, Some("probe"), Some("Probe")));
    f.execute_sequence.push(seq("P", 1450));
    let mut opts = install(&[("MYPROP", "1"), ("myProp", "1")]);
    opts.ui = UiLevel::Full;
    let steps = vec![
        get("privProp"),
        get("PUBPROP"),
        get("MYPROP"),
        get("myProp"),
    ];
    let t = run(
        &plan(f, &[("P", Context::ImmediateBeforeInit, steps, 0)], opts),
        &config(Profile::Windows),
    );
    let o: Vec<&str> = probe_outcomes(&t, "P")
        .iter()
        .map(|o| value(o).to_owned())
        .map(|v| if v.is_empty() { "" } else { "1" })
        .collect();
    assert_eq!(o, vec!["", "1", "1", ""]);
}

#[test]
fn first_sequence_actions_run_once() {
    let mut f = Fixture::standard();
    f.custom_actions.push(ca(
        "Once",
        DLL_BINARY | FIRST_SEQUENCE,
        Some("probe"),
        Some("Probe"),
    ));
    f.ui_sequence.push(seq("Once", 1001));
    f.execute_sequence.push(seq("Once", 1450));
    let mut opts = install(&[]);
    opts.ui = UiLevel::Full;
    let t = run(
        &plan(f, &[("Once", Context::ImmediateUi, vec![], 0)], opts),
        &config(Profile::Windows),
    );
    assert_eq!(t.run_count("Once"), 1);
}

#[test]
fn exe_command_line_is_formatted_at_scheduling() {
    let f = fixture_with(vec![
        (ca("SetX", SET_PROPERTY, Some("X"), Some("before")), 1510),
        (
            ca(
                "Exe",
                EXE_BINARY | IN_SCRIPT,
                Some("probeexe"),
                Some("run [X] [ProductCode]"),
            ),
            1520,
        ),
        (ca("SetY", SET_PROPERTY, Some("X"), Some("after")), 1530),
    ]);
    let p = plan(
        f,
        &[(
            "Exe",
            Context::Exe,
            vec![Operation::CommandLine, Operation::HasSession],
            0,
        )],
        install(&[]),
    );
    let t = run(&p, &config(Profile::Windows));
    let o = probe_outcomes(&t, "Exe");
    assert_eq!(
        value(&o[0]),
        format!(
            "run before {}",
            Fixture::standard().property("ProductCode").unwrap()
        )
    );
    assert_eq!(o[1].number, Some(0));
}

#[test]
fn nested_actions_share_properties_and_sequence_order() {
    let mut f = Fixture::standard();
    f.custom_actions
        .push(ca("nested51", SET_PROPERTY, Some("nested"), Some("1")));
    f.custom_actions
        .push(ca("nested1", DLL_BINARY, Some("probe"), Some("Probe")));
    f.custom_actions
        .push(ca("Outer", DLL_BINARY, Some("probe"), Some("Probe")));
    f.execute_sequence.push(seq("Outer", 1450));
    f.tables.push(msiconf_spec::fixture::Table {
        name: "TestSequence".into(),
        columns: vec![
            msiconf_spec::fixture::Column {
                name: "Action".into(),
                kind: "s72".into(),
                key: true,
            },
            msiconf_spec::fixture::Column {
                name: "Condition".into(),
                kind: "S255".into(),
                key: false,
            },
            msiconf_spec::fixture::Column {
                name: "Sequence".into(),
                kind: "I2".into(),
                key: false,
            },
        ],
        rows: vec![
            vec!["nested1".into(), "".into(), "1".into()],
            vec!["nested51".into(), "".into(), "2".into()],
        ],
    });
    let outer = vec![
        do_action(Some("nested51")),
        get("nested"),
        do_action(Some("nested1")),
        get("nested"),
        Operation::Sequence { table: None },
        Operation::Sequence {
            table: st("TestSequence"),
        },
        get("nested"),
    ];
    let p = plan(
        f,
        &[
            ("Outer", Context::ImmediateBeforeInit, outer, 0),
            (
                "nested1",
                Context::ImmediateBeforeInit,
                vec![set(Some("nested"), Some("2"))],
                0,
            ),
        ],
        install(&[]),
    );
    let t = run(&p, &config(Profile::Windows));
    let o = probe_outcomes(&t, "Outer");
    assert_eq!(o[0].rc, Some(0));
    assert_eq!(value(&o[1]), "1");
    assert_eq!(value(&o[3]), "2");
    assert_eq!(o[4].rc, Some(87));
    assert_eq!(o[5].rc, Some(0));
    assert_eq!(value(&o[6]), "1");
}

#[test]
fn package_script_then_install_sees_committed_rows() {
    let mut b = msiconf_spec::PlanBuilder::new(Fixture::standard());
    for op in [
        active_db(),
        sql("INSERT INTO `Property` (`Property`, `Value`) VALUES ('COMMITTED', 'yes')"),
        Operation::Commit { db: "db".into() },
    ] {
        b.step(Context::Package, None, op);
    }
    b.step(Context::ImmediateBeforeInit, None, get("COMMITTED"));
    let t = run(&b.build(), &config(Profile::Windows));
    assert_eq!(value(&t.events[3].outcome), "yes");
    assert_eq!(t.install_result, Some(0));
}

#[test]
fn recursion_is_bounded() {
    let f = fixture_with(vec![(
        ca("Loop", DLL_BINARY, Some("probe"), Some("Probe")),
        1450,
    )]);
    let steps = vec![do_action(Some("Loop")), do_action(Some("Loop"))];
    let t = run(
        &plan(
            f,
            &[("Loop", Context::ImmediateBeforeInit, steps, 0)],
            install(&[]),
        ),
        &config(Profile::Windows),
    );
    // Stepped runs stop at the budget; every stepped run starts at most two more.
    assert!(t.runs.len() <= 3 * 4096, "{} runs", t.runs.len());
    // Past the limits the action still returns what its probe returns.
    assert!(t.events.iter().all(|e| e.outcome.rc == Some(0)));
    assert_eq!(t.install_result, Some(0));
}
