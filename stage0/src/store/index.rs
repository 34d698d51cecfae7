//! The store's index.json (one entry per image name, as skopeo and umoci read it) and per-image
//! provenance records under images/meta/.

use super::{io, Store, StoreError};
use crate::cosign::is_signature_ref;
use crate::digest::Digest;
use crate::image_manifest::{self, Descriptor, RawDescriptor, OCI_INDEX};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// One named image in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    pub name: String,
    pub descriptor: Descriptor,
}

/// How an image came to be in the store. Informational for `run` (which verifies the stored
/// signatures again); `image extract` refuses an image whose record says unverified.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Provenance {
    pub name: String,
    /// Digest of the top-level manifest or index (what a signature covers).
    pub digest: Digest,
    /// Digest of the platform manifest that was selected (equal to `digest` without an index).
    pub manifest: Digest,
    pub platform: String,
    /// Where it came from, e.g. `oci:/path:1.0` or `import:/abs/dir`.
    pub source: String,
    /// RFC 3339 time it entered the store.
    pub fetched_at: String,
    pub verified: bool,
    /// Human-readable account of the verification (or why there was none).
    pub verification: String,
    #[serde(default)]
    pub created: Option<String>,
    /// Sum of the stored sizes of manifest(s), config and layers for the selected platform.
    pub size: u64,
    /// Key ids whose signatures were accepted (empty when unverified).
    #[serde(default)]
    pub key_ids: Vec<String>,
    /// The signed docker-reference.
    #[serde(default)]
    pub identity: Option<String>,
    /// The signature's own timestamp (unix seconds).
    #[serde(default)]
    pub signed_at: Option<i64>,
    /// Signature scheme (`ed25519`, `ecdsa-p256-sha256`, … as in policy.toml).
    #[serde(default)]
    pub scheme: Option<String>,
    /// Verification was skipped on request (`--insecure-options=image` or a policy escape hatch).
    #[serde(default)]
    pub insecure: bool,
}

fn ref_of(v: &serde_json::Value) -> Option<&str> {
    v.pointer("/annotations/org.opencontainers.image.ref.name")
        .and_then(|n| n.as_str())
}

#[derive(Serialize, Deserialize)]
struct RawIndex {
    #[serde(rename = "schemaVersion")]
    schema_version: u32,
    #[serde(rename = "mediaType", default, skip_serializing_if = "Option::is_none")]
    media_type: Option<String>,
    manifests: Vec<serde_json::Value>,
}

impl Store {
    pub(crate) fn index_path(&self) -> PathBuf {
        self.images().join("index.json")
    }

    fn meta_path(&self, d: &Digest) -> PathBuf {
        self.images().join("meta").join(format!("{}.json", d.hex()))
    }

    fn read_raw_index(&self) -> Result<RawIndex, StoreError> {
        let p = self.index_path();
        let bytes = std::fs::read(&p).map_err(io(&p, "read"))?;
        serde_json::from_slice(&bytes).map_err(|e| StoreError::CorruptIndex {
            path: p,
            reason: e.to_string(),
        })
    }

    pub(crate) fn write_index(&self, entries: &[serde_json::Value]) -> Result<(), StoreError> {
        let raw = RawIndex {
            schema_version: 2,
            media_type: Some(OCI_INDEX.to_string()),
            manifests: entries.to_vec(),
        };
        let bytes = serde_json::to_vec(&raw).expect("serialising JSON values cannot fail");
        self.write_atomic(&self.index_path(), &bytes)
    }

    /// Named images (signature entries excluded), sorted by name.
    pub fn entries(&self) -> Result<Vec<IndexEntry>, StoreError> {
        let p = self.index_path();
        let bytes = std::fs::read(&p).map_err(io(&p, "read"))?;
        let descs = image_manifest::parse_index(&bytes, "store index.json").map_err(|e| {
            StoreError::CorruptIndex {
                path: p.clone(),
                reason: e.to_string(),
            }
        })?;
        let mut out: Vec<IndexEntry> = descs
            .into_iter()
            .filter_map(|d| {
                let name = d.annotations.get(REF_NAME)?.clone();
                (!is_signature_ref(&name)).then_some(IndexEntry {
                    name,
                    descriptor: d,
                })
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Every descriptor in index.json, signatures and unnamed entries included (for gc roots).
    pub fn all_descriptors(&self) -> Result<Vec<Descriptor>, StoreError> {
        let p = self.index_path();
        let bytes = std::fs::read(&p).map_err(io(&p, "read"))?;
        image_manifest::parse_index(&bytes, "store index.json").map_err(|e| {
            StoreError::CorruptIndex {
                path: p,
                reason: e.to_string(),
            }
        })
    }

    /// Points `name` at a stored top-level manifest and records its provenance, replacing any previous
    /// image of that name. Every blob it refers to must already be stored.
    pub fn set_ref(&self, desc: &Descriptor, prov: &Provenance) -> Result<(), StoreError> {
        let _g = self.lock_index()?;
        let mut raw = self.read_raw_index()?;
        raw.manifests.retain(|v| {
            v.pointer("/annotations/org.opencontainers.image.ref.name")
                .and_then(|n| n.as_str())
                != Some(&prov.name)
        });
        raw.manifests.push(
            RawDescriptor::new(&desc.media_type, &desc.digest, desc.size)
                .annotated(REF_NAME, &prov.name)
                .to_value(),
        );
        raw.manifests.sort_by(|a, b| {
            let n = |v: &serde_json::Value| {
                v.pointer("/annotations/org.opencontainers.image.ref.name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            n(a).cmp(&n(b))
        });
        // Provenance first: an index entry without its record would look unverified, the reverse is
        // harmless (an orphan record is dropped by gc).
        let mut records = self.provenance_records(&desc.digest)?;
        records.insert(prov.name.clone(), prov.clone());
        self.write_atomic(
            &self.meta_path(&desc.digest),
            &serde_json::to_vec_pretty(&records).expect("serialisable"),
        )?;
        self.write_index(&raw.manifests)
    }

    /// Points a name at a stored manifest without provenance (used for signature manifests).
    pub fn set_plain_ref(
        &self,
        name: &str,
        media_type: &str,
        digest: &Digest,
        size: u64,
    ) -> Result<(), StoreError> {
        let _g = self.lock_index()?;
        let mut raw = self.read_raw_index()?;
        raw.manifests.retain(|v| ref_of(v) != Some(name));
        raw.manifests.push(
            RawDescriptor::new(media_type, digest, size)
                .annotated(REF_NAME, name)
                .to_value(),
        );
        raw.manifests
            .sort_by(|a, b| ref_of(a).unwrap_or("").cmp(ref_of(b).unwrap_or("")));
        self.write_index(&raw.manifests)
    }

    /// Removes a name. Returns the digest it pointed at, or None if there was no such name.
    pub fn remove_ref(&self, name: &str) -> Result<Option<Digest>, StoreError> {
        // Shared store lock first (as fetch takes it): gc must not sweep our staging file.
        let _u = self.lock_use()?;
        let _g = self.lock_index()?;
        let entries = self.entries()?;
        let Some(e) = entries.into_iter().find(|e| e.name == name) else {
            return Ok(None);
        };
        let mut raw = self.read_raw_index()?;
        raw.manifests.retain(|v| {
            v.pointer("/annotations/org.opencontainers.image.ref.name")
                .and_then(|n| n.as_str())
                != Some(name)
        });
        self.write_index(&raw.manifests)?;
        let mut records = self.provenance_records(&e.descriptor.digest)?;
        records.remove(name);
        let mp = self.meta_path(&e.descriptor.digest);
        if records.is_empty() {
            match std::fs::remove_file(&mp) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io(&mp, "remove")(err))
                }
                _ => {}
            }
        } else {
            self.write_atomic(
                &mp,
                &serde_json::to_vec_pretty(&records).expect("serialisable"),
            )?;
        }
        Ok(Some(e.descriptor.digest))
    }

    /// Provenance records for a top-level digest, by name.
    pub fn provenance_records(
        &self,
        d: &Digest,
    ) -> Result<BTreeMap<String, Provenance>, StoreError> {
        let p = self.meta_path(d);
        match std::fs::read(&p) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| StoreError::CorruptIndex {
                path: p,
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(io(&p, "read")(e)),
        }
    }

    pub fn provenance(&self, name: &str, d: &Digest) -> Result<Option<Provenance>, StoreError> {
        Ok(self.provenance_records(d)?.remove(name))
    }
}
