//! Custom-action type classes: how the Type column's basic type is run.

use crate::codes::catype::BASIC_MASK;

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
}
