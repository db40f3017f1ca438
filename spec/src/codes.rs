//! Numeric values from `winerror.h`, `msiquery.h` and the automation interface.
//!
//! The catalog's "Common numeric values" section lists the same numbers.

/// Win32 return codes used by the session API.
pub mod rc {
    pub const SUCCESS: u32 = 0;
    pub const ACCESS_DENIED: u32 = 5;
    pub const INVALID_HANDLE: u32 = 6;
    pub const INVALID_DATA: u32 = 13;
    pub const INVALID_PARAMETER: u32 = 87;
    pub const MORE_DATA: u32 = 234;
    pub const NO_MORE_ITEMS: u32 = 259;
    pub const INSTALL_USEREXIT: u32 = 1602;
    pub const INSTALL_FAILURE: u32 = 1603;
    pub const INSTALL_SUSPEND: u32 = 1604;
    pub const UNKNOWN_FEATURE: u32 = 1606;
    pub const UNKNOWN_COMPONENT: u32 = 1607;
    pub const INVALID_HANDLE_STATE: u32 = 1609;
    pub const BAD_QUERY_SYNTAX: u32 = 1615;
    pub const INSTALL_ALREADY_RUNNING: u32 = 1618;
    pub const INSTALL_PACKAGE_OPEN_FAILED: u32 = 1619;
    pub const FUNCTION_NOT_CALLED: u32 = 1626;
    pub const FUNCTION_FAILED: u32 = 1627;
    pub const INVALID_TABLE: u32 = 1628;
    pub const RPC_X_NULL_REF_POINTER: u32 = 1780;
    /// A record field that holds no stream read as one (MsiRecordReadStream).
    pub const INVALID_DATATYPE: u32 = 1804;
    /// Success; the install asks for a reboot to finish (MsiInstallProduct).
    pub const SUCCESS_REBOOT_REQUIRED: u32 = 3010;
    /// Success; the install started a reboot.
    pub const SUCCESS_REBOOT_INITIATED: u32 = 1641;
}

/// MSICONDITION values returned by MsiEvaluateCondition and MsiDatabaseIsTablePersistent.
pub mod condition {
    pub const FALSE: i64 = 0;
    pub const TRUE: i64 = 1;
    pub const NONE: i64 = 2;
    pub const ERROR: i64 = 3;
}

/// MSIDBSTATE values returned by MsiGetDatabaseState.
pub mod dbstate {
    pub const ERROR: i64 = -1;
    pub const READ: i64 = 0;
    pub const WRITE: i64 = 1;
}

/// MSIRUNMODE values for MsiGetMode and MsiSetMode.
pub mod runmode {
    pub const ADMIN: u32 = 0;
    pub const ADVERTISE: u32 = 1;
    pub const MAINTENANCE: u32 = 2;
    pub const ROLLBACKENABLED: u32 = 3;
    pub const LOGENABLED: u32 = 4;
    pub const OPERATIONS: u32 = 5;
    pub const REBOOTATEND: u32 = 6;
    pub const REBOOTNOW: u32 = 7;
    pub const CABINET: u32 = 8;
    pub const SOURCESHORTNAMES: u32 = 9;
    pub const TARGETSHORTNAMES: u32 = 10;
    pub const RESERVED11: u32 = 11;
    pub const WINDOWS9X: u32 = 12;
    pub const ZAWENABLED: u32 = 13;
    pub const RESERVED14: u32 = 14;
    pub const RESERVED15: u32 = 15;
    pub const SCHEDULED: u32 = 16;
    pub const ROLLBACK: u32 = 17;
    pub const COMMIT: u32 = 18;
}

/// msiDoActionStatus values returned by automation `Session.DoAction` and by script custom actions.
pub mod status {
    pub const NO_ACTION: i64 = 0;
    pub const SUCCESS: i64 = 1;
    pub const USER_EXIT: i64 = 2;
    pub const FAILURE: i64 = 3;
    pub const SUSPEND: i64 = 4;
    pub const FINISHED: i64 = 5;
    pub const WRONG_STATE: i64 = 6;
    pub const BAD_ACTION_DATA: i64 = 7;
}

/// CustomAction.Type bits.
pub mod catype {
    /// The low six bits: the basic type (1 DLL, 2 EXE, 5/6 script, 19 error, 51 set property, ...).
    pub const BASIC_MASK: u32 = 0x3f;
    pub const CONTINUE: u32 = 0x40;
    pub const ASYNC: u32 = 0x80;
    pub const FIRST_SEQUENCE: u32 = 0x100;
    pub const ONCE_PER_PROCESS: u32 = 0x200;
    pub const CLIENT_REPEAT: u32 = 0x300;
    pub const IN_SCRIPT: u32 = 0x400;
    pub const ROLLBACK: u32 = 0x100;
    pub const COMMIT: u32 = 0x200;
    pub const NO_IMPERSONATE: u32 = 0x800;
    pub const TS_AWARE: u32 = 0x4000;

    pub const DLL_BINARY: u32 = 1;
    pub const EXE_BINARY: u32 = 2;
    pub const JSCRIPT_BINARY: u32 = 5;
    pub const VBSCRIPT_BINARY: u32 = 6;
    pub const EXE_FILE: u32 = 18;
    pub const ERROR: u32 = 19;
    pub const EXE_DIRECTORY: u32 = 34;
    pub const JSCRIPT_TEXT: u32 = 37;
    pub const VBSCRIPT_TEXT: u32 = 38;
    pub const EXE_PROPERTY: u32 = 50;
    pub const SET_PROPERTY: u32 = 51;
}

/// The Win32 code MsiDoAction reports, mapped to the msiDoActionStatus that
/// automation `Session.DoAction` returns (catalog SESSION-DOACTION-ENUM).
pub fn doaction_status(code: u32) -> i64 {
    match code {
        rc::FUNCTION_NOT_CALLED => status::NO_ACTION,
        rc::SUCCESS => status::SUCCESS,
        rc::INSTALL_USEREXIT => status::USER_EXIT,
        rc::INSTALL_FAILURE => status::FAILURE,
        rc::INSTALL_SUSPEND => status::SUSPEND,
        rc::MORE_DATA => status::FINISHED,
        rc::INVALID_HANDLE_STATE => status::WRONG_STATE,
        rc::INVALID_DATA => status::BAD_ACTION_DATA,
        _ => status::FAILURE,
    }
}
