//! `liftoff image rm NAME...`: drop names; their blobs and layers go with the next `image gc`.

use super::Ctx;
use anyhow::{bail, Result};
use clap::Args;

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Image names or digest prefixes
    #[arg(required = true)]
    pub images: Vec<String>,
}

pub fn run(ctx: &Ctx, a: RmArgs) -> Result<u8> {
    let mut failed = Vec::new();
    for q in &a.images {
        match liftoff::images::find(&ctx.store, q) {
            Ok(e) => {
                ctx.store.remove_ref(&e.name)?;
                println!("{}", e.name);
            }
            Err(err) => {
                liftoff_stage2::error!("{err}");
                failed.push(q.as_str());
            }
        }
    }
    if !failed.is_empty() {
        bail!("could not remove: {}", failed.join(", "));
    }
    Ok(0)
}
