//! The package under test.

use serde::{Deserialize, Serialize};

/// The package a plan installs: the rows of the tables the rules involve.
///
/// A real runtime builds an .msi from it (adding its probe binaries); the
/// reference model loads it directly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Fixture {
    /// Rows of the Property table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<PropertyRow>,
    /// Rows of the CustomAction table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_actions: Vec<CustomActionRow>,
    /// Rows of InstallExecuteSequence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub execute_sequence: Vec<SequenceRow>,
    /// Rows of InstallUISequence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ui_sequence: Vec<SequenceRow>,
    /// Further persistent tables with their rows (custom sequence tables among them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
}

/// A row of the Property table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PropertyRow {
    pub name: String,
    pub value: String,
}

/// A row of the CustomAction table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CustomActionRow {
    /// The primary key: the name DoAction and the sequence tables use.
    pub action: String,
    /// The Type column: basic type in the low six bits plus option flags (see [`crate::codes::catype`]).
    #[serde(rename = "type")]
    pub kind: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

impl CustomActionRow {
    /// The basic type (the low six bits of Type).
    pub fn basic_type(&self) -> u32 {
        self.kind & crate::codes::catype::BASIC_MASK
    }

    /// Whether the in-script bit (0x400) is set.
    pub fn is_in_script(&self) -> bool {
        self.kind & crate::codes::catype::IN_SCRIPT != 0
    }
}

/// A row of a sequence table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SequenceRow {
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    pub sequence: i32,
}

/// A persistent table of the package with its rows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// Each row as its fields in column order; integers in decimal, NULL as "".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The primary-key fields of `row`, in column order.
    pub fn key_of<'r>(&self, row: &'r [String]) -> Vec<&'r str> {
        self.columns
            .iter()
            .zip(row)
            .filter_map(|(c, v)| c.key.then_some(v.as_str()))
            .collect()
    }
}

/// A column of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Column {
    pub name: String,
    /// The column type as IDT files write it: `s72` (string of up to 72,
    /// lower case for NOT NULL), `S255` (nullable), `i2`, `I4`, `l0` (localizable).
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether the column is part of the primary key.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub key: bool,
}

/// Properties every package carries unless a case overrides them.
pub const STANDARD_PROPERTIES: &[(&str, &str)] = &[
    ("ProductCode", "{6F2C1C6E-2C63-4B55-9C61-6D3A5A0D7A11}"),
    ("ProductLanguage", "1033"),
    ("ProductName", "msiconf probe"),
    ("ProductVersion", "1.0.0"),
    ("Manufacturer", "msiconf"),
    ("UpgradeCode", "{0E7F1B7D-7A8C-4D7F-8B1E-3C2D1A0B9F44}"),
];

/// Standard actions every package sequences in InstallExecuteSequence unless a case overrides them.
pub const STANDARD_EXECUTE_SEQUENCE: &[(&str, i32)] = &[
    ("CostInitialize", 800),
    ("FileCost", 900),
    ("CostFinalize", 1000),
    ("InstallValidate", 1400),
    ("InstallInitialize", 1500),
    ("InstallFinalize", 6600),
];

/// Standard actions every package sequences in InstallUISequence.
pub const STANDARD_UI_SEQUENCE: &[(&str, i32)] = &[
    ("CostInitialize", 800),
    ("FileCost", 900),
    ("CostFinalize", 1000),
    ("ExecuteAction", 1300),
];

/// The small directory and feature tree `tree = true` adds to a case's
/// package: TARGETDIR with ParentDir below it and ChildDir below that (its
/// source name differs from its target name), one feature `One` carrying a
/// component in TARGETDIR and one in ChildDir, each with a key file, and a
/// component `Dangler` that no feature carries.
pub fn standard_tree() -> Vec<Table> {
    let col = |name: &str, kind: &str, key: bool| Column {
        name: name.to_owned(),
        kind: kind.to_owned(),
        key,
    };
    let rows = |rows: &[&[&str]]| {
        rows.iter()
            .map(|r| r.iter().map(|v| (*v).to_owned()).collect())
            .collect()
    };
    vec![
        Table {
            name: "Directory".to_owned(),
            columns: vec![
                col("Directory", "s72", true),
                col("Directory_Parent", "S72", false),
                col("DefaultDir", "l255", false),
            ],
            rows: rows(&[
                &["TARGETDIR", "", "SourceDir"],
                &["ParentDir", "TARGETDIR", "PARENT|ParentDir"],
                &["ChildDir", "ParentDir", "ChildDir:SrcChild"],
            ]),
        },
        Table {
            name: "Feature".to_owned(),
            columns: vec![
                col("Feature", "s38", true),
                col("Feature_Parent", "S38", false),
                col("Title", "L64", false),
                col("Description", "L255", false),
                col("Display", "I2", false),
                col("Level", "i2", false),
                col("Directory_", "S72", false),
                col("Attributes", "i2", false),
            ],
            rows: rows(&[&["One", "", "", "", "2", "1", "", "0"]]),
        },
        Table {
            name: "Component".to_owned(),
            columns: vec![
                col("Component", "s72", true),
                col("ComponentId", "S38", false),
                col("Directory_", "s72", false),
                col("Attributes", "i2", false),
                col("Condition", "S255", false),
                col("KeyPath", "S72", false),
            ],
            rows: rows(&[
                &[
                    "Root",
                    "{5C1F1B6E-7E2A-4C1D-9A3B-2F6D8E4A1B01}",
                    "TARGETDIR",
                    "0",
                    "",
                    "root_file",
                ],
                &[
                    "Child",
                    "{5C1F1B6E-7E2A-4C1D-9A3B-2F6D8E4A1B02}",
                    "ChildDir",
                    "0",
                    "",
                    "child_file",
                ],
                &[
                    "Dangler",
                    "{5C1F1B6E-7E2A-4C1D-9A3B-2F6D8E4A1B03}",
                    "TARGETDIR",
                    "0",
                    "",
                    "",
                ],
            ]),
        },
        Table {
            name: "FeatureComponents".to_owned(),
            columns: vec![col("Feature_", "s38", true), col("Component_", "s72", true)],
            rows: rows(&[&["One", "Root"], &["One", "Child"]]),
        },
        Table {
            name: "File".to_owned(),
            columns: vec![
                col("File", "s72", true),
                col("Component_", "s72", false),
                col("FileName", "l255", false),
                col("FileSize", "i4", false),
                col("Version", "S72", false),
                col("Language", "S20", false),
                col("Attributes", "I2", false),
                col("Sequence", "i2", false),
            ],
            rows: rows(&[
                &[
                    "root_file",
                    "Root",
                    "root.txt",
                    "1000",
                    "",
                    "1033",
                    "8192",
                    "1",
                ],
                &[
                    "child_file",
                    "Child",
                    "child.txt",
                    "5000",
                    "",
                    "1033",
                    "8192",
                    "2",
                ],
            ]),
        },
    ]
}

impl Fixture {
    /// A package with the standard properties and sequences and nothing else.
    pub fn standard() -> Fixture {
        let seq = |rows: &[(&str, i32)]| {
            rows.iter()
                .map(|(a, s)| SequenceRow {
                    action: (*a).to_owned(),
                    condition: None,
                    sequence: *s,
                })
                .collect()
        };
        Fixture {
            properties: STANDARD_PROPERTIES
                .iter()
                .map(|(n, v)| PropertyRow {
                    name: (*n).to_owned(),
                    value: (*v).to_owned(),
                })
                .collect(),
            custom_actions: Vec::new(),
            execute_sequence: seq(STANDARD_EXECUTE_SEQUENCE),
            ui_sequence: seq(STANDARD_UI_SEQUENCE),
            tables: Vec::new(),
        }
    }

    /// The CustomAction row with exactly this key.
    pub fn custom_action(&self, action: &str) -> Option<&CustomActionRow> {
        self.custom_actions.iter().find(|r| r.action == action)
    }

    /// The Property table's value for exactly this name.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.value.as_str())
    }

    /// The sequence number of `action` in InstallExecuteSequence.
    pub fn execute_position(&self, action: &str) -> Option<i32> {
        self.execute_sequence
            .iter()
            .find(|r| r.action == action)
            .map(|r| r.sequence)
    }

    /// The table with exactly this name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}
