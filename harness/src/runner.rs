//! Runs cases on runtimes: in parallel, each case guarded by a timeout, a
//! runtime that panics or hangs turned into an error outcome for that case.
//! The timeout covers checking the transcript too: checking runs on the same
//! guard thread, and a check still busy at the deadline is an error as well.
//!
//! The runner emits events to a [`Reporter`] (progress bar, plain lines) and
//! returns one [`Run`] per (runtime, profile); renderers read those.

use crate::case::Case;
use crate::check::check_case_with;
use crate::report::model::{CaseError, CaseResult, Finding, Run, Status, Totals};
use crate::runtime::{Runtime, RuntimeError, RuntimeInfo};
use msiconf_spec::{Plan, Profile, Rule, Transcript};
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

/// How long past the timeout the guard waits for a runtime's own timeout report.
const TIMEOUT_GRACE: Duration = Duration::from_millis(500);

/// The name of the threads that execute a plan; the panic hook recognises them.
const GUARD_THREAD: &str = "msiconf-case";

/// One runtime under one profile.
#[derive(Clone)]
pub struct RunSpec {
    /// The runtime, shared with the guard threads.
    pub runtime: Arc<dyn Runtime>,
    /// The profile the transcripts are checked against.
    pub profile: Profile,
}

impl std::fmt::Debug for RunSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunSpec")
            .field("runtime", &self.runtime.info().name)
            .field("profile", &self.profile)
            .finish()
    }
}

/// How cases are run and checked.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Cases run at once.
    pub jobs: usize,
    /// How long one case may take before it is an error.
    pub timeout: Duration,
    /// The rules whose predicates every transcript is checked against
    /// (the whole catalog, unless a test wants the runner alone).
    pub rules: &'static [Rule],
    /// Keep each case's plan and transcript in its result, for `--transcripts`
    /// and `msiconf recheck`.
    pub keep_transcripts: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            jobs: default_jobs(),
            timeout: Duration::from_secs(10),
            rules: msiconf_spec::rules::catalog(),
            keep_transcripts: false,
        }
    }
}

/// The number of cores, the default for `--jobs`.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Receives the runner's events. Called from worker threads.
pub trait Reporter: Sync {
    /// A run of `total` cases on `runtime` under `profile` begins.
    fn run_started(&self, _runtime: &RuntimeInfo, _profile: Profile, _total: usize) {}
    /// A case finished.
    fn case_finished(&self, _runtime: &RuntimeInfo, _profile: Profile, _result: &CaseResult) {}
    /// The run finished.
    fn run_finished(&self, _run: &Run) {}
}

/// A reporter that reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Reporter for Silent {}

/// How often a wait for a runtime looks whether a stop was asked for.
const STOP_POLL: Duration = Duration::from_millis(50);

/// The process-wide stop request. `msiconf run` sets it from its Ctrl-C
/// and SIGTERM handlers; [`request_stop`] sets it from code.
pub fn stop_flag() -> &'static Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| Arc::new(AtomicBool::new(false)))
}

/// Asks every run in progress to stop: no new case starts, and the cases in
/// flight are abandoned (left out of the results), so a partial report can
/// be written at once.
pub fn request_stop() {
    stop_flag().store(true, Ordering::SeqCst);
}

/// Whether a stop was asked for.
pub fn stop_requested() -> bool {
    stop_flag().load(Ordering::SeqCst)
}

/// Runs every case on every (runtime, profile), one run after the other, the
/// cases of a run in parallel. Results keep the order of `cases`. After a
/// stop request no further run starts: the runs returned are those begun.
pub fn run_all(
    cases: &[Arc<Case>],
    specs: &[RunSpec],
    options: &RunOptions,
    reporter: &dyn Reporter,
) -> Vec<Run> {
    let mut runs = Vec::with_capacity(specs.len());
    for spec in specs {
        if stop_requested() {
            break;
        }
        runs.push(run_one(cases, spec, options, reporter));
    }
    runs
}

/// Runs every case on one runtime under one profile.
pub fn run_one(
    cases: &[Arc<Case>],
    spec: &RunSpec,
    options: &RunOptions,
    reporter: &dyn Reporter,
) -> Run {
    let started = Instant::now();
    let info = spec.runtime.info();
    reporter.run_started(&info, spec.profile, cases.len());
    let slots: Vec<Mutex<Option<CaseResult>>> = cases.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let jobs = options.jobs.clamp(1, cases.len().max(1));
    let order = costliest_first(cases.iter().map(|c| spec.runtime.cost_hint(&c.plan)));
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                if stop_requested() {
                    break;
                }
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = order.get(n) else { break };
                let case = &cases[i];
                let result = run_case(case, &spec.runtime, &info, spec.profile, options);
                // An error that ends after a stop request is most likely the
                // stop itself (the wait was abandoned): the case did not finish.
                if result.status == Status::Error && stop_requested() {
                    break;
                }
                reporter.case_finished(&info, spec.profile, &result);
                *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            });
        }
    });
    let results: Vec<CaseResult> = slots
        .into_iter()
        .filter_map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect();
    let run = Run {
        runtime: info,
        profile: spec.profile,
        totals: totals(&results),
        cases: results,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        expectation_problems: Vec::new(),
    };
    reporter.run_finished(&run);
    run
}

/// The order to start plans in: the costliest first (by the runtime's
/// [`Runtime::cost_hint`]), the rest in their own order. Results keep the
/// cases' order whatever order they ran in.
pub fn costliest_first(costs: impl Iterator<Item = u32>) -> Vec<usize> {
    let mut order: Vec<(usize, u32)> = costs.enumerate().collect();
    order.sort_by_key(|&(i, cost)| (std::cmp::Reverse(cost), i));
    order.into_iter().map(|(i, _)| i).collect()
}

/// Counts the outcomes of `cases`.
pub fn totals(cases: &[CaseResult]) -> Totals {
    let mut t = Totals::default();
    for c in cases {
        match c.status {
            Status::Pass => t.passed += 1,
            Status::Fail => t.failed += 1,
            Status::Error => t.errors += 1,
            Status::Skip => t.skipped += 1,
        }
        if c.status == Status::Fail && c.expected_failure.is_some() {
            t.expected_failures += 1;
        }
        if c.status == Status::Pass && c.flaky.is_some() {
            t.flaky += 1;
        }
    }
    t
}

/// Runs one case: skip when the profile or the runtime's capabilities rule it
/// out, otherwise execute it under the guard and check the transcript.
pub fn run_case(
    case: &Arc<Case>,
    runtime: &Arc<dyn Runtime>,
    info: &RuntimeInfo,
    profile: Profile,
    options: &RunOptions,
) -> CaseResult {
    let started = Instant::now();
    let mut result = CaseResult {
        name: case.name.clone(),
        area: case.area.clone(),
        description: case.description.clone(),
        rules: case.rules.clone(),
        status: Status::Pass,
        findings: Vec::new(),
        error: None,
        skip_reason: None,
        expected_failure: None,
        flaky: None,
        plan: None,
        transcript: None,
        transcript_reused_from: None,
        duration_us: 0,
    };
    let skip = if !case.applies_in(profile) {
        let names: Vec<&str> = case.profiles.iter().map(|p| p.name()).collect();
        Some(format!(
            "the case applies only in profile {}",
            names.join(", ")
        ))
    } else {
        info.unsupported_reason(&case.plan)
    };
    if let Some(reason) = skip {
        result.status = Status::Skip;
        result.skip_reason = Some(reason);
        return result;
    }
    let check: CheckFn = {
        let case = Arc::clone(case);
        let rules = options.rules;
        Box::new(move |t: &Transcript| check_case_with(&case, profile, t, rules))
    };
    match guarded(runtime, &case.plan, options.timeout, Some(check)) {
        Ok(Reply::Checked(findings, transcript)) => {
            result.findings = findings;
            result.transcript_reused_from = runtime.transcript_reused_from(&case.plan, profile);
            if !result.findings.is_empty() {
                result.status = Status::Fail;
            }
            if options.keep_transcripts {
                result.plan = Some(Plan::clone(&case.plan));
                result.transcript = Some(transcript);
            }
        }
        Ok(Reply::Executed(_)) => unreachable!("a checked job replies with findings"),
        Err(Stopped::Runtime(RuntimeError::Unsupported { reason })) => {
            result.status = Status::Skip;
            result.skip_reason = Some(reason);
        }
        Err(Stopped::Runtime(e)) => {
            result.status = Status::Error;
            result.error = Some(CaseError {
                message: e.to_string(),
                output: e.stderr().to_owned(),
            });
        }
        Err(Stopped::CheckTimedOut) => {
            result.status = Status::Error;
            result.error = Some(CaseError {
                message: format!(
                    "checking the transcript of case `{}` did not finish within the time limit ({:?})",
                    case.name, options.timeout
                ),
                output: String::new(),
            });
        }
        Err(Stopped::CheckPanicked { message, output }) => {
            result.status = Status::Error;
            result.error = Some(CaseError {
                message: format!(
                    "checking the transcript of case `{}` panicked: {message}",
                    case.name
                ),
                output,
            });
        }
    }
    result.duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    result
}

/// Executes `plan` on a guard thread and waits at most `timeout` (plus a short grace).
///
/// A panic becomes [`RuntimeError::Crashed`] with the panic message and
/// location as the output; a runtime still busy shortly after the timeout becomes
/// [`RuntimeError::Timeout`], and its thread is abandoned (an in-process
/// runtime cannot be stopped from outside; its thread ends with the process).
///
/// Guard threads are kept and reused: a fresh thread per case costs more than
/// running the model (thread start-up and a cold allocator arena), so a guard
/// whose job finished goes back to an idle pool, and only a guard that timed
/// out is given up.
pub fn execute_guarded(
    runtime: &Arc<dyn Runtime>,
    plan: &Arc<Plan>,
    timeout: Duration,
) -> Result<Transcript, RuntimeError> {
    match guarded(runtime, plan, timeout, None) {
        Ok(Reply::Executed(t)) => Ok(t),
        Ok(Reply::Checked(..)) => unreachable!("an unchecked job replies with its transcript"),
        Err(Stopped::Runtime(e)) => Err(e),
        Err(Stopped::CheckTimedOut | Stopped::CheckPanicked { .. }) => {
            unreachable!("an unchecked job does no checking")
        }
    }
}

/// What checks a transcript on the guard thread, once the runtime gave one.
type CheckFn = Box<dyn FnOnce(&Transcript) -> Vec<Finding> + Send>;

/// What a guard thread sends back.
enum Reply {
    /// The transcript, for a job without a check.
    Executed(Transcript),
    /// The findings, and the transcript they judge, for a job with a check.
    Checked(Vec<Finding>, Transcript),
}

/// Why a guarded job gave no [`Reply`].
enum Stopped {
    /// The runtime failed, crashed or ran out of time.
    Runtime(RuntimeError),
    /// The runtime gave a transcript, but checking it outlasted the time limit.
    CheckTimedOut,
    /// Checking the transcript panicked.
    CheckPanicked { message: String, output: String },
}

/// What a guard thread reports as its job goes.
enum Progress {
    /// The runtime's result, when it failed or the job has no check.
    Executed(Result<Transcript, RuntimeError>),
    /// The runtime gave a transcript, and checking it has started.
    Checking,
    /// The check's findings, or the panic that ended it (message, output).
    Checked(Result<Vec<Finding>, (String, String)>, Transcript),
}

/// Executes `plan`, then runs `check` on its transcript if given, on a guard
/// thread; waits until `timeout` (plus a short grace) after the start for both.
fn guarded(
    runtime: &Arc<dyn Runtime>,
    plan: &Arc<Plan>,
    timeout: Duration,
    check: Option<CheckFn>,
) -> Result<Reply, Stopped> {
    install_panic_hook();
    let deadline = Instant::now() + timeout + TIMEOUT_GRACE;
    let guard = match Guard::take() {
        Ok(g) => g,
        Err(e) => {
            return Err(Stopped::Runtime(RuntimeError::Setup {
                message: format!("failed to start a thread for the case: {e}"),
            }))
        }
    };
    // Room for every message of a job, so a guard never waits on a reader that left.
    let (reply, replies) = mpsc::sync_channel(2);
    let job = Job {
        runtime: Arc::clone(runtime),
        plan: Arc::clone(plan),
        timeout,
        check,
        reply,
    };
    if guard.jobs.send(job).is_err() {
        return Err(Stopped::Runtime(RuntimeError::Crashed {
            message: "the runtime's guard thread is gone".to_owned(),
            stderr: String::new(),
        }));
    }
    let gone = || {
        Stopped::Runtime(RuntimeError::Crashed {
            message: "the runtime's thread ended without a result".to_owned(),
            stderr: String::new(),
        })
    };
    // A runtime that enforces the timeout itself gets a moment to say so,
    // with what its process printed, before the guard gives up on it. Each
    // wait is sliced so that a stop request (Ctrl-C) abandons it promptly.
    // Dropping the guard (on any early return) closes its job queue: the
    // thread exits once the runtime or the check returns, if it ever does.
    // Only a guard that answered in time goes back to the idle pool.
    let next = || -> Result<Progress, Wait> {
        loop {
            let slice = deadline
                .saturating_duration_since(Instant::now())
                .min(STOP_POLL);
            match replies.recv_timeout(slice) {
                Ok(p) => return Ok(p),
                Err(mpsc::RecvTimeoutError::Timeout) if stop_requested() => {
                    return Err(Wait::Interrupted)
                }
                Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
                Err(mpsc::RecvTimeoutError::Timeout) => return Err(Wait::TimedOut),
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(Wait::Gone),
            }
        }
    };
    let interrupted = || {
        Stopped::Runtime(RuntimeError::Failed {
            message: "abandoned: the run was interrupted".to_owned(),
            stderr: String::new(),
        })
    };
    let outcome = match next() {
        Ok(Progress::Executed(Ok(t))) => Ok(Reply::Executed(t)),
        Ok(Progress::Executed(Err(e))) => Err(Stopped::Runtime(e)),
        Ok(Progress::Checked(..)) | Err(Wait::Gone) => return Err(gone()),
        Err(Wait::Interrupted) => return Err(interrupted()),
        Err(Wait::TimedOut) => {
            return Err(Stopped::Runtime(RuntimeError::Timeout {
                seconds: timeout.as_secs_f64(),
                stderr: String::new(),
            }))
        }
        Ok(Progress::Checking) => match next() {
            Ok(Progress::Checked(Ok(findings), t)) => Ok(Reply::Checked(findings, t)),
            Ok(Progress::Checked(Err((message, output)), _)) => {
                Err(Stopped::CheckPanicked { message, output })
            }
            Ok(_) | Err(Wait::Gone) => return Err(gone()),
            Err(Wait::Interrupted) => return Err(interrupted()),
            Err(Wait::TimedOut) => return Err(Stopped::CheckTimedOut),
        },
    };
    guard.put_back();
    outcome
}

/// Why waiting for a guard thread's next message ended without one.
enum Wait {
    TimedOut,
    Interrupted,
    Gone,
}

/// One plan for a guard thread to execute.
struct Job {
    runtime: Arc<dyn Runtime>,
    plan: Arc<Plan>,
    timeout: Duration,
    check: Option<CheckFn>,
    reply: mpsc::SyncSender<Progress>,
}

/// The job queue of one guard thread.
struct Guard {
    jobs: mpsc::Sender<Job>,
}

/// Guard threads waiting for a job.
static IDLE_GUARDS: Mutex<Vec<Guard>> = Mutex::new(Vec::new());

impl Guard {
    /// An idle guard, or a new one.
    fn take() -> std::io::Result<Guard> {
        if let Some(g) = IDLE_GUARDS.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            return Ok(g);
        }
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name(GUARD_THREAD.to_owned())
            .spawn(move || {
                // The receiver is gone after a timeout; nobody needs the result then.
                for job in queue {
                    let outcome = catch_panic(|| job.runtime.execute(&job.plan, job.timeout));
                    let outcome = outcome.unwrap_or_else(|(message, stderr)| {
                        Err(RuntimeError::Crashed {
                            message: format!("runtime panicked: {message}"),
                            stderr,
                        })
                    });
                    match (outcome, job.check) {
                        (Ok(transcript), Some(check)) => {
                            if job.reply.send(Progress::Checking).is_ok() {
                                let findings = catch_panic(|| check(&transcript));
                                let _ = job.reply.send(Progress::Checked(findings, transcript));
                            }
                        }
                        (outcome, _) => {
                            let _ = job.reply.send(Progress::Executed(outcome));
                        }
                    }
                }
            })?;
        Ok(Guard { jobs })
    }

    /// Returns a guard whose job is done to the idle pool.
    fn put_back(self) {
        IDLE_GUARDS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(self);
    }
}

/// Runs `f`, turning a panic into its message and what the panic hook printed.
fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, (String, String)> {
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    let printed = PANIC_OUTPUT.with(|p| std::mem::take(&mut *p.borrow_mut()));
    outcome.map_err(|payload| (panic_message(&*payload), printed))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

thread_local! {
    /// What the panic hook would have printed, on guard threads.
    static PANIC_OUTPUT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Keeps panics on guard threads off the terminal and in the case's report;
/// panics anywhere else go to the hook that was there before.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some(GUARD_THREAD) {
                let location = info
                    .location()
                    .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
                    .unwrap_or_default();
                let text = format!(
                    "thread '{GUARD_THREAD}' panicked{location}:\n{}\n",
                    panic_message(info.payload())
                );
                PANIC_OUTPUT.with(|p| p.borrow_mut().push_str(&text));
            } else {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{parse_case, KnownRules};
    use crate::runtimes::stepwise_toy::Toy;
    use crate::runtimes::Stepwise;
    use std::path::Path;

    fn case(name: &str, body: &str) -> Arc<Case> {
        let text = format!("description = \"{name}\"\nrules = [\"R-ONE\"]\n{body}");
        Arc::new(
            parse_case(
                name,
                Path::new("x.toml"),
                &text,
                &KnownRules::from_ids(["R-ONE"]),
            )
            .unwrap(),
        )
    }

    fn get_step(context: &str, name: &str, value: &str) -> String {
        format!(
            "[[steps]]\ncontext = \"{context}\"\ncall = {{ get-property = {{ name = \"{name}\" }} }}\nexpect = {{ rc = 0, value = \"{value}\" }}\n"
        )
    }

    /// The runner alone: no catalog predicates, which the toy runtime would break.
    fn options(jobs: usize, timeout: Duration) -> RunOptions {
        RunOptions {
            jobs,
            timeout,
            rules: &[],
            keep_transcripts: false,
        }
    }

    fn toy(t: Toy) -> Arc<dyn Runtime> {
        Arc::new(Stepwise(t))
    }

    fn run(cases: &[Arc<Case>], rt: Arc<dyn Runtime>, timeout: Duration) -> Run {
        let spec = RunSpec {
            runtime: rt,
            profile: Profile::Windows,
        };
        run_one(cases, &spec, &options(2, timeout), &Silent)
    }

    #[test]
    fn four_outcomes_from_one_run() {
        let cases = vec![
            case("a/pass", &get_step("deferred", "ProductLanguage", "1033")),
            case("a/fail", &get_step("deferred", "productlanguage", "")),
            case("a/skip", &get_step("commit", "ProductLanguage", "1033")),
            case("a/panic", &get_step("deferred", "Boom", "")),
            case(
                "a/documented-only",
                &format!(
                    "profiles = [\"documented\"]\n{}",
                    get_step("deferred", "X", "")
                ),
            ),
        ];
        let rt = toy(Toy {
            fold_case: true,
            panic_on: Some("Boom".into()),
            ..Toy::default()
        });
        let run = run(&cases, rt, Duration::from_secs(5));
        let statuses: Vec<_> = run
            .cases
            .iter()
            .map(|c| (c.name.as_str(), c.status))
            .collect();
        assert_eq!(
            statuses,
            [
                ("a/pass", Status::Pass),
                ("a/fail", Status::Fail),
                ("a/skip", Status::Skip),
                ("a/panic", Status::Error),
                ("a/documented-only", Status::Skip),
            ]
        );
        let fail = &run.cases[1];
        assert_eq!(fail.findings[0].rule, "R-ONE");
        assert_eq!(fail.findings[0].observed, "rc=0 value=\"1033\" size=4");
        assert!(run.cases[2]
            .skip_reason
            .as_ref()
            .unwrap()
            .contains("context `commit`"));
        let err = run.cases[3].error.as_ref().unwrap();
        assert_eq!(
            err.message,
            "runtime crashed: runtime panicked: toy panics on Boom"
        );
        assert!(err.output.contains("toy panics on Boom"), "{err:?}");
        assert!(err.output.contains("stepwise.rs"), "{err:?}");
        assert!(run.cases[4]
            .skip_reason
            .as_ref()
            .unwrap()
            .contains("documented"));
        assert_eq!(
            run.totals,
            Totals {
                passed: 1,
                failed: 1,
                errors: 1,
                skipped: 2,
                expected_failures: 0,
                flaky: 0,
            }
        );
    }

    #[test]
    fn a_hung_runtime_is_an_error_and_the_run_goes_on() {
        let cases = vec![
            case("h/hang", &get_step("deferred", "Slow", "")),
            case("h/after", &get_step("deferred", "ProductLanguage", "1033")),
        ];
        let rt = toy(Toy {
            hang_on: Some(("Slow".into(), Duration::from_secs(30))),
            ..Toy::default()
        });
        let spec = RunSpec {
            runtime: rt,
            profile: Profile::Windows,
        };
        let run = run_one(
            &cases,
            &spec,
            &options(1, Duration::from_millis(200)),
            &Silent,
        );
        assert_eq!(run.cases[0].status, Status::Error);
        assert!(run.cases[0]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("timed out"));
        assert_eq!(run.cases[1].status, Status::Pass);
    }

    #[test]
    fn a_guard_outlives_a_panic_and_keeps_nothing_of_it() {
        let cases = vec![
            case("g/panic", &get_step("deferred", "Boom", "")),
            case("g/after", &get_step("deferred", "ProductLanguage", "1033")),
            case("g/panic-again", &get_step("deferred", "Boom", "")),
        ];
        let rt = toy(Toy {
            panic_on: Some("Boom".into()),
            ..Toy::default()
        });
        let spec = RunSpec {
            runtime: rt,
            profile: Profile::Windows,
        };
        let run = run_one(&cases, &spec, &options(1, Duration::from_secs(5)), &Silent);
        let statuses: Vec<_> = run.cases.iter().map(|c| c.status).collect();
        assert_eq!(statuses, [Status::Error, Status::Pass, Status::Error]);
        // Each panic reports its own output once, not the one before it too.
        let output = &run.cases[2].error.as_ref().unwrap().output;
        assert_eq!(output.matches("toy panics on Boom").count(), 1, "{output}");
    }

    #[test]
    fn the_costliest_plans_start_first_and_the_rest_keep_their_order() {
        assert_eq!(
            costliest_first([0, 2, 0, 1, 2, 0].into_iter()),
            [1, 4, 3, 0, 2, 5]
        );
        assert_eq!(costliest_first([0, 0, 0].into_iter()), [0, 1, 2]);
    }

    #[test]
    fn results_keep_case_order_whatever_the_jobs() {
        let cases: Vec<_> = (0..20)
            .map(|i| {
                case(
                    &format!("o/{i:02}"),
                    &get_step("deferred", "ProductLanguage", "1033"),
                )
            })
            .collect();
        for jobs in [1, 3, 64] {
            let spec = RunSpec {
                runtime: toy(Toy::default()),
                profile: Profile::Windows,
            };
            let run = run_one(
                &cases,
                &spec,
                &options(jobs, Duration::from_secs(5)),
                &Silent,
            );
            let names: Vec<_> = run.cases.iter().map(|c| c.name.clone()).collect();
            let want: Vec<_> = cases.iter().map(|c| c.name.clone()).collect();
            assert_eq!(names, want);
            assert_eq!(run.totals.passed, 20);
        }
    }

    #[test]
    fn runtime_errors_map_to_error_and_unsupported_to_skip() {
        #[derive(Debug)]
        struct Refuses(RuntimeError);
        impl Runtime for Refuses {
            fn info(&self) -> RuntimeInfo {
                Stepwise(Toy::default()).info()
            }
            fn execute(&self, _: &Plan, _: Duration) -> Result<Transcript, RuntimeError> {
                Err(self.0.clone())
            }
        }
        let cases = vec![case("e/x", &get_step("deferred", "A", ""))];
        let unsupported = Arc::new(Refuses(RuntimeError::Unsupported {
            reason: "not today".into(),
        }));
        let r = run(&cases, unsupported, Duration::from_secs(5));
        assert_eq!(r.cases[0].status, Status::Skip);
        assert_eq!(r.cases[0].skip_reason.as_deref(), Some("not today"));
        let failed = Arc::new(Refuses(RuntimeError::Failed {
            message: "boom".into(),
            stderr: "it printed this".into(),
        }));
        let r = run(&cases, failed, Duration::from_secs(5));
        assert_eq!(r.cases[0].status, Status::Error);
        let err = r.cases[0].error.as_ref().unwrap();
        assert_eq!(err.message, "runtime failed: boom");
        assert_eq!(err.output, "it printed this");
    }

    #[test]
    fn a_check_that_outlasts_the_timeout_is_an_error_and_the_run_goes_on() {
        use crate::runtimes::ModelRuntime;
        use msiconf_spec::{Check, Family, Level, OpKind, Plan, Rule, Subject, Violation};

        /// A predicate that takes far longer than the time limit and its grace
        /// on one case (the one with a package step), and no time on the others.
        fn slow(plan: &Plan, _: &Transcript, _: Profile, _: &mut Vec<Violation>) {
            if plan.package.is_some() {
                std::thread::sleep(TIMEOUT_GRACE * 8);
            }
        }
        static SLOW: [Rule; 1] = [Rule {
            id: "SLOW",
            title: "t",
            statement: "s",
            sources: &[],
            contexts: &[],
            family: Family::Session,
            subject: Subject::calls(&[OpKind::GetProperty]),
            level: Level::Must,
            disagreement: None,
            check: Check::Predicate(slow),
        }];
        let cases = vec![
            case("t/huge", &get_step("package", "NeverSet", "")),
            case("t/after", &get_step("deferred", "NeverSet", "")),
        ];
        let spec = RunSpec {
            runtime: Arc::new(ModelRuntime::reference(Profile::Windows)),
            profile: Profile::Windows,
        };
        let options = RunOptions {
            jobs: 1,
            timeout: Duration::from_millis(1),
            rules: &SLOW,
            ..RunOptions::default()
        };
        let run = run_one(&cases, &spec, &options, &Silent);
        assert_eq!(run.cases[0].status, Status::Error, "{:?}", run.cases[0]);
        let err = run.cases[0].error.as_ref().unwrap();
        assert_eq!(
            err.message,
            "checking the transcript of case `t/huge` did not finish within the time limit (1ms)"
        );
        assert_eq!(run.cases[1].status, Status::Pass, "{:?}", run.cases[1]);
    }

    #[test]
    fn a_transcript_kept_from_another_profile_is_reported_as_reused() {
        use crate::runtimes::ModelRuntime;

        /// The reference model, saying it kept every transcript from the
        /// run under `documented`, as msiexec does for its second profile.
        struct Keeps;
        impl Runtime for Keeps {
            fn info(&self) -> RuntimeInfo {
                ModelRuntime::reference(Profile::Windows).info()
            }
            fn execute(&self, plan: &Plan, timeout: Duration) -> Result<Transcript, RuntimeError> {
                ModelRuntime::reference(Profile::Windows).execute(plan, timeout)
            }
            fn transcript_reused_from(&self, _: &Plan, profile: Profile) -> Option<Profile> {
                (profile == Profile::Windows).then_some(Profile::Documented)
            }
        }
        let cases = vec![case("t/a", &get_step("deferred", "NeverSet", ""))];
        let run_under = |profile| {
            let spec = RunSpec {
                runtime: Arc::new(Keeps),
                profile,
            };
            run_one(&cases, &spec, &options(1, Duration::from_secs(10)), &Silent)
        };
        let windows = run_under(Profile::Windows);
        assert_eq!(
            windows.cases[0].transcript_reused_from,
            Some(Profile::Documented),
            "{:?}",
            windows.cases[0]
        );
        assert_eq!(windows.reused_transcripts(), (1, vec![Profile::Documented]));
        let documented = run_under(Profile::Documented);
        assert_eq!(documented.cases[0].transcript_reused_from, None);
        assert_eq!(documented.reused_transcripts(), (0, vec![]));
    }
}
