//! Summary information: MsiGetSummaryInformation on the session's database
//! and the reads of MsiSummaryInfoGetProperty and MsiSummaryInfoGetPropertyCount.
//!
//! Every package carries the summary information of
//! [`crate::msi::summary::PACKAGE`]; one pass replays each run's summary
//! handles and judges every read against it with the shared semantics.

use super::prelude::*;
use crate::msi::summary::{self, vt, Value};
use crate::msi::text;
use crate::Buffer;

const SUBJECT: &[OpKind] = &[
    OpKind::SummaryInfo,
    OpKind::SummaryPropertyCount,
    OpKind::SummaryGetProperty,
    OpKind::CloseHandle,
];

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "SUMINFO-OPEN",
        title: "MsiGetSummaryInformation opens the session database's summary information",
        statement: "Given a database handle (the active database included) and no path, \
                    MsiGetSummaryInformation returns ERROR_SUCCESS and a handle to its summary \
                    information; a NULL out-pointer gives ERROR_INVALID_PARAMETER.",
        sources: &[
            "API:msigetsummaryinformationw",
            "WT:suminfo.c test_suminfo",
            "WT:custom.c test_db",
        ],
        contexts: PKG_IMM,
        family: Family::Database,
        subject: Subject::calls(SUBJECT),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(open),
    },
    Rule {
        id: "SUMINFO-PROPERTIES",
        title: "Summary properties read back with their set's types and the package's values",
        statement: "MsiSummaryInfoGetProperty returns, for a property the stream holds, the type \
                    the Summary Information Stream Property Set gives its ID (VT_I2 for the code \
                    page, VT_LPSTR for the texts, VT_FILETIME for the times, VT_I4 for the \
                    counts) and its value; VT_EMPTY and ERROR_SUCCESS for one it does not hold; \
                    ERROR_UNKNOWN_PROPERTY for an ID beyond PID_SECURITY (19). \
                    MsiSummaryInfoGetPropertyCount counts the properties held. Both give \
                    ERROR_INVALID_HANDLE for a handle that is no summary information.",
        sources: &[
            "API:msisummaryinfogetpropertyw",
            "API:msisummaryinfogetpropertycount",
            "MS:summary-information-stream-property-set",
            "WT:suminfo.c test_suminfo",
            "WT:custom.c test_db",
        ],
        contexts: PKG_IMM,
        family: Family::Database,
        subject: Subject::calls(SUBJECT),
        level: Level::Must,
        disagreement: Some(
            "documented: the page says nothing of a NULL count pointer; windows: the installer's \
             own process accepts it (ERROR_SUCCESS, suminfo.c test_suminfo) while a custom \
             action gets RPC_X_NULL_REF_POINTER (1780) (custom.c test_db).",
        ),
        check: Check::Predicate(properties),
    },
    Rule {
        id: "SUMINFO-BUFFER",
        title: "String summary properties follow the getter buffer rules",
        statement: "A VT_LPSTR property read through a buffer too small for it gives \
                    ERROR_MORE_DATA, its length in characters without the terminator, and as \
                    much of it as fits; one that fits comes back whole with its length.",
        sources: &["API:msisummaryinfogetpropertyw", "WT:custom.c test_db"],
        contexts: PKG_IMM,
        family: Family::Database,
        subject: Subject::calls(SUBJECT),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(buffer),
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Open,
    Properties,
    Buffer,
}

impl Part {
    fn id(self) -> &'static str {
        match self {
            Part::Open => "SUMINFO-OPEN",
            Part::Properties => "SUMINFO-PROPERTIES",
            Part::Buffer => "SUMINFO-BUFFER",
        }
    }
}

/// What a slot holds as far as the transcript settles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    Summary,
    Nothing,
    Unknown,
}

fn judge(t: &Transcript, profile: Profile, want: Part, out: &mut Vec<Violation>) {
    let mut runs: facts::RunSlots<Held> = facts::RunSlots::default();
    for (i, e) in t.events.iter().enumerate() {
        let slots = runs.of(e);
        let mut judge_as = |part: Part, ok: bool, expected: String| {
            if part == want && !ok {
                flag(out, part.id(), e, expected);
            }
        };
        let o = &e.outcome;
        if !performed(e) {
            if let Some(slot) = facts::filled_slot(e) {
                slots.insert(slot, Held::Unknown);
            }
            continue;
        }
        match &e.call {
            Operation::SummaryInfo {
                db, null_out, into, ..
            } => {
                // A second session's handle (MsiOpenPackage) is no database
                // handle; what MsiGetSummaryInformation makes of it is not settled.
                if facts::slot_database(&t.events, i, db)
                    .is_some_and(|(o, _)| o != facts::SlotOrigin::Package)
                {
                    if *null_out {
                        judge_as(
                            Part::Open,
                            o.rc.is_none_or(|v| v == rc::INVALID_PARAMETER),
                            format!("rc={}", rc::INVALID_PARAMETER),
                        );
                    } else {
                        judge_as(
                            Part::Open,
                            o.rc.is_none_or(|v| v == rc::SUCCESS)
                                && o.handle.is_none_or(|h| h != 0),
                            "rc=0 and a handle".into(),
                        );
                    }
                }
                match o.handle {
                    None => {}
                    Some(h) if h != 0 && o.rc == Some(rc::SUCCESS) => {
                        slots.insert(into, Held::Summary);
                    }
                    Some(0) => {
                        slots.insert(into, Held::Nothing);
                    }
                    Some(_) => {
                        slots.insert(into, Held::Unknown);
                    }
                }
            }
            Operation::CloseHandle { slot } => {
                slots.insert(slot, Held::Nothing);
            }
            Operation::SummaryPropertyCount {
                summary: slot,
                null_out,
            } => match slots.get(slot.as_str()).copied().unwrap_or(Held::Nothing) {
                Held::Unknown => {}
                Held::Nothing => {
                    if !*null_out {
                        judge_as(
                            Part::Properties,
                            o.rc.is_none_or(|v| v == rc::INVALID_HANDLE),
                            format!("rc={}", rc::INVALID_HANDLE),
                        );
                    }
                }
                Held::Summary if *null_out => {
                    if profile == Profile::Windows {
                        let want_rc = if e.context.is_custom_action() {
                            summary::NULL_REF_POINTER
                        } else {
                            rc::SUCCESS
                        };
                        judge_as(
                            Part::Properties,
                            o.rc.is_none_or(|v| v == want_rc),
                            format!("rc={want_rc}"),
                        );
                    }
                }
                Held::Summary => {
                    let n = i64::from(summary::package_count());
                    judge_as(
                        Part::Properties,
                        o.rc.is_none_or(|v| v == rc::SUCCESS) && o.number.is_none_or(|v| v == n),
                        format!("rc=0 number={n}"),
                    );
                }
            },
            Operation::SummaryGetProperty {
                summary: slot,
                property,
                buffer,
            } => match slots.get(slot.as_str()).copied().unwrap_or(Held::Nothing) {
                Held::Unknown => {}
                Held::Nothing => judge_as(
                    Part::Properties,
                    o.rc.is_none_or(|v| v == rc::INVALID_HANDLE),
                    format!("rc={}", rc::INVALID_HANDLE),
                ),
                Held::Summary => read(e, *property, *buffer, &mut judge_as),
            },
            _ => {
                if let Some(slot) = facts::filled_slot(e) {
                    slots.insert(slot, Held::Nothing);
                }
            }
        }
    }
}

/// Judges one MsiSummaryInfoGetPropertyW read of the package's summary information.
fn read(e: &Event, pid: u32, buffer: Buffer, judge_as: &mut impl FnMut(Part, bool, String)) {
    let o = &e.outcome;
    let value = summary::package_value(pid);
    let (text, len) = match value {
        Some(Value::Str(s)) => (Some(s.to_owned()), text::utf16_len(s)),
        Some(Value::Int(n)) => (Some(n.to_string()), 0),
        Some(Value::PackageCode) => (None, summary::PACKAGE_CODE_LEN),
        None => (None, 0),
    };
    let r = summary::read(pid, value.is_some(), len, buffer);
    let Some(kind) = r.kind else {
        judge_as(
            Part::Properties,
            o.rc.is_none_or(|v| v == r.rc),
            format!("rc={}", r.rc),
        );
        return;
    };
    if kind != vt::LPSTR {
        let shown = text.as_deref().filter(|_| kind != vt::EMPTY);
        let ok = o.rc.is_none_or(|v| v == r.rc)
            && o.number.is_none_or(|v| v == kind)
            && (shown.is_none() || o.value.is_none() || o.value.as_deref() == shown);
        let mut expected = format!("rc={} number={kind}", r.rc);
        if let Some(s) = shown {
            expected.push_str(&format!(" value={s:?}"));
        }
        judge_as(Part::Properties, ok, expected);
        return;
    }
    // The page tells callers not to pass a NULL buffer or size for a string.
    if !matches!(buffer, Buffer::Ample | Buffer::Sized(_)) {
        return;
    }
    judge_as(
        Part::Properties,
        o.number.is_none_or(|v| v == kind),
        format!("number={kind}"),
    );
    let copied_ok = match (r.copied, o.value.as_deref()) {
        (_, None) | (None, _) => true,
        (Some(k), Some(got)) => match &text {
            Some(s) => got == text::utf16_prefix(s, k),
            // The package code differs per package: whole, it is a GUID in braces.
            None => k < len || summary::is_package_code(got),
        },
    };
    let sized_ok = o.rc.is_none_or(|v| v == r.rc)
        && (r.size.is_none() || o.size.is_none() || o.size == r.size);
    let part = if r.rc == rc::MORE_DATA {
        Part::Buffer
    } else {
        Part::Properties
    };
    let mut expected = format!("rc={}", r.rc);
    if let Some(s) = r.size {
        expected.push_str(&format!(" size={s}"));
    }
    if let (Some(k), Some(s)) = (r.copied, &text) {
        expected.push_str(&format!(" value={:?}", text::utf16_prefix(s, k)));
    }
    judge_as(part, sized_ok && copied_ok, expected);
}

fn open(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::Open, out);
}
fn properties(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::Properties, out);
}
fn buffer(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::Buffer, out);
}
