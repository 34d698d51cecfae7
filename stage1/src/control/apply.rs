//! The supervisor's own half of adding and removing an app: checking the app against the pod,
//! making and removing what it has outside init (dirs, cgroup, log, output relays) and rewriting
//! `pod.json` — the only writer of a running pod's manifest.

use crate::cgroups::PodCgroup;
use crate::launch::{self, LaunchError};
use crate::manifest::{PodApp, PodManifest};
use crate::relay::{Echo, Relay};
use liftoff_contract::control::RefusalKind;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

/// Why the supervisor did not add or remove an app.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{0}")]
    Refused(String),
    #[error("the pod has no app {0} (`liftoff app list POD` shows its apps)")]
    NotFound(String),
    #[error("the pod already has an app {0}; give the new one another --name")]
    Exists(String),
    #[error(transparent)]
    Launch(#[from] LaunchError),
    #[error("writing {}: {source}", path.display())]
    Manifest {
        path: PathBuf,
        source: liftoff_common::atomic::WriteError,
    },
}

impl ApplyError {
    pub fn kind(&self) -> RefusalKind {
        match self {
            ApplyError::Refused(_) => RefusalKind::Invalid,
            ApplyError::NotFound(_) => RefusalKind::NotFound,
            ApplyError::Exists(_) => RefusalKind::Exists,
            ApplyError::Launch(_) | ApplyError::Manifest { .. } => RefusalKind::Failed,
        }
    }
}

/// What an added app has from the supervisor: its stdio for init, and its output relays.
pub struct Added {
    pub stdio: [OwnedFd; 3],
    pub relays: [Relay; 2],
    pub cgroup: Vec<PathBuf>,
}

/// The manifest with `app` added as the next generation, checked as stage1 checks any manifest.
pub fn with_app(
    pod_dir: &Path,
    m: &PodManifest,
    mut app: PodApp,
) -> Result<PodManifest, ApplyError> {
    let name = app.spec.name.clone();
    if m.apps.iter().any(|a| a.spec.name == name) {
        return Err(ApplyError::Exists(name));
    }
    if m.tty {
        return Err(ApplyError::Refused(
            "a pod with -t has exactly one app; run the new app in a pod of its own".into(),
        ));
    }
    if !app.after.is_empty() {
        return Err(ApplyError::Refused(format!(
            "app {name}: an added app starts when asked (`liftoff app start`), not after others"
        )));
    }
    // The layers must be this store's: a pod dir is <root>/pods/run/<uuid>.
    let layers = pod_dir.ancestors().nth(3).map(|r| r.join("layers"));
    if let Some(bad) = app
        .layers
        .iter()
        .find(|l| layers.as_ref().is_none_or(|d| !l.starts_with(d)))
    {
        return Err(ApplyError::Refused(format!(
            "app {name}: layer {} is not in this pod's store",
            bad.display()
        )));
    }
    let mut next = m.clone();
    next.generation += 1;
    app.generation = next.generation;
    next.apps.push(app);
    next.validate()
        .map_err(|e| ApplyError::Refused(e.to_string()))?;
    Ok(next)
}

/// The manifest without app `name`, as the next generation.
pub fn without_app(m: &PodManifest, name: &str) -> Result<PodManifest, ApplyError> {
    let mut next = m.clone();
    let before = next.apps.len();
    next.apps.retain(|a| a.spec.name != name);
    if next.apps.len() == before {
        return Err(ApplyError::NotFound(name.to_string()));
    }
    if next.exit_code_from.as_deref() == Some(name)
        || next.sockets.as_ref().is_some_and(|s| s.app == name)
        || matches!(&next.notify, Some(crate::manifest::NotifyMode::App(n)) if n == name)
    {
        return Err(ApplyError::Refused(format!(
            "app {name} has a role in the pod (--exit-code-from, --notify=app: or its sockets) and stays"
        )));
    }
    if next.apps.is_empty() && !next.sandbox {
        return Err(ApplyError::Refused(format!(
            "app {name} is the pod's last; stop the pod instead (`liftoff stop`)"
        )));
    }
    next.generation += 1;
    Ok(next)
}

/// Rewrites `pod.json` (a temp file and rename: readers see the old or the new one).
pub fn write_manifest(pod_dir: &Path, m: &PodManifest) -> Result<(), ApplyError> {
    let path = pod_dir.join(crate::manifest::POD_MANIFEST_FILE);
    let bytes = serde_json::to_vec_pretty(m).map_err(|e| ApplyError::Refused(e.to_string()))?;
    liftoff_common::atomic::replace(&path, &bytes)
        .map_err(|source| ApplyError::Manifest { path, source })
}

/// Makes app `app`'s dirs, cgroup, log and output pipes; undone (by [`remove_resources`]) if
/// anything fails.
pub fn prepare(
    pod_dir: &Path,
    m: &PodManifest,
    app: &PodApp,
    pod_cg: &PodCgroup,
) -> Result<Added, ApplyError> {
    let name = &app.spec.name;
    let made = (|| {
        let (_dirs, cg, log) = launch::app_resources(pod_dir, m, app, pod_cg, launch::log_max(m))?;
        // Echoed, prefixed, to a pod's terminal in the foreground; only logged when detached.
        let echo = Echo::for_pod(m.detached, m.prefix_output, 2);
        let (out, err, relays) = launch::output(m, name, log, echo)?;
        let null = crate::init::dev_null().map_err(LaunchError::DevNull)?;
        Ok::<_, LaunchError>(Added {
            stdio: [null, out, err],
            relays,
            cgroup: cg.dirs().to_vec(),
        })
    })();
    made.map_err(|e| {
        remove_resources(pod_dir, pod_cg, name);
        ApplyError::from(e)
    })
}

/// Removes what app `name` has in the pod dir (root, upper and work dirs, records, logs) and its
/// cgroup; what cannot be removed is left for `liftoff gc` with a warning.
pub fn remove_resources(pod_dir: &Path, pod_cg: &PodCgroup, name: &str) {
    if let Err(e) = pod_cg.app(name).remove() {
        liftoff_stage2::warning!("app {name}: removing its cgroup: {e} (`liftoff gc` retries)");
    }
    let dir = pod_dir.join("apps").join(name);
    let logs = [
        crate::logs::path(pod_dir, name),
        crate::logs::rotated_path(pod_dir, name),
    ];
    for p in logs {
        let _ = std::fs::remove_file(p);
    }
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => liftoff_stage2::warning!(
            "app {name}: removing {}: {e} (`liftoff gc` removes it with the pod)",
            dir.display()
        ),
        _ => {}
    }
}
