//! Every deviation changes something: for each one, a small plan on which the
//! deviated model's transcript differs from the reference's. This proves that
//! each broken runtime of the harness really is broken.

mod model_support;

use model_support::*;
use msiconf_spec::codes::catype::*;
use msiconf_spec::fixture::Fixture;
use msiconf_spec::model::{run, Config, Deviation};
use msiconf_spec::{
    Buffer, Context, HandleArg, InstallOptions, ModifyKind, Operation, PackageSource, Plan,
    PlanBuilder, Profile, UiLevel,
};

fn install(props: &[(&str, &str)], ui: UiLevel) -> InstallOptions {
    InstallOptions {
        properties: props
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ui,
    }
}

/// Steps in contexts, run through the default probes.
fn steps(list: Vec<(Context, Operation)>) -> Plan {
    steps_on(Fixture::standard(), list, None)
}

fn steps_on(
    fixture: Fixture,
    list: Vec<(Context, Operation)>,
    opts: Option<InstallOptions>,
) -> Plan {
    let mut b = PlanBuilder::new(fixture);
    if let Some(o) = opts {
        b.install(o);
    }
    for (c, op) in list {
        b.step(c, None, op);
    }
    b.build()
}

/// A fixture with extra rows in InstallExecuteSequence, and the plan running
/// probes for the ones named in `probes`.
fn probes_plan(
    rows: Vec<(msiconf_spec::fixture::CustomActionRow, i32)>,
    probes: &[(&str, Context, Vec<Operation>, u32)],
    opts: InstallOptions,
) -> Plan {
    plan(fixture_with(rows), probes, opts)
}

fn probe(name: &str, kind: u32) -> msiconf_spec::fixture::CustomActionRow {
    let source = match kind & BASIC_MASK {
        EXE_BINARY => "probeexe",
        JSCRIPT_BINARY => "probejs",
        _ => "probe",
    };
    ca(name, kind, Some(source), Some("Probe"))
}

fn returning(kind: u32, returns: u32) -> Plan {
    let ctx = match kind & BASIC_MASK {
        EXE_BINARY => Context::Exe,
        JSCRIPT_BINARY => Context::ScriptImmediate,
        _ => Context::ImmediateBeforeInit,
    };
    probes_plan(
        vec![(probe("P", kind), 1450)],
        &[("P", ctx, vec![], returns)],
        InstallOptions::default(),
    )
}

fn pkg(ops: Vec<Operation>) -> Plan {
    steps(ops.into_iter().map(|o| (Context::Package, o)).collect())
}

fn imm(ops: Vec<Operation>) -> Plan {
    steps(
        ops.into_iter()
            .map(|o| (Context::ImmediateBeforeInit, o))
            .collect(),
    )
}

fn in_ctx(c: Context, ops: Vec<Operation>) -> Plan {
    steps(ops.into_iter().map(|o| (c, o)).collect())
}

fn gp(name: &str, buffer: Buffer, ansi: bool) -> Operation {
    get_buf(Some(name), buffer, ansi)
}

fn table_persistent(table: &str) -> Operation {
    Operation::IsTablePersistent {
        db: "db".into(),
        table: st(table),
    }
}

/// The standard package plus a persistent `Test` table (A key, B) with one row.
fn test_table() -> Fixture {
    use msiconf_spec::fixture::{Column, Table};
    let mut f = Fixture::standard();
    f.tables.push(Table {
        name: "Test".into(),
        columns: vec![
            Column {
                name: "A".into(),
                kind: "i2".into(),
                key: true,
            },
            Column {
                name: "B".into(),
                kind: "S72".into(),
                key: false,
            },
        ],
        rows: vec![vec!["1".into(), "one".into()]],
    });
    f
}

/// The standard package with the standard directory tree, and steps on it.
fn tree_steps(list: Vec<(Context, Operation)>) -> Plan {
    let mut f = Fixture::standard();
    f.tables.extend(msiconf_spec::fixture::standard_tree());
    steps_on(f, list, None)
}

/// CostInitialize, FileCost and CostFinalize from the package handle, then `ops`.
fn costed_pkg(ops: Vec<Operation>) -> Plan {
    let mut all: Vec<(Context, Operation)> = ["CostInitialize", "FileCost", "CostFinalize"]
        .iter()
        .map(|a| (Context::Package, do_action(Some(a))))
        .collect();
    all.extend(ops.into_iter().map(|o| (Context::Package, o)));
    tree_steps(all)
}

fn target_path(folder: &str) -> Operation {
    Operation::GetTargetPath {
        folder: st(folder),
        buffer: Buffer::Ample,
        ansi: false,
        handle: HandleArg::Session,
    }
}

fn set_target_path(folder: &str, path: &str) -> Operation {
    Operation::SetTargetPath {
        folder: st(folder),
        path: st(path),
        handle: HandleArg::Session,
    }
}

/// The profile and plan on which `d` shows. The match is exhaustive on purpose:
/// a new deviation does not compile until it has a scenario here.
fn scenario(d: Deviation) -> (Profile, Plan) {
    use Deviation as D;
    use Profile::{Documented, Windows};
    let w = Windows;
    let fixture51 = |rows: Vec<(&str, &str, &str, i32)>| {
        let mut f = Fixture::standard();
        for (name, source, target, position) in rows {
            f.custom_actions
                .push(ca(name, SET_PROPERTY, Some(source), Some(target)));
            f.execute_sequence.push(seq(name, position));
        }
        f
    };
    match d {
        D::TargetPathUnknownFolderEmpty => (w, costed_pkg(vec![target_path("boo")])),
        D::TargetPathBeforeCosting => (w, tree_steps(vec![(Context::Package, target_path("TARGETDIR"))])),
        D::TargetPathWithoutSeparator => (w, costed_pkg(vec![target_path("ChildDir")])),
        D::SetTargetPathUnknownAccepted => (w, costed_pkg(vec![set_target_path("boo", "C:\\x")])),
        D::SetTargetPathUnnormalized => (
            w,
            costed_pkg(vec![
                set_target_path("ParentDir", "C:\\\\x  "),
                target_path("ParentDir"),
            ]),
        ),
        D::SetTargetPathChildrenStay => (
            w,
            costed_pkg(vec![
                set_target_path("ParentDir", "C:\\x"),
                target_path("ChildDir"),
            ]),
        ),
        D::SourcePathIgnoresCase => (
            w,
            costed_pkg(vec![Operation::GetSourcePath {
                folder: st("targetdir"),
                buffer: Buffer::Ample,
                ansi: false,
                handle: HandleArg::Session,
            }]),
        ),
        D::DirectoryCallsInScript => (
            w,
            tree_steps(vec![(Context::Deferred, target_path("TARGETDIR"))]),
        ),
        D::StateNamesFoldCase => (
            w,
            costed_pkg(vec![Operation::GetFeatureState {
                feature: st("one"),
                null_out: false,
            }]),
        ),
        D::NullOutPointerIs87 => (
            w,
            tree_steps(vec![(
                Context::ImmediateBeforeInit,
                Operation::GetFeatureState {
                    feature: st("One"),
                    null_out: true,
                },
            )]),
        ),
        D::FeatureInstalledReportedLocal => (
            w,
            costed_pkg(vec![Operation::GetFeatureState {
                feature: st("One"),
                null_out: false,
            }]),
        ),
        D::ComponentActionIgnoresFeatures => (
            w,
            costed_pkg(vec![Operation::GetComponentState {
                component: st("Dangler"),
                null_out: false,
            }]),
        ),
        D::FeatureSetStateIgnored => (
            w,
            costed_pkg(vec![
                Operation::SetFeatureState {
                    feature: st("One"),
                    state: 1,
                },
                Operation::GetFeatureState {
                    feature: st("One"),
                    null_out: false,
                },
            ]),
        ),
        D::ComponentSetStateIgnored => (
            w,
            costed_pkg(vec![
                Operation::SetComponentState {
                    component: st("Child"),
                    state: 4,
                },
                Operation::GetComponentState {
                    component: st("Child"),
                    null_out: false,
                },
            ]),
        ),
        D::StateCallsInScript => (
            w,
            tree_steps(vec![(
                Context::Deferred,
                Operation::GetFeatureState {
                    feature: st("One"),
                    null_out: false,
                },
            )]),
        ),
        D::SessionPathUnknownEmpty => (
            w,
            tree_steps(vec![(
                Context::ScriptImmediate,
                Operation::SessionTargetPath { folder: st("boo") },
            )]),
        ),
        D::SessionRequestStateIsCurrent => (
            w,
            tree_steps(vec![(
                Context::ScriptImmediate,
                Operation::SessionFeatureRequestState { feature: st("One") },
            )]),
        ),
        D::FeatureAttributesAnyTime => (
            w,
            costed_pkg(vec![Operation::SetFeatureAttributes {
                feature: st("One"),
                attributes: 1,
            }]),
        ),
        D::SourcePathWithoutSeparator => (
            w,
            costed_pkg(vec![Operation::GetSourcePath {
                folder: st("ChildDir"),
                buffer: Buffer::Ample,
                ansi: false,
                handle: HandleArg::Session,
            }]),
        ),
        D::FeatureStateDoesNotPropagate => (
            w,
            costed_pkg(vec![
                Operation::SetFeatureState {
                    feature: st("One"),
                    state: 2,
                },
                Operation::GetComponentState {
                    component: st("Child"),
                    null_out: false,
                },
            ]),
        ),
        D::InstallLevelLeavesStates => {
            let mut f = Fixture::standard();
            f.tables.extend(msiconf_spec::fixture::standard_tree());
            for t in f.tables.iter_mut().filter(|t| t.name == "Feature") {
                let level = t.columns.iter().position(|c| c.name == "Level").unwrap();
                for row in &mut t.rows {
                    row[level] = "2".into();
                }
            }
            let mut list: Vec<(Context, Operation)> = ["CostInitialize", "FileCost", "CostFinalize"]
                .iter()
                .map(|a| (Context::Package, do_action(Some(a))))
                .collect();
            list.push((Context::Package, Operation::SetInstallLevel { level: 3 }));
            list.push((
                Context::Package,
                Operation::GetFeatureState {
                    feature: st("One"),
                    null_out: false,
                },
            ));
            (w, steps_on(f, list, None))
        }
        D::ValidStatesStub => (
            w,
            costed_pkg(vec![Operation::GetFeatureValidStates {
                feature: st("fake"),
                null_out: false,
            }]),
        ),
        D::ValidStatesOfferSource => (
            w,
            costed_pkg(vec![Operation::GetFeatureValidStates {
                feature: st("One"),
                null_out: false,
            }]),
        ),
        D::FeatureCostUnknownSucceeds => (
            w,
            costed_pkg(vec![Operation::GetFeatureCost {
                feature: st("fake"),
                tree: 0,
                state: 3,
                null_out: false,
            }]),
        ),
        D::FeatureCostTreeAddsSelfTwice => (
            w,
            costed_pkg(vec![Operation::GetFeatureCost {
                feature: st("One"),
                tree: 1,
                state: 3,
                null_out: false,
            }]),
        ),
        D::ComponentCostsNullAccepted | D::ComponentCostsDriveWithSeparator => (
            w,
            costed_pkg(vec![Operation::EnumComponentCosts {
                component: st("Root"),
                index: 0,
                state: 3,
                buffer: Buffer::Ample,
                null_cost: d == D::ComponentCostsNullAccepted,
                null_temp: false,
            }]),
        ),
        D::DiskSpaceAnyHandle => (
            w,
            costed_pkg(vec![Operation::VerifyDiskSpace {
                handle: HandleArg::Zero,
            }]),
        ),
        D::SessionCostsUnknownZero => (
            w,
            tree_steps(vec![(
                Context::ScriptImmediate,
                Operation::SessionFeatureCost {
                    feature: st("fake"),
                    tree: 0,
                    state: 3,
                },
            )]),
        ),
        D::LastErrorRecordNeverSet | D::LastErrorRecordKept => (
            w,
            pkg(vec![
                Operation::GetActiveDatabase { into: "db".into() },
                Operation::OpenView {
                    db: "db".into(),
                    sql: st("SELECT FROM"),
                    into: "view".into(),
                    null_out: false,
                },
                Operation::GetLastErrorRecord,
                Operation::GetLastErrorRecord,
            ]),
        ),
        D::PathSizeCountsTerminator => (
            w,
            costed_pkg(vec![Operation::GetTargetPath {
                folder: st("TARGETDIR"),
                buffer: Buffer::Sized(1),
                ansi: false,
                handle: HandleArg::Session,
            }]),
        ),
        D::AnsiPathSizeInChars => (
            w,
            tree_steps(vec![(
                Context::ImmediateAfterInit,
                Operation::GetTargetPath {
                    folder: st("TARGETDIR"),
                    buffer: Buffer::Sized(0),
                    ansi: true,
                    handle: HandleArg::Session,
                },
            )]),
        ),
        D::ActionLookupIgnoresCase => (w, pkg(vec![do_action(Some("costinitialize"))])),
        D::UnknownActionSucceeds => (w, pkg(vec![do_action(Some("boo"))])),
        D::NullActionAccepted => (w, pkg(vec![do_action(None)])),
        D::NullActionRejected => (Documented, pkg(vec![do_action(None)])),
        D::BadHandleAccepted => (
            w,
            pkg(vec![Operation::DoAction {
                action: st("CostInitialize"),
                handle: HandleArg::Zero,
            }]),
        ),
        D::NullActionNotUppercased => (
            w,
            plan(Fixture::standard(), &[], install(&[("ACTION", "install")], UiLevel::None)),
        ),
        D::NoInstallDefault => (w, imm(vec![get("ProductName")])),
        D::InstallActionRefused => (w, pkg(vec![do_action(Some("INSTALL"))])),
        D::SystemActionFailsOutsideWindow => (
            w,
            pkg(["CostInitialize", "FileCost", "CostFinalize", "RemoveFiles"]
                .into_iter()
                .map(|a| do_action(Some(a)))
                .collect()),
        ),
        D::NonSystemActionRefused => (w, pkg(vec![do_action(Some("CostInitialize"))])),
        D::NestedActionsIsolated => {
            let mut f = Fixture::standard();
            f.custom_actions.push(ca("nested51", SET_PROPERTY, Some("nested"), Some("1")));
            (
                w,
                steps_on(
                    f,
                    vec![
                        (Context::ImmediateBeforeInit, do_action(Some("nested51"))),
                        (Context::ImmediateBeforeInit, get("nested")),
                    ],
                    None,
                ),
            )
        }
        D::DoActionCodesCollapsed => {
            let mut f = Fixture::standard();
            f.custom_actions.push(probe("N", DLL_BINARY));
            f.custom_actions.push(probe("Outer", DLL_BINARY));
            f.execute_sequence.push(seq("Outer", 1450));
            (
                w,
                plan(
                    f,
                    &[
                        ("Outer", Context::ImmediateBeforeInit, vec![do_action(Some("N"))], 0),
                        ("N", Context::ImmediateBeforeInit, vec![], 1602),
                    ],
                    InstallOptions::default(),
                ),
            )
        }
        D::DoActionStatusNotMapped => (
            w,
            in_ctx(
                Context::ScriptImmediate,
                vec![Operation::SessionDoAction {
                    action: st("CostInitialize"),
                }],
            ),
        ),
        D::SequenceSortedAsText => (
            w,
            probes_plan(vec![], &[], InstallOptions::default()),
        ),
        D::TerminationActionsIgnored => (
            w,
            probes_plan(
                vec![(probe("Exit", DLL_BINARY), -1)],
                &[("Exit", Context::ImmediateBeforeInit, vec![], 0)],
                InstallOptions::default(),
            ),
        ),
        D::BadConditionIgnored => (
            w,
            imm(vec![Operation::EvaluateCondition { condition: st("=") }]),
        ),
        D::LogResultsAsSuccess => (w, returning(DLL_BINARY, 1603)),
        D::NotCalledFails => (w, returning(DLL_BINARY, 1626)),
        D::UserExitAsFailure => (w, returning(DLL_BINARY, 1602)),
        D::Return259Fails => (w, returning(DLL_BINARY, 259)),
        D::OtherReturnIgnored => (w, returning(DLL_BINARY, 1)),
        D::SuspendAsFailure => (w, returning(DLL_BINARY, 1604)),
        D::ContinueFlagIgnored => (w, returning(DLL_BINARY | CONTINUE, 1)),
        D::ExeExitCodeIgnored => (w, returning(EXE_BINARY, 3)),
        D::Type19Succeeds => {
            let mut f = Fixture::standard();
            f.custom_actions.push(ca("Err", ERROR, None, Some("stop")));
            f.execute_sequence.push(seq("Err", 1450));
            (w, plan(f, &[], InstallOptions::default()))
        }
        D::ScriptReturnMisread => (w, returning(JSCRIPT_BINARY, 3)),
        D::UndefinedPropertyFails => (w, pkg(vec![get("nope")])),
        D::MoreDataSizeOffByOne => (w, pkg(vec![gp("ProductName", Buffer::Sized(1), false)])),
        D::FormatRecordNullSizeAccepted => (
            w,
            pkg(vec![Operation::FormatRecord { null_record: false,
                template: "abc".into(),
                fields: Vec::new(),
                buffer: Buffer::NullSize,
                ansi: false,
                handle: HandleArg::Session,
            }]),
        ),
        D::FormatNullRecordFormats => (
            w,
            pkg(vec![Operation::FormatRecord {
                template: "abc".into(),
                null_record: true,
                fields: Vec::new(),
                buffer: Buffer::Ample,
                ansi: false,
                handle: HandleArg::Session,
            }]),
        ),
        D::InScriptSizeCountsTerminator => (w, in_ctx(Context::Deferred, vec![get("ProductCode")])),
        D::PropertyNamesFoldCase => (w, pkg(vec![set(Some("boo"), Some("xyz")), get("BOO")])),
        D::AnsiSizeInCharsInCustomActions => {
            (w, imm(vec![gp("ProductName", Buffer::NullBuffer(0), true)]))
        }
        D::AnsiSizeInBytesEverywhere => {
            (w, pkg(vec![gp("ProductName", Buffer::NullBuffer(0), true)]))
        }
        D::GetPropertyArgsUnchecked => (w, pkg(vec![get_buf(None, Buffer::Ample, false)])),
        D::EmptyValueKeepsProperty => (
            w,
            pkg(vec![
                active_db(),
                set(Some("X"), Some("a")),
                set(Some("X"), Some("")),
                sql("SELECT * FROM `_Property` WHERE `_Property` = 'X'"),
            ]),
        ),
        D::SetPropertyArgsUnchecked => (w, pkg(vec![set(Some(""), Some("v"))])),
        D::PropertyNamesValidated => (w, pkg(vec![set(Some("="), Some("x"))])),
        D::PrivatePropertiesFromCommandLine => (
            w,
            steps_on(
                Fixture::standard(),
                vec![(Context::ImmediateBeforeInit, get("myProp"))],
                Some(install(&[("myProp", "1")], UiLevel::None)),
            ),
        ),
        D::SetPropertyFormatsValue => (
            w,
            pkg(vec![set(Some("p"), Some("[ProductName]")), get("p")]),
        ),
        D::EmbeddedNulTruncates => (
            w,
            steps_on(
                fixture51(vec![("SetNul", "prop2", "[~]np", 1410)]),
                vec![(Context::ImmediateBeforeInit, get("prop2"))],
                None,
            ),
        ),
        D::PropertyTableIsLive => (
            w,
            pkg(vec![
                active_db(),
                sql("INSERT INTO `Property` (`Property`, `Value`) VALUES ('dantes', 'mercedes')"),
                get("dantes"),
            ]),
        ),
        D::EnvironmentPrefixIgnored => (w, pkg(vec![get("%PATH")])),
        D::DeferredSeesAllProperties => (w, in_ctx(Context::Deferred, vec![get("ProductName")])),
        D::CustomActionDataIgnoresCase => (
            w,
            steps_on(
                fixture51(vec![("SetCad", "probedeferred", "x", 1590)]),
                vec![(Context::Deferred, get("CustomActionData"))],
                None,
            ),
        ),
        D::CustomActionDataReadAtRunTime => (
            w,
            steps_on(
                fixture51(vec![
                    ("SetA", "ProbeDeferred", "A", 1590),
                    ("SetB", "ProbeDeferred", "B", 1650),
                ]),
                vec![(Context::Deferred, get("CustomActionData"))],
                None,
            ),
        ),
        D::ImmediateSeesCustomActionData => (
            w,
            steps_on(
                fixture51(vec![("SetCad", "ProbeImmediate", "x", 1410)]),
                vec![(Context::ImmediateBeforeInit, get("CustomActionData"))],
                None,
            ),
        ),
        D::DeferredRunsInPlace => (
            w,
            probes_plan(
                vec![
                    (probe("Def", DLL_BINARY | IN_SCRIPT), 1600),
                    (probe("Late", DLL_BINARY), 1700),
                ],
                &[
                    ("Def", Context::Deferred, vec![], 0),
                    ("Late", Context::ImmediateAfterInit, vec![], 0),
                ],
                InstallOptions::default(),
            ),
        ),
        D::WrongRunModesInRollbackCommit => (w, in_ctx(Context::Commit, vec![mode(18)])),
        D::DeferredReportsAllModes => (w, in_ctx(Context::Deferred, vec![mode(3)])),
        D::RebootModesRefused => (w, pkg(vec![Operation::SetMode { mode: 7, state: true }])),
        D::RebootModeNotSettable => (
            w,
            imm(vec![Operation::SetMode { mode: 6, state: true }, mode(6)]),
        ),
        D::CommitSeesProductCode => (w, in_ctx(Context::Commit, vec![get("ProductCode")])),
        D::DeferredLanguageZero => (w, in_ctx(Context::Deferred, vec![Operation::GetLanguage])),
        D::DeferredFormatsAllProperties => {
            (w, in_ctx(Context::Deferred, vec![fmt("[ProductName]", &[])]))
        }
        D::DeferredMessagesRefused => (
            w,
            in_ctx(
                Context::Deferred,
                vec![Operation::ProcessMessage {
                    kind: 0x0400_0000,
                    fields: vec!["x".into()],
                }],
            ),
        ),
        D::DeferredSetPropertyTakesEffect => (
            w,
            probes_plan(
                vec![
                    (probe("Def", DLL_BINARY | IN_SCRIPT), 1600),
                    (probe("After", DLL_BINARY), 6700),
                ],
                &[
                    ("Def", Context::Deferred, vec![set(Some("X"), Some("1"))], 0),
                    ("After", Context::ImmediateBeforeInit, vec![get("X")], 0),
                ],
                InstallOptions::default(),
            ),
        ),
        D::DeferredGetsDatabase => (w, in_ctx(Context::Deferred, vec![active_db()])),
        D::RollbackRunsAsDeferred => (w, in_ctx(Context::Rollback, vec![mode(17)])),
        D::FirstSequenceIgnored => {
            let mut f = Fixture::standard();
            f.custom_actions.push(probe("Once", DLL_BINARY | FIRST_SEQUENCE));
            f.ui_sequence.push(seq("Once", 1001));
            f.execute_sequence.push(seq("Once", 1450));
            (
                w,
                plan(
                    f,
                    &[("Once", Context::ImmediateUi, vec![], 0)],
                    install(&[], UiLevel::Full),
                ),
            )
        }
        D::CommitRunsWithoutRollback => (
            w,
            steps_on(
                Fixture::standard(),
                vec![(Context::Commit, mode(18))],
                Some(install(&[("DISABLEROLLBACK", "1")], UiLevel::None)),
            ),
        ),
        D::ActiveDatabaseSameHandle => (
            w,
            imm(vec![
                Operation::GetActiveDatabase { into: "h1".into() },
                Operation::GetActiveDatabase { into: "h2".into() },
            ]),
        ),
        D::PersistentRowsWritable => (
            w,
            imm(vec![
                active_db(),
                sql("INSERT INTO `Property` (`Property`, `Value`) VALUES ('A', 'b')"),
            ]),
        ),
        D::PersistentTablesCreatable => (
            w,
            imm(vec![
                active_db(),
                sql("CREATE TABLE `New` (`A` INTEGER PRIMARY KEY `A`)"),
            ]),
        ),
        D::SummaryInfoWritable => (
            w,
            imm(vec![
                active_db(),
                Operation::SetSummaryInfo {
                    db: "db".into(),
                    property: 2,
                    value: "x".into(),
                },
            ]),
        ),
        D::ForbiddenDatabaseCallsAllowed => {
            (w, imm(vec![Operation::GetDatabaseState { db: None }]))
        }
        D::SecondSessionAllowed => (
            w,
            imm(vec![Operation::OpenPackage {
                source: PackageSource::PackageFile,
                into: "pkg".into(),
            }]),
        ),
        D::ExeGetsSession => (w, in_ctx(Context::Exe, vec![Operation::HasSession])),
        D::ExeCommandLineAtRunTime => {
            let mut f = fixture51(vec![("SetX", "X", "before", 1510), ("SetY", "X", "after", 1530)]);
            f.custom_actions.push(ca("Exe", EXE_BINARY | IN_SCRIPT, Some("probeexe"), Some("[X]")));
            f.execute_sequence.push(seq("Exe", 1520));
            (
                w,
                plan(
                    f,
                    &[("Exe", Context::Exe, vec![Operation::CommandLine], 0)],
                    InstallOptions::default(),
                ),
            )
        }
        D::InstallLevelIgnored => (
            w,
            imm(vec![Operation::SetInstallLevel { level: 5 }, get("INSTALLLEVEL")]),
        ),
        D::SelectRefusedInCustomActions => (
            w,
            imm(vec![active_db(), sql("SELECT `Value` FROM `Property`")]),
        ),
        D::TempTablePersistent => (
            w,
            pkg(vec![
                active_db(),
                sql("CREATE TABLE `T` (`A` INTEGER TEMPORARY PRIMARY KEY `A`) HOLD"),
                table_persistent("T"),
            ]),
        ),
        D::TempColumnOrderUnchecked => (
            w,
            pkg(vec![
                active_db(),
                sql("CREATE TABLE `T4` (`B` SHORT NOT NULL, `C` CHAR(255) TEMPORARY PRIMARY KEY `C`)"),
            ]),
        ),
        D::HoldCountIgnored => (
            w,
            pkg(vec![
                active_db(),
                sql("CREATE TABLE `T` (`B` SHORT NOT NULL TEMPORARY, `C` CHAR(255) TEMPORARY PRIMARY KEY `C`) HOLD"),
                sql("ALTER TABLE `T` FREE"),
                sql("SELECT * FROM `T`"),
            ]),
        ),
        D::AlterAddDuplicateAllowed => (
            w,
            pkg(vec![
                active_db(),
                sql("CREATE TABLE `U` (`A` INTEGER, `B` INTEGER PRIMARY KEY `B`)"),
                sql("ALTER TABLE `U` ADD `C` INTEGER"),
                sql("ALTER TABLE `U` ADD `C` INTEGER"),
            ]),
        ),
        D::TemporaryRowsKeptAfterCommit => (
            w,
            steps_on(
                test_table(),
                [
                    active_db(),
                    sql("INSERT INTO `Test` (`A`, `B`) VALUES (2, 'two') TEMPORARY"),
                    Operation::Commit { db: "db".into() },
                    Operation::OpenDatabase { into: "disk".into() },
                    Operation::Sql {
                        db: "disk".into(),
                        sql: "SELECT * FROM `Test`".into(),
                    },
                ]
                .into_iter()
                .map(|o| (Context::Package, o))
                .collect(),
                None,
            ),
        ),
        D::InsertTemporaryDuplicatesAllowed => (
            w,
            steps_on(
                test_table(),
                [
                    active_db(),
                    Operation::OpenView {
                        db: "db".into(),
                        sql: st("SELECT * FROM `Test`"),
                        into: "view".into(),
                        null_out: false,
                    },
                    Operation::Modify {
                        view: "view".into(),
                        kind: ModifyKind::InsertTemporary,
                        record: Some(vec!["1".into(), "uno".into()]),
                    },
                ]
                .into_iter()
                .map(|o| (Context::Package, o))
                .collect(),
                None,
            ),
        ),
        D::SystemTablesPersistent => (w, pkg(vec![active_db(), table_persistent("_Tables")])),
        D::Type51NotFormatted => (
            w,
            steps_on(
                fixture51(vec![("Set", "MYPROP", "[ProductName]", 1410)]),
                vec![(Context::ImmediateBeforeInit, get("MYPROP"))],
                None,
            ),
        ),
        D::FormatUnknownPropertyKept => (w, pkg(vec![fmt("[nope]", &[])])),
        D::FormatEscapeKept => (w, pkg(vec![fmt(r"[\[]", &[])])),
        D::SessionPropertyEmptyNameAccepted => (
            w,
            in_ctx(
                Context::ScriptImmediate,
                vec![Operation::SessionPropertySet {
                    name: st(""),
                    value: st("x"),
                }],
            ),
        ),
        D::AnyModeSettable => (w, imm(vec![Operation::SetMode { mode: 2, state: true }])),
        D::RollbackNotReversed => (
            w,
            probes_plan(
                vec![
                    (probe("RbA", DLL_BINARY | IN_SCRIPT | ROLLBACK), 1591),
                    (probe("RbB", DLL_BINARY | IN_SCRIPT | ROLLBACK), 1592),
                    (probe("Fail", DLL_BINARY | IN_SCRIPT), 1600),
                ],
                &[
                    ("RbA", Context::Rollback, vec![], 0),
                    ("RbB", Context::Rollback, vec![], 0),
                    ("Fail", Context::Deferred, vec![], 1603),
                ],
                InstallOptions::default(),
            ),
        ),
        D::CommitsReversed => (
            w,
            probes_plan(
                vec![
                    (probe("CmA", DLL_BINARY | IN_SCRIPT | COMMIT), 1601),
                    (probe("CmB", DLL_BINARY | IN_SCRIPT | COMMIT), 1602),
                ],
                &[
                    ("CmA", Context::Commit, vec![], 0),
                    ("CmB", Context::Commit, vec![], 0),
                ],
                InstallOptions::default(),
            ),
        ),
        D::SequenceZeroRuns => (
            w,
            probes_plan(
                vec![(probe("Zero", DLL_BINARY), 0)],
                &[("Zero", Context::ImmediateBeforeInit, vec![], 0)],
                InstallOptions::default(),
            ),
        ),
        D::CustomActionDataPerName => {
            let mut f = fixture_with(vec![(probe("Imm", DLL_BINARY), 1550)]);
            f.custom_actions.push(probe("Def", DLL_BINARY | IN_SCRIPT));
            (
                w,
                plan(
                    f,
                    &[
                        (
                            "Imm",
                            Context::ImmediateAfterInit,
                            vec![
                                set(Some("Def"), Some("one")),
                                do_action(Some("Def")),
                                set(Some("Def"), Some("two")),
                                do_action(Some("Def")),
                            ],
                            0,
                        ),
                        ("Def", Context::Deferred, vec![get("CustomActionData")], 0),
                    ],
                    InstallOptions::default(),
                ),
            )
        }
        D::ConditionStringsFoldCase => (
            w,
            pkg(vec![Operation::EvaluateCondition {
                condition: st("\"abc\" = \"ABC\""),
            }]),
        ),
        D::MoreDataBufferUntouched => (
            w,
            pkg(vec![
                set(Some("boo"), Some("xyz")),
                gp("boo", Buffer::Sized(3), false),
            ]),
        ),
        D::FirstSequenceSkipsOnlyWhenRan => (
            w,
            probes_plan(
                vec![(probe("Once", DLL_BINARY | FIRST_SEQUENCE), 1450)],
                &[("Once", Context::ImmediateBeforeInit, vec![], 0)],
                install(&[], UiLevel::Full),
            ),
        ),
        D::OncePerProcessAsClientRepeat => (
            w,
            probes_plan(
                vec![(probe("Opp", DLL_BINARY | ONCE_PER_PROCESS), 1450)],
                &[("Opp", Context::ImmediateBeforeInit, vec![], 0)],
                InstallOptions::default(),
            ),
        ),
        D::ClientRepeatAlwaysRuns => (
            w,
            probes_plan(
                vec![(probe("Rep", DLL_BINARY | CLIENT_REPEAT), 1450)],
                &[("Rep", Context::ImmediateBeforeInit, vec![], 0)],
                InstallOptions::default(),
            ),
        ),
        D::ContinueIgnoredByDoAction => {
            let mut f = fixture_with(vec![(probe("Caller", DLL_BINARY), 1450)]);
            f.custom_actions.push(probe("Cont", DLL_BINARY | CONTINUE));
            (
                w,
                plan(
                    f,
                    &[
                        (
                            "Caller",
                            Context::ImmediateBeforeInit,
                            vec![do_action(Some("Cont"))],
                            0,
                        ),
                        ("Cont", Context::ImmediateBeforeInit, vec![], 1603),
                    ],
                    InstallOptions::default(),
                ),
            )
        }
        D::SessionMessageStatusWrong => (
            w,
            in_ctx(
                Context::ScriptImmediate,
                vec![Operation::SessionMessage {
                    kind: 0x0400_0000,
                    fields: vec![],
                }],
            ),
        ),
        D::RecordCreateUnbounded => (w, pkg(vec![create_record(70000)])),
        D::RecordBadHandleCountZero => (
            w,
            pkg(vec![Operation::RecordFieldCount {
                record: "none".into(),
            }]),
        ),
        D::RecordEmptyStringKept => (
            w,
            pkg(vec![
                create_record(1),
                rec_set_string(1, Some("")),
                rec_is_null(1),
            ]),
        ),
        D::RecordGrowsOnSet => (
            w,
            imm(vec![
                create_record(0),
                Operation::RecordSetInteger {
                    record: "rec".into(),
                    field: 1,
                    value: 1,
                },
            ]),
        ),
        D::RecordMoreDataAsSuccess => (
            w,
            pkg(vec![
                create_record(1),
                rec_set_string(1, Some("hello")),
                Operation::RecordGetString {
                    record: "rec".into(),
                    field: 1,
                    buffer: Buffer::Sized(3),
                },
            ]),
        ),
        D::ColumnTypesIgnoreNullable => {
            let mut plan = pkg(vec![
                Operation::GetActiveDatabase { into: "db".into() },
                Operation::OpenView {
                    db: "db".into(),
                    sql: Some("SELECT * FROM `Test`".into()),
                    into: "view".into(),
                    null_out: false,
                },
                Operation::ViewColumnInfo {
                    view: "view".into(),
                    info: msiconf_spec::ColumnInfo::Types,
                    into: "rec".into(),
                },
                Operation::RecordGetString {
                    record: "rec".into(),
                    field: 2,
                    buffer: Buffer::Ample,
                },
            ]);
            plan.fixture = test_table();
            (w, plan)
        }
        D::PrimaryKeysListAllColumns => {
            let mut plan = imm(vec![
                Operation::GetActiveDatabase { into: "db".into() },
                Operation::PrimaryKeys {
                    db: "db".into(),
                    table: Some("Test".into()),
                    into: "rec".into(),
                },
                Operation::RecordFieldCount {
                    record: "rec".into(),
                },
            ]);
            plan.fixture.tables = test_table().tables;
            (w, plan)
        }
        D::SummaryOpenNullOutAccepted => (
            w,
            imm(vec![
                Operation::GetActiveDatabase { into: "db".into() },
                summary_info(true),
            ]),
        ),
        D::SummaryCountOffByOne => (
            w,
            pkg(vec![
                Operation::GetActiveDatabase { into: "db".into() },
                summary_info(false),
                Operation::SummaryPropertyCount {
                    summary: "sum".into(),
                    null_out: false,
                },
            ]),
        ),
        D::SummaryIntegersAsStrings => (
            Documented,
            pkg(vec![
                Operation::GetActiveDatabase { into: "db".into() },
                summary_info(false),
                Operation::SummaryGetProperty {
                    summary: "sum".into(),
                    property: 14,
                    buffer: Buffer::Ample,
                },
            ]),
        ),
        D::SummaryMoreDataCountsTerminator => (
            w,
            pkg(vec![
                Operation::GetActiveDatabase { into: "db".into() },
                summary_info(false),
                Operation::SummaryGetProperty {
                    summary: "sum".into(),
                    property: 2,
                    buffer: Buffer::Sized(3),
                },
            ]),
        ),
        D::ViewErrorBadHandleNoError => (Documented, pkg(vec![view_error(Buffer::Ample)])),
        D::ViewErrorNotRecorded => {
            let mut plan = imm(vec![
                Operation::GetActiveDatabase { into: "db".into() },
                Operation::OpenView {
                    db: "db".into(),
                    sql: Some("SELECT * FROM `Test`".into()),
                    into: "view".into(),
                    null_out: false,
                },
                Operation::Modify {
                    view: "view".into(),
                    kind: ModifyKind::ValidateNew,
                    record: Some(vec!["1".into(), "x".into()]),
                },
                view_error(Buffer::Ample),
            ]);
            plan.fixture.tables = test_table().tables;
            add_validation(&mut plan.fixture);
            (w, plan)
        }
        D::ViewErrorSizeCountsTerminator => {
            let mut plan = pkg(vec![
                Operation::GetActiveDatabase { into: "db".into() },
                Operation::OpenView {
                    db: "db".into(),
                    sql: Some("SELECT * FROM `Test`".into()),
                    into: "view".into(),
                    null_out: false,
                },
                view_error(Buffer::Sized(0)),
            ]);
            plan.fixture = test_table();
            (w, plan)
        }
        D::DllGlobalsKept => (
            w,
            steps(vec![
                (Context::ImmediateBeforeInit, Operation::DllCounter),
                (Context::ImmediateAfterInit, Operation::DllCounter),
            ]),
        ),
        D::EnvironmentPerAction => (
            w,
            steps(vec![
                (
                    Context::ImmediateBeforeInit,
                    Operation::SetEnvironment {
                        name: "MSICONF_SHARED".into(),
                        value: Some("1".into()),
                    },
                ),
                (
                    Context::ImmediateAfterInit,
                    Operation::GetEnvironment {
                        name: "MSICONF_SHARED".into(),
                    },
                ),
            ]),
        ),
        D::ComThreadInitialised => (w, imm(vec![Operation::ComInitSta])),
        D::StreamLeftCountsWhole => (
            w,
            in_ctx(
                Context::Deferred,
                vec![
                    create_record(1),
                    Operation::RecordSetStream {
                        record: "rec".into(),
                        field: 1,
                        data: Some("abc".into()),
                    },
                    Operation::RecordReadStream {
                        record: "rec".into(),
                        field: 1,
                        buffer: Buffer::Sized(1),
                    },
                    Operation::RecordReadStream {
                        record: "rec".into(),
                        field: 1,
                        buffer: Buffer::NullBuffer(0),
                    },
                ],
            ),
        ),
        D::RecordIntegerParseLenient => (
            w,
            in_ctx(
                Context::Deferred,
                vec![
                    create_record(1),
                    rec_set_string(1, Some(" 42")),
                    Operation::RecordGetInteger {
                        record: "rec".into(),
                        field: 1,
                    },
                ],
            ),
        ),
    }
}

fn create_record(fields: u32) -> Operation {
    Operation::CreateRecord {
        fields,
        into: "rec".into(),
    }
}

fn rec_set_string(field: u32, value: Option<&str>) -> Operation {
    Operation::RecordSetString {
        record: "rec".into(),
        field,
        value: value.map(str::to_owned),
    }
}

fn rec_is_null(field: u32) -> Operation {
    Operation::RecordIsNull {
        record: "rec".into(),
        field,
    }
}

#[test]
fn every_deviation_changes_its_scenario() {
    let mut unchanged = Vec::new();
    for &d in Deviation::ALL {
        let (profile, plan) = scenario(d);
        let reference = run(&plan, &config(profile));
        let broken = run(&plan, &deviated(profile, d));
        assert!(
            reference
                .events
                .iter()
                .all(|e| e.outcome.unsupported.is_none()),
            "{}: the reference could not perform a step: {reference:#?}",
            d.name()
        );
        if reference == broken {
            unchanged.push(d.name());
        }
    }
    assert!(
        unchanged.is_empty(),
        "deviations with no effect: {unchanged:?}"
    );
}

#[test]
fn deviation_names_are_unique_and_cite_rules() {
    for &d in Deviation::ALL {
        assert_eq!(Deviation::from_name(d.name()), Some(d));
        assert!(!d.breaks().is_empty());
        assert!(!d.description().is_empty());
    }
    let _: Config = deviated(Profile::Windows, Deviation::ALL[0]);
}

fn view_error(buffer: Buffer) -> Operation {
    Operation::ViewGetError {
        view: "view".into(),
        buffer,
    }
}

/// `_Validation` rows for `Test`'s columns, so MsiViewModify validates it.
fn add_validation(f: &mut Fixture) {
    use msiconf_spec::fixture::{Column, Table};
    let col = |name: &str, kind: &str, key: bool| Column {
        name: name.into(),
        kind: kind.into(),
        key,
    };
    let row = |column: &str| {
        let mut r = vec!["Test".to_owned(), column.to_owned(), "N".to_owned()];
        r.resize(10, String::new());
        r
    };
    f.tables.push(Table {
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
        rows: vec![row("A"), row("B")],
    });
}

fn summary_info(null_out: bool) -> Operation {
    Operation::SummaryInfo {
        db: "db".into(),
        update_count: 0,
        null_out,
        into: "sum".into(),
    }
}
