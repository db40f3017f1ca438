//! The command that runs one case of a report again, shell-quoted so that it
//! pastes into a POSIX shell as is.
//!
//! The runtime is given as it was on the command line the report records
//! (`--runtime wine=msiexec` stays an alias of `msiexec`; a `cmd:` line keeps
//! its spaces and quotes); a report without that record names the runtime as
//! the report does.

use super::model::{CaseResult, Report, Run};
use crate::runtimes::runtime_name;

/// `words` joined into one shell command line, each quoted where the shell
/// would otherwise split or expand it.
pub fn shell_words(words: &[&str]) -> String {
    // `try_join` refuses only words with a NUL byte, which no argument can hold;
    // such a word is shown with the NUL made visible rather than lost.
    shlex::try_join(words.iter().copied()).unwrap_or_else(|_| {
        let cleaned: Vec<String> = words.iter().map(|w| w.replace('\0', "\\0")).collect();
        shlex::try_join(cleaned.iter().map(String::as_str)).unwrap_or_default()
    })
}

/// `msiconf run --runtime SPEC --profile P [--cases DIR] [--timeout S] NAME`
/// for `case` of `run`.
pub fn case_command(report: &Report, run: &Run, case: &CaseResult) -> String {
    let recorded = report.provenance.as_ref();
    let args: &[String] = recorded.map_or(&[], |p| p.command_line.as_slice());
    let spec = given_values(args, "--runtime")
        .into_iter()
        .find(|given| runtime_name(given) == run.runtime.name)
        .unwrap_or(run.runtime.name.as_str());
    let profile = run.profile.to_string();
    let mut words = vec!["msiconf", "run", "--runtime", spec, "--profile", &profile];
    if let Some(cases) = recorded.map(|p| p.cases.as_str()) {
        if cases != crate::case::embedded::ORIGIN && cases != "cases" {
            words.extend(["--cases", cases]);
        }
    }
    if let Some(timeout) = given_values(args, "--timeout").last() {
        words.extend(["--timeout", timeout]);
    }
    words.push(&case.name);
    shell_words(&words)
}

/// Every value of `flag` in `args`, given as `--flag VALUE` or `--flag=VALUE`.
fn given_values<'a>(args: &'a [String], flag: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        if word == flag {
            if let Some(value) = words.next() {
                out.push(value.as_str());
            }
        } else if let Some(value) = word.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
            out.push(value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_with_spaces_and_quotes_are_quoted_once() {
        let line = shell_words(&["msiconf", "run", "--runtime", "cmd:python3 'a b.py'", "x"]);
        assert_eq!(line, r#"msiconf run --runtime "cmd:python3 'a b.py'" x"#);
        assert_eq!(
            shlex::split(&line).unwrap(),
            ["msiconf", "run", "--runtime", "cmd:python3 'a b.py'", "x"]
        );
    }

    #[test]
    fn flag_values_are_read_in_both_spellings() {
        let args: Vec<String> = [
            "msiconf",
            "run",
            "--runtime",
            "a",
            "--runtime=w=msiexec",
            "--timeout=30",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(given_values(&args, "--runtime"), ["a", "w=msiexec"]);
        assert_eq!(given_values(&args, "--timeout"), ["30"]);
    }
}
