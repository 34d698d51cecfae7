//! `liftoff image extract NAME DIR`: the image's root filesystem, copied into DIR.
//!
//! DIR is opened without following symlinks and must be the caller's own (created 0700 when new);
//! the image must verify against today's trust (as for `run`) unless `--insecure-options=image`;
//! setuid/setgid bits, file capabilities and device nodes are left out unless `--preserve-setid`:
//! the copy lives outside the state root, where other users may reach it.

use super::Ctx;
use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Image name or digest prefix
    pub image: String,
    /// Destination directory (new, or empty and yours; never a symlink)
    pub dest: PathBuf,
    /// Keep setuid/setgid bits, file capabilities and device nodes (left out by default)
    #[arg(long)]
    pub preserve_setid: bool,
    /// `image`: extract an image that does not verify (loud)
    #[arg(long = "insecure-options", value_name = "image", value_delimiter = ',')]
    pub insecure_options: Vec<String>,
}

pub fn run(ctx: &Ctx, a: ExtractArgs) -> Result<u8> {
    let mut insecure = false;
    for o in &a.insecure_options {
        match o.as_str() {
            "image" => insecure = true,
            other => bail!(
                "--insecure-options={}: the only option here is `image`",
                liftoff_stage2::report::shown(other)
            ),
        }
    }
    let e = liftoff::images::find(&ctx.store, &a.image)?;
    // The same gate as `run`: the image's signatures against today's keys and policy.
    if insecure {
        liftoff_stage2::warning!(
            "--insecure-options=image: extracting {} WITHOUT checking its signatures",
            e.name
        );
    }
    liftoff::pod::resolve::check_trust(&ctx.store, ctx.trust()?, &e, insecure).with_context(
        || {
            format!(
                "not extracting {}: it does not verify (extract it anyway with --insecure-options=image)",
                e.name
            )
        },
    )?;
    let opts = liftoff::images::ExtractOptions {
        preserve_setid: a.preserve_setid,
    };
    liftoff::images::extract(&ctx.store, &e, &a.dest, opts)
        .with_context(|| format!("extracting {} into {}", e.name, a.dest.display()))?;
    Ok(0)
}
