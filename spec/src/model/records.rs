//! Record handles: MsiCreateRecord and the MsiRecord* functions, on top of
//! the shared record semantics ([`crate::msi::record`]).

use super::session::{Handle, Session};
use super::Deviation;
use crate::codes::rc;
use crate::msi::record::{self, invalid, Record};
use crate::msi::text;
use crate::{Buffer, Operation, Outcome};

impl Session<'_> {
    /// The record held in `slot`, if the slot holds a record handle.
    fn record(&self, slot: &str) -> Option<&Record> {
        match self.handles.get(&self.slot(slot))? {
            Handle::Record(r) => Some(r),
            _ => None,
        }
    }

    fn record_mut(&mut self, slot: &str) -> Option<&mut Record> {
        let h = self.slot(slot);
        match self.handles.get_mut(&h)? {
            Handle::Record(r) => Some(r),
            _ => None,
        }
    }

    /// Performs one record operation.
    pub(crate) fn record_call(&mut self, op: &Operation) -> Outcome {
        let b = self.b;
        match op {
            Operation::CreateRecord { fields, into } => {
                let made = if b.on(Deviation::RecordCreateUnbounded) {
                    // The broken runtime caps the size it allocates but accepts any count.
                    Record::create((*fields).min(record::MAX_FIELDS))
                } else {
                    Record::create(*fields)
                };
                let h = match made {
                    Some(r) => self.alloc(Handle::Record(r)),
                    None => 0,
                };
                self.handle_outcome(into, h, None)
            }
            Operation::RecordFieldCount { record } => Outcome::number(match self.record(record) {
                Some(r) => i64::from(r.count()),
                None if b.on(Deviation::RecordBadHandleCountZero) => 0,
                None => i64::from(invalid::FIELD_COUNT),
            }),
            Operation::RecordSetString {
                record,
                field,
                value,
            } => {
                let keep_empty = b.on(Deviation::RecordEmptyStringKept);
                let grow = b.on(Deviation::RecordGrowsOnSet);
                Outcome::rc(match self.record_mut(record) {
                    Some(r) => {
                        if grow {
                            r.grow_to(*field);
                        }
                        if keep_empty && value.as_deref() == Some("") {
                            r.set_empty_string(*field)
                        } else {
                            r.set_string(*field, value.as_deref())
                        }
                    }
                    None => invalid::RC,
                })
            }
            Operation::RecordSetInteger {
                record,
                field,
                value,
            } => {
                let grow = b.on(Deviation::RecordGrowsOnSet);
                Outcome::rc(match self.record_mut(record) {
                    Some(r) => {
                        if grow {
                            r.grow_to(*field);
                        }
                        r.set_integer(*field, *value)
                    }
                    None => invalid::RC,
                })
            }
            Operation::RecordGetString {
                record,
                field,
                buffer,
            } => match self.record(record) {
                Some(r) => {
                    let value = r.string(*field);
                    record_string(&value, *buffer, b.on(Deviation::RecordMoreDataAsSuccess))
                }
                None => Outcome::rc(invalid::RC),
            },
            Operation::RecordGetInteger { record, field } => Outcome::number(i64::from(match self
                .record(record)
            {
                Some(r) if b.on(Deviation::RecordIntegerParseLenient) => lenient_integer(r, *field),
                Some(r) => r.integer(*field),
                None => invalid::INTEGER,
            })),
            Operation::RecordIsNull { record, field } => {
                Outcome::number(match self.record(record) {
                    Some(r) => i64::from(r.is_null(*field)),
                    None if b.windows() => invalid::IS_NULL_WINDOWS,
                    None => invalid::IS_NULL_DOCUMENTED,
                })
            }
            Operation::RecordDataSize { record, field } => {
                Outcome::number(i64::from(match self.record(record) {
                    Some(r) => r.data_size(*field),
                    None => invalid::DATA_SIZE,
                }))
            }
            Operation::RecordSetStream {
                record,
                field,
                data,
            } => Outcome::rc(match self.record_mut(record) {
                Some(r) => r.set_stream(*field, data.as_deref().map(str::as_bytes)),
                None => invalid::RC,
            }),
            Operation::RecordReadStream {
                record,
                field,
                buffer,
            } => {
                let whole = b.on(Deviation::StreamLeftCountsWhole);
                match self.record_mut(record) {
                    Some(r) => {
                        let whole_size = whole.then(|| r.data_size(*field));
                        let mut read = r.read_stream(*field, *buffer);
                        if let (Some(n), Buffer::NullBuffer(_), true) =
                            (whole_size, buffer, r.is_stream(*field))
                        {
                            read.size = Some(n);
                        }
                        Outcome {
                            rc: Some(read.rc),
                            size: read.size,
                            value: read.bytes.map(|b| String::from_utf8_lossy(&b).into_owned()),
                            ..Outcome::default()
                        }
                    }
                    None => Outcome {
                        size: record::size_left_alone(*buffer),
                        ..Outcome::rc(invalid::RC)
                    },
                }
            }
            Operation::RecordClearData { record } => Outcome::rc(match self.record_mut(record) {
                Some(r) => {
                    r.clear();
                    rc::SUCCESS
                }
                None => invalid::RC,
            }),
            _ => unreachable!("record_call is given record operations only"),
        }
    }
}

/// MsiRecordGetString's result for `value`: the getter buffer rules in characters.
fn record_string(value: &str, buffer: Buffer, more_data_as_success: bool) -> Outcome {
    let g = text::getter_result(text::utf16_len(value), buffer, false);
    let rc = if more_data_as_success && g.rc == rc::MORE_DATA {
        rc::SUCCESS
    } else {
        g.rc
    };
    Outcome {
        rc: Some(rc),
        size: g.size,
        value: g.copied.map(|k| text::utf16_prefix(value, k).to_owned()),
        ..Outcome::default()
    }
}

/// The broken runtime's MsiRecordGetInteger: spaces around the digits and a plus sign are accepted.
fn lenient_integer(r: &Record, field: u32) -> i32 {
    match r.field(field) {
        record::Field::Str(s) => {
            let t = s.trim();
            record::string_integer(t.strip_prefix('+').unwrap_or(t)).unwrap_or(record::NULL_INTEGER)
        }
        _ => r.integer(field),
    }
}
