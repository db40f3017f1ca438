//! Why a kind of mutation survives, where that is known.
//!
//! Each entry names an operation, a mutation kind and optionally a context,
//! and says why no predicate can (or yet does) flag it: the sources leave the
//! outcome open, or a predicate has a known gap. The survivor list prints the
//! reason beside every matching group; a group without one is unexplained.

/// One known reason.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    /// The operation name (`get-property`, `probe-run`, `action`, ...).
    pub operation: &'static str,
    /// The mutation kind name; `*` for every kind.
    pub mutation: &'static str,
    /// The context name; `*` for every context.
    pub context: &'static str,
    pub why: &'static str,
}

/// The table, most specific entries first (the first match wins).
pub const KNOWN: &[Known] = &[];

/// The reason for a survivor group, if the table has one.
pub fn known(operation: &str, mutation: &str, context: &str) -> Option<&'static str> {
    KNOWN
        .iter()
        .find(|k| {
            k.operation == operation
                && (k.mutation == "*" || k.mutation == mutation)
                && (k.context == "*" || k.context == context)
        })
        .map(|k| k.why)
}
