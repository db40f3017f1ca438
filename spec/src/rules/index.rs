//! What [`super::facts`] would otherwise find by scanning back from every
//! event, computed once per transcript.
//!
//! Without it, asking "what does this property hold here" or "where did this
//! handle come from" walks the probe run back from each event, so checking
//! grows with the square of the transcript (a 32,000-step run took minutes).
//! [`crate::check`] builds an [`Index`] once and installs it for the duration
//! of the check; the helpers in `facts` then walk only the events that can
//! matter to their question, in the same order the scan would meet them, and
//! fall back to the scan when no index is installed (a single rule checked on
//! its own, or a transcript other than the one indexed).
//!
//! The index holds no borrow: it is keyed by the address and length of the
//! event slice and of the plan it was built from, which cannot change while
//! `check` holds them borrowed.

use super::facts::all_steps;
use crate::codes::catype;
use crate::msi::actions;
use crate::msi::properties::is_public;
use crate::plan::PACKAGE_PROBE;
use crate::{Context, Event, OpKind, Operation, Plan, Transcript};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::cell::RefCell;
use std::rc::Rc;

/// A group of events of one run that a question may need to revisit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Key {
    /// Every event whose operation is of this kind.
    Kind(OpKind),
    /// MsiSetProperty or `Session.Property = ...` of a name that, in ASCII
    /// lower case, is this (what `eq_ignore_ascii_case` groups together).
    Sets(String),
    /// SQL (a statement, or a view opened on it) whose text mentions
    /// `Property`: the only SQL that can touch the Property table or `_Property`.
    PropertySql,
    /// MsiGetActiveDatabase calls that returned this handle.
    ActiveDatabase(u32),
}

/// The runs of one transcript and the plan-wide answers of one plan.
pub(super) struct Index {
    events_at: usize,
    events_len: usize,
    plan_at: usize,
    /// The event before each one in its run ([`super::facts::run_before`]), if any.
    prev: Vec<Option<usize>>,
    /// The run of each event, named by the run's first event.
    run: Vec<usize>,
    /// Each run's events of each key, in transcript order...
    lists: Vec<Vec<usize>>,
    /// ... and which list holds a (run, key).
    groups: HashMap<(usize, Key), usize>,
    steps: StepIndex,
    /// Plan-wide yes/no answers already found, by question and argument.
    memo: RefCell<HashMap<(&'static str, String), bool>>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Index>>> = const { RefCell::new(None) };
}

/// Runs `f` with an index of `plan` and `t` installed, restoring whatever was
/// installed before (also when `f` panics).
pub(super) fn indexed<R>(plan: &Plan, t: &Transcript, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Rc<Index>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let index = Rc::new(Index::new(plan, &t.events));
    let _restore = Restore(CURRENT.with(|c| c.borrow_mut().replace(index)));
    f()
}

/// The installed index, if it was built from exactly this event slice.
pub(super) fn for_events(events: &[Event]) -> Option<Rc<Index>> {
    CURRENT.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|x| x.events_at == events.as_ptr() as usize && x.events_len == events.len())
            .cloned()
    })
}

/// The installed index, if it was built from exactly this plan.
pub(super) fn for_plan(plan: &Plan) -> Option<Rc<Index>> {
    CURRENT.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|x| x.plan_at == plan as *const Plan as usize)
            .cloned()
    })
}

impl Index {
    fn new(plan: &Plan, events: &[Event]) -> Index {
        let mut prev = vec![None; events.len()];
        let mut run = vec![0; events.len()];
        let mut lists: Vec<Vec<usize>> = Vec::new();
        let mut groups: HashMap<(usize, Key), usize> = HashMap::default();
        // The latest event of each probe so far.
        let mut latest: HashMap<&str, usize> = HashMap::default();
        for (i, e) in events.iter().enumerate() {
            // A run goes on while its probe's step indexes grow (see `run_before`).
            let before = latest
                .insert(e.probe.as_str(), i)
                .filter(|&j| events[j].index < e.index);
            prev[i] = before;
            run[i] = before.map_or(i, |j| run[j]);
            let r = run[i];
            let mut add = |key: Key| {
                let list = *groups.entry((r, key)).or_insert_with(|| {
                    lists.push(Vec::new());
                    lists.len() - 1
                });
                lists[list].push(i);
            };
            add(Key::Kind(e.call.kind()));
            match &e.call {
                Operation::SetProperty { name: Some(n), .. }
                | Operation::SessionPropertySet { name: Some(n), .. } => {
                    add(Key::Sets(n.to_ascii_lowercase()));
                }
                Operation::Sql { sql, .. } | Operation::OpenView { sql: Some(sql), .. }
                    if sql.contains("Property") =>
                {
                    add(Key::PropertySql);
                }
                Operation::GetActiveDatabase { .. } => {
                    if let Some(h) = e.outcome.handle {
                        add(Key::ActiveDatabase(h));
                    }
                }
                _ => {}
            }
        }
        Index {
            events_at: events.as_ptr() as usize,
            events_len: events.len(),
            plan_at: plan as *const Plan as usize,
            prev,
            run,
            lists,
            groups,
            steps: StepIndex::new(plan),
            memo: RefCell::default(),
        }
    }

    /// The event before `events[i]` in its run.
    pub(super) fn prev(&self, i: usize) -> Option<usize> {
        self.prev[i]
    }

    /// The plan-wide answers.
    pub(super) fn steps(&self) -> &StepIndex {
        &self.steps
    }

    /// The answer to `question` about `arg`, found by `find` the first time only.
    pub(super) fn remember(
        &self,
        question: &'static str,
        arg: &str,
        find: impl FnOnce() -> bool,
    ) -> bool {
        let key = (question, arg.to_owned());
        if let Some(&known) = self.memo.borrow().get(&key) {
            return known;
        }
        // `find` may ask other questions: no borrow is held while it runs.
        let answer = find();
        self.memo.borrow_mut().insert(key, answer);
        answer
    }

    /// For each key, its list in the run of `events[i]` and how many of the
    /// list's events come before `events[i]`: where [`Back`] starts.
    fn cursors(&self, i: usize, keys: Vec<Key>) -> Vec<(usize, usize)> {
        let r = self.run[i];
        keys.into_iter()
            .filter_map(|key| {
                let list = *self.groups.get(&(r, key))?;
                let end = self.lists[list].partition_point(|&j| j < i);
                (end > 0).then_some((list, end))
            })
            .collect()
    }
}

/// The events of one run before a given event that belong to any of a few
/// keys, newest first, each once: the run's scan with every other event skipped.
pub(super) struct Back {
    index: Rc<Index>,
    /// (list, how many of its events are left to give).
    cursors: Vec<(usize, usize)>,
    last: Option<usize>,
}

impl Back {
    pub(super) fn new(index: Rc<Index>, i: usize, keys: Vec<Key>) -> Back {
        Back {
            cursors: index.cursors(i, keys),
            index,
            last: None,
        }
    }
}

impl Iterator for Back {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            // The newest remaining event over every key.
            let (slot, j) = self
                .cursors
                .iter()
                .enumerate()
                .filter(|(_, c)| c.1 > 0)
                .map(|(s, &(list, left))| (s, self.index.lists[list][left - 1]))
                .max_by_key(|&(_, j)| j)?;
            self.cursors[slot].1 -= 1;
            // An event in two groups (its kind and its name) is given once.
            if self.last != Some(j) {
                self.last = Some(j);
                return Some(j);
            }
        }
    }
}

/// Plan-wide answers that depend on every step of the plan.
pub(super) struct StepIndex {
    /// Some step runs actions by name without naming one: DoAction of Null, of
    /// a top-level action or ExecuteAction, or a sequence.
    runs_any_by_name: bool,
    /// The actions steps run by name.
    runs_by_name: HashSet<String>,
    /// For `set_by_steps`, per (ignore in-script steps, a UI-sequence set is
    /// lost): up to two probes with a step that may set any property...
    sets_any: [TwoProbes; 4],
    /// ... and per property name, up to two probes with a step that may set it.
    sets_named: [HashMap<String, TwoProbes>; 4],
}

/// Up to two distinct probe names: enough to tell whether any probe other than a given one is there.
#[derive(Default, Clone)]
pub(super) struct TwoProbes([Option<String>; 2]);

impl TwoProbes {
    fn add(&mut self, probe: &str) {
        for slot in &mut self.0 {
            match slot {
                Some(p) if p == probe => return,
                Some(_) => {}
                None => {
                    *slot = Some(probe.to_owned());
                    return;
                }
            }
        }
    }

    fn any_but(&self, except: &str) -> bool {
        self.0.iter().flatten().any(|p| p != except)
    }
}

/// What a step may set, for `set_by_steps`.
enum Sets<'a> {
    Any,
    Named(&'a str),
}

fn combo(ignore_in_script: bool, ui_set_is_lost: bool) -> usize {
    usize::from(ignore_in_script) * 2 + usize::from(ui_set_is_lost)
}

impl StepIndex {
    fn new(plan: &Plan) -> StepIndex {
        let mut x = StepIndex {
            runs_any_by_name: false,
            runs_by_name: HashSet::default(),
            sets_any: Default::default(),
            sets_named: Default::default(),
        };
        for (p, ctx, op) in all_steps(plan) {
            match op {
                Operation::DoAction { action, .. } | Operation::SessionDoAction { action } => {
                    match action.as_deref() {
                        None => x.runs_any_by_name = true,
                        Some(a)
                            if actions::TOP_LEVEL_ACTIONS.contains(&a) || a == "ExecuteAction" =>
                        {
                            x.runs_any_by_name = true
                        }
                        Some(a) => {
                            x.runs_by_name.insert(a.to_owned());
                        }
                    }
                }
                Operation::Sequence { table: Some(_) } => x.runs_any_by_name = true,
                _ => {}
            }
            if p == PACKAGE_PROBE {
                continue;
            }
            let Some(sets) = step_sets(plan, op) else {
                continue;
            };
            let sql_rows = matches!(op, Operation::Sql { .. } | Operation::OpenView { .. });
            for ignore_in_script in [false, true] {
                for lost in [false, true] {
                    if (ignore_in_script && ctx.is_in_script())
                        || (lost && ctx == Context::ImmediateUi && !sql_rows)
                    {
                        continue;
                    }
                    let c = combo(ignore_in_script, lost);
                    match sets {
                        Sets::Any => x.sets_any[c].add(p),
                        Sets::Named(n) => x.sets_named[c].entry(n.to_owned()).or_default().add(p),
                    }
                }
            }
        }
        x
    }

    /// Whether some step runs `action` by name, or may run any action by name.
    pub(super) fn runs_by_name(&self, action: &str) -> bool {
        self.runs_any_by_name || self.runs_by_name.contains(action)
    }

    /// `set_by_steps`, answered from the index.
    pub(super) fn set_by_steps(
        &self,
        name: &str,
        except_probe: &str,
        ignore_in_script: bool,
        read_in_execute: bool,
    ) -> bool {
        let c = combo(ignore_in_script, read_in_execute && !is_public(name));
        self.sets_any[c].any_but(except_probe)
            || self.sets_named[c]
                .get(name)
                .is_some_and(|t| t.any_but(except_probe))
    }
}

/// What a step may set, as `set_by_steps` judges it: any property, one, or none.
fn step_sets<'a>(plan: &'a Plan, op: &'a Operation) -> Option<Sets<'a>> {
    match op {
        Operation::SetProperty { name: Some(n), .. }
        | Operation::SessionPropertySet { name: Some(n), .. } => Some(Sets::Named(n)),
        Operation::SetInstallLevel { .. } => Some(Sets::Named("INSTALLLEVEL")),
        Operation::DoAction { action, .. } | Operation::SessionDoAction { action } => {
            match action {
                None => Some(Sets::Any),
                Some(a) if actions::TOP_LEVEL_ACTIONS.contains(&a.as_str()) => Some(Sets::Any),
                Some(a) if a == "ExecuteAction" => Some(Sets::Any),
                Some(a) => {
                    let row = plan.fixture.custom_action(a)?;
                    (row.basic_type() == catype::SET_PROPERTY)
                        .then_some(Sets::Named(row.source.as_deref()?))
                }
            }
        }
        Operation::Sequence { table } => table.is_some().then_some(Sets::Any),
        Operation::Sql { sql, .. } | Operation::OpenView { sql: Some(sql), .. } => {
            sql.contains("Property").then_some(Sets::Any)
        }
        _ => None,
    }
}
