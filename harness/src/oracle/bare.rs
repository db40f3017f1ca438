//! Bare differences: generated plans on which a broken runtime departs from
//! the reference and no predicate says so.
//!
//! The fuzzer's generator makes the plans ([`PlanGenerator`], plan `i` from
//! `plan_seed(seed, i)`, as `msiconf fuzz` does) and its differential
//! comparison ([`compare`]) decides whether two transcripts differ. A plan
//! *differs* for a runtime when the comparison finds anything; the difference
//! is *bare* when the runtime's transcript has no violation that the
//! reference's transcript of the same plan does not also have.

use crate::fuzz::compare::compare;
use crate::fuzz::generate::{plan_seed, Capabilities, PlanGenerator};
use crate::runtimes::BROKEN_PREFIX;
use msiconf_spec::model::{self, Config, Deviation};
use msiconf_spec::{Family, Profile};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// One broken runtime's differences.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BareRuntime {
    pub runtime: String,
    /// The rules it is built to break.
    pub breaks: Vec<&'static str>,
    /// The families of those rules.
    pub families: Vec<Family>,
    /// Plans on which its transcript differs from the reference's.
    pub differing: u64,
    /// Of those, plans on which no predicate flags anything new.
    pub bare: u64,
    /// The seed of the first bare plan (`msiconf fuzz --seed S --plans 1` replays it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bare_seed: Option<u64>,
}

impl BareRuntime {
    /// `bare / differing` (0 when nothing differed).
    pub fn share(&self) -> f64 {
        share(self.bare, self.differing)
    }
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The runtimes that break a rule of one family, summed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BareFamily {
    pub family: Family,
    pub runtimes: usize,
    pub differing: u64,
    pub bare: u64,
    /// `bare / differing`.
    pub share: f64,
}

/// Bare differences of every broken runtime under one profile.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BareScore {
    pub profile: Profile,
    pub plans: u64,
    pub seed: u64,
    /// Plans on which the reference itself breaks a predicate (subtracted as a baseline).
    pub reference_violation_plans: u64,
    pub runtimes: Vec<BareRuntime>,
    pub families: Vec<BareFamily>,
}

/// Per runtime: plans that differed, bare ones, and the first bare seed.
#[derive(Debug, Clone, Copy, Default)]
struct Count {
    differing: u64,
    bare: u64,
    first_bare: Option<u64>,
}

/// Runs `plans` generated plans on the reference and on every broken runtime.
pub fn bare_differences(profile: Profile, plans: u64, seed: u64, jobs: usize) -> BareScore {
    let deviations = Deviation::ALL;
    let next = AtomicU64::new(0);
    let per_worker: Vec<(u64, Vec<Count>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..jobs.max(1))
            .map(|_| s.spawn(|| worker(profile, plans, seed, &next)))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a bare-difference thread panicked"))
            .collect()
    });
    let mut counts = vec![Count::default(); deviations.len()];
    let mut reference_violation_plans = 0;
    for (ref_plans, worker_counts) in per_worker {
        reference_violation_plans += ref_plans;
        for (total, c) in counts.iter_mut().zip(worker_counts) {
            total.differing += c.differing;
            total.bare += c.bare;
            // The smallest seed, whichever worker saw it: the same for any number of jobs.
            total.first_bare = match (total.first_bare, c.first_bare) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
    let runtimes: Vec<BareRuntime> = deviations
        .iter()
        .zip(counts)
        .map(|(d, c)| {
            let mut families: Vec<Family> = d
                .breaks()
                .iter()
                .filter_map(|id| msiconf_spec::rules::find(id))
                .map(|r| r.family)
                .collect();
            families.sort();
            families.dedup();
            BareRuntime {
                runtime: format!("{BROKEN_PREFIX}{}", d.name()),
                breaks: d.breaks().to_vec(),
                families,
                differing: c.differing,
                bare: c.bare,
                first_bare_seed: c.first_bare,
            }
        })
        .collect();
    let mut by_family: BTreeMap<Family, (usize, u64, u64)> = BTreeMap::new();
    for r in &runtimes {
        for f in &r.families {
            let e = by_family.entry(*f).or_default();
            e.0 += 1;
            e.1 += r.differing;
            e.2 += r.bare;
        }
    }
    BareScore {
        profile,
        plans,
        seed,
        reference_violation_plans,
        runtimes,
        families: by_family
            .into_iter()
            .map(|(family, (runtimes, differing, bare))| BareFamily {
                family,
                runtimes,
                differing,
                bare,
                share: share(bare, differing),
            })
            .collect(),
    }
}

/// One thread's share of the plans: it takes the next plan index until none are left.
fn worker(profile: Profile, plans: u64, seed: u64, next: &AtomicU64) -> (u64, Vec<Count>) {
    // The generator's strategies are not `Send`: one per thread.
    let generator = PlanGenerator::new(&Capabilities::everything());
    let reference = Config {
        profile,
        deviations: Vec::new(),
    };
    let mut configs: Vec<Config> = Deviation::ALL
        .iter()
        .map(|d| Config {
            profile,
            deviations: vec![*d],
        })
        .collect();
    let mut counts = vec![Count::default(); configs.len()];
    let mut reference_violation_plans = 0;
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        if index >= plans {
            break;
        }
        let seed = plan_seed(seed, index);
        let plan = generator.plan(seed);
        let expected = model::run(&plan, &reference);
        let mut baseline = None;
        for (config, count) in configs.iter_mut().zip(counts.iter_mut()) {
            let observed = model::run(&plan, config);
            if compare(&expected, &observed).is_empty() {
                continue;
            }
            count.differing += 1;
            let base = baseline.get_or_insert_with(|| {
                let v = msiconf_spec::check(&plan, &expected, profile);
                if !v.is_empty() {
                    reference_violation_plans += 1;
                }
                v
            });
            let named = msiconf_spec::check(&plan, &observed, profile)
                .iter()
                .any(|v| !base.contains(v));
            if !named {
                count.bare += 1;
                count.first_bare = Some(count.first_bare.map_or(seed, |s| s.min(seed)));
            }
        }
    }
    (reference_violation_plans, counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counts_do_not_depend_on_the_number_of_jobs() {
        let one = bare_differences(Profile::Windows, 24, 7, 1);
        let three = bare_differences(Profile::Windows, 24, 7, 3);
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            serde_json::to_string(&three).unwrap()
        );
        assert_eq!(one.runtimes.len(), Deviation::ALL.len());
        // Some broken runtime departs on 24 generated plans, and every count is consistent.
        assert!(one.runtimes.iter().any(|r| r.differing > 0));
        for r in &one.runtimes {
            assert!(r.bare <= r.differing && r.differing <= 24, "{r:?}");
            assert_eq!(r.first_bare_seed.is_some(), r.bare > 0, "{r:?}");
        }
    }
}
