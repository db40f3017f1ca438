//! Case builders shared by the rule tests: each returns an obeying transcript
//! (`ok`) or a breaking one (`!ok`) for one rule.
#![allow(dead_code)]

use super::*;
use msiconf_spec::codes::catype::*;
use msiconf_spec::{
    Buffer, Context, HandleArg, ModifyKind, Operation, Outcome, Plan, Profile, Transcript,
};
use Context::*;

pub const W: Profile = Profile::Windows;
pub const D: Profile = Profile::Documented;
const PC: &str = "{6F2C1C6E-2C63-4B55-9C61-6D3A5A0D7A11}";
const INFO: u32 = 0x0400_0000;

pub fn pick<T>(ok: bool, good: T, bad: T) -> T {
    if ok {
        good
    } else {
        bad
    }
}

pub type Built = (Plan, Transcript);

pub fn doaction_case(ok: bool) -> Built {
    Case::standard()
        .call(Package, da("costinitialize"), rc(pick(ok, 1626, 0)))
        .call(Package, da("CostInitialize"), rc(0))
        .build()
}

pub fn doaction_case_script(ok: bool) -> Built {
    Case::new(|f| ca(f, "EmbedNull", SET_PROPERTY, "embednull", "x"))
        .call(
            ScriptImmediate,
            Operation::SessionDoAction {
                action: Some("embedNULL".into()),
            },
            num(pick(ok, 0, 1)),
        )
        .build()
}

pub fn doaction_unknown(ok: bool) -> Built {
    Case::standard()
        .call(Package, da("boo"), rc(pick(ok, 1626, 0)))
        .build()
}

pub fn session_doaction_enum(ok: bool) -> Built {
    Case::standard()
        .call(
            ScriptImmediate,
            Operation::SessionDoAction {
                action: Some("CostInitialize".into()),
            },
            num(pick(ok, 1, 0)),
        )
        .call(
            ScriptImmediate,
            Operation::SessionDoAction {
                action: Some("NoSuchAction".into()),
            },
            num(0),
        )
        .build()
}

pub fn null_action(ok: bool) -> Built {
    let op = Operation::DoAction {
        action: None,
        handle: HandleArg::Session,
    };
    Case::standard()
        .call(Package, op, rc(pick(ok, 87, 0)))
        .build()
}

pub fn null_action_documented(ok: bool) -> Built {
    let op = Operation::DoAction {
        action: None,
        handle: HandleArg::Session,
    };
    Case::standard()
        .call(Package, op, rc(pick(ok, 0, 87)))
        .build()
}

pub fn bad_handle(ok: bool) -> Built {
    let op = Operation::DoAction {
        action: Some("CostInitialize".into()),
        handle: HandleArg::Zero,
    };
    Case::standard()
        .call(Package, op, rc(pick(ok, 6, 0)))
        .build()
}

pub fn action_uppercase(ok: bool) -> Built {
    let c = Case::new(|f| ca(f, "custom", DLL_BINARY, "probe", "Probe"))
        .probe("custom", ImmediateBeforeInit, 0)
        .install(&[("ACTION", "custom")]);
    if ok {
        c.action("CUSTOM", 0).result(1603).build()
    } else {
        c.action("custom", 1)
            .ran("custom", ImmediateBeforeInit)
            .result(0)
            .build()
    }
}

pub fn doaction_toplevel(ok: bool) -> Built {
    Case::standard()
        .call(Package, da("INSTALL"), rc(pick(ok, 0, 1626)))
        .build()
}

pub fn system_update(ok: bool) -> Built {
    Case::standard()
        .call(
            ImmediateBeforeInit,
            da("RemoveFiles"),
            rc(pick(ok, 0, 1603)),
        )
        .build()
}

pub fn nonsystem_ok(ok: bool) -> Built {
    Case::standard()
        .call(Package, da("CostInitialize"), rc(pick(ok, 0, 1627)))
        .call(Package, da("FileCost"), rc(0))
        .call(Package, da("CostFinalize"), rc(0))
        .build()
}

pub fn nested(ok: bool) -> Built {
    Case::new(|f| ca(f, "nested51", SET_PROPERTY, "nested", "1"))
        .call(ImmediateBeforeInit, da("nested51"), rc(0))
        .call(
            ImmediateBeforeInit,
            gp("nested"),
            got(0, pick(ok, "1", ""), pick(ok, 1, 0)),
        )
        .call(
            ImmediateBeforeInit,
            Operation::Sequence { table: None },
            rc(87),
        )
        .build()
}

pub fn retcodes(ok: bool) -> Built {
    Case::new(|f| ca(f, "Inner", DLL_BINARY, "probe", "Probe"))
        .probe("Inner", ImmediateBeforeInit, 1602)
        .call(ImmediateBeforeInit, da("Inner"), rc(pick(ok, 1602, 1603)))
        .build()
}

pub fn termination(ok: bool) -> Built {
    let c = Case::new(|f| {
        ca(f, "OnExit", DLL_BINARY, "probe", "Probe");
        ca(f, "OnFatal", DLL_BINARY, "probe", "Probe");
        exec(f, "OnExit", -1);
        exec(f, "OnFatal", -3);
    })
    .probe("OnExit", ImmediateAfterInit, 0)
    .probe("OnFatal", ImmediateAfterInit, 0)
    .result(0);
    if ok {
        c.ran("OnExit", ImmediateAfterInit).build()
    } else {
        c.ran("OnFatal", ImmediateAfterInit).build()
    }
}

/// The standard execute sequence as a sequence-order runtime and a text-order
/// one (1000 before 800) log it.
pub fn seq_order(ok: bool) -> Built {
    let by_number = [
        "CostInitialize",
        "FileCost",
        "CostFinalize",
        "InstallValidate",
        "InstallInitialize",
        "InstallFinalize",
    ];
    let by_text = [
        "CostFinalize",
        "InstallValidate",
        "InstallInitialize",
        "InstallFinalize",
        "CostInitialize",
        "FileCost",
    ];
    let mut c = Case::standard().install(&[]).result(0).action("INSTALL", 1);
    for a in if ok { by_number } else { by_text } {
        c = c.action(a, 1);
    }
    c.build()
}

pub fn install_log(ok: bool) -> Built {
    Case::standard()
        .probe("ProbeImmediate", ImmediateBeforeInit, 1603)
        .ran("ProbeImmediate", ImmediateBeforeInit)
        .result(1603)
        .action("INSTALL", 3)
        .action("ProbeImmediate", pick(ok, 3, 1))
        .build()
}

pub fn bad_condition(ok: bool) -> Built {
    Case::new(|f| {
        ca(f, "SetX", SET_PROPERTY, "X", "1");
        exec_if(f, "SetX", "=", 1200);
    })
    .install(&[])
    .result(pick(ok, 1603, 0))
    .build()
}

pub fn ret(returns: u32, result_ok: u32, result_bad: u32) -> impl Fn(bool) -> Built {
    move |ok| {
        Case::standard()
            .probe("ProbeImmediate", ImmediateBeforeInit, returns)
            .ran("ProbeImmediate", ImmediateBeforeInit)
            .result(pick(ok, result_ok, result_bad))
            .build()
    }
}

pub fn ret_success(ok: bool) -> Built {
    ret(1626, 0, 1603)(ok)
}
pub fn ret_userexit(ok: bool) -> Built {
    ret(1602, 1602, 1603)(ok)
}
pub fn ret_no_more_items(ok: bool) -> Built {
    ret(259, 0, 1603)(ok)
}
pub fn ret_other(ok: bool) -> Built {
    ret(1, 1603, 0)(ok)
}
pub fn ret_suspend(ok: bool) -> Built {
    ret(1604, 1604, 1603)(ok)
}

pub fn ret_continue(ok: bool) -> Built {
    Case::new(|f| {
        ca(f, "Cont", DLL_BINARY | CONTINUE, "probe", "Probe");
        exec(f, "Cont", 1450);
    })
    .probe("Cont", ImmediateBeforeInit, 1)
    .ran("Cont", ImmediateBeforeInit)
    .result(pick(ok, 0, 1603))
    .build()
}

pub fn ret_exe(ok: bool) -> Built {
    Case::standard()
        .probe("ProbeExe", Exe, 3)
        .ran("ProbeExe", Exe)
        .result(pick(ok, 1603, 0))
        .build()
}

pub fn ret_type19(ok: bool) -> Built {
    Case::new(|f| {
        ca(f, "Err", ERROR, "", "boom");
        exec(f, "Err", 1300);
    })
    .install(&[])
    .result(pick(ok, 1603, 0))
    .build()
}

pub fn ret_script(ok: bool) -> Built {
    Case::standard()
        .probe("ProbeScript", ScriptImmediate, 3)
        .ran("ProbeScript", ScriptImmediate)
        .result(pick(ok, 1603, 0))
        .build()
}

pub fn undefined_empty(ok: bool) -> Built {
    let bad = Outcome::rc(1627);
    Case::standard()
        .call(Package, gp("boo"), pick(ok, got(0, "", 0), bad))
        .call(Package, gp_with("boo", Buffer::Sized(0), false), rc(234))
        .build()
}

pub fn get_buffer(ok: bool) -> Built {
    Case::standard()
        .call(Package, sp("boo", Some("xyz")), rc(0))
        .call(
            Package,
            gp_with("boo", Buffer::Sized(3), false),
            got(234, "xy", pick(ok, 3, 4)),
        )
        .call(
            Package,
            gp_with("boo", Buffer::Sized(4), false),
            got(0, "xyz", 3),
        )
        .build()
}

/// A deferred action's ample read: the size is the copied value's length.
pub fn in_script_get_buffer(ok: bool) -> Built {
    Case::standard()
        .call(Deferred, gp("ProductCode"), got(0, PC, pick(ok, 38, 39)))
        .build()
}

pub fn case_sensitive(ok: bool) -> Built {
    Case::standard()
        .call(Package, sp("boo", Some("xyz")), rc(0))
        .call(
            Package,
            gp("BOO"),
            pick(ok, got(0, "", 0), got(0, "xyz", 3)),
        )
        .build()
}

pub fn remote_bytes(ok: bool) -> Built {
    Case::standard()
        .call(ImmediateBeforeInit, sp("boo", Some("xyz")), rc(0))
        .call(
            ImmediateBeforeInit,
            gp_with("boo", Buffer::Sized(3), true),
            got(234, "xy", pick(ok, 6, 3)),
        )
        .call(
            ImmediateBeforeInit,
            gp_with("boo", Buffer::Sized(4), true),
            got(0, "xyz", 3),
        )
        .build()
}

pub fn remote_bytes_documented(ok: bool) -> Built {
    Case::standard()
        .call(ImmediateBeforeInit, sp("boo", Some("xyz")), rc(0))
        .call(
            ImmediateBeforeInit,
            gp_with("boo", Buffer::NullBuffer(0), true),
            Outcome {
                rc: Some(0),
                size: Some(pick(ok, 3, 6)),
                ..Outcome::default()
            },
        )
        .build()
}

pub fn get_args(ok: bool) -> Built {
    let op = Operation::GetProperty {
        name: None,
        buffer: Buffer::Ample,
        ansi: false,
        handle: HandleArg::Zero,
    };
    Case::standard()
        .call(Package, op, rc(pick(ok, 87, 6)))
        .call(Package, gp_with("boo", Buffer::NullSize, false), rc(87))
        .call(Package, gp_with("boo", Buffer::NullBoth, false), rc(0))
        .build()
}

pub fn set_empty_deletes(ok: bool) -> Built {
    let select = sql("SELECT * FROM `_Property`");
    let left: &[&[&str]] = if ok { &[] } else { &[&["Prop", ""]] };
    Case::standard()
        .call(Package, sp("Prop", Some("BlueTap")), rc(0))
        .call(Package, sp("Prop", None), rc(0))
        .call(Package, gp("Prop"), got(0, "", 0))
        .call(Package, gad("db"), handle(1))
        .call(Package, select, rows(0, left))
        .build()
}

pub fn set_args(ok: bool) -> Built {
    Case::standard()
        .call(Package, sp("", Some("Val")), rc(pick(ok, 1627, 0)))
        .call(Package, sp("", None), rc(0))
        .call(
            Package,
            Operation::SetProperty {
                ansi: false,
                name: Some("Prop".into()),
                value: Some("Val".into()),
                handle: HandleArg::Bogus,
            },
            rc(6),
        )
        .build()
}

pub fn name_not_validated(ok: bool) -> Built {
    Case::standard()
        .call(Package, sp("=", Some("asdf")), rc(pick(ok, 0, 87)))
        .call(Package, gp("="), pick(ok, got(0, "asdf", 4), got(0, "", 0)))
        .build()
}

pub fn public_private(ok: bool) -> Built {
    Case::standard()
        .install(&[("MYPROP", "1"), ("myProp", "1")])
        .call(ImmediateBeforeInit, gp("MYPROP"), got(0, "1", 1))
        .call(
            ImmediateBeforeInit,
            gp("myProp"),
            pick(ok, got(0, "", 0), got(0, "1", 1)),
        )
        .build()
}

pub fn set_no_format(ok: bool) -> Built {
    Case::standard()
        .call(Package, sp("prop", Some("[~]np")), rc(0))
        .call(
            Package,
            gp("prop"),
            pick(ok, got(0, "[~]np", 5), got(0, "\0np", 3)),
        )
        .build()
}

pub fn embedded_nul(ok: bool) -> Built {
    Case::new(|f| {
        ca(f, "SetNul", SET_PROPERTY, "prop2", "[~]np");
        exec(f, "SetNul", 1200);
    })
    .call(
        ImmediateBeforeInit,
        gp("prop2"),
        pick(ok, got(0, "\0np", 3), got(0, "", 0)),
    )
    .build()
}

pub fn inmemory_table(ok: bool) -> Built {
    let insert = sql("INSERT INTO `Property` (`Property`, `Value`) VALUES ('dantes', 'mercedes')");
    Case::standard()
        .call(Package, gad("db"), handle(1))
        .call(Package, insert, rc(0))
        .call(
            Package,
            gp("dantes"),
            pick(ok, got(0, "", 0), got(0, "mercedes", 8)),
        )
        .build()
}

pub fn inmemory_rows(ok: bool) -> Built {
    let left: &[&[&str]] = if ok {
        &[&["ProductName", "x"], &["Prop", "Blue"]]
    } else {
        &[&["ProductName", "x"]]
    };
    Case::standard()
        .call(Package, sp("Prop", Some("Blue")), rc(0))
        .call(Package, gad("db"), handle(1))
        .call(Package, sql("SELECT * FROM `_Property`"), rows(0, left))
        .build()
}

pub fn env_prefix(ok: bool) -> Built {
    Case::standard()
        .call(
            Package,
            gp("%PATH"),
            pick(ok, got(0, "C:\\Windows", 10), got(0, "", 0)),
        )
        .build()
}

pub fn deferred_props(ok: bool) -> Built {
    Case::standard()
        .install(&[("TESTPATH", "c:\\x")])
        .call(
            Deferred,
            gp("TESTPATH"),
            pick(ok, got(0, "", 0), got(0, "c:\\x", 4)),
        )
        .call(Deferred, gp("ProductCode"), got(0, PC, 38))
        .call(Deferred, gp("UserSID"), got(0, "S-1-5-21-1", 10))
        .build()
}

pub fn cad_by_name(ok: bool) -> Built {
    Case::new(|f| {
        ca(
            f,
            "SetDeferred",
            SET_PROPERTY,
            "ProbeDeferred",
            "[TESTPATH]",
        );
        exec(f, "SetDeferred", 1590);
        prop(f, "probedeferred", "wrong case");
    })
    .install(&[("TESTPATH", "c:\\x")])
    .call(
        Deferred,
        gp("CustomActionData"),
        pick(ok, got(0, "c:\\x", 4), got(0, "wrong case", 10)),
    )
    .build()
}

pub fn cad_snapshot(ok: bool) -> Built {
    Case::new(|f| {
        ca(f, "SetA", SET_PROPERTY, "ProbeDeferred", "A");
        ca(f, "SetB", SET_PROPERTY, "ProbeDeferred", "B");
        exec(f, "SetA", 1590);
        exec(f, "SetB", 1700);
    })
    .call(
        Deferred,
        gp("CustomActionData"),
        pick(ok, got(0, "A", 1), got(0, "B", 1)),
    )
    .build()
}

pub fn cad_immediate(ok: bool) -> Built {
    Case::new(|f| {
        ca(f, "SetImm", SET_PROPERTY, "ProbeImmediate", "x");
        exec(f, "SetImm", 1440);
    })
    .call(
        ImmediateBeforeInit,
        gp("CustomActionData"),
        pick(ok, got(0, "", 0), got(0, "x", 1)),
    )
    .build()
}

pub fn runs_in_script(ok: bool) -> Built {
    let c = Case::new(|f| {
        ca(f, "Late", DLL_BINARY, "probe", "Probe");
        exec(f, "Late", 1650);
    });
    let late = |c: Case| {
        c.call_in(
            ImmediateAfterInit,
            Some("Late"),
            Operation::GetMode {
                mode: 16,
                handle: HandleArg::Session,
            },
            num(0),
        )
    };
    let def = |c: Case| {
        c.call(
            Deferred,
            Operation::GetMode {
                mode: 16,
                handle: HandleArg::Session,
            },
            num(1),
        )
    };
    if ok {
        def(late(c)).build()
    } else {
        late(def(c)).build()
    }
}

pub fn runmode_kind(ok: bool) -> Built {
    Case::standard()
        .ran("ProbeForceRollback", Deferred)
        .call(
            Rollback,
            Operation::GetMode {
                mode: 17,
                handle: HandleArg::Session,
            },
            num(pick(ok, 1, 0)),
        )
        .call(
            Rollback,
            Operation::GetMode {
                mode: 16,
                handle: HandleArg::Session,
            },
            num(pick(ok, 0, 1)),
        )
        .result(1603)
        .build()
}

pub fn runmode_others(ok: bool) -> Built {
    Case::standard()
        .call(
            Deferred,
            Operation::GetMode {
                mode: 3,
                handle: HandleArg::Session,
            },
            num(pick(ok, 0, 1)),
        )
        .build()
}

pub fn commit_limits(ok: bool) -> Built {
    Case::standard()
        .call(
            Commit,
            gp("ProductCode"),
            pick(ok, got(0, "", 0), got(0, PC, 38)),
        )
        .call(Commit, Operation::GetLanguage, num(pick(ok, 0, 1033)))
        .build()
}

pub fn deferred_language(ok: bool) -> Built {
    Case::standard()
        .call(Deferred, Operation::GetLanguage, num(pick(ok, 1033, 0)))
        .build()
}

pub fn deferred_format(ok: bool) -> Built {
    let good = format!("{PC}|");
    let bad = format!("{PC}|c:\\x");
    Case::standard()
        .install(&[("TESTPATH", "c:\\x")])
        .call(
            Deferred,
            fmt("[ProductCode]|[TESTPATH]"),
            formatted(pick(ok, &good, &bad)),
        )
        .build()
}

pub fn deferred_message(ok: bool) -> Built {
    let op = Operation::ProcessMessage {
        kind: INFO,
        fields: vec!["x".into()],
    };
    Case::standard()
        .call(Deferred, op, num(pick(ok, 0, -1)))
        .build()
}

pub fn deferred_no_set(ok: bool) -> Built {
    Case::standard()
        .call(Deferred, sp("X", Some("1")), rc(0))
        .call(Deferred, gp("X"), pick(ok, got(0, "", 0), got(0, "1", 1)))
        .build()
}

pub fn deferred_no_db(ok: bool) -> Built {
    Case::standard()
        .call(Deferred, gad("db"), handle(pick(ok, 0, 1)))
        .build()
}

pub fn inscript_flags(ok: bool) -> Built {
    // The rollback action must run only after the forced failure of ProbeForceRollback.
    let c = Case::standard().probe("ProbeRollback", Rollback, 0);
    let mut b = c;
    b = if ok {
        b.ran("ProbeForceRollback", Deferred).call(
            Rollback,
            Operation::GetMode {
                mode: 17,
                handle: HandleArg::Session,
            },
            num(1),
        )
    } else {
        b.call(
            Rollback,
            Operation::GetMode {
                mode: 17,
                handle: HandleArg::Session,
            },
            num(1),
        )
        .ran("ProbeForceRollback", Deferred)
    };
    let mut built = b.result(1603).build();
    built
        .0
        .probes
        .get_mut("ProbeForceRollback")
        .expect("added by the builder")
        .returns = 1603;
    built
}

pub fn sched_flags(ok: bool) -> Built {
    let c = Case::new(|f| {
        ca(f, "Once", DLL_BINARY | FIRST_SEQUENCE, "probe", "Probe");
        ui(f, "Once", 1100);
        exec(f, "Once", 1450);
    })
    .probe("Once", ImmediateBeforeInit, 0)
    .install_full_ui()
    .ran("Once", ImmediateUi);
    if ok {
        c.build()
    } else {
        c.ran("Once", ImmediateBeforeInit).build()
    }
}

pub fn rb_cm(ok: bool) -> Built {
    let c = Case::standard()
        .install(&[("DISABLEROLLBACK", "1")])
        .probe("ProbeCommit", Commit, 0);
    if ok {
        c.result(0).build()
    } else {
        c.ran("ProbeCommit", Commit).result(0).build()
    }
}

pub fn active_db(ok: bool) -> Built {
    Case::standard()
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(ImmediateBeforeInit, gad("db2"), handle(pick(ok, 2, 1)))
        .call(
            ImmediateBeforeInit,
            Operation::OpenView {
                db: "db".into(),
                sql: None,
                into: "view".into(),
                null_out: false,
            },
            rc(1615),
        )
        .call(
            ImmediateBeforeInit,
            Operation::CloseHandle { slot: "db2".into() },
            rc(0),
        )
        .build()
}

pub fn temp_only_writes(ok: bool) -> Built {
    test_table_case()
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(
            ImmediateBeforeInit,
            Operation::SetSummaryInfo {
                db: "db".into(),
                property: 2,
                value: "x".into(),
            },
            rc(1627),
        )
        .call(
            ImmediateBeforeInit,
            sql("INSERT INTO `Test` (`A`, `B`) VALUES (2, 'two')"),
            rc(pick(ok, 1627, 0)),
        )
        .call(
            ImmediateBeforeInit,
            sql("INSERT INTO `Test` (`A`, `B`) VALUES (3, 'three') TEMPORARY"),
            rc(0),
        )
        .build()
}

pub fn temp_only_summary(ok: bool) -> Built {
    Case::standard()
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(
            ImmediateBeforeInit,
            Operation::SetSummaryInfo {
                db: "db".into(),
                property: 2,
                value: "x".into(),
            },
            rc(pick(ok, 1627, 0)),
        )
        .build()
}

pub fn forbidden(ok: bool) -> Built {
    Case::standard()
        .call(
            ImmediateBeforeInit,
            Operation::GetDatabaseState { db: None },
            num(pick(ok, -1, 0)),
        )
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(
            ImmediateBeforeInit,
            Operation::Commit { db: "db".into() },
            rc(0),
        )
        .call(
            ImmediateBeforeInit,
            Operation::OpenPackage {
                source: msiconf_spec::PackageSource::DatabaseHandle,
                into: "pkg".into(),
            },
            Outcome {
                rc: Some(6),
                handle: Some(0),
                ..Outcome::default()
            },
        )
        .build()
}

pub fn one_session(ok: bool) -> Built {
    let op = Operation::OpenPackage {
        source: msiconf_spec::PackageSource::PackageFile,
        into: "pkg".into(),
    };
    let outcome = if ok {
        Outcome {
            rc: Some(1618),
            handle: Some(0),
            ..Outcome::default()
        }
    } else {
        Outcome {
            rc: Some(0),
            handle: Some(1),
            ..Outcome::default()
        }
    };
    Case::standard()
        .call(ImmediateBeforeInit, op, outcome)
        .call(ScriptImmediate, Operation::InstallerOpenPackage, raised())
        .build()
}

pub fn exe_no_session(ok: bool) -> Built {
    Case::standard()
        .call(Exe, Operation::HasSession, num(pick(ok, 0, 1)))
        .build()
}

pub fn exe_command_line(ok: bool) -> Built {
    Case::new(|f| {
        ca(f, "ExeDef", EXE_BINARY | IN_SCRIPT, "probeexe", "[MYPROP]");
        exec(f, "ExeDef", 1600);
        ca(f, "SetA", SET_PROPERTY, "MYPROP", "early");
        ca(f, "SetB", SET_PROPERTY, "MYPROP", "late");
        exec(f, "SetA", 1550);
        exec(f, "SetB", 1700);
    })
    .call_in(
        Exe,
        Some("ExeDef"),
        Operation::CommandLine,
        text(pick(ok, "probeexe.exe early", "probeexe.exe late")),
    )
    .build()
}

pub fn runmode_values(ok: bool) -> Built {
    Case::standard()
        .call(
            Package,
            Operation::SetMode {
                mode: 6,
                state: true,
            },
            rc(0),
        )
        .call(
            Package,
            Operation::GetMode {
                mode: 6,
                handle: HandleArg::Session,
            },
            num(pick(ok, 1, 0)),
        )
        .call(
            Package,
            Operation::GetMode {
                mode: 2,
                handle: HandleArg::Session,
            },
            num(0),
        )
        .call(
            Package,
            Operation::GetMode {
                mode: 2,
                handle: HandleArg::Zero,
            },
            num(0),
        )
        .build()
}

pub fn misc_state(ok: bool) -> Built {
    Case::standard()
        .call(
            ImmediateBeforeInit,
            Operation::SetInstallLevel { level: 123 },
            rc(0),
        )
        .call(
            ImmediateBeforeInit,
            gp("INSTALLLEVEL"),
            pick(ok, got(0, "123", 3), got(0, "1", 1)),
        )
        .call(ImmediateBeforeInit, sp("condprop", Some("1")), rc(0))
        .call(
            ImmediateBeforeInit,
            Operation::EvaluateCondition {
                condition: Some("condprop = 1".into()),
            },
            num(1),
        )
        .build()
}

pub fn misc_condition(ok: bool) -> Built {
    Case::standard()
        .call(ImmediateBeforeInit, sp("condprop", Some("1")), rc(0))
        .call(
            ImmediateBeforeInit,
            Operation::EvaluateCondition {
                condition: Some("condprop = 1".into()),
            },
            num(pick(ok, 1, 0)),
        )
        .build()
}

const CREATE_T: &str =
    "CREATE TABLE `T` (`B` SHORT NOT NULL TEMPORARY, `C` CHAR(255) TEMPORARY PRIMARY KEY `C`) HOLD";

pub fn temp_table_hold(ok: bool) -> Built {
    Case::standard()
        .call(Package, gad("db"), handle(1))
        .call(Package, sql(CREATE_T), rc(0))
        .call(
            Package,
            Operation::IsTablePersistent {
                db: "db".into(),
                table: Some("T".into()),
            },
            num(pick(ok, 0, 1)),
        )
        .call(
            Package,
            sql("SELECT * FROM `_Columns` WHERE `Table` = 'T'"),
            rows(0, &[]),
        )
        .build()
}

pub fn temp_table_no_hold(ok: bool) -> Built {
    Case::standard()
        .call(Package, gad("db"), handle(1))
        .call(Package, sql("CREATE TABLE `T2` (`B` SHORT NOT NULL TEMPORARY, `C` CHAR(255) TEMPORARY PRIMARY KEY `C`)"), rc(0))
        .call(Package, sql("SELECT * FROM `T2`"), rc(pick(ok, 1615, 0)))
        .call(Package, Operation::IsTablePersistent { db: "db".into(), table: Some("T2".into()) }, num(2))
        .build()
}

pub fn temp_column_order(ok: bool) -> Built {
    Case::standard()
        .call(Package, gad("db"), handle(1))
        .call(
            Package,
            sql("CREATE TABLE `T4` (`B` SHORT NOT NULL, `C` CHAR(255) TEMPORARY PRIMARY KEY `C`)"),
            rc(pick(ok, 1627, 0)),
        )
        .call(
            Package,
            sql("CREATE TABLE `T5` (`B` SHORT NOT NULL TEMP, `C` CHAR(255) PRIMARY KEY `C`)"),
            rc(1615),
        )
        .build()
}

pub fn hold_free(ok: bool) -> Built {
    Case::standard()
        .call(Package, gad("db"), handle(1))
        .call(Package, sql(CREATE_T), rc(0))
        .call(Package, sql("ALTER TABLE `T` HOLD"), rc(0))
        .call(Package, sql("ALTER TABLE `T` FREE"), rc(0))
        .call(Package, sql("ALTER TABLE `T` FREE"), rc(0))
        .call(Package, sql("SELECT * FROM `T`"), rc(pick(ok, 1615, 0)))
        .call(Package, sql("ALTER TABLE `T` HOLD"), rc(1615))
        .build()
}

pub fn test_table_case() -> Case {
    Case::new(test_table)
}

pub fn alter_add(ok: bool) -> Built {
    test_table_case()
        .call(Package, gad("db"), handle(1))
        .call(
            Package,
            sql("ALTER TABLE `Test` ADD `B` INTEGER"),
            rc(pick(ok, 1615, 0)),
        )
        .call(Package, sql("ALTER TABLE `Test` ADD `C`"), rc(1615))
        .build()
}

pub fn insert_temporary(ok: bool) -> Built {
    let after: &[&[&str]] = if ok {
        &[&["1", "one"], &["2", "two"]]
    } else {
        &[&["1", "one"]]
    };
    test_table_case()
        .call(Package, gad("db"), handle(1))
        .call(
            Package,
            sql("INSERT INTO `Test` (`A`, `B`) VALUES (2, 'two') TEMPORARY"),
            rc(0),
        )
        .call(Package, sql("SELECT * FROM `Test`"), rows(0, after))
        .build()
}

pub fn insert_temporary_disk(ok: bool) -> Built {
    let on_disk: &[&[&str]] = if ok {
        &[&["1", "one"]]
    } else {
        &[&["1", "one"], &["2", "two"]]
    };
    test_table_case()
        .call(Package, gad("db"), handle(1))
        .call(
            Package,
            sql("INSERT INTO `Test` (`A`, `B`) VALUES (2, 'two') TEMPORARY"),
            rc(0),
        )
        .call(Package, Operation::Commit { db: "db".into() }, rc(0))
        .call(
            Package,
            Operation::OpenDatabase {
                into: "disk".into(),
            },
            handle(2),
        )
        .call(
            Package,
            Operation::Sql {
                db: "disk".into(),
                sql: "SELECT * FROM `Test`".into(),
            },
            rows(0, on_disk),
        )
        .build()
}

pub fn viewmodify(ok: bool) -> Built {
    let rec = Some(vec!["2".to_owned(), "two".to_owned()]);
    test_table_case()
        .call(Package, gad("db"), handle(1))
        .call(
            Package,
            Operation::OpenView {
                db: "db".into(),
                sql: Some("SELECT * FROM `Test`".into()),
                into: "view".into(),
                null_out: false,
            },
            Outcome {
                rc: Some(0),
                handle: Some(2),
                ..Outcome::default()
            },
        )
        .call(
            Package,
            Operation::Modify {
                view: "view".into(),
                kind: ModifyKind::InsertTemporary,
                record: rec.clone(),
            },
            rc(0),
        )
        .call(
            Package,
            Operation::Modify {
                view: "view".into(),
                kind: ModifyKind::InsertTemporary,
                record: rec,
            },
            rc(pick(ok, 1627, 0)),
        )
        .build()
}

pub fn select_reads(ok: bool) -> Built {
    test_table_case()
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(
            ImmediateBeforeInit,
            Operation::Sql {
                db: "db".into(),
                sql: "SELECT `Value` FROM `Property` WHERE `Property` = 'ProductName'".into(),
            },
            if ok {
                Outcome {
                    rc: Some(0),
                    rows: Some(vec![vec!["msiconf probe".into()]]),
                    ..Outcome::default()
                }
            } else {
                Outcome::rc(1627)
            },
        )
        .build()
}

pub fn table_persistent(ok: bool) -> Built {
    test_table_case()
        .call(Package, gad("db"), handle(1))
        .call(
            Package,
            Operation::IsTablePersistent {
                db: "db".into(),
                table: Some("_Tables".into()),
            },
            num(pick(ok, 2, 1)),
        )
        .call(
            Package,
            Operation::IsTablePersistent {
                db: "db".into(),
                table: Some("Test".into()),
            },
            num(1),
        )
        .call(
            Package,
            Operation::IsTablePersistent {
                db: "db".into(),
                table: None,
            },
            num(3),
        )
        .call(
            Package,
            Operation::IsTablePersistent {
                db: "db".into(),
                table: Some("Nowhere".into()),
            },
            num(2),
        )
        .build()
}

pub fn type51(ok: bool) -> Built {
    Case::new(|f| {
        ca(f, "SetT", SET_PROPERTY, "MYPROP", "[\\[]x[\\]]");
        exec(f, "SetT", 1200);
    })
    .call(
        ImmediateBeforeInit,
        gp("MYPROP"),
        pick(ok, got(0, "[x]", 3), got(0, "[\\[]x[\\]]", 10)),
    )
    .build()
}

pub fn fmt_property(ok: bool) -> Built {
    Case::standard()
        .call(Package, sp("imaprop", Some("ringer")), rc(0))
        .call(
            Package,
            fmt("[idontexist]"),
            formatted(pick(ok, "", "[idontexist]")),
        )
        .call(
            Package,
            Operation::FormatRecord {
                null_record: false,
                template: String::new(),
                fields: vec!["[imaprop]".into()],
                buffer: Buffer::Ample,
                ansi: false,
                handle: HandleArg::Session,
            },
            formatted("1: ringer "),
        )
        .build()
}

/// MsiFormatRecord with a buffer but no size pointer: 87.
pub fn fmt_record_buffer(ok: bool) -> Built {
    Case::standard()
        .call(
            Package,
            Operation::FormatRecord {
                null_record: false,
                template: "abc".into(),
                fields: Vec::new(),
                buffer: Buffer::NullSize,
                ansi: false,
                handle: HandleArg::Session,
            },
            rc(pick(ok, 87, 0)),
        )
        .call(Package, fmt("abc"), formatted("abc"))
        .build()
}

/// MsiFormatRecord with record handle 0, from the package and an immediate action.
pub fn fmt_null_record(ok: bool) -> Built {
    let null = |handle| Operation::FormatRecord {
        template: "[1]".into(),
        null_record: true,
        fields: Vec::new(),
        buffer: Buffer::Ample,
        ansi: false,
        handle,
    };
    Case::standard()
        .call(Package, null(HandleArg::Session), rc(pick(ok, 6, 0)))
        .call(Package, null(HandleArg::Zero), rc(6))
        .build()
}

pub fn fmt_escape(ok: bool) -> Built {
    Case::standard()
        .call(Package, fmt("[\\[]"), formatted(pick(ok, "[", "[\\[]")))
        .call(
            Package,
            Operation::FormatRecord {
                null_record: false,
                template: "[\\[]".into(),
                fields: Vec::new(),
                buffer: Buffer::Ample,
                ansi: false,
                handle: HandleArg::Zero,
            },
            formatted("[\\[]"),
        )
        .build()
}

pub fn fmt_file_keys(ok: bool) -> Built {
    Case::standard()
        .call(
            Package,
            fmt("[#frontal_file]"),
            formatted(pick(ok, "", "C:\\frontal.txt")),
        )
        .build()
}

pub fn session_global(ok: bool) -> Built {
    Case::standard()
        .call(ScriptImmediate, Operation::HasSession, num(pick(ok, 1, 0)))
        .build()
}

pub fn deferred_session(ok: bool) -> Built {
    Case::standard()
        .install(&[("TESTPATH", "c:\\x")])
        .call(ScriptDeferred, Operation::SessionMode { mode: 16 }, num(1))
        .call(
            ScriptDeferred,
            Operation::SessionPropertyGet {
                name: Some("TESTPATH".into()),
            },
            text(pick(ok, "", "c:\\x")),
        )
        .call(ScriptDeferred, Operation::SessionLanguage, num(1033))
        .build()
}

pub fn property_rw(ok: bool) -> Built {
    Case::standard()
        .call(
            ScriptImmediate,
            Operation::SessionPropertySet {
                name: Some(String::new()),
                value: Some("x".into()),
            },
            pick(ok, raised(), Outcome::default()),
        )
        .call(
            ScriptImmediate,
            Operation::SessionPropertySet {
                name: Some("ProductName".into()),
                value: Some("ProductName".into()),
            },
            Outcome::default(),
        )
        .call(
            ScriptImmediate,
            Operation::SessionPropertyGet {
                name: Some("ProductName".into()),
            },
            text("ProductName"),
        )
        .build()
}

pub fn mode_settable(ok: bool) -> Built {
    Case::standard()
        .call(
            ScriptImmediate,
            Operation::SessionSetMode {
                mode: 2,
                state: true,
            },
            pick(ok, raised(), Outcome::default()),
        )
        .call(
            ScriptImmediate,
            Operation::SessionSetMode {
                mode: 6,
                state: true,
            },
            Outcome::default(),
        )
        .call(ScriptImmediate, Operation::SessionMode { mode: 6 }, num(1))
        .build()
}

/// MsiSetMode of REBOOTNOW from the package handle succeeds.
pub fn reboot_mode_settable(ok: bool) -> Built {
    Case::standard()
        .call(
            Package,
            Operation::SetMode {
                mode: 7,
                state: true,
            },
            rc(pick(ok, 0, 5)),
        )
        .build()
}

pub fn installer_database(ok: bool) -> Built {
    Case::standard()
        .call(
            ScriptImmediate,
            Operation::SessionDatabase { into: "db".into() },
            handle(1),
        )
        .call(
            ScriptImmediate,
            Operation::SetSummaryInfo {
                db: "db".into(),
                property: 2,
                value: "x".into(),
            },
            pick(ok, raised(), rc(0)),
        )
        .call(
            ScriptImmediate,
            sql("SELECT * FROM `Property`"),
            rows(0, &[]),
        )
        .build()
}

pub fn session_message(ok: bool) -> Built {
    let op = Operation::SessionMessage {
        kind: INFO,
        fields: Vec::new(),
    };
    Case::standard()
        .call(ScriptImmediate, op, num(pick(ok, 0, 1)))
        .build()
}

pub fn evaluate_condition(ok: bool) -> Built {
    Case::standard()
        .call(
            Package,
            Operation::EvaluateCondition {
                condition: Some("=".into()),
            },
            num(pick(ok, 3, 0)),
        )
        .call(
            Package,
            Operation::EvaluateCondition { condition: None },
            num(2),
        )
        .build()
}

pub fn no_install_default(ok: bool) -> Built {
    let c = Case::standard().probe("ProbeImmediate", ImmediateBeforeInit, 0);
    if ok {
        c.ran("ProbeImmediate", ImmediateBeforeInit)
            .result(0)
            .build()
    } else {
        c.result(0).build()
    }
}

pub fn ansi_bytes_in_package(ok: bool) -> Built {
    Case::standard()
        .call(Package, sp("boo", Some("xyz")), rc(0))
        .call(
            Package,
            gp_with("boo", Buffer::Sized(3), true),
            got(234, "xy", pick(ok, 3, 6)),
        )
        .build()
}

pub fn persistent_table_created(ok: bool) -> Built {
    Case::standard()
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(
            ImmediateBeforeInit,
            sql("CREATE TABLE `P` (`A` SHORT NOT NULL PRIMARY KEY `A`)"),
            rc(pick(ok, 1627, 0)),
        )
        .build()
}

pub fn cad_variant_only(ok: bool) -> Built {
    Case::new(|f| prop(f, "probedeferred", "x"))
        .call(
            Deferred,
            gp("CustomActionData"),
            pick(ok, got(0, "", 0), got(0, "x", 1)),
        )
        .build()
}

pub fn private_ui_set(ok: bool) -> Built {
    Case::new(|f| {
        ca(f, "SetPriv", SET_PROPERTY, "privProp", "ui");
        ui(f, "SetPriv", 1050);
    })
    .install_full_ui()
    .call(
        ImmediateBeforeInit,
        gp("privProp"),
        pick(ok, got(0, "", 0), got(0, "ui", 2)),
    )
    .build()
}

pub fn remote_bytes_format(ok: bool) -> Built {
    let op = Operation::FormatRecord {
        null_record: false,
        template: "foo [1]".into(),
        fields: vec!["bar".into()],
        buffer: Buffer::NullBuffer(0),
        ansi: true,
        handle: HandleArg::Session,
    };
    let out = Outcome {
        rc: Some(0),
        size: Some(pick(ok, 14, 7)),
        ..Outcome::default()
    };
    Case::standard().call(ImmediateBeforeInit, op, out).build()
}

pub fn deferred_set_read_later(ok: bool) -> Built {
    Case::new(|f| {
        ca(f, "After", DLL_BINARY, "probe", "Probe");
        exec(f, "After", 6700);
    })
    .call(Deferred, sp("X", Some("1")), rc(1627))
    .call_in(
        ImmediateAfterInit,
        Some("After"),
        gp("X"),
        pick(ok, got(0, "", 0), got(0, "1", 1)),
    )
    .build()
}

pub fn commit_refused(_: bool) -> Built {
    Case::standard()
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(
            ImmediateBeforeInit,
            Operation::Commit { db: "db".into() },
            rc(1627),
        )
        .build()
}

pub fn deferred_other_property_fails(_: bool) -> Built {
    Case::standard()
        .install(&[("TESTPATH", "c:\\x")])
        .call(Deferred, gp("TESTPATH"), got(1627, "", 0))
        .build()
}

pub fn nested_probe(ok: bool) -> Built {
    Case::new(|f| ca(f, "Inner", DLL_BINARY, "probe", "Probe"))
        .call_in(
            ImmediateBeforeInit,
            Some("Inner"),
            sp("nested", Some("2")),
            rc(0),
        )
        .call(ImmediateBeforeInit, da("Inner"), rc(0))
        .call(
            ImmediateBeforeInit,
            gp("nested"),
            pick(ok, got(0, "2", 1), got(0, "", 0)),
        )
        .build()
}

/// Two rollback actions before a failing deferred action: the rollback runs the later one first.
pub fn rb_order(ok: bool) -> Built {
    let c = Case::new(|f| {
        ca(
            f,
            "RbA",
            DLL_BINARY | IN_SCRIPT | ROLLBACK,
            "probe",
            "Probe",
        );
        ca(
            f,
            "RbB",
            DLL_BINARY | IN_SCRIPT | ROLLBACK,
            "probe",
            "Probe",
        );
        ca(f, "Fail", DLL_BINARY | IN_SCRIPT, "probe", "Probe");
        exec(f, "RbA", 1591);
        exec(f, "RbB", 1592);
        exec(f, "Fail", 1600);
    })
    .probe("RbA", Rollback, 0)
    .probe("RbB", Rollback, 0)
    .probe("Fail", Deferred, 1603)
    .ran("Fail", Deferred);
    let (first, second) = pick(ok, ("RbB", "RbA"), ("RbA", "RbB"));
    c.ran(first, Rollback)
        .ran(second, Rollback)
        .result(1603)
        .build()
}

/// Two commit actions after a successful script: they run in scheduling order.
pub fn cm_order(ok: bool) -> Built {
    let c = Case::new(|f| {
        ca(f, "CmA", DLL_BINARY | IN_SCRIPT | COMMIT, "probe", "Probe");
        ca(f, "CmB", DLL_BINARY | IN_SCRIPT | COMMIT, "probe", "Probe");
        exec(f, "CmA", 1601);
        exec(f, "CmB", 1602);
    })
    .probe("CmA", Commit, 0)
    .probe("CmB", Commit, 0);
    let (first, second) = pick(ok, ("CmA", "CmB"), ("CmB", "CmA"));
    c.ran(first, Commit).ran(second, Commit).result(0).build()
}

/// A probe whose only row sits at sequence 0.
pub fn seq_zero(ok: bool) -> Built {
    let c = Case::new(|f| {
        ca(f, "Zero", DLL_BINARY, "probe", "Probe");
        exec(f, "Zero", 0);
    })
    .probe("Zero", ImmediateBeforeInit, 0)
    .install(&[])
    .action("INSTALL", 1);
    let c = if ok {
        c
    } else {
        // A runtime that runs the row logs its start too.
        c.ran("Zero", ImmediateBeforeInit).action("Zero", 1)
    };
    c.result(0).build()
}

/// A deferred action scheduled twice through MsiDoAction, with CustomActionData
/// changed in between: each run sees its own scheduling's value.
pub fn cad_per_scheduling(ok: bool) -> Built {
    let imm = |c: Case, op: Operation| c.call_in(ImmediateAfterInit, Some("Imm"), op, rc(0));
    let c = Case::new(|f| {
        ca(f, "Imm", DLL_BINARY, "probe", "Probe");
        ca(f, "Def", DLL_BINARY | IN_SCRIPT, "probe", "Probe");
        exec(f, "Imm", 1550);
    })
    .probe("Def", Deferred, 0);
    let c = imm(c, sp("Def", Some("one")));
    let c = imm(c, da("Def"));
    let c = imm(c, sp("Def", Some("two")));
    let c = imm(c, da("Def"));
    let first = pick(ok, "one", "two");
    let (plan, mut t) = c
        .call_in(
            Deferred,
            Some("Def"),
            gp("CustomActionData"),
            got(0, first, 3),
        )
        .result(0)
        .build();
    // The second run of the same one-step probe.
    let mut again = t.events.last().expect("the first run's read").clone();
    again.outcome = got(0, "two", 3);
    t.runs.push(msiconf_spec::ProbeRun {
        probe: "Def".into(),
        context: Deferred,
        first_event: t.events.len(),
    });
    t.events.push(again);
    (plan, t)
}

/// String comparisons in conditions: `=` and `<>` keep case, `~` drops it.
pub fn condition_case(ok: bool) -> Built {
    let cond = |c: &str| Operation::EvaluateCondition {
        condition: Some(c.into()),
    };
    Case::standard()
        .call(Package, sp("P", Some("Value")), rc(0))
        .call(Package, cond("\"abc\" = \"ABC\""), num(pick(ok, 0, 1)))
        .call(Package, cond("\"abc\" ~= \"ABC\""), num(1))
        .call(Package, cond("P <> \"value\""), num(pick(ok, 1, 0)))
        .call(Package, cond("P ~<> \"value\""), num(0))
        .build()
}

/// ERROR_MORE_DATA leaves a truncated, terminated copy in the buffer.
pub fn get_buffer_copy(ok: bool) -> Built {
    Case::standard()
        .call(Package, sp("boo", Some("xyz")), rc(0))
        .call(
            Package,
            gp_with("boo", Buffer::Sized(3), false),
            got(234, pick(ok, "xy", ""), 3),
        )
        .build()
}

/// A 0x100 action only in the execute sequence, after the UI sequence ran: skipped.
pub fn first_sequence_exec_only(ok: bool) -> Built {
    let c = Case::new(|f| {
        ca(f, "Once", DLL_BINARY | FIRST_SEQUENCE, "probe", "Probe");
        exec(f, "Once", 1450);
    })
    .probe("Once", ImmediateBeforeInit, 0)
    .install_full_ui();
    let c = if ok {
        c
    } else {
        c.ran("Once", ImmediateBeforeInit)
    };
    c.action("INSTALL", 1).result(0).build()
}

/// A 0x200 action without a UI sequence: it runs.
pub fn once_per_process(ok: bool) -> Built {
    let c = Case::new(|f| {
        ca(f, "Opp", DLL_BINARY | ONCE_PER_PROCESS, "probe", "Probe");
        exec(f, "Opp", 1450);
    })
    .probe("Opp", ImmediateBeforeInit, 0)
    .install(&[]);
    let c = if ok {
        c.ran("Opp", ImmediateBeforeInit)
    } else {
        c
    };
    c.action("INSTALL", 1).result(0).build()
}

/// A 0x300 action without a UI sequence: it does not run.
pub fn client_repeat(ok: bool) -> Built {
    let c = Case::new(|f| {
        ca(f, "Rep", DLL_BINARY | CLIENT_REPEAT, "probe", "Probe");
        exec(f, "Rep", 1450);
    })
    .probe("Rep", ImmediateBeforeInit, 0)
    .install(&[]);
    let c = if ok {
        c
    } else {
        c.ran("Rep", ImmediateBeforeInit)
    };
    c.action("INSTALL", 1).result(0).build()
}

/// MsiDoAction of a failing 0x40 action succeeds.
pub fn continue_doaction(ok: bool) -> Built {
    Case::new(|f| ca(f, "Cont", DLL_BINARY | CONTINUE, "probe", "Probe"))
        .probe("Cont", ImmediateBeforeInit, 1603)
        .ran("Cont", ImmediateBeforeInit)
        .call(ImmediateBeforeInit, da("Cont"), rc(pick(ok, 0, 1603)))
        .build()
}

/// A custom action whose sequence row's condition is FALSE never runs.
pub fn seq_condition(ok: bool) -> Built {
    let c = Case::new(|f| {
        ca(f, "Cond", DLL_BINARY, "probe", "Probe");
        exec(f, "Cond", 1450);
        if let Some(row) = f.execute_sequence.iter_mut().find(|r| r.action == "Cond") {
            row.condition = Some("1 = 0".to_owned());
        }
    })
    .probe("Cond", ImmediateBeforeInit, 0)
    .install(&[]);
    let c = if ok {
        c
    } else {
        c.ran("Cond", ImmediateBeforeInit)
    };
    c.action("INSTALL", 1).result(0).build()
}

fn rec_op(op: &str, field: u32) -> Operation {
    let record = "rec".to_owned();
    match op {
        "count" => Operation::RecordFieldCount { record },
        "null" => Operation::RecordIsNull { record, field },
        "int" => Operation::RecordGetInteger { record, field },
        "size" => Operation::RecordDataSize { record, field },
        "clear" => Operation::RecordClearData { record },
        _ => unreachable!(),
    }
}

fn new_record(fields: u32) -> Operation {
    Operation::CreateRecord {
        fields,
        into: "rec".into(),
    }
}

fn rec_set(field: u32, value: Option<&str>) -> Operation {
    Operation::RecordSetString {
        record: "rec".into(),
        field,
        value: value.map(str::to_owned),
    }
}

pub fn rec_create(ok: bool) -> Built {
    Case::standard()
        .call(Package, new_record(2), handle(1))
        .call(Package, rec_op("count", 0), num(pick(ok, 2, 3)))
        .call(Package, new_record(65536), handle(0))
        .build()
}

pub fn rec_invalid_handle(ok: bool) -> Built {
    Case::standard()
        .call(
            ImmediateBeforeInit,
            rec_op("count", 0),
            num(pick(ok, -1, 0)),
        )
        .call(ImmediateBeforeInit, rec_op("null", 0), num(0))
        .call(ImmediateBeforeInit, rec_op("clear", 0), rc(6))
        .build()
}

/// MsiRecordIsNull on no record: 0 on Windows, ERROR_INVALID_HANDLE by the page.
pub fn rec_is_null_bad_handle(_: bool) -> Built {
    Case::standard()
        .call(Package, rec_op("null", 0), num(0))
        .build()
}

pub fn rec_null_fields(ok: bool) -> Built {
    Case::standard()
        .call(Package, new_record(1), handle(1))
        .call(Package, rec_set(1, Some("x")), rc(0))
        .call(Package, rec_set(1, Some("")), rc(0))
        .call(Package, rec_op("null", 1), num(pick(ok, 1, 0)))
        .call(Package, rec_op("size", 1), num(0))
        .build()
}

pub fn rec_field_range(ok: bool) -> Built {
    Case::standard()
        .call(Deferred, new_record(0), handle(1))
        .call(Deferred, rec_set(1, Some("x")), rc(pick(ok, 87, 0)))
        .call(Deferred, rec_op("null", 1), num(1))
        .build()
}

pub fn rec_get_string(ok: bool) -> Built {
    Case::standard()
        .call(Package, new_record(1), handle(1))
        .call(Package, rec_set(1, Some("hello")), rc(0))
        .call(
            Package,
            Operation::RecordGetString {
                record: "rec".into(),
                field: 1,
                buffer: Buffer::Sized(3),
            },
            Outcome {
                rc: Some(pick(ok, 234, 0)),
                size: Some(5),
                value: Some("he".into()),
                ..Outcome::default()
            },
        )
        .build()
}

pub fn rec_integer(ok: bool) -> Built {
    Case::standard()
        .call(Package, new_record(1), handle(1))
        .call(Package, rec_set(1, Some(" 42")), rc(0))
        .call(
            Package,
            rec_op("int", 1),
            num(pick(ok, i64::from(i32::MIN), 42)),
        )
        .call(Package, rec_set(1, Some("4294967297")), rc(0))
        .call(Package, rec_op("int", 1), num(1))
        .call(Package, rec_op("size", 1), num(10))
        .build()
}

/// Two immediate actions of one install: the first sets an environment
/// variable and reads its DLL counter twice, the second reads both.
pub fn ca_process_model(ok: bool) -> Built {
    let set = Operation::SetEnvironment {
        name: "MSICONF_SHARED".into(),
        value: Some("one".into()),
    };
    let get = Operation::GetEnvironment {
        name: "msiconf_shared".into(),
    };
    let seen = Outcome {
        number: Some(3),
        value: Some("one".into()),
        ..Outcome::default()
    };
    let lost = Outcome {
        number: Some(0),
        ..Outcome::default()
    };
    Case::standard()
        .call(ImmediateBeforeInit, set, num(1))
        .call(ImmediateBeforeInit, Operation::DllCounter, num(0))
        .call(ImmediateBeforeInit, Operation::DllCounter, num(1))
        .call(ImmediateAfterInit, get, if ok { seen } else { lost })
        .call(
            ImmediateAfterInit,
            Operation::DllCounter,
            num(pick(ok, 0, 2)),
        )
        .build()
}

/// CoCreateInstance without CoInitialize, then CoInitializeEx for an STA, in an immediate action.
pub fn ca_com_apartment(ok: bool) -> Built {
    Case::standard()
        .call(ImmediateBeforeInit, Operation::ComCreate, num(0))
        .call(
            ImmediateBeforeInit,
            Operation::ComInitSta,
            num(pick(
                ok,
                0,
                msiconf_spec::msi::custom_action::RPC_E_CHANGED_MODE,
            )),
        )
        .build()
}

/// A record stream read in two chunks, then asked for the bytes left.
pub fn rec_stream(ok: bool) -> Built {
    let read = |buffer| Operation::RecordReadStream {
        record: "rec".into(),
        field: 1,
        buffer,
    };
    let got = |size: u32, value: Option<&str>| Outcome {
        rc: Some(0),
        size: Some(size),
        value: value.map(str::to_owned),
        ..Outcome::default()
    };
    Case::standard()
        .call(Package, new_record(1), handle(1))
        .call(
            Package,
            Operation::RecordSetStream {
                record: "rec".into(),
                field: 1,
                data: Some("abcdef".into()),
            },
            rc(0),
        )
        .call(Package, read(Buffer::Sized(4)), got(4, Some("abcd")))
        .call(
            Package,
            read(Buffer::NullBuffer(0)),
            got(pick(ok, 2, 6), None),
        )
        .call(Package, rec_op("size", 1), num(6))
        .build()
}

fn open_test_view() -> Operation {
    Operation::OpenView {
        db: "db".into(),
        sql: Some("SELECT * FROM `Test`".into()),
        into: "view".into(),
        null_out: false,
    }
}

fn rc_handle(rc: u32, handle: u32) -> Outcome {
    Outcome {
        rc: Some(rc),
        handle: Some(handle),
        ..Outcome::default()
    }
}

fn text(value: &str) -> Outcome {
    Outcome {
        rc: Some(0),
        value: Some(value.into()),
        size: Some(value.len() as u32),
        ..Outcome::default()
    }
}

fn read_field(slot: &str, field: u32) -> Operation {
    Operation::RecordGetString {
        record: slot.into(),
        field,
        buffer: Buffer::Ample,
    }
}

pub fn column_info(ok: bool) -> Built {
    test_table_case()
        .call(Package, gad("db"), handle(1))
        .call(Package, open_test_view(), rc_handle(0, 2))
        .call(
            Package,
            Operation::ViewColumnInfo {
                view: "view".into(),
                info: msiconf_spec::ColumnInfo::Types,
                into: "cols".into(),
            },
            rc_handle(0, 3),
        )
        .call(
            Package,
            Operation::RecordFieldCount {
                record: "cols".into(),
            },
            num(2),
        )
        .call(Package, read_field("cols", 1), text("i2"))
        .call(Package, read_field("cols", 2), text(pick(ok, "S72", "s72")))
        .build()
}

pub fn primary_keys(ok: bool) -> Built {
    test_table_case()
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(
            ImmediateBeforeInit,
            Operation::PrimaryKeys {
                db: "db".into(),
                table: Some("Test".into()),
                into: "keys".into(),
            },
            rc_handle(0, 2),
        )
        .call(
            ImmediateBeforeInit,
            Operation::RecordFieldCount {
                record: "keys".into(),
            },
            num(pick(ok, 1, 2)),
        )
        .call(ImmediateBeforeInit, read_field("keys", 0), text("Test"))
        .call(ImmediateBeforeInit, read_field("keys", 1), text("A"))
        .call(
            ImmediateBeforeInit,
            Operation::PrimaryKeys {
                db: "db".into(),
                table: Some("Nope".into()),
                into: "none".into(),
            },
            rc_handle(1628, 0),
        )
        .build()
}

fn view_error(buffer: Buffer) -> Operation {
    Operation::ViewGetError {
        view: "view".into(),
        buffer,
    }
}

/// What MsiViewGetError answered: the MSIDBERROR, the buffer's text and the size.
fn dberr(number: i64, value: Option<&str>, size: Option<u32>) -> Outcome {
    Outcome {
        number: Some(number),
        value: value.map(str::to_owned),
        size,
        ..Outcome::default()
    }
}

pub fn view_error_args(ok: bool) -> Built {
    test_table_case()
        .call(Package, gad("db"), handle(1))
        .call(
            Package,
            view_error(Buffer::Ample),
            dberr(pick(ok, -3, 0), None, Some(1024)),
        )
        .call(Package, open_test_view(), rc_handle(0, 2))
        .call(Package, view_error(Buffer::NullSize), dberr(-3, None, None))
        .build()
}

fn validated_test_case() -> Case {
    Case::new(|f| {
        test_table(f);
        validation_table(f);
    })
}

pub fn view_error_validation(ok: bool) -> Built {
    let validate_new = Operation::Modify {
        view: "view".into(),
        kind: msiconf_spec::ModifyKind::ValidateNew,
        record: Some(vec!["1".into(), "x".into()]),
    };
    validated_test_case()
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(ImmediateBeforeInit, open_test_view(), rc_handle(0, 2))
        .call(
            ImmediateBeforeInit,
            view_error(Buffer::Ample),
            dberr(0, Some(""), Some(0)),
        )
        .call(ImmediateBeforeInit, validate_new, rc(13))
        .call(
            ImmediateBeforeInit,
            view_error(Buffer::Sized(4)),
            pick(
                ok,
                dberr(1, Some("A"), Some(1)),
                dberr(0, Some(""), Some(0)),
            ),
        )
        .build()
}

pub fn view_error_buffer(ok: bool) -> Built {
    test_table_case()
        .call(Package, gad("db"), handle(1))
        .call(Package, open_test_view(), rc_handle(0, 2))
        .call(
            Package,
            view_error(Buffer::Sized(0)),
            dberr(-2, None, Some(pick(ok, 0, 1))),
        )
        .build()
}

fn summary_info(null_out: bool) -> Operation {
    Operation::SummaryInfo {
        db: "db".into(),
        update_count: 0,
        null_out,
        into: "sum".into(),
    }
}

fn summary_read(property: u32, buffer: Buffer) -> Operation {
    Operation::SummaryGetProperty {
        summary: "sum".into(),
        property,
        buffer,
    }
}

/// What MsiSummaryInfoGetProperty answered.
fn suminfo(rc: u32, kind: i64, value: Option<&str>, size: Option<u32>) -> Outcome {
    Outcome {
        rc: Some(rc),
        number: Some(kind),
        value: value.map(str::to_owned),
        size,
        ..Outcome::default()
    }
}

pub fn summary_open(ok: bool) -> Built {
    Case::standard()
        .call(ImmediateBeforeInit, gad("db"), handle(1))
        .call(ImmediateBeforeInit, summary_info(true), rc(pick(ok, 87, 0)))
        .call(ImmediateBeforeInit, summary_info(false), rc_handle(0, 2))
        .build()
}

pub fn summary_properties(ok: bool) -> Built {
    Case::standard()
        .call(Package, gad("db"), handle(1))
        .call(Package, summary_info(false), rc_handle(0, 2))
        .call(
            Package,
            Operation::SummaryPropertyCount {
                summary: "sum".into(),
                null_out: false,
            },
            Outcome {
                rc: Some(0),
                number: Some(pick(ok, 9, 10)),
                ..Outcome::default()
            },
        )
        .call(
            Package,
            summary_read(14, Buffer::Ample),
            suminfo(0, pick(ok, 3, 30), Some("200"), Some(pick(ok, 1024, 3))),
        )
        .call(
            Package,
            summary_read(5, Buffer::Ample),
            suminfo(0, 0, None, Some(1024)),
        )
        .call(Package, summary_read(20, Buffer::Ample), rc(1608))
        .build()
}

pub fn summary_buffer(ok: bool) -> Built {
    Case::standard()
        .call(Package, gad("db"), handle(1))
        .call(Package, summary_info(false), rc_handle(0, 2))
        .call(
            Package,
            summary_read(4, Buffer::Sized(3)),
            suminfo(234, 30, Some("ms"), Some(pick(ok, 7, 8))),
        )
        .call(
            Package,
            summary_read(4, Buffer::Sized(8)),
            suminfo(0, 30, Some("msiconf"), Some(7)),
        )
        .build()
}

// ---------------------------------------------------------------------------
// Directories

fn tree_case() -> Case {
    Case::new(|f| f.tables.extend(msiconf_spec::fixture::standard_tree()))
}

fn target(folder: Option<&str>, buffer: Buffer, handle: HandleArg) -> Operation {
    Operation::GetTargetPath {
        folder: folder.map(Into::into),
        buffer,
        ansi: false,
        handle,
    }
}

fn set_target(folder: &str, path: &str) -> Operation {
    Operation::SetTargetPath {
        folder: Some(folder.into()),
        path: Some(path.into()),
        handle: HandleArg::Session,
    }
}

fn costed_tree() -> Case {
    tree_case()
        .call(Package, da("CostInitialize"), rc(0))
        .call(Package, da("FileCost"), rc(0))
        .call(Package, da("CostFinalize"), rc(0))
}

/// MsiGetTargetPath of a folder the Directory table does not have: 267.
pub fn dir_target_args(ok: bool) -> Built {
    tree_case()
        .call(
            Package,
            target(Some("boo"), Buffer::Ample, HandleArg::Session),
            pick(ok, rc(267), formatted("")),
        )
        .call(
            Package,
            target(None, Buffer::Ample, HandleArg::Zero),
            rc(87),
        )
        .build()
}

/// MsiGetTargetPath before CostFinalize reports no path.
pub fn dir_needs_costing(ok: bool) -> Built {
    tree_case()
        .call(
            Package,
            target(Some("TARGETDIR"), Buffer::Ample, HandleArg::Session),
            pick(ok, rc(267), formatted("C:\\")),
        )
        .build()
}

/// After costing, ChildDir ends in its own name and a backslash.
pub fn dir_target_resolved(ok: bool) -> Built {
    costed_tree()
        .call(
            Package,
            target(Some("ChildDir"), Buffer::Ample, HandleArg::Session),
            formatted(pick(
                ok,
                "C:\\ParentDir\\ChildDir\\",
                "C:\\ParentDir\\ChildDir",
            )),
        )
        .build()
}

/// MsiSetTargetPath of a folder the Directory table does not have: 267.
pub fn dir_set_args(ok: bool) -> Built {
    costed_tree()
        .call(Package, set_target("boo", "C:\\x"), rc(pick(ok, 267, 0)))
        .build()
}

/// After MsiSetTargetPath, the folder below follows with its own name.
pub fn dir_set_effect(ok: bool) -> Built {
    costed_tree()
        .call(Package, set_target("ParentDir", "C:\\\\one\\two "), rc(0))
        .call(
            Package,
            target(Some("ChildDir"), Buffer::Ample, HandleArg::Session),
            formatted(pick(
                ok,
                "C:\\one\\two\\ChildDir\\",
                "C:\\ParentDir\\ChildDir\\",
            )),
        )
        .build()
}

/// MsiGetSourcePath names are case-sensitive.
pub fn dir_source_args(ok: bool) -> Built {
    tree_case()
        .call(Package, da("CostInitialize"), rc(0))
        .call(
            Package,
            Operation::GetSourcePath {
                folder: Some("targetdir".into()),
                buffer: Buffer::Ample,
                ansi: false,
                handle: HandleArg::Session,
            },
            pick(ok, rc(267), formatted("C:\\pkg\\")),
        )
        .build()
}

/// A deferred action's MsiGetTargetPath does not succeed.
pub fn dir_deferred(ok: bool) -> Built {
    tree_case()
        .call(
            Deferred,
            target(Some("TARGETDIR"), Buffer::Ample, HandleArg::Session),
            pick(ok, rc(1627), formatted("C:\\")),
        )
        .build()
}

// ---------------------------------------------------------------------------
// Features and components

fn feature_state(name: Option<&str>, null_out: bool) -> Operation {
    Operation::GetFeatureState {
        feature: name.map(Into::into),
        null_out,
    }
}

fn component_state(name: Option<&str>, null_out: bool) -> Operation {
    Operation::GetComponentState {
        component: name.map(Into::into),
        null_out,
    }
}

fn states(installed: i64, action: i64) -> Outcome {
    Outcome {
        rc: Some(0),
        rows: Some(msiconf_spec::msi::features::states_row(installed, action)),
        ..Outcome::default()
    }
}

/// A feature name in another case is unknown.
pub fn feature_args(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            feature_state(Some("one"), false),
            pick(ok, rc(1606), states(2, 3)),
        )
        .build()
}

/// A component name in another case is unknown.
pub fn component_args(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            component_state(Some("child"), false),
            pick(ok, rc(1607), states(2, 3)),
        )
        .build()
}

/// After costing, feature One is absent and to be installed locally.
pub fn feature_costed(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            feature_state(Some("One"), false),
            pick(ok, states(2, 3), states(3, 3)),
        )
        .build()
}

/// After costing, a component no feature carries has no action.
pub fn component_costed(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            component_state(Some("Dangler"), false),
            pick(ok, states(2, -1), states(2, 3)),
        )
        .build()
}

/// MsiSetFeatureState(ADVERTISED) shows as the action state.
pub fn feature_set_effect(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            Operation::SetFeatureState {
                feature: Some("One".into()),
                state: 1,
            },
            rc(0),
        )
        .call(
            ImmediateAfterInit,
            feature_state(Some("One"), false),
            pick(ok, states(2, 1), states(2, 3)),
        )
        .build()
}

/// MsiSetComponentState(SOURCE) shows as the action state.
pub fn component_set_effect(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            Operation::SetComponentState {
                component: Some("Child".into()),
                state: 4,
            },
            rc(0),
        )
        .call(
            ImmediateAfterInit,
            component_state(Some("Child"), false),
            pick(ok, states(2, 4), states(2, 3)),
        )
        .build()
}

/// A NULL installed-state pointer from a custom action: 1780.
pub fn remote_null_out(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            feature_state(Some("One"), true),
            rc(pick(ok, 1780, 87)),
        )
        .build()
}

/// A deferred action's MsiGetFeatureState does not succeed.
pub fn state_deferred(ok: bool) -> Built {
    tree_case()
        .call(
            Deferred,
            feature_state(Some("One"), false),
            pick(ok, rc(1627), states(2, 3)),
        )
        .build()
}

/// Session.TargetPath of a folder the Directory table does not have raises.
pub fn session_paths(ok: bool) -> Built {
    let got = if ok {
        Outcome {
            exception: Some("DISP_E_EXCEPTION".into()),
            ..Outcome::default()
        }
    } else {
        Outcome {
            value: Some(String::new()),
            ..Outcome::default()
        }
    };
    tree_case()
        .call(
            ScriptImmediate,
            Operation::SessionTargetPath {
                folder: Some("boo".into()),
            },
            got,
        )
        .build()
}

/// Session.FeatureRequestState after costing is the action state (LOCAL).
pub fn session_states(ok: bool) -> Built {
    tree_case()
        .call(
            ScriptImmediate,
            Operation::SessionFeatureRequestState {
                feature: Some("One".into()),
            },
            num(pick(ok, 3, 2)),
        )
        .build()
}

/// MsiSetFeatureAttributes after CostFinalize fails.
pub fn attributes_window(ok: bool) -> Built {
    costed_tree()
        .call(
            Package,
            Operation::SetFeatureAttributes {
                feature: Some("One".into()),
                attributes: 1,
            },
            rc(pick(ok, 1627, 0)),
        )
        .build()
}

/// MsiGetSourcePath of ChildDir ends in a backslash.
pub fn dir_source_resolved(ok: bool) -> Built {
    tree_case()
        .call(Package, da("CostInitialize"), rc(0))
        .call(
            Package,
            Operation::GetSourcePath {
                folder: Some("ChildDir".into()),
                buffer: Buffer::Ample,
                ansi: false,
                handle: HandleArg::Session,
            },
            formatted(pick(ok, "C:\\pkg\\", "C:\\pkg")),
        )
        .build()
}

/// Setting feature One absent moves its local-only component Child.
pub fn feature_propagates(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            Operation::SetFeatureState {
                feature: Some("One".into()),
                state: 2,
            },
            rc(0),
        )
        .call(
            ImmediateAfterInit,
            component_state(Some("Child"), false),
            pick(ok, states(2, 2), states(2, 3)),
        )
        .build()
}

fn counted(n: i64) -> Outcome {
    Outcome {
        rc: Some(0),
        number: Some(n),
        ..Outcome::default()
    }
}

fn valid_states_of(feature: &str) -> Operation {
    Operation::GetFeatureValidStates {
        feature: Some(feature.into()),
        null_out: false,
    }
}

fn feature_cost_of(feature: &str, tree: i32) -> Operation {
    Operation::GetFeatureCost {
        feature: Some(feature.into()),
        tree,
        state: 3,
        null_out: false,
    }
}

fn component_costs_of(component: Option<&str>, buffer: Buffer, null_cost: bool) -> Operation {
    Operation::EnumComponentCosts {
        component: component.map(Into::into),
        index: 0,
        state: 3,
        buffer,
        null_cost,
        null_temp: false,
    }
}

/// Feature One has only local components: LOCAL offered, SOURCE not.
pub fn valid_states(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            valid_states_of("One"),
            counted(pick(ok, 14, 30)),
        )
        .build()
}

/// MsiGetFeatureValidStates of an unknown feature: 1606, not a stub's success.
pub fn valid_states_unknown(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            valid_states_of("fake"),
            pick(ok, rc(1606), counted(8)),
        )
        .build()
}

/// MsiGetFeatureCost of an unknown feature: 1606.
pub fn feature_cost_args(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            feature_cost_of("fake", 0),
            pick(ok, rc(1606), counted(0)),
        )
        .build()
}

/// A feature alone costs the same with its children as by itself.
pub fn feature_cost(ok: bool) -> Built {
    tree_case()
        .call(ImmediateAfterInit, feature_cost_of("One", 0), counted(24))
        .call(
            ImmediateAfterInit,
            feature_cost_of("One", 1),
            counted(pick(ok, 24, 48)),
        )
        .build()
}

/// MsiEnumComponentCosts with a NULL cost pointer: 87.
pub fn component_costs_args(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            component_costs_of(Some("Root"), Buffer::Ample, true),
            pick(ok, rc(87), rc(0)),
        )
        .build()
}

/// The drive is two characters; Root's file costs one cluster.
pub fn component_costs(ok: bool) -> Built {
    let drive = pick(ok, "C:", "C:\\");
    let mut o = got(0, drive, drive.len() as u32);
    o.rows = Some(msiconf_spec::msi::features::costs_row(8, 0));
    tree_case()
        .call(
            ImmediateAfterInit,
            component_costs_of(Some("Root"), Buffer::Ample, false),
            o,
        )
        .build()
}

/// MsiVerifyDiskSpace on handle 0: 6.
pub fn disk_space(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            Operation::VerifyDiskSpace {
                handle: HandleArg::Zero,
            },
            rc(pick(ok, 6, 0)),
        )
        .build()
}

/// Session.FeatureCost of an unknown feature raises.
pub fn session_costs(ok: bool) -> Built {
    tree_case()
        .call(
            ScriptImmediate,
            Operation::SessionFeatureCost {
                feature: Some("fake".into()),
                tree: 0,
                state: 3,
            },
            pick(ok, raised(), num(0)),
        )
        .build()
}

/// A query that does not parse leaves an error record; reading it releases it.
pub fn last_error_record(ok: bool) -> Built {
    let record = Outcome {
        number: Some(4),
        value: Some("2228".into()),
        ..Outcome::default()
    };
    Case::standard()
        .call(
            Package,
            Operation::GetActiveDatabase { into: "db".into() },
            handle(1),
        )
        .call(
            Package,
            Operation::OpenView {
                db: "db".into(),
                sql: Some("SELECT FROM".into()),
                into: "view".into(),
                null_out: false,
            },
            rc(1615),
        )
        .call(Package, Operation::GetLastErrorRecord, record.clone())
        .call(
            Package,
            Operation::GetLastErrorRecord,
            pick(ok, num(0), record),
        )
        .build()
}

/// A size query after a full read of the same folder reports its length.
pub fn dir_path_buffer(ok: bool) -> Built {
    costed_tree()
        .call(
            Package,
            target(Some("TARGETDIR"), Buffer::Ample, HandleArg::Session),
            got(0, "C:\\", 3),
        )
        .call(
            Package,
            target(Some("TARGETDIR"), Buffer::Sized(2), HandleArg::Session),
            got(234, "C", pick(ok, 3, 4)),
        )
        .build()
}

/// An A path getter inside a custom action reports bytes (windows).
pub fn dir_path_ansi(ok: bool) -> Built {
    tree_case()
        .call(
            ImmediateAfterInit,
            target(Some("TARGETDIR"), Buffer::Ample, HandleArg::Session),
            got(0, "C:\\", 3),
        )
        .call(
            ImmediateAfterInit,
            Operation::GetTargetPath {
                folder: Some("TARGETDIR".into()),
                buffer: Buffer::Sized(0),
                ansi: true,
                handle: HandleArg::Session,
            },
            Outcome {
                rc: Some(234),
                size: Some(pick(ok, 6, 3)),
                ..Outcome::default()
            },
        )
        .build()
}

/// One at level 2 is left out by costing at INSTALLLEVEL 1; MsiSetInstallLevel(3)
/// afterwards selects it.
pub fn level_selects(ok: bool) -> Built {
    Case::new(|f| {
        f.tables.extend(msiconf_spec::fixture::standard_tree());
        for t in f.tables.iter_mut().filter(|t| t.name == "Feature") {
            let level = t.columns.iter().position(|c| c.name == "Level").unwrap();
            for row in &mut t.rows {
                row[level] = "2".into();
            }
        }
    })
    .call(
        ImmediateAfterInit,
        Operation::SetInstallLevel { level: 3 },
        rc(0),
    )
    .call(
        ImmediateAfterInit,
        feature_state(Some("One"), false),
        pick(ok, states(2, 3), states(2, -1)),
    )
    .build()
}
