//! The caller's stdin, stdout and stderr as the supervisor (and `enter`) use them: fds we share
//! with whoever started `liftoff run` and do not own, so their mode is not ours to change. They may
//! be in non-blocking mode (O_NONBLOCK on the open file description, as inetd-style supervisors
//! hand sockets over): a read may find nothing yet (EAGAIN, which is not the end of the input) and
//! a write may take only part of its bytes or none. Nothing here blocks or spins on that: reads wait
//! for POLLIN, output that the fd does not take yet waits in a bounded buffer for POLLOUT (and the
//! caller stops reading the apps while it is full), and an app in `run -i` reads its stdin from a
//! pipe of ours when the caller's stdin is non-blocking, so the app sees an ordinary blocking stream.

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};

/// Setting up the -i stdin pipe failed.
#[derive(Debug, thiserror::Error)]
pub enum StdioError {
    #[error("pipe: {0}")]
    Pipe(Errno),
    #[error("stdin pipe: {0}")]
    NonBlocking(Errno),
}

/// Most output held back for a slow reader, per fd; past it the apps' output is not read until
/// the reader catches up (as a blocking write would have made them wait).
const MAX_PENDING: usize = 1 << 20;

/// Most input read ahead of an app that has not read it yet.
const MAX_INPUT: usize = 64 * 1024;

/// Whether `fd`'s open file description is in non-blocking mode.
pub fn is_nonblocking(fd: RawFd) -> bool {
    // SAFETY: F_GETFL only reads the flags of an fd number; an invalid one gives EBADF.
    let fl = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    fl >= 0 && fl & libc::O_NONBLOCK != 0
}

/// A poll entry; fd -1 (ignored by poll) when there is nothing to wait for.
fn pollfd(fd: RawFd, events: libc::c_short) -> libc::pollfd {
    libc::pollfd {
        fd: if events == 0 { -1 } else { fd },
        events,
        revents: 0,
    }
}

/// Writes as much of `data` as `fd` takes now. Returns the bytes taken, or None once the fd is
/// broken (the reader went away, or any error but EAGAIN).
fn write_some(fd: RawFd, data: &[u8]) -> Option<usize> {
    // SAFETY: the fd stays open for the whole call (it is one of ours, or 1 and 2).
    let bfd = unsafe { BorrowedFd::borrow_raw(fd) };
    let mut done = 0;
    while done < data.len() {
        match nix::unistd::write(bfd, &data[done..]) {
            Ok(n) => done += n,
            Err(Errno::EINTR) => {}
            Err(Errno::EAGAIN) => break,
            Err(_) => return None,
        }
    }
    Some(done)
}

/// Output to one of our own stdio fds (1 or 2) that never blocks the loop when it is non-blocking.
pub struct Output {
    fd: RawFd,
    pending: Vec<u8>,
    /// The fd failed for good (EPIPE…): output is dropped from then on.
    broken: bool,
}

impl Output {
    pub fn new(fd: RawFd) -> Output {
        Output {
            fd,
            pending: Vec::new(),
            broken: false,
        }
    }

    /// Writes `data` now if the fd takes it, and keeps what it does not for [`Output::flush`].
    pub fn write(&mut self, data: &[u8]) {
        if self.broken || data.is_empty() {
            return;
        }
        let taken = if self.pending.is_empty() {
            write_some(self.fd, data)
        } else {
            Some(0)
        };
        match taken {
            Some(n) => self.pending.extend_from_slice(&data[n..]),
            None => self.break_off(),
        }
    }

    /// Writes what is pending as far as the fd takes it; after POLLOUT (or POLLERR/POLLHUP, which
    /// the write turns into an error).
    pub fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        match write_some(self.fd, &self.pending) {
            Some(n) => {
                self.pending.drain(..n);
            }
            None => self.break_off(),
        }
    }

    /// Drops what is pending and everything after: the reader is gone, or we stop waiting for it.
    pub fn break_off(&mut self) {
        self.broken = true;
        self.pending = Vec::new();
    }

    /// The poll entry: POLLOUT while output waits.
    pub fn pollfd(&self) -> libc::pollfd {
        pollfd(
            self.fd,
            if self.pending.is_empty() {
                0
            } else {
                libc::POLLOUT
            },
        )
    }

    /// Handles this fd's poll result.
    pub fn ready(&mut self, p: &libc::pollfd) {
        if p.revents != 0 {
            self.flush();
        }
    }

    /// Whether the reader is so far behind that the apps' output should wait.
    pub fn full(&self) -> bool {
        self.pending.len() >= MAX_PENDING
    }

    /// Whether nothing waits to be written.
    pub fn idle(&self) -> bool {
        self.pending.is_empty()
    }

    /// Waits, blocking, until everything pending is written or the fd fails: for a process that
    /// has nothing else to do but finish its output (`enter`).
    pub fn finish(&mut self) {
        while !self.idle() {
            let mut p = [self.pollfd()];
            // SAFETY: poll on one valid fd.
            let n = unsafe { libc::poll(p.as_mut_ptr(), 1, -1) };
            if n < 0 && Errno::last() != Errno::EINTR {
                self.break_off();
            } else if n > 0 {
                self.flush();
            }
        }
    }
}

/// Reads fd 0 into `buf`: Some(n) with n = 0 at the end of the input (or when it cannot be read
/// any more), None when nothing is there yet (EAGAIN on a non-blocking stdin: not an end).
pub fn read_stdin(buf: &mut [u8]) -> Option<usize> {
    loop {
        match nix::unistd::read(0, buf) {
            Ok(n) => return Some(n),
            Err(Errno::EINTR) => {}
            Err(Errno::EAGAIN) => return None,
            Err(_) => return Some(0),
        }
    }
}

/// `run -i` with a non-blocking stdin: the app reads a pipe, which we fill from fd 0 as input
/// arrives and close at its end.
pub struct StdinPipe {
    /// Our end, non-blocking; None once closed (end of input delivered, or the app closed its end).
    w: Option<OwnedFd>,
    pending: Vec<u8>,
    eof: bool,
}

impl StdinPipe {
    /// When fd 0 is non-blocking: the relay and the pipe's read end for the app (blocking, as an
    /// app expects its stdin). None when fd 0 can go to the app as it is.
    pub fn open() -> Result<Option<(StdinPipe, OwnedFd)>, StdioError> {
        if !is_nonblocking(0) {
            return Ok(None);
        }
        let (r, w) = nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(StdioError::Pipe)?;
        // Only our end: the two ends of a pipe are separate open file descriptions.
        fcntl(w.as_raw_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK))
            .map_err(StdioError::NonBlocking)?;
        let relay = StdinPipe {
            w: Some(w),
            pending: Vec::new(),
            eof: false,
        };
        Ok(Some((relay, r)))
    }

    /// Our end of the pipe, which no other process may hold (the app would never see its end).
    pub fn raw_fd(&self) -> Option<RawFd> {
        self.w.as_ref().map(|w| w.as_raw_fd())
    }

    fn wants_input(&self) -> bool {
        !self.eof && self.w.is_some() && self.pending.len() < MAX_INPUT
    }

    /// Poll entries for [fd 0, our end of the pipe].
    pub fn pollfds(&self) -> [libc::pollfd; 2] {
        let input = if self.wants_input() { libc::POLLIN } else { 0 };
        let output = match (&self.w, self.pending.is_empty()) {
            (Some(w), false) => (w.as_raw_fd(), libc::POLLOUT),
            _ => (-1, 0),
        };
        [pollfd(0, input), pollfd(output.0, output.1)]
    }

    /// Moves input after a poll; `p` holds the results for [`StdinPipe::pollfds`].
    pub fn pump(&mut self, p: &[libc::pollfd]) {
        if self.wants_input() && p[0].revents != 0 {
            let mut buf = [0u8; 16384];
            match read_stdin(&mut buf) {
                Some(0) => self.eof = true,
                Some(n) => self.pending.extend_from_slice(&buf[..n]),
                None => {}
            }
        }
        if let Some(w) = &self.w {
            match write_some(w.as_raw_fd(), &self.pending) {
                Some(n) => {
                    self.pending.drain(..n);
                }
                None => {
                    // The app closed its stdin: nobody wants the rest.
                    self.pending.clear();
                    self.eof = true;
                }
            }
        }
        if self.eof && self.pending.is_empty() {
            self.w = None;
        }
    }
}

/// The caller's stdio as the supervisor relays it: our stdout and stderr (`outs`, in that order),
/// and, for `run -i` on a non-blocking stdin, the pipe the app reads instead.
pub struct Caller {
    pub outs: [Output; 2],
    pub stdin: Option<StdinPipe>,
}

impl Caller {
    pub fn new(stdin: Option<StdinPipe>) -> Caller {
        Caller {
            outs: [Output::new(1), Output::new(2)],
            stdin,
        }
    }

    /// Adds the poll entries (read back by [`Caller::ready`]); returns where they start.
    pub fn push_pollfds(&self, pfds: &mut Vec<libc::pollfd>) -> usize {
        let at = pfds.len();
        pfds.extend(self.outs.iter().map(Output::pollfd));
        if let Some(p) = &self.stdin {
            pfds.extend(p.pollfds());
        }
        at
    }

    /// Handles the poll results of the entries [`Caller::push_pollfds`] added, starting at `p[0]`.
    pub fn ready(&mut self, p: &[libc::pollfd]) {
        for (o, p) in self.outs.iter_mut().zip(p) {
            o.ready(p);
        }
        if let Some(s) = &mut self.stdin {
            s.pump(&p[2..4]);
        }
    }

    /// Whether all output has been written (or given up on).
    pub fn idle(&self) -> bool {
        self.outs.iter().all(Output::idle)
    }

    /// Stops waiting for a reader that does not read: pending and later output is dropped.
    pub fn give_up(&mut self) {
        self.outs.iter_mut().for_each(Output::break_off);
    }
}
