//! The SQL dialect: reads, ALTER TABLE ADD and MsiDatabaseIsTablePersistent.

use super::prelude::*;
use crate::msi::sql::{self as msi_sql, Expr, Operand, Statement, Value};

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
        id: "SQL-SELECT-READS",
        title: "A SELECT of columns a table has succeeds, wherever a database handle reaches",
        statement: "Only writes are restricted: a SELECT whose table exists and whose selected, \
                    compared and ordered columns all belong to it succeeds, from the package \
                    handle and from immediate custom actions alike, on the session's database \
                    and on the package opened from disk.",
        sources: &[
            "MS:sql-syntax",
            "API:msidatabaseopenviewa",
            "API:msigetactivedatabase",
        ],
        contexts: PKG_IMM,
        family: Family::Sql,
        subject: Subject::calls(&[OpKind::Sql])
            .only(|op| super::temporary_writes::sql_verb(op, "SELECT")),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(select_reads),
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

fn select_reads(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SQL-SELECT-READS";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || !facts::is_full_c(e.context) {
            continue;
        }
        let Operation::Sql { db, sql } = &e.call else {
            continue;
        };
        if e.outcome.rc.is_none_or(|r| r == rc::SUCCESS) {
            continue;
        }
        if !facts::slot_database(&t.events, i, db)
            .is_some_and(|(o, _)| o != facts::SlotOrigin::Package)
        {
            continue;
        }
        let Ok(Statement::Select {
            columns,
            table,
            filter,
            order,
            ..
        }) = msi_sql::parse(sql)
        else {
            continue;
        };
        let Some(schema) = schema(plan, &table) else {
            continue;
        };
        if schema_may_change(plan, &table) {
            continue;
        }
        let has = |c: &str| schema.iter().any(|(n, _)| n == c);
        let mut named: Vec<&str> = columns.iter().flatten().map(String::as_str).collect();
        named.extend(order.iter().map(String::as_str));
        if let Some(f) = &filter {
            msi_sql::expr_columns(f, &mut named);
            if !comparable(f, &schema) {
                continue;
            }
        }
        if named.iter().all(|c| has(c)) {
            flag(out, ID, e, "rc=0 (the table and its columns exist)");
        }
    }
}

/// The columns of `table` with `true` for integers, when the package surely has it.
fn schema(plan: &Plan, table: &str) -> Option<Vec<(String, bool)>> {
    if let Some(t) = plan.fixture.table(table) {
        return Some(
            t.columns
                .iter()
                .map(|c| (c.name.clone(), c.kind.starts_with(['i', 'I'])))
                .collect(),
        );
    }
    let present =
        msi_sql::SYSTEM_TABLES.contains(&table) || facts::is_persistent_table(plan, table);
    present
        .then(|| msi_sql::package_columns(table))
        .flatten()
        .map(|cols| cols.iter().map(|(n, i)| ((*n).to_owned(), *i)).collect())
}

/// Whether a step of the plan may create, drop or alter `table` (or hold or free it).
fn schema_may_change(plan: &Plan, table: &str) -> bool {
    facts::plan_wide(plan, "table touched", table, || {
        facts::all_steps(plan).any(|(_, _, op)| match op {
            Operation::Sql { sql, .. } | Operation::OpenView { sql: Some(sql), .. } => {
                let up = sql.trim_start().to_ascii_uppercase();
                (up.starts_with("CREATE") || up.starts_with("DROP") || up.starts_with("ALTER"))
                    && sql.contains(table)
            }
            _ => false,
        })
    })
}

/// Whether every comparison in a WHERE clause sets a column against a literal
/// of the column's own kind (what other comparisons give is not settled).
fn comparable(f: &Expr, schema: &[(String, bool)]) -> bool {
    let int = |c: &str| schema.iter().find(|(n, _)| n == c).map(|(_, i)| *i);
    match f {
        Expr::And(a, b) | Expr::Or(a, b) => comparable(a, schema) && comparable(b, schema),
        Expr::IsNull(Operand::Column(_), _) => true,
        Expr::Cmp(Operand::Column(c), _, Operand::Literal(v))
        | Expr::Cmp(Operand::Literal(v), _, Operand::Column(c)) => {
            matches!(
                (int(c), v),
                (Some(true), Value::Int(_)) | (Some(false), Value::Str(_))
            )
        }
        _ => false,
    }
}

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
                if schema_may_change(plan, name) {
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
