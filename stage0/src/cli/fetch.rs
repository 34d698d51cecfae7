//! `liftoff fetch SOURCE`: verify and store an image.

use super::Ctx;
use anyhow::{Context, Result};
use clap::Args;
use liftoff::fetch::{fetch, FetchOptions};
use liftoff::platform::Platform;
use liftoff::reference::ImageName;
use liftoff::transport::SourceRef;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  liftoff fetch oci:./layout:1.0                 # stored as localhost/layout:1.0
  liftoff fetch oci-archive:app.tar --as example.com/team/app:1.4
  liftoff fetch docker-archive:saved.tar:busybox:latest

Prints the stored name and the image's digest on stdout.")]
pub struct FetchArgs {
    /// oci:DIR[:REF], oci-archive:FILE[:REF] or docker-archive:FILE[:NAME:TAG|:@INDEX]
    pub source: String,
    /// Name in the store (default: the source's own ref name)
    #[arg(long = "as", value_name = "NAME:TAG")]
    pub name: Option<String>,
    /// Platform to pick from a multi-platform image (default: this host's)
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Allow device nodes in layers (they are refused by default)
    #[arg(long)]
    pub allow_devices: bool,
    /// Refuse layers with more entries than this
    #[arg(long, value_name = "N")]
    pub max_layer_entries: Option<u64>,
    /// Refuse layers that expand to more bytes than this
    #[arg(long, value_name = "BYTES")]
    pub max_layer_bytes: Option<u64>,
    /// Layers to stream at once
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Skip checks: only `image` exists, which stores the image WITHOUT verifying its signature
    /// (recorded as insecure in its provenance and shown by `image list`)
    #[arg(long = "insecure-options", value_name = "image", value_delimiter = ',')]
    pub insecure_options: Vec<InsecureOption>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InsecureOption {
    /// Do not verify the image's signature.
    Image,
}

pub fn run(ctx: &Ctx, a: FetchArgs) -> Result<u8> {
    let src = SourceRef::parse(&a.source)?;
    let name = a
        .name
        .as_deref()
        .map(ImageName::parse)
        .transpose()
        .context("--as")?;
    let platform = match &a.platform {
        Some(p) => Platform::parse(p)
            .with_context(|| format!("--platform {p:?} is not OS/ARCH[/VARIANT]"))?,
        None => Platform::host(),
    };
    let mut limits = ctx.config.limits();
    limits.allow_devices |= a.allow_devices;
    if let Some(n) = a.max_layer_entries {
        limits.max_entries = n;
    }
    if let Some(n) = a.max_layer_bytes {
        limits.max_bytes = n;
    }
    let opts = FetchOptions {
        name,
        platform,
        limits,
        jobs: a.jobs.unwrap_or_else(|| ctx.config.jobs()),
        trust: ctx.trust.clone(),
        insecure: a.insecure_options.contains(&InsecureOption::Image),
    };
    if opts.insecure {
        eprintln!(
            "liftoff: WARNING: --insecure-options=image: signature verification is DISABLED for {}; \
             anything in this image will be stored and can be run as if it were trusted.",
            a.source
        );
    }
    let r = fetch(&ctx.store, &src, &opts)
        .with_context(|| format!("fetching {} failed; the store is unchanged", a.source))?;
    if !r.provenance.verified {
        eprintln!(
            "liftoff: warning: {} is stored UNVERIFIED ({}).",
            r.name, r.provenance.verification
        );
    }
    tracing::info!(
        "{} layers stored, {} already present",
        r.layers_stored,
        r.layers_reused
    );
    println!("{} {}", r.name, r.digest);
    Ok(0)
}
