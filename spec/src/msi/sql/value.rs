//! Field values and column storage types.

use crate::codes::rc;

/// A field value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    Null,
    Int(i64),
    Str(String),
}

impl Value {
    /// The field as a transcript row shows it: integers in decimal, NULL as "".
    pub fn render(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Int(n) => n.to_string(),
            Value::Str(s) => s.clone(),
        }
    }

    /// Parses record text for a column: "" is NULL, integer columns need a number.
    pub fn from_text(text: &str, kind: ColKind) -> Result<Value, u32> {
        if text.is_empty() {
            return Ok(Value::Null);
        }
        match kind {
            ColKind::Int(_) => text
                .trim()
                .parse::<i64>()
                .map(Value::Int)
                .map_err(|_| rc::FUNCTION_FAILED),
            ColKind::Str(_) | ColKind::Stream => Ok(Value::Str(text.to_owned())),
        }
    }

    /// Converts a literal to a column's type (integers and strings convert into each other when they can).
    pub fn coerce(self, kind: ColKind) -> Result<Value, u32> {
        match (self, kind) {
            (Value::Null, _) => Ok(Value::Null),
            (Value::Str(s), ColKind::Int(_)) => Value::from_text(&s, kind),
            (Value::Int(n), ColKind::Str(_) | ColKind::Stream) => Ok(Value::Str(n.to_string())),
            (v, _) => Ok(v),
        }
    }
}

/// The storage type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColKind {
    /// An integer of 2 or 4 bytes.
    Int(u8),
    /// A string of at most this many characters (0: unlimited).
    Str(u16),
    /// An OBJECT (stream) column; the model keeps its text.
    Stream,
}
