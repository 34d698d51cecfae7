//! `liftoff enter POD [--app NAME] [-- CMD...]`: a command inside a running app, with that app's
//! whole profile: the stage1's `enter` entrypoint does it (see `liftoff_contract`).

use super::lifecycle::PodRef;
use super::Ctx;
use anyhow::{bail, Context, Result};
use clap::Args;
use liftoff::pod::state::State;
use liftoff::pod::Pods;
use std::os::unix::process::CommandExt;

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
    let stage1 = liftoff::stage1::Stage1::of_pod(&p.dir)?;
    // The stage1's `enter` becomes this process: the terminal, signals and exit code are its.
    let err = stage1
        .command(liftoff_contract::Entrypoint::Enter)
        .arg("--app")
        .arg(&m.apps[i].spec.name)
        .arg(&p.dir)
        .arg("--")
        .args(&a.command)
        .exec();
    Err(err).with_context(|| format!("stage1 {}: exec", stage1.path().display()))
}
