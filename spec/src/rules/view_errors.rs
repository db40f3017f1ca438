//! MsiViewGetError: the validation error a view holds after MsiViewModify.
//!
//! One pass replays each run's view calls and keeps, per view slot, whether
//! it holds a view and what the transcript settles about its pending error;
//! each MsiViewGetError is then judged by the shared semantics
//! ([`crate::msi::view_error`]). Anything the transcript leaves open (a
//! modify that failed some other way, a read whose clearing the sources do
//! not settle) makes the slot's error unknown, and later reads go unjudged.

use super::prelude::*;
use crate::msi::text;
use crate::msi::view_error::{self, code, Caller, Pending};
use crate::{Buffer, ModifyKind};
use std::collections::HashMap;

const SOURCES: &[&str] = &[
    "API:msiviewgeterrorw",
    "API:msiviewmodify",
    "WT:db.c test_viewmodify",
    "WT:custom.c test_view_get_error",
];

const SUBJECT: &[OpKind] = &[
    OpKind::ViewGetError,
    OpKind::Modify,
    OpKind::OpenView,
    OpKind::CloseHandle,
];

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "VIEW-ERROR-ARGS",
        title: "MsiViewGetError refuses a handle that is no view and a missing size",
        statement: "MsiViewGetError returns MSIDBERROR_INVALIDARG for a handle that is not a view \
                    and for a NULL size argument; from a custom action Windows answers a bad \
                    handle with MSIDBERROR_FUNCTIONERROR instead.",
        sources: SOURCES,
        contexts: C_CALLS,
        family: Family::Sql,
        subject: Subject::calls(SUBJECT),
        level: Level::Must,
        disagreement: Some(
            "documented: an invalid argument, the view handle included, gives \
             MSIDBERROR_INVALIDARG (-3), as Windows does in the installer's own process \
             (db.c test_viewmodify); windows: from a custom action a handle of 0 gives \
             MSIDBERROR_FUNCTIONERROR (-1) (custom.c test_view_get_error, a todo_wine on Wine), \
             and from the installer's own process NULL buffer and size may also give \
             MSIDBERROR_NOERROR.",
        ),
        check: Check::Predicate(args),
    },
    Rule {
        id: "VIEW-ERROR-VALIDATION",
        title: "A failed validation leaves its error and column for MsiViewGetError",
        statement:
            "After MsiViewModify fails a validation with ERROR_INVALID_DATA, MsiViewGetError \
                    returns the MSIDBERROR validation code (such as MSIDBERROR_DUPLICATEKEY) and \
                    the column's name with its length; with no error pending it returns \
                    MSIDBERROR_NOERROR, an empty name and size 0. From a custom action, Windows \
                    forgets the error once it has been read.",
        sources: SOURCES,
        contexts: C_CALLS,
        family: Family::Sql,
        subject: Subject::calls(SUBJECT),
        level: Level::Must,
        disagreement: Some(
            "documented: the page does not say whether a read clears the error; windows: from a \
             custom action a second read gives MSIDBERROR_NOERROR (custom.c \
             test_view_get_error, a todo_wine on Wine).",
        ),
        check: Check::Predicate(validation),
    },
    Rule {
        id: "VIEW-ERROR-BUFFER",
        title: "MsiViewGetError's buffer: MSIDBERROR_MOREDATA and the size needed",
        statement: "A buffer too small for the column name gives MSIDBERROR_MOREDATA, the name's \
                    length in characters without the terminator, and as much of the name as fits; \
                    by the page's size query (an empty buffer, then a large enough one) the error \
                    is still there afterwards. From a custom action Windows answers a zero-sized \
                    buffer with MSIDBERROR_FUNCTIONERROR and size 0, and forgets the error after \
                    MSIDBERROR_MOREDATA.",
        sources: SOURCES,
        contexts: C_CALLS,
        family: Family::Sql,
        subject: Subject::calls(SUBJECT),
        level: Level::Must,
        disagreement: Some(
            "documented: a zero-sized buffer gives MSIDBERROR_MOREDATA with the size needed, and \
             the error survives it, as Windows does in the installer's own process for the \
             first part (db.c test_viewmodify); windows: from a custom action a zero size gives \
             MSIDBERROR_FUNCTIONERROR, and MSIDBERROR_MOREDATA forgets the error (custom.c \
             test_view_get_error, the latter a todo_wine on Wine).",
        ),
        check: Check::Predicate(buffer),
    },
];

/// What the transcript settles about a view slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// No view: never filled, closed, refused, or a handle of another kind.
    Nothing,
    /// An open view, with what is known of its error.
    View(Err),
    /// Unknown.
    Unknown,
}

/// A view's pending error as the transcript settles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Err {
    /// None pending.
    None,
    /// A validation error is pending; its code and column are not known here.
    Some,
    /// Unknown.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Args,
    Validation,
    Buffer,
}

impl Part {
    fn id(self) -> &'static str {
        match self {
            Part::Args => "VIEW-ERROR-ARGS",
            Part::Validation => "VIEW-ERROR-VALIDATION",
            Part::Buffer => "VIEW-ERROR-BUFFER",
        }
    }
}

const VALIDATE: &[ModifyKind] = &[
    ModifyKind::Validate,
    ModifyKind::ValidateNew,
    ModifyKind::ValidateField,
    ModifyKind::ValidateDelete,
];

fn judge(t: &Transcript, profile: Profile, want: Part, out: &mut Vec<Violation>) {
    let mut runs: HashMap<&str, (usize, HashMap<&str, Slot>)> = HashMap::new();
    for e in &t.events {
        let run = runs
            .entry(e.probe.as_str())
            .or_insert_with(|| (e.index, HashMap::new()));
        if e.index <= run.0 && !run.1.is_empty() {
            run.1.clear();
        }
        run.0 = e.index;
        let slots = &mut run.1;
        match &e.call {
            Operation::OpenView { into, .. } => {
                let held = match e.outcome.handle {
                    _ if !performed(e) => Slot::Unknown,
                    None => continue,
                    Some(0) => Slot::Nothing,
                    Some(_) if e.outcome.rc == Some(rc::SUCCESS) => Slot::View(Err::None),
                    Some(_) => Slot::Unknown,
                };
                slots.insert(into, held);
            }
            Operation::CloseHandle { slot } => {
                slots.insert(
                    slot,
                    if performed(e) {
                        Slot::Nothing
                    } else {
                        Slot::Unknown
                    },
                );
            }
            Operation::Execute { view } => {
                if let Some(Slot::View(s)) = slots.get_mut(view.as_str()) {
                    if *s != Err::None || e.outcome.rc != Some(rc::SUCCESS) {
                        *s = Err::Unknown;
                    }
                }
            }
            Operation::Modify { view, kind, .. } => {
                if let Some(Slot::View(s)) = slots.get_mut(view.as_str()) {
                    *s = match e.outcome.rc {
                        Some(rc::INVALID_DATA) if VALIDATE.contains(kind) => Err::Some,
                        Some(rc::SUCCESS) if *s == Err::None => Err::None,
                        _ => Err::Unknown,
                    };
                }
            }
            Operation::ViewGetError { view, buffer } => {
                if !performed(e) {
                    slots.insert(view, Slot::Unknown);
                    continue;
                }
                let state = slots.get(view.as_str()).copied().unwrap_or(Slot::Nothing);
                let after = read(e, *buffer, state, profile, want, out);
                if let Slot::View(_) = state {
                    slots.insert(view, Slot::View(after));
                }
            }
            _ => {
                if let Some(slot) = facts::filled_slot(e) {
                    slots.insert(
                        slot,
                        if performed(e) {
                            Slot::Nothing
                        } else {
                            Slot::Unknown
                        },
                    );
                }
            }
        }
    }
}

/// Judges one MsiViewGetError read and returns what is known of the error after it.
fn read(
    e: &Event,
    buffer: Buffer,
    state: Slot,
    profile: Profile,
    want: Part,
    out: &mut Vec<Violation>,
) -> Err {
    let caller = if e.context.is_custom_action() {
        Caller::CustomAction
    } else {
        Caller::InProcess
    };
    let o = &e.outcome;
    let Some(got) = o.number else {
        return Err::Unknown;
    };
    let mut judge_as = |part: Part, ok: bool, expected: String| {
        if part == want && !ok {
            flag(out, part.id(), e, expected);
        }
    };
    let pending = match state {
        Slot::Unknown | Slot::View(Err::Unknown) => return Err::Unknown,
        Slot::Nothing => {
            let a = view_error::answer(false, None, buffer, caller, profile);
            judge_as(Part::Args, got == a.number, format!("number={}", a.number));
            return Err::Unknown;
        }
        Slot::View(s) => s,
    };
    if matches!(buffer, Buffer::NullSize | Buffer::NullBoth) {
        let a = view_error::answer(true, None, buffer, caller, profile);
        let ok = got == a.number || a.also.contains(&got);
        judge_as(Part::Args, ok, format!("number={}", a.number));
        return if pending == Err::None {
            Err::None
        } else {
            Err::Unknown
        };
    }
    if pending == Err::None {
        let a = view_error::answer(true, None, buffer, caller, profile);
        if !a.settled {
            return Err::None;
        }
        // With nothing pending the name is empty: NOERROR when it fits, else the buffer rules.
        let part = if a.number == code::NO_ERROR {
            Part::Validation
        } else {
            Part::Buffer
        };
        let ok = got == a.number
            && (a.size.is_none() || o.size.is_none() || o.size == a.size)
            && (a.copied.is_none() || o.value.is_none() || o.value.as_deref() == Some(""));
        let mut expected = format!("number={}", a.number);
        if let Some(s) = a.size {
            expected.push_str(&format!(" size={s}"));
        }
        judge_as(part, ok, expected);
        return Err::None;
    }
    // A validation error is pending, of a code and column not known here.
    let probe = Pending {
        code: code::DUPLICATE_KEY,
        column: String::new(),
    };
    let a = view_error::answer(true, Some(&probe), buffer, caller, profile);
    if a.number == code::FUNCTION_ERROR {
        let ok = got == a.number && (o.size.is_none() || o.size == a.size);
        judge_as(Part::Buffer, ok, "number=-1 size=0".into());
        return Err::Unknown;
    }
    let cap = match buffer {
        Buffer::Ample => text::AMPLE_BUFFER,
        Buffer::Sized(n) => n,
        _ => return Err::Unknown,
    };
    let value = o.value.as_deref();
    let len = value.map(text::utf16_len);
    if (1..=code::LAST_VALIDATION).contains(&got) {
        // The whole name came back: it is the column's, not empty, and its length is the size.
        let ok = len.is_none_or(|l| l > 0 && l < cap && o.size.is_none_or(|s| s == l));
        judge_as(
            Part::Validation,
            ok,
            "the column's name, with its length as the size".into(),
        );
        let fits = view_error::answer(
            true,
            Some(&Pending {
                code: got,
                column: "x".into(),
            }),
            buffer,
            caller,
            profile,
        );
        return if fits.clears == Some(true) {
            Err::None
        } else {
            Err::Unknown
        };
    }
    if got == code::MORE_DATA {
        // The name did not fit: the size needed is at least the buffer's, and
        // the buffer holds as much of the name as fits.
        let ok = o.size.is_none_or(|s| s >= cap) && len.is_none_or(|l| l + 1 == cap || cap == 0);
        judge_as(
            Part::Buffer,
            ok,
            format!(
                "number=-2, size >= {cap} and {} characters of the name",
                cap.saturating_sub(1)
            ),
        );
        let long = "x".repeat(cap as usize);
        let more = view_error::answer(
            true,
            Some(&Pending {
                code: code::DUPLICATE_KEY,
                column: long,
            }),
            buffer,
            caller,
            profile,
        );
        return match more.clears {
            Some(true) => Err::None,
            Some(false) => Err::Some,
            None => Err::Unknown,
        };
    }
    judge_as(
        Part::Validation,
        false,
        "a validation error (1 to 29) or -2 (the error MsiViewModify left)".into(),
    );
    Err::Unknown
}

fn args(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::Args, out);
}
fn validation(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::Validation, out);
}
fn buffer(_: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    judge(t, p, Part::Buffer, out);
}
