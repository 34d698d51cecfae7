//! Signatures stored the way cosign stores them: an OCI manifest tagged `sha256-<hex>.sig` whose
//! layers are simple-signing payloads (media type `application/vnd.dev.cosign.simplesigning.v1+json`)
//! carrying the base64 signature in the `dev.cosignproject.cosign/signature` annotation.
//!
//! Everything read here is untrusted and bounded: at most [`MAX_SIGNATURES`] layers and
//! [`MAX_PAYLOAD`] bytes per payload are looked at, before any cryptography runs.

use crate::digest::Digest;
use crate::image_manifest::{
    manifest_bytes, History, ImageConfig, RawDescriptor, RootFs, RunConfig, OCI_CONFIG,
};

/// The time cosign writes into its signature config.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";
use serde::Deserialize;
use std::collections::BTreeMap;

pub const SIG_LAYER_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
pub const SIG_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// Most signatures looked at for one image.
pub const MAX_SIGNATURES: usize = 100;
/// Largest payload read.
pub const MAX_PAYLOAD: u64 = 64 * 1024;
/// Largest signature manifest read.
pub const MAX_SIG_MANIFEST: u64 = 256 * 1024;

/// The tag cosign gives the signatures of `d`.
pub fn sig_tag(d: &Digest) -> String {
    format!("sha256-{}.sig", d.hex())
}

/// Whether a ref name is a cosign signature tag (`sha256-<hex>.sig`) rather than an image.
pub fn is_signature_ref(r: &str) -> bool {
    let tag = r.rsplit(':').next().unwrap_or(r);
    tag.starts_with("sha256-") && tag.ends_with(".sig")
}

/// One signature as found: payload bytes and the base64 signature over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSignature {
    pub payload: Vec<u8>,
    pub signature: String,
}

/// A payload layer of a signature manifest, before its blob is read.
#[derive(Debug, Clone)]
pub struct SigLayer {
    pub digest: Digest,
    pub size: u64,
    pub signature: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CosignError {
    #[error("signature manifest is malformed: {0}")]
    Malformed(String),
    #[error("signature manifest lists {0} signatures, more than the {MAX_SIGNATURES} liftoff reads; refusing it")]
    TooMany(usize),
}

#[derive(Deserialize)]
struct RawManifest {
    #[serde(rename = "schemaVersion")]
    schema_version: i64,
    layers: Vec<RawLayer>,
}

#[derive(Deserialize)]
struct RawLayer {
    #[serde(rename = "mediaType", default)]
    media_type: String,
    digest: String,
    size: i64,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

/// Lists the signature layers of a signature manifest. Layers of other media types or without a
/// signature annotation are skipped (cosign also stores attestations and bundles this way).
pub fn parse_sig_manifest(bytes: &[u8]) -> Result<Vec<SigLayer>, CosignError> {
    if bytes.len() as u64 > MAX_SIG_MANIFEST {
        return Err(CosignError::Malformed(format!(
            "{} bytes, over the limit of {MAX_SIG_MANIFEST}",
            bytes.len()
        )));
    }
    let m: RawManifest =
        serde_json::from_slice(bytes).map_err(|e| CosignError::Malformed(e.to_string()))?;
    if m.schema_version != 2 {
        return Err(CosignError::Malformed(format!(
            "schemaVersion {}",
            m.schema_version
        )));
    }
    if m.layers.len() > MAX_SIGNATURES {
        return Err(CosignError::TooMany(m.layers.len()));
    }
    let mut out = Vec::new();
    for l in m.layers {
        if l.media_type != SIG_LAYER_MEDIA_TYPE {
            continue;
        }
        let Some(sig) = l.annotations.get(SIG_ANNOTATION) else {
            continue;
        };
        let digest = Digest::parse(&l.digest).map_err(|e| CosignError::Malformed(e.to_string()))?;
        if l.size < 0 || l.size as u64 > MAX_PAYLOAD {
            return Err(CosignError::Malformed(format!(
                "payload {digest} has size {}, outside 0..={MAX_PAYLOAD}",
                l.size
            )));
        }
        out.push(SigLayer {
            digest,
            size: l.size as u64,
            signature: sig.clone(),
        });
    }
    Ok(out)
}

/// Adds the signatures of `new` that `all` lacks to its end, keeping the order of both; returns how
/// many were added. What every place that stores signatures (the store, a layout, a registry) does
/// before it rebuilds the signature manifest: signing again merges, never replaces.
pub fn merge(all: &mut Vec<RawSignature>, new: &[RawSignature]) -> usize {
    let before = all.len();
    for s in new {
        if !all.contains(s) {
            all.push(s.clone());
        }
    }
    all.len() - before
}

/// Builds a signature manifest holding `sigs` (in order, duplicates removed). Returns the manifest
/// bytes, the config bytes, and the payload blobs it refers to.
pub fn build_sig_manifest(sigs: &[RawSignature]) -> (Vec<u8>, Vec<u8>) {
    let mut seen = std::collections::HashSet::new();
    let mut layers = Vec::new();
    let mut diff_ids = Vec::new();
    for s in sigs {
        if !seen.insert((s.payload.clone(), s.signature.clone())) {
            continue;
        }
        let d = Digest::of(&s.payload);
        diff_ids.push(d.to_string());
        layers.push(
            RawDescriptor::new(SIG_LAYER_MEDIA_TYPE, &d, s.payload.len() as u64)
                .annotated(SIG_ANNOTATION, &s.signature),
        );
    }
    // The config cosign writes: an empty image config whose diff_ids are the payload digests.
    let config = ImageConfig {
        architecture: Some(String::new()),
        config: Some(RunConfig::default()),
        created: Some(ZERO_TIME.into()),
        history: vec![History {
            created: ZERO_TIME.into(),
            created_by: None,
        }],
        os: Some(String::new()),
        rootfs: RootFs {
            diff_ids,
            kind: "layers".into(),
        },
        variant: None,
    }
    .to_bytes();
    let manifest = manifest_bytes(
        RawDescriptor::new(OCI_CONFIG, &Digest::of(&config), config.len() as u64),
        layers,
    );
    (manifest, config)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The typed signature config has the bytes of the `json!` document it replaced.
    #[test]
    fn the_signature_config_keeps_its_bytes() {
        let sig = RawSignature {
            payload: b"{}".to_vec(),
            signature: "c2ln".into(),
        };
        let (_, config) = build_sig_manifest(&[sig]);
        let literal = serde_json::to_vec(&serde_json::json!({
            "architecture": "",
            "config": {},
            "created": "0001-01-01T00:00:00Z",
            "history": [{"created": "0001-01-01T00:00:00Z"}],
            "os": "",
            "rootfs": {"type": "layers", "diff_ids": [Digest::of(b"{}").to_string()]},
        }))
        .unwrap();
        assert_eq!(
            String::from_utf8(config).unwrap(),
            String::from_utf8(literal).unwrap()
        );
    }

    #[test]
    fn round_trip_and_dedup() {
        let a = RawSignature {
            payload: b"{}".to_vec(),
            signature: "c2ln".into(),
        };
        let (m, _) = build_sig_manifest(&[a.clone(), a.clone()]);
        let layers = parse_sig_manifest(&m).unwrap();
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0].digest, Digest::of(b"{}"));
        assert_eq!(layers[0].signature, "c2ln");
    }

    #[test]
    fn merge_keeps_order_and_adds_only_new() {
        let s = |p: &str| RawSignature {
            payload: p.as_bytes().to_vec(),
            signature: "x".into(),
        };
        let mut all = vec![s("a"), s("b")];
        assert_eq!(merge(&mut all, &[s("b"), s("c"), s("c")]), 1);
        assert_eq!(all, vec![s("a"), s("b"), s("c")]);
        assert_eq!(merge(&mut all, &[]), 0);
    }

    #[test]
    fn too_many_signatures_refused() {
        let sigs: Vec<RawSignature> = (0..MAX_SIGNATURES + 1)
            .map(|i| RawSignature {
                payload: format!("{i}").into_bytes(),
                signature: "x".into(),
            })
            .collect();
        let (m, _) = build_sig_manifest(&sigs);
        assert!(matches!(
            parse_sig_manifest(&m),
            Err(CosignError::TooMany(_))
        ));
    }
}
