//! The JSON Schemas in docs/protocol/ agree with the messages the Rust types
//! write and read: everything msiconf sends or accepts validates, malformed
//! messages do not, the enumerations list exactly the spec's names, and every
//! example in docs/protocol.md is both schema-valid and readable by msiconf.

mod common;

use jsonschema::{Retrieve, Uri, Validator};
use msiconf::protocol::{Capabilities, ErrorKind, Request, Response, RunRequestRef};
use msiconf_spec::model::Deviation;
use msiconf_spec::{ActionRecord, Context, Event, OpKind, Outcome, Plan, ProbeRun, Transcript};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

/// Resolves the schemas' relative references to the files beside them, and nothing else.
struct Folder(PathBuf);

impl Retrieve for Folder {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .as_str()
            .strip_prefix("https://example.invalid/msiconf/protocol/")
            .ok_or_else(|| format!("unexpected schema reference {}", uri.as_str()))?;
        let text = std::fs::read_to_string(self.0.join(name))?;
        Ok(serde_json::from_str(&text)?)
    }
}

fn schema_json(name: &str) -> Value {
    let path = docs().join("protocol").join(format!("{name}.schema.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn validator(name: &str) -> Validator {
    jsonschema::options()
        .with_retriever(Folder(docs().join("protocol")))
        .build(&schema_json(name))
        .unwrap_or_else(|e| panic!("{name}.schema.json does not compile: {e}"))
}

fn assert_valid(schema: &str, message: &Value) {
    let v = validator(schema);
    let errors: Vec<String> = v
        .iter_errors(message)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema}: {errors:#?}\nfor {message}");
    // The union schema of the direction must accept it too.
    let union = if ["hello", "run", "shutdown"].contains(&schema) {
        "request"
    } else {
        "response"
    };
    assert!(
        validator(union).is_valid(message),
        "{union} rejects {message}"
    );
}

fn to_value<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap()
}

fn plans() -> Vec<Plan> {
    let mut plans = common::every_call_in_every_context();
    plans.extend((0..3).map(|seed| common::mixed_plan(20, seed)));
    plans
}

/// A transcript that uses every field of every vocabulary type.
fn rich_transcript(plan: &Plan) -> Transcript {
    let mut events = Vec::new();
    for (probe, script) in plan.probes.iter() {
        for (index, call) in script.steps.iter().enumerate() {
            events.push(Event {
                probe: probe.clone(),
                context: script.context,
                index,
                call: call.clone(),
                outcome: Outcome {
                    rc: Some(234),
                    value: Some("a\u{0}b".into()),
                    size: Some(6),
                    number: Some(-1),
                    handle: Some(2),
                    rows: Some(vec![vec!["1".into(), String::new()]]),
                    exception: Some("DISP_E_EXCEPTION".into()),
                    unsupported: Some("not here".into()),
                },
            });
        }
    }
    Transcript {
        runs: plan
            .probes
            .iter()
            .map(|(probe, script)| ProbeRun {
                probe: probe.clone(),
                context: script.context,
                first_event: 0,
            })
            .collect(),
        events,
        actions: vec![
            ActionRecord {
                name: "INSTALL".into(),
                result: Some(1),
            },
            ActionRecord {
                name: "CUSTOM".into(),
                result: None,
            },
        ],
        install_result: Some(1603),
    }
}

#[test]
fn every_request_msiconf_sends_is_valid() {
    assert_valid(
        "hello",
        &to_value(&Request::Hello {
            protocol: 1,
            harness: Some("msiconf 0.1.0".into()),
        }),
    );
    assert_valid("shutdown", &to_value(&Request::Shutdown));
    for plan in plans() {
        assert_valid("run", &to_value(&RunRequestRef::new(u64::MAX, &plan)));
    }
}

#[test]
fn every_response_msiconf_accepts_is_valid() {
    let caps = Capabilities {
        name: "msiconf reference".into(),
        version: "0.1.0".into(),
        contexts: Context::ALL.to_vec(),
        operations: OpKind::ALL.to_vec(),
    };
    assert_valid("ready", &to_value(&Response::ready(&caps)));
    for plan in plans() {
        let message = to_value(&Response::Transcript {
            id: 3,
            transcript: rich_transcript(&plan),
        });
        assert_valid("transcript", &message);
        // And msiconf reads back exactly what it wrote.
        let back: Response = serde_json::from_value(message).unwrap();
        assert!(matches!(back, Response::Transcript { id: 3, .. }));
    }
    for kind in [
        ErrorKind::Unsupported,
        ErrorKind::Failed,
        ErrorKind::BadRequest,
    ] {
        for id in [Some(1), None] {
            assert_valid(
                "error",
                &to_value(&Response::Error {
                    id,
                    kind,
                    message: format!("a {} error", kind.name()),
                }),
            );
        }
    }
}

#[test]
fn malformed_messages_are_invalid() {
    let bad = [
        ("hello", json!({"type": "hello"})),
        ("hello", json!({"type": "hello", "protocol": 0})),
        ("run", json!({"type": "run", "plan": {"fixture": {}}})),
        ("run", json!({"type": "run", "id": 1, "plan": {}})),
        (
            "run",
            json!({"type": "run", "id": 1, "plan": {"fixture": {}, "package": {"context": "package", "steps": ["get-languages"]}}}),
        ),
        (
            "run",
            json!({"type": "run", "id": 1, "plan": {"fixture": {}, "package": {"context": "package", "steps": [{"get-mode": {}}]}}}),
        ),
        (
            "run",
            json!({"type": "run", "id": 1, "plan": {"fixture": {}, "package": {"context": "package", "steps": [{"get-property": {"buffer": {"sized": -1}}}]}}}),
        ),
        (
            "run",
            json!({"type": "run", "id": 1, "plan": {"fixture": {}, "package": {"context": "nowhere", "steps": []}}}),
        ),
        ("shutdown", json!({"type": "shutdown", "now": true})),
        (
            "ready",
            json!({"type": "ready", "protocol": 1, "name": "x", "version": "1", "contexts": ["package", "package"], "operations": []}),
        ),
        (
            "ready",
            json!({"type": "ready", "protocol": 1, "name": "x", "version": "1", "contexts": [], "operations": ["fly"]}),
        ),
        (
            "transcript",
            json!({"type": "transcript", "id": 1, "transcript": {"events": "many"}}),
        ),
        (
            "transcript",
            json!({"type": "transcript", "id": 1, "transcript": {"events": [{"probe": "p", "context": "package", "index": 0, "call": "get-language", "outcome": {"colour": 1}}]}}),
        ),
        (
            "error",
            json!({"type": "error", "id": 1, "kind": "oops", "message": "x"}),
        ),
        ("error", json!({"type": "error", "id": 1, "kind": "failed"})),
    ];
    for (schema, message) in bad {
        assert!(
            !validator(schema).is_valid(&message),
            "{schema} accepts {message}"
        );
    }
    // The union schemas tell the directions apart.
    assert!(!validator("request").is_valid(&json!({"type": "ready", "protocol": 1, "name": "x", "version": "1", "contexts": [], "operations": []})));
    assert!(!validator("response").is_valid(&json!({"type": "shutdown"})));
}

fn enum_names(def: &str) -> Vec<String> {
    schema_json("vocabulary")["$defs"][def]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("$defs/{def} has no enum"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_vocabulary_schema_names_exactly_the_spec_enumerations() {
    let contexts: Vec<String> = Context::ALL.iter().map(|c| c.name().to_owned()).collect();
    assert_eq!(enum_names("context"), contexts);
    let kinds: Vec<String> = OpKind::ALL.iter().map(|k| k.name().to_owned()).collect();
    assert_eq!(enum_names("op-kind"), kinds);
    // One alternative per operation, in the same order, named as the operation.
    let alternatives = schema_json("vocabulary")["$defs"]["operation"]["oneOf"].clone();
    let names: Vec<String> = alternatives
        .as_array()
        .unwrap()
        .iter()
        .map(|alt| match alt.get("const") {
            Some(name) => name.as_str().unwrap().to_owned(),
            None => alt["required"][0].as_str().unwrap().to_owned(),
        })
        .collect();
    assert_eq!(names, kinds);
    // Every sample operation validates against its own alternative (a typo'd
    // property name in the schema would make its alternative reject it).
    let operation = jsonschema::validator_for(&json!({
        "$defs": schema_json("vocabulary")["$defs"].clone(),
        "$ref": "#/$defs/operation"
    }))
    .unwrap();
    for &kind in OpKind::ALL {
        let op = to_value(&common::sample(kind));
        assert!(operation.is_valid(&op), "{kind}: {op}");
    }
}

/// The one-line JSON messages in docs/protocol.md's fenced `json` blocks.
fn documented_messages() -> Vec<Value> {
    let text = std::fs::read_to_string(docs().join("protocol.md")).unwrap();
    let mut out = Vec::new();
    let mut in_json = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_json = line.trim() == "```json";
            continue;
        }
        if in_json && line.starts_with('{') {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("docs/protocol.md: {e} in {line}"));
            out.push(value);
        }
    }
    out
}

#[test]
fn every_example_in_the_protocol_document_is_valid_and_readable() {
    let messages = documented_messages();
    let mut seen = std::collections::BTreeSet::new();
    for message in &messages {
        let kind = message["type"]
            .as_str()
            .expect("every example has a type")
            .to_owned();
        assert_valid(&kind, message);
        let line = message.to_string();
        if ["hello", "run", "shutdown"].contains(&kind.as_str()) {
            serde_json::from_str::<Request>(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        } else {
            serde_json::from_str::<Response>(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        }
        seen.insert(kind);
    }
    let all: std::collections::BTreeSet<String> =
        ["hello", "run", "shutdown", "ready", "transcript", "error"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    assert_eq!(
        seen, all,
        "docs/protocol.md shows an example of every message"
    );
}

#[test]
fn serve_names_every_broken_runtime_it_accepts() {
    // The document lists the serve runtimes by pointing at the deviation list; keep one check that they parse.
    for &d in Deviation::ALL {
        assert!(
            msiconf::serve::model_config(&format!("broken:{}", d.name()), Default::default())
                .is_ok()
        );
    }
}
