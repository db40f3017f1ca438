//! Escaping for the HTML renderers.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Escapes text for an HTML element body or a double- or single-quoted
/// attribute, with control characters made [`visible`].
pub(crate) fn html(text: &str) -> Cow<'_, str> {
    let text = visible(text);
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return text;
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

/// Makes control characters visible as `\xNN` (`\0` for NUL): XML 1.0 cannot
/// carry them, browsers and Markdown renderers drop or mangle them, and losing
/// them silently would misreport values such as a property with an embedded
/// NUL. Tabs and line breaks stay.
pub(crate) fn visible(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A runtime's output made fit to show: ANSI colour and cursor sequences
/// (ESC `[` ... final byte) and operating-system commands such as hyperlinks
/// (ESC `]` ... BEL or ESC `\`) removed, other control characters made visible.
pub(crate) fn output(text: &str) -> String {
    // Hand-written rather than anstream's stripper, which also drops the
    // other control characters (NUL, BEL, backspace) that `visible` shows.
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            // Parameters and intermediates run up to a final byte in @..~.
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else if c == '\u{1b}' && chars.peek() == Some(&']') {
            // An operating-system command (a title, a hyperlink) ends with BEL or ESC \.
            chars.next();
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                    chars.next();
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    visible(&plain).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_shows_nul_and_controls_but_keeps_line_breaks() {
        assert_eq!(visible("a\0b\x01c\td\ne"), "a\\0b\\x01c\td\ne");
        assert_eq!(visible("\u{1b}x"), "\\x1bx");
        assert!(matches!(visible("plain\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn output_drops_colours_and_shows_other_controls() {
        assert_eq!(
            output("\u{1b}[1;31merr\u{1b}[0m: bad\x07\n"),
            "err: bad\\x07\n"
        );
        // Hyperlinks and titles go too, whichever way they end.
        assert_eq!(
            output("\u{1b}]8;;https://x.invalid\u{7}link\u{1b}]8;;\u{1b}\\ end\n"),
            "link end\n"
        );
    }

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert!(matches!(html("plain"), Cow::Borrowed("plain")));
        assert_eq!(html("a\0<"), "a\\0&lt;");
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
