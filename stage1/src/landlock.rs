//! Each app of a remapped pod in a Landlock domain of its own.
//!
//! A remapped pod's apps share one user namespace (the one that owns the pod's network namespace,
//! so their network capabilities work), and with the same ids and capabilities the kernel's own
//! ptrace rules would let one app open another's `/proc/PID/root`, `fd/` and `mem`. Landlock
//! forbids a process to ptrace, or read through /proc, any process outside its own domain (or the
//! domains nested in it), so sibling domains keep the apps of one pod apart, as the separate user
//! namespaces of host-id pods do.
//!
//! The ruleset handles only `MAKE_BLOCK` with no rule granting it: creating block devices, which a
//! process outside the host's user namespace can never do anyway. So the domain restricts nothing
//! else an app could do. (A domain that handles filesystem rights also refuses mount calls, which
//! an app outside the host's user namespace cannot make on its mounts either.)
//!
//! Written against the system calls rather than the `landlock` crate: this is one fixed ruleset,
//! two calls, and no compatibility layer is wanted (an old kernel must fail, not silently run the
//! pod unconfined); the crate would bring a proc-macro dependency tree for it.

use std::os::fd::{FromRawFd, OwnedFd};

const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1;
const LANDLOCK_ACCESS_FS_MAKE_BLOCK: u64 = 1 << 11;

#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum LandlockError {
    #[error("this kernel has no Landlock ({0}); remapped pods need it (Linux 5.13 or later, with landlock in the lsm= list) to keep their apps apart: run with --userns=host, or set [userns] fallback = \"host\" in /etc/liftoff/config.toml")]
    Missing(std::io::Error),
    #[error("Landlock: {what}: {source}")]
    Call {
        what: &'static str,
        source: std::io::Error,
    },
}

/// The kernel's Landlock ABI version, or why there is none.
pub fn abi() -> Result<u32, LandlockError> {
    // SAFETY: the version query takes no attribute and returns a number.
    let r = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<RulesetAttr>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    if r < 1 {
        return Err(LandlockError::Missing(std::io::Error::last_os_error()));
    }
    Ok(r as u32)
}

/// Puts the calling process (and what it will run) into a new Landlock domain. It needs
/// CAP_SYS_ADMIN in its user namespace or no_new_privs; apps call it as the pod's root, just after
/// joining the pod's user namespace.
pub fn own_domain() -> Result<(), LandlockError> {
    abi()?;
    let attr = RulesetAttr {
        handled_access_fs: LANDLOCK_ACCESS_FS_MAKE_BLOCK,
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
