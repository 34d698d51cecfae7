//! The log files' format, part of the contract: `logs/<app>.log` in the pod dir (and the rotated
//! `logs/<app>.log.1`), written by stage1's supervisor and read by `liftoff logs`.
//!
//! It is the CRI log format that Kubernetes tooling and podman's `k8s-file` driver use, one record
//! per line: `<RFC 3339 UTC time with nanoseconds> <stdout|stderr> <F|P> <content>`, where `P` marks
//! a piece of a line longer than the relay buffer and `F` the end of a line.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Which stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// The directory holding a pod's logs.
pub fn dir(pod_dir: &Path) -> PathBuf {
    pod_dir.join("logs")
}

/// The current log file of one app.
pub fn path(pod_dir: &Path, app: &str) -> PathBuf {
    dir(pod_dir).join(format!("{app}.log"))
}

/// The rotated (older) log file of one app.
pub fn rotated_path(pod_dir: &Path, app: &str) -> PathBuf {
    dir(pod_dir).join(format!("{app}.log.1"))
}

/// RFC 3339 in UTC with nanoseconds, e.g. `2026-11-30T09:14:56.123456789Z`.
pub fn timestamp(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    let (y, m, day) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:09}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_nanos()
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// One parsed log record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub time: String,
    pub stream: Stream,
    pub partial: bool,
    pub content: Vec<u8>,
}

/// Parses one record line (without its newline); None for a line that is not a record.
pub fn parse(line: &[u8]) -> Option<Record> {
    let mut it = line.splitn(4, |&b| b == b' ');
    let time = std::str::from_utf8(it.next()?).ok()?.to_string();
    let stream = match it.next()? {
        b"stdout" => Stream::Stdout,
        b"stderr" => Stream::Stderr,
        _ => return None,
    };
    let partial = match it.next()? {
        b"P" => true,
        b"F" => false,
        _ => return None,
    };
    Some(Record {
        time,
        stream,
        partial,
        content: it.next().unwrap_or_default().to_vec(),
    })
}

/// Every record of an app, oldest first (the rotated file, then the current one).
pub fn read_all(pod_dir: &Path, app: &str) -> Vec<Record> {
    let mut out = Vec::new();
    for p in [rotated_path(pod_dir, app), path(pod_dir, app)] {
        let Ok(f) = File::open(&p) else { continue };
        for line in BufReader::new(f).split(b'\n').map_while(Result::ok) {
            if let Some(r) = parse(&line) {
                out.push(r);
            }
        }
    }
    out
}
