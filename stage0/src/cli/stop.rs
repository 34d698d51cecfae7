//! `liftoff stop POD...`: the graceful stop a systemd unit or `kill` would give, without a daemon.
//!
//! The supervisor gets SIGTERM, which it forwards to every app and follows with SIGKILL after the
//! pod's stop timeout; `--timeout S` kills earlier, `--force` at once. The stage1's `stop` entrypoint
//! sends the signals, through pidfds opened while the pod's lock is held, so a pid recycled after the
//! pod ended is never signalled.

use super::lifecycle::PodRefs;
use super::Ctx;
use anyhow::{bail, Result};
use clap::Args;
use liftoff::pod::state::{self, PodInfo, State};
use liftoff::pod::Pods;
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
    if !still_running(pods, p) {
        return Ok(());
    }
    // The signals are the stage1's to send (it knows its supervisor and init).
    let stage1 = liftoff::stage1::Stage1::of_pod(&p.dir)?;
    let timeout = a.timeout.map(Duration::from_secs);
    stage1.stop(&p.dir, a.force || a.timeout == Some(0))?;
    if let Some(t) = timeout {
        if !state::wait_exited(&p.dir, Some(t)) {
            stage1.stop(&p.dir, true)?;
        }
    }
    // The supervisor's own stop timeout bounds this, plus a margin for its cleanup.
    let m = std::fs::read(p.dir.join(liftoff_contract::POD_MANIFEST_FILE))
        .ok()
        .and_then(|b| liftoff_contract::PodManifest::from_slice(&b).ok());
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
