//! Reports: the versioned JSON model and every renderer that reads it.

pub mod atomic;
pub mod compare;
pub mod coverage;
mod escape;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod model;
mod style;
