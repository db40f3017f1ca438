//! Escaping for the HTML renderers.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Escapes text for an HTML element body or a double- or single-quoted attribute.
pub(crate) fn html(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Turns any text into a token safe inside an `id` and a URL fragment: ASCII
/// letters, digits and `-` pass, everything else becomes `_` followed by its hex code,
/// so two different texts never collide.
pub(crate) fn id_token(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            out.push(c);
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "_{:x}_", u32::from(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert!(matches!(html("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn id_tokens_are_safe_and_distinct() {
        assert_eq!(id_token("DEFERRED-PROPS"), "DEFERRED-PROPS");
        assert_eq!(id_token("broken:x/windows"), "broken_3a_x_2f_windows");
        assert_ne!(id_token("a_b"), id_token("a b"));
        assert!(id_token("é <\"")
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
