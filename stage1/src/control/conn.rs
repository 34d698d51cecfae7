//! One client of the control socket: accepted only from uid 0 (`SO_PEERCRED`), read without
//! blocking until its one request frame is whole (bounded in size and in time), then answered
//! once and closed.

use liftoff_contract::control::{self, RefusalKind, Request, Response};
use nix::sys::socket::sockopt::PeerCredentials;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

/// Where a client is.
pub enum Phase {
    /// Its request is not whole yet.
    Reading,
    /// Its request went to init as this id; the answer comes from there.
    Waiting(u64),
}

pub struct Client {
    pub stream: UnixStream,
    buf: Vec<u8>,
    pub deadline: Instant,
    pub phase: Phase,
    /// The answer a caller that may not change the pod gets, whatever it asks.
    refusal: Option<Response>,
}

/// What reading a client gave.
pub enum Got {
    /// Nothing whole yet.
    More,
    /// Its request.
    Request(Box<Request>),
    /// It went away, or sent something that is no request (already answered).
    Gone,
}

impl Client {
    /// A newly accepted connection; one whose peer is not root is refused.
    pub fn accept(stream: UnixStream, generation: u64) -> Client {
        let _ = stream.set_nonblocking(true);
        let cred = nix::sys::socket::getsockopt(&stream, PeerCredentials);
        let uid = cred.map(|c| c.uid()).ok();
        // A caller that is not root is answered once it has sent its request (answering at once
        // would leave it a broken pipe instead of the reason), and its request is never looked at.
        let refusal = (uid != Some(0)).then(|| {
            let who = uid.map_or("an unknown caller".to_string(), |u| format!("uid {u}"));
            Response::refused(
                RefusalKind::Denied,
                format!("only root may change a pod; this caller is {who}"),
                generation,
            )
        });
        Client {
            stream,
            buf: Vec::new(),
            deadline: Instant::now() + Duration::from_secs(control::REQUEST_DEADLINE_SECS),
            phase: Phase::Reading,
            refusal,
        }
    }

    /// Reads what has arrived.
    pub fn read(&mut self, generation: u64) -> Got {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            let want = match control::frame_len(&self.buf) {
                Ok(Some(n)) => n,
                Ok(None) => 4,
                Err(e) => return self.invalid(e.to_string(), generation),
            };
            if self.buf.len() >= want {
                if let Some(r) = &self.refusal {
                    answer(&self.stream, r);
                    return Got::Gone;
                }
                return match control::decode::<Request>(&self.buf[..want]) {
                    Ok(r) => Got::Request(Box::new(r)),
                    Err(e) => self.invalid(format!("not a valid request: {e}"), generation),
                };
            }
            let room = (want - self.buf.len()).min(chunk.len());
            match self.stream.read(&mut chunk[..room]) {
                Ok(0) => return Got::Gone,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Got::More,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Got::Gone,
            }
        }
    }

    fn invalid(&self, message: String, generation: u64) -> Got {
        answer(
            &self.stream,
            &Response::refused(RefusalKind::Invalid, message, generation),
        );
        Got::Gone
    }
}

/// Writes the one answer. Answers are small and the socket buffer is empty, so a non-blocking
/// write takes it whole; a client that has gone or does not read loses it.
pub fn answer(stream: &UnixStream, r: &Response) {
    if let Ok(frame) = control::encode(r) {
        let _ = (&*stream).write_all(&frame);
    }
}
