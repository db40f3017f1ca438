//! Conformance cases: one TOML file each under `cases/`, read into a [`Case`].
//!
//! A case is data: a fixture, the steps to perform in each context, and what
//! each step and the install must give, per profile where the profiles differ.
//! [`load_dir`] reads every file it can and collects a [`CaseFileError`] for
//! each one it cannot, so one bad file never hides the others.

mod expect;
mod file;
mod locate;
mod revision;
pub mod select;

pub use revision::suite_revision;

pub use expect::{ActionExpect, Expect, InstallExpect, Mismatch};

use file::{CaseFile, FixtureFile};
use msiconf_spec::fixture::Fixture;
use msiconf_spec::plan::{default_probe, PACKAGE_PROBE};
use msiconf_spec::{Context, InstallOptions, Operation, PlanBuilder, Profile, StepRef};
use msiconf_spec::{Plan, Transcript};
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// One conformance case, ready to run.
#[derive(Debug, Clone)]
pub struct Case {
    /// The path under the cases folder without `.toml`, with `/` separators.
    pub name: String,
    /// The first component of the name.
    pub area: String,
    /// The file it was read from.
    pub path: PathBuf,
    /// What the case shows, in a sentence.
    pub description: String,
    /// The rule IDs the case cites, in the order given; the first is the default for findings.
    pub rules: Vec<String>,
    /// Free words for filtering and the fuzzers' vocabulary.
    pub tags: Vec<String>,
    /// The profiles the case applies in.
    pub profiles: Vec<Profile>,
    /// What a runtime is asked to do.
    pub plan: Arc<Plan>,
    /// Each step with what it must give.
    pub steps: Vec<StepCheck>,
    /// Probes that must start a given number of times.
    pub probes: Vec<ProbeCheck>,
    /// What the install must give, if the case says.
    pub install: Option<InstallCheck>,
    /// The Wine test function the case translates (`wine-test`), if any.
    pub wine_test: Option<WineTest>,
}

/// A Wine test function of `dlls/msi/tests/` that a case translates
/// (`wine-test = "package.c test_condition"`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WineTest {
    /// The test file: one of [`WineTest::FILES`].
    pub file: String,
    /// The test function: a C identifier starting `test_`.
    pub function: String,
}

impl WineTest {
    /// The Wine test files cases may cite.
    pub const FILES: [&'static str; 7] = [
        "custom.c",
        "install.c",
        "package.c",
        "db.c",
        "automation.c",
        "record.c",
        "suminfo.c",
    ];

    /// Reads `"FILE FUNCTION"`, or says what is wrong with it.
    pub fn parse(text: &str) -> Result<WineTest, String> {
        let mut words = text.split(' ');
        let (Some(file), Some(function), None) = (words.next(), words.next(), words.next()) else {
            return Err(format!(
                "`wine-test` is \"FILE FUNCTION\", such as \"package.c test_condition\", not `{text}`"
            ));
        };
        if !WineTest::FILES.contains(&file) {
            return Err(format!(
                "`{file}` is not a Wine test file msiconf translates (one of {})",
                WineTest::FILES.join(", ")
            ));
        }
        let identifier = function
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !function.starts_with("test_") || !identifier {
            return Err(format!(
                "`{function}` is not a Wine test function (a C identifier starting `test_`)"
            ));
        }
        Ok(WineTest {
            file: file.to_owned(),
            function: function.to_owned(),
        })
    }
}

impl fmt::Display for WineTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.file, self.function)
    }
}

/// An expectation that may differ between profiles: a per-profile value
/// replaces the common one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PerProfile<T> {
    /// `expect`: both profiles.
    pub common: Option<T>,
    /// `expect-documented`.
    pub documented: Option<T>,
    /// `expect-windows`.
    pub windows: Option<T>,
}

impl<T> PerProfile<T> {
    /// The expectation that applies under `profile`, if any.
    pub fn get(&self, profile: Profile) -> Option<&T> {
        let specific = match profile {
            Profile::Documented => self.documented.as_ref(),
            Profile::Windows => self.windows.as_ref(),
        };
        specific.or(self.common.as_ref())
    }
}

/// One step of a case and what it must give.
#[derive(Debug, Clone)]
pub struct StepCheck {
    /// Where the step sits in the plan.
    pub step: StepRef,
    /// The context the call is made from.
    pub context: Context,
    /// The call.
    pub call: Operation,
    /// The rule a broken expectation is reported under.
    pub rule: String,
    /// What the outcome must hold, per profile.
    pub expect: PerProfile<Expect>,
    /// The Wine assertion the step translates is marked `todo_wine` (`todo-wine`).
    pub todo_wine: bool,
}

/// A probe that must start exactly `runs` times.
#[derive(Debug, Clone)]
pub struct ProbeCheck {
    /// The probe custom action.
    pub probe: String,
    /// How many times it must start.
    pub runs: usize,
    /// The rule a wrong run count is reported under.
    pub rule: String,
}

/// What the install must give.
#[derive(Debug, Clone)]
pub struct InstallCheck {
    /// The rule a broken install expectation is reported under.
    pub rule: String,
    /// What the install must give, per profile.
    pub expect: PerProfile<InstallExpect>,
}

impl Case {
    /// Whether the case applies under `profile`.
    pub fn applies_in(&self, profile: Profile) -> bool {
        self.profiles.contains(&profile)
    }

    /// Whether the case cites `rule`.
    pub fn cites(&self, rule: &str) -> bool {
        self.rules.iter().any(|r| r == rule)
    }

    /// Checks a transcript of this case's plan: its own expectations and every
    /// rule predicate of `profile`. See [`crate::check::check_case`].
    pub fn check(
        &self,
        profile: Profile,
        transcript: &Transcript,
    ) -> Vec<crate::report::model::Finding> {
        crate::check::check_case(self, profile, transcript)
    }
}

/// The rule IDs a case may cite.
#[derive(Debug, Clone, Default)]
pub struct KnownRules(BTreeSet<String>);

impl KnownRules {
    /// Every rule of the spec's catalog.
    pub fn catalog() -> KnownRules {
        KnownRules::from_ids(msiconf_spec::rules::catalog().iter().map(|r| r.id))
    }

    /// Exactly these IDs (tests use their own).
    pub fn from_ids<I, S>(ids: I) -> KnownRules
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        KnownRules(ids.into_iter().map(Into::into).collect())
    }

    /// Whether `id` is a known rule.
    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(id)
    }
}

/// What went wrong with a case file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseFileErrorKind {
    /// The file could not be read.
    Read,
    /// The file is not valid TOML.
    Syntax,
    /// A field the format does not have.
    UnknownField,
    /// A required field is missing.
    MissingField,
    /// A name that is not one of the allowed ones: an unknown operation, context, profile, UI level...
    UnknownVariant,
    /// A value of the wrong type.
    TypeMismatch,
    /// A rule ID that is not in the catalog.
    UnknownRule,
    /// Well-formed but inconsistent: a step in the wrong context for its probe, a probe without a row...
    Invalid,
}

/// A case file that could not be read into a [`Case`], with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CaseFileError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, when the problem is at one place.
    pub line: Option<usize>,
    /// 1-based column, with `line`.
    pub column: Option<usize>,
    /// The field, as a dotted path (`steps[2].call`).
    pub field: Option<String>,
    /// What kind of problem it is.
    pub kind: CaseFileErrorKind,
    /// What is wrong, in one line.
    pub message: String,
}

impl fmt::Display for CaseFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid case file `{}`", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
            if let Some(col) = self.column {
                write!(f, ", column {col}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The cases folder could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("failed to read cases folder `{}`", path.display())]
pub struct SuiteError {
    /// The folder.
    pub path: PathBuf,
    #[source]
    /// Why it could not be read.
    pub source: std::io::Error,
}

/// Every case of a folder, and the files that could not be read.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    /// Cases in name order.
    pub cases: Vec<Arc<Case>>,
    /// One error per file that could not be read into a case.
    pub errors: Vec<CaseFileError>,
}

impl Suite {
    /// The case with this name.
    pub fn case(&self, name: &str) -> Option<&Arc<Case>> {
        self.cases.iter().find(|c| c.name == name)
    }
}

/// The conformance suite built into the binary (see `build.rs`).
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_cases.rs"));

    /// The suite revision: a content hash of the built-in case files.
    pub const REVISION: &str = env!("MSICONF_SUITE_REVISION");

    /// Where built-in cases say they come from in messages.
    pub const ORIGIN: &str = "<built-in>/cases";
}

/// Reads the suite built into the binary: every `*.toml` of the `cases/`
/// folder it was built from. Errors name the file as `<built-in>/cases/...`.
pub fn load_embedded(rules: &KnownRules) -> Suite {
    let mut suite = Suite::default();
    for (file, text) in embedded::FILES {
        let Some(name) = file.strip_suffix(".toml") else {
            continue;
        };
        let path = Path::new(embedded::ORIGIN).join(file);
        match parse_case(name, &path, text, rules) {
            Ok(case) => suite.cases.push(Arc::new(case)),
            Err(e) => suite.errors.push(e),
        }
    }
    suite.cases.sort_by(|a, b| a.name.cmp(&b.name));
    suite
}

/// The revision of the case files below `root` (see [`suite_revision`]):
/// the same files as [`load_dir`] reads.
pub fn dir_revision(root: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    collect_files(root, &mut files)?;
    let mut named = Vec::new();
    for path in files {
        named.push((case_name(root, &path) + ".toml", std::fs::read(&path)?));
    }
    named.sort();
    Ok(suite_revision(
        named.iter().map(|(n, c)| (n.as_str(), c.as_slice())),
    ))
}

/// Reads every `*.toml` below `root` (recursively, in name order, skipping
/// hidden files and folders).
pub fn load_dir(root: &Path, rules: &KnownRules) -> Result<Suite, SuiteError> {
    let mut files = Vec::new();
    collect_files(root, &mut files).map_err(|source| SuiteError {
        path: root.to_owned(),
        source,
    })?;
    files.sort();
    let mut suite = Suite::default();
    for path in files {
        let name = case_name(root, &path);
        match std::fs::read_to_string(&path) {
            Ok(text) => match parse_case(&name, &path, &text, rules) {
                Ok(case) => suite.cases.push(Arc::new(case)),
                Err(e) => suite.errors.push(e),
            },
            Err(e) => suite.errors.push(CaseFileError {
                path: path.clone(),
                line: None,
                column: None,
                field: None,
                kind: CaseFileErrorKind::Read,
                message: format!("failed to read: {e}"),
            }),
        }
    }
    suite.cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(suite)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        // Hidden files and folders are editors' and tools' business, not cases.
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// The case name of `path` under `root`: the relative path, `/`-separated, without `.toml`.
pub fn case_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path).with_extension("");
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Reads one case from its text. `name` is its case name and `path` is named in errors.
pub fn parse_case(
    name: &str,
    path: &Path,
    text: &str,
    rules: &KnownRules,
) -> Result<Case, CaseFileError> {
    let err_at = |span: Option<std::ops::Range<usize>>, kind, message: String| {
        let (line, column, field) = match span {
            Some(span) => {
                let (l, c) = locate::line_col(text, span.start);
                (Some(l), Some(c), locate::field_at(text, span.start))
            }
            None => (None, None, None),
        };
        CaseFileError {
            path: path.to_owned(),
            line,
            column,
            field,
            kind,
            message,
        }
    };
    let de = toml::Deserializer::parse(text).map_err(|e| {
        // The parser gives no position when it stops at its nesting limit:
        // point at the line that nests deepest, which is where it stopped.
        let span = e.span().or_else(|| {
            e.message()
                .contains("recursion limit")
                .then(|| deepest_line(text))
        });
        err_at(span, CaseFileErrorKind::Syntax, e.message().to_owned())
    })?;
    let file: CaseFile = serde::Deserialize::deserialize(de).map_err(|e| {
        let message = e.message().to_owned();
        let kind = schema_kind(&message);
        let mut err = err_at(e.span(), kind, message);
        // serde names a missing field itself, and the span is then the
        // whole enclosing table: name the field inside that table.
        if kind == CaseFileErrorKind::MissingField {
            if let Some(name) = backticked(&err.message) {
                let table = e.span().and_then(|s| locate::table_at(text, s.start));
                err.field = Some(match table {
                    Some(t) => format!("{t}.{name}"),
                    None => name,
                });
            }
        }
        err
    })?;
    let invalid =
        |span: std::ops::Range<usize>, kind, message: String| err_at(Some(span), kind, message);
    build_case(name, path, file, rules, &invalid)
}

fn schema_kind(message: &str) -> CaseFileErrorKind {
    // The second form is what the TOML deserializer says for enum variants' fields.
    if message.starts_with("unknown field") || message.starts_with("unexpected keys") {
        CaseFileErrorKind::UnknownField
    } else if message.starts_with("missing field") {
        CaseFileErrorKind::MissingField
    } else if message.starts_with("unknown variant") {
        CaseFileErrorKind::UnknownVariant
    } else {
        CaseFileErrorKind::TypeMismatch
    }
}

fn backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

type Invalid<'a> = dyn Fn(std::ops::Range<usize>, CaseFileErrorKind, String) -> CaseFileError + 'a;

fn build_case(
    name: &str,
    path: &Path,
    file: CaseFile,
    known: &KnownRules,
    invalid: &Invalid<'_>,
) -> Result<Case, CaseFileError> {
    use CaseFileErrorKind::{Invalid as Bad, UnknownRule};
    if file.rules.get_ref().is_empty() {
        return Err(invalid(
            file.rules.span(),
            Bad,
            "a case cites at least one rule".into(),
        ));
    }
    let mut cited = Vec::new();
    for id in file.rules.get_ref() {
        if !known.contains(id.get_ref()) {
            return Err(invalid(
                id.span(),
                UnknownRule,
                format!("unknown rule ID `{}`", id.get_ref()),
            ));
        }
        cited.push(id.get_ref().clone());
    }
    let rule_for = |r: &Option<Spanned<String>>| -> Result<String, CaseFileError> {
        match r {
            None => Ok(cited[0].clone()),
            Some(id) if !known.contains(id.get_ref()) => Err(invalid(
                id.span(),
                UnknownRule,
                format!("unknown rule ID `{}`", id.get_ref()),
            )),
            Some(id) if !cited.contains(id.get_ref()) => Err(invalid(
                id.span(),
                Bad,
                format!("rule `{}` is not among the case's `rules`", id.get_ref()),
            )),
            Some(id) => Ok(id.get_ref().clone()),
        }
    };
    let wine_test = match &file.wine_test {
        None => None,
        Some(w) => Some(WineTest::parse(w.get_ref()).map_err(|m| invalid(w.span(), Bad, m))?),
    };
    let profiles = match &file.profiles {
        None => Profile::ALL.to_vec(),
        Some(p) if p.get_ref().is_empty() => {
            return Err(invalid(
                p.span(),
                Bad,
                "`profiles` names at least one profile".into(),
            ));
        }
        Some(p) => {
            let mut v = p.get_ref().clone();
            v.sort();
            v.dedup();
            v
        }
    };

    let fixture = merge_fixture(file.fixture);
    let mut builder = PlanBuilder::new(fixture.clone());
    if let Some(install) = &file.install {
        builder.install(InstallOptions {
            properties: install.properties.clone(),
            ui: install.ui,
        });
    }

    // Declared probes first, so steps can be checked against their context.
    let mut declared: Vec<(String, Context)> = Vec::new();
    let mut probes = Vec::new();
    for p in &file.probes {
        let pname = p.name.get_ref();
        if declared.iter().any(|(n, _)| n == pname) {
            return Err(invalid(
                p.name.span(),
                Bad,
                format!("probe `{pname}` is declared twice"),
            ));
        }
        if p.context == Context::Package {
            return Err(invalid(
                p.name.span(),
                Bad,
                "a probe is a custom action; steps on the package handle need no probe".into(),
            ));
        }
        check_probe_row(pname, p.context, &fixture, p.name.span(), invalid)?;
        declared.push((pname.clone(), p.context));
        builder.probe(pname, p.context);
        if let Some(runs) = p.expect_runs {
            probes.push(ProbeCheck {
                probe: pname.clone(),
                runs,
                rule: rule_for(&p.rule)?,
            });
        } else if p.rule.is_some() {
            rule_for(&p.rule)?;
        }
    }

    let mut steps = Vec::new();
    for s in &file.steps {
        let context = *s.context.get_ref();
        let op = s.call.get_ref();
        if !op.kind().available_in(context) {
            return Err(invalid(
                s.call.span(),
                Bad,
                format!(
                    "operation `{}` cannot be made from context `{context}`",
                    op.kind()
                ),
            ));
        }
        let probe = match &s.probe {
            Some(p) => {
                let pname = p.get_ref();
                if context == Context::Package {
                    return Err(invalid(
                        p.span(),
                        Bad,
                        "steps in context `package` run on the package handle and name no probe"
                            .into(),
                    ));
                }
                match declared.iter().find(|(n, _)| n == pname) {
                    Some((_, c)) if *c != context => {
                        return Err(invalid(
                            s.context.span(),
                            Bad,
                            format!(
                                "probe `{pname}` is declared in context `{c}`, not `{context}`"
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        check_probe_row(pname, context, &fixture, p.span(), invalid)?;
                        declared.push((pname.clone(), context));
                    }
                }
                Some(pname.as_str())
            }
            None => {
                if let Some((default, ..)) = default_probe(context) {
                    if let Some((_, c)) = declared.iter().find(|(n, _)| n == default) {
                        if *c != context {
                            return Err(invalid(
                                s.context.span(),
                                Bad,
                                format!("probe `{default}` is declared in context `{c}`, not `{context}`"),
                            ));
                        }
                    } else {
                        declared.push((default.to_owned(), context));
                    }
                }
                None
            }
        };
        let step = builder.step(context, probe, op.clone());
        steps.push(StepCheck {
            step,
            context,
            call: op.clone(),
            rule: rule_for(&s.rule)?,
            expect: PerProfile {
                common: s.expect.clone(),
                documented: s.expect_documented.clone(),
                windows: s.expect_windows.clone(),
            },
            todo_wine: s.todo_wine,
        });
    }
    for p in &file.probes {
        if let Some(code) = p.returns {
            builder.returns(p.name.get_ref(), code);
        }
    }

    let install = match &file.install {
        Some(i)
            if i.expect.is_some()
                || i.expect_documented.is_some()
                || i.expect_windows.is_some() =>
        {
            Some(InstallCheck {
                rule: rule_for(&i.rule)?,
                expect: PerProfile {
                    common: i.expect.clone(),
                    documented: i.expect_documented.clone(),
                    windows: i.expect_windows.clone(),
                },
            })
        }
        Some(i) => {
            rule_for(&i.rule)?;
            None
        }
        None => None,
    };

    Ok(Case {
        name: name.to_owned(),
        area: name.split('/').next().unwrap_or(name).to_owned(),
        path: path.to_owned(),
        description: file.description,
        rules: cited,
        tags: file.tags,
        profiles,
        plan: Arc::new(builder.build()),
        steps,
        probes,
        install,
        wine_test,
    })
}

/// A probe that is not its context's default needs a CustomAction row, since
/// the plan builder only adds rows for the defaults.
fn check_probe_row(
    probe: &str,
    context: Context,
    fixture: &Fixture,
    span: std::ops::Range<usize>,
    invalid: &Invalid<'_>,
) -> Result<(), CaseFileError> {
    let is_default = default_probe(context).is_some_and(|d| d.0 == probe)
        || probe == msiconf_spec::plan::FORCE_ROLLBACK_PROBE.0;
    if probe == PACKAGE_PROBE || (!is_default && fixture.custom_action(probe).is_none()) {
        return Err(invalid(
            span,
            CaseFileErrorKind::Invalid,
            format!(
                "probe `{probe}` is not the default probe of context `{context}` and has no row in `fixture.custom-actions`"
            ),
        ));
    }
    Ok(())
}

/// The standard package with the case's rows added; a row whose key the
/// standard package already has replaces it.
fn merge_fixture(file: FixtureFile) -> Fixture {
    let mut f = if file.standard {
        Fixture::standard()
    } else {
        Fixture::default()
    };
    if file.tree {
        f.tables.extend(msiconf_spec::fixture::standard_tree());
    }
    for row in file.properties {
        f.properties.retain(|r| r.name != row.name);
        f.properties.push(row);
    }
    for row in file.custom_actions {
        f.custom_actions.retain(|r| r.action != row.action);
        f.custom_actions.push(row);
    }
    for row in file.execute_sequence {
        f.execute_sequence.retain(|r| r.action != row.action);
        f.execute_sequence.push(row);
    }
    for row in file.ui_sequence {
        f.ui_sequence.retain(|r| r.action != row.action);
        f.ui_sequence.push(row);
    }
    for table in file.tables {
        f.tables.retain(|t| t.name != table.name);
        f.tables.push(table);
    }
    f
}

/// Renders a call in case-file syntax, such as `{ get-property = { name = "P" } }`.
pub fn render_call(op: &Operation) -> String {
    match toml::Value::try_from(op) {
        Ok(toml::Value::String(s)) => format!("{s:?}"),
        Ok(v) => v.to_string(),
        Err(_) => format!("{op:?}"),
    }
}

/// The byte range of the line with the most nesting (`[`, `{` and the dots
/// of dotted keys), for parse errors that come without a position.
fn deepest_line(text: &str) -> std::ops::Range<usize> {
    let mut best = 0..0;
    let mut most = 0;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let depth = line
            .chars()
            .filter(|c| matches!(c, '[' | '{' | '.'))
            .count();
        if depth > most {
            most = depth;
            best = start..start + line.len();
        }
        start += line.len();
    }
    best
}
