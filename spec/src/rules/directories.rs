//! Directories: MsiGetTargetPath, MsiSetTargetPath and MsiGetSourcePath.
//!
//! The predicates read the package's Directory table through the shared
//! [`crate::msi::directory::Tree`], the same tree the reference model
//! resolves paths with. A question that depends on the session's state
//! (whether costing has run, which paths were moved) is judged only where the
//! run's own calls settle it; a plan that changes tables through SQL leaves
//! the Directory table unsettled and is not judged on it.

use super::prelude::*;
use crate::msi::directory::{self, Tree, ERROR_DIRECTORY};
use crate::msi::text;
use crate::Buffer;

const SUBJECT: &[OpKind] = &[
    OpKind::GetTargetPath,
    OpKind::SetTargetPath,
    OpKind::GetSourcePath,
];

const TARGET_SOURCES: &[&str] = &[
    "API:msigettargetpathw",
    "WT:package.c test_gettargetpath_bad",
    "WT:custom.c test_targetpath",
];

const SET_SOURCES: &[&str] = &[
    "API:msisettargetpathw",
    "WT:package.c test_settargetpath",
    "WT:custom.c test_targetpath",
];

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "DIR-TARGET-ARGS",
        title: "MsiGetTargetPath checks the folder, then the handle, then the Directory table",
        statement: "MsiGetTargetPath returns ERROR_INVALID_PARAMETER for a NULL folder whatever \
                    the handle, ERROR_INVALID_HANDLE for a handle that is no session, and \
                    ERROR_DIRECTORY for a folder that is not a key of the Directory table (the \
                    empty name and another case included), before it looks at the buffer.",
        sources: TARGET_SOURCES,
        contexts: PKG_IMM,
        family: Family::Directories,
        subject: Subject::calls(SUBJECT),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(target_args),
    },
    Rule {
        id: "DIR-NEEDS-COSTING",
        title: "Target paths exist only once CostFinalize has run",
        statement: "The installer resolves target paths in CostFinalize; before CostInitialize, \
                    FileCost and CostFinalize have run, MsiGetTargetPath reports no path for a \
                    folder of the Directory table (the model answers ERROR_DIRECTORY).",
        sources: &[
            "API:msigettargetpathw",
            "MS:calling-database-functions-from-programs",
        ],
        contexts: &[Context::Package],
        family: Family::Directories,
        subject: Subject::calls(&[OpKind::GetTargetPath, OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(needs_costing),
    },
    Rule {
        id: "DIR-TARGET-RESOLVED",
        title: "After costing, a target path is its parent's path and its own name",
        statement: "Once CostFinalize has run, MsiGetTargetPath of a folder returns its full \
                    path ending in a backslash: a folder below another one is its parent's path \
                    followed by the long name of its DefaultDir (\".\" adds nothing), and the \
                    size reported is the path's length. A buffer without a size pointer gives \
                    ERROR_INVALID_PARAMETER.",
        sources: &[
            "API:msigettargetpathw",
            "MS:directory-table",
            "WT:custom.c test_targetpath",
            "WT:package.c test_settargetpath",
        ],
        contexts: PKG_IMM,
        family: Family::Directories,
        subject: Subject::calls(&[
            OpKind::GetTargetPath,
            OpKind::SetTargetPath,
            OpKind::DoAction,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(target_resolved),
    },
    Rule {
        id: "DIR-SET-TARGET-ARGS",
        title: "MsiSetTargetPath checks its arguments, the handle and the folder",
        statement: "MsiSetTargetPath returns ERROR_INVALID_PARAMETER for a NULL folder or path \
                    whatever the handle, ERROR_INVALID_HANDLE for a handle that is no session, \
                    and ERROR_DIRECTORY for a folder that is not a key of the Directory table.",
        sources: SET_SOURCES,
        contexts: PKG_IMM,
        family: Family::Directories,
        subject: Subject::calls(SUBJECT),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(set_args),
    },
    Rule {
        id: "DIR-SET-TARGET-EFFECT",
        title: "MsiSetTargetPath moves the folder and every folder below it",
        statement: "After MsiSetTargetPath succeeds, MsiGetTargetPath of that folder returns the \
                    new path with doubled separators and the spaces around each name removed \
                    and one closing backslash, the folder's property holds the same path, and \
                    each folder below it follows with its own names appended.",
        sources: SET_SOURCES,
        contexts: PKG_IMM,
        family: Family::Directories,
        subject: Subject::calls(&[
            OpKind::GetTargetPath,
            OpKind::SetTargetPath,
            OpKind::GetProperty,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(set_effect),
    },
    Rule {
        id: "DIR-SOURCE-ARGS",
        title: "MsiGetSourcePath checks the folder, the handle, the table and the buffer",
        statement: "MsiGetSourcePath returns ERROR_INVALID_PARAMETER for a NULL folder, \
                    ERROR_INVALID_HANDLE for a handle that is no session, ERROR_DIRECTORY for a \
                    folder that is not a key of the Directory table (names are case-sensitive); \
                    once CostInitialize has run, a known folder with a buffer but no size \
                    pointer gives ERROR_INVALID_PARAMETER, and NULL for both succeeds.",
        sources: &[
            "API:msigetsourcepathw",
            "WT:package.c test_getsourcepath_bad",
            "WT:custom.c test_targetpath",
        ],
        contexts: PKG_IMM,
        family: Family::Directories,
        subject: Subject::calls(&[OpKind::GetSourcePath, OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(source_args),
    },
    Rule {
        id: "DIR-DEFERRED",
        title: "Deferred actions cannot resolve or move directories",
        statement: "MsiGetTargetPath, MsiSetTargetPath and MsiGetSourcePath are not among the \
                    functions a deferred, rollback or commit action may call: there they do not \
                    succeed, and a deferred action reads the paths it needs from \
                    CustomActionData.",
        sources: &[
            "MS:obtaining-context-information-for-deferred-execution-custom-actions",
            "API:msigettargetpathw",
        ],
        contexts: &[Context::Deferred, Context::Rollback, Context::Commit],
        family: Family::Directories,
        subject: Subject::calls(SUBJECT),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(in_script),
    },
    Rule {
        id: "SESSION-PATHS",
        title: "Session.TargetPath and Session.SourcePath follow the C functions",
        statement: "In an immediate script, Session.TargetPath and Session.SourcePath raise an \
                    exception for a folder that is not a key of the Directory table, and \
                    Session.TargetPath reads back the normalised path its assignment set; a \
                    deferred script's Session offers neither, so they raise there.",
        sources: &[
            "MS:session-targetpath",
            "MS:session-sourcepath",
            "MS:obtaining-context-information-for-deferred-execution-custom-actions",
        ],
        contexts: &[Context::ScriptImmediate, Context::ScriptDeferred],
        family: Family::Directories,
        subject: Subject::calls(&[
            OpKind::SessionTargetPath,
            OpKind::SessionSetTargetPath,
            OpKind::SessionSourcePath,
        ]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(session_paths),
    },
    Rule {
        id: "DIR-PATH-BUFFER",
        title: "The path getters follow the buffer rules of every string getter",
        statement: "MsiGetTargetPath and MsiGetSourcePath answer a buffer too small for the \
                    path with ERROR_MORE_DATA, the truncated and terminated copy and the path's \
                    length without the terminator, and a NULL buffer with a size pointer with \
                    success and that length: the same path a full read of the same folder just \
                    returned. windows: inside an immediate custom action the A forms report \
                    that length in bytes, as MsiGetPropertyA does.",
        sources: &[
            "API:msigettargetpathw",
            "API:msigetsourcepathw",
            "WT:custom.c test_targetpath",
            "WT:package.c test_gettargetpath_bad",
        ],
        contexts: PKG_IMM,
        family: Family::Directories,
        subject: Subject::calls(&[OpKind::GetTargetPath, OpKind::GetSourcePath])
            .when(about_path_buffer),
        level: Level::Must,
        disagreement: Some(
            "documented: sizes count characters everywhere; windows: inside an immediate custom \
             action the A path getters count bytes for size queries and ERROR_MORE_DATA.",
        ),
        check: Check::Predicate(path_buffer),
    },
    Rule {
        id: "DIR-SOURCE-RESOLVED",
        title: "A source path is its parent's source path and its own source name",
        statement: "Once CostInitialize has run, MsiGetSourcePath of a folder returns a path \
                    ending in one backslash and reports its length. In a package whose source \
                    is not compressed (Word Count without bit 1), a folder below another one \
                    ends in the long name of the source half of its DefaultDir \
                    (`target:source`; the target name when there is no source half); every \
                    msiconf package is compressed, and where a compressed package's folders \
                    point is left open.",
        sources: &[
            "API:msigetsourcepathw",
            "MS:directory-table",
            "MS:word-count-summary",
        ],
        contexts: PKG_IMM,
        family: Family::Directories,
        subject: Subject::calls(&[OpKind::GetSourcePath, OpKind::DoAction]),
        level: Level::Must,
        disagreement: None,
        check: Check::Predicate(source_resolved),
    },
];

/// Whether costing has certainly run (`Some(true)`) or certainly not
/// (`Some(false)`) in the session of package-handle event `i`, judged from
/// the DoAction calls of its run. `None` when other calls could have run it.
fn costed(t: &Transcript, i: usize, action: &str) -> Option<bool> {
    let mut done = false;
    for (_, e) in facts::run_before_of(&t.events, i, &[OpKind::DoAction, OpKind::Sequence]) {
        if !matches!(e.call.kind(), OpKind::DoAction | OpKind::Sequence) {
            continue;
        }
        let costing = matches!(
            &e.call,
            Operation::DoAction {
                action: Some(a),
                handle: HandleArg::Session,
            } if matches!(a.as_str(), "CostInitialize" | "FileCost" | "CostFinalize")
        );
        let this = matches!(
            &e.call,
            Operation::DoAction {
                action: Some(a),
                handle: HandleArg::Session,
            } if a == action
        );
        if this && e.outcome.rc == Some(rc::SUCCESS) {
            done = true;
        } else if !costing && !done {
            // Another action, or a sequence, may have run costing itself.
            return None;
        }
    }
    Some(done)
}

/// The event's rc, or silence.
fn rc_of(e: &Event) -> Option<u32> {
    e.outcome.rc
}

fn target_args(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DIR-TARGET-ARGS";
    let tree = Tree::of_fixture(&plan.fixture);
    for (i, e) in facts::full_c_calls(t) {
        let Operation::GetTargetPath { folder, handle, .. } = &e.call else {
            continue;
        };
        match (folder, handle) {
            (None, _) => expect_rc(out, ID, e, rc::INVALID_PARAMETER),
            (Some(_), h) if *h != HandleArg::Session => expect_rc(out, ID, e, rc::INVALID_HANDLE),
            (Some(f), _) if !tree.contains(f) && facts::fixture_tables_settled(t, i) => {
                expect_rc(out, ID, e, ERROR_DIRECTORY)
            }
            _ => {}
        }
    }
}

fn set_args(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DIR-SET-TARGET-ARGS";
    let tree = Tree::of_fixture(&plan.fixture);
    for (i, e) in facts::full_c_calls(t) {
        let Operation::SetTargetPath {
            folder,
            path,
            handle,
        } = &e.call
        else {
            continue;
        };
        match (folder, path) {
            (None, _) | (_, None) => expect_rc(out, ID, e, rc::INVALID_PARAMETER),
            _ if *handle != HandleArg::Session => expect_rc(out, ID, e, rc::INVALID_HANDLE),
            (Some(f), _) if !tree.contains(f) && facts::fixture_tables_settled(t, i) => {
                expect_rc(out, ID, e, ERROR_DIRECTORY)
            }
            _ => {}
        }
    }
}

fn source_args(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DIR-SOURCE-ARGS";
    let tree = Tree::of_fixture(&plan.fixture);
    for (i, e) in facts::full_c_calls(t) {
        let Operation::GetSourcePath {
            folder,
            buffer,
            handle,
            ..
        } = &e.call
        else {
            continue;
        };
        let Some(f) = folder else {
            expect_rc(out, ID, e, rc::INVALID_PARAMETER);
            continue;
        };
        if *handle != HandleArg::Session {
            expect_rc(out, ID, e, rc::INVALID_HANDLE);
            continue;
        }
        if !facts::fixture_tables_settled(t, i) {
            continue;
        }
        if !tree.contains(f) {
            expect_rc(out, ID, e, ERROR_DIRECTORY);
            continue;
        }
        let resolved =
            e.context == Context::Package && costed(t, i, "CostInitialize") == Some(true);
        match buffer {
            Buffer::NullSize if resolved => expect_rc(out, ID, e, rc::INVALID_PARAMETER),
            Buffer::NullBoth if resolved => expect_rc(out, ID, e, rc::SUCCESS),
            _ => {}
        }
    }
}

fn needs_costing(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DIR-NEEDS-COSTING";
    let tree = Tree::of_fixture(&plan.fixture);
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || e.context != Context::Package {
            continue;
        }
        let Operation::GetTargetPath {
            folder: Some(f),
            handle: HandleArg::Session,
            ..
        } = &e.call
        else {
            continue;
        };
        if tree.contains(f)
            && facts::fixture_tables_settled(t, i)
            && costed(t, i, "CostFinalize") == Some(false)
            && rc_of(e) == Some(rc::SUCCESS)
        {
            flag(out, ID, e, "rc!=0 (no path before CostFinalize)");
        }
    }
}

/// Whether any call of the transcript could have moved a directory other
/// than through MsiSetTargetPath: a directory's property set or given.
fn directory_properties_given(plan: &Plan, t: &Transcript, tree: &Tree) -> bool {
    tree.names().any(|n| {
        plan.fixture.property(n).is_some()
            || facts::command_line_value(plan, n).is_some()
            || n == "TARGETDIR" && facts::command_line_value(plan, "ROOTDRIVE").is_some()
    }) || t.events.iter().any(|e| match &e.call {
        Operation::SetProperty { name: Some(n), .. }
        | Operation::SessionPropertySet { name: Some(n), .. } => {
            tree.contains(n) || n == "ROOTDRIVE"
        }
        _ => false,
    })
}

fn target_resolved(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DIR-TARGET-RESOLVED";
    let tree = Tree::of_fixture(&plan.fixture);
    let any_set = t
        .events
        .iter()
        .any(|e| e.call.kind() == OpKind::SetTargetPath);
    if any_set || directory_properties_given(plan, t, &tree) {
        return;
    }
    for (i, e) in facts::full_c_calls(t) {
        let Operation::GetTargetPath {
            folder: Some(f),
            buffer,
            handle: HandleArg::Session,
            ..
        } = &e.call
        else {
            continue;
        };
        // Costing settled: from the package handle by the run's own calls,
        // in a custom action by where the install sequenced it.
        let costed_here = if e.context == Context::Package {
            costed(t, i, "CostFinalize") == Some(true)
        } else {
            super::features::settled_after_costing(plan, t, i)
        };
        if !tree.contains(f) || !facts::fixture_tables_settled(t, i) || !costed_here {
            continue;
        }
        if *buffer == Buffer::NullSize {
            expect_rc(out, ID, e, rc::INVALID_PARAMETER);
            continue;
        }
        if rc_of(e) != Some(rc::SUCCESS) || *buffer != Buffer::Ample {
            if matches!(
                buffer,
                Buffer::Ample | Buffer::NullBuffer(_) | Buffer::NullBoth
            ) {
                expect_rc(out, ID, e, rc::SUCCESS);
            }
            continue;
        }
        let Some(value) = e.outcome.value.as_deref() else {
            continue;
        };
        let want_tail = tree.target_name(f).map(|n| format!("\\{n}\\"));
        let shape_ok = value.ends_with('\\')
            && !value.ends_with("\\\\")
            && want_tail
                .as_deref()
                .is_none_or(|tail| tree.parent(f).is_none() || value.ends_with(tail));
        if !shape_ok {
            let want = match (tree.parent(f), want_tail) {
                (Some(_), Some(tail)) => format!("a path ending in {tail}"),
                _ => "a path ending in one backslash".to_owned(),
            };
            flag(out, ID, e, want);
            continue;
        }
        if e.outcome.size.is_some_and(|s| s != text::utf16_len(value)) {
            flag(
                out,
                ID,
                e,
                format!("size={} (the path's length)", text::utf16_len(value)),
            );
        }
    }
}

fn set_effect(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DIR-SET-TARGET-EFFECT";
    let tree = Tree::of_fixture(&plan.fixture);
    // Sets made by more than one probe interleave across sessions; leave them.
    let setters: std::collections::BTreeSet<&str> = t
        .events
        .iter()
        .filter(|e| e.call.kind() == OpKind::SetTargetPath)
        .map(|e| e.probe.as_str())
        .collect();
    if setters.len() != 1 {
        return;
    }
    for (i, e) in facts::settled_full_c_calls(t) {
        let (folder, via_property) = match &e.call {
            Operation::GetTargetPath {
                folder: Some(f),
                buffer: Buffer::Ample,
                handle: HandleArg::Session,
                ..
            } => (f, false),
            Operation::GetProperty {
                name: Some(f),
                buffer: Buffer::Ample,
                ansi: false,
                handle: HandleArg::Session,
            } if tree.contains(f) => (f, true),
            _ => continue,
        };
        if rc_of(e) != Some(rc::SUCCESS) {
            continue;
        }
        // The latest successful set in this run on the folder or a folder
        // above it, walking the run forwards.
        let chain = tree.chain(folder);
        let mut before: Vec<(usize, &Event)> = facts::run_before_of(
            &t.events,
            i,
            &[OpKind::SetTargetPath, OpKind::SetProperty, OpKind::DoAction],
        )
        .collect();
        before.sort_by_key(|(j, _)| *j);
        let mut latest: Option<String> = None;
        let mut unsettled = false;
        let mut moved = std::collections::BTreeSet::new();
        for (_, s) in before {
            match &s.call {
                Operation::SetTargetPath {
                    folder: Some(sf),
                    path: Some(p),
                    handle: HandleArg::Session,
                } if s.outcome.rc == Some(rc::SUCCESS) => {
                    if let Some(depth) = chain.iter().position(|c| c == sf) {
                        // Whether a folder moved before keeps its own path when
                        // one above it moves is not settled by the sources.
                        moved.insert(sf.as_str());
                        if moved.len() > 1 {
                            unsettled = true;
                        }
                        let mut path = directory::normalize_target(p);
                        for below in chain[..depth].iter().rev() {
                            if let Some(n) = tree.target_name(below) {
                                path.push_str(n);
                                path.push('\\');
                            }
                        }
                        latest = Some(path);
                    }
                }
                // A directory's property set by hand moves it another way.
                Operation::SetProperty { name: Some(n), .. } if chain.contains(&n.as_str()) => {
                    unsettled = true;
                }
                // Costing again after a move resolves paths anew.
                Operation::DoAction {
                    action: Some(a), ..
                } if a == "CostFinalize" && latest.is_some() => {
                    unsettled = true;
                }
                _ => {}
            }
        }
        let Some(want) = latest else {
            continue;
        };
        if unsettled {
            continue;
        }
        let got = e.outcome.value.as_deref().unwrap_or("");
        if got != want {
            let whose = if via_property { "the property: " } else { "" };
            flag(out, ID, e, format!("{whose}value={want:?}"));
        }
    }
}

fn in_script(_: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DIR-DEFERRED";
    for e in &t.events {
        if !performed(e) || !facts::is_in_script_c(e.context) {
            continue;
        }
        let with_args = match &e.call {
            Operation::GetTargetPath {
                folder: Some(_),
                handle: HandleArg::Session,
                buffer,
                ..
            }
            | Operation::GetSourcePath {
                folder: Some(_),
                handle: HandleArg::Session,
                buffer,
                ..
            } => *buffer != Buffer::NullSize,
            Operation::SetTargetPath {
                folder: Some(_),
                path: Some(_),
                handle: HandleArg::Session,
            } => true,
            _ => false,
        };
        if with_args && rc_of(e) == Some(rc::SUCCESS) {
            flag(out, ID, e, "rc!=0 (not available in-script)");
        }
    }
}

fn session_paths(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "SESSION-PATHS";
    let tree = Tree::of_fixture(&plan.fixture);
    for (i, e) in t.events.iter().enumerate() {
        if !performed(e) || !e.context.is_script() {
            continue;
        }
        let (folder, read) = match &e.call {
            Operation::SessionTargetPath { folder } | Operation::SessionSourcePath { folder } => {
                (folder, true)
            }
            Operation::SessionSetTargetPath { folder, .. } => (folder, false),
            _ => continue,
        };
        let raised = e.outcome.exception.is_some();
        let Some(f) = folder else {
            continue;
        };
        let known = tree.contains(f);
        if !facts::fixture_tables_settled(t, i) {
            continue;
        }
        if e.context.is_in_script() {
            if known && !raised {
                flag(
                    out,
                    ID,
                    e,
                    "an exception (not available in a deferred script)",
                );
            }
            continue;
        }
        if !known {
            if !raised {
                flag(out, ID, e, "an exception (no such folder)");
            }
            continue;
        }
        // A read of a folder this run moved, with nothing else moved on its chain.
        let Operation::SessionTargetPath { .. } = &e.call else {
            continue;
        };
        if !read || raised {
            continue;
        }
        let chain = tree.chain(f);
        let mut before: Vec<(usize, &Event)> = facts::run_before_of(
            &t.events,
            i,
            &[
                OpKind::SessionSetTargetPath,
                OpKind::SessionPropertySet,
                OpKind::SessionDoAction,
            ],
        )
        .collect();
        before.sort_by_key(|(j, _)| *j);
        let mut want = None;
        let mut unsettled = false;
        for (_, s) in before {
            match &s.call {
                Operation::SessionSetTargetPath {
                    folder: Some(sf),
                    path: Some(p),
                } if s.outcome.exception.is_none() && chain.contains(&sf.as_str()) => {
                    if sf == f && want.is_none() {
                        want = Some(directory::normalize_target(p));
                    } else {
                        unsettled = true;
                    }
                }
                Operation::SessionPropertySet { name: Some(n), .. }
                    if chain.contains(&n.as_str()) =>
                {
                    unsettled = true
                }
                Operation::SessionDoAction { .. } if want.is_some() => unsettled = true,
                _ => {}
            }
        }
        if let (Some(want), false) = (want, unsettled) {
            if e.outcome.value.as_deref() != Some(want.as_str()) {
                flag(out, ID, e, format!("value={want:?}"));
            }
        }
    }
}

fn source_resolved(plan: &Plan, t: &Transcript, _: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DIR-SOURCE-RESOLVED";
    let tree = Tree::of_fixture(&plan.fixture);
    let source_given = ["SourceDir", "SOURCEDIR"].iter().any(|p| {
        plan.fixture.property(p).is_some() || facts::command_line_value(plan, p).is_some()
    });
    if source_given {
        return;
    }
    for (i, e) in facts::settled_full_c_calls(t) {
        let Operation::GetSourcePath {
            folder: Some(f),
            buffer: Buffer::Ample,
            handle: HandleArg::Session,
            ..
        } = &e.call
        else {
            continue;
        };
        if !tree.contains(f)
            || e.outcome.rc != Some(rc::SUCCESS)
            || !super::features::states_loaded(plan, t, i)
        {
            continue;
        }
        let Some(value) = e.outcome.value.as_deref() else {
            continue;
        };
        let compressed = crate::msi::summary::source_compressed();
        let tail = match (tree.parent(f), tree.source_name(f)) {
            (Some(_), Some(n)) if !compressed => format!("\\{n}\\"),
            _ => "\\".to_owned(),
        };
        if !value.ends_with(&tail) || value.ends_with("\\\\") {
            flag(out, ID, e, format!("a path ending in {tail}"));
        } else if e.outcome.size.is_some_and(|s| s != text::utf16_len(value)) {
            flag(
                out,
                ID,
                e,
                format!("size={} (the path's length)", text::utf16_len(value)),
            );
        }
    }
}

/// The calls DIR-PATH-BUFFER speaks about: path reads of a known kind of
/// folder through a buffer too small or absent, or through the A form.
fn about_path_buffer(op: &Operation) -> bool {
    path_read(op).is_some_and(|(_, buffer, ansi, _)| {
        ansi || matches!(buffer, Buffer::Sized(_) | Buffer::NullBuffer(_))
    })
}

/// The folder, buffer and A-ness of a path read, and whether it reads the
/// target (`true`) or the source path.
fn path_read(op: &Operation) -> Option<(&str, Buffer, bool, bool)> {
    match op {
        Operation::GetTargetPath {
            folder: Some(f),
            buffer,
            ansi,
            handle: HandleArg::Session,
        } => Some((f, *buffer, *ansi, true)),
        Operation::GetSourcePath {
            folder: Some(f),
            buffer,
            ansi,
            handle: HandleArg::Session,
        } => Some((f, *buffer, *ansi, false)),
        _ => None,
    }
}

fn path_buffer(_: &Plan, t: &Transcript, profile: Profile, out: &mut Vec<Violation>) {
    const ID: &str = "DIR-PATH-BUFFER";
    // Calls that can move a path between two reads of it.
    const KINDS: &[OpKind] = &[
        OpKind::GetTargetPath,
        OpKind::GetSourcePath,
        OpKind::SetTargetPath,
        OpKind::SetProperty,
        OpKind::DoAction,
        OpKind::Sequence,
        OpKind::Sql,
        OpKind::Modify,
        OpKind::Execute,
        OpKind::SetInstallLevel,
    ];
    for (i, e) in facts::full_c_calls(t) {
        let Some((folder, buffer, ansi, target)) = path_read(&e.call) else {
            continue;
        };
        if matches!(buffer, Buffer::Ample | Buffer::NullSize | Buffer::NullBoth) {
            continue;
        }
        // The nearest earlier full read of the same folder in the run, with
        // nothing between that could have moved it.
        let mut path = None;
        for (_, d) in facts::run_before_of(&t.events, i, KINDS) {
            match path_read(&d.call) {
                Some((g, Buffer::Ample, _, dt)) if g == folder && dt == target => {
                    if d.outcome.rc == Some(rc::SUCCESS) {
                        path = d.outcome.value.clone();
                    }
                    break;
                }
                Some(_) => continue,
                None if KINDS.contains(&d.call.kind()) => break,
                None => continue,
            }
        }
        let Some(path) = path else {
            continue;
        };
        let bytes = ansi && e.context != Context::Package && profile == Profile::Windows;
        let len = text::utf16_len(&path);
        let Some((want_rc, want_size, copied)) = facts::expected_get(len, buffer, bytes) else {
            continue;
        };
        if e.outcome.rc != Some(want_rc) {
            expect_rc(out, ID, e, want_rc);
        } else if e.outcome.size.is_some_and(|s| s != want_size) {
            let unit = if bytes { "bytes" } else { "characters" };
            flag(
                out,
                ID,
                e,
                format!("size={want_size} (the path's length in {unit})"),
            );
        } else if let (Some(k), Some(v)) = (copied, e.outcome.value.as_deref()) {
            if let Some(want) = facts::utf16_prefix(&path, k).filter(|w| *w != v) {
                flag(out, ID, e, format!("value={want:?}"));
            }
        }
    }
}
