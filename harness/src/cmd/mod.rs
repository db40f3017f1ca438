//! The subcommands of `msiconf`, one module each.

pub mod clean;
pub mod compare;
pub mod list;
pub mod rules;
pub mod run;
pub mod runtimes;

use anyhow::Context as _;
use msiconf::case::{load_dir, KnownRules, Suite};
use std::path::Path;

/// Loads the suite and prints every case-file error to standard error.
pub fn load_suite(dir: &Path) -> anyhow::Result<Suite> {
    let suite = load_dir(dir, &KnownRules::catalog())
        .context("no cases to run (give the folder with --cases)")?;
    for e in &suite.errors {
        eprintln!("error: {e}");
    }
    Ok(suite)
}
