//! Every call the catalog uses to observe a rule.
//!
//! Handles never appear as numbers in a plan: a call that returns a handle
//! stores it in a named *slot* (`into = "db"`), and later calls name the slot.
//! Outcomes report handles normalised to their order of first appearance, so
//! transcripts from different runtimes compare equal.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which handle a session call is made on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum HandleArg {
    /// The handle the context provides: the package handle, or the custom action's hInstall.
    #[default]
    Session,
    /// Handle 0.
    Zero,
    /// A value that was never a handle (the catalog uses 0xdeadbeef and -1).
    Bogus,
}

impl HandleArg {
    fn is_session(&self) -> bool {
        *self == HandleArg::Session
    }
}

/// How the output buffer of a string getter (MsiGetProperty, MsiFormatRecord) is supplied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum Buffer {
    /// A buffer large enough for any value used in the suite (1024 characters).
    #[default]
    Ample,
    /// A buffer of this many characters, with the size argument set to the same number.
    Sized(u32),
    /// A NULL buffer with the size argument set to this number.
    NullBuffer(u32),
    /// A buffer but a NULL size pointer.
    NullSize,
    /// A NULL buffer and a NULL size pointer.
    NullBoth,
}

impl Buffer {
    fn is_ample(&self) -> bool {
        *self == Buffer::Ample
    }
}

/// The `eModifyMode` argument of MsiViewModify (MSIMODIFY_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum ModifyKind {
    Seek,
    Refresh,
    Insert,
    Update,
    Assign,
    Replace,
    Merge,
    Delete,
    InsertTemporary,
    Validate,
    ValidateNew,
    ValidateField,
    ValidateDelete,
}

impl ModifyKind {
    /// The MSIMODIFY numeric value.
    pub fn code(self) -> i32 {
        match self {
            ModifyKind::Seek => -1,
            ModifyKind::Refresh => 0,
            ModifyKind::Insert => 1,
            ModifyKind::Update => 2,
            ModifyKind::Assign => 3,
            ModifyKind::Replace => 4,
            ModifyKind::Merge => 5,
            ModifyKind::Delete => 6,
            ModifyKind::InsertTemporary => 7,
            ModifyKind::Validate => 8,
            ModifyKind::ValidateNew => 9,
            ModifyKind::ValidateField => 10,
            ModifyKind::ValidateDelete => 11,
        }
    }
}

/// What MsiOpenPackage (or `Installer.OpenPackage`) is asked to open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum PackageSource {
    /// The package file of the running install.
    #[default]
    PackageFile,
    /// `"#<handle>"` naming the active database handle held in slot `db`.
    DatabaseHandle,
}

/// What MsiViewGetColumnInfo is asked for (MSICOLINFO_*).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum ColumnInfo {
    /// MSICOLINFO_NAMES (0): the column names.
    #[default]
    Names,
    /// MSICOLINFO_TYPES (1): the column type strings (`s72`, `I2`, `G255`, ...).
    Types,
}

impl ColumnInfo {
    /// The MSICOLINFO value.
    pub fn code(self) -> u32 {
        match self {
            ColumnInfo::Names => 0,
            ColumnInfo::Types => 1,
        }
    }
}

fn default_db() -> String {
    "db".to_owned()
}
fn default_view() -> String {
    "view".to_owned()
}
fn default_package() -> String {
    "pkg".to_owned()
}
fn is_default_db(s: &str) -> bool {
    s == "db"
}
fn is_default_view(s: &str) -> bool {
    s == "view"
}
fn is_default_package(s: &str) -> bool {
    s == "pkg"
}
fn default_summary() -> String {
    "sum".to_owned()
}
fn is_default_summary(s: &str) -> bool {
    s == "sum"
}
fn default_record() -> String {
    "rec".to_owned()
}
fn is_default_record(s: &str) -> bool {
    s == "rec"
}
fn default_disk() -> String {
    "disk".to_owned()
}
fn is_default_disk(s: &str) -> bool {
    s == "disk"
}
fn is_zero(n: &u32) -> bool {
    *n == 0
}
fn is_zero_i32(n: &i32) -> bool {
    *n == 0
}

/// INSTALLSTATE_LOCAL, the state a cost call asks about when a case names none.
fn default_cost_state() -> i32 {
    3
}

fn is_local_state(n: &i32) -> bool {
    *n == 3
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One call into the session API, with its arguments.
///
/// The C forms are named after the function without its `Msi` prefix; the
/// automation forms (script contexts) start with `session-` or `installer-`.
/// `None` for an optional string argument means a NULL pointer (C) or Null (automation).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case",
    deny_unknown_fields
)]
pub enum Operation {
    /// MsiDoAction(handle, action).
    DoAction {
        action: Option<String>,
        #[serde(default, skip_serializing_if = "HandleArg::is_session")]
        handle: HandleArg,
    },
    /// MsiSequence(handle, table, 0).
    Sequence { table: Option<String> },
    /// MsiGetPropertyW (or MsiGetPropertyA with `ansi`).
    GetProperty {
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Buffer::is_ample")]
        buffer: Buffer,
        #[serde(default, skip_serializing_if = "is_false")]
        ansi: bool,
        #[serde(default, skip_serializing_if = "HandleArg::is_session")]
        handle: HandleArg,
    },
    /// MsiSetPropertyW (or MsiSetPropertyA with `ansi`)(handle, name, value).
    SetProperty {
        name: Option<String>,
        value: Option<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        ansi: bool,
        #[serde(default, skip_serializing_if = "HandleArg::is_session")]
        handle: HandleArg,
    },
    /// MsiGetMode(handle, mode); the BOOL comes back as `number`.
    GetMode {
        mode: u32,
        #[serde(default, skip_serializing_if = "HandleArg::is_session")]
        handle: HandleArg,
    },
    /// MsiSetMode(handle, mode, state).
    SetMode { mode: u32, state: bool },
    /// MsiGetLanguage(handle); the LANGID comes back as `number`.
    GetLanguage,
    /// MsiProcessMessage with a record of `fields`; the result comes back as `number`.
    ProcessMessage { kind: u32, fields: Vec<String> },
    /// MsiFormatRecordW on a record whose field 0 is `template` and fields 1.. are `fields`
    /// (with `null-record`, record handle 0 instead, and `template` and `fields` unused).
    FormatRecord {
        template: String,
        #[serde(default, skip_serializing_if = "is_false")]
        null_record: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fields: Vec<String>,
        #[serde(default, skip_serializing_if = "Buffer::is_ample")]
        buffer: Buffer,
        #[serde(default, skip_serializing_if = "is_false")]
        ansi: bool,
        #[serde(default, skip_serializing_if = "HandleArg::is_session")]
        handle: HandleArg,
    },
    /// MsiEvaluateConditionW; the MSICONDITION comes back as `number`.
    EvaluateCondition { condition: Option<String> },
    /// MsiSetInstallLevel(handle, level).
    SetInstallLevel { level: i32 },
    /// MsiGetTargetPathW (or MsiGetTargetPathA with `ansi`)(handle, folder, buffer, size): the path as `value`.
    GetTargetPath {
        folder: Option<String>,
        #[serde(default, skip_serializing_if = "Buffer::is_ample")]
        buffer: Buffer,
        #[serde(default, skip_serializing_if = "is_false")]
        ansi: bool,
        #[serde(default, skip_serializing_if = "HandleArg::is_session")]
        handle: HandleArg,
    },
    /// MsiSetTargetPathW(handle, folder, path).
    SetTargetPath {
        folder: Option<String>,
        path: Option<String>,
        #[serde(default, skip_serializing_if = "HandleArg::is_session")]
        handle: HandleArg,
    },
    /// MsiGetSourcePathW (or MsiGetSourcePathA with `ansi`)(handle, folder, buffer, size): the path as `value`.
    GetSourcePath {
        folder: Option<String>,
        #[serde(default, skip_serializing_if = "Buffer::is_ample")]
        buffer: Buffer,
        #[serde(default, skip_serializing_if = "is_false")]
        ansi: bool,
        #[serde(default, skip_serializing_if = "HandleArg::is_session")]
        handle: HandleArg,
    },
    /// MsiGetFeatureStateW(handle, feature, &installed, &action): the two
    /// INSTALLSTATE values as one row of `rows` (with `null_out`, a NULL
    /// pointer for the installed state).
    GetFeatureState {
        feature: Option<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        null_out: bool,
    },
    /// MsiSetFeatureStateW(handle, feature, state).
    SetFeatureState { feature: Option<String>, state: i32 },
    /// MsiSetFeatureAttributesW(handle, feature, attributes).
    SetFeatureAttributes {
        feature: Option<String>,
        attributes: u32,
    },
    /// MsiGetComponentStateW(handle, component, &installed, &action), as
    /// `get-feature-state` reports it.
    GetComponentState {
        component: Option<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        null_out: bool,
    },
    /// MsiSetComponentStateW(handle, component, state).
    SetComponentState {
        component: Option<String>,
        state: i32,
    },
    /// MsiGetFeatureValidStatesW(handle, feature, &states): the mask of
    /// `1 << INSTALLSTATE` bits as `number`; `null-out` passes a NULL pointer.
    GetFeatureValidStates {
        feature: Option<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        null_out: bool,
    },
    /// MsiGetFeatureCostW(handle, feature, tree, state, &cost): the cost in
    /// 512-byte units as `number`. `tree` is the MSICOSTTREE (0 the feature
    /// only, 1 with its children, 2 with its parents), `state` the INSTALLSTATE
    /// to cost (3, local, when absent).
    GetFeatureCost {
        feature: Option<String>,
        #[serde(default, skip_serializing_if = "is_zero_i32")]
        tree: i32,
        #[serde(default = "default_cost_state", skip_serializing_if = "is_local_state")]
        state: i32,
        #[serde(default, skip_serializing_if = "is_false")]
        null_out: bool,
    },
    /// MsiEnumComponentCostsW(handle, component, index, state, drive, &size,
    /// &cost, &temp): the drive as `value`, the size written back as `size`,
    /// and `[[cost, temp]]` as `rows`. `null-cost` and `null-temp` pass NULL
    /// for those pointers; the buffer's NULL forms pass NULL drive or size.
    EnumComponentCosts {
        component: Option<String>,
        #[serde(default, skip_serializing_if = "is_zero")]
        index: u32,
        #[serde(default = "default_cost_state", skip_serializing_if = "is_local_state")]
        state: i32,
        #[serde(default, skip_serializing_if = "Buffer::is_ample")]
        buffer: Buffer,
        #[serde(default, skip_serializing_if = "is_false")]
        null_cost: bool,
        #[serde(default, skip_serializing_if = "is_false")]
        null_temp: bool,
    },
    /// MsiVerifyDiskSpace(handle).
    VerifyDiskSpace {
        #[serde(default, skip_serializing_if = "HandleArg::is_session")]
        handle: HandleArg,
    },
    /// MsiGetLastErrorRecord(): the field count of the record it returns as
    /// `number` (0 when it returns no record), and field 1 as `value`.
    GetLastErrorRecord,
    /// MsiGetActiveDatabase(handle): the handle goes into slot `into`.
    GetActiveDatabase {
        #[serde(default = "default_db", skip_serializing_if = "is_default_db")]
        into: String,
    },
    /// MsiDatabaseOpenViewW(db, sql, &view). A `None` sql is a NULL query;
    /// `null-out` passes a NULL pointer for the view handle.
    OpenView {
        #[serde(default = "default_db", skip_serializing_if = "is_default_db")]
        db: String,
        sql: Option<String>,
        #[serde(default = "default_view", skip_serializing_if = "is_default_view")]
        into: String,
        #[serde(default, skip_serializing_if = "is_false")]
        null_out: bool,
    },
    /// MsiViewExecute(view, 0).
    Execute {
        #[serde(default = "default_view", skip_serializing_if = "is_default_view")]
        view: String,
    },
    /// MsiViewFetch(view, &rec): the record comes back as one row in `rows`
    /// and is kept as the view's current record.
    Fetch {
        #[serde(default = "default_view", skip_serializing_if = "is_default_view")]
        view: String,
    },
    /// MsiRecordSetString/Integer on the view's current (last fetched) record.
    SetField {
        #[serde(default = "default_view", skip_serializing_if = "is_default_view")]
        view: String,
        field: u32,
        value: String,
    },
    /// MsiViewModify(view, kind, rec): with `record`, a new record of those
    /// fields; without it, the view's current record.
    Modify {
        #[serde(default = "default_view", skip_serializing_if = "is_default_view")]
        view: String,
        kind: ModifyKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        record: Option<Vec<String>>,
    },
    /// Open a view on `sql`, execute it, fetch every row and close it: the
    /// return code is the first one that was not success (259 at the end of
    /// the rows is not counted), and the rows come back in `rows`.
    Sql {
        #[serde(default = "default_db", skip_serializing_if = "is_default_db")]
        db: String,
        sql: String,
    },
    /// MsiDatabaseCommit(db).
    Commit {
        #[serde(default = "default_db", skip_serializing_if = "is_default_db")]
        db: String,
    },
    /// MsiDatabaseIsTablePersistentW(db, table); the MSICONDITION comes back as `number`.
    IsTablePersistent {
        #[serde(default = "default_db", skip_serializing_if = "is_default_db")]
        db: String,
        table: Option<String>,
    },
    /// MsiGetSummaryInformation(db, NULL, 1, &si) then MsiSummaryInfoSetProperty(si, property, value):
    /// the return code is the first that was not success.
    SetSummaryInfo {
        #[serde(default = "default_db", skip_serializing_if = "is_default_db")]
        db: String,
        property: u32,
        value: String,
    },
    /// MsiGetDatabaseState on the database in slot `db`, or on the session handle when `db` is absent;
    /// the MSIDBSTATE comes back as `number`.
    GetDatabaseState {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        db: Option<String>,
    },
    /// MsiOpenPackageW: a second session; the handle goes into slot `into`.
    OpenPackage {
        #[serde(default)]
        source: PackageSource,
        #[serde(
            default = "default_package",
            skip_serializing_if = "is_default_package"
        )]
        into: String,
    },
    /// MsiInstallProductW(package file, command_line): a nested install.
    InstallProduct { command_line: String },
    /// MsiCloseHandle on the handle in `slot`.
    CloseHandle { slot: String },
    /// MsiOpenDatabaseW on the package file, read-only, into slot `into`: what
    /// is persisted on disk, as opposed to what the session holds in memory.
    OpenDatabase {
        #[serde(default = "default_disk", skip_serializing_if = "is_default_disk")]
        into: String,
    },

    /// MsiCreateRecord(fields): the handle (0 when refused) goes into slot `into`.
    CreateRecord {
        fields: u32,
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        into: String,
    },
    /// MsiRecordGetFieldCount on the record in slot `record`; the count comes back as `number`.
    RecordFieldCount {
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        record: String,
    },
    /// MsiRecordSetStringW(record, field, value).
    RecordSetString {
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        record: String,
        field: u32,
        value: Option<String>,
    },
    /// MsiRecordSetInteger(record, field, value).
    RecordSetInteger {
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        record: String,
        field: u32,
        value: i32,
    },
    /// MsiRecordGetStringW(record, field, buffer, size).
    RecordGetString {
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        record: String,
        field: u32,
        #[serde(default, skip_serializing_if = "Buffer::is_ample")]
        buffer: Buffer,
    },
    /// MsiRecordGetInteger(record, field), as `number`.
    RecordGetInteger {
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        record: String,
        field: u32,
    },
    /// MsiRecordIsNull(record, field), as `number`.
    RecordIsNull {
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        record: String,
        field: u32,
    },
    /// MsiRecordDataSize(record, field), as `number`.
    RecordDataSize {
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        record: String,
        field: u32,
    },
    /// MsiRecordSetStreamW(record, field, path): `data` is written to a new
    /// file whose path is passed (and which is deleted after the call); without
    /// `data` the path is NULL, which rewinds a stream field.
    RecordSetStream {
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        record: String,
        field: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<String>,
    },
    /// MsiRecordReadStream(record, field, buffer, size): the bytes read as
    /// `value`, the size written back as `size` (the buffer's size counts bytes).
    RecordReadStream {
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        record: String,
        field: u32,
        #[serde(default, skip_serializing_if = "Buffer::is_ample")]
        buffer: Buffer,
    },
    /// MsiRecordClearData(record).
    RecordClearData {
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        record: String,
    },

    /// MsiViewGetColumnInfo(view, info, &rec): a record of the view's column
    /// names or types goes into slot `into`.
    ViewColumnInfo {
        #[serde(default = "default_view", skip_serializing_if = "is_default_view")]
        view: String,
        #[serde(default)]
        info: ColumnInfo,
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        into: String,
    },
    /// MsiDatabaseGetPrimaryKeysW(db, table, &rec): a record of the table's key
    /// column names (field 0: the table's name) goes into slot `into`.
    PrimaryKeys {
        #[serde(default = "default_db", skip_serializing_if = "is_default_db")]
        db: String,
        table: Option<String>,
        #[serde(default = "default_record", skip_serializing_if = "is_default_record")]
        into: String,
    },
    /// MsiViewGetErrorW(view, buffer, size): the MSIDBERROR as `number`, what
    /// the call left in the buffer (the column name) as `value`, and the size
    /// written back as `size`.
    ViewGetError {
        #[serde(default = "default_view", skip_serializing_if = "is_default_view")]
        view: String,
        #[serde(default, skip_serializing_if = "Buffer::is_ample")]
        buffer: Buffer,
    },
    /// MsiGetSummaryInformationW(db, NULL, update_count, &si): the handle goes
    /// into slot `into` (with `null_out`, a NULL out-pointer is passed instead).
    SummaryInfo {
        #[serde(default = "default_db", skip_serializing_if = "is_default_db")]
        db: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        update_count: u32,
        #[serde(default, skip_serializing_if = "is_false")]
        null_out: bool,
        #[serde(
            default = "default_summary",
            skip_serializing_if = "is_default_summary"
        )]
        into: String,
    },
    /// MsiSummaryInfoGetPropertyCount(si, &count), the count as `number`
    /// (with `null_out`, a NULL pointer is passed instead).
    SummaryPropertyCount {
        #[serde(
            default = "default_summary",
            skip_serializing_if = "is_default_summary"
        )]
        summary: String,
        #[serde(default, skip_serializing_if = "is_false")]
        null_out: bool,
    },
    /// MsiSummaryInfoGetPropertyW(si, property, &type, &int, &filetime, buffer, size):
    /// the type as `number`; as `value` the string for VT_LPSTR, else the
    /// integer (or the FILETIME's 100-ns count) in decimal; the size written back as `size`.
    SummaryGetProperty {
        #[serde(
            default = "default_summary",
            skip_serializing_if = "is_default_summary"
        )]
        summary: String,
        property: u32,
        #[serde(default, skip_serializing_if = "Buffer::is_ample")]
        buffer: Buffer,
    },
    /// Automation: read `Session.Property(name)`.
    SessionPropertyGet { name: Option<String> },
    /// Automation: `Session.Property(name) = value`.
    SessionPropertySet {
        name: Option<String>,
        value: Option<String>,
    },
    /// Automation: `Session.DoAction(action)`; the msiDoActionStatus comes back as `number`.
    SessionDoAction { action: Option<String> },
    /// Automation: read `Session.Mode(mode)`; the Boolean comes back as `number` (0 or 1).
    SessionMode { mode: u32 },
    /// Automation: `Session.Mode(mode) = state`.
    SessionSetMode { mode: u32, state: bool },
    /// Automation: `Session.Language`, as `number`.
    SessionLanguage,
    /// Automation: `Session.Message(kind, record)`; the msiMessageStatus comes back as `number`.
    SessionMessage { kind: u32, fields: Vec<String> },
    /// Automation: `Session.EvaluateCondition(condition)`, as `number`.
    SessionEvaluateCondition { condition: Option<String> },
    /// Automation: read `Session.TargetPath(folder)`, as `value`.
    SessionTargetPath { folder: Option<String> },
    /// Automation: `Session.TargetPath(folder) = path`.
    SessionSetTargetPath {
        folder: Option<String>,
        path: Option<String>,
    },
    /// Automation: read `Session.SourcePath(folder)`, as `value`.
    SessionSourcePath { folder: Option<String> },
    /// Automation: `Session.FeatureCurrentState(feature)`, the INSTALLSTATE as `number`.
    SessionFeatureCurrentState { feature: Option<String> },
    /// Automation: read `Session.FeatureRequestState(feature)`, as `number`.
    SessionFeatureRequestState { feature: Option<String> },
    /// Automation: `Session.FeatureRequestState(feature) = state`.
    SessionSetFeatureRequestState { feature: Option<String>, state: i32 },
    /// Automation: `Session.ComponentCurrentState(component)`, as `number`.
    SessionComponentCurrentState { component: Option<String> },
    /// Automation: read `Session.ComponentRequestState(component)`, as `number`.
    SessionComponentRequestState { component: Option<String> },
    /// Automation: `Session.ComponentRequestState(component) = state`.
    SessionSetComponentRequestState {
        component: Option<String>,
        state: i32,
    },
    /// Automation: `Session.FeatureValidStates(feature)`, the mask as `number`.
    SessionFeatureValidStates { feature: Option<String> },
    /// Automation: `Session.FeatureCost(feature, tree, state)`, as `number`.
    SessionFeatureCost {
        feature: Option<String>,
        #[serde(default, skip_serializing_if = "is_zero_i32")]
        tree: i32,
        #[serde(default = "default_cost_state", skip_serializing_if = "is_local_state")]
        state: i32,
    },
    /// Automation: `Session.Database`, kept in slot `into` for `sql` and friends.
    SessionDatabase {
        #[serde(default = "default_db", skip_serializing_if = "is_default_db")]
        into: String,
    },
    /// Automation: `Installer.OpenPackage` of the package file.
    InstallerOpenPackage,

    /// EXE custom actions: the command line the process received, as `value`.
    CommandLine,
    /// Whether the custom action was handed a session (1) or not (0), as `number`.
    HasSession,

    /// The process around the call (C contexts): SetEnvironmentVariableW(name,
    /// value); the BOOL comes back as `number`.
    SetEnvironment {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<String>,
    },
    /// GetEnvironmentVariableW(name): the value as `value` (absent when the
    /// variable is not set), the length returned as `number`.
    GetEnvironment { name: String },
    /// A global variable of the probe's DLL: its value before this call adds
    /// one to it, as `number`.
    DllCounter,
    /// CoInitializeEx(NULL, COINIT_APARTMENTTHREADED) on the calling thread
    /// (undone when it succeeds): the HRESULT as `number`.
    ComInitSta,
    /// CoCreateInstance of an in-process COM class (the XML document) without
    /// initialising COM on the calling thread: the HRESULT as `number`.
    ComCreate,
}

macro_rules! op_kinds {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// The name of an operation without its arguments: what a runtime
        /// declares it supports, and what the fuzzers choose from.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        #[serde(rename_all = "kebab-case")]
        pub enum OpKind { $($variant),* }

        impl OpKind {
            /// Every operation kind.
            pub const ALL: &'static [OpKind] = &[$(OpKind::$variant),*];

            /// The kebab-case name used in case files and the protocol.
            pub fn name(self) -> &'static str {
                match self { $(OpKind::$variant => $name),* }
            }

            /// Parses a kebab-case name.
            pub fn from_name(name: &str) -> Option<OpKind> {
                match name { $($name => Some(OpKind::$variant),)* _ => None }
            }
        }

        impl Operation {
            /// The operation's kind.
            pub fn kind(&self) -> OpKind {
                match self { $(Operation::$variant { .. } => OpKind::$variant),* }
            }
        }
    };
}

op_kinds! {
    DoAction => "do-action",
    Sequence => "sequence",
    GetProperty => "get-property",
    SetProperty => "set-property",
    GetMode => "get-mode",
    SetMode => "set-mode",
    GetLanguage => "get-language",
    ProcessMessage => "process-message",
    FormatRecord => "format-record",
    EvaluateCondition => "evaluate-condition",
    SetInstallLevel => "set-install-level",
    GetTargetPath => "get-target-path",
    SetTargetPath => "set-target-path",
    GetSourcePath => "get-source-path",
    GetFeatureState => "get-feature-state",
    SetFeatureState => "set-feature-state",
    SetFeatureAttributes => "set-feature-attributes",
    GetComponentState => "get-component-state",
    SetComponentState => "set-component-state",
    GetFeatureValidStates => "get-feature-valid-states",
    GetFeatureCost => "get-feature-cost",
    EnumComponentCosts => "enum-component-costs",
    VerifyDiskSpace => "verify-disk-space",
    GetLastErrorRecord => "get-last-error-record",
    GetActiveDatabase => "get-active-database",
    OpenView => "open-view",
    Execute => "execute",
    Fetch => "fetch",
    SetField => "set-field",
    Modify => "modify",
    Sql => "sql",
    Commit => "commit",
    IsTablePersistent => "is-table-persistent",
    SetSummaryInfo => "set-summary-info",
    GetDatabaseState => "get-database-state",
    OpenPackage => "open-package",
    InstallProduct => "install-product",
    CloseHandle => "close-handle",
    OpenDatabase => "open-database",
    CreateRecord => "create-record",
    RecordFieldCount => "record-field-count",
    RecordSetString => "record-set-string",
    RecordSetInteger => "record-set-integer",
    RecordGetString => "record-get-string",
    RecordGetInteger => "record-get-integer",
    RecordIsNull => "record-is-null",
    RecordDataSize => "record-data-size",
    RecordClearData => "record-clear-data",
    RecordSetStream => "record-set-stream",
    RecordReadStream => "record-read-stream",
    ViewColumnInfo => "view-column-info",
    PrimaryKeys => "primary-keys",
    ViewGetError => "view-get-error",
    SummaryInfo => "summary-info",
    SummaryPropertyCount => "summary-property-count",
    SummaryGetProperty => "summary-get-property",
    SessionPropertyGet => "session-property-get",
    SessionPropertySet => "session-property-set",
    SessionDoAction => "session-do-action",
    SessionMode => "session-mode",
    SessionSetMode => "session-set-mode",
    SessionLanguage => "session-language",
    SessionMessage => "session-message",
    SessionEvaluateCondition => "session-evaluate-condition",
    SessionTargetPath => "session-target-path",
    SessionSetTargetPath => "session-set-target-path",
    SessionSourcePath => "session-source-path",
    SessionFeatureCurrentState => "session-feature-current-state",
    SessionFeatureRequestState => "session-feature-request-state",
    SessionSetFeatureRequestState => "session-set-feature-request-state",
    SessionComponentCurrentState => "session-component-current-state",
    SessionComponentRequestState => "session-component-request-state",
    SessionSetComponentRequestState => "session-set-component-request-state",
    SessionFeatureValidStates => "session-feature-valid-states",
    SessionFeatureCost => "session-feature-cost",
    SessionDatabase => "session-database",
    InstallerOpenPackage => "installer-open-package",
    CommandLine => "command-line",
    HasSession => "has-session",
    SetEnvironment => "set-environment",
    GetEnvironment => "get-environment",
    DllCounter => "dll-counter",
    ComInitSta => "com-init-sta",
    ComCreate => "com-create",
}

impl OpKind {
    /// Whether the operation is an automation (script) form.
    pub fn is_automation(self) -> bool {
        self.name().starts_with("session-") || self == OpKind::InstallerOpenPackage
    }

    /// Whether the operation can be made from `context` at all: automation
    /// forms only from script contexts, C forms only from the others, and
    /// an EXE custom action only observes its command line and that it has no session.
    pub fn available_in(self, context: crate::Context) -> bool {
        use crate::Context;
        match context {
            Context::Exe => matches!(self, OpKind::CommandLine | OpKind::HasSession),
            Context::ScriptImmediate | Context::ScriptDeferred => {
                self.is_automation() || self == OpKind::HasSession || self.is_sql_on_slot()
            }
            _ => !self.is_automation() && self != OpKind::CommandLine,
        }
    }

    /// Database calls on a slot that scripts reach through `Session.Database`.
    fn is_sql_on_slot(self) -> bool {
        matches!(
            self,
            OpKind::Sql | OpKind::IsTablePersistent | OpKind::SetSummaryInfo | OpKind::Commit
        )
    }
}

impl Operation {
    /// The slot a call stores the handle it returns in, if it returns one.
    pub fn into_slot(&self) -> Option<&str> {
        match self {
            Operation::GetActiveDatabase { into }
            | Operation::OpenView { into, .. }
            | Operation::OpenPackage { into, .. }
            | Operation::OpenDatabase { into }
            | Operation::SessionDatabase { into }
            | Operation::CreateRecord { into, .. }
            | Operation::ViewColumnInfo { into, .. }
            | Operation::PrimaryKeys { into, .. }
            | Operation::SummaryInfo { into, .. } => Some(into),
            _ => None,
        }
    }
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
