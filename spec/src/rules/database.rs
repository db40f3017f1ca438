//! The active database handle and the database functions custom actions must not use.

use super::prelude::*;
use crate::PackageSource;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "ACTIVE-DB-HANDLE",
        title: "MsiGetActiveDatabase gives a new read-only handle on each call",
        statement: "In a custom action (and on a package handle) MsiGetActiveDatabase returns a \
                    non-zero handle to the session's database, a different one on every call, \
                    which the caller closes; a Null query on it is a syntax error and a Null \
                    output pointer is a parameter error.",
        sources: &["API:msigetactivedatabase", "S1"],
        contexts: PKG_IMM,
        family: Family::Database,
        subject: Subject::calls(&[
            OpKind::GetActiveDatabase,
            OpKind::Sql,
            OpKind::Modify,
            OpKind::Commit,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(active_db),
    },
    Rule {
        id: "CA-HANDLE-OWNERSHIP",
        title: "The installer owns hInstall; a custom action must not close it",
        statement: "The handle a DLL custom action receives belongs to the installer, so the \
                    action must leave it open.",
        sources: &["S1"],
        contexts: IMM,
        family: Family::Database,
        subject: Subject::calls(&[OpKind::CloseHandle]),
        level: Level::Must,
        disagreement: None,
        check: Check::Unobservable(
            "an obligation on the custom action's author: no operation closes hInstall (slots \
             hold only handles the probe opened), and what the engine does after such a close is \
             not specified",
        ),
    },
    Rule {
        id: "CA-FORBIDDEN-DB-FUNCS",
        title: "Database functions forbidden in custom actions",
        statement: "Functions that need a database other than the session's, or change its \
                    persistence, are not for custom actions: MsiGetDatabaseState reports \
                    MSIDBSTATE_ERROR there, and opening a package from the active database handle \
                    is refused.",
        sources: &[
            "MS:functions-not-for-use-in-custom-actions",
            "MS:accessing-a-database-or-session-from-inside-a-custom-action",
            "WT:custom.c test_invalid_functions",
        ],
        contexts: IMM,
        family: Family::Database,
        subject: Subject::calls(&[
            OpKind::OpenDatabase,
            OpKind::OpenPackage,
            OpKind::Commit,
            OpKind::GetDatabaseState,
            OpKind::SetSummaryInfo,
        ]),
        level: Level::Must,
        disagreement: Some(
            "documented: MsiDatabaseCommit must not be called from a custom action, with no code \
             given, so nothing is asserted; windows: it returns 0 on the action's database handle, \
             and MsiOpenPackage(\"#handle\") returns 6.",
        ),
        check: Check::Predicate(forbidden),
    },
    Rule {
        id: "REMOTE-NULL-OUTPTR",
        title: "A Null out pointer inside a custom action gives 1780",
        statement:
            "Through the custom-action bridge, passing Null for a required output pointer of \
                    a state or summary-information getter returns RPC_X_NULL_REF_POINTER instead \
                    of 87: MsiGetFeatureState and MsiGetComponentState of a known name with a \
                    NULL installed-state pointer, MsiGetFeatureValidStates and MsiGetFeatureCost \
                    of a known feature with a NULL result pointer, and \
                    MsiSummaryInfoGetPropertyCount with a NULL count pointer.",
        sources: &[
            "WT:custom.c test_feature_states",
            "WT:custom.c test_db",
            "WT:custom.c test_costs",
        ],
        contexts: IMM,
        family: Family::Database,
        subject: Subject::calls(&[
            OpKind::GetFeatureState,
            OpKind::GetComponentState,
            OpKind::GetFeatureValidStates,
            OpKind::GetFeatureCost,
            OpKind::SummaryPropertyCount,
        ]),
        level: Level::Observed,
        disagreement: None,
        check: Check::Predicate(remote_null_out),
    },
    Rule {
        id: "LAST-ERROR-RECORD",
        title: "MsiGetLastErrorRecord returns the record of the last failing call, once",
        statement: "MsiDatabaseOpenView sets the process's error record when it fails and \
                    clears it when it succeeds. Right after an MsiDatabaseOpenView whose query \
                    does not parse, MsiGetLastErrorRecord returns a record whose field 1 holds \
                    the internal error number; right after one that succeeds it returns no \
                    record; and the record is released once returned, so a second call at once \
                    returns none. Judged from the package handle, whose calls all run in one \
                    process.",
        sources: &["API:msigetlasterrorrecord", "API:msidatabaseopenvieww"],
        contexts: TOP,
        family: Family::Database,
        subject: Subject::calls(&[OpKind::GetLastErrorRecord, OpKind::OpenView]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(last_error_record),
    },
];

fn last_error_record(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "LAST-ERROR-RECORD";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || e.context != Context::Package {
            continue;
        }
        let Operation::GetLastErrorRecord = &e.call else {
            continue;
        };
        // The package handle's call just before this one decides.
        let Some(prev) = t.events[..i]
            .iter()
            .rev()
            .find(|d| d.context == Context::Package && d.probe == e.probe)
        else {
            continue;
        };
        if !performed(prev) {
            continue;
        }
        let fields = e.outcome.number.unwrap_or(0);
        let record_wanted = match (&prev.call, prev.outcome.rc) {
            (Operation::GetLastErrorRecord, _) => false,
            (Operation::OpenView { sql: Some(_), .. }, Some(rc::SUCCESS)) => false,
            (Operation::OpenView { sql: Some(_), .. }, Some(rc::BAD_QUERY_SYNTAX)) => true,
            _ => continue,
        };
        if !record_wanted && fields != 0 {
            flag(out, ID, e, "number=0 (no record)");
        } else if record_wanted {
            let code_ok = e
                .outcome
                .value
                .as_deref()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .is_some_and(|n| n > 0);
            if fields < 1 || !code_ok {
                flag(out, ID, e, "a record whose field 1 is an error number");
            }
        }
    }
}

fn active_db(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "ACTIVE-DB-HANDLE";
    for (i, e) in facts::full_c_calls(t) {
        match &e.call {
            Operation::GetActiveDatabase { .. } => {
                let Some(h) = e.outcome.handle else {
                    continue;
                };
                if h == 0 {
                    flag(out, ID, e, "a database handle (non-zero)");
                    continue;
                }
                // No handle was closed since the earlier call, so a repeat means the same handle.
                let keys = [Key::Kind(OpKind::CloseHandle), Key::ActiveDatabase(h)];
                for (_, prior) in facts::run_before_in(&t.events, i, &keys) {
                    match prior.call {
                        Operation::CloseHandle { .. } => break,
                        Operation::GetActiveDatabase { .. } if prior.outcome.handle == Some(h) => {
                            flag(out, ID, e, "a handle distinct from the earlier call's");
                            break;
                        }
                        _ => {}
                    }
                }
            }
            Operation::OpenView {
                db, sql, null_out, ..
            } => {
                if facts::slot_origin(&t.events, i, db) != Some(facts::SlotOrigin::Active) {
                    continue;
                }
                match (sql, null_out) {
                    (None, false) => expect_rc(out, ID, e, rc::BAD_QUERY_SYNTAX),
                    (Some(_), true) => expect_rc(out, ID, e, rc::INVALID_PARAMETER),
                    _ => {}
                }
            }
            Operation::CloseHandle { slot }
                if facts::slot_origin(&t.events, i, slot) == Some(facts::SlotOrigin::Active) =>
            {
                expect_rc(out, ID, e, rc::SUCCESS);
            }
            _ => {}
        }
    }
}

fn forbidden(_: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "CA-FORBIDDEN-DB-FUNCS";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || !facts::is_immediate_c(e.context) {
            continue;
        }
        match &e.call {
            Operation::GetDatabaseState { db } => {
                let settled = match db {
                    None => true,
                    Some(slot) => {
                        facts::slot_origin(&t.events, i, slot) == Some(facts::SlotOrigin::Active)
                    }
                };
                if settled {
                    expect_number(out, ID, e, crate::codes::dbstate::ERROR);
                }
            }
            Operation::Commit { db }
                if profile == Profile::Windows
                    && facts::slot_origin(&t.events, i, db) == Some(facts::SlotOrigin::Active) =>
            {
                expect_rc(out, ID, e, rc::SUCCESS);
            }
            Operation::OpenPackage {
                source: PackageSource::DatabaseHandle,
                ..
            } => {
                if facts::slot_origin(&t.events, i, "db") != Some(facts::SlotOrigin::Active) {
                    continue;
                }
                match profile {
                    Profile::Windows => expect_rc(out, ID, e, rc::INVALID_HANDLE),
                    Profile::Documented => {
                        if e.outcome.rc == Some(rc::SUCCESS) {
                            flag(out, ID, e, "the call is refused");
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn remote_null_out(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "REMOTE-NULL-OUTPTR";
    let p = crate::msi::features::Package::of_fixture(&plan.fixture);
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || !e.context.is_immediate() || e.context.is_script() {
            continue;
        }
        let known = match &e.call {
            Operation::GetFeatureState {
                feature: Some(n),
                null_out: true,
            } => p.features.contains_key(n),
            Operation::GetComponentState {
                component: Some(n),
                null_out: true,
            } => p.components.contains_key(n),
            Operation::GetFeatureValidStates {
                feature: Some(n),
                null_out: true,
            }
            | Operation::GetFeatureCost {
                feature: Some(n),
                null_out: true,
                ..
            } => p.features.contains_key(n),
            _ => false,
        };
        let settled = facts::fixture_tables_settled(t, i);
        if known && settled && super::features::states_loaded(plan, t, i) {
            expect_rc(out, ID, e, crate::codes::rc::RPC_X_NULL_REF_POINTER);
        }
    }
}
