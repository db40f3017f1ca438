//! Turns a byte offset in a case file into a line and a field path.
//!
//! The TOML deserializer gives the span of an error but keeps the key path to
//! itself, so the path is rebuilt from the text: the last table header before
//! the offset (counting `[[array]]` entries) and the last `key =` line in it.
//! This reads well-formed case files correctly; for odd layouts it still
//! names the nearest enclosing key, which is what a person looks for.

/// The 1-based line and column of `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The dotted path of the field at `offset`, such as `steps[2].call`, or
/// `None` at the top of the document before any key.
pub(crate) fn field_at(text: &str, offset: usize) -> Option<String> {
    match position(text, offset) {
        (Some(h), Some(k)) => Some(format!("{h}.{k}")),
        (h, k) => h.or(k),
    }
}

/// The table that holds `offset`, such as `steps[2]`, or `None` for the top level.
pub(crate) fn table_at(text: &str, offset: usize) -> Option<String> {
    position(text, offset).0
}

/// The table header and the key in effect at `offset`.
fn position(text: &str, offset: usize) -> (Option<String>, Option<String>) {
    let mut header: Option<String> = None;
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut key: Option<String> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if start > offset {
            break;
        }
        start += line.len();
        let trimmed = line.trim();
        if let Some(name) = array_header(trimmed) {
            let n = match counts.iter_mut().find(|(k, _)| *k == name) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counts.push((name.clone(), 0));
                    0
                }
            };
            header = Some(format!("{name}[{n}]"));
            key = None;
        } else if let Some(name) = table_header(trimmed) {
            header = Some(name);
            key = None;
        } else if let Some(k) = key_of(trimmed) {
            key = Some(k);
        }
    }
    (header, key)
}

fn is_bare_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

fn strip_comment(line: &str) -> &str {
    line.split('#').next().unwrap_or("").trim()
}

fn array_header(line: &str) -> Option<String> {
    let inner = strip_comment(line)
        .strip_prefix("[[")?
        .strip_suffix("]]")?
        .trim();
    is_bare_name(inner).then(|| inner.to_owned())
}

fn table_header(line: &str) -> Option<String> {
    let inner = strip_comment(line)
        .strip_prefix('[')?
        .strip_suffix(']')?
        .trim();
    is_bare_name(inner).then(|| inner.to_owned())
}

fn key_of(line: &str) -> Option<String> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    is_bare_name(key).then(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "description = \"x\"\nrules = [\n  \"A\",\n  \"B\",\n]\n\n[fixture]\nproperties = [{ name = \"P\", value = \"v\" }]\n\n[[steps]]\ncontext = \"deferred\"\n\n[[steps]]\ncontext = \"package\"\ncall = { get-property = { name = \"P\" } }\n";

    fn at(needle: &str) -> usize {
        TEXT.find(needle).unwrap()
    }

    #[test]
    fn lines_and_columns_count_from_one() {
        assert_eq!(line_col(TEXT, 0), (1, 1));
        assert_eq!(line_col(TEXT, at("\"B\"")), (4, 3));
    }

    #[test]
    fn fields_are_named_by_header_and_key() {
        assert_eq!(field_at(TEXT, at("\"x\"")).as_deref(), Some("description"));
        assert_eq!(field_at(TEXT, at("\"B\"")).as_deref(), Some("rules"));
        assert_eq!(
            field_at(TEXT, at("{ name = \"P\", value")).as_deref(),
            Some("fixture.properties")
        );
        assert_eq!(
            field_at(TEXT, at("\"deferred\"")).as_deref(),
            Some("steps[0].context")
        );
        assert_eq!(
            field_at(TEXT, at("get-property")).as_deref(),
            Some("steps[1].call")
        );
    }
}
