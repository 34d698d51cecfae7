//! `liftoff-stage1 stop [--force] POD_DIR`: ask a running pod to stop, and return at once.
//!
//! Graceful: SIGTERM to the supervisor, which forwards it to every app and follows with SIGKILL
//! after the pod's stop timeout. `--force`: SIGKILL to the pod's init (the whole pid namespace dies
//! with it), or to the supervisor when the init has not started. Signals go through pidfds opened
//! before checking that the pod still holds its lock, so a pid recycled after the pod ended is never
//! signalled. A pod that is not running is not an error.

use super::{Args, VerbError};
use liftoff_contract::layout;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

fn pidfd(file: &Path) -> Option<OwnedFd> {
    let pid = layout::read_pid(file)?;
    // SAFETY: pidfd_open with a pid and no flags; the result is a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    // SAFETY: a fresh fd we own.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

fn send(fd: &OwnedFd, sig: i32) -> bool {
    // SAFETY: pidfd_send_signal on an owned pidfd with a null siginfo.
    unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            fd.as_raw_fd(),
            sig,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        ) == 0
    }
}

/// Whether the pod still runs: its dir is locked (by the supervisor) and it has no exit record yet.
/// The lock alone is not enough: the supervisor's teardown child keeps it after the supervisor (and
/// so its pid) is gone.
fn running(dir: &Path) -> bool {
    if layout::pod_exit(dir).exists() {
        return false;
    }
    liftoff_common::lock::is_held(dir).unwrap_or(false)
}

pub fn main(a: &Args) -> Result<u8, VerbError> {
    a.only(&["--force"])?;
    let dir = a.pod_dir()?;
    let sup = pidfd(&layout::supervisor_pid_file(dir));
    let init = pidfd(&layout::init_pid_file(dir));
    // Pidfds first, then the check: if the pod still runs now, the pids were its own when opened.
    if !running(dir) {
        return Ok(0);
    }
    let sent = if a.flag("--force") {
        match (&init, &sup) {
            (Some(i), _) => send(i, libc::SIGKILL),
            (None, Some(s)) => send(s, libc::SIGKILL),
            (None, None) => false,
        }
    } else {
        sup.as_ref().is_some_and(|s| send(s, libc::SIGTERM))
    };
    if !sent && running(dir) {
        let id = dir.file_name().unwrap_or_default().to_string_lossy();
        return Err(VerbError::Pod(format!(
            "pod {id}: cannot find its supervisor's pid (it may still be starting); try again"
        )));
    }
    Ok(0)
}
