//! The built-in runtimes, and how a runtime is built from its command-line name.

mod model;
pub mod msiexec;
pub mod process;
mod stepwise;

pub use model::ModelRuntime;
#[cfg(test)]
pub(crate) use stepwise::toy as stepwise_toy;
pub use stepwise::{InstallRecord, Probes, StepRuntime, Stepwise};

use crate::runtime::{Runtime, RuntimeError, RuntimeInfo};
use msiconf_spec::model::Deviation;
use msiconf_spec::{Plan, Profile, Transcript};
use std::time::Duration;

/// The prefix of the broken runtimes' names.
pub const BROKEN_PREFIX: &str = "broken:";

/// A runtime name that could not be turned into a runtime.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// No runtime has this name.
    #[error("unknown runtime `{name}` (see `msiconf runtimes`)")]
    Unknown { name: String },
    /// A runtime outside this process that could not be started. The cause
    /// is part of the message and not a `source`, so that error chains
    /// (`anyhow`'s `{:#}`) print it once.
    #[error("{}", start_message(name, error))]
    Start {
        name: String,
        error: crate::runtime::RuntimeError,
    },
    /// A `broken:` name that is not a deviation of the model.
    #[error("unknown broken runtime `{name}` (see `msiconf runtimes` for the `broken:` names)")]
    UnknownDeviation { name: String },
    /// A runtime that exists but cannot start here (Wine missing, say).
    #[error("runtime `{name}` cannot start: {message}")]
    Unavailable { name: String, message: String },
}

/// A set-up message already names the runtime and says what went wrong;
/// other errors get the runtime's name in front.
fn start_message(name: &str, error: &crate::runtime::RuntimeError) -> String {
    match error {
        crate::runtime::RuntimeError::Setup { message } => message.clone(),
        other => format!("cannot start runtime `{name}`: {other}"),
    }
}

/// Splits `NAME=SPEC`, a runtime given a name of its own: `wine=msiexec`,
/// `py=cmd:python3 adapter.py`. NAME is letters, digits, `-`, `_` and `.`,
/// so a `cmd:` line with an `=` in its arguments is never mistaken for one.
pub fn split_alias(text: &str) -> Option<(&str, &str)> {
    let (name, spec) = text.split_once('=')?;
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    (plain && !spec.is_empty()).then_some((name, spec))
}

/// The name a runtime given as `text` on the command line has in reports,
/// expectation files and comparisons: the alias of `NAME=SPEC`, else `text`.
pub fn runtime_name(text: &str) -> &str {
    split_alias(text).map_or(text, |(name, _)| name)
}

/// Builds the runtime given as `text` for `profile`.
///
/// `text` is a runtime name, or `NAME=SPEC` to build SPEC and call it NAME
/// (see [`split_alias`]). Names: `reference` (the spec's model),
/// `broken:<deviation>` (the model with exactly that deviation),
/// `cmd:<command line>` (a program speaking the process protocol) and
/// `msiexec` (Wine's installer engine).
pub fn build_runtime(text: &str, profile: Profile) -> Result<Box<dyn Runtime>, BuildError> {
    build_runtime_with(text, profile, &process::ProcessOptions::default())
}

/// [`build_runtime`], with the options a `cmd:` runtime's processes get
/// (`--handshake-timeout`, say).
pub fn build_runtime_with(
    text: &str,
    profile: Profile,
    process: &process::ProcessOptions,
) -> Result<Box<dyn Runtime>, BuildError> {
    match split_alias(text) {
        Some((alias, spec)) => Ok(Box::new(Aliased {
            name: alias.to_owned(),
            inner: build_named(spec, profile, process)?,
        })),
        None => build_named(text, profile, process),
    }
}

/// A runtime reported under another name: `--runtime NAME=SPEC`.
struct Aliased {
    name: String,
    inner: Box<dyn Runtime>,
}

impl Runtime for Aliased {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            name: self.name.clone(),
            ..self.inner.info()
        }
    }

    fn execute(&self, plan: &Plan, timeout: Duration) -> Result<Transcript, RuntimeError> {
        self.inner.execute(plan, timeout)
    }

    fn transcript_reused_from(&self, plan: &Plan, profile: Profile) -> Option<Profile> {
        self.inner.transcript_reused_from(plan, profile)
    }

    fn cost_hint(&self, plan: &Plan) -> u32 {
        self.inner.cost_hint(plan)
    }
}

fn build_named(
    name: &str,
    profile: Profile,
    process: &process::ProcessOptions,
) -> Result<Box<dyn Runtime>, BuildError> {
    if name == "reference" {
        return Ok(Box::new(ModelRuntime::reference(profile)));
    }
    if let Some(deviation) = name.strip_prefix(BROKEN_PREFIX) {
        return match Deviation::from_name(deviation) {
            Some(d) => Ok(Box::new(ModelRuntime::broken(d, profile))),
            None => Err(BuildError::UnknownDeviation {
                name: name.to_owned(),
            }),
        };
    }
    if name.starts_with(process::CMD_PREFIX) {
        return process::ProcessRuntime::from_spec(name, process.clone())
            .map(|r| Box::new(r) as Box<dyn Runtime>)
            .map_err(|error| BuildError::Start {
                name: name.to_owned(),
                error,
            });
    }
    if let Some(target) = name.strip_prefix(msiexec::REMOTE_PREFIX) {
        // An agent on another machine (a Windows VM or CI runner): docs/windows.md.
        return msiexec::shared_remote(target)
            .map(|rt| Box::new(rt) as Box<dyn Runtime>)
            .map_err(|message| BuildError::Unavailable {
                name: name.to_owned(),
                message,
            });
    }
    if name == "msiexec" {
        // One runtime for every profile: Wine runs each plan once.
        return msiexec::shared()
            .map(|rt| Box::new(rt.for_profile(profile)) as Box<dyn Runtime>)
            .map_err(|message| BuildError::Unavailable {
                name: name.to_owned(),
                message,
            });
    }
    Err(BuildError::Unknown {
        name: name.to_owned(),
    })
}

/// A runtime `msiconf runtimes` lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinRuntime {
    /// The name to give `--runtime`.
    pub name: String,
    /// What it is, in a sentence.
    pub description: String,
    /// The rule IDs it is built to break (empty for `reference`).
    pub breaks: Vec<&'static str>,
}

/// Every built-in runtime: `reference` first, then each broken runtime.
pub fn builtin_runtimes() -> Vec<BuiltinRuntime> {
    let mut out = vec![BuiltinRuntime {
        name: "reference".to_owned(),
        description: "the spec's reference model, obeying every rule of the selected profile"
            .to_owned(),
        breaks: Vec::new(),
    }];
    out.extend(Deviation::ALL.iter().map(|d| BuiltinRuntime {
        name: format!("{BROKEN_PREFIX}{}", d.name()),
        description: d.description().to_owned(),
        breaks: d.breaks().to_vec(),
    }));
    out
}

/// The names of every broken runtime.
pub fn broken_runtime_names() -> Vec<String> {
    Deviation::ALL
        .iter()
        .map(|d| format!("{BROKEN_PREFIX}{}", d.name()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_name_builds_and_reports_itself() {
        for rt in builtin_runtimes() {
            let built = build_runtime(&rt.name, Profile::Windows).unwrap();
            assert_eq!(built.info().name, rt.name);
        }
        assert!(builtin_runtimes().len() > 15);
    }

    #[test]
    fn unknown_names_are_refused_by_name() {
        let err = build_runtime("nonsense", Profile::Windows).err().unwrap();
        assert_eq!(
            err.to_string(),
            "unknown runtime `nonsense` (see `msiconf runtimes`)"
        );
        let err = build_runtime("broken:nonsense", Profile::Windows)
            .err()
            .unwrap();
        assert!(matches!(err, BuildError::UnknownDeviation { .. }), "{err}");
        assert!(err.to_string().contains("`broken:nonsense`"));
    }

    #[test]
    fn an_alias_names_the_runtime_it_stands_for() {
        assert_eq!(split_alias("wine=msiexec"), Some(("wine", "msiexec")));
        assert_eq!(
            split_alias("py=cmd:python3 a.py --x=1"),
            Some(("py", "cmd:python3 a.py --x=1"))
        );
        // An `=` inside a command line or a broken name is not an alias.
        assert_eq!(split_alias("cmd:prog --x=1"), None);
        assert_eq!(split_alias("=reference"), None);
        assert_eq!(split_alias("a="), None);
        assert_eq!(runtime_name("ref=reference"), "ref");
        assert_eq!(runtime_name("reference"), "reference");

        let built =
            build_runtime("mine=broken:action-lookup-ignores-case", Profile::Windows).unwrap();
        let plain = build_runtime("broken:action-lookup-ignores-case", Profile::Windows).unwrap();
        assert_eq!(built.info().name, "mine");
        assert_eq!(
            RuntimeInfo {
                name: plain.info().name,
                ..built.info()
            },
            plain.info()
        );
        let err = build_runtime("mine=broken:nonsense", Profile::Windows)
            .err()
            .unwrap();
        assert!(matches!(err, BuildError::UnknownDeviation { .. }), "{err}");
    }

    #[test]
    fn broken_runtimes_declare_what_they_break() {
        for rt in builtin_runtimes().iter().skip(1) {
            assert!(rt.name.starts_with(BROKEN_PREFIX));
            assert!(!rt.breaks.is_empty(), "{}", rt.name);
        }
    }
}
