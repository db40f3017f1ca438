//! The predicates against the reference model: on every plan of the rule
//! cases, the model (with no deviation) breaks no rule in either profile, and
//! with each deviation on, the plans of its cases draw a violation from a
//! rule the deviation lists.

mod common;

use common::cases::*;
use msiconf_spec::model::{run, Config, Deviation};
use msiconf_spec::{Plan, Profile};

/// A case builder with its name.
type Named = (&'static str, fn(bool) -> Built);

/// Every case plan (the plans do not depend on `ok`).
fn plans() -> Vec<(&'static str, Plan)> {
    let builders: &[Named] = &[
        ("doaction_case", doaction_case),
        ("doaction_case_script", doaction_case_script),
        ("doaction_unknown", doaction_unknown),
        ("session_doaction_enum", session_doaction_enum),
        ("null_action", null_action),
        ("bad_handle", bad_handle),
        ("action_uppercase", action_uppercase),
        ("doaction_toplevel", doaction_toplevel),
        ("system_update", system_update),
        ("nonsystem_ok", nonsystem_ok),
        ("nested", nested),
        ("retcodes", retcodes),
        ("termination", termination),
        ("bad_condition", bad_condition),
        ("ret_success", ret_success),
        ("ret_userexit", ret_userexit),
        ("ret_no_more_items", ret_no_more_items),
        ("ret_other", ret_other),
        ("ret_suspend", ret_suspend),
        ("ret_continue", ret_continue),
        ("ret_exe", ret_exe),
        ("ret_type19", ret_type19),
        ("ret_script", ret_script),
        ("undefined_empty", undefined_empty),
        ("get_buffer", get_buffer),
        ("case_sensitive", case_sensitive),
        ("remote_bytes", remote_bytes),
        ("remote_bytes_documented", remote_bytes_documented),
        ("remote_bytes_format", remote_bytes_format),
        ("get_args", get_args),
        ("set_empty_deletes", set_empty_deletes),
        ("set_args", set_args),
        ("name_not_validated", name_not_validated),
        ("public_private", public_private),
        ("private_ui_set", private_ui_set),
        ("set_no_format", set_no_format),
        ("embedded_nul", embedded_nul),
        ("inmemory_table", inmemory_table),
        ("inmemory_rows", inmemory_rows),
        ("env_prefix", env_prefix),
        ("deferred_props", deferred_props),
        ("cad_by_name", cad_by_name),
        ("cad_variant_only", cad_variant_only),
        ("cad_snapshot", cad_snapshot),
        ("cad_immediate", cad_immediate),
        ("runs_in_script", runs_in_script),
        ("runmode_kind", runmode_kind),
        ("runmode_others", runmode_others),
        ("commit_limits", commit_limits),
        ("deferred_language", deferred_language),
        ("deferred_format", deferred_format),
        ("deferred_message", deferred_message),
        ("deferred_no_set", deferred_no_set),
        ("deferred_set_read_later", deferred_set_read_later),
        ("deferred_no_db", deferred_no_db),
        ("inscript_flags", inscript_flags),
        ("sched_flags", sched_flags),
        ("rb_cm", rb_cm),
        ("no_install_default", no_install_default),
        ("ansi_bytes_in_package", ansi_bytes_in_package),
        ("active_db", active_db),
        ("temp_only_writes", temp_only_writes),
        ("temp_only_summary", temp_only_summary),
        ("persistent_table_created", persistent_table_created),
        ("forbidden", forbidden),
        ("one_session", one_session),
        ("exe_no_session", exe_no_session),
        ("exe_command_line", exe_command_line),
        ("runmode_values", runmode_values),
        ("misc_state", misc_state),
        ("misc_condition", misc_condition),
        ("temp_table_hold", temp_table_hold),
        ("temp_table_no_hold", temp_table_no_hold),
        ("temp_column_order", temp_column_order),
        ("hold_free", hold_free),
        ("alter_add", alter_add),
        ("insert_temporary", insert_temporary),
        ("insert_temporary_disk", insert_temporary_disk),
        ("viewmodify", viewmodify),
        ("table_persistent", table_persistent),
        ("type51", type51),
        ("fmt_property", fmt_property),
        ("fmt_escape", fmt_escape),
        ("fmt_file_keys", fmt_file_keys),
        ("session_global", session_global),
        ("deferred_session", deferred_session),
        ("property_rw", property_rw),
        ("mode_settable", mode_settable),
        ("installer_database", installer_database),
        ("session_message", session_message),
        ("evaluate_condition", evaluate_condition),
    ];
    builders.iter().map(|(n, b)| (*n, b(true).0)).collect()
}

/// Deviations the model does not implement yet (their transcripts are
/// hand-built in `rules_deviations.rs` instead).
const NOT_YET_IN_MODEL: &[Deviation] = &[Deviation::NestedActionsIsolated];

#[test]
fn the_reference_model_breaks_no_rule_on_the_case_plans() {
    let mut failures = Vec::new();
    for (name, plan) in plans() {
        for profile in Profile::ALL {
            let config = Config {
                profile,
                deviations: Vec::new(),
            };
            let t = run(&plan, &config);
            for v in msiconf_spec::check(&plan, &t, profile) {
                failures.push(format!("{name} [{profile}]: {v}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} violations:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_deviation_is_caught_on_some_case_plan() {
    let plans = plans();
    let mut missed = Vec::new();
    for d in Deviation::ALL {
        if NOT_YET_IN_MODEL.contains(d) {
            continue;
        }
        let caught = plans.iter().any(|(_, plan)| {
            Profile::ALL.into_iter().any(|profile| {
                let config = Config {
                    profile,
                    deviations: vec![*d],
                };
                let t = run(plan, &config);
                msiconf_spec::check(plan, &t, profile)
                    .iter()
                    .any(|v| d.breaks().contains(&v.rule.as_str()))
            })
        });
        if !caught {
            missed.push(d.name());
        }
    }
    assert!(
        missed.is_empty(),
        "deviations no case plan catches: {missed:?}"
    );
}
