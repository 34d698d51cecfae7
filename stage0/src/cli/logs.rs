//! `liftoff logs POD [--app NAME] [-f] [--tail N]`: the apps' output, from the per-app log files the
//! supervisor keeps (see `liftoff_contract::logs`), while the pod runs and after it exited.

use super::lifecycle::PodRef;
use super::Ctx;
use anyhow::{bail, Result};
use clap::Args;
use liftoff::pod::state::{self, State};
use liftoff::pod::Pods;
use liftoff_contract::logs::{self, Record, Stream};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Args)]
#[command(after_help = "\
Lines keep their stream: stdout to stdout, stderr to stderr. With several apps and no --app, lines
are merged in time order and prefixed with the app's name. Logs are rotated at --log-max-size (see
`liftoff run --help`); the files are pods/*/<uuid>/logs/<app>.log[.1] in the CRI log format.
App output is printed as the app wrote it, control characters included (as podman logs does): pipe
it through `cat -v` when the app is not trusted with your terminal.")]
pub struct LogsArgs {
    #[command(flatten)]
    pub pod: PodRef,
    /// Only this app's output
    #[arg(long)]
    pub app: Option<String>,
    /// Keep printing new output until the pod exits
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Only the last N lines
    #[arg(long, value_name = "N")]
    pub tail: Option<usize>,
    /// Show each line's time (RFC 3339, UTC)
    #[arg(short = 't', long)]
    pub timestamps: bool,
}

/// How lines are printed: with the app's name in front (several apps), with their times.
pub(super) struct Out {
    pub prefix: bool,
    pub timestamps: bool,
}

impl Out {
    fn print(&self, app: &str, r: &Record) {
        let mut line = Vec::with_capacity(r.content.len() + 48);
        if self.timestamps {
            line.extend_from_slice(r.time.as_bytes());
            line.push(b' ');
        }
        if self.prefix {
            line.extend_from_slice(app.as_bytes());
            line.extend_from_slice(b" | ");
        }
        line.extend_from_slice(&r.content);
        if !r.partial {
            line.push(b'\n');
        }
        let _ = match r.stream {
            Stream::Stdout => std::io::stdout().write_all(&line),
            Stream::Stderr => std::io::stderr().write_all(&line),
        };
    }
}

/// Where `-f` has read up to in one app's current log file.
pub(super) struct Cursor {
    app: String,
    ino: u64,
    offset: u64,
    pending: Vec<u8>,
}

impl Cursor {
    /// A cursor at the current end of the app's log (`app start --attach`: what comes from now).
    pub fn at_end(dir: &Path, app: &str) -> Cursor {
        let m = std::fs::metadata(logs::path(dir, app)).ok();
        Cursor {
            app: app.to_string(),
            ino: m.as_ref().map_or(0, |m| m.ino()),
            offset: m.map_or(0, |m| m.len()),
            pending: Vec::new(),
        }
    }

    /// Reads what was appended since last time (following one rotation); returns how many bytes.
    fn poll(&mut self, dir: &Path, out: &Out) -> usize {
        let cur = logs::path(dir, &self.app);
        let ino = std::fs::metadata(&cur).map(|m| m.ino()).unwrap_or(0);
        let mut n = 0;
        if ino != self.ino && self.ino != 0 {
            // Rotated: finish the old file (now .log.1), then start the new one from its beginning.
            n += self.read_from(&logs::rotated_path(dir, &self.app), out);
            self.offset = 0;
        }
        self.ino = ino;
        n + self.read_from(&cur, out)
    }

    fn read_from(&mut self, p: &Path, out: &Out) -> usize {
        let Ok(mut f) = std::fs::File::open(p) else {
            return 0;
        };
        if f.seek(SeekFrom::Start(self.offset)).is_err() {
            return 0;
        }
        let mut buf = Vec::new();
        if f.read_to_end(&mut buf).is_err() {
            return 0;
        }
        self.offset += buf.len() as u64;
        self.pending.extend_from_slice(&buf);
        let mut start = 0;
        while let Some(n) = self.pending[start..].iter().position(|&b| b == b'\n') {
            if let Some(r) = logs::parse(&self.pending[start..start + n]) {
                out.print(&self.app, &r);
            }
            start += n + 1;
        }
        self.pending.drain(..start);
        buf.len()
    }
}

/// Prints what the cursors' apps write, every 100 ms, until `done` says so; `done` gets the pod as
/// it is now (None once it is gone). What was written by then is printed before this returns.
pub(super) fn follow(
    pods: &Pods,
    id: &str,
    dir: &Path,
    cursors: &mut [Cursor],
    out: &Out,
    mut done: impl FnMut(Option<&state::PodInfo>) -> bool,
) {
    let mut dir = dir.to_path_buf();
    loop {
        let now = state::refresh(pods, id);
        if let Some(x) = &now {
            dir = x.dir.clone();
        }
        let finished = done(now.as_ref());
        let mut n = 0;
        for c in cursors.iter_mut() {
            n += c.poll(&dir, out);
        }
        let _ = std::io::stdout().flush();
        if finished {
            // The supervisor may still be copying the last output of an app that has ended.
            if n > 0 {
                std::thread::sleep(Duration::from_millis(100));
                for c in cursors.iter_mut() {
                    c.poll(&dir, out);
                }
                let _ = std::io::stdout().flush();
            }
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every record of one file, and how many bytes its complete lines take.
fn read_file(p: &Path) -> (Vec<Record>, u64) {
    let Ok(buf) = std::fs::read(p) else {
        return (Vec::new(), 0);
    };
    let end = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let recs = buf[..end]
        .split(|&b| b == b'\n')
        .filter_map(logs::parse)
        .collect();
    (recs, end as u64)
}

pub fn run(ctx: &Ctx, a: LogsArgs) -> Result<u8> {
    let pods = Pods::open(ctx.store.root())?;
    let p = a.pod.find(&pods)?;
    let apps: Vec<String> = match &a.app {
        Some(n) if p.apps.contains(n) => vec![n.clone()],
        Some(n) => bail!(
            "pod {} has no app {n:?} (its apps: {})",
            p.id,
            p.apps.join(", ")
        ),
        None => p.apps.clone(),
    };
    if apps.is_empty() {
        bail!("pod {} has no apps yet (state {})", p.id, p.state.as_str());
    }
    let out = Out {
        prefix: apps.len() > 1,
        timestamps: a.timestamps,
    };
    // The current file is read up to its last complete line; -f continues from exactly there.
    let mut cursors = Vec::new();
    let mut all: Vec<(String, Record)> = Vec::new();
    for app in &apps {
        let cur = logs::path(&p.dir, app);
        let ino_of = || std::fs::metadata(&cur).map_or(0, |m| m.ino());
        // A rotation between reading the two files would lose or repeat lines: read again until
        // the current file is the same one before and after.
        let (old, new, consumed, ino) = loop {
            let ino = ino_of();
            let (old, _) = read_file(&logs::rotated_path(&p.dir, app));
            let (new, consumed) = read_file(&cur);
            if ino_of() == ino {
                break (old, new, consumed, ino);
            }
        };
        all.extend(old.into_iter().chain(new).map(|r| (app.clone(), r)));
        cursors.push(Cursor {
            app: app.clone(),
            ino,
            offset: consumed,
            pending: Vec::new(),
        });
    }
    if apps.len() > 1 {
        all.sort_by(|x, y| x.1.time.cmp(&y.1.time));
    }
    let skip = a.tail.map_or(0, |n| all.len().saturating_sub(n));
    for (app, r) in &all[skip..] {
        out.print(app, r);
    }
    if !a.follow {
        return Ok(0);
    }
    follow(&pods, &p.id, &p.dir, &mut cursors, &out, |now| {
        !now.is_some_and(|x| {
            matches!(
                x.state,
                State::Running | State::Prepared | State::Preparing | State::Embryo
            )
        })
    });
    Ok(0)
}
