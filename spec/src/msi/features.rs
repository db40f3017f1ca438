//! Features and components: the states MsiGetFeatureState and
//! MsiGetComponentState report, read from the Feature, Component and
//! FeatureComponents tables.
//!
//! Every package msiconf installs is a first install of its product, so
//! after costing each feature and each registered component (one with a
//! ComponentId) is installed-state ABSENT; CostFinalize selects a feature for
//! a local install when its Level is between 1 and INSTALLLEVEL, and a
//! component follows the features that carry it. The reference model and
//! the FEATURE-* and COMPONENT-* predicates both read the package through
//! [`Package`].

use std::collections::{BTreeMap, BTreeSet};

/// INSTALLSTATE values.
pub mod state {
    /// No action, or not known.
    pub const UNKNOWN: i64 = -1;
    pub const ADVERTISED: i64 = 1;
    pub const ABSENT: i64 = 2;
    pub const LOCAL: i64 = 3;
    pub const SOURCE: i64 = 4;
    pub const DEFAULT: i64 = 5;
}

/// ERROR_UNKNOWN_FEATURE.
pub const UNKNOWN_FEATURE: u32 = 1606;
/// ERROR_UNKNOWN_COMPONENT.
pub const UNKNOWN_COMPONENT: u32 = 1607;

/// The INSTALLLEVEL a package without the property installs at.
pub const DEFAULT_INSTALL_LEVEL: i64 = 1;

/// A row of the Feature table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    pub level: i64,
    pub attributes: i64,
}

/// A row of the Component table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// The ComponentId column is set (the component is registered).
    pub registered: bool,
    pub attributes: i64,
}

/// The feature and component tables of a package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Package {
    pub features: BTreeMap<String, Feature>,
    pub components: BTreeMap<String, Component>,
    /// (feature, component) pairs of FeatureComponents.
    pub links: BTreeSet<(String, String)>,
    /// Feature_Parent of each feature that has one.
    pub parents: BTreeMap<String, String>,
    /// The FileSize of each file of the File table, by its component.
    pub files: BTreeMap<String, Vec<i64>>,
}

impl Package {
    /// Reads the tables through `rows(table, columns)`, which yields each
    /// row's cells for the named columns ("" for NULL or a missing column).
    pub fn read(rows: impl Fn(&str, &[&str]) -> Vec<Vec<String>>) -> Package {
        let int = |s: &str, default: i64| s.trim().parse().unwrap_or(default);
        let feature_rows = rows(
            "Feature",
            &["Feature", "Level", "Attributes", "Feature_Parent"],
        );
        let parents = feature_rows
            .iter()
            .filter(|r| !r[3].is_empty())
            .map(|r| (r[0].clone(), r[3].clone()))
            .collect();
        let features = feature_rows
            .into_iter()
            .map(|r| {
                (
                    r[0].clone(),
                    Feature {
                        level: int(&r[1], 0),
                        attributes: int(&r[2], 0),
                    },
                )
            })
            .collect();
        let components = rows("Component", &["Component", "ComponentId", "Attributes"])
            .into_iter()
            .map(|r| {
                (
                    r[0].clone(),
                    Component {
                        registered: !r[1].is_empty(),
                        attributes: int(&r[2], 0),
                    },
                )
            })
            .collect();
        let links = rows("FeatureComponents", &["Feature_", "Component_"])
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        let mut files: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for r in rows("File", &["Component_", "FileSize"]) {
            files.entry(r[0].clone()).or_default().push(int(&r[1], 0));
        }
        Package {
            features,
            components,
            links,
            parents,
            files,
        }
    }

    /// The tables of a fixture.
    pub fn of_fixture(fixture: &crate::Fixture) -> Package {
        Package::read(|table, cols| {
            let Some(t) = fixture.table(table) else {
                return Vec::new();
            };
            let idx: Vec<Option<usize>> = cols
                .iter()
                .map(|c| t.columns.iter().position(|k| k.name == *c))
                .collect();
            t.rows
                .iter()
                .map(|r| {
                    idx.iter()
                        .map(|i| i.and_then(|i| r.get(i).cloned()).unwrap_or_default())
                        .collect()
                })
                .collect()
        })
    }

    /// The action state CostFinalize gives a feature at `install_level`:
    /// LOCAL when its level is between 1 and the install level, no action otherwise.
    pub fn feature_action(&self, name: &str, install_level: i64) -> Option<i64> {
        let f = self.features.get(name)?;
        Some(if f.level > 0 && f.level <= install_level {
            state::LOCAL
        } else {
            state::UNKNOWN
        })
    }

    /// The installed state of a feature on a first install.
    pub fn feature_installed(&self, name: &str) -> Option<i64> {
        self.features.get(name).map(|_| state::ABSENT)
    }

    /// The installed state of a component on a first install: ABSENT when it
    /// is registered, not known without a ComponentId.
    pub fn component_installed(&self, name: &str) -> Option<i64> {
        let c = self.components.get(name)?;
        Some(if c.registered {
            state::ABSENT
        } else {
            state::UNKNOWN
        })
    }

    /// The action state of a component after costing, for a component whose
    /// Attributes ask for a local install (0): LOCAL when a feature carrying
    /// it is selected, no action when none carries it. `None` for other
    /// attributes, whose action the sources leave to the component's flags.
    pub fn component_action(&self, name: &str, install_level: i64) -> Option<i64> {
        let c = self.components.get(name)?;
        if c.attributes != 0 {
            return None;
        }
        let mut carried = false;
        for (f, _) in self.links.iter().filter(|(_, k)| k == name) {
            carried = true;
            if self.feature_action(f, install_level) == Some(state::LOCAL) {
                return Some(state::LOCAL);
            }
        }
        // A component whose features are all deselected: left to the sources' silence.
        (!carried).then_some(state::UNKNOWN)
    }
}

impl Package {
    /// The action state a component takes when `feature` is set to `wanted`:
    /// only for a local-only component (Attributes 0) that `feature` alone
    /// carries, which a request to install puts LOCAL (the page's example: a
    /// local-only component requested from source stays local) and a request
    /// to remove puts ABSENT. `None` where the sources leave it open.
    pub fn component_follows(&self, component: &str, feature: &str, wanted: i64) -> Option<i64> {
        let c = self.components.get(component)?;
        let carriers: Vec<&String> = self
            .links
            .iter()
            .filter(|(_, k)| k == component)
            .map(|(f, _)| f)
            .collect();
        if c.attributes != 0 || carriers.len() != 1 || carriers[0] != feature {
            return None;
        }
        match wanted {
            state::LOCAL | state::SOURCE => Some(state::LOCAL),
            state::ABSENT => Some(state::ABSENT),
            _ => None,
        }
    }
}

/// MSICOSTTREE values: which features MsiGetFeatureCost adds up.
pub mod cost_tree {
    pub const SELF_ONLY: i32 = 0;
    pub const CHILDREN: i32 = 1;
    pub const PARENTS: i32 = 2;
}

/// Bits of the mask MsiGetFeatureValidStates reports: `1 << INSTALLSTATE`.
pub mod valid {
    pub const ADVERTISED: u32 = 1 << 1;
    pub const ABSENT: u32 = 1 << 2;
    pub const LOCAL: u32 = 1 << 3;
    pub const SOURCE: u32 = 1 << 4;
}

/// Component Attributes bits: msidbComponentAttributesSourceOnly (1) and
/// msidbComponentAttributesOptional (2); neither means local only.
const SOURCE_ONLY: i64 = 1;
const OPTIONAL: i64 = 2;
/// Feature Attributes: msidbFeatureAttributesDisallowAdvertise (8) and
/// msidbFeatureAttributesUIDisallowAbsent (16).
const DISALLOW_ADVERTISE: i64 = 8;
const UI_DISALLOW_ABSENT: i64 = 16;

/// The allocation unit costs are rounded to on the volumes the Windows
/// figures were recorded on (4 KiB clusters), and the 512-byte unit every cost
/// is reported in.
pub const CLUSTER_BYTES: i64 = 4096;
pub const COST_UNIT_BYTES: i64 = 512;

/// The temporary cost, in 512-byte units, the reference model reports for
/// the installer itself (MsiEnumComponentCosts with no component): the sources
/// say only that it is not nothing.
pub const ENGINE_TEMP_COST: i64 = 4096;

/// What a file of `size` bytes costs on a 4 KiB-cluster volume, in 512-byte
/// units: its size rounded up to whole clusters (custom.c test_costs records
/// 8 for a small file on Windows).
pub fn file_cost(size: i64) -> i64 {
    let clusters = (size.max(0) + CLUSTER_BYTES - 1) / CLUSTER_BYTES;
    clusters * (CLUSTER_BYTES / COST_UNIT_BYTES)
}

impl Package {
    /// The components FeatureComponents links to `feature`.
    pub fn components_of<'a>(&'a self, feature: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.links
            .iter()
            .filter(move |(f, _)| f == feature)
            .map(|(_, c)| c.as_str())
    }

    /// Whether a component may be installed locally (not source-only).
    pub fn runs_local(&self, component: &str) -> bool {
        self.components
            .get(component)
            .is_some_and(|c| c.attributes & (SOURCE_ONLY | OPTIONAL) != SOURCE_ONLY)
    }

    /// Whether a component may run from the source (source-only or optional).
    pub fn runs_from_source(&self, component: &str) -> bool {
        self.components
            .get(component)
            .is_some_and(|c| c.attributes & (SOURCE_ONLY | OPTIONAL) != 0)
    }

    /// The valid-states mask the reference model reports for a feature: LOCAL
    /// and SOURCE as its components allow, ABSENT unless the feature forbids
    /// it, ADVERTISED unless the feature disallows advertising.
    pub fn valid_states(&self, feature: &str) -> Option<u32> {
        let f = self.features.get(feature)?;
        let mut mask = 0;
        if self.components_of(feature).any(|c| self.runs_local(c)) {
            mask |= valid::LOCAL;
        }
        if self
            .components_of(feature)
            .any(|c| self.runs_from_source(c))
        {
            mask |= valid::SOURCE;
        }
        if f.attributes & UI_DISALLOW_ABSENT == 0 {
            mask |= valid::ABSENT;
        }
        if f.attributes & DISALLOW_ADVERTISE == 0 {
            mask |= valid::ADVERTISED;
        }
        Some(mask)
    }

    /// The bits of a feature's valid-states mask the sources settle, as
    /// (bits that must be set, bits that must be clear): LOCAL when a
    /// component of the feature may be installed locally, no SOURCE when none
    /// may run from the source.
    pub fn valid_states_settled(&self, feature: &str) -> Option<(u32, u32)> {
        self.features.get(feature)?;
        let mut set = 0;
        let mut clear = 0;
        if self.components_of(feature).any(|c| self.runs_local(c)) {
            set |= valid::LOCAL;
        }
        if self.components_of(feature).next().is_some()
            && !self
                .components_of(feature)
                .any(|c| self.runs_from_source(c))
        {
            clear |= valid::SOURCE;
        }
        Some((set, clear))
    }

    /// What a component costs on its drive when requested `wanted`, in
    /// 512-byte units: its files when installed locally, nothing otherwise
    /// (a first install has nothing to remove).
    pub fn component_cost(&self, component: &str, wanted: i64) -> Option<i64> {
        self.components.get(component)?;
        if wanted != state::LOCAL {
            return Some(0);
        }
        Some(
            self.files
                .get(component)
                .map(|sizes| sizes.iter().map(|s| file_cost(*s)).sum())
                .unwrap_or(0),
        )
    }

    /// A feature's own cost: that of every component it carries.
    fn own_cost(&self, feature: &str, wanted: i64) -> i64 {
        self.components_of(feature)
            .filter_map(|c| self.component_cost(c, wanted))
            .sum()
    }

    /// MsiGetFeatureCost of `feature` for `tree` and `wanted`: its own cost,
    /// plus its descendants' (CHILDREN) or its ancestors' (PARENTS).
    pub fn feature_cost(&self, feature: &str, tree: i32, wanted: i64) -> Option<i64> {
        self.features.get(feature)?;
        let mut total = self.own_cost(feature, wanted);
        match tree {
            cost_tree::CHILDREN => {
                let mut stack: Vec<&str> = vec![feature];
                while let Some(f) = stack.pop() {
                    for (child, _) in self.parents.iter().filter(|(_, p)| p.as_str() == f) {
                        total += self.own_cost(child, wanted);
                        stack.push(child);
                    }
                }
            }
            cost_tree::PARENTS => {
                let mut at = feature;
                let mut seen = BTreeSet::new();
                while let Some(p) = self.parents.get(at) {
                    if !seen.insert(p.as_str()) {
                        break;
                    }
                    total += self.own_cost(p, wanted);
                    at = p;
                }
            }
            _ => {}
        }
        Some(total)
    }

    /// The action state MsiSetInstallLevel(`level`) gives a feature once the
    /// session has costed: LOCAL when its Level is between 1 and `level`.
    /// `None` otherwise: the sources leave a feature the new level leaves
    /// out open (the reference model gives it no action, as CostFinalize does).
    pub fn level_selection(&self, feature: &str, level: i64) -> Option<i64> {
        let f = self.features.get(feature)?;
        (f.level > 0 && f.level <= level).then_some(state::LOCAL)
    }

    /// Whether a feature stands alone: no parent and no children, so every
    /// cost tree adds up the same components.
    pub fn stands_alone(&self, feature: &str) -> bool {
        !self.parents.contains_key(feature) && !self.parents.values().any(|p| p == feature)
    }
}

/// The drive MsiEnumComponentCosts names for a path: its first two
/// characters ("C:"), or `None` when the path does not start with a drive.
pub fn drive_of(path: &str) -> Option<&str> {
    let b = path.as_bytes();
    (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':').then(|| &path[..2])
}

/// The cost and temporary cost of an enumeration, as the one row of its
/// outcome's `rows`.
pub fn costs_row(cost: i64, temp: i64) -> Vec<Vec<String>> {
    states_row(cost, temp)
}

/// The (cost, temporary cost) pair of an outcome's rows.
pub fn costs_of(rows: Option<&Vec<Vec<String>>>) -> Option<(i64, i64)> {
    states_of(rows)
}

/// The states reported as the `rows` of a state getter's outcome: one row
/// holding the installed state and the action state in decimal.
pub fn states_row(installed: i64, action: i64) -> Vec<Vec<String>> {
    vec![vec![installed.to_string(), action.to_string()]]
}

/// The (installed, action) pair of an outcome's rows, if it holds one.
pub fn states_of(rows: Option<&Vec<Vec<String>>>) -> Option<(i64, i64)> {
    let row = rows?.first()?;
    match row.as_slice() {
        [a, b] => Some((a.parse().ok()?, b.parse().ok()?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg() -> Package {
        Package::of_fixture(&{
            let mut f = crate::Fixture::standard();
            f.tables.extend(crate::fixture::standard_tree());
            f
        })
    }

    #[test]
    fn the_standard_tree_installs_locally_at_level_one() {
        let p = pkg();
        assert_eq!(p.feature_action("One", 1), Some(state::LOCAL));
        assert_eq!(p.feature_action("One", 0), Some(state::UNKNOWN));
        assert_eq!(p.feature_installed("One"), Some(state::ABSENT));
        assert_eq!(p.component_action("Child", 1), Some(state::LOCAL));
        assert_eq!(p.component_action("Dangler", 1), Some(state::UNKNOWN));
        assert_eq!(p.component_installed("Root"), Some(state::ABSENT));
        assert_eq!(p.feature_action("fake", 1), None);
    }

    #[test]
    fn states_round_trip_through_rows() {
        let rows = states_row(2, 3);
        assert_eq!(states_of(Some(&rows)), Some((2, 3)));
        assert_eq!(states_of(None), None);
    }
}
