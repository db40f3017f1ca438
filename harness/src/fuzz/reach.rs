//! What the generator reaches: for each input dimension the rules care about
//! (value lengths, name characters, white space, return codes, scheduling,
//! conditions, UI levels), the share of generated plans that exercise each
//! bucket. `msiconf fuzz --stats` prints the table; a test holds every bucket
//! at 1% of plans or more, so a dimension cannot quietly fall out of reach.
//!
//! Feature and component state terms in conditions (`&Feature`, `!Component`)
//! are not counted: the fixture has no Feature or Component rows to name yet.

use msiconf_spec::codes::catype;
use msiconf_spec::fixture::CustomActionRow;
use msiconf_spec::plan::UiLevel;
use msiconf_spec::{Buffer, Context, Operation, Plan};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

/// One bucket of one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub dimension: &'static str,
    pub name: &'static str,
}

const fn b(dimension: &'static str, name: &'static str) -> Bucket {
    Bucket { dimension, name }
}

/// Every bucket, in the order the table prints them.
pub const BUCKETS: &[Bucket] = &[
    b("value length", "0"),
    b("value length", "1"),
    b("value length", "254-256"),
    b("value length", "259-261 (MAX_PATH)"),
    b("value length", "1023-1025"),
    b("value length", "32767"),
    b("value length", "65535"),
    b("value length", "CustomActionData >= 1024"),
    b("value length", "buffer within 1 of a value >= 254"),
    b("name characters", "underscore"),
    b("name characters", "dot"),
    b("name characters", "digit"),
    b("name characters", "leading digit"),
    b("name characters", "leading underscore"),
    b("name characters", "non-ASCII letter"),
    b("name characters", "property case twins"),
    b("name characters", "custom action case twins"),
    b("name characters", "SQL identifier case twins"),
    b("white space", "leading or trailing space in a value"),
    b("white space", "tab in a value"),
    b("white space", "CR or LF in a value"),
    b("white space", "white space around a name"),
    b("formatted text", "[ or ] unbalanced or nested"),
    b("formatted text", "{ or }"),
    b("formatted text", "backslash"),
    b("formatted text", "%"),
    b("formatted text", ";"),
    b("formatted text", "[~]"),
    b("return codes", "DLL 0"),
    b("return codes", "DLL 259 (skip rest)"),
    b("return codes", "DLL 1602 (user exit)"),
    b("return codes", "DLL 1603 (failure)"),
    b("return codes", "DLL other"),
    b("return codes", "script 1-3"),
    b("return codes", "script other"),
    b("return codes", "EXE 0"),
    b("return codes", "EXE 1-255"),
    b("return codes", "EXE > 255"),
    b("return codes", "EXE negative"),
    b("return codes", "UI-sequence probe not 0"),
    b("scheduling", "0x100 first sequence"),
    b("scheduling", "0x200 once per process"),
    b("scheduling", "0x300 client repeat"),
    b("scheduling", "0x40 continue in a sequence"),
    b("scheduling", "0x40 continue through DoAction"),
    b("scheduling", "deferred action scheduled twice"),
    b("scheduling", "two or more rollback actions"),
    b("scheduling", "two or more commit actions"),
    b("scheduling", "row at sequence 0"),
    b("scheduling", "condition on a standard-action row"),
    b("scheduling", "condition on an immediate custom-action row"),
    b("scheduling", "condition on an in-script row"),
    b("scheduling", "condition on a UI-sequence row"),
    b("conditions", "= or <>"),
    b("conditions", "< > <= >="),
    b("conditions", ">< << >>"),
    b("conditions", "~ (case-insensitive)"),
    b("conditions", "strings differing in case"),
    b("conditions", "integer against string"),
    b("conditions", "undefined property"),
    b("conditions", "environment variable"),
    b("conditions", "NOT AND OR XOR EQV IMP"),
    b("UI level", "none"),
    b("UI level", "basic"),
    b("UI level", "reduced"),
    b("UI level", "full"),
];

fn index(name: &str) -> usize {
    BUCKETS
        .iter()
        .position(|b| b.name == name)
        .unwrap_or_else(|| panic!("no bucket named {name:?}"))
}

/// What one plan holds, read once.
#[derive(Default)]
struct Texts {
    values: Vec<String>,
    names: Vec<String>,
    templates: Vec<String>,
    conditions: Vec<String>,
    sql: Vec<String>,
}

fn collect(v: &Value, key: &str, out: &mut Texts) {
    match v {
        Value::String(s) => match key {
            "value" | "target" | "data" | "fields" => out.values.push(s.clone()),
            "name" | "action" | "source" | "table" => out.names.push(s.clone()),
            "template" => out.templates.push(s.clone()),
            "condition" => out.conditions.push(s.clone()),
            "sql" => out.sql.push(s.clone()),
            _ => {}
        },
        Value::Array(items) => items.iter().for_each(|i| collect(i, key, out)),
        Value::Object(map) => {
            for (k, v) in map {
                collect(v, k, out);
            }
        }
        _ => {}
    }
}

fn texts(plan: &Plan) -> Texts {
    let mut t = Texts::default();
    let mut plan = plan.clone();
    // Command-line properties are a map: its keys are names, its values values.
    if let Some(install) = plan.install.as_mut() {
        for (name, value) in std::mem::take(&mut install.properties) {
            t.names.push(name);
            t.values.push(value);
        }
    }
    if let Ok(v) = serde_json::to_value(&plan) {
        collect(&v, "", &mut t);
    }
    t
}

fn steps(plan: &Plan) -> impl Iterator<Item = (&str, Context, &Operation)> {
    plan.package
        .iter()
        .map(|p| ("", Context::Package, p))
        .chain(
            plan.probes
                .iter()
                .map(|(name, p)| (name.as_str(), p.context, p)),
        )
        .flat_map(|(name, ctx, p)| p.steps.iter().map(move |op| (name, ctx, op)))
}

/// Words of a text with their case folded, grouped: a group with two spellings is a case twin.
fn has_case_twins<'a>(words: impl Iterator<Item = &'a str>) -> bool {
    let mut seen: HashMap<String, BTreeSet<&str>> = HashMap::new();
    for w in words {
        seen.entry(w.to_lowercase()).or_default().insert(w);
    }
    seen.values().any(|s| s.len() > 1)
}

fn backquoted(sql: &str) -> impl Iterator<Item = &str> {
    sql.split('`').skip(1).step_by(2)
}

/// Quoted strings and bare words of a condition (a rough tokenisation that is
/// enough to tell which kinds of operand it holds).
fn operands(condition: &str) -> (Vec<&str>, Vec<&str>) {
    let mut strings = Vec::new();
    let mut words = Vec::new();
    for (i, part) in condition.split('"').enumerate() {
        if i % 2 == 1 {
            strings.push(part);
        } else {
            words.extend(
                part.split(|c: char| !(c.is_alphanumeric() || "_.%$!?&-".contains(c)))
                    .filter(|w| !w.is_empty()),
            );
        }
    }
    (strings, words)
}

const LOGICAL: &[&str] = &["NOT", "AND", "OR", "XOR", "EQV", "IMP"];

/// The buckets `plan` exercises.
pub fn classify(plan: &Plan) -> Vec<usize> {
    let mut hit = BTreeSet::new();
    let mut on = |name: &str| {
        hit.insert(index(name));
    };
    let t = texts(plan);

    // Value lengths.
    let lens: Vec<usize> = t.values.iter().map(|v| v.chars().count()).collect();
    for &n in &lens {
        match n {
            0 => on("0"),
            1 => on("1"),
            254..=256 => on("254-256"),
            259..=261 => on("259-261 (MAX_PATH)"),
            1023..=1025 => on("1023-1025"),
            32767 => on("32767"),
            65535 => on("65535"),
            _ => {}
        }
    }
    let deferred_data = plan.fixture.custom_actions.iter().any(|r| {
        r.basic_type() == catype::SET_PROPERTY
            && r.source.as_deref().is_some_and(|s| {
                plan.fixture
                    .custom_action(s)
                    .is_some_and(CustomActionRow::is_in_script)
            })
            && r.target
                .as_deref()
                .is_some_and(|v| v.chars().count() >= 1024)
    });
    if deferred_data {
        on("CustomActionData >= 1024");
    }
    let sized: Vec<u32> = steps(plan)
        .filter_map(|(_, _, op)| match op {
            Operation::GetProperty {
                buffer: Buffer::Sized(n) | Buffer::NullBuffer(n),
                ..
            }
            | Operation::FormatRecord {
                buffer: Buffer::Sized(n) | Buffer::NullBuffer(n),
                ..
            } => Some(*n),
            _ => None,
        })
        .collect();
    if sized.iter().any(|&s| {
        lens.iter()
            .any(|&n| n >= 254 && (s as usize).abs_diff(n) <= 1)
    }) {
        on("buffer within 1 of a value >= 254");
    }

    // Name characters.
    for n in &t.names {
        let n = n.as_str();
        if n.contains('_') {
            on("underscore");
        }
        if n.contains('.') {
            on("dot");
        }
        if n.chars().any(|c| c.is_ascii_digit()) {
            on("digit");
        }
        if n.starts_with(|c: char| c.is_ascii_digit()) {
            on("leading digit");
        }
        if n.starts_with('_') {
            on("leading underscore");
        }
        if n.chars().any(|c| c.is_alphabetic() && !c.is_ascii()) {
            on("non-ASCII letter");
        }
        if n != n.trim() && !n.trim().is_empty() {
            on("white space around a name");
        }
    }
    let property_names = steps(plan)
        .filter_map(|(_, _, op)| match op {
            Operation::SetProperty { name, .. } | Operation::GetProperty { name, .. } => {
                name.as_deref()
            }
            Operation::SessionPropertyGet { name } | Operation::SessionPropertySet { name, .. } => {
                name.as_deref()
            }
            _ => None,
        })
        .chain(plan.fixture.properties.iter().map(|p| p.name.as_str()));
    if has_case_twins(property_names) {
        on("property case twins");
    }
    let action_names = plan
        .fixture
        .custom_actions
        .iter()
        .map(|r| r.action.as_str())
        .chain(steps(plan).filter_map(|(_, _, op)| match op {
            Operation::DoAction { action, .. } | Operation::SessionDoAction { action } => {
                action.as_deref()
            }
            _ => None,
        }));
    if has_case_twins(action_names) {
        on("custom action case twins");
    }
    if has_case_twins(t.sql.iter().flat_map(|s| backquoted(s))) {
        on("SQL identifier case twins");
    }

    // White space in values.
    for v in &t.values {
        if v.starts_with(' ') || v.ends_with(' ') {
            on("leading or trailing space in a value");
        }
        if v.contains('\t') {
            on("tab in a value");
        }
        if v.contains(['\r', '\n']) {
            on("CR or LF in a value");
        }
    }

    // Formatted text.
    for tpl in &t.templates {
        let opens = tpl.matches('[').count();
        let closes = tpl.matches(']').count();
        if opens != closes || tpl.contains("[[") {
            on("[ or ] unbalanced or nested");
        }
        if tpl.contains(['{', '}']) {
            on("{ or }");
        }
        if tpl.contains('\\') {
            on("backslash");
        }
        if tpl.contains('%') {
            on("%");
        }
        if tpl.contains(';') {
            on(";");
        }
        if tpl.contains("[~]") {
            on("[~]");
        }
    }

    // Return codes.
    for (name, p) in &plan.probes {
        let r = p.returns;
        match p.context {
            Context::Exe => match r as i32 {
                0 => on("EXE 0"),
                1..=255 => on("EXE 1-255"),
                n if n > 255 => on("EXE > 255"),
                _ => on("EXE negative"),
            },
            Context::ScriptImmediate | Context::ScriptDeferred => match r {
                1..=3 => on("script 1-3"),
                _ => on("script other"),
            },
            Context::Package => {}
            _ => match r {
                0 => on("DLL 0"),
                259 => on("DLL 259 (skip rest)"),
                1602 => on("DLL 1602 (user exit)"),
                1603 => on("DLL 1603 (failure)"),
                _ => on("DLL other"),
            },
        }
        if r != 0 && plan.fixture.ui_sequence.iter().any(|s| s.action == *name) {
            on("UI-sequence probe not 0");
        }
    }

    // Scheduling.
    let f = &plan.fixture;
    for r in &f.custom_actions {
        match r.kind & (catype::IN_SCRIPT | catype::CLIENT_REPEAT) {
            catype::FIRST_SEQUENCE => on("0x100 first sequence"),
            catype::ONCE_PER_PROCESS => on("0x200 once per process"),
            catype::CLIENT_REPEAT => on("0x300 client repeat"),
            _ => {}
        }
        if r.kind & catype::CONTINUE != 0 {
            let sequenced = f
                .execute_sequence
                .iter()
                .chain(&f.ui_sequence)
                .any(|s| s.action == r.action && s.sequence > 0);
            if sequenced {
                on("0x40 continue in a sequence");
            }
        }
    }
    let do_actions: Vec<&str> = steps(plan)
        .filter_map(|(_, _, op)| match op {
            Operation::DoAction {
                action: Some(a), ..
            }
            | Operation::SessionDoAction { action: Some(a) } => Some(a.as_str()),
            _ => None,
        })
        .collect();
    if do_actions.iter().any(|a| {
        f.custom_action(a)
            .is_some_and(|r| r.kind & catype::CONTINUE != 0)
    }) {
        on("0x40 continue through DoAction");
    }
    let twice = f
        .custom_actions
        .iter()
        .any(|r| r.is_in_script() && do_actions.iter().filter(|a| **a == r.action).count() >= 2);
    if twice {
        on("deferred action scheduled twice");
    }
    let count = |bit: u32| {
        f.custom_actions
            .iter()
            .filter(|r| {
                r.is_in_script()
                    && r.kind & catype::CLIENT_REPEAT == bit
                    && f.execute_sequence
                        .iter()
                        .any(|s| s.action == r.action && s.sequence > 0)
            })
            .count()
    };
    if count(catype::ROLLBACK) >= 2 {
        on("two or more rollback actions");
    }
    if count(catype::COMMIT) >= 2 {
        on("two or more commit actions");
    }
    if f.execute_sequence
        .iter()
        .chain(&f.ui_sequence)
        .any(|s| s.sequence == 0)
    {
        on("row at sequence 0");
    }
    for s in f.execute_sequence.iter().filter(|s| s.condition.is_some()) {
        match f.custom_action(&s.action) {
            None => on("condition on a standard-action row"),
            Some(r) if r.is_in_script() => on("condition on an in-script row"),
            Some(_) => on("condition on an immediate custom-action row"),
        }
    }
    if f.ui_sequence.iter().any(|s| s.condition.is_some()) {
        on("condition on a UI-sequence row");
    }

    // Conditions.
    let defined: BTreeSet<&str> = f
        .properties
        .iter()
        .map(|p| p.name.as_str())
        .chain(
            plan.install
                .iter()
                .flat_map(|i| i.properties.keys().map(String::as_str)),
        )
        .collect();
    let mut set_values: HashMap<&str, Vec<&str>> = HashMap::new();
    for (_, _, op) in steps(plan) {
        if let Operation::SetProperty {
            name: Some(n),
            value: Some(v),
            ..
        } = op
        {
            set_values.entry(n.as_str()).or_default().push(v.as_str());
        }
    }
    for c in &t.conditions {
        let bare = c.replace(['~'], "");
        if bare.contains("<>")
            || (bare.contains('=') && !bare.contains("<=") && !bare.contains(">="))
        {
            on("= or <>");
        }
        if bare.contains("<=")
            || bare.contains(">=")
            || bare
                .replace("<>", "")
                .replace("><", "")
                .replace("<<", "")
                .replace(">>", "")
                .contains(['<', '>'])
        {
            on("< > <= >=");
        }
        if bare.contains("><") || bare.contains("<<") || bare.contains(">>") {
            on(">< << >>");
        }
        if c.contains('~') {
            on("~ (case-insensitive)");
        }
        let (strings, words) = operands(c);
        let lower_strings: Vec<String> = strings.iter().map(|s| s.to_lowercase()).collect();
        let case_differs = strings.iter().enumerate().any(|(i, s)| {
            lower_strings
                .iter()
                .enumerate()
                .any(|(j, l)| i != j && *l == s.to_lowercase() && strings[j] != *s)
        }) || words.iter().any(|w| {
            // The property's value as the Property table or a step sets it.
            plan.fixture
                .property(w)
                .into_iter()
                .chain(set_values.get(w).into_iter().flatten().copied())
                .any(|v| {
                    strings
                        .iter()
                        .any(|s| s.to_lowercase() == v.to_lowercase() && *s != v)
                })
        });
        if case_differs {
            on("strings differing in case");
        }
        let is_int = |w: &str| {
            let digits = w.strip_prefix('-').unwrap_or(w);
            !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
        };
        let has_int = words.iter().any(|w| is_int(w));
        let values = words.iter().filter_map(|w| plan.fixture.property(w));
        let mixed = (has_int && !strings.is_empty())
            || values.clone().any(|v| !is_int(v) && has_int)
            || values.clone().any(|v| is_int(v) && !strings.is_empty());
        if mixed {
            on("integer against string");
        }
        let props: Vec<&&str> = words
            .iter()
            .filter(|w| {
                w.starts_with(|c: char| c.is_alphabetic() || c == '_')
                    && !LOGICAL.contains(&w.to_ascii_uppercase().as_str())
            })
            .collect();
        if props.iter().any(|w| !defined.contains(**w)) {
            on("undefined property");
        }
        if words.iter().any(|w| w.starts_with('%')) {
            on("environment variable");
        }
        if words
            .iter()
            .any(|w| LOGICAL.contains(&w.to_ascii_uppercase().as_str()))
        {
            on("NOT AND OR XOR EQV IMP");
        }
    }

    // UI level.
    match plan.install.as_ref().map(|i| i.ui) {
        Some(UiLevel::Basic) => on("basic"),
        Some(UiLevel::Reduced) => on("reduced"),
        Some(UiLevel::Full) => on("full"),
        _ => on("none"),
    }
    hit.into_iter().collect()
}

/// Bucket counts over a run of plans.
#[derive(Debug, Clone)]
pub struct Reach {
    pub plans: u64,
    pub hits: Vec<u64>,
}

impl Default for Reach {
    fn default() -> Reach {
        Reach {
            plans: 0,
            hits: vec![0; BUCKETS.len()],
        }
    }
}

impl Reach {
    pub fn add(&mut self, plan: &Plan) {
        self.plans += 1;
        for i in classify(plan) {
            self.hits[i] += 1;
        }
    }

    /// The share of plans (0.0 to 1.0) that exercised bucket `i`.
    pub fn share(&self, i: usize) -> f64 {
        if self.plans == 0 {
            0.0
        } else {
            self.hits[i] as f64 / self.plans as f64
        }
    }

    /// The buckets below `floor` (a share), by name.
    pub fn below(&self, floor: f64) -> Vec<String> {
        (0..BUCKETS.len())
            .filter(|&i| self.share(i) < floor)
            .map(|i| {
                format!(
                    "{} / {} ({:.2}%)",
                    BUCKETS[i].dimension,
                    BUCKETS[i].name,
                    100.0 * self.share(i)
                )
            })
            .collect()
    }

    /// The table `msiconf fuzz --stats` prints.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "generator reach over {} plans", self.plans);
        let _ = writeln!(
            out,
            "{:<16} {:<46} {:>9} {:>7}",
            "dimension", "bucket", "plans", "share"
        );
        let mut last = "";
        for (i, b) in BUCKETS.iter().enumerate() {
            let dim = if b.dimension == last { "" } else { b.dimension };
            last = b.dimension;
            let _ = writeln!(
                out,
                "{:<16} {:<46} {:>9} {:>6.2}%",
                dim,
                b.name,
                self.hits[i],
                100.0 * self.share(i)
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::generate::{Capabilities, PlanGenerator};

    #[test]
    fn bucket_names_are_unique() {
        for (i, b) in BUCKETS.iter().enumerate() {
            assert_eq!(index(b.name), i, "{} appears twice", b.name);
        }
    }

    #[test]
    fn every_bucket_is_reached_by_at_least_one_percent_of_plans() {
        let generator = PlanGenerator::new(&Capabilities::everything());
        let mut reach = Reach::default();
        for seed in 0..5_000u64 {
            reach.add(&generator.plan(seed));
        }
        let low = reach.below(0.01);
        assert!(
            low.is_empty(),
            "below 1%:\n{}\n{}",
            low.join("\n"),
            reach.table()
        );
    }

    #[test]
    fn a_plan_without_those_inputs_hits_only_its_ui_level() {
        let plan = Plan::default();
        let hit: Vec<&str> = classify(&plan).iter().map(|&i| BUCKETS[i].name).collect();
        assert_eq!(hit, ["none"]);
    }
}
