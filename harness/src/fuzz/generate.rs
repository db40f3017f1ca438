//! Plan generation: proptest strategies built from the spec vocabulary.
//!
//! The strategies are weighted toward the edges the rules care about rather
//! than spread evenly over the argument space: names that differ only in
//! case, Null and empty names, ACTION in lower case, writes to persistent
//! versus temporary data, properties named after deferred actions, second
//! sessions, custom actions with the type bits that change return processing.
//! Every name comes from one small shared pool, so that a property set in one
//! step is read in another, and a type-51 action writes a property a deferred
//! probe is named after.
//!
//! Plans are always built through [`PlanBuilder`], so every probe has its
//! CustomAction row and sequence row and the plan installs when it has probes.

use msiconf_spec::codes::{catype, rc, runmode};
use msiconf_spec::fixture::{Column, CustomActionRow, PropertyRow, SequenceRow, Table};
use msiconf_spec::plan::{probe_source, PROBE_EXE};
use msiconf_spec::{
    Buffer, ColumnInfo, Context, Fixture, HandleArg, InstallOptions, ModifyKind, OpKind, Operation,
    PackageSource, Plan, PlanBuilder, UiLevel,
};
use proptest::prelude::*;
use proptest::strategy::{NewTree, ValueTree};
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
use std::collections::BTreeMap;

/// What the runtime under test can do: generation never asks for more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Contexts calls may be made from.
    pub contexts: Vec<Context>,
    /// Operations that may be called.
    pub operations: Vec<OpKind>,
}

impl Capabilities {
    /// Every context and every operation: what in-process model runtimes support.
    pub fn everything() -> Capabilities {
        Capabilities {
            contexts: Context::ALL.to_vec(),
            operations: OpKind::ALL.to_vec(),
        }
    }

    fn allows(&self, context: Context, kind: OpKind) -> bool {
        kind.available_in(context) && self.operations.contains(&kind)
    }
}

// ---------------------------------------------------------------------------
// The shared name pools. Kept small on purpose: collisions are the point.

/// Property names: case twins, names of probe actions, reserved and odd names.
const PROPERTY_NAMES: &[&str] = &[
    "TESTPATH",
    "testpath",
    "TestPath",
    "MYPROP",
    "myProp",
    "boo",
    "BOO",
    "",
    "ProductName",
    "ProductCode",
    "ProductLanguage",
    "UserSID",
    "CustomActionData",
    "INSTALLLEVEL",
    "ACTION",
    "EXECUTEACTION",
    "ProbeDeferred",
    "probedeferred",
    "ProbeImmediate",
    "ProbeCommit",
    "ProbeRollback",
    "ProbeScriptDeferred",
    "ProbeExeDeferred",
    "nested",
    "privProp",
    "condprop",
    "dantes",
    "%PATH",
    "%MSICONF_UNSET",
    "=",
    " ",
    "'",
];

/// Property values: empty, formatted-looking text, embedded NULs, escapes.
const VALUES: &[&str] = &[
    "",
    "1",
    "xyz",
    "c:\\x",
    "A",
    "B",
    "BlueTap",
    "42",
    "[ProductName]",
    "[~]np",
    "a\u{0}b",
    "[\\[]",
    "CostInitialize",
];

/// Property names beyond the letters-only pool: underscores, dots, digits,
/// leading digits or underscores, non-ASCII letters (with a case twin), and
/// white space or control characters at either end.
const ODD_NAMES: &[&str] = &[
    "MY_PROP",
    "My.Prop",
    "PROP2",
    "2PROP",
    "_PROP",
    "\u{c4}PROP",
    "\u{e4}prop",
    " MYPROP",
    "MYPROP ",
    "MY\tPROP",
    "MYPROP\r\n",
];

/// Values with white space, control characters or formatted-text syntax at
/// the edges or inside.
const ODD_VALUES: &[&str] = &[
    " lead",
    "trail ",
    "\tTab",
    "cr\r\nlf",
    "\n",
    "{x}",
    "a;b",
    "%x",
    "back\\slash",
    " [MYPROP] ",
    "{[boo]}",
    "x]y[",
    "a[~]b",
];

/// Lengths at the limits a runtime might have: empty, one, around 255,
/// MAX_PATH (260), 1024 (the suite's ample buffer), 32767 and 65535.
pub const VALUE_LENGTHS: &[usize] = &[
    0, 1, 254, 255, 256, 259, 260, 261, 1023, 1024, 1025, 32767, 65535,
];

/// A value of `len` characters whose content changes along its length, so a
/// truncated copy is told apart from a whole one.
pub fn long_text(len: usize) -> String {
    // Cut from one text made once: the longest length generated is 65,535.
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = TEXT.get_or_init(|| {
        (0..65_536)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect()
    });
    match text.get(..len) {
        Some(cut) => cut.to_owned(),
        None => (0..len)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect(),
    }
}

/// Action names: standard actions, their case twins, top-level actions,
/// system-changing actions, unknown names, and the custom actions the generator adds.
const ACTIONS: &[&str] = &[
    "CostInitialize",
    "costinitialize",
    "COSTINITIALIZE",
    "FileCost",
    "CostFinalize",
    "InstallValidate",
    "InstallFiles",
    "RemoveFiles",
    "WriteRegistryValues",
    "INSTALL",
    "install",
    "ExecuteAction",
    "ADMIN",
    "boo",
    "NoSuchAction",
    "",
    "Nested51",
    "nested51",
    "NestedProbe",
    "nestedprobe",
    "ProbeImmediate",
    // Probes with scheduling and return-processing bits, reached through
    // DoAction (the plan gains their rows when a step names them).
    "ProbeContinue",
    "ProbeExeContinue",
    "ProbeFirstSequence",
    "ProbeOncePerProcess",
    "ProbeClientRepeat",
    "ProbeDeferred",
    "ProbeDeferredTwice",
    "ProbeCommit",
];

/// Formatted-text templates for MsiFormatRecord.
const TEMPLATES: &[&str] = &[
    "[ProductName]",
    "[ProductCode]|[TESTPATH]",
    "[CustomActionData]",
    "[idontexist]",
    "[\\[]",
    "[\\[]Bracket Text[\\]]",
    "[\\xabcd]",
    "[abcd\\xefgh]",
    "[%PATH]",
    "[%MSICONF_UNSET]",
    "foo [1]",
    "[1]",
    "[~]",
    "[[MYPROP]]",
    "[MYPROP]",
    "[myProp]",
    "",
    "[MYPROP] ;",
    "{[MYPROP]}",
    "{{[boo]}}",
    "[\\;]",
    "a[~]b",
    "[%path]",
    "%[MYPROP]%",
    " [MYPROP] ",
    "\t[boo]\r\n",
    "[boo\\]",
    "[[boo]",
    "[boo]]",
    "{}",
    "\\[boo]",
];

/// Conditions: empty, Null-like, bad syntax, and ones that read properties.
const CONDITIONS: &[&str] = &[
    "",
    "=",
    "((",
    "condprop = 1",
    "NOT Installed",
    "TESTPATH",
    "MYPROP = \"1\"",
    "1",
    "0",
    // Comparisons: every operator, strings that differ only in case (boo is
    // "xyz" when the Property table has it), integers against strings,
    // undefined properties, environment variables in another case.
    "boo = \"XYZ\"",
    "boo ~= \"XYZ\"",
    "boo <> \"XYZ\"",
    "boo ~<> \"XYZ\"",
    "boo << \"X\"",
    "boo ~<< \"X\"",
    "boo >> \"Z\"",
    "boo ~>> \"Z\"",
    "boo >< \"Y\"",
    "boo ~>< \"Y\"",
    "boo < \"XYZ\"",
    "boo ~< \"XYZ\"",
    "boo > \"abc\"",
    "boo <= \"xyz\"",
    "boo >= \"XYZ\"",
    "condprop < 2",
    "condprop = \"1\"",
    "condprop > \"0\"",
    "boo < 5",
    "boo = 0",
    "UNDEFINEDPROP = \"\"",
    "UNDEFINEDPROP",
    "NOT UNDEFINEDPROP",
    "%path <> \"\"",
    "%Path",
];

/// SQL statements from the catalog's temporary-data and table rules.
const SQL: &[&str] = &[
    "SELECT * FROM `Test`",
    "SELECT `A`, `B` FROM `Test` WHERE `A` = 1",
    "INSERT INTO `Test` (`A`, `B`) VALUES (2, 'two') TEMPORARY",
    "INSERT INTO `Test` (`A`, `B`) VALUES (3, 'three')",
    "UPDATE `Test` SET `B` = 'changed' WHERE `A` = 1",
    "DELETE FROM `Test` WHERE `A` = 1",
    "CREATE TABLE `T` (`B` SHORT NOT NULL TEMPORARY, `C` CHAR(255) TEMPORARY PRIMARY KEY `C`) HOLD",
    "CREATE TABLE `T2` (`B` SHORT NOT NULL TEMPORARY, `C` CHAR(255) TEMPORARY PRIMARY KEY `C`)",
    "CREATE TABLE `T3` (`B` SHORT NOT NULL TEMPORARY, `C` CHAR(255) PRIMARY KEY `C`)",
    "CREATE TABLE `T4` (`B` SHORT NOT NULL, `C` CHAR(255) TEMPORARY PRIMARY KEY `C`)",
    "CREATE TABLE `P` (`A` SHORT NOT NULL, `B` CHAR(72) PRIMARY KEY `A`)",
    "CREATE TABLE `_Property` (`A` CHAR(72) PRIMARY KEY `A`)",
    "SELECT * FROM `T`",
    "SELECT * FROM `T2`",
    "SELECT * FROM `P`",
    "ALTER TABLE `T` HOLD",
    "ALTER TABLE `T` FREE",
    "ALTER TABLE `Test` HOLD",
    "ALTER TABLE `Test` FREE",
    "ALTER TABLE `Test` ADD `C` INTEGER",
    "ALTER TABLE `Test` ADD `D` INTEGER TEMPORARY",
    "ALTER TABLE `Test` ADD `B` CHAR(72)",
    "SELECT * FROM `Test` WHERE `D` = 8",
    "INSERT INTO `Property` (`Property`, `Value`) VALUES ('dantes', 'mercedes') TEMPORARY",
    "SELECT `Value` FROM `_Property` WHERE `Property` = 'MYPROP'",
    "SELECT `Value` FROM `_Property` WHERE `_Property` = 'boo'",
    "SELECT `Name` FROM `_Tables`",
];

/// Table names for MsiDatabaseIsTablePersistent.
const TABLES: &[&str] = &[
    "Test",
    "T",
    "T2",
    "T3",
    "P",
    "_Tables",
    "_Columns",
    "_Property",
    "Property",
    "Missing",
    "test",
    "TEST",
    "_tables",
];

/// Table and column names for the case-twin and odd-name SQL snippet.
const TABLE_NAMES: &[&str] = &["Tw", "tw", "TW", "T_1", "T.x", "_T", "9T", "T\u{e4}"];
const COLUMN_NAMES: &[&str] = &["B", "a", "A_1", "A.x", "b"];

/// Run modes, weighted by repetition toward the ones the rules name.
const MODES: &[u32] = &[
    runmode::ADMIN,
    runmode::MAINTENANCE,
    runmode::ROLLBACKENABLED,
    runmode::ROLLBACKENABLED,
    runmode::LOGENABLED,
    runmode::OPERATIONS,
    runmode::REBOOTATEND,
    runmode::REBOOTATEND,
    runmode::REBOOTNOW,
    runmode::SOURCESHORTNAMES,
    runmode::SCHEDULED,
    runmode::SCHEDULED,
    runmode::ROLLBACK,
    runmode::ROLLBACK,
    runmode::COMMIT,
    runmode::COMMIT,
];

/// INSTALLMESSAGE kinds: fatal exit, error, warning, user, info, action data, progress, common data.
const MESSAGE_KINDS: &[u32] = &[
    0x0000_0000,
    0x0100_0000,
    0x0200_0000,
    0x0300_0000,
    0x0400_0000,
    0x0900_0000,
    0x0A00_0000,
    0x0B00_0000,
];

/// A weighted choice that builds only the chosen arm's value tree.
///
/// Proptest's `Union` and `prop_oneof!` set up a lazy tree (a clone of the
/// runner) for every arm up to the chosen one, so that shrinking can move to
/// earlier arms. The fuzzer shrinks plans itself and never asks for that, and
/// those clones were most of the generation time.
#[derive(Debug, Clone)]
pub struct Pick<T: std::fmt::Debug> {
    arms: Vec<(u32, BoxedStrategy<T>)>,
    total: u32,
}

impl<T: std::fmt::Debug> Pick<T> {
    /// Chooses among `arms` in proportion to their weights (at least one arm, weights not all 0).
    pub fn new(arms: Vec<(u32, BoxedStrategy<T>)>) -> Pick<T> {
        let total = arms.iter().map(|a| a.0).sum();
        assert!(total > 0, "a weighted choice needs a positive total weight");
        Pick { arms, total }
    }
}

impl<T: std::fmt::Debug> Strategy for Pick<T> {
    type Tree = Box<dyn ValueTree<Value = T>>;
    type Value = T;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let mut n = runner.rng().next_u32() % self.total;
        for (weight, arm) in &self.arms {
            if n < *weight {
                return arm.new_tree(runner);
            }
            n -= weight;
        }
        unreachable!("the weights sum to the total")
    }
}

/// `prop_oneof!` with [`Pick`]: `oneof![w => s, ...]` or `oneof![s, ...]`.
macro_rules! oneof {
    ($($w:expr => $s:expr),+ $(,)?) => {
        Pick::new(vec![$(($w, $s.boxed())),+]).boxed()
    };
    ($($s:expr),+ $(,)?) => {
        Pick::new(vec![$((1, $s.boxed())),+]).boxed()
    };
}

fn pick(items: &'static [&'static str]) -> BoxedStrategy<String> {
    proptest::sample::select(items)
        .prop_map(|s| s.to_owned())
        .boxed()
}

fn maybe(items: &'static [&'static str]) -> BoxedStrategy<Option<String>> {
    oneof![1 => Just(None), 9 => pick(items).prop_map(Some)].boxed()
}

/// A property name: mostly the shared pool (collisions are the point), now
/// and then one with underscores, dots, digits, non-ASCII letters or white space.
fn name() -> BoxedStrategy<String> {
    oneof![8 => pick(PROPERTY_NAMES), 2 => pick(ODD_NAMES)].boxed()
}

fn maybe_name() -> BoxedStrategy<Option<String>> {
    oneof![1 => Just(None), 9 => name().prop_map(Some)].boxed()
}

/// A value at one of the length limits.
fn long_value() -> BoxedStrategy<String> {
    proptest::sample::select(VALUE_LENGTHS)
        .prop_map(long_text)
        .boxed()
}

/// A property value: the shared pool, a value at a length limit, or one with
/// white space, control characters or formatted-text syntax.
fn value() -> BoxedStrategy<String> {
    oneof![20 => pick(VALUES), 4 => long_value(), 4 => pick(ODD_VALUES)].boxed()
}

fn maybe_value() -> BoxedStrategy<Option<String>> {
    oneof![1 => Just(None), 9 => value().prop_map(Some)].boxed()
}

fn handle_arg() -> BoxedStrategy<HandleArg> {
    oneof![
        10 => Just(HandleArg::Session),
        1 => Just(HandleArg::Zero),
        1 => Just(HandleArg::Bogus),
    ]
    .boxed()
}

fn buffer() -> BoxedStrategy<Buffer> {
    oneof![
        6 => Just(Buffer::Ample),
        3 => (0u32..6).prop_map(Buffer::Sized),
        1 => proptest::sample::select(&[254u32, 255, 256, 259, 260, 261, 1023, 1024, 1025][..])
            .prop_map(Buffer::Sized),
        2 => (0u32..4).prop_map(Buffer::NullBuffer),
        1 => Just(Buffer::NullSize),
        1 => Just(Buffer::NullBoth),
    ]
    .boxed()
}

fn mode() -> BoxedStrategy<u32> {
    oneof![9 => proptest::sample::select(MODES), 1 => 0u32..19].boxed()
}

fn db_slot() -> BoxedStrategy<String> {
    oneof![6 => Just("db".to_owned()), 1 => Just("db2".to_owned())].boxed()
}

fn fields() -> BoxedStrategy<Vec<String>> {
    proptest::collection::vec(value(), 0..3).boxed()
}

fn active_db(into: String) -> Operation {
    Operation::GetActiveDatabase { into }
}

fn single(s: BoxedStrategy<Operation>) -> BoxedStrategy<Vec<Operation>> {
    s.prop_map(|op| vec![op]).boxed()
}

fn get_property(name: BoxedStrategy<Option<String>>) -> BoxedStrategy<Operation> {
    (name, buffer(), proptest::bool::weighted(0.25), handle_arg())
        .prop_map(|(name, buffer, ansi, handle)| Operation::GetProperty {
            name,
            buffer,
            ansi,
            handle,
        })
        .boxed()
}

fn plain_get(name: String) -> Operation {
    Operation::GetProperty {
        name: Some(name),
        buffer: Buffer::Ample,
        ansi: false,
        handle: HandleArg::Session,
    }
}

/// Snippets of C-API steps (one to a few operations that make sense together).
fn c_snippets() -> Vec<(u32, BoxedStrategy<Vec<Operation>>)> {
    vec![
        (
            6,
            single(
                (maybe(ACTIONS), handle_arg())
                    .prop_map(|(action, handle)| Operation::DoAction { action, handle })
                    .boxed(),
            ),
        ),
        (
            1,
            single(
                oneof![Just(None), Just(Some("TestSequence".to_owned()))]
                    .prop_map(|table| Operation::Sequence { table })
                    .boxed(),
            ),
        ),
        (10, single(get_property(maybe_name()))),
        (
            5,
            single(
                (
                    maybe_name(),
                    maybe_value(),
                    handle_arg(),
                    proptest::bool::weighted(0.2),
                )
                    .prop_map(|(name, value, handle, ansi)| Operation::SetProperty {
                        ansi,
                        name,
                        value,
                        handle,
                    })
                    .boxed(),
            ),
        ),
        (
            5,
            // Set then read back, possibly under a case twin of the name.
            (
                name(),
                maybe_value(),
                name(),
                any::<bool>(),
                proptest::bool::weighted(0.2),
            )
                .prop_map(|(name, value, other, same, ansi)| {
                    let read = if same { name.clone() } else { other };
                    vec![
                        Operation::SetProperty {
                            ansi,
                            name: Some(name),
                            value,
                            handle: HandleArg::Session,
                        },
                        plain_get(read),
                    ]
                })
                .boxed(),
        ),
        (
            3,
            // A temporary table's life: created (with or without HOLD, with a
            // persistent column or not), held or freed, asked about, queried.
            (
                proptest::sample::select(&[6usize, 7, 8, 9][..]),
                proptest::sample::select(&[None, Some(15usize), Some(16)][..]),
            )
                .prop_map(|(create, alter)| {
                    let table = ["T", "T2", "T3", "T4"][create - 6];
                    let mut ops = vec![
                        active_db("db".to_owned()),
                        Operation::Sql {
                            db: "db".to_owned(),
                            sql: SQL[create].to_owned(),
                        },
                    ];
                    if let Some(a) = alter {
                        ops.push(Operation::Sql {
                            db: "db".to_owned(),
                            sql: SQL[a].replace("`T`", &format!("`{table}`")),
                        });
                    }
                    ops.push(Operation::IsTablePersistent {
                        db: "db".to_owned(),
                        table: Some(table.to_owned()),
                    });
                    ops.push(Operation::Sql {
                        db: "db".to_owned(),
                        sql: format!("SELECT * FROM `{table}`"),
                    });
                    ops
                })
                .boxed(),
        ),
        (
            2,
            // Set, then delete by setting empty (or NULL), then look in `_Property`.
            (
                proptest::sample::select(&["boo", "MYPROP", "TESTPATH"][..]),
                oneof![Just(Some(String::new())), Just(None)],
            )
                .prop_map(|(name, empty)| {
                    vec![
                        active_db("db".to_owned()),
                        Operation::SetProperty {
                            ansi: false,
                            name: Some(name.to_owned()),
                            value: Some("x".to_owned()),
                            handle: HandleArg::Session,
                        },
                        Operation::SetProperty {
                            ansi: false,
                            name: Some(name.to_owned()),
                            value: empty,
                            handle: HandleArg::Session,
                        },
                        Operation::Sql {
                            db: "db".to_owned(),
                            sql: format!(
                                "SELECT `Value` FROM `_Property` WHERE `_Property` = '{name}'"
                            ),
                        },
                    ]
                })
                .boxed(),
        ),
        (
            2,
            // A nested action changes a property the caller then reads.
            oneof![Just("Nested51"), Just("NestedProbe")]
                .prop_map(|a| {
                    vec![
                        Operation::DoAction {
                            action: Some(a.to_owned()),
                            handle: HandleArg::Session,
                        },
                        plain_get("nested".to_owned()),
                    ]
                })
                .boxed(),
        ),
        (
            4,
            single(
                (mode(), handle_arg())
                    .prop_map(|(mode, handle)| Operation::GetMode { mode, handle })
                    .boxed(),
            ),
        ),
        (
            2,
            (mode(), any::<bool>())
                .prop_map(|(mode, state)| {
                    vec![
                        Operation::SetMode { mode, state },
                        Operation::GetMode {
                            mode,
                            handle: HandleArg::Session,
                        },
                    ]
                })
                .boxed(),
        ),
        (3, single(Just(Operation::GetLanguage).boxed())),
        (
            2,
            single(
                (proptest::sample::select(MESSAGE_KINDS), fields())
                    .prop_map(|(kind, fields)| Operation::ProcessMessage { kind, fields })
                    .boxed(),
            ),
        ),
        (
            4,
            single(
                (
                    pick(TEMPLATES),
                    fields(),
                    buffer(),
                    proptest::bool::weighted(0.25),
                    handle_arg(),
                    proptest::bool::weighted(0.05),
                )
                    .prop_map(|(template, fields, buffer, ansi, handle, null_record)| {
                        Operation::FormatRecord {
                            null_record,
                            template,
                            fields,
                            buffer,
                            ansi,
                            handle,
                        }
                    })
                    .boxed(),
            ),
        ),
        (
            2,
            single(
                maybe(CONDITIONS)
                    .prop_map(|condition| Operation::EvaluateCondition { condition })
                    .boxed(),
            ),
        ),
        (
            1,
            oneof![Just(1), Just(123), Just(0), Just(-1)]
                .prop_map(|level| {
                    vec![
                        Operation::SetInstallLevel { level },
                        plain_get("INSTALLLEVEL".to_owned()),
                    ]
                })
                .boxed(),
        ),
        (3, single(db_slot().prop_map(active_db).boxed())),
        (
            2,
            Just(vec![
                active_db("db".to_owned()),
                active_db("db2".to_owned()),
                Operation::IsTablePersistent {
                    db: "db2".to_owned(),
                    table: Some("Test".to_owned()),
                },
            ])
            .boxed(),
        ),
        (
            6,
            (db_slot(), pick(SQL))
                .prop_map(move |(db, sql)| vec![active_db(db.clone()), Operation::Sql { db, sql }])
                .boxed(),
        ),
        (
            3,
            single(
                (db_slot(), pick(SQL))
                    .prop_map(|(db, sql)| Operation::Sql { db, sql })
                    .boxed(),
            ),
        ),
        (
            2,
            // A temporary row, a commit, and what the package on disk holds afterwards.
            Just(vec![
                active_db("db".to_owned()),
                Operation::Sql {
                    db: "db".to_owned(),
                    sql: SQL[2].to_owned(),
                },
                Operation::Commit {
                    db: "db".to_owned(),
                },
                Operation::OpenDatabase {
                    into: "disk".to_owned(),
                },
                Operation::Sql {
                    db: "disk".to_owned(),
                    sql: SQL[0].to_owned(),
                },
            ])
            .boxed(),
        ),
        (
            2,
            (
                oneof![
                    Just(ModifyKind::InsertTemporary),
                    Just(ModifyKind::Insert),
                    Just(ModifyKind::Update),
                    Just(ModifyKind::Delete),
                    Just(ModifyKind::Refresh),
                ],
                any::<bool>(),
                any::<bool>(),
            )
                .prop_map(|(kind, fresh, twice)| {
                    let record = fresh.then(|| vec!["1".to_owned(), "bob".to_owned()]);
                    let mut ops = vec![
                        active_db("db".to_owned()),
                        Operation::OpenView {
                            db: "db".to_owned(),
                            sql: Some(SQL[0].to_owned()),
                            into: "view".to_owned(),
                            null_out: false,
                        },
                        Operation::Execute {
                            view: "view".to_owned(),
                        },
                        Operation::Fetch {
                            view: "view".to_owned(),
                        },
                        Operation::SetField {
                            view: "view".to_owned(),
                            field: 2,
                            value: "9".to_owned(),
                        },
                        Operation::Modify {
                            view: "view".to_owned(),
                            kind,
                            record: record.clone(),
                        },
                    ];
                    if twice {
                        ops.push(Operation::Modify {
                            view: "view".to_owned(),
                            kind,
                            record,
                        });
                    }
                    ops
                })
                .boxed(),
        ),
        (
            1,
            single(
                (db_slot(), maybe(SQL), any::<bool>())
                    .prop_map(|(db, sql, null_out)| Operation::OpenView {
                        db,
                        sql,
                        into: "view".to_owned(),
                        null_out,
                    })
                    .boxed(),
            ),
        ),
        (
            1,
            single(
                Just(Operation::Commit {
                    db: "db".to_owned(),
                })
                .boxed(),
            ),
        ),
        (
            2,
            single(
                (db_slot(), maybe(TABLES))
                    .prop_map(|(db, table)| Operation::IsTablePersistent { db, table })
                    .boxed(),
            ),
        ),
        (
            1,
            (oneof![Just(2u32), Just(3), Just(9), Just(14)], value())
                .prop_map(|(property, value)| {
                    vec![
                        active_db("db".to_owned()),
                        Operation::SetSummaryInfo {
                            db: "db".to_owned(),
                            property,
                            value,
                        },
                    ]
                })
                .boxed(),
        ),
        (
            1,
            single(
                oneof![Just(None), Just(Some("db".to_owned()))]
                    .prop_map(|db| Operation::GetDatabaseState { db })
                    .boxed(),
            ),
        ),
        (
            1,
            oneof![
                Just(PackageSource::PackageFile),
                Just(PackageSource::DatabaseHandle)
            ]
            .prop_map(|source| {
                vec![
                    active_db("db".to_owned()),
                    Operation::OpenPackage {
                        source,
                        into: "pkg".to_owned(),
                    },
                ]
            })
            .boxed(),
        ),
        (
            1,
            single(
                oneof![Just(""), Just("ACTION=INSTALL"), Just("REMOVE=ALL")]
                    .prop_map(|c| Operation::InstallProduct {
                        command_line: c.to_owned(),
                    })
                    .boxed(),
            ),
        ),
        (
            1,
            single(
                oneof![Just("db"), Just("view"), Just("pkg")]
                    .prop_map(|s| Operation::CloseHandle { slot: s.to_owned() })
                    .boxed(),
            ),
        ),
        (1, single(Just(Operation::HasSession).boxed())),
        (1, single(Just(Operation::DllCounter).boxed())),
        (
            1,
            single(oneof![Just(Operation::ComInitSta), Just(Operation::ComCreate)].boxed()),
        ),
        (
            3,
            // The host process's environment: set here, read in a later action.
            single(
                (
                    pick(ENV_NAMES),
                    oneof![1 => Just(None), 4 => pick(RECORD_TEXTS).prop_map(Some)],
                    any::<bool>(),
                )
                    .prop_map(|(name, value, set)| {
                        if set {
                            Operation::SetEnvironment { name, value }
                        } else {
                            Operation::GetEnvironment { name }
                        }
                    })
                    .boxed(),
            ),
        ),
        (
            3,
            // A value at a length limit, read back through a buffer sized
            // just under, at or just over its length.
            (
                name(),
                proptest::sample::select(VALUE_LENGTHS),
                -1i64..=1,
                proptest::bool::weighted(0.3),
            )
                .prop_map(|(name, len, off, ansi)| {
                    let size = u32::try_from((len as i64 + off).max(0)).unwrap_or(0);
                    vec![
                        Operation::SetProperty {
                            ansi: false,
                            name: Some(name.clone()),
                            value: Some(long_text(len)),
                            handle: HandleArg::Session,
                        },
                        Operation::GetProperty {
                            name: Some(name),
                            buffer: Buffer::Sized(size),
                            ansi,
                            handle: HandleArg::Session,
                        },
                    ]
                })
                .boxed(),
        ),
        (
            2,
            // Tables and columns whose names differ only in case, or carry
            // underscores, dots, leading digits or non-ASCII letters.
            (pick(TABLE_NAMES), pick(TABLE_NAMES), pick(COLUMN_NAMES))
                .prop_map(|(table, other, column)| {
                    let sql = |text: String| Operation::Sql {
                        db: "db".to_owned(),
                        sql: text,
                    };
                    vec![
                        active_db("db".to_owned()),
                        sql(format!(
                            "CREATE TABLE `{table}` (`A` SHORT NOT NULL TEMPORARY, `{column}` \
                             CHAR(72) TEMPORARY PRIMARY KEY `A`) HOLD"
                        )),
                        sql(format!(
                            "INSERT INTO `{other}` (`A`, `{column}`) VALUES (1, 'x') TEMPORARY"
                        )),
                        Operation::IsTablePersistent {
                            db: "db".to_owned(),
                            table: Some(other.clone()),
                        },
                        sql(format!("SELECT `A`, `{column}` FROM `{table}`")),
                    ]
                })
                .boxed(),
        ),
        (
            2,
            // One deferred action scheduled twice, with different
            // CustomActionData each time (inside the script window).
            (pick(VALUES), value())
                .prop_map(|(first, second)| {
                    let mut ops = Vec::new();
                    for data in [first, second] {
                        ops.push(Operation::SetProperty {
                            ansi: false,
                            name: Some("ProbeDeferredTwice".to_owned()),
                            value: Some(data),
                            handle: HandleArg::Session,
                        });
                        ops.push(Operation::DoAction {
                            action: Some("ProbeDeferredTwice".to_owned()),
                            handle: HandleArg::Session,
                        });
                    }
                    ops
                })
                .boxed(),
        ),
        (2, record_snippet()),
        (1, column_info_snippet()),
        (1, view_error_snippet()),
        (1, summary_snippet()),
        (2, directory_snippet()),
        (2, state_snippet()),
        (1, error_record_snippet()),
    ]
}

/// Queries that parse or do not, each followed by MsiGetLastErrorRecord read
/// once or twice (LAST-ERROR-RECORD).
fn error_record_snippet() -> BoxedStrategy<Vec<Operation>> {
    let query = pick(&[
        "SELECT * FROM `Property`",
        "SELECT FROM",
        "SELECT * FROM `Nowhere`",
        "DELETE `Property`",
    ]);
    proptest::collection::vec((query, 1usize..3), 1..4)
        .prop_map(|queries| {
            let mut ops = vec![active_db("db".to_owned())];
            for (n, (sql, reads)) in queries.into_iter().enumerate() {
                ops.push(Operation::OpenView {
                    db: "db".to_owned(),
                    sql: Some(sql),
                    into: format!("v{n}"),
                    null_out: false,
                });
                ops.extend(std::iter::repeat_n(Operation::GetLastErrorRecord, reads));
            }
            ops
        })
        .boxed()
}

/// Texts a record field is set to: numbers as MsiRecordGetInteger reads them or not, empty, Null.
/// Environment variables the generated plans set and read: one of their own,
/// and ones the machine has.
const ENV_NAMES: &[&str] = &["MSICONF_ENV", "msiconf_env", "MSICONF_ENV", "TEMP"];

const RECORD_TEXTS: &[&str] = &[
    "42",
    "-42",
    " 42",
    "42 ",
    "+1",
    "0x42",
    "4294967297",
    "1000000000000000",
    "hello",
];

fn record_field() -> BoxedStrategy<u32> {
    oneof![8 => 0u32..4, 1 => Just(u32::MAX)].boxed()
}

fn record_slot() -> BoxedStrategy<String> {
    oneof![9 => Just("rec".to_owned()), 1 => Just("none".to_owned())].boxed()
}

/// A read of one record field, by any of the four getters.
fn record_read(record: String, field: u32) -> BoxedStrategy<Operation> {
    let (r1, r2, r3, r4, r5) = (
        record.clone(),
        record.clone(),
        record.clone(),
        record.clone(),
        record,
    );
    oneof![
        1 => buffer().prop_map(move |buffer| Operation::RecordReadStream {
            record: r5.clone(),
            field,
            buffer,
        }),
        3 => Just(Operation::RecordIsNull { record: r1, field }),
        2 => buffer().prop_map(move |buffer| Operation::RecordGetString {
            record: r2.clone(),
            field,
            buffer,
        }),
        2 => Just(Operation::RecordGetInteger { record: r3, field }),
        2 => Just(Operation::RecordDataSize { record: r4, field }),
    ]
    .boxed()
}

/// A write to a record followed by a read of the field it wrote (or of the
/// record as a whole), so what the write did shows at once.
fn record_write_then_read() -> BoxedStrategy<Vec<Operation>> {
    let text = oneof![2 => Just(None), 2 => Just(Some(String::new())), 8 => pick(RECORD_TEXTS).prop_map(Some)];
    let int = oneof![
        4 => -3i32..300,
        1 => Just(i32::MIN),
        1 => Just(i32::MAX),
    ];
    let write = oneof![
        4 => (record_slot(), record_field(), text).prop_map(|(record, field, value)| {
            (Operation::RecordSetString { record: record.clone(), field, value }, record, field)
        }),
        3 => (record_slot(), record_field(), int).prop_map(|(record, field, value)| {
            (Operation::RecordSetInteger { record: record.clone(), field, value }, record, field)
        }),
        1 => (record_slot(), record_field()).prop_map(|(record, field)| {
            (Operation::RecordClearData { record: record.clone() }, record, field)
        }),
        1 => (record_slot(), record_field(), maybe(RECORD_TEXTS)).prop_map(|(record, field, data)| {
            (Operation::RecordSetStream { record: record.clone(), field, data }, record, field)
        }),
    ];
    write
        .prop_flat_map(|(op, record, field)| {
            let count = Just(Operation::RecordFieldCount {
                record: record.clone(),
            });
            let read = oneof![6 => record_read(record, field), 1 => count];
            (Just(op), read).prop_map(|(op, read)| vec![op, read])
        })
        .boxed()
}

/// A stream put into a field, then read in a chunk and asked how much is left
/// (or rewound first).
fn stream_reads() -> BoxedStrategy<Vec<Operation>> {
    let read = |field, buffer| Operation::RecordReadStream {
        record: "rec".to_owned(),
        field,
        buffer,
    };
    (
        0u32..3,
        pick(RECORD_TEXTS),
        oneof![2 => (1u32..6).prop_map(Buffer::Sized), 1 => buffer()],
        oneof![2 => (0u32..4).prop_map(Buffer::NullBuffer), 1 => buffer()],
        proptest::bool::weighted(0.25),
    )
        .prop_map(move |(field, data, first, then, rewind)| {
            let mut ops = vec![
                Operation::RecordSetStream {
                    record: "rec".to_owned(),
                    field,
                    data: Some(data),
                },
                read(field, first),
            ];
            if rewind {
                ops.push(Operation::RecordSetStream {
                    record: "rec".to_owned(),
                    field,
                    data: None,
                });
            }
            ops.push(read(field, then));
            ops
        })
        .boxed()
}

/// A record made and worked on: MsiCreateRecord, then writes and reads.
fn record_snippet() -> BoxedStrategy<Vec<Operation>> {
    let fields = oneof![
        8 => 0u32..4,
        1 => Just(65535u32),
        1 => proptest::sample::select(&[65536u32, u32::MAX][..]),
    ];
    let step = oneof![
        4 => record_write_then_read(),
        1 => stream_reads(),
        1 => (record_slot(), record_field())
            .prop_flat_map(|(record, field)| record_read(record, field))
            .prop_map(|op| vec![op]),
    ];
    (fields, proptest::collection::vec(step, 1..4))
        .prop_map(|(fields, steps)| {
            let mut ops = vec![Operation::CreateRecord {
                fields,
                into: "rec".to_owned(),
            }];
            ops.extend(steps.into_iter().flatten());
            ops
        })
        .boxed()
}

/// SELECTs whose column information the snippets ask for.
const INFO_SELECTS: &[&str] = &[
    "SELECT * FROM `Test`",
    "SELECT `B`, `A` FROM `Test`",
    "SELECT `B` FROM `Test`",
    "SELECT * FROM `TestSequence`",
    "SELECT * FROM `Property`",
];

/// A view's column names or types, or a table's primary keys, read back field by field.
fn column_info_snippet() -> BoxedStrategy<Vec<Operation>> {
    let info = oneof![Just(ColumnInfo::Names), Just(ColumnInfo::Types)];
    let read = |slot: &'static str| {
        (0u32..5, buffer()).prop_map(move |(field, buffer)| Operation::RecordGetString {
            record: slot.to_owned(),
            field,
            buffer,
        })
    };
    oneof![
        (
            pick(INFO_SELECTS),
            info,
            proptest::collection::vec(read("cols"), 1..4)
        )
            .prop_map(|(sql, info, reads)| {
                let mut ops = vec![
                    active_db("db".to_owned()),
                    Operation::OpenView {
                        db: "db".to_owned(),
                        sql: Some(sql),
                        into: "view".to_owned(),
                        null_out: false,
                    },
                    Operation::ViewColumnInfo {
                        view: "view".to_owned(),
                        info,
                        into: "cols".to_owned(),
                    },
                    Operation::RecordFieldCount {
                        record: "cols".to_owned(),
                    },
                ];
                ops.extend(reads);
                ops
            }),
        (maybe(TABLES), proptest::collection::vec(read("keys"), 1..4)).prop_map(
            |(table, reads)| {
                let mut ops = vec![
                    active_db("db".to_owned()),
                    Operation::PrimaryKeys {
                        db: "db".to_owned(),
                        table,
                        into: "keys".to_owned(),
                    },
                    Operation::RecordFieldCount {
                        record: "keys".to_owned(),
                    },
                ];
                ops.extend(reads);
                ops
            }
        ),
    ]
    .boxed()
}

/// A view over `Test` whose records are validated and whose error is read
/// back through every kind of buffer, with the handle sometimes no view.
fn view_error_snippet() -> BoxedStrategy<Vec<Operation>> {
    let step = oneof![
        3 => (buffer(), proptest::bool::weighted(0.1)).prop_map(|(buffer, none)| {
            Operation::ViewGetError {
                view: if none { "none" } else { "view" }.to_owned(),
                buffer,
            }
        }),
        2 => (
            proptest::sample::select(
                &[
                    ModifyKind::ValidateNew,
                    ModifyKind::ValidateNew,
                    ModifyKind::Validate,
                    ModifyKind::ValidateField,
                    ModifyKind::InsertTemporary,
                ][..]
            ),
            proptest::sample::select(&["1", "2"][..]),
        )
            .prop_map(|(kind, key)| Operation::Modify {
                view: "view".to_owned(),
                kind,
                record: Some(vec![key.to_owned(), "x".to_owned()]),
            }),
        1 => Just(Operation::Execute {
            view: "view".to_owned()
        }),
    ];
    (
        pick(&["SELECT * FROM `Test`", "SELECT * FROM `Property`"]),
        proptest::collection::vec(step, 1..7),
    )
        .prop_map(|(sql, steps)| {
            let mut ops = vec![
                active_db("db".to_owned()),
                Operation::OpenView {
                    db: "db".to_owned(),
                    sql: Some(sql),
                    into: "view".to_owned(),
                    null_out: false,
                },
            ];
            ops.extend(steps);
            ops
        })
        .boxed()
}

/// The package's summary information opened on the active database and read
/// property by property, through every kind of buffer.
fn summary_snippet() -> BoxedStrategy<Vec<Operation>> {
    let property = oneof![
        8 => 0u32..21,
        1 => Just(u32::MAX),
    ];
    let step = oneof![
        4 => (property, buffer()).prop_map(|(property, buffer)| Operation::SummaryGetProperty {
            summary: "sum".to_owned(),
            property,
            buffer,
        }),
        1 => proptest::bool::weighted(0.2).prop_map(|null_out| Operation::SummaryPropertyCount {
            summary: "sum".to_owned(),
            null_out,
        }),
        1 => Just(Operation::CloseHandle {
            slot: "sum".to_owned()
        }),
    ];
    (
        proptest::bool::weighted(0.1),
        0u32..3,
        proptest::collection::vec(step, 1..7),
    )
        .prop_map(|(null_out, update_count, steps)| {
            let mut ops = vec![
                active_db("db".to_owned()),
                Operation::SummaryInfo {
                    db: "db".to_owned(),
                    update_count,
                    null_out,
                    into: "sum".to_owned(),
                },
            ];
            ops.extend(steps);
            ops
        })
        .boxed()
}

/// Feature and component states of the standard tree: reads (some with a
/// NULL out-pointer), requests of every INSTALLSTATE, names the tables do
/// not have, with costing from the package handle before them or not.
fn state_snippet() -> BoxedStrategy<Vec<Operation>> {
    let feature = || {
        oneof![
            6 => Just(Some("One".to_owned())),
            1 => proptest::sample::select(vec!["one", "fake", ""]).prop_map(|f| Some(f.to_owned())),
            1 => Just(None),
        ]
    };
    let component = || {
        oneof![
            6 => proptest::sample::select(vec!["Root", "Child", "Dangler"])
                .prop_map(|c| Some(c.to_owned())),
            1 => proptest::sample::select(vec!["child", "fake"]).prop_map(|c| Some(c.to_owned())),
            1 => Just(None),
        ]
    };
    let wanted = || oneof![8 => 1i32..5, 1 => Just(-1), 1 => Just(5)];
    let step = oneof![
        4 => (feature(), proptest::bool::weighted(0.15))
            .prop_map(|(feature, null_out)| Operation::GetFeatureState { feature, null_out }),
        2 => (feature(), wanted())
            .prop_map(|(feature, state)| Operation::SetFeatureState { feature, state }),
        4 => (component(), proptest::bool::weighted(0.15)).prop_map(|(component, null_out)| {
            Operation::GetComponentState { component, null_out }
        }),
        2 => (component(), wanted())
            .prop_map(|(component, state)| Operation::SetComponentState { component, state }),
        1 => (feature(), proptest::sample::select(vec![0u32, 1, 2, 4, 8, 16, 32]))
            .prop_map(|(feature, attributes)| Operation::SetFeatureAttributes { feature, attributes }),
        2 => (feature(), proptest::bool::weighted(0.15))
            .prop_map(|(feature, null_out)| Operation::GetFeatureValidStates { feature, null_out }),
        2 => (feature(), 0i32..3, wanted(), proptest::bool::weighted(0.15)).prop_map(
            |(feature, tree, state, null_out)| Operation::GetFeatureCost {
                feature,
                tree,
                state,
                null_out,
            }
        ),
        2 => (
            oneof![4 => component(), 1 => Just(Some(String::new()))],
            oneof![4 => Just(0u32), 1 => Just(1u32)],
            wanted(),
            buffer(),
            proptest::bool::weighted(0.1),
            proptest::bool::weighted(0.1),
        )
            .prop_map(|(component, index, state, buffer, null_cost, null_temp)| {
                Operation::EnumComponentCosts {
                    component,
                    index,
                    state,
                    buffer,
                    null_cost,
                    null_temp,
                }
            }),
        1 => handle_arg().prop_map(|handle| Operation::VerifyDiskSpace { handle }),
        1 => Just(Operation::GetLastErrorRecord),
        1 => (1i32..4).prop_map(|level| Operation::SetInstallLevel { level }),
    ];
    (0usize..4, proptest::collection::vec(step, 1..8))
        .prop_map(|(costing, steps)| {
            let mut ops: Vec<Operation> = ["CostInitialize", "FileCost", "CostFinalize"]
                .iter()
                .take(costing)
                .map(|a| Operation::DoAction {
                    action: Some((*a).to_owned()),
                    handle: HandleArg::Session,
                })
                .collect();
            ops.extend(steps);
            ops
        })
        .boxed()
}

/// Target and source paths of the standard tree: costing from the package
/// handle (not always complete), reads through every kind of buffer, moves
/// with paths that need normalising, and names the table does not have.
fn directory_snippet() -> BoxedStrategy<Vec<Operation>> {
    let folder = || {
        oneof![
            6 => proptest::sample::select(vec!["TARGETDIR", "ParentDir", "ChildDir"])
                .prop_map(|f| Some(f.to_owned())),
            1 => proptest::sample::select(vec!["boo", "", "targetdir", "Childdir"])
                .prop_map(|f| Some(f.to_owned())),
            1 => Just(None),
        ]
    };
    let path = oneof![
        6 => proptest::sample::select(vec![
            "C:\\one\\two",
            "C:\\\\one\\\\two  ",
            "C:\\\\ Program Files \\\\ ",
            "D:\\x\\",
        ])
        .prop_map(|p| Some(p.to_owned())),
        1 => Just(None),
    ];
    let step = oneof![
        4 => (folder(), buffer(), proptest::bool::weighted(0.25), handle_arg()).prop_map(
            |(folder, buffer, ansi, handle)| Operation::GetTargetPath {
                folder,
                buffer,
                ansi,
                handle,
            }
        ),
        2 => (folder(), path, handle_arg()).prop_map(|(folder, path, handle)| {
            Operation::SetTargetPath { folder, path, handle }
        }),
        2 => (folder(), buffer(), proptest::bool::weighted(0.25), handle_arg()).prop_map(
            |(folder, buffer, ansi, handle)| Operation::GetSourcePath {
                folder,
                buffer,
                ansi,
                handle,
            }
        ),
        1 => proptest::sample::select(vec!["ParentDir", "ChildDir", "TARGETDIR"]).prop_map(|n| {
            Operation::GetProperty {
                name: Some(n.to_owned()),
                buffer: Buffer::Ample,
                ansi: false,
                handle: HandleArg::Session,
            }
        }),
        1 => proptest::sample::select(vec!["CostInitialize", "FileCost", "CostFinalize"]).prop_map(
            |a| Operation::DoAction {
                action: Some(a.to_owned()),
                handle: HandleArg::Session,
            }
        ),
    ];
    (0usize..4, proptest::collection::vec(step, 1..8))
        .prop_map(|(costing, steps)| {
            let mut ops: Vec<Operation> = ["CostInitialize", "FileCost", "CostFinalize"]
                .iter()
                .take(costing)
                .map(|a| Operation::DoAction {
                    action: Some((*a).to_owned()),
                    handle: HandleArg::Session,
                })
                .collect();
            ops.extend(steps);
            ops
        })
        .boxed()
}

/// Snippets of automation steps (script contexts).
fn script_snippets() -> Vec<(u32, BoxedStrategy<Vec<Operation>>)> {
    let session_db = || Operation::SessionDatabase {
        into: "db".to_owned(),
    };
    const FOLDERS: &[&str] = &["TARGETDIR", "ParentDir", "ChildDir", "boo", "targetdir"];
    const FEATURES: &[&str] = &["One", "one", "fake"];
    const COMPONENTS: &[&str] = &["Root", "Child", "Dangler", "fake"];
    const PATHS: &[&str] = &["C:\\one\\two", "C:\\\\one\\\\two  ", "D:\\x\\"];
    let tree_step = oneof![
        3 => maybe(FOLDERS).prop_map(|folder| Operation::SessionTargetPath { folder }),
        2 => (maybe(FOLDERS), maybe(PATHS))
            .prop_map(|(folder, path)| Operation::SessionSetTargetPath { folder, path }),
        2 => maybe(FOLDERS).prop_map(|folder| Operation::SessionSourcePath { folder }),
        2 => maybe(FEATURES).prop_map(|feature| Operation::SessionFeatureCurrentState { feature }),
        1 => maybe(FEATURES).prop_map(|feature| Operation::SessionFeatureValidStates { feature }),
        1 => (maybe(FEATURES), 0i32..3).prop_map(|(feature, tree)| {
            Operation::SessionFeatureCost { feature, tree, state: 3 }
        }),
        2 => maybe(FEATURES).prop_map(|feature| Operation::SessionFeatureRequestState { feature }),
        1 => (maybe(FEATURES), 1i32..5).prop_map(|(feature, state)| {
            Operation::SessionSetFeatureRequestState { feature, state }
        }),
        2 => maybe(COMPONENTS)
            .prop_map(|component| Operation::SessionComponentCurrentState { component }),
        2 => maybe(COMPONENTS)
            .prop_map(|component| Operation::SessionComponentRequestState { component }),
        1 => (maybe(COMPONENTS), 1i32..5).prop_map(|(component, state)| {
            Operation::SessionSetComponentRequestState { component, state }
        }),
    ];
    vec![
        (4, proptest::collection::vec(tree_step, 1..6).boxed()),
        (
            8,
            single(
                maybe_name()
                    .prop_map(|name| Operation::SessionPropertyGet { name })
                    .boxed(),
            ),
        ),
        (
            5,
            (maybe_name(), maybe_value(), name())
                .prop_map(|(name, value, read)| {
                    vec![
                        Operation::SessionPropertySet { name, value },
                        Operation::SessionPropertyGet { name: Some(read) },
                    ]
                })
                .boxed(),
        ),
        (
            4,
            single(
                maybe(ACTIONS)
                    .prop_map(|action| Operation::SessionDoAction { action })
                    .boxed(),
            ),
        ),
        (
            3,
            single(
                mode()
                    .prop_map(|mode| Operation::SessionMode { mode })
                    .boxed(),
            ),
        ),
        (
            3,
            (mode(), any::<bool>())
                .prop_map(|(mode, state)| {
                    vec![
                        Operation::SessionSetMode { mode, state },
                        Operation::SessionMode { mode },
                    ]
                })
                .boxed(),
        ),
        (2, single(Just(Operation::SessionLanguage).boxed())),
        (
            2,
            single(
                (proptest::sample::select(MESSAGE_KINDS), fields())
                    .prop_map(|(kind, fields)| Operation::SessionMessage { kind, fields })
                    .boxed(),
            ),
        ),
        (
            2,
            single(
                maybe(CONDITIONS)
                    .prop_map(|condition| Operation::SessionEvaluateCondition { condition })
                    .boxed(),
            ),
        ),
        (
            3,
            pick(SQL)
                .prop_map(move |sql| {
                    vec![
                        session_db(),
                        Operation::Sql {
                            db: "db".to_owned(),
                            sql,
                        },
                    ]
                })
                .boxed(),
        ),
        (
            1,
            maybe(TABLES)
                .prop_map(move |table| {
                    vec![
                        session_db(),
                        Operation::IsTablePersistent {
                            db: "db".to_owned(),
                            table,
                        },
                    ]
                })
                .boxed(),
        ),
        (
            1,
            value()
                .prop_map(move |value| {
                    vec![
                        session_db(),
                        Operation::SetSummaryInfo {
                            db: "db".to_owned(),
                            property: 2,
                            value,
                        },
                    ]
                })
                .boxed(),
        ),
        (1, single(Just(Operation::InstallerOpenPackage).boxed())),
        (1, single(Just(Operation::HasSession).boxed())),
    ]
}

fn exe_snippets() -> Vec<(u32, BoxedStrategy<Vec<Operation>>)> {
    vec![
        (1, single(Just(Operation::CommandLine).boxed())),
        (1, single(Just(Operation::HasSession).boxed())),
    ]
}

/// A strategy for the steps of one script in `context`: a few snippets, flattened,
/// keeping only operations the runtime supports there.
pub fn steps_strategy(
    context: Context,
    caps: &Capabilities,
    snippets: std::ops::Range<usize>,
) -> BoxedStrategy<Vec<Operation>> {
    let pool = match context {
        Context::Exe => exe_snippets(),
        Context::ScriptImmediate | Context::ScriptDeferred => script_snippets(),
        _ => c_snippets(),
    };
    let caps = caps.clone();
    proptest::collection::vec(Pick::new(pool), snippets)
        .prop_map(move |chunks| {
            chunks
                .into_iter()
                .flatten()
                .filter(|op| caps.allows(context, op.kind()))
                .collect()
        })
        .boxed()
}

// ---------------------------------------------------------------------------
// Probes and fixtures.

/// A probe custom action the generator can add beyond the per-context defaults:
/// the type bits and positions the return-processing and scheduling rules involve.
#[derive(Debug, Clone, Copy)]
struct CustomProbe {
    name: &'static str,
    context: Context,
    kind: u32,
    execute: Option<i32>,
    ui: Option<i32>,
    target: &'static str,
}

const CUSTOM_PROBES: &[CustomProbe] = &[
    CustomProbe {
        // Reached only through DoAction and MsiSequence.
        name: "NestedProbe",
        context: Context::ImmediateBeforeInit,
        kind: catype::DLL_BINARY,
        execute: None,
        ui: None,
        target: "Probe",
    },
    CustomProbe {
        name: "ProbeContinue",
        context: Context::ImmediateBeforeInit,
        kind: catype::DLL_BINARY | catype::CONTINUE,
        execute: Some(1455),
        ui: None,
        target: "Probe",
    },
    CustomProbe {
        name: "ProbeFirstSequence",
        context: Context::ImmediateBeforeInit,
        kind: catype::DLL_BINARY | catype::FIRST_SEQUENCE,
        execute: Some(1456),
        ui: Some(1150),
        target: "Probe",
    },
    CustomProbe {
        // After the deferred probes are scheduled, before the script runs.
        name: "ProbeLater",
        context: Context::ImmediateAfterInit,
        kind: catype::DLL_BINARY,
        execute: Some(1700),
        ui: None,
        target: "Probe",
    },
    CustomProbe {
        name: "ProbeExeDeferred",
        context: Context::Exe,
        kind: catype::EXE_BINARY | catype::IN_SCRIPT,
        execute: Some(1630),
        ui: None,
        target: "[TESTPATH]",
    },
    CustomProbe {
        name: "ProbeExeContinue",
        context: Context::Exe,
        kind: catype::EXE_BINARY | catype::CONTINUE,
        execute: Some(1475),
        ui: None,
        target: "",
    },
    CustomProbe {
        name: "ProbeDeferredContinue",
        context: Context::Deferred,
        kind: catype::DLL_BINARY | catype::IN_SCRIPT | catype::CONTINUE,
        execute: Some(1640),
        ui: None,
        target: "Probe",
    },
    CustomProbe {
        name: "ProbeOncePerProcess",
        context: Context::ImmediateBeforeInit,
        kind: catype::DLL_BINARY | catype::ONCE_PER_PROCESS,
        execute: Some(1457),
        ui: Some(1151),
        target: "Probe",
    },
    CustomProbe {
        name: "ProbeClientRepeat",
        context: Context::ImmediateBeforeInit,
        kind: catype::DLL_BINARY | catype::CLIENT_REPEAT,
        execute: Some(1458),
        ui: Some(1152),
        target: "Probe",
    },
    CustomProbe {
        // A row at sequence 0 never runs.
        name: "ProbeSequenceZero",
        context: Context::ImmediateBeforeInit,
        kind: catype::DLL_BINARY,
        execute: Some(0),
        ui: None,
        target: "Probe",
    },
    CustomProbe {
        // A second rollback action scheduled after ProbeRollback: rollback
        // runs them in reverse.
        name: "ProbeRollbackLater",
        context: Context::Rollback,
        kind: catype::DLL_BINARY | catype::IN_SCRIPT | catype::ROLLBACK,
        execute: Some(1592),
        ui: None,
        target: "Probe",
    },
    CustomProbe {
        // A deferred action with no sequence row: only DoAction schedules it,
        // so each scheduling carries its own CustomActionData.
        name: "ProbeDeferredTwice",
        context: Context::Deferred,
        kind: catype::DLL_BINARY | catype::IN_SCRIPT,
        execute: None,
        ui: None,
        target: "Probe",
    },
    CustomProbe {
        name: "ProbeCommitLater",
        context: Context::Commit,
        kind: catype::DLL_BINARY | catype::IN_SCRIPT | catype::COMMIT,
        execute: Some(1612),
        ui: None,
        target: "Probe",
    },
    CustomProbe {
        name: "ProbeOnExit",
        context: Context::ImmediateBeforeInit,
        kind: catype::DLL_BINARY,
        execute: Some(-1),
        ui: None,
        target: "Probe",
    },
    CustomProbe {
        name: "ProbeOnUserExit",
        context: Context::ImmediateBeforeInit,
        kind: catype::DLL_BINARY,
        execute: Some(-2),
        ui: None,
        target: "Probe",
    },
    CustomProbe {
        name: "ProbeOnFatal",
        context: Context::ImmediateBeforeInit,
        kind: catype::DLL_BINARY,
        execute: Some(-3),
        ui: None,
        target: "Probe",
    },
    CustomProbe {
        name: "ProbeOnSuspend",
        context: Context::ImmediateBeforeInit,
        kind: catype::DLL_BINARY,
        execute: Some(-4),
        ui: None,
        target: "Probe",
    },
];

/// Which probe performs a generated script.
#[derive(Debug, Clone, Copy)]
enum ProbeChoice {
    Default(Context),
    Custom(&'static CustomProbe),
}

impl ProbeChoice {
    fn context(self) -> Context {
        match self {
            ProbeChoice::Default(c) => c,
            ProbeChoice::Custom(p) => p.context,
        }
    }
}

fn returns_for(context: Context) -> BoxedStrategy<u32> {
    match context {
        // msiDoActionStatus values 0-7 and one past them.
        Context::ScriptImmediate | Context::ScriptDeferred => oneof![
            8 => Just(0u32),
            2 => Just(1u32),
            1 => 2u32..9,
        ]
        .boxed(),
        // An exit code is any 32-bit value: the three small ones the
        // documentation's examples use, values over 255, and negative ones.
        Context::Exe => oneof![
            8 => Just(0u32),
            1 => Just(1u32),
            1 => Just(3u32),
            1 => proptest::sample::select(&[2u32, 255, 256, 1603, 0x7fff_ffff][..]),
            1 => proptest::sample::select(&[u32::MAX, 0x8000_0000, u32::MAX - 254][..]),
        ]
        .boxed(),
        // Every code the return-processing rules name, and others.
        _ => oneof![
            16 => Just(0u32),
            1 => Just(1602u32),
            1 => Just(1603u32),
            1 => Just(1604u32),
            1 => Just(259u32),
            1 => Just(1626u32),
            1 => Just(1u32),
            1 => Just(234u32),
            1 => proptest::sample::select(&[6u32, 13, 1609, u32::MAX][..]),
        ]
        .boxed(),
    }
}

/// One generated probe: who performs it, its steps, and what it returns.
type ProbePart = (ProbeChoice, Vec<Operation>, u32);

fn probe_part(caps: &Capabilities) -> Option<BoxedStrategy<ProbePart>> {
    let mut arms: Vec<(u32, BoxedStrategy<ProbePart>)> = Vec::new();
    let mut add = |weight: u32, choice: ProbeChoice| {
        let context = choice.context();
        if !caps.contexts.contains(&context) {
            return;
        }
        let strategy = (steps_strategy(context, caps, 1..6), returns_for(context))
            .prop_map(move |(steps, returns)| (choice, steps, returns))
            .boxed();
        arms.push((weight, strategy));
    };
    for context in Context::ALL {
        if context != Context::Package {
            add(6, ProbeChoice::Default(context));
        }
    }
    for probe in CUSTOM_PROBES {
        add(1, ProbeChoice::Custom(probe));
    }
    (!arms.is_empty()).then(|| Pick::new(arms).boxed())
}

/// Extra rows for the package, each a known edge.
#[derive(Debug, Clone)]
enum Extra {
    Property(&'static str, &'static str),
    /// A type-51 action: name suffix, Source property, Target text, execute (or UI) position.
    SetProperty51(&'static str, &'static str, i32, bool),
    /// A type-19 error action with a condition.
    Error19(Option<&'static str>),
    /// A condition on an existing InstallExecuteSequence row, chosen by index.
    Condition(usize, &'static str),
    /// A condition on the first sequence row of a kind (an index among them), in either sequence.
    KindCondition(RowKind, usize, &'static str),
    /// A custom action whose name differs from Nested51 only in case, setting `nested` otherwise.
    TwinAction,
    /// CustomActionData of this many characters for ProbeDeferred, set by a type-51 action.
    LongData(usize),
    /// A property set to "A" before the deferred actions are scheduled and to
    /// "B" after: what a deferred action sees shows when it was read.
    Snapshot(&'static str),
    /// `_Validation` rows for `Test`, so MsiViewModify validates records of it.
    Validation,
}

/// The kinds of sequence rows a condition can sit on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A standard action.
    Standard,
    /// An immediate custom action (DLL, script or EXE) in InstallExecuteSequence.
    Immediate,
    /// A deferred, rollback or commit custom action.
    InScript,
    /// A type-51 or type-19 custom action.
    SetOrError,
    /// Any row of InstallUISequence.
    Ui,
}

impl RowKind {
    const ALL: [RowKind; 5] = [
        RowKind::Standard,
        RowKind::Immediate,
        RowKind::InScript,
        RowKind::SetOrError,
        RowKind::Ui,
    ];

    /// The kind of `row`, a row of InstallExecuteSequence (`ui` false) or InstallUISequence.
    pub fn of(fixture: &Fixture, row: &SequenceRow, ui: bool) -> RowKind {
        if ui {
            return RowKind::Ui;
        }
        match fixture.custom_action(&row.action) {
            None => RowKind::Standard,
            Some(ca) if ca.is_in_script() => RowKind::InScript,
            Some(ca) if matches!(ca.basic_type(), catype::SET_PROPERTY | catype::ERROR) => {
                RowKind::SetOrError
            }
            Some(_) => RowKind::Immediate,
        }
    }
}

const EXTRA_PROPERTIES: &[(&str, &str)] = &[
    ("TESTPATH", "c:\\x"),
    ("MYPROP", "1"),
    ("myProp", "1"),
    ("boo", "xyz"),
    ("BOO", "upper"),
    ("condprop", "1"),
    ("ProbeDeferred", "from-table"),
    ("probedeferred", "lower"),
    ("ProbeImmediate", "immediate-data"),
    ("ProbeCommit", "commit-data"),
    ("embednullprop", "a[~]b"),
];

const SET51_SOURCES: &[&str] = &[
    "ProbeDeferred",
    "ProbeDeferred",
    "probedeferred",
    "ProbeCommit",
    "ProbeRollback",
    "ProbeScriptDeferred",
    "ProbeExeDeferred",
    "ProbeImmediate",
    "MYPROP",
    "privProp",
    "TESTPATH",
    "",
];

/// Type-51 targets; the ones that put a NUL into a property come twice, as only
/// formatted text can (MsiSetProperty cuts a value at its first NUL).
const SET51_TARGETS: &[&str] = &[
    "[TESTPATH]",
    "A",
    "B",
    "[ProductName]",
    "[~]np",
    "a[~]b",
    "[~]np",
    "a[~]b",
    "[\\[]Bracket Text[\\]]",
    "42",
    "",
];

fn extra() -> BoxedStrategy<Extra> {
    oneof![
        4 => proptest::sample::select(EXTRA_PROPERTIES).prop_map(|(n, v)| Extra::Property(n, v)),
        4 => (
            proptest::sample::select(SET51_SOURCES),
            proptest::sample::select(SET51_TARGETS),
            proptest::sample::select(&[0, 1100, 1300, 1520, 1595, 1700][..]),
        )
            .prop_map(|(source, target, position)| {
                Extra::SetProperty51(source, target, position, position == 1100)
            }),
        1 => proptest::sample::select(&[None, Some("1"), Some("0"), Some("NOT Installed")][..])
            .prop_map(Extra::Error19),
        1 => (0usize..16, proptest::sample::select(CONDITIONS))
            .prop_map(|(i, c)| Extra::Condition(i, c)),
        2 => (
            proptest::sample::select(&RowKind::ALL[..]),
            0usize..4,
            proptest::sample::select(CONDITIONS),
        )
            .prop_map(|(k, i, c)| Extra::KindCondition(k, i, c)),
        1 => Just(Extra::TwinAction),
        1 => proptest::sample::select(&[255usize, 1024, 32767][..]).prop_map(Extra::LongData),
        2 => proptest::sample::select(
            &["ProbeDeferred", "TESTPATH", "ProbeCommit", "ProbeScriptDeferred"][..]
        )
        .prop_map(Extra::Snapshot),
        1 => Just(Extra::Validation),
    ]
    .boxed()
}

const INSTALL_PROPERTIES: &[(&str, &str)] = &[
    ("ACTION", "INSTALL"),
    ("ACTION", "install"),
    ("ACTION", "custom"),
    ("ACTION", "Install"),
    ("TESTPATH", "c:\\x"),
    ("TESTPATH", "c:\\x"),
    ("MYPROP", "1"),
    ("myProp", "1"),
    ("privProp", "x"),
    ("DISABLEROLLBACK", "1"),
    ("EXECUTEACTION", "CostInitialize"),
];

fn install_properties() -> BoxedStrategy<Vec<(&'static str, &'static str)>> {
    oneof![
        3 => Just(Vec::new()),
        4 => proptest::collection::vec(proptest::sample::select(INSTALL_PROPERTIES), 1..3),
    ]
    .boxed()
}

fn ui_level() -> BoxedStrategy<UiLevel> {
    oneof![
        6 => Just(UiLevel::None),
        1 => Just(UiLevel::Basic),
        1 => Just(UiLevel::Reduced),
        1 => Just(UiLevel::Full),
    ]
    .boxed()
}

/// The persistent table most SQL steps work on.
pub fn test_table() -> Table {
    Table {
        name: "Test".to_owned(),
        columns: vec![
            Column {
                name: "A".to_owned(),
                kind: "i2".to_owned(),
                key: true,
            },
            Column {
                name: "B".to_owned(),
                kind: "S72".to_owned(),
                key: false,
            },
        ],
        rows: vec![vec!["1".to_owned(), "one".to_owned()]],
    }
}

/// `_Validation` rows describing `Test` (A not nullable, B nullable).
pub fn validation_table() -> Table {
    let col = |name: &str, kind: &str, key: bool| Column {
        name: name.to_owned(),
        kind: kind.to_owned(),
        key,
    };
    let row = |column: &str, nullable: &str| {
        let mut r = vec!["Test".to_owned(), column.to_owned(), nullable.to_owned()];
        r.resize(10, String::new());
        r
    };
    Table {
        name: "_Validation".to_owned(),
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
        rows: vec![row("A", "N"), row("B", "Y")],
    }
}

/// A custom sequence table for MsiSequence: NestedProbe then Nested51.
fn test_sequence_table() -> Table {
    let col = |name: &str, kind: &str, key: bool| Column {
        name: name.to_owned(),
        kind: kind.to_owned(),
        key,
    };
    Table {
        name: "TestSequence".to_owned(),
        columns: vec![
            col("Action", "s72", true),
            col("Condition", "S255", false),
            col("Sequence", "I2", false),
        ],
        rows: vec![
            vec!["NestedProbe".to_owned(), String::new(), "1".to_owned()],
            vec!["Nested51".to_owned(), String::new(), "2".to_owned()],
        ],
    }
}

/// Everything a plan is assembled from.
#[derive(Debug, Clone)]
struct Sketch {
    package: Option<Vec<Operation>>,
    probes: Vec<ProbePart>,
    extras: Vec<Extra>,
    test_table: bool,
    nested: bool,
    install: Vec<(&'static str, &'static str)>,
    ui: UiLevel,
    /// What the probes that only DoAction reaches return (0 for most plans).
    declared_returns: u32,
}

fn assemble(sketch: Sketch) -> Plan {
    let mut fixture = Fixture::standard();
    // A view's error needs a validated table to come from.
    let reads_view_errors = sketch
        .package
        .iter()
        .flatten()
        .chain(sketch.probes.iter().flat_map(|(_, ops, _)| ops))
        .any(|op| matches!(op, Operation::ViewGetError { .. }));
    if sketch.test_table || reads_view_errors {
        fixture.tables.push(test_table());
    }
    if reads_view_errors {
        fixture.tables.push(validation_table());
    }
    let uses_directories = sketch
        .package
        .iter()
        .flatten()
        .chain(sketch.probes.iter().flat_map(|(_, ops, _)| ops))
        .any(|op| {
            matches!(
                op.kind(),
                OpKind::GetTargetPath
                    | OpKind::SetTargetPath
                    | OpKind::GetSourcePath
                    | OpKind::SetFeatureAttributes
                    | OpKind::SessionTargetPath
                    | OpKind::SessionSetTargetPath
                    | OpKind::SessionSourcePath
                    | OpKind::SessionFeatureCurrentState
                    | OpKind::SessionFeatureRequestState
                    | OpKind::SessionSetFeatureRequestState
                    | OpKind::SessionComponentCurrentState
                    | OpKind::SessionComponentRequestState
                    | OpKind::SessionSetComponentRequestState
                    | OpKind::GetFeatureState
                    | OpKind::SetFeatureState
                    | OpKind::GetComponentState
                    | OpKind::SetComponentState
                    | OpKind::GetFeatureValidStates
                    | OpKind::GetFeatureCost
                    | OpKind::EnumComponentCosts
                    | OpKind::SessionFeatureValidStates
                    | OpKind::SessionFeatureCost
            )
        });
    if uses_directories {
        fixture
            .tables
            .extend(msiconf_spec::fixture::standard_tree());
        // With an install level set by a step, feature One sits at level 2,
        // which costing at INSTALLLEVEL 1 leaves out and the step may select.
        let sets_level = sketch
            .package
            .iter()
            .flatten()
            .chain(sketch.probes.iter().flat_map(|(_, ops, _)| ops))
            .any(|op| op.kind() == OpKind::SetInstallLevel);
        if sets_level {
            for t in fixture.tables.iter_mut().filter(|t| t.name == "Feature") {
                if let Some(level) = t.columns.iter().position(|c| c.name == "Level") {
                    for row in &mut t.rows {
                        row[level] = "2".to_owned();
                    }
                }
            }
        }
    }
    if sketch.nested {
        fixture.custom_actions.push(CustomActionRow {
            action: "Nested51".to_owned(),
            kind: catype::SET_PROPERTY,
            source: Some("nested".to_owned()),
            target: Some("1".to_owned()),
        });
        fixture.tables.push(test_sequence_table());
    }
    let mut conditions = Vec::new();
    let mut kind_conditions = Vec::new();
    for (i, extra) in sketch.extras.iter().enumerate() {
        match extra {
            Extra::Property(name, value) => {
                if fixture.property(name).is_none() {
                    fixture.properties.push(PropertyRow {
                        name: (*name).to_owned(),
                        value: (*value).to_owned(),
                    });
                }
            }
            Extra::SetProperty51(source, target, position, ui) => {
                // Custom-action names with underscores, dots and a leading underscore too.
                let stem = ["SetProp", "Set_Prop", "Set.Prop", "_SetProp"][i % 4];
                let action = format!("{stem}{}", i + 1);
                fixture.custom_actions.push(CustomActionRow {
                    action: action.clone(),
                    kind: catype::SET_PROPERTY,
                    source: Some((*source).to_owned()),
                    target: Some((*target).to_owned()),
                });
                let row = SequenceRow {
                    action,
                    condition: None,
                    sequence: *position,
                };
                if *ui {
                    fixture.ui_sequence.push(row);
                } else {
                    fixture.execute_sequence.push(row);
                }
            }
            Extra::Error19(condition) => {
                if fixture.custom_action("ErrorAction").is_none() {
                    fixture.custom_actions.push(CustomActionRow {
                        action: "ErrorAction".to_owned(),
                        kind: catype::ERROR,
                        source: None,
                        target: Some("fatal [ProductName]".to_owned()),
                    });
                    fixture.execute_sequence.push(SequenceRow {
                        action: "ErrorAction".to_owned(),
                        condition: condition.map(str::to_owned),
                        sequence: 1480,
                    });
                }
            }
            Extra::Condition(index, condition) => conditions.push((*index, *condition)),
            Extra::KindCondition(kind, index, condition) => {
                kind_conditions.push((*kind, *index, *condition))
            }
            Extra::TwinAction => {
                if fixture.custom_action("nested51").is_none() {
                    fixture.custom_actions.push(CustomActionRow {
                        action: "nested51".to_owned(),
                        kind: catype::SET_PROPERTY,
                        source: Some("nested".to_owned()),
                        target: Some("lower".to_owned()),
                    });
                }
            }
            Extra::LongData(len) => {
                let action = format!("SetLongData{}", i + 1);
                fixture.custom_actions.push(CustomActionRow {
                    action: action.clone(),
                    kind: catype::SET_PROPERTY,
                    source: Some("ProbeDeferred".to_owned()),
                    target: Some(long_text(*len)),
                });
                fixture.execute_sequence.push(SequenceRow {
                    action,
                    condition: None,
                    sequence: 1520,
                });
            }
            Extra::Validation => {
                if fixture.table("_Validation").is_none() {
                    fixture.tables.push(validation_table());
                }
            }
            Extra::Snapshot(source) => {
                for (suffix, value, position) in [("A", "A", 1520), ("B", "B", 1700)] {
                    let action = format!("Snapshot{suffix}{}", i + 1);
                    fixture.custom_actions.push(CustomActionRow {
                        action: action.clone(),
                        kind: catype::SET_PROPERTY,
                        source: Some((*source).to_owned()),
                        target: Some(value.to_owned()),
                    });
                    fixture.execute_sequence.push(SequenceRow {
                        action,
                        condition: None,
                        sequence: position,
                    });
                }
            }
        }
    }
    // Probes the plan performs, and probes its steps run through DoAction.
    let mut declared: Vec<(&'static str, Context)> = Vec::new();
    for (choice, _, _) in &sketch.probes {
        if let ProbeChoice::Custom(probe) = choice {
            add_custom_probe(&mut fixture, probe);
        }
    }
    let scripts = sketch
        .package
        .iter()
        .chain(sketch.probes.iter().map(|p| &p.1));
    for op in scripts.flatten() {
        let (Operation::DoAction {
            action: Some(action),
            ..
        }
        | Operation::SessionDoAction {
            action: Some(action),
        }) = op
        else {
            continue;
        };
        if let Some(probe) = CUSTOM_PROBES.iter().find(|p| p.name == action) {
            add_custom_probe(&mut fixture, probe);
            declared.push((probe.name, probe.context));
        } else if let Some(context) = Context::ALL
            .into_iter()
            .find(|c| msiconf_spec::plan::default_probe(*c).is_some_and(|p| p.0 == action))
        {
            let name = msiconf_spec::plan::default_probe(context).map_or("", |p| p.0);
            declared.push((name, context));
        }
    }

    let mut builder = PlanBuilder::new(fixture);
    for (name, context) in declared {
        builder.probe(name, context);
        if context == Context::Rollback {
            builder.force_rollback();
        }
        let own_steps = sketch.probes.iter().any(|(c, steps, _)| {
            matches!(c, ProbeChoice::Custom(p) if p.name == name) && !steps.is_empty()
        });
        if !own_steps && CUSTOM_PROBES.iter().any(|p| p.name == name) {
            // A deferred probe reached only through DoAction reads what its
            // scheduling captured; the others return what the plan chose.
            if context == Context::Deferred {
                builder.steps(
                    context,
                    Some(name),
                    vec![plain_get("CustomActionData".to_owned())],
                );
            } else if sketch.declared_returns != 0 {
                builder.returns(name, sketch.declared_returns);
            }
        }
    }
    if let Some(steps) = sketch.package {
        builder.steps(Context::Package, None, steps);
    }
    for (choice, steps, returns) in sketch.probes {
        let name = match choice {
            ProbeChoice::Default(c) => msiconf_spec::plan::default_probe(c)
                .map(|p| p.0)
                .unwrap_or(msiconf_spec::plan::PACKAGE_PROBE),
            ProbeChoice::Custom(p) => p.name,
        };
        let context = choice.context();
        if steps.is_empty() {
            builder.probe(name, context);
        }
        builder.steps(context, Some(name), steps);
        if context == Context::Rollback {
            builder.force_rollback();
        }
        if returns != 0 {
            builder.returns(name, returns);
        }
    }
    // Without explicit options the builder still adds a default install when there are probes.
    let explicit_install = !sketch.install.is_empty() || sketch.ui != UiLevel::None;
    if explicit_install {
        let mut properties = BTreeMap::new();
        for (name, value) in sketch.install {
            properties.insert(name.to_owned(), value.to_owned());
        }
        builder.install(InstallOptions {
            properties,
            ui: sketch.ui,
        });
    }
    let mut plan = builder.build();
    // Conditions go on rows after the builder has sorted them, so an index
    // names the same row however the probes were added.
    let rows = plan.fixture.execute_sequence.len();
    for (index, condition) in conditions {
        if rows > 0 {
            plan.fixture.execute_sequence[index % rows].condition = Some(condition.to_owned());
        }
    }
    for (kind, index, condition) in kind_conditions {
        let ui = kind == RowKind::Ui;
        let fixture = &plan.fixture;
        let table = if ui {
            &fixture.ui_sequence
        } else {
            &fixture.execute_sequence
        };
        let matching: Vec<usize> = (0..table.len())
            .filter(|&r| RowKind::of(fixture, &table[r], ui) == kind)
            .collect();
        if matching.is_empty() {
            continue;
        }
        let row = matching[index % matching.len()];
        let table = if ui {
            &mut plan.fixture.ui_sequence
        } else {
            &mut plan.fixture.execute_sequence
        };
        table[row].condition = Some(condition.to_owned());
    }
    // A comparison tells more when its property has a value: the properties
    // the condition list compares (boo, condprop) get their Property-table
    // value whenever some condition names them (UNDEFINEDPROP stays undefined).
    let mut named: Vec<&str> = Vec::new();
    {
        let rows = plan
            .fixture
            .execute_sequence
            .iter()
            .chain(&plan.fixture.ui_sequence)
            .filter_map(|r| r.condition.as_deref());
        let evaluated = plan
            .package
            .iter()
            .chain(plan.probes.values())
            .flat_map(|p| &p.steps)
            .filter_map(|op| match op {
                Operation::EvaluateCondition { condition }
                | Operation::SessionEvaluateCondition { condition } => condition.as_deref(),
                _ => None,
            });
        for c in rows.chain(evaluated) {
            for (name, _) in COMPARED {
                if c.split(|ch: char| !ch.is_alphanumeric())
                    .any(|w| w == *name)
                    && !named.contains(name)
                {
                    named.push(name);
                }
            }
        }
    }
    for (name, value) in COMPARED {
        if named.contains(name) && plan.fixture.property(name).is_none() {
            plan.fixture.properties.push(PropertyRow {
                name: (*name).to_owned(),
                value: (*value).to_owned(),
            });
        }
    }
    plan
}

/// The properties the condition list compares, with their Property-table values.
const COMPARED: &[(&str, &str)] = &[("boo", "xyz"), ("condprop", "1")];

/// Adds a custom probe's CustomAction row and its sequence rows, once.
fn add_custom_probe(fixture: &mut Fixture, probe: &CustomProbe) {
    if fixture.custom_action(probe.name).is_some() {
        return;
    }
    let source = probe_source(probe.kind);
    fixture.custom_actions.push(CustomActionRow {
        action: probe.name.to_owned(),
        kind: probe.kind,
        source: Some(source.to_owned()),
        target: Some(if source == PROBE_EXE {
            probe.target.to_owned()
        } else {
            "Probe".to_owned()
        }),
    });
    if let Some(position) = probe.execute {
        fixture.execute_sequence.push(SequenceRow {
            action: probe.name.to_owned(),
            condition: None,
            sequence: position,
        });
    }
    if let Some(position) = probe.ui {
        fixture.ui_sequence.push(SequenceRow {
            action: probe.name.to_owned(),
            condition: None,
            sequence: position,
        });
    }
}

/// The strategy for whole plans against a runtime with these capabilities.
pub fn plan_strategy(caps: &Capabilities) -> BoxedStrategy<Plan> {
    let package = if caps.contexts.contains(&Context::Package) {
        oneof![
            1 => Just(None),
            1 => steps_strategy(Context::Package, caps, 1..6).prop_map(Some),
        ]
        .boxed()
    } else {
        Just(None).boxed()
    };
    let probes = match probe_part(caps) {
        Some(part) => proptest::collection::vec(part, 1..6).boxed(),
        None => Just(Vec::new()).boxed(),
    };
    (
        package,
        probes,
        proptest::collection::vec(extra(), 0..4),
        proptest::bool::weighted(0.75),
        proptest::bool::weighted(0.3),
        install_properties(),
        ui_level(),
        prop_oneof![
            4 => Just(0u32),
            1 => Just(rc::INSTALL_FAILURE),
            1 => Just(rc::INSTALL_USEREXIT),
            1 => Just(rc::NO_MORE_ITEMS),
            1 => Just(1u32),
        ],
    )
        .prop_map(
            |(package, probes, extras, test_table, nested, install, ui, declared_returns)| Sketch {
                package,
                probes,
                extras,
                test_table,
                nested,
                install,
                ui,
                declared_returns,
            },
        )
        .prop_map(assemble)
        .boxed()
}

/// Turns seeds into plans, deterministically: the same seed always gives the same plan.
pub struct PlanGenerator {
    strategy: BoxedStrategy<Plan>,
}

impl std::fmt::Debug for PlanGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanGenerator").finish_non_exhaustive()
    }
}

impl PlanGenerator {
    /// A generator for plans a runtime with these capabilities can run.
    pub fn new(caps: &Capabilities) -> PlanGenerator {
        PlanGenerator {
            strategy: plan_strategy(caps),
        }
    }

    /// The plan for `seed`.
    pub fn plan(&self, seed: u64) -> Plan {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        bytes[8..].copy_from_slice(&(!seed).rotate_left(17).to_le_bytes());
        let rng = TestRng::from_seed(RngAlgorithm::XorShift, &bytes);
        let mut runner = TestRunner::new_with_rng(RunnerConfig::default(), rng);
        match self.strategy.new_tree(&mut runner) {
            Ok(tree) => tree.current(),
            // The strategies never reject, so this only guards against a future filter.
            Err(_) => Plan::default(),
        }
    }
}

/// The seed of the `index`-th plan of a run started with `seed`: a run of one
/// plan started with `plan_seed(seed, i)` replays exactly that plan.
pub fn plan_seed(seed: u64, index: u64) -> u64 {
    seed.wrapping_add(index)
}
