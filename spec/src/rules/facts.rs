//! Questions the predicates ask of a plan and its transcript: which names are
//! actions, where a probe sits in the sequences, what a property must hold at
//! a given step. Every answer is `None` ("unknown") unless the plan and the
//! transcript settle it, because a predicate must never flag a runtime on a
//! guess.

use super::index::{self, Key};
use crate::codes::{catype, rc};
use crate::fixture::CustomActionRow;
use crate::msi::actions::Status;
use crate::msi::custom_action::ActionClass;
use crate::msi::format::{self as msi_format, is_literal, Lookup, Style};
use crate::msi::{actions, condition, custom_action, properties, text};
use crate::plan::PACKAGE_PROBE;
use crate::{Buffer, Context, Event, HandleArg, OpKind, Operation, Plan, Transcript, Violation};
use std::borrow::Cow;

/// The CustomAction row that runs under `name`: none when `name` is exactly a
/// standard or top-level action, since the standard action then runs instead
/// (as in Wine) and the row is never used.
pub fn custom_action<'a>(plan: &'a Plan, name: &str) -> Option<&'a CustomActionRow> {
    if actions::is_standard(name) {
        return None;
    }
    plan.fixture.custom_action(name)
}

/// Whether DoAction can find `name` exactly: a standard action, a CustomAction
/// key, or a dialog of the fixture's Dialog table.
pub fn action_exists(plan: &Plan, name: &str) -> bool {
    actions::is_standard(name)
        || custom_action(plan, name).is_some()
        || table_has_key(plan, "Dialog", name)
}

/// Whether `name` would find an action if case were ignored.
pub fn action_exists_ignoring_case(plan: &Plan, name: &str) -> bool {
    actions::standard_ignoring_case(name).is_some()
        || plan
            .fixture
            .custom_actions
            .iter()
            .any(|r| r.action.eq_ignore_ascii_case(name))
        || plan.fixture.table("Dialog").is_some_and(|t| {
            t.rows
                .iter()
                .any(|r| r.first().is_some_and(|k| k.eq_ignore_ascii_case(name)))
        })
}

fn table_has_key(plan: &Plan, table: &str, key: &str) -> bool {
    plan.fixture
        .table(table)
        .is_some_and(|t| t.rows.iter().any(|r| r.first().is_some_and(|k| k == key)))
}

/// Whether the call was actually made (the runtime did not report it unsupported).
pub fn performed(e: &Event) -> bool {
    e.outcome.unsupported.is_none()
}

/// The slot a call stored a handle in. A call that ran and reported no handle
/// (an open that failed before writing its out-pointer, or was given none)
/// leaves its slot as it was; one that did not run leaves it unknown, so it
/// counts as filling it.
pub fn filled_slot(e: &Event) -> Option<&str> {
    e.call
        .into_slot()
        .filter(|_| e.outcome.handle.is_some() || !performed(e))
}

/// Pushes a violation at the event's step, with its outcome as the observation.
pub fn flag(out: &mut Vec<Violation>, rule: &str, e: &Event, expected: impl Into<String>) {
    out.push(Violation::at(
        rule,
        Some(e.step()),
        expected,
        e.outcome.describe(),
    ));
}

/// Flags the event unless its return code is `want`; silent when no code was reported.
pub fn expect_rc(out: &mut Vec<Violation>, rule: &str, e: &Event, want: u32) {
    if let Some(got) = e.outcome.rc {
        if got != want {
            flag(out, rule, e, format!("rc={want}"));
        }
    }
}

/// Flags the event unless its number is `want`; silent when no number was reported.
pub fn expect_number(out: &mut Vec<Violation>, rule: &str, e: &Event, want: i64) {
    if let Some(got) = e.outcome.number {
        if got != want {
            flag(out, rule, e, format!("number={want}"));
        }
    }
}

/// Answers the questions of this module about `plan` and `t` from an index
/// built once, for the duration of `f` (see [`crate::check`]).
///
/// The answers are the same as without it; only their cost changes: each
/// question walks just the events that can matter to it, so checking a whole
/// transcript grows linearly with its length rather than with its square.
pub fn indexed<R>(plan: &Plan, t: &Transcript, f: impl FnOnce() -> R) -> R {
    index::indexed(plan, t, f)
}

/// The events of the same probe run as `events[i]` that came before it, newest first.
///
/// Steps are recorded in order and a run starts again at step 0, so the run
/// ends (going back) at the first event of the same probe whose index is not
/// smaller. Events of other probes (nested through DoAction) are skipped.
pub fn run_before(events: &[Event], i: usize) -> impl Iterator<Item = &Event> {
    run_before_indexed(events, i).map(|(_, e)| e)
}

/// [`run_before`] with each event's index in the transcript.
pub fn run_before_indexed(events: &[Event], i: usize) -> impl Iterator<Item = (usize, &Event)> {
    let walk = match index::for_events(events) {
        Some(index) => Walk::Chain {
            next: index.prev(i),
            index,
        },
        None => Walk::Scan {
            next: i,
            idx: events[i].index,
        },
    };
    RunBefore {
        events,
        probe: &events[i].probe,
        walk,
    }
}

/// The events of [`run_before_indexed`] the caller's answer can depend on,
/// when `keys` name every such event.
///
/// With an index installed, only the events of `keys` are visited, so asking
/// this of every event of a long run costs about the number of those events.
/// Without one, every event of the run is visited, as [`run_before_indexed`]
/// does: the caller must pass over the others itself. That scan is the
/// yardstick the index is tested against, so the two must agree.
pub(super) fn run_before_in<'a>(
    events: &'a [Event],
    i: usize,
    keys: &[Key],
) -> impl Iterator<Item = (usize, &'a Event)> {
    let (back, scan) = match index::for_events(events) {
        Some(index) => (Some(index::Back::new(index, i, keys.to_vec())), None),
        None => (None, Some(run_before_indexed(events, i))),
    };
    back.into_iter()
        .flatten()
        .map(|j| (j, &events[j]))
        .chain(scan.into_iter().flatten())
}

/// The answer of `find` to a yes/no `question` about the whole plan (every
/// step of it) and `arg`: found once per check with an index installed,
/// otherwise each time. `find` must depend on nothing but the plan and `arg`.
pub(super) fn plan_wide(
    plan: &Plan,
    question: &'static str,
    arg: &str,
    find: impl FnOnce() -> bool,
) -> bool {
    match index::for_plan(plan) {
        Some(index) => index.remember(question, arg, find),
        None => find(),
    }
}

/// [`run_before_in`] for the events whose operation is of one of `kinds`:
/// the caller must pass over events of other kinds.
pub(super) fn run_before_of<'a>(
    events: &'a [Event],
    i: usize,
    kinds: &[OpKind],
) -> impl Iterator<Item = (usize, &'a Event)> {
    let keys: Vec<Key> = kinds.iter().map(|&k| Key::Kind(k)).collect();
    run_before_in(events, i, &keys)
}

/// How [`RunBefore`] finds the next event back.
enum Walk {
    /// Following the index's links from event to event of the run.
    Chain {
        index: std::rc::Rc<index::Index>,
        next: Option<usize>,
    },
    /// Looking at every earlier event: the next to look at is just below
    /// `next`, and the run goes on while step indexes fall below `idx`.
    Scan { next: usize, idx: usize },
}

struct RunBefore<'a> {
    events: &'a [Event],
    probe: &'a str,
    walk: Walk,
}

impl<'a> Iterator for RunBefore<'a> {
    type Item = (usize, &'a Event);

    fn next(&mut self) -> Option<(usize, &'a Event)> {
        match &mut self.walk {
            Walk::Chain { index, next } => {
                let j = (*next)?;
                *next = index.prev(j);
                Some((j, &self.events[j]))
            }
            Walk::Scan { next, idx } => {
                while *next > 0 {
                    *next -= 1;
                    let e = &self.events[*next];
                    if e.probe != self.probe {
                        continue;
                    }
                    if e.index < *idx {
                        *idx = e.index;
                        return Some((*next, e));
                    }
                    *next = 0;
                }
                None
            }
        }
    }
}

/// Whether the package's tables are still the fixture's at event `i`: no SQL,
/// view or MsiViewModify call came before it anywhere in the plan, so the
/// Directory, Feature and Component rows a predicate reads from the fixture are
/// the ones the engine sees.
pub fn fixture_tables_settled(t: &Transcript, i: usize) -> bool {
    i <= first_table_change(t)
}

/// The index of the first SQL, view or MsiViewModify call (the transcript's
/// length if there is none): events up to and including it still see the
/// fixture's tables.
pub fn first_table_change(t: &Transcript) -> usize {
    t.events
        .iter()
        .position(|e| {
            matches!(
                e.call.kind(),
                OpKind::Sql | OpKind::Modify | OpKind::OpenView | OpKind::Execute
            )
        })
        .unwrap_or(t.events.len())
}

/// The performed calls of full C contexts (package handle and immediate DLL
/// actions), with their indices: what most call predicates judge.
pub fn full_c_calls(t: &Transcript) -> impl Iterator<Item = (usize, &Event)> {
    t.events
        .iter()
        .enumerate()
        .filter(|(_, e)| performed(e) && is_full_c(e.context))
}

/// [`full_c_calls`] while the fixture's tables are settled
/// ([`fixture_tables_settled`]), found in one pass.
pub fn settled_full_c_calls(t: &Transcript) -> impl Iterator<Item = (usize, &Event)> {
    let end = first_table_change(t);
    full_c_calls(t).take_while(move |(i, _)| *i <= end)
}

/// Contexts that make C calls on a session with full access (package handle and immediate DLL actions).
pub fn is_full_c(ctx: Context) -> bool {
    matches!(
        ctx,
        Context::Package
            | Context::ImmediateUi
            | Context::ImmediateBeforeInit
            | Context::ImmediateAfterInit
    )
}

/// Immediate DLL custom-action contexts (C calls, full session).
pub fn is_immediate_c(ctx: Context) -> bool {
    matches!(
        ctx,
        Context::ImmediateUi | Context::ImmediateBeforeInit | Context::ImmediateAfterInit
    )
}

/// Deferred, rollback and commit DLL contexts.
pub fn is_in_script_c(ctx: Context) -> bool {
    matches!(ctx, Context::Deferred | Context::Rollback | Context::Commit)
}

/// The value the command line gives `name`, if it is public and given.
pub fn command_line_value<'a>(plan: &'a Plan, name: &str) -> Option<&'a str> {
    let install = plan.install.as_ref()?;
    if !properties::is_public(name) {
        return None;
    }
    install.properties.get(name).map(String::as_str)
}

/// The ACTION property as the install starts: the command line's value when
/// it gives one, otherwise the Property table's.
pub fn initial_action_property(plan: &Plan) -> Option<&str> {
    let install = plan.install.as_ref()?;
    install
        .properties
        .get("ACTION")
        .map(String::as_str)
        .or_else(|| plan.fixture.property("ACTION"))
}

/// The action the top-level install runs ([`actions::top_level_action`] of the ACTION property).
pub fn top_level_action(plan: &Plan) -> Option<String> {
    plan.install.as_ref()?;
    Some(actions::top_level_action(initial_action_property(plan)))
}

/// Whether the top-level install is INSTALL (ACTION unset or naming it in any case).
pub fn top_level_is_install(plan: &Plan) -> bool {
    top_level_action(plan).as_deref() == Some("INSTALL")
}

/// Whether a fixture table replaces the sequence or CustomAction tables that
/// the plan's rows describe (so those rows say nothing of what runs).
pub fn sequences_replaced(plan: &Plan) -> bool {
    plan.fixture.tables.iter().any(|t| {
        matches!(
            t.name.as_str(),
            "InstallExecuteSequence" | "InstallUISequence" | "CustomAction"
        )
    })
}

/// How many times the immediate custom action `action` ran: its probe's runs
/// when the plan declares the probe, else its starts in the action log when the
/// runtime reported one (an action skipped by its scheduling options or its
/// condition never starts); `None` when neither tells.
pub fn times_run(plan: &Plan, t: &Transcript, action: &str) -> Option<usize> {
    // A probe only runs for a Type that runs code: a type-51 row that a plan
    // happens to give a probe sets its property and runs nothing.
    let runs_code = plan
        .fixture
        .custom_action(action)
        .is_none_or(|r| custom_action::class_of(r.kind).is_some());
    if plan.probes.contains_key(action) && runs_code {
        return Some(t.run_count(action));
    }
    (!t.actions.is_empty()).then(|| t.actions.iter().filter(|a| a.name == action).count())
}

/// Where a custom action sits: which sequence and at what number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// `true` for InstallUISequence, `false` for InstallExecuteSequence.
    pub ui: bool,
    /// The Sequence column.
    pub sequence: i32,
}

/// Whether a step can run actions by name (and so run custom actions or whole
/// sequences out of their place): the action `target`, or any when `target` is `None`.
pub fn runs_actions_by_name(op: &Operation, target: Option<&str>) -> bool {
    match op {
        Operation::DoAction { action, .. } | Operation::SessionDoAction { action } => {
            match (action.as_deref(), target) {
                (None, _) => true,
                (Some(a), _) if actions::TOP_LEVEL_ACTIONS.contains(&a) || a == "ExecuteAction" => {
                    true
                }
                (Some(a), Some(t)) => a == t,
                (Some(_), None) => false,
            }
        }
        Operation::Sequence { table } => table.is_some(),
        _ => false,
    }
}

/// Whether a step on the package handle can run `action` (by name, or by
/// running a sequence): it then runs in the package handle's own session,
/// whose runs a transcript does not tell apart from the install's.
pub fn package_runs_action(plan: &Plan, action: &str) -> bool {
    plan.package.as_ref().is_some_and(|s| {
        s.steps.iter().any(|op| {
            matches!(op, Operation::Sequence { .. }) || runs_actions_by_name(op, Some(action))
        })
    })
}

/// Every step of the plan with the context of its script.
pub fn all_steps(plan: &Plan) -> impl Iterator<Item = (&str, Context, &Operation)> {
    plan.package
        .iter()
        .map(|s| (PACKAGE_PROBE, s))
        .chain(plan.probes.iter().map(|(n, s)| (n.as_str(), s)))
        .flat_map(|(n, s)| s.steps.iter().map(move |op| (n, s.context, op)))
}

/// The one place a probe runs from, when it is sequenced exactly once (with a
/// positive number, no condition) and no step of the plan runs it by name.
pub fn probe_position(plan: &Plan, probe: &str) -> Option<Position> {
    let f = &plan.fixture;
    let runs_ui = ui_sequence_runs(plan);
    let mut found = None;
    for (ui, rows) in [(true, &f.ui_sequence), (false, &f.execute_sequence)] {
        for r in rows.iter().filter(|r| r.action == probe) {
            if found.is_some() || r.condition.is_some() || r.sequence <= 0 {
                return None;
            }
            if ui && !runs_ui {
                continue;
            }
            found = Some(Position {
                ui,
                sequence: r.sequence,
            });
        }
    }
    let by_name = match index::for_plan(plan) {
        Some(index) => index.steps().runs_by_name(probe),
        None => all_steps(plan).any(|(_, _, op)| runs_actions_by_name(op, Some(probe))),
    };
    if by_name {
        return None;
    }
    found
}

/// Whether some step of the plan, outside `except_probe` and the package
/// script (a separate session), sets property `name` or may run actions that do.
fn set_by_steps(
    plan: &Plan,
    name: &str,
    except_probe: &str,
    ignore_in_script: bool,
    read_in_execute: bool,
) -> bool {
    if let Some(index) = index::for_plan(plan) {
        return index
            .steps()
            .set_by_steps(name, except_probe, ignore_in_script, read_in_execute);
    }
    // A private property set during the UI sequence never reaches the execute sequence.
    let ui_set_is_lost = read_in_execute && !properties::is_public(name);
    all_steps(plan).any(|(p, ctx, op)| {
        if p == except_probe || p == PACKAGE_PROBE {
            return false;
        }
        // Temporary rows of the Property table travel with the database, not the session.
        let sql_rows = matches!(op, Operation::Sql { .. } | Operation::OpenView { .. });
        if (ignore_in_script && ctx.is_in_script())
            || (ui_set_is_lost && ctx == Context::ImmediateUi && !sql_rows)
        {
            return false;
        }
        match op {
            Operation::SetProperty { name: Some(n), .. }
            | Operation::SessionPropertySet { name: Some(n), .. } => n == name,
            Operation::SetInstallLevel { .. } => name == "INSTALLLEVEL",
            Operation::DoAction { action, .. } | Operation::SessionDoAction { action } => {
                match action {
                    None => true,
                    Some(a) => {
                        actions::TOP_LEVEL_ACTIONS.contains(&a.as_str())
                            || a == "ExecuteAction"
                            || plan.fixture.custom_action(a).is_some_and(|r| {
                                r.basic_type() == catype::SET_PROPERTY
                                    && r.source.as_deref() == Some(name)
                            })
                    }
                }
            }
            Operation::Sequence { table } => table.is_some(),
            // Rows of `_Property`, and temporary rows of `Property` (which the
            // execute sequence's properties are loaded from), are properties.
            Operation::Sql { sql, .. } | Operation::OpenView { sql: Some(sql), .. } => {
                sql.contains("Property")
            }
            _ => false,
        }
    })
}

/// Whether anything in the plan (a step of any probe, or a type-51 action)
/// may set property `name` during the install.
pub fn plan_sets_property(plan: &Plan, name: &str) -> bool {
    set_by_steps(plan, name, PACKAGE_PROBE, false, false)
        || plan
            .fixture
            .custom_actions
            .iter()
            .any(|r| r.basic_type() == catype::SET_PROPERTY && r.source.as_deref() == Some(name))
}

/// Like [`plan_sets_property`], but also counting the package-handle script:
/// a DoAction on the package handle runs the sequences in that same session,
/// so what the script set there is what those actions see.
pub fn plan_or_package_sets_property(plan: &Plan, name: &str) -> bool {
    plan_sets_property(plan, name)
        || plan.package.as_ref().is_some_and(|p| {
            p.steps.iter().any(|op| match op {
                Operation::SetProperty { name: Some(n), .. }
                | Operation::SessionPropertySet { name: Some(n), .. } => n == name,
                Operation::Sql { sql, .. } => sql.contains("_Property"),
                Operation::OpenView { sql: Some(sql), .. } => sql.contains("_Property"),
                _ => false,
            })
        })
}

/// How a known property value came to be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// MsiSetProperty earlier in the same run, with a non-empty value.
    Set,
    /// MsiSetProperty earlier in the same run with a Null or empty value (a deletion).
    SetEmpty,
    /// MsiSetProperty earlier in the same run with a NUL inside the text: what
    /// is stored ends at the NUL.
    SetCut,
    /// `Session.Property(name) = value` earlier in the same run.
    SessionSet,
    /// A custom action run through DoAction earlier in the same run: a type-51
    /// action, or a probe whose recorded steps set the property.
    Nested51,
    /// MsiSetInstallLevel earlier in the same run (INSTALLLEVEL only).
    InstallLevel,
    /// The Property table, untouched since.
    Static,
    /// A public property from the command line, untouched since.
    CommandLine,
    /// A type-51 action sequenced before the probe.
    Type51,
    /// Nothing ever defines the property.
    Undefined,
    /// Nothing defines it, but the command line names it as a private property (which does not count).
    PrivateCommandLine,
    /// Its value comes from before a type-51 action of the UI sequence set it as a
    /// private property, which does not carry over to the execute sequence.
    PrivateUiSetLost,
}

/// A property value a runtime must report, and how it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known<'a> {
    /// The value ("" for an undefined property).
    pub value: Cow<'a, str>,
    /// How it is known.
    pub source: Source,
    /// Whether a property whose name differs only in case was set in between.
    pub variant_set: bool,
}

/// The value property `name` must hold when `events[i]` runs, as far as the
/// plan and the earlier steps of the same run settle it.
pub fn property_at<'a>(
    plan: &'a Plan,
    events: &'a [Event],
    i: usize,
    name: &str,
) -> Option<Known<'a>> {
    let ctx = events[i].context;
    let mut variant_set = false;
    // Every other kind of event leaves the property alone: skip them.
    let mut keys = vec![
        Key::Sets(name.to_ascii_lowercase()),
        Key::Kind(OpKind::DoAction),
        Key::Kind(OpKind::SessionDoAction),
        Key::Kind(OpKind::Sequence),
        Key::Kind(OpKind::Modify),
        Key::Kind(OpKind::InstallProduct),
        Key::PropertySql,
    ];
    if name == "INSTALLLEVEL" {
        keys.push(Key::Kind(OpKind::SetInstallLevel));
    }
    // A directory's property is written by CostFinalize and MsiSetTargetPath
    // (DIR-SET-TARGET-EFFECT judges those reads).
    let directory = crate::msi::directory::Tree::fixture_has(&plan.fixture, name);
    if directory {
        if !ctx.is_in_script() && ctx != Context::Package {
            return None;
        }
        keys.push(Key::Kind(OpKind::SetTargetPath));
    }
    for (j, e) in run_before_in(events, i, &keys) {
        if !performed(e) {
            continue;
        }
        match &e.call {
            Operation::SetProperty {
                name: Some(n),
                value,
                ansi,
                handle: HandleArg::Session,
            } => {
                if n == name {
                    if e.context.is_in_script() {
                        continue;
                    }
                    match e.outcome.rc {
                        Some(rc::SUCCESS) => {
                            // The value is a C string: it is stored up to its first NUL.
                            let given = value.as_deref().unwrap_or("");
                            if *ansi && !given.is_ascii() {
                                // MsiSetPropertyA's text went through the caller's code
                                // page, which the transcript does not name.
                                return None;
                            }
                            let v = text::c_string(given);
                            return Some(Known {
                                value: Cow::Borrowed(v),
                                source: if v.len() < given.len() {
                                    Source::SetCut
                                } else if v.is_empty() {
                                    Source::SetEmpty
                                } else {
                                    Source::Set
                                },
                                variant_set,
                            });
                        }
                        Some(_) => continue,
                        None => return None,
                    }
                } else if n.eq_ignore_ascii_case(name) {
                    variant_set = true;
                }
            }
            Operation::SessionPropertySet {
                name: Some(n),
                value,
            } => {
                if n == name {
                    if e.context.is_in_script() || e.outcome.exception.is_some() {
                        continue;
                    }
                    return Some(Known {
                        value: Cow::Borrowed(text::c_string(value.as_deref().unwrap_or(""))),
                        source: Source::SessionSet,
                        variant_set,
                    });
                } else if n.eq_ignore_ascii_case(name) {
                    variant_set = true;
                }
            }
            Operation::SetInstallLevel { level } if name == "INSTALLLEVEL" => {
                return match e.outcome.rc {
                    Some(rc::SUCCESS) => Some(Known {
                        value: Cow::Owned(level.to_string()),
                        source: Source::InstallLevel,
                        variant_set,
                    }),
                    _ => None,
                };
            }
            Operation::DoAction { action, handle } => {
                // 1626 also comes back from an action that ran and returned it.
                let ran_anyway = e.outcome.rc == Some(rc::FUNCTION_NOT_CALLED)
                    && action.as_deref().is_some_and(|a| action_exists(plan, a));
                if !ran_anyway
                    && matches!(
                        e.outcome.rc,
                        Some(rc::FUNCTION_NOT_CALLED | rc::INVALID_HANDLE | rc::INVALID_PARAMETER)
                    )
                {
                    continue;
                }
                if *handle == HandleArg::Session && e.outcome.rc == Some(rc::SUCCESS) {
                    if let Some(v) = nested_type51(plan, action.as_deref(), name) {
                        return Some(Known {
                            value: v,
                            source: Source::Nested51,
                            variant_set,
                        });
                    }
                }
                if *handle == HandleArg::Session {
                    match action
                        .as_deref()
                        .map(|a| nested_probe(plan, events, j, a, name))
                    {
                        Some(Nested::Untouched) => continue,
                        Some(Nested::Set(v)) => {
                            return Some(Known {
                                value: Cow::Borrowed(v),
                                source: Source::Nested51,
                                variant_set,
                            })
                        }
                        _ => {}
                    }
                }
                return None;
            }
            Operation::SessionDoAction { action } => {
                if e.outcome.number == Some(crate::codes::status::NO_ACTION)
                    && !action.as_deref().is_some_and(|a| action_exists(plan, a))
                {
                    continue;
                }
                if e.outcome.number == Some(crate::codes::status::SUCCESS) {
                    if let Some(v) = nested_type51(plan, action.as_deref(), name) {
                        return Some(Known {
                            value: v,
                            source: Source::Nested51,
                            variant_set,
                        });
                    }
                }
                return None;
            }
            Operation::Sequence { .. } if e.outcome.rc != Some(rc::INVALID_PARAMETER) => {
                return None;
            }
            // A SELECT run through MsiDatabaseOpenView/Execute reads only;
            // anything else on _Property may have changed the property.
            Operation::Sql { sql, .. } | Operation::OpenView { sql: Some(sql), .. }
                if sql.contains("_Property")
                    && !matches!(
                        crate::msi::sql::parse(sql),
                        Ok(crate::msi::sql::Statement::Select { .. })
                    ) =>
            {
                return None;
            }
            Operation::Modify { .. } | Operation::InstallProduct { .. } => return None,
            Operation::SetTargetPath { .. } if directory => return None,
            _ => {}
        }
    }
    let probe = events[i].probe.as_str();
    let mut k = static_value(plan, name, probe, ctx, 0)?;
    k.variant_set = variant_set || static_variant(plan, name);
    Some(k)
}

/// Whether the Property table, the command line or a type-51 action defines
/// a name that differs from `name` only in case (a read of `name` then tests
/// case).
pub fn static_variant(plan: &Plan, name: &str) -> bool {
    let install = plan.install.as_ref().map(|i| &i.properties);
    let names = || {
        plan.fixture
            .properties
            .iter()
            .map(|p| p.name.as_str())
            .chain(
                install
                    .into_iter()
                    .flat_map(|p| p.keys().map(String::as_str)),
            )
            .chain(
                plan.fixture
                    .custom_actions
                    .iter()
                    .filter(|r| r.basic_type() == catype::SET_PROPERTY)
                    .filter_map(|r| r.source.as_deref()),
            )
    };
    // A name given exactly as well is a question about where it comes from.
    !names().any(|n| n == name) && names().any(|n| n.eq_ignore_ascii_case(name))
}

/// What a probe run through DoAction did to a property, as its own recorded steps show.
enum Nested<'a> {
    /// It set the property to this value (its last such step).
    Set(&'a str),
    /// None of its steps touched the property.
    Untouched,
    /// It may have changed the property in ways its steps do not show.
    Unknown,
}

/// Reads the nested run of probe `action` that the DoAction at `events[j]`
/// performed: its events come just before `events[j]`, after the caller's
/// previous step. Only a complete run (every step of the script recorded) counts.
fn nested_probe<'a>(
    plan: &Plan,
    events: &'a [Event],
    j: usize,
    action: &str,
    name: &str,
) -> Nested<'a> {
    let Some(script) = plan.probes.get(action) else {
        return Nested::Unknown;
    };
    let outer = &events[j].probe;
    let mut window = events[..j].iter().rev().take_while(|e| e.probe != *outer);
    let mut seen = 0;
    let mut result: Option<&'a str> = None;
    let mut last_index = usize::MAX;
    for e in window.by_ref() {
        if e.probe != action {
            return Nested::Unknown;
        }
        if e.index >= last_index {
            // A second run of the probe inside the window.
            return Nested::Unknown;
        }
        last_index = e.index;
        seen += 1;
        match &e.call {
            Operation::SetProperty {
                name: Some(m),
                value,
                ansi,
                handle: HandleArg::Session,
            } if m == name => {
                if e.context.is_in_script() || e.outcome.rc != Some(rc::SUCCESS) {
                    continue;
                }
                let v = value.as_deref().unwrap_or("");
                if v.contains('\0') || (*ansi && !v.is_ascii()) {
                    return Nested::Unknown;
                }
                // Going backwards, the first set found is the run's last.
                result.get_or_insert(v);
            }
            Operation::SetProperty { name: Some(m), .. }
            | Operation::SessionPropertySet { name: Some(m), .. }
                if m.eq_ignore_ascii_case(name) =>
            {
                return Nested::Unknown;
            }
            Operation::SetInstallLevel { .. } if name == "INSTALLLEVEL" => return Nested::Unknown,
            Operation::DoAction { .. }
            | Operation::SessionDoAction { .. }
            | Operation::Sequence { .. }
            | Operation::Modify { .. }
            | Operation::InstallProduct { .. } => return Nested::Unknown,
            Operation::Sql { sql, .. } if sql.contains("_Property") => return Nested::Unknown,
            _ => {}
        }
    }
    if seen != script.steps.len() || last_index != 0 && seen > 0 {
        return Nested::Unknown;
    }
    match result {
        Some(v) => Nested::Set(v),
        None => Nested::Untouched,
    }
}

/// What a type-51 action named `action` sets `name` to, when that is statically known.
fn nested_type51<'a>(plan: &'a Plan, action: Option<&str>, name: &str) -> Option<Cow<'a, str>> {
    let row = custom_action(plan, action?)?;
    if row.basic_type() != catype::SET_PROPERTY
        || row.is_in_script()
        || row.source.as_deref() != Some(name)
    {
        return None;
    }
    let target = row.target.as_deref().unwrap_or("");
    if is_literal(target) {
        return Some(Cow::Borrowed(target));
    }
    format_settled(target, &[], &|_| None).map(Cow::Owned)
}

/// The value of `name` as the session first holds it: the public command-line
/// value, else the Property table, else nothing.
fn initial_value<'a>(plan: &'a Plan, name: &str) -> (Cow<'a, str>, Source) {
    if let Some(v) = command_line_value(plan, name) {
        return (Cow::Borrowed(v), Source::Static);
    }
    if let Some(v) = plan.fixture.property(name) {
        return (Cow::Borrowed(v), Source::Static);
    }
    let private = plan
        .install
        .as_ref()
        .is_some_and(|i| i.properties.contains_key(name));
    (
        Cow::Borrowed(""),
        if private {
            Source::PrivateCommandLine
        } else {
            Source::Undefined
        },
    )
}

/// The value `name` holds when `probe` (running in `ctx`) starts, before its own steps.
pub fn static_value<'a>(
    plan: &'a Plan,
    name: &str,
    probe: &str,
    ctx: Context,
    depth: u8,
) -> Option<Known<'a>> {
    if properties::is_engine_set(name) || name.is_empty() {
        return None;
    }
    if ctx == Context::Package {
        // The package handle is opened before any install: only the Property table counts.
        let (value, source) = match plan.fixture.property(name) {
            Some(v) if v.contains('\0') => return None,
            Some(v) => (Cow::Borrowed(v), Source::Static),
            None => (Cow::Borrowed(""), Source::Undefined),
        };
        return Some(Known {
            value,
            source,
            variant_set: false,
        });
    }
    if ctx.is_in_script() || ctx == Context::Exe {
        return None;
    }
    let pos = probe_position(plan, probe)?;
    value_at_position(plan, name, pos, probe, false, depth)
}

/// The value `name` holds at sequence position `pos` of the install (after
/// every type-51 action before it), ignoring the steps of `except_probe`.
pub fn value_at_position<'a>(
    plan: &'a Plan,
    name: &str,
    pos: Position,
    except_probe: &str,
    ignore_in_script_sets: bool,
    depth: u8,
) -> Option<Known<'a>> {
    if properties::is_engine_set(name) || name.is_empty() || depth > 2 {
        return None;
    }
    if set_by_steps(plan, name, except_probe, ignore_in_script_sets, !pos.ui) {
        return None;
    }
    let (mut value, mut source) = initial_value(plan, name);
    let f = &plan.fixture;
    let setters = |r: &&CustomActionRow| {
        r.basic_type() == catype::SET_PROPERTY
            && r.source.as_deref() == Some(name)
            && !actions::is_standard(&r.action)
    };
    if !f.custom_actions.iter().any(|r| setters(&r)) {
        return Some(Known {
            value,
            source,
            variant_set: false,
        });
    }
    let runs_ui = ui_sequence_runs(plan);
    let mut lost_ui_set = false;
    for row in f.custom_actions.iter().filter(setters) {
        if row.is_in_script() {
            return None;
        }
        for (ui, seq) in [(true, &f.ui_sequence), (false, &f.execute_sequence)] {
            for s in seq.iter().filter(|s| s.action == row.action) {
                if (ui && !runs_ui) || s.sequence <= 0 {
                    continue;
                }
                if ui != pos.ui {
                    if ui {
                        if !properties::is_public(name) {
                            // A private property set in the UI sequence stays there.
                            lost_ui_set = true;
                            continue;
                        }
                        // Public properties carry over, but not all of them for every user.
                        return None;
                    }
                    continue;
                }
                if s.sequence > pos.sequence {
                    continue;
                }
                if s.sequence == pos.sequence || s.condition.is_some() {
                    return None;
                }
            }
        }
    }
    // Apply the setters in sequence order.
    let mut applied: Vec<(i32, &CustomActionRow)> = Vec::new();
    for row in f.custom_actions.iter().filter(setters) {
        let seq = if pos.ui {
            &f.ui_sequence
        } else {
            &f.execute_sequence
        };
        for s in seq.iter().filter(|s| s.action == row.action) {
            if s.sequence > 0 && s.sequence < pos.sequence {
                applied.push((s.sequence, row));
            }
        }
    }
    if lost_ui_set && applied.is_empty() {
        source = Source::PrivateUiSetLost;
    }
    applied.sort_by_key(|(s, _)| *s);
    if applied.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    for (seq, row) in applied {
        let target = row.target.as_deref().unwrap_or("");
        let at = Position {
            ui: pos.ui,
            sequence: seq,
        };
        let formatted = if is_literal(target) {
            Cow::Borrowed(target)
        } else {
            Cow::Owned(format_at_position(
                plan,
                target,
                at,
                except_probe,
                ignore_in_script_sets,
                depth + 1,
            )?)
        };
        value = formatted;
        source = Source::Type51;
    }
    Some(Known {
        value,
        source,
        variant_set: false,
    })
}

/// Formats `template` as a type-51 action (or an EXE command line) sequenced
/// at `pos` sees it, when every bracket in it is settled there.
///
/// `[#file]`, `[!file]` and `[$component]` name paths that costing decides,
/// and `[%var]` the environment: none of them is a property, so none is
/// settled by the plan's properties (an undefined property would wrongly read "").
pub fn format_at_position(
    plan: &Plan,
    template: &str,
    pos: Position,
    except_probe: &str,
    ignore_in_script_sets: bool,
    depth: u8,
) -> Option<String> {
    format_settled(template, &[], &|n| {
        if n.starts_with(['#', '!', '$', '%']) {
            return None;
        }
        value_at_position(plan, n, pos, except_probe, ignore_in_script_sets, depth).map(|k| k.value)
    })
}

/// Formats `template` as the engine does ([`msi_format::format`]) with what
/// the plan settles: `resolve` gives a bracketed name's value, or `None` when
/// it is not known, and then the result is `None` too. Text with braces is
/// never settled: `{...}` groups are not modelled.
pub fn format_settled<'a>(
    template: &str,
    fields: &[String],
    resolve: &dyn Fn(&str) -> Option<Cow<'a, str>>,
) -> Option<String> {
    if template.contains(['{', '}']) || fields.iter().any(|f| f.contains(['{', '}'])) {
        return None;
    }
    msi_format::format(template, fields, Style::default(), &|n| match resolve(n) {
        Some(v) => Lookup::Found(v),
        None => Lookup::Unknown,
    })
}

/// What CustomActionData must hold in the in-script probe `probe`: the value
/// the property named exactly like it held when it was scheduled, and whether
/// a type-51 action changes that property after the scheduling point.
pub fn scheduled_data<'a>(plan: &'a Plan, probe: &str) -> Option<(Cow<'a, str>, bool)> {
    let pos = probe_position(plan, probe)?;
    if pos.ui {
        return None;
    }
    let k = value_at_position(plan, probe, pos, "", true, 0)?;
    let f = &plan.fixture;
    let later = f.custom_actions.iter().any(|r| {
        r.basic_type() == catype::SET_PROPERTY
            && r.source.as_deref() == Some(probe)
            && !actions::is_standard(&r.action)
            && f.execute_sequence
                .iter()
                .any(|s| s.action == r.action && s.sequence > pos.sequence)
    });
    Some((k.value, later))
}

/// The number of TCHARs a property getter counts for `value` ([`text::utf16_len`]).
pub fn char_len(value: &str) -> u32 {
    text::utf16_len(value)
}

/// The first `units` UTF-16 code units of `value`, or `None` when that cut
/// splits a surrogate pair (what a runtime then copies is not settled).
pub fn utf16_prefix(value: &str, units: u32) -> Option<&str> {
    (!text::splits_surrogate(value, units)).then(|| text::utf16_prefix(value, units))
}

/// What a getter call `e` leaves in its buffer when the value it reads is
/// `value`: for MsiGetProperty and MsiFormatRecord, a value that does not fit
/// the buffer is cut to the prefix [`text::getter_result`] copies (nothing
/// for a zero-sized buffer); an A call from a DLL custom action goes through
/// the ANSI bridge, which stops at an embedded NUL
/// ([`text::ansi_bridge_copy`]); anything else is the value.
pub fn as_read<'v>(e: &Event, value: &'v str, profile: crate::Profile) -> Cow<'v, str> {
    let (ansi, buffer) = match &e.call {
        Operation::GetProperty { ansi, buffer, .. }
        | Operation::FormatRecord { ansi, buffer, .. } => (*ansi, Some(*buffer)),
        _ => (false, None),
    };
    if let Some(buffer) = buffer {
        let g = text::getter_result(text::utf16_len(value), buffer, false);
        if g.rc == rc::MORE_DATA {
            return Cow::Borrowed(g.copied.map_or("", |k| text::utf16_prefix(value, k)));
        }
    }
    let in_dll_action = is_immediate_c(e.context) || is_in_script_c(e.context);
    if ansi && in_dll_action && profile == crate::Profile::Windows && value.contains('\0') {
        Cow::Owned(text::ansi_bridge_copy(value))
    } else {
        Cow::Borrowed(value)
    }
}

/// What MsiGetProperty must report for a value of `len` characters with this
/// buffer ([`text::getter_result`]): (rc, size, the length copied). `None`
/// for a NULL size argument, which the buffer rules this is used for leave
/// to other rules.
pub fn expected_get(len: u32, buffer: Buffer, bytes: bool) -> Option<(u32, u32, Option<u32>)> {
    if matches!(buffer, Buffer::NullSize | Buffer::NullBoth) {
        return None;
    }
    let g = text::getter_result(len, buffer, bytes);
    Some((g.rc, g.size?, g.copied))
}

/// The install result a clean plan must produce, and the rule that decides it.
///
/// A plan is clean when the top-level action is INSTALL, every sequenced
/// custom action is a probe or a type-51 action, no condition can fail to
/// parse, and no step runs probes by name. Then the first probe whose return
/// value stops the install (in the order the probes ran) decides the result.
pub fn expected_install_result(plan: &Plan, t: &Transcript) -> Option<(u32, &'static str)> {
    if !top_level_is_install(plan) {
        return None;
    }
    let f = &plan.fixture;
    if execute_action_may_change(plan) || !execute_sequence_runs(plan) {
        return None;
    }
    if !script_rows_in_window(plan) || sequences_run_top_level(plan) {
        // Windows fails an install with in-script actions outside the window
        // (error 2762: no script to write to); a sequence that runs a
        // top-level action runs itself again, and how deep that goes before
        // the install fails is not settled here.
        return None;
    }
    for row in f.execute_sequence.iter().chain(&f.ui_sequence) {
        if row.sequence <= 0 {
            continue;
        }
        if row.condition.is_some()
            && custom_action(plan, &row.action).is_some_and(|r| r.basic_type() == catype::ERROR)
        {
            // Whether it fires (and so ends the install before any later
            // action) is not settled here.
            return None;
        }
        if row.condition.is_some() && condition::syntax(row.condition.as_deref()).is_some() {
            // An empty or malformed condition: what the sequence does with it
            // is SEQ-BAD-CONDITION's question.
            return None;
        }
        if actions::is_standard(&row.action) {
            continue;
        }
        let ca = f.custom_action(&row.action)?;
        if ca.basic_type() == catype::SET_PROPERTY || ca.basic_type() == catype::ERROR {
            continue;
        }
        if !plan.probes.contains_key(&row.action) || ca.kind & catype::ASYNC != 0 {
            return None;
        }
    }
    if all_steps(plan).any(|(_, _, op)| match op {
        Operation::DoAction {
            action: Some(a), ..
        }
        | Operation::SessionDoAction { action: Some(a) } => {
            plan.probes.contains_key(a)
                || actions::TOP_LEVEL_ACTIONS.contains(&a.as_str())
                || a == "ExecuteAction"
        }
        Operation::DoAction { action: None, .. } | Operation::SessionDoAction { action: None } => {
            true
        }
        Operation::Sequence { table: Some(_) } => true,
        _ => false,
    }) {
        return None;
    }
    // A standard action that logged a failure explains the result on its own.
    if t.actions.iter().any(|a| {
        a.result.is_some_and(|r| r >= 2)
            && actions::is_standard(&a.name)
            && !actions::TOP_LEVEL_ACTIONS.contains(&a.name.as_str())
    }) {
        return None;
    }
    let mut saw = Saw::default();
    // Set once an action asked to skip the remaining actions: the deferred
    // actions already scheduled still run, and their failure still counts.
    let mut finished = false;
    for run in &t.runs {
        if !sequenced(plan, &run.probe) {
            // Only at a termination number (-1 to -4): it runs once the result is decided.
            continue;
        }
        let ca = custom_action(plan, &run.probe)?;
        let script = plan.probes.get(&run.probe)?;
        let kind = ca.kind;
        let in_script = kind & catype::IN_SCRIPT != 0;
        if in_script && kind & (catype::ROLLBACK | catype::COMMIT) != 0 {
            // Rollback and commit actions run after the outcome is decided.
            continue;
        }
        let class = classify_return(ca, script.returns, in_script)?;
        if class != Status::Success && has_termination_row(plan, &run.probe) {
            // This run may be the one at a termination number, whose result
            // no longer counts (Wine ignores it): which one it was is not recorded.
            return None;
        }
        if kind & catype::CONTINUE != 0 {
            if class != Status::Success {
                saw.continued = true;
            }
            continue;
        }
        let basic = ca.basic_type();
        if custom_action::is_script(basic) {
            saw.script = true;
        } else if custom_action::is_exe(basic) {
            saw.exe = true;
        }
        let rule = if custom_action::is_script(basic) {
            "SCRIPT-CA-RET"
        } else if custom_action::is_exe(basic) {
            "CA-RET-EXE-ZERO"
        } else {
            match class {
                Status::UserExit => "CA-RET-USEREXIT",
                Status::Finished => "CA-RET-NO-MORE-ITEMS",
                Status::Suspend => "CA-RET-SUSPEND",
                Status::Failure => "CA-RET-OTHER",
                Status::Success => "CA-RET-SUCCESS",
            }
        };
        match class {
            Status::Success => {}
            Status::Finished => finished = true,
            Status::UserExit => return Some((rc::INSTALL_USEREXIT, rule)),
            Status::Suspend => return Some((rc::INSTALL_SUSPEND, rule)),
            Status::Failure => return Some((rc::INSTALL_FAILURE, rule)),
        }
    }
    if finished {
        // Whether a type-19 action sequenced after the skip point still runs is not settled here.
        let type19 = f
            .custom_actions
            .iter()
            .any(|r| r.basic_type() == catype::ERROR && sequenced(plan, &r.action));
        return (!type19).then_some((rc::SUCCESS, "CA-RET-NO-MORE-ITEMS"));
    }
    // Nothing stopped the install; a type-19 action still fails it, if it runs.
    for r in f
        .custom_actions
        .iter()
        .filter(|r| r.basic_type() == catype::ERROR && !actions::is_standard(&r.action))
    {
        if !sequenced(plan, &r.action) {
            continue;
        }
        let conditioned = f
            .execute_sequence
            .iter()
            .chain(&f.ui_sequence)
            .any(|s| s.action == r.action && s.sequence > 0 && s.condition.is_some());
        if conditioned {
            // Whether its condition holds is not settled here.
            return None;
        }
        return Some((rc::INSTALL_FAILURE, "CA-TYPE19-ERROR"));
    }
    let rule = if saw.continued {
        "CA-RET-CONTINUE-FLAG"
    } else if saw.script {
        "SCRIPT-CA-RET"
    } else if saw.exe {
        "CA-RET-EXE-ZERO"
    } else {
        "CA-RET-SUCCESS"
    };
    Some((rc::SUCCESS, rule))
}

/// Whether the plan's install runs InstallUISequence (its UI level is above basic).
pub fn ui_sequence_runs(plan: &Plan) -> bool {
    plan.install
        .as_ref()
        .is_some_and(|i| i.ui.runs_ui_sequence())
}

/// Whether INSTALL is known to reach InstallExecuteSequence: the UI level skips
/// the UI sequence, the UI sequence has no rows, or it has an unconditioned
/// ExecuteAction at a positive number. (A UI sequence without ExecuteAction
/// ends the install without running the execute sequence.)
pub fn execute_sequence_runs(plan: &Plan) -> bool {
    let ui = &plan.fixture.ui_sequence;
    !ui_sequence_runs(plan)
        || ui.is_empty()
        || ui
            .iter()
            .any(|r| r.action == "ExecuteAction" && r.sequence > 0 && r.condition.is_none())
}

/// Whether EXECUTEACTION may be set, so that ExecuteAction may run something
/// other than the execute sequence of INSTALL.
pub fn execute_action_may_change(plan: &Plan) -> bool {
    plan.fixture.property("EXECUTEACTION").is_some()
        || command_line_value(plan, "EXECUTEACTION").is_some()
        || plan_sets_property(plan, "EXECUTEACTION")
}

/// Whether every in-script custom action sequenced at a positive number sits
/// in InstallExecuteSequence between an unconditioned InstallInitialize and
/// the next InstallFinalize, where there is a script to write it into.
pub fn script_rows_in_window(plan: &Plan) -> bool {
    let f = &plan.fixture;
    let is_script = |action: &str| custom_action(plan, action).is_some_and(|r| r.is_in_script());
    if f.ui_sequence
        .iter()
        .any(|r| r.sequence > 0 && is_script(&r.action))
    {
        return false;
    }
    let exec = &f.execute_sequence;
    exec.iter()
        .filter(|r| r.sequence > 0 && is_script(&r.action))
        .all(|r| {
            exec.iter()
                .filter(|i| i.action == "InstallInitialize" && i.condition.is_none())
                .filter(|i| i.sequence > 0 && i.sequence < r.sequence)
                .any(|i| {
                    !exec.iter().any(|x| {
                        x.action == "InstallFinalize"
                            && x.sequence >= i.sequence
                            && x.sequence <= r.sequence
                    })
                })
        })
}

/// Whether a sequence row (at a positive number) names a top-level action.
pub fn sequences_run_top_level(plan: &Plan) -> bool {
    let f = &plan.fixture;
    f.execute_sequence.iter().chain(&f.ui_sequence).any(|r| {
        // Termination rows (-1 to -4) run their actions too.
        (r.sequence > 0 || (-4..=-1).contains(&r.sequence)) && actions::is_top_level(&r.action)
    })
}

/// Whether `action` is sequenced at a termination number (-1 to -4).
fn has_termination_row(plan: &Plan, action: &str) -> bool {
    let f = &plan.fixture;
    f.execute_sequence
        .iter()
        .chain(&f.ui_sequence)
        .any(|r| r.action == action && (-4..=-1).contains(&r.sequence))
}

#[derive(Default)]
struct Saw {
    continued: bool,
    script: bool,
    exe: bool,
}

fn sequenced(plan: &Plan, action: &str) -> bool {
    let runs_ui = ui_sequence_runs(plan);
    plan.fixture
        .execute_sequence
        .iter()
        .any(|s| s.action == action && s.sequence > 0)
        || (runs_ui
            && plan
                .fixture
                .ui_sequence
                .iter()
                .any(|s| s.action == action && s.sequence > 0))
}

/// How a custom action's return value ends the sequence, where the sources
/// settle it: a script's 0, 4 and 5 and any of its other values, and user
/// exit, "skip the rest" and suspend from an in-script action, are left
/// open, as are Types whose code the plan does not control.
pub fn classify_return(ca: &CustomActionRow, returns: u32, in_script: bool) -> Option<Status> {
    let basic = ca.basic_type();
    let settled = match custom_action::class_of(basic)? {
        ActionClass::Exe => true,
        ActionClass::Script => matches!(returns, 1 | 3) || (returns == 2 && !in_script),
        ActionClass::Dll => {
            basic == catype::DLL_BINARY
                && !(in_script
                    && matches!(
                        returns,
                        rc::INSTALL_USEREXIT | rc::NO_MORE_ITEMS | rc::INSTALL_SUSPEND
                    ))
        }
    };
    // The continue bit is the caller's business: `basic` has no flags.
    settled.then(|| Status::of(custom_action::action_code(basic, returns).unwrap_or(rc::SUCCESS)))
}

/// Where a handle slot came from, going back through the same run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotOrigin {
    /// MsiGetActiveDatabase or `Session.Database`: the session's own database.
    Active,
    /// MsiOpenDatabase of the package file: what is on disk.
    Disk,
    /// A second session from MsiOpenPackage.
    Package,
}

/// The origin of `slot` as of `events[i]`, if a successful call in the same run filled it.
pub fn slot_origin(events: &[Event], i: usize, slot: &str) -> Option<SlotOrigin> {
    slot_database(events, i, slot).map(|(o, _)| o)
}

/// Which database `slot` holds as of `events[i]`: its origin and an identity
/// (equal identities, same database). Every handle to the session's own
/// database shares one identity; each MsiOpenDatabase or MsiOpenPackage opens
/// a separate one, named by the index of the event that opened it.
pub fn slot_database(events: &[Event], i: usize, slot: &str) -> Option<(SlotOrigin, usize)> {
    // Every call that stores a handle in a slot: a later one of another kind
    // (a view, a record) replaces the database there.
    const KINDS: &[OpKind] = &[
        OpKind::GetActiveDatabase,
        OpKind::SessionDatabase,
        OpKind::OpenDatabase,
        OpKind::OpenPackage,
        OpKind::CloseHandle,
        OpKind::OpenView,
        OpKind::CreateRecord,
        OpKind::ViewColumnInfo,
        OpKind::PrimaryKeys,
    ];
    for (j, e) in run_before_of(events, i, KINDS) {
        let (into, origin) = match &e.call {
            Operation::GetActiveDatabase { into } | Operation::SessionDatabase { into } => {
                (into, SlotOrigin::Active)
            }
            Operation::OpenDatabase { into } => (into, SlotOrigin::Disk),
            Operation::OpenPackage { into, .. } => (into, SlotOrigin::Package),
            Operation::CloseHandle { slot: s } if s == slot => return None,
            _ if filled_slot(e) == Some(slot) => return None,
            _ => continue,
        };
        if into == slot {
            let id = if origin == SlotOrigin::Active {
                usize::MAX
            } else {
                j
            };
            return match e.outcome.handle {
                Some(h) if h != 0 && performed(e) => Some((origin, id)),
                _ => None,
            };
        }
    }
    None
}

/// The SQL text a view slot was opened on, in the same run.
pub fn view_sql<'a>(events: &'a [Event], i: usize, view: &str) -> Option<&'a str> {
    const KINDS: &[OpKind] = &[
        OpKind::OpenView,
        OpKind::CloseHandle,
        OpKind::GetActiveDatabase,
        OpKind::SessionDatabase,
        OpKind::OpenDatabase,
        OpKind::OpenPackage,
        OpKind::CreateRecord,
        OpKind::ViewColumnInfo,
        OpKind::PrimaryKeys,
    ];
    for (_, e) in run_before_of(events, i, KINDS) {
        match &e.call {
            Operation::OpenView {
                sql: Some(sql),
                into,
                ..
            } if into == view => {
                return (e.outcome.rc == Some(rc::SUCCESS)).then_some(sql.as_str());
            }
            Operation::CloseHandle { slot } if slot == view => return None,
            // Another handle stored in the slot replaces the view.
            _ if filled_slot(e) == Some(view) => return None,
            _ => {}
        }
    }
    None
}

/// Whether `table` is a persistent table of the package: the fixture's, or a
/// standard one the fixture gives rows (a package built from it has no empty
/// CustomAction or sequence table to rely on).
pub fn is_persistent_table(plan: &Plan, table: &str) -> bool {
    let f = &plan.fixture;
    match table {
        "Property" => true,
        "CustomAction" => !f.custom_actions.is_empty(),
        "InstallExecuteSequence" => !f.execute_sequence.is_empty(),
        "InstallUISequence" => !f.ui_sequence.is_empty(),
        _ => f.table(table).is_some(),
    }
}

/// Whether a step anywhere in the plan mentions `table` in SQL.
pub fn plan_mentions_table(plan: &Plan, table: &str) -> bool {
    plan_wide(plan, "plan_mentions_table", table, || {
        all_steps(plan).any(|(_, _, op)| match op {
            Operation::Sql { sql, .. } | Operation::OpenView { sql: Some(sql), .. } => {
                sql.contains(table)
            }
            _ => false,
        })
    })
}

/// What MsiDoAction must return when it runs the custom action `action`
/// (a probe or a type-51 action) from an immediate context, when that is settled.
pub fn nested_action_code(plan: &Plan, action: &str) -> Option<u32> {
    let row = custom_action(plan, action)?;
    if row.kind & (catype::IN_SCRIPT | catype::CONTINUE | catype::ASYNC) != 0 {
        return None;
    }
    if row.basic_type() == catype::SET_PROPERTY {
        return Some(rc::SUCCESS);
    }
    if row.basic_type() != catype::DLL_BINARY {
        return None;
    }
    let script = plan.probes.get(action)?;
    match script.returns {
        rc::SUCCESS => Some(rc::SUCCESS),
        rc::INSTALL_USEREXIT => Some(rc::INSTALL_USEREXIT),
        rc::INSTALL_SUSPEND => Some(rc::INSTALL_SUSPEND),
        rc::NO_MORE_ITEMS | rc::FUNCTION_NOT_CALLED => None,
        _ => Some(rc::INSTALL_FAILURE),
    }
}

/// Whether the run of `events[i]` made, before it, a successful DoAction of `action`.
pub fn ran_before(events: &[Event], i: usize, action: &str) -> bool {
    run_before_of(events, i, &[OpKind::DoAction]).any(|(_, e)| {
        matches!(&e.call, Operation::DoAction { action: Some(a), handle: HandleArg::Session } if a == action)
            && e.outcome.rc == Some(rc::SUCCESS)
    })
}

/// Whether rollback is disabled for the install (DISABLEROLLBACK on the command line or in the Property table).
pub fn rollback_disabled(plan: &Plan) -> bool {
    let set = |v: Option<&str>| v.is_some_and(|v| !v.is_empty());
    set(command_line_value(plan, "DISABLEROLLBACK"))
        || set(plan.fixture.property("DISABLEROLLBACK"))
}

/// The in-script kind of a custom action: deferred, rollback or commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptKind {
    /// 0x400 alone.
    Deferred,
    /// 0x400 with 0x100.
    Rollback,
    /// 0x400 with 0x200.
    Commit,
}

/// The in-script kind of a CustomAction row, if it has the in-script bit.
pub fn script_kind(row: &CustomActionRow) -> Option<ScriptKind> {
    if !row.is_in_script() {
        return None;
    }
    Some(match row.kind & (catype::ROLLBACK | catype::COMMIT) {
        0 => ScriptKind::Deferred,
        catype::ROLLBACK => ScriptKind::Rollback,
        catype::COMMIT => ScriptKind::Commit,
        _ => return None,
    })
}

/// The index in `t.runs` of the first run of `probe`.
pub fn first_run(t: &Transcript, probe: &str) -> Option<usize> {
    t.runs.iter().position(|r| r.probe == probe)
}

/// What each probe's handle slots hold in its current run, for the
/// predicates that replay a run's calls slot by slot: a probe's run restarts
/// (its slots are forgotten) when its event index stops rising.
#[derive(Debug)]
pub struct RunSlots<'t, T> {
    runs: std::collections::HashMap<&'t str, (usize, std::collections::HashMap<&'t str, T>)>,
}

impl<T> Default for RunSlots<'_, T> {
    fn default() -> Self {
        RunSlots {
            runs: std::collections::HashMap::new(),
        }
    }
}

impl<'t, T> RunSlots<'t, T> {
    /// The slots of the run `e` belongs to, after `e` is counted in it.
    pub fn of(&mut self, e: &'t Event) -> &mut std::collections::HashMap<&'t str, T> {
        let run = self
            .runs
            .entry(e.probe.as_str())
            .or_insert_with(|| (e.index, std::collections::HashMap::new()));
        if e.index <= run.0 && !run.1.is_empty() {
            run.1.clear();
        }
        run.0 = e.index;
        &mut run.1
    }
}
