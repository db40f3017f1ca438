//! Expectations on one step's outcome and on the install, and how they are matched.

use msiconf_spec::{ActionRecord, Outcome};
use serde::{Deserialize, Serialize};

/// What a step's outcome must hold. Fields left out are not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Expect {
    /// The return code equals this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rc: Option<u32>,
    /// The return code is anything but this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rc_not: Option<u32>,
    /// The return code is one of these (where the sources allow several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rc_in: Option<Vec<u32>>,
    /// The string result equals this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The string result is (true) or is not (false) empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonempty: Option<bool>,
    /// The size written back equals this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// The numeric result equals this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    /// The numeric result is anything but this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_not: Option<i64>,
    /// The numeric result is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_in: Option<Vec<i64>>,
    /// The normalised handle equals this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<u32>,
    /// The normalised handle is anything but this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_not: Option<u32>,
    /// The fetched rows equal these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<Vec<String>>>,
    /// The automation exception equals this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    /// An automation exception was (true) or was not (false) raised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raises: Option<bool>,
}

/// One part of an outcome that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The expectation field, as the case file spells it.
    pub field: &'static str,
    /// What the case asked for.
    pub expected: String,
    /// What the runtime gave.
    pub observed: String,
}

fn shown<T: std::fmt::Debug>(v: &Option<T>) -> String {
    match v {
        Some(v) => format!("{v:?}"),
        None => "nothing".to_owned(),
    }
}

impl Expect {
    /// The parts of `outcome` that break this expectation (empty when it holds).
    pub fn mismatches(&self, outcome: &Outcome) -> Vec<Mismatch> {
        let mut out = Vec::new();
        let mut miss = |field, expected: String, observed: String| {
            out.push(Mismatch {
                field,
                expected,
                observed,
            })
        };
        if let Some(rc) = self.rc {
            if outcome.rc != Some(rc) {
                miss("rc", rc.to_string(), shown(&outcome.rc));
            }
        }
        if let Some(rc) = self.rc_not {
            if outcome.rc.is_none() || outcome.rc == Some(rc) {
                miss("rc-not", rc.to_string(), shown(&outcome.rc));
            }
        }
        if let Some(any) = &self.rc_in {
            if !outcome.rc.is_some_and(|rc| any.contains(&rc)) {
                miss("rc-in", format!("one of {any:?}"), shown(&outcome.rc));
            }
        }
        if let Some(v) = &self.value {
            if outcome.value.as_ref() != Some(v) {
                miss("value", format!("{v:?}"), shown(&outcome.value));
            }
        }
        if let Some(nonempty) = self.nonempty {
            let observed = outcome.value.as_ref().map(|v| !v.is_empty());
            if observed != Some(nonempty) {
                let want = if nonempty {
                    "a non-empty value"
                } else {
                    "an empty value"
                };
                miss("nonempty", want.to_owned(), shown(&outcome.value));
            }
        }
        if let Some(size) = self.size {
            if outcome.size != Some(size) {
                miss("size", size.to_string(), shown(&outcome.size));
            }
        }
        if let Some(n) = self.number {
            if outcome.number != Some(n) {
                miss("number", n.to_string(), shown(&outcome.number));
            }
        }
        if let Some(n) = self.number_not {
            if outcome.number.is_none() || outcome.number == Some(n) {
                miss(
                    "number-not",
                    format!("anything but {n}"),
                    shown(&outcome.number),
                );
            }
        }
        if let Some(any) = &self.number_in {
            if !outcome.number.is_some_and(|n| any.contains(&n)) {
                miss(
                    "number-in",
                    format!("one of {any:?}"),
                    shown(&outcome.number),
                );
            }
        }
        if let Some(h) = self.handle {
            if outcome.handle != Some(h) {
                miss("handle", h.to_string(), shown(&outcome.handle));
            }
        }
        if let Some(h) = self.handle_not {
            if outcome.handle.is_none() || outcome.handle == Some(h) {
                miss(
                    "handle-not",
                    format!("anything but {h}"),
                    shown(&outcome.handle),
                );
            }
        }
        if let Some(rows) = &self.rows {
            if outcome.rows.as_ref() != Some(rows) {
                miss("rows", format!("{rows:?}"), shown(&outcome.rows));
            }
        }
        if let Some(e) = &self.exception {
            if outcome.exception.as_ref() != Some(e) {
                miss("exception", e.clone(), shown(&outcome.exception));
            }
        }
        if let Some(raises) = self.raises {
            if outcome.exception.is_some() != raises {
                let want = if raises {
                    "an exception"
                } else {
                    "no exception"
                };
                miss("raises", want.to_owned(), shown(&outcome.exception));
            }
        }
        out
    }

    /// A short rendering of everything the expectation asks for.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(rc) = self.rc {
            parts.push(format!("rc={rc}"));
        }
        if let Some(rc) = self.rc_not {
            parts.push(format!("rc!={rc}"));
        }
        if let Some(any) = &self.rc_in {
            parts.push(format!("rc in {any:?}"));
        }
        if let Some(v) = &self.value {
            parts.push(format!("value={v:?}"));
        }
        if let Some(b) = self.nonempty {
            parts.push(format!("nonempty={b}"));
        }
        if let Some(s) = self.size {
            parts.push(format!("size={s}"));
        }
        if let Some(n) = self.number {
            parts.push(format!("number={n}"));
        }
        if let Some(n) = self.number_not {
            parts.push(format!("number!={n}"));
        }
        if let Some(any) = &self.number_in {
            parts.push(format!("number in {any:?}"));
        }
        if let Some(h) = self.handle {
            parts.push(format!("handle={h}"));
        }
        if let Some(h) = self.handle_not {
            parts.push(format!("handle!={h}"));
        }
        if let Some(r) = &self.rows {
            parts.push(format!("rows={r:?}"));
        }
        if let Some(e) = &self.exception {
            parts.push(format!("exception={e}"));
        }
        if let Some(b) = self.raises {
            parts.push(format!("raises={b}"));
        }
        if parts.is_empty() {
            "the call to be made".to_owned()
        } else {
            parts.join(" ")
        }
    }
}

/// An action the install must start, in order, with the result it must log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ActionExpect {
    /// The action name, exactly.
    pub name: String,
    /// The logged result (0 not executed, 1 success, 2 user exit, 3 failure, 4 suspend).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<i64>,
}

/// What the top-level install must give.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct InstallExpect {
    /// What MsiInstallProduct returns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<u32>,
    /// Actions that must start in this order. Other actions may start in
    /// between: the list is matched as a subsequence of the actions started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<ActionExpect>>,
}

impl InstallExpect {
    /// The parts of the install's record that break this expectation.
    pub fn mismatches(&self, result: Option<u32>, actions: &[ActionRecord]) -> Vec<Mismatch> {
        let mut out = Vec::new();
        if let Some(want) = self.result {
            if result != Some(want) {
                out.push(Mismatch {
                    field: "result",
                    expected: want.to_string(),
                    observed: shown(&result),
                });
            }
        }
        if let Some(want) = &self.actions {
            if !is_subsequence(want, actions) {
                out.push(Mismatch {
                    field: "actions",
                    expected: format!("[{}] in this order", render_expected(want)),
                    observed: render_actions(actions),
                });
            }
        }
        out
    }
}

fn is_subsequence(want: &[ActionExpect], got: &[ActionRecord]) -> bool {
    let mut got = got.iter();
    want.iter()
        .all(|w| got.any(|g| g.name == w.name && (w.result.is_none() || w.result == g.result)))
}

fn render_expected(want: &[ActionExpect]) -> String {
    let parts: Vec<String> = want
        .iter()
        .map(|a| match a.result {
            Some(r) => format!("{}={r}", a.name),
            None => a.name.clone(),
        })
        .collect();
    parts.join(", ")
}

fn render_actions(got: &[ActionRecord]) -> String {
    if got.is_empty() {
        return "no actions".to_owned();
    }
    let parts: Vec<String> = got
        .iter()
        .map(|a| match a.result {
            Some(r) => format!("{}={r}", a.name),
            None => a.name.clone(),
        })
        .collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_can_fail() {
        let outcome = Outcome {
            rc: Some(0),
            value: Some("abc".into()),
            size: Some(3),
            number: Some(1),
            handle: Some(1),
            rows: Some(vec![vec!["1".into()]]),
            exception: None,
            unsupported: None,
        };
        let holds = Expect {
            rc: Some(0),
            rc_not: Some(5),
            rc_in: Some(vec![0, 87]),
            value: Some("abc".into()),
            nonempty: Some(true),
            size: Some(3),
            number: Some(1),
            number_not: Some(6),
            number_in: Some(vec![1, 6]),
            handle: Some(1),
            handle_not: Some(0),
            rows: Some(vec![vec!["1".into()]]),
            exception: None,
            raises: Some(false),
        };
        assert!(holds.mismatches(&outcome).is_empty());
        let breaks = Expect {
            rc: Some(1),
            rc_not: Some(0),
            rc_in: Some(vec![6, 87]),
            value: Some("abd".into()),
            nonempty: Some(false),
            size: Some(4),
            number: Some(0),
            number_not: Some(1),
            number_in: Some(vec![0, 6]),
            handle: Some(2),
            handle_not: Some(1),
            rows: Some(vec![]),
            exception: Some("DISP_E_EXCEPTION".into()),
            raises: Some(true),
        };
        let fields: Vec<_> = breaks
            .mismatches(&outcome)
            .iter()
            .map(|m| m.field)
            .collect();
        assert_eq!(
            fields,
            [
                "rc",
                "rc-not",
                "rc-in",
                "value",
                "nonempty",
                "size",
                "number",
                "number-not",
                "number-in",
                "handle",
                "handle-not",
                "rows",
                "exception",
                "raises"
            ]
        );
    }

    #[test]
    fn missing_parts_never_satisfy() {
        let nothing = Outcome::default();
        let e = Expect {
            rc_not: Some(0),
            rc_in: Some(vec![0]),
            number_not: Some(0),
            number_in: Some(vec![0]),
            handle_not: Some(0),
            ..Expect::default()
        };
        assert_eq!(e.mismatches(&nothing).len(), 5);
    }

    #[test]
    fn actions_match_in_order() {
        let got = vec![
            ActionRecord {
                name: "CostInitialize".into(),
                result: Some(1),
            },
            ActionRecord {
                name: "CUSTOM".into(),
                result: Some(3),
            },
        ];
        let want = |n: &str, r| InstallExpect {
            result: None,
            actions: Some(vec![ActionExpect {
                name: n.into(),
                result: r,
            }]),
        };
        assert!(want("CUSTOM", Some(3)).mismatches(None, &got).is_empty());
        assert!(want("CUSTOM", None).mismatches(None, &got).is_empty());
        assert_eq!(want("CUSTOM", Some(1)).mismatches(None, &got).len(), 1);
        assert_eq!(want("custom", None).mismatches(None, &got).len(), 1);
        let reversed = InstallExpect {
            result: Some(0),
            actions: Some(vec![
                ActionExpect {
                    name: "CUSTOM".into(),
                    result: None,
                },
                ActionExpect {
                    name: "CostInitialize".into(),
                    result: None,
                },
            ]),
        };
        let fields: Vec<_> = reversed
            .mismatches(Some(1603), &got)
            .iter()
            .map(|m| m.field)
            .collect();
        assert_eq!(fields, ["result", "actions"]);
    }
}
