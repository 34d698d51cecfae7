//! `--disk-limit` / `[pods] disk_limit`: what a pod may write to disk (its apps' upper dirs, its
//! named volumes and its logs), enforced by putting all three on a filesystem of that size.
//!
//! Project quotas would be the lighter tool, but they need a kernel built with CONFIG_QUOTA and a
//! state root mounted with prjquota, which many hosts (this project's CI among them) do not have. A
//! sparse file in the pod dir, formatted ext4 and loop-mounted, works everywhere and is exact: the
//! apps get ENOSPC at the limit and the host's filesystem never fills past it. It costs about
//! 150 ms at pod creation (mkfs and mount), so it is opt-in.
//!
//! Layout: `disk.img` (the sparse file) mounted at `disk/`, whose `apps/`, `volumes/` and `logs/`
//! are bound onto the pod dir's own. Everything is mounted below the pod dir on the host, so the
//! sweep of `gc` and `rm` (which detaches every mount below a pod dir) takes it down, and the loop
//! device goes with the last unmount (util-linux's autoclear).

use std::path::Path;
use std::process::{Command, Stdio};

/// Smallest limit accepted: ext4 needs room for its own metadata.
pub const MIN_DISK_LIMIT: u64 = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum DiskError {
    #[error("--disk-limit: {0}")]
    Invalid(String),
    #[error("--disk-limit: {what} failed: {detail}; the pod's disk cannot be limited on this host (needs mkfs.ext4 from e2fsprogs and loop devices)")]
    Setup { what: String, detail: String },
}

fn run(what: &str, cmd: &mut Command) -> Result<(), DiskError> {
    let o = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| DiskError::Setup {
            what: what.to_string(),
            detail: e.to_string(),
        })?;
    if !o.status.success() {
        return Err(DiskError::Setup {
            what: what.to_string(),
            detail: String::from_utf8_lossy(&o.stderr).trim().to_string(),
        });
    }
    Ok(())
}

/// Gives the pod in `pod_dir` a disk of `limit` bytes for its upper dirs, volumes and logs.
/// On failure whatever was mounted is detached again before the error is returned.
pub fn attach(pod_dir: &Path, limit: u64) -> Result<(), DiskError> {
    if limit < MIN_DISK_LIMIT {
        return Err(DiskError::Invalid(format!(
            "{} KiB is too small; give at least {} MiB",
            limit >> 10,
            MIN_DISK_LIMIT >> 20
        )));
    }
    let img = pod_dir.join("disk.img");
    let mnt = pod_dir.join("disk");
    let setup = |what: &str, e: std::io::Error| DiskError::Setup {
        what: what.to_string(),
        detail: e.to_string(),
    };
    let f = std::fs::File::create(&img).map_err(|e| setup("creating disk.img", e))?;
    f.set_len(limit).map_err(|e| setup("sizing disk.img", e))?;
    drop(f);
    // No journal (the pod's data lives and dies with the pod), no reserved blocks (the limit is
    // the pod's to use), root-owned root.
    run(
        "mkfs.ext4",
        Command::new("mkfs.ext4")
            .args(["-q", "-F", "-m", "0", "-O", "^has_journal"])
            .args(["-E", "root_owner=0:0,nodiscard"])
            .arg(&img),
    )?;
    std::fs::create_dir(&mnt).map_err(|e| setup("creating disk/", e))?;
    run(
        "mounting disk.img",
        Command::new("mount")
            .args(["-t", "ext4", "-o", "loop,nodev,noatime"])
            .arg(&img)
            .arg(&mnt),
    )?;
    let bound = (|| {
        for d in ["apps", "volumes", "logs"] {
            let (inner, outer) = (mnt.join(d), pod_dir.join(d));
            std::fs::create_dir_all(&inner).map_err(|e| setup("creating the disk's dirs", e))?;
            std::fs::create_dir_all(&outer).map_err(|e| setup("creating the pod's dirs", e))?;
            rustix::mount::mount_bind(&inner, &outer).map_err(|e| DiskError::Setup {
                what: format!("binding disk/{d}"),
                detail: e.to_string(),
            })?;
        }
        Ok(())
    })();
    if bound.is_err() {
        detach(pod_dir);
    }
    bound
}

/// Detaches the pod's disk mounts (binds first, then the disk); what is not mounted is skipped.
/// For undoing a failed attach, and for gc and rm before they remove the pod dir (the stage1's own
/// `gc` never has to know about stage0's disk).
pub fn detach(pod_dir: &Path) {
    for d in ["apps", "volumes", "logs", "disk"] {
        let _ = rustix::mount::unmount(pod_dir.join(d), rustix::mount::UnmountFlags::DETACH);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_limits_are_refused_before_anything_is_made() {
        let t = tempfile::tempdir().unwrap();
        let e = attach(t.path(), 1 << 20).unwrap_err().to_string();
        assert!(e.contains("at least 16 MiB"), "{e}");
        assert!(!t.path().join("disk.img").exists());
    }
}
