//! The harness side of the agent (`probe/agent.c`): one long-lived Windows
//! process per worker that runs install sessions in-process and relays the
//! probes' connections over its own.
//!
//! Frames (`probe/agent_frame.h`): a 13-byte head (payload length, kind, job,
//! channel; little-endian) and the payload. The job number is the session's
//! token on this connection: frames of any other job are dropped, so a late
//! frame of an earlier session cannot land in the next one.

use super::prefix::Prefix;
use super::{MsiexecError, WineTools};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// The frame protocol version both sides speak.
pub const VERSION: u32 = 1;
/// Bytes in a frame head.
pub const HEAD: usize = 13;
/// The largest payload either side accepts (a package or a log is far smaller).
pub const MAX_FRAME: usize = 256 * 1024 * 1024;

/// The environment variable the agent (and `msiexec@HOST:PORT`) reads the token from.
pub const TOKEN_ENV: &str = "MSICONF_AGENT_TOKEN";

/// What a frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Harness to agent, first: the token.
    Auth,
    /// Harness to agent: a session to run.
    Job,
    /// Harness to agent: end the process.
    Quit,
    /// Either way: bytes of one probe connection.
    Data,
    /// Either way: a probe connection ended, or is to be closed.
    Eof,
    /// Agent to harness: authenticated, with its version and pid.
    Ready,
    /// Agent to harness: a probe connected.
    Open,
    /// Agent to harness: bytes the JScript probe appended to its results file.
    Script,
    /// Agent to harness: the session is over; its results and log.
    Finished,
    /// Agent to harness: the job was not started.
    Refused,
    /// Agent to harness: the agent itself crashed.
    Crashed,
}

impl Kind {
    const ALL: [(Kind, u8); 11] = [
        (Kind::Auth, b'A'),
        (Kind::Job, b'J'),
        (Kind::Quit, b'Q'),
        (Kind::Data, b'D'),
        (Kind::Eof, b'E'),
        (Kind::Ready, b'R'),
        (Kind::Open, b'O'),
        (Kind::Script, b'S'),
        (Kind::Finished, b'F'),
        (Kind::Refused, b'X'),
        (Kind::Crashed, b'C'),
    ];

    fn byte(self) -> u8 {
        Kind::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or(b'?', |(_, b)| *b)
    }

    fn from_byte(b: u8) -> Option<Kind> {
        Kind::ALL.iter().find(|(_, x)| *x == b).map(|(k, _)| *k)
    }
}

/// One frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// What it is.
    pub kind: Kind,
    /// The session it belongs to (0: none).
    pub job: u32,
    /// The probe connection it belongs to (0: none).
    pub chan: u32,
    /// Its bytes.
    pub payload: Vec<u8>,
}

/// Encodes a frame.
pub fn encode(kind: Kind, job: u32, chan: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEAD + payload.len());
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.push(kind.byte());
    out.extend_from_slice(&job.to_le_bytes());
    out.extend_from_slice(&chan.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Reads one frame; `Ok(None)` at a clean end of stream.
pub fn read_frame(r: &mut impl Read) -> std::io::Result<Option<Frame>> {
    let mut head = [0u8; HEAD];
    match r.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let word = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let len = word(0) as usize;
    let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    if len > MAX_FRAME {
        return Err(bad(format!("a frame of {len} bytes is over the limit")));
    }
    let kind = Kind::from_byte(head[4])
        .ok_or_else(|| bad(format!("unknown frame kind {:?}", char::from(head[4]))))?;
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload)?;
    Ok(Some(Frame {
        kind,
        job: word(5),
        chan: word(9),
        payload,
    }))
}

/// The job frame's payload: a header line, then the package bytes.
pub fn job_payload(job: &Job<'_>) -> Vec<u8> {
    let head = format!(
        "{}\t{}\t{}\t{}\t={}\n",
        job.token,
        job.ui,
        u8::from(job.package_script),
        u8::from(job.command_line.is_some()),
        super::wire::pct_encode(job.command_line.unwrap_or(""))
    );
    let mut out = head.into_bytes();
    out.extend_from_slice(job.package);
    out
}

/// One session for the agent to run.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    /// The token probes say hello with.
    pub token: &'a str,
    /// The internal UI level (`INSTALLUILEVEL`: 2 none, 3 basic, 4 reduced, 5 full).
    pub ui: u32,
    /// Whether the package script runs (on `MsiOpenPackageW`) before the install.
    pub package_script: bool,
    /// The install's command line (`None`: the plan has no install).
    pub command_line: Option<&'a str>,
    /// The package.
    pub package: &'a [u8],
}

/// What the `Finished` frame says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Finished {
    /// What `MsiInstallProductW` returned (`None`: no install was asked for).
    pub install: Option<u32>,
    /// What `MsiOpenPackageW` returned for the package script (`None`: none ran).
    pub host: Option<u32>,
    /// The verbose log.
    pub log: Vec<u8>,
}

/// Parses a `Finished` payload: `install=<rc>|-\thost=<rc>|-<rc>\n` and the log.
pub fn parse_finished(payload: &[u8]) -> Option<Finished> {
    let nl = payload.iter().position(|b| *b == b'\n')?;
    let head = std::str::from_utf8(&payload[..nl]).ok()?;
    let mut out = Finished {
        log: payload[nl + 1..].to_vec(),
        ..Finished::default()
    };
    for field in head.split('\t') {
        let (key, value) = field.split_once('=')?;
        let number = if value.starts_with('-') {
            None
        } else {
            Some(value.parse::<u32>().ok()?)
        };
        match key {
            "install" => out.install = number,
            "host" => out.host = number,
            _ => return None,
        }
    }
    Some(out)
}

/// Where an agent runs.
#[derive(Debug)]
enum Host {
    /// Under Wine in one of our prefixes: the wine process, the prefix to kill
    /// on a hang, and the file its stdout and stderr (Wine's included) go to.
    Wine {
        child: Child,
        prefix: PathBuf,
        output: PathBuf,
    },
    /// Somewhere else (a Windows machine): nothing to kill from here.
    Remote,
}

/// An authenticated connection, before it knows where its agent runs.
struct Link {
    writer: TcpStream,
    frames: Receiver<std::io::Result<Option<Frame>>>,
    banner: String,
}

impl Link {
    fn into_agent(self, addr: SocketAddr, host: Host) -> Agent {
        Agent {
            writer: self.writer,
            frames: self.frames,
            host,
            next_job: 1,
            banner: self.banner,
            addr,
        }
    }
}

/// A connected, authenticated agent.
#[derive(Debug)]
pub struct Agent {
    writer: TcpStream,
    frames: Receiver<std::io::Result<Option<Frame>>>,
    host: Host,
    next_job: u32,
    /// What the agent said when it accepted the token.
    pub banner: String,
    /// Where it listens.
    pub addr: SocketAddr,
}

/// How long an agent may take to start and answer the token.
pub const START_LIMIT: Duration = Duration::from_secs(60);

impl Agent {
    /// Starts an agent under Wine in `prefix` and connects to it.
    ///
    /// One attempt, one handshake: the agent writes its port file only once
    /// it listens, and the harness removes the old file before starting it,
    /// so the port read is this agent's and connecting to it cannot be
    /// refused while it lives. The failed starts that a handshake retry and
    /// three start attempts used to paper over came from two workers sharing
    /// one prefix (the lock that is now a `flock`), whose port files and
    /// `wineserver -k` clashed. An agent that still fails to start is an
    /// error naming the prefix and its output; a dead agent found when a job
    /// is sent is still replaced once (`MsiexecRuntime::on_agent`).
    pub fn start(tools: &WineTools, prefix: &Prefix, exe: &Path) -> Result<Agent, MsiexecError> {
        let token = format!("{:016x}", super::session::next_token());
        let (mut child, port) = spawn_listener(tools, prefix, exe, &token, true)?;
        let output = output_path(prefix);
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        match Agent::handshake(addr, &token) {
            Ok(link) => Ok(link.into_agent(
                addr,
                Host::Wine {
                    child,
                    prefix: prefix.dir().to_path_buf(),
                    output,
                },
            )),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                tools.kill_server(prefix.dir());
                Err(e)
            }
        }
    }

    /// Connects to an agent someone else started (a Windows machine).
    pub fn connect(addr: SocketAddr, token: &str) -> Result<Agent, MsiexecError> {
        Ok(Agent::handshake(addr, token)?.into_agent(addr, Host::Remote))
    }

    fn handshake(addr: SocketAddr, token: &str) -> Result<Link, MsiexecError> {
        let fail = |what: String| MsiexecError::Setup(format!("agent at {addr}: {what}"));
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
            .map_err(|e| fail(format!("cannot connect: {e}")))?;
        let _ = stream.set_nodelay(true);
        let mut reader = stream
            .try_clone()
            .map_err(|e| fail(format!("cannot share the socket: {e}")))?;
        let mut writer = stream;
        writer
            .write_all(&encode(Kind::Auth, 0, 0, token.as_bytes()))
            .map_err(|e| fail(format!("cannot send the token: {e}")))?;
        let _ = reader.set_read_timeout(Some(Duration::from_secs(10)));
        let banner = match read_frame(&mut reader) {
            Ok(Some(f)) if f.kind == Kind::Ready => {
                String::from_utf8_lossy(&f.payload).into_owned()
            }
            Ok(_) => {
                return Err(fail(
                    "closed the connection: wrong token, or not an msiconf agent".to_owned(),
                ))
            }
            Err(e) => return Err(fail(format!("gave no answer to the token: {e}"))),
        };
        let version_ok = banner
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.parse::<u32>().ok())
            == Some(VERSION);
        if !version_ok {
            return Err(fail(format!(
                "speaks `{banner}`, this harness speaks version {VERSION}"
            )));
        }
        let _ = reader.set_read_timeout(None);
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = std::io::BufReader::with_capacity(65536, reader);
            loop {
                let f = read_frame(&mut r);
                let end = !matches!(f, Ok(Some(_)));
                if tx.send(f).is_err() || end {
                    return;
                }
            }
        });
        Ok(Link {
            writer,
            frames: rx,
            banner,
        })
    }

    /// Sends a frame.
    pub fn send(&mut self, kind: Kind, job: u32, chan: u32, payload: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(&encode(kind, job, chan, payload))
    }

    /// A second handle on the connection, for the relayed probe channels.
    pub fn writer(&self) -> std::io::Result<TcpStream> {
        self.writer.try_clone()
    }

    /// Sends a job and returns its number.
    pub fn submit(&mut self, job: &Job<'_>) -> std::io::Result<u32> {
        let id = self.next_job;
        self.next_job = self.next_job.wrapping_add(1).max(1);
        self.send(Kind::Job, id, 0, &job_payload(job))?;
        Ok(id)
    }

    /// The next frame, waiting at most `limit`. `Err(None)` on timeout,
    /// `Err(Some(why))` when the connection is gone.
    pub fn next_frame(&self, limit: Duration) -> Result<Frame, Option<String>> {
        match self.frames.recv_timeout(limit) {
            Ok(Ok(Some(f))) => Ok(f),
            Ok(Ok(None)) => Err(Some("the agent closed its connection".to_owned())),
            Ok(Err(e)) => Err(Some(format!("the agent connection failed: {e}"))),
            Err(RecvTimeoutError::Timeout) => Err(None),
            Err(RecvTimeoutError::Disconnected) => {
                Err(Some("the agent connection is closed".to_owned()))
            }
        }
    }

    /// Whether the agent runs under Wine (and can be killed from here).
    pub fn is_local(&self) -> bool {
        matches!(self.host, Host::Wine { .. })
    }

    /// For the logs of a failed session: what the agent's process printed
    /// (its own lines and Wine's) and whether it has ended. With `settle`,
    /// a process that lost its connection gets a moment to end, so that its
    /// last lines and its exit status are in. Empty for a remote agent.
    pub fn post_mortem(&mut self, settle: bool) -> String {
        let Host::Wine { child, output, .. } = &mut self.host else {
            return String::new();
        };
        let until = Instant::now() + Duration::from_secs(if settle { 2 } else { 0 });
        let mut status = child.try_wait().ok().flatten();
        while status.is_none() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
            status = child.try_wait().ok().flatten();
        }
        let printed = std::fs::read(&*output).unwrap_or_default();
        format!(
            "{} (wine pid {}): {}\n--- its output ({}):\n{}",
            self.banner,
            child.id(),
            status.map_or("still running".to_owned(), |s| format!("ended, {s}")),
            output.display(),
            String::from_utf8_lossy(&printed)
        )
    }

    /// Ends the agent: under Wine, kills it and every process of its prefix;
    /// a remote agent only loses its connection.
    pub fn kill(mut self, tools: &WineTools) {
        let _ = self.writer.shutdown(std::net::Shutdown::Both);
        if let Host::Wine { child, prefix, .. } = &mut self.host {
            let _ = child.kill();
            let _ = child.wait();
            tools.kill_server(prefix);
        }
    }
}

/// Starts `agent.exe` under Wine in `prefix`, listening on a free loopback
/// port with `token`, and returns the process and its port. `once` ends the
/// agent with its first connection (the harness's own agents); without it the
/// agent serves one harness after another, as on a Windows machine.
pub fn spawn_listener(
    tools: &WineTools,
    prefix: &Prefix,
    exe: &Path,
    token: &str,
    once: bool,
) -> Result<(Child, u16), MsiexecError> {
    let io = |what: &str| {
        let what = what.to_owned();
        move |source| MsiexecError::Io { what, source }
    };
    let dir = prefix.session_dir();
    let copy = dir.join("agent.exe");
    // Compared by content: a rebuilt agent often has the same size as the old one.
    let wanted = std::fs::read(exe).map_err(io("read the built agent"))?;
    if std::fs::read(&copy).ok().as_deref() != Some(wanted.as_slice()) {
        std::fs::write(&copy, &wanted).map_err(io("copy the agent into the prefix"))?;
    }
    let port_file = dir.join("agent-port.txt");
    let _ = std::fs::remove_file(&port_file);
    let out_path = output_path(prefix);
    let out = std::fs::File::create(&out_path).map_err(io("create the agent output file"))?;
    let err = out.try_clone().map_err(io("open the agent output file"))?;
    let mut cmd = Command::new(&tools.wine);
    tools.configure(&mut cmd, prefix.dir());
    // The token goes through the environment, which other users cannot read.
    cmd.env(TOKEN_ENV, token)
        .arg(format!("{}\\agent.exe", super::session::WIN_DIR))
        .args(["--listen", "127.0.0.1:0", "--port-file"])
        .arg(format!("{}\\agent-port.txt", super::session::WIN_DIR))
        .args(once.then_some("--once"))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    let mut child = cmd.spawn().map_err(io("start the agent under wine"))?;
    let started = Instant::now();
    loop {
        if let Some(p) = std::fs::read_to_string(&port_file)
            .ok()
            .filter(|t| t.ends_with('\n'))
            .and_then(|t| t.trim().parse::<u16>().ok())
        {
            return Ok((child, p));
        }
        let gone = child.try_wait().ok().flatten();
        if gone.is_some() || started.elapsed() > START_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            tools.kill_server(prefix.dir());
            let output = std::fs::read_to_string(&out_path).unwrap_or_default();
            return Err(MsiexecError::Setup(format!(
                "the agent did not start in the prefix `{}` ({}):\n{}",
                prefix.dir().display(),
                gone.map_or("no port after 60 s".to_owned(), |s| s.to_string()),
                super::session::tail(&output, 2000)
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Where a local agent's stdout and stderr go (one file, replaced by the next agent).
fn output_path(prefix: &Prefix) -> PathBuf {
    prefix.dir().join("agent-output.txt")
}

impl Drop for Agent {
    fn drop(&mut self) {
        // A remote agent is someone else's to stop: it only loses this connection.
        if self.is_local() {
            let _ = self.writer.write_all(&encode(Kind::Quit, 0, 0, &[]));
        }
        let _ = self.writer.shutdown(std::net::Shutdown::Both);
        if let Host::Wine { child, .. } = &mut self.host {
            // It ends by itself once its connection is gone (`--once`); make sure.
            let until = Instant::now() + Duration::from_secs(2);
            while Instant::now() < until && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let bytes = encode(Kind::Data, 7, 3, b"getlang\t1\n");
        assert_eq!(bytes.len(), HEAD + 10);
        assert_eq!(&bytes[..5], &[10, 0, 0, 0, b'D']);
        let f = read_frame(&mut &bytes[..]).unwrap().unwrap();
        assert_eq!(
            f,
            Frame {
                kind: Kind::Data,
                job: 7,
                chan: 3,
                payload: b"getlang\t1\n".to_vec()
            }
        );
        assert!(read_frame(&mut &[][..]).unwrap().is_none());
    }

    #[test]
    fn unknown_kinds_and_oversized_frames_are_refused() {
        let mut bad = encode(Kind::Data, 1, 1, b"x");
        bad[4] = b'?';
        assert!(read_frame(&mut &bad[..]).is_err());
        let mut huge = encode(Kind::Data, 1, 1, b"");
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(read_frame(&mut &huge[..]).is_err());
        // A head cut short is an error, not a clean end.
        assert!(read_frame(&mut &encode(Kind::Data, 1, 1, b"abc")[..15]).is_err());
    }

    #[test]
    fn job_payload_carries_the_header_then_the_package() {
        let job = Job {
            token: "t0k",
            ui: 4,
            package_script: true,
            command_line: Some("ACTION=\"custom\" X=\"a\tb\""),
            package: b"\xd0\xcf\x11\xe0",
        };
        let p = job_payload(&job);
        let nl = p.iter().position(|b| *b == b'\n').unwrap();
        assert_eq!(
            std::str::from_utf8(&p[..nl]).unwrap(),
            "t0k\t4\t1\t1\t=ACTION%3D\"custom\"%20X%3D\"a%09b\""
        );
        assert_eq!(&p[nl + 1..], b"\xd0\xcf\x11\xe0");
        let none = job_payload(&Job {
            command_line: None,
            package_script: false,
            ..job
        });
        assert!(none.starts_with(b"t0k\t4\t0\t0\t=\n"));
    }

    #[test]
    fn finished_payloads_parse_or_are_refused() {
        let f = parse_finished(b"install=1603\thost=-0\nlog text").unwrap();
        assert_eq!(f.install, Some(1603));
        assert_eq!(f.host, None);
        assert_eq!(f.log, b"log text");
        let g = parse_finished(b"install=-\thost=1619\n").unwrap();
        assert_eq!((g.install, g.host), (None, Some(1619)));
        assert!(parse_finished(b"install=x\thost=0\n").is_none());
        assert!(parse_finished(b"install=0").is_none());
        assert!(parse_finished(b"other=1\n").is_none());
    }
}
