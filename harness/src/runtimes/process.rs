//! The `cmd:PROGRAM [ARGS]` runtime: any program that speaks the process protocol.
//!
//! The runtime keeps a pool of long-lived processes, one per thread that is
//! executing a plan at the moment, so the runner's worker threads never share
//! a process and a process is started once, not once per case. Each process has
//! three threads of its own: one writes requests (so a process that stops
//! reading cannot block the harness), one reads stdout lines into a channel (so
//! answers are waited for with a deadline), and one drains stderr into a
//! bounded tail (so a chatty program never blocks on a full pipe). A process
//! that crashes, hangs or breaks the protocol is killed and replaced on the
//! next plan; the plan it was running becomes an error carrying its stderr tail.

use crate::protocol::{
    encode_line, read_frame, show_line, validate_transcript, Capabilities, ErrorKind, Frame,
    Request, Response, RunRequestRef, MAX_LINE_BYTES, PROTOCOL_VERSION,
};
use crate::runtime::{Runtime, RuntimeError, RuntimeInfo};
use msiconf_spec::{Plan, Transcript};
use std::collections::VecDeque;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The prefix of a process runtime's name on the command line.
pub const CMD_PREFIX: &str = "cmd:";

/// How a [`ProcessRuntime`] treats its processes.
#[derive(Debug, Clone)]
pub struct ProcessOptions {
    /// How long a new process may take to answer `hello`.
    pub handshake_timeout: Duration,
    /// How many bytes of a process's stderr are kept for error reports.
    pub stderr_tail_bytes: usize,
    /// How many requests [`ProcessRuntime::execute_many`] keeps in flight on one process.
    pub pipeline_depth: usize,
    /// `--trace DIR`: write each plan's request line and the line that
    /// answered it to `DIR/runtime-N-plan-ID.jsonl` (N counts the runtimes
    /// started by this msiconf; `DIR/runtime-N.name` says which one it is).
    pub trace: Option<PathBuf>,
}

impl Default for ProcessOptions {
    fn default() -> ProcessOptions {
        ProcessOptions {
            handshake_timeout: Duration::from_secs(10),
            stderr_tail_bytes: 64 << 10,
            pipeline_depth: 16,
            trace: None,
        }
    }
}

/// A runtime in another process, driven over the protocol of `docs/protocol.md`.
#[derive(Debug)]
pub struct ProcessRuntime {
    name: String,
    program: String,
    args: Vec<String>,
    options: ProcessOptions,
    capabilities: Capabilities,
    idle: Mutex<Vec<Worker>>,
    next_id: AtomicU64,
    started: AtomicUsize,
    /// With `--trace`: the file name prefix of this runtime's plans.
    trace: Option<PathBuf>,
}

/// How many process runtimes this msiconf has made, for trace file names.
static RUNTIMES_MADE: AtomicUsize = AtomicUsize::new(0);

impl ProcessRuntime {
    /// Builds the runtime a `cmd:PROGRAM [ARGS]` name describes, and starts
    /// its first process to learn its capabilities. Words may be quoted with
    /// `'` or `"`, and `\` escapes the next character outside single quotes.
    pub fn from_spec(spec: &str, options: ProcessOptions) -> Result<ProcessRuntime, RuntimeError> {
        let rest = spec
            .strip_prefix(CMD_PREFIX)
            .ok_or_else(|| RuntimeError::Setup {
                message: format!("runtime `{spec}` is not of the form `cmd:PROGRAM [ARGS]`"),
            })?;
        let mut words = split_words(rest).map_err(|e| RuntimeError::Setup {
            message: format!("runtime `{spec}`: {e}"),
        })?;
        if words.is_empty() {
            return Err(RuntimeError::Setup {
                message: format!("runtime `{spec}` names no program"),
            });
        }
        let program = words.remove(0);
        ProcessRuntime::new(spec.to_owned(), program, words, options)
    }

    /// Starts a runtime that runs `program` with `args`, reported under `name`.
    pub fn new(
        name: String,
        program: String,
        args: Vec<String>,
        options: ProcessOptions,
    ) -> Result<ProcessRuntime, RuntimeError> {
        let trace = match &options.trace {
            Some(dir) => {
                let n = RUNTIMES_MADE.fetch_add(1, Ordering::Relaxed) + 1;
                let named = dir.join(format!("runtime-{n}.name"));
                std::fs::create_dir_all(dir)
                    .and_then(|()| std::fs::write(&named, format!("{name}\n")))
                    .map_err(|e| RuntimeError::Setup {
                        message: format!("cannot write the trace file `{}`: {e}", named.display()),
                    })?;
                Some(dir.join(format!("runtime-{n}")))
            }
            None => None,
        };
        let mut rt = ProcessRuntime {
            trace,
            name,
            program,
            args,
            options,
            capabilities: Capabilities {
                name: String::new(),
                version: String::new(),
                contexts: Vec::new(),
                operations: Vec::new(),
            },
            idle: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            started: AtomicUsize::new(0),
        };
        let (worker, caps) = rt.spawn()?;
        rt.capabilities = caps;
        rt.idle.get_mut().expect("fresh mutex").push(worker);
        Ok(rt)
    }

    /// What the program declared in its handshake.
    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// How many processes this runtime has started so far (restarts included).
    pub fn processes_started(&self) -> usize {
        self.started.load(Ordering::Relaxed)
    }

    /// Runs several plans on one process, keeping up to
    /// [`ProcessOptions::pipeline_depth`] requests in flight so the process never
    /// waits for the harness between plans. Each plan gets the full `timeout`
    /// from the moment the answer to the previous one arrived. A process that
    /// fails is replaced and the remaining plans are sent again.
    pub fn execute_many(
        &self,
        plans: &[Plan],
        timeout: Duration,
    ) -> Vec<Result<Transcript, RuntimeError>> {
        let mut results = Vec::with_capacity(plans.len());
        let depth = self.options.pipeline_depth.max(1);
        let mut worker: Option<Worker> = None;
        let mut ids = Vec::with_capacity(plans.len());
        let mut sent = 0;
        while results.len() < plans.len() {
            let current = results.len();
            let w = match worker.as_mut() {
                Some(w) => w,
                None => match self.checkout() {
                    Ok(w) => {
                        // A fresh process has seen none of the requests.
                        sent = current;
                        ids.truncate(current);
                        worker.insert(w)
                    }
                    Err(e) => {
                        results.push(Err(e));
                        continue;
                    }
                },
            };
            while sent < plans.len() && sent - current < depth {
                let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                ids.push(id);
                w.send(encode_line(&RunRequestRef::new(id, &plans[sent])));
                sent += 1;
            }
            let (result, keep) = self.await_answer(w, ids[current], &plans[current], timeout);
            results.push(result);
            if !keep {
                worker = None;
            }
        }
        if let Some(w) = worker {
            self.checkin(w);
        }
        results
    }

    fn checkout(&self) -> Result<Worker, RuntimeError> {
        loop {
            let Some(mut w) = self.idle.lock().expect("pool lock").pop() else {
                break;
            };
            // A process that exited or spoke between plans is replaced before
            // the next plan is sent, so its failure is not blamed on that plan.
            if w.is_sound_while_idle() {
                return Ok(w);
            }
            w.finish();
        }
        self.spawn().map(|(w, _)| w)
    }

    fn checkin(&self, worker: Worker) {
        self.idle.lock().expect("pool lock").push(worker);
    }

    /// Starts a process and performs the handshake.
    fn spawn(&self) -> Result<(Worker, Capabilities), RuntimeError> {
        let mut worker = Worker::start(&self.program, &self.args, self.options.stderr_tail_bytes)
            .map_err(|e| RuntimeError::Setup {
            message: format!("cannot start runtime `{}`: {e}", self.name),
        })?;
        self.started.fetch_add(1, Ordering::Relaxed);
        worker.send(encode_line(&Request::Hello {
            protocol: PROTOCOL_VERSION,
            harness: Some(format!("msiconf {}", env!("CARGO_PKG_VERSION"))),
        }));
        let limit = self.options.handshake_timeout;
        let setup = |mut worker: Worker, what: String| {
            let stderr = worker.finish();
            RuntimeError::Setup {
                message: with_stderr(what, &stderr),
            }
        };
        let line = match worker.lines.recv_timeout(limit) {
            Ok(FromChild::Frame(Frame::Line(line))) => line,
            Ok(FromChild::Frame(Frame::TooLong(_))) => {
                let what = format!(
                    "runtime `{}` answered the handshake with a line longer than {MAX_LINE_BYTES} bytes",
                    self.name
                );
                return Err(setup(worker, what));
            }
            Ok(FromChild::Frame(Frame::Eof))
            | Ok(FromChild::ReadError(_))
            | Err(RecvTimeoutError::Disconnected) => {
                let status = worker.wait_exit();
                let what = format!(
                    "runtime `{}` exited ({}) before answering the handshake",
                    self.name,
                    describe_status(status)
                );
                return Err(setup(worker, what));
            }
            Err(RecvTimeoutError::Timeout) => {
                let what = format!(
                    "runtime `{}` did not answer the handshake within {:.1} s",
                    self.name,
                    limit.as_secs_f64()
                );
                return Err(setup(worker, what));
            }
        };
        let (parsed, unknown) = parse_handshake(&line);
        let what = match parsed {
            Ok(Response::Ready {
                protocol,
                name,
                version,
                contexts,
                operations,
            }) => {
                if protocol == PROTOCOL_VERSION {
                    if !unknown.is_empty() && self.started.load(Ordering::Relaxed) == 1 {
                        // Newer adapters may know more than this msiconf: no case asks
                        // for what it does not know, so it is said once and left out.
                        eprintln!(
                            "warning: runtime `{}` declares {} this msiconf does not know ({}); they are ignored",
                            self.name,
                            if unknown.len() == 1 { "a name" } else { "names" },
                            unknown.join(", ")
                        );
                    }
                    let caps = Capabilities {
                        name,
                        version,
                        contexts,
                        operations,
                    };
                    return Ok((worker, caps));
                }
                format!(
                    "runtime `{}` speaks protocol version {protocol}; this harness speaks {PROTOCOL_VERSION}",
                    self.name
                )
            }
            Ok(Response::Error { message, .. }) => {
                format!("runtime `{}` refused the handshake: {message}", self.name)
            }
            Ok(other) => format!(
                "runtime `{}` answered the handshake with `{}` instead of `ready`",
                self.name,
                other.type_name()
            ),
            Err(e) => format!(
                "runtime `{}` answered the handshake with {} ({e}): {}",
                self.name,
                if e.is_data() {
                    "a line that is not a valid message"
                } else {
                    "a line that is not valid JSON"
                },
                show_line(&line)
            ),
        };
        Err(setup(worker, what))
    }

    /// Waits for the answer to request `id`. The flag says whether the process
    /// can take further requests; when it is false the process is already gone.
    fn await_answer(
        &self,
        worker: &mut Worker,
        id: u64,
        plan: &Plan,
        timeout: Duration,
    ) -> (Result<Transcript, RuntimeError>, bool) {
        let frame = match worker.lines.recv_timeout(timeout) {
            Ok(FromChild::Frame(frame)) => frame,
            Ok(FromChild::ReadError(e)) => {
                let message = format!("cannot read from runtime `{}`: {e}", self.name);
                let stderr = worker.finish();
                return (Err(RuntimeError::Crashed { message, stderr }), false);
            }
            // The reader thread sends Eof before it ends; a closed channel means the same.
            Err(RecvTimeoutError::Disconnected) => Frame::Eof,
            Err(RecvTimeoutError::Timeout) => {
                let stderr = worker.finish();
                return (
                    Err(RuntimeError::Timeout {
                        seconds: timeout.as_secs_f64(),
                        stderr,
                    }),
                    false,
                );
            }
        };
        self.trace_plan(
            id,
            plan,
            match &frame {
                Frame::Line(line) => Some(line),
                Frame::TooLong(start) => Some(start),
                Frame::Eof => None,
            },
        );
        let line = match frame {
            Frame::Line(line) => line,
            Frame::TooLong(start) => {
                let message = format!(
                    "runtime `{}` sent a line longer than {MAX_LINE_BYTES} bytes while running plan {id}",
                    self.name
                );
                return self.protocol_error(worker, message, &start);
            }
            Frame::Eof => {
                let status = worker.wait_exit();
                let message = format!(
                    "runtime `{}` exited ({}) in the middle of plan {id}",
                    self.name,
                    describe_status(status)
                );
                let stderr = worker.finish();
                return (Err(RuntimeError::Crashed { message, stderr }), false);
            }
        };
        let response = match serde_json::from_slice::<Response>(&line) {
            Ok(r) => r,
            Err(e) => {
                let what = if e.is_data() {
                    "a line that is not a valid message"
                } else {
                    "a line that is not valid JSON"
                };
                let message = format!("runtime `{}` sent {what} ({e})", self.name);
                return self.protocol_error(worker, message, &line);
            }
        };
        if response.id() != Some(id) {
            let message = match response.id() {
                Some(other) => format!(
                    "runtime `{}` answered request {other} while request {id} was pending",
                    self.name
                ),
                None => format!(
                    "runtime `{}` sent `{}` without an id while request {id} was pending",
                    self.name,
                    response.type_name()
                ),
            };
            return self.protocol_error(worker, message, &line);
        }
        match response {
            Response::Transcript { transcript, .. } => match validate_transcript(plan, &transcript)
            {
                Ok(()) => (Ok(transcript), true),
                Err(mismatch) => {
                    let message = format!(
                        "runtime `{}` sent a transcript that does not match plan {id}: {mismatch}",
                        self.name
                    );
                    // The stream is still in step, so the process may stay.
                    let stderr = worker.stderr_tail();
                    (
                        Err(RuntimeError::Protocol {
                            message,
                            line: Some(show_line(&line)),
                            stderr,
                        }),
                        true,
                    )
                }
            },
            Response::Error { kind, message, .. } => {
                let err = match kind {
                    ErrorKind::Unsupported => RuntimeError::Unsupported { reason: message },
                    ErrorKind::Failed => RuntimeError::Failed {
                        message,
                        stderr: worker.stderr_tail(),
                    },
                    ErrorKind::BadRequest => RuntimeError::Protocol {
                        message: format!(
                            "runtime `{}` rejected plan {id} as a bad request: {message}",
                            self.name
                        ),
                        line: Some(show_line(&line)),
                        stderr: worker.stderr_tail(),
                    },
                };
                (Err(err), true)
            }
            Response::Ready { .. } => {
                let message = format!(
                    "runtime `{}` sent `ready` while plan {id} was pending",
                    self.name
                );
                self.protocol_error(worker, message, &line)
            }
        }
    }

    /// With `--trace`: writes the request for plan `id` and the line that
    /// answered it (none when the process died or hung) to its file. A trace
    /// is a debugging aid: a file that cannot be written is not the plan's error.
    fn trace_plan(&self, id: u64, plan: &Plan, answer: Option<&Vec<u8>>) {
        let Some(prefix) = &self.trace else {
            return;
        };
        let mut text = encode_line(&RunRequestRef::new(id, plan));
        if let Some(answer) = answer {
            text.extend_from_slice(answer);
            text.push(b'\n');
        }
        let mut path = prefix.clone().into_os_string();
        path.push(format!("-plan-{id:06}.jsonl"));
        let _ = std::fs::write(path, text);
    }

    /// Ends a process whose stream can no longer be trusted, reporting the line that broke it.
    fn protocol_error(
        &self,
        worker: &mut Worker,
        message: String,
        line: &[u8],
    ) -> (Result<Transcript, RuntimeError>, bool) {
        let stderr = worker.finish();
        (
            Err(RuntimeError::Protocol {
                message,
                line: Some(show_line(line)),
                stderr,
            }),
            false,
        )
    }
}

impl Runtime for ProcessRuntime {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            name: self.name.clone(),
            version: format!("{} {}", self.capabilities.name, self.capabilities.version),
            contexts: self.capabilities.contexts.clone(),
            operations: self.capabilities.operations.clone(),
        }
    }

    fn execute(&self, plan: &Plan, timeout: Duration) -> Result<Transcript, RuntimeError> {
        let mut worker = self.checkout()?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        worker.send(encode_line(&RunRequestRef::new(id, plan)));
        let (result, keep) = self.await_answer(&mut worker, id, plan, timeout);
        if keep {
            self.checkin(worker);
        }
        result
    }
}

impl Drop for ProcessRuntime {
    fn drop(&mut self) {
        let workers = std::mem::take(self.idle.get_mut().unwrap_or_else(|e| e.into_inner()));
        // Ask every process to stop first, then wait for them together.
        let mut stopping: Vec<Worker> = workers
            .into_iter()
            .map(|mut w| {
                w.send(encode_line(&Request::Shutdown));
                w.to_child = None;
                w
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(2);
        for w in &mut stopping {
            w.wait_until(deadline);
        }
    }
}

/// What the stdout reader thread passes on.
#[derive(Debug)]
enum FromChild {
    Frame(Frame),
    ReadError(String),
}

/// The last bytes a process wrote to stderr, and whether it has closed it.
#[derive(Debug)]
struct StderrTail {
    state: Mutex<(VecDeque<u8>, bool)>,
    closed: Condvar,
    cap: usize,
}

impl StderrTail {
    fn push(&self, bytes: &[u8]) {
        let mut state = self.state.lock().expect("stderr lock");
        let buf = &mut state.0;
        buf.extend(bytes);
        let excess = buf.len().saturating_sub(self.cap);
        buf.drain(..excess);
    }

    fn close(&self) {
        self.state.lock().expect("stderr lock").1 = true;
        self.closed.notify_all();
    }

    /// Waits up to `limit` for the stream to close, then returns the tail.
    fn snapshot(&self, limit: Duration) -> String {
        let guard = self.state.lock().expect("stderr lock");
        let (state, _) = self
            .closed
            .wait_timeout_while(guard, limit, |s| !s.1)
            .expect("stderr lock");
        let (a, b) = state.0.as_slices();
        let mut bytes = Vec::with_capacity(a.len() + b.len());
        bytes.extend_from_slice(a);
        bytes.extend_from_slice(b);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// One process of the pool.
#[derive(Debug)]
struct Worker {
    child: Child,
    to_child: Option<Sender<Vec<u8>>>,
    lines: Receiver<FromChild>,
    stderr: Arc<StderrTail>,
    exited: Option<ExitStatus>,
}

impl Worker {
    fn start(program: &str, args: &[String], tail: usize) -> io::Result<Worker> {
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            // Its own process group, so a hung program is killed with its children.
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let mut child = command.spawn()?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");

        let (to_child, requests) = mpsc::channel::<Vec<u8>>();
        thread::Builder::new()
            .name("msiconf-runtime-stdin".into())
            .spawn(move || write_requests(stdin, requests))?;

        let (lines_tx, lines) = mpsc::channel();
        thread::Builder::new()
            .name("msiconf-runtime-stdout".into())
            .spawn(move || {
                let mut reader = BufReader::with_capacity(64 << 10, stdout);
                loop {
                    let item = match read_frame(&mut reader, MAX_LINE_BYTES) {
                        Ok(frame) => FromChild::Frame(frame),
                        Err(e) => FromChild::ReadError(e.to_string()),
                    };
                    let end = !matches!(item, FromChild::Frame(Frame::Line(_) | Frame::TooLong(_)));
                    if lines_tx.send(item).is_err() || end {
                        return;
                    }
                }
            })?;

        let tail = Arc::new(StderrTail {
            state: Mutex::new((VecDeque::new(), false)),
            closed: Condvar::new(),
            cap: tail,
        });
        let sink = Arc::clone(&tail);
        thread::Builder::new()
            .name("msiconf-runtime-stderr".into())
            .spawn(move || {
                let mut chunk = vec![0u8; 8 << 10];
                loop {
                    match stderr.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => sink.push(&chunk[..n]),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
                sink.close();
            })?;

        Ok(Worker {
            child,
            to_child: Some(to_child),
            lines,
            stderr: tail,
            exited: None,
        })
    }

    /// Queues a line for the writer thread. A process that is gone is noticed
    /// by the reader, so a failed send needs no handling here.
    fn send(&self, line: Vec<u8>) {
        if let Some(tx) = &self.to_child {
            let _ = tx.send(line);
        }
    }

    /// Whether an idle process is still running and has said nothing since its last answer.
    fn is_sound_while_idle(&mut self) -> bool {
        match self.child.try_wait() {
            Ok(None) => {}
            Ok(Some(status)) => {
                // Reaped now: remember it, so the pid is never signalled again.
                self.exited = Some(status);
                return false;
            }
            Err(_) => return false,
        }
        matches!(self.lines.try_recv(), Err(mpsc::TryRecvError::Empty))
    }

    /// The stderr tail as it is now, for a process that keeps running.
    fn stderr_tail(&self) -> String {
        self.stderr.snapshot(Duration::ZERO)
    }

    /// Waits briefly for a process whose stdout closed to exit, and its status.
    fn wait_exit(&mut self) -> Option<ExitStatus> {
        self.wait_until(Instant::now() + Duration::from_secs(1));
        self.exited
    }

    /// Waits until `deadline` for the process to exit, then kills it.
    fn wait_until(&mut self, deadline: Instant) {
        while self.exited.is_none() {
            match self.child.try_wait() {
                Ok(Some(status)) => self.exited = Some(status),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(2)),
                Ok(None) | Err(_) => self.kill(),
            }
        }
    }

    /// Kills the process (and its process group) and reaps it.
    fn kill(&mut self) {
        if self.exited.is_some() {
            return;
        }
        #[cfg(unix)]
        {
            // The group id is the child's pid; the child is not reaped yet, so it cannot be reused.
            use rustix::process::{kill_process_group, Pid, Signal};
            let _ = kill_process_group(Pid::from_child(&self.child), Signal::KILL);
        }
        let _ = self.child.kill();
        self.exited = self.child.wait().ok();
    }

    /// Ends the process for good and returns its stderr tail.
    fn finish(&mut self) -> String {
        self.to_child = None;
        self.kill();
        // The pipe closes when the process dies, unless a grandchild escaped the group.
        self.stderr.snapshot(Duration::from_millis(500))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.to_child = None;
        self.kill();
    }
}

fn write_requests(stdin: ChildStdin, requests: Receiver<Vec<u8>>) {
    let mut out = BufWriter::with_capacity(64 << 10, stdin);
    while let Ok(line) = requests.recv() {
        if out.write_all(&line).is_err() {
            return;
        }
        // Batch whatever else is already queued into the same write.
        while let Ok(more) = requests.try_recv() {
            if out.write_all(&more).is_err() {
                return;
            }
        }
        if out.flush().is_err() {
            return;
        }
    }
}

fn describe_status(status: Option<ExitStatus>) -> String {
    match status {
        Some(s) => s.to_string(),
        None => "exit status unknown".to_owned(),
    }
}

/// Reads the answer to `hello`. A `ready` may name contexts and operations a
/// later protocol revision added: those are dropped, and returned (as
/// `operation NAME` or `context NAME`) so the caller can warn, since the
/// protocol promises that adding names is compatible. Anything else must
/// parse as it is.
fn parse_handshake(line: &[u8]) -> (Result<Response, serde_json::Error>, Vec<String>) {
    let mut unknown = Vec::new();
    let Ok(serde_json::Value::Object(mut message)) = serde_json::from_slice(line) else {
        return (serde_json::from_slice(line), unknown);
    };
    if message.get("type").and_then(|t| t.as_str()) != Some("ready") {
        return (serde_json::from_slice(line), unknown);
    }
    for (field, what) in [("operations", "operation"), ("contexts", "context")] {
        let Some(serde_json::Value::Array(names)) = message.get_mut(field) else {
            continue;
        };
        names.retain(|name| {
            let known = match (name.as_str(), field) {
                (Some(_), "operations") => {
                    serde_json::from_value::<msiconf_spec::OpKind>(name.clone()).is_ok()
                }
                (Some(_), _) => {
                    serde_json::from_value::<msiconf_spec::Context>(name.clone()).is_ok()
                }
                // Not a name at all: left for the parser to refuse.
                (None, _) => true,
            };
            if !known {
                unknown.push(format!("{what} `{}`", name.as_str().unwrap_or_default()));
            }
            known
        });
    }
    (
        serde_json::from_value(serde_json::Value::Object(message)),
        unknown,
    )
}

/// Appends the end of a stderr tail to a set-up error message, which has no field of its own for it.
fn with_stderr(message: String, stderr: &str) -> String {
    const SHOWN: usize = 4 << 10;
    let trimmed = stderr.trim_end();
    if trimmed.is_empty() {
        return message;
    }
    let start = trimmed.len().saturating_sub(SHOWN);
    let start = (start..=trimmed.len())
        .find(|&i| trimmed.is_char_boundary(i))
        .unwrap_or(trimmed.len());
    format!("{message}; its stderr ends:\n{}", &trimmed[start..])
}

/// Splits a command line into words, with `'…'`, `"…"` and `\` as a POSIX shell reads them.
fn split_words(line: &str) -> Result<Vec<String>, String> {
    shlex::split(line).ok_or_else(|| "an unterminated quote or a trailing `\\`".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(
            split_words(r#"python3  'my dir/x.py' "a \"b\"" c\ d ''"#).unwrap(),
            vec!["python3", "my dir/x.py", "a \"b\"", "c d", ""]
        );
        assert!(split_words("'open").is_err());
        assert!(split_words("trail\\").is_err());
    }

    #[test]
    fn spec_errors_name_the_runtime() {
        let err = ProcessRuntime::from_spec("cmd:  ", ProcessOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "setup failed: runtime `cmd:  ` names no program"
        );
        let err = ProcessRuntime::from_spec(
            "cmd:/nonexistent/msiconf-runtime",
            ProcessOptions::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("cannot start runtime `cmd:/nonexistent/msiconf-runtime`"),
            "{err}"
        );
    }

    #[test]
    fn idle_processes_that_exited_or_spoke_are_not_reused() {
        let mut live = Worker::start("cat", &[], 1024).unwrap();
        assert!(live.is_sound_while_idle());
        live.send(b"unasked\n".to_vec());
        // cat echoes the line: a message nobody asked for.
        while live.is_sound_while_idle() {
            thread::yield_now();
        }
        let mut gone = Worker::start("true", &[], 1024).unwrap();
        gone.child.wait().unwrap();
        assert!(!gone.is_sound_while_idle());
        assert!(gone.exited.is_some());
    }

    #[test]
    fn stderr_tail_keeps_the_last_bytes() {
        let tail = StderrTail {
            state: Mutex::new((VecDeque::new(), false)),
            closed: Condvar::new(),
            cap: 4,
        };
        tail.push(b"abc");
        tail.push(b"defg");
        assert_eq!(tail.snapshot(Duration::ZERO), "defg");
    }
}
