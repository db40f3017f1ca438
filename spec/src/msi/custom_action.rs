//! Custom-action type classes.
