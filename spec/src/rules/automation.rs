//! The automation Session object as scripts see it.

use super::deferred::MESSAGE_INFO;
use super::prelude::*;

const SCRIPTS: &[Context] = &[Context::ScriptImmediate, Context::ScriptDeferred];

/// Every call made through the automation Session object (and the Installer
/// it hands out): what the rules about the object as a whole judge.
const SESSION_MEMBERS: &[OpKind] = &[
    OpKind::SessionPropertyGet,
    OpKind::SessionPropertySet,
    OpKind::SessionDoAction,
    OpKind::SessionMode,
    OpKind::SessionSetMode,
    OpKind::SessionLanguage,
    OpKind::SessionMessage,
    OpKind::SessionEvaluateCondition,
    OpKind::SessionDatabase,
    OpKind::InstallerOpenPackage,
];

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "SCRIPT-SESSION-GLOBAL",
        title: "Script custom actions get a global Session object",
        statement: "VBScript and JScript custom actions run with a global object named Session, \
                    whose members can also be reached unqualified; the script host's WScript \
                    object is not there.",
        sources: &["S1", "MS:scripts"],
        contexts: SCRIPTS,
        family: Family::Automation,
        subject: Subject::calls(SESSION_MEMBERS),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(session_global),
    },
    Rule {
        id: "SCRIPT-DEFERRED-SESSION",
        title:
            "A deferred script's Session offers only Mode, Property, Language, Message, Installer",
        statement: "In a deferred script action, Session.Mode is true for SCHEDULED, \
                    Session.Property answers only CustomActionData, ProductCode and UserSID, \
                    Session.Language gives the product language, and Session.Database is not \
                    available.",
        sources: &[
            "MS:obtaining-context-information-for-deferred-execution-custom-actions",
            "S2",
        ],
        contexts: &[Context::ScriptDeferred],
        family: Family::Automation,
        subject: Subject::calls(SESSION_MEMBERS),
        level: Level::Must,
        disagreement: Some(
            "S2 says Mode is true only for imfOperations; the current page says SCHEDULED only \
            . Both profiles expect SCHEDULED true and leave OPERATIONS unjudged.",
        ),
        check: Check::Predicate(deferred_session),
    },
    Rule {
        id: "SESSION-PROPERTY-RW",
        title: "Session.Property reads and writes properties",
        statement:
            "Session.Property(name) is MsiGetProperty and MsiSetProperty in automation form: \
                    values written read back, an undefined property reads empty, and writing with \
                    an empty name raises an exception.",
        sources: &["MS:session-session", "WT:automation.c test_Session"],
        contexts: &[Context::ScriptImmediate],
        family: Family::Automation,
        subject: Subject::calls(&[OpKind::SessionPropertyGet, OpKind::SessionPropertySet])
            .singling_out(|op| {
                matches!(
                    op,
                    Operation::SessionPropertyGet { .. } | Operation::SessionPropertySet { .. }
                )
            }),
        level: Level::Must,
        disagreement: Some(
            "MS:session-session calls an undefined property Null while the C API gives an empty \
             string; both profiles accept an empty value.",
        ),
        check: Check::Predicate(property_rw),
    },
    Rule {
        id: "SESSION-MODE-SETTABLE",
        title: "Only REBOOTATEND and REBOOTNOW can be set",
        statement: "Setting run mode 6 or 7 works and reads back; setting any other mode fails, \
                    with an exception in automation.",
        sources: &[
            "API:msisetmode",
            "MS:session-mode",
            "WT:automation.c test_Session",
        ],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
        ],
        family: Family::Automation,
        subject: Subject::calls(&[OpKind::SessionSetMode, OpKind::SessionMode, OpKind::SetMode])
            .singling_out(|op| {
                matches!(
                    op,
                    Operation::SessionSetMode { .. } | Operation::SetMode { .. }
                )
            }),
        level: Level::Must,
        disagreement: Some(
            "MS:session-mode calls the property read-only yet marks flags 6 and 7 settable \
            ; both profiles follow MsiSetMode's page.",
        ),
        check: Check::Predicate(mode_settable),
    },
    Rule {
        id: "SESSION-INSTALLER-DATABASE",
        title: "Session.Database is the session's read-only database",
        statement: "Session.Database returns the session's database, on which views can be opened \
                    and executed, but through which nothing persistent, the summary information \
                    included, can be written.",
        sources: &["MS:session-object", "MS:session-database", "S1"],
        contexts: &[Context::ScriptImmediate],
        family: Family::Automation,
        subject: Subject::calls(&[OpKind::SessionDatabase, OpKind::SetSummaryInfo, OpKind::Sql])
            .singling_out(|op| matches!(op, Operation::SessionDatabase { .. })),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(installer_database),
    },
    Rule {
        id: "SESSION-MESSAGE",
        title: "Session.Message and MsiProcessMessage return msiMessageStatus",
        statement: "Session.Message(kind, record) is MsiProcessMessage in automation form and \
                    returns an msiMessageStatus; an informational message that no handler answers \
                    returns 0.",
        sources: &[
            "MS:session-message",
            "API:msiprocessmessage",
            "WT:automation.c test_Session",
        ],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
            Context::ScriptDeferred,
        ],
        family: Family::Automation,
        subject: Subject::calls(&[OpKind::SessionMessage, OpKind::ProcessMessage])
            .singling_out(|op| matches!(op, Operation::SessionMessage { .. })),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(session_message),
    },
    Rule {
        id: "SESSION-EVALUATECONDITION",
        title: "EvaluateCondition returns FALSE, TRUE, NONE or ERROR",
        statement: "MsiEvaluateCondition and Session.EvaluateCondition return 2 (NONE) for a Null \
                    or empty condition and 3 (ERROR) for one that cannot be parsed, else 0 or 1.",
        sources: &["MS:session-object"],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
        ],
        family: Family::Automation,
        subject: Subject::calls(&[OpKind::SessionEvaluateCondition, OpKind::EvaluateCondition])
            .singling_out(|op| matches!(op, Operation::SessionEvaluateCondition { .. })),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(evaluate_condition),
    },
];

fn session_global(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    for e in &t.events {
        if performed(e) && e.context.is_script() && e.call == Operation::HasSession {
            expect_number(out, "SCRIPT-SESSION-GLOBAL", e, 1);
        }
    }
}

fn deferred_session(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SCRIPT-DEFERRED-SESSION";
    for e in &t.events {
        if !performed(e) || e.context != Context::ScriptDeferred {
            continue;
        }
        match &e.call {
            Operation::SessionMode { mode } => {
                let want = match *mode {
                    runmode::SCHEDULED => 1,
                    runmode::OPERATIONS => continue,
                    _ => 0,
                };
                if e.outcome.number.is_some_and(|n| (n != 0) != (want != 0)) {
                    flag(out, ID, e, format!("number={want}"));
                }
            }
            Operation::SessionPropertyGet { name: Some(n) } => {
                if n.starts_with('%') || n == "CustomActionData" || n == "UserSID" {
                    continue;
                }
                let want = if n == "ProductCode" {
                    if facts::command_line_value(plan, n).is_some()
                        || facts::plan_or_package_sets_property(plan, n)
                    {
                        continue;
                    }
                    match plan.fixture.property(n) {
                        Some(v) => v,
                        None => continue,
                    }
                } else {
                    ""
                };
                if e.outcome.exception.is_some()
                    || e.outcome.value.as_deref().is_some_and(|v| v != want)
                {
                    flag(out, ID, e, format!("value={want:?}"));
                }
            }
            Operation::SessionLanguage => {
                if facts::command_line_value(plan, "ProductLanguage").is_some()
                    || facts::plan_sets_property(plan, "ProductLanguage")
                {
                    continue;
                }
                if let Some(lang) = plan
                    .fixture
                    .property("ProductLanguage")
                    .and_then(|l| l.trim().parse().ok())
                {
                    expect_number(out, ID, e, lang);
                }
            }
            Operation::SessionDatabase { .. }
                if e.outcome.exception.is_none() && e.outcome.handle.is_some_and(|h| h != 0) =>
            {
                flag(out, ID, e, "no database (an exception or no handle)");
            }
            _ => {}
        }
    }
}

fn property_rw(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SESSION-PROPERTY-RW";
    for e in &t.events {
        if !performed(e) || e.context != Context::ScriptImmediate {
            continue;
        }
        if let Operation::SessionPropertySet {
            name: Some(n),
            value: Some(v),
        } = &e.call
        {
            if n.is_empty()
                && !crate::msi::text::c_string(v).is_empty()
                && e.outcome.exception.is_none()
            {
                flag(out, ID, e, "an exception (empty property name)");
            }
        }
    }
    super::properties::scan(plan, t, p, out, ID);
}

fn mode_settable(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SESSION-MODE-SETTABLE";
    let settable = |m: u32| m == runmode::REBOOTATEND || m == runmode::REBOOTNOW;
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) {
            continue;
        }
        match &e.call {
            Operation::SessionSetMode { mode, .. } if e.context == Context::ScriptImmediate => {
                match (settable(*mode), e.outcome.exception.is_some()) {
                    (true, true) => flag(out, ID, e, "no exception (the mode is settable)"),
                    (false, false) => flag(out, ID, e, "an exception (the mode cannot be set)"),
                    _ => {}
                }
            }
            Operation::SetMode { mode, .. }
                if facts::is_full_c(e.context)
                    && !settable(*mode)
                    && e.outcome.rc == Some(rc::SUCCESS) =>
            {
                flag(out, ID, e, "a failure (the mode cannot be set)");
            }
            Operation::SetMode { mode, .. }
                if facts::is_full_c(e.context)
                    && settable(*mode)
                    && e.outcome.rc.is_some_and(|r| r != rc::SUCCESS) =>
            {
                flag(out, ID, e, "rc=0 (the mode is settable)");
            }
            Operation::SessionMode { mode }
                if e.context == Context::ScriptImmediate && settable(*mode) =>
            {
                let mut set = None;
                const KINDS: &[OpKind] = &[OpKind::SessionSetMode, OpKind::SessionDoAction];
                for (_, prior) in facts::run_before_of(&t.events, i, KINDS) {
                    match &prior.call {
                        Operation::SessionSetMode { mode: m, state } if m == mode => {
                            set = prior.outcome.exception.is_none().then_some(*state);
                            break;
                        }
                        Operation::SessionDoAction { .. } => break,
                        _ => {}
                    }
                }
                if let (Some(s), Some(n)) = (set, e.outcome.number) {
                    if (n != 0) != s {
                        flag(out, ID, e, format!("number={}", i64::from(s)));
                    }
                }
            }
            _ => {}
        }
    }
}

fn installer_database(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SESSION-INSTALLER-DATABASE";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || e.context != Context::ScriptImmediate {
            continue;
        }
        match &e.call {
            Operation::SessionDatabase { .. }
                if (e.outcome.exception.is_some() || e.outcome.handle == Some(0)) =>
            {
                flag(out, ID, e, "the session's database");
            }
            Operation::SetSummaryInfo { db, .. }
                if facts::slot_origin(&t.events, i, db) == Some(facts::SlotOrigin::Active)
                    && e.outcome.rc == Some(rc::SUCCESS)
                    && e.outcome.exception.is_none() =>
            {
                flag(out, ID, e, "the write fails (the database is read-only)");
            }
            Operation::Sql { db, sql } => {
                if facts::slot_origin(&t.events, i, db) != Some(facts::SlotOrigin::Active) {
                    continue;
                }
                let reads_package_table = matches!(
                    crate::msi::sql::parse(sql),
                    Ok(crate::msi::sql::Statement::Select { table, filter: None, .. })
                        if facts::is_persistent_table(plan, &table)
                );
                if reads_package_table && e.outcome.exception.is_none() {
                    expect_rc(out, ID, e, rc::SUCCESS);
                }
            }
            _ => {}
        }
    }
}

fn session_message(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    for e in &t.events {
        if !performed(e) {
            continue;
        }
        let applies = match &e.call {
            Operation::SessionMessage { kind, .. } => {
                *kind == MESSAGE_INFO && e.context.is_script()
            }
            Operation::ProcessMessage { kind, .. } => {
                *kind == MESSAGE_INFO && facts::is_full_c(e.context)
            }
            _ => false,
        };
        if applies {
            expect_number(out, "SESSION-MESSAGE", e, 0);
        }
    }
}

fn evaluate_condition(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    for e in &t.events {
        if !performed(e) {
            continue;
        }
        let c = match &e.call {
            Operation::EvaluateCondition { condition } if facts::is_full_c(e.context) => condition,
            Operation::SessionEvaluateCondition { condition }
                if e.context == Context::ScriptImmediate =>
            {
                condition
            }
            _ => continue,
        };
        let Some(want) = crate::msi::condition::syntax(c.as_deref()) else {
            continue;
        };
        expect_number(out, "SESSION-EVALUATECONDITION", e, want);
    }
}
