//! The published JSON Schema (`docs/report.schema.json`) against the report model.

mod report_support;

use msiconf::report::model::{Report, Status};
use msiconf_spec::{Context, OpKind, Profile};
use report_support::{fixture, fixture_with_broken, schema, schema_errors, write_json_report};
use serde_json::{json, Value};

#[test]
fn the_schema_is_draft_2020_12_and_compiles() {
    let s = schema();
    assert_eq!(
        s["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "the schema must declare draft 2020-12"
    );
    jsonschema::draft202012::new(&s).expect("the schema compiles");
    jsonschema::meta::validate(&s).expect("the schema is a valid schema");
}

#[test]
fn the_fixture_reports_validate_and_round_trip() {
    for (report, name) in [
        (fixture(), "fixture.json"),
        (fixture_with_broken(), "fixture-with-broken.json"),
    ] {
        let path = write_json_report(&report, name);
        let text = std::fs::read_to_string(&path).expect("read back the json report");
        let back: Report = serde_json::from_str(&text).expect("the json report parses");
        assert_eq!(back, report, "{name} does not round-trip");
    }
}

#[test]
fn an_empty_report_validates() {
    let mut report = fixture();
    report.runs.clear();
    report.rules.clear();
    write_json_report(&report, "empty.json");
}

fn fixture_value() -> Value {
    serde_json::to_value(fixture()).expect("serialise")
}

/// Applies `edit` to the fixture's JSON and returns the schema's complaints.
fn errors_after(edit: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut v = fixture_value();
    edit(&mut v);
    schema_errors(&v)
}

/// An edit of the fixture's JSON that the schema must reject, named.
type Breakage = (&'static str, Box<dyn FnOnce(&mut Value)>);

#[test]
fn the_schema_rejects_what_the_model_rejects() {
    let cases: Vec<Breakage> = vec![
        (
            "an unknown top-level field",
            Box::new(|v| {
                v["extra"] = json!(1);
            }),
        ),
        (
            "another schema version",
            Box::new(|v| {
                v["schema-version"] = json!(2);
            }),
        ),
        (
            "a snake_case field name",
            Box::new(|v| {
                let run = &mut v["runs"][0];
                let ms = run["duration-ms"].take();
                run.as_object_mut().unwrap().remove("duration-ms");
                run["duration_ms"] = ms;
            }),
        ),
        (
            "an unknown status",
            Box::new(|v| {
                v["runs"][0]["cases"][0]["status"] = json!("flaky");
            }),
        ),
        (
            "an unknown profile",
            Box::new(|v| {
                v["runs"][0]["profile"] = json!("wine");
            }),
        ),
        (
            "an unknown context",
            Box::new(|v| {
                v["runs"][0]["runtime"]["contexts"][0] = json!("kernel");
            }),
        ),
        (
            "a negative duration",
            Box::new(|v| {
                v["runs"][0]["cases"][0]["duration-us"] = json!(-1);
            }),
        ),
        (
            "a lower-case rule ID",
            Box::new(|v| {
                v["runs"][0]["cases"][0]["rules"][0] = json!("doaction-case");
            }),
        ),
        (
            "an error without its error",
            Box::new(|v| {
                v["runs"][0]["cases"][0]["status"] = json!("error");
            }),
        ),
        (
            "a skip without its reason",
            Box::new(|v| {
                v["runs"][0]["cases"][0]["status"] = json!("skip");
            }),
        ),
        (
            "a failure without findings",
            Box::new(|v| {
                v["runs"][0]["cases"][0]["status"] = json!("fail");
            }),
        ),
        (
            "an expected failure that passed",
            Box::new(|v| {
                v["runs"][0]["cases"][0]["expected-failure"] = json!("note");
            }),
        ),
        (
            "a finding without observed",
            Box::new(|v| {
                let case = v["runs"][2]["cases"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|c| c["status"] == "fail")
                    .unwrap();
                case["findings"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("observed");
            }),
        ),
        (
            "a rule without has-predicate",
            Box::new(|v| {
                v["rules"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("has-predicate");
            }),
        ),
    ];
    for (what, edit) in cases {
        let errors = errors_after(edit);
        assert!(!errors.is_empty(), "the schema accepts {what}");
    }
}

/// Reads an `enum` list of strings from the schema's `$defs`.
fn schema_enum(name: &str) -> Vec<String> {
    let s = schema();
    s["$defs"][name]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("$defs/{name} has no enum"))
        .iter()
        .map(|v| v.as_str().expect("string enum").to_owned())
        .collect()
}

#[test]
fn the_schema_enums_match_the_vocabulary() {
    let contexts: Vec<String> = Context::ALL.iter().map(|c| c.name().to_owned()).collect();
    assert_eq!(schema_enum("context"), contexts, "contexts drifted");
    let ops: Vec<String> = OpKind::ALL.iter().map(|o| o.name().to_owned()).collect();
    assert_eq!(schema_enum("operation"), ops, "operations drifted");
    let profiles: Vec<String> = Profile::ALL.iter().map(|p| p.name().to_owned()).collect();
    assert_eq!(schema_enum("profile"), profiles, "profiles drifted");
    let statuses: Vec<String> = [Status::Pass, Status::Fail, Status::Error, Status::Skip]
        .iter()
        .map(|s| {
            serde_json::to_value(s)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(schema_enum("status"), statuses, "statuses drifted");
    assert_eq!(
        schema()["properties"]["schema-version"]["const"],
        json!(msiconf::report::model::SCHEMA_VERSION),
        "schema-version drifted"
    );
}
