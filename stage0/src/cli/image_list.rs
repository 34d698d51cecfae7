//! `liftoff image list`: what is in the store.

use super::{human_size, Ctx, Format};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Print names only
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn run(ctx: &Ctx, a: ListArgs) -> Result<u8> {
    let rows = liftoff::images::list(&ctx.store)?;
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    if a.quiet {
        for r in rows {
            println!("{}", r.name);
        }
        return Ok(0);
    }
    let w = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    println!(
        "{:<w$}  {:<12}  {:>9}  {:<20}  VERIFIED",
        "NAME", "DIGEST", "SIZE", "CREATED"
    );
    for r in rows {
        println!(
            "{:<w$}  {:<12}  {:>9}  {:<20}  {}",
            r.name,
            r.digest.short(),
            human_size(r.size),
            r.created
                .as_deref()
                // From the image's config: bounded and escaped before it reaches the terminal.
                .map(|c| {
                    let c: String = c.chars().take(19).collect();
                    liftoff_stage2::report::shown(&c).replace('T', " ")
                })
                .unwrap_or_else(|| "-".into()),
            if r.verified { "yes" } else { "no" }
        );
    }
    Ok(0)
}
