//! What a call gave back.

use serde::{Deserialize, Serialize};

/// The observable result of one operation. Only the fields the operation
/// produces are set: MsiGetProperty sets `rc`, `value` and `size`; MsiGetMode
/// sets `number`; automation calls set `exception` when they raise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Outcome {
    /// The Win32 return code, for functions that return one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rc: Option<u32>,
    /// A string result: a property value, formatted text, a command line.
    /// Embedded NULs are kept as `\u0000`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The size written back through the size argument.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// A numeric result: a BOOL, LANGID, MSICONDITION, MSIDBSTATE, msiDoActionStatus or msiMessageStatus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    /// A handle that came back, normalised: 0 for none, otherwise its rank
    /// among the distinct handles this custom action has seen (1, 2, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<u32>,
    /// Records fetched, each as its fields from 1 up; integers in decimal, NULL as "".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<Vec<String>>>,
    /// The automation exception raised, such as `DISP_E_EXCEPTION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    /// Set when the runtime could not perform the call at all, with its reason.
    /// Such an outcome never satisfies an expectation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsupported: Option<String>,
}

impl Outcome {
    /// An outcome carrying only a return code.
    pub fn rc(rc: u32) -> Outcome {
        Outcome {
            rc: Some(rc),
            ..Outcome::default()
        }
    }

    /// An outcome carrying only a number.
    pub fn number(n: i64) -> Outcome {
        Outcome {
            number: Some(n),
            ..Outcome::default()
        }
    }

    /// An outcome for a call the runtime could not make.
    pub fn unsupported(reason: impl Into<String>) -> Outcome {
        Outcome {
            unsupported: Some(reason.into()),
            ..Outcome::default()
        }
    }

    /// A short human-readable rendering, for violation messages and reports.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(r) = &self.unsupported {
            parts.push(format!("unsupported ({r})"));
        }
        if let Some(rc) = self.rc {
            parts.push(format!("rc={rc}"));
        }
        if let Some(v) = &self.value {
            parts.push(format!("value={v:?}"));
        }
        if let Some(s) = self.size {
            parts.push(format!("size={s}"));
        }
        if let Some(n) = self.number {
            parts.push(format!("number={n}"));
        }
        if let Some(h) = self.handle {
            parts.push(format!("handle={h}"));
        }
        if let Some(rows) = &self.rows {
            parts.push(format!("rows={rows:?}"));
        }
        if let Some(e) = &self.exception {
            parts.push(format!("exception={e}"));
        }
        if parts.is_empty() {
            "nothing".to_owned()
        } else {
            parts.join(" ")
        }
    }
}
