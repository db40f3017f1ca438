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
                    and on the package opened from disk: MsiDatabaseOpenView returns \
                    ERROR_SUCCESS and a view handle, MsiViewExecute of that view succeeds, and \
                    MsiViewFetch of the executed view returns a record or ERROR_NO_MORE_ITEMS \
                    (259).",
        sources: &[
            "MS:sql-syntax",
            "API:msidatabaseopenviewa",
            "API:msigetactivedatabase",
        ],
        contexts: PKG_IMM,
        family: Family::Sql,
        subject: Subject::calls(&[
            OpKind::Sql,
            OpKind::OpenView,
            OpKind::Execute,
            OpKind::Fetch,
        ])
        .only(about_select_reads),
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
    Rule {
        id: "VIEW-COLUMN-INFO",
        title: "MsiViewGetColumnInfo names and types a view's columns",
        statement: "On a SELECT view, MsiViewGetColumnInfo returns a record with one field per \
                    selected column, in the view's order: its name (MSICOLINFO_NAMES) or its type \
                    string (MSICOLINFO_TYPES): s, l, i or v for string, localizable string, \
                    integer or stream (g and j for TEMPORARY strings and integers), upper-case \
                    when the column accepts Null, then the size.",
        sources: &[
            "API:msiviewgetcolumninfo",
            "MS:column-definition-format",
            "WT:db.c test_viewgetcolumninfo",
            "WT:db.c test_temporary_table",
        ],
        contexts: PKG_IMM,
        family: Family::Sql,
        subject: Subject::calls(&[
            OpKind::ViewColumnInfo,
            OpKind::RecordFieldCount,
            OpKind::RecordGetString,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(column_info),
    },
    Rule {
        id: "DB-PRIMARY-KEYS",
        title: "MsiDatabaseGetPrimaryKeys lists a table's key columns",
        statement: "MsiDatabaseGetPrimaryKeys returns a record whose field 0 is the table's name \
                    and whose fields 1 to n are its n primary key columns, in order; a table the \
                    database does not have gives ERROR_INVALID_TABLE (1628).",
        sources: &["API:msidatabasegetprimarykeysa", "WT:custom.c test_db"],
        contexts: PKG_IMM,
        family: Family::Sql,
        subject: Subject::calls(&[
            OpKind::PrimaryKeys,
            OpKind::RecordFieldCount,
            OpKind::RecordGetString,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(primary_keys),
    },
];

/// The columns of a table the fixture defines and no step can reshape, with their IDT types.
fn fixture_schema<'p>(plan: &'p Plan, table: &str) -> Option<&'p crate::fixture::Table> {
    let t = plan.fixture.table(table)?;
    // A fixture that names the table twice describes no one package.
    let once = plan
        .fixture
        .tables
        .iter()
        .filter(|t| t.name == table)
        .count()
        == 1;
    (once && !schema_may_change(plan, table)).then_some(t)
}

/// The call that last filled `slot` before `events[i]` in the same run, if it
/// was not closed since: whatever kind of handle it stored.
fn last_filler<'t>(events: &'t [Event], i: usize, slot: &str) -> Option<&'t Event> {
    for e in facts::run_before(events, i) {
        if matches!(&e.call, Operation::CloseHandle { slot: s } if s == slot) {
            return None;
        }
        if facts::filled_slot(e) == Some(slot) {
            return Some(e);
        }
    }
    None
}

/// Judges the reads of the record a call put in `slot` (event `i`): its field
/// count and, through an ample or sized buffer, its fields as `fields` (field 0 first).
fn judge_record_reads(
    t: &Transcript,
    i: usize,
    slot: &str,
    fields: &[Option<String>],
    id: &str,
    out: &mut Vec<Violation>,
) {
    let probe = &t.events[i].probe;
    let mut last = t.events[i].index;
    for e in &t.events[i + 1..] {
        if &e.probe != probe {
            continue;
        }
        if e.index <= last {
            break; // the probe ran again: a new run, new slots
        }
        last = e.index;
        if facts::filled_slot(e) == Some(slot)
            || matches!(&e.call, Operation::CloseHandle { slot: s } if s == slot)
        {
            break;
        }
        if !performed(e) {
            continue;
        }
        match &e.call {
            Operation::RecordFieldCount { record } if record == slot => {
                expect_number(out, id, e, fields.len() as i64 - 1);
            }
            Operation::RecordGetString {
                record,
                field,
                buffer,
            } if record == slot
                && matches!(buffer, crate::Buffer::Ample | crate::Buffer::Sized(_)) =>
            {
                let Some(Some(want)) = fields.get(*field as usize) else {
                    continue;
                };
                let g = crate::msi::text::getter_result(
                    crate::msi::text::utf16_len(want),
                    *buffer,
                    false,
                );
                let copied = g.copied.map(|k| crate::msi::text::utf16_prefix(want, k));
                let ok = e.outcome.rc.is_none_or(|v| v == g.rc)
                    && (e.outcome.size.is_none() || g.size.is_none() || e.outcome.size == g.size)
                    && (e.outcome.value.is_none()
                        || copied.is_none()
                        || e.outcome.value.as_deref() == copied);
                if !ok {
                    flag(
                        out,
                        id,
                        e,
                        format!(
                            "rc={} size={} value={:?}",
                            g.rc,
                            g.size.unwrap_or(0),
                            copied.unwrap_or("")
                        ),
                    );
                }
            }
            Operation::RecordSetString { record, .. }
            | Operation::RecordSetInteger { record, .. }
            | Operation::RecordSetStream { record, .. }
            | Operation::RecordClearData { record }
                if record == slot =>
            {
                break; // the caller changed the record
            }
            _ => {}
        }
    }
}

fn column_info(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "VIEW-COLUMN-INFO";
    for (i, e) in t.events.iter().enumerate() {
        let Operation::ViewColumnInfo { view, info, into } = &e.call else {
            continue;
        };
        if !performed(e) || !facts::is_full_c(e.context) {
            continue;
        }
        // The view slot holds the view a successful MsiDatabaseOpenView put there.
        let Some(Event {
            call: Operation::OpenView { sql: Some(sql), .. },
            outcome,
            ..
        }) = last_filler(&t.events, i, view)
        else {
            continue;
        };
        if outcome.rc != Some(rc::SUCCESS) || outcome.handle.is_none_or(|h| h == 0) {
            continue;
        }
        let Ok(Statement::Select { table, columns, .. }) = msi_sql::parse(sql) else {
            continue;
        };
        let Some(schema) = fixture_schema(plan, &table) else {
            continue;
        };
        let names: Vec<&str> = match &columns {
            Some(c) => c.iter().map(String::as_str).collect(),
            None => schema.columns.iter().map(|c| c.name.as_str()).collect(),
        };
        let Some(texts) = names
            .iter()
            .map(|n| {
                let c = schema.columns.iter().find(|c| c.name == *n)?;
                Some(match info {
                    crate::ColumnInfo::Names => c.name.clone(),
                    crate::ColumnInfo::Types => msi_sql::ColumnType::parse(&c.kind).render(),
                })
            })
            .collect::<Option<Vec<String>>>()
        else {
            continue;
        };
        expect_rc(out, ID, e, rc::SUCCESS);
        if e.outcome.rc != Some(rc::SUCCESS) || e.outcome.handle == Some(0) {
            continue;
        }
        let fields: Vec<Option<String>> = std::iter::once(None)
            .chain(texts.into_iter().map(Some))
            .collect();
        judge_record_reads(t, i, into, &fields, ID, out);
    }
}

fn primary_keys(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DB-PRIMARY-KEYS";
    for (i, e) in t.events.iter().enumerate() {
        let Operation::PrimaryKeys {
            db,
            table: Some(table),
            into,
        } = &e.call
        else {
            continue;
        };
        if !performed(e) || !facts::is_full_c(e.context) {
            continue;
        }
        // The slot holds a database handle (a second session's handle is none).
        match last_filler(&t.events, i, db) {
            Some(
                f @ Event {
                    call:
                        Operation::GetActiveDatabase { .. }
                        | Operation::SessionDatabase { .. }
                        | Operation::OpenDatabase { .. },
                    ..
                },
            ) if performed(f) && f.outcome.handle.is_some_and(|h| h != 0) => {}
            _ => continue,
        }
        if schema_may_change(plan, table)
            || plan
                .fixture
                .tables
                .iter()
                .filter(|t| &t.name == table)
                .count()
                > 1
        {
            continue;
        }
        let keys: Vec<String> = if let Some(schema) = fixture_schema(plan, table) {
            schema
                .columns
                .iter()
                .filter(|c| c.key)
                .map(|c| c.name.clone())
                .collect()
        } else if let Some(keys) = msi_sql::package_keys(table).filter(|_| {
            !msi_sql::SYSTEM_TABLES.contains(&table.as_str())
                && facts::is_persistent_table(plan, table)
        }) {
            // A table every package of this fixture carries (Property, and the
            // custom action and sequence tables when the fixture has rows for them).
            keys.iter().map(|k| (*k).to_owned()).collect()
        } else {
            // Neither the fixture nor any step makes such a table, and it is no
            // table every package has.
            if msi_sql::package_columns(table).is_none() && table != msi_sql::PROPERTY_TABLE {
                expect_rc(out, ID, e, rc::INVALID_TABLE);
            }
            continue;
        };
        expect_rc(out, ID, e, rc::SUCCESS);
        if e.outcome.rc != Some(rc::SUCCESS) || e.outcome.handle == Some(0) {
            continue;
        }
        let fields: Vec<Option<String>> = std::iter::once(Some(table.clone()))
            .chain(keys.into_iter().map(Some))
            .collect();
        judge_record_reads(t, i, into, &fields, ID, out);
    }
}

/// The calls SQL-SELECT-READS speaks about: queries, and the view calls that run them.
fn about_select_reads(op: &Operation) -> bool {
    match op {
        Operation::OpenView { sql: Some(sql), .. } => sql
            .split_whitespace()
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("SELECT")),
        Operation::Execute { .. } | Operation::Fetch { .. } => true,
        op => super::temporary_writes::sql_verb(op, "SELECT"),
    }
}

fn select_reads(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SQL-SELECT-READS";
    for (i, e) in facts::full_c_calls(t) {
        let expected = match &e.call {
            Operation::Sql { db, sql } => (e.outcome.rc.is_some_and(|r| r != rc::SUCCESS)
                && select_settled(plan, &t.events, i, db, sql))
            .then_some("rc=0 (the table and its columns exist)"),
            Operation::OpenView {
                db,
                sql: Some(sql),
                null_out: false,
                ..
            } => {
                let opened =
                    e.outcome.rc == Some(rc::SUCCESS) && e.outcome.handle.is_some_and(|h| h != 0);
                (!opened && select_settled(plan, &t.events, i, db, sql))
                    .then_some("rc=0 and a view handle (the table and its columns exist)")
            }
            // The first execution only: what executing a view again without
            // closing it gives is not settled.
            Operation::Execute { view } => (e.outcome.rc != Some(rc::SUCCESS)
                && settled_view(plan, t, i, view) == Some(Executed::Never))
            .then_some("rc=0 (the view's SELECT reads what exists)"),
            Operation::Fetch { view } => {
                let fetched = matches!(e.outcome.rc, Some(rc::SUCCESS | rc::NO_MORE_ITEMS));
                (!fetched && settled_view(plan, t, i, view) == Some(Executed::Succeeded))
                    .then_some("rc=0 with a record, or 259 (the view was executed)")
            }
            _ => None,
        };
        if let Some(expected) = expected {
            flag(out, ID, e, expected);
        }
    }
}

/// What became of a view between its opening and a later call on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Executed {
    /// No MsiViewExecute of it came after the open.
    Never,
    /// One did, and succeeded.
    Succeeded,
    /// Only failed ones did.
    Failed,
}

/// Whether the view in `slot` at `events[i]` was opened, in the same run, by
/// a successful MsiDatabaseOpenView of a SELECT that surely succeeds; then
/// what the MsiViewExecute calls on it since the open gave.
fn settled_view(plan: &Plan, t: &Transcript, i: usize, slot: &str) -> Option<Executed> {
    let mut executed = Executed::Never;
    for (j, e) in facts::run_before_indexed(&t.events, i) {
        match &e.call {
            Operation::CloseHandle { slot: s } if s == slot => return None,
            Operation::Execute { view } if view == slot && performed(e) => {
                if e.outcome.rc == Some(rc::SUCCESS) {
                    executed = Executed::Succeeded;
                } else if executed == Executed::Never {
                    executed = Executed::Failed;
                }
            }
            _ => {}
        }
        if facts::filled_slot(e) != Some(slot) {
            continue;
        }
        let Operation::OpenView {
            db, sql: Some(sql), ..
        } = &e.call
        else {
            return None;
        };
        let opened = performed(e)
            && e.outcome.rc == Some(rc::SUCCESS)
            && e.outcome.handle.is_some_and(|h| h != 0);
        return (opened && select_settled(plan, &t.events, j, db, sql)).then_some(executed);
    }
    None
}

/// Whether `sql`, run at `events[i]` through the database in `db`, is a
/// SELECT that surely succeeds: the session's database or the package from
/// disk, a table the package surely has and no step reshapes, and selected,
/// compared and ordered columns it has, compared with literals of their kind.
fn select_settled(plan: &Plan, events: &[Event], i: usize, db: &str, sql: &str) -> bool {
    if !facts::slot_database(events, i, db).is_some_and(|(o, _)| o != facts::SlotOrigin::Package) {
        return false;
    }
    let Ok(Statement::Select {
        columns,
        table,
        filter,
        order,
        ..
    }) = msi_sql::parse(sql)
    else {
        return false;
    };
    let Some(schema) = schema(plan, &table) else {
        return false;
    };
    if schema_may_change(plan, &table) {
        return false;
    }
    let has = |c: &str| schema.iter().any(|(n, _)| n == c);
    let mut named: Vec<&str> = columns.iter().flatten().map(String::as_str).collect();
    named.extend(order.iter().map(String::as_str));
    if let Some(f) = &filter {
        msi_sql::expr_columns(f, &mut named);
        if !comparable(f, &schema) {
            return false;
        }
    }
    named.iter().all(|c| has(c))
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
