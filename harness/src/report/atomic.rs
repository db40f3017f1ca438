//! Writing report files so that a reader never sees half of one.
//!
//! The contents go to a temporary file in the target's own directory (a rename
//! is atomic only within one file system), are flushed to disk, and only then
//! renamed over the target. An interrupted run leaves either the old file or
//! the new one, never a truncated report; the temporary file is removed on
//! every error path that returns.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a report file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("failed to write report `{}`: {what}", path.display())]
pub struct AtomicWriteError {
    /// The file we tried to write.
    pub path: PathBuf,
    /// The step that failed.
    pub what: &'static str,
    /// The underlying error.
    #[source]
    pub source: io::Error,
}

/// Writes `contents` to `path` atomically: temporary file, fsync, rename.
pub fn write_atomic(path: &Path, contents: impl AsRef<[u8]>) -> Result<(), AtomicWriteError> {
    write_atomic_with(path, |file| file.write_all(contents.as_ref()))
}

/// Like [`write_atomic`], with the contents produced by `write` straight into
/// the temporary file. If `write` fails, the target is left untouched.
pub fn write_atomic_with<F>(path: &Path, write: F) -> Result<(), AtomicWriteError>
where
    F: FnOnce(&mut fs::File) -> io::Result<()>,
{
    let err = |what: &'static str| {
        move |source: io::Error| AtomicWriteError {
            path: path.to_owned(),
            what,
            source,
        }
    };
    let file_name = path.file_name().ok_or_else(|| {
        err("the path names no file")(io::Error::new(io::ErrorKind::InvalidInput, "no file name"))
    })?;
    let dir = directory_of(path);
    // A dot-prefixed name next to the target, so a crash leaves an obviously
    // temporary file rather than a plausible-looking report.
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err("cannot create a temporary file next to it"))?;
    write(tmp.as_file_mut()).map_err(err("cannot write the contents"))?;
    tmp.as_file_mut()
        .flush()
        .map_err(err("cannot flush the contents"))?;
    tmp.as_file()
        .sync_all()
        .map_err(err("cannot sync the contents to disk"))?;
    set_permissions(tmp.as_file(), path).map_err(err("cannot set its permissions"))?;
    tmp.persist(path)
        .map_err(|e| err("cannot rename the temporary file over it")(e.error))?;
    sync_dir(dir).map_err(err("cannot sync its directory"))?;
    Ok(())
}

/// The directory `path` is in: `.` for a bare file name, whose parent is empty.
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Temporary files are private (0600); a report should be as readable as any
/// file the user writes, or keep the mode of the file it replaces.
#[cfg(unix)]
fn set_permissions(file: &fs::File, target: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = match fs::metadata(target) {
        Ok(m) => m.permissions().mode() & 0o7777,
        Err(_) => 0o644,
    };
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_permissions(_file: &fs::File, _target: &Path) -> io::Result<()> {
    Ok(())
}

/// Makes the rename itself durable. Only Unix lets a directory be opened and synced.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_file_name_is_in_the_current_directory() {
        assert_eq!(directory_of(Path::new("report.json")), Path::new("."));
        assert_eq!(directory_of(Path::new("out/report.json")), Path::new("out"));
        assert_eq!(directory_of(Path::new("/tmp/r.json")), Path::new("/tmp"));
    }
}
