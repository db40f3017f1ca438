//! `msiconf serve`: the reference model, or one of its broken variants,
//! speaking the runtime side of the process protocol on stdin and stdout.
//!
//! It lets the protocol be tested round trip, and lets anyone compare their
//! own implementation with the reference over the wire.

use crate::protocol::{
    encode_line, read_frame, show_line, Capabilities, ErrorKind, Frame, Request, Response,
    MAX_LINE_BYTES, PROTOCOL_VERSION,
};
use msiconf_spec::model::{self, Config, Deviation};
use msiconf_spec::{Context, OpKind, Profile, Transcript};
use std::io::{self, BufReader, Read, Write};
use std::panic::{self, AssertUnwindSafe};

/// The options of `msiconf serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The model to serve: `reference`, or `broken:NAME` for the model with one deliberate deviation.
    #[arg(long, default_value = "reference")]
    pub runtime: String,
    /// Where the documentation and Windows disagree, which to follow: `documented` or `windows`.
    #[arg(long, default_value = "windows", value_parser = parse_profile)]
    pub profile: Profile,
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::from_name(s)
        .ok_or_else(|| format!("unknown profile `{s}` (expected documented or windows)"))
}

/// Why `msiconf serve` could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// `--runtime` named something other than the model.
    #[error("unknown runtime `{0}` for serve (expected `reference` or `broken:NAME`; see `msiconf runtimes`)")]
    UnknownRuntime(String),
    /// Reading requests or writing answers failed.
    #[error("failed to talk over stdin/stdout")]
    Io(#[from] io::Error),
}

/// The model configuration a serve `--runtime` name stands for.
pub fn model_config(runtime: &str, profile: Profile) -> Result<Config, ServeError> {
    let deviations = if runtime == "reference" {
        Vec::new()
    } else {
        let deviation = runtime
            .strip_prefix("broken:")
            .and_then(Deviation::from_name)
            .ok_or_else(|| ServeError::UnknownRuntime(runtime.to_owned()))?;
        vec![deviation]
    };
    Ok(Config {
        profile,
        deviations,
    })
}

/// What the served model declares: every context and every operation.
pub fn capabilities(runtime: &str, profile: Profile) -> Capabilities {
    Capabilities {
        name: format!("msiconf {runtime}"),
        version: format!("{} (profile {profile})", env!("CARGO_PKG_VERSION")),
        contexts: Context::ALL.to_vec(),
        operations: OpKind::ALL.to_vec(),
    }
}

/// Runs `msiconf serve` on the process's stdin and stdout until `shutdown` or end of input.
pub fn run(args: &ServeArgs) -> Result<(), ServeError> {
    let config = model_config(&args.runtime, args.profile)?;
    let caps = capabilities(&args.runtime, args.profile);
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    serve(stdin, stdout, &caps, |plan| model::run(plan, &config))?;
    Ok(())
}

/// Answers requests from `input` on `output` with `run_plan` until `shutdown`
/// or end of input. A panic in `run_plan` is answered as a `failed` error and
/// the loop carries on.
pub fn serve<R, W, F>(input: R, output: W, caps: &Capabilities, run_plan: F) -> io::Result<()>
where
    R: Read,
    W: Write,
    F: Fn(&msiconf_spec::Plan) -> Transcript,
{
    let mut input = BufReader::with_capacity(64 << 10, input);
    let mut out = io::BufWriter::with_capacity(64 << 10, output);
    let mut greeted = false;
    loop {
        let frame = read_frame(&mut input, MAX_LINE_BYTES)?;
        let answer = match frame {
            Frame::Eof => break,
            Frame::TooLong(start) => Some(bad_request(
                None,
                format!(
                    "request longer than {MAX_LINE_BYTES} bytes: {}",
                    show_line(&start)
                ),
            )),
            Frame::Line(line) if line.iter().all(u8::is_ascii_whitespace) => None,
            Frame::Line(line) => match serde_json::from_slice::<Request>(&line) {
                Err(e) => Some(bad_request(
                    id_of(&line),
                    format!("unreadable request ({e})"),
                )),
                Ok(Request::Shutdown) => break,
                Ok(Request::Hello { protocol, .. }) => {
                    if protocol == PROTOCOL_VERSION {
                        greeted = true;
                        Some(Response::ready(caps))
                    } else {
                        Some(bad_request(
                            None,
                            format!("this runtime speaks protocol version {PROTOCOL_VERSION}, not {protocol}"),
                        ))
                    }
                }
                Ok(Request::Run { id, .. }) if !greeted => {
                    Some(bad_request(Some(id), "`run` before `hello`".to_owned()))
                }
                Ok(Request::Run { id, plan }) => Some(
                    match panic::catch_unwind(AssertUnwindSafe(|| run_plan(&plan))) {
                        Ok(transcript) => Response::Transcript { id, transcript },
                        Err(payload) => Response::Error {
                            id: Some(id),
                            kind: ErrorKind::Failed,
                            message: format!("the model panicked: {}", panic_message(&*payload)),
                        },
                    },
                ),
            },
        };
        if let Some(answer) = answer {
            out.write_all(&encode_line(&answer))?;
        }
        // Flush only when no further request is already waiting, so pipelined
        // requests are answered in one write instead of one each.
        if !input.buffer().contains(&b'\n') {
            out.flush()?;
        }
    }
    out.flush()
}

fn bad_request(id: Option<u64>, message: String) -> Response {
    Response::Error {
        id,
        kind: ErrorKind::BadRequest,
        message,
    }
}

/// The `id` of a request that failed to parse as a whole, so the harness can
/// still tell which request was bad.
fn id_of(line: &[u8]) -> Option<u64> {
    serde_json::from_slice::<serde_json::Value>(line)
        .ok()?
        .get("id")?
        .as_u64()
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn talk(input: &str, run_plan: impl Fn(&msiconf_spec::Plan) -> Transcript) -> Vec<Response> {
        let mut out = Vec::new();
        serve(
            input.as_bytes(),
            &mut out,
            &capabilities("reference", Profile::Windows),
            run_plan,
        )
        .unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn answers_hello_runs_and_stops_at_shutdown() {
        let answers = talk(
            concat!(
                r#"{"type":"hello","protocol":1}"#,
                "\n",
                r#"{"type":"run","id":4,"plan":{"fixture":{}}}"#,
                "\n",
                r#"{"type":"shutdown"}"#,
                "\n",
                r#"{"type":"run","id":5,"plan":{"fixture":{}}}"#,
                "\n"
            ),
            |_| Transcript {
                install_result: Some(0),
                ..Transcript::default()
            },
        );
        assert_eq!(answers.len(), 2);
        assert!(matches!(answers[0], Response::Ready { protocol: 1, .. }));
        assert_eq!(
            answers[1],
            Response::Transcript {
                id: 4,
                transcript: Transcript {
                    install_result: Some(0),
                    ..Transcript::default()
                }
            }
        );
    }

    #[test]
    fn bad_requests_are_answered_with_their_id_when_it_can_be_read() {
        let answers = talk(
            concat!(
                r#"{"type":"run","id":1,"plan":{"fixture":{}}}"#,
                "\n",
                r#"{"type":"hello","protocol":2}"#,
                "\n",
                r#"{"type":"hello","protocol":1}"#,
                "\n",
                r#"{"type":"run","id":7,"plan":{"fixtures":{}}}"#,
                "\n",
                "not json\n"
            ),
            |_| Transcript::default(),
        );
        let kinds: Vec<(Option<u64>, Option<ErrorKind>)> = answers
            .iter()
            .map(|a| match a {
                Response::Error { id, kind, .. } => (*id, Some(*kind)),
                other => (other.id(), None),
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                (Some(1), Some(ErrorKind::BadRequest)),
                (None, Some(ErrorKind::BadRequest)),
                (None, None),
                (Some(7), Some(ErrorKind::BadRequest)),
                (None, Some(ErrorKind::BadRequest)),
            ]
        );
    }

    #[test]
    fn a_panicking_model_is_a_failed_answer_and_serving_goes_on() {
        let answers = talk(
            concat!(
                r#"{"type":"hello","protocol":1}"#,
                "\n",
                r#"{"type":"run","id":1,"plan":{"fixture":{},"install":{}}}"#,
                "\n",
                r#"{"type":"run","id":2,"plan":{"fixture":{}}}"#,
                "\n"
            ),
            |plan| {
                assert!(plan.install.is_none(), "boom");
                Transcript::default()
            },
        );
        match &answers[1] {
            Response::Error {
                id: Some(1),
                kind: ErrorKind::Failed,
                message,
            } => assert!(message.contains("boom"), "{message}"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(answers[2], Response::Transcript { id: 2, .. }));
    }

    #[test]
    fn runtime_names_map_to_model_configs() {
        assert!(model_config("reference", Profile::Documented)
            .unwrap()
            .deviations
            .is_empty());
        let name = format!("broken:{}", Deviation::ALL[0].name());
        assert_eq!(
            model_config(&name, Profile::Windows).unwrap().deviations,
            vec![Deviation::ALL[0]]
        );
        assert!(model_config("broken:nope", Profile::Windows).is_err());
        assert!(model_config("cmd:x", Profile::Windows).is_err());
    }
}
