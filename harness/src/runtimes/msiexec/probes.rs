//! Builds the C probes with the mingw-w64 cross compiler, once per source version.
//!
//! The sources are compiled into the harness binary, so a build of `msiconf`
//! always drives probes that speak its own protocol; the output directory is
//! named after a hash of the sources, so an edited probe is rebuilt.

use super::MsiexecError;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

// WIRE_H, OPS_H, PROBE_C, HOST_C, PROBEEXE_C, AGENT_C and AGENT_FRAME_H:
// the sources of `probe/`, embedded by build.rs (so a packaged crate has them too).
include!(concat!(env!("OUT_DIR"), "/embedded_probes.rs"));

/// The cross compiler the probes need.
pub const COMPILER: &str = "x86_64-w64-mingw32-gcc";

/// The built probe programs.
#[derive(Debug, Clone)]
pub struct BuiltProbes {
    /// The directory holding them.
    pub dir: PathBuf,
    /// The probe DLL's bytes.
    pub dll: Vec<u8>,
    /// The EXE probe's bytes (untagged).
    pub exe: Vec<u8>,
    /// The package host's path.
    pub host: PathBuf,
    /// The agent's path.
    pub agent: PathBuf,
}

fn source_hash() -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for s in [
        WIRE_H,
        OPS_H,
        PROBE_C,
        HOST_C,
        PROBEEXE_C,
        AGENT_C,
        AGENT_FRAME_H,
    ] {
        s.hash(&mut h);
    }
    h.finish()
}

/// Returns the probes for this source version under `root`, building them if
/// needed with the cross compiler found on `path`.
pub fn ensure(root: &Path, path: &std::ffi::OsStr) -> Result<BuiltProbes, MsiexecError> {
    let dir = root.join(format!("probe-{:016x}", source_hash()));
    let dll = dir.join("probe.dll");
    let exe = dir.join("probeexe.exe");
    let host = dir.join("host.exe");
    let agent = dir.join("agent.exe");
    if !(dll.is_file() && exe.is_file() && host.is_file() && agent.is_file()) {
        let compiler = super::find_on(path, COMPILER).ok_or(MsiexecError::CompilerMissing)?;
        build(&dir, &compiler)?;
    }
    let read = |p: &Path| {
        std::fs::read(p).map_err(|source| MsiexecError::Io {
            what: format!("read probe `{}`", p.display()),
            source,
        })
    };
    Ok(BuiltProbes {
        dll: read(&dll)?,
        exe: read(&exe)?,
        host,
        agent,
        dir,
    })
}

fn build(dir: &Path, compiler: &Path) -> Result<(), MsiexecError> {
    // Build in a scratch directory and rename it into place, so a concurrent
    // or interrupted build never leaves a half-written probe behind.
    let scratch = dir.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let io = |what: &str| {
        let what = what.to_owned();
        move |source| MsiexecError::Io { what, source }
    };
    std::fs::create_dir_all(&scratch).map_err(io("create the probe build directory"))?;
    for (name, text) in [
        ("wire.h", WIRE_H),
        ("ops.h", OPS_H),
        ("probe.c", PROBE_C),
        ("host.c", HOST_C),
        ("probeexe.c", PROBEEXE_C),
        ("agent.c", AGENT_C),
        ("agent_frame.h", AGENT_FRAME_H),
    ] {
        std::fs::write(scratch.join(name), text).map_err(io("write the probe sources"))?;
    }
    let flags = [
        "-O2",
        "-Wall",
        "-Wno-unused-function",
        "-s",
        "-static-libgcc",
    ];
    let jobs: [(&str, &[&str], &str); 4] = [
        (
            "probe.dll",
            &[
                "-shared", "probe.c", "-lmsi", "-lws2_32", "-lole32", "-luuid",
            ],
            "the probe DLL",
        ),
        (
            "host.exe",
            &[
                "-municode",
                "host.c",
                "-lmsi",
                "-lws2_32",
                "-lole32",
                "-luuid",
            ],
            "the package host",
        ),
        ("probeexe.exe", &["probeexe.c", "-lws2_32"], "the EXE probe"),
        (
            "agent.exe",
            &["agent.c", "-lmsi", "-lws2_32", "-lole32", "-luuid"],
            "the agent",
        ),
    ];
    for (out, args, what) in jobs {
        let log = std::fs::File::create(scratch.join(format!("{out}.log")))
            .map_err(io("create the compiler log"))?;
        let status = Command::new(compiler)
            .current_dir(&scratch)
            .args(flags)
            .arg("-o")
            .arg(out)
            .args(args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(io("open the compiler log"))?)
            .stderr(log)
            .status();
        let status = match status {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(MsiexecError::CompilerMissing)
            }
            Err(source) => return Err(io("run the cross compiler")(source)),
        };
        if !status.success() {
            let log =
                std::fs::read_to_string(scratch.join(format!("{out}.log"))).unwrap_or_default();
            return Err(MsiexecError::ProbeBuild {
                what: what.to_owned(),
                log,
            });
        }
    }
    match std::fs::rename(&scratch, dir) {
        Ok(()) => Ok(()),
        // Another worker finished first: its copy is as good as ours.
        Err(_) if dir.join("probe.dll").is_file() => {
            let _ = std::fs::remove_dir_all(&scratch);
            Ok(())
        }
        Err(source) => Err(io("move the built probes into place")(source)),
    }
}
