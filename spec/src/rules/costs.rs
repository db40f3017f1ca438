//! Costs and valid states: MsiGetFeatureValidStates, MsiGetFeatureCost,
//! MsiEnumComponentCosts, MsiVerifyDiskSpace and the Session's
//! FeatureValidStates and FeatureCost.
//!
//! What a feature or component costs and which states a feature may take come
//! from the package through [`crate::msi::features::Package`], the same reading
//! the reference model answers from. Costs are judged only once costing has
//! settled them in the session (the rule of the feature-state predicates).

use super::features::{settled_after_costing, states_loaded};
use super::prelude::*;
use crate::msi::features::{self, state, Package, UNKNOWN_COMPONENT, UNKNOWN_FEATURE};
use crate::msi::text;
use crate::Buffer;

const COST_SOURCES: &[&str] = &[
    "API:msigetfeaturecostw",
    "WT:custom.c test_costs",
    "MS:file-costing",
];

const ENUM_SOURCES: &[&str] = &["API:msienumcomponentcostsw", "WT:custom.c test_costs"];

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "FEATURE-VALID-STATES",
        title: "MsiGetFeatureValidStates offers the states the feature's components allow",
        statement: "Once CostInitialize has loaded the Feature table, MsiGetFeatureValidStates \
                    of a feature the table does not have returns ERROR_UNKNOWN_FEATURE. After \
                    costing, a known feature succeeds with a mask of 1 << INSTALLSTATE bits in \
                    which INSTALLSTATE_LOCAL is set when one of its components may be installed \
                    locally (Attributes not source-only), and INSTALLSTATE_SOURCE is clear when \
                    none of its components may run from the source (neither source-only nor \
                    optional).",
        sources: &[
            "API:msigetfeaturevalidstatesw",
            "MS:feature-table",
            "MS:component-table",
        ],
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[OpKind::GetFeatureValidStates]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(valid_states),
    },
    Rule {
        id: "FEATURE-COST-ARGS",
        title: "MsiGetFeatureCost checks its arguments",
        statement: "MsiGetFeatureCost with a NULL feature name returns ERROR_INVALID_PARAMETER; \
                    once the Feature table is loaded, a feature it does not have gets \
                    ERROR_UNKNOWN_FEATURE, and a NULL cost pointer from the package handle gets \
                    ERROR_INVALID_PARAMETER (inside a custom action the bridge answers it, \
                    REMOTE-NULL-OUTPTR).",
        sources: COST_SOURCES,
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[OpKind::GetFeatureCost]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(cost_args),
    },
    Rule {
        id: "FEATURE-COST",
        title: "MsiGetFeatureCost adds up the costs of the feature's components",
        statement: "After costing, MsiGetFeatureCost of a known feature succeeds with a cost in \
                    512-byte units that is never negative; a feature whose components install \
                    files locally costs more than nothing in INSTALLSTATE_LOCAL, and a feature \
                    with neither parent nor children costs the same whichever MSICOSTTREE is \
                    asked for. windows: each file costs its FileSize rounded up to whole 4 KiB \
                    clusters, so the figure is exact.",
        sources: COST_SOURCES,
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[OpKind::GetFeatureCost]),
        level: Level::Must,
        disagreement: Some(
            "documented: costs are in 512-byte units and made of the components' costs; \
             windows: a file's cost is its size rounded up to 4 KiB clusters (custom.c test_costs \
             records 8 for a small file).",
        ),
        check: Check::Predicate(feature_cost),
    },
    Rule {
        id: "COMPONENT-COSTS-ARGS",
        title: "MsiEnumComponentCosts checks its arguments",
        statement: "After costing, MsiEnumComponentCosts returns ERROR_INVALID_PARAMETER when \
                    the drive buffer, its size, the cost or the temporary-cost pointer is NULL, \
                    ERROR_UNKNOWN_COMPONENT for a component the Component table does not have, \
                    and ERROR_NO_MORE_ITEMS past the last drive of a component (a component's \
                    files sit in one folder, so on one drive).",
        sources: ENUM_SOURCES,
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[OpKind::EnumComponentCosts]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(enum_args),
    },
    Rule {
        id: "COMPONENT-COSTS",
        title: "MsiEnumComponentCosts names a drive and its costs",
        statement: "After costing, the first entry MsiEnumComponentCosts enumerates names a \
                    drive as two characters (\"C:\"), copied under the buffer rules of every \
                    string getter; with no component it reports the installer's own costs, \
                    whose final cost is 0; a component installed locally costs more than nothing \
                    when it has files. windows: the installer's temporary cost is more than \
                    nothing and a component's is 0, and a component's cost is its files' sizes \
                    rounded up to 4 KiB clusters.",
        sources: ENUM_SOURCES,
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[OpKind::EnumComponentCosts]),
        level: Level::Must,
        disagreement: Some(
            "documented: a drive name and a final cost of 0 for the installer itself; windows: \
             the temporary costs and exact cluster-rounded figures custom.c test_costs records.",
        ),
        check: Check::Predicate(component_costs),
    },
    Rule {
        id: "DISK-SPACE",
        title: "MsiVerifyDiskSpace answers for the session's handle",
        statement: "MsiVerifyDiskSpace on handle 0 or a handle that is no session returns \
                    ERROR_INVALID_HANDLE; after costing, on a volume with room for the few \
                    kilobytes msiconf's packages install, it returns ERROR_SUCCESS.",
        sources: &["API:msiverifydiskspace"],
        contexts: PKG_IMM,
        family: Family::Features,
        subject: Subject::calls(&[OpKind::VerifyDiskSpace]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(disk_space),
    },
    Rule {
        id: "SESSION-COSTS",
        title: "Session.FeatureValidStates and Session.FeatureCost follow the C functions",
        statement: "In an immediate script, Session.FeatureValidStates and Session.FeatureCost \
                    raise an exception for a feature the Feature table does not have; after \
                    costing they report what MsiGetFeatureValidStates and MsiGetFeatureCost \
                    report (the LOCAL bit for a feature with a local component, a positive cost \
                    for a feature with files). A deferred script's Session offers neither.",
        sources: &[
            "MS:session-featurevalidstates",
            "MS:session-featurecost",
            "MS:obtaining-context-information-for-deferred-execution-custom-actions",
        ],
        contexts: &[Context::ScriptImmediate, Context::ScriptDeferred],
        family: Family::Features,
        subject: Subject::calls(&[
            OpKind::SessionFeatureValidStates,
            OpKind::SessionFeatureCost,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(session_costs),
    },
];

/// Flags a valid-states mask that misses a bit the package settles.
fn judge_mask(out: &mut Vec<Violation>, id: &str, e: &Event, p: &Package, feature: &str) {
    let (Some((set, clear)), Some(n)) = (p.valid_states_settled(feature), e.outcome.number) else {
        return;
    };
    let Ok(mask) = u32::try_from(n) else {
        flag(out, id, e, "a mask of INSTALLSTATE bits");
        return;
    };
    if mask & set != set {
        flag(
            out,
            id,
            e,
            format!("number with bit {set} (INSTALLSTATE_LOCAL) set"),
        );
    } else if mask & clear != 0 {
        flag(
            out,
            id,
            e,
            format!("number with bit {clear} (INSTALLSTATE_SOURCE) clear"),
        );
    }
}

/// The cost of a feature the package settles: whether it must be positive,
/// and (windows) the exact figure.
fn judge_cost(
    out: &mut Vec<Violation>,
    id: &str,
    e: &Event,
    p: &Package,
    (feature, tree, wanted): (&str, i32, i32),
    profile: Profile,
) -> bool {
    let Some(got) = e.outcome.number else {
        return false;
    };
    let want = p
        .feature_cost(feature, tree, i64::from(wanted))
        .unwrap_or(0);
    if got < 0 {
        flag(out, id, e, "a cost of 0 or more");
    } else if profile == Profile::Windows && i64::from(wanted) == state::LOCAL && got != want {
        flag(
            out,
            id,
            e,
            format!("number={want} (files rounded up to 4 KiB clusters)"),
        );
    } else if i64::from(wanted) == state::LOCAL && want > 0 && got == 0 {
        flag(out, id, e, "a cost above 0 (the feature installs files)");
    } else {
        return true;
    }
    false
}

fn valid_states(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "FEATURE-VALID-STATES";
    let p = Package::of_fixture(&plan.fixture);
    for (i, e) in facts::settled_full_c_calls(t) {
        let Operation::GetFeatureValidStates {
            feature: Some(f),
            null_out: false,
        } = &e.call
        else {
            continue;
        };
        if !p.features.contains_key(f) {
            if states_loaded(plan, t, i) {
                expect_rc(out, ID, e, UNKNOWN_FEATURE);
            }
        } else if settled_after_costing(plan, t, i) {
            if e.outcome.rc != Some(rc::SUCCESS) {
                expect_rc(out, ID, e, rc::SUCCESS);
            } else {
                judge_mask(out, ID, e, &p, f);
            }
        }
    }
}

fn cost_args(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "FEATURE-COST-ARGS";
    let p = Package::of_fixture(&plan.fixture);
    for (i, e) in facts::settled_full_c_calls(t) {
        let Operation::GetFeatureCost {
            feature, null_out, ..
        } = &e.call
        else {
            continue;
        };
        if !states_loaded(plan, t, i) {
            continue;
        }
        match feature {
            None if !null_out => expect_rc(out, ID, e, rc::INVALID_PARAMETER),
            Some(f) if !p.features.contains_key(f) && !null_out => {
                expect_rc(out, ID, e, UNKNOWN_FEATURE)
            }
            Some(f) if p.features.contains_key(f) && *null_out && e.context == Context::Package => {
                expect_rc(out, ID, e, rc::INVALID_PARAMETER)
            }
            _ => {}
        }
    }
}

fn feature_cost(plan: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "FEATURE-COST";
    let p = Package::of_fixture(&plan.fixture);
    for (i, e) in facts::settled_full_c_calls(t) {
        let Operation::GetFeatureCost {
            feature: Some(f),
            tree,
            state: wanted,
            null_out: false,
        } = &e.call
        else {
            continue;
        };
        if !p.features.contains_key(f) || !settled_after_costing(plan, t, i) {
            continue;
        }
        if e.outcome.rc != Some(rc::SUCCESS) {
            expect_rc(out, ID, e, rc::SUCCESS);
            continue;
        }
        if !judge_cost(out, ID, e, &p, (f, *tree, *wanted), profile) || !p.stands_alone(f) {
            continue;
        }
        // Another tree of the same lone feature and state, earlier in the run.
        let earlier = facts::run_before_of(&t.events, i, &[OpKind::GetFeatureCost]).find_map(
            |(_, d)| match &d.call {
                Operation::GetFeatureCost {
                    feature: Some(g),
                    state: s,
                    null_out: false,
                    ..
                } if g == f && s == wanted && d.outcome.rc == Some(rc::SUCCESS) => d.outcome.number,
                _ => None,
            },
        );
        if let (Some(before), Some(now)) = (earlier, e.outcome.number) {
            if before != now {
                flag(
                    out,
                    ID,
                    e,
                    format!("number={before} (a feature alone costs the same in every tree)"),
                );
            }
        }
    }
}

fn null_pointer(buffer: Buffer, null_cost: bool, null_temp: bool) -> bool {
    null_cost
        || null_temp
        || matches!(
            buffer,
            Buffer::NullSize | Buffer::NullBoth | Buffer::NullBuffer(_)
        )
}

fn enum_args(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "COMPONENT-COSTS-ARGS";
    let p = Package::of_fixture(&plan.fixture);
    for (i, e) in facts::settled_full_c_calls(t) {
        let Operation::EnumComponentCosts {
            component,
            index,
            buffer,
            null_cost,
            null_temp,
            ..
        } = &e.call
        else {
            continue;
        };
        if !settled_after_costing(plan, t, i) {
            continue;
        }
        let named = component.as_deref().filter(|c| !c.is_empty());
        if null_pointer(*buffer, *null_cost, *null_temp) {
            expect_rc(out, ID, e, rc::INVALID_PARAMETER);
        } else if let Some(c) = named {
            if !p.components.contains_key(c) {
                expect_rc(out, ID, e, UNKNOWN_COMPONENT);
            } else if *index > 0 {
                expect_rc(out, ID, e, rc::NO_MORE_ITEMS);
            }
        }
    }
}

fn component_costs(plan: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "COMPONENT-COSTS";
    let p = Package::of_fixture(&plan.fixture);
    for (i, e) in facts::settled_full_c_calls(t) {
        let Operation::EnumComponentCosts {
            component,
            index: 0,
            state: wanted,
            buffer,
            null_cost: false,
            null_temp: false,
        } = &e.call
        else {
            continue;
        };
        let named = component.as_deref().filter(|c| !c.is_empty());
        if null_pointer(*buffer, false, false)
            || named.is_some_and(|c| !p.components.contains_key(c))
            || !settled_after_costing(plan, t, i)
        {
            continue;
        }
        // The drive's name is two characters, whatever its letter.
        let Some((want_rc, want_size, copied)) = facts::expected_get(2, *buffer, false) else {
            continue;
        };
        if e.outcome.rc != Some(want_rc) {
            expect_rc(out, ID, e, want_rc);
            continue;
        }
        if e.outcome.size.is_some_and(|s| s != want_size) {
            flag(out, ID, e, format!("size={want_size} (a drive such as C:)"));
            continue;
        }
        if let (Some(v), Some(k)) = (e.outcome.value.as_deref(), copied) {
            let shape_ok = if k >= 2 {
                features::drive_of(v) == Some(v)
            } else {
                text::utf16_len(v) == k && v.chars().all(|c| c.is_ascii_alphabetic())
            };
            if !shape_ok {
                flag(out, ID, e, "value=a drive such as \"C:\"");
                continue;
            }
        }
        let Some((cost, temp)) = features::costs_of(e.outcome.rows.as_ref()) else {
            continue;
        };
        let windows = profile == Profile::Windows;
        match named {
            None => {
                if cost != 0 {
                    flag(out, ID, e, "a cost of 0 for the installer itself");
                } else if windows && temp <= 0 {
                    flag(out, ID, e, "a temporary cost above 0 for the installer");
                }
            }
            Some(c) => {
                let want = p.component_cost(c, i64::from(*wanted)).unwrap_or(0);
                if windows && (cost != want || temp != 0) {
                    flag(
                        out,
                        ID,
                        e,
                        format!("rows=[[\"{want}\", \"0\"]] (cost, temporary cost)"),
                    );
                } else if want > 0 && cost <= 0 {
                    flag(out, ID, e, "a cost above 0 (the component installs files)");
                }
            }
        }
    }
}

fn disk_space(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DISK-SPACE";
    for (i, e) in facts::full_c_calls(t) {
        let Operation::VerifyDiskSpace { handle } = &e.call else {
            continue;
        };
        if *handle != HandleArg::Session {
            expect_rc(out, ID, e, rc::INVALID_HANDLE);
        } else if facts::fixture_tables_settled(t, i) && settled_after_costing(plan, t, i) {
            expect_rc(out, ID, e, rc::SUCCESS);
        }
    }
}

fn session_costs(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SESSION-COSTS";
    let p = Package::of_fixture(&plan.fixture);
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || !e.context.is_script() || !facts::fixture_tables_settled(t, i) {
            continue;
        }
        let (Operation::SessionFeatureValidStates { feature: Some(f) }
        | Operation::SessionFeatureCost {
            feature: Some(f), ..
        }) = &e.call
        else {
            continue;
        };
        let known = p.features.contains_key(f);
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
        if !settled_after_costing(plan, t, i) {
            continue;
        }
        if !known {
            if !raised {
                flag(out, ID, e, "an exception (no such feature)");
            }
            continue;
        }
        if raised {
            flag(out, ID, e, "no exception (a known feature after costing)");
            continue;
        }
        match &e.call {
            Operation::SessionFeatureCost { tree, state, .. } => {
                // The exact figure is the C function's question; here only its sign.
                judge_cost(out, ID, e, &p, (f, *tree, *state), Profile::Documented);
            }
            _ => judge_mask(out, ID, e, &p, f),
        }
    }
}
