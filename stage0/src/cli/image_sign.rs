//! `liftoff image sign`: sign an image in the store or in an OCI layout.

use super::Ctx;
use anyhow::{bail, Context, Result};
use clap::Args;
use liftoff::reference::ImageName;
use liftoff::transport::registry::{push, RegistrySource};
use liftoff::transport::{Source, SourceRef};
use liftoff::trust::{keys, payload, signature};
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  liftoff image sign example.com/team/app:1.4 --key ./release.key
  liftoff image sign oci:./layout:1.4 --identity example.com/team/app:1.4 --key ./release.key
  liftoff image sign docker://registry.example.com/team/app:1.4 --key ./release.key
  COSIGN_PASSWORD=... liftoff image sign example.com/team/app:1.4 --key ./cosign.key
The signature is a cosign-compatible simple-signing payload stored as the sha256-<digest>.sig
manifest beside the image (in the store, the layout, or the registry repository, which needs
push rights); existing signatures are kept.")]
pub struct SignArgs {
    /// An image in the store (name or digest prefix), oci:DIR[:REF], or docker://NAME:TAG in a
    /// registry
    pub image: String,
    /// Private key, mode 0600: Ed25519 or ECDSA P-256, PKCS#8 PEM or cosign's encrypted format
    #[arg(long)]
    pub key: PathBuf,
    /// File whose first line is the passphrase of a cosign key (else $COSIGN_PASSWORD, else asked
    /// on the terminal)
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// The name the signature vouches for (default: the image's store name)
    #[arg(long, value_name = "NAME:TAG")]
    pub identity: Option<String>,
    #[command(flatten)]
    pub registry: super::fetch::RegistryArgs,
    /// `http`: allow plain HTTP to the registry
    #[arg(long = "insecure-options", value_name = "http", value_delimiter = ',')]
    pub insecure_options: Vec<SignInsecure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SignInsecure {
    /// Allow plain HTTP for the registry.
    Http,
}

pub fn run(ctx: &Ctx, a: SignArgs) -> Result<u8> {
    let pass = liftoff::trust::passphrase::Passphrase::from_cli(a.passphrase_file.as_deref());
    let key = keys::load_private(&a.key, &pass)
        .with_context(|| format!("loading signing key {}", a.key.display()))?;
    let creator = format!("liftoff {}", env!("CARGO_PKG_VERSION"));
    let now = chrono::Utc::now().timestamp();
    let identity = a
        .identity
        .as_deref()
        .map(ImageName::parse)
        .transpose()
        .context("--identity")?;
    if let Some(i) = &identity {
        if i.tag.is_none() || i.digest.is_some() {
            bail!("--identity {i} must name a tag and no digest, e.g. example.com/team/app:1.4");
        }
    }
    if a.image.starts_with("oci:") {
        let SourceRef::OciLayout { path, reference } = SourceRef::parse(&a.image)? else {
            unreachable!()
        };
        let Some(identity) = identity else {
            bail!("signing a layout needs --identity NAME:TAG (the name the image will be fetched as)");
        };
        let digest = liftoff::transport::layout_sign::top_digest(&path, reference.as_deref())?;
        let p = payload::build(&identity.to_string(), &digest, &creator, now);
        let sig = signature::sign(&key, &p);
        liftoff::transport::layout_sign::add_signature(&path, &digest, p, sig)
            .with_context(|| format!("writing the signature into {}", path.display()))?;
        println!("{identity} {digest} {}", key.public().key_id());
        return Ok(0);
    }
    if let Some(rest) = a.image.strip_prefix("docker://") {
        let name = ImageName::parse(rest).context("the image to sign")?;
        if name.digest.is_some() && identity.is_none() {
            bail!("signing docker://{name} by digest needs --identity NAME:TAG (the name the image will be fetched as)");
        }
        let opts = super::fetch::registry_options(
            ctx,
            a.registry,
            a.insecure_options.contains(&SignInsecure::Http),
        );
        let src = RegistrySource::for_push(&name, &opts)?;
        let digest = src.top()?.digest;
        let identity = identity.unwrap_or_else(|| ImageName {
            digest: None,
            ..name.clone()
        });
        let p = payload::build(&identity.to_string(), &digest, &creator, now);
        let sig = signature::sign(&key, &p);
        let n = push::add_signatures(
            &src,
            &digest,
            &[liftoff::cosign::RawSignature {
                payload: p,
                signature: sig,
            }],
        )
        .with_context(|| format!("pushing the signature of docker://{name}"))?;
        tracing::info!("{} signature(s) for {digest} in {}", n, name.repository());
        println!("{identity} {digest} {}", key.public().key_id());
        return Ok(0);
    }
    if a.image.contains(':')
        && SourceRef::parse(&a.image).is_ok_and(|r| !matches!(r, SourceRef::Registry { .. }))
    {
        bail!("only images in the store, oci: layouts and docker:// images can be signed; fetch the image first, or sign the layout before archiving it");
    }
    let e = liftoff::images::find(&ctx.store, &a.image)?;
    let name = ImageName::parse(&e.name)?;
    let identity = identity.unwrap_or_else(|| name.clone());
    let p = payload::build(&identity.to_string(), &e.descriptor.digest, &creator, now);
    let sig = signature::sign(&key, &p);
    ctx.store.add_signatures(
        &name.repository(),
        &e.descriptor.digest,
        &[liftoff::cosign::RawSignature {
            payload: p,
            signature: sig,
        }],
    )?;
    println!(
        "{identity} {} {}",
        e.descriptor.digest,
        key.public().key_id()
    );
    Ok(0)
}
