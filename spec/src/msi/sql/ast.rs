//! What a parsed statement says.

use super::value::{ColKind, Value};

/// A comparison in a WHERE clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Column(String),
    Literal(Value),
}

/// A WHERE clause.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(Operand, Cmp, Operand),
    /// `IS NULL` (`true`) or `IS NOT NULL` (`false`).
    IsNull(Operand, bool),
}

/// A column definition in CREATE TABLE or ALTER TABLE ADD.
#[derive(Debug, Clone, PartialEq)]
pub struct ColDef {
    pub name: String,
    pub kind: ColKind,
    pub not_null: bool,
    pub temporary: bool,
    pub localizable: bool,
}

/// What ALTER TABLE does.
#[derive(Debug, Clone, PartialEq)]
pub enum Alter {
    Hold,
    Free,
    /// ADD a column, and whether HOLD follows it.
    Add(ColDef, bool),
}

/// A parsed statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    Select {
        columns: Option<Vec<String>>,
        table: String,
        filter: Option<Expr>,
        order: Vec<String>,
        distinct: bool,
    },
    Insert {
        table: String,
        columns: Vec<String>,
        values: Vec<Value>,
        temporary: bool,
    },
    Update {
        table: String,
        sets: Vec<(String, Value)>,
        filter: Option<Expr>,
    },
    Delete {
        table: String,
        filter: Option<Expr>,
    },
    Create {
        table: String,
        columns: Vec<ColDef>,
        keys: Vec<String>,
        hold: bool,
    },
    Alter {
        table: String,
        action: Alter,
    },
    Drop {
        table: String,
    },
}

impl Statement {
    /// The table the statement is about.
    pub fn table(&self) -> &str {
        match self {
            Statement::Select { table, .. }
            | Statement::Insert { table, .. }
            | Statement::Update { table, .. }
            | Statement::Delete { table, .. }
            | Statement::Create { table, .. }
            | Statement::Alter { table, .. }
            | Statement::Drop { table } => table,
        }
    }

    /// Whether the statement returns rows.
    pub fn is_select(&self) -> bool {
        matches!(self, Statement::Select { .. })
    }

    /// The WHERE clause of a SELECT, UPDATE or DELETE.
    pub fn filter(&self) -> Option<&Expr> {
        match self {
            Statement::Select { filter, .. }
            | Statement::Update { filter, .. }
            | Statement::Delete { filter, .. } => filter.as_ref(),
            _ => None,
        }
    }

    /// Whether this is `SELECT * FROM table` with no WHERE clause.
    pub fn is_select_all(&self) -> bool {
        matches!(
            self,
            Statement::Select {
                columns: None,
                filter: None,
                ..
            }
        )
    }
}

impl Expr {
    /// The column and literal of a clause that is exactly `column = literal`.
    pub fn column_equals(&self) -> Option<(&str, &Value)> {
        match self {
            Expr::Cmp(Operand::Column(c), Cmp::Eq, Operand::Literal(v))
            | Expr::Cmp(Operand::Literal(v), Cmp::Eq, Operand::Column(c)) => Some((c, v)),
            _ => None,
        }
    }
}
