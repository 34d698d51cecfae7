//! `liftoff image gc`: remove what no image refers to, waiting a bounded time for running fetches.

use super::{human_size, Ctx, Format};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct GcArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// How long to wait for running fetches and imports to release the store (e.g. 5s, 2m, or
    /// `forever`); past that gc fails, naming the processes that hold it
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pub wait: String,
}

pub fn run(ctx: &Ctx, a: GcArgs) -> Result<u8> {
    let wait = super::lifecycle::wait_limit("--wait", &a.wait)?;
    let pods = liftoff::pod::Pods::existing(ctx.store.root());
    let r = liftoff::images::gc(&ctx.store, wait, || {
        liftoff::pod::state::layers_in_use(&pods)
    })?;
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(0);
    }
    for d in &r.blobs {
        println!("removed blob {d}");
    }
    for d in &r.layers {
        println!("removed layer {d}");
    }
    println!(
        "{} blobs ({}), {} layers, {} provenance records, {} staging leftovers removed",
        r.blobs.len(),
        human_size(r.bytes),
        r.layers.len(),
        r.meta,
        r.staging
    );
    Ok(0)
}
