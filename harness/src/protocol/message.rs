//! The messages of the protocol, in both directions.

use msiconf_spec::{Context, OpKind, Plan, Transcript};
use serde::{Deserialize, Serialize};

/// The protocol version this build speaks. Bump it on any change an existing
/// runtime could misread; adding an optional field is not such a change.
pub const PROTOCOL_VERSION: u32 = 1;

/// A message from the harness to a runtime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Request {
    /// The first message on every connection.
    Hello {
        /// The protocol version the harness speaks.
        protocol: u32,
        /// The harness's name and version, for the runtime's log.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        harness: Option<String>,
    },
    /// Run one plan (one install session) and answer with its transcript.
    Run {
        /// Chosen by the harness; the answer carries it back.
        id: u64,
        plan: Plan,
    },
    /// No more requests: the runtime exits with status 0 without answering.
    Shutdown,
}

/// A `run` request that borrows its plan, so the harness need not clone it to send it.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct RunRequestRef<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: u64,
    plan: &'a Plan,
}

impl<'a> RunRequestRef<'a> {
    /// The `run` request for `plan` under `id`; it serialises exactly as [`Request::Run`].
    pub fn new(id: u64, plan: &'a Plan) -> RunRequestRef<'a> {
        RunRequestRef {
            kind: "run",
            id,
            plan,
        }
    }
}

/// What a runtime declares about itself in its answer to `hello`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// The implementation's own name.
    pub name: String,
    /// The implementation's own version.
    pub version: String,
    /// The contexts it can make calls from.
    pub contexts: Vec<Context>,
    /// The operations it can perform.
    pub operations: Vec<OpKind>,
}

/// A message from a runtime to the harness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Response {
    /// The answer to `hello`: the version the runtime speaks and what it supports.
    Ready {
        protocol: u32,
        name: String,
        version: String,
        contexts: Vec<Context>,
        operations: Vec<OpKind>,
    },
    /// The answer to `run`: what happened.
    Transcript { id: u64, transcript: Transcript },
    /// The answer to `run` (or to `hello`, without an id) when there is no transcript.
    Error {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        kind: ErrorKind,
        message: String,
    },
}

impl Response {
    /// The `ready` answer for these capabilities, in this build's protocol version.
    pub fn ready(caps: &Capabilities) -> Response {
        Response::Ready {
            protocol: PROTOCOL_VERSION,
            name: caps.name.clone(),
            version: caps.version.clone(),
            contexts: caps.contexts.clone(),
            operations: caps.operations.clone(),
        }
    }

    /// The request id the message answers, if any.
    pub fn id(&self) -> Option<u64> {
        match self {
            Response::Ready { .. } => None,
            Response::Transcript { id, .. } => Some(*id),
            Response::Error { id, .. } => *id,
        }
    }

    /// The message's `type`, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Response::Ready { .. } => "ready",
            Response::Transcript { .. } => "transcript",
            Response::Error { .. } => "error",
        }
    }
}

/// Why a runtime answered a `run` without a transcript.
///
/// The kinds keep "the runtime could not run this" apart from "the runtime
/// broke": a report shows the first as a skip and the others as errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The runtime cannot run this plan (an operation, context or fixture feature it lacks).
    Unsupported,
    /// The implementation failed on its own account (an exception, a failed set-up).
    Failed,
    /// The request was not one the runtime could read.
    BadRequest,
}

impl ErrorKind {
    /// The kebab-case name used on the wire.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Failed => "failed",
            ErrorKind::BadRequest => "bad-request",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_request_ref_serialises_like_the_owned_request() {
        let plan = msiconf_spec::Plan {
            fixture: msiconf_spec::Fixture::standard(),
            ..Plan::default()
        };
        let borrowed = serde_json::to_string(&RunRequestRef::new(9, &plan)).unwrap();
        let owned = serde_json::to_string(&Request::Run { id: 9, plan }).unwrap();
        assert_eq!(borrowed, owned);
    }

    #[test]
    fn unknown_fields_and_types_are_rejected() {
        let extra = r#"{"type":"error","id":1,"kind":"failed","message":"x","extra":1}"#;
        assert!(serde_json::from_str::<Response>(extra).is_err());
        let unknown = r#"{"type":"greeting"}"#;
        assert!(serde_json::from_str::<Response>(unknown).is_err());
        let ok = r#"{"type":"error","kind":"bad-request","message":"x"}"#;
        assert_eq!(
            serde_json::from_str::<Response>(ok).unwrap(),
            Response::Error {
                id: None,
                kind: ErrorKind::BadRequest,
                message: "x".into()
            }
        );
    }

    #[test]
    fn shutdown_is_a_bare_type() {
        assert_eq!(
            serde_json::to_string(&Request::Shutdown).unwrap(),
            r#"{"type":"shutdown"}"#
        );
        assert_eq!(
            serde_json::from_str::<Request>(r#"{"type":"shutdown"}"#).unwrap(),
            Request::Shutdown
        );
    }
}
