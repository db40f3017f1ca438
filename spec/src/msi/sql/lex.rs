//! The tokens of MSI SQL.

use crate::codes::rc;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Word(String),
    Quoted(String),
    Str(String),
    Int(i64),
    Sym(&'static str),
}

pub(super) fn tokenize(sql: &str) -> Result<Vec<Tok>, u32> {
    let bad = rc::BAD_QUERY_SYNTAX;
    let mut out = Vec::new();
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '`' || c == '\'' {
            let start = i + 1;
            let end = chars[start..]
                .iter()
                .position(|&x| x == c)
                .map(|p| start + p)
                .ok_or(bad)?;
            let text: String = chars[start..end].iter().collect();
            out.push(if c == '`' {
                Tok::Quoted(text)
            } else {
                Tok::Str(text)
            });
            i = end + 1;
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Tok::Int(text.parse().map_err(|_| bad)?));
        } else if c.is_alphanumeric() || c == '_' || c == '.' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let sym = match two.as_str() {
                "<>" => Some("<>"),
                "<=" => Some("<="),
                ">=" => Some(">="),
                _ => None,
            };
            if let Some(s) = sym {
                out.push(Tok::Sym(s));
                i += 2;
                continue;
            }
            let sym = match c {
                '(' => "(",
                ')' => ")",
                ',' => ",",
                '*' => "*",
                '=' => "=",
                '<' => "<",
                '>' => ">",
                '?' => "?",
                _ => return Err(bad),
            };
            out.push(Tok::Sym(sym));
            i += 1;
        }
    }
    Ok(out)
}
