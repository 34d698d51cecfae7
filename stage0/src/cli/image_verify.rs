//! `liftoff image verify NAME`: re-check signatures against today's keys and policy, and re-hash
//! every blob. The result is written back to the image's provenance, so an image whose key was
//! removed is no longer treated as verified.

use super::{human_size, Ctx};
use anyhow::{bail, Result};
use clap::Args;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Image name or digest prefix
    pub image: String,
}

pub fn run(ctx: &Ctx, a: VerifyArgs) -> Result<u8> {
    let e = liftoff::images::find(&ctx.store, &a.image)?;
    let r = liftoff::images::verify(&ctx.store, ctx.trust()?, &e)?;
    match &r.signature {
        Ok(text) => println!(
            "{}: signature OK: {text} ({:.3} ms)",
            e.name,
            r.signature_secs * 1e3
        ),
        Err(text) => liftoff_stage2::error!("{}: {text}", e.name),
    }
    match &r.blobs {
        Ok(()) => println!(
            "{}: {} blobs re-hashed OK ({}, {:.0} ms, {}/s)",
            e.name,
            r.blob_count,
            human_size(r.bytes),
            r.hash_secs * 1e3,
            human_size((r.bytes as f64 / r.hash_secs.max(1e-9)) as u64)
        ),
        Err(text) => liftoff_stage2::error!("{}: {text}", e.name),
    }
    if r.signature.is_err() || r.blobs.is_err() {
        bail!(
            "{} failed verification; it is now recorded as unverified",
            e.name
        );
    }
    Ok(0)
}
