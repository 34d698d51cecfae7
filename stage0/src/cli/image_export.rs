//! `liftoff image export NAME oci:DIR[:REF] | oci-archive:FILE[:REF]`: write a stored image, with
//! its signatures, as an OCI image layout or archive (`liftoff::publish::layout`).

use super::Ctx;
use anyhow::{bail, Context, Result};
use clap::Args;
use liftoff::publish::{self, layout};
use liftoff::transport::SourceRef;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  liftoff image export example.com/team/app:1.4 oci:./layout            # ref name 1.4
  liftoff image export example.com/team/app:1.4 oci:./layout:stable
  liftoff image export 3f2a oci-archive:app.tar:1.4
  liftoff fetch oci:./layout:1.4 --as example.com/team/app:1.4          # on another machine
REF defaults to the image's tag. An oci: directory is created when absent and added to when it
is an OCI layout (an entry of the same REF is replaced). An oci-archive: FILE is written whole
and never replaces an existing file unless --force. The signatures go beside the image as the
sha256-<digest>.sig manifest (merged with those a layout already has), so `liftoff fetch` of the
result verifies them as it would from a registry.

Caveat: skopeo's oci: transport drops the .sig refs when it copies an image out of a layout
(`skopeo copy oci:DIR:REF …` takes the image only). To move a signed image, use
`liftoff image push`, or a registry-to-registry `skopeo copy`, which keeps the signatures when the
sha256-<digest>.sig tag is copied too. A signed layout holds two refs: give skopeo and umoci the
REF (skopeo inspect oci-archive:FILE:REF).

Prints the destination, the image's digest and the number of signatures it holds for it.")]
pub struct ExportArgs {
    /// The image in the store (name or digest prefix)
    pub image: String,
    /// Where to write it: oci:DIR[:REF] or oci-archive:FILE[:REF]
    pub dest: String,
    /// Replace an existing oci-archive FILE (a layout directory is added to, never replaced)
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, a: ExportArgs) -> Result<u8> {
    let dest = match SourceRef::parse(&a.dest) {
        Ok(r @ (SourceRef::OciLayout { .. } | SourceRef::OciArchive { .. })) => r,
        _ => bail!(
            "{:?} is not an export destination; use oci:DIR[:REF] or oci-archive:FILE[:REF] (use `liftoff image push` for docker://)",
            a.dest
        ),
    };
    if let SourceRef::OciLayout { path, .. } = &dest {
        let same = |p: &std::path::Path| std::fs::canonicalize(p).ok();
        if same(path).is_some() && same(path) == same(&ctx.store.images()) {
            bail!(
                "oci:{} is liftoff's own store; export into another directory",
                path.display()
            );
        }
    }
    // Held shared, as a fetch holds it, for the whole export: `image gc` cannot remove a blob of
    // the image while it is being copied.
    let _use = ctx.store.lock_use()?;
    let e = liftoff::images::find(&ctx.store, &a.image)?;
    let img = publish::collect(&ctx.store, &e)?;
    let default_ref = img
        .name
        .tag
        .clone()
        .unwrap_or_else(|| liftoff::reference::DEFAULT_TAG.to_string());
    if img.signatures.is_empty() {
        liftoff_stage2::warning!(
            "{} has NO signatures in the store: it is exported unsigned, and `liftoff fetch` of \
             it will refuse it wherever a key is trusted for its name; sign it first with \
             `liftoff image sign {} --key KEY` (and --identity for the name it will be fetched as)",
            img.name,
            img.name
        );
    }
    if !img.absent_children.is_empty() {
        liftoff_stage2::warning!(
            "{} is a multi-platform index of which the store holds {} of {} platform manifests; \
             the export has only those, and readers on the other platforms will not find theirs",
            img.name,
            img.children.len(),
            img.children.len() + img.absent_children.len()
        );
    }
    let (shown, r) = match dest {
        SourceRef::OciLayout { path, reference } => {
            let reference = reference.unwrap_or(default_ref);
            let r = layout::export_dir(&img, &path, &reference).with_context(|| {
                format!("exporting {} to oci:{} failed", img.name, path.display())
            })?;
            tracing::info!("{} blob(s) written, {} already there", r.written, r.present);
            (format!("oci:{}:{reference}", path.display()), r)
        }
        SourceRef::OciArchive { path, reference } => {
            let reference = reference.unwrap_or(default_ref);
            let r =
                layout::export_archive(&img, &path, &reference, a.force).with_context(|| {
                    format!(
                        "exporting {} to oci-archive:{} failed",
                        img.name,
                        path.display()
                    )
                })?;
            (format!("oci-archive:{}:{reference}", path.display()), r)
        }
        _ => unreachable!("checked above"),
    };
    println!("{shown} {} {} signature(s)", r.digest, r.signatures);
    Ok(0)
}
