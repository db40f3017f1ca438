//! The session: property store, handles, and the C calls a package handle or a
//! custom action makes. The install engine is in `engine.rs`, the automation
//! forms in `automation.rs`.

use super::data;
use super::sql::{self, Database, Policy, Record, Statement};
use super::{Config, Deviation};
use crate::codes::{condition as cond, dbstate, rc, runmode};
use crate::fixture::Fixture;
use crate::msi::condition;
use crate::msi::format::{self, Lookup, Style};
use crate::msi::summary;
use crate::msi::text::{self, utf16_len, utf16_prefix};
use crate::msi::view_error;
use crate::plan::{ProbeScript, PACKAGE_PROBE};
use crate::{
    Buffer, Context, HandleArg, ModifyKind, Operation, Outcome, PackageSource, Profile, Transcript,
    UiLevel,
};
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The profile and the deviations, as a bit set for cheap tests on the hot path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Behaviour {
    pub(crate) profile: Profile,
    bits: [u128; 2],
}

const _: () = assert!(Deviation::ALL.len() <= 256);

impl Behaviour {
    fn new(config: &Config) -> Behaviour {
        let mut bits = [0u128; 2];
        for d in &config.deviations {
            let i = *d as usize;
            bits[i / 128] |= 1u128 << (i % 128);
        }
        Behaviour {
            profile: config.profile,
            bits,
        }
    }

    /// Whether the model is told to get this behaviour wrong.
    #[inline]
    pub(crate) fn on(self, d: Deviation) -> bool {
        let i = d as usize;
        self.bits[i / 128] & (1u128 << (i % 128)) != 0
    }

    pub(crate) fn windows(self) -> bool {
        self.profile == Profile::Windows
    }
}

/// The session's properties: the in-memory `_Property` table, kept apart from
/// the persistent Property table, with case-sensitive names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Properties {
    map: HashMap<String, String>,
    /// Deviation: names are folded to lower case.
    fold: bool,
}

impl Properties {
    fn key<'a>(&self, name: &'a str) -> Cow<'a, str> {
        if self.fold {
            Cow::Owned(name.to_lowercase())
        } else {
            Cow::Borrowed(name)
        }
    }

    /// The value of a property, if it is set.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.map.get(self.key(name).as_ref()).map(String::as_str)
    }

    /// Sets a property, reusing the old value's storage.
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        let key = self.key(name);
        if let Some(v) = self.map.get_mut(key.as_ref()) {
            v.clear();
            v.push_str(value);
        } else {
            self.map.insert(key.into_owned(), value.to_owned());
        }
    }

    /// Removes a property.
    pub(crate) fn remove(&mut self, name: &str) {
        let key = self.key(name);
        self.map.remove(key.as_ref());
    }

    /// A property found by a name that matches when case is ignored.
    pub(crate) fn get_ignoring_case(&self, name: &str) -> Option<&str> {
        self.map
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every property, sorted by name.
    pub(crate) fn sorted(&self) -> Vec<(&str, &str)> {
        let mut v: Vec<(&str, &str)> = self
            .map
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        v.sort_unstable();
        v
    }
}

/// Where code runs, as the engine sees it: the phase, and how the custom action reaches the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Package,
    Immediate,
    Deferred,
    Rollback,
    Commit,
}

/// How a custom action is implemented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The C API (DLL custom actions and the package handle).
    Dll,
    /// The automation Session object.
    Script,
    /// No session at all.
    Exe,
}

/// The situation code runs in; it decides what every call may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exec {
    pub(crate) phase: Phase,
    pub(crate) kind: Kind,
    /// An immediate action of InstallUISequence.
    pub(crate) ui: bool,
    /// An immediate action between InstallInitialize and InstallFinalize.
    pub(crate) window: bool,
}

impl Exec {
    /// The situation a context names.
    pub(crate) fn of(context: Context) -> Exec {
        let (phase, kind) = match context {
            Context::Package => (Phase::Package, Kind::Dll),
            Context::ImmediateUi | Context::ImmediateBeforeInit | Context::ImmediateAfterInit => {
                (Phase::Immediate, Kind::Dll)
            }
            Context::Deferred => (Phase::Deferred, Kind::Dll),
            Context::Rollback => (Phase::Rollback, Kind::Dll),
            Context::Commit => (Phase::Commit, Kind::Dll),
            Context::ScriptImmediate => (Phase::Immediate, Kind::Script),
            Context::ScriptDeferred => (Phase::Deferred, Kind::Script),
            Context::Exe => (Phase::Immediate, Kind::Exe),
        };
        Exec {
            phase,
            kind,
            ui: context == Context::ImmediateUi,
            window: context == Context::ImmediateAfterInit,
        }
    }

    /// The context this situation amounts to (what decides which calls exist).
    pub(crate) fn context(self) -> Context {
        match (self.kind, self.phase) {
            (Kind::Exe, _) => Context::Exe,
            (Kind::Script, Phase::Immediate | Phase::Package) => Context::ScriptImmediate,
            (Kind::Script, _) => Context::ScriptDeferred,
            (Kind::Dll, Phase::Package) => Context::Package,
            (Kind::Dll, Phase::Immediate) if self.ui => Context::ImmediateUi,
            (Kind::Dll, Phase::Immediate) if self.window => Context::ImmediateAfterInit,
            (Kind::Dll, Phase::Immediate) => Context::ImmediateBeforeInit,
            (Kind::Dll, Phase::Deferred) => Context::Deferred,
            (Kind::Dll, Phase::Rollback) => Context::Rollback,
            (Kind::Dll, Phase::Commit) => Context::Commit,
        }
    }

    /// Deferred, rollback or commit: the script phase.
    pub(crate) fn in_script(self) -> bool {
        matches!(
            self.phase,
            Phase::Deferred | Phase::Rollback | Phase::Commit
        )
    }

    /// Anything but the package handle.
    pub(crate) fn in_custom_action(self) -> bool {
        self.phase != Phase::Package
    }
}

/// A handle the session gave out.
#[derive(Debug, Clone)]
pub(crate) enum Handle {
    /// A database: the session's own (`disk` is `None`), or a read-only copy of the stored package.
    Db {
        disk: Option<Arc<Database>>,
        custom_action: bool,
    },
    /// A view on a database handle.
    View(Box<View>),
    /// A second package session.
    Package,
    /// A record from MsiCreateRecord.
    Record(crate::msi::record::Record),
    /// Summary information from MsiGetSummaryInformation (the package's, [`summary::PACKAGE`]).
    Summary,
}

#[derive(Debug, Clone)]
pub(crate) struct View {
    db: u32,
    stmt: Statement,
    cols: Vec<String>,
    /// The columns' type strings, fixed when the view was opened (empty unless a SELECT).
    types: Vec<String>,
    rows: Option<Vec<Record>>,
    cursor: usize,
    current: Option<Record>,
    /// The validation error MsiViewGetError reads, if one is pending.
    error: Option<view_error::Pending>,
}

/// One running probe (or a direct caller): what its calls see.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// The context the plan says the probe runs in (events carry it).
    pub(crate) context: Context,
    /// The situation the engine really runs it in.
    pub(crate) exec: Exec,
    /// The custom action's key.
    pub(crate) action: Arc<str>,
    /// CustomActionData, as captured when the action was scheduled.
    pub(crate) data: String,
    /// The command line of an EXE action.
    pub(crate) command_line: String,
    slots: HashMap<String, u32>,
    seen: Vec<u32>,
    /// The probe DLL's global counter (`dll-counter`): the DLL is loaded afresh for each action.
    pub(crate) dll_counter: i64,
    /// Environment changes of this run alone (only the environment-per-action deviation keeps them here).
    pub(crate) env: HashMap<String, Option<String>>,
}

impl Frame {
    pub(crate) fn new(context: Context, exec: Exec, action: &str) -> Frame {
        Frame {
            context,
            exec,
            action: action.into(),
            data: String::new(),
            command_line: String::new(),
            slots: HashMap::default(),
            seen: Vec::new(),
            dll_counter: 0,
            env: HashMap::default(),
        }
    }
}

/// An action written into the install script.
#[derive(Debug, Clone)]
pub(crate) struct Scheduled {
    pub(crate) action: String,
    pub(crate) phase: Phase,
    pub(crate) data: String,
    pub(crate) command_line: String,
}

/// The state of a running install.
#[derive(Debug, Clone, Default)]
pub(crate) struct Install {
    /// A top-level install is running.
    pub(crate) active: bool,
    pub(crate) ui_level: UiLevel,
    /// InstallUISequence is running.
    pub(crate) in_ui: bool,
    /// InstallUISequence ran.
    pub(crate) ui_ran: bool,
    /// InstallUISequence started (it may still be running, its ExecuteAction
    /// running the execute sequence).
    pub(crate) ui_started: bool,
    /// InstallInitialize ran and the script has not been run to its end.
    pub(crate) script_open: bool,
    /// Between InstallInitialize and InstallFinalize.
    pub(crate) in_window: bool,
    /// Actions scheduled and not yet run.
    pub(crate) script: Vec<Scheduled>,
    /// Rollback actions whose place in the script has been passed.
    pub(crate) armed_rollback: Vec<Scheduled>,
    /// Commit actions, run after a successful InstallFinalize.
    pub(crate) commits: Vec<Scheduled>,
    /// Custom actions that ran, for the once-only scheduling options.
    pub(crate) ran: Vec<String>,
}

/// The model's session: an in-memory Windows Installer session that answers
/// every [`Operation`] as the catalog says, in the profile it was given.
///
/// Use [`Session::call`] to make calls one at a time (benchmarks, fuzzers) or
/// [`super::run`] for a whole plan.
#[derive(Debug, Clone)]
pub struct Session<'p> {
    pub(crate) b: Behaviour,
    pub(crate) fixture: Shared<'p, Fixture>,
    pub(crate) probes: Shared<'p, BTreeMap<String, ProbeScript>>,
    pub(crate) props: Properties,
    /// The session's database. Shared with `disk` until the first write
    /// (copy on write): most plans never write, and a session is opened twice per plan.
    pub(crate) db: Arc<Database>,
    /// What is stored in the package file (what a commit writes).
    pub(crate) disk: Arc<Database>,
    pub(crate) handles: HashMap<u32, Handle>,
    next_handle: u32,
    /// The database handle handed out again under the same-handle deviation.
    shared_db: Option<u32>,
    pub(crate) frames: Vec<Frame>,
    /// Run modes set through MsiSetMode, by bit.
    modes: u64,
    pub(crate) install: Install,
    pub(crate) transcript: Transcript,
    /// Nesting of actions running actions.
    pub(crate) depth: usize,
    /// Probe runs left before the model stops running custom actions (plans that recurse).
    pub(crate) budget: usize,
    /// CostFinalize has run: file and component keys resolve.
    pub(crate) costed: bool,
    /// Source and target paths of the Directory table.
    pub(crate) dirs: super::directories::Directories,
    /// Feature and component states.
    pub(crate) states: super::features::States,
    /// The error record MsiGetLastErrorRecord would return in the package
    /// handle's process: its field 1 (LAST-ERROR-RECORD).
    pub(crate) last_error: Option<i64>,
    /// The next action started was named in a DoAction call (not reached
    /// through a sequence or the top-level install); read once by `do_action`.
    pub(crate) named_by_caller: bool,
    /// The product's LANGID, fixed when the package was opened (MsiGetLanguage).
    language: i64,
    /// Environment changes, by upper-cased name: of the package handle's
    /// process, and of the custom-action host the install's DLL actions share.
    env_package: HashMap<String, Option<String>>,
    env_host: HashMap<String, Option<String>>,
    /// The DLL counter of a runtime that keeps DLL globals between actions.
    kept_counter: i64,
}

/// Most actions nested inside each other before DoAction fails.
pub(crate) const MAX_DEPTH: usize = 24;
/// Most custom-action runs in one plan.
pub(crate) const MAX_RUNS: usize = 4096;

/// What the session reads from its plan: borrowed for the length of a plan
/// run (no copy per run), or owned when the session outlives its caller's data.
#[derive(Debug)]
pub(crate) enum Shared<'p, T> {
    Borrowed(&'p T),
    Owned(Arc<T>),
}

impl<T> Clone for Shared<'_, T> {
    fn clone(&self) -> Self {
        match self {
            Shared::Borrowed(r) => Shared::Borrowed(r),
            Shared::Owned(a) => Shared::Owned(Arc::clone(a)),
        }
    }
}

impl<T> std::ops::Deref for Shared<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Shared::Borrowed(r) => r,
            Shared::Owned(a) => a,
        }
    }
}

impl Session<'static> {
    /// A session on a package, as MsiOpenPackage gives it: properties loaded from
    /// the Property table, nothing installed.
    pub fn new(fixture: &Fixture, config: &Config) -> Session<'static> {
        Session::build(
            Shared::Owned(Arc::new(fixture.clone())),
            Shared::Owned(Arc::default()),
            config,
        )
    }
}

impl<'p> Session<'p> {
    /// A session on a plan's package that knows the plan's probes, so that an
    /// action reached through [`Session::call`] runs its probe's steps (recorded in
    /// the transcript) as it would during [`super::run`].
    pub fn from_plan(plan: &'p crate::Plan, config: &Config) -> Session<'p> {
        Session::build(
            Shared::Borrowed(&plan.fixture),
            Shared::Borrowed(&plan.probes),
            config,
        )
    }

    /// The transcript recorded so far, taken out of the session.
    pub fn into_transcript(self) -> Transcript {
        self.transcript
    }

    pub(crate) fn build(
        fixture: Shared<'p, Fixture>,
        probes: Shared<'p, BTreeMap<String, ProbeScript>>,
        config: &Config,
    ) -> Session<'p> {
        let b = Behaviour::new(config);
        let disk = Arc::new(Database::from_fixture(&fixture));
        let mut s = Session {
            b,
            fixture,
            probes,
            props: Properties {
                map: HashMap::default(),
                fold: b.on(Deviation::PropertyNamesFoldCase),
            },
            db: Arc::clone(&disk),
            disk,
            handles: HashMap::default(),
            next_handle: 0x1000,
            shared_db: None,
            frames: Vec::new(),
            modes: 0,
            install: Install::default(),
            transcript: Transcript::default(),
            depth: 0,
            budget: MAX_RUNS,
            costed: false,
            dirs: Default::default(),
            states: Default::default(),
            last_error: None,
            named_by_caller: false,
            language: 0,
            env_package: HashMap::default(),
            env_host: HashMap::default(),
            kept_counter: 0,
        };
        s.open();
        s
    }

    /// (Re)opens the session on the stored package: a fresh database and property store.
    pub(crate) fn open(&mut self) {
        self.db = Arc::clone(&self.disk);
        self.props.map.clear();
        if let Some(t) = self.db.table("Property") {
            for row in &t.rows {
                if let [name, value, ..] = row.values.as_slice() {
                    let (name, value) = (name.render(), value.render());
                    if !name.is_empty() && !value.is_empty() {
                        self.props.set(&name, &value);
                    }
                }
            }
        }
        self.props.set("UserSID", data::USER_SID);
        // Setting ProductLanguage later changes the property, not the session's language.
        self.language = self
            .props
            .get("ProductLanguage")
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0);
        self.handles.clear();
        self.shared_db = None;
        self.modes = 0;
        self.costed = false;
        self.dirs = Default::default();
        self.states = Default::default();
        self.install = Install::default();
    }

    /// Makes one call from `context`, as the model's reference (or deviated)
    /// implementation answers it. Calls from the same context share handle slots
    /// until a call comes from another context.
    pub fn call(&mut self, context: Context, op: &Operation) -> Outcome {
        match self.frames.last() {
            Some(f) if f.context == context => {}
            _ => {
                let probe = crate::plan::default_probe(context).map_or(PACKAGE_PROBE, |p| p.0);
                self.frames.clear();
                self.frames
                    .push(Frame::new(context, Exec::of(context), probe));
            }
        }
        self.perform(op)
    }

    /// The transcript recorded so far (only plan runs record anything).
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// The value of a property as the session holds it (no context restrictions).
    pub fn property(&self, name: &str) -> Option<&str> {
        self.props.get(name)
    }

    /// The environment block the current call sees: the package handle's
    /// process, or the custom-action host (one per action under the
    /// environment-per-action deviation).
    fn environment_mut(&mut self) -> &mut HashMap<String, Option<String>> {
        if self.frame().context == Context::Package {
            return &mut self.env_package;
        }
        if self.b.on(Deviation::EnvironmentPerAction) {
            if let Some(f) = self.frames.last_mut() {
                return &mut f.env;
            }
        }
        &mut self.env_host
    }

    pub(crate) fn frame(&self) -> &Frame {
        // `perform` is only reached with a frame pushed; a default keeps a bug from panicking.
        static NONE: std::sync::OnceLock<Frame> = std::sync::OnceLock::new();
        self.frames.last().unwrap_or_else(|| {
            NONE.get_or_init(|| Frame::new(Context::Package, Exec::of(Context::Package), ""))
        })
    }

    fn exec(&self) -> Exec {
        self.frame().exec
    }

    /// Performs one operation in the current frame.
    pub(crate) fn perform(&mut self, op: &Operation) -> Outcome {
        let exec = self.exec();
        if !op.kind().available_in(exec.context()) {
            return Outcome::unsupported(format!(
                "`{}` cannot be called from a {} custom action",
                op.kind(),
                exec.context()
            ));
        }
        match op {
            Operation::GetProperty {
                name,
                buffer,
                ansi,
                handle,
            } => self.get_property(name.as_deref(), *buffer, *ansi, *handle),
            // The A form stores what the caller's code page gives; for the
            // text the cases pass that is the text itself.
            Operation::SetProperty {
                name,
                value,
                handle,
                ..
            } => Outcome::rc(self.set_property(name.as_deref(), value.as_deref(), *handle)),
            Operation::DoAction { action, handle } => {
                self.do_action_call(action.as_deref(), *handle)
            }
            Operation::Sequence { table } => Outcome::rc(self.sequence_call(table.as_deref())),
            Operation::GetMode { mode, handle } => {
                Outcome::number(if *handle == HandleArg::Session {
                    i64::from(self.get_mode(*mode))
                } else {
                    0
                })
            }
            Operation::SetMode { mode, state } => Outcome::rc(self.set_mode(*mode, *state)),
            Operation::GetLanguage => Outcome::number(self.language()),
            Operation::ProcessMessage { .. } => Outcome::number(self.message_status()),
            Operation::FormatRecord {
                null_record: true, ..
            } if !self.b.on(Deviation::FormatNullRecordFormats) => Outcome::rc(rc::INVALID_HANDLE),
            Operation::FormatRecord {
                template,
                fields,
                buffer,
                ansi,
                handle,
                ..
            } => self.format_record(template, fields, *buffer, *ansi, *handle),
            Operation::EvaluateCondition { condition } => {
                Outcome::number(self.evaluate(condition.as_deref()))
            }
            Operation::SetInstallLevel { level } => Outcome::rc(self.set_install_level(*level)),
            Operation::GetTargetPath {
                folder,
                buffer,
                ansi,
                handle,
            } => self.get_target_path(folder.as_deref(), *buffer, *ansi, *handle),
            Operation::SetTargetPath {
                folder,
                path,
                handle,
            } => Outcome::rc(self.set_target_path(folder.as_deref(), path.as_deref(), *handle)),
            Operation::GetSourcePath {
                folder,
                buffer,
                ansi,
                handle,
            } => self.get_source_path(folder.as_deref(), *buffer, *ansi, *handle),
            Operation::GetFeatureState { feature, null_out } => {
                self.get_state(true, feature.as_deref(), *null_out)
            }
            Operation::SetFeatureState { feature, state } => {
                Outcome::rc(self.set_state(true, feature.as_deref(), *state))
            }
            Operation::GetComponentState {
                component,
                null_out,
            } => self.get_state(false, component.as_deref(), *null_out),
            Operation::GetFeatureValidStates { feature, null_out } => {
                self.get_valid_states(feature.as_deref(), *null_out)
            }
            Operation::GetFeatureCost {
                feature,
                tree,
                state,
                null_out,
            } => self.get_feature_cost(feature.as_deref(), *tree, *state, *null_out),
            Operation::EnumComponentCosts {
                component,
                index,
                state,
                buffer,
                null_cost,
                null_temp,
            } => self.enum_component_costs(
                component.as_deref(),
                *index,
                *state,
                *buffer,
                *null_cost,
                *null_temp,
            ),
            Operation::VerifyDiskSpace { handle } => Outcome::rc(self.verify_disk_space(*handle)),
            Operation::GetLastErrorRecord => self.take_error_record(),
            Operation::SetFeatureAttributes { feature, .. } => {
                Outcome::rc(self.set_feature_attributes(feature.as_deref()))
            }
            Operation::SetComponentState { component, state } => {
                Outcome::rc(self.set_state(false, component.as_deref(), *state))
            }
            Operation::GetActiveDatabase { into } => {
                let h = self.active_database();
                self.handle_outcome(into, h, None)
            }
            Operation::OpenDatabase { into } => {
                let h = self.alloc(Handle::Db {
                    disk: Some(Arc::clone(&self.disk)),
                    // A custom action cannot change persistent data through any handle.
                    custom_action: exec.in_custom_action(),
                });
                self.handle_outcome(into, h, Some(rc::SUCCESS))
            }
            Operation::OpenView {
                db,
                sql,
                into,
                null_out,
            } => {
                let o = self.open_view(db, sql.as_deref(), into, *null_out);
                self.note_error_record(sql.is_some(), o.rc);
                o
            }
            Operation::Execute { view } => Outcome::rc(self.execute(view)),
            Operation::Fetch { view } => self.fetch(view),
            Operation::SetField { view, field, value } => {
                Outcome::rc(self.set_field(view, *field, value))
            }
            Operation::Modify { view, kind, record } => {
                Outcome::rc(self.modify(view, *kind, record.as_deref()))
            }
            Operation::Sql { db, sql } => self.sql(db, sql),
            Operation::Commit { db } => Outcome::rc(self.commit(db)),
            Operation::IsTablePersistent { db, table } => {
                Outcome::number(self.is_table_persistent(db, table.as_deref()))
            }
            Operation::SetSummaryInfo { db, .. } => Outcome::rc(self.set_summary_info(db)),
            Operation::GetDatabaseState { db } => {
                Outcome::number(self.database_state(db.as_deref()))
            }
            Operation::OpenPackage { source, into } => {
                let (code, h) = self.open_package(*source);
                self.handle_outcome(into, h, Some(code))
            }
            Operation::InstallProduct { .. } => {
                if exec.in_custom_action() {
                    // An install is already running in this process.
                    Outcome::rc(rc::INSTALL_ALREADY_RUNNING)
                } else {
                    Outcome::unsupported(
                        "the model runs a top-level install only through the plan's `install`",
                    )
                }
            }
            Operation::CloseHandle { slot } => Outcome::rc(self.close_handle(slot)),
            Operation::CommandLine => Outcome {
                value: Some(self.frame().command_line.clone()),
                ..Outcome::default()
            },
            Operation::HasSession => Outcome::number(i64::from(
                exec.kind != Kind::Exe || self.b.on(Deviation::ExeGetsSession),
            )),
            Operation::SetEnvironment { name, value } => {
                let key = name.to_uppercase();
                let value = value.clone();
                self.environment_mut().insert(key, value);
                Outcome::number(1)
            }
            Operation::GetEnvironment { name } => {
                let key = name.to_uppercase();
                let found = match self.environment_mut().get(&key) {
                    Some(v) => v.clone(),
                    None => data::environment(name).map(str::to_owned),
                };
                Outcome {
                    number: Some(
                        found
                            .as_deref()
                            .map_or(0, |v| i64::from(text::utf16_len(v))),
                    ),
                    value: found,
                    ..Outcome::default()
                }
            }
            Operation::DllCounter => {
                let n = if self.b.on(Deviation::DllGlobalsKept) {
                    &mut self.kept_counter
                } else {
                    match self.frames.last_mut() {
                        Some(f) => &mut f.dll_counter,
                        None => &mut self.kept_counter,
                    }
                };
                let was = *n;
                *n += 1;
                Outcome::number(was)
            }
            Operation::ComInitSta => {
                Outcome::number(if self.b.on(Deviation::ComThreadInitialised) {
                    crate::msi::custom_action::RPC_E_CHANGED_MODE
                } else {
                    crate::msi::custom_action::S_OK
                })
            }
            Operation::ComCreate => Outcome::number(crate::msi::custom_action::S_OK),
            Operation::CreateRecord { .. }
            | Operation::RecordFieldCount { .. }
            | Operation::RecordSetString { .. }
            | Operation::RecordSetInteger { .. }
            | Operation::RecordGetString { .. }
            | Operation::RecordGetInteger { .. }
            | Operation::RecordIsNull { .. }
            | Operation::RecordDataSize { .. }
            | Operation::RecordSetStream { .. }
            | Operation::RecordReadStream { .. }
            | Operation::RecordClearData { .. } => self.record_call(op),
            Operation::ViewColumnInfo { view, info, into } => {
                let (code, rec) = self.view_column_info(view, *info);
                let h = rec.map_or(0, |r| self.alloc(Handle::Record(r)));
                self.handle_outcome(into, h, Some(code))
            }
            Operation::ViewGetError { view, buffer } => self.view_get_error(view, *buffer),
            Operation::SummaryInfo {
                db, null_out, into, ..
            } => self.summary_info(db, *null_out, into),
            Operation::SummaryPropertyCount { summary, null_out } => {
                self.summary_property_count(summary, *null_out)
            }
            Operation::SummaryGetProperty {
                summary,
                property,
                buffer,
            } => self.summary_get_property(summary, *property, *buffer),
            Operation::PrimaryKeys { db, table, into } => {
                let (code, rec) = self.primary_keys(db, table.as_deref());
                let h = rec.map_or(0, |r| self.alloc(Handle::Record(r)));
                self.handle_outcome(into, h, Some(code))
            }
            Operation::SessionPropertyGet { .. }
            | Operation::SessionPropertySet { .. }
            | Operation::SessionDoAction { .. }
            | Operation::SessionMode { .. }
            | Operation::SessionSetMode { .. }
            | Operation::SessionLanguage
            | Operation::SessionMessage { .. }
            | Operation::SessionEvaluateCondition { .. }
            | Operation::SessionTargetPath { .. }
            | Operation::SessionSetTargetPath { .. }
            | Operation::SessionSourcePath { .. }
            | Operation::SessionFeatureCurrentState { .. }
            | Operation::SessionFeatureRequestState { .. }
            | Operation::SessionSetFeatureRequestState { .. }
            | Operation::SessionComponentCurrentState { .. }
            | Operation::SessionComponentRequestState { .. }
            | Operation::SessionSetComponentRequestState { .. }
            | Operation::SessionFeatureValidStates { .. }
            | Operation::SessionFeatureCost { .. }
            | Operation::SessionDatabase { .. }
            | Operation::InstallerOpenPackage => self.automation(op),
        }
    }

    // -----------------------------------------------------------------------
    // Properties

    /// A property as the current frame may read it: deferred actions see only
    /// CustomActionData, ProductCode and UserSID (commit actions not ProductCode).
    pub(crate) fn read_property(&self, name: &str) -> Option<&str> {
        let f = self.frame();
        let b = self.b;
        if f.exec.in_script() && !b.on(Deviation::DeferredSeesAllProperties) {
            return match name {
                "CustomActionData" if b.on(Deviation::CustomActionDataReadAtRunTime) => {
                    self.props.get(&f.action)
                }
                "CustomActionData" => Some(f.data.as_str()),
                "ProductCode"
                    if f.exec.phase == Phase::Commit && !b.on(Deviation::CommitSeesProductCode) =>
                {
                    None
                }
                "ProductCode" | "UserSID" => self.props.get(name),
                _ => None,
            };
        }
        if let Some(var) = name.strip_prefix('%') {
            if !b.on(Deviation::EnvironmentPrefixIgnored) {
                return data::environment(var);
            }
        }
        if name == "CustomActionData"
            && f.exec.phase == Phase::Immediate
            && b.on(Deviation::ImmediateSeesCustomActionData)
            && self.props.get(name).is_none()
        {
            return self.props.get(&f.action);
        }
        self.props.get(name)
    }

    /// What formatted text may read: deferred actions resolve only
    /// CustomActionData and ProductCode (DEFERRED-FORMATRECORD).
    pub(crate) fn format_property(&self, name: &str) -> Option<String> {
        if let Some(var) = name.strip_prefix('%') {
            return data::environment(var).map(str::to_owned);
        }
        let f = self.frame();
        if let Some(key) = name.strip_prefix(['#', '!']) {
            return (!f.exec.in_script()).then(|| self.file_path(key)).flatten();
        }
        if let Some(key) = name.strip_prefix('$') {
            return (!f.exec.in_script())
                .then(|| self.component_directory(key))
                .flatten();
        }
        // The deviation breaks DEFERRED-FORMATRECORD, a rule of deferred and rollback actions.
        let all =
            f.exec.phase != Phase::Commit && self.b.on(Deviation::DeferredFormatsAllProperties);
        if f.exec.in_script() && !all {
            return match name {
                "CustomActionData" | "ProductCode" => self.read_property(name).map(str::to_owned),
                _ => None,
            };
        }
        if f.exec.in_script() {
            return self.props.get(name).map(str::to_owned);
        }
        self.read_property(name).map(str::to_owned)
    }

    /// A column of the row of `table` whose first column is `key`.
    fn cell(&self, table: &str, key: &str, column: &str) -> Option<String> {
        let t = self.db.table(table)?;
        let c = t.cols.iter().position(|c| c.name == column)?;
        let row = t
            .rows
            .iter()
            .find(|r| r.values.first().is_some_and(|v| v.render() == key))?;
        Some(row.values.get(c)?.render())
    }

    /// The target path of a Directory row, ending in a backslash: a property of
    /// the directory's name wins, the root is ROOTDRIVE (FMT-FILE-COMPONENT-KEYS).
    fn directory_path(&self, dir: &str) -> Option<String> {
        if let Some(v) = self.props.get(dir).filter(|v| !v.is_empty()) {
            return Some(crate::msi::directory::with_separator(v));
        }
        let root = self
            .props
            .get("ROOTDRIVE")
            .filter(|v| !v.is_empty())
            .unwrap_or(crate::msi::directory::DEFAULT_ROOT)
            .to_owned();
        self.directory_tree().resolve(dir, &self.dirs.fixed, &root)
    }

    /// Whether a component is installed by the features that carry it: those
    /// whose Level is between 1 and INSTALLLEVEL (all, without a FeatureComponents table).
    fn component_enabled(&self, component: &str) -> bool {
        let Some(fc) = self.db.table("FeatureComponents") else {
            return true;
        };
        let level = |f: &str| -> i64 {
            self.cell("Feature", f, "Level")
                .and_then(|l| l.parse().ok())
                .unwrap_or(1)
        };
        let install_level: i64 = self
            .props
            .get("INSTALLLEVEL")
            .and_then(|l| l.parse().ok())
            .unwrap_or(1);
        fc.rows.iter().any(|r| match r.values.as_slice() {
            [f, c, ..] => {
                c.render() == component && {
                    let l = level(&f.render());
                    l > 0 && l <= install_level
                }
            }
            _ => false,
        })
    }

    /// `[$component]`: the component's directory once costing is done, "" before.
    fn component_directory(&self, component: &str) -> Option<String> {
        if !self.costed || !self.component_enabled(component) {
            return Some(String::new());
        }
        let dir = self.cell("Component", component, "Directory_")?;
        self.directory_path(&dir)
    }

    /// `[#file]`: the file's full target path once costing is done, "" before.
    fn file_path(&self, file: &str) -> Option<String> {
        if !self.costed {
            return Some(String::new());
        }
        let component = self.cell("File", file, "Component_")?;
        let name = self.cell("File", file, "FileName")?;
        let dir = self.component_directory(&component)?;
        if dir.is_empty() {
            return Some(String::new());
        }
        let long = name.rsplit('|').next().unwrap_or("");
        Some(format!("{dir}{long}"))
    }

    /// Formats text with the session's properties, as type-51 actions and the engine do.
    pub(crate) fn format_text(&self, template: &str) -> String {
        self.format_with(template, &[], self.style())
    }

    /// Formats with the session's values: the model always knows them.
    fn format_with(&self, template: &str, fields: &[String], style: Style) -> String {
        let lookup = |n: &str| Lookup::from(self.format_property(n));
        format::format(template, fields, style, &lookup).unwrap_or_default()
    }

    fn style(&self) -> Style {
        Style {
            fields_only: false,
            keep_unknown: !self.exec().in_script()
                && self.b.on(Deviation::FormatUnknownPropertyKept),
            keep_escapes: self.b.on(Deviation::FormatEscapeKept),
        }
    }

    fn get_property(
        &self,
        name: Option<&str>,
        buffer: Buffer,
        ansi: bool,
        handle: HandleArg,
    ) -> Outcome {
        let unchecked = !self.exec().in_script() && self.b.on(Deviation::GetPropertyArgsUnchecked);
        let name = match name {
            Some(n) => n,
            None if unchecked => "",
            // The parameter is checked before the handle.
            None => return Outcome::rc(rc::INVALID_PARAMETER),
        };
        if handle != HandleArg::Session {
            return Outcome::rc(rc::INVALID_HANDLE);
        }
        let buffer = match buffer {
            Buffer::NullSize if unchecked => Buffer::Ample,
            b => b,
        };
        match self.read_property(name) {
            Some(v) => self.string_result(v, buffer, ansi, true),
            None if self.b.on(Deviation::UndefinedPropertyFails) => {
                Outcome::rc(rc::FUNCTION_FAILED)
            }
            None => self.string_result("", buffer, ansi, true),
        }
    }

    /// Whether an A-variant call here goes through Windows' ANSI bridge: a DLL
    /// custom action of any phase, in the windows profile.
    fn through_ansi_bridge(&self, ansi: bool) -> bool {
        let e = self.exec();
        ansi && e.in_custom_action() && e.kind == Kind::Dll && self.b.windows()
    }

    /// Whether an A-variant size comes back in bytes here (PROP-GET-REMOTE-BYTES).
    /// Only immediate actions are recorded doing so (custom.c test_props runs in
    /// one); deferred, rollback and commit actions keep the documented characters.
    fn sizes_in_bytes(&self, ansi: bool, property: bool) -> bool {
        if !ansi {
            return false;
        }
        if property && self.b.on(Deviation::AnsiSizeInBytesEverywhere) {
            return true;
        }
        self.through_ansi_bridge(ansi)
            && !self.exec().in_script()
            && !self.b.on(Deviation::AnsiSizeInCharsInCustomActions)
    }

    /// The result of a string getter (MsiGetProperty, MsiFormatRecord) for `value`
    /// and the way the caller supplied the buffer (PROP-GET-BUFFER). `property`
    /// for MsiGetProperty, the call whose buffer the size deviation breaks.
    pub(crate) fn string_result(
        &self,
        value: &str,
        buffer: Buffer,
        ansi: bool,
        property: bool,
    ) -> Outcome {
        let value =
            if property && !self.exec().in_script() && self.b.on(Deviation::EmbeddedNulTruncates) {
                value.split('\0').next().unwrap_or("")
            } else {
                value
            };
        // Sizes count UTF-16 code units, as the W functions do.
        let n = utf16_len(value);
        let g = text::getter_result(n, buffer, self.sizes_in_bytes(ansi, property));
        if g.rc == rc::MORE_DATA {
            let size = g.size.map(|s| {
                if property
                    && !self.exec().in_script()
                    && self.b.on(Deviation::MoreDataSizeOffByOne)
                {
                    s + 1
                } else {
                    s
                }
            });
            return Outcome {
                rc: Some(rc::MORE_DATA),
                // A zero-sized buffer is left untouched; otherwise it is truncated and terminated.
                value: g.copied.map(|k| {
                    if self.b.on(Deviation::MoreDataBufferUntouched) {
                        String::new()
                    } else {
                        utf16_prefix(value, k).to_owned()
                    }
                }),
                size,
                ..Outcome::default()
            };
        }
        if g.rc != rc::SUCCESS || g.copied.is_none() {
            return Outcome {
                rc: Some(g.rc),
                size: g.size,
                ..Outcome::default()
            };
        }
        // Through the A bridge of a custom action the copy stops at a NUL.
        let text = if self.through_ansi_bridge(ansi) && value.contains('\0') {
            text::ansi_bridge_copy(value)
        } else {
            value.to_owned()
        };
        let size = g.size.map(|s| {
            if property
                && self.exec().in_script()
                && self.b.on(Deviation::InScriptSizeCountsTerminator)
            {
                s + 1
            } else {
                s
            }
        });
        Outcome {
            rc: Some(rc::SUCCESS),
            value: Some(text),
            size,
            ..Outcome::default()
        }
    }

    pub(crate) fn set_property(
        &mut self,
        name: Option<&str>,
        value: Option<&str>,
        handle: HandleArg,
    ) -> u32 {
        // The handle is checked before the name (package.c test_props).
        if handle != HandleArg::Session {
            return rc::INVALID_HANDLE;
        }
        let Some(name) = name else {
            return rc::INVALID_PARAMETER;
        };
        if self.exec().in_script() && !self.b.on(Deviation::DeferredSetPropertyTakesEffect) {
            // Not on the deferred allow-list: the call fails and changes nothing.
            return rc::FUNCTION_FAILED;
        }
        let value = crate::msi::text::c_string(value.unwrap_or(""));
        if name.is_empty() {
            if value.is_empty() {
                return rc::SUCCESS;
            }
            if !self.b.on(Deviation::SetPropertyArgsUnchecked) {
                return rc::FUNCTION_FAILED;
            }
        } else if self.b.on(Deviation::PropertyNamesValidated)
            && !crate::msi::properties::is_identifier(name)
        {
            return rc::INVALID_PARAMETER;
        }
        if value.is_empty() && !self.b.on(Deviation::EmptyValueKeepsProperty) {
            self.props.remove(name);
        } else if self.b.on(Deviation::SetPropertyFormatsValue) {
            let v = self.format_text(value);
            self.props.set(name, &v);
        } else {
            self.props.set(name, value);
        }
        rc::SUCCESS
    }

    // -----------------------------------------------------------------------
    // Modes, language, messages, formatting, conditions

    pub(crate) fn rollback_disabled(&self) -> bool {
        ["RollbackDisabled", "DISABLEROLLBACK"]
            .iter()
            .any(|p| self.props.get(p).is_some_and(|v| !v.is_empty()))
    }

    pub(crate) fn get_mode(&self, mode: u32) -> bool {
        let e = self.exec();
        let b = self.b;
        if e.in_script() {
            let wrong = b.on(Deviation::WrongRunModesInRollbackCommit);
            return match mode {
                runmode::SCHEDULED => {
                    e.phase == Phase::Deferred || (wrong && e.phase != Phase::Deferred)
                }
                runmode::ROLLBACK => e.phase == Phase::Rollback && !wrong,
                runmode::COMMIT => e.phase == Phase::Commit && !wrong,
                _ if b.on(Deviation::DeferredReportsAllModes) => self.session_mode(mode),
                _ => false,
            };
        }
        match mode {
            runmode::SCHEDULED | runmode::ROLLBACK | runmode::COMMIT => false,
            _ => self.session_mode(mode),
        }
    }

    /// A run mode as the session's own state answers it.
    fn session_mode(&self, mode: u32) -> bool {
        match mode {
            runmode::ROLLBACKENABLED => !self.rollback_disabled(),
            runmode::ADMIN => self.props.get("ACTION") == Some("ADMIN"),
            runmode::ADVERTISE => self.props.get("ACTION") == Some("ADVERTISE"),
            runmode::MAINTENANCE => self.props.get("Installed").is_some_and(|v| !v.is_empty()),
            m if m < 64 => self.modes & (1u64 << m) != 0,
            _ => false,
        }
    }

    pub(crate) fn set_mode(&mut self, mode: u32, state: bool) -> u32 {
        let settable = matches!(mode, runmode::REBOOTATEND | runmode::REBOOTNOW)
            || (!self.exec().in_script() && self.b.on(Deviation::AnyModeSettable));
        if !settable || mode >= 64 {
            return rc::ACCESS_DENIED;
        }
        if !self.exec().in_script() && self.b.on(Deviation::RebootModesRefused) {
            return rc::ACCESS_DENIED;
        }
        if !self.b.on(Deviation::RebootModeNotSettable) {
            if state {
                self.modes |= 1u64 << mode;
            } else {
                self.modes &= !(1u64 << mode);
            }
        }
        rc::SUCCESS
    }

    pub(crate) fn language(&self) -> i64 {
        let e = self.exec();
        let b = self.b;
        if e.phase == Phase::Commit && !b.on(Deviation::CommitSeesProductCode) {
            return 0;
        }
        if matches!(e.phase, Phase::Deferred | Phase::Rollback)
            && b.on(Deviation::DeferredLanguageZero)
        {
            return 0;
        }
        self.language
    }

    /// What MsiProcessMessage and Session.Message return: no UI handles the
    /// message in the model's quiet sessions, so msiMessageStatusNone (0).
    pub(crate) fn message_status(&self) -> i64 {
        if self.exec().in_script() && self.b.on(Deviation::DeferredMessagesRefused) {
            return -1;
        }
        if self.b.on(Deviation::SessionMessageStatusWrong) {
            return 1;
        }
        0
    }

    fn format_record(
        &self,
        template: &str,
        fields: &[String],
        buffer: Buffer,
        ansi: bool,
        handle: HandleArg,
    ) -> Outcome {
        let text = match handle {
            HandleArg::Bogus => return Outcome::rc(rc::INVALID_HANDLE),
            // Without an install handle only the record's own fields are filled in.
            HandleArg::Zero => self.format_with(
                template,
                fields,
                Style {
                    fields_only: true,
                    ..Style::default()
                },
            ),
            HandleArg::Session => self.format_with(template, fields, self.style()),
        };
        if buffer == Buffer::NullSize && self.b.on(Deviation::FormatRecordNullSizeAccepted) {
            return Outcome::rc(rc::SUCCESS);
        }
        self.string_result(&text, buffer, ansi, false)
    }

    pub(crate) fn evaluate(&self, text: Option<&str>) -> i64 {
        let lookup = |n: &str| {
            if let Some(var) = n.strip_prefix('%') {
                return Lookup::from(data::environment(var).map(str::to_owned));
            }
            if n.starts_with(['$', '?', '&', '!']) {
                // No Feature or Component tables in the model: their states read as empty.
                return Lookup::Absent;
            }
            Lookup::from(self.read_property(n).map(str::to_owned))
        };
        // The model knows every value, so the answer is never unknown.
        let folded;
        let text = if self.b.on(Deviation::ConditionStringsFoldCase) {
            folded = text.map(fold_all_comparisons);
            folded.as_deref()
        } else {
            text
        };
        let r = condition::evaluate(text, &lookup).unwrap_or(cond::ERROR);
        if r == cond::ERROR && self.b.on(Deviation::BadConditionIgnored) {
            return cond::FALSE;
        }
        r
    }

    fn set_install_level(&mut self, level: i32) -> u32 {
        if self.exec().in_script() {
            return rc::FUNCTION_FAILED;
        }
        if !self.b.on(Deviation::InstallLevelIgnored) {
            self.props.set("INSTALLLEVEL", &level.to_string());
        }
        if self.costed && level > 0 && !self.b.on(Deviation::InstallLevelLeavesStates) {
            self.reselect_features(i64::from(level));
        }
        rc::SUCCESS
    }

    // -----------------------------------------------------------------------
    // Handles

    pub(crate) fn alloc(&mut self, h: Handle) -> u32 {
        self.next_handle += 1;
        self.handles.insert(self.next_handle, h);
        self.next_handle
    }

    /// The rank of a handle among those the current frame has seen (0 for none).
    fn rank(&mut self, h: u32) -> u32 {
        if h == 0 {
            return 0;
        }
        let Some(f) = self.frames.last_mut() else {
            return 0;
        };
        match f.seen.iter().position(|&x| x == h) {
            Some(i) => i as u32 + 1,
            None => {
                f.seen.push(h);
                f.seen.len() as u32
            }
        }
    }

    /// Stores a handle in a slot and reports it.
    pub(crate) fn handle_outcome(&mut self, slot: &str, h: u32, code: Option<u32>) -> Outcome {
        if let Some(f) = self.frames.last_mut() {
            f.slots.insert(slot.to_owned(), h);
        }
        Outcome {
            rc: code,
            handle: Some(self.rank(h)),
            ..Outcome::default()
        }
    }

    pub(crate) fn slot(&self, slot: &str) -> u32 {
        self.frame().slots.get(slot).copied().unwrap_or(0)
    }

    /// MsiGetActiveDatabase / Session.Database: a new read-only handle on the
    /// session's database each call, none in the script phase.
    pub(crate) fn active_database(&mut self) -> u32 {
        let e = self.exec();
        if e.in_script() && !self.b.on(Deviation::DeferredGetsDatabase) {
            return 0;
        }
        if self.b.on(Deviation::ActiveDatabaseSameHandle) {
            if let Some(h) = self.shared_db.filter(|h| self.handles.contains_key(h)) {
                return h;
            }
        }
        let h = self.alloc(Handle::Db {
            disk: None,
            custom_action: e.in_custom_action(),
        });
        self.shared_db = Some(h);
        h
    }

    fn close_handle(&mut self, slot: &str) -> u32 {
        let h = self.slot(slot);
        if self.handles.remove(&h).is_some() {
            rc::SUCCESS
        } else {
            rc::INVALID_HANDLE
        }
    }

    fn open_package(&mut self, source: PackageSource) -> (u32, u32) {
        let in_ca = self.exec().in_custom_action();
        if in_ca && !self.b.on(Deviation::SecondSessionAllowed) {
            return match source {
                PackageSource::DatabaseHandle => (rc::INVALID_HANDLE, 0),
                // One session per process: the install already holds it.
                PackageSource::PackageFile => (rc::INSTALL_ALREADY_RUNNING, 0),
            };
        }
        if source == PackageSource::DatabaseHandle
            && !matches!(self.handles.get(&self.slot("db")), Some(Handle::Db { .. }))
        {
            return (rc::INVALID_HANDLE, 0);
        }
        (rc::SUCCESS, self.alloc(Handle::Package))
    }

    // -----------------------------------------------------------------------
    // Databases and views

    /// The policy for writes through a database handle.
    fn policy(&self, custom_action: bool) -> Policy {
        let b = self.b;
        Policy {
            custom_action,
            persistent_rows_writable: b.on(Deviation::PersistentRowsWritable),
            persistent_tables_creatable: b.on(Deviation::PersistentTablesCreatable),
            hold_count_ignored: b.on(Deviation::HoldCountIgnored),
            alter_add_duplicate_allowed: b.on(Deviation::AlterAddDuplicateAllowed),
            temp_column_order_unchecked: b.on(Deviation::TempColumnOrderUnchecked),
            insert_temporary_duplicates_allowed: b.on(Deviation::InsertTemporaryDuplicatesAllowed),
        }
    }

    /// The database behind handle `h` and who holds it: `(is the session's, custom action)`.
    fn db_handle(&self, h: u32) -> Option<(bool, bool)> {
        match self.handles.get(&h)? {
            Handle::Db {
                disk,
                custom_action,
            } => Some((disk.is_none(), *custom_action)),
            _ => None,
        }
    }

    /// Runs `f` on the database behind handle `h` (`None` if `h` is not a database).
    /// The session's database shows `_Property` as a table while `f` runs, and
    /// writes to it go back to the property store.
    fn with_db<R>(
        &mut self,
        h: u32,
        table: &str,
        f: impl FnOnce(&mut Database, Policy) -> R,
    ) -> Option<R> {
        let (is_session, custom_action) = self.db_handle(h)?;
        let policy = self.policy(custom_action);
        if !is_session {
            let Some(Handle::Db { disk: Some(db), .. }) = self.handles.get_mut(&h) else {
                return None;
            };
            return Some(f(Arc::make_mut(db), policy));
        }
        let property = table == sql::PROPERTY_TABLE;
        if property {
            let t = self.property_table();
            Arc::make_mut(&mut self.db).tables.push(t);
        }
        let r = f(Arc::make_mut(&mut self.db), policy);
        if property {
            let db = Arc::make_mut(&mut self.db);
            if let Some(i) = db.tables.iter().position(|t| t.name == sql::PROPERTY_TABLE) {
                let t = db.tables.remove(i);
                self.sync_property_table(&t);
            }
        }
        self.after_db_access();
        Some(r)
    }

    /// Like [`Session::with_db`] for calls that only read, which leaves a
    /// database shared with the stored package unshared (no copy).
    fn read_db<R>(&mut self, h: u32, table: &str, f: impl FnOnce(&Database) -> R) -> Option<R> {
        let (is_session, _) = self.db_handle(h)?;
        if !is_session {
            let Some(Handle::Db { disk: Some(db), .. }) = self.handles.get(&h) else {
                return None;
            };
            return Some(f(db));
        }
        if table == sql::PROPERTY_TABLE {
            return self.with_db(h, table, |d, _| f(d));
        }
        let r = f(&self.db);
        self.after_db_access();
        Some(r)
    }

    /// Deviation: the persistent Property table's rows show up as properties
    /// after any use of the session's database.
    fn after_db_access(&mut self) {
        if self.b.on(Deviation::PropertyTableIsLive) {
            let rows: Vec<(String, String)> = self
                .db
                .table("Property")
                .map(|t| {
                    t.rows
                        .iter()
                        .filter_map(|r| match r.values.as_slice() {
                            [n, v, ..] => Some((n.render(), v.render())),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            for (n, v) in rows {
                if self.props.get(&n).is_none() {
                    self.props.set(&n, &v);
                }
            }
        }
    }

    /// `_Property` as a temporary table built from the store.
    fn property_table(&self) -> sql::Table {
        let col = |name: &str, key: bool| sql::Col {
            name: name.to_owned(),
            kind: sql::ColKind::Str(0),
            nullable: !key,
            key,
            temporary: true,
            localizable: false,
        };
        sql::Table {
            name: sql::PROPERTY_TABLE.to_owned(),
            // The key column is not called `Property`: a WHERE on `Property` is
            // 1615 (package.c test_property_table); Wine names it `_Property`.
            cols: vec![col("_Property", true), col("Value", false)],
            rows: self
                .props
                .sorted()
                .into_iter()
                .map(|(n, v)| sql::Row {
                    values: vec![sql::Value::Str(n.to_owned()), sql::Value::Str(v.to_owned())],
                    temporary: true,
                })
                .collect(),
            hold: 1,
        }
    }

    fn sync_property_table(&mut self, t: &sql::Table) {
        let rows: Vec<(String, String)> = t
            .rows
            .iter()
            .filter_map(|r| match r.values.as_slice() {
                [n, v, ..] => Some((n.render(), v.render())),
                _ => None,
            })
            .collect();
        if rows.len() == self.props.map.len()
            && rows
                .iter()
                .all(|(n, v)| self.props.get(n) == Some(v.as_str()))
        {
            return;
        }
        self.props.map.clear();
        for (n, v) in rows {
            self.props.set(&n, &v);
        }
    }

    /// Whether broken:select-refused-in-custom-actions refuses this statement
    /// on this database handle: a SELECT through a custom action's handle.
    fn select_refused(&self, h: u32, stmt: &sql::Statement) -> bool {
        stmt.is_select()
            && self.b.on(Deviation::SelectRefusedInCustomActions)
            && self
                .db_handle(h)
                .is_some_and(|(_, custom_action)| custom_action)
    }

    fn open_view(
        &mut self,
        db: &str,
        sql_text: Option<&str>,
        into: &str,
        null_out: bool,
    ) -> Outcome {
        let h = self.slot(db);
        if !matches!(self.handles.get(&h), Some(Handle::Db { .. })) {
            return Outcome::rc(rc::INVALID_HANDLE);
        }
        if null_out {
            return Outcome::rc(rc::INVALID_PARAMETER);
        }
        let Some(text) = sql_text else {
            return Outcome::rc(rc::BAD_QUERY_SYNTAX);
        };
        let stmt = match sql::parse(text) {
            Ok(s) => s,
            Err(code) => return Outcome::rc(code),
        };
        if self.select_refused(h, &stmt) {
            return Outcome::rc(rc::FUNCTION_FAILED);
        }
        let bound = self.read_db(h, stmt.table(), |d| {
            d.bind(&stmt).map(|()| {
                let cols = d.select_columns(&stmt);
                let types = d
                    .table(stmt.table())
                    .map(|t| {
                        cols.iter()
                            .filter_map(|c| t.cols.iter().find(|k| &k.name == c))
                            .map(|k| k.type_string())
                            .collect()
                    })
                    .unwrap_or_default();
                (cols, types)
            })
        });
        match bound {
            Some(Ok((cols, types))) => {
                let v = self.alloc(Handle::View(Box::new(View {
                    db: h,
                    stmt,
                    cols,
                    types,
                    rows: None,
                    cursor: 0,
                    current: None,
                    error: None,
                })));
                self.handle_outcome(into, v, Some(rc::SUCCESS))
            }
            Some(Err(code)) => Outcome::rc(code),
            None => Outcome::rc(rc::INVALID_HANDLE),
        }
    }

    /// MsiViewGetColumnInfo: a record of the names or type strings of the
    /// columns a SELECT view returns (none for other statements).
    fn view_column_info(
        &mut self,
        slot: &str,
        info: crate::ColumnInfo,
    ) -> (u32, Option<crate::msi::record::Record>) {
        let Some((_, v)) = self.view(slot) else {
            return (rc::INVALID_HANDLE, None);
        };
        let select = matches!(v.stmt, Statement::Select { .. });
        let texts = match (select, info) {
            (false, _) => Vec::new(),
            (true, crate::ColumnInfo::Names) => v.cols.clone(),
            (true, crate::ColumnInfo::Types) => v.types.clone(),
        };
        let texts = if self.b.on(Deviation::ColumnTypesIgnoreNullable) {
            texts.into_iter().map(|t| t.to_ascii_lowercase()).collect()
        } else {
            texts
        };
        (
            rc::SUCCESS,
            Some(crate::msi::record::Record::from_texts(None, &texts)),
        )
    }

    /// MsiDatabaseGetPrimaryKeys: field 0 the table's name, then its key columns.
    fn primary_keys(
        &mut self,
        slot: &str,
        table: Option<&str>,
    ) -> (u32, Option<crate::msi::record::Record>) {
        let h = self.slot(slot);
        if !matches!(self.handles.get(&h), Some(Handle::Db { .. })) {
            return (rc::INVALID_HANDLE, None);
        }
        let Some(table) = table else {
            return (rc::INVALID_PARAMETER, None);
        };
        let all_columns = self.b.on(Deviation::PrimaryKeysListAllColumns);
        let keys = self
            .read_db(h, table, |d| {
                d.table(table).map(|t| {
                    t.cols
                        .iter()
                        .filter(|c| c.key || all_columns)
                        .map(|c| c.name.clone())
                        .collect::<Vec<String>>()
                })
            })
            .flatten();
        match keys {
            Some(keys) => (
                rc::SUCCESS,
                Some(crate::msi::record::Record::from_texts(Some(table), &keys)),
            ),
            None => (rc::INVALID_TABLE, None),
        }
    }

    fn view(&mut self, slot: &str) -> Option<(u32, &mut View)> {
        let h = self.slot(slot);
        match self.handles.get_mut(&h) {
            Some(Handle::View(v)) => Some((h, v)),
            _ => None,
        }
    }

    /// Executes a statement on database handle `h`: the rows of a SELECT, or the change.
    fn run_statement(&mut self, h: u32, stmt: &Statement) -> Result<Option<Vec<Record>>, u32> {
        let r = if stmt.is_select() {
            self.read_db(h, stmt.table(), |d| d.select(stmt).map(Some))
        } else {
            self.with_db(h, stmt.table(), |d, policy| {
                d.perform(stmt, policy).map(|()| None)
            })
        };
        r.unwrap_or(Err(rc::INVALID_HANDLE))
    }

    fn execute(&mut self, slot: &str) -> u32 {
        let Some((vh, v)) = self.view(slot) else {
            return rc::INVALID_HANDLE;
        };
        let (db, stmt) = (v.db, v.stmt.clone());
        match self.run_statement(db, &stmt) {
            Ok(rows) => {
                if let Some(Handle::View(v)) = self.handles.get_mut(&vh) {
                    v.rows = Some(rows.unwrap_or_default());
                    v.cursor = 0;
                }
                rc::SUCCESS
            }
            Err(code) => code,
        }
    }

    fn fetch(&mut self, slot: &str) -> Outcome {
        let Some((_, v)) = self.view(slot) else {
            return Outcome::rc(rc::INVALID_HANDLE);
        };
        if !v.stmt.is_select() {
            return Outcome::rc(rc::FUNCTION_FAILED);
        }
        let Some(rows) = &v.rows else {
            return Outcome::rc(rc::FUNCTION_FAILED);
        };
        match rows.get(v.cursor).cloned() {
            Some(rec) => {
                v.cursor += 1;
                let row = rec.render();
                v.current = Some(rec);
                Outcome {
                    rc: Some(rc::SUCCESS),
                    rows: Some(vec![row]),
                    ..Outcome::default()
                }
            }
            None => Outcome::rc(rc::NO_MORE_ITEMS),
        }
    }

    fn set_field(&mut self, slot: &str, field: u32, value: &str) -> u32 {
        let Some((_, v)) = self.view(slot) else {
            return rc::INVALID_HANDLE;
        };
        let Some(rec) = &mut v.current else {
            return rc::INVALID_HANDLE;
        };
        let Some(f) = (field as usize)
            .checked_sub(1)
            .and_then(|i| rec.fields.get_mut(i))
        else {
            return rc::INVALID_PARAMETER;
        };
        *f = Record::from_texts(&[value.to_owned()]).fields.remove(0);
        rc::SUCCESS
    }

    fn modify(&mut self, slot: &str, kind: ModifyKind, record: Option<&[String]>) -> u32 {
        let Some((vh, v)) = self.view(slot) else {
            return rc::INVALID_HANDLE;
        };
        if !v.stmt.is_select() {
            return rc::FUNCTION_FAILED;
        }
        let mut rec = match record {
            Some(fields) => Record::from_texts(fields),
            None => match &v.current {
                Some(r) => r.clone(),
                None => return rc::INVALID_HANDLE,
            },
        };
        let (db, table, cols) = (v.db, v.stmt.table().to_owned(), v.cols.clone());
        let r = self.with_db(db, &table, |d, policy| {
            d.modify(&table, &cols, kind, &mut rec, policy)
        });
        let code = match r {
            Some(Ok(())) => rc::SUCCESS,
            Some(Err(code)) => code,
            None => rc::INVALID_HANDLE,
        };
        // The only validation failure the model finds is a duplicate key.
        let pending = (kind == ModifyKind::ValidateNew && code == rc::INVALID_DATA)
            .then(|| {
                self.read_db(db, &table, |d| {
                    d.table(&table).and_then(|t| {
                        let keys: Vec<String> = t
                            .cols
                            .iter()
                            .filter(|c| c.key)
                            .map(|c| c.name.clone())
                            .collect();
                        view_error::duplicate_key(&keys)
                    })
                })
                .flatten()
            })
            .flatten();
        if let Some(Handle::View(v)) = self.handles.get_mut(&vh) {
            if record.is_none() {
                v.current = Some(rec);
            }
            if pending.is_some() && !self.b.on(Deviation::ViewErrorNotRecorded) {
                v.error = pending;
            }
        }
        code
    }

    /// MsiGetSummaryInformationW on a database handle: a handle on the
    /// package's summary information ([`summary::PACKAGE`]).
    fn summary_info(&mut self, db: &str, null_out: bool, into: &str) -> Outcome {
        let h = self.slot(db);
        if !matches!(self.handles.get(&h), Some(Handle::Db { .. })) {
            return Outcome::rc(rc::INVALID_HANDLE);
        }
        if null_out {
            return Outcome::rc(if self.b.on(Deviation::SummaryOpenNullOutAccepted) {
                rc::SUCCESS
            } else {
                rc::INVALID_PARAMETER
            });
        }
        let si = self.alloc(Handle::Summary);
        self.handle_outcome(into, si, Some(rc::SUCCESS))
    }

    fn is_summary(&self, slot: &str) -> bool {
        matches!(self.handles.get(&self.slot(slot)), Some(Handle::Summary))
    }

    /// MsiSummaryInfoGetPropertyCount: how many properties the package's summary holds.
    fn summary_property_count(&mut self, slot: &str, null_out: bool) -> Outcome {
        if !self.is_summary(slot) {
            return Outcome::rc(rc::INVALID_HANDLE);
        }
        if null_out {
            // From a custom action Windows refuses the NULL pointer on its way to the installer.
            let remote = self.frame().context.is_custom_action() && self.b.windows();
            return Outcome::rc(if remote {
                summary::NULL_REF_POINTER
            } else {
                rc::SUCCESS
            });
        }
        let mut n = summary::package_count();
        if self.b.on(Deviation::SummaryCountOffByOne) {
            n += 1;
        }
        Outcome {
            rc: Some(rc::SUCCESS),
            number: Some(i64::from(n)),
            ..Outcome::default()
        }
    }

    /// MsiSummaryInfoGetPropertyW of the package's summary information.
    fn summary_get_property(&mut self, slot: &str, pid: u32, buffer: Buffer) -> Outcome {
        if !self.is_summary(slot) {
            return Outcome::rc(rc::INVALID_HANDLE);
        }
        let value = summary::package_value(pid);
        let text = match value {
            Some(summary::Value::Str(s)) => s.to_owned(),
            Some(summary::Value::Int(n)) => n.to_string(),
            Some(summary::Value::PackageCode) => MODEL_PACKAGE_CODE.to_owned(),
            None => String::new(),
        };
        let mut r = summary::read(pid, value.is_some(), utf16_len(&text), buffer);
        if self.b.on(Deviation::SummaryIntegersAsStrings)
            && r.kind
                .is_some_and(|k| k == summary::vt::I2 || k == summary::vt::I4)
        {
            r = summary::read(2, true, utf16_len(&text), buffer);
        }
        let is_string = r.kind == Some(summary::vt::LPSTR);
        let size = match r.size {
            Some(n)
                if is_string
                    && r.rc == rc::MORE_DATA
                    && self.b.on(Deviation::SummaryMoreDataCountsTerminator) =>
            {
                Some(n + 1)
            }
            Some(n) => Some(n),
            None if r.rc == rc::SUCCESS => given_size(buffer),
            None => None,
        };
        let value = if is_string {
            r.copied.map(|k| utf16_prefix(&text, k).to_owned())
        } else if r.kind.is_some_and(|k| k != summary::vt::EMPTY) {
            Some(text)
        } else {
            None
        };
        Outcome {
            rc: Some(r.rc),
            number: r.kind,
            size,
            value,
            ..Outcome::default()
        }
    }

    /// MsiViewGetErrorW: what the view's pending error reads as, forgotten
    /// when the shared semantics say the read clears it.
    fn view_get_error(&mut self, slot: &str, buffer: Buffer) -> Outcome {
        let caller = if self.frame().context.is_custom_action() {
            view_error::Caller::CustomAction
        } else {
            view_error::Caller::InProcess
        };
        let profile = if self.b.windows() {
            crate::Profile::Windows
        } else {
            crate::Profile::Documented
        };
        let bad_handle_no_error = self.b.on(Deviation::ViewErrorBadHandleNoError);
        let counts_terminator = self.b.on(Deviation::ViewErrorSizeCountsTerminator);
        let Some((_, v)) = self.view(slot) else {
            let a = view_error::answer(false, None, buffer, caller, profile);
            return Outcome {
                number: Some(if bad_handle_no_error {
                    view_error::code::NO_ERROR
                } else {
                    a.number
                }),
                size: given_size(buffer),
                ..Outcome::default()
            };
        };
        let a = view_error::answer(true, v.error.as_ref(), buffer, caller, profile);
        let column = v.error.as_ref().map_or("", |p| p.column.as_str());
        let value = a.copied.map(|k| text::utf16_prefix(column, k).to_owned());
        let fits = a.number >= view_error::code::NO_ERROR;
        if a.clears.unwrap_or(fits && a.size.is_some()) {
            v.error = None;
        }
        let size = match a.size {
            Some(n) if counts_terminator && a.number == view_error::code::MORE_DATA => Some(n + 1),
            Some(n) => Some(n),
            None => given_size(buffer),
        };
        Outcome {
            number: Some(a.number),
            size,
            value,
            ..Outcome::default()
        }
    }

    fn sql(&mut self, db: &str, text: &str) -> Outcome {
        let h = self.slot(db);
        if !matches!(self.handles.get(&h), Some(Handle::Db { .. })) {
            return Outcome::rc(rc::INVALID_HANDLE);
        }
        let stmt = match sql::parse(text) {
            Ok(s) => s,
            Err(code) => return Outcome::rc(code),
        };
        if self.select_refused(h, &stmt) {
            return Outcome::rc(rc::FUNCTION_FAILED);
        }
        match self.run_statement(h, &stmt) {
            Ok(rows) => Outcome {
                rc: Some(rc::SUCCESS),
                rows: rows.map(|r| r.iter().map(Record::render).collect()),
                ..Outcome::default()
            },
            Err(code) => Outcome::rc(code),
        }
    }

    fn commit(&mut self, db: &str) -> u32 {
        match self.handles.get(&self.slot(db)) {
            Some(Handle::Db {
                disk: None,
                custom_action: false,
            }) => {
                self.disk = Arc::new(
                    self.db
                        .persisted(self.b.on(Deviation::TemporaryRowsKeptAfterCommit)),
                );
                rc::SUCCESS
            }
            // A custom action's commit is accepted and does nothing;
            // a read-only database has nothing to write.
            Some(Handle::Db { .. }) => rc::SUCCESS,
            _ => rc::INVALID_HANDLE,
        }
    }

    fn is_table_persistent(&mut self, db: &str, table: Option<&str>) -> i64 {
        let Some(table) = table else {
            return cond::ERROR;
        };
        let h = self.slot(db);
        let session_db = match self.handles.get(&h) {
            Some(Handle::Db { disk, .. }) => disk.is_none(),
            _ => return cond::ERROR,
        };
        if sql::SYSTEM_TABLES.contains(&table) {
            return if self.b.on(Deviation::SystemTablesPersistent) {
                cond::TRUE
            } else {
                cond::NONE
            };
        }
        if session_db && table == sql::PROPERTY_TABLE {
            return cond::FALSE;
        }
        let r = self
            .read_db(h, table, |d| d.persistence(table))
            .unwrap_or(cond::ERROR);
        if r == cond::FALSE && self.b.on(Deviation::TempTablePersistent) {
            return cond::TRUE;
        }
        r
    }

    fn set_summary_info(&self, db: &str) -> u32 {
        match self.handles.get(&self.slot(db)) {
            Some(Handle::Db {
                custom_action: true,
                ..
            }) if !self.b.on(Deviation::SummaryInfoWritable) => rc::FUNCTION_FAILED,
            Some(Handle::Db { .. }) => rc::SUCCESS,
            _ => rc::INVALID_HANDLE,
        }
    }

    fn database_state(&self, db: Option<&str>) -> i64 {
        if self.exec().in_custom_action() {
            return if !self.exec().in_script()
                && self.b.on(Deviation::ForbiddenDatabaseCallsAllowed)
            {
                dbstate::READ
            } else {
                dbstate::ERROR
            };
        }
        let Some(db) = db else {
            // A package handle is not a database handle.
            return dbstate::ERROR;
        };
        match self.handles.get(&self.slot(db)) {
            Some(Handle::Db { disk: None, .. }) => dbstate::WRITE,
            Some(Handle::Db { disk: Some(_), .. }) => dbstate::READ,
            _ => dbstate::ERROR,
        }
    }
}

/// A condition with every comparison operator outside quoted text given the
/// `~` prefix: what a runtime that always folds case evaluates
/// ([`Deviation::ConditionStringsFoldCase`]).
fn fold_all_comparisons(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut quoted = false;
    let mut prev = ' ';
    for c in text.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        let starts_op =
            !quoted && matches!(c, '=' | '<' | '>') && !matches!(prev, '~' | '=' | '<' | '>');
        if starts_op {
            out.push('~');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// The size argument as the caller set it, for a call that leaves it alone.
fn given_size(buffer: Buffer) -> Option<u32> {
    match buffer {
        Buffer::Ample => Some(crate::msi::text::AMPLE_BUFFER),
        Buffer::Sized(n) | Buffer::NullBuffer(n) => Some(n),
        Buffer::NullSize | Buffer::NullBoth => None,
    }
}

/// The package code the model's package carries in its summary information.
const MODEL_PACKAGE_CODE: &str = "{5D0C3F7E-8B1A-4C2E-9F3D-6A7B8C9D0E1F}";

impl Session<'_> {
    /// MsiDatabaseOpenView sets the error record of the process it runs in
    /// when a query fails to parse and clears it when it succeeds; the model
    /// keeps the package handle's process only (custom actions run elsewhere).
    fn note_error_record(&mut self, has_query: bool, code: Option<u32>) {
        if self.frame().exec.in_custom_action() || !has_query {
            return;
        }
        match code {
            Some(rc::SUCCESS) => self.last_error = None,
            Some(rc::BAD_QUERY_SYNTAX) if !self.b.on(Deviation::LastErrorRecordNeverSet) => {
                self.last_error = Some(crate::msi::record::ERROR_RECORD_SQL_CODE);
            }
            _ => {}
        }
    }

    /// MsiGetLastErrorRecord: the record's field count as `number` (0 for no
    /// record) and its field 1 as `value`; the record is released once read.
    fn take_error_record(&mut self) -> Outcome {
        let found = if self.b.on(Deviation::LastErrorRecordKept) {
            self.last_error
        } else {
            self.last_error.take()
        };
        match found {
            Some(code) => Outcome {
                number: Some(crate::msi::record::ERROR_RECORD_FIELDS),
                value: Some(code.to_string()),
                ..Outcome::default()
            },
            None => Outcome::number(0),
        }
    }
}
