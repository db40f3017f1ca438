//! `--runtime msiexec`: the real Windows Installer engine, Wine's msi.dll run
//! by `wine msiexec`, observed through probe custom actions.
//!
//! Each plan becomes a real package ([`package`]) whose probe custom actions
//! (C DLL, JScript, EXE; see `probe/`) connect back to the harness over
//! loopback TCP and perform the plan's steps with the real API ([`session`]).
//! By default each worker's sessions run in one long-lived agent process
//! ([`agent`], `probe/agent.c`) that installs in-process and relays the
//! probes' connections; [`Mode::PerSession`] starts `wine cmd /c` per session.
//! Operations known to bring a Wine session down run in sessions of their own
//! and their events are spliced into the main transcript ([`split`]).

pub mod agent;
pub mod calls;
pub mod log;
pub mod package;
pub mod prefix;
pub mod probes;
pub mod script;
pub mod session;
pub mod split;
pub mod wire;

use crate::runtime::{Runtime, RuntimeError, RuntimeInfo};
use msiconf_spec::{Context, OpKind, Plan, Profile, Transcript};
use prefix::{Prefix, PrefixPool};
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How many more times a session is launched when Wine failed to start it at
/// all (see [`session::SessionOutput::never_started`]).
const LAUNCH_RETRIES: usize = 2;

/// Where the install script lives, for every message that needs it.
pub const INSTALL_SCRIPT: &str = "scripts/install-wine.sh";

/// Everything that can stop the msiexec runtime.
#[derive(Debug, thiserror::Error)]
pub enum MsiexecError {
    /// `wine` or `wineserver` is not on PATH.
    #[error("`{0}` was not found on PATH; install Wine with {INSTALL_SCRIPT}")]
    WineMissing(&'static str),
    /// The mingw-w64 cross compiler is not on PATH.
    #[error(
        "`{}` was not found on PATH; install it with {INSTALL_SCRIPT}",
        probes::COMPILER
    )]
    CompilerMissing,
    /// A probe did not compile.
    #[error("failed to build {what}:\n{log}")]
    ProbeBuild { what: String, log: String },
    /// The plan's package could not be written.
    #[error("failed to build the package for this plan")]
    Package(#[from] package::PackageError),
    /// The plan needs something this runtime cannot do.
    #[error("{0}")]
    Unsupported(String),
    /// A file or process operation failed.
    #[error("failed to {what}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// Setting up Wine failed.
    #[error("{0}")]
    Setup(String),
    /// A session crashed: a probe lost its connection or msiexec gave no exit code.
    #[error("{message}")]
    Crashed { message: String, output: String },
    /// A session ran past its time limit.
    #[error("the msiexec session timed out after {seconds:.1} s")]
    Timeout { seconds: f64, output: String },
}

impl MsiexecError {
    /// The documented exit code for this error when it ends the program: 2 (infrastructure).
    pub fn exit_code(&self) -> i32 {
        2
    }

    /// The message with its whole chain of causes.
    pub fn chain(&self) -> String {
        let mut msg = self.to_string();
        let mut src = std::error::Error::source(self);
        while let Some(s) = src {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            src = s.source();
        }
        msg
    }
}

impl From<MsiexecError> for RuntimeError {
    fn from(e: MsiexecError) -> RuntimeError {
        match e {
            MsiexecError::Unsupported(reason) => RuntimeError::Unsupported { reason },
            MsiexecError::Crashed { message, output } => RuntimeError::Crashed {
                message,
                stderr: output,
            },
            MsiexecError::Timeout { seconds, output } => RuntimeError::Timeout {
                seconds,
                stderr: output,
            },
            other => RuntimeError::Setup {
                message: other.chain(),
            },
        }
    }
}

/// The Wine programs and the environment every Wine process gets.
#[derive(Debug, Clone)]
pub struct WineTools {
    /// The `wine` launcher.
    pub wine: PathBuf,
    /// The `wineserver` of the same installation.
    pub wineserver: PathBuf,
    path: Option<OsString>,
}

/// Finds `program` on `path` (the PATH value).
pub(crate) fn find_on(path: &OsStr, program: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

impl WineTools {
    /// Finds Wine on `path` (default: this process's PATH).
    pub fn locate(path: Option<OsString>) -> Result<WineTools, MsiexecError> {
        let search = path
            .clone()
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or_default();
        let wine = find_on(&search, "wine").ok_or(MsiexecError::WineMissing("wine"))?;
        let wineserver =
            find_on(&search, "wineserver").ok_or(MsiexecError::WineMissing("wineserver"))?;
        Ok(WineTools {
            wine,
            wineserver,
            path,
        })
    }

    /// Sets the environment of a Wine process in `prefix`: headless, quiet, no menu or mono/gecko helpers.
    pub fn configure(&self, cmd: &mut Command, prefix: &Path) {
        cmd.env("WINEPREFIX", prefix)
            .env("WINEDEBUG", "-all")
            .env(
                "WINEDLLOVERRIDES",
                "winemenubuilder.exe=d;mscoree=d;mshtml=d",
            )
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        if let Some(p) = &self.path {
            cmd.env("PATH", p);
        }
    }

    /// Creates the prefix if it does not exist yet (about 9 s).
    pub fn boot(&self, prefix: &Prefix) -> Result<(), MsiexecError> {
        let ready = prefix.dir().join("system.reg").is_file() && prefix.session_dir().is_dir();
        if !ready {
            let out_path = prefix.dir().with_extension("boot.txt");
            let out = std::fs::File::create(&out_path).map_err(|source| MsiexecError::Io {
                what: format!("create `{}`", out_path.display()),
                source,
            })?;
            let err = out.try_clone().map_err(|source| MsiexecError::Io {
                what: "open the wineboot output".into(),
                source,
            })?;
            let mut cmd = Command::new(&self.wine);
            self.configure(&mut cmd, prefix.dir());
            cmd.args(["wineboot", "-i"])
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err);
            let status = run_with_timeout(cmd, Duration::from_secs(300)).map_err(|source| {
                MsiexecError::Io {
                    what: "run wineboot".into(),
                    source,
                }
            })?;
            self.wait_server(prefix.dir());
            if status != Some(0) || !prefix.dir().join("system.reg").is_file() {
                let output = std::fs::read_to_string(&out_path).unwrap_or_default();
                return Err(MsiexecError::Setup(format!(
                    "`wine wineboot -i` could not create the prefix `{}`:\n{}",
                    prefix.dir().display(),
                    session::tail(&output, 2000)
                )));
            }
            std::fs::create_dir_all(prefix.session_dir()).map_err(|source| MsiexecError::Io {
                what: "create C:\\msiconf in the prefix".into(),
                source,
            })?;
        }
        Ok(())
    }

    fn server(&self, prefix: &Path, arg: &str) {
        let mut cmd = Command::new(&self.wineserver);
        self.configure(&mut cmd, prefix);
        cmd.arg(arg)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let _ = run_with_timeout(cmd, Duration::from_secs(30));
    }

    /// Stops every Wine process of `prefix` (and only of it).
    pub fn kill_server(&self, prefix: &Path) {
        self.server(prefix, "-k");
    }

    /// Waits until the prefix's wineserver has exited.
    pub fn wait_server(&self, prefix: &Path) {
        self.server(prefix, "-w");
    }
}

/// Runs a command to completion or kills it; the exit code, `None` if killed or signalled.
fn run_with_timeout(mut cmd: Command, limit: Duration) -> std::io::Result<Option<i32>> {
    let mut child = cmd.spawn()?;
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status.code());
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// How sessions are started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One long-lived agent per worker runs every session in-process (the default).
    Agent,
    /// One `wine cmd /c run.bat` (package host, then `msiexec`) per session.
    PerSession,
}

/// The environment variable that selects [`Mode::PerSession`] (`per-session`).
pub const MODE_ENV: &str = "MSICONF_MSIEXEC_MODE";

impl Mode {
    /// The mode `MSICONF_MSIEXEC_MODE` names: `per-session`, or the agent for anything else.
    pub fn from_env() -> Mode {
        match std::env::var(MODE_ENV).as_deref() {
            Ok("per-session") => Mode::PerSession,
            _ => Mode::Agent,
        }
    }
}

/// How to set the runtime up.
#[derive(Debug, Clone)]
pub struct MsiexecOptions {
    /// Where prefixes, probes and kept logs go (default: `<target>/msiconf/wine`).
    pub root: PathBuf,
    /// The most prefixes used at once (default: the number of cores).
    pub workers: usize,
    /// The PATH to find Wine on (default: this process's PATH).
    pub path: Option<OsString>,
    /// How sessions are started (default: [`Mode::from_env`]).
    pub mode: Mode,
}

impl Default for MsiexecOptions {
    fn default() -> MsiexecOptions {
        MsiexecOptions {
            root: default_root(),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            path: None,
            mode: Mode::from_env(),
        }
    }
}

/// `MSICONF_WINE_DIR`, or `msiconf/wine` in the nearest `target` directory
/// above the executable (`target` in the current folder for an installed
/// msiconf), made absolute: Wine refuses a relative `WINEPREFIX`.
pub fn default_root() -> PathBuf {
    let root = configured_root();
    std::path::absolute(&root).unwrap_or(root)
}

fn configured_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("MSICONF_WINE_DIR") {
        return PathBuf::from(dir);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            let exe = std::env::current_exe().ok()?;
            exe.ancestors()
                .find(|a| a.file_name() == Some(OsStr::new("target")))
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("msiconf").join("wine")
}

/// The real engine under Wine.
#[derive(Debug)]
pub struct MsiexecRuntime {
    /// Wine, for local workers (`None` for a remote agent).
    tools: Option<WineTools>,
    /// A remote agent's address and token (`msiexec@HOST:PORT`).
    remote: Option<(std::net::SocketAddr, String)>,
    probes: probes::BuiltProbes,
    pool: PrefixPool,
    root: PathBuf,
    version: String,
    mode: Mode,
    /// Nanoseconds spent from starting Wine to its exit, over every session.
    wine_nanos: AtomicU64,
    /// Agents started so far (each one after the first of a worker replaces one that died or hung).
    agent_starts: AtomicU64,
    /// Transcripts by plan, with the profile of the run that executed it (if
    /// known): checking a second profile re-reads, it does not re-run Wine.
    cache: Mutex<HashMap<String, Arc<Mutex<Option<Kept>>>>>,
}

/// A transcript kept for a second run of the same plan.
#[derive(Debug, Clone)]
struct Kept {
    transcript: Transcript,
    /// The profile of the run it was executed for (`None` outside `msiconf run`).
    profile: Option<Profile>,
}

/// One process-wide runtime, shared by every `--runtime msiexec` run (both
/// profiles); the profile of the run it serves, once known, lets it say which
/// transcripts it executed for another profile's run.
#[derive(Debug, Clone)]
pub struct SharedMsiexec(pub Arc<MsiexecRuntime>, pub Option<Profile>);

impl SharedMsiexec {
    /// The same runtime, serving a run under `profile`.
    pub fn for_profile(self, profile: Profile) -> SharedMsiexec {
        SharedMsiexec(self.0, Some(profile))
    }
}

/// An agent started by [`MsiexecRuntime::spawn_listening_agent`]; killed
/// (with its prefix's processes) when dropped.
#[derive(Debug)]
pub struct ListeningAgent {
    child: std::process::Child,
    prefix: Prefix,
    tools: WineTools,
    /// Where it listens.
    pub addr: std::net::SocketAddr,
}

impl Drop for ListeningAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.tools.kill_server(self.prefix.dir());
    }
}

/// How a remote agent's runtime is spelt: `msiexec@HOST:PORT`.
pub const REMOTE_PREFIX: &str = "msiexec@";

/// The process-wide runtime for the agent at `target` (`HOST:PORT`), with the
/// token from `MSICONF_AGENT_TOKEN`, connected on first use.
pub fn shared_remote(target: &str) -> Result<SharedMsiexec, String> {
    use std::net::ToSocketAddrs;
    static REMOTES: OnceLock<Mutex<HashMap<String, Arc<MsiexecRuntime>>>> = OnceLock::new();
    let mut map = REMOTES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(rt) = map.get(target) {
        return Ok(SharedMsiexec(Arc::clone(rt), None));
    }
    let token = std::env::var(agent::TOKEN_ENV)
        .ok()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| format!("set {} to the agent's token", agent::TOKEN_ENV))?;
    let addr = target
        .to_socket_addrs()
        .map_err(|e| format!("`{target}` is not a HOST:PORT address: {e}"))?
        .next()
        .ok_or_else(|| format!("`{target}` names no address"))?;
    let rt =
        MsiexecRuntime::remote(addr, &token, MsiexecOptions::default()).map_err(|e| e.chain())?;
    let rt = Arc::new(rt);
    map.insert(target.to_owned(), Arc::clone(&rt));
    Ok(SharedMsiexec(rt, None))
}

/// The process-wide runtime with default options, created (and its prefixes booted) on first use.
pub fn shared() -> Result<SharedMsiexec, String> {
    static SHARED: OnceLock<Result<Arc<MsiexecRuntime>, String>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let rt = MsiexecRuntime::new(MsiexecOptions::default()).map_err(|e| e.chain())?;
            rt.warm_up().map_err(|e| e.chain())?;
            Ok(Arc::new(rt))
        })
        .clone()
        .map(|rt| SharedMsiexec(rt, None))
}

impl Runtime for SharedMsiexec {
    fn info(&self) -> RuntimeInfo {
        self.0.info()
    }

    fn execute(&self, plan: &Plan, timeout: Duration) -> Result<Transcript, RuntimeError> {
        self.0.execute_for(plan, timeout, self.1)
    }

    fn transcript_reused_from(&self, plan: &Plan, profile: Profile) -> Option<Profile> {
        self.0.executed_for(plan).filter(|p| *p != profile)
    }

    fn cost_hint(&self, plan: &Plan) -> u32 {
        self.0.cost_hint(plan)
    }
}

impl MsiexecRuntime {
    /// Finds Wine, builds the probes if needed and prepares the prefix pool.
    pub fn new(options: MsiexecOptions) -> Result<MsiexecRuntime, MsiexecError> {
        let tools = WineTools::locate(options.path.clone())?;
        let search = options
            .path
            .clone()
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or_default();
        let probes = probes::ensure(&options.root, &search)?;
        let version = wine_version(&tools);
        Ok(MsiexecRuntime {
            pool: PrefixPool::new(options.root.join("prefixes"), options.workers),
            root: options.root,
            tools: Some(tools),
            remote: None,
            probes,
            version,
            mode: options.mode,
            cache: Mutex::new(HashMap::new()),
            wine_nanos: AtomicU64::new(0),
            agent_starts: AtomicU64::new(0),
        })
    }

    /// The engine on another machine: an agent (`msiconf-agent.exe --listen
    /// ADDR:PORT`) at `addr` that accepts `token`. One worker; the probes are
    /// still built here (they travel inside the packages), Wine is not needed.
    pub fn remote(
        addr: std::net::SocketAddr,
        token: &str,
        options: MsiexecOptions,
    ) -> Result<MsiexecRuntime, MsiexecError> {
        let search = options
            .path
            .clone()
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or_default();
        let probes = probes::ensure(&options.root, &search)?;
        let first = agent::Agent::connect(addr, token)?;
        let version = format!("{} at {addr}", first.banner);
        let pool = PrefixPool::remote(options.root.join("remote"));
        let mut slot = pool.acquire(None)?;
        slot.agent = Some(first);
        pool.release(slot);
        Ok(MsiexecRuntime {
            pool,
            root: options.root,
            tools: None,
            remote: Some((addr, token.to_owned())),
            probes,
            version,
            mode: Mode::Agent,
            cache: Mutex::new(HashMap::new()),
            wine_nanos: AtomicU64::new(0),
            agent_starts: AtomicU64::new(1),
        })
    }

    /// Creates every worker's prefix now (about 9 s each, in parallel, the
    /// first time ever), so that no case pays for it inside its time limit.
    pub fn warm_up(&self) -> Result<(), MsiexecError> {
        let taken: Vec<Result<Prefix, MsiexecError>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..self.pool.max())
                .map(|_| {
                    s.spawn(|| {
                        let mut p = self.pool.acquire(self.tools.as_ref())?;
                        if self.mode == Mode::Agent && p.agent.is_none() {
                            if let Err(e) = self.start_agent(&mut p) {
                                self.pool.release(p);
                                return Err(e);
                            }
                        }
                        Ok(p)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(MsiexecError::Setup(
                            "a prefix set-up thread panicked".into(),
                        ))
                    })
                })
                .collect()
        });
        let mut first_error = None;
        for t in taken {
            match t {
                Ok(p) => self.pool.release(p),
                Err(e) => first_error = first_error.or(Some(e)),
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// The time spent inside Wine (start to exit) over every session so far.
    pub fn wine_time(&self) -> Duration {
        Duration::from_nanos(self.wine_nanos.load(Ordering::Relaxed))
    }

    /// How sessions are started.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    fn count(&self, out: &session::SessionOutput) {
        let n = u64::try_from(out.wine_time.as_nanos()).unwrap_or(u64::MAX);
        self.wine_nanos.fetch_add(n, Ordering::Relaxed);
    }

    /// The most sessions this runtime runs at once.
    pub fn workers(&self) -> usize {
        self.pool.max()
    }

    /// Takes a prefix for one plan (creating it the first time), runs `f`, gives it back.
    fn with_prefix<T>(&self, f: impl FnOnce(&mut Prefix) -> T) -> Result<T, MsiexecError> {
        let mut prefix = self.pool.acquire(self.tools.as_ref())?;
        let out = f(&mut prefix);
        self.pool.release(prefix);
        Ok(out)
    }

    /// Runs an empty install session (the bare cost the benchmark reports).
    pub fn bare_session(&self, timeout: Duration) -> Result<Duration, MsiexecError> {
        let mut plan = Plan {
            fixture: msiconf_spec::Fixture::standard(),
            ..Plan::default()
        };
        plan.install = Some(msiconf_spec::InstallOptions::default());
        let start = Instant::now();
        let t = self.run_plan(&plan, timeout)?;
        if t.install_result != Some(0) {
            return Err(MsiexecError::Setup(format!(
                "an empty install returned {:?} instead of 0",
                t.install_result
            )));
        }
        Ok(start.elapsed())
    }

    /// The relative cost of `plan` that [`Runtime::cost_hint`] reports: its
    /// isolated sessions. Each is a session more, ends with the worker's
    /// agent and wineserver being replaced, and the nested install among
    /// them takes Wine about 10 s; started last, such a plan keeps one
    /// worker busy after the others are done.
    pub fn cost(plan: &Plan) -> u32 {
        u32::try_from(split::dangerous_groups(plan).len()).unwrap_or(u32::MAX)
    }

    /// How many msiexec sessions `plan` needs (one, plus one per isolated operation).
    pub fn sessions_needed(plan: &Plan) -> usize {
        1 + split::dangerous_groups(plan).len()
    }

    fn run_plan(&self, plan: &Plan, timeout: Duration) -> Result<Transcript, MsiexecError> {
        let map = package::ProbeMap::for_plan(plan)?;
        let script_probes: Vec<(&str, &msiconf_spec::ProbeScript)> = map
            .script
            .iter()
            .filter_map(|n| plan.probes.get(n).map(|s| (n.as_str(), s)))
            .collect();
        let binaries = package::ProbeBinaries {
            dll: &self.probes.dll,
            exe: &self.probes.exe,
        };
        let code = package_code(plan);
        let needs_script = !script_probes.is_empty() || uses_script_binary(plan);
        // One package per selection: the JScript probe has the selection compiled in.
        // Each session's package gets its own package code, as distinct packages should.
        // Each session's token is compiled into its JScript probe, so it is chosen here.
        let build = |sel: &session::Selection, n: u128| {
            let token = format!("{:x}{:x}", std::process::id(), session::next_token());
            let js = needs_script
                .then(|| script::generate(&script_probes, session::PACKAGE_PATH, &token, sel));
            package::build(plan, &binaries, js.as_deref(), code ^ (n << 96)).map(|p| (p, token))
        };
        let groups = split::dangerous_groups(plan);
        let main_sel = split::main_selection(&groups);
        let main_pkg = build(&main_sel, 0)?;
        let isolated: Vec<(session::Selection, (package::BuiltPackage, String))> = groups
            .iter()
            .enumerate()
            .map(|(n, g)| {
                let sel = split::isolated_selection(&groups, g);
                build(&sel, n as u128 + 1).map(|p| (sel, p))
            })
            .collect::<Result<_, _>>()?;
        let deadline = Instant::now() + timeout;
        let host = self.probes.host.as_path();
        self.with_prefix(|prefix| {
            let left = || deadline.saturating_duration_since(Instant::now());
            let mut main = self.session(
                prefix,
                session_input(plan, &map, &main_pkg, host),
                &main_sel,
                left(),
            )?;
            // A launch that Wine fumbled before anything ran is infrastructure,
            // not the engine: try it again, a bounded number of times.
            for _ in 0..LAUNCH_RETRIES {
                if !main.never_started() {
                    break;
                }
                self.reset(prefix);
                main = self.session(
                    prefix,
                    session_input(plan, &map, &main_pkg, host),
                    &main_sel,
                    left(),
                )?;
            }
            if !main.problems.is_empty() {
                return Err(self.crashed(prefix, &main, "the session", &main_pkg.0.bytes));
            }
            let mut transcript = main.transcript;
            let mut event_runs = main.event_runs;
            for (group, (sel, pkg)) in groups.iter().zip(&isolated) {
                let iso =
                    self.session(prefix, session_input(plan, &map, pkg, host), sel, left())?;
                // The isolated session is expected to go down after its
                // operation; only a missing result for it is an error.
                let attributed = split::Attributed {
                    transcript: &iso.transcript,
                    event_runs: &iso.event_runs,
                };
                if !split::splice(&mut transcript, &mut event_runs, attributed, group) {
                    return Err(self.crashed(prefix, &iso, "the isolated session", &pkg.0.bytes));
                }
                // The session may have gone down, or left the engine in a state
                // the next session would see (an agent kept after an isolated
                // session made a later UI-sequence session lose its probe under
                // load): start the next session from fresh processes.
                self.reset(prefix);
            }
            Ok(transcript)
        })?
    }

    /// Runs one session in `prefix` the way the runtime's mode says.
    fn session(
        &self,
        prefix: &mut Prefix,
        input: session::SessionInput<'_>,
        sel: &session::Selection,
        limit: Duration,
    ) -> Result<session::SessionOutput, MsiexecError> {
        let out = match self.mode {
            Mode::PerSession => session::run(self.wine()?, prefix, input, sel, limit)?,
            Mode::Agent => self.on_agent(prefix, input, sel, limit)?,
        };
        self.count(&out);
        Ok(out)
    }

    /// Runs one session on the prefix's agent, starting one if there is none.
    /// An agent found dead when the job is sent is replaced once; a session
    /// that timed out or lost its agent leaves no agent behind.
    fn on_agent(
        &self,
        prefix: &mut Prefix,
        input: session::SessionInput<'_>,
        sel: &session::Selection,
        limit: Duration,
    ) -> Result<session::SessionOutput, MsiexecError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            if prefix.agent.is_none() {
                self.start_agent(prefix)?;
            }
            let Some(agent) = prefix.agent.as_mut() else {
                continue;
            };
            match session::run_agent(agent, input, sel, limit) {
                Ok(out) => {
                    if out.agent_gone || out.engine_faulted() {
                        self.reset(prefix);
                    }
                    return Ok(out);
                }
                Err(e @ MsiexecError::Unsupported(_)) => return Err(e),
                Err(MsiexecError::Io { .. }) if attempt == 1 => self.reset(prefix),
                Err(e) => {
                    self.reset(prefix);
                    return Err(e);
                }
            }
        }
    }

    fn start_agent(&self, prefix: &mut Prefix) -> Result<(), MsiexecError> {
        let started = match &self.remote {
            Some((addr, token)) => agent::Agent::connect(*addr, token)?,
            None => agent::Agent::start(self.wine()?, prefix, &self.probes.agent)?,
        };
        prefix.agent = Some(started);
        self.agent_starts.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// How many agents this runtime has started: one per worker, plus one
    /// for each agent that crashed, hung or was lost.
    pub fn agent_starts(&self) -> u64 {
        self.agent_starts.load(Ordering::Relaxed)
    }

    /// Starts an agent under Wine the way a Windows machine runs it (listening
    /// with `token`, serving one harness after another) in one of this
    /// runtime's prefixes: the tests and the bench reach it as `msiexec@ADDR`.
    pub fn spawn_listening_agent(&self, token: &str) -> Result<ListeningAgent, MsiexecError> {
        let tools = self.wine()?.clone();
        let prefix = self.pool.acquire(Some(&tools))?;
        let (child, port) =
            agent::spawn_listener(&tools, &prefix, &self.probes.agent, token, false)?;
        Ok(ListeningAgent {
            child,
            prefix,
            tools,
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        })
    }

    /// Ends every idle worker's agent and Wine processes and waits until each
    /// prefix's wineserver is gone, so that whatever runs next in these
    /// prefixes starts a wineserver of its own rather than meet a dying one.
    pub fn shut_down(&self) {
        self.pool.for_each_free(|p| {
            self.reset(p);
            if let Some(t) = &self.tools {
                t.wait_server(p.dir());
            }
        });
    }

    fn wine(&self) -> Result<&WineTools, MsiexecError> {
        self.tools.as_ref().ok_or(MsiexecError::WineMissing("wine"))
    }

    /// Ends every Wine process of the prefix, its agent included.
    fn reset(&self, prefix: &mut Prefix) {
        match prefix.agent.take() {
            Some(a) => match &self.tools {
                Some(t) => a.kill(t),
                None => drop(a),
            },
            None => {
                if let Some(t) = &self.tools {
                    t.kill_server(prefix.dir());
                }
            }
        }
    }

    /// Keeps the logs of a failed session and describes the failure.
    fn crashed(
        &self,
        prefix: &mut Prefix,
        out: &session::SessionOutput,
        which: &str,
        package: &[u8],
    ) -> MsiexecError {
        let kept = self.root.join("failures").join(format!(
            "{}-{}-{}",
            std::process::id(),
            prefix.index(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis())
        ));
        let _ = std::fs::create_dir_all(&kept);
        let _ = std::fs::write(kept.join("problems.txt"), out.problems.join("\n") + "\n");
        let _ = std::fs::write(kept.join("install.log"), &out.log);
        let _ = std::fs::write(kept.join("wine-output.txt"), &out.wine_output);
        let _ = std::fs::write(kept.join("pkg.msi"), package);
        let _ = std::fs::write(kept.join("js.txt"), &out.script);
        self.reset(prefix);
        MsiexecError::Crashed {
            message: format!(
                "{which} failed: {} (logs kept in `{}`)",
                out.problems.join("; "),
                kept.display()
            ),
            output: session::tail(&format!("{}\n{}", out.wine_output, out.log), 4000),
        }
    }
}

fn session_input<'a>(
    plan: &'a Plan,
    map: &'a package::ProbeMap,
    (built, token): &'a (package::BuiltPackage, String),
    host: &'a Path,
) -> session::SessionInput<'a> {
    session::SessionInput {
        plan,
        map,
        package: &built.bytes,
        host,
        token,
    }
}

fn uses_script_binary(plan: &Plan) -> bool {
    plan.fixture
        .custom_actions
        .iter()
        .any(|r| r.source.as_deref() == Some(msiconf_spec::plan::PROBE_SCRIPT))
}

/// The package code of a plan: a function of the plan alone, so that a case
/// reading `PackageCode` sees the same value on every run.
fn package_code(plan: &Plan) -> u128 {
    use std::hash::{Hash, Hasher};
    let text = serde_json::to_string(plan).unwrap_or_else(|_| format!("{plan:?}"));
    let mut lo = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut lo);
    let mut hi = std::collections::hash_map::DefaultHasher::new();
    (text.len(), &text).hash(&mut hi);
    let raw = (u128::from(hi.finish()) << 64) | u128::from(lo.finish());
    // Version 4 and variant bits, so that the GUID looks like any other.
    (raw & !(0xF000u128 << 64) | (0x4000u128 << 64)) & !(0xC000u128 << 48) | (0x8000u128 << 48)
}

fn wine_version(tools: &WineTools) -> String {
    let mut cmd = Command::new(&tools.wine);
    cmd.arg("--version");
    if let Some(p) = &tools.path {
        cmd.env("PATH", p);
    }
    cmd.output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "wine (unknown version)".to_owned())
}

/// The contexts the probes really run in.
pub const CONTEXTS: &[Context] = &Context::ALL;

impl Runtime for MsiexecRuntime {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            name: match &self.remote {
                Some((addr, _)) => format!("{REMOTE_PREFIX}{addr}"),
                None => "msiexec".to_owned(),
            },
            version: self.version.clone(),
            contexts: CONTEXTS.to_vec(),
            operations: OpKind::ALL.to_vec(),
        }
    }

    fn execute(&self, plan: &Plan, timeout: Duration) -> Result<Transcript, RuntimeError> {
        self.execute_for(plan, timeout, None)
    }

    fn cost_hint(&self, plan: &Plan) -> u32 {
        MsiexecRuntime::cost(plan)
    }
}

impl MsiexecRuntime {
    fn cache_key(plan: &Plan) -> String {
        serde_json::to_string(plan).unwrap_or_else(|_| format!("{plan:?}"))
    }

    /// Executes `plan` for a run under `profile`, or gives back the
    /// transcript an earlier run got for the same plan.
    pub fn execute_for(
        &self,
        plan: &Plan,
        timeout: Duration,
        profile: Option<Profile>,
    ) -> Result<Transcript, RuntimeError> {
        if let Some(reason) = self.info().unsupported_reason(plan) {
            return Err(RuntimeError::Unsupported { reason });
        }
        let slot = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(cache.entry(Self::cache_key(plan)).or_default())
        };
        // Held while Wine runs, so a second request for the same plan waits for the first.
        let mut cached = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(kept) = cached.as_ref() {
            return Ok(kept.transcript.clone());
        }
        // Errors are not kept: a timeout under load says nothing about the next try.
        let t = self.execute_uncached(plan, timeout)?;
        *cached = Some(Kept {
            transcript: t.clone(),
            profile,
        });
        Ok(t)
    }

    /// The profile of the run that executed `plan`, if it has been executed
    /// for a run under a known profile.
    pub fn executed_for(&self, plan: &Plan) -> Option<Profile> {
        let slot = {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.get(&Self::cache_key(plan)).map(Arc::clone)?
        };
        let kept = slot.lock().unwrap_or_else(|e| e.into_inner());
        kept.as_ref().and_then(|k| k.profile)
    }

    /// Runs `plan` in Wine even if this runtime has run it before (the load
    /// test compares two runs of the same plans).
    pub fn execute_uncached(
        &self,
        plan: &Plan,
        timeout: Duration,
    ) -> Result<Transcript, RuntimeError> {
        if let Some(reason) = self.info().unsupported_reason(plan) {
            return Err(RuntimeError::Unsupported { reason });
        }
        // A timeout reports the plan's whole limit: the session that ran out had
        // only what package building and earlier sessions left of it.
        self.run_plan(plan, timeout).map_err(|e| {
            RuntimeError::from(match e {
                MsiexecError::Timeout { output, .. } => MsiexecError::Timeout {
                    seconds: timeout.as_secs_f64(),
                    output,
                },
                other => other,
            })
        })
    }
}
