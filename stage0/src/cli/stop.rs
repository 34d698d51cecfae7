//! `liftoff stop POD...`: the graceful stop a systemd unit or `kill` would give, without a daemon.
//!
//! The supervisor gets SIGTERM, which it forwards to every app and follows with SIGKILL after the
//! pod's stop timeout; `--timeout S` kills earlier, `--force` at once. Signals go through pidfds opened
//! while the pod's lock is held, so a pid recycled after the pod ended is never signalled.

use super::lifecycle::PodRefs;
use super::Ctx;
use anyhow::{bail, Result};
use clap::Args;
use liftoff::pod::state::{self, PodInfo, State};
use liftoff::pod::Pods;
use std::os::fd::{FromRawFd, OwnedFd};
use std::time::Duration;

#[derive(Debug, Args)]
#[command(after_help = "\
Returns once each pod has exited (its apps' exit codes are in `liftoff status`). Stopping a pod
that has already exited is not an error.")]
pub struct StopArgs {
    #[command(flatten)]
    pub pods: PodRefs,
    /// Kill the pod's processes at once (SIGKILL) instead of SIGTERM
    #[arg(long)]
    pub force: bool,
    /// Seconds to wait after SIGTERM before SIGKILL (default: the pod's --stop-timeout)
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
}

fn pidfd(dir: &std::path::Path, file: &str) -> Option<OwnedFd> {
    let pid: i32 = std::fs::read_to_string(dir.join(file))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    // SAFETY: pidfd_open with a pid and no flags; the result is a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    // SAFETY: a fresh fd we own.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

fn send(fd: &OwnedFd, sig: i32) -> bool {
    use std::os::fd::AsRawFd;
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

fn still_running(pods: &Pods, p: &PodInfo) -> bool {
    state::refresh(pods, &p.id).is_some_and(|x| x.state == State::Running)
}

/// Stops one pod; Ok when it is no longer running.
fn stop_one(pods: &Pods, p: &PodInfo, a: &StopArgs) -> Result<()> {
    match p.state {
        State::Running => {}
        State::Exited | State::ExitedGarbage | State::Garbage => return Ok(()),
        s => bail!(
            "pod {} is {}, not running; `liftoff rm` removes it",
            p.id,
            s.as_str()
        ),
    }
    // Open both pidfds first, then confirm the pod still holds its lock: only then do the pids
    // still name its supervisor and init.
    let sup = pidfd(&p.dir, "supervisor-pid");
    let init = pidfd(&p.dir, "pid");
    if !still_running(pods, p) {
        return Ok(());
    }
    let timeout = a.timeout.map(Duration::from_secs);
    if a.force || a.timeout == Some(0) {
        if let Some(i) = &init {
            send(i, libc::SIGKILL);
        } else if let Some(s) = &sup {
            send(s, libc::SIGKILL);
        }
    } else {
        match &sup {
            Some(s) => {
                send(s, libc::SIGTERM);
            }
            None => bail!(
                "pod {}: cannot find its supervisor's pid (it may still be starting); try again",
                p.id
            ),
        }
    }
    if let Some(t) = timeout {
        if !state::wait_exited(&p.dir, Some(t)) {
            if let Some(i) = &init {
                send(i, libc::SIGKILL);
            }
        }
    }
    // The supervisor's own stop timeout bounds this, plus a margin for its cleanup.
    let m = std::fs::read(p.dir.join(liftoff_stage1::POD_MANIFEST_FILE))
        .ok()
        .and_then(|b| liftoff_stage1::PodManifest::from_slice(&b).ok());
    // stop_timeout() is capped, so a huge --stop-timeout cannot overflow this sum.
    let bound = m.map_or(Duration::from_secs(10), |m| m.stop_timeout()) + Duration::from_secs(10);
    if !state::wait_exited(&p.dir, Some(bound)) {
        bail!("pod {} did not stop within {}s", p.id, bound.as_secs());
    }
    Ok(())
}

pub fn run(ctx: &Ctx, a: StopArgs) -> Result<u8> {
    let pods = Pods::open(ctx.store.root())?;
    let mut failed = false;
    for q in a.pods.queries()? {
        match state::find(&pods, &q)
            .map_err(anyhow::Error::msg)
            .and_then(|p| stop_one(&pods, &p, &a).map(|_| p.id))
        {
            Ok(id) => println!("{id}"),
            Err(e) => {
                liftoff_stage2::error!("{e}");
                failed = true;
            }
        }
    }
    if failed {
        bail!("some pods were not stopped");
    }
    Ok(0)
}
