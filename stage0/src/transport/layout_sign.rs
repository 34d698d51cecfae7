//! Writing signatures into an OCI image layout (`image sign oci:DIR[:REF]`, `image export`), as
//! cosign would into a repository: the `sha256-<hex>.sig` manifest is listed in index.json under
//! that ref name, and existing signatures are merged, not replaced.
//!
//! The pieces are public for `crate::publish` (`image export`), which writes a whole image into a
//! layout with the same blob writer, the same signature manifest and the same index.json update.
//! Every file is written atomically (temp file in the layout, then rename), and index.json is
//! replaced last and whole, so a failure leaves the layout's index as it was.

use crate::cosign::{self, RawSignature};
use crate::digest::Digest;
use crate::image_manifest::{RawDescriptor, OCI_INDEX, OCI_MANIFEST};
use crate::transport::{self, SourceRef, TransportError};
use std::path::Path;

/// The annotation a layout names its images by.
const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// The `oci-layout` file of every layout liftoff writes (and the only version it reads).
pub const OCI_LAYOUT_FILE: &[u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;

#[derive(Debug, thiserror::Error)]
pub enum LayoutSignError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("{path}: {op}: {source}")]
    Io {
        path: std::path::PathBuf,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

impl From<liftoff_common::atomic::WriteError> for LayoutSignError {
    fn from(e: liftoff_common::atomic::WriteError) -> LayoutSignError {
        LayoutSignError::Io {
            path: e.path,
            op: e.op,
            source: e.source,
        }
    }
}

fn io(path: &Path, op: &'static str) -> impl FnOnce(std::io::Error) -> LayoutSignError {
    let path = path.to_path_buf();
    move |source| LayoutSignError::Io { path, op, source }
}

/// The digest of the top-level manifest `reference` names in the layout (checked).
pub fn top_digest(dir: &Path, reference: Option<&str>) -> Result<Digest, LayoutSignError> {
    let src = transport::open(&SourceRef::OciLayout {
        path: dir.to_path_buf(),
        reference: reference.map(str::to_string),
    })?;
    Ok(src.top()?.digest)
}

/// Takes the layout's writer lock: concurrent signers and exporters of one layout are serialised on
/// the directory itself, so no lock file is left behind. Held until the returned handle drops.
pub fn lock(dir: &Path) -> Result<std::fs::File, LayoutSignError> {
    let d = std::fs::File::open(dir).map_err(io(dir, "open"))?;
    liftoff_common::lock::lock(&d, liftoff_common::lock::Mode::Exclusive)
        .map_err(io(dir, "lock"))?;
    Ok(d)
}

/// Writes a small blob (a manifest, a config, a payload) into `dir/blobs/sha256/`, atomically.
pub fn write_blob(dir: &Path, bytes: &[u8]) -> Result<Digest, LayoutSignError> {
    let d = Digest::of(bytes);
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).map_err(io(&blobs, "create"))?;
    liftoff_common::atomic::write(&blobs.join(d.hex()), bytes)?;
    Ok(d)
}

/// The signatures the layout at `dir` holds for `digest` (bounded and checked as any source's).
pub fn signatures(dir: &Path, digest: &Digest) -> Result<Vec<RawSignature>, LayoutSignError> {
    let src = transport::open(&SourceRef::OciLayout {
        path: dir.to_path_buf(),
        reference: None,
    })?;
    Ok(src.signatures(digest)?)
}

/// An index.json entry: a ref name and the descriptor it names.
pub type IndexRef = (String, RawDescriptor);

/// A signature manifest ready to be written: its blobs and the index entry that lists it.
pub struct SigManifest {
    /// Payloads, config, and the manifest itself, in the order to write them.
    pub blobs: Vec<Vec<u8>>,
    /// Ref name `sha256-<hex>.sig` and the manifest's descriptor.
    pub entry: IndexRef,
}

/// The signature manifest of `digest` holding `all`. Written by [`write_signature_manifest`], or
/// into an archive by `image export`.
pub fn signature_manifest(
    digest: &Digest,
    all: &[RawSignature],
) -> Result<SigManifest, LayoutSignError> {
    if all.len() > cosign::MAX_SIGNATURES {
        return Err(LayoutSignError::Invalid(format!(
            "{} signatures for {digest} are more than the {} liftoff reads; not adding more",
            all.len(),
            cosign::MAX_SIGNATURES
        )));
    }
    let (manifest, config) = cosign::build_sig_manifest(all);
    let entry = (
        cosign::sig_tag(digest),
        RawDescriptor::new(OCI_MANIFEST, &Digest::of(&manifest), manifest.len() as u64),
    );
    let mut blobs: Vec<Vec<u8>> = all.iter().map(|s| s.payload.clone()).collect();
    // The manifest last: written in this order, it never names a blob not yet in the layout.
    blobs.push(config);
    blobs.push(manifest);
    Ok(SigManifest { blobs, entry })
}

/// Writes the signature manifest of `digest` holding `all` (see [`signature_manifest`]) into the
/// layout and returns its index entry.
pub fn write_signature_manifest(
    dir: &Path,
    digest: &Digest,
    all: &[RawSignature],
) -> Result<IndexRef, LayoutSignError> {
    let m = signature_manifest(digest, all)
        .map_err(|e| LayoutSignError::Invalid(format!("{}: {e}", dir.display())))?;
    for b in &m.blobs {
        write_blob(dir, b)?;
    }
    Ok(m.entry)
}

/// The bytes of index.json `current` (None: a new, empty index) with each `(ref name, descriptor)`
/// of `refs` listed, replacing any entry of the same ref name and keeping every other entry (and
/// field) as it was. `path` names the file in messages.
pub fn index_with_refs(
    current: Option<&[u8]>,
    refs: &[IndexRef],
    path: &Path,
) -> Result<Vec<u8>, LayoutSignError> {
    let mut index: serde_json::Value = match current {
        Some(bytes) => serde_json::from_slice(bytes)
            .map_err(|e| LayoutSignError::Invalid(format!("{}: {e}", path.display())))?,
        None => serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [],
        }),
    };
    let Some(list) = index.get_mut("manifests").and_then(|m| m.as_array_mut()) else {
        return Err(LayoutSignError::Invalid(format!(
            "{} has no manifests list",
            path.display()
        )));
    };
    list.retain(|v| {
        let name = v.pointer("/annotations/org.opencontainers.image.ref.name");
        !refs
            .iter()
            .any(|(r, _)| name.and_then(|n| n.as_str()) == Some(r.as_str()))
    });
    for (r, d) in refs {
        list.push(d.clone().annotated(REF_NAME, r).to_value());
    }
    Ok(serde_json::to_vec(&index).expect("a JSON value serialises"))
}

/// Lists `refs` in the layout's index.json (see [`index_with_refs`]), creating it when the layout
/// has none yet; the file is replaced atomically in one write.
pub fn set_refs(dir: &Path, refs: &[IndexRef]) -> Result<(), LayoutSignError> {
    let index_path = dir.join("index.json");
    let current = match std::fs::read(&index_path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(&index_path, "read")(e)),
    };
    let bytes = index_with_refs(current.as_deref(), refs, &index_path)?;
    liftoff_common::atomic::write(&index_path, &bytes)?;
    Ok(())
}

/// Adds one signature for `digest` to the layout at `dir`.
pub fn add_signature(
    dir: &Path,
    digest: &Digest,
    payload: Vec<u8>,
    signature: String,
) -> Result<(), LayoutSignError> {
    let _lock = lock(dir)?;
    let mut all = signatures(dir, digest)?;
    if cosign::merge(&mut all, &[RawSignature { payload, signature }]) == 0 {
        return Ok(());
    }
    let entry = write_signature_manifest(dir, digest, &all)?;
    set_refs(dir, &[entry])
}
