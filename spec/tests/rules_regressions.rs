//! Places where the predicates and the reference model once disagreed. Each
//! test runs the model on the plan that showed it and asks for no violation in
//! either profile; where the predicate still has something to say, a
//! hand-built transcript that breaks the rule shows it still says it.

mod common;

use common::cases::*;
use common::*;
use msiconf_spec::codes::catype::*;
use msiconf_spec::model::{run, Config};
use msiconf_spec::rules::facts;
use msiconf_spec::{Buffer, Context, Operation, Plan, Profile, Transcript};
use Context::*;

/// Runs the reference model on `plan` and returns every violation, in both profiles.
fn reference_violations(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for profile in Profile::ALL {
        let config = Config {
            profile,
            deviations: Vec::new(),
        };
        let t = run(plan, &config);
        for v in msiconf_spec::check(plan, &t, profile) {
            out.push(format!("[{profile}] {v}"));
        }
    }
    out
}

fn assert_reference_clean(plan: &Plan) {
    let v = reference_violations(plan);
    assert!(v.is_empty(), "{} violations:\n{}", v.len(), v.join("\n"));
}

/// The rule IDs a transcript draws in the Windows profile.
fn flagged(plan: &Plan, t: &Transcript) -> Vec<String> {
    msiconf_spec::check(plan, t, Profile::Windows)
        .into_iter()
        .map(|v| v.rule.to_string())
        .collect()
}

fn model(plan: &Plan) -> Transcript {
    run(
        plan,
        &Config {
            profile: Profile::Windows,
            deviations: Vec::new(),
        },
    )
}

// 1. `[#file]` in a type-51 Target is a file key, not an undefined property.

#[test]
fn file_key_in_type51_after_costfinalize_is_not_an_empty_property() {
    let (plan, _) = Case::new(|f| {
        ca(f, "SetProbeImmediate", SET_PROPERTY, "Dest", "[#some_file]");
        exec(f, "SetProbeImmediate", 1200);
    })
    .call(ImmediateBeforeInit, gp("Dest"), got(0, "", 0))
    .build();
    assert_reference_clean(&plan);
    // Had the predicate read `[#some_file]` as an undefined property, it would know "" here.
    let pos = facts::probe_position(&plan, "ProbeImmediate").unwrap();
    assert_eq!(
        facts::value_at_position(&plan, "Dest", pos, "ProbeImmediate", false, 0),
        None
    );
}

#[test]
fn plain_properties_in_type51_are_still_settled() {
    let (plan, t) = Case::new(|f| {
        prop(f, "SRC", "abc");
        ca(f, "SetDest", SET_PROPERTY, "Dest", "x[SRC]y");
        exec(f, "SetDest", 1200);
    })
    .call(ImmediateBeforeInit, gp("Dest"), got(0, "wrong", 5))
    .build();
    assert_reference_clean(&plan);
    assert_eq!(flagged(&plan, &t), ["TYPE51-SETPROP"]);
}

// 2. SQL on a slot that holds no database is no question for the SQL rules.

#[test]
fn sql_on_a_package_handle_is_not_judged_by_the_hold_free_rules() {
    let open = Operation::OpenPackage {
        source: Default::default(),
        into: "db".into(),
    };
    let (plan, _) = Case::standard()
        .call(ImmediateBeforeInit, open, handle(1))
        .call(
            ImmediateBeforeInit,
            sql("ALTER TABLE `Property` HOLD"),
            rc(6),
        )
        .call(
            ImmediateBeforeInit,
            sql("ALTER TABLE `Property` FREE"),
            rc(6),
        )
        .build();
    assert_reference_clean(&plan);
}

#[test]
fn hold_free_counts_still_judged_on_the_active_database() {
    let (plan, t) = Case::standard()
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(
            ImmediateBeforeInit,
            sql("CREATE TABLE `T` (`A` INT TEMPORARY PRIMARY KEY `A`) HOLD"),
            rc(0),
        )
        .call(ImmediateBeforeInit, sql("ALTER TABLE `T` FREE"), rc(0))
        // The count is zero: the table is gone, so this must fail with 1615.
        .call(ImmediateBeforeInit, sql("ALTER TABLE `T` HOLD"), rc(0))
        .build();
    assert_reference_clean(&plan);
    assert!(
        flagged(&plan, &t)
            .iter()
            .any(|r| r == "SQL-HOLD-FREE-REFCOUNT"),
        "{:?}",
        flagged(&plan, &t)
    );
}

#[test]
fn tables_of_two_databases_are_tracked_apart() {
    // A temporary table held in the session's database does not exist in the
    // database opened from disk; the model answers 1615 there.
    let (plan, _) = Case::standard()
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(
            ImmediateBeforeInit,
            sql("CREATE TABLE `T` (`A` INT TEMPORARY PRIMARY KEY `A`) HOLD"),
            rc(0),
        )
        .call(
            ImmediateBeforeInit,
            Operation::OpenDatabase {
                into: "disk".into(),
            },
            handle(2),
        )
        .call(
            ImmediateBeforeInit,
            Operation::Sql {
                db: "disk".into(),
                sql: "ALTER TABLE `T` HOLD".into(),
            },
            rc(1615),
        )
        .build();
    assert_reference_clean(&plan);
}

// 3. The install result.

#[test]
fn deferred_action_without_install_initialize_leaves_the_result_unsettled() {
    let (plan, _) = Case::new(|f| {
        f.execute_sequence
            .retain(|r| r.action != "InstallInitialize" && r.action != "InstallFinalize");
    })
    .probe("ProbeDeferred", Deferred, 0)
    .install(&[])
    .build();
    assert_reference_clean(&plan);
    let t = model(&plan);
    assert_eq!(t.install_result, Some(1603));
    assert_eq!(facts::expected_install_result(&plan, &t), None);
}

#[test]
fn deferred_action_inside_the_window_still_settles_the_result() {
    let (plan, _) = Case::standard()
        .probe("ProbeDeferred", Deferred, 0)
        .probe("ProbeWindow", ImmediateAfterInit, 1)
        .install(&[])
        .build();
    assert_reference_clean(&plan);
    let t = model(&plan);
    assert_eq!(
        facts::expected_install_result(&plan, &t),
        Some((1603, "CA-RET-OTHER"))
    );
}

#[test]
fn a_failing_termination_run_does_not_decide_the_result() {
    let (plan, _) = Case::new(|f| {
        ca(f, "ProbeImmediate", DLL_BINARY, "probe", "Probe");
        exec_if(f, "ProbeImmediate", "NOPE", 1450);
        exec(f, "ProbeImmediate", -1);
    })
    .probe("ProbeImmediate", ImmediateBeforeInit, 1)
    .install(&[])
    .build();
    assert_reference_clean(&plan);
    let t = model(&plan);
    assert_eq!(t.install_result, Some(0));
}

#[test]
fn a_conditioned_type19_before_a_cancelling_action_leaves_the_result_unsettled() {
    let (plan, _) = Case::new(|f| {
        ca(f, "Err", ERROR, "", "boom");
        exec_if(f, "Err", "GO", 1300);
    })
    .probe("ProbeImmediate", ImmediateBeforeInit, 1602)
    .install(&[("GO", "1")])
    .build();
    assert_reference_clean(&plan);
    assert_eq!(model(&plan).install_result, Some(1603));
}

#[test]
fn an_unconditioned_type19_still_fails_the_install() {
    let (plan, t) = ret_type19(false);
    assert_reference_clean(&plan);
    assert!(flagged(&plan, &t).iter().any(|r| r == "CA-TYPE19-ERROR"));
}

// 4. MsiDatabaseIsTablePersistent.

#[test]
fn is_table_persistent_on_a_package_handle_and_on_the_in_memory_property_table() {
    let open = Operation::OpenPackage {
        source: Default::default(),
        into: "pkg".into(),
    };
    let (plan, _) = Case::standard()
        .call(ImmediateBeforeInit, open, handle(1))
        .call(
            ImmediateBeforeInit,
            Operation::IsTablePersistent {
                db: "pkg".into(),
                table: Some("Property".into()),
            },
            num(3),
        )
        .call(ImmediateBeforeInit, gad("db"), handle(2))
        .call(
            ImmediateBeforeInit,
            Operation::IsTablePersistent {
                db: "db".into(),
                table: Some("_Property".into()),
            },
            num(0),
        )
        .build();
    assert_reference_clean(&plan);
}

#[test]
fn the_in_memory_property_table_is_temporary() {
    let (plan, t) = Case::standard()
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(
            ImmediateBeforeInit,
            Operation::IsTablePersistent {
                db: "db".into(),
                table: Some("_Property".into()),
            },
            num(1),
        )
        .build();
    assert!(flagged(&plan, &t)
        .iter()
        .any(|r| r == "TABLE-PERSISTENT-QUERY"));
}

// 5. A custom action keyed like a standard action never runs: the standard one does.

#[test]
fn a_custom_action_named_like_a_standard_action_is_shadowed() {
    let (plan, _) = Case::new(|f| {
        ca(f, "CostFinalize", SET_PROPERTY, "Shadow", "set");
        ca(f, "InstallValidate", ERROR, "", "boom");
    })
    .call(Package, da("CostFinalize"), rc(0))
    .call(Package, gp("Shadow"), got(0, "", 0))
    .call(ImmediateBeforeInit, gp("Shadow"), got(0, "", 0))
    .install(&[])
    .build();
    assert_reference_clean(&plan);
    assert_eq!(model(&plan).install_result, Some(0));
    assert!(facts::custom_action(&plan, "CostFinalize").is_none());
}

#[test]
fn a_probe_named_like_a_standard_action_never_runs() {
    let (plan, _) = Case::new(|f| ca(f, "FileCost", DLL_BINARY, "probe", "Probe"))
        .call_in(
            ImmediateBeforeInit,
            Some("ProbeImmediate"),
            da("FileCost"),
            rc(0),
        )
        .probe("FileCost", ImmediateBeforeInit, 1603)
        .build();
    assert_reference_clean(&plan);
    let t = model(&plan);
    assert_eq!(t.install_result, Some(0));
    assert!(t.runs.iter().all(|r| r.probe != "FileCost"));
}

// 6. Sizes count UTF-16 code units.

#[test]
fn sizes_count_utf16_units() {
    assert_eq!(facts::char_len("a\u{1F600}b"), 4);
    assert_eq!(facts::char_len("é"), 1);
    assert_eq!(facts::utf16_prefix("a\u{1F600}b", 3), Some("a\u{1F600}"));
    assert_eq!(facts::utf16_prefix("a\u{1F600}b", 2), None);
    let (plan, t) = Case::new(|f| prop(f, "Wide", "a\u{1F600}b"))
        .call(Package, gp("Wide"), got(0, "a\u{1F600}b", 4))
        .call(
            Package,
            gp_with("Wide", Buffer::Sized(4), false),
            got(234, "a\u{1F600}", 4),
        )
        .build();
    assert_reference_clean(&plan);
    assert!(flagged(&plan, &t).is_empty(), "{:?}", flagged(&plan, &t));
    // Counting characters (3) is what the rule now rejects.
    let (plan, t) = Case::new(|f| prop(f, "Wide", "a\u{1F600}b"))
        .call(Package, gp("Wide"), got(0, "a\u{1F600}b", 3))
        .build();
    assert!(!flagged(&plan, &t).is_empty());
}

// Findings of `msiconf fuzz --runtime reference`.

#[test]
fn skip_remaining_still_lets_a_scheduled_deferred_failure_count() {
    // fuzz seed 1, plan 3005: 259 after InstallInitialize ends the sequence, but
    // the script written so far still runs, and its failing action fails the install.
    let (plan, _) = Case::new(|f| {
        ca(f, "ProbeLater", DLL_BINARY, "probe", "Probe");
        exec(f, "ProbeLater", 1700);
    })
    .probe("ProbeDeferred", Deferred, 234)
    .probe("ProbeLater", ImmediateAfterInit, 259)
    .install(&[])
    .build();
    assert_reference_clean(&plan);
    let t = model(&plan);
    assert_eq!(t.install_result, Some(1603));
    assert_eq!(
        facts::expected_install_result(&plan, &t),
        Some((1603, "CA-RET-OTHER"))
    );
}

#[test]
fn skip_remaining_alone_still_settles_success() {
    let (plan, t) = ret_no_more_items(false);
    assert_reference_clean(&plan);
    assert!(flagged(&plan, &t)
        .iter()
        .any(|r| r == "CA-RET-NO-MORE-ITEMS"));
}

#[test]
fn executeaction_set_by_a_probe_leaves_the_result_unsettled() {
    // fuzz seed 1, plan 5163: EXECUTEACTION names no sequence, so the type-19
    // action of the execute sequence never runs.
    let (plan, _) = Case::new(|f| {
        ca(f, "ErrorAction", ERROR, "", "fatal [ProductName]");
        exec(f, "ErrorAction", 1480);
    })
    .call(ImmediateUi, sp("EXECUTEACTION", Some("1")), rc(0))
    .install_full_ui()
    .build();
    assert_reference_clean(&plan);
    assert_eq!(model(&plan).install_result, Some(0));
}

#[test]
fn runs_in_the_package_handles_session_are_not_the_installs() {
    // fuzz seed 1, plans 1122 and 2463; documented seed 1, plan 3968: DoAction of
    // ExecuteAction or INSTALL on the package handle runs the sequences in a
    // session without the command line, before the install runs them again.
    let exec_action = Operation::DoAction {
        action: Some("ExecuteAction".into()),
        handle: msiconf_spec::HandleArg::Session,
    };
    let (plan, _) = Case::standard()
        .call(Rollback, gp("Nothing"), got(0, "", 0))
        .call(Package, exec_action.clone(), rc(1603))
        .install(&[("DISABLEROLLBACK", "1")])
        .build();
    assert_reference_clean(&plan);
    assert_eq!(model(&plan).run_count("ProbeRollback"), 1);

    let (plan, _) = Case::new(|f| {
        ca(
            f,
            "ProbeFirstSequence",
            DLL_BINARY | 0x100,
            "probe",
            "Probe",
        );
        exec(f, "ProbeFirstSequence", 1456);
        ui(f, "ProbeFirstSequence", 1150);
    })
    .probe("ProbeFirstSequence", ImmediateBeforeInit, 0)
    .call(Package, exec_action, rc(0))
    .install_full_ui()
    .build();
    assert_reference_clean(&plan);
    assert_eq!(model(&plan).run_count("ProbeFirstSequence"), 2);

    let null_action = Operation::DoAction {
        action: None,
        handle: msiconf_spec::HandleArg::Session,
    };
    let (plan, _) = Case::standard()
        .call(Rollback, gp("Nothing"), got(0, "", 0))
        .probe("ProbeUi", ImmediateUi, 259)
        .call(Package, null_action, rc(1603))
        .install_full_ui()
        .build();
    assert_reference_clean(&plan);
    // Only the documented profile runs the ACTION fallback for a Null name.
    let config = Config {
        profile: Profile::Documented,
        deviations: Vec::new(),
    };
    let t = run(&plan, &config);
    assert_eq!(
        (t.run_count("ProbeRollback"), t.install_result),
        (1, Some(0))
    );
}

#[test]
fn rollback_with_rollback_disabled_is_still_flagged() {
    let (plan, _) = Case::standard()
        .call(Rollback, gp("Nothing"), got(0, "", 0))
        .install(&[("DISABLEROLLBACK", "1")])
        .build();
    let mut t = model(&plan);
    assert_eq!(t.run_count("ProbeRollback"), 0);
    assert!(flagged(&plan, &t).is_empty());
    t.runs.push(msiconf_spec::ProbeRun {
        probe: "ProbeRollback".into(),
        context: Rollback,
        first_event: t.events.len(),
    });
    assert!(flagged(&plan, &t)
        .iter()
        .any(|r| r == "RB-CM-NEED-ROLLBACK-ENABLED"));
}

#[test]
fn executeaction_set_in_the_ui_sequence_hides_a_bad_condition() {
    // fuzz seed 100, plan 21357: the execute sequence, with its bad condition, never runs.
    let (plan, _) = Case::new(|f| {
        for r in &mut f.execute_sequence {
            if r.action == "InstallFinalize" {
                r.condition = Some("=".into());
            }
        }
    })
    .call(ImmediateUi, sp("EXECUTEACTION", Some("1")), rc(0))
    .install_full_ui()
    .build();
    assert_reference_clean(&plan);
    assert_eq!(model(&plan).install_result, Some(0));
}

#[test]
fn select_star_after_alter_add_returns_the_added_columns_too() {
    // fuzz seed 100, plan 38371.
    let (plan, _) = Case::new(test_table)
        .call(Package, gad("db"), handle(1))
        .call(
            Package,
            sql("INSERT INTO `Test` (`A`, `B`) VALUES (2, 'two') TEMPORARY"),
            rc(0),
        )
        .call(
            Package,
            sql("ALTER TABLE `Test` ADD `D` INTEGER TEMPORARY"),
            rc(0),
        )
        .call(Package, gad("db2"), handle(2))
        .call(
            Package,
            Operation::Sql {
                db: "db2".into(),
                sql: "SELECT * FROM `Test`".into(),
            },
            rc(0),
        )
        .build();
    assert_reference_clean(&plan);
    let t = model(&plan);
    let rows = t.events.last().unwrap().outcome.rows.clone().unwrap();
    assert!(rows.iter().any(|r| r.len() == 3), "{rows:?}");
}

#[test]
fn temporary_row_missing_is_still_flagged() {
    let (plan, t) = Case::new(test_table)
        .call(Package, gad("db"), handle(1))
        .call(
            Package,
            sql("INSERT INTO `Test` (`A`, `B`) VALUES (2, 'two') TEMPORARY"),
            rc(0),
        )
        .call(Package, sql("SELECT * FROM `Test`"), rows(0, &[]))
        .build();
    assert!(flagged(&plan, &t)
        .iter()
        .any(|r| r == "SQL-INSERT-TEMPORARY"));
}

#[test]
fn usersid_deleted_by_an_immediate_action_is_not_judged_in_the_script() {
    // fuzz seed 100, plan 40243.
    let (plan, _) = Case::standard()
        .call(Rollback, gp("UserSID"), got(0, "", 0))
        .call(ImmediateAfterInit, sp("UserSID", Some("")), rc(0))
        .build();
    assert_reference_clean(&plan);
}

#[test]
fn a_temporary_property_row_of_the_ui_sequence_leaves_the_property_unsettled() {
    // fuzz seeds 1000000 and 2000000: the model loads the execute sequence's
    // private properties from the Property table, temporary rows included.
    let (plan, _) = Case::standard()
        .call(ImmediateUi, gad("db"), handle(1))
        .call(
            ImmediateUi,
            sql("INSERT INTO `Property` (`Property`, `Value`) VALUES ('dantes', 'mercedes') TEMPORARY"),
            rc(0),
        )
        .call(ImmediateAfterInit, gp("dantes"), got(0, "", 0))
        .call(
            ScriptImmediate,
            Operation::SessionPropertyGet {
                name: Some("dantes".into()),
            },
            text(""),
        )
        .build();
    assert_reference_clean(&plan);
}

#[test]
fn a_nested_probe_that_returns_1626_still_ran() {
    // fuzz seed 3000000, plan 76342.
    let (plan, _) = Case::standard()
        .call(Package, da("NestedProbe"), rc(1626))
        .call(Package, gp("nested"), got(0, "1", 1))
        .call_in(
            ImmediateBeforeInit,
            Some("NestedProbe"),
            sp("nested", Some("1")),
            rc(0),
        )
        .returns("NestedProbe", 1626)
        .build();
    let plan = {
        let mut p = plan;
        ca(&mut p.fixture, "NestedProbe", DLL_BINARY, "probe", "Probe");
        p
    };
    assert_reference_clean(&plan);
}

#[test]
fn an_action_that_does_not_exist_still_leaves_properties_alone() {
    let (plan, t) = Case::new(|f| prop(f, "Kept", "yes"))
        .call(Package, da("NoSuchAction"), rc(1626))
        .call(Package, gp("Kept"), got(0, "no", 2))
        .build();
    assert_reference_clean(&plan);
    assert!(!flagged(&plan, &t).is_empty());
}

#[test]
fn a_probe_that_runs_itself_finds_its_temporary_table_held() {
    // fuzz seeds 1000000-3000000: the nested run created the table first, so
    // the outer run's CREATE finds it there.
    let (plan, _) = Case::standard()
        .call(ImmediateBeforeInit, da("ProbeImmediate"), rc(0))
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(
            ImmediateBeforeInit,
            sql("CREATE TABLE `T` (`B` SHORT NOT NULL TEMPORARY, `C` CHAR(255) TEMPORARY PRIMARY KEY `C`) HOLD"),
            rc(0),
        )
        .build();
    assert_reference_clean(&plan);
}

#[test]
fn a_sequence_that_runs_install_itself_leaves_the_result_unsettled() {
    // Found by decoding whole plans with `arbitrary`: INSTALL sequenced in its
    // own UI sequence recurses until the model's nesting limit fails it.
    let plan = Plan {
        fixture: msiconf_spec::Fixture {
            ui_sequence: vec![msiconf_spec::fixture::SequenceRow {
                action: "INSTALL".to_owned(),
                condition: None,
                sequence: 100,
            }],
            ..Default::default()
        },
        install: Some(msiconf_spec::InstallOptions {
            ui: msiconf_spec::UiLevel::Reduced,
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_reference_clean(&plan);
    let t = model(&plan);
    assert_eq!(t.install_result, Some(1603));
    assert_eq!(facts::expected_install_result(&plan, &t), None);
}

// SEQ-ORDER settles the install log only where the rows decide it alone.

#[test]
fn execute_action_or_a_replaced_table_leaves_the_install_log_open() {
    // ExecuteAction inside the execute sequence runs the sequence again.
    let (plan, _) = Case::new(|f| {
        exec(f, "ExecuteAction", 1200);
    })
    .install(&[])
    .build();
    assert_reference_clean(&plan);
    // A text-ordered log is flagged, but not once a fixture table replaces the sequence.
    let (plan, t) = seq_order(false);
    assert_eq!(flagged(&plan, &t), ["SEQ-ORDER"]);
    let mut replaced = plan.clone();
    replaced.fixture.tables.push(msiconf_spec::fixture::Table {
        name: "InstallExecuteSequence".into(),
        columns: Vec::new(),
        rows: Vec::new(),
    });
    assert!(!flagged(&replaced, &t).contains(&"SEQ-ORDER".to_owned()));
}
