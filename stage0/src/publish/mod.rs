//! Publishing a stored image with its signatures: `image push` to a registry ([`registry`]) and
//! `image export` to an OCI layout or archive ([`layout`]).
//!
//! Both start from [`collect`], which reads from the store everything the image is made of: the
//! top-level manifest or index (the digest its signatures cover), the child manifests of an index
//! that the store holds (a fetch keeps only the platform it selected), every config and layer blob
//! those name, and the cosign signatures stored for the top digest. A blob the manifests name but
//! the store lacks is an error here, before anything is written anywhere, so a destination never
//! gets an image it cannot be fetched from.
//!
//! The store keeps every layer blob it fetched or imported, compressed as it came; what unpacking
//! left out of a layer (`Store::layer_skipped`: device nodes, fifos) is missing only from the
//! unpacked copy, never from the blob that is published.

pub mod layout;
pub mod registry;

use crate::cosign::RawSignature;
use crate::digest::Digest;
use crate::image_manifest::{self, Descriptor, ImageManifestError, Kind, OCI_MANIFEST};
use crate::reference::{ImageName, ReferenceError};
use crate::store::{IndexEntry, Store, StoreError};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Name(#[from] ReferenceError),
    #[error("image {name}: {source}; remove it with `liftoff image rm {name}` and fetch it again")]
    Manifest {
        name: String,
        #[source]
        source: Box<ImageManifestError>,
    },
    #[error("image {name}: {what} {digest} is not in the store ({path} is missing), so it cannot be published; the store keeps every blob it fetched, so it was removed behind liftoff's back: fetch the image again ({hint}) and retry")]
    MissingBlob {
        name: String,
        what: String,
        digest: Digest,
        path: PathBuf,
        hint: String,
    },
    #[error("image {name}: store blob {digest} is {actual} bytes but {what} says {expected}; the store was modified: check it with `liftoff image verify {name}`, then remove the image and fetch it again")]
    WrongSize {
        name: String,
        what: String,
        digest: Digest,
        expected: u64,
        actual: u64,
    },
}

/// A manifest or index as stored: its bytes, digest and the media type to declare for it.
#[derive(Debug, Clone)]
pub struct Document {
    pub digest: Digest,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// A config or layer blob of the image, in the store.
#[derive(Debug, Clone)]
pub struct Blob {
    pub digest: Digest,
    pub size: u64,
    /// What it is, for messages: `layer 2 of manifest sha256:…`.
    pub what: String,
    pub path: PathBuf,
}

/// Everything a stored image is made of, read and checked by [`collect`].
#[derive(Debug)]
pub struct StoredImage {
    /// The store name.
    pub name: ImageName,
    /// The top-level manifest or index: what the signatures cover.
    pub top: Document,
    /// The child manifests of an index that the store holds (none for a single manifest).
    pub children: Vec<Document>,
    /// The child manifests of an index that the store does not hold (platforms never fetched).
    pub absent_children: Vec<Descriptor>,
    /// Configs and layers of the top manifest or of the stored children, each once.
    pub blobs: Vec<Blob>,
    /// The signatures the store has for the top digest under the image's repository.
    pub signatures: Vec<RawSignature>,
}

impl StoredImage {
    /// Bytes of all blobs (for messages).
    pub fn blob_bytes(&self) -> u64 {
        self.blobs.iter().map(|b| b.size).sum()
    }
}

/// The media type a document declares for itself, else the one its descriptor gave, else OCI's.
fn own_media_type(bytes: &[u8], declared: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "mediaType", default)]
        media_type: Option<String>,
    }
    serde_json::from_slice::<Probe>(bytes)
        .ok()
        .and_then(|p| p.media_type)
        .filter(|m| !m.is_empty())
        .or_else(|| Some(declared.to_string()).filter(|m| !m.is_empty()))
        .unwrap_or_else(|| OCI_MANIFEST.to_string())
}

/// Reads and checks everything image `e` is made of; see the module documentation.
pub fn collect(store: &Store, e: &IndexEntry) -> Result<StoredImage, PublishError> {
    let name = ImageName::parse(&e.name)?;
    let broken = |source: ImageManifestError| PublishError::Manifest {
        name: e.name.clone(),
        source: Box::new(source),
    };
    let hint = match store.provenance(&e.name, &e.descriptor.digest)? {
        Some(p) if !p.source.starts_with("import:") => format!(
            "`liftoff image rm {0}`, then `liftoff fetch {1} --as {0}`",
            e.name, p.source
        ),
        _ => format!(
            "`liftoff image rm {}`, then fetch or import it again",
            e.name
        ),
    };
    let mut c = Collector {
        store,
        name: &e.name,
        hint,
        blobs: Vec::new(),
    };
    let top_bytes = c.document(&e.descriptor.digest, Some(e.descriptor.size), "manifest")?;
    let what = format!("stored manifest {}", e.descriptor.digest);
    let kind = image_manifest::classify(&top_bytes, Some(&e.descriptor.media_type), &what)
        .map_err(broken)?;
    let mut children = Vec::new();
    let mut absent_children = Vec::new();
    match kind {
        Kind::Manifest => c.manifest_blobs(&top_bytes, &e.descriptor.digest)?,
        Kind::Index => {
            for d in image_manifest::parse_index(&top_bytes, &what).map_err(broken)? {
                if !store.has_blob(&d.digest) {
                    absent_children.push(d);
                    continue;
                }
                let bytes = c.document(&d.digest, Some(d.size), "child manifest")?;
                let cwhat = format!("stored manifest {}", d.digest);
                if image_manifest::classify(&bytes, Some(&d.media_type), &cwhat).map_err(broken)?
                    != Kind::Manifest
                {
                    return Err(broken(ImageManifestError::Invalid {
                        what: cwhat,
                        reason: "an index inside an index is not supported".into(),
                    }));
                }
                c.manifest_blobs(&bytes, &d.digest)?;
                children.push(Document {
                    media_type: own_media_type(&bytes, &d.media_type),
                    digest: d.digest,
                    bytes,
                });
            }
        }
    }
    let signatures = store.signatures(&name.repository(), &e.descriptor.digest)?;
    Ok(StoredImage {
        top: Document {
            media_type: own_media_type(&top_bytes, &e.descriptor.media_type),
            digest: e.descriptor.digest.clone(),
            bytes: top_bytes,
        },
        name,
        children,
        absent_children,
        blobs: c.blobs,
        signatures,
    })
}

/// Gathers the blobs of one image, checking each is in the store with the size its descriptor says.
struct Collector<'a> {
    store: &'a Store,
    name: &'a str,
    hint: String,
    blobs: Vec<Blob>,
}

impl Collector<'_> {
    /// The store's path of blob `d` (`what` it is, for the message when it is missing), checked
    /// against `size` when one is known.
    fn locate(&self, d: &Digest, size: Option<u64>, what: &str) -> Result<PathBuf, PublishError> {
        let path = self.store.blob_path(d);
        let md = match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => {
                return Err(self.missing(d, what, path));
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(self.missing(d, what, path));
            }
            Err(err) => return Err(crate::store::io(&path, "stat")(err).into()),
        };
        if let Some(expected) = size.filter(|s| *s != md.len()) {
            return Err(PublishError::WrongSize {
                name: self.name.to_string(),
                what: what.to_string(),
                digest: d.clone(),
                expected,
                actual: md.len(),
            });
        }
        Ok(path)
    }

    fn missing(&self, d: &Digest, what: &str, path: PathBuf) -> PublishError {
        PublishError::MissingBlob {
            name: self.name.to_string(),
            what: what.to_string(),
            digest: d.clone(),
            path,
            hint: self.hint.clone(),
        }
    }

    /// Reads a stored manifest, checked against its digest.
    fn document(&self, d: &Digest, size: Option<u64>, what: &str) -> Result<Vec<u8>, PublishError> {
        self.locate(d, size, what)?;
        let bytes = self.store.read_blob(d)?;
        if &Digest::of(&bytes) != d {
            return Err(StoreError::BadBlob { digest: d.clone() }.into());
        }
        Ok(bytes)
    }

    /// Adds the config and layers of manifest `bytes` (digest `d`).
    fn manifest_blobs(&mut self, bytes: &[u8], d: &Digest) -> Result<(), PublishError> {
        let what = format!("stored manifest {d}");
        let m = image_manifest::parse_manifest(bytes, &what).map_err(|source| {
            PublishError::Manifest {
                name: self.name.to_string(),
                source: Box::new(source),
            }
        })?;
        let mut parts = vec![(m.config.clone(), format!("config of manifest {d}"))];
        for (i, (l, _)) in m.layers.iter().enumerate() {
            parts.push((l.clone(), format!("layer {} of manifest {d}", i + 1)));
        }
        for (desc, what) in parts {
            if self.blobs.iter().any(|b| b.digest == desc.digest) {
                continue;
            }
            let path = self.locate(&desc.digest, Some(desc.size), &what)?;
            self.blobs.push(Blob {
                digest: desc.digest,
                size: desc.size,
                what,
                path,
            });
        }
        Ok(())
    }
}
