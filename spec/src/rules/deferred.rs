//! What deferred, rollback and commit custom actions can see and do.

use super::prelude::*;
use crate::Buffer;

const CONTEXT_INFO: &str = "MS:obtaining-context-information-for-deferred-execution-custom-actions";

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "DEFERRED-PROPS",
        title: "Deferred actions read only CustomActionData, ProductCode and UserSID",
        statement: "In a deferred or rollback action MsiGetProperty answers three names; every \
                    other name succeeds with an empty value, and a condition evaluated there \
                    sees those other names as unset.",
        sources: &[CONTEXT_INFO, "S2", "S1", "WT:custom.c da_deferred"],
        contexts: IN_SCRIPT,
        family: Family::Deferred,
        subject: Subject::calls(&[
            OpKind::GetProperty,
            OpKind::SessionPropertyGet,
            OpKind::EvaluateCondition,
        ]),
        level: Level::Must,
        disagreement: Some(
            "S2 lists only ProductCode and CustomActionData and says others return NULL; the \
             current page adds UserSID, and Windows returns success with \"\". \
             documented: other names read empty; windows: rc=0 and empty.",
        ),
        check: Check::Predicate(deferred_props),
    },
    Rule {
        id: "CUSTOMACTIONDATA-BY-NAME",
        title: "CustomActionData comes from the property named exactly after the action",
        statement: "A deferred action's CustomActionData is the value held, when the action was \
                    scheduled, by the property whose name equals the action's key, case included.",
        sources: &[CONTEXT_INFO, "S2", "WT:custom.c da_deferred"],
        contexts: &[
            Context::Deferred,
            Context::Rollback,
            Context::Commit,
            Context::ScriptDeferred,
        ],
        family: Family::Deferred,
        subject: Subject::calls(&[OpKind::GetProperty, OpKind::SessionPropertyGet]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(cad_by_name),
    },
    Rule {
        id: "CUSTOMACTIONDATA-SNAPSHOT",
        title: "CustomActionData is fixed when the action is scheduled",
        statement: "Changing the property named after a deferred action after the immediate pass \
                    has scheduled it does not change the CustomActionData it will see.",
        sources: &[CONTEXT_INFO],
        contexts: &[
            Context::Deferred,
            Context::Rollback,
            Context::Commit,
            Context::ScriptDeferred,
        ],
        family: Family::Deferred,
        subject: Subject::calls(&[OpKind::GetProperty, OpKind::SessionPropertyGet]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(cad_snapshot),
    },
    Rule {
        id: "CUSTOMACTIONDATA-IMMEDIATE",
        title: "Immediate actions get no CustomActionData",
        statement: "An immediate action reading CustomActionData gets an empty string unless some \
                    property of exactly that name was set.",
        sources: &[CONTEXT_INFO],
        contexts: &[
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
        ],
        family: Family::Deferred,
        subject: Subject::calls(&[OpKind::GetProperty, OpKind::SessionPropertyGet]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(cad_immediate),
    },
    Rule {
        id: "DEFERRED-RUNS-IN-SCRIPT",
        title: "Deferred actions run from the script, after the immediate pass",
        statement: "A deferred action is only queued at its sequence position; it runs when the \
                    script executes at InstallFinalize (or InstallExecute), after the immediate \
                    actions sequenced before that point.",
        sources: &["MS:deferred-execution-custom-actions"],
        contexts: &[Context::Deferred],
        family: Family::Deferred,
        subject: Subject::install(&[]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(runs_in_script),
    },
    Rule {
        id: "RUNMODE-IMM-VS-DEF",
        title: "SCHEDULED, ROLLBACK and COMMIT tell the custom-action kind",
        statement: "MSIRUNMODE_SCHEDULED, ROLLBACK and COMMIT are all false in immediate code; \
                    exactly one is true in deferred (SCHEDULED), rollback (ROLLBACK) and commit \
                    (COMMIT) actions.",
        sources: &[
            "API:msigetmode",
            "MS:deferred-execution-custom-actions",
            "MS:rollback-custom-actions",
            "MS:commit-custom-actions",
        ],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::Deferred,
            Context::Rollback,
            Context::Commit,
            Context::ScriptImmediate,
        ],
        family: Family::Deferred,
        subject: Subject::calls(&[OpKind::GetMode, OpKind::SessionMode]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(runmode_kind),
    },
    Rule {
        id: "RUNMODE-DEF-OTHERS-FALSE",
        title: "In-script actions see every other run mode as false",
        statement:
            "Deferred, rollback and commit actions get FALSE from MsiGetMode for every mode \
                    other than SCHEDULED, ROLLBACK and COMMIT.",
        sources: &[CONTEXT_INFO, "API:msigetmode"],
        contexts: IN_SCRIPT,
        family: Family::Deferred,
        subject: Subject::calls(&[OpKind::GetMode, OpKind::SessionMode]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(runmode_others),
    },
    Rule {
        id: "COMMIT-LIMITS",
        title: "Commit actions get neither ProductCode nor the language",
        statement: "A commit action cannot read ProductCode through MsiGetProperty nor call \
                    MsiGetLanguage; it must be given such values through CustomActionData.",
        sources: &[CONTEXT_INFO],
        contexts: &[Context::Commit],
        family: Family::Deferred,
        subject: Subject::calls(&[
            OpKind::GetProperty,
            OpKind::GetLanguage,
            OpKind::SessionPropertyGet,
            OpKind::SessionLanguage,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(commit_limits),
    },
    Rule {
        id: "DEFERRED-LANGUAGE",
        title: "MsiGetLanguage works in deferred and rollback actions",
        statement: "Deferred and rollback actions can call MsiGetLanguage and get the product's \
                    numeric language.",
        sources: &[CONTEXT_INFO, "API:msigetlanguage"],
        contexts: &[Context::Deferred, Context::Rollback],
        family: Family::Deferred,
        subject: Subject::calls(&[OpKind::GetLanguage, OpKind::SessionLanguage]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(deferred_language),
    },
    Rule {
        id: "DEFERRED-FORMATRECORD",
        title: "Deferred formatting resolves only CustomActionData and ProductCode",
        statement: "MsiFormatRecord in a deferred action expands [CustomActionData] and \
                    [ProductCode]; any other property formats as empty.",
        sources: &[CONTEXT_INFO],
        contexts: &[Context::Deferred, Context::Rollback],
        family: Family::Deferred,
        subject: Subject::calls(&[OpKind::FormatRecord]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(deferred_format),
    },
    Rule {
        id: "DEFERRED-PROCESSMESSAGE",
        title: "Deferred actions can send messages",
        statement: "MsiProcessMessage is available to deferred, rollback and commit actions for \
                    log, user and progress messages; an informational message with no handler to \
                    answer it returns 0.",
        sources: &[CONTEXT_INFO, "API:msiprocessmessage"],
        contexts: IN_SCRIPT,
        family: Family::Deferred,
        subject: Subject::calls(&[OpKind::ProcessMessage, OpKind::SessionMessage]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(deferred_message),
    },
    Rule {
        id: "DEFERRED-NO-SETPROPERTY",
        title: "Deferred actions cannot change properties",
        statement: "MsiSetProperty is not available to in-script actions: whatever it returns \
                    there, no property of the session changes.",
        sources: &[
            CONTEXT_INFO,
            "Revenera KB deferred-execution-custom-action-cannot-retrieve-a-property-value",
        ],
        contexts: IN_SCRIPT,
        family: Family::Deferred,
        subject: Subject::calls(&[
            OpKind::SetProperty,
            OpKind::SessionPropertySet,
            OpKind::GetProperty,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(deferred_no_set),
    },
    Rule {
        id: "DEFERRED-NO-DATABASE",
        title: "Deferred actions get no database handle",
        statement: "MsiGetActiveDatabase is not on the deferred allow-list and returns 0 there; \
                    Session.Database is likewise unavailable to deferred scripts.",
        sources: &[CONTEXT_INFO, "API:msigetactivedatabase", "S2"],
        contexts: &[
            Context::Deferred,
            Context::Rollback,
            Context::Commit,
            Context::ScriptDeferred,
        ],
        family: Family::Deferred,
        subject: Subject::calls(&[OpKind::GetActiveDatabase, OpKind::SessionDatabase]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(deferred_no_db),
    },
    Rule {
        id: "INSCRIPT-SEQUENCING",
        title: "In-script actions sit between InstallInitialize and InstallFinalize (ICE77)",
        statement: "Every custom action with the in-script bit must be sequenced after \
                    InstallInitialize and before InstallFinalize, and both must be present.",
        sources: &["MS:ice77", "MS:deferred-execution-custom-actions"],
        contexts: &[Context::Deferred, Context::Rollback, Context::Commit],
        family: Family::Deferred,
        subject: Subject::install(&[]),
        level: Level::Must,
        disagreement: None,
        check: Check::Unobservable(
            "an authoring check on the package's sequence tables (ICE77), made by validation \
             tools; it is not a behaviour of the session API that a transcript can show",
        ),
    },
    Rule {
        id: "INSCRIPT-FLAGS",
        title: "0x400 with 0x100 or 0x200 makes rollback and commit actions",
        statement: "With the in-script bit, 0x100 marks a rollback action, which runs only while \
                    an install is rolled back, and 0x200 a commit action.",
        sources: &[
            "MS:custom-action-in-script-execution-options",
            "MS:rollback-custom-actions",
            "MS:commit-custom-actions",
        ],
        contexts: &[Context::Rollback, Context::Commit],
        family: Family::Deferred,
        subject: Subject::install(&[]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(inscript_flags),
    },
    Rule {
        id: "SCHED-FLAGS-SHARE-BITS",
        title: "Without 0x400 the same bits are scheduling options",
        statement: "Without the in-script bit the same bits schedule immediate actions. 0x100 \
                    (first sequence) skips the action in the execute sequence whenever the UI \
                    sequence ran, whether or not the UI sequence lists it, so an action in both \
                    runs once. Without a UI sequence, a 0x100 or 0x200 (once per process) action \
                    runs in the execute sequence, and a 0x300 (client repeat) action does not, \
                    as it runs there only after a UI sequence in the client. (Whether 0x200 runs \
                    again after a UI sequence depends on which process runs the execute \
                    sequence, and is not judged.)",
        sources: &[
            "MS:custom-action-execution-scheduling-options",
            "MS:custom-action-in-script-execution-options",
        ],
        contexts: &[Context::ImmediateUi, Context::ImmediateBeforeInit],
        family: Family::Deferred,
        subject: Subject::install(&[]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(sched_flags),
    },
    Rule {
        id: "RB-CM-NEED-ROLLBACK-ENABLED",
        title: "Commit and rollback actions need rollback enabled; commit needs success",
        statement:
            "With rollback disabled neither rollback nor commit actions run; commit actions \
                    run only once InstallFinalize has succeeded.",
        sources: &[
            "MS:commit-custom-actions",
            "MS:rollback-custom-actions",
            "MS:synchronous-and-asynchronous-custom-actions",
        ],
        contexts: &[Context::Rollback, Context::Commit],
        family: Family::Deferred,
        subject: Subject::install(&[]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(rb_cm_enabled),
    },
];

const ALLOWED: &[&str] = &["CustomActionData", "ProductCode", "UserSID"];

/// Whether the run of `events[i]` set property `name` earlier (an in-script set, which must not count).
fn set_earlier(events: &[Event], i: usize, name: &str) -> bool {
    facts::run_before_in(events, i, &[Key::Sets(name.to_ascii_lowercase())])
        .any(|(_, e)| matches!(&e.call, Operation::SetProperty { name: Some(n), .. } if n == name))
}

fn product_code(plan: &Plan) -> Option<&str> {
    if facts::command_line_value(plan, "ProductCode").is_some()
        || facts::plan_or_package_sets_property(plan, "ProductCode")
    {
        return None;
    }
    plan.fixture.property("ProductCode")
}

fn deferred_props(plan: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DEFERRED-PROPS";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e)
            || !matches!(e.context, Context::Deferred | Context::Rollback)
                && e.context != Context::Commit
        {
            continue;
        }
        if let Operation::EvaluateCondition {
            condition: Some(cond),
        } = &e.call
        {
            // Properties outside the allow-list read as empty in the condition too.
            let lookup = |name: &str| {
                let plain = !name.starts_with(['%', '$', '?', '&', '!']);
                if plain && !ALLOWED.contains(&name) && !set_earlier(&t.events, i, name) {
                    crate::msi::format::Lookup::Absent
                } else {
                    crate::msi::format::Lookup::Unknown
                }
            };
            if let Some(want) = crate::msi::condition::evaluate(Some(cond), &lookup) {
                expect_number(out, ID, e, want);
            }
            continue;
        }
        let Operation::GetProperty {
            name: Some(n),
            buffer,
            handle: HandleArg::Session,
            ..
        } = &e.call
        else {
            continue;
        };
        if n.starts_with('%') || matches!(buffer, Buffer::NullSize | Buffer::NullBoth) {
            continue;
        }
        let ample = *buffer == Buffer::Ample;
        if n == "ProductCode" {
            if e.context == Context::Commit || !ample {
                continue;
            }
            if let (Some(pc), Some(v)) = (product_code(plan), &e.outcome.value) {
                if v != pc {
                    flag(out, ID, e, format!("value={pc:?}"));
                }
            }
            continue;
        }
        if n == "UserSID" {
            // A custom action that changed UserSID leaves what the script carries unsettled.
            let changed = facts::plan_sets_property(plan, "UserSID");
            if ample && !changed && e.outcome.value.as_deref() == Some("") {
                flag(out, ID, e, "a non-empty UserSID");
            }
            continue;
        }
        if ALLOWED.contains(&n.as_str()) || set_earlier(&t.events, i, n) {
            continue;
        }
        if profile == Profile::Windows
            && e.outcome.rc.is_some_and(|r| {
                r != rc::SUCCESS && !(r == rc::MORE_DATA && *buffer == Buffer::Sized(0))
            })
        {
            flag(out, ID, e, "rc=0 with an empty value");
            continue;
        }
        if e.outcome.value.as_deref().is_some_and(|v| !v.is_empty())
            || e.outcome.size.is_some_and(|s| s != 0)
        {
            flag(out, ID, e, "an empty value");
        }
    }
}

/// Checks CustomActionData reads in in-script contexts, pushing those whose
/// expectation depends on a later change (`snapshot`) or not.
fn cad(plan: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>, snapshot: bool) {
    let id = if snapshot {
        "CUSTOMACTIONDATA-SNAPSHOT"
    } else {
        "CUSTOMACTIONDATA-BY-NAME"
    };
    for e in &t.events {
        if !performed(e) {
            continue;
        }
        let c_read = matches!(&e.call, Operation::GetProperty { name: Some(n), buffer: Buffer::Ample, handle: HandleArg::Session, .. } if n == "CustomActionData")
            && facts::is_in_script_c(e.context);
        let script_read = matches!(&e.call, Operation::SessionPropertyGet { name: Some(n) } if n == "CustomActionData")
            && e.context == Context::ScriptDeferred;
        if !c_read && !script_read {
            continue;
        }
        let Some((want, later)) = facts::scheduled_data(plan, &e.probe) else {
            continue;
        };
        if later != snapshot {
            continue;
        }
        // An A read on Windows goes through the ANSI bridge, which stops at a NUL.
        let want = facts::as_read(e, &want, profile);
        if let Some(v) = &e.outcome.value {
            if *v != want {
                flag(out, id, e, format!("value={want:?}"));
            }
        }
    }
}

fn cad_by_name(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    cad(plan, t, p, out, false);
}
fn cad_snapshot(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    cad(plan, t, p, out, true);
}
fn cad_immediate(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    super::properties::scan(plan, t, p, out, "CUSTOMACTIONDATA-IMMEDIATE");
}

fn runs_in_script(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    let f = &plan.fixture;
    let script_point = f
        .execute_sequence
        .iter()
        .filter(|r| {
            r.sequence > 0
                && matches!(
                    r.action.as_str(),
                    "InstallFinalize" | "InstallExecute" | "InstallExecuteAgain"
                )
        })
        .map(|r| r.sequence)
        .min();
    let Some(point) = script_point else {
        return;
    };
    for d in plan.probes.keys() {
        let Some(row) = facts::custom_action(plan, d) else {
            continue;
        };
        if facts::script_kind(row) != Some(facts::ScriptKind::Deferred) {
            continue;
        }
        let Some(pd) = facts::probe_position(plan, d).filter(|p| !p.ui && p.sequence < point)
        else {
            continue;
        };
        let Some(d_run) = facts::first_run(t, d) else {
            continue;
        };
        for imm in plan.probes.keys() {
            let Some(irow) = facts::custom_action(plan, imm) else {
                continue;
            };
            if irow.is_in_script() {
                continue;
            }
            let Some(pi) = facts::probe_position(plan, imm).filter(|p| !p.ui) else {
                continue;
            };
            if pi.sequence <= pd.sequence || pi.sequence >= point {
                continue;
            }
            if let Some(i_run) = facts::first_run(t, imm) {
                if d_run < i_run {
                    out.push(Violation::at(
                        "DEFERRED-RUNS-IN-SCRIPT",
                        None,
                        format!("{imm} (immediate, {}) runs before {d} (deferred, {}), which runs from the script", pi.sequence, pd.sequence),
                        format!("{d} ran first"),
                    ));
                }
            }
        }
    }
}

fn runmode_kind(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    for e in &t.events {
        if !performed(e) {
            continue;
        }
        let mode = match &e.call {
            Operation::GetMode {
                mode,
                handle: HandleArg::Session,
            } => *mode,
            Operation::SessionMode { mode } if e.context == Context::ScriptImmediate => *mode,
            _ => continue,
        };
        if !(runmode::SCHEDULED..=runmode::COMMIT).contains(&mode) {
            continue;
        }
        let truth = match e.context {
            Context::Deferred => mode == runmode::SCHEDULED,
            Context::Rollback => mode == runmode::ROLLBACK,
            Context::Commit => mode == runmode::COMMIT,
            Context::Package
            | Context::ImmediateUi
            | Context::ImmediateBeforeInit
            | Context::ImmediateAfterInit
            | Context::ScriptImmediate => false,
            _ => continue,
        };
        if let Some(n) = e.outcome.number {
            if (n != 0) != truth {
                flag(
                    out,
                    "RUNMODE-IMM-VS-DEF",
                    e,
                    format!("number={}", i64::from(truth)),
                );
            }
        }
    }
}

fn runmode_others(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    for e in &t.events {
        if !performed(e) || !facts::is_in_script_c(e.context) {
            continue;
        }
        if let Operation::GetMode {
            mode,
            handle: HandleArg::Session,
        } = &e.call
        {
            if !(runmode::SCHEDULED..=runmode::COMMIT).contains(mode)
                && e.outcome.number.is_some_and(|n| n != 0)
            {
                flag(out, "RUNMODE-DEF-OTHERS-FALSE", e, "number=0");
            }
        }
    }
}

fn commit_limits(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "COMMIT-LIMITS";
    for e in &t.events {
        if !performed(e) || e.context != Context::Commit {
            continue;
        }
        match &e.call {
            Operation::GetProperty {
                name: Some(n),
                handle: HandleArg::Session,
                ..
            } if n == "ProductCode"
                && e.outcome.value.as_deref().is_some_and(|v| !v.is_empty()) =>
            {
                flag(out, ID, e, "an empty ProductCode");
            }
            Operation::GetLanguage if e.outcome.number.is_some_and(|n| n != 0) => {
                flag(out, ID, e, "number=0 (no language in commit actions)");
            }
            _ => {}
        }
    }
}

fn product_language(plan: &Plan) -> Option<i64> {
    if facts::command_line_value(plan, "ProductLanguage").is_some()
        || facts::plan_sets_property(plan, "ProductLanguage")
    {
        return None;
    }
    plan.fixture
        .property("ProductLanguage")?
        .trim()
        .parse()
        .ok()
}

fn deferred_language(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    let Some(lang) = product_language(plan) else {
        return;
    };
    for e in &t.events {
        if performed(e)
            && matches!(e.context, Context::Deferred | Context::Rollback)
            && e.call == Operation::GetLanguage
        {
            expect_number(out, "DEFERRED-LANGUAGE", e, lang);
        }
    }
}

fn deferred_format(plan: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    use std::borrow::Cow;
    for e in &t.events {
        if !performed(e) || !matches!(e.context, Context::Deferred | Context::Rollback) {
            continue;
        }
        let Operation::FormatRecord {
            template,
            fields,
            null_record: false,
            buffer: Buffer::Ample,
            handle: HandleArg::Session,
            ..
        } = &e.call
        else {
            continue;
        };
        let resolve = |n: &str| -> Option<Cow<'_, str>> {
            match n {
                "ProductCode" => product_code(plan).map(Cow::Borrowed),
                "CustomActionData" => facts::scheduled_data(plan, &e.probe).map(|(v, _)| v),
                _ if n.starts_with(['#', '$', '!', '%']) => None,
                _ => Some(Cow::Borrowed("")),
            }
        };
        let Some(want) = facts::format_settled(template, fields, &resolve) else {
            continue;
        };
        let want = facts::as_read(e, &want, profile);
        if let Some(v) = &e.outcome.value {
            if *v != want {
                flag(out, "DEFERRED-FORMATRECORD", e, format!("value={want:?}"));
            }
        }
    }
}

/// INSTALLMESSAGE_INFO, which no handler answers in an unattended install.
pub(super) const MESSAGE_INFO: u32 = 0x0400_0000;

/// Message kinds a deferred action sends as a matter of course: user, action data, progress.
const ROUTINE_MESSAGES: &[u32] = &[0x0300_0000, 0x0900_0000, 0x0A00_0000];

fn deferred_message(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DEFERRED-PROCESSMESSAGE";
    for e in &t.events {
        if !performed(e) || !facts::is_in_script_c(e.context) {
            continue;
        }
        if let Operation::ProcessMessage { kind, .. } = &e.call {
            if *kind == MESSAGE_INFO {
                expect_number(out, ID, e, 0);
            } else if ROUTINE_MESSAGES.contains(kind) && e.outcome.number == Some(-1) {
                flag(out, ID, e, "the message is processed (not -1)");
            }
        }
    }
}

fn deferred_no_set(plan: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DEFERRED-NO-SETPROPERTY";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) {
            continue;
        }
        let Operation::GetProperty {
            name: Some(n),
            buffer: Buffer::Ample,
            handle: HandleArg::Session,
            ..
        } = &e.call
        else {
            continue;
        };
        if facts::is_in_script_c(e.context) {
            // A read after the action's own set: the set changed nothing.
            if !ALLOWED.contains(&n.as_str())
                && set_earlier(&t.events, i, n)
                && e.outcome.value.as_deref().is_some_and(|v| !v.is_empty())
            {
                flag(
                    out,
                    ID,
                    e,
                    "an empty value (the earlier MsiSetProperty has no effect)",
                );
            }
            continue;
        }
        if !facts::is_immediate_c(e.context) {
            continue;
        }
        // An immediate read of a property that only in-script steps set.
        let in_script_sets = facts::plan_wide(plan, "set in script", n, || {
            facts::all_steps(plan).any(|(_, ctx, op)| {
                ctx.is_in_script()
                    && matches!(op, Operation::SetProperty { name: Some(m), .. } | Operation::SessionPropertySet { name: Some(m), .. } if m == n)
            })
        });
        if !in_script_sets
            || facts::run_before(&t.events, i)
                .any(|p| !matches!(p.call, Operation::GetProperty { .. }))
        {
            continue;
        }
        let Some(pos) = facts::probe_position(plan, &e.probe) else {
            continue;
        };
        let Some(k) = facts::value_at_position(plan, n, pos, &e.probe, true, 0) else {
            continue;
        };
        let want = facts::as_read(e, &k.value, profile);
        if let Some(v) = &e.outcome.value {
            if *v != want {
                flag(
                    out,
                    ID,
                    e,
                    format!("value={want:?} (set only by in-script actions)"),
                );
            }
        }
    }
}

fn deferred_no_db(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    for e in &t.events {
        if !performed(e) {
            continue;
        }
        let applies = match e.call {
            Operation::GetActiveDatabase { .. } => facts::is_in_script_c(e.context),
            Operation::SessionDatabase { .. } => {
                e.context == Context::ScriptDeferred && e.outcome.exception.is_none()
            }
            _ => false,
        };
        if applies && e.outcome.handle.is_some_and(|h| h != 0) {
            flag(out, "DEFERRED-NO-DATABASE", e, "handle=0");
        }
    }
}

fn inscript_flags(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "INSCRIPT-FLAGS";
    // The first run of a deferred action whose failure starts the rollback.
    let failing = |probe: &str| {
        facts::custom_action(plan, probe).is_some_and(|r| {
            facts::script_kind(r) == Some(facts::ScriptKind::Deferred)
                && r.kind & catype::CONTINUE == 0
                && plan.probes.get(probe).is_some_and(|p| {
                    p.returns != rc::SUCCESS && p.returns != rc::FUNCTION_NOT_CALLED
                })
        })
    };
    let first_failure = t.runs.iter().position(|r| failing(&r.probe));
    for row in &plan.fixture.custom_actions {
        if facts::script_kind(row) != Some(facts::ScriptKind::Rollback) {
            continue;
        }
        let Some(run) = facts::first_run(t, &row.action) else {
            continue;
        };
        if facts::package_runs_action(plan, &row.action) {
            // It may have run in the package handle's session, rolling back an install of its own.
            continue;
        }
        if t.install_result == Some(rc::SUCCESS) {
            out.push(Violation::at(
                ID,
                None,
                format!(
                    "rollback action {} (type {}) runs only during a rollback",
                    row.action, row.kind
                ),
                "it ran in an install that succeeded",
            ));
        } else if first_failure.is_some_and(|f| run < f) {
            out.push(Violation::at(
                ID,
                None,
                format!(
                    "rollback action {} (type {}) runs after the deferred failure",
                    row.action, row.kind
                ),
                "it ran before the failure, as a deferred action would",
            ));
        }
    }
}

fn sched_flags(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    sched_flags_execute_only(plan, t, out);
    if !facts::ui_sequence_runs(plan) {
        return;
    }
    let f = &plan.fixture;
    for row in &f.custom_actions {
        if row.kind & (catype::IN_SCRIPT | catype::CLIENT_REPEAT) != catype::FIRST_SEQUENCE {
            continue;
        }
        let in_both = f
            .ui_sequence
            .iter()
            .any(|r| r.action == row.action && r.sequence > 0)
            && f.execute_sequence
                .iter()
                .any(|r| r.action == row.action && r.sequence > 0);
        // Runs by name include whole sequences run again (INSTALL, ExecuteAction),
        // which from the package handle happen in a session of their own.
        let by_name = facts::all_steps(plan).any(|(_, _, op)| {
            matches!(op, Operation::Sequence { .. })
                || facts::runs_actions_by_name(op, Some(&row.action))
        });
        let n = t.run_count(&row.action);
        if in_both && !by_name && n > 1 {
            out.push(Violation::at(
                "SCHED-FLAGS-SHARE-BITS",
                None,
                format!(
                    "{} (type {}, first-sequence) runs once",
                    row.action, row.kind
                ),
                format!("it ran {n} times"),
            ));
        }
    }
}

/// Whether some commit action of the plan fails, which may itself change the install result.
fn commit_failures(plan: &Plan) -> bool {
    plan.fixture.custom_actions.iter().any(|r| {
        facts::script_kind(r) == Some(facts::ScriptKind::Commit)
            && plan
                .probes
                .get(&r.action)
                .is_some_and(|p| p.returns != rc::SUCCESS && p.returns != rc::FUNCTION_NOT_CALLED)
    })
}

fn rb_cm_enabled(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "RB-CM-NEED-ROLLBACK-ENABLED";
    let disabled = facts::rollback_disabled(plan);
    // The package handle's session has no command line: only the Property table disables rollback there.
    let disabled_in_table = plan
        .fixture
        .property("DISABLEROLLBACK")
        .is_some_and(|v| !v.is_empty());
    for row in &plan.fixture.custom_actions {
        let Some(kind) = facts::script_kind(row) else {
            continue;
        };
        if kind == facts::ScriptKind::Deferred || t.run_count(&row.action) == 0 {
            continue;
        }
        // Steps on the package handle may run the action in that other session,
        // whose runs the transcript does not tell apart from the install's.
        if facts::package_runs_action(plan, &row.action) && !disabled_in_table {
            continue;
        }
        if disabled {
            out.push(Violation::at(
                ID,
                None,
                format!("{} does not run with rollback disabled", row.action),
                "it ran",
            ));
        } else if kind == facts::ScriptKind::Commit
            && t.install_result.is_some_and(|r| r != rc::SUCCESS)
            && !commit_failures(plan)
        {
            out.push(Violation::at(
                ID,
                None,
                format!(
                    "commit action {} runs only after a successful InstallFinalize",
                    row.action
                ),
                format!(
                    "it ran in an install that ended with {}",
                    t.install_result.unwrap_or_default()
                ),
            ));
        }
    }
}

/// How many times an immediate action with scheduling bits `bits`, sequenced
/// only in InstallExecuteSequence, runs in an install that reaches its row;
/// `None` where the documentation leaves it open.
fn execute_only_runs(bits: u32, ui_ran: bool) -> Option<usize> {
    match (bits, ui_ran) {
        (catype::FIRST_SEQUENCE, true) => Some(0),
        (catype::FIRST_SEQUENCE, false) | (catype::ONCE_PER_PROCESS, false) => Some(1),
        (catype::CLIENT_REPEAT, false) => Some(0),
        _ => None,
    }
}

/// The scheduling options of probes sequenced only in the execute sequence,
/// in a clean install that succeeds (so every unconditioned row was reached).
fn sched_flags_execute_only(plan: &Plan, t: &Transcript, out: &mut Vec<Violation>) {
    let f = &plan.fixture;
    let replaced = facts::sequences_replaced(plan);
    if replaced
        || t.install_result != Some(rc::SUCCESS)
        || !facts::top_level_is_install(plan)
        || !facts::execute_sequence_runs(plan)
        || facts::execute_action_may_change(plan)
        || plan.probes.values().any(|p| p.returns != rc::SUCCESS)
    {
        return;
    }
    // Whether the UI sequence ran: a UI level that runs it, and rows to run.
    let ui_rows = f.ui_sequence.iter().any(|r| r.sequence > 0);
    if facts::ui_sequence_runs(plan) && !ui_rows && !f.ui_sequence.is_empty() {
        return;
    }
    let ui_ran = facts::ui_sequence_runs(plan) && ui_rows;
    for row in &f.custom_actions {
        let bits = row.kind & catype::CLIENT_REPEAT;
        if row.is_in_script() || bits == 0 {
            continue;
        }
        let Some(n) = facts::times_run(plan, t, &row.action) else {
            continue;
        };
        let Some(pos) = facts::probe_position(plan, &row.action) else {
            continue;
        };
        if pos.ui || facts::package_runs_action(plan, &row.action) {
            continue;
        }
        let Some(want) = execute_only_runs(bits, ui_ran) else {
            continue;
        };
        if n != want {
            let when = if ui_ran {
                "after the UI sequence"
            } else {
                "without a UI sequence"
            };
            out.push(Violation::at(
                "SCHED-FLAGS-SHARE-BITS",
                None,
                format!(
                    "{} (type {}, only in the execute sequence) runs {want} time(s) {when}",
                    row.action, row.kind
                ),
                format!("it ran {n} time(s)"),
            ));
        }
    }
}
