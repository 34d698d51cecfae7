//! `image push`: a stored image and its signatures into a registry repository.
//!
//! Order matters to whoever pulls meanwhile: blobs first (each skipped when the registry has it,
//! layers streamed from their store file), then the child manifests of an index by digest, then
//! the signatures (merged with those already in the repository by `push::add_signatures`), and the
//! top manifest under the tag last. A reader therefore never sees the tag point at a manifest
//! whose blobs are missing, and never sees the pushed tag before its signatures are there, so a
//! verifying puller does not refuse an image that is merely half-way through its push. A failure
//! before the last step leaves the tag where it was.

use super::StoredImage;
use crate::digest::Digest;
use crate::reference::ImageName;
use crate::store::StoreError;
use crate::transport::registry::push::{self, PushError};
use crate::transport::registry::{RegistryError, RegistrySource};

#[derive(Debug, thiserror::Error)]
pub enum PushImageError {
    #[error(transparent)]
    Push(#[from] PushError),
    #[error(transparent)]
    Store(#[from] StoreError),
    // The registry's error is part of the message rather than a `#[source]`, so the CLI does not
    // print it a second time as a cause.
    #[error("{what}: {cause}")]
    Step {
        what: String,
        cause: Box<RegistryError>,
    },
    #[error("the registry refused the index: {cause}; the store holds {held} of its {total} platform manifests (a fetch keeps only the platform it selected) and registries refuse an index whose manifests are missing; copy the whole image from where it came with `skopeo copy --all` and sign it there, or push a single-platform image")]
    PartialIndex {
        held: usize,
        total: usize,
        cause: Box<RegistryError>,
    },
}

/// What a push did.
#[derive(Debug, Clone)]
pub struct PushReport {
    pub digest: Digest,
    /// Blobs uploaded, and blobs the registry already had.
    pub uploaded: usize,
    pub present: usize,
    /// Signatures taken from the store, and how many the repository holds for the digest now.
    pub carried: usize,
    pub in_registry: usize,
}

/// Pushes `img` (read by [`super::collect`]) to `dest`, which names a tag in the repository `src`
/// was opened for (with push rights).
pub fn push_image(
    img: &StoredImage,
    src: &RegistrySource,
    dest: &ImageName,
) -> Result<PushReport, PushImageError> {
    let c = src.client();
    let tag = dest.tag.as_deref().unwrap_or(crate::reference::DEFAULT_TAG);
    let step = |what: String| {
        move |cause: RegistryError| PushImageError::Step {
            what,
            cause: Box::new(cause),
        }
    };
    let (mut uploaded, mut present) = (0, 0);
    for b in &img.blobs {
        let f = std::fs::File::open(&b.path).map_err(crate::store::io(&b.path, "open blob"))?;
        tracing::debug!("{}: {} ({} bytes)", b.what, b.digest, b.size);
        if push::put_blob_file(c, &b.digest, &f).map_err(step(b.what.clone()))? {
            uploaded += 1;
        } else {
            present += 1;
        }
    }
    for m in &img.children {
        push::put_manifest(c, &m.digest.to_string(), &m.media_type, &m.bytes)
            .map_err(step(format!("manifest {}", m.digest)))?;
    }
    // With nothing to carry, the repository's signatures (if any) are left as they are.
    let in_registry = if img.signatures.is_empty() {
        0
    } else {
        push::add_signatures(src, &img.top.digest, &img.signatures)?
    };
    if let Err(cause) = push::put_manifest(c, tag, &img.top.media_type, &img.top.bytes) {
        return Err(if img.absent_children.is_empty() {
            step(format!("manifest {}", img.top.digest))(cause)
        } else {
            PushImageError::PartialIndex {
                held: img.children.len(),
                total: img.children.len() + img.absent_children.len(),
                cause: Box::new(cause),
            }
        });
    }
    Ok(PushReport {
        digest: img.top.digest.clone(),
        uploaded,
        present,
        carried: img.signatures.len(),
        in_registry,
    })
}
