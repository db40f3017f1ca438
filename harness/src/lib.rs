//! msiconf: the conformance harness for the Windows Installer custom-action session API.

pub mod report;
pub mod runtime;
