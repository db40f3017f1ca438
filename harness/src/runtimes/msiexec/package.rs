//! Writes a plan's fixture into a real .msi with the probes in its Binary table.
//!
//! The fixture's rows go in as written, with two deliberate changes that let
//! the harness tell probes apart without touching CustomActionData (which the
//! cases test): a DLL or script probe's Target becomes its own entry point
//! (`P0`, `P1`, ...), and every EXE probe after the first gets its own copy of
//! the EXE in the Binary table, tagged with its number.

use msi::{Column, Insert, Package, PackageType, Value};
use msiconf_spec::fixture::{Column as FixtureColumn, Table};
use msiconf_spec::plan::{PROBE_DLL, PROBE_EXE, PROBE_SCRIPT};
use msiconf_spec::Plan;
use std::io::Cursor;

/// The most DLL probes one package can hold: the probe DLL exports `P0`..`P63`.
pub const MAX_DLL_PROBES: usize = 64;

/// Why a package could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The msi crate refused a table, a row or a stream.
    #[error("failed to write {what} into the package")]
    Write {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// A fixture cell does not fit its column.
    #[error("value {value:?} does not fit column `{table}.{column}` of type `{kind}`")]
    BadValue {
        table: String,
        column: String,
        kind: String,
        value: String,
    },
    /// A fixture column type is not IDT notation.
    #[error("column `{table}.{column}` has unknown type `{kind}`")]
    BadColumnType {
        table: String,
        column: String,
        kind: String,
    },
    /// A fixture table has as many or fewer cells in a row than columns.
    #[error("row {row} of table `{table}` has {found} cells for {expected} columns")]
    RowWidth {
        table: String,
        row: usize,
        found: usize,
        expected: usize,
    },
    /// The fixture defines a table the builder writes itself.
    #[error("fixture table `{0}` clashes with a table the package builder writes")]
    Clash(String),
    /// More DLL probes than the probe DLL has entry points.
    #[error("the plan has {0} DLL probes; the probe DLL has {MAX_DLL_PROBES} entry points")]
    TooManyProbes(usize),
}

/// Which plan probe each entry point, script function or EXE tag stands for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProbeMap {
    /// DLL probes: index `i` is entry point `P{i}`.
    pub dll: Vec<String>,
    /// Script probes: index `i` is JScript function `P{i}`.
    pub script: Vec<String>,
    /// EXE probes: index `i` is the EXE tagged `i`.
    pub exe: Vec<String>,
}

impl ProbeMap {
    /// Assigns entry points to the plan's probes, by the Binary key their CustomAction row names.
    /// A probe without a row never runs as a custom action and gets nothing.
    pub fn for_plan(plan: &Plan) -> Result<ProbeMap, PackageError> {
        let mut map = ProbeMap::default();
        for name in plan.probes.keys() {
            let Some(row) = plan.fixture.custom_action(name) else {
                continue;
            };
            match row.source.as_deref() {
                Some(PROBE_DLL) => map.dll.push(name.clone()),
                Some(PROBE_SCRIPT) => map.script.push(name.clone()),
                Some(PROBE_EXE) => map.exe.push(name.clone()),
                _ => {}
            }
        }
        if map.dll.len() > MAX_DLL_PROBES {
            return Err(PackageError::TooManyProbes(map.dll.len()));
        }
        Ok(map)
    }

    /// The Binary-table key of the EXE tagged `index`.
    pub fn exe_binary(index: usize) -> String {
        if index == 0 {
            PROBE_EXE.to_owned()
        } else {
            format!("{PROBE_EXE}_{index}")
        }
    }

    fn target_for(&self, action: &str) -> Option<String> {
        let pos = |v: &Vec<String>| v.iter().position(|n| n == action);
        pos(&self.dll)
            .or_else(|| pos(&self.script))
            .map(|i| format!("P{i}"))
    }

    fn exe_source_for(&self, action: &str) -> Option<String> {
        self.exe
            .iter()
            .position(|n| n == action)
            .map(ProbeMap::exe_binary)
    }
}

/// The probe programs a package carries.
#[derive(Debug, Clone, Copy)]
pub struct ProbeBinaries<'a> {
    /// The probe DLL.
    pub dll: &'a [u8],
    /// The EXE probe (untagged).
    pub exe: &'a [u8],
}

/// Appends the tag the EXE probe reads from its own file.
pub fn tag_exe(exe: &[u8], index: usize) -> Vec<u8> {
    let mut out = exe.to_vec();
    out.extend_from_slice(format!("MSICONF-TAG:{index};").as_bytes());
    out
}

/// A built package and the probe map it was built with.
#[derive(Debug, Clone)]
pub struct BuiltPackage {
    /// The .msi file's bytes.
    pub bytes: Vec<u8>,
    /// Which probe each entry point stands for.
    pub map: ProbeMap,
}

/// Tables the builder writes itself; a fixture may not define them again.
const OWNED_TABLES: &[&str] = &[
    "Property",
    "CustomAction",
    "InstallExecuteSequence",
    "InstallUISequence",
    "Binary",
];

/// Builds the package for `plan`. `script` is the JScript probe source, if the plan needs one.
pub fn build(
    plan: &Plan,
    binaries: &ProbeBinaries<'_>,
    script: Option<&str>,
    package_code: u128,
) -> Result<BuiltPackage, PackageError> {
    let map = ProbeMap::for_plan(plan)?;
    for t in &plan.fixture.tables {
        if OWNED_TABLES.contains(&t.name.as_str()) {
            return Err(PackageError::Clash(t.name.clone()));
        }
    }
    // The crate reads back what it writes, so it needs a Cursor, not a write-only file.
    let mut package = Package::create(PackageType::Installer, Cursor::new(Vec::new()))
        .map_err(write_err("the package"))?;
    summary(&mut package, package_code);

    let fixture = &plan.fixture;
    create(
        &mut package,
        "Property",
        vec![
            Column::build("Property").primary_key().string(72),
            Column::build("Value").localizable().string(0),
        ],
        fixture
            .properties
            .iter()
            .map(|p| vec![Value::Str(p.name.clone()), Value::Str(p.value.clone())])
            .collect(),
    )?;

    let mut ca_rows = Vec::new();
    for row in &fixture.custom_actions {
        let kind = i16::try_from(row.kind).map_err(|_| PackageError::BadValue {
            table: "CustomAction".into(),
            column: "Type".into(),
            kind: "i2".into(),
            value: row.kind.to_string(),
        })?;
        let source = map
            .exe_source_for(&row.action)
            .or_else(|| row.source.clone());
        let target = map.target_for(&row.action).or_else(|| row.target.clone());
        ca_rows.push(vec![
            Value::Str(row.action.clone()),
            Value::Int(i32::from(kind)),
            opt_str(source),
            opt_str(target),
        ]);
    }
    create(
        &mut package,
        "CustomAction",
        vec![
            Column::build("Action").primary_key().string(72),
            Column::build("Type").int16(),
            Column::build("Source").nullable().string(72),
            Column::build("Target").nullable().string(0),
        ],
        ca_rows,
    )?;

    for (name, rows) in [
        ("InstallExecuteSequence", &fixture.execute_sequence),
        ("InstallUISequence", &fixture.ui_sequence),
    ] {
        let mut values = Vec::new();
        for r in rows {
            let seq = i16::try_from(r.sequence).map_err(|_| PackageError::BadValue {
                table: name.into(),
                column: "Sequence".into(),
                kind: "I2".into(),
                value: r.sequence.to_string(),
            })?;
            values.push(vec![
                Value::Str(r.action.clone()),
                opt_str(r.condition.clone()),
                Value::Int(i32::from(seq)),
            ]);
        }
        create(
            &mut package,
            name,
            vec![
                Column::build("Action").primary_key().string(72),
                Column::build("Condition").nullable().string(255),
                Column::build("Sequence").nullable().int16(),
            ],
            values,
        )?;
    }

    let mut streams: Vec<(String, Vec<u8>)> = vec![(PROBE_DLL.to_owned(), binaries.dll.to_vec())];
    if let Some(js) = script {
        streams.push((PROBE_SCRIPT.to_owned(), js.as_bytes().to_vec()));
    }
    let exe_copies = map.exe.len().max(usize::from(uses_source(plan, PROBE_EXE)));
    for i in 0..exe_copies {
        streams.push((ProbeMap::exe_binary(i), tag_exe(binaries.exe, i)));
    }
    create(
        &mut package,
        "Binary",
        vec![
            Column::build("Name").primary_key().string(72),
            Column::build("Data").binary(),
        ],
        streams
            .iter()
            .map(|(k, _)| vec![Value::Str(k.clone()), Value::Binary])
            .collect(),
    )?;
    for (key, bytes) in &streams {
        write_stream(&mut package, &format!("Binary.{key}"), bytes)?;
    }

    for table in &fixture.tables {
        fixture_table(&mut package, table)?;
    }

    package.flush().map_err(write_err("the package"))?;
    let bytes = package
        .into_inner()
        .map_err(write_err("the package"))?
        .into_inner();
    Ok(BuiltPackage { bytes, map })
}

fn uses_source(plan: &Plan, source: &str) -> bool {
    plan.fixture
        .custom_actions
        .iter()
        .any(|r| r.source.as_deref() == Some(source))
}

/// Writes the summary information every msiconf package carries
/// ([`msiconf_spec::msi::summary::PACKAGE`], which the model reads too).
fn summary(package: &mut Package<Cursor<Vec<u8>>>, package_code: u128) {
    use msiconf_spec::msi::summary::{Value, PACKAGE};
    let info = package.summary_info_mut();
    for (pid, value) in PACKAGE {
        match (*pid, *value) {
            // The crate writes its strings in UTF-8 and says so in PID 1.
            (1, Value::Int(n)) => debug_assert_eq!(
                n,
                i32::from(info.codepage().id() as u16 as i16),
                "the crate's code page"
            ),
            (2, Value::Str(s)) => info.set_title(s),
            (3, Value::Str(s)) => info.set_subject(s),
            (4, Value::Str(s)) => info.set_author(s),
            // "Platform;Languages". The template's platform does not pick the
            // custom-action server (the DLL does), but Wine refuses an x64
            // template whose page count is below 200.
            (7, Value::Str(s)) => {
                let (arch, languages) = s.split_once(';').unwrap_or((s, ""));
                info.set_arch(arch);
                let ids: Vec<msi::LanguageId> = languages
                    .split(',')
                    .filter_map(|l| l.parse::<u16>().ok())
                    .map(msi::LanguageId::from_id)
                    .collect();
                info.set_languages(&ids);
            }
            // Without a revision number (the package code) Wine's msiexec fails with 1620.
            (9, Value::PackageCode) => info.set_uuid(uuid::Uuid::from_u128(package_code)),
            (14, Value::Int(n)) => info.set_page_count(n),
            (15, Value::Int(n)) => info.set_word_count(n),
            (18, Value::Str(s)) => info.set_creating_application(s),
            (pid, value) => unreachable!("no writer for summary property {pid} = {value:?}"),
        }
    }
}

fn opt_str(s: Option<String>) -> Value {
    match s {
        Some(s) => Value::Str(s),
        None => Value::Null,
    }
}

fn write_err(what: &str) -> impl Fn(std::io::Error) -> PackageError + '_ {
    move |source| PackageError::Write {
        what: what.to_owned(),
        source,
    }
}

fn create(
    package: &mut Package<Cursor<Vec<u8>>>,
    name: &str,
    columns: Vec<Column>,
    rows: Vec<Vec<Value>>,
) -> Result<(), PackageError> {
    package
        .create_table(name, columns)
        .map_err(write_err(&format!("table `{name}`")))?;
    if !rows.is_empty() {
        // One insert per table: each insert rewrites the whole table.
        package
            .insert_rows(Insert::into(name).rows(rows))
            .map_err(write_err(&format!("the rows of table `{name}`")))?;
    }
    Ok(())
}

fn write_stream(
    package: &mut Package<Cursor<Vec<u8>>>,
    name: &str,
    bytes: &[u8],
) -> Result<(), PackageError> {
    use std::io::Write;
    let mut w = package
        .write_stream(name)
        .map_err(write_err(&format!("stream `{name}`")))?;
    w.write_all(bytes)
        .map_err(write_err(&format!("stream `{name}`")))
}

/// The kind of a column in IDT notation (`s72`, `S255`, `l0`, `i2`, `I4`, `v0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    /// A string of at most this many characters (0: unlimited).
    Str(usize),
    /// A 16-bit integer.
    Int16,
    /// A 32-bit integer.
    Int32,
    /// A binary stream.
    Binary,
}

/// Parses an IDT column type: the kind, whether it is nullable, whether it is localizable.
pub(crate) fn parse_column_type(kind: &str) -> Option<(ColumnKind, bool, bool)> {
    let mut chars = kind.chars();
    let first = chars.next()?;
    let width: usize = chars.as_str().parse().ok()?;
    let nullable = first.is_ascii_uppercase();
    let (k, localizable) = match first.to_ascii_lowercase() {
        's' => (ColumnKind::Str(width), false),
        'l' => (ColumnKind::Str(width), true),
        'i' if width == 2 => (ColumnKind::Int16, false),
        'i' if width == 4 => (ColumnKind::Int32, false),
        'v' => (ColumnKind::Binary, false),
        _ => return None,
    };
    Some((k, nullable, localizable))
}

fn fixture_column(table: &str, c: &FixtureColumn) -> Result<(Column, ColumnKind), PackageError> {
    let (kind, nullable, localizable) =
        parse_column_type(&c.kind).ok_or_else(|| PackageError::BadColumnType {
            table: table.into(),
            column: c.name.clone(),
            kind: c.kind.clone(),
        })?;
    let mut b = Column::build(c.name.clone());
    if c.key {
        b = b.primary_key();
    }
    if nullable {
        b = b.nullable();
    }
    if localizable {
        b = b.localizable();
    }
    let col = match kind {
        ColumnKind::Str(w) => b.string(w),
        ColumnKind::Int16 => b.int16(),
        ColumnKind::Int32 => b.int32(),
        ColumnKind::Binary => b.binary(),
    };
    Ok((col, kind))
}

fn fixture_table(
    package: &mut Package<Cursor<Vec<u8>>>,
    table: &Table,
) -> Result<(), PackageError> {
    let mut columns = Vec::new();
    let mut kinds = Vec::new();
    for c in &table.columns {
        let (col, kind) = fixture_column(&table.name, c)?;
        columns.push(col);
        kinds.push(kind);
    }
    let mut rows = Vec::new();
    let mut streams = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        if row.len() != table.columns.len() {
            return Err(PackageError::RowWidth {
                table: table.name.clone(),
                row: i + 1,
                found: row.len(),
                expected: table.columns.len(),
            });
        }
        let mut values = Vec::new();
        let mut key = Vec::new();
        for ((cell, kind), col) in row.iter().zip(&kinds).zip(&table.columns) {
            let value = match kind {
                _ if cell.is_empty() && *kind != ColumnKind::Binary => Value::Null,
                ColumnKind::Str(_) => Value::Str(cell.clone()),
                ColumnKind::Int16 | ColumnKind::Int32 => {
                    let n: i32 = cell.parse().map_err(|_| PackageError::BadValue {
                        table: table.name.clone(),
                        column: col.name.clone(),
                        kind: col.kind.clone(),
                        value: cell.clone(),
                    })?;
                    if *kind == ColumnKind::Int16 && i16::try_from(n).is_err() {
                        return Err(PackageError::BadValue {
                            table: table.name.clone(),
                            column: col.name.clone(),
                            kind: col.kind.clone(),
                            value: cell.clone(),
                        });
                    }
                    Value::Int(n)
                }
                ColumnKind::Binary => Value::Binary,
            };
            if col.key {
                key.push(cell.clone());
            }
            values.push(value);
        }
        // A binary cell's text becomes the stream's bytes, named `<Table>.<keys>`.
        for (cell, kind) in row.iter().zip(&kinds) {
            if *kind == ColumnKind::Binary {
                streams.push((format!("{}.{}", table.name, key.join(".")), cell.clone()));
            }
        }
        rows.push(values);
    }
    if table.name == VALIDATION {
        return validation_rows(package, table, rows);
    }
    create(package, &table.name, columns, rows)?;
    for (name, text) in streams {
        write_stream(package, &name, text.as_bytes())?;
    }
    Ok(())
}

/// The table in which the msi crate describes every column it writes.
const VALIDATION: &str = "_Validation";

/// A fixture's `_Validation` rows: the crate already keeps the table, with a row
/// for every column it created, so a fixture row replaces the crate's row for
/// the same table and column instead of creating the table again.
fn validation_rows(
    package: &mut Package<Cursor<Vec<u8>>>,
    table: &Table,
    rows: Vec<Vec<Value>>,
) -> Result<(), PackageError> {
    use msi::{Delete, Expr};
    for row in &table.rows {
        let (Some(t), Some(c)) = (row.first(), row.get(1)) else {
            continue;
        };
        let same = Expr::col("Table")
            .eq(Expr::string(t.as_str()))
            .and(Expr::col("Column").eq(Expr::string(c.as_str())));
        package
            .delete_rows(Delete::from(VALIDATION).with(same))
            .map_err(write_err(&format!("the `{VALIDATION}` row of `{t}.{c}`")))?;
    }
    if !rows.is_empty() {
        package
            .insert_rows(Insert::into(VALIDATION).rows(rows))
            .map_err(write_err(&format!("the rows of table `{VALIDATION}`")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use msiconf_spec::fixture::{Column as FColumn, CustomActionRow, Table as FTable};
    use msiconf_spec::{Context, Fixture, Operation, PlanBuilder};
    use std::io::Read;

    const DLL: &[u8] = b"MZ fake dll";
    const EXE: &[u8] = b"MZ fake exe";

    fn bins() -> ProbeBinaries<'static> {
        ProbeBinaries { dll: DLL, exe: EXE }
    }

    fn sample_plan() -> Plan {
        let mut fixture = Fixture::standard();
        fixture.custom_actions.push(CustomActionRow {
            action: "SecondExe".into(),
            kind: 2,
            source: Some(PROBE_EXE.into()),
            target: Some("two".into()),
        });
        fixture.tables.push(FTable {
            name: "Test".into(),
            columns: vec![
                FColumn {
                    name: "A".into(),
                    kind: "i2".into(),
                    key: true,
                },
                FColumn {
                    name: "B".into(),
                    kind: "S72".into(),
                    key: false,
                },
                FColumn {
                    name: "C".into(),
                    kind: "I4".into(),
                    key: false,
                },
            ],
            rows: vec![
                vec!["1".into(), "one".into(), String::new()],
                vec!["2".into(), String::new(), "-7".into()],
            ],
        });
        let mut b = PlanBuilder::new(fixture);
        b.step(Context::ImmediateBeforeInit, None, Operation::GetLanguage);
        b.step(Context::Deferred, None, Operation::GetLanguage);
        b.step(Context::ScriptImmediate, None, Operation::SessionLanguage);
        b.step(Context::Exe, None, Operation::CommandLine);
        b.probe("SecondExe", Context::Exe);
        b.build()
    }

    fn open(bytes: Vec<u8>) -> Package<Cursor<Vec<u8>>> {
        Package::open(Cursor::new(bytes)).expect("the built package opens")
    }

    fn rows(pkg: &mut Package<Cursor<Vec<u8>>>, table: &str) -> Vec<Vec<Value>> {
        pkg.select_rows(msi::Select::table(table))
            .expect("table exists")
            .map(|row| (0..row.len()).map(|i| row[i].clone()).collect())
            .collect()
    }

    #[test]
    fn a_fixture_validation_row_replaces_the_one_the_crate_wrote() {
        let mut plan = sample_plan();
        let col = |name: &str, kind: &str, key| FColumn {
            name: name.into(),
            kind: kind.into(),
            key,
        };
        plan.fixture.tables.push(FTable {
            name: "_Validation".into(),
            columns: vec![
                col("Table", "s32", true),
                col("Column", "s32", true),
                col("Nullable", "s4", false),
                col("MinValue", "I4", false),
                col("MaxValue", "I4", false),
                col("KeyTable", "S255", false),
                col("KeyColumn", "I2", false),
                col("Category", "S32", false),
                col("Set", "S255", false),
                col("Description", "S255", false),
            ],
            rows: vec![vec![
                "Test".into(),
                "B".into(),
                "N".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "from the fixture".into(),
            ]],
        });
        let built = build(&plan, &bins(), Some("function P0() {}"), 7).unwrap();
        let mut pkg = open(built.bytes);
        let of_b: Vec<_> = rows(&mut pkg, "_Validation")
            .into_iter()
            .filter(|r| r[0] == Value::Str("Test".into()) && r[1] == Value::Str("B".into()))
            .collect();
        assert_eq!(of_b.len(), 1, "{of_b:?}");
        assert_eq!(of_b[0][2], Value::Str("N".into()));
        assert_eq!(of_b[0][9], Value::Str("from the fixture".into()));
    }

    #[test]
    fn probes_get_distinct_entry_points_and_exe_copies() {
        let plan = sample_plan();
        let built = build(&plan, &bins(), Some("function P0() {}"), 7).unwrap();
        assert_eq!(
            built.map.dll,
            vec!["ProbeDeferred".to_owned(), "ProbeImmediate".to_owned()]
        );
        assert_eq!(built.map.script, vec!["ProbeScript".to_owned()]);
        assert_eq!(
            built.map.exe,
            vec!["ProbeExe".to_owned(), "SecondExe".to_owned()]
        );
        let mut pkg = open(built.bytes);
        let ca = rows(&mut pkg, "CustomAction");
        let find = |name: &str| {
            ca.iter()
                .find(|r| r[0] == Value::Str(name.into()))
                .unwrap()
                .clone()
        };
        assert_eq!(find("ProbeDeferred")[3], Value::Str("P0".into()));
        assert_eq!(find("ProbeImmediate")[3], Value::Str("P1".into()));
        assert_eq!(find("ProbeScript")[3], Value::Str("P0".into()));
        assert_eq!(find("ProbeDeferred")[1], Value::Int(1025));
        // EXE probes keep their command line; the second one runs its own tagged copy.
        assert_eq!(find("ProbeExe")[2], Value::Str("probeexe".into()));
        assert_eq!(find("SecondExe")[2], Value::Str("probeexe_1".into()));
        assert_eq!(find("SecondExe")[3], Value::Str("two".into()));
    }

    #[test]
    fn binary_streams_hold_the_probes() {
        let plan = sample_plan();
        let built = build(&plan, &bins(), Some("function P0() {}"), 7).unwrap();
        let mut pkg = open(built.bytes);
        let mut read = |name: &str| {
            let mut v = Vec::new();
            pkg.read_stream(name).unwrap().read_to_end(&mut v).unwrap();
            v
        };
        assert_eq!(read("Binary.probe"), DLL);
        assert_eq!(read("Binary.probejs"), b"function P0() {}");
        assert_eq!(read("Binary.probeexe"), tag_exe(EXE, 0));
        assert!(read("Binary.probeexe_1").ends_with(b"MSICONF-TAG:1;"));
    }

    #[test]
    fn fixture_rows_sequences_and_tables_go_in_as_written() {
        let plan = sample_plan();
        let built = build(&plan, &bins(), None, 7).unwrap();
        let mut pkg = open(built.bytes);
        let props = rows(&mut pkg, "Property");
        assert!(props.contains(&vec![
            Value::Str("ProductLanguage".into()),
            Value::Str("1033".into())
        ]));
        let seq = rows(&mut pkg, "InstallExecuteSequence");
        assert!(seq.contains(&vec![
            Value::Str("ProbeDeferred".into()),
            Value::Null,
            Value::Int(1600)
        ]));
        let test = rows(&mut pkg, "Test");
        assert_eq!(
            test,
            vec![
                vec![Value::Int(1), Value::Str("one".into()), Value::Null],
                vec![Value::Int(2), Value::Null, Value::Int(-7)],
            ]
        );
        assert!(pkg.has_stream("Binary.probe"));
        assert!(!pkg.has_stream("Binary.probejs"), "no script was given");
    }

    #[test]
    fn summary_information_carries_what_wine_checks() {
        let built = build(&sample_plan(), &bins(), None, 0x1234).unwrap();
        let pkg = open(built.bytes);
        let info = pkg.summary_info();
        assert_eq!(info.page_count(), Some(200));
        assert_eq!(info.word_count(), Some(2));
        assert_eq!(info.arch(), Some("x64"));
        assert_eq!(info.title(), Some("msiconf probe package"));
        assert_eq!(info.subject(), Some("msiconf probe package"));
        assert_eq!(info.author(), Some("msiconf"));
        assert_eq!(info.creating_application(), Some("msiconf"));
        assert_eq!(info.codepage().id(), 65001);
        assert_eq!(info.uuid(), Some(uuid::Uuid::from_u128(0x1234)));
    }

    #[test]
    fn bad_fixtures_are_refused_with_the_place_named() {
        let mut plan = sample_plan();
        plan.fixture.tables[0].columns[1].kind = "q7".into();
        let err = build(&plan, &bins(), None, 1).unwrap_err().to_string();
        assert!(err.contains("Test.B") && err.contains("q7"), "{err}");

        let mut plan = sample_plan();
        plan.fixture.tables[0].rows[0][0] = "x".into();
        let err = build(&plan, &bins(), None, 1).unwrap_err().to_string();
        assert!(err.contains("\"x\"") && err.contains("Test.A"), "{err}");

        let mut plan = sample_plan();
        plan.fixture.tables[0].rows[0].pop();
        let err = build(&plan, &bins(), None, 1).unwrap_err().to_string();
        assert!(err.contains("row 1 of table `Test`"), "{err}");

        let mut plan = sample_plan();
        plan.fixture.tables[0].name = "Property".into();
        assert!(matches!(
            build(&plan, &bins(), None, 1),
            Err(PackageError::Clash(_))
        ));

        let mut plan = sample_plan();
        plan.fixture.execute_sequence[0].sequence = 40_000;
        assert!(matches!(
            build(&plan, &bins(), None, 1),
            Err(PackageError::BadValue { .. })
        ));
    }

    #[test]
    fn more_dll_probes_than_entry_points_is_an_error() {
        let mut b = PlanBuilder::new(Fixture::standard());
        for i in 0..=MAX_DLL_PROBES {
            let name = format!("Probe{i}");
            b.probe(&name, Context::ImmediateBeforeInit);
        }
        let mut plan = b.build();
        for name in plan.probes.keys() {
            plan.fixture.custom_actions.push(CustomActionRow {
                action: name.clone(),
                kind: 1,
                source: Some(PROBE_DLL.into()),
                target: Some("Probe".into()),
            });
        }
        assert!(matches!(
            build(&plan, &bins(), None, 1),
            Err(PackageError::TooManyProbes(65))
        ));
    }

    #[test]
    fn idt_column_types_parse() {
        assert_eq!(
            parse_column_type("s72"),
            Some((ColumnKind::Str(72), false, false))
        );
        assert_eq!(
            parse_column_type("S255"),
            Some((ColumnKind::Str(255), true, false))
        );
        assert_eq!(
            parse_column_type("L0"),
            Some((ColumnKind::Str(0), true, true))
        );
        assert_eq!(
            parse_column_type("i2"),
            Some((ColumnKind::Int16, false, false))
        );
        assert_eq!(
            parse_column_type("I4"),
            Some((ColumnKind::Int32, true, false))
        );
        assert_eq!(
            parse_column_type("v0"),
            Some((ColumnKind::Binary, false, false))
        );
        assert_eq!(parse_column_type("i3"), None);
        assert_eq!(parse_column_type("s"), None);
    }
}
