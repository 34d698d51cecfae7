//! Signatures kept in the store, exactly as cosign lays them out in a repository: a manifest named
//! `<repository>:sha256-<hex>.sig` whose layers are the payloads. New signatures are merged with the
//! ones already stored, never replacing them.

use super::{io, Store, StoreError};
use crate::cosign::{self, RawSignature};
use crate::digest::Digest;
use crate::image_manifest::OCI_MANIFEST;

impl Store {
    /// The store's name for the signatures of `digest` in `repository`.
    pub fn signature_ref(repository: &str, digest: &Digest) -> String {
        format!("{repository}:{}", cosign::sig_tag(digest))
    }

    /// Signatures stored for `digest` under `repository` (bounded as any source is).
    pub fn signatures(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Vec<RawSignature>, StoreError> {
        let name = Self::signature_ref(repository, digest);
        let Some(d) = self
            .all_descriptors()?
            .into_iter()
            .find(|d| d.annotations.get(super::index::REF_NAME) == Some(&name))
        else {
            return Ok(Vec::new());
        };
        let bad = |reason: String| StoreError::CorruptIndex {
            path: self.blob_path(&d.digest),
            reason,
        };
        let m = self.read_blob(&d.digest)?;
        if Digest::of(&m) != d.digest {
            return Err(StoreError::BadBlob { digest: d.digest });
        }
        let layers = cosign::parse_sig_manifest(&m).map_err(|e| bad(e.to_string()))?;
        let mut out = Vec::new();
        for l in layers {
            let p = self.blob_path(&l.digest);
            let payload = std::fs::read(&p).map_err(io(&p, "read signature payload"))?;
            if Digest::of(&payload) != l.digest {
                return Err(StoreError::BadBlob { digest: l.digest });
            }
            out.push(RawSignature {
                payload,
                signature: l.signature,
            });
        }
        Ok(out)
    }

    /// Adds signatures for `digest` under `repository`, keeping those already there.
    pub fn add_signatures(
        &self,
        repository: &str,
        digest: &Digest,
        new: &[RawSignature],
    ) -> Result<usize, StoreError> {
        let _u = self.lock_use()?;
        let mut all = self.signatures(repository, digest)?;
        let added = cosign::merge(&mut all, new);
        if added == 0 {
            return Ok(0);
        }
        if all.len() > cosign::MAX_SIGNATURES {
            return Err(StoreError::CorruptIndex {
                path: self.index_path(),
                reason: format!(
                    "more than {} signatures for {digest}",
                    cosign::MAX_SIGNATURES
                ),
            });
        }
        let (manifest, config) = cosign::build_sig_manifest(&all);
        for s in &all {
            self.put_blob_bytes(&Digest::of(&s.payload), &s.payload)?;
        }
        self.put_blob_bytes(&Digest::of(&config), &config)?;
        let md = Digest::of(&manifest);
        self.put_blob_bytes(&md, &manifest)?;
        self.set_plain_ref(
            &Self::signature_ref(repository, digest),
            OCI_MANIFEST,
            &md,
            manifest.len() as u64,
        )?;
        Ok(added)
    }
}
