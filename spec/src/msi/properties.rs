//! Property classes: public or private, and the properties the engine sets.

/// Whether a property is public: its name has no lower-case letter. Only
/// public properties can be set on the command line and travel from the UI
/// sequence to the execute sequence.
pub fn is_public(name: &str) -> bool {
    !name.chars().any(char::is_lowercase)
}

/// Whether a name is an Identifier as the "Identifier" data-type page defines
/// it: an ASCII letter or underscore, then letters, digits, underscores and
/// periods. (Windows does not enforce it for property names: PROP-NAME-NOT-VALIDATED.)
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Whether the engine itself sets or changes the property during a session
/// (the installer properties of the "Property Reference": folders, versions,
/// hardware, the user, the install's state), so its value is the engine's
/// and the machine's, not the package's.
pub fn is_engine_set(name: &str) -> bool {
    name.starts_with('%')
        || name.starts_with("Msi")
        || name.starts_with("MSI")
        || name.ends_with("Folder")
        || name.ends_with("Folder64")
        || ENGINE_SET.contains(&name)
}

const ENGINE_SET: &[&str] = &[
    "ACTION",
    "ADDLOCAL",
    "ADDSOURCE",
    "ALLUSERS",
    "INSTALLDIR",
    "TRANSFORMS",
    "PRIMARYFOLDER",
    "LIMITUI",
    "REINSTALLMODE",
    "PATCH",
    "SourcedirProduct",
    "CCP_DRIVE",
    "CURRENTDIRECTORY",
    "AFTERREBOOT",
    "Resume",
    "RESUME",
    "UpdateStarted",
    "SharedWindows",
    "ShellAdvtSupport",
    "OLEAdvtSupport",
    "WindowsVolume",
    "VersionDatabase",
    "VersionMsi",
    "AdminUser",
    "Alpha",
    "CLIENTPROCESSID",
    "CLIENTUILEVEL",
    "COMPANYNAME",
    "ColorBits",
    "ComputerName",
    "CostingComplete",
    "DATABASE",
    "Date",
    "EXECUTEACTION",
    "EXECUTEMODE",
    "INSTALLLEVEL",
    "Installed",
    "Intel",
    "Intel64",
    "LogonUser",
    "Msix64",
    "OriginalDatabase",
    "OutOfDiskSpace",
    "OutOfNoRbDiskSpace",
    "PackageCode",
    "PackagecodeChanging",
    "PhysicalMemory",
    "Preselected",
    "PrimaryVolumeSpaceAvailable",
    "PrimaryVolumeSpaceRemaining",
    "PrimaryVolumeSpaceRequired",
    "Privileged",
    "ProductID",
    "ProductLanguage",
    "ProductState",
    "ProductToBeRegistered",
    "REINSTALL",
    "REMOVE",
    "ROOTDRIVE",
    "RedirectedDllSupport",
    "RemoteAdminTS",
    "ReplacedInUseFiles",
    "RestrictedUserControl",
    "RollbackDisabled",
    "SECONDSEQUENCE",
    "SOURCEDIR",
    "ScreenX",
    "ScreenY",
    "ServicePackLevel",
    "ServicePackLevelMinor",
    "SourceDir",
    "SystemLanguageID",
    "TARGETDIR",
    "TTCSupport",
    "TerminalServer",
    "Time",
    "UILevel",
    "USERNAME",
    "UpgradingProductCode",
    "UserLanguageID",
    "UserSID",
    "Version9X",
    "VersionNT",
    "VersionNT64",
    "VirtualMemory",
    "WindowsBuild",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_public("TESTPATH") && is_public("A_1") && !is_public("Private"));
        for n in [
            "UserSID",
            "ProgramFilesFolder",
            "%PATH",
            "MsiNTProductType",
            "ACTION",
        ] {
            assert!(is_engine_set(n), "{n}");
        }
        assert!(!is_engine_set("TESTPATH"));
    }
}
