//! The pod's network namespace: loopback up in every one, and, for CNI networks, a pin that keeps the
//! namespace alive until CNI DEL has run. The bridge plugin can only remove its masquerade rules while
//! it can still see the pod's interface, so the namespace must outlive the pod's processes (and a
//! SIGKILLed supervisor): a bind mount of `/proc/<init>/ns/net` onto `<netns_dir>/<pod uuid>`, the way
//! `ip netns` does it, removed by the supervisor's teardown or by `liftoff gc`.

use std::io;
use std::path::{Path, PathBuf};

/// Pins the network namespace at `netns` (`/proc/PID/ns/net` or `/proc/self/fd/N`) at
/// `<dir>/<pod_id>`.
pub fn pin(dir: &Path, pod_id: &str, netns: &Path) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let p = dir.join(pod_id);
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&p)?;
    nix::mount::mount(
        Some(netns),
        &p,
        None::<&str>,
        nix::mount::MsFlags::MS_BIND,
        None::<&str>,
    )
    .map_err(io::Error::from)?;
    Ok(p)
}

/// Removes a pin (idempotent: a missing or unmounted file is fine). Unlinking the file also detaches
/// the copies of the mount that pod mount namespaces cloned while it existed (the kernel does that
/// for a mount point removed in another namespace), so the network namespace is really freed.
pub fn unpin(p: &Path) -> io::Result<()> {
    match nix::mount::umount2(p, nix::mount::MntFlags::MNT_DETACH) {
        Ok(()) | Err(nix::errno::Errno::EINVAL) | Err(nix::errno::Errno::ENOENT) => {}
        Err(e) => return Err(e.into()),
    }
    match std::fs::remove_file(p) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Brings `lo` up in the current network namespace (SIOCSIFFLAGS |= IFF_UP).
pub fn loopback_up() -> io::Result<()> {
    // SAFETY: plain socket/ioctl calls on a zeroed ifreq whose name is "lo".
    unsafe {
        let s = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if s < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut req: libc::ifreq = std::mem::zeroed();
        for (i, b) in b"lo\0".iter().enumerate() {
            req.ifr_name[i] = *b as libc::c_char;
        }
        let r = if libc::ioctl(s, libc::SIOCGIFFLAGS as _, &mut req) < 0 {
            Err(io::Error::last_os_error())
        } else {
            req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
            if libc::ioctl(s, libc::SIOCSIFFLAGS as _, &req) < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(())
            }
        };
        libc::close(s);
        r
    }
}
