//! Reports: the versioned JSON [`model::Report`], the renderers that read it,
//! and how report files are written (whole or not at all).

pub mod atomic;
pub mod compare;
pub mod coverage;
mod escape;
pub mod findings;
pub mod github;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod model;
pub mod reproduce;
mod style;
pub use style::source_url;
pub mod summary;
pub mod terminal;

use crate::case::Suite;
use model::{Report, RuleInfo, Run, Tool, SCHEMA_VERSION};
use msiconf_spec::model::Deviation;
pub use reproduce::shell_words;
use std::path::{Path, PathBuf};

/// A report that could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A `--report FORMAT=PATH` whose format no renderer knows.
    #[error("unknown report format `{format}` (known: {})", FORMATS.join(", "))]
    UnknownFormat { format: String },
    /// A `--report` value without `=`.
    #[error("invalid report `{spec}`: expected FORMAT=PATH, such as json=report.json")]
    BadSpec { spec: String },
    /// Rendering failed.
    #[error("failed to render the {format} report")]
    Render {
        format: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Writing failed.
    #[error("failed to write report `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The report formats [`render`] knows; keep in step with its arms.
pub const FORMATS: &[&str] = &["json", "junit", "markdown", "html", "github"];

/// What `msiconf run` writes when no `--report` is given: (format, path).
pub const DEFAULT_REPORTS: &[(&str, &str)] = &[
    ("json", "target/msiconf/report.json"),
    ("junit", "target/msiconf/junit.xml"),
    ("markdown", "target/msiconf/summary.md"),
    ("html", "target/msiconf/report.html"),
];

/// A `--report FORMAT=PATH` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpec {
    /// The renderer, such as `json`.
    pub format: String,
    /// Where the report goes: a file, or [`STDOUT_PATH`] for standard output.
    pub path: PathBuf,
}

/// The path that stands for standard output in `--report FORMAT=-`.
pub const STDOUT_PATH: &str = "-";

impl ReportSpec {
    /// Whether this report goes to standard output (`FORMAT=-`).
    pub fn is_stdout(&self) -> bool {
        self.path.as_os_str() == STDOUT_PATH
    }
}

impl std::str::FromStr for ReportSpec {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<ReportSpec, ReportError> {
        let (format, path) = s
            .split_once('=')
            .ok_or_else(|| ReportError::BadSpec { spec: s.to_owned() })?;
        if !FORMATS.contains(&format) {
            return Err(ReportError::UnknownFormat {
                format: format.to_owned(),
            });
        }
        if path.is_empty() {
            return Err(ReportError::BadSpec { spec: s.to_owned() });
        }
        Ok(ReportSpec {
            format: format.to_owned(),
            path: PathBuf::from(path),
        })
    }
}

/// Renders `report` in `format`. Each renderer is one arm.
pub fn render(format: &str, report: &Report) -> Result<Vec<u8>, ReportError> {
    let render_err = |source: Box<dyn std::error::Error + Send + Sync>| ReportError::Render {
        format: format.to_owned(),
        source,
    };
    match format {
        "json" => {
            let mut bytes =
                serde_json::to_vec_pretty(report).map_err(|e| render_err(Box::new(e)))?;
            bytes.push(b'\n');
            Ok(bytes)
        }
        "junit" => junit::render(report)
            .map(String::into_bytes)
            .map_err(|e| render_err(Box::new(e))),
        "markdown" => Ok(markdown::render(report).into_bytes()),
        "html" => Ok(html::render(report).into_bytes()),
        "github" => Ok(github::render(report).into_bytes()),
        other => Err(ReportError::UnknownFormat {
            format: other.to_owned(),
        }),
    }
}

/// Renders and writes one report: to standard output for `FORMAT=-`,
/// otherwise as [`write_atomically`] does.
pub fn write(spec: &ReportSpec, report: &Report) -> Result<(), ReportError> {
    let bytes = render(&spec.format, report)?;
    let written = if spec.is_stdout() {
        write_stdout(&bytes)
    } else {
        write_atomically(&spec.path, &bytes)
    };
    written.map_err(|source| ReportError::Write {
        path: spec.path.clone(),
        source,
    })
}

/// Writes a report to standard output. A reader that went away (`| head`)
/// is not an error: it has what it wanted, and the run's other reports
/// still get written.
fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes `bytes` to `path`, creating the folder if needed.
///
/// A regular file (or a path where nothing is yet) is replaced whole or not
/// at all (see [`atomic`]). Anything else is written straight through: a
/// rename would put a regular file in place of a device (`/dev/stdout`,
/// `/dev/null`), a FIFO another program reads, or a symbolic link the user
/// made on purpose, so for those the bytes go to what the path opens.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if !meta.file_type().is_file() && !meta.is_dir() => {
            return write_through(path, bytes)
        }
        _ => {}
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    atomic::write_atomic(path, bytes).map_err(|e| e.source)
}

/// Opens `path` for writing, following a symbolic link, and writes `bytes`.
fn write_through(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

/// Assembles the report of `runs` over `suite`, with every rule of the catalog.
pub fn build(runs: Vec<Run>, suite: &Suite) -> Report {
    let rules = msiconf_spec::rules::catalog()
        .iter()
        .map(|r| RuleInfo {
            id: r.id.to_owned(),
            title: r.title.to_owned(),
            statement: r.statement.to_owned(),
            family: r.family.name().to_owned(),
            level: r.level.name().to_owned(),
            sources: r.sources.iter().map(|s| (*s).to_owned()).collect(),
            contexts: r.contexts.iter().map(|c| c.name().to_owned()).collect(),
            has_predicate: r.has_predicate(),
            unobservable: match r.check {
                msiconf_spec::Check::Unobservable(why) => Some(why.to_owned()),
                msiconf_spec::Check::Predicate(_) => None,
            },
            disagreement: r.disagreement.map(str::to_owned),
            cases: suite
                .cases
                .iter()
                .filter(|c| c.cites(r.id))
                .map(|c| c.name.clone())
                .collect(),
            broken_runtimes: Deviation::ALL
                .iter()
                .filter(|d| d.breaks().contains(&r.id))
                .map(|d| format!("{}{}", crate::runtimes::BROKEN_PREFIX, d.name()))
                .collect(),
        })
        .collect();
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "msiconf".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        runs,
        rules,
        provenance: None,
        incomplete: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_specs_parse() {
        let s: ReportSpec = "json=out/r.json".parse().unwrap();
        assert_eq!(s.format, "json");
        assert_eq!(s.path, PathBuf::from("out/r.json"));
        assert!(matches!(
            "json".parse::<ReportSpec>(),
            Err(ReportError::BadSpec { .. })
        ));
        assert!(matches!(
            "xml=a".parse::<ReportSpec>(),
            Err(ReportError::UnknownFormat { .. })
        ));
    }

    #[test]
    fn reports_are_written_whole_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/report.json");
        let report = build(Vec::new(), &Suite::default());
        write(
            &ReportSpec {
                format: "json".into(),
                path: path.clone(),
            },
            &report,
        )
        .unwrap();
        let back: Report = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(back, report);
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["report.json"]);
    }
}
