//! Records: the field arrays MsiCreateRecord makes and the MsiRecord*
//! functions read and write, as the reference pages and Windows (Wine's
//! record.c, which runs there too) describe them.
//!
//! A record has fields 0 to its field count; field 0 is the template field.
//! A field is Null, an integer or a string; the getters convert between the
//! two, and reads beyond the last field see a Null field.

use crate::codes::rc;
use crate::Buffer;

/// The most fields MsiCreateRecord accepts ("limited to 65535").
pub const MAX_FIELDS: u32 = 65535;

/// MSI_NULL_INTEGER: what MsiRecordGetInteger returns for a Null or non-numeric field.
pub const NULL_INTEGER: i32 = i32::MIN;

/// What MsiRecordGetFieldCount returns for a handle that is not a record.
pub const BAD_FIELD_COUNT: i32 = -1;

/// The error record the reference model keeps after a query that does not
/// parse: field 1 holds an internal error number (the sources settle only
/// that there is one), here 2228 with its three message arguments after it.
pub const ERROR_RECORD_SQL_CODE: i64 = 2228;
pub const ERROR_RECORD_FIELDS: i64 = 4;

/// One field's content.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field {
    #[default]
    Null,
    Int(i32),
    Str(String),
    /// A stream (MsiRecordSetStream): its bytes and how far reading has got.
    Stream {
        data: Vec<u8>,
        pos: usize,
    },
}

/// The size MsiRecordReadStream leaves in place when it reads nothing: what
/// the caller passed in (None without a size pointer).
pub fn size_left_alone(buffer: Buffer) -> Option<u32> {
    match buffer {
        Buffer::NullSize | Buffer::NullBoth => None,
        Buffer::Ample => Some(super::text::AMPLE_BUFFER),
        Buffer::Sized(n) | Buffer::NullBuffer(n) => Some(n),
    }
}

/// What one MsiRecordReadStream call answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRead {
    pub rc: u32,
    /// The size written back (None without a size pointer).
    pub size: Option<u32>,
    /// The bytes copied into the buffer, when a buffer received any.
    pub bytes: Option<Vec<u8>>,
}

/// A record's fields, 0 to `count()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    fields: Vec<Field>,
}

/// The integer MsiRecordGetInteger reads from a string field: an optional
/// minus sign and decimal digits, nothing around them, the value taken
/// modulo 2^32 as a C `int` accumulates it ("4294967297" reads as 1).
/// Anything else is not a number.
pub fn string_integer(s: &str) -> Option<i32> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.bytes().fold(0u32, |acc, b| {
        acc.wrapping_mul(10).wrapping_add(u32::from(b - b'0'))
    });
    let n = magnitude as i32;
    Some(if negative { n.wrapping_neg() } else { n })
}

impl Record {
    /// MsiCreateRecord(count): `None` (handle 0) beyond [`MAX_FIELDS`].
    pub fn create(count: u32) -> Option<Record> {
        (count <= MAX_FIELDS).then(|| Record {
            fields: vec![Field::Null; count as usize + 1],
        })
    }

    /// A record whose fields 1.. hold `texts` ("" stays Null), as the
    /// harness builds the records it passes to MsiFormatRecord and MsiProcessMessage.
    pub fn from_texts(template: Option<&str>, texts: &[String]) -> Record {
        let mut r = Record {
            fields: vec![Field::Null; texts.len() + 1],
        };
        if let Some(t) = template {
            r.set_string(0, Some(t));
        }
        for (i, t) in texts.iter().enumerate() {
            r.set_string(i as u32 + 1, Some(t));
        }
        r
    }

    /// MsiRecordGetFieldCount: the highest field index.
    pub fn count(&self) -> u32 {
        self.fields.len() as u32 - 1
    }

    /// The field at `index`, Null beyond the last one.
    pub fn field(&self, index: u32) -> &Field {
        const NULL: Field = Field::Null;
        self.fields.get(index as usize).unwrap_or(&NULL)
    }

    fn slot(&mut self, index: u32) -> Option<&mut Field> {
        self.fields.get_mut(index as usize)
    }

    /// MsiRecordSetString: Null or "" makes the field Null; a field beyond
    /// the count is ERROR_INVALID_PARAMETER.
    pub fn set_string(&mut self, index: u32, value: Option<&str>) -> u32 {
        let Some(f) = self.slot(index) else {
            return rc::INVALID_PARAMETER;
        };
        *f = match value {
            None | Some("") => Field::Null,
            Some(s) => Field::Str(s.to_owned()),
        };
        rc::SUCCESS
    }

    /// MsiRecordSetInteger: MSI_NULL_INTEGER makes the field Null.
    pub fn set_integer(&mut self, index: u32, value: i32) -> u32 {
        let Some(f) = self.slot(index) else {
            return rc::INVALID_PARAMETER;
        };
        *f = if value == NULL_INTEGER {
            Field::Null
        } else {
            Field::Int(value)
        };
        rc::SUCCESS
    }

    /// Whether field `index` holds a stream.
    pub fn is_stream(&self, index: u32) -> bool {
        matches!(self.field(index), Field::Stream { .. })
    }

    /// MsiRecordSetStream: with a file's bytes, field 0 and fields beyond the
    /// count are ERROR_INVALID_PARAMETER, any other field becomes a stream
    /// read from its start; with a NULL path a stream field is rewound, and
    /// any other field is ERROR_INVALID_PARAMETER (record.c `test_msirecord`).
    pub fn set_stream(&mut self, index: u32, data: Option<&[u8]>) -> u32 {
        if index == 0 && data.is_some() {
            return rc::INVALID_PARAMETER;
        }
        let Some(f) = self.slot(index) else {
            return rc::INVALID_PARAMETER;
        };
        match (data, f) {
            (Some(bytes), f) => {
                *f = Field::Stream {
                    data: bytes.to_vec(),
                    pos: 0,
                };
                rc::SUCCESS
            }
            (None, Field::Stream { pos, .. }) => {
                *pos = 0;
                rc::SUCCESS
            }
            (None, _) => rc::INVALID_PARAMETER,
        }
    }

    /// MsiRecordReadStream with `buffer` (its size in bytes): no size pointer
    /// is ERROR_INVALID_PARAMETER; a field holding no stream is
    /// ERROR_INVALID_DATATYPE with the size left as it was; no buffer gives
    /// the bytes left to read; otherwise as many bytes as fit are copied and
    /// reading moves on past them (at the end: success, 0 bytes).
    pub fn read_stream(&mut self, index: u32, buffer: Buffer) -> StreamRead {
        let fail = |rc, size| StreamRead {
            rc,
            size,
            bytes: None,
        };
        let Some(cap) = size_left_alone(buffer) else {
            return fail(rc::INVALID_PARAMETER, None);
        };
        let Some(f) = self.slot(index) else {
            return fail(rc::INVALID_PARAMETER, Some(cap));
        };
        let Field::Stream { data, pos } = f else {
            return fail(rc::INVALID_DATATYPE, Some(cap));
        };
        let left = data.len() - *pos;
        if let Buffer::NullBuffer(_) = buffer {
            return fail(rc::SUCCESS, Some(left as u32));
        }
        let k = left.min(cap as usize);
        let bytes = data[*pos..*pos + k].to_vec();
        *pos += k;
        StreamRead {
            rc: rc::SUCCESS,
            size: Some(k as u32),
            bytes: (k > 0).then_some(bytes),
        }
    }

    /// MsiRecordGetString's text: integers in decimal, Null as "" (and a
    /// stream as "": what the getter gives for one is not settled).
    pub fn string(&self, index: u32) -> String {
        match self.field(index) {
            Field::Null | Field::Stream { .. } => String::new(),
            Field::Int(n) => n.to_string(),
            Field::Str(s) => s.clone(),
        }
    }

    /// MsiRecordGetInteger.
    pub fn integer(&self, index: u32) -> i32 {
        match self.field(index) {
            Field::Null | Field::Stream { .. } => NULL_INTEGER,
            Field::Int(n) => *n,
            Field::Str(s) => string_integer(s).unwrap_or(NULL_INTEGER),
        }
    }

    /// MsiRecordIsNull: Null fields and fields beyond the count are Null.
    pub fn is_null(&self, index: u32) -> bool {
        *self.field(index) == Field::Null
    }

    /// MsiRecordDataSize: 4 (sizeof(int)) for an integer, the length in
    /// characters for a string, the whole length in bytes for a stream
    /// (however far it was read), 0 for Null.
    pub fn data_size(&self, index: u32) -> u32 {
        match self.field(index) {
            Field::Null => 0,
            Field::Int(_) => 4,
            Field::Str(s) => super::text::utf16_len(s),
            Field::Stream { data, .. } => data.len() as u32,
        }
    }

    /// MsiRecordClearData: every field Null, the count kept.
    pub fn clear(&mut self) {
        self.fields.iter_mut().for_each(|f| *f = Field::Null);
    }

    /// Extends the record so `index` is its last field, if it is beyond the count
    /// (only the broken runtimes do this).
    pub fn grow_to(&mut self, index: u32) {
        if index != u32::MAX && index as usize >= self.fields.len() && index <= MAX_FIELDS {
            self.fields.resize(index as usize + 1, Field::Null);
        }
    }

    /// Stores "" as a string instead of making the field Null (only the broken runtimes do this).
    pub fn set_empty_string(&mut self, index: u32) -> u32 {
        let Some(f) = self.slot(index) else {
            return rc::INVALID_PARAMETER;
        };
        *f = Field::Str(String::new());
        rc::SUCCESS
    }

    /// The fields 1.. as text, as a fetched row is reported.
    pub fn texts(&self) -> Vec<String> {
        (1..=self.count()).map(|i| self.string(i)).collect()
    }
}

/// What a record function answers for a handle that is no record, by function.
pub mod invalid {
    use super::*;

    /// MsiRecordGetFieldCount.
    pub const FIELD_COUNT: i32 = BAD_FIELD_COUNT;
    /// MsiRecordGetInteger.
    pub const INTEGER: i32 = NULL_INTEGER;
    /// MsiRecordDataSize.
    pub const DATA_SIZE: u32 = 0;
    /// MsiRecordSetString, MsiRecordSetInteger, MsiRecordClearData, MsiRecordGetString.
    pub const RC: u32 = rc::INVALID_HANDLE;
    /// MsiRecordIsNull as its reference page states it: ERROR_INVALID_HANDLE.
    pub const IS_NULL_DOCUMENTED: i64 = rc::INVALID_HANDLE as i64;
    /// MsiRecordIsNull as Windows answers it (record.c `test_msirecord`): FALSE.
    pub const IS_NULL_WINDOWS: i64 = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_is_bounded() {
        assert_eq!(Record::create(0).map(|r| r.count()), Some(0));
        assert_eq!(Record::create(MAX_FIELDS).map(|r| r.count()), Some(65535));
        assert!(Record::create(MAX_FIELDS + 1).is_none());
        assert!(Record::create(u32::MAX).is_none());
    }

    #[test]
    fn fields_beyond_the_count_are_null_and_unwritable() {
        let mut r = Record::create(0).unwrap();
        assert!(r.is_null(1));
        assert!(r.is_null(u32::MAX));
        assert_eq!(r.data_size(7), 0);
        assert_eq!(r.set_integer(1, 1), rc::INVALID_PARAMETER);
        assert_eq!(r.set_string(u32::MAX, Some("x")), rc::INVALID_PARAMETER);
        assert_eq!(r.set_integer(0, 0), rc::SUCCESS);
        assert_eq!(r.data_size(0), 4);
    }

    #[test]
    fn empty_strings_and_null_integer_make_null() {
        let mut r = Record::create(1).unwrap();
        r.set_string(1, Some("x"));
        r.set_string(1, Some(""));
        assert!(r.is_null(1));
        r.set_integer(1, 5);
        r.set_integer(1, NULL_INTEGER);
        assert!(r.is_null(1));
        r.set_string(1, Some("abc"));
        r.clear();
        assert!(r.is_null(1));
        assert_eq!(r.count(), 1);
    }

    #[test]
    fn strings_read_as_integers_only_when_plain_decimal() {
        assert_eq!(string_integer("42"), Some(42));
        assert_eq!(string_integer("-42"), Some(-42));
        assert_eq!(string_integer("1000000000000000"), Some(-1530494976));
        assert_eq!(string_integer("4294967297"), Some(1));
        assert_eq!(string_integer("2147483647"), Some(i32::MAX));
        for s in [" 42", "42 ", "42.0", "0x42", "+1", "", "-"] {
            assert_eq!(string_integer(s), None, "{s:?}");
        }
        let mut r = Record::create(1).unwrap();
        r.set_integer(1, -32);
        assert_eq!(r.string(1), "-32");
        r.set_string(1, Some("hello"));
        assert_eq!(r.integer(1), NULL_INTEGER);
        assert_eq!(r.data_size(1), 5);
    }
}
