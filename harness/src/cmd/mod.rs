//! The subcommands of `msiconf`, one module each.

pub mod clean;
pub mod compare;
pub mod list;
pub mod oracle;
pub mod out;
pub mod recheck;
pub mod render;
pub mod rules;
pub mod run;
pub mod runtimes;

use anyhow::Context as _;
use msiconf::case::select::Selection;
use msiconf::case::{embedded, load_dir, load_embedded, KnownRules, Suite};
use std::path::{Path, PathBuf};

/// Which cases to take, shared by `run` and `list`.
#[derive(Debug, Clone, clap::Args)]
pub struct SelectArgs {
    /// Only cases whose name contains one of these, or matches it as a glob
    /// (`'properties/*'`, `'*/null-*'`).
    #[arg(value_name = "FILTER")]
    filters: Vec<String>,
    /// Leave out the cases whose name contains this or matches it as a glob. Repeat for several.
    #[arg(long = "exclude", value_name = "PATTERN")]
    excludes: Vec<String>,
    /// Only cases citing this rule ID (see `msiconf rules`). Repeat for several.
    #[arg(long = "rule", value_name = "ID")]
    rules: Vec<String>,
    /// Only cases with this tag (the `tags` of a case file). Repeat for several.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
}

impl SelectArgs {
    /// The selection over `suite`; an unknown rule or tag is an error with a suggestion.
    pub fn selection(&self, suite: &Suite) -> anyhow::Result<Selection> {
        let known = msiconf_spec::rules::catalog().iter().map(|r| r.id);
        Ok(Selection::new(
            &self.filters,
            &self.excludes,
            &self.rules,
            &self.tags,
            known,
            &suite.cases,
        )?)
    }

    /// The selection in words, for "no cases selected" messages.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.filters.is_empty() {
            parts.push(format!("matching `{}`", self.filters.join("` or `")));
        }
        if !self.rules.is_empty() {
            parts.push(format!("citing {}", self.rules.join(" or ")));
        }
        if !self.tags.is_empty() {
            parts.push(format!("tagged {}", self.tags.join(" or ")));
        }
        if !self.excludes.is_empty() {
            parts.push(format!("not matching `{}`", self.excludes.join("` or `")));
        }
        parts.join(", ")
    }
}

/// Where the cases come from: `--cases DIR`, else `./cases` when there is
/// one (a checkout, a project's own suite), else the suite built in.
pub fn suite_origin(given: Option<&Path>) -> PathBuf {
    match given {
        Some(dir) => dir.to_owned(),
        None if Path::new(DEFAULT_CASES).is_dir() => PathBuf::from(DEFAULT_CASES),
        None => PathBuf::from(embedded::ORIGIN),
    }
}

/// The cases folder used when the current folder has one.
const DEFAULT_CASES: &str = "cases";

/// Loads the suite (see [`suite_origin`]) and prints every case-file error
/// to standard error.
pub fn load_suite(given: Option<&Path>) -> anyhow::Result<Suite> {
    let origin = suite_origin(given);
    let suite = if origin == Path::new(embedded::ORIGIN) {
        if embedded::FILES.is_empty() {
            anyhow::bail!("no cases to run: this msiconf was built without them; give the folder with --cases");
        }
        load_embedded(&KnownRules::catalog())
    } else {
        load_dir(&origin, &KnownRules::catalog())
            .context("no cases to run (give the folder with --cases)")?
    };
    for e in &suite.errors {
        out::note(&format!("error: {e}"));
    }
    Ok(suite)
}
