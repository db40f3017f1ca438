//! The process protocol: how the harness talks to a runtime in another process.
//!
//! Newline-delimited JSON over the program's stdin and stdout; its stderr is
//! its log. `docs/protocol.md` is the prose specification and
//! `docs/protocol/*.schema.json` the schema of every message; this module is the
//! one implementation both sides of msiconf use (the `cmd:` runtime and
//! `msiconf serve`).

mod framing;
mod message;
mod validate;

pub use framing::{encode_line, read_frame, show_line, Frame, MAX_LINE_BYTES};
pub use message::{Capabilities, ErrorKind, Request, Response, RunRequestRef, PROTOCOL_VERSION};
pub use validate::{validate_transcript, TranscriptMismatch};
