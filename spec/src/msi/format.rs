//! Formatted text: what MsiFormatRecord and type-51 custom actions do to a
//! template (catalog FMT-PROPERTY, FMT-ESCAPE, PROP-EMBEDDED-NUL, PROP-ENV-PREFIX).
//!
//! The model formats with the session's real values; a predicate formats with
//! what the plan and transcript settle, and answers [`Lookup::Unknown`] for
//! anything they do not, which makes the whole result unknown.

use std::borrow::Cow;

/// What a name in brackets stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The property (or key) has this value.
    Found(Cow<'a, str>),
    /// No such property (or key): it formats as nothing.
    Absent,
    /// The caller cannot tell: the formatted text is unknown.
    Unknown,
}

impl<'a> From<Option<String>> for Lookup<'a> {
    fn from(v: Option<String>) -> Self {
        match v {
            Some(v) => Lookup::Found(Cow::Owned(v)),
            None => Lookup::Absent,
        }
    }
}

/// How a template is expanded.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Handle 0: only `[n]` record fields are replaced; properties and escapes stay as written.
    pub fields_only: bool,
    /// A deviation: `[Name]` of an unknown property stays in the text.
    pub keep_unknown: bool,
    /// A deviation: `[\x]` escapes stay in the text.
    pub keep_escapes: bool,
}

/// Formats `template` with record `fields` (field 1 first), reading names
/// through `lookup`: properties by name, and `%variable`, `#file`, `!file` and
/// `$component` keys with their prefix. `None` when a lookup was
/// [`Lookup::Unknown`].
///
/// An empty template formats the fields the way MsiFormatRecord does when field 0
/// is empty: `"1: [1] 2: [2] "`.
pub fn format<'a>(
    template: &str,
    fields: &[String],
    style: Style,
    lookup: &dyn Fn(&str) -> Lookup<'a>,
) -> Option<String> {
    let default;
    let template = if template.is_empty() && !fields.is_empty() {
        default = (1..=fields.len())
            .map(|i| format!("{i}: [{i}] "))
            .collect::<String>();
        default.as_str()
    } else {
        template
    };
    let chars: Vec<char> = template.chars().collect();
    let f = Formatter {
        fields,
        style,
        lookup,
        unknown: std::cell::Cell::new(false),
    };
    let mut out = String::with_capacity(template.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '[' {
            if let Some((text, next)) = f.bracket(&chars, i, 0) {
                out.push_str(&text);
                i = next;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    (!f.unknown.get()).then_some(out)
}

/// Whether formatting could change `text` at all (it holds brackets or braces).
pub fn is_literal(text: &str) -> bool {
    !text.contains(['[', ']', '{', '}'])
}

struct Formatter<'f, 'a> {
    fields: &'f [String],
    style: Style,
    lookup: &'f dyn Fn(&str) -> Lookup<'a>,
    /// Set once any lookup was unknown.
    unknown: std::cell::Cell<bool>,
}

/// Deeper nesting than this is left as text, so hostile templates stay cheap.
const MAX_DEPTH: usize = 16;

impl Formatter<'_, '_> {
    /// Expands the bracket that opens at `start`; `None` when it is not closed
    /// (the `[` is then ordinary text). Returns the text and the index after `]`.
    fn bracket(&self, chars: &[char], start: usize, depth: usize) -> Option<(String, usize)> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut i = start + 1;
        if self.style.fields_only {
            let close = chars[i..].iter().position(|&c| c == ']')? + i;
            let inner: String = chars[i..close].iter().collect();
            return match self.field(&inner) {
                Some(v) => Some((v, close + 1)),
                None => Some((format!("[{inner}]"), close + 1)),
            };
        }
        if chars.get(i) == Some(&'\\') {
            // [\x]: keep the first character after the backslash, drop the rest.
            let kept = *chars.get(i + 1)?;
            let close = chars.get(i + 2..)?.iter().position(|&c| c == ']')? + i + 2;
            if self.style.keep_escapes {
                return Some((chars[start..=close].iter().collect(), close + 1));
            }
            return Some((kept.to_string(), close + 1));
        }
        let mut key = String::new();
        while i < chars.len() {
            match chars[i] {
                ']' => {
                    return Some((self.resolve(&key), i + 1));
                }
                '[' => match self.bracket(chars, i, depth + 1) {
                    Some((text, next)) => {
                        key.push_str(&text);
                        i = next;
                    }
                    None => return None,
                },
                c => {
                    key.push(c);
                    i += 1;
                }
            }
        }
        None
    }

    fn field(&self, key: &str) -> Option<String> {
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: usize = key.parse().ok()?;
        Some(match n.checked_sub(1).and_then(|i| self.fields.get(i)) {
            // A field's own text is formatted too, but its field references are not followed.
            Some(text) if !self.style.fields_only => {
                match format(text, &[], self.style, self.lookup) {
                    Some(v) => v,
                    None => {
                        self.unknown.set(true);
                        String::new()
                    }
                }
            }
            Some(text) => text.clone(),
            None => String::new(),
        })
    }

    fn resolve(&self, key: &str) -> String {
        if key == "~" {
            return "\0".to_owned();
        }
        if let Some(v) = self.field(key) {
            return v;
        }
        if key.is_empty() {
            return "[]".to_owned();
        }
        // Environment variables, file and component keys go to the caller,
        // who knows the process and the tables; an absent one is empty, never kept.
        let keyed = key.starts_with(['%', '#', '!', '$']);
        match (self.lookup)(key) {
            Lookup::Found(v) => v.into_owned(),
            Lookup::Absent if self.style.keep_unknown && !keyed => format!("[{key}]"),
            Lookup::Absent => String::new(),
            Lookup::Unknown => {
                self.unknown.set(true);
                String::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = r"C:\Windows";

    fn props(name: &str) -> Lookup<'static> {
        match name {
            "imaprop" => Lookup::Found("ringer".into()),
            "x" => Lookup::Found("imaprop".into()),
            "empty" => Lookup::Found("".into()),
            "%PATH" | "%path" => Lookup::Found(PATH.into()),
            "unsure" => Lookup::Unknown,
            _ => Lookup::Absent,
        }
    }

    fn fmt(t: &str) -> String {
        format(t, &[], Style::default(), &props).unwrap()
    }

    #[test]
    fn properties_nesting_and_unknowns() {
        assert_eq!(fmt("[imaprop]"), "ringer");
        assert_eq!(fmt("a[idontexist]b"), "ab");
        assert_eq!(fmt("[[x]]"), "ringer");
        assert_eq!(fmt("[imaprop"), "[imaprop");
        assert_eq!(fmt("x]"), "x]");
        assert_eq!(
            format("", &["[imaprop]".into()], Style::default(), &props).unwrap(),
            "1: ringer "
        );
        assert_eq!(
            format("", &["[idontexist]".into()], Style::default(), &props).unwrap(),
            "1:  "
        );
        let keep = Style {
            keep_unknown: true,
            ..Style::default()
        };
        assert_eq!(format("[nope]", &[], keep, &props).unwrap(), "[nope]");
        assert_eq!(format("a[unsure]b", &[], Style::default(), &props), None);
        assert_eq!(format("[[unsure]]", &[], Style::default(), &props), None);
    }

    #[test]
    fn escapes_nul_and_environment() {
        assert_eq!(fmt(r"[\[]Bracket Text[\]]"), "[Bracket Text]");
        assert_eq!(fmt(r"[\xabcd]"), "x");
        assert_eq!(fmt(r"[abcd\xefgh]"), "");
        assert_eq!(fmt("[~]np"), "\0np");
        assert_eq!(fmt("[%path]"), PATH);
        assert_eq!(fmt("[%idontexist]"), "");
        let keep = Style {
            keep_escapes: true,
            ..Style::default()
        };
        assert_eq!(format(r"[\[]", &[], keep, &props).unwrap(), r"[\[]");
    }

    #[test]
    fn handle_zero_replaces_only_fields() {
        let raw = Style {
            fields_only: true,
            ..Style::default()
        };
        assert_eq!(format(r"[\[]", &[], raw, &props).unwrap(), r"[\[]");
        assert_eq!(
            format("foo [1] [imaprop]", &["a".into()], raw, &props).unwrap(),
            "foo a [imaprop]"
        );
    }

    #[test]
    fn record_fields() {
        let f = vec!["one".to_owned(), "[imaprop]".to_owned()];
        assert_eq!(
            format("foo [1] [2] [3]", &f, Style::default(), &props).unwrap(),
            "foo one ringer "
        );
    }
}
