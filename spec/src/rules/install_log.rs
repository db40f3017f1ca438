//! The install log: which actions it records and with what result.
//!
//! SEQ-ORDER pins the whole log of a plain install. INSTALL-LOG judges every
//! install's log by what the transcript itself settles: the top-level
//! action's entry against MsiInstallProduct's result, and the entries of
//! actions that only the sequences start (nothing in the plan runs them by
//! name) against how a sequence treats results.

use super::prelude::*;
use crate::fixture::SequenceRow;
use crate::msi::actions::{self, logged_result, Status};
use crate::msi::custom_action;
use crate::ActionRecord;

pub(super) const RULES: &[Rule] = &[Rule {
    id: "INSTALL-LOG",
    title: "The install log records each action the sequences start, with the result it returned",
    statement: "The log of an install records each action it starts with the result that action \
                returned (1 success, 0 not executed, 2 user exit, 3 failure, 4 suspend, 5 skip \
                the rest of the sequence). So the top-level action's result matches what \
                MsiInstallProduct returns; a sequence that records 2, 3 or 4 for an action it \
                started ends the install without success, and after a 5 starts none of its later \
                rows; a custom action's result is its return value mapped as the return-values \
                page lists; an action is started once per sequence row that runs it; and an \
                install that succeeds has started every unconditioned row of the sequences it ran.",
    sources: &[
        "MS:logging-of-action-return-values",
        "MS:custom-action-return-values",
        "MS:using-a-sequence-table",
    ],
    contexts: TOP,
    family: Family::Sequencing,
    subject: Subject::install(&[OpKind::Sequence]),
    level: Level::Must,
    disagreement: None,
    check: Check::Predicate(install_log),
}];

const ID: &str = "INSTALL-LOG";

fn install_log(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    let (Some(result), Some(top)) = (t.install_result, t.actions.first()) else {
        return;
    };
    if let Some(logged) = top.result {
        let unknown = !facts::action_exists(plan, &top.name);
        if !top_agrees(logged, result, unknown, actions::is_top_level(&top.name)) {
            out.push(Violation::at(
                ID,
                None,
                format!(
                    "{} logged with the result that goes with install result {result}",
                    top.name
                ),
                format!("result {logged}"),
            ));
        }
    }
    // Actions the package handle runs (and whatever they run in turn) run in
    // the package's own session, which logs nothing: their probe runs and
    // DoAction calls cannot be told apart from the install's.
    let package_runs_actions = plan.package.as_ref().is_some_and(|s| {
        s.steps.iter().any(|op| {
            matches!(
                op,
                Operation::Sequence { .. }
                    | Operation::DoAction { .. }
                    | Operation::SessionDoAction { .. }
            )
        })
    });
    if !package_runs_actions {
        runs_match_starts(plan, t, out);
    }
    let Some(seq) = Sequences::of(plan) else {
        return;
    };
    // Nothing in the plan runs a top-level action again. (With a UI sequence,
    // Windows' server side logs the top-level action a second time when
    // ExecuteAction hands the execute sequence over, so only an install
    // without one is judged.)
    let again = (!seq.ui)
        .then(|| {
            t.actions[1..]
                .iter()
                .find(|a| actions::is_top_level(&a.name))
        })
        .flatten();
    if let Some(again) = again {
        out.push(Violation::at(
            ID,
            None,
            format!("{} started once, as the top-level action", again.name),
            "started again",
        ));
    }
    if seq.started_only_by_rows(plan, &top.name) {
        out.push(Violation::at(
            ID,
            None,
            "the top-level action logged first",
            format!("{} first", top.name),
        ));
    }
    let records: Vec<(usize, &ActionRecord)> = t
        .actions
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, a)| seq.started_only_by_rows(plan, &a.name))
        .collect();
    for &(_, a) in &records {
        let Some(logged) = a.result else { continue };
        // A sequence ends at an action that returns user exit, failure or suspend.
        if result == rc::SUCCESS && (2..=4).contains(&logged) {
            out.push(Violation::at(
                ID,
                None,
                format!(
                    "{} logged 1 (an install that succeeds was not ended by an action of its sequences)",
                    a.name
                ),
                format!("result {logged}"),
            ));
            continue;
        }
        if let Some(want) = custom_action_result(plan, &a.name) {
            if want != logged {
                out.push(Violation::at(
                    ID,
                    None,
                    format!(
                        "{} logged {want}, the result of what its probe returns",
                        a.name
                    ),
                    format!("result {logged}"),
                ));
            }
        }
    }
    // Each row runs its action once.
    let mut counted = rustc_hash::FxHashSet::default();
    for &(_, a) in &records {
        if !counted.insert(a.name.as_str()) {
            continue;
        }
        let rows = seq.rows_of(&a.name).count();
        let logged = records.iter().filter(|(_, b)| b.name == a.name).count();
        if logged > rows {
            out.push(Violation::at(
                ID,
                None,
                format!("{} started {rows} time(s), once per sequence row", a.name),
                format!("logged {logged} times"),
            ));
        }
    }
    // A sequence ends at an action logged 2, 3, 4 or 5: it starts none of
    // its later rows.
    for (n, &(_, a)) in records.iter().enumerate() {
        // ExecuteAction's own rows are logged after it: they are the ones it ran.
        if !a.result.is_some_and(|r| (2..=5).contains(&r)) || a.name == "ExecuteAction" {
            continue;
        }
        let mut tables = seq.rows_of(&a.name).map(|(ui, _)| ui);
        let (Some(ui), None) = (tables.next(), tables.next()) else {
            continue;
        };
        if let Some((_, later)) = records[n + 1..]
            .iter()
            .find(|(_, b)| seq.rows_of(&b.name).any(|(u, _)| u == ui))
        {
            out.push(Violation::at(
                ID,
                None,
                format!(
                    "{} ends its sequence (result {})",
                    a.name,
                    a.result.unwrap_or_default()
                ),
                format!("{} started after it", later.name),
            ));
        }
    }
    // A DoAction from a custom action of the install that found its action
    // started it, and the log shows the result the call reported.
    let doactions = if package_runs_actions {
        Vec::new()
    } else {
        seq.doaction_results(t).collect()
    };
    for &(name, want) in &doactions {
        let have = t.actions[1..]
            .iter()
            .filter(|a| a.name == name && a.result == Some(want))
            .count();
        let calls = doactions
            .iter()
            .filter(|(n, w)| *n == name && *w == want)
            .count();
        if have < calls {
            out.push(Violation::at(
                ID,
                None,
                format!(
                    "{name} logged {want} for each of {calls} DoAction call(s) that reported it"
                ),
                format!("{have} such entries"),
            ));
            break;
        }
    }
    // An install that succeeded ran its sequences to the end. (Judged only
    // where the log shows standard actions at all: a runtime may report the
    // custom actions' entries alone.)
    let logs_rows = records
        .iter()
        .any(|(_, a)| actions::standard(&a.name).is_some());
    if result != rc::SUCCESS || !logs_rows || t.actions.iter().any(|a| a.result == Some(5)) {
        return;
    }
    for (_, row) in seq.running() {
        if row.condition.is_some() || !seq.started_only_by_rows(plan, &row.action) {
            continue;
        }
        if !records.iter().any(|(_, a)| a.name == row.action) {
            out.push(Violation::at(
                ID,
                None,
                format!(
                    "{} (sequence {}, no condition) started by an install that succeeded",
                    row.action, row.sequence
                ),
                "not in the log",
            ));
        }
    }
}

/// Each start of an immediate DLL or script custom action runs its code once:
/// its probe runs as often as the log records the action starting. (The
/// package handle's own runs are not logged, so plans whose package script can
/// run the action are left alone.)
fn runs_match_starts(plan: &Plan, t: &Transcript, out: &mut Vec<Violation>) {
    for name in plan.probes.keys() {
        let Some(ca) = facts::custom_action(plan, name) else {
            continue;
        };
        let code = matches!(
            custom_action::class_of(ca.kind),
            Some(custom_action::ActionClass::Dll | custom_action::ActionClass::Script)
        );
        // Scheduling options may skip the code of an action whose start is
        // logged; the sources do not say which comes first.
        if !code || ca.is_in_script() || ca.kind & (catype::ASYNC | catype::CLIENT_REPEAT) != 0 {
            continue;
        }
        let runs = t.run_count(name);
        let starts = t.actions.iter().filter(|a| a.name == *name).count();
        if runs != starts {
            out.push(Violation::at(
                ID,
                None,
                format!("{name} runs once for each of its {starts} start(s) in the log"),
                format!("it ran {runs} time(s)"),
            ));
        }
    }
}

/// Whether the top-level action's logged result goes with the install's:
/// some code the action can return gives both. An action that does not exist
/// is logged 0 and fails the install; INSTALL, ADMIN and ADVERTISE return
/// what their sequences ended with. A success that asks for a reboot (3010,
/// 1641) is a success.
fn top_agrees(logged: i64, result: u32, unknown: bool, runs_sequences: bool) -> bool {
    let result = match result {
        rc::SUCCESS_REBOOT_REQUIRED | rc::SUCCESS_REBOOT_INITIATED => rc::SUCCESS,
        rc::SUCCESS | rc::INSTALL_USEREXIT | rc::INSTALL_FAILURE | rc::INSTALL_SUSPEND => result,
        // No ending gives this install result: that is the install-result
        // rules' finding, not the log's.
        _ => return true,
    };
    if unknown && logged == 0 {
        // Whether the install fails as it should is ACTION-PROP-UPPERCASE's question.
        return true;
    }
    if runs_sequences {
        return [
            Status::Success,
            Status::UserExit,
            Status::Failure,
            Status::Suspend,
        ]
        .into_iter()
        .any(|s| logged_result(s.code()) == logged && s.code() == result);
    }
    [
        rc::SUCCESS,
        rc::FUNCTION_NOT_CALLED,
        rc::INSTALL_USEREXIT,
        rc::INSTALL_FAILURE,
        rc::INSTALL_SUSPEND,
        rc::MORE_DATA,
    ]
    .into_iter()
    .any(|code| logged_result(code) == logged && Status::of(code).code() == result)
}

/// The result the log must show for an immediate probe custom action, where
/// its Type and its probe's return value settle it.
fn custom_action_result(plan: &Plan, name: &str) -> Option<i64> {
    let ca = facts::custom_action(plan, name)?;
    let returns = plan.probes.get(name)?.returns;
    facts::classify_return(ca, returns, false)?;
    let code = custom_action::action_code(ca.kind, returns)?;
    Some(logged_result(code))
}

/// The sequence tables a plain install runs, where nothing in the plan runs
/// actions by name in a way that could start a row's action out of its place.
struct Sequences<'a> {
    ui: bool,
    plan: &'a Plan,
    /// Actions the plan names in a DoAction.
    named: Vec<&'a str>,
}

impl<'a> Sequences<'a> {
    fn of(plan: &'a Plan) -> Option<Self> {
        if plan.install.is_none()
            || facts::sequences_replaced(plan)
            || !facts::top_level_is_install(plan)
            || facts::execute_action_may_change(plan)
            || !facts::execute_sequence_runs(plan)
            || facts::sequences_run_top_level(plan)
            || plan
                .fixture
                .execute_sequence
                .iter()
                .any(|r| r.action == "ExecuteAction" && r.sequence > 0)
        {
            return None;
        }
        let mut named = Vec::new();
        for (_, _, op) in facts::all_steps(plan) {
            if matches!(op, Operation::Sequence { .. }) || facts::runs_actions_by_name(op, None) {
                return None;
            }
            match op {
                Operation::DoAction {
                    action: Some(a), ..
                }
                | Operation::SessionDoAction { action: Some(a) } => named.push(a.as_str()),
                Operation::Sql { sql, .. } | Operation::OpenView { sql: Some(sql), .. } => {
                    let s = sql.to_ascii_lowercase();
                    if s.contains("sequence") || s.contains("customaction") {
                        return None;
                    }
                }
                _ => {}
            }
        }
        Some(Sequences {
            ui: facts::ui_sequence_runs(plan),
            plan,
            named,
        })
    }

    /// For each DoAction made by an immediate custom action of the install
    /// that names an existing action exactly and reports that the action ran
    /// (success, user exit, suspend, skip the rest, or not-called from the
    /// action itself), the action and the result its log entry must show.
    fn doaction_results<'t>(
        &'t self,
        t: &'t Transcript,
    ) -> impl Iterator<Item = (&'t str, i64)> + 't {
        t.events.iter().filter_map(move |e| {
            if !e.context.is_immediate() || !performed(e) {
                return None;
            }
            let (name, result) = match &e.call {
                Operation::DoAction {
                    action: Some(a), ..
                } => {
                    let code = e.outcome.rc?;
                    let ran = matches!(
                        code,
                        rc::SUCCESS
                            | rc::INSTALL_USEREXIT
                            | rc::INSTALL_SUSPEND
                            | rc::MORE_DATA
                            | rc::FUNCTION_NOT_CALLED
                    );
                    (a.as_str(), ran.then(|| logged_result(code))?)
                }
                Operation::SessionDoAction { action: Some(a) } => {
                    let n = e.outcome.number?;
                    (a.as_str(), matches!(n, 0 | 1 | 2 | 4 | 5).then_some(n)?)
                }
                _ => return None,
            };
            let exists =
                actions::is_standard(name) || facts::custom_action(self.plan, name).is_some();
            // 1626 also answers a name that finds nothing.
            (exists && (result != 0 || facts::custom_action(self.plan, name).is_some()))
                .then_some((name, result))
        })
    }

    /// The rows at a positive number of the sequences the install runs, with
    /// `true` for the UI sequence.
    fn running(&self) -> impl Iterator<Item = (bool, &'a SequenceRow)> + '_ {
        let f = &self.plan.fixture;
        let ui = self.ui;
        f.ui_sequence
            .iter()
            .filter(move |_| ui)
            .map(|r| (true, r))
            .chain(f.execute_sequence.iter().map(|r| (false, r)))
            .filter(|(_, r)| r.sequence > 0)
    }

    fn rows_of<'s>(
        &'s self,
        action: &'s str,
    ) -> impl Iterator<Item = (bool, &'a SequenceRow)> + 's {
        self.running().filter(move |(_, r)| r.action == action)
    }

    /// Whether only sequence rows start `action`, and each start ends in the
    /// log entry of its row: a standard action other than a top-level one, or
    /// an immediate custom action without scheduling options or asynchrony;
    /// in both cases one the plan never names and with no row at a
    /// termination number.
    fn started_only_by_rows(&self, plan: &Plan, action: &str) -> bool {
        if self.named.contains(&action) || self.rows_of(action).next().is_none() {
            return false;
        }
        let f = &plan.fixture;
        if f.execute_sequence
            .iter()
            .chain(&f.ui_sequence)
            .any(|r| r.action == action && r.sequence < 0)
        {
            return false;
        }
        match actions::standard(action) {
            Some(kind) => kind != actions::ActionKind::TopLevel,
            None => facts::custom_action(plan, action).is_some_and(|r| {
                !r.is_in_script() && r.kind & (catype::CLIENT_REPEAT | catype::ASYNC) == 0
            }),
        }
    }
}
