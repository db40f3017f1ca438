//! What a runtime is asked to do: a fixture, the steps to perform in each
//! context, and the top-level install.

use crate::codes::catype;
use crate::fixture::{CustomActionRow, Fixture, SequenceRow};
use crate::{Context, Operation};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The probe name under which steps on a package handle (context `package`) are recorded.
pub const PACKAGE_PROBE: &str = "@package";

/// Binary-table key of the DLL probe that DLL custom actions name as their Source.
pub const PROBE_DLL: &str = "probe";
/// Binary-table key of the JScript probe that script custom actions name as their Source.
pub const PROBE_SCRIPT: &str = "probejs";
/// Binary-table key of the EXE probe that EXE custom actions name as their Source.
pub const PROBE_EXE: &str = "probeexe";

/// A complete request to a runtime.
///
/// The runtime first opens the package and performs `package` on that
/// handle (context `package`), then, if `install` is set, installs it. Each
/// custom action named in `probes` performs its steps whenever it runs and
/// returns its `returns` code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Plan {
    pub fixture: Fixture,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<ProbeScript>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub probes: BTreeMap<String, ProbeScript>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install: Option<InstallOptions>,
}

/// The steps one probe performs each time it runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ProbeScript {
    /// The context the probe runs in, as the plan's author intends it (the
    /// fixture's type bits and sequence positions must agree).
    pub context: Context,
    pub steps: Vec<Operation>,
    /// What the custom action returns when its steps are done: a Win32 code for
    /// DLL probes, an msiDoActionStatus for script probes, an exit code for EXE probes.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub returns: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The UI level of the top-level install (`/qn`, `/qb`, `/qr`, `/qf`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum UiLevel {
    /// `/qn`: no UI, InstallUISequence is skipped.
    #[default]
    None,
    /// `/qb`: basic UI, InstallUISequence is skipped.
    Basic,
    /// `/qr`: reduced UI, InstallUISequence runs.
    Reduced,
    /// `/qf`: full UI, InstallUISequence runs.
    Full,
}

impl UiLevel {
    /// Whether InstallUISequence runs at this level.
    pub fn runs_ui_sequence(self) -> bool {
        matches!(self, UiLevel::Reduced | UiLevel::Full)
    }
}

/// The top-level install: MsiInstallProduct on the package with a command line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct InstallOptions {
    /// Properties on the command line (`NAME=value`), ACTION among them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
    #[serde(default)]
    pub ui: UiLevel,
}

/// Where a step sits in a plan: the probe that performs it and its index there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StepRef {
    pub probe: String,
    pub index: usize,
}

impl std::fmt::Display for StepRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.probe, self.index + 1)
    }
}

/// The custom action the plan builder uses for a context when a step does not name one,
/// with its Type, its sequence table (`true` for InstallUISequence) and position.
pub fn default_probe(context: Context) -> Option<(&'static str, u32, bool, i32)> {
    use catype::*;
    Some(match context {
        Context::Package => return None,
        Context::ImmediateUi => ("ProbeUi", DLL_BINARY, true, 1100),
        Context::ImmediateBeforeInit => ("ProbeImmediate", DLL_BINARY, false, 1450),
        Context::ImmediateAfterInit => ("ProbeWindow", DLL_BINARY, false, 1550),
        Context::Rollback => (
            "ProbeRollback",
            DLL_BINARY | IN_SCRIPT | ROLLBACK,
            false,
            1590,
        ),
        Context::Deferred => ("ProbeDeferred", DLL_BINARY | IN_SCRIPT, false, 1600),
        Context::Commit => ("ProbeCommit", DLL_BINARY | IN_SCRIPT | COMMIT, false, 1610),
        Context::ScriptDeferred => (
            "ProbeScriptDeferred",
            JSCRIPT_BINARY | IN_SCRIPT,
            false,
            1620,
        ),
        Context::ScriptImmediate => ("ProbeScript", JSCRIPT_BINARY, false, 1460),
        Context::Exe => ("ProbeExe", EXE_BINARY, false, 1470),
    })
}

/// The name and position of the deferred action the plan builder adds to
/// make an install fail, so that rollback probes run.
pub const FORCE_ROLLBACK_PROBE: (&str, i32) = ("ProbeForceRollback", 6500);

/// The Binary-table key a probe custom action of this Type names as its Source.
pub fn probe_source(kind: u32) -> &'static str {
    match kind & catype::BASIC_MASK {
        catype::JSCRIPT_BINARY
        | catype::VBSCRIPT_BINARY
        | catype::JSCRIPT_TEXT
        | catype::VBSCRIPT_TEXT => PROBE_SCRIPT,
        catype::EXE_BINARY | catype::EXE_FILE | catype::EXE_DIRECTORY | catype::EXE_PROPERTY => {
            PROBE_EXE
        }
        _ => PROBE_DLL,
    }
}

/// Builds a plan from steps given context by context, adding the probe custom
/// actions and sequence rows the contexts need unless the fixture has them.
#[derive(Debug, Clone)]
pub struct PlanBuilder {
    plan: Plan,
    force_rollback: bool,
}

impl PlanBuilder {
    /// Starts from a fixture (usually [`Fixture::standard`] plus the case's own rows).
    pub fn new(fixture: Fixture) -> PlanBuilder {
        PlanBuilder {
            plan: Plan {
                fixture,
                ..Plan::default()
            },
            force_rollback: false,
        }
    }

    /// Sets the top-level install options.
    pub fn install(&mut self, options: InstallOptions) -> &mut Self {
        self.plan.install = Some(options);
        self
    }

    /// Sets what a probe returns.
    pub fn returns(&mut self, probe: &str, code: u32) -> &mut Self {
        if let Some(p) = self.plan.probes.get_mut(probe) {
            p.returns = code;
        }
        self
    }

    /// Declares a probe with no steps (so that it exists and runs), in `context`.
    pub fn probe(&mut self, probe: &str, context: Context) -> &mut Self {
        self.plan
            .probes
            .entry(probe.to_owned())
            .or_insert_with(|| ProbeScript {
                context,
                steps: Vec::new(),
                returns: 0,
            });
        self
    }

    /// Adds a step in `context`, performed by `probe` or by the context's default probe.
    pub fn step(&mut self, context: Context, probe: Option<&str>, op: Operation) -> StepRef {
        let name = match probe {
            Some(p) => p.to_owned(),
            None => default_probe(context)
                .map_or(PACKAGE_PROBE, |p| p.0)
                .to_owned(),
        };
        if context == Context::Rollback {
            self.force_rollback = true;
        }
        let new_script = || ProbeScript {
            context,
            steps: Vec::new(),
            returns: 0,
        };
        let script = if name == PACKAGE_PROBE {
            self.plan.package.get_or_insert_with(new_script)
        } else {
            self.plan
                .probes
                .entry(name.clone())
                .or_insert_with(new_script)
        };
        script.steps.push(op);
        StepRef {
            index: script.steps.len() - 1,
            probe: name,
        }
    }

    /// Adds several steps at once, as [`PlanBuilder::step`] adds each (one
    /// look-up of the script instead of one per step: generators build many plans).
    pub fn steps(&mut self, context: Context, probe: Option<&str>, ops: Vec<Operation>) {
        let mut ops = ops.into_iter();
        let Some(first) = ops.next() else {
            return;
        };
        let probe = self.step(context, probe, first).probe;
        let script = if probe == PACKAGE_PROBE {
            self.plan.package.as_mut()
        } else {
            self.plan.probes.get_mut(&probe)
        };
        if let Some(script) = script {
            script.steps.extend(ops);
        }
    }

    /// Asks for a failing deferred action at the end of the script, so rollback probes run.
    pub fn force_rollback(&mut self) -> &mut Self {
        self.force_rollback = true;
        self
    }

    /// Finishes the plan: adds the rows for default probes the fixture lacks,
    /// and an install whenever any probe needs one.
    pub fn build(mut self) -> Plan {
        if self.force_rollback
            && !self.plan.probes.contains_key(FORCE_ROLLBACK_PROBE.0)
            && self
                .plan
                .fixture
                .custom_action(FORCE_ROLLBACK_PROBE.0)
                .is_none()
        {
            self.plan.probes.insert(
                FORCE_ROLLBACK_PROBE.0.to_owned(),
                ProbeScript {
                    context: Context::Deferred,
                    steps: Vec::new(),
                    returns: crate::codes::rc::INSTALL_FAILURE,
                },
            );
            self.plan.fixture.custom_actions.push(CustomActionRow {
                action: FORCE_ROLLBACK_PROBE.0.to_owned(),
                kind: catype::DLL_BINARY | catype::IN_SCRIPT,
                source: Some(PROBE_DLL.to_owned()),
                target: Some("Probe".to_owned()),
            });
            self.plan.fixture.execute_sequence.push(SequenceRow {
                action: FORCE_ROLLBACK_PROBE.0.to_owned(),
                condition: None,
                sequence: FORCE_ROLLBACK_PROBE.1,
            });
        }
        let mut needs_ui = false;
        for (name, script) in &self.plan.probes {
            let Some((default_name, kind, ui, position)) = default_probe(script.context) else {
                continue;
            };
            if name != default_name || self.plan.fixture.custom_action(name).is_some() {
                continue;
            }
            self.plan.fixture.custom_actions.push(CustomActionRow {
                action: name.clone(),
                kind,
                source: Some(probe_source(kind).to_owned()),
                target: Some(if probe_source(kind) == PROBE_EXE {
                    String::new()
                } else {
                    "Probe".to_owned()
                }),
            });
            let row = SequenceRow {
                action: name.clone(),
                condition: None,
                sequence: position,
            };
            if ui {
                needs_ui = true;
                self.plan.fixture.ui_sequence.push(row);
            } else {
                self.plan.fixture.execute_sequence.push(row);
            }
        }
        if self
            .plan
            .probes
            .values()
            .any(|p| p.context == Context::ImmediateUi)
        {
            needs_ui = true;
        }
        if !self.plan.probes.is_empty() && self.plan.install.is_none() {
            self.plan.install = Some(InstallOptions::default());
        }
        if needs_ui {
            if let Some(install) = &mut self.plan.install {
                if !install.ui.runs_ui_sequence() {
                    install.ui = UiLevel::Full;
                }
            }
        }
        self.plan
            .fixture
            .execute_sequence
            .sort_by_key(|r| r.sequence);
        self.plan.fixture.ui_sequence.sort_by_key(|r| r.sequence);
        self.plan
    }
}

impl Plan {
    /// The script of the probe that performs `step`.
    pub fn script(&self, probe: &str) -> Option<&ProbeScript> {
        if probe == PACKAGE_PROBE {
            self.package.as_ref()
        } else {
            self.probes.get(probe)
        }
    }

    /// The operation a step reference points at.
    pub fn operation(&self, step: &StepRef) -> Option<&Operation> {
        self.script(&step.probe)?.steps.get(step.index)
    }

    /// Every context the plan makes calls from.
    pub fn contexts(&self) -> Vec<Context> {
        let mut out: Vec<Context> = self
            .package
            .iter()
            .chain(self.probes.values())
            .map(|p| p.context)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The total number of steps across every probe.
    pub fn step_count(&self) -> usize {
        self.package
            .iter()
            .chain(self.probes.values())
            .map(|p| p.steps.len())
            .sum()
    }
}
