//! `liftoff image push NAME docker://HOST/REPO:TAG`: copy a stored image, with its signatures, to a
//! registry (`liftoff::publish`).

use super::image_sign::SignInsecure;
use super::Ctx;
use anyhow::{bail, Context, Result};
use clap::Args;
use liftoff::publish::{self, registry::push_image, StoredImage};
use liftoff::reference::ImageName;
use liftoff::transport::registry::RegistrySource;
use liftoff::trust::payload;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  liftoff image push example.com/team/app:1.4 docker://registry.example.com/team/app:1.4
  liftoff image push 3f2a docker://127.0.0.1:5000/app:1 --insecure-options=http --creds me:secret
The image's blobs go up first (those the registry has are skipped), then its signatures, merged
with the ones already in the repository, and the manifest under TAG last, so the tag never points
at an incomplete or not yet signed image. A signature vouches for a name: sign the image for the
name it is pushed as (`liftoff image sign NAME --identity HOST/REPO:TAG --key KEY`) before
pushing, or verifying pullers of that name refuse it. Needs push rights on the repository.

Prints the pushed reference, the image's digest and the number of signatures it carried.")]
pub struct PushArgs {
    /// The image in the store (name or digest prefix)
    pub image: String,
    /// Where to push it: docker://HOST/REPO:TAG
    pub dest: String,
    #[command(flatten)]
    pub registry: super::fetch::RegistryArgs,
    /// `http`: allow plain HTTP to the registry
    #[arg(long = "insecure-options", value_name = "http", value_delimiter = ',')]
    pub insecure_options: Vec<SignInsecure>,
}

/// The registry name `dest` spells; only `docker://` with a tag (and no digest) is a place to push.
fn destination(dest: &str) -> Result<ImageName> {
    let Some(rest) = dest.strip_prefix("docker://") else {
        bail!(
            "{dest:?} is not a registry destination; push to docker://HOST/REPO:TAG (use `liftoff image export` for oci: and oci-archive:)"
        );
    };
    let name = ImageName::parse(rest).with_context(|| format!("the push destination {dest}"))?;
    if name.digest.is_some() {
        bail!("docker://{name}: a push names a tag, not a digest; use docker://{}:TAG (the digest is the image's own)", name.repository());
    }
    Ok(name)
}

/// Warns when what is pushed will not verify as `dest`: no signatures at all, or none naming it.
fn warn_unverifiable(img: &StoredImage, dest: &ImageName) {
    let name = &img.name;
    if img.signatures.is_empty() {
        liftoff_stage2::warning!(
            "{name} has NO signatures in the store: docker://{dest} is pushed unsigned, and every \
             puller that verifies signatures (liftoff with a trusted key for it, podman or skopeo \
             with a sigstore policy) will refuse it; sign it first with \
             `liftoff image sign {name} --identity {dest} --key KEY` and push again"
        );
        return;
    }
    // The payloads are not verified here (no key is needed to push); they are only read for the
    // name they vouch for, to catch the common slip of signing for the store name only.
    let names: Vec<String> = img
        .signatures
        .iter()
        .filter_map(|s| payload::parse_strict(&s.payload, true).ok())
        .map(|p| p.docker_reference)
        .collect();
    if !names.iter().any(|n| *n == dest.to_string()) {
        let mut shown = names.clone();
        shown.sort();
        shown.dedup();
        liftoff_stage2::warning!(
            "none of the {} signature(s) of {name} vouches for {dest} (they name: {}); a puller \
             that verifies {dest} with the default identity policy will refuse it; sign it for \
             that name with `liftoff image sign {name} --identity {dest} --key KEY` and push again",
            img.signatures.len(),
            if shown.is_empty() {
                "nothing readable".to_string()
            } else {
                shown.join(", ")
            }
        );
    }
}

pub fn run(ctx: &Ctx, a: PushArgs) -> Result<u8> {
    let dest = destination(&a.dest)?;
    // Held shared, as a fetch holds it, for the whole push: `image gc` cannot remove a blob of
    // the image while it is being read (it waits, and names this push if it waits too long).
    let _use = ctx.store.lock_use()?;
    let e = liftoff::images::find(&ctx.store, &a.image)?;
    let img = publish::collect(&ctx.store, &e)?;
    if !img.absent_children.is_empty() {
        liftoff_stage2::warning!(
            "{} is a multi-platform index of which the store holds {} of {} platform manifests \
             (a fetch keeps only the platform it selected); registries that check an index's \
             manifests (most do) will refuse it",
            img.name,
            img.children.len(),
            img.children.len() + img.absent_children.len()
        );
    }
    warn_unverifiable(&img, &dest);
    let opts = super::fetch::registry_options(
        ctx,
        a.registry,
        a.insecure_options.contains(&SignInsecure::Http),
    );
    let src = RegistrySource::for_push(&dest, &opts)?;
    let r = push_image(&img, &src, &dest)
        .with_context(|| format!("pushing {} to docker://{dest} failed", img.name))?;
    tracing::info!(
        "{} blob(s) uploaded, {} already in the registry; {} signature(s) for {} in {} now",
        r.uploaded,
        r.present,
        r.in_registry,
        r.digest,
        dest.repository()
    );
    println!("{dest} {} {} signature(s)", r.digest, r.carried);
    Ok(0)
}
