//! Property tests: random operation sequences in random contexts, and random
//! plans, never make the model panic, and its answers keep their invariants.
//! A state machine checks the property store against a plain map.

mod model_support;

use msiconf_spec::codes::catype;
use msiconf_spec::fixture::{CustomActionRow, Fixture, SequenceRow};
use msiconf_spec::model::{run, Config, Deviation, Session};
use msiconf_spec::{
    Buffer, Context, HandleArg, InstallOptions, ModifyKind, Operation, PackageSource, Plan,
    ProbeScript, Profile, UiLevel,
};
use proptest::prelude::*;
use proptest::sample::select;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use std::collections::BTreeMap;

const NAMES: &[&str] = &[
    "A",
    "a",
    "B",
    "ProductCode",
    "ProductName",
    "CustomActionData",
    "UserSID",
    "%PATH",
    "",
    "=",
    "INSTALLLEVEL",
    "ACTION",
    "EXECUTEACTION",
    "Loop",
];
const VALUES: &[&str] = &[
    "",
    "1",
    "xyz",
    "[ProductName]",
    "[~]np",
    r"[\[]x[\]]",
    "[[A]]",
    "[1]",
];
const ACTIONS: &[&str] = &[
    "CostInitialize",
    "costinitialize",
    "INSTALL",
    "ExecuteAction",
    "RemoveFiles",
    "InstallFinalize",
    "InstallInitialize",
    "boo",
    "Loop",
    "Set51",
    "Err19",
    "Def",
    "Rb",
    "Cm",
    "Exe",
    "Js",
    "DisableRollback",
];
const SQL: &[&str] = &[
    "SELECT * FROM `Property`",
    "SELECT `Property`, `Value` FROM `Property` WHERE `Property` = 'A' OR `Value` <> 'x'",
    "SELECT * FROM `_Property`",
    "SELECT * FROM `_Tables`",
    "SELECT * FROM `_Columns` WHERE `Table` = 'T'",
    "INSERT INTO `Property` (`Property`, `Value`) VALUES ('A', 'b')",
    "INSERT INTO `Property` (`Property`, `Value`) VALUES ('T1', 'b') TEMPORARY",
    "INSERT INTO `_Property` (`Property`, `Value`) VALUES ('P', 'q')",
    "UPDATE `Property` SET `Value` = 'z' WHERE `Property` = 'ProductName'",
    "DELETE FROM `Property` WHERE `Property` = 'A'",
    "CREATE TABLE `T` (`A` INTEGER TEMPORARY, `B` CHAR(20) TEMPORARY PRIMARY KEY `A`) HOLD",
    "CREATE TABLE `U` (`A` INTEGER, `B` CHAR(20) PRIMARY KEY `A`)",
    "ALTER TABLE `T` HOLD",
    "ALTER TABLE `T` FREE",
    "ALTER TABLE `U` ADD `C` INTEGER TEMPORARY HOLD",
    "ALTER TABLE `U` FREE",
    "INSERT INTO `U` (`A`, `B`) VALUES (1, 'one')",
    "DROP TABLE `U`",
    "SELECT * FROM",
    "",
    "'",
    "`",
];

fn opt(values: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop_oneof![1 => Just(None), 6 => select(values).prop_map(|s| Some(s.to_owned()))]
}

fn text(values: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(values).prop_map(str::to_owned),
        1 => "[\\[\\]\\\\~%#$a-zA-Z0-9 =<>'`()\"]{0,12}",
    ]
}

fn handle() -> impl Strategy<Value = HandleArg> {
    prop_oneof![6 => Just(HandleArg::Session), 1 => Just(HandleArg::Zero), 1 => Just(HandleArg::Bogus)]
}

fn buffer() -> impl Strategy<Value = Buffer> {
    prop_oneof![
        Just(Buffer::Ample),
        (0u32..6).prop_map(Buffer::Sized),
        (0u32..6).prop_map(Buffer::NullBuffer),
        Just(Buffer::NullSize),
        Just(Buffer::NullBoth),
    ]
}

fn slot() -> impl Strategy<Value = String> {
    select(&["db", "view", "disk", "pkg", "h1"][..]).prop_map(str::to_owned)
}

fn modify_kind() -> impl Strategy<Value = ModifyKind> {
    select(vec![
        ModifyKind::Seek,
        ModifyKind::Refresh,
        ModifyKind::Insert,
        ModifyKind::Update,
        ModifyKind::Assign,
        ModifyKind::Replace,
        ModifyKind::Merge,
        ModifyKind::Delete,
        ModifyKind::InsertTemporary,
        ModifyKind::Validate,
    ])
}

/// Any operation, with arguments from a small vocabulary so that calls meet each other.
fn operation() -> impl Strategy<Value = Operation> {
    let c_forms = prop_oneof![
        (opt(ACTIONS), handle())
            .prop_map(|(action, handle)| Operation::DoAction { action, handle }),
        opt(&["TestSequence", "InstallExecuteSequence", "Nope"])
            .prop_map(|table| Operation::Sequence { table }),
        (opt(NAMES), buffer(), any::<bool>(), handle()).prop_map(|(name, buffer, ansi, handle)| {
            Operation::GetProperty {
                name,
                buffer,
                ansi,
                handle,
            }
        }),
        (opt(NAMES), opt(VALUES), handle()).prop_map(|(name, value, handle)| {
            Operation::SetProperty {
                ansi: false,
                name,
                value,
                handle,
            }
        }),
        (0u32..20, handle()).prop_map(|(mode, handle)| Operation::GetMode { mode, handle }),
        (0u32..20, any::<bool>()).prop_map(|(mode, state)| Operation::SetMode { mode, state }),
        Just(Operation::GetLanguage),
        (any::<u32>(), prop::collection::vec(text(VALUES), 0..3))
            .prop_map(|(kind, fields)| Operation::ProcessMessage { kind, fields }),
        (
            text(VALUES),
            prop::collection::vec(text(VALUES), 0..3),
            buffer(),
            any::<bool>(),
            handle()
        )
            .prop_map(
                |(template, fields, buffer, ansi, handle)| Operation::FormatRecord {
                    null_record: false,
                    template,
                    fields,
                    buffer,
                    ansi,
                    handle
                }
            ),
        opt(&[
            "",
            "=",
            "A = 1",
            "NOT A",
            "A AND (B OR %PATH)",
            "(",
            "A >< \"x\""
        ])
        .prop_map(|condition| Operation::EvaluateCondition { condition }),
        any::<i32>().prop_map(|level| Operation::SetInstallLevel { level }),
    ];
    let db_forms = prop_oneof![
        slot().prop_map(|into| Operation::GetActiveDatabase { into }),
        slot().prop_map(|into| Operation::OpenDatabase { into }),
        (slot(), opt(SQL), slot(), any::<bool>()).prop_map(|(db, sql, into, null_out)| {
            Operation::OpenView {
                db,
                sql,
                into,
                null_out,
            }
        }),
        slot().prop_map(|view| Operation::Execute { view }),
        slot().prop_map(|view| Operation::Fetch { view }),
        (slot(), 0u32..4, text(VALUES)).prop_map(|(view, field, value)| Operation::SetField {
            view,
            field,
            value
        }),
        (
            slot(),
            modify_kind(),
            proptest::option::of(prop::collection::vec(text(NAMES), 0..3))
        )
            .prop_map(|(view, kind, record)| Operation::Modify { view, kind, record }),
        (slot(), text(SQL)).prop_map(|(db, sql)| Operation::Sql { db, sql }),
        slot().prop_map(|db| Operation::Commit { db }),
        (
            slot(),
            opt(&["Property", "_Tables", "T", "U", "_Property", "Nope"])
        )
            .prop_map(|(db, table)| Operation::IsTablePersistent { db, table }),
        (slot(), 0u32..20, text(VALUES)).prop_map(|(db, property, value)| {
            Operation::SetSummaryInfo {
                db,
                property,
                value,
            }
        }),
        proptest::option::of(slot()).prop_map(|db| Operation::GetDatabaseState { db }),
        (
            prop_oneof![
                Just(PackageSource::PackageFile),
                Just(PackageSource::DatabaseHandle)
            ],
            slot()
        )
            .prop_map(|(source, into)| Operation::OpenPackage { source, into }),
        text(VALUES).prop_map(|command_line| Operation::InstallProduct { command_line }),
        slot().prop_map(|slot| Operation::CloseHandle { slot }),
    ];
    let automation = prop_oneof![
        opt(NAMES).prop_map(|name| Operation::SessionPropertyGet { name }),
        (opt(NAMES), opt(VALUES))
            .prop_map(|(name, value)| Operation::SessionPropertySet { name, value }),
        opt(ACTIONS).prop_map(|action| Operation::SessionDoAction { action }),
        (0u32..20).prop_map(|mode| Operation::SessionMode { mode }),
        (0u32..20, any::<bool>())
            .prop_map(|(mode, state)| Operation::SessionSetMode { mode, state }),
        Just(Operation::SessionLanguage),
        (any::<u32>(), prop::collection::vec(text(VALUES), 0..2))
            .prop_map(|(kind, fields)| Operation::SessionMessage { kind, fields }),
        opt(&["", "=", "A"])
            .prop_map(|condition| Operation::SessionEvaluateCondition { condition }),
        slot().prop_map(|into| Operation::SessionDatabase { into }),
        Just(Operation::InstallerOpenPackage),
        Just(Operation::CommandLine),
        Just(Operation::HasSession),
    ];
    prop_oneof![4 => c_forms, 3 => db_forms, 2 => automation]
}

/// Regressions are saved as `tests/regressions/model_proptest.txt` and replayed first.
fn config_with(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("regressions"),
        )),
        ..ProptestConfig::default()
    }
}

fn context() -> impl Strategy<Value = Context> {
    select(Context::ALL.to_vec())
}

fn config() -> impl Strategy<Value = Config> {
    (
        prop_oneof![Just(Profile::Documented), Just(Profile::Windows)],
        prop::collection::vec(select(Deviation::ALL.to_vec()), 0..2),
    )
        .prop_map(|(profile, deviations)| Config {
            profile,
            deviations,
        })
}

proptest! {
    #![proptest_config(config_with(256))]

    #[test]
    fn random_calls_never_panic(
        cfg in config(),
        calls in prop::collection::vec((context(), operation()), 0..40),
    ) {
        let mut s = Session::new(&Fixture::standard(), &cfg);
        let mut handles_seen = 0u32;
        let mut last_context = None;
        for (ctx, op) in &calls {
            if last_context != Some(*ctx) {
                handles_seen = 0;
                last_context = Some(*ctx);
            }
            let out = s.call(*ctx, op);
            // Unsupported exactly when the call does not exist in the context (and for a
            // nested install from the package context, which the model does not run).
            let nested_install = matches!(op, Operation::InstallProduct { .. }) && *ctx == Context::Package;
            prop_assert_eq!(
                out.unsupported.is_some(),
                !op.kind().available_in(*ctx) || nested_install,
                "{:?} in {}", op, ctx
            );
            if let Some(h) = out.handle {
                prop_assert!(h <= handles_seen + 1, "rank {} after {} handles", h, handles_seen);
                handles_seen = handles_seen.max(h);
            }
            if out.rc == Some(234) {
                prop_assert!(out.size.is_some());
            }
        }
    }
}

fn ca_row() -> impl Strategy<Value = (CustomActionRow, i32, Option<String>)> {
    let kinds = select(vec![
        catype::DLL_BINARY,
        catype::DLL_BINARY | catype::CONTINUE,
        catype::DLL_BINARY | catype::IN_SCRIPT,
        catype::DLL_BINARY | catype::IN_SCRIPT | catype::ROLLBACK,
        catype::DLL_BINARY | catype::IN_SCRIPT | catype::COMMIT,
        catype::DLL_BINARY | catype::FIRST_SEQUENCE,
        catype::DLL_BINARY | catype::CLIENT_REPEAT,
        catype::EXE_BINARY,
        catype::EXE_BINARY | catype::IN_SCRIPT,
        catype::JSCRIPT_BINARY,
        catype::JSCRIPT_BINARY | catype::IN_SCRIPT,
        catype::SET_PROPERTY,
        catype::ERROR,
        7,
        0xffff,
    ]);
    (
        select(ACTIONS),
        kinds,
        opt(NAMES),
        opt(VALUES),
        -5i32..2000,
        opt(&["", "=", "A", "NOT A", "A = 1"]),
    )
        .prop_map(|(action, kind, source, target, position, condition)| {
            (
                CustomActionRow {
                    action: action.to_owned(),
                    kind,
                    source,
                    target,
                },
                position,
                condition,
            )
        })
}

/// The context a custom action of Type `kind` at `position` runs in.
fn implied_context(kind: u32, position: i32, ui: bool) -> Context {
    let in_script = kind & catype::IN_SCRIPT != 0;
    match kind & catype::BASIC_MASK {
        2 | 18 | 34 | 50 => Context::Exe,
        5 | 6 | 21 | 22 | 37 | 38 | 53 | 54 if in_script => Context::ScriptDeferred,
        5 | 6 | 21 | 22 | 37 | 38 | 53 | 54 => Context::ScriptImmediate,
        _ if in_script && kind & catype::ROLLBACK != 0 => Context::Rollback,
        _ if in_script && kind & catype::COMMIT != 0 => Context::Commit,
        _ if in_script => Context::Deferred,
        _ if ui => Context::ImmediateUi,
        _ if (1501..6600).contains(&position) => Context::ImmediateAfterInit,
        _ => Context::ImmediateBeforeInit,
    }
}

fn plan() -> impl Strategy<Value = Plan> {
    let probe = (
        context(),
        prop::collection::vec(operation(), 0..8),
        select(vec![0u32, 1, 3, 259, 1602, 1603, 1604, 1626]),
    )
        .prop_map(|(context, steps, returns)| ProbeScript {
            context,
            steps,
            returns,
        });
    (
        prop::collection::vec(ca_row(), 0..8),
        prop::collection::btree_map(select(ACTIONS).prop_map(str::to_owned), probe, 0..6),
        proptest::option::of(prop::collection::vec(operation(), 0..8)),
        proptest::option::of((
            prop::collection::btree_map(
                select(NAMES).prop_map(str::to_owned),
                select(VALUES).prop_map(str::to_owned),
                0..3,
            ),
            select(vec![
                UiLevel::None,
                UiLevel::Basic,
                UiLevel::Reduced,
                UiLevel::Full,
            ]),
        )),
        any::<bool>(),
    )
        .prop_map(|(rows, mut probes, package, install, ui_too)| {
            let mut fixture = Fixture::standard();
            for (row, position, condition) in rows {
                // Action is the table's key: one row per name.
                if fixture.custom_action(&row.action).is_some() {
                    continue;
                }
                // A probe says the context its custom action really runs in, as plans must.
                if let Some(p) = probes.get_mut(&row.action) {
                    p.context = implied_context(row.kind, position, ui_too);
                }
                let seq = SequenceRow {
                    action: row.action.clone(),
                    condition,
                    sequence: position,
                };
                if ui_too {
                    fixture.ui_sequence.push(seq);
                } else {
                    fixture.execute_sequence.push(seq);
                }
                fixture.custom_actions.push(row);
            }
            Plan {
                fixture,
                package: package.map(|steps| ProbeScript {
                    context: Context::Package,
                    steps,
                    returns: 0,
                }),
                probes,
                install: install.map(|(properties, ui)| InstallOptions {
                    properties: properties.into_iter().collect::<BTreeMap<_, _>>(),
                    ui,
                }),
            }
        })
}

proptest! {
    #![proptest_config(config_with(128))]

    #[test]
    fn random_plans_never_panic(cfg in config(), plan in plan()) {
        let t = run(&plan, &cfg);
        prop_assert_eq!(t.install_result.is_some(), plan.install.is_some());
        let mut last = 0;
        for r in &t.runs {
            prop_assert!(r.first_event >= last && r.first_event <= t.events.len());
            last = r.first_event;
            prop_assert!(plan.script(&r.probe).is_some(), "run of unknown probe {}", r.probe);
        }
        for e in &t.events {
            let script = plan.script(&e.probe);
            prop_assert!(script.is_some_and(|s| s.steps.get(e.index) == Some(&e.call)));
        }
    }
}

// ---------------------------------------------------------------------------
// The property store against a plain map.

#[derive(Debug, Clone)]
enum Step {
    Set(Context, String, Option<String>),
    Get(Context, String),
}

#[derive(Debug, Clone)]
struct Store(BTreeMap<String, String>);

const STORE_CONTEXTS: [Context; 5] = [
    Context::Package,
    Context::ImmediateBeforeInit,
    Context::ImmediateUi,
    Context::ScriptImmediate,
    Context::Deferred,
];

impl ReferenceStateMachine for Store {
    type State = Store;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Store> {
        let mut m = BTreeMap::new();
        for (n, v) in msiconf_spec::fixture::STANDARD_PROPERTIES {
            m.insert((*n).to_owned(), (*v).to_owned());
        }
        m.insert("UserSID".to_owned(), String::new());
        Just(Store(m)).boxed()
    }

    fn transitions(_: &Store) -> BoxedStrategy<Step> {
        let name = select(&["A", "a", "B", "ProductCode", "", "x y"][..]).prop_map(str::to_owned);
        let ctx = select(STORE_CONTEXTS.to_vec());
        prop_oneof![
            (ctx.clone(), name.clone(), opt(&["", "1", "two", "[A]"]))
                .prop_map(|(c, n, v)| Step::Set(c, n, v)),
            (ctx, name).prop_map(|(c, n)| Step::Get(c, n)),
        ]
        .boxed()
    }

    fn apply(mut state: Store, step: &Step) -> Store {
        if let Step::Set(c, n, v) = step {
            let deferred = *c == Context::Deferred;
            let v = v.as_deref().unwrap_or("");
            if !deferred && !n.is_empty() {
                if v.is_empty() {
                    state.0.remove(n);
                } else {
                    state.0.insert(n.clone(), v.to_owned());
                }
            }
        }
        state
    }
}

struct StoreTest;

impl StateMachineTest for StoreTest {
    type SystemUnderTest = Session<'static>;
    type Reference = Store;

    fn init_test(_: &Store) -> Session<'static> {
        Session::new(&Fixture::standard(), &Config::default())
    }

    fn apply(mut s: Session<'static>, state: &Store, step: Step) -> Session<'static> {
        match step {
            Step::Set(c, n, v) => {
                let op = if c.is_script() {
                    Operation::SessionPropertySet {
                        name: Some(n.clone()),
                        value: v.clone(),
                    }
                } else {
                    Operation::SetProperty {
                        ansi: false,
                        name: Some(n.clone()),
                        value: v.clone(),
                        handle: HandleArg::Session,
                    }
                };
                let out = s.call(c, &op);
                let refused = c == Context::Deferred
                    || (n.is_empty() && v.as_deref().is_some_and(|v| !v.is_empty()));
                if c.is_script() {
                    assert_eq!(out.exception.is_some(), refused, "{out:?}");
                } else {
                    assert_eq!(out.rc != Some(0), refused, "{out:?}");
                }
            }
            Step::Get(c, n) => {
                let op = if c.is_script() {
                    Operation::SessionPropertyGet {
                        name: Some(n.clone()),
                    }
                } else {
                    Operation::GetProperty {
                        name: Some(n.clone()),
                        buffer: Buffer::Ample,
                        ansi: false,
                        handle: HandleArg::Session,
                    }
                };
                let out = s.call(c, &op);
                let visible = c != Context::Deferred || n == "ProductCode";
                let want = if visible {
                    state.0.get(&n).map_or("", String::as_str)
                } else {
                    ""
                };
                if n != "UserSID" {
                    assert_eq!(out.value.as_deref(), Some(want), "{c} {n}");
                }
            }
        }
        s
    }
}

prop_state_machine! {
    #![proptest_config(config_with(64))]

    #[test]
    fn property_store_matches_a_map(sequential 1..40 => StoreTest);
}
