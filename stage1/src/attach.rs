//! Attaching the pod to its networks and detaching it again: each network is either liftoff's
//! native one (`native_net`, set up in-process over netlink) or a CNI configuration list (`cni`, its
//! plugins run); this is the one place that dispatches between them, for the supervisor and gc.
//!
//! The state in `net.json` is written before every step that creates something (the namespace pin,
//! each plugin's result as it comes), so that `liftoff gc` can undo even a half-finished attach after
//! a crash; whatever detach cannot undo stays recorded there for gc.

use crate::cni::{self, Attachment, Network, PodNetState};
use crate::manifest::{NetMode, PodManifest};
use crate::native_net::{self, Native, Teardown};
use crate::pod_etc;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Attaching the pod's networks failed (what was attached has been undone, or is recorded for gc).
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error("pod {pod}: recording its networks: {source}")]
    Record { pod: String, source: std::io::Error },
    #[error("pod {pod}: pinning its network namespace in {}: {source}", dir.display())]
    Pin {
        pod: String,
        dir: PathBuf,
        source: std::io::Error,
    },
    /// (Boxed: a CNI error carries the plugin's whole message.)
    #[error("pod {pod}: {source}")]
    Plugin { pod: String, source: Box<NetError> },
    #[error(transparent)]
    Hosts(#[from] pod_etc::EtcError),
}

/// A network's setup or teardown failed, by kind.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error(transparent)]
    Cni(#[from] cni::CniError),
    #[error(transparent)]
    Native(#[from] native_net::NativeError),
}

/// ADD for one network, whichever kind; `progress` gets each partial result to record.
fn add(net: &Network, att: &Attachment, progress: impl FnMut(&Value)) -> Result<Value, NetError> {
    match Native::of(net)? {
        Some(n) => Ok(n.add(att, progress)?),
        None => Ok(cni::add(net, att, progress)?),
    }
}

/// Every network of a pod released, in reverse order; the first error is returned (the caller keeps
/// the record for a later retry). `how` says whether native networks also sweep (gc).
pub fn release_all(s: &PodNetState, how: Teardown) -> Result<(), NetError> {
    let mut first: Option<NetError> = None;
    let mut plugins = s.clone();
    plugins.attachments.retain(|(n, _, _)| n.native.is_none());
    for (net, att, result) in s.attachments.iter().rev() {
        let r = Native::of(net).and_then(|n| match n {
            Some(n) => n.del(att, result.as_ref(), how),
            None => Ok(()),
        });
        if let Err(e) = r {
            first.get_or_insert(e.into());
        }
    }
    if let Err(e) = cni::del_all(&plugins) {
        first.get_or_insert(e.into());
    }
    first.map_or(Ok(()), Err)
}

/// The state before any network is attached: one attachment per network, `eth0`, `eth1`, … in
/// the manifest's order, the published ports on the first.
pub fn plan(m: &PodManifest) -> PodNetState {
    let netns = m.netns_dir.join(&m.pod_id);
    PodNetState {
        version: cni::NET_STATE_VERSION,
        netns: netns.clone(),
        attachments: m
            .networks
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    n.clone(),
                    Attachment {
                        container_id: m.pod_id.clone(),
                        netns: netns.clone(),
                        ifname: format!("eth{i}"),
                        plugin_dirs: m.cni_plugin_dirs.clone(),
                        ports: if i == 0 { m.ports.clone() } else { Vec::new() },
                    },
                    None,
                )
            })
            .collect(),
    }
}

/// Pins the pod's network namespace (`netns`, a /proc path of it) and runs CNI ADD for each
/// network; then writes /etc/hosts with the pod's addresses. None when the pod has no CNI networks.
pub fn attach(
    pod_dir: &Path,
    m: &PodManifest,
    netns: &Path,
) -> Result<Option<PodNetState>, AttachError> {
    if m.net != NetMode::Cni {
        return Ok(None);
    }
    let mut state = plan(m);
    let pod = || m.pod_id.clone();
    // Recorded before the pin exists, so gc finds the pin whenever there is one.
    cni::write_state(pod_dir, &state)
        .map_err(|source| AttachError::Record { pod: pod(), source })?;
    if let Err(source) = crate::net::pin(&m.netns_dir, &m.pod_id, netns) {
        let _ = std::fs::remove_file(pod_dir.join(cni::NET_STATE_FILE));
        return Err(AttachError::Pin {
            pod: pod(),
            dir: m.netns_dir.clone(),
            source,
        });
    }
    for i in 0..state.attachments.len() {
        let (net, att, _) = state.attachments[i].clone();
        // Each plugin's result is recorded as it comes: a DEL after a crash gets the latest one.
        let mut unrecorded = None;
        let added = add(&net, &att, |r| {
            state.attachments[i].2 = Some(r.clone());
            if let Err(e) = cni::write_state(pod_dir, &state) {
                unrecorded.get_or_insert(e);
            }
        });
        let failed = match (added, unrecorded) {
            (Err(e), _) => AttachError::Plugin {
                pod: pod(),
                source: Box::new(e),
            },
            (Ok(_), Some(source)) => AttachError::Record { pod: pod(), source },
            (Ok(_), None) => continue,
        };
        // Undo this network (from its last recorded result) and the earlier ones; what cannot be
        // undone now stays recorded in net.json for gc.
        state.attachments.truncate(i + 1);
        let _ = cni::write_state(pod_dir, &state);
        detach(pod_dir, &state);
        return Err(failed);
    }
    let ips: Vec<String> = state
        .attachments
        .iter()
        .filter_map(|(_, _, r)| r.as_ref())
        .flat_map(cni::ips)
        .collect();
    pod_etc::write_file(pod_dir, m, "hosts", &pod_etc::hosts_file(m, &ips))?;
    Ok(Some(state))
}

/// Every network released, then the namespace pin; what fails is left recorded for `liftoff gc`.
pub fn detach(pod_dir: &Path, s: &PodNetState) {
    match release_all(s, Teardown::Recorded) {
        Ok(()) => {
            if let Err(e) = crate::net::unpin(&s.netns) {
                liftoff_stage2::warning!(
                    "removing {}: {e} (`liftoff gc` retries)",
                    s.netns.display()
                );
                return;
            }
            let _ = std::fs::remove_file(pod_dir.join(cni::NET_STATE_FILE));
        }
        Err(e) => liftoff_stage2::warning!("{e} (`liftoff gc` retries)"),
    }
}
