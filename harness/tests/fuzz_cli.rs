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
            "4",
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

/// Runs `msiconf fuzz` against `runtime` with an expectation file holding
/// `expect`, against the repository's cases; exit code, standard output and
/// how many case files it wrote.
fn fuzz_expecting(runtime: &str, expect: &str, seed: u64, plans: u64) -> (i32, String, usize) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("expect.toml");
    std::fs::write(&file, expect).unwrap();
    let out_dir = dir.path().join("out");
    let out = msiconf()
        .args(["fuzz", "--runtime", runtime, "--workers", "1"])
        .args(["--seed", &seed.to_string(), "--plans", &plans.to_string()])
        .arg("--expect")
        .arg(&file)
        .arg("--cases")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../cases"))
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let written = std::fs::read_dir(&out_dir).map_or(0, |d| d.count());
    (out.status.code().unwrap_or(-1), stdout, written)
}

/// The line of the summary for one signature.
fn signature_line<'a>(stdout: &'a str, signature: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{signature}: seen in")))
        .unwrap_or_else(|| panic!("no summary line for {signature}:\n{stdout}"))
}

/// The first window of 20 plans, starting at a multiple of 20 below 4,000, on
/// which `runtime` shows what `wanted` looks for in the summary (the
/// generator's mix decides which plans show what, so the test finds its
/// window rather than pinning one that moves whenever the generator grows).
fn window(runtime: &str, wanted: &dyn Fn(&str) -> bool) -> u64 {
    (0..4000)
        .step_by(20)
        .find(|seed| {
            let out = msiconf()
                .args(["fuzz", "--runtime", runtime, "--workers", "1", "--no-write"])
                .args(["--seed", &seed.to_string(), "--plans", "20"])
                .output()
                .unwrap();
            wanted(&String::from_utf8_lossy(&out.stdout))
        })
        .unwrap_or_else(|| panic!("no window of 20 plans shows it on {runtime}"))
}

/// `broken:suspend-as-failure` shows two departures about the install:
/// CA-RET-SUSPEND (its result) and INSTALL-LOG (the suspending action logged
/// as failed); the window shows those two and nothing else.
const SUSPEND: &str = "broken:suspend-as-failure";

fn suspend_window() -> u64 {
    window(SUSPEND, &|out| {
        out.contains("departures: 2 new, 0 known")
            && out.contains("CA-RET-SUSPEND@install: seen")
            && out.contains("INSTALL-LOG@install: seen")
    })
}

#[test]
fn a_departure_the_expectation_file_lists_is_known_and_not_shrunk() {
    let listed = format!(
        "runtime = \"{SUSPEND}\"\n\n[[expected-failure]]\ncase = \"return-codes/dll-returns-suspend\"\nrule = \"CA-RET-SUSPEND\"\nnote = \"install: expected result=1604, observed 1603\"\n\n[[expected-failure]]\ncase = \"return-codes/dll-returns-suspend\"\nrule = \"INSTALL-LOG\"\nnote = \"install: ProbeImmediate logged 4, observed 3\"\n"
    );
    let seed = suspend_window();
    let (code, stdout, written) = fuzz_expecting(SUSPEND, &listed, seed, 20);
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("finding 1:"), "{stdout}");
    assert_eq!(written, 0, "{stdout}");
    assert!(
        stdout.contains("departures: 0 new, 2 known (listed by the expectation file)"),
        "{stdout}"
    );
    assert!(stdout.contains(" 0 runtime calls shrinking"), "{stdout}");
    assert!(
        signature_line(&stdout, "CA-RET-SUSPEND@install").ends_with("(known)"),
        "{stdout}"
    );

    // The same run with an expectation file that lists nothing: new, shrunk, written.
    let (code, stdout, written) =
        fuzz_expecting(SUSPEND, &format!("runtime = \"{SUSPEND}\"\n"), seed, 20);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(&format!("finding 1: {SUSPEND} breaks ")),
        "{stdout}"
    );
    assert!(written >= 1, "{stdout}");
    assert!(stdout.contains("departures: 2 new, 0 known"), "{stdout}");
    for signature in ["CA-RET-SUSPEND@install", "INSTALL-LOG@install"] {
        assert!(
            signature_line(&stdout, signature).ends_with("(new)"),
            "{stdout}"
        );
    }
    assert!(!stdout.contains(" 0 runtime calls shrinking"), "{stdout}");
}

#[test]
fn the_same_rule_broken_at_another_call_is_new() {
    // The entry's case breaks DEFERRED-PROPS at a deferred get-property (its
    // note names the step). The window also breaks it at a deferred
    // evaluate-condition, which no entry lists.
    let runtime = "broken:deferred-sees-all-properties";
    let listed = format!(
        "runtime = \"{runtime}\"\n\n[[expected-failure]]\ncase = \"deferred/props-only-three\"\nrule = \"DEFERRED-PROPS\"\nnote = 'ProbeDeferred#4: expected value=\"\", observed rc=0 value=\"c:\\\\x\" size=4'\n"
    );
    let seed = window(runtime, &|out| {
        out.contains("DEFERRED-PROPS@deferred:get-property: seen")
            && out.contains("DEFERRED-PROPS@deferred:evaluate-condition: seen")
    });
    let (code, stdout, _) = fuzz_expecting(runtime, &listed, seed, 20);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        signature_line(&stdout, "DEFERRED-PROPS@deferred:get-property").ends_with("(known)"),
        "{stdout}"
    );
    assert!(
        signature_line(&stdout, "DEFERRED-PROPS@deferred:evaluate-condition").ends_with("(new)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{runtime} breaks DEFERRED-PROPS (deferred:evaluate-condition)"
        )),
        "{stdout}"
    );
    assert!(
        !stdout.contains("breaks DEFERRED-PROPS (deferred:get-property)"),
        "{stdout}"
    );
}

#[test]
fn an_expectation_file_for_another_runtime_is_a_usage_error() {
    let (code, _, _) = fuzz_expecting(SUSPEND, "runtime = \"msiexec\"\n", 0, 1);
    assert_eq!(code, 2);
}

#[test]
fn until_stops_at_the_first_finding_that_names_the_rule() {
    let out = msiconf()
        .args(["fuzz", "--runtime", "broken:record-grows-on-set"])
        .args([
            "--seed",
            "3",
            "--plans",
            "5000",
            "--workers",
            "1",
            "--no-write",
        ])
        .args(["--max-findings", "10", "--until", "REC-FIELD-RANGE"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let findings: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("finding "))
        .collect();
    assert_eq!(findings.len(), 1, "{stdout}");
    assert!(findings[0].contains("breaks REC-FIELD-RANGE"), "{stdout}");
    assert!(
        !stdout.contains("5000 plans in"),
        "it stopped early: {stdout}"
    );
}
