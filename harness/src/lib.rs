//! msiconf: drives implementations of the Windows Installer session API and checks them.

pub mod fuzz;
pub mod runtime;
