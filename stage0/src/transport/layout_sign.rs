//! Writing signatures into an OCI image layout (`image sign oci:DIR[:REF]`), as cosign would into a
//! repository: the `sha256-<hex>.sig` manifest is listed in index.json under that ref name, and
//! existing signatures are merged, not replaced.

use crate::cosign::{self, RawSignature};
use crate::digest::Digest;
use crate::image_manifest::{RawDescriptor, OCI_MANIFEST};
use crate::transport::{self, SourceRef, TransportError};
use std::path::Path;

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

fn write_file(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), LayoutSignError> {
    let dest = dir.join(rel);
    liftoff_common::atomic::write(&dest, bytes).map_err(|e| LayoutSignError::Io {
        path: e.path,
        op: e.op,
        source: e.source,
    })
}

/// Adds one signature for `digest` to the layout at `dir`.
pub fn add_signature(
    dir: &Path,
    digest: &Digest,
    payload: Vec<u8>,
    signature: String,
) -> Result<(), LayoutSignError> {
    // Serialise concurrent signers of the same layout on the directory itself: no lock file is left.
    let d = std::fs::File::open(dir).map_err(io(dir, "open"))?;
    liftoff_common::lock::lock(&d, liftoff_common::lock::Mode::Exclusive)
        .map_err(io(dir, "lock"))?;
    let src = transport::open(&SourceRef::OciLayout {
        path: dir.to_path_buf(),
        reference: None,
    })?;
    let mut all = src.signatures(digest)?;
    let new = RawSignature { payload, signature };
    if all.contains(&new) {
        return Ok(());
    }
    all.push(new);
    if all.len() > cosign::MAX_SIGNATURES {
        return Err(LayoutSignError::Invalid(format!(
            "{} already holds {} signatures for {digest}; not adding more",
            dir.display(),
            cosign::MAX_SIGNATURES
        )));
    }
    let (manifest, config) = cosign::build_sig_manifest(&all);
    std::fs::create_dir_all(dir.join("blobs/sha256")).map_err(io(dir, "create blobs/sha256"))?;
    for s in &all {
        write_file(
            dir,
            &format!("blobs/sha256/{}", Digest::of(&s.payload).hex()),
            &s.payload,
        )?;
    }
    write_file(
        dir,
        &format!("blobs/sha256/{}", Digest::of(&config).hex()),
        &config,
    )?;
    let md = Digest::of(&manifest);
    write_file(dir, &format!("blobs/sha256/{}", md.hex()), &manifest)?;

    let index_path = dir.join("index.json");
    let bytes = std::fs::read(&index_path).map_err(io(&index_path, "read"))?;
    let mut index: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| LayoutSignError::Invalid(format!("{}: {e}", index_path.display())))?;
    let tag = cosign::sig_tag(digest);
    let Some(list) = index.get_mut("manifests").and_then(|m| m.as_array_mut()) else {
        return Err(LayoutSignError::Invalid(format!(
            "{} has no manifests list",
            index_path.display()
        )));
    };
    list.retain(|v| {
        v.pointer("/annotations/org.opencontainers.image.ref.name")
            .and_then(|n| n.as_str())
            != Some(tag.as_str())
    });
    list.push(
        RawDescriptor::new(OCI_MANIFEST, &md, manifest.len() as u64)
            .annotated("org.opencontainers.image.ref.name", &tag)
            .to_value(),
    );
    write_file(
        dir,
        "index.json",
        &serde_json::to_vec(&index).expect("serialisable"),
    )
}
