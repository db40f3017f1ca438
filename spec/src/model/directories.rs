//! Directories: MsiGetTargetPath, MsiSetTargetPath and MsiGetSourcePath on
//! top of the shared Directory semantics ([`crate::msi::directory`]).

use super::session::Session;
use super::Deviation;
use crate::codes::rc;
use crate::msi::directory::{self, Tree, ERROR_DIRECTORY};
use crate::{Buffer, HandleArg, Outcome};
use std::collections::BTreeMap;

/// The folder the model's package is read from: the source root of every
/// source path (a real runtime reports where it put the package).
pub(crate) const MODEL_SOURCE_ROOT: &str = "C:\\msiconf\\package\\";

/// What the session knows about its directories.
#[derive(Debug, Clone, Default)]
pub(crate) struct Directories {
    /// CostInitialize has run: source paths resolve.
    pub(crate) source_resolved: bool,
    /// Folders whose target path is fixed: set before costing through their
    /// property, or moved by MsiSetTargetPath.
    pub(crate) fixed: BTreeMap<String, String>,
    /// The paths costing last wrote into the directories' properties: a
    /// property that still holds one was not set by anyone else.
    pub(crate) published: BTreeMap<String, String>,
}

impl Session<'_> {
    /// The Directory table of the session's database.
    pub(crate) fn directory_tree(&self) -> Tree {
        let Some(t) = self.db.table("Directory") else {
            return Tree::default();
        };
        let col = |name: &str| t.cols.iter().position(|c| c.name == name);
        let (Some(d), Some(p), Some(dd)) =
            (col("Directory"), col("Directory_Parent"), col("DefaultDir"))
        else {
            return Tree::default();
        };
        Tree::from_rows(t.rows.iter().map(|r| {
            let cell = |i: usize| r.values.get(i).map(|v| v.render()).unwrap_or_default();
            (cell(d), cell(p), cell(dd))
        }))
    }

    pub(crate) fn root_drive(&self) -> String {
        self.props
            .get("ROOTDRIVE")
            .filter(|v| !v.is_empty())
            .unwrap_or(directory::DEFAULT_ROOT)
            .to_owned()
    }

    /// CostInitialize: the source tree becomes readable.
    pub(crate) fn cost_initialize(&mut self) {
        self.dirs.source_resolved = true;
        self.load_states();
    }

    /// CostFinalize: a directory whose property is already set keeps that
    /// path; every directory's property is set to its resolved target path.
    pub(crate) fn cost_finalize(&mut self) {
        let tree = self.directory_tree();
        for name in tree.names() {
            let Some(v) = self.props.get(name).filter(|v| !v.is_empty()) else {
                continue;
            };
            if self.dirs.published.get(name).map(String::as_str) == Some(v) {
                continue;
            }
            let v = directory::with_separator(v);
            self.dirs.fixed.insert(name.to_owned(), v);
        }
        self.costed = true;
        self.publish_targets(&tree);
        self.select_states();
    }

    /// Sets every directory's property to its target path.
    fn publish_targets(&mut self, tree: &Tree) {
        let root = self.root_drive();
        let mut fixed = self.dirs.fixed.clone();
        if self.b.on(Deviation::SetTargetPathChildrenStay) {
            // The broken runtime pins every folder it has published before.
            for name in tree.names() {
                if let Some(v) = self.props.get(name).filter(|v| !v.is_empty()) {
                    fixed.entry(name.to_owned()).or_insert_with(|| v.to_owned());
                }
            }
        }
        let paths: Vec<(String, String)> = tree
            .names()
            .filter_map(|n| Some((n.to_owned(), tree.resolve(n, &fixed, &root)?)))
            .collect();
        for (name, path) in paths {
            self.props.set(&name, &path);
            self.dirs.published.insert(name, path);
        }
    }

    /// The checks MsiGetTargetPath and MsiGetSourcePath share: the folder
    /// first, then the handle, then whether the folder is known here.
    fn directory_read<'f>(
        &self,
        folder: Option<&'f str>,
        handle: HandleArg,
    ) -> Result<&'f str, u32> {
        let folder = folder.ok_or(rc::INVALID_PARAMETER)?;
        if handle != HandleArg::Session {
            return Err(rc::INVALID_HANDLE);
        }
        if self.frame().exec.in_script() && !self.b.on(Deviation::DirectoryCallsInScript) {
            return Err(rc::FUNCTION_FAILED);
        }
        Ok(folder)
    }

    /// What a path getter answers for `path`: the buffer rules of every string
    /// getter, with an A form's sizes counted in bytes through a custom
    /// action's bridge (DIR-PATH-BUFFER).
    fn path_result(&self, path: &str, buffer: Buffer, ansi: bool) -> Outcome {
        let ansi = ansi && !self.b.on(Deviation::AnsiPathSizeInChars);
        let mut o = self.string_result(path, buffer, ansi, false);
        if o.rc == Some(rc::MORE_DATA) && self.b.on(Deviation::PathSizeCountsTerminator) {
            o.size = o.size.map(|s| s + 1);
        }
        o
    }

    pub(crate) fn get_target_path(
        &self,
        folder: Option<&str>,
        buffer: Buffer,
        ansi: bool,
        handle: HandleArg,
    ) -> Outcome {
        let folder = match self.directory_read(folder, handle) {
            Ok(f) => f,
            Err(code) => return Outcome::rc(code),
        };
        let tree = self.directory_tree();
        if !tree.contains(folder) {
            return if self.b.on(Deviation::TargetPathUnknownFolderEmpty) {
                self.path_result("", buffer, ansi)
            } else {
                Outcome::rc(ERROR_DIRECTORY)
            };
        }
        let path = if self.costed {
            self.props.get(folder).unwrap_or("").to_owned()
        } else if self.b.on(Deviation::TargetPathBeforeCosting) {
            let root = self.root_drive();
            tree.resolve(folder, &self.dirs.fixed, &root)
                .unwrap_or_default()
        } else {
            return Outcome::rc(ERROR_DIRECTORY);
        };
        let path = if self.b.on(Deviation::TargetPathWithoutSeparator) {
            path.trim_end_matches('\\').to_owned()
        } else {
            path
        };
        self.path_result(&path, buffer, ansi)
    }

    pub(crate) fn set_target_path(
        &mut self,
        folder: Option<&str>,
        path: Option<&str>,
        handle: HandleArg,
    ) -> u32 {
        let (Some(folder), Some(path)) = (folder, path) else {
            return rc::INVALID_PARAMETER;
        };
        if handle != HandleArg::Session {
            return rc::INVALID_HANDLE;
        }
        if self.frame().exec.in_script() && !self.b.on(Deviation::DirectoryCallsInScript) {
            return rc::FUNCTION_FAILED;
        }
        let tree = self.directory_tree();
        if !tree.contains(folder) {
            return if self.b.on(Deviation::SetTargetPathUnknownAccepted) {
                rc::SUCCESS
            } else {
                ERROR_DIRECTORY
            };
        }
        if !self.costed {
            return ERROR_DIRECTORY;
        }
        let stored = if self.b.on(Deviation::SetTargetPathUnnormalized) {
            directory::with_separator(path)
        } else {
            directory::normalize_target(path)
        };
        self.dirs.fixed.insert(folder.to_owned(), stored);
        self.publish_targets(&tree);
        rc::SUCCESS
    }

    pub(crate) fn get_source_path(
        &self,
        folder: Option<&str>,
        buffer: Buffer,
        ansi: bool,
        handle: HandleArg,
    ) -> Outcome {
        let folder = match self.directory_read(folder, handle) {
            Ok(f) => f,
            Err(code) => return Outcome::rc(code),
        };
        let tree = self.directory_tree();
        let known = if self.b.on(Deviation::SourcePathIgnoresCase) {
            tree.names().find(|n| n.eq_ignore_ascii_case(folder))
        } else {
            tree.names().find(|n| *n == folder)
        };
        let Some(folder) = known else {
            return Outcome::rc(ERROR_DIRECTORY);
        };
        if !self.dirs.source_resolved {
            return Outcome::rc(ERROR_DIRECTORY);
        }
        let root = self
            .props
            .get("SourceDir")
            .filter(|v| !v.is_empty())
            .unwrap_or(MODEL_SOURCE_ROOT)
            .to_owned();
        let path = tree.resolve_source(folder, &root).unwrap_or_default();
        let path = if self.b.on(Deviation::SourcePathWithoutSeparator) {
            path.trim_end_matches('\\').to_owned()
        } else {
            path
        };
        self.path_result(&path, buffer, ansi)
    }
}
