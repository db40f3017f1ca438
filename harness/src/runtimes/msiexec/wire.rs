//! The line protocol spoken with the C probes (see `probe/wire.h`).
//!
//! Requests are tab-separated fields; a string is `=` followed by its
//! percent-encoded UTF-8, and a lone `-` is a NULL pointer. Replies are
//! `key=value` fields. The JScript probe writes its results in the same reply
//! format (its `encodeURIComponent` output decodes with the same rules).

use std::collections::BTreeMap;

/// Percent-encodes the bytes that could break a line or a field.
pub fn pct_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b <= 0x20 || b >= 0x7f || b == b'%' || b == b',' || b == b'=' {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out
}

/// Decodes `%XX` escapes; anything else passes through. Invalid UTF-8 is replaced.
pub fn pct_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One request field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A string, or NULL for `None`.
    Str(Option<String>),
    /// A number (handles, modes, sizes).
    Num(i64),
    /// A bare word (buffer modes).
    Word(&'static str),
}

impl Arg {
    /// A string argument.
    pub fn s(s: &str) -> Arg {
        Arg::Str(Some(s.to_owned()))
    }

    /// An optional string argument (`None` is NULL).
    pub fn opt(s: &Option<String>) -> Arg {
        Arg::Str(s.clone())
    }

    /// A numeric argument.
    pub fn n(n: impl Into<i64>) -> Arg {
        Arg::Num(n.into())
    }
}

/// Formats a request line (with its newline).
pub fn request(op: &str, args: &[Arg]) -> String {
    let mut line = op.to_owned();
    for a in args {
        line.push('\t');
        match a {
            Arg::Str(None) => line.push('-'),
            Arg::Str(Some(s)) => {
                line.push('=');
                line.push_str(&pct_encode(s));
            }
            Arg::Num(n) => line.push_str(&n.to_string()),
            Arg::Word(w) => line.push_str(w),
        }
    }
    line.push('\n');
    line
}

/// A probe's answer to one request (or one line of the JScript probe's results).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// Scalar fields, decoded.
    pub fields: BTreeMap<String, String>,
    /// `row=` fields in order, each as its cells.
    pub rows: Vec<Vec<String>>,
}

impl Reply {
    /// Parses reply fields (tab-separated `key=value`).
    pub fn parse(line: &str) -> Reply {
        let mut reply = Reply::default();
        for field in line.split('\t').filter(|f| !f.is_empty()) {
            let (key, value) = field.split_once('=').unwrap_or((field, ""));
            if key == "row" {
                reply.rows.push(parse_row(value));
            } else {
                reply.fields.insert(key.to_owned(), pct_decode(value));
            }
        }
        reply
    }

    /// A decoded string field.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    /// An unsigned numeric field.
    pub fn u32(&self, key: &str) -> Option<u32> {
        self.fields.get(key).and_then(|v| v.parse().ok())
    }

    /// A signed numeric field.
    pub fn i64(&self, key: &str) -> Option<i64> {
        self.fields.get(key).and_then(|v| v.parse().ok())
    }
}

/// A row is `<count>,<cell>,<cell>...`, each cell percent-encoded.
fn parse_row(v: &str) -> Vec<String> {
    let mut parts = v.split(',');
    let count: usize = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    let mut cells: Vec<String> = parts.map(pct_decode).collect();
    cells.resize(count, String::new());
    cells
}

/// What a probe says when it connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    /// The session token from the port file.
    pub token: String,
    /// `dll`, `exe` or `pkg`.
    pub kind: String,
    /// The entry point or EXE tag number (-1: none).
    pub index: i64,
    /// The install handle (DLL), the package handle (package host), 0 (EXE).
    pub handle: u32,
    /// The probe's process id.
    pub pid: u32,
    /// For the package host, what MsiOpenPackageW returned.
    pub rc: u32,
}

impl Hello {
    /// Parses `HELLO\ttoken\tkind\tindex\thandle\tpid\trc`.
    pub fn parse(line: &str) -> Option<Hello> {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 7 || f[0] != "HELLO" {
            return None;
        }
        Some(Hello {
            token: f[1].to_owned(),
            kind: f[2].to_owned(),
            index: f[3].parse().ok()?,
            handle: f[4].parse().ok()?,
            pid: f[5].parse().ok()?,
            rc: f[6].parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_awkward_text() {
        for s in [
            "",
            "plain",
            "tab\there",
            "a\0b",
            "x=y,z%",
            "naïve ü €",
            "line\r\nend",
        ] {
            let enc = pct_encode(s);
            assert!(!enc.contains(['\t', '\n', '\0', ',', '=']), "{enc:?}");
            assert_eq!(pct_decode(&enc), s);
        }
    }

    #[test]
    fn decoding_leaves_stray_percent_signs() {
        assert_eq!(pct_decode("100%"), "100%");
        assert_eq!(pct_decode("%4"), "%4");
        assert_eq!(pct_decode("%zz"), "%zz");
    }

    #[test]
    fn requests_mark_null_and_strings_apart() {
        let line = request(
            "getprop",
            &[Arg::n(7), Arg::Str(None), Arg::s(""), Arg::s("a\tb")],
        );
        assert_eq!(line, "getprop\t7\t-\t=\t=a%09b\n");
    }

    #[test]
    fn replies_parse_fields_and_rows() {
        let r = Reply::parse("rc=0\tsize=3\tbuf=xyz%00\trow=2,1,one\trow=3,,%2C,");
        assert_eq!(r.u32("rc"), Some(0));
        assert_eq!(r.u32("size"), Some(3));
        assert_eq!(r.text("buf"), Some("xyz\0"));
        assert_eq!(
            r.rows,
            vec![
                vec!["1".to_owned(), "one".to_owned()],
                vec![String::new(), ",".to_owned(), String::new()]
            ]
        );
    }

    #[test]
    fn hello_needs_every_field() {
        let h = Hello::parse("HELLO\tabc\tdll\t3\t12\t99\t0").unwrap();
        assert_eq!((h.kind.as_str(), h.index, h.handle), ("dll", 3, 12));
        assert!(Hello::parse("HELLO\tabc\tdll").is_none());
        assert!(Hello::parse("GARBAGE").is_none());
    }
}
