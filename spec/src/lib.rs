//! The Windows Installer custom-action session API as executable rules.
//!
//! This crate is the vocabulary every other part of msiconf speaks:
//!
//! - [`Context`], [`Operation`], [`Outcome`]: where a call is made, what it is, what came back;
//! - [`Fixture`], [`Plan`], [`Transcript`]: the package, the request to a runtime, and its record;
//! - [`Rule`] and [`rules::catalog`]: every rule of the catalog with its predicate;
//! - [`model`]: a reference session model that obeys every rule in both profiles.
//!
//! It is pure: no file, process, network or environment access, nothing printed.

pub mod codes;
mod context;
pub mod fixture;
pub mod model;
pub mod msi;
mod operation;
mod outcome;
pub mod plan;
mod rule;
pub mod rules;
mod transcript;

pub use context::Context;
pub use fixture::Fixture;
pub use operation::{Buffer, ColumnInfo, HandleArg, ModifyKind, OpKind, Operation, PackageSource};
pub use outcome::Outcome;
pub use plan::{InstallOptions, Plan, PlanBuilder, ProbeScript, StepRef, UiLevel};
pub use rule::{Check, Family, Level, Predicate, Profile, Rule, Subject, Violation};
pub use transcript::{ActionRecord, Event, ProbeRun, Transcript};

/// Checks a transcript against every rule of the catalog under `profile`.
///
/// The result is what each rule's own predicate finds, rule by rule in catalog
/// order. Rules whose predicates share one walk of the transcript (the
/// temporary-table family) are judged by a single walk here.
///
/// What the rules ask of the transcript (what a property holds at a step,
/// where a handle came from) is answered from an index built once here
/// ([`rules::facts::indexed`]), so the cost grows linearly with the
/// transcript; [`Rule::check`] on its own scans instead, with the same result.
pub fn check(plan: &Plan, transcript: &Transcript, profile: Profile) -> Vec<Violation> {
    check_rules(plan, transcript, profile, rules::catalog())
}

/// [`check`] with the predicates of `rules` only (rules of the catalog, in
/// catalog order): what a harness measuring one rule's contribution needs.
pub fn check_rules(
    plan: &Plan,
    transcript: &Transcript,
    profile: Profile,
    rules: &[Rule],
) -> Vec<Violation> {
    // Below this many events, scanning back from each event costs less than
    // building the index (the fuzzers check many transcripts of about 20).
    const INDEX_FROM_EVENTS: usize = 128;
    if transcript.events.len() < INDEX_FROM_EVENTS {
        return check_all(plan, transcript, profile, rules);
    }
    rules::facts::indexed(plan, transcript, || {
        check_all(plan, transcript, profile, rules)
    })
}

fn check_all(
    plan: &Plan,
    transcript: &Transcript,
    profile: Profile,
    rules: &[Rule],
) -> Vec<Violation> {
    use rules::temporary_writes::{track, TRACKED};
    let mut out = Vec::new();
    // The temporary-table rules share one walk, when all of them are asked for.
    let shared_walk = TRACKED.iter().all(|id| rules.iter().any(|r| r.id == *id));
    let mut walked = false;
    for rule in rules {
        if shared_walk && TRACKED.contains(&rule.id) {
            if !std::mem::replace(&mut walked, true) {
                track(plan, transcript, &mut out, None);
            }
            continue;
        }
        rule.check(plan, transcript, profile, &mut out);
    }
    if shared_walk && out.len() > 1 {
        // The shared walk interleaves its rules; put every rule's findings back
        // in catalog order (a stable sort keeps each rule's own order).
        let position = |id: &str| rules::catalog().iter().position(|r| r.id == id);
        out.sort_by_cached_key(|v| position(&v.rule));
    }
    out
}
