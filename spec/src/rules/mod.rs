//! The rule catalog: every rule with its predicate, grouped by family
//! (`docs/rules.md` is generated from it).
//!
//! Each family module holds its rules as data (`RULES`) and the predicate
//! functions beside them. The helpers the predicates share live in
//! [`facts`] (what a plan and a transcript settle; `index` answers its
//! questions in one pass over a long transcript); what the engine itself does
//! (SQL, formatted text, conditions, standard actions, property classes,
//! buffer arithmetic) comes from [`crate::msi`], which the model uses too.
//!
//! # Adding a rule
//!
//! 1. Add a [`Rule`] to the `RULES` of its family's module, with the catalog's
//!    ID, a one-line title, the rule in your own words, the catalog's source
//!    keys, the contexts, the level, and a `disagreement` when the
//!    documentation and Windows differ (the predicate then branches on the
//!    [`crate::Profile`] it is given).
//! 2. Write its predicate beside it. It must be pure and cheap, and flag only
//!    what the transcript settles: ask [`facts`] for what a property must hold
//!    or where a probe runs, and stay silent on `None`. Skip outcomes the
//!    runtime reported as unsupported, and fields it did not report.
//! 3. If the rule has nothing to observe, give `Check::Unobservable` with the
//!    honest reason instead.
//! 4. Add a case to `spec/tests/rules_predicates.rs` (an obeying transcript
//!    that the whole catalog accepts, and a breaking one this rule catches);
//!    if a model deviation names the rule, add it to `rules_deviations.rs`.

use crate::Rule;
use std::sync::OnceLock;

mod action_names;
mod automation;
mod costs;
mod database;
mod deferred;
mod directories;
pub mod facts;
mod features;
mod formatting;
mod index;
mod install_log;
mod null_action;
mod properties;
mod records;
pub use properties::read_owner;
mod return_codes;
mod script_order;
mod sequencing;
mod session;
mod sql;
mod summary;
pub(crate) mod temporary_writes;
mod view_errors;

/// Everything a family module needs to state its rules.
mod prelude {
    pub(super) use super::facts::{self, expect_number, expect_rc, flag, performed};
    pub(super) use super::index::Key;
    pub(super) use crate::codes::{catype, condition, rc, runmode, status};
    pub(super) use crate::{
        Check, Context, Event, Family, HandleArg, Level, OpKind, Operation, Plan, Profile, Rule,
        Subject, Transcript, Violation,
    };

    /// The package handle and the immediate DLL contexts.
    pub(super) const PKG_IMM: &[Context] = &[
        Context::Package,
        Context::ImmediateUi,
        Context::ImmediateBeforeInit,
        Context::ImmediateAfterInit,
    ];
    /// The immediate DLL contexts.
    pub(super) const IMM: &[Context] = &[
        Context::ImmediateUi,
        Context::ImmediateBeforeInit,
        Context::ImmediateAfterInit,
    ];
    /// Deferred, rollback and commit DLL contexts.
    pub(super) const IN_SCRIPT: &[Context] =
        &[Context::Deferred, Context::Rollback, Context::Commit];
    /// Every context a C call can be made from: the package handle and every DLL action.
    pub(super) const C_CALLS: &[Context] = &[
        Context::Package,
        Context::ImmediateUi,
        Context::ImmediateBeforeInit,
        Context::ImmediateAfterInit,
        Context::Deferred,
        Context::Rollback,
        Context::Commit,
    ];
    /// The top level: the install itself rather than a context inside it.
    pub(super) const TOP: &[Context] = &[Context::Package];
}

/// Every rule, grouped by family in the order of [`crate::Family`].
pub fn catalog() -> &'static [Rule] {
    static CATALOG: OnceLock<Vec<Rule>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        [
            action_names::RULES,
            null_action::RULES,
            sequencing::RULES,
            install_log::RULES,
            return_codes::RULES,
            properties::RULES,
            deferred::RULES,
            script_order::RULES,
            temporary_writes::RULES,
            sql::RULES,
            view_errors::RULES,
            database::RULES,
            summary::RULES,
            session::RULES,
            formatting::RULES,
            automation::RULES,
            records::RULES,
            directories::RULES,
            features::RULES,
            costs::RULES,
        ]
        .concat()
    })
}

/// The rule with this ID.
pub fn find(id: &str) -> Option<&'static Rule> {
    catalog().iter().find(|r| r.id == id)
}
