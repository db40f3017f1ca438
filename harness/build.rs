//! Builds the conformance cases and the probe sources into the binary, so
//! that an installed `msiconf` runs the whole suite from any directory (and
//! builds the msiexec probes from the sources it carries), and names the
//! suite's revision: a content hash of every case file, shown by
//! `msiconf --version`.
//!
//! Both are read from `cases/` and `probe/` in this package: links to the
//! workspace's `../cases` and `../probe`, which `cargo package` follows, so a
//! packaged crate carries them as files. A checkout that made the links plain
//! files (Git on Windows without symlinks) falls back to the workspace's
//! folders. Without cases nothing is embedded and `msiconf` needs
//! `--cases DIR`; without probe sources the build stops, naming the folders.

use std::path::{Path, PathBuf};

include!("src/case/revision.rs");

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = beside(&manifest, "cases");
    // A folder here makes cargo look at every file below it for changes.
    println!("cargo::rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    if root.is_dir() {
        collect(&root, &root, &mut files);
    }
    files.sort();
    let mut contents = Vec::new();
    let mut table = String::from("&[\n");
    for (name, path) in &files {
        contents.push((
            name.as_str(),
            std::fs::read(path).expect("case file readable"),
        ));
        table.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    table.push(']');
    let revision = suite_revision(contents.iter().map(|(n, c)| (*n, c.as_slice())));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(
        out.join("embedded_cases.rs"),
        format!(
            "/// The case files built in, by path under `cases/` (`/`-separated), in path order.\n\
             pub const FILES: &[(&str, &str)] = {table};\n"
        ),
    )
    .expect("OUT_DIR writable");
    println!("cargo::rustc-env=MSICONF_SUITE_REVISION={revision}");
    embed_probes(&manifest, &out);
    println!("cargo::rustc-env=MSICONF_SUITE_CASES={}", files.len());
}

/// `NAME` in this package if it is a folder there, else the workspace's.
fn beside(manifest: &Path, name: &str) -> PathBuf {
    let here = manifest.join(name);
    if here.is_dir() {
        here
    } else {
        manifest.join("..").join(name)
    }
}

/// The probe sources the msiexec runtime compiles, as constants of `embedded_probes.rs`.
fn embed_probes(manifest: &Path, out: &Path) {
    const SOURCES: [(&str, &str); 7] = [
        ("WIRE_H", "wire.h"),
        ("OPS_H", "ops.h"),
        ("PROBE_C", "probe.c"),
        ("HOST_C", "host.c"),
        ("PROBEEXE_C", "probeexe.c"),
        ("AGENT_C", "agent.c"),
        ("AGENT_FRAME_H", "agent_frame.h"),
    ];
    let dir = beside(manifest, "probe");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut code = String::new();
    for (name, file) in SOURCES {
        let path = dir.join(file);
        assert!(
            path.is_file(),
            "the probe source `{}` is missing: msiconf embeds `probe/` from {} or {}",
            path.display(),
            manifest.join("probe").display(),
            manifest.join("..").join("probe").display()
        );
        code.push_str(&format!(
            "const {name}: &str = include_str!({:?});\n",
            path.display().to_string()
        ));
    }
    std::fs::write(out.join("embedded_probes.rs"), code).expect("OUT_DIR writable");
}

/// Every case file (`*.toml`) below `dir` but hidden ones, as (`/`-separated path under `root`, path).
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let entries = std::fs::read_dir(dir).expect("cases folder readable");
    for entry in entries {
        let entry = entry.expect("cases folder readable");
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            let rel = path.strip_prefix(root).expect("below the root");
            let name: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((name.join("/"), path));
        }
    }
}
