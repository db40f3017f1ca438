//! The `msiconf` binary in hostile surroundings: reports written to devices,
//! links and standard output, readers that close the pipe, runs that execute
//! nothing, renamed runtimes, and Ctrl-C in the middle of a run.

use msiconf::report::model::{Report, Status};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

mod cli_support;

use cli_support::{code, msiconf, suite, text, BROKEN, CASE_SENSITIVE};

fn read_report(path: &Path) -> Report {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_report_can_go_to_standard_output() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let out = msiconf(dir.path(), &["run", "--report", "json=-"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    // Standard output is the report alone; the summary went to standard error.
    let report: Report = serde_json::from_slice(&out.stdout).expect("stdout is the JSON report");
    assert_eq!(report.runs[0].cases[0].status, Status::Pass);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("reference (windows): 1 cases"), "{stderr}");
    let out = msiconf(
        dir.path(),
        &["run", "--report", "json=-", "--report", "markdown=-"],
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("only one report can go to standard output"));
}

#[cfg(unix)]
#[test]
fn a_report_path_that_is_a_link_or_a_device_is_written_through() {
    use std::os::unix::fs::FileTypeExt;
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let target = dir.path().join("real.json");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = msiconf(
        dir.path(),
        &[
            "run",
            "--report",
            "json=link.json",
            "--report",
            "junit=/dev/null",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    // The link is still a link, and the file it points at holds the report.
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "{meta:?}");
    assert_eq!(read_report(&target).runs[0].cases.len(), 1);
    let null = std::fs::symlink_metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device(), "/dev/null was replaced");
}

#[cfg(unix)]
#[test]
fn a_report_into_a_fifo_reaches_its_reader() {
    use std::os::unix::fs::FileTypeExt;
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let fifo = dir.path().join("pipe.json");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = msiconf(dir.path(), &["run", "--report", "json=pipe.json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let meta = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(
        meta.file_type().is_fifo(),
        "the FIFO was replaced: {meta:?}"
    );
    let bytes = reader.join().unwrap();
    let report: Report = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(report.runs[0].cases.len(), 1);
}

/// Runs msiconf with its output going into pipes that are closed before it
/// writes, as `msiconf ... | head -0` would; gives the exit code and stderr
/// (when stderr stays open).
fn with_closed_stdout(dir: &Path, args: &[&str], close_stderr: bool) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_msiconf"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    if close_stderr {
        drop(child.stderr.take());
    } else {
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
    }
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let old = dir.path().join("old.json");
    let out = msiconf(dir.path(), &["run", "--report", "json=old.json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let old = old.to_str().unwrap();
    let commands: [&[&str]; 6] = [
        &["runtimes"],
        &["list"],
        &["list", "--operations"],
        &["rules"],
        &["compare", old, old],
        &["run", "--report", "json=new.json"],
    ];
    // The panic this guards against happened about half the time: try often.
    for _ in 0..5 {
        for args in commands {
            let (status, stderr) = with_closed_stdout(dir.path(), args, false);
            assert_eq!(status, Some(0), "{args:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        }
    }
    // With standard error closed too (`run 2>&1 | head`), the run still ends
    // normally and writes its report.
    std::fs::remove_file(dir.path().join("new.json")).unwrap();
    let (status, _) = with_closed_stdout(dir.path(), &["run", "--report", "json=new.json"], true);
    assert_eq!(status, Some(0));
    assert_eq!(
        read_report(&dir.path().join("new.json")).runs[0]
            .cases
            .len(),
        1
    );
}

/// A case that applies only in the documented profile: skipped under windows.
fn documented_only() -> String {
    CASE_SENSITIVE.replace(
        "rules = [\"DOACTION-CASE\"]\n",
        "rules = [\"DOACTION-CASE\"]\nprofiles = [\"documented\"]\n",
    )
}

#[test]
fn a_run_that_executes_nothing_is_an_error_unless_allowed() {
    let dir = suite(&[("a/doc.toml", &documented_only())]);
    let out = msiconf(
        dir.path(),
        &["run", "--report", "json=r.json", "--report", "html=r.html"],
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("runtime `reference` (windows) executed none of its 1 case(s)"),
        "{}",
        text(&out)
    );
    // The reports are still written, and the page does not say PASS.
    assert_eq!(
        read_report(&dir.path().join("r.json")).runs[0].cases[0].status,
        Status::Skip
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("data-verdict=\"nothing-ran\""), "verdict");
    assert!(!html.contains(">PASS</span>"), "the page says PASS");
    let out = msiconf(
        dir.path(),
        &["run", "--allow-nothing-executed", "--report", "json=r.json"],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
}

#[test]
fn a_runtime_alias_names_the_run_everywhere() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    std::fs::write(
        dir.path().join("mine.toml"),
        "runtime = \"mine\"\n[[expected-failure]]\ncase = \"a/ok\"\nrule = \"DOACTION-CASE\"\n",
    )
    .unwrap();
    let alias = format!("mine={BROKEN}");
    let out = msiconf(
        dir.path(),
        &[
            "run",
            "--runtime",
            &alias,
            "--runtime",
            "reference",
            "--expect",
            "mine.toml",
            "--report",
            "json=old.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let report = read_report(&dir.path().join("old.json"));
    assert_eq!(report.runs[0].runtime.name, "mine");
    assert_eq!(report.runs[0].cases[0].status, Status::Fail);
    assert!(report.runs[0].cases[0].expected_failure.is_some());

    // The same name for two runtimes is refused.
    let out = msiconf(
        dir.path(),
        &["run", "--runtime", &alias, "--runtime", "mine=reference"],
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("two runtimes are named `mine`"),
        "{}",
        text(&out)
    );

    // A run of another runtime under the same alias compares with the first.
    let out = msiconf(
        dir.path(),
        &[
            "run",
            "--runtime",
            "mine=reference",
            "--report",
            "json=new.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let out = msiconf(dir.path(), &["compare", "old.json", "new.json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("1 newly passing"), "{}", text(&out));

    // Without a common name there is nothing to compare: an error, not "OK".
    let out = msiconf(
        dir.path(),
        &["run", "--runtime", BROKEN, "--report", "json=other.json"],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    let only_reference = {
        let mut r = read_report(&dir.path().join("old.json"));
        r.runs.retain(|run| run.runtime.name == "reference");
        serde_json::to_vec(&r).unwrap()
    };
    std::fs::write(dir.path().join("ref.json"), only_reference).unwrap();
    let out = msiconf(dir.path(), &["compare", "ref.json", "other.json"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("no run in common"), "{}", text(&out));
}

#[cfg(unix)]
#[test]
fn ctrl_c_writes_the_partial_report_marked_incomplete() {
    // Thirty cases of 0.3 s each on one worker: about nine seconds in all.
    let slow = "description = \"answers after a pause\"\nrules = [\"DOACTION-CASE\"]\n\
                [fixture]\nproperties = [{ name = \"MISBEHAVE\", value = \"slow\" }]\n\
                [[steps]]\ncontext = \"package\"\ncall = { get-language = {} }\n";
    let names: Vec<String> = (1..=30).map(|i| format!("slow/c{i:02}.toml")).collect();
    let files: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), slow)).collect();
    let dir = suite(&files);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/protocol/misbehave.py");
    let runtime = format!("slow=cmd:python3 {}", script.display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_msiconf"))
        .args(["run", "--verbose", "--runtime", &runtime, "--jobs", "1"])
        .args(["--report", "json=r.json", "--report", "html=r.html"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the first case has finished (one progress line per case).
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "no case finished: {log}"
        );
        log.push_str(&line);
        if line.contains(" slow (windows) slow/") {
            break;
        }
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    stderr.read_to_string(&mut log).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{log}");
    assert!(log.contains("interrupted"), "{log}");
    let report = read_report(&dir.path().join("r.json"));
    assert!(report.incomplete.is_some());
    let done = report.runs[0].cases.len();
    assert!((1..30).contains(&done), "{done} cases reported");
    // No case was cut short into an error.
    assert!(report.runs[0]
        .cases
        .iter()
        .all(|c| c.status != Status::Error));
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("data-verdict=\"incomplete\""), "verdict");
}

#[test]
fn a_failure_that_passes_on_a_retry_is_reported_flaky_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("failed-once");
    let case = format!(
        "description = \"fails the first time only\"\nrules = [\"DEFERRED-LANGUAGE\"]\n\
         [fixture]\nproperties = [{{ name = \"MISBEHAVE\", value = \"fail-once\" }}, {{ name = \"MARKER\", value = '{}' }}]\n\
         [[steps]]\ncontext = \"package\"\ncall = \"get-language\"\nexpect = {{ number = 1033 }}\n",
        marker.display()
    );
    std::fs::create_dir_all(dir.path().join("cases/a")).unwrap();
    std::fs::write(dir.path().join("cases/a/once.toml"), case).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/protocol/misbehave.py");
    let runtime = format!("once=cmd:python3 {}", script.display());
    let reports = [
        "--report",
        "json=r.json",
        "--report",
        "junit=r.xml",
        "--report",
        "markdown=r.md",
        "--report",
        "html=r.html",
    ];
    // Without retries the first failure stands.
    let mut args = vec!["run", "--runtime", &runtime];
    args.extend(reports);
    let out = msiconf(dir.path(), &args);
    assert_eq!(code(&out), 1, "{}", text(&out));

    std::fs::remove_file(&marker).unwrap();
    args.extend(["--retries", "2"]);
    let out = msiconf(dir.path(), &args);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("1 passed (1 flaky)")
            && stdout.contains("FLAKY a/once: failed (DEFERRED-LANGUAGE")
            && stdout.contains("passed on attempt 2"),
        "{stdout}"
    );
    let report = read_report(&dir.path().join("r.json"));
    let case = &report.runs[0].cases[0];
    assert_eq!(case.status, Status::Pass);
    assert!(case.flaky.as_deref().unwrap().contains("attempt 2"));
    assert_eq!(report.runs[0].totals.flaky, 1);
    let junit = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    assert!(
        junit.contains("<flakyFailure message=\"flaky: failed ("),
        "{junit}"
    );
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(
        md.contains("1 passed (1 flaky)") && md.contains("### Flaky (1)"),
        "{md}"
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("1 passed (1 flaky)") && html.contains("FLAKY: failed ("));
}

#[test]
fn expectation_files_name_unknown_rules_and_cases_and_repeats_as_file_errors() {
    let dir = suite(&[
        ("a/ok.toml", CASE_SENSITIVE),
        ("a/other.toml", CASE_SENSITIVE),
    ]);
    let check = |body: &str, want: &str| {
        std::fs::write(dir.path().join("e.toml"), body).unwrap();
        let out = msiconf(
            dir.path(),
            &["run", "--runtime", BROKEN, "--expect", "e.toml"],
        );
        assert_eq!(code(&out), 2, "{}", text(&out));
        assert!(text(&out).contains(want), "want {want}\n{}", text(&out));
    };
    check(
        "[[expected-failure]]\ncase = \"a/ok\"\nrule = \"DOACTON-CASE\"\n",
        "invalid expectation file `e.toml`, line 1: unknown rule `DOACTON-CASE` (did you mean `DOACTION-CASE`?)",
    );
    check(
        "\n[[expected-failure]]\ncase = \"a/okk\"\nrule = \"DOACTION-CASE\"\n",
        "line 2: no case `a/okk` in the suite (did you mean `a/ok`?)",
    );
    check(
        "[[expected-failure]]\ncase = \"b/*\"\nrule = \"DOACTION-CASE\"\n",
        "case pattern `b/*` matches no case",
    );
    check(
        "[[expected-failure]]\ncase = \"a/ok\"\nrule = \"DOACTION-CASE\"\n\
         [[expected-failure]]\ncase = \"a/ok\"\nrule = \"DOACTION-CASE\"\nprofile = \"windows\"\n",
        "line 4: the entry for `a/ok` (DOACTION-CASE) repeats the one at line 1",
    );
    // A glob entry covers the folder; a bug link shows with the note.
    std::fs::write(
        dir.path().join("e.toml"),
        "[[expected-failure]]\ncase = \"a/*\"\nrule = \"DOACTION-CASE\"\nnote = \"folds case\"\nbug = \"https://bugs.example/1\"\n",
    )
    .unwrap();
    let out = msiconf(
        dir.path(),
        &[
            "run",
            "--runtime",
            BROKEN,
            "--expect",
            "e.toml",
            "--report",
            "json=r.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let report = read_report(&dir.path().join("r.json"));
    for case in &report.runs[0].cases {
        assert_eq!(
            case.expected_failure.as_deref(),
            Some("folds case (bug: https://bugs.example/1)")
        );
    }
    // A flaky entry accepts a pass and reports it.
    std::fs::write(
        dir.path().join("e.toml"),
        "[[expected-failure]]\ncase = \"a/ok\"\nrule = \"DOACTION-CASE\"\nstatus = \"flaky\"\n",
    )
    .unwrap();
    let out = msiconf(
        dir.path(),
        &["run", "--expect", "e.toml", "--report", "json=r.json"],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let report = read_report(&dir.path().join("r.json"));
    assert!(report.runs[0].cases[0].flaky.is_some());
    assert!(String::from_utf8_lossy(&out.stdout).contains("FLAKY a/ok"));
}

#[test]
fn the_committed_expectation_files_name_real_cases_and_rules() {
    use msiconf::case::{load_dir, KnownRules};
    use msiconf::expectations::ExpectationFile;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let suite = load_dir(&root.join("cases"), &KnownRules::catalog()).unwrap();
    let names: std::collections::BTreeSet<&str> =
        suite.cases.iter().map(|c| c.name.as_str()).collect();
    let rules = msiconf_spec::rules::catalog().iter().map(|r| r.id);
    let mut seen = 0;
    for entry in std::fs::read_dir(root.join("expectations")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            ExpectationFile::load_checked(&path, &names, rules.clone()).unwrap();
            seen += 1;
        }
    }
    assert!(seen > 0, "no expectation file checked");
}

#[test]
fn the_default_output_outside_a_terminal_is_failures_and_the_summary() {
    let dir = suite(&[
        ("a/one.toml", CASE_SENSITIVE),
        ("a/two.toml", CASE_SENSITIVE),
    ]);
    let out = msiconf(dir.path(), &["run"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("PASS"),
        "a line per passing case:\n{stderr}"
    );
    assert!(
        stderr.contains("running 2 cases on reference (windows)"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(!stdout.contains('\x1b'), "colour in a pipe: {stdout:?}");

    let out = msiconf(dir.path(), &["run", "--verbose"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr)
            .matches("PASS ")
            .count(),
        2
    );
    let out = msiconf(dir.path(), &["run", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

#[test]
fn expected_failures_say_xfail_and_colour_follows_the_flag() {
    let dir = suite(&[("a/one.toml", CASE_SENSITIVE)]);
    std::fs::write(
        dir.path().join("e.toml"),
        "[[expected-failure]]\ncase = \"a/one\"\nrule = \"DOACTION-CASE\"\n",
    )
    .unwrap();
    let out = msiconf(
        dir.path(),
        &["run", "-v", "--runtime", BROKEN, "--expect", "e.toml"],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("XFAIL broken:") && all.contains("  XFAIL a/one"),
        "{all}"
    );
    assert!(
        !all.contains("FAIL  "),
        "an expected failure shown as FAIL:\n{all}"
    );

    // An unexpected failure: red when asked for, plain otherwise.
    let out = msiconf(
        dir.path(),
        &["run", "--runtime", BROKEN, "--color", "always"],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\x1b[1m\x1b[31m  FAIL  a/one"),
        "{stdout:?}"
    );
    let out = msiconf(
        dir.path(),
        &["run", "--runtime", BROKEN, "--color", "never"],
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'));
    // The departure both the case and the rule's predicate report is printed once.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("DOACTION-CASE at").count(), 1, "{stdout}");
    assert!(
        stdout.contains("[case expectation and rule predicate]"),
        "{stdout}"
    );
}

#[test]
fn recheck_judges_stored_transcripts_again_without_the_runtime() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    // Without --transcripts there is nothing to re-judge.
    let out = msiconf(dir.path(), &["run", "--report", "json=plain.json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let out = msiconf(dir.path(), &["recheck", "plain.json"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("write it with `msiconf run --transcripts`"));

    let out = msiconf(
        dir.path(),
        &[
            "run",
            "--runtime",
            BROKEN,
            "--transcripts",
            "--report",
            "json=broken.json",
        ],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    let stored = read_report(&dir.path().join("broken.json"));
    assert!(stored.runs[0].cases[0].transcript.is_some());
    let out = msiconf(
        dir.path(),
        &["recheck", "broken.json", "--report", "json=again.json"],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    let again = read_report(&dir.path().join("again.json"));
    assert_eq!(again.runs[0].cases[0].status, Status::Fail);
    assert_eq!(
        again.runs[0].cases[0].findings,
        stored.runs[0].cases[0].findings
    );

    // An expectation file applies to the re-judged run as to a live one.
    std::fs::write(
        dir.path().join("e.toml"),
        "[[expected-failure]]\ncase = \"a/ok\"\nrule = \"DOACTION-CASE\"\n",
    )
    .unwrap();
    let out = msiconf(
        dir.path(),
        &["recheck", "broken.json", "--expect", "e.toml"],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("XFAIL a/ok"), "{}", text(&out));
    // A case asking for another plan than the stored one cannot be re-judged.
    std::fs::write(
        dir.path().join("cases/a/ok.toml"),
        CASE_SENSITIVE.replace("costinitialize", "costfinalize"),
    )
    .unwrap();
    let out = msiconf(dir.path(), &["recheck", "broken.json"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("asks for another plan"),
        "{}",
        text(&out)
    );
}

/// A `cmd:` runtime: `msiconf serve` with its output passed through `sed`
/// (unbuffered) so a test can make it misbehave in one precise way.
fn served_through(sed: &str) -> String {
    let exe = env!("CARGO_BIN_EXE_msiconf");
    let script = format!("'{exe}' serve | sed -u -e '{sed}'");
    format!("cmd:sh -c {}", shlex::try_quote(&script).unwrap())
}

#[test]
fn a_stray_stdout_line_is_quoted_in_the_error_and_the_report() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    // The answer to the first plan comes after a line of debugging output.
    let runtime = served_through("2i debug: loading the engine");
    let out = msiconf(
        dir.path(),
        &[
            "run",
            "--runtime",
            &runtime,
            "--report",
            "json=r.json",
            "--trace",
            "trace",
        ],
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("the line was: debug: loading the engine"),
        "{}",
        text(&out)
    );
    let report = read_report(&dir.path().join("r.json"));
    let case = &report.runs[0].cases[0];
    assert_eq!(case.status, Status::Error);
    let message = &case.error.as_ref().unwrap().message;
    assert!(message.contains("not valid JSON"), "{message}");
    assert!(message.contains("debug: loading the engine"), "{message}");
    // --trace kept the request and the line that answered it, in a file for the plan.
    let traces: Vec<_> = std::fs::read_dir(dir.path().join("trace"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let plan = traces
        .iter()
        .find(|n| n.contains("-plan-") && n.ends_with(".jsonl"))
        .unwrap_or_else(|| panic!("no plan file in {traces:?}"));
    let lines = std::fs::read_to_string(dir.path().join("trace").join(plan)).unwrap();
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with(r#"{"type":"run""#), "{}", lines[0]);
    assert_eq!(lines[1], "debug: loading the engine");
    let name = traces
        .iter()
        .find(|n| n.ends_with(".name"))
        .expect("a .name file");
    let named = std::fs::read_to_string(dir.path().join("trace").join(name)).unwrap();
    assert_eq!(named.trim_end(), runtime);
}

#[test]
fn a_set_up_error_gives_its_cause_once() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let out = msiconf(
        dir.path(),
        // Octal escapes, so the runtime's name does not hold the words looked for.
        &[
            "run",
            "--runtime",
            r#"cmd:sh -c 'printf "the c\141use\n" >&2; printf "not a h\141ndshake\n"'"#,
        ],
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("not a handshake").count(), 1, "{stderr}");
    assert_eq!(stderr.matches("the cause").count(), 1, "{stderr}");
    let out = msiconf(
        dir.path(),
        &["run", "--runtime", "cmd:/nonexistent/adapter"],
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("No such file").count(), 1, "{stderr}");
    assert_eq!(
        stderr.matches("cmd:/nonexistent/adapter").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn a_ready_naming_an_unknown_operation_is_a_warning() {
    let dir = suite(&[("a/ok.toml", CASE_SENSITIVE)]);
    let runtime = served_through(
        r#"1s/"operations":\[/"operations":["teleport",/; 1s/"contexts":\[/"contexts":["hologram",/"#,
    );
    let out = msiconf(dir.path(), &["run", "--runtime", &runtime]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("warning:").count(),
        1,
        "one warning, however many processes start: {stderr}"
    );
    assert!(stderr.contains("operation `teleport`"), "{stderr}");
    assert!(stderr.contains("context `hologram`"), "{stderr}");
}

#[test]
fn help_and_runtimes_name_every_runtime_spelling() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["fuzz", "--help"][..], &["run", "--help"], &["runtimes"]] {
        let out = msiconf(dir.path(), args);
        assert_eq!(code(&out), 0, "{}", text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        for spelling in ["cmd:", "msiexec", "broken:", "reference"] {
            assert!(
                stdout.contains(spelling),
                "`msiconf {}` does not mention {spelling}",
                args.join(" ")
            );
        }
    }
}

#[test]
fn the_wine_folder_is_absolute_however_it_is_given() {
    // An installed msiconf has no `target` folder above it and falls back to a
    // relative one, as a relative MSICONF_WINE_DIR is: Wine refuses a relative
    // WINEPREFIX, so the folder is made absolute.
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_msiconf"))
        .arg("clean")
        .env("MSICONF_WINE_DIR", "relative/wine")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let said = stdout
        .trim_end()
        .strip_prefix("nothing to remove under ")
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(Path::new(said).is_absolute(), "{said}");
    assert!(said.ends_with("relative/wine"), "{said}");
}
