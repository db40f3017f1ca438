//! The reference session model: an in-memory implementation of the session
//! API that obeys every rule of the catalog, in the profile it is given.
//!
//! [`run`] executes a whole [`Plan`]; [`Session::call`] answers one call at a
//! time (benchmarks, fuzzers). [`Deviation`]s turn single behaviours off, which
//! is what the harness's broken runtimes are.
//!
//! # Layout
//!
//! - `session`: the property store (the in-memory `_Property` table, kept apart
//!   from the persistent Property table), frames, handles, and the C calls;
//! - `automation`: the Session object of script custom actions;
//! - `records`: record handles (MsiCreateRecord, MsiRecord*), on the shared record semantics;
//! - `engine`: actions, custom-action dispatch by Type, sequences, the install
//!   script with rollback and commit, the top-level install;
//! - `sql`: the database and the SQL dialect with temporary tables, columns and rows;
//! - `format`, `condition`: formatted text and conditional statements;
//! - `data`: fixed data (environment, UserSID, the standard actions).
//!
//! # Choices where the catalog gives no number
//!
//! - Persistent writes from a custom action (INSERT, UPDATE, DELETE, CREATE, ALTER
//!   ADD of a persistent column, MSIMODIFY_INSERT, summary information) fail with
//!   1627 ERROR_FUNCTION_FAILED.
//! - Calls outside the deferred allow-list (SetProperty, DoAction, Sequence,
//!   SetInstallLevel) fail with 1627 in deferred, rollback and commit actions;
//!   their automation forms raise `DISP_E_EXCEPTION`, and `Session.Database` too.
//! - MsiOpenPackage of the package file from a custom action returns 1618
//!   ERROR_INSTALL_ALREADY_RUNNING, as does a nested MsiInstallProduct; a nested
//!   install from the package context is reported unsupported.
//! - A deferred action sequenced where no script is open (before InstallInitialize)
//!   fails with 1603, as do top-level actions (INSTALL, ExecuteAction) and the
//!   script actions (InstallInitialize, InstallFinalize, InstallExecute) asked for
//!   from inside a custom action.
//! - MsiProcessMessage and `Session.Message` return 0: the model's sessions are
//!   quiet, so no UI handles a message.
//! - MsiGetDatabaseState outside custom actions: 1 for the session's database,
//!   0 for a database opened read-only, -1 for the package handle.
//! - MsiSequence on a table that does not exist returns 1615.
//! - A failure in the immediate phase after actions were scheduled runs every
//!   scheduled rollback action, most recent first; a failing deferred action runs
//!   only the rollback actions the script had passed, as a rollback action must
//!   be sequenced before the action it undoes.
//! - A private property (one with lower-case letters) set in the UI sequence does
//!   not reach the execute sequence; public ones do.
//! - `[#file]`, `[!file]` and `[$component]` format to "" until CostFinalize has
//!   run, then to target paths from the Directory, Component and File tables
//!   (the root is ROOTDRIVE, `C:\` by default; every component of an enabled
//!   feature is installed locally). Feature and component states read as empty
//!   in conditions.
//! - Asynchronous custom actions run synchronously; 0x80 only changes timing.
//! - The environment is fixed data (`data.rs`): PATH, TEMP, TMP, SystemRoot, windir,
//!   SystemDrive, ProgramFiles, COMPUTERNAME, USERNAME.

use crate::{Plan, Profile, Transcript};

mod automation;
mod data;
mod directories;
mod engine;
mod features;
mod records;
mod session;
mod sql;

pub use session::Session;

macro_rules! deviations {
    ($($variant:ident => $name:literal, [$($rule:literal),+], $what:literal;)*) => {
        /// One documented behaviour the model can be told to get wrong. The
        /// harness's broken runtimes (`broken:<name>`) are the model with exactly
        /// one deviation; the reference runtime is the model with none.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Deviation { $($variant),* }

        impl Deviation {
            /// Every deviation.
            pub const ALL: &'static [Deviation] = &[$(Deviation::$variant),*];

            /// The name after `broken:`.
            pub fn name(self) -> &'static str {
                match self { $(Deviation::$variant => $name),* }
            }

            /// The rule IDs this deviation breaks.
            pub fn breaks(self) -> &'static [&'static str] {
                match self { $(Deviation::$variant => &[$($rule),+]),* }
            }

            /// What the broken runtime does differently, in a sentence.
            pub fn description(self) -> &'static str {
                match self { $(Deviation::$variant => $what),* }
            }

            /// The deviation with this name.
            pub fn from_name(name: &str) -> Option<Deviation> {
                Deviation::ALL.iter().copied().find(|d| d.name() == name)
            }
        }
    };
}

deviations! {
    ValidStatesStub => "valid-states-stub", ["FEATURE-VALID-STATES"], "answers MsiGetFeatureValidStates with success and only INSTALLSTATE_LOCAL for every name, known or not";
    ValidStatesOfferSource => "valid-states-offer-source", ["FEATURE-VALID-STATES"], "offers running from the source for a feature whose components can only be installed locally";
    FeatureCostUnknownSucceeds => "feature-cost-unknown-succeeds", ["FEATURE-COST-ARGS"], "answers MsiGetFeatureCost of a feature the Feature table does not have with success and a cost of 0";
    FeatureCostTreeAddsSelfTwice => "feature-cost-tree-adds-self-twice", ["FEATURE-COST"], "adds a feature's own cost a second time when MsiGetFeatureCost is asked for its children or parents";
    ComponentCostsNullAccepted => "component-costs-null-accepted", ["COMPONENT-COSTS-ARGS"], "ignores NULL drive, size, cost and temporary-cost pointers in MsiEnumComponentCosts";
    ComponentCostsDriveWithSeparator => "component-costs-drive-with-separator", ["COMPONENT-COSTS"], "names drives with a trailing backslash (C:\\) in MsiEnumComponentCosts";
    DiskSpaceAnyHandle => "disk-space-any-handle", ["DISK-SPACE"], "answers MsiVerifyDiskSpace with success on handle 0 and bogus handles";
    SessionCostsUnknownZero => "session-costs-unknown-zero", ["SESSION-COSTS"], "answers Session.FeatureValidStates and Session.FeatureCost of an unknown feature with 0 instead of raising";
    LastErrorRecordNeverSet => "last-error-record-never-set", ["LAST-ERROR-RECORD"], "never returns a record from MsiGetLastErrorRecord";
    LastErrorRecordKept => "last-error-record-kept", ["LAST-ERROR-RECORD"], "keeps the error record after MsiGetLastErrorRecord returned it";
    InstallLevelLeavesStates => "install-level-leaves-states", ["INSTALL-LEVEL-SELECTS"], "changes INSTALLLEVEL in MsiSetInstallLevel but leaves the features' and components' action states as costing set them";
    PathSizeCountsTerminator => "path-size-counts-terminator", ["DIR-PATH-BUFFER"], "counts the terminating NUL in the size MsiGetTargetPath and MsiGetSourcePath report with ERROR_MORE_DATA";
    AnsiPathSizeInChars => "ansi-path-size-in-chars", ["DIR-PATH-BUFFER"], "reports character counts from MsiGetTargetPathA and MsiGetSourcePathA inside custom actions, where Windows reports bytes";
    FeatureStateDoesNotPropagate => "feature-state-does-not-propagate", ["FEATURE-STATE-PROPAGATES"], "changes only the feature's action state in MsiSetFeatureState, not its components'";
    SourcePathWithoutSeparator => "source-path-without-separator", ["DIR-SOURCE-RESOLVED"], "reports source paths without their closing backslash";
    FeatureAttributesAnyTime => "feature-attributes-any-time", ["FEATURE-ATTRIBUTES-WINDOW"], "accepts MsiSetFeatureAttributes before CostInitialize and after CostFinalize";
    SessionPathUnknownEmpty => "session-path-unknown-empty", ["SESSION-PATHS"], "answers Session.TargetPath and Session.SourcePath of a folder the Directory table does not have with an empty string instead of raising";
    SessionRequestStateIsCurrent => "session-request-state-is-current", ["SESSION-STATES"], "reports the installed state from Session.FeatureRequestState and Session.ComponentRequestState";
    StateNamesFoldCase => "state-names-fold-case", ["FEATURE-STATE-ARGS", "COMPONENT-STATE-ARGS", "SESSION-STATES"], "finds features and components whatever the case of their names";
    NullOutPointerIs87 => "null-out-pointer-is-87", ["REMOTE-NULL-OUTPTR"], "answers a NULL out-pointer of the state getters inside a custom action with 87, as the installer's own process does, not with RPC_X_NULL_REF_POINTER";
    FeatureInstalledReportedLocal => "feature-installed-reported-local", ["FEATURE-STATE-COSTED", "SESSION-STATES"], "reports every feature as installed locally on a first install, through MsiGetFeatureState and Session.FeatureCurrentState alike";
    ComponentActionIgnoresFeatures => "component-action-ignores-features", ["COMPONENT-STATE-COSTED"], "gives every component a local action after costing, even one no feature carries";
    FeatureSetStateIgnored => "feature-set-state-ignored", ["FEATURE-SET-STATE-EFFECT"], "accepts MsiSetFeatureState and leaves the feature's action state as it was";
    ComponentSetStateIgnored => "component-set-state-ignored", ["COMPONENT-SET-STATE-EFFECT"], "accepts MsiSetComponentState and leaves the component's action state as it was";
    StateCallsInScript => "state-calls-in-script", ["STATE-DEFERRED", "SESSION-STATES", "SESSION-COSTS"], "answers the feature and component state calls in deferred, rollback and commit actions as if they ran immediately";
    TargetPathUnknownFolderEmpty => "target-path-unknown-folder-empty", ["DIR-TARGET-ARGS"], "answers MsiGetTargetPath of a folder the Directory table does not have with success and an empty path instead of ERROR_DIRECTORY";
    TargetPathBeforeCosting => "target-path-before-costing", ["DIR-NEEDS-COSTING"], "reports target paths before CostFinalize has resolved them";
    TargetPathWithoutSeparator => "target-path-without-separator", ["DIR-TARGET-RESOLVED", "DIR-SET-TARGET-EFFECT", "SESSION-PATHS"], "reports target paths without their closing backslash";
    SetTargetPathUnknownAccepted => "set-target-path-unknown-accepted", ["DIR-SET-TARGET-ARGS"], "accepts MsiSetTargetPath of a folder the Directory table does not have";
    SetTargetPathUnnormalized => "set-target-path-unnormalized", ["DIR-SET-TARGET-EFFECT"], "stores the path MsiSetTargetPath is given as it is (doubled separators and spaces kept)";
    SetTargetPathChildrenStay => "set-target-path-children-stay", ["DIR-SET-TARGET-EFFECT"], "moves only the folder MsiSetTargetPath names, not the folders below it";
    SourcePathIgnoresCase => "source-path-ignores-case", ["DIR-SOURCE-ARGS"], "finds MsiGetSourcePath's folder whatever the case of its name";
    DirectoryCallsInScript => "directory-calls-in-script", ["DIR-DEFERRED"], "answers MsiGetTargetPath, MsiSetTargetPath and MsiGetSourcePath in deferred, rollback and commit actions as if they ran immediately";
    ActionLookupIgnoresCase => "action-lookup-ignores-case", ["DOACTION-CASE"], "finds standard and custom actions whatever the case of the name";
    UnknownActionSucceeds => "unknown-action-succeeds", ["DOACTION-UNKNOWN", "SESSION-DOACTION-ENUM", "DOACTION-CASE"], "returns success from DoAction for an action that does not exist";
    NullActionAccepted => "null-action-accepted", ["DOACTION-NULL-ACTION"], "runs the ACTION fallback for a Null name where Windows rejects it with 87";
    NullActionRejected => "null-action-rejected", ["DOACTION-NULL-ACTION"], "rejects a Null name with 87 where the documentation promises the ACTION fallback";
    BadHandleAccepted => "bad-handle-accepted", ["DOACTION-BAD-HANDLE"], "treats handle 0 and bogus handles as the session handle";
    NullActionNotUppercased => "null-action-not-uppercased", ["ACTION-PROP-UPPERCASE"], "uses the ACTION property as given, without upper-casing it";
    NoInstallDefault => "no-install-default", ["ACTION-PROP-UPPERCASE"], "runs nothing when ACTION is not set, instead of INSTALL";
    InstallActionRefused => "install-action-refused", ["DOACTION-TOPLEVEL"], "refuses INSTALL and ExecuteAction through DoAction";
    SystemActionFailsOutsideWindow => "system-action-fails-outside-window", ["DOACTION-SYSTEM-UPDATE"], "fails system-changing actions run through DoAction outside the script window instead of succeeding without effect";
    NonSystemActionRefused => "nonsystem-action-refused", ["DOACTION-NONSYSTEM-OK"], "refuses costing actions run through DoAction";
    SequenceSortedAsText => "sequence-sorted-as-text", ["SEQ-ORDER"], "orders a sequence table's rows by the text of their Sequence numbers (1000 before 800)";
    LogResultsAsSuccess => "log-results-as-success", ["INSTALL-LOG"], "records every action it starts in the install log with result 1, whatever the action returned";
    NestedActionsIsolated => "nested-actions-isolated", ["DOACTION-NESTED"], "runs nested actions on a copy of the properties, so the caller never sees their changes";
    DoActionCodesCollapsed => "doaction-codes-collapsed", ["DOACTION-RETCODES"], "reports every failure of a nested action as 1603";
    DoActionStatusNotMapped => "doaction-status-not-mapped", ["SESSION-DOACTION-ENUM"], "returns the Win32 code from Session.DoAction instead of an msiDoActionStatus value";
    TerminationActionsIgnored => "termination-actions-ignored", ["SEQ-TERMINATION-ACTIONS"], "never runs the actions at sequence -1 to -4";
    BadConditionIgnored => "bad-condition-ignored", ["SEQ-BAD-CONDITION", "SESSION-EVALUATECONDITION"], "evaluates a condition with invalid syntax as false instead of an error";
    NotCalledFails => "not-called-fails", ["CA-RET-SUCCESS", "INSTALL-LOG"], "fails the install when a custom action returns 1626";
    UserExitAsFailure => "userexit-as-failure", ["CA-RET-USEREXIT", "INSTALL-LOG"], "reports 1603 instead of 1602 when a custom action returns 1602";
    Return259Fails => "return-259-fails", ["CA-RET-NO-MORE-ITEMS", "INSTALL-LOG", "DOACTION-RETCODES"], "treats a custom action's 259 as a failure instead of skip-remaining";
    OtherReturnIgnored => "other-return-ignored", ["CA-RET-OTHER", "INSTALL-LOG"], "treats unknown custom-action return values as success";
    SuspendAsFailure => "suspend-as-failure", ["CA-RET-SUSPEND", "INSTALL-LOG"], "reports 1603 instead of 1604 when a custom action returns 1604";
    ContinueFlagIgnored => "continue-flag-ignored", ["CA-RET-CONTINUE-FLAG", "INSTALL-LOG"], "fails on a custom action's return value even with the 0x40 continue bit";
    ExeExitCodeIgnored => "exe-exit-code-ignored", ["CA-RET-EXE-ZERO", "INSTALL-LOG"], "treats every EXE exit code as success";
    Type19Succeeds => "type19-succeeds", ["CA-TYPE19-ERROR"], "lets a type-19 error action continue the install";
    ScriptReturnMisread => "script-return-misread", ["SCRIPT-CA-RET", "INSTALL-LOG"], "reads a script's return value as a Win32 code, so 3 (failure) passes";
    UndefinedPropertyFails => "undefined-property-fails", ["PROP-GET-UNDEFINED-EMPTY", "PROP-GET-ARGS", "DEFERRED-PROPS"], "returns 1627 for a property that was never set";
    MoreDataSizeOffByOne => "more-data-size-off-by-one", ["PROP-GET-BUFFER"], "reports a required size one larger (terminator included) with ERROR_MORE_DATA";
    FormatRecordNullSizeAccepted => "format-record-null-size-accepted", ["FMT-RECORD-BUFFER"], "formats into a buffer given without a size pointer and returns success, where MsiFormatRecord must refuse it with 87";
    DllGlobalsKept => "dll-globals-kept", ["CA-PROCESS-MODEL"], "keeps a custom action DLL's globals from one action to the next, where the DLL is loaded afresh for each";
    EnvironmentPerAction => "environment-per-action", ["CA-PROCESS-MODEL"], "gives each DLL action an environment of its own, where the actions of an install share their host process's";
    ComThreadInitialised => "com-thread-initialised", ["CA-COM-APARTMENT"], "calls a DLL custom action on a thread already in the multithreaded apartment, so CoInitializeEx for a single-threaded one fails with RPC_E_CHANGED_MODE";
    StreamLeftCountsWhole => "stream-left-counts-whole", ["REC-STREAM"], "gives a stream's whole length when MsiRecordReadStream is called without a buffer, where it must give the bytes left to read";
    FormatNullRecordFormats => "format-null-record-formats", ["FMT-RECORD-BUFFER"], "formats the template anyway when MsiFormatRecord is given record handle 0, where it must return ERROR_INVALID_HANDLE";
    InScriptSizeCountsTerminator => "in-script-size-counts-terminator", ["PROP-GET-BUFFER", "DEFERRED-PROPS"], "counts the terminator in the size MsiGetProperty reports from deferred, rollback and commit actions";
    PropertyNamesFoldCase => "property-names-fold-case", ["PROP-CASE-SENSITIVE", "RB-CM-NEED-ROLLBACK-ENABLED"], "stores and looks up property names case-insensitively";
    AnsiSizeInCharsInCustomActions => "ansi-size-in-chars-in-custom-actions", ["PROP-GET-REMOTE-BYTES"], "reports character counts from the A getters inside custom actions, where Windows reports bytes";
    AnsiSizeInBytesEverywhere => "ansi-size-in-bytes-everywhere", ["PROP-GET-REMOTE-BYTES", "PROP-GET-BUFFER"], "reports byte counts from the A getters everywhere, where the documentation promises characters";
    GetPropertyArgsUnchecked => "get-property-args-unchecked", ["PROP-GET-ARGS"], "accepts a NULL property name and a buffer without a size";
    EmptyValueKeepsProperty => "empty-value-keeps-property", ["PROP-SET-EMPTY-DELETES"], "keeps a property set to an empty value (it reads back through _Property)";
    SetPropertyArgsUnchecked => "set-property-args-unchecked", ["PROP-SET-ARGS"], "accepts an empty property name with a value";
    PropertyNamesValidated => "property-names-validated", ["PROP-NAME-NOT-VALIDATED"], "rejects property names that are not Identifiers";
    PrivatePropertiesFromCommandLine => "private-properties-from-command-line", ["PROP-PUBLIC-PRIVATE"], "takes private (mixed-case) properties from the command line";
    SetPropertyFormatsValue => "set-property-formats-value", ["PROP-SET-NO-FORMAT", "CUSTOMACTIONDATA-PER-SCHEDULING"], "formats bracketed text in MsiSetProperty values";
    EmbeddedNulTruncates => "embedded-nul-truncates", ["PROP-EMBEDDED-NUL"], "cuts property values at an embedded NUL";
    PropertyTableIsLive => "property-table-is-live", ["PROP-INMEMORY-TABLE", "PROP-SET-EMPTY-DELETES", "CONDITION-STRING-CASE", "CA-MISC-STATE-APIS"], "makes rows inserted into the Property table visible as properties";
    EnvironmentPrefixIgnored => "environment-prefix-ignored", ["PROP-ENV-PREFIX"], "reads %NAME as an ordinary property instead of the environment";
    DeferredSeesAllProperties => "deferred-sees-all-properties", ["DEFERRED-PROPS", "SCRIPT-DEFERRED-SESSION", "CUSTOMACTIONDATA-PER-SCHEDULING", "CUSTOMACTIONDATA-SNAPSHOT"], "lets deferred actions read every property";
    CustomActionDataIgnoresCase => "customactiondata-ignores-case", ["CUSTOMACTIONDATA-BY-NAME", "DEFERRED-FORMATRECORD"], "takes CustomActionData from a property whose name matches the action's only when case is ignored";
    CustomActionDataReadAtRunTime => "customactiondata-read-at-run-time", ["CUSTOMACTIONDATA-SNAPSHOT", "CUSTOMACTIONDATA-PER-SCHEDULING"], "reads CustomActionData when the deferred action runs, not when it was scheduled";
    ImmediateSeesCustomActionData => "immediate-sees-customactiondata", ["CUSTOMACTIONDATA-IMMEDIATE", "FMT-PROPERTY", "FMT-ESCAPE"], "gives immediate actions a CustomActionData from the property named after them";
    DeferredRunsInPlace => "deferred-runs-in-place", ["DEFERRED-RUNS-IN-SCRIPT", "INSCRIPT-FLAGS"], "runs deferred actions at their sequence position instead of from the script";
    WrongRunModesInRollbackCommit => "wrong-run-modes-in-rollback-commit", ["RUNMODE-IMM-VS-DEF"], "reports SCHEDULED instead of ROLLBACK or COMMIT in rollback and commit actions";
    DeferredReportsAllModes => "deferred-reports-all-modes", ["RUNMODE-DEF-OTHERS-FALSE", "SCRIPT-DEFERRED-SESSION"], "answers run modes other than SCHEDULED, ROLLBACK and COMMIT truthfully in deferred actions";
    RebootModesRefused => "reboot-modes-refused", ["SESSION-MODE-SETTABLE", "CA-MISC-STATE-APIS", "RUNMODE-VALUES-IMM"], "refuses MsiSetMode of REBOOTATEND and REBOOTNOW outside deferred actions, as if no run mode could be set";
    RebootModeNotSettable => "reboot-mode-not-settable", ["RUNMODE-VALUES-IMM", "CA-MISC-STATE-APIS", "SESSION-MODE-SETTABLE"], "accepts MsiSetMode on REBOOTATEND but forgets it";
    CommitSeesProductCode => "commit-sees-product-code", ["COMMIT-LIMITS"], "gives commit actions ProductCode and the language";
    DeferredLanguageZero => "deferred-language-zero", ["DEFERRED-LANGUAGE", "SCRIPT-DEFERRED-SESSION"], "returns 0 from MsiGetLanguage in deferred and rollback actions";
    DeferredFormatsAllProperties => "deferred-formats-all-properties", ["DEFERRED-FORMATRECORD"], "resolves every property when formatting in deferred actions";
    DeferredMessagesRefused => "deferred-messages-refused", ["DEFERRED-PROCESSMESSAGE", "SESSION-MESSAGE"], "fails MsiProcessMessage in deferred actions";
    DeferredSetPropertyTakesEffect => "deferred-set-property-takes-effect", ["DEFERRED-NO-SETPROPERTY"], "lets MsiSetProperty in a deferred action change the session's properties";
    DeferredGetsDatabase => "deferred-gets-database", ["DEFERRED-NO-DATABASE"], "returns a database handle from MsiGetActiveDatabase in deferred actions";
    RollbackRunsAsDeferred => "rollback-runs-as-deferred", ["INSCRIPT-FLAGS"], "runs rollback actions (1281) as ordinary deferred actions";
    FirstSequenceIgnored => "first-sequence-ignored", ["SCHED-FLAGS-SHARE-BITS"], "runs a 0x100 (first-sequence) action in both sequences";
    CommitRunsWithoutRollback => "commit-runs-without-rollback", ["RB-CM-NEED-ROLLBACK-ENABLED"], "runs commit actions even when rollback is disabled";
    ActiveDatabaseSameHandle => "active-database-same-handle", ["ACTIVE-DB-HANDLE"], "returns the same handle from every MsiGetActiveDatabase call";
    PersistentRowsWritable => "persistent-rows-writable", ["TEMP-ONLY-WRITES"], "lets custom actions insert, update and delete persistent rows";
    PersistentTablesCreatable => "persistent-tables-creatable", ["TEMP-ONLY-WRITES"], "lets custom actions create persistent tables";
    SummaryInfoWritable => "summary-info-writable", ["TEMP-ONLY-WRITES", "SESSION-INSTALLER-DATABASE"], "lets custom actions write summary information";
    ForbiddenDatabaseCallsAllowed => "forbidden-database-calls-allowed", ["CA-FORBIDDEN-DB-FUNCS"], "answers MsiGetDatabaseState from custom actions as if they owned the database";
    SecondSessionAllowed => "second-session-allowed", ["ONE-SESSION"], "lets a custom action open a second session";
    ExeGetsSession => "exe-gets-session", ["EXE-NO-SESSION"], "hands EXE custom actions a session";
    ExeCommandLineAtRunTime => "exe-command-line-at-run-time", ["EXE-NO-SESSION"], "formats a deferred EXE action's command line when it runs instead of when it was scheduled";
    InstallLevelIgnored => "install-level-ignored", ["CA-MISC-STATE-APIS"], "accepts MsiSetInstallLevel without changing INSTALLLEVEL";
    SelectRefusedInCustomActions => "select-refused-in-custom-actions", ["SQL-SELECT-READS", "SESSION-INSTALLER-DATABASE"], "refuses every SELECT a custom action runs through its database handle, as if reading were writing";
    TempTablePersistent => "temp-table-persistent", ["SQL-TEMP-TABLE-HOLD"], "reports tables of temporary columns as persistent";
    TempColumnOrderUnchecked => "temp-column-order-unchecked", ["SQL-TEMP-COLUMN-ORDER"], "creates tables whose temporary key precedes persistent columns";
    HoldCountIgnored => "hold-count-ignored", ["SQL-HOLD-FREE-REFCOUNT", "SQL-TEMP-TABLE-NO-HOLD"], "keeps temporary tables and columns after their hold count reaches zero";
    AlterAddDuplicateAllowed => "alter-add-duplicate-allowed", ["SQL-ALTER-ADD-COLUMN"], "adds a column that already exists";
    TemporaryRowsKeptAfterCommit => "temporary-rows-kept-after-commit", ["SQL-INSERT-TEMPORARY"], "writes temporary rows to disk on commit";
    InsertTemporaryDuplicatesAllowed => "insert-temporary-duplicates-allowed", ["VIEWMODIFY-INSERT-TEMPORARY"], "inserts a temporary row whose key already exists";
    SystemTablesPersistent => "system-tables-persistent", ["TABLE-PERSISTENT-QUERY"], "reports _Tables and the other system tables as persistent";
    Type51NotFormatted => "type51-not-formatted", ["TYPE51-SETPROP", "PROP-EMBEDDED-NUL", "FMT-PROPERTY", "EXE-NO-SESSION"], "sets a type-51 property to its Target text without formatting it";
    FormatUnknownPropertyKept => "format-unknown-property-kept", ["FMT-PROPERTY"], "leaves [Name] of an unknown property in formatted text";
    FormatEscapeKept => "format-escape-kept", ["FMT-ESCAPE", "DEFERRED-FORMATRECORD"], "leaves [\\x] escapes in formatted text";
    SessionPropertyEmptyNameAccepted => "session-property-empty-name-accepted", ["SESSION-PROPERTY-RW"], "accepts Session.Property(\"\") = value without raising";
    AnyModeSettable => "any-mode-settable", ["SESSION-MODE-SETTABLE"], "lets every run mode be set, not only REBOOTATEND and REBOOTNOW";
    RollbackNotReversed => "rollback-not-reversed", ["RB-CM-ORDER"], "runs rollback actions in the order they were scheduled instead of the most recent first";
    CommitsReversed => "commits-reversed", ["RB-CM-ORDER"], "runs commit actions the most recent first instead of in the order they were scheduled";
    SequenceZeroRuns => "sequence-zero-runs", ["SEQ-ZERO-NEVER-RUNS"], "runs rows at sequence 0 first, as if 0 were a position";
    CustomActionDataPerName => "customactiondata-per-name", ["CUSTOMACTIONDATA-PER-SCHEDULING"], "keeps one CustomActionData per action name, so every scheduling of an action sees the value of the last one";
    ConditionStringsFoldCase => "condition-strings-fold-case", ["CONDITION-STRING-CASE", "SEQ-CONDITION", "CA-MISC-STATE-APIS"], "compares strings in conditions without regard to case even without the ~ prefix";
    MoreDataBufferUntouched => "more-data-buffer-untouched", ["PROP-GET-BUFFER"], "leaves the caller's buffer empty with ERROR_MORE_DATA instead of writing a truncated, terminated copy";
    FirstSequenceSkipsOnlyWhenRan => "first-sequence-skips-only-when-ran", ["SCHED-FLAGS-SHARE-BITS"], "skips a 0x100 action in the execute sequence only when it already ran in the UI sequence, not whenever the UI sequence ran";
    OncePerProcessAsClientRepeat => "once-per-process-as-client-repeat", ["SCHED-FLAGS-SHARE-BITS"], "treats 0x200 (once per process) like 0x300, skipping the action in an execute sequence no UI sequence came before";
    ClientRepeatAlwaysRuns => "client-repeat-always-runs", ["SCHED-FLAGS-SHARE-BITS"], "runs a 0x300 (client repeat) action in an execute sequence no UI sequence came before";
    ContinueIgnoredByDoAction => "continue-ignored-by-doaction", ["CA-RET-CONTINUE-FLAG"], "reports the failure of a 0x40 (continue) custom action run through MsiDoAction instead of success";
    SessionMessageStatusWrong => "session-message-status-wrong", ["SESSION-MESSAGE", "DEFERRED-PROCESSMESSAGE"], "returns 1 (Ok) from Session.Message and MsiProcessMessage where 0 (None) is due";
    RecordCreateUnbounded => "record-create-unbounded", ["REC-CREATE"], "creates a record for any field count instead of refusing more than 65535 fields";
    RecordBadHandleCountZero => "record-bad-handle-count-zero", ["REC-INVALID-HANDLE"], "returns 0 instead of -1 from MsiRecordGetFieldCount on a handle that is no record";
    RecordEmptyStringKept => "record-empty-string-kept", ["REC-NULL-FIELDS"], "stores an empty string in a record field instead of making it Null";
    RecordGrowsOnSet => "record-grows-on-set", ["REC-FIELD-RANGE"], "extends a record when a field beyond its count is set instead of returning ERROR_INVALID_PARAMETER";
    RecordMoreDataAsSuccess => "record-more-data-as-success", ["REC-GET-STRING"], "returns ERROR_SUCCESS from MsiRecordGetString when the value does not fit the buffer";
    ColumnTypesIgnoreNullable => "column-types-ignore-nullable", ["VIEW-COLUMN-INFO"], "writes every column type of MsiViewGetColumnInfo in lower case, as if no column accepted Null";
    PrimaryKeysListAllColumns => "primary-keys-list-all-columns", ["DB-PRIMARY-KEYS"], "lists every column of the table from MsiDatabaseGetPrimaryKeys, not only its key columns";
    ViewErrorBadHandleNoError => "view-error-bad-handle-no-error", ["VIEW-ERROR-ARGS"], "answers MsiViewGetError on a handle that is no view with MSIDBERROR_NOERROR";
    ViewErrorNotRecorded => "view-error-not-recorded", ["VIEW-ERROR-VALIDATION"], "keeps no error on a view whose MsiViewModify validation failed, so MsiViewGetError says MSIDBERROR_NOERROR";
    ViewErrorSizeCountsTerminator => "view-error-size-counts-terminator", ["VIEW-ERROR-BUFFER"], "counts the terminator in the size MsiViewGetError gives with MSIDBERROR_MOREDATA";
    SummaryOpenNullOutAccepted => "summary-open-null-out-accepted", ["SUMINFO-OPEN"], "answers MsiGetSummaryInformation with a NULL out-pointer with ERROR_SUCCESS";
    SummaryCountOffByOne => "summary-count-off-by-one", ["SUMINFO-PROPERTIES"], "counts one property more than the summary information holds";
    SummaryIntegersAsStrings => "summary-integers-as-strings", ["SUMINFO-PROPERTIES"], "reports the integer summary properties (code page, page and word counts) as VT_LPSTR";
    SummaryMoreDataCountsTerminator => "summary-more-data-counts-terminator", ["SUMINFO-BUFFER"], "counts the terminator in the size MsiSummaryInfoGetProperty gives with ERROR_MORE_DATA";
    RecordIntegerParseLenient => "record-integer-parse-lenient", ["REC-INTEGER"], "reads \" 42\" and \"+42\" in a string field as integers in MsiRecordGetInteger";
}

/// How the model is asked to behave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Which expectation to follow where the documentation and Windows disagree.
    pub profile: Profile,
    /// Behaviours to get wrong on purpose (empty for the reference).
    pub deviations: Vec<Deviation>,
}

/// Runs a plan on the model: the package script on a package handle, then the
/// top-level install, recording every call, probe run and action.
pub fn run(plan: &Plan, config: &Config) -> Transcript {
    let mut session = Session::from_plan(plan, config);
    if let Some(script) = &plan.package {
        session.run_package(script);
    }
    if let Some(options) = &plan.install {
        session.run_install(options);
    }
    session.into_transcript()
}
