//! Strings in caller buffers.
