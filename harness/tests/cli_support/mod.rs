//! What the `msiconf` command-line tests share: running the binary, reading
//! its exit code and output, and a suite folder with one case that the
//! reference passes and a broken runtime fails.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn msiconf(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_msiconf"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("msiconf runs")
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("msiconf exits normally")
}

pub fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A case that the reference passes and `broken:action-lookup-ignores-case` fails.
pub const CASE_SENSITIVE: &str = r#"description = "DoAction does not find an action by another case"
rules = ["DOACTION-CASE"]

[[steps]]
context = "package"
call = { do-action = { action = "costinitialize" } }
expect = { rc = 1626 }
"#;

pub const BROKEN: &str = "broken:action-lookup-ignores-case";

pub fn suite(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let path = dir.path().join("cases").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    dir
}
