//! Every input that ever crashed a cargo-fuzz target, replayed through the
//! same target body as an ordinary test: `fuzz/regressions/<target>/*`.
//!
//! `session_model`, `session_model_seeded` and `case_file` inputs must no longer crash. `differential`
//! inputs are replayed against `reference`, where they must give no difference
//! (the model is deterministic); the broken runtimes they were found against
//! are *supposed* to crash that target.

use msiconf::fuzz::targets;
use msiconf::runtimes::ModelRuntime;
use msiconf_spec::Profile;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("failed to read `{}`: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"))
        .collect();
    files.sort();
    files
}

fn replay(target: &str, body: impl Fn(&[u8])) -> usize {
    let files = inputs(target);
    let mut failed = Vec::new();
    for file in &files {
        let data = std::fs::read(file).unwrap();
        if catch_unwind(AssertUnwindSafe(|| body(&data))).is_err() {
            failed.push(file.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target}: still crashing: {failed:#?}");
    files.len()
}

#[test]
fn session_model_regressions() {
    replay("session_model", targets::session_model);
}

#[test]
fn session_model_seeded_regressions() {
    replay("session_model_seeded", targets::session_model_seeded);
}

#[test]
fn case_file_regressions() {
    replay("case_file", targets::case_file);
}

#[test]
fn differential_regressions_replay_against_the_reference() {
    let reference = ModelRuntime::reference(Profile::Windows);
    replay("differential", |d| targets::differential(d, &reference));
}
