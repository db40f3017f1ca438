//! Feature and component states: MsiGetFeatureState, MsiSetFeatureState,
//! MsiGetComponentState and MsiSetComponentState on top of the shared
//! semantics ([`crate::msi::features`]).

use super::session::Session;
use super::Deviation;
use crate::codes::rc;
use crate::msi::features::{self, state, valid, Package, UNKNOWN_COMPONENT, UNKNOWN_FEATURE};
use crate::{Buffer, HandleArg, Outcome};
use std::collections::BTreeMap;

/// The (installed, action) states of the session's features and components.
#[derive(Debug, Clone, Default)]
pub(crate) struct States {
    /// CostInitialize has loaded the tables.
    pub(crate) loaded: bool,
    pub(crate) features: BTreeMap<String, (i64, i64)>,
    pub(crate) components: BTreeMap<String, (i64, i64)>,
}

impl Session<'_> {
    /// The feature and component tables of the session's database.
    fn feature_package(&self) -> Package {
        Package::read(|table, cols| {
            let Some(t) = self.db.table(table) else {
                return Vec::new();
            };
            let idx: Vec<Option<usize>> = cols
                .iter()
                .map(|c| t.cols.iter().position(|k| k.name == *c))
                .collect();
            t.rows
                .iter()
                .map(|r| {
                    idx.iter()
                        .map(|i| {
                            i.and_then(|i| r.values.get(i))
                                .map(|v| v.render())
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .collect()
        })
    }

    fn install_level(&self) -> i64 {
        self.props
            .get("INSTALLLEVEL")
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(features::DEFAULT_INSTALL_LEVEL)
    }

    /// CostInitialize: every feature and component is known, installed
    /// state as on a first install, no action yet.
    pub(crate) fn load_states(&mut self) {
        let p = self.feature_package();
        self.states.features = p
            .features
            .keys()
            .map(|f| (f.clone(), (state::ABSENT, state::UNKNOWN)))
            .collect();
        self.states.components = p
            .components
            .keys()
            .map(|c| {
                let installed = p.component_installed(c).unwrap_or(state::UNKNOWN);
                (c.clone(), (installed, state::UNKNOWN))
            })
            .collect();
        self.states.loaded = true;
    }

    /// CostFinalize: features are selected by level, components follow them.
    pub(crate) fn select_states(&mut self) {
        if !self.states.loaded {
            self.load_states();
        }
        let p = self.feature_package();
        let level = self.install_level();
        for (name, (_, action)) in self.states.features.iter_mut() {
            *action = p.feature_action(name, level).unwrap_or(state::UNKNOWN);
        }
        let local_anyway = self.b.on(Deviation::ComponentActionIgnoresFeatures);
        for (name, (_, action)) in self.states.components.iter_mut() {
            *action = if local_anyway {
                state::LOCAL
            } else {
                p.component_action(name, level).unwrap_or(state::LOCAL)
            };
        }
    }

    /// What a NULL out-pointer gets: 87 in the installer's own process,
    /// RPC_X_NULL_REF_POINTER through a custom action's bridge.
    fn null_out_code(&self) -> u32 {
        if self.frame().exec.in_custom_action() && !self.b.on(Deviation::NullOutPointerIs87) {
            crate::codes::rc::RPC_X_NULL_REF_POINTER
        } else {
            rc::INVALID_PARAMETER
        }
    }

    /// Whether the call comes from a deferred, rollback or commit action,
    /// which cannot reach the states (STATE-DEFERRED).
    fn states_refused(&self) -> bool {
        self.frame().exec.in_script() && !self.b.on(Deviation::StateCallsInScript)
    }

    pub(crate) fn get_state(&self, feature: bool, name: Option<&str>, null_out: bool) -> Outcome {
        let unknown = if feature {
            UNKNOWN_FEATURE
        } else {
            UNKNOWN_COMPONENT
        };
        if self.states_refused() {
            return Outcome::rc(rc::FUNCTION_FAILED);
        }
        let table = if feature {
            &self.states.features
        } else {
            &self.states.components
        };
        let found = name.and_then(|n| {
            if self.b.on(Deviation::StateNamesFoldCase) {
                table
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(n))
                    .map(|(_, v)| *v)
            } else {
                table.get(n).copied()
            }
        });
        // Through the custom-action bridge a NULL out-pointer is refused while
        // the call is marshalled, before the name is looked up.
        if null_out && self.frame().exec.in_custom_action() {
            return Outcome::rc(self.null_out_code());
        }
        let Some((installed, action)) = found else {
            return Outcome::rc(unknown);
        };
        if null_out {
            return Outcome::rc(self.null_out_code());
        }
        let installed = if feature && self.b.on(Deviation::FeatureInstalledReportedLocal) {
            state::LOCAL
        } else {
            installed
        };
        Outcome {
            rc: Some(rc::SUCCESS),
            rows: Some(features::states_row(installed, action)),
            ..Outcome::default()
        }
    }

    pub(crate) fn set_state(&mut self, feature: bool, name: Option<&str>, wanted: i32) -> u32 {
        let unknown = if feature {
            UNKNOWN_FEATURE
        } else {
            UNKNOWN_COMPONENT
        };
        if self.states_refused() {
            return rc::FUNCTION_FAILED;
        }
        let ignore = self.b.on(if feature {
            Deviation::FeatureSetStateIgnored
        } else {
            Deviation::ComponentSetStateIgnored
        });
        let table = if feature {
            &mut self.states.features
        } else {
            &mut self.states.components
        };
        let Some(entry) = name.and_then(|n| table.get_mut(n)) else {
            return unknown;
        };
        let wanted = i64::from(wanted);
        if !matches!(
            wanted,
            state::ADVERTISED | state::ABSENT | state::LOCAL | state::SOURCE
        ) {
            return rc::INVALID_PARAMETER;
        }
        if !ignore {
            entry.1 = wanted;
        }
        if feature && !ignore && !self.b.on(Deviation::FeatureStateDoesNotPropagate) {
            if let Some(f) = name {
                self.propagate_feature(f, wanted);
            }
        }
        rc::SUCCESS
    }

    /// MsiSetFeatureAttributes: only between CostInitialize and CostFinalize
    /// (FEATURE-ATTRIBUTES-WINDOW); the model keeps no attributes, since no
    /// call reads them back.
    pub(crate) fn set_feature_attributes(&mut self, name: Option<&str>) -> u32 {
        if self.states_refused() {
            return rc::FUNCTION_FAILED;
        }
        let in_window = self.states.loaded && !self.costed;
        if !in_window && !self.b.on(Deviation::FeatureAttributesAnyTime) {
            return rc::FUNCTION_FAILED;
        }
        match name {
            Some(n) if self.states.features.contains_key(n) => rc::SUCCESS,
            _ => UNKNOWN_FEATURE,
        }
    }

    /// MsiSetFeatureState moves the components the feature carries
    /// (FEATURE-STATE-PROPAGATES): a local-only component follows a request
    /// to install (locally, even one from source) or to remove.
    fn propagate_feature(&mut self, feature: &str, wanted: i64) {
        let p = self.feature_package();
        for (name, entry) in self.states.components.iter_mut() {
            if let Some(action) = p.component_follows(name, feature, wanted) {
                entry.1 = action;
            }
        }
    }

    /// MsiSetInstallLevel after costing (INSTALL-LEVEL-SELECTS): every feature
    /// is selected again for the new level, and its components follow it.
    pub(crate) fn reselect_features(&mut self, level: i64) {
        let p = self.feature_package();
        let chosen: Vec<(String, i64)> = self
            .states
            .features
            .keys()
            .filter_map(|f| p.level_selection(f, level).map(|a| (f.clone(), a)))
            .collect();
        for (f, action) in chosen {
            if let Some(entry) = self.states.features.get_mut(&f) {
                entry.1 = action;
            }
            self.propagate_feature(&f, action);
        }
    }

    /// MsiGetFeatureValidStates (FEATURE-VALID-STATES).
    pub(crate) fn get_valid_states(&self, name: Option<&str>, null_out: bool) -> Outcome {
        if self.states_refused() {
            return Outcome::rc(rc::FUNCTION_FAILED);
        }
        if null_out && self.frame().exec.in_custom_action() {
            return Outcome::rc(self.null_out_code());
        }
        if self.b.on(Deviation::ValidStatesStub) {
            return Outcome {
                rc: Some(rc::SUCCESS),
                number: Some(i64::from(valid::LOCAL)),
                ..Outcome::default()
            };
        }
        let Some(name) = name.filter(|n| self.states.features.contains_key(*n)) else {
            return Outcome::rc(UNKNOWN_FEATURE);
        };
        if null_out {
            return Outcome::rc(self.null_out_code());
        }
        let mut mask = self.feature_package().valid_states(name).unwrap_or(0);
        if self.b.on(Deviation::ValidStatesOfferSource) {
            mask |= valid::SOURCE;
        }
        Outcome {
            rc: Some(rc::SUCCESS),
            number: Some(i64::from(mask)),
            ..Outcome::default()
        }
    }

    /// MsiGetFeatureCost (FEATURE-COST-ARGS, FEATURE-COST). Before CostFinalize
    /// nothing has been costed and the model reports 0.
    pub(crate) fn get_feature_cost(
        &self,
        name: Option<&str>,
        tree: i32,
        wanted: i32,
        null_out: bool,
    ) -> Outcome {
        if self.states_refused() {
            return Outcome::rc(rc::FUNCTION_FAILED);
        }
        let Some(name) = name else {
            return Outcome::rc(rc::INVALID_PARAMETER);
        };
        if null_out && self.frame().exec.in_custom_action() {
            return Outcome::rc(self.null_out_code());
        }
        if !self.states.features.contains_key(name) {
            if self.b.on(Deviation::FeatureCostUnknownSucceeds) {
                return Outcome {
                    rc: Some(rc::SUCCESS),
                    number: Some(0),
                    ..Outcome::default()
                };
            }
            return Outcome::rc(UNKNOWN_FEATURE);
        }
        if null_out {
            return Outcome::rc(self.null_out_code());
        }
        let p = self.feature_package();
        let mut cost = if self.costed {
            p.feature_cost(name, tree, i64::from(wanted)).unwrap_or(0)
        } else {
            0
        };
        if tree != features::cost_tree::SELF_ONLY
            && self.b.on(Deviation::FeatureCostTreeAddsSelfTwice)
        {
            cost += p
                .feature_cost(name, features::cost_tree::SELF_ONLY, i64::from(wanted))
                .unwrap_or(0);
        }
        Outcome {
            rc: Some(rc::SUCCESS),
            number: Some(cost),
            ..Outcome::default()
        }
    }

    /// MsiEnumComponentCosts (COMPONENT-COSTS-ARGS, COMPONENT-COSTS): one
    /// drive, the target root's; the installer's own costs when no component
    /// is named.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn enum_component_costs(
        &self,
        component: Option<&str>,
        index: u32,
        wanted: i32,
        buffer: Buffer,
        null_cost: bool,
        null_temp: bool,
    ) -> Outcome {
        if self.states_refused() {
            return Outcome::rc(rc::FUNCTION_FAILED);
        }
        let null_pointer = null_cost
            || null_temp
            || matches!(
                buffer,
                Buffer::NullSize | Buffer::NullBoth | Buffer::NullBuffer(_)
            );
        if null_pointer && !self.b.on(Deviation::ComponentCostsNullAccepted) {
            return Outcome::rc(rc::INVALID_PARAMETER);
        }
        if !self.costed {
            return Outcome::rc(rc::FUNCTION_NOT_CALLED);
        }
        let component = component.filter(|c| !c.is_empty());
        let p = self.feature_package();
        let (cost, temp) = match component {
            None => (0, features::ENGINE_TEMP_COST),
            Some(c) => match p.component_cost(c, i64::from(wanted)) {
                Some(cost) => (cost, 0),
                None => return Outcome::rc(UNKNOWN_COMPONENT),
            },
        };
        if index > 0 {
            return Outcome::rc(rc::NO_MORE_ITEMS);
        }
        let root = self.root_drive();
        let mut drive = features::drive_of(&root).unwrap_or("C:").to_owned();
        if self.b.on(Deviation::ComponentCostsDriveWithSeparator) {
            drive.push('\\');
        }
        let buffer = if null_pointer { Buffer::Ample } else { buffer };
        let mut o = self.string_result(&drive, buffer, false, false);
        if matches!(o.rc, Some(rc::SUCCESS) | Some(rc::MORE_DATA)) {
            o.rows = Some(features::costs_row(cost, temp));
        }
        o
    }

    /// MsiVerifyDiskSpace (DISK-SPACE): the model's packages always fit.
    pub(crate) fn verify_disk_space(&self, handle: HandleArg) -> u32 {
        if handle != HandleArg::Session && !self.b.on(Deviation::DiskSpaceAnyHandle) {
            return rc::INVALID_HANDLE;
        }
        if self.states_refused() {
            return rc::FUNCTION_FAILED;
        }
        if !self.costed {
            return rc::INVALID_HANDLE_STATE;
        }
        rc::SUCCESS
    }
}
