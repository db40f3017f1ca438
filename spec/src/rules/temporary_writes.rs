//! Custom actions may change only temporary rows, columns and tables; the
//! SQL dialect's TEMPORARY columns, HOLD/FREE counts and temporary inserts.

use super::prelude::*;
use crate::msi::sql::{self, Alter, ColDef, Statement};
use crate::ModifyKind;

const SQL_SYNTAX: &str = "MS:sql-syntax";

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "TEMP-ONLY-WRITES",
        title: "Custom actions cannot change persistent data",
        statement: "A custom action may add, change or remove only temporary rows, columns and \
                    tables; inserting, updating or deleting persistent rows, creating persistent \
                    tables or columns, and writing summary information all fail.",
        sources: &["S1", "API:msiviewmodify", "MS:session-database", "S2"],
        contexts: &[
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
        ],
        family: Family::TemporaryWrites,
        subject: Subject::calls(&[
            OpKind::Sql,
            OpKind::Execute,
            OpKind::Modify,
            OpKind::Commit,
            OpKind::SetSummaryInfo,
        ])
        .only(about_temp_only_writes),
        level: Level::Must,
        disagreement: Some(
            "S2 (1998) lets custom actions update tables; S1 and the MsiViewModify page restrict \
             them to temporary data, which both profiles follow.",
        ),
        check: Check::Predicate(temp_only_writes),
    },
    Rule {
        id: "SQL-TEMP-TABLE-HOLD",
        title: "A table of TEMPORARY columns created with HOLD lives only in memory",
        statement: "When every column is TEMPORARY and the table is created with HOLD, it exists \
                    until its hold count drops to zero, MsiDatabaseIsTablePersistent calls it \
                    FALSE, and its columns are absent from _Columns.",
        sources: &[SQL_SYNTAX, "WT:db.c test_temporary_table"],
        contexts: PKG_IMM,
        family: Family::TemporaryWrites,
        subject: Subject::calls(&[OpKind::Sql, OpKind::IsTablePersistent]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(temp_table_hold),
    },
    Rule {
        id: "SQL-TEMP-TABLE-NO-HOLD",
        title: "A table of TEMPORARY columns created without HOLD is gone at once",
        statement: "Without HOLD, an all-temporary table starts with a hold count of zero: the \
                    CREATE succeeds, but the table cannot be queried afterwards and \
                    MsiDatabaseIsTablePersistent calls it NONE.",
        sources: &[SQL_SYNTAX, "WT:db.c test_temporary_table"],
        contexts: PKG_IMM,
        family: Family::TemporaryWrites,
        subject: Subject::calls(&[OpKind::Sql, OpKind::IsTablePersistent]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(temp_table_no_hold),
    },
    Rule {
        id: "SQL-TEMP-COLUMN-ORDER",
        title: "Key and persistent columns come before TEMPORARY ones",
        statement: "Counting key columns first, no persistent column may follow a TEMPORARY one: \
                    a TEMPORARY key with a persistent non-key column is refused with 1627; a \
                    persistent key with TEMPORARY non-key columns makes a persistent table; TEMP \
                    is not a keyword. A table keeps its key columns first, so SELECT * returns \
                    them before the others.",
        sources: &[SQL_SYNTAX, "WT:db.c test_temporary_table"],
        contexts: PKG_IMM,
        family: Family::TemporaryWrites,
        subject: Subject::calls(&[OpKind::Sql, OpKind::Fetch]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(temp_column_order),
    },
    Rule {
        id: "SQL-HOLD-FREE-REFCOUNT",
        title: "HOLD and FREE count; at zero temporary tables and columns vanish",
        statement: "ALTER TABLE HOLD adds one to a table's hold count and FREE takes one away; at \
                    zero an all-temporary table disappears and a persistent table loses its \
                    TEMPORARY columns, so statements naming them fail with 1615.",
        sources: &[SQL_SYNTAX, "WT:db.c test_alter"],
        contexts: PKG_IMM,
        family: Family::TemporaryWrites,
        subject: Subject::calls(&[OpKind::Sql, OpKind::IsTablePersistent]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(hold_free),
    },
    Rule {
        id: "SQL-INSERT-TEMPORARY",
        title: "INSERT ... TEMPORARY adds a row that is never persisted",
        statement: "A row inserted with the TEMPORARY keyword is visible to later queries on the \
                    same database but never reaches the file on disk, even after a commit.",
        sources: &[SQL_SYNTAX, "S1", "WT:db.c test_temporary_table"],
        contexts: PKG_IMM,
        family: Family::TemporaryWrites,
        subject: Subject::calls(&[OpKind::Sql]).only(about_sql_insert_temporary),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(insert_temporary),
    },
    Rule {
        id: "VIEWMODIFY-INSERT-TEMPORARY",
        title: "MSIMODIFY_INSERT_TEMPORARY inserts a row that will not be persisted",
        statement: "MsiViewModify with kind 7 inserts a temporary row; it fails when a row with \
                    the same primary key exists, and the row can then be read and updated.",
        sources: &["API:msiviewmodify", "WT:db.c test_viewmodify"],
        contexts: PKG_IMM,
        family: Family::TemporaryWrites,
        subject: Subject::calls(&[OpKind::Modify, OpKind::Sql]).singling_out(|op| {
            matches!(
                op,
                Operation::Modify {
                    kind: crate::ModifyKind::InsertTemporary,
                    ..
                }
            )
        }),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(viewmodify_insert_temporary),
    },
];

/// Whether `op` is SQL whose first word is `verb` (any case).
pub(super) fn sql_verb(op: &Operation, verb: &str) -> bool {
    matches!(op, Operation::Sql { sql, .. }
        if sql.split_whitespace().next().is_some_and(|w| w.eq_ignore_ascii_case(verb)))
}

/// The calls TEMP-ONLY-WRITES speaks about: anything but a query.
fn about_temp_only_writes(op: &Operation) -> bool {
    !sql_verb(op, "SELECT")
}

/// The calls SQL-INSERT-TEMPORARY speaks about: INSERTs, and the queries
/// that read what they added.
fn about_sql_insert_temporary(op: &Operation) -> bool {
    sql_verb(op, "INSERT") || sql_verb(op, "SELECT")
}

/// Whether a step of a probe other than `probe` mentions `table` in SQL.
fn others_mention(plan: &Plan, probe: &str, table: &str) -> bool {
    // Probe names and table names hold no NUL: the pair is one argument.
    let arg = format!("{probe}\0{table}");
    facts::plan_wide(plan, "others mention", &arg, || {
        facts::all_steps(plan).any(|(p, _, op)| {
            p != probe
                && match op {
                    Operation::Sql { sql, .. } | Operation::OpenView { sql: Some(sql), .. } => {
                        sql.contains(table)
                    }
                    _ => false,
                }
        })
    })
}

/// Whether a persistent table of the package has any persistent row.
fn has_rows(plan: &Plan, table: &str) -> bool {
    let f = &plan.fixture;
    match table {
        "Property" => !f.properties.is_empty(),
        "CustomAction" => !f.custom_actions.is_empty(),
        "InstallExecuteSequence" => !f.execute_sequence.is_empty(),
        "InstallUISequence" => !f.ui_sequence.is_empty(),
        _ => f.table(table).is_some_and(|t| !t.rows.is_empty()),
    }
}

fn is_write_context(ctx: Context) -> bool {
    facts::is_immediate_c(ctx) || ctx == Context::ScriptImmediate
}

fn temp_only_writes(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "TEMP-ONLY-WRITES";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || !is_write_context(e.context) {
            continue;
        }
        match &e.call {
            Operation::SetSummaryInfo { db, .. } => {
                if database(&t.events, i, db).is_none() {
                    continue;
                }
                if e.context == Context::ScriptImmediate {
                    if e.outcome.rc == Some(rc::SUCCESS) && e.outcome.exception.is_none() {
                        flag(
                            out,
                            ID,
                            e,
                            "the write fails (summary information is read-only)",
                        );
                    }
                } else {
                    expect_rc(out, ID, e, rc::FUNCTION_FAILED);
                }
            }
            Operation::Sql { db, sql } => {
                if facts::slot_origin(&t.events, i, db).is_none()
                    || e.outcome.rc != Some(rc::SUCCESS)
                {
                    continue;
                }
                let what = match sql::parse(sql) {
                    Ok(Statement::Insert {
                        table,
                        temporary: false,
                        ..
                    }) if facts::is_persistent_table(plan, &table) => {
                        Some("inserting a persistent row fails")
                    }
                    Ok(
                        Statement::Update {
                            table,
                            filter: None,
                            ..
                        }
                        | Statement::Delete {
                            table,
                            filter: None,
                        },
                    ) if facts::is_persistent_table(plan, &table) && has_rows(plan, &table) => {
                        Some("changing persistent rows fails")
                    }
                    Ok(Statement::Create { columns, .. })
                        if columns.iter().any(|c| !c.temporary) =>
                    {
                        Some("creating a persistent table fails")
                    }
                    Ok(Statement::Alter {
                        table,
                        action: Alter::Add(column, _),
                    }) if !column.temporary && facts::is_persistent_table(plan, &table) => {
                        Some("adding a persistent column fails")
                    }
                    Ok(Statement::Drop { table }) if facts::is_persistent_table(plan, &table) => {
                        Some("dropping a persistent table fails")
                    }
                    _ => None,
                };
                if let Some(what) = what {
                    flag(out, ID, e, what);
                }
            }
            Operation::Modify {
                view,
                kind: ModifyKind::Insert,
                record: Some(_),
            } => {
                let Some(sql) = facts::view_sql(&t.events, i, view) else {
                    continue;
                };
                if let Ok(Statement::Select { table, .. }) = sql::parse(sql) {
                    if facts::is_persistent_table(plan, &table) && e.outcome.rc == Some(rc::SUCCESS)
                    {
                        flag(out, ID, e, "inserting a persistent row fails");
                    }
                }
            }
            _ => {}
        }
    }
}

/// What the run knows of one table.
#[derive(Debug)]
struct TableState<'a> {
    /// The database's identity ([`facts::slot_database`]).
    db: usize,
    name: &'a str,
    all_temp: bool,
    /// Created in this run (rather than a persistent table of the package).
    created: bool,
    hold: i32,
    columns: Vec<&'a str>,
    temp_columns: Vec<&'a str>,
    vanished_columns: Vec<&'a str>,
    /// Why the table is gone, as the rule that says so; `None` while it exists.
    gone: Option<&'static str>,
}

/// Persistent first, keys first: whether a persistent column follows a temporary one.
fn order_is_bad(columns: &[ColDef], keys: &[String]) -> bool {
    let ordered = keys
        .iter()
        .filter_map(|k| columns.iter().find(|c| c.name == *k))
        .chain(columns.iter().filter(|c| !keys.contains(&c.name)));
    let mut saw_temp = false;
    for c in ordered {
        if c.temporary {
            saw_temp = true;
        } else if saw_temp {
            return true;
        }
    }
    false
}

/// What [`track`] knows of one probe's current run.
struct RunState<'a> {
    probe: &'a str,
    /// The step index of the run's latest event (`usize::MAX` before any).
    last_index: usize,
    tables: Vec<TableState<'a>>,
    /// Whether tables this run did not create may exist: not the probe's
    /// first run, or nested actions ran during it.
    tainted: bool,
}

/// The database a slot holds, as [`facts::slot_database`] tells it; a package
/// handle is no database, so SQL on it fails for that reason alone.
fn database(events: &[Event], i: usize, slot: &str) -> Option<(facts::SlotOrigin, usize)> {
    facts::slot_database(events, i, slot).filter(|(o, _)| *o != facts::SlotOrigin::Package)
}

fn push(out: &mut Vec<Violation>, want: Option<&str>, rule: &str, e: &Event, expected: String) {
    if want.is_none_or(|w| w == rule) {
        flag(out, rule, e, expected);
    }
}

/// The rules [`track`] judges, all in one walk of the transcript.
pub(crate) const TRACKED: [&str; 5] = [
    "SQL-TEMP-TABLE-HOLD",
    "SQL-TEMP-TABLE-NO-HOLD",
    "SQL-TEMP-COLUMN-ORDER",
    "SQL-HOLD-FREE-REFCOUNT",
    "SQL-ALTER-ADD-COLUMN",
];

/// Follows tables, hold counts and temporary columns through each probe run,
/// pushing the violations that belong to `want` (`None`: to any of [`TRACKED`]).
pub(crate) fn track(plan: &Plan, t: &Transcript, out: &mut Vec<Violation>, want: Option<&str>) {
    const HOLD: &str = "SQL-TEMP-TABLE-HOLD";
    const REFCOUNT: &str = "SQL-HOLD-FREE-REFCOUNT";
    const ORDER: &str = "SQL-TEMP-COLUMN-ORDER";
    const ALTER: &str = "SQL-ALTER-ADD-COLUMN";
    let relevant = |e: &Event| {
        matches!(
            e.call,
            Operation::Sql { .. }
                | Operation::OpenView { .. }
                | Operation::IsTablePersistent { .. }
        )
    };
    if !t.events.iter().any(relevant) {
        return;
    }
    // Table and column names below borrow from the parsed statements, so every
    // statement of the transcript is parsed once, up front.
    let parsed: Vec<Option<Result<Statement, u32>>> = t
        .events
        .iter()
        .map(|e| match &e.call {
            Operation::Sql { sql, .. } | Operation::OpenView { sql: Some(sql), .. } => {
                Some(sql::parse(sql))
            }
            _ => None,
        })
        .collect();
    let mut runs: Vec<RunState<'_>> = Vec::new();
    for (i, e) in t.events.iter().enumerate() {
        let slot = match runs.iter().position(|r| r.probe == e.probe) {
            Some(p) => p,
            None => {
                runs.push(RunState {
                    probe: &e.probe,
                    last_index: usize::MAX,
                    tables: Vec::new(),
                    tainted: false,
                });
                runs.len() - 1
            }
        };
        let run = &mut runs[slot];
        if run.last_index != usize::MAX && e.index <= run.last_index {
            // A later run of the same probe, in a database an earlier run (or a
            // nested run of itself) may have left tables in.
            run.tables.clear();
            run.tainted = true;
        }
        run.last_index = e.index;
        let tainted = &mut run.tainted;
        let tables = &mut run.tables;
        if !performed(e) {
            continue;
        }
        let strict = e.context == Context::Package;
        match &e.call {
            Operation::DoAction { .. }
            | Operation::SessionDoAction { .. }
            | Operation::Sequence { .. } => {
                // Nested actions may have created or dropped tables of their own.
                tables.clear();
                *tainted = true;
            }
            // A NULL out-pointer is refused (87) before the query is parsed.
            Operation::OpenView {
                db,
                sql: Some(sql),
                null_out: false,
                ..
            } if database(&t.events, i, db).is_some() && matches!(parsed[i], Some(Err(_))) => {
                let rule = if sql.trim_start().to_ascii_uppercase().starts_with("CREATE") {
                    ORDER
                } else {
                    ALTER
                };
                if e.outcome.rc.is_some_and(|r| r != rc::BAD_QUERY_SYNTAX) {
                    push(out, want, rule, e, "rc=1615".into());
                }
            }
            Operation::IsTablePersistent {
                db,
                table: Some(name),
            } => {
                let Some((_, dbid)) = database(&t.events, i, db) else {
                    continue;
                };
                let Some(st) = tables.iter().find(|s| s.db == dbid && s.name == name) else {
                    continue;
                };
                let (rule, n) = match st.gone {
                    Some(rule) => (rule, condition::NONE),
                    None if st.all_temp => (HOLD, condition::FALSE),
                    None if st.created => (ORDER, condition::TRUE),
                    None => continue,
                };
                if e.outcome.number.is_some_and(|x| x != n) {
                    push(out, want, rule, e, format!("number={n}"));
                }
            }
            Operation::Sql { db, sql } => {
                let Some(got) = e.outcome.rc else {
                    continue;
                };
                let Some((origin, dbid)) = database(&t.events, i, db) else {
                    // No database behind the slot: the call fails for that reason alone.
                    continue;
                };
                let ok = got == rc::SUCCESS;
                let Some(stmt) = &parsed[i] else {
                    continue;
                };
                let active = origin == facts::SlotOrigin::Active;
                let find = |tables: &Vec<TableState<'_>>, name: &str| {
                    tables.iter().position(|s| s.db == dbid && s.name == name)
                };
                match stmt {
                    Err(_) => {
                        let rule = if sql.trim_start().to_ascii_uppercase().starts_with("CREATE") {
                            ORDER
                        } else {
                            ALTER
                        };
                        if got != rc::BAD_QUERY_SYNTAX {
                            push(out, want, rule, e, "rc=1615".into());
                        }
                    }
                    Ok(Statement::Create {
                        table,
                        columns,
                        keys,
                        hold,
                    }) => {
                        let (table, hold) = (table.as_str(), *hold);
                        let fresh = !*tainted
                            && find(tables, table).is_none_or(|p| tables[p].gone.is_some())
                            && !facts::is_persistent_table(plan, table)
                            && !crate::msi::sql::SYSTEM_TABLES.contains(&table)
                            && !others_mention(plan, &e.probe, table);
                        if order_is_bad(columns, keys) {
                            if ok {
                                push(
                                    out,
                                    want,
                                    ORDER,
                                    e,
                                    "rc=1627 (a persistent column follows a temporary one)".into(),
                                );
                            } else if strict && got != rc::FUNCTION_FAILED {
                                push(out, want, ORDER, e, "rc=1627".into());
                            }
                            if fresh && !ok {
                                if let Some(p) = find(tables, table) {
                                    tables.remove(p);
                                }
                                tables.push(TableState {
                                    db: dbid,
                                    name: table,
                                    all_temp: false,
                                    created: true,
                                    hold: 0,
                                    columns: Vec::new(),
                                    temp_columns: Vec::new(),
                                    vanished_columns: Vec::new(),
                                    gone: Some(ORDER),
                                });
                            }
                            continue;
                        }
                        let all_temp = columns.iter().all(|c| c.temporary);
                        if !fresh {
                            continue;
                        }
                        if all_temp && active && !ok {
                            let rule = if hold { HOLD } else { "SQL-TEMP-TABLE-NO-HOLD" };
                            push(out, want, rule, e, "rc=0".into());
                        }
                        if !ok {
                            continue;
                        }
                        if let Some(p) = find(tables, table) {
                            tables.remove(p);
                        }
                        tables.push(TableState {
                            db: dbid,
                            name: table,
                            all_temp,
                            created: true,
                            hold: i32::from(hold),
                            columns: columns
                                .iter()
                                .filter(|c| !c.temporary)
                                .map(|c| c.name.as_str())
                                .collect(),
                            temp_columns: columns
                                .iter()
                                .filter(|c| c.temporary)
                                .map(|c| c.name.as_str())
                                .collect(),
                            vanished_columns: Vec::new(),
                            gone: (all_temp && !hold).then_some("SQL-TEMP-TABLE-NO-HOLD"),
                        });
                    }
                    Ok(Statement::Alter {
                        table,
                        action: action @ (Alter::Hold | Alter::Free),
                    }) => {
                        let table = table.as_str();
                        let is_hold = *action == Alter::Hold;
                        let p = match find(tables, table) {
                            Some(p) => p,
                            None => {
                                let Some(ft) = plan.fixture.table(table) else {
                                    continue;
                                };
                                if !is_hold || others_mention(plan, &e.probe, table) {
                                    continue;
                                }
                                tables.push(TableState {
                                    db: dbid,
                                    name: table,
                                    all_temp: false,
                                    created: false,
                                    hold: 0,
                                    columns: ft.columns.iter().map(|c| c.name.as_str()).collect(),
                                    temp_columns: Vec::new(),
                                    vanished_columns: Vec::new(),
                                    gone: None,
                                });
                                tables.len() - 1
                            }
                        };
                        let st = &mut tables[p];
                        if let Some(rule) = st.gone {
                            if got != rc::BAD_QUERY_SYNTAX {
                                push(out, want, rule, e, "rc=1615 (the table is gone)".into());
                            }
                            continue;
                        }
                        if !ok {
                            push(out, want, REFCOUNT, e, "rc=0".into());
                            continue;
                        }
                        if is_hold {
                            st.hold += 1;
                        } else {
                            st.hold -= 1;
                            if st.hold <= 0 {
                                if st.all_temp {
                                    st.gone = Some(REFCOUNT);
                                } else {
                                    let cols = std::mem::take(&mut st.temp_columns);
                                    st.vanished_columns.extend(cols);
                                }
                            }
                        }
                    }
                    Ok(Statement::Alter {
                        table,
                        action: Alter::Add(column, hold),
                    }) => {
                        let Some(p) = find(tables, table) else {
                            if let Some(ft) = plan.fixture.table(table) {
                                if ft.columns.iter().any(|c| c.name == column.name)
                                    && !others_mention(plan, &e.probe, table)
                                    && (ok || (strict && got != rc::BAD_QUERY_SYNTAX))
                                {
                                    push(out, want, ALTER, e, "rc=1615 (the column exists)".into());
                                }
                            }
                            continue;
                        };
                        let st = &mut tables[p];
                        if st.gone.is_some() {
                            continue;
                        }
                        let name = column.name.as_str();
                        let exists = st.columns.contains(&name) || st.temp_columns.contains(&name);
                        if exists {
                            if ok || (strict && got != rc::BAD_QUERY_SYNTAX) {
                                push(out, want, ALTER, e, "rc=1615 (the column exists)".into());
                            }
                            continue;
                        }
                        if ok {
                            st.vanished_columns.retain(|c| *c != name);
                            if column.temporary {
                                st.temp_columns.push(name);
                            } else {
                                st.columns.push(name);
                            }
                            if *hold {
                                st.hold += 1;
                            }
                        }
                    }
                    Ok(Statement::Select {
                        table,
                        columns,
                        filter,
                        ..
                    }) => {
                        let where_eq = filter.as_ref().and_then(|f| f.column_equals());
                        if table == "_Columns" {
                            if let Some(("Table", sql::Value::Str(name))) = where_eq {
                                let temp = find(tables, name).is_some_and(|p| {
                                    tables[p].all_temp && tables[p].gone.is_none()
                                });
                                if temp
                                    && ok
                                    && e.outcome.rows.as_ref().is_some_and(|r| !r.is_empty())
                                {
                                    push(
                                        out,
                                        want,
                                        HOLD,
                                        e,
                                        format!("no _Columns rows for temporary table {name}"),
                                    );
                                }
                            }
                            continue;
                        }
                        let Some(p) = find(tables, table) else {
                            continue;
                        };
                        let st = &tables[p];
                        if let Some(rule) = st.gone {
                            if got != rc::BAD_QUERY_SYNTAX {
                                push(out, want, rule, e, "rc=1615 (the table is gone)".into());
                            }
                            continue;
                        }
                        if st.vanished_columns.is_empty() {
                            continue;
                        }
                        let names_vanished = columns
                            .iter()
                            .flatten()
                            .map(String::as_str)
                            .chain(where_eq.map(|w| w.0))
                            .any(|c| st.vanished_columns.contains(&c));
                        if names_vanished && got != rc::BAD_QUERY_SYNTAX {
                            push(
                                out,
                                want,
                                REFCOUNT,
                                e,
                                "rc=1615 (the temporary column is gone)".into(),
                            );
                        } else if !names_vanished && !ok {
                            push(out, want, REFCOUNT, e, "rc=0".into());
                        }
                    }
                    Ok(Statement::Insert { table, columns, .. }) => {
                        let Some(p) = find(tables, table) else {
                            continue;
                        };
                        let st = &tables[p];
                        let gone = st.gone.is_some()
                            || columns
                                .iter()
                                .any(|c| st.vanished_columns.contains(&c.as_str()));
                        if gone && got != rc::BAD_QUERY_SYNTAX {
                            let rule = st.gone.unwrap_or(REFCOUNT);
                            push(out, want, rule, e, "rc=1615".into());
                        }
                    }
                    Ok(Statement::Drop { table }) if ok => {
                        if let Some(p) = find(tables, table) {
                            tables.remove(p);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

fn temp_table_hold(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    track(plan, t, out, Some("SQL-TEMP-TABLE-HOLD"));
}
fn temp_table_no_hold(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    track(plan, t, out, Some("SQL-TEMP-TABLE-NO-HOLD"));
}
fn temp_column_order(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    track(plan, t, out, Some("SQL-TEMP-COLUMN-ORDER"));
}
fn hold_free(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    track(plan, t, out, Some("SQL-HOLD-FREE-REFCOUNT"));
}

/// The columns of a table known from the fixture.
fn fixture_columns<'a>(plan: &'a Plan, table: &str) -> Option<Vec<&'a str>> {
    Some(
        plan.fixture
            .table(table)?
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect(),
    )
}

fn insert_temporary(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SQL-INSERT-TEMPORARY";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || e.outcome.rc != Some(rc::SUCCESS) {
            continue;
        }
        let Operation::Sql { db, sql } = &e.call else {
            continue;
        };
        let Ok(select) = sql::parse(sql) else {
            continue;
        };
        if !select.is_select_all() {
            continue;
        }
        let table = select.table();
        let Some(rows) = &e.outcome.rows else {
            continue;
        };
        let Some(columns) = fixture_columns(plan, table) else {
            continue;
        };
        let origin = facts::slot_origin(&t.events, i, db);
        // ALTER TABLE ADD appends columns, which SELECT * then returns after the
        // table's own: compare those, when some step may have added any.
        let widened = facts::plan_wide(plan, "columns added", table, || {
            facts::all_steps(plan).any(|(_, _, op)| match op {
                Operation::Sql { sql, .. } | Operation::OpenView { sql: Some(sql), .. } => {
                    matches!(
                        sql::parse(sql),
                        Ok(Statement::Alter { table: at, action: Alter::Add(..) }) if at == table
                    )
                }
                _ => false,
            })
        });
        let holds = |r: &Vec<String>, row: &Vec<String>| {
            if widened {
                r.len() >= row.len() && r[..row.len()] == row[..]
            } else {
                r == row
            }
        };
        // Earlier temporary inserts into this table, in this run, with nothing in between that removes rows.
        const KINDS: &[OpKind] = &[
            OpKind::Sql,
            OpKind::Modify,
            OpKind::DoAction,
            OpKind::Sequence,
        ];
        for (_, prior) in facts::run_before_of(&t.events, i, KINDS) {
            let Operation::Sql { sql: psql, .. } = &prior.call else {
                if matches!(
                    prior.call,
                    Operation::Modify { .. }
                        | Operation::DoAction { .. }
                        | Operation::Sequence { .. }
                ) {
                    break;
                }
                continue;
            };
            match sql::parse(psql) {
                Ok(Statement::Insert {
                    table: it,
                    columns: icols,
                    values,
                    temporary: true,
                }) if it == table && prior.outcome.rc == Some(rc::SUCCESS) => {
                    let row: Vec<String> = columns
                        .iter()
                        .map(|c| match icols.iter().position(|x| x == c) {
                            Some(p) => values[p].render(),
                            None => String::new(),
                        })
                        .collect();
                    let present = rows.iter().any(|r| holds(r, &row));
                    let persistent = plan
                        .fixture
                        .table(table)
                        .is_some_and(|ft| ft.rows.contains(&row));
                    match origin {
                        Some(facts::SlotOrigin::Disk) if present && !persistent => {
                            flag(
                                out,
                                ID,
                                e,
                                format!("no row {row:?} on disk (it was inserted TEMPORARY)"),
                            );
                        }
                        Some(facts::SlotOrigin::Active) if !present => {
                            flag(out, ID, e, format!("the temporary row {row:?}"));
                        }
                        _ => {}
                    }
                }
                Ok(
                    Statement::Update { table: ut, .. }
                    | Statement::Delete { table: ut, .. }
                    | Statement::Drop { table: ut }
                    | Statement::Alter {
                        table: ut,
                        action: Alter::Free,
                    },
                ) if ut == table => break,
                _ => {}
            }
        }
    }
}

fn viewmodify_insert_temporary(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "VIEWMODIFY-INSERT-TEMPORARY";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) {
            continue;
        }
        let Operation::Modify {
            view,
            kind: ModifyKind::InsertTemporary,
            record: Some(rec),
        } = &e.call
        else {
            continue;
        };
        let Some(sql) = facts::view_sql(&t.events, i, view) else {
            continue;
        };
        let Ok(Statement::Select {
            table,
            columns: None,
            ..
        }) = sql::parse(sql)
        else {
            continue;
        };
        let table = table.as_str();
        let Some(ft) = plan.fixture.table(table) else {
            continue;
        };
        if rec.len() != ft.columns.len() || others_mention(plan, &e.probe, table) {
            continue;
        }
        let key_of = |r| ft.key_of(r);
        if ft.columns.iter().all(|c| !c.key) {
            continue;
        }
        let key = key_of(rec);
        let in_fixture = ft.rows.iter().any(|r| key_of(r) == key);
        let mut earlier = false;
        let mut unsure = false;
        const KINDS: &[OpKind] = &[
            OpKind::Modify,
            OpKind::DoAction,
            OpKind::Sequence,
            OpKind::Sql,
        ];
        for (j, prior) in facts::run_before_of(&t.events, i, KINDS) {
            match &prior.call {
                Operation::Modify {
                    kind: ModifyKind::InsertTemporary | ModifyKind::Insert,
                    record: Some(r),
                    view: v,
                } => {
                    let same_table = facts::view_sql(&t.events, j, v)
                        .is_some_and(|s| sql::parse(s).is_ok_and(|st| st.table() == table));
                    if !same_table {
                        unsure = true;
                    } else if prior.outcome.rc == Some(rc::SUCCESS) && key_of(r) == key {
                        earlier = true;
                    }
                }
                Operation::Modify { .. }
                | Operation::DoAction { .. }
                | Operation::Sequence { .. } => unsure = true,
                Operation::Sql { sql, .. } if sql.contains(table) => unsure = true,
                _ => {}
            }
        }
        // An earlier run of the same probe (a custom action sequenced in both
        // tables, or started again by DoAction) may have inserted the row.
        let this_run: std::collections::HashSet<usize> = facts::run_before_indexed(&t.events, i)
            .map(|(j, _)| j)
            .collect();
        unsure |= t.events[..i].iter().enumerate().any(|(j, prior)| {
            prior.probe == e.probe
                && !this_run.contains(&j)
                && matches!(prior.call, Operation::Modify { .. } | Operation::Sql { .. })
        });
        if unsure {
            continue;
        }
        if in_fixture || earlier {
            expect_rc(out, ID, e, rc::FUNCTION_FAILED);
        } else {
            expect_rc(out, ID, e, rc::SUCCESS);
        }
    }
}
