//! The store's locks: files under `<root>/locks/`, locked with `liftoff_common::lock` (flock(2); the
//! kernel drops them when the holder dies, so a SIGKILLed fetch can never leave the store locked). A
//! lock can be waited for without bound ([`Lock::shared`], [`Lock::exclusive`]) or for a bounded
//! time ([`Lock::exclusive_within`]), which names the processes holding it when the time runs out.

use super::{io, StoreError};
use liftoff_common::lock::{self as flock, Mode};
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

/// A held lock; released on drop (closing the fd).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

fn open(path: &Path) -> Result<File, StoreError> {
    flock::open_lock_file(path).map_err(io(path, "open lock file"))
}

impl Lock {
    fn take(path: &Path, mode: Mode) -> Result<Lock, StoreError> {
        let file = open(path)?;
        if !flock::try_lock(&file, mode).unwrap_or(false) {
            tracing::debug!("waiting for lock {}", path.display());
            flock::lock(&file, mode).map_err(io(path, "flock"))?;
        }
        Ok(Lock { _file: file })
    }

    pub fn shared(path: &Path) -> Result<Lock, StoreError> {
        Self::take(path, Mode::Shared)
    }

    pub fn exclusive(path: &Path) -> Result<Lock, StoreError> {
        Self::take(path, Mode::Exclusive)
    }

    /// Takes the lock exclusively, waiting at most `wait`; when it is still held then, fails with
    /// [`StoreError::Busy`] naming the holders.
    pub fn exclusive_within(path: &Path, wait: Duration) -> Result<Lock, StoreError> {
        let file = open(path)?;
        if flock::try_lock(&file, Mode::Exclusive).map_err(io(path, "flock"))? {
            return Ok(Lock { _file: file });
        }
        tracing::debug!("waiting up to {wait:?} for lock {}", path.display());
        if flock::lock_within(&file, Mode::Exclusive, wait).map_err(io(path, "flock"))? {
            return Ok(Lock { _file: file });
        }
        let md = file.metadata().map_err(io(path, "stat lock file"))?;
        Err(StoreError::Busy {
            path: path.to_path_buf(),
            waited: format!("{:.1}s", wait.as_secs_f64()),
            holders: describe_holders(&holders(md.dev(), md.ino())),
        })
    }
}

/// A process holding a lock, as /proc tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    /// Its command line (arguments joined by spaces, credentials masked), if readable.
    pub cmdline: Option<String>,
}

/// The processes holding a lock (not waiting for it) on the file with device `dev` and inode
/// `ino`, from /proc/locks. Processes in other PID namespaces do not show.
pub fn holders(dev: u64, ino: u64) -> Vec<Holder> {
    let Ok(text) = std::fs::read_to_string("/proc/locks") else {
        return Vec::new();
    };
    let mut pids = parse_proc_locks(&text, dev, ino);
    pids.sort_unstable();
    pids.dedup();
    pids.into_iter()
        .filter(|&p| p != std::process::id())
        .map(|pid| Holder {
            pid,
            cmdline: std::fs::read(format!("/proc/{pid}/cmdline"))
                .ok()
                .and_then(|b| cmdline_text(&b)),
        })
        .collect()
}

/// Pids of the held (not waited-for) locks on `dev`/`ino` in /proc/locks text. A line reads
/// `1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF` (device major:minor in hex, inode in
/// decimal); a waiter's line has `->` after the number.
fn parse_proc_locks(text: &str, dev: u64, ino: u64) -> Vec<u32> {
    let major = rustix::fs::major(dev);
    let minor = rustix::fs::minor(dev);
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.get(1) == Some(&"->") || f.len() < 6 {
                return None;
            }
            let pid: u32 = f[4].parse().ok()?;
            let mut id = f[5].split(':');
            let ma = u32::from_str_radix(id.next()?, 16).ok()?;
            let mi = u32::from_str_radix(id.next()?, 16).ok()?;
            let i: u64 = id.next()?.parse().ok()?;
            (ma == major && mi == minor && i == ino).then_some(pid)
        })
        .collect()
}

/// A command line fit for a message: arguments joined by spaces, control characters replaced,
/// the value of `--creds` masked, bounded in length.
fn cmdline_text(raw: &[u8]) -> Option<String> {
    let args: Vec<String> = raw
        .split(|&b| b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).to_string())
        .collect();
    if args.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(args.len());
    let mut mask_next = false;
    for a in args {
        if mask_next {
            out.push("***".to_string());
            mask_next = false;
        } else if a == "--creds" {
            mask_next = true;
            out.push(a);
        } else if a.starts_with("--creds=") {
            out.push("--creds=***".to_string());
        } else {
            out.push(a);
        }
    }
    let s: String = out
        .join(" ")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    Some(if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s
    })
}

/// `pid 1234 (liftoff fetch …), pid 99`, or what to say when /proc shows no holder.
pub fn describe_holders(h: &[Holder]) -> String {
    if h.is_empty() {
        return "a process liftoff cannot see (in another PID namespace, or it just exited)".into();
    }
    h.iter()
        .map(|h| match &h.cmdline {
            Some(c) => format!("pid {} ({c})", h.pid),
            None => format!("pid {}", h.pid),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn proc_locks_lines() {
        let dev = rustix::fs::makedev(0xfd, 0x01);
        let text = "1: FLOCK  ADVISORY  READ  4242 fd:01:777 0 EOF\n\
                    1: -> FLOCK  ADVISORY  WRITE 5151 fd:01:777 0 EOF\n\
                    2: POSIX  ADVISORY  WRITE 99 fd:01:778 0 EOF\n\
                    3: FLOCK  ADVISORY  WRITE 7 08:01:777 0 EOF\n\
                    garbage\n";
        assert_eq!(parse_proc_locks(text, dev, 777), vec![4242]);
    }

    #[test]
    fn cmdlines_are_masked_and_bounded() {
        assert_eq!(
            cmdline_text(b"liftoff\0fetch\0--creds\0me:secret\0x\0").unwrap(),
            "liftoff fetch --creds *** x"
        );
        assert_eq!(
            cmdline_text(b"liftoff\0--creds=me:secret\0").unwrap(),
            "liftoff --creds=***"
        );
        assert!(cmdline_text(b"").is_none());
        assert!(cmdline_text(&[b'a'; 1000]).unwrap().ends_with('…'));
    }

    #[test]
    fn bounded_wait_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l");
        let held = Lock::shared(&p).unwrap();
        // Our own pid is left out of the holders, so hold it from a child process (`-o`: flock(1)
        // itself holds it, not the sleep it runs, so killing flock releases it).
        let mut child = std::process::Command::new("flock")
            .args(["-s", "-o", p.to_str().unwrap(), "sleep", "10"])
            .spawn();
        let t = Instant::now();
        let e = Lock::exclusive_within(&p, Duration::from_millis(300)).unwrap_err();
        assert!(t.elapsed() < Duration::from_secs(5));
        assert!(matches!(e, StoreError::Busy { .. }), "{e}");
        if let Ok(c) = &mut child {
            // Give flock(1) time to take its lock, then it must be named.
            std::thread::sleep(Duration::from_millis(200));
            let e = Lock::exclusive_within(&p, Duration::from_millis(100)).unwrap_err();
            assert!(e.to_string().contains(&format!("pid {}", c.id())), "{e}");
            let _ = c.kill();
            let _ = c.wait();
        }
        drop(held);
        Lock::exclusive_within(&p, Duration::from_secs(5)).unwrap();
    }
}
