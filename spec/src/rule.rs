//! Rules: a documented or observed behaviour, with the predicate that checks it.

use crate::plan::StepRef;
use crate::{Context, Plan, Transcript};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which expectation applies where the documentation and Windows disagree.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// What the documentation pages promise.
    Documented,
    /// What Windows does, where that is recorded; otherwise the documented behaviour.
    #[default]
    Windows,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Documented, Profile::Windows];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Documented => "documented",
            Profile::Windows => "windows",
        }
    }

    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a rule's expectation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Stated by the documentation.
    Must,
    /// Observed on Windows (through Wine's conformance tests run on Windows), not documented.
    Observed,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Observed => "OBSERVED",
        }
    }
}

/// The group a rule belongs to, for reports (rows of the matrix are grouped by family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Action names are matched exactly, case included.
    ActionNames,
    /// A Null action name and the ACTION / INSTALL fallback.
    NullAction,
    /// DoAction, Sequence and sequence tables.
    Sequencing,
    /// How custom-action return values are processed.
    ReturnCodes,
    /// MsiGetProperty / MsiSetProperty / Session.Property.
    Properties,
    /// What deferred, rollback and commit actions can see and do.
    Deferred,
    /// Custom actions write only temporary rows, columns and tables.
    TemporaryWrites,
    /// The SQL dialect's temporary tables, columns and hold counts.
    Sql,
    /// The active database handle and forbidden database functions.
    Database,
    /// One session per process; EXE actions have none; the process model.
    Session,
    /// Formatted text.
    Formatting,
    /// The automation Session object seen from scripts.
    Automation,
    /// Records: MsiCreateRecord and the MsiRecord* functions.
    Records,
    /// Target and source paths of the Directory table.
    Directories,
    /// Feature and component states.
    Features,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::ActionNames => "action-names",
            Family::NullAction => "null-action",
            Family::Sequencing => "sequencing",
            Family::ReturnCodes => "return-codes",
            Family::Properties => "properties",
            Family::Deferred => "deferred",
            Family::TemporaryWrites => "temporary-writes",
            Family::Sql => "sql",
            Family::Database => "database",
            Family::Session => "session",
            Family::Formatting => "formatting",
            Family::Automation => "automation",
            Family::Records => "records",
            Family::Directories => "directories",
            Family::Features => "features",
        }
    }
}

/// A predicate: reads a plan and the transcript it produced and pushes a
/// violation for every place the transcript breaks the rule under `profile`.
/// It must stay silent wherever the transcript does not settle the question.
pub type Predicate = fn(&Plan, &Transcript, Profile, &mut Vec<Violation>);

/// How a rule is checked.
#[derive(Clone, Copy)]
pub enum Check {
    /// A predicate over transcripts.
    Predicate(Predicate),
    /// Nothing the session API returns can show the rule; the reason says why.
    Unobservable(&'static str),
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Predicate(_) => f.write_str("Predicate(..)"),
            Check::Unobservable(why) => f.debug_tuple("Unobservable").field(why).finish(),
        }
    }
}

/// What a rule speaks about: the calls whose outcomes its predicate judges,
/// and whether it also judges the install as a whole (which actions ran, in
/// what order, with what result). A departure the predicates do not catch is
/// attributed by it: the fuzzer cites the rule whose subject holds the
/// differing call, and no rule when none does.
#[derive(Clone, Copy)]
pub struct Subject {
    pub calls: &'static [crate::OpKind],
    pub install: bool,
    /// When only some calls of those kinds are the rule's (a Null name, a
    /// bogus handle, a sized buffer), the test that picks them.
    pub when: Option<fn(&crate::Operation) -> bool>,
    /// The calls the rule is specifically about (a Null name, a bogus handle,
    /// the automation member it is named after), among those it judges.
    pub singles: Option<fn(&crate::Operation) -> bool>,
}

impl fmt::Debug for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subject")
            .field("calls", &self.calls)
            .field("install", &self.install)
            .field("when", &self.when.map(|_| ".."))
            .field("singles", &self.singles.map(|_| ".."))
            .finish()
    }
}

impl Subject {
    /// A rule about these calls only.
    pub const fn calls(calls: &'static [crate::OpKind]) -> Subject {
        Subject {
            calls,
            install: false,
            when: None,
            singles: None,
        }
    }
    /// A rule about the install as a whole, and about these calls (often
    /// DoAction, which runs part of an install).
    pub const fn install(calls: &'static [crate::OpKind]) -> Subject {
        Subject {
            calls,
            install: true,
            when: None,
            singles: None,
        }
    }
    /// The same subject, narrowed to the calls `test` accepts, which are
    /// what the rule is specifically about (a Null name, a bogus handle).
    pub const fn when(self, test: fn(&crate::Operation) -> bool) -> Subject {
        Subject {
            when: Some(test),
            singles: Some(test),
            ..self
        }
    }
    /// The same subject, narrowed to the calls `test` accepts, without
    /// making them its particular question (a rule about writes leaves out
    /// queries, but an UPDATE is no more its business than a Modify).
    pub const fn only(self, test: fn(&crate::Operation) -> bool) -> Subject {
        Subject {
            when: Some(test),
            ..self
        }
    }
    /// The same subject, singling out the calls `test` accepts as the ones it
    /// is specifically about (still judging the others it names).
    pub const fn singling_out(self, test: fn(&crate::Operation) -> bool) -> Subject {
        Subject {
            singles: Some(test),
            ..self
        }
    }
    /// Whether this call is one the rule is specifically about.
    pub fn singles_out(&self, call: &crate::Operation) -> bool {
        self.is_about(call) && self.singles.is_some_and(|test| test(call))
    }
    /// Whether the rule judges outcomes of calls of this kind.
    pub fn covers(&self, call: crate::OpKind) -> bool {
        self.calls.contains(&call)
    }
    /// Whether the rule speaks about this very call: its kind, and the
    /// arguments the rule is about when it names some.
    pub fn is_about(&self, call: &crate::Operation) -> bool {
        self.covers(call.kind()) && self.when.is_none_or(|test| test(call))
    }
}

/// One rule of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable ID from the catalog, such as `DOACTION-CASE`.
    pub id: &'static str,
    /// One line.
    pub title: &'static str,
    /// The rule in a sentence or two.
    pub statement: &'static str,
    /// Source keys from the catalog (`S0`, `MS:session-session`, `WT:package.c test_doaction`, ...).
    pub sources: &'static [&'static str],
    pub contexts: &'static [Context],
    pub family: Family,
    /// The calls (and whether the install itself) the rule speaks about.
    pub subject: Subject,
    pub level: Level,
    /// How the documentation and Windows disagree on this rule, when they do.
    pub disagreement: Option<&'static str>,
    pub check: Check,
}

impl Rule {
    /// Whether the rule carries a predicate.
    pub fn has_predicate(&self) -> bool {
        matches!(self.check, Check::Predicate(_))
    }

    /// Runs the rule's predicate, if it has one.
    pub fn check(
        &self,
        plan: &Plan,
        transcript: &Transcript,
        profile: Profile,
        out: &mut Vec<Violation>,
    ) {
        if let Check::Predicate(p) = self.check {
            p(plan, transcript, profile, out);
        }
    }
}

/// A place where a transcript breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Violation {
    pub rule: String,
    /// The step where it shows, when it shows at one step (not, say, in the install result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<StepRef>,
    pub expected: String,
    pub observed: String,
}

impl Violation {
    /// A violation of `rule` at `step`.
    pub fn at(
        rule: &str,
        step: Option<StepRef>,
        expected: impl Into<String>,
        observed: impl Into<String>,
    ) -> Violation {
        Violation {
            rule: rule.to_owned(),
            step,
            expected: abbreviate(expected.into()),
            observed: abbreviate(observed.into()),
        }
    }
}

/// Longest expectation or observation kept whole in a violation; longer ones (a
/// 65,535-character property, say) keep their head and tail and say how much was cut.
pub const MAX_VIOLATION_TEXT: usize = 240;

fn abbreviate(text: String) -> String {
    let count = text.chars().count();
    if count <= MAX_VIOLATION_TEXT {
        return text;
    }
    let head: String = text.chars().take(120).collect();
    let tail: String = text.chars().skip(count - 60).collect();
    format!("{head}…[{} characters cut]…{tail}", count - 180)
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.step {
            Some(step) => write!(
                f,
                "{} at {}: expected {}, observed {}",
                self.rule, step, self.expected, self.observed
            ),
            None => write!(
                f,
                "{}: expected {}, observed {}",
                self.rule, self.expected, self.observed
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_value_is_cut_in_the_middle_and_says_so() {
        let long = format!("value=\"{}\"", "x".repeat(65_535));
        let v = Violation::at("PROP-SET-GET", None, long, "rc=0");
        assert!(v.expected.starts_with("value=\"xxx"));
        assert!(v.expected.ends_with("xx\""));
        assert!(
            v.expected.contains("[65363 characters cut]"),
            "{}",
            v.expected
        );
        assert_eq!(v.observed, "rc=0");
        let short = Violation::at("PROP-SET-GET", None, "value=\"ab\"", "rc=0");
        assert_eq!(short.expected, "value=\"ab\"");
    }
}
