//! The supervisor's event loop, from the moment the pod's init runs until it has exited and its
//! output is drained.
//!
//! Every fd the loop waits on is a named [`Source`]; a round builds a [`PollSet`] from the sources
//! that are live and reads each one's results back by name, so adding or dropping a source cannot
//! shift another's results. The loop forwards signals to init (a stop arms a SIGKILL after the stop
//! timeout), relays output and the -t terminal, relays --notify=app messages and reports readiness.

use crate::notify::AppSocket;
use crate::relay::Relay;
use crate::stdio::Caller;
use crate::tty::Pty;
use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::sys::signalfd::SignalFd;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::io::Write;
use std::ops::Range;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::time::{Duration, Instant};

/// The event loop failed; init is left to die with the supervisor (PR_SET_PDEATHSIG).
#[derive(Debug, thiserror::Error)]
pub enum LoopError {
    #[error("waitpid: {0}")]
    Wait(Errno),
    #[error("poll: {0}")]
    Poll(Errno),
}

/// What the loop waits on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Source {
    /// The signalfd: forwarded signals and SIGCHLD.
    Signals,
    /// The output pipe of `relays[i]`.
    Relay(usize),
    /// Init's "every app has reached execve" pipe.
    Started,
    /// The --notify=app socket.
    Notify,
    /// -t: the channel the app's terminal master arrives on.
    TtyWait,
    /// Our stdout/stderr (POLLOUT while output waits) and the -i stdin pipe.
    Caller,
    /// -t: the terminal's master and our stdin.
    Tty,
    /// The control socket's listener.
    Control,
    /// A control client still sending its request (by its index in the control's list).
    Client(usize),
    /// Init's answers to control requests.
    Init,
}

/// One round's poll table, addressed by source.
#[derive(Default)]
pub struct PollSet {
    fds: Vec<libc::pollfd>,
    at: Vec<(Source, Range<usize>)>,
}

impl PollSet {
    /// Adds one entry; fd -1 (which poll ignores) keeps the source's place without waiting on it.
    pub fn add(&mut self, s: Source, fd: Option<RawFd>) {
        self.add_all(
            s,
            [libc::pollfd {
                fd: fd.unwrap_or(-1),
                events: libc::POLLIN,
                revents: 0,
            }],
        );
    }

    /// Adds the entries a source prepared itself.
    pub fn add_all(&mut self, s: Source, entries: impl IntoIterator<Item = libc::pollfd>) {
        let start = self.fds.len();
        self.fds.extend(entries);
        self.at.push((s, start..self.fds.len()));
    }

    /// The results for `s`; empty when it was not added this round.
    pub fn get(&self, s: Source) -> &[libc::pollfd] {
        self.at
            .iter()
            .find(|(k, _)| *k == s)
            .map_or(&[], |(_, r)| &self.fds[r.clone()])
    }

    /// Whether anything happened on `s`.
    pub fn fired(&self, s: Source) -> bool {
        self.get(s).iter().any(|p| p.revents != 0)
    }

    /// Waits up to `ms` (-1: forever).
    pub fn poll(&mut self, ms: i32) -> Result<(), Errno> {
        // SAFETY: poll on a table of valid (or -1) fds that lives for the call.
        let n = unsafe { libc::poll(self.fds.as_mut_ptr(), self.fds.len() as libc::nfds_t, ms) };
        match n < 0 {
            true => Err(Errno::last()),
            false => Ok(()),
        }
    }
}

/// The supervisor's state while the pod runs.
pub struct EventLoop<'a> {
    pub pod_dir: &'a Path,
    pub init_pid: Pid,
    /// How long a stop waits before SIGKILL.
    pub timeout: Duration,
    /// --notify=pod: READY=1 and STOPPING=1 go to our NOTIFY_SOCKET.
    pub notify_pod: bool,
    /// -i: our stdin goes to the terminal.
    pub interactive: bool,
    pub signals: SignalFd,
    pub relays: Vec<Relay>,
    pub started: Option<OwnedFd>,
    pub notify: Option<AppSocket>,
    pub tty_wait: Option<OwnedFd>,
    pub tty_log: Option<crate::logs::LogFile>,
    pub tty: Option<Pty>,
    pub caller: Caller,
    /// --ready-fd: written once every app has started; closed once the exit is recorded.
    pub ready: Option<OwnedFd>,
    pub kill_at: Option<Instant>,
    pub init_status: Option<WaitStatus>,
    /// The control socket (`liftoff app …`), while init runs.
    pub control: Option<crate::control::Control>,
}

impl EventLoop<'_> {
    /// Runs until init has exited and its output is drained; returns init's status.
    pub fn run(&mut self) -> Result<WaitStatus, LoopError> {
        loop {
            self.reap()?;
            if let Some(ws) = self.init_status.filter(|_| self.relays.is_empty()) {
                // The pty master never reports end of file while we hold it: drain what is left.
                if let Some(mut t) = self.tty.take() {
                    t.drain(&mut self.caller.outs[0]);
                }
                // Then only output a slow reader has not taken yet keeps us.
                if self.caller.idle() {
                    return Ok(ws);
                }
            }
            let mut set = self.poll_set();
            match set.poll(self.wait_ms()) {
                Err(e) if e != Errno::EINTR => return Err(LoopError::Poll(e)),
                _ => {}
            }
            self.handle(&set);
        }
    }

    /// Collects init's status once it has exited.
    fn reap(&mut self) -> Result<(), LoopError> {
        if self.init_status.is_some() {
            return Ok(());
        }
        match waitpid(self.init_pid, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(Errno::EINTR) => Ok(()),
            Ok(ws) => {
                self.init_status = Some(ws);
                if let Some(c) = &mut self.control {
                    c.shut();
                }
                // Nothing left to kill; a deadline in the past would make poll spin while the
                // apps' last output drains.
                self.kill_at = None;
                Ok(())
            }
            Err(e) => Err(LoopError::Wait(e)),
        }
    }

    fn wait_ms(&self) -> i32 {
        let control = self.control.as_ref().and_then(|c| c.deadline());
        match self.kill_at.into_iter().chain(control).min() {
            Some(t) => t
                .saturating_duration_since(Instant::now())
                .as_millis()
                .min(i32::MAX as u128) as i32,
            None => -1,
        }
    }

    /// This round's table: every live source.
    fn poll_set(&self) -> PollSet {
        let mut set = PollSet::default();
        set.add(Source::Signals, Some(self.signals.as_raw_fd()));
        for (i, r) in self.relays.iter().enumerate() {
            // An app's output waits in its pipe while the reader of our stdout/stderr is behind.
            let fd = (!r.blocked(&self.caller.outs)).then(|| r.fd.as_raw_fd());
            set.add(Source::Relay(i), fd);
        }
        set.add(
            Source::Started,
            self.started.as_ref().map(|f| f.as_raw_fd()),
        );
        set.add(
            Source::Notify,
            self.notify.as_ref().map(|s| s.sock.as_raw_fd()),
        );
        set.add(
            Source::TtyWait,
            self.tty_wait.as_ref().map(|t| t.as_raw_fd()),
        );
        let mut caller = Vec::new();
        self.caller.push_pollfds(&mut caller);
        set.add_all(Source::Caller, caller);
        if let Some(t) = &self.tty {
            set.add_all(
                Source::Tty,
                t.pollfds(&self.caller.outs[0], self.interactive),
            );
        }
        if let Some(c) = &self.control {
            c.poll_fds(&mut set);
        }
        set
    }

    /// Handles one round's results, in a fixed order: the stop timer, signals, the terminal's
    /// arrival, notify messages, readiness, our output, the terminal, the apps' output.
    fn handle(&mut self, set: &PollSet) {
        if let Some(t) = self.kill_at {
            if Instant::now() >= t && self.init_status.is_none() {
                // Killing the pid namespace's init kills every process in the pod.
                let _ = kill(self.init_pid, Signal::SIGKILL);
                self.kill_at = None;
            }
        }
        self.forward_signals();
        if set.fired(Source::TtyWait) {
            self.receive_terminal();
        }
        if set.fired(Source::Notify) {
            if let Some(s) = &self.notify {
                s.relay();
            }
        }
        if set.fired(Source::Started) {
            self.on_started();
        }
        if let Some(c) = &mut self.control {
            c.handle(set, &mut self.relays);
        }
        self.caller.ready(set.get(Source::Caller));
        // (A terminal that arrived during this round has no poll results yet.)
        let tty = set.get(Source::Tty);
        if let Some(t) = self.tty.as_mut().filter(|_| tty.len() >= 2) {
            if !t.pump(tty, &mut self.caller.outs[0]) {
                self.tty = None;
            }
        }
        self.pump_relays(set);
    }

    fn forward_signals(&mut self) {
        while let Ok(Some(info)) = self.signals.read_signal() {
            let Ok(sig) = Signal::try_from(info.ssi_signo as i32) else {
                continue;
            };
            let stop = matches!(sig, Signal::SIGTERM | Signal::SIGINT | Signal::SIGQUIT);
            if self.init_status.is_some() && stop {
                // The pod is gone and only its output for a reader that does not read keeps
                // us: a stop means stop waiting for it.
                self.caller.give_up();
            }
            if sig == Signal::SIGCHLD || self.init_status.is_some() {
                continue;
            }
            if sig == Signal::SIGWINCH {
                if let Some(t) = &self.tty {
                    t.sync_size();
                }
            }
            let _ = kill(self.init_pid, sig);
            if stop && self.kill_at.is_none() {
                self.kill_at = Some(Instant::now() + self.timeout);
                if self.notify_pod {
                    let _ = crate::notify::send("STOPPING=1");
                }
            }
        }
    }

    /// The app's terminal arrives once (or never, if the app failed before).
    fn receive_terminal(&mut self) {
        if let Some(master) = self
            .tty_wait
            .as_ref()
            .and_then(|t| crate::tty::recv_fd(t.as_fd()))
        {
            let mut p = Pty::from_master(master);
            p.log = self
                .tty_log
                .take()
                .map(|l| (l, crate::logs::LineSplitter::new()));
            p.sync_size();
            self.tty = Some(p);
        }
        self.tty_wait = None;
    }

    /// Init's one byte: every app has reached execve.
    fn on_started(&mut self) {
        let mut b = [0u8; 1];
        let ok = self
            .started
            .as_ref()
            .is_some_and(|f| nix::unistd::read(f.as_raw_fd(), &mut b) == Ok(1));
        self.started = None;
        if ok {
            mark_ready(self.pod_dir, self.ready.take());
            if self.notify_pod {
                let _ = crate::notify::send("READY=1");
            }
        }
    }

    fn pump_relays(&mut self, set: &PollSet) {
        let mut done = Vec::new();
        for (k, r) in self.relays.iter_mut().enumerate() {
            let hit = set
                .get(Source::Relay(k))
                .iter()
                .any(|p| p.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0);
            if hit && !r.pump(&mut self.caller.outs) {
                done.push(k);
            }
        }
        for k in done.into_iter().rev() {
            self.relays.remove(k).finish(&mut self.caller.outs);
        }
    }
}

/// Every app has started: leave a `ready` mark for `status --wait-ready` and tell whoever waits on
/// `--ready-fd` (`run -d`).
fn mark_ready(pod_dir: &Path, ready: Option<OwnedFd>) {
    let _ = std::fs::write(pod_dir.join("ready"), format!("{}\n", crate::status::now()));
    if let Some(fd) = ready {
        let _ = std::fs::File::from(fd).write_all(b"r");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_set_is_addressed_by_source() {
        let mut set = PollSet::default();
        set.add(Source::Signals, Some(5));
        set.add(Source::Relay(0), None);
        set.add_all(
            Source::Caller,
            [libc::pollfd {
                fd: 1,
                events: 0,
                revents: 0,
            }; 4],
        );
        assert_eq!(set.get(Source::Signals)[0].fd, 5);
        assert_eq!(set.get(Source::Relay(0))[0].fd, -1);
        assert_eq!(set.get(Source::Caller).len(), 4);
        assert!(set.get(Source::Tty).is_empty());
        assert!(!set.fired(Source::Signals));
        set.fds[0].revents = libc::POLLIN;
        assert!(set.fired(Source::Signals));
        assert!(!set.fired(Source::Relay(0)));
    }
}
