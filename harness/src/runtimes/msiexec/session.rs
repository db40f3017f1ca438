//! One msiexec session: write the package, start Wine, converse with every
//! probe that connects, and collect the transcript.
//!
//! Probes are driven interactively: each connection gets the next step of its
//! script when it answers the previous one, so nested custom actions (a probe
//! calling MsiDoAction on another probe) simply open a second connection while
//! the first waits. Events are recorded when their call returns.

use super::calls::{outcome_for, request_for, CallEnv, RunState};
use super::log::parse_actions;
use super::package::ProbeMap;
use super::prefix::Prefix;
use super::script::{self, ScriptLine};
use super::wire::{request, Hello, Reply};
use super::{MsiexecError, WineTools};
use msiconf_spec::plan::PACKAGE_PROBE;
use msiconf_spec::{
    Context, Event, Operation, Outcome, Plan, ProbeRun, ProbeScript, Transcript, UiLevel,
};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The Windows folder of every session file inside a prefix.
pub const WIN_DIR: &str = "C:\\msiconf";
/// The package path as probes and msiexec see it.
pub const PACKAGE_PATH: &str = "C:\\msiconf\\pkg.msi";

/// How many runs of one probe may be under way at once (nested through DoAction).
pub const MAX_NESTED_RUNS: usize = 8;

/// Which steps one session performs.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Steps the probes skip (their events come from another session).
    pub skip: HashSet<(String, usize)>,
    /// After this step the probe returns at once (an isolated session ends there).
    pub stop_after: Option<(String, usize)>,
}

/// What one session produced.
#[derive(Debug, Clone, Default)]
pub struct SessionOutput {
    /// Events, runs, actions and the install result.
    pub transcript: Transcript,
    /// For each event, the index in `transcript.runs` of the run that made it.
    pub event_runs: Vec<usize>,
    /// Things that went wrong (a lost connection, a missing exit code): a crash when non-empty.
    pub problems: Vec<String>,
    /// The verbose install log.
    pub log: String,
    /// What Wine printed.
    pub wine_output: String,
    /// From starting Wine to its exit (or from sending the job to its result).
    pub wine_time: Duration,
    /// The JScript probe's raw result lines.
    pub script: String,
    /// The agent that ran the session is gone or unusable and must be replaced.
    pub agent_gone: bool,
}

impl SessionOutput {
    /// Whether a call of the session came back with ERROR_NOACCESS: the
    /// engine met a memory fault and caught it. The engine's state in the
    /// process that hosts it (the agent) can no longer be trusted, so the
    /// agent is replaced before the next session rather than let the fault
    /// spoil sessions that have nothing to do with it.
    pub fn engine_faulted(&self) -> bool {
        const ERROR_NOACCESS: u32 = 998;
        self.transcript
            .events
            .iter()
            .any(|e| e.outcome.rc == Some(ERROR_NOACCESS))
    }

    /// Whether Wine's `cmd` failed to start the session's programs at all
    /// (Wine 8.0 now and then answers `ShellExecuteEx failed: Internal error`
    /// under load): nothing ran, so the engine has shown nothing and the
    /// session may be run again without hiding any behaviour of it.
    pub fn never_started(&self) -> bool {
        !self.problems.is_empty()
            && self.transcript.runs.is_empty()
            && self.transcript.events.is_empty()
            && self.transcript.actions.is_empty()
            && self.wine_output.contains("ShellExecuteEx failed")
    }
}

enum Msg {
    Conn(usize, TcpStream),
    Line(usize, String),
    Eof(usize),
}

/// A connected probe and where it is in its script.
struct Active {
    run: usize,
    probe: String,
    context: Context,
    steps: Vec<Operation>,
    returns: u32,
    next: usize,
    pending: Option<usize>,
    state: RunState,
    done: bool,
}

struct Conversation<'a> {
    plan: &'a Plan,
    map: &'a ProbeMap,
    sel: &'a Selection,
    token: String,
    env: CallEnv,
    transcript: Transcript,
    event_runs: Vec<usize>,
    script_runs: HashMap<usize, usize>,
    problems: Vec<String>,
    writers: HashMap<usize, ProbeWriter>,
    active: HashMap<usize, Active>,
    script: ScriptSource,
    js_partial: String,
}

/// Where the JScript probe's result lines come from.
enum ScriptSource {
    /// The results file inside the prefix, read from this offset on.
    File { path: PathBuf, offset: usize },
    /// Bytes the agent relayed and nobody has read yet, and every byte so far (kept for failures).
    Relayed { pending: Vec<u8>, all: Vec<u8> },
}

impl ScriptSource {
    /// The bytes appended since the last call.
    fn take_new(&mut self) -> Vec<u8> {
        match self {
            ScriptSource::File { path, offset } => {
                let Ok(mut f) = std::fs::File::open(path) else {
                    return Vec::new();
                };
                let mut bytes = Vec::new();
                if f.read_to_end(&mut bytes).is_err() || bytes.len() <= *offset {
                    return Vec::new();
                }
                let new = bytes[*offset..].to_vec();
                *offset = bytes.len();
                new
            }
            ScriptSource::Relayed { pending, .. } => std::mem::take(pending),
        }
    }
}

/// How the harness writes to one probe connection.
enum ProbeWriter {
    /// The probe connected to the harness itself.
    Direct(TcpStream),
    /// The probe connected to the agent, which relays channel `chan` of job `job`.
    Relayed {
        agent: TcpStream,
        job: u32,
        chan: u32,
    },
}

impl ProbeWriter {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            ProbeWriter::Direct(s) => s.write_all(bytes),
            ProbeWriter::Relayed { agent, job, chan } => agent.write_all(&super::agent::encode(
                super::agent::Kind::Data,
                *job,
                *chan,
                bytes,
            )),
        }
    }

    fn close(&mut self) {
        match self {
            ProbeWriter::Direct(s) => {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
            ProbeWriter::Relayed { agent, job, chan } => {
                let _ = agent.write_all(&super::agent::encode(
                    super::agent::Kind::Eof,
                    *job,
                    *chan,
                    &[],
                ));
            }
        }
    }
}

impl<'a> Conversation<'a> {
    /// Appends whatever the JScript probe has written since the last look.
    fn merge_script(&mut self) {
        let bytes = self.script.take_new();
        if bytes.is_empty() {
            return;
        }
        // The script writes whole lines in the ANSI code page; plain ASCII in practice.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        self.js_partial.push_str(&text);
        while let Some(nl) = self.js_partial.find('\n') {
            let line: String = self.js_partial.drain(..=nl).collect();
            match script::parse_line(&line, &self.token) {
                Some(ScriptLine::Run { probe }) => {
                    if let Some((name, s)) = self.script_probe(probe) {
                        self.script_runs.insert(probe, self.transcript.runs.len());
                        self.transcript.runs.push(ProbeRun {
                            probe: name,
                            context: s.context,
                            first_event: self.transcript.events.len(),
                        });
                    }
                }
                Some(ScriptLine::Event {
                    probe,
                    step,
                    outcome,
                }) => {
                    if let Some((name, s)) = self.script_probe(probe) {
                        if let Some(op) = s.steps.get(step) {
                            let run = self.script_runs.get(&probe).copied().unwrap_or(0);
                            self.event_runs.push(run);
                            self.transcript.events.push(Event {
                                probe: name,
                                context: s.context,
                                index: step,
                                call: op.clone(),
                                outcome,
                            });
                        }
                    }
                }
                // A straggler of another session: not this session's to record.
                Some(ScriptLine::Foreign) => {}
                None => self.problems.push(format!(
                    "the JScript probe wrote an unreadable line: {line:?}"
                )),
            }
        }
    }

    fn script_probe(&self, index: usize) -> Option<(String, &'a ProbeScript)> {
        let plan: &'a Plan = self.plan;
        let name = self.map.script.get(index)?;
        Some((name.clone(), plan.probes.get(name)?))
    }

    fn send(&mut self, conn: usize, line: &str) {
        if let Some(w) = self.writers.get_mut(&conn) {
            if w.write_all(line.as_bytes()).is_err() {
                self.problems
                    .push(format!("could not write to probe connection {conn}"));
            }
        }
    }

    fn hello(&mut self, conn: usize, line: &str) {
        let Some(hello) = Hello::parse(line) else {
            self.problems.push(format!(
                "a probe connected with an unreadable hello: {line:?}"
            ));
            self.send(conn, "return\t1603\n");
            return;
        };
        if hello.token != self.token {
            // A straggler from an earlier session: it gets nothing from this one.
            self.send(conn, "return\t1603\n");
            return;
        }
        let name = match hello.kind.as_str() {
            "dll" => usize::try_from(hello.index)
                .ok()
                .and_then(|i| self.map.dll.get(i).cloned()),
            "exe" => usize::try_from(hello.index)
                .ok()
                .and_then(|i| self.map.exe.get(i).cloned()),
            "pkg" => Some(PACKAGE_PROBE.to_owned()),
            _ => None,
        };
        let script = name.as_deref().and_then(|n| self.plan.script(n));
        let (Some(name), Some(script)) = (name, script) else {
            // An EXE or DLL probe the plan does not list: it does nothing and succeeds.
            self.send(conn, "return\t0\n");
            return;
        };
        self.merge_script();
        let run = self.transcript.runs.len();
        self.transcript.runs.push(ProbeRun {
            probe: name.clone(),
            context: script.context,
            first_event: self.transcript.events.len(),
        });
        if self.reentered(&name) {
            // A nested install of this very package runs the probe again, and
            // performing its steps would start yet another install: the run is
            // recorded, its steps are not performed.
            self.send(conn, &format!("return\t{}\n", script.returns));
            return;
        }
        let mut active = Active {
            run,
            probe: name,
            context: script.context,
            steps: script.steps.clone(),
            returns: script.returns,
            next: 0,
            pending: None,
            state: RunState::new(hello.handle),
            done: false,
        };
        if hello.kind == "pkg" && hello.rc != 0 {
            // No package handle: every package step is a call that could not be made.
            let why = format!(
                "MsiOpenPackageW failed with {} in the package host",
                hello.rc
            );
            for (i, op) in active.steps.iter().enumerate() {
                self.event_runs.push(run);
                self.transcript.events.push(Event {
                    probe: active.probe.clone(),
                    context: active.context,
                    index: i,
                    call: op.clone(),
                    outcome: Outcome::unsupported(why.clone()),
                });
            }
            active.next = active.steps.len();
        }
        self.active.insert(conn, active);
        self.advance(conn);
    }

    /// Whether a new run of `probe` comes from a nested install one of its own
    /// runs started, or nests deeper than any plan needs.
    fn reentered(&self, probe: &str) -> bool {
        let same: Vec<&Active> = self
            .active
            .values()
            .filter(|a| a.probe == probe && !a.done)
            .collect();
        same.len() >= MAX_NESTED_RUNS
            || same.iter().any(|a| {
                a.pending
                    .and_then(|i| a.steps.get(i))
                    .is_some_and(|op| matches!(op, Operation::InstallProduct { .. }))
            })
    }

    /// Sends the next step to perform, or the return code when the script is done.
    fn advance(&mut self, conn: usize) {
        loop {
            let Some(a) = self.active.get_mut(&conn) else {
                return;
            };
            let stop = self
                .sel
                .stop_after
                .as_ref()
                .is_some_and(|(p, i)| *p == a.probe && a.next > *i);
            if a.next >= a.steps.len() || stop {
                a.done = true;
                let line = format!("return\t{}\n", a.returns);
                self.send(conn, &line);
                return;
            }
            let i = a.next;
            a.next += 1;
            if self.sel.skip.contains(&(a.probe.clone(), i)) {
                continue;
            }
            match request_for(&a.steps[i], &a.state, &self.env) {
                Ok((name, args)) => {
                    a.pending = Some(i);
                    let line = request(&name, &args);
                    self.send(conn, &line);
                    return;
                }
                Err(why) => {
                    let outcome = Outcome::unsupported(why);
                    let run = a.run;
                    let event = Event {
                        probe: a.probe.clone(),
                        context: a.context,
                        index: i,
                        call: a.steps[i].clone(),
                        outcome,
                    };
                    self.merge_script();
                    self.event_runs.push(run);
                    self.transcript.events.push(event);
                }
            }
        }
    }

    fn line(&mut self, conn: usize, line: String) {
        let Some(a) = self.active.get_mut(&conn) else {
            self.hello(conn, &line);
            return;
        };
        let Some(i) = a.pending.take() else {
            self.problems.push(format!(
                "probe `{}` sent a line nobody asked for: {line:?}",
                a.probe
            ));
            return;
        };
        let reply = Reply::parse(&line);
        let outcome = outcome_for(&a.steps[i], &reply, &mut a.state);
        let run = a.run;
        let event = Event {
            probe: a.probe.clone(),
            context: a.context,
            index: i,
            call: a.steps[i].clone(),
            outcome,
        };
        self.merge_script();
        self.event_runs.push(run);
        self.transcript.events.push(event);
        self.advance(conn);
    }

    fn eof(&mut self, conn: usize) {
        self.writers.remove(&conn);
        if let Some(a) = self.active.remove(&conn) {
            if let Some(i) = a.pending {
                self.problems.push(format!(
                    "probe `{}` ({}) lost its connection during step {} ({})",
                    a.probe,
                    a.context,
                    i + 1,
                    a.steps[i].kind()
                ));
            } else if !a.done {
                self.problems.push(format!(
                    "probe `{}` ({}) disconnected before it was told to return",
                    a.probe, a.context
                ));
            }
        }
    }
}

/// The command line of the top-level install, quoted for a batch file.
pub fn install_command(plan: &Plan) -> Result<Option<String>, MsiexecError> {
    let Some(install) = &plan.install else {
        return Ok(None);
    };
    let mut line = format!("msiexec /i {PACKAGE_PATH}");
    for (name, value) in &install.properties {
        for s in [name, value] {
            if s.chars().any(|c| c.is_control() || !c.is_ascii()) {
                return Err(MsiexecError::Unsupported(format!(
                    "command-line property {name:?} has characters a batch file cannot pass on"
                )));
            }
        }
        if name.is_empty() || name.contains([' ', '"', '=', '%']) {
            return Err(MsiexecError::Unsupported(format!(
                "command-line property name {name:?} cannot be passed to msiexec"
            )));
        }
        // Quotes inside a quoted value are doubled (msiexec's rule); `%` is
        // doubled so that cmd does not expand it.
        let v = value.replace('"', "\"\"").replace('%', "%%");
        line.push_str(&format!(" {name}=\"{v}\""));
    }
    line.push_str(match install.ui {
        UiLevel::None => " /qn",
        UiLevel::Basic => " /qb",
        UiLevel::Reduced => " /qr",
        UiLevel::Full => " /qf",
    });
    line.push_str(&format!(" /l*v {WIN_DIR}\\log.txt"));
    Ok(Some(line))
}

/// What every session of one plan shares.
#[derive(Debug, Clone, Copy)]
pub struct SessionInput<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// Which probe each entry point stands for.
    pub map: &'a ProbeMap,
    /// The package's bytes.
    pub package: &'a [u8],
    /// The package host program.
    pub host: &'a Path,
    /// The session's token: probes say hello with it and the JScript probe prefixes its lines with it.
    pub token: &'a str,
}

/// Runs one session of a plan in `prefix`.
pub fn run(
    tools: &WineTools,
    prefix: &Prefix,
    input: SessionInput<'_>,
    sel: &Selection,
    timeout: Duration,
) -> Result<SessionOutput, MsiexecError> {
    let SessionInput {
        plan,
        map,
        package,
        host,
        token,
    } = input;
    let token = token.to_owned();
    let dir = prefix.session_dir();
    let io = |what: &str| {
        let what = what.to_owned();
        move |source| MsiexecError::Io { what, source }
    };
    for stale in ["exit.txt", "log.txt", "js.txt", "port.txt"] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    std::fs::write(dir.join("pkg.msi"), package).map_err(io("write the package"))?;
    if !dir.join("host.exe").is_file()
        || std::fs::metadata(dir.join("host.exe"))
            .map(|m| m.len())
            .ok()
            != std::fs::metadata(host).map(|m| m.len()).ok()
    {
        std::fs::copy(host, dir.join("host.exe")).map_err(io("copy the package host"))?;
    }

    let listener = TcpListener::bind("127.0.0.1:0").map_err(io("listen on loopback"))?;
    let port = listener
        .local_addr()
        .map_err(io("read the listening port"))?
        .port();
    std::fs::write(dir.join("port.txt"), format!("{port} {token}\n"))
        .map_err(io("write the port file"))?;

    let mut bat = String::from("@echo off\r\n");
    if plan.package.is_some() {
        bat.push_str(&format!("{WIN_DIR}\\host.exe {PACKAGE_PATH}\r\n"));
    }
    if let Some(cmd) = install_command(plan)? {
        bat.push_str(&cmd);
        bat.push_str("\r\n");
        // cmd's %ERRORLEVEL% holds all 32 bits; the process exit status Wine hands Linux holds 8.
        bat.push_str(&format!(
            "echo EXITCODE=%ERRORLEVEL%> {WIN_DIR}\\exit.txt\r\n"
        ));
    }
    std::fs::write(dir.join("run.bat"), bat).map_err(io("write the session batch file"))?;

    let out_path = prefix.dir().join("wine-output.txt");
    let out = std::fs::File::create(&out_path).map_err(io("create the Wine output file"))?;
    let err = out.try_clone().map_err(io("open the Wine output file"))?;
    let mut cmd = Command::new(&tools.wine);
    tools.configure(&mut cmd, prefix.dir());
    // Never a pipe: wineserver and Wine's services inherit it and hold it open for seconds.
    cmd.arg("cmd")
        .arg("/c")
        .arg(format!("{WIN_DIR}\\run.bat"))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    let started = Instant::now();
    let child = cmd.spawn().map_err(|source| MsiexecError::Io {
        what: "start wine".into(),
        source,
    })?;

    let mut convo = Conversation {
        plan,
        map,
        sel,
        token,
        env: CallEnv {
            package_path: PACKAGE_PATH.to_owned(),
        },
        transcript: Transcript::default(),
        event_runs: Vec::new(),
        script_runs: HashMap::new(),
        problems: Vec::new(),
        writers: HashMap::new(),
        active: HashMap::new(),
        script: ScriptSource::File {
            path: dir.join("js.txt"),
            offset: 0,
        },
        js_partial: String::new(),
    };
    let finished = pump(&mut convo, listener, child, tools, prefix, timeout);
    let wine_time = started.elapsed();
    let wine_output = std::fs::read_to_string(&out_path).unwrap_or_default();
    let log = read_log(&dir.join("log.txt"));
    if let Err(seconds) = finished {
        return Err(MsiexecError::Timeout {
            seconds,
            output: tail(&format!("{wine_output}\n{log}"), 4000),
        });
    }
    convo.merge_script();
    if !convo.js_partial.trim().is_empty() {
        convo
            .problems
            .push("the JScript probe's last line was cut short".to_owned());
    }
    let mut transcript = std::mem::take(&mut convo.transcript);
    let event_runs = std::mem::take(&mut convo.event_runs);
    let mut problems = std::mem::take(&mut convo.problems);
    for a in convo.active.values() {
        if !a.done {
            problems.push(format!("probe `{}` never finished its script", a.probe));
        }
    }
    if plan.install.is_some() {
        match std::fs::read_to_string(dir.join("exit.txt")) {
            Ok(text) => match text
                .trim()
                .strip_prefix("EXITCODE=")
                .and_then(|n| n.trim().parse::<i64>().ok())
            {
                Some(code) => {
                    // cmd prints ERRORLEVEL signed; the code is a DWORD.
                    let code = code as u32;
                    if code >= 0xC000_0000 {
                        // An NTSTATUS exception code, not an installer result: msiexec crashed.
                        problems.push(format!("msiexec crashed with exception 0x{code:08X}"));
                    }
                    transcript.install_result = Some(code);
                }
                None => problems.push(format!("unreadable exit code file: {text:?}")),
            },
            Err(_) => problems.push("msiexec finished without an exit code".to_owned()),
        }
        transcript.actions = parse_actions(&log);
    }
    let script = std::fs::read_to_string(dir.join("js.txt")).unwrap_or_default();
    Ok(SessionOutput {
        transcript,
        event_runs,
        problems,
        log,
        wine_output,
        wine_time,
        script,
        agent_gone: false,
    })
}

/// The command line the agent hands `MsiInstallProductW`: the plan's
/// properties as `NAME="value"`, with quotes inside a value doubled (the
/// documented form). No shell sits in between, so any character can be passed.
pub fn agent_command_line(plan: &Plan) -> Result<Option<String>, MsiexecError> {
    let Some(install) = &plan.install else {
        return Ok(None);
    };
    let mut line = String::new();
    for (name, value) in &install.properties {
        if name.is_empty() || name.contains([' ', '"', '=', '\t', '\r', '\n']) {
            return Err(MsiexecError::Unsupported(format!(
                "command-line property name {name:?} cannot be passed on a command line"
            )));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&format!("{name}=\"{}\"", value.replace('"', "\"\"")));
    }
    Ok(Some(line))
}

/// The `INSTALLUILEVEL` a plan's UI level stands for (what msiexec's `/q` switches select).
pub fn ui_level(plan: &Plan) -> u32 {
    match plan.install.as_ref().map_or(UiLevel::None, |i| i.ui) {
        UiLevel::None => 2,
        UiLevel::Basic => 3,
        UiLevel::Reduced => 4,
        UiLevel::Full => 5,
    }
}

/// How a session through the agent ended.
enum AgentEnd {
    Finished(super::agent::Finished),
    Failed(String),
    TimedOut,
}

/// Runs one session of a plan on `agent`. A timeout is an error; the caller
/// then kills the agent. A session whose agent died reports `agent_gone`.
pub fn run_agent(
    agent: &mut super::agent::Agent,
    input: SessionInput<'_>,
    sel: &Selection,
    timeout: Duration,
) -> Result<SessionOutput, MsiexecError> {
    use super::agent::{parse_finished, Job, Kind};
    let SessionInput {
        plan,
        map,
        package,
        token,
        ..
    } = input;
    let token = token.to_owned();
    let command_line = agent_command_line(plan)?;
    let io = |what: &str| {
        let what = what.to_owned();
        move |source| MsiexecError::Io { what, source }
    };
    let writer = agent.writer().map_err(io("share the agent connection"))?;
    let started = Instant::now();
    let job = agent
        .submit(&Job {
            token: &token,
            ui: ui_level(plan),
            package_script: plan.package.is_some(),
            command_line: command_line.as_deref(),
            package,
        })
        .map_err(io("send the job to the agent"))?;
    let mut convo = Conversation {
        plan,
        map,
        sel,
        token,
        env: CallEnv {
            package_path: PACKAGE_PATH.to_owned(),
        },
        transcript: Transcript::default(),
        event_runs: Vec::new(),
        script_runs: HashMap::new(),
        problems: Vec::new(),
        writers: HashMap::new(),
        active: HashMap::new(),
        script: ScriptSource::Relayed {
            pending: Vec::new(),
            all: Vec::new(),
        },
        js_partial: String::new(),
    };
    let mut partial: HashMap<u32, Vec<u8>> = HashMap::new();
    let deadline = started + timeout;
    let end = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break AgentEnd::TimedOut;
        }
        let frame = match agent.next_frame(left) {
            Ok(f) => f,
            Err(None) => break AgentEnd::TimedOut,
            Err(Some(why)) => break AgentEnd::Failed(why),
        };
        if frame.job != job {
            // A frame of an earlier session (a straggling probe): not this session's.
            continue;
        }
        let chan = frame.chan as usize;
        match frame.kind {
            Kind::Open => match writer.try_clone() {
                Ok(w) => {
                    convo.writers.insert(
                        chan,
                        ProbeWriter::Relayed {
                            agent: w,
                            job,
                            chan: frame.chan,
                        },
                    );
                }
                Err(e) => break AgentEnd::Failed(format!("cannot write to the agent: {e}")),
            },
            Kind::Data => {
                let buf = partial.entry(frame.chan).or_default();
                buf.extend_from_slice(&frame.payload);
                while let Some(nl) = buf.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = buf.drain(..=nl).collect();
                    let text = String::from_utf8_lossy(&line)
                        .trim_end_matches(['\r', '\n'])
                        .to_owned();
                    convo.line(chan, text);
                }
            }
            Kind::Eof => {
                partial.remove(&frame.chan);
                convo.eof(chan);
            }
            Kind::Script => {
                if let ScriptSource::Relayed { pending, all } = &mut convo.script {
                    pending.extend_from_slice(&frame.payload);
                    all.extend_from_slice(&frame.payload);
                }
            }
            Kind::Finished => match parse_finished(&frame.payload) {
                Some(f) => break AgentEnd::Finished(f),
                None => break AgentEnd::Failed("the agent sent an unreadable result".to_owned()),
            },
            Kind::Refused => {
                break AgentEnd::Failed(format!(
                    "the agent refused the job: {}",
                    String::from_utf8_lossy(&frame.payload)
                ))
            }
            Kind::Crashed => {
                let text = String::from_utf8_lossy(&frame.payload);
                let code = text.trim().strip_prefix("exception=").unwrap_or(&text);
                break AgentEnd::Failed(format!(
                    "the install crashed with exception {code} inside the agent"
                ));
            }
            other => {
                break AgentEnd::Failed(format!("the agent sent an unexpected {other:?} frame"))
            }
        }
    };
    let wine_time = started.elapsed();
    for w in convo.writers.values_mut() {
        w.close();
    }
    let script_all = match &convo.script {
        ScriptSource::Relayed { all, .. } => String::from_utf8_lossy(all).into_owned(),
        ScriptSource::File { .. } => String::new(),
    };
    let (finished, agent_gone) = match end {
        AgentEnd::TimedOut => {
            return Err(MsiexecError::Timeout {
                seconds: wine_time.as_secs_f64(),
                output: tail(&format!("{}\n{script_all}", agent.post_mortem(false)), 4000),
            })
        }
        AgentEnd::Failed(why) => {
            convo.problems.push(why);
            (None, true)
        }
        AgentEnd::Finished(f) => (Some(f), false),
    };
    convo.merge_script();
    if !convo.js_partial.trim().is_empty() {
        convo
            .problems
            .push("the JScript probe's last line was cut short".to_owned());
    }
    let mut transcript = std::mem::take(&mut convo.transcript);
    let event_runs = std::mem::take(&mut convo.event_runs);
    let mut problems = std::mem::take(&mut convo.problems);
    for a in convo.active.values() {
        if !a.done {
            problems.push(format!("probe `{}` never finished its script", a.probe));
        }
    }
    let log = finished
        .as_ref()
        .map_or_else(String::new, |f| decode_log(&f.log));
    if let Some(f) = &finished {
        if plan.install.is_some() {
            match f.install {
                Some(code) => {
                    if code >= 0xC000_0000 {
                        problems.push(format!("the install crashed with exception 0x{code:08X}"));
                    }
                    transcript.install_result = Some(code);
                }
                None => problems.push("the agent ran no install".to_owned()),
            }
            transcript.actions = parse_actions(&log);
        }
    }
    // A failed session keeps what the agent and Wine printed; a lost agent
    // first gets a moment to end, so that how it ended is known.
    let wine_output = if problems.is_empty() {
        String::new()
    } else {
        agent.post_mortem(agent_gone)
    };
    Ok(SessionOutput {
        transcript,
        event_runs,
        problems,
        log,
        wine_output,
        wine_time,
        script: script_all,
        agent_gone,
    })
}

/// Drives the conversation until Wine exits; `Err(seconds)` on timeout.
fn pump(
    convo: &mut Conversation<'_>,
    listener: TcpListener,
    mut child: Child,
    tools: &WineTools,
    prefix: &Prefix,
    timeout: Duration,
) -> Result<(), f64> {
    let start = Instant::now();
    let (tx, rx) = channel::<Msg>();
    let stop = Arc::new(AtomicBool::new(false));
    let acceptor = spawn_acceptor(listener, tx, Arc::clone(&stop));
    let result = loop {
        match rx.recv_timeout(Duration::from_millis(5)) {
            Ok(Msg::Conn(id, stream)) => {
                convo.writers.insert(id, ProbeWriter::Direct(stream));
            }
            Ok(Msg::Line(id, line)) => convo.line(id, line),
            Ok(Msg::Eof(id)) => convo.eof(id),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {}
        }
        if let Ok(Some(_)) = child.try_wait() {
            // Let the last lines of any probe that is still connected arrive.
            drain(convo, &rx, Duration::from_millis(200));
            break Ok(());
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            tools.kill_server(prefix.dir());
            break Err(start.elapsed().as_secs_f64());
        }
    };
    stop.store(true, Ordering::SeqCst);
    for w in convo.writers.values_mut() {
        w.close();
    }
    let _ = acceptor.join();
    result
}

fn drain(convo: &mut Conversation<'_>, rx: &Receiver<Msg>, grace: Duration) {
    let until = Instant::now() + grace;
    while convo.active.values().any(|a| !a.done) || !convo.writers.is_empty() {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match rx.recv_timeout(left) {
            Ok(Msg::Conn(id, stream)) => {
                convo.writers.insert(id, ProbeWriter::Direct(stream));
            }
            Ok(Msg::Line(id, line)) => convo.line(id, line),
            Ok(Msg::Eof(id)) => convo.eof(id),
            Err(_) => break,
        }
    }
}

fn spawn_acceptor(
    listener: TcpListener,
    tx: Sender<Msg>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        // Non-blocking accept so that the thread notices the end of the session.
        let _ = listener.set_nonblocking(true);
        let mut next = 0usize;
        while !stop.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok((stream, _)) => {
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_nodelay(true);
                    let id = next;
                    next += 1;
                    let Ok(reader) = stream.try_clone() else {
                        continue;
                    };
                    if tx.send(Msg::Conn(id, stream)).is_err() {
                        return;
                    }
                    let tx = tx.clone();
                    std::thread::spawn(move || {
                        let mut r = BufReader::with_capacity(65536, reader);
                        let mut line = String::new();
                        loop {
                            line.clear();
                            match r.read_line(&mut line) {
                                Ok(0) | Err(_) => break,
                                Ok(_) => {
                                    let l = line.trim_end_matches(['\r', '\n']).to_owned();
                                    if tx.send(Msg::Line(id, l)).is_err() {
                                        return;
                                    }
                                }
                            }
                        }
                        let _ = tx.send(Msg::Eof(id));
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    })
}

pub(crate) fn next_token() -> u64 {
    use std::sync::atomic::AtomicU64;
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    COUNTER.fetch_add(1, Ordering::SeqCst) << 32 | u64::from(nanos)
}

/// Wine writes the verbose log in the ANSI code page, sometimes as UTF-16: accept both.
fn read_log(path: &Path) -> String {
    std::fs::read(path).map_or_else(|_| String::new(), |b| decode_log(&b))
}

fn decode_log(bytes: &[u8]) -> String {
    if bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// The last `max` bytes of `s`, on a character boundary.
pub fn tail(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    s[start..].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(problems: &[&str], wine_output: &str) -> SessionOutput {
        SessionOutput {
            transcript: Transcript::default(),
            event_runs: Vec::new(),
            problems: problems.iter().map(|p| (*p).to_owned()).collect(),
            log: String::new(),
            wine_output: wine_output.to_owned(),
            wine_time: Duration::ZERO,
            script: String::new(),
            agent_gone: false,
        }
    }

    #[test]
    fn only_a_launch_that_ran_nothing_counts_as_never_started() {
        let launch = "Application could not be started, or no application associated with the specified file.\nShellExecuteEx failed: Internal error.\n";
        assert!(output(&["msiexec finished without an exit code"], launch).never_started());
        // No problem, or a different failure: the session happened and is kept as it is.
        assert!(!output(&[], launch).never_started());
        assert!(!output(
            &["msiexec finished without an exit code"],
            "wine: Unhandled page fault"
        )
        .never_started());
        // A session in which a probe ran has shown engine behaviour: never rerun it.
        let mut ran = output(&["msiexec finished without an exit code"], launch);
        ran.transcript.runs.push(msiconf_spec::ProbeRun {
            probe: "ProbeImmediate".into(),
            context: msiconf_spec::Context::ImmediateBeforeInit,
            first_event: 0,
        });
        assert!(!ran.never_started());
    }
    use msiconf_spec::InstallOptions;

    #[test]
    fn install_command_quotes_values_and_sets_the_ui_level() {
        let mut plan = Plan::default();
        let mut props = std::collections::BTreeMap::new();
        props.insert("ACTION".to_owned(), "custom".to_owned());
        props.insert("TESTPATH".to_owned(), "c:\\a \"b\" 50%".to_owned());
        plan.install = Some(InstallOptions {
            properties: props,
            ui: UiLevel::Reduced,
        });
        let cmd = install_command(&plan).unwrap().unwrap();
        assert_eq!(
            cmd,
            "msiexec /i C:\\msiconf\\pkg.msi ACTION=\"custom\" TESTPATH=\"c:\\a \"\"b\"\" 50%%\" /qr /l*v C:\\msiconf\\log.txt"
        );
    }

    #[test]
    fn install_command_refuses_what_a_batch_file_cannot_carry() {
        let mut plan = Plan::default();
        let mut props = std::collections::BTreeMap::new();
        props.insert("X".to_owned(), "line\nbreak".to_owned());
        plan.install = Some(InstallOptions {
            properties: props,
            ui: UiLevel::None,
        });
        assert!(matches!(
            install_command(&plan),
            Err(MsiexecError::Unsupported(_))
        ));
    }

    #[test]
    fn no_install_no_command() {
        assert!(install_command(&Plan::default()).unwrap().is_none());
    }

    #[test]
    fn tail_keeps_the_end_on_a_char_boundary() {
        assert_eq!(tail("abcdef", 3), "def");
        assert_eq!(tail("ééé", 3), "é");
        assert_eq!(tail("ab", 10), "ab");
    }
}
