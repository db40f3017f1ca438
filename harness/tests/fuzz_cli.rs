//! `msiconf fuzz` as a user runs it: exit codes, the seed and reproduce line, case files.

use std::process::Command;

fn msiconf() -> Command {
    Command::new(env!("CARGO_BIN_EXE_msiconf"))
}

#[test]
fn an_unknown_runtime_is_a_usage_error() {
    let out = msiconf()
        .args(["fuzz", "--runtime", "nope", "--plans", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown runtime `nope`"), "{err}");
}

#[test]
fn a_bad_profile_is_a_usage_error() {
    let out = msiconf()
        .args(["fuzz", "--profile", "linux", "--plans", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_reference_passes_and_the_seed_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let out = msiconf()
        .args([
            "fuzz",
            "--runtime",
            "reference",
            "--plans",
            "300",
            "--seed",
            "99",
        ])
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("seed 99"), "{stdout}");
    assert!(stdout.contains("300 plans in"), "{stdout}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_broken_runtime_gives_a_case_file_and_a_reproduce_line() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = "broken:deferred-sees-all-properties";
    let out = msiconf()
        .args([
            "fuzz",
            "--runtime",
            runtime,
            "--plans",
            "5000",
            "--seed",
            "3",
        ])
        .args(["--max-findings", "1"])
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("reproduce: msiconf fuzz --runtime {runtime}")),
        "{stdout}"
    );
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{stdout}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let case = msiconf::case::parse_case(
        "regressions/x",
        &files[0],
        &text,
        &msiconf::case::KnownRules::catalog(),
    )
    .unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(case.tags.contains(&"fuzz".to_owned()));
    // The finding names a rule this broken runtime breaks.
    let breaks = msiconf_spec::model::Deviation::DeferredSeesAllProperties.breaks();
    assert!(breaks.iter().any(|r| case.cites(r)), "{text}");
}
