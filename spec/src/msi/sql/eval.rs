//! Evaluating a WHERE clause against one row.

use super::ast::{Cmp, Expr, Operand};
use super::value::Value;
use std::cmp::Ordering;

/// Every column a WHERE clause names, in order (a name may repeat).
pub fn expr_columns<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            expr_columns(a, out);
            expr_columns(b, out);
        }
        Expr::Cmp(a, _, b) => {
            for o in [a, b] {
                if let Operand::Column(c) = o {
                    out.push(c);
                }
            }
        }
        Expr::IsNull(Operand::Column(c), _) => out.push(c),
        Expr::IsNull(..) => {}
    }
}

/// Whether a row satisfies a WHERE clause; `column` gives the row's value of a
/// named column (NULL for a column the row does not have).
pub fn eval(e: &Expr, column: &dyn Fn(&str) -> Value) -> bool {
    let get = |o: &Operand| -> Value {
        match o {
            Operand::Column(c) => column(c),
            Operand::Literal(v) => v.clone(),
        }
    };
    match e {
        Expr::And(a, b) => eval(a, column) && eval(b, column),
        Expr::Or(a, b) => eval(a, column) || eval(b, column),
        Expr::IsNull(o, is) => (get(o) == Value::Null) == *is,
        Expr::Cmp(a, cmp, b) => {
            let (a, b) = (get(a), get(b));
            let ord = match (&a, &b) {
                (Value::Int(x), Value::Int(y)) => x.cmp(y),
                (Value::Str(x), Value::Str(y)) => x.cmp(y),
                (Value::Int(x), Value::Str(y)) | (Value::Str(y), Value::Int(x)) => {
                    // A number compared with text matches only text that reads as that number.
                    match y.trim().parse::<i64>() {
                        Ok(n) if matches!(a, Value::Int(_)) => x.cmp(&n),
                        Ok(n) => n.cmp(x),
                        Err(_) => return *cmp == Cmp::Ne,
                    }
                }
                (Value::Null, Value::Null) => Ordering::Equal,
                (Value::Null, _) | (_, Value::Null) => return *cmp == Cmp::Ne,
            };
            match cmp {
                Cmp::Eq => ord == Ordering::Equal,
                Cmp::Ne => ord != Ordering::Equal,
                Cmp::Lt => ord == Ordering::Less,
                Cmp::Gt => ord == Ordering::Greater,
                Cmp::Le => ord != Ordering::Greater,
                Cmp::Ge => ord != Ordering::Less,
            }
        }
    }
}
