//! Runtimes the harness can drive, beyond the in-process model.

pub mod process;

use crate::runtime::{Runtime, RuntimeError};
use std::time::Duration;

/// Builds the runtime a `--runtime` name describes when it is one of this
/// module's (`cmd:PROGRAM [ARGS]`); `None` for every other name.
pub fn from_name(
    name: &str,
    handshake_timeout: Duration,
) -> Option<Result<Box<dyn Runtime>, RuntimeError>> {
    if !name.starts_with(process::CMD_PREFIX) {
        return None;
    }
    let options = process::ProcessOptions {
        handshake_timeout,
        ..process::ProcessOptions::default()
    };
    Some(process::ProcessRuntime::from_spec(name, options).map(|r| Box::new(r) as Box<dyn Runtime>))
}
