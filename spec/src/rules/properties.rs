//! MsiGetProperty / MsiSetProperty / Session.Property: values, sizes, names.

use super::facts::{Known, Source};
use super::prelude::*;
use crate::msi::sql::{self, Statement};
use crate::Buffer;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "PROP-GET-UNDEFINED-EMPTY",
        title: "A property that was never set reads as an empty string",
        statement: "Reading an undefined property succeeds and yields a zero-length value; only a \
                    zero-sized buffer gets ERROR_MORE_DATA, with a required size of 0.",
        sources: &["API:msigetpropertya"],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
        ],
        family: Family::Properties,
        subject: Subject::calls(&[OpKind::GetProperty, OpKind::SessionPropertyGet]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(undefined_empty),
    },
    Rule {
        id: "PROP-GET-BUFFER",
        title: "MsiGetProperty sizes are in characters without the terminator",
        statement: "The size argument counts characters, terminator excluded: a buffer too small \
                    for the value gets ERROR_MORE_DATA with the value's length and a truncated, \
                    terminated copy; a large enough one gets the value and its length. In \
                    deferred, rollback and commit actions, whose few properties are known only \
                    from what the call copies, a large enough buffer gets ERROR_SUCCESS and the \
                    length of the value copied.",
        sources: &["API:msigetpropertya", "MSDN-GetProperty"],
        contexts: C_CALLS,
        family: Family::Properties,
        subject: Subject::calls(&[OpKind::GetProperty])
            .only(|op| about_prop_get_buffer(op) || about_in_script_ample_read(op))
            .singling_out(about_prop_get_buffer),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(get_buffer),
    },
    Rule {
        id: "PROP-CASE-SENSITIVE",
        title: "Property names are case-sensitive",
        statement: "Two names that differ only in case are two different properties.",
        sources: &["MS:session-session", "MS:restrictions-on-property-names"],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
        ],
        family: Family::Properties,
        subject: Subject::calls(&[OpKind::GetProperty, OpKind::SessionPropertyGet]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(case_sensitive),
    },
    Rule {
        id: "PROP-GET-REMOTE-BYTES",
        title: "Inside a custom action the A getters report required sizes in bytes",
        statement: "Through the custom-action bridge on Windows, MsiGetPropertyA and the other A \
                    string getters report the size they need in bytes (twice the characters) when \
                    they return ERROR_MORE_DATA or get no buffer; a successful copy still reports \
                    characters. Only immediate actions are recorded doing so: in deferred, \
                    rollback and commit actions no source shows it, so there the documented \
                    characters stand and the sizes are not judged.",
        sources: &[
            "WT:custom.c test_props",
            "WT:custom.c test_format_record",
            "API:msigetpropertya",
        ],
        contexts: IMM,
        family: Family::Properties,
        subject: Subject::calls(&[OpKind::GetProperty, OpKind::FormatRecord])
            .when(about_prop_get_remote_bytes),
        level: Level::Observed,
        disagreement: Some(
            "documented: sizes are TCHAR counts everywhere; windows: inside a custom action the A \
             variants report bytes for size queries and ERROR_MORE_DATA.",
        ),
        check: Check::Predicate(remote_bytes),
    },
    Rule {
        id: "PROP-GET-ARGS",
        title: "MsiGetProperty checks its arguments",
        statement:
            "A Null name is refused with 87 before the handle is looked at; a buffer without \
                    a size pointer is refused with 87; no buffer and no size pointer succeeds; a \
                    bad handle gets 6; a well-formed call succeeds or, when the value does not \
                    fit, returns ERROR_MORE_DATA.",
        sources: &["MSDN-GetProperty", "WT:package.c test_props"],
        contexts: PKG_IMM,
        family: Family::Properties,
        subject: Subject::calls(&[OpKind::GetProperty]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(get_args),
    },
    Rule {
        id: "PROP-SET-EMPTY-DELETES",
        title: "Setting a property to Null or empty removes it",
        statement: "MsiSetProperty with a Null or empty value deletes the property: it then reads \
                    as empty and is gone from the in-memory _Property table.",
        sources: &["API:msisetpropertya"],
        contexts: PKG_IMM,
        family: Family::Properties,
        subject: Subject::calls(&[OpKind::GetProperty, OpKind::SessionPropertyGet, OpKind::Sql]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(set_empty_deletes),
    },
    Rule {
        id: "PROP-SET-ARGS",
        title: "MsiSetProperty checks its arguments",
        statement: "A Null name gets 87, a bad handle gets 6 (handle 0 is checked first, so a \
                    Null name on it gets 6 too), an empty name with a value gets \
                    ERROR_FUNCTION_FAILED (1627), an empty name with a Null value is a \
                    successful no-op, and a well-formed call succeeds.",
        sources: &[
            "API:msisetpropertya",
            "WT:package.c test_MsiSetProperty",
            "WT:package.c test_props",
        ],
        contexts: PKG_IMM,
        family: Family::Properties,
        subject: Subject::calls(&[OpKind::SetProperty]).when(about_prop_set_args),
        level: Level::Observed,
        disagreement: Some(
            "The documentation gives no return codes for these cases; both profiles expect what \
             Windows returns.",
        ),
        check: Check::Predicate(set_args),
    },
    Rule {
        id: "PROP-NAME-NOT-VALIDATED",
        title: "Property names are not checked against the Identifier syntax at run time",
        statement: "Although property names should be Identifiers, MsiSetProperty and \
                    Session.Property accept any non-empty name, such as \"=\" or a blank, and the \
                    value reads back.",
        sources: &[
            "MS:restrictions-on-property-names",
            "MS:public-properties",
            "MS:private-properties",
        ],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
        ],
        family: Family::Properties,
        subject: Subject::calls(&[OpKind::SetProperty, OpKind::SessionPropertySet])
            .when(about_prop_name_not_validated),
        level: Level::Observed,
        disagreement: Some(
            "The naming pages require Identifiers but say nothing of enforcement; Windows accepts \
             other names. Both profiles expect acceptance.",
        ),
        check: Check::Predicate(name_not_validated),
    },
    Rule {
        id: "PROP-PUBLIC-PRIVATE",
        title: "Only public (upper-case) properties come from the command line",
        statement:
            "A property whose name has no lower-case letter is public and can be set on the \
                    command line; a name with lower-case letters is private and a command-line \
                    value for it is not taken.",
        sources: &[
            "MS:public-properties",
            "MS:private-properties",
            "MS:custom-action-type-51",
        ],
        contexts: &[
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
        ],
        family: Family::Properties,
        subject: Subject::calls(&[OpKind::GetProperty, OpKind::SessionPropertyGet]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(public_private),
    },
    Rule {
        id: "PROP-SET-NO-FORMAT",
        title: "MsiSetProperty stores text without formatting it",
        statement:
            "A value given to MsiSetProperty is kept exactly; bracketed names in it are not \
                    expanded (only type-51 actions and MsiFormatRecord format).",
        sources: &["MS:custom-action-type-51", "MS:formatted"],
        contexts: PKG_IMM,
        family: Family::Properties,
        subject: Subject::calls(&[OpKind::GetProperty, OpKind::SessionPropertyGet]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(set_no_format),
    },
    Rule {
        id: "PROP-EMBEDDED-NUL",
        title: "Property values may hold embedded NUL characters",
        statement: "[~] formats to a NUL, so a type-51 action can store a value with NULs inside; \
                    MsiGetProperty returns all of it with its true length. MsiSetProperty takes \
                    a NUL-terminated value, so text passed to it is stored up to its first NUL.",
        sources: &["MS:formatted", "API:msisetpropertya"],
        contexts: PKG_IMM,
        family: Family::Properties,
        subject: Subject::calls(&[OpKind::GetProperty]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(embedded_nul),
    },
    Rule {
        id: "PROP-INMEMORY-TABLE",
        title: "Session properties live in the in-memory _Property table",
        statement: "The session copies the Property table into _Property when it opens; \
                    MsiSetProperty writes only _Property, and rows added to Property afterwards \
                    are not properties.",
        sources: &["MS:session-session", "WT:package.c test_MsiDatabaseCommit"],
        contexts: PKG_IMM,
        family: Family::Properties,
        subject: Subject::calls(&[OpKind::GetProperty, OpKind::Sql]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(inmemory_table),
    },
    Rule {
        id: "PROP-ENV-PREFIX",
        title: "A % prefix reads an environment variable",
        statement:
            "A property name starting with % names an environment variable (matched without \
                    regard to case), both in MsiGetProperty and in [%NAME] in formatted text.",
        sources: &[
            "MS:session-session",
            "MS:formatted",
            "MS:restrictions-on-property-names",
        ],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
        ],
        family: Family::Properties,
        subject: Subject::calls(&[
            OpKind::GetProperty,
            OpKind::SessionPropertyGet,
            OpKind::SetProperty,
            OpKind::FormatRecord,
        ])
        .when(|op| match op {
            Operation::GetProperty { name: Some(n), .. }
            | Operation::SetProperty { name: Some(n), .. }
            | Operation::SessionPropertyGet { name: Some(n) } => n.starts_with('%'),
            Operation::FormatRecord {
                template,
                null_record: false,
                ..
            } => template.contains("[%"),
            _ => false,
        }),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(env_prefix),
    },
];

/// The calls PROP-GET-BUFFER speaks about.
/// A wide MsiGetProperty of a named property through an ample buffer: what
/// PROP-GET-BUFFER judges in deferred, rollback and commit actions.
fn about_in_script_ample_read(op: &Operation) -> bool {
    matches!(
        op,
        Operation::GetProperty {
            name: Some(_),
            buffer: crate::Buffer::Ample,
            ansi: false,
            handle: HandleArg::Session,
        }
    )
}

fn about_prop_get_buffer(op: &Operation) -> bool {
    matches!(
        op,
        Operation::GetProperty {
            buffer: crate::Buffer::Sized(_) | crate::Buffer::NullBuffer(_),
            ..
        }
    )
}

/// The calls PROP-GET-REMOTE-BYTES speaks about.
fn about_prop_get_remote_bytes(op: &Operation) -> bool {
    matches!(
        op,
        Operation::GetProperty { ansi: true, .. } | Operation::FormatRecord { ansi: true, .. }
    )
}

/// The calls PROP-SET-ARGS speaks about.
fn about_prop_set_args(op: &Operation) -> bool {
    matches!(op, Operation::SetProperty { name, handle, .. } if name.as_deref().is_none_or(str::is_empty) || *handle != HandleArg::Session)
}

/// The calls PROP-NAME-NOT-VALIDATED speaks about.
fn about_prop_name_not_validated(op: &Operation) -> bool {
    matches!(op, Operation::SetProperty { name: Some(n), .. } | Operation::SessionPropertySet { name: Some(n), .. } if !n.is_empty() && !crate::msi::properties::is_identifier(n))
}

/// The rule a property read at `t.events[i]` belongs to, from the property's
/// history in the plan and the transcript: the same owner the predicates give
/// it, so a departure there that no predicate flags is attributed the same way.
/// `None` for other calls, and for reads whose value the plan does not settle.
pub fn read_owner(plan: &Plan, t: &Transcript, i: usize) -> Option<&'static str> {
    let e = t.events.get(i)?;
    let (name, script) = match &e.call {
        Operation::GetProperty {
            name: Some(n),
            handle: HandleArg::Session,
            ..
        } if facts::is_full_c(e.context) => (n, false),
        Operation::SessionPropertyGet { name: Some(n) }
            if e.context == Context::ScriptImmediate =>
        {
            (n, true)
        }
        _ => return None,
    };
    if name.starts_with('%') {
        return Some("PROP-ENV-PREFIX");
    }
    let k = facts::property_at(plan, &t.events, i, name)?;
    if k.source == Source::Undefined && inserted_into_property_table(&t.events, i, name) {
        return Some("PROP-INMEMORY-TABLE");
    }
    Some(domain(&k, name, e.context, script))
}

/// Which rule owns a property read whose expected value is `k`.
fn domain(k: &Known<'_>, name: &str, ctx: Context, script: bool) -> &'static str {
    if k.variant_set {
        return "PROP-CASE-SENSITIVE";
    }
    if name == "CustomActionData" && ctx.is_immediate() {
        return "CUSTOMACTIONDATA-IMMEDIATE";
    }
    // Bytes, not chars: these are ASCII, and values run to 65,535 characters.
    let bytes = k.value.as_bytes();
    if bytes.contains(&0) {
        return "PROP-EMBEDDED-NUL";
    }
    match k.source {
        Source::Set if bytes.contains(&b'[') || bytes.contains(&b'{') => "PROP-SET-NO-FORMAT",
        Source::Set => "PROP-GET-BUFFER",
        Source::SetCut => "PROP-EMBEDDED-NUL",
        Source::SetEmpty => "PROP-SET-EMPTY-DELETES",
        Source::SessionSet => "SESSION-PROPERTY-RW",
        Source::Nested51 => "DOACTION-NESTED",
        Source::InstallLevel => "CA-MISC-STATE-APIS",
        Source::Static if script => "SESSION-PROPERTY-RW",
        Source::Static => "PROP-GET-BUFFER",
        Source::CommandLine | Source::PrivateCommandLine | Source::PrivateUiSetLost => {
            "PROP-PUBLIC-PRIVATE"
        }
        Source::Type51 => "TYPE51-SETPROP",
        Source::Undefined => "PROP-GET-UNDEFINED-EMPTY",
    }
}

/// Whether a row was inserted into the persistent Property table under `name`
/// earlier in the same run.
fn inserted_into_property_table(events: &[Event], i: usize, name: &str) -> bool {
    facts::run_before_in(events, i, &[Key::PropertySql]).any(|(_, e)| {
        let Operation::Sql { sql, .. } = &e.call else {
            return false;
        };
        if e.outcome.rc != Some(rc::SUCCESS) {
            return false;
        }
        match sql::parse(sql) {
            Ok(Statement::Insert {
                table,
                columns,
                values,
                ..
            }) if table == "Property" => columns
                .iter()
                .position(|c| c == "Property")
                .and_then(|p| values.get(p))
                .is_some_and(|v| v.render() == name),
            _ => false,
        }
    })
}

/// Whether a read of `name` at `events[i]` could belong to `want` at all: a
/// cheap test that spares the full reasoning for most rules.
fn could_belong(plan: &Plan, events: &[Event], i: usize, name: &str, want: &str) -> bool {
    // `keys` name every event `f` can accept (see `facts::run_before_in`).
    let run_has = |keys: &[Key], f: &dyn Fn(&Operation) -> bool| {
        facts::run_before_in(events, i, keys).any(|(_, e)| f(&e.call))
    };
    let sets = || [Key::Sets(name.to_ascii_lowercase())];
    match want {
        "CUSTOMACTIONDATA-IMMEDIATE" => name == "CustomActionData",
        "CA-MISC-STATE-APIS" => name == "INSTALLLEVEL",
        "PROP-PUBLIC-PRIVATE" => {
            plan.install
                .as_ref()
                .is_some_and(|i| i.properties.contains_key(name))
                || plan.fixture.ui_sequence.iter().any(|r| {
                    plan.fixture.custom_action(&r.action).is_some_and(|c| {
                        c.basic_type() == catype::SET_PROPERTY && c.source.as_deref() == Some(name)
                    })
                })
        }
        "TYPE51-SETPROP" | "PROP-EMBEDDED-NUL" => {
            plan.fixture.custom_actions.iter().any(|r| {
                r.basic_type() == catype::SET_PROPERTY && r.source.as_deref() == Some(name)
            }) || (want == "PROP-EMBEDDED-NUL"
                && (run_has(&[Key::Kind(OpKind::DoAction)], &|op| {
                    matches!(op, Operation::DoAction { .. })
                }) || run_has(&sets(), &|op| {
                    matches!(op, Operation::SetProperty { name: Some(n), value: Some(v), .. }
                        if n == name && v.contains('\0'))
                })))
        }
        "DOACTION-NESTED" => run_has(
            &[
                Key::Kind(OpKind::DoAction),
                Key::Kind(OpKind::SessionDoAction),
            ],
            &|op| {
                matches!(
                    op,
                    Operation::DoAction { .. } | Operation::SessionDoAction { .. }
                )
            },
        ),
        "PROP-SET-NO-FORMAT" | "PROP-SET-EMPTY-DELETES" => run_has(
            &sets(),
            &|op| matches!(op, Operation::SetProperty { name: Some(n), .. } if n == name),
        ),
        "PROP-INMEMORY-TABLE" => run_has(&[Key::Kind(OpKind::Sql)], &|op| {
            matches!(op, Operation::Sql { .. })
        }),
        "PROP-CASE-SENSITIVE" => {
            facts::static_variant(plan, name)
                || run_has(
                    &sets(),
                    &|op| matches!(op, Operation::SetProperty { name: Some(n), .. } | Operation::SessionPropertySet { name: Some(n), .. } if n != name && n.eq_ignore_ascii_case(name)),
                )
        }
        _ => true,
    }
}

/// Checks every property read whose expected value the plan settles, pushing
/// only the violations that belong to `want` (each read belongs to one rule,
/// plus PROP-GET-REMOTE-BYTES for the sizes of A getters inside custom actions).
pub(super) fn scan(
    plan: &Plan,
    t: &Transcript,
    profile: Profile,
    out: &mut Vec<Violation>,
    want: &str,
) {
    const BYTES: &str = "PROP-GET-REMOTE-BYTES";
    const BUFFER: &str = "PROP-GET-BUFFER";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) {
            continue;
        }
        match &e.call {
            Operation::GetProperty {
                name: Some(n),
                buffer,
                ansi,
                handle: HandleArg::Session,
            } if facts::is_full_c(e.context) => {
                // Byte counts arise only for A getters inside custom actions.
                let bytes_only = want == BYTES && !(*ansi && e.context.is_custom_action());
                if n.starts_with('%')
                    || matches!(buffer, Buffer::NullSize | Buffer::NullBoth)
                    || bytes_only
                    || !could_belong(plan, &t.events, i, n, want)
                {
                    continue;
                }
                let Some(k) = facts::property_at(plan, &t.events, i, n) else {
                    continue;
                };
                let mut rule = domain(&k, n, e.context, false);
                if k.source == Source::Undefined && inserted_into_property_table(&t.events, i, n) {
                    rule = "PROP-INMEMORY-TABLE";
                }
                if rule != want && want != BYTES && want != BUFFER {
                    continue;
                }
                let in_ca = e.context.is_custom_action();
                let remote = *ansi && in_ca;
                let bytes = remote && profile == Profile::Windows;
                let len = facts::char_len(&k.value);
                let Some((want_rc, want_size, copied)) = facts::expected_get(len, *buffer, bytes)
                else {
                    continue;
                };
                // When the value does not fit, the truncated copy and the
                // required size are the buffer rule's, whoever owns the value.
                let truncated = copied != Some(len);
                let rc_wrong = e.outcome.rc.is_some_and(|r| r != want_rc);
                if want == BUFFER && rule != want && (!truncated || rc_wrong) {
                    continue;
                }
                if rule == want && rc_wrong {
                    flag(
                        out,
                        rule,
                        e,
                        format!("rc={want_rc} for value {:?}", k.value),
                    );
                    continue;
                }
                // A copy that is empty or a piece of the right value is a
                // question of the buffer; another text is the value's own.
                let value_owner = match &e.outcome.value {
                    Some(v) if truncated && (v.is_empty() || k.value.starts_with(v.as_str())) => {
                        BUFFER
                    }
                    _ => rule,
                };
                if value_owner == want {
                    if let (Some(m), Some(v)) = (copied, &e.outcome.value) {
                        let expect = facts::utf16_prefix(&k.value, m);
                        let nul_cut = remote && k.value.contains('\0');
                        if let Some(expect) = expect.filter(|x| !nul_cut && v != x) {
                            flag(out, value_owner, e, format!("value={expect:?}"));
                            continue;
                        }
                    }
                }
                if let Some(size) = e.outcome.size {
                    if size != want_size {
                        // The byte/character question belongs to PROP-GET-REMOTE-BYTES
                        // whenever the two units would give different answers.
                        let other_units = if bytes { len } else { len * 2 };
                        let units_matter = remote && copied != Some(len) && size == other_units;
                        // Off by one (the terminator) is the buffer's question;
                        // a size far off comes from a wrong value.
                        let owner = if units_matter {
                            BYTES
                        } else if truncated && size.abs_diff(want_size) == 1 {
                            BUFFER
                        } else {
                            rule
                        };
                        if owner == want {
                            flag(out, owner, e, format!("size={want_size}"));
                        }
                    }
                }
            }
            Operation::SessionPropertyGet { name: Some(n) }
                if e.context == Context::ScriptImmediate =>
            {
                if n.starts_with('%') || want == BYTES || !could_belong(plan, &t.events, i, n, want)
                {
                    continue;
                }
                let Some(k) = facts::property_at(plan, &t.events, i, n) else {
                    continue;
                };
                let rule = domain(&k, n, e.context, true);
                if rule != want {
                    continue;
                }
                if e.outcome.exception.is_some() {
                    flag(
                        out,
                        rule,
                        e,
                        format!("value={:?} without an exception", k.value),
                    );
                } else if let Some(v) = &e.outcome.value {
                    if *v != k.value {
                        flag(out, rule, e, format!("value={:?}", k.value));
                    }
                }
            }
            _ => {}
        }
    }
}

fn undefined_empty(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    scan(plan, t, p, out, "PROP-GET-UNDEFINED-EMPTY");
}
fn get_buffer(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "PROP-GET-BUFFER";
    scan(plan, t, p, out, ID);
    // In-script, the value is whatever the call copied: an ample buffer holds
    // all of it, so the call succeeds and reports that value's length.
    for e in &t.events {
        if !performed(e)
            || !facts::is_in_script_c(e.context)
            || !about_in_script_ample_read(&e.call)
        {
            continue;
        }
        let Some(value) = e.outcome.value.as_deref() else {
            continue;
        };
        let len = facts::char_len(value);
        if len + 1 >= crate::msi::text::AMPLE_BUFFER {
            // A copy that fills the buffer may be a truncated longer value.
            continue;
        }
        let Some((want_rc, want_size, _)) = facts::expected_get(len, Buffer::Ample, false) else {
            continue;
        };
        let ok = e.outcome.rc.is_none_or(|r| r == want_rc)
            && e.outcome.size.is_none_or(|s| s == want_size);
        if !ok {
            flag(out, ID, e, format!("rc=0 size={want_size}"));
        }
    }
}
fn case_sensitive(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    scan(plan, t, p, out, "PROP-CASE-SENSITIVE");
}
fn remote_bytes(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "PROP-GET-REMOTE-BYTES";
    scan(plan, t, p, out, ID);
    // MsiFormatRecordA goes through the same bridge.
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || !facts::is_immediate_c(e.context) {
            continue;
        }
        let Operation::FormatRecord {
            null_record: false,
            template,
            fields,
            buffer: buffer @ (Buffer::Sized(_) | Buffer::NullBuffer(_)),
            ansi: true,
            handle: HandleArg::Session,
        } = &e.call
        else {
            continue;
        };
        let Some(text) = super::formatting::expected_format(
            plan,
            t,
            i,
            template,
            fields,
            HandleArg::Session,
            "",
        ) else {
            continue;
        };
        let len = facts::char_len(&text);
        let Some((_, want_size, copied)) = facts::expected_get(len, *buffer, p == Profile::Windows)
        else {
            continue;
        };
        if copied == Some(len) {
            continue;
        }
        if e.outcome.size.is_some_and(|s| s != want_size) {
            flag(out, ID, e, format!("size={want_size}"));
        }
    }
}
fn set_no_format(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    scan(plan, t, p, out, "PROP-SET-NO-FORMAT");
}
fn embedded_nul(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    scan(plan, t, p, out, "PROP-EMBEDDED-NUL");
}
fn public_private(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    scan(plan, t, p, out, "PROP-PUBLIC-PRIVATE");
}

fn get_args(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "PROP-GET-ARGS";
    for e in &t.events {
        let in_script = facts::is_in_script_c(e.context);
        if !performed(e) || !(facts::is_full_c(e.context) || in_script) {
            continue;
        }
        let Operation::GetProperty {
            name,
            buffer,
            handle,
            ..
        } = &e.call
        else {
            continue;
        };
        let well_formed = name.is_some()
            && *handle == HandleArg::Session
            && !matches!(buffer, Buffer::NullSize | Buffer::NullBoth);
        if in_script && !well_formed {
            // What the script's handle makes of bad arguments is not settled.
            continue;
        }
        let want = match (name, handle, buffer) {
            (None, _, _) => rc::INVALID_PARAMETER,
            (Some(_), HandleArg::Zero | HandleArg::Bogus, _) => rc::INVALID_HANDLE,
            (Some(_), HandleArg::Session, Buffer::NullSize) => rc::INVALID_PARAMETER,
            (Some(_), HandleArg::Session, Buffer::NullBoth) => rc::SUCCESS,
            // Well-formed: the value (empty for an undefined property) is
            // returned, or ERROR_MORE_DATA when it does not fit.
            (Some(_), HandleArg::Session, _) => {
                if e.outcome
                    .rc
                    .is_some_and(|r| r != rc::SUCCESS && r != rc::MORE_DATA)
                {
                    flag(out, ID, e, "rc=0 (or 234 when the value does not fit)");
                }
                continue;
            }
        };
        expect_rc(out, ID, e, want);
    }
}

fn set_args(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "PROP-SET-ARGS";
    for (_, e) in facts::full_c_calls(t) {
        let Operation::SetProperty {
            name,
            value,
            handle,
            ..
        } = &e.call
        else {
            continue;
        };
        // The value is a C string: what follows a NUL never reaches the call.
        let value = value.as_deref().map(crate::msi::text::c_string);
        let want = match (name.as_deref(), value, handle) {
            (None, _, HandleArg::Session) => rc::INVALID_PARAMETER,
            // MsiSetProperty(0, NULL, NULL) is 6 on Windows (package.c test_props).
            (None, _, HandleArg::Zero) => rc::INVALID_HANDLE,
            (Some(_), _, HandleArg::Zero | HandleArg::Bogus) => rc::INVALID_HANDLE,
            (Some(""), Some(v), HandleArg::Session) if !v.is_empty() => rc::FUNCTION_FAILED,
            (Some(""), None, HandleArg::Session) => rc::SUCCESS,
            // A well-formed call succeeds (names that are no Identifier are
            // PROP-NAME-NOT-VALIDATED's question).
            (Some(n), _, HandleArg::Session) if is_identifier(n) => rc::SUCCESS,
            _ => continue,
        };
        expect_rc(out, ID, e, want);
    }
}

fn set_empty_deletes(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    scan(plan, t, p, out, "PROP-SET-EMPTY-DELETES");
    property_table_rows(t, out, "PROP-SET-EMPTY-DELETES");
}

fn inmemory_table(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    scan(plan, t, p, out, "PROP-INMEMORY-TABLE");
    property_table_rows(t, out, "PROP-INMEMORY-TABLE");
}

/// Compares `SELECT * FROM _Property` results with the properties set earlier
/// in the run: a deleted property has no row (PROP-SET-EMPTY-DELETES), a set
/// one has its row in an unfiltered select (PROP-INMEMORY-TABLE).
fn property_table_rows(t: &Transcript, out: &mut Vec<Violation>, want: &str) {
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || !facts::is_full_c(e.context) || e.outcome.rc != Some(rc::SUCCESS) {
            continue;
        }
        let Operation::Sql { sql, .. } = &e.call else {
            continue;
        };
        let Ok(Statement::Select {
            table,
            columns: None,
            filter,
            ..
        }) = sql::parse(sql)
        else {
            continue;
        };
        if table != "_Property" {
            continue;
        }
        let filtered = filter.is_some();
        let Some(rows) = &e.outcome.rows else {
            continue;
        };
        let mut seen: Vec<&str> = Vec::new();
        const KEYS: &[Key] = &[
            Key::Kind(OpKind::SetProperty),
            Key::Kind(OpKind::DoAction),
            Key::Kind(OpKind::SessionDoAction),
            Key::Kind(OpKind::Sequence),
            Key::Kind(OpKind::Modify),
            Key::Kind(OpKind::SetInstallLevel),
            Key::PropertySql,
        ];
        for (_, prior) in facts::run_before_in(&t.events, i, KEYS) {
            match &prior.call {
                Operation::SetProperty {
                    name: Some(n),
                    value,
                    ansi,
                    handle: HandleArg::Session,
                } if !n.is_empty() && prior.outcome.rc == Some(rc::SUCCESS) => {
                    if seen.contains(&n.as_str()) {
                        continue;
                    }
                    seen.push(n);
                    let v = crate::msi::text::c_string(value.as_deref().unwrap_or(""));
                    if *ansi && !(n.is_ascii() && v.is_ascii()) {
                        // Converted through a code page the transcript does not name.
                        continue;
                    }
                    let row = rows.iter().find(|r| r.first().is_some_and(|f| f == n));
                    if v.is_empty() {
                        if want == "PROP-SET-EMPTY-DELETES" && row.is_some() {
                            flag(out, want, e, format!("no _Property row for deleted {n:?}"));
                        }
                    } else if want == "PROP-INMEMORY-TABLE" && !filtered {
                        let ok = row.is_some_and(|r| r.get(1).is_some_and(|x| x == v));
                        if !ok {
                            flag(out, want, e, format!("a _Property row ({n:?}, {v:?})"));
                        }
                    }
                }
                Operation::DoAction { .. }
                | Operation::SessionDoAction { .. }
                | Operation::Sequence { .. }
                | Operation::Modify { .. }
                | Operation::SetInstallLevel { .. } => break,
                Operation::Sql { sql, .. } if sql.contains("_Property") => break,
                _ => {}
            }
        }
    }
}

use crate::msi::properties::is_identifier;

fn name_not_validated(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "PROP-NAME-NOT-VALIDATED";
    for e in &t.events {
        if !performed(e) {
            continue;
        }
        match &e.call {
            Operation::SetProperty {
                name: Some(n),
                value: Some(v),
                ansi: _,
                handle: HandleArg::Session,
            } if facts::is_full_c(e.context)
                && !n.is_empty()
                && !n.starts_with('%')
                && !crate::msi::text::c_string(v).is_empty()
                && !is_identifier(n) =>
            {
                expect_rc(out, ID, e, rc::SUCCESS);
            }
            Operation::SessionPropertySet {
                name: Some(n),
                value: Some(_),
            } if e.context == Context::ScriptImmediate
                && !n.is_empty()
                && !n.starts_with('%')
                && !is_identifier(n)
                && e.outcome.exception.is_some() =>
            {
                flag(out, ID, e, "no exception");
            }
            _ => {}
        }
    }
}

fn env_prefix(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "PROP-ENV-PREFIX";
    let is_path = |n: &str| n.eq_ignore_ascii_case("%PATH");
    for e in &t.events {
        if !performed(e) {
            continue;
        }
        let nonempty_expected = match &e.call {
            Operation::GetProperty {
                name: Some(n),
                buffer: Buffer::Ample,
                handle: HandleArg::Session,
                ..
            } => facts::is_full_c(e.context) && is_path(n),
            Operation::SessionPropertyGet { name: Some(n) } => {
                e.context == Context::ScriptImmediate && is_path(n)
            }
            Operation::FormatRecord {
                template,
                null_record: false,
                buffer: Buffer::Ample,
                handle: HandleArg::Session,
                ..
            } => {
                facts::is_full_c(e.context)
                    && template.len() == 7
                    && template.starts_with('[')
                    && template.ends_with(']')
                    && is_path(&template[1..6])
            }
            _ => false,
        };
        if nonempty_expected
            && (e.outcome.value.as_deref() == Some("") || e.outcome.exception.is_some())
        {
            flag(out, ID, e, "the PATH environment variable (non-empty)");
        }
    }
}
