//! The versioned JSON report every renderer reads.
//!
//! Terminal output, JUnit, Markdown and HTML all render from [`Report`], so
//! they never disagree. Bump [`SCHEMA_VERSION`] on any incompatible change and
//! keep `docs/report.schema.json` in step.

use crate::runtime::RuntimeInfo;
use msiconf_spec::{Profile, Violation};
use serde::{Deserialize, Serialize};

/// The version of the report format.
pub const SCHEMA_VERSION: u32 = 1;

/// One run of the suite: several runtimes and profiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Report {
    pub schema_version: u32,
    /// `msiconf` and its version.
    pub tool: Tool,
    /// One entry per (runtime, profile), in the order asked for.
    pub runs: Vec<Run>,
    /// Every rule of the catalog, so renderers need not link the spec.
    pub rules: Vec<RuleInfo>,
    /// Set when the run was interrupted (Ctrl-C): why. The report then holds
    /// only the cases that finished; cases cut short are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// The results of one runtime under one profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Run {
    pub runtime: RuntimeInfo,
    pub profile: Profile,
    pub cases: Vec<CaseResult>,
    pub totals: Totals,
    /// Wall time of this run in milliseconds.
    pub duration_ms: u64,
    /// Problems with the expectation file: expected failures that passed, entries matching no case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expectation_problems: Vec<String>,
}

/// Counts of case outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
    /// Failures listed in the expectation file (counted in `failed` too).
    pub expected_failures: usize,
    /// Flaky cases (counted in `passed` too): see [`CaseResult::flaky`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub flaky: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every expectation held and no rule was broken.
    Pass,
    /// The runtime broke a rule or an expectation: see `findings`.
    Fail,
    /// The runtime crashed, hung or broke the protocol: see `error`.
    Error,
    /// The case could not run here: see `skip_reason`.
    Skip,
}

/// One case on one runtime under one profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CaseResult {
    /// The case's path under `cases/` without `.toml`, such as `deferred/props-only-three`.
    pub name: String,
    /// The first path component, such as `deferred`.
    pub area: String,
    pub description: String,
    /// The rule IDs the case cites.
    pub rules: Vec<String>,
    pub status: Status,
    /// Each broken expectation or rule, with the rule it belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CaseError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// Set when the expectation file lists this failure; holds its note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_failure: Option<String>,
    /// Set when the case passed but is flaky: it failed first and passed on a
    /// retry (`--retries`), or the expectation file lists it as flaky. Says which.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flaky: Option<String>,
    pub duration_us: u64,
}

/// Where a finding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingSource {
    /// The case's own expectation for a step or for the install.
    Expectation,
    /// A rule predicate of the catalog.
    Predicate,
}

/// A broken expectation or rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Finding {
    pub rule: String,
    pub source: FindingSource,
    /// The step, written `probe#n` (1-based), or `install` for the install result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The call made at that step, in case-file syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    pub expected: String,
    pub observed: String,
}

impl Finding {
    /// A finding from a rule predicate's violation.
    pub fn from_violation(v: &Violation) -> Finding {
        Finding {
            rule: v.rule.clone(),
            source: FindingSource::Predicate,
            step: v.step.as_ref().map(|s| s.to_string()),
            call: None,
            expected: v.expected.clone(),
            observed: v.observed.clone(),
        }
    }
}

/// Why a case errored, with what the runtime printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CaseError {
    pub message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
}

/// A rule as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub statement: String,
    pub family: String,
    pub level: String,
    pub sources: Vec<String>,
    pub contexts: Vec<String>,
    pub has_predicate: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unobservable: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disagreement: Option<String>,
    /// The cases that cite the rule.
    pub cases: Vec<String>,
    /// The broken runtimes declared to break the rule.
    pub broken_runtimes: Vec<String>,
}
