//! `liftoff image extract NAME DIR`: the image's root filesystem, copied into DIR.

use super::Ctx;
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Image name or digest prefix
    pub image: String,
    /// Destination directory (new or empty)
    pub dest: PathBuf,
}

pub fn run(ctx: &Ctx, a: ExtractArgs) -> Result<u8> {
    let e = liftoff::images::find(&ctx.store, &a.image)?;
    liftoff::images::extract(&ctx.store, &e, &a.dest)
        .with_context(|| format!("extracting {} into {}", e.name, a.dest.display()))?;
    Ok(0)
}
