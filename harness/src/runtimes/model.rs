//! `reference` and `broken:<name>`: the spec's model, in process.

use crate::runtime::{Runtime, RuntimeError, RuntimeInfo};
use msiconf_spec::model::{self, Config, Deviation};
use msiconf_spec::{Context, OpKind, Plan, Profile, Transcript};
use std::time::Duration;

/// The spec's reference model, with or without one deliberate deviation.
#[derive(Debug, Clone)]
pub struct ModelRuntime {
    name: String,
    config: Config,
}

impl ModelRuntime {
    /// The reference runtime: the model with no deviation.
    pub fn reference(profile: Profile) -> ModelRuntime {
        ModelRuntime {
            name: "reference".to_owned(),
            config: Config {
                profile,
                deviations: Vec::new(),
            },
        }
    }

    /// The broken runtime for `deviation`: the model with exactly that behaviour wrong.
    pub fn broken(deviation: Deviation, profile: Profile) -> ModelRuntime {
        ModelRuntime {
            name: format!("{}{}", super::BROKEN_PREFIX, deviation.name()),
            config: Config {
                profile,
                deviations: vec![deviation],
            },
        }
    }

    /// The model configuration it runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

impl Runtime for ModelRuntime {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            name: self.name.clone(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            contexts: Context::ALL.to_vec(),
            operations: OpKind::ALL.to_vec(),
        }
    }

    /// The model is pure and in process: the runner's guard thread enforces the
    /// timeout, so `timeout` is not needed here.
    fn execute(&self, plan: &Plan, _timeout: Duration) -> Result<Transcript, RuntimeError> {
        Ok(model::run(plan, &self.config))
    }
}
