//! The built-in runtimes, and how a runtime is built from its command-line name.

mod model;
pub mod msiexec;
pub mod process;
mod stepwise;

pub use model::ModelRuntime;
#[cfg(test)]
pub(crate) use stepwise::toy as stepwise_toy;
pub use stepwise::{InstallRecord, Probes, StepRuntime, Stepwise};

use crate::runtime::Runtime;
use msiconf_spec::model::Deviation;
use msiconf_spec::Profile;

/// The prefix of the broken runtimes' names.
pub const BROKEN_PREFIX: &str = "broken:";

/// A runtime name that could not be turned into a runtime.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// No runtime has this name.
    #[error("unknown runtime `{name}` (see `msiconf runtimes`)")]
    Unknown { name: String },
    /// A runtime outside this process that could not be started.
    #[error("cannot start runtime `{name}`: {source}")]
    Start {
        name: String,
        #[source]
        source: crate::runtime::RuntimeError,
    },
    /// A `broken:` name that is not a deviation of the model.
    #[error("unknown broken runtime `{name}` (see `msiconf runtimes` for the `broken:` names)")]
    UnknownDeviation { name: String },
    /// A runtime that exists but cannot start here (Wine missing, say).
    #[error("runtime `{name}` cannot start: {message}")]
    Unavailable { name: String, message: String },
}

/// Builds the runtime called `name` for `profile`.
///
/// Names: `reference` (the spec's model), `broken:<deviation>` (the model with
/// exactly that deviation).
pub fn build_runtime(name: &str, profile: Profile) -> Result<Box<dyn Runtime>, BuildError> {
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
        return process::ProcessRuntime::from_spec(name, process::ProcessOptions::default())
            .map(|r| Box::new(r) as Box<dyn Runtime>)
            .map_err(|source| BuildError::Start {
                name: name.to_owned(),
                source,
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
            .map(|rt| Box::new(rt) as Box<dyn Runtime>)
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
    fn broken_runtimes_declare_what_they_break() {
        for rt in builtin_runtimes().iter().skip(1) {
            assert!(rt.name.starts_with(BROKEN_PREFIX));
            assert!(!rt.breaks.is_empty(), "{}", rt.name);
        }
    }
}
