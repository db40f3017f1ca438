//! MSI SQL: the one lexer, grammar and WHERE evaluator.
//!
//! The model's database executes what [`parse`] returns; the predicates read
//! the same [`Statement`] to tell what a custom action's SQL did to which
//! table. A statement the grammar rejects is 1615 (ERROR_BAD_QUERY_SYNTAX) for
//! both.

mod ast;
mod eval;
mod lex;
mod parse;
mod value;

pub use ast::{Alter, Cmp, ColDef, Expr, Operand, Statement};
pub use eval::{eval, expr_columns};
pub use parse::parse;
pub use value::{ColKind, ColumnType, Value};

/// The system tables: never persistent, never creatable, never writable.
pub const SYSTEM_TABLES: [&str; 4] = ["_Tables", "_Columns", "_Streams", "_Storages"];

/// The columns of the tables every package the fixture describes carries
/// (besides the fixture's own), with `true` for an integer column: the
/// Property, CustomAction and sequence tables' schemas, and the system
/// catalog tables `_Tables` and `_Columns`.
pub fn package_columns(table: &str) -> Option<&'static [(&'static str, bool)]> {
    Some(match table {
        "Property" => &[("Property", false), ("Value", false)],
        "CustomAction" => &[
            ("Action", false),
            ("Type", true),
            ("Source", false),
            ("Target", false),
        ],
        "InstallExecuteSequence" | "InstallUISequence" => {
            &[("Action", false), ("Condition", false), ("Sequence", true)]
        }
        "_Tables" => &[("Name", false)],
        "_Columns" => &[
            ("Table", false),
            ("Number", true),
            ("Name", false),
            ("Type", true),
        ],
        _ => return None,
    })
}

/// The primary key columns, in order, of the tables [`package_columns`] names.
pub fn package_keys(table: &str) -> Option<&'static [&'static str]> {
    Some(match table {
        "Property" => &["Property"],
        "CustomAction" | "InstallExecuteSequence" | "InstallUISequence" => &["Action"],
        "_Tables" => &["Name"],
        "_Columns" => &["Table", "Number"],
        _ => return None,
    })
}

/// The in-memory table of the session's properties (PROP-INMEMORY-TABLE).
pub const PROPERTY_TABLE: &str = "_Property";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::rc;

    #[test]
    fn create_table_has_no_comma_before_primary_key() {
        let ok = "CREATE TABLE `T` (`A` SHORT TEMPORARY PRIMARY KEY `A`) HOLD";
        assert!(matches!(
            parse(ok),
            Ok(Statement::Create { hold: true, .. })
        ));
        let comma = "CREATE TABLE `T` (`A` SHORT TEMPORARY, PRIMARY KEY `A`) HOLD";
        assert_eq!(parse(comma), Err(rc::BAD_QUERY_SYNTAX));
    }

    #[test]
    fn a_quoted_name_is_never_a_keyword() {
        let st = parse("CREATE TABLE `T` (`TEMP` SHORT TEMPORARY PRIMARY KEY `TEMP`) HOLD");
        let Ok(Statement::Create { columns, .. }) = st else {
            panic!("{st:?}");
        };
        assert_eq!(columns[0].name, "TEMP");
        assert!(columns[0].temporary);
        assert_eq!(
            parse("CREATE TABLE `T` (`A` SHORT TEMP PRIMARY KEY `A`)"),
            Err(rc::BAD_QUERY_SYNTAX)
        );
    }

    #[test]
    fn where_clauses_evaluate_on_a_row() {
        let Ok(Statement::Select {
            filter: Some(f), ..
        }) = parse("SELECT * FROM `T` WHERE `A` = 1 AND `B` <> 'x'")
        else {
            panic!();
        };
        let holds = |a: i64, b: &str| {
            eval(&f, &|c: &str| match c {
                "A" => Value::Int(a),
                "B" => Value::Str(b.to_owned()),
                _ => Value::Null,
            })
        };
        assert!(holds(1, "y"));
        assert!(!holds(1, "x"));
        assert!(!holds(2, "y"));
        let mut cols = Vec::new();
        expr_columns(&f, &mut cols);
        assert_eq!(cols, ["A", "B"]);
    }
}
