//! Hand-built plans and transcripts for the rule tests and the predicate benchmark.
#![allow(dead_code)]

pub mod cases;

use msiconf_spec::fixture::{Column, CustomActionRow, PropertyRow, SequenceRow, Table};
use msiconf_spec::plan::PACKAGE_PROBE;
use msiconf_spec::{
    ActionRecord, Buffer, Context, Event, Fixture, HandleArg, InstallOptions, Operation, Outcome,
    Plan, PlanBuilder, ProbeRun, Transcript,
};

/// A plan under construction together with the transcript a runtime might report for it.
pub struct Case {
    builder: PlanBuilder,
    events: Vec<Event>,
    runs: Vec<ProbeRun>,
    actions: Vec<ActionRecord>,
    result: Option<u32>,
}

impl Case {
    /// Starts from the standard fixture plus `edit`.
    pub fn new(edit: impl FnOnce(&mut Fixture)) -> Case {
        let mut f = Fixture::standard();
        edit(&mut f);
        Case {
            builder: PlanBuilder::new(f),
            events: Vec::new(),
            runs: Vec::new(),
            actions: Vec::new(),
            result: None,
        }
    }

    /// The standard fixture.
    pub fn standard() -> Case {
        Case::new(|_| {})
    }

    /// Sets the command line of the top-level install.
    pub fn install(mut self, props: &[(&str, &str)]) -> Case {
        self.builder.install(InstallOptions {
            properties: props
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..InstallOptions::default()
        });
        self
    }

    /// Sets the top-level install with full UI.
    pub fn install_full_ui(mut self) -> Case {
        self.builder.install(InstallOptions {
            ui: msiconf_spec::UiLevel::Full,
            ..InstallOptions::default()
        });
        self
    }

    /// A step of the context's default probe and the outcome the runtime reported.
    pub fn call(self, ctx: Context, op: Operation, outcome: Outcome) -> Case {
        self.call_in(ctx, None, op, outcome)
    }

    /// A step of a named probe.
    pub fn call_in(
        mut self,
        ctx: Context,
        probe: Option<&str>,
        op: Operation,
        outcome: Outcome,
    ) -> Case {
        let step = self.builder.step(ctx, probe, op.clone());
        let new_run = self
            .events
            .last()
            .is_none_or(|e| e.probe != step.probe || e.index >= step.index);
        if new_run && step.probe != PACKAGE_PROBE {
            self.runs.push(ProbeRun {
                probe: step.probe.clone(),
                context: ctx,
                first_event: self.events.len(),
            });
        }
        self.events.push(Event {
            probe: step.probe,
            context: ctx,
            index: step.index,
            call: op,
            outcome,
        });
        self
    }

    /// A step of a named probe that the transcript does not record (the runtime lost it).
    pub fn unrecorded(mut self, ctx: Context, probe: &str, op: Operation) -> Case {
        self.builder.step(ctx, Some(probe), op);
        self
    }

    /// Declares a probe that performs no steps.
    pub fn probe(mut self, name: &str, ctx: Context, returns: u32) -> Case {
        self.builder.probe(name, ctx);
        self.builder.returns(name, returns);
        self
    }

    /// Sets what an already declared probe returns.
    pub fn returns(mut self, name: &str, code: u32) -> Case {
        self.builder.returns(name, code);
        self
    }

    /// Records a start of a probe that made no call, at this point of the transcript.
    pub fn ran(mut self, probe: &str, ctx: Context) -> Case {
        self.runs.push(ProbeRun {
            probe: probe.to_owned(),
            context: ctx,
            first_event: self.events.len(),
        });
        self
    }

    /// Records a top-level action.
    pub fn action(mut self, name: &str, result: i64) -> Case {
        self.actions.push(ActionRecord {
            name: name.to_owned(),
            result: Some(result),
        });
        self
    }

    /// Sets the install result.
    pub fn result(mut self, rc: u32) -> Case {
        self.result = Some(rc);
        self
    }

    pub fn build(self) -> (Plan, Transcript) {
        let plan = self.builder.build();
        let t = Transcript {
            events: self.events,
            runs: self.runs,
            actions: self.actions,
            install_result: self.result,
        };
        (plan, t)
    }
}

pub fn prop(f: &mut Fixture, name: &str, value: &str) {
    f.properties.push(PropertyRow {
        name: name.into(),
        value: value.into(),
    });
}

pub fn ca(f: &mut Fixture, action: &str, kind: u32, source: &str, target: &str) {
    f.custom_actions.push(CustomActionRow {
        action: action.into(),
        kind,
        source: Some(source.into()),
        target: Some(target.into()),
    });
}

pub fn exec(f: &mut Fixture, action: &str, sequence: i32) {
    f.execute_sequence.push(SequenceRow {
        action: action.into(),
        condition: None,
        sequence,
    });
    f.execute_sequence.sort_by_key(|r| r.sequence);
}

pub fn exec_if(f: &mut Fixture, action: &str, condition: &str, sequence: i32) {
    f.execute_sequence.push(SequenceRow {
        action: action.into(),
        condition: Some(condition.into()),
        sequence,
    });
}

pub fn ui(f: &mut Fixture, action: &str, sequence: i32) {
    f.ui_sequence.push(SequenceRow {
        action: action.into(),
        condition: None,
        sequence,
    });
}

/// A table `Test` (A i2 key, B S72) with one row (1, "one").
pub fn test_table(f: &mut Fixture) {
    f.tables.push(Table {
        name: "Test".into(),
        columns: vec![
            Column {
                name: "A".into(),
                kind: "i2".into(),
                key: true,
            },
            Column {
                name: "B".into(),
                kind: "S72".into(),
                key: false,
            },
        ],
        rows: vec![vec!["1".into(), "one".into()]],
    });
}

/// A `_Validation` table describing `Test`'s two columns, so MsiViewModify validates it.
pub fn validation_table(f: &mut Fixture) {
    let col = |name: &str, kind: &str, key: bool| Column {
        name: name.into(),
        kind: kind.into(),
        key,
    };
    let row = |column: &str| {
        let mut r = vec!["Test".to_owned(), column.to_owned(), "N".to_owned()];
        r.resize(10, String::new());
        r
    };
    f.tables.push(Table {
        name: "_Validation".into(),
        columns: vec![
            col("Table", "s32", true),
            col("Column", "s32", true),
            col("Nullable", "s4", false),
            col("MinValue", "I4", false),
            col("MaxValue", "I4", false),
            col("KeyTable", "S255", false),
            col("KeyColumn", "I2", false),
            col("Category", "S32", false),
            col("Set", "S255", false),
            col("Description", "S255", false),
        ],
        rows: vec![row("A"), row("B")],
    });
}

pub fn da(name: &str) -> Operation {
    Operation::DoAction {
        action: Some(name.into()),
        handle: HandleArg::Session,
    }
}

pub fn gp(name: &str) -> Operation {
    Operation::GetProperty {
        name: Some(name.into()),
        buffer: Buffer::Ample,
        ansi: false,
        handle: HandleArg::Session,
    }
}

pub fn gp_with(name: &str, buffer: Buffer, ansi: bool) -> Operation {
    Operation::GetProperty {
        name: Some(name.into()),
        buffer,
        ansi,
        handle: HandleArg::Session,
    }
}

pub fn sp(name: &str, value: Option<&str>) -> Operation {
    Operation::SetProperty {
        ansi: false,
        name: Some(name.into()),
        value: value.map(Into::into),
        handle: HandleArg::Session,
    }
}

pub fn sql(text: &str) -> Operation {
    Operation::Sql {
        db: "db".into(),
        sql: text.into(),
    }
}

pub fn gad(into: &str) -> Operation {
    Operation::GetActiveDatabase { into: into.into() }
}

pub fn fmt(template: &str) -> Operation {
    Operation::FormatRecord {
        null_record: false,
        template: template.into(),
        fields: Vec::new(),
        buffer: Buffer::Ample,
        ansi: false,
        handle: HandleArg::Session,
    }
}

pub fn rc(code: u32) -> Outcome {
    Outcome::rc(code)
}

pub fn num(n: i64) -> Outcome {
    Outcome::number(n)
}

pub fn handle(h: u32) -> Outcome {
    Outcome {
        handle: Some(h),
        ..Outcome::default()
    }
}

/// A string getter's outcome: rc, value, size.
pub fn got(code: u32, value: &str, size: u32) -> Outcome {
    Outcome {
        rc: Some(code),
        value: Some(value.into()),
        size: Some(size),
        ..Outcome::default()
    }
}

pub fn text(value: &str) -> Outcome {
    Outcome {
        value: Some(value.into()),
        ..Outcome::default()
    }
}

pub fn formatted(value: &str) -> Outcome {
    Outcome {
        rc: Some(0),
        value: Some(value.into()),
        size: Some(value.chars().count() as u32),
        ..Outcome::default()
    }
}

pub fn rows(code: u32, rows: &[&[&str]]) -> Outcome {
    Outcome {
        rc: Some(code),
        rows: Some(
            rows.iter()
                .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
                .collect(),
        ),
        ..Outcome::default()
    }
}

pub fn raised() -> Outcome {
    Outcome {
        exception: Some("DISP_E_EXCEPTION".into()),
        ..Outcome::default()
    }
}
