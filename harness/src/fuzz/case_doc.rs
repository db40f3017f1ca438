//! Case files as the fuzzer writes them.
//!
//! The types follow `docs/case-format.md` field for field. They let the fuzzer
//! write a finding as an ordinary case and, while shrinking, check cheaply
//! that the case rebuilds exactly the shrunk plan ([`CaseDoc::to_plan`]
//! mirrors the loader) and that its expectations pass on the reference and
//! fail on the runtime ([`CaseDoc::failures`]). The harness's loader,
//! [`crate::case::parse_case`], reads the written text back in the tests.

use msiconf_spec::fixture::{CustomActionRow, PropertyRow, SequenceRow, Table};
use msiconf_spec::plan::{default_probe, PACKAGE_PROBE};
use msiconf_spec::{
    ActionRecord, Context, Fixture, InstallOptions, OpKind, Operation, Outcome, Plan, PlanBuilder,
    Profile, Transcript, UiLevel,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One case file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CaseDoc {
    pub description: String,
    pub rules: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profiles: Option<Vec<Profile>>,
    #[serde(default)]
    pub fixture: FixtureDoc,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install: Option<InstallDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<ProbeDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepDoc>,
}

fn yes() -> bool {
    true
}

/// The `[fixture]` table: rows added to the standard package unless `standard = false`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FixtureDoc {
    #[serde(default = "yes")]
    pub standard: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<PropertyRow>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_actions: Vec<CustomActionRow>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub execute_sequence: Vec<SequenceRow>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ui_sequence: Vec<SequenceRow>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
}

impl Default for FixtureDoc {
    fn default() -> Self {
        FixtureDoc {
            standard: true,
            properties: Vec::new(),
            custom_actions: Vec::new(),
            execute_sequence: Vec::new(),
            ui_sequence: Vec::new(),
            tables: Vec::new(),
        }
    }
}

/// The `[install]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct InstallDoc {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
    #[serde(default)]
    pub ui: UiLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<InstallExpect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_documented: Option<InstallExpect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_windows: Option<InstallExpect>,
}

/// What the top-level install must give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct InstallExpect {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<ActionRecord>>,
}

/// A `[[probes]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ProbeDoc {
    pub name: String,
    pub context: Context,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_runs: Option<usize>,
}

/// A `[[steps]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StepDoc {
    pub context: Context,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
    pub call: Operation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_documented: Option<Expect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_windows: Option<Expect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// The parts of an outcome a step requires.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Expect {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rc: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rc_not: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonempty: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_not: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raises: Option<bool>,
}

impl Expect {
    /// The expectation that pins every part of `outcome` (what the reference gave).
    pub fn pinning(outcome: &Outcome, kind: OpKind) -> Expect {
        Expect {
            rc: outcome.rc,
            value: outcome.value.clone(),
            size: outcome.size,
            number: outcome.number,
            handle: outcome.handle,
            rows: outcome.rows.clone(),
            exception: outcome.exception.clone(),
            raises: (kind.is_automation() && outcome.exception.is_none()).then_some(false),
            ..Expect::default()
        }
    }

    /// Keeps only the parts `other` agrees with (a probe that runs twice must meet both).
    fn intersect(&mut self, other: &Expect) {
        fn keep<T: PartialEq>(a: &mut Option<T>, b: &Option<T>) {
            if a != b {
                *a = None;
            }
        }
        keep(&mut self.rc, &other.rc);
        keep(&mut self.value, &other.value);
        keep(&mut self.size, &other.size);
        keep(&mut self.number, &other.number);
        keep(&mut self.handle, &other.handle);
        keep(&mut self.rows, &other.rows);
        keep(&mut self.exception, &other.exception);
        keep(&mut self.raises, &other.raises);
    }

    fn is_empty(&self) -> bool {
        *self == Expect::default()
    }

    /// Why `outcome` does not meet this expectation, if it does not.
    pub fn mismatch(&self, outcome: &Outcome) -> Option<String> {
        if let Some(reason) = &outcome.unsupported {
            return Some(format!("the call was not made ({reason})"));
        }
        let mut bad = Vec::new();
        if self.rc.is_some() && self.rc != outcome.rc {
            bad.push(format!("rc {:?}", outcome.rc));
        }
        if self.rc_not.is_some() && self.rc_not == outcome.rc {
            bad.push(format!("rc {:?}", outcome.rc));
        }
        if self.value.is_some() && self.value != outcome.value {
            bad.push(format!("value {:?}", outcome.value));
        }
        if let Some(nonempty) = self.nonempty {
            if outcome.value.as_deref().is_some_and(|v| !v.is_empty()) != nonempty {
                bad.push(format!("value {:?}", outcome.value));
            }
        }
        if self.size.is_some() && self.size != outcome.size {
            bad.push(format!("size {:?}", outcome.size));
        }
        if self.number.is_some() && self.number != outcome.number {
            bad.push(format!("number {:?}", outcome.number));
        }
        if self.handle.is_some() && self.handle != outcome.handle {
            bad.push(format!("handle {:?}", outcome.handle));
        }
        if self.handle_not.is_some() && self.handle_not == outcome.handle {
            bad.push(format!("handle {:?}", outcome.handle));
        }
        if self.rows.is_some() && self.rows != outcome.rows {
            bad.push(format!("rows {:?}", outcome.rows));
        }
        if self.exception.is_some() && self.exception != outcome.exception {
            bad.push(format!("exception {:?}", outcome.exception));
        }
        if let Some(raises) = self.raises {
            if outcome.exception.is_some() != raises {
                bad.push(format!("exception {:?}", outcome.exception));
            }
        }
        (!bad.is_empty()).then(|| bad.join(", "))
    }
}

/// The probe a step is performed by.
fn step_probe(step: &StepDoc) -> String {
    match &step.probe {
        Some(p) => p.clone(),
        None => default_probe(step.context)
            .map_or(PACKAGE_PROBE, |p| p.0)
            .to_owned(),
    }
}

impl CaseDoc {
    /// The plan this case asks a runtime to run.
    pub fn to_plan(&self) -> Plan {
        let mut fixture = if self.fixture.standard {
            Fixture::standard()
        } else {
            Fixture::default()
        };
        // As the harness's loader does: a row whose key the standard package
        // already has replaces it.
        let f = &self.fixture;
        for row in &f.properties {
            fixture.properties.retain(|r| r.name != row.name);
            fixture.properties.push(row.clone());
        }
        for row in &f.custom_actions {
            fixture.custom_actions.retain(|r| r.action != row.action);
            fixture.custom_actions.push(row.clone());
        }
        for row in &f.execute_sequence {
            fixture.execute_sequence.retain(|r| r.action != row.action);
            fixture.execute_sequence.push(row.clone());
        }
        for row in &f.ui_sequence {
            fixture.ui_sequence.retain(|r| r.action != row.action);
            fixture.ui_sequence.push(row.clone());
        }
        for table in &f.tables {
            fixture.tables.retain(|t| t.name != table.name);
            fixture.tables.push(table.clone());
        }
        let mut builder = PlanBuilder::new(fixture);
        if let Some(install) = &self.install {
            builder.install(InstallOptions {
                properties: install.properties.clone(),
                ui: install.ui,
            });
        }
        for probe in &self.probes {
            builder.probe(&probe.name, probe.context);
        }
        for step in &self.steps {
            builder.step(step.context, step.probe.as_deref(), step.call.clone());
        }
        for probe in &self.probes {
            if let Some(code) = probe.returns {
                builder.returns(&probe.name, code);
            }
        }
        builder.build()
    }

    /// Every way `transcript` fails this case's own expectations under `profile`
    /// (rule predicates are the runner's business, not the case's).
    pub fn failures(&self, transcript: &Transcript, profile: Profile) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for step in &self.steps {
            let probe = step_probe(step);
            let index = seen.entry(probe.clone()).or_insert(0);
            let step_ref = msiconf_spec::StepRef {
                probe,
                index: *index,
            };
            *index += 1;
            let expect = match profile {
                Profile::Documented => step.expect_documented.as_ref(),
                Profile::Windows => step.expect_windows.as_ref(),
            }
            .or(step.expect.as_ref());
            let Some(expect) = expect else { continue };
            let mut any = false;
            for event in transcript.events_for(&step_ref) {
                any = true;
                if let Some(why) = expect.mismatch(&event.outcome) {
                    out.push(format!("{step_ref}: {why}"));
                }
            }
            if !any {
                out.push(format!("{step_ref}: the step was never performed"));
            }
        }
        for probe in &self.probes {
            if let Some(runs) = probe.expect_runs {
                let got = transcript.run_count(&probe.name);
                if got != runs {
                    out.push(format!("{} started {got} times, not {runs}", probe.name));
                }
            }
        }
        if let Some(install) = &self.install {
            let expect = match profile {
                Profile::Documented => install.expect_documented.as_ref(),
                Profile::Windows => install.expect_windows.as_ref(),
            }
            .or(install.expect.as_ref());
            if let Some(expect) = expect {
                if expect.result.is_some() && expect.result != transcript.install_result {
                    out.push(format!("install result {:?}", transcript.install_result));
                }
                if let Some(actions) = &expect.actions {
                    if *actions != transcript.actions {
                        out.push("actions started differ".to_owned());
                    }
                }
            }
        }
        out
    }
}

/// What a written case says about itself besides its steps.
#[derive(Debug, Clone)]
pub struct CaseMeta {
    pub description: String,
    pub rules: Vec<String>,
    pub tags: Vec<String>,
    pub profile: Profile,
    /// The rule each step checks, when a violation shows at that step.
    pub step_rules: BTreeMap<msiconf_spec::StepRef, String>,
}

/// The case for `plan` whose expectations are what `reference` observed.
pub fn case_from_plan(plan: &Plan, reference: &Transcript, meta: &CaseMeta) -> CaseDoc {
    let standard = Fixture::standard();
    let f = &plan.fixture;
    // The standard rows are left implicit when the plan still has them all,
    // untouched and where the standard package puts them.
    let is_standard = f.properties.len() >= standard.properties.len()
        && f.properties[..standard.properties.len()] == standard.properties[..]
        && standard
            .execute_sequence
            .iter()
            .all(|r| f.execute_sequence.contains(r))
        && standard
            .ui_sequence
            .iter()
            .all(|r| f.ui_sequence.contains(r));
    let fixture = if is_standard {
        FixtureDoc {
            standard: true,
            properties: f.properties[standard.properties.len()..].to_vec(),
            custom_actions: f.custom_actions.clone(),
            execute_sequence: f
                .execute_sequence
                .iter()
                .filter(|r| !standard.execute_sequence.contains(r))
                .cloned()
                .collect(),
            ui_sequence: f
                .ui_sequence
                .iter()
                .filter(|r| !standard.ui_sequence.contains(r))
                .cloned()
                .collect(),
            tables: f.tables.clone(),
        }
    } else {
        FixtureDoc {
            standard: false,
            properties: f.properties.clone(),
            custom_actions: f.custom_actions.clone(),
            execute_sequence: f.execute_sequence.clone(),
            ui_sequence: f.ui_sequence.clone(),
            tables: f.tables.clone(),
        }
    };
    let install = plan.install.as_ref().map(|i| InstallDoc {
        properties: i.properties.clone(),
        ui: i.ui,
        expect: Some(InstallExpect {
            result: reference.install_result,
            actions: Some(reference.actions.clone()),
        }),
        expect_documented: None,
        expect_windows: None,
    });
    let probes = plan
        .probes
        .iter()
        .map(|(name, script)| ProbeDoc {
            name: name.clone(),
            context: script.context,
            returns: (script.returns != 0).then_some(script.returns),
            expect_runs: Some(reference.run_count(name)),
        })
        .collect();
    let mut steps = Vec::new();
    let scripts = plan
        .package
        .iter()
        .map(|s| (PACKAGE_PROBE, s))
        .chain(plan.probes.iter().map(|(n, s)| (n.as_str(), s)));
    for (name, script) in scripts {
        let is_default = default_probe(script.context).map_or(PACKAGE_PROBE, |p| p.0) == name;
        for (index, call) in script.steps.iter().enumerate() {
            let step_ref = msiconf_spec::StepRef {
                probe: name.to_owned(),
                index,
            };
            let mut expect: Option<Expect> = None;
            for event in reference.events_for(&step_ref) {
                let e = Expect::pinning(&event.outcome, call.kind());
                match &mut expect {
                    None => expect = Some(e),
                    Some(x) => x.intersect(&e),
                }
            }
            steps.push(StepDoc {
                context: script.context,
                probe: (!is_default).then(|| name.to_owned()),
                call: call.clone(),
                expect: expect.filter(|e| !e.is_empty()),
                expect_documented: None,
                expect_windows: None,
                rule: meta.step_rules.get(&step_ref).cloned(),
            });
        }
    }
    let mut doc = CaseDoc {
        description: meta.description.clone(),
        rules: meta.rules.clone(),
        tags: meta.tags.clone(),
        profiles: Some(vec![meta.profile]),
        fixture,
        install,
        probes,
        steps,
    };
    // Rows the standard package also has may sit in another order after
    // shrinking; spell the whole package out when the short form would not
    // rebuild exactly this plan.
    if doc.fixture.standard && doc.to_plan() != *plan {
        doc.fixture = FixtureDoc {
            standard: false,
            properties: f.properties.clone(),
            custom_actions: f.custom_actions.clone(),
            execute_sequence: f.execute_sequence.clone(),
            ui_sequence: f.ui_sequence.clone(),
            tables: f.tables.clone(),
        };
    }
    doc
}

// ---------------------------------------------------------------------------
// TOML text, written by hand so calls and expectations stay on one line each,
// as the written cases have them.

fn bare_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn key(k: &str) -> String {
    if bare_key(k) {
        k.to_owned()
    } else {
        string(k)
    }
}

fn string(s: &str) -> String {
    let plain = |c: char| !c.is_control() && c != '\u{7f}';
    if s.contains('\\') && !s.contains('\'') && s.chars().all(plain) {
        return format!("'{s}'");
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if !plain(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Keys in the order a reader expects them (the order of `docs/case-format.md`);
/// anything else follows alphabetically.
const KEY_ORDER: &[&str] = &[
    "description",
    "rules",
    "tags",
    "profiles",
    "standard",
    "name",
    "context",
    "probe",
    "action",
    "type",
    "source",
    "target",
    "condition",
    "sequence",
    "columns",
    "key",
    "call",
    "properties",
    "custom-actions",
    "execute-sequence",
    "ui-sequence",
    "tables",
    "ui",
    "returns",
    "expect-runs",
    "expect",
    "expect-documented",
    "expect-windows",
    "rule",
];

fn ordered(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let rank = |k: &str| {
        KEY_ORDER
            .iter()
            .position(|x| *x == k)
            .unwrap_or(KEY_ORDER.len())
    };
    let mut items: Vec<(&String, &Value)> = map.iter().collect();
    items.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then_with(|| a.0.cmp(b.0)));
    items
}

fn inline(v: &Value) -> String {
    match v {
        Value::Null => "\"\"".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = ordered(map)
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| format!("{} = {}", key(k), inline(v)))
                .collect();
            if parts.is_empty() {
                "{}".to_owned()
            } else {
                format!("{{ {} }}", parts.join(", "))
            }
        }
    }
}

/// Writes a table's entries: arrays of tables one element per line, the rest inline.
fn entries(out: &mut String, map: &Map<String, Value>) {
    for (k, v) in ordered(map) {
        match v {
            Value::Null => {}
            Value::Array(items) if items.iter().any(Value::is_object) => {
                let _ = writeln!(out, "{} = [", key(k));
                for item in items {
                    let _ = writeln!(out, "  {},", inline(item));
                }
                out.push_str("]\n");
            }
            v => {
                let _ = writeln!(out, "{} = {}", key(k), inline(v));
            }
        }
    }
}

impl CaseDoc {
    /// The case as TOML text, in the layout of the hand-written cases.
    pub fn to_toml(&self) -> String {
        let Ok(Value::Object(mut root)) = serde_json::to_value(self) else {
            unreachable!("a case always serialises to a table");
        };
        let mut out = String::new();
        out.push_str(
            "# Found by `msiconf fuzz` and shrunk; expectations are the reference model's.\n",
        );
        if self.rules.is_empty() {
            // A case must cite a rule to load: leaving the list empty makes
            // whoever commits it decide which rule this is, or add one.
            out.push_str(
                "# No rule in the catalog covers this difference: cite one or add it before committing.\n",
            );
        }
        let sections = ["fixture", "install", "probes", "steps"];
        let mut head = Map::new();
        for (k, v) in &root {
            if !sections.contains(&k.as_str()) {
                head.insert(k.clone(), v.clone());
            }
        }
        entries(&mut out, &head);
        for name in ["fixture", "install"] {
            if let Some(Value::Object(table)) = root.remove(name) {
                let _ = writeln!(out, "\n[{name}]");
                entries(&mut out, &table);
            }
        }
        for name in ["probes", "steps"] {
            if let Some(Value::Array(items)) = root.remove(name) {
                for item in items {
                    if let Value::Object(table) = item {
                        let _ = writeln!(out, "\n[[{name}]]");
                        entries(&mut out, &table);
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_what_toml_needs() {
        assert_eq!(string("c:\\x"), "'c:\\x'");
        assert_eq!(string("a\u{0}b"), "\"a\\u0000b\"");
        assert_eq!(string("say \"hi\""), "\"say \\\"hi\\\"\"");
        let back: BTreeMap<String, String> =
            toml::from_str(&format!("v = {}", string("it's \\ \u{1}"))).unwrap();
        assert_eq!(back["v"], "it's \\ \u{1}");
    }

    /// A finding no catalog rule covers says so in its file, instead of citing
    /// some rule it has nothing to do with; one with a rule carries no such note.
    #[test]
    fn a_case_without_a_rule_says_so() {
        let meta = |rules: Vec<String>| CaseMeta {
            description: "d".into(),
            rules,
            tags: Vec::new(),
            profile: msiconf_spec::Profile::Windows,
            step_rules: BTreeMap::new(),
        };
        let plan = msiconf_spec::Plan::default();
        let t = msiconf_spec::Transcript::default();
        let bare = case_from_plan(&plan, &t, &meta(Vec::new())).to_toml();
        assert!(bare.contains("rules = []"), "{bare}");
        assert!(bare.contains("No rule in the catalog covers this difference"));
        let cited = case_from_plan(&plan, &t, &meta(vec!["PROP-GET-BUFFER".into()])).to_toml();
        assert!(!cited.contains("No rule in the catalog"), "{cited}");
    }
}
