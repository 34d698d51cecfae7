//! The pod's named empty volumes under `<pod>/volumes/`, created before any app starts so that each
//! app's bind mount finds its source with the owner and mode the manifest gives (through the id
//! map, in a remapped pod).

use crate::manifest::PodManifest;
use std::path::{Path, PathBuf};

/// A volume directory could not be created or given its owner and mode.
#[derive(Debug, thiserror::Error)]
#[error("volume {name}: creating {}: {source}", path.display())]
pub struct VolumeError {
    pub name: String,
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Creates the pod's named empty volumes with their owner and mode.
pub fn create(pod_dir: &Path, m: &PodManifest) -> Result<(), VolumeError> {
    for v in &m.volumes {
        let d = pod_dir.join("volumes").join(&v.name);
        // In a remapped pod the owner is given in pod ids.
        let (uid, gid) = match &m.userns {
            Some(ids) => (ids.host_uid(v.uid), ids.host_gid(v.gid)),
            None => (Some(v.uid), Some(v.gid)),
        };
        std::fs::create_dir_all(&d)
            .and_then(|_| {
                let (Some(uid), Some(gid)) = (uid, gid) else {
                    return Err(std::io::Error::other(format!(
                        "uid {} / gid {} is not one of the pod's ids",
                        v.uid, v.gid
                    )));
                };
                std::os::unix::fs::chown(&d, Some(uid), Some(gid))?;
                std::fs::set_permissions(
                    &d,
                    std::os::unix::fs::PermissionsExt::from_mode(v.mode & 0o7777),
                )
            })
            .map_err(|source| VolumeError {
                name: v.name.clone(),
                path: d.clone(),
                source,
            })?;
    }
    Ok(())
}
