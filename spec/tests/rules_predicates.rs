//! Per rule with a predicate: a transcript that obeys the rule produces no
//! violation (of that rule, nor of any other rule of the catalog), and a
//! hand-built transcript that breaks it produces violations naming the rule.
//!
//! Each case function (in `common/cases.rs`) builds both from one script: `ok` picks the outcome an
//! obeying runtime reports, `!ok` the one a broken runtime (usually the model
//! with the deviation that names the rule) would report.

mod common;

use common::cases::*;
use msiconf_spec::rules::find;
use msiconf_spec::Profile;
use rstest::rstest;

#[rstest]
#[case("DOACTION-CASE", W, doaction_case)]
#[case("DOACTION-CASE", D, doaction_case_script)]
#[case("DOACTION-UNKNOWN", W, doaction_unknown)]
#[case("SESSION-DOACTION-ENUM", W, session_doaction_enum)]
#[case("DOACTION-NULL-ACTION", W, null_action)]
#[case("DOACTION-NULL-ACTION", D, null_action_documented)]
#[case("DOACTION-BAD-HANDLE", W, bad_handle)]
#[case("ACTION-PROP-UPPERCASE", W, action_uppercase)]
#[case("DOACTION-TOPLEVEL", W, doaction_toplevel)]
#[case("DOACTION-SYSTEM-UPDATE", W, system_update)]
#[case("DOACTION-NONSYSTEM-OK", W, nonsystem_ok)]
#[case("DOACTION-NESTED", W, nested)]
#[case("DOACTION-NESTED", D, nested_probe)]
#[case("DOACTION-RETCODES", W, retcodes)]
#[case("SEQ-TERMINATION-ACTIONS", W, termination)]
#[case("SEQ-ORDER", W, seq_order)]
#[case("INSTALL-LOG", W, install_log)]
#[case("SEQ-BAD-CONDITION", W, bad_condition)]
#[case("CA-RET-SUCCESS", W, ret_success)]
#[case("CA-RET-USEREXIT", W, ret_userexit)]
#[case("CA-RET-NO-MORE-ITEMS", W, ret_no_more_items)]
#[case("CA-RET-OTHER", W, ret_other)]
#[case("CA-RET-SUSPEND", W, ret_suspend)]
#[case("CA-RET-CONTINUE-FLAG", W, ret_continue)]
#[case("CA-RET-EXE-ZERO", W, ret_exe)]
#[case("CA-TYPE19-ERROR", W, ret_type19)]
#[case("SCRIPT-CA-RET", W, ret_script)]
#[case("PROP-GET-UNDEFINED-EMPTY", W, undefined_empty)]
#[case("PROP-GET-BUFFER", W, get_buffer)]
#[case("PROP-GET-BUFFER", W, in_script_get_buffer)]
#[case("PROP-CASE-SENSITIVE", W, case_sensitive)]
#[case("PROP-GET-REMOTE-BYTES", W, remote_bytes)]
#[case("PROP-GET-REMOTE-BYTES", D, remote_bytes_documented)]
#[case("PROP-GET-REMOTE-BYTES", W, remote_bytes_format)]
#[case("PROP-GET-ARGS", W, get_args)]
#[case("PROP-SET-EMPTY-DELETES", W, set_empty_deletes)]
#[case("PROP-SET-ARGS", W, set_args)]
#[case("PROP-NAME-NOT-VALIDATED", W, name_not_validated)]
#[case("PROP-PUBLIC-PRIVATE", W, public_private)]
#[case("PROP-PUBLIC-PRIVATE", D, private_ui_set)]
#[case("PROP-SET-NO-FORMAT", W, set_no_format)]
#[case("PROP-EMBEDDED-NUL", W, embedded_nul)]
#[case("PROP-INMEMORY-TABLE", W, inmemory_table)]
#[case("PROP-INMEMORY-TABLE", D, inmemory_rows)]
#[case("PROP-ENV-PREFIX", W, env_prefix)]
#[case("DEFERRED-PROPS", W, deferred_props)]
#[case("CUSTOMACTIONDATA-BY-NAME", W, cad_by_name)]
#[case("CUSTOMACTIONDATA-SNAPSHOT", W, cad_snapshot)]
#[case("CUSTOMACTIONDATA-IMMEDIATE", W, cad_immediate)]
#[case("DEFERRED-RUNS-IN-SCRIPT", W, runs_in_script)]
#[case("RUNMODE-IMM-VS-DEF", W, runmode_kind)]
#[case("RUNMODE-DEF-OTHERS-FALSE", W, runmode_others)]
#[case("COMMIT-LIMITS", W, commit_limits)]
#[case("DEFERRED-LANGUAGE", W, deferred_language)]
#[case("DEFERRED-FORMATRECORD", W, deferred_format)]
#[case("DEFERRED-PROCESSMESSAGE", W, deferred_message)]
#[case("DEFERRED-NO-SETPROPERTY", W, deferred_no_set)]
#[case("DEFERRED-NO-SETPROPERTY", D, deferred_set_read_later)]
#[case("DEFERRED-NO-DATABASE", W, deferred_no_db)]
#[case("INSCRIPT-FLAGS", W, inscript_flags)]
#[case("SCHED-FLAGS-SHARE-BITS", W, sched_flags)]
#[case("RB-CM-NEED-ROLLBACK-ENABLED", W, rb_cm)]
#[case("ACTIVE-DB-HANDLE", W, active_db)]
#[case("TEMP-ONLY-WRITES", W, temp_only_writes)]
#[case("TEMP-ONLY-WRITES", D, temp_only_summary)]
#[case("CA-FORBIDDEN-DB-FUNCS", W, forbidden)]
#[case("ONE-SESSION", W, one_session)]
#[case("EXE-NO-SESSION", W, exe_no_session)]
#[case("EXE-NO-SESSION", D, exe_command_line)]
#[case("RUNMODE-VALUES-IMM", W, runmode_values)]
#[case("CA-MISC-STATE-APIS", W, misc_state)]
#[case("CA-MISC-STATE-APIS", D, misc_condition)]
#[case("SQL-TEMP-TABLE-HOLD", W, temp_table_hold)]
#[case("SQL-TEMP-TABLE-NO-HOLD", W, temp_table_no_hold)]
#[case("SQL-TEMP-COLUMN-ORDER", W, temp_column_order)]
#[case("SQL-HOLD-FREE-REFCOUNT", W, hold_free)]
#[case("SQL-ALTER-ADD-COLUMN", W, alter_add)]
#[case("SQL-INSERT-TEMPORARY", W, insert_temporary)]
#[case("SQL-INSERT-TEMPORARY", D, insert_temporary_disk)]
#[case("VIEWMODIFY-INSERT-TEMPORARY", W, viewmodify)]
#[case("TABLE-PERSISTENT-QUERY", W, table_persistent)]
#[case("SQL-SELECT-READS", W, select_reads)]
#[case("TYPE51-SETPROP", W, type51)]
#[case("FMT-PROPERTY", W, fmt_property)]
#[case("FMT-RECORD-BUFFER", W, fmt_record_buffer)]
#[case("FMT-RECORD-BUFFER", W, fmt_null_record)]
#[case("DIR-TARGET-ARGS", W, dir_target_args)]
#[case("DIR-NEEDS-COSTING", W, dir_needs_costing)]
#[case("DIR-TARGET-RESOLVED", W, dir_target_resolved)]
#[case("DIR-SET-TARGET-ARGS", W, dir_set_args)]
#[case("DIR-SET-TARGET-EFFECT", W, dir_set_effect)]
#[case("DIR-SOURCE-ARGS", W, dir_source_args)]
#[case("DIR-DEFERRED", W, dir_deferred)]
#[case("FEATURE-STATE-ARGS", W, feature_args)]
#[case("COMPONENT-STATE-ARGS", W, component_args)]
#[case("FEATURE-STATE-COSTED", W, feature_costed)]
#[case("COMPONENT-STATE-COSTED", W, component_costed)]
#[case("FEATURE-SET-STATE-EFFECT", W, feature_set_effect)]
#[case("COMPONENT-SET-STATE-EFFECT", W, component_set_effect)]
#[case("STATE-DEFERRED", W, state_deferred)]
#[case("REMOTE-NULL-OUTPTR", W, remote_null_out)]
#[case("SESSION-PATHS", W, session_paths)]
#[case("SESSION-STATES", W, session_states)]
#[case("FEATURE-ATTRIBUTES-WINDOW", W, attributes_window)]
#[case("DIR-SOURCE-RESOLVED", W, dir_source_resolved)]
#[case("FEATURE-STATE-PROPAGATES", W, feature_propagates)]
#[case("FEATURE-VALID-STATES", W, valid_states)]
#[case("INSTALL-LEVEL-SELECTS", W, level_selects)]
#[case("FEATURE-VALID-STATES", D, valid_states_unknown)]
#[case("FEATURE-COST-ARGS", W, feature_cost_args)]
#[case("FEATURE-COST", D, feature_cost)]
#[case("COMPONENT-COSTS-ARGS", W, component_costs_args)]
#[case("COMPONENT-COSTS", W, component_costs)]
#[case("DISK-SPACE", W, disk_space)]
#[case("SESSION-COSTS", W, session_costs)]
#[case("LAST-ERROR-RECORD", W, last_error_record)]
#[case("DIR-PATH-BUFFER", D, dir_path_buffer)]
#[case("DIR-PATH-BUFFER", W, dir_path_ansi)]
#[case("FMT-ESCAPE", W, fmt_escape)]
#[case("FMT-FILE-COMPONENT-KEYS", W, fmt_file_keys)]
#[case("SCRIPT-SESSION-GLOBAL", W, session_global)]
#[case("SCRIPT-DEFERRED-SESSION", W, deferred_session)]
#[case("SESSION-PROPERTY-RW", W, property_rw)]
#[case("SESSION-MODE-SETTABLE", W, mode_settable)]
#[case("SESSION-MODE-SETTABLE", W, reboot_mode_settable)]
#[case("SESSION-INSTALLER-DATABASE", W, installer_database)]
#[case("SESSION-MESSAGE", W, session_message)]
#[case("SESSION-EVALUATECONDITION", W, evaluate_condition)]
#[case("RB-CM-ORDER", W, rb_order)]
#[case("RB-CM-ORDER", D, cm_order)]
#[case("SEQ-ZERO-NEVER-RUNS", W, seq_zero)]
#[case("SEQ-CONDITION", W, seq_condition)]
#[case("CUSTOMACTIONDATA-PER-SCHEDULING", W, cad_per_scheduling)]
#[case("CONDITION-STRING-CASE", W, condition_case)]
#[case("PROP-GET-BUFFER", D, get_buffer_copy)]
#[case("SCHED-FLAGS-SHARE-BITS", W, first_sequence_exec_only)]
#[case("SCHED-FLAGS-SHARE-BITS", D, once_per_process)]
#[case("SCHED-FLAGS-SHARE-BITS", W, client_repeat)]
#[case("CA-RET-CONTINUE-FLAG", W, continue_doaction)]
#[case("REC-CREATE", W, rec_create)]
#[case("REC-INVALID-HANDLE", W, rec_invalid_handle)]
#[case("REC-NULL-FIELDS", W, rec_null_fields)]
#[case("REC-FIELD-RANGE", D, rec_field_range)]
#[case("REC-GET-STRING", W, rec_get_string)]
#[case("REC-INTEGER", W, rec_integer)]
#[case("REC-STREAM", W, rec_stream)]
#[case("CA-PROCESS-MODEL", W, ca_process_model)]
#[case("CA-COM-APARTMENT", W, ca_com_apartment)]
#[case("VIEW-COLUMN-INFO", W, column_info)]
#[case("DB-PRIMARY-KEYS", W, primary_keys)]
#[case("VIEW-ERROR-ARGS", D, view_error_args)]
#[case("VIEW-ERROR-VALIDATION", W, view_error_validation)]
#[case("VIEW-ERROR-VALIDATION", D, view_error_validation)]
#[case("VIEW-ERROR-BUFFER", W, view_error_buffer)]
#[case("SUMINFO-OPEN", W, summary_open)]
#[case("SUMINFO-PROPERTIES", D, summary_properties)]
#[case("SUMINFO-BUFFER", W, summary_buffer)]
fn rule_is_obeyed_and_broken(
    #[case] id: &str,
    #[case] profile: Profile,
    #[case] build: fn(bool) -> Built,
) {
    let rule = find(id).expect("rule in catalog");
    assert!(rule.has_predicate(), "{id} has no predicate");

    let (plan, good) = build(true);
    let all = msiconf_spec::check(&plan, &good, profile);
    assert!(
        all.is_empty(),
        "{id}: the obeying transcript broke rules: {all:#?}"
    );

    let (plan, bad) = build(false);
    let mut out = Vec::new();
    rule.check(&plan, &bad, profile, &mut out);
    assert!(
        !out.is_empty(),
        "{id}: the breaking transcript was not caught"
    );
    for v in &out {
        assert_eq!(v.rule, id);
        assert!(v.to_string().starts_with(id), "{v}");
    }
}

/// Every rule with a predicate is exercised by at least one case above.
#[test]
fn every_predicate_has_a_case() {
    let src = include_str!("rules_predicates.rs");
    for r in msiconf_spec::rules::catalog()
        .iter()
        .filter(|r| r.has_predicate())
    {
        let needle = format!("#[case(\"{}\"", r.id);
        assert!(src.contains(&needle), "no case for {}", r.id);
    }
}

/// Where a rule's two profiles disagree, one transcript passes under one
/// profile and fails under the other.
#[rstest]
#[case("DOACTION-NULL-ACTION", null_action, true)]
#[case("PROP-GET-REMOTE-BYTES", remote_bytes, true)]
#[case("DOACTION-SYSTEM-UPDATE", system_update_failing, false)]
#[case("CA-FORBIDDEN-DB-FUNCS", commit_refused, false)]
#[case("DEFERRED-PROPS", deferred_other_property_fails, false)]
#[case("REC-INVALID-HANDLE", rec_is_null_bad_handle, true)]
fn profiles_disagree(
    #[case] id: &str,
    #[case] build: fn(bool) -> Built,
    #[case] windows_passes: bool,
) {
    let rule = find(id).expect("rule in catalog");
    assert!(rule.disagreement.is_some(), "{id} records no disagreement");
    let (plan, t) = build(true);
    let count = |p: Profile| {
        let mut out = Vec::new();
        rule.check(&plan, &t, p, &mut out);
        out.len()
    };
    assert_eq!(count(W) == 0, windows_passes, "{id} under windows");
    assert_eq!(count(D) == 0, !windows_passes, "{id} under documented");
}

fn system_update_failing(_: bool) -> Built {
    system_update(false)
}

/// `check_rules` with part of the catalog finds exactly what `check` finds
/// for those rules, whether or not the subset holds every rule of the
/// shared temporary-table walk.
#[test]
fn checking_a_subset_finds_what_the_whole_check_finds_for_it() {
    use msiconf_spec::rules::catalog;
    for build in [temp_table_hold, hold_free, seq_order] {
        let (plan, t) = build(false);
        let all = msiconf_spec::check(&plan, &t, Profile::Windows);
        assert!(!all.is_empty());
        for left_out in ["SQL-TEMP-TABLE-HOLD", "SEQ-ORDER", "DOACTION-CASE"] {
            let subset: Vec<_> = catalog()
                .iter()
                .filter(|r| r.id != left_out)
                .copied()
                .collect();
            let got = msiconf_spec::check_rules(&plan, &t, Profile::Windows, &subset);
            let want: Vec<_> = all.iter().filter(|v| v.rule != left_out).cloned().collect();
            assert_eq!(got, want, "without {left_out}");
        }
    }
}
