//! The mutation engine: every way a runtime could get one part of a transcript wrong.
//!
//! [`mutations`] lists the mutations that apply to a transcript, in a fixed
//! order (events first, then probe runs, then actions, then the install
//! result); [`apply`] makes the mutated copy. Each mutation alters exactly one
//! thing: one field of one outcome, one action record, or one probe run with
//! its calls.

use msiconf_spec::codes::rc;
use msiconf_spec::{OpKind, Outcome, Transcript};
use serde::Serialize;
use std::fmt;

/// Every return code the catalog names (`codes::rc`): what an rc is mutated to.
pub const RC_CODES: &[u32] = &[
    rc::SUCCESS,
    rc::ACCESS_DENIED,
    rc::INVALID_HANDLE,
    rc::INVALID_DATA,
    rc::INVALID_PARAMETER,
    rc::MORE_DATA,
    rc::NO_MORE_ITEMS,
    rc::INSTALL_USEREXIT,
    rc::INSTALL_FAILURE,
    rc::INSTALL_SUSPEND,
    rc::UNKNOWN_FEATURE,
    rc::UNKNOWN_COMPONENT,
    rc::INVALID_HANDLE_STATE,
    rc::BAD_QUERY_SYNTAX,
    rc::INSTALL_ALREADY_RUNNING,
    rc::INSTALL_PACKAGE_OPEN_FAILED,
    rc::FUNCTION_NOT_CALLED,
    rc::FUNCTION_FAILED,
    rc::RPC_X_NULL_REF_POINTER,
    rc::INVALID_DATATYPE,
];

/// What MsiInstallProduct can return for the top-level install: success, user
/// exit, failure, suspend.
pub const INSTALL_RESULTS: &[u32] = &[
    rc::SUCCESS,
    rc::INSTALL_USEREXIT,
    rc::INSTALL_FAILURE,
    rc::INSTALL_SUSPEND,
];

/// The results an install log records for an action (0 not executed .. 5 finished).
pub const ACTION_RESULTS: std::ops::RangeInclusive<i64> = 0..=5;

/// The exception a mutated automation call raises.
pub const RAISED: &str = "DISP_E_EXCEPTION";

/// The part of a transcript a mutation alters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Site {
    /// The outcome of `events[i]`.
    Event(usize),
    /// `runs[i]`, with the calls it made.
    Run(usize),
    /// `actions[i]`.
    Action(usize),
    /// The top-level install's result.
    Install,
}

/// How the part is altered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The return code becomes this other code.
    Rc(u32),
    /// The string result gets a character more (or becomes "x" when empty).
    ValueChanged,
    /// The string result loses its last character.
    ValueTruncated,
    /// Every letter of the string result changes case.
    ValueCaseFlipped,
    /// The string result becomes empty.
    ValueEmptied,
    /// The size written back is one more.
    SizePlusOne,
    /// The size written back is one less.
    SizeMinusOne,
    /// The size is reported in bytes (twice the characters).
    SizeInBytes,
    /// A size in bytes is reported in characters (half).
    SizeInChars,
    /// A handle comes back where none did (a fresh one).
    HandleReturned,
    /// No handle comes back where one did.
    HandleWithheld,
    /// An earlier handle comes back again instead of a new one.
    HandleReused,
    /// A number is flipped: 0 becomes 1, anything else 0.
    NumberFlipped,
    /// A number is one more (when that differs from the flip).
    NumberOffByOne,
    /// The last fetched row is missing.
    RowDropped,
    /// The last fetched row comes back twice (or a row of one empty field appears).
    RowAdded,
    /// The first field of the first row changes.
    RowChanged,
    /// An automation call raises where it did not.
    ExceptionRaised,
    /// An automation call that raised returns normally.
    ExceptionDropped,
    /// The action's logged result becomes this other result.
    ActionResult(i64),
    /// The action is logged twice.
    ActionAdded,
    /// The action is not logged.
    ActionDropped,
    /// The probe runs once more, right after this run, making the same calls.
    RunAdded,
    /// The probe run does not happen, nor the calls it made.
    RunDropped,
    /// The install returns this other result.
    InstallResult(u32),
}

impl Kind {
    /// The kind without its parameter, for grouping (`rc`, `value-changed`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Rc(_) => "rc",
            Kind::ValueChanged => "value-changed",
            Kind::ValueTruncated => "value-truncated",
            Kind::ValueCaseFlipped => "value-case-flipped",
            Kind::ValueEmptied => "value-emptied",
            Kind::SizePlusOne => "size-plus-one",
            Kind::SizeMinusOne => "size-minus-one",
            Kind::SizeInBytes => "size-in-bytes",
            Kind::SizeInChars => "size-in-chars",
            Kind::HandleReturned => "handle-returned",
            Kind::HandleWithheld => "handle-withheld",
            Kind::HandleReused => "handle-reused",
            Kind::NumberFlipped => "number-flipped",
            Kind::NumberOffByOne => "number-off-by-one",
            Kind::RowDropped => "row-dropped",
            Kind::RowAdded => "row-added",
            Kind::RowChanged => "row-changed",
            Kind::ExceptionRaised => "exception-raised",
            Kind::ExceptionDropped => "exception-dropped",
            Kind::ActionResult(_) => "action-result",
            Kind::ActionAdded => "action-added",
            Kind::ActionDropped => "action-dropped",
            Kind::RunAdded => "run-added",
            Kind::RunDropped => "run-dropped",
            Kind::InstallResult(_) => "install-result",
        }
    }

    /// Every kind name, in the order of [`Kind`], for tests and documentation.
    pub const NAMES: &'static [&'static str] = &[
        "rc",
        "value-changed",
        "value-truncated",
        "value-case-flipped",
        "value-emptied",
        "size-plus-one",
        "size-minus-one",
        "size-in-bytes",
        "size-in-chars",
        "handle-returned",
        "handle-withheld",
        "handle-reused",
        "number-flipped",
        "number-off-by-one",
        "row-dropped",
        "row-added",
        "row-changed",
        "exception-raised",
        "exception-dropped",
        "action-result",
        "action-added",
        "action-dropped",
        "run-added",
        "run-dropped",
        "install-result",
    ];
}

/// One alteration of one transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Mutation {
    pub site: Site,
    pub kind: Kind,
}

impl fmt::Display for Mutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Rc(code) => write!(f, "rc -> {code}"),
            Kind::ActionResult(r) => write!(f, "action result -> {r}"),
            Kind::InstallResult(r) => write!(f, "install result -> {r}"),
            k => f.write_str(k.name()),
        }
    }
}

/// Every mutation that applies to `t`, in a fixed order. Some may leave the
/// transcript as it was (a case flip of digits); the scorer drops those.
pub fn mutations(t: &Transcript) -> Vec<Mutation> {
    let mut out = Vec::new();
    for (i, e) in t.events.iter().enumerate() {
        // A call the runtime could not make has no outcome to get wrong.
        if e.outcome.unsupported.is_none() {
            outcome_mutations(&e.outcome, e.call.kind(), Site::Event(i), &mut out);
        }
    }
    for i in 0..t.runs.len() {
        for kind in [Kind::RunAdded, Kind::RunDropped] {
            out.push(Mutation {
                site: Site::Run(i),
                kind,
            });
        }
    }
    for (i, a) in t.actions.iter().enumerate() {
        let site = Site::Action(i);
        if let Some(r) = a.result {
            for other in ACTION_RESULTS.filter(|x| *x != r) {
                out.push(Mutation {
                    site,
                    kind: Kind::ActionResult(other),
                });
            }
        }
        out.push(Mutation {
            site,
            kind: Kind::ActionAdded,
        });
        out.push(Mutation {
            site,
            kind: Kind::ActionDropped,
        });
    }
    if let Some(r) = t.install_result {
        for &other in INSTALL_RESULTS.iter().filter(|x| **x != r) {
            out.push(Mutation {
                site: Site::Install,
                kind: Kind::InstallResult(other),
            });
        }
    }
    out
}

fn outcome_mutations(o: &Outcome, op: OpKind, site: Site, out: &mut Vec<Mutation>) {
    let mut push = |kind| out.push(Mutation { site, kind });
    if let Some(code) = o.rc {
        for &other in RC_CODES.iter().filter(|c| **c != code) {
            push(Kind::Rc(other));
        }
    }
    if let Some(v) = &o.value {
        push(Kind::ValueChanged);
        if !v.is_empty() {
            push(Kind::ValueTruncated);
            push(Kind::ValueEmptied);
        }
        if flip_case(v) != *v {
            push(Kind::ValueCaseFlipped);
        }
    }
    if let Some(s) = o.size {
        push(Kind::SizePlusOne);
        if s > 0 {
            push(Kind::SizeMinusOne);
            push(Kind::SizeInBytes);
            if s % 2 == 0 {
                push(Kind::SizeInChars);
            }
        }
    }
    if let Some(h) = o.handle {
        if h == 0 {
            push(Kind::HandleReturned);
        } else {
            push(Kind::HandleWithheld);
            if h > 1 {
                push(Kind::HandleReused);
            }
        }
    }
    if let Some(n) = o.number {
        push(Kind::NumberFlipped);
        if n + 1 != flip(n) {
            push(Kind::NumberOffByOne);
        }
    }
    if let Some(rows) = &o.rows {
        push(Kind::RowAdded);
        if !rows.is_empty() {
            push(Kind::RowDropped);
        }
        if rows.first().is_some_and(|r| !r.is_empty()) {
            push(Kind::RowChanged);
        }
    }
    match &o.exception {
        Some(_) => push(Kind::ExceptionDropped),
        None if op.is_automation() => push(Kind::ExceptionRaised),
        None => {}
    }
}

fn flip(n: i64) -> i64 {
    if n == 0 {
        1
    } else {
        0
    }
}

fn flip_case(v: &str) -> String {
    v.chars()
        .map(|c| {
            if c.is_lowercase() {
                c.to_uppercase().next().unwrap_or(c)
            } else if c.is_uppercase() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// The transcript with `m` applied. A mutation whose site is out of range
/// (it was not listed for this transcript) returns the transcript unchanged.
pub fn apply(t: &Transcript, m: Mutation) -> Transcript {
    let mut t = t.clone();
    match m.site {
        Site::Event(i) => {
            let probe = t.events.get(i).map(|e| e.probe.clone());
            let fresh = probe.map_or(1, |p| {
                1 + t
                    .events
                    .iter()
                    .filter(|e| e.probe == p)
                    .filter_map(|e| e.outcome.handle)
                    .max()
                    .unwrap_or(0)
            });
            if let Some(e) = t.events.get_mut(i) {
                mutate_outcome(&mut e.outcome, m.kind, fresh);
            }
        }
        Site::Run(i) if i < t.runs.len() => match m.kind {
            Kind::RunDropped => drop_run(&mut t, i),
            Kind::RunAdded => repeat_run(&mut t, i),
            _ => {}
        },
        Site::Action(i) if i < t.actions.len() => match m.kind {
            Kind::ActionResult(r) => t.actions[i].result = Some(r),
            Kind::ActionAdded => {
                let again = t.actions[i].clone();
                t.actions.insert(i + 1, again);
            }
            Kind::ActionDropped => {
                t.actions.remove(i);
            }
            _ => {}
        },
        Site::Install => {
            if let Kind::InstallResult(r) = m.kind {
                t.install_result = Some(r);
            }
        }
        Site::Run(_) | Site::Action(_) => {}
    }
    t
}

fn mutate_outcome(o: &mut Outcome, kind: Kind, fresh_handle: u32) {
    match kind {
        Kind::Rc(code) => o.rc = Some(code),
        Kind::ValueChanged => {
            if let Some(v) = &mut o.value {
                v.push('x');
            }
        }
        Kind::ValueTruncated => {
            if let Some(v) = &mut o.value {
                v.pop();
            }
        }
        Kind::ValueCaseFlipped => o.value = o.value.as_deref().map(flip_case),
        Kind::ValueEmptied => o.value = o.value.as_ref().map(|_| String::new()),
        Kind::SizePlusOne => o.size = o.size.map(|s| s + 1),
        Kind::SizeMinusOne => o.size = o.size.map(|s| s.saturating_sub(1)),
        Kind::SizeInBytes => o.size = o.size.map(|s| s * 2),
        Kind::SizeInChars => o.size = o.size.map(|s| s / 2),
        Kind::HandleReturned => o.handle = Some(fresh_handle),
        Kind::HandleWithheld => o.handle = Some(0),
        Kind::HandleReused => o.handle = o.handle.map(|h| h - 1),
        Kind::NumberFlipped => o.number = o.number.map(flip),
        Kind::NumberOffByOne => o.number = o.number.map(|n| n + 1),
        Kind::RowDropped => {
            if let Some(rows) = &mut o.rows {
                rows.pop();
            }
        }
        Kind::RowAdded => {
            if let Some(rows) = &mut o.rows {
                let row = rows.last().cloned().unwrap_or_else(|| vec![String::new()]);
                rows.push(row);
            }
        }
        Kind::RowChanged => {
            if let Some(field) = o
                .rows
                .as_mut()
                .and_then(|r| r.first_mut())
                .and_then(|r| r.first_mut())
            {
                field.push('x');
            }
        }
        Kind::ExceptionRaised => {
            // A call that raises gives nothing else back.
            *o = Outcome {
                exception: Some(RAISED.to_owned()),
                ..Outcome::default()
            };
        }
        Kind::ExceptionDropped => o.exception = None,
        Kind::ActionResult(_)
        | Kind::ActionAdded
        | Kind::ActionDropped
        | Kind::RunAdded
        | Kind::RunDropped
        | Kind::InstallResult(_) => {}
    }
}

/// The indices of the events run `i` made: its probe's events from its start
/// up to the probe's next start. Calls of other probes nested inside (a
/// DoAction that runs another probe) belong to their own runs.
fn run_events(t: &Transcript, i: usize) -> Vec<usize> {
    let run = &t.runs[i];
    let end = t.runs[i + 1..]
        .iter()
        .find(|r| r.probe == run.probe)
        .map_or(t.events.len(), |r| r.first_event);
    (run.first_event..end.min(t.events.len()))
        .filter(|j| t.events[*j].probe == run.probe)
        .collect()
}

fn drop_run(t: &mut Transcript, i: usize) {
    let gone = run_events(t, i);
    let removed_before = |n: usize| gone.iter().filter(|j| **j < n).count();
    for r in &mut t.runs {
        r.first_event -= removed_before(r.first_event);
    }
    t.runs.remove(i);
    let mut j = 0;
    t.events.retain(|_| {
        let keep = !gone.contains(&j);
        j += 1;
        keep
    });
}

fn repeat_run(t: &mut Transcript, i: usize) {
    let calls = run_events(t, i);
    // The repeat starts right after the run's last call (or where it started, if it made none).
    let at = calls.last().map_or(t.runs[i].first_event, |j| j + 1);
    let copies: Vec<_> = calls.iter().map(|j| t.events[*j].clone()).collect();
    let n = copies.len();
    for r in &mut t.runs {
        if r.first_event >= at && n > 0 {
            r.first_event += n;
        }
    }
    let mut again = t.runs[i].clone();
    again.first_event = at;
    // Runs stay in start order; the copy goes after every run that started before it.
    let pos = if n == 0 {
        i + 1
    } else {
        (i + 1..t.runs.len())
            .find(|j| t.runs[*j].first_event > at)
            .unwrap_or(t.runs.len())
    };
    t.runs.insert(pos, again);
    t.events.splice(at..at, copies);
}

#[cfg(test)]
mod tests {
    use super::*;
    use msiconf_spec::{ActionRecord, Context, Event, Operation, ProbeRun};

    fn event(probe: &str, index: usize, call: Operation, outcome: Outcome) -> Event {
        Event {
            probe: probe.to_owned(),
            context: Context::ImmediateAfterInit,
            index,
            call,
            outcome,
        }
    }

    /// One of every outcome field, a nested run, actions and an install result.
    fn small() -> Transcript {
        let get = Operation::GetProperty {
            name: Some("ProductName".into()),
            buffer: msiconf_spec::Buffer::Ample,
            ansi: false,
            handle: msiconf_spec::HandleArg::Session,
        };
        Transcript {
            events: vec![
                event(
                    "A",
                    0,
                    get,
                    Outcome {
                        rc: Some(0),
                        value: Some("Prod".into()),
                        size: Some(4),
                        ..Outcome::default()
                    },
                ),
                event(
                    "A",
                    1,
                    Operation::GetActiveDatabase { into: "db".into() },
                    Outcome {
                        handle: Some(2),
                        ..Outcome::default()
                    },
                ),
                event(
                    "B",
                    0,
                    Operation::GetActiveDatabase { into: "db".into() },
                    Outcome {
                        handle: Some(0),
                        ..Outcome::default()
                    },
                ),
                event(
                    "A",
                    2,
                    Operation::Sql {
                        db: "db".into(),
                        sql: "SELECT".into(),
                    },
                    Outcome {
                        rc: Some(0),
                        rows: Some(vec![vec!["1".into()]]),
                        ..Outcome::default()
                    },
                ),
                event(
                    "S",
                    0,
                    Operation::SessionMode { mode: 0 },
                    Outcome::number(1),
                ),
                event(
                    "S",
                    1,
                    Operation::SessionDoAction { action: None },
                    Outcome {
                        exception: Some(RAISED.into()),
                        ..Outcome::default()
                    },
                ),
            ],
            runs: vec![
                ProbeRun {
                    probe: "A".into(),
                    context: Context::ImmediateAfterInit,
                    first_event: 0,
                },
                ProbeRun {
                    probe: "B".into(),
                    context: Context::ImmediateAfterInit,
                    first_event: 2,
                },
                ProbeRun {
                    probe: "S".into(),
                    context: Context::ScriptImmediate,
                    first_event: 4,
                },
            ],
            actions: vec![ActionRecord {
                name: "A".into(),
                result: Some(1),
            }],
            install_result: Some(0),
        }
    }

    #[test]
    fn every_mutation_kind_is_generated_on_a_small_transcript() {
        let t = small();
        let all = mutations(&t);
        for name in Kind::NAMES {
            assert!(
                all.iter().any(|m| m.kind.name() == *name),
                "no `{name}` mutation in {all:?}"
            );
        }
        // The rc of a call is tried against every other code the catalog names.
        let rcs = all
            .iter()
            .filter(|m| m.site == Site::Event(0) && m.kind.name() == "rc")
            .count();
        assert_eq!(rcs, RC_CODES.len() - 1);
    }

    #[test]
    fn every_listed_mutation_changes_the_transcript() {
        let t = small();
        for m in mutations(&t) {
            assert_ne!(apply(&t, m), t, "{m:?} changed nothing");
        }
    }

    #[test]
    fn outcome_mutations_alter_one_field() {
        let t = small();
        let at = |kind| {
            apply(
                &t,
                Mutation {
                    site: Site::Event(0),
                    kind,
                },
            )
            .events[0]
                .outcome
                .clone()
        };
        assert_eq!(at(Kind::Rc(1627)).rc, Some(1627));
        assert_eq!(at(Kind::ValueTruncated).value.as_deref(), Some("Pro"));
        assert_eq!(at(Kind::ValueCaseFlipped).value.as_deref(), Some("pROD"));
        assert_eq!(at(Kind::ValueEmptied).value.as_deref(), Some(""));
        assert_eq!(at(Kind::SizeInBytes).size, Some(8));
        assert_eq!(at(Kind::SizeInChars).size, Some(2));
        assert_eq!(at(Kind::SizeMinusOne).size, Some(3));
        let raised = apply(
            &t,
            Mutation {
                site: Site::Event(4),
                kind: Kind::ExceptionRaised,
            },
        );
        assert_eq!(raised.events[4].outcome.number, None);
        assert_eq!(raised.events[4].outcome.exception.as_deref(), Some(RAISED));
        let fresh = apply(
            &t,
            Mutation {
                site: Site::Event(2),
                kind: Kind::HandleReturned,
            },
        );
        assert_eq!(fresh.events[2].outcome.handle, Some(1));
    }

    #[test]
    fn a_dropped_run_takes_its_calls_and_keeps_nested_ones() {
        let t = small();
        let dropped = apply(
            &t,
            Mutation {
                site: Site::Run(0),
                kind: Kind::RunDropped,
            },
        );
        let probes: Vec<_> = dropped.events.iter().map(|e| e.probe.as_str()).collect();
        assert_eq!(probes, ["B", "S", "S"]);
        let starts: Vec<_> = dropped.runs.iter().map(|r| r.first_event).collect();
        assert_eq!(starts, [0, 1]);
    }

    #[test]
    fn an_added_run_repeats_the_calls_after_the_run() {
        let t = small();
        let again = apply(
            &t,
            Mutation {
                site: Site::Run(0),
                kind: Kind::RunAdded,
            },
        );
        let probes: Vec<_> = again.events.iter().map(|e| e.probe.as_str()).collect();
        assert_eq!(probes, ["A", "A", "B", "A", "A", "A", "A", "S", "S"]);
        let runs: Vec<_> = again
            .runs
            .iter()
            .map(|r| (r.probe.as_str(), r.first_event))
            .collect();
        assert_eq!(runs, [("A", 0), ("B", 2), ("A", 4), ("S", 7)]);
    }

    #[test]
    fn action_mutations_add_drop_and_change_results() {
        let t = small();
        let m = |kind| {
            apply(
                &t,
                Mutation {
                    site: Site::Action(0),
                    kind,
                },
            )
            .actions
        };
        assert_eq!(m(Kind::ActionAdded).len(), 2);
        assert!(m(Kind::ActionDropped).is_empty());
        assert_eq!(m(Kind::ActionResult(3))[0].result, Some(3));
        let results = mutations(&t)
            .into_iter()
            .filter(|m| m.kind.name() == "action-result")
            .count();
        assert_eq!(results, 5);
    }
}
