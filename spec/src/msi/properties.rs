//! Property classes.
