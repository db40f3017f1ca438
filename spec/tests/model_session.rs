//! The model's session calls, one at a time through `Session::call`: the
//! property rules of catalog section C, modes, formatting, conditions, the
//! deferred limits and the database calls of sections D, E and F.

mod model_support;

use model_support::*;
use msiconf_spec::model::Session;
use msiconf_spec::{
    Buffer, Context, Fixture, HandleArg, ModifyKind, Operation, Outcome, PackageSource, Profile,
};
use rstest::rstest;

fn xyz(ctx: Context, profile: Profile) -> Session<'static> {
    let mut s = Session::new(&Fixture::standard(), &config(profile));
    assert_eq!(
        s.call(Context::Package, &set(Some("boo"), Some("xyz"))).rc,
        Some(0)
    );
    // Switch to the context under test (slots reset, properties stay).
    s.call(ctx, &Operation::HasSession);
    s
}

fn sized(o: &Outcome) -> (Option<u32>, Option<&str>, Option<u32>) {
    (o.rc, o.value.as_deref(), o.size)
}

#[rstest]
#[case::no_room(Buffer::Sized(0), (Some(234), None, Some(3)))]
#[case::one(Buffer::Sized(1), (Some(234), Some(""), Some(3)))]
#[case::three(Buffer::Sized(3), (Some(234), Some("xy"), Some(3)))]
#[case::four(Buffer::Sized(4), (Some(0), Some("xyz"), Some(3)))]
#[case::null_buffer(Buffer::NullBuffer(0), (Some(0), None, Some(3)))]
#[case::null_size(Buffer::NullSize, (Some(87), None, None))]
#[case::null_both(Buffer::NullBoth, (Some(0), None, None))]
fn property_buffer_table_outside_custom_actions(
    #[case] buffer: Buffer,
    #[case] expected: (Option<u32>, Option<&str>, Option<u32>),
) {
    for profile in [Profile::Documented, Profile::Windows] {
        for ansi in [false, true] {
            let mut s = xyz(Context::Package, profile);
            let o = s.call(Context::Package, &get_buf(Some("boo"), buffer, ansi));
            assert_eq!(sized(&o), expected, "{profile} ansi={ansi}");
        }
    }
}

#[rstest]
#[case::size_query(Buffer::NullBuffer(0), (Some(0), None, Some(6)))]
#[case::three(Buffer::Sized(3), (Some(234), Some("xy"), Some(6)))]
#[case::four(Buffer::Sized(4), (Some(0), Some("xyz"), Some(3)))]
fn ansi_sizes_inside_custom_actions_are_bytes_on_windows(
    #[case] buffer: Buffer,
    #[case] windows: (Option<u32>, Option<&str>, Option<u32>),
) {
    let mut s = xyz(Context::ImmediateBeforeInit, Profile::Windows);
    let o = s.call(
        Context::ImmediateBeforeInit,
        &get_buf(Some("boo"), buffer, true),
    );
    assert_eq!(sized(&o), windows);
    // The W variant and the documented profile count characters.
    let w = s.call(
        Context::ImmediateBeforeInit,
        &get_buf(Some("boo"), buffer, false),
    );
    assert_eq!(w.size, Some(3));
    let mut d = xyz(Context::ImmediateBeforeInit, Profile::Documented);
    let o = d.call(
        Context::ImmediateBeforeInit,
        &get_buf(Some("boo"), buffer, true),
    );
    assert_eq!(o.size, Some(3));
}

#[test]
fn undefined_property_reads_empty() {
    let mut s = session();
    let c = Context::Package;
    assert_eq!(
        sized(&s.call(c, &get_buf(Some("nope"), Buffer::Sized(256), false))),
        (Some(0), Some(""), Some(0))
    );
    assert_eq!(
        sized(&s.call(c, &get_buf(Some("nope"), Buffer::Sized(1), false))),
        (Some(0), Some(""), Some(0))
    );
    assert_eq!(
        sized(&s.call(c, &get_buf(Some("nope"), Buffer::Sized(0), false))),
        (Some(234), None, Some(0))
    );
}

#[test]
fn get_and_set_argument_rules() {
    let mut s = session();
    let c = Context::Package;
    assert_eq!(
        s.call(c, &get_buf(None, Buffer::NullBoth, true)).rc,
        Some(87)
    );
    let zero = Operation::GetProperty {
        name: None,
        buffer: Buffer::NullBoth,
        ansi: true,
        handle: HandleArg::Zero,
    };
    assert_eq!(
        s.call(c, &zero).rc,
        Some(87),
        "the name is checked before the handle"
    );
    for handle in [HandleArg::Zero, HandleArg::Bogus] {
        let op = Operation::SetProperty {
            ansi: false,
            name: st("Prop"),
            value: st("Val"),
            handle,
        };
        assert_eq!(s.call(c, &op).rc, Some(6));
    }
    assert_eq!(s.call(c, &set(None, Some("Val"))).rc, Some(87));
    assert_eq!(s.call(c, &set(Some(""), Some("Val"))).rc, Some(1627));
    assert_eq!(s.call(c, &set(Some(""), None)).rc, Some(0));
    for name in ["=", " ", "'"] {
        assert_eq!(s.call(c, &set(Some(name), Some("asdf"))).rc, Some(0));
        assert_eq!(value(&s.call(c, &get(name))), "asdf");
    }
}

#[test]
fn names_are_case_sensitive_and_empty_values_delete() {
    let mut s = session();
    let c = Context::ImmediateBeforeInit;
    s.call(c, &set(Some("boo"), Some("xyz")));
    assert_eq!(value(&s.call(c, &get("BOO"))), "");
    s.call(c, &set(Some("Prop"), Some("BlueTap")));
    assert_eq!(s.call(c, &set(Some("Prop"), None)).rc, Some(0));
    assert_eq!(
        sized(&s.call(c, &get("Prop"))),
        (Some(0), Some(""), Some(0))
    );
    s.call(c, &set(Some("Prop"), Some("BlueTap")));
    s.call(c, &set(Some("Prop"), Some("")));
    assert_eq!(s.property("Prop"), None);
    // Values are stored as given, never formatted.
    s.call(c, &set(Some("prop"), Some("[~]np")));
    assert_eq!(value(&s.call(c, &get("prop"))), "[~]np");
}

#[test]
fn embedded_nul_and_environment() {
    let mut s = session();
    let f = s.call(Context::Package, &fmt("[~]np", &[]));
    assert_eq!((f.rc, value(&f), f.size), (Some(0), "\0np", Some(3)));
    assert!(!value(&s.call(Context::Package, &get("%PATH"))).is_empty());
    assert_eq!(
        value(&s.call(Context::Package, &get("%path"))),
        value(&s.call(Context::Package, &get("%PATH")))
    );
    assert_eq!(
        value(&s.call(Context::Package, &fmt("[%idontexist]", &[]))),
        ""
    );
}

#[test]
fn format_record() {
    let mut s = session();
    let c = Context::ImmediateBeforeInit;
    s.call(c, &set(Some("imaprop"), Some("ringer")));
    assert_eq!(value(&s.call(c, &fmt("", &["[imaprop]"]))), "1: ringer ");
    assert_eq!(value(&s.call(c, &fmt("", &["[idontexist]"]))), "1:  ");
    let o = s.call(c, &fmt(r"[\[]", &[]));
    assert_eq!((value(&o), o.size), ("[", Some(1)));
    let zero = Operation::FormatRecord {
        null_record: false,
        template: r"[\[]".into(),
        fields: vec![],
        buffer: Buffer::Ample,
        ansi: true,
        handle: HandleArg::Zero,
    };
    let o = s.call(c, &zero);
    assert_eq!((value(&o), o.size), (r"[\[]", Some(4)));
    let ansi = Operation::FormatRecord {
        null_record: false,
        template: "foo [1]".into(),
        fields: vec!["hoo".into()],
        buffer: Buffer::NullBuffer(0),
        ansi: true,
        handle: HandleArg::Session,
    };
    assert_eq!(
        s.call(c, &ansi).size,
        Some(14),
        "A variant in a custom action counts bytes on Windows"
    );
}

#[test]
fn conditions() {
    let mut s = session();
    let c = Context::ImmediateBeforeInit;
    let ev = |x: Option<&str>| Operation::EvaluateCondition {
        condition: x.map(str::to_owned),
    };
    assert_eq!(s.call(c, &ev(None)).number, Some(2));
    assert_eq!(s.call(c, &ev(Some(""))).number, Some(2));
    assert_eq!(s.call(c, &ev(Some("="))).number, Some(3));
    assert_eq!(s.call(c, &ev(Some("condprop = 1"))).number, Some(0));
    s.call(c, &set(Some("condprop"), Some("1")));
    assert_eq!(s.call(c, &ev(Some("condprop = 1"))).number, Some(1));
}

#[rstest]
#[case::immediate(Context::ImmediateAfterInit, [0, 0, 0], 1)]
#[case::deferred(Context::Deferred, [1, 0, 0], 0)]
#[case::rollback(Context::Rollback, [0, 1, 0], 0)]
#[case::commit(Context::Commit, [0, 0, 1], 0)]
#[case::script_deferred(Context::ScriptDeferred, [1, 0, 0], 0)]
fn run_modes(#[case] ctx: Context, #[case] script_modes: [i64; 3], #[case] rollback_enabled: i64) {
    let mut s = session();
    let get = |s: &mut Session, m: u32| {
        let op = if ctx.is_script() {
            Operation::SessionMode { mode: m }
        } else {
            mode(m)
        };
        s.call(ctx, &op).number
    };
    for (m, want) in [16, 17, 18].into_iter().zip(script_modes) {
        assert_eq!(get(&mut s, m), Some(want), "mode {m}");
    }
    assert_eq!(get(&mut s, 3), Some(rollback_enabled));
    assert_eq!(get(&mut s, 4), Some(0));
}

#[test]
fn settable_modes() {
    let mut s = session();
    let c = Context::ImmediateBeforeInit;
    assert_eq!(s.call(c, &mode(6)).number, Some(0));
    assert_eq!(
        s.call(
            c,
            &Operation::SetMode {
                mode: 6,
                state: true
            }
        )
        .rc,
        Some(0)
    );
    assert_eq!(s.call(c, &mode(6)).number, Some(1));
    assert_eq!(
        s.call(
            c,
            &Operation::SetMode {
                mode: 6,
                state: false
            }
        )
        .rc,
        Some(0)
    );
    assert_eq!(
        s.call(
            c,
            &Operation::SetMode {
                mode: 2,
                state: true
            }
        )
        .rc,
        Some(5)
    );
    let bad = Operation::GetMode {
        mode: 2,
        handle: HandleArg::Zero,
    };
    assert_eq!(s.call(c, &bad).number, Some(0));
    let sc = Context::ScriptImmediate;
    assert_eq!(
        s.call(
            sc,
            &Operation::SessionSetMode {
                mode: 7,
                state: true
            }
        )
        .exception,
        None
    );
    assert_eq!(
        s.call(
            sc,
            &Operation::SessionSetMode {
                mode: 2,
                state: true
            }
        )
        .exception
        .as_deref(),
        Some("DISP_E_EXCEPTION")
    );
}

#[test]
fn deferred_limits() {
    let mut s = session();
    s.call(Context::Package, &set(Some("TESTPATH"), Some(r"c:\x")));
    let d = Context::Deferred;
    assert_eq!(
        sized(&s.call(d, &get("TESTPATH"))),
        (Some(0), Some(""), Some(0))
    );
    assert!(!value(&s.call(d, &get("ProductCode"))).is_empty());
    assert!(!value(&s.call(d, &get("UserSID"))).is_empty());
    assert_ne!(s.call(d, &set(Some("X"), Some("1"))).rc, Some(0));
    assert_eq!(s.property("X"), None);
    assert_eq!(s.call(d, &active_db()).handle, Some(0));
    assert_eq!(s.call(d, &Operation::GetLanguage).number, Some(1033));
    let f = s.call(d, &fmt("[ProductCode]|[TESTPATH]|[UserSID]", &[]));
    assert_eq!(
        value(&f),
        format!("{}||", s.property("ProductCode").unwrap())
    );
    assert_eq!(
        s.call(
            d,
            &Operation::ProcessMessage {
                kind: 0x0300_0000,
                fields: vec!["x".into()]
            }
        )
        .number,
        Some(0)
    );
    let c = Context::Commit;
    assert_eq!(value(&s.call(c, &get("ProductCode"))), "");
    assert_eq!(s.call(c, &Operation::GetLanguage).number, Some(0));
    let sd = Context::ScriptDeferred;
    assert_eq!(
        value(&s.call(
            sd,
            &Operation::SessionPropertyGet {
                name: st("TESTPATH")
            }
        )),
        ""
    );
    assert_eq!(
        s.call(sd, &Operation::SessionDatabase { into: "db".into() })
            .exception
            .as_deref(),
        Some("DISP_E_EXCEPTION")
    );
    // An immediate action has no CustomActionData unless something set that property.
    assert_eq!(
        value(&s.call(Context::ImmediateBeforeInit, &get("CustomActionData"))),
        ""
    );
}

#[test]
fn active_database_handles_are_new_and_read_only() {
    let mut s = Session::new(&fixture_with_test_table(), &config(Profile::Windows));
    let c = Context::ImmediateBeforeInit;
    assert_eq!(
        s.call(c, &Operation::GetActiveDatabase { into: "h1".into() })
            .handle,
        Some(1)
    );
    assert_eq!(
        s.call(c, &Operation::GetActiveDatabase { into: "db".into() })
            .handle,
        Some(2)
    );
    assert_eq!(
        s.call(
            c,
            &Operation::IsTablePersistent {
                db: "db".into(),
                table: st("Test")
            }
        )
        .number,
        Some(1)
    );
    assert_eq!(
        s.call(c, &Operation::CloseHandle { slot: "db".into() }).rc,
        Some(0)
    );
    let open = |sql: Option<&str>, null_out: bool| Operation::OpenView {
        db: "h1".into(),
        sql: sql.map(str::to_owned),
        into: "v".into(),
        null_out,
    };
    assert_eq!(s.call(c, &open(None, false)).rc, Some(1615));
    assert_eq!(
        s.call(c, &open(Some("SELECT * FROM `Test`"), true)).rc,
        Some(87)
    );
    s.call(c, &Operation::GetActiveDatabase { into: "db".into() });
    // Persistent data is read-only to a custom action; temporary data is not.
    assert_eq!(
        s.call(c, &sql("INSERT INTO `Test` (`A`, `B`) VALUES (2, 'two')"))
            .rc,
        Some(1627)
    );
    assert_eq!(
        s.call(
            c,
            &sql("INSERT INTO `Test` (`A`, `B`) VALUES (2, 'two') TEMPORARY")
        )
        .rc,
        Some(0)
    );
    assert_eq!(
        s.call(c, &sql("SELECT `B` FROM `Test` WHERE `A` = 2")).rows,
        Some(vec![vec!["two".to_owned()]])
    );
    assert_eq!(
        s.call(c, &sql("UPDATE `Test` SET `B` = 'x' WHERE `A` = 1"))
            .rc,
        Some(1627)
    );
    assert_eq!(
        s.call(c, &sql("DELETE FROM `Test` WHERE `A` = 1")).rc,
        Some(1627)
    );
    assert_eq!(
        s.call(c, &sql("CREATE TABLE `New` (`A` INTEGER PRIMARY KEY `A`)"))
            .rc,
        Some(1627)
    );
    assert_eq!(
        s.call(
            c,
            &Operation::SetSummaryInfo {
                db: "db".into(),
                property: 2,
                value: "x".into()
            }
        )
        .rc,
        Some(1627)
    );
    assert_eq!(
        s.call(c, &Operation::Commit { db: "db".into() }).rc,
        Some(0)
    );
    assert_eq!(
        s.call(c, &Operation::GetDatabaseState { db: st("db") })
            .number,
        Some(-1)
    );
    assert_eq!(
        s.call(c, &Operation::GetDatabaseState { db: None }).number,
        Some(-1)
    );
    let pkg = |source| Operation::OpenPackage {
        source,
        into: "pkg".into(),
    };
    assert_eq!(s.call(c, &pkg(PackageSource::DatabaseHandle)).rc, Some(6));
    assert_ne!(s.call(c, &pkg(PackageSource::PackageFile)).rc, Some(0));
    assert_eq!(
        s.call(Context::ScriptImmediate, &Operation::InstallerOpenPackage)
            .exception
            .as_deref(),
        Some("DISP_E_EXCEPTION")
    );
}

fn fixture_with_test_table() -> Fixture {
    let mut f = Fixture::standard();
    f.tables.push(msiconf_spec::fixture::Table {
        name: "Test".into(),
        columns: vec![
            msiconf_spec::fixture::Column {
                name: "A".into(),
                kind: "i2".into(),
                key: true,
            },
            msiconf_spec::fixture::Column {
                name: "B".into(),
                kind: "S72".into(),
                key: false,
            },
        ],
        rows: vec![vec!["1".into(), "one".into()]],
    });
    f
}

#[test]
fn view_modify_and_fetch() {
    let mut s = Session::new(&fixture_with_test_table(), &config(Profile::Windows));
    let c = Context::ImmediateBeforeInit;
    s.call(c, &active_db());
    let open = Operation::OpenView {
        db: "db".into(),
        sql: st("SELECT `A`, `B` FROM `Test`"),
        into: "view".into(),
        null_out: false,
    };
    assert_eq!(s.call(c, &open).rc, Some(0));
    assert_eq!(
        s.call(
            c,
            &Operation::Fetch {
                view: "view".into()
            }
        )
        .rc,
        Some(1627),
        "not executed yet"
    );
    assert_eq!(
        s.call(
            c,
            &Operation::Execute {
                view: "view".into()
            }
        )
        .rc,
        Some(0)
    );
    let m = |kind, rec: Option<&[&str]>| Operation::Modify {
        view: "view".into(),
        kind,
        record: rec.map(|r| r.iter().map(|x| (*x).to_owned()).collect()),
    };
    assert_eq!(
        s.call(c, &m(ModifyKind::InsertTemporary, Some(&["7", "8"])))
            .rc,
        Some(0)
    );
    assert_eq!(
        s.call(c, &m(ModifyKind::InsertTemporary, Some(&["7", "8"])))
            .rc,
        Some(1627)
    );
    assert_eq!(
        s.call(c, &m(ModifyKind::Insert, Some(&["9", "9"]))).rc,
        Some(1627)
    );
    let fetch = s.call(
        c,
        &Operation::Fetch {
            view: "view".into(),
        },
    );
    assert_eq!(
        fetch.rows,
        Some(vec![vec!["1".to_owned(), "one".to_owned()]])
    );
    assert_eq!(
        s.call(
            c,
            &Operation::Fetch {
                view: "view".into()
            }
        )
        .rc,
        Some(259),
        "rows are fixed at execute"
    );
    let where7 = Operation::OpenView {
        db: "db".into(),
        sql: st("SELECT `A`, `B` FROM `Test` WHERE `A` = 7"),
        into: "view".into(),
        null_out: false,
    };
    s.call(c, &where7);
    s.call(
        c,
        &Operation::Execute {
            view: "view".into(),
        },
    );
    assert_eq!(
        s.call(
            c,
            &Operation::Fetch {
                view: "view".into()
            }
        )
        .rc,
        Some(0)
    );
    s.call(
        c,
        &Operation::SetField {
            view: "view".into(),
            field: 2,
            value: "9".into(),
        },
    );
    assert_eq!(s.call(c, &m(ModifyKind::Update, None)).rc, Some(0));
    assert_eq!(
        s.call(c, &sql("SELECT `B` FROM `Test` WHERE `A` = 7")).rows,
        Some(vec![vec!["9".to_owned()]])
    );
    s.call(c, &sql("UPDATE `Test` SET `B` = 10 WHERE `A` = 7"));
    assert_eq!(s.call(c, &m(ModifyKind::Refresh, None)).rc, Some(0));
}

#[test]
fn property_table_is_kept_apart() {
    let mut s = session();
    let c = Context::Package;
    s.call(c, &active_db());
    assert_eq!(
        s.call(
            c,
            &sql("INSERT INTO `Property` (`Property`, `Value`) VALUES ('dantes', 'mercedes')")
        )
        .rc,
        Some(0)
    );
    assert_eq!(value(&s.call(c, &get("dantes"))), "");
    s.call(c, &set(Some("edmond"), Some("dantes")));
    let rows = s.call(c, &sql("SELECT * FROM `_Property`")).rows.unwrap();
    assert!(rows.contains(&vec!["edmond".to_owned(), "dantes".to_owned()]));
    assert_eq!(
        s.call(c, &Operation::Commit { db: "db".into() }).rc,
        Some(0)
    );
    assert_eq!(value(&s.call(c, &get("edmond"))), "dantes");
    assert_eq!(
        s.call(
            c,
            &sql("CREATE TABLE `_Property` (`A` INTEGER PRIMARY KEY `A`)")
        )
        .rc,
        Some(1615)
    );
    assert_eq!(
        s.call(
            c,
            &Operation::IsTablePersistent {
                db: "db".into(),
                table: st("_Property")
            }
        )
        .number,
        Some(0)
    );
    for t in ["_Tables", "_Columns", "_Streams", "_Storages", "Nope"] {
        assert_eq!(
            s.call(
                c,
                &Operation::IsTablePersistent {
                    db: "db".into(),
                    table: st(t)
                }
            )
            .number,
            Some(2),
            "{t}"
        );
    }
    assert_eq!(
        s.call(
            c,
            &Operation::IsTablePersistent {
                db: "db".into(),
                table: None
            }
        )
        .number,
        Some(3)
    );
    assert_eq!(
        s.call(
            c,
            &Operation::IsTablePersistent {
                db: "nope".into(),
                table: st("Property")
            }
        )
        .number,
        Some(3)
    );
}

#[test]
fn package_commit_persists_only_persistent_data() {
    let mut s = session();
    let c = Context::Package;
    s.call(c, &active_db());
    s.call(
        c,
        &sql("CREATE TABLE `T` (`B` INTEGER, `C` INTEGER PRIMARY KEY `C`)"),
    );
    s.call(c, &sql("INSERT INTO `T` (`B`, `C`) VALUES (1, 2)"));
    s.call(
        c,
        &sql("INSERT INTO `T` (`B`, `C`) VALUES (12, 13) TEMPORARY"),
    );
    let disk_rows = |s: &mut Session| {
        s.call(
            c,
            &Operation::OpenDatabase {
                into: "disk".into(),
            },
        );
        s.call(
            c,
            &Operation::Sql {
                db: "disk".into(),
                sql: "SELECT * FROM `T`".into(),
            },
        )
    };
    assert_eq!(
        disk_rows(&mut s).rc,
        Some(1615),
        "nothing is on disk before a commit"
    );
    assert_eq!(
        s.call(c, &Operation::Commit { db: "db".into() }).rc,
        Some(0)
    );
    assert_eq!(
        disk_rows(&mut s).rows,
        // The key column C first.
        Some(vec![vec!["2".to_owned(), "1".to_owned()]])
    );
}

#[test]
fn script_session_object() {
    let mut s = session();
    let c = Context::ScriptImmediate;
    assert_eq!(
        value(&s.call(
            c,
            &Operation::SessionPropertyGet {
                name: st("ProductName")
            }
        )),
        "msiconf probe"
    );
    assert_eq!(
        s.call(
            c,
            &Operation::SessionPropertySet {
                name: st("ProductName"),
                value: st("ProductName")
            }
        )
        .exception,
        None
    );
    assert_eq!(
        value(&s.call(
            c,
            &Operation::SessionPropertyGet {
                name: st("ProductName")
            }
        )),
        "ProductName"
    );
    assert_eq!(
        s.call(
            c,
            &Operation::SessionPropertySet {
                name: st(""),
                value: st("x")
            }
        )
        .exception
        .as_deref(),
        Some("DISP_E_EXCEPTION")
    );
    assert_eq!(
        s.call(
            c,
            &Operation::SessionDoAction {
                action: st("CostInitialize")
            }
        )
        .number,
        Some(1)
    );
    assert_eq!(
        s.call(
            c,
            &Operation::SessionDoAction {
                action: st("NoSuchAction")
            }
        )
        .number,
        Some(0)
    );
    assert_eq!(
        s.call(
            c,
            &Operation::SessionMessage {
                kind: 0x0400_0000,
                fields: vec![]
            }
        )
        .number,
        Some(0)
    );
    assert_eq!(s.call(c, &Operation::SessionLanguage).number, Some(1033));
    assert_eq!(
        s.call(
            c,
            &Operation::SessionEvaluateCondition { condition: st("=") }
        )
        .number,
        Some(3)
    );
    assert_eq!(
        s.call(c, &Operation::SessionDatabase { into: "db".into() })
            .handle,
        Some(1)
    );
    assert_eq!(
        s.call(
            c,
            &sql("SELECT `Property` FROM `Property` WHERE `Property` = 'ProductName'")
        )
        .rc,
        Some(0)
    );
    // C forms do not exist in a script.
    assert!(s.call(c, &get("ProductName")).unsupported.is_some());
}

#[test]
fn exe_custom_actions_have_no_session() {
    let mut s = session();
    assert_eq!(s.call(Context::Exe, &Operation::HasSession).number, Some(0));
    assert!(s
        .call(Context::Exe, &get("ProductCode"))
        .unsupported
        .is_some());
    assert_eq!(
        s.call(Context::ImmediateBeforeInit, &Operation::HasSession)
            .number,
        Some(1)
    );
}

#[test]
fn doaction_codes_and_case() {
    let mut s = session();
    let c = Context::Package;
    assert_eq!(s.call(c, &do_action(Some("CostInitialize"))).rc, Some(0));
    assert_eq!(s.call(c, &do_action(Some("costinitialize"))).rc, Some(1626));
    assert_eq!(s.call(c, &do_action(Some("boo"))).rc, Some(1626));
    assert_eq!(s.call(c, &do_action(Some("RemoveFiles"))).rc, Some(0));
    let zero = Operation::DoAction {
        action: st("boo"),
        handle: HandleArg::Zero,
    };
    assert_eq!(s.call(c, &zero).rc, Some(6));
    let null_bogus = Operation::DoAction {
        action: None,
        handle: HandleArg::Bogus,
    };
    assert_eq!(s.call(c, &null_bogus).rc, Some(87));
    assert_eq!(s.call(c, &do_action(None)).rc, Some(87));
    assert_eq!(
        s.call(Context::Deferred, &do_action(Some("CostInitialize")))
            .rc,
        Some(1627)
    );
    let mut d = Session::new(&Fixture::standard(), &config(Profile::Documented));
    assert_eq!(
        d.call(c, &do_action(None)).rc,
        Some(0),
        "documented: falls back to INSTALL"
    );
    assert_eq!(
        d.call(c, &set(Some("EXECUTEACTION"), Some("CostInitialize")))
            .rc,
        Some(0)
    );
    assert_eq!(d.call(c, &do_action(Some("ExecuteAction"))).rc, Some(0));
}

#[test]
fn install_level() {
    let mut s = session();
    let c = Context::ImmediateBeforeInit;
    assert_eq!(
        s.call(c, &Operation::SetInstallLevel { level: 123 }).rc,
        Some(0)
    );
    assert_eq!(value(&s.call(c, &get("INSTALLLEVEL"))), "123");
}

#[test]
fn a_session_from_a_plan_runs_probes_reached_through_call() {
    let mut f = Fixture::standard();
    f.custom_actions
        .push(ca("P", 1, Some("probe"), Some("Probe")));
    let mut b = msiconf_spec::PlanBuilder::new(f);
    b.probe("P", Context::ImmediateBeforeInit);
    b.step(
        Context::ImmediateBeforeInit,
        Some("P"),
        set(Some("SEEN"), Some("1")),
    );
    b.returns("P", 1602);
    let plan = b.build();
    let mut s = Session::from_plan(&plan, &config(Profile::Windows));
    assert_eq!(
        s.call(Context::Package, &do_action(Some("P"))).rc,
        Some(1602)
    );
    assert_eq!(s.property("SEEN"), Some("1"));
    let t = s.into_transcript();
    assert_eq!(t.run_count("P"), 1);
    assert_eq!(t.events.len(), 1);
}

#[test]
fn a_custom_action_cannot_write_persistent_data_through_its_own_open_database() {
    let mut s = session();
    let c = Context::ImmediateBeforeInit;
    assert_eq!(
        s.call(
            c,
            &Operation::OpenDatabase {
                into: "disk".into()
            }
        )
        .rc,
        Some(0)
    );
    let summary = Operation::SetSummaryInfo {
        db: "disk".into(),
        property: 2,
        value: "x".into(),
    };
    assert_eq!(s.call(c, &summary).rc, Some(1627));
    let insert = Operation::Sql {
        db: "disk".into(),
        sql: "INSERT INTO `Property` (`Property`, `Value`) VALUES ('A', 'b')".into(),
    };
    assert_eq!(s.call(c, &insert).rc, Some(1627));
    assert_eq!(
        s.call(
            Context::Package,
            &Operation::OpenDatabase {
                into: "disk".into()
            }
        )
        .rc,
        Some(0)
    );
    assert_eq!(s.call(Context::Package, &summary).rc, Some(0));
}

#[test]
fn sizes_count_utf16_code_units() {
    let mut s = session();
    let c = Context::Package;
    s.call(c, &set(Some("wide"), Some("a\u{1F600}b")));
    assert_eq!(s.call(c, &get("wide")).size, Some(4));
    let o = s.call(c, &get_buf(Some("wide"), Buffer::Sized(3), false));
    assert_eq!(
        (o.rc, value(&o), o.size),
        (Some(234), "a", Some(4)),
        "a surrogate pair is not split"
    );
}

fn table(
    name: &str,
    columns: &[(&str, &str, bool)],
    rows: &[&[&str]],
) -> msiconf_spec::fixture::Table {
    msiconf_spec::fixture::Table {
        name: name.into(),
        columns: columns
            .iter()
            .map(|(n, k, key)| msiconf_spec::fixture::Column {
                name: (*n).into(),
                kind: (*k).into(),
                key: *key,
            })
            .collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|x| (*x).to_owned()).collect())
            .collect(),
    }
}

#[test]
fn file_and_component_keys_resolve_after_costing() {
    let mut f = Fixture::standard();
    f.tables.push(table(
        "Directory",
        &[
            ("Directory", "s72", true),
            ("Directory_Parent", "S72", false),
            ("DefaultDir", "l255", false),
        ],
        &[
            &["TARGETDIR", "", "SourceDir"],
            &["LONG", "TARGETDIR", "short|I am a really long directory"],
        ],
    ));
    f.tables.push(table(
        "Component",
        &[("Component", "s72", true), ("Directory_", "s72", false)],
        &[&["frontal", "TARGETDIR"], &["temporal", "LONG"]],
    ));
    f.tables.push(table(
        "File",
        &[
            ("File", "s72", true),
            ("Component_", "s72", false),
            ("FileName", "l255", false),
        ],
        &[&["frontal_file", "frontal", "FRONTAL.TXT|frontal.txt"]],
    ));
    let mut s = Session::new(&f, &config(Profile::Windows));
    let c = Context::Package;
    assert_eq!(value(&s.call(c, &fmt("[#frontal_file]", &[]))), "");
    assert_eq!(value(&s.call(c, &fmt("[$temporal]", &[]))), "");
    for a in ["CostInitialize", "FileCost", "CostFinalize"] {
        assert_eq!(s.call(c, &do_action(Some(a))).rc, Some(0));
    }
    assert_eq!(
        value(&s.call(c, &fmt("[#frontal_file]", &[]))),
        r"C:\frontal.txt"
    );
    assert_eq!(
        value(&s.call(c, &fmt("[!frontal_file]", &[]))),
        r"C:\frontal.txt"
    );
    assert_eq!(
        value(&s.call(c, &fmt("[$temporal]", &[]))),
        r"C:\I am a really long directory\"
    );
    assert_eq!(value(&s.call(c, &fmt("[#nofile]", &[]))), "");
    // CostFinalize fixed the paths; MsiSetTargetPath moves them.
    let moved = s.call(
        c,
        &Operation::SetTargetPath {
            folder: Some("TARGETDIR".into()),
            path: Some(r"D:\".into()),
            handle: HandleArg::Session,
        },
    );
    assert_eq!(moved.rc, Some(0));
    assert_eq!(
        value(&s.call(c, &fmt("[$temporal]", &[]))),
        r"D:\I am a really long directory\"
    );
    assert_eq!(
        value(&s.call(c, &fmt("[#frontal_file]", &[]))),
        r"D:\frontal.txt"
    );
    // Deferred formatting resolves only CustomActionData and ProductCode.
    assert_eq!(
        value(&s.call(Context::Deferred, &fmt("[#frontal_file]", &[]))),
        ""
    );
}

#[test]
fn the_language_is_fixed_when_the_package_opens() {
    let mut s = session();
    let c = Context::ImmediateBeforeInit;
    s.call(c, &set(Some("ProductLanguage"), Some("BlueTap")));
    assert_eq!(s.call(c, &Operation::GetLanguage).number, Some(1033));
    assert_eq!(
        s.call(Context::ScriptDeferred, &Operation::SessionLanguage)
            .number,
        Some(1033)
    );
}
