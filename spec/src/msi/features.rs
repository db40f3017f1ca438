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
}

impl Package {
    /// Reads the tables through `rows(table, columns)`, which yields each
    /// row's cells for the named columns ("" for NULL or a missing column).
    pub fn read(rows: impl Fn(&str, &[&str]) -> Vec<Vec<String>>) -> Package {
        let int = |s: &str, default: i64| s.trim().parse().unwrap_or(default);
        let features = rows("Feature", &["Feature", "Level", "Attributes"])
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
        Package {
            features,
            components,
            links,
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
