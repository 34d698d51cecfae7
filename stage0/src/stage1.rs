//! The one way stage0 reaches a stage1: by executing one of its entrypoints with a pod dir (the
//! contract in `liftoff_contract` and `stage1/docs/pod-manifest.md`), never by calling its code.
//!
//! Which stage1: `--stage1 PATH`, else `$LIFTOFF_STAGE1`, else `[pods] stage1` in the config file,
//! else the `liftoff-stage1` installed next to this executable. The stage1 runs as root with the
//! pod, so it is trusted like the config: the file and every directory above it must belong to root
//! (or the user running liftoff) and not be writable by others ([`crate::owned`]). A stage1 other
//! than the default is named in a warning, and its `version` must state this contract's version.
//! The one a pod was started with is recorded in the pod dir (`stage1.json`), and `enter`, `stop`,
//! `status` and `gc` use that one later.

use crate::owned::{self, Kind, OwnedError};
use liftoff_contract::{Entrypoint, Stage1Record, VersionInfo, CONTRACT_VERSION, GC_BUSY};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

#[derive(Debug, thiserror::Error)]
pub enum Stage1Error {
    #[error("cannot find the stage1 {0}; install liftoff-stage1 next to liftoff, or choose one with --stage1 PATH")]
    Missing(PathBuf),
    #[error(transparent)]
    Unsafe(#[from] OwnedError),
    #[error("stage1 {path}: cannot start it: {source}")]
    Start {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("stage1 {path} does not implement liftoff's stage1 contract version {CONTRACT_VERSION} ({found}); use a stage1 built for this liftoff")]
    Version { path: PathBuf, found: String },
    #[error(transparent)]
    Record(#[from] liftoff_contract::records::RecordError),
    #[error("the pod's stage1 (recorded in {record}) cannot be used: {source}; reinstall it, or name the stage1 to use for this pod with `liftoff --stage1 PATH …`")]
    Recorded {
        record: PathBuf,
        #[source]
        source: Box<Stage1Error>,
    },
    #[error("{0}")]
    Failed(String),
}

/// A stage1 executable that passed the ownership check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage1 {
    path: PathBuf,
}

/// The stage1 chosen for this process (set once by the CLI from `--stage1` and the config), and
/// whether it was named for this command (`--stage1` or `$LIFTOFF_STAGE1`) rather than configured.
static CHOSEN: OnceLock<(Option<PathBuf>, bool)> = OnceLock::new();

/// Records the `--stage1`/config choice; the first call wins.
pub fn choose(flag: Option<PathBuf>, config: Option<PathBuf>) {
    let named = flag.or_else(|| std::env::var_os("LIFTOFF_STAGE1").map(PathBuf::from));
    let _ = CHOSEN.set(match named {
        Some(p) => (Some(p), true),
        None => (config, false),
    });
}

/// The stage1 named for this command, if one was.
fn named() -> Option<PathBuf> {
    match CHOSEN.get() {
        Some((Some(p), true)) => Some(p.clone()),
        _ => None,
    }
}

/// The stage1 installed next to this executable.
fn default_path() -> Result<PathBuf, Stage1Error> {
    let exe = std::env::current_exe().map_err(|source| Stage1Error::Start {
        path: PathBuf::from("/proc/self/exe"),
        source,
    })?;
    Ok(exe.with_file_name("liftoff-stage1"))
}

impl Stage1 {
    /// The stage1 new pods run with, checked (and for a non-default one, named in a warning and
    /// asked its version) once per command.
    pub fn selected() -> Result<Stage1, Stage1Error> {
        static SELECTED: OnceLock<Stage1> = OnceLock::new();
        if let Some(s) = SELECTED.get() {
            return Ok(s.clone());
        }
        let s = Stage1::select()?;
        Ok(SELECTED.get_or_init(|| s).clone())
    }

    fn select() -> Result<Stage1, Stage1Error> {
        match CHOSEN.get().and_then(|(p, _)| p.clone()) {
            Some(p) => {
                let s = Stage1::checked(&p)?;
                if s.path != default_path()? {
                    liftoff_stage2::warning!(
                        "using stage1 {} instead of the liftoff-stage1 installed with liftoff",
                        s.path.display()
                    );
                    s.check_version()?;
                }
                Ok(s)
            }
            None => Stage1::checked(&default_path()?),
        }
    }

    /// The stage1 a pod was started with (its `stage1.json`), else the selected one.
    pub fn of_pod(pod_dir: &Path) -> Result<Stage1, Stage1Error> {
        match Stage1::recorded(pod_dir)? {
            Some(s) => Ok(s),
            None => Stage1::selected(),
        }
    }

    /// The stage1 that must release what a dead pod left outside its dir: the recorded one; for a
    /// pod made before stage1 was recorded that got as far as starting, the selected one; None for
    /// a pod no stage1 ever ran (prepared, or failed before), which has nothing outside its dir.
    pub fn for_gc(pod_dir: &Path) -> Result<Option<Stage1>, Stage1Error> {
        if let Some(s) = Stage1::recorded(pod_dir)? {
            return Ok(Some(s));
        }
        let ran = [
            liftoff_contract::layout::supervisor_pid_file(pod_dir),
            liftoff_contract::layout::cgroups(pod_dir),
            pod_dir.join(liftoff_contract::layout::NET_RECORD),
        ]
        .iter()
        .any(|p| p.exists());
        if ran {
            Stage1::selected().map(Some)
        } else {
            Ok(None)
        }
    }

    /// The pod's recorded stage1. A stage1 named for this command (`--stage1`) replaces it, with a
    /// warning: the way out for a pod whose stage1 is gone or no longer passes the checks.
    fn recorded(pod_dir: &Path) -> Result<Option<Stage1>, Stage1Error> {
        let record = pod_dir.join(liftoff_contract::layout::STAGE1_RECORD);
        let wrap = |e: Stage1Error| Stage1Error::Recorded {
            record: record.clone(),
            source: Box::new(e),
        };
        if let Some(p) = named() {
            let r = Stage1Record::read(pod_dir).ok().flatten();
            if r.as_ref().is_some_and(|r| r.path != p) {
                liftoff_stage2::warning!(
                    "{}: the pod was started with stage1 {}; using {} as --stage1 asks",
                    pod_dir.display(),
                    r.map(|r| r.path.display().to_string()).unwrap_or_default(),
                    p.display()
                );
            }
            return Stage1::selected().map(Some);
        }
        match Stage1Record::read(pod_dir) {
            Ok(Some(r)) => Stage1::checked(&r.path).map(Some).map_err(wrap),
            Ok(None) => Ok(None),
            Err(e) => Err(wrap(e.into())),
        }
    }

    fn checked(path: &Path) -> Result<Stage1, Stage1Error> {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        match owned::open(&path, "stage1", Kind::File)? {
            Some(_) => Ok(Stage1 { path }),
            None => Err(Stage1Error::Missing(path)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Asks the stage1 which contract it implements.
    fn check_version(&self) -> Result<(), Stage1Error> {
        let out = self
            .command(Entrypoint::Version)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .map_err(|source| Stage1Error::Start {
                path: self.path.clone(),
                source,
            })?;
        let text = String::from_utf8_lossy(&out.stdout);
        match serde_json::from_str::<VersionInfo>(text.trim()) {
            Ok(v) if out.status.success() && v.contract == CONTRACT_VERSION => Ok(()),
            Ok(v) => Err(Stage1Error::Version {
                path: self.path.clone(),
                found: format!("it implements version {}", v.contract),
            }),
            Err(_) => Err(Stage1Error::Version {
                path: self.path.clone(),
                found: "its `version` entrypoint printed no version record".into(),
            }),
        }
    }

    /// Writes the pod's `stage1.json`, before any entrypoint runs on it.
    pub fn record(&self, pod_dir: &Path) -> std::io::Result<()> {
        liftoff_contract::records::write_json(
            &pod_dir.join(liftoff_contract::layout::STAGE1_RECORD),
            &Stage1Record {
                version: CONTRACT_VERSION,
                path: self.path.clone(),
            },
        )
    }

    /// The command line of one entrypoint, without its options and pod dir.
    pub fn command(&self, e: Entrypoint) -> Command {
        let mut c = Command::new(&self.path);
        c.arg(e.verb());
        c
    }

    /// Runs one entrypoint on a pod dir to its end, with its stderr captured (the message of a
    /// failure); returns its exit code.
    fn run_on(
        &self,
        e: Entrypoint,
        options: &[&str],
        pod_dir: &Path,
    ) -> Result<(i32, Vec<u8>), Stage1Error> {
        let out = self
            .command(e)
            .args(options)
            .arg(pod_dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .output()
            .map_err(|source| Stage1Error::Start {
                path: self.path.clone(),
                source,
            })?;
        match out.status.code() {
            Some(c) => Ok((c, out.stderr)),
            None => Err(self.failure(e.verb(), &out.stderr)),
        }
    }

    /// Runs `gc POD_DIR`: Ok(true) when nothing of the pod is left outside its dir, Ok(false) when
    /// something still runs.
    pub fn gc(&self, pod_dir: &Path) -> Result<bool, Stage1Error> {
        match self.run_on(Entrypoint::Gc, &[], pod_dir)? {
            (0, stderr) => {
                forward(&stderr);
                Ok(true)
            }
            (c, _) if c == i32::from(GC_BUSY) => Ok(false),
            (_, stderr) => Err(self.failure("gc", &stderr)),
        }
    }

    /// Runs `stop [--force] POD_DIR`.
    pub fn stop(&self, pod_dir: &Path, force: bool) -> Result<(), Stage1Error> {
        let options: &[&str] = if force { &["--force"] } else { &[] };
        match self.run_on(Entrypoint::Stop, options, pod_dir)? {
            (0, stderr) => {
                forward(&stderr);
                Ok(())
            }
            (_, stderr) => Err(self.failure("stop", &stderr)),
        }
    }

    /// A failed entrypoint's message: what it printed (its own `error:` prefix dropped), or how it
    /// ended.
    fn failure(&self, verb: &str, stderr: &[u8]) -> Stage1Error {
        let text = String::from_utf8_lossy(stderr);
        let said: Vec<&str> = text
            .lines()
            .map(|l| l.strip_prefix("liftoff: error: ").unwrap_or(l).trim())
            .filter(|l| !l.is_empty())
            .collect();
        if said.is_empty() {
            Stage1Error::Failed(format!(
                "stage1 {} {verb} failed without saying why",
                self.path.display()
            ))
        } else {
            Stage1Error::Failed(liftoff_stage2::report::shown(&said.join("; ")).into_owned())
        }
    }
}

/// What a successful entrypoint said on stderr (warnings), passed on as it was written.
fn forward(stderr: &[u8]) {
    if !stderr.is_empty() {
        use std::io::Write;
        let _ = std::io::stderr().write_all(stderr);
    }
}
