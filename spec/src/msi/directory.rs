//! The Directory table and the paths the installer resolves from it.
//!
//! CostFinalize resolves a target path for every row of the Directory table:
//! a root row (no parent, or itself as parent) takes the directory property
//! if one was set, otherwise ROOTDRIVE; a row below it appends the long name
//! of its DefaultDir to its parent's path. MsiSetTargetPath moves a directory
//! and everything below it. The reference model resolves with [`Tree`], and
//! the DIR-* predicates judge reads against the same tree, so both agree on
//! what a path is.

use std::collections::BTreeMap;

/// What a target path read before costing, or of an unknown folder, returns.
pub const ERROR_DIRECTORY: u32 = 267;

/// The root an unset root directory resolves to when ROOTDRIVE is not set.
pub const DEFAULT_ROOT: &str = "C:\\";

/// A row of the Directory table: its parent (empty for a root) and DefaultDir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub parent: String,
    pub default_dir: String,
}

/// The Directory table as a tree of names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    rows: BTreeMap<String, Entry>,
}

/// Longest chain of parents followed before a path is given up as cyclic.
const MAX_DEPTH: usize = 32;

impl Tree {
    /// Builds the tree from (Directory, Directory_Parent, DefaultDir) triples.
    pub fn from_rows<I, S>(rows: I) -> Tree
    where
        I: IntoIterator<Item = (S, S, S)>,
        S: Into<String>,
    {
        Tree {
            rows: rows
                .into_iter()
                .map(|(d, p, dd)| {
                    (
                        d.into(),
                        Entry {
                            parent: p.into(),
                            default_dir: dd.into(),
                        },
                    )
                })
                .collect(),
        }
    }

    /// The tree of a fixture's Directory table (empty without one). The
    /// columns are found by name, so a case may order them as it likes.
    pub fn of_fixture(fixture: &crate::Fixture) -> Tree {
        let Some(t) = fixture.table("Directory") else {
            return Tree::default();
        };
        let col = |name: &str| t.columns.iter().position(|c| c.name == name);
        let (Some(d), Some(p), Some(dd)) =
            (col("Directory"), col("Directory_Parent"), col("DefaultDir"))
        else {
            return Tree::default();
        };
        let cell = |row: &Vec<String>, i: usize| row.get(i).cloned().unwrap_or_default();
        Tree::from_rows(t.rows.iter().map(|r| (cell(r, d), cell(r, p), cell(r, dd))))
    }

    /// Whether a fixture's Directory table has a row `name`, without building the tree.
    pub fn fixture_has(fixture: &crate::Fixture, name: &str) -> bool {
        let Some(t) = fixture.table("Directory") else {
            return false;
        };
        let Some(d) = t.columns.iter().position(|c| c.name == "Directory") else {
            return false;
        };
        t.rows.iter().any(|r| r.get(d).is_some_and(|v| v == name))
    }

    /// Whether `name` is a row of the table (names are case-sensitive).
    pub fn contains(&self, name: &str) -> bool {
        self.rows.contains_key(name)
    }

    /// The directory names, in key order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.rows.keys().map(String::as_str)
    }

    /// The parent of `name`, `None` for a root or an unknown name.
    pub fn parent(&self, name: &str) -> Option<&str> {
        let e = self.rows.get(name)?;
        (!e.parent.is_empty() && e.parent != name).then_some(e.parent.as_str())
    }

    /// `name` and its ancestors, nearest first (stops at a cycle).
    pub fn chain(&self, name: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut cur = self.rows.get_key_value(name).map(|(k, _)| k.as_str());
        while let Some(n) = cur {
            if out.contains(&n) || out.len() > MAX_DEPTH {
                break;
            }
            out.push(n);
            cur = self
                .parent(n)
                .and_then(|p| self.rows.get_key_value(p))
                .map(|(k, _)| k.as_str());
        }
        out
    }

    /// The folder name `name` adds below its parent's target path (`None` when
    /// DefaultDir is "." or empty, so the directory is its parent's path).
    pub fn target_name(&self, name: &str) -> Option<&str> {
        let e = self.rows.get(name)?;
        long_name(e.default_dir.split(':').next().unwrap_or(""))
    }

    /// The folder name `name` adds below its parent's source path: the source
    /// half of DefaultDir (`target:source`), or the target half without one.
    pub fn source_name(&self, name: &str) -> Option<&str> {
        let e = self.rows.get(name)?;
        let mut halves = e.default_dir.splitn(2, ':');
        let target = halves.next().unwrap_or("");
        long_name(halves.next().unwrap_or(target))
    }

    /// The target path of `name`: a folder in `fixed` keeps the path given
    /// there, a root takes `root`, and any other appends its target name to
    /// its parent's path. `None` for a name not in the table.
    pub fn resolve(
        &self,
        name: &str,
        fixed: &BTreeMap<String, String>,
        root: &str,
    ) -> Option<String> {
        self.resolve_with(name, fixed, root, Tree::target_name)
    }

    /// The source path of `name` below a source root of `root`.
    pub fn resolve_source(&self, name: &str, root: &str) -> Option<String> {
        self.resolve_with(name, &BTreeMap::new(), root, Tree::source_name)
    }

    fn resolve_with(
        &self,
        name: &str,
        fixed: &BTreeMap<String, String>,
        root: &str,
        step: for<'t> fn(&'t Tree, &str) -> Option<&'t str>,
    ) -> Option<String> {
        let chain = self.chain(name);
        if chain.is_empty() {
            return None;
        }
        // Walk down from the nearest folder with a fixed path (or the root).
        let start = chain.iter().position(|n| fixed.contains_key(*n));
        let (mut path, below) = match start {
            Some(i) => (fixed[chain[i]].clone(), &chain[..i]),
            None => {
                let top = chain.len() - 1;
                (with_separator(root), &chain[..top])
            }
        };
        for n in below.iter().rev() {
            if let Some(part) = step(self, n) {
                path.push_str(part);
                path.push('\\');
            }
        }
        Some(path)
    }
}

/// The long half of a `short|long` name; "." (the parent itself) and "" give `None`.
fn long_name(field: &str) -> Option<&str> {
    let long = field.rsplit('|').next().unwrap_or("");
    (!long.is_empty() && long != ".").then_some(long)
}

/// `path` ending in exactly one backslash.
pub fn with_separator(path: &str) -> String {
    let mut p = path.trim_end_matches('\\').to_owned();
    p.push('\\');
    p
}

/// The path MsiSetTargetPath stores for `path`: separators collapsed, the
/// spaces around each folder name dropped, and one backslash at the end
/// (package.c `test_settargetpath`, which passes on Windows:
/// `C:\\one\\two  ` becomes `C:\one\two\`, `C:\\ Program Files \\ ` becomes
/// `C:\Program Files\`).
pub fn normalize_target(path: &str) -> String {
    let mut out = String::new();
    for part in path.split('\\').map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str(part);
        out.push('\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Tree {
        Tree::from_rows([
            ("TARGETDIR", "", "SourceDir"),
            ("ParentDir", "TARGETDIR", "PARENT|ParentDir"),
            ("ChildDir", "ParentDir", "ChildDir:SrcChild"),
            ("Same", "ParentDir", "."),
        ])
    }

    #[test]
    fn paths_append_long_names_below_the_root() {
        let t = tree();
        let none = BTreeMap::new();
        assert_eq!(t.resolve("TARGETDIR", &none, "D:").unwrap(), "D:\\");
        assert_eq!(
            t.resolve("ChildDir", &none, "C:\\").unwrap(),
            "C:\\ParentDir\\ChildDir\\"
        );
        assert_eq!(t.resolve("Same", &none, "C:\\").unwrap(), "C:\\ParentDir\\");
        assert_eq!(t.resolve("nope", &none, "C:\\"), None);
        assert_eq!(
            t.resolve_source("ChildDir", "Z:\\pkg").unwrap(),
            "Z:\\pkg\\ParentDir\\SrcChild\\"
        );
    }

    #[test]
    fn a_fixed_folder_moves_everything_below_it() {
        let t = tree();
        let fixed = BTreeMap::from([("ParentDir".to_owned(), "E:\\x\\".to_owned())]);
        assert_eq!(
            t.resolve("ChildDir", &fixed, "C:\\").unwrap(),
            "E:\\x\\ChildDir\\"
        );
        assert_eq!(t.resolve("TARGETDIR", &fixed, "C:\\").unwrap(), "C:\\");
    }

    #[test]
    fn set_paths_are_normalised_as_windows_does() {
        assert_eq!(normalize_target("C:\\one\\two"), "C:\\one\\two\\");
        assert_eq!(normalize_target("C:\\\\one\\\\two  "), "C:\\one\\two\\");
        assert_eq!(
            normalize_target("C:\\\\ Program Files \\\\ "),
            "C:\\Program Files\\"
        );
    }

    #[test]
    fn a_cycle_ends_the_chain() {
        let t = Tree::from_rows([("A", "B", "a"), ("B", "A", "b")]);
        assert_eq!(t.chain("A"), vec!["A", "B"]);
    }
}
