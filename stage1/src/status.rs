//! What a pod leaves behind for `liftoff status` and friends: per-app exit records
//! (`apps/<name>/exit.json`) and the pod's own (`exit.json`), each written to a temp file and renamed.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// How one app ended, or why it never started.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
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
}

/// How the pod ended.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
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

/// Writes `value` as JSON to `path` atomically.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(value)?)?;
    std::fs::rename(&tmp, path)
}

pub fn app_exit_path(pod_dir: &Path, app: &str) -> std::path::PathBuf {
    pod_dir.join("apps").join(app).join("exit.json")
}

pub fn read_app_exit(pod_dir: &Path, app: &str) -> Option<AppExit> {
    let b = std::fs::read(app_exit_path(pod_dir, app)).ok()?;
    serde_json::from_slice(&b).ok()
}

pub fn pod_exit_path(pod_dir: &Path) -> std::path::PathBuf {
    pod_dir.join("exit.json")
}

/// Turns a wait status into (exit code, signal).
pub fn code_of(status: nix::sys::wait::WaitStatus) -> Option<(i32, Option<i32>)> {
    use nix::sys::wait::WaitStatus as W;
    match status {
        W::Exited(_, c) => Some((c, None)),
        W::Signaled(_, s, _) => Some((128 + s as i32, Some(s as i32))),
        _ => None,
    }
}
