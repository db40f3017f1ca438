//! The fuzzing loop: generate, run, judge (predicates and differential), shrink, write.

use super::case_doc::{case_from_plan, CaseDoc, CaseMeta};
use super::compare::{compare, Difference};
use super::generate::{plan_seed, Capabilities, PlanGenerator};
use super::shrink::shrink;
use crate::runtime::{Runtime, RuntimeError};
use msiconf_spec::model::{self, Config};
use msiconf_spec::plan::StepRef;
use msiconf_spec::{Plan, Profile, Transcript, Violation};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// When a run stops.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Budget {
    /// After this many plans.
    Plans(u64),
    /// After this much time.
    Time(Duration),
}

/// How a fuzzing run behaves.
#[derive(Debug, Clone)]
pub struct FuzzOptions {
    /// The profile whose predicates judge the transcripts, and the reference's profile.
    pub profile: Profile,
    /// The run's seed; plan `i` is generated from `plan_seed(seed, i)`.
    pub seed: u64,
    pub budget: Budget,
    /// Stop after this many distinct findings.
    pub max_findings: usize,
    /// How many candidate plans the shrinker may try per finding.
    pub shrink_budget: usize,
    /// The time limit handed to the runtime for each plan.
    pub timeout: Duration,
    /// Whether rule predicates judge transcripts (off: the differential
    /// comparison alone, for two implementations whatever the rules say).
    pub predicates: bool,
}

impl Default for FuzzOptions {
    fn default() -> Self {
        FuzzOptions {
            profile: Profile::Windows,
            seed: 0,
            budget: Budget::Plans(10_000),
            max_findings: 10,
            shrink_budget: 4_000,
            timeout: Duration::from_secs(30),
            predicates: true,
        }
    }
}

/// How many plans showing the same departure are tried before it is given up
/// as one no case can pin (see [`Fuzzer::finding`]).
const MAX_ATTEMPTS: u32 = 4;

/// What made a plan a finding.
#[derive(Debug, Clone, PartialEq)]
pub enum FindingKind {
    /// The runtime broke these rules' predicates (where the reference did not).
    Violations(BTreeSet<String>),
    /// No predicate fired, but the transcript departs from the reference's.
    Difference(String),
    /// The runtime failed to produce a transcript.
    Error(String),
}

/// One distinct departure, shrunk, with the case that pins it.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The seed of the plan that first showed it (a one-plan run with this seed replays it).
    pub plan_seed: u64,
    /// Which plan of the run it was (0-based).
    pub plan_index: u64,
    /// Time from the start of the run to this finding, before shrinking.
    pub found_after: Duration,
    pub kind: FindingKind,
    /// Steps in the plan as generated.
    pub original_steps: usize,
    /// The shrunk plan.
    pub plan: Plan,
    /// Predicate violations on the shrunk plan that the reference does not have.
    pub violations: Vec<Violation>,
    /// Differences from the reference on the shrunk plan.
    pub differences: Vec<Difference>,
    /// The runtime's error on the shrunk plan, for error findings.
    pub error: Option<String>,
    /// The case file for the shrunk plan.
    pub case: CaseDoc,
    /// Candidates the shrinker tried.
    pub shrink_tries: usize,
}

impl Finding {
    /// The key findings are de-duplicated by.
    pub fn signature(&self) -> String {
        signature(&self.kind)
    }

    /// Every rule the finding names: those whose predicates the runtime
    /// broke, and those its case file cites (for a bare difference, the rule
    /// the difference is about).
    pub fn named_rules(&self) -> BTreeSet<&str> {
        self.violations
            .iter()
            .map(|v| v.rule.as_str())
            .chain(self.case.rules.iter().map(String::as_str))
            .collect()
    }
}

fn signature(kind: &FindingKind) -> String {
    match kind {
        FindingKind::Violations(rules) => rules.iter().cloned().collect::<Vec<_>>().join("+"),
        FindingKind::Difference(s) => format!("difference:{s}"),
        FindingKind::Error(s) => format!("error:{s}"),
    }
}

/// A snapshot for progress displays.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub plans: u64,
    pub elapsed: Duration,
    pub findings: usize,
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct Summary {
    pub plans: u64,
    /// Plans the runtime said it could not run.
    pub skipped: u64,
    /// Plans on which the reference model itself broke a predicate: spec bugs,
    /// printed as warnings. Only plans where the runtime departed are checked
    /// for this; `--runtime reference` checks every plan.
    pub reference_violations: u64,
    /// The first such violation, to show.
    pub first_reference_violation: Option<(u64, Violation)>,
    pub elapsed: Duration,
    pub findings: Vec<Finding>,
    /// How many plans showed each finding signature (a finding is reported
    /// once per signature; this says how common it was).
    pub signatures: BTreeMap<String, u64>,
}

/// What one plan did on the runtime, judged against the reference.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub reference: Transcript,
    pub observed: Result<Transcript, RuntimeError>,
    pub reference_violations: Vec<Violation>,
    /// Violations on the runtime's transcript that the reference's does not have.
    pub violations: Vec<Violation>,
    pub differences: Vec<Difference>,
}

impl Judgement {
    /// What makes this a finding, if anything does.
    pub fn kind(&self) -> Option<FindingKind> {
        if let Err(e) = &self.observed {
            return match e {
                RuntimeError::Unsupported { .. } => None,
                e => Some(FindingKind::Error(error_kind(e).to_owned())),
            };
        }
        if !self.violations.is_empty() {
            return Some(FindingKind::Violations(
                self.violations.iter().map(|v| v.rule.clone()).collect(),
            ));
        }
        self.differences
            .first()
            .map(|d| FindingKind::Difference(d.signature()))
    }
}

fn error_kind(e: &RuntimeError) -> &'static str {
    match e {
        RuntimeError::Unsupported { .. } => "unsupported",
        RuntimeError::Failed { .. } => "failed",
        RuntimeError::Crashed { .. } => "crashed",
        RuntimeError::Timeout { .. } => "timeout",
        RuntimeError::Protocol { .. } => "protocol",
        RuntimeError::Setup { .. } => "setup",
    }
}

/// What the runtime's transcripts are compared with.
enum Reference<'a> {
    /// The spec's model (the normal case).
    Model(Config),
    /// Another runtime: differential testing between any two implementations.
    Runtime(&'a dyn Runtime),
}

/// Drives one runtime against the reference model (or another runtime).
pub struct Fuzzer<'a> {
    runtime: &'a dyn Runtime,
    /// Whether the runtime *is* the reference (then only predicates judge it).
    is_reference: bool,
    reference: Reference<'a>,
    options: FuzzOptions,
    generator: PlanGenerator,
}

impl std::fmt::Debug for Fuzzer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fuzzer")
            .field("runtime", &self.runtime.info().name)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'a> Fuzzer<'a> {
    /// A fuzzer for `runtime` against the reference model, generating only
    /// what the runtime declares it supports.
    pub fn new(runtime: &'a dyn Runtime, options: FuzzOptions) -> Fuzzer<'a> {
        let info = runtime.info();
        let caps = Capabilities {
            contexts: info.contexts,
            operations: info.operations,
        };
        Fuzzer {
            runtime,
            is_reference: info.name == "reference",
            reference: Reference::Model(Config {
                profile: options.profile,
                deviations: Vec::new(),
            }),
            generator: PlanGenerator::new(&caps),
            options,
        }
    }

    /// A fuzzer for `runtime` whose transcripts are compared with `reference`'s
    /// instead of the model's. Plans use only what both declare they support.
    pub fn against(
        runtime: &'a dyn Runtime,
        reference: &'a dyn Runtime,
        options: FuzzOptions,
    ) -> Fuzzer<'a> {
        let (a, b) = (runtime.info(), reference.info());
        let caps = Capabilities {
            contexts: a
                .contexts
                .into_iter()
                .filter(|c| b.contexts.contains(c))
                .collect(),
            operations: a
                .operations
                .into_iter()
                .filter(|o| b.operations.contains(o))
                .collect(),
        };
        Fuzzer {
            runtime,
            is_reference: false,
            reference: Reference::Runtime(reference),
            generator: PlanGenerator::new(&caps),
            options,
        }
    }

    fn run_reference(&self, plan: &Plan) -> Transcript {
        match &self.reference {
            Reference::Model(config) => model::run(plan, config),
            // A reference that cannot run the plan gives nothing to compare with.
            Reference::Runtime(r) => r.execute(plan, self.options.timeout).unwrap_or_default(),
        }
    }

    /// The plan generated for `seed`.
    pub fn plan(&self, seed: u64) -> Plan {
        self.generator.plan(seed)
    }

    /// Runs `plan` on the runtime and on the reference and judges the result.
    pub fn judge(&self, plan: &Plan) -> Judgement {
        let profile = self.options.profile;
        let reference = self.run_reference(plan);
        let check = |t: &Transcript| {
            if self.options.predicates {
                msiconf_spec::check(plan, t, profile)
            } else {
                Vec::new()
            }
        };
        if self.is_reference {
            let reference_violations = check(&reference);
            return Judgement {
                violations: reference_violations.clone(),
                reference_violations,
                observed: Ok(reference.clone()),
                reference,
                differences: Vec::new(),
            };
        }
        let observed = self.runtime.execute(plan, self.options.timeout);
        let (reference_violations, violations, differences) = match &observed {
            // Predicates are functions of the plan and the transcript: on a
            // transcript equal to the reference's they find exactly what they
            // find on the reference's, and those are never held against the
            // runtime. Skipping them halves the cost of a conformant plan.
            Ok(t) if *t == reference => (Vec::new(), Vec::new(), Vec::new()),
            Ok(t) => {
                let reference_violations = check(&reference);
                let mut v = check(t);
                v.retain(|x| !reference_violations.contains(x));
                (reference_violations, v, compare(&reference, t))
            }
            Err(_) => (Vec::new(), Vec::new(), Vec::new()),
        };
        Judgement {
            reference,
            observed,
            reference_violations,
            violations,
            differences,
        }
    }

    /// Whether `plan` still shows a finding of `kind`, in a way its case file
    /// catches: the case passes on the reference, and the runtime fails it or a cited predicate.
    fn still_shows(&self, plan: &Plan, kind: &FindingKind) -> bool {
        let j = self.judge(plan);
        let shows = match (kind, j.kind()) {
            (FindingKind::Violations(rules), _) => {
                j.violations.iter().any(|v| rules.contains(&v.rule))
            }
            (FindingKind::Difference(_), Some(FindingKind::Difference(_)))
            | (FindingKind::Difference(_), Some(FindingKind::Violations(_))) => true,
            (FindingKind::Error(a), Some(FindingKind::Error(b))) => *a == b,
            _ => false,
        };
        // The case must pass on the reference, predicates included; a plan on
        // which the reference itself breaks a rule shows a spec bug, not this
        // runtime's (unless the runtime *is* the reference).
        if !shows || (!self.is_reference && !j.reference_violations.is_empty()) {
            return false;
        }
        let doc = case_from_plan(plan, &j.reference, &self.meta(&[]));
        if doc.to_plan() != *plan || !doc.failures(&j.reference, self.options.profile).is_empty() {
            return false;
        }
        match (kind, &j.observed) {
            (FindingKind::Difference(_), Ok(t)) => {
                !doc.failures(t, self.options.profile).is_empty()
            }
            _ => true,
        }
    }

    fn meta(&self, rules: &[String]) -> CaseMeta {
        CaseMeta {
            description: String::new(),
            rules: rules.to_vec(),
            tags: Vec::new(),
            profile: self.options.profile,
            step_rules: BTreeMap::new(),
        }
    }

    /// Shrinks a plan that showed `kind` and builds its finding; `None` when
    /// neither the plan nor any simplification of it makes a case that passes
    /// on the reference and fails on the runtime.
    pub fn finding(
        &self,
        plan: &Plan,
        kind: FindingKind,
        plan_seed: u64,
        plan_index: u64,
        found_after: Duration,
    ) -> Option<Finding> {
        // The plan as generated may not qualify (the reference breaks a rule on
        // it too, or no expectation would catch the runtime); its simplifications may.
        let (small, tries) = shrink(plan, self.options.shrink_budget, |p| {
            self.still_shows(p, &kind)
        });
        if !self.still_shows(&small, &kind) {
            return None;
        }
        let j = self.judge(&small);
        let runtime = self.runtime.info().name;
        // Every rule the shrunk plan breaks is cited (a difference can come
        // with a violation the generated plan did not show), then the fallback.
        let mut rules: Vec<String> = Vec::new();
        for r in j
            .violations
            .iter()
            .map(|v| v.rule.clone())
            .chain(cited_rules(&small, &kind, &j))
        {
            if !rules.contains(&r) {
                rules.push(r);
            }
        }
        let mut step_rules = BTreeMap::new();
        for v in &j.violations {
            if let Some(step) = &v.step {
                step_rules
                    .entry(step.clone())
                    .or_insert_with(|| v.rule.clone());
            }
        }
        let what = match &kind {
            FindingKind::Violations(r) => {
                format!(
                    "breaks {}",
                    r.iter().cloned().collect::<Vec<_>>().join(", ")
                )
            }
            FindingKind::Difference(_) => format!(
                "departs from the reference where no predicate looks ({})",
                j.differences
                    .first()
                    .map_or_else(String::new, ToString::to_string)
            ),
            FindingKind::Error(e) => format!("gives a runtime error ({e})"),
        };
        let mut tags = vec!["fuzz".to_owned(), "regression".to_owned()];
        if matches!(kind, FindingKind::Difference(_)) {
            tags.push("differential".to_owned());
        }
        let meta = CaseMeta {
            description: format!(
                "`{runtime}` {what}; found by `msiconf fuzz --runtime {runtime} --profile {} --seed {plan_seed} --plans 1` and shrunk",
                self.options.profile
            ),
            rules,
            tags,
            profile: self.options.profile,
            step_rules,
        };
        let case = case_from_plan(&small, &j.reference, &meta);
        Some(Finding {
            plan_seed,
            plan_index,
            found_after,
            kind,
            original_steps: plan.step_count(),
            violations: j.violations,
            differences: j.differences,
            error: j.observed.err().map(|e| e.to_string()),
            plan: small,
            case,
            shrink_tries: tries,
        })
    }

    /// Runs until the budget or `max_findings` is reached.
    pub fn run(
        &self,
        on_progress: &mut dyn FnMut(&Progress),
        on_finding: &mut dyn FnMut(&Finding),
    ) -> Summary {
        let start = Instant::now();
        let mut summary = Summary {
            plans: 0,
            skipped: 0,
            reference_violations: 0,
            first_reference_violation: None,
            elapsed: Duration::ZERO,
            findings: Vec::new(),
            signatures: BTreeMap::new(),
        };
        let mut seen = BTreeSet::new();
        let mut attempts: BTreeMap<String, u32> = BTreeMap::new();
        let mut last_progress = Instant::now();
        let mut index = 0u64;
        loop {
            match self.options.budget {
                Budget::Plans(n) if index >= n => break,
                // Checking the clock every plan costs more than the plan at these speeds.
                Budget::Time(d) if index % 64 == 0 && start.elapsed() >= d => break,
                _ => {}
            }
            if summary.findings.len() >= self.options.max_findings {
                break;
            }
            let seed = plan_seed(self.options.seed, index);
            let plan = self.generator.plan(seed);
            let j = self.judge(&plan);
            if !self.is_reference && !j.reference_violations.is_empty() {
                summary.reference_violations += 1;
                if summary.first_reference_violation.is_none() {
                    summary.first_reference_violation =
                        Some((seed, j.reference_violations[0].clone()));
                }
            }
            if matches!(j.observed, Err(RuntimeError::Unsupported { .. })) {
                summary.skipped += 1;
            }
            if let Some(kind) = j.kind() {
                let key = signature(&kind);
                *summary.signatures.entry(key.clone()).or_insert(0) += 1;
                let tries = attempts.entry(key.clone()).or_insert(0u32);
                // A departure that would not make a case is retried on later
                // plans, a few times, then left (each try costs a shrink).
                if !seen.contains(&key) && *tries < MAX_ATTEMPTS {
                    *tries += 1;
                    if let Some(finding) = self.finding(&plan, kind, seed, index, start.elapsed()) {
                        seen.insert(key);
                        on_finding(&finding);
                        summary.findings.push(finding);
                    }
                }
            }
            index += 1;
            if index % 256 == 0 && last_progress.elapsed() >= Duration::from_millis(200) {
                last_progress = Instant::now();
                on_progress(&Progress {
                    plans: index,
                    elapsed: start.elapsed(),
                    findings: summary.findings.len(),
                });
            }
        }
        summary.plans = index;
        summary.elapsed = start.elapsed();
        summary
    }
}

/// The rules a finding's case cites: the violated ones, or for a bare
/// difference the rule it is about (none when no rule is: the case file then
/// says so).
fn cited_rules(plan: &Plan, kind: &FindingKind, j: &Judgement) -> Vec<String> {
    if let FindingKind::Violations(rules) = kind {
        return rules.iter().cloned().collect();
    }
    super::attribute::rules_for(plan, &j.reference, &j.differences)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// The step a finding first shows at, for messages.
pub fn first_step(finding: &Finding) -> Option<StepRef> {
    finding
        .violations
        .iter()
        .find_map(|v| v.step.clone())
        .or_else(|| finding.differences.iter().find_map(|d| d.step().cloned()))
}
