//! Formatted text: type-51 actions and MsiFormatRecord.

use super::prelude::*;
use crate::Buffer;
use std::borrow::Cow;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "TYPE51-SETPROP",
        title: "A type-51 action sets a property to its formatted Target",
        statement:
            "Custom action type 51 stores the Formatted expansion of Target in the property \
                    that Source names; with an empty Source it does nothing and does not fail.",
        sources: &[
            "MS:custom-action-type-51",
            "WT:install.c test_customaction51",
        ],
        contexts: IMM,
        family: Family::Formatting,
        subject: Subject::calls(&[
            OpKind::GetProperty,
            OpKind::SessionPropertyGet,
            OpKind::CommandLine,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(type51),
    },
    Rule {
        id: "FMT-RECORD-BUFFER",
        title: "MsiFormatRecord answers through its buffer as the string getters do",
        statement: "Given a valid record, MsiFormatRecord returns ERROR_SUCCESS when the buffer \
                    holds the formatted text, with its length in characters (terminator \
                    excluded) in the size argument, and ERROR_MORE_DATA when it does not; with \
                    no buffer it returns ERROR_SUCCESS (and the length, when given a size \
                    pointer); a buffer without a size pointer is ERROR_INVALID_PARAMETER (87). \
                    Nothing else: a valid record always formats. Record handle 0 is no record: \
                    ERROR_INVALID_HANDLE, with or without an install handle.",
        sources: &[
            "API:msiformatrecorda",
            "WT:custom.c test_format_record",
            "WT:package.c test_formatrecord",
        ],
        contexts: C_CALLS,
        family: Family::Formatting,
        subject: Subject::calls(&[OpKind::FormatRecord]).only(about_fmt_record_buffer),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(fmt_record_buffer),
    },
    Rule {
        id: "FMT-PROPERTY",
        title: "[Name] formats to the property's value, or empty",
        statement: "In formatted text a bracketed property name becomes the property's current \
                    value, and an undefined property becomes the empty string.",
        sources: &["MS:formatted"],
        contexts: PKG_IMM,
        family: Family::Formatting,
        subject: Subject::calls(&[OpKind::FormatRecord]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(fmt_property),
    },
    Rule {
        id: "FMT-ESCAPE",
        title: "[\\x] keeps one character; handle 0 leaves the text alone",
        statement: "A bracket that starts with a backslash formats to the single character after \
                    the backslash, dropping the rest of the bracket; without an install handle \
                    the escapes are not processed at all.",
        sources: &["MS:formatted"],
        contexts: PKG_IMM,
        family: Family::Formatting,
        subject: Subject::calls(&[OpKind::FormatRecord]).when(about_fmt_escape),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(fmt_escape),
    },
    Rule {
        id: "FMT-FILE-COMPONENT-KEYS",
        title: "[#file], [!file] and [$component] resolve only after costing",
        statement: "A file key formats to its full path once costing has run, and to empty before \
                    that; a component key formats to its directory by action state.",
        sources: &["MS:formatted", "WT:package.c test_formatrecord_tables"],
        contexts: PKG_IMM,
        family: Family::Formatting,
        subject: Subject::calls(&[OpKind::FormatRecord]),
        level: Level::Must,
        disagreement: Some(
            "MS:formatted says [!file] is a short path only in Registry and IniFile values; \
             Windows' output for existing files elsewhere is not settled, so only \
             the before-costing case is checked.",
        ),
        check: Check::Predicate(fmt_file_keys),
    },
];

/// The calls FMT-ESCAPE speaks about.
fn about_fmt_escape(op: &Operation) -> bool {
    matches!(op, Operation::FormatRecord { template, handle, null_record: false, .. } if template.contains("[\\") || *handle != HandleArg::Session)
}

fn type51(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    super::properties::scan(plan, t, p, out, "TYPE51-SETPROP");
}

/// Which rule a FormatRecord template belongs to.
fn template_rule(template: &str, fields: &[String]) -> &'static str {
    let has = |s: &str| template.contains(s) || fields.iter().any(|f| f.contains(s));
    if has("[#") || has("[!") || has("[$") {
        "FMT-FILE-COMPONENT-KEYS"
    } else if has("[\\") {
        "FMT-ESCAPE"
    } else {
        "FMT-PROPERTY"
    }
}

/// Checks MsiFormatRecord results in the package and immediate contexts whose
/// expansion the plan settles, pushing those that belong to `want`.
fn scan_format(
    plan: &Plan,
    t: &Transcript,
    profile: Profile,
    out: &mut Vec<Violation>,
    want: &str,
) {
    for (i, e) in facts::full_c_calls(t) {
        let Operation::FormatRecord {
            template,
            fields,
            null_record: false,
            buffer: Buffer::Ample,
            handle,
            ansi,
            ..
        } = &e.call
        else {
            continue;
        };
        let rule = template_rule(template, fields);
        if rule != want {
            continue;
        }
        if matches!(handle, HandleArg::Session | HandleArg::Zero) {
            // An ample buffer holds formatted text shorter than itself: the
            // call succeeds and writes back the length of what it returned.
            let long = e
                .outcome
                .size
                .is_some_and(|n| n >= crate::msi::text::AMPLE_BUFFER);
            if e.outcome.rc.is_some_and(|r| r != rc::SUCCESS) && !long {
                flag(out, rule, e, "rc=0 (the value fits the ample buffer)");
                continue;
            }
            let done = e.outcome.rc == Some(rc::SUCCESS);
            if let (Some(v), Some(size), false, true) =
                (&e.outcome.value, e.outcome.size, ansi, done)
            {
                if size != facts::char_len(v) {
                    flag(
                        out,
                        rule,
                        e,
                        format!("size={} (the length of the value)", facts::char_len(v)),
                    );
                    continue;
                }
            }
        }
        let expected = expected_format(plan, t, i, template, fields, *handle, rule);
        let Some(expected) = expected else {
            continue;
        };
        let expected = facts::as_read(e, &expected, profile);
        if let Some(v) = &e.outcome.value {
            if *v != expected {
                flag(out, rule, e, format!("value={expected:?}"));
            }
        }
    }
}

/// What MsiFormatRecord must produce at `t.events[i]`, when the plan settles it.
pub(super) fn expected_format(
    plan: &Plan,
    t: &Transcript,
    i: usize,
    template: &str,
    fields: &[String],
    handle: HandleArg,
    rule: &str,
) -> Option<String> {
    let e = &t.events[i];
    match handle {
        HandleArg::Session => {
            let before_costing = e.context == Context::Package
                && !facts::run_before_of(&t.events, i, &[OpKind::DoAction, OpKind::Sequence]).any(
                    |(_, p)| {
                        matches!(
                            p.call,
                            Operation::DoAction { .. } | Operation::Sequence { .. }
                        )
                    },
                );
            let resolve = |n: &str| -> Option<Cow<'_, str>> {
                if n.starts_with('#') || n.starts_with('!') {
                    return before_costing.then_some(Cow::Borrowed(""));
                }
                if n.starts_with(['$', '%']) {
                    return None;
                }
                facts::property_at(plan, &t.events, i, n).map(|k| k.value)
            };
            facts::format_settled(template, fields, &resolve)
        }
        HandleArg::Zero => {
            // Without an install handle only plain text and escapes are settled: they stay as written.
            let plain = template
                .match_indices('[')
                .all(|(p, _)| template[p + 1..].starts_with('\\'));
            (plain && fields.is_empty() && rule == "FMT-ESCAPE").then(|| template.to_owned())
        }
        HandleArg::Bogus => None,
    }
}

/// The calls FMT-RECORD-BUFFER speaks about: MsiFormatRecord through the
/// session's handle or none (a bogus handle is another question).
fn about_fmt_record_buffer(op: &Operation) -> bool {
    matches!(
        op,
        Operation::FormatRecord {
            handle: HandleArg::Session | HandleArg::Zero,
            ..
        } | Operation::FormatRecord {
            null_record: true,
            ..
        }
    )
}

fn fmt_record_buffer(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "FMT-RECORD-BUFFER";
    for e in &t.events {
        let c_call = facts::is_full_c(e.context) || facts::is_in_script_c(e.context);
        if !performed(e) || !c_call || !about_fmt_record_buffer(&e.call) {
            continue;
        }
        let Operation::FormatRecord {
            buffer,
            ansi,
            null_record,
            ..
        } = &e.call
        else {
            continue;
        };
        let Some(got) = e.outcome.rc else {
            continue;
        };
        let allowed: &[u32] = match buffer {
            // Record handle 0 is no record, whatever the buffer.
            _ if *null_record => &[rc::INVALID_HANDLE],
            Buffer::NullSize => &[rc::INVALID_PARAMETER],
            Buffer::NullBoth | Buffer::NullBuffer(_) => &[rc::SUCCESS],
            Buffer::Ample | Buffer::Sized(_) => &[rc::SUCCESS, rc::MORE_DATA],
        };
        if !allowed.contains(&got) {
            let names: Vec<String> = allowed.iter().map(u32::to_string).collect();
            flag(out, ID, e, format!("rc={}", names.join(" or ")));
            continue;
        }
        // A wide copy that fits reports the length of what it copied.
        if got == rc::SUCCESS && !ansi && matches!(buffer, Buffer::Ample | Buffer::Sized(_)) {
            if let (Some(value), Some(size)) = (e.outcome.value.as_deref(), e.outcome.size) {
                let len = facts::char_len(value);
                if size != len {
                    flag(
                        out,
                        ID,
                        e,
                        format!("size={len} (the length of the copied text)"),
                    );
                }
            }
        }
    }
}

fn fmt_property(plan: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    scan_format(plan, t, profile, out, "FMT-PROPERTY");
}
fn fmt_escape(plan: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    scan_format(plan, t, profile, out, "FMT-ESCAPE");
}
fn fmt_file_keys(plan: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    scan_format(plan, t, profile, out, "FMT-FILE-COMPONENT-KEYS");
}
