//! End-to-end sessions against Wine's real msiexec.
//!
//! They are `#[ignore]`d, so a plain `cargo test` reports them as ignored rather
//! than passing them unrun; CI runs them with `-- --ignored` after
//! `scripts/install-wine.sh`, where a missing Wine is a failure. Each
//! assertion is a fact any faithful runtime shows (a value the fixture fixed,
//! a probe that must have run), never a recording of what Wine happened to do.

use msiconf::runtime::{Runtime, RuntimeError};
use msiconf::runtimes::msiexec::{Mode, MsiexecOptions, MsiexecRuntime};
use msiconf_spec::fixture::{CustomActionRow, PropertyRow, SequenceRow};
use msiconf_spec::{
    Context, Event, Fixture, InstallOptions, Operation, Plan, PlanBuilder, Transcript,
};
use std::sync::OnceLock;
use std::time::Duration;

const PRODUCT_CODE: &str = "{6F2C1C6E-2C63-4B55-9C61-6D3A5A0D7A11}";

fn runtime() -> &'static MsiexecRuntime {
    static RT: OnceLock<MsiexecRuntime> = OnceLock::new();
    RT.get_or_init(|| match MsiexecRuntime::new(MsiexecOptions::default()) {
        Ok(rt) => rt,
        Err(e) => panic!(
            "the msiexec runtime cannot start (run scripts/install-wine.sh): {}",
            e.chain()
        ),
    })
}

fn execute(plan: &Plan) -> Transcript {
    match runtime().execute(plan, Duration::from_secs(120)) {
        Ok(t) => t,
        Err(e) => panic!("session failed: {e}\n{}", e.stderr()),
    }
}

fn event<'a>(t: &'a Transcript, probe: &str, index: usize) -> &'a Event {
    t.events
        .iter()
        .find(|e| e.probe == probe && e.index == index)
        .unwrap_or_else(|| panic!("no event for {probe}#{index} in {t:#?}"))
}

fn get(name: &str) -> Operation {
    Operation::GetProperty {
        name: Some(name.to_owned()),
        buffer: msiconf_spec::Buffer::Ample,
        ansi: false,
        handle: msiconf_spec::HandleArg::Session,
    }
}

#[test]
#[ignore = "drives Wine's msiexec: run scripts/install-wine.sh, then add -- --ignored"]
fn immediate_probe_reads_product_code() {
    let mut b = PlanBuilder::new(Fixture::standard());
    b.step(Context::ImmediateBeforeInit, None, get("ProductCode"));
    b.step(Context::ImmediateBeforeInit, None, Operation::GetLanguage);
    let plan = b.build();
    let t = execute(&plan);
    let e = event(&t, "ProbeImmediate", 0);
    assert_eq!(e.outcome.rc, Some(0));
    assert_eq!(e.outcome.value.as_deref(), Some(PRODUCT_CODE));
    assert_eq!(event(&t, "ProbeImmediate", 1).outcome.number, Some(1033));
    assert_eq!(t.install_result, Some(0));
    assert_eq!(t.run_count("ProbeImmediate"), 1);
    assert!(
        t.actions.iter().any(|a| a.name == "ProbeImmediate"),
        "{:?}",
        t.actions
    );
}

#[test]
#[ignore = "drives Wine's msiexec: run scripts/install-wine.sh, then add -- --ignored"]
fn every_custom_action_context_runs_its_probe() {
    let mut fixture = Fixture::standard();
    fixture.properties.push(PropertyRow {
        name: "ProbeDeferred".into(),
        value: "handed over".into(),
    });
    let mut b = PlanBuilder::new(fixture);
    b.step(Context::Package, None, get("ProductName"));
    b.step(Context::ImmediateUi, None, get("ProductCode"));
    b.step(Context::ImmediateAfterInit, None, get("ProductCode"));
    b.step(Context::Deferred, None, get("CustomActionData"));
    b.step(Context::Rollback, None, get("ProductCode"));
    b.step(Context::Commit, None, Operation::HasSession);
    b.step(
        Context::ScriptImmediate,
        None,
        Operation::SessionPropertyGet {
            name: Some("ProductCode".into()),
        },
    );
    b.step(Context::ScriptDeferred, None, Operation::HasSession);
    b.step(Context::Exe, None, Operation::HasSession);
    let mut plan = b.build();
    // A type-51 action hands the property's value to the deferred probe as CustomActionData.
    plan.fixture.custom_actions.push(CustomActionRow {
        action: "SetProbeDeferred".into(),
        kind: 51,
        source: Some("ProbeDeferred".into()),
        target: Some("[ProbeDeferred]".into()),
    });
    plan.fixture.execute_sequence.push(SequenceRow {
        action: "SetProbeDeferred".into(),
        condition: None,
        sequence: 1580,
    });
    plan.fixture.execute_sequence.sort_by_key(|r| r.sequence);
    let t = execute(&plan);
    assert_eq!(
        event(&t, "@package", 0).outcome.value.as_deref(),
        Some("msiconf probe")
    );
    assert_eq!(
        event(&t, "ProbeUi", 0).outcome.value.as_deref(),
        Some(PRODUCT_CODE)
    );
    assert_eq!(
        event(&t, "ProbeWindow", 0).outcome.value.as_deref(),
        Some(PRODUCT_CODE)
    );
    assert_eq!(
        event(&t, "ProbeDeferred", 0).outcome.value.as_deref(),
        Some("handed over")
    );
    assert_eq!(
        t.run_count("ProbeRollback"),
        1,
        "the forced failure runs the rollback probe"
    );
    assert_eq!(
        t.run_count("ProbeCommit"),
        0,
        "a failed install commits nothing"
    );
    assert_eq!(
        event(&t, "ProbeScript", 0).outcome.value.as_deref(),
        Some(PRODUCT_CODE)
    );
    assert_eq!(event(&t, "ProbeExe", 0).outcome.number, Some(0));
    assert_eq!(
        t.install_result,
        Some(1603),
        "ProbeForceRollback fails the install"
    );
    println!("{}", serde_json::to_string_pretty(&t).unwrap());
}

#[test]
#[ignore = "drives Wine's msiexec: run scripts/install-wine.sh, then add -- --ignored"]
fn commit_and_deferred_script_run_when_the_install_succeeds() {
    let mut b = PlanBuilder::new(Fixture::standard());
    b.step(Context::Commit, None, Operation::HasSession);
    b.step(Context::ScriptDeferred, None, Operation::HasSession);
    b.step(Context::Exe, None, Operation::CommandLine);
    let mut plan = b.build();
    for row in &mut plan.fixture.custom_actions {
        if row.action == "ProbeExe" {
            row.target = Some("alpha \"beta gamma\"".into());
        }
    }
    let t = execute(&plan);
    assert_eq!(t.install_result, Some(0));
    assert_eq!(event(&t, "ProbeCommit", 0).outcome.number, Some(1));
    assert_eq!(event(&t, "ProbeScriptDeferred", 0).outcome.number, Some(1));
    assert_eq!(
        event(&t, "ProbeExe", 0).outcome.value.as_deref(),
        Some("alpha \"beta gamma\"")
    );
}

#[test]
#[ignore = "drives Wine's msiexec: run scripts/install-wine.sh, then add -- --ignored"]
fn nested_do_action_records_the_inner_probe_first() {
    let mut fixture = Fixture::standard();
    fixture.custom_actions.push(CustomActionRow {
        action: "Inner".into(),
        kind: 1,
        source: Some("probe".into()),
        target: Some("Probe".into()),
    });
    let mut b = PlanBuilder::new(fixture);
    b.probe("Inner", Context::ImmediateBeforeInit);
    b.step(
        Context::ImmediateBeforeInit,
        Some("Inner"),
        Operation::GetLanguage,
    );
    b.step(
        Context::ImmediateBeforeInit,
        None,
        Operation::DoAction {
            action: Some("Inner".into()),
            handle: msiconf_spec::HandleArg::Session,
        },
    );
    let plan = b.build();
    let t = execute(&plan);
    let order: Vec<&str> = t.events.iter().map(|e| e.probe.as_str()).collect();
    assert_eq!(order, vec!["Inner", "ProbeImmediate"]);
    assert_eq!(event(&t, "ProbeImmediate", 0).outcome.rc, Some(0));
}

#[test]
#[ignore = "drives Wine's msiexec: run scripts/install-wine.sh, then add -- --ignored"]
fn a_package_that_cannot_be_built_is_a_setup_error() {
    let mut plan = Plan {
        fixture: Fixture::standard(),
        ..Plan::default()
    };
    plan.fixture.tables.push(msiconf_spec::fixture::Table {
        name: "Odd".into(),
        columns: vec![msiconf_spec::fixture::Column {
            name: "A".into(),
            kind: "x9".into(),
            key: true,
        }],
        rows: vec![],
    });
    plan.install = Some(InstallOptions::default());
    match runtime().execute(&plan, Duration::from_secs(60)) {
        Err(RuntimeError::Setup { message }) => {
            assert!(message.contains("failed to build the package"), "{message}");
            assert!(message.contains("x9"), "{message}");
        }
        other => panic!("expected a setup error, got {other:?}"),
    }
}

#[test]
#[ignore = "drives Wine's msiexec: run scripts/install-wine.sh, then add -- --ignored"]
fn a_session_over_its_limit_times_out_and_the_prefix_recovers() {
    let mut b = PlanBuilder::new(Fixture::standard());
    b.step(Context::ImmediateBeforeInit, None, Operation::GetLanguage);
    let plan = b.build();
    match runtime().execute(&plan, Duration::from_millis(50)) {
        Err(RuntimeError::Timeout { seconds, .. }) => assert!(seconds >= 0.05, "{seconds}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    // The killed session's prefix goes back to the pool and works again.
    let t = execute(&plan);
    assert_eq!(t.install_result, Some(0));
    assert_eq!(event(&t, "ProbeImmediate", 0).outcome.number, Some(1033));
}

#[test]
#[ignore = "drives Wine's msiexec: run scripts/install-wine.sh, then add -- --ignored"]
fn a_crashed_msiexec_is_a_crash_error_with_its_logs_kept() {
    // Wine 8.0's msiexec crashes (an NTSTATUS exit code) on a package without
    // ProductCode instead of returning an error; that crash is the test's input.
    let mut fixture = Fixture::standard();
    fixture.properties.retain(|p| p.name != "ProductCode");
    let plan = Plan {
        fixture,
        install: Some(InstallOptions::default()),
        ..Plan::default()
    };
    match runtime().execute(&plan, Duration::from_secs(60)) {
        Err(RuntimeError::Crashed { message, .. }) => {
            assert!(message.contains("crashed with exception 0xC"), "{message}");
            let kept = message
                .split("logs kept in `")
                .nth(1)
                .and_then(|r| r.split('`').next())
                .unwrap_or_else(|| panic!("no kept-logs path in {message}"));
            assert!(
                std::path::Path::new(kept).join("install.log").is_file(),
                "{kept}"
            );
        }
        Err(other) => panic!("expected a crash, got {other:?}"),
        Ok(t) => panic!(
            "expected a crash, got install result {:?}",
            t.install_result
        ),
    }
}

/// A runtime of its own with one worker, so that the agent it starts is the
/// one every plan of the test runs on.
fn single_agent_runtime() -> MsiexecRuntime {
    let options = MsiexecOptions {
        workers: 1,
        mode: Mode::Agent,
        ..MsiexecOptions::default()
    };
    MsiexecRuntime::new(options).unwrap_or_else(|e| panic!("{}", e.chain()))
}

#[test]
#[ignore = "drives Wine's msiexec: run scripts/install-wine.sh, then add -- --ignored"]
fn a_crashing_custom_action_ends_its_session_and_the_agent_lives_on() {
    let rt = single_agent_runtime();
    let mut fixture = Fixture::standard();
    fixture.custom_actions.push(CustomActionRow {
        action: "Crasher".into(),
        kind: 1,
        source: Some("probe".into()),
        target: Some("Crash".into()),
    });
    fixture.execute_sequence.push(SequenceRow {
        action: "Crasher".into(),
        condition: None,
        sequence: 1450,
    });
    fixture.execute_sequence.sort_by_key(|r| r.sequence);
    let crashing = Plan {
        fixture,
        install: Some(InstallOptions::default()),
        ..Plan::default()
    };
    let t = rt
        .execute(&crashing, Duration::from_secs(120))
        .unwrap_or_else(|e| panic!("{e}\n{}", e.stderr()));
    // Windows fails the install; Wine 8.0 catches the page fault and counts
    // the action as a success. Either way the session ran to its end.
    assert!(t.install_result.is_some());
    assert!(
        t.actions.iter().any(|a| a.name == "Crasher"),
        "{:?}",
        t.actions
    );
    let starts = rt.agent_starts();
    assert_eq!(starts, 1);
    // The next plan runs on the same agent and sees a whole session.
    let mut b = PlanBuilder::new(Fixture::standard());
    b.step(Context::ImmediateBeforeInit, None, get("ProductCode"));
    let t = rt
        .execute(&b.build(), Duration::from_secs(120))
        .unwrap_or_else(|e| panic!("{e}\n{}", e.stderr()));
    assert_eq!(
        event(&t, "ProbeImmediate", 0).outcome.value.as_deref(),
        Some(PRODUCT_CODE)
    );
    assert_eq!(rt.agent_starts(), starts, "the agent was replaced");
}

#[test]
#[ignore = "drives Wine's msiexec: run scripts/install-wine.sh, then add -- --ignored"]
fn a_hung_session_kills_its_agent_and_the_next_plan_gets_a_new_one() {
    let rt = single_agent_runtime();
    let mut b = PlanBuilder::new(Fixture::standard());
    b.step(Context::ImmediateBeforeInit, None, Operation::GetLanguage);
    let plan = b.build();
    let t = rt
        .execute(&plan, Duration::from_secs(120))
        .unwrap_or_else(|e| panic!("{e}\n{}", e.stderr()));
    assert_eq!(event(&t, "ProbeImmediate", 0).outcome.number, Some(1033));
    assert_eq!(rt.agent_starts(), 1);
    // A limit no install meets stands for a session that hangs.
    let mut other = plan.clone();
    other.fixture.properties.push(PropertyRow {
        name: "Distinct".into(),
        value: "not the cached plan".into(),
    });
    match rt.execute(&other, Duration::from_millis(5)) {
        Err(RuntimeError::Timeout { .. }) => {}
        other => panic!("expected a timeout, got {other:?}"),
    }
    let t = rt
        .execute(&other, Duration::from_secs(120))
        .unwrap_or_else(|e| panic!("{e}\n{}", e.stderr()));
    assert_eq!(event(&t, "ProbeImmediate", 0).outcome.number, Some(1033));
    assert_eq!(rt.agent_starts(), 2, "the hung agent was replaced once");
}

#[test]
#[ignore = "drives Wine's msiexec: run scripts/install-wine.sh, then add -- --ignored"]
fn a_listening_agent_serves_the_remote_runtime_and_refuses_a_wrong_token() {
    // The agent runs as it would on a Windows machine (--listen, no --once),
    // in a prefix of its own, and is reached through the remote runtime's path.
    let options = MsiexecOptions {
        root: msiconf::runtimes::msiexec::default_root().join("remote-test"),
        workers: 1,
        mode: Mode::Agent,
        ..MsiexecOptions::default()
    };
    let local = MsiexecRuntime::new(options.clone()).unwrap_or_else(|e| panic!("{}", e.chain()));
    let token = "msiconf-remote-test-token";
    let agent = local
        .spawn_listening_agent(token)
        .unwrap_or_else(|e| panic!("{}", e.chain()));
    match MsiexecRuntime::remote(agent.addr, "not-the-token", options.clone()) {
        Err(e) => assert!(e.chain().contains("wrong token"), "{}", e.chain()),
        Ok(_) => panic!("an agent accepted the wrong token"),
    }
    let mut b = PlanBuilder::new(Fixture::standard());
    b.step(Context::ImmediateBeforeInit, None, get("ProductCode"));
    b.step(Context::Package, None, get("ProductName"));
    let plan = b.build();
    for round in 0..2 {
        // Two harnesses one after the other: the agent serves each in turn.
        let remote = MsiexecRuntime::remote(agent.addr, token, options.clone())
            .unwrap_or_else(|e| panic!("round {round}: {}", e.chain()));
        assert_eq!(remote.info().name, format!("msiexec@{}", agent.addr));
        let t = remote
            .execute(&plan, Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("round {round}: {e}\n{}", e.stderr()));
        assert_eq!(
            event(&t, "ProbeImmediate", 0).outcome.value.as_deref(),
            Some(PRODUCT_CODE)
        );
        assert_eq!(
            event(&t, "@package", 0).outcome.value.as_deref(),
            Some("msiconf probe")
        );
        assert_eq!(t.install_result, Some(0));
    }
}

#[test]
#[ignore = "drives Wine's msiexec: run scripts/install-wine.sh, then add -- --ignored"]
fn workers_starting_at_once_each_get_a_prefix_and_every_plan_succeeds() {
    // What `msiconf run` does first, twice over at the same moment: two
    // runtimes (as two processes would) on one root each start an agent per
    // worker at once, then run one plan per worker at once. The root is the
    // test's own, and before each round its locks are made to look like an
    // ended run's (their pid no longer alive): taking such locks over once put
    // two workers in one prefix, where each killed the other's agent.
    use msiconf::runtimes::msiexec::{default_root, prefix};
    const RUNTIMES: usize = 2;
    const WORKERS: usize = 2;
    let root = default_root().join("startup-test");
    let prefixes = root.join("prefixes");
    // Cloned from a ready prefix of the main root when there is one (a clone
    // shares its DLLs); otherwise the pool boots one.
    let first = prefixes.join("prefix-0");
    if !prefix::is_ready(&first) {
        let source = (0..64)
            .map(|i| default_root().join("prefixes").join(format!("prefix-{i}")))
            .find(|d| prefix::is_ready(d));
        if let Some(source) = source {
            std::fs::create_dir_all(&prefixes).unwrap();
            let _ = prefix::clone_prefix(&source, &first);
        }
    }
    for round in 0..3 {
        for i in 0..RUNTIMES * WORKERS {
            let lock = prefixes.join(format!("prefix-{i}.lock"));
            std::fs::create_dir_all(&lock).unwrap();
            std::fs::write(lock.join("pid"), "4000000000").unwrap();
        }
        let runtimes: Vec<MsiexecRuntime> = (0..RUNTIMES)
            .map(|_| {
                MsiexecRuntime::new(MsiexecOptions {
                    root: root.clone(),
                    workers: WORKERS,
                    mode: Mode::Agent,
                    ..MsiexecOptions::default()
                })
                .unwrap_or_else(|e| panic!("{}", e.chain()))
            })
            .collect();
        let start = std::sync::Barrier::new(RUNTIMES);
        std::thread::scope(|s| {
            let warming: Vec<_> = runtimes
                .iter()
                .map(|rt| {
                    let start = &start;
                    s.spawn(move || {
                        start.wait();
                        rt.warm_up()
                    })
                })
                .collect();
            for w in warming {
                w.join()
                    .unwrap()
                    .unwrap_or_else(|e| panic!("round {round}: {}", e.chain()));
            }
        });
        // A plan of its own per worker, so that none is answered from a cache
        // and each can tell its session from another's.
        let jobs: Vec<(usize, String, Plan)> = (0..RUNTIMES * WORKERS)
            .map(|n| {
                let tag = format!("{round}-{n}");
                let mut fixture = Fixture::standard();
                fixture.properties.push(PropertyRow {
                    name: "Worker".into(),
                    value: tag.clone(),
                });
                let mut b = PlanBuilder::new(fixture);
                b.step(Context::ImmediateBeforeInit, None, get("ProductCode"));
                b.step(Context::ImmediateBeforeInit, None, get("Worker"));
                (n % RUNTIMES, tag, b.build())
            })
            .collect();
        let results: Vec<Result<Transcript, RuntimeError>> = std::thread::scope(|s| {
            let runs: Vec<_> = jobs
                .iter()
                .map(|(r, _, plan)| {
                    let rt = &runtimes[*r];
                    s.spawn(move || rt.execute(plan, Duration::from_secs(120)))
                })
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for ((_, tag, _), result) in jobs.iter().zip(results) {
            let t =
                result.unwrap_or_else(|e| panic!("round {round}, plan {tag}: {e}\n{}", e.stderr()));
            assert_eq!(
                event(&t, "ProbeImmediate", 0).outcome.value.as_deref(),
                Some(PRODUCT_CODE)
            );
            assert_eq!(
                event(&t, "ProbeImmediate", 1).outcome.value.as_deref(),
                Some(tag.as_str()),
                "round {round}: plan {tag} saw another plan's session"
            );
            assert_eq!(t.install_result, Some(0));
        }
        for rt in &runtimes {
            assert_eq!(
                rt.agent_starts(),
                WORKERS as u64,
                "round {round}: an agent was lost and replaced"
            );
            rt.shut_down();
        }
    }
}
