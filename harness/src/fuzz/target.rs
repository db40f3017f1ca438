//! The in-process runtimes the fuzzer can drive by name: `reference` and `broken:<name>`.
//!
//! The harness's runtime registry resolves the same names (and external
//! runtimes); this small adapter lets the fuzzer, its tests and its fuzz
//! targets reach the model directly, which is also what keeps it fast.

use crate::runtime::{Runtime, RuntimeError, RuntimeInfo};
use msiconf_spec::model::{self, Config, Deviation};
use msiconf_spec::{Context, OpKind, Plan, Profile, Transcript};
use std::time::Duration;

/// The reference model, or the model with one deviation.
#[derive(Debug, Clone)]
pub struct ModelRuntime {
    name: String,
    config: Config,
}

impl ModelRuntime {
    /// The reference model in `profile`.
    pub fn reference(profile: Profile) -> ModelRuntime {
        ModelRuntime {
            name: "reference".to_owned(),
            config: Config {
                profile,
                deviations: Vec::new(),
            },
        }
    }

    /// The model with exactly one deviation, named `broken:<name>`.
    pub fn broken(deviation: Deviation, profile: Profile) -> ModelRuntime {
        ModelRuntime {
            name: format!("broken:{}", deviation.name()),
            config: Config {
                profile,
                deviations: vec![deviation],
            },
        }
    }

    /// How the model is configured.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Runs a plan without going through the trait (no timeout: it cannot hang).
    pub fn run(&self, plan: &Plan) -> Transcript {
        model::run(plan, &self.config)
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

    fn execute(&self, plan: &Plan, _timeout: Duration) -> Result<Transcript, RuntimeError> {
        Ok(self.run(plan))
    }
}

/// A runtime name the fuzzer does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown runtime `{name}` (expected `reference` or `broken:<name>`; see `msiconf runtimes`)"
)]
pub struct UnknownRuntime {
    pub name: String,
}

/// The in-process runtime called `name`.
pub fn model_runtime(name: &str, profile: Profile) -> Result<ModelRuntime, UnknownRuntime> {
    if name == "reference" {
        return Ok(ModelRuntime::reference(profile));
    }
    name.strip_prefix("broken:")
        .and_then(Deviation::from_name)
        .map(|d| ModelRuntime::broken(d, profile))
        .ok_or_else(|| UnknownRuntime {
            name: name.to_owned(),
        })
}
