//! Every deliberate deviation of the model is caught by the rules it names.
//!
//! The model is written in parallel, so each deviation is shown here by the
//! transcript its broken runtime would produce on a natural plan (the
//! breaking side of a case in `common/cases.rs`). The test checks that the
//! catalog flags it, and only through rules the deviation lists.

mod common;

use common::cases::*;
use msiconf_spec::model::Deviation;
use msiconf_spec::Profile;
use rstest::rstest;
use Deviation::*;

#[rstest]
#[case(ActionLookupIgnoresCase, W, doaction_case)]
#[case(UnknownActionSucceeds, W, doaction_unknown)]
#[case(NullActionAccepted, W, null_action)]
#[case(NullActionRejected, D, null_action_documented)]
#[case(BadHandleAccepted, W, bad_handle)]
#[case(NullActionNotUppercased, W, action_uppercase)]
#[case(NoInstallDefault, W, no_install_default)]
#[case(InstallActionRefused, W, doaction_toplevel)]
#[case(SystemActionFailsOutsideWindow, W, system_update)]
#[case(NonSystemActionRefused, W, nonsystem_ok)]
#[case(NestedActionsIsolated, W, nested)]
#[case(NestedActionsIsolated, W, nested_probe)]
#[case(DoActionCodesCollapsed, W, retcodes)]
#[case(DoActionStatusNotMapped, W, session_doaction_enum)]
#[case(TerminationActionsIgnored, W, termination)]
#[case(SequenceSortedAsText, W, seq_order)]
#[case(BadConditionIgnored, W, evaluate_condition)]
#[case(BadConditionIgnored, W, bad_condition)]
#[case(NotCalledFails, W, ret_success)]
#[case(UserExitAsFailure, W, ret_userexit)]
#[case(Return259Fails, W, ret_no_more_items)]
#[case(OtherReturnIgnored, W, ret_other)]
#[case(SuspendAsFailure, W, ret_suspend)]
#[case(ContinueFlagIgnored, W, ret_continue)]
#[case(ExeExitCodeIgnored, W, ret_exe)]
#[case(Type19Succeeds, W, ret_type19)]
#[case(ScriptReturnMisread, W, ret_script)]
#[case(UndefinedPropertyFails, W, undefined_empty)]
#[case(MoreDataSizeOffByOne, W, get_buffer)]
#[case(InScriptSizeCountsTerminator, W, in_script_get_buffer)]
#[case(FormatRecordNullSizeAccepted, W, fmt_record_buffer)]
#[case(FormatNullRecordFormats, W, fmt_null_record)]
#[case(TargetPathUnknownFolderEmpty, W, dir_target_args)]
#[case(TargetPathBeforeCosting, W, dir_needs_costing)]
#[case(TargetPathWithoutSeparator, W, dir_target_resolved)]
#[case(SetTargetPathUnknownAccepted, W, dir_set_args)]
#[case(SetTargetPathUnnormalized, W, dir_set_effect)]
#[case(SetTargetPathChildrenStay, W, dir_set_effect)]
#[case(SourcePathIgnoresCase, W, dir_source_args)]
#[case(DirectoryCallsInScript, W, dir_deferred)]
#[case(StateNamesFoldCase, W, feature_args)]
#[case(StateNamesFoldCase, W, component_args)]
#[case(NullOutPointerIs87, W, remote_null_out)]
#[case(FeatureInstalledReportedLocal, W, feature_costed)]
#[case(ComponentActionIgnoresFeatures, W, component_costed)]
#[case(FeatureSetStateIgnored, W, feature_set_effect)]
#[case(ComponentSetStateIgnored, W, component_set_effect)]
#[case(StateCallsInScript, W, state_deferred)]
#[case(SessionPathUnknownEmpty, W, session_paths)]
#[case(SessionRequestStateIsCurrent, W, session_states)]
#[case(FeatureAttributesAnyTime, W, attributes_window)]
#[case(SourcePathWithoutSeparator, W, dir_source_resolved)]
#[case(FeatureStateDoesNotPropagate, W, feature_propagates)]
#[case(ValidStatesStub, W, valid_states_unknown)]
#[case(InstallLevelLeavesStates, W, level_selects)]
#[case(ValidStatesOfferSource, W, valid_states)]
#[case(FeatureCostUnknownSucceeds, W, feature_cost_args)]
#[case(FeatureCostTreeAddsSelfTwice, W, feature_cost)]
#[case(ComponentCostsNullAccepted, W, component_costs_args)]
#[case(ComponentCostsDriveWithSeparator, W, component_costs)]
#[case(DiskSpaceAnyHandle, W, disk_space)]
#[case(SessionCostsUnknownZero, W, session_costs)]
#[case(LastErrorRecordNeverSet, W, last_error_record)]
#[case(LastErrorRecordKept, W, last_error_record)]
#[case(PathSizeCountsTerminator, W, dir_path_buffer)]
#[case(AnsiPathSizeInChars, W, dir_path_ansi)]
#[case(PropertyNamesFoldCase, W, case_sensitive)]
#[case(AnsiSizeInCharsInCustomActions, W, remote_bytes)]
#[case(AnsiSizeInBytesEverywhere, W, ansi_bytes_in_package)]
#[case(AnsiSizeInBytesEverywhere, D, remote_bytes_documented)]
#[case(GetPropertyArgsUnchecked, W, get_args)]
#[case(EmptyValueKeepsProperty, W, set_empty_deletes)]
#[case(SetPropertyArgsUnchecked, W, set_args)]
#[case(PropertyNamesValidated, W, name_not_validated)]
#[case(PrivatePropertiesFromCommandLine, W, public_private)]
#[case(SetPropertyFormatsValue, W, set_no_format)]
#[case(EmbeddedNulTruncates, W, embedded_nul)]
#[case(PropertyTableIsLive, W, inmemory_table)]
#[case(EnvironmentPrefixIgnored, W, env_prefix)]
#[case(DeferredSeesAllProperties, W, deferred_props)]
#[case(DeferredSeesAllProperties, W, deferred_session)]
#[case(CustomActionDataIgnoresCase, W, cad_variant_only)]
#[case(CustomActionDataReadAtRunTime, W, cad_snapshot)]
#[case(ImmediateSeesCustomActionData, W, cad_immediate)]
#[case(DeferredRunsInPlace, W, runs_in_script)]
#[case(WrongRunModesInRollbackCommit, W, runmode_kind)]
#[case(DeferredReportsAllModes, W, runmode_others)]
#[case(RebootModeNotSettable, W, runmode_values)]
#[case(RebootModesRefused, W, reboot_mode_settable)]
#[case(CommitSeesProductCode, W, commit_limits)]
#[case(DeferredLanguageZero, W, deferred_language)]
#[case(DeferredFormatsAllProperties, W, deferred_format)]
#[case(DeferredMessagesRefused, W, deferred_message)]
#[case(DeferredSetPropertyTakesEffect, W, deferred_no_set)]
#[case(DeferredSetPropertyTakesEffect, W, deferred_set_read_later)]
#[case(DeferredGetsDatabase, W, deferred_no_db)]
#[case(RollbackRunsAsDeferred, W, inscript_flags)]
#[case(FirstSequenceIgnored, W, sched_flags)]
#[case(CommitRunsWithoutRollback, W, rb_cm)]
#[case(ActiveDatabaseSameHandle, W, active_db)]
#[case(PersistentRowsWritable, W, temp_only_writes)]
#[case(PersistentTablesCreatable, W, persistent_table_created)]
#[case(SummaryInfoWritable, W, temp_only_summary)]
#[case(SummaryInfoWritable, W, installer_database)]
#[case(ForbiddenDatabaseCallsAllowed, W, forbidden)]
#[case(SecondSessionAllowed, W, one_session)]
#[case(ExeGetsSession, W, exe_no_session)]
#[case(ExeCommandLineAtRunTime, W, exe_command_line)]
#[case(InstallLevelIgnored, W, misc_state)]
#[case(TempTablePersistent, W, temp_table_hold)]
#[case(TempColumnOrderUnchecked, W, temp_column_order)]
#[case(HoldCountIgnored, W, hold_free)]
#[case(AlterAddDuplicateAllowed, W, alter_add)]
#[case(TemporaryRowsKeptAfterCommit, W, insert_temporary_disk)]
#[case(InsertTemporaryDuplicatesAllowed, W, viewmodify)]
#[case(SystemTablesPersistent, W, table_persistent)]
#[case(Type51NotFormatted, W, type51)]
#[case(FormatUnknownPropertyKept, W, fmt_property)]
#[case(FormatEscapeKept, W, fmt_escape)]
#[case(SessionPropertyEmptyNameAccepted, W, property_rw)]
#[case(AnyModeSettable, W, mode_settable)]
#[case(SessionMessageStatusWrong, W, session_message)]
#[case(RecordCreateUnbounded, W, rec_create)]
#[case(RecordBadHandleCountZero, W, rec_invalid_handle)]
#[case(RecordEmptyStringKept, W, rec_null_fields)]
#[case(RecordGrowsOnSet, D, rec_field_range)]
#[case(RecordMoreDataAsSuccess, W, rec_get_string)]
#[case(RecordIntegerParseLenient, W, rec_integer)]
#[case(StreamLeftCountsWhole, W, rec_stream)]
#[case(DllGlobalsKept, W, ca_process_model)]
#[case(EnvironmentPerAction, W, ca_process_model)]
#[case(ComThreadInitialised, W, ca_com_apartment)]
#[case(ColumnTypesIgnoreNullable, W, column_info)]
#[case(PrimaryKeysListAllColumns, W, primary_keys)]
#[case(ViewErrorBadHandleNoError, D, view_error_args)]
#[case(ViewErrorNotRecorded, W, view_error_validation)]
#[case(ViewErrorSizeCountsTerminator, W, view_error_buffer)]
#[case(SummaryOpenNullOutAccepted, W, summary_open)]
#[case(SummaryCountOffByOne, W, summary_properties)]
#[case(SummaryIntegersAsStrings, D, summary_properties)]
#[case(SummaryMoreDataCountsTerminator, W, summary_buffer)]
#[case(RollbackNotReversed, W, rb_order)]
#[case(CommitsReversed, W, cm_order)]
#[case(SequenceZeroRuns, W, seq_zero)]
#[case(LogResultsAsSuccess, W, install_log)]
#[case(SelectRefusedInCustomActions, W, select_reads)]
#[case(CustomActionDataPerName, W, cad_per_scheduling)]
#[case(ConditionStringsFoldCase, W, condition_case)]
#[case(MoreDataBufferUntouched, W, get_buffer_copy)]
#[case(FirstSequenceSkipsOnlyWhenRan, W, first_sequence_exec_only)]
#[case(OncePerProcessAsClientRepeat, W, once_per_process)]
#[case(ClientRepeatAlwaysRuns, W, client_repeat)]
#[case(ContinueIgnoredByDoAction, W, continue_doaction)]
fn deviation_is_caught_by_its_rules(
    #[case] deviation: Deviation,
    #[case] profile: Profile,
    #[case] build: fn(bool) -> Built,
) {
    let (plan, good) = build(true);
    let clean = msiconf_spec::check(&plan, &good, profile);
    assert!(
        clean.is_empty(),
        "{}: reference side flagged: {clean:#?}",
        deviation.name()
    );

    let (plan, bad) = build(false);
    let found = msiconf_spec::check(&plan, &bad, profile);
    assert!(!found.is_empty(), "{} was not caught", deviation.name());
    for v in &found {
        assert!(
            deviation.breaks().contains(&v.rule.as_str()),
            "{} was flagged by {}, which it does not list: {v}",
            deviation.name(),
            v.rule
        );
    }
}

/// Every deviation has a case above.
#[test]
fn every_deviation_has_a_case() {
    let src = include_str!("rules_deviations.rs");
    for d in Deviation::ALL {
        let needle = format!("#[case({d:?},");
        assert!(src.contains(&needle), "no case for {}", d.name());
    }
}
