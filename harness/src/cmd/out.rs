//! Printing that a closed pipe cannot turn into a panic.
//!
//! `println!` panics when standard output is a pipe whose reader has gone
//! (`msiconf runtimes | head -1`), because Rust ignores SIGPIPE. The commands
//! print through [`print`] instead, which returns the error, and `main` ends
//! quietly with exit code 0 on a broken pipe: the reader has all it wanted.
//! Notes on standard error go through [`note`], which never fails: a closed
//! standard error must not cost the reports a run is writing.

use std::io::{self, Write as _};

/// Writes `text` to standard output and flushes it. ANSI styles in `text`
/// are kept only where colour is wanted (`--color`, `NO_COLOR`, a terminal).
pub fn print(text: &str) -> io::Result<()> {
    let mut out = anstream::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Writes one line to standard error, ignoring any failure to do so.
pub fn note(line: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Whether `error` (or an error it wraps) is a write to a closed pipe.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
