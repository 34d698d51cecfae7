//! The apps' output relay: each app's stdout and stderr arrive on a pipe of the supervisor's and go
//! to the app's log file and, for foreground pods, to the supervisor's own stdout/stderr.

use crate::logs;
use crate::stdio::Output;
use nix::errno::Errno;
use std::cell::RefCell;
use std::os::fd::{AsRawFd, OwnedFd};
use std::rc::Rc;

/// How an app's output reaches the supervisor's own stdout/stderr, besides its log file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Echo {
    /// Detached pods: logs only.
    Off,
    /// Single-app foreground pods: bytes as they come (prompts without a newline show at once).
    Raw,
    /// Several apps: whole lines, each prefixed with the app's name.
    Prefixed,
}

impl Echo {
    /// The echo for a pod: none when detached, prefixed lines when several apps share the output.
    pub fn for_pod(detached: bool, prefix: bool, apps: usize) -> Echo {
        match (detached, prefix && apps > 1) {
            (true, _) => Echo::Off,
            (false, true) => Echo::Prefixed,
            (false, false) => Echo::Raw,
        }
    }
}

/// One app output stream: the pipe the app writes, where it goes, and the app's log.
pub struct Relay {
    pub app: String,
    pub stream: logs::Stream,
    pub fd: OwnedFd,
    split: logs::LineSplitter,
    pub echo: Echo,
    /// Shared by the app's two streams.
    log: Rc<RefCell<Option<logs::LogFile>>>,
}

impl Relay {
    pub fn new(
        app: &str,
        stream: logs::Stream,
        fd: OwnedFd,
        echo: Echo,
        log: Rc<RefCell<Option<logs::LogFile>>>,
    ) -> Relay {
        Relay {
            app: app.to_string(),
            stream,
            fd,
            split: logs::LineSplitter::new(),
            echo,
            log,
        }
    }

    /// Whether reading this pipe must wait: its echo target holds as much as a slow reader may
    /// leave unread, so the app's output waits in its pipe.
    pub fn blocked(&self, outs: &[Output; 2]) -> bool {
        self.echo != Echo::Off && outs[out_index(self.stream)].full()
    }

    /// Reads what is available into the log (and echo). Returns false at end of file.
    pub fn pump(&mut self, outs: &mut [Output; 2]) -> bool {
        let mut tmp = [0u8; 16384];
        let n = match nix::unistd::read(self.fd.as_raw_fd(), &mut tmp) {
            Ok(0) => return false,
            Ok(n) => n,
            Err(Errno::EINTR) | Err(Errno::EAGAIN) => return true,
            Err(_) => return false,
        };
        if self.echo == Echo::Raw {
            outs[out_index(self.stream)].write(&tmp[..n]);
        }
        let (echo, app, stream, log) = (self.echo, &self.app, self.stream, &self.log);
        self.split.feed(&tmp[..n], |line, partial| {
            emit_line(echo, app, stream, log, outs, line, partial)
        });
        true
    }

    /// At the pipe's end: writes out the last, unterminated line.
    pub fn finish(mut self, outs: &mut [Output; 2]) {
        let (echo, app, stream, log) = (self.echo, self.app.clone(), self.stream, self.log.clone());
        self.split
            .finish(|line, partial| emit_line(echo, &app, stream, &log, outs, line, partial));
    }
}

/// Which of our outputs (`[stdout, stderr]`) an app stream is echoed to.
pub fn out_index(stream: logs::Stream) -> usize {
    match stream {
        logs::Stream::Stdout => 0,
        logs::Stream::Stderr => 1,
    }
}

/// One complete line (or piece of a long one): to the log, and prefixed to our output.
fn emit_line(
    echo: Echo,
    app: &str,
    stream: logs::Stream,
    log: &RefCell<Option<logs::LogFile>>,
    outs: &mut [Output; 2],
    line: &[u8],
    partial: bool,
) {
    if let Some(l) = log.borrow_mut().as_mut() {
        l.write(stream, line, partial);
    }
    if echo == Echo::Prefixed {
        outs[out_index(stream)].write(&prefixed(app, line));
    }
}

/// `app | line\n`, as several apps' output is shown.
fn prefixed(app: &str, line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len() + app.len() + 4);
    out.extend_from_slice(app.as_bytes());
    out.extend_from_slice(b" | ");
    out.extend_from_slice(line);
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_modes() {
        assert_eq!(Echo::for_pod(true, true, 3), Echo::Off);
        assert_eq!(Echo::for_pod(false, true, 2), Echo::Prefixed);
        assert_eq!(Echo::for_pod(false, true, 1), Echo::Raw);
        assert_eq!(Echo::for_pod(false, false, 2), Echo::Raw);
    }

    #[test]
    fn prefix_format() {
        assert_eq!(prefixed("web", b"hi"), b"web | hi\n");
    }
}
