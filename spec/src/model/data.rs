//! Fixed data the model carries instead of reading the machine: a small
//! process environment, the user's SID, and the standard actions.

/// The environment the model's process has. A real runtime has its own; cases
/// should only rely on these variables existing, not on their values.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "PATH",
        r"C:\Windows\system32;C:\Windows;C:\Windows\System32\Wbem",
    ),
    ("TEMP", r"C:\Users\msiconf\AppData\Local\Temp"),
    ("TMP", r"C:\Users\msiconf\AppData\Local\Temp"),
    ("SystemRoot", r"C:\Windows"),
    ("windir", r"C:\Windows"),
    ("SystemDrive", "C:"),
    ("ProgramFiles", r"C:\Program Files"),
    ("COMPUTERNAME", "MSICONF"),
    ("USERNAME", "msiconf"),
];

/// An environment variable, its name matched without regard to case.
pub(crate) fn environment(name: &str) -> Option<&'static str> {
    ENVIRONMENT
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// The UserSID property the engine sets.
pub(crate) const USER_SID: &str = "S-1-5-21-1004336348-1177238915-682003330-1001";

/// What kind of standard action a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standard {
    /// A top-level action that runs a sequence (INSTALL, ADMIN, ADVERTISE).
    TopLevel,
    /// Runs the execute sequence of the top-level action (EXECUTEACTION).
    ExecuteAction,
    /// Opens the install script.
    InstallInitialize,
    /// Runs the script, then commit actions.
    InstallFinalize,
    /// Runs the script written so far.
    InstallExecute,
    /// Sets RollbackDisabled.
    DisableRollback,
    /// Sets REBOOTATEND.
    ScheduleReboot,
    /// Reads state or costs the install; safe to run at any time.
    Informational,
    /// Changes the system: only effective inside the script window.
    SystemChanging,
}

const INFORMATIONAL: &[&str] = &[
    "AppSearch",
    "CCPSearch",
    "CostFinalize",
    "CostInitialize",
    "FileCost",
    "FindRelatedProducts",
    "ForceReboot",
    "InstallAdminPackage",
    "InstallValidate",
    "IsolateComponents",
    "LaunchConditions",
    "MigrateFeatureStates",
    "MsiUnpublishAssemblies",
    "ResolveSource",
    "RMCCPSearch",
    "ValidateProductID",
    "InstallSFPCatalogFile",
    "SetODBCFolders",
];

const SYSTEM_CHANGING: &[&str] = &[
    "AllocateRegistrySpace",
    "BindImage",
    "CreateFolders",
    "CreateShortcuts",
    "DeleteServices",
    "DuplicateFiles",
    "InstallFiles",
    "InstallODBC",
    "InstallServices",
    "MoveFiles",
    "MsiConfigureServices",
    "MsiPublishAssemblies",
    "PatchFiles",
    "ProcessComponents",
    "PublishComponents",
    "PublishFeatures",
    "PublishProduct",
    "RegisterClassInfo",
    "RegisterComPlus",
    "RegisterExtensionInfo",
    "RegisterFonts",
    "RegisterMIMEInfo",
    "RegisterProduct",
    "RegisterProgIdInfo",
    "RegisterTypeLibraries",
    "RegisterUser",
    "RemoveDuplicateFiles",
    "RemoveEnvironmentStrings",
    "RemoveExistingProducts",
    "RemoveFiles",
    "RemoveFolders",
    "RemoveIniValues",
    "RemoveODBC",
    "RemoveRegistryValues",
    "RemoveShortcuts",
    "SelfRegModules",
    "SelfUnregModules",
    "StartServices",
    "StopServices",
    "UnpublishComponents",
    "UnpublishFeatures",
    "UnregisterClassInfo",
    "UnregisterComPlus",
    "UnregisterExtensionInfo",
    "UnregisterFonts",
    "UnregisterMIMEInfo",
    "UnregisterProgIdInfo",
    "UnregisterTypeLibraries",
    "WriteEnvironmentStrings",
    "WriteIniValues",
    "WriteRegistryValues",
];

/// The standard action with exactly this name (case matters, DOACTION-CASE).
pub(crate) fn standard(name: &str) -> Option<Standard> {
    // Every action the model runs is looked up here, so the lists become one hash map.
    static INDEX: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, Standard>> =
        std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = rustc_hash::FxHashMap::default();
        // Later lists never override earlier ones (the order of the old match arms).
        let mut add = |names: &[&'static str], kind: Standard| {
            for &n in names {
                index.entry(n).or_insert(kind);
            }
        };
        add(&["INSTALL", "ADMIN", "ADVERTISE"], Standard::TopLevel);
        add(&["ExecuteAction"], Standard::ExecuteAction);
        add(&["InstallInitialize"], Standard::InstallInitialize);
        add(&["InstallFinalize"], Standard::InstallFinalize);
        add(
            &["InstallExecute", "InstallExecuteAgain"],
            Standard::InstallExecute,
        );
        add(&["DisableRollback"], Standard::DisableRollback);
        add(&["ScheduleReboot"], Standard::ScheduleReboot);
        add(INFORMATIONAL, Standard::Informational);
        add(SYSTEM_CHANGING, Standard::SystemChanging);
        index
    });
    index.get(name).copied()
}

/// Every standard action name, for case-insensitive look-ups (a deviation).
pub(crate) fn standard_names() -> impl Iterator<Item = &'static str> {
    [
        "INSTALL",
        "ADMIN",
        "ADVERTISE",
        "ExecuteAction",
        "InstallInitialize",
        "InstallFinalize",
        "InstallExecute",
        "InstallExecuteAgain",
        "DisableRollback",
        "ScheduleReboot",
    ]
    .into_iter()
    .chain(INFORMATIONAL.iter().copied())
    .chain(SYSTEM_CHANGING.iter().copied())
}

/// The sequence tables a top-level action runs: (UI sequence, execute sequence).
pub(crate) fn sequences_of(top: &str) -> (&'static str, &'static str) {
    match top {
        "ADMIN" => ("AdminUISequence", "AdminExecuteSequence"),
        "ADVERTISE" => ("AdvtUISequence", "AdvtExecuteSequence"),
        _ => ("InstallUISequence", "InstallExecuteSequence"),
    }
}
