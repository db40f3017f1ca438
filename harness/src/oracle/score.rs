//! The mutation score: the share of transcript mutations at least one rule predicate flags.
//!
//! For each case, the reference model's transcript is checked once (the
//! *baseline*; it should break nothing). Then each mutation from
//! [`super::mutate::mutations`] is applied alone, and the mutant is checked
//! with every predicate of the catalog. A mutation counts when it changes the
//! transcript; it is *flagged* when the mutant has a violation the baseline
//! does not. Case expectations are not consulted: the fuzzer has only
//! predicates, so the score measures those.

use super::attribute;
use super::mutate::{apply, mutations, Kind, Mutation, Site};
use super::reasons;
use crate::case::Case;
use msiconf_spec::model::{self, Config};
use msiconf_spec::{Family, Plan, Profile, Transcript, Violation};
use serde::Serialize;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Mutations counted and mutations flagged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub mutations: u64,
    pub flagged: u64,
}

impl Tally {
    /// The share flagged, from 0 to 1 (1 when nothing was counted).
    pub fn share(&self) -> f64 {
        if self.mutations == 0 {
            1.0
        } else {
            self.flagged as f64 / self.mutations as f64
        }
    }

    fn add(&mut self, flagged: bool) {
        self.mutations += 1;
        self.flagged += u64::from(flagged);
    }
}

/// One family's tally.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct FamilyTally {
    pub family: Family,
    pub mutations: u64,
    pub flagged: u64,
    /// `flagged / mutations`.
    pub share: f64,
}

/// The tally of one class of site.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SiteTally {
    /// `call-outcome`, `probe-run`, `action-log` or `install-result`.
    pub site: &'static str,
    #[serde(flatten)]
    pub tally: Tally,
}

/// The classes of site, in report order.
pub const SITES: [&str; 4] = ["call-outcome", "probe-run", "action-log", "install-result"];

fn site_class(site: Site) -> &'static str {
    match site {
        Site::Event(_) => SITES[0],
        Site::Run(_) => SITES[1],
        Site::Action(_) => SITES[2],
        Site::Install => SITES[3],
    }
}

/// One kind of mutation no predicate flags: operation x mutation x context.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Survivor {
    /// The operation's kebab-case name, or `probe-run`, `action`, `install-result`.
    pub operation: String,
    /// The mutation kind's name (`value-emptied`, ...; return-code changes as
    /// `rc-to-success`, `rc-to-error` or `rc-to-other-error`).
    pub mutation: &'static str,
    /// The context of the call or run (`install` for actions and the install result).
    pub context: String,
    /// How many mutations of this kind survived.
    pub count: u64,
    /// The cited families of the cases they came from.
    pub families: Vec<Family>,
    /// The first case it survived in, the place, and the mutation.
    pub example: String,
    /// Why it survives, when that is known (see `reasons.rs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// A case whose reference transcript already breaks a predicate.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Baseline {
    pub case: String,
    pub violations: Vec<String>,
}

/// The mutation score of one profile.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ProfileScore {
    pub profile: Profile,
    /// Cases that apply in the profile and were mutated.
    pub cases: usize,
    /// Mutations that left the transcript as it was: not counted.
    pub unchanged: u64,
    /// Every counted mutation, once.
    pub overall: Tally,
    /// By the families of the rules each case cites.
    pub by_cited_family: Vec<FamilyTally>,
    /// By cited family, counting only mutations of call outcomes (the install
    /// log, which every case with an install shares, left out).
    pub by_cited_family_calls: Vec<FamilyTally>,
    /// By the family that owns the mutated call.
    pub by_owner_family: Vec<FamilyTally>,
    /// By what was mutated: call outcomes, probe runs, the action log, the install result.
    pub by_site: Vec<SiteTally>,
    /// Cases whose unmutated reference transcript breaks a predicate (those
    /// violations are subtracted from every mutant's).
    pub baseline: Vec<Baseline>,
    /// Mutations on which a predicate panicked (counted as not flagged).
    pub panics: Vec<String>,
    /// Every surviving kind, most frequent first.
    pub survivors: Vec<Survivor>,
}

/// How the scorer runs.
#[derive(Debug, Clone)]
pub struct ScoreOptions {
    pub profile: Profile,
    /// Rules whose predicates are left out (their violations ignored): to see
    /// what one predicate contributes.
    pub without: Vec<String>,
    /// Cases scored at once.
    pub jobs: usize,
}

/// What one mutation did.
#[derive(Debug, Clone)]
struct Scored {
    mutation: Mutation,
    judged: Judged,
}

/// Everything one case contributes.
#[derive(Debug)]
struct CaseScore {
    reference: Transcript,
    baseline: Vec<Violation>,
    scored: Vec<Scored>,
}

/// Every predicate's findings on `t`, without the left-out rules. `None` when a predicate panicked.
fn violations(plan: &Plan, t: &Transcript, options: &ScoreOptions) -> Option<Vec<Violation>> {
    let mut v = catch_unwind(AssertUnwindSafe(|| {
        msiconf_spec::check(plan, t, options.profile)
    }))
    .ok()?;
    v.retain(|x| !options.without.contains(&x.rule));
    Some(v)
}

/// Judges one mutation of `reference`: `None` when it leaves the transcript
/// as it was (it is then not counted), else whether a predicate flags the
/// mutant beyond the `baseline` violations of the reference itself.
pub fn judge(
    plan: &Plan,
    reference: &Transcript,
    baseline: &[Violation],
    mutation: Mutation,
    options: &ScoreOptions,
) -> Judged {
    let mutant = apply(reference, mutation);
    if mutant == *reference {
        return Judged::Unchanged;
    }
    match violations(plan, &mutant, options) {
        Some(v) if v.iter().any(|x| !baseline.contains(x)) => Judged::Flagged,
        Some(_) => Judged::Survived,
        None => Judged::Panicked,
    }
}

/// What became of one mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// It left the transcript as it was: not counted.
    Unchanged,
    /// A predicate flagged the mutant.
    Flagged,
    /// No predicate flagged it.
    Survived,
    /// A predicate panicked on the mutant (counted as not flagged, and listed).
    Panicked,
}

fn score_case(case: &Case, options: &ScoreOptions) -> CaseScore {
    let config = Config {
        profile: options.profile,
        deviations: Vec::new(),
    };
    let reference = model::run(&case.plan, &config);
    let baseline = violations(&case.plan, &reference, options).unwrap_or_default();
    let scored = mutations(&reference)
        .into_iter()
        .map(|mutation| Scored {
            mutation,
            judged: judge(&case.plan, &reference, &baseline, mutation, options),
        })
        .collect();
    CaseScore {
        reference,
        baseline,
        scored,
    }
}

/// Scores the cases that apply in `options.profile`, in parallel, with results
/// in case order whatever the number of jobs.
pub fn score(cases: &[Arc<Case>], options: &ScoreOptions) -> ProfileScore {
    let cases: Vec<&Arc<Case>> = cases
        .iter()
        .filter(|c| c.applies_in(options.profile))
        .collect();
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, CaseScore)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..options.jobs.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(case) = cases.get(i) else { break };
                        mine.push((i, score_case(case, options)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a scoring thread panicked"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    aggregate(
        options.profile,
        cases.iter().zip(results.iter().map(|(_, r)| r)),
    )
}

/// The survivor groups' key.
type GroupKey = (String, &'static str, String);

#[derive(Default)]
struct Group {
    count: u64,
    families: Vec<Family>,
    example: String,
}

fn aggregate<'a>(
    profile: Profile,
    results: impl Iterator<Item = (&'a &'a Arc<Case>, &'a CaseScore)>,
) -> ProfileScore {
    let mut cases = 0;
    let mut unchanged = 0;
    let mut overall = Tally::default();
    let mut by_cited: BTreeMap<Family, Tally> = BTreeMap::new();
    let mut by_cited_calls: BTreeMap<Family, Tally> = BTreeMap::new();
    let mut by_owner: BTreeMap<Family, Tally> = BTreeMap::new();
    let mut by_site: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut baseline = Vec::new();
    let mut panics = Vec::new();
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    for (case, r) in results {
        cases += 1;
        let cited = attribute::cited(&case.rules);
        if !r.baseline.is_empty() {
            baseline.push(Baseline {
                case: case.name.clone(),
                violations: r.baseline.iter().map(ToString::to_string).collect(),
            });
        }
        for s in &r.scored {
            let flagged = match s.judged {
                Judged::Unchanged => {
                    unchanged += 1;
                    continue;
                }
                Judged::Flagged => true,
                Judged::Survived | Judged::Panicked => false,
            };
            overall.add(flagged);
            by_site
                .entry(site_class(s.mutation.site))
                .or_default()
                .add(flagged);
            for f in &cited {
                by_cited.entry(*f).or_default().add(flagged);
                if matches!(s.mutation.site, Site::Event(_)) {
                    by_cited_calls.entry(*f).or_default().add(flagged);
                }
            }
            by_owner
                .entry(attribute::owner(&r.reference, s.mutation.site))
                .or_default()
                .add(flagged);
            if s.judged == Judged::Panicked {
                panics.push(format!(
                    "{}: {}",
                    case.name,
                    describe(&r.reference, s.mutation)
                ));
            }
            if flagged {
                continue;
            }
            let (operation, context) = place(&r.reference, s.mutation.site);
            let g = groups
                .entry((operation, group_name(&r.reference, s.mutation), context))
                .or_default();
            g.count += 1;
            for f in &cited {
                if !g.families.contains(f) {
                    g.families.push(*f);
                }
            }
            if g.example.is_empty() {
                g.example = format!("{}: {}", case.name, describe(&r.reference, s.mutation));
            }
        }
    }
    let mut survivors: Vec<Survivor> = groups
        .into_iter()
        .map(|((operation, mutation, context), mut g)| {
            g.families.sort();
            Survivor {
                reason: reasons::known(&operation, mutation, &context),
                operation,
                mutation,
                context,
                count: g.count,
                families: g.families,
                example: g.example,
            }
        })
        .collect();
    // Most frequent first; ties in key order (the map's), so the list is stable.
    survivors.sort_by_key(|s| std::cmp::Reverse(s.count));
    ProfileScore {
        profile,
        cases,
        unchanged,
        overall,
        by_cited_family: tallies(by_cited),
        by_cited_family_calls: tallies(by_cited_calls),
        by_owner_family: tallies(by_owner),
        by_site: SITES
            .iter()
            .map(|name| SiteTally {
                site: name,
                tally: by_site.get(name).copied().unwrap_or_default(),
            })
            .collect(),
        baseline,
        panics,
        survivors,
    }
}

fn tallies(map: BTreeMap<Family, Tally>) -> Vec<FamilyTally> {
    map.into_iter()
        .map(|(family, t)| FamilyTally {
            family,
            mutations: t.mutations,
            flagged: t.flagged,
            share: t.share(),
        })
        .collect()
}

/// The name a surviving mutation is grouped under: its kind, with return-code
/// changes split by direction, since a refusal turned into success and one
/// failure code turned into another are different questions for a reader.
fn group_name(t: &Transcript, m: Mutation) -> &'static str {
    let Kind::Rc(to) = m.kind else {
        return m.kind.name();
    };
    let from = match m.site {
        Site::Event(i) => t.events.get(i).and_then(|e| e.outcome.rc),
        _ => None,
    };
    match (from, to) {
        (Some(0), _) => RC_GROUPS[1],
        (_, 0) => RC_GROUPS[0],
        _ => RC_GROUPS[2],
    }
}

/// The groups of return-code mutations: to success, from success to an
/// error, from one error to another.
pub const RC_GROUPS: [&str; 3] = ["rc-to-success", "rc-to-error", "rc-to-other-error"];

/// The operation and context a mutated site belongs to, for grouping.
fn place(t: &Transcript, site: Site) -> (String, String) {
    match site {
        Site::Event(i) => {
            let e = &t.events[i];
            (e.call.kind().name().to_owned(), e.context.name().to_owned())
        }
        Site::Run(i) => ("probe-run".to_owned(), t.runs[i].context.name().to_owned()),
        Site::Action(_) => ("action".to_owned(), "install".to_owned()),
        Site::Install => ("install-result".to_owned(), "install".to_owned()),
    }
}

/// Where a mutation was made and what it did, for examples.
fn describe(t: &Transcript, m: Mutation) -> String {
    match m.site {
        Site::Event(i) => {
            let e = &t.events[i];
            format!("{} gave {}; mutated {m}", e.step(), e.outcome.describe())
        }
        Site::Run(i) => {
            let r = &t.runs[i];
            let nth = t.runs[..=i].iter().filter(|x| x.probe == r.probe).count();
            format!("run {nth} of {}; mutated {m}", r.probe)
        }
        Site::Action(i) => {
            let a = &t.actions[i];
            let result = a.result.map_or("no result".to_owned(), |r| r.to_string());
            format!("action {} logged {result}; mutated {m}", a.name)
        }
        Site::Install => format!(
            "install returned {}; mutated {m}",
            t.install_result
                .map_or("nothing".to_owned(), |r| r.to_string())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use msiconf_spec::{Context, Event, Operation, Outcome};

    fn options() -> ScoreOptions {
        ScoreOptions {
            profile: Profile::Windows,
            without: Vec::new(),
            jobs: 1,
        }
    }

    #[test]
    fn a_mutation_that_changes_nothing_is_not_counted() {
        let t = Transcript {
            events: vec![Event {
                probe: "@package".into(),
                context: Context::Package,
                index: 0,
                call: Operation::GetLanguage,
                outcome: Outcome {
                    value: Some("123".into()),
                    ..Outcome::default()
                },
            }],
            ..Transcript::default()
        };
        let plan = Plan::default();
        // Digits have no case, and there is no sixth run to drop.
        for mutation in [
            Mutation {
                site: Site::Event(0),
                kind: Kind::ValueCaseFlipped,
            },
            Mutation {
                site: Site::Run(5),
                kind: Kind::RunDropped,
            },
        ] {
            assert_eq!(
                judge(&plan, &t, &[], mutation, &options()),
                Judged::Unchanged
            );
        }
        let changed = Mutation {
            site: Site::Event(0),
            kind: Kind::ValueEmptied,
        };
        assert_ne!(
            judge(&plan, &t, &[], changed, &options()),
            Judged::Unchanged
        );
    }

    #[test]
    fn tallies_count_shares() {
        let mut t = Tally::default();
        assert_eq!(t.share(), 1.0);
        t.add(true);
        t.add(false);
        assert_eq!(
            t,
            Tally {
                mutations: 2,
                flagged: 1
            }
        );
        assert_eq!(t.share(), 0.5);
    }
}
