//! Custom-action type classes: how the Type column's basic type is run.

use crate::codes::catype::{BASIC_MASK, CONTINUE};
use crate::codes::{rc, status};

/// How a custom action of some basic type is implemented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionClass {
    /// A DLL function (types 1 and 17): the C API, with a session handle.
    Dll,
    /// An executable (types 2, 18, 34 and 50): no session at all.
    Exe,
    /// JScript or VBScript (types 5, 6, 21, 22, 37, 38, 53, 54): the automation Session object.
    Script,
}

/// The class of a custom action's Type (only its basic type counts); `None`
/// for types that run no code of their own (19 error, 51 set property, ...).
pub fn class_of(kind: u32) -> Option<ActionClass> {
    match kind & BASIC_MASK {
        1 | 17 => Some(ActionClass::Dll),
        2 | 18 | 34 | 50 => Some(ActionClass::Exe),
        5 | 6 | 21 | 22 | 37 | 38 | 53 | 54 => Some(ActionClass::Script),
        _ => None,
    }
}

/// Whether the Type runs a script (JScript or VBScript, any source).
pub fn is_script(kind: u32) -> bool {
    class_of(kind) == Some(ActionClass::Script)
}

/// Whether the Type runs an executable.
pub fn is_exe(kind: u32) -> bool {
    class_of(kind) == Some(ActionClass::Exe)
}

/// What a custom action's code returned, as a Win32 code ("Custom Action
/// Return Values"): a DLL returns one itself; a script returns an
/// msiDoActionStatus, where no value counts as success; an executable's exit
/// code 0 is success and any other is a failure.
pub fn returned_code(class: ActionClass, returned: u32) -> u32 {
    match class {
        ActionClass::Dll => returned,
        ActionClass::Script => match i64::from(returned) {
            status::NO_ACTION | status::SUCCESS => rc::SUCCESS,
            status::USER_EXIT => rc::INSTALL_USEREXIT,
            status::SUSPEND => rc::INSTALL_SUSPEND,
            status::FINISHED => rc::NO_MORE_ITEMS,
            _ => rc::INSTALL_FAILURE,
        },
        ActionClass::Exe if returned == 0 => rc::SUCCESS,
        ActionClass::Exe => rc::INSTALL_FAILURE,
    }
}

/// What MsiDoAction, and the sequence that runs the action, report for a
/// custom action of Type `kind` whose code returned the Win32 code `code`:
/// success, not-called, user exit and suspend pass through, "skip the
/// remaining actions" (259) comes back as ERROR_MORE_DATA, anything else is a
/// failure; with the 0x40 continue bit the result is ignored (success).
pub fn reported_code(kind: u32, code: u32) -> u32 {
    if kind & CONTINUE != 0 {
        return rc::SUCCESS;
    }
    match code {
        rc::SUCCESS | rc::FUNCTION_NOT_CALLED | rc::INSTALL_USEREXIT | rc::INSTALL_SUSPEND => code,
        rc::NO_MORE_ITEMS => rc::MORE_DATA,
        _ => rc::INSTALL_FAILURE,
    }
}

/// What MsiDoAction reports for a custom action of Type `kind` whose code
/// returned `returned`; `None` for Types that run no code of their own.
pub fn action_code(kind: u32, returned: u32) -> Option<u32> {
    class_of(kind).map(|c| reported_code(kind, returned_code(c, returned)))
}

/// HRESULTs a custom action's COM calls answer (`com-init-sta`, `com-create`).
pub const S_OK: i64 = 0;
/// CoInitializeEx on a thread already initialised for the other apartment kind.
pub const RPC_E_CHANGED_MODE: i64 = 0x8001_0106_u32 as i32 as i64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_read_only_the_basic_type() {
        assert_eq!(class_of(1), Some(ActionClass::Dll));
        assert_eq!(class_of(1 | 0x400 | 0x40), Some(ActionClass::Dll));
        assert_eq!(class_of(50), Some(ActionClass::Exe));
        assert!(is_script(1029) && !is_script(1025));
        assert!(is_exe(34) && !is_exe(51));
        assert_eq!(class_of(19), None);
    }

    #[test]
    fn return_values_map_as_the_return_values_page_lists() {
        assert_eq!(action_code(1, 0), Some(rc::SUCCESS));
        assert_eq!(action_code(1, 1626), Some(rc::FUNCTION_NOT_CALLED));
        assert_eq!(action_code(1, 259), Some(rc::MORE_DATA));
        assert_eq!(action_code(1, 5), Some(rc::INSTALL_FAILURE));
        assert_eq!(action_code(1 | CONTINUE, 1603), Some(rc::SUCCESS));
        assert_eq!(action_code(50, 1), Some(rc::INSTALL_FAILURE));
        assert_eq!(action_code(5, 0), Some(rc::SUCCESS));
        assert_eq!(action_code(5, 2), Some(rc::INSTALL_USEREXIT));
        assert_eq!(action_code(51, 0), None);
    }
}
