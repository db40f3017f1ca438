//! Reads the actions a top-level install started from its `/l*v` log.
//!
//! Wine's log is terser than Windows' but keeps the two lines that matter:
//! `Action start HH:MM:SS: Name.` and `Action ended HH:MM:SS: Name. Return value N.`
//!
//! Wine 8.0 opens the log twice: everything up to the second
//! `=== Logging started` header is written again after it, so only the text
//! after the last header is read. It also logs the end of the top-level
//! action twice; an end line with no open action of that name is ignored.

use msiconf_spec::ActionRecord;

/// Every action the log shows starting, in order, with the result its end line gives.
pub fn parse_actions(log: &str) -> Vec<ActionRecord> {
    let mut out: Vec<ActionRecord> = Vec::new();
    let body = log
        .rfind("=== Logging started")
        .map_or(log, |pos| &log[pos..]);
    for line in body.lines() {
        if let Some(name) = after_time(line, "Action start ") {
            let name = name.strip_suffix('.').unwrap_or(name).trim();
            out.push(ActionRecord {
                name: name.to_owned(),
                result: None,
            });
        } else if let Some(rest) = after_time(line, "Action ended ") {
            let Some((name, result)) = rest.split_once(". Return value ") else {
                continue;
            };
            let result: Option<i64> = result.trim().trim_end_matches('.').parse().ok();
            // The innermost action of that name still waiting for its result: nested actions end first.
            if let Some(rec) = out
                .iter_mut()
                .rev()
                .find(|r| r.name == name.trim() && r.result.is_none())
            {
                rec.result = result;
            }
        }
    }
    out
}

/// The text after `prefix` and the `HH:MM:SS: ` time stamp that follows it.
fn after_time<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let pos = line.find(prefix)?;
    let rest = &line[pos + prefix.len()..];
    let (time, name) = rest.split_once(": ")?;
    if time.chars().all(|c| c.is_ascii_digit() || c == ':') {
        Some(name)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_starts_with_their_results_including_nested_ones() {
        let log = "\
Action start 12:00:01: INSTALL.\r
Action start 12:00:01: CostInitialize.\r
Action ended 12:00:01: CostInitialize. Return value 1.\r
Action start 12:00:02: Outer.\r
Action start 12:00:02: Inner.\r
Action ended 12:00:02: Inner. Return value 3.\r
Action ended 12:00:02: Outer. Return value 1.\r
Action start 12:00:03: Unfinished.\r
Action ended 12:00:03: INSTALL. Return value 3.\r
";
        let got: Vec<(String, Option<i64>)> = parse_actions(log)
            .into_iter()
            .map(|r| (r.name, r.result))
            .collect();
        assert_eq!(
            got,
            vec![
                ("INSTALL".to_owned(), Some(3)),
                ("CostInitialize".to_owned(), Some(1)),
                ("Outer".to_owned(), Some(1)),
                ("Inner".to_owned(), Some(3)),
                ("Unfinished".to_owned(), None),
            ]
        );
    }

    #[test]
    fn reads_only_after_the_last_header() {
        let log = "\
=== Logging started: 11/21/2026  12:11:09 ===\r
Action start 12:11:09: INSTALL.\r
=== Logging started: 11/21/2026  12:11:09 ===\r
Action start 12:11:09: INSTALL.\r
Action start 12:11:09: CostInitialize.\r
Action ended 12:11:09: CostInitialize. Return value 1.\r
Action ended 12:11:09: INSTALL. Return value 1.\r
Property(S): ProductState = -1\r
Action ended 12:11:09: INSTALL. Return value 1.\r
";
        let got: Vec<(String, Option<i64>)> = parse_actions(log)
            .into_iter()
            .map(|r| (r.name, r.result))
            .collect();
        assert_eq!(
            got,
            vec![
                ("INSTALL".to_owned(), Some(1)),
                ("CostInitialize".to_owned(), Some(1))
            ]
        );
    }

    #[test]
    fn ignores_lines_that_only_look_alike() {
        assert!(parse_actions("Property(S): Action start = x\nAction start soon: no").is_empty());
    }
}
