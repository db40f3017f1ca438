//! The fuzzing loop: generate, run, judge (predicates and differential), shrink, write.

use super::case_doc::{case_from_plan, CaseDoc, CaseMeta};
use super::compare::{compare, Difference};
use super::generate::{plan_seed, Capabilities, PlanGenerator};
use super::known::{KnownDepartures, Site};
use super::shrink::shrink_toward;
use crate::runtime::{Runtime, RuntimeError};
use msiconf_spec::model::{self, Config};
use msiconf_spec::plan::StepRef;
use msiconf_spec::{Plan, Profile, Transcript, Violation};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
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
    /// Stop as soon as a finding names one of these rules (empty: never early).
    pub until: Vec<String>,
    /// Plans judged at once (and shrink candidates tried at once). Worth it
    /// for runtimes whose plans take a real engine's time; the findings and
    /// their order do not depend on it.
    pub workers: usize,
}

impl FuzzOptions {
    /// Whether a run with these findings has found what it was asked for.
    fn done(&self, summary: &Summary) -> bool {
        summary.findings.len() >= self.max_findings
            || (!self.until.is_empty()
                && summary.findings.iter().any(|f| {
                    f.named_rules()
                        .iter()
                        .any(|r| self.until.iter().any(|u| u == r))
                }))
    }
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
            until: Vec::new(),
            workers: 1,
        }
    }
}

/// How many plans showing the same departure are tried before it is given up
/// as one no case can pin (see [`Fuzzer::finding`]).
const MAX_ATTEMPTS: u32 = 4;

/// What made a plan a finding.
#[derive(Debug, Clone, PartialEq)]
pub enum FindingKind {
    /// The runtime broke this rule's predicate (where the reference did
    /// not), at a call of this kind in this context or in the install.
    Violation { rule: String, site: Site },
    /// No predicate fired, but the transcript departs from the reference's;
    /// the text names the call it departs on (`context:kind`), or `runs`,
    /// `actions`, `install-result` for the install as a whole.
    Difference(String),
    /// The runtime failed to produce a transcript.
    Error(String),
}

/// One departure a plan showed, and whether the expectation file lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Departure {
    pub kind: FindingKind,
    /// Listed by the expectation file: counted, never shrunk or reported as new.
    pub known: bool,
    /// The step it shows at, where there is one (the shrinker starts there).
    pub step: Option<StepRef>,
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
    /// Of those, how many the runtime had to run (the others were plans the
    /// shrinker had already judged).
    pub shrink_calls: usize,
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

/// The key departures are de-duplicated by: the rule and where it broke
/// (`RULE@context:kind`, `RULE@install`), the call a bare difference departs
/// on (`difference:context:kind`), or the kind of runtime error.
pub fn signature(kind: &FindingKind) -> String {
    match kind {
        FindingKind::Violation { rule, site } => format!("{rule}@{site}"),
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
    /// Departures seen that the expectation file lists.
    pub known: u64,
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
    /// once per signature; this says how common it was), known ones included.
    pub signatures: BTreeMap<String, u64>,
    /// How many of the plans counted in `signatures` showed a departure of
    /// that signature the expectation file lists. For a rule broken at a
    /// call this is all or none of them; a bare difference is grouped by its
    /// call alone, and is known where the rule it is about is listed at that
    /// call, which can differ from plan to plan.
    pub known: BTreeMap<String, u64>,
    /// Plans whose every departure the expectation file lists.
    pub known_plans: u64,
    /// Runtime calls made while shrinking, over every finding.
    pub shrink_calls: usize,
    /// Time spent shrinking (included in `elapsed`).
    pub shrink_time: Duration,
}

impl Summary {
    /// Plans of `signature` whose departure the expectation file lists.
    pub fn known_in(&self, signature: &str) -> u64 {
        self.known.get(signature).copied().unwrap_or(0)
    }

    /// Signatures seen in at least one plan where the expectation file does
    /// not list them: the new departures.
    pub fn new_signatures(&self) -> impl Iterator<Item = (&String, &u64)> {
        self.signatures
            .iter()
            .filter(|(s, n)| self.known_in(s) < **n)
    }

    /// Signatures the expectation file listed in every plan that showed them.
    pub fn known_signatures(&self) -> impl Iterator<Item = (&String, &u64)> {
        self.signatures
            .iter()
            .filter(|(s, n)| self.known_in(s) == **n)
    }
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
    /// Every departure the plan shows, in the order they show: a runtime
    /// error; else one per (rule, site) the runtime broke; else the first
    /// bare difference. `known` says which the expectation file lists.
    pub fn departures(&self, plan: &Plan, known: &KnownDepartures) -> Vec<Departure> {
        if let Err(e) = &self.observed {
            return match e {
                RuntimeError::Unsupported { .. } => Vec::new(),
                e => vec![Departure {
                    kind: FindingKind::Error(error_kind(e).to_owned()),
                    known: false,
                    step: None,
                }],
            };
        }
        if !self.violations.is_empty() {
            let mut out: Vec<Departure> = Vec::new();
            for v in &self.violations {
                let site = Site::of_step(plan, v.step.as_ref());
                let kind = FindingKind::Violation {
                    rule: v.rule.clone(),
                    site,
                };
                if out.iter().any(|d| d.kind == kind) {
                    continue;
                }
                out.push(Departure {
                    known: known.lists(&v.rule, site),
                    kind,
                    step: v.step.clone(),
                });
            }
            return out;
        }
        let Some(first) = self.differences.first() else {
            return Vec::new();
        };
        let site = difference_site(plan, first);
        // A bare difference is known when the rule it is about is listed
        // broken at the same call: in the suite it shows as that step's
        // expectation failing under that rule.
        let is_known = !known.is_empty()
            && super::attribute::rules_for(plan, &self.reference, &self.differences)
                .iter()
                .any(|r| known.lists(r, site));
        vec![Departure {
            kind: FindingKind::Difference(difference_place(plan, first)),
            known: is_known,
            step: first.step().cloned(),
        }]
    }

    /// What makes this a finding, if anything does (the first departure).
    pub fn kind(&self, plan: &Plan) -> Option<FindingKind> {
        self.departures(plan, &KnownDepartures::none())
            .into_iter()
            .next()
            .map(|d| d.kind)
    }
}

/// How a bare difference is grouped: the call it departs on
/// (`context:kind`), or which part of the install as a whole.
fn difference_place(plan: &Plan, d: &Difference) -> String {
    match d {
        Difference::Runs { .. } => "runs".to_owned(),
        Difference::Actions { .. } => "actions".to_owned(),
        Difference::InstallResult { .. } => "install-result".to_owned(),
        _ => difference_site(plan, d).to_string(),
    }
}

/// The call a difference departs on, or the install for the install as a whole.
fn difference_site(plan: &Plan, d: &Difference) -> Site {
    match d {
        Difference::Outcome { context, call, .. } => Site::Call(*context, call.kind()),
        Difference::Events { .. } => Site::of_step(plan, d.step()),
        _ => Site::Install,
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
    /// What judges plans; shared with the worker threads.
    core: Core<'a>,
    /// What plans may use (each worker thread builds its own generator from it).
    caps: Capabilities,
    generator: PlanGenerator,
    /// Departures not to shrink or report as new.
    known: KnownDepartures,
}

/// The part of a [`Fuzzer`] that runs and judges plans, safe to share
/// between threads (the plan generator is not).
struct Core<'a> {
    runtime: &'a dyn Runtime,
    /// Whether the runtime *is* the reference (then only predicates judge it).
    is_reference: bool,
    reference: Reference<'a>,
    options: FuzzOptions,
    /// Judgements of plans the shrinker tried, by a hash of the serialized
    /// plan: a shrinker meets the same plan more than once, and against a
    /// real engine each judgement costs a session.
    cache: Mutex<HashMap<u128, Arc<Judgement>>>,
    /// Runtime calls the cache could not spare.
    cache_misses: AtomicUsize,
}

impl std::fmt::Debug for Fuzzer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fuzzer")
            .field("runtime", &self.core.runtime.info().name)
            .field("options", &self.core.options)
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
            generator: PlanGenerator::new(&caps),
            caps,
            known: KnownDepartures::none(),
            core: Core {
                runtime,
                is_reference: info.name == "reference",
                reference: Reference::Model(Config {
                    profile: options.profile,
                    deviations: Vec::new(),
                }),
                options,
                cache: Mutex::new(HashMap::new()),
                cache_misses: AtomicUsize::new(0),
            },
        }
    }

    /// The same fuzzer, counting the departures `known` lists as known.
    pub fn with_known(mut self, known: KnownDepartures) -> Fuzzer<'a> {
        self.known = known;
        self
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
            generator: PlanGenerator::new(&caps),
            caps,
            known: KnownDepartures::none(),
            core: Core {
                runtime,
                is_reference: false,
                reference: Reference::Runtime(reference),
                options,
                cache: Mutex::new(HashMap::new()),
                cache_misses: AtomicUsize::new(0),
            },
        }
    }

    /// The plan generated for `seed`.
    pub fn plan(&self, seed: u64) -> Plan {
        self.generator.plan(seed)
    }

    /// Runs `plan` on the runtime and on the reference and judges the result.
    pub fn judge(&self, plan: &Plan) -> Judgement {
        self.core.judge(plan)
    }

    /// Shrinks a plan that showed `kind` and builds its finding; `None` when
    /// neither the plan nor any simplification of it makes a case that passes
    /// on the reference and fails on the runtime.
    pub fn finding(
        &self,
        plan: &Plan,
        departure: &Departure,
        plan_seed: u64,
        plan_index: u64,
        found_after: Duration,
    ) -> Option<Finding> {
        let kind = departure.kind.clone();
        let core = &self.core;
        core.lock_cache().clear();
        let misses_before = self.core.cache_misses.load(Ordering::Relaxed);
        // The plan as generated may not qualify (the reference breaks a rule on
        // it too, or no expectation would catch the runtime); its simplifications may.
        let (small, tries) = shrink_toward(
            plan,
            departure.step.as_ref(),
            self.core.options.shrink_budget,
            self.core.options.workers,
            |p| core.still_shows(p, &kind),
        );
        let shows = self.core.still_shows(&small, &kind);
        let shrink_calls = self.core.cache_misses.load(Ordering::Relaxed) - misses_before;
        if !shows {
            self.core.lock_cache().clear();
            return None;
        }
        let j = Judgement::clone(&self.core.judge_cached(&small));
        self.core.lock_cache().clear();
        let runtime = self.core.runtime.info().name;
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
            FindingKind::Violation { rule, .. } => format!("breaks {rule}"),
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
                self.core.options.profile
            ),
            rules,
            tags,
            profile: self.core.options.profile,
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
            shrink_calls,
        })
    }

    /// Runs until the budget or `max_findings` is reached.
    ///
    /// With more than one worker, plans are judged on that many threads, a
    /// few plans ahead of the one being looked at; judgements are taken in
    /// plan order, and findings are shrunk one at a time in that order, so a
    /// run with a budget in plans finds what a one-worker run finds.
    pub fn run(
        &self,
        on_progress: &mut dyn FnMut(&Progress),
        on_finding: &mut dyn FnMut(&Finding),
    ) -> Summary {
        let start = Instant::now();
        let misses_before = self.core.cache_misses.load(Ordering::Relaxed);
        let mut st = RunState {
            start,
            summary: Summary {
                plans: 0,
                skipped: 0,
                reference_violations: 0,
                first_reference_violation: None,
                elapsed: Duration::ZERO,
                findings: Vec::new(),
                signatures: BTreeMap::new(),
                known: BTreeMap::new(),
                known_plans: 0,
                shrink_calls: 0,
                shrink_time: Duration::ZERO,
            },
            seen: BTreeSet::new(),
            attempts: BTreeMap::new(),
            last_progress: Instant::now(),
        };
        if self.core.options.workers <= 1 {
            self.run_one_worker(&mut st, on_progress, on_finding);
        } else {
            self.run_workers(&mut st, on_progress, on_finding);
        }
        let mut summary = st.summary;
        summary.shrink_calls = self.core.cache_misses.load(Ordering::Relaxed) - misses_before;
        summary.elapsed = start.elapsed();
        summary
    }

    fn run_one_worker(
        &self,
        st: &mut RunState,
        on_progress: &mut dyn FnMut(&Progress),
        on_finding: &mut dyn FnMut(&Finding),
    ) {
        let mut index = 0u64;
        loop {
            match self.core.options.budget {
                Budget::Plans(n) if index >= n => break,
                // Checking the clock every plan costs more than the plan at these speeds.
                Budget::Time(d) if index % 64 == 0 && st.start.elapsed() >= d => break,
                _ => {}
            }
            if self.core.options.done(&st.summary) {
                break;
            }
            let seed = plan_seed(self.core.options.seed, index);
            let plan = self.generator.plan(seed);
            let j = self.core.judge(&plan);
            self.take(st, index, seed, &plan, &j, on_finding);
            index += 1;
            st.summary.plans = index;
            if index % 256 == 0 {
                st.progress(on_progress);
            }
        }
    }

    fn run_workers(
        &self,
        st: &mut RunState,
        on_progress: &mut dyn FnMut(&Progress),
        on_finding: &mut dyn FnMut(&Finding),
    ) {
        let workers = self.core.options.workers;
        // How far ahead of the plan being looked at the workers may judge:
        // enough to keep each busy while one finding is shrunk, little
        // enough that a run stopping on `max_findings` wastes little.
        let window = 2 * workers as u64;
        let queue = Mutex::new(Queue {
            next: 0,
            taken: 0,
            stop: false,
            running: workers,
            ready: BTreeMap::new(),
        });
        let wake = Condvar::new();
        let lock = || queue.lock().unwrap_or_else(|e| e.into_inner());
        let start = st.start;
        let (core, caps) = (&self.core, &self.caps);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    // The generator is not shared between threads; each worker
                    // has its own, and a plan depends on its seed alone.
                    let generator = PlanGenerator::new(caps);
                    // Counts the worker out however it ends, a panic included,
                    // so that the loop below never waits for it.
                    struct Out<'q>(&'q Mutex<Queue>, &'q Condvar);
                    impl Drop for Out<'_> {
                        fn drop(&mut self) {
                            let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
                            q.running -= 1;
                            self.1.notify_all();
                        }
                    }
                    let _out = Out(&queue, &wake);
                    loop {
                        let index = {
                            let mut q = lock();
                            while !q.stop && q.next >= q.taken + window {
                                q = wake.wait(q).unwrap_or_else(|e| e.into_inner());
                            }
                            let over = match core.options.budget {
                                Budget::Plans(n) => q.next >= n,
                                Budget::Time(d) => start.elapsed() >= d,
                            };
                            if q.stop || over {
                                break;
                            }
                            q.next += 1;
                            q.next - 1
                        };
                        let seed = plan_seed(core.options.seed, index);
                        let plan = generator.plan(seed);
                        let j = core.judge(&plan);
                        lock().ready.insert(index, (seed, plan, j));
                        wake.notify_all();
                    }
                });
            }
            loop {
                let item = {
                    let mut q = lock();
                    loop {
                        let at = q.taken;
                        if let Some(item) = q.ready.remove(&at) {
                            break Some(item);
                        }
                        if q.running == 0 {
                            break None;
                        }
                        q = wake.wait(q).unwrap_or_else(|e| e.into_inner());
                    }
                };
                let Some((seed, plan, j)) = item else { break };
                let index = st.summary.plans;
                self.take(st, index, seed, &plan, &j, on_finding);
                st.summary.plans = index + 1;
                st.progress(on_progress);
                let mut q = lock();
                q.taken += 1;
                if self.core.options.done(&st.summary) {
                    q.stop = true;
                }
                drop(q);
                wake.notify_all();
                if self.core.options.done(&st.summary) {
                    break;
                }
            }
            lock().stop = true;
            wake.notify_all();
        });
    }

    /// Looks at one judged plan: counts it, and shrinks each departure that
    /// is new, not known and not yet found.
    fn take(
        &self,
        st: &mut RunState,
        index: u64,
        seed: u64,
        plan: &Plan,
        j: &Judgement,
        on_finding: &mut dyn FnMut(&Finding),
    ) {
        let summary = &mut st.summary;
        if !self.core.is_reference && !j.reference_violations.is_empty() {
            summary.reference_violations += 1;
            if summary.first_reference_violation.is_none() {
                summary.first_reference_violation = Some((seed, j.reference_violations[0].clone()));
            }
        }
        if matches!(j.observed, Err(RuntimeError::Unsupported { .. })) {
            summary.skipped += 1;
        }
        let departures = j.departures(plan, &self.known);
        if !departures.is_empty() && departures.iter().all(|d| d.known) {
            summary.known_plans += 1;
        }
        for d in departures {
            let key = signature(&d.kind);
            *summary.signatures.entry(key.clone()).or_insert(0) += 1;
            if d.known {
                *summary.known.entry(key).or_insert(0) += 1;
                continue;
            }
            if self.core.options.done(summary) || st.seen.contains(&key) {
                continue;
            }
            let tries = st.attempts.entry(key.clone()).or_insert(0u32);
            // A departure that would not make a case is retried on later
            // plans, a few times, then left (each try costs a shrink).
            if *tries >= MAX_ATTEMPTS {
                continue;
            }
            *tries += 1;
            let shrinking = Instant::now();
            let found = self.finding(plan, &d, seed, index, st.start.elapsed());
            summary.shrink_time += shrinking.elapsed();
            if let Some(finding) = found {
                st.seen.insert(key);
                on_finding(&finding);
                summary.findings.push(finding);
            }
        }
    }
}

impl Core<'_> {
    fn run_reference(&self, plan: &Plan) -> Transcript {
        match &self.reference {
            Reference::Model(config) => model::run(plan, config),
            // A reference that cannot run the plan gives nothing to compare with.
            Reference::Runtime(r) => r.execute(plan, self.options.timeout).unwrap_or_default(),
        }
    }

    /// Runs `plan` on the runtime and on the reference and judges the result.
    fn judge(&self, plan: &Plan) -> Judgement {
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

    /// [`Fuzzer::judge`], remembered by plan until the next finding.
    fn judge_cached(&self, plan: &Plan) -> Arc<Judgement> {
        let key = plan_hash(plan);
        if let Some(j) = self.lock_cache().get(&key) {
            return Arc::clone(j);
        }
        self.cache_misses.fetch_add(1, Ordering::Relaxed);
        let j = Arc::new(self.judge(plan));
        self.lock_cache().insert(key, Arc::clone(&j));
        j
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, HashMap<u128, Arc<Judgement>>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `plan` still shows a finding of `kind`, in a way its case file
    /// catches: the case passes on the reference, and the runtime fails it or a cited predicate.
    fn still_shows(&self, plan: &Plan, kind: &FindingKind) -> bool {
        let j = self.judge_cached(plan);
        let shows = match kind {
            FindingKind::Violation { rule, site } => j
                .violations
                .iter()
                .any(|v| v.rule == *rule && Site::of_step(plan, v.step.as_ref()) == *site),
            // Any departure the case file catches: shrinking a bare
            // difference often ends at its cause, a difference elsewhere
            // (the actions run, the install result) or a predicate that
            // names it, and that is the better case.
            FindingKind::Difference(_) => {
                j.observed.is_ok() && (!j.violations.is_empty() || !j.differences.is_empty())
            }
            FindingKind::Error(a) => {
                matches!(&j.observed, Err(e) if !matches!(e, RuntimeError::Unsupported { .. }) && error_kind(e) == a)
            }
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
}

/// What [`Fuzzer::run`] keeps between plans.
struct RunState {
    start: Instant,
    summary: Summary,
    /// Signatures found (shrunk into a case).
    seen: BTreeSet<String>,
    /// Shrinks tried per signature.
    attempts: BTreeMap<String, u32>,
    last_progress: Instant,
}

impl RunState {
    fn progress(&mut self, on_progress: &mut dyn FnMut(&Progress)) {
        if self.last_progress.elapsed() >= Duration::from_millis(200) {
            self.last_progress = Instant::now();
            on_progress(&Progress {
                plans: self.summary.plans,
                elapsed: self.start.elapsed(),
                findings: self.summary.findings.len(),
                known: self.summary.known_plans,
            });
        }
    }
}

/// Plans handed out to the workers and judgements waiting to be looked at.
struct Queue {
    /// The next plan index to hand out.
    next: u64,
    /// Plans looked at so far (the index of the next one to look at).
    taken: u64,
    stop: bool,
    /// Workers still running.
    running: usize,
    ready: BTreeMap<u64, (u64, Plan, Judgement)>,
}

/// The rules a finding's case cites: the violated ones, or for a bare
/// difference the rule it is about (none when no rule is: the case file then
/// says so).
fn cited_rules(plan: &Plan, kind: &FindingKind, j: &Judgement) -> Vec<String> {
    if let FindingKind::Violation { rule, .. } = kind {
        return vec![rule.clone()];
    }
    super::attribute::rules_for(plan, &j.reference, &j.differences)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// A 128-bit hash of the serialized plan: the key of the shrinker's cache.
fn plan_hash(plan: &Plan) -> u128 {
    use std::hash::{Hash, Hasher};
    let text = serde_json::to_string(plan).unwrap_or_else(|_| format!("{plan:?}"));
    let mut lo = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut lo);
    let mut hi = std::collections::hash_map::DefaultHasher::new();
    (text.len(), "msiconf", &text).hash(&mut hi);
    (u128::from(hi.finish()) << 64) | u128::from(lo.finish())
}

/// The step a finding first shows at, for messages.
pub fn first_step(finding: &Finding) -> Option<StepRef> {
    finding
        .violations
        .iter()
        .find_map(|v| v.step.clone())
        .or_else(|| finding.differences.iter().find_map(|d| d.step().cloned()))
}
