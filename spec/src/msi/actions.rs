//! The standard actions and the top-level action of an install.
//!
//! One table names every standard action with what it does to a session; the
//! model runs actions by it and the predicates judge DoAction by it.

use crate::codes::rc;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// What a standard action does, as far as a custom action can observe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// A top-level action that runs its sequences (INSTALL, ADMIN, ADVERTISE).
    TopLevel,
    /// Runs the execute sequence of the top-level action that EXECUTEACTION names.
    ExecuteAction,
    /// Opens the install script.
    InstallInitialize,
    /// Runs the script, then the commit actions.
    InstallFinalize,
    /// Runs the script written so far (InstallExecute, InstallExecuteAgain).
    InstallExecute,
    /// Sets RollbackDisabled.
    DisableRollback,
    /// Sets REBOOTATEND.
    ScheduleReboot,
    /// Reads state or costs the install; it may run at any time.
    Informational,
    /// Changes the system: it only takes effect inside the InstallInitialize..InstallFinalize window.
    SystemChanging,
}

impl ActionKind {
    /// Whether the action changes the system (and so belongs in the script window).
    pub fn changes_system(self) -> bool {
        self == ActionKind::SystemChanging
    }
}

/// The top-level actions. DoAction accepts them by name too.
pub const TOP_LEVEL_ACTIONS: &[&str] = &["INSTALL", "ADMIN", "ADVERTISE"];

/// Every standard action with its kind. Names are exact: MsiDoAction finds an
/// action only with its case as written here (DOACTION-CASE).
///
/// The system-changing ones are those the "Standard Actions Reference" places
/// between InstallInitialize and InstallFinalize because they write to the
/// machine (files, registry, services, publication, assemblies, catalogs, the
/// administrative image); the informational ones only search, cost or validate.
pub const STANDARD_ACTIONS: &[(&str, ActionKind)] = {
    use ActionKind::*;
    &[
        ("INSTALL", TopLevel),
        ("ADMIN", TopLevel),
        ("ADVERTISE", TopLevel),
        ("ExecuteAction", ExecuteAction),
        ("InstallInitialize", InstallInitialize),
        ("InstallFinalize", InstallFinalize),
        ("InstallExecute", InstallExecute),
        ("InstallExecuteAgain", InstallExecute),
        ("DisableRollback", DisableRollback),
        ("ScheduleReboot", ScheduleReboot),
        ("AppSearch", Informational),
        ("CCPSearch", Informational),
        ("CostFinalize", Informational),
        ("CostInitialize", Informational),
        ("FileCost", Informational),
        ("FindRelatedProducts", Informational),
        ("ForceReboot", Informational),
        ("InstallValidate", Informational),
        ("IsolateComponents", Informational),
        ("LaunchConditions", Informational),
        ("MigrateFeatureStates", Informational),
        ("ResolveSource", Informational),
        ("RMCCPSearch", Informational),
        ("SetODBCFolders", Informational),
        ("ValidateProductID", Informational),
        ("AllocateRegistrySpace", SystemChanging),
        ("BindImage", SystemChanging),
        ("CreateFolders", SystemChanging),
        ("CreateShortcuts", SystemChanging),
        ("DeleteServices", SystemChanging),
        ("DuplicateFiles", SystemChanging),
        ("InstallAdminPackage", SystemChanging),
        ("InstallFiles", SystemChanging),
        ("InstallODBC", SystemChanging),
        ("InstallServices", SystemChanging),
        ("InstallSFPCatalogFile", SystemChanging),
        ("MoveFiles", SystemChanging),
        ("MsiConfigureServices", SystemChanging),
        ("MsiPublishAssemblies", SystemChanging),
        ("MsiUnpublishAssemblies", SystemChanging),
        ("PatchFiles", SystemChanging),
        ("ProcessComponents", SystemChanging),
        ("PublishComponents", SystemChanging),
        ("PublishFeatures", SystemChanging),
        ("PublishProduct", SystemChanging),
        ("RegisterClassInfo", SystemChanging),
        ("RegisterComPlus", SystemChanging),
        ("RegisterExtensionInfo", SystemChanging),
        ("RegisterFonts", SystemChanging),
        ("RegisterMIMEInfo", SystemChanging),
        ("RegisterProduct", SystemChanging),
        ("RegisterProgIdInfo", SystemChanging),
        ("RegisterTypeLibraries", SystemChanging),
        ("RegisterUser", SystemChanging),
        ("RemoveDuplicateFiles", SystemChanging),
        ("RemoveEnvironmentStrings", SystemChanging),
        ("RemoveExistingProducts", SystemChanging),
        ("RemoveFiles", SystemChanging),
        ("RemoveFolders", SystemChanging),
        ("RemoveIniValues", SystemChanging),
        ("RemoveODBC", SystemChanging),
        ("RemoveRegistryValues", SystemChanging),
        ("RemoveShortcuts", SystemChanging),
        ("SelfRegModules", SystemChanging),
        ("SelfUnregModules", SystemChanging),
        ("StartServices", SystemChanging),
        ("StopServices", SystemChanging),
        ("UnpublishComponents", SystemChanging),
        ("UnpublishFeatures", SystemChanging),
        ("UnregisterClassInfo", SystemChanging),
        ("UnregisterComPlus", SystemChanging),
        ("UnregisterExtensionInfo", SystemChanging),
        ("UnregisterFonts", SystemChanging),
        ("UnregisterMIMEInfo", SystemChanging),
        ("UnregisterProgIdInfo", SystemChanging),
        ("UnregisterTypeLibraries", SystemChanging),
        ("WriteEnvironmentStrings", SystemChanging),
        ("WriteIniValues", SystemChanging),
        ("WriteRegistryValues", SystemChanging),
    ]
};

/// The standard action with exactly this name, case included.
pub fn standard(name: &str) -> Option<ActionKind> {
    // Asked for every sequence row and every DoAction: a hash look-up.
    static INDEX: OnceLock<FxHashMap<&'static str, ActionKind>> = OnceLock::new();
    INDEX
        .get_or_init(|| STANDARD_ACTIONS.iter().copied().collect())
        .get(name)
        .copied()
}

/// Whether `name` is exactly (case included) a standard or top-level action.
pub fn is_standard(name: &str) -> bool {
    standard(name).is_some()
}

/// Whether `name` is exactly a standard action that changes the system.
pub fn changes_system(name: &str) -> bool {
    standard(name).is_some_and(ActionKind::changes_system)
}

/// Whether `name` is exactly a top-level action.
pub fn is_top_level(name: &str) -> bool {
    standard(name) == Some(ActionKind::TopLevel)
}

/// The standard action `name` would find if case were ignored.
pub fn standard_ignoring_case(name: &str) -> Option<&'static str> {
    STANDARD_ACTIONS
        .iter()
        .map(|(n, _)| *n)
        .find(|n| n.eq_ignore_ascii_case(name))
}

/// The action a top-level install (or DoAction with a Null name) runs, given
/// the value of the ACTION property: that value upper-cased, or INSTALL when
/// it is empty or unset ("ACTION property": "If no value is defined for the
/// ACTION property, the installer calls the INSTALL action").
///
/// The property's value is whatever the session holds: the command line's
/// ACTION when given, otherwise the Property table's row.
pub fn top_level_action(action_property: Option<&str>) -> String {
    match action_property.filter(|a| !a.is_empty()) {
        Some(a) => a.to_uppercase(),
        None => "INSTALL".to_owned(),
    }
}

/// The action ExecuteAction runs, given the value of EXECUTEACTION: that
/// action, or INSTALL when it is empty or unset.
pub fn execute_action_target(execute_action_property: Option<&str>) -> &str {
    execute_action_property
        .filter(|v| !v.is_empty())
        .unwrap_or("INSTALL")
}

/// How a sequence (or an action run by one) ended, from what its actions
/// returned ("Custom Action Return Values", "Using a Sequence Table").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    /// An action asked to skip the remaining actions; not an error.
    Finished,
    UserExit,
    Failure,
    Suspend,
}

impl Status {
    /// What MsiInstallProduct (or MsiDoAction of a sequence) returns.
    pub fn code(self) -> u32 {
        match self {
            Status::Success | Status::Finished => rc::SUCCESS,
            Status::UserExit => rc::INSTALL_USEREXIT,
            Status::Failure => rc::INSTALL_FAILURE,
            Status::Suspend => rc::INSTALL_SUSPEND,
        }
    }

    /// How a sequence goes on after an action returned `code` (`None`: it continues).
    pub fn after(code: u32) -> Option<Status> {
        match code {
            rc::SUCCESS | rc::FUNCTION_NOT_CALLED => None,
            rc::MORE_DATA => Some(Status::Finished),
            rc::INSTALL_USEREXIT => Some(Status::UserExit),
            rc::INSTALL_SUSPEND => Some(Status::Suspend),
            _ => Some(Status::Failure),
        }
    }

    /// How a sequence ends when its last action returned `code` (success when it goes on).
    pub fn of(code: u32) -> Status {
        Status::after(code).unwrap_or(Status::Success)
    }

    /// Whether the ending fails the install (user exit, failure, suspend).
    pub fn failed(self) -> bool {
        matches!(self, Status::UserExit | Status::Failure | Status::Suspend)
    }

    /// The sequence number of the termination actions that run after this ending.
    pub fn termination(self) -> i32 {
        match self {
            Status::Success | Status::Finished => -1,
            Status::UserExit => -2,
            Status::Failure => -3,
            Status::Suspend => -4,
        }
    }
}

/// The result an install log records for an action that MsiDoAction (or a
/// sequence) reported as `code` ("Logging of Action Return Values"): 1
/// success, 0 not executed (1626), 2 user exit, 3 failure, 4 suspend, 5
/// finished (skip the remaining actions, ERROR_MORE_DATA through DoAction).
pub fn logged_result(code: u32) -> i64 {
    match code {
        rc::SUCCESS => 1,
        rc::FUNCTION_NOT_CALLED => 0,
        rc::INSTALL_USEREXIT => 2,
        rc::INSTALL_SUSPEND => 4,
        rc::MORE_DATA => 5,
        _ => 3,
    }
}

/// The sequence tables a top-level action runs: (UI sequence, execute sequence).
pub fn sequences_of(top: &str) -> (&'static str, &'static str) {
    match top {
        "ADMIN" => ("AdminUISequence", "AdminExecuteSequence"),
        "ADVERTISE" => ("AdvtUISequence", "AdvtExecuteSequence"),
        _ => ("InstallUISequence", "InstallExecuteSequence"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_exact() {
        assert_eq!(standard("CostFinalize"), Some(ActionKind::Informational));
        assert_eq!(standard("costfinalize"), None);
        assert_eq!(standard_ignoring_case("costfinalize"), Some("CostFinalize"));
        assert!(is_top_level("INSTALL") && !is_top_level("Install"));
    }

    #[test]
    fn the_table_has_no_duplicates() {
        let mut names: Vec<_> = STANDARD_ACTIONS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len);
    }

    #[test]
    fn assembly_catalog_and_admin_image_actions_change_the_system() {
        for name in [
            "InstallAdminPackage",
            "MsiUnpublishAssemblies",
            "InstallSFPCatalogFile",
        ] {
            assert!(changes_system(name), "{name}");
        }
    }

    #[test]
    fn top_level_falls_back_to_install() {
        assert_eq!(top_level_action(None), "INSTALL");
        assert_eq!(top_level_action(Some("")), "INSTALL");
        assert_eq!(top_level_action(Some("admin")), "ADMIN");
        assert_eq!(execute_action_target(Some("")), "INSTALL");
    }
}
