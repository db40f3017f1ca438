//! msiconf: a conformance harness for the Windows Installer custom-action session API.
//!
//! The pieces, in the order a run uses them:
//!
//! - [`case`]: reads `cases/**/*.toml` into [`case::Case`]s (a [`msiconf_spec::Plan`] plus expectations);
//! - [`runtimes`]: the built-in implementations under test (`reference`, `broken:<name>`)
//!   and the [`runtimes::StepRuntime`] convenience trait;
//! - [`runner`]: runs cases on runtimes in parallel, each guarded by a timeout;
//! - [`check`]: turns a transcript into findings (case expectations and rule predicates);
//! - [`expectations`]: expected-failure files, strict both ways;
//! - [`report`]: the versioned JSON report and its renderers;
//! - [`exit`]: the documented exit codes;
//! - [`protocol`] and [`serve`]: the process protocol, from both sides.
//! - [`fuzz`]: `msiconf fuzz`, generated plans judged by predicates and the reference model.
//! - [`oracle`]: `msiconf oracle`, how much the predicates catch (mutation score, bare differences).
//!
//! Every effect (files, threads, timing, output) lives here; the rules and the
//! reference model live in the pure `msiconf_spec` crate.

pub mod case;
pub mod check;
pub mod exit;
pub mod expectations;
pub mod fuzz;
pub mod oracle;
pub mod partition;
pub mod protocol;
pub mod report;
pub mod runner;
pub mod runtime;
pub mod runtimes;
pub mod serve;
pub mod suggest;
