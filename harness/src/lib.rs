//! msiconf: the harness that runs conformance cases and fuzzers against runtimes.

pub mod runtime;
pub mod runtimes;
