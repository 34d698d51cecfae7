//! flock(2) locks in three forms: blocking ([`lock`]), non-blocking ([`try_lock`]) and timed
//! ([`lock_within`]), plus waiting for a lock to be free without taking it ([`wait_free`]).
//!
//! flock locks belong to the open file description and the kernel drops them when the last fd to it
//! closes, so a SIGKILLed holder never leaves anything locked. The functions take any fd: callers
//! lock lock files, pod directories and OCI layout directories alike.

use rustix::fs::{flock, FlockOperation};
use rustix::io::Errno;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::path::Path;
use std::time::{Duration, Instant};

/// Shared (readers) or exclusive (one writer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Shared,
    Exclusive,
}

impl Mode {
    fn blocking(self) -> FlockOperation {
        match self {
            Mode::Shared => FlockOperation::LockShared,
            Mode::Exclusive => FlockOperation::LockExclusive,
        }
    }

    fn non_blocking(self) -> FlockOperation {
        match self {
            Mode::Shared => FlockOperation::NonBlockingLockShared,
            Mode::Exclusive => FlockOperation::NonBlockingLockExclusive,
        }
    }
}

/// Opens (creating it if needed) a lock file for reading and writing; its contents are never used.
pub fn open_lock_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
}

/// Takes the lock, waiting as long as it takes.
pub fn lock(fd: impl AsFd, mode: Mode) -> io::Result<()> {
    Ok(flock(fd, mode.blocking())?)
}

/// Whether someone holds an exclusive lock on the file or directory at `path`, probed with a
/// shared lock that is dropped at once; None when it cannot be opened (it is gone).
pub fn is_held(path: &std::path::Path) -> Option<bool> {
    let f = std::fs::File::open(path).ok()?;
    Some(try_lock(&f, Mode::Shared).is_ok_and(|free| !free))
}

/// Takes the lock if nobody else holds it: `Ok(false)` when someone does.
pub fn try_lock(fd: impl AsFd, mode: Mode) -> io::Result<bool> {
    match flock(fd, mode.non_blocking()) {
        Ok(()) => Ok(true),
        Err(Errno::WOULDBLOCK) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Shortest and longest pause between attempts of [`lock_within`].
const FIRST_PAUSE: Duration = Duration::from_millis(1);
const MAX_PAUSE: Duration = Duration::from_millis(50);

/// Takes the lock, waiting at most `wait`: `Ok(false)` when it is still held then.
///
/// flock has no timed form. This retries the non-blocking form with exponential backoff (1 ms,
/// doubling, capped at 50 ms): a lock held for an instant (a `list` probing a pod) is taken almost at
/// once, a long wait costs at most 20 wake-ups a second, and a give-up leaves nothing behind. (A
/// blocking flock in a helper thread would wake sooner, but when the deadline passes that thread
/// would still be waiting, and would take the lock on our file description after we gave up.)
pub fn lock_within(fd: impl AsFd, mode: Mode, wait: Duration) -> io::Result<bool> {
    let mut failed = None;
    let got = poll_until(Some(wait), || {
        match flock(fd.as_fd(), mode.non_blocking()) {
            Ok(()) => true,
            Err(Errno::WOULDBLOCK) | Err(Errno::INTR) => false,
            Err(e) => {
                failed = Some(e);
                true
            }
        }
    });
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(got),
    }
}

/// Calls `done` until it returns true or `timeout` (None = forever) has passed, pausing between
/// calls with the backoff of [`lock_within`] (1 ms doubling to at most 50 ms). Returns whether
/// `done` returned true. For waits on a condition no syscall can block on (a file appearing, or a
/// lock either way); `done` is always called at least once, and once more at the deadline.
pub fn poll_until(timeout: Option<Duration>, mut done: impl FnMut() -> bool) -> bool {
    // A timeout too far off to add to now is as good as none (`stop --timeout` takes any u64).
    let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
    let mut pause = FIRST_PAUSE;
    loop {
        if done() {
            return true;
        }
        let left = match deadline {
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => left,
                _ => return false,
            },
            None => MAX_PAUSE,
        };
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// Waits until nobody holds an exclusive lock on `path`, at most `timeout` (None = forever), without
/// keeping any lock. Returns whether it is free (true as well when `path` cannot be opened: nothing
/// can hold a lock on it then).
///
/// A blocking shared flock in a helper thread wakes the instant the kernel drops the holder's lock.
/// The thread opens its own file description, so when it outlives a timeout and gets the lock later,
/// that lock is its own and is dropped with the thread at once.
pub fn wait_free(path: &Path, timeout: Option<Duration>) -> bool {
    let Ok(f) = File::open(path) else {
        return true;
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = flock(&f, FlockOperation::LockShared);
        let _ = tx.send(r.is_ok());
    });
    match timeout {
        Some(t) => rx.recv_timeout(t).unwrap_or(false),
        None => rx.recv().unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_forms() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("l");
        let a = open_lock_file(&p).unwrap();
        let b = open_lock_file(&p).unwrap();
        lock(&a, Mode::Exclusive).unwrap();
        assert!(!try_lock(&b, Mode::Shared).unwrap());
        let start = Instant::now();
        assert!(!lock_within(&b, Mode::Exclusive, Duration::from_millis(120)).unwrap());
        assert!(start.elapsed() >= Duration::from_millis(120));
        assert!(!wait_free(&p, Some(Duration::from_millis(50))));
        drop(a);
        assert!(lock_within(&b, Mode::Exclusive, Duration::from_secs(5)).unwrap());
        drop(b);
        assert!(wait_free(&p, Some(Duration::from_secs(5))));
        let c = open_lock_file(&p).unwrap();
        assert!(try_lock(&c, Mode::Shared).unwrap());
    }

    #[test]
    fn polling_stops_at_the_condition_or_the_deadline() {
        let mut n = 0;
        assert!(poll_until(Some(Duration::from_secs(5)), || {
            n += 1;
            n == 4
        }));
        let start = Instant::now();
        let mut calls = 0;
        assert!(!poll_until(Some(Duration::from_millis(100)), || {
            calls += 1;
            false
        }));
        assert!(start.elapsed() >= Duration::from_millis(100));
        // 1, 2, 4, …, 50 ms pauses: a handful of calls, not one every 2 ms.
        assert!(calls < 15, "{calls}");
        assert!(!poll_until(Some(Duration::ZERO), || false));
    }

    #[test]
    fn a_timed_lock_is_taken_once_released() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("l");
        let a = open_lock_file(&p).unwrap();
        lock(&a, Mode::Exclusive).unwrap();
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            drop(a);
        });
        let b = open_lock_file(&p).unwrap();
        assert!(lock_within(&b, Mode::Exclusive, Duration::from_secs(10)).unwrap());
        releaser.join().unwrap();
    }
}
