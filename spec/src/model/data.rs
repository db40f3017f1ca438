//! Fixed data the model carries instead of reading the machine: a small
//! process environment and the user's SID. (The standard actions are
//! [`crate::msi::actions`], shared with the predicates.)

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
