//! The automation Session object that script custom actions use (catalog section H).
//!
//! Each form maps onto the C call it wraps; where the C call returns an error
//! code, the automation form raises an exception instead.

use super::session::{Phase, Session};
use super::Deviation;
use crate::codes::{self, rc};
use crate::{Buffer, HandleArg, Operation, Outcome};

/// The exception automation raises when the call behind it fails.
pub(crate) const DISP_E_EXCEPTION: &str = "DISP_E_EXCEPTION";
/// The exception automation raises for a Null where a string is required.
pub(crate) const DISP_E_TYPEMISMATCH: &str = "DISP_E_TYPEMISMATCH";

fn raise(exception: &str) -> Outcome {
    Outcome {
        exception: Some(exception.to_owned()),
        ..Outcome::default()
    }
}

impl Session<'_> {
    /// Performs an automation form (`session-*`, `installer-open-package`).
    pub(crate) fn automation(&mut self, op: &Operation) -> Outcome {
        let exec = self.frame().exec;
        let b = self.b;
        match op {
            Operation::SessionPropertyGet { name } => {
                let Some(name) = name else {
                    return raise(DISP_E_TYPEMISMATCH);
                };
                let value = self.read_property(name).unwrap_or("").to_owned();
                Outcome {
                    value: Some(value),
                    ..Outcome::default()
                }
            }
            Operation::SessionPropertySet { name, value } => {
                let Some(name) = name else {
                    return raise(DISP_E_TYPEMISMATCH);
                };
                let value = value.as_deref();
                if name.is_empty()
                    && value.is_some_and(|v| !v.is_empty())
                    && !exec.in_script()
                    && b.on(Deviation::SessionPropertyEmptyNameAccepted)
                {
                    return Outcome::default();
                }
                match self.set_property(Some(name), value, HandleArg::Session) {
                    rc::SUCCESS => Outcome::default(),
                    _ => raise(DISP_E_EXCEPTION),
                }
            }
            Operation::SessionDoAction { action } => {
                let Some(action) = action else {
                    return raise(DISP_E_TYPEMISMATCH);
                };
                if exec.in_script() {
                    // DoAction is not among the members a deferred Session offers.
                    return raise(DISP_E_EXCEPTION);
                }
                let code = self.nested_action(action);
                let status = if b.on(Deviation::DoActionStatusNotMapped) {
                    i64::from(code)
                } else {
                    codes::doaction_status(code)
                };
                Outcome::number(status)
            }
            Operation::SessionMode { mode } => Outcome::number(i64::from(self.get_mode(*mode))),
            Operation::SessionSetMode { mode, state } => match self.set_mode(*mode, *state) {
                rc::SUCCESS => Outcome::default(),
                _ => raise(DISP_E_EXCEPTION),
            },
            Operation::SessionLanguage => Outcome::number(self.language()),
            Operation::SessionMessage { .. } => Outcome::number(self.message_status()),
            Operation::SessionEvaluateCondition { condition } => {
                Outcome::number(self.evaluate(condition.as_deref()))
            }
            Operation::SessionDatabase { into } => {
                let h = self.active_database();
                if h == 0 {
                    return raise(DISP_E_EXCEPTION);
                }
                self.handle_outcome(into, h, None)
            }
            Operation::InstallerOpenPackage => {
                if b.on(Deviation::SecondSessionAllowed) || exec.phase == Phase::Package {
                    Outcome::default()
                } else {
                    // One Session object per process (ONE-SESSION).
                    raise(DISP_E_EXCEPTION)
                }
            }
            Operation::SessionTargetPath { folder } | Operation::SessionSourcePath { folder } => {
                let Some(folder) = folder else {
                    return raise(DISP_E_TYPEMISMATCH);
                };
                let got = if matches!(op, Operation::SessionTargetPath { .. }) {
                    self.get_target_path(Some(folder), Buffer::Ample, false, HandleArg::Session)
                } else {
                    self.get_source_path(Some(folder), Buffer::Ample, false, HandleArg::Session)
                };
                match got.rc {
                    Some(rc::SUCCESS) => Outcome {
                        value: got.value,
                        ..Outcome::default()
                    },
                    Some(crate::msi::directory::ERROR_DIRECTORY)
                        if b.on(Deviation::SessionPathUnknownEmpty)
                            && !self.directory_tree().contains(folder) =>
                    {
                        Outcome {
                            value: Some(String::new()),
                            ..Outcome::default()
                        }
                    }
                    _ => raise(DISP_E_EXCEPTION),
                }
            }
            Operation::SessionSetTargetPath { folder, path } => {
                let (Some(folder), Some(path)) = (folder, path) else {
                    return raise(DISP_E_TYPEMISMATCH);
                };
                match self.set_target_path(Some(folder), Some(path), HandleArg::Session) {
                    rc::SUCCESS => Outcome::default(),
                    _ => raise(DISP_E_EXCEPTION),
                }
            }
            Operation::SessionFeatureValidStates { feature }
            | Operation::SessionFeatureCost { feature, .. } => {
                let Some(name) = feature else {
                    return raise(DISP_E_TYPEMISMATCH);
                };
                let got = match op {
                    Operation::SessionFeatureCost { tree, state, .. } => {
                        self.get_feature_cost(Some(name), *tree, *state, false)
                    }
                    _ => self.get_valid_states(Some(name), false),
                };
                match (got.rc, got.number) {
                    (Some(rc::SUCCESS), Some(n)) => Outcome::number(n),
                    _ if b.on(Deviation::SessionCostsUnknownZero)
                        && !self.frame().exec.in_script() =>
                    {
                        Outcome::number(0)
                    }
                    _ => raise(DISP_E_EXCEPTION),
                }
            }
            Operation::SessionFeatureCurrentState { feature: name }
            | Operation::SessionFeatureRequestState { feature: name }
            | Operation::SessionComponentCurrentState { component: name }
            | Operation::SessionComponentRequestState { component: name } => {
                let Some(name) = name else {
                    return raise(DISP_E_TYPEMISMATCH);
                };
                let feature = matches!(
                    op,
                    Operation::SessionFeatureCurrentState { .. }
                        | Operation::SessionFeatureRequestState { .. }
                );
                let current = matches!(
                    op,
                    Operation::SessionFeatureCurrentState { .. }
                        | Operation::SessionComponentCurrentState { .. }
                );
                let got = self.get_state(feature, Some(name), false);
                match crate::msi::features::states_of(got.rows.as_ref()) {
                    Some((installed, action)) if got.rc == Some(rc::SUCCESS) => {
                        let request_is_current = b.on(Deviation::SessionRequestStateIsCurrent);
                        Outcome::number(if current || request_is_current {
                            installed
                        } else {
                            action
                        })
                    }
                    _ => raise(DISP_E_EXCEPTION),
                }
            }
            Operation::SessionSetFeatureRequestState {
                feature: name,
                state,
            }
            | Operation::SessionSetComponentRequestState {
                component: name,
                state,
            } => {
                let Some(name) = name else {
                    return raise(DISP_E_TYPEMISMATCH);
                };
                let feature = matches!(op, Operation::SessionSetFeatureRequestState { .. });
                match self.set_state(feature, Some(name), *state) {
                    rc::SUCCESS => Outcome::default(),
                    _ => raise(DISP_E_EXCEPTION),
                }
            }
            _ => Outcome::unsupported(format!("`{}` is not an automation call", op.kind())),
        }
    }
}
