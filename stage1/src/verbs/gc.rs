//! `liftoff-stage1 gc POD_DIR`: tear down what a dead pod left outside its dir — cgroups, CNI
//! networks and their namespace pin, mounts below the dir — so that stage0 can remove the dir.
//!
//! stage0 holds the pod dir's lock while this runs. Exit 0: nothing is left; `GC_BUSY`: a CNI
//! plugin the supervisor started is still finishing its ADD (try later); 254: a step failed, and the
//! pod must be kept (its record is what lets a later gc finish the job).

use super::{Args, VerbError};
use liftoff_contract::GC_BUSY;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a plugin left running by a killed supervisor may take to finish its ADD.
const PLUGIN_WAIT: Duration = Duration::from_secs(5);

pub fn main(a: &Args) -> Result<u8, VerbError> {
    a.only(&[])?;
    let dir = a.pod_dir()?;
    // The pod's id is its dir's name (its pod.json may never have been written).
    let id = dir
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| crate::valid_app_name(n))
        .ok_or_else(|| VerbError::Usage(format!("{}: not a pod dir", dir.display())))?;
    remove_cgroups(dir, id)?;
    if !detach_networks(dir, id)? {
        return Ok(GC_BUSY);
    }
    unmount_below(dir);
    Ok(0)
}

fn remove_cgroups(dir: &Path, id: &str) -> Result<(), VerbError> {
    // No cgroup hierarchy at all: nothing can have been made.
    let Ok(layout) = crate::cgroups::detect() else {
        return Ok(());
    };
    let recorded = liftoff_contract::records::read_cgroups(dir)?;
    crate::cgroups::PodCgroup::remove_recorded(&layout, id, &recorded)
        .and_then(|_| crate::cgroups::PodCgroup::remove_by_id(&layout, id))
        .map_err(VerbError::step(format!(
            "{}: remove cgroups",
            dir.display()
        )))
}

/// CNI DEL from what the supervisor recorded (it died before its own teardown), then the
/// namespace pin. A record that cannot be read keeps the pod: dropping it would leak its lease and
/// rules. Ok(false) while a plugin still runs.
fn detach_networks(dir: &Path, id: &str) -> Result<bool, VerbError> {
    let Some(ns) = crate::cni::read_state(dir)? else {
        return Ok(true);
    };
    // Everything gc releases is found by the pod's uuid: a record naming another pod is damaged,
    // and acting on it could release that pod's lease and ports.
    // A native network's leases live in the store the pod's namespace pin is in
    // (`<root>/netns/<uuid>` and `<root>/net/native/<bridge>`): gc removes lease files there only.
    let root = ns.netns.parent().and_then(Path::parent);
    if let Some((n, _, _)) = ns.attachments.iter().find(|(n, _, _)| {
        n.native.as_ref().is_some_and(|spec| {
            root.is_none_or(|r| spec.lease_dir != r.join("net/native").join(&spec.bridge))
        })
    }) {
        return Err(VerbError::Pod(format!(
            "{}: network {} keeps its leases outside this store; the pod is kept: release its address and ports by hand, then remove the pod dir",
            dir.join(liftoff_contract::layout::NET_RECORD).display(),
            n.name
        )));
    }
    if let Some((_, a, _)) = ns.attachments.iter().find(|(_, a, _)| a.container_id != id) {
        return Err(VerbError::Pod(format!(
            "{}: the network record names pod {} instead of {id}; the pod is kept: release its address and ports by hand, then remove the pod dir",
            dir.join(liftoff_contract::layout::NET_RECORD).display(),
            a.container_id.escape_debug()
        )));
    }
    let plugin_dirs: Vec<PathBuf> = ns
        .attachments
        .iter()
        .flat_map(|(_, a, _)| a.plugin_dirs.clone())
        .collect();
    let start = Instant::now();
    while crate::cni::plugins_running(id, &plugin_dirs) {
        if start.elapsed() > PLUGIN_WAIT {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    crate::attach::release_all(&ns, crate::native_net::Teardown::Sweep).map_err(
        VerbError::step(format!("{}: detach networks", dir.display())),
    )?;
    // Only ever a pin named after this pod.
    if ns.netns.is_absolute() && ns.netns.file_name().is_some_and(|n| n == id) {
        crate::net::unpin(&ns.netns)
            .map_err(VerbError::step(format!("{}: unmount", ns.netns.display())))?;
    }
    let _ = std::fs::remove_file(dir.join(liftoff_contract::layout::NET_RECORD));
    Ok(true)
}

/// Mounts live in the pods' own namespaces; anything below the dir on the host is a leftover
/// (deepest first).
fn unmount_below(dir: &Path) {
    let prefix = format!("{}/", dir.display());
    let Ok(mi) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return;
    };
    let mut points: Vec<&str> = mi
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|m| m.starts_with(&prefix))
        .collect();
    points.sort_by_key(|m| std::cmp::Reverse(m.len()));
    for m in points {
        let _ = nix::mount::umount2(m, nix::mount::MntFlags::MNT_DETACH);
    }
}
