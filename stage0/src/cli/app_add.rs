//! `liftoff app add POD IMAGE --name NAME [app flags] [-- CMD…]`: one more app for a running pod.
//! The image goes the way of `run`'s: fetched if missing (`--pull`), verified against today's
//! trust, resolved with the same flags (`resolve::resolve_added_app`); the supervisor then records
//! the app in `pod.json` and prepares it. It is created, not started (`liftoff app start`).

use super::run::{self, AppFlags};
use super::Ctx;
use anyhow::{bail, Result};
use clap::Args;
use liftoff::fetch::PullPolicy;
use liftoff::pod::state::State;
use liftoff::pod::{control, resolve, Pods};
use liftoff_contract::control::Op;
use std::time::Duration;

/// How long the supervisor may take to record and prepare an added app (its root, its cgroup).
const ADD_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  liftoff run -d --sandbox --name dev                               # a pod without apps
  liftoff app add dev example.com/team/db:2 --name db -v /srv/db:/var/lib/db --restart on-failure
  liftoff app start dev db
  liftoff app add dev example.com/team/tools:1 --name check -- /bin/check --once
  liftoff app start dev check --attach; echo $?                     # check's exit status

Every per-app flag of `liftoff run` works here, with its meaning there; --after does not (an added
app starts when `liftoff app start` asks). Named volumes (-v NAME:/PATH) must be ones the pod
already has: they are made when the pod starts. The image must verify against today's trust store
and policy, as for `run`.
Exit status: 0 once the app is added, 254 when it is not.")]
pub struct AddArgs {
    /// The running pod (uuid, unique uuid prefix, or name)
    #[arg(value_name = "POD")]
    pub pod: String,
    /// Image of the new app (name or digest prefix of an image in the store, or one to fetch)
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Command and arguments (after `--`), replacing the image's Cmd
    #[arg(last = true)]
    pub command: Vec<String>,
    #[command(flatten)]
    pub app: AppFlags,
    /// `image`: add an image that does not verify; `net-host-apps`: allow a second app in a
    /// --net=host --userns=host pod (both loud; never the default)
    #[arg(
        long = "insecure-options",
        value_name = "image|net-host-apps",
        value_delimiter = ','
    )]
    pub insecure_options: Vec<String>,
    /// When to fetch the image: never (store only), missing (default) or always
    #[arg(long, value_enum, default_value_t = PullPolicy::Missing)]
    pub pull: PullPolicy,
}

pub fn run(ctx: &Ctx, a: AddArgs) -> Result<u8> {
    let Some(name) = a.app.name.clone() else {
        bail!("app add needs --name NAME: the name `app start`, `stop` and `rm` know the app by");
    };
    let (insecure, host_apps) = run::insecure_options(&a.insecure_options)?;
    let pods = Pods::open(ctx.store.root())?;
    let p = liftoff::pod::state::find(&pods, &a.pod).map_err(anyhow::Error::msg)?;
    if p.state != State::Running {
        // Said before anything is fetched.
        return Err(control::ControlError::NotRunning {
            id: p.id.clone(),
            state: p.state.as_str(),
        }
        .into());
    }
    let manifest = super::lifecycle::pod_manifest(&p)?;
    if insecure {
        liftoff_stage2::warning!(
            "--insecure-options=image: adding an image WITHOUT checking its signatures"
        );
    }
    let mut req = run::app_request(a.image.clone(), a.app.clone(), a.command.clone())?;
    ctx.store.check_free(ctx.config.min_free()?, "the app")?;
    let fo = run::fetch_options(ctx, insecure)?;
    run::fetch_image(ctx, &mut req, a.pull, &fo)?;
    // As for `run`: the shared store lock keeps `image gc` from the app's layers until the pod's
    // manifest names them, which the supervisor has done once it answers.
    let store_lock = ctx.store.lock_use()?;
    let app = resolve::resolve_added_app(
        &ctx.store,
        ctx.trust()?,
        &req,
        &manifest,
        insecure,
        host_apps,
    )?;
    run::check_ids(std::slice::from_ref(&app), manifest.userns.map(|u| u.size))?;
    control::request(&p, Op::Add { app: Box::new(app) }, ADD_WAIT)?;
    drop(store_lock);
    println!("{name}");
    Ok(0)
}
