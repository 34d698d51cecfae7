//! `liftoff fetch SOURCE`: verify and store an image.

use super::Ctx;
use anyhow::{Context, Result};
use clap::Args;
use liftoff::fetch::{fetch, FetchOptions};
use liftoff::platform::Platform;
use liftoff::reference::ImageName;
use liftoff::transport::registry::{Credentials, RegistryOptions};
use liftoff::transport::SourceRef;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  liftoff fetch docker://registry.example.com/team/app:1.4
  liftoff fetch team/app:1.4                     # a bare name means docker.io
  liftoff fetch docker://127.0.0.1:5000/app:1 --insecure-options=http --creds me:secret
  liftoff fetch oci:./layout:1.0                 # stored as localhost/layout:1.0
  liftoff fetch oci-archive:app.tar --as example.com/team/app:1.4
  liftoff fetch docker-archive:saved.tar:busybox:latest

Registry credentials come from --creds, --authfile, or the files `podman login` and
`docker login` write (${XDG_RUNTIME_DIR}/containers/auth.json, ~/.docker/config.json).
Per-registry CA certificates: CERT_DIR/<host[:port]>/*.crt (default /etc/liftoff/certs.d).

Prints the stored name and the image's digest on stdout.")]
pub struct FetchArgs {
    /// docker://NAME or a bare NAME (registry), oci:DIR[:REF], oci-archive:FILE[:REF] or
    /// docker-archive:FILE[:NAME:TAG|:@INDEX]
    pub source: String,
    /// Name in the store (default: the source's own ref name)
    #[arg(long = "as", value_name = "NAME:TAG")]
    pub name: Option<String>,
    /// Platform to pick from a multi-platform image (default: this host's)
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Keep device nodes (with their numbers) and fifos found in layers; by default they are left
    /// out with a warning naming them (pods get their own /dev). Same as [unpack] allow_devices
    #[arg(long)]
    pub allow_devices: bool,
    /// Refuse layers with more entries than this
    #[arg(long, value_name = "N")]
    pub max_layer_entries: Option<u64>,
    /// Refuse layers that expand to more bytes than this
    #[arg(long, value_name = "BYTES")]
    pub max_layer_bytes: Option<u64>,
    /// Layers to download at once (as many are unpacked at once, each only once verified)
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Skip checks: `image` stores the image WITHOUT verifying its signature (recorded as insecure
    /// in its provenance and shown by `image list`); `http` allows plain HTTP to the registry
    #[arg(
        long = "insecure-options",
        value_name = "image,http",
        value_delimiter = ','
    )]
    pub insecure_options: Vec<InsecureOption>,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// No progress display (it is drawn only when stderr is a terminal anyway)
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

fn parse_creds(s: &str) -> Result<Credentials, String> {
    s.parse()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InsecureOption {
    /// Do not verify the image's signature.
    Image,
    /// Allow plain HTTP (and an HTTP token server) for the registry.
    Http,
}

/// How to reach a registry: credentials and TLS, for every verb that talks to one (`fetch`, `image
/// sign docker://…`).
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// Registry credentials (never printed; prefer --authfile, since arguments are visible to
    /// other users in ps)
    #[arg(long, value_name = "USER:PASSWORD", value_parser = parse_creds)]
    pub creds: Option<Credentials>,
    /// Registry credentials file (containers auth.json format), instead of the default search
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<PathBuf>,
    /// Extra CA certificate(s) (PEM) to trust for the registry's TLS; repeatable
    #[arg(long = "tls-ca", value_name = "FILE")]
    pub tls_ca: Vec<PathBuf>,
    /// Per-registry certificate dirs (DIR/<host[:port]>/*.crt, client.cert, client.key)
    #[arg(long = "cert-dir", value_name = "DIR")]
    pub cert_dir: Option<PathBuf>,
}

/// Registry options from config.toml with the command's flags on top.
pub fn registry_options(ctx: &Ctx, r: RegistryArgs, http: bool) -> RegistryOptions {
    let mut o = liftoff::transport::registry::RegistryOptions::from_config(&ctx.config.registries);
    o.creds = r.creds;
    if r.authfile.is_some() {
        o.authfile = r.authfile;
    }
    o.tls_ca = r.tls_ca;
    if r.cert_dir.is_some() {
        o.certs_dir = r.cert_dir;
    }
    o.insecure_http = http;
    o
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
    let mut limits = liftoff::unpack::UnpackLimits::from_config(&ctx.config.unpack);
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
        trust: ctx.trust()?.clone(),
        insecure: a.insecure_options.contains(&InsecureOption::Image),
        registry: registry_options(
            ctx,
            a.registry,
            a.insecure_options.contains(&InsecureOption::Http),
        ),
        progress: !a.quiet
            && std::io::stderr().is_terminal()
            && !tracing::enabled!(tracing::Level::DEBUG),
    };
    if opts.insecure {
        liftoff_stage2::warning!(
            "--insecure-options=image: signature verification is DISABLED for {}; \
             anything in this image will be stored and can be run as if it were trusted.",
            a.source
        );
    }
    ctx.store.check_free(ctx.config.min_free()?, "the fetch")?;
    let r = fetch(&ctx.store, &src, &opts)
        .with_context(|| format!("fetching {} failed; the store is unchanged", a.source))?;
    if !r.provenance.verified {
        liftoff_stage2::warning!(
            "{} is stored UNVERIFIED ({}).",
            r.name,
            r.provenance.verification
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
