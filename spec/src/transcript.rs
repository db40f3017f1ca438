//! What a runtime reports back: every call and outcome in execution order.

use crate::plan::StepRef;
use crate::{Context, Operation, Outcome};
use serde::{Deserialize, Serialize};

/// The record of one plan's execution. It is read together with the
/// [`crate::Plan`] that produced it, which holds the fixture.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Transcript {
    /// Every call made, in execution order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Every time a probe started, in execution order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<ProbeRun>,
    /// The actions the top-level install started, in order, with the result it logged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionRecord>,
    /// What MsiInstallProduct returned for the top-level install, if there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_result: Option<u32>,
}

/// One call and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Event {
    /// The probe (custom action key, or `@package`) that made the call.
    pub probe: String,
    pub context: Context,
    /// The index of the step in the probe's script.
    pub index: usize,
    pub call: Operation,
    pub outcome: Outcome,
}

impl Event {
    /// The plan step this event performed.
    pub fn step(&self) -> StepRef {
        StepRef {
            probe: self.probe.clone(),
            index: self.index,
        }
    }
}

/// One start of a probe custom action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ProbeRun {
    pub probe: String,
    pub context: Context,
    /// How many events the transcript held when the probe started.
    pub first_event: usize,
}

/// One action started by the top-level install, as its log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ActionRecord {
    pub name: String,
    /// The logged result: 0 not executed, 1 success, 2 user exit, 3 failure, 4 suspend, 5 finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<i64>,
}

impl Transcript {
    /// The events a given step produced (a probe that runs twice produces two).
    pub fn events_for<'a>(&'a self, step: &'a StepRef) -> impl Iterator<Item = &'a Event> + 'a {
        self.events
            .iter()
            .filter(move |e| e.index == step.index && e.probe == step.probe)
    }

    /// How many times a probe started.
    pub fn run_count(&self, probe: &str) -> usize {
        self.runs.iter().filter(|r| r.probe == probe).count()
    }
}
