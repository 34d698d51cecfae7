//! A remapped pod's user namespace (docs/isolation.md, User namespaces).
//!
//! The supervisor makes it before it clones init: a short-lived child is cloned into a new user
//! namespace together with the pod's network, IPC and UTS namespaces, so those are *owned* by the
//! pod's user namespace and the pod's root holds its network capabilities (NET_BIND_SERVICE,
//! NET_RAW) there. The supervisor writes the id maps (pod 0.. = the leased host range), keeps one
//! fd per namespace and lets the child go. Init joins the net/IPC/UTS namespaces and stays in the
//! host's user namespace, because everything it and each app's setup mount (the overlay with its
//! trusted xattrs, idmapped layers, proc, sysfs) needs the host's privileges; each app joins the
//! pod's user namespace as the last step of its setup ([`become_pod_root`]).

use crate::manifest::IdMap;
use nix::sched::CloneFlags;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

/// A remapped pod's namespaces, held open by the supervisor (and by init, which inherits them).
pub struct PodNamespaces {
    pub user: OwnedFd,
    /// None with --net=host: the pod then uses the host's network namespace.
    pub net: Option<OwnedFd>,
    pub ipc: OwnedFd,
    pub uts: OwnedFd,
}

#[derive(Debug, thiserror::Error)]
pub enum UsernsError {
    #[error("create the pod's user namespace: {0}")]
    Clone(std::io::Error),
    #[error("write {file} of the pod's user namespace ({map}): {source}")]
    Map {
        file: &'static str,
        map: String,
        source: std::io::Error,
    },
    #[error("open the pod's {ns} namespace: {source}")]
    Open {
        ns: &'static str,
        source: std::io::Error,
    },
    #[error("join the pod's {ns} namespace: {source}")]
    Join {
        ns: &'static str,
        source: nix::Error,
    },
    #[error("become the pod's root in its user namespace: {0}")]
    Root(nix::Error),
    #[error(transparent)]
    Landlock(#[from] crate::landlock::LandlockError),
}

/// Creates the pod's user namespace with `map`, and in it the pod's IPC, UTS and (with
/// `own_net`) network namespaces.
pub fn create(map: &IdMap, own_net: bool) -> Result<PodNamespaces, UsernsError> {
    let mut flags = libc::CLONE_NEWUSER | libc::CLONE_NEWIPC | libc::CLONE_NEWUTS;
    if own_net {
        flags |= libc::CLONE_NEWNET;
    }
    let (hold_r, hold_w) = nix::unistd::pipe().map_err(|e| UsernsError::Clone(e.into()))?;
    // The holder shares our memory (CLONE_VM, with a stack of its own), so neither making it nor
    // waiting for its exit copies or tears down an address space: a fork-like holder cost about
    // 2 ms of every remapped pod's start. It only closes its copy of the write end, waits for the
    // pipe to close and returns (glibc's clone then exits the task).
    let fds = [hold_r.as_raw_fd(), hold_w.as_raw_fd()];
    let mut stack = vec![0u8; HOLDER_STACK];
    // SAFETY: the stack is ours until the holder has exited (waited for below); the holder runs
    // only `hold`, which makes two system calls on the fds `fds` names, kept open until then.
    let pid = unsafe {
        // The stack grows down from its end, 16-byte aligned as the ABI wants.
        let end = stack.as_mut_ptr().add(HOLDER_STACK) as usize & !15;
        let top = end as *mut libc::c_void;
        libc::clone(
            hold,
            top,
            flags | libc::CLONE_VM | libc::SIGCHLD,
            fds.as_ptr() as *mut libc::c_void,
        )
    };
    if pid < 0 {
        return Err(UsernsError::Clone(std::io::Error::last_os_error()));
    }
    let made = map_and_open(pid, map, own_net);
    drop(hold_w);
    let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None);
    drop((hold_r, stack));
    made
}

/// The holder's stack (it runs two system calls).
const HOLDER_STACK: usize = 64 * 1024;

/// The holder: closes its copy of the pipe's write end (`fds[1]`) and waits until ours closes.
extern "C" fn hold(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `arg` points at the parent's two fds, alive until this task has exited.
    unsafe {
        let fds = arg as *const [libc::c_int; 2];
        libc::close((*fds)[1]);
        let mut b = 0u8;
        libc::read((*fds)[0], &mut b as *mut u8 as *mut libc::c_void, 1);
    }
    0
}

fn map_and_open(pid: i32, map: &IdMap, own_net: bool) -> Result<PodNamespaces, UsernsError> {
    for (file, gid) in [("uid_map", false), ("gid_map", true)] {
        let line = map.map_line(gid);
        std::fs::write(format!("/proc/{pid}/{file}"), &line).map_err(|source| {
            UsernsError::Map {
                file,
                map: line.trim_end().to_string(),
                source,
            }
        })?;
    }
    let open = |ns: &'static str| -> Result<OwnedFd, UsernsError> {
        std::fs::File::open(format!("/proc/{pid}/ns/{ns}"))
            .map(OwnedFd::from)
            .map_err(|source| UsernsError::Open { ns, source })
    };
    Ok(PodNamespaces {
        user: open("user")?,
        net: if own_net { Some(open("net")?) } else { None },
        ipc: open("ipc")?,
        uts: open("uts")?,
    })
}

/// Init's first step: into the pod's network, IPC and UTS namespaces (init itself stays in the
/// host's user namespace).
pub fn join_shared(ns: &PodNamespaces) -> Result<(), UsernsError> {
    let mut joins = vec![
        ("ipc", ns.ipc.as_fd(), CloneFlags::CLONE_NEWIPC),
        ("uts", ns.uts.as_fd(), CloneFlags::CLONE_NEWUTS),
    ];
    if let Some(n) = &ns.net {
        joins.push(("net", n.as_fd(), CloneFlags::CLONE_NEWNET));
    }
    for (name, fd, flag) in joins {
        nix::sched::setns(fd, flag).map_err(|source| UsernsError::Join { ns: name, source })?;
    }
    Ok(())
}

/// Joins the pod's user namespace and becomes its root (host uid/gid = the start of the range):
/// until then this process is host root, which the pod's namespace does not map. The
/// supplementary groups go too (stage2 sets the app's own).
pub fn become_pod_root(user: BorrowedFd<'_>) -> Result<(), UsernsError> {
    nix::sched::setns(user, CloneFlags::CLONE_NEWUSER)
        .map_err(|source| UsernsError::Join { ns: "user", source })?;
    pod_root_ids()
}

/// After joining a remapped pod's user namespace: its root's ids, no supplementary groups.
pub fn pod_root_ids() -> Result<(), UsernsError> {
    nix::unistd::setgroups(&[]).map_err(UsernsError::Root)?;
    let root_g = nix::unistd::Gid::from_raw(0);
    let root_u = nix::unistd::Uid::from_raw(0);
    nix::unistd::setresgid(root_g, root_g, root_g).map_err(UsernsError::Root)?;
    nix::unistd::setresuid(root_u, root_u, root_u).map_err(UsernsError::Root)?;
    Ok(())
}

/// What `enter` and exec probes do once they have joined a remapped pod's user namespace: become
/// its root and take a Landlock domain of their own. That domain is a sibling of the app's, so
/// the app cannot trace them (they hold liftoff's memory until execve), and they see the app's
/// processes as any other app of the pod would.
pub fn joined_as_app() -> Result<(), UsernsError> {
    pod_root_ids()?;
    Ok(crate::landlock::own_domain()?)
}
