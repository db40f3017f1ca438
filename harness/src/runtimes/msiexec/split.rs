//! Operations that bring a Wine session down run in sessions of their own.
//!
//! Under Wine 8.0, MsiOpenPackage (and its automation form) and a nested
//! MsiInstallProduct made from a custom action crash the rest of the session.
//! Such a step, with the later CloseHandle of the handle it opened, forms a
//! *group*. The main session skips every group; each group then runs in a
//! session where its probe performs the steps before it, the group itself,
//! and returns. The group's events are spliced into the main transcript
//! where the probe would have made them.

use super::session::Selection;
use msiconf_spec::{Event, OpKind, Operation, Plan, Transcript};
use std::collections::BTreeSet;

/// The steps of one probe that run in an isolated session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The probe (custom action key) that performs them.
    pub probe: String,
    /// Step indexes, the dangerous one first.
    pub steps: BTreeSet<usize>,
}

fn is_dangerous(kind: OpKind) -> bool {
    matches!(
        kind,
        OpKind::OpenPackage | OpKind::InstallProduct | OpKind::InstallerOpenPackage
    )
}

/// Every group of the plan, in probe order. The package context is never split:
/// it is not an install session.
pub fn dangerous_groups(plan: &Plan) -> Vec<Group> {
    let mut out = Vec::new();
    for (name, script) in &plan.probes {
        for (i, op) in script.steps.iter().enumerate() {
            if !is_dangerous(op.kind()) {
                continue;
            }
            let mut steps = BTreeSet::from([i]);
            if let Operation::OpenPackage { into, .. } = op {
                for (j, later) in script.steps.iter().enumerate().skip(i + 1) {
                    match later {
                        Operation::CloseHandle { slot } if slot == into => {
                            steps.insert(j);
                            break;
                        }
                        // A new handle in the same slot ends the group.
                        Operation::OpenPackage { into: again, .. } if again == into => break,
                        _ => {}
                    }
                }
            }
            out.push(Group {
                probe: name.clone(),
                steps,
            });
        }
    }
    out
}

fn keys(g: &Group) -> impl Iterator<Item = (String, usize)> + '_ {
    g.steps.iter().map(move |i| (g.probe.clone(), *i))
}

/// The main session skips every group.
pub fn main_selection(groups: &[Group]) -> Selection {
    Selection {
        skip: groups.iter().flat_map(keys).collect(),
        stop_after: None,
    }
}

/// An isolated session skips the other groups and stops after its own.
pub fn isolated_selection(groups: &[Group], group: &Group) -> Selection {
    Selection {
        skip: groups
            .iter()
            .filter(|g| *g != group)
            .flat_map(keys)
            .filter(|k| !group.steps.contains(&k.1) || k.0 != group.probe)
            .collect(),
        stop_after: group.steps.last().map(|last| (group.probe.clone(), *last)),
    }
}

/// A transcript with the run each event belongs to (see `SessionOutput::event_runs`).
#[derive(Debug, Clone, Copy)]
pub struct Attributed<'a> {
    /// The transcript.
    pub transcript: &'a Transcript,
    /// For each event, the index of its run in `transcript.runs`.
    pub event_runs: &'a [usize],
}

/// The ordinal of run `run` among the runs of its probe (0 for the probe's first run).
fn ordinal(t: &Transcript, run: usize) -> usize {
    let probe = &t.runs[run].probe;
    t.runs[..run].iter().filter(|r| &r.probe == probe).count()
}

/// Copies the group's events from the isolated transcript into `main`: the
/// event the k-th run of the probe made goes into the k-th run of the probe in
/// `main`. False when the isolated session produced none of them.
pub fn splice(
    main: &mut Transcript,
    main_runs: &mut Vec<usize>,
    isolated: Attributed<'_>,
    group: &Group,
) -> bool {
    let mut found = false;
    for (e, run) in isolated.transcript.events.iter().zip(isolated.event_runs) {
        if e.probe != group.probe || !group.steps.contains(&e.index) {
            continue;
        }
        found = true;
        let k = ordinal(isolated.transcript, *run);
        insert_into_run(main, main_runs, &group.probe, k, e.clone());
    }
    found
}

/// Inserts `event` into the `k`-th run of `probe`, after that run's last event with a lower index.
fn insert_into_run(
    main: &mut Transcript,
    main_runs: &mut Vec<usize>,
    probe: &str,
    k: usize,
    event: Event,
) {
    let Some(run_pos) = main
        .runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.probe == probe)
        .map(|(i, _)| i)
        .nth(k)
    else {
        // The probe ran more often in the isolated session: the event has no
        // place in the main transcript.
        return;
    };
    let mut pos = main.runs[run_pos].first_event;
    for (i, (e, run)) in main.events.iter().zip(main_runs.iter()).enumerate() {
        if *run == run_pos && e.index < event.index {
            pos = i + 1;
        }
    }
    main.events.insert(pos, event);
    main_runs.insert(pos, run_pos);
    for (i, r) in main.runs.iter_mut().enumerate() {
        if i != run_pos && r.first_event >= pos && (r.first_event > pos || i > run_pos) {
            r.first_event += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use msiconf_spec::{Context, Outcome, PackageSource, ProbeRun, ProbeScript};

    fn ev(probe: &str, index: usize) -> Event {
        Event {
            probe: probe.into(),
            context: Context::ImmediateBeforeInit,
            index,
            call: Operation::GetLanguage,
            outcome: Outcome::number(i64::try_from(index).unwrap()),
        }
    }

    fn run(probe: &str, first_event: usize) -> ProbeRun {
        ProbeRun {
            probe: probe.into(),
            context: Context::ImmediateBeforeInit,
            first_event,
        }
    }

    fn plan_with(steps: Vec<Operation>) -> Plan {
        let mut plan = Plan::default();
        plan.probes.insert(
            "ProbeImmediate".into(),
            ProbeScript {
                context: Context::ImmediateBeforeInit,
                steps,
                returns: 0,
            },
        );
        plan
    }

    #[test]
    fn open_package_groups_with_its_close() {
        let plan = plan_with(vec![
            Operation::GetLanguage,
            Operation::OpenPackage {
                source: PackageSource::PackageFile,
                into: "pkg".into(),
            },
            Operation::GetLanguage,
            Operation::CloseHandle { slot: "pkg".into() },
            Operation::InstallProduct {
                command_line: String::new(),
            },
        ]);
        let groups = dangerous_groups(&plan);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].steps, BTreeSet::from([1, 3]));
        assert_eq!(groups[1].steps, BTreeSet::from([4]));
        let main = main_selection(&groups);
        assert_eq!(main.skip.len(), 3);
        let iso = isolated_selection(&groups, &groups[0]);
        assert!(iso.skip.contains(&("ProbeImmediate".to_owned(), 4)));
        assert!(!iso.skip.contains(&("ProbeImmediate".to_owned(), 1)));
        assert_eq!(iso.stop_after, Some(("ProbeImmediate".to_owned(), 3)));
    }

    #[test]
    fn plans_without_dangerous_steps_need_one_session() {
        assert!(dangerous_groups(&plan_with(vec![Operation::GetLanguage])).is_empty());
    }

    #[test]
    fn splice_puts_events_where_the_probe_would_have_made_them() {
        // Main: A ran twice (steps 0 and 2; step 1 skipped); B nested in the first run.
        let mut main = Transcript {
            events: vec![ev("A", 0), ev("B", 0), ev("A", 2), ev("A", 0), ev("A", 2)],
            runs: vec![run("A", 0), run("B", 1), run("A", 3)],
            ..Transcript::default()
        };
        let iso = Transcript {
            events: vec![ev("A", 0), ev("A", 1), ev("A", 0), ev("A", 1)],
            runs: vec![run("A", 0), run("A", 2)],
            ..Transcript::default()
        };
        let group = Group {
            probe: "A".into(),
            steps: BTreeSet::from([1]),
        };
        let mut main_runs = vec![0, 1, 0, 2, 2];
        let iso_runs = vec![0, 0, 1, 1];
        let iso = Attributed {
            transcript: &iso,
            event_runs: &iso_runs,
        };
        assert!(splice(&mut main, &mut main_runs, iso, &group));
        assert_eq!(main_runs, vec![0, 0, 1, 0, 2, 2, 2]);
        let order: Vec<(String, usize)> = main
            .events
            .iter()
            .map(|e| (e.probe.clone(), e.index))
            .collect();
        assert_eq!(
            order,
            vec![
                ("A".into(), 0),
                ("A".into(), 1),
                ("B".into(), 0),
                ("A".into(), 2),
                ("A".into(), 0),
                ("A".into(), 1),
                ("A".into(), 2),
            ]
        );
        let firsts: Vec<usize> = main.runs.iter().map(|r| r.first_event).collect();
        assert_eq!(firsts, vec![0, 2, 4]);
    }

    #[test]
    fn splice_files_events_by_their_run_even_when_a_nested_run_started_first() {
        // The isolated run of A was re-entered by a nested install before its step finished.
        let mut main = Transcript {
            events: vec![],
            runs: vec![run("A", 0)],
            ..Transcript::default()
        };
        let iso = Transcript {
            events: vec![ev("A", 0)],
            runs: vec![run("A", 0), run("A", 0)],
            ..Transcript::default()
        };
        let group = Group {
            probe: "A".into(),
            steps: BTreeSet::from([0]),
        };
        let mut main_runs = vec![];
        let iso_runs = vec![0];
        let iso = Attributed {
            transcript: &iso,
            event_runs: &iso_runs,
        };
        assert!(splice(&mut main, &mut main_runs, iso, &group));
        assert_eq!(main.events.len(), 1);
        assert_eq!(main_runs, vec![0]);
    }

    #[test]
    fn splice_reports_a_missing_result() {
        let mut main = Transcript {
            events: vec![ev("A", 0)],
            runs: vec![run("A", 0)],
            ..Transcript::default()
        };
        let iso = Transcript {
            events: vec![ev("A", 0)],
            runs: vec![run("A", 0)],
            ..Transcript::default()
        };
        let group = Group {
            probe: "A".into(),
            steps: BTreeSet::from([1]),
        };
        let mut main_runs = vec![0];
        let iso_runs = vec![0];
        let iso = Attributed {
            transcript: &iso,
            event_runs: &iso_runs,
        };
        assert!(!splice(&mut main, &mut main_runs, iso, &group));
    }
}
