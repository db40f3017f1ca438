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

/// A column's type as the IDT notation and MsiViewGetColumnInfo's type
/// strings spell it: a letter for the kind (`s` string, `l` localizable
/// string, `i` integer, `v` stream; `g` and `j` for TEMPORARY strings and
/// integers), upper-case when the column accepts Null, then the size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnType {
    pub kind: ColKind,
    pub nullable: bool,
    pub localizable: bool,
    pub temporary: bool,
}

impl ColumnType {
    /// Reads an IDT type (`s72`, `S255`, `i2`, `I4`, `l0`, `v0`, `g255`, `j2`);
    /// a persistent string when the letter is unknown.
    pub fn parse(text: &str) -> ColumnType {
        let mut chars = text.chars();
        let letter = chars.next().unwrap_or('s');
        let size: u16 = chars.as_str().parse().unwrap_or(0);
        let lower = letter.to_ascii_lowercase();
        let kind = match lower {
            'i' | 'j' => ColKind::Int(if size == 2 { 2 } else { 4 }),
            'v' => ColKind::Stream,
            _ => ColKind::Str(size),
        };
        ColumnType {
            kind,
            nullable: letter.is_ascii_uppercase(),
            localizable: lower == 'l',
            temporary: matches!(lower, 'g' | 'j'),
        }
    }

    /// The type string (MsiViewGetColumnInfo with MSICOLINFO_TYPES).
    pub fn render(&self) -> String {
        let (letter, size) = match self.kind {
            ColKind::Int(n) => (if self.temporary { 'j' } else { 'i' }, u32::from(n)),
            ColKind::Stream => ('v', 0),
            ColKind::Str(n) if self.temporary => ('g', u32::from(n)),
            ColKind::Str(n) if self.localizable => ('l', u32::from(n)),
            ColKind::Str(n) => ('s', u32::from(n)),
        };
        let letter = if self.nullable {
            letter.to_ascii_uppercase()
        } else {
            letter
        };
        format!("{letter}{size}")
    }
}

#[cfg(test)]
mod column_type_tests {
    use super::*;

    #[test]
    fn type_strings_round_trip_and_mark_temporary_columns() {
        for t in [
            "s72", "S255", "i2", "I4", "L0", "l255", "V0", "g255", "G255", "j2", "J4",
        ] {
            assert_eq!(ColumnType::parse(t).render(), t);
        }
        let temp_string = ColumnType {
            kind: ColKind::Str(255),
            nullable: true,
            localizable: false,
            temporary: true,
        };
        assert_eq!(temp_string.render(), "G255");
    }
}
