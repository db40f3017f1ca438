//! Why a kind of mutation survives, where that is known.
//!
//! Each entry names an operation, a mutation kind and optionally a context,
//! and says why no predicate can (or yet does) flag it: the sources leave the
//! outcome open, or a predicate has a known gap. The survivor list prints the
//! reason beside every matching group; a group without one is unexplained.

/// One known reason.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    /// The operation name (`get-property`, `probe-run`, `action`, ...); `*` for every operation.
    pub operation: &'static str,
    /// The mutation kind name; `*` for every kind, `rc` for every return-code group.
    pub mutation: &'static str,
    /// The context name; `*` for every context.
    pub context: &'static str,
    pub why: &'static str,
}

/// The table, most specific entries first (the first match wins). Each `why`
/// starts with `gap:` (a predicate could flag it and does not) or
/// `equivalent:` (the sources allow the mutated outcome too).
pub const KNOWN: &[Known] = &[
    Known {
        operation: "record-set-string",
        mutation: "rc-to-other-error",
        context: "*",
        why: "equivalent: MsiRecordSetString's page says only that setting a field beyond the \
              count causes an error, so REC-FIELD-RANGE accepts any non-zero code there.",
    },
    Known {
        operation: "record-get-string",
        mutation: "*",
        context: "*",
        why: "gap: the REC rules judge the records MsiCreateRecord made; a record from \
              MsiViewGetColumnInfo or MsiDatabaseGetPrimaryKeys is judged by VIEW-COLUMN-INFO and \
              DB-PRIMARY-KEYS only for tables the fixture defines and no step reshapes, so the \
              column types of tables a plan creates (db.c's cases) are case expectations.",
    },
    Known {
        operation: "record-field-count",
        mutation: "*",
        context: "*",
        why: "gap: as for record-get-string, the field count of a column-info or primary-key \
              record of a table the plan creates is a case expectation.",
    },
    Known {
        operation: "view-column-info",
        mutation: "*",
        context: "*",
        why: "gap: VIEW-COLUMN-INFO judges a SELECT view on a table the fixture defines and no \
              step reshapes; views on tables the plan creates, and whether the record handle is \
              a new one, are left to case expectations.",
    },
    Known {
        operation: "primary-keys",
        mutation: "*",
        context: "*",
        why: "gap: DB-PRIMARY-KEYS does not check that the record handle is a new one.",
    },
    Known {
        operation: "close-handle",
        mutation: "*",
        context: "*",
        why: "gap: REC-CREATE requires an open record's handle to close; closing a database or \
              view handle is judged by no rule (the sources say only that a valid handle closes).",
    },
    Known {
        operation: "action",
        mutation: "action-result",
        context: "*",
        why: "gap: INSTALL-LOG settles the top-level entry, the 2/3/4/5 entries that end a \
              sequence, custom actions' results and DoAction-started entries; left open are a \
              standard action logged 0 instead of 1 (the sources do not say that a standard action \
              with nothing to do returns success rather than not-called), a 5 on the last row of \
              a sequence, and every entry of plans that run sequences or top-level actions by \
              name, touch the sequence tables with SQL, or run an ADMIN or ADVERTISE install.",
    },
    Known {
        operation: "action",
        mutation: "*",
        context: "*",
        why: "gap: INSTALL-LOG counts the starts of actions only sequence rows start, and \
              SEQ-ORDER pins the whole log of a plain install; entries of actions the plan also \
              runs by name, of in-script actions (whose second entry at script time the sources \
              leave open), of actions with termination rows, and of failed installs are not \
              counted.",
    },
    Known {
        operation: "probe-run",
        mutation: "*",
        context: "*",
        why: "gap: no predicate derives from the plan how often each probe starts; run counts are \
              case expectations (expect-runs) and a few flag rules, and a run dropped with its calls \
              leaves nothing for the call predicates to judge. The transcript does not say what \
              started a run (issue #10, section 3).",
    },
    Known {
        operation: "install-result",
        mutation: "*",
        context: "*",
        why: "gap: the CA-RET rules judge the install result only where facts::expected_install_result \
              settles it (a plain INSTALL whose sequences hold probes, standard actions and simple \
              conditions, no nested DoAction of a probe or top-level action); elsewhere only case \
              expectations see it.",
    },
    Known {
        operation: "get-property",
        mutation: "*",
        context: "deferred",
        why: "gap: in-script contexts are judged by DEFERRED-PROPS and friends on the value, and by \
              PROP-GET-BUFFER on the return code and size of a wide read through an ample buffer; \
              the ANSI form and sized buffers there are checked by no predicate (the PROP-GET rules \
              cover them in the full C contexts).",
    },
    Known {
        operation: "get-property",
        mutation: "*",
        context: "rollback",
        why: "gap: as in deferred, only the value of an in-script read is judged.",
    },
    Known {
        operation: "get-property",
        mutation: "*",
        context: "commit",
        why: "gap: as in deferred, only the value of an in-script read is judged.",
    },
    Known {
        operation: "get-property",
        mutation: "*",
        context: "*",
        why: "gap: the property predicates judge a read only where facts::property_at settles the \
              value and could_belong ties it to the rule; values set through type-51 actions, \
              formatted Property rows, CustomActionData or earlier custom actions are left unsettled.",
    },
    Known {
        operation: "set-property",
        mutation: "rc",
        context: "deferred",
        why: "equivalent: DEFERRED-NO-SETPROPERTY says that whatever MsiSetProperty returns \
              in-script, no property changes; the sources leave the code open, and the predicate \
              judges the effect.",
    },
    Known {
        operation: "set-property",
        mutation: "rc",
        context: "rollback",
        why: "equivalent: DEFERRED-NO-SETPROPERTY says that whatever MsiSetProperty returns \
              in-script, no property changes; the sources leave the code open, and the predicate \
              judges the effect.",
    },
    Known {
        operation: "set-property",
        mutation: "rc",
        context: "commit",
        why: "equivalent: DEFERRED-NO-SETPROPERTY says that whatever MsiSetProperty returns \
              in-script, no property changes; the sources leave the code open, and the predicate \
              judges the effect.",
    },
    Known {
        operation: "set-property",
        mutation: "rc",
        context: "*",
        why: "gap: PROP-SET-ARGS judges the argument errors; that a well-formed MsiSetProperty \
              succeeds is required by no predicate.",
    },
    Known {
        operation: "sql",
        mutation: "*",
        context: "*",
        why: "gap: SQL-SELECT-READS requires success for a SELECT of known columns of a table the \
              package surely has (the fixture's, Property, the sequence and CustomAction tables, \
              _Tables, _Columns); left open are SELECTs on _Property (whose column names Windows does \
              not settle beyond having no `Property`), on tables the plan creates, alters or drops, \
              and with comparisons across kinds; the rows a SELECT returns are computed by no \
              predicate, and writes from the package handle are judged only where the \
              temporary-writes rules track them.",
    },
    Known {
        operation: "open-view",
        mutation: "*",
        context: "*",
        why: "gap: SQL-SELECT-READS requires a view of a SELECT it settles (see sql) to open \
              with a handle; other statements' views are judged only where TEMP-ONLY-WRITES or \
              VIEWMODIFY-INSERT-TEMPORARY track a write, and which handle value a view gets is \
              the runtime's own business.",
    },
    Known {
        operation: "execute",
        mutation: "*",
        context: "*",
        why: "gap: the first execution of a view of a settled SELECT must succeed \
              (SQL-SELECT-READS); executing a view again without closing it, and views of other \
              statements, are judged only where a tracked write needs them (see open-view).",
    },
    Known {
        operation: "fetch",
        mutation: "*",
        context: "*",
        why: "gap: a fetch from an executed view of a settled SELECT must give a record or \
              ERROR_NO_MORE_ITEMS (SQL-SELECT-READS), but which of the two, and the rows, are \
              computed by no predicate (see sql).",
    },
    Known {
        operation: "set-field",
        mutation: "*",
        context: "*",
        why: "gap: MsiRecordSetString on a fetched record is judged by no predicate; only the \
              MsiViewModify that follows is.",
    },
    Known {
        operation: "modify",
        mutation: "*",
        context: "*",
        why: "gap: TEMP-ONLY-WRITES judges MSIMODIFY_INSERT only; update, delete, assign, replace \
              and merge of a fetched record are not traced to the table the record came from \
              (issue #10, section 3).",
    },
    Known {
        operation: "commit",
        mutation: "*",
        context: "*",
        why: "gap: MsiDatabaseCommit's code is judged by no predicate; SQL-INSERT-TEMPORARY only \
              looks at what a later read of the disk shows.",
    },
    Known {
        operation: "format-record",
        mutation: "*",
        context: "*",
        why: "gap: the FMT rules judge the formatted value only where the template's every part is \
              settled (any ERROR_MORE_DATA silences them); FMT-RECORD-BUFFER judges which return \
              codes the buffer allows and the size of a wide copy that fits, so what is left is \
              ERROR_SUCCESS and ERROR_MORE_DATA swapped, and sizes of short or ANSI buffers.",
    },
    Known {
        operation: "do-action",
        mutation: "rc",
        context: "*",
        why: "gap: for a name that must not be found (wrong case, unknown action), DOACTION-CASE and \
              DOACTION-UNKNOWN flag only a success; any other failure code in place of 1626 passes \
              (issue #10, section 3).",
    },
    Known {
        operation: "get-mode",
        mutation: "number-off-by-one",
        context: "*",
        why: "equivalent: MsiGetMode returns a BOOL, and any non-zero BOOL is TRUE; the sources do \
              not pin the value 1.",
    },
    Known {
        operation: "session-mode",
        mutation: "number-off-by-one",
        context: "*",
        why: "near-equivalent: Session.Mode is a Boolean; 2 is not a Boolean, but the transcript \
              normalises it to a number the rules read as true.",
    },
    Known {
        operation: "has-session",
        mutation: "*",
        context: "*",
        why: "gap: EXE-NO-SESSION judges has-session in EXE actions only; that a DLL action has a \
              session is taken for granted.",
    },
    Known {
        operation: "open-package",
        mutation: "*",
        context: "*",
        why: "gap: ONE-SESSION flags a second session on the package file that opens (rc 0 or a \
              handle); a refusal with another failure code than 1618 passes, and MsiOpenPackage of \
              \"#handle\" is judged by no predicate.",
    },
    Known {
        operation: "install-product",
        mutation: "rc",
        context: "*",
        why: "gap: ONE-SESSION flags a nested install that succeeds; another failure code than 1618 \
              passes.",
    },
    Known {
        operation: "set-mode",
        mutation: "rc",
        context: "*",
        why: "gap: SESSION-MODE-SETTABLE flags a success for a mode that cannot be set and a \
              failure for REBOOTATEND or REBOOTNOW from the package handle and immediate actions; \
              which failure code a refused MsiSetMode gives, and MsiSetMode in deferred, rollback \
              and commit actions, are judged by no predicate.",
    },
    Known {
        operation: "set-install-level",
        mutation: "rc",
        context: "*",
        why: "gap: CA-MISC-STATE-APIS wants success from MsiSetInstallLevel in immediate custom \
              actions only; on the package handle no predicate judges it.",
    },
    Known {
        operation: "sequence",
        mutation: "rc",
        context: "*",
        why: "gap: MsiSequence's code is judged for a Null table and in-script only; that an existing \
              table runs and succeeds is judged by no predicate.",
    },
    Known {
        operation: "open-database",
        mutation: "*",
        context: "*",
        why: "gap: MsiOpenDatabase of the package file is how a case reads what is on disk; its code \
              and handle are judged by no predicate.",
    },
    Known {
        operation: "set-summary-info",
        mutation: "rc",
        context: "*",
        why: "gap: TEMP-ONLY-WRITES and SESSION-INSTALLER-DATABASE flag a summary write that \
              succeeds; which failure code a refusal gives is not judged.",
    },
    Known {
        operation: "evaluate-condition",
        mutation: "*",
        context: "*",
        why: "gap: the condition predicates judge empty and invalid conditions and simple property \
              tests where facts::property_at settles the property; other conditions are not \
              evaluated (the predicates classify conditions, they do not run the model's evaluator).",
    },
    Known {
        operation: "session-evaluate-condition",
        mutation: "*",
        context: "*",
        why: "gap: as evaluate-condition: only empty and invalid conditions are judged from scripts.",
    },
    Known {
        operation: "get-mode",
        mutation: "*",
        context: "*",
        why: "gap: run modes are judged in-script (RUNMODE-*) and for REBOOTATEND after a set; the \
              other modes in immediate contexts, and REBOOTATEND before any set, are not compared \
              with the plan.",
    },
    Known {
        operation: "session-mode",
        mutation: "*",
        context: "*",
        why: "gap: Session.Mode reads are judged for settable modes after a set and in deferred \
              scripts; other modes are not compared with the plan.",
    },
    Known {
        operation: "session-do-action",
        mutation: "number-flipped",
        context: "*",
        why: "gap: Session.DoAction's status is compared with the mapped Win32 code only where the \
              predicates settle what the nested action returns.",
    },
    Known {
        operation: "session-do-action",
        mutation: "number-off-by-one",
        context: "*",
        why: "gap: as number-flipped: the status is judged only where the nested action's code is \
              settled.",
    },
    Known {
        operation: "session-property-get",
        mutation: "*",
        context: "script-deferred",
        why: "gap: the deferred-script rules judge which names a deferred script sees; the UserSID \
              value it reads is not compared with the session's (issue #10, section 3).",
    },
    Known {
        operation: "session-property-get",
        mutation: "*",
        context: "*",
        why: "gap: a property set by an earlier custom action and read by a later one is never \
              judged (issue #10, section 3).",
    },
    Known {
        operation: "*",
        mutation: "exception-raised",
        context: "*",
        why: "gap: the automation rules predict the number or value an automation call returns, \
              but most do not flag a raise in its place.",
    },
    Known {
        operation: "get-language",
        mutation: "*",
        context: "*",
        why: "gap: DEFERRED-LANGUAGE judges the LANGID in-script only; outside, ProductLanguage is \
              not compared.",
    },
    Known {
        operation: "session-language",
        mutation: "*",
        context: "*",
        why: "gap: Session.Language is compared with ProductLanguage by no predicate.",
    },
    Known {
        operation: "is-table-persistent",
        mutation: "*",
        context: "*",
        why: "gap: TABLE-PERSISTENT-QUERY and SQL-TEMP-TABLE-HOLD judge system and temporary \
              tables; MSICONDITION_NONE for a missing table and ERROR for a bad handle are not judged.",
    },
];

/// The reason for a survivor group, if the table has one.
pub fn known(operation: &str, mutation: &str, context: &str) -> Option<&'static str> {
    KNOWN
        .iter()
        .find(|k| {
            (k.operation == "*" || k.operation == operation)
                && (k.mutation == "*"
                    || k.mutation == mutation
                    || (k.mutation == "rc" && mutation.starts_with("rc-")))
                && (k.context == "*" || k.context == context)
        })
        .map(|k| k.why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_matching_entry_gives_the_reason() {
        let deferred = known("get-property", "rc-to-error", "deferred").unwrap();
        assert!(deferred.contains("in-script"), "{deferred}");
        let elsewhere = known("get-property", "rc-to-success", "package").unwrap();
        assert_eq!(
            known("set-mode", "rc-to-other-error", "package"),
            known("set-mode", "rc", "x")
        );
        assert!(elsewhere.contains("property_at"), "{elsewhere}");
        assert!(known("session-do-action", "exception-raised", "script-immediate").is_some());
        assert!(known("set-property", "rc-to-success", "rollback")
            .unwrap()
            .starts_with("equivalent:"));
        assert!(known("set-property", "rc-to-error", "package")
            .unwrap()
            .starts_with("gap:"));
        assert_eq!(known("command-line", "value-changed", "exe"), None);
    }

    #[test]
    fn every_reason_says_whether_it_is_a_gap_or_equivalent() {
        for k in KNOWN {
            assert!(
                ["gap:", "equivalent:", "near-equivalent:"]
                    .iter()
                    .any(|p| k.why.starts_with(p)),
                "{k:?}"
            );
        }
    }
}
