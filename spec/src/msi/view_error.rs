//! MsiViewGetError: the validation error MsiViewModify leaves on a view, and
//! what a caller reads back, by its reference page and by Windows as Wine's
//! tests record it (db.c `test_viewmodify` from the installer's own process,
//! custom.c `test_view_get_error` from a custom action; both run on Windows).
//!
//! The two callers differ. A DLL custom action reaches the view through the
//! custom-action server, and there Windows answers a zero-sized buffer and an
//! invalid handle with MSIDBERROR_FUNCTIONERROR, and forgets the error once it
//! has been read, even when the read only said MSIDBERROR_MOREDATA. The page
//! describes the size query ("pass an empty string, get MSIDBERROR_MOREDATA
//! and the size needed"), which only works if the error survives it; so the
//! documented reading keeps the error across MOREDATA.

use crate::msi::text;
use crate::{Buffer, Profile};

/// The MSIDBERROR values the rules name.
pub mod code {
    /// MSIDBERROR_INVALIDARG: an argument was invalid.
    pub const INVALID_ARG: i64 = -3;
    /// MSIDBERROR_MOREDATA: the buffer is too small for the column name.
    pub const MORE_DATA: i64 = -2;
    /// MSIDBERROR_FUNCTIONERROR: the function failed.
    pub const FUNCTION_ERROR: i64 = -1;
    /// MSIDBERROR_NOERROR.
    pub const NO_ERROR: i64 = 0;
    /// MSIDBERROR_DUPLICATEKEY: a new record's primary key is already in the table.
    pub const DUPLICATE_KEY: i64 = 1;
    /// The last validation error MSIDBERROR defines (MSIDBERROR_BADLOCALIZEATTRIB).
    pub const LAST_VALIDATION: i64 = 29;
}

/// An error a failed validation left on a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The MSIDBERROR validation code (1 and up).
    pub code: i64,
    /// The column it concerns.
    pub column: String,
}

/// Who calls: the installer's own process (a package opened with
/// MsiOpenPackage, a database opened directly) or a custom action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    InProcess,
    CustomAction,
}

/// What one MsiViewGetError call answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The MSIDBERROR returned.
    pub number: i64,
    /// Other values the sources also allow for `number`.
    pub also: &'static [i64],
    /// The size written back; `None` when no size argument was given or the
    /// sources leave it open.
    pub size: Option<u32>,
    /// The code units copied into the buffer (`None`: left as it was, or open).
    pub copied: Option<u32>,
    /// Whether the view's error is gone afterwards (`None`: the sources leave it open).
    pub clears: Option<bool>,
    /// Whether the sources settle `number` at all.
    pub settled: bool,
}

impl Answer {
    fn number(number: i64) -> Answer {
        Answer {
            number,
            also: &[],
            size: None,
            copied: None,
            clears: None,
            settled: true,
        }
    }
}

/// MsiViewGetError on a handle that is (`valid`) or is not an open view,
/// whose pending error is `pending`, read through `buffer` by `caller`.
/// Where the sources leave a part open the answer says so (`settled`,
/// `size`, `clears` as `None`); the model then takes the value given.
pub fn answer(
    valid: bool,
    pending: Option<&Pending>,
    buffer: Buffer,
    caller: Caller,
    profile: Profile,
) -> Answer {
    let remote = caller == Caller::CustomAction && profile == Profile::Windows;
    if !valid {
        return Answer::number(if remote {
            code::FUNCTION_ERROR
        } else {
            code::INVALID_ARG
        });
    }
    let (code, column) = match pending {
        Some(p) => (p.code, p.column.as_str()),
        None => (code::NO_ERROR, ""),
    };
    let len = text::utf16_len(column);
    match buffer {
        Buffer::NullSize => Answer::number(code::INVALID_ARG),
        Buffer::NullBoth => Answer {
            // From the installer's own process Windows may also say there is no error.
            also: if profile == Profile::Windows && caller == Caller::InProcess {
                &[code::NO_ERROR]
            } else {
                &[]
            },
            ..Answer::number(code::INVALID_ARG)
        },
        Buffer::NullBuffer(0) | Buffer::Sized(0) if remote => Answer {
            size: Some(0),
            ..Answer::number(code::FUNCTION_ERROR)
        },
        // The page warns against a NULL buffer; Windows, from its own process
        // and with no error pending, reports none.
        Buffer::NullBuffer(n) => Answer {
            size: Some(if pending.is_some() { len } else { 0 }),
            clears: Some(false),
            settled: profile == Profile::Windows
                && caller == Caller::InProcess
                && n == 0
                && pending.is_none(),
            ..Answer::number(if pending.is_some() {
                code::MORE_DATA
            } else {
                code::NO_ERROR
            })
        },
        Buffer::Ample | Buffer::Sized(_) => {
            let g = text::getter_result(len, buffer, false);
            if g.rc == crate::codes::rc::SUCCESS {
                Answer {
                    size: g.size,
                    copied: g.copied,
                    clears: remote.then_some(true),
                    ..Answer::number(code)
                }
            } else {
                Answer {
                    size: g.size,
                    copied: g.copied,
                    clears: Some(remote),
                    ..Answer::number(code::MORE_DATA)
                }
            }
        }
    }
}

/// The column a duplicate primary key is reported on: the table's first key column.
pub fn duplicate_key(key_columns: &[String]) -> Option<Pending> {
    key_columns.first().map(|c| Pending {
        code: code::DUPLICATE_KEY,
        column: c.clone(),
    })
}
