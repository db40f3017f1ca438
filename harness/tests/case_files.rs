//! Case files: good ones become plans, bad ones become errors naming the file,
//! line and field, and one bad file never hides the others.

use msiconf::case::{load_dir, parse_case, CaseFileError, CaseFileErrorKind, KnownRules};
use msiconf_spec::{Context, Operation, Profile, StepRef};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn rules() -> KnownRules {
    KnownRules::from_ids(["R-ONE", "R-TWO"])
}

const GOOD: &str = r#"description = "good"
rules = ["R-ONE", "R-TWO"]
tags = ["t"]

[fixture]
properties = [{ name = "P", value = "v" }, { name = "ProductName", value = "replaced" }]

[install]
properties = { TESTPATH = 'c:\x' }
expect-windows = { result = 0 }

[[probes]]
name = "ProbeDeferred"
context = "deferred"
returns = 1602
expect-runs = 1

[[steps]]
context = "package"
call = "get-language"
expect = { number = 1033 }

[[steps]]
context = "deferred"
call = { get-property = { name = "CustomActionData" } }
expect = { rc = 0 }
expect-documented = { rc = 0, value = "" }
rule = "R-TWO"
"#;

fn parse(text: &str) -> Result<msiconf::case::Case, CaseFileError> {
    parse_case(
        "area/name",
        Path::new("cases/area/name.toml"),
        text,
        &rules(),
    )
}

#[test]
fn a_good_case_becomes_a_plan() {
    let case = parse(GOOD).unwrap();
    assert_eq!(case.name, "area/name");
    assert_eq!(case.area, "area");
    assert_eq!(case.rules, ["R-ONE", "R-TWO"]);
    assert_eq!(case.profiles, Profile::ALL);
    let plan = &case.plan;
    // The case's rows are merged onto the standard package, replacing by key.
    assert_eq!(plan.fixture.property("P"), Some("v"));
    assert_eq!(plan.fixture.property("ProductName"), Some("replaced"));
    assert_eq!(plan.fixture.property("ProductLanguage"), Some("1033"));
    // The default probe got its row and sequence position from the plan builder.
    assert!(plan.fixture.custom_action("ProbeDeferred").is_some());
    assert_eq!(plan.fixture.execute_position("ProbeDeferred"), Some(1600));
    assert_eq!(plan.probes["ProbeDeferred"].returns, 1602);
    assert_eq!(
        plan.package.as_ref().unwrap().steps,
        [Operation::GetLanguage]
    );
    assert_eq!(
        plan.install.as_ref().unwrap().properties["TESTPATH"],
        "c:\\x"
    );
    // Steps know where they are and which rule they answer to.
    assert_eq!(
        case.steps[0].step,
        StepRef {
            probe: "@package".into(),
            index: 0
        }
    );
    assert_eq!(case.steps[0].rule, "R-ONE");
    assert_eq!(
        case.steps[1].step,
        StepRef {
            probe: "ProbeDeferred".into(),
            index: 0
        }
    );
    assert_eq!(case.steps[1].context, Context::Deferred);
    assert_eq!(case.steps[1].rule, "R-TWO");
    // Per-profile expectations replace the common one.
    let e = &case.steps[1].expect;
    assert_eq!(e.get(Profile::Windows).unwrap().value, None);
    assert_eq!(
        e.get(Profile::Documented).unwrap().value.as_deref(),
        Some("")
    );
    let install = case.install.as_ref().unwrap();
    assert!(install.expect.get(Profile::Windows).is_some());
    assert!(install.expect.get(Profile::Documented).is_none());
    assert_eq!(case.probes[0].runs, 1);
}

#[test]
fn standard_false_starts_from_an_empty_package() {
    let case = parse("description = \"x\"\nrules = [\"R-ONE\"]\n[fixture]\nstandard = false\n[[steps]]\ncontext = \"package\"\ncall = \"get-language\"\n").unwrap();
    assert!(case.plan.fixture.properties.is_empty());
    assert!(case.plan.fixture.execute_sequence.is_empty());
}

/// Parses `text` expecting an error, and checks its kind, line and field.
fn bad(text: &str, kind: CaseFileErrorKind, line: usize, field: &str) -> CaseFileError {
    let err = parse(text).expect_err("the case should be refused");
    assert_eq!(err.kind, kind, "{err}");
    assert_eq!(err.line, Some(line), "{err}");
    assert_eq!(err.field.as_deref(), Some(field), "{err}");
    let shown = err.to_string();
    assert!(
        shown.starts_with("invalid case file `cases/area/name.toml`, line "),
        "{shown}"
    );
    assert!(shown.contains(&format!("field `{field}`")), "{shown}");
    err
}

fn with_line(line_no: usize, replacement: &str) -> String {
    GOOD.lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == line_no { replacement } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_syntax_error_names_the_line() {
    let text = with_line(20, "call = \"get-language");
    let err = parse(&text).unwrap_err();
    assert_eq!(err.kind, CaseFileErrorKind::Syntax, "{err}");
    assert_eq!(err.line, Some(20), "{err}");
    assert_eq!(err.field.as_deref(), Some("steps[0].call"), "{err}");
}

#[test]
fn nesting_too_deep_for_the_parser_names_the_line() {
    // Found by the case_file fuzz target: the TOML parser stops at its
    // recursion limit without a position, and the error named no line.
    let header = format!("[{}]", vec!["a"; 400].join("."));
    let text = format!("description = \"x\"\nrules = []\n\n{header}\nb = 1\n");
    let err = parse(&text).unwrap_err();
    assert_eq!(err.kind, CaseFileErrorKind::Syntax, "{err}");
    assert!(err.message.contains("recursion limit"), "{err}");
    assert_eq!(err.line, Some(4), "{err}");
}

#[test]
fn an_unknown_field_is_named() {
    let err = bad(
        &with_line(16, "expect-run = 1"),
        CaseFileErrorKind::UnknownField,
        16,
        "probes[0].expect-run",
    );
    assert!(err.message.contains("unknown field `expect-run`"), "{err}");
    // Also deep inside an inline table.
    let err = bad(
        &with_line(
            25,
            "call = { get-property = { name = \"x\", bufer = \"ample\" } }",
        ),
        CaseFileErrorKind::UnknownField,
        25,
        "steps[1].call",
    );
    assert!(err.message.contains("bufer"), "{err}");
    // And at the top.
    bad(
        &with_line(3, "tag = [\"t\"]"),
        CaseFileErrorKind::UnknownField,
        3,
        "tag",
    );
}

#[test]
fn an_unknown_rule_is_named() {
    let err = bad(
        &with_line(2, "rules = [\"R-ONE\", \"R-NOPE\"]"),
        CaseFileErrorKind::UnknownRule,
        2,
        "rules",
    );
    assert_eq!(err.message, "unknown rule ID `R-NOPE`");
    let err = bad(
        &with_line(28, "rule = \"R-NOPE\""),
        CaseFileErrorKind::UnknownRule,
        28,
        "steps[1].rule",
    );
    assert_eq!(err.message, "unknown rule ID `R-NOPE`");
    // A known rule the case does not cite is refused too.
    let text = with_line(2, "rules = [\"R-ONE\"]");
    let err = bad(&text, CaseFileErrorKind::Invalid, 28, "steps[1].rule");
    assert!(
        err.message.contains("not among the case's `rules`"),
        "{err}"
    );
}

#[test]
fn an_unknown_operation_is_named() {
    let err = bad(
        &with_line(25, "call = { get-propertee = { name = \"x\" } }"),
        CaseFileErrorKind::UnknownVariant,
        25,
        "steps[1].call",
    );
    assert!(err.message.contains("get-propertee"), "{err}");
}

#[test]
fn an_unknown_context_is_named() {
    let err = bad(
        &with_line(24, "context = \"deferrred\""),
        CaseFileErrorKind::UnknownVariant,
        24,
        "steps[1].context",
    );
    assert!(err.message.contains("deferrred"), "{err}");
}

#[test]
fn a_type_mismatch_is_named() {
    let err = bad(
        &with_line(15, "returns = \"1602\""),
        CaseFileErrorKind::TypeMismatch,
        15,
        "probes[0].returns",
    );
    assert!(err.message.contains("invalid type"), "{err}");
    bad(
        &with_line(26, "expect = { rc = \"zero\" }"),
        CaseFileErrorKind::TypeMismatch,
        26,
        "steps[1].expect",
    );
}

#[test]
fn a_missing_field_is_named() {
    let text = GOOD.replacen("description = \"good\"\n", "", 1);
    let err = parse(&text).unwrap_err();
    assert_eq!(err.kind, CaseFileErrorKind::MissingField, "{err}");
    assert_eq!(err.field.as_deref(), Some("description"), "{err}");
}

#[test]
fn inconsistent_cases_are_refused() {
    // A step in another context than its declared probe.
    let err = bad(
        &with_line(24, "context = \"commit\"\nprobe = \"ProbeDeferred\""),
        CaseFileErrorKind::Invalid,
        24,
        "steps[1].context",
    );
    assert!(
        err.message.contains("declared in context `deferred`"),
        "{err}"
    );
    // A call that cannot be made from the context.
    let err = bad(
        &with_line(25, "call = { session-property-get = { name = \"x\" } }"),
        CaseFileErrorKind::Invalid,
        25,
        "steps[1].call",
    );
    assert!(
        err.message
            .contains("cannot be made from context `deferred`"),
        "{err}"
    );
    // A probe that is neither a default nor in the CustomAction table.
    let err = bad(
        &with_line(13, "name = \"MyProbe\""),
        CaseFileErrorKind::Invalid,
        13,
        "probes[0].name",
    );
    assert!(
        err.message.contains("no row in `fixture.custom-actions`"),
        "{err}"
    );
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn one_bad_file_does_not_hide_the_others() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "b/good.toml", GOOD);
    let bad_path = write(
        dir.path(),
        "a/bad.toml",
        &with_line(2, "rules = [\"R-NOPE\"]"),
    );
    write(dir.path(), "a/deeper/also-good.toml", GOOD);
    write(dir.path(), "a/notes.txt", "not a case");
    write(dir.path(), "a/.editor-backup.toml", "not = [a case");
    write(dir.path(), ".hidden/x.toml", "not = [a case");
    let suite = load_dir(dir.path(), &rules()).unwrap();
    let names: Vec<_> = suite.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a/deeper/also-good", "b/good"]);
    assert_eq!(suite.errors.len(), 1);
    assert_eq!(suite.errors[0].path, bad_path);
    assert_eq!(suite.errors[0].kind, CaseFileErrorKind::UnknownRule);
}

#[test]
fn a_missing_folder_is_an_error() {
    let err = load_dir(Path::new("/nonexistent/msiconf-cases"), &rules()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to read cases folder `/nonexistent/msiconf-cases`"
    );
}

#[test]
fn the_smoke_cases_load() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases/smoke");
    let ids = [
        "DOACTION-CASE",
        "PROP-GET-UNDEFINED-EMPTY",
        "CUSTOMACTIONDATA-BY-NAME",
        "DEFERRED-PROPS",
    ];
    let suite = load_dir(&root, &KnownRules::from_ids(ids)).unwrap();
    assert!(suite.errors.is_empty(), "{:?}", suite.errors);
    assert_eq!(suite.cases.len(), 3);
}

#[test]
fn wine_test_names_the_wine_file_and_function() {
    let text = GOOD.replacen(
        "tags = [\"t\"]\n",
        "tags = [\"t\"]\nwine-test = \"package.c test_condition\"\n",
        1,
    );
    let text = text.replacen(
        "rule = \"R-TWO\"\n",
        "rule = \"R-TWO\"\ntodo-wine = true\n",
        1,
    );
    let case = parse(&text).unwrap();
    let wine = case.wine_test.as_ref().unwrap();
    assert_eq!(
        (wine.file.as_str(), wine.function.as_str()),
        ("package.c", "test_condition")
    );
    assert_eq!(wine.to_string(), "package.c test_condition");
    assert!(!case.steps[0].todo_wine);
    assert!(case.steps[1].todo_wine);
    // Without the fields there is no citation and nothing is todo.
    let case = parse(GOOD).unwrap();
    assert!(case.wine_test.is_none());
    assert!(case.steps.iter().all(|s| !s.todo_wine));
}

#[test]
fn a_bad_wine_test_is_refused() {
    for (value, says) in [
        ("format.c test_formatrecord", "not a Wine test file"),
        ("package.c condition", "not a Wine test function"),
        ("package.c test_cond-ition", "not a Wine test function"),
        ("package.c", "FILE FUNCTION"),
        ("package.c test_a test_b", "FILE FUNCTION"),
    ] {
        let err = bad(
            &with_line(3, &format!("tags = [\"t\"]\nwine-test = \"{value}\"")),
            CaseFileErrorKind::Invalid,
            4,
            "wine-test",
        );
        assert!(err.message.contains(says), "{value}: {err}");
    }
}

fn wine_suite() -> msiconf::case::Suite {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases");
    let suite = load_dir(&root, &KnownRules::catalog()).unwrap();
    assert!(suite.errors.is_empty(), "{:?}", suite.errors);
    suite
}

#[test]
fn every_wine_tests_case_cites_its_wine_test() {
    let suite = wine_suite();
    let wine: Vec<_> = suite
        .cases
        .iter()
        .filter(|c| c.area == "wine-tests")
        .collect();
    assert!(!wine.is_empty());
    for case in wine {
        let Some(cited) = &case.wine_test else {
            panic!("{} has no `wine-test`", case.name);
        };
        // The folder is the Wine file without `.c`: cases/wine-tests/package/... cite package.c.
        let folder = case.name.split('/').nth(1).unwrap_or_default();
        assert_eq!(
            format!("{folder}.c"),
            cited.file,
            "{} cites {cited}",
            case.name
        );
    }
}

/// (file, function) -> (translated, todo_wine).
type WineCounts = BTreeMap<(String, String), (usize, usize)>;

/// docs/wine-tests.md's table (file, function, translated, todo_wine, ...) and the
/// total translated.
fn wine_table(text: &str) -> (WineCounts, Option<usize>) {
    let mut rows = BTreeMap::new();
    let mut total = None;
    for line in text.lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells.len() < 4 {
            continue;
        }
        let number = |s: &str| s.trim_matches('*').parse::<usize>().ok();
        if cells[0].trim_matches('*') == "total" {
            total = number(cells[2]);
        } else if cells[0].ends_with(".c") && cells[1].starts_with("test_") {
            let (Some(done), Some(todo)) = (number(cells[2]), number(cells[3])) else {
                panic!("docs/wine-tests.md: counts are not numbers in `{line}`");
            };
            let key = (cells[0].to_owned(), cells[1].to_owned());
            assert!(
                rows.insert(key, (done, todo)).is_none(),
                "docs/wine-tests.md lists `{}` twice",
                line
            );
        }
    }
    (rows, total)
}

#[test]
fn the_wine_tests_table_matches_the_cases() {
    // A translated assertion is a step with an expectation; setup steps have none.
    let mut counted = WineCounts::new();
    for case in wine_suite().cases.iter() {
        let Some(wine) = &case.wine_test else {
            continue;
        };
        let entry = counted
            .entry((wine.file.clone(), wine.function.clone()))
            .or_default();
        for step in &case.steps {
            let e = &step.expect;
            if e.common.is_some() || e.documented.is_some() || e.windows.is_some() {
                entry.0 += 1;
                entry.1 += usize::from(step.todo_wine);
            }
        }
    }
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/wine-tests.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    let (table, total) = wine_table(&text);
    let mut wrong = Vec::new();
    for (key, counts) in &counted {
        match table.get(key) {
            Some(listed) if listed == counts => {}
            Some(listed) => wrong.push(format!(
                "{} {}: the table says {} translated, {} todo_wine; the cases have {}, {}",
                key.0, key.1, listed.0, listed.1, counts.0, counts.1
            )),
            None => wrong.push(format!(
                "{} {}: {} translated, {} todo_wine, not in the table",
                key.0, key.1, counts.0, counts.1
            )),
        }
    }
    for (key, listed) in &table {
        if !counted.contains_key(key) && *listed != (0, 0) {
            wrong.push(format!(
                "{} {}: the table says {} translated but no case cites it",
                key.0, key.1, listed.0
            ));
        }
    }
    let sum: usize = counted.values().map(|c| c.0).sum();
    if total != Some(sum) {
        wrong.push(format!(
            "the total row says {total:?}; the cases have {sum} translated assertions"
        ));
    }
    assert!(
        wrong.is_empty(),
        "docs/wine-tests.md is out of date:\n{}",
        wrong.join("\n")
    );
}
