//! Each app of a pod as its records show it, for `liftoff list`, `status` and `app list`: created
//! (never started), starting (waiting for its turn or its probe), running, or exited, with its
//! image, exit code, restart count and times. Read from the pod dir only, never from the
//! supervisor, so it works for exited pods and while the supervisor is busy.
//!
//! The records: `pod.json` (the apps, each with its image; `images` for pods whose stage0 did not
//! record it per app), `apps/<name>/run.json` (the latest start: its run number, restarts, pid,
//! time; read leniently here until the contract crate has a reader for it), `apps/<name>/exit.json`
//! (how a run ended) and `apps/<name>/ready`.

use liftoff_contract::records::{self, AppExit};
use liftoff_contract::{layout, PodApp, PodManifest};
use serde::Serialize;
use std::path::Path;

/// What an app is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppState {
    /// Added, or not started yet: it starts when asked.
    Created,
    /// Waiting for the apps it starts after, or for its probe (an app of the pod as it was run).
    Starting,
    Running,
    Exited,
}

impl AppState {
    pub fn as_str(self) -> &'static str {
        match self {
            AppState::Created => "created",
            AppState::Starting => "starting",
            AppState::Running => "running",
            AppState::Exited => "exited",
        }
    }
}

/// One app, as read now.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AppView {
    pub name: String,
    /// The image's name as stored, when it is known; else the digest of its first layer.
    pub image: Option<String>,
    pub state: AppState,
    /// Its `ready` probe has passed (or it has started, without one).
    pub ready: bool,
    /// How the latest run ended (exited apps only).
    pub exit_code: Option<i32>,
    /// Restarts by its restart policy (from its run record; 0 when there is none).
    pub restarts: u32,
    /// Unix seconds of the latest start.
    pub started: Option<i64>,
    /// Unix seconds the latest run ended (exited apps only).
    pub finished: Option<i64>,
    /// The latest run's number (from its run record).
    #[serde(skip)]
    pub run: Option<u64>,
    /// The latest run's pid (host pid namespace).
    #[serde(skip)]
    pub pid: Option<i32>,
    #[serde(skip)]
    pub exit: Option<AppExit>,
}

/// `apps/<name>/run.json`, the fields this liftoff uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunRecord {
    pub run: Option<u64>,
    pub restarts: u32,
    pub pid: Option<i32>,
    pub started_at: Option<i64>,
}

fn loud<T, E: std::fmt::Display>(r: Result<Option<T>, E>) -> Option<T> {
    r.unwrap_or_else(|e| {
        liftoff_stage2::warning!("{e}");
        None
    })
}

/// The app's latest start, if it has a run record.
pub fn read_run(pod_dir: &Path, app: &str) -> Option<RunRecord> {
    let v: serde_json::Value = loud(records::read_json(&layout::app_run(pod_dir, app)))?;
    let int = |k: &str| v.get(k).and_then(serde_json::Value::as_i64);
    Some(RunRecord {
        run: v.get("run").and_then(serde_json::Value::as_u64),
        restarts: v
            .get("restarts")
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0),
        pid: int("pid").and_then(|p| i32::try_from(p).ok()),
        started_at: int("started_at"),
    })
}

/// The run number an exit record is for, when it names one.
pub fn exit_run(pod_dir: &Path, app: &str) -> Option<u64> {
    let v: serde_json::Value = records::read_json(&layout::app_exit(pod_dir, app))
        .ok()
        .flatten()?;
    v.get("run").and_then(serde_json::Value::as_u64)
}

/// Whether `exit` (with run number `exit_run`) is the end of the run that `run` records: the same
/// run number where both have one, else an exit no earlier than the start.
pub fn ends_run(exit: &AppExit, exit_run: Option<u64>, run: &RunRecord) -> bool {
    match (exit_run, run.run) {
        (Some(e), Some(r)) => e == r,
        _ => run.started_at.is_none_or(|s| exit.finished_at >= s),
    }
}

/// The image an app runs, for display: the name recorded with the app, else the pod's `images`
/// line for it (pods whose manifest never changed), else its first layer's digest.
pub fn image_shown(app: &PodApp, index: usize, m: &PodManifest, images: &[String]) -> Option<String> {
    if let Some(r) = &app.image {
        return Some(r.name.clone());
    }
    if m.generation == 0 && app.generation == 0 {
        if let Some(n) = images.get(index).filter(|n| !n.is_empty()) {
            return Some(n.clone());
        }
    }
    let layer = app.layers.first()?.file_name()?.to_str()?;
    Some(format!("sha256:{layer}"))
}

/// Every app of the pod; `running` says whether the pod itself runs (an app of an exited pod is
/// exited or was never started).
pub fn views(pod_dir: &Path, m: &PodManifest, running: bool, images: &[String]) -> Vec<AppView> {
    m.apps
        .iter()
        .enumerate()
        .map(|(i, a)| view(pod_dir, a, i, m, running, images))
        .collect()
}

fn view(
    pod_dir: &Path,
    a: &PodApp,
    index: usize,
    m: &PodManifest,
    running: bool,
    images: &[String],
) -> AppView {
    let name = &a.spec.name;
    let run = read_run(pod_dir, name);
    let exit = loud(records::read_app_exit(pod_dir, name));
    let ended = match (&exit, &run) {
        (Some(e), Some(r)) => ends_run(e, exit_run(pod_dir, name), r),
        (Some(_), None) => true,
        (None, _) => false,
    };
    let ready = layout::app_ready(pod_dir, name).exists();
    let state = if ended || (!running && (run.is_some() || exit.is_some())) {
        AppState::Exited
    } else if !running {
        AppState::Created
    } else if run.is_some() {
        AppState::Running
    } else if a.generation > 0 || m.sandbox {
        // Apps of a sandbox and added apps start when asked.
        AppState::Created
    } else if ready {
        // A stage1 that writes no run records: ready means started.
        AppState::Running
    } else {
        AppState::Starting
    };
    let exit = exit.filter(|_| state == AppState::Exited);
    AppView {
        name: name.clone(),
        image: image_shown(a, index, m, images),
        state,
        ready: ready && state == AppState::Running,
        exit_code: exit.as_ref().map(|e| e.exit_code),
        restarts: run.map_or(0, |r| r.restarts),
        started: run.and_then(|r| r.started_at),
        finished: exit.as_ref().map(|e| e.finished_at),
        run: run.and_then(|r| r.run),
        pid: run.and_then(|r| r.pid),
        exit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liftoff_contract::manifest::ImageRef;

    fn exit(code: i32, at: i64) -> AppExit {
        AppExit {
            app: "web".into(),
            exit_code: code,
            signal: None,
            error: None,
            oom_killed: false,
            finished_at: at,
        }
    }

    fn write(p: &Path, v: serde_json::Value) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, v.to_string()).unwrap();
    }

    #[test]
    fn states_from_the_records() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        let mut m = liftoff_contract::testing::manifest(liftoff_contract::NetMode::None);
        let state = |m: &PodManifest, running| views(d, m, running, &[])[0].state;
        // No records: an app of the pod as run is starting; an added one is created.
        assert_eq!(state(&m, true), AppState::Starting);
        assert_eq!(state(&m, false), AppState::Created);
        m.generation = 1;
        m.apps[0].generation = 1;
        assert_eq!(state(&m, true), AppState::Created);
        // Started (run 2, one restart): running, until an exit of that run is there.
        write(
            &layout::app_run(d, "web"),
            serde_json::json!({"run": 2, "restarts": 1, "pid": 77, "started_at": 100}),
        );
        let v = &views(d, &m, true, &[])[0];
        assert_eq!((v.state, v.restarts, v.pid, v.started), (AppState::Running, 1, Some(77), Some(100)));
        assert_eq!(v.exit_code, None);
        // The exit of run 1 is an earlier run's.
        let mut e = serde_json::to_value(exit(3, 150)).unwrap();
        e["run"] = 1.into();
        write(&layout::app_exit(d, "web"), e.clone());
        assert!(!ends_run(&exit(3, 150), Some(1), &read_run(d, "web").unwrap()));
        // Without run numbers, an exit before the start is an earlier run's too.
        assert!(!ends_run(&exit(3, 99), None, &read_run(d, "web").unwrap()));
        assert!(ends_run(&exit(3, 100), None, &read_run(d, "web").unwrap()));
        // An exit record of the current contract (no run number), after the start: exited.
        write(&layout::app_exit(d, "web"), serde_json::to_value(exit(3, 150)).unwrap());
        let v = &views(d, &m, true, &[])[0];
        assert_eq!((v.state, v.exit_code, v.finished), (AppState::Exited, Some(3), Some(150)));
        // Once the pod has exited, a started app is exited whatever its records say.
        std::fs::remove_file(layout::app_exit(d, "web")).unwrap();
        assert_eq!(state(&m, false), AppState::Exited);
    }

    #[test]
    fn image_names_from_the_app_then_the_images_file_then_the_layer() {
        let mut m = liftoff_contract::testing::manifest(liftoff_contract::NetMode::None);
        m.apps[0].layers = vec!["/var/lib/liftoff/layers/abc123".into()];
        let images = vec!["example.com/web:1".to_string()];
        assert_eq!(
            image_shown(&m.apps[0], 0, &m, &images).as_deref(),
            Some("example.com/web:1")
        );
        // Once the manifest changed, the images file's lines no longer line up with the apps.
        m.generation = 2;
        assert_eq!(
            image_shown(&m.apps[0], 0, &m, &images).as_deref(),
            Some("sha256:abc123")
        );
        m.apps[0].image = Some(ImageRef {
            name: "example.com/web:2".into(),
            digest: "sha256:def".into(),
        });
        assert_eq!(
            image_shown(&m.apps[0], 0, &m, &images).as_deref(),
            Some("example.com/web:2")
        );
    }
}
