//! What a running pod uses, read from its cgroups and `/proc` without asking any liftoff process:
//! per-app cpu time, memory, pids and block I/O (for `liftoff stats`), the pod's network counters,
//! and the processes in each app's cgroup (for `liftoff top`).
//!
//! The cgroup dirs come from the pod dir's `cgroups.json` (one dir per hierarchy: a single one on
//! cgroup v2, one per controller on v1 and hybrid hosts); an app's cgroup is
//! [`liftoff_contract::layout::app_cgroup`] below each. v1 and v2 name their files differently, so each
//! reading takes the v2 file where there is one and the v1 file otherwise, from whichever dir has it.

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

/// Limits at least this large are "no limit": v1 reports an unlimited memory cgroup as
/// PAGE_COUNTER_MAX pages (9223372036854771712 bytes with 4 KiB pages).
const UNLIMITED: u64 = 1 << 62;

/// One cgroup in every hierarchy it is in.
#[derive(Debug, Clone, Default)]
pub struct Cgroup {
    dirs: Vec<PathBuf>,
}

/// The value of `key` in a flat-keyed cgroup file (`memory.stat`, `cpu.stat`: "key value" lines).
fn key(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok()).flatten()
    })
}

fn num(text: Option<String>) -> Option<u64> {
    text?.trim().parse().ok()
}

/// A limit file: "max" (v2, and v1 pids) or a huge number (v1 memory) means none.
fn limit(text: Option<String>) -> Option<u64> {
    num(text).filter(|&n| n < UNLIMITED)
}

/// v2 `io.stat`: "MAJ:MIN rbytes=N wbytes=N rios=N …" per device; summed over devices.
fn io_stat(text: &str) -> (u64, u64) {
    let (mut r, mut w) = (0u64, 0u64);
    for field in text.split_whitespace() {
        if let Some(v) = field.strip_prefix("rbytes=") {
            r += v.parse::<u64>().unwrap_or(0);
        } else if let Some(v) = field.strip_prefix("wbytes=") {
            w += v.parse::<u64>().unwrap_or(0);
        }
    }
    (r, w)
}

/// v1 `blkio.*io_service_bytes*`: "MAJ:MIN Read N" / "MAJ:MIN Write N" per device, then "Total N".
fn blkio(text: &str) -> (u64, u64) {
    let (mut r, mut w) = (0u64, 0u64);
    for l in text.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        if let [_, op, n] = f[..] {
            let n = n.parse::<u64>().unwrap_or(0);
            match op {
                "Read" => r += n,
                "Write" => w += n,
                _ => {}
            }
        }
    }
    (r, w)
}

impl Cgroup {
    /// The pod's own cgroup, as its supervisor recorded it.
    pub fn of_pod(pod_dir: &Path) -> Cgroup {
        Cgroup {
            dirs: liftoff_contract::records::read_cgroups(pod_dir).unwrap_or_else(|e| {
                liftoff_stage2::warning!("{e}");
                Vec::new()
            }),
        }
    }

    /// One app's cgroup below this pod's.
    pub fn app(&self, app: &str) -> Cgroup {
        Cgroup {
            dirs: self
                .dirs
                .iter()
                .map(|d| liftoff_contract::layout::app_cgroup(d, app))
                .collect(),
        }
    }

    /// The file from the first hierarchy that has it.
    fn read(&self, file: &str) -> Option<String> {
        self.dirs
            .iter()
            .find_map(|d| std::fs::read_to_string(d.join(file)).ok())
    }

    /// Cpu time used so far, in nanoseconds: v2 `cpu.stat` usage_usec, v1 `cpuacct.usage`.
    pub fn cpu_usage_ns(&self) -> Option<u64> {
        // v1's cpu hierarchy has a cpu.stat too, with throttling counts only: fall through.
        if let Some(us) = self.read("cpu.stat").and_then(|s| key(&s, "usage_usec")) {
            return Some(us.saturating_mul(1000));
        }
        num(self.read("cpuacct.usage"))
    }

    /// Memory in use as podman counts it: the charged memory minus the inactive page cache, which
    /// the kernel reclaims first (v2: `memory.current` − `inactive_file`; v1: `memory.usage_in_bytes`
    /// − `total_inactive_file`, both from `memory.stat`).
    pub fn memory_usage(&self) -> Option<u64> {
        let stat = self.read("memory.stat").unwrap_or_default();
        if let Some(cur) = num(self.read("memory.current")) {
            return Some(cur.saturating_sub(key(&stat, "inactive_file").unwrap_or(0)));
        }
        let used = num(self.read("memory.usage_in_bytes"))?;
        Some(used.saturating_sub(key(&stat, "total_inactive_file").unwrap_or(0)))
    }

    /// This cgroup's own memory limit; None when it has none (or no memory controller).
    pub fn memory_limit(&self) -> Option<u64> {
        limit(
            self.read("memory.max")
                .or_else(|| self.read("memory.limit_in_bytes")),
        )
    }

    pub fn pids_current(&self) -> Option<u64> {
        num(self.read("pids.current"))
    }

    /// This cgroup's own pids limit; None when it has none.
    pub fn pids_limit(&self) -> Option<u64> {
        limit(self.read("pids.max"))
    }

    /// Bytes read from and written to block devices: v2 `io.stat`, v1 blkio's service bytes
    /// (the throttle file counts every request whatever the I/O scheduler, as podman reads it).
    pub fn block_io(&self) -> Option<(u64, u64)> {
        if let Some(s) = self.read("io.stat") {
            return Some(io_stat(&s));
        }
        [
            "blkio.throttle.io_service_bytes_recursive",
            "blkio.io_service_bytes_recursive",
        ]
        .iter()
        .find_map(|f| self.read(f))
        .map(|s| blkio(&s))
    }

    /// The processes in this cgroup and any below it, by host pid, in ascending order. Every
    /// hierarchy holds the same processes, so the first that can be read is enough.
    pub fn procs(&self) -> Vec<i32> {
        fn walk(dir: &Path, out: &mut Vec<i32>) -> bool {
            let Ok(text) = std::fs::read_to_string(dir.join("cgroup.procs")) else {
                return false;
            };
            out.extend(text.lines().filter_map(|l| l.trim().parse::<i32>().ok()));
            if let Ok(rd) = std::fs::read_dir(dir) {
                for e in rd.flatten() {
                    if e.file_type().is_ok_and(|t| t.is_dir()) {
                        walk(&e.path(), out);
                    }
                }
            }
            true
        }
        let mut out = Vec::new();
        for d in &self.dirs {
            if walk(d, &mut out) {
                break;
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Received and sent bytes over every interface but loopback, from `/proc/net/dev` text.
fn parse_net_dev(text: &str) -> (u64, u64) {
    let (mut rx, mut tx) = (0u64, 0u64);
    for l in text.lines().skip(2) {
        let Some((name, counters)) = l.split_once(':') else {
            continue;
        };
        if name.trim() == "lo" {
            continue;
        }
        let f: Vec<u64> = counters
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        // 8 receive counters (bytes first), then 8 transmit counters (bytes first).
        if f.len() >= 9 {
            rx += f[0];
            tx += f[8];
        }
    }
    (rx, tx)
}

/// The network counters of the network namespace `pid` is in (for a pod: its init's).
pub fn net_dev(pid: i32) -> Option<(u64, u64)> {
    std::fs::read_to_string(format!("/proc/{pid}/net/dev"))
        .ok()
        .map(|s| parse_net_dev(&s))
}

/// One process of a pod, as `liftoff top` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Process {
    /// Its pid on the host.
    pub pid: i32,
    /// Its pid inside the pod's pid namespace (the last `NSpid` entry).
    pub pod_pid: Option<i32>,
    /// Its effective uid inside the pod's user namespace.
    pub uid: Option<u32>,
    /// Its command line, control characters escaped.
    pub command: String,
}

/// Reads one process from `/proc`; None if it has gone.
pub fn process(pid: i32) -> Option<Process> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |k: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(k))
            .map(str::to_string)
    };
    let pod_pid = field("NSpid:").and_then(|v| v.split_whitespace().last()?.parse().ok());
    let host_uid: Option<u32> =
        field("Uid:").and_then(|v| v.split_whitespace().nth(1)?.parse().ok());
    let uid_map = std::fs::read_to_string(format!("/proc/{pid}/uid_map")).unwrap_or_default();
    let uid = host_uid.and_then(|u| map_uid(&uid_map, u));
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let command = if cmdline.is_empty() {
        // A zombie or a process that cleared its arguments: its name, as ps shows it.
        let comm = std::fs::read(format!("/proc/{pid}/comm")).unwrap_or_default();
        format!("[{}]", escape(comm.trim_ascii_end()))
    } else {
        cmdline
            .split(|&b| b == 0)
            .filter(|a| !a.is_empty())
            .map(escape)
            .collect::<Vec<_>>()
            .join(" ")
    };
    Some(Process {
        pid,
        pod_pid,
        uid,
        command,
    })
}

/// A host uid as seen inside a user namespace, from that namespace's `uid_map` as read from the
/// host ("inside outside count" lines).
fn map_uid(uid_map: &str, host: u32) -> Option<u32> {
    uid_map.lines().find_map(|l| {
        let f: Vec<u64> = l
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let [inside, outside, count] = f[..] else {
            return None;
        };
        let h = u64::from(host);
        (h >= outside && h < outside + count)
            .then(|| u32::try_from(inside + (h - outside)).ok())
            .flatten()
    })
}

/// Text safe to print on a terminal: control characters (and the bidi overrides that reorder a
/// line) become escapes such as `\n` or `\u{1b}`; invalid UTF-8 becomes U+FFFD.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for c in String::from_utf8_lossy(bytes).chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The `/etc/passwd` of the root `pid` runs in, read without following any symlink out of that root
/// (the file is image content), and only if it is a regular file of sane size.
pub fn passwd_of(pid: i32) -> Option<String> {
    use rustix::fs::{Mode, OFlags, ResolveFlags};
    use std::io::Read;
    let root = rustix::fs::open(
        format!("/proc/{pid}/root"),
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    let fd = rustix::fs::openat2(
        &root,
        "etc/passwd",
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
        Mode::empty(),
        ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS,
    )
    .ok()?;
    let f = std::fs::File::from(fd);
    let t = f.metadata().ok()?.file_type();
    if !t.is_file() || t.is_fifo() {
        return None;
    }
    let mut text = String::new();
    f.take(4 << 20).read_to_string(&mut text).ok()?;
    Some(text)
}

/// The name of `uid` in passwd text.
pub fn user_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 3 && f[2].parse::<u32>().ok() == Some(uid) && !f[0].is_empty())
            .then(|| escape(f[0].as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> (tempfile::TempDir, Cgroup) {
        let t = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = t.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        dirs.sort();
        (t, Cgroup { dirs })
    }

    #[test]
    fn v2_files() {
        let (_t, cg) = tree(&[
            ("pod/cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n"),
            ("pod/memory.current", "73400320\n"),
            ("pod/memory.stat", "anon 100\nfile 4096\nactive_file 0\ninactive_file 2097152\n"),
            ("pod/memory.max", "max\n"),
            ("pod/pids.current", "3\n"),
            ("pod/pids.max", "100\n"),
            ("pod/io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n8:16 rbytes=1 wbytes=2 rios=1 wios=1\n"),
            ("pod/cgroup.procs", "12\n7\n"),
            ("pod/sub/cgroup.procs", "30\n"),
        ]);
        assert_eq!(cg.cpu_usage_ns(), Some(2_500_000));
        assert_eq!(cg.memory_usage(), Some(73400320 - 2097152));
        assert_eq!(cg.memory_limit(), None);
        assert_eq!(cg.pids_current(), Some(3));
        assert_eq!(cg.pids_limit(), Some(100));
        assert_eq!(cg.block_io(), Some((4097, 8194)));
        assert_eq!(cg.procs(), [7, 12, 30]);
    }

    #[test]
    fn v1_files_spread_over_hierarchies() {
        let (_t, cg) = tree(&[
            (
                "a-cpu/cpu.stat",
                "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n",
            ),
            ("b-cpuacct/cpuacct.usage", "123456789\n"),
            ("c-memory/memory.usage_in_bytes", "60000000\n"),
            (
                "c-memory/memory.stat",
                "inactive_file 5\ntotal_inactive_file 1000000\n",
            ),
            ("c-memory/memory.limit_in_bytes", "9223372036854771712\n"),
            ("c-memory/cgroup.procs", "5\n"),
            (
                "d-blkio/blkio.throttle.io_service_bytes_recursive",
                "8:0 Read 10\n8:0 Write 20\n8:0 Sync 30\n8:0 Total 30\nTotal 30\n",
            ),
            ("e-pids/pids.current", "2\n"),
            ("e-pids/pids.max", "max\n"),
        ]);
        assert_eq!(cg.cpu_usage_ns(), Some(123456789));
        assert_eq!(cg.memory_usage(), Some(59000000));
        assert_eq!(cg.memory_limit(), None);
        assert_eq!(cg.pids_limit(), None);
        assert_eq!(cg.block_io(), Some((10, 20)));
        assert_eq!(cg.procs(), [5]);
        // A missing controller is unknown, not zero.
        let (_t, none) = tree(&[("x/cgroup.procs", "")]);
        assert_eq!(none.cpu_usage_ns(), None);
        assert_eq!(none.memory_usage(), None);
        assert_eq!(none.block_io(), None);
    }

    #[test]
    fn net_dev_leaves_out_loopback() {
        let text = "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    lo:  999 9 0 0 0 0 0 0 999 9 0 0 0 0 0 0\n  eth0: 1500 10 0 0 0 0 0 0 700 5 0 0 0 0 0 0\n";
        assert_eq!(parse_net_dev(text), (1500, 700));
    }

    #[test]
    fn uids_commands_and_names() {
        assert_eq!(map_uid("0 0 4294967295\n", 1000), Some(1000));
        assert_eq!(map_uid("0 100000 65536\n", 101000), Some(1000));
        assert_eq!(map_uid("0 100000 65536\n", 5), None);
        assert_eq!(escape(b"sh -c \x1b[2Jx\ny"), "sh -c \\u{1b}[2Jx\\ny");
        assert_eq!(escape("a\u{202e}b".as_bytes()), "a\\u{202e}b");
        let pw = "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
        assert_eq!(user_name(pw, 1000).as_deref(), Some("app"));
        assert_eq!(user_name(pw, 7), None);
        let me = process(std::process::id() as i32).unwrap();
        assert!(me.pod_pid.is_some() && me.uid.is_some() && !me.command.is_empty());
    }
}
