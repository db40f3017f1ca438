//! What the HTML pages share: the style sheet, the page frame and links to source pages.

use super::escape::html;
use std::fmt::Write as _;

/// The style sheet of every HTML page. Colours are chosen so that states stay
/// apart for the common colour-vision deficiencies: each cell also carries a symbol.
pub(crate) const CSS: &str = r#"
:root { --pass:#d6efd8; --pass-ink:#1b5e20; --fail:#f8c9c9; --fail-ink:#8e1c1c;
  --error:#fde1b3; --error-ink:#8a4b00; --skipped:#e4e6eb; --skipped-ink:#4a4f57;
  --nc:#ffffff; --nc-ink:#8a8f98; --line:#d5d8de; --ink:#1f2328; --muted:#59616b; --accent:#2557d6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f7f9; }
header { padding: 14px 20px 10px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 18px; margin: 0 0 6px; }
h2 { font-size: 15px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
code, pre { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
#summary { margin: 0 0 8px; font-size: 14px; }
.verdict { font-weight: 700; padding: 1px 8px; border-radius: 10px; }
.verdict-pass { background: var(--pass); color: var(--pass-ink); }
.verdict-fail { background: var(--fail); color: var(--fail-ink); }
.verdict-incomplete, .verdict-nothing-ran { background: var(--error); color: var(--error-ink); }
.controls { display: flex; gap: 14px; align-items: center; flex-wrap: wrap; }
#filter { width: 320px; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
#filter-count { color: var(--muted); }
.legend { display: flex; gap: 12px; list-style: none; margin: 0; padding: 0; color: var(--muted); }
.legend li { display: flex; gap: 5px; align-items: center; }
.swatch { display: inline-block; width: 14px; height: 14px; border: 1px solid var(--line); border-radius: 3px; }
.problems { margin: 8px 0 0; padding: 6px 10px; background: var(--fail); color: var(--fail-ink); border-radius: 6px; }
.problems ul { margin: 4px 0 0; padding-left: 20px; }
.layout { display: flex; gap: 16px; padding: 14px 20px; align-items: flex-start; }
.matrix-wrap { flex: 1 1 auto; overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
table.matrix { border-collapse: separate; border-spacing: 0; width: 100%; }
table.matrix th, table.matrix td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; }
table.matrix thead th { position: sticky; top: 0; background: #fff; z-index: 1; vertical-align: bottom; }
th.run-col { text-align: center !important; min-width: 92px; max-width: 150px; font-weight: 600; }
th.run-col .profile, th.run-col .version { display: block; font-weight: 400; color: var(--muted); font-size: 12px; }
tr.family-row th { background: #eef0f4; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
th.rule-id { font-weight: 400; min-width: 220px; max-width: 300px; }
th.rule-id .title { display: block; color: var(--muted); font-size: 12px; line-height: 1.3; }
td.cell { text-align: center; padding: 0; border-left: 1px solid #fff; }
td.cell a { display: block; padding: 5px 6px; color: inherit; text-decoration: none; font-weight: 600; }
td.cell a:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.state-pass { background: var(--pass); color: var(--pass-ink); }
.state-fail { background: var(--fail); color: var(--fail-ink); }
.state-error { background: var(--error); color: var(--error-ink); }
.state-skipped { background: var(--skipped); color: var(--skipped-ink); }
.state-not-covered { background: var(--nc); color: var(--nc-ink); }
td.state-not-covered { background: repeating-linear-gradient(135deg, #fff 0 6px, #f1f2f4 6px 12px); }
td.cell.xfail, .swatch.xfail { background: repeating-linear-gradient(135deg, var(--fail) 0 6px, #fbe3e3 6px 12px); }
td.cell.selected { box-shadow: inset 0 0 0 3px var(--accent); }
td.cell:hover { filter: brightness(.95); }
aside#details { flex: 0 0 400px; position: sticky; top: 10px; max-height: calc(100vh - 20px); overflow: auto;
  background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.detail { display: none; }
html:not(.js) .detail:target, .detail.open { display: block; }
#placeholder { color: var(--muted); }
.rule-info p { margin: 4px 0; }
.meta { color: var(--muted); font-size: 12.5px; }
.sources { margin: 4px 0; padding-left: 18px; }
ul.cases { list-style: none; padding: 0; margin: 0; }
ul.cases > li { border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; margin: 6px 0; }
.badge { display: inline-block; font-size: 11.5px; font-weight: 700; padding: 0 6px; border-radius: 8px; margin-right: 4px; }
.desc { display: block; color: var(--muted); }
.note { display: block; font-style: italic; color: var(--fail-ink); }
.findings { margin-top: 6px; font-size: 12.5px; }
.finding { border-left: 3px solid var(--fail-ink); padding: 2px 0 2px 8px; margin: 4px 0; }
.finding.other-rule { border-left-color: var(--line); color: var(--muted); }
.finding code { word-break: break-all; }
.finding .source { color: var(--muted); }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f7f9; padding: 6px; border-radius: 4px; margin: 4px 0; max-height: 320px; overflow: auto; }
.coverage-list { padding: 14px 20px; }
.coverage-list section.family { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin-bottom: 14px; padding: 10px 14px; }
.coverage-list h2 { margin: 0 0 4px; text-transform: uppercase; font-size: 12px; letter-spacing: .04em; color: var(--muted); }
.coverage-list article.rule { border-top: 1px solid var(--line); padding: 8px 0; }
.coverage-list article.rule:first-of-type { border-top: none; }
.coverage-list h3 { margin: 0 0 2px; }
.coverage-list p { margin: 2px 0; }
.coverage-list ul { display: flex; flex-wrap: wrap; gap: 2px 16px; list-style: none; margin: 2px 0 4px; padding: 0; }
.coverage-list .label { font-weight: 600; margin-right: 6px; }
.unchecked-flag { font-weight: 700; color: var(--fail-ink); }
[hidden] { display: none !important; }
"#;

/// Opens an HTML page: doctype, head with the style sheet, and `<body>`.
pub(crate) fn page_start(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        html(title)
    );
}

/// Closes what [`page_start`] opened, with an optional inline script.
pub(crate) fn page_end(out: &mut String, script: Option<&str>) {
    if let Some(js) = script {
        let _ = writeln!(out, "<script>{js}</script>");
    }
    out.push_str("</body>\n</html>\n");
}

/// The address of a catalog source key, when it names a web page: `MS:<slug>`,
/// `API:<slug>` and the seed pages S0 and S1. Wine test and implementation keys
/// name functions in a source tree and stay text.
pub fn source_url(key: &str) -> Option<String> {
    let key = key.trim();
    if let Some(slug) = key.strip_prefix("MS:") {
        return slug_ok(slug)
            .then(|| format!("https://learn.microsoft.com/windows/win32/msi/{slug}"));
    }
    if let Some(slug) = key.strip_prefix("API:") {
        return slug_ok(slug).then(|| {
            format!(
                "https://learn.microsoft.com/windows/win32/api/msiquery/nf-msiquery-{}",
                slug.to_ascii_lowercase()
            )
        });
    }
    if let Some(rest) = key.strip_prefix("WT:") {
        // Wine's conformance tests (which also run on Windows): `WT:file.c function`.
        let file = rest.split_whitespace().next().unwrap_or("");
        return slug_ok(file.trim_end_matches(".c")).then(|| {
            format!("https://gitlab.winehq.org/wine/wine/-/blob/master/dlls/msi/tests/{file}")
        });
    }
    match key {
        "S0" => Some("https://learn.microsoft.com/windows/win32/msi/session-doaction".to_owned()),
        "S1" => Some(
            "https://learn.microsoft.com/windows/win32/msi/accessing-the-current-installer-session-from-inside-a-custom-action"
                .to_owned(),
        ),
        _ => None,
    }
}

fn slug_ok(slug: &str) -> bool {
    !slug.is_empty() && slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A source key as a list item, linked when it names a page.
pub(crate) fn source_item(out: &mut String, key: &str) {
    match source_url(key) {
        Some(url) => {
            let _ = write!(
                out,
                "<li><a href=\"{}\" rel=\"noreferrer\">{}</a></li>",
                html(&url),
                html(key)
            );
        }
        None => {
            let _ = write!(out, "<li>{}</li>", html(key));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_keys_map_to_pages() {
        assert_eq!(
            source_url("MS:session-session").as_deref(),
            Some("https://learn.microsoft.com/windows/win32/msi/session-session")
        );
        assert_eq!(
            source_url("API:MsiDoActionA").as_deref(),
            Some("https://learn.microsoft.com/windows/win32/api/msiquery/nf-msiquery-msidoactiona")
        );
        assert_eq!(
            source_url("WT:package.c test_doaction").as_deref(),
            Some("https://gitlab.winehq.org/wine/wine/-/blob/master/dlls/msi/tests/package.c")
        );
        assert!(source_url("DTF").is_none());
        assert!(source_url("MS:bad slug\"").is_none());
        assert!(source_url("S2").is_none());
    }
}
