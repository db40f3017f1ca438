//! Report files are written whole or not at all.

use msiconf::report::atomic::{write_atomic, write_atomic_with};
use std::fs;
use std::io::{self, Write};
use std::path::Path;

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn writes_a_new_file_and_replaces_an_old_one_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    write_atomic(&path, "first version, fairly long\n").unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "first version, fairly long\n"
    );
    // A shorter file replaces a longer one without leftovers from the old contents.
    write_atomic(&path, "2nd\n").unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "2nd\n");
    assert_eq!(
        entries(dir.path()),
        ["report.json"],
        "no temporary file left"
    );
}

#[test]
fn a_failed_write_leaves_the_old_report_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    fs::write(&path, "the previous complete report").unwrap();
    let err = write_atomic_with(&path, |file| {
        file.write_all(b"<html>half of a rep")?;
        // While the new report is half written, readers still see the old one...
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "the previous complete report"
        );
        // ...and the half is in a temporary file beside it, not in the report.
        let others: Vec<String> = entries(dir.path())
            .into_iter()
            .filter(|n| n != "report.html")
            .collect();
        assert_eq!(others.len(), 1, "{others:?}");
        assert!(others[0].starts_with(".report.html.") && others[0].ends_with(".tmp"));
        Err(io::Error::other("interrupted"))
    })
    .unwrap_err();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "the previous complete report"
    );
    assert_eq!(
        entries(dir.path()),
        ["report.html"],
        "the temporary file is removed"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("report.html") && msg.contains("cannot write the contents"),
        "{msg}"
    );
    assert_eq!(
        std::error::Error::source(&err)
            .map(|s| s.to_string())
            .as_deref(),
        Some("interrupted")
    );
}

#[test]
fn a_failed_first_write_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xml");
    let _ = write_atomic_with(&path, |_| Err(io::Error::other("disk full")));
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn a_missing_directory_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/report.md");
    let err = write_atomic(&path, "x").unwrap_err();
    assert!(err.to_string().contains("no/such/dir/report.md"), "{err}");
    assert!(
        err.to_string().starts_with("failed to write report"),
        "{err}"
    );
}

#[test]
fn a_path_without_a_file_name_is_an_error() {
    let err = write_atomic(Path::new("/"), "x").unwrap_err();
    assert!(err.to_string().contains("names no file"), "{err}");
}

#[cfg(unix)]
#[test]
fn permissions_are_those_of_a_normal_file_or_the_replaced_one() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    write_atomic(&path, "a").unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "not the temporary file's private 0600");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    write_atomic(&path, "b").unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "the replaced file's mode is kept");
}
