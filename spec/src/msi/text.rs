//! Strings as the engine measures them: UTF-16 code units in caller
//! buffers, and the integers a condition recognises.

use crate::codes::rc;
use crate::Buffer;

/// The number of TCHARs a W function counts for `s`: UTF-16 code units, so a
/// character outside the Basic Multilingual Plane counts twice.
pub fn utf16_len(s: &str) -> u32 {
    if s.is_ascii() {
        // One unit per byte; the common case, and long values are ASCII.
        return s.len() as u32;
    }
    s.chars().map(|c| c.len_utf16() as u32).sum()
}

/// What a C function receives for `s` passed as a NUL-terminated string: the
/// text up to its first NUL. MsiSetProperty's value is such a string, so a
/// value with a NUL inside is stored cut there (only formatted text, `[~]`,
/// puts a NUL inside a property).
pub fn c_string(s: &str) -> &str {
    s.split('\0').next().unwrap_or("")
}

/// The longest prefix of `s` that fits in `units` UTF-16 code units (a
/// surrogate pair that would be cut is left out whole).
pub fn utf16_prefix(s: &str, units: u32) -> &str {
    if s.is_ascii() {
        return &s[..s.len().min(units as usize)];
    }
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += c.len_utf16() as u32;
        if used > units {
            return &s[..i];
        }
    }
    s
}

/// Whether cutting `s` after `units` code units would split a surrogate pair.
pub fn splits_surrogate(s: &str, units: u32) -> bool {
    if s.is_ascii() {
        return false;
    }
    utf16_len(utf16_prefix(s, units)) != units.min(utf16_len(s))
}

/// Characters in the ample buffer the vocabulary's `Buffer::Ample` stands for,
/// terminator included.
pub const AMPLE_BUFFER: u32 = 1024;

/// What a string getter (MsiGetProperty, MsiFormatRecord) reports for a value
/// of `len` code units, given how the caller supplied its buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetterResult {
    pub rc: u32,
    /// What the size argument holds afterwards (`None`: no size argument).
    pub size: Option<u32>,
    /// How many code units of the value are copied into the buffer
    /// (`None`: the buffer is not written).
    pub copied: Option<u32>,
}

/// The buffer rules of the string getters (PROP-GET-BUFFER): a value that
/// fits is copied whole with its length; one that does not gives
/// ERROR_MORE_DATA, the needed length, and as much of the value as fits
/// before the terminator (nothing for a zero-sized buffer). `bytes` doubles
/// the reported length where an A getter inside a custom action counts bytes.
/// A NULL size with a buffer is ERROR_INVALID_PARAMETER; NULL for both is a
/// no-op that succeeds.
pub fn getter_result(len: u32, buffer: Buffer, bytes: bool) -> GetterResult {
    let need = if bytes { len.saturating_mul(2) } else { len };
    let capacity = match buffer {
        Buffer::NullBoth => {
            return GetterResult {
                rc: rc::SUCCESS,
                size: None,
                copied: None,
            }
        }
        Buffer::NullSize => {
            return GetterResult {
                rc: rc::INVALID_PARAMETER,
                size: None,
                copied: None,
            }
        }
        Buffer::NullBuffer(_) => {
            return GetterResult {
                rc: rc::SUCCESS,
                size: Some(need),
                copied: None,
            }
        }
        Buffer::Ample => AMPLE_BUFFER,
        Buffer::Sized(k) => k,
    };
    if capacity > len {
        GetterResult {
            rc: rc::SUCCESS,
            size: Some(len),
            copied: Some(len),
        }
    } else {
        GetterResult {
            rc: rc::MORE_DATA,
            size: Some(need),
            copied: (capacity > 0).then(|| capacity - 1),
        }
    }
}

/// What an A getter called from a custom action copies out of a value with
/// embedded NULs, where Windows passes it through its ANSI bridge: the text
/// up to the first NUL, then NULs for the rest of the value's length.
pub fn ansi_bridge_copy(value: &str) -> String {
    let head = value.split('\0').next().unwrap_or("");
    let mut copy = head.to_owned();
    copy.extend(std::iter::repeat_n(
        '\0',
        (utf16_len(value) - utf16_len(head)) as usize,
    ));
    copy
}

/// The integer a condition reads from a property's value, if it is one: an
/// optional minus sign and decimal digits, nothing else. `"0 "` and `"+0"`
/// stay strings (Wine's package.c `test_condition`, which passes on Windows).
pub fn condition_integer(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_code_units() {
        assert_eq!(utf16_len("a\u{1F600}"), 3);
        assert_eq!(utf16_prefix("a\u{1F600}b", 2), "a");
        assert!(splits_surrogate("a\u{1F600}b", 2));
        assert!(!splits_surrogate("a\u{1F600}b", 3));
        assert!(!splits_surrogate("ab", 5));
    }

    #[test]
    fn getter_buffers() {
        let r = getter_result(3, Buffer::Sized(4), false);
        assert_eq!((r.rc, r.size, r.copied), (rc::SUCCESS, Some(3), Some(3)));
        let r = getter_result(3, Buffer::Sized(3), true);
        assert_eq!((r.rc, r.size, r.copied), (rc::MORE_DATA, Some(6), Some(2)));
        let r = getter_result(3, Buffer::Sized(0), false);
        assert_eq!((r.rc, r.copied), (rc::MORE_DATA, None));
        assert_eq!(
            getter_result(3, Buffer::NullSize, false).rc,
            rc::INVALID_PARAMETER
        );
        assert_eq!(getter_result(3, Buffer::NullBuffer(0), false).size, Some(3));
    }

    #[test]
    fn the_ansi_bridge_stops_at_a_nul() {
        assert_eq!(ansi_bridge_copy("a\0b"), "a\0\0");
        assert_eq!(ansi_bridge_copy("ab"), "ab");
    }

    #[test]
    fn condition_integers_are_strict() {
        assert_eq!(condition_integer("-12"), Some(-12));
        assert_eq!(condition_integer("0"), Some(0));
        for s in ["0 ", " 0", "+0", "0.0", "-", "", "5val"] {
            assert_eq!(condition_integer(s), None, "{s:?}");
        }
    }
}
