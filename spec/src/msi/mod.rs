//! The one copy of Windows Installer's semantics that the reference model and
//! the rule predicates share.
//!
//! The crate is layered: the vocabulary ([`crate::Operation`], [`crate::Plan`],
//! [`crate::Transcript`]) describes calls and their records; this module says
//! what the engine makes of them (which names are standard actions, which
//! properties are public or set by the engine, how SQL parses, how return codes
//! are classified, how strings are measured in a buffer); the model
//! ([`crate::model`]) runs sessions on top of it and the predicates
//! ([`crate::rules`]) judge transcripts on top of it. A predicate that needs to
//! know how the engine behaves asks here instead of keeping its own engine, so
//! the model and the judgement cannot drift apart.

pub mod actions;
pub mod condition;
pub mod custom_action;
pub mod directory;
pub mod features;
pub mod format;
pub mod properties;
pub mod record;
pub mod sql;
pub mod summary;
pub mod text;
pub mod view_error;
