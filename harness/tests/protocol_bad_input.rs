//! A protocol program that misbehaves: each misbehaviour is an error outcome
//! for the plan that caused it, with the right message and the program's
//! stderr tail, and the plans after it still run.

use msiconf::runtime::{Runtime, RuntimeError};
use msiconf::runtimes::process::{ProcessOptions, ProcessRuntime};
use msiconf_spec::fixture::PropertyRow;
use msiconf_spec::{Context, Fixture, Operation, Outcome, Plan, PlanBuilder, Transcript};
use std::time::Duration;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/protocol");
const LONG: Duration = Duration::from_secs(30);

fn options() -> ProcessOptions {
    ProcessOptions {
        handshake_timeout: Duration::from_secs(20),
        ..ProcessOptions::default()
    }
}

fn misbehave(start: &str) -> Result<ProcessRuntime, RuntimeError> {
    ProcessRuntime::from_spec(
        &format!("cmd:python3 {DATA}/misbehave.py {start}"),
        options(),
    )
}

/// A plan of two package steps; `mode` (if any) tells misbehave.py what to do with it.
fn plan(mode: &str) -> Plan {
    let mut fixture = Fixture::standard();
    if !mode.is_empty() {
        fixture.properties.push(PropertyRow {
            name: "MISBEHAVE".into(),
            value: mode.into(),
        });
    }
    let mut b = PlanBuilder::new(fixture);
    b.step(Context::Package, None, Operation::GetLanguage);
    b.step(Context::Package, None, Operation::GetLanguage);
    b.build()
}

fn assert_good(result: Result<Transcript, RuntimeError>) {
    let t = result.expect("a well-behaved plan runs");
    assert_eq!(t.events.len(), 2);
    assert_eq!(t.events[1].outcome, Outcome::number(1033));
    assert_eq!(t.events[1].index, 1);
}

#[test]
fn garbage_is_a_protocol_error_quoting_the_line_and_the_next_plan_runs() {
    let rt = misbehave("").unwrap();
    assert_good(rt.execute(&plan(""), LONG));
    match rt.execute(&plan("garbage"), LONG) {
        Err(RuntimeError::Protocol {
            message,
            line,
            stderr,
        }) => {
            assert!(
                message.contains("a line that is not valid JSON"),
                "{message}"
            );
            assert!(message.contains("runtime `cmd:python3"), "{message}");
            assert_eq!(line.as_deref(), Some("this is not json {"));
            assert!(stderr.contains("misbehaving with garbage"), "{stderr}");
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
    assert_good(rt.execute(&plan(""), LONG));
    assert_eq!(
        rt.processes_started(),
        2,
        "the broken process was replaced once"
    );
}

#[test]
fn valid_json_that_is_not_a_message_is_reported_as_such() {
    let rt = misbehave("").unwrap();
    match rt.execute(&plan("not-a-message"), LONG) {
        Err(RuntimeError::Protocol { message, line, .. }) => {
            assert!(
                message.contains("a line that is not a valid message"),
                "{message}"
            );
            assert!(line.unwrap().contains(r#""events": "many""#));
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
    assert_good(rt.execute(&plan(""), LONG));
}

#[test]
fn an_exit_in_the_middle_of_a_plan_is_a_crash_with_the_stderr_tail() {
    let rt = misbehave("").unwrap();
    match rt.execute(&plan("exit"), LONG) {
        Err(RuntimeError::Crashed { message, stderr }) => {
            assert!(
                message.contains("exited (exit status: 7) in the middle of plan"),
                "{message}"
            );
            assert!(
                stderr.contains("misbehaving with exit on request"),
                "{stderr}"
            );
        }
        other => panic!("expected a crash, got {other:?}"),
    }
    assert_good(rt.execute(&plan(""), LONG));
    assert_eq!(rt.processes_started(), 2);
}

#[test]
fn a_hung_program_is_killed_at_the_timeout_and_replaced() {
    let rt = misbehave("").unwrap();
    match rt.execute(&plan("hang"), Duration::from_millis(800)) {
        Err(RuntimeError::Timeout { seconds, stderr }) => {
            assert_eq!(seconds, 0.8);
            assert!(stderr.contains("misbehaving with hang"), "{stderr}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_good(rt.execute(&plan(""), LONG));
}

#[test]
fn answers_to_the_wrong_request_are_protocol_errors() {
    let rt = misbehave("").unwrap();
    match rt.execute(&plan("wrong-id"), LONG) {
        Err(RuntimeError::Protocol { message, .. }) => {
            assert!(message.contains("answered request"), "{message}");
            assert!(message.contains("was pending"), "{message}");
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
    assert_good(rt.execute(&plan(""), LONG));
}

#[test]
fn a_transcript_for_another_plan_is_a_protocol_error_but_the_process_stays() {
    let rt = misbehave("").unwrap();
    match rt.execute(&plan("mismatch"), LONG) {
        Err(RuntimeError::Protocol { message, line, .. }) => {
            assert!(message.contains("does not match plan"), "{message}");
            assert!(message.contains("probe `Nope`"), "{message}");
            assert!(line.unwrap().contains("Nope"));
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
    assert_good(rt.execute(&plan(""), LONG));
    assert_eq!(rt.processes_started(), 1);
}

#[test]
fn typed_errors_keep_their_kind() {
    let rt = misbehave("").unwrap();
    assert_eq!(
        rt.execute(&plan("unsupported"), LONG).unwrap_err(),
        RuntimeError::Unsupported {
            reason: "told to answer unsupported".into()
        }
    );
    match rt.execute(&plan("failed"), LONG) {
        Err(RuntimeError::Failed { message, .. }) => assert_eq!(message, "told to answer failed"),
        other => panic!("expected a failure, got {other:?}"),
    }
    match rt.execute(&plan("bad-request"), LONG) {
        Err(RuntimeError::Protocol { message, .. }) => {
            assert!(
                message.contains("as a bad request: told to answer bad-request"),
                "{message}"
            )
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
    assert_good(rt.execute(&plan(""), LONG));
    assert_eq!(
        rt.processes_started(),
        1,
        "typed errors leave the process running"
    );
}

#[test]
fn a_chatty_program_never_blocks_and_its_tail_is_bounded() {
    let rt = misbehave("").unwrap();
    // About 1.2 MB of stderr, far beyond a pipe's buffer.
    assert_good(rt.execute(&plan("chatty"), LONG));
    match rt.execute(&plan("exit"), LONG) {
        Err(RuntimeError::Crashed { stderr, .. }) => {
            assert!(stderr.len() <= 64 << 10, "tail of {} bytes", stderr.len());
            assert!(stderr.len() > 60 << 10, "tail of {} bytes", stderr.len());
            assert!(stderr.contains("chatter done"));
            assert!(
                stderr
                    .trim_end()
                    .ends_with("misbehaving with exit on request 2"),
                "{}",
                &stderr[stderr.len() - 200..]
            );
        }
        other => panic!("expected a crash, got {other:?}"),
    }
}

#[test]
fn a_program_that_never_answers_the_handshake_times_out_naming_the_runtime() {
    let spec = format!("cmd:{DATA}/silent.sh");
    let err = ProcessRuntime::from_spec(
        &spec,
        ProcessOptions {
            handshake_timeout: Duration::from_millis(700),
            ..ProcessOptions::default()
        },
    )
    .unwrap_err();
    let RuntimeError::Setup { message } = err else {
        panic!("expected a setup error, got {err:?}");
    };
    assert!(
        message.starts_with(&format!(
            "runtime `{spec}` did not answer the handshake within 0.7 s"
        )),
        "{message}"
    );
    assert!(message.contains("silent.sh: reading nothing"), "{message}");
    // The sleeping grandchild was killed with the process group: wait for it
    // to be gone (or a zombie awaiting its new parent).
    let child: u32 = message
        .rsplit("(child ")
        .next()
        .and_then(|rest| rest.split(')').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("no child pid in {message}"));
    let stat = format!("/proc/{child}/stat");
    for attempt in 0.. {
        match std::fs::read_to_string(&stat) {
            Err(_) => break,
            Ok(s)
                if s.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z') =>
            {
                break
            }
            // A generous bound: the sleep would otherwise outlive the test by ten minutes.
            Ok(_) if attempt == 1500 => panic!("the runtime's child {child} survived its group"),
            Ok(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

#[test]
fn broken_handshakes_are_setup_errors() {
    let cases = [
        (
            "exit-at-start",
            "exited (exit status: 3) before answering the handshake",
        ),
        ("garbage-hello", "a line that is not valid JSON"),
        (
            "old-protocol",
            "speaks protocol version 99; this harness speaks 1",
        ),
    ];
    for (start, expected) in cases {
        match misbehave(start) {
            Err(RuntimeError::Setup { message }) => {
                assert!(message.contains(expected), "{start}: {message}");
                assert!(message.contains("misbehave.py"), "{start}: {message}");
            }
            other => panic!("{start}: expected a setup error, got {other:?}"),
        }
    }
}

#[test]
fn a_crash_in_a_pipelined_batch_fails_only_its_own_plan() {
    let rt = misbehave("").unwrap();
    let plans = vec![
        plan(""),
        plan(""),
        plan("exit"),
        plan(""),
        plan("garbage"),
        plan(""),
    ];
    let results = rt.execute_many(&plans, LONG);
    assert_eq!(results.len(), 6);
    for (i, r) in results.into_iter().enumerate() {
        match i {
            2 => assert!(matches!(r, Err(RuntimeError::Crashed { .. })), "{r:?}"),
            4 => assert!(matches!(r, Err(RuntimeError::Protocol { .. })), "{r:?}"),
            _ => assert_good(r),
        }
    }
    assert_eq!(rt.processes_started(), 3);
}

#[test]
fn threads_get_their_own_processes_and_failures_stay_with_their_plan() {
    let rt = misbehave("").unwrap();
    std::thread::scope(|s| {
        for t in 0..3 {
            let rt = &rt;
            s.spawn(move || {
                for i in 0..6 {
                    if (i + t) % 4 == 3 {
                        assert!(matches!(
                            rt.execute(&plan("exit"), LONG),
                            Err(RuntimeError::Crashed { .. })
                        ));
                    } else {
                        assert_good(rt.execute(&plan(""), LONG));
                    }
                }
            });
        }
    });
    assert!(rt.processes_started() >= 3);
}
