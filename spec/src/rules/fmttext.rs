//! Formatted text and conditions, as far as a predicate can work them out
//! without an engine: enough to know what a runtime must answer, and to say
//! "unknown" for everything else.

use std::borrow::Cow;

/// Formats `template` the way MsiFormatRecord does, or returns `None` when the
/// result depends on something this small formatter does not model (file and
/// component keys, environment variables, `{}` groups, nested brackets).
///
/// `resolve` answers a bracketed property name with its value, or `None` when
/// the value is not known. An empty template with fields formats as
/// `"1: {field 1} 2: {field 2} "`, each field formatted in turn.
pub fn format<'a>(
    template: &str,
    fields: &[String],
    resolve: &mut dyn FnMut(&str) -> Option<Cow<'a, str>>,
) -> Option<String> {
    if template.is_empty() && !fields.is_empty() {
        let mut out = String::new();
        for (i, f) in fields.iter().enumerate() {
            let v = format(f, &[], resolve)?;
            out.push_str(&format!("{}: {} ", i + 1, v));
        }
        return Some(out);
    }
    let mut out = String::with_capacity(template.len());
    let mut chars = template.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' | '}' | ']' => return None,
            '[' => {
                let rest = &template[i + 1..];
                if let Some(after) = rest.strip_prefix('\\') {
                    // `[\x...]`: keep the one character after the backslash and
                    // drop everything else up to the closing bracket.
                    let mut it = after.chars();
                    let kept = it.next()?;
                    let tail = it.as_str();
                    let close = tail.find(']')?;
                    out.push(kept);
                    let consumed = 1 + 1 + kept.len_utf8() + close + 1;
                    while chars.peek().is_some_and(|(j, _)| *j < i + consumed) {
                        chars.next();
                    }
                    continue;
                }
                let close = rest.find(']')?;
                let inner = &rest[..close];
                if inner.contains('[') {
                    return None;
                }
                if inner == "~" {
                    out.push('\0');
                } else if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
                    let n: usize = inner.parse().ok()?;
                    if n == 0 {
                        return None;
                    }
                    match fields.get(n - 1) {
                        Some(f) if f.contains(['[', ']', '{', '}']) => return None,
                        Some(f) => out.push_str(f),
                        None => return None,
                    }
                } else if inner.is_empty() {
                    return None;
                } else {
                    out.push_str(&resolve(inner)?);
                }
                while chars.peek().is_some_and(|(j, _)| *j <= i + 1 + close) {
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

/// Whether formatting `text` could change it at all (it holds brackets or braces).
pub fn is_literal(text: &str) -> bool {
    !text.contains(['[', ']', '{', '}'])
}

/// What a condition string looks like, for the few shapes a predicate can judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition<'a> {
    /// Null or empty: MSICONDITION_NONE.
    Empty,
    /// Certainly not valid syntax: MSICONDITION_ERROR.
    Invalid,
    /// A bare property name: true when the property is non-empty.
    Property(&'a str),
    /// `NOT name`.
    NotProperty(&'a str),
    /// `name = integer`.
    EqualsInt(&'a str, i64),
    /// Anything else: not judged.
    Other,
}

fn is_identifier(s: &str) -> bool {
    let mut it = s.chars();
    matches!(it.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && it.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Sorts a condition into one of the shapes of [`Condition`].
pub fn classify_condition(condition: Option<&str>) -> Condition<'_> {
    let Some(c) = condition else {
        return Condition::Empty;
    };
    let t = c.trim();
    if t.is_empty() {
        return Condition::Empty;
    }
    let ops = ['=', '<', '>', '~'];
    if t.starts_with(ops) || t.ends_with(ops) {
        return Condition::Invalid;
    }
    let mut depth = 0i32;
    let mut quoted = false;
    for ch in t.chars() {
        match ch {
            // Parentheses inside a string literal are text.
            '"' => quoted = !quoted,
            _ if quoted => {}
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Condition::Invalid;
                }
            }
            _ => {}
        }
    }
    if quoted {
        // An unterminated literal: how far the parser reads it is not settled here.
        return Condition::Other;
    }
    if depth != 0 {
        return Condition::Invalid;
    }
    let upper_keywords = ["NOT", "AND", "OR", "XOR", "EQV", "IMP"];
    if is_identifier(t) && !upper_keywords.iter().any(|k| t.eq_ignore_ascii_case(k)) {
        return Condition::Property(t);
    }
    if let Some(rest) = t.strip_prefix("NOT ") {
        let rest = rest.trim();
        if is_identifier(rest) {
            return Condition::NotProperty(rest);
        }
    }
    if let Some((l, r)) = t.split_once('=') {
        let (l, r) = (l.trim(), r.trim());
        if is_identifier(l) && !l.contains('.') && !r.contains(['=', '<', '>', ' ']) {
            if let Some(n) = crate::msi::text::condition_integer(r) {
                return Condition::EqualsInt(l, n);
            }
        }
    }
    Condition::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<Cow<'static, str>> {
        None
    }

    #[test]
    fn escapes_keep_one_character() {
        let mut r = none;
        assert_eq!(
            format("[\\[]Bracket Text[\\]]", &[], &mut r).as_deref(),
            Some("[Bracket Text]")
        );
        assert_eq!(format("[\\xabcd]", &[], &mut r).as_deref(), Some("x"));
        assert_eq!(format("a[~]b", &[], &mut r).as_deref(), Some("a\0b"));
    }

    #[test]
    fn properties_and_fields_resolve() {
        let mut r = |n: &str| -> Option<Cow<'static, str>> {
            (n == "imaprop").then_some(Cow::Borrowed("ringer"))
        };
        assert_eq!(
            format("", &["[imaprop]".into()], &mut r).as_deref(),
            Some("1: ringer ")
        );
        assert_eq!(
            format("x [1] [imaprop]", &["f".into()], &mut r).as_deref(),
            Some("x f ringer")
        );
        assert_eq!(format("[other]", &[], &mut r), None);
        assert_eq!(format("{[imaprop]}", &[], &mut r), None);
    }

    #[test]
    fn conditions_are_classified() {
        assert_eq!(classify_condition(None), Condition::Empty);
        assert_eq!(classify_condition(Some("=")), Condition::Invalid);
        assert_eq!(classify_condition(Some("(a")), Condition::Invalid);
        assert_eq!(
            classify_condition(Some("condprop = 1")),
            Condition::EqualsInt("condprop", 1)
        );
        assert_eq!(classify_condition(Some("X")), Condition::Property("X"));
        assert_eq!(classify_condition(Some("a > 1 OR b")), Condition::Other);
    }

    #[test]
    fn parentheses_inside_a_string_literal_are_text() {
        // Found by the session_model fuzz target: `"("` is a true literal, not a syntax error.
        assert_eq!(classify_condition(Some("\"(\"")), Condition::Other);
        assert_eq!(classify_condition(Some("A = \")\"")), Condition::Other);
        assert_eq!(classify_condition(Some("(A")), Condition::Invalid);
        assert_eq!(classify_condition(Some("\"(")), Condition::Other);
    }
}
