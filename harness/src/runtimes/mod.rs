//! Runtimes the harness can drive.

pub mod msiexec;
