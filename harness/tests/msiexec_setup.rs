//! Set-up failures of the msiexec runtime, which need no Wine to test.

use msiconf::runtimes::msiexec::{Mode, MsiexecError, MsiexecOptions, MsiexecRuntime};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

fn options(path: &std::path::Path, root: &std::path::Path) -> MsiexecOptions {
    MsiexecOptions {
        root: root.to_path_buf(),
        workers: 1,
        path: Some(path.as_os_str().to_owned()),
        mode: Mode::Agent,
    }
}

#[test]
fn wine_missing_is_a_setup_error_naming_the_install_script() {
    let empty = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let err = MsiexecRuntime::new(options(empty.path(), root.path())).unwrap_err();
    assert!(matches!(err, MsiexecError::WineMissing("wine")), "{err:?}");
    assert!(err.to_string().contains("scripts/install-wine.sh"), "{err}");
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn wine_missing_makes_the_command_exit_2() {
    let empty = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_msiconf-wine"))
        .arg("check")
        .env("PATH", empty.path())
        .env("MSICONF_WINE_DIR", root.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`wine` was not found on PATH"), "{stderr}");
    assert!(stderr.contains("scripts/install-wine.sh"), "{stderr}");
}

#[test]
fn compiler_missing_is_a_setup_error_naming_the_install_script() {
    // Stand-ins for wine and wineserver, so that only the compiler is missing.
    let bin = tempfile::tempdir().unwrap();
    for name in ["wine", "wineserver"] {
        let p = bin.path().join(name);
        std::fs::write(&p, "#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let root = tempfile::tempdir().unwrap();
    let err = MsiexecRuntime::new(options(bin.path(), root.path())).unwrap_err();
    assert!(matches!(err, MsiexecError::CompilerMissing), "{err:?}");
    assert!(err.to_string().contains("x86_64-w64-mingw32-gcc"), "{err}");
    assert!(err.to_string().contains("scripts/install-wine.sh"), "{err}");
}

#[test]
fn msiconf_run_with_wine_missing_exits_2_naming_the_install_script() {
    let empty = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let out = Command::new(env!("CARGO_BIN_EXE_msiconf"))
        .args(["run", "--runtime", "msiexec", "--cases"])
        .arg(&cases)
        .env("PATH", empty.path())
        .env("MSICONF_WINE_DIR", root.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("runtime `msiexec` cannot start"),
        "{stderr}"
    );
    assert!(stderr.contains("scripts/install-wine.sh"), "{stderr}");
}
