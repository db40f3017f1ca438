//! The vocabulary reads and writes the way case files and the protocol spell it.

use msiconf_spec::{Buffer, Context, OpKind, Operation, Outcome};

#[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
struct Holder {
    call: Operation,
}

#[test]
fn operations_read_from_toml() {
    let h: Holder =
        toml::from_str("call = { get-property = { name = \"boo\", buffer = { sized = 3 } } }")
            .unwrap();
    assert_eq!(
        h.call,
        Operation::GetProperty {
            name: Some("boo".into()),
            buffer: Buffer::Sized(3),
            ansi: false,
            handle: Default::default()
        }
    );
    let h: Holder = toml::from_str("call = \"get-language\"").unwrap();
    assert_eq!(h.call, Operation::GetLanguage);
}

#[test]
fn unknown_argument_is_rejected() {
    let err = toml::from_str::<Holder>("call = { do-action = { action = \"x\", bogus = 1 } }")
        .unwrap_err();
    assert!(err.to_string().contains("bogus"), "{err}");
}

#[test]
fn json_round_trip() {
    let op = Operation::DoAction {
        action: None,
        handle: Default::default(),
    };
    let text = serde_json::to_string(&op).unwrap();
    assert_eq!(text, r#"{"do-action":{"action":null}}"#);
    assert_eq!(serde_json::from_str::<Operation>(&text).unwrap(), op);
    let out = Outcome::rc(87);
    assert_eq!(serde_json::to_string(&out).unwrap(), r#"{"rc":87}"#);
}

#[test]
fn kinds_and_contexts_have_names() {
    for k in OpKind::ALL {
        assert_eq!(OpKind::from_name(k.name()), Some(*k));
    }
    for c in Context::ALL {
        assert_eq!(Context::from_name(c.name()), Some(c));
    }
}
