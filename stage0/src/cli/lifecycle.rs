//! What the pod verbs share: naming a pod (uuid prefix, name, or `--uuid-file`), and uuid files.

use anyhow::{bail, Context, Result};
use clap::Args;
use liftoff::pod::state::{self, PodInfo};
use liftoff::pod::Pods;
use std::path::{Path, PathBuf};

/// One pod, named on the command line or by a uuid file.
#[derive(Debug, Args, Clone)]
pub struct PodRef {
    /// Pod uuid (any unique prefix) or the name given at run time
    #[arg(required_unless_present = "uuid_file", value_name = "POD")]
    pub pod: Option<String>,
    /// Read the pod's uuid from FILE (as written by `run --uuid-file-save`)
    #[arg(long, value_name = "FILE", conflicts_with = "pod")]
    pub uuid_file: Option<PathBuf>,
}

impl PodRef {
    pub fn find(&self, pods: &Pods) -> Result<PodInfo> {
        let q = match (&self.pod, &self.uuid_file) {
            (Some(p), _) => p.clone(),
            (None, Some(f)) => read_uuid(f)?,
            (None, None) => bail!("name a pod (uuid, prefix or name) or give --uuid-file"),
        };
        state::find(pods, &q).map_err(anyhow::Error::msg)
    }
}

/// Refuses a pod that is not running, for the verbs that look at a live pod's `what` (stats,
/// processes), pointing at the verbs that show the others.
pub fn require_running(p: &PodInfo, what: &str) -> Result<()> {
    if p.state != liftoff::pod::state::State::Running {
        bail!(
            "pod {} is {}; only running pods have {what} (`liftoff list` shows which run, \
             `liftoff status {}` how it ended)",
            p.id,
            p.state.as_str(),
            p.id
        );
    }
    Ok(())
}

/// A pod's manifest (its `pod.json`), and the index of the app `--app` names, or of its only app.
pub fn pod_app(p: &PodInfo, app: Option<&str>) -> Result<(liftoff_contract::PodManifest, usize)> {
    let m = pod_manifest(p)?;
    let i = match app {
        Some(n) => m
            .apps
            .iter()
            .position(|x| x.spec.name == n)
            .with_context(|| {
                format!(
                    "pod {} has no app {n:?} (its apps: {})",
                    p.id,
                    p.apps.join(", ")
                )
            })?,
        None if m.apps.len() == 1 => 0,
        None if m.apps.is_empty() => bail!(
            "pod {} has no apps (a sandbox gets them with `liftoff app add {} IMAGE --name NAME`)",
            p.id,
            p.id
        ),
        None => bail!(
            "pod {} has several apps; choose one with --app ({})",
            p.id,
            p.apps.join(", ")
        ),
    };
    Ok((m, i))
}

/// A pod's manifest (its `pod.json`), as it is now.
pub fn pod_manifest(p: &PodInfo) -> Result<liftoff_contract::PodManifest> {
    let mpath = p.dir.join(liftoff_contract::POD_MANIFEST_FILE);
    Ok(liftoff_contract::PodManifest::from_slice(
        &std::fs::read(&mpath).with_context(|| format!("pod {}: {}", p.id, mpath.display()))?,
    )?)
}

/// Several pods, for the verbs that take many.
#[derive(Debug, Args, Clone)]
pub struct PodRefs {
    /// Pod uuids (any unique prefix) or names
    #[arg(required_unless_present = "uuid_file", value_name = "POD")]
    pub pods: Vec<String>,
    /// Read a pod's uuid from FILE (as written by `run --uuid-file-save`)
    #[arg(long, value_name = "FILE")]
    pub uuid_file: Option<PathBuf>,
}

impl PodRefs {
    pub fn queries(&self) -> Result<Vec<String>> {
        let mut q = self.pods.clone();
        if let Some(f) = &self.uuid_file {
            q.push(read_uuid(f)?);
        }
        Ok(q)
    }
}

pub fn read_uuid(f: &Path) -> Result<String> {
    let s = std::fs::read_to_string(f).with_context(|| format!("--uuid-file {}", f.display()))?;
    let s = s.trim();
    if s.is_empty() {
        bail!("--uuid-file {}: the file is empty", f.display());
    }
    Ok(s.to_string())
}

/// Writes the uuid atomically, so a reader never sees half of it.
pub fn save_uuid(f: &Path, id: &str) -> Result<()> {
    liftoff_common::atomic::write(f, format!("{id}\n").as_bytes())
        .with_context(|| format!("--uuid-file-save {}", f.display()))
}

/// Parses a duration flag where a bare flag means "no limit".
pub fn wait_limit(flag: &str, v: &str) -> Result<Option<std::time::Duration>> {
    if v == "forever" {
        return Ok(None);
    }
    liftoff_common::units::parse_duration(v)
        .map(Some)
        .with_context(|| format!("{flag}={v}: use e.g. 30s, 5m"))
}
