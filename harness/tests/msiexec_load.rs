//! Under CPU load the real engine must give the same results as idle: every
//! result line carries its session's token, so a slow straggler of one
//! session cannot land in the next. `#[ignore]`d like the other Wine tests.

use msiconf::case::{load_dir, KnownRules};
use msiconf::runtimes::msiexec::{MsiexecOptions, MsiexecRuntime};
use msiconf_spec::{Plan, Transcript};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Two processes that spin until dropped.
struct Busy(Vec<Child>);

impl Busy {
    fn start(n: usize) -> Busy {
        Busy(
            (0..n)
                .map(|_| {
                    Command::new("sh")
                        .args(["-c", "while :; do :; done"])
                        .stdin(Stdio::null())
                        .spawn()
                        .expect("start a busy loop")
                })
                .collect(),
        )
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn run_all(rt: &MsiexecRuntime, plans: &[(String, Plan)]) -> Vec<(String, Transcript)> {
    std::thread::scope(|s| {
        let chunks: Vec<_> = plans.chunks(plans.len().div_ceil(2)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|(name, plan)| {
                            let t = rt
                                .execute_uncached(plan, Duration::from_secs(120))
                                .unwrap_or_else(|e| panic!("{name}: {e}\n{}", e.stderr()));
                            (name.clone(), t)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker panicked"))
            .collect()
    })
}

#[test]
#[ignore = "drives Wine's msiexec: run scripts/install-wine.sh, then add -- --ignored"]
fn a_loaded_machine_gives_the_same_transcripts_as_an_idle_one() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let suite = load_dir(&cases, &KnownRules::catalog()).expect("the cases load");
    // The JScript probes (whose lines once went astray under load), DLL
    // probes beside them, and the deferred snapshots.
    let plans: Vec<(String, Plan)> = suite
        .cases
        .iter()
        .filter(|c| {
            c.name.starts_with("automation/script")
                || c.name.starts_with("automation/session-property")
                || c.name.starts_with("deferred/snapshot")
        })
        .map(|c| (c.name.clone(), (*c.plan).clone()))
        .collect();
    assert!(plans.len() >= 20, "only {} plans selected", plans.len());
    let options = MsiexecOptions {
        workers: 2,
        ..MsiexecOptions::default()
    };
    let rt = MsiexecRuntime::new(options).unwrap_or_else(|e| panic!("{}", e.chain()));
    rt.warm_up().unwrap_or_else(|e| panic!("{}", e.chain()));
    let idle = run_all(&rt, &plans);
    let loaded = {
        let _busy = Busy::start(2);
        run_all(&rt, &plans)
    };
    let differing: Vec<&str> = idle
        .iter()
        .zip(&loaded)
        .filter(|((_, a), (_, b))| a != b)
        .map(|((name, _), _)| name.as_str())
        .collect();
    assert!(
        differing.is_empty(),
        "{} of {} cases differ under load: {differing:?}",
        differing.len(),
        plans.len()
    );
    // The comparison saw real sessions: every plan ran at least one probe.
    assert!(idle.iter().all(|(_, t)| !t.runs.is_empty()));
}
