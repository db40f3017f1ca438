//! Predicates stay silent where the transcript does not settle a question,
//! and never panic on whatever a runtime (or a fuzzer) hands them.

mod common;

use common::cases::*;
use common::*;
use msiconf_spec::codes::catype::*;
use msiconf_spec::{Buffer, Context, HandleArg, Operation, Outcome, Profile};
use proptest::prelude::*;
use Context::*;

fn assert_silent(built: Built) {
    let (plan, t) = built;
    for p in Profile::ALL {
        let v = msiconf_spec::check(&plan, &t, p);
        assert!(v.is_empty(), "{p}: {v:#?}");
    }
}

#[test]
fn a_nested_action_leaves_properties_unsettled() {
    // The nested probe's run is not in the transcript, so what it set is unknown.
    assert_silent(
        Case::new(|f| ca(f, "Inner", DLL_BINARY, "probe", "Probe"))
            .unrecorded(ImmediateBeforeInit, "Inner", sp("boo", Some("whatever")))
            .call(ImmediateBeforeInit, da("Inner"), rc(0))
            .call(ImmediateBeforeInit, gp("boo"), got(0, "whatever", 8))
            .build(),
    );
}

#[test]
fn a_probe_reached_by_name_has_no_settled_starting_state() {
    assert_silent(
        Case::new(|f| ca(f, "Inner", DLL_BINARY, "probe", "Probe"))
            .call_in(
                ImmediateBeforeInit,
                Some("Inner"),
                gp("boo"),
                got(0, "set by the caller", 17),
            )
            .call(ImmediateBeforeInit, da("Inner"), rc(0))
            .build(),
    );
}

#[test]
fn unsupported_calls_are_not_judged() {
    assert_silent(
        Case::standard()
            .call(Package, da("boo"), Outcome::unsupported("no DoAction here"))
            .call(
                Package,
                gp("boo"),
                Outcome::unsupported("no properties here"),
            )
            .build(),
    );
}

#[test]
fn missing_fields_are_not_judged() {
    assert_silent(
        Case::standard()
            .call(Package, da("boo"), Outcome::default())
            .call(Package, gp("boo"), Outcome::default())
            .call(
                Deferred,
                Operation::GetMode {
                    mode: 16,
                    handle: HandleArg::Session,
                },
                Outcome::default(),
            )
            .build(),
    );
}

#[test]
fn engine_set_properties_are_not_judged() {
    assert_silent(
        Case::new(|f| {
            ca(
                f,
                "SetDeferred",
                SET_PROPERTY,
                "ProbeDeferred",
                "[ROOTDRIVE]x",
            );
            exec(f, "SetDeferred", 1590);
        })
        .call(ImmediateBeforeInit, gp("ROOTDRIVE"), got(0, "C:\\", 3))
        .call(ImmediateBeforeInit, gp("VersionNT"), got(0, "601", 3))
        .call(Deferred, gp("CustomActionData"), got(0, "C:\\x", 4))
        .build(),
    );
}

#[test]
fn a_conditioned_setter_leaves_the_value_unsettled() {
    assert_silent(
        Case::new(|f| {
            ca(f, "SetX", SET_PROPERTY, "XPROP", "1");
            exec_if(f, "SetX", "NOT Installed", 1200);
        })
        .call(ImmediateBeforeInit, gp("XPROP"), got(0, "", 0))
        .build(),
    );
}

#[test]
fn an_asynchronous_action_leaves_the_install_result_unsettled() {
    assert_silent(
        Case::new(|f| {
            ca(f, "Async", DLL_BINARY | ASYNC, "probe", "Probe");
            exec(f, "Async", 1450);
        })
        .probe("Async", ImmediateBeforeInit, 1)
        .ran("Async", ImmediateBeforeInit)
        .result(0)
        .build(),
    );
}

#[test]
fn deferred_set_property_code_is_only_recorded() {
    // The documentation gives no return code: any code passes.
    for code in [0, 5, 6, 1627] {
        assert_silent(
            Case::standard()
                .call(Deferred, sp("X", Some("1")), rc(code))
                .build(),
        );
    }
}

const CONTEXTS: [Context; 10] = Context::ALL;
const NAMES: &[&str] = &[
    "boo",
    "BOO",
    "CustomActionData",
    "ProductCode",
    "%PATH",
    "",
    "=",
    "[x]",
    "é",
];

fn op(kind: usize, name: &str, n: u32) -> Operation {
    let s = Some(name.to_owned());
    match kind % 24 {
        0 => Operation::DoAction {
            action: s,
            handle: HandleArg::Session,
        },
        1 => Operation::DoAction {
            action: None,
            handle: HandleArg::Bogus,
        },
        2 => Operation::GetProperty {
            name: s,
            buffer: Buffer::Sized(n % 6),
            ansi: n % 2 == 0,
            handle: HandleArg::Session,
        },
        3 => Operation::SetProperty {
            ansi: false,
            name: s,
            value: Some(name.repeat(2)),
            handle: HandleArg::Session,
        },
        4 => Operation::GetMode {
            mode: n % 20,
            handle: HandleArg::Session,
        },
        5 => Operation::SetMode {
            mode: n % 20,
            state: true,
        },
        6 => Operation::FormatRecord {
            null_record: false,
            template: name.to_owned(),
            fields: vec![name.to_owned()],
            buffer: Buffer::Ample,
            ansi: false,
            handle: HandleArg::Session,
        },
        7 => Operation::EvaluateCondition { condition: s },
        8 => Operation::GetActiveDatabase { into: "db".into() },
        9 => Operation::Sql {
            db: "db".into(),
            sql: name.to_owned(),
        },
        10 => Operation::Sql {
            db: "db".into(),
            sql: format!("CREATE TABLE `{name}` (`A` SHORT TEMPORARY PRIMARY KEY `A`) HOLD"),
        },
        11 => Operation::Sql {
            db: "db".into(),
            sql: format!("ALTER TABLE `{name}` FREE"),
        },
        12 => Operation::IsTablePersistent {
            db: "db".into(),
            table: s,
        },
        13 => Operation::OpenView {
            db: "db".into(),
            sql: s,
            into: "view".into(),
            null_out: false,
        },
        14 => Operation::Modify {
            view: "view".into(),
            kind: msiconf_spec::ModifyKind::InsertTemporary,
            record: Some(vec![name.to_owned()]),
        },
        15 => Operation::SessionPropertyGet { name: s },
        16 => Operation::SessionPropertySet {
            name: s,
            value: Some(name.to_owned()),
        },
        17 => Operation::SessionDoAction { action: s },
        18 => Operation::SessionMode { mode: n % 20 },
        19 => Operation::CommandLine,
        20 => Operation::HasSession,
        21 => Operation::GetLanguage,
        22 => Operation::ProcessMessage {
            kind: 0x0400_0000,
            fields: vec![],
        },
        _ => Operation::SetInstallLevel { level: n as i32 },
    }
}

fn outcome(kind: usize, value: &str, n: u32) -> Outcome {
    match kind % 5 {
        0 => Outcome::rc(n % 2000),
        1 => Outcome::number(i64::from(n % 8) - 1),
        2 => Outcome {
            rc: Some(n % 300),
            value: Some(value.to_owned()),
            size: Some(n % 9),
            ..Outcome::default()
        },
        3 => Outcome {
            handle: Some(n % 3),
            rows: Some(vec![vec![value.to_owned()]]),
            ..Outcome::default()
        },
        _ => Outcome {
            exception: Some("DISP_E_EXCEPTION".into()),
            ..Outcome::default()
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn predicates_never_panic(
        steps in prop::collection::vec((0..10usize, 0..24usize, 0..9usize, 0..5usize, any::<u32>(), ".{0,12}"), 0..24),
        result in prop::option::of(prop::sample::select(vec![0u32, 1602, 1603, 1604])),
        action in prop::option::of(".{0,6}"),
    ) {
        let mut c = Case::new(|f| {
            ca(f, "nested51", SET_PROPERTY, "nested", "[boo]");
            exec(f, "nested51", 1200);
            test_table(f);
        });
        if let Some(a) = &action {
            c = c.install(&[("ACTION", a.as_str()), ("TESTPATH", "x")]);
        }
        for (ctx, k, name, out, n, free) in steps {
            let name = if name == 8 { free.as_str() } else { NAMES[name] };
            c = c.call(CONTEXTS[ctx], op(k, name, n), outcome(out, &free, n));
        }
        if let Some(r) = result {
            c = c.result(r);
        }
        let (plan, t) = c.build();
        for p in Profile::ALL {
            let _ = msiconf_spec::check(&plan, &t, p);
        }
    }
}

#[test]
fn a_conditioned_type19_leaves_the_install_result_unsettled() {
    assert_silent(
        Case::new(|f| {
            ca(f, "Err", ERROR, "", "boom");
            exec_if(f, "Err", "NEVERSET", 1300);
        })
        .install(&[])
        .result(0)
        .build(),
    );
}
