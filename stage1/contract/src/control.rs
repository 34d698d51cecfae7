//! The pod's control socket, protocol version [`CONTROL_VERSION`]: how `liftoff app …` asks a
//! running pod's supervisor to change the pod.
//!
//! The supervisor is the only process that changes a running pod (its manifest above all). It
//! listens on `control.sock` in the pod dir ([`crate::layout::control_socket`]), a unix stream
//! socket of mode 0600, and serves only callers whose `SO_PEERCRED` uid is 0. A client connects,
//! sends one [`Request`] and reads one [`Response`]; then the supervisor closes the connection.
//!
//! Each message is a frame: a 4-byte big-endian length, then that many bytes of JSON. A frame
//! longer than [`MAX_FRAME`] is refused without being read, every field is strict (unknown fields
//! are errors), and a request of another [`CONTROL_VERSION`] is answered with
//! [`RefusalKind::Version`]. A client that has not sent its whole request within
//! [`REQUEST_DEADLINE_SECS`] is dropped.
//!
//! The operations ([`Op`]):
//! - `add`: a new app, resolved and verified by stage0 exactly as `run` would; the supervisor
//!   records it in `pod.json` (a new generation) and prepares it; it is `created`, not started.
//! - `start`: starts a created or exited app; answered once it has reached execve (with its pid
//!   and run number).
//! - `stop`: SIGTERM to a running app, SIGKILL after `timeout_secs` (default: the pod's stop
//!   timeout); answered once it has exited. Its exit never ends or fails the pod, nor restarts it.
//! - `restart`: stop (if it runs), then start.
//! - `remove`: an app that is not running leaves the pod: its manifest entry, root, upper dir,
//!   logs and cgroup go.

use crate::manifest::PodApp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The protocol version this crate speaks.
pub const CONTROL_VERSION: u32 = 1;

/// The longest frame either side reads: an app whose seccomp profile is at the manifest's limit
/// fits.
pub const MAX_FRAME: usize = 2 * crate::manifest::MAX_SECCOMP_PROFILE + (1 << 20);

/// How long the supervisor waits for a client's whole request.
pub const REQUEST_DEADLINE_SECS: u64 = 10;

/// Longest stop timeout a request may give.
pub const MAX_TIMEOUT_SECS: u64 = 3600;

/// One request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub version: u32,
    pub op: Op,
}

/// What a request asks.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum Op {
    Add {
        app: Box<PodApp>,
    },
    Start {
        app: String,
    },
    Stop {
        app: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_secs: Option<u64>,
    },
    Restart {
        app: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_secs: Option<u64>,
    },
    Remove {
        app: String,
    },
}

impl Op {
    /// The app the request is about.
    pub fn app(&self) -> &str {
        match self {
            Op::Add { app } => &app.spec.name,
            Op::Start { app }
            | Op::Stop { app, .. }
            | Op::Restart { app, .. }
            | Op::Remove { app } => app,
        }
    }

    /// The verb, for messages.
    pub fn verb(&self) -> &'static str {
        match self {
            Op::Add { .. } => "add",
            Op::Start { .. } => "start",
            Op::Stop { .. } => "stop",
            Op::Restart { .. } => "restart",
            Op::Remove { .. } => "remove",
        }
    }
}

/// The answer to one request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub version: u32,
    /// Why the request was not done; None: done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
    /// `start`/`restart`: the app's pid (in the pod's pid namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
    /// `start`/`restart`: which run of the app this is (its `run.json`'s and, once it has ended,
    /// its `exit.json`'s `run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<u32>,
    /// `stop`/`restart`: how the stopped run ended (128+N for a signal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The manifest's generation after the request.
    pub generation: u64,
}

impl Response {
    pub fn done(generation: u64) -> Response {
        Response {
            version: CONTROL_VERSION,
            refused: None,
            pid: None,
            run: None,
            exit_code: None,
            generation,
        }
    }

    pub fn refused(kind: RefusalKind, message: String, generation: u64) -> Response {
        Response {
            refused: Some(Refusal { kind, message }),
            ..Response::done(generation)
        }
    }
}

/// A refusal: its kind, and a message for the user that names the app and the way out.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalKind {
    /// Malformed, oversized or invalid request.
    Invalid,
    /// Another protocol version.
    Version,
    /// The caller is not root.
    Denied,
    /// No such app in the pod.
    NotFound,
    /// `add` of a name the pod already has.
    Exists,
    /// The app is not in a state that allows it (e.g. `remove` of a running app).
    State,
    /// The pod is stopping, or too many requests are in flight.
    Busy,
    /// The supervisor tried and failed (the message says why).
    Failed,
}

/// Why a frame could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("a message of {0} bytes is over the limit of {MAX_FRAME}")]
    TooLong(usize),
    #[error("the other side closed the connection")]
    Closed,
    #[error("not a valid message: {0}")]
    Invalid(String),
}

/// The frame for `value`.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, FrameError> {
    let body = serde_json::to_vec(value).map_err(|e| FrameError::Invalid(e.to_string()))?;
    if body.len() > MAX_FRAME {
        return Err(FrameError::TooLong(body.len()));
    }
    let mut out = Vec::with_capacity(4 + body.len());
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// How many bytes the frame that starts `buf` has in all, once its length is there (refusing an
/// oversized one before it is read).
pub fn frame_len(buf: &[u8]) -> Result<Option<usize>, FrameError> {
    let Some(head) = buf.get(..4) else {
        return Ok(None);
    };
    let n = u32::from_be_bytes(head.try_into().expect("4 bytes")) as usize;
    if n > MAX_FRAME {
        return Err(FrameError::TooLong(n));
    }
    Ok(Some(4 + n))
}

/// Parses a whole frame (as [`frame_len`] measured it).
pub fn decode<T: DeserializeOwned>(frame: &[u8]) -> Result<T, FrameError> {
    let body = frame.get(4..).ok_or(FrameError::Closed)?;
    serde_json::from_slice(body).map_err(|e| FrameError::Invalid(e.to_string()))
}

/// Writes one frame to a blocking stream.
pub fn write_frame<T: Serialize>(w: &mut impl std::io::Write, value: &T) -> Result<(), FrameError> {
    w.write_all(&encode(value)?)?;
    Ok(())
}

/// Reads one frame from a blocking stream (whose read timeout bounds the wait).
pub fn read_frame<T: DeserializeOwned>(r: &mut impl std::io::Read) -> Result<T, FrameError> {
    let mut head = [0u8; 4];
    read_all(r, &mut head)?;
    let n = frame_len(&head)?.expect("4 bytes") - 4;
    let mut body = vec![0u8; 4 + n];
    body[..4].copy_from_slice(&head);
    read_all(r, &mut body[4..])?;
    decode(&body)
}

fn read_all(r: &mut impl std::io::Read, buf: &mut [u8]) -> Result<(), FrameError> {
    match r.read_exact(buf) {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(FrameError::Closed),
        r => Ok(r?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_are_strict() {
        let req = Request {
            version: CONTROL_VERSION,
            op: Op::Stop {
                app: "web".into(),
                timeout_secs: Some(3),
            },
        };
        let f = encode(&req).unwrap();
        assert_eq!(frame_len(&f).unwrap(), Some(f.len()));
        assert_eq!(frame_len(&f[..3]).unwrap(), None);
        assert_eq!(decode::<Request>(&f).unwrap(), req);
        let mut r = &f[..];
        assert_eq!(read_frame::<Request>(&mut r).unwrap(), req);
        // A truncated frame is "closed", an unknown field is invalid.
        let mut short = &f[..f.len() - 1];
        assert!(matches!(
            read_frame::<Request>(&mut short),
            Err(FrameError::Closed)
        ));
        let body = br#"{"version":1,"op":{"kind":"start","app":"web","extra":1}}"#;
        let mut f = (body.len() as u32).to_be_bytes().to_vec();
        f.extend_from_slice(body);
        assert!(matches!(decode::<Request>(&f), Err(FrameError::Invalid(_))));
    }

    #[test]
    fn an_oversized_frame_is_refused_from_its_length() {
        let head = ((MAX_FRAME + 1) as u32).to_be_bytes();
        assert!(matches!(frame_len(&head), Err(FrameError::TooLong(_))));
        let mut r = &head[..];
        assert!(matches!(
            read_frame::<Request>(&mut r),
            Err(FrameError::TooLong(_))
        ));
    }
}
