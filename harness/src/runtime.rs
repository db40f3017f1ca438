//! The one trait every implementation under test is driven through.

use msiconf_spec::{Context, OpKind, Plan, Profile, Transcript};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What a runtime says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RuntimeInfo {
    /// The name given on the command line (`reference`, `broken:deferred-sees-all-properties`, `cmd:...`, `msiexec`).
    pub name: String,
    /// The implementation's own version string.
    pub version: String,
    /// The contexts it can run calls from.
    pub contexts: Vec<Context>,
    /// The operations it can perform.
    pub operations: Vec<OpKind>,
}

impl RuntimeInfo {
    /// Why this runtime cannot run `plan`, if it cannot: the first context or
    /// operation the plan needs that the runtime does not declare.
    pub fn unsupported_reason(&self, plan: &Plan) -> Option<String> {
        let scripts = plan.package.iter().chain(plan.probes.values());
        for script in scripts {
            if !self.contexts.contains(&script.context) {
                return Some(format!(
                    "runtime `{}` does not support context `{}`",
                    self.name, script.context
                ));
            }
            for op in &script.steps {
                if !self.operations.contains(&op.kind()) {
                    return Some(format!(
                        "runtime `{}` does not support operation `{}`",
                        self.name,
                        op.kind()
                    ));
                }
            }
        }
        None
    }
}

/// Why a runtime produced no transcript. Each kind is an *error* outcome in
/// reports, never a pass or a rule failure, except `Unsupported`, which is a skip.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum RuntimeError {
    /// The runtime cannot run this plan (a skip, with the reason).
    #[error("unsupported: {reason}")]
    Unsupported { reason: String },
    /// The implementation reported a failure of its own.
    #[error("runtime failed: {message}")]
    Failed { message: String, stderr: String },
    /// The runtime crashed or panicked.
    #[error("runtime crashed: {message}")]
    Crashed { message: String, stderr: String },
    /// The runtime did not finish within the time limit.
    #[error("runtime timed out after {seconds:.1} s")]
    Timeout { seconds: f64, stderr: String },
    /// The runtime broke the protocol: an unreadable or unexpected message,
    /// quoted (cut if long) so the report shows what the runtime printed.
    #[error("protocol error: {message}{}", quoted_line(line.as_deref()))]
    Protocol {
        message: String,
        line: Option<String>,
        stderr: String,
    },
    /// The harness could not set the runtime up (a missing program, a package that failed to build).
    #[error("setup failed: {message}")]
    Setup { message: String },
}

/// `; the line was: ...` for a protocol error that has the offending line.
fn quoted_line(line: Option<&str>) -> String {
    match line {
        Some(line) if !line.is_empty() => format!("; the line was: {line}"),
        _ => String::new(),
    }
}

impl RuntimeError {
    /// What the runtime printed, kept for the report.
    pub fn stderr(&self) -> &str {
        match self {
            RuntimeError::Failed { stderr, .. }
            | RuntimeError::Crashed { stderr, .. }
            | RuntimeError::Timeout { stderr, .. }
            | RuntimeError::Protocol { stderr, .. } => stderr,
            RuntimeError::Unsupported { .. } | RuntimeError::Setup { .. } => "",
        }
    }
}

/// An implementation of the session API under test.
///
/// The one required method runs a whole plan, one install session, and returns
/// its transcript. It is batch-shaped because a real installer engine costs about
/// half a second per session. Checking is never the implementor's job: the runner
/// applies the case's expectations and every rule predicate to the transcript.
pub trait Runtime: Send + Sync {
    /// Name, version and capabilities.
    fn info(&self) -> RuntimeInfo;

    /// Runs `plan` and returns what happened. An implementation that keeps a
    /// process must give up and report [`RuntimeError::Timeout`] once `timeout` has passed.
    fn execute(&self, plan: &Plan, timeout: Duration) -> Result<Transcript, RuntimeError>;

    /// After [`Runtime::execute`] gave a transcript of `plan` in a run under
    /// `profile`: the profile of the earlier run whose transcript it gave
    /// back instead of executing the plan again, if it did (msiexec runs a
    /// plan in Wine once for both profiles). Reports then say the case was
    /// checked again, not executed again. The default: it always executes.
    fn transcript_reused_from(&self, _plan: &Plan, _profile: Profile) -> Option<Profile> {
        None
    }

    /// A rough cost of running `plan` compared with this runtime's other
    /// plans, so that a runner can start the costliest first instead of
    /// leaving one long plan for the end of a run. The default, 0, says
    /// that plans cost about the same.
    fn cost_hint(&self, _plan: &Plan) -> u32 {
        0
    }
}
