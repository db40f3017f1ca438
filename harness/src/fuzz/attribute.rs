//! Which catalog rule a bare difference is about.
//!
//! When a runtime departs from the reference where no predicate flags
//! anything, the finding still has to name a rule, and naming the wrong one
//! sends its reader to the wrong page. A difference in a call's outcome is
//! attributed by the rules' subjects (the calls, and the arguments, each rule
//! speaks about, in the contexts it applies in). A difference in the install
//! as a whole (which actions ran, their order, their results) is attributed by
//! the custom action where the two runs first part: its sequence row, its
//! type bits and the code its probe returns. When nothing fits, there is no
//! citation, and the case file says so.

use super::compare::Difference;
use msiconf_spec::codes::{catype, rc, status};
use msiconf_spec::msi::actions;
use msiconf_spec::msi::condition;
use msiconf_spec::msi::custom_action::{class_of, ActionClass};
use msiconf_spec::{ActionRecord, Context, Family, OpKind, Operation, Plan, Rule, Transcript};

/// The rules the first of `differences` is about: usually one, none when no
/// rule is, and two where one call is a question for both (a DoAction name
/// that matches an action only in case is also an unknown name).
pub fn rules_for(
    plan: &Plan,
    reference: &Transcript,
    differences: &[Difference],
) -> Vec<&'static str> {
    let Some(first) = rule_for(plan, reference, differences) else {
        return Vec::new();
    };
    let mut rules = vec![first];
    if let ("DOACTION-CASE", Some(Difference::Outcome { call, context, .. })) =
        (first, differences.first())
    {
        rules.extend(
            msiconf_spec::rules::find("DOACTION-UNKNOWN")
                .filter(|r| r.contexts.contains(context) && r.subject.is_about(call))
                .map(|r| r.id),
        );
    }
    rules
}

/// The rule the first of `differences` is about, if any rule is.
pub fn rule_for(
    plan: &Plan,
    reference: &Transcript,
    differences: &[Difference],
) -> Option<&'static str> {
    let install_level = || {
        differences
            .iter()
            .find_map(|d| match d {
                Difference::Actions {
                    reference,
                    observed,
                } => parting_action(reference, observed).map(|(name, how)| {
                    match behind_standard_action(plan, reference, &name) {
                        // The standard action's result comes from the custom action's.
                        Some(ca) => (ca, Parting::Script),
                        None => (name, how),
                    }
                }),
                Difference::Runs {
                    reference,
                    observed,
                } => parting(reference, observed).map(|a| (a.to_owned(), Parting::Name)),
                _ => None,
            })
            .and_then(|(action, how)| about_action(plan, &action, how))
    };
    match differences.first()? {
        Difference::Outcome {
            call,
            context,
            step,
            reference: expected,
            observed,
        } => about_named_action(plan, call, *context)
            .or_else(|| about_command_line(plan, call, &step.probe))
            .or_else(|| {
                // A value with a NUL inside that comes back otherwise.
                let nul = |o: &msiconf_spec::Outcome| {
                    o.value.as_deref().is_some_and(|v| v.contains('\0'))
                };
                (matches!(**call, Operation::GetProperty { .. })
                    && expected.value != observed.value
                    && (nul(expected) || nul(observed)))
                .then(|| msiconf_spec::rules::find("PROP-EMBEDDED-NUL"))
                .flatten()
                .filter(|r| r.contexts.contains(context))
                .map(|r| r.id)
            })
            .or_else(|| {
                // A property read belongs where its value comes from.
                let i = reference.events.iter().position(|e| e.step() == *step)?;
                msiconf_spec::rules::read_owner(plan, reference, i)
                    .and_then(msiconf_spec::rules::find)
                    .filter(|r| r.has_predicate() && r.contexts.contains(context))
                    .map(|r| r.id)
            })
            .or_else(|| about_call(call, *context)),
        Difference::Events { .. }
        | Difference::Runs { .. }
        | Difference::Actions { .. }
        | Difference::InstallResult { .. } => install_level(),
    }
}

/// The checkable rules whose subject holds `call` in `context`, best first: a
/// rule that names the call's arguments before one that takes any call of the
/// kind, and the call's own family before the others, in catalog order.
pub fn rules_about_call(call: &Operation, context: Context) -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = msiconf_spec::rules::catalog()
        .iter()
        .filter(|r| r.has_predicate() && r.contexts.contains(&context))
        .filter(|r| r.subject.is_about(call))
        .collect();
    let family = match call {
        // A query of the session's property table is about properties; any
        // statement but a query is a write, and custom actions may write
        // only temporary data.
        Operation::Sql { sql, .. } => {
            let query = sql
                .split_whitespace()
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("SELECT"));
            match (query, sql.contains("_Property")) {
                (true, true) => Family::Properties,
                (true, false) => Family::Sql,
                (false, _) => Family::TemporaryWrites,
            }
        }
        _ => family_of(call.kind()),
    };
    // A stable sort keeps catalog order within a rank.
    // A rule that singles the call out first, then the call's family.
    rules.sort_by_key(|r| (!r.subject.singles_out(call), r.family != family));
    rules
}

fn about_call(call: &Operation, context: Context) -> Option<&'static str> {
    rules_about_call(call, context).first().map(|r| r.id)
}

/// For DoAction (C or automation) of a named action, the rule about that
/// kind of action: a custom action's return code, a standard action's
/// class, a name that matches only in case, or no action at all. Only a
/// rule that applies in `context` and judges the call is returned.
fn about_named_action(plan: &Plan, call: &Operation, context: Context) -> Option<&'static str> {
    let (action, automation) = match call {
        Operation::DoAction {
            action: Some(a),
            handle: msiconf_spec::HandleArg::Session,
        } => (a.as_str(), false),
        Operation::SessionDoAction { action: Some(a) } => (a.as_str(), true),
        _ => return None,
    };
    let fixture = &plan.fixture;
    let id = if let Some(ca) = fixture.custom_action(action) {
        if ca.kind & catype::CONTINUE != 0 {
            "CA-RET-CONTINUE-FLAG"
        } else if automation {
            "SESSION-DOACTION-ENUM"
        } else {
            "DOACTION-RETCODES"
        }
    } else if actions::is_standard(action) {
        if actions::is_top_level(action) || action == "ExecuteAction" {
            "DOACTION-TOPLEVEL"
        } else if actions::changes_system(action) {
            "DOACTION-SYSTEM-UPDATE"
        } else {
            "DOACTION-NONSYSTEM-OK"
        }
    } else if actions::standard_ignoring_case(action).is_some()
        || fixture
            .custom_actions
            .iter()
            .any(|r| r.action.eq_ignore_ascii_case(action))
    {
        "DOACTION-CASE"
    } else if automation {
        "SESSION-DOACTION-ENUM"
    } else {
        "DOACTION-UNKNOWN"
    };
    let applies = |id: &str| {
        msiconf_spec::rules::find(id)
            .filter(|r| r.has_predicate() && r.contexts.contains(&context))
            .filter(|r| r.subject.is_about(call))
            .map(|r| r.id)
    };
    // Session.DoAction's answer is an enumeration value whatever the action:
    // when no rule about the action applies here, the mapping is in question.
    applies(id).or_else(|| {
        automation
            .then(|| applies("SESSION-DOACTION-ENUM"))
            .flatten()
    })
}

/// An EXE's command line is its Target formatted when it is scheduled; when
/// the Target names a property a type-51 action sets, the difference is in
/// what that action stored.
fn about_command_line(plan: &Plan, call: &Operation, probe: &str) -> Option<&'static str> {
    if !matches!(call, Operation::CommandLine) {
        return None;
    }
    let row = plan.fixture.custom_action(probe)?;
    let target = row.target.as_deref()?;
    if row.is_in_script() && target.contains('[') {
        // A deferred EXE's command line is formatted when the action is
        // scheduled: which value it got is a question of that rule first.
        return Some("EXE-NO-SESSION");
    }
    plan.fixture
        .custom_actions
        .iter()
        .filter(|r| r.basic_type() == catype::SET_PROPERTY)
        .filter_map(|r| r.source.as_deref())
        .any(|p| target.contains(&format!("[{p}]")))
        .then_some("TYPE51-SETPROP")
}

/// The first action whose record differs between the two logs (by name, or
/// by result when the names agree), skipping the top-level action, whose
/// result only echoes what happened inside it; and how the logs part there.
fn parting_action(
    reference: &[ActionRecord],
    observed: &[ActionRecord],
) -> Option<(String, Parting)> {
    if observed.is_empty() || reference.is_empty() {
        // Nothing started at all: the top-level action itself is in question.
        return reference
            .first()
            .or(observed.first())
            .map(|r| (r.name.clone(), Parting::Name));
    }
    let n = reference.len().max(observed.len());
    (1..n).find_map(|i| match (reference.get(i), observed.get(i)) {
        (Some(a), Some(b)) if a == b => None,
        (Some(a), Some(b)) if a.name == b.name => Some((a.name.clone(), Parting::Result)),
        (Some(a), _) => Some((a.name.clone(), Parting::Name)),
        (None, Some(b)) => Some((b.name.clone(), Parting::Name)),
        (None, None) => None,
    })
}

/// When the parting action is a standard action other than the top-level
/// one (InstallFinalize failing because a deferred action failed in the
/// script it runs, say), the custom action logged last before it, which is
/// where its result comes from.
fn behind_standard_action(plan: &Plan, log: &[ActionRecord], name: &str) -> Option<String> {
    if plan.fixture.custom_action(name).is_some() || actions::is_top_level(name) {
        return None;
    }
    let at = log.iter().position(|r| r.name == name)?;
    log[..at]
        .iter()
        .rev()
        .find(|r| plan.fixture.custom_action(&r.name).is_some())
        .map(|r| r.name.clone())
}

fn parting<'a>(reference: &'a [String], observed: &'a [String]) -> Option<&'a str> {
    let n = reference.len().max(observed.len());
    (0..n).find_map(|i| match (reference.get(i), observed.get(i)) {
        (Some(a), Some(b)) if a == b => None,
        (Some(a), _) => Some(a.as_str()),
        (None, Some(b)) => Some(b.as_str()),
        (None, None) => None,
    })
}

/// How two action logs part at an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parting {
    /// It ran in one run and not in the other (or at another place).
    Name,
    /// It ran in both, and its logged result differs.
    Result,
    /// The result of the standard action that ran its script (InstallFinalize)
    /// differs: the action's return code, as the script saw it.
    Script,
}

/// The install-level rule about `action`: how its row is sequenced, how its
/// type bits schedule it, or what its return code means.
fn about_action(plan: &Plan, action: &str, how: Parting) -> Option<&'static str> {
    let fixture = &plan.fixture;
    let rows = || fixture.execute_sequence.iter().chain(&fixture.ui_sequence);
    let condition_rule = |cond: &str| {
        if condition::syntax(Some(cond)) == Some(msiconf_spec::codes::condition::ERROR) {
            "SEQ-BAD-CONDITION"
        } else {
            "SEQ-CONDITION"
        }
    };
    let Some(ca) = fixture.custom_action(action) else {
        // A standard action that one run started and the other did not: a
        // row condition decided it, if any row has one; otherwise which
        // action runs first is the top-level question, the rest order.
        if how == Parting::Name {
            let conditions: Vec<&str> = rows()
                .filter_map(|r| r.condition.as_deref())
                .filter(|c| !c.trim().is_empty())
                .collect();
            if let Some(bad) = conditions
                .iter()
                .find(|c| condition_rule(c) == "SEQ-BAD-CONDITION")
            {
                return Some(condition_rule(bad));
            }
            if !conditions.is_empty() {
                return Some("SEQ-CONDITION");
            }
        }
        return Some(if actions::is_top_level(action) {
            "ACTION-PROP-UPPERCASE"
        } else {
            "SEQ-ORDER"
        });
    };
    if how == Parting::Name {
        if let Some(row) = rows().find(|r| r.action == action) {
            if row.sequence < 0 {
                return Some("SEQ-TERMINATION-ACTIONS");
            }
            if row.sequence == 0 {
                return Some("SEQ-ZERO-NEVER-RUNS");
            }
            if let Some(cond) = row.condition.as_deref().filter(|c| !c.trim().is_empty()) {
                return Some(condition_rule(cond));
            }
        }
    }
    let kind = ca.kind;
    let scheduling = kind & catype::CLIENT_REPEAT;
    if kind & catype::IN_SCRIPT != 0 {
        match (scheduling, how) {
            (catype::ROLLBACK | catype::COMMIT, Parting::Name) => return Some("RB-CM-ORDER"),
            // Scheduled, a deferred action logs success whatever it will
            // return: a result there is a question of where it runs.
            (_, Parting::Name | Parting::Result) => return Some("DEFERRED-RUNS-IN-SCRIPT"),
            _ => {}
        }
    } else if scheduling != 0 && how == Parting::Name {
        return Some("SCHED-FLAGS-SHARE-BITS");
    }
    if kind & catype::ASYNC != 0 {
        return Some("CA-ASYNC");
    }
    if kind & catype::CONTINUE != 0 {
        return Some("CA-RET-CONTINUE-FLAG");
    }
    if kind & catype::BASIC_MASK == catype::ERROR {
        return Some("CA-TYPE19-ERROR");
    }
    let returns = plan.probes.get(action).map_or(0, |p| p.returns);
    Some(match class_of(kind) {
        Some(ActionClass::Exe) => "CA-RET-EXE-ZERO",
        // A script returns an msiDoActionStatus value.
        Some(ActionClass::Script) => match i64::from(returns) {
            status::USER_EXIT => "CA-RET-USEREXIT",
            status::SUSPEND => "CA-RET-SUSPEND",
            status::FINISHED => "CA-RET-NO-MORE-ITEMS",
            _ => "SCRIPT-CA-RET",
        },
        _ => match returns {
            rc::SUCCESS | rc::FUNCTION_NOT_CALLED => "CA-RET-SUCCESS",
            rc::INSTALL_USEREXIT => "CA-RET-USEREXIT",
            rc::NO_MORE_ITEMS => "CA-RET-NO-MORE-ITEMS",
            rc::INSTALL_SUSPEND => "CA-RET-SUSPEND",
            _ => "CA-RET-OTHER",
        },
    })
}

/// The rule family most calls of a kind are judged by.
pub fn family_of(kind: OpKind) -> Family {
    use OpKind::*;
    match kind {
        DoAction | Sequence => Family::Sequencing,
        SessionDoAction
        | SessionPropertyGet
        | SessionPropertySet
        | SessionMode
        | SessionSetMode
        | SessionLanguage
        | SessionMessage
        | SessionEvaluateCondition
        | SessionDatabase
        | InstallerOpenPackage => Family::Automation,
        GetProperty | SetProperty => Family::Properties,
        CreateRecord | RecordFieldCount | RecordSetString | RecordSetInteger | RecordGetString
        | RecordGetInteger | RecordIsNull | RecordDataSize | RecordClearData | RecordSetStream
        | RecordReadStream => Family::Records,
        ViewColumnInfo | PrimaryKeys | ViewGetError => Family::Sql,
        GetTargetPath | SetTargetPath | GetSourcePath | SessionTargetPath
        | SessionSetTargetPath | SessionSourcePath => Family::Directories,
        SessionFeatureCurrentState
        | SessionFeatureRequestState
        | SessionSetFeatureRequestState
        | SessionComponentCurrentState
        | SessionComponentRequestState
        | SessionSetComponentRequestState => Family::Features,
        GetFeatureState | SetFeatureState | SetFeatureAttributes | GetComponentState
        | SetComponentState => Family::Features,
        GetFeatureValidStates
        | GetFeatureCost
        | EnumComponentCosts
        | VerifyDiskSpace
        | SessionFeatureValidStates
        | SessionFeatureCost => Family::Features,
        GetLastErrorRecord => Family::Database,
        GetMode | SetMode | GetLanguage | ProcessMessage => Family::Deferred,
        FormatRecord => Family::Formatting,
        EvaluateCondition | SetInstallLevel => Family::Sequencing,
        GetActiveDatabase | Commit | GetDatabaseState | SetSummaryInfo | OpenDatabase
        | SummaryInfo | SummaryPropertyCount | SummaryGetProperty => Family::Database,
        OpenView | Execute | Fetch | SetField | Modify => Family::TemporaryWrites,
        Sql | IsTablePersistent => Family::Sql,
        OpenPackage | InstallProduct | CloseHandle | CommandLine | HasSession | SetEnvironment
        | GetEnvironment | DllCounter | ComInitSta | ComCreate => Family::Session,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use msiconf_spec::HandleArg;

    /// A call is attributed only to a rule whose subject holds it, in a
    /// context the rule applies in; a call no rule speaks about gets none.
    #[test]
    fn a_call_is_attributed_only_to_a_rule_about_it() {
        let null = Operation::DoAction {
            action: None,
            handle: HandleArg::Session,
        };
        assert_eq!(
            about_call(&null, Context::Package),
            Some("DOACTION-NULL-ACTION")
        );
        let bogus = Operation::DoAction {
            action: Some("CostFinalize".into()),
            handle: HandleArg::Bogus,
        };
        assert_eq!(
            about_call(&bogus, Context::ImmediateUi),
            Some("DOACTION-BAD-HANDLE")
        );
        // No DoAction rule applies in a commit action.
        assert_eq!(about_call(&null, Context::Commit), None);
        for &context in Context::ALL.iter() {
            for rule in rules_about_call(&null, context) {
                assert!(rule.contexts.contains(&context), "{}", rule.id);
                assert!(rule.subject.covers(OpKind::DoAction), "{}", rule.id);
            }
        }
    }

    #[test]
    fn the_parting_action_skips_the_top_level_result() {
        let rec = |name: &str, result| ActionRecord {
            name: name.into(),
            result: Some(result),
        };
        let reference = [rec("INSTALL", 4), rec("A", 1), rec("P", 4)];
        let observed = [rec("INSTALL", 3), rec("A", 1), rec("P", 3)];
        assert_eq!(
            parting_action(&reference, &observed),
            Some(("P".to_owned(), Parting::Result))
        );
        assert_eq!(
            parting_action(&reference, &[]),
            Some(("INSTALL".to_owned(), Parting::Name))
        );
    }
}
