//! The catalog as a whole: every rule is listed once, with its metadata, and enough of them are checkable.

use msiconf_spec::rules::{catalog, find};
use msiconf_spec::{Check, Family};
use std::collections::BTreeSet;

#[test]
fn ids_are_unique_and_found() {
    let mut seen = BTreeSet::new();
    for r in catalog() {
        assert!(seen.insert(r.id), "duplicate rule {}", r.id);
        assert_eq!(find(r.id).map(|x| x.id), Some(r.id));
        assert!(!r.title.is_empty() && !r.statement.is_empty(), "{}", r.id);
        // The catalog gives no source only for behaviour observed on Windows and documented nowhere.
        assert!(
            !r.sources.is_empty() || r.level == msiconf_spec::Level::Observed,
            "{} has no source",
            r.id
        );
        assert!(!r.contexts.is_empty(), "{} has no context", r.id);
        if let Check::Unobservable(why) = r.check {
            assert!(why.len() > 30, "{}: give a real reason", r.id);
        }
    }
}

#[test]
fn every_catalog_id_is_present() {
    let ids = [
        "DOACTION-CASE",
        "DOACTION-UNKNOWN",
        "DOACTION-NULL-ACTION",
        "DOACTION-BAD-HANDLE",
        "ACTION-PROP-UPPERCASE",
        "DOACTION-TOPLEVEL",
        "DOACTION-SYSTEM-UPDATE",
        "DOACTION-NONSYSTEM-OK",
        "DOACTION-NESTED",
        "DOACTION-RETCODES",
        "SESSION-DOACTION-ENUM",
        "SEQ-TERMINATION-ACTIONS",
        "SEQ-BAD-CONDITION",
        "CA-RET-SUCCESS",
        "CA-RET-USEREXIT",
        "CA-RET-NO-MORE-ITEMS",
        "CA-RET-OTHER",
        "CA-RET-SUSPEND",
        "CA-RET-CONTINUE-FLAG",
        "CA-RET-EXE-ZERO",
        "CA-ASYNC",
        "CA-TYPE19-ERROR",
        "SCRIPT-CA-RET",
        "PROP-GET-UNDEFINED-EMPTY",
        "PROP-GET-BUFFER",
        "PROP-CASE-SENSITIVE",
        "PROP-GET-REMOTE-BYTES",
        "PROP-GET-ARGS",
        "PROP-SET-EMPTY-DELETES",
        "PROP-SET-ARGS",
        "PROP-NAME-NOT-VALIDATED",
        "PROP-PUBLIC-PRIVATE",
        "PROP-SET-NO-FORMAT",
        "PROP-EMBEDDED-NUL",
        "PROP-INMEMORY-TABLE",
        "PROP-ENV-PREFIX",
        "DEFERRED-PROPS",
        "CUSTOMACTIONDATA-BY-NAME",
        "CUSTOMACTIONDATA-SNAPSHOT",
        "CUSTOMACTIONDATA-IMMEDIATE",
        "DEFERRED-RUNS-IN-SCRIPT",
        "RUNMODE-IMM-VS-DEF",
        "RUNMODE-DEF-OTHERS-FALSE",
        "RUNMODE-VALUES-IMM",
        "COMMIT-LIMITS",
        "DEFERRED-LANGUAGE",
        "DEFERRED-FORMATRECORD",
        "DEFERRED-PROCESSMESSAGE",
        "DEFERRED-NO-SETPROPERTY",
        "DEFERRED-NO-DATABASE",
        "INSCRIPT-SEQUENCING",
        "INSCRIPT-FLAGS",
        "SCHED-FLAGS-SHARE-BITS",
        "RB-CM-NEED-ROLLBACK-ENABLED",
        "ACTIVE-DB-HANDLE",
        "CA-HANDLE-OWNERSHIP",
        "TEMP-ONLY-WRITES",
        "CA-FORBIDDEN-DB-FUNCS",
        "ONE-SESSION",
        "EXE-NO-SESSION",
        "CA-PROCESS-MODEL",
        "CA-COM-APARTMENT",
        "REMOTE-NULL-OUTPTR",
        "CA-MISC-STATE-APIS",
        "SQL-TEMP-TABLE-HOLD",
        "SQL-TEMP-TABLE-NO-HOLD",
        "SQL-TEMP-COLUMN-ORDER",
        "SQL-HOLD-FREE-REFCOUNT",
        "SQL-ALTER-ADD-COLUMN",
        "SQL-INSERT-TEMPORARY",
        "VIEWMODIFY-INSERT-TEMPORARY",
        "TABLE-PERSISTENT-QUERY",
        "SQL-SELECT-READS",
        "TYPE51-SETPROP",
        "FMT-RECORD-BUFFER",
        "DIR-TARGET-ARGS",
        "DIR-NEEDS-COSTING",
        "DIR-TARGET-RESOLVED",
        "DIR-SET-TARGET-ARGS",
        "DIR-SET-TARGET-EFFECT",
        "DIR-SOURCE-ARGS",
        "DIR-DEFERRED",
        "FEATURE-STATE-ARGS",
        "COMPONENT-STATE-ARGS",
        "FEATURE-STATE-COSTED",
        "COMPONENT-STATE-COSTED",
        "FEATURE-SET-STATE-EFFECT",
        "COMPONENT-SET-STATE-EFFECT",
        "STATE-DEFERRED",
        "SESSION-PATHS",
        "SESSION-STATES",
        "FEATURE-ATTRIBUTES-WINDOW",
        "DIR-SOURCE-RESOLVED",
        "FEATURE-STATE-PROPAGATES",
        "FEATURE-VALID-STATES",
        "INSTALL-LEVEL-SELECTS",
        "FEATURE-COST-ARGS",
        "FEATURE-COST",
        "COMPONENT-COSTS-ARGS",
        "COMPONENT-COSTS",
        "DISK-SPACE",
        "SESSION-COSTS",
        "LAST-ERROR-RECORD",
        "DIR-PATH-BUFFER",
        "FMT-PROPERTY",
        "FMT-ESCAPE",
        "FMT-FILE-COMPONENT-KEYS",
        "SCRIPT-SESSION-GLOBAL",
        "SCRIPT-DEFERRED-SESSION",
        "SESSION-PROPERTY-RW",
        "SESSION-MODE-SETTABLE",
        "SESSION-INSTALLER-DATABASE",
        "SESSION-MESSAGE",
        "SESSION-EVALUATECONDITION",
        "SEQ-ORDER",
        "INSTALL-LOG",
        "SEQ-ZERO-NEVER-RUNS",
        "RB-CM-ORDER",
        "CUSTOMACTIONDATA-PER-SCHEDULING",
        "CONDITION-STRING-CASE",
        "SEQ-CONDITION",
        "REC-CREATE",
        "REC-INVALID-HANDLE",
        "REC-NULL-FIELDS",
        "REC-FIELD-RANGE",
        "REC-GET-STRING",
        "REC-INTEGER",
        "REC-STREAM",
        "VIEW-COLUMN-INFO",
        "VIEW-ERROR-ARGS",
        "VIEW-ERROR-VALIDATION",
        "VIEW-ERROR-BUFFER",
        "SUMINFO-OPEN",
        "SUMINFO-PROPERTIES",
        "SUMINFO-BUFFER",
        "DB-PRIMARY-KEYS",
    ];
    for id in ids {
        assert!(find(id).is_some(), "missing {id}");
    }
    assert_eq!(
        catalog().len(),
        ids.len(),
        "the catalog has rules this list does not name"
    );
}

#[test]
fn at_least_sixty_predicates() {
    let n = catalog().iter().filter(|r| r.has_predicate()).count();
    assert!(n >= 60, "only {n} rules carry a predicate");
}

#[test]
fn the_five_families_have_several_rules() {
    for fam in [
        Family::ActionNames,
        Family::NullAction,
        Family::TemporaryWrites,
        Family::Deferred,
        Family::Session,
    ] {
        let n = catalog().iter().filter(|r| r.family == fam).count();
        assert!(n >= 3, "{} has {n} rules", fam.name());
    }
}

#[test]
fn every_deviation_names_catalog_rules_with_predicates() {
    for d in msiconf_spec::model::Deviation::ALL {
        for id in d.breaks() {
            let rule = find(id).unwrap_or_else(|| panic!("{} breaks unknown {id}", d.name()));
            assert!(
                rule.has_predicate(),
                "{} breaks {id}, which has no predicate",
                d.name()
            );
        }
    }
}
