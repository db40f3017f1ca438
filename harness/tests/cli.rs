//! The `msiconf` binary: exit codes, reports, expectation files.
//!
//! The runs here cite `DOACTION-CASE` and use the spec's model, so they need
//! the rule catalog and the model; the usage tests need neither.

use msiconf::report::model::{Report, Status};
use std::path::Path;

mod cli_support;

use cli_support::{code, msiconf, suite, text, BROKEN, CASE_SENSITIVE};

#[test]
fn help_documents_the_exit_codes() {
    let out = msiconf(Path::new("."), &["--help"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("Exit codes: 0 conformant; 1 conformance failures"),
        "{help}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = suite(&[]);
    for args in [
        &[][..],
        &["run", "--jobs", "many"],
        &["run", "--partition", "3/2"],
        &["run", "--report", "yaml=x"],
        &["run", "--profile", "linux"],
        &["frobnicate"],
    ] {
        let out = msiconf(dir.path(), args);
        assert_eq!(code(&out), 2, "{args:?}\n{}", text(&out));
    }
}

#[test]
fn an_unknown_runtime_exits_2() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let out = msiconf(dir.path(), &["run", "--runtime", "broken:nonsense"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("unknown broken runtime `broken:nonsense`"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_missing_cases_folder_exits_2() {
    let dir = suite(&[]);
    let out = msiconf(dir.path(), &["run", "--cases", "nowhere"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("failed to read cases folder `nowhere`"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_conformant_run_exits_0_and_writes_the_default_report() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let out = msiconf(dir.path(), &["run"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let json =
        std::fs::read(dir.path().join("target/msiconf/report.json")).expect("default report");
    let report: Report = serde_json::from_slice(&json).unwrap();
    assert_eq!(report.runs.len(), 1);
    assert_eq!(report.runs[0].runtime.name, "reference");
    assert_eq!(report.runs[0].cases[0].status, Status::Pass);
}

#[test]
fn a_conformance_failure_exits_1_and_names_the_rule() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let out = msiconf(
        dir.path(),
        &["run", "--runtime", BROKEN, "--report", "json=r.json"],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(
        text(&out).contains("DOACTION-CASE at @package#1"),
        "{}",
        text(&out)
    );
    let report: Report =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    let case = &report.runs[0].cases[0];
    assert_eq!(case.status, Status::Fail);
    assert_eq!(case.findings[0].rule, "DOACTION-CASE");
    assert!(!dir.path().join("target/msiconf/report.json").exists());
}

#[test]
fn a_bad_case_file_exits_2_and_the_others_still_run() {
    let dir = suite(&[
        ("a/ok.toml", CASE_SENSITIVE),
        (
            "a/typo.toml",
            &CASE_SENSITIVE.replace("context =", "contxt ="),
        ),
    ]);
    let out = msiconf(dir.path(), &["run", "--report", "json=r.json"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("typo.toml`, line 5"), "{}", text(&out));
    let report: Report =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(report.runs[0].cases.len(), 1);
    assert_eq!(report.runs[0].cases[0].status, Status::Pass);
}

#[test]
fn several_runtimes_and_profiles_make_one_report() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let out = msiconf(
        dir.path(),
        &[
            "run",
            "--runtime",
            "reference",
            "--runtime",
            BROKEN,
            "--profile",
            "documented",
            "--profile",
            "windows",
            "--profile",
            "documented",
            "--report",
            "json=r.json",
        ],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    // A repeated profile runs once, in the order first given.
    let report: Report =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    let runs: Vec<_> = report
        .runs
        .iter()
        .map(|r| (r.runtime.name.as_str(), r.profile.name(), r.cases[0].status))
        .collect();
    assert_eq!(
        runs,
        [
            ("reference", "documented", Status::Pass),
            ("reference", "windows", Status::Pass),
            (BROKEN, "documented", Status::Fail),
            (BROKEN, "windows", Status::Fail),
        ]
    );
}

#[test]
fn expectation_files_are_strict_both_ways() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let expect = dir.path().join("broken.toml");
    // Written from a run, the file makes the run conformant.
    let out = msiconf(
        dir.path(),
        &[
            "run",
            "--runtime",
            BROKEN,
            "--update-expectations",
            "broken.toml",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let written = std::fs::read_to_string(&expect).unwrap();
    assert!(
        written.contains("case = \"a/ok\"") && written.contains("rule = \"DOACTION-CASE\""),
        "{written}"
    );
    let out = msiconf(
        dir.path(),
        &["run", "--runtime", BROKEN, "--expect", "broken.toml"],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    // The reference passes the case, so the same file now fails the run.
    let reused = written.replace(BROKEN, "reference");
    std::fs::write(&expect, reused).unwrap();
    let out = msiconf(dir.path(), &["run", "--expect", "broken.toml"]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(
        text(&out).contains("was expected to fail by breaking DOACTION-CASE but passed"),
        "{}",
        text(&out)
    );
    // An entry naming no case is an error in the file, with a suggestion.
    std::fs::write(
        &expect,
        "[[expected-failure]]\ncase = \"a/gone\"\nrule = \"DOACTION-CASE\"\n",
    )
    .unwrap();
    let out = msiconf(dir.path(), &["run", "--expect", "broken.toml"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("`broken.toml`, line 1: no case `a/gone` in the suite"),
        "{}",
        text(&out)
    );
}

#[test]
fn filter_and_partition_select_cases() {
    let dir = suite(&[
        ("a/one.toml", CASE_SENSITIVE),
        ("b/two.toml", CASE_SENSITIVE),
    ]);
    let out = msiconf(dir.path(), &["run", "b/", "--report", "json=r.json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let report: Report =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(report.runs[0].cases.len(), 1);
    assert_eq!(report.runs[0].cases[0].name, "b/two");
    let mut seen = Vec::new();
    for k in ["1/2", "2/2"] {
        let out = msiconf(
            dir.path(),
            &["run", "--partition", k, "--report", "json=r.json"],
        );
        // A slice may hold no case at all; that is still a conformant run.
        assert_eq!(code(&out), 0, "{}", text(&out));
        let report: Report =
            serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
        seen.extend(report.runs[0].cases.iter().map(|c| c.name.clone()));
    }
    seen.sort();
    assert_eq!(seen, ["a/one", "b/two"]);
    let out = msiconf(dir.path(), &["run", "nothing-matches"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
}

#[test]
fn several_filters_globs_rules_tags_and_exclusions_select_cases() {
    let tagged = CASE_SENSITIVE.replace(
        "rules = [\"DOACTION-CASE\"]\n",
        "rules = [\"DOACTION-CASE\"]\ntags = [\"doaction\"]\n",
    );
    let dir = suite(&[
        ("a/one.toml", CASE_SENSITIVE),
        ("a/two.toml", &tagged),
        ("b/three.toml", CASE_SENSITIVE),
    ]);
    let names = |args: &[&str]| {
        let mut all = vec!["run", "--report", "json=r.json"];
        all.extend_from_slice(args);
        let out = msiconf(dir.path(), &all);
        assert_eq!(code(&out), 0, "{args:?}\n{}", text(&out));
        let report: Report =
            serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
        report.runs[0]
            .cases
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(names(&["a/*"]), "a/one a/two");
    assert_eq!(names(&["one", "three"]), "a/one b/three");
    assert_eq!(names(&["--exclude", "a/*"]), "b/three");
    assert_eq!(names(&["--tag", "doaction"]), "a/two");
    assert_eq!(
        names(&["--rule", "DOACTION-CASE", "--exclude", "two"]),
        "a/one b/three"
    );
    // A misspelt rule or tag is a usage error that suggests the name.
    let out = msiconf(dir.path(), &["run", "--rule", "DOACTON-CASE"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out)
            .contains("unknown rule `DOACTON-CASE` in --rule (did you mean `DOACTION-CASE`?)"),
        "{}",
        text(&out)
    );
    let out = msiconf(dir.path(), &["list", "--tag", "doactoin"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("did you mean `doaction`?"),
        "{}",
        text(&out)
    );
    let out = msiconf(dir.path(), &["list", "*/t*"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.starts_with("a/two ") && listed.contains("\nb/three "),
        "{listed}"
    );
}

#[test]
fn the_built_in_suite_runs_from_an_empty_folder_and_the_version_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = msiconf(dir.path(), &["--version"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let version = String::from_utf8_lossy(&out.stdout);
    // Areas may have folders of their own (cases/wine-tests/package/...).
    fn count_cases(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .map(|p| {
                if p.is_dir() {
                    count_cases(&p)
                } else {
                    usize::from(p.extension().is_some_and(|x| x == "toml"))
                }
            })
            .sum()
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let files: usize = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|area| count_cases(&area.path()))
        .sum();
    assert!(
        version.starts_with(&format!("msiconf {} (suite ", env!("CARGO_PKG_VERSION")))
            && version.contains(&format!(", {files} cases built in)")),
        "{version}"
    );
    let out = msiconf(dir.path(), &["run", "--report", "json=r.json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let report: Report =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(report.runs[0].cases.len(), files);
    assert!(report.runs[0]
        .cases
        .iter()
        .all(|c| c.status == Status::Pass));
    // --cases still chooses another folder.
    let out = msiconf(dir.path(), &["run", "--cases", "elsewhere"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line_definition() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = msiconf(dir.path(), &["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}: {}", text(&out));
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("runtime") && script.contains("retries"),
            "{shell}"
        );
    }
    let out = msiconf(dir.path(), &["completions", "tcsh"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let out = msiconf(dir.path(), &["man"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH msiconf 1"), "{page}");
    assert!(
        page.contains(".SH SUBCOMMANDS") && page.contains("130 interrupted"),
        "{page}"
    );
}

#[test]
fn the_json_report_says_when_how_and_with_what_it_was_made() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let out = msiconf(dir.path(), &["run", "--report", "json=r.json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let report: Report =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    let p = report.provenance.expect("provenance");
    assert_eq!(p.command_line[1..], ["run", "--report", "json=r.json"]);
    assert_eq!(p.cases, "cases");
    // The same revision as msiconf::case::dir_revision gives the folder.
    assert_eq!(
        p.suite_revision,
        msiconf::case::dir_revision(&dir.path().join("cases")).unwrap()
    );
    assert_eq!(p.suite_revision.len(), 16);
    assert!(
        p.started.len() == 20 && p.started.ends_with('Z') && p.started.as_bytes()[10] == b'T',
        "{}",
        p.started
    );
    assert_eq!(p.host.os, std::env::consts::OS);
    assert!(!p.host.name.is_empty());
    assert_eq!(report.tool.version, env!("CARGO_PKG_VERSION"));
    // A changed case changes the revision.
    std::fs::write(
        dir.path().join("cases/a/ok.toml"),
        CASE_SENSITIVE.replace("another case", "another spelling"),
    )
    .unwrap();
    assert_ne!(
        msiconf::case::dir_revision(&dir.path().join("cases")).unwrap(),
        p.suite_revision
    );
}

#[test]
fn the_handshake_timeout_is_a_flag_and_runtimes_lists_every_kind() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let silent = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/protocol/silent.sh");
    let runtime = format!("cmd:sh {}", silent.display());
    let started = std::time::Instant::now();
    let out = msiconf(
        dir.path(),
        &["run", "--runtime", &runtime, "--handshake-timeout", "0.5"],
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("did not answer the handshake within 0.5 s"),
        "{}",
        text(&out)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
    let out = msiconf(dir.path(), &["run", "--handshake-timeout", "0"]);
    assert_eq!(code(&out), 2, "{}", text(&out));

    let out = msiconf(dir.path(), &["runtimes"]);
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("\ncmd:<command line> ") && listed.contains("\nmsiexec "),
        "{listed}"
    );
    let out = msiconf(dir.path(), &["run", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("cmd:<command line>") && help.contains("msiexec"),
        "{help}"
    );
}
