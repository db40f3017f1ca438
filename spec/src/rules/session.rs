//! One session per process, EXE actions without one, and the session's state functions.

use super::prelude::*;
use crate::msi::condition as msi_condition;
use crate::msi::format::Lookup;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "ONE-SESSION",
        title: "A custom action cannot open a second session",
        statement: "A process holds one Session: from a custom action MsiOpenPackage, \
                    MsiInstallProduct and, in scripts, Installer.OpenPackage must not give a \
                    second one.",
        sources: &[
            "S1",
            "MS:session-object",
            "MS:functions-not-for-use-in-custom-actions",
        ],
        contexts: &[
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::Deferred,
            Context::ScriptImmediate,
            Context::ScriptDeferred,
        ],
        family: Family::Session,
        subject: Subject::calls(&[
            OpKind::OpenPackage,
            OpKind::InstallProduct,
            OpKind::InstallerOpenPackage,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(one_session),
    },
    Rule {
        id: "EXE-NO-SESSION",
        title: "EXE custom actions have no session, only a command line",
        statement:
            "Custom actions of types 2, 18, 34 and 50 get no session handle; their one input \
                    is the formatted Target as command line, fixed at scheduling time for \
                    deferred ones.",
        sources: &["S1", "MS:executable-files", "S2"],
        contexts: &[Context::Exe],
        family: Family::Session,
        subject: Subject::calls(&[OpKind::CommandLine, OpKind::HasSession]),
        level: Level::Must,
        disagreement: Some(
            "S1 names only types 2 and 18; the executable-files page lists 2, 18, 34 and 50 \
            . Both profiles treat all four alike.",
        ),
        check: Check::Predicate(exe_no_session),
    },
    Rule {
        id: "CA-PROCESS-MODEL",
        title: "DLL custom actions share a host process but reload the DLL",
        statement: "DLL custom actions run in a separate custom-action host that successive \
                    actions share (environment changes carry over), while the DLL is loaded \
                    afresh for each action (its globals do not).",
        sources: &["WT:custom.c process1", "WT:custom.c process2"],
        contexts: &[
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::Deferred,
            Context::Rollback,
            Context::Commit,
        ],
        family: Family::Session,
        subject: Subject::calls(&[
            OpKind::SetEnvironment,
            OpKind::GetEnvironment,
            OpKind::DllCounter,
        ]),
        level: Level::Observed,
        disagreement: Some(
            "No reference page describes the custom-action host; Wine's custom.c process1 and \
             process2 (immediate actions of one install, run on Windows too) show the shared \
             environment and the fresh DLL. Judged: a DLL global starts from zero in every \
             action run, and a variable one execute-sequence immediate action sets is what a \
             later one reads, in installs that run no action by name.",
        ),
        check: Check::Predicate(ca_process_model),
    },
    Rule {
        id: "CA-COM-APARTMENT",
        title: "The custom-action thread can use COM without initialising it",
        statement:
            "The thread that calls a DLL custom action has not initialised COM, but the host \
                    already has a multithreaded apartment, so COM objects can be created and \
                    CoInitializeEx for an STA still succeeds.",
        sources: &["WT:custom.c main_test"],
        contexts: IMM,
        family: Family::Session,
        subject: Subject::calls(&[OpKind::ComInitSta, OpKind::ComCreate]),
        level: Level::Observed,
        disagreement: Some(
            "No reference page describes the custom-action thread; Wine's custom.c main_test \
             (an immediate action, run on Windows too) creates an object without initialising \
             COM and then initialises a single-threaded apartment, both with S_OK.",
        ),
        check: Check::Predicate(ca_com_apartment),
    },
    Rule {
        id: "RUNMODE-VALUES-IMM",
        title: "MsiGetMode reports the real session state in immediate code",
        statement: "Outside the script, MsiGetMode answers from the session: MAINTENANCE is false \
                    before the product is installed, a reboot flag set with MsiSetMode reads back, \
                    and an invalid handle gives FALSE.",
        sources: &["API:msigetmode", "MS:session-mode"],
        contexts: PKG_IMM,
        family: Family::Session,
        subject: Subject::calls(&[OpKind::GetMode, OpKind::SessionMode]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(runmode_values),
    },
    Rule {
        id: "CONDITION-STRING-CASE",
        title: "Condition comparisons of strings are case-sensitive unless prefixed with ~",
        statement: "In a conditional statement, = and <> (and the other comparison operators) \
                    compare strings with their case; written with a leading ~ they ignore it. \
                    The truth value MsiEvaluateCondition and Session.EvaluateCondition return \
                    for a comparison of settled values is the one the language defines.",
        sources: &[
            "MS:conditional-statement-syntax",
            "MS:session-evaluatecondition",
        ],
        contexts: &[
            Context::Package,
            Context::ImmediateUi,
            Context::ImmediateBeforeInit,
            Context::ImmediateAfterInit,
            Context::ScriptImmediate,
        ],
        family: Family::Session,
        subject: Subject::install(&[
            OpKind::EvaluateCondition,
            OpKind::SessionEvaluateCondition,
            OpKind::Sequence,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(condition_string_case),
    },
    Rule {
        id: "CA-MISC-STATE-APIS",
        title: "State functions work through a custom action's handle",
        statement: "From an immediate custom action, MsiSetMode on REBOOTATEND succeeds and reads \
                    back, MsiSetInstallLevel changes INSTALLLEVEL, and MsiEvaluateCondition sees \
                    properties just set.",
        sources: &["API:msisetmode", "MS:session-object"],
        contexts: IMM,
        family: Family::Session,
        subject: Subject::calls(&[
            OpKind::SetMode,
            OpKind::GetMode,
            OpKind::SetInstallLevel,
            OpKind::GetLanguage,
            OpKind::GetProperty,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(misc_state),
    },
];

fn one_session(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "ONE-SESSION";
    for e in &t.events {
        if !performed(e) || !e.context.is_custom_action() || e.context == Context::Exe {
            continue;
        }
        match &e.call {
            Operation::OpenPackage {
                source: crate::PackageSource::PackageFile,
                ..
            }
            | Operation::InstallProduct { .. }
                if (e.outcome.rc == Some(rc::SUCCESS)
                    || e.outcome.handle.is_some_and(|h| h != 0)) =>
            {
                flag(out, ID, e, "the call fails (one session per process)");
            }
            Operation::InstallerOpenPackage if e.outcome.exception.is_none() => {
                flag(out, ID, e, "an exception (one session per process)");
            }
            _ => {}
        }
    }
}

fn exe_no_session(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "EXE-NO-SESSION";
    for e in &t.events {
        if !performed(e) || e.context != Context::Exe {
            continue;
        }
        match &e.call {
            Operation::HasSession => expect_number(out, ID, e, 0),
            Operation::CommandLine => {
                let Some(row) = facts::custom_action(plan, &e.probe) else {
                    continue;
                };
                let target = row.target.as_deref().unwrap_or("");
                let Some(pos) = facts::probe_position(plan, &e.probe) else {
                    continue;
                };
                let want = if crate::msi::format::is_literal(target) {
                    target.to_owned()
                } else {
                    let Some(w) = facts::format_at_position(plan, target, pos, &e.probe, true, 0)
                    else {
                        continue;
                    };
                    w
                };
                let want = want.trim();
                if want.is_empty() {
                    continue;
                }
                if let Some(v) = &e.outcome.value {
                    if !v.trim_end().ends_with(want) {
                        flag(out, ID, e, format!("a command line ending with {want:?}"));
                    }
                }
            }
            _ => {}
        }
    }
}

/// The last MsiSetMode / Session.Mode set of `mode` earlier in the run, if nothing in between could undo it.
fn mode_set_before(t: &Transcript, i: usize, mode: u32) -> Option<bool> {
    const KINDS: &[OpKind] = &[
        OpKind::SetMode,
        OpKind::SessionSetMode,
        OpKind::DoAction,
        OpKind::SessionDoAction,
        OpKind::Sequence,
    ];
    for (_, e) in facts::run_before_of(&t.events, i, KINDS) {
        match &e.call {
            Operation::SetMode { mode: m, state } if *m == mode => {
                return (e.outcome.rc == Some(rc::SUCCESS)).then_some(*state);
            }
            Operation::SessionSetMode { mode: m, state } if *m == mode => {
                return e.outcome.exception.is_none().then_some(*state);
            }
            Operation::DoAction { .. }
            | Operation::SessionDoAction { .. }
            | Operation::Sequence { .. } => {
                return None;
            }
            _ => {}
        }
    }
    None
}

fn runmode_values(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "RUNMODE-VALUES-IMM";
    let nested_install =
        facts::all_steps(plan).any(|(_, _, op)| matches!(op, Operation::InstallProduct { .. }));
    for (i, e) in facts::full_c_calls(t) {
        let Operation::GetMode { mode, handle } = &e.call else {
            continue;
        };
        let Some(n) = e.outcome.number else {
            continue;
        };
        let want = if *handle != HandleArg::Session
            || (*mode == runmode::MAINTENANCE && !nested_install)
        {
            false
        } else if matches!(*mode, runmode::REBOOTATEND | runmode::REBOOTNOW) {
            match mode_set_before(t, i, *mode) {
                Some(s) => s,
                None => continue,
            }
        } else {
            continue;
        };
        if (n != 0) != want {
            flag(out, ID, e, format!("number={}", i64::from(want)));
        }
    }
}

fn misc_state(plan: &Plan, t: &Transcript, p: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "CA-MISC-STATE-APIS";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || !facts::is_immediate_c(e.context) {
            continue;
        }
        match &e.call {
            Operation::SetMode {
                mode: runmode::REBOOTATEND,
                ..
            }
            | Operation::SetInstallLevel { .. } => {
                expect_rc(out, ID, e, rc::SUCCESS);
            }
            Operation::GetMode {
                mode,
                handle: HandleArg::Session,
            } if *mode == runmode::REBOOTATEND => {
                if let (Some(s), Some(n)) = (mode_set_before(t, i, *mode), e.outcome.number) {
                    if (n != 0) != s {
                        flag(out, ID, e, format!("number={}", i64::from(s)));
                    }
                }
            }
            Operation::EvaluateCondition { condition: c } => {
                // NONE and ERROR are judged with the other handles' cases
                // (automation.rs); here, the truth of a well-formed condition
                // from the property values the transcript settles.
                if msi_condition::syntax(c.as_deref()).is_some() {
                    continue;
                }
                let lookup = |n: &str| {
                    if n.starts_with(['%', '$', '?', '&', '!']) {
                        return Lookup::Unknown;
                    }
                    match facts::property_at(plan, &t.events, i, n) {
                        Some(k) => Lookup::Found(k.value),
                        None => Lookup::Unknown,
                    }
                };
                if let Some(want) = msi_condition::evaluate(c.as_deref(), &lookup) {
                    expect_number(out, ID, e, want);
                }
            }
            _ => {}
        }
    }
    super::properties::scan(plan, t, p, out, ID);
}

/// What a condition's names stand for at `events[i]`, as far as the plan and
/// the earlier steps settle them (environment and install states are not).
fn settled_lookup<'a>(plan: &'a Plan, t: &'a Transcript, i: usize) -> impl Fn(&str) -> Lookup<'a> {
    move |n: &str| {
        if n.starts_with(['%', '$', '?', '&', '!']) {
            return Lookup::Unknown;
        }
        match facts::property_at(plan, &t.events, i, n) {
            Some(k) => Lookup::Found(k.value),
            None => Lookup::Unknown,
        }
    }
}

fn condition_string_case(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "CONDITION-STRING-CASE";
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) {
            continue;
        }
        let c = match &e.call {
            Operation::EvaluateCondition { condition: Some(c) } if facts::is_full_c(e.context) => c,
            Operation::SessionEvaluateCondition { condition: Some(c) }
                if e.context == Context::ScriptImmediate =>
            {
                c
            }
            _ => continue,
        };
        // NONE and ERROR belong to SESSION-EVALUATECONDITION.
        if !msi_condition::has_comparison(c) || msi_condition::syntax(Some(c)).is_some() {
            continue;
        }
        if let Some(want) = msi_condition::evaluate(Some(c), &settled_lookup(plan, t, i)) {
            expect_number(out, ID, e, want);
        }
    }
}

/// CA-PROCESS-MODEL: a DLL global reads 0 at the first `dll-counter` of every
/// action run; an environment variable set by an immediate execute-sequence
/// action is what a later one reads (installs that run nothing by name, whose
/// immediate actions all run in the install's one custom-action host).
fn ca_process_model(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "CA-PROCESS-MODEL";
    let by_name = t.events.iter().any(|e| {
        matches!(
            e.call.kind(),
            OpKind::DoAction
                | OpKind::SessionDoAction
                | OpKind::Sequence
                | OpKind::InstallProduct
                | OpKind::OpenPackage
                | OpKind::InstallerOpenPackage
        )
    });
    let mut runs: facts::RunSlots<()> = facts::RunSlots::default();
    // Upper-cased name -> the value set (None: deleted), or unknown.
    let mut shared: std::collections::HashMap<String, Option<Option<String>>> =
        std::collections::HashMap::new();
    for e in &t.events {
        let slots = runs.of(e);
        if !performed(e) {
            continue;
        }
        let dll = facts::is_immediate_c(e.context) || facts::is_in_script_c(e.context);
        let in_execute = matches!(
            e.context,
            Context::ImmediateBeforeInit | Context::ImmediateAfterInit
        );
        match &e.call {
            // The first counter read of each run.
            Operation::DllCounter if dll && slots.insert("dll-counter", ()).is_none() => {
                expect_number(out, ID, e, 0);
            }
            Operation::SetEnvironment { name, value } if in_execute => {
                let known = (e.outcome.number == Some(1)).then(|| value.clone());
                shared.insert(name.to_uppercase(), known);
            }
            Operation::GetEnvironment { name } if in_execute && !by_name => {
                let Some(Some(want)) = shared.get(&name.to_uppercase()) else {
                    continue;
                };
                if e.outcome.value != *want {
                    let shown = match want {
                        Some(v) => format!("value={v:?} (set by an earlier action)"),
                        None => "no value (deleted by an earlier action)".to_owned(),
                    };
                    flag(out, ID, e, shown);
                }
            }
            _ => {}
        }
    }
}

/// CA-COM-APARTMENT: in an immediate DLL action, CoCreateInstance works
/// without initialising COM and CoInitializeEx for an STA succeeds.
fn ca_com_apartment(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "CA-COM-APARTMENT";
    for (_, e) in facts::full_c_calls(t) {
        if facts::is_immediate_c(e.context)
            && matches!(e.call, Operation::ComInitSta | Operation::ComCreate)
        {
            expect_number(out, ID, e, crate::msi::custom_action::S_OK);
        }
    }
}
