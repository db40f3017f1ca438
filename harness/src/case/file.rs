//! The case file exactly as TOML spells it (see `docs/case-format.md`).
//!
//! Every struct rejects unknown fields, and none uses `untagged` or `flatten`:
//! serde's messages for those are poor, and a case author needs to be told
//! which field is wrong. Values whose position we need after parsing (rule
//! IDs, contexts) are [`Spanned`], so semantic errors can name the line too.

use super::expect::{Expect, InstallExpect};
use msiconf_spec::fixture::{CustomActionRow, PropertyRow, SequenceRow, Table};
use msiconf_spec::{Context, Operation, Profile, UiLevel};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A whole case file.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct CaseFile {
    pub description: String,
    pub rules: Spanned<Vec<Spanned<String>>>,
    /// `wine-test = "package.c test_condition"`: the Wine test function the case translates.
    #[serde(default)]
    pub wine_test: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub profiles: Option<Spanned<Vec<Profile>>>,
    #[serde(default)]
    pub fixture: FixtureFile,
    #[serde(default)]
    pub install: Option<InstallFile>,
    #[serde(default)]
    pub probes: Vec<ProbeFile>,
    #[serde(default)]
    pub steps: Vec<StepFile>,
}

/// `[fixture]`: rows added to (or, with `standard = false`, instead of) the standard package.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct FixtureFile {
    #[serde(default = "yes")]
    pub standard: bool,
    /// Adds the standard directory and feature tree ([`msiconf_spec::fixture::standard_tree`]).
    #[serde(default)]
    pub tree: bool,
    #[serde(default)]
    pub properties: Vec<PropertyRow>,
    #[serde(default)]
    pub custom_actions: Vec<CustomActionRow>,
    #[serde(default)]
    pub execute_sequence: Vec<SequenceRow>,
    #[serde(default)]
    pub ui_sequence: Vec<SequenceRow>,
    #[serde(default)]
    pub tables: Vec<Table>,
}

impl Default for FixtureFile {
    fn default() -> Self {
        FixtureFile {
            standard: true,
            tree: false,
            properties: Vec::new(),
            custom_actions: Vec::new(),
            execute_sequence: Vec::new(),
            ui_sequence: Vec::new(),
            tables: Vec::new(),
        }
    }
}

fn yes() -> bool {
    true
}

/// `[install]`: the top-level install and what it must give.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct InstallFile {
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    #[serde(default)]
    pub ui: UiLevel,
    #[serde(default)]
    pub expect: Option<InstallExpect>,
    #[serde(default)]
    pub expect_documented: Option<InstallExpect>,
    #[serde(default)]
    pub expect_windows: Option<InstallExpect>,
    #[serde(default)]
    pub rule: Option<Spanned<String>>,
}

/// `[[probes]]`: a probe custom action's context, return value and run count.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct ProbeFile {
    pub name: Spanned<String>,
    pub context: Context,
    #[serde(default)]
    pub returns: Option<u32>,
    #[serde(default)]
    pub expect_runs: Option<usize>,
    #[serde(default)]
    pub rule: Option<Spanned<String>>,
}

/// `[[steps]]`: one call and what it must give.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct StepFile {
    pub context: Spanned<Context>,
    #[serde(default)]
    pub probe: Option<Spanned<String>>,
    pub call: Spanned<Operation>,
    #[serde(default)]
    pub expect: Option<Expect>,
    #[serde(default)]
    pub expect_documented: Option<Expect>,
    #[serde(default)]
    pub expect_windows: Option<Expect>,
    #[serde(default)]
    pub rule: Option<Spanned<String>>,
    /// The Wine assertion this step translates is wrapped in `todo_wine`.
    #[serde(default)]
    pub todo_wine: bool,
}
