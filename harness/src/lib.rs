//! The msiconf harness: everything with effects (runtimes, processes, reports, the CLI).

pub mod protocol;
pub mod runtime;
pub mod runtimes;
pub mod serve;
