//! Shorthands for building operations and plans in the model tests.
#![allow(dead_code)]

use msiconf_spec::fixture::{CustomActionRow, SequenceRow};
use msiconf_spec::model::{self, Config, Deviation, Session};
use msiconf_spec::{
    Buffer, Context, Fixture, HandleArg, InstallOptions, Operation, Outcome, Plan, PlanBuilder,
    Profile, Transcript,
};

pub fn st(x: &str) -> Option<String> {
    Some(x.to_owned())
}

pub fn get(name: &str) -> Operation {
    Operation::GetProperty {
        name: st(name),
        buffer: Buffer::Ample,
        ansi: false,
        handle: HandleArg::Session,
    }
}

pub fn get_buf(name: Option<&str>, buffer: Buffer, ansi: bool) -> Operation {
    Operation::GetProperty {
        name: name.map(str::to_owned),
        buffer,
        ansi,
        handle: HandleArg::Session,
    }
}

pub fn set(name: Option<&str>, value: Option<&str>) -> Operation {
    Operation::SetProperty {
        ansi: false,
        name: name.map(str::to_owned),
        value: value.map(str::to_owned),
        handle: HandleArg::Session,
    }
}

pub fn do_action(name: Option<&str>) -> Operation {
    Operation::DoAction {
        action: name.map(str::to_owned),
        handle: HandleArg::Session,
    }
}

pub fn mode(m: u32) -> Operation {
    Operation::GetMode {
        mode: m,
        handle: HandleArg::Session,
    }
}

pub fn fmt(template: &str, fields: &[&str]) -> Operation {
    Operation::FormatRecord {
        null_record: false,
        template: template.to_owned(),
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        buffer: Buffer::Ample,
        ansi: false,
        handle: HandleArg::Session,
    }
}

pub fn sql(text: &str) -> Operation {
    Operation::Sql {
        db: "db".into(),
        sql: text.to_owned(),
    }
}

pub fn active_db() -> Operation {
    Operation::GetActiveDatabase { into: "db".into() }
}

pub fn value(o: &Outcome) -> &str {
    o.value.as_deref().unwrap_or("<none>")
}

pub fn config(profile: Profile) -> Config {
    Config {
        profile,
        deviations: Vec::new(),
    }
}

pub fn deviated(profile: Profile, d: Deviation) -> Config {
    Config {
        profile,
        deviations: vec![d],
    }
}

pub fn session() -> Session<'static> {
    Session::new(&Fixture::standard(), &Config::default())
}

pub fn ca(action: &str, kind: u32, source: Option<&str>, target: Option<&str>) -> CustomActionRow {
    CustomActionRow {
        action: action.to_owned(),
        kind,
        source: source.map(str::to_owned),
        target: target.map(str::to_owned),
    }
}

pub fn seq(action: &str, sequence: i32) -> SequenceRow {
    SequenceRow {
        action: action.to_owned(),
        condition: None,
        sequence,
    }
}

/// A fixture with extra custom actions sequenced in InstallExecuteSequence.
pub fn fixture_with(rows: Vec<(CustomActionRow, i32)>) -> Fixture {
    let mut f = Fixture::standard();
    for (row, position) in rows {
        f.execute_sequence.push(seq(&row.action, position));
        f.custom_actions.push(row);
    }
    f
}

/// Runs a plan built from steps in contexts (default probes), in a profile.
pub fn run_steps(steps: &[(Context, Operation)], cfg: &Config) -> Transcript {
    let mut b = PlanBuilder::new(Fixture::standard());
    for (c, op) in steps {
        b.step(*c, None, op.clone());
    }
    model::run(&b.build(), cfg)
}

/// The outcomes of a transcript in execution order.
pub fn outcomes(t: &Transcript) -> Vec<Outcome> {
    t.events.iter().map(|e| e.outcome.clone()).collect()
}

/// A plan that installs `fixture` with `probes` (name, context, steps, returns).
pub fn plan(
    fixture: Fixture,
    probes: &[(&str, Context, Vec<Operation>, u32)],
    install: InstallOptions,
) -> Plan {
    let mut b = PlanBuilder::new(fixture);
    for (name, ctx, steps, ret) in probes {
        b.probe(name, *ctx);
        for op in steps {
            b.step(*ctx, Some(name), op.clone());
        }
        b.returns(name, *ret);
    }
    b.install(install);
    b.build()
}

/// The events of one probe, as (value or number) outcomes.
pub fn probe_outcomes(t: &Transcript, probe: &str) -> Vec<Outcome> {
    t.events
        .iter()
        .filter(|e| e.probe == probe)
        .map(|e| e.outcome.clone())
        .collect()
}
