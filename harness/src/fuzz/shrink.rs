//! Greedy delta shrinking over plans.
//!
//! Proptest's own shrinking works on the generator's choices, which for plans
//! means it cannot drop one fixture row without regenerating its neighbours.
//! Shrinking the plan itself is simpler and lands smaller: try the
//! simplifications from the biggest cut to the smallest, keep the first that
//! still fails, go on from there, stop when a whole round of them finds
//! nothing simpler that fails, or the budget is spent.
//!
//! Against a real engine every try is a session, so the order matters more
//! than the count of candidates: when the step a departure shows at is
//! known, the likeliest cuts come first (every other probe and the package
//! script at once, every step after that one, every step before it), then
//! whole probes, then steps in halves and quarters, and only then one step,
//! one row or one argument at a time. After a cut is kept, the next round
//! starts where the last one left off instead of from the top, so the cuts
//! that failed just before are not all tried again at once.

use msiconf_spec::codes::catype;
use msiconf_spec::plan::{StepRef, FORCE_ROLLBACK_PROBE, PACKAGE_PROBE};
use msiconf_spec::{Buffer, Fixture, HandleArg, Operation, Plan, UiLevel};

/// Simpler variants of one operation (same kind, plainer arguments).
fn simpler_ops(op: &Operation) -> Vec<Operation> {
    let mut out = Vec::new();
    match op {
        Operation::GetProperty {
            name,
            buffer,
            ansi,
            handle,
        } => {
            let mk = |buffer: Buffer, ansi: bool, handle: HandleArg| Operation::GetProperty {
                name: name.clone(),
                buffer,
                ansi,
                handle,
            };
            if *handle != HandleArg::Session {
                out.push(mk(*buffer, *ansi, HandleArg::Session));
            }
            if *buffer != Buffer::Ample {
                out.push(mk(Buffer::Ample, *ansi, *handle));
            }
            if *ansi {
                out.push(mk(*buffer, false, *handle));
            }
        }
        Operation::FormatRecord {
            null_record: _,
            template,
            fields,
            buffer,
            ansi,
            handle,
        } => {
            let mk = |fields: Vec<String>, buffer: Buffer, ansi: bool, handle: HandleArg| {
                Operation::FormatRecord {
                    null_record: false,
                    template: template.clone(),
                    fields,
                    buffer,
                    ansi,
                    handle,
                }
            };
            if !fields.is_empty() {
                out.push(mk(Vec::new(), *buffer, *ansi, *handle));
            }
            if *handle != HandleArg::Session {
                out.push(mk(fields.clone(), *buffer, *ansi, HandleArg::Session));
            }
            if *buffer != Buffer::Ample {
                out.push(mk(fields.clone(), Buffer::Ample, *ansi, *handle));
            }
            if *ansi {
                out.push(mk(fields.clone(), *buffer, false, *handle));
            }
        }
        Operation::DoAction { action, handle } if *handle != HandleArg::Session => {
            out.push(Operation::DoAction {
                action: action.clone(),
                handle: HandleArg::Session,
            });
        }
        Operation::SetProperty {
            name,
            value,
            ansi,
            handle,
        } => {
            if *ansi {
                out.push(Operation::SetProperty {
                    name: name.clone(),
                    value: value.clone(),
                    ansi: false,
                    handle: *handle,
                });
            }
            if *handle != HandleArg::Session {
                out.push(Operation::SetProperty {
                    ansi: *ansi,
                    name: name.clone(),
                    value: value.clone(),
                    handle: HandleArg::Session,
                });
            }
            if value.as_ref().is_some_and(|v| v.chars().count() > 1) {
                out.push(Operation::SetProperty {
                    ansi: *ansi,
                    name: name.clone(),
                    value: Some("1".to_owned()),
                    handle: *handle,
                });
            }
        }
        Operation::ProcessMessage { kind, fields } if !fields.is_empty() => {
            out.push(Operation::ProcessMessage {
                kind: *kind,
                fields: Vec::new(),
            });
        }
        Operation::SessionMessage { kind, fields } if !fields.is_empty() => {
            out.push(Operation::SessionMessage {
                kind: *kind,
                fields: Vec::new(),
            });
        }
        Operation::Modify {
            view,
            kind,
            record: Some(_),
        } => out.push(Operation::Modify {
            view: view.clone(),
            kind: *kind,
            record: None,
        }),
        _ => {}
    }
    out
}

fn drop_rows_of(plan: &mut Plan, action: &str) {
    let f = &mut plan.fixture;
    f.custom_actions.retain(|r| r.action != action);
    f.execute_sequence.retain(|r| r.action != action);
    f.ui_sequence.retain(|r| r.action != action);
}

/// Every one-move simplification of `plan`, biggest cuts first.
pub fn candidates(plan: &Plan) -> Vec<Plan> {
    let mut out = Vec::new();
    let names: Vec<String> = plan.probes.keys().cloned().collect();
    // Whole probes: the script alone, then the script with its rows.
    for name in &names {
        let mut p = plan.clone();
        p.probes.remove(name);
        drop_rows_of(&mut p, name);
        out.push(p);
        let mut p = plan.clone();
        p.probes.remove(name);
        out.push(p);
    }
    if plan.package.is_some() {
        let mut p = plan.clone();
        p.package = None;
        out.push(p);
    }
    // Steps: halves of long scripts, then quarters of longer ones, then one at a time.
    let count = plan.package.iter().count() + plan.probes.len();
    for parts in [2, 4] {
        for which in 0..count {
            let len = script_len(plan, which);
            if len < 2 * parts {
                continue;
            }
            for k in 0..parts {
                let cut = k * len / parts..(k + 1) * len / parts;
                let mut p = plan.clone();
                with_script(&mut p, which, |s| {
                    s.drain(cut.clone());
                });
                out.push(p);
            }
        }
    }
    for which in 0..count {
        let len = script_len(plan, which);
        for i in (0..len).rev() {
            let mut p = plan.clone();
            with_script(&mut p, which, |s| {
                s.remove(i);
            });
            out.push(p);
        }
    }
    // Fixture rows, except the standard package's: a case that keeps them
    // reads as `standard = true` plus the rows that matter.
    let f = &plan.fixture;
    let standard = Fixture::standard();
    for i in 0..f.properties.len() {
        if standard.property(&f.properties[i].name).is_some() {
            continue;
        }
        let mut p = plan.clone();
        p.fixture.properties.remove(i);
        out.push(p);
    }
    for row in &f.custom_actions {
        if plan.probes.contains_key(&row.action) {
            continue;
        }
        let mut p = plan.clone();
        drop_rows_of(&mut p, &row.action);
        out.push(p);
    }
    for i in 0..f.execute_sequence.len() {
        let action = &f.execute_sequence[i].action;
        if standard.execute_position(action).is_none() {
            let mut p = plan.clone();
            p.fixture.execute_sequence.remove(i);
            out.push(p);
        }
        if f.execute_sequence[i].condition.is_some() {
            let mut p = plan.clone();
            p.fixture.execute_sequence[i].condition = None;
            out.push(p);
        }
    }
    for i in 0..f.ui_sequence.len() {
        if standard
            .ui_sequence
            .iter()
            .any(|r| r.action == f.ui_sequence[i].action)
        {
            continue;
        }
        let mut p = plan.clone();
        p.fixture.ui_sequence.remove(i);
        out.push(p);
    }
    for t in 0..f.tables.len() {
        let mut p = plan.clone();
        p.fixture.tables.remove(t);
        out.push(p);
        for r in 0..f.tables[t].rows.len() {
            let mut p = plan.clone();
            p.fixture.tables[t].rows.remove(r);
            out.push(p);
        }
    }
    // The install.
    if let Some(install) = &plan.install {
        if plan.probes.is_empty() {
            let mut p = plan.clone();
            p.install = None;
            out.push(p);
        }
        for k in install.properties.keys() {
            let mut p = plan.clone();
            if let Some(i) = &mut p.install {
                i.properties.remove(k);
            }
            out.push(p);
        }
        if install.ui != UiLevel::None {
            let mut p = plan.clone();
            if let Some(i) = &mut p.install {
                i.ui = UiLevel::None;
            }
            out.push(p);
        }
    }
    // Return codes, then plainer arguments.
    for name in &names {
        if plan.probes[name].returns != 0 && name != FORCE_ROLLBACK_PROBE.0 {
            let mut p = plan.clone();
            if let Some(s) = p.probes.get_mut(name) {
                s.returns = 0;
            }
            out.push(p);
        }
    }
    for which in 0..count {
        for i in 0..script_len(plan, which) {
            let op = script_op(plan, which, i);
            for simpler in simpler_ops(&op) {
                let mut p = plan.clone();
                with_script(&mut p, which, |s| s[i] = simpler.clone());
                out.push(p);
            }
        }
    }
    out
}

fn with_script(plan: &mut Plan, which: usize, f: impl FnOnce(&mut Vec<Operation>)) {
    let script = plan
        .package
        .iter_mut()
        .chain(plan.probes.values_mut())
        .nth(which);
    if let Some(s) = script {
        f(&mut s.steps);
    }
}

fn script_len(plan: &Plan, which: usize) -> usize {
    plan.package
        .iter()
        .chain(plan.probes.values())
        .nth(which)
        .map_or(0, |s| s.steps.len())
}

fn script_op(plan: &Plan, which: usize, i: usize) -> Operation {
    plan.package
        .iter()
        .chain(plan.probes.values())
        .nth(which)
        .map(|s| s.steps[i].clone())
        .unwrap_or(Operation::GetLanguage)
}

/// Whether a plan is one a runtime can be fairly asked to run: every probe has
/// its CustomAction row of the right kind, every step is possible in its
/// context, and in-script actions sit between InstallInitialize and InstallFinalize.
pub fn structurally_valid(plan: &Plan) -> bool {
    let f = &plan.fixture;
    // Property keys the Property table, Action the CustomAction and both
    // sequence tables: a package has no row with an empty (NULL) key and no key twice.
    fn keys_ok<'a>(names: impl Iterator<Item = &'a str>) -> bool {
        let mut seen = std::collections::BTreeSet::new();
        names.into_iter().all(|n| !n.is_empty() && seen.insert(n))
    }
    // `@package` names the package script in transcripts; no action may share it.
    if f.custom_action(PACKAGE_PROBE).is_some() || plan.probes.contains_key(PACKAGE_PROBE) {
        return false;
    }
    if !keys_ok(f.properties.iter().map(|r| r.name.as_str()))
        || !keys_ok(f.custom_actions.iter().map(|r| r.action.as_str()))
        || !keys_ok(f.execute_sequence.iter().map(|r| r.action.as_str()))
        || !keys_ok(f.ui_sequence.iter().map(|r| r.action.as_str()))
    {
        return false;
    }
    // The package script runs on the package handle, whatever context it names.
    if plan
        .package
        .as_ref()
        .is_some_and(|s| s.context != msiconf_spec::Context::Package)
    {
        return false;
    }
    for (name, script) in &plan.probes {
        let Some(row) = f.custom_action(name) else {
            return false;
        };
        if row.is_in_script() != script.context.is_in_script()
            && script.context != msiconf_spec::Context::Exe
        {
            return false;
        }
        // A custom action never runs on the package handle, and the row's type
        // decides how the probe reaches the session (none for an EXE, the
        // automation object for a script), and so which context it is.
        let basic = row.basic_type();
        if script.context == msiconf_spec::Context::Package
            || (script.context == msiconf_spec::Context::Exe)
                != msiconf_spec::msi::custom_action::is_exe(basic)
            || script.context.is_script() != msiconf_spec::msi::custom_action::is_script(basic)
        {
            return false;
        }
    }
    for script in plan.package.iter().chain(plan.probes.values()) {
        if script
            .steps
            .iter()
            .any(|op| !op.kind().available_in(script.context))
        {
            return false;
        }
    }
    let init = f.execute_position("InstallInitialize");
    let finalize = f.execute_position("InstallFinalize");
    for row in &f.execute_sequence {
        let Some(ca) = f.custom_action(&row.action) else {
            continue;
        };
        if ca.kind & catype::IN_SCRIPT != 0 && row.sequence > 0 {
            match (init, finalize) {
                (Some(i), Some(fin)) if i < row.sequence && row.sequence < fin => {}
                _ => return false,
            }
        }
    }
    true
}

/// Shrinks `plan` while `still_fails` holds, trying at most `budget` candidates.
/// Returns the smallest failing plan found and how many candidates were tried.
pub fn shrink(
    plan: &Plan,
    budget: usize,
    still_fails: impl Fn(&Plan) -> bool + Sync,
) -> (Plan, usize) {
    shrink_toward(plan, None, budget, 1, still_fails)
}

/// The cuts likeliest to keep a departure that shows at one step, in the
/// order they are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// Only that step's probe: every other probe with its rows, and the
    /// package script unless it is the one.
    Alone,
    /// The other probes' scripts and the package script, their rows kept
    /// (for a departure that needs them to run).
    OthersSilent,
    /// Every step after that one.
    After,
    /// Every step before that one.
    Before,
}

/// `plan` with `cut` made around `focus`; `None` when it would change nothing.
fn focused(plan: &Plan, focus: &StepRef, cut: Cut) -> Option<Plan> {
    let others: Vec<String> = plan
        .probes
        .keys()
        .filter(|n| **n != focus.probe)
        .cloned()
        .collect();
    let drop_package = focus.probe != PACKAGE_PROBE && plan.package.is_some();
    let len = plan.script(&focus.probe).map_or(0, |s| s.steps.len());
    let mut p = plan.clone();
    let mut edit_steps = |f: &dyn Fn(&mut Vec<Operation>)| {
        let script = if focus.probe == PACKAGE_PROBE {
            p.package.as_mut()
        } else {
            p.probes.get_mut(&focus.probe)
        };
        if let Some(s) = script {
            f(&mut s.steps);
        }
    };
    match cut {
        Cut::Alone | Cut::OthersSilent => {
            if others.is_empty() && !drop_package {
                return None;
            }
            for name in &others {
                p.probes.remove(name);
                if cut == Cut::Alone {
                    drop_rows_of(&mut p, name);
                }
            }
            if drop_package {
                p.package = None;
            }
        }
        Cut::After if focus.index + 1 < len => edit_steps(&|s| s.truncate(focus.index + 1)),
        Cut::Before if focus.index > 0 && focus.index < len => edit_steps(&|s| {
            s.drain(..focus.index);
        }),
        Cut::After | Cut::Before => return None,
    }
    Some(p)
}

/// [`shrink`], starting with the cuts likeliest to keep a departure that
/// shows at `focus`, and trying up to `parallel` candidates at once (the
/// first of them in order that still fails is kept, so the result does not
/// depend on `parallel`).
pub fn shrink_toward(
    plan: &Plan,
    focus: Option<&StepRef>,
    budget: usize,
    parallel: usize,
    still_fails: impl Fn(&Plan) -> bool + Sync,
) -> (Plan, usize) {
    let mut current = plan.clone();
    let mut tried = 0;
    // The likely cuts, each tried once, on the plan as the earlier ones left it.
    if let Some(focus) = focus {
        let mut focus = focus.clone();
        let mut alone = false;
        for cut in [Cut::Alone, Cut::OthersSilent, Cut::After, Cut::Before] {
            if tried >= budget {
                return (current, tried);
            }
            if cut == Cut::OthersSilent && alone {
                continue;
            }
            let Some(candidate) = focused(&current, &focus, cut) else {
                continue;
            };
            if !structurally_valid(&candidate) {
                continue;
            }
            tried += 1;
            if still_fails(&candidate) {
                alone |= cut == Cut::Alone;
                if cut == Cut::Before {
                    focus.index = 0;
                }
                current = candidate;
            }
        }
    }
    let mut from = 0;
    loop {
        let cands: Vec<Plan> = candidates(&current)
            .into_iter()
            .filter(structurally_valid)
            .collect();
        if cands.is_empty() {
            break;
        }
        // One round: every candidate once, starting where the last kept cut was.
        let order: Vec<usize> = (0..cands.len()).map(|k| (from + k) % cands.len()).collect();
        let mut kept = None;
        for batch in order.chunks(parallel.max(1)) {
            let room = budget.saturating_sub(tried);
            if room == 0 {
                break;
            }
            let batch = &batch[..batch.len().min(room)];
            tried += batch.len();
            let results: Vec<bool> = if batch.len() == 1 {
                vec![still_fails(&cands[batch[0]])]
            } else {
                std::thread::scope(|s| {
                    let handles: Vec<_> = batch
                        .iter()
                        .map(|&i| {
                            let (c, f) = (&cands[i], &still_fails);
                            s.spawn(move || f(c))
                        })
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| h.join().unwrap_or(false))
                        .collect()
                })
            };
            if let Some(k) = results.iter().position(|&r| r) {
                kept = Some(batch[k]);
                break;
            }
        }
        match kept {
            Some(i) => {
                from = i;
                current = cands.into_iter().nth(i).unwrap_or(current);
            }
            None => break,
        }
    }
    (current, tried)
}

#[cfg(test)]
mod tests {
    use super::*;
    use msiconf_spec::{Context, Fixture, PlanBuilder};

    fn plan() -> Plan {
        let mut b = PlanBuilder::new(Fixture::standard());
        for i in 0..6 {
            b.step(
                Context::Deferred,
                None,
                Operation::GetMode {
                    mode: i,
                    handle: HandleArg::Session,
                },
            );
        }
        b.step(Context::ImmediateBeforeInit, None, Operation::GetLanguage);
        b.build()
    }

    /// The failure both shrinking tests look for: some probe asks for run mode 4.
    fn asks_mode_4(p: &Plan) -> bool {
        p.probes.values().any(|s| {
            s.steps
                .iter()
                .any(|op| matches!(op, Operation::GetMode { mode: 4, .. }))
        })
    }

    #[test]
    fn shrinks_to_the_one_step_that_matters() {
        let failing = asks_mode_4;
        let original = plan();
        assert!(failing(&original));
        let (small, _) = shrink(&original, 10_000, failing);
        assert_eq!(small.step_count(), 1);
        assert_eq!(small.probes.len(), 1);
        assert!(structurally_valid(&small));
        // The immediate probe's rows went with it; the deferred one kept its own.
        assert!(small.fixture.custom_action("ProbeImmediate").is_none());
        assert!(small.fixture.custom_action("ProbeDeferred").is_some());
    }

    #[test]
    fn a_deferred_probe_outside_the_script_window_is_invalid() {
        let mut p = plan();
        p.fixture
            .execute_sequence
            .retain(|r| r.action != "InstallFinalize");
        assert!(!structurally_valid(&p));
        assert!(structurally_valid(&plan()));
    }

    #[test]
    fn the_cuts_around_the_step_it_shows_at_come_first() {
        let failing = asks_mode_4;
        let original = plan();
        let focus = StepRef {
            probe: "ProbeDeferred".to_owned(),
            index: 4,
        };
        let (plain, plain_tries) = shrink(&original, 10_000, failing);
        let (focused, focused_tries) = shrink_toward(&original, Some(&focus), 10_000, 1, failing);
        assert_eq!(focused.step_count(), 1);
        assert_eq!(plain.step_count(), 1);
        assert!(
            focused_tries < plain_tries,
            "{focused_tries} tries with the focus, {plain_tries} without"
        );
        // Trying several candidates at once keeps the one a single try would.
        let (parallel, _) = shrink_toward(&original, Some(&focus), 10_000, 4, failing);
        assert_eq!(parallel, focused);
    }
}
