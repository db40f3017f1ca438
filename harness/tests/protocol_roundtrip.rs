//! The protocol round trip: `msiconf serve` driven through `cmd:` gives
//! exactly the transcripts of the model run in process, for the reference, for
//! both profiles, and for every broken runtime.

mod common;

use msiconf::runtime::{Runtime, RuntimeError};
use msiconf::runtimes::process::{ProcessOptions, ProcessRuntime};
use msiconf_spec::model::{self, Config, Deviation};
use msiconf_spec::{Context, OpKind, Plan, Profile};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(60);

fn serve(args: &str) -> Result<ProcessRuntime, RuntimeError> {
    let exe = env!("CARGO_BIN_EXE_msiconf");
    ProcessRuntime::from_spec(
        &format!("cmd:'{exe}' serve {args}"),
        ProcessOptions {
            handshake_timeout: Duration::from_secs(30),
            ..ProcessOptions::default()
        },
    )
}

fn plans() -> Vec<Plan> {
    let mut plans = common::every_call_in_every_context();
    plans.extend((0..4).map(|seed| common::mixed_plan(20, seed)));
    plans
}

fn assert_same(rt: &ProcessRuntime, config: &Config, plans: &[Plan]) {
    let mut events = 0;
    for (i, plan) in plans.iter().enumerate() {
        let over_the_wire = rt.execute(plan, TIMEOUT).expect("serve answers every plan");
        assert_eq!(
            over_the_wire,
            model::run(plan, config),
            "plan {i} under {config:?}"
        );
        events += over_the_wire.events.len();
    }
    // Equal empty transcripts would prove nothing.
    assert!(
        events >= plans.len(),
        "only {events} events in {} plans",
        plans.len()
    );
}

#[test]
fn serve_declares_everything_the_model_does() {
    let rt = serve("").unwrap();
    let info = rt.info();
    assert_eq!(info.contexts, Context::ALL.to_vec());
    assert_eq!(info.operations, OpKind::ALL.to_vec());
    assert_eq!(
        info.version,
        format!(
            "msiconf reference {} (profile windows)",
            env!("CARGO_PKG_VERSION")
        )
    );
    for plan in plans() {
        assert_eq!(info.unsupported_reason(&plan), None);
    }
}

#[test]
fn the_reference_over_the_wire_equals_the_model_in_both_profiles() {
    for profile in Profile::ALL {
        let rt = serve(&format!("--runtime reference --profile {profile}")).unwrap();
        let config = Config {
            profile,
            deviations: Vec::new(),
        };
        assert_same(&rt, &config, &plans());
    }
}

#[test]
fn every_broken_runtime_over_the_wire_equals_its_model() {
    let plans = plans();
    for &deviation in Deviation::ALL {
        let rt = serve(&format!("--runtime broken:{}", deviation.name())).unwrap();
        assert_eq!(
            rt.capabilities().name,
            format!("msiconf broken:{}", deviation.name())
        );
        let config = Config {
            profile: Profile::Windows,
            deviations: vec![deviation],
        };
        assert_same(&rt, &config, &plans);
    }
}

#[test]
fn pipelined_batches_equal_one_plan_at_a_time() {
    let rt = serve("").unwrap();
    let plans: Vec<Plan> = (0..40).map(|seed| common::mixed_plan(20, seed)).collect();
    let batch = rt.execute_many(&plans, TIMEOUT);
    let config = Config::default();
    for (plan, got) in plans.iter().zip(batch) {
        assert_eq!(got.expect("serve answers"), model::run(plan, &config));
    }
    assert_eq!(rt.processes_started(), 1);
}

#[test]
fn serve_rejects_an_unknown_runtime_before_the_handshake() {
    let err = serve("--runtime broken:no-such-deviation").unwrap_err();
    let RuntimeError::Setup { message } = err else {
        panic!("expected a setup error, got {err:?}");
    };
    assert!(
        message.contains("before answering the handshake"),
        "{message}"
    );
    assert!(
        message.contains("unknown runtime `broken:no-such-deviation`"),
        "{message}"
    );
}

#[test]
fn the_whole_suite_through_serve_reports_exactly_what_the_reference_reports() {
    // Statuses and findings, case by case, in both profiles: the process
    // boundary must add nothing and lose nothing (the suite's own verdicts on
    // the reference are not this test's business).
    let exe = env!("CARGO_BIN_EXE_msiconf");
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let dir = tempfile::tempdir().unwrap();
    for profile in Profile::ALL {
        let path = dir.path().join(format!("{profile}.json"));
        let output = std::process::Command::new(exe)
            .current_dir(root)
            .args(["run", "--profile", profile.name(), "--runtime", "reference"])
            .args([
                "--runtime",
                &format!("cmd:'{exe}' serve --profile {profile}"),
            ])
            .arg("--report")
            .arg(format!("json={}", path.display()))
            .output()
            .unwrap();
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "no report ({e}): {}",
                    String::from_utf8_lossy(&output.stderr)
                )
            }))
            .unwrap();
        let runs = report["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 2);
        let verdicts = |run: &serde_json::Value| -> Vec<(String, String, String)> {
            run["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["name"].as_str().unwrap().to_owned(),
                        c["status"].as_str().unwrap().to_owned(),
                        c["findings"].to_string(),
                    )
                })
                .collect()
        };
        let (local, remote) = (verdicts(&runs[0]), verdicts(&runs[1]));
        assert!(local.len() > 100, "only {} cases ran", local.len());
        assert_eq!(local, remote, "profile {profile}");
        assert_eq!(runs[1]["totals"]["errors"], 0);
    }
}
