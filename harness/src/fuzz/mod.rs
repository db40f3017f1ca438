//! `msiconf fuzz`: generated session scripts against any runtime, judged by
//! every rule predicate and by the reference model's transcript, with
//! findings shrunk into ordinary case files.
//!
//! - [`generate`]: proptest strategies for plans, weighted toward the rules' edges;
//! - [`compare`]: the differential comparison of two transcripts;
//! - [`attribute`]: the rule a departure no predicate flags is about;
//! - [`known`]: departures an expectation file lists, counted instead of shrunk;
//! - [`shrink`]: greedy delta shrinking over plans;
//! - [`case_doc`]: case files written from a shrunk plan and the reference's transcript;
//! - [`engine`]: the loop that ties them together;
//! - [`cli`]: the command-line front end (`fuzz_main`);
//! - [`targets`]: the bodies of the cargo-fuzz targets in `fuzz/`.

pub mod attribute;
pub mod case_doc;
pub mod cli;
pub mod compare;
pub mod engine;
pub mod generate;
pub mod known;
pub mod reach;
pub mod shrink;
pub mod targets;

pub use cli::{fuzz_main, FuzzArgs};
pub use engine::{Budget, Departure, Finding, FindingKind, FuzzOptions, Fuzzer, Summary};
pub use known::{KnownDepartures, Site};
