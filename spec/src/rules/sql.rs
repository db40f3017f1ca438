//! The SQL dialect: ALTER TABLE ADD and MsiDatabaseIsTablePersistent.

use super::prelude::*;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "SQL-ALTER-ADD-COLUMN",
        title: "ALTER TABLE ADD needs a type and a new column name",
        statement: "ALTER TABLE t ADD col type [TEMPORARY] [HOLD] adds a column; leaving out the \
                    type or the word TABLE, writing TEMPORARY FREE, or adding a column that exists \
                    is a syntax error (1615).",
        sources: &["MS:sql-syntax", "WT:db.c test_alter"],
        contexts: PKG_IMM,
        family: Family::Sql,
        subject: Subject::calls(&[OpKind::Sql])
            .when(|op| super::temporary_writes::sql_verb(op, "ALTER")),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(alter_add),
    },
    Rule {
        id: "TABLE-PERSISTENT-QUERY",
        title: "MsiDatabaseIsTablePersistent answers TRUE, FALSE, NONE or ERROR",
        statement: "It returns TRUE for persistent tables, FALSE for temporary ones, NONE for \
                    tables that do not exist and for the system tables, and ERROR for a Null name.",
        sources: &[
            "API:msidatabaseistablepersistenta",
            "WT:db.c test_temporary_table",
        ],
        contexts: PKG_IMM,
        family: Family::Sql,
        subject: Subject::calls(&[OpKind::IsTablePersistent]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(table_persistent),
    },
];

fn alter_add(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    super::temporary_writes::track(plan, t, out, Some("SQL-ALTER-ADD-COLUMN"));
}

/// Standard table names a real package may carry besides the fixture's, so
/// that "does not exist" is never claimed for them.
const MAYBE_PRESENT: &[&str] = &[
    "Binary",
    "Component",
    "Directory",
    "Feature",
    "FeatureComponents",
    "File",
    "Media",
    "Registry",
    "Upgrade",
    "Dialog",
    "Control",
    "AdminExecuteSequence",
    "AdminUISequence",
    "AdvtExecuteSequence",
    "_Validation",
    "LaunchCondition",
    "AppSearch",
    "Signature",
    "Error",
    "Shortcut",
    "Icon",
    "MsiFileHash",
    "TextStyle",
    "UIText",
    "ActionText",
];

fn table_persistent(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "TABLE-PERSISTENT-QUERY";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) {
            continue;
        }
        let Operation::IsTablePersistent { db, table } = &e.call else {
            continue;
        };
        let want = match table.as_deref() {
            None => condition::ERROR,
            Some(name) => {
                let origin = match facts::slot_origin(&t.events, i, db) {
                    // A package handle is not a database handle: what a runtime
                    // answers for it is not the question this rule asks.
                    None | Some(facts::SlotOrigin::Package) => continue,
                    Some(o) => o,
                };
                let touched = facts::plan_wide(plan, "table touched", name, || {
                    facts::all_steps(plan).any(|(_, _, op)| match op {
                        Operation::Sql { sql, .. } | Operation::OpenView { sql: Some(sql), .. } => {
                            let up = sql.trim_start().to_ascii_uppercase();
                            (up.starts_with("CREATE")
                                || up.starts_with("DROP")
                                || up.starts_with("ALTER"))
                                && sql.contains(name)
                        }
                        _ => false,
                    })
                });
                if touched {
                    continue;
                }
                if name == "_Property" {
                    // The session's properties are an in-memory, temporary table
                    // (PROP-INMEMORY-TABLE); a database opened from disk has none
                    // of its own, but whether one was ever saved into it is not settled.
                    if origin != facts::SlotOrigin::Active {
                        continue;
                    }
                    condition::FALSE
                } else if crate::msi::sql::SYSTEM_TABLES.contains(&name) {
                    condition::NONE
                } else if facts::is_persistent_table(plan, name) {
                    condition::TRUE
                } else if matches!(
                    name,
                    "CustomAction" | "InstallExecuteSequence" | "InstallUISequence"
                ) {
                    // Empty in the fixture: whether the package keeps an empty
                    // table or none depends on whoever built it.
                    continue;
                } else if !MAYBE_PRESENT.contains(&name) && !facts::plan_mentions_table(plan, name)
                {
                    condition::NONE
                } else {
                    continue;
                }
            }
        };
        expect_number(out, ID, e, want);
    }
}
