//! DoAction on standard and nested actions, MsiSequence, and sequence tables.

use super::prelude::*;
use crate::msi::condition as msi_condition;
use crate::msi::format::Lookup;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "DOACTION-SYSTEM-UPDATE",
        title: "System-changing actions run through DoAction outside the script window have no effect",
        statement: "Standard actions that change the machine take effect through DoAction only \
                    from a custom action sequenced between InstallInitialize and InstallFinalize; \
                    elsewhere Windows accepts the call and does nothing.",
        sources: &["S0", "API:msidoactiona", "WT:package.c test_removefiles"],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ScriptImmediate,
        ],
        family: Family::Sequencing,
        subject: Subject::calls(&[OpKind::DoAction, OpKind::SessionDoAction]),
        level: Level::Must,
        disagreement: Some(
            "documented: such actions 'cannot be run', with no return code given, so nothing is \
             asserted; windows: the call returns 0 (Session.DoAction 1) and changes nothing \
            .",
        ),
        check: Check::Predicate(system_update),
    },
    Rule {
        id: "DOACTION-NONSYSTEM-OK",
        title: "Actions that do not change the system can be run through DoAction at any time",
        statement: "AppSearch and the costing actions may be run by name from a package handle or \
                    an immediate custom action and succeed.",
        sources: &["S0", "API:msidoactiona"],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
        ],
        family: Family::Sequencing,
        subject: Subject::calls(&[OpKind::DoAction, OpKind::SessionDoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(nonsystem_ok),
    },
    Rule {
        id: "DOACTION-NESTED",
        title: "Nested DoAction and MsiSequence run synchronously and share properties",
        statement: "An immediate custom action can run other custom actions and custom sequence \
                    tables; they finish before the call returns and the properties they set are \
                    visible to the caller. MsiSequence with a Null table returns 87.",
        sources: &["API:msidoactiona", "MS:session-object"],
        contexts: PKG_IMM,
        family: Family::Sequencing,
        subject: Subject::calls(&[OpKind::DoAction, OpKind::SessionDoAction, OpKind::Sequence, OpKind::GetProperty, OpKind::SessionPropertyGet]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(nested),
    },
    Rule {
        id: "SEQ-TERMINATION-ACTIONS",
        title: "Sequence numbers -1 to -4 run when the install ends that way",
        statement: "An action at sequence -1, -2, -3 or -4 runs when the top-level action finishes \
                    with success, user exit, fatal failure or suspend respectively, and at no other \
                    time.",
        sources: &["MS:installexecutesequence-table"],
        contexts: TOP,
        family: Family::Sequencing,
        subject: Subject::install(&[]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(termination),
    },
    Rule {
        id: "SEQ-ORDER",
        title: "A sequence runs its rows in ascending Sequence order, each logged once",
        statement: "The top-level install runs the rows of InstallExecuteSequence with a \
                    positive Sequence number in ascending order, each once, and its log records \
                    each action started with the result it returned: 1 for success. (Whether a \
                    deferred action is logged a second time when the script runs it is not \
                    settled, and not judged.)",
        sources: &[
            "MS:using-a-sequence-table",
            "MS:installexecutesequence-table",
            "MS:logging-of-action-return-values",
        ],
        contexts: TOP,
        family: Family::Sequencing,
        subject: Subject::install(&[OpKind::Sequence]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(order),
    },
    Rule {
        id: "SEQ-ZERO-NEVER-RUNS",
        title: "A sequence row at 0 never runs",
        statement: "Sequence number 0 is not a position: an action whose only rows sit at 0 is \
                    never run by the sequence, whatever the install's outcome.",
        sources: &["MS:installexecutesequence-table", "MS:installuisequence-table"],
        contexts: TOP,
        family: Family::Sequencing,
        subject: Subject::install(&[]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(zero_never_runs),
    },
    Rule {
        id: "SEQ-CONDITION",
        title: "A sequence row runs its action exactly when its condition is true",
        statement: "The Condition column of InstallUISequence and InstallExecuteSequence is a \
                    conditional statement evaluated when the sequence reaches the row: the action \
                    runs when it is TRUE (or the column is empty) and is skipped when it is FALSE. \
                    The truth value is the one the condition language defines for the property \
                    values the row sees, including case-sensitive string comparison.",
        sources: &[
            "MS:installexecutesequence-table",
            "MS:installuisequence-table",
            "MS:conditional-statement-syntax",
        ],
        contexts: TOP,
        family: Family::Sequencing,
        subject: Subject::install(&[OpKind::Sequence]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(row_conditions),
    },
    Rule {
        id: "SEQ-BAD-CONDITION",
        title: "A sequence row with a malformed condition stops the install",
        statement: "When a sequence row's condition cannot be parsed, the sequence ends with \
                    bad-action-data and the install does not succeed.",
        sources: &["MS:installexecutesequence-table"],
        contexts: TOP,
        family: Family::Sequencing,
        subject: Subject::install(&[OpKind::Sequence]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(bad_condition),
    },
];

/// The log of a plain install that succeeds: the top-level INSTALL, then
/// every execute-sequence row in order, each logged 1. Settled only for
/// plans with nothing that changes which rows run or how they end: no UI
/// sequence that runs, no conditions, termination rows or repeated numbers,
/// no scheduling options, every custom action a probe returning 0 or a
/// type-51 action, and no step that runs actions, installs or touches a
/// sequence table with SQL.
fn expected_log(plan: &Plan, t: &Transcript) -> Option<Vec<String>> {
    let f = &plan.fixture;
    if facts::expected_install_result(plan, t)?.0 != rc::SUCCESS
        || (facts::ui_sequence_runs(plan) && !f.ui_sequence.is_empty())
        || plan.probes.values().any(|p| p.returns != 0)
    {
        return None;
    }
    // A fixture table can replace the sequence or CustomAction table the
    // plan's rows describe.
    let replaced = facts::sequences_replaced(plan);
    if replaced {
        return None;
    }
    let touches_sequences = facts::all_steps(plan).any(|(_, _, op)| match op {
        Operation::DoAction { .. }
        | Operation::SessionDoAction { .. }
        | Operation::Sequence { .. }
        | Operation::InstallProduct { .. }
        | Operation::Modify { .. } => true,
        Operation::Sql { sql, .. } | Operation::OpenView { sql: Some(sql), .. } => {
            sql.contains("Sequence")
        }
        _ => false,
    });
    if touches_sequences {
        return None;
    }
    let mut rows: Vec<_> = f.execute_sequence.iter().collect();
    if rows
        .iter()
        .any(|r| r.sequence <= 0 || r.condition.is_some())
    {
        return None;
    }
    rows.sort_by_key(|r| r.sequence);
    if rows.windows(2).any(|w| w[0].sequence == w[1].sequence) {
        return None;
    }
    let mut log = vec!["INSTALL".to_owned()];
    for r in rows {
        match crate::msi::actions::standard(&r.action) {
            // The top-level actions run themselves again.
            Some(crate::msi::actions::ActionKind::TopLevel) => return None,
            // ForceReboot suspends the install; ExecuteAction runs a sequence of its own.
            Some(_) if r.action == "ForceReboot" || r.action == "ExecuteAction" => return None,
            Some(_) => {}
            None => {
                let ca = f.custom_action(&r.action)?;
                let plain =
                    ca.basic_type() == catype::SET_PROPERTY || plan.probes.contains_key(&r.action);
                if !plain || ca.kind & (catype::CLIENT_REPEAT | catype::ASYNC) != 0 {
                    return None;
                }
            }
        }
        log.push(r.action.clone());
    }
    Some(log)
}

fn order(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SEQ-ORDER";
    if t.install_result != Some(rc::SUCCESS) || t.actions.is_empty() {
        return;
    }
    let Some(want) = expected_log(plan, t) else {
        return;
    };
    // A deferred, rollback or commit action may be logged again when the script
    // runs it (Wine does so); the documentation does not settle that second
    // entry, so only the first of each is judged.
    let mut seen = rustc_hash::FxHashSet::default();
    let logged: Vec<&crate::ActionRecord> = t
        .actions
        .iter()
        .filter(|a| {
            let in_script = facts::custom_action(plan, &a.name).is_some_and(|r| r.is_in_script());
            seen.insert(a.name.as_str()) || !in_script
        })
        .collect();
    let names: Vec<&str> = logged.iter().map(|a| a.name.as_str()).collect();
    if names != want {
        out.push(Violation::at(
            ID,
            None,
            format!("actions started in order: {}", want.join(", ")),
            format!("actions started: {}", names.join(", ")),
        ));
        return;
    }
    for a in logged {
        if let Some(r) = a.result.filter(|r| *r != 1) {
            out.push(Violation::at(
                ID,
                None,
                format!("{} logged with result 1", a.name),
                format!("result {r}"),
            ));
        }
    }
}

fn system_update(plan: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DOACTION-SYSTEM-UPDATE";
    if profile == Profile::Documented {
        return;
    }
    let _ = plan;
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) {
            continue;
        }
        match &e.call {
            Operation::DoAction {
                action: Some(a),
                handle: HandleArg::Session,
            } if crate::msi::actions::changes_system(a) => {
                let outside = match e.context {
                    Context::ImmediateUi | Context::ImmediateBeforeInit => true,
                    Context::Package => facts::ran_before(&t.events, i, "CostFinalize"),
                    _ => false,
                };
                if outside {
                    expect_rc(out, ID, e, rc::SUCCESS);
                }
            }
            Operation::SessionDoAction { action: Some(a) }
                if e.context == Context::ScriptImmediate
                    && crate::msi::actions::changes_system(a)
                    && e.outcome
                        .number
                        .is_some_and(|n| n >= status::USER_EXIT && n != status::FINISHED) =>
            {
                // The exact status is SESSION-DOACTION-ENUM's concern; here only a failure counts.
                flag(out, ID, e, "number=1 (accepted without effect)");
            }
            _ => {}
        }
    }
}

fn nonsystem_ok(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DOACTION-NONSYSTEM-OK";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) {
            continue;
        }
        match &e.call {
            Operation::DoAction {
                action: Some(a),
                handle: HandleArg::Session,
            } if facts::is_full_c(e.context) => {
                let settled = match a.as_str() {
                    "CostInitialize" | "AppSearch" => true,
                    "FileCost" => {
                        e.context != Context::Package
                            || facts::ran_before(&t.events, i, "CostInitialize")
                    }
                    "CostFinalize" => {
                        e.context != Context::Package || facts::ran_before(&t.events, i, "FileCost")
                    }
                    _ => false,
                };
                if settled {
                    expect_rc(out, ID, e, rc::SUCCESS);
                }
            }
            Operation::SessionDoAction { action: Some(a) }
                if e.context == Context::ScriptImmediate && a == "CostInitialize"
                // The exact status value is SESSION-DOACTION-ENUM's concern; here only a refusal counts.
                && e.outcome
                    .number
                    .is_some_and(|n| n >= status::USER_EXIT && n != status::FINISHED) =>
            {
                flag(out, ID, e, "number=1 (the action runs)");
            }
            _ => {}
        }
    }
}

fn nested(plan: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DOACTION-NESTED";
    for e in &t.events {
        if performed(e)
            && facts::is_full_c(e.context)
            && matches!(e.call, Operation::Sequence { table: None })
        {
            expect_rc(out, ID, e, rc::INVALID_PARAMETER);
        }
    }
    super::properties::scan(plan, t, profile, out, ID);
}

fn termination(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SEQ-TERMINATION-ACTIONS";
    let Some(result) = t.install_result else {
        return;
    };
    if !facts::top_level_is_install(plan) || facts::ui_sequence_runs(plan) {
        return;
    }
    let want = match result {
        rc::SUCCESS => -1,
        rc::INSTALL_USEREXIT => -2,
        rc::INSTALL_FAILURE => -3,
        rc::INSTALL_SUSPEND => -4,
        _ => return,
    };
    let f = &plan.fixture;
    for row in f
        .execute_sequence
        .iter()
        .filter(|r| (-4..=-1).contains(&r.sequence))
    {
        if !plan.probes.contains_key(&row.action)
            || crate::msi::actions::is_standard(&row.action)
            || row.condition.is_some()
            || f.execute_sequence
                .iter()
                .filter(|r| r.action == row.action)
                .count()
                != 1
            || f.ui_sequence.iter().any(|r| r.action == row.action)
            || facts::all_steps(plan).any(|(_, _, op)| match op {
                Operation::DoAction { action, .. } | Operation::SessionDoAction { action } => {
                    action.as_deref().is_none_or(|a| a == row.action)
                }
                Operation::Sequence { .. } => true,
                _ => false,
            })
        {
            continue;
        }
        let ran = t.run_count(&row.action) > 0;
        if row.sequence == want && !ran {
            out.push(Violation::at(
                ID,
                None,
                format!(
                    "{} (sequence {}) runs after install result {result}",
                    row.action, row.sequence
                ),
                "it did not run",
            ));
        } else if row.sequence != want && ran {
            out.push(Violation::at(
                ID,
                None,
                format!(
                    "{} (sequence {}) does not run after install result {result}",
                    row.action, row.sequence
                ),
                "it ran",
            ));
        }
    }
}

/// Whether `action` is one whose runs the action log shows one for one when
/// its row is reached: a standard action that neither runs sequences nor opens
/// or runs the script, or an immediate custom action without scheduling options.
fn logged_once_per_row(plan: &Plan, action: &str) -> bool {
    use crate::msi::actions::{self, ActionKind};
    match actions::standard(action) {
        Some(kind) => matches!(
            kind,
            ActionKind::Informational | ActionKind::SystemChanging | ActionKind::ScheduleReboot
        ),
        // A deferred action is logged once, when its row schedules it; rollback
        // and commit actions run only as the install's outcome decides.
        None => facts::custom_action(plan, action).is_some_and(|r| {
            let once =
                !r.is_in_script() || facts::script_kind(r) == Some(facts::ScriptKind::Deferred);
            once && r.kind & catype::CLIENT_REPEAT == 0
        }),
    }
}

fn row_conditions(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SEQ-CONDITION";
    let f = &plan.fixture;
    let replaced = facts::sequences_replaced(plan);
    // An install that succeeded, with no action asking to skip the rest of its
    // sequence (259), reached every row of the sequences it ran.
    if replaced
        || plan.probes.values().any(|p| p.returns != rc::SUCCESS)
        || t.actions.is_empty()
        || t.install_result != Some(rc::SUCCESS)
        || !facts::top_level_is_install(plan)
        || facts::execute_action_may_change(plan)
        || !facts::execute_sequence_runs(plan)
    {
        return;
    }
    let ui = facts::ui_sequence_runs(plan);
    let rows: Vec<(bool, &crate::fixture::SequenceRow)> = f
        .ui_sequence
        .iter()
        .filter(|_| ui)
        .map(|r| (true, r))
        .chain(f.execute_sequence.iter().map(|r| (false, r)))
        .filter(|(_, r)| r.sequence > 0)
        .collect();
    // Each action is judged once, over every row that sequences it: a standard
    // action sits in both tables, and runs once for each row whose condition holds.
    let mut judged: Vec<&str> = Vec::new();
    for &(_, first) in &rows {
        let action = first.action.as_str();
        if judged.contains(&action) {
            continue;
        }
        judged.push(action);
        let own: Vec<(bool, &crate::fixture::SequenceRow)> = rows
            .iter()
            .copied()
            .filter(|(_, r)| r.action == action)
            .collect();
        if own.iter().all(|(_, r)| r.condition.is_none())
            || own.iter().any(|(in_ui, r)| {
                // A row the same table repeats is one run or two, as the engine
                // orders equal numbers; leave it.
                own.iter()
                    .filter(|(u, o)| u == in_ui && o.sequence == r.sequence)
                    .count()
                    != 1
                    || r.condition
                        .as_deref()
                        .is_some_and(|c| msi_condition::syntax(Some(c)).is_some())
            })
            || (own.len() > 1 && own.iter().all(|(in_ui, _)| !in_ui))
            // Scheduling options let a custom action sequenced twice run only once.
            || (own.len() > 1
                && facts::custom_action(plan, action)
                    .is_some_and(|r| r.kind & catype::CLIENT_REPEAT != 0))
            || !logged_once_per_row(plan, action)
        {
            continue;
        }
        let by_name = facts::all_steps(plan).any(|(_, _, op)| {
            matches!(op, Operation::Sequence { .. })
                || facts::runs_actions_by_name(op, Some(action))
        });
        if by_name {
            continue;
        }
        let mut want_runs = 0usize;
        let mut settled = true;
        let mut shown = Vec::new();
        for &(in_ui, row) in &own {
            let Some(c) = row.condition.as_deref() else {
                want_runs += 1;
                continue;
            };
            let pos = facts::Position {
                ui: in_ui,
                sequence: row.sequence,
            };
            let lookup = |n: &str| -> Lookup<'_> {
                if n.starts_with(['%', '$', '?', '&', '!'])
                    || crate::msi::properties::is_engine_set(n)
                {
                    return Lookup::Unknown;
                }
                match facts::value_at_position(plan, n, pos, "", false, 0) {
                    Some(k) => Lookup::Found(k.value),
                    None => Lookup::Unknown,
                }
            };
            match msi_condition::evaluate(Some(c), &lookup) {
                Some(condition::TRUE) => {
                    want_runs += 1;
                    shown.push(format!("{c:?}, which is TRUE"));
                }
                Some(condition::FALSE) => shown.push(format!("{c:?}, which is FALSE")),
                _ => settled = false,
            }
        }
        if !settled {
            continue;
        }
        let Some(n) = facts::times_run(plan, t, action) else {
            continue;
        };
        if n != want_runs {
            out.push(Violation::at(
                ID,
                None,
                format!(
                    "{action} (condition {}) runs {want_runs} time(s)",
                    shown.join("; ")
                ),
                format!("it ran {n} time(s)"),
            ));
        }
    }
}

fn bad_condition(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    if t.install_result != Some(rc::SUCCESS) || !facts::top_level_is_install(plan) {
        return;
    }
    if plan.probes.values().any(|p| p.returns != 0)
        || facts::execute_action_may_change(plan)
        || !facts::execute_sequence_runs(plan)
    {
        return;
    }
    let bad = plan.fixture.execute_sequence.iter().find(|r| {
        r.sequence > 0
            && crate::msi::condition::syntax(r.condition.as_deref())
                == Some(crate::codes::condition::ERROR)
    });
    if let Some(row) = bad {
        out.push(Violation::at(
            "SEQ-BAD-CONDITION",
            None,
            format!(
                "the install fails at {} (condition {:?})",
                row.action,
                row.condition.as_deref().unwrap_or("")
            ),
            "install result 0",
        ));
    }
}

fn zero_never_runs(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SEQ-ZERO-NEVER-RUNS";
    if plan.install.is_none() {
        return;
    }
    let f = &plan.fixture;
    // A fixture table can replace the sequence tables the plan's rows describe.
    let replaced = facts::sequences_replaced(plan);
    if replaced {
        return;
    }
    for probe in f.custom_actions.iter().map(|r| &r.action) {
        let mut rows = f
            .execute_sequence
            .iter()
            .chain(&f.ui_sequence)
            .filter(|r| r.action == *probe)
            .peekable();
        if rows.peek().is_none() || !rows.all(|r| r.sequence == 0) {
            continue;
        }
        let by_name = facts::all_steps(plan).any(|(_, _, op)| {
            matches!(op, Operation::Sequence { .. }) || facts::runs_actions_by_name(op, Some(probe))
        });
        if by_name {
            continue;
        }
        let n = facts::times_run(plan, t, probe).unwrap_or(0);
        if n > 0 {
            out.push(Violation::at(
                ID,
                None,
                format!("{probe} (sequence 0) never runs"),
                format!("it ran {n} time(s)"),
            ));
        }
    }
}
