//! `liftoff run -t` and `liftoff enter`: the app's pseudo-terminal, relayed by the supervisor.
//!
//! The pty pair is opened inside the app, on the app's own devpts instance (`/dev/pts/ptmx`), so the
//! app's `tty` and `ttyname` name a device that exists in its /dev/pts (a pty from the host's devpts
//! would be a dangling name there). The app keeps the slave as its stdin, stdout, stderr and
//! controlling terminal and sends the master to the supervisor over a socket (SCM_RIGHTS), which
//! copies it to its stdout and, with -i, its stdin to it (both may be non-blocking: see `stdio`).
//! The user's terminal is put in raw mode for the pod's life (restored on exit, including on
//! errors, by [`RawTerminal`]'s Drop), and its size follows SIGWINCH.

use crate::stdio::Output;
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::termios::{self, SetArg, Termios};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// Opening or handing over a terminal failed.
#[derive(Debug, thiserror::Error)]
pub enum TtyError {
    #[error("open /dev/pts/ptmx: {0}")]
    OpenPtmx(Errno),
    #[error("unlock the pty: {0}")]
    Unlock(Errno),
    #[error("open the pty's slave: {0}")]
    OpenSlave(Errno),
    #[error("socketpair: {0}")]
    SocketPair(Errno),
    #[error("hand the terminal over: {0}")]
    Send(Errno),
}

pub struct Pty {
    pub master: OwnedFd,
    /// Whether our stdin is still worth reading (false after EOF).
    pub stdin_open: bool,
    /// The app's log: what the terminal shows is kept there too, line by line.
    pub log: Option<(crate::logs::LogFile, crate::logs::LineSplitter)>,
    /// Input the app has not read yet.
    pending: Vec<u8>,
}

/// Most input held back for an app that does not read it.
const MAX_PENDING: usize = 64 * 1024;

impl Pty {
    /// A pty whose master came from inside the app (see [`open_in_app`]).
    pub fn from_master(master: OwnedFd) -> Pty {
        let _ = nix::fcntl::fcntl(
            master.as_raw_fd(),
            nix::fcntl::FcntlArg::F_SETFL(OFlag::O_NONBLOCK),
        );
        Pty {
            master,
            stdin_open: true,
            log: None,
            pending: Vec::new(),
        }
    }

    /// Copies our terminal's size to the pty.
    pub fn sync_size(&self) {
        // SAFETY: TIOCGWINSZ/TIOCSWINSZ with a valid winsize struct.
        unsafe {
            let mut ws: libc::winsize = std::mem::zeroed();
            if libc::ioctl(0, libc::TIOCGWINSZ, &mut ws) == 0 {
                libc::ioctl(self.master.as_raw_fd(), libc::TIOCSWINSZ, &ws);
            }
        }
    }

    /// Poll entries for [master, our stdin]: the master's output unless our stdout is behind
    /// (then the master is not polled at all, so its hangup cannot wake us in a loop), room for
    /// pending input, and our stdin while `stdin` input is relayed and the backlog allows.
    pub fn pollfds(&self, out: &Output, stdin: bool) -> [libc::pollfd; 2] {
        let mut events = if self.pending.is_empty() {
            libc::POLLIN
        } else {
            libc::POLLIN | libc::POLLOUT
        };
        if out.full() {
            events = 0;
        }
        let master = if events == 0 {
            -1
        } else {
            self.master.as_raw_fd()
        };
        let stdin = if stdin && self.wants_stdin() { 0 } else { -1 };
        [
            libc::pollfd {
                fd: master,
                events,
                revents: 0,
            },
            libc::pollfd {
                fd: stdin,
                events: libc::POLLIN,
                revents: 0,
            },
        ]
    }

    /// Whether to read more of our stdin now: not while a backlog waits for the app to read, so a
    /// big paste costs bounded memory and never blocks the loop.
    pub fn wants_stdin(&self) -> bool {
        self.stdin_open && self.pending.len() < MAX_PENDING
    }

    /// Moves data after a poll; `p` holds the results for [`Pty::pollfds`]. Returns false once
    /// the master is done (all slave holders gone). Nothing blocks: what the app has not read yet
    /// waits in `pending` (the master is non-blocking), what our stdout does not take yet waits in
    /// `out`, and a stdin that has nothing after all (EAGAIN: it is non-blocking, or shared) is
    /// simply polled again.
    pub fn pump(&mut self, p: &[libc::pollfd], out: &mut Output) -> bool {
        let mut buf = [0u8; 16384];
        if self.wants_stdin() && p[1].fd >= 0 && p[1].revents != 0 {
            match crate::stdio::read_stdin(&mut buf) {
                Some(0) => {
                    self.stdin_open = false;
                    // End of input: send the terminal's EOF character, as a terminal would.
                    self.pending.push(4u8);
                }
                Some(n) => self.pending.extend_from_slice(&buf[..n]),
                None => {}
            }
        }
        while !self.pending.is_empty() {
            match nix::unistd::write(&self.master, &self.pending) {
                Ok(n) => {
                    self.pending.drain(..n);
                }
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => break,
                Err(_) => {
                    self.pending.clear();
                    break;
                }
            }
        }
        if p[0].revents & libc::POLLIN != 0 {
            match nix::unistd::read(self.master.as_raw_fd(), &mut buf) {
                Ok(0) => return false,
                Ok(n) => {
                    out.write(&buf[..n]);
                    self.keep(&buf[..n]);
                }
                Err(Errno::EINTR) | Err(Errno::EAGAIN) => {}
                Err(_) => return false,
            }
        } else if p[0].revents & (libc::POLLHUP | libc::POLLERR) != 0 {
            return false;
        }
        true
    }

    /// Copies whatever output is still buffered in the pty into `out`, without blocking.
    pub fn drain(&mut self, out: &mut Output) {
        let _ = nix::fcntl::fcntl(
            self.master.as_raw_fd(),
            nix::fcntl::FcntlArg::F_SETFL(OFlag::O_NONBLOCK),
        );
        let mut buf = [0u8; 16384];
        while let Ok(n) = nix::unistd::read(self.master.as_raw_fd(), &mut buf) {
            if n == 0 {
                break;
            }
            out.write(&buf[..n]);
            self.keep(&buf[..n]);
        }
        if let Some((log, split)) = &mut self.log {
            split.finish(|l, p| log.write(crate::logs::Stream::Stdout, l, p));
        }
    }

    fn keep(&mut self, data: &[u8]) {
        if let Some((log, split)) = &mut self.log {
            split.feed(data, |l, p| log.write(crate::logs::Stream::Stdout, l, p));
        }
    }
}

/// Opens a new pty on the devpts mounted at /dev/pts of the calling process's root (an app's own
/// `newinstance` devpts): returns (master, slave).
pub fn open_in_app() -> Result<(OwnedFd, OwnedFd), TtyError> {
    let m = nix::fcntl::open(
        "/dev/pts/ptmx",
        OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )
    .map_err(TtyError::OpenPtmx)?;
    // SAFETY: a fresh fd owned here.
    let master = unsafe { OwnedFd::from_raw_fd(m) };
    let unlock: libc::c_int = 0;
    // SAFETY: TIOCSPTLCK with a pointer to an int; TIOCGPTPEER opens the slave by the master (no
    // path lookup that a process in the app could race).
    let slave = unsafe {
        if libc::ioctl(master.as_raw_fd(), libc::TIOCSPTLCK, &unlock) < 0 {
            return Err(TtyError::Unlock(Errno::last()));
        }
        let fd = libc::ioctl(
            master.as_raw_fd(),
            libc::TIOCGPTPEER,
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        if fd < 0 {
            return Err(TtyError::OpenSlave(Errno::last()));
        }
        OwnedFd::from_raw_fd(fd)
    };
    Ok((master, slave))
}

/// A connected, close-on-exec socket pair to hand an fd over with [`send_fd`] / [`recv_fd`].
pub fn fd_channel() -> Result<(OwnedFd, OwnedFd), TtyError> {
    nix::sys::socket::socketpair(
        nix::sys::socket::AddressFamily::Unix,
        nix::sys::socket::SockType::SeqPacket,
        None,
        nix::sys::socket::SockFlag::SOCK_CLOEXEC,
    )
    .map_err(TtyError::SocketPair)
}

/// Sends `fd` over a unix socket (SCM_RIGHTS).
pub fn send_fd(sock: BorrowedFd, fd: BorrowedFd) -> Result<(), TtyError> {
    use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
    let fds = [fd.as_raw_fd()];
    let iov = [std::io::IoSlice::new(b"t")];
    sendmsg::<()>(
        sock.as_raw_fd(),
        &iov,
        &[ControlMessage::ScmRights(&fds)],
        MsgFlags::empty(),
        None,
    )
    .map(|_| ())
    .map_err(TtyError::Send)
}

/// Receives one fd sent with [`send_fd`]; None at end of file or on a message without one.
pub fn recv_fd(sock: BorrowedFd) -> Option<OwnedFd> {
    use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags};
    let mut b = [0u8; 1];
    let mut iov = [std::io::IoSliceMut::new(&mut b)];
    let mut space = nix::cmsg_space!([RawFd; 1]);
    let msg = recvmsg::<()>(
        sock.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )
    .ok()?;
    for c in msg.cmsgs().ok()? {
        if let ControlMessageOwned::ScmRights(fds) = c {
            // SAFETY: the kernel just installed these fds in this process.
            let mut it = fds.into_iter().map(|f| unsafe { OwnedFd::from_raw_fd(f) });
            return it.next();
        }
    }
    None
}

/// Our terminal in raw mode, restored on drop. Only when stdin is a terminal and input is relayed.
pub struct RawTerminal {
    saved: Termios,
}

impl RawTerminal {
    pub fn enter(interactive: bool) -> Option<RawTerminal> {
        if !interactive || !nix::unistd::isatty(0).unwrap_or(false) {
            return None;
        }
        let stdin = std::io::stdin();
        let saved = termios::tcgetattr(&stdin).ok()?;
        let mut raw = saved.clone();
        termios::cfmakeraw(&mut raw);
        termios::tcsetattr(&stdin, SetArg::TCSANOW, &raw).ok()?;
        Some(RawTerminal { saved })
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(std::io::stdin(), SetArg::TCSANOW, &self.saved);
    }
}
