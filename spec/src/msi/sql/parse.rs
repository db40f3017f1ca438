//! The MSI SQL grammar: a statement, or 1615 (ERROR_BAD_QUERY_SYNTAX).

use super::ast::{Alter, Cmp, ColDef, Expr, Operand, Statement};
use super::lex::{tokenize, Tok};
use super::value::{ColKind, Value};
use crate::codes::rc;

const KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "INSERT",
    "INTO",
    "VALUES",
    "TEMPORARY",
    "UPDATE",
    "SET",
    "DELETE",
    "CREATE",
    "TABLE",
    "PRIMARY",
    "KEY",
    "HOLD",
    "FREE",
    "ALTER",
    "ADD",
    "DROP",
    "ORDER",
    "BY",
    "DISTINCT",
    "CHAR",
    "CHARACTER",
    "LONGCHAR",
    "SHORT",
    "INT",
    "INTEGER",
    "LONG",
    "OBJECT",
    "NULL",
    "NOT",
    "IS",
    "LOCALIZABLE",
];

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

type P<T> = Result<T, u32>;

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn kw(&mut self, word: &str) -> bool {
        if let Some(Tok::Word(w)) = self.peek() {
            if w.eq_ignore_ascii_case(word) {
                self.pos += 1;
                return true;
            }
        }
        false
    }

    fn expect_kw(&mut self, word: &str) -> P<()> {
        if self.kw(word) {
            Ok(())
        } else {
            Err(rc::BAD_QUERY_SYNTAX)
        }
    }

    fn sym(&mut self, s: &str) -> bool {
        if self.peek()
            == Some(&Tok::Sym(match s {
                "(" => "(",
                ")" => ")",
                "," => ",",
                "*" => "*",
                "=" => "=",
                _ => return false,
            }))
        {
            self.pos += 1;
            return true;
        }
        false
    }

    fn expect_sym(&mut self, s: &str) -> P<()> {
        if self.sym(s) {
            Ok(())
        } else {
            Err(rc::BAD_QUERY_SYNTAX)
        }
    }

    fn name(&mut self) -> P<String> {
        match self.peek().cloned() {
            Some(Tok::Quoted(n)) if !n.is_empty() => {
                self.pos += 1;
                Ok(n)
            }
            Some(Tok::Word(w)) if !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(&w)) => {
                self.pos += 1;
                Ok(w)
            }
            _ => Err(rc::BAD_QUERY_SYNTAX),
        }
    }

    fn names(&mut self) -> P<Vec<String>> {
        let mut out = vec![self.name()?];
        while self.sym(",") {
            out.push(self.name()?);
        }
        Ok(out)
    }

    fn literal(&mut self) -> P<Value> {
        match self.peek().cloned() {
            Some(Tok::Int(n)) => {
                self.pos += 1;
                Ok(Value::Int(n))
            }
            Some(Tok::Str(s)) => {
                self.pos += 1;
                Ok(Value::Str(s))
            }
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("NULL") => {
                self.pos += 1;
                Ok(Value::Null)
            }
            _ => Err(rc::BAD_QUERY_SYNTAX),
        }
    }

    fn operand(&mut self) -> P<Operand> {
        match self.peek() {
            Some(Tok::Int(_) | Tok::Str(_)) => Ok(Operand::Literal(self.literal()?)),
            _ => Ok(Operand::Column(self.name()?)),
        }
    }

    fn expr(&mut self) -> P<Expr> {
        let mut left = self.conj()?;
        while self.kw("OR") {
            left = Expr::Or(Box::new(left), Box::new(self.conj()?));
        }
        Ok(left)
    }

    fn conj(&mut self) -> P<Expr> {
        let mut left = self.prim()?;
        while self.kw("AND") {
            left = Expr::And(Box::new(left), Box::new(self.prim()?));
        }
        Ok(left)
    }

    fn prim(&mut self) -> P<Expr> {
        if self.sym("(") {
            let e = self.expr()?;
            self.expect_sym(")")?;
            return Ok(e);
        }
        let left = self.operand()?;
        if self.kw("IS") {
            let not = self.kw("NOT");
            self.expect_kw("NULL")?;
            return Ok(Expr::IsNull(left, !not));
        }
        let cmp = match self.peek() {
            Some(Tok::Sym("=")) => Cmp::Eq,
            Some(Tok::Sym("<>")) => Cmp::Ne,
            Some(Tok::Sym("<")) => Cmp::Lt,
            Some(Tok::Sym(">")) => Cmp::Gt,
            Some(Tok::Sym("<=")) => Cmp::Le,
            Some(Tok::Sym(">=")) => Cmp::Ge,
            _ => return Err(rc::BAD_QUERY_SYNTAX),
        };
        self.pos += 1;
        let right = self.operand()?;
        Ok(Expr::Cmp(left, cmp, right))
    }

    fn col_def(&mut self) -> P<ColDef> {
        let name = self.name()?;
        let kind = if self.kw("CHAR") || self.kw("CHARACTER") {
            if self.sym("(") {
                let n = match self.peek() {
                    Some(Tok::Int(n)) if (0..=i64::from(u16::MAX)).contains(n) => *n as u16,
                    _ => return Err(rc::BAD_QUERY_SYNTAX),
                };
                self.pos += 1;
                self.expect_sym(")")?;
                ColKind::Str(n)
            } else {
                ColKind::Str(0)
            }
        } else if self.kw("LONGCHAR") {
            ColKind::Str(0)
        } else if self.kw("SHORT") || self.kw("INT") || self.kw("INTEGER") {
            // INT and INTEGER are 2-byte columns like SHORT (db.c
            // test_viewgetcolumninfo reads their type as I2); only LONG has 4.
            ColKind::Int(2)
        } else if self.kw("LONG") {
            ColKind::Int(4)
        } else if self.kw("OBJECT") {
            ColKind::Stream
        } else {
            return Err(rc::BAD_QUERY_SYNTAX);
        };
        let mut def = ColDef {
            name,
            kind,
            not_null: false,
            temporary: false,
            localizable: false,
        };
        loop {
            if self.kw("NOT") {
                self.expect_kw("NULL")?;
                def.not_null = true;
            } else if self.kw("TEMPORARY") {
                def.temporary = true;
            } else if self.kw("LOCALIZABLE") {
                def.localizable = true;
            } else {
                return Ok(def);
            }
        }
    }

    fn statement(&mut self) -> P<Statement> {
        let st = if self.kw("SELECT") {
            let distinct = self.kw("DISTINCT");
            let columns = if self.sym("*") {
                None
            } else {
                Some(self.names()?)
            };
            self.expect_kw("FROM")?;
            let table = self.name()?;
            let filter = if self.kw("WHERE") {
                Some(self.expr()?)
            } else {
                None
            };
            let order = if self.kw("ORDER") {
                self.expect_kw("BY")?;
                self.names()?
            } else {
                Vec::new()
            };
            Statement::Select {
                columns,
                table,
                filter,
                order,
                distinct,
            }
        } else if self.kw("INSERT") {
            self.expect_kw("INTO")?;
            let table = self.name()?;
            self.expect_sym("(")?;
            let columns = self.names()?;
            self.expect_sym(")")?;
            self.expect_kw("VALUES")?;
            self.expect_sym("(")?;
            let mut values = vec![self.literal()?];
            while self.sym(",") {
                values.push(self.literal()?);
            }
            self.expect_sym(")")?;
            let temporary = self.kw("TEMPORARY");
            if values.len() != columns.len() {
                return Err(rc::BAD_QUERY_SYNTAX);
            }
            Statement::Insert {
                table,
                columns,
                values,
                temporary,
            }
        } else if self.kw("UPDATE") {
            let table = self.name()?;
            self.expect_kw("SET")?;
            let mut sets = Vec::new();
            loop {
                let col = self.name()?;
                self.expect_sym("=")?;
                sets.push((col, self.literal()?));
                if !self.sym(",") {
                    break;
                }
            }
            let filter = if self.kw("WHERE") {
                Some(self.expr()?)
            } else {
                None
            };
            Statement::Update {
                table,
                sets,
                filter,
            }
        } else if self.kw("DELETE") {
            self.expect_kw("FROM")?;
            let table = self.name()?;
            let filter = if self.kw("WHERE") {
                Some(self.expr()?)
            } else {
                None
            };
            Statement::Delete { table, filter }
        } else if self.kw("CREATE") {
            self.expect_kw("TABLE")?;
            let table = self.name()?;
            self.expect_sym("(")?;
            let mut columns = vec![self.col_def()?];
            while self.sym(",") {
                columns.push(self.col_def()?);
            }
            self.expect_kw("PRIMARY")?;
            self.expect_kw("KEY")?;
            let keys = self.names()?;
            self.expect_sym(")")?;
            let hold = self.kw("HOLD");
            Statement::Create {
                table,
                columns,
                keys,
                hold,
            }
        } else if self.kw("ALTER") {
            self.expect_kw("TABLE")?;
            let table = self.name()?;
            let action = if self.kw("HOLD") {
                Alter::Hold
            } else if self.kw("FREE") {
                Alter::Free
            } else if self.kw("ADD") {
                let def = self.col_def()?;
                Alter::Add(def, self.kw("HOLD"))
            } else {
                return Err(rc::BAD_QUERY_SYNTAX);
            };
            Statement::Alter { table, action }
        } else if self.kw("DROP") {
            self.expect_kw("TABLE")?;
            Statement::Drop {
                table: self.name()?,
            }
        } else {
            return Err(rc::BAD_QUERY_SYNTAX);
        };
        if self.pos != self.toks.len() {
            return Err(rc::BAD_QUERY_SYNTAX);
        }
        Ok(st)
    }
}

/// Parses one SQL statement (1615 on any syntax error).
pub fn parse(sql: &str) -> Result<Statement, u32> {
    let mut p = Parser {
        toks: tokenize(sql)?,
        pos: 0,
    };
    p.statement()
}
