//! The conditional-statement language of sequence rows and MsiEvaluateCondition
//! (catalog SESSION-EVALUATECONDITION, SEQ-BAD-CONDITION, CA-MISC-STATE-APIS).

use super::data;
use crate::codes::condition::{ERROR, FALSE, NONE, TRUE};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Str(String),
    Int(i64),
    Op(Op, bool),
    Open,
    Close,
    Not,
    And,
    Or,
    Xor,
    Eqv,
    Imp,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Contains,
    Starts,
    Ends,
}

fn tokenize(text: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '"' {
            let end = chars[i + 1..].iter().position(|&x| x == '"')? + i + 1;
            out.push(Tok::Str(chars[i + 1..end].iter().collect()));
            i = end + 1;
            continue;
        }
        if c == '(' || c == ')' {
            out.push(if c == '(' { Tok::Open } else { Tok::Close });
            i += 1;
            continue;
        }
        let fold = c == '~';
        let j = if fold { i + 1 } else { i };
        let two: String = chars[j..chars.len().min(j + 2)].iter().collect();
        let op2 = match two.as_str() {
            "<>" => Some(Op::Ne),
            "<=" => Some(Op::Le),
            ">=" => Some(Op::Ge),
            "><" => Some(Op::Contains),
            "<<" => Some(Op::Starts),
            ">>" => Some(Op::Ends),
            _ => None,
        };
        if let Some(op) = op2 {
            out.push(Tok::Op(op, fold));
            i = j + 2;
            continue;
        }
        let op1 = match chars.get(j) {
            Some('=') => Some(Op::Eq),
            Some('<') => Some(Op::Lt),
            Some('>') => Some(Op::Gt),
            _ => None,
        };
        if let Some(op) = op1 {
            out.push(Tok::Op(op, fold));
            i = j + 1;
            continue;
        }
        if fold {
            return None;
        }
        let word_char = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
        if c == '-' || c.is_ascii_digit() {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Tok::Int(text.parse().ok()?));
            continue;
        }
        if word_char(c) || matches!(c, '%' | '$' | '?' | '&' | '!') {
            let start = i;
            i += 1;
            while i < chars.len() && word_char(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word.len() == 1 && !word_char(c) {
                return None;
            }
            out.push(match word.to_ascii_uppercase().as_str() {
                "NOT" => Tok::Not,
                "AND" => Tok::And,
                "OR" => Tok::Or,
                "XOR" => Tok::Xor,
                "EQV" => Tok::Eqv,
                "IMP" => Tok::Imp,
                _ => Tok::Name(word),
            });
            continue;
        }
        return None;
    }
    Some(out)
}

/// A value in a condition: text, or an integer (literals, and property values that read as one).
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Int(i64),
    Text(String),
}

struct Eval<'a> {
    toks: Vec<Tok>,
    pos: usize,
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Eval<'_> {
    fn next_is(&mut self, t: &Tok) -> bool {
        if self.toks.get(self.pos) == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    // Precedence, lowest first: IMP, EQV, XOR, OR, AND, NOT.
    fn imp(&mut self) -> Option<bool> {
        let mut l = self.eqv()?;
        while self.next_is(&Tok::Imp) {
            let r = self.eqv()?;
            l = !l || r;
        }
        Some(l)
    }

    fn eqv(&mut self) -> Option<bool> {
        let mut l = self.xor()?;
        while self.next_is(&Tok::Eqv) {
            l = l == self.xor()?;
        }
        Some(l)
    }

    fn xor(&mut self) -> Option<bool> {
        let mut l = self.or()?;
        while self.next_is(&Tok::Xor) {
            l ^= self.or()?;
        }
        Some(l)
    }

    fn or(&mut self) -> Option<bool> {
        let mut l = self.and()?;
        while self.next_is(&Tok::Or) {
            let r = self.and()?;
            l = l || r;
        }
        Some(l)
    }

    fn and(&mut self) -> Option<bool> {
        let mut l = self.not()?;
        while self.next_is(&Tok::And) {
            let r = self.not()?;
            l = l && r;
        }
        Some(l)
    }

    fn not(&mut self) -> Option<bool> {
        if self.next_is(&Tok::Not) {
            return Some(!self.not()?);
        }
        self.term()
    }

    fn term(&mut self) -> Option<bool> {
        if self.next_is(&Tok::Open) {
            let v = self.imp()?;
            return self.next_is(&Tok::Close).then_some(v);
        }
        let (left, left_literal, truth) = self.value()?;
        let Some(Tok::Op(op, fold)) = self.toks.get(self.pos).cloned() else {
            return Some(truth);
        };
        self.pos += 1;
        let (right, right_literal, _) = self.value()?;
        Some(compare(
            &left,
            left_literal,
            op,
            fold,
            &right,
            right_literal,
        ))
    }

    /// An operand, whether it was written as an integer literal, and its truth on its own
    /// (a property is true when it is set to anything, "0" included).
    fn value(&mut self) -> Option<(Val, bool, bool)> {
        let tok = self.toks.get(self.pos).cloned()?;
        self.pos += 1;
        Some(match tok {
            Tok::Int(n) => (Val::Int(n), true, n != 0),
            Tok::Str(s) => {
                let truth = !s.is_empty();
                (Val::Text(s), false, truth)
            }
            Tok::Name(name) => {
                let text = if let Some(env) = name.strip_prefix('%') {
                    data::environment(env).unwrap_or_default().to_owned()
                } else if name.starts_with(['$', '?', '&', '!']) {
                    // No Feature or Component tables in the model: their states read as empty.
                    String::new()
                } else {
                    (self.lookup)(&name).unwrap_or_default()
                };
                let truth = !text.is_empty();
                match crate::msi::text::condition_integer(&text) {
                    Some(n) => (Val::Int(n), false, truth),
                    None => (Val::Text(text), false, truth),
                }
            }
            _ => return None,
        })
    }
}

fn compare(l: &Val, l_lit: bool, op: Op, fold: bool, r: &Val, r_lit: bool) -> bool {
    use std::cmp::Ordering;
    let ord = match (l, r) {
        (Val::Int(a), Val::Int(b)) => Some(a.cmp(b)),
        (Val::Text(_), Val::Int(_)) if r_lit => None,
        (Val::Int(_), Val::Text(_)) if l_lit => None,
        _ => {
            let text = |v: &Val| match v {
                Val::Int(n) => n.to_string(),
                Val::Text(s) => s.clone(),
            };
            let (mut a, mut b) = (text(l), text(r));
            if fold {
                a = a.to_lowercase();
                b = b.to_lowercase();
            }
            match op {
                Op::Contains => return a.contains(&b),
                Op::Starts => return a.starts_with(&b),
                Op::Ends => return a.ends_with(&b),
                _ => Some(a.cmp(&b)),
            }
        }
    };
    // A number compared with text that is not a number: only "different" holds.
    let Some(ord) = ord else {
        return op == Op::Ne;
    };
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Gt => ord == Ordering::Greater,
        Op::Le => ord != Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
        // Substring operators on two integers compare their bits, as MSI does.
        Op::Contains | Op::Starts | Op::Ends => match (l, r) {
            (Val::Int(a), Val::Int(b)) => a & b != 0,
            _ => false,
        },
    }
}

/// Evaluates a condition: 0 FALSE, 1 TRUE, 2 NONE (NULL or empty), 3 ERROR (bad syntax).
pub(crate) fn evaluate(condition: Option<&str>, lookup: &dyn Fn(&str) -> Option<String>) -> i64 {
    let Some(text) = condition else {
        return NONE;
    };
    if text.trim().is_empty() {
        return NONE;
    }
    let Some(toks) = tokenize(text) else {
        return ERROR;
    };
    let mut e = Eval {
        toks,
        pos: 0,
        lookup,
    };
    match e.imp() {
        Some(v) if e.pos == e.toks.len() => {
            if v {
                TRUE
            } else {
                FALSE
            }
        }
        _ => ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(name: &str) -> Option<String> {
        match name {
            "condprop" => Some("1".into()),
            "name" => Some("Hello".into()),
            "zero" => Some("0".into()),
            _ => None,
        }
    }

    fn ev(c: &str) -> i64 {
        evaluate(Some(c), &props)
    }

    #[test]
    fn none_and_errors() {
        assert_eq!(evaluate(None, &props), NONE);
        assert_eq!(ev(""), NONE);
        assert_eq!(ev("   "), NONE);
        assert_eq!(ev("="), ERROR);
        assert_eq!(ev("(condprop"), ERROR);
        assert_eq!(ev("condprop ="), ERROR);
        assert_eq!(ev("a b"), ERROR);
        assert_eq!(ev("\"unterminated"), ERROR);
    }

    #[test]
    fn comparisons_and_logic() {
        assert_eq!(ev("condprop = 1"), TRUE);
        assert_eq!(ev("condprop = 2"), FALSE);
        assert_eq!(ev("condprop"), TRUE);
        assert_eq!(ev("zero"), TRUE);
        assert_eq!(ev("missing"), FALSE);
        assert_eq!(ev("NOT missing"), TRUE);
        assert_eq!(ev("not missing and condprop"), TRUE);
        assert_eq!(ev("missing OR condprop < 2"), TRUE);
        assert_eq!(ev("name = \"Hello\""), TRUE);
        assert_eq!(ev("name = \"hello\""), FALSE);
        assert_eq!(ev("name ~= \"hello\""), TRUE);
        assert_eq!(ev("name <> \"x\""), TRUE);
        assert_eq!(ev("name >< \"ell\""), TRUE);
        assert_eq!(ev("name << \"He\""), TRUE);
        assert_eq!(ev("name = 1"), FALSE);
        assert_eq!(ev("name <> 1"), TRUE);
        assert_eq!(ev("(condprop = 1) AND (name >> \"lo\")"), TRUE);
        assert_eq!(ev("condprop >= -3"), TRUE);
        assert_eq!(ev("%PATH"), TRUE);
        assert_eq!(ev("missing = \"\""), TRUE);
    }
}
