//! The channel between the supervisor and the pod's init while the pod runs: a `SOCK_SEQPACKET`
//! socketpair made before init's clone. The supervisor sends what the control socket asked of an
//! app ([`ToInit`]), init answers each by its id ([`FromInit`]) once it is done (a stop: once the
//! app has exited). One typed message per packet, as JSON; an added app's stdio fds travel with
//! its `add` as SCM_RIGHTS. Init reads the added app itself from `pod.json`, which the supervisor
//! has written by then, so no message carries a whole app (whose seccomp profile may be MiBs).

use liftoff_contract::control::RefusalKind;
use nix::errno::Errno;
use nix::sys::socket::{
    recvmsg, sendmsg, socketpair, AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags,
    SockFlag, SockType,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::path::PathBuf;

/// The largest message either side sends.
const MAX_MESSAGE: usize = 64 * 1024;

/// The channel failed.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("the pod's init channel: {0}")]
    Sys(Errno),
    #[error("the pod's init channel: message: {0}")]
    Message(String),
}

/// What the supervisor asks of init.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum ToInit {
    /// The app `app` of `pod.json`'s generation `generation` joins the pod, created; its stdin,
    /// stdout and stderr come with the message, and its cgroup dirs are made.
    Add {
        id: u64,
        app: String,
        generation: u64,
        cgroup: Vec<PathBuf>,
    },
    Start {
        id: u64,
        app: String,
    },
    Stop {
        id: u64,
        app: String,
        timeout_ms: u64,
    },
    Restart {
        id: u64,
        app: String,
        timeout_ms: u64,
    },
    Remove {
        id: u64,
        app: String,
    },
}

impl ToInit {
    pub fn id(&self) -> u64 {
        match self {
            ToInit::Add { id, .. }
            | ToInit::Start { id, .. }
            | ToInit::Stop { id, .. }
            | ToInit::Restart { id, .. }
            | ToInit::Remove { id, .. } => *id,
        }
    }
}

/// Init's answer to the request `id`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FromInit {
    pub id: u64,
    pub reply: Reply,
}

/// How a request went.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum Reply {
    Done {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pid: Option<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exit_code: Option<i32>,
    },
    Refused {
        refusal: RefusalKind,
        message: String,
    },
}

impl Reply {
    pub fn done() -> Reply {
        Reply::Done {
            pid: None,
            run: None,
            exit_code: None,
        }
    }

    pub fn refused(refusal: RefusalKind, message: String) -> Reply {
        Reply::Refused { refusal, message }
    }
}

/// The two ends: (the supervisor's, init's).
pub fn pair() -> Result<(OwnedFd, OwnedFd), ChannelError> {
    socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
    )
    .map_err(ChannelError::Sys)
}

/// Sends one message, with `fds` if any.
pub fn send<T: Serialize>(
    fd: BorrowedFd<'_>,
    msg: &T,
    fds: &[BorrowedFd<'_>],
) -> Result<(), ChannelError> {
    let body = serde_json::to_vec(msg).map_err(|e| ChannelError::Message(e.to_string()))?;
    if body.len() > MAX_MESSAGE {
        return Err(ChannelError::Message(format!(
            "{} bytes is over {MAX_MESSAGE}",
            body.len()
        )));
    }
    let raw: Vec<RawFd> = fds.iter().map(|f| f.as_raw_fd()).collect();
    let cmsg = [ControlMessage::ScmRights(&raw)];
    let cmsgs: &[ControlMessage] = if raw.is_empty() { &[] } else { &cmsg };
    let iov = [IoSlice::new(&body)];
    loop {
        match sendmsg::<()>(fd.as_raw_fd(), &iov, cmsgs, MsgFlags::MSG_NOSIGNAL, None) {
            Err(Errno::EINTR) => continue,
            // The other side reads every message at once; a full buffer is a peer that hangs.
            Err(e) => return Err(ChannelError::Sys(e)),
            Ok(_) => return Ok(()),
        }
    }
}

/// Receives one message if one is waiting: Ok(None) when none is, Err(EPIPE) once the other
/// side has closed its end.
pub fn recv<T: DeserializeOwned>(
    fd: BorrowedFd<'_>,
) -> Result<Option<(T, Vec<OwnedFd>)>, ChannelError> {
    let mut buf = vec![0u8; MAX_MESSAGE];
    let mut space = nix::cmsg_space!([RawFd; 4]);
    let (n, fds, truncated) = loop {
        let mut iov = [IoSliceMut::new(&mut buf)];
        match recvmsg::<()>(
            fd.as_raw_fd(),
            &mut iov,
            Some(&mut space),
            MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_CMSG_CLOEXEC,
        ) {
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => return Ok(None),
            Err(e) => return Err(ChannelError::Sys(e)),
            Ok(m) => {
                let mut fds = Vec::new();
                for c in m.cmsgs().map_err(ChannelError::Sys)? {
                    if let ControlMessageOwned::ScmRights(got) = c {
                        // SAFETY: the kernel just installed these fds in this process for us.
                        fds.extend(got.into_iter().map(|f| unsafe { OwnedFd::from_raw_fd(f) }));
                    }
                }
                let truncated = m
                    .flags
                    .intersects(MsgFlags::MSG_TRUNC | MsgFlags::MSG_CTRUNC);
                break (m.bytes, fds, truncated);
            }
        }
    };
    if n == 0 && fds.is_empty() {
        return Err(ChannelError::Sys(Errno::EPIPE));
    }
    if truncated {
        return Err(ChannelError::Message("truncated".into()));
    }
    let msg =
        serde_json::from_slice(&buf[..n]).map_err(|e| ChannelError::Message(e.to_string()))?;
    Ok(Some((msg, fds)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn messages_and_fds_cross_in_order() {
        let (a, b) = pair().unwrap();
        assert!(recv::<ToInit>(b.as_fd()).unwrap().is_none());
        let (r, w) = nix::unistd::pipe().unwrap();
        let add = ToInit::Add {
            id: 1,
            app: "web".into(),
            generation: 2,
            cgroup: vec!["/sys/fs/cgroup/x".into()],
        };
        send(a.as_fd(), &add, &[w.as_fd()]).unwrap();
        drop(w);
        let stop = ToInit::Stop {
            id: 2,
            app: "web".into(),
            timeout_ms: 5,
        };
        send(a.as_fd(), &stop, &[]).unwrap();
        let (got, fds) = recv::<ToInit>(b.as_fd()).unwrap().unwrap();
        assert_eq!(got, add);
        assert_eq!(fds.len(), 1);
        nix::unistd::write(&fds[0], b"x").unwrap();
        let mut one = [0u8; 1];
        assert_eq!(nix::unistd::read(r.as_raw_fd(), &mut one).unwrap(), 1);
        assert_eq!(recv::<ToInit>(b.as_fd()).unwrap().unwrap().0, stop);
        drop(a);
        assert!(matches!(
            recv::<ToInit>(b.as_fd()),
            Err(ChannelError::Sys(Errno::EPIPE))
        ));
    }
}
