//! Differential comparison: where a runtime's transcript departs from the reference's.
//!
//! Predicates only see what someone thought to check; comparing the whole
//! transcript with the reference model's for the same plan finds a departure
//! that no predicate names.

use msiconf_spec::plan::StepRef;
use msiconf_spec::{ActionRecord, Context, Operation, Outcome, Transcript};
use std::fmt;

/// One place where two transcripts of the same plan differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The same step gave a different outcome.
    Outcome {
        step: StepRef,
        context: Context,
        call: Box<Operation>,
        reference: Box<Outcome>,
        observed: Box<Outcome>,
    },
    /// From event `index` on, the runtime made different calls (or fewer, or more).
    Events {
        index: usize,
        reference: Option<StepRef>,
        observed: Option<StepRef>,
    },
    /// The probes started in a different order or a different number of times.
    Runs {
        reference: Vec<String>,
        observed: Vec<String>,
    },
    /// The top-level install started other actions or logged other results.
    Actions {
        reference: Vec<ActionRecord>,
        observed: Vec<ActionRecord>,
    },
    /// MsiInstallProduct returned something else.
    InstallResult {
        reference: Option<u32>,
        observed: Option<u32>,
    },
}

impl Difference {
    /// The step the difference shows at, when there is one.
    pub fn step(&self) -> Option<&StepRef> {
        match self {
            Difference::Outcome { step, .. } => Some(step),
            Difference::Events {
                reference,
                observed,
                ..
            } => reference.as_ref().or(observed.as_ref()),
            _ => None,
        }
    }

    /// A short stable key naming the kind and place of the difference, for de-duplicating findings.
    pub fn signature(&self) -> String {
        match self {
            Difference::Outcome {
                context,
                call,
                reference,
                observed,
                ..
            } => {
                format!(
                    "outcome:{context}:{}:{}",
                    call.kind(),
                    differing_field(reference, observed)
                )
            }
            Difference::Events { .. } => "events".to_owned(),
            Difference::Runs { .. } => "runs".to_owned(),
            Difference::Actions { .. } => "actions".to_owned(),
            Difference::InstallResult { .. } => "install-result".to_owned(),
        }
    }
}

/// The first field of two outcomes of the same call that differs, so one bug
/// in a return code and another in a value of the same call stay apart.
fn differing_field(a: &Outcome, b: &Outcome) -> &'static str {
    if a.rc != b.rc {
        "rc"
    } else if a.value != b.value {
        "value"
    } else if a.size != b.size {
        "size"
    } else if a.number != b.number {
        "number"
    } else if a.handle != b.handle {
        "handle"
    } else if a.rows != b.rows {
        "rows"
    } else if a.exception != b.exception {
        "exception"
    } else {
        "unsupported"
    }
}

fn refs(runs: &[msiconf_spec::ProbeRun]) -> Vec<String> {
    runs.iter().map(|r| r.probe.clone()).collect()
}

fn opt_step(t: &Transcript, i: usize) -> Option<StepRef> {
    t.events.get(i).map(|e| e.step())
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |s: &Option<StepRef>| s.as_ref().map_or("nothing".to_owned(), |s| s.to_string());
        match self {
            Difference::Outcome {
                step,
                context,
                call,
                reference,
                observed,
            } => write!(
                f,
                "{step} ({context}, {}): reference gave {}, runtime gave {}",
                call.kind(),
                reference.describe(),
                observed.describe()
            ),
            Difference::Events {
                index,
                reference,
                observed,
            } => write!(
                f,
                "call {}: reference performed {}, runtime performed {}",
                index + 1,
                show(reference),
                show(observed)
            ),
            Difference::Runs {
                reference,
                observed,
            } => write!(
                f,
                "probes started: reference [{}], runtime [{}]",
                reference.join(", "),
                observed.join(", ")
            ),
            Difference::Actions {
                reference,
                observed,
            } => {
                let list = |a: &[ActionRecord]| {
                    a.iter()
                        .map(|r| match r.result {
                            Some(n) => format!("{}={n}", r.name),
                            None => r.name.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                write!(
                    f,
                    "actions: reference [{}], runtime [{}]",
                    list(reference),
                    list(observed)
                )
            }
            Difference::InstallResult {
                reference,
                observed,
            } => write!(
                f,
                "install result: reference {reference:?}, runtime {observed:?}"
            ),
        }
    }
}

/// Every difference between the reference transcript and the observed one, in
/// the order a reader wants them: outcomes of the calls both made first, then
/// where the calls diverge, then runs, actions and the install result.
pub fn compare(reference: &Transcript, observed: &Transcript) -> Vec<Difference> {
    let mut out = Vec::new();
    if reference == observed {
        return out;
    }
    let common = reference.events.len().min(observed.events.len());
    let mut diverged = None;
    for i in 0..common {
        let (r, o) = (&reference.events[i], &observed.events[i]);
        if r.probe != o.probe || r.index != o.index || r.call != o.call {
            diverged = Some(i);
            break;
        }
        if r.outcome != o.outcome {
            out.push(Difference::Outcome {
                step: r.step(),
                context: r.context,
                call: Box::new(r.call.clone()),
                reference: Box::new(r.outcome.clone()),
                observed: Box::new(o.outcome.clone()),
            });
        }
    }
    if diverged.is_none() && reference.events.len() != observed.events.len() {
        diverged = Some(common);
    }
    if let Some(index) = diverged {
        out.push(Difference::Events {
            index,
            reference: opt_step(reference, index),
            observed: opt_step(observed, index),
        });
    }
    let (r_runs, o_runs) = (refs(&reference.runs), refs(&observed.runs));
    if r_runs != o_runs {
        out.push(Difference::Runs {
            reference: r_runs,
            observed: o_runs,
        });
    }
    if reference.actions != observed.actions {
        out.push(Difference::Actions {
            reference: reference.actions.clone(),
            observed: observed.actions.clone(),
        });
    }
    if reference.install_result != observed.install_result {
        out.push(Difference::InstallResult {
            reference: reference.install_result,
            observed: observed.install_result,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use msiconf_spec::{Event, ProbeRun};

    fn event(probe: &str, index: usize, rc: u32) -> Event {
        Event {
            probe: probe.to_owned(),
            context: Context::Deferred,
            index,
            call: Operation::GetLanguage,
            outcome: Outcome::rc(rc),
        }
    }

    #[test]
    fn equal_transcripts_have_no_difference() {
        let t = Transcript {
            events: vec![event("P", 0, 0)],
            ..Transcript::default()
        };
        assert!(compare(&t, &t.clone()).is_empty());
    }

    #[test]
    fn an_outcome_and_a_missing_call_are_both_reported() {
        let reference = Transcript {
            events: vec![event("P", 0, 0), event("P", 1, 0)],
            runs: vec![ProbeRun {
                probe: "P".to_owned(),
                context: Context::Deferred,
                first_event: 0,
            }],
            install_result: Some(0),
            ..Transcript::default()
        };
        let observed = Transcript {
            events: vec![event("P", 0, 6)],
            install_result: Some(1603),
            ..reference.clone()
        };
        let d = compare(&reference, &observed);
        assert!(matches!(&d[0], Difference::Outcome { observed, .. } if observed.rc == Some(6)));
        assert!(matches!(
            &d[1],
            Difference::Events {
                index: 1,
                observed: None,
                ..
            }
        ));
        assert!(matches!(
            &d[2],
            Difference::InstallResult {
                observed: Some(1603),
                ..
            }
        ));
        assert_eq!(d.len(), 3);
    }
}
