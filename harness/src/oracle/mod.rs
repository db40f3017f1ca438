//! `msiconf oracle`: how much of what a runtime can get wrong the rule predicates catch.
//!
//! Two measurements, both deterministic:
//!
//! - the *mutation score* ([`score`]): every case's reference transcript is
//!   altered one outcome at a time ([`mutate`]) and the share of alterations
//!   that some predicate flags is reported per rule family ([`attribute`]) and
//!   overall, with every surviving kind listed and explained where the reason
//!   is known ([`reasons`]);
//! - *bare differences* ([`bare`]): on plans from the fuzzer's generator, the
//!   share of plans where a broken runtime departs from the reference and no
//!   predicate says so.
//!
//! [`render`] prints both as text, Markdown or JSON. `docs/oracle.md` explains
//! the choices.

pub mod attribute;
pub mod bare;
pub mod mutate;
pub mod reasons;
pub mod render;
pub mod score;

use msiconf_spec::Family;
use serde::Serialize;

/// The version of the JSON output.
pub const FORMAT_VERSION: u32 = 1;

/// The five families the project is known for, which carry the tighter targets.
pub const NAMED_FAMILIES: [Family; 5] = [
    Family::ActionNames,
    Family::NullAction,
    Family::TemporaryWrites,
    Family::Deferred,
    Family::Session,
];

/// The mutation score each named family should reach.
pub const FAMILY_TARGET: f64 = 0.95;
/// The overall mutation score target.
pub const OVERALL_TARGET: f64 = 0.90;

/// Everything `msiconf oracle` measured.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct OracleReport {
    pub version: u32,
    /// Rules whose predicates were left out of the run.
    pub without: Vec<String>,
    pub scores: Vec<score::ProfileScore>,
    pub bare: Vec<bare::BareScore>,
}
