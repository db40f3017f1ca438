//! Newline-delimited framing, with a bound on line length so a runaway program
//! cannot make the harness buffer without limit.

use serde::Serialize;
use std::io::{self, BufRead};

/// The longest line either side accepts (64 MiB): far above any real plan or transcript.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// What one read from a stream gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A complete line, without its `\n` (and without a `\r` before it).
    Line(Vec<u8>),
    /// A line longer than the limit: its first bytes, the rest discarded up to the next `\n`.
    TooLong(Vec<u8>),
    /// The stream ended. Bytes after the last `\n` are returned as a final `Line` first.
    Eof,
}

/// Reads the next frame, never holding more than `max` bytes of one line.
pub fn read_frame<R: BufRead + ?Sized>(reader: &mut R, max: usize) -> io::Result<Frame> {
    let mut line = Vec::new();
    let mut overflowed = false;
    loop {
        let (done, used) = {
            let buf = match reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                // End of stream: a final unterminated line still counts.
                if line.is_empty() && !overflowed {
                    return Ok(Frame::Eof);
                }
                break;
            }
            match buf.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    take(&mut line, &buf[..i], max, &mut overflowed);
                    (true, i + 1)
                }
                None => {
                    take(&mut line, buf, max, &mut overflowed);
                    (false, buf.len())
                }
            }
        };
        reader.consume(used);
        if done {
            break;
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(if overflowed {
        Frame::TooLong(line)
    } else {
        Frame::Line(line)
    })
}

fn take(line: &mut Vec<u8>, bytes: &[u8], max: usize, overflowed: &mut bool) {
    let room = max.saturating_sub(line.len());
    if bytes.len() > room {
        *overflowed = true;
    }
    line.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// Serialises a message as one line, `\n` included. serde_json never writes a
/// raw newline inside a value, so the result is always exactly one frame.
pub fn encode_line<T: Serialize + ?Sized>(message: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec(message).expect("protocol messages always serialise");
    out.push(b'\n');
    out
}

/// A line as error messages quote it: lossy UTF-8, cut after 16 KiB so a
/// report stays readable when a runtime prints a whole file on one line.
pub fn show_line(line: &[u8]) -> String {
    const SHOWN: usize = 16 << 10;
    let text = String::from_utf8_lossy(&line[..line.len().min(SHOWN)]).into_owned();
    if line.len() > SHOWN {
        format!("{text}… ({} more bytes)", line.len() - SHOWN)
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8], max: usize) -> Vec<Frame> {
        // A one-byte buffer exercises lines that span many reads.
        let mut reader = io::BufReader::with_capacity(1, input);
        let mut out = Vec::new();
        loop {
            let f = read_frame(&mut reader, max).unwrap();
            let end = f == Frame::Eof;
            out.push(f);
            if end {
                return out;
            }
        }
    }

    #[test]
    fn splits_lines_and_strips_carriage_returns() {
        assert_eq!(
            frames(b"ab\r\n\ncd", 100),
            vec![
                Frame::Line(b"ab".to_vec()),
                Frame::Line(Vec::new()),
                Frame::Line(b"cd".to_vec()),
                Frame::Eof
            ]
        );
    }

    #[test]
    fn overlong_lines_are_cut_and_the_stream_resynchronises() {
        assert_eq!(
            frames(b"abcdefgh\nxy\n", 3),
            vec![
                Frame::TooLong(b"abc".to_vec()),
                Frame::Line(b"xy".to_vec()),
                Frame::Eof
            ]
        );
    }

    #[test]
    fn show_line_cuts_long_lines() {
        let long = vec![b'a'; 20 << 10];
        let shown = show_line(&long);
        assert!(
            shown.ends_with("(4096 more bytes)"),
            "{}",
            &shown[shown.len() - 40..]
        );
        assert_eq!(show_line(b"\xffok"), "\u{fffd}ok");
    }
}
