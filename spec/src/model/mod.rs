//! The reference session model: an in-memory implementation of the session
//! API that obeys every rule of the catalog, in both profiles.

use crate::{Plan, Transcript};

/// One documented behaviour the model can be told to get wrong. The harness's
/// broken runtimes are the model with exactly one deviation; the reference
/// runtime is the model with none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Deviation {}

/// Runs a plan on the model with the given deviations (none for the reference).
pub fn run(plan: &Plan, deviations: &[Deviation]) -> Transcript {
    let _ = (plan, deviations);
    Transcript::default()
}
