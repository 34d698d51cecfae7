//! Each app of a remapped pod in a Landlock domain of its own.
//!
//! A remapped pod's apps share one user namespace (the one that owns the pod's network namespace,
//! so their network capabilities work), and with the same ids and capabilities the kernel's own
//! ptrace rules would let one app open another's `/proc/PID/root`, `fd/` and `mem`. Landlock
//! forbids a process to ptrace, or read through /proc, any process outside its own domain (or the
//! domains nested in it), so sibling domains keep the apps of one pod apart, as the separate user
//! namespaces of host-id pods do.
//!
//! The ruleset handles `MAKE_BLOCK`, granted nowhere: creating block devices, which a process
//! outside the host's user namespace can never do anyway. It also handles `REFER` (a domain that
//! handles any filesystem right refuses to move or link a file into another directory unless
//! `REFER` is granted), granted below `/`, so renames and links work as before. What the domain
//! does take away: mount(2), pivot_root and move_mount in mount namespaces the app would make
//! itself (nested containers); on its own mounts the app has no such right anyway.
//!
//! Written against the system calls rather than the `landlock` crate: this is one fixed ruleset,
//! two calls, and no compatibility layer is wanted (an old kernel must fail, not silently run the
//! pod unconfined); the crate would bring a proc-macro dependency tree for it.

use std::os::fd::{FromRawFd, OwnedFd};

const LANDLOCK_ACCESS_FS_MAKE_BLOCK: u64 = 1 << 11;
/// ABI 2 (Linux 5.19).
const LANDLOCK_ACCESS_FS_REFER: u64 = 1 << 13;
const LANDLOCK_RULE_PATH_BENEATH: u32 = 1;

#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
}

/// The kernel's `struct landlock_path_beneath_attr` (packed).
#[repr(C, packed)]
struct PathBeneathAttr {
    allowed_access: u64,
    parent_fd: i32,
}

#[derive(Debug, thiserror::Error)]
pub enum LandlockError {
    #[error("this kernel has no Landlock ({0}); remapped pods need it (Linux 5.19 or later, with landlock in the lsm= list) to keep their apps apart: run with --userns=host, or set [userns] fallback = \"host\" in /etc/liftoff/config.toml")]
    Missing(std::io::Error),
    #[error("Landlock: {what}: {source}")]
    Call {
        what: &'static str,
        source: std::io::Error,
    },
}

/// The kernel's Landlock ABI version, or why there is none.
pub fn abi() -> Result<u32, LandlockError> {
    use liftoff_common::kernel::{landlock_abi, LANDLOCK_MIN_ABI};
    let v = landlock_abi().map_err(LandlockError::Missing)?;
    if v < LANDLOCK_MIN_ABI {
        return Err(LandlockError::Missing(std::io::Error::other(format!(
            "Landlock ABI {v}, {LANDLOCK_MIN_ABI} or later is needed"
        ))));
    }
    Ok(v)
}

/// Puts the calling process (and what it will run) into a new Landlock domain. It needs
/// CAP_SYS_ADMIN in its user namespace or no_new_privs; apps call it as the pod's root, just after
/// joining the pod's user namespace, with `/` already their own root.
pub fn own_domain() -> Result<(), LandlockError> {
    abi()?;
    let attr = RulesetAttr {
        handled_access_fs: LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_REFER,
    };
    // SAFETY: the kernel reads `attr` of the size given and returns a new fd.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            &attr as *const RulesetAttr,
            std::mem::size_of::<RulesetAttr>(),
            0u32,
        )
    };
    if fd < 0 {
        return Err(LandlockError::Call {
            what: "create a ruleset",
            source: std::io::Error::last_os_error(),
        });
    }
    // SAFETY: the fd was just returned to us.
    let ruleset = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    let root = std::fs::File::open("/").map_err(|source| LandlockError::Call {
        what: "open / for the rule",
        source,
    })?;
    let rule = PathBeneathAttr {
        allowed_access: LANDLOCK_ACCESS_FS_REFER,
        parent_fd: std::os::fd::AsRawFd::as_raw_fd(&root),
    };
    // SAFETY: the kernel reads `rule` (a path-beneath rule) and the two fds.
    let r = unsafe {
        libc::syscall(
            libc::SYS_landlock_add_rule,
            std::os::fd::AsRawFd::as_raw_fd(&ruleset),
            LANDLOCK_RULE_PATH_BENEATH,
            &rule as *const PathBeneathAttr,
            0u32,
        )
    };
    if r != 0 {
        return Err(LandlockError::Call {
            what: "allow moving files between directories",
            source: std::io::Error::last_os_error(),
        });
    }
    drop(root);
    // SAFETY: restrict_self takes the ruleset fd and flags.
    let r = unsafe {
        libc::syscall(
            libc::SYS_landlock_restrict_self,
            std::os::fd::AsRawFd::as_raw_fd(&ruleset),
            0u32,
        )
    };
    if r != 0 {
        return Err(LandlockError::Call {
            what: "enter the app's domain",
            source: std::io::Error::last_os_error(),
        });
    }
    Ok(())
}
