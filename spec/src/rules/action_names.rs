//! Action names are matched exactly, case included, by DoAction and Session.DoAction.

use super::prelude::*;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "DOACTION-CASE",
        title: "DoAction matches action names case-sensitively",
        statement: "A name given to MsiDoAction or Session.DoAction finds a standard action or a \
                    CustomAction key only when it is spelled with exactly the same case; a name \
                    that matches only when case is ignored names no action.",
        sources: &["S0", "SDK98-DoAction", "DTF"],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
        ],
        family: Family::ActionNames,
        subject: Subject::calls(&[OpKind::DoAction, OpKind::SessionDoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(doaction_case),
    },
    Rule {
        id: "DOACTION-UNKNOWN",
        title: "DoAction of a name that is no action returns 1626",
        statement: "When the name is neither a standard action nor a CustomAction key, MsiDoAction \
                    reports ERROR_FUNCTION_NOT_CALLED (1626) rather than a failure; a top-level run \
                    logs such an action with result 0.",
        sources: &["MSDN-DoAction", "MS:logging-of-action-return-values"],
        contexts: PKG_IMM,
        family: Family::ActionNames,
        subject: Subject::calls(&[OpKind::DoAction]),
        level: Level::Must,
        disagreement: Some(
            "The API page says an unknown name goes to the UI handler; Windows returns 1626 \
            . Both profiles expect 1626, which MSDN-DoAction documents.",
        ),
        check: Check::Predicate(doaction_unknown),
    },
    Rule {
        id: "SESSION-DOACTION-ENUM",
        title: "Session.DoAction returns an msiDoActionStatus value",
        statement: "The automation DoAction answers with the msiDoActionStatus enumeration, not a \
                    Win32 code: 0 when no action has the name, 1 for success, 2 user exit, 3 \
                    failure, 4 suspend, 5 finished, 6 wrong state, 7 bad action data.",
        sources: &[
            "S0",
            "SDK98-DoAction",
            "MS:return-values-of-jscript-and-vbscript-custom-actions",
            "WT:automation.c test_Session",
        ],
        contexts: &[Context::ScriptImmediate],
        family: Family::ActionNames,
        subject: Subject::calls(&[OpKind::SessionDoAction]),
        level: Level::Must,
        disagreement: Some(
            "S0 says both that the method returns an integer enumeration and that it returns \
             nothing; Windows returns the enumeration, which both profiles expect.",
        ),
        check: Check::Predicate(session_doaction_enum),
    },
];

fn doaction_case(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DOACTION-CASE";
    for e in &t.events {
        if !performed(e) {
            continue;
        }
        let (name, script) = match &e.call {
            Operation::DoAction {
                action: Some(a),
                handle: HandleArg::Session,
            } if facts::is_full_c(e.context) => (a.as_str(), false),
            Operation::SessionDoAction { action: Some(a) }
                if e.context == Context::ScriptImmediate =>
            {
                (a.as_str(), true)
            }
            _ => continue,
        };
        if !facts::action_exists(plan, name) && facts::action_exists_ignoring_case(plan, name) {
            // No action has exactly this name: 1626 (status 0), and nothing else.
            let wrong = if script {
                e.outcome.number != Some(status::NO_ACTION) || e.outcome.exception.is_some()
            } else {
                e.outcome.rc != Some(rc::FUNCTION_NOT_CALLED)
            };
            if wrong {
                let want = if script {
                    "number=0 (no action has exactly this name)"
                } else {
                    "rc=1626 (no action has exactly this name)"
                };
                flag(out, ID, e, want);
            }
        } else if facts::custom_action(plan, name)
            .is_some_and(|r| r.basic_type() == catype::SET_PROPERTY && !r.is_in_script())
        {
            // The exact key of a type-51 action is found and runs successfully (the
            // status value Session.DoAction reports is SESSION-DOACTION-ENUM's concern).
            if !script {
                expect_rc(out, ID, e, rc::SUCCESS);
            }
        }
    }
}

fn doaction_unknown(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    for (_, e) in facts::full_c_calls(t) {
        if let Operation::DoAction {
            action: Some(a),
            handle: HandleArg::Session,
        } = &e.call
        {
            if !a.is_empty() && !facts::action_exists_ignoring_case(plan, a) {
                expect_rc(out, "DOACTION-UNKNOWN", e, rc::FUNCTION_NOT_CALLED);
            }
        }
    }
}

fn session_doaction_enum(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SESSION-DOACTION-ENUM";
    for e in &t.events {
        if !performed(e) || e.context != Context::ScriptImmediate {
            continue;
        }
        let Operation::SessionDoAction { action: Some(a) } = &e.call else {
            continue;
        };
        if a.is_empty() {
            continue;
        }
        // Whatever the action did, the answer is one of the enumeration's values.
        if e.outcome
            .number
            .is_some_and(|n| !(status::NO_ACTION..=status::BAD_ACTION_DATA).contains(&n))
        {
            flag(out, ID, e, "an msiDoActionStatus value (0 to 7)");
            continue;
        }
        let want = if !facts::action_exists_ignoring_case(plan, a) {
            status::NO_ACTION
        } else if a == "CostInitialize" {
            status::SUCCESS
        } else if let Some(code) = facts::nested_action_code(plan, a) {
            crate::codes::doaction_status(code)
        } else {
            continue;
        };
        expect_number(out, ID, e, want);
    }
}
