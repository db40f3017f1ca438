//! Feature and component states: MsiGetFeatureState, MsiSetFeatureState,
//! MsiGetComponentState and MsiSetComponentState.
//!
//! The predicates read the package through the shared
//! [`crate::msi::features::Package`]. What a state read should report after
//! costing is judged only where the transcript settles that costing has run
//! and nothing has changed the selection since (no state, install level or
//! SQL call, no selection property on the command line).

use super::prelude::*;
use crate::msi::features::{self, state, Package, UNKNOWN_COMPONENT, UNKNOWN_FEATURE};

const SUBJECT: &[OpKind] = &[
    OpKind::GetFeatureState,
    OpKind::SetFeatureState,
    OpKind::GetComponentState,
    OpKind::SetComponentState,
];

const FEATURE_SOURCES: &[&str] = &[
    "API:msigetfeaturestatew",
    "API:msisetfeaturestatew",
    "WT:custom.c test_feature_states",
];

const COMPONENT_SOURCES: &[&str] = &[
    "API:msigetcomponentstatew",
    "API:msisetcomponentstatew",
    "WT:custom.c test_feature_states",
];

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "FEATURE-STATE-ARGS",
        title: "A feature the Feature table does not have is ERROR_UNKNOWN_FEATURE",
        statement: "MsiGetFeatureState and MsiSetFeatureState return ERROR_UNKNOWN_FEATURE for a \
                    name that is not a key of the Feature table (names are case-sensitive); \
                    from a custom action a NULL name gets the same answer.",
        sources: FEATURE_SOURCES,
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(SUBJECT),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(feature_args),
    },
    Rule {
        id: "COMPONENT-STATE-ARGS",
        title: "A component the Component table does not have is ERROR_UNKNOWN_COMPONENT",
        statement: "MsiGetComponentState and MsiSetComponentState return \
                    ERROR_UNKNOWN_COMPONENT for a name that is not a key of the Component table \
                    (names are case-sensitive); from a custom action a NULL name gets the same \
                    answer.",
        sources: COMPONENT_SOURCES,
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(SUBJECT),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(component_args),
    },
    Rule {
        id: "FEATURE-STATE-COSTED",
        title: "After costing a first install, a feature is absent and selected by its level",
        statement: "Once CostFinalize has run in a first install of the product, \
                    MsiGetFeatureState reports the installed state INSTALLSTATE_ABSENT for \
                    every feature, and the action state INSTALLSTATE_LOCAL for a feature whose \
                    Level is between 1 and INSTALLLEVEL.",
        sources: &[
            "API:msigetfeaturestatew",
            "MS:feature-table",
            "MS:installlevel",
            "WT:custom.c test_feature_states",
        ],
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[OpKind::GetFeatureState, OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(feature_costed),
    },
    Rule {
        id: "COMPONENT-STATE-COSTED",
        title: "After costing a first install, a component follows the features that carry it",
        statement: "Once CostFinalize has run in a first install of the product, \
                    MsiGetComponentState reports a registered component as installed-state \
                    INSTALLSTATE_ABSENT; a local component (Attributes 0) that a selected \
                    feature carries gets the action INSTALLSTATE_LOCAL, and one that no feature \
                    carries gets no action (INSTALLSTATE_UNKNOWN).",
        sources: &[
            "API:msigetcomponentstatew",
            "MS:featurecomponents-table",
            "WT:custom.c test_feature_states",
        ],
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[OpKind::GetComponentState, OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(component_costed),
    },
    Rule {
        id: "FEATURE-SET-STATE-EFFECT",
        title: "MsiSetFeatureState sets the feature's action state",
        statement: "After MsiSetFeatureState succeeds with INSTALLSTATE_ADVERTISED, \
                    INSTALLSTATE_ABSENT, INSTALLSTATE_LOCAL or INSTALLSTATE_SOURCE, \
                    MsiGetFeatureState reports that state as the feature's action state.",
        sources: FEATURE_SOURCES,
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[OpKind::GetFeatureState, OpKind::SetFeatureState]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(feature_set_effect),
    },
    Rule {
        id: "COMPONENT-SET-STATE-EFFECT",
        title: "MsiSetComponentState sets the component's action state",
        statement: "After MsiSetComponentState succeeds with INSTALLSTATE_ABSENT, \
                    INSTALLSTATE_LOCAL or INSTALLSTATE_SOURCE, MsiGetComponentState reports \
                    that state as the component's action state and leaves its installed state.",
        sources: COMPONENT_SOURCES,
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[OpKind::GetComponentState, OpKind::SetComponentState]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(component_set_effect),
    },
    Rule {
        id: "STATE-DEFERRED",
        title: "Deferred actions cannot read or change feature and component states",
        statement: "MsiGetFeatureState, MsiSetFeatureState, MsiGetComponentState, \
                    MsiSetComponentState, MsiGetFeatureValidStates, MsiGetFeatureCost, \
                    MsiEnumComponentCosts and MsiVerifyDiskSpace are not among the functions a \
                    deferred, rollback or commit action may call: there they do not succeed.",
        sources: &[
            "MS:obtaining-context-information-for-deferred-execution-custom-actions",
            "API:msigetfeaturestatew",
        ],
        contexts: &[Context::Deferred, Context::Rollback, Context::Commit],
        family: Family::Features,
        subject: Subject::calls(&[
            OpKind::GetFeatureState,
            OpKind::SetFeatureState,
            OpKind::GetComponentState,
            OpKind::SetComponentState,
            OpKind::GetFeatureValidStates,
            OpKind::GetFeatureCost,
            OpKind::EnumComponentCosts,
            OpKind::VerifyDiskSpace,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(in_script),
    },
    Rule {
        id: "SESSION-STATES",
        title: "The Session's feature and component states follow the C functions",
        statement: "In an immediate script, Session.FeatureCurrentState, \
                    Session.FeatureRequestState, Session.ComponentCurrentState and \
                    Session.ComponentRequestState raise an exception for a name the tables do \
                    not have; after costing a first install they report the installed and \
                    action states MsiGetFeatureState and MsiGetComponentState report, and a \
                    request state assigned reads back. A deferred script's Session offers \
                    none of them.",
        sources: &[
            "MS:session-featurecurrentstate",
            "MS:session-featurerequeststate",
            "MS:session-componentcurrentstate",
            "MS:session-componentrequeststate",
            "MS:obtaining-context-information-for-deferred-execution-custom-actions",
        ],
        contexts: &[Context::ScriptImmediate, Context::ScriptDeferred],
        family: Family::Features,
        subject: Subject::calls(&[
            OpKind::SessionFeatureCurrentState,
            OpKind::SessionFeatureRequestState,
            OpKind::SessionSetFeatureRequestState,
            OpKind::SessionComponentCurrentState,
            OpKind::SessionComponentRequestState,
            OpKind::SessionSetComponentRequestState,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(session_states),
    },
    Rule {
        id: "FEATURE-ATTRIBUTES-WINDOW",
        title: "MsiSetFeatureAttributes works only between CostInitialize and CostFinalize",
        statement: "MsiSetFeatureAttributes must be called after CostInitialize and before \
                    CostFinalize: for a feature of the Feature table it succeeds in that window \
                    and returns ERROR_FUNCTION_FAILED at any other time.",
        sources: &["API:msisetfeatureattributesw"],
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[OpKind::SetFeatureAttributes, OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(attributes_window),
    },
    Rule {
        id: "INSTALL-LEVEL-SELECTS",
        title: "MsiSetInstallLevel selects the features again",
        statement: "Once costing has run, MsiSetInstallLevel selects the features again: a \
                    feature whose Level is between 1 and the new install level is requested \
                    INSTALLSTATE_LOCAL, and a local-only component that only that feature carries \
                    follows it; the installed states stay as they were. What becomes of a feature \
                    the new level leaves out is not judged.",
        sources: &[
            "API:msisetinstalllevel",
            "MS:feature-table",
            "MS:installlevel",
        ],
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[
            OpKind::SetInstallLevel,
            OpKind::GetFeatureState,
            OpKind::GetComponentState,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(level_selects),
    },
    Rule {
        id: "FEATURE-STATE-PROPAGATES",
        title: "MsiSetFeatureState moves the components of the feature",
        statement: "MsiSetFeatureState updates the action states of the components the feature \
                    carries: a local-only component that only this feature carries becomes \
                    INSTALLSTATE_LOCAL when the feature is requested local or from source (a \
                    local-only component cannot run from source) and INSTALLSTATE_ABSENT when \
                    the feature is requested absent.",
        sources: &["API:msisetfeaturestatew", "MS:component-table"],
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[
            OpKind::SetFeatureState,
            OpKind::GetComponentState,
            OpKind::SetComponentState,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(propagates),
    },
];

fn name_args(plan: &Plan, t: &Transcript, out: &mut Vec<Violation>, id: &str, feature: bool) {
    let p = Package::of_fixture(&plan.fixture);
    let unknown = if feature {
        UNKNOWN_FEATURE
    } else {
        UNKNOWN_COMPONENT
    };
    for (i, e) in facts::full_c_calls(t) {
        let name = match (&e.call, feature) {
            // A NULL out-pointer from a custom action is refused before the
            // name is looked at (REMOTE-NULL-OUTPTR's question).
            (Operation::GetFeatureState { null_out: true, .. }, _)
            | (Operation::GetComponentState { null_out: true, .. }, _)
                if e.context != Context::Package =>
            {
                continue
            }
            (Operation::GetFeatureState { feature: n, .. }, true)
            | (Operation::SetFeatureState { feature: n, .. }, true)
            | (Operation::GetComponentState { component: n, .. }, false)
            | (Operation::SetComponentState { component: n, .. }, false) => n,
            _ => continue,
        };
        let known = |n: &str| {
            if feature {
                p.features.contains_key(n)
            } else {
                p.components.contains_key(n)
            }
        };
        match name {
            None if e.context.is_immediate() => expect_rc(out, id, e, unknown),
            Some(n) if !known(n) && facts::fixture_tables_settled(t, i) => {
                expect_rc(out, id, e, unknown)
            }
            _ => {}
        }
    }
}

fn feature_args(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    name_args(plan, t, out, "FEATURE-STATE-ARGS", true);
}

fn component_args(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    name_args(plan, t, out, "COMPONENT-STATE-ARGS", false);
}

/// Command-line properties that change which features an install selects.
const SELECTION_PROPERTIES: &[&str] = &[
    "ADDLOCAL",
    "ADDSOURCE",
    "ADDDEFAULT",
    "ADVERTISE",
    "REMOVE",
    "REINSTALL",
    "COMPADDLOCAL",
    "COMPADDSOURCE",
    "FILEADDLOCAL",
    "INSTALLLEVEL",
];

/// Whether event `i` reads the states of a session that has certainly run
/// CostFinalize with the package's selection and changed nothing since.
pub(super) fn settled_after_costing(plan: &Plan, t: &Transcript, i: usize) -> bool {
    let e = &t.events[i];
    let changed = |ev: &Event| {
        matches!(
            ev.call.kind(),
            OpKind::SetFeatureState
                | OpKind::SetFeatureAttributes
                | OpKind::SetComponentState
                | OpKind::SessionSetFeatureRequestState
                | OpKind::SessionSetComponentRequestState
                | OpKind::SetInstallLevel
                | OpKind::Sql
                | OpKind::Modify
                | OpKind::OpenView
                | OpKind::Execute
                | OpKind::Sequence
                | OpKind::SessionDoAction
        ) || matches!(&ev.call, Operation::SetProperty { name: Some(n), .. } if n == "INSTALLLEVEL")
    };
    let selection_given = SELECTION_PROPERTIES.iter().any(|p| {
        facts::command_line_value(plan, p).is_some() || plan.fixture.property(p).is_some()
    });
    if selection_given || t.events[..i].iter().any(changed) {
        return false;
    }
    match e.context {
        Context::Package => {
            // Costing from the package handle: the nearest costing action
            // before the read is a successful CostFinalize, and no other
            // action ran in the session.
            let mut nearest: Option<bool> = None;
            for (_, d) in facts::run_before_of(&t.events, i, &[OpKind::DoAction]) {
                let Operation::DoAction {
                    action: Some(a),
                    handle: HandleArg::Session,
                } = &d.call
                else {
                    continue;
                };
                match a.as_str() {
                    "CostInitialize" | "FileCost" | "CostFinalize" => {
                        if nearest.is_none() {
                            nearest =
                                Some(a == "CostFinalize" && d.outcome.rc == Some(rc::SUCCESS));
                        }
                    }
                    _ => return false,
                }
            }
            nearest == Some(true)
        }
        Context::ImmediateBeforeInit | Context::ImmediateAfterInit | Context::ScriptImmediate => {
            // The probe ran from the execute sequence after CostFinalize, and
            // only from there: no call ran actions in the install's session.
            let f = &plan.fixture;
            let after_costing = match (
                f.execute_sequence
                    .iter()
                    .find(|r| r.action == "CostFinalize"),
                f.execute_position(&e.probe),
            ) {
                (Some(cf), Some(p)) => cf.condition.is_none() && cf.sequence > 0 && p > cf.sequence,
                _ => false,
            };
            let in_ui = f.ui_sequence.iter().any(|r| r.action == e.probe);
            let actions_run = t.events.iter().any(|d| {
                (d.context != Context::Package
                    && matches!(d.call.kind(), OpKind::DoAction | OpKind::SessionDoAction))
                    || matches!(&d.call, Operation::DoAction { action: Some(a), .. } if *a == e.probe)
            });
            after_costing && !in_ui && !actions_run
        }
        _ => false,
    }
}

/// Whether the session of event `i` has certainly loaded its features and
/// components (CostInitialize has run in it).
pub(super) fn states_loaded(plan: &Plan, t: &Transcript, i: usize) -> bool {
    let e = &t.events[i];
    let f = &plan.fixture;
    let named = t.events.iter().any(|d| {
        matches!(&d.call, Operation::DoAction { action: Some(a), .. }
            | Operation::SessionDoAction { action: Some(a) } if *a == e.probe)
    }) || t.events.iter().any(|d| d.call.kind() == OpKind::Sequence);
    let after = |rows: &[crate::fixture::SequenceRow]| {
        let ci = rows.iter().find(|r| r.action == "CostInitialize");
        let me = rows.iter().find(|r| r.action == e.probe);
        match (ci, me) {
            (Some(ci), Some(me)) => {
                ci.condition.is_none() && ci.sequence > 0 && me.sequence > ci.sequence
            }
            _ => false,
        }
    };
    match e.context {
        Context::Package => facts::ran_before(&t.events, i, "CostInitialize"),
        Context::ImmediateUi => !named && after(&f.ui_sequence),
        Context::ImmediateBeforeInit | Context::ImmediateAfterInit => {
            !named
                && after(&f.execute_sequence)
                && !f.ui_sequence.iter().any(|r| r.action == e.probe)
        }
        _ => false,
    }
}

fn install_level(plan: &Plan) -> i64 {
    plan.fixture
        .property("INSTALLLEVEL")
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(features::DEFAULT_INSTALL_LEVEL)
}

fn judge_states(
    out: &mut Vec<Violation>,
    id: &str,
    e: &Event,
    installed: Option<i64>,
    action: Option<i64>,
) {
    if e.outcome.rc != Some(rc::SUCCESS) {
        expect_rc(out, id, e, rc::SUCCESS);
        return;
    }
    let Some((got_i, got_a)) = features::states_of(e.outcome.rows.as_ref()) else {
        return;
    };
    let wrong_i = installed.is_some_and(|w| w != got_i);
    let wrong_a = action.is_some_and(|w| w != got_a);
    if wrong_i || wrong_a {
        let show = |v: Option<i64>, got: i64| v.unwrap_or(got).to_string();
        flag(
            out,
            id,
            e,
            format!(
                "rows=[[{:?}, {:?}]] (installed, action)",
                show(installed, got_i),
                show(action, got_a)
            ),
        );
    }
}

fn feature_costed(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    costed_reads(plan, t, out, "FEATURE-STATE-COSTED", true);
}

fn component_costed(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    costed_reads(plan, t, out, "COMPONENT-STATE-COSTED", false);
}

/// Judges the plain state reads of features (`feature`) or components made
/// once costing has settled their states: a feature the install level selects
/// is absent and requested local; a component reports what the package says
/// of it.
fn costed_reads(plan: &Plan, t: &Transcript, out: &mut Vec<Violation>, id: &str, feature: bool) {
    let p = Package::of_fixture(&plan.fixture);
    let level = install_level(plan);
    for (i, e) in facts::full_c_calls(t) {
        let (installed, action) = match (&e.call, feature) {
            (
                Operation::GetFeatureState {
                    feature: Some(f),
                    null_out: false,
                },
                true,
            ) => {
                // Every feature of a product not yet installed is ABSENT; of the
                // actions, only a selected feature's (LOCAL) is settled.
                let Some(installed) = p.feature_installed(f) else {
                    continue;
                };
                let action = p.feature_action(f, level).filter(|a| *a == state::LOCAL);
                (Some(installed), action)
            }
            (
                Operation::GetComponentState {
                    component: Some(c),
                    null_out: false,
                },
                false,
            ) => {
                let installed = p.component_installed(c).filter(|s| *s == state::ABSENT);
                let action = p.component_action(c, level);
                if installed.is_none() && action.is_none() {
                    continue;
                }
                (installed, action)
            }
            _ => continue,
        };
        if settled_after_costing(plan, t, i) {
            judge_states(out, id, e, installed, action);
        }
    }
}

/// The action state the run's latest successful set left on `name`, judged
/// on reads of the same run after it.
fn set_effect(t: &Transcript, out: &mut Vec<Violation>, id: &str, feature: bool) {
    let allowed: &[i64] = if feature {
        &[
            state::ADVERTISED,
            state::ABSENT,
            state::LOCAL,
            state::SOURCE,
        ]
    } else {
        &[state::ABSENT, state::LOCAL, state::SOURCE]
    };
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || !facts::is_full_c(e.context) || e.outcome.rc != Some(rc::SUCCESS) {
            continue;
        }
        let name = match (&e.call, feature) {
            (
                Operation::GetFeatureState {
                    feature: Some(n),
                    null_out: false,
                },
                true,
            )
            | (
                Operation::GetComponentState {
                    component: Some(n),
                    null_out: false,
                },
                false,
            ) => n,
            _ => continue,
        };
        let kinds = [
            OpKind::SetFeatureState,
            OpKind::SetComponentState,
            OpKind::DoAction,
            OpKind::SetInstallLevel,
        ];
        // The nearest earlier call that could have changed the state decides.
        let mut want = None;
        for (_, s) in facts::run_before_of(&t.events, i, &kinds) {
            match (&s.call, feature) {
                (
                    Operation::SetFeatureState {
                        feature: Some(n),
                        state,
                    },
                    true,
                )
                | (
                    Operation::SetComponentState {
                        component: Some(n),
                        state,
                    },
                    false,
                ) if n == name => {
                    if s.outcome.rc == Some(rc::SUCCESS) && allowed.contains(&i64::from(*state)) {
                        want = Some(i64::from(*state));
                    }
                    break;
                }
                // A feature's state moves its components, and the other way
                // round; costing again reselects: all unsettled.
                (Operation::SetFeatureState { .. }, false)
                | (Operation::SetComponentState { .. }, true)
                | (Operation::DoAction { .. }, _)
                | (Operation::SetInstallLevel { .. }, _) => break,
                _ => {}
            }
        }
        let Some(want) = want else {
            continue;
        };
        if let Some((_, got)) = features::states_of(e.outcome.rows.as_ref()) {
            if got != want {
                flag(out, id, e, format!("action state {want}"));
            }
        }
    }
}

fn feature_set_effect(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    set_effect(t, out, "FEATURE-SET-STATE-EFFECT", true);
}

fn component_set_effect(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    set_effect(t, out, "COMPONENT-SET-STATE-EFFECT", false);
}

fn in_script(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "STATE-DEFERRED";
    let p = Package::of_fixture(&plan.fixture);
    for e in &t.events {
        if !performed(e) || !facts::is_in_script_c(e.context) {
            continue;
        }
        let known = match &e.call {
            Operation::GetFeatureState {
                feature: Some(n), ..
            }
            | Operation::SetFeatureState {
                feature: Some(n), ..
            } => p.features.contains_key(n),
            Operation::GetComponentState {
                component: Some(n), ..
            }
            | Operation::SetComponentState {
                component: Some(n), ..
            } => p.components.contains_key(n),
            Operation::GetFeatureValidStates {
                feature: Some(n),
                null_out: false,
            }
            | Operation::GetFeatureCost {
                feature: Some(n),
                null_out: false,
                ..
            } => p.features.contains_key(n),
            Operation::EnumComponentCosts {
                component: Some(n),
                buffer: crate::Buffer::Ample,
                null_cost: false,
                null_temp: false,
                ..
            } => p.components.contains_key(n),
            Operation::VerifyDiskSpace {
                handle: HandleArg::Session,
            } => true,
            _ => false,
        };
        if known && e.outcome.rc == Some(rc::SUCCESS) {
            flag(out, ID, e, "rc!=0 (not available in-script)");
        }
    }
}

fn session_states(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SESSION-STATES";
    let p = Package::of_fixture(&plan.fixture);
    let level = install_level(plan);
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || !e.context.is_script() || !facts::fixture_tables_settled(t, i) {
            continue;
        }
        let (name, feature, current, set) = match &e.call {
            Operation::SessionFeatureCurrentState { feature: n } => (n, true, true, false),
            Operation::SessionFeatureRequestState { feature: n } => (n, true, false, false),
            Operation::SessionSetFeatureRequestState { feature: n, .. } => (n, true, false, true),
            Operation::SessionComponentCurrentState { component: n } => (n, false, true, false),
            Operation::SessionComponentRequestState { component: n } => (n, false, false, false),
            Operation::SessionSetComponentRequestState { component: n, .. } => {
                (n, false, false, true)
            }
            _ => continue,
        };
        let Some(name) = name else {
            continue;
        };
        let known = if feature {
            p.features.contains_key(name)
        } else {
            p.components.contains_key(name)
        };
        let raised = e.outcome.exception.is_some();
        if e.context.is_in_script() {
            if known && !raised {
                flag(
                    out,
                    ID,
                    e,
                    "an exception (not available in a deferred script)",
                );
            }
            continue;
        }
        if !known {
            if !raised {
                flag(out, ID, e, "an exception (no such name)");
            }
            continue;
        }
        if set || raised {
            continue;
        }
        // A request state this run assigned, the nearest assignment deciding.
        let mut assigned = None;
        for (_, s) in facts::run_before_of(
            &t.events,
            i,
            &[
                OpKind::SessionSetFeatureRequestState,
                OpKind::SessionSetComponentRequestState,
                OpKind::SessionDoAction,
            ],
        ) {
            match (&s.call, feature) {
                (
                    Operation::SessionSetFeatureRequestState {
                        feature: Some(n),
                        state,
                    },
                    true,
                )
                | (
                    Operation::SessionSetComponentRequestState {
                        component: Some(n),
                        state,
                    },
                    false,
                ) if n == name => {
                    let ok = [state::ABSENT, state::LOCAL, state::SOURCE]
                        .contains(&i64::from(*state))
                        || (feature && i64::from(*state) == state::ADVERTISED);
                    assigned = Some((s.outcome.exception.is_none() && ok).then_some(*state));
                    break;
                }
                (Operation::SessionSetFeatureRequestState { .. }, false)
                | (Operation::SessionSetComponentRequestState { .. }, true)
                | (Operation::SessionDoAction { .. }, _) => {
                    assigned = Some(None);
                    break;
                }
                _ => {}
            }
        }
        let want = match assigned {
            Some(Some(s)) if !current => Some(i64::from(s)),
            Some(_) => None,
            None if settled_after_costing(plan, t, i) => match (feature, current) {
                (true, true) => p.feature_installed(name),
                (true, false) => p.feature_action(name, level).filter(|a| *a == state::LOCAL),
                (false, true) => p.component_installed(name).filter(|s| *s == state::ABSENT),
                (false, false) => p.component_action(name, level),
            },
            None => None,
        };
        if let Some(want) = want {
            expect_number(out, ID, e, want);
        }
    }
}

fn attributes_window(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "FEATURE-ATTRIBUTES-WINDOW";
    let p = Package::of_fixture(&plan.fixture);
    for (i, e) in facts::settled_full_c_calls(t) {
        let Operation::SetFeatureAttributes {
            feature: Some(f), ..
        } = &e.call
        else {
            continue;
        };
        if !p.features.contains_key(f) {
            continue;
        }
        if settled_after_costing(plan, t, i) {
            expect_rc(out, ID, e, rc::FUNCTION_FAILED);
            continue;
        }
        if e.context != Context::Package {
            continue;
        }
        // From the package handle, the run's costing calls settle the window.
        let mut nearest: Option<&str> = None;
        let mut other = false;
        let mut finalized = false;
        for (_, d) in facts::run_before_of(&t.events, i, &[OpKind::DoAction, OpKind::Sequence]) {
            match &d.call {
                Operation::DoAction {
                    action: Some(a),
                    handle: HandleArg::Session,
                } if matches!(a.as_str(), "CostInitialize" | "FileCost" | "CostFinalize")
                    && d.outcome.rc == Some(rc::SUCCESS) =>
                {
                    if nearest.is_none() {
                        nearest = Some(a.as_str());
                    }
                    finalized |= a == "CostFinalize";
                }
                Operation::DoAction { .. } | Operation::Sequence { .. } => other = true,
                _ => {}
            }
        }
        if other {
            continue;
        }
        match nearest {
            None => expect_rc(out, ID, e, rc::FUNCTION_FAILED),
            Some("CostInitialize" | "FileCost") if !finalized => expect_rc(out, ID, e, rc::SUCCESS),
            _ => {}
        }
    }
}

fn propagates(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "FEATURE-STATE-PROPAGATES";
    let p = Package::of_fixture(&plan.fixture);
    for (i, e) in facts::settled_full_c_calls(t) {
        let Operation::GetComponentState {
            component: Some(c),
            null_out: false,
        } = &e.call
        else {
            continue;
        };
        if e.outcome.rc != Some(rc::SUCCESS) {
            continue;
        }
        // The nearest earlier call that could move the component decides.
        let kinds = [
            OpKind::SetFeatureState,
            OpKind::SetComponentState,
            OpKind::DoAction,
            OpKind::SetInstallLevel,
        ];
        let mut want = None;
        for (_, s) in facts::run_before_of(&t.events, i, &kinds) {
            match &s.call {
                Operation::SetFeatureState {
                    feature: Some(f),
                    state,
                } => {
                    if s.outcome.rc == Some(rc::SUCCESS) {
                        want = p.component_follows(c, f, i64::from(*state));
                    }
                    break;
                }
                Operation::SetComponentState { .. }
                | Operation::DoAction { .. }
                | Operation::SetInstallLevel { .. } => break,
                _ => {}
            }
        }
        let Some(want) = want else {
            continue;
        };
        if let Some((_, got)) = features::states_of(e.outcome.rows.as_ref()) {
            // Removing what a first install has not installed may leave no
            // action at all: absent or none both say "not to be installed".
            let fine = got == want || (want == state::ABSENT && got == state::UNKNOWN);
            if !fine {
                let what = if want == state::ABSENT {
                    "action state 2 or -1 (not to be installed)".to_owned()
                } else {
                    format!("action state {want}")
                };
                flag(out, ID, e, what);
            }
        }
    }
}

fn level_selects(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "INSTALL-LEVEL-SELECTS";
    let p = Package::of_fixture(&plan.fixture);
    // Calls that could change a selection between the level and the read.
    const KINDS: &[OpKind] = &[
        OpKind::SetInstallLevel,
        OpKind::SetFeatureState,
        OpKind::SetComponentState,
        OpKind::DoAction,
        OpKind::Sequence,
        OpKind::Sql,
        OpKind::Modify,
        OpKind::Execute,
        OpKind::SetProperty,
        OpKind::SetFeatureAttributes,
    ];
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || !facts::is_full_c(e.context) || e.outcome.rc != Some(rc::SUCCESS) {
            continue;
        }
        let (name, feature) = match &e.call {
            Operation::GetFeatureState {
                feature: Some(n),
                null_out: false,
            } => (n, true),
            Operation::GetComponentState {
                component: Some(n),
                null_out: false,
            } => (n, false),
            _ => continue,
        };
        let Some((j, level)) = facts::run_before_of(&t.events, i, KINDS)
            .find(|(_, d)| KINDS.contains(&d.call.kind()))
            .and_then(|(j, d)| match d.call {
                Operation::SetInstallLevel { level }
                    if level > 0 && d.outcome.rc == Some(rc::SUCCESS) =>
                {
                    Some((j, i64::from(level)))
                }
                _ => None,
            })
        else {
            continue;
        };
        if !settled_after_costing(plan, t, j) {
            continue;
        }
        let want = if feature {
            p.level_selection(name, level)
        } else {
            let carriers: Vec<&String> = p
                .links
                .iter()
                .filter(|(_, c)| c == name)
                .map(|(f, _)| f)
                .collect();
            match carriers.as_slice() {
                [f] => p
                    .level_selection(f, level)
                    .and_then(|a| p.component_follows(name, f, a)),
                _ => None,
            }
        };
        if let Some(want) = want {
            judge_states(out, ID, e, None, Some(want));
        }
    }
}
