//! Plans shared by the protocol tests and the protocol benchmark.
#![allow(dead_code)]

use msiconf_spec::{
    Buffer, Context, Fixture, HandleArg, ModifyKind, OpKind, Operation, PackageSource, Plan,
    PlanBuilder,
};

/// An operation of `kind` with ordinary arguments, so every kind can be put in a plan.
pub fn sample(kind: OpKind) -> Operation {
    let s = |v: &str| Some(v.to_owned());
    match kind {
        OpKind::DoAction => Operation::DoAction {
            action: s("CostInitialize"),
            handle: HandleArg::Session,
        },
        OpKind::Sequence => Operation::Sequence {
            table: s("TestSequence"),
        },
        OpKind::GetProperty => Operation::GetProperty {
            name: s("ProductName"),
            buffer: Buffer::Sized(4),
            ansi: true,
            handle: HandleArg::Session,
        },
        OpKind::SetProperty => Operation::SetProperty {
            ansi: false,
            name: s("PROP"),
            value: s("value"),
            handle: HandleArg::Session,
        },
        OpKind::GetMode => Operation::GetMode {
            mode: 16,
            handle: HandleArg::Session,
        },
        OpKind::SetMode => Operation::SetMode {
            mode: 6,
            state: true,
        },
        OpKind::GetLanguage => Operation::GetLanguage,
        OpKind::GetTargetPath => Operation::GetTargetPath {
            folder: s("TARGETDIR"),
            buffer: Buffer::Sized(2),
            ansi: true,
            handle: HandleArg::Session,
        },
        OpKind::SetTargetPath => Operation::SetTargetPath {
            folder: s("ParentDir"),
            path: s("C:\\\\one\\two "),
            handle: HandleArg::Session,
        },
        OpKind::GetFeatureState => Operation::GetFeatureState {
            feature: s("One"),
            null_out: true,
        },
        OpKind::SetFeatureState => Operation::SetFeatureState {
            feature: s("One"),
            state: 4,
        },
        OpKind::SetFeatureAttributes => Operation::SetFeatureAttributes {
            feature: s("One"),
            attributes: 1,
        },
        OpKind::GetComponentState => Operation::GetComponentState {
            component: s("Child"),
            null_out: false,
        },
        OpKind::SetComponentState => Operation::SetComponentState {
            component: None,
            state: -1,
        },
        OpKind::GetSourcePath => Operation::GetSourcePath {
            folder: s("TARGETDIR"),
            buffer: Buffer::NullSize,
            ansi: false,
            handle: HandleArg::Zero,
        },
        OpKind::GetFeatureValidStates => Operation::GetFeatureValidStates {
            feature: s("One"),
            null_out: false,
        },
        OpKind::GetFeatureCost => Operation::GetFeatureCost {
            feature: s("One"),
            tree: 1,
            state: 3,
            null_out: true,
        },
        OpKind::EnumComponentCosts => Operation::EnumComponentCosts {
            component: None,
            index: 1,
            state: 2,
            buffer: Buffer::Sized(3),
            null_cost: false,
            null_temp: true,
        },
        OpKind::VerifyDiskSpace => Operation::VerifyDiskSpace {
            handle: HandleArg::Bogus,
        },
        OpKind::GetLastErrorRecord => Operation::GetLastErrorRecord,
        OpKind::CreateRecord => Operation::CreateRecord {
            fields: 2,
            into: "rec".into(),
        },
        OpKind::RecordFieldCount => Operation::RecordFieldCount {
            record: "rec".into(),
        },
        OpKind::RecordSetString => Operation::RecordSetString {
            record: "rec".into(),
            field: 1,
            value: s("text"),
        },
        OpKind::RecordSetInteger => Operation::RecordSetInteger {
            record: "rec".into(),
            field: 2,
            value: -7,
        },
        OpKind::RecordGetString => Operation::RecordGetString {
            record: "rec".into(),
            field: 1,
            buffer: Buffer::Sized(3),
        },
        OpKind::RecordGetInteger => Operation::RecordGetInteger {
            record: "rec".into(),
            field: 2,
        },
        OpKind::RecordIsNull => Operation::RecordIsNull {
            record: "rec".into(),
            field: 0,
        },
        OpKind::RecordDataSize => Operation::RecordDataSize {
            record: "rec".into(),
            field: 1,
        },
        OpKind::RecordClearData => Operation::RecordClearData {
            record: "rec".into(),
        },
        OpKind::SetEnvironment => Operation::SetEnvironment {
            name: "MSICONF_TEST".into(),
            value: Some("1".into()),
        },
        OpKind::GetEnvironment => Operation::GetEnvironment {
            name: "MSICONF_TEST".into(),
        },
        OpKind::DllCounter => Operation::DllCounter,
        OpKind::ComInitSta => Operation::ComInitSta,
        OpKind::ComCreate => Operation::ComCreate,
        OpKind::RecordSetStream => Operation::RecordSetStream {
            record: "rec".into(),
            field: 1,
            data: Some("bytes".into()),
        },
        OpKind::RecordReadStream => Operation::RecordReadStream {
            record: "rec".into(),
            field: 1,
            buffer: Buffer::Sized(3),
        },
        OpKind::ViewColumnInfo => Operation::ViewColumnInfo {
            view: "view".into(),
            info: msiconf_spec::ColumnInfo::Types,
            into: "cols".into(),
        },
        OpKind::PrimaryKeys => Operation::PrimaryKeys {
            db: "db".into(),
            table: s("Property"),
            into: "keys".into(),
        },
        OpKind::SummaryInfo => Operation::SummaryInfo {
            db: "db".into(),
            update_count: 0,
            null_out: false,
            into: "sum".into(),
        },
        OpKind::SummaryPropertyCount => Operation::SummaryPropertyCount {
            summary: "sum".into(),
            null_out: false,
        },
        OpKind::SummaryGetProperty => Operation::SummaryGetProperty {
            summary: "sum".into(),
            property: 2,
            buffer: msiconf_spec::Buffer::Sized(8),
        },
        OpKind::ViewGetError => Operation::ViewGetError {
            view: "view".into(),
            buffer: msiconf_spec::Buffer::Sized(4),
        },
        OpKind::ProcessMessage => Operation::ProcessMessage {
            kind: 0x0400_0000,
            fields: vec!["hello".into()],
        },
        OpKind::FormatRecord => Operation::FormatRecord {
            null_record: false,
            template: "[ProductName] [1]".into(),
            fields: vec!["x".into()],
            buffer: Buffer::NullBuffer(0),
            ansi: false,
            handle: HandleArg::Session,
        },
        OpKind::EvaluateCondition => Operation::EvaluateCondition {
            condition: s("ProductLanguage = 1033"),
        },
        OpKind::SetInstallLevel => Operation::SetInstallLevel { level: 3 },
        OpKind::GetActiveDatabase => Operation::GetActiveDatabase { into: "db".into() },
        OpKind::OpenView => Operation::OpenView {
            db: "db".into(),
            sql: s("SELECT * FROM `Property`"),
            into: "view".into(),
            null_out: false,
        },
        OpKind::Execute => Operation::Execute {
            view: "view".into(),
        },
        OpKind::Fetch => Operation::Fetch {
            view: "view".into(),
        },
        OpKind::SetField => Operation::SetField {
            view: "view".into(),
            field: 2,
            value: "x".into(),
        },
        OpKind::Modify => Operation::Modify {
            view: "view".into(),
            kind: ModifyKind::InsertTemporary,
            record: Some(vec!["NEW".into(), "1".into()]),
        },
        OpKind::Sql => Operation::Sql {
            db: "db".into(),
            sql: "SELECT `Value` FROM `Property` WHERE `Property` = 'ProductName'".into(),
        },
        OpKind::Commit => Operation::Commit { db: "db".into() },
        OpKind::IsTablePersistent => Operation::IsTablePersistent {
            db: "db".into(),
            table: s("Property"),
        },
        OpKind::SetSummaryInfo => Operation::SetSummaryInfo {
            db: "db".into(),
            property: 2,
            value: "title".into(),
        },
        OpKind::GetDatabaseState => Operation::GetDatabaseState { db: None },
        OpKind::OpenPackage => Operation::OpenPackage {
            source: PackageSource::PackageFile,
            into: "pkg".into(),
        },
        OpKind::InstallProduct => Operation::InstallProduct {
            command_line: "ACTION=INSTALL".into(),
        },
        OpKind::CloseHandle => Operation::CloseHandle { slot: "db".into() },
        OpKind::OpenDatabase => Operation::OpenDatabase {
            into: "disk".into(),
        },
        OpKind::SessionPropertyGet => Operation::SessionPropertyGet {
            name: s("ProductName"),
        },
        OpKind::SessionPropertySet => Operation::SessionPropertySet {
            name: s("PROP"),
            value: s("v"),
        },
        OpKind::SessionDoAction => Operation::SessionDoAction {
            action: s("CostInitialize"),
        },
        OpKind::SessionMode => Operation::SessionMode { mode: 16 },
        OpKind::SessionSetMode => Operation::SessionSetMode {
            mode: 6,
            state: true,
        },
        OpKind::SessionLanguage => Operation::SessionLanguage,
        OpKind::SessionMessage => Operation::SessionMessage {
            kind: 0x0400_0000,
            fields: vec!["hi".into()],
        },
        OpKind::SessionEvaluateCondition => {
            Operation::SessionEvaluateCondition { condition: s("1") }
        }
        OpKind::SessionDatabase => Operation::SessionDatabase { into: "db".into() },
        OpKind::SessionTargetPath => Operation::SessionTargetPath {
            folder: s("TARGETDIR"),
        },
        OpKind::SessionSetTargetPath => Operation::SessionSetTargetPath {
            folder: s("ParentDir"),
            path: None,
        },
        OpKind::SessionSourcePath => Operation::SessionSourcePath { folder: None },
        OpKind::SessionFeatureValidStates => {
            Operation::SessionFeatureValidStates { feature: s("One") }
        }
        OpKind::SessionFeatureCost => Operation::SessionFeatureCost {
            feature: s("One"),
            tree: 2,
            state: 4,
        },
        OpKind::SessionFeatureCurrentState => {
            Operation::SessionFeatureCurrentState { feature: s("One") }
        }
        OpKind::SessionFeatureRequestState => {
            Operation::SessionFeatureRequestState { feature: s("fake") }
        }
        OpKind::SessionSetFeatureRequestState => Operation::SessionSetFeatureRequestState {
            feature: s("One"),
            state: 2,
        },
        OpKind::SessionComponentCurrentState => Operation::SessionComponentCurrentState {
            component: s("Root"),
        },
        OpKind::SessionComponentRequestState => Operation::SessionComponentRequestState {
            component: s("Dangler"),
        },
        OpKind::SessionSetComponentRequestState => Operation::SessionSetComponentRequestState {
            component: s("Child"),
            state: 4,
        },
        OpKind::InstallerOpenPackage => Operation::InstallerOpenPackage,
        OpKind::CommandLine => Operation::CommandLine,
        OpKind::HasSession => Operation::HasSession,
    }
}

/// One plan per context, each making every call that context allows.
pub fn every_call_in_every_context() -> Vec<Plan> {
    Context::ALL
        .iter()
        .map(|&context| {
            let mut b = PlanBuilder::new(Fixture::standard());
            for &kind in OpKind::ALL {
                if kind.available_in(context) {
                    b.step(context, None, sample(kind));
                }
            }
            b.build()
        })
        .collect()
}

/// A plan of about `steps` property, mode and action calls spread over the
/// package and the immediate and deferred probes: the benchmark's unit of work.
pub fn mixed_plan(steps: usize, seed: usize) -> Plan {
    let mut b = PlanBuilder::new(Fixture::standard());
    let contexts = [
        Context::Package,
        Context::ImmediateBeforeInit,
        Context::ImmediateAfterInit,
        Context::Deferred,
    ];
    for i in 0..steps {
        let context = contexts[(i + seed) % contexts.len()];
        let op = match (i + seed) % 5 {
            0 => Operation::SetProperty {
                ansi: false,
                name: Some(format!("P{i}")),
                value: Some(format!("v{seed}")),
                handle: HandleArg::Session,
            },
            1 => Operation::GetProperty {
                name: Some(format!("P{}", i.saturating_sub(1))),
                buffer: Buffer::Ample,
                ansi: false,
                handle: HandleArg::Session,
            },
            2 => Operation::GetMode {
                mode: 16,
                handle: HandleArg::Session,
            },
            3 => Operation::DoAction {
                action: Some("CostInitialize".into()),
                handle: HandleArg::Session,
            },
            _ => Operation::GetLanguage,
        };
        let op = if context == Context::Deferred && matches!(op, Operation::DoAction { .. }) {
            Operation::GetLanguage
        } else {
            op
        };
        b.step(context, None, op);
    }
    b.build()
}
