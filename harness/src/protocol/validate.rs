//! Checks that a transcript answers the plan it was asked for.
//!
//! Rule predicates judge behaviour; this judges only bookkeeping that no
//! behaviour can excuse: every event must be a step of the plan, performing
//! the call the plan asked for. A transcript that fails here is a protocol
//! error, because the predicates would otherwise misattribute its events.

use msiconf_spec::{Plan, Transcript};

/// How a transcript fails to match its plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranscriptMismatch {
    /// An event names a probe the plan does not have.
    #[error("event {event} names probe `{probe}`, which the plan does not have")]
    UnknownProbe { event: usize, probe: String },
    /// An event's step index is past the end of its probe's script.
    #[error("event {event} is step {index} of probe `{probe}`, which has only {len} steps")]
    StepOutOfRange {
        event: usize,
        probe: String,
        index: usize,
        len: usize,
    },
    /// An event records a different call than the plan's step.
    #[error(
        "event {event} (`{probe}` step {index}) records a different call than the plan asked for"
    )]
    WrongCall {
        event: usize,
        probe: String,
        index: usize,
    },
    /// A probe run names a probe the plan does not have.
    #[error("run {run} names probe `{probe}`, which the plan does not have")]
    UnknownRunProbe { run: usize, probe: String },
    /// A probe run starts past the end of the events, or before the previous run.
    #[error(
        "run {run} starts at event {first_event}, outside 0..={events} or before the previous run"
    )]
    RunOutOfOrder {
        run: usize,
        first_event: usize,
        events: usize,
    },
}

/// Checks every event and probe run of `transcript` against `plan`.
pub fn validate_transcript(plan: &Plan, transcript: &Transcript) -> Result<(), TranscriptMismatch> {
    for (event, e) in transcript.events.iter().enumerate() {
        let Some(script) = plan.script(&e.probe) else {
            return Err(TranscriptMismatch::UnknownProbe {
                event,
                probe: e.probe.clone(),
            });
        };
        let Some(op) = script.steps.get(e.index) else {
            return Err(TranscriptMismatch::StepOutOfRange {
                event,
                probe: e.probe.clone(),
                index: e.index,
                len: script.steps.len(),
            });
        };
        if *op != e.call {
            return Err(TranscriptMismatch::WrongCall {
                event,
                probe: e.probe.clone(),
                index: e.index,
            });
        }
    }
    let mut previous = 0;
    for (run, r) in transcript.runs.iter().enumerate() {
        if plan.script(&r.probe).is_none() {
            return Err(TranscriptMismatch::UnknownRunProbe {
                run,
                probe: r.probe.clone(),
            });
        }
        if r.first_event > transcript.events.len() || r.first_event < previous {
            return Err(TranscriptMismatch::RunOutOfOrder {
                run,
                first_event: r.first_event,
                events: transcript.events.len(),
            });
        }
        previous = r.first_event;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use msiconf_spec::{Context, Event, Fixture, Operation, Outcome, PlanBuilder, ProbeRun};

    fn plan() -> Plan {
        let mut b = PlanBuilder::new(Fixture::standard());
        b.step(Context::Package, None, Operation::GetLanguage);
        b.step(Context::Deferred, None, Operation::GetLanguage);
        b.build()
    }

    fn event(probe: &str, index: usize, call: Operation) -> Event {
        Event {
            probe: probe.into(),
            context: Context::Deferred,
            index,
            call,
            outcome: Outcome::number(1033),
        }
    }

    #[test]
    fn a_faithful_transcript_passes() {
        let t = Transcript {
            events: vec![
                event("@package", 0, Operation::GetLanguage),
                event("ProbeDeferred", 0, Operation::GetLanguage),
            ],
            runs: vec![ProbeRun {
                probe: "ProbeDeferred".into(),
                context: Context::Deferred,
                first_event: 1,
            }],
            ..Transcript::default()
        };
        assert_eq!(validate_transcript(&plan(), &t), Ok(()));
    }

    #[test]
    fn bookkeeping_errors_are_named() {
        let p = plan();
        let bad = |events: Vec<Event>| {
            validate_transcript(
                &p,
                &Transcript {
                    events,
                    ..Transcript::default()
                },
            )
            .unwrap_err()
            .to_string()
        };
        assert!(bad(vec![event("Nope", 0, Operation::GetLanguage)]).contains("probe `Nope`"));
        assert!(
            bad(vec![event("ProbeDeferred", 1, Operation::GetLanguage)]).contains("only 1 steps")
        );
        assert!(
            bad(vec![event("ProbeDeferred", 0, Operation::HasSession)]).contains("different call")
        );
        let runs = Transcript {
            runs: vec![ProbeRun {
                probe: "ProbeDeferred".into(),
                context: Context::Deferred,
                first_event: 3,
            }],
            ..Transcript::default()
        };
        assert!(matches!(
            validate_transcript(&p, &runs),
            Err(TranscriptMismatch::RunOutOfOrder { .. })
        ));
    }
}
