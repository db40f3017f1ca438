//! The bodies of the cargo-fuzz targets, kept in the library so that inputs
//! that once crashed a target are replayed by an ordinary `cargo test`
//! (`harness/tests/fuzz_regressions.rs`) through exactly the same code.
//!
//! Each function panics when its property fails; libFuzzer records the input.

use super::compare::compare;
use super::generate::{Capabilities, PlanGenerator};
use super::shrink::structurally_valid;
use crate::case::{parse_case, CaseFileErrorKind, KnownRules};
use crate::runtime::Runtime;
use arbitrary::{Arbitrary, Unstructured};
use msiconf_spec::fixture::PropertyRow;
use msiconf_spec::model::{self, Config};
use msiconf_spec::{Operation, Plan, Profile, UiLevel};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

/// One change to a generated plan, chosen by the fuzzer's bytes.
#[derive(Debug, Clone, Arbitrary)]
pub enum Tweak {
    /// Insert a step into the `probe`-th script (package first) at `at`.
    AddStep { probe: u8, at: u8, op: Operation },
    /// Remove a step.
    DropStep { probe: u8, at: u8 },
    /// Change what a probe returns.
    Returns { probe: u8, code: u32 },
    /// Add or replace a row of the Property table.
    Property { name: String, value: String },
    /// Add or replace a command-line property.
    CommandLine { name: String, value: String },
    /// Change the UI level.
    Ui(UiLevel),
}

/// A fuzz input: a generated plan (the generator's edges for free) plus
/// arbitrary changes (what the generator's vocabulary does not reach).
#[derive(Debug, Clone, Arbitrary)]
pub struct PlanInput {
    pub seed: u64,
    pub tweaks: Vec<Tweak>,
    pub profile: Profile,
}

thread_local! {
    // Proptest's boxed strategies are not Sync; one generator per thread is plenty.
    static GENERATOR: PlanGenerator = PlanGenerator::new(&Capabilities::everything());
}

fn with_script<R>(
    plan: &mut Plan,
    which: u8,
    f: impl FnOnce(&mut msiconf_spec::ProbeScript) -> R,
) -> Option<R> {
    let count = plan.package.iter().count() + plan.probes.len();
    if count == 0 {
        return None;
    }
    let which = usize::from(which) % count;
    plan.package
        .iter_mut()
        .chain(plan.probes.values_mut())
        .nth(which)
        .map(f)
}

impl PlanInput {
    /// The plan this input stands for, or `None` when the tweaks made it
    /// one no runtime can fairly be asked to run.
    pub fn plan(&self) -> Option<Plan> {
        let mut plan = GENERATOR.with(|g| g.plan(self.seed));
        for tweak in self.tweaks.iter().take(16) {
            match tweak {
                Tweak::AddStep { probe, at, op } => {
                    with_script(&mut plan, *probe, |s| {
                        if op.kind().available_in(s.context) {
                            let at = usize::from(*at).min(s.steps.len());
                            s.steps.insert(at, op.clone());
                        }
                    });
                }
                Tweak::DropStep { probe, at } => {
                    with_script(&mut plan, *probe, |s| {
                        if !s.steps.is_empty() {
                            s.steps.remove(usize::from(*at) % s.steps.len());
                        }
                    });
                }
                Tweak::Returns { probe, code } => {
                    let count = plan.probes.len();
                    if count > 0 {
                        let name = plan.probes.keys().nth(usize::from(*probe) % count).cloned();
                        if let Some(s) = name.and_then(|n| plan.probes.get_mut(&n)) {
                            s.returns = *code;
                        }
                    }
                }
                Tweak::Property { name, value } => {
                    let rows = &mut plan.fixture.properties;
                    rows.retain(|r| r.name != *name);
                    rows.push(PropertyRow {
                        name: name.clone(),
                        value: value.clone(),
                    });
                }
                Tweak::CommandLine { name, value } => {
                    if let Some(install) = &mut plan.install {
                        install.properties.insert(name.clone(), value.clone());
                    }
                }
                Tweak::Ui(ui) => {
                    if let Some(install) = &mut plan.install {
                        install.ui = *ui;
                    }
                }
            }
        }
        structurally_valid(&plan).then_some(plan)
    }

    /// Reads an input from fuzzer bytes.
    pub fn from_bytes(data: &[u8]) -> Option<PlanInput> {
        PlanInput::arbitrary_take_rest(Unstructured::new(data)).ok()
    }
}

/// `session_model`: a plan decoded straight from the fuzzer's bytes
/// (`Plan: Arbitrary`) runs on the reference model in both profiles, which
/// never panics and never breaks a rule predicate. Such plans take shapes the
/// generator never makes (actions sequenced inside themselves, empty fixtures,
/// odd sequence numbers), and they are cheap, so libFuzzer runs many.
pub fn session_model(data: &[u8]) {
    let Ok(plan) = Plan::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    if !structurally_valid(&plan) {
        return;
    }
    for profile in Profile::ALL {
        reference_obeys_every_rule(&plan, profile, "decoded plan");
    }
}

/// `session_model_seeded`: the same property on a generated plan (the
/// generator's edges for free: probes wired into sequences, deferred data,
/// second sessions) changed by arbitrary tweaks. Deeper plans, fewer per second.
pub fn session_model_seeded(data: &[u8]) {
    let Some(input) = PlanInput::from_bytes(data) else {
        return;
    };
    let Some(plan) = input.plan() else { return };
    reference_obeys_every_rule(&plan, input.profile, &format!("seed {}", input.seed));
}

fn reference_obeys_every_rule(plan: &Plan, profile: Profile, origin: &str) {
    let config = Config {
        profile,
        deviations: Vec::new(),
    };
    let transcript = model::run(plan, &config);
    let violations = msiconf_spec::check(plan, &transcript, profile);
    if let Some(v) = violations.first() {
        panic!(
            "the reference model breaks {} in profile {profile} ({origin}):\n{v}\nplan: {plan:#?}",
            v.rule
        );
    }
}

/// `differential`: `runtime` gives the same transcript as the reference model.
/// Against a broken runtime a panic is the expected outcome: it was found.
pub fn differential(data: &[u8], runtime: &dyn Runtime) {
    let Some(input) = PlanInput::from_bytes(data) else {
        return;
    };
    let Some(plan) = input.plan() else { return };
    // The runtime was built for one profile; the reference must use the same.
    let profile = runtime_profile();
    let reference = model::run(
        &plan,
        &Config {
            profile,
            deviations: Vec::new(),
        },
    );
    let Ok(observed) = runtime.execute(&plan, Duration::from_secs(30)) else {
        return;
    };
    let differences = compare(&reference, &observed);
    if let Some(d) = differences.first() {
        panic!(
            "`{}` departs from the reference (seed {}): {d}\nplan: {plan:#?}",
            runtime.info().name,
            input.seed
        );
    }
}

/// The runtime `differential` drives: `MSICONF_FUZZ_RUNTIME` (default `reference`,
/// which then checks that the model is deterministic) in `MSICONF_FUZZ_PROFILE`
/// (default `windows`).
pub fn differential_runtime() -> &'static dyn Runtime {
    static RUNTIME: OnceLock<Box<dyn Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let name =
                std::env::var("MSICONF_FUZZ_RUNTIME").unwrap_or_else(|_| "reference".to_owned());
            crate::runtimes::build_runtime(&name, runtime_profile())
                .unwrap_or_else(|e| panic!("MSICONF_FUZZ_RUNTIME: {e}"))
        })
        .as_ref()
}

fn runtime_profile() -> Profile {
    std::env::var("MSICONF_FUZZ_PROFILE")
        .ok()
        .and_then(|p| Profile::from_name(&p))
        .unwrap_or(Profile::Windows)
}

/// `case_file`: the case loader never panics, and every error it gives names
/// a line and column in the file.
pub fn case_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    static RULES: OnceLock<KnownRules> = OnceLock::new();
    let rules = RULES.get_or_init(KnownRules::catalog);
    let path = Path::new("cases/fuzz/input.toml");
    if let Err(e) = parse_case("fuzz/input", path, text, rules) {
        if e.kind != CaseFileErrorKind::Read && e.line.is_none() {
            panic!("a case-file error names no location: {e} ({:?})", e.kind);
        }
    }
}
