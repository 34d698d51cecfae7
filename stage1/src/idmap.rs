//! Idmapped mounts (mount_setattr(2) with `MOUNT_ATTR_IDMAP`): a detached copy of a directory
//! whose owners are seen through a user namespace's map. Remapped pods use them so that image
//! layers, which belong to host root on disk and are shared by every pod, show as owned by the
//! pod's root without a byte of them being copied or chowned, and for host binds asked for with
//! `:idmap`.
//!
//! rustix and nix wrap `open_tree` and `move_mount` but not `mount_setattr`, so that one call is
//! made here through libc (its struct and constants come from libc too).

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

/// Why an idmapped mount could not be made; the message says what to do instead.
#[derive(Debug, thiserror::Error)]
pub enum IdmapError {
    #[error("{what}: open_tree: {source}")]
    Clone {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what}: this kernel or filesystem cannot make idmapped mounts ({source}); remapped pods need Linux 5.19 or later with the state root on ext4, xfs, btrfs or tmpfs: run with --userns=host, or set [userns] fallback = \"host\" in /etc/liftoff/config.toml")]
    Unsupported {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what}: mount_setattr: {source}")]
    SetAttr {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what}: move_mount: {source}")]
    Move {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

/// Extra attributes for [`clone_mapped`] beyond the id map.
#[derive(Clone, Copy, Default)]
pub struct Attrs {
    pub read_only: bool,
    /// nosuid and nodev (every bind a pod gets has both).
    pub nosuid_nodev: bool,
}

/// A detached, idmapped copy of the mount at `dir` (an fd on the directory or file itself, e.g.
/// O_PATH), not recursive. `what` names it in errors.
pub fn clone_mapped(
    dir: BorrowedFd<'_>,
    userns: BorrowedFd<'_>,
    attrs: Attrs,
    what: &str,
) -> Result<OwnedFd, IdmapError> {
    let tree = rustix::mount::open_tree(
        dir,
        "",
        rustix::mount::OpenTreeFlags::OPEN_TREE_CLONE
            | rustix::mount::OpenTreeFlags::OPEN_TREE_CLOEXEC
            | rustix::mount::OpenTreeFlags::AT_EMPTY_PATH,
    )
    .map_err(|e| IdmapError::Clone {
        what: what.to_string(),
        source: e.into(),
    })?;
    let mut set = libc::MOUNT_ATTR_IDMAP;
    if attrs.read_only {
        set |= libc::MOUNT_ATTR_RDONLY;
    }
    if attrs.nosuid_nodev {
        set |= libc::MOUNT_ATTR_NOSUID | libc::MOUNT_ATTR_NODEV;
    }
    let attr = libc::mount_attr {
        attr_set: set,
        attr_clr: 0,
        propagation: 0,
        userns_fd: userns.as_raw_fd() as u64,
    };
    // SAFETY: mount_setattr reads `attr` (of the size given) and changes only the detached mount.
    let r = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            tree.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH,
            &attr as *const libc::mount_attr,
            std::mem::size_of::<libc::mount_attr>(),
        )
    };
    if r != 0 {
        let source = std::io::Error::last_os_error();
        let what = what.to_string();
        // EINVAL: the filesystem does not allow idmapping (or the kernel knows no such
        // attribute); ENOSYS: the kernel has no mount_setattr at all.
        return Err(match source.raw_os_error() {
            Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => {
                IdmapError::Unsupported { what, source }
            }
            _ => IdmapError::SetAttr { what, source },
        });
    }
    Ok(tree)
}

/// Attaches a detached mount over `target` (an O_PATH fd on the mount point).
pub fn attach(tree: OwnedFd, target: BorrowedFd<'_>, what: &str) -> Result<(), IdmapError> {
    rustix::mount::move_mount(
        tree.as_fd(),
        "",
        target,
        "",
        rustix::mount::MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH
            | rustix::mount::MoveMountFlags::MOVE_MOUNT_T_EMPTY_PATH,
    )
    .map_err(|e| IdmapError::Move {
        what: what.to_string(),
        source: e.into(),
    })
}
