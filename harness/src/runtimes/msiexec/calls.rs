//! Turns plan operations into probe requests and probe replies into outcomes.
//!
//! The probes are thin: they make one API call per request and report raw
//! results. Slots, the "current record" of a view, and handle normalisation
//! all live here, per probe run, so the C side keeps no state between calls.

use super::wire::{Arg, Reply};
use msiconf_spec::{Buffer, HandleArg, Operation, Outcome, PackageSource};
use std::collections::HashMap;

/// The buffer the suite calls "ample" (characters).
pub const AMPLE: u32 = 1024;

/// The never-a-handle value the catalog uses.
pub const BOGUS_HANDLE: u32 = 0xdead_beef;

/// What a probe run knows: its session handle, its slots and the handles it has seen.
#[derive(Debug, Clone, Default)]
pub struct RunState {
    /// The handle the context provides (hInstall, or the package handle).
    pub session: u32,
    /// Raw handles by slot name.
    slots: HashMap<String, u32>,
    /// The last record fetched from each view slot.
    records: HashMap<String, u32>,
    /// Distinct handle values seen, in order of first appearance.
    seen: Vec<u32>,
}

impl RunState {
    /// A run whose context provides `session`.
    pub fn new(session: u32) -> RunState {
        RunState {
            session,
            ..RunState::default()
        }
    }

    /// The rank of a raw handle: 0 for none, k for the k-th distinct handle seen.
    pub fn rank(&mut self, raw: u32) -> u32 {
        if raw == 0 {
            return 0;
        }
        let pos = match self.seen.iter().position(|h| *h == raw) {
            Some(p) => p,
            None => {
                self.seen.push(raw);
                self.seen.len() - 1
            }
        };
        u32::try_from(pos + 1).unwrap_or(u32::MAX)
    }

    fn slot(&self, name: &str) -> u32 {
        // An empty slot passes 0, which the API answers as an invalid handle.
        self.slots.get(name).copied().unwrap_or(0)
    }

    fn handle(&self, h: HandleArg) -> Arg {
        Arg::n(match h {
            HandleArg::Session => self.session,
            HandleArg::Zero => 0,
            HandleArg::Bogus => BOGUS_HANDLE,
        })
    }
}

/// What the harness needs to know about the session to phrase requests.
#[derive(Debug, Clone)]
pub struct CallEnv {
    /// The package file, as a Windows path.
    pub package_path: String,
}

/// A request for `op`, or why the probe cannot make it (recorded as unsupported).
pub fn request_for(
    op: &Operation,
    st: &RunState,
    env: &CallEnv,
) -> Result<(String, Vec<Arg>), String> {
    use Operation as O;
    let req = |name: &str, args: Vec<Arg>| Ok((name.to_owned(), args));
    match op {
        O::DoAction { action, handle } => {
            req("doaction", vec![st.handle(*handle), Arg::opt(action)])
        }
        O::Sequence { table } => req("sequence", vec![Arg::n(st.session), Arg::opt(table)]),
        O::GetProperty {
            name,
            buffer,
            ansi,
            handle,
        } => {
            let mut args = vec![st.handle(*handle), Arg::opt(name)];
            args.extend(buffer_args(*buffer, *ansi));
            req("getprop", args)
        }
        O::SetProperty {
            name,
            value,
            ansi,
            handle,
        } => req(
            if *ansi { "setpropa" } else { "setprop" },
            vec![st.handle(*handle), Arg::opt(name), Arg::opt(value)],
        ),
        O::GetMode { mode, handle } => req("getmode", vec![st.handle(*handle), Arg::n(*mode)]),
        O::SetMode { mode, state } => req(
            "setmode",
            vec![Arg::n(st.session), Arg::n(*mode), Arg::n(u32::from(*state))],
        ),
        O::GetLanguage => req("getlang", vec![Arg::n(st.session)]),
        O::ProcessMessage { kind, fields } => {
            let mut args = vec![Arg::n(st.session), Arg::n(*kind)];
            args.extend(fields.iter().map(|f| Arg::s(f)));
            req("message", args)
        }
        O::FormatRecord {
            null_record: true,
            buffer,
            ansi,
            handle,
            ..
        } => {
            let mut args = vec![st.handle(*handle)];
            args.extend(buffer_args(*buffer, *ansi));
            req("formatnull", args)
        }
        O::FormatRecord {
            null_record: false,
            template,
            fields,
            buffer,
            ansi,
            handle,
        } => {
            let mut args = vec![st.handle(*handle), Arg::s(template)];
            args.extend(buffer_args(*buffer, *ansi));
            args.extend(fields.iter().map(|f| Arg::s(f)));
            req("format", args)
        }
        O::EvaluateCondition { condition } => {
            req("evalcond", vec![Arg::n(st.session), Arg::opt(condition)])
        }
        O::SetInstallLevel { level } => req("setlevel", vec![Arg::n(st.session), Arg::n(*level)]),
        O::GetTargetPath {
            folder,
            buffer,
            ansi,
            handle,
        } => {
            let mut args = vec![st.handle(*handle), Arg::opt(folder)];
            args.extend(buffer_args(*buffer, *ansi));
            req("targetpath", args)
        }
        O::SetTargetPath {
            folder,
            path,
            handle,
        } => req(
            "settargetpath",
            vec![st.handle(*handle), Arg::opt(folder), Arg::opt(path)],
        ),
        O::GetFeatureState { feature, null_out } => req(
            "featstate",
            vec![
                Arg::n(st.session),
                Arg::opt(feature),
                Arg::n(u32::from(*null_out)),
            ],
        ),
        O::GetComponentState {
            component,
            null_out,
        } => req(
            "compstate",
            vec![
                Arg::n(st.session),
                Arg::opt(component),
                Arg::n(u32::from(*null_out)),
            ],
        ),
        O::SetFeatureState { feature, state } => req(
            "setfeat",
            vec![Arg::n(st.session), Arg::opt(feature), Arg::n(*state)],
        ),
        O::SetFeatureAttributes {
            feature,
            attributes,
        } => req(
            "setfeatattr",
            vec![Arg::n(st.session), Arg::opt(feature), Arg::n(*attributes)],
        ),
        O::SetComponentState { component, state } => req(
            "setcomp",
            vec![Arg::n(st.session), Arg::opt(component), Arg::n(*state)],
        ),
        O::GetSourcePath {
            folder,
            buffer,
            ansi,
            handle,
        } => {
            let mut args = vec![st.handle(*handle), Arg::opt(folder)];
            args.extend(buffer_args(*buffer, *ansi));
            req("sourcepath", args)
        }
        O::GetFeatureValidStates { feature, null_out } => req(
            "validstates",
            vec![
                Arg::n(st.session),
                Arg::opt(feature),
                Arg::n(u32::from(*null_out)),
            ],
        ),
        O::GetFeatureCost {
            feature,
            tree,
            state,
            null_out,
        } => req(
            "featcost",
            vec![
                Arg::n(st.session),
                Arg::opt(feature),
                Arg::n(*tree),
                Arg::n(*state),
                Arg::n(u32::from(*null_out)),
            ],
        ),
        O::EnumComponentCosts {
            component,
            index,
            state,
            buffer,
            null_cost,
            null_temp,
        } => {
            let mut args = vec![
                Arg::n(st.session),
                Arg::opt(component),
                Arg::n(*index),
                Arg::n(*state),
            ];
            args.extend(buffer_args(*buffer, false));
            args.push(Arg::n(u32::from(*null_cost)));
            args.push(Arg::n(u32::from(*null_temp)));
            req("compcosts", args)
        }
        O::VerifyDiskSpace { handle } => req("diskspace", vec![st.handle(*handle)]),
        O::GetLastErrorRecord => req("lasterror", vec![]),
        O::GetActiveDatabase { .. } => req("activedb", vec![Arg::n(st.session)]),
        O::OpenView {
            db, sql, null_out, ..
        } => req(
            "openview",
            vec![
                Arg::n(st.slot(db)),
                Arg::opt(sql),
                Arg::n(u32::from(*null_out)),
            ],
        ),
        O::Execute { view } => req("execute", vec![Arg::n(st.slot(view))]),
        O::Fetch { view } => req("fetch", vec![Arg::n(st.slot(view))]),
        O::SetField { view, field, value } => req(
            "recset",
            vec![
                Arg::n(st.slot(view)),
                Arg::n(st.records.get(view).copied().unwrap_or(0)),
                Arg::n(*field),
                Arg::s(value),
            ],
        ),
        O::Modify { view, kind, record } => match record {
            None => req(
                "modify",
                vec![
                    Arg::n(st.slot(view)),
                    Arg::n(kind.code()),
                    Arg::n(st.records.get(view).copied().unwrap_or(0)),
                ],
            ),
            Some(fields) => {
                let mut args = vec![Arg::n(st.slot(view)), Arg::n(kind.code())];
                args.extend(fields.iter().map(|f| Arg::s(f)));
                req("modifynew", args)
            }
        },
        O::Sql { db, sql } => req("sql", vec![Arg::n(st.slot(db)), Arg::s(sql)]),
        O::Commit { db } => req("commit", vec![Arg::n(st.slot(db))]),
        O::IsTablePersistent { db, table } => {
            req("persistent", vec![Arg::n(st.slot(db)), Arg::opt(table)])
        }
        O::SetSummaryInfo {
            db,
            property,
            value,
        } => req(
            "suminfo",
            vec![Arg::n(st.slot(db)), Arg::n(*property), Arg::s(value)],
        ),
        O::GetDatabaseState { db } => req(
            "dbstate",
            vec![Arg::n(db.as_deref().map_or(st.session, |d| st.slot(d)))],
        ),
        O::OpenPackage { source, .. } => {
            let path = match source {
                PackageSource::PackageFile => env.package_path.clone(),
                PackageSource::DatabaseHandle => format!("#{}", st.slot("db")),
            };
            req("openpkg", vec![Arg::s(&path)])
        }
        O::InstallProduct { command_line } => req(
            "install",
            vec![Arg::s(&env.package_path), Arg::s(command_line)],
        ),
        O::CloseHandle { slot } => req("close", vec![Arg::n(st.slot(slot))]),
        O::OpenDatabase { .. } => req("opendb", vec![Arg::s(&env.package_path)]),
        O::CreateRecord { fields, .. } => req("reccreate", vec![Arg::n(*fields)]),
        O::RecordFieldCount { record } => req("reccount", vec![Arg::n(st.slot(record))]),
        O::RecordSetString {
            record,
            field,
            value,
        } => req(
            "recsetstr",
            vec![Arg::n(st.slot(record)), Arg::n(*field), Arg::opt(value)],
        ),
        O::RecordSetInteger {
            record,
            field,
            value,
        } => req(
            "recsetint",
            vec![Arg::n(st.slot(record)), Arg::n(*field), Arg::n(*value)],
        ),
        O::RecordGetString {
            record,
            field,
            buffer,
        } => {
            let mut args = vec![Arg::n(st.slot(record)), Arg::n(*field)];
            args.extend(buffer_args(*buffer, false));
            req("recgetstr", args)
        }
        O::RecordGetInteger { record, field } => {
            req("recgetint", vec![Arg::n(st.slot(record)), Arg::n(*field)])
        }
        O::RecordIsNull { record, field } => {
            req("recisnull", vec![Arg::n(st.slot(record)), Arg::n(*field)])
        }
        O::RecordDataSize { record, field } => {
            req("recsize", vec![Arg::n(st.slot(record)), Arg::n(*field)])
        }
        O::RecordClearData { record } => req("recclear", vec![Arg::n(st.slot(record))]),
        O::RecordSetStream {
            record,
            field,
            data,
        } => req(
            "recsetstream",
            vec![Arg::n(st.slot(record)), Arg::n(*field), Arg::opt(data)],
        ),
        O::RecordReadStream {
            record,
            field,
            buffer,
        } => {
            let mut args = vec![Arg::n(st.slot(record)), Arg::n(*field)];
            // A byte buffer: the ANSI form of the string-call buffer.
            args.extend(buffer_args(*buffer, true));
            req("recreadstream", args)
        }
        O::ViewColumnInfo { view, info, .. } => {
            req("colinfo", vec![Arg::n(st.slot(view)), Arg::n(info.code())])
        }
        O::PrimaryKeys { db, table, .. } => {
            req("primarykeys", vec![Arg::n(st.slot(db)), Arg::opt(table)])
        }
        O::ViewGetError { view, buffer } => {
            let mut args = vec![Arg::n(st.slot(view))];
            args.extend(buffer_args(*buffer, false));
            req("viewerror", args)
        }
        O::SummaryInfo {
            db,
            update_count,
            null_out,
            ..
        } => req(
            "getsuminfo",
            vec![
                Arg::n(st.slot(db)),
                Arg::n(*update_count),
                Arg::n(u32::from(*null_out)),
            ],
        ),
        O::SummaryPropertyCount { summary, null_out } => req(
            "sumcount",
            vec![Arg::n(st.slot(summary)), Arg::n(u32::from(*null_out))],
        ),
        O::SummaryGetProperty {
            summary,
            property,
            buffer,
        } => {
            let mut args = vec![Arg::n(st.slot(summary)), Arg::n(*property)];
            args.extend(buffer_args(*buffer, false));
            req("sumprop", args)
        }
        O::HasSession => req("hassession", vec![]),
        O::SetEnvironment { name, value } => req("setenv", vec![Arg::s(name), Arg::opt(value)]),
        O::GetEnvironment { name } => req("getenv", vec![Arg::s(name)]),
        O::DllCounter => req("dllcounter", vec![]),
        O::ComInitSta => req("cominitsta", vec![]),
        O::ComCreate => req("comcreate", vec![]),
        O::CommandLine => req("cmdline", vec![]),
        O::SessionPropertyGet { .. }
        | O::SessionPropertySet { .. }
        | O::SessionDoAction { .. }
        | O::SessionMode { .. }
        | O::SessionSetMode { .. }
        | O::SessionLanguage
        | O::SessionMessage { .. }
        | O::SessionEvaluateCondition { .. }
        | O::SessionTargetPath { .. }
        | O::SessionSetTargetPath { .. }
        | O::SessionSourcePath { .. }
        | O::SessionFeatureCurrentState { .. }
        | O::SessionFeatureRequestState { .. }
        | O::SessionSetFeatureRequestState { .. }
        | O::SessionComponentCurrentState { .. }
        | O::SessionComponentRequestState { .. }
        | O::SessionSetComponentRequestState { .. }
        | O::SessionFeatureValidStates { .. }
        | O::SessionFeatureCost { .. }
        | O::SessionDatabase { .. }
        | O::InstallerOpenPackage => {
            Err("automation calls are made only from script custom actions".to_owned())
        }
    }
}

fn buffer_args(buffer: Buffer, ansi: bool) -> [Arg; 3] {
    let (mode, cap) = match buffer {
        Buffer::Ample => ("s", AMPLE),
        Buffer::Sized(n) => ("s", n),
        Buffer::NullBuffer(n) => ("n", n),
        Buffer::NullSize => ("z", AMPLE),
        Buffer::NullBoth => ("b", 0),
    };
    [Arg::Word(mode), Arg::n(cap), Arg::n(u32::from(ansi))]
}

/// The string a caller would read from a getter's buffer.
///
/// Nothing when no buffer was passed or the call left it untouched; on success
/// with a size, that many characters (embedded NULs kept); otherwise the text
/// up to the first NUL, as a C caller would read it.
pub fn buffer_value(reply: &Reply, cap: Option<u32>) -> Option<String> {
    let buf = reply.text("buf")?;
    if reply.u32("written") == Some(0) {
        return None;
    }
    let chars: Vec<char> = buf.chars().collect();
    let until_nul = || chars.iter().take_while(|c| **c != '\0').collect::<String>();
    match (reply.u32("rc"), reply.u32("size")) {
        (Some(0), Some(size)) => {
            let limit = cap.map_or(usize::MAX, |c| c.saturating_sub(1) as usize);
            let n = (size as usize).min(limit).min(chars.len());
            Some(chars[..n].iter().collect())
        }
        _ => Some(until_nul()),
    }
}

fn buffer_cap(buffer: Buffer) -> Option<u32> {
    match buffer {
        Buffer::Ample | Buffer::NullSize => Some(AMPLE),
        Buffer::Sized(n) => Some(n),
        Buffer::NullBuffer(_) | Buffer::NullBoth => None,
    }
}

/// Replaces the volatile file names of Windows Installer's package cache
/// (`C:\windows\Installer\9970.msi`) with `*`, so runs compare equal.
pub fn normalise(text: &str) -> String {
    const DIR: &str = "\\installer\\";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(found) = lower[i..].find(DIR) {
        let name_start = i + found + DIR.len();
        out.push_str(&text[i..name_start]);
        let rest = &lower[name_start..];
        let stem = rest
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len());
        let ext = [".msi", ".mst", ".msp", ".tmp"]
            .into_iter()
            .find(|e| rest[stem..].starts_with(e));
        match ext {
            Some(e) if stem > 0 => {
                out.push('*');
                out.push_str(&text[name_start + stem..name_start + stem + e.len()]);
                i = name_start + stem + e.len();
            }
            _ => i = name_start,
        }
    }
    out.push_str(&text[i..]);
    out
}

/// The outcome of `op` from the probe's reply, updating slots and handle ranks,
/// with volatile paths normalised.
pub fn outcome_for(op: &Operation, reply: &Reply, st: &mut RunState) -> Outcome {
    let mut out = raw_outcome(op, reply, st);
    out.value = out.value.map(|v| normalise(&v));
    if let Some(rows) = &mut out.rows {
        for cell in rows.iter_mut().flatten() {
            *cell = normalise(cell);
        }
    }
    out
}

fn raw_outcome(op: &Operation, reply: &Reply, st: &mut RunState) -> Outcome {
    use Operation as O;
    if let Some(why) = reply.text("unsupported") {
        return Outcome::unsupported(why);
    }
    if let Some(code) = reply.u32("raised") {
        return Outcome::unsupported(format!(
            "the call raised exception {code:#010x} instead of returning"
        ));
    }
    let rc = reply.u32("rc");
    let num = reply.i64("num");
    let mut out = Outcome::default();
    let handle_into = |st: &mut RunState, out: &mut Outcome, slot: &str| {
        let raw = reply.u32("h").unwrap_or(0);
        st.slots.insert(slot.to_owned(), raw);
        out.handle = Some(st.rank(raw));
    };
    match op {
        O::GetProperty { buffer, .. }
        | O::FormatRecord { buffer, .. }
        | O::GetTargetPath { buffer, .. }
        | O::GetSourcePath { buffer, .. }
        | O::RecordGetString { buffer, .. } => {
            out.rc = rc;
            out.size = reply.u32("size");
            out.value = buffer_value(reply, buffer_cap(*buffer));
        }
        O::RecordReadStream { buffer, .. } => {
            // Bytes, with no terminator: the whole buffer can be filled.
            out.rc = rc;
            out.size = reply.u32("size");
            out.value = buffer_value(reply, buffer_cap(*buffer).map(|c| c + 1));
        }
        O::GetFeatureValidStates { .. } | O::GetFeatureCost { .. } => {
            out.rc = rc;
            if rc == Some(0) {
                out.number = num;
            }
        }
        O::EnumComponentCosts { buffer, .. } => {
            out.rc = rc;
            out.size = reply.u32("size");
            out.value = buffer_value(reply, buffer_cap(*buffer));
            if let (Some(0 | 234), Some(cost), Some(temp)) =
                (rc, reply.i64("cost"), reply.i64("temp"))
            {
                out.rows = Some(msiconf_spec::msi::features::costs_row(cost, temp));
            }
        }
        O::GetLastErrorRecord => {
            out.number = num;
            out.value = reply.text("value").map(str::to_owned);
        }
        O::GetFeatureState { .. } | O::GetComponentState { .. } => {
            out.rc = rc;
            if let (Some(0), Some(inst), Some(act)) = (rc, reply.i64("inst"), reply.i64("act")) {
                out.rows = Some(msiconf_spec::msi::features::states_row(inst, act));
            }
        }
        O::ViewGetError { buffer, .. } => {
            out.number = num;
            out.size = reply.u32("size");
            out.value = buffer_value(reply, buffer_cap(*buffer));
        }
        O::SummaryInfo { into, null_out, .. } => {
            out.rc = rc;
            if !*null_out {
                handle_into(st, &mut out, into);
            }
        }
        O::SummaryPropertyCount { .. } => {
            out.rc = rc;
            if rc == Some(0) {
                out.number = num;
            }
        }
        O::SummaryGetProperty { buffer, .. } => {
            out.rc = rc;
            out.size = reply.u32("size");
            if rc == Some(0) || rc == Some(234) {
                out.number = num;
            }
            // A string comes back in the buffer; a number, in the reply's own field.
            out.value = match reply.text("int") {
                Some(n) => Some(n.to_owned()),
                None => buffer_value(reply, buffer_cap(*buffer)),
            };
        }
        O::GetMode { .. }
        | O::GetLanguage
        | O::ProcessMessage { .. }
        | O::EvaluateCondition { .. }
        | O::IsTablePersistent { .. }
        | O::GetDatabaseState { .. }
        | O::HasSession
        | O::SetEnvironment { .. }
        | O::DllCounter
        | O::ComInitSta
        | O::ComCreate
        | O::RecordFieldCount { .. }
        | O::RecordGetInteger { .. }
        | O::RecordIsNull { .. }
        | O::RecordDataSize { .. } => out.number = num,
        O::GetEnvironment { .. } => {
            out.number = num;
            out.value = reply.text("value").map(str::to_owned);
        }
        O::CreateRecord { into, .. } => handle_into(st, &mut out, into),
        O::ViewColumnInfo { into, .. } | O::PrimaryKeys { into, .. } => {
            out.rc = rc;
            handle_into(st, &mut out, into);
        }
        O::GetActiveDatabase { into } => handle_into(st, &mut out, into),
        O::OpenView { into, null_out, .. } => {
            out.rc = rc;
            if !*null_out {
                handle_into(st, &mut out, into);
            }
        }
        O::OpenPackage { into, .. } | O::OpenDatabase { into } => {
            out.rc = rc;
            handle_into(st, &mut out, into);
        }
        O::Fetch { view } => {
            out.rc = rc;
            if rc == Some(0) {
                st.records
                    .insert(view.clone(), reply.u32("rec").unwrap_or(0));
                out.rows = Some(reply.rows.clone());
            }
        }
        O::Sql { .. } => {
            out.rc = rc;
            out.rows = Some(reply.rows.clone());
        }
        O::CommandLine => out.value = reply.text("value").map(str::to_owned),
        _ => out.rc = rc,
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(line: &str) -> Reply {
        Reply::parse(line)
    }

    #[test]
    fn cache_file_names_are_normalised() {
        assert_eq!(
            normalise("C:\\windows\\Installer\\9970.msi"),
            "C:\\windows\\Installer\\*.msi"
        );
        assert_eq!(
            normalise("a C:\\WINDOWS\\installer\\1f2e.msi; b C:\\Windows\\Installer\\x.msi"),
            "a C:\\WINDOWS\\installer\\*.msi; b C:\\Windows\\Installer\\x.msi"
        );
        assert_eq!(normalise("C:\\msiconf\\pkg.msi"), "C:\\msiconf\\pkg.msi");
        assert_eq!(normalise("\\installer\\"), "\\installer\\");
    }

    #[test]
    fn handles_rank_by_first_appearance() {
        let mut st = RunState::new(5);
        assert_eq!(st.rank(0), 0);
        assert_eq!(st.rank(900), 1);
        assert_eq!(st.rank(42), 2);
        assert_eq!(st.rank(900), 1);
    }

    #[test]
    fn successful_getter_keeps_embedded_nuls_up_to_size() {
        let r = reply("rc=0\tsize=3\twritten=4\tbuf=a%00b%00");
        assert_eq!(buffer_value(&r, Some(1024)).as_deref(), Some("a\0b"));
    }

    #[test]
    fn truncated_getter_reads_like_a_c_string() {
        let r = reply("rc=234\tsize=3\twritten=3\tbuf=xy%00");
        assert_eq!(buffer_value(&r, Some(3)).as_deref(), Some("xy"));
    }

    #[test]
    fn untouched_or_absent_buffer_has_no_value() {
        assert_eq!(
            buffer_value(&reply("rc=234\tsize=3\twritten=0\tbuf="), Some(0)),
            None
        );
        assert_eq!(buffer_value(&reply("rc=0\tsize=3"), None), None);
    }

    #[test]
    fn open_view_fills_its_slot_and_later_calls_use_it() {
        let mut st = RunState::new(7);
        let env = CallEnv {
            package_path: "C:\\msiconf\\pkg.msi".into(),
        };
        let get_db = Operation::GetActiveDatabase { into: "db".into() };
        let out = outcome_for(&get_db, &reply("h=31"), &mut st);
        assert_eq!(out.handle, Some(1));
        let view = Operation::OpenView {
            db: "db".into(),
            sql: Some("SELECT * FROM `Property`".into()),
            into: "view".into(),
            null_out: false,
        };
        let (name, args) = request_for(&view, &st, &env).unwrap();
        assert_eq!(name, "openview");
        assert_eq!(args[0], Arg::n(31));
        let out = outcome_for(&view, &reply("rc=0\th=32"), &mut st);
        assert_eq!((out.rc, out.handle), (Some(0), Some(2)));
        let fetch = Operation::Fetch {
            view: "view".into(),
        };
        let out = outcome_for(&fetch, &reply("rc=0\trec=40\trow=2,ProductName,x"), &mut st);
        assert_eq!(
            out.rows,
            Some(vec![vec!["ProductName".to_owned(), "x".to_owned()]])
        );
        let set = Operation::SetField {
            view: "view".into(),
            field: 2,
            value: "y".into(),
        };
        let (_, args) = request_for(&set, &st, &env).unwrap();
        assert_eq!(
            args[1],
            Arg::n(40),
            "set-field acts on the record fetched last"
        );
    }

    #[test]
    fn automation_forms_are_unsupported_in_dll_probes() {
        let st = RunState::new(1);
        let env = CallEnv {
            package_path: String::new(),
        };
        let why = request_for(&Operation::SessionLanguage, &st, &env).unwrap_err();
        assert!(why.contains("script"));
    }

    #[test]
    fn bogus_and_zero_handles_are_sent_as_such() {
        let st = RunState::new(9);
        let env = CallEnv {
            package_path: String::new(),
        };
        let op = Operation::DoAction {
            action: None,
            handle: HandleArg::Bogus,
        };
        let (_, args) = request_for(&op, &st, &env).unwrap();
        assert_eq!(args, vec![Arg::n(BOGUS_HANDLE), Arg::Str(None)]);
    }
}
