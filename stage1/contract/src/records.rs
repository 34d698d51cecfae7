//! The exit records stage1 leaves in the pod dir for `liftoff status` and friends: per-app
//! (`apps/<name>/exit.json`) and the pod's own (`exit.json`), each written to a temp file and
//! renamed. Both are strict: a field this liftoff does not know is an error, never ignored.

use crate::layout;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How one app ended, or why it never started.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AppExit {
    pub app: String,
    /// Exit code, or 128+signal when killed by a signal (as shells report it).
    pub exit_code: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    /// Set when liftoff failed to start the app (then exit_code is 254).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The kernel's OOM killer hit the app's cgroup (its --memory limit).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub oom_killed: bool,
    /// Unix seconds.
    pub finished_at: i64,
    /// Which start of the app this exit ends (1 = the first; 0 in records from before runs were
    /// counted). Matches [`AppRun::run`] of the same run.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub run: u32,
    /// Restarts by the app's restart policy before this exit.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub restarts: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// `apps/<name>/run.json`: the app's latest start, written by init once it has reached execve.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AppRun {
    pub app: String,
    /// 1 for the first start, counting every start since.
    pub run: u32,
    /// Restarts by the app's restart policy so far.
    pub restarts: u32,
    /// The app's pid in the pod's pid namespace.
    pub pid: i32,
    /// Unix seconds.
    pub started_at: i64,
}

/// Where an app of a pod is, as its records say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppState {
    /// In the manifest, never started.
    Created,
    Running,
    Exited,
}

impl AppState {
    pub fn as_str(self) -> &'static str {
        match self {
            AppState::Created => "created",
            AppState::Running => "running",
            AppState::Exited => "exited",
        }
    }
}

/// An app's records read together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRecords {
    pub state: AppState,
    pub run: Option<AppRun>,
    pub exit: Option<AppExit>,
}

/// The state of app `app` from its records; `pod_running`: whether the pod is (an app of a pod
/// that is gone has exited, whatever its records say).
pub fn app_records(
    pod_dir: &Path,
    app: &str,
    pod_running: bool,
) -> Result<AppRecords, RecordError> {
    let run: Option<AppRun> = read_json(&layout::app_run(pod_dir, app))?;
    let exit = read_app_exit(pod_dir, app)?;
    let state = match (&run, &exit) {
        (None, None) if pod_running => AppState::Created,
        // An app that failed to start has an exit record and no run.
        (None, _) => AppState::Exited,
        (Some(r), Some(e)) if e.run >= r.run => AppState::Exited,
        (Some(_), _) if pod_running => AppState::Running,
        (Some(_), _) => AppState::Exited,
    };
    Ok(AppRecords { state, run, exit })
}

/// How the pod ended.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PodExit {
    pub exit_code: i32,
    /// Which app's code this is (the first that failed, else the last to exit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub finished_at: i64,
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Writes `value` as JSON to `path` atomically (the one atomic write, in its pod-dir form: no
/// fsync, for records whose meaning ends with the boot).
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    liftoff_common::atomic::replace(path, &serde_json::to_vec_pretty(value)?)
        .map_err(|e| std::io::Error::new(e.source.kind(), e.to_string()))
}

/// The same, durable (fsynced with its directory): for records that must outlive a power cut.
pub fn write_json_durable<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    liftoff_common::atomic::write(path, &serde_json::to_vec_pretty(value)?)
        .map_err(|e| std::io::Error::new(e.source.kind(), e.to_string()))
}

/// A record in the pod dir that is there but cannot be read as this liftoff writes it.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is damaged or from another version ({reason}); remove the pod (`liftoff rm`) once nothing else needs it")]
    Invalid { path: PathBuf, reason: String },
}

/// Reads a JSON record: Ok(None) when it does not exist, an error when it exists but does not parse.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, RecordError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(RecordError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| RecordError::Invalid {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}

/// One app's exit record, if it has one yet.
pub fn read_app_exit(pod_dir: &Path, app: &str) -> Result<Option<AppExit>, RecordError> {
    read_json(&layout::app_exit(pod_dir, app))
}

/// The pod's exit record, if it has one yet.
pub fn read_pod_exit(pod_dir: &Path) -> Result<Option<PodExit>, RecordError> {
    read_json(&layout::pod_exit(pod_dir))
}

/// The pod's cgroup dirs (one per hierarchy), as stage1 recorded them in `cgroups.json`; an empty
/// list when there is no record (a pod without cgroups, or one that never got that far).
pub fn read_cgroups(pod_dir: &Path) -> Result<Vec<PathBuf>, RecordError> {
    Ok(read_json(&layout::cgroups(pod_dir))?.unwrap_or_default())
}
