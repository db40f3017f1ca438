//! Records: MsiCreateRecord and the MsiRecord* functions.
//!
//! One pass over the transcript replays every run's record calls on the
//! shared record semantics ([`crate::msi::record`]) and says, call by call,
//! what the documented record holds; each rule judges its own part of that.
//! Where an outcome leaves the record's content unknown (a refused creation
//! that handed out a handle anyway, a write beyond the count that succeeded,
//! an unsupported call), the slot is given up and later calls on it are not judged.

use super::prelude::*;
use crate::msi::record::{invalid, Record, MAX_FIELDS, NULL_INTEGER};
use crate::msi::text;
use crate::Buffer;

const RECORD_CALLS: &[OpKind] = &[
    OpKind::CreateRecord,
    OpKind::RecordFieldCount,
    OpKind::RecordSetString,
    OpKind::RecordSetInteger,
    OpKind::RecordGetString,
    OpKind::RecordGetInteger,
    OpKind::RecordIsNull,
    OpKind::RecordDataSize,
    OpKind::RecordClearData,
    OpKind::RecordSetStream,
    OpKind::RecordReadStream,
];

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "REC-CREATE",
        title: "MsiCreateRecord makes a record of up to 65535 Null fields",
        statement: "MsiCreateRecord(n) returns a handle to a record whose field count is n and \
                    whose fields 0 to n are all Null, and which MsiCloseHandle closes; a count \
                    above 65535 gets no record (handle 0).",
        sources: &[
            "API:msicreaterecord",
            "API:msirecordgetfieldcount",
            "WT:record.c test_msirecord",
        ],
        contexts: C_CALLS,
        family: Family::Records,
        subject: Subject::calls(&[
            OpKind::CreateRecord,
            OpKind::RecordFieldCount,
            OpKind::RecordSetString,
            OpKind::RecordSetInteger,
            OpKind::RecordGetString,
            OpKind::RecordGetInteger,
            OpKind::RecordIsNull,
            OpKind::RecordDataSize,
            OpKind::RecordClearData,
            OpKind::CloseHandle,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(create),
    },
    Rule {
        id: "REC-INVALID-HANDLE",
        title: "Record functions on a handle that is no record",
        statement: "Given a handle that is not an open record, MsiRecordGetFieldCount returns -1, \
                    MsiRecordGetInteger MSI_NULL_INTEGER, MsiRecordDataSize 0, and the setters, \
                    MsiRecordGetString and MsiRecordClearData ERROR_INVALID_HANDLE; \
                    MsiRecordIsNull returns ERROR_INVALID_HANDLE by its reference page, FALSE on \
                    Windows.",
        sources: &[
            "API:msirecordgetfieldcount",
            "API:msirecordisnull",
            "API:msirecorddatasize",
            "API:msirecordcleardata",
            "WT:record.c test_msirecord",
        ],
        contexts: C_CALLS,
        family: Family::Records,
        subject: Subject::calls(RECORD_CALLS),
        level: Level::Must,
        disagreement: Some(
            "documented: MsiRecordIsNull on an invalid handle returns ERROR_INVALID_HANDLE (6); \
             windows: it returns FALSE (0) (record.c test_msirecord, a plain ok()).",
        ),
        check: Check::Predicate(invalid_handle),
    },
    Rule {
        id: "REC-NULL-FIELDS",
        title: "Empty strings and MSI_NULL_INTEGER make a field Null",
        statement: "Setting a record field to a Null or empty string, or to MSI_NULL_INTEGER, \
                    makes it Null; MsiRecordClearData makes every field Null and keeps the count. \
                    A Null field reads as \"\" with size 0, MSI_NULL_INTEGER, data size 0 and \
                    MsiRecordIsNull TRUE.",
        sources: &[
            "API:msirecordsetstringw",
            "API:msirecordsetinteger",
            "API:msirecordcleardata",
            "API:msirecordisnull",
            "WT:record.c test_msirecord",
        ],
        contexts: C_CALLS,
        family: Family::Records,
        subject: Subject::calls(RECORD_CALLS),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(null_fields),
    },
    Rule {
        id: "REC-FIELD-RANGE",
        title: "Fields beyond the count cannot be set and read as Null",
        statement: "Setting a field beyond a record's field count fails and leaves the record as \
                    it was (MsiRecordSetInteger with ERROR_INVALID_PARAMETER; MsiRecordSetString's \
                    page names no code); reading one sees a Null field (IsNull TRUE, data size 0, \
                    MSI_NULL_INTEGER).",
        sources: &[
            "API:msirecordsetinteger",
            "API:msirecordsetstringw",
            "API:msirecordisnull",
            "WT:record.c test_msirecord",
        ],
        contexts: C_CALLS,
        family: Family::Records,
        subject: Subject::calls(RECORD_CALLS),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(field_range),
    },
    Rule {
        id: "REC-GET-STRING",
        title: "MsiRecordGetString follows the string-getter buffer rules",
        statement: "MsiRecordGetString returns the field as text (an integer in decimal) with its \
                    length in characters; a buffer too small gives ERROR_MORE_DATA with the \
                    length needed and as much of the text as fits before the terminator.",
        sources: &["API:msirecordgetstringw", "WT:record.c test_msirecord"],
        contexts: C_CALLS,
        family: Family::Records,
        subject: Subject::calls(RECORD_CALLS),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(get_string),
    },
    Rule {
        id: "REC-INTEGER",
        title: "Integer fields, and strings read as integers",
        statement: "MsiRecordGetInteger returns an integer field's value, and a string field's \
                    only when it is an optional minus sign and decimal digits (taken modulo 2^32), \
                    MSI_NULL_INTEGER otherwise; MsiRecordDataSize is 4 for an integer field and \
                    the length in characters for a string.",
        sources: &[
            "API:msirecordgetinteger",
            "API:msirecorddatasize",
            "WT:record.c test_msirecord",
        ],
        contexts: C_CALLS,
        family: Family::Records,
        subject: Subject::calls(RECORD_CALLS),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(integer),
    },
    Rule {
        id: "REC-STREAM",
        title: "Record streams load from a file, read in order and rewind",
        statement: "MsiRecordSetStream puts a file's bytes into a field from 1 to the count \
                    (field 0 is ERROR_INVALID_PARAMETER), and with a NULL path rewinds a stream \
                    field (ERROR_INVALID_PARAMETER on field 0 holding no stream, an error on any \
                    other field holding none). MsiRecordReadStream needs a size pointer \
                    (ERROR_INVALID_PARAMETER); on a field holding an integer or a string it is \
                    ERROR_INVALID_DATATYPE and leaves the size alone; without a buffer it gives \
                    the bytes left to read; otherwise it copies as many bytes as the buffer's \
                    size allows, moves on past them and gives their count (0 at the end, still \
                    ERROR_SUCCESS). MsiRecordDataSize of a stream field is its whole length.",
        sources: &[
            "API:msirecordsetstreama",
            "API:msirecordreadstream",
            "API:msirecorddatasize",
            "WT:record.c test_msirecord",
        ],
        contexts: C_CALLS,
        family: Family::Records,
        subject: Subject::calls(RECORD_CALLS),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(stream),
    },
];

/// What a slot holds as far as the transcript settles it.
#[derive(Debug, Clone)]
enum Held {
    /// A record with this content.
    Record(Record),
    /// No record: never filled, refused, closed, or a handle of another kind.
    Nothing,
    /// Unknown: an outcome left the content open.
    Unknown,
}

/// The part of the record rules a judgement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Create,
    Invalid,
    Null,
    Range,
    GetString,
    Integer,
    Stream,
}

impl Part {
    fn id(self) -> &'static str {
        match self {
            Part::Create => "REC-CREATE",
            Part::Invalid => "REC-INVALID-HANDLE",
            Part::Null => "REC-NULL-FIELDS",
            Part::Range => "REC-FIELD-RANGE",
            Part::GetString => "REC-GET-STRING",
            Part::Integer => "REC-INTEGER",
            Part::Stream => "REC-STREAM",
        }
    }
}

/// Why a field reads as it does: which rule settles a read of it.
fn part_of(r: &Record, field: u32) -> Part {
    if field > r.count() {
        Part::Range
    } else if r.is_stream(field) {
        Part::Stream
    } else if r.is_null(field) {
        Part::Null
    } else {
        Part::Integer
    }
}

/// Replays every run's record calls and reports each departure under its part.
fn judge(t: &Transcript, profile: Profile, want: Part, out: &mut Vec<Violation>) {
    let mut runs: facts::RunSlots<Held> = facts::RunSlots::default();
    for e in &t.events {
        let slots = runs.of(e);
        if let Operation::CloseHandle { slot } = &e.call {
            // An open record closes (MsiCloseHandle: ERROR_SUCCESS).
            if want == Part::Create
                && performed(e)
                && matches!(slots.get(slot.as_str()), Some(Held::Record(_)))
                && e.outcome.rc.is_some_and(|v| v != rc::SUCCESS)
            {
                flag(
                    out,
                    Part::Create.id(),
                    e,
                    "rc=0 (the record's handle closes)",
                );
            }
            slots.insert(slot, Held::Nothing);
            continue;
        }
        if let Operation::ViewColumnInfo { into, .. } | Operation::PrimaryKeys { into, .. } =
            &e.call
        {
            // A record whose content the SQL rules judge; here only whether there is one.
            let held = match e.outcome.handle {
                Some(0) if performed(e) => Held::Nothing,
                _ => Held::Unknown,
            };
            slots.insert(into, held);
            continue;
        }
        if !RECORD_CALLS.contains(&e.call.kind()) {
            if let Some(slot) = facts::filled_slot(e) {
                // A handle of another kind: record calls on it see no record.
                let held = if performed(e) {
                    Held::Nothing
                } else {
                    Held::Unknown
                };
                slots.insert(slot, held);
            }
            continue;
        }
        let mut flag_if = |part: Part, ok: bool, expected: String| {
            if part == want && !ok {
                flag(out, part.id(), e, expected);
            }
        };
        if !performed(e) {
            if let Some(slot) = record_slot(&e.call) {
                slots.insert(slot, Held::Unknown);
            }
            continue;
        }
        let o = &e.outcome;
        match &e.call {
            Operation::CreateRecord { fields, into } => {
                let Some(h) = o.handle else {
                    slots.insert(into, Held::Unknown);
                    continue;
                };
                if *fields > MAX_FIELDS {
                    flag_if(
                        Part::Create,
                        h == 0,
                        "handle=0 (more than 65535 fields)".into(),
                    );
                    slots.insert(into, if h == 0 { Held::Nothing } else { Held::Unknown });
                } else {
                    flag_if(Part::Create, h != 0, "a record handle (non-zero)".into());
                    let held = match Record::create(*fields) {
                        Some(r) if h != 0 => Held::Record(r),
                        _ => Held::Nothing,
                    };
                    slots.insert(into, held);
                }
            }
            Operation::RecordSetString { record, field, .. }
            | Operation::RecordSetInteger { record, field, .. } => {
                let held = slots.get_mut(record.as_str());
                match held {
                    Some(Held::Unknown) => {}
                    None | Some(Held::Nothing) => {
                        flag_if(
                            Part::Invalid,
                            o.rc.is_none_or(|v| v == invalid::RC),
                            format!("rc={}", invalid::RC),
                        );
                    }
                    Some(Held::Record(r)) => {
                        let want_rc = match &e.call {
                            Operation::RecordSetString { value, .. } => {
                                r.set_string(*field, value.as_deref())
                            }
                            Operation::RecordSetInteger { value, .. } => {
                                r.set_integer(*field, *value)
                            }
                            _ => unreachable!(),
                        };
                        let part = if want_rc == rc::SUCCESS {
                            Part::Null
                        } else {
                            Part::Range
                        };
                        let got = o.rc;
                        // MsiRecordSetString's page says only that a field beyond the
                        // count "causes an error"; MsiRecordSetInteger's names the code.
                        let any_error = want_rc != rc::SUCCESS
                            && matches!(e.call, Operation::RecordSetString { .. });
                        let ok =
                            got.is_none_or(|v| v == want_rc || (any_error && v != rc::SUCCESS));
                        let expected = if any_error {
                            "an error (rc not 0)".to_owned()
                        } else {
                            format!("rc={want_rc}")
                        };
                        flag_if(part, ok, expected);
                        if got.is_some_and(|v| (v == rc::SUCCESS) != (want_rc == rc::SUCCESS)) {
                            // The runtime did something else to the record: its content is open.
                            slots.insert(record, Held::Unknown);
                        }
                    }
                }
            }
            Operation::RecordSetStream {
                record,
                field,
                data,
            } => match slots.get_mut(record.as_str()) {
                Some(Held::Unknown) => {}
                None | Some(Held::Nothing) => flag_if(
                    Part::Invalid,
                    o.rc.is_none_or(|v| v == invalid::RC),
                    format!("rc={}", invalid::RC),
                ),
                Some(Held::Record(r)) => {
                    let want_rc = r.set_stream(*field, data.as_deref().map(str::as_bytes));
                    // Only field 0 is settled for a rewind of a field holding no stream.
                    let any_error = want_rc != rc::SUCCESS && data.is_none() && *field != 0;
                    let ok =
                        o.rc.is_none_or(|v| v == want_rc || (any_error && v != rc::SUCCESS));
                    let expected = if any_error {
                        "an error (rc not 0)".to_owned()
                    } else {
                        format!("rc={want_rc}")
                    };
                    flag_if(Part::Stream, ok, expected);
                    if o.rc
                        .is_some_and(|v| (v == rc::SUCCESS) != (want_rc == rc::SUCCESS))
                    {
                        slots.insert(record, Held::Unknown);
                    }
                }
            },
            Operation::RecordReadStream {
                record,
                field,
                buffer,
            } => match slots.get_mut(record.as_str()) {
                Some(Held::Unknown) => {}
                None | Some(Held::Nothing) => flag_if(
                    Part::Invalid,
                    o.rc.is_none_or(|v| v == invalid::RC),
                    format!("rc={}", invalid::RC),
                ),
                Some(Held::Record(r)) => {
                    let holds_value = matches!(
                        r.field(*field),
                        crate::msi::record::Field::Int(_) | crate::msi::record::Field::Str(_)
                    ) && *field <= r.count();
                    let stream = r.is_stream(*field);
                    let read = r.read_stream(*field, *buffer);
                    if !stream && !holds_value {
                        // A Null field or one beyond the count: the sources say nothing.
                        continue;
                    }
                    let no_size = matches!(buffer, Buffer::NullSize | Buffer::NullBoth);
                    let ok = if !stream && no_size {
                        // Which check comes first is not settled.
                        o.rc.is_none_or(|v| {
                            v == rc::INVALID_PARAMETER || v == crate::codes::rc::INVALID_DATATYPE
                        })
                    } else {
                        let bytes = read
                            .bytes
                            .as_deref()
                            .map(|b| String::from_utf8_lossy(b).into_owned());
                        o.rc.is_none_or(|v| v == read.rc)
                            && (o.size.is_none() || read.size.is_none() || o.size == read.size)
                            && (o.value.is_none() || bytes.is_none() || o.value == bytes)
                    };
                    let mut expected = format!("rc={}", read.rc);
                    if let Some(s) = read.size {
                        expected.push_str(&format!(" size={s}"));
                    }
                    if let Some(b) = &read.bytes {
                        expected.push_str(&format!(" value={:?}", String::from_utf8_lossy(b)));
                    }
                    flag_if(Part::Stream, ok, expected);
                    if !ok && stream {
                        // Where reading got to is now unknown.
                        slots.insert(record, Held::Unknown);
                    }
                }
            },
            Operation::RecordClearData { record } => match slots.get_mut(record.as_str()) {
                Some(Held::Unknown) => {}
                Some(Held::Record(r)) => {
                    r.clear();
                    flag_if(
                        Part::Null,
                        o.rc.is_none_or(|v| v == rc::SUCCESS),
                        "rc=0".into(),
                    );
                }
                None | Some(Held::Nothing) => flag_if(
                    Part::Invalid,
                    o.rc.is_none_or(|v| v == invalid::RC),
                    format!("rc={}", invalid::RC),
                ),
            },
            Operation::RecordGetString {
                record,
                field,
                buffer,
            } => match slots.get(record.as_str()) {
                Some(Held::Unknown) => {}
                None | Some(Held::Nothing) => flag_if(
                    Part::Invalid,
                    o.rc.is_none_or(|v| v == invalid::RC),
                    format!("rc={}", invalid::RC),
                ),
                // The page tells callers not to pass a Null buffer or size, so what
                // comes back then is left open; so is the text of a stream field.
                Some(Held::Record(_)) if !matches!(buffer, Buffer::Ample | Buffer::Sized(_)) => {}
                Some(Held::Record(r)) if r.is_stream(*field) => {}
                Some(Held::Record(r)) => {
                    let value = r.string(*field);
                    let g = text::getter_result(text::utf16_len(&value), *buffer, false);
                    let copied = g.copied.map(|k| text::utf16_prefix(&value, k));
                    let ok = o.rc.is_none_or(|v| v == g.rc)
                        && (o.size.is_none() || o.size == g.size)
                        && (o.value.is_none() || copied.is_none() || o.value.as_deref() == copied);
                    let mut expected = format!("rc={}", g.rc);
                    if let Some(s) = g.size {
                        expected.push_str(&format!(" size={s}"));
                    }
                    if let Some(c) = copied {
                        expected.push_str(&format!(" value={c:?}"));
                    }
                    // A field's own text is the getter's business; a Null or missing one is
                    // what the Null and range rules promise reads as "".
                    let part = match part_of(r, *field) {
                        Part::Integer => Part::GetString,
                        p if g.rc == rc::SUCCESS => p,
                        _ => Part::GetString,
                    };
                    flag_if(part, ok, expected);
                }
            },
            Operation::RecordFieldCount { record }
            | Operation::RecordGetInteger { record, .. }
            | Operation::RecordIsNull { record, .. }
            | Operation::RecordDataSize { record, .. } => {
                let (part, n) = match slots.get(record.as_str()) {
                    Some(Held::Unknown) => continue,
                    // Of a stream field only the data size is settled.
                    Some(Held::Record(r))
                        if !matches!(e.call, Operation::RecordDataSize { .. })
                            && record_field(&e.call).is_some_and(|f| r.is_stream(f)) =>
                    {
                        continue
                    }
                    None | Some(Held::Nothing) => (Part::Invalid, invalid_number(&e.call, profile)),
                    Some(Held::Record(r)) => record_number(&e.call, r),
                };
                let null_integer = matches!(e.call, Operation::RecordGetInteger { .. })
                    && n == i64::from(NULL_INTEGER);
                let shown = if null_integer {
                    format!("number={n} (MSI_NULL_INTEGER)")
                } else {
                    format!("number={n}")
                };
                flag_if(part, o.number.is_none_or(|v| v == n), shown);
            }
            _ => {}
        }
    }
}

/// What a numeric record getter answers for a handle that is no record.
fn invalid_number(op: &Operation, profile: Profile) -> i64 {
    match op {
        Operation::RecordFieldCount { .. } => i64::from(invalid::FIELD_COUNT),
        Operation::RecordGetInteger { .. } => i64::from(invalid::INTEGER),
        Operation::RecordIsNull { .. } => match profile {
            Profile::Windows => invalid::IS_NULL_WINDOWS,
            Profile::Documented => invalid::IS_NULL_DOCUMENTED,
        },
        _ => i64::from(invalid::DATA_SIZE),
    }
}

/// What a numeric record getter answers for record `r`, and the rule that says so:
/// the field count is REC-CREATE's; a field's reading is the rule of what the field holds.
fn record_number(op: &Operation, r: &Record) -> (Part, i64) {
    match op {
        Operation::RecordFieldCount { .. } => (Part::Create, i64::from(r.count())),
        Operation::RecordGetInteger { field, .. } => {
            (part_of(r, *field), i64::from(r.integer(*field)))
        }
        Operation::RecordIsNull { field, .. } => (part_of(r, *field), i64::from(r.is_null(*field))),
        Operation::RecordDataSize { field, .. } => {
            (part_of(r, *field), i64::from(r.data_size(*field)))
        }
        _ => unreachable!("record_number is given the numeric record getters only"),
    }
}

/// The field a numeric record getter reads.
fn record_field(op: &Operation) -> Option<u32> {
    match op {
        Operation::RecordGetInteger { field, .. }
        | Operation::RecordIsNull { field, .. }
        | Operation::RecordDataSize { field, .. } => Some(*field),
        _ => None,
    }
}

/// The record slot a record call reads or fills.
fn record_slot(op: &Operation) -> Option<&str> {
    match op {
        Operation::CreateRecord { into, .. } => Some(into),
        Operation::RecordFieldCount { record }
        | Operation::RecordSetString { record, .. }
        | Operation::RecordSetInteger { record, .. }
        | Operation::RecordGetString { record, .. }
        | Operation::RecordGetInteger { record, .. }
        | Operation::RecordIsNull { record, .. }
        | Operation::RecordDataSize { record, .. }
        | Operation::RecordSetStream { record, .. }
        | Operation::RecordReadStream { record, .. }
        | Operation::RecordClearData { record } => Some(record),
        _ => None,
    }
}

fn create(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::Create, out);
}
fn invalid_handle(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::Invalid, out);
}
fn null_fields(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::Null, out);
}
fn field_range(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::Range, out);
}
fn get_string(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::GetString, out);
}
fn integer(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::Integer, out);
}
fn stream(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::Stream, out);
}
