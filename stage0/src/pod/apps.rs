//! Each app of a pod as its records show it, for `liftoff list`, `status` and `app list`: its
//! state (`records::app_records`: created, running, exited), image, exit code, restart count and
//! times. Read from the pod dir only, never from the supervisor, so it works for exited pods and
//! while the supervisor is busy.
//!
//! The image's name is the one recorded with the app in `pod.json`; for pods whose stage0 did not
//! record it per app, the pod's `images` file (one line per app of the pod as it was run).

use liftoff_contract::records::{self, AppExit, AppRun, AppState};
use liftoff_contract::{layout, PodApp, PodManifest};
use serde::Serialize;
use std::path::Path;

/// One app, as read now.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AppView {
    pub name: String,
    /// The image's name as stored, when it is known; else the digest of its first layer.
    pub image: Option<String>,
    pub state: AppState,
    /// Started, and its `ready` probe has passed if it has one.
    pub ready: bool,
    /// How the latest run ended (exited apps only).
    pub exit_code: Option<i32>,
    /// Restarts by its restart policy.
    pub restarts: u32,
    /// Unix seconds of the latest start.
    pub started: Option<i64>,
    /// Unix seconds the latest run ended (exited apps only).
    pub finished: Option<i64>,
    /// Added through the control socket, or an app of a sandbox: it starts when asked (an app
    /// of the pod as it was run that is still `created` waits for its turn).
    #[serde(skip)]
    pub added_or_sandbox: bool,
    #[serde(skip)]
    pub run: Option<AppRun>,
    #[serde(skip)]
    pub exit: Option<AppExit>,
}

/// The image an app runs, for display: the name recorded with the app, else the pod's `images`
/// line for it (pods whose manifest never changed), else its first layer's digest.
pub fn image_shown(
    app: &PodApp,
    index: usize,
    m: &PodManifest,
    images: &[String],
) -> Option<String> {
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

/// Every app of the pod; `running` says whether the pod itself runs (an app of a pod that has
/// ended has exited, or never started). A record that cannot be read is said, and the app shown
/// as far as the others tell.
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
    let r = records::app_records(pod_dir, name, running).unwrap_or_else(|e| {
        liftoff_stage2::warning!("{e}");
        records::AppRecords {
            state: if running {
                AppState::Running
            } else {
                AppState::Exited
            },
            run: None,
            exit: None,
        }
    });
    let exit = r.exit.filter(|_| r.state == AppState::Exited);
    AppView {
        name: name.clone(),
        image: image_shown(a, index, m, images),
        state: r.state,
        ready: r.state == AppState::Running && layout::app_ready(pod_dir, name).exists(),
        exit_code: exit.as_ref().map(|e| e.exit_code),
        restarts: match (&r.run, &exit) {
            (_, Some(e)) if e.restarts > 0 => e.restarts,
            (Some(run), _) => run.restarts,
            _ => 0,
        },
        started: r.run.as_ref().map(|x| x.started_at),
        finished: exit.as_ref().map(|e| e.finished_at),
        added_or_sandbox: a.generation > 0 || m.sandbox,
        run: r.run,
        exit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liftoff_contract::manifest::ImageRef;

    fn exit(code: i32, at: i64, run: u32) -> AppExit {
        AppExit {
            app: "web".into(),
            exit_code: code,
            signal: None,
            error: None,
            oom_killed: false,
            finished_at: at,
            run,
            restarts: 0,
        }
    }

    #[test]
    fn states_from_the_records() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        std::fs::create_dir_all(d.join("apps/web")).unwrap();
        let m = liftoff_contract::testing::manifest(liftoff_contract::NetMode::None);
        let view = |running| views(d, &m, running, &[]).remove(0);
        assert_eq!(view(true).state, AppState::Created);
        assert!(!view(true).added_or_sandbox);
        let run = AppRun {
            app: "web".into(),
            run: 2,
            restarts: 1,
            pid: 7,
            started_at: 100,
        };
        records::write_json(&layout::app_run(d, "web"), &run).unwrap();
        // The exit of run 1 is an earlier run's: running, with its restarts.
        records::write_json(&layout::app_exit(d, "web"), &exit(3, 90, 1)).unwrap();
        let v = view(true);
        assert_eq!(
            (v.state, v.restarts, v.started, v.exit_code),
            (AppState::Running, 1, Some(100), None)
        );
        records::write_json(&layout::app_exit(d, "web"), &exit(3, 150, 2)).unwrap();
        let v = view(true);
        assert_eq!(
            (v.state, v.exit_code, v.finished),
            (AppState::Exited, Some(3), Some(150))
        );
        // Once the pod has ended, a started app has exited whatever its records say.
        std::fs::remove_file(layout::app_exit(d, "web")).unwrap();
        assert_eq!(view(false).state, AppState::Exited);
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
