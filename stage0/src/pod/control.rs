//! The one client of a running pod's control socket (`liftoff_contract::control`): `liftoff app …`
//! asks the pod's supervisor to add, start, stop, restart or remove an app through it.
//!
//! One request per connection: connect to `control.sock` in the pod dir, check that the peer is the
//! pod's supervisor (its `SO_PEERCRED` pid is the one in `supervisor-pid`, its uid 0), write the
//! request frame, read the response frame, each under a timeout. The socket is reached through
//! `/proc/self/fd/<an O_PATH fd of the pod dir>/control.sock`, so a state root deep enough to make
//! the socket's path longer than `sun_path` (107 bytes) works as well as any.
//!
//! A pod that is not running, a supervisor that is gone, a peer that is not the supervisor, a
//! timeout and a refusal are each an error of their own ([`ControlError`]), worded for the user.

use super::state::{PodInfo, State};
use liftoff_contract::control::{self, FrameError, Op, Refusal, Request, Response};
use liftoff_contract::layout;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// How long the connection and the request's write may take (the supervisor drops a client that has
/// not sent its request within `REQUEST_DEADLINE_SECS`).
const SEND_TIMEOUT: Duration = Duration::from_secs(control::REQUEST_DEADLINE_SECS);

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("pod {id} is {state}, not running, so its apps cannot be changed (`liftoff status {id}` shows how it ended)")]
    NotRunning { id: String, state: &'static str },
    #[error("the pod's supervisor is gone; `liftoff gc` collects the pod ({id})")]
    Gone { id: String },
    #[error("pod {id}: the process behind {socket} is not the pod's supervisor ({who}); refusing to talk to it")]
    NotSupervisor {
        id: String,
        socket: String,
        who: String,
    },
    #[error("pod {id}: the supervisor did not answer `{verb} {app}` within {secs}s; `liftoff app list {id}` shows where the app is")]
    TimedOut {
        id: String,
        verb: &'static str,
        app: String,
        secs: u64,
    },
    /// The supervisor refused; its message names the app and the way out.
    #[error("{}", .0.message)]
    Refused(Refusal),
    #[error("pod {id}: the control socket: {what}")]
    Io { id: String, what: String },
    #[error("pod {id}: the supervisor speaks control protocol version {theirs}, this liftoff {ours}; use the liftoff that started the pod")]
    Version { id: String, theirs: u32, ours: u32 },
}

/// Sends `op` to the pod's supervisor and returns its answer; `wait` bounds how long the answer
/// may take once the request is sent (a stop's timeout, a start's way to execve).
pub fn request(pod: &PodInfo, op: Op, wait: Duration) -> Result<Response, ControlError> {
    if pod.state != State::Running {
        return Err(ControlError::NotRunning {
            id: pod.id.clone(),
            state: pod.state.as_str(),
        });
    }
    let (verb, app) = (op.verb(), op.app().to_string());
    let mut stream = connect(pod)?;
    check_peer(pod, &stream)?;
    let io = |what: String| ControlError::Io {
        id: pod.id.clone(),
        what,
    };
    let timed_out = |secs: u64| ControlError::TimedOut {
        id: pod.id.clone(),
        verb,
        app: app.clone(),
        secs,
    };
    stream
        .set_write_timeout(Some(SEND_TIMEOUT))
        .and_then(|_| stream.set_read_timeout(Some(wait.max(Duration::from_secs(1)))))
        .map_err(|e| io(format!("set timeouts: {e}")))?;
    let req = Request {
        version: control::CONTROL_VERSION,
        op,
    };
    if let Err(e) = control::write_frame(&mut stream, &req) {
        // A supervisor that refuses at once (busy) answers and hangs up before it has read the
        // request: its answer says more than the broken pipe.
        if let Ok(resp) = control::read_frame::<Response>(&mut stream) {
            return answer(pod, resp);
        }
        return Err(match e {
            FrameError::Io(x) if is_timeout(&x) => timed_out(SEND_TIMEOUT.as_secs()),
            FrameError::Io(x) if is_gone(&x) => ControlError::Gone { id: pod.id.clone() },
            other => io(format!("sending the request: {other}")),
        });
    }
    let resp: Response = control::read_frame(&mut stream).map_err(|e| match e {
        FrameError::Io(x) if is_timeout(&x) => timed_out(wait.as_secs()),
        FrameError::Io(x) if is_gone(&x) => ControlError::Gone { id: pod.id.clone() },
        FrameError::Closed => io("the supervisor closed the connection without an answer (it may be stopping; `liftoff status` shows the pod)".into()),
        other => io(format!("reading the answer: {other}")),
    })?;
    answer(pod, resp)
}

/// A response as the caller sees it: a refusal is an error.
fn answer(pod: &PodInfo, resp: Response) -> Result<Response, ControlError> {
    if resp.version != control::CONTROL_VERSION {
        return Err(ControlError::Version {
            id: pod.id.clone(),
            theirs: resp.version,
            ours: control::CONTROL_VERSION,
        });
    }
    match resp.refused {
        Some(r) => Err(ControlError::Refused(r)),
        None => Ok(resp),
    }
}

/// ENOENT (no socket) and ECONNREFUSED (nobody listening) mean the supervisor is gone; so does a
/// reset or broken pipe mid-request.
fn is_gone(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::ENOENT | libc::ECONNREFUSED | libc::ECONNRESET | libc::EPIPE)
    )
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Connects through an O_PATH fd of the pod dir (a socket path has at most 107 bytes; this one is
/// short whatever the state root).
fn connect(pod: &PodInfo) -> Result<UnixStream, ControlError> {
    let io = |what: String| ControlError::Io {
        id: pod.id.clone(),
        what,
    };
    let dir: OwnedFd = rustix::fs::open(
        &pod.dir,
        rustix::fs::OFlags::PATH | rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .map_err(|e| match e {
        rustix::io::Errno::NOENT => ControlError::Gone { id: pod.id.clone() },
        e => io(format!("{}: {e}", pod.dir.display())),
    })?;
    let path = format!(
        "/proc/self/fd/{}/{}",
        dir.as_raw_fd(),
        layout::CONTROL_SOCKET
    );
    UnixStream::connect(&path).map_err(|e| {
        if is_gone(&e) {
            ControlError::Gone { id: pod.id.clone() }
        } else {
            io(format!(
                "connect to {}: {e}",
                layout::control_socket(&pod.dir).display()
            ))
        }
    })
}

/// The peer must be the pod's supervisor, as root: anything else listening on the socket's path
/// gets no request (it could be a stale socket's new owner).
fn check_peer(pod: &PodInfo, stream: &UnixStream) -> Result<(), ControlError> {
    let socket = layout::control_socket(&pod.dir).display().to_string();
    let not_ours = |who: String| ControlError::NotSupervisor {
        id: pod.id.clone(),
        socket: socket.clone(),
        who,
    };
    let (pid, uid) = peer_cred(stream).map_err(|e| ControlError::Io {
        id: pod.id.clone(),
        what: format!("SO_PEERCRED of {socket}: {e}"),
    })?;
    let Some(supervisor) = layout::read_pid(&layout::supervisor_pid_file(&pod.dir)) else {
        return Err(not_ours(format!(
            "pid {pid}, and the pod records no supervisor-pid"
        )));
    };
    if pid != supervisor {
        return Err(not_ours(format!(
            "pid {pid}; the supervisor is pid {supervisor}"
        )));
    }
    if uid != 0 {
        return Err(not_ours(format!("pid {pid} runs as uid {uid}, not root")));
    }
    Ok(())
}

/// The connected peer's pid and uid (`SO_PEERCRED`: as they were when it listened).
fn peer_cred(stream: &UnixStream) -> std::io::Result<(i32, u32)> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: u32::MAX,
        gid: u32::MAX,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into `cred`, a ucred of exactly that size, on a
    // socket fd that `stream` keeps open for the call.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((cred.pid, cred.uid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use liftoff_contract::control::RefusalKind;
    use std::os::unix::net::UnixListener;

    fn pod(dir: &std::path::Path, state: State) -> PodInfo {
        PodInfo {
            id: "0123abcd-0000-4000-8000-000000000000".into(),
            name: None,
            state,
            dir: dir.to_path_buf(),
            locked: true,
            apps: vec![],
            images: vec![],
            created: 0,
            started: None,
            ready: false,
            net: String::new(),
            exit_code: None,
            app_exits: vec![],
            ready_apps: vec![],
            app_states: vec![],
            ids: "-".into(),
            userns: None,
        }
    }

    fn start(app: &str) -> Op {
        Op::Start { app: app.into() }
    }

    #[test]
    fn a_pod_that_is_not_running_is_named_with_its_state() {
        let t = tempfile::tempdir().unwrap();
        let e = request(
            &pod(t.path(), State::Exited),
            start("web"),
            Duration::from_secs(1),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("is exited") && e.contains("liftoff status"),
            "{e}"
        );
    }

    #[test]
    fn no_socket_means_the_supervisor_is_gone() {
        let t = tempfile::tempdir().unwrap();
        let e = request(
            &pod(t.path(), State::Running),
            start("web"),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(matches!(e, ControlError::Gone { .. }), "{e}");
        assert!(e.to_string().contains("liftoff gc"));
        // A socket file nobody listens on: ECONNREFUSED, the same.
        drop(UnixListener::bind(t.path().join(layout::CONTROL_SOCKET)).unwrap());
        let e = request(
            &pod(t.path(), State::Running),
            start("web"),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(matches!(e, ControlError::Gone { .. }), "{e}");
    }

    #[test]
    fn a_long_pod_dir_path_still_connects() {
        let t = tempfile::tempdir().unwrap();
        let deep = t.path().join("d".repeat(60)).join("e".repeat(60));
        std::fs::create_dir_all(&deep).unwrap();
        let dir = std::fs::File::open(&deep).unwrap();
        let l = UnixListener::bind(format!(
            "/proc/self/fd/{}/{}",
            dir.as_raw_fd(),
            layout::CONTROL_SOCKET
        ));
        // Binding went through /proc as well; the direct path is too long for sun_path.
        assert!(layout::control_socket(&deep).as_os_str().len() > 107);
        let _l = l.unwrap();
        // Our own process listens, and it is not the supervisor-pid the pod records.
        std::fs::write(layout::supervisor_pid_file(&deep), "1\n").unwrap();
        let e = request(
            &pod(&deep, State::Running),
            start("web"),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(matches!(e, ControlError::NotSupervisor { .. }), "{e}");
        assert!(e.to_string().contains("the supervisor is pid 1"), "{e}");
    }

    #[test]
    fn answers_and_refusals() {
        let t = tempfile::tempdir().unwrap();
        let l = UnixListener::bind(t.path().join(layout::CONTROL_SOCKET)).unwrap();
        let me = std::process::id();
        std::fs::write(layout::supervisor_pid_file(t.path()), format!("{me}\n")).unwrap();
        let uid = rustix::process::geteuid().as_raw();
        let server = std::thread::spawn(move || {
            for answer in [
                Response {
                    pid: Some(42),
                    ..Response::done(3)
                },
                Response::refused(
                    RefusalKind::State,
                    "app web is running; stop it first (liftoff app stop POD web)".into(),
                    3,
                ),
            ] {
                let (mut s, _) = l.accept().unwrap();
                // A client that is not root hangs up before it sends anything.
                if let Ok(r) = control::read_frame::<Request>(&mut s) {
                    assert_eq!(r.op.app(), "web");
                    control::write_frame(&mut s, &answer).unwrap();
                }
            }
        });
        let p = pod(t.path(), State::Running);
        let first = request(&p, start("web"), Duration::from_secs(5));
        let second = request(&p, Op::Remove { app: "web".into() }, Duration::from_secs(5));
        server.join().unwrap();
        if uid != 0 {
            // Not root: the peer (this test) is refused for its uid before anything is sent.
            assert!(first.unwrap_err().to_string().contains("not root"));
            return;
        }
        assert_eq!(first.unwrap().pid, Some(42));
        let e = second.unwrap_err();
        assert_eq!(
            e.to_string(),
            "app web is running; stop it first (liftoff app stop POD web)"
        );
    }

    #[test]
    fn a_silent_supervisor_times_out() {
        let t = tempfile::tempdir().unwrap();
        let _l = UnixListener::bind(t.path().join(layout::CONTROL_SOCKET)).unwrap();
        let me = std::process::id();
        std::fs::write(layout::supervisor_pid_file(t.path()), format!("{me}\n")).unwrap();
        if rustix::process::geteuid().as_raw() != 0 {
            return;
        }
        let e = request(
            &pod(t.path(), State::Running),
            start("web"),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(matches!(e, ControlError::TimedOut { .. }), "{e}");
    }
}
