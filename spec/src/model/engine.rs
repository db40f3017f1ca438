//! The install engine: actions, custom-action dispatch by type, sequences, the
//! install script with rollback and commit, and the top-level install.

use super::data;
use super::session::{Exec, Frame, Kind, Phase, Scheduled, Session, MAX_DEPTH};
use super::Deviation;
use crate::codes::{catype, rc, runmode};
use crate::fixture::{CustomActionRow, SequenceRow};
use crate::msi::actions::{self, ActionKind, Status};
use crate::msi::custom_action::{self, class_of, ActionClass};
use crate::msi::properties::is_public;
use crate::plan::{ProbeScript, PACKAGE_PROBE};
use crate::transcript::{ActionRecord, Event, ProbeRun};
use crate::{Context, HandleArg, InstallOptions, Outcome, UiLevel};

/// The result the log records for an action that returned `code`
/// (MS:logging-of-action-return-values).
use crate::msi::actions::logged_result as logged;

/// How a custom action of this Type is implemented (`None`: the model has nothing to run).
fn kind_of(t: u32) -> Option<Kind> {
    class_of(t).map(|c| match c {
        ActionClass::Dll => Kind::Dll,
        ActionClass::Exe => Kind::Exe,
        ActionClass::Script => Kind::Script,
    })
}

impl Session<'_> {
    /// MsiDoAction as the C API sees it: argument checks, then the action.
    pub(crate) fn do_action_call(&mut self, action: Option<&str>, handle: HandleArg) -> Outcome {
        let b = self.b;
        // The Null-name and bad-handle deviations break rules about the package
        // handle and immediate actions; in-script calls keep the reference's answers.
        let outside_script = !self.frame().exec.in_script();
        let handle_ok =
            handle == HandleArg::Session || (outside_script && b.on(Deviation::BadHandleAccepted));
        let name = match action {
            Some(_) if !handle_ok => return Outcome::rc(rc::INVALID_HANDLE),
            Some(a) => a.to_owned(),
            None => {
                // Windows checks the parameter before the handle; the documentation
                // promises a fall-back to the upper-cased ACTION property, then INSTALL.
                let reject = if b.windows() {
                    !(outside_script && b.on(Deviation::NullActionAccepted))
                } else {
                    outside_script && b.on(Deviation::NullActionRejected)
                };
                if reject {
                    return Outcome::rc(rc::INVALID_PARAMETER);
                }
                if !handle_ok {
                    return Outcome::rc(rc::INVALID_HANDLE);
                }
                match self.top_level_name() {
                    Some(n) => n,
                    None => return Outcome::rc(rc::SUCCESS),
                }
            }
        };
        if self.frame().exec.in_script() {
            // Not on the deferred allow-list.
            return Outcome::rc(rc::FUNCTION_FAILED);
        }
        let mut code = self.nested_action(&name);
        if b.on(Deviation::ContinueIgnoredByDoAction) && code == rc::SUCCESS {
            // What the action returned, as if the 0x40 bit were not there.
            let failed =
                self.fixture
                    .custom_action(&name)
                    .is_some_and(|r| r.kind & catype::CONTINUE != 0 && !r.is_in_script())
                    && self.probes.get(&name).is_some_and(|p| {
                        !matches!(p.returns, rc::SUCCESS | rc::FUNCTION_NOT_CALLED)
                    });
            if failed {
                code = rc::INSTALL_FAILURE;
            }
        }
        if b.on(Deviation::DoActionCodesCollapsed)
            && !matches!(code, rc::SUCCESS | rc::FUNCTION_NOT_CALLED)
        {
            code = rc::INSTALL_FAILURE;
        }
        Outcome::rc(code)
    }

    /// An action a caller asks for through the API (MsiDoAction, Session.DoAction).
    pub(crate) fn nested_action(&mut self, name: &str) -> u32 {
        let isolate =
            self.b.on(Deviation::NestedActionsIsolated) && self.frame().exec.in_custom_action();
        let saved = isolate.then(|| self.props.clone());
        self.named_by_caller = true;
        let code = self.do_action(name);
        if let Some(props) = saved {
            self.props = props;
        }
        code
    }

    /// The action a Null name or the top-level install runs: ACTION upper-cased,
    /// else INSTALL (`None` under the no-default deviation).
    fn top_level_name(&self) -> Option<String> {
        match self.props.get("ACTION").filter(|a| !a.is_empty()) {
            Some(a) if self.b.on(Deviation::NullActionNotUppercased) => Some(a.to_owned()),
            None if self.b.on(Deviation::NoInstallDefault) => None,
            given => Some(actions::top_level_action(given)),
        }
    }

    /// Runs an action by name and returns what MsiDoAction reports; while an
    /// install runs, the action's start and result are logged.
    pub(crate) fn do_action(&mut self, name: &str) -> u32 {
        // Only actions that run themselves without a probe in between (INSTALL in
        // its own sequence) get this far; probes stop nesting at MAX_DEPTH.
        let by_caller = std::mem::take(&mut self.named_by_caller);
        if self.depth >= 4 * MAX_DEPTH {
            return rc::INSTALL_FAILURE;
        }
        let Some(canonical) = self.resolve_action(name) else {
            return if self.b.on(Deviation::UnknownActionSucceeds) {
                rc::SUCCESS
            } else {
                rc::FUNCTION_NOT_CALLED
            };
        };
        let record = self.install.active.then(|| {
            self.transcript.actions.push(ActionRecord {
                name: canonical.clone(),
                result: None,
            });
            self.transcript.actions.len() - 1
        });
        self.depth += 1;
        let code = self.perform_action(&canonical, by_caller);
        self.depth -= 1;
        if let Some(i) = record {
            self.transcript.actions[i].result = Some(self.logged(code));
        }
        code
    }

    /// The result the install log records for an action that returned `code`.
    fn logged(&self, code: u32) -> i64 {
        if self.b.on(Deviation::LogResultsAsSuccess) {
            return 1;
        }
        logged(code)
    }

    /// The exact name of the action `name` refers to, if there is one.
    fn resolve_action(&self, name: &str) -> Option<String> {
        if actions::standard(name).is_some() || self.fixture.custom_action(name).is_some() {
            return Some(name.to_owned());
        }
        if !self.b.on(Deviation::ActionLookupIgnoresCase) {
            return None;
        }
        actions::standard_ignoring_case(name)
            .map(str::to_owned)
            .or_else(|| {
                self.fixture
                    .custom_actions
                    .iter()
                    .find(|r| r.action.eq_ignore_ascii_case(name))
                    .map(|r| r.action.clone())
            })
    }

    /// Runs a standard or custom action with exactly this name.
    fn perform_action(&mut self, name: &str, by_caller: bool) -> u32 {
        if let Some(kind) = actions::standard(name) {
            return self.standard_action(name, kind, by_caller);
        }
        let fixture = self.fixture.clone();
        match fixture.custom_action(name) {
            Some(row) => self.custom_action(row),
            None => rc::FUNCTION_NOT_CALLED,
        }
    }

    /// Whether an immediate caller sits between InstallInitialize and InstallFinalize.
    fn in_window(&self) -> bool {
        if self.frames.is_empty() {
            return self.install.in_window;
        }
        let e = self.frame().exec;
        e.phase == Phase::Immediate && e.window
    }

    /// Runs a standard action; `by_caller` when a DoAction call named it (the
    /// DoAction deviations leave sequences and the top-level install alone).
    fn standard_action(&mut self, name: &str, kind: ActionKind, by_caller: bool) -> u32 {
        let b = self.b;
        let in_ca = !self.frames.is_empty() && self.frame().exec.in_custom_action();
        match kind {
            ActionKind::TopLevel | ActionKind::ExecuteAction
                if by_caller && !in_ca && b.on(Deviation::InstallActionRefused) =>
            {
                rc::FUNCTION_NOT_CALLED
            }
            // A sequence cannot be started again, nor the script opened or run, from
            // inside a custom action of the install that runs them.
            ActionKind::TopLevel
            | ActionKind::ExecuteAction
            | ActionKind::InstallInitialize
            | ActionKind::InstallFinalize
            | ActionKind::InstallExecute
                if in_ca =>
            {
                rc::INSTALL_FAILURE
            }
            ActionKind::TopLevel => self.run_top(name).code(),
            ActionKind::ExecuteAction => self.execute_action().code(),
            ActionKind::InstallInitialize => {
                self.install.script_open = true;
                self.install.in_window = true;
                rc::SUCCESS
            }
            ActionKind::InstallFinalize => self.finalize_script(),
            ActionKind::InstallExecute => self.run_script(),
            ActionKind::DisableRollback => {
                self.props.set("RollbackDisabled", "1");
                rc::SUCCESS
            }
            ActionKind::ScheduleReboot => {
                self.set_mode(runmode::REBOOTATEND, true);
                rc::SUCCESS
            }
            ActionKind::Informational if by_caller && b.on(Deviation::NonSystemActionRefused) => {
                rc::INSTALL_FAILURE
            }
            ActionKind::Informational => {
                match name {
                    "CostInitialize" => self.cost_initialize(),
                    "CostFinalize" => self.cost_finalize(),
                    _ => {}
                }
                rc::SUCCESS
            }
            // Outside the script window a system-changing action is accepted and does nothing.
            ActionKind::SystemChanging
                if !self.in_window() && b.on(Deviation::SystemActionFailsOutsideWindow) =>
            {
                rc::INSTALL_FAILURE
            }
            ActionKind::SystemChanging => rc::SUCCESS,
        }
    }

    /// Sets a property from inside the engine (type 51, the command line).
    fn engine_set(&mut self, name: &str, value: &str) {
        if value.is_empty() && !self.b.on(Deviation::EmptyValueKeepsProperty) {
            self.props.remove(name);
        } else {
            self.props.set(name, value);
        }
    }

    /// Dispatches a custom action by its type.
    fn custom_action(&mut self, row: &CustomActionRow) -> u32 {
        let b = self.b;
        let t = row.kind;
        match t & catype::BASIC_MASK {
            catype::SET_PROPERTY | 35 => {
                // An empty Source does nothing and is not an error.
                if let Some(source) = row.source.as_deref().filter(|s| !s.is_empty()) {
                    let target = row.target.as_deref().unwrap_or("");
                    let value = if b.on(Deviation::Type51NotFormatted) {
                        target.to_owned()
                    } else {
                        self.format_text(target)
                    };
                    self.engine_set(source, &value);
                }
                return rc::SUCCESS;
            }
            catype::ERROR => {
                return if b.on(Deviation::Type19Succeeds) {
                    rc::SUCCESS
                } else {
                    rc::INSTALL_FAILURE
                };
            }
            _ => {}
        }
        if t & catype::IN_SCRIPT != 0 {
            let phase = if t & catype::ROLLBACK != 0 && !b.on(Deviation::RollbackRunsAsDeferred) {
                Phase::Rollback
            } else if t & catype::COMMIT != 0 && t & catype::ROLLBACK == 0 {
                Phase::Commit
            } else {
                Phase::Deferred
            };
            // CustomActionData is the property named exactly like the action, now.
            let data = if b.on(Deviation::CustomActionDataIgnoresCase) {
                self.props.get_ignoring_case(&row.action)
            } else {
                self.props.get(&row.action)
            }
            .unwrap_or("")
            .to_owned();
            let command_line =
                if kind_of(t) == Some(Kind::Exe) && !b.on(Deviation::ExeCommandLineAtRunTime) {
                    self.format_text(row.target.as_deref().unwrap_or(""))
                } else {
                    String::new()
                };
            let entry = Scheduled {
                action: row.action.clone(),
                phase,
                data,
                command_line,
            };
            if b.on(Deviation::DeferredRunsInPlace) {
                return self.run_scheduled(&entry);
            }
            if !self.install.script_open {
                // There is no script to write the action into.
                return rc::INSTALL_FAILURE;
            }
            if b.on(Deviation::CustomActionDataPerName) {
                // One value per name: the newest scheduling overwrites the earlier ones.
                for e in self
                    .install
                    .script
                    .iter_mut()
                    .chain(&mut self.install.commits)
                {
                    if e.action == entry.action {
                        e.data.clone_from(&entry.data);
                    }
                }
            }
            self.install.script.push(entry);
            return rc::SUCCESS;
        }
        if t & catype::CLIENT_REPEAT != 0 {
            self.install.ran.push(row.action.clone());
        }
        let command_line = self.format_text(row.target.as_deref().unwrap_or(""));
        self.run_now(row, Phase::Immediate, String::new(), command_line)
    }

    /// Runs a scheduled action from the script.
    fn run_scheduled(&mut self, e: &Scheduled) -> u32 {
        let fixture = self.fixture.clone();
        let Some(row) = fixture.custom_action(&e.action) else {
            return rc::FUNCTION_NOT_CALLED;
        };
        let command_line = if self.b.on(Deviation::ExeCommandLineAtRunTime) {
            self.format_text(row.target.as_deref().unwrap_or(""))
        } else {
            e.command_line.clone()
        };
        self.run_now(row, e.phase, e.data.clone(), command_line)
    }

    /// Runs a custom action's code now: its probe's steps, if the plan gives
    /// it a probe, then maps what it returned.
    fn run_now(
        &mut self,
        row: &CustomActionRow,
        phase: Phase,
        data: String,
        command_line: String,
    ) -> u32 {
        let kind = kind_of(row.kind).unwrap_or(Kind::Dll);
        let probes = self.probes.clone();
        let returned = match probes.get(&row.action) {
            Some(script) => {
                // Beyond the nesting limit or the run budget (plans whose probes call
                // themselves) the action still runs and returns what its probe
                // returns, but no longer performs its steps, which ends the recursion.
                let exhausted = self.budget == 0 || self.depth >= MAX_DEPTH;
                self.budget = self.budget.saturating_sub(1);
                let immediate = phase == Phase::Immediate;
                let exec = Exec {
                    phase,
                    kind,
                    ui: immediate && self.install.in_ui,
                    window: immediate && self.install.in_window,
                };
                let mut frame = Frame::new(script.context, exec, &row.action);
                frame.data = data;
                frame.command_line = command_line;
                self.frames.push(frame);
                self.depth += 1;
                if exhausted {
                    self.transcript.runs.push(ProbeRun {
                        probe: row.action.clone(),
                        context: script.context,
                        first_event: self.transcript.events.len(),
                    });
                } else {
                    self.run_steps(&row.action, script);
                }
                self.depth -= 1;
                self.frames.pop();
                script.returns
            }
            None => 0,
        };
        self.action_result(row.kind, kind, returned)
    }

    /// Performs a probe's steps in the current frame, recording each.
    fn run_steps(&mut self, probe: &str, script: &ProbeScript) {
        self.transcript.runs.push(ProbeRun {
            probe: probe.to_owned(),
            context: script.context,
            first_event: self.transcript.events.len(),
        });
        for (index, op) in script.steps.iter().enumerate() {
            let outcome = self.perform(op);
            self.transcript.events.push(Event {
                probe: probe.to_owned(),
                context: script.context,
                index,
                call: op.clone(),
                outcome,
            });
        }
    }

    /// Maps what a custom action returned to what MsiDoAction reports
    /// (MS:custom-action-return-values, catalog section B).
    fn action_result(&self, t: u32, kind: Kind, returned: u32) -> u32 {
        let b = self.b;
        let class = match kind {
            Kind::Dll => ActionClass::Dll,
            Kind::Script => ActionClass::Script,
            Kind::Exe => ActionClass::Exe,
        };
        let code = match kind {
            Kind::Script
                if i64::from(returned) == crate::codes::status::FAILURE
                    && b.on(Deviation::ScriptReturnMisread) =>
            {
                rc::SUCCESS
            }
            Kind::Exe if b.on(Deviation::ExeExitCodeIgnored) => rc::SUCCESS,
            _ => custom_action::returned_code(class, returned),
        };
        if t & catype::CONTINUE != 0 && !b.on(Deviation::ContinueFlagIgnored) {
            return rc::SUCCESS;
        }
        let known = matches!(
            code,
            rc::SUCCESS
                | rc::FUNCTION_NOT_CALLED
                | rc::INSTALL_USEREXIT
                | rc::INSTALL_SUSPEND
                | rc::NO_MORE_ITEMS
        );
        let fails = match code {
            rc::FUNCTION_NOT_CALLED => b.on(Deviation::NotCalledFails),
            rc::INSTALL_USEREXIT => b.on(Deviation::UserExitAsFailure),
            rc::INSTALL_SUSPEND => b.on(Deviation::SuspendAsFailure),
            rc::NO_MORE_ITEMS => b.on(Deviation::Return259Fails),
            _ => false,
        };
        if fails {
            rc::INSTALL_FAILURE
        } else if !known && kind == Kind::Dll && b.on(Deviation::OtherReturnIgnored) {
            rc::SUCCESS
        } else {
            // The continue bit was handled above, with its deviation.
            custom_action::reported_code(0, code)
        }
    }

    // -----------------------------------------------------------------------
    // Sequences

    /// The rows of a sequence table as the session's database holds them.
    fn sequence_rows(&self, table: &str) -> Option<Vec<SequenceRow>> {
        let t = self.db.table(table)?;
        let col = |n: &str| t.cols.iter().position(|c| c.name == n);
        let (a, c, s) = (col("Action")?, col("Condition"), col("Sequence")?);
        Some(
            t.rows
                .iter()
                .filter_map(|r| {
                    let seq = match &r.values[s] {
                        super::sql::Value::Int(n) => i32::try_from(*n).ok()?,
                        _ => return None,
                    };
                    Some(SequenceRow {
                        action: r.values[a].render(),
                        condition: c.map(|c| r.values[c].render()).filter(|x| !x.is_empty()),
                        sequence: seq,
                    })
                })
                .collect(),
        )
    }

    /// MsiSequence on a table.
    pub(crate) fn sequence_call(&mut self, table: Option<&str>) -> u32 {
        let Some(table) = table else {
            return rc::INVALID_PARAMETER;
        };
        if self.frame().exec.in_script() {
            return rc::FUNCTION_FAILED;
        }
        let Some(rows) = self.sequence_rows(table) else {
            return rc::BAD_QUERY_SYNTAX;
        };
        if self.depth >= 4 * MAX_DEPTH {
            return rc::INSTALL_FAILURE;
        }
        self.depth += 1;
        let st = self.run_sequence(&rows);
        self.depth -= 1;
        st.code()
    }

    /// Runs the rows with a positive sequence number, in order.
    fn run_sequence(&mut self, rows: &[SequenceRow]) -> Status {
        // 0 and the negative numbers are not positions: those rows never run in
        // the sequence (SEQ-ZERO-NEVER-RUNS, SEQ-TERMINATION-ACTIONS).
        let zero_runs = self.b.on(Deviation::SequenceZeroRuns);
        let mut rows: Vec<&SequenceRow> = rows
            .iter()
            .filter(|r| r.sequence > 0 || (zero_runs && r.sequence == 0))
            .collect();
        if self.b.on(Deviation::SequenceSortedAsText) {
            rows.sort_by_key(|r| r.sequence.to_string());
        } else {
            rows.sort_by_key(|r| r.sequence);
        }
        for row in rows {
            if let Some(c) = row.condition.as_deref() {
                match self.evaluate(Some(c)) {
                    crate::codes::condition::FALSE => continue,
                    // A condition that does not parse stops the sequence (iesBadActionData).
                    crate::codes::condition::ERROR => return Status::Failure,
                    _ => {}
                }
            }
            if self.skip_by_scheduling_option(&row.action) {
                continue;
            }
            if let Some(st) = Status::after(self.do_action(&row.action)) {
                return st;
            }
        }
        Status::Success
    }

    /// The 0x100/0x200/0x300 options of immediate custom actions (SCHED-FLAGS-SHARE-BITS).
    fn skip_by_scheduling_option(&self, action: &str) -> bool {
        let Some(row) = self.fixture.custom_action(action) else {
            return false;
        };
        if row.is_in_script() {
            return false;
        }
        let b = self.b;
        let ran = self.install.ran.iter().any(|a| a == action);
        // The execute sequence, with or without a UI sequence before it.
        let in_execute = !self.install.in_ui;
        let after_ui = self.install.ui_started;
        match row.kind & catype::CLIENT_REPEAT {
            // Skipped in the execute sequence whenever the UI sequence ran,
            // whether or not the UI sequence lists the action.
            catype::FIRST_SEQUENCE if b.on(Deviation::FirstSequenceIgnored) => false,
            catype::FIRST_SEQUENCE if b.on(Deviation::FirstSequenceSkipsOnlyWhenRan) => ran,
            catype::FIRST_SEQUENCE => in_execute && after_ui,
            // Whether the two sequences share a process is the model's choice
            // (they do); without a UI sequence the action simply runs.
            catype::ONCE_PER_PROCESS => {
                ran || (b.on(Deviation::OncePerProcessAsClientRepeat) && in_execute && !after_ui)
            }
            catype::CLIENT_REPEAT if b.on(Deviation::ClientRepeatAlwaysRuns) => false,
            // Runs in the execute sequence only when that follows the UI sequence
            // in the client, which the model never does.
            catype::CLIENT_REPEAT => in_execute && !self.install.ui_ran,
            _ => false,
        }
    }

    /// Runs the actions at the termination sequence number for `st` (SEQ-TERMINATION-ACTIONS).
    fn terminate(&mut self, rows: &[SequenceRow], st: Status) {
        if self.b.on(Deviation::TerminationActionsIgnored) {
            return;
        }
        let seq = st.termination();
        for row in rows.iter().filter(|r| r.sequence == seq) {
            if row
                .condition
                .as_deref()
                .is_some_and(|c| self.evaluate(Some(c)) == crate::codes::condition::FALSE)
            {
                continue;
            }
            self.do_action(&row.action);
        }
    }

    /// A top-level action: the UI sequence when the UI level runs it (its
    /// ExecuteAction runs the execute sequence), the execute sequence otherwise.
    fn run_top(&mut self, top: &str) -> Status {
        let (ui_table, exec_table) = actions::sequences_of(top);
        let ui_rows = self.sequence_rows(ui_table).unwrap_or_default();
        if self.install.ui_level.runs_ui_sequence() && !ui_rows.is_empty() {
            self.install.in_ui = true;
            self.install.ui_started = true;
            let st = self.run_sequence(&ui_rows);
            self.install.in_ui = false;
            self.install.ui_ran = true;
            self.terminate(&ui_rows, st);
            return st;
        }
        self.run_execute(exec_table)
    }

    /// ExecuteAction: the execute sequence of EXECUTEACTION (INSTALL when empty),
    /// or that one action. Leaving the UI sequence, only public properties travel.
    fn execute_action(&mut self) -> Status {
        let name = actions::execute_action_target(self.props.get("EXECUTEACTION")).to_owned();
        if actions::standard(&name) != Some(ActionKind::TopLevel) {
            return Status::of(self.do_action(&name));
        }
        let table = actions::sequences_of(&name).1;
        if !self.install.in_ui {
            return self.run_execute(table);
        }
        let client = self.props.clone();
        self.server_properties();
        let was_ui = std::mem::replace(&mut self.install.in_ui, false);
        let st = self.run_execute(table);
        self.install.in_ui = was_ui;
        self.props = client;
        st
    }

    /// The properties the execute phase starts with: the Property table, the
    /// engine's own, and the client's public properties (PROP-PUBLIC-PRIVATE).
    fn server_properties(&mut self) {
        let client = self.props.clone();
        let mut server = client.clone();
        for (name, _) in client.sorted() {
            if !is_public(name) {
                server.remove(name);
            }
        }
        if let Some(t) = self.db.table("Property") {
            for row in &t.rows {
                if let [n, v, ..] = row.values.as_slice() {
                    let (n, v) = (n.render(), v.render());
                    if !is_public(&n) && !v.is_empty() {
                        server.set(&n, &v);
                    }
                }
            }
        }
        server.set("UserSID", data::USER_SID);
        self.props = server;
    }

    /// Runs an execute sequence, then whatever of the script is left, rolling
    /// back on failure, then its termination actions.
    fn run_execute(&mut self, table: &str) -> Status {
        let rows = self.sequence_rows(table).unwrap_or_default();
        let mut st = self.run_sequence(&rows);
        if self.install.script_open && !st.failed() {
            st = Status::of(self.finalize_script());
        }
        if st.failed() {
            self.rollback_all();
        }
        self.terminate(&rows, st);
        st
    }

    // -----------------------------------------------------------------------
    // The install script

    /// InstallFinalize: runs the script, then the commit actions when it succeeded.
    fn finalize_script(&mut self) -> u32 {
        self.install.in_window = false;
        let code = self.run_script();
        self.install.script_open = false;
        if code == rc::SUCCESS
            && (!self.rollback_disabled() || self.b.on(Deviation::CommitRunsWithoutRollback))
        {
            let mut commits = std::mem::take(&mut self.install.commits);
            if self.b.on(Deviation::CommitsReversed) {
                commits.reverse();
            }
            for e in commits {
                self.run_scheduled(&e);
            }
        }
        self.install.commits.clear();
        self.install.armed_rollback.clear();
        code
    }

    /// Runs the deferred actions written so far. Rollback actions become armed as
    /// the script passes them; a failing deferred action runs the armed ones in reverse.
    fn run_script(&mut self) -> u32 {
        let entries = std::mem::take(&mut self.install.script);
        for e in entries {
            match e.phase {
                Phase::Rollback => {
                    if !self.rollback_disabled() {
                        self.install.armed_rollback.push(e);
                    }
                }
                Phase::Commit => self.install.commits.push(e),
                _ => match self.run_scheduled(&e) {
                    rc::SUCCESS | rc::FUNCTION_NOT_CALLED => {}
                    rc::MORE_DATA => break,
                    code => {
                        let armed = std::mem::take(&mut self.install.armed_rollback);
                        for r in self.rollback_order(&armed) {
                            self.run_scheduled(r);
                        }
                        self.install.commits.clear();
                        self.install.script_open = false;
                        self.install.in_window = false;
                        return code;
                    }
                },
            }
        }
        rc::SUCCESS
    }

    /// The install failed outside the script: every rollback action scheduled so
    /// far runs, most recent first, unless rollback is disabled.
    fn rollback_all(&mut self) {
        let mut pending = std::mem::take(&mut self.install.armed_rollback);
        if !self.rollback_disabled() {
            pending.extend(
                self.install
                    .script
                    .iter()
                    .filter(|e| e.phase == Phase::Rollback)
                    .cloned(),
            );
        }
        self.install.script.clear();
        self.install.commits.clear();
        self.install.script_open = false;
        self.install.in_window = false;
        if self.rollback_disabled() {
            return;
        }
        for e in self.rollback_order(&pending) {
            self.run_scheduled(e);
        }
    }

    /// The order rollback actions run in: the most recently scheduled first (RB-CM-ORDER).
    fn rollback_order<'a>(&self, scheduled: &'a [Scheduled]) -> Vec<&'a Scheduled> {
        if self.b.on(Deviation::RollbackNotReversed) {
            scheduled.iter().collect()
        } else {
            scheduled.iter().rev().collect()
        }
    }

    // -----------------------------------------------------------------------
    // Plans

    /// The package context: the package script on a fresh package handle, which
    /// is then closed (whatever was not committed is lost).
    pub(crate) fn run_package(&mut self, script: &ProbeScript) {
        self.frames
            .push(Frame::new(script.context, Exec::of(Context::Package), ""));
        self.run_steps(PACKAGE_PROBE, script);
        self.frames.clear();
        self.open();
    }

    /// MsiInstallProduct with the plan's command line.
    pub(crate) fn run_install(&mut self, options: &InstallOptions) {
        self.open();
        self.install.active = true;
        self.install.ui_level = options.ui;
        let level = match options.ui {
            UiLevel::None => "2",
            UiLevel::Basic => "3",
            UiLevel::Reduced => "4",
            UiLevel::Full => "5",
        };
        self.props.set("UILevel", level);
        for (name, value) in &options.properties {
            // Only public properties can be set on the command line.
            if is_public(name) || self.b.on(Deviation::PrivatePropertiesFromCommandLine) {
                self.engine_set(name, value);
            }
        }
        let Some(top) = self.top_level_name() else {
            self.transcript.install_result = Some(rc::SUCCESS);
            return;
        };
        self.props.set("ACTION", &top);
        self.props.set("EXECUTEACTION", &top);
        self.transcript.actions.push(ActionRecord {
            name: top.clone(),
            result: None,
        });
        let record = self.transcript.actions.len() - 1;
        let found = actions::standard(&top).is_some() || self.fixture.custom_action(&top).is_some();
        let code = if found {
            self.depth += 1;
            let c = self.perform_action(&top, false);
            self.depth -= 1;
            c
        } else {
            rc::FUNCTION_NOT_CALLED
        };
        self.transcript.actions[record].result = Some(self.logged(code));
        // An unknown top-level action fails the install; 1626 from an action that ran does not.
        let result = if !found {
            rc::INSTALL_FAILURE
        } else {
            Status::of(code).code()
        };
        self.transcript.install_result = Some(result);
        self.install.active = false;
    }
}
