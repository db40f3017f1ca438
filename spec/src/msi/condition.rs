//! The conditional-statement language of sequence rows and MsiEvaluateCondition
//! (catalog SESSION-EVALUATECONDITION, SEQ-BAD-CONDITION, CA-MISC-STATE-APIS).
//!
//! The whole condition is always parsed, so a syntax error is found whatever
//! the values; evaluation is three-valued, so a predicate that knows only
//! some values gets an answer exactly when those values decide it.

use super::format::Lookup;
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

/// A truth value that may be unknown (`None`).
type Truth = Option<bool>;

struct Eval<'f, 'a> {
    toks: Vec<Tok>,
    pos: usize,
    lookup: &'f dyn Fn(&str) -> Lookup<'a>,
}

impl Eval<'_, '_> {
    fn next_is(&mut self, t: &Tok) -> bool {
        if self.toks.get(self.pos) == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    // Precedence, lowest first: IMP, EQV, XOR, OR, AND, NOT. Each level returns
    // `None` on a syntax error and `Some(truth)`, the truth maybe unknown.
    fn imp(&mut self) -> Option<Truth> {
        let mut l = self.eqv()?;
        while self.next_is(&Tok::Imp) {
            let r = self.eqv()?;
            l = match (l, r) {
                (Some(false), _) | (_, Some(true)) => Some(true),
                (Some(true), Some(false)) => Some(false),
                _ => None,
            };
        }
        Some(l)
    }

    fn eqv(&mut self) -> Option<Truth> {
        let mut l = self.xor()?;
        while self.next_is(&Tok::Eqv) {
            let r = self.xor()?;
            l = l.zip(r).map(|(a, b)| a == b);
        }
        Some(l)
    }

    fn xor(&mut self) -> Option<Truth> {
        let mut l = self.or()?;
        while self.next_is(&Tok::Xor) {
            let r = self.or()?;
            l = l.zip(r).map(|(a, b)| a ^ b);
        }
        Some(l)
    }

    fn or(&mut self) -> Option<Truth> {
        let mut l = self.and()?;
        while self.next_is(&Tok::Or) {
            let r = self.and()?;
            l = match (l, r) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
        }
        Some(l)
    }

    fn and(&mut self) -> Option<Truth> {
        let mut l = self.not()?;
        while self.next_is(&Tok::And) {
            let r = self.not()?;
            l = match (l, r) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
        }
        Some(l)
    }

    fn not(&mut self) -> Option<Truth> {
        if self.next_is(&Tok::Not) {
            return Some(self.not()?.map(|v| !v));
        }
        self.term()
    }

    fn term(&mut self) -> Option<Truth> {
        if self.next_is(&Tok::Open) {
            let v = self.imp()?;
            return self.next_is(&Tok::Close).then_some(v);
        }
        let left = self.value()?;
        let Some(Tok::Op(op, fold)) = self.toks.get(self.pos).cloned() else {
            return Some(left.map(|(_, _, truth)| truth));
        };
        self.pos += 1;
        let right = self.value()?;
        let (Some((l, l_lit, _)), Some((r, r_lit, _))) = (left, right) else {
            return Some(None);
        };
        Some(Some(compare(&l, l_lit, op, fold, &r, r_lit)))
    }

    /// An operand (`None` inside when its value is unknown), whether it was
    /// written as an integer literal, and its truth on its own (a property is
    /// true when it is set to anything, "0" included). The outer `None` is a
    /// syntax error.
    #[allow(clippy::type_complexity)]
    fn value(&mut self) -> Option<Option<(Val, bool, bool)>> {
        let tok = self.toks.get(self.pos).cloned()?;
        self.pos += 1;
        Some(Some(match tok {
            Tok::Int(n) => (Val::Int(n), true, n != 0),
            Tok::Str(s) => {
                let truth = !s.is_empty();
                (Val::Text(s), false, truth)
            }
            Tok::Name(name) => {
                // Properties by name; `%variable`, and the `$ ? & !` component
                // and feature states, with their prefix.
                let text = match (self.lookup)(&name) {
                    Lookup::Found(v) => v.into_owned(),
                    Lookup::Absent => String::new(),
                    Lookup::Unknown => return Some(None),
                };
                let truth = !text.is_empty();
                match super::text::condition_integer(&text) {
                    Some(n) => (Val::Int(n), false, truth),
                    None => (Val::Text(text), false, truth),
                }
            }
            _ => return None,
        }))
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
            // An empty left side contains, starts and ends with nothing, not
            // even with empty text (Wine's package.c `test_condition`).
            if a.is_empty() && matches!(op, Op::Contains | Op::Starts | Op::Ends) {
                return false;
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

/// Evaluates a condition as MsiEvaluateCondition does: 0 FALSE, 1 TRUE,
/// 2 NONE (NULL or empty), 3 ERROR (bad syntax). `None` when the answer
/// depends on a value `lookup` called [`Lookup::Unknown`].
pub fn evaluate<'a>(condition: Option<&str>, lookup: &dyn Fn(&str) -> Lookup<'a>) -> Option<i64> {
    let Some(text) = condition else {
        return Some(NONE);
    };
    if text.trim().is_empty() {
        return Some(NONE);
    }
    let Some(toks) = tokenize(text) else {
        return Some(ERROR);
    };
    let mut e = Eval {
        toks,
        pos: 0,
        lookup,
    };
    match e.imp() {
        Some(v) if e.pos == e.toks.len() => v.map(|v| if v { TRUE } else { FALSE }),
        _ => Some(ERROR),
    }
}

/// Whether a condition compares two values anywhere (`=`, `<>`, `<`, `><`,
/// ... with or without `~`). `false` for text that does not tokenize.
pub fn has_comparison(condition: &str) -> bool {
    tokenize(condition).is_some_and(|toks| toks.iter().any(|t| matches!(t, Tok::Op(..))))
}

/// What a condition is before any value is read: NONE, ERROR, or `None`
/// for a well-formed condition whose truth depends on values.
pub fn syntax(condition: Option<&str>) -> Option<i64> {
    evaluate(condition, &|_| Lookup::Unknown).filter(|r| matches!(*r, NONE | ERROR))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(name: &str) -> Lookup<'static> {
        match name {
            "condprop" => Lookup::Found("1".into()),
            "name" => Lookup::Found("Hello".into()),
            "zero" => Lookup::Found("0".into()),
            "%PATH" => Lookup::Found(r"C:\Windows".into()),
            "unsure" => Lookup::Unknown,
            _ => Lookup::Absent,
        }
    }

    fn ev(c: &str) -> i64 {
        evaluate(Some(c), &props).unwrap()
    }

    #[test]
    fn unknown_values_decide_only_what_they_must() {
        assert_eq!(evaluate(Some("unsure"), &props), None);
        assert_eq!(evaluate(Some("unsure = 1"), &props), None);
        assert_eq!(evaluate(Some("unsure AND missing"), &props), Some(FALSE));
        assert_eq!(evaluate(Some("condprop OR unsure"), &props), Some(TRUE));
        assert_eq!(evaluate(Some("unsure AND ="), &props), Some(ERROR));
        assert_eq!(syntax(Some("a = 1")), None);
        assert_eq!(syntax(Some("(a")), Some(ERROR));
        assert_eq!(syntax(Some("  ")), Some(NONE));
    }

    #[test]
    fn none_and_errors() {
        assert_eq!(evaluate(None, &props), Some(NONE));
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

    #[test]
    fn substrings_of_empty_text() {
        // An empty left side never contains, starts or ends with anything,
        // while anything contains the empty text.
        for op in ["><", "<<", ">>", "~><", "~<<", "~>>"] {
            assert_eq!(ev(&format!("missing {op} missing")), FALSE, "{op}");
            assert_eq!(ev(&format!("missing {op} \"\"")), FALSE, "{op}");
            assert_eq!(ev(&format!("name {op} missing")), TRUE, "{op}");
        }
    }

    #[test]
    fn comparisons_are_found_outside_quotes_only() {
        assert!(has_comparison("a = b"));
        assert!(has_comparison("a ~<> \"B\""));
        assert!(!has_comparison("a AND NOT b"));
        assert!(!has_comparison("\"x = y\""));
        assert!(!has_comparison("\"unterminated = "));
    }
}
