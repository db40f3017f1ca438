//! Which rule family a mutation counts toward.
//!
//! Two views, both reported:
//!
//! - by *cited* family: the families of the rules the case cites (a case that
//!   cites rules of two families counts each mutation in both). This is the
//!   headline score: a case is written to pin its rules, so a mutation of its
//!   transcript that no predicate catches is a hole in those rules' predicates.
//! - by *owner* family: the family whose rules would own the mutated call,
//!   from the call, its context and its arguments ([`owner`]). This view does
//!   not depend on how the cases happen to be filed.

use super::mutate::Site;
use msiconf_spec::{Context, Family, HandleArg, Operation, Transcript};

/// The families of the rules a case cites, in family order, without repeats.
/// Rule IDs the catalog does not know are skipped (the case loader refuses them).
pub fn cited(rules: &[String]) -> Vec<Family> {
    let mut out: Vec<Family> = rules
        .iter()
        .filter_map(|id| msiconf_spec::rules::find(id))
        .map(|r| r.family)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The family whose rules own the mutated part of `t`.
pub fn owner(t: &Transcript, site: Site) -> Family {
    match site {
        Site::Event(i) => t
            .events
            .get(i)
            .map_or(Family::Sequencing, |e| call_owner(&e.call, e.context)),
        // Where and how often a probe runs: the script rules for deferred
        // probes, the sequencing rules for the others.
        Site::Run(i) => match t.runs.get(i) {
            Some(r) if r.context.is_in_script() => Family::Deferred,
            _ => Family::Sequencing,
        },
        Site::Action(_) | Site::Install => Family::ReturnCodes,
    }
}

/// The family of the rules that judge `call` made from `context`.
fn call_owner(call: &Operation, context: Context) -> Family {
    use Operation::*;
    let in_script = context.is_in_script();
    match call {
        // A Null name or a handle that is not the session: the Null-action rules.
        DoAction { action: None, .. } | SessionDoAction { action: None } => Family::NullAction,
        DoAction { handle, .. } if *handle != HandleArg::Session => Family::NullAction,
        // In-script actions may not run actions at all: the deferred limits.
        DoAction { .. } | SessionDoAction { .. } | Sequence { .. } if in_script => Family::Deferred,
        DoAction { .. } | SessionDoAction { .. } => Family::ActionNames,
        CreateRecord { .. }
        | RecordFieldCount { .. }
        | RecordSetString { .. }
        | RecordSetInteger { .. }
        | RecordGetString { .. }
        | RecordGetInteger { .. }
        | RecordIsNull { .. }
        | RecordDataSize { .. }
        | RecordSetStream { .. }
        | RecordReadStream { .. }
        | RecordClearData { .. } => Family::Records,
        ViewColumnInfo { .. } | PrimaryKeys { .. } | ViewGetError { .. } => Family::Sql,
        GetTargetPath { .. } | SetTargetPath { .. } | GetSourcePath { .. } => Family::Directories,
        SessionTargetPath { .. } | SessionSetTargetPath { .. } | SessionSourcePath { .. } => {
            Family::Directories
        }
        SessionFeatureCurrentState { .. }
        | SessionFeatureRequestState { .. }
        | SessionSetFeatureRequestState { .. }
        | SessionComponentCurrentState { .. }
        | SessionComponentRequestState { .. }
        | SessionSetComponentRequestState { .. } => Family::Features,
        GetFeatureState { .. }
        | SetFeatureAttributes { .. }
        | SetFeatureState { .. }
        | GetComponentState { .. }
        | SetComponentState { .. }
        | GetFeatureValidStates { .. }
        | GetFeatureCost { .. }
        | EnumComponentCosts { .. }
        | VerifyDiskSpace { .. }
        | SessionFeatureValidStates { .. }
        | SessionFeatureCost { .. } => Family::Features,
        GetLastErrorRecord => Family::Database,
        _ if in_script && !is_database_write(call) => Family::Deferred,
        Sequence { .. } | EvaluateCondition { .. } => Family::Sequencing,
        GetProperty { .. } | SetProperty { .. } => Family::Properties,
        SessionPropertyGet { .. }
        | SessionPropertySet { .. }
        | SessionMode { .. }
        | SessionSetMode { .. }
        | SessionLanguage
        | SessionMessage { .. }
        | SessionEvaluateCondition { .. }
        | SessionDatabase { .. } => Family::Automation,
        FormatRecord { .. } => Family::Formatting,
        GetMode { .. } | SetMode { .. } | GetLanguage | ProcessMessage { .. } => Family::Session,
        SetInstallLevel { .. } => Family::Session,
        OpenView { .. }
        | Execute { .. }
        | Fetch { .. }
        | SetField { .. }
        | Modify { .. }
        | Sql { .. }
        | Commit { .. }
        | SetSummaryInfo { .. } => Family::TemporaryWrites,
        IsTablePersistent { .. } => Family::Sql,
        GetActiveDatabase { .. }
        | GetDatabaseState { .. }
        | OpenDatabase { .. }
        | SummaryInfo { .. }
        | SummaryPropertyCount { .. }
        | SummaryGetProperty { .. }
        | CloseHandle { .. } => Family::Database,
        OpenPackage { .. }
        | InstallProduct { .. }
        | InstallerOpenPackage
        | CommandLine
        | HasSession
        | SetEnvironment { .. }
        | GetEnvironment { .. }
        | DllCounter
        | ComInitSta
        | ComCreate => Family::Session,
    }
}

/// Calls on a database handle: in a deferred action they cannot be made at
/// all (no handle), but the temporary-writes rules own what they write.
fn is_database_write(call: &Operation) -> bool {
    matches!(
        call,
        Operation::OpenView { .. }
            | Operation::Execute { .. }
            | Operation::Fetch { .. }
            | Operation::SetField { .. }
            | Operation::Modify { .. }
            | Operation::Sql { .. }
            | Operation::Commit { .. }
            | Operation::SetSummaryInfo { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cited_families_come_from_the_catalog() {
        let f = cited(&[
            "DOACTION-CASE".to_owned(),
            "TEMP-ONLY-WRITES".to_owned(),
            "DOACTION-UNKNOWN".to_owned(),
            "NO-SUCH-RULE".to_owned(),
        ]);
        assert_eq!(f, [Family::ActionNames, Family::TemporaryWrites]);
    }

    #[test]
    fn calls_are_owned_by_the_family_that_judges_them() {
        let null = Operation::DoAction {
            action: None,
            handle: HandleArg::Session,
        };
        let named = Operation::DoAction {
            action: Some("CostInitialize".into()),
            handle: HandleArg::Session,
        };
        assert_eq!(call_owner(&null, Context::Package), Family::NullAction);
        assert_eq!(
            call_owner(&named, Context::ImmediateUi),
            Family::ActionNames
        );
        assert_eq!(call_owner(&named, Context::Deferred), Family::Deferred);
        let get = Operation::GetLanguage;
        assert_eq!(call_owner(&get, Context::Commit), Family::Deferred);
        let sql = Operation::Sql {
            db: "db".into(),
            sql: "DELETE FROM `File`".into(),
        };
        assert_eq!(call_owner(&sql, Context::Deferred), Family::TemporaryWrites);
    }
}
