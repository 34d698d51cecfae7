//! `liftoff image inspect NAME`: digests, config, layers, sizes and provenance.

use super::{human_size, Ctx, Format};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Image name or digest prefix
    pub image: String,
    /// Output format (json is the full record)
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
}

pub fn run(ctx: &Ctx, a: InspectArgs) -> Result<u8> {
    let e = liftoff::images::find(&ctx.store, &a.image)?;
    let i = liftoff::images::inspect(&ctx.store, &e)?;
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&i)?);
        return Ok(0);
    }
    println!("Name:      {}", i.name);
    println!("Digest:    {}", i.digest);
    println!("Manifest:  {}", i.manifest_digest);
    println!(
        "Platform:  {}",
        liftoff_stage2::report::shown(&i.platform.to_string())
    );
    println!("Size:      {}", human_size(i.size));
    if let Some(p) = &i.provenance {
        println!("Source:    {}", liftoff_stage2::report::shown(&p.source));
        println!("Fetched:   {}", p.fetched_at);
        println!(
            "Verified:  {} ({})",
            if p.verified { "yes" } else { "no" },
            p.verification
        );
    }
    println!("Layers:");
    for l in &i.layers {
        println!(
            "  {}  {:>9}  {}",
            l.digest,
            human_size(l.size),
            if l.unpacked {
                "unpacked"
            } else {
                "not unpacked"
            }
        );
    }
    Ok(0)
}
