//! The versioned JSON report every renderer reads.
//!
//! Terminal output, JUnit, Markdown and HTML all render from [`Report`], so
//! they never disagree. Bump [`SCHEMA_VERSION`] on any incompatible change and
//! keep `docs/report.schema.json` in step.

use crate::runtime::RuntimeInfo;
use msiconf_spec::{Plan, Profile, Transcript, Violation};
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
    /// When, how and with what the run was made (absent in reports that
    /// were not made by `msiconf run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// Set when the run was interrupted (Ctrl-C): why. The report then holds
    /// only the cases that finished; cases cut short are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
}

/// When, how and with what a report was made, so that a report read on
/// another machine says what it is a report of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Provenance {
    /// When the run started: RFC 3339, UTC.
    pub started: String,
    /// The command line, program first.
    pub command_line: Vec<String>,
    /// Where the cases came from: a folder, or `<built-in>/cases`.
    pub cases: String,
    /// The suite revision: a content hash of the case files (`msiconf --version`
    /// prints the built-in suite's).
    pub suite_revision: String,
    /// The machine the run was made on.
    pub host: Host,
}

/// A machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Host {
    /// Its host name (`unknown` when it cannot be read).
    pub name: String,
    /// The operating system, as Rust names it (`linux`).
    pub os: String,
    /// The architecture, as Rust names it (`x86_64`).
    pub arch: String,
}

impl Host {
    /// This machine.
    pub fn this() -> Host {
        let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "unknown".to_owned());
        Host {
            name,
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
        }
    }
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

impl Run {
    /// The cases whose transcript was reused from another profile's run, and
    /// those profiles (each once, in order of first appearance).
    pub fn reused_transcripts(&self) -> (usize, Vec<Profile>) {
        let mut from = Vec::new();
        let mut n = 0;
        for p in self.cases.iter().filter_map(|c| c.transcript_reused_from) {
            n += 1;
            if !from.contains(&p) {
                from.push(p);
            }
        }
        (n, from)
    }
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
    /// Set when the runtime did not execute the case for this run but gave
    /// the transcript it made for the same plan in the run under this
    /// profile (msiexec runs each plan in Wine once for both profiles): the
    /// duration is then only the time to check it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_reused_from: Option<Profile>,
    /// With `--transcripts`: what the runtime was asked to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    /// With `--transcripts`: what the runtime did, for `msiconf recheck`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<Transcript>,
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
