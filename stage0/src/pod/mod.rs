//! Pods on disk (docs/architecture.md): the pod directory tree, pod creation and the hand-over to stage1.
//!
//! A pod is a directory `pods/<state>/<uuid>/`; its state changes only by rename(2), and whether it is
//! running is whether its directory is flock'ed. `liftoff run` creates the pod in `embryo/`, moves it
//! to `prepare/` under an exclusive lock, writes the stage1 manifest, moves it to `run/` (still locked)
//! and execs the stage1's `run` entrypoint with the lock fd, which stays held for the pod's whole
//! life (see [`crate::stage1`]).

pub mod apps;
pub mod compose;
pub mod control;
pub mod disk;
pub mod networks;
pub mod order;
pub mod podfile;
pub mod request;
pub mod resolve;
pub mod state;
pub mod usage;
pub mod volumes;

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// The state directories under `pods/`: a pod is in exactly one, and moves only forward in the
/// order of [`PodDirState::ALL`] (by rename). What a user sees also depends on the lock
/// (`state::State`): a `run/` pod nobody holds has exited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PodDirState {
    Embryo,
    Prepare,
    Prepared,
    Run,
    ExitedGarbage,
    Garbage,
}

/// The state directory names, in [`PodDirState::ALL`] order (for tests and tools that look at the
/// tree from outside).
pub const STATES: &[&str] = &[
    PodDirState::Embryo.as_dir(),
    PodDirState::Prepare.as_dir(),
    PodDirState::Prepared.as_dir(),
    PodDirState::Run.as_dir(),
    PodDirState::ExitedGarbage.as_dir(),
    PodDirState::Garbage.as_dir(),
];

impl PodDirState {
    /// Every state directory, in the order pods move through them.
    pub const ALL: [PodDirState; 6] = [
        PodDirState::Embryo,
        PodDirState::Prepare,
        PodDirState::Prepared,
        PodDirState::Run,
        PodDirState::ExitedGarbage,
        PodDirState::Garbage,
    ];

    /// The directory name under `pods/`.
    pub const fn as_dir(self) -> &'static str {
        match self {
            PodDirState::Embryo => "embryo",
            PodDirState::Prepare => "prepare",
            PodDirState::Prepared => "prepared",
            PodDirState::Run => "run",
            PodDirState::ExitedGarbage => "exited-garbage",
            PodDirState::Garbage => "garbage",
        }
    }

    /// The state a directory name stands for (the inverse of [`PodDirState::as_dir`]).
    pub fn parse(dir: &str) -> Option<PodDirState> {
        PodDirState::ALL.into_iter().find(|s| s.as_dir() == dir)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PodError {
    #[error("{path}: {op}: {source}")]
    Io {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Stage1(#[from] crate::stage1::Stage1Error),
}

pub(crate) fn io(path: &Path, op: &'static str) -> impl FnOnce(std::io::Error) -> PodError {
    let path = path.to_path_buf();
    move |source| PodError::Io { path, op, source }
}

/// A random (v4) uuid.
pub fn new_uuid() -> String {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).expect("the kernel's random source is available");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The `pods/` tree of a state root.
pub struct Pods {
    pub root: PathBuf,
}

impl Pods {
    pub fn open(state_root: &Path) -> Result<Pods, PodError> {
        let root = state_root.join("pods");
        for s in PodDirState::ALL {
            let d = root.join(s.as_dir());
            std::fs::create_dir_all(&d).map_err(io(&d, "create"))?;
        }
        Ok(Pods { root })
    }

    /// The `pods/` tree of a state root as it is, creating nothing (for readers).
    pub fn existing(state_root: &Path) -> Pods {
        Pods {
            root: state_root.join("pods"),
        }
    }

    pub fn dir(&self, state: PodDirState, id: &str) -> PathBuf {
        self.state_dir(state).join(id)
    }

    /// `pods/<state>/`.
    pub fn state_dir(&self, state: PodDirState) -> PathBuf {
        self.root.join(state.as_dir())
    }
}

/// Takes a pod dir's exclusive lock. `list` and `status` take a shared lock for an instant to
/// probe: that is waited out for up to 200 ms (`liftoff_common::lock::lock_within`, with backoff);
/// a lock held for longer is a real holder, and the error is EWOULDBLOCK.
pub(crate) fn lock_exclusive(f: &File) -> std::io::Result<()> {
    use liftoff_common::lock::{lock_within, Mode};
    if lock_within(f, Mode::Exclusive, std::time::Duration::from_millis(200))? {
        Ok(())
    } else {
        Err(std::io::Error::from_raw_os_error(libc::EWOULDBLOCK))
    }
}

/// A pod being created: its directory and the exclusive lock on it.
pub struct NewPod {
    pub id: String,
    pub dir: PathBuf,
    pub lock: File,
}

/// Creates `embryo/<id>`, moves it to `prepare/` and locks it.
pub fn create(pods: &Pods) -> Result<NewPod, PodError> {
    let id = new_uuid();
    let embryo = pods.dir(PodDirState::Embryo, &id);
    std::fs::create_dir(&embryo).map_err(io(&embryo, "create"))?;
    // Locked before it is renamed (the lock goes with the inode): `gc` never sees it in
    // `prepare/` unlocked, which would read as a failed preparation.
    let lock = File::open(&embryo).map_err(io(&embryo, "open"))?;
    lock_exclusive(&lock).map_err(io(&embryo, "lock"))?;
    let prepare = pods.dir(PodDirState::Prepare, &id);
    std::fs::rename(&embryo, &prepare).map_err(io(&prepare, "rename"))?;
    Ok(NewPod {
        id,
        dir: prepare,
        lock,
    })
}

impl NewPod {
    /// Writes the stage1 manifest.
    pub fn write_manifest(&self, m: &liftoff_contract::PodManifest) -> Result<(), PodError> {
        let p = self.dir.join(liftoff_contract::POD_MANIFEST_FILE);
        let bytes = serde_json::to_vec_pretty(m).expect("manifest serialises");
        // Not fsynced here: a pod that runs is dead after a reboot anyway (and image gc keeps every
        // layer if it meets a manifest it cannot read); `to_prepared` makes a prepared pod durable.
        liftoff_common::atomic::replace(&p, &bytes).map_err(|e| PodError::Io {
            path: e.path,
            op: e.op,
            source: e.source,
        })
    }

    /// Records which images the pod runs: names for `liftoff list`, digests so that
    /// `run-prepared` re-verifies exactly what was prepared.
    pub fn write_images(&self, names: &[String], digests: &[String]) -> Result<(), PodError> {
        // One line each; a sandbox without apps has empty files (not one empty line).
        let lines = |v: &[String]| v.iter().map(|l| format!("{l}\n")).collect::<String>();
        let p = self.dir.join("images");
        std::fs::write(&p, lines(names)).map_err(io(&p, "write"))?;
        let p = self.dir.join("image-digests");
        std::fs::write(&p, lines(digests)).map_err(io(&p, "write"))
    }

    /// Moves the (still locked) pod to `run/`.
    pub fn to_run(&mut self, pods: &Pods) -> Result<(), PodError> {
        let run = pods.dir(PodDirState::Run, &self.id);
        std::fs::rename(&self.dir, &run).map_err(io(&run, "rename"))?;
        self.dir = run;
        Ok(())
    }

    /// `liftoff prepare`: moves the pod to `prepared/` and releases it. A prepared pod is meant to
    /// outlive a reboot, so its files and the move are made durable first.
    pub fn to_prepared(self, pods: &Pods) -> Result<String, PodError> {
        for name in [
            liftoff_contract::POD_MANIFEST_FILE,
            "images",
            "image-digests",
        ] {
            let f = self.dir.join(name);
            File::open(&f)
                .and_then(|f| f.sync_all())
                .map_err(io(&f, "fsync"))?;
        }
        // The pod dir itself (the names in it), then the move into prepared/.
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&self.dir, "fsync"))?;
        let dest = pods.dir(PodDirState::Prepared, &self.id);
        std::fs::rename(&self.dir, &dest).map_err(io(&dest, "rename"))?;
        liftoff_common::atomic::sync_parent(&dest).map_err(|e| PodError::Io {
            path: e.path,
            op: e.op,
            source: e.source,
        })?;
        Ok(self.id)
    }

    /// `liftoff run-prepared`: takes a prepared pod. Exactly one of several concurrent callers wins:
    /// the lock is taken first, and the rename to `run/` fails for anyone who got the lock after the
    /// winner had already moved the pod.
    pub fn take_prepared(pods: &Pods, id: &str) -> Result<NewPod, String> {
        let dir = pods.dir(PodDirState::Prepared, id);
        let lock = File::open(&dir).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("pod {id} is not prepared (any more); see `liftoff status {id}`")
            }
            _ => format!("{}: {e}", dir.display()),
        })?;
        if lock_exclusive(&lock).is_err() {
            return Err(format!("pod {id} is being started by another command"));
        }
        let run = pods.dir(PodDirState::Run, id);
        std::fs::rename(&dir, &run).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("pod {id} was already started by another command")
            }
            _ => format!("{}: {e}", run.display()),
        })?;
        Ok(NewPod {
            id: id.to_string(),
            dir: run,
            lock,
        })
    }

    /// `run -d`: starts stage1 in a new session, detached from our terminal, with its own stderr in
    /// `stage1.log`, and waits until every app has started. Returns the pod's exit record instead
    /// when it ended before that.
    pub fn spawn_detached(
        self,
    ) -> Result<Result<(), liftoff_contract::records::PodExit>, PodError> {
        use std::os::unix::process::CommandExt;
        let stage1 = crate::stage1::Stage1::selected()?;
        stage1.record(&self.dir).map_err(io(
            &self.dir.join(liftoff_contract::layout::STAGE1_RECORD),
            "write",
        ))?;
        let (r, w) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
            .map_err(|e| io(&self.dir, "pipe")(e.into()))?;
        for fd in [self.lock.as_raw_fd(), w.as_raw_fd()] {
            // SAFETY: fds owned by this function's values, alive for the call.
            let b = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
            rustix::io::fcntl_setfd(b, rustix::io::FdFlags::empty())
                .map_err(|e| io(&self.dir, "clear close-on-exec")(e.into()))?;
        }
        let log_path = liftoff_contract::layout::stage1_log(&self.dir);
        let log = File::create(&log_path).map_err(io(&log_path, "create"))?;
        let mut cmd = stage1.command(liftoff_contract::Entrypoint::Run);
        cmd.arg("--lock-fd")
            .arg(self.lock.as_raw_fd().to_string())
            .arg("--ready-fd")
            .arg(w.as_raw_fd().to_string())
            .arg(&self.dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(log);
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let child = cmd.spawn().map_err(io(stage1.path(), "start"))?;
        drop(child);
        drop(w);
        let dir = self.dir.clone();
        drop(self);
        let mut f = File::from(r);
        let mut b = [0u8; 1];
        let got = std::io::Read::read(&mut f, &mut b).unwrap_or(0);
        if got == 1 {
            return Ok(Ok(()));
        }
        // The apps did not all start: say why, from the exit record (written before the pipe
        // closes; missing only if the supervisor died before it could write one).
        let exit = liftoff_contract::records::read_pod_exit(&dir)
            .unwrap_or_else(|e| {
                liftoff_stage2::warning!("{e}");
                None
            })
            .unwrap_or(liftoff_contract::records::PodExit {
                exit_code: 254,
                app: None,
                error: Some(format!(
                    "the pod's supervisor ended before the pod started; see {}",
                    log_path.display()
                )),
                finished_at: 0,
            });
        Ok(Err(exit))
    }

    /// A failed preparation: the pod goes to `garbage/` for gc (it stays locked until we exit).
    pub fn abandon(&self, pods: &Pods) {
        let _ = std::fs::rename(&self.dir, pods.dir(PodDirState::Garbage, &self.id));
    }

    /// Replaces this process with the stage1's `run`, handing it the lock fd. Returns only on
    /// failure.
    pub fn exec_stage1(self) -> PodError {
        let stage1 = match crate::stage1::Stage1::selected() {
            Ok(p) => p,
            Err(e) => return e.into(),
        };
        if let Err(e) = stage1.record(&self.dir) {
            return io(
                &self.dir.join(liftoff_contract::layout::STAGE1_RECORD),
                "write",
            )(e);
        }
        let fd = self.lock.as_raw_fd();
        // The lock fd must survive execve: it is what marks the pod as running.
        if let Err(e) = rustix::io::fcntl_setfd(&self.lock, rustix::io::FdFlags::empty()) {
            return io(&self.dir, "clear close-on-exec on the pod lock")(e.into());
        }
        use std::os::unix::process::CommandExt;
        let err = stage1
            .command(liftoff_contract::Entrypoint::Run)
            .arg("--lock-fd")
            .arg(fd.to_string())
            .arg(&self.dir)
            .exec();
        io(stage1.path(), "exec")(err)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_are_v4() {
        let u = super::new_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(u, super::new_uuid());
    }
}

#[cfg(test)]
mod dir_state_tests {
    use super::*;

    #[test]
    fn dir_names_parse_back() {
        for (s, name) in PodDirState::ALL.into_iter().zip(STATES) {
            assert_eq!(s.as_dir(), *name);
            assert_eq!(PodDirState::parse(name), Some(s));
        }
        assert_eq!(PodDirState::parse("exited"), None);
    }
}
