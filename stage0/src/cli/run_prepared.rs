//! `liftoff run-prepared POD`: start a pod made by `liftoff prepare`.
//!
//! The images are verified again against today's trust store and policy (a key removed since
//! `prepare` stops the pod from starting), and must still be the digests that were prepared.

use super::lifecycle::PodRef;
use super::Ctx;
use anyhow::{bail, Context, Result};
use clap::Args;
use liftoff::pod::state::State;
use liftoff::pod::{self, resolve};

#[derive(Debug, Args)]
#[command(after_help = "\
Exactly one of several concurrent `run-prepared` of one pod starts it; the others fail with
\"already started\". A prepared pod that is never run is removed by `liftoff gc --expire-prepared`.")]
pub struct RunPreparedArgs {
    #[command(flatten)]
    pub pod: PodRef,
    /// Start in the background: print the uuid once every app has started, and return
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// `image`: start even if the images no longer verify (loud; never the default)
    #[arg(long = "insecure-options", value_name = "image", value_delimiter = ',')]
    pub insecure_options: Vec<String>,
}

pub fn run(ctx: &Ctx, a: RunPreparedArgs) -> Result<u8> {
    let mut insecure = false;
    for o in &a.insecure_options {
        match o.as_str() {
            "image" => insecure = true,
            other => bail!("--insecure-options={other}: the only option is `image`"),
        }
    }
    let pods = pod::Pods::open(ctx.store.root())?;
    let info = a.pod.find(&pods)?;
    if info.state != State::Prepared {
        bail!(
            "pod {} is {}; only prepared pods can be started with run-prepared",
            info.id,
            info.state.as_str()
        );
    }
    let p = pod::NewPod::take_prepared(&pods, &info.id).map_err(anyhow::Error::msg)?;
    let checked = recheck(ctx, &p.dir, insecure).and_then(|_| {
        if !a.detach {
            return Ok(());
        }
        let mpath = p.dir.join(liftoff_contract::POD_MANIFEST_FILE);
        let mut m = liftoff_contract::PodManifest::from_slice(&std::fs::read(&mpath)?)?;
        if m.tty || m.interactive {
            bail!("-d cannot start a pod prepared with -i or -t");
        }
        m.detached = true;
        p.write_manifest(&m)?;
        Ok(())
    });
    if let Err(e) = checked {
        p.abandon(&pods);
        return Err(e.context(format!(
            "pod {} was not started and is left for `liftoff gc`",
            p.id
        )));
    }
    super::run::start(&pods, p, a.detach)
}

/// The prepared images must still be in the store, at the prepared digests, and verify today.
fn recheck(ctx: &Ctx, dir: &std::path::Path, insecure: bool) -> Result<()> {
    let names = std::fs::read_to_string(dir.join("images")).context("the pod's image list")?;
    let digests =
        std::fs::read_to_string(dir.join("image-digests")).context("the pod's image digests")?;
    for (name, digest) in names.lines().zip(digests.lines()) {
        let e = liftoff::images::find(&ctx.store, name)
            .with_context(|| format!("image {name} was removed since the pod was prepared"))?;
        if e.descriptor.digest.to_string() != digest {
            bail!(
                "image {name} is now {} but the pod was prepared with {digest}; prepare it again",
                e.descriptor.digest
            );
        }
        let note = resolve::check_trust(&ctx.store, ctx.trust()?, &e, insecure)?;
        tracing::info!("image {name}: {note}");
    }
    Ok(())
}
