//! The order in which the install script runs what was scheduled into it, and
//! what each scheduling carries with it.

use super::prelude::*;
use crate::Buffer;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "RB-CM-ORDER",
        title: "Rollback actions run newest first; commit actions in the order scheduled",
        statement: "When an install rolls back, the rollback actions it had scheduled run in \
                    the reverse of the order they were scheduled in; after a successful script, \
                    commit actions run in the order they were scheduled in.",
        sources: &[
            "MS:rollback-custom-actions",
            "MS:commit-custom-actions",
            "MS:installfinalize-action",
        ],
        contexts: &[Context::Rollback, Context::Commit],
        family: Family::Deferred,
        subject: Subject::install(&[]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(rb_cm_order),
    },
    Rule {
        id: "CUSTOMACTIONDATA-PER-SCHEDULING",
        title: "CustomActionData is captured by each scheduling, not once per action name",
        statement: "A deferred action scheduled twice (through MsiDoAction from an immediate \
                    action) runs twice, and each run sees the value its own scheduling captured, \
                    in the order of the schedulings.",
        sources: &[
            "MS:obtaining-context-information-for-deferred-execution-custom-actions",
            "MS:deferred-execution-custom-actions",
        ],
        contexts: &[Context::Deferred],
        family: Family::Deferred,
        subject: Subject::calls(&[OpKind::GetProperty, OpKind::SessionPropertyGet]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(cad_per_scheduling),
    },
];

/// The rollback (or commit) actions whose runs can be put in scheduling order:
/// probes of that kind sequenced once in InstallExecuteSequence, inside the
/// script window, and run from nowhere else. Sorted by sequence number.
fn ordered_actions(plan: &Plan, kind: facts::ScriptKind) -> Vec<(i32, &str)> {
    let mut rows: Vec<(i32, &str)> = plan
        .fixture
        .custom_actions
        .iter()
        .filter(|r| facts::script_kind(r) == Some(kind) && plan.probes.contains_key(&r.action))
        .filter(|r| !facts::package_runs_action(plan, &r.action))
        .filter_map(|r| {
            let pos = facts::probe_position(plan, &r.action)?;
            (!pos.ui).then_some((pos.sequence, r.action.as_str()))
        })
        .collect();
    rows.sort();
    rows
}

fn rb_cm_order(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "RB-CM-ORDER";
    // A fixture table can replace the sequence or CustomAction table, and a
    // row outside the window is never scheduled.
    let replaced = plan
        .fixture
        .tables
        .iter()
        .any(|t| matches!(t.name.as_str(), "InstallExecuteSequence" | "CustomAction"));
    if replaced || !facts::script_rows_in_window(plan) {
        return;
    }
    for (kind, newest_first) in [
        (facts::ScriptKind::Rollback, true),
        (facts::ScriptKind::Commit, false),
    ] {
        // (first run, sequence, action) of those that ran, in the order they ran.
        let mut ran: Vec<(usize, i32, &str)> = ordered_actions(plan, kind)
            .into_iter()
            .filter_map(|(seq, a)| Some((facts::first_run(t, a)?, seq, a)))
            .collect();
        ran.sort();
        for w in ran.windows(2) {
            let ((_, s1, a1), (_, s2, a2)) = (w[0], w[1]);
            // Rows at the same number have no order between them.
            let wrong = if newest_first { s1 < s2 } else { s1 > s2 };
            if wrong {
                let what = if newest_first { "rollback" } else { "commit" };
                out.push(Violation::at(
                    ID,
                    None,
                    if newest_first {
                        format!(
                            "{what} action {a2} (sequence {s2}) runs before {a1} (sequence {s1})"
                        )
                    } else {
                        format!(
                            "{what} action {a2} (sequence {s2}) runs after {a1} (sequence {s1})"
                        )
                    },
                    format!("{a1} ran before {a2}"),
                ));
            }
        }
    }
}

/// A successful MsiDoAction of `action` from an immediate DLL action: one scheduling.
fn schedules(e: &Event, action: &str) -> bool {
    performed(e)
        && facts::is_immediate_c(e.context)
        && e.outcome.rc == Some(rc::SUCCESS)
        && matches!(&e.call, Operation::DoAction { action: Some(a), handle: HandleArg::Session } if a == action)
}

/// Whether `action` is only ever scheduled by MsiDoAction steps of immediate
/// DLL actions: no sequence row, and no other step that may run it.
fn scheduled_only_by_doaction(plan: &Plan, action: &str) -> bool {
    let f = &plan.fixture;
    let sequenced = f
        .execute_sequence
        .iter()
        .chain(&f.ui_sequence)
        .any(|r| r.action == action);
    let replaced = f.tables.iter().any(|t| {
        matches!(
            t.name.as_str(),
            "InstallExecuteSequence" | "InstallUISequence" | "CustomAction"
        )
    });
    !sequenced
        && !replaced
        && !facts::all_steps(plan).any(|(p, ctx, op)| {
            let plain = facts::is_immediate_c(ctx)
                && p != crate::plan::PACKAGE_PROBE
                && matches!(op, Operation::DoAction { action: Some(a), .. } if a == action);
            !plain && facts::runs_actions_by_name(op, Some(action))
        })
}

fn cad_per_scheduling(plan: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "CUSTOMACTIONDATA-PER-SCHEDULING";
    for row in &plan.fixture.custom_actions {
        let action = row.action.as_str();
        if facts::script_kind(row) != Some(facts::ScriptKind::Deferred)
            || row.basic_type() != catype::DLL_BINARY
            || plan
                .probes
                .get(action)
                .is_none_or(|p| p.context != Context::Deferred)
            || !scheduled_only_by_doaction(plan, action)
        {
            continue;
        }
        // What each scheduling captured, in order; unknown values end the list.
        let mut captured = Vec::new();
        let mut settled = true;
        for (i, e) in t.events.iter().enumerate() {
            if !schedules(e, action) {
                continue;
            }
            match facts::property_at(plan, &t.events, i, action) {
                Some(k) => captured.push(k.value.into_owned()),
                None => {
                    settled = false;
                    break;
                }
            }
        }
        let runs: Vec<usize> = t
            .runs
            .iter()
            .filter(|r| r.probe == action)
            .map(|r| r.first_event)
            .collect();
        // Every scheduling runs once when nothing stops the script early.
        let clean = t.install_result == Some(rc::SUCCESS)
            && plan.probes.values().all(|p| p.returns == rc::SUCCESS);
        if settled && clean && runs.len() != captured.len() {
            out.push(Violation::at(
                ID,
                None,
                format!(
                    "{action}, scheduled {} time(s), runs once per scheduling",
                    captured.len()
                ),
                format!("it ran {} time(s)", runs.len()),
            ));
            continue;
        }
        for (n, (&start, want)) in runs.iter().zip(&captured).enumerate() {
            let end = runs.get(n + 1).copied().unwrap_or(t.events.len());
            for e in t.events[start.min(end)..end]
                .iter()
                .filter(|e| e.probe == action)
            {
                let reads_data = performed(e)
                    && matches!(&e.call, Operation::GetProperty { name: Some(name), buffer: Buffer::Ample, handle: HandleArg::Session, .. } if name == "CustomActionData");
                if !reads_data {
                    continue;
                }
                let want = facts::as_read(e, want, profile);
                if e.outcome.value.as_ref().is_some_and(|v| *v != want) {
                    flag(
                        out,
                        ID,
                        e,
                        format!("value={want:?} (captured by scheduling {})", n + 1),
                    );
                }
            }
        }
    }
}
