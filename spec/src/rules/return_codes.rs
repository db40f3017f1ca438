//! How the engine reads a custom action's return value, and what DoAction reports for it.

use super::prelude::*;

const RET_SOURCES: &[&str] = &["MS:custom-action-return-values"];

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "CA-RET-SUCCESS",
        title: "A custom action returning 0 or 1626 lets the install go on",
        statement: "ERROR_SUCCESS from a DLL custom action continues the sequence, and so does \
                    ERROR_FUNCTION_NOT_CALLED (the action was not executed): neither fails the install.",
        sources: RET_SOURCES,
        contexts: IMM,
        family: Family::ReturnCodes,
        subject: Subject::install(&[OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(ret_success),
    },
    Rule {
        id: "CA-RET-USEREXIT",
        title: "A custom action returning 1602 cancels the install with 1602",
        statement: "ERROR_INSTALL_USEREXIT from a custom action ends the install as cancelled by \
                    the user, and MsiInstallProduct reports 1602.",
        sources: RET_SOURCES,
        contexts: IMM,
        family: Family::ReturnCodes,
        subject: Subject::install(&[OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(ret_userexit),
    },
    Rule {
        id: "CA-RET-NO-MORE-ITEMS",
        title: "A custom action returning 259 skips the rest and the install succeeds",
        statement: "ERROR_NO_MORE_ITEMS from a custom action means the remaining actions are \
                    skipped without error; the install result is success.",
        sources: &["MS:custom-action-return-values", "MS:logging-of-action-return-values"],
        contexts: IMM,
        family: Family::ReturnCodes,
        subject: Subject::install(&[OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(ret_no_more_items),
    },
    Rule {
        id: "CA-RET-OTHER",
        title: "Any other custom-action return value is a fatal failure",
        statement: "A DLL custom action returning a value the engine gives no meaning to, such as \
                    1, fails the install with 1603.",
        sources: RET_SOURCES,
        contexts: IMM,
        family: Family::ReturnCodes,
        subject: Subject::install(&[OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(ret_other),
    },
    Rule {
        id: "CA-RET-SUSPEND",
        title: "A custom action returning 1604 suspends the install",
        statement: "ERROR_INSTALL_SUSPEND from a custom action suspends the sequence (logged as 4) \
                    and the install reports 1604.",
        sources: &["MS:logging-of-action-return-values", "MS:return-values-of-jscript-and-vbscript-custom-actions"],
        contexts: IMM,
        family: Family::ReturnCodes,
        subject: Subject::install(&[OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(ret_suspend),
    },
    Rule {
        id: "CA-RET-CONTINUE-FLAG",
        title: "With the 0x40 bit the return value is ignored",
        statement: "A custom action whose Type has msidbCustomActionTypeContinue set never stops \
                    the sequence, whatever it returns or exits with; run through MsiDoAction, it \
                    reports success (0) whatever it returned.",
        sources: &["MS:custom-action-return-processing-options", "MS:custom-action-return-values"],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::Deferred,
            Context::Exe,
        ],
        family: Family::ReturnCodes,
        subject: Subject::install(&[OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(ret_continue),
    },
    Rule {
        id: "CA-RET-EXE-ZERO",
        title: "An EXE custom action succeeds only with exit code 0",
        statement: "For an EXE custom action, exit code 0 is success and any other exit code fails \
                    the install unless the 0x40 bit is set.",
        sources: RET_SOURCES,
        contexts: &[Context::Exe],
        family: Family::ReturnCodes,
        subject: Subject::install(&[OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(ret_exe),
    },
    Rule {
        id: "CA-ASYNC",
        title: "Asynchronous custom actions run alongside later actions",
        statement: "With the 0x80 bit a custom action runs in parallel with the actions after it \
                    and its result is collected at the end of the sequence; it cannot be combined \
                    with rollback or script actions, and 0xC0 is for EXE actions only.",
        sources: &[
            "MS:custom-action-return-processing-options",
            "MS:synchronous-and-asynchronous-custom-actions",
            "MS:rollback-custom-actions",
        ],
        contexts: IMM,
        family: Family::ReturnCodes,
        subject: Subject::install(&[]),
        level: Level::Must,
        disagreement: None,
        check: Check::Unobservable(
            "showing concurrency needs two custom actions that wait on each other; no operation \
             synchronises probes, and a transcript records only the order in which calls completed",
        ),
    },
    Rule {
        id: "CA-TYPE19-ERROR",
        title: "A type-19 custom action always fails the install",
        statement: "A type-19 action shows its message when the UI allows and ends the install \
                    with failure (1603) every time it runs.",
        sources: &["MS:summary-list-of-all-custom-action-types", "MS:custom-action-return-values"],
        contexts: IMM,
        family: Family::ReturnCodes,
        subject: Subject::install(&[OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(ret_type19),
    },
    Rule {
        id: "SCRIPT-CA-RET",
        title: "Script custom actions return msiDoActionStatus values",
        statement: "A script custom action that names a function reports an msiDoActionStatus: 1 \
                    continues, 3 fails the install with 1603, 2 cancels it; a script that cannot \
                    run counts as failure.",
        sources: &["MS:return-values-of-jscript-and-vbscript-custom-actions"],
        contexts: &[Context::ScriptImmediate, Context::ScriptDeferred],
        family: Family::ReturnCodes,
        subject: Subject::install(&[OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(ret_script),
    },
    Rule {
        id: "DOACTION-RETCODES",
        title: "MsiDoAction passes on what the custom action did",
        statement: "Running a custom action through MsiDoAction returns 0 when it succeeds, 1602 \
                    when it cancels, 1604 when it suspends and 1603 when it fails.",
        sources: &["MSDN-DoAction", "MS:logging-of-action-return-values"],
        contexts: PKG_IMM,
        family: Family::ReturnCodes,
        subject: Subject::calls(&[OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(doaction_retcodes),
    },
];

/// Flags the install result when the plan settles it and `rule` is the rule that decides it.
fn install_result(plan: &Plan, t: &Transcript, out: &mut Vec<Violation>, rule: &str) {
    let Some(got) = t.install_result else {
        return;
    };
    if let Some((want, decided_by)) = facts::expected_install_result(plan, t) {
        if decided_by == rule && got != want {
            out.push(Violation::at(
                rule,
                None,
                format!("install result {want}"),
                format!("install result {got}"),
            ));
        }
    }
}

fn ret_success(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    install_result(plan, t, out, "CA-RET-SUCCESS");
}
fn ret_userexit(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    install_result(plan, t, out, "CA-RET-USEREXIT");
}
fn ret_no_more_items(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    install_result(plan, t, out, "CA-RET-NO-MORE-ITEMS");
}
fn ret_other(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    install_result(plan, t, out, "CA-RET-OTHER");
}
fn ret_suspend(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    install_result(plan, t, out, "CA-RET-SUSPEND");
}
fn ret_continue(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "CA-RET-CONTINUE-FLAG";
    install_result(plan, t, out, ID);
    // Run through MsiDoAction, an action whose return value is ignored
    // succeeds, whatever it returned.
    for (_, e) in facts::full_c_calls(t) {
        let Operation::DoAction {
            action: Some(a),
            handle: HandleArg::Session,
        } = &e.call
        else {
            continue;
        };
        let ignored = facts::custom_action(plan, a).is_some_and(|r| {
            r.kind & catype::CONTINUE != 0
                && r.kind & (catype::IN_SCRIPT | catype::ASYNC) == 0
                && r.basic_type() == catype::DLL_BINARY
                && plan.probes.contains_key(a)
        });
        if ignored {
            expect_rc(out, ID, e, rc::SUCCESS);
        }
    }
}
fn ret_exe(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    install_result(plan, t, out, "CA-RET-EXE-ZERO");
}
fn ret_type19(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    install_result(plan, t, out, "CA-TYPE19-ERROR");
}
fn ret_script(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    install_result(plan, t, out, "SCRIPT-CA-RET");
}

fn doaction_retcodes(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    for (_, e) in facts::full_c_calls(t) {
        let Operation::DoAction {
            action: Some(a),
            handle: HandleArg::Session,
        } = &e.call
        else {
            continue;
        };
        if !plan.probes.contains_key(a) {
            continue;
        }
        if let Some(want) = facts::nested_action_code(plan, a) {
            expect_rc(out, "DOACTION-RETCODES", e, want);
        }
    }
}
