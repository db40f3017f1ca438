//! The JScript probe: generated per plan with each script probe's steps compiled in.
//!
//! JScript custom actions have no sockets, so each step's result is appended
//! (one open, write, close per line, so a crash loses nothing) to a results
//! file through `Scripting.FileSystemObject`. The harness reads new lines from
//! that file whenever a DLL probe talks to it, and once more at the end of
//! the session, which keeps script and DLL events in execution order: calls
//! are synchronous, so whatever the file holds when a DLL probe speaks
//! happened before.
//!
//! Result lines: `token <tab> R <tab> probe` when a probe starts, and
//! `token <tab> E <tab> probe <tab> step <tab> fields` after each step, with the fields
//! of the C probes' replies (`num=`, `value=`, `row=`, `exc=`, `unsupported=`).
//! The token is the session's: a line some other session's script wrote
//! (a straggler under load) is recognised and dropped.

use super::session::Selection;
use super::wire::Reply;
use msiconf_spec::{Operation, Outcome};
use std::fmt::Write as _;

/// The results file, as the script sees it.
pub const RESULTS_PATH: &str = "C:\\msiconf\\js.txt";

/// A JScript string literal for `s`, with everything but plain ASCII escaped.
pub fn js_string(s: &str) -> String {
    let mut out = String::from("\"");
    for unit in s.encode_utf16() {
        let c = char::from_u32(u32::from(unit));
        match c {
            Some(c) if c.is_ascii_alphanumeric() || " _-.:;,/()[]{}!?@#$*+=<>|~^&'".contains(c) => {
                out.push(c)
            }
            _ => {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out.push('"');
    out
}

fn js_opt(s: &Option<String>) -> String {
    s.as_deref().map_or_else(|| "null".to_owned(), js_string)
}

const PRELUDE: &str = r#"// msiconf JScript probe, generated for one plan.
function msiconf_put(line) {
  var fso = new ActiveXObject("Scripting.FileSystemObject");
  var f = fso.OpenTextFile(MSICONF_OUT, 8, true, 0);
  f.WriteLine(MSICONF_TOKEN + "\t" + line);
  f.Close();
}
function msiconf_enc(s) {
  try { return encodeURIComponent(s); } catch (e) { return escape(s); }
}
function msiconf_val(v) {
  return typeof v == "string" ? "\tvalue=" + msiconf_enc(v) : "";
}
function msiconf_num(v) {
  if (typeof v == "boolean") return "\tnum=" + (v ? 1 : 0);
  if (typeof v == "number") return "\tnum=" + v;
  return "";
}
function msiconf_rows(view) {
  var out = "";
  view.Execute();
  for (;;) {
    var rec = view.Fetch();
    if (rec == null) break;
    var n = rec.FieldCount, row = "" + n;
    for (var i = 1; i <= n; i++) {
      // StringData reads a NULL field as "", the transcript's spelling of NULL.
      row += "," + msiconf_enc("" + rec.StringData(i));
    }
    out += "\trow=" + row;
  }
  view.Close();
  return out;
}
function msiconf_exc(e) {
  var n = (typeof e == "object" && e != null && typeof e.number == "number") ? e.number : 0;
  if (n < 0) n += 4294967296;
  var d = (typeof e == "object" && e != null && typeof e.description == "string") ? e.description : "";
  return "\texc=" + n.toString(16) + "\tdesc=" + msiconf_enc(d);
}
"#;

/// The script for the given script probes (index `i` becomes function `P{i}`).
///
/// The script cannot be steered while it runs, so a session's selection is
/// compiled in: skipped steps are left out and a probe that must stop after
/// a step returns right there.
pub fn generate(
    probes: &[(&str, &msiconf_spec::ProbeScript)],
    package_path: &str,
    token: &str,
    sel: &Selection,
) -> String {
    let mut js = String::new();
    let _ = writeln!(js, "var MSICONF_OUT = {};", js_string(RESULTS_PATH));
    let _ = writeln!(js, "var MSICONF_TOKEN = {};", js_string(token));
    let _ = writeln!(js, "var MSICONF_PKG = {};", js_string(package_path));
    js.push_str(PRELUDE);
    for (i, (name, script)) in probes.iter().enumerate() {
        let _ = writeln!(js, "function P{i}() {{");
        let _ = writeln!(js, "  msiconf_put(\"R\\t{i}\");");
        js.push_str("  var slots = {};\n");
        for (k, op) in script.steps.iter().enumerate() {
            if sel.skip.contains(&((*name).to_owned(), k)) {
                continue;
            }
            let body = step_body(op);
            let _ = writeln!(
                js,
                "  try {{ var r = \"\"; {body} msiconf_put(\"E\\t{i}\\t{k}\" + r); }} catch (e) {{ msiconf_put(\"E\\t{i}\\t{k}\" + msiconf_exc(e)); }}"
            );
            if sel
                .stop_after
                .as_ref()
                .is_some_and(|(p, last)| p == name && *last == k)
            {
                break;
            }
        }
        let _ = writeln!(js, "  return {};\n}}", script.returns);
    }
    js
}

/// The statements that perform one step and leave its result fields in `r`.
fn step_body(op: &Operation) -> String {
    use Operation as O;
    // Assigning to a parameterised property (`Session.Property(n) = v`) is a
    // JScript extension; it goes through eval so that an engine without it
    // fails this one step, not the whole script.
    let put = |target: &str, value: &str| {
        format!(
            "var msiconf_v = {value}; try {{ eval({}); }} catch (pe) {{ var pc = pe.number & 0xFFFF; if (pe instanceof SyntaxError || pc == 5008 || (pc >= 1000 && pc < 1100)) {{ r = \"\\tunsupported=\" + msiconf_enc(\"the script engine cannot assign to a parameterised property\"); }} else {{ throw pe; }} }}",
            js_string(&format!("{target} = msiconf_v"))
        )
    };
    match op {
        O::SessionPropertyGet { name } => {
            format!("r = msiconf_val(Session.Property({}));", js_opt(name))
        }
        O::SessionPropertySet { name, value } => {
            format!(
                "var msiconf_n = {}; {}",
                js_opt(name),
                put("Session.Property(msiconf_n)", &js_opt(value))
            )
        }
        O::SessionDoAction { action } => {
            format!("r = msiconf_num(Session.DoAction({}));", js_opt(action))
        }
        O::SessionMode { mode } => format!("r = msiconf_num(Session.Mode({mode}));"),
        O::SessionSetMode { mode, state } => {
            put(&format!("Session.Mode({mode})"), &state.to_string())
        }
        O::SessionLanguage => "r = msiconf_num(Session.Language);".to_owned(),
        O::SessionMessage { kind, fields } => {
            let mut s = format!(
                "var rec = Session.Installer.CreateRecord({});",
                fields.len()
            );
            for (i, f) in fields.iter().enumerate() {
                s.push(' ');
                s.push_str(&put(&format!("rec.StringData({})", i + 1), &js_string(f)));
            }
            s.push_str(&format!(" r += msiconf_num(Session.Message({kind}, rec));"));
            s
        }
        O::SessionEvaluateCondition { condition } => {
            format!(
                "r = msiconf_num(Session.EvaluateCondition({}));",
                js_opt(condition)
            )
        }
        O::SessionDatabase { into } => format!("slots[{}] = Session.Database;", js_string(into)),
        O::SessionTargetPath { folder } => {
            format!("r = msiconf_val(Session.TargetPath({}));", js_opt(folder))
        }
        O::SessionSetTargetPath { folder, path } => format!(
            "var msiconf_n = {}; {}",
            js_opt(folder),
            put("Session.TargetPath(msiconf_n)", &js_opt(path))
        ),
        O::SessionSourcePath { folder } => {
            format!("r = msiconf_val(Session.SourcePath({}));", js_opt(folder))
        }
        O::SessionFeatureValidStates { feature } => format!(
            "r = msiconf_num(Session.FeatureValidStates({}));",
            js_opt(feature)
        ),
        O::SessionFeatureCost {
            feature,
            tree,
            state,
        } => format!(
            "r = msiconf_num(Session.FeatureCost({}, {tree}, {state}));",
            js_opt(feature)
        ),
        O::SessionFeatureCurrentState { feature } => format!(
            "r = msiconf_num(Session.FeatureCurrentState({}));",
            js_opt(feature)
        ),
        O::SessionFeatureRequestState { feature } => format!(
            "r = msiconf_num(Session.FeatureRequestState({}));",
            js_opt(feature)
        ),
        O::SessionSetFeatureRequestState { feature, state } => format!(
            "var msiconf_n = {}; {}",
            js_opt(feature),
            put("Session.FeatureRequestState(msiconf_n)", &state.to_string())
        ),
        O::SessionComponentCurrentState { component } => format!(
            "r = msiconf_num(Session.ComponentCurrentState({}));",
            js_opt(component)
        ),
        O::SessionComponentRequestState { component } => format!(
            "r = msiconf_num(Session.ComponentRequestState({}));",
            js_opt(component)
        ),
        O::SessionSetComponentRequestState { component, state } => format!(
            "var msiconf_n = {}; {}",
            js_opt(component),
            put(
                "Session.ComponentRequestState(msiconf_n)",
                &state.to_string()
            )
        ),
        O::InstallerOpenPackage => {
            "var p = Session.Installer.OpenPackage(MSICONF_PKG, 0); p = null;".to_owned()
        }
        // The database calls share the C forms' vocabulary: an automation call
        // that returns without raising is the API call succeeding (rc 0).
        O::Sql { db, sql } => format!(
            "r = msiconf_rows(slots[{}].OpenView({})) + \"\\trc=0\";",
            js_string(db),
            js_string(sql)
        ),
        O::IsTablePersistent { db, table } => format!(
            "r = msiconf_num(slots[{}].TablePersistent({}));",
            js_string(db),
            js_opt(table)
        ),
        O::SetSummaryInfo {
            db,
            property,
            value,
        } => {
            let v = match property {
                1 | 14 | 15 | 16 | 19 => value
                    .parse::<i64>()
                    .map_or_else(|_| js_string(value), |n| n.to_string()),
                _ => js_string(value),
            };
            format!(
                "var si = slots[{}].SummaryInformation(1); {} if (r == \"\") r = \"\\trc=0\";",
                js_string(db),
                put(&format!("si.Property({property})"), &v)
            )
        }
        O::Commit { db } => format!("slots[{}].Commit(); r = \"\\trc=0\";", js_string(db)),
        O::HasSession => {
            "r = msiconf_num(typeof Session == \"object\" && Session != null);".to_owned()
        }
        _ => format!(
            "r = \"\\tunsupported=\" + msiconf_enc({});",
            js_string("a script custom action performs only automation calls")
        ),
    }
}

/// One parsed line of the results file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptLine {
    /// Script probe `probe` started.
    Run { probe: usize },
    /// Step `step` of script probe `probe` finished with this outcome.
    Event {
        probe: usize,
        step: usize,
        outcome: Outcome,
    },
    /// A line with another session's token.
    Foreign,
}

/// Parses a results line of the session with `token`; `None` for a line that is not one.
pub fn parse_line(line: &str, token: &str) -> Option<ScriptLine> {
    let (owner, rest) = line.split_once('\t')?;
    if owner != token {
        return Some(ScriptLine::Foreign);
    }
    let mut parts = rest.trim_end_matches(['\r', '\n']).splitn(4, '\t');
    match parts.next()? {
        "R" => Some(ScriptLine::Run {
            probe: parts.next()?.parse().ok()?,
        }),
        "E" => {
            let probe = parts.next()?.parse().ok()?;
            let step = parts.next()?.parse().ok()?;
            let reply = Reply::parse(parts.next().unwrap_or(""));
            Some(ScriptLine::Event {
                probe,
                step,
                outcome: script_outcome(&reply),
            })
        }
        _ => None,
    }
}

fn script_outcome(reply: &Reply) -> Outcome {
    if let Some(why) = reply.text("unsupported") {
        return Outcome::unsupported(why);
    }
    Outcome {
        rc: reply.u32("rc"),
        value: reply.text("value").map(super::calls::normalise),
        number: reply.i64("num"),
        rows: (!reply.rows.is_empty()).then(|| {
            reply
                .rows
                .iter()
                .map(|r| r.iter().map(|c| super::calls::normalise(c)).collect())
                .collect()
        }),
        exception: reply
            .text("exc")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .map(|n| raised(n, reply.text("desc").unwrap_or(""))),
        ..Outcome::default()
    }
}

/// The automation exception a script saw, named as Invoke reported it.
///
/// When Invoke fails with DISP_E_EXCEPTION the script engine surfaces the
/// EXCEPINFO's scode (msi fills it with E_FAIL and a `Method,Argument`
/// description), so an error that carries a description and does not come from
/// the script engine itself (facility 0xA) was raised as DISP_E_EXCEPTION.
pub fn raised(number: u32, description: &str) -> String {
    let from_engine = (number >> 16) & 0x1FFF == 0xA;
    if !from_engine && !description.is_empty() {
        return "DISP_E_EXCEPTION".to_owned();
    }
    exception_name(number)
}

/// The name of an automation error, as the cases write it.
pub fn exception_name(hresult: u32) -> String {
    match hresult {
        0x8002_0009 => "DISP_E_EXCEPTION".to_owned(),
        0x8002_0005 => "DISP_E_TYPEMISMATCH".to_owned(),
        0x8002_0003 => "DISP_E_MEMBERNOTFOUND".to_owned(),
        0x8002_0006 => "DISP_E_UNKNOWNNAME".to_owned(),
        0x8002_000E => "DISP_E_BADPARAMCOUNT".to_owned(),
        0x8002_000F => "DISP_E_PARAMNOTOPTIONAL".to_owned(),
        0x8002_000A => "DISP_E_OVERFLOW".to_owned(),
        0x8007_0057 => "E_INVALIDARG".to_owned(),
        0x8000_4005 => "E_FAIL".to_owned(),
        0x8000_4001 => "E_NOTIMPL".to_owned(),
        0x8007_000E => "E_OUTOFMEMORY".to_owned(),
        other => format!("0x{other:08X}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use msiconf_spec::{Context, ProbeScript};

    #[test]
    fn string_literals_escape_everything_risky() {
        assert_eq!(js_string("ab"), "\"ab\"");
        assert_eq!(
            js_string("a\"b\\c\0\n"),
            "\"a\\u0022b\\u005cc\\u0000\\u000a\""
        );
        assert_eq!(js_string("é"), "\"\\u00e9\"");
    }

    #[test]
    fn generated_probe_writes_a_run_line_and_one_line_per_step() {
        let script = ProbeScript {
            context: Context::ScriptImmediate,
            steps: vec![
                Operation::SessionPropertyGet {
                    name: Some("ProductCode".into()),
                },
                Operation::SessionLanguage,
            ],
            returns: 1,
        };
        let js = generate(
            &[("ProbeScript", &script)],
            "C:\\msiconf\\pkg.msi",
            "t0k",
            &Selection::default(),
        );
        assert!(js.contains("var MSICONF_TOKEN = \"t0k\";"));
        assert!(js.contains("MSICONF_TOKEN + \"\\t\" + line"));
        assert!(js.contains("function P0()"));
        assert!(js.contains("msiconf_put(\"R\\t0\")"));
        assert!(js.contains("\"E\\t0\\t0\""));
        assert!(js.contains("\"E\\t0\\t1\""));
        assert!(js.contains("return 1;"));
        assert!(js.contains("Session.Property(\"ProductCode\")"));
    }

    #[test]
    fn selection_leaves_out_skipped_steps_and_stops_early() {
        let script = ProbeScript {
            context: Context::ScriptImmediate,
            steps: vec![
                Operation::SessionLanguage,
                Operation::InstallerOpenPackage,
                Operation::SessionLanguage,
            ],
            returns: 0,
        };
        let mut sel = Selection::default();
        sel.skip.insert(("ProbeScript".to_owned(), 1));
        let js = generate(&[("ProbeScript", &script)], "C:\\p.msi", "t", &sel);
        assert!(js.contains("\"E\\t0\\t0\"") && js.contains("\"E\\t0\\t2\""));
        assert!(!js.contains("OpenPackage(MSICONF_PKG"));
        let sel = Selection {
            skip: Default::default(),
            stop_after: Some(("ProbeScript".to_owned(), 1)),
        };
        let js = generate(&[("ProbeScript", &script)], "C:\\p.msi", "t", &sel);
        assert!(js.contains("OpenPackage(MSICONF_PKG"));
        assert!(!js.contains("\"E\\t0\\t2\""));
    }

    #[test]
    fn result_lines_become_outcomes() {
        assert_eq!(
            parse_line("t\tR\t2", "t"),
            Some(ScriptLine::Run { probe: 2 })
        );
        // Another session's line is told apart, whatever it says.
        assert_eq!(parse_line("u\tR\t2", "t"), Some(ScriptLine::Foreign));
        assert_eq!(parse_line("R\t2", "t"), Some(ScriptLine::Foreign));
        let Some(ScriptLine::Event {
            probe,
            step,
            outcome,
        }) = parse_line("t\tE\t0\t3\tvalue=%7BA%7D\tnum=1", "t")
        else {
            panic!("not an event")
        };
        assert_eq!((probe, step), (0, 3));
        assert_eq!(outcome.value.as_deref(), Some("{A}"));
        assert_eq!(outcome.number, Some(1));
        let Some(ScriptLine::Event { outcome, .. }) = parse_line("t\tE\t0\t0\texc=80020009", "t")
        else {
            panic!("not an event")
        };
        assert_eq!(outcome.exception.as_deref(), Some("DISP_E_EXCEPTION"));
        let Some(ScriptLine::Event { outcome, .. }) =
            parse_line("t\tE\t0\t0\texc=80004005\tdesc=Property%2CName", "t")
        else {
            panic!("not an event")
        };
        assert_eq!(outcome.exception.as_deref(), Some("DISP_E_EXCEPTION"));
        let Some(ScriptLine::Event { outcome, .. }) = parse_line(
            "t\tE\t0\t0\texc=800a01b6\tdesc=Object%20doesn't%20support",
            "t",
        ) else {
            panic!("not an event")
        };
        assert_eq!(outcome.exception.as_deref(), Some("0x800A01B6"));
        assert_eq!(parse_line("garbage", "t"), None);
        assert_eq!(parse_line("t\tgarbage", "t"), None);
    }
}
