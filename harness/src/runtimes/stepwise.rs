//! [`StepRuntime`]: answer one call at a time, get [`Runtime`] for free.
//!
//! An in-process implementation of the session API rarely wants to walk a
//! plan itself. It knows how to open a package, how to make one call, and how
//! to run an install; [`Stepwise`] does the rest: it runs the package steps,
//! hands the install a [`Probes`] that performs each probe's steps when the
//! implementation reaches that custom action, records every event and probe
//! run, and normalises handles to the ranks transcripts use.

use crate::runtime::{Runtime, RuntimeError, RuntimeInfo};
use msiconf_spec::plan::PACKAGE_PROBE;
use msiconf_spec::{
    ActionRecord, Context, Event, Fixture, InstallOptions, Operation, Outcome, Plan, ProbeRun,
    Transcript,
};
use std::time::Duration;

/// An implementation that performs one operation at a time.
///
/// Wrap it in [`Stepwise`] to get a [`Runtime`]. Handles in the outcomes of
/// [`StepRuntime::call`] are the implementation's raw handle values (0 for
/// none); the adapter turns them into ranks.
pub trait StepRuntime: Send + Sync {
    /// The state a call acts on: an open package, or a running install as one
    /// custom action sees it.
    type Session;

    /// Name, version and capabilities.
    fn info(&self) -> RuntimeInfo;

    /// Opens `fixture` as a package (MsiOpenPackage), for the plan's `package` steps.
    fn open(&self, fixture: &Fixture) -> Result<Self::Session, RuntimeError>;

    /// Makes one call from `context` and tells what came back.
    fn call(&self, session: &mut Self::Session, context: Context, op: &Operation) -> Outcome;

    /// Runs the top-level install of `fixture` with `options`. Whenever a
    /// custom action starts, pass its name and the session it sees to
    /// [`Probes::custom_action`]: for a probe, that performs the probe's steps
    /// through [`StepRuntime::call`] and gives the code the action returns.
    fn install(
        &self,
        fixture: &Fixture,
        options: &InstallOptions,
        probes: &mut Probes<'_, Self>,
    ) -> Result<InstallRecord, RuntimeError>
    where
        Self: Sized;
}

/// What an install did, as the implementation reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallRecord {
    /// What MsiInstallProduct returned.
    pub result: u32,
    /// The actions started, in order, with their logged results.
    pub actions: Vec<ActionRecord>,
}

/// The probes of a plan, handed to [`StepRuntime::install`].
#[derive(Debug)]
pub struct Probes<'a, R> {
    runtime: &'a R,
    plan: &'a Plan,
    transcript: &'a mut Transcript,
}

impl<R: StepRuntime> Probes<'_, R> {
    /// Whether the custom action `action` is one of the plan's probes.
    pub fn is_probe(&self, action: &str) -> bool {
        self.plan.probes.contains_key(action)
    }

    /// The context the plan gives probe `action`.
    pub fn context(&self, action: &str) -> Option<Context> {
        self.plan.probes.get(action).map(|p| p.context)
    }

    /// Runs the custom action `action` as a probe: records its start, performs
    /// its steps on `session` in order, and returns what the action returns.
    /// `None` when `action` is not a probe (the implementation runs it itself).
    pub fn custom_action(&mut self, action: &str, session: &mut R::Session) -> Option<u32> {
        let script = self.plan.probes.get(action)?;
        self.transcript.runs.push(ProbeRun {
            probe: action.to_owned(),
            context: script.context,
            first_event: self.transcript.events.len(),
        });
        perform(
            self.runtime,
            session,
            action,
            script.context,
            &script.steps,
            self.transcript,
        );
        Some(script.returns)
    }
}

/// Performs `steps` from one probe run, ranking the handles that run sees.
fn perform<R: StepRuntime>(
    runtime: &R,
    session: &mut R::Session,
    probe: &str,
    context: Context,
    steps: &[Operation],
    transcript: &mut Transcript,
) {
    let mut seen: Vec<u32> = Vec::new();
    for (index, op) in steps.iter().enumerate() {
        let mut outcome = runtime.call(session, context, op);
        if let Some(raw) = outcome.handle {
            outcome.handle = Some(rank(&mut seen, raw));
        }
        transcript.events.push(Event {
            probe: probe.to_owned(),
            context,
            index,
            call: op.clone(),
            outcome,
        });
    }
}

/// The rank of `raw` among the distinct nonzero handles seen so far (0 stays 0).
fn rank(seen: &mut Vec<u32>, raw: u32) -> u32 {
    if raw == 0 {
        return 0;
    }
    let pos = match seen.iter().position(|h| *h == raw) {
        Some(p) => p,
        None => {
            seen.push(raw);
            seen.len() - 1
        }
    };
    u32::try_from(pos + 1).unwrap_or(u32::MAX)
}

/// The [`Runtime`] of a [`StepRuntime`].
#[derive(Debug, Clone)]
pub struct Stepwise<R>(pub R);

impl<R: StepRuntime> Runtime for Stepwise<R> {
    fn info(&self) -> RuntimeInfo {
        self.0.info()
    }

    /// Runs in the caller's thread; the runner's guard enforces `timeout`.
    fn execute(&self, plan: &Plan, _timeout: Duration) -> Result<Transcript, RuntimeError> {
        let mut transcript = Transcript::default();
        if let Some(script) = &plan.package {
            let mut session = self.0.open(&plan.fixture)?;
            perform(
                &self.0,
                &mut session,
                PACKAGE_PROBE,
                Context::Package,
                &script.steps,
                &mut transcript,
            );
        }
        if let Some(options) = &plan.install {
            let mut probes = Probes {
                runtime: &self.0,
                plan,
                transcript: &mut transcript,
            };
            let record = self.0.install(&plan.fixture, options, &mut probes)?;
            transcript.actions = record.actions;
            transcript.install_result = Some(record.result);
        }
        Ok(transcript)
    }
}

#[cfg(test)]
pub(crate) mod toy {
    //! A deliberately small session: properties and database handles only, an
    //! install that runs InstallExecuteSequence in order. It exists to test the
    //! adapter and the runner without the spec's model.

    use super::*;
    use msiconf_spec::codes::rc;
    use msiconf_spec::OpKind;
    use std::collections::BTreeMap;

    /// The toy's behaviour knobs, so tests can make it misbehave.
    #[derive(Debug, Clone, Default)]
    pub(crate) struct Toy {
        /// Property names are looked up ignoring case (a planted bug).
        pub fold_case: bool,
        /// Panic on this property name.
        pub panic_on: Option<String>,
        /// Sleep this long on this property name.
        pub hang_on: Option<(String, Duration)>,
    }

    #[derive(Debug, Default)]
    pub(crate) struct ToySession {
        props: BTreeMap<String, String>,
        next_handle: u32,
    }

    impl ToySession {
        fn key(&self, toy: &Toy, name: &str) -> String {
            if toy.fold_case {
                name.to_ascii_uppercase()
            } else {
                name.to_owned()
            }
        }
    }

    impl StepRuntime for Toy {
        type Session = ToySession;

        fn info(&self) -> RuntimeInfo {
            RuntimeInfo {
                name: "toy".into(),
                version: "0".into(),
                contexts: vec![
                    Context::Package,
                    Context::ImmediateBeforeInit,
                    Context::Deferred,
                ],
                operations: vec![
                    OpKind::GetProperty,
                    OpKind::SetProperty,
                    OpKind::GetActiveDatabase,
                ],
            }
        }

        fn open(&self, fixture: &Fixture) -> Result<ToySession, RuntimeError> {
            let mut s = ToySession {
                next_handle: 0x40,
                ..ToySession::default()
            };
            for p in &fixture.properties {
                let k = s.key(self, &p.name);
                s.props.insert(k, p.value.clone());
            }
            Ok(s)
        }

        fn call(&self, s: &mut ToySession, _context: Context, op: &Operation) -> Outcome {
            match op {
                Operation::GetProperty {
                    name: Some(name), ..
                } => {
                    if self.panic_on.as_deref() == Some(name) {
                        panic!("toy panics on {name}");
                    }
                    if let Some((n, d)) = &self.hang_on {
                        if n == name {
                            std::thread::sleep(*d);
                        }
                    }
                    let value = s.props.get(&s.key(self, name)).cloned().unwrap_or_default();
                    Outcome {
                        rc: Some(rc::SUCCESS),
                        size: Some(u32::try_from(value.len()).unwrap_or(u32::MAX)),
                        value: Some(value),
                        ..Outcome::default()
                    }
                }
                Operation::SetProperty {
                    name: Some(name),
                    value,
                    ..
                } => {
                    let k = s.key(self, name);
                    match value.as_deref() {
                        None | Some("") => s.props.remove(&k),
                        Some(v) => s.props.insert(k, v.to_owned()),
                    };
                    Outcome::rc(rc::SUCCESS)
                }
                Operation::GetActiveDatabase { .. } => {
                    s.next_handle += 4;
                    Outcome {
                        handle: Some(s.next_handle),
                        ..Outcome::default()
                    }
                }
                other => Outcome::unsupported(format!("toy cannot {}", other.kind())),
            }
        }

        fn install(
            &self,
            fixture: &Fixture,
            options: &InstallOptions,
            probes: &mut Probes<'_, Self>,
        ) -> Result<InstallRecord, RuntimeError> {
            let mut session = self.open(fixture)?;
            for (k, v) in &options.properties {
                let k = session.key(self, k);
                session.props.insert(k, v.clone());
            }
            let mut record = InstallRecord::default();
            for row in &fixture.execute_sequence {
                let result = match probes.custom_action(&row.action, &mut session) {
                    Some(0) | None => 1,
                    Some(_) => 3,
                };
                record.actions.push(ActionRecord {
                    name: row.action.clone(),
                    result: Some(result),
                });
                if result == 3 {
                    record.result = rc::INSTALL_FAILURE;
                    break;
                }
            }
            Ok(record)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::toy::Toy;
    use super::*;
    use msiconf_spec::{PlanBuilder, StepRef};

    fn get(name: &str) -> Operation {
        Operation::GetProperty {
            name: Some(name.into()),
            buffer: Default::default(),
            ansi: false,
            handle: Default::default(),
        }
    }

    fn plan() -> Plan {
        let mut b = PlanBuilder::new(Fixture::standard());
        b.step(Context::Package, None, get("ProductLanguage"));
        b.step(Context::ImmediateBeforeInit, None, get("productlanguage"));
        for _ in 0..3 {
            b.step(
                Context::ImmediateBeforeInit,
                None,
                Operation::GetActiveDatabase { into: "db".into() },
            );
        }
        b.step(Context::Deferred, None, get("ProductLanguage"));
        b.build()
    }

    #[test]
    fn package_steps_then_probes_in_sequence_order() {
        let t = Stepwise(Toy::default())
            .execute(&plan(), Duration::from_secs(1))
            .unwrap();
        let order: Vec<_> = t
            .events
            .iter()
            .map(|e| (e.probe.as_str(), e.index))
            .collect();
        assert_eq!(
            order,
            [
                ("@package", 0),
                ("ProbeImmediate", 0),
                ("ProbeImmediate", 1),
                ("ProbeImmediate", 2),
                ("ProbeImmediate", 3),
                ("ProbeDeferred", 0)
            ]
        );
        assert_eq!(t.events[0].outcome.value.as_deref(), Some("1033"));
        assert_eq!(t.events[1].outcome.value.as_deref(), Some(""));
        let runs: Vec<_> = t
            .runs
            .iter()
            .map(|r| (r.probe.as_str(), r.first_event))
            .collect();
        assert_eq!(runs, [("ProbeImmediate", 1), ("ProbeDeferred", 5)]);
        assert_eq!(t.install_result, Some(0));
        assert!(t.actions.iter().any(|a| a.name == "InstallFinalize"));
    }

    #[test]
    fn handles_become_ranks_per_probe_run() {
        let t = Stepwise(Toy::default())
            .execute(&plan(), Duration::from_secs(1))
            .unwrap();
        let step = |i| StepRef {
            probe: "ProbeImmediate".into(),
            index: i,
        };
        let handles: Vec<_> = (1..4)
            .map(|i| t.events_for(&step(i)).next().unwrap().outcome.handle)
            .collect();
        // The toy hands out a new raw value each time: ranks 1, 2, 3, not 0x44...
        assert_eq!(handles, [Some(1), Some(2), Some(3)]);
        let mut seen = Vec::new();
        assert_eq!(
            [
                rank(&mut seen, 9),
                rank(&mut seen, 0),
                rank(&mut seen, 9),
                rank(&mut seen, 3)
            ],
            [1, 0, 1, 2]
        );
    }

    #[test]
    fn a_failing_probe_stops_the_install() {
        let mut b = PlanBuilder::new(Fixture::standard());
        b.step(Context::ImmediateBeforeInit, None, get("A"));
        b.returns("ProbeImmediate", 1603);
        b.step(Context::Deferred, None, get("A"));
        let t = Stepwise(Toy::default())
            .execute(&b.build(), Duration::from_secs(1))
            .unwrap();
        assert_eq!(t.install_result, Some(1603));
        assert_eq!(t.run_count("ProbeImmediate"), 1);
        assert_eq!(t.run_count("ProbeDeferred"), 0);
        assert_eq!(t.actions.last().unwrap().result, Some(3));
    }
}
