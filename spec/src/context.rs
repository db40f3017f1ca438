//! Where a call into the session API is made from.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A place from which a call is made. The same call means different things in
/// different contexts: a deferred custom action sees almost no properties, an
/// EXE custom action has no session at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum Context {
    /// A handle from MsiOpenPackage, outside any install ("PKG" in the catalog).
    Package,
    /// An immediate DLL custom action in InstallUISequence.
    ImmediateUi,
    /// An immediate DLL custom action in InstallExecuteSequence before InstallInitialize.
    ImmediateBeforeInit,
    /// An immediate DLL custom action in InstallExecuteSequence between
    /// InstallInitialize and InstallFinalize: the window where system-changing
    /// actions may be run through DoAction.
    ImmediateAfterInit,
    /// A deferred (in-script) DLL custom action, type bits 0x400.
    Deferred,
    /// A rollback DLL custom action, type bits 0x400 | 0x100.
    Rollback,
    /// A commit DLL custom action, type bits 0x400 | 0x200.
    Commit,
    /// An immediate JScript or VBScript custom action using the automation Session object.
    ScriptImmediate,
    /// A deferred JScript or VBScript custom action.
    ScriptDeferred,
    /// An EXE custom action (types 2, 18, 34, 50): it has no session at all.
    Exe,
}

impl Context {
    /// Every context, in a stable order (the order of the matrix columns and of `--help`).
    pub const ALL: [Context; 10] = [
        Context::Package,
        Context::ImmediateUi,
        Context::ImmediateBeforeInit,
        Context::ImmediateAfterInit,
        Context::Deferred,
        Context::Rollback,
        Context::Commit,
        Context::ScriptImmediate,
        Context::ScriptDeferred,
        Context::Exe,
    ];

    /// The name used in case files, reports and the protocol.
    pub fn name(self) -> &'static str {
        match self {
            Context::Package => "package",
            Context::ImmediateUi => "immediate-ui",
            Context::ImmediateBeforeInit => "immediate-before-init",
            Context::ImmediateAfterInit => "immediate-after-init",
            Context::Deferred => "deferred",
            Context::Rollback => "rollback",
            Context::Commit => "commit",
            Context::ScriptImmediate => "script-immediate",
            Context::ScriptDeferred => "script-deferred",
            Context::Exe => "exe",
        }
    }

    /// Parses a context name as written in case files.
    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether code in this context runs from the install script (deferred, rollback, commit).
    pub fn is_in_script(self) -> bool {
        matches!(
            self,
            Context::Deferred | Context::Rollback | Context::Commit | Context::ScriptDeferred
        )
    }

    /// Whether this is an immediate custom action with full session access.
    pub fn is_immediate(self) -> bool {
        matches!(
            self,
            Context::ImmediateUi
                | Context::ImmediateBeforeInit
                | Context::ImmediateAfterInit
                | Context::ScriptImmediate
        )
    }

    /// Whether this is a custom action at all (everything but the package handle).
    pub fn is_custom_action(self) -> bool {
        self != Context::Package
    }

    /// Whether calls are made through the automation Session object.
    pub fn is_script(self) -> bool {
        matches!(self, Context::ScriptImmediate | Context::ScriptDeferred)
    }

    /// The catalog's short tag for the context (PKG, IMM, DEF, RB, CM, SCRIPT, EXE).
    pub fn catalog_tag(self) -> &'static str {
        match self {
            Context::Package => "PKG",
            Context::ImmediateUi | Context::ImmediateBeforeInit | Context::ImmediateAfterInit => {
                "IMM"
            }
            Context::Deferred => "DEF",
            Context::Rollback => "RB",
            Context::Commit => "CM",
            Context::ScriptImmediate | Context::ScriptDeferred => "SCRIPT",
            Context::Exe => "EXE",
        }
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
