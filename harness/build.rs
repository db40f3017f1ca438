//! Builds the conformance cases into the binary, so that an installed
//! `msiconf` runs the whole suite from any directory, and names the suite's
//! revision: a content hash of every case file, shown by `msiconf --version`.
//!
//! The cases are read from `../cases` next to this package. Where that folder
//! is absent (a packaged crate unpacked elsewhere), nothing is embedded and
//! `msiconf` needs `--cases DIR`.

use std::path::{Path, PathBuf};

include!("src/case/revision.rs");

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("..").join("cases");
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
    println!("cargo::rustc-env=MSICONF_SUITE_CASES={}", files.len());
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
