//! A Null action name, bad handles, and the ACTION / INSTALL decision at the top level.

use super::prelude::*;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "DOACTION-NULL-ACTION",
        title: "MsiDoAction with a Null action name",
        statement:
            "The documentation says a Null name makes the engine run the upper-cased ACTION \
                    property, or INSTALL when it is unset; on Windows the C API instead rejects a \
                    Null name with ERROR_INVALID_PARAMETER, checked before the handle.",
        sources: &[
            "S0",
            "API:msidoactiona",
            "MS:action",
            "SDK98-DoAction",
            "MSDN-DoAction",
            "WT:package.c test_doaction",
        ],
        contexts: PKG_IMM,
        family: Family::NullAction,
        subject: Subject::install(&[OpKind::DoAction])
            .when(|op| matches!(op, Operation::DoAction { action: None, .. })),
        level: Level::Must,
        disagreement: Some(
            "documented: a Null name runs the ACTION fallback, so the call is not refused with 87 \
             (and a bad handle gets 6); windows: MsiDoAction(h, NULL) returns 87 whatever the \
             handle.",
        ),
        check: Check::Predicate(doaction_null),
    },
    Rule {
        id: "DOACTION-BAD-HANDLE",
        title: "MsiDoAction on handle 0 or a bogus handle returns 6",
        statement: "A named action asked for on a handle that is zero or was never a handle gets \
                    ERROR_INVALID_HANDLE (6).",
        sources: &["MSDN-DoAction", "WT:package.c test_doaction"],
        contexts: PKG_IMM,
        family: Family::NullAction,
        subject: Subject::calls(&[OpKind::DoAction]).when(
            |op| matches!(op, Operation::DoAction { handle, .. } if *handle != HandleArg::Session),
        ),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(doaction_bad_handle),
    },
    Rule {
        id: "ACTION-PROP-UPPERCASE",
        title: "The top-level action is the upper-cased ACTION property, else INSTALL",
        statement: "An install runs the action the ACTION property names, upper-cased first, or \
                    INSTALL when it is unset; an upper-cased name that no action has makes the \
                    install fail with 1603 after logging that action with result 0.",
        sources: &[
            "MS:action",
            "S0",
            "MSDN-DoAction",
            "WT:package.c test_top_level_action",
        ],
        contexts: TOP,
        family: Family::NullAction,
        subject: Subject::install(&[OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(action_prop_uppercase),
    },
    Rule {
        id: "DOACTION-TOPLEVEL",
        title: "INSTALL and ExecuteAction can be run through DoAction",
        statement:
            "MsiDoAction accepts the top-level INSTALL action and ExecuteAction by name from \
                    a package handle; ExecuteAction runs what EXECUTEACTION names, else INSTALL.",
        sources: &["MS:using-a-sequence-table"],
        contexts: &[Context::Package],
        family: Family::NullAction,
        subject: Subject::install(&[OpKind::DoAction, OpKind::SessionDoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(doaction_toplevel),
    },
];

fn doaction_null(_: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DOACTION-NULL-ACTION";
    for (_, e) in facts::full_c_calls(t) {
        let Operation::DoAction { action: None, .. } = &e.call else {
            continue;
        };
        match profile {
            Profile::Windows => expect_rc(out, ID, e, rc::INVALID_PARAMETER),
            Profile::Documented => {
                if e.outcome.rc == Some(rc::INVALID_PARAMETER) {
                    // Refusing the Null name (whatever the handle) is what the fallback rules out;
                    // other wrong answers on a bad handle are DOACTION-BAD-HANDLE's.
                    flag(out, ID, e, "the ACTION fallback runs (not rc=87)");
                }
            }
        }
    }
}

fn doaction_bad_handle(_: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    for (_, e) in facts::full_c_calls(t) {
        if let Operation::DoAction { action, handle } = &e.call {
            if *handle == HandleArg::Session {
                continue;
            }
            match (action, profile) {
                (Some(_), _) => expect_rc(out, "DOACTION-BAD-HANDLE", e, rc::INVALID_HANDLE),
                // Documented: a Null name on a bad handle is a handle error too; a refusal
                // with 87 is DOACTION-NULL-ACTION's concern.
                (None, Profile::Documented)
                    if e.outcome
                        .rc
                        .is_some_and(|r| r != rc::INVALID_HANDLE && r != rc::INVALID_PARAMETER) =>
                {
                    flag(out, "DOACTION-BAD-HANDLE", e, "rc=6");
                }
                _ => {}
            }
        }
    }
}

fn action_prop_uppercase(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "ACTION-PROP-UPPERCASE";
    if plan.install.is_none() {
        return;
    }
    match facts::initial_action_property(plan).filter(|a| !a.is_empty()) {
        Some(given) => {
            let upper = given.to_uppercase();
            if upper != *given {
                if let Some(a) = t.actions.iter().find(|a| a.name == *given) {
                    out.push(Violation::at(
                        ID,
                        None,
                        format!("the top-level action is {upper}, not {given}"),
                        format!("action {} started", a.name),
                    ));
                }
            }
            let known = crate::msi::actions::TOP_LEVEL_ACTIONS.contains(&upper.as_str())
                || facts::action_exists(plan, &upper);
            if known {
                return;
            }
            if let Some(res) = t.install_result {
                if res != rc::INSTALL_FAILURE {
                    out.push(Violation::at(
                        ID,
                        None,
                        format!("install result 1603 (no action is named {upper})"),
                        format!("install result {res}"),
                    ));
                }
            }
            for a in t.actions.iter().filter(|a| a.name == upper) {
                if a.result.is_some_and(|r| r != 0) {
                    out.push(Violation::at(
                        ID,
                        None,
                        format!("{upper} logged with result 0"),
                        format!("result {}", a.result.unwrap_or_default()),
                    ));
                }
            }
        }
        None => {
            // INSTALL runs: some sequenced probe (or some action) must start.
            let has_probe = plan.probes.keys().any(|p| {
                facts::probe_position(plan, p).is_some_and(|pos| !pos.ui)
                    && facts::custom_action(plan, p).is_some_and(|r| !r.is_in_script())
            });
            if has_probe && t.runs.is_empty() && t.actions.is_empty() && t.install_result.is_some()
            {
                out.push(Violation::at(
                    ID,
                    None,
                    "INSTALL runs when ACTION is not set",
                    "no action started",
                ));
            }
        }
    }
}

fn doaction_toplevel(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DOACTION-TOPLEVEL";
    for e in &t.events {
        if !performed(e) || e.context != Context::Package {
            continue;
        }
        let Operation::DoAction {
            action: Some(a),
            handle: HandleArg::Session,
        } = &e.call
        else {
            continue;
        };
        if a != "INSTALL" && a != "ExecuteAction" {
            continue;
        }
        if e.outcome.rc == Some(rc::FUNCTION_NOT_CALLED) {
            flag(out, ID, e, format!("{a} is found (not rc=1626)"));
            continue;
        }
        if a == "INSTALL" && install_cannot_fail(plan) {
            expect_rc(out, ID, e, rc::SUCCESS);
        }
    }
}

/// Whether running INSTALL on the plan's package has nothing that could fail
/// it: every in-script action has a script to go into, no sequence runs a
/// top-level action again, every custom action is a probe returning success
/// or a type-51 action, and no row has a condition.
fn install_cannot_fail(plan: &Plan) -> bool {
    let f = &plan.fixture;
    facts::script_rows_in_window(plan)
        && !facts::sequences_run_top_level(plan)
        && plan
            .probes
            .values()
            .all(|p| p.returns == 0 || p.returns == rc::FUNCTION_NOT_CALLED)
        && f.custom_actions.iter().all(|r| {
            r.basic_type() == catype::SET_PROPERTY
                || (plan.probes.contains_key(&r.action)
                    && !crate::msi::custom_action::is_script(r.kind))
        })
        && f.execute_sequence
            .iter()
            .chain(&f.ui_sequence)
            .all(|s| s.condition.is_none())
}
