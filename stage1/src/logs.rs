//! Per-app log files: `logs/<app>.log` in the pod dir, written by the supervisor for foreground and
//! detached pods alike, so `liftoff logs` works while a pod runs and after it exited.
//!
//! The format is the CRI log format that Kubernetes tooling and podman's `k8s-file` driver use, one
//! record per line: `<RFC 3339 UTC time with nanoseconds> <stdout|stderr> <F|P> <content>`, where `P`
//! marks a piece of a line longer than the relay buffer and `F` the end of a line. A file that would
//! grow past its cap is renamed to `<app>.log.1` (replacing the previous one) and a new one started,
//! so an app's logs never take more than twice the cap.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use liftoff_contract::logs::{
    dir, parse, path, read_all, rotated_path, timestamp, Record, Stream,
};

/// An app's log file with its size cap.
pub struct LogFile {
    path: PathBuf,
    file: Option<File>,
    size: u64,
    max: u64,
}

impl LogFile {
    /// Opens (appending) the app's log; `max` is the rotation size.
    pub fn open(pod_dir: &Path, app: &str, max: u64) -> std::io::Result<LogFile> {
        std::fs::create_dir_all(dir(pod_dir))?;
        let path = path(pod_dir, app);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        let size = file.metadata()?.len();
        Ok(LogFile {
            path,
            file: Some(file),
            size,
            max: max.max(4096),
        })
    }

    /// Appends one record. `content` is the line without its newline; `partial` marks a piece.
    /// A full disk loses log lines, never the pod: errors are swallowed after one attempt to rotate.
    pub fn write(&mut self, stream: Stream, content: &[u8], partial: bool) {
        let mut rec = Vec::with_capacity(content.len() + 48);
        rec.extend_from_slice(timestamp(SystemTime::now()).as_bytes());
        rec.push(b' ');
        rec.extend_from_slice(stream.as_str().as_bytes());
        rec.extend_from_slice(if partial { b" P " } else { b" F " });
        rec.extend_from_slice(content);
        rec.push(b'\n');
        if self.size > 0 && self.size + rec.len() as u64 > self.max {
            self.rotate();
        }
        if let Some(f) = &mut self.file {
            if f.write_all(&rec).is_ok() {
                self.size += rec.len() as u64;
            }
        }
    }

    fn rotate(&mut self) {
        let old = self.path.with_extension("log.1");
        self.file = None;
        let _ = std::fs::rename(&self.path, &old);
        self.file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .ok();
        self.size = 0;
    }
}

/// Splits a byte stream into log records: complete lines as `F`, and pieces of lines longer than
/// 64 KiB as `P`, so an app that never writes a newline cannot make the supervisor buffer without
/// bound. A trailing `\r` (terminal output) is dropped.
pub struct LineSplitter {
    buf: Vec<u8>,
}

/// The longest piece of a line kept in memory before it is written out as a partial record.
pub const MAX_LINE: usize = 64 * 1024;

impl LineSplitter {
    pub fn new() -> LineSplitter {
        LineSplitter { buf: Vec::new() }
    }

    /// Feeds bytes; calls `out(line, partial)` for every record that is complete.
    pub fn feed(&mut self, data: &[u8], mut out: impl FnMut(&[u8], bool)) {
        self.buf.extend_from_slice(data);
        let mut start = 0;
        while let Some(pos) = self.buf[start..].iter().position(|&b| b == b'\n') {
            let mut line = &self.buf[start..start + pos];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            out(line, false);
            start += pos + 1;
        }
        self.buf.drain(..start);
        while self.buf.len() > MAX_LINE {
            let piece: Vec<u8> = self.buf.drain(..MAX_LINE).collect();
            out(&piece, true);
        }
    }

    /// Writes out an unterminated last line.
    pub fn finish(&mut self, mut out: impl FnMut(&[u8], bool)) {
        if !self.buf.is_empty() {
            let rest = std::mem::take(&mut self.buf);
            out(&rest, false);
        }
    }
}

impl Default for LineSplitter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let t = UNIX_EPOCH + std::time::Duration::new(1_796_031_296, 5);
        assert_eq!(timestamp(t), "2026-11-30T09:34:56.000000005Z");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000000Z");
        let leap = UNIX_EPOCH + std::time::Duration::from_secs(951_782_400);
        assert_eq!(&timestamp(leap)[..10], "2000-02-29");
    }

    #[test]
    fn records_round_trip_and_rotate_at_the_cap() {
        let d = std::env::temp_dir().join(format!("liftoff-logs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let mut l = LogFile::open(&d, "web", 4096).unwrap();
        for i in 0..200 {
            l.write(Stream::Stdout, format!("line {i}").as_bytes(), false);
        }
        l.write(Stream::Stderr, b"oops with spaces", true);
        let all = read_all(&d, "web");
        let last = all.last().unwrap();
        assert_eq!(last.stream, Stream::Stderr);
        assert!(last.partial);
        assert_eq!(last.content, b"oops with spaces");
        // Rotation kept at most two files' worth, and the newest lines.
        assert!(rotated_path(&d, "web").exists());
        assert!(std::fs::metadata(path(&d, "web")).unwrap().len() <= 4096);
        assert!(all.len() < 201);
        assert_eq!(all[all.len() - 2].content, b"line 199");
        assert_eq!(parse(b"garbage"), None);
        let mut sp = LineSplitter::new();
        let mut got = Vec::new();
        sp.feed(b"a\r\nb", |l, p| got.push((l.to_vec(), p)));
        sp.feed(&vec![b'x'; MAX_LINE + 1], |l, p| {
            got.push((l.len().to_string().into_bytes(), p))
        });
        sp.finish(|l, p| got.push((l.to_vec(), p)));
        assert_eq!(got[0], (b"a".to_vec(), false));
        assert_eq!(got[1], (MAX_LINE.to_string().into_bytes(), true));
        assert_eq!(got[2].0.len(), 2);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
