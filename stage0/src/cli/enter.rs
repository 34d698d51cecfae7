//! `liftoff enter POD [--app NAME] [-- CMD...]`: a command inside a running app, with that app's
//! whole profile (see `liftoff_stage1::enter`).

use super::lifecycle::PodRef;
use super::Ctx;
use anyhow::{bail, Context, Result};
use clap::Args;
use liftoff::pod::state::State;
use liftoff::pod::Pods;

#[derive(Debug, Args)]
#[command(after_help = "\
The command runs as the app runs: same user, capabilities, seccomp filter, no_new_privs, cgroup
(limits) and namespaces (root filesystem, /proc, network, hostname). It cannot do anything the app
cannot. A terminal is given when stdin is one. Exit status: the command's; 254 when liftoff fails.

Examples:
  liftoff enter web                      # /bin/sh in the pod's only app
  liftoff enter web --app db -- ps aux")]
pub struct EnterArgs {
    #[command(flatten)]
    pub pod: PodRef,
    /// The app to enter (required when the pod has several)
    #[arg(long)]
    pub app: Option<String>,
    /// Command and arguments (default /bin/sh)
    #[arg(last = true)]
    pub command: Vec<String>,
}

pub fn run(ctx: &Ctx, a: EnterArgs) -> Result<u8> {
    // The command runs this binary until its execve: from a read-only view of it, so the app cannot
    // reach the host's liftoff through /proc/PID/exe (re-executes this process once).
    liftoff_stage1::exeseal::ensure().map_err(anyhow::Error::msg)?;
    let pods = Pods::open(ctx.store.root())?;
    let p = a.pod.find(&pods)?;
    if p.state != State::Running {
        bail!(
            "pod {} is {}; only running pods can be entered",
            p.id,
            p.state.as_str()
        );
    }
    let (m, i) = super::lifecycle::pod_app(&p, a.app.as_deref())?;
    let app = &m.apps[i];
    let init_pid = liftoff_stage1::enter::init_pid(&p.dir)
        .with_context(|| format!("pod {}: its init has not started yet", p.id))?;
    let argv = if a.command.is_empty() {
        vec!["/bin/sh".to_string()]
    } else {
        a.command.clone()
    };
    let code = liftoff_stage1::enter::enter(liftoff_stage1::enter::EnterRequest {
        pod_id: &m.pod_id,
        init_pid,
        app,
        argv,
    })
    .map_err(anyhow::Error::msg)?;
    Ok(code.clamp(0, 255) as u8)
}
