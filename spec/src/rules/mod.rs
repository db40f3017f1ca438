//! The rule catalog: every rule of `msi-rules.md`, grouped by family.

use crate::Rule;

/// Every rule, in catalog order.
pub fn catalog() -> &'static [Rule] {
    &[]
}

/// The rule with this ID.
pub fn find(id: &str) -> Option<&'static Rule> {
    catalog().iter().find(|r| r.id == id)
}
